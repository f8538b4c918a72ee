"""The output declaration: every column of every table that `run` and `experiment` write.

Summary outcomes are declared once in `model/outcome_spec.py`; this module adds the other
columns (identifiers, time series, status) and says which file holds which columns. Everything
that writes or documents an output table reads this declaration (the helpers below live in
`model/output_format.py` and are re-exported here):

- `typed(frame, file)` gives each declared column its type (integer counts as nullable Int64,
  yes/no as nullable boolean, text as string, calendar dates as datetime) and puts a date column
  beside every month number (`month_target_reached` -> `date_target_reached`);
- `parquet_bytes(frame, file)` writes Parquet whose Arrow schema carries each column's meaning
  and unit (field metadata `description`, `unit`) and the file's description (schema metadata);
- `outputs_markdown()` is docs/outputs.md (`werklandschap outputs --markdown`).

Months count from the start: month 0 is 1 January 2023, month t the state t months later, so
month `horizon_months` is the end of the programme horizon (the end of 2031 by default). The date
of month t is the first day of calendar month t (1 January 2023 plus t months): the date of the
horizon month is 1 January of the next year, the moment the horizon year ends.
"""

from __future__ import annotations

from werklandschap.model.outcome_spec import EXPERIMENT_OUTCOMES, OUTCOMES, fill

# The vocabulary and helpers live in output_format; they are re-exported here so that every
# writer and reader of an output table needs only this module.
from werklandschap.model.output_format import (  # noqa: F401
    ARROW_TYPES,
    PANDAS_DTYPES,
    TYPE_WORDS,
    Column,
    ColumnType,
    Command,
    OutputFile,
    arrow_table,
    column_table,
    date_column,
    months_to_dates,
    outcome_column,
    outcome_columns,
    parquet_bytes,
    typed,
    with_dates,
)

_C = Column
MONTH = _C(
    name="month",
    meaning=fill(
        "Months since the start (0 = 1 January 2023; {horizon} = end of {horizon_year}).", None
    ),
    unit="month",
    dtype="int",
)
DATE = _C(
    name="date",
    meaning="Calendar date of `month` (1 January 2023 plus `month` months).",
    unit="date",
    dtype="date",
)
REPLICATION = _C(
    name="replication",
    meaning="Replication number within the job (0, 1, ...).",
    unit="-",
    dtype="int",
)
SCENARIO = _C(name="scenario", meaning="Name of the scenario run.", unit="-", dtype="str")
STAGE_WORDS = {
    "unaware": "Parks not (yet) aware of the idea of a werklandschap.",
    "aware": "Parks aware of the idea but not engaged.",
    "engaged": "Parks engaged: making a plan.",
    "transforming": "Parks carrying out their plan.",
    "labelled": "Parks with the area label.",
}
STAGES = tuple(_C(name=s, meaning=m, unit="parks", dtype="int") for s, m in STAGE_WORDS.items())
DRIVERS = {
    "intrinsic": "the park's own motive",
    "programme": "the programme",
    "peers": "peers",
    "regulation": "regulation",
}

DRAW = _C(
    name="draw",
    meaning="Posterior-predictive runs: the parameter set (0, 1, ...) this replication drew from "
    "the calibration posterior (replications with the same draw share it); empty with fixed "
    "parameters (`--no-posterior`).",
    unit="-",
    dtype="int",
)
PARTICLE = _C(
    name="particle",
    meaning="Posterior-predictive runs: row of the posterior file's particles that this "
    "replication's parameter set is (values in predictive.json); empty with fixed parameters.",
    unit="-",
    dtype="int",
)
RUN_SUMMARY = OutputFile(
    name="summary.csv",
    command="run",
    meaning="One row of summary outcomes per replication.",
    columns=(REPLICATION, *outcome_columns(o.name for o in OUTCOMES), DRAW, PARTICLE),
)
RUN_TIMESERIES_CSV = OutputFile(
    name="timeseries.csv",
    command="run",
    meaning="National monthly series per replication (wide: one column per stage).",
    columns=(
        REPLICATION,
        MONTH,
        DATE,
        *STAGES,
        *(
            _C(
                name=f"engaged_by_{k}",
                unit="parks",
                dtype="int",
                meaning=f"New engagements in this month whose main channel by marginal effect "
                f"was {w} (ODD §7.4).",
            )
            for k, w in DRIVERS.items()
        ),
        _C(
            name="maturity",
            meaning="Concept maturity M at the end of the month.",
            unit="0-1",
            dtype="float",
        ),
        _C(
            name="label_available",
            meaning="Whether the area label can be awarded this month.",
            unit="yes/no",
            dtype="bool",
        ),
        _C(
            name="green_deal_provinces",
            meaning="Provinces with a Green Deal this month.",
            unit="provinces",
            dtype="int",
        ),
    ),
)
RUN_PROVINCES = OutputFile(
    name="provinces.csv",
    command="run",
    meaning="Monthly stage counts per province per replication.",
    columns=(
        REPLICATION,
        MONTH,
        DATE,
        _C(name="province", meaning="Province name.", unit="-", dtype="str"),
        *STAGES,
    ),
)
RUN_TIMESERIES = OutputFile(
    name="timeseries.parquet",
    command="run",
    meaning="National stage counts per month per replication, long format (one row per "
    "replication, month and stage): read it with any Parquet reader.",
    columns=(
        SCENARIO,
        REPLICATION,
        MONTH,
        DATE,
        _C(name="stage", meaning="Stage: " + ", ".join(STAGE_WORDS) + ".", unit="-", dtype="str"),
        _C(name="parks", meaning="Parks in that stage in that month.", unit="parks", dtype="int"),
    ),
)

DESIGN = (
    _C(
        name="run_id",
        meaning="Run number within the experiment (0, 1, ...); the key of every table.",
        unit="-",
        dtype="int",
    ),
    _C(name="scenario", meaning="Name of the scenario run.", unit="-", dtype="str", when="compare"),
    _C(
        name="scenario_index",
        meaning="Position of the scenario in the experiment file's list.",
        unit="-",
        dtype="int",
        when="compare",
    ),
    _C(
        name="role",
        meaning="`sample` (a sampled point) or `noise` (extra replications at a "
        "point, to measure the replication noise).",
        unit="-",
        dtype="str",
        when="sobol, morris, discovery",
    ),
    _C(
        name="point",
        meaning="Design point (sample, grid cell or grid value) the run belongs to.",
        unit="-",
        dtype="int",
        when="sobol, morris, discovery, sweep, critical_mass",
    ),
    _C(
        name="arm",
        meaning="`supported` (support as designed) or `withdrawn` (support withdrawn early) "
        "at a grid value of the control.",
        unit="-",
        dtype="str",
        when="critical_mass",
    ),
    _C(
        name="replication", meaning="Replication number at the design point.", unit="-", dtype="int"
    ),
    _C(name="seed", meaning="Seed of the run (numpy SeedSequence entropy).", unit="-", dtype="int"),
    _C(
        name="draw",
        meaning="Parameter set drawn from the calibration posterior (runs with the same draw "
        "share it; the calibrated parameters' values are in their own columns).",
        unit="-",
        dtype="int",
        when="posterior-predictive",
    ),
    _C(
        name="particle",
        meaning="Row of the posterior file's particles that the run's parameter set is.",
        unit="-",
        dtype="int",
        when="posterior-predictive",
    ),
)
EXPERIMENT_DESIGN = OutputFile(
    name="design.parquet",
    command="experiment",
    meaning="One row per planned run (written before any run).",
    columns=DESIGN,
    parameter_columns=True,
)
EXPERIMENT_RUNS = OutputFile(
    name="runs.parquet",
    command="experiment",
    meaning="One row per run: design values, status and the summary outcomes kept by "
    "experiments. Outcomes are empty for runs that failed or are missing.",
    columns=(
        *DESIGN,
        _C(
            name="status",
            meaning="`ok`, `error` (the run raised; see `error`) or `missing` (not run yet).",
            unit="-",
            dtype="str",
        ),
        _C(
            name="error",
            meaning="Type, message and place of the exception of a failed run; empty otherwise.",
            unit="-",
            dtype="str",
        ),
        *outcome_columns(EXPERIMENT_OUTCOMES),
        _C(
            name="months",
            meaning="Months simulated (horizon plus after-horizon).",
            unit="months",
            dtype="int",
        ),
    ),
    parameter_columns=True,
)
EXPERIMENT_TIMESERIES = OutputFile(
    name="timeseries.parquet",
    command="experiment",
    meaning="Labelled parks per month per successful run, long format (one row per run and "
    "month), when the experiment keeps time series.",
    columns=(
        DESIGN[0],
        MONTH,
        DATE,
        _C(name="labelled", meaning="Parks with the area label.", unit="parks", dtype="int"),
    ),
)
FILES: tuple[OutputFile, ...] = (
    RUN_SUMMARY, RUN_TIMESERIES_CSV, RUN_PROVINCES, RUN_TIMESERIES,
    EXPERIMENT_RUNS, EXPERIMENT_TIMESERIES, EXPERIMENT_DESIGN,
)  # fmt: skip

#: Keys of manifest.json of `run` (what is needed to reproduce and judge the runs).
RUN_MANIFEST: dict[str, str] = {
    "scenario": "scenario name",
    "description": "scenario description",
    "overrides": "parameters the scenario changes from the defaults",
    "parameters": "every parameter value used",
    "seed": "the seed given (replication r uses the seed derived from it and r)",
    "replications": "number of replications",
    "replication_seeds": "seed of each replication, in order",
    "months": "months simulated per replication",
    "elapsed_seconds": "wall time of the job in seconds, summed over all sessions (a resumed "
    "job has several)",
    "sessions": "number of sessions the job took (1 unless it was interrupted and resumed)",
    "labelled_at_horizon_mean": "mean of `labelled_at_horizon` over the replications",
    "created": "when the folder was written (local time, ISO 8601)",
    "versions": "versions of werklandschap and its main libraries",
    "python": "Python version",
    "git_commit": "git commit of the model ('+dirty' with uncommitted changes)",
}


#: Keys of predictive.json of `run` with a posterior (runs/predictive.py says how they are
#: estimated).
RUN_PREDICTIVE: dict[str, str] = {
    "posterior": "the posterior file's provenance and a digest of its particles and weights",
    "parameter_names": "the calibrated parameters drawn from the posterior",
    "per_draw": "seeds (replications) per parameter set",
    "parameter_sets": "per draw: its particle and parameter values",
    "answer": "P(target met) with its credible and Monte Carlo intervals, and the parametric and "
    "stochastic variance of the indicator, of `labelled_at_horizon` and of "
    "`month_target_reached` (censored at the last month)",
}


def outputs_markdown() -> str:
    """docs/outputs.md: every column of every table `run` and `experiment` write."""
    lines = [
        "# Outputs",
        "",
        "Generated from `model/output_columns.py` and `model/outcome_spec.py` by "
        "`werklandschap outputs --markdown`; do not edit.",
        "",
        fill(
            "Month numbers count from the start: month 0 is 1 January 2023 and month {horizon} "
            "the end of {horizon_year} (the programme's horizon). Every month number has a "
            "calendar date beside it: the first day of that calendar month (month {horizon} is "
            "1 January after {horizon_year}, the moment {horizon_year} ends). ",
            None,
        )
        + "An empty cell (NaN, NA, null) means the value does not exist for that run: the event "
        "did not happen within the run, the run failed, or the share has no parks to count.",
        "",
        "The Parquet files with results (timeseries.parquet, runs.parquet) carry these words: "
        "each field's Arrow metadata has `description` and `unit`, the schema metadata a "
        "`description` of the file. Integer and yes/no columns "
        "are nullable integers and booleans (pandas `Int64`, `boolean`), dates are Arrow "
        "`date32` (pandas reads them as Python dates). CSV files hold the same values as text; "
        "yes/no is `True`/`False`, dates are `YYYY-MM-DD`.",
        "",
        fill(
            "Words with a horizon or target are shown for the defaults (horizon month "
            "{horizon}, target {target} parks); a scenario that changes them changes the "
            "meaning accordingly.",
            None,
        ),
    ]
    for command, folder in (
        ("run", "results/<scenario>/<run-name>/"),
        ("experiment", "results/<experiment-name>/"),
    ):
        lines += ["", f"## `werklandschap {command}`: {folder}"]
        for file in (f for f in FILES if f.command == command):
            lines += ["", f"### {file.name}", "", file.meaning, ""]
            lines += column_table(file.columns)
            if file.parameter_columns:
                lines += [
                    "",
                    "Then one column per parameter the experiment varies, named and typed as "
                    "the parameter (meaning and unit in docs/parameters.md and in the field "
                    "metadata).",
                ]
        if command == "run":
            lines += ["", "### manifest.json", "", "| key | meaning |", "|---|---|"]
            lines += [f"| `{k}` | {v} |" for k, v in RUN_MANIFEST.items()]
            lines += ["", "### predictive.json", "", "Written when the replications drew "
                      "their parameters from the posterior (the default).", "",
                      "| key | meaning |", "|---|---|"]  # fmt: skip
            lines += [f"| `{k}` | {v} |" for k, v in RUN_PREDICTIVE.items()]
            lines += [
                "",
                "`figures/` holds s_curve.png, provinces.png and map.png. `.werklandschap-run` "
                "marks the folder as written by `werklandschap run` and lists the files it wrote "
                "(only such a folder is ever replaced, only with `--overwrite`, and only those "
                "files: a file you added stays, and a run that would write over one of yours "
                "refuses before it starts). While a job runs, its replications are "
                "kept in `<scenario>/.<run-name>.partial/`; an interrupted job resumes from "
                "there when the same command is run again.",
            ]
        else:
            lines += [
                "",
                "The experiment folder also holds experiment.yaml, state.json, journal/ "
                "(finished runs, for resuming), manifest.json, report.md, figures/ and the "
                "analysis tables of the experiment type (described in its report.md).",
            ]
    return "\n".join(lines) + "\n"
