"""Property-based fuzz test (hypothesis): malformed scenario files, experiment files and CLI
arguments always end with exit 2, one line on stderr, no traceback and nothing written, within a
few seconds. In-process calls of `cli.main` keep it fast; the number of examples is bounded."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from werklandschap import cli
from werklandschap.experiments.spec import BY_TYPE, COMMON, LIMITS, TYPES
from werklandschap.model.parameters import BY_NAME
from werklandschap.model.scenario import TOP_LEVEL_KEYS, shipped_scenarios

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SECONDS = 5.0  # per example

names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=80),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
#: A value that is never accepted for a parameter: a mapping, a long list or a long text.
wrong_values = st.one_of(
    st.dictionaries(st.text(max_size=5), scalars, min_size=1, max_size=3),
    st.lists(st.lists(scalars, max_size=2), min_size=13, max_size=15),
    st.text(min_size=1, max_size=200).filter(lambda t: t.strip() not in ("",)),
)


@pytest.fixture(autouse=True)
def never_run(monkeypatch):
    """An input wrongly accepted must fail the test at once, not start a real experiment."""

    def refuse(*args, **kwargs):
        raise AssertionError("malformed input was accepted and would run")

    monkeypatch.setattr("werklandschap.experiments.runner.build_design", refuse)
    monkeypatch.setattr("werklandschap.runs.runs.run_replications", refuse)


def outside(low: int, high: int):
    """Integers outside low..high."""
    return st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1))


def parses(text: str) -> bool:
    try:
        int(text.strip().replace("_", ""), 10)
        return True
    except ValueError:
        return False


def dump(document) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


# Text-level faults: broken YAML, duplicate keys, aliases, non-UTF-8 bytes, control characters.
text_faults = st.one_of(
    st.builds(lambda k: f"{k}: 1\n{k}: 2\n", st.sampled_from(["name", "type", "parameters"])),
    st.builds(lambda v: f"a: &x {v}\nb: *x\n", st.integers()),
    st.just("parameters: [unclosed\n"),
    st.just("name: x\n\tparameters: {}\n"),
    st.just(": : :\n"),
    st.just("- [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"),
    st.binary(min_size=1, max_size=40).map(lambda b: b"\xff" + b),
    st.sampled_from(["\x00", "\x07", "\x1b[31m"]).map(lambda c: f"name: a{c}b\n"),
)


def scenario_documents():
    unknown_top = st.builds(
        lambda k, v: {k: v},
        names.filter(lambda k: k not in TOP_LEVEL_KEYS),
        values,
    )
    not_a_mapping = st.one_of(st.lists(values, min_size=1, max_size=3), st.integers(), names)
    unknown_parameter = st.builds(
        lambda k, v: {"parameters": {k: v}}, names.filter(lambda k: k not in BY_NAME), values
    )
    wrong_type = st.builds(
        lambda k, v: {"parameters": {k: v}}, st.sampled_from(sorted(BY_NAME)), wrong_values
    )
    return st.one_of(
        unknown_top.map(dump),
        not_a_mapping.map(dump),
        unknown_parameter.map(dump),
        wrong_type.map(dump),
    )


def experiment_documents():
    unknown_type = st.builds(
        lambda t, rest: {**rest, "type": t},
        names.filter(lambda t: t not in TYPES),
        st.dictionaries(names, values, max_size=2),
    )
    unknown_key = st.builds(
        lambda t, k, v: {"type": t, k: v},
        st.sampled_from(TYPES),
        names.filter(lambda k: k not in COMMON and all(k not in v for v in BY_TYPE.values())),
        values,
    )
    out_of_range = st.builds(
        lambda t, key_value: {"type": t, key_value[0]: key_value[1]},
        st.sampled_from(["sobol", "morris", "discovery"]),
        st.one_of(
            st.tuples(st.just("replications"), outside(1, LIMITS["replications"].maximum)),
            st.tuples(st.just("seed"), outside(0, LIMITS["seed"].maximum)),
            st.tuples(st.just("bootstrap"), outside(10, LIMITS["bootstrap"].maximum)),
        ),
    )
    wrong_type = st.builds(
        lambda t, key, v: {"type": t, key: v},
        st.sampled_from(TYPES),
        st.sampled_from(["replications", "seed", "timeseries"]),
        st.one_of(st.text(min_size=1, max_size=20), st.lists(st.integers(), max_size=3)),
    )
    noise = st.builds(
        lambda p: {"type": "sobol", "n": 64, "noise_check": {"points": p}},
        st.one_of(st.integers(max_value=-1), st.integers(min_value=10_001, max_value=10**18)),
    )
    sweep = st.builds(
        lambda lo, steps: {
            "type": "sweep",
            "x": {"parameter": "peer_weight", "from": lo, "to": 1, "steps": steps},
            "y": {"parameter": "n_stimulated", "values": [0, 10]},
        },
        st.one_of(st.text(max_size=5), st.lists(st.integers(), max_size=2), st.none()),
        st.integers(min_value=2, max_value=10**12),
    )
    bad_scenarios = st.builds(
        lambda names_: {"type": "compare", "scenarios": names_},
        st.lists(
            st.one_of(
                names.filter(lambda n: n not in shipped_scenarios()),
                st.text(min_size=300, max_size=5000),  # longer than a file name may be
                st.just("a\x00b"),
                st.just("some/folder/"),
            ),
            min_size=1,
            max_size=3,
        ),
    )
    return st.one_of(
        bad_scenarios.map(dump),
        unknown_type.map(dump),
        unknown_key.map(dump),
        out_of_range.map(dump),
        wrong_type.map(dump),
        noise.map(dump),
        sweep.map(dump),
    )


def assert_refused(argv_for, content: str | bytes, capsys) -> None:
    """Write `content` to a file in a fresh folder, run the CLI, check the refusal."""
    root = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        path = root / "input.yaml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        before = sorted(root.rglob("*"))
        started = time.perf_counter()
        try:
            code = cli.main(argv_for(path, root / "out"))
        except SystemExit as exc:  # argparse
            code = exc.code
        elapsed = time.perf_counter() - started
        captured = capsys.readouterr()
        err = captured.err
        assert code == 2, (content, err)
        assert "Traceback" not in err
        assert len(err.strip().splitlines()) == 1 and err.startswith("werklandschap"), err
        assert elapsed < SECONDS, (content, elapsed)
        assert sorted(root.rglob("*")) == before  # nothing written
    finally:
        shutil.rmtree(root)


def _duplicate_parameter(name: str) -> str:
    value = yaml.safe_dump(BY_NAME[name].default, default_flow_style=True).strip()
    value = value.removesuffix("...").strip()
    return f"parameters:\n  {name}: {value}\n  {name}: {value}\n"


# Faults that a plain YAML loader lets through as a valid scenario (the baseline).
scenario_faults = st.one_of(
    st.sampled_from(sorted(BY_NAME)).map(_duplicate_parameter),
    st.lists(st.sampled_from(["", "# a comment", "   ", "#"]), max_size=4).map("\n".join),
)


@FUZZ
@given(st.one_of(scenario_documents(), text_faults, scenario_faults))
def test_malformed_scenario_files_are_refused_cleanly(capsys, content):
    assert_refused(lambda path, out: ["validate", str(path)], content, capsys)


@FUZZ
@given(st.one_of(experiment_documents(), text_faults))
def test_malformed_experiment_files_are_refused_cleanly(capsys, content):
    assert_refused(lambda path, out: ["experiment", str(path), "--out", str(out)], content, capsys)


not_numbers = st.text(max_size=12).filter(lambda t: not parses(t))
bad_numbers = st.one_of(not_numbers, outside(1, 100_000).map(str))


@FUZZ
@given(
    st.sampled_from(["--n", "--replications", "--workers"]),
    bad_numbers,
)
def test_malformed_experiment_options_are_refused_cleanly(capsys, option, text):
    good = "type: sobol\nn: 64\n"
    assert_refused(
        lambda path, out: ["experiment", str(path), "--out", str(out), f"{option}={text}"],
        good,
        capsys,
    )


@FUZZ
@given(
    st.one_of(
        st.tuples(st.just("--seed"), st.one_of(not_numbers, outside(0, 2**63 - 1).map(str))),
        st.tuples(
            st.just("--replications"), st.one_of(not_numbers, st.integers(max_value=0).map(str))
        ),
    )
)
def test_malformed_run_options_are_refused_cleanly(capsys, option_text):
    option, text = option_text
    assert_refused(
        lambda path, out: ["run", "baseline", "--out", str(out), f"{option}={text}"],
        "",
        capsys,
    )
