"""Morris elementary-effects screening: mu*, sigma with bootstrap CIs and the mu*-sigma figure.

Elementary effects are taken on the latent sampling scale (integers on [lo, hi+1), categoricals
as an index), in units of the output per whole plausible range (SALib scales each factor's step
to the [0, 1] range of its bounds: mu* is the mean absolute change of the output when the factor
moves by 2/3 of its range at 4 levels). Outputs are means over the replications of each point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from werklandschap.experiments.analysis.common import (
    markdown_table,
    ok_runs,
    save,
    scenario_params,
)
from werklandschap.experiments.design import Factor, problem
from werklandschap.experiments.outcomes import mean_unit, titles
from werklandschap.experiments.spec import ExperimentSpec
from werklandschap.model import seeds
from werklandschap.runs.plots import OKABE_ITO, new_figure


def output_titles(params: dict[str, Any] | None = None) -> dict[str, str]:
    """The screened outputs in words (experiments/outcomes.py), target and horizon from
    `params`."""
    return titles("morris", params)


OUTPUTS = output_titles()
UNITS = {name: mean_unit(name) for name in OUTPUTS}


def screening(
    prob: dict, latent: np.ndarray, y: np.ndarray, levels: int, resamples: int, seed: int
) -> pd.DataFrame:
    """mu, mu*, sigma and the bootstrap 95% half-width of mu* per factor (SALib morris)."""
    from SALib.analyze import morris as morris_analyze

    si = morris_analyze.analyze(
        prob,
        latent,
        np.asarray(y, float),
        num_resamples=resamples,
        conf_level=0.95,
        num_levels=levels,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "factor": prob["names"],
            "mu": si["mu"],
            "mu_star": si["mu_star"],
            "mu_star_conf": si["mu_star_conf"],
            "sigma": si["sigma"],
        }
    )


def _figure(frame: pd.DataFrame, title: str, unit: str) -> Figure:
    """mu* against sigma per factor (with bootstrap 95% half-widths); `unit`: the output's."""
    fig = new_figure(7.5, 5.5)
    ax = fig.subplots()
    ax.errorbar(
        frame["mu_star"],
        frame["sigma"],
        xerr=frame["mu_star_conf"],
        fmt="o",
        markersize=4,
        capsize=2,
        linewidth=0.8,
        color=OKABE_ITO["blue"],
    )
    top = frame.nlargest(12, "mu_star")
    for row in top.itertuples():
        ax.annotate(
            row.factor,
            (row.mu_star, row.sigma),
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
        )
    lim = max(frame["mu_star"].max(), frame["sigma"].max()) * 1.05
    ax.plot([0, lim], [0, lim], color="grey", linestyle=":", linewidth=0.8, label="σ = μ*")
    ax.set_xlabel(f"μ*: mean absolute elementary effect ({unit} per step)")
    ax.set_ylabel(f"σ: spread of elementary effects ({unit})\n(interactions, non-linearity)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def analyse(
    spec: ExperimentSpec,
    runs: pd.DataFrame,
    series: pd.DataFrame | None,
    folder: Path,
    factors: list[Factor],
    latent: np.ndarray,
) -> str:
    opts = spec.options
    prob = problem(factors)
    text = [
        f"Morris screening over {len(factors)} factors: {opts['trajectories']} trajectories, "
        f"{opts['levels']} levels, {spec.replications} replication(s) per point, base scenario "
        f"{opts['base']}; μ* intervals: bootstrap 95% ({opts['bootstrap']} resamples).",
        "",
        "μ* ranks influence; σ large relative to μ* signals interactions or non-linearity. "
        "Effects are per step of 2/3 of a factor's plausible range (4 levels).",
        "",
    ]
    titles = output_titles(scenario_params(opts["base"]))
    for k, (output, title) in enumerate(titles.items()):
        y = runs.assign(y=ok_runs(runs)[output]).groupby("point")["y"].mean().sort_index()
        y = y.reindex(range(len(latent)))
        if y.isna().any():
            text.append(f"{int(y.isna().sum())} point(s) failed; imputed with the mean.")
            y = y.fillna(y.mean())
        if y.var() == 0 or not np.isfinite(y).all():
            text.append(f"- {output}: constant or undefined; skipped")
            continue
        frame = screening(
            prob,
            latent,
            y.to_numpy(),
            opts["levels"],
            opts["bootstrap"],
            seeds.bootstrap(spec.seed),
        ).sort_values("mu_star", ascending=False)
        frame.to_csv(folder / f"morris_{output}.csv", index=False)
        path = save(
            _figure(frame, f"Morris screening: {title}", UNITS[output]), folder, f"morris_{output}"
        )
        shown = frame if k == 0 else frame.head(12)
        text += [f"### {title}", "", markdown_table(shown, ".3g"), "", f"![{title}]({path})", ""]
    return "\n".join(text)
