"""Outputs users can read with any tool (issue 10): declared columns, types, dates, metadata.

The declaration (model/output_columns.py with the outcome spec) is the single source of the
columns of every file `run` and `experiment` write; these tests check that the files written
hold exactly the declared columns with the declared types, that summary.csv and runs.parquet
agree on types, and that docs/outputs.md is generated from the declaration.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from werklandschap.cli import main
from werklandschap.experiments.runner import run_experiment
from werklandschap.model import output_columns as oc
from werklandschap.model.outcome_spec import OUTCOMES
from werklandschap.model.parameters import BY_NAME as PARAMETERS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run")
    assert main(["run", "baseline", "-r", "2", "--no-figures", "--out", str(out)]) == 0
    return out / "baseline" / "seed0-x2"


@pytest.fixture(scope="module")
def experiment_folder(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("experiment")
    path = tmp / "tiny.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            name: tiny
            type: compare
            seed: 3
            replications: 2
            baseline: baseline
            scenarios: [baseline, no_programme]
            """
        )
    )
    return run_experiment(path, tmp / "results", workers=1, quiet=True)


def kind(dtype) -> str:
    """A tool-neutral type name: int, bool, float, text or date."""
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    return "text"


DECLARED_KIND = {"int": "int", "bool": "bool", "float": "float", "month": "float", "str": "text"}


def test_docs_outputs_md_is_current():
    checked_in = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    assert checked_in == oc.outputs_markdown(), (
        "docs/outputs.md is stale: run `werklandschap outputs --markdown > docs/outputs.md`"
    )


def test_outputs_command_prints_the_declaration(capsys):
    assert main(["outputs", "--markdown"]) == 0
    assert capsys.readouterr().out == oc.outputs_markdown()
    assert main(["outputs"]) == 0
    listing = capsys.readouterr().out
    assert "runs.parquet" in listing and "date_target_reached" in listing


def test_every_outcome_and_month_date_is_documented():
    text = oc.outputs_markdown()
    for o in OUTCOMES:
        assert f"| `{o.name}` |" in text
        if o.dtype == "month":
            assert f"| `{o.date_name}` | date" in text
    for file in oc.FILES:
        assert f"### {file.name}" in text
        assert all(c.meaning and c.unit for c in file.columns), file.name


@pytest.mark.parametrize("file", [f for f in oc.FILES if f.command == "run"], ids=lambda f: f.name)
def test_run_writes_exactly_the_declared_columns(run_folder, file):
    path = run_folder / file.name
    if path.suffix == ".csv":
        columns = list(pd.read_csv(path, nrows=1).columns)
    else:
        schema = pq.read_schema(path)
        columns = schema.names
        for name in columns:
            declared = file.column(name)
            meta = schema.field(name).metadata
            assert meta[b"description"].decode() == declared.meaning
            assert meta[b"unit"].decode() == declared.unit
        assert schema.metadata[b"description"].decode() == file.meaning
    assert columns == file.names


def test_run_manifest_keys_are_declared(run_folder):
    import json

    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert list(manifest) == list(oc.RUN_MANIFEST)


def check_experiment_columns(columns: list[str], file: oc.OutputFile, complete=True) -> None:
    """Columns are the declared ones (in order) plus parameter columns where allowed."""
    declared = [c for c in columns if file.column(c) is not None]
    others = [c for c in columns if file.column(c) is None]
    assert declared == [n for n in file.names if n in declared]
    if complete:  # the model's outcomes (a stand-in evaluate may return fewer)
        assert {c.name for c in file.columns if not c.when} <= set(declared)
    if file.parameter_columns:
        assert set(others) <= set(PARAMETERS)
    else:
        assert others == []


@pytest.mark.parametrize(
    "file", [f for f in oc.FILES if f.command == "experiment"], ids=lambda f: f.name
)
def test_experiment_writes_the_declared_columns(experiment_folder, file):
    schema = pq.read_schema(experiment_folder / file.name)
    check_experiment_columns(schema.names, file)
    if file is not oc.EXPERIMENT_DESIGN:  # design.parquet is written by the store, untyped
        for name in schema.names:
            assert schema.field(name).metadata[b"unit"]


def test_summary_csv_and_runs_parquet_agree_on_types(run_folder, experiment_folder):
    summary = pd.read_csv(run_folder / "summary.csv")  # types as any CSV reader infers them
    runs = pd.read_parquet(experiment_folder / "runs.parquet")
    shared = [c for c in runs.columns if c in summary.columns]
    assert len(shared) >= 15
    for name in shared:
        declared = oc.RUN_SUMMARY.column(name) or oc.EXPERIMENT_RUNS.column(name)
        if declared.dtype == "date":
            assert kind(runs[name].dtype) == "text"  # Arrow date32 arrives as Python dates
            assert pq.read_schema(experiment_folder / "runs.parquet").field(name).type == "date32"
            continue
        assert kind(summary[name].dtype) == kind(runs[name].dtype) == DECLARED_KIND[declared.dtype]
    assert runs["labelled_at_horizon"].dtype == "Int64"
    assert runs["target_met"].dtype == "boolean" and summary["target_met"].dtype == bool


def test_runs_parquet_types_hold_with_failed_runs(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("type: compare\nreplications: 3\nscenarios: [baseline]\ntimeseries: false\n")
    folder = run_experiment(
        path, tmp_path, workers=1, evaluate=_half_failing, quiet=True, analyse=False
    )
    runs = pd.read_parquet(folder / "runs.parquet")
    schema = pq.read_schema(folder / "runs.parquet")
    assert str(schema.field("error").type) == "string"
    assert str(schema.field("labelled_at_horizon").type) == "int64"
    assert str(schema.field("target_met").type) == "bool"
    failed = runs["status"] == "error"
    assert failed.tolist() == [False, True, False]
    assert runs.loc[failed, "labelled_at_horizon"].isna().all()
    assert runs.loc[~failed, "labelled_at_horizon"].tolist() == [1200, 1200]
    assert runs["target_met"].isna().tolist() == [False, True, False]
    assert (
        runs.loc[~failed, "error"].isna().all() and runs.loc[failed, "error"].str.len().gt(0).all()
    )


def _half_failing(task) -> dict:
    if task.run_id == 1:
        raise RuntimeError("boom")
    return {
        "labelled_at_horizon": 1200.0,
        "target_met": 1.0,
        "month_target_reached": 100.0,
        "months": 168.0,
    }


def test_error_column_is_text_even_when_no_run_failed(experiment_folder):
    schema = pq.read_schema(experiment_folder / "runs.parquet")
    assert str(schema.field("error").type) == "string"


def test_a_date_sits_beside_every_month_number(run_folder, experiment_folder):
    summary = pd.read_csv(run_folder / "summary.csv", dtype={"seed": "Int64"})
    runs = pd.read_parquet(experiment_folder / "runs.parquet")
    for frame in (summary, runs):
        for o in OUTCOMES:
            if o.dtype != "month" or o.name not in frame:
                continue
            cols = list(frame.columns)
            assert cols[cols.index(o.name) + 1] == o.date_name
            expected = oc.months_to_dates(frame[o.name])
            got = pd.to_datetime(frame[o.date_name])
            assert (got.isna() == frame[o.name].isna()).all()
            assert (got[got.notna()] == expected[got.notna()]).all()


def test_months_to_dates():
    dates = oc.months_to_dates([0, 11, 12, 108, np.nan])
    assert [str(d.date()) for d in dates[:4]] == [
        "2023-01-01",
        "2023-12-01",
        "2024-01-01",
        "2032-01-01",
    ]
    assert pd.isna(dates[4])


def test_long_timeseries_of_run_matches_the_wide_csv(run_folder):
    long = pd.read_parquet(run_folder / "timeseries.parquet")
    wide = pd.read_csv(run_folder / "timeseries.csv")
    assert len(long) == len(wide) * 5 and (long["scenario"] == "baseline").all()
    pivot = long.pivot(index=["replication", "month"], columns="stage", values="parks")
    for stage in ("unaware", "aware", "engaged", "transforming", "labelled"):
        assert (pivot[stage].to_numpy() == wide[stage].to_numpy()).all()
    assert (pd.to_datetime(long["date"]) == oc.months_to_dates(long["month"])).all()


def test_long_timeseries_of_experiment(experiment_folder):
    long = pd.read_parquet(experiment_folder / "timeseries.parquet")
    runs = pd.read_parquet(experiment_folder / "runs.parquet")
    assert list(long.columns) == ["run_id", "month", "date", "labelled"]
    assert len(long) == len(runs) * 169
    at_horizon = long[long["month"] == 108].set_index("run_id")["labelled"]
    assert (at_horizon.to_numpy() == runs.set_index("run_id")["labelled_at_horizon"]).all()


def test_a_fractional_value_in_an_integer_column_is_refused_not_rounded():
    frame = pd.DataFrame({"replication": [0.0, 1.5]})
    with pytest.raises(TypeError):
        oc.typed(frame, oc.RUN_SUMMARY)


def test_sweep_parameter_columns_carry_the_parameter_spec(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "type: sweep\nreplications: 1\ntimeseries: false\n"
        "x: {parameter: peer_weight, values: [0.5, 1.0]}\n"
        "y: {parameter: n_stimulated, values: [100, 200]}\n"
    )
    folder = run_experiment(
        path, tmp_path, workers=1, evaluate=_half_failing, quiet=True, analyse=False
    )
    schema = pq.read_schema(folder / "runs.parquet")
    check_experiment_columns(schema.names, oc.EXPERIMENT_RUNS, complete=False)
    assert {"peer_weight", "n_stimulated", "point"} <= set(schema.names)
    meta = schema.field("peer_weight").metadata
    assert meta[b"unit"].decode() == PARAMETERS["peer_weight"].unit
    assert PARAMETERS["peer_weight"].description in meta[b"description"].decode()
