"""Experiments: run scenarios and designs through `run(scenario, seed)` and analyse the results."""
