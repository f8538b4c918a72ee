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
the same seed, and `replications` > 1 averages that many runs (seeds seeds.replication(seed', r)).

Inputs are checked against the parameter spec before anything runs: a misspelt parameter, a value
of the wrong type or outside the spec's limits, an unknown base scenario or a non-positive
number of replications raises `ExperimentError` (one line naming the problem). Only a run that
fails on valid inputs is reported as NaN outcomes, because EMA aborts a whole experiment on an
error.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from werklandschap.experiments.outcomes import USED_BY
from werklandschap.experiments.spec import ExperimentError
from werklandschap.model import seeds
from werklandschap.model.outcome_spec import outcome
from werklandschap.model.parameters import BY_NAME

#: Scalar outcomes the EMA model reports (means over replications).
EMA_OUTCOMES = USED_BY["ema"]
#: What each EMA outcome means (words and unit from the outcome spec; a mean over replications).
EMA_OUTCOME_WORDS = {
    name: f"{outcome(name).label()} ({outcome(name).unit}; mean over replications)"
    for name in EMA_OUTCOMES
}


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


def _check_name(name: str) -> None:
    """Raise ExperimentError for a name that is not in the parameter spec (closest one named)."""
    if name in BY_NAME:
        return
    close = difflib.get_close_matches(name, list(BY_NAME), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ExperimentError(f"unknown parameter {name!r}{hint}")


def _check_replications(replications: Any) -> None:
    """Raise ExperimentError unless `replications` is a positive integer."""
    if isinstance(replications, bool) or not isinstance(replications, int | np.integer):
        raise ExperimentError(f"replications = {replications!r} must be a positive integer")
    if replications < 1:
        raise ExperimentError(f"replications = {replications!r} must be a positive integer")


def _scenario(base: str, values: dict[str, Any]):
    """The base scenario with `values`, validated by the spec (ExperimentError otherwise)."""
    from werklandschap.model.scenario import ScenarioError, load_scenario

    for name in values:
        _check_name(name)
    try:
        return load_scenario(base).with_params(**values)
    except (ScenarioError, KeyError, FileNotFoundError) as exc:
        raise ExperimentError(f"EMA point: {exc}") from None


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
    """A seed for a parameter point: the named point stream (model/seeds.py)."""
    return seeds.point(seed, values)


def evaluate_point(
    base: str = "baseline", seed: int = 1, replications: int = 1, **values: Any
) -> dict[str, float]:
    """Run the model at a parameter point; mean outcomes over replications.

    Raises ExperimentError for an unknown parameter, a value outside the spec's limits or of
    the wrong type, an unknown `base` or `replications` < 1; a run that fails on valid inputs
    gives NaN outcomes (EMA would abort the whole experiment on an error).
    """
    from werklandschap.model.model import run

    _check_replications(replications)
    replications = int(replications)
    values = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in values.items()}
    scenario = _scenario(base, values)
    try:
        first = point_seed(seed, values)
        sums = [run(scenario, seeds.replication(first, r)).summary() for r in range(replications)]
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
    if uncertainties is None:
        uncertainties = [
            p.name for p in BY_NAME.values() if p.kind == "uncertainty" and p.range is not None
        ]
    names = [*uncertainties, *levers]
    for n in names:
        _check_name(n)
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ExperimentError(f"parameter(s) listed more than once: {', '.join(twice)}")
    for n in names:
        if BY_NAME[n].choices is None and BY_NAME[n].range is None:
            raise ExperimentError(f"parameter {n!r} has no range in the spec; it cannot vary")
    _check_replications(replications)
    _scenario(base, {})  # the base scenario must exist
    ema = import_ema()
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
