"""Credibility tooling: the parameter table is current; calibration and the validation report run,
write under results/ by default and change docs/ or the calibrated values only when asked."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from werklandschap.cli import params_markdown
from werklandschap.model.parameters import (
    BY_NAME,
    CALIBRATED_FILE,
    PARAMETERS,
    UNCALIBRATED,
    CalibrationFileError,
    load_calibrated,
    overlay_calibrated,
)
from werklandschap.verification import calibration
from werklandschap.verification.bass import bass_curve
from werklandschap.verification.validation import fit_bass

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


def test_write_calibrated_records_value_source_date_and_method(tmp_path):
    path = tmp_path / "calibrated.json"
    shutil.copy(CALIBRATED_FILE, path)
    estimates = {
        "threshold_mean": {"median": 0.4567, "q05": 0.41234, "q95": 0.5},
        "plan_months": {"median": 7.25},
    }
    calibration.write_calibrated(estimates, "a test", path, date=datetime.date(2027, 1, 2))
    entries = load_calibrated(path)
    assert entries["threshold_mean"] == {
        "value": 0.457,
        "source": calibration.SOURCE,
        "date": "2027-01-02",
        "method": "a test",
        "accepted_q05": 0.412,
        "accepted_q95": 0.5,
    }
    assert entries["plan_months"]["value"] == 7.25
    spec = {p.name: p for p in overlay_calibrated(UNCALIBRATED, entries)}
    assert spec["threshold_mean"].default == 0.457
    assert spec["threshold_mean"].source == calibration.SOURCE
    assert spec["plan_months"].default == 7.25
    # the other calibrated entries are kept as they were; every other parameter is untouched
    assert entries["peer_weight"] == load_calibrated(CALIBRATED_FILE)["peer_weight"]
    untouched = set(BY_NAME) - set(estimates)
    assert all(vars(spec[name]) == vars(BY_NAME[name]) for name in untouched)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calibrated.json"]  # no temporary left


def test_write_calibrated_refuses_values_the_spec_does_not_accept(tmp_path):
    path = tmp_path / "calibrated.json"
    shutil.copy(CALIBRATED_FILE, path)
    before = path.read_bytes()
    with pytest.raises(CalibrationFileError, match="outside the limits"):
        calibration.write_calibrated({"threshold_mean": {"median": 7.0}}, "m", path)
    with pytest.raises(CalibrationFileError, match=r"unknown parameter.*peer_wieght"):
        calibration.write_calibrated({"peer_wieght": {"median": 0.2}}, "m", path)
    assert path.read_bytes() == before


def test_bass_fit_recovers_known_parameters():
    months = np.arange(169)
    share = 0.6 * bass_curve(months / 12, 0.02, 0.35)
    fit = fit_bass(months, share)
    assert fit["p"] == pytest.approx(0.02, rel=0.05)
    assert fit["q"] == pytest.approx(0.35, rel=0.05)
    assert fit["m"] == pytest.approx(0.6, rel=0.05)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def guarded(tmp_path, monkeypatch):
    """Run in an empty folder; fail when docs/ or the calibrated values of the project change."""
    monkeypatch.chdir(tmp_path)
    docs, calibrated = _tree(ROOT / "docs"), CALIBRATED_FILE.read_bytes()
    yield tmp_path
    assert _tree(ROOT / "docs") == docs, "docs/ changed"
    assert CALIBRATED_FILE.read_bytes() == calibrated, "model/data/calibrated.json changed"


def _morris_table(folder: Path) -> Path:
    folder.mkdir()
    pd.DataFrame(
        {
            "factor": ["peer_weight", "cost"],
            "mu": [5.0, -2.0],
            "mu_star": [5.0, 2.0],
            "mu_star_conf": [1.0, 0.5],
            "sigma": [3.0, 1.0],
        }
    ).to_csv(folder / "morris_labelled_at_horizon.csv", index=False)
    return folder


def test_validation_writes_under_results_and_copies_to_docs_only_when_asked(guarded):
    from werklandschap.cli import main

    morris = _morris_table(guarded / "morris")
    assert main(["validation", "-r", "2", "--sensitivity", str(morris)]) == 0
    out = guarded / "results" / "validation"
    text = (out / "validation.md").read_text()
    for section in ("## The answer", "## Patterns", "## Bass fits", "## What matters most"):
        assert section in text
    assert "KVO-B" in text and "`peer_weight`" in text
    assert text.index("`peer_weight`") < text.index("`cost`")  # ranked by mu*
    figures = sorted(p.name for p in (out / "img").iterdir())
    for png in ("validation_kvo_b.png", "validation_bass.png", "validation_mission.png"):
        assert (out / "img" / png).stat().st_size > 10_000
        assert f"img/{png}" in text
    assert sorted(p.name for p in guarded.iterdir()) == ["morris", "results"]

    docs = guarded / "docs"
    args = ["validation", "-r", "2", "--sensitivity", str(morris), "--out", "v"]
    assert main([*args, "--docs", str(docs)]) == 0
    assert (docs / "validation.md").read_text() == (guarded / "v" / "validation.md").read_text()
    assert sorted(p.name for p in (docs / "img").iterdir()) == figures


def test_validation_bad_sensitivity_folder_exits_2_before_any_run(guarded, capsys):
    from werklandschap.cli import main

    assert main(["validation", "--sensitivity", "nowhere"]) == 2
    assert "no Morris results in nowhere" in capsys.readouterr().err
    assert not any(guarded.iterdir())


def test_docs_calibration_md_reports_the_values_the_spec_uses():
    """docs/calibration.md (from `calibrate --write --docs`) and model/data/calibrated.json agree."""
    text = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    for name, entry in load_calibrated().items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
        assert row.split("|")[3].strip() == str(entry["value"]), name
        assert BY_NAME[name].default == entry["value"]


def test_validation_docs_keep_the_sections_other_commands_write(tmp_path):
    """`validation --docs` replaces docs/validation.md but keeps the held-out, value-of-
    information and phase-1 sections that calibrate/voi wrote there."""
    from werklandschap.verification.cli_credibility import publish_report

    docs, report = tmp_path / "docs", tmp_path / "out" / "validation.md"
    docs.mkdir()
    report.parent.mkdir()
    (docs / "validation.md").write_text(
        "# old\n\n## Patterns\n\nold patterns\n\n## Held-out prediction\n\nheld out 63\n\n"
        "## Phase-1 selection check\n\nrank 5\n"
    )
    report.write_text("# new\n\n## Patterns\n\nnew patterns\n")
    publish_report(report, docs)
    text = (docs / "validation.md").read_text()
    assert "new patterns" in text and "old patterns" not in text
    assert "held out 63" in text and "rank 5" in text
    assert "## Value of information" not in text  # nothing invented
