"""Invariants under random parameter settings (hypothesis), checked month by month."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from werklandschap import WerklandschapModel
from werklandschap.agents.park import Stage
from werklandschap.model.parameters import PARAMETERS
from werklandschap.model.scenario import make_scenario

SAMPLED = [p for p in PARAMETERS if p.kind != "structural" and (p.range or p.choices)]


@st.composite
def scenarios(draw):
    values = {}
    for p in SAMPLED:
        if p.choices:
            values[p.name] = draw(st.sampled_from(p.choices))
        elif p.type is int:
            values[p.name] = draw(st.integers(int(p.range[0]), int(p.range[1])))
        else:
            values[p.name] = draw(st.floats(p.range[0], p.range[1], allow_nan=False))
    total = values["share_biz"] + values["share_park_management"] + values["share_association"]
    if total > 1:
        values["share_association"] = max(
            0.0, 1 - values["share_biz"] - values["share_park_management"]
        )
    values["horizon_months"] = draw(st.integers(24, 72))
    values["after_horizon_months"] = draw(st.integers(0, 24))
    return make_scenario("hypothesis", values)


ALLOWED_BACKWARDS = {(Stage.ENGAGED, Stage.AWARE), (Stage.TRANSFORMING, Stage.AWARE)}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**31 - 1))
def test_invariants_hold_every_month(scenario, seed):
    model = WerklandschapModel(scenario, rng=seed)
    n = model.data.n_parks
    previous = model.park_state.stage.copy()
    for _ in range(model.months):
        model.step()
        stage = model.park_state.stage
        # only allowed transitions: forward, or stalling from engaged/transforming to aware
        back = stage < previous
        pairs = set(zip(previous[back].tolist(), stage[back].tolist(), strict=True))
        assert pairs <= ALLOWED_BACKWARDS, pairs
        # labelled parks stay labelled
        assert (stage[previous == Stage.LABELLED] == Stage.LABELLED).all()
        previous = stage.copy()
    r = model.result()
    assert (r.stage_counts.sum(axis=1) == n).all()
    assert (np.diff(r.labelled) >= 0).all()
    assert np.array_equal(r.province_stages.sum(axis=1), r.stage_counts)
    assert (r.engagements >= 0).all()
    assert ((r.maturity >= 0) & (r.maturity <= 1)).all()
