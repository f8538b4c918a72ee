"""Run an experiment end to end: design -> (resumable) runs -> runs.parquet -> analysis, report.

    from werklandschap.experiments.runner import run_experiment
    folder = run_experiment("experiments/compare_levers.yaml", replications=10)

The runner never looks inside the model: it sends tasks (seed + parameters) to an evaluate
function (default: the model's `run(scenario, seed)`), and the analyses read only runs.parquet.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from werklandschap.experiments import executors
from werklandschap.experiments.design import build_design
from werklandschap.experiments.report import write_report
from werklandschap.experiments.spec import ExperimentError, ExperimentSpec, load_experiment
from werklandschap.experiments.store import Store, atomic_write
from werklandschap.runs.provenance import provenance

#: Seconds to wait for a Dask scheduler before giving up (checked before anything is written).
SCHEDULER_TIMEOUT = 5.0


class ExperimentInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM, see the CLI) during an experiment; what was kept and where.

    A KeyboardInterrupt, so callers that stop on Ctrl-C still do; `kept` runs of `total` are
    in the journal of `folder` and the same call resumes.
    """

    def __init__(self, folder: Path, kept: int, total: int) -> None:
        super().__init__(f"interrupted: {kept} of {total} runs kept in {folder}")
        self.folder, self.kept, self.total = folder, kept, total


def check_out(out: str | Path) -> Path:
    """The results root, if it is (or can become) a writable folder; else one message."""
    out = Path(out)
    probe = out
    while not probe.exists():  # the nearest existing ancestor must be a writable folder
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise ExperimentError(f"--out {out}: {probe} is a file, not a folder")
    if probe.exists() and not os.access(probe, os.W_OK | os.X_OK):
        raise ExperimentError(f"--out {out}: {probe} is not writable")
    return out


def connect_scheduler(scheduler: Any, timeout: float = SCHEDULER_TIMEOUT) -> Any:
    """A `distributed.Client` for an address (connected within `timeout` s), or as given."""
    if scheduler is None or not isinstance(scheduler, str):
        return scheduler
    try:
        from distributed import Client
    except ImportError:
        raise ExperimentError(
            "--scheduler needs Dask distributed: pip install 'werklandschap[dask]'"
        ) from None
    try:
        return Client(scheduler, timeout=f"{timeout}s")
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ExperimentError(
            f"--scheduler {scheduler}: no Dask scheduler answered within {timeout:.0f} s ({reason})"
        ) from None


def _describe_executor(workers: int | None, scheduler: Any) -> tuple[str, int]:
    if scheduler is not None:
        return f"dask ({scheduler if isinstance(scheduler, str) else 'client'})", 0
    n = executors.default_workers() if workers is None else workers
    return ("serial" if n <= 1 else f"process pool ({n} workers)"), max(1, n)


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def run_experiment(
    experiment: str | Path | ExperimentSpec,
    out: str | Path = "results",
    *,
    workers: int | None = None,
    scheduler: Any = None,
    evaluate: executors.Evaluate = executors.model_evaluate,
    n: int | None = None,
    replications: int | None = None,
    restart: bool = False,
    analyse: bool = True,
    quiet: bool = False,
) -> Path:
    """Run (or resume) an experiment and write its results folder; return the folder.

    `n` and `replications` override the file (the experiment is then named e.g. `sobol-n64`).
    `workers`: local processes (default: the machine's CPUs; 1 = serial in this process).
    `scheduler`: a Dask scheduler address or `distributed.Client` (then `workers` is ignored).
    `evaluate`: the function run per task (injectable for tests; must be picklable for pools).
    """
    spec = (
        experiment
        if isinstance(experiment, ExperimentSpec)
        else load_experiment(experiment, n=n, replications=replications)
    )
    folder = check_out(out) / spec.name
    client = connect_scheduler(scheduler)
    try:
        design, tasks, meta = build_design(spec)
        executor = _describe_executor(workers, scheduler)
        with Store(folder, spec, design, restart=restart) as store:
            try:
                runs, series = _run_session(
                    spec, store, tasks, evaluate, workers, client, executor, quiet
                )
            except KeyboardInterrupt:
                store.close()  # flush and record the interrupted session first
                raise ExperimentInterrupted(folder, len(store.completed()), len(tasks)) from None
            manifest = _manifest(spec, store, runs)
            atomic_write(folder / "manifest.json", json.dumps(manifest, indent=2, default=str))
            if analyse:
                before = store.listing()
                body = analyse_runs(spec, runs, series, folder, meta)
                report = write_report(spec, folder, body, runs, manifest)
                store.record_outputs(before)  # what --restart may remove
                _say(f"  report: {report}", quiet)
    finally:
        if client is not scheduler:
            client.close()
    return folder


def _run_session(
    spec: ExperimentSpec,
    store: Store,
    tasks: list[executors.Task],
    evaluate: executors.Evaluate,
    workers: int | None,
    scheduler: Any,
    executor: tuple[str, int],
    quiet: bool,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """One session: the pending runs into the journal, then runs.parquet."""
    done = store.completed()
    pending = [t for t in tasks if t.run_id not in done]
    if pending and done:
        store.check_model_version()  # resuming: the finished runs must come from this code
    executor_name, slots = executor
    started = time.perf_counter()
    store.start_session({"executor": executor_name, "pending_at_start": len(pending)})
    _say(
        f"{spec.name}: {len(tasks)} runs ({len(done)} done, {len(pending)} to go) "
        f"on {executor_name}",
        quiet,
    )
    if pending:
        # Pilot: the first pending run, in this process; it is recorded like any other run.
        pilot = executors.run_task(evaluate, pending[0])
        store.add(pilot)
        pending = pending[1:]
        estimate = pilot["seconds"] * len(pending) / slots if slots else None
        if estimate is not None:
            _say(
                f"  pilot run {pilot['seconds']:.2f} s -> about {estimate / 60:.1f} min for "
                f"the remaining {len(pending)} runs on {slots} worker(s)",
                quiet,
            )
    if pending:
        from tqdm import tqdm

        bar = tqdm(
            total=len(tasks),
            initial=len(tasks) - len(pending),
            unit="run",
            desc=spec.name,
            disable=quiet,
            smoothing=0.05,
        )
        try:
            for record in executors.execute(pending, evaluate, workers, scheduler):
                store.add(record)
                bar.update(1)
        finally:
            bar.close()
            store.flush()
    elapsed_session = time.perf_counter() - started
    store.end_session({"seconds": round(elapsed_session, 3)})
    return store.finalise()


def analyse_runs(
    spec: ExperimentSpec,
    runs: pd.DataFrame,
    series: pd.DataFrame | None,
    folder: Path,
    meta: dict[str, Any],
) -> str:
    """The analysis section of the report (tables and figures written into the folder), by the
    experiment type's module (experiments/types/)."""
    from werklandschap.experiments import types as experiment_types

    return experiment_types.get(spec.type).analyse(spec, runs, series, folder, meta)


def _manifest(spec: ExperimentSpec, store: Store, runs: pd.DataFrame) -> dict[str, Any]:
    sessions = store.state["sessions"]
    status = runs["status"].value_counts().to_dict()
    return {
        "experiment": spec.name,
        "type": spec.type,
        "description": spec.description,
        "experiment_file_sha256": spec.source_hash,
        "seed": spec.seed,
        "replications": spec.replications,
        "options": {
            k: (v.__dict__ if hasattr(v, "__dict__") else v) for k, v in spec.options.items()
        },
        "runs": len(runs),
        "succeeded": int(status.get("ok", 0)),
        "failed": int(status.get("error", 0)),
        "missing": int(status.get("missing", 0)),
        "elapsed_seconds": store.elapsed_seconds(),  # every session, interrupted ones too
        "cpu_seconds_in_runs": round(store.cpu_seconds(), 3),
        "sessions": sessions,
        **provenance(),
    }
