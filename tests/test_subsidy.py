"""Subsidy as an application process with budgets tied to the programme's finances
(agents/subsidy.py, docs/ODD.md §7.8): applications, awards within the pots, effects for
recipients only, and money outcomes that add up."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from werklandschap.agents import park as park_rules
from werklandschap.agents import subsidy
from werklandschap.agents.park import Role, Stage
from werklandschap.model.model import WerklandschapModel
from werklandschap.runs import money

SEEDS = range(6)
GRANT_MEUR = 0.05  # the default subsidy_per_park_keur (50 k€)


def _model(seed: int, scenario: str = "baseline", **params) -> WerklandschapModel:
    return WerklandschapModel(scenario, rng=seed, park_agents=False, collect=False, **params)


def _step_to(model: WerklandschapModel, month: int) -> None:
    """Step until `month` is the last month simulated."""
    while model.month < month:
        model.step()


# --- awards within the pots ------------------------------------------------------------------


def test_a_province_with_no_budget_left_awards_no_grant():
    """Empty one province's pot mid-year: its waiting applicants get nothing, the others'
    provinces go on granting; on the old rule (budget per province, no applications) as well
    as the new one a province without budget must not grant."""
    for seed in SEEDS:
        model = _model(seed)
        _step_to(model, 30)
        s, book = model.park_state, model.subsidy
        waiting = (book.applied_month >= 0) & ~s.subsidised & (s.stage <= Stage.TRANSFORMING)
        per_province = np.bincount(model.park_province[waiting], minlength=12)
        empty = int(np.argmax(per_province))  # the province with most waiting applicants
        assert per_province[empty] > 0
        model.province_budget[empty] = GRANT_MEUR * 0.999  # less than one grant left
        model.province_budget[np.arange(12) != empty] += 1.0  # the others have money
        before = s.subsidised.copy()
        granted = subsidy.award_grants(model)
        assert not (s.subsidised & ~before)[model.park_province == empty].any()
        assert granted.size > 0  # other provinces did grant
        assert (model.park_province[granted] != empty).all()


def test_without_money_no_park_is_ever_subsidised():
    for seed in SEEDS:
        model = _model(
            seed,
            growth_fund_meur=0.0,
            province_cofinancing_meur=0.0,
            municipality_cofinancing_meur=0.0,
        )
        model.run_to_end(twin=False)
        assert not model.park_state.subsidised.any()
        assert (model.subsidy.applied_month >= 0).any()  # they applied, nobody was paid
        assert model.result().summary()["spent_total_meur"] == 0.0


def test_grants_per_province_per_year_never_exceed_its_pot_and_the_pot_binds():
    """Step month by month: in every budget year each province grants at most
    floor(pot / grant) parks (the pot as filled in January plus the pot of a province that signs
    during the year); in the baseline the pots bind (some province uses them up)."""
    bound = 0
    for seed in SEEDS:
        model = _model(seed)
        for year in range(model.params["programme_end_month"] // 12):
            before = model.park_state.subsidised.copy()
            _step_to(model, 12 * year + 11)  # pots: filled in January, topped up at signing
            pot = model.subsidy.pot.sum(axis=1).copy()
            new = model.park_state.subsidised & ~before
            grants = np.bincount(model.park_province[new], minlength=12)
            allowed = np.floor(pot / GRANT_MEUR + 1e-9)
            assert (grants <= allowed).all(), (seed, year, grants, allowed)
            assert (grants[~model.province_green_deal] == 0).all()
            bound += int((grants == allowed)[model.province_green_deal].sum())
            assert (model.province_budget >= -1e-9).all()
    assert bound > 0  # the budget is a real limit in the baseline


def test_programme_parks_first_then_first_come_first_served():
    """With room for few grants, the province grants its programme applicants first, then
    the earliest applications, ties by the stored uniform."""
    model = _model(3)
    _step_to(model, 40)
    s, book = model.park_state, model.subsidy
    province = int(np.argmax(model.province_green_deal))
    here = model.park_province == province
    waiting = np.flatnonzero(
        here & (book.applied_month >= 0) & ~s.subsidised & (s.stage <= Stage.TRANSFORMING)
    )
    # make an ordered queue: give two regular applicants a programme role, fix months and ties
    assert waiting.size >= 6
    s.role[waiting] = Role.REGULAR
    s.role[waiting[-2:]] = Role.STIMULATED
    book.applied_month[waiting] = 30
    book.applied_month[waiting[0]] = 10  # earliest regular applicant
    book.tie[waiting] = np.linspace(0.9, 0.1, waiting.size)  # later index: smaller tie
    model.province_budget[:] = 0.0
    model.province_budget[province] = 4 * GRANT_MEUR
    granted = subsidy.award_grants(model)
    expected = {int(waiting[-1]), int(waiting[-2]), int(waiting[0]), int(waiting[-3])}
    assert set(granted.tolist()) == expected


# --- applications ---------------------------------------------------------------------------


def test_applications_only_from_aware_parks_in_green_deal_provinces_at_the_stated_rate():
    """One application per park, by aware/engaged/transforming parks of Green Deal provinces;
    the monthly share that applies is `subsidy_application_rate` (binomial, 4 s.e.)."""
    rate = 0.1
    applied, eligible = 0, 0
    for seed in SEEDS:
        model = _model(seed, subsidy_application_rate=rate)
        _step_to(model, 20)
        s, book = model.park_state, model.subsidy
        may = (
            (s.stage >= Stage.AWARE)
            & (s.stage <= Stage.TRANSFORMING)
            & (book.applied_month < 0)
            & model.province_green_deal[model.park_province]
        )
        before = book.applied_month.copy()
        subsidy.take_applications(model)
        new = (book.applied_month >= 0) & (before < 0)
        assert not (new & ~may).any()
        assert (book.applied_month[before >= 0] == before[before >= 0]).all()  # once per park
        applied += int(new.sum())
        eligible += int(may.sum())
        assert (book.tie[new] >= 0).all() and (book.tie[new] < 1).all()
    se = np.sqrt(eligible * rate * (1 - rate))
    assert abs(applied - rate * eligible) < 4 * se


def test_only_applicants_are_ever_subsidised_and_few_of_the_aware_parks():
    """Grants go to applicants only, and to far fewer parks than the aware parks of the Green
    Deal provinces (the old rule gave every aware park there the subsidy's utility)."""
    for seed in SEEDS[:3]:
        model = _model(seed)
        model.run_for(model.params["horizon_months"])
        s = model.park_state
        assert not (s.subsidised & (model.subsidy.applied_month < 0)).any()
        in_deal = model.province_green_deal[model.park_province]
        aware = in_deal & (s.stage >= Stage.AWARE)
        per_year = s.subsidised.sum() / 9 / model.province_green_deal.sum()
        assert 5 <= per_year <= 40  # ~15 grants per province per year at the defaults
        assert s.subsidised.sum() < 0.5 * aware.sum()


# --- effects for recipients only -------------------------------------------------------------


def _engagement_chances(model: WerklandschapModel) -> tuple[np.ndarray, np.ndarray]:
    """The aware parks and their engagement chances in this month's engagement rule (its
    decision terms, `park.decision_terms`, for every aware park)."""
    s = model.park_state
    m = park_rules.month_start(model, s)
    park_rules.awareness(model, s, m)
    aware = m.aware.copy()
    t = park_rules.decision_terms(model, s, m, np.arange(aware.size))
    noise = model.params["decision_noise"]
    return aware, park_rules.engagement_chance(t.utility, t.threshold, t.rate, noise)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_non_recipients_engagement_chance_is_the_same_as_with_subsidy_off(seed):
    """Same state, same random numbers: switching the subsidy's utility off changes the
    engagement chance of recipients only (old rule: every aware park of a province with budget
    left got it, so non-recipients' chances changed too)."""
    model = _model(seed)
    _step_to(model, 36)
    off = copy.deepcopy(model)
    off.params["subsidy_utility"] = 0.0
    for run in (model, off):  # the context both face on the same state
        run._regime = None
        run._update_context()
    aware, chance_on = _engagement_chances(model)
    aware_off, chance_off = _engagement_chances(off)
    assert np.array_equal(aware, aware_off)
    recipient = model.park_state.subsidised[aware]
    assert recipient.any() and (~recipient).any()
    assert np.array_equal(chance_on[~recipient], chance_off[~recipient])
    assert (chance_on[recipient] > chance_off[recipient]).all()


def test_recipients_are_supported_and_non_recipients_are_not():
    model = _model(5)
    _step_to(model, 24)
    s = model.park_state
    m = park_rules.month_start(model, s)
    speed = park_rules.support_speed(model, s, m)
    plain = ~s.coached & (s.role == Role.REGULAR)
    assert (speed[s.subsidised & plain] > 1).all()
    assert (speed[~s.subsidised & plain] == 1).all()


# --- money that adds up ----------------------------------------------------------------------


def test_money_outcomes_add_up():
    for seed in SEEDS:
        model = _model(seed)
        model.run_to_end(twin=False)
        out = model.result().summary()
        sources = [out[f"spent_{k}_meur"] for k in subsidy.SOURCES]
        assert out["spent_total_meur"] == pytest.approx(sum(sources))
        assert all(v >= 0 for v in sources)
        # every grant counted once, none after the programme (here: the horizon)
        n = int(model.park_state.subsidised.sum())
        assert out["spent_total_meur"] == pytest.approx(n * GRANT_MEUR)
        assert out["spent_total_meur"] <= out["funded_total_meur"] + 1e-9
        assert out["labels_per_meur"] == pytest.approx(
            out["labelled_at_horizon"] / out["spent_total_meur"]
        )


def test_the_pots_hold_the_programme_money_formula():
    """With members and partners fixed from the start (green_deal_fixed), the pots receive
    exactly GF · share + provinces' + partners' co-financing over the programme; under the
    decision rule members and partners that join later get only the years left, so the pots
    hold less, and never more of the Growth Fund than its subsidy part."""
    for scenario, exact in (("green_deal_fixed", True), ("baseline", False)):
        model = _model(0, scenario)
        model.run_for(model.params["programme_end_month"])
        p = model.params
        fund = p["growth_fund_meur"] * p["growth_fund_subsidy_share"]
        expected = (
            fund
            + p["province_cofinancing_meur"] * model.province_green_deal.sum()
            + p["municipality_cofinancing_meur"] * model.municipality_partner.sum()
        )
        funded = model.result().funded.sum(axis=0)
        if exact:
            assert funded.sum() == pytest.approx(expected)
            assert funded[0] == pytest.approx(fund)
        else:
            assert 0.5 * expected < funded.sum() < expected
            assert 0.8 * fund < funded[0] <= fund + 1e-9


@pytest.mark.parametrize(
    ("scenario", "same_money_as"),
    [("all_provinces_baseline_money", "baseline"),
     ("baseline_all_provinces_money", "all_provinces")],
)  # fmt: skip
def test_money_comparison_scenarios_hold_the_other_scenarios_money(scenario, same_money_as):
    """The planned money (the Fund's subsidy part, the plan's provinces' and its partners'
    co-financing) of each comparison scenario equals the other scenario's."""

    def money(name: str) -> float:
        p = _model(0, name).params
        return (
            p["growth_fund_meur"] * p["growth_fund_subsidy_share"]
            + p["province_cofinancing_meur"] * p["green_deal_provinces"]
            + p["municipality_cofinancing_meur"] * p["partner_municipalities"]
        )

    assert money(scenario) == pytest.approx(money(same_money_as), rel=1e-9)
    first, other = _model(0, scenario), _model(0, same_money_as)
    assert first.params["green_deal_provinces"] != other.params["green_deal_provinces"]


# --- the money table of a compare experiment (runs/money.py) --------------------------------


def _runs_frame() -> pd.DataFrame:
    """Three scenarios × 4 paired replications with known labels and money."""
    rows = []
    for r in range(4):
        for name, labels, meur in (
            ("baseline", 700 + r, 40.0),
            ("no_programme", 300 + r, 0.0),
            ("more_money", 800 + r, 50.0 + r),
        ):
            row = {"scenario": name, "replication": r, "status": "ok"}
            row.update(labelled_at_horizon=labels, target_met=False, spent_total_meur=meur)
            row.update(spent_growth_fund_meur=meur / 4, spent_provinces_meur=meur / 4,
                       spent_municipalities_meur=meur / 2)  # fmt: skip
            rows.append(row)
    return pd.DataFrame(rows)


def test_money_table_pairs_against_no_programme_and_the_baseline():
    table = money.money_table(_runs_frame()).set_index("scenario")
    base, more = table.loc["baseline"], table.loc["more_money"]
    assert base.effect_per_meur == pytest.approx(400 / 40)
    assert base.cost_per_label_keur == pytest.approx(1e3 * 40 / 400)
    assert more.cost_per_label_keur == pytest.approx(1e3 * 51.5 / 500)
    assert more.cost_per_label_low <= more.cost_per_label_keur <= more.cost_per_label_high
    assert more.delta_labelled_vs_baseline == pytest.approx(100)
    assert more.delta_meur_vs_baseline == pytest.approx(11.5)
    assert more.labels_per_meur == pytest.approx(801.5 / 51.5)
    assert np.isnan(table.loc["no_programme"].cost_per_label_keur)


def test_lever_table_replaces_only_the_marked_part_and_bad_input_writes_nothing(tmp_path, capsys):
    start, end = money.LEVER_TABLE
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{start}\nold\n{end}\nrest\n", encoding="utf-8")
    folder = tmp_path / "compare"
    folder.mkdir()
    _runs_frame().to_parquet(folder / "runs.parquet")
    assert money.main([str(folder), "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("intro\n") and text.endswith("rest\n") and "old" not in text
    assert "| more_money |" in text and "+100" in text
    unmarked = tmp_path / "OTHER.md"
    unmarked.write_text("no markers\n", encoding="utf-8")
    assert money.main([str(folder), "--readme", str(unmarked)]) == 2
    assert unmarked.read_text(encoding="utf-8") == "no markers\n"
    assert money.main([str(tmp_path / "missing"), "--readme", str(readme)]) == 2
    assert readme.read_text(encoding="utf-8") == text
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err)


def test_a_province_that_signs_during_the_year_gets_its_pot_for_the_rest_of_it():
    """Under the decision rule the plan's provinces sign during 2023; one that signs after
    January gets its pot in the month it signs, pro rata for the months left of the year."""
    model = _model(0)
    _step_to(model, 0)
    january = model.province_green_deal.copy()
    assert (model.subsidy.pot.sum(axis=1)[~january] == 0).all()
    _step_to(model, 11)
    later = model.province_green_deal & ~january
    assert later.any()  # seed 0: some of the plan's provinces sign after January
    pots = model.subsidy.pot.sum(axis=1)
    assert (pots[later] > 0).all() and (pots[~model.province_green_deal] == 0).all()
    assert (pots[later] < pots[january].max()).all()  # fewer months left than a January pot
    fund = model.params["growth_fund_meur"] * model.params["growth_fund_subsidy_share"]
    assert 0 < model.subsidy.pot[:, 0].sum() <= fund * 12 / model.params["programme_end_month"]
