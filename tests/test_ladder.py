"""The programme ladder has causal content: switching off a rung changes its own outcome.

Every comparison is paired by seed (common random numbers: replication r of each variant uses the
same seed, conftest `runs`, seed 2026) over `SEEDS` = 20 seeds. Tolerances are stated per test and
sit at least three standard errors of the paired difference (measured over 30 seeds, docs/ODD.md
§7.6) inside the measured mean, so they fail when a rung becomes inert, not by bad luck.
"""

from __future__ import annotations

import numpy as np
import pytest

from werklandschap import WerklandschapModel
from werklandschap.agents.park import Organisation, Role, Stage
from werklandschap.model.model import run
from werklandschap.model.scenario import load_scenario

SEEDS = 20


def outcome(results, name: str) -> np.ndarray:
    return np.array([r.summary()[name] for r in results], float)


def paired(runs, name: str, **switch) -> np.ndarray:
    """Per seed: outcome with the rung switched off minus the baseline (same seeds)."""
    return outcome(runs("baseline", seeds=SEEDS, **switch), name) - outcome(
        runs("baseline", seeds=SEEDS), name
    )


# --- living labs -> maturity ------------------------------------------------------------------
def test_without_living_labs_maturity_stays_low(runs):
    diff = paired(runs, "maturity_at_horizon", n_living_labs=0)
    # measured: -0.74 (sd 0.01); maturity then grows only with the national labelled share
    assert (diff < -0.5).all(), diff


def test_lab_maturity_grows_in_proportion_to_lab_progress():
    model = WerklandschapModel("baseline", rng=3, park_agents=False, collect=False)
    model.run_for(10)  # labs selected at month 9
    programme, s = model.programme, model.park_state
    labs = programme.labs
    assert labs.size == 4
    s.stage[labs] = Stage.TRANSFORMING
    s.finished_month[labs] = -1
    s.progress[labs] = 0.25 * s.duration[labs]
    assert programme.lab_progress() == pytest.approx(0.25)
    s.progress[labs[:2]] = s.duration[labs[:2]]  # two halfway -> finished
    s.finished_month[labs[:2]] = 9
    assert programme.lab_progress() == pytest.approx((1 + 1 + 0.25 + 0.25) / 4)
    s.stage[labs] = Stage.ENGAGED  # not transforming (and not finished): no progress
    s.finished_month[labs] = -1
    assert programme.lab_progress() == 0.0
    before = programme.maturity = 0.2
    programme.grow_maturity()
    growth = model.params["maturity_growth"] * model.labelled_share() * (1 - before)
    assert programme.maturity == pytest.approx(before + growth)


# --- ambassadors -> label month -----------------------------------------------------------------
def test_without_ambassadors_the_label_comes_later(runs):
    diff = paired(runs, "label_month", n_ambassadors=0)
    # measured: +13.4 months (sd 3.9): the market route needs 200 finished parks nationally
    assert diff.mean() >= 6, diff
    assert (diff > 0).mean() >= 0.9, diff


def test_the_routes_that_publish_the_label():
    routes = []
    for seed in range(5):
        model = WerklandschapModel("baseline", rng=seed, park_agents=False, collect=False)
        model.run_for(100)
        routes.append(model.programme.label_route)
    assert routes.count("ambassadors") >= 4, routes  # the ambassadors are first in baseline
    scenario = load_scenario("baseline").with_params(n_ambassadors=0)
    model = WerklandschapModel(scenario, rng=0, park_agents=False, collect=False)
    model.run_for(100)
    s = model.park_state
    assert model.programme.label_route == "market"
    assert np.count_nonzero(s.finished_month >= 0) >= model.params["market_label_parks"]


def test_without_ambassadors_and_market_there_is_no_label():
    scenario = load_scenario("baseline").with_params(n_ambassadors=0, market_label_parks=3646)
    for seed in range(3):
        r = run(scenario, seed)
        assert not r.label_available.any()
        assert r.labelled.max() == 0
        assert np.isnan(r.summary()["label_month"])


def test_label_from_month_zero_when_the_date_route_says_so():
    r = run(load_scenario("no_programme").with_params(label_fallback_month=0), 1)
    assert r.label_available[1:].all()  # row 0 is the state before the first month


# --- stimulated parks, Green Deals, partners -> labelled parks ---------------------------------
@pytest.mark.parametrize(
    ("switch", "mean_at_most", "share_lower"),
    [
        # measured over 60 seeds with the population-1,000 posterior: -99 (sd 24), -331 (sd 41),
        # -49 (sd 28, 97% of seeds lower: fewer than 16 of 20 has a chance below 0.1%)
        ({"n_stimulated": 0}, -30, 0.95),
        ({"green_deal_provinces": 0}, -300, 1.0),
        ({"partner_municipalities": 0}, -20, 0.8),
    ],
    ids=["stimulated", "green_deals", "partners"],
)
def test_each_rung_adds_labelled_parks(runs, switch, mean_at_most, share_lower):
    diff = paired(runs, "labelled_at_horizon", **switch)
    assert diff.mean() <= mean_at_most, diff
    assert (diff < 0).mean() >= share_lower, diff


# --- selection criteria and the programme trajectory -------------------------------------------
def test_choosing_by_the_criteria_labels_more_than_at_random(runs):
    diff = paired(runs, "labelled_at_horizon", selection_strategy="random")
    # measured: -24 (sd 20) over 30 seeds
    assert diff.mean() <= -10, diff


def test_parks_chosen_by_the_criteria_reach_the_label_more_often(runs):
    def chosen_labelled(results):
        return np.array([np.mean(r.stage_at_horizon[r.role != Role.REGULAR] == Stage.LABELLED)
                         for r in results])  # fmt: skip

    criteria = chosen_labelled(runs("baseline", seeds=SEEDS))
    random = chosen_labelled(runs("baseline", seeds=SEEDS, selection_strategy="random"))
    diff = criteria - random
    # measured: 0.87 against 0.73 (paired difference 0.13, standard error 0.011)
    assert diff.mean() >= 0.07 and (diff > 0).mean() >= 0.9, diff


def test_criteria_choose_parks_with_more_capacity():
    capacities = {}
    for strategy in ("criteria", "random"):
        values = []
        for seed in range(5):
            scenario = load_scenario("baseline").with_params(selection_strategy=strategy)
            model = WerklandschapModel(scenario, rng=seed, park_agents=False, collect=False)
            model.run_for(60)
            chosen = np.flatnonzero(model.park_state.role != Role.REGULAR)
            values.append(model.programme.capacity(chosen).mean())
        capacities[strategy] = np.mean(values)
    assert capacities["criteria"] > capacities["random"] + 0.05, capacities


def test_the_programme_trajectory_brings_the_label_forward(runs):
    diff = paired(runs, "label_month", trajectory_speedup=0.0)
    # measured: +5.6 months (sd 2.5): ambassadors finish later without it
    assert diff.mean() >= 2, diff


# --- outcomes by organisation at the start, seeded adopters -------------------------------------
def test_outcomes_by_organisation_use_the_organisation_at_the_start(runs):
    results = runs("baseline", seeds=SEEDS)
    none = outcome(results, "labelled_share_org_none")
    # parks unorganised at the start organise on the way: their labelled share is not 0
    assert (none > 0).all(), none
    for r in results[:5]:
        at_start = r.initial_organisation == Organisation.NONE
        labelled = r.stage_at_horizon == Stage.LABELLED
        assert r.summary()["labelled_share_org_none"] == pytest.approx(labelled[at_start].mean())
        assert (r.organisation[labelled] != Organisation.NONE).all()


def test_seeded_adopters_start_transforming_and_zero_changes_nothing():
    seeded = WerklandschapModel(
        load_scenario("baseline").with_params(seeded_adopters=50), rng=5, park_agents=False
    )
    s = seeded.park_state
    assert np.count_nonzero(s.stage == Stage.TRANSFORMING) == 50
    assert (s.organisation[seeded.programme.seeded] != Organisation.NONE).all()
    assert (s.role[seeded.programme.seeded] == Role.REGULAR).all()
    plain = run("baseline", 5)
    zero = run(load_scenario("baseline").with_params(seeded_adopters=0), 5)
    assert np.array_equal(plain.stage_counts, zero.stage_counts)
