"""Replicated runs of one scenario and the files they leave behind.

Seeds: replication r of a run with seed s uses `derive_seed(s, r)` (numpy SeedSequence spawning),
so every run's seed follows from the user's seed and the run's index, on any machine or executor.
Two scenarios run with the same seed share their replication seeds (common random numbers).

Output of `write_runs` (results/<scenario>/<run-name>/), written to a temporary folder first and
moved into place at the end, so a failure never leaves a half-written folder:
- timeseries.csv  national monthly series per replication (stages, engagements by driver, ...)
- provinces.csv   monthly stage counts per province per replication
- summary.csv     one row of summary outcomes per replication
- manifest.json   scenario, every parameter value, seeds, versions, git commit, timing
- figures/        s_curve.png, provinces.png, map.png
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from werklandschap.experiments.provenance import provenance
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.outcomes import RunResult
from werklandschap.model.scenario import Scenario, load_scenario


def derive_seed(seed: int, index: int) -> int:
    """The seed of run `index` of a job seeded with `seed` (SeedSequence spawn key)."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(index,))
    return int(sequence.generate_state(1, np.uint32)[0])


def run_replications(
    scenario: Scenario | str,
    seed: int = 0,
    replications: int = 1,
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
) -> list[RunResult]:
    """Run a scenario `replications` times with seeds derived from `seed`."""
    scenario = load_scenario(scenario)
    indices: Iterable[int] = range(replications)
    if progress is not None:
        indices = progress(indices)
    return [
        WerklandschapModel(scenario, rng=derive_seed(seed, r), park_agents=False)
        .run_to_end()
        .result()
        for r in indices
    ]


def summary_frame(results: list[RunResult]) -> pd.DataFrame:
    """One row of summary outcomes per replication."""
    frame = pd.DataFrame([r.summary() for r in results])
    frame.insert(0, "replication", np.arange(len(results)))
    return frame


def _stacked(results: list[RunResult], table: str) -> pd.DataFrame:
    frames = []
    for r, result in enumerate(results):
        frame = getattr(result, table)()
        frame.insert(0, "replication", r)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def write_runs(
    results: list[RunResult],
    scenario: Scenario,
    out_dir: Path,
    seed: int,
    elapsed_s: float,
    figures: bool = True,
) -> Path:
    """Write tables, manifest and figures of replicated runs into `out_dir` (atomically)."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        _stacked(results, "timeseries").to_csv(staging / "timeseries.csv", index=False)
        _stacked(results, "province_timeseries").to_csv(staging / "provinces.csv", index=False)
        summary = summary_frame(results)
        summary.to_csv(staging / "summary.csv", index=False)
        manifest = run_manifest(results, scenario, seed, elapsed_s)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
        if figures:
            from werklandschap.experiments import plots  # matplotlib only when drawing

            plots.write_run_figures(results, scenario, staging / "figures")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def run_manifest(
    results: list[RunResult], scenario: Scenario, seed: int, elapsed_s: float
) -> dict[str, Any]:
    """What is needed to reproduce and judge these runs."""
    labelled = np.array([r.summary()["labelled_at_horizon"] for r in results])
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "overrides": dict(scenario.overrides),
        "parameters": dict(scenario.params),
        "seed": seed,
        "replications": len(results),
        "replication_seeds": [r.seed for r in results],
        "months": results[0].months if results else 0,
        "elapsed_seconds": round(elapsed_s, 3),
        "labelled_at_horizon_mean": float(labelled.mean()) if labelled.size else None,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **provenance(),
    }
