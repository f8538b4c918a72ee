"""Helpers shared by tests/test_reliability.py and tests/test_experiment_safety.py: a tiny
compare experiment, a cheap evaluate function and an in-process CLI call."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from werklandschap import cli

COMPARE = """\
type: compare
seed: 5
replications: {reps}
timeseries: false
scenarios: [baseline, double_stimulated]
"""


def cheap(task):
    """A cheap evaluate function: outcomes depend only on the seed."""
    rng = np.random.default_rng(task.seed)
    value = float(rng.integers(0, 2000))
    return {
        "labelled_at_horizon": value,
        "target_met": float(value >= 1000),
        "month_target_reached": np.nan,
        "self_sustaining": 1.0,
        "months": 168.0,
    }


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*")) if path.exists() else []


def main_exit(argv: list[str], capsys) -> tuple[int, str]:
    """Exit status and stderr of an in-process CLI call (argparse errors raise SystemExit)."""
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


def experiment_file(tmp_path: Path, text: str, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path
