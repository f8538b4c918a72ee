"""Experiment type `sobol`: Saltelli/Sobol' sample, S1 and ST (S2 optional) with bootstrap CIs,
and a noise check (extra replications at the first points, experiment seed
`seeds.noise_check(seed)`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from werklandschap.experiments.types import sampled

KEYS: dict[str, Any] = {
    **sampled.KEYS,
    "n": int,
    "second_order": bool,
    "bootstrap": int,
    "noise_check": dict,
}
TIMESERIES = False
NOISE_DEFAULTS = {"points": 32, "replications": 4}


def options(where: str, opts: dict[str, Any]) -> dict[str, Any]:
    """`n` a power of two, `second_order`, `bootstrap`, `noise_check: {points, replications}`."""
    from werklandschap.experiments.spec import (
        ExperimentError,
        _bounded,
        _check_type,
        _suggest,
        short,
    )

    sampled.base_and_parameters(where, opts, "uncertainties+levers")
    n = _bounded(where, "n", opts.setdefault("n", 1024))
    if n & (n - 1):
        raise ExperimentError(
            f"{where}: n = {n} must be a power of two (e.g. "
            f"{1 << (n - 1).bit_length()}) for Sobol' balance"
        )
    opts.setdefault("second_order", False)
    _bounded(where, "bootstrap", opts.setdefault("bootstrap", 200))
    noise = opts.setdefault("noise_check", dict(NOISE_DEFAULTS))
    for k in noise:
        if k not in NOISE_DEFAULTS:
            hint = _suggest(str(k), list(NOISE_DEFAULTS))
            raise ExperimentError(f"{where}: unknown key {short(k)} in noise_check{hint}")
    for k, default in NOISE_DEFAULTS.items():
        v = _check_type(where, f"noise_check.{k}", noise.setdefault(k, default), int)
        _bounded(where, f"noise_check.{k}", v)
    return opts


def _points(spec) -> int:
    opts = spec.options
    dims = len(sampled.factor_names(spec))
    return opts["n"] * (2 * dims + 2 if opts["second_order"] else dims + 2)


def planned_runs(spec) -> int:
    """Sample points x replications, plus the noise check's runs."""
    points, noise = _points(spec), spec.options["noise_check"]
    return points * spec.replications + min(noise["points"], points) * noise["replications"]


def design(spec) -> tuple[list[dict[str, Any]], list, dict[str, Any]]:
    """The Saltelli sample, then the noise check's extra replications of the first points."""
    from werklandschap.experiments.design import Task, sobol_latent
    from werklandschap.experiments.spec import ExperimentSpec
    from werklandschap.model import seeds

    opts = spec.options
    rows, tasks, meta = sampled.design(
        spec, lambda factors, seed: sobol_latent(factors, opts["n"], seed, opts["second_order"])
    )
    noise = opts.get("noise_check")
    if noise and noise["points"]:
        # Extra replications at the first points: the within-point (replication) variance.
        extra_spec = ExperimentSpec(
            **{
                **spec.__dict__,
                "replications": noise["replications"],
                "seed": seeds.noise_check(spec.seed),
            }
        )
        latent = meta["latent"][: noise["points"]]
        extra_rows, extra_tasks = sampled.runs_of(extra_spec, latent, meta["factors"], "noise")
        offset = len(rows)
        for row, task in zip(extra_rows, extra_tasks, strict=True):
            row["run_id"] += offset
            rows.append(row)
            tasks.append(Task(task.run_id + offset, task.seed, task.scenario))
    return rows, tasks, meta


def analyse(
    spec, runs: pd.DataFrame, series: pd.DataFrame | None, folder: Path, meta: dict[str, Any]
) -> str:
    """Indices per output, convergence and the noise note."""
    from werklandschap.experiments.analysis import sobol

    text = sobol.analyse(spec, runs, series, folder, meta["factors"])
    return text + sampled.posterior_note(spec)
