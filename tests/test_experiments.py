"""Experiments layer: file validation, designs, statistics, Sobol' on Ishigami, and each
experiment type end to end on tiny settings (files and figures written, numbers sane)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pool_helpers import dies_at_run_3, whose_run

from werklandschap.experiments import design, executors
from werklandschap.experiments.analysis import sobol as sobol_analysis
from werklandschap.experiments.runner import run_experiment
from werklandschap.experiments.spec import ExperimentError, load_experiment, shipped_experiments
from werklandschap.model.scenario import Scenario, shipped_scenarios
from werklandschap.runs.runs import derive_seed
from werklandschap.runs.stats import (
    km_median,
    paired_difference,
    wilson,
)

PNG = b"\x89PNG\r\n\x1a\n"


def write(tmp_path, text: str, name: str = "exp.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def fake_model(task: design.Task) -> dict:
    """A cheap stand-in for the model with the same outcome keys (deterministic in the task)."""
    rng = np.random.default_rng(task.seed)
    level = 6 * task.params["n_stimulated"] + 400 * task.params["peer_weight"] + rng.normal(0, 50)
    months = np.arange(169)
    labelled = (level * 1.6 / (1 + np.exp(-(months - 90) / 12))).astype(np.int32)
    reached = np.flatnonzero(labelled >= 1000)
    return {
        "labelled_at_horizon": float(labelled[108]),
        "target_met": float(labelled[108] >= 1000),
        "month_target_reached": float(reached[0]) if reached.size else np.nan,
        "self_sustaining": 1.0,
        "months": 168.0,
        "labelled": labelled,
    }


def failing_model(task: design.Task) -> dict:
    if task.run_id % 3 == 1:
        raise RuntimeError(f"boom in run {task.run_id}")
    return fake_model(task)


# --- validation -------------------------------------------------------------------------------

BAD_FILES = {
    "unknown key": (
        "type: compare\nscenarios: [baseline]\nreplicatoins: 3\n",
        "unknown key 'replicatoins'",
        "did you mean 'replications'",
    ),
    "wrong type": (
        "type: compare\nscenarios: [baseline]\nreplications: many\n",
        "replications = 'many' should be an integer",
        "",
    ),
    "unknown parameter": (
        "type: sobol\nn: 64\nparameters: [peer_wieght]\n",
        "unknown parameter 'peer_wieght'",
        "did you mean 'peer_weight'",
    ),
    "structural parameter": (
        "type: morris\nparameters: [horizon_months]\n",
        "has no sampling range",
        "",
    ),
    "unknown scenario": (
        "type: compare\nscenarios: [baseline, double_stimulatd]\n",
        "unknown scenario 'double_stimulatd'",
        "did you mean 'double_stimulated'",
    ),
    "n not a power of two": (
        "type: sobol\nn: 1000\nparameters: [peer_weight, cost]\n",
        "n = 1000 must be a power of two",
        "1024",
    ),
    "unknown type": ("type: sobl\n", "type = 'sobl' should be one of", "did you mean 'sobol'"),
    "malformed yaml": ("type: compare\nscenarios: [baseline\n", "malformed YAML", ""),
    "baseline missing": (
        "type: compare\nscenarios: [no_programme]\n",
        "baseline 'baseline' is not among the scenarios",
        "",
    ),
    "sweep value out of limits": (
        "type: sweep\nx: {parameter: peer_weight, values: [0, 9]}\n"
        "y: {parameter: n_stimulated, values: [0, 10]}\n",
        "outside its accepted range",
        "",
    ),
    "odd morris levels": ("type: morris\nlevels: 3\n", "levels = 3 must be even", ""),
    "parameter value at top level": (
        "type: compare\nscenarios: [baseline]\npeer_weight: 1\n",
        "unknown key 'peer_weight'",
        "base",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_invalid_experiment_files_are_rejected_with_one_clear_message(tmp_path, case):
    text, message, hint = BAD_FILES[case]
    path = write(tmp_path, text)
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    assert message in str(info.value) and hint in str(info.value)
    assert "\n" not in str(info.value)


def test_cli_rejects_invalid_file_with_exit_2_and_writes_nothing(tmp_path):
    path = write(tmp_path, BAD_FILES["unknown key"][0])
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "werklandschap.cli", "experiment", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "unknown key 'replicatoins'" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_shipped_experiment_files_are_valid_and_cover_every_lever_scenario():
    files = shipped_experiments()
    assert {"compare_levers", "sobol", "morris", "tipping_phase", "discovery"} <= set(files)
    specs = {name: load_experiment(name) for name in files}
    # every lever scenario is compared; built_to_tip (a theory check) and green_deal_fixed (the
    # Green Deal as a fixed plan) are model variants, not levers
    levers = set(shipped_scenarios()) - {"built_to_tip", "green_deal_fixed"}
    assert set(specs["compare_levers"].options["scenarios"]) == levers
    sobol = specs["sobol"]
    assert sobol.options["n"] == 1024 and 8 <= len(sobol.options["parameters"]) <= 12
    assert load_experiment("sobol", n=64).name == "sobol-n64"
    with pytest.raises(ExperimentError, match="power of two"):
        load_experiment("sobol", n=100)


# --- designs and statistics -------------------------------------------------------------------


def test_integer_and_categorical_factors_map_uniformly():
    factors = [design.factor("n_living_labs"), design.factor("selection_strategy")]
    latent = design.sobol_latent(factors, 1024, seed=3, second_order=False)
    values = design.map_samples(latent, factors)
    counts = values["n_living_labs"].value_counts()
    assert sorted(counts.index) == list(range(11))  # 0..10 inclusive, ends included
    assert counts.min() > 0.8 * counts.mean() and counts.max() < 1.2 * counts.mean()
    shares = values["selection_strategy"].value_counts(normalize=True)
    assert set(shares.index) == {"criteria", "random", "spread", "central"}
    assert np.allclose(shares, 0.25, atol=0.02)


def test_compare_design_uses_common_random_numbers():
    spec = load_experiment("compare_levers", replications=3)
    n_scenarios = len(spec.options["scenarios"])  # as listed in compare_levers.yaml
    assert n_scenarios >= 2
    table, tasks, _ = design.build_design(spec)
    assert len(tasks) == n_scenarios * 3
    assert list(table["run_id"]) == list(range(n_scenarios * 3))
    assert table.groupby("scenario").size().to_dict() == dict.fromkeys(spec.options["scenarios"], 3)
    per_scenario = table.groupby("scenario")["seed"].apply(tuple)
    assert per_scenario.nunique() == 1  # every scenario: the same seeds
    assert per_scenario.iloc[0] == tuple(derive_seed(2026, r) for r in range(3))


def test_statistics_helpers():
    low, high = wilson(0, 20)
    assert low == 0 and 0.15 < high < 0.17  # Wilson upper bound for 0/20 ~ 0.161
    low, high = wilson(10, 20)
    assert low == pytest.approx(0.299, abs=1e-3) and high == pytest.approx(0.701, abs=1e-3)
    assert km_median(np.array([10.0, 20, 30, np.nan]), 168) == 20  # 1 of 4 censored
    assert np.isnan(km_median(np.array([10.0, np.nan, np.nan, np.nan]), 168))  # not reached
    mean, lo, hi = paired_difference(np.array([1.0, 2, 3, 4]), np.array([0.0, 1, 2, 3]))
    assert mean == lo == hi == 1.0  # identical shifts: a paired CI of zero width


def ishigami(task: design.Task) -> dict:
    x1, x2, x3 = (task.params[k] for k in ("x1", "x2", "x3"))
    return {"y": float(np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1))}


def test_sobol_pipeline_reproduces_ishigami_indices():
    """Same sampler, task and analysis code as the model, with Ishigami as evaluate function.

    Analytic S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244). At N = 1024 the SALib estimates
    deviate by < 0.015 (research notes); the tolerance is 0.05.
    """
    factors = [design.Factor(n, -np.pi, np.pi, "float") for n in ("x1", "x2", "x3")]
    latent = design.sobol_latent(factors, 1024, seed=42, second_order=False)
    points = design.map_samples(latent, factors)
    # A stand-in Scenario (not validated: the Ishigami inputs are not model parameters).
    rows = points.to_dict("records")
    tasks = [design.Task(i, 0, Scenario("ishigami", params=row)) for i, row in enumerate(rows)]
    records = sorted(executors.execute(tasks, ishigami, workers=1), key=lambda r: r["run_id"])
    assert all(r["status"] == "ok" for r in records)
    y = np.array([r["outcomes"]["y"] for r in records])
    frame = sobol_analysis.indices(design.problem(factors), y, resamples=100, seed=42)
    np.testing.assert_allclose(frame["S1"], [0.3139, 0.4424, 0.0], atol=0.05)
    np.testing.assert_allclose(frame["ST"], [0.5576, 0.4424, 0.2437], atol=0.05)
    assert (frame["ST_conf"] < 0.15).all()
    conv = sobol_analysis.convergence(design.problem(factors), y, False, 50, 42)
    assert list(conv["N"].unique()) == [16, 32, 64, 128, 256, 512, 1024]
    with pytest.raises(ValueError, match="finite"):
        sobol_analysis.indices(design.problem(factors), np.where(y > 10, np.nan, y))


# --- each experiment type end to end (tiny) ----------------------------------------------------


def figures_ok(folder, names):
    for name in names:
        data = (folder / "figures" / f"{name}.png").read_bytes()
        assert data[:8] == PNG and len(data) > 5_000


def test_compare_end_to_end_with_the_model(tmp_path):
    path = write(
        tmp_path,
        """\
        type: compare
        seed: 3
        replications: 3
        scenarios: [baseline, no_programme, double_stimulated]
        """,
    )
    folder = run_experiment(path, tmp_path / "results", workers=1, quiet=True)
    runs = pd.read_parquet(folder / "runs.parquet")
    assert len(runs) == 9 and (runs["status"] == "ok").all()
    assert runs["run_id"].is_unique and runs["labelled_at_horizon"].between(0, 3646).all()
    table = pd.read_csv(folder / "scenarios.csv").set_index("scenario")
    # Without the programme, far fewer parks are labelled (every seed: ~140 vs ~950).
    assert (
        table.loc["no_programme", "labelled_108_mean"]
        < table.loc["baseline", "labelled_108_mean"] / 2
    )
    assert table["p_target_low"].le(table["p_target"]).all()
    effects = pd.read_csv(folder / "effects.csv")
    assert set(effects["scenario"]) == {"no_programme", "double_stimulated"}
    series = pd.read_parquet(folder / "timeseries.parquet")
    assert list(series.columns) == ["run_id", "month", "date", "labelled"]
    assert len(series) == 9 * 169
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["runs"] == 9 and manifest["failed"] == 0
    assert manifest["experiment_file_sha256"] and manifest["versions"]["SALib"]
    report = (folder / "report.md").read_text()
    assert "P(≥1,000" in report and "Kaplan–Meier" in report and "figures/fan.png" in report
    figures_ok(folder, ["fan", "lever_effects"])


def test_sobol_morris_sweep_end_to_end_with_the_model(tmp_path):
    sobol = write(
        tmp_path,
        """\
        type: sobol
        n: 4
        bootstrap: 20
        noise_check: {points: 2, replications: 2}
        parameters: [peer_weight, threshold_mean, selection_strategy]
        """,
        "sobol_tiny.yaml",
    )
    folder = run_experiment(sobol, tmp_path, workers=1, quiet=True)
    runs = pd.read_parquet(folder / "runs.parquet")
    assert len(runs) == 4 * 5 + 2 * 2 and set(runs["role"]) == {"sample", "noise"}
    assert set(runs["selection_strategy"]) <= {"criteria", "random", "spread", "central"}
    indices = pd.read_csv(folder / "sobol_labelled_at_horizon.csv")
    assert list(indices["factor"]) == ["peer_weight", "threshold_mean", "selection_strategy"]
    assert "noise share η" in (folder / "report.md").read_text()
    figures_ok(folder, ["sobol_indices", "sobol_convergence"])

    morris = write(
        tmp_path,
        """\
        type: morris
        trajectories: 2
        bootstrap: 20
        parameters: [peer_weight, threshold_mean, n_living_labs]
        """,
        "morris_tiny.yaml",
    )
    folder = run_experiment(morris, tmp_path, workers=1, quiet=True)
    assert len(pd.read_parquet(folder / "runs.parquet")) == 2 * 4
    mu = pd.read_csv(folder / "morris_labelled_at_horizon.csv")
    assert (mu["mu_star"] >= 0).all() and (mu["sigma"] >= 0).all()
    figures_ok(folder, ["morris_labelled_at_horizon"])

    sweep = write(
        tmp_path,
        """\
        type: sweep
        replications: 2
        x: {parameter: peer_weight, values: [0.0, 1.0]}
        y: {parameter: n_stimulated, from: 0, to: 600, steps: 2}
        """,
        "sweep_tiny.yaml",
    )
    folder = run_experiment(sweep, tmp_path, workers=1, quiet=True)
    cells = pd.read_csv(folder / "sweep_cells.csv")
    assert len(cells) == 4 and (cells["runs"] == 2).all()
    corner = cells.set_index(["peer_weight", "n_stimulated"])["labelled_mean"]
    assert corner[(1.0, 600)] > corner[(0.0, 0)]  # more peers and stimulus: more labels
    figures_ok(folder, ["sweep_heatmaps"])


def test_discovery_finds_a_prim_box(tmp_path):
    """PRIM on the fake model: 1,000 needs n_stimulated high (peer_weight helps)."""
    pytest.importorskip("ema_workbench")
    path = write(
        tmp_path,
        """\
        type: discovery
        samples: 120
        parameters: [n_stimulated, peer_weight, selection_strategy]
        max_boxes: 1
        """,
    )
    folder = run_experiment(path, tmp_path, workers=1, evaluate=fake_model, quiet=True)
    boxes = pd.read_csv(folder / "prim_boxes.csv")
    assert "n_stimulated" in set(boxes["parameter"])
    assert boxes["density"].iloc[0] >= 0.8 and boxes["coverage"].iloc[0] > 0.5
    report = (folder / "report.md").read_text()
    assert "**Box 1.** 1,000 is reached in" in report and "n_stimulated ≥" in report
    figures_ok(folder, ["prim_tradeoff"])


def test_a_failing_run_is_recorded_and_the_experiment_completes(tmp_path):
    path = write(
        tmp_path,
        """\
        type: compare
        replications: 4
        scenarios: [baseline, double_stimulated]
        """,
    )
    folder = run_experiment(path, tmp_path, workers=1, evaluate=failing_model, quiet=True)
    runs = pd.read_parquet(folder / "runs.parquet")
    failed = runs[runs["status"] == "error"]
    assert list(failed["run_id"]) == [1, 4, 7]
    assert failed["error"].str.startswith("RuntimeError: boom in run").all()
    assert runs.loc[runs["status"] == "ok", "labelled_at_horizon"].notna().all()
    assert failed["labelled_at_horizon"].isna().all()
    assert json.loads((folder / "manifest.json").read_text())["failed"] == 3
    report = (folder / "report.md").read_text()
    assert "3 failed" in report and "## Failed runs" in report


def test_a_changed_experiment_file_is_refused_unless_restarted(tmp_path):
    text = "type: compare\nreplications: 2\nscenarios: [baseline]\n"
    path = write(tmp_path, text)
    run_experiment(path, tmp_path / "r", workers=1, evaluate=fake_model, quiet=True)
    path.write_text(text.replace("replications: 2", "replications: 3"))
    with pytest.raises(ExperimentError, match=r"different version of experiment 'exp'.*--restart"):
        run_experiment(path, tmp_path / "r", workers=1, evaluate=fake_model, quiet=True)
    folder = run_experiment(
        path, tmp_path / "r", workers=1, evaluate=fake_model, restart=True, quiet=True
    )
    assert len(pd.read_parquet(folder / "runs.parquet")) == 3


def interrupted_model(task: design.Task) -> dict:
    if task.run_id == 1:
        raise KeyboardInterrupt  # like Ctrl-C: not recorded as a failed run, stops the session
    return fake_model(task)


def test_resuming_with_another_model_commit_is_refused(tmp_path, monkeypatch):
    from werklandschap.experiments import store

    path = write(tmp_path, "type: compare\nreplications: 3\nscenarios: [baseline]\n")
    monkeypatch.setattr(store, "git_commit", lambda: "fedcba9876543210")
    with pytest.raises(KeyboardInterrupt):
        run_experiment(path, tmp_path, workers=1, evaluate=interrupted_model, quiet=True)
    assert len(pd.read_parquet(next((tmp_path / "exp" / "journal").glob("*.parquet")))) == 1
    monkeypatch.setattr(store, "git_commit", lambda: "0123456789abcdef")
    with pytest.raises(ExperimentError, match="would mix model versions"):
        run_experiment(path, tmp_path, workers=1, evaluate=fake_model, quiet=True)


# --- the shared pool: reused by successive calls, fresh after an interrupted or failed one ----


def _tasks(n: int, seed0: int = 0) -> list[design.Task]:
    scenario = Scenario("s", {}, "")
    return [design.Task(k, seed0 + 7 * k, scenario) for k in range(n)]


def _by_run(records) -> dict[int, dict]:
    return {r["run_id"]: r for r in records}


def _pids(records) -> set[int]:
    return {int(r["outcomes"]["pid"]) for r in records}


def _values(records) -> dict[int, float]:
    return {r["run_id"]: r["outcomes"]["value"] for r in records}


@pytest.fixture
def no_kept_pool():
    executors.shutdown_pool()
    yield
    executors.shutdown_pool()


def test_successive_calls_reuse_one_pool_and_give_the_serial_results(no_kept_pool):
    tasks = _tasks(24)
    serial = list(executors.execute(tasks, whose_run, workers=1))
    first = list(executors.execute(tasks, whose_run, workers=2))
    pool = executors.kept_pool()
    assert pool is not None
    workers = set(pool._processes)
    second = list(executors.execute(tasks[:12], whose_run, workers=2))
    assert executors.kept_pool() is pool  # the same pool object, given back again
    assert set(pool._processes) == workers and len(workers) == 2  # and the same processes
    assert _pids(first) | _pids(second) <= workers and os.getpid() not in workers
    assert _values(first) == _values(serial)
    assert _values(second) == {k: v for k, v in _values(serial).items() if k < 12}
    # Another worker count is another pool; the kept one is shut down, not left idle.
    list(executors.execute(tasks, whose_run, workers=3))
    assert executors.kept_pool() is not pool and getattr(pool, "_shutdown_thread", False)


def test_an_interrupted_call_shuts_its_pool_down_and_the_next_starts_a_fresh_one(no_kept_pool):
    tasks = _tasks(40)
    before = list(executors.execute(tasks, whose_run, workers=2))
    old = executors.kept_pool()
    records = executors.execute(tasks, whose_run, workers=2)
    next(records)
    assert executors.kept_pool() is None  # in use: taken out of the cache
    records.close()  # the consumer stops (Ctrl-C in the loop, an error in the caller)
    assert executors.kept_pool() is None and getattr(old, "_shutdown_thread", False)
    after = list(executors.execute(tasks, whose_run, workers=2))
    assert executors.kept_pool() not in (None, old)
    assert not _pids(after) & _pids(before)  # new workers
    assert _values(after) == _values(before)


def test_a_failed_call_leaves_no_pool_behind_and_the_next_call_works(no_kept_pool):
    tasks = _tasks(12)
    list(executors.execute(tasks, whose_run, workers=2))
    old = executors.kept_pool()
    with pytest.raises(BrokenProcessPool):
        list(executors.execute(tasks, dies_at_run_3, workers=2))
    assert executors.kept_pool() is None and getattr(old, "_shutdown_thread", False)
    again = list(executors.execute(tasks, whose_run, workers=2))
    assert sorted(_by_run(again)) == list(range(12))
    assert all(r["status"] == "ok" for r in again) and executors.kept_pool() is not None


def test_start_pool_waits_for_every_worker_and_is_free_the_second_time(no_kept_pool):
    executors.start_pool(2, warm=False)
    pool = executors.kept_pool()
    assert pool is not None and len(pool._processes) == 2
    assert all(p.is_alive() for p in pool._processes.values())
    assert executors.start_pool(2, warm=False) < 1.0 and executors.kept_pool() is pool


def test_the_bench_times_the_pool_start_apart_from_the_warm_layer(capsys, no_kept_pool):
    from werklandschap.verification import benchmark

    times = benchmark.layer_timings(4, repeats=2)
    assert {"start", "cold", "one", "two", "one_cpu", "two_cpu", "parent_cpu"} <= set(times)
    assert 0 < times["start"] < times["cold"]  # the cold figure includes the start and runs
    # The runs' CPU is counted where it is spent: in this process when serial, in the workers
    # (not here) on the pool; a baseline run costs milliseconds of CPU, not microseconds.
    assert times["one_cpu"] > 1e-3 and times["two_cpu"] > 1e-3
    assert times["parent_cpu"] < times["two_cpu"]
    pool = executors.kept_pool()
    assert pool is not None and len(pool._processes) == 2  # the warm timings reused it
    per_core, efficiency = benchmark.layer_report(4, times)
    assert per_core == pytest.approx(4 / times["two"] / 2)
    assert efficiency == pytest.approx(times["one"] / (2 * times["two"]))
    out = capsys.readouterr().out
    assert "pool start: forkserver + 2 warm workers" in out and "cold: pool start + runs" in out
    assert "CPU efficiency" in out and "waited for a CPU" in out
    assert 0 <= times["two_waiting"] <= 1


KEPT_POOL = """\
import sys, time
sys.path.insert(0, sys.argv[1])
from pool_helpers import whose_run
from werklandschap.experiments import design, executors
from werklandschap.model.scenario import Scenario

if __name__ == "__main__":
    tasks = [design.Task(k, k, Scenario("s", {}, "")) for k in range(20)]
    list(executors.execute(tasks, whose_run, workers=2))
    print("idle", flush=True)
    time.sleep(120)  # the pool is kept, idle, when the test kills this process
"""


def test_a_kept_idle_pool_dies_with_its_killed_parent(tmp_path):
    psutil = pytest.importorskip("psutil")
    script = tmp_path / "kept.py"
    script.write_text(KEPT_POOL)
    here = str(Path(__file__).parent)
    process = subprocess.Popen(
        [sys.executable, str(script), here], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "idle"
        children = psutil.Process(process.pid).children(recursive=True)
        assert len(children) >= 3  # the forkserver and the two kept workers (and a tracker)
    finally:
        process.kill()
        process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alive = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            break
        time.sleep(0.1)
    for c in alive:  # do not leave them behind for the rest of the suite
        c.kill()
    assert not alive, [c.cmdline() for c in alive]


def _kill_a_kept_worker() -> tuple[object, int]:
    """SIGKILL one worker of the kept (idle) pool; returns the pool and the worker's pid once
    the worker is gone."""
    old = executors.kept_pool()
    victim, process = next(iter(old._processes.items()))
    os.kill(victim, signal.SIGKILL)  # while idle: no call is running to notice it
    deadline = time.monotonic() + 10
    while process.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    return old, victim


@pytest.mark.parametrize("noticed", [True, False])
def test_a_kept_pool_whose_worker_was_killed_is_replaced(no_kept_pool, monkeypatch, noticed):
    tasks = _tasks(12)
    list(executors.execute(tasks, whose_run, workers=2))
    old, victim = _kill_a_kept_worker()
    if not noticed:  # the death not seen when the pool is taken: the first submit breaks
        monkeypatch.setattr(executors, "_usable", lambda pool: True)
    again = list(executors.execute(tasks, whose_run, workers=2))
    assert all(r["status"] == "ok" for r in again) and sorted(_by_run(again)) == list(range(12))
    assert executors.kept_pool() is not old and victim not in _pids(again)
    assert _values(again) == _values(executors.execute(tasks, whose_run, workers=1))
