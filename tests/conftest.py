"""Shared fixtures (replicated runs cached per session) and the test tiers.

Tiers (markers registered in pyproject.toml, assigned here so test files need no edits):

- `browser`: drives the dashboard in the system Chromium (tests that use the `browser` fixture);
- `notebook`: tests/test_notebooks.py (executes the student notebooks in a kernel);
- `docking`: tests/test_docking.py (100 seeds per scenario of the per-agent reference);
- `slow`: everything above plus the slow end-to-end tests in `SLOW_TESTS`.

`make test` runs everything (the CI gate); `make test-fast` runs `-m "not slow"` for the edit loop.
Under pytest-xdist (`-n 2`) the modules whose tests share state — test_dashboard.py (one dashboard
server, one browser tab in a fixed order of tests, its screenshots) and test_docking.py (cached
reference samples, 45 s to compute) — each go to one worker as a whole; every other test is
distributed on its own (`pytest_xdist_make_scheduler` below). The runs test_mechanisms.py shares
are cheap (a few seconds per worker), so its tests are spread: that halves its wall time. Not with `xdist_group` marks and `--dist loadgroup`:
pytest-xdist 3.8 ignores them under pytest 9.2 (pytest-dev/pytest-xdist#1386).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from werklandschap.model.outcomes import RunResult
from werklandschap.model.scenario import load_scenario
from werklandschap.runs.runs import run_replications

SEEDS = 30  # replications for statistical mechanism tests


@cache
def _runs(scenario_name: str, overrides: tuple, seeds: int) -> list[RunResult]:
    scenario = load_scenario(scenario_name)
    if overrides:
        scenario = scenario.with_params(**dict(overrides))
    return run_replications(scenario, seed=2026, replications=seeds)


@pytest.fixture(scope="session")
def runs():
    """runs(scenario_name, seeds=SEEDS, **overrides) -> list of RunResults (cached)."""

    def get(name: str, seeds: int = SEEDS, **overrides) -> list[RunResult]:
        return _runs(name, tuple(sorted(overrides.items())), seeds)

    return get


# --- test tiers ----------------------------------------------------------------------------------
#: Whole modules in a tier (module name -> marker).
MODULE_TIERS = {"test_docking": "docking", "test_notebooks": "notebook"}
#: Slow end-to-end tests outside those modules, "module::test name" (parametrised: all cases).
SLOW_TESTS = {
    "test_experiments_exec::test_runs_are_identical_on_serial_process_pool_and_dask",
    "test_experiments_exec::test_resume_after_sigkill_loses_and_duplicates_nothing",
    # theory check at full network size and end-to-end process tests (seconds each)
    "test_critical_mass::test_built_to_tip_jumps_at_a_critical_mass_inside_the_grid",
    "test_critical_mass::test_with_peers_off_the_same_experiment_finds_no_jump",
    "test_readme_figures::test_readme_caption_quotes_what_make_run_gives",
    "test_readme_figures::test_a_stale_caption_is_detected",
    "test_experiment_safety::test_four_concurrent_writers_one_proceeds_and_nothing_is_lost",
    "test_experiment_safety::test_bad_out_and_unreachable_scheduler_are_refused_before_anything_is_written",
    "test_experiment_safety::test_no_process_of_a_killed_experiment_outlives_it",
    "test_experiment_safety::test_ctrl_c_and_sigterm_print_what_was_kept_and_how_to_resume",
    # many-seed mechanism checks of whole scenarios (each ~5-10 s of CPU)
    "test_mechanisms::test_stronger_peers_adopt_more",
    "test_mechanisms::test_zero_peer_weight_removes_peer_cascades",
    "test_ladder::test_each_rung_adds_labelled_parks",
    # ten pyabc fits of synthetic data (stand-in simulator)
    "test_calibration::test_coverage_of_the_stand_in_posterior",
    # pyabc end to end (the wiring is in the fast tier through the stand-in tests)
    "test_calibration::test_smc_is_reproducible_from_its_seed_and_finds_the_true_value",
    "test_calibration::test_calibrate_writes_the_posterior_under_results_by_default",
    # the Bass reduction on the numpy reference (the compiled core is in the fast tier and
    # tests/test_compiled.py proves both cores identical); one parametrisation each
    "test_bass::test_bass_reduction_matches_closed_form[0.03-0.38-numpy]",
    "test_bass::test_bass_reduction_matches_closed_form[0.01-0.2-numpy]",
    # end-to-end experiment types and reports on the real model (their parts have fast tests)
    "test_experiments::test_sobol_morris_sweep_end_to_end_with_the_model",
    "test_experiments::test_discovery_finds_a_prim_box",
    "test_credibility::test_validation_writes_under_results_and_copies_to_docs_only_when_asked",
    # whole-run ladder and programme counterfactuals (many seeds each)
    "test_ladder::test_without_living_labs_maturity_stays_low",
    "test_ladder::test_without_ambassadors_the_label_comes_later",
    "test_mechanisms::test_programme_labels_more_parks_than_no_programme",
}
#: Modules whose tests share session or module state: one xdist worker each.
SHARED_STATE_MODULES = ("test_dashboard", "test_docking")


def _module(item: pytest.Item) -> str:
    module = getattr(item, "module", None)
    return module.__name__.rpartition(".")[2] if module else ""


def _tiers(item: pytest.Item) -> set[str]:
    """The tier markers of one collected test (see the module docstring)."""
    module = _module(item)
    function = getattr(item, "originalname", item.name)
    tiers = set()
    if "browser" in getattr(item, "fixturenames", ()):
        tiers.add("browser")
    if module in MODULE_TIERS:
        tiers.add(MODULE_TIERS[module])
    if tiers or {f"{module}::{function}", f"{module}::{item.name}"} & SLOW_TESTS:
        tiers.add("slow")
    return tiers


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for tier in sorted(_tiers(item)):
            item.add_marker(tier)


def work_unit(nodeid: str) -> str:
    """The xdist unit of work of a test: its module when that shares state, else the test."""
    path = nodeid.split("::", 1)[0]
    return path if Path(path).stem in SHARED_STATE_MODULES else nodeid


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: ignored when xdist is not installed
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`-n N` (xdist's `--dist load`): distribute tests one by one, shared-state modules whole."""
    if config.getvalue("dist") != "load":
        return None  # an explicit --dist choice is honoured
    from xdist.scheduler import LoadScopeScheduling

    class SharedStateScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return SharedStateScheduling(config, log)
