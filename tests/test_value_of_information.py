"""Value of information (experiments/analysis/value_of_information.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from werklandschap.experiments.analysis import value_of_information as voi
from werklandschap.model.model import run
from werklandschap.model.posterior import Posterior
from werklandschap.model.scenario import load_scenario
from werklandschap.runs.predictive import with_particle


@pytest.mark.parametrize("seed", range(5))
def test_known_answer_on_a_toy_function(seed):
    # Y = 3 X1 + X2 + noise, X ~ U(0, 1): Var(E[Y|X1]) = 9/12, Var(E[Y|X2]) = 1/12, X3: 0.
    rng = np.random.default_rng(seed)
    x = rng.random((2000, 3))
    y = 3 * x[:, 0] + x[:, 1] + rng.normal(0, 0.5, 2000)
    assert voi.explained_variance(x[:, 0], y) == pytest.approx(0.75, abs=0.08)
    assert voi.explained_variance(x[:, 1], y) == pytest.approx(1 / 12, abs=0.03)
    assert voi.explained_variance(x[:, 2], y) < 0.02


@pytest.mark.parametrize("seed", range(3))
def test_non_monotone_effect_is_found(seed):
    # E[Y|X] = sin(2 pi X): Var = 1/2, although a linear regression would find ~0.
    rng = np.random.default_rng(seed)
    x = rng.random(3000)
    y = np.sin(2 * np.pi * x) + rng.normal(0, 1, 3000)
    assert voi.explained_variance(x, y) == pytest.approx(0.5, abs=0.08)
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.6  # far from a linear answer


def test_indicator_outcome():
    # P(Y = 1 | X) = X: Var(E[Y|X]) = 1/12 out of Var(Y) = 1/4.
    rng = np.random.default_rng(0)
    x = rng.random(4000)
    y = (rng.random(4000) < x).astype(float)
    assert voi.explained_variance(x, y) == pytest.approx(1 / 12, abs=0.015)


def toy_posterior() -> Posterior:
    return Posterior(("peer_weight",), np.array([[0.05], [0.9]]), np.array([1.0, 1.0]))


def test_design_draws_particles_and_assumptions_in_range():
    plan = voi.design(toy_posterior(), 50, seed=4, assumptions=["engage_rate", "plan_months"])
    assert set(plan.inputs["particle"]) == {0, 1}
    assert plan.inputs["peer_weight"].isin([0.05, 0.9]).all()
    assert plan.inputs["engage_rate"].between(0.03, 0.2).all()
    again = voi.design(toy_posterior(), 50, seed=4, assumptions=["engage_rate", "plan_months"])
    pd.testing.assert_frame_equal(plan.inputs, again.inputs)


def test_run_design_runs_each_row_with_its_inputs():
    post = toy_posterior()
    plan = voi.design(post, 3, seed=1, assumptions=["engage_rate"])
    scenario = load_scenario("baseline")
    results = voi.run_design(scenario, post, plan)
    row = plan.inputs.iloc[2]
    expected = run(
        with_particle(scenario, post, int(row["particle"])).with_params(
            engage_rate=float(row["engage_rate"])
        ),
        int(plan.seeds[2]),
    ).summary()
    assert results["labelled_at_horizon"].iloc[2] == expected["labelled_at_horizon"]
    table = voi.voi_table(results, ["peer_weight", "engage_rate"], {})
    assert set(table["input"]) == {"peer_weight", "engage_rate"}
    assert "Measuring" in voi.markdown(table, results, "baseline", 1)


def test_voi_command_writes_once_and_refuses_bad_input(tmp_path, monkeypatch, capsys):
    from werklandschap.cli import main
    from werklandschap.model import posterior as posterior_module
    from werklandschap.model.posterior import save_posterior

    path = save_posterior(toy_posterior(), tmp_path / "posterior.json")
    monkeypatch.setattr(posterior_module, "POSTERIOR_FILE", path)
    out = tmp_path / "results"
    assert main(["voi", "--runs", "4", "--out", str(out), "--assumptions", "nonsense"]) == 2
    assert "not numeric spec parameters: nonsense" in capsys.readouterr().err
    assert not out.exists()
    args = ["voi", "--runs", "4", "--out", str(out), "--assumptions", "engage_rate"]
    assert main(args) == 0
    folder = out / "value_of_information" / "baseline-seed2026-n4"
    assert {p.name for p in folder.iterdir()} >= {"voi.csv", "voi.md", "runs.csv"}
    assert main(args) == 2  # exists: not replaced without --overwrite
    assert main([*args, "--overwrite"]) == 0


def test_the_calibrations_fixed_parameters_are_not_varied():
    """cost was fixed during calibration, so the posterior is conditional on it: the default
    assumptions leave it out, and keep the other unsourced uncertainties."""
    from werklandschap.experiments.analysis.value_of_information import key_assumptions
    from werklandschap.verification.calibration import FIXED

    names = key_assumptions()
    assert "cost" in FIXED and "cost" not in names
    assert {"decision_noise", "engage_rate"} <= set(names)
