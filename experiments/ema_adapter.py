"""EMA Workbench bridge (optional extra `ema`): PRIM, and the model as an EMA `Model`.

EMA Workbench is imported lazily, so the rest of werklandschap works without it; without it, a
clear `ExperimentError` says how to install it. Its import warnings (ipyparallel, altair) are
silenced narrowly.

    from werklandschap.experiments.ema_adapter import ema_model
    from ema_workbench import perform_experiments
    model = ema_model(uncertainties=["peer_weight", "threshold_mean"], levers=["n_stimulated"])
    experiments, outcomes = perform_experiments(model, scenarios=50, policies=4)

EMA passes parameter values only, so each experiment's seed is derived from the model's `seed`
(an EMA constant) and a hash of the experiment's parameter values: the same point always gets
the same seed, and `replications` > 1 averages that many runs (seeds derive_seed(seed', r)).
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from werklandschap.experiments.runs import derive_seed
from werklandschap.experiments.spec import ExperimentError
from werklandschap.model.parameters import BY_NAME

#: Scalar outcomes the EMA model reports (means over replications).
EMA_OUTCOMES = (
    "labelled_at_horizon",
    "target_met",
    "month_target_reached",
    "self_sustaining",
    "peer_share",
)


def import_ema(part: str = "") -> ModuleType:
    """Import ema_workbench (or a submodule) quietly; a clear error when it is missing."""
    import importlib

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed")
        warnings.filterwarnings("ignore", category=ImportWarning)
        try:
            return importlib.import_module("ema_workbench" + (f".{part}" if part else ""))
        except ImportError:
            raise ExperimentError(
                "this needs EMA Workbench: pip install 'werklandschap[ema]' "
                "(or pip install ema-workbench)"
            ) from None


def _parameter(ema: ModuleType, name: str):
    p = BY_NAME[name]
    if p.choices is not None:
        return ema.CategoricalParameter(name, list(p.choices))
    if p.range is None:
        raise ExperimentError(f"parameter {name!r} has no range in the spec; it cannot vary")
    if p.type is int:
        return ema.IntegerParameter(name, int(p.range[0]), int(p.range[1]))
    return ema.RealParameter(name, float(p.range[0]), float(p.range[1]))


def point_seed(seed: int, values: dict[str, Any]) -> int:
    """A seed for a parameter point: derived from `seed` and a hash of the values."""
    text = repr(sorted((k, str(v)) for k, v in values.items()))
    index = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
    return derive_seed(seed, index)


def evaluate_point(
    base: str = "baseline", seed: int = 1, replications: int = 1, **values: Any
) -> dict[str, float]:
    """Run the model at a parameter point; mean outcomes over replications, NaN on failure."""
    from werklandschap.model.model import run
    from werklandschap.model.scenario import load_scenario

    values = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in values.items()}
    try:
        scenario = load_scenario(base).with_params(**values)
        first = point_seed(seed, values)
        sums = [run(scenario, derive_seed(first, r)).summary() for r in range(replications)]
        return {k: float(np.nanmean([float(s[k]) for s in sums])) for k in EMA_OUTCOMES}
    except Exception:  # EMA aborts the whole experiment on an error (EMAError is BaseException)
        return dict.fromkeys(EMA_OUTCOMES, float("nan"))


def ema_model(
    uncertainties: Sequence[str] | None = None,
    levers: Sequence[str] = (),
    base: str = "baseline",
    seed: int = 1,
    replications: int = 1,
    name: str = "werklandschap",
):
    """The model as an `ema_workbench.Model` over spec parameters (default: all uncertainties)."""
    ema = import_ema()
    if uncertainties is None:
        uncertainties = [
            p.name for p in BY_NAME.values() if p.kind == "uncertainty" and p.range is not None
        ]
    for n in [*uncertainties, *levers]:
        if n not in BY_NAME:
            raise ExperimentError(f"unknown parameter {n!r}")
    model = ema.Model(name, function=evaluate_point)
    model.uncertainties = [_parameter(ema, n) for n in uncertainties]
    model.levers = [_parameter(ema, n) for n in levers]
    model.constants = [
        ema.Constant("base", base),
        ema.Constant("seed", seed),
        ema.Constant("replications", replications),
    ]
    model.outcomes = [ema.ScalarOutcome(o) for o in EMA_OUTCOMES]
    return model
