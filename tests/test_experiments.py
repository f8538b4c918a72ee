"""Experiments layer: file validation, designs, statistics, Sobol' on Ishigami, and each
experiment type end to end on tiny settings (files and figures written, numbers sane)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from werklandschap.experiments import design, executors
from werklandschap.experiments.analysis import sobol as sobol_analysis
from werklandschap.experiments.runner import run_experiment
from werklandschap.experiments.spec import ExperimentError, load_experiment, shipped_experiments
from werklandschap.model.scenario import Scenario, shipped_scenarios
from werklandschap.runs.runs import derive_seed
from werklandschap.runs.stats import (
    km_median,
    newcombe_paired,
    paired_difference,
    paired_proportions,
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
    assert set(specs["compare_levers"].options["scenarios"]) == set(shipped_scenarios())
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
    table, tasks, _ = design.build_design(spec)
    assert len(tasks) == 10 * 3 and list(table["run_id"]) == list(range(30))
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


def test_ema_adapter_runs_the_model():
    pytest.importorskip("ema_workbench")
    from werklandschap.experiments.ema_adapter import ema_model, import_ema

    ema = import_ema()
    model = ema_model(uncertainties=["peer_weight"], levers=["n_stimulated"], seed=4)
    experiments, outcomes = ema.perform_experiments(
        model,
        scenarios=2,
        policies=1,
        log_progress=True,
        uncertainty_sampling_kwargs={"rng": 1},
        lever_sampling_kwargs={"rng": 1},
    )
    assert len(experiments) == 2
    assert np.isfinite(outcomes["labelled_at_horizon"]).all()
    assert set(np.unique(outcomes["target_met"])) <= {0.0, 1.0}


# --- failures, changed files ---------------------------------------------------------------


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


# --- report statistics and wording (experiments/analysis/compare.py, stats.py) ----------------


def test_newcombe_paired_interval_reproduces_published_examples():
    """Newcombe (1998, Stat Med 17:2635, method 10) for paired proportions.

    Complete response before and after consolidation therapy (Cavo et al. 2012), the worked
    example of Fagerland, Lydersen & Laake (Statistical Analysis of Contingency Tables, 2017,
    ch. 8; also the test of their R package contingencytables): pairs 59/6/16/80 give -0.0621
    (95% CI -0.1186 to -0.0046). Newcombe's example (a), pairs 36/12/2/0: +0.200 (0.0569 to
    0.3404).
    """
    d, low, high = newcombe_paired(59, 6, 16, 80)
    assert (round(d, 4), round(low, 4), round(high, 4)) == (-0.0621, -0.1186, -0.0046)
    d, low, high = newcombe_paired(36, 12, 2, 0)
    assert (round(d, 4), round(low, 4), round(high, 4)) == (0.2, 0.0569, 0.3404)
    # 10 of 10 pairs discordant one way: a normal interval has zero width, Newcombe's does not.
    d, low, high = newcombe_paired(0, 10, 0, 0)
    assert d == 1.0 and high == 1.0 and 0.55 < low < 0.65
    d, low, high = newcombe_paired(0, 0, 0, 10)  # no discordant pair: 0, but not certainly 0
    assert d == 0.0 and low == pytest.approx(-high) and high > 0.2
    counts = paired_proportions(np.array([1.0, 1, 0, 0, np.nan]), np.array([1.0, 0, 1, 0, 1]))
    assert counts == (1, 1, 1, 1)  # the NaN pair is dropped
    mean, lo, hi = paired_difference(np.array([3.0, 5, 4, 6]), np.array([1.0, 2, 2, 2]))
    half = 3.1824 * np.std([2.0, 3, 2, 4], ddof=1) / 2  # Student t, 3 degrees of freedom
    assert mean == 2.75 and (lo, hi) == pytest.approx((2.75 - half, 2.75 + half), abs=1e-3)


def constructed_runs(replications: int = 10) -> pd.DataFrame:
    """A compare runs table: the baseline never reaches the target (900 ± noise);
    no_programme loses ~540 parks (so ΔP = 0 although the effect is large), double_stimulated
    gains ~300 and meets the target in every run, all_provinces changes nothing."""
    rng = np.random.default_rng(5)
    shifts = {"baseline": 0, "no_programme": -540, "double_stimulated": 300, "all_provinces": 0}
    rows = []
    base = 900 + rng.normal(0, 20, replications)
    for k, (name, shift) in enumerate(shifts.items()):
        for r in range(replications):
            labelled = float(base[r] + shift + (rng.normal(0, 5) if name == "all_provinces" else 0))
            rows.append(
                {
                    "run_id": k * replications + r,
                    "scenario": name,
                    "replication": r,
                    "status": "ok",
                    "months": 168.0,
                    "labelled_at_horizon": labelled,
                    "target_met": float(labelled >= 1000),
                    "month_target_reached": 100.0 if labelled >= 1000 else np.nan,
                    "self_sustaining": [1.0, 0.0, np.nan][r % 3],
                }
            )
    return pd.DataFrame(rows)


def test_report_lists_effects_by_sign_and_defines_its_outcomes(tmp_path):
    from werklandschap.experiments.analysis import compare
    from werklandschap.experiments.spec import parse_experiment
    from werklandschap.model.outcome_spec import outcome

    runs = constructed_runs()
    effects = compare.effects_table(runs, "baseline").set_index("scenario")
    assert effects.loc["no_programme", "delta_p"] == 0  # ΔP alone would call this "no effect"
    assert effects.loc["no_programme", "direction"] == "lowering"
    assert effects.loc["double_stimulated", "direction"] == "raising"
    assert effects.loc["all_provinces", "direction"] == "no clear effect"
    assert effects.loc["double_stimulated", "met_in_scenario_only"] == 10
    assert 0.6 < effects.loc["double_stimulated", "delta_p_low"] < 1  # 10/10: not zero width
    spec = parse_experiment(
        {"type": "compare", "replications": 10, "scenarios": list(runs["scenario"].unique())},
        "test",
        "constructed",
    )
    report = compare.analyse(spec, runs, None, tmp_path)
    short = report[report.index("**In short:**") :]
    assert "Raising the outcome: double_stimulated" in short
    assert "Lowering it: no_programme (+0 pp, -540 parks)" in short
    assert "No clear effect (both intervals include 0): all_provinces." in short
    assert "[+100, +100]" not in report and "+100 pp [+61, +100]" in report
    for name in compare.REPORT_OUTCOMES:  # every outcome the report uses, defined in it
        assert f"**{outcome(name).label()}** (`{name}`" in report
    # P(self-sustaining): 4 of the 7 judged runs (NaN in 3), a proportion with its interval.
    assert "0.57 [0.25, 0.84] (n = 7)" in report
    table = pd.read_csv(tmp_path / "scenarios.csv").set_index("scenario")
    assert table.loc["baseline", "self_sustaining_judged"] == 7


# --- EMA adapter input checks (experiments/ema_adapter.py) -------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"peer_wieght": 0.3}, "unknown parameter 'peer_wieght' (did you mean 'peer_weight'?)"),
        ({"peer_weight": 9.0}, "peer_weight = 9.0 is outside its accepted range 0.0..5.0"),
        ({"n_stimulated": 1.5}, "n_stimulated = 1.5 has the wrong type"),
        ({"selection_strategy": "best"}, "selection_strategy = 'best' is not valid"),
        ({"base": "basline"}, "unknown scenario 'basline'"),
        ({"replications": 0}, "replications = 0 must be a positive integer"),
    ],
)
def test_ema_evaluate_point_refuses_bad_input(call, message):
    """Bad input raises before any run (it used to return all-NaN outcomes silently)."""
    from werklandschap.experiments.ema_adapter import evaluate_point

    with pytest.raises(ExperimentError) as info:
        evaluate_point(**call)
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"uncertainties": ["peer_wieght"]}, "unknown parameter 'peer_wieght' (did you mean"),
        ({"levers": ["n_stimulatd"]}, "unknown parameter 'n_stimulatd' (did you mean"),
        ({"uncertainties": ["peer_weight"], "levers": ["peer_weight"]}, "more than once"),
        ({"levers": ["horizon_months"]}, "has no range in the spec"),
        ({"base": "basline"}, "unknown scenario 'basline'"),
    ],
)
def test_ema_model_checks_names_against_the_spec(call, message):
    from werklandschap.experiments.ema_adapter import EMA_OUTCOME_WORDS, EMA_OUTCOMES, ema_model

    with pytest.raises(ExperimentError, match=re.escape(message)):
        ema_model(**call)
    assert set(EMA_OUTCOME_WORDS) == set(EMA_OUTCOMES)


# --- figures (runs/plots.py, analysis/sweep.py) ----------------------------------------

LIBRARY = Path(__file__).resolve().parent.parent


def test_no_library_module_switches_the_matplotlib_backend():
    """`matplotlib.use(...)` at import silences inline figures in Jupyter; pyplot is not needed."""
    offenders = [
        str(path.relative_to(LIBRARY))
        for folder in ("experiments", "model", "agents", "scenarios")
        for path in (LIBRARY / folder).rglob("*.py")
        if re.search(r"matplotlib\.use\(|import matplotlib\.pyplot", path.read_text())
    ]
    assert offenders == []
    code = (
        "import sys, matplotlib\n"
        "backend = matplotlib.get_backend()\n"
        "from werklandschap.runs import plots\n"
        "from werklandschap.verification import validation\n"
        "from werklandschap.experiments.analysis import compare, sweep\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "assert matplotlib.get_backend() == backend\n"
        "fig = plots.new_figure(3, 2)\n"
        "fig.subplots().plot([0, 1])\n"
        "assert fig._repr_png_()[:8] == b'\\x89PNG\\r\\n\\x1a\\n'\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, env={**os.environ, "MPLBACKEND": "svg"}
    )


def test_tipping_heatmap_is_readable():
    """Numbers in black on light cells and white on dark ones; axes in words with units."""
    from werklandschap.experiments.analysis import sweep
    from werklandschap.runs import plots

    assert sweep.text_colour("black") == "white" and sweep.text_colour("#FDE725") == "black"
    grid = pd.DataFrame(
        [[0.0, 0.5], [0.9, 1.0]],
        index=pd.Index([0, 300], name="n_stimulated"),
        columns=pd.Index([0.0, 1.0], name="peer_weight"),
    )
    fig = plots.new_figure(6, 4)
    ax = fig.subplots()
    sweep._heatmap(ax, grid, "P", plots.PROBABILITY_MAP, 0, 1)
    colours = {t.get_text(): t.get_color() for t in ax.texts}
    assert colours["0.00"] == "white" and colours["1.00"] == "black"  # cividis: dark to yellow
    assert ax.get_xlabel().startswith("Weight of peer influence") and "(utility)" in ax.get_xlabel()
    assert "(parks)" in ax.get_ylabel() and "n_stimulated" not in ax.get_ylabel()


def test_run_figures_speak_in_words(tmp_path):
    """The S-curve's y-axis says parks (lines per stage in the legend); target and horizon
    marked from the scenario, not constants; Okabe-Ito province colours; names on the map."""
    from matplotlib.colors import to_hex

    from werklandschap.model.model import run
    from werklandschap.model.scenario import load_scenario
    from werklandschap.runs import plots

    scenario = load_scenario("baseline").with_params(target_parks=900, horizon_months=96)
    results = [run(scenario, seed) for seed in (1, 2)]
    fig = plots.s_curve_figure(results, scenario)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "parks (number)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(s.startswith("labelled") for s in legend)
    assert any(s.startswith("transforming") for s in legend)
    assert {"target 900 parks", " end of 2030"} <= {t.get_text() for t in ax.texts}
    target = next(line for line in ax.lines if line.get_gid() == "target")
    assert target.get_ydata()[0] == 900
    horizon = next(line for line in ax.lines if line.get_gid() == "horizon")
    assert horizon.get_xdata()[0] == 2023 + 96 / 12
    provinces = plots.provinces_figure(results, scenario)
    used = {to_hex(line.get_color()).upper() for a in provinces.axes for line in a.lines}
    assert used <= {c.upper() for c in plots.OKABE_ITO.values()} | {"#BBBBBB", "#555555"}
    assert len([a for a in provinces.axes if a.get_visible()]) == 12  # one panel per province
    first = results[0]
    m = plots.map_figure(first.stage_at_horizon, first.role, "map")
    texts = {t.get_text() for t in m.axes[0].texts}
    assert {"Utrecht", "Zeeland", "Fryslân", "Noord-Holland"} <= texts
    sizes = [h.get_markersize() for h in m.axes[0].get_legend().legend_handles]
    assert max(sizes) <= 10
    plots.write_run_figures(results, scenario, tmp_path)
    assert all((tmp_path / f).read_bytes()[:8] == PNG for f in ("s_curve.png", "map.png"))


def test_province_name_points_lie_inside_their_province():
    from matplotlib.path import Path as MplPath

    from werklandschap.model.data import province_outlines
    from werklandschap.runs.plots import label_point

    for name, rings in province_outlines().items():
        ring = max(rings, key=len)
        assert MplPath(ring).contains_point(label_point(ring)), name
