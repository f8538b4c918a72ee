"""The value of a sweep's x parameter needed to reach the target (mean labelled parks at the
horizon), per y value, interpolated linearly between grid points, with an interval over the
replications (common random numbers: replication r has the same seed in every cell, so each
replication traces its own curve and its own crossing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from werklandschap.experiments.analysis.common import markdown_table, ok_runs, save
from werklandschap.runs.plots import category_colour, new_figure

#: Share of replications outside the interval on each side (a 90% interval).
TAIL = 0.05


def crossing(x: np.ndarray, y: np.ndarray, level: float) -> float:
    """The smallest x at which the piecewise-linear curve (x, y) reaches `level`: -inf when it is
    already reached at the first grid value, +inf when never within the grid (x ascending)."""
    above = np.flatnonzero(y >= level)
    if above.size == 0:
        return np.inf
    k = int(above[0])
    if k == 0:
        return -np.inf
    x0, x1, y0, y1 = x[k - 1], x[k], y[k - 1], y[k]
    return float(x0 + (level - y0) * (x1 - x0) / (y1 - y0))


def _text(value: float, x: np.ndarray) -> str:
    if value == np.inf:
        return f"> {x[-1]:g}"
    if value == -np.inf:
        return f"≤ {x[0]:g}"
    return f"{value:.3g}"


def _interval(low: float, high: float, x: np.ndarray) -> str:
    low_text, high_text = _text(low, x), _text(high, x)
    return low_text if low_text == high_text else f"{low_text} – {high_text}"


def value_needed(runs: pd.DataFrame, x: str, y: str, level: float) -> pd.DataFrame:
    """Per y value: the x where mean labelled at the horizon reaches `level` and the 90% interval
    (empirical 5% and 95% quantiles) of the per-replication crossings."""
    ok = ok_runs(runs)
    rows = []
    for yv, group in ok.groupby(y, sort=True):
        curve = group.groupby(x)["labelled_at_horizon"].mean().sort_index()
        grid = curve.index.to_numpy(float)
        mean_cross = crossing(grid, curve.to_numpy(float), level)
        per_rep = group.pivot_table(
            index="replication", columns=x, values="labelled_at_horizon"
        ).dropna()
        crosses = np.array([crossing(grid, r, level) for r in per_rep.to_numpy(float)])
        low, high = (
            np.quantile(crosses, [TAIL, 1 - TAIL], method="inverted_cdf")
            if crosses.size
            else (np.nan, np.nan)
        )
        reached = mean_cross != np.inf
        rows.append(
            {
                y: yv,
                "needed": _text(mean_cross, grid) if reached else "not reached in the range",
                "interval_90": _interval(low, high, grid),
                "replications_reaching": f"{int((crosses < np.inf).sum())}/{crosses.size}",
                "needed_value": mean_cross,
            }
        )
    return pd.DataFrame(rows)


def curves_figure(runs: pd.DataFrame, x: str, y: str, level: float, folder: Path, label) -> str:
    """Mean labelled at the horizon against x, one line per y value with the 5–95% band over
    replications, and the target as a dashed line."""
    ok = ok_runs(runs)
    fig = new_figure(7, 4.2)
    ax = fig.subplots()
    for k, (yv, group) in enumerate(ok.groupby(y, sort=True)):
        stats = group.groupby(x)["labelled_at_horizon"]
        mean = stats.mean().sort_index()
        low, high = stats.quantile(TAIL).sort_index(), stats.quantile(1 - TAIL).sort_index()
        colour = category_colour(k)
        ax.plot(mean.index, mean.to_numpy(), color=colour, marker="o", ms=3, label=f"{y} = {yv:g}")
        ax.fill_between(mean.index, low.to_numpy(), high.to_numpy(), color=colour, alpha=0.2)
    ax.axhline(level, color="black", linestyle="--", linewidth=1, label=f"target {level:,.0f}")
    ax.set_xlabel(label(x), fontsize=8)
    ax.set_ylabel("labelled parks at the horizon (number)", fontsize=8)
    ax.legend(fontsize=7)
    return save(fig, folder, "sweep_value_needed")


def report_section(
    runs: pd.DataFrame, x: str, y: str, level: float, folder: Path, label
) -> list[str]:
    """The report lines: a table of the x needed per y and the curves figure."""
    table = value_needed(runs, x, y, level)
    table.to_csv(folder / "sweep_value_needed.csv", index=False)
    path = curves_figure(runs, x, y, level, folder, label)
    shown = table.drop(columns="needed_value").rename(
        columns={
            "needed": f"{x} needed (mean ≥ {level:,.0f})",
            "interval_90": "90% interval over replications",
            "replications_reaching": "replications reaching it",
        }
    )
    return [
        f"### {x} needed for a mean of {level:,.0f} labelled parks at the horizon",
        "",
        f"Linear interpolation between grid values of the mean curve; the interval is the 5%–95% "
        f"range of the crossings of the single replications (> the largest value: that "
        f"replication does not reach {level:,.0f} in the grid).",
        "",
        markdown_table(shown, ".3g"),
        "",
        f"![Labelled against {x}]({path})",
        "",
    ]
