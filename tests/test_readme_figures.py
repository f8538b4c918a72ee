"""The README's baseline caption quotes what `make run` prints and writes (docs/readme_figures.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load():
    spec = importlib.util.spec_from_file_location(
        "readme_figures", ROOT / "docs" / "readme_figures.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


readme_figures = _load()


def test_the_command_is_the_one_make_run_runs():
    # 40 replications, 2 seeds per posterior parameter set, default seed (0): the numbers
    # depend on all three
    assert readme_figures.make_run_arguments() == [
        "run",
        "baseline",
        "--replications",
        "40",
        "--per-draw",
        "2",
        "--overwrite",
    ]


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    return readme_figures.figures(tmp_path_factory.mktemp("make_run"))


def test_readme_caption_quotes_what_make_run_gives(found):
    assert readme_figures.mismatches(found) == [], (
        "README's baseline caption is stale: run `.venv/bin/python docs/readme_figures.py`"
    )
    for key in ("median", "range", "target", "reached", "label", "self_sustaining"):
        assert found[key], key


def test_a_stale_caption_is_detected(found, tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    number = found["median"].split()[-2]  # "a median of 840 parks" -> "840"
    stale = tmp_path / "README.md"
    stale.write_text(text.replace(f"a median of {number} parks", "a median of 841 parks"))
    assert [m.split(":")[0] for m in readme_figures.mismatches(found, stale)] == ["median"]


def test_month_numbers_become_words():
    assert readme_figures._date(122) == "March 2033"
    assert readme_figures._season(49) == "early 2027"
    assert readme_figures._season(52) == "mid 2027"
    assert readme_figures._season(59) == "late 2027"
