"""Posterior-predictive runs (runs/predictive.py) and `werklandschap run --posterior`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from werklandschap.cli import main
from werklandschap.model import posterior as posterior_module
from werklandschap.model import seeds
from werklandschap.model.posterior import Posterior, save_posterior
from werklandschap.runs import predictive, runs
from werklandschap.runs.predictive import (
    PredictivePlan,
    chance,
    particle_indices,
    variance_split,
)


def toy_posterior() -> Posterior:
    """Two very different parameter sets: weak and strong peer influence."""
    particles = np.array([[0.05, 0.45], [0.9, 0.45], [0.5, 0.5]])
    return Posterior(
        ("peer_weight", "threshold_mean"), particles, np.array([1.0, 1.0, 2.0]), {}, {"t": 1}
    )


def test_particle_indices_are_the_draws_of_posterior_draw():
    post = toy_posterior()
    indices = particle_indices(post, 50, seed=7)
    assert [predictive.parameter_set(post, int(i)) for i in indices] == post.draw(
        50, seeds.posterior(7)
    )
    assert (particle_indices(post, 10, seed=7) == indices[:10]).all()  # prefix-stable


@pytest.mark.parametrize("seed", range(5))
def test_variance_split_recovers_known_parts(seed):
    # Y = mu_d + e, Var(mu) = 4, Var(e) = 1; D = 400 draws x S = 5 seeds.
    rng = np.random.default_rng(seed)
    d, s = 400, 5
    mu = rng.normal(0, 2, d)
    y = np.repeat(mu, s) + rng.normal(0, 1, d * s)
    split = variance_split(y, np.repeat(np.arange(d), s))
    # sd of the estimates: between ~ 4 * sqrt(2/400) = 0.28; within ~ sqrt(2/1600) = 0.035.
    assert split.parametric == pytest.approx(4.0, abs=0.9)
    assert split.stochastic == pytest.approx(1.0, abs=0.12)
    assert split.draws == d and split.per_draw == s


def test_variance_split_has_no_parametric_part_without_parameter_effect():
    rng = np.random.default_rng(1)
    parts = [
        variance_split(rng.normal(0, 1, 2000), np.repeat(np.arange(400), 5)).parametric
        for _ in range(20)
    ]
    # Unbiased estimator clipped at 0: mean near 0 (sd of one estimate ~0.07).
    assert np.mean(parts) < 0.06


@pytest.mark.parametrize("seed", range(4))
def test_chance_split_and_credible_interval(seed):
    rng = np.random.default_rng(seed)
    d, s = 300, 8
    p_theta = rng.choice([0.1, 0.9], d)  # half the posterior makes the target likely
    met = rng.random((d, s)) < p_theta[:, None]
    c = chance(met.reshape(-1), np.repeat(np.arange(d), s), seed)
    assert c.p == pytest.approx(0.5, abs=0.05)
    # Var(P(theta)) = 0.16, E[P(1-P)] = 0.09.
    assert c.split.parametric == pytest.approx(0.16, abs=0.03)
    assert c.split.stochastic == pytest.approx(0.09, abs=0.015)
    # The credible interval spans both modes: wide, unlike a seeds-only interval.
    assert c.low < 0.2 and c.high > 0.8
    assert c.mc_low < c.p < c.mc_high and c.mc_high - c.mc_low < 0.15


@pytest.mark.parametrize("seed", range(4))
def test_normal_model_interval_spans_the_parameter_sets(seed):
    # Half the draws 60 parks below the target, half 60 above; run-to-run sd 30 parks:
    # P(theta) = 0.023 or 0.977. With 4 seeds per draw the interval spans both.
    rng = np.random.default_rng(seed)
    d, s, target = 200, 4, 1000
    means = target + rng.choice([-60, 60], d)
    labelled = np.round(np.repeat(means, s) + rng.normal(0, 30, d * s))
    draws = np.repeat(np.arange(d), s)
    c = chance(labelled >= target, draws, seed, 0.9, labelled, target)
    assert c.low < 0.1 and c.high > 0.9
    # All draws at the same mean 60 below: the chance is small and the interval narrow.
    low = np.round(target - 60 + rng.normal(0, 30, d * s))
    c = chance(low >= target, draws, seed, 0.9, low, target)
    assert c.high < 0.12 and c.p < 0.06
    # The indicator alone (Beta mixture) is far wider for the same runs.
    assert chance(low >= target, draws, seed).high > 0.3


def test_chance_without_parametric_spread_is_narrow():
    rng = np.random.default_rng(0)
    d, s = 50, 200
    met = rng.random(d * s) < 0.5
    c = chance(met, np.repeat(np.arange(d), s), seed=0)
    assert 0.35 < c.low < 0.5 < c.high < 0.65
    assert c.split.parametric < 0.005


def test_plan_maps_replications_to_draws():
    plan = PredictivePlan(toy_posterior(), seed=3, replications=10, per_draw=4)
    assert plan.draws == 3
    columns = plan.columns()
    assert list(columns["draw"]) == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
    assert list(columns["particle"][::4]) == list(plan.particles())


# --- the run command ---------------------------------------------------------------------------


@pytest.fixture
def shipped_toy(tmp_path, monkeypatch):
    """The toy posterior as the shipped posterior file."""
    path = save_posterior(toy_posterior(), tmp_path / "posterior.json")
    monkeypatch.setattr(posterior_module, "POSTERIOR_FILE", path)
    return path


def run_cli(*args: str) -> int:
    return main(["run", "baseline", "--no-figures", *args])


def test_run_uses_the_drawn_parameter_sets(tmp_path, shipped_toy, capsys):
    assert run_cli("--out", str(tmp_path), "-r", "4", "--per-draw", "2", "--seed", "5") == 0
    printed = capsys.readouterr().out
    assert "P(target met) = " in printed and "over 2 parameter sets" in printed
    assert "month the target is reached" in printed
    folder = tmp_path / "baseline" / "seed5-x4"
    summary = pd.read_csv(folder / "summary.csv")
    record = json.loads((folder / "predictive.json").read_text())
    assert list(summary["draw"]) == [0, 0, 1, 1]
    sets = record["parameter_sets"]
    assert [s["particle"] for s in sets] == list(summary["particle"][::2])
    # The runs really used those values: same seed, fixed parameters -> a different outcome
    # whenever the drawn peer weight differs (0.05 vs 0.9 moves the labelled count).
    for r in range(4):
        values = sets[r // 2]["values"]
        expected = runs.replicate(
            runs.load_scenario("baseline").with_params(**values), 5, r
        ).summary()
        assert summary["labelled_at_horizon"][r] == expected["labelled_at_horizon"]
    assert 0.0 <= record["answer"]["chance"]["p"] <= 1.0


def test_no_posterior_is_todays_behaviour(tmp_path, shipped_toy):
    assert run_cli("--out", str(tmp_path), "-r", "2", "--no-posterior") == 0
    folder = tmp_path / "baseline" / "seed0-x2"
    summary = pd.read_csv(folder / "summary.csv")
    assert not (folder / "predictive.json").exists()
    assert summary["draw"].isna().all() and summary["particle"].isna().all()
    fixed = [runs.replicate(runs.load_scenario("baseline"), 0, r).summary() for r in range(2)]
    assert list(summary["labelled_at_horizon"]) == [f["labelled_at_horizon"] for f in fixed]


def test_missing_posterior_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(posterior_module, "POSTERIOR_FILE", tmp_path / "absent.json")
    assert run_cli("--out", str(tmp_path / "a"), "--posterior") == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "posterior file not found" in err
    assert not (tmp_path / "a").exists()
    assert run_cli("--out", str(tmp_path / "b")) == 0  # default: a notice, fixed parameters
    assert "running with fixed parameters" in capsys.readouterr().err
    assert not (tmp_path / "b" / "baseline" / "seed0-x1" / "predictive.json").exists()


def test_posterior_run_resumes_byte_identically(tmp_path, shipped_toy, monkeypatch):
    assert run_cli("--out", str(tmp_path / "ref"), "-r", "4", "--per-draw", "2") == 0
    real = runs.replicate

    def stop_at_two(scenario, seed, index):
        if index >= 2:
            raise KeyboardInterrupt
        return real(scenario, seed, index)

    monkeypatch.setattr(runs, "replicate", stop_at_two)
    out = tmp_path / "resumed"
    assert run_cli("--out", str(out), "-r", "4", "--per-draw", "2") == 130
    monkeypatch.setattr(runs, "replicate", real)
    # Another seeds-per-draw is another job: not mixed in.
    assert run_cli("--out", str(out), "-r", "4", "--per-draw", "1") == 2
    assert run_cli("--out", str(out), "-r", "4", "--per-draw", "2") == 0
    for name in ("summary.csv", "timeseries.csv", "predictive.json", "timeseries.parquet"):
        a = (tmp_path / "ref" / "baseline" / "seed0-x4" / name).read_bytes()
        assert (out / "baseline" / "seed0-x4" / name).read_bytes() == a, name


# --- compare experiments -----------------------------------------------------------------------


def compare_file(tmp_path, extra: str = "") -> str:
    path = tmp_path / "cmp.yaml"
    path.write_text(
        "name: cmp\ntype: compare\nseed: 3\nreplications: 4\nbaseline: baseline\n"
        f"scenarios: [baseline, no_programme]\nseeds_per_draw: 2\n{extra}"
    )
    return str(path)


def test_compare_shares_parameter_sets_across_scenarios(tmp_path, shipped_toy):
    from werklandschap.experiments.design import build_design
    from werklandschap.experiments.spec import load_experiment

    spec = load_experiment(compare_file(tmp_path))
    assert spec.options["posterior"] is True
    design, tasks, _ = build_design(spec)
    by_scenario = {name: group for name, group in design.groupby("scenario")}
    a, b = by_scenario["baseline"], by_scenario["no_programme"]
    assert list(a["particle"]) == list(b["particle"]) and list(a["seed"]) == list(b["seed"])
    assert list(a["draw"]) == [0, 0, 1, 1]
    post = toy_posterior()
    for task, row in zip(tasks, design.itertuples(), strict=True):
        drawn = predictive.parameter_set(post, row.particle)
        assert all(task.params[k] == v for k, v in drawn.items())
    fixed, fixed_tasks, _ = build_design(
        load_experiment(compare_file(tmp_path, "posterior: false\n"))
    )
    assert "particle" not in fixed
    assert (
        fixed_tasks[0].params["peer_weight"] == runs.load_scenario("baseline").params["peer_weight"]
    )


def test_compare_reports_each_lever_under_the_posterior(tmp_path, shipped_toy):
    from werklandschap.experiments.runner import run_experiment

    folder = run_experiment(compare_file(tmp_path), tmp_path / "results", workers=1, quiet=True)
    table = pd.read_csv(folder / "posterior.csv")
    assert list(table["scenario"]) == ["baseline", "no_programme"]
    lever = table.iloc[1]
    assert lever["delta_labelled_low"] <= lever["delta_labelled"] <= lever["delta_labelled_high"]
    assert lever["delta_labelled"] < 0  # no programme labels fewer parks in every pair
    assert "Under the calibration posterior" in (folder / "report.md").read_text()


def test_compare_posterior_true_without_file_is_bad_input(tmp_path, monkeypatch):
    from werklandschap.experiments.spec import ExperimentError, load_experiment

    monkeypatch.setattr(posterior_module, "POSTERIOR_FILE", tmp_path / "absent.json")
    with pytest.raises(ExperimentError, match="posterior: true, but posterior file not found"):
        load_experiment(compare_file(tmp_path, "posterior: true\n"))
    assert load_experiment(compare_file(tmp_path)).options["posterior"] is False


# --- sensitivity and discovery conditional on the posterior -----------------------------------


def test_inverse_cdf_follows_the_weights():
    from werklandschap.experiments.types.sampled import inverse_cdf

    weights = np.array([0.25, 0.25, 0.5])
    u = np.array([0.0, 0.24, 0.25, 0.49, 0.5, 0.99, 1.0])
    assert list(inverse_cdf(weights, u)) == [0, 0, 1, 1, 2, 2, 2]
    draws = inverse_cdf(weights, np.random.default_rng(0).random(20000))
    assert np.mean(draws == 2) == pytest.approx(0.5, abs=0.02)  # sd 0.0035


@pytest.mark.parametrize("kind", ["sobol", "morris", "discovery"])
def test_sampled_designs_draw_the_calibrated_block_from_the_posterior(tmp_path, shipped_toy, kind):
    from werklandschap.experiments.design import build_design
    from werklandschap.experiments.spec import load_experiment, planned_runs

    size = {"sobol": "n: 4\nnoise_check: {points: 2, replications: 2}", "morris": "trajectories: 3",
            "discovery": "samples: 24"}[kind]  # fmt: skip
    path = tmp_path / f"{kind}.yaml"
    path.write_text(
        f"name: t\ntype: {kind}\nseed: 2\nposterior: true\n{size}\n"
        "parameters: [peer_weight, engage_rate, cost]\n"
    )
    spec = load_experiment(path)
    design, tasks, meta = build_design(spec)
    # cost: fixed during calibration, so held at its base value under the posterior
    assert [f.name for f in meta["factors"]] == ["engage_rate", "posterior"]
    assert len(design) == planned_runs(spec)
    post = toy_posterior()
    for task, row in zip(tasks, design.itertuples(), strict=True):
        drawn = predictive.parameter_set(post, row.particle)
        assert all(task.params[k] == v for k, v in drawn.items())  # the whole block
    from werklandschap.verification.calibration import FIXED

    assert {task.params["cost"] for task in tasks} == {FIXED["cost"]}
    assert set(design["particle"]) <= {0, 1, 2} and design["particle"].nunique() >= 2
    path.write_text(path.read_text().replace("posterior: true", "posterior: false"))
    prior = build_design(load_experiment(path))
    assert [f.name for f in prior[2]["factors"]] == ["peer_weight", "engage_rate", "cost"]


def test_conditional_morris_runs_and_reports_the_posterior_factor(tmp_path, shipped_toy):
    from werklandschap.experiments.runner import run_experiment

    path = tmp_path / "m.yaml"
    path.write_text(
        "name: m\ntype: morris\nseed: 2\nposterior: true\ntrajectories: 2\nbootstrap: 10\n"
        "parameters: [engage_rate]\n"
    )
    folder = run_experiment(str(path), tmp_path / "results", workers=1, quiet=True)
    assert "Conditional on the calibration posterior" in (folder / "report.md").read_text()


# --- the dashboard's compare view --------------------------------------------------------------


def test_dashboard_compare_under_the_posterior(shipped_toy):
    from werklandschap.dashboard import compare
    from werklandschap.dashboard.words import WORDS

    scenarios = compare.chosen_scenarios(None, ["no_programme"])
    done = compare.run_scenarios(scenarios, 8, seed=1, posterior=True)
    assert list(done.draws) == [0, 0, 0, 0, 1, 1, 1, 1]
    plan = PredictivePlan(toy_posterior(), 1, 8, 4)
    for name, results in done.results.items():  # both scenarios: the same parameter sets
        for r, result in enumerate(results):
            drawn = predictive.parameter_set(toy_posterior(), int(plan.columns()["particle"][r]))
            assert all(result.params[k] == v for k, v in drawn.items()), name
    stats = compare.scenario_stats(done.results, done.draws, done.seed)
    met = np.array([r.summary()["target_met"] for r in done.results["baseline"]])
    labelled = np.array([r.summary()["labelled_at_horizon"] for r in done.results["baseline"]])
    target = scenarios[0].params["target_parks"]
    c = chance(met, done.draws, 1, predictive.LEVEL, labelled, target)
    assert stats.iloc[0]["p_low"] == c.low and stats.iloc[0]["p_high"] == c.high
    for lang in ("nl", "en"):
        head = compare.compare_headline(stats, scenarios[0].params, lang, posterior=True)
        assert head.chance and head.chance in head.text
        assert "90%" in head.chance
    for key in ("chance_posterior", "posterior_switch", "interval_note_posterior", "mean_answer"):
        assert set(WORDS[key]) == {"nl", "en"}
    # A skewed spread of chances: the share of runs may lie outside the credible interval
    # (a regression: the chart's error bar then had a negative length and the view crashed).
    skewed = stats.copy()
    skewed.loc[0, ["p_target", "p_low", "p_high"]] = [0.03, 0.0, 0.02]
    figure = compare.compare_figure(done.results, skewed, "en", posterior=True)
    assert "parameter sets" in figure.axes[1].get_xlabel()
    fixed = compare.run_scenarios(scenarios, 2, seed=1, posterior=False)
    assert fixed.draws is None
    base = load_baseline_params()
    assert fixed.results["baseline"][0].params["peer_weight"] == base["peer_weight"]


def load_baseline_params():
    return runs.load_scenario("baseline").params


def test_another_posterior_is_another_experiment(tmp_path, monkeypatch, shipped_toy):
    from werklandschap.experiments.spec import load_experiment

    file = compare_file(tmp_path)
    first = load_experiment(file).source_hash
    other = Posterior(("peer_weight",), np.array([[0.3]]), np.array([1.0]))
    monkeypatch.setattr(
        posterior_module, "POSTERIOR_FILE", save_posterior(other, tmp_path / "o.json")
    )
    assert load_experiment(file).source_hash != first
    fixed = compare_file(tmp_path, "posterior: false\n")
    assert load_experiment(fixed).source_hash == load_experiment(fixed).source_hash


def test_a_posterior_naming_unknown_parameters_is_refused_before_any_run(
    tmp_path, monkeypatch, capsys
):
    bad = Posterior(("threshold_minus_cost",), np.array([[0.1]]), np.array([1.0]))
    monkeypatch.setattr(
        posterior_module, "POSTERIOR_FILE", save_posterior(bad, tmp_path / "b.json")
    )
    out = tmp_path / "out"
    assert run_cli("--out", str(out), "--posterior") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "threshold_minus_cost" in err
    assert not out.exists()
