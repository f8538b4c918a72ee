"""`werklandschap run` never deletes what it did not write and never loses finished replications.

Regression tests for issue 9: `--name ..`, `--name /existing/folder` and `--name .` used to
delete folders (`shutil.rmtree`), an existing name was silently replaced, `--out` was checked
only after all replications ran, run folders were made 0700, and Ctrl-C lost everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from werklandschap.cli import build_parser, main
from werklandschap.runs import runs, tables
from werklandschap.runs.runs import MARKER, MAX_REPLICATIONS, OutputError, check_name


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under `root` with a hash of its content (folders: 'dir')."""
    out = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        out[key] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def precious(tmp_path):
    """A results folder holding user files that must survive every bad command."""
    out = tmp_path / "results"
    (out / "thesis").mkdir(parents=True)
    (out / "thesis" / "chapter1.txt").write_text("years of work")
    (out / "notes.txt").write_text("keep me")
    return out


def run_cli(*args: str) -> int:
    return main(["run", "baseline", "--no-figures", *args])


def test_name_dotdot_exits_2_and_deletes_nothing(precious, capsys):
    before = snapshot(precious.parent)
    assert run_cli("--out", str(precious), "--name", "..") == 2
    assert snapshot(precious.parent) == before
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not a plain name" in err


def test_name_absolute_existing_folder_exits_2_and_deletes_nothing(precious, capsys):
    target = precious / "thesis"
    before = snapshot(precious.parent)
    assert run_cli("--out", str(precious), "--name", str(target)) == 2
    assert snapshot(precious.parent) == before
    assert "not a plain name" in capsys.readouterr().err


@pytest.mark.parametrize("name", [".", "../x", "a/b", ".hidden", "", "x" * 101, "a\\b", "~"])
def test_names_that_are_paths_or_hidden_are_refused(name):
    with pytest.raises(OutputError, match="not a plain name"):
        check_name(name)


@pytest.mark.parametrize("name", ["seed0-x20", "my_run.v2", "A-1", "scénario"])
def test_plain_names_are_accepted(name):
    assert check_name(name) == name


def test_name_dot_keeps_earlier_runs(tmp_path):
    out = tmp_path / "results"
    assert run_cli("--out", str(out), "--name", "first") == 0
    before = snapshot(out)
    assert run_cli("--out", str(out), "--name", ".") == 2
    assert snapshot(out) == before


def test_existing_name_is_refused_without_overwrite(tmp_path, capsys):
    out = tmp_path / "results"
    assert run_cli("--out", str(out), "--name", "x", "--seed", "1") == 0
    before = snapshot(out)
    assert run_cli("--out", str(out), "--name", "x", "--seed", "2") == 2
    assert "--overwrite" in capsys.readouterr().err
    assert snapshot(out) == before
    assert run_cli("--out", str(out), "--name", "x", "--seed", "2", "--overwrite") == 0
    manifest = json.loads((out / "baseline" / "x" / "manifest.json").read_text())
    assert manifest["seed"] == 2
    assert sorted(p.name for p in (out / "baseline").iterdir()) == ["x"]  # no staging left


def test_overwrite_replaces_only_the_tools_files_and_keeps_the_users(tmp_path):
    """--overwrite used to delete the whole run folder: notes and a figure someone added to it
    were lost. Now only the files the earlier run wrote (listed in its marker) are replaced."""
    out = tmp_path / "results"
    assert run_cli("--out", str(out), "--name", "x", "--seed", "1") == 0
    folder = out / "baseline" / "x"
    (folder / "notes.txt").write_text("what I saw")
    (folder / "mine").mkdir()
    (folder / "mine" / "chart.png").write_bytes(b"my own chart")
    (folder / "empty").mkdir()
    assert run_cli("--out", str(out), "--name", "x", "--seed", "2", "--overwrite") == 0
    assert (folder / "notes.txt").read_text() == "what I saw"
    assert (folder / "mine" / "chart.png").read_bytes() == b"my own chart"
    assert (folder / "empty").is_dir()
    assert json.loads((folder / "manifest.json").read_text())["seed"] == 2
    listed = json.loads((folder / MARKER).read_text())["files"]
    assert "summary.csv" in listed and "notes.txt" not in listed and "mine/chart.png" not in listed
    assert sorted(p.name for p in (out / "baseline").iterdir()) == ["x"]  # no staging left


def test_overwrite_of_an_old_marker_replaces_only_the_known_outputs(tmp_path):
    """A folder from before markers listed their files: the documented outputs are the tool's
    (an old figure goes when the new run draws none), anything else stays."""
    out = tmp_path / "results"
    assert run_cli("--out", str(out), "--name", "x", "--seed", "1") == 0
    folder = out / "baseline" / "x"
    (folder / MARKER).write_text(json.dumps({"written_by": "werklandschap run"}))
    (folder / "figures").mkdir()
    (folder / "figures" / "map.png").write_bytes(b"old map")
    (folder / "figures" / "annotated.png").write_bytes(b"mine")
    assert run_cli("--out", str(out), "--name", "x", "--seed", "2", "--overwrite") == 0
    assert not (folder / "figures" / "map.png").exists()
    assert (folder / "figures" / "annotated.png").read_bytes() == b"mine"
    assert json.loads((folder / "manifest.json").read_text())["seed"] == 2


def test_overwrite_refuses_before_work_when_a_file_it_would_write_is_not_its_own(
    tmp_path, monkeypatch, capsys
):
    """A run without figures, then someone's own figures/map.png: a run drawing figures would
    write over it, so --overwrite refuses, before any replication, and changes nothing."""

    def run_with_figures(*args: str) -> int:
        return main(["run", "baseline", *args])

    out = tmp_path / "results"
    assert run_cli("--out", str(out), "--name", "x", "--seed", "1") == 0
    folder = out / "baseline" / "x"
    (folder / "figures").mkdir()
    (folder / "figures" / "map.png").write_bytes(b"my map")
    before = snapshot(out)
    monkeypatch.setattr(runs, "replicate", lambda *a: pytest.fail("ran before refusing"))
    assert run_with_figures("--out", str(out), "--name", "x", "--overwrite") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "map.png was not written by this tool" in err
    assert snapshot(out) == before


def test_a_stale_staging_folder_loses_only_what_the_tool_staged(tmp_path, monkeypatch):
    """--overwrite discards an unfinished job with other settings: its replications, not a
    file someone put into the staging folder."""
    out = tmp_path / "results"
    real = runs.replicate

    def interrupt_on_second(scenario, seed, index):
        if index == 1:
            raise KeyboardInterrupt
        return real(scenario, seed, index)

    monkeypatch.setattr(runs, "replicate", interrupt_on_second)
    assert run_cli("--out", str(out), "--name", "x", "-r", "3") == 130
    staging = out / "baseline" / ".x.partial"
    assert len(list((staging / "replications").glob("*.npz"))) == 1
    (staging / "keep.txt").write_text("mine")
    monkeypatch.setattr(runs, "replicate", real)
    assert run_cli("--out", str(out), "--name", "x", "--seed", "5", "--overwrite") == 0
    assert (staging / "keep.txt").read_text() == "mine"
    assert not (staging / MARKER).exists() and not (staging / "replications").exists()
    assert json.loads((out / "baseline" / "x" / "manifest.json").read_text())["seed"] == 5


def test_overwrite_never_replaces_a_folder_the_tool_did_not_write(tmp_path, capsys):
    out = tmp_path / "results"
    mine = out / "baseline" / "x"
    mine.mkdir(parents=True)
    (mine / "data.csv").write_text("mine")
    before = snapshot(out)
    assert run_cli("--out", str(out), "--name", "x", "--overwrite") == 2
    assert "not written by" in capsys.readouterr().err
    assert snapshot(out) == before


def test_overwrite_never_follows_a_symlink_to_a_folder_of_ours(tmp_path, capsys):
    """A link named like the run, pointing at a folder the tool wrote elsewhere: the tool did
    not make the link, so --overwrite refuses it and the folder it points to stays whole."""
    elsewhere = tmp_path / "elsewhere"
    assert run_cli("--out", str(elsewhere), "--name", "x", "--seed", "1") == 0
    target = elsewhere / "baseline" / "x"
    before = snapshot(elsewhere)
    out = tmp_path / "results"
    (out / "baseline").mkdir(parents=True)
    (out / "baseline" / "x").symlink_to(target, target_is_directory=True)
    assert run_cli("--out", str(out), "--name", "x", "--seed", "2", "--overwrite") == 2
    assert "not written by" in capsys.readouterr().err
    assert snapshot(elsewhere) == before and (out / "baseline" / "x").is_symlink()


def test_bad_out_is_refused_before_any_replication(tmp_path, monkeypatch, capsys):
    def never(*args, **kwargs):
        raise AssertionError("a replication ran before --out was checked")

    monkeypatch.setattr(runs, "replicate", never)
    afile = tmp_path / "afile"
    afile.write_text("x")
    for out in (afile, afile / "below"):
        assert run_cli("--out", str(out)) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "is a file, not a folder" in err
    assert afile.read_text() == "x" and sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_out_is_refused_before_any_replication(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runs, "replicate", lambda *a, **k: pytest.fail("ran"))
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        assert run_cli("--out", str(locked / "results")) == 2
        assert "permission denied" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


def test_replications_above_the_limit_are_refused_before_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runs, "replicate", lambda *a, **k: pytest.fail("ran"))
    assert run_cli("--out", str(tmp_path / "r"), "-r", str(MAX_REPLICATIONS + 1)) == 2
    assert "at most 1,000,000" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
    run_parser = build_parser()._subparsers._group_actions[0].choices["run"]
    assert "1,000,000" in run_parser.format_help()


def test_run_folders_have_normal_permissions(tmp_path):
    out = tmp_path / "results"
    assert run_cli("--out", str(out), "--name", "p") == 0
    umask = os.umask(0)
    os.umask(umask)
    for folder in (out / "baseline", out / "baseline" / "p"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask
    assert (out / "baseline" / "p" / MARKER).is_file()


OUTPUT_FILES = ("summary.csv", "timeseries.csv", "provinces.csv", "timeseries.parquet")


def test_an_interrupted_run_keeps_its_replications_and_resumes(tmp_path, monkeypatch, capsys):
    # Reference: the same job uninterrupted.
    assert run_cli("--out", str(tmp_path / "ref"), "-r", "5", "--seed", "3") == 0
    reference = tmp_path / "ref" / "baseline" / "seed3-x5"

    real = runs.replicate
    calls: list[int] = []

    def interrupted_after(k: int):
        def replicate(scenario, seed, index):
            if len(calls) == k:
                raise KeyboardInterrupt
            calls.append(index)
            return real(scenario, seed, index)

        return replicate

    out = tmp_path / "results"
    capsys.readouterr()
    monkeypatch.setattr(runs, "replicate", interrupted_after(2))
    assert run_cli("--out", str(out), "-r", "5", "--seed", "3") == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err
    message = err.strip().splitlines()[-1]
    assert "kept 2 of 5" in message and "run the same command again to resume" in message
    staging = out / "baseline" / ".seed3-x5.partial"
    assert (staging / MARKER).is_file() and not (out / "baseline" / "seed3-x5").exists()

    calls.clear()
    monkeypatch.setattr(runs, "replicate", interrupted_after(1))  # a second interruption
    assert run_cli("--out", str(out), "-r", "5", "--seed", "3") == 130
    assert calls == [2]

    calls.clear()
    monkeypatch.setattr(runs, "replicate", interrupted_after(99))
    assert run_cli("--out", str(out), "-r", "5", "--seed", "3") == 0
    assert calls == [3, 4]  # finished replications are skipped
    folder = out / "baseline" / "seed3-x5"
    for name in OUTPUT_FILES:
        assert (folder / name).read_bytes() == (reference / name).read_bytes(), name
    assert not staging.exists()
    manifest = json.loads((folder / "manifest.json").read_text())
    marker = json.loads((folder / MARKER).read_text())
    assert manifest["sessions"] == 3 and len(marker["sessions"]) == 3
    assert manifest["elapsed_seconds"] == pytest.approx(sum(marker["sessions"]), abs=1e-3)
    assert manifest["elapsed_seconds"] > marker["sessions"][-1]


def test_a_staged_job_with_other_settings_is_not_mixed_in(tmp_path, monkeypatch, capsys):
    out = tmp_path / "results"
    real = runs.replicate

    def stop_after_one(scenario, seed, index):
        if index >= 1:
            raise KeyboardInterrupt
        return real(scenario, seed, index)

    monkeypatch.setattr(runs, "replicate", stop_after_one)
    assert run_cli("--out", str(out), "-r", "3", "--name", "job", "--seed", "1") == 130
    monkeypatch.setattr(runs, "replicate", real)
    capsys.readouterr()
    assert run_cli("--out", str(out), "-r", "3", "--name", "job", "--seed", "2") == 2
    assert "unfinished job with other settings" in capsys.readouterr().err
    assert run_cli("--out", str(out), "-r", "3", "--name", "job", "--seed", "2", "--overwrite") == 0
    manifest = json.loads((out / "baseline" / "job" / "manifest.json").read_text())
    assert manifest["seed"] == 2 and manifest["sessions"] == 1


def test_a_staged_replication_round_trips_exactly(tmp_path):
    from werklandschap.model.scenario import load_scenario

    result = runs.replicate(load_scenario("baseline"), 7, 1)
    runs.save_result(result, tmp_path / "r.npz")
    back = runs.load_result(tmp_path / "r.npz")
    assert back.summary() == pytest.approx(result.summary(), nan_ok=True)
    assert back.timeseries().equals(result.timeseries())
    assert back.province_timeseries().equals(result.province_timeseries())
    assert back.params == result.params and back.province_names == result.province_names


def test_write_runs_refuses_foreign_folders_and_replaces_only_its_own(tmp_path):
    from werklandschap.model.scenario import load_scenario

    scenario = load_scenario("baseline")
    results = runs.run_replications(scenario, seed=1, replications=2)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "data.txt").write_text("mine")
    for overwrite in (False, True):
        with pytest.raises(OutputError):
            runs.write_runs(results, scenario, foreign, 1, 0.0, False, overwrite=overwrite)
    assert sorted(p.name for p in foreign.iterdir()) == ["data.txt"]
    ours = runs.write_runs(results, scenario, tmp_path / "ours", 1, 0.0, figures=False)
    with pytest.raises(OutputError):
        runs.write_runs(results, scenario, ours, 1, 0.0, figures=False)
    runs.write_runs(results[:1], scenario, ours, 1, 0.0, figures=False, overwrite=True)
    assert json.loads((ours / "manifest.json").read_text())["replications"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign", "ours"]


def test_a_failed_write_leaves_no_temporary_file_and_the_rerun_resumes(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "results"
    real_savez = tables.np.savez_compressed
    writes: list[int] = []

    def disk_full_on_third(handle, **arrays):
        if len(writes) == 2:
            handle.write(b"partial")
            raise OSError(28, "No space left on device")
        writes.append(1)
        return real_savez(handle, **arrays)

    monkeypatch.setattr(tables.np, "savez_compressed", disk_full_on_third)
    assert run_cli("--out", str(out), "-r", "4", "--name", "full") == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    staging = out / "baseline" / ".full.partial"
    assert not list(staging.rglob("*.tmp"))
    assert len(list((staging / "replications").glob("*.npz"))) == 2
    monkeypatch.setattr(tables.np, "savez_compressed", real_savez)
    assert run_cli("--out", str(out), "-r", "4", "--name", "full") == 0
    assert json.loads((out / "baseline" / "full" / "manifest.json").read_text())["sessions"] == 2
