"""What the dashboard lets a user take away: settings as a scenario file, results as CSV/Excel.

- `settings_yaml`: the current settings as a scenario YAML that `werklandschap run FILE` and
  `load_scenario_file` accept (only the values that differ from the spec's defaults);
- `run_tables` / `compare_tables`: the results of one run or of a comparison as tables, written
  by `csv_bytes` (the main table) and `excel_bytes` (every table a sheet, via openpyxl).
Column names are the spec's names (what researchers script against); the summary sheet adds the
outcome spec's words in the chosen language.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import yaml

from werklandschap.model.outcome_spec import OUTCOMES
from werklandschap.model.outcomes import RunResult
from werklandschap.model.scenario import Scenario

MY_SCENARIO = "my_scenario"


def _plain(value: Any) -> Any:
    """A parameter value YAML can write and the scenario validator reads back (tuple -> list)."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def settings_yaml(scenario: Scenario, based_on: str, seed: int) -> str:
    """The settings as a scenario document: name, description and the non-default parameters."""
    description = (
        f"Saved from the werklandschap dashboard: scenario {based_on!r} with the dashboard's "
        f"settings; shown there with seed {seed} (werklandschap run FILE --seed {seed})."
    )
    document = {
        "name": MY_SCENARIO,
        "description": description,
        "parameters": {k: _plain(v) for k, v in scenario.overrides.items()},
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def summary_table(results: list[RunResult], lang: str) -> pd.DataFrame:
    """One row per outcome: name, words in `lang`, unit and the value(s) of each run."""
    rows = []
    for o in OUTCOMES:
        row = {"outcome": o.name, "words": o.label(results[0].params, lang), "unit": o.unit}
        for k, result in enumerate(results):
            row[f"run_{k}" if len(results) > 1 else "value"] = result.summary()[o.name]
        rows.append(row)
    return pd.DataFrame(rows)


def settings_table(scenario: Scenario) -> pd.DataFrame:
    """Every parameter of the scenario and its value."""
    return pd.DataFrame({"parameter": list(scenario.params),
                         "value": [str(v) for v in scenario.params.values()]})  # fmt: skip


def run_tables(result: RunResult, scenario: Scenario, lang: str) -> dict[str, pd.DataFrame]:
    """The months so far of one run (first: the main table), its summary and its settings."""
    return {
        "months": result.timeseries(),
        "provinces": result.province_timeseries(),
        "summary": summary_table([result], lang),
        "settings": settings_table(scenario),
    }


def compare_tables(table: pd.DataFrame, runs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A comparison: its per-scenario table (first) and one row per run."""
    return {"comparison": table, "runs": runs}


def csv_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """The first (main) table as UTF-8 CSV."""
    return next(iter(tables.values())).to_csv(index=False).encode("utf-8")


def excel_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """Every table as a sheet of one .xlsx workbook."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()
