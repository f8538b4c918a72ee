"""Nothing lost, nothing deleted (issue 9), input side: strict YAML and declared limits, each
refused with one clear message before any work. Every test here failed on the code before the
fix. The experiment-folder side (lock, full disk, Ctrl-C, SIGTERM, SIGKILL) is in
tests/test_experiment_safety.py."""

from __future__ import annotations

import errno
import time

import pytest
from reliability_helpers import experiment_file, main_exit

from werklandschap import cli
from werklandschap.experiments.spec import LIMITS, ExperimentError, load_experiment
from werklandschap.model import safe_yaml
from werklandschap.model.parameters import BY_NAME
from werklandschap.model.scenario import ScenarioError, load_scenario_file, make_scenario

# --- YAML -----------------------------------------------------------------------------------


def test_duplicate_keys_are_refused_in_experiment_and_scenario_files(tmp_path, capsys):
    exp = experiment_file(
        tmp_path,
        """\
        type: compare
        replications: 100000000
        replications: 1
        scenarios: [baseline]
        """,
    )
    code, err = main_exit(["experiment", str(exp), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and "duplicate key 'replications'" in err and "line 2" in err
    assert not (tmp_path / "out").exists()
    scenario = tmp_path / "s.yaml"
    scenario.write_text("parameters:\n  n_stimulated: 10\n  n_stimulated: 20\n")
    with pytest.raises(ScenarioError, match="duplicate key 'n_stimulated'"):
        load_scenario_file(scenario)


def test_alias_bomb_is_refused_fast_with_a_short_message(tmp_path, capsys):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(
            f"{'abcdefghi'[i]}: &{'abcdefghi'[i]} ["
            + ",".join(["*" + "abcdefghi"[i - 1]] * 9)
            + "]"
        )
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("parameters:\n  peer_weight: &x [1]\n" + "\n".join(lines) + "\n")
    started = time.perf_counter()
    code, err = main_exit(["validate", str(bomb)], capsys)
    assert time.perf_counter() - started < 2
    assert code == 2 and "anchors and aliases" in err and len(err) < 300


def test_input_files_have_a_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(safe_yaml, "MAX_BYTES", 1000)
    big = tmp_path / "big.yaml"
    big.write_text("description: " + "x" * 2000 + "\n")
    with pytest.raises(ScenarioError, match="the limit is 1,000 bytes"):
        load_scenario_file(big)


def test_unreadable_non_utf8_and_directory_inputs_get_one_clear_message(
    tmp_path, capsys, monkeypatch
):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    for command in ("validate", "experiment"):
        code, err = main_exit([command, str(folder)], capsys)
        assert code == 2 and "is a directory" in err and "not found" not in err
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("type: compare\ndescription: caf\xe9\n".encode("latin-1"))
    for command in ("validate", "experiment"):
        code, err = main_exit([command, str(latin)], capsys)
        assert code == 2 and "not a UTF-8 text file" in err and "Traceback" not in err

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    ok = tmp_path / "ok.yaml"
    ok.write_text("type: compare\nscenarios: [baseline]\n")
    monkeypatch.setattr(safe_yaml, "open", denied, raising=False)
    for command in ("validate", "experiment"):
        code, err = main_exit([command, str(ok)], capsys)
        assert code == 2 and "cannot read" in err and "Permission denied" in err
        assert err.count("\n") == 1


def test_empty_or_comment_only_scenario_file_is_not_the_baseline(tmp_path):
    for text in ("", "# just a comment\n", "\n\n"):
        path = tmp_path / "empty.yaml"
        path.write_text(text)
        with pytest.raises(ScenarioError, match="empty scenario file"):
            load_scenario_file(path)


def test_a_list_for_a_float_gives_one_message_and_long_values_are_cut():
    with pytest.raises(ScenarioError) as info:
        make_scenario("s", {"peer_weight": [1, 2]})
    assert str(info.value).count("peer_weight") == 1 and ";" not in str(info.value)
    with pytest.raises(ScenarioError) as info:
        make_scenario("s", {"peer_weight": "x" * 10_000})
    assert len(str(info.value)) < 200


# --- limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("type: sobol\nn: 64\nnoise_check: {points: 1000000}\n", "noise_check.points"),
        ("type: compare\nreplications: 1000000000000\nscenarios: [baseline]\n", "replications"),
        (
            "type: sweep\nx: {parameter: peer_weight, from: 0, to: 1, steps: 100000000}\n"
            "y: {parameter: n_stimulated, values: [0, 10]}\n",
            "x.steps",
        ),
        ("type: morris\ntrajectories: 10000000\n", "trajectories"),
        ("type: discovery\nsamples: 100000000\n", "samples"),
        ("type: discovery\nsamples: 9000000\nreplications: 2\n", "runs; the limit is"),
    ],
)
def test_out_of_range_counts_are_refused_before_any_work(
    tmp_path, capsys, monkeypatch, text, message
):
    def no_design(spec):  # the design must never be built for a refused file
        raise AssertionError("design built")

    monkeypatch.setattr("werklandschap.experiments.runner.build_design", no_design)
    exp = experiment_file(tmp_path, text)
    out = tmp_path / "out"
    started = time.perf_counter()
    code, err = main_exit(["experiment", str(exp), "--out", str(out)], capsys)
    assert time.perf_counter() - started < 5
    assert code == 2 and message in err and err.count("\n") == 1
    assert not out.exists()


def test_cli_overrides_have_declared_bounds_shown_in_help(capsys):
    code, err = main_exit(["experiment", "sobol", "--n", str(2**40)], capsys)
    assert code == 2 and "--n" in err and f"{LIMITS['n'].maximum:,}" in err
    code, err = main_exit(["experiment", "sobol", "-r", "0"], capsys)
    assert code == 2 and "--replications" in err
    with pytest.raises(SystemExit):
        cli.main(["experiment", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"2..{LIMITS['n'].maximum:,}" in help_text
    assert f"1..{LIMITS['replications'].maximum:,}" in help_text


@pytest.mark.parametrize(
    "argv",
    [
        ["experiment", "sobol", "--workers", "x"],
        ["run", "baseline", "--seed", "abc"],
        ["run", "baseline", "-r", "1.5"],
        ["bench", "--repeats", "many"],
        ["bench", "--layer-runs", "many"],
    ],
)
def test_argparse_messages_never_name_internal_helpers(capsys, argv):
    code, err = main_exit(argv, capsys)
    assert code == 2 and "expected a whole number" in err
    assert "_positive" not in err and "_seed" not in err and "whole_number" not in err


def test_sweep_bounds_must_be_numeric_and_not_on_a_categorical(tmp_path):
    numeric = experiment_file(
        tmp_path,
        """\
        type: sweep
        x: {parameter: peer_weight, from: low, to: 1, steps: 3}
        y: {parameter: n_stimulated, values: [0, 10]}
        """,
    )
    with pytest.raises(ExperimentError, match="must be numbers"):
        load_experiment(numeric)
    choice = next(name for name, p in BY_NAME.items() if p.choices is not None)
    categorical = experiment_file(
        tmp_path,
        f"""\
        type: sweep
        x: {{parameter: {choice}, from: 0, to: 1, steps: 3}}
        y: {{parameter: n_stimulated, values: [0, 10]}}
        """,
        "cat.yaml",
    )
    with pytest.raises(ExperimentError, match="not numeric"):
        load_experiment(categorical)
