"""The test tiers of tests/conftest.py: what `make test-fast` leaves out, and how tests that share
state are kept together on one xdist worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import work_unit

ROOT = Path(__file__).resolve().parent.parent


DUMP = """
import pytest

@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        tiers = sorted({m.name for m in item.iter_markers()} & {"browser", "notebook", "docking", "slow"})
        print("TIERS", item.nodeid, ",".join(tiers))
"""


def test_the_fast_tier_leaves_out_browser_notebook_docking_and_slow_tests(tmp_path):
    (tmp_path / "tier_dump.py").write_text(DUMP)
    command = ["-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-p", "tier_dump"]
    done = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    tiers = {}
    for line in done.stdout.splitlines():
        if line.startswith("TIERS "):
            _, nodeid, *names = line.split(" ")
            tiers[nodeid] = set(names[0].split(",")) - {""} if names else set()
    fast = {n for n, t in tiers.items() if "slow" not in t}
    by_tier = {
        k: {n for n, t in tiers.items() if k in t} for k in ("browser", "notebook", "docking")
    }
    assert fast and len(fast) < len(tiers)
    for nodeid in fast:
        assert not nodeid.startswith(("tests/test_docking.py", "tests/test_notebooks.py"))
        assert "::test_browser_" not in nodeid and "test_experiments_exec.py" not in nodeid
    assert by_tier["browser"] and all(
        "test_dashboard.py::test_browser_" in n for n in by_tier["browser"]
    )
    assert {n.split("::")[0] for n in by_tier["docking"]} == {"tests/test_docking.py"}
    assert {n.split("::")[0] for n in by_tier["notebook"]} == {"tests/test_notebooks.py"}
    assert all("slow" in tiers[n] for tier in by_tier.values() for n in tier)
    # the dashboard's tests without a browser stay in the fast tier
    assert any(n.startswith("tests/test_dashboard_controls.py::test_controls") for n in fast)


def test_modules_that_share_state_are_one_unit_of_work():
    browser = "tests/test_dashboard.py::test_browser_lever_step_and_views"
    assert work_unit(browser) == "tests/test_dashboard.py"
    mechanism = "tests/test_mechanisms.py::test_stronger_peers_adopt_more"
    assert work_unit(mechanism) == mechanism  # cheap cache: spread over the workers
    assert work_unit("tests/test_docking.py::test_x[baseline]") == "tests/test_docking.py"
    other = "tests/test_notebooks.py::test_notebook_runs[01_quick_start]"
    assert work_unit(other) == other
