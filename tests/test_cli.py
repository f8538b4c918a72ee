"""The command line end to end: run writes tables, manifest and figures; bad input exits 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from werklandschap.cli import main, params_markdown
from werklandschap.model.parameters import PARAMETERS


def cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "werklandschap.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_run_baseline_writes_results_and_figures(tmp_path):
    done = cli("run", "baseline", "--replications", "3", "--seed", "5", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "baseline" / "seed5-x3"
    for name in (
        "timeseries.csv",
        "provinces.csv",
        "summary.csv",
        "manifest.json",
        "timeseries.parquet",
        ".werklandschap-run",
    ):
        assert (folder / name).stat().st_size > 0
    for name in ("s_curve.png", "provinces.png", "map.png"):
        png = (folder / "figures" / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["scenario"] == "baseline" and manifest["seed"] == 5
    assert manifest["parameters"]["n_stimulated"] == 150
    assert len(manifest["replication_seeds"]) == 3
    assert manifest["versions"]["mesa"].startswith("3.5")
    summary = pd.read_csv(folder / "summary.csv")
    assert len(summary) == 3 and "labelled_at_horizon" in summary
    series = pd.read_csv(folder / "timeseries.csv")
    assert len(series) == 3 * 169
    provinces = pd.read_csv(folder / "provinces.csv")
    assert len(provinces) == 3 * 169 * 12
    assert (tmp_path / "baseline").iterdir().__next__().name == "seed5-x3"  # no staging left


def test_run_a_scenario_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nparameters:\n  n_stimulated: 20\n")
    done = cli("run", str(path), "--out", str(tmp_path / "out"), "--no-figures", "--name", "x")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "out" / "mine" / "x" / "manifest.json").read_text())
    assert manifest["overrides"] == {"n_stimulated": 20}


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "baselien"], "did you mean 'baseline'"),
        (["run", "missing.yaml"], "not found"),
        (["run", "baseline", "--replications", "0"], "must be at least 1"),
        (["run", "baseline", "--replications", "1000001"], "at most 1,000,000"),
        (["run", "baseline", "--name", ".."], "not a plain name"),
        (["run", "baseline", "--name", "a/b"], "not a plain name"),
        (["validate", "missing.yaml"], "not found"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, args, message):
    done = cli(*args, "--out", str(tmp_path)) if args[0] == "run" else cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert not any(tmp_path.iterdir())


def test_validate_bad_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("parameters:\n  peer_wieght: 1\n")
    done = cli("validate", str(bad))
    assert done.returncode == 2
    assert "unknown parameter 'peer_wieght'" in done.stderr and "peer_weight" in done.stderr


def test_scenarios_and_params(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "baseline" in out and "no_programme" in out
    assert main(["params", "--kind", "lever"]) == 0
    out = capsys.readouterr().out
    assert "n_stimulated" in out and "peer_weight" not in out


def test_params_markdown_lists_every_parameter():
    table = params_markdown(list(PARAMETERS))
    for p in PARAMETERS:
        assert f"`{p.name}`" in table


def test_run_interrupted_by_ctrl_c_exits_130_with_a_resume_hint(tmp_path):
    """A real SIGINT to the process (not a monkeypatch): one line, no traceback, work kept."""
    import signal
    import time

    out = tmp_path / "out"
    command = ["run", "baseline", "-r", "400", "--no-figures", "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "werklandschap.cli", *command],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        # as from a terminal: a Ctrl-C ignored by the test runner's process would be inherited
        # (an ignored signal survives exec) and the run would never see it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    staging = out / "baseline" / ".seed0-x400.partial" / "replications"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(staging.glob("*.npz"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "run the same command again to resume" in err.strip().splitlines()[-1]
    assert len(list(staging.glob("*.npz"))) >= 2
