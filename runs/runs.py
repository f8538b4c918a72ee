"""Replicated runs of one scenario and the files they leave behind.

Seeds: replication r of a run with seed s uses `seeds.replication(s, r)` (model/seeds.py),
so every run's seed follows from the user's seed and the run's index, on any machine or executor.
Two scenarios run with the same seed share their replication seeds (common random numbers).

Output (results/<scenario>/<run-name>/; every column is described in docs/outputs.md):
- summary.csv         one row of summary outcomes per replication (a date beside every month)
- timeseries.csv      national monthly series per replication (stages, engagements by driver, ...)
- timeseries.parquet  the national stage counts in long format (scenario, replication, month,
                      date, stage, parks), with column descriptions and units in the schema
- provinces.csv       monthly stage counts per province per replication
- manifest.json       scenario, every parameter value, seeds, versions, git commit, timing
- figures/            s_curve.png, provinces.png, map.png
- .werklandschap-run  the marker: proof that this tool wrote the folder, the job's identity and
                      the files it wrote

Nothing is lost and nothing is deleted that this tool did not write:
- A run name is a plain name (letters, digits, `-`, `_`, `.` not leading), never a path.
- `RunJob` streams every finished replication to `<scenario>/.<run-name>.partial/` (a staging
  folder carrying the marker), so an interrupted job keeps what it did; the same command resumes
  it, skipping finished replications. The tables are written from the staged replications in
  order, so a resumed job's files equal an uninterrupted job's. The staging folder is renamed
  into place at the end, so a result folder is never half-written.
- An existing result folder is replaced only when asked (`overwrite=True`, CLI `--overwrite`)
  and only when it carries the marker; replacing deletes only the files the marker lists as the
  tool's, so a file someone added to the folder stays (and is never written over).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from werklandschap.model import seeds
from werklandschap.model.model import run
from werklandschap.model.outcomes import RunResult
from werklandschap.model.scenario import Scenario, load_scenario
from werklandschap.runs.limits import ALL_LIMITS
from werklandschap.runs.predictive import PredictivePlan
from werklandschap.runs.provenance import git_commit
from werklandschap.runs.tables import (  # re-exported: callers import them from here
    load_result,
    run_manifest,
    save_result,
    write_tables,
)

MARKER = ".werklandschap-run"
MAX_REPLICATIONS = ALL_LIMITS["run.replications"].maximum  # `run --replications` (limits.py)
NAME_PATTERN = re.compile(r"[\w-][\w.-]{0,99}")  # \w: letters (any script), digits, _
REPLICATIONS_DIR = "replications"  # inside the staging folder: one .npz per replication
STATE_EVERY_S = 2.0  # record the session's elapsed time at most this often
TMP_SUFFIX = ".tmp"  # `_write_json`'s temporary files


class OutputError(ValueError):
    """A bad output name or folder, or a result folder that may not be replaced (exit 2)."""


def derive_seed(seed: int, index: int) -> int:
    """The seed of run `index` of a job seeded with `seed`: the named replication stream."""
    return seeds.replication(seed, index)


def replicate(scenario: Scenario, seed: int, index: int) -> RunResult:
    """Replication `index` of a job seeded with `seed`: `model.run`, the one way every run,
    experiment task and EMA point calls the model (the fast path, no park agents)."""
    return run(scenario, seeds.replication(seed, index))


def run_replications(
    scenario: Scenario | str,
    seed: int = 0,
    replications: int = 1,
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
) -> list[RunResult]:
    """Run a scenario `replications` times with seeds derived from `seed` (kept in memory)."""
    scenario = load_scenario(scenario)
    indices: Iterable[int] = range(replications)
    if progress is not None:
        indices = progress(indices)
    return [replicate(scenario, seed, r) for r in indices]


# --- names, folders and the marker ----------------------------------------------------------


def check_name(name: str) -> str:
    """`name` if it is a plain run name (letters, digits, `-`, `_`, `.` not leading), else raise."""
    if not NAME_PATTERN.fullmatch(name):
        raise OutputError(
            f"run name {name!r} is not a plain name: use letters, digits, '-', '_' and '.' "
            "(not leading), at most 100 characters, no path"
        )
    return name


def check_out(out: Path) -> None:
    """Raise OutputError unless folders can be made under `out` (checked before any run)."""
    out = Path(out)
    for path in (out, *out.parents):
        if not path.exists():
            continue
        if not path.is_dir():
            raise OutputError(f"--out {out}: {path} is a file, not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise OutputError(f"--out {out}: cannot write in {path} (permission denied)")
        return


def written_by_us(folder: Path) -> bool:
    """Whether `folder` carries the marker this tool writes into every folder it makes (a
    symlink to one does not: the tool never made the link, nor removes what it points to)."""
    return not Path(folder).is_symlink() and (Path(folder) / MARKER).is_file()


def _read_marker(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f"{path.name}{TMP_SUFFIX}")
    try:
        tmp.write_text(json.dumps(data, indent=2, default=str))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # ours; only left when writing failed (e.g. a full disk)


#: Every file a run folder of ours may hold. A folder whose marker predates the listing of its
#: files ("files") counts these as ours and nothing else; and they are the names a replacement
#: may write, checked before any work.
RUN_FILES = ("summary.csv", "timeseries.csv", "timeseries.parquet", "provinces.csv",
             "manifest.json", "predictive.json", "figures/s_curve.png", "figures/provinces.png",
             "figures/map.png")  # fmt: skip


def _files_in(folder: Path) -> list[str]:
    """Every file under `folder` (relative, posix), the marker aside: what it would lose."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if (p.is_file() or p.is_symlink()) and p.name != MARKER
    )


def _recorded_files(folder: Path) -> list[str]:
    """The files this tool wrote into `folder`, as its marker lists them (safe names only)."""
    marker = _read_marker(folder)
    names = marker.get("files", RUN_FILES) if marker else []
    return [n for n in names if not Path(n).is_absolute() and ".." not in Path(n).parts]


def _remove_recorded(folder: Path, keep: Iterable[str] = ()) -> None:
    """Delete the files this tool wrote into `folder` (its marker's listing) except `keep`, then
    the folders that leaves empty; a file someone added, and the marker, stay."""
    kept = set(keep)
    for name in _recorded_files(folder):
        path = folder / name
        if name not in kept and (path.is_file() or path.is_symlink()):
            path.unlink()
    _remove_empty_parents(folder, _recorded_files(folder))


def _remove_empty_parents(folder: Path, names: Iterable[str]) -> None:
    """Remove the folders below `folder` that hold `names` (relative) and are now empty,
    deepest first; `folder` itself and every other folder stay."""
    parents = {parent for name in names for parent in Path(name).parents if parent != Path(".")}
    for parent in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        path = folder / parent
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()


def _refuse_foreign(folder: Path, names: Iterable[str]) -> None:
    """Raise OutputError if one of `names` is in `folder` but not recorded as ours."""
    ours = set(_recorded_files(folder))
    for name in names:
        if name not in ours and os.path.lexists(folder / name):
            raise OutputError(f"{folder / name} was not written by this tool; not replacing it")


def _remove_ours(folder: Path) -> None:
    """Discard an unfinished job's staging folder: only what this tool wrote there (the staged
    replications, its temporaries, the tables), the folder itself if that leaves it empty."""
    if not written_by_us(folder):
        raise OutputError(f"{folder} was not written by 'werklandschap run'; not deleting it")
    parts = folder / REPLICATIONS_DIR
    for path in [*parts.glob("r*.npz"), *parts.glob("*.tmp"), *folder.glob(f"*{TMP_SUFFIX}")]:
        path.unlink()
    _remove_empty_parents(folder, [f"{REPLICATIONS_DIR}/r"])
    _remove_recorded(folder)
    (folder / MARKER).unlink()
    if not any(folder.iterdir()):
        folder.rmdir()


def _publish(staging: Path, folder: Path) -> None:
    """Move the finished staging folder to `folder`, replacing an earlier result of ours.

    Replacing deletes only the files the earlier result's marker lists (the tool's own) and
    moves the new ones in file by file: a file someone added to the folder stays where it is.
    While files move, the folder's marker lists the old and the new ones, so a run cut off in
    between leaves a folder that the next `--overwrite` cleans up completely."""
    new = [name for name in RUN_FILES if (staging / name).is_file()]
    _write_json(staging / MARKER, {**_read_marker(staging), "files": new})
    if not folder.exists() and _files_in(staging) == new:
        os.replace(staging, folder)  # one step: the result folder is never half-written
        return
    if not folder.exists():  # someone put a file into the staging folder: it stays there
        folder.mkdir()
        _write_json(folder / MARKER, {"written_by": "werklandschap run", "files": new})
    if not written_by_us(folder):  # checked before the job too; someone may have swapped it
        raise OutputError(f"{folder} was not written by 'werklandschap run'; not replacing it")
    old = _recorded_files(folder)
    _refuse_foreign(folder, new)
    both = sorted({*old, *new})
    _write_json(folder / MARKER, {**_read_marker(folder), "files": both})
    _remove_recorded(folder, keep=new)
    for name in new:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, folder / name)
    os.replace(staging / MARKER, folder / MARKER)  # last: now it lists the new files only
    _remove_empty_parents(staging, new)
    if not any(staging.iterdir()):
        staging.rmdir()


# --- a job: stream, resume, publish ------------------------------------------------------------


@dataclasses.dataclass
class RunJob:
    """`replications` runs of `scenario` written to `out/<scenario>/<name>/`, resumably."""

    scenario: Scenario
    seed: int
    replications: int
    out: Path
    name: str
    overwrite: bool = False
    #: Posterior-predictive runs: which parameter set each replication draws (None: fixed).
    plan: PredictivePlan | None = None

    def __post_init__(self) -> None:
        check_name(self.name)
        check_name(self.scenario.name)  # a path component too (scenario files check it already)
        if not 1 <= self.replications <= MAX_REPLICATIONS:
            raise OutputError(
                f"replications must be 1 to {MAX_REPLICATIONS:,}, got {self.replications:,}"
            )
        self.out = Path(self.out)
        self.folder = self.out / self.scenario.name / self.name
        self.staging = self.folder.with_name(f".{self.name}.partial")
        self._session_started = time.perf_counter()
        self._earlier_seconds: list[float] = []

    @property
    def identity(self) -> dict[str, Any]:
        """What a staged job must share with this one to be resumed by it."""
        identity = {
            "scenario": self.scenario.name,
            "parameters": json.loads(json.dumps(dict(self.scenario.params), default=list)),
            "seed": self.seed,
            "replications": self.replications,
            "git_commit": git_commit(),
        }
        if self.plan is not None:  # absent for fixed parameters: identity as before
            identity["posterior"] = self.plan.identity()
        return identity

    def scenario_of(self, index: int) -> Scenario:
        """The scenario replication `index` runs: with its posterior parameter set if any."""
        if self.plan is None:
            return self.scenario
        return self.plan.scenario_for(self.scenario, index)

    def check(self) -> None:
        """Refuse, before any work, what this job may not do (OutputError, one line each)."""
        check_out(self.out)
        check_out(self.folder)
        if self.folder.exists():
            if not self.overwrite:
                raise OutputError(
                    f"{self.folder} exists; use --overwrite to replace it or choose another --name"
                )
            if not written_by_us(self.folder):
                raise OutputError(
                    f"{self.folder} was not written by 'werklandschap run' (no {MARKER} marker); "
                    "not replacing it"
                )
            _refuse_foreign(self.folder, RUN_FILES)
        if self.staging.exists() and not written_by_us(self.staging):
            raise OutputError(f"{self.staging} was not written by 'werklandschap run'; remove it")
        if self._stale_staging() and not self.overwrite:
            raise OutputError(
                f"{self.staging} holds an unfinished job with other settings (or another "
                "model version); use --overwrite to discard it"
            )

    def _stale_staging(self) -> bool:
        """Whether a staging folder exists for a job with other settings than this one."""
        return self.staging.exists() and _read_marker(self.staging).get("identity") != self.identity

    def prepare(self) -> int:
        """Check, then make or reopen the staging folder; return replications already done."""
        self.check()
        if self._stale_staging():
            _remove_ours(self.staging)  # only reached with overwrite (see check)
        parts = self.staging / REPLICATIONS_DIR
        if written_by_us(self.staging):
            self._earlier_seconds = list(_read_marker(self.staging).get("sessions", []))
            for tmp in parts.glob("*.tmp"):  # ours: a replication cut off while being written
                tmp.unlink()
        parts.mkdir(parents=True, exist_ok=True)  # normal permissions (umask), not mkdtemp's 0700
        self._save_marker()
        return len(self.done())

    def _part(self, index: int) -> Path:
        return self.staging / REPLICATIONS_DIR / f"r{index:07d}.npz"

    def done(self) -> list[int]:
        """Replications already on disk (one listing, not one look-up per replication)."""
        parts = self.staging / REPLICATIONS_DIR
        names = set(os.listdir(parts)) if parts.is_dir() else set()
        return [r for r in range(self.replications) if self._part(r).name in names]

    def _elapsed(self) -> float:
        return time.perf_counter() - self._session_started

    def _save_marker(self) -> None:
        sessions = [*self._earlier_seconds, round(self._elapsed(), 3)]
        marker = {"written_by": "werklandschap run", "identity": self.identity}
        _write_json(self.staging / MARKER, {**marker, "sessions": sessions})

    def run(self, progress: Callable[[Iterable[int]], Iterable[int]] | None = None) -> None:
        """Run the missing replications, writing each one as it finishes."""
        finished = set(self.done())
        todo: Iterable[int] = [r for r in range(self.replications) if r not in finished]
        if progress is not None:
            todo = progress(todo)
        last_state = time.monotonic()
        try:
            for r in todo:
                save_result(replicate(self.scenario_of(r), self.seed, r), self._part(r))
                if time.monotonic() - last_state >= STATE_EVERY_S:
                    self._save_marker()
                    last_state = time.monotonic()
        finally:
            self._save_marker()  # also on Ctrl-C: the session's time counts

    def results(self) -> Iterator[RunResult]:
        for r in range(self.replications):
            yield load_result(self._part(r))

    def finish(self, figures: bool = True) -> pd.DataFrame:
        """Write tables, manifest and figures, move the folder into place; return the summary."""
        sets = self.plan.columns() if self.plan is not None else None
        summary = write_tables(self.results(), self.staging, sets)
        if self.plan is not None:
            from werklandschap.runs.predictive import predictive_record

            months = load_result(self._part(0)).months
            target = self.scenario.params["target_parks"]
            record = predictive_record(self.plan, summary, months + 1, target)
            _write_json(self.staging / "predictive.json", record)
        if figures:
            from werklandschap.runs import plots  # matplotlib only when drawing

            plots.write_run_figures(list(self.results()), self.scenario, self.staging / "figures")
        months = load_result(self._part(0)).months
        for part in map(self._part, range(self.replications)):  # the tables now hold everything
            part.unlink()
        _remove_empty_parents(self.staging, [self._part(0).relative_to(self.staging)])
        self._save_marker()
        sessions = _read_marker(self.staging)["sessions"]
        manifest = run_manifest(
            summary, self.scenario, self.seed, sum(sessions), months, len(sessions)
        )
        _write_json(self.staging / "manifest.json", manifest)
        _publish(self.staging, self.folder)
        return summary


def write_runs(
    results: list[RunResult],
    scenario: Scenario,
    out_dir: Path,
    seed: int,
    elapsed_s: float,
    figures: bool = True,
    overwrite: bool = False,
) -> Path:
    """Write tables, manifest and figures of replicated runs (in memory) into `out_dir`.

    The folder is written next to `out_dir` first and moved into place at the end. An existing
    `out_dir` is replaced only with `overwrite=True` and only if this tool wrote it.
    """
    out_dir = Path(out_dir)
    check_name(out_dir.name)
    check_out(out_dir)
    if out_dir.exists() and not (overwrite and written_by_us(out_dir)):
        raise OutputError(f"{out_dir} exists and may not be replaced")
    if out_dir.exists():
        _refuse_foreign(out_dir, RUN_FILES)
    staging = out_dir.with_name(f".{out_dir.name}.partial-{os.getpid()}")
    staging.mkdir(parents=True)
    _write_json(staging / MARKER, {"written_by": "werklandschap run"})
    try:
        summary = write_tables(results, staging)
        months = results[0].months if results else 0
        manifest = run_manifest(summary, scenario, seed, elapsed_s, months)
        _write_json(staging / "manifest.json", manifest)
        if figures:
            from werklandschap.runs import plots

            plots.write_run_figures(results, scenario, staging / "figures")
        _publish(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # made above, by this call
        raise
    return out_dir
