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


def test_tipping_month_uses_12_month_windows():
    eng = np.zeros((169, 5), np.int32)
    eng[10, Driver.PROGRAMME] = 14  # programme selections early on
    eng[20:, Driver.PEERS] = 1  # one peer-driven engagement a month from month 20
    # window sums: programme 14 until month 21, then 0; peers 1 at 20 ... so first month with
    # peers > programme is month 22 (programme window [11, 22] no longer holds month 10)
    assert make_result(np.zeros(169, int), engagements=eng).tipping_month() == 22
    eng[:, Driver.PEERS] = 0
    assert math.isnan(make_result(np.zeros(169, int), engagements=eng).tipping_month())


def _sustain(adopters_growth, peer, other, programme_end=108):
    labelled = np.linspace(0, adopters_growth, 169).astype(int)
    eng = np.zeros((169, 5), np.int32)
    eng[145:, Driver.PEERS] = peer
    eng[145:, Driver.INTRINSIC] = other
    return make_result(
        labelled, engagements=eng, programme_end_month=programme_end
    ).self_sustaining()


def test_self_sustaining_needs_growth_and_peer_lead():
    assert _sustain(2000, peer=3, other=1) == 1.0  # grows >5% in the last 24 months, peer-led
    assert _sustain(2000, peer=1, other=3) == 0.0  # grows, but not peer-led
    flat = make_result(np.full(169, 500), engagements=np.zeros((169, 5), np.int32))
    assert flat.self_sustaining() == 0.0
    assert math.isnan(_sustain(2000, 3, 1, programme_end=150))  # support still on in the window


def test_saturation_counts_as_self_sustaining():
    labelled = np.full(169, int(0.95 * N))
    assert make_result(labelled).self_sustaining() == 1.0
