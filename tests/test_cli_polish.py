"""The command line for a newcomer: --version, no traceback on a closed pipe, `validate` on
experiment files, and help text for every option."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from werklandschap.cli import build_parser, main

#: Subcommands whose every option must explain itself in --help.
DOCUMENTED = ("scenarios", "validate", "params", "bench", "calibrate", "validation")


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "werklandschap.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_version_comes_from_the_package_metadata(capsys):
    import werklandschap

    assert werklandschap.__version__ == version("werklandschap")
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"werklandschap {version('werklandschap')}"


@pytest.mark.parametrize("args", [["params"], ["params", "--markdown"], ["scenarios"]])
def test_a_closed_pipe_ends_quietly(args):
    """`werklandschap params | head`: the reader leaves early. Closing the pipe's read end before
    the command starts makes the first write fail every time (no race with a real `head`)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "werklandschap.cli", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""  # no BrokenPipeError traceback, no "Exception ignored" at exit
    assert done.returncode == 141


def test_validate_accepts_experiment_and_scenario_files(tmp_path):
    from werklandschap.experiments.spec import shipped_experiments

    experiments = [str(p) for p in shipped_experiments().values()]
    scenario = tmp_path / "mine.yaml"
    scenario.write_text("name: mine\nparameters:\n  n_stimulated: 20\n")
    done = cli("validate", *experiments, str(scenario))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(experiments) + 1
    assert "valid compare experiment 'compare_levers'" in done.stdout
    assert "valid sobol experiment 'sobol'" in done.stdout
    assert lines[-1] == f"{scenario}: valid scenario 'mine' (1 override(s))"


def test_validate_names_the_problem_of_a_bad_experiment_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("type: sweep\nbase: baseline\nx: {parameter: peer_wieght, values: [0, 1]}\n")
    done = cli("validate", str(bad))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "peer_wieght" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", DOCUMENTED)
def test_every_option_has_help(command):
    sub = _subparsers(build_parser())[command]
    assert sub.description, f"{command}: no description"
    for action in sub._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        name = "/".join(action.option_strings) or action.dest
        assert action.help and action.help != argparse.SUPPRESS, f"{command} {name}: no help"
    assert sub.format_help().count("\n") > 3


def test_top_level_help_lists_version():
    assert "--version" in build_parser().format_help()
