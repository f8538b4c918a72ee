"""The EMA Workbench adapter (experiments/ema_adapter.py): it runs the model, and refuses bad
input with one clear message before any run."""

from __future__ import annotations

import re

import numpy as np
import pytest

from werklandschap.experiments.spec import ExperimentError


def test_ema_adapter_runs_the_model():
    pytest.importorskip("ema_workbench")
    from werklandschap.experiments.ema_adapter import ema_model, import_ema

    ema = import_ema()
    model = ema_model(uncertainties=["peer_weight"], levers=["n_stimulated"], seed=4)
    experiments, outcomes = ema.perform_experiments(
        model,
        scenarios=2,
        policies=1,
        log_progress=True,
        uncertainty_sampling_kwargs={"rng": 1},
        lever_sampling_kwargs={"rng": 1},
    )
    assert len(experiments) == 2
    assert np.isfinite(outcomes["labelled_at_horizon"]).all()
    assert set(np.unique(outcomes["target_met"])) <= {0.0, 1.0}


# --- EMA adapter input checks (experiments/ema_adapter.py) -------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"peer_wieght": 0.3}, "unknown parameter 'peer_wieght' (did you mean 'peer_weight'?)"),
        ({"peer_weight": 9.0}, "peer_weight = 9.0 is outside its accepted range 0.0..5.0"),
        ({"n_stimulated": 1.5}, "n_stimulated = 1.5 has the wrong type"),
        ({"selection_strategy": "best"}, "selection_strategy = 'best' is not valid"),
        ({"base": "basline"}, "unknown scenario 'basline'"),
        ({"replications": 0}, "replications = 0 must be a positive integer"),
    ],
)
def test_ema_evaluate_point_refuses_bad_input(call, message):
    """Bad input raises before any run (it used to return all-NaN outcomes silently)."""
    from werklandschap.experiments.ema_adapter import evaluate_point

    with pytest.raises(ExperimentError) as info:
        evaluate_point(**call)
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"uncertainties": ["peer_wieght"]}, "unknown parameter 'peer_wieght' (did you mean"),
        ({"levers": ["n_stimulatd"]}, "unknown parameter 'n_stimulatd' (did you mean"),
        ({"uncertainties": ["peer_weight"], "levers": ["peer_weight"]}, "more than once"),
        ({"levers": ["horizon_months"]}, "has no range in the spec"),
        ({"base": "basline"}, "unknown scenario 'basline'"),
    ],
)
def test_ema_model_checks_names_against_the_spec(call, message):
    from werklandschap.experiments.ema_adapter import EMA_OUTCOME_WORDS, EMA_OUTCOMES, ema_model

    with pytest.raises(ExperimentError, match=re.escape(message)):
        ema_model(**call)
    assert set(EMA_OUTCOME_WORDS) == set(EMA_OUTCOMES)
