"""How output tables are typed, written and documented: the vocabulary of `model/output_columns.py`.

`model/output_columns.py` declares which file holds which columns; this module gives the
building blocks and the helpers that apply a declaration:

- `Column`, `OutputFile` and the column types (with their pandas and Arrow types);
- `typed(frame, file)` gives each declared column its type (integer counts as nullable Int64,
  yes/no as nullable boolean, text as string, calendar dates as datetime);
- `with_dates(frame)` puts a date column beside every month number
  (`month_target_reached` -> `date_target_reached`);
- `parquet_bytes(frame, file)` writes Parquet whose Arrow schema carries each column's meaning
  and unit (field metadata `description`, `unit`) and the file's description (schema metadata);
- `column_table(columns)` is the Markdown table of docs/outputs.md for some columns.

Months count from the start: month 0 is 1 January 2023, month t the state t months later. The
date of month t is the first day of calendar month t (1 January 2023 plus t months).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from werklandschap.model.outcome_spec import BY_NAME, OUTCOMES, START_YEAR, Outcome, fill

ColumnType = Literal["int", "float", "bool", "str", "month", "date"]
Command = Literal["run", "experiment"]

#: Column type -> pandas dtype of the column in memory (nullable where a run can fail).
PANDAS_DTYPES: dict[str, str] = {
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
    "str": "string",
    "month": "float64",
    "date": "datetime64[s]",
}
#: Column type -> Arrow type in Parquet files (a calendar date is a date32, no time of day).
ARROW_TYPES: dict[str, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "str": pa.string(),
    "month": pa.float64(),
    "date": pa.date32(),
}
#: How each column type is written in the tables of docs/outputs.md.
TYPE_WORDS: dict[str, str] = {
    "int": "integer",
    "float": "number",
    "bool": "true/false",
    "str": "text",
    "month": "number (month)",
    "date": "date (YYYY-MM-DD)",
}


@dataclass(frozen=True, kw_only=True)
class Column:
    """One column of an output table."""

    name: str
    meaning: str  # one sentence, English
    unit: str
    dtype: ColumnType
    when: str = ""  # for columns that only some files or experiment types have

    @property
    def pandas_dtype(self) -> str:
        return PANDAS_DTYPES[self.dtype]


@dataclass(frozen=True, kw_only=True)
class OutputFile:
    """One table a command writes, with its columns in order."""

    name: str  # file name inside the result folder
    command: Command
    meaning: str
    columns: tuple[Column, ...]
    #: Columns named after model parameters (design values) may follow; see docs/parameters.md.
    parameter_columns: bool = False

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def outcome_column(o: Outcome) -> Column:
    """The column of a summary outcome (words filled in with the default horizon and target)."""
    censoring = f" {fill(o.censoring, None)}." if o.censoring else ""
    return Column(
        name=o.name, meaning=fill(o.meaning, None) + censoring, unit=o.unit, dtype=o.dtype
    )


def date_column(o: Outcome) -> Column:
    """The calendar date written beside the month outcome `o`."""
    return Column(
        name=o.date_name or "",
        meaning=f"Calendar date of `{o.name}` (1 January {START_YEAR} plus that many months); "
        f"empty when `{o.name}` is empty.",
        unit="date",
        dtype="date",
    )


def outcome_columns(names: Iterable[str]) -> tuple[Column, ...]:
    """Columns of the outcomes `names`, each month number followed by its date column."""
    columns: list[Column] = []
    for name in names:
        o = BY_NAME[name]
        columns.append(outcome_column(o))
        if o.date_name:
            columns.append(date_column(o))
    return tuple(columns)


def months_to_dates(months: Sequence[float] | np.ndarray | pd.Series) -> pd.Series:
    """Calendar dates of month numbers (1 January 2023 plus that many months); NaT for NaN."""
    m = pd.Series(months, dtype="float64").to_numpy()
    ok = np.isfinite(m)
    whole = np.where(ok, m, 0).astype(np.int64)
    dates = pd.to_datetime(
        {"year": START_YEAR + whole // 12, "month": whole % 12 + 1, "day": 1}
    ).astype("datetime64[s]")
    return dates.where(ok)


def with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with a date column inserted right after every month outcome column it has."""
    out = frame.copy()
    for o in OUTCOMES:
        if o.date_name and o.name in out and o.date_name not in out:
            dates = months_to_dates(out[o.name]).to_numpy()
            out.insert(out.columns.get_loc(o.name) + 1, o.date_name, dates)
    return out


def typed(frame: pd.DataFrame, file: OutputFile) -> pd.DataFrame:
    """`frame` with every column declared for `file` cast to its declared type."""
    out = frame.copy()
    for column in file.columns:
        if column.name not in out:
            continue
        values = out[column.name]
        # Whole-number floats (the journal stores outcomes as floats) become Int64 exactly; a
        # fractional value in an integer column raises instead of being rounded away.
        if column.dtype == "str":
            values = values.astype("object").where(values.notna(), None)
        out[column.name] = values.astype(column.pandas_dtype)
    return out


def _field_metadata(name: str, file: OutputFile) -> dict[str, str]:
    column = file.column(name)
    if column is not None:
        return {"description": column.meaning, "unit": column.unit}
    if file.parameter_columns:
        from werklandschap.model.parameters import BY_NAME as PARAMETERS

        p = PARAMETERS.get(name)
        if p is not None:
            return {"description": f"Parameter value: {p.description}", "unit": p.unit}
    return {}


def arrow_table(frame: pd.DataFrame, file: OutputFile) -> pa.Table:
    """`frame` as an Arrow table with declared types and each column's meaning and unit."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = []
    for field in table.schema:
        column = file.column(field.name)
        kind = ARROW_TYPES[column.dtype] if column is not None else field.type
        fields.append(pa.field(field.name, kind, metadata=_field_metadata(field.name, file)))
    metadata = {
        **(table.schema.metadata or {}),
        b"werklandschap.file": file.name.encode(),
        b"description": file.meaning.encode(),
    }
    return table.cast(pa.schema(fields, metadata=metadata))


def parquet_bytes(frame: pd.DataFrame, file: OutputFile) -> bytes:
    """Parquet bytes of `frame` typed and annotated as declared for `file`."""
    buffer = io.BytesIO()
    pq.write_table(arrow_table(typed(frame, file), file), buffer)
    return buffer.getvalue()


def column_table(columns: Iterable[Column]) -> list[str]:
    """The Markdown table (column, type, unit, meaning) of `columns`, as lines."""
    lines = ["| column | type | unit | meaning |", "|---|---|---|---|"]
    for c in columns:
        when = f" *Only in {c.when} experiments.*" if c.when else ""
        lines.append(f"| `{c.name}` | {TYPE_WORDS[c.dtype]} | {c.unit} | {c.meaning}{when} |")
    return lines
