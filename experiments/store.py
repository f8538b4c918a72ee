"""The results folder of an experiment: design, run journal (resumable) and final tables.

results/<experiment-name>/
- experiment.yaml   the experiment file as run (its sha256, with command-line overrides, is the
                    experiment's identity)
- design.parquet    one row per run: run_id, seed, scenario or sampled values (written first)
- journal/          part-NNNNNN.parquet: finished runs, appended in chunks. Each part is written
                    to a temporary file and renamed, so a kill at any moment leaves only whole
                    parts. On a rerun, runs whose run_id is in the journal are skipped; duplicate
                    run_ids (impossible unless a part is copied by hand) are dropped on reading.
- state.json        identity and the list of sessions (start, end, runs done), atomically written
- runs.parquet      design + status/error + outcomes, sorted by run_id (no timings, so it is
                    identical to the bit whatever the executor or worker count)
- timeseries.parquet  labelled parks per month per run (long: run_id, month, date,
                    labelled), when kept; columns in docs/outputs.md
- manifest.json, report.md, figures/, tables (*.csv)

Runs are only added to a folder made with the same git commit (no mixing of model versions).
A folder made by a different experiment file (different hash) is refused with a clear error;
`restart=True` (CLI `--restart`) discards it and starts again.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from werklandschap.experiments.executors import OUTCOMES, Record
from werklandschap.experiments.provenance import git_commit
from werklandschap.experiments.spec import ExperimentError, ExperimentSpec

FLUSH_RECORDS = 200  # write a journal part after this many finished runs ...
FLUSH_SECONDS = 5.0  # ... or after this many seconds, whichever comes first


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write a file so that readers see the old or the new content, never a partial one."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data.encode() if isinstance(data, str) else data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


class Store:
    """Journal and files of one experiment's results folder."""

    def __init__(
        self, folder: Path, spec: ExperimentSpec, design: pd.DataFrame, restart: bool = False
    ) -> None:
        self.folder = Path(folder)
        self.spec = spec
        self.journal = self.folder / "journal"
        state_file = self.folder / "state.json"
        if self.folder.exists() and restart:
            shutil.rmtree(self.folder)
        if state_file.exists():
            state = json.loads(state_file.read_text())
            if state.get("hash") != spec.source_hash:
                raise ExperimentError(
                    f"{self.folder} holds runs of a different version of experiment "
                    f"{spec.name!r} (file changed since). Rerun with --restart to discard them, "
                    "or give the experiment another name"
                )
            self.state = state
        else:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self.folder / "experiment.yaml", spec.source_text)
            atomic_write(self.folder / "design.parquet", parquet_bytes(design))
            self.state = {
                "git_commit": git_commit(),
                "name": spec.name,
                "type": spec.type,
                "hash": spec.source_hash,
                "runs": len(design),
                "sessions": [],
            }
            self._save_state()
        self.journal.mkdir(exist_ok=True)
        self._buffer: list[Record] = []
        self._last_flush = time.monotonic()

    def check_model_version(self) -> None:
        """Refuse to add runs made by another commit of the model to existing results."""
        made_with, now = self.state.get("git_commit"), git_commit()
        if made_with and now and made_with.split("+")[0] != now.split("+")[0]:
            raise ExperimentError(
                f"{self.folder} holds runs made with commit {made_with[:12]}, but the code is now "
                f"at {now[:12]}; new runs would mix model versions. Rerun with --restart"
            )

    def _save_state(self) -> None:
        atomic_write(self.folder / "state.json", json.dumps(self.state, indent=2))

    def _parts(self) -> list[Path]:
        return sorted(self.journal.glob("part-*.parquet"))

    def journal_frame(self) -> pd.DataFrame:
        """Every finished run in the journal (one row per run_id)."""
        parts = [pd.read_parquet(p) for p in self._parts()]
        if not parts:
            return pd.DataFrame({"run_id": pd.Series([], dtype="int64")})
        frame = pd.concat(parts, ignore_index=True)
        return frame.drop_duplicates("run_id", keep="first").sort_values("run_id")

    def completed(self) -> set[int]:
        """run_ids already in the journal (to skip on resume)."""
        ids: set[int] = set()
        for part in self._parts():
            ids.update(pd.read_parquet(part, columns=["run_id"])["run_id"].tolist())
        return ids

    def add(self, record: Record) -> None:
        """Buffer a finished run; write a journal part when the buffer is due."""
        self._buffer.append(record)
        due = time.monotonic() - self._last_flush >= FLUSH_SECONDS
        if len(self._buffer) >= FLUSH_RECORDS or due:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        rows = []
        for rec in self._buffer:
            row = {
                "run_id": rec["run_id"],
                "status": rec["status"],
                "error": rec["error"],
                "seconds": rec["seconds"],
                **rec["outcomes"],
            }
            if self.spec.timeseries and rec["labelled"] is not None:
                row["labelled"] = np.asarray(rec["labelled"], dtype=np.int32)
            rows.append(row)
        frame = pd.DataFrame(rows)
        numbers = [int(p.stem.split("-")[1]) for p in self._parts()]
        name = f"part-{(max(numbers) + 1) if numbers else 1:06d}.parquet"
        atomic_write(self.journal / name, parquet_bytes(frame))
        self._buffer.clear()
        self._last_flush = time.monotonic()

    def start_session(self, info: dict[str, Any]) -> None:
        self.state["sessions"].append({"started": _now(), **info})
        self._save_state()

    def end_session(self, info: dict[str, Any]) -> None:
        self.flush()
        self.state["sessions"][-1].update({"ended": _now(), **info})
        self._save_state()

    def finalise(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Write runs.parquet (and timeseries.parquet); return runs and the labelled series.

        Both files are typed and annotated as declared in `model/output_columns.py` (integer
        counts as Int64, yes/no as boolean, `error` as string, a date beside every month;
        meaning and unit of each column in the Parquet field metadata). timeseries.parquet is
        long (run_id, month, date, labelled); the returned series is the wide matrix the
        analyses use (run_id and one column per month, m000, m001, ...).
        """
        from werklandschap.model import output_columns as oc

        design = pd.read_parquet(self.folder / "design.parquet")
        journal = self.journal_frame()
        series = None
        if "labelled" in journal:
            ok = journal.dropna(subset=["labelled"])
            if len(ok):
                matrix = np.stack(ok["labelled"].to_numpy())
                cols = {f"m{m:03d}": matrix[:, m] for m in range(matrix.shape[1])}
                series = pd.DataFrame({"run_id": ok["run_id"].to_numpy(), **cols})
                months = matrix.shape[1]
                long = pd.DataFrame(
                    {
                        "run_id": np.repeat(ok["run_id"].to_numpy(), months),
                        "month": np.tile(np.arange(months), len(ok)),
                        "date": np.tile(oc.months_to_dates(np.arange(months)).to_numpy(), len(ok)),
                        "labelled": matrix.reshape(-1),
                    }
                )
                atomic_write(
                    self.folder / oc.EXPERIMENT_TIMESERIES.name,
                    oc.parquet_bytes(long, oc.EXPERIMENT_TIMESERIES),
                )
        journal = journal.drop(columns=["labelled", "seconds"], errors="ignore")
        if "error" not in journal:  # an empty journal: no run finished yet
            journal = journal.assign(status=pd.Series(dtype="string"), error=None)
        outcome_cols = [c for c in journal.columns if c not in ("run_id", "status", "error")]
        known = [c for c in (*OUTCOMES, "months") if c in outcome_cols]
        ordered = known + sorted(c for c in outcome_cols if c not in known)
        for col in ordered:
            journal[col] = journal[col].astype("float64")
        runs = design.merge(
            journal[["run_id", "status", "error", *ordered]],
            on="run_id",
            how="left",
            validate="one_to_one",
        )
        runs["status"] = runs["status"].fillna("missing")
        runs = runs.sort_values("run_id").reset_index(drop=True)
        runs = oc.typed(oc.with_dates(runs), oc.EXPERIMENT_RUNS)
        atomic_write(
            self.folder / oc.EXPERIMENT_RUNS.name, oc.parquet_bytes(runs, oc.EXPERIMENT_RUNS)
        )
        return runs, series

    def cpu_seconds(self) -> float:
        parts = [pd.read_parquet(p, columns=["seconds"]) for p in self._parts()]
        return float(pd.concat(parts)["seconds"].sum()) if parts else 0.0


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
