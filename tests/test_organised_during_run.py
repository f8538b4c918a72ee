"""The outcome "organised during the run, by type" (`organised_during_run_<kind>`,
model/outcomes.py): parks whose organisation at the end of the run is <kind> and differs from the
one at the start."""

from __future__ import annotations

import dataclasses

import numpy as np

from werklandschap.agents.park import Organisation
from werklandschap.model.model import WerklandschapModel

KINDS = ("association", "park_management", "biz")
NO_ORGANISING = {  # no park can organise in any way during the run
    "association_rate": 0.0,
    "park_management_rate": 0.0,
    "biz_initiative_rate": 0.0,
    "biz_formation_rate": 0.0,
}


def _outcomes(result) -> dict[str, float]:
    summary = result.summary()
    return {kind: summary[f"organised_during_run_{kind}"] for kind in KINDS}


def test_counts_the_parks_that_changed_to_each_type_by_hand():
    """A hand-made start and end: unchanged parks do not count, an association that became a BIZ
    counts as biz, and no start organisation gives NaN."""
    model = WerklandschapModel("baseline", rng=1)
    model.run_for(2)
    result = model.result()
    o = Organisation
    start = np.full(result.organisation.size, o.NONE, result.organisation.dtype)
    end = start.copy()  # every park but the first seven: unorganised throughout
    start[:7] = [o.NONE, o.NONE, o.NONE, o.ASSOCIATION, o.BIZ, o.ASSOCIATION, o.NONE]
    end[:7] = [o.NONE, o.ASSOCIATION, o.BIZ, o.BIZ, o.BIZ, o.ASSOCIATION, o.PARK_MANAGEMENT]
    made = dataclasses.replace(result, initial_organisation=start, organisation=end)
    assert _outcomes(made) == {"association": 1, "park_management": 1, "biz": 2}
    unknown = dataclasses.replace(result, initial_organisation=None)
    assert all(np.isnan(v) for v in _outcomes(unknown).values())


def test_a_baseline_run_organises_parks_and_the_counts_add_up():
    for seed in range(3):
        model = WerklandschapModel("baseline", rng=seed)
        start = model.park_state.organisation.copy()
        result = model.run_to_end(twin=False).result()
        counts = _outcomes(result)
        end = model.park_state.organisation
        assert sum(counts.values()) == np.count_nonzero(end != start)
        assert counts["association"] > 0 and counts["biz"] > 0  # the mechanisms act
        for kind in KINDS:  # each type: parks that end with it and started without it
            org = Organisation[kind.upper()]
            assert counts[kind] == np.count_nonzero((end == org) & (start != org))


def test_nothing_is_organised_when_no_park_can_organise():
    for seed in range(2):
        model = WerklandschapModel("baseline", rng=seed, **NO_ORGANISING)
        assert _outcomes(model.run_to_end(twin=False).result()) == dict.fromkeys(KINDS, 0)
