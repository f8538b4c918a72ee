"""Nothing lost, nothing deleted in an experiment folder (issue 9): one lock per experiment
folder, journal parts that never collide, clean failures (full disk, Ctrl-C, SIGTERM), restart
that deletes only what the tool wrote, wall time over sessions, bad --out or --scheduler refused
before anything is written, no orphan processes after SIGKILL. Every test here failed on the
code before the fix."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from reliability_helpers import COMPARE, cheap, experiment_file, files_under, main_exit

from werklandschap.experiments import store as store_module
from werklandschap.experiments.design import build_design
from werklandschap.experiments.runner import ExperimentInterrupted, run_experiment
from werklandschap.experiments.spec import ExperimentError, load_experiment
from werklandschap.experiments.store import Store

# --- experiment store: lock, journal, disk full, restart --------------------------------------


def _spec_and_design(tmp_path: Path, reps: int = 20):
    spec = load_experiment(experiment_file(tmp_path, COMPARE.format(reps=reps)))
    design, tasks, _ = build_design(spec)
    return spec, design, tasks


def test_a_second_store_on_a_locked_folder_is_refused(tmp_path):
    spec, design, _ = _spec_and_design(tmp_path)
    folder = tmp_path / "out" / spec.name
    results: list[str] = []
    first = Store(folder, spec, design)

    def open_second():
        try:
            Store(folder, spec, design)
            results.append("opened")
        except ExperimentError as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=open_second) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first.close()
    assert len(results) == 3 and all(
        "in use by another werklandschap process" in r for r in results
    )
    Store(folder, spec, design).close()  # released with the first store


def test_journal_parts_of_two_sessions_never_share_a_name(tmp_path):
    spec, design, tasks = _spec_and_design(tmp_path)
    folder = tmp_path / "out" / spec.name
    from werklandschap.experiments.executors import run_task

    names = []
    for chunk in (tasks[:5], tasks[5:10]):
        with Store(folder, spec, design) as store:
            for task in chunk:
                store.add(run_task(cheap, task))
            store.flush()
            names.append(store.session_id)
    parts = sorted(p.name for p in (folder / "journal").glob("part-*.parquet"))
    assert len(parts) == 2 and names[0] != names[1]
    assert all(any(n in p for p in parts) for n in names)


FOUR_WRITERS = """\
import sys, time
from pathlib import Path
import numpy as np
from werklandschap.experiments.runner import run_experiment
from werklandschap.experiments.spec import ExperimentError

def slow(task):
    time.sleep(0.005)
    rng = np.random.default_rng(task.seed)
    value = float(rng.integers(0, 2000))
    return {"labelled_at_horizon": value, "target_met": float(value >= 1000),
            "month_target_reached": np.nan, "self_sustaining": 1.0, "months": 168.0}

if __name__ == "__main__":
    exp, out, me, go = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
    Path(go.parent / f"ready-{me}").touch()
    while not go.exists():
        time.sleep(0.01)
    try:
        run_experiment(exp, out, workers=1, evaluate=slow, analyse=False, quiet=True)
    except ExperimentError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
"""


def test_four_concurrent_writers_one_proceeds_and_nothing_is_lost(tmp_path):
    exp = experiment_file(tmp_path, COMPARE.format(reps=100), "four.yaml")
    script = tmp_path / "writer.py"
    script.write_text(FOUR_WRITERS)
    out, go = tmp_path / "out", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(exp), str(out), str(i), str(go)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    go.touch()
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2, 2, 2], results
    assert all("in use by another werklandschap process" in err for code, err in results if code)
    runs = pd.read_parquet(out / "four" / "runs.parquet")
    journal = pd.concat(pd.read_parquet(p) for p in (out / "four" / "journal").glob("*.parquet"))
    assert len(journal) == 200 and journal["run_id"].is_unique  # none lost, none twice
    fresh = run_experiment(
        exp, tmp_path / "fresh", workers=1, evaluate=cheap, analyse=False, quiet=True
    )
    assert runs.equals(pd.read_parquet(fresh / "runs.parquet"))


def test_a_full_disk_gives_one_message_leaves_no_temporary_file_and_resumes(tmp_path, monkeypatch):
    exp = experiment_file(tmp_path, COMPARE.format(reps=30), "disk.yaml")
    monkeypatch.setattr(store_module, "FLUSH_RECORDS", 10)
    real_fsync, calls = os.fsync, {"n": 0}

    def full_disk(fd):
        calls["n"] += 1
        if calls["n"] > 6:  # state, yaml, design and a few parts fit; then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    out = tmp_path / "out"
    with pytest.raises(ExperimentError) as info:
        run_experiment(exp, out, workers=1, evaluate=cheap, analyse=False, quiet=True)
    message = str(info.value)
    assert "no space left" in message and str(out / "disk") in message and "MB" in message
    assert "\n" not in message
    assert not [p for p in files_under(out) if p.name.endswith(".tmp")]
    monkeypatch.setattr(os, "fsync", real_fsync)  # space freed
    folder = run_experiment(exp, out, workers=1, evaluate=cheap, analyse=False, quiet=True)
    fresh = run_experiment(
        exp, tmp_path / "fresh", workers=1, evaluate=cheap, analyse=False, quiet=True
    )
    assert pd.read_parquet(folder / "runs.parquet").equals(pd.read_parquet(fresh / "runs.parquet"))


def test_restart_never_deletes_a_folder_the_tool_did_not_write(tmp_path):
    exp = experiment_file(tmp_path, COMPARE.format(reps=2), "thesis.yaml")
    out = tmp_path / "out"
    mine = out / "thesis" / "chapter1.tex"
    mine.parent.mkdir(parents=True)
    mine.write_text("years of work")
    for restart in (False, True):
        with pytest.raises(ExperimentError, match="was not written by"):
            run_experiment(exp, out, workers=1, evaluate=cheap, restart=restart, quiet=True)
        assert mine.read_text() == "years of work"
        assert sorted(p.name for p in mine.parent.iterdir()) == ["chapter1.tex"]
    # In a folder the tool wrote (state.json marker) --restart removes what the tool wrote
    # (its files, the journal, the analyses' recorded outputs) and nothing else.
    mine.unlink()
    mine.parent.rmdir()
    folder = run_experiment(exp, out, workers=1, evaluate=cheap, quiet=True)
    state = json.loads((folder / "state.json").read_text())
    assert state["tool"] == store_module.TOOL
    outputs = state["outputs"]
    assert "report.md" in outputs and any(o.startswith("figures/") for o in outputs), outputs
    (folder / "notes.txt").write_text("my notes")
    (folder / "figures" / "mine.png").write_bytes(b"not the tool's")
    old_parts = set((folder / "journal").glob("part-*.parquet"))
    run_experiment(exp, out, workers=1, evaluate=cheap, analyse=False, quiet=True, restart=True)
    assert (folder / "notes.txt").read_text() == "my notes"
    assert (folder / "figures" / "mine.png").read_bytes() == b"not the tool's"
    assert sorted(p.name for p in (folder / "figures").iterdir()) == ["mine.png"]
    assert not (folder / "report.md").exists() and (folder / "runs.parquet").exists()
    assert old_parts and not old_parts & set((folder / "journal").glob("part-*.parquet"))
    # a recorded output that leads out of the folder is never followed
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    state = json.loads((folder / "state.json").read_text())
    state["outputs"] = ["../../outside.txt", str(outside)]
    (folder / "state.json").write_text(json.dumps(state))
    run_experiment(exp, out, workers=1, evaluate=cheap, analyse=False, quiet=True, restart=True)
    assert outside.read_text() == "keep"


# --- wall time over sessions, Ctrl-C --------------------------------------------------------


class _InterruptAfter:
    """Evaluate function that sleeps, then raises KeyboardInterrupt at the n-th call."""

    def __init__(self, n: int) -> None:
        self.n, self.calls = n, 0

    def __call__(self, task):
        self.calls += 1
        time.sleep(0.02)
        if self.calls == self.n:
            raise KeyboardInterrupt
        return cheap(task)


def test_wall_time_sums_every_session_including_interrupted_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "FLUSH_RECORDS", 5)
    exp = experiment_file(tmp_path, COMPARE.format(reps=20), "wall.yaml")
    out = tmp_path / "out"
    started = time.perf_counter()
    with pytest.raises(ExperimentInterrupted) as info:
        run_experiment(exp, out, workers=1, evaluate=_InterruptAfter(30), quiet=True)
    first = time.perf_counter() - started
    assert info.value.kept == 29 and info.value.total == 40
    folder = run_experiment(exp, out, workers=1, evaluate=cheap, quiet=True)
    manifest = json.loads((folder / "manifest.json").read_text())
    sessions = manifest["sessions"]
    assert len(sessions) == 2 and sessions[0]["interrupted"] is True
    assert sessions[0]["seconds"] >= 0.5  # 29 runs of 20 ms were done before the interrupt
    assert manifest["elapsed_seconds"] >= sessions[0]["seconds"] + sessions[1]["seconds"] - 1e-3
    assert manifest["elapsed_seconds"] <= first + sessions[1]["seconds"] + 1.0
    report = (folder / "report.md").read_text()
    assert "over 2 session(s), 1 interrupted" in report


def test_progress_is_in_state_json_after_each_journal_part(tmp_path):
    # A session killed by SIGKILL never reaches end_session; its time must already be recorded.
    spec, design, tasks = _spec_and_design(tmp_path)
    from werklandschap.experiments.executors import run_task

    store = Store(tmp_path / "out" / spec.name, spec, design)
    store.start_session({"executor": "serial"})
    time.sleep(0.05)
    store.add(run_task(cheap, tasks[0]))
    store.flush()
    state = json.loads((store.folder / "state.json").read_text())
    store.close()
    assert state["sessions"][-1].get("seconds", 0) >= 0.05


CTRL_C = """\
import sys, time
import numpy as np
import werklandschap.experiments.runner as runner
from werklandschap import cli

def slow(task):
    time.sleep(0.02)
    return {"labelled_at_horizon": 1.0, "target_met": 0.0, "month_target_reached": np.nan,
            "self_sustaining": 1.0, "months": 168.0}

runner.run_experiment.__kwdefaults__["evaluate"] = slow

if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_and_sigterm_print_what_was_kept_and_how_to_resume(tmp_path, signum, code):
    exp = experiment_file(tmp_path, COMPARE.format(reps=500), "stop.yaml")
    script = tmp_path / "cli.py"
    script.write_text(CTRL_C)
    out = tmp_path / "out"
    argv = [sys.executable, str(script), "experiment", str(exp), "--out", str(out), "-j", "1"]
    # as from a terminal: a Ctrl-C ignored by the test runner's process would be inherited (an
    # ignored signal survives exec) and the experiment would never see it
    process = subprocess.Popen(
        argv,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    state = out / "stop" / "state.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and '"session"' not in (
        state.read_text() if state.exists() else ""
    ):
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signum)
    err = process.communicate(timeout=60)[1]
    assert process.returncode == code, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert "runs kept in" in last and "resume with: werklandschap experiment" in last
    kept = int(last.split(": ", 2)[2].split(" of ")[0].replace(",", ""))
    journal = pd.concat(pd.read_parquet(p) for p in (out / "stop" / "journal").glob("*.parquet"))
    assert kept == len(journal) > 0


# --- --out, --scheduler ---------------------------------------------------------------------


def test_bad_out_and_unreachable_scheduler_are_refused_before_anything_is_written(tmp_path, capsys):
    exp = experiment_file(tmp_path, COMPARE.format(reps=2), "early.yaml")
    a_file = tmp_path / "a_file"
    a_file.write_text("keep")
    code, err = main_exit(["experiment", str(exp), "--out", str(a_file / "sub")], capsys)
    assert code == 2 and "is a file, not a folder" in err and a_file.read_text() == "keep"
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    started = time.perf_counter()
    code, err = main_exit(
        ["experiment", str(exp), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"], capsys
    )
    assert time.perf_counter() - started < 15
    assert code == 2 and "--scheduler" in err and err.count("\n") == 1
    assert not out.exists()


# --- no orphans after SIGKILL ---------------------------------------------------------------

POOL = """\
import sys, time
import numpy as np
from werklandschap.experiments.runner import run_experiment

def slow(task):
    time.sleep(0.2)
    return {"labelled_at_horizon": 1.0, "target_met": 0.0, "month_target_reached": np.nan,
            "self_sustaining": 1.0, "months": 168.0}

if __name__ == "__main__":
    run_experiment(sys.argv[1], sys.argv[2], workers=2, evaluate=slow, quiet=True)
"""


def test_no_process_of_a_killed_experiment_outlives_it(tmp_path):
    psutil = pytest.importorskip("psutil")
    exp = experiment_file(tmp_path, COMPARE.format(reps=200), "pool.yaml")
    script = tmp_path / "pool.py"
    script.write_text(POOL)
    process = subprocess.Popen(
        [sys.executable, str(script), str(exp), str(tmp_path / "out")],
        stderr=subprocess.DEVNULL,
    )
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 60
    children: list = []
    while time.monotonic() < deadline:
        children = parent.children(recursive=True)
        if len(children) >= 4:  # resource tracker, forkserver and two workers
            break
        time.sleep(0.1)
    time.sleep(0.5)
    children = parent.children(recursive=True)
    assert len(children) >= 4, children
    process.kill()
    process.wait(timeout=10)

    def alive():
        return [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]

    deadline = time.monotonic() + 10
    while alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    left = alive()
    for c in left:  # do not leave them behind for the rest of the suite
        c.kill()
    assert not left, [c.cmdline() for c in left]
