"""Shared fixtures: replicated runs are cached per session so tests stay fast."""

from __future__ import annotations

from functools import cache

import pytest

from werklandschap.experiments.runs import run_replications
from werklandschap.model.outcomes import RunResult
from werklandschap.model.scenario import Scenario, load_scenario

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


def short(scenario: str | Scenario = "baseline", **overrides) -> Scenario:
    """A scenario with a short run (for tests that step month by month)."""
    scenario = load_scenario(scenario)
    return scenario.with_params(**overrides)
