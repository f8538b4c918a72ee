"""Declared limits of every count a user gives: one table for `run` and for experiment files.

Checked before any work; out-of-range values are refused (exit 2), never clipped. The maxima
keep a design buildable in memory in seconds and seeds storable as int64; the minima keep
analyses meaningful. Keys `run.*` belong to `werklandschap run`; the others are keys of an
experiment file (or its command-line overrides) and are listed in `experiment --help`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """Accepted values of a count in an experiment file or on the command line."""

    minimum: int
    maximum: int
    what: str

    def text(self) -> str:
        return f"{self.minimum:,}..{self.maximum:,}"


RUN_PREFIX = "run."

#: Every declared bound (file key, "sweep.steps" etc., or "run.*" for `werklandschap run`).
ALL_LIMITS: dict[str, Limit] = {
    "replications": Limit(1, 100_000, "replications per scenario, cell or sample point"),
    "seed": Limit(0, 2**31 - 1, "experiment seed"),
    "n": Limit(2, 2**20, "Sobol' base sample size N (a power of two)"),
    "bootstrap": Limit(10, 100_000, "bootstrap resamples"),
    "noise_check.points": Limit(0, 10_000, "sample points rerun for the noise check"),
    "noise_check.replications": Limit(2, 1_000, "replications per noise-check point"),
    "trajectories": Limit(2, 100_000, "Morris trajectories"),
    "levels": Limit(2, 1_000, "Morris grid levels (even)"),
    "samples": Limit(20, 10_000_000, "discovery (LHS) samples"),
    "max_boxes": Limit(1, 100, "PRIM boxes"),
    "sweep.steps": Limit(2, 10_000, "sweep steps per axis (from/to/steps)"),
    "sweep.values": Limit(2, 10_000, "sweep values per axis"),
    "scenarios": Limit(1, 1_000, "scenarios compared"),
    "workers": Limit(1, 1_024, "local worker processes (--workers)"),
    "run.replications": Limit(1, 1_000_000, "replications of `werklandschap run`"),
    # A numpy SeedSequence takes any size; this keeps seeds printable and storable as int64.
    "run.seed": Limit(0, 2**63 - 1, "seed of `werklandschap run` (its first replication)"),
}
#: The bounds of experiment files (shown in `experiment --help` and docs/experiments.md).
LIMITS: dict[str, Limit] = {k: v for k, v in ALL_LIMITS.items() if not k.startswith(RUN_PREFIX)}
#: Largest number of runs one experiment may have (design rows).
MAX_TOTAL_RUNS = 10_000_000
#: Longest experiment name (it names a folder).
MAX_NAME = 100
