"""The outcome spec declares every summary outcome once, in the order summary() returns them."""

from __future__ import annotations

import pytest

from werklandschap import run
from werklandschap.model.outcome_spec import BY_NAME, EXPERIMENT_OUTCOMES, OUTCOMES, outcome
from werklandschap.model.scenario import load_scenario


@pytest.fixture(scope="module")
def summary():
    scenario = load_scenario("baseline").with_params(horizon_months=24, after_horizon_months=0)
    return run(scenario, seed=3).summary()


def test_every_summary_key_is_declared_in_order(summary):
    assert list(summary) == [o.name for o in OUTCOMES]


def test_declared_types_match_the_values(summary):
    for o in OUTCOMES:
        value = summary[o.name]
        expected = {"int": int, "bool": bool, "str": str, "float": float, "month": float}
        if o.name == "seed":
            continue  # None for an unseeded model
        assert isinstance(value, expected[o.dtype]), (o.name, type(value))


def test_experiment_outcomes_are_declared():
    assert all(BY_NAME[n].experiment for n in EXPERIMENT_OUTCOMES)
    with pytest.raises(KeyError, match="unknown outcome"):
        outcome("labeled_at_horizon")


def test_words_follow_the_scenario_not_constants():
    o = outcome("target_met")
    assert o.label() == "1,000 parks reached by end 2031"
    params = dict(load_scenario("baseline").with_params(horizon_months=60, target_parks=500).params)
    assert o.label(params) == "500 parks reached by end 2027"
    assert o.label(params, "nl") == "500 terreinen gehaald eind 2027"
