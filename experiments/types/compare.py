"""Experiment type `compare`: shipped scenarios or scenario files against a baseline, with common
random numbers (replication r of every scenario uses `seeds.replication(seed, r)`).

`posterior: true` (the default when the posterior file exists): replication r of every scenario
also uses the same parameter set drawn from the calibration posterior (runs/predictive.py;
`seeds_per_draw` replications per set), so paired differences are under the posterior."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from werklandschap.runs import predictive

KEYS: dict[str, Any] = {"scenarios": list, "baseline": str, **predictive.EXPERIMENT_KEYS}
TIMESERIES = True


def options(where: str, opts: dict[str, Any]) -> dict[str, Any]:
    """`scenarios` (1..limit, each loadable, no label twice) and `baseline` (one of them)."""
    from werklandschap.experiments.spec import (
        ExperimentError,
        _bounded,
        _scenario,
        _suggest,
        short,
    )

    if "scenarios" not in opts or len(opts["scenarios"]) < 1:
        raise ExperimentError(f"{where}: compare needs a non-empty list 'scenarios'")
    _bounded(where, "scenarios (count)", len(opts["scenarios"]), "scenarios")
    names = [str(s) for s in opts["scenarios"]]
    loaded = [_scenario(where, "scenarios", s) for s in names]
    labels = [s.name for s in loaded]
    if len(set(labels)) != len(labels):
        raise ExperimentError(f"{where}: a scenario is listed twice")
    opts["scenarios"] = names
    baseline = opts.setdefault("baseline", "baseline")
    if baseline not in labels:
        raise ExperimentError(
            f"{where}: baseline {short(baseline)} is not among the scenarios"
            f"{_suggest(baseline, labels)}"
        )
    return predictive.experiment_options(where, opts)


def planned_runs(spec) -> int:
    """Scenarios x replications."""
    return len(spec.options["scenarios"]) * spec.replications


def design(spec) -> tuple[list[dict[str, Any]], list, dict[str, Any]]:
    """Every scenario `replications` times, replication r with the same seed in each."""
    from werklandschap.experiments.design import Task
    from werklandschap.model import seeds
    from werklandschap.model.scenario import load_scenario

    plan = predictive.experiment_plan(spec, spec.replications)
    rows: list[dict[str, Any]] = []
    tasks: list[Task] = []
    for k, name in enumerate(spec.options["scenarios"]):
        scenario = load_scenario(name)
        for r in range(spec.replications):
            seed = seeds.replication(spec.seed, r)
            row = {
                "run_id": len(rows),
                "scenario": scenario.name,
                "scenario_index": k,
                "replication": r,
                "seed": seed,
            }
            run_scenario = scenario
            if plan is not None:  # the same parameter set for replication r of every scenario
                run_scenario = plan.scenario_for(scenario, r)
                row.update(predictive.design_columns(plan, r, run_scenario))
            rows.append(row)
            tasks.append(Task(len(tasks), seed, run_scenario))
    return rows, tasks, {}


def analyse(
    spec, runs: pd.DataFrame, series: pd.DataFrame | None, folder: Path, meta: dict[str, Any]
) -> str:
    """Scenario table, paired effects against the baseline, fan and forest figures."""
    from werklandschap.experiments.analysis import compare

    text = compare.analyse(spec, runs, series, folder)
    if not spec.options.get("posterior") or "draw" not in runs:
        return text
    baseline = spec.options["baseline"]  # a scenario name (options() checks it)
    table = predictive.compare_table(runs, baseline, spec.seed)
    table.to_csv(folder / "posterior.csv", index=False)
    per_draw = predictive.experiment_plan(spec, spec.replications).per_draw
    return text + "\n\n" + predictive.compare_section(table, baseline, per_draw)
