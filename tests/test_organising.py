"""Organisation by type (agents/organising.py, docs/ODD.md §7.5).

Stochastic claims are checked against the binomial standard deviation of the expected count:
a count within 4 sd of its expectation (a false alarm about once in 16,000 runs of the test).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from werklandschap.agents.organising import (
    BIZ_MAJORITY,
    NEVER_VOTED,
    biz_vote,
    choose_organisation,
    may_vote,
    type_factors,
    vote_pass_chance,
)
from werklandschap.agents.park import (
    Organisation,
    Stage,
    month_start,
    planning,
    stalling,
    support_speed,
    transformation,
)
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.parameters import DEFAULTS, PARAMETERS

SD_TOLERANCE = 4.0
PARKS_WITHOUT_BIZ = 3_646 - 67  # IBIS parks minus the business-park BIZ of end 2019 (EVIDENCE)
NEUTRAL = {  # every type factor 1: the type has no effect after organising
    f"{prefix}_{kind}": 1.0
    for prefix in ("plan_speed", "transform_speed", "stall_factor")
    for kind in ("park_management", "biz")
}


def within_binomial(observed: float, n: float, p: float) -> bool:
    """Is `observed` (a count of n trials of chance p) within SD_TOLERANCE sd of n·p?"""
    sd = np.sqrt(n * p * (1 - p))
    return abs(observed - n * p) <= SD_TOLERANCE * max(sd, 1.0)


def model_with(seed: int = 0, scenario: str = "baseline", **params) -> WerklandschapModel:
    return WerklandschapModel(scenario, rng=seed, park_agents=False, collect=False, **params)


def prepared(model: WerklandschapModel, stage: Stage, organisation: Organisation):
    """Every park in `stage` with `organisation`, and the month-start view of the rules."""
    s = model.park_state
    s.stage[:] = stage
    s.organisation[:] = organisation
    m = month_start(model, s)
    m.speed = support_speed(model, s, m)
    m.factors = type_factors(model.params)
    return s, m


# --- the BIZ vote ---------------------------------------------------------------------------------
def test_a_failed_biz_vote_leaves_the_park_as_it_was():
    model = model_with(biz_support_mean=0.5, biz_support_spread=0.1)  # never 2/3 in favour
    s = model.park_state
    model.month = 7
    voters = np.arange(0, 400)
    s.organisation[voters[:200]] = Organisation.ASSOCIATION
    s.organisation[voters[200:]] = Organisation.NONE
    s.commitment[voters] = 0.9  # quorum met: the vote fails on the majority alone
    before = s.organisation.copy()
    biz_vote(model, s, voters)
    assert (s.organisation == before).all(), "a failed vote changes no organisation"
    assert (s.biz_vote_month[voters] == 7).all() and (s.biz_vote_month[400:] == NEVER_VOTED).all()
    # it may vote again only after the wait
    wait = model.params["biz_retry_months"]
    assert not may_vote(s, voters, 7 + wait - 1, wait).any()
    assert may_vote(s, voters, 7 + wait, wait).all()


def test_a_vote_without_quorum_fails_and_a_sure_vote_passes():
    model = model_with(biz_support_mean=0.95, biz_support_spread=0.01)  # always >= 2/3
    s = model.park_state
    model.month = 3
    voters = np.arange(0, 300)
    s.organisation[voters] = Organisation.NONE
    s.commitment[voters] = np.where(voters < 150, 0.45, 0.55)  # turnout below / above 50%
    biz_vote(model, s, voters)
    assert (s.organisation[voters[:150]] != Organisation.BIZ).all()
    assert (s.organisation[voters[150:]] == Organisation.BIZ).all()


@pytest.mark.parametrize(("mean", "spread"), [(0.7, 0.2), (0.6, 0.1), (0.75, 0.3), (0.68, 0.05)])
def test_vote_pass_rate_matches_its_parameters(mean, spread):
    # P(pass) = P(mean + spread (2u - 1) >= 2/3) for parks with turnout >= 50%, 0 below
    expected_majority = min(max((mean + spread - BIZ_MAJORITY) / (2 * spread), 0.0), 1.0)
    passed = voted = 0
    for seed in range(5):
        model = model_with(seed, biz_support_mean=mean, biz_support_spread=spread)
        s = model.park_state
        model.month = 0
        voters = np.flatnonzero(s.commitment >= 0.5)
        s.organisation[voters] = Organisation.NONE
        biz_vote(model, s, voters)
        passed += np.count_nonzero(s.organisation[voters] == Organisation.BIZ)
        voted += voters.size
        assert np.allclose(vote_pass_chance(s.commitment[voters], model.params), expected_majority)
    assert voted > 5_000
    assert within_binomial(passed, voted, expected_majority), (passed / voted, expected_majority)


# --- organising by type ---------------------------------------------------------------------------
def test_engaged_parks_organise_by_type_in_the_stated_shares():
    rates = {"association_rate": 0.2, "park_management_rate": 0.3, "biz_initiative_rate": 0.1}
    model = model_with(1, **rates, coaching_speedup=0.0)
    s, m = prepared(model, Stage.ENGAGED, Organisation.NONE)
    s.commitment[:] = 0.6
    model.month, model.context.programme_active = 0, True
    model.context.organisation_factor = np.ones(model.data.n_provinces)
    green_deal = model.province_green_deal[model.data.park_province]
    voters = choose_organisation(model, s, m)
    n, n_gd = s.stage.size, np.count_nonzero(green_deal)
    assert within_binomial(np.count_nonzero(s.organisation == Organisation.ASSOCIATION), n, 0.2)
    assert within_binomial(
        np.count_nonzero(s.organisation == Organisation.PARK_MANAGEMENT), n, 0.3 * 0.6
    )
    # BIZ votes only where the programme supports BIZ formation (Green Deal provinces)
    assert green_deal[voters].all()
    assert within_binomial(voters.size, n_gd, 0.1)


def test_no_biz_vote_without_the_programme():
    model = model_with(2, "no_programme", biz_initiative_rate=0.5)
    model.run_for(36)
    assert (model.park_state.biz_vote_month == NEVER_VOTED).all()


def test_organic_biz_formation_is_about_four_a_year_without_the_programme():
    rate = DEFAULTS["biz_formation_rate"]
    # the default is the ABC-SMC posterior median, fitted to the BIZ series (~4 new a year: 31
    # in 2012-2019, 7.75 years): within one Poisson standard error of that rate,
    # sqrt(31) / 7.75 = 0.72 a year
    assert abs(rate * 12 * PARKS_WITHOUT_BIZ - 4.0) < 31**0.5 / 7.75, "the BIZ series: ~4 a year"
    months, formed, trials = 60, 0, 0.0
    for seed in range(20):
        model = model_with(seed, "no_programme")
        without = np.count_nonzero(model.park_state.organisation != Organisation.BIZ)
        model.run_for(months)
        org = model.park_state.organisation
        formed += np.count_nonzero((org == Organisation.BIZ) & (model._initial_organisation != 3))
        trials += without * months  # monthly trials; the few parks that formed one leave early
    per_year = formed / 20 / (months / 12)
    assert within_binomial(formed, trials, rate), per_year
    assert 3.0 < per_year < 5.5  # parks in the data without a BIZ at the start: ~3,570


# --- the type afterwards --------------------------------------------------------------------------
def paired(stage: Stage, seed: int = 3, **params):
    """The same model state twice, associations in one and BIZ in the other (same draws)."""
    model = model_with(seed, stall_rate=0.05, coaching_speedup=0.0, **params)
    association = prepared(model, stage, Organisation.ASSOCIATION)
    twin = copy.deepcopy(model)
    biz = prepared(twin, stage, Organisation.BIZ)
    return (model, *association), (twin, *biz)


@pytest.mark.parametrize("neutral", [False, True])
def test_biz_parks_plan_faster_than_associations(neutral):
    (a_model, a_state, a_m), (b_model, b_state, b_m) = paired(
        Stage.ENGAGED, **(NEUTRAL if neutral else {})
    )
    started_a = planning(a_model, a_state, a_m)
    started_b = planning(b_model, b_state, b_m)
    if neutral:
        assert np.array_equal(started_a, started_b)
    else:  # same uniforms, higher hazard: every association that started, the BIZ did too
        assert set(started_a) < set(started_b)
        assert started_b.size > 1.3 * started_a.size


@pytest.mark.parametrize("neutral", [False, True])
def test_biz_parks_stall_less_than_associations(neutral):
    (a_model, a_state, a_m), (b_model, b_state, b_m) = paired(
        Stage.ENGAGED, **(NEUTRAL if neutral else {})
    )
    stalling(a_model, a_state, a_m)
    stalling(b_model, b_state, b_m)
    stalled_a = a_state.stage == Stage.AWARE
    stalled_b = b_state.stage == Stage.AWARE
    if neutral:
        assert np.array_equal(stalled_a, stalled_b)
    else:
        assert not (stalled_b & ~stalled_a).any() and stalled_a.sum() > 1.5 * stalled_b.sum()


@pytest.mark.parametrize("neutral", [False, True])
def test_biz_parks_transform_faster_than_associations(neutral):
    (a_model, a_state, a_m), (b_model, b_state, b_m) = paired(
        Stage.TRANSFORMING, **(NEUTRAL if neutral else {})
    )
    none = np.array([], int)
    transformation(a_model, a_state, a_m, none)
    transformation(b_model, b_state, b_m, none)
    if neutral:
        assert np.array_equal(a_state.progress, b_state.progress)
    else:
        factor = b_model.params["transform_speed_biz"]
        assert np.allclose(b_state.progress, factor * a_state.progress)
        assert (b_state.progress > a_state.progress).all()


def test_type_factors_are_one_for_associations_and_unorganised_parks():
    f = type_factors(DEFAULTS)
    for factors in (f.plan, f.transform, f.stall):
        assert factors[Organisation.NONE] == factors[Organisation.ASSOCIATION] == 1.0
    assert f.plan[Organisation.BIZ] > 1 and f.stall[Organisation.BIZ] < 1


def test_every_organisation_parameter_has_a_source_and_a_range():
    group = [q for q in PARAMETERS if q.group == "organisation"]
    assert {"biz_formation_rate", "association_rate", "biz_initiative_rate"} <= {
        q.name for q in group
    }
    for q in group:
        assert q.source and q.range is not None and q.kind == "uncertainty", q.name
    assert "organise_rate" not in DEFAULTS


def test_the_per_agent_reference_organises_like_the_vectorised_rule():
    """Docking of rule 3 alone, with rates high enough to see the BIZ votes: after 36 months in
    Utrecht (a Green Deal province) and Flevoland, 12 seeds each, the counts by type, of the parks
    that held a vote and of those whose vote passed agree in mean within 4 standard errors of
    their difference, and so does the pooled share of votes that passed."""
    from werklandschap.model.data import national_data, subset
    from werklandschap.verification.reference import ReferenceModel

    data = subset(national_data(), ("Utrecht", "Flevoland"))
    rates = {
        "biz_formation_rate": 0.001,
        "biz_initiative_rate": 0.5,
        "association_rate": 0.02,
        "park_management_rate": 0.02,
    }

    def counts(cls, seed):
        model = cls("baseline", rng=seed, data=data, park_agents=False, collect=False, **rates)
        model.run_for(36)
        s = model.park_state
        by_type = np.bincount(s.organisation, minlength=len(Organisation))
        voted = s.biz_vote_month != NEVER_VOTED
        passed = np.count_nonzero(voted & (s.organisation == Organisation.BIZ))
        return [*by_type, np.count_nonzero(voted), passed]

    vectorised = np.array([counts(WerklandschapModel, seed) for seed in range(12)])
    reference = np.array([counts(ReferenceModel, 100 + seed) for seed in range(12)])
    assert vectorised[:, -2].mean() > 10  # BIZ votes are held: > 120 pooled over 12 seeds
    # the share of votes that passed, pooled over seeds: two-proportion z at 4 sd
    (votes_a, passed_a), (votes_b, passed_b) = vectorised[:, -2:].sum(0), reference[:, -2:].sum(0)
    pooled = (passed_a + passed_b) / (votes_a + votes_b)
    se = np.sqrt(pooled * (1 - pooled) * (1 / votes_a + 1 / votes_b))
    assert abs(passed_a / votes_a - passed_b / votes_b) <= SD_TOLERANCE * se
    for column in range(vectorised.shape[1]):
        a, b = vectorised[:, column], reference[:, column]
        se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        assert abs(a.mean() - b.mean()) <= SD_TOLERANCE * max(se, 0.5), (column, a, b)
