"""Two-parameter sweep: heatmaps of P(target reached at the horizon) and mean labelled, with the
P = 0.5 contour as the tipping boundary. Replications share seeds across cells (common random
numbers), so neighbouring cells differ by the parameters, not by luck."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects
from matplotlib.axes import Axes
from matplotlib.colors import Normalize, to_rgb
from matplotlib.image import AxesImage

from werklandschap.experiments.analysis.common import (
    markdown_table,
    ok_runs,
    save,
    scenario_params,
)
from werklandschap.experiments.analysis.value_needed import report_section
from werklandschap.experiments.spec import ExperimentSpec
from werklandschap.model.outcome_spec import fill
from werklandschap.model.parameters import BY_NAME
from werklandschap.runs.plots import PROBABILITY_MAP, SEQUENTIAL, horizon_year, new_figure
from werklandschap.runs.stats import wilson


def cell_table(runs: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Per grid cell: runs, P(>=1,000) with Wilson 95% CI, mean labelled at the horizon."""
    rows = []
    for (yv, xv), group in runs.groupby([y, x], sort=True):
        ok = ok_runs(group)
        met = int(ok["target_met"].sum())
        low, high = wilson(met, len(ok))
        rows.append(
            {
                y: yv,
                x: xv,
                "runs": len(ok),
                "failed": len(group) - len(ok),
                "p_target": met / len(ok) if len(ok) else np.nan,
                "p_low": low,
                "p_high": high,
                "labelled_mean": ok["labelled_at_horizon"].mean(),
            }
        )
    return pd.DataFrame(rows)


def axis_label(name: str, width: int = 55) -> str:
    """A parameter in words with its unit, from the parameter spec (wrapped to `width`)."""
    p = BY_NAME.get(name)
    if p is None:
        return name
    unit = "" if p.unit in ("", "-") else f" ({p.unit})"
    return textwrap.fill(p.description + unit, width)


def relative_luminance(colour) -> float:
    """WCAG relative luminance (0 black .. 1 white) of a matplotlib colour."""
    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def text_colour(background) -> str:
    """Black or white, whichever contrasts more with `background` (WCAG contrast ratio)."""
    lum = relative_luminance(background)
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


def _heatmap(
    ax: Axes, grid: pd.DataFrame, title: str, cmap: str, vmin=None, vmax=None, fmt=".2f"
) -> AxesImage:
    """A heatmap of `grid` (rows: y values, columns: x values) with each cell's value written
    in black or white by the cell's luminance; axes labelled from the parameter spec."""
    values = grid.to_numpy(float)
    image = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns], fontsize=7, rotation=45)
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index], fontsize=7)
    ax.set_xlabel(axis_label(str(grid.columns.name)), fontsize=8)
    ax.set_ylabel(axis_label(str(grid.index.name), 40), fontsize=8)
    ax.set_title(title, fontsize=9)
    if grid.size <= 150:
        norm = image.norm if isinstance(image.norm, Normalize) else Normalize()
        colours = colormaps[cmap]
        for (i, j), v in np.ndenumerate(values):
            if not np.isfinite(v):
                continue
            ax.text(
                j,
                i,
                format(v, fmt),
                ha="center",
                va="center",
                fontsize=7,
                color=text_colour(colours(norm(v))),
            )
    return image


def _contour(ax: Axes, values: np.ndarray, level: float) -> None:
    """A white contour at `level` with a black edge: visible on dark and light cells alike."""
    ax.contour(
        values,
        levels=[level],
        colors="white",
        linewidths=1.6,
        path_effects=[patheffects.withStroke(linewidth=3, foreground="black")],
    )


def analyse(
    spec: ExperimentSpec, runs: pd.DataFrame, series: pd.DataFrame | None, folder: Path
) -> str:
    x, y = spec.options["x"].parameter, spec.options["y"].parameter
    cells = cell_table(runs, x, y)
    cells.to_csv(folder / "sweep_cells.csv", index=False)
    p = cells.pivot(index=y, columns=x, values="p_target")
    lab = cells.pivot(index=y, columns=x, values="labelled_mean")
    params = scenario_params(spec.options["base"])
    target, year = f"{int(params['target_parks']):,}", horizon_year(params)
    fig = new_figure(12, 5.2)
    axes = fig.subplots(1, 2)
    im = _heatmap(
        axes[0],
        p,
        f"share of runs with ≥{target} labelled parks by end {year}",
        PROBABILITY_MAP,
        0,
        1,
    )
    fig.colorbar(im, ax=axes[0], label="share of runs (0–1)")
    if p.shape[0] > 1 and p.shape[1] > 1 and p.min().min() < 0.5 < p.max().max():
        _contour(axes[0], p.to_numpy(float), 0.5)
    im = _heatmap(axes[1], lab, f"mean labelled parks at the end of {year}", SEQUENTIAL, fmt=".0f")
    fig.colorbar(im, ax=axes[1], label="labelled parks (number)")
    level = float(params["target_parks"])
    if lab.shape[0] > 1 and lab.shape[1] > 1 and lab.min().min() < level < lab.max().max():
        _contour(axes[1], lab.to_numpy(float), level)
    fig.suptitle(
        f"Sweep of two parameters, {spec.replications} replications per cell "
        f"(white lines: share = 0.5, mean = {target})",
        fontsize=10,
    )
    path = save(fig, folder, "sweep_heatmaps")
    boundary = []
    for yv, row in p.iterrows():
        above = row[row >= 0.5]
        first = f"{above.index[0]:g}" if len(above) else "none in the grid"
        boundary.append({y: yv, f"smallest {x} with P ≥ 0.5": first})
    table = p.copy()
    table.insert(0, f"{y} \\ {x}", table.index)
    return "\n".join(
        [
            f"Grid {x} ({len(p.columns)} values) × {y} ({len(p.index)} values), "
            f"{spec.replications} replications per cell with common random numbers (replication r "
            f"uses seed seeds.replication({spec.seed}, r) in every cell); base scenario "
            f"{spec.options['base']}. P(≥1,000): share of replications with ≥1,000 labelled "
            + fill("parks at month {horizon}", scenario_params(spec.options["base"]))
            + " (Wilson 95% intervals in sweep_cells.csv).",
            "",
            "### P(≥1,000 by 2031)",
            "",
            markdown_table(table.reset_index(drop=True), ".2f"),
            "",
            "### Tipping boundary (P ≥ 0.5)",
            "",
            markdown_table(pd.DataFrame(boundary), ".3g"),
            "",
            f"![Heatmaps]({path})",
            "",
            *report_section(runs, x, y, level, folder, axis_label),
        ]
    )
