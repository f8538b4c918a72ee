"""Experiment type `morris`: elementary-effects screening (SALib), mu* with bootstrap CIs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from werklandschap.experiments.types import sampled

KEYS: dict[str, Any] = {**sampled.KEYS, "trajectories": int, "levels": int, "bootstrap": int}
TIMESERIES = False


def options(where: str, opts: dict[str, Any]) -> dict[str, Any]:
    """`trajectories`, `levels` (even) and `bootstrap`, each within its declared limits."""
    from werklandschap.experiments.spec import ExperimentError, _bounded

    sampled.base_and_parameters(where, opts, "uncertainties")
    _bounded(where, "trajectories", opts.setdefault("trajectories", 20))
    levels = _bounded(where, "levels", opts.setdefault("levels", 4))
    if levels % 2:
        raise ExperimentError(f"{where}: levels = {levels} must be even (Morris design)")
    _bounded(where, "bootstrap", opts.setdefault("bootstrap", 200))
    return opts


def planned_runs(spec) -> int:
    """Trajectories x (factors + 1) x replications."""
    opts = spec.options
    return opts["trajectories"] * (len(sampled.factor_names(spec)) + 1) * spec.replications


def design(spec) -> tuple[list[dict[str, Any]], list, dict[str, Any]]:
    """Morris trajectories on the latent grid."""
    from werklandschap.experiments.design import morris_latent

    opts = spec.options
    return sampled.design(
        spec,
        lambda factors, seed: morris_latent(factors, opts["trajectories"], opts["levels"], seed),
    )


def analyse(
    spec, runs: pd.DataFrame, series: pd.DataFrame | None, folder: Path, meta: dict[str, Any]
) -> str:
    """mu*, sigma and bootstrap CIs per screened outcome."""
    from werklandschap.experiments.analysis import morris

    text = morris.analyse(spec, runs, series, folder, meta["factors"], meta["latent"])
    return text + sampled.posterior_note(spec)
