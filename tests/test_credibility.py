"""Credibility tooling: the parameter table is current, calibration and the validation report run."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from werklandschap.cli import params_markdown
from werklandschap.experiments import calibration
from werklandschap.experiments.validation import fit_bass
from werklandschap.model.bass import bass_curve
from werklandschap.model.parameters import PARAMETERS

ROOT = Path(__file__).resolve().parent.parent


def test_docs_parameters_md_is_current():
    checked_in = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert checked_in == params_markdown(list(PARAMETERS)), (
        "docs/parameters.md is stale: run `werklandschap params --markdown > docs/parameters.md`"
    )


def test_distance_is_zero_inside_targets_and_grows_outside():
    inside = {"share_14y": 0.16, "new_per_year": 44.0}
    assert calibration.distance(inside) == 0
    low = {"share_14y": 0.12, "new_per_year": 44.0}
    lower = {"share_14y": 0.09, "new_per_year": 44.0}
    assert 0 < calibration.distance(low) < calibration.distance(lower)


def test_statistics_of_a_linear_series():
    labelled = np.arange(169) * 4  # 48 parks a year
    stats = calibration.statistics(labelled, 3646)
    assert stats["new_per_year"] == pytest.approx(48)
    assert stats["share_14y"] == pytest.approx(672 / 3646)


def test_small_calibration_accepts_the_closest_draws():
    result = calibration.calibrate(draws=6, accept=0.34, seed=3, parameters=("threshold_mean",))
    assert len(result.draws) == 6 and result.accepted.shape[0] == 2
    assert (
        result.accepted["distance"].max()
        <= result.draws["distance"].min() + result.draws["distance"].sort_values().iloc[1]
    )
    est = result.estimates["threshold_mean"]
    assert est["prior_low"] <= est["q05"] <= est["median"] <= est["q95"] <= est["prior_high"]
    assert "threshold_mean" in calibration.markdown(result)


def test_write_defaults_updates_value_and_source(tmp_path):
    copy = tmp_path / "parameters.py"
    shutil.copy(calibration.PARAMETERS_FILE, copy)
    estimates = {"threshold_mean": {"median": 0.4567}, "plan_months": {"median": 7.25}}
    calibration.write_defaults(estimates, copy)
    spec = importlib.util.spec_from_file_location("patched_parameters", copy)
    module = importlib.util.module_from_spec(spec)
    sys.modules["patched_parameters"] = module  # dataclasses look their module up here
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["patched_parameters"]
    assert module.BY_NAME["threshold_mean"].default == 0.457
    assert module.BY_NAME["threshold_mean"].source == calibration.SOURCE
    assert module.BY_NAME["plan_months"].default == 7.25
    untouched = [p for p in module.PARAMETERS if p.name not in estimates]
    original = {p.name: p for p in PARAMETERS}
    assert all(vars(p) == vars(original[p.name]) for p in untouched)


def test_bass_fit_recovers_known_parameters():
    months = np.arange(169)
    share = 0.6 * bass_curve(months / 12, 0.02, 0.35)
    fit = fit_bass(months, share)
    assert fit["p"] == pytest.approx(0.02, rel=0.05)
    assert fit["q"] == pytest.approx(0.35, rel=0.05)
    assert fit["m"] == pytest.approx(0.6, rel=0.05)


def test_calibrate_command_writes_its_report(tmp_path):
    from werklandschap.cli import main

    out = tmp_path / "calibration.md"
    assert main(["calibrate", "--draws", "3", "--accept", "0.34", "--out", str(out)]) == 0
    text = out.read_text()
    assert "ABC" in text or "Approximate Bayesian computation" in text
    for name in calibration.CALIBRATED:
        assert f"`{name}`" in text


def test_validation_command_writes_report_and_figures(tmp_path):
    import pandas as pd

    from werklandschap.cli import main

    morris = tmp_path / "morris"
    morris.mkdir()
    pd.DataFrame(
        {
            "factor": ["peer_weight", "cost"],
            "mu": [5.0, -2.0],
            "mu_star": [5.0, 2.0],
            "mu_star_conf": [1.0, 0.5],
            "sigma": [3.0, 1.0],
        }
    ).to_csv(morris / "morris_labelled_at_horizon.csv", index=False)
    docs = tmp_path / "docs"
    assert main(["validation", "-r", "2", "--sensitivity", str(morris), "--out", str(docs)]) == 0
    text = (docs / "validation.md").read_text()
    for section in ("## The answer", "## Patterns", "## Bass fits", "## What matters most"):
        assert section in text
    assert "KVO-B" in text and "`peer_weight`" in text
    assert text.index("`peer_weight`") < text.index("`cost`")  # ranked by mu*
    for png in ("validation_kvo_b.png", "validation_bass.png", "validation_mission.png"):
        assert (docs / "img" / png).stat().st_size > 10_000
