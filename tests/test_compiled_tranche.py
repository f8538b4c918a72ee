"""The tranche inside the month loop (model/compiled_tranche.py) against `choose_stimulated`."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from werklandschap.agents.park import Stage
from werklandschap.agents.province import choose_stimulated
from werklandschap.model import compiled
from werklandschap.model import compiled_loop as loop
from werklandschap.model.compiled_stream import stream_back, stream_of
from werklandschap.model.compiled_tranche import RANKED, choose_tranche
from werklandschap.model.model import WerklandschapModel, run
from werklandschap.model.scenario import load_scenario

pytestmark = pytest.mark.skipif(not compiled.HAVE_NUMBA, reason="numba not installed")


def kernel_tranche(model: WerklandschapModel, places: int) -> None:
    """`choose_tranche` on the model's own arrays, as `k_months` calls it."""
    s = model.park_state
    _, parks, starts, scores, central = loop._tranche_parts(model)
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


@pytest.mark.parametrize(("strategy", "stretches"), [("criteria", 4), ("random", 7)])
def test_tranche_months_split_a_stretch_only_under_random(strategy, stretches):
    """Baseline: a stretch ends at the lab and ambassador selections and the programme's end;
    under "random" also at each of the three tranches (their head runs in Python)."""
    model = WerklandschapModel("baseline", rng=1, park_agents=False, collect=False,
                               core="compiled", selection_strategy=strategy)  # fmt: skip
    counts = model.run_to_end(twin=False).loop_counts
    assert (counts["stretches"], counts["python"]) == (stretches, 0), counts
