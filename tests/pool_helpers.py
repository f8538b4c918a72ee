"""Evaluate functions for the tests of the shared process pool (tests/test_experiments.py).

Kept in a module of their own that imports nothing the pool's forkserver has not loaded
already: each new worker imports the module an evaluate function lives in, and a test module
(pandas, the runner, ...) would add seconds to every pool a test starts."""

from __future__ import annotations

import os

import numpy as np


def whose_run(task) -> dict:
    """Outcomes that depend only on the seed, plus the pid of the process that ran the task."""
    rng = np.random.default_rng(task.seed)
    return {"value": float(rng.integers(0, 10**9)), "pid": float(os.getpid())}


def dies_at_run_3(task) -> dict:
    """Kills its worker at run 3 (a crash no `except` catches): the pool breaks."""
    if task.run_id == 3:
        os._exit(1)
    return whose_run(task)
