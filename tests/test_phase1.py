"""Phase-1 selection check (verification/phase1.py)."""

from __future__ import annotations

import numpy as np

from werklandschap.agents.selection import criteria_score
from werklandschap.model import seeds
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.scenario import load_scenario
from werklandschap.verification import phase1


def test_ranks_in_group_count_better_parks_of_the_same_group_only():
    score = np.array([0.9, 0.1, 0.5, 0.95, 0.7])
    group = np.array([0, 0, 0, 1, 0])
    # Park 2 (0.5): parks 0 (0.9) and 4 (0.7) of group 0 score higher; park 3 is in group 1.
    assert list(phase1.ranks_in_group(score, group, np.array([2, 0, 3, 1]))) == [3, 1, 1, 4]


def test_check_reports_the_three_utrecht_parks_and_matches_a_direct_rank():
    table = phase1.phase1_check(draws=3, seed=11)
    assert set(table["rin"]) == {155053, 155006, 4944}
    assert (table["province"] == "Utrecht").all()
    n = int(table["province_parks"].iloc[0])
    assert ((table["median_rank"] >= 1) & (table["median_rank"] <= n)).all()
    # The rank of draw 0 computed by hand equals the module's rank for that draw alone.
    model = WerklandschapModel(load_scenario("baseline"), rng=seeds.replication(11, 0))
    score = criteria_score(model)
    lage_weide = int(np.flatnonzero(model.data.park_id == 155053)[0])
    utrecht = model.park_province == model.park_province[lage_weide]
    by_hand = 1 + int(np.sum(score[utrecht] > score[lage_weide]))
    single = phase1.phase1_check(draws=1, seed=11)
    assert single.loc[single["rin"] == 155053, "median_rank"].item() == by_hand
    assert "phase-1 parks" in phase1.markdown(table)


def test_percentiles_over_many_draws_are_stable():
    a = phase1.phase1_check(draws=40, seed=1)["median_percentile"].to_numpy()
    b = phase1.phase1_check(draws=40, seed=2)["median_percentile"].to_numpy()
    # Two independent sets of 40 populations: median percentiles within 15 points.
    assert np.all(np.abs(a - b) < 15)
