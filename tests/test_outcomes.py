"""Outcome definitions (model/outcomes.py) on constructed time series."""

from __future__ import annotations

import math

import numpy as np

from werklandschap.agents.park import Driver, Stage
from werklandschap.model.outcomes import RunResult
from werklandschap.model.parameters import DEFAULTS

N = 3646


def make_result(labelled, engaged=None, engagements=None, **params):
    months = len(labelled) - 1
    stages = np.zeros((months + 1, 5), np.int32)
    stages[:, Stage.LABELLED] = labelled
    stages[:, Stage.ENGAGED] = engaged if engaged is not None else 0
    stages[:, Stage.UNAWARE] = N - stages.sum(axis=1)
    eng = np.zeros((months + 1, 5), np.int32) if engagements is None else engagements
    final = np.zeros(N, np.int8)
    final[: labelled[-1]] = Stage.LABELLED
    return RunResult(
        scenario="t",
        params={**DEFAULTS, **params},
        seed=0,
        months=months,
        province_names=("A",),
        stage_counts=stages,
        province_stages=stages[:, None, :],
        engagements=eng,
        maturity=np.zeros(months + 1),
        label_available=np.ones(months + 1, bool),
        green_deal_provinces=np.zeros(months + 1),
        stage_at_horizon=final,
        final_stage=final,
        role=np.zeros(N, np.int8),
        organisation=np.zeros(N, np.int8),
        park_province=np.zeros(N, np.int32),
        initial_green_deal=np.array([True]),
    )


def test_target_met_and_month_reached():
    labelled = np.minimum(np.arange(169) * 10, 3000)
    s = make_result(labelled).summary()
    assert s["labelled_at_horizon"] == 1080
    assert s["target_met"]
    assert s["month_target_reached"] == 100


def test_target_never_reached_is_censored():
    s = make_result(np.arange(169)).summary()
    assert not s["target_met"]
    assert math.isnan(s["month_target_reached"])


def test_target_reached_only_after_the_horizon():
    s = make_result(np.arange(169) * 7).summary()
    assert not s["target_met"]
    assert s["month_target_reached"] == 143  # 7 * 143 = 1001


def with_twin(labelled, twin_labelled, monthly_engagements, fork=108):
    """A constructed run with a no-peers twin forked at `fork` (ODD §7.9)."""
    labelled = np.asarray(labelled)
    eng = np.zeros((labelled.size, 5), np.int32)
    eng[:, Driver.INTRINSIC] = monthly_engagements
    result = make_result(labelled, engagements=eng, programme_end_month=fork)
    return RunResult(**{**result.__dict__, "twin_labelled": np.asarray(twin_labelled)[fork:]})


def growth_after(fork, level, slope, months=169):
    """Labelled parks: `level` until `fork`, then + `slope` per month."""
    t = np.arange(months)
    return level + slope * np.clip(t - fork, 0, None)


def test_peer_carried_share_is_the_growth_the_twin_lacks():
    own, twin = growth_after(108, 800, 10), growth_after(108, 800, 3)
    s = with_twin(own, twin, monthly_engagements=5).summary()
    assert s["peer_carried_share"] == (600 - 180) / 600  # 60 months of growth
    assert s["engagement_trend"] == 1.0
    assert s["self_sustaining"] == 1.0
    assert s["tipping_month"] == 109  # the twin lacks 70% from the first month on


def test_not_self_sustaining_when_the_twin_grows_as_much():
    own = growth_after(108, 800, 10)
    s = with_twin(own, own, monthly_engagements=5).summary()
    assert s["peer_carried_share"] == 0.0
    assert s["self_sustaining"] == 0.0 and math.isnan(s["tipping_month"])


def test_not_self_sustaining_when_engagements_decline():
    own, twin = growth_after(108, 800, 10), growth_after(108, 800, 0)
    engagements = np.where(np.arange(169) < 130, 10, 2)  # last 12 months: 2 a month
    s = with_twin(own, twin, engagements).summary()
    assert s["peer_carried_share"] == 1.0
    assert s["engagement_trend"] == 0.2
    assert s["self_sustaining"] == 0.0 and math.isnan(s["tipping_month"])


def test_thresholds_are_parameters():
    own, twin = growth_after(108, 800, 10), growth_after(108, 800, 6)  # peers carry 40%
    engagements = 5
    result = with_twin(own, twin, engagements)
    assert result.summary()["self_sustaining"] == 0.0  # default threshold 0.5
    lower = RunResult(**{**result.__dict__, "params": {**result.params, "sustain_peer_share": 0.3}})
    assert lower.summary()["self_sustaining"] == 1.0


def test_tipping_month_is_when_the_peer_carried_share_holds():
    # the twin keeps pace for 20 months, then stops: the share reaches 0.5 at month 108 + 40
    own = growth_after(108, 800, 10)
    twin = np.minimum(own, 800 + 200)
    s = with_twin(own, twin, monthly_engagements=5).summary()
    assert s["self_sustaining"] == 1.0
    assert s["tipping_month"] == 148


def test_no_twin_no_judgement():
    s = make_result(np.arange(169)).summary()
    assert math.isnan(s["self_sustaining"]) and math.isnan(s["peer_carried_share"])
    assert math.isnan(s["tipping_month"])
    flat = with_twin(np.full(169, 500), np.full(169, 500), monthly_engagements=0).summary()
    assert flat["self_sustaining"] == 0.0  # no growth: not self-sustaining
    assert math.isnan(flat["peer_carried_share"])
