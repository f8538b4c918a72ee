"""Designs: from an experiment spec to a table of runs (one row per run) and the tasks to run.

Every run has an integer `run_id` (its row in the design) and a `seed`. Seeds follow from the
experiment seed only, never from the executor, through the named streams of model/seeds.py.
- compare and sweep: replication r of every scenario or grid cell uses
  `seeds.replication(seed, r)` (common random numbers, so differences between scenarios are
  paired);
- sobol, morris, discovery: replication r of sample point i uses
  `seeds.sample_point(seed, i, R, r)`; the sampler uses `seeds.sampler(seed)`, the Sobol' noise
  check the experiment seed `seeds.noise_check(seed)`.

Sampled parameters (SALib, scipy.stats.qmc) are drawn on a latent continuous scale and mapped:
floats as they are; integers on [lo, hi + 1) and floored (each integer equally likely);
categoricals on [0, K) and floored to an index into `choices`. Analyses of indices refer to the
latent variables, which is the usual treatment of discrete factors in variance-based SA.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from werklandschap.experiments.spec import ExperimentSpec
from werklandschap.model import seeds
from werklandschap.model.parameters import BY_NAME
from werklandschap.model.scenario import Scenario


@dataclass(frozen=True)
class Task:
    """One run: its id, seed and the validated scenario it runs (picklable, validated once)."""

    run_id: int
    seed: int
    scenario: Scenario

    @property
    def params(self) -> Mapping[str, Any]:
        """Every parameter value of the run."""
        return self.scenario.params


@dataclass(frozen=True)
class Factor:
    """A sampled parameter: latent bounds and how a latent value maps to a parameter value."""

    name: str
    low: float
    high: float
    kind: str  # "float", "int" or "choice"
    choices: tuple[Any, ...] = ()

    def value(self, latent: float) -> Any:
        if self.kind == "float":
            return float(latent)
        index = int(np.clip(np.floor(latent), self.low, self.high - 1))
        return self.choices[int(index - self.low)] if self.kind == "choice" else index


def factor(name: str) -> Factor:
    """The sampling factor of a spec parameter (its plausible range or its choices)."""
    p = BY_NAME[name]
    if p.choices is not None:
        return Factor(name, 0.0, float(len(p.choices)), "choice", tuple(p.choices))
    low, high = p.range  # type: ignore[misc]
    if p.type is int:
        return Factor(name, float(low), float(high) + 1.0, "int")
    return Factor(name, float(low), float(high), "float")


def problem(factors: Sequence[Factor]) -> dict[str, Any]:
    """A SALib problem over the factors' latent bounds."""
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[f.low, f.high] for f in factors],
    }


def map_samples(latent: np.ndarray, factors: Sequence[Factor]) -> pd.DataFrame:
    """Parameter values (one column per factor) of latent sample rows."""
    columns = {f.name: [f.value(x) for x in latent[:, j]] for j, f in enumerate(factors)}
    return pd.DataFrame(columns)


def sobol_latent(factors: Sequence[Factor], n: int, seed: int, second_order: bool) -> np.ndarray:
    """Saltelli/Sobol' sample (scrambled, seeded): n * (D + 2) rows, or n * (2D + 2)."""
    from SALib.sample import sobol as sobol_sample

    return sobol_sample.sample(
        problem(factors), n, calc_second_order=second_order, scramble=True, seed=seed
    )


def morris_latent(factors: Sequence[Factor], trajectories: int, levels: int, seed: int):
    """Morris elementary-effects trajectories: trajectories * (D + 1) rows."""
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(problem(factors), trajectories, num_levels=levels, seed=seed)


def lhs_latent(factors: Sequence[Factor], n: int, seed: int) -> np.ndarray:
    """Latin hypercube sample (scipy.stats.qmc, seeded) scaled to the latent bounds."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(seed)).random(n)
    low = np.array([f.low for f in factors])
    high = np.array([f.high for f in factors])
    return low + unit * (high - low)


def sampled_runs(spec: ExperimentSpec, points: pd.DataFrame, point_role: str):
    """Rows and tasks for sample points, each run `replications` times."""
    base = spec.base
    reps = spec.replications
    rows, tasks = [], []
    for i, values in enumerate(points.to_dict("records")):
        scenario = base.with_params(**values)
        for r in range(reps):
            run_id = len(rows)
            seed = seeds.sample_point(spec.seed, i, reps, r)
            rows.append(
                {
                    "run_id": run_id,
                    "role": point_role,
                    "point": i,
                    "replication": r,
                    "seed": seed,
                    **values,
                }
            )
            tasks.append(Task(run_id, seed, scenario))
    return rows, tasks


def build_design(spec: ExperimentSpec) -> tuple[pd.DataFrame, list[Task], dict[str, Any]]:
    """The design table, the tasks, and design metadata (latent samples, factor list), built by
    the experiment type's module (experiments/types/)."""
    from werklandschap.experiments import types as experiment_types

    rows, tasks, meta = experiment_types.get(spec.type).design(spec)
    return pd.DataFrame(rows), tasks, meta
