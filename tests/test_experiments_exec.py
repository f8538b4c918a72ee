"""Executors and the run journal: identical runs.parquet on serial, process pool and Dask;
an experiment killed mid-way (SIGKILL) resumes with no run lost and none duplicated."""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from werklandschap.experiments.runner import run_experiment

COMPARE = """\
type: compare
seed: 11
replications: 3
scenarios: [baseline, no_programme]
"""


@pytest.fixture(scope="session")
def dask_client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.CRITICAL,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_runs_are_identical_on_serial_process_pool_and_dask(tmp_path, dask_client):
    path = tmp_path / "crn.yaml"
    path.write_text(COMPARE)
    serial = run_experiment(path, tmp_path / "serial", workers=1, analyse=False, quiet=True)
    pool = run_experiment(path, tmp_path / "pool", workers=2, analyse=False, quiet=True)
    dask = run_experiment(path, tmp_path / "dask", scheduler=dask_client, analyse=False, quiet=True)
    runs = pd.read_parquet(serial / "runs.parquet")
    assert len(runs) == 6 and (runs["status"] == "ok").all()
    for other in (pool, dask):
        assert digest(other / "runs.parquet") == digest(serial / "runs.parquet")
        assert digest(other / "timeseries.parquet") == digest(serial / "timeseries.parquet")
    # Common random numbers: replication r has the same seed in both scenarios.
    seeds = runs.pivot(index="replication", columns="scenario", values="seed")
    assert (seeds["baseline"] == seeds["no_programme"]).all()


SLOW = """\
import time
import numpy as np

def slow(task):
    time.sleep(0.01)
    rng = np.random.default_rng(task.seed)
    value = float(rng.integers(0, 2000))
    return {"labelled_at_horizon": value, "target_met": float(value >= 1000),
            "month_target_reached": np.nan, "self_sustaining": 1.0, "months": 168.0}
"""
SCRIPT = (
    SLOW
    + """
import sys
import werklandschap.experiments.store as store
from werklandschap.experiments.runner import run_experiment

store.FLUSH_RECORDS = 10  # small journal parts, so a kill lands between and inside parts

if __name__ == "__main__":
    run_experiment(sys.argv[1], sys.argv[2], workers=1, evaluate=slow, quiet=True)
"""
)


def test_resume_after_sigkill_loses_and_duplicates_nothing(tmp_path):
    exp = tmp_path / "resume.yaml"
    exp.write_text(
        textwrap.dedent("""\
        type: compare
        seed: 5
        replications: 200
        timeseries: false
        scenarios: [baseline, double_stimulated]
        """)
    )
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    out = tmp_path / "results"
    journal = out / "resume" / "journal"
    process = subprocess.Popen(
        [sys.executable, str(script), str(exp), str(out)], start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(journal.glob("part-*.parquet"))) < 5:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    parts = list(journal.glob("part-*.parquet"))
    assert parts, "the experiment wrote no journal part before it was killed"
    done_before = sum(len(pd.read_parquet(p)) for p in parts)
    assert 0 < done_before < 400
    assert not (out / "resume" / "runs.parquet").exists()  # killed before the end

    rerun = subprocess.run(
        [sys.executable, str(script), str(exp), str(out)],
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert rerun.returncode == 0, rerun.stderr
    runs = pd.read_parquet(out / "resume" / "runs.parquet")
    assert len(runs) == 400 and runs["run_id"].is_unique and (runs["status"] == "ok").all()
    journal_ids = pd.concat(pd.read_parquet(p) for p in journal.glob("part-*.parquet"))["run_id"]
    assert len(journal_ids) == 400 and journal_ids.is_unique  # no run recorded twice
    # Values are those of an uninterrupted run (each depends only on its seed).
    fresh = run_experiment(
        exp, tmp_path / "fresh", workers=1, evaluate=_slow(), analyse=False, quiet=True
    )
    assert runs.equals(pd.read_parquet(fresh / "runs.parquet"))
    state = (out / "resume" / "state.json").read_text()
    assert state.count('"started"') == 2  # two sessions


def _slow():
    namespace: dict = {}
    exec(SLOW, namespace)
    return namespace["slow"]
