"""Regulation through events (agents/regulation.py, docs/ODD.md §7.4, §7.8): municipalities adopt
the 'new normal' by a decision, never before `regulation_start_year`; the rule binds a park only
in a month with a permit/redevelopment event; the event rate matches its parameter; the decision
responds to partner status, province and local uptake. And the sweep's 'value needed' line."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from werklandschap.agents.park import Stage, engagement, month_start
from werklandschap.agents.regulation import adoption_chance, calendar_year, permit_events
from werklandschap.experiments.analysis.value_needed import crossing, value_needed
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.scenario import load_scenario


def fork(model: WerklandschapModel) -> WerklandschapModel:
    """A deep copy with the same state and random number generator (data shared)."""
    shared = {id(x): x for x in (model.data, model.network, model.settings)}
    return copy.deepcopy(model, memo=shared)


# --- municipalities decide ------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2])
def test_no_municipality_has_a_rule_before_its_decision_nor_before_the_start_year(seed):
    # scope green_deal and an early late-joining: the programme widens the scope mid-run, which
    # must not switch rules on without a decision
    scenario = load_scenario("early_regulation").with_params(
        regulation_start_year=2025, late_join_share=0.01
    )
    model = WerklandschapModel(scenario, rng=seed, park_agents=False, collect=False)
    decided_counts = []
    for _ in range(96):
        model.step()
        regulated, adopted = model.municipality_regulated, model.regulation_adopted
        assert (regulated == adopted).all()
        months = model.regulation_adoption_month[adopted]
        assert (months <= model.month).all() and (months % 12 == 0).all()
        assert all(calendar_year(int(m)) >= 2025 for m in months)
        assert (adopted <= model.regulation_scope_mask()).all()
        if calendar_year(model.month) < 2025:
            assert not regulated.any()
        decided_counts.append(int(adopted.sum()))
        if model.month == 24:  # January 2025, the first decisions
            in_scope = int(model.regulation_scope_mask().sum())
    # decisions, not a switch: some still undecided in 2025, and more adoptions in later years
    first_year = decided_counts[24]
    assert 0 < first_year < in_scope
    assert decided_counts[-1] > first_year


def test_a_municipality_that_never_decides_never_has_the_rule():
    model = WerklandschapModel(
        "early_regulation", rng=3, park_agents=False, collect=False, regulation_adoption_logit=-20.0
    )
    model.run_for(96)
    assert not model.municipality_regulated.any()
    assert model.result().summary()["engagements_regulation"] == 0


def first_decisions(seeds: range, **params) -> pd.DataFrame:
    """Municipality decisions in January 2023 (regulation from 2023, every municipality in scope),
    one row per municipality and seed."""
    frames = []
    for seed in seeds:
        model = WerklandschapModel(
            "baseline",
            rng=seed,
            park_agents=False,
            collect=False,
            regulation_start_year=2023,
            regulation_scope="all",
            **params,
        )
        model.step()
        frames.append(
            pd.DataFrame(
                {
                    "partner": model.municipality_partner,
                    "green_deal": model.province_green_deal[model.data.municipality_province],
                    "adopted": model.regulation_adopted,
                    "chance": adoption_chance(model),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_partner_municipalities_and_green_deal_provinces_adopt_more_often():
    # 20 seeds: 280 partner decisions, ~2,800 non-partner ones in Green Deal provinces
    d = first_decisions(range(20))
    share = d.groupby(["partner", "green_deal"])["adopted"].mean()
    expected = d.groupby(["partner", "green_deal"])["chance"].mean()
    n = d.groupby(["partner", "green_deal"]).size()
    # with default weights: partner 0.62, other GD 0.27, outside GD 0.12 (no uptake in 2023)
    assert share[True, True] > share[False, True] + 0.2
    assert share[False, True] > share[False, False] + 0.07
    # and each share is its chance within 4 binomial standard errors
    se = np.sqrt(expected * (1 - expected) / n)
    assert (np.abs(share - expected) < 4 * se + 1e-9).all()


def test_local_uptake_raises_the_chance_of_adopting():
    model = WerklandschapModel("baseline", rng=5, park_agents=False, collect=False)
    before = adoption_chance(model)
    town = model.data.park_municipality
    model.park_state.stage[town == town[0]] = Stage.ENGAGED  # all parks of one municipality
    after = adoption_chance(model)
    assert after[town[0]] > before[town[0]] + 0.2
    others = np.arange(after.size) != town[0]
    assert np.array_equal(after[others], before[others])


# --- the rule binds at events --------------------------------------------------------------------
def test_the_rule_binds_only_at_events():
    """Same state, same random numbers: with the rule everywhere, parks without an event decide
    exactly as without any rule; parks with an event engage more often."""
    model = WerklandschapModel("baseline", rng=6, park_agents=False, collect=False)
    model.run_for(40)  # the month context of month 39 is set and stays for the call below
    regulated, plain = fork(model), fork(model)
    aware = np.flatnonzero(model.park_state.stage == Stage.AWARE)
    event = np.zeros(model.data.n_parks, bool)
    event[np.random.default_rng(0).choice(aware, aware.size // 2, replace=False)] = True

    regulated.municipality_regulated[:] = True
    regulated.context.regulation_push = np.full(model.data.n_municipalities, 1.0)
    regulated.park_state.permit_event[:] = event
    plain.municipality_regulated[:] = False
    plain.context.regulation_push = np.zeros(model.data.n_municipalities)
    plain.park_state.permit_event[:] = False
    for m in (regulated, plain):
        engagement(m, m.park_state, month_start(m, m.park_state))

    with_rule = regulated.park_state.stage[aware] == Stage.ENGAGED
    without = plain.park_state.stage[aware] == Stage.ENGAGED
    no_event = ~event[aware]
    assert without[no_event].sum() >= 5  # the comparison is not vacuous
    assert np.array_equal(with_rule[no_event], without[no_event])
    assert with_rule[~no_event].sum() > 2 * max(without[~no_event].sum(), 1)
    assert (with_rule[~no_event] >= without[~no_event]).all()  # same draw, higher chance


@pytest.mark.parametrize("rate", [0.01, 0.05])
def test_event_rate_matches_its_parameter(rate):
    """Over 5 seeds x 24 months of ~1,800 parks (~216,000 draws), the share with an event is the
    rate within 5 binomial standard errors; parks without a rule never have one."""
    events = draws = outside = 0
    for seed in range(5):
        model = WerklandschapModel(
            "baseline", rng=seed, park_agents=False, collect=False, permit_event_rate=rate
        )
        model.municipality_regulated[::2] = True  # every other municipality has the rule
        model.regulation_on = True
        ruled = model.municipality_regulated[model.data.park_municipality]
        for _ in range(24):
            permit_events(model, model.park_state)
            events += int(model.park_state.permit_event[ruled].sum())
            draws += int(ruled.sum())
            outside += int(model.park_state.permit_event[~ruled].sum())
    se = np.sqrt(rate * (1 - rate) / draws)
    assert abs(events / draws - rate) < 5 * se
    assert outside == 0


def test_no_draws_and_no_events_while_no_municipality_has_the_rule():
    model = WerklandschapModel("baseline", rng=8, park_agents=False, collect=False)
    state = model.rng.bit_generator.state
    permit_events(model, model.park_state)
    assert model.rng.bit_generator.state == state
    assert not model.park_state.permit_event.any()


def test_a_stronger_rule_brings_more_regulation_driven_engagement(runs):
    weak = [
        r.summary()["credit_regulation"] for r in runs("early_regulation", 6, regulation_push=0.05)
    ]
    strong = [
        r.summary()["credit_regulation"] for r in runs("early_regulation", 6, regulation_push=0.6)
    ]
    assert min(strong) > max(weak)


# --- the sweep's value-needed line ---------------------------------------------------------------
def test_crossing_interpolates_and_says_when_not_reached():
    x = np.array([0.0, 1.0, 2.0])
    assert crossing(x, np.array([0.0, 10.0, 20.0]), 15.0) == pytest.approx(1.5)
    assert crossing(x, np.array([0.0, 10.0, 12.0]), 15.0) == np.inf
    assert crossing(x, np.array([16.0, 17.0, 20.0]), 15.0) == -np.inf


def test_value_needed_per_row_with_an_interval_over_replications():
    rows = []
    for r, shift in enumerate([-2.0, 0.0, 2.0]):  # replication curves shifted by +-2 parks
        for xv in (0.0, 1.0, 2.0):
            rows.append(
                dict(status="ok", replication=r, x=xv, y=1, labelled_at_horizon=10 * xv + shift)
            )
            rows.append(dict(status="ok", replication=r, x=xv, y=2, labelled_at_horizon=xv + shift))
    table = value_needed(pd.DataFrame(rows), "x", "y", 15.0).set_index("y")
    assert table.loc[1, "needed_value"] == pytest.approx(1.5)
    assert table.loc[1, "interval_90"] == "1.3 – 1.7"
    assert table.loc[2, "needed"] == "not reached in the range"
    assert table.loc[2, "replications_reaching"] == "0/3"
