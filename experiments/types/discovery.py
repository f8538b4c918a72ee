"""Experiment type `discovery`: a Latin hypercube over uncertainties and levers, then PRIM (EMA
Workbench) on whether the target is reached at the horizon."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from werklandschap.experiments.types import sampled

KEYS: dict[str, Any] = {
    **sampled.KEYS,
    "samples": int,
    "min_density": float,
    "max_boxes": int,
}
TIMESERIES = False
#: Samples when the file gives none.
DEFAULT_SAMPLES = 1_000


def options(where: str, opts: dict[str, Any]) -> dict[str, Any]:
    """`samples`, `min_density` in (0, 1] and `max_boxes`."""
    from werklandschap.experiments.spec import ExperimentError, _bounded

    sampled.base_and_parameters(where, opts, "uncertainties+levers")
    _bounded(where, "samples", opts.setdefault("samples", DEFAULT_SAMPLES))
    density = opts.setdefault("min_density", 0.8)
    if not 0 < density <= 1:
        raise ExperimentError(f"{where}: min_density = {density} must be in (0, 1]")
    _bounded(where, "max_boxes", opts.setdefault("max_boxes", 2))
    return opts


def planned_runs(spec) -> int:
    """Samples x replications."""
    return spec.options["samples"] * spec.replications


def design(spec) -> tuple[list[dict[str, Any]], list, dict[str, Any]]:
    """A Latin hypercube on the latent scale."""
    from werklandschap.experiments.design import lhs_latent

    n = spec.options["samples"]
    return sampled.design(spec, lambda factors, seed: lhs_latent(factors, n, seed))


def analyse(
    spec, runs: pd.DataFrame, series: pd.DataFrame | None, folder: Path, meta: dict[str, Any]
) -> str:
    """PRIM boxes and the trade-off figure."""
    from werklandschap.experiments.analysis import discovery

    text = discovery.analyse(spec, runs, series, folder, sampled.value_factors(meta["factors"]))
    return text + sampled.posterior_note(spec)
