"""The compiled core (model/compiled.py) gives results identical to the numpy rules.

Identity, not tolerance: every array of the `RunResult` must be equal (same dtype, same values)
between `core="numpy"` and `core="compiled"`, for every shipped scenario (a horizon past the first
event months), one full run with its no-peers twin, and ten points of the Morris design (the
uncertainties over their whole ranges). The switch and the first-run notice are checked too.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import os
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from werklandschap.experiments import design
from werklandschap.experiments.spec import load_experiment
from werklandschap.model import compiled
from werklandschap.model.model import WerklandschapModel, run
from werklandschap.model.outcomes import RunResult
from werklandschap.model.scenario import load_scenario, shipped_scenarios

pytestmark = pytest.mark.skipif(not compiled.HAVE_NUMBA, reason="numba not installed")

ROOT = Path(__file__).resolve().parents[1]
SHORT = 40  # months: past the first tranches and the label's start in every shipped scenario


def result(scenario, seed: int, core: str, months: int | None = None) -> RunResult:
    model = WerklandschapModel(scenario, rng=seed, park_agents=False, collect=False, core=core)
    return (model.run_for(months) or model).result() if months else model.run_to_end().result()


def differences(a: RunResult, b: RunResult) -> list[str]:
    """Names of the fields of two results that are not identical."""
    bad = []
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if x is None or y is None or x.dtype != y.dtype or not np.array_equal(x, y):
                bad.append(field.name)
        elif x != y:
            bad.append(field.name)
    return bad


@pytest.mark.parametrize("name", shipped_scenarios())
def test_every_shipped_scenario_is_identical_on_both_cores(name):
    for seed in (1, 2):
        numpy_result = result(name, seed, "numpy", SHORT)
        assert differences(numpy_result, result(name, seed, "compiled", SHORT)) == [], name


def test_a_full_run_with_its_twin_is_identical_on_both_cores():
    numpy_result = result("baseline", 7, "numpy")
    assert numpy_result.twin_labelled is not None
    assert differences(numpy_result, result("baseline", 7, "compiled")) == []


def test_a_morris_design_sample_is_identical_on_both_cores():
    _, tasks, _ = design.build_design(load_experiment(ROOT / "experiments" / "morris.yaml"))
    step = max(1, len(tasks) // 10)
    for task in tasks[::step][:10]:
        a = result(task.scenario, task.seed, "numpy", 60)
        assert differences(a, result(task.scenario, task.seed, "compiled", 60)) == [], task.run_id


def full_run(scenario, seed: int, core: str, monkeypatch) -> RunResult:
    """`run(scenario, seed)` (the batch path: the month loop on the compiled core)."""
    monkeypatch.setenv(compiled.CORE_ENV, core)
    return run(scenario, seed)


@pytest.mark.parametrize(
    "name", ["realised", "early_regulation", "all_provinces", "no_programme", "late_joiners"]
)
def test_full_runs_through_the_month_loop_are_identical_on_both_cores(name, monkeypatch):
    """`run()` on the compiled core (stretches of months in one call, Python months at events
    and breaks) gives the numpy reference's result, twin included, over the whole run."""
    numpy_result = full_run(name, 3, "numpy", monkeypatch)
    assert differences(numpy_result, full_run(name, 3, "compiled", monkeypatch)) == [], name


@pytest.mark.slow
@pytest.mark.parametrize("name", shipped_scenarios())
def test_every_shipped_scenario_runs_identically_to_its_end(name, monkeypatch):
    for seed in (1, 2):
        numpy_result = full_run(name, seed, "numpy", monkeypatch)
        assert differences(numpy_result, full_run(name, seed, "compiled", monkeypatch)) == []


def test_a_sobol_design_sample_is_identical_on_both_cores(monkeypatch):
    """Points of experiments/sobol.yaml (its factors over their ranges; a small N), full runs."""
    spec = load_experiment(ROOT / "experiments" / "sobol.yaml")
    small = dataclasses.replace(spec, options={**spec.options, "n": 8})
    _, tasks, _ = design.build_design(small)
    for task in tasks[:: len(tasks) // 5][:5]:
        a = full_run(task.scenario, task.seed, "numpy", monkeypatch)
        b = full_run(task.scenario, task.seed, "compiled", monkeypatch)
        assert differences(a, b) == [], task.run_id


def loop_counts(scenario="baseline", seed: int = 1, **params) -> dict[str, int]:
    model = WerklandschapModel(scenario, rng=seed, park_agents=False, collect=False,
                               core="compiled", **params)  # fmt: skip
    return model.run_to_end(twin=False).loop_counts


def test_the_month_loop_runs_most_months_compiled():
    """The batch path really runs stretches: far fewer Python months than months (this fails
    if the loop silently falls back to the per-month path)."""
    counts = loop_counts()
    assert counts["python"] + counts["compiled"] == 168
    assert counts["compiled"] >= 160 and counts["python"] <= 5, counts
    assert counts["stretches"] == 2, counts  # one to the programme's end, one after it


def test_a_breaking_month_is_rerun_the_python_way(monkeypatch):
    """Under the realised history a province's own signing is a break (its package may be
    reserved: `package_for` stays Python): the kernel stops before the month changes
    anything, the stream moves back by the uniforms drawn, the month runs the Python way."""
    counts = loop_counts("realised", 2)
    assert counts["breaks"] >= 3, counts
    numpy_result = full_run("realised", 2, "numpy", monkeypatch)
    assert differences(numpy_result, full_run("realised", 2, "compiled", monkeypatch)) == []


def test_provinces_signing_inside_a_stretch_are_identical(monkeypatch):
    """Without a realised history provinces sign inside the kernel (package, pot for the rest of
    the year, what members get, the signing hazards of the new members): most signatures fall
    inside stretches, which go on after them; identical results."""
    scenario = load_scenario("baseline").with_params(green_deal_plan_rate=0.02)
    model = WerklandschapModel(scenario, rng=4, park_agents=False, collect=False,
                               core="compiled").run_to_end(twin=False)  # fmt: skip
    months = set(model.province_join_month[model.province_join_month >= 0].tolist())
    p, counts = model.params, model.loop_counts
    starts = {0, p["programme_end_month"]}  # the kernel selects the labs, ambassadors, tranches
    assert len(months - starts) >= 3, months  # signatures inside stretches ...
    assert counts["stretches"] == len(starts) and counts["breaks"] == 0, counts  # ... go on
    numpy_result = full_run(scenario, 4, "numpy", monkeypatch)
    assert differences(numpy_result, full_run(scenario, 4, "compiled", monkeypatch)) == []


@pytest.mark.parametrize("when", ["lab_selection_month", "ambassador_selection_month"])
def test_a_break_in_a_selection_month_undoes_the_selections(when, monkeypatch):
    """The kernel selects first in the month; when it breaks in that month (here: the late
    join, at once, in the selection month), it undoes the selections (state, counts, records;
    the stream moves back by their uniforms too) and the whole month runs the Python way."""
    scenario = load_scenario("baseline").with_params(**{when: 0, "late_join_share": 0.0})
    assert loop_counts(scenario, 5)["breaks"] == 1
    numpy_result = full_run(scenario, 5, "numpy", monkeypatch)
    assert differences(numpy_result, full_run(scenario, 5, "compiled", monkeypatch)) == []


@pytest.mark.parametrize("name", ["baseline", "realised", "late_joiners", "early_regulation"])
def test_the_state_after_a_run_is_identical_on_both_cores(name):
    """Beyond the `RunResult`: the programme's label month and route, the governments' arrays,
    the subsidy book, the month's context and the random stream where each core leaves them."""
    models = []
    for core in ("numpy", "compiled"):
        model = WerklandschapModel(name, rng=8, park_agents=False, collect=False, core=core)
        models.append(model.run_to_end(twin=False))
    a, b = models
    for attribute in ("label_month", "label_route", "late_join_month", "maturity"):
        assert getattr(a.programme, attribute) == getattr(b.programme, attribute), attribute
    assert a.programme._certification_credit == b.programme._certification_credit
    arrays = (
        "province_green_deal", "province_package", "province_join_month", "municipality_partner",
        "municipality_partner_month", "regulation_adopted", "regulation_adoption_month",
        "municipality_regulated", "province_budget", "_capacity_during", "_capacity_after",
    )  # fmt: skip
    for attribute in arrays:
        assert np.array_equal(getattr(a, attribute), getattr(b, attribute)), attribute
    for attribute in ("applied_month", "tie", "pot", "spent_this_year", "funded"):
        assert np.array_equal(getattr(a.subsidy, attribute), getattr(b.subsidy, attribute))
    for field in dataclasses.fields(a.park_state):
        x, y = getattr(a.park_state, field.name), getattr(b.park_state, field.name)
        assert np.array_equal(x, y), field.name
    for field in dataclasses.fields(a.context):
        x, y = getattr(a.context, field.name), getattr(b.context, field.name)
        assert np.array_equal(x, y), field.name
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    assert (a.time, a.month, a.running, a.regulation_on) == (b.time, b.month, b.running,
                                                             b.regulation_on)  # fmt: skip


def test_the_label_arriving_in_a_tranche_month_is_identical(monkeypatch):
    """The label's fallback date falls in a tranche month: the kernel publishes it in the
    month it chooses the tranche (and under "random", whose tranche month runs its head in
    Python before the kernel runs the rest of it, it is taken there)."""
    base = load_scenario("baseline")
    scenario = base.with_params(label_fallback_month=base.params["stimulation_start_month"])
    for strategy in ("criteria", "random"):
        chosen = scenario.with_params(selection_strategy=strategy)
        assert loop_counts(chosen, 6)["python"] == 0
        numpy_result = full_run(chosen, 6, "numpy", monkeypatch)
        assert differences(numpy_result, full_run(chosen, 6, "compiled", monkeypatch)) == []


def test_the_month_loop_declines_where_it_cannot_go():
    """Per-month path (no loop counts) with a data collector, on the mean field and on the
    numpy core; the Mesa protocol (time, steps) is kept by the loop."""
    for options in ({"collect": True}, {"network_model": "mean_field"}, {"core": "numpy"}):
        kwargs = {"park_agents": False, "collect": False, "core": "compiled", **options}
        model = WerklandschapModel("baseline", rng=1, **kwargs)
        model.run_to_end(twin=False)
        assert not hasattr(model, "loop_counts"), options
    model = WerklandschapModel("baseline", rng=1, park_agents=False, collect=False)
    model.run_to_end(twin=False)
    assert (model.time, model.steps, model.month, model.running) == (168, 168, 167, False)
    model.step()  # stepping on past the end: Mesa's event loop goes on from the right month
    assert (model.time, model.month) == (169, 168)


@pytest.mark.parametrize("views", [True, False], ids=["view", "copy"])
def test_the_stream_draws_numpys_uniforms(monkeypatch, views):
    """`stream.random()` in a kernel gives the Generator's uniforms, and the state it leaves
    (stepped in place on a view of numpy's state, or written back from a copy) continues
    numpy's stream (the loop's kernels draw this way)."""
    from werklandschap.model import compiled_stream
    from werklandschap.model.compiled_stream import stream_back, stream_of

    @compiled.numba.njit
    def draw(stream, k):
        out = np.empty(k)
        for j in range(k):
            out[j] = stream.random()
        return out

    stream_of(np.random.default_rng(0))  # the once-per-process check of numpy's layout
    if views:
        assert compiled_stream._VIEWS_WORK[0], "numpy's PCG64 state is not the stream's layout"
    monkeypatch.setattr(compiled_stream, "_VIEWS_WORK", [views])
    rng, twin = np.random.default_rng(11), np.random.default_rng(11)
    twin.random(3)
    rng.random(3)
    rng.integers(0, 2**31, dtype=np.uint32)  # a buffered 32-bit half, which must survive
    twin.integers(0, 2**31, dtype=np.uint32)
    stream = stream_of(rng)
    assert stream.flags.owndata is not views
    assert np.array_equal(draw(stream, 100_000), twin.random(100_000))
    stream_back(rng, stream)
    assert np.array_equal(rng.random(10), twin.random(10))
    assert np.array_equal(rng.integers(0, 2**31, 5, dtype=np.uint32),
                          twin.integers(0, 2**31, 5, dtype=np.uint32))  # fmt: skip
    assert stream_of(np.random.Generator(np.random.MT19937(1))) is None
    orphan = stream_of(np.random.default_rng(12))  # its Generator is gone at once
    gc.collect()
    assert np.array_equal(draw(orphan, 5), np.random.default_rng(12).random(5))


def test_the_kernels_logistic_is_scipys_expit():
    """The January decisions on the rule compare u with scipy's `expit` on the Python path and
    with 1 / (1 + exp(-x)) in the kernel: the same numbers (the C library's exp)."""
    from scipy.special import expit

    @compiled.numba.njit
    def logistic(x):
        out = np.empty(x.size)
        for j in range(x.size):
            out[j] = 1.0 / (1.0 + math.exp(-x[j]))
        return out

    x = np.random.default_rng(2).normal(0.0, 4.0, 200_000)
    assert np.array_equal(logistic(x), expit(x))


def kernels() -> dict[str, object]:
    return {
        f"{module.__name__}.{name}": k
        for module in compiled.KERNEL_MODULES
        for name, k in vars(module).items()
        if name.startswith("k_")
    }


def test_warm_up_compiles_every_kernel_any_scenario_needs():
    """After `warm_up` no shipped scenario compiles a kernel again (no pause inside a run)."""
    compiled.warm_up()
    before = {name: len(k.signatures) for name, k in kernels().items()}
    assert len(before) >= 14, before  # both kernel modules are seen
    graph_only = ("k_graph_share", "k_graph_halves")  # per-rule shares: the fused month has its own
    assert all(n >= 1 for name, n in before.items() if not name.endswith(graph_only)), before
    for name in shipped_scenarios():
        result(name, 1, "compiled", SHORT)
        result(name, 1, "compiled")  # the month loop (batch path) too
    assert {name: len(k.signatures) for name, k in kernels().items()} == before


def test_the_comparison_can_fail():
    """A one-park change in a result is a difference (the identity check is not vacuous)."""
    a = result("baseline", 3, "compiled", 12)
    b = dataclasses.replace(a, final_stage=a.final_stage.copy())
    b.final_stage[0] = (b.final_stage[0] + 1) % 5
    assert differences(a, b) == ["final_stage"]
    assert differences(a, result("baseline", 4, "compiled", 12)) != []


@pytest.mark.parametrize("rule", sorted(compiled.TWINS))
def test_removing_a_twin_keeps_the_results(rule, monkeypatch):
    """Each twin alone is exchangeable with its numpy rule (draws included); the per-rule twins
    of the park step are checked without the fused month, which would otherwise replace them."""
    reference = result("double_stimulated", 5, "compiled", 30)
    monkeypatch.delitem(compiled.TWINS, rule)
    if rule != "park_month":
        monkeypatch.delitem(compiled.TWINS, "park_month")
    assert differences(reference, result("double_stimulated", 5, "compiled", 30)) == []


def test_the_fused_month_runs_on_the_park_graph_only(monkeypatch):
    """The fused month does the whole park step on the park graph (no per-rule twin is called)
    and declines the mean field (where the per-rule twins run)."""
    calls = []
    graph = WerklandschapModel("baseline", rng=3, park_agents=False, core="compiled")
    for name in ("awareness", "engagement", "organisation", "planning", "stalling"):
        monkeypatch.setitem(compiled.TWINS, name, lambda *a, _n=name: calls.append(_n))
    graph.run_for(3)
    assert calls == [] and graph.park_state.stage.any()
    monkeypatch.undo()
    mean_field = WerklandschapModel("baseline", rng=3, park_agents=False, core="compiled",
                                    network_model="mean_field")  # fmt: skip
    mean_field.run_for(1)
    assert compiled.compiled_fused.park_month(mean_field, mean_field.park_state) is False


def _odd_graph(network, kind: str):
    """The park graph with weights 1/2 and 1 ("weighted": the float sums run) or with one
    direction of some ties removed ("asymmetric": the pulled integer sums run)."""
    a = network.adjacency.copy()
    if kind == "weighted":
        a.data = np.where(np.arange(a.data.size) % 3 == 0, 0.5, 1.0)
    else:
        a = sp.csr_matrix(sp.triu(a, k=1) + sp.tril(a, k=-1).multiply(np.arange(a.shape[0]) % 2))
    return dataclasses.replace(network, adjacency=a)


@pytest.mark.parametrize("kind", ["weighted", "asymmetric"])
def test_other_park_graphs_are_identical_on_both_cores(kind):
    """The fused month's other share paths (float sums; integer sums pulled, not pushed)."""
    results = []
    for core in ("numpy", "compiled"):
        model = WerklandschapModel("baseline", rng=4, park_agents=False, collect=False, core=core)
        model.network = _odd_graph(model.network, kind)
        assert compiled.compiled_fused._graph(model.network)[6:8] == (
            (False, False) if kind == "weighted" else (True, False)
        )
        model.run_for(SHORT)
        results.append(model.result())
    assert differences(*results) == []


def test_the_mean_field_network_is_identical_on_both_cores():
    scenario = "baseline"
    a = WerklandschapModel(scenario, rng=3, park_agents=False, core="numpy",
                           network_model="mean_field")  # fmt: skip
    b = WerklandschapModel(scenario, rng=3, park_agents=False, core="compiled",
                           network_model="mean_field")  # fmt: skip
    a.run_for(SHORT)
    b.run_for(SHORT)
    assert differences(a.result(), b.result()) == []


def test_the_switch(monkeypatch):
    monkeypatch.setenv(compiled.CORE_ENV, "numpy")
    assert WerklandschapModel("baseline", rng=1, park_agents=False).twins == {}
    assert WerklandschapModel("baseline", rng=1, park_agents=False, core="compiled").twins
    monkeypatch.delenv(compiled.CORE_ENV)
    assert WerklandschapModel("baseline", rng=1, park_agents=False).twins is compiled.TWINS
    with pytest.raises(ValueError, match="WERKLANDSCHAP_CORE"):
        compiled.core_name("fortran")
    monkeypatch.setattr(compiled, "HAVE_NUMBA", False)  # numba missing: numpy, no error
    assert compiled.core_name("compiled") == "numpy"
    assert WerklandschapModel("baseline", rng=1, park_agents=False).twins == {}


def test_a_cold_cache_prints_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(compiled, "_WARM", False)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))  # empty: nothing cached
    assert not compiled._cached()
    compiled.warm_up()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("compiling the model core (first run only")
    compiled.warm_up()  # warm: silent
    assert capsys.readouterr().err == ""


def test_an_older_cache_without_the_fused_kernels_counts_as_cold(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    (tmp_path / "compiled.k_month_start-1.py312.nbi").write_text("")  # an older version's
    assert not compiled._cached()
    for module in ("compiled_parks", "compiled_fused", "compiled_government", "compiled_loop"):
        (tmp_path / f"{module}.k_x-1.py312.nbi").write_text("")
    assert compiled._cached()


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "n"))
    assert compiled.cache_dir() == tmp_path / "n"
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compiled.cache_dir() == tmp_path / "werklandschap" / "numba" / compiled.kernel_digest()


def test_the_cache_folder_changes_with_any_source_a_kernel_compiles_in(tmp_path):
    """numba validates a cached kernel by its own file only: a kernel whose callee (another
    file) or constant (agents/) changed would run stale, so the folder is named by them all."""
    for name in ("model/compiled_loop.py", "model/compiled_fused.py", "agents/park.py",
                 "model/outcomes.py"):  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"# {name}\n")
    first = compiled.kernel_digest(tmp_path)
    (tmp_path / "model/outcomes.py").write_text("# not compiled in\n")
    assert compiled.kernel_digest(tmp_path) == first
    for name in ("model/compiled_fused.py", "agents/park.py"):
        before = compiled.kernel_digest(tmp_path)
        (tmp_path / name).write_text("# changed\n")
        assert compiled.kernel_digest(tmp_path) != before, name


def test_only_old_marked_kernel_folders_are_pruned(tmp_path):
    now = time.time()
    folders = {}
    for k in range(compiled.CACHE_KEEP + 3):  # k days unused, all marked
        folders[k] = tmp_path / f"old{k}"
        folders[k].mkdir()
        (folders[k] / compiled.CACHE_MARKER).touch()
    other = tmp_path / "not_ours"  # unmarked: never touched, however old
    other.mkdir()
    for k, folder in [*folders.items(), (99, other)]:
        age = now - (0 if k < 2 else 30) * 86400 - k
        os.utime(folder, (age, age))
    current = tmp_path / "current"
    current.mkdir()
    compiled._prune(current)
    kept = sorted(p.name for p in tmp_path.iterdir())
    # the CACHE_KEEP newest stay; of the rest only those unused for CACHE_KEEP_DAYS go
    expected = {f"old{k}" for k in range(compiled.CACHE_KEEP)} | {"not_ours", "current"}
    assert set(kept) == expected


def test_chunk_sizes_are_bounded():
    from werklandschap.experiments.executors import MAX_CHUNK, chunk_size

    assert chunk_size(5, 2) == 1  # small designs: one task per future
    assert chunk_size(10_368, 2) == MAX_CHUNK  # a Sobol' design: full chunks
    assert all(1 <= chunk_size(n, 2) <= MAX_CHUNK for n in range(0, 2000, 37))


def test_a_chunked_warm_pool_gives_the_serial_records():
    from werklandschap.experiments.design import Task
    from werklandschap.experiments.executors import model_evaluate, process_pool, serial
    from werklandschap.model.scenario import load_scenario

    short = load_scenario("baseline").with_params(horizon_months=12, after_horizon_months=0)
    tasks = [Task(k, 50 + k, short) for k in range(10)]
    pooled = {r["run_id"]: r for r in process_pool(tasks, model_evaluate, workers=2, chunk=3)}
    assert sorted(pooled) == list(range(10))
    for record in serial(tasks, model_evaluate):
        other = pooled[record["run_id"]]
        assert other["status"] == record["status"] == "ok"
        assert other["outcomes"].keys() == record["outcomes"].keys()
        a, b = (np.array(list(r["outcomes"].values())) for r in (other, record))
        assert np.array_equal(a, b, equal_nan=True)  # unreached targets are NaN in both
        assert np.array_equal(other["labelled"], record["labelled"])


def test_a_ctrl_c_inside_a_kernel_is_still_a_ctrl_c(monkeypatch):
    """numba wraps a KeyboardInterrupt raised while it runs Python into a SystemError; a model
    step turns it back into KeyboardInterrupt (so `run` keeps its work and prints the resume
    hint), and leaves any other SystemError alone."""
    from werklandschap.model.model import WerklandschapModel

    def wrapped(*args):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise SystemError("returned a result with an exception set") from interrupt

    model = WerklandschapModel("baseline", rng=1, park_agents=False, collect=False)
    monkeypatch.setattr(model, "_update_context", wrapped)
    with pytest.raises(KeyboardInterrupt):
        model.step()

    def other_error(*args):
        raise SystemError("another error")

    model = WerklandschapModel("baseline", rng=1, park_agents=False, collect=False)
    monkeypatch.setattr(model, "_update_context", other_error)
    with pytest.raises(SystemError, match="another error"):
        model.step()
