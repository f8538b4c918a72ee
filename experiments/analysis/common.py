"""Helpers shared by the analyses: figure saving, month formatting, markdown tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from werklandschap.model.outcomes import START_YEAR


class Series(NamedTuple):
    """What `plots.s_curve` reads from a run: the labelled series and the parameters."""

    labelled: np.ndarray
    params: dict[str, Any]


def save(fig: Figure, folder: Path, name: str) -> str:
    """Save a figure as figures/<name>.png; return its path relative to the report."""
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / "figures" / f"{name}.png", dpi=120)
    return f"figures/{name}.png"


def scenario_params(name: str) -> dict[str, Any]:
    """The parameters of scenario `name` (target, horizon for labels and reference lines); the
    defaults when the scenario file has moved since the runs."""
    from werklandschap.model.scenario import load_scenario

    try:
        return dict(load_scenario(name).params)
    except Exception:  # a scenario file moved since the runs: fall back to defaults
        return dict(load_scenario("baseline").params)


def month_text(month: float) -> str:
    """'113 (2032-06)': a run month and its calendar month; 'not reached' for NaN."""
    if not np.isfinite(month):
        return "not reached"
    m = int(month)
    return f"{m} ({START_YEAR + m // 12}-{m % 12 + 1:02d})"


def markdown_table(frame: pd.DataFrame, floatfmt: str = ".3g") -> str:
    """A DataFrame as a GitHub markdown table (no extra dependency)."""

    def fmt(v: Any) -> str:
        if isinstance(v, float | np.floating):
            if not np.isfinite(v):
                return "–"
            return f"{v:,.0f}" if float(v).is_integer() and abs(v) >= 1 else format(v, floatfmt)
        return str(v)

    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([head, rule, *body])


def ok_runs(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[runs["status"] == "ok"]
