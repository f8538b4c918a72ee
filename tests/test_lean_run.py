"""The lean Python side of a run (issue 14) gives what the plain code gave, draw for draw.

Each shortcut is checked against the plain computation it replaces: the k best by sorting only
the near ones (`selection.best_first`), the per-province selections in one pass
(`choose_parks_in_provinces`), the twin fork's direct copies (`twin._quick_copies`) against a
plain deep copy, and the cached masks and calendars (fresh copies, never shared state).
Whole-run identity is pinned by tests/test_mesa_way.py and tests/test_compiled.py.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from werklandschap.agents import selection, subsidy
from werklandschap.agents.park import Stage
from werklandschap.model.data import national_data, parks_by_province
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.twin import PEER_CHANNELS, fork_without_peers


@pytest.mark.parametrize("seed", range(40))
def test_best_first_is_the_head_of_the_full_sort(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    # many ties in the scores (as network degrees have), and some continuous ones
    score = rng.integers(0, 6, n) / 5.0 if seed % 2 else rng.random(n)
    tie = rng.random(n)
    if seed % 4 == 3:
        tie[: n // 2] = 0.5  # equal tie-breaks too: then index order decides, as in lexsort
    full = np.lexsort((tie, -score))
    for k in sorted({1, 2, 5, n // 2, n - 1, n} - {0}):
        assert np.array_equal(selection.best_first(score, tie, k), full[:k]), (seed, k)


@pytest.mark.parametrize("seed", range(30))
def test_best_in_groups_is_each_groups_head_of_the_full_sort(seed):
    rng = np.random.default_rng(100 + seed)
    sizes = rng.integers(1, 60, int(rng.integers(1, 13)))
    n = int(sizes.sum())
    score = rng.integers(0, 4, n) / 3.0 if seed % 2 else rng.random(n)  # ties, or none
    tie = rng.random(n)
    if seed % 3 == 0:
        tie[::2] = 0.25  # equal tie-breaks: index order decides
    ks = np.array([int(rng.integers(1, size + 1)) for size in sizes])
    got = selection.best_in_groups(score, tie, sizes, ks)
    start = 0
    for size, k, positions in zip(sizes, ks, got, strict=True):
        part = slice(start, start + size)
        want = start + np.lexsort((tie[part], -score[part]))[:k]
        assert np.array_equal(positions, want), (seed, size, k)
        start += size


def model_at(month: int, seed: int = 3, **params) -> WerklandschapModel:
    model = WerklandschapModel(
        "baseline", rng=seed, park_agents=False, collect=False, core="numpy", **params
    )
    model.run_for(month)
    return model


@pytest.mark.parametrize("strategy", ["criteria", "spread", "central", "random"])
def test_choosing_in_all_provinces_at_once_is_choosing_one_by_one(strategy):
    one_pass = model_at(12, selection_strategy=strategy)
    one_by_one = copy.deepcopy(one_pass)
    groups = [g[::3] for g in parks_by_province(national_data())[1]]
    groups[4] = groups[4][:0]  # an empty province draws nothing
    ks = np.array([3, 0, 500, 1, 2, 7, 1, 0, 4, 2, 9, 1])  # 500: more places than candidates
    got = selection.choose_parks_in_provinces(one_pass, groups, ks)
    want = [selection.choose_parks(one_by_one, g, int(k)) for g, k in zip(groups, ks, strict=True)]
    assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(got, want, strict=True))
    # the same draws were taken: the generators go on alike
    assert one_pass.rng.bit_generator.state == one_by_one.rng.bit_generator.state


def plain_fork(model: WerklandschapModel) -> WerklandschapModel:
    """The fork as it was: a deep copy sharing data, network and scenario only."""
    shared = {id(x): x for x in (model.data, model.network, model.settings)}
    twin = copy.deepcopy(model, memo=shared)
    twin.params.update(dict.fromkeys(PEER_CHANNELS, 0.0))
    twin.datacollector = None
    return twin


@pytest.mark.parametrize("core", ["numpy", "compiled"])
def test_the_quick_fork_runs_as_a_plain_deep_copy(core):
    model = WerklandschapModel("baseline", rng=5, park_agents=False, collect=False, core=core)
    model.run_for(model.params["programme_end_month"])
    model.rng.random()  # a buffered half of a 32-bit draw is part of the state too
    model.rng.integers(0, 10, dtype=np.int32)
    quick, plain = fork_without_peers(model), plain_fork(model)
    assert quick.rng.bit_generator.state == plain.rng.bit_generator.state
    assert quick.random.getstate() == plain.random.getstate()
    quick.run_to_end(twin=False)
    plain.run_to_end(twin=False)
    assert np.array_equal(quick._stage_counts, plain._stage_counts)
    assert np.array_equal(quick._credit, plain._credit)
    assert np.array_equal(quick.park_state.stage, plain.park_state.stage)


def test_the_quick_fork_shares_no_state_with_its_original():
    model = model_at(24)
    before = model.rng.bit_generator.state
    twin = fork_without_peers(model)
    assert twin.params is not model.params and twin.params["peer_weight"] == 0.0
    assert model.params["peer_weight"] > 0.0
    assert twin.twins is not model.twins and twin.twins == model.twins
    assert twin.park_state is not model.park_state
    assert twin.programme.model is twin and twin.random is not model.random
    for name, array in vars(model.park_state).items():
        other = getattr(twin.park_state, name)
        assert other is not array and np.array_equal(other, array), name
    twin.park_state.stage[:] = Stage.LABELLED
    twin.rng.random(10)
    twin.random.random()
    assert not (model.park_state.stage == Stage.LABELLED).all()
    assert model.rng.bit_generator.state == before
    assert twin.data is model.data and twin.network is model.network


def test_source_shares_are_the_pots_split():
    pot = np.array([[2.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.0, 3.0, 0.0]])
    shares = subsidy.source_shares(pot)
    assert np.array_equal(shares, [[0.5, 0.25, 0.25], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    rng = np.random.default_rng(1)
    for _ in range(20):
        pot = rng.random((12, 3)) * (rng.random((12, 1)) < 0.6)
        total = pot.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            plain = np.where(total[:, None] > 0, pot / total[:, None], 0.0)
        assert subsidy.source_shares(pot).tobytes() == plain.tobytes()


def test_cached_masks_and_calendars_are_the_models_own():
    a = WerklandschapModel("green_deal_fixed", rng=1, park_agents=False, collect=False)
    mask = a._initial_green_deal()
    assert mask.sum() == len(a.settings.green_deal_names()) > 0
    mask[:] = False  # a caller's copy: the next model sees the plan unchanged
    a.tranche_months.clear()
    b = WerklandschapModel("green_deal_fixed", rng=1, park_agents=False, collect=False)
    assert b._initial_green_deal().sum() == len(b.settings.green_deal_names())
    assert sum(b.tranche_months.values()) == b.params["n_stimulated"]
    with pytest.raises(KeyError, match="unknown province"):
        from werklandschap.model.model import _province_mask

        _province_mask(national_data().province_name, ("Atlantis",))


def test_a_scenario_file_is_parsed_once_per_text(tmp_path):
    from werklandschap.model.scenario import ScenarioError, load_scenario

    assert load_scenario("baseline") is load_scenario("baseline")
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nparameters:\n  n_stimulated: 300\n")
    first = load_scenario(path)
    assert load_scenario(path) is first and first.n_stimulated == 300
    path.write_text("name: s\nparameters:\n  n_stimulated: 301\n")  # edited: read anew
    assert load_scenario(path).n_stimulated == 301
    path.write_text("name: s\nparameters:\n  n_stimulatd: 301\n")  # broken: an error each time
    for _ in range(2):
        with pytest.raises(ScenarioError, match="n_stimulatd"):
            load_scenario(path)


def test_labelled_shares_by_organisation_are_the_plain_shares():
    import dataclasses

    from werklandschap.agents.park import Organisation
    from werklandschap.model.model import run
    from werklandschap.model.outcomes import _share

    result = run("baseline", 2)
    rng = np.random.default_rng(0)
    for start in (result.initial_organisation, rng.integers(0, 3, result.role.size)):
        r = dataclasses.replace(result, initial_organisation=start.astype(np.int8))
        at_horizon = r.stage_at_horizon == Stage.LABELLED
        got = r.summary()
        for org in Organisation:
            want = _share(at_horizon, r.initial_organisation == org)
            key = f"labelled_share_org_{org.name.lower()}"
            assert got[key] == want or (np.isnan(got[key]) and np.isnan(want)), key


def plain_lab_progress(s, labs: np.ndarray) -> float:
    """`Programme.lab_progress` as one array expression (as it was)."""
    stage = s.stage[labs]
    done = (s.finished_month[labs] >= 0) | (stage == Stage.LABELLED)
    duration = s.duration[labs]
    fraction = np.divide(s.progress[labs], duration, out=np.ones(labs.size), where=duration > 0)
    share = np.where(stage == Stage.TRANSFORMING, np.clip(fraction, 0.0, 1.0), 0.0)
    return float(np.where(done, 1.0, share).mean())


@pytest.mark.parametrize("seed", range(10))
def test_lab_progress_per_lab_is_the_array_expression(seed):
    model = model_at(30, seed=seed)
    s, rng = model.park_state, np.random.default_rng(seed)
    s.stage[:] = rng.integers(0, 5, s.stage.size)
    s.finished_month[:] = np.where(rng.random(s.stage.size) < 0.3, 5, -1)
    s.progress[:] = rng.random(s.stage.size) * 40 - 2  # some negative, some past the duration
    s.duration[rng.random(s.stage.size) < 0.1] = 0.0
    for size in (1, 3, 4, 7, 16):
        labs = rng.choice(s.stage.size, size, replace=False)
        model.programme.labs = labs
        assert model.programme.lab_progress() == plain_lab_progress(s, labs), size
