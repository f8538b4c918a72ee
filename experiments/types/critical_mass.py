"""Experiment type `critical_mass`: ramp a control over a grid, each value with support as
designed and with support withdrawn, common seeds; a jump with an interval, or "no tipping
point" (the method and its options: experiments/critical_mass.py, docs/ODD.md §7.7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

KEYS: dict[str, Any] = {
    "base": str,
    "control": str,
    "values": list,
    "from": int,
    "to": int,
    "steps": int,
    "withdraw_month": int,
    "outcome": str,
    "jump_ratio": float,
    "jump_z": float,
    "stay_share": float,
    "bootstrap": int,
}
TIMESERIES = False
#: The analysis needs at least two replications a grid value (paired standard errors).
MIN_REPLICATIONS = 2


def options(where: str, opts: dict[str, Any]) -> dict[str, Any]:
    """Validated by the type's own pydantic model (`critical_mass.Options`); replications are
    checked against the experiment's limits by spec.py and against the minimum here."""
    from werklandschap.experiments.critical_mass import parse_options

    return parse_options(where, {**opts, "replications": MIN_REPLICATIONS})


def planned_runs(spec) -> int:
    """Grid values x two arms x replications (at least two replications)."""
    from werklandschap.experiments.critical_mass import ARMS, options_of
    from werklandschap.experiments.spec import ExperimentError

    if spec.replications < MIN_REPLICATIONS:
        raise ExperimentError(
            f"a critical_mass experiment needs replications >= {MIN_REPLICATIONS}, "
            f"got {spec.replications}"
        )
    return len(options_of(spec).values or []) * len(ARMS) * spec.replications


def design(spec) -> tuple[list[dict[str, Any]], list, dict[str, Any]]:
    """Every grid value in both arms, replication r with seed `seeds.replication(seed, r)`."""
    from werklandschap.experiments import critical_mass

    frame, tasks = critical_mass.design(spec)
    return frame.to_dict("records"), tasks, {}


def analyse(
    spec, runs: pd.DataFrame, series: pd.DataFrame | None, folder: Path, meta: dict[str, Any]
) -> str:
    """The jump, its critical mass and whether it stays (table, figure, report text)."""
    from werklandschap.experiments import critical_mass

    return critical_mass.analyse(spec, runs, series, folder)
