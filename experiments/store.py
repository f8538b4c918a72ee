"""The results folder of an experiment: design, run journal (resumable) and final tables.

results/<experiment-name>/
- experiment.yaml   the experiment file as run (its sha256, with command-line overrides, is the
                    experiment's identity)
- design.parquet    one row per run: run_id, seed, scenario or sampled values (written first)
- journal/          part-<session>-NNNNNN.parquet: finished runs, appended in chunks. The
                    session id (time, pid, random) makes part names unique to one process, so no
                    part can overwrite another's. Each part is written to a temporary file and
                    renamed, so a kill at any moment leaves only whole parts. On a rerun, runs
                    whose run_id is in the journal are skipped; duplicate run_ids (impossible
                    unless a part is copied by hand) are dropped on reading.
- state.json        identity and the list of sessions (start, end, seconds so far), atomically
                    written; its "tool" entry is the marker that this tool made the folder
- lock              an OS file lock (flock) held by the one process working on the folder;
                    a second process is refused with a one-line message
- runs.parquet      design + status/error + outcomes, sorted by run_id (no timings, so it is
                    identical to the bit whatever the executor or worker count)
- timeseries.parquet  labelled parks per month per run (long: run_id, month, date,
                    labelled), when kept; columns in docs/outputs.md
- manifest.json, report.md, figures/, tables (*.csv)

Runs are only added to a folder made with the same git commit (no mixing of model versions).
A folder made by a different experiment file (different hash) is refused with a clear error;
`restart=True` (CLI `--restart`) discards it and starts again, but only in a folder whose
state.json proves this tool wrote it, and only the files the tool wrote there (its own, the
journal's parts, the analyses' outputs recorded in state.json); an existing folder without
that marker is never used.
Every write cleans its temporary file on failure; a full disk gives one message naming the
folder and the space needed, and the same command resumes once space is freed.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from werklandschap.experiments.executors import OUTCOMES, Record
from werklandschap.experiments.folder import (  # re-exported: the runner imports atomic_write
    LOCK_NAME,
    TMP_SUFFIX,
    TOOL,
    _FolderLock,
    _read_state,
    atomic_write,
    io_error,
    parquet_bytes,
)
from werklandschap.experiments.spec import ExperimentError, ExperimentSpec
from werklandschap.runs.provenance import git_commit

FLUSH_RECORDS = 200  # write a journal part after this many finished runs ...
FLUSH_SECONDS = 5.0  # ... or after this many seconds, whichever comes first
#: The marker in state.json: folders with it were written by this tool (and only those are
#: ever emptied by --restart).
#: The files the store writes itself; the analyses' files are recorded in state.json
#: ("outputs", `record_outputs`). --restart removes these, the journal's parts and nothing else.
STORE_FILES = ("state.json", "experiment.yaml", "design.parquet", "runs.parquet",
               "timeseries.parquet", "manifest.json")  # fmt: skip


class Store:
    """Journal and files of one experiment's results folder (locked while open).

    Use as a context manager, or call `close()`: it ends an unfinished session (recording its
    time as interrupted) and releases the folder lock.
    """

    def __init__(
        self, folder: Path, spec: ExperimentSpec, design: pd.DataFrame, restart: bool = False
    ) -> None:
        self.folder = Path(folder)
        self.spec = spec
        self.journal = self.folder / "journal"
        self.session_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"
        self._counter = 0
        self._session_started: float | None = None
        self._buffer: list[Record] = []
        self._last_flush = time.monotonic()
        self._check_foreign()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise io_error(exc, self.folder / LOCK_NAME) from None
        self._lock = _FolderLock(self.folder, spec.name)
        try:
            self._check_foreign()
            self._open(design, restart)
        except BaseException:
            self._lock.release()
            raise

    def _check_foreign(self) -> None:
        """Refuse an existing, non-empty folder without our marker (never write or delete it)."""
        if not self.folder.exists():
            return
        if not self.folder.is_dir():
            raise ExperimentError(f"{self.folder} exists and is not a folder")
        # Our lock and the temporary state.json of a session that is just starting are ours;
        # the check is repeated under the lock, where state.json is complete.
        contents = {
            p.name
            for p in self.folder.iterdir()
            if p.name != LOCK_NAME and not p.name.startswith(".state.json.")
        }
        if contents and _read_state(self.folder) is None:
            raise ExperimentError(
                f"{self.folder} exists and was not written by {TOOL} (no state.json marker); "
                "it is left untouched: choose another --out or experiment name"
            )

    def _open(self, design: pd.DataFrame, restart: bool) -> None:
        spec = self.spec
        state = _read_state(self.folder)
        if state is not None and restart:
            self._discard(state)
            state = None
        self._remove_own_temporaries()
        if state is not None:
            if state.get("hash") != spec.source_hash:
                raise ExperimentError(
                    f"{self.folder} holds runs of a different version of experiment "
                    f"{spec.name!r} (file changed since). Rerun with --restart to discard them, "
                    "or give the experiment another name"
                )
            self.state = state
        else:
            # The marker first: from here on, the folder is provably ours.
            self.state = {
                "tool": TOOL,
                "git_commit": git_commit(),
                "name": spec.name,
                "type": spec.type,
                "hash": spec.source_hash,
                "runs": len(design),
                "sessions": [],
            }
            self._save_state()
            atomic_write(self.folder / "experiment.yaml", spec.source_text)
            from werklandschap.model import output_columns as oc  # pyarrow only when writing

            atomic_write(
                self.folder / oc.EXPERIMENT_DESIGN.name,
                oc.parquet_bytes(design, oc.EXPERIMENT_DESIGN),
            )
        try:
            self.journal.mkdir(exist_ok=True)
        except OSError as exc:
            raise io_error(exc, self.journal / "part") from None

    def _discard(self, state: dict[str, Any]) -> None:
        """--restart: remove what this tool wrote in its folder (checked by the caller): the
        store's files, the journal's parts, the analyses' recorded outputs, and the folders
        they leave empty; the lock and anything else (a file someone added) stay."""
        names = [*STORE_FILES, *state.get("outputs", [])]
        files = [self._inside(name) for name in names]
        files += [*self.journal.glob("part-*.parquet"), *self.journal.glob(f".*{TMP_SUFFIX}")]
        for path in files:
            if path is not None and (path.is_file() or path.is_symlink()):
                path.unlink()
        for folder in sorted({p.parent for p in files if p is not None}, reverse=True):
            if folder != self.folder and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()

    def _inside(self, name: str) -> Path | None:
        """`name` (relative, as recorded) inside the folder, or None if it would lead out."""
        path = self.folder / name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            return None
        return path

    def listing(self) -> dict[str, int]:
        """The files in the folder (relative path: modification time in ns), the journal and
        the lock aside."""
        return {
            p.relative_to(self.folder).as_posix(): p.stat().st_mtime_ns
            for p in self.folder.rglob("*")
            if p.is_file() and p.parent != self.journal and p.name != LOCK_NAME
        }

    def record_outputs(self, before: dict[str, int]) -> None:
        """Record the files written since `before` (a `listing`: new or with another time) as
        this tool's outputs (state.json "outputs"), so that --restart removes them and nothing
        else."""
        written = {n for n, t in self.listing().items() if before.get(n) != t}
        new = written - set(STORE_FILES) - set(self.state.get("outputs", []))
        if new:
            self.state["outputs"] = sorted({*self.state.get("outputs", []), *new})
            self._save_state()

    def _remove_own_temporaries(self) -> None:
        """Temporary files left by a killed session of this tool (`.<name>.<pid>.tmp`)."""
        for where in (self.folder, self.journal):
            if where.is_dir():
                for tmp in where.glob(f".*{TMP_SUFFIX}"):
                    tmp.unlink(missing_ok=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End an open session (as interrupted, best effort) and release the folder lock."""
        try:
            if self._session_started is not None:
                try:
                    self.flush()
                finally:
                    self._record_progress(interrupted=True)
                    self._session_started = None
                    self._save_state()
        except ExperimentError:
            pass  # e.g. the disk is full: the journal parts already written are kept
        finally:
            self._lock.release()

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
        # A name only this session can choose: session id + its own counter.
        name = f"part-{self.session_id}-{self._counter + 1:06d}.parquet"
        atomic_write(self.journal / name, parquet_bytes(frame))
        self._counter += 1
        self._buffer.clear()
        self._last_flush = time.monotonic()
        if self._session_started is not None:
            # Progress in state.json, so a session killed later still counts its time.
            self._record_progress()
            self._save_state()

    def _record_progress(self, interrupted: bool = False) -> None:
        session = self.state["sessions"][-1]
        session["seconds"] = round(time.perf_counter() - self._session_started, 3)
        session["ended" if interrupted else "updated"] = _now()
        if interrupted:
            session["interrupted"] = True

    def start_session(self, info: dict[str, Any]) -> None:
        self.state["sessions"].append({"started": _now(), "session": self.session_id, **info})
        self._session_started = time.perf_counter()
        self._save_state()

    def end_session(self, info: dict[str, Any]) -> None:
        self.flush()
        self.state["sessions"][-1].update({"ended": _now(), **info})
        self.state["sessions"][-1].pop("updated", None)
        self._session_started = None
        self._save_state()

    def elapsed_seconds(self) -> float:
        """Wall time of every session so far, interrupted ones included (seconds)."""
        return round(sum(float(s.get("seconds", 0.0)) for s in self.state["sessions"]), 3)

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
