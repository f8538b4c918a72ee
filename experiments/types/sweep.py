"""Experiment type `sweep`: a two-parameter grid over a base scenario, common random numbers in
every cell (replication r uses `seeds.replication(seed, r)`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

KEYS: dict[str, Any] = {"base": str, "x": dict, "y": dict}
TIMESERIES = True


def options(where: str, opts: dict[str, Any]) -> dict[str, Any]:
    """`base`, and axes `x` and `y` (different parameters, each value valid in the spec)."""
    from werklandschap.experiments.spec import ExperimentError, _axis, _scenario

    base = _scenario(where, "base", opts.setdefault("base", "baseline"))
    for key in ("x", "y"):
        if key not in opts:
            raise ExperimentError(f"{where}: sweep needs '{key}'")
        opts[key] = _axis(where, key, opts[key], base)
    if opts["x"].parameter == opts["y"].parameter:
        raise ExperimentError(f"{where}: x and y must be different parameters")
    return opts


def planned_runs(spec) -> int:
    """Cells x replications."""
    opts = spec.options
    return len(opts["x"].values) * len(opts["y"].values) * spec.replications


def design(spec) -> tuple[list[dict[str, Any]], list, dict[str, Any]]:
    """Cells row by row (y outer, x inner), each `replications` times."""
    from werklandschap.experiments.design import Task
    from werklandschap.model import seeds

    base = spec.base
    x, y = spec.options["x"], spec.options["y"]
    rows: list[dict[str, Any]] = []
    tasks: list[Task] = []
    cell = 0
    for yv in y.values:
        for xv in x.values:
            scenario = base.with_params(**{x.parameter: xv, y.parameter: yv})
            for r in range(spec.replications):
                seed = seeds.replication(spec.seed, r)
                rows.append(
                    {
                        "run_id": len(rows),
                        "point": cell,
                        "replication": r,
                        "seed": seed,
                        x.parameter: xv,
                        y.parameter: yv,
                    }
                )
                tasks.append(Task(len(tasks), seed, scenario))
            cell += 1
    return rows, tasks, {}


def analyse(
    spec, runs: pd.DataFrame, series: pd.DataFrame | None, folder: Path, meta: dict[str, Any]
) -> str:
    """Heatmaps of P(target) and mean labelled per cell."""
    from werklandschap.experiments.analysis import sweep

    return sweep.analyse(spec, runs, series, folder)
