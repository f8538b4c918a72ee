"""Governments that decide (agents/green_deal.py): Green Deal signing by provinces, packages,
partner municipalities by decision, and the programme as realised (model/data/realised.yaml)."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest

from werklandschap.agents import green_deal
from werklandschap.agents.green_deal import (
    NEIGHBOURS,
    PACKAGE_A,
    PACKAGE_B,
    PACKAGE_C,
    RealisedDataError,
    month_of,
    realised_programme,
)
from werklandschap.agents.park import Role, Stage
from werklandschap.model.data import national_data
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.scenario import ScenarioError, load_scenario

SEEDS = range(20)


def fast(scenario: str = "baseline", seed: int = 0, **params) -> WerklandschapModel:
    return WerklandschapModel(scenario, rng=seed, park_agents=False, collect=False, **params)


def monthly(model: WerklandschapModel, months: int) -> tuple[np.ndarray, np.ndarray]:
    """Province membership and municipal partnership after each of `months` months."""
    members, partners = [], []
    for _ in range(months):
        model.step()
        members.append(model.province_green_deal.copy())
        partners.append(model.municipality_partner.copy())
    return np.array(members), np.array(partners)


# --- provinces ------------------------------------------------------------------------------------
def test_no_province_is_a_member_before_its_decision():
    for seed in range(8):
        model = fast(seed=seed)
        assert not model.province_green_deal.any()  # nobody signed before month 0
        members, _ = monthly(model, 60)
        joined = model.province_join_month
        for i in range(model.data.n_provinces):
            months = np.arange(60)
            expected = (joined[i] >= 0) & (months >= joined[i])
            assert np.array_equal(members[:, i], expected), (seed, i)


def test_without_any_pull_no_province_ever_signs():
    model = fast(
        green_deal_plan_rate=0.0, green_deal_neighbour_rate=0.0, green_deal_uptake_rate=0.0
    )
    model.run_for(60)
    assert not model.province_green_deal.any()
    assert not model.municipality_partner.any()  # partners only in member provinces
    assert not (model.park_state.role != Role.REGULAR).any()  # no Green Deal, no programme parks


def test_the_plan_six_sign_in_the_first_years_and_others_may_follow():
    later = 0
    for seed in SEEDS:
        model = fast(seed=seed)
        model.run_for(60)
        planned = model._initial_green_deal()
        assert planned.sum() == 6
        assert model.province_green_deal[planned].all(), seed
        later += int(model.province_green_deal[~planned].sum())
    assert later > 0  # the rule lets provinces outside the plan join too


def test_neighbours_and_uptake_raise_the_signing_hazard():
    model = fast(green_deal_plan_rate=0.0)
    model.run_for(1)
    base = green_deal.signing_hazard(model)
    model.province_green_deal[model.data.province_index("Utrecht")] = True
    with_neighbour = green_deal.signing_hazard(model)
    neighbours = [model.data.province_index(n) for n in NEIGHBOURS["Utrecht"]]
    assert (with_neighbour[neighbours] > base[neighbours]).all()
    far = model.data.province_index("Groningen")
    assert with_neighbour[far] <= base[far]  # only capacity changes for a non-neighbour
    model.park_state.stage[:500] = Stage.TRANSFORMING
    assert (green_deal.signing_hazard(model) > with_neighbour).all()


def test_neighbours_are_symmetric_and_cover_the_provinces():
    names = national_data().province_name
    assert set(NEIGHBOURS) == set(names)
    for name, others in NEIGHBOURS.items():
        for other in others:
            assert name in NEIGHBOURS[other], (name, other)


@pytest.mark.parametrize(("a", "b"), [(4, 2), (1, 1), (0, 3)])
def test_packages_respect_their_caps(a, b):
    for seed in range(4):
        model = fast("all_provinces", seed=seed, green_deal_packages_a=a, green_deal_packages_b=b)
        model.run_for(60)
        package = model.province_package
        assert model.province_green_deal.all()
        assert np.count_nonzero(package == PACKAGE_A) == a
        assert np.count_nonzero(package == PACKAGE_B) == b
        assert np.count_nonzero(package == PACKAGE_C) == 12 - a - b
        # in the order of signing (same month: index order) packages go A, then B, then C
        order = np.lexsort((np.arange(12), model.province_join_month))
        assert np.all(np.diff(package[order]) >= 0), seed


def test_labs_and_ambassadors_follow_the_packages():
    exact_labs = exact_ambassadors = 0
    for seed in range(10):
        model = fast(seed=seed)
        p = model.params
        model.run_for(p["ambassador_selection_month"] + 1)
        s, province, package = model.park_state, model.park_province, model.province_package
        joined = model.province_join_month
        labs = np.bincount(province[s.role == Role.LIVING_LAB], minlength=12)
        ambassadors = np.bincount(province[s.role == Role.AMBASSADOR], minlength=12)
        assert labs.sum() == p["n_living_labs"] and ambassadors.sum() == p["n_ambassadors"]
        a_at_labs = (package == PACKAGE_A) & (joined >= 0) & (joined < p["lab_selection_month"])
        if a_at_labs.any():
            assert (labs[~a_at_labs] == 0).all(), seed  # labs only with package A
        if a_at_labs.sum() == 4:
            assert np.array_equal(labs, a_at_labs.astype(int)), seed
            exact_labs += 1
        month = p["ambassador_selection_month"]
        ab = (package < PACKAGE_C) & (joined >= 0) & (joined < month)
        if ab.any():
            assert (ambassadors[~ab] == 0).all(), seed  # ambassadors only with package A or B
        if (ab & (package == PACKAGE_A)).sum() == 4 and (ab & (package == PACKAGE_B)).sum() == 2:
            assert np.array_equal(
                ambassadors, 2 * (ab & (package == PACKAGE_A)) + (package == PACKAGE_B) * ab
            )
            exact_ambassadors += 1
    assert exact_labs > 0 and exact_ambassadors > 0  # the exact cases were exercised


# --- municipalities -------------------------------------------------------------------------------
def test_at_least_the_planned_partners_by_the_plan_date():
    plan_date = load_scenario("baseline").params["stimulation_start_month"]  # January 2025
    for seed in range(30):
        model = fast(seed=seed)
        model.run_for(plan_date)
        assert model.municipality_partner.sum() >= model.params["partner_municipalities"], seed


def test_no_municipality_is_a_partner_before_its_decision():
    for seed in range(6):
        model = fast(seed=seed)
        assert not model.municipality_partner.any()
        _, partners = monthly(model, 48)
        decided = model.municipality_partner_month
        months = np.arange(48)[:, None]
        assert np.array_equal(partners, (decided >= 0) & (months >= decided)), seed
        # a partner decided in a month when its province was already a member
        towns = np.flatnonzero(decided >= 0)
        joined = model.province_join_month[model.data.municipality_province[towns]]
        assert ((joined >= 0) & (joined <= decided[towns])).all()


def test_coaching_capacity_follows_partner_status():
    model = fast()
    assert (model.coaching_capacity() == model.params["coaching_capacity_other"]).all()
    model.run_for(24)
    capacity = model.coaching_capacity()
    partner = model.municipality_partner
    assert partner.any()
    assert (capacity[partner] == model.params["coaching_capacity_partner"]).all()
    assert (capacity[~partner] == model.params["coaching_capacity_other"]).all()


def test_local_uptake_makes_more_partners():
    counts = {}
    for rate in (0.0, 0.1):
        total = 0
        for seed in range(4):
            model = fast(seed=seed, partner_uptake_rate=rate)
            model.run_for(96)
            total += int(model.municipality_partner.sum())
        counts[rate] = total
    assert counts[0.0] == 4 * 14  # invitations only fill the plan
    assert counts[0.1] > counts[0.0]


# --- the fixed rule (the behaviour before governments decided) ------------------------------------
def test_green_deal_fixed_has_the_plan_from_the_start():
    model = fast("green_deal_fixed")
    assert np.array_equal(model.province_green_deal, model._initial_green_deal())
    assert model.municipality_partner.sum() == 14
    members, partners = monthly(model, 36)
    assert (members == model._initial_green_deal()).all()  # nobody joins without late_join_share
    assert (partners == partners[0]).all()


def test_late_joiners_still_join_all_at_once():
    model = fast("late_joiners", late_join_share=0.0)
    model.run_for(2)
    assert model.province_green_deal.all()
    assert model.programme.late_join_month == 0


# --- the programme as realised --------------------------------------------------------------------
REALISED_MONTHS = {"Zuid-Holland": 2, "Noord-Brabant": 17, "Utrecht": 18, "Flevoland": 24}


def test_realised_with_the_fixed_rule_is_refused():
    with pytest.raises(ScenarioError, match="needs green_deal_rule 'decision'"):
        load_scenario("realised").with_params(green_deal_rule="fixed")


def test_month_of_dates():
    assert month_of(dt.date(2023, 3, 10)) == 2
    assert month_of(dt.date(2024, 6, 11)) == 17


def test_realised_scenario_reproduces_the_dated_signings():
    for seed in range(6):
        model = fast("realised", seed=seed)
        members, _ = monthly(model, 30)
        for name, month in REALISED_MONTHS.items():
            i = model.data.province_index(name)
            assert not members[:month, i].any(), (seed, name)
            assert members[month:, i].all(), (seed, name)
        assert model.province_package[model.data.province_index("Zuid-Holland")] == PACKAGE_A
        assert model.province_package[model.data.province_index("Utrecht")] == PACKAGE_A


def test_realised_scenario_gives_the_named_parks_their_roles():
    rows = {int(r): i for i, r in enumerate(national_data().park_id)}
    named = {155053: Role.LIVING_LAB, 155006: Role.AMBASSADOR, 4944: Role.AMBASSADOR}
    for seed in range(4):
        model = fast("realised", seed=seed)
        p = model.params
        for key, role in (("lab", Role.LIVING_LAB), ("ambassador", Role.AMBASSADOR)):
            parks = [rows[rin] for rin, r in named.items() if r == role]
            month = p[f"{key}_selection_month"]
            model.run_for(month - int(model.time))  # months 0 .. month-1 done
            assert (model.park_state.role[parks] == Role.REGULAR).all(), (seed, key)
            model.run_for(1)
            assert (model.park_state.role[parks] == role).all(), (seed, key)
            assert (model.park_state.stage[parks] >= Stage.ENGAGED).all()  # they commit
        s = model.park_state
        assert np.count_nonzero(s.role == Role.LIVING_LAB) == p["n_living_labs"]
        assert np.count_nonzero(s.role == Role.AMBASSADOR) == p["n_ambassadors"]
        # "among the first twelve parks": at least 12 labs and ambassadors by phase 1's end
        assert np.count_nonzero((s.role == Role.LIVING_LAB) | (s.role == Role.AMBASSADOR)) >= 12


def test_the_baseline_decides_what_the_realised_scenario_pins():
    zh = national_data().province_index("Zuid-Holland")
    plan, realised = set(), set()
    for seed in range(8):
        model = fast(seed=seed)
        assert model.realised is None
        model.run_for(30)
        plan.add(int(model.province_join_month[zh]))
        model = fast("realised", seed=seed)
        model.run_for(30)
        realised.add(int(model.province_join_month[zh]))
    assert realised == {2}
    assert len(plan) > 1  # decided by the rule: it varies over seeds


def test_partner_parks_get_the_role_but_do_not_commit():
    model = fast("realised", seed=1)
    model.run_for(model.params["partner_park_month"])
    assert not (model.park_state.role == Role.PARTNER).any()
    before = model.park_state.stage.copy()
    chosen = green_deal.name_partner_parks(model)
    assert chosen.size == model.params["n_partner_parks"] == 10
    assert (model.park_state.role[chosen] == Role.PARTNER).all()
    assert model.province_green_deal[model.park_province[chosen]].all()
    assert np.array_equal(model.park_state.stage, before)  # naming engages nobody
    assert max(Role) == Role.PARTNER


def test_partner_parks_run_the_programme_trajectory():
    model = fast("realised", seed=2)
    model.run_for(model.params["partner_park_month"] + 1)
    s = model.park_state
    partner = np.flatnonzero(s.role == Role.PARTNER)[0]
    s.stage[partner], s.progress[partner], s.finished_month[partner] = Stage.TRANSFORMING, 0.0, -1
    model.programme.run_trajectories()
    assert s.progress[partner] > 0  # the programme's trajectory speed-up reaches partner parks


# --- the data check -------------------------------------------------------------------------------
def _document() -> dict:
    return copy.deepcopy(green_deal._realised_document())


def test_shipped_realised_data_passes_its_check_and_has_sources():
    doc = _document()
    realised = realised_programme(national_data(), doc)
    assert realised.park.size == 3 and realised.first_parks == 12
    for entry in doc["green_deals"] + doc["parks"]:
        assert entry["source"]
    for entry in doc["green_deals"]:
        if entry.get("assumption"):
            assert entry.get("why")


@pytest.mark.parametrize(
    ("where", "key", "value", "message"),
    [
        ("parks", "rin", 999999999, "not in the park data"),
        ("parks", "rin", "155053", "not in the park data"),
        ("parks", "name", "Somewhere", "not 'Somewhere'"),
        ("parks", "province", "Limburg", "not in Limburg"),
        ("parks", "role", "mascot", "role 'mascot'"),
        ("green_deals", "province", "Atlantis", "unknown province"),
        ("green_deals", "signed", "soon", "is not a date"),
        ("green_deals", "package", "Z", "package 'Z'"),
    ],
)
def test_realised_data_check_names_the_problem(where, key, value, message):
    doc = _document()
    doc[where][0][key] = value
    with pytest.raises(RealisedDataError, match=message):
        realised_programme(national_data(), doc)


def test_realised_entry_without_a_source_is_refused():
    doc = _document()
    del doc["parks"][0]["source"]
    with pytest.raises(RealisedDataError, match="lacks one of"):
        realised_programme(national_data(), doc)
