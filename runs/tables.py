"""The files of replicated runs: summary, time series and provinces tables, the manifest, and one
replication saved to and loaded from disk (.npz) for resuming. Columns are typed and described
as declared in model/output_columns.py (see docs/outputs.md)."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from werklandschap.model import output_columns as oc
from werklandschap.model.outcomes import STAGE_NAMES, RunResult
from werklandschap.model.scenario import Scenario
from werklandschap.runs.provenance import provenance

ROWS_PER_GROUP = 100  # replications per Parquet row group of timeseries.parquet


# --- tables -------------------------------------------------------------------------------


def summary_frame(
    results: Iterable[RunResult], parameter_sets: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row of summary outcomes per replication, typed as declared, dates beside months."""
    frame = pd.DataFrame([r.summary() for r in results])
    frame.insert(0, "replication", np.arange(len(frame)))
    return oc.typed(with_parameter_sets(oc.with_dates(frame), parameter_sets), oc.RUN_SUMMARY)


def with_parameter_sets(frame: pd.DataFrame, parameter_sets: pd.DataFrame | None) -> pd.DataFrame:
    """`frame` with the `draw` and `particle` columns (posterior-predictive runs,
    runs/predictive.py); empty when every replication used the scenario's fixed parameters."""
    for name in ("draw", "particle"):
        values = parameter_sets[name].to_numpy() if parameter_sets is not None else pd.NA
        frame[name] = values
    return frame


def long_timeseries(result: RunResult, replication: int) -> pd.DataFrame:
    """National stage counts of one replication in long format (one row per month and stage)."""
    months = result.stage_counts.shape[0]
    stages = len(STAGE_NAMES)
    month = np.repeat(np.arange(months), stages)
    frame = pd.DataFrame(
        {
            "scenario": result.scenario,
            "replication": replication,
            "month": month,
            "date": np.repeat(oc.months_to_dates(np.arange(months)).to_numpy(), stages),
            "stage": np.tile(np.asarray(STAGE_NAMES), months),
            "parks": result.stage_counts.reshape(-1),
        }
    )
    return oc.typed(frame, oc.RUN_TIMESERIES)


def _with_replication(frame: pd.DataFrame, replication: int) -> pd.DataFrame:
    frame.insert(0, "replication", replication)
    return frame


def write_tables(
    results: Iterable[RunResult], folder: Path, parameter_sets: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Write the tables of `results` (in replication order) into `folder`; return the summary.

    `parameter_sets` (columns `draw`, `particle`, one row per replication) says which posterior
    parameter set each replication used; None for fixed parameters.

    Streams: each replication's rows are appended as it comes, so memory does not grow with the
    number of replications (except the one summary row per replication).
    """
    summaries: list[dict[str, Any]] = []
    writer: pq.ParquetWriter | None = None
    pending: list[pa.Table] = []

    def flush() -> None:
        nonlocal writer
        if not pending:
            return
        table = pa.concat_tables(pending)
        if writer is None:
            writer = pq.ParquetWriter(folder / oc.RUN_TIMESERIES.name, table.schema)
        writer.write_table(table)
        pending.clear()

    try:
        for r, result in enumerate(results):
            mode, header = ("w", True) if r == 0 else ("a", False)
            national = _with_replication(result.timeseries(), r)
            national.to_csv(folder / "timeseries.csv", mode=mode, header=header, index=False)
            provinces = _with_replication(result.province_timeseries(), r)
            provinces.to_csv(folder / "provinces.csv", mode=mode, header=header, index=False)
            pending.append(oc.arrow_table(long_timeseries(result, r), oc.RUN_TIMESERIES))
            if len(pending) >= ROWS_PER_GROUP:
                flush()
            summaries.append(result.summary())
        flush()
    finally:
        if writer is not None:
            writer.close()
    frame = pd.DataFrame(summaries)
    frame.insert(0, "replication", np.arange(len(frame)))
    summary = oc.typed(with_parameter_sets(oc.with_dates(frame), parameter_sets), oc.RUN_SUMMARY)
    summary.to_csv(folder / oc.RUN_SUMMARY.name, index=False)
    return summary


def run_manifest(
    summary: pd.DataFrame,
    scenario: Scenario,
    seed: int,
    elapsed_s: float,
    months: int,
    sessions: int = 1,
) -> dict[str, Any]:
    """What is needed to reproduce and judge these runs (keys declared in output_columns)."""
    labelled = summary["labelled_at_horizon"].to_numpy(dtype=float)
    manifest = {
        "scenario": scenario.name,
        "description": scenario.description,
        "overrides": dict(scenario.overrides),
        "parameters": dict(scenario.params),
        "seed": seed,
        "replications": len(summary),
        "replication_seeds": [int(s) for s in summary["seed"]],
        "months": months,
        "elapsed_seconds": round(elapsed_s, 3),
        "sessions": sessions,
        "labelled_at_horizon_mean": float(labelled.mean()) if labelled.size else None,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **provenance(),
    }
    assert list(manifest) == list(oc.RUN_MANIFEST), "declare manifest keys in output_columns"
    return manifest


# --- one replication on disk -----------------------------------------------------------------


def save_result(result: RunResult, path: Path) -> None:
    """Write one replication (every field of the RunResult) atomically to `path` (.npz)."""
    arrays = {
        f.name: getattr(result, f.name)
        for f in dataclasses.fields(result)
        if isinstance(getattr(result, f.name), np.ndarray)
    }
    meta = {
        "scenario": result.scenario,
        "params": dict(result.params),
        "seed": result.seed,
        "months": result.months,
        "province_names": list(result.province_names),
    }
    tmp = path.with_name(f"{path.name}.tmp")
    try:
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, meta=np.array(json.dumps(meta, default=list)), **arrays)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # ours; only left when writing failed or was interrupted


def load_result(path: Path) -> RunResult:
    """The RunResult saved by `save_result` (exactly: same arrays, dtypes and parameters)."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        arrays = {k: data[k] for k in data.files if k != "meta"}
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in meta["params"].items()}
    return RunResult(
        scenario=meta["scenario"],
        params=params,
        seed=meta["seed"],
        months=meta["months"],
        province_names=tuple(meta["province_names"]),
        **arrays,
    )
