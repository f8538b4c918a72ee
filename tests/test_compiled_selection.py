"""The kernel's choices (model/compiled_selection.py) against `choose_stimulated` and
`Programme.select`."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from werklandschap.agents.park import Role, Stage
from werklandschap.agents.province import choose_stimulated
from werklandschap.model import compiled
from werklandschap.model import compiled_loop as loop
from werklandschap.model.compiled_selection import RANKED, choose_roles, choose_tranche
from werklandschap.model.compiled_stream import stream_back, stream_of
from werklandschap.model.model import WerklandschapModel, run
from werklandschap.model.scenario import load_scenario

pytestmark = pytest.mark.skipif(not compiled.HAVE_NUMBA, reason="numba not installed")


def kernel_tranche(model: WerklandschapModel, places: int) -> None:
    """`choose_tranche` on the model's own arrays, as `k_months` calls it."""
    s = model.park_state
    _, parks, starts, scores, central = loop._choice_parts(model)[:5]
    stream = stream_of(model.rng)
    aware = choose_tranche(stream, places, model.province_green_deal, parks, starts, s.stage,
                           s.role, s.organisation, scores, central)  # fmt: skip
    stream_back(model.rng, stream)
    s.months_in_stage[aware] = 0
    s.driver[aware] = 0


def state(model: WerklandschapModel) -> tuple:
    s = model.park_state
    return (s.role.tobytes(), s.stage.tobytes(), s.months_in_stage.tobytes(), s.driver.tobytes(),
            str(model.rng.bit_generator.state))  # fmt: skip


def prepared(strategy: str, seed: int, ties: bool) -> WerklandschapModel:
    """A model 20 months in (some parks aware, engaged, transforming, some with roles), with a
    random set of member provinces; `ties`: every criteria score equal (the draws decide)."""
    model = WerklandschapModel("baseline", rng=seed, park_agents=False, collect=False,
                               selection_strategy=strategy)  # fmt: skip
    model.run_for(20)
    pick = np.random.default_rng(seed)
    model.province_green_deal[:] = pick.random(model.data.n_provinces) < 0.6
    s = model.park_state
    if ties:
        for name in ("challenge", "earning_capacity", "ambition", "commitment"):
            getattr(s, name)[:] = 0.25
        s.organisation[:] = 0
    province = int(np.flatnonzero(model.province_green_deal)[0])  # one without candidates
    s.stage[model.data.park_province == province] = Stage.TRANSFORMING
    return model


@pytest.mark.parametrize("strategy", RANKED)
@pytest.mark.parametrize("ties", [False, True], ids=["scores", "ties"])
def test_the_kernels_tranche_is_choose_stimulated(strategy, ties):
    """Same roles, stages, months in stage, drivers and stream after the tranche, for a few
    places, many, and more places than candidates, over several seeds."""
    chosen = 0
    for seed in range(4):
        for places in (7, 150, 5000):
            numpy_model = prepared(strategy, seed, ties)
            kernel_model = copy.deepcopy(numpy_model)
            before = numpy_model.park_state.role.copy()
            choose_stimulated(numpy_model, places)
            kernel_tranche(kernel_model, places)
            assert state(kernel_model) == state(numpy_model), (strategy, seed, places)
            chosen += int((numpy_model.park_state.role != before).sum())
    assert chosen > 1000  # the comparison saw real tranches


def kernel_select(model: WerklandschapModel, role: Role, k: int) -> np.ndarray:
    """`choose_roles` and `Programme.select`'s commitment, as `compiled_loop._select_roles`
    does them."""
    s = model.park_state
    _, parks, starts, scores, central = loop._choice_parts(model)[:5]
    stream = stream_of(model.rng)
    chosen, _ = choose_roles(stream, k, int(role), model.province_package,
                             model.province_green_deal, parks, starts, s.stage, s.role,
                             s.organisation, scores, central)  # fmt: skip
    stream_back(model.rng, stream)
    s.role[chosen] = role
    committing = chosen[s.stage[chosen] < Stage.ENGAGED]
    s.stage[committing] = Stage.ENGAGED
    s.months_in_stage[committing] = 0
    s.driver[committing] = 2  # Driver.PROGRAMME
    return chosen


@pytest.mark.parametrize("strategy", RANKED)
@pytest.mark.parametrize("ties", [False, True], ids=["scores", "ties"])
def test_the_kernels_labs_and_ambassadors_are_programme_select(strategy, ties):
    """The same parks in the same order, the same state and stream, for labs and ambassadors,
    with and without package A and B members (then all members by their parks)."""
    chosen = 0
    for seed in range(4):
        for role, k in ((Role.LIVING_LAB, 4), (Role.AMBASSADOR, 10), (Role.AMBASSADOR, 400)):
            for packages in (True, False):
                numpy_model = prepared(strategy, seed, ties)
                if not packages:
                    numpy_model.province_package[:] = 3  # package C only
                kernel_model = copy.deepcopy(numpy_model)
                expected = numpy_model.programme.select(role, k)
                got = kernel_select(kernel_model, role, k)
                assert np.array_equal(got, expected), (strategy, seed, role, k, packages)
                assert state(kernel_model) == state(numpy_model)
                chosen += expected.size
    assert chosen > 1000


def test_the_comparison_sees_a_wrong_choice():
    """The check above can fail: the kernel's choice with the scores reversed differs."""
    numpy_model = prepared("criteria", 1, False)
    kernel_model = copy.deepcopy(numpy_model)
    s = kernel_model.park_state
    for name in ("challenge", "earning_capacity", "ambition", "commitment"):
        setattr(s, name, 1.0 - getattr(s, name))
    choose_stimulated(numpy_model, 150)
    kernel_tranche(kernel_model, 150)
    assert not np.array_equal(kernel_model.park_state.role, numpy_model.park_state.role)


@pytest.mark.parametrize("strategy", [*RANKED, "random"])
def test_full_runs_are_identical_for_every_selection_strategy(strategy, monkeypatch):
    """`run()` on both cores for every strategy: the ranked ones choose in the kernel, "random"
    in the Python head of the tranche month. Every field of the results, twin included."""
    scenario = load_scenario("baseline").with_params(selection_strategy=strategy)
    results = []
    for core in ("numpy", "compiled"):
        monkeypatch.setenv(compiled.CORE_ENV, core)
        results.append(run(scenario, 4))
    for field in dataclasses.fields(results[0]):
        a, b = (getattr(r, field.name) for r in results)
        same = np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
        assert same, field.name


@pytest.mark.parametrize(("strategy", "stretches"), [("criteria", 2), ("random", 7)])
def test_selection_and_tranche_months_split_a_stretch_only_under_random(strategy, stretches):
    """Baseline: a stretch ends at the programme's end only; under "random" also at the lab
    and ambassador selections and at each of the three tranches (they run in Python)."""
    model = WerklandschapModel("baseline", rng=1, park_agents=False, collect=False,
                               core="compiled", selection_strategy=strategy)  # fmt: skip
    counts = model.run_to_end(twin=False).loop_counts
    assert (counts["stretches"], counts["python"]) == (stretches, 0), counts
