"""Credibility: calibration (ABC on the KVO-B analogue), validation (patterns, Bass fits, the
mission answer), the per-agent reference model (docking), the Bass reduction and the benchmark."""
