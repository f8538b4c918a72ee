"""Two-parameter sweep: heatmaps of P(>=1,000 by month 108) and mean labelled, with the
P = 0.5 contour as the tipping boundary. Replications share seeds across cells (common random
numbers), so neighbouring cells differ by the parameters, not by luck."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from werklandschap.experiments.analysis.common import markdown_table, ok_runs, save
from werklandschap.experiments.analysis.stats import wilson
from werklandschap.experiments.spec import ExperimentSpec


def cell_table(runs: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Per grid cell: runs, P(>=1,000) with Wilson 95% CI, mean labelled at month 108."""
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


def _heatmap(ax, grid: pd.DataFrame, title: str, cmap: str, vmin=None, vmax=None, fmt=".2f"):
    image = ax.imshow(
        grid.to_numpy(float), origin="lower", aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax
    )
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns], fontsize=7, rotation=45)
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index], fontsize=7)
    ax.set_xlabel(grid.columns.name)
    ax.set_ylabel(grid.index.name)
    ax.set_title(title, fontsize=9)
    if grid.size <= 150:
        for (i, j), v in np.ndenumerate(grid.to_numpy(float)):
            ax.text(j, i, format(v, fmt), ha="center", va="center", fontsize=6)
    return image


def analyse(
    spec: ExperimentSpec, runs: pd.DataFrame, series: pd.DataFrame | None, folder: Path
) -> str:
    x, y = spec.options["x"].parameter, spec.options["y"].parameter
    cells = cell_table(runs, x, y)
    cells.to_csv(folder / "sweep_cells.csv", index=False)
    p = cells.pivot(index=y, columns=x, values="p_target")
    lab = cells.pivot(index=y, columns=x, values="labelled_mean")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
    im = _heatmap(axes[0], p, "P(≥1,000 labelled by end 2031)", "RdYlGn", 0, 1)
    fig.colorbar(im, ax=axes[0])
    if p.shape[0] > 1 and p.shape[1] > 1 and p.min().min() < 0.5 < p.max().max():
        axes[0].contour(p.to_numpy(float), levels=[0.5], colors="k", linewidths=1.5)
    im = _heatmap(axes[1], lab, "mean labelled at end 2031", "viridis", fmt=".0f")
    fig.colorbar(im, ax=axes[1])
    if lab.shape[0] > 1 and lab.shape[1] > 1 and lab.min().min() < 1000 < lab.max().max():
        axes[1].contour(lab.to_numpy(float), levels=[1000], colors="w", linewidths=1.5)
    fig.suptitle(
        f"Sweep over {x} × {y} ({spec.replications} replications per cell; black: "
        "P = 0.5, white: mean = 1,000)"
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
            f"uses seed derive_seed({spec.seed}, r) in every cell); base scenario "
            f"{spec.options['base']}. P(≥1,000): share of replications with ≥1,000 labelled "
            "parks at month 108 (Wilson 95% intervals in sweep_cells.csv).",
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
        ]
    )
