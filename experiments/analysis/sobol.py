"""Sobol' variance-based sensitivity: S1 and ST (S2 optional) with bootstrap CIs, convergence.

Outputs analysed per sample point (the mean over its R replications):
- `labelled_at_horizon`: labelled parks at the scenario's horizon (`horizon_months`);
- `target_met`: 1 if >= the target (`target_parks`) at the horizon (its mean over replications
  is P(target met));
- `month_target_reached`: month the target is first reached; runs that never reach it are censored
  and set to the end of the run (month 168): a floor on the true month, stated in the report.

Replication noise. The model is stochastic, so Y(x) = f(x) + e. The design repeats the first
`noise_check.points` points `noise_check.replications` times; the within-point variance over the
total variance of single runs is the noise share eta (a nugget estimate). In the Jansen estimator
of ST, noise adds about eta to every ST; the S1 estimator is unbiased for V_i / V(Y), which
shrinks by (1 - eta). Averaging R replications per point divides the noise variance by R.
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
from werklandschap.experiments.outcomes import titles
from werklandschap.experiments.spec import ExperimentSpec
from werklandschap.model import seeds
from werklandschap.model.outcome_spec import fill
from werklandschap.runs.plots import (
    LINE_STYLES,
    OKABE_ITO,
    category_colour,
    new_figure,
)


def output_titles(params: dict[str, Any] | None = None) -> dict[str, str]:
    """The analysed outputs in words (experiments/outcomes.py), target and horizon from
    `params`."""
    return titles("sobol", params)


OUTPUTS = output_titles()


def indices(
    prob: dict[str, Any],
    y: np.ndarray,
    second_order: bool = False,
    resamples: int = 200,
    seed: int = 1,
) -> pd.DataFrame:
    """S1, ST (and S2 rows) with bootstrap 95% CIs, one row per factor (SALib sobol.analyze).

    `seed` must be nonzero: SALib 1.6 tests `if seed:` and falls back to the global numpy state
    for 0, which makes the intervals irreproducible.
    """
    from SALib.analyze import sobol as sobol_analyze

    y = np.asarray(y, dtype=float)
    if not np.isfinite(y).all():
        raise ValueError("Sobol' analysis needs finite outputs (NaN gives silent zeros)")
    if seed == 0:
        raise ValueError("seed must be nonzero (SALib treats 0 as 'unseeded')")
    si = sobol_analyze.analyze(
        prob, y, calc_second_order=second_order, num_resamples=resamples, conf_level=0.95, seed=seed
    )
    frame = pd.DataFrame(
        {
            "factor": prob["names"],
            "S1": si["S1"],
            "S1_conf": si["S1_conf"],
            "ST": si["ST"],
            "ST_conf": si["ST_conf"],
        }
    )
    if second_order:
        names = prob["names"]
        pairs = [
            (names[i], names[j], si["S2"][i, j], si["S2_conf"][i, j])
            for i in range(len(names))
            for j in range(i + 1, len(names))
        ]
        frame.attrs["S2"] = pd.DataFrame(pairs, columns=["factor", "with", "S2", "S2_conf"])
    return frame


def rows_per_point(d: int, second_order: bool) -> int:
    return 2 * d + 2 if second_order else d + 2


def convergence(
    prob: dict[str, Any],
    y: np.ndarray,
    second_order: bool,
    resamples: int,
    seed: int,
    smallest: int = 16,
) -> pd.DataFrame:
    """Indices on the first N = 2^k base points (a balanced Sobol' prefix), k growing."""
    block = rows_per_point(prob["num_vars"], second_order)
    total = len(y) // block
    frames = []
    n = min(smallest, total)
    while n <= total:
        frame = indices(prob, y[: n * block], second_order, resamples, seed)
        frame.insert(0, "N", n)
        frames.append(frame)
        n *= 2
    return pd.concat(frames, ignore_index=True)


def point_means(runs: pd.DataFrame, output: str, censor_at: float) -> np.ndarray:
    """Mean output per sample point over replications; censored months set to `censor_at`."""
    sample = runs[runs["role"] == "sample"].copy()
    values = sample[output].astype(float)
    if output == "month_target_reached":
        values = values.where(values.notna() | (sample["status"] != "ok"), censor_at)
    sample["y"] = values
    return sample.groupby("point")["y"].mean().sort_index().to_numpy()


def noise_share(runs: pd.DataFrame, output: str, censor_at: float) -> dict[str, float]:
    """Within-point variance (repeated points) over the variance of single runs: eta."""
    ok = ok_runs(runs)
    if output == "month_target_reached":
        ok = ok.assign(month_target_reached=ok[output].fillna(censor_at))
    noise = ok[ok["role"] == "noise"]
    single = ok[(ok["role"] == "sample") & (ok["replication"] == 0)][output].var(ddof=1)
    if noise.empty or not np.isfinite(single) or single == 0:
        return {"within_var": np.nan, "total_var": float(single), "eta": np.nan}
    within = noise.groupby("point")[output].var(ddof=1).mean()
    return {"within_var": float(within), "total_var": float(single), "eta": float(within / single)}


def _short(frame: pd.DataFrame) -> str:
    """One sentence: the factors that matter most, and how additive the output is."""
    top = frame.sort_values("ST", ascending=False).head(3)
    named = ", ".join(f"{r.factor} (ST {r.ST:.2f}, S1 {r.S1:.2f})" for r in top.itertuples())
    total = frame["S1"].clip(lower=0).sum()
    return f"Most influential: {named}. Sum of S1 = {total:.2f}: " + (
        "mostly additive effects."
        if total >= 0.8
        else "a large share of the variance comes from interactions."
    )


def _bars(results: dict[str, pd.DataFrame], titles: dict[str, str] = OUTPUTS) -> Figure:
    """S1 and ST per factor with bootstrap 95% intervals, one panel per output."""
    fig = new_figure(4.6 * len(results), 4.2)
    axes = fig.subplots(1, len(results), squeeze=False, sharey=True)
    order = next(iter(results.values()))["factor"].tolist()  # one factor order for all panels
    for ax, (output, frame) in zip(axes.flat, results.items(), strict=True):
        frame = frame.set_index("factor").loc[order].reset_index()
        y = np.arange(len(frame))
        ax.barh(
            y - 0.2,
            frame["S1"],
            0.4,
            xerr=frame["S1_conf"],
            label="S1 (first order)",
            color=OKABE_ITO["blue"],
        )
        ax.barh(
            y + 0.2,
            frame["ST"],
            0.4,
            xerr=frame["ST_conf"],
            label="ST (total)",
            color=OKABE_ITO["orange"],
        )
        ax.set_yticks(y, frame["factor"], fontsize=8)
        ax.set_title(titles.get(output, output), fontsize=9)
        ax.axvline(0, color="k", linewidth=0.6)
        ax.set_xlabel("share of the output's variance (0–1)", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    axes.flat[0].invert_yaxis()
    axes.flat[0].legend(fontsize=8, loc="lower right")
    fig.suptitle("Sobol' indices with bootstrap 95% intervals")
    return fig


def _convergence_figure(
    conv: pd.DataFrame, output: str, titles: dict[str, str] = OUTPUTS
) -> Figure:
    """S1 and ST of each factor against the number of base points N (log scale)."""
    fig = new_figure(10, 4)
    axes = fig.subplots(1, 2, sharey=True)
    for ax, index in zip(axes, ("S1", "ST"), strict=True):
        for k, (name, group) in enumerate(conv.groupby("factor", sort=False)):
            colour, style = category_colour(k), LINE_STYLES[(k // 8) % len(LINE_STYLES)]
            ax.plot(
                group["N"],
                group[index],
                marker="o",
                markersize=3,
                color=colour,
                linestyle=style,
                label=name,
            )
            ax.fill_between(
                group["N"],
                group[index] - group[f"{index}_conf"],
                group[index] + group[f"{index}_conf"],
                color=colour,
                alpha=0.12,
            )
        ax.set_xscale("log", base=2)
        ax.set_xlabel("N: base sample points (number, log scale)")
        ax.set_ylabel("index (share of variance, 0–1)")
        ax.set_title(f"{index} of {titles.get(output, output)}", fontsize=9)
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=7, loc="upper right")
    return fig


def _indices_per_output(spec, runs, prob, censor_at: float, titles, folder: Path):
    """S1/ST (and S2) per output into CSVs; convergence of labelled at the horizon.

    Returns the index tables (by output, largest ST first), notes on skipped outputs and the
    convergence figure (title, path) when drawn.
    """
    opts, seed = spec.options, seeds.bootstrap(spec.seed)
    second = opts["second_order"]
    results, lines, figures = {}, [], []
    for output in OUTPUTS:
        y = point_means(runs, output, censor_at)
        bad = ~np.isfinite(y)
        if bad.all():
            lines.append(f"- {output}: no finite values; skipped")
            continue
        if bad.any():  # failed runs: impute the mean (counted in the report)
            y = np.where(bad, np.nanmean(y), y)
        if np.var(y) == 0:
            lines.append(f"- {output}: constant over the sample ({y[0]:g}); indices undefined")
            continue
        frame = indices(prob, y, second, opts["bootstrap"], seed)
        frame.insert(0, "output", output)
        frame.to_csv(folder / f"sobol_{output}.csv", index=False)
        if "S2" in frame.attrs:
            frame.attrs["S2"].to_csv(folder / f"sobol_{output}_S2.csv", index=False)
        results[output] = frame.drop(columns="output").sort_values("ST", ascending=False)
        if output == "labelled_at_horizon":
            conv = convergence(prob, y, second, min(opts["bootstrap"], 100), seed)
            conv.to_csv(folder / "sobol_convergence.csv", index=False)
            figure = _convergence_figure(conv, output, titles)
            figures.append(("Convergence", save(figure, folder, "sobol_convergence")))
    return results, lines, figures


def _design_text(spec, factors: list[Factor], censor_at: float, params) -> list[str]:
    """What was sampled and how (the report's first paragraphs)."""
    opts = spec.options
    return [
        f"Saltelli/Sobol' design (scrambled, seed {seeds.bootstrap(spec.seed)}) with N = "
        f"{opts['n']} base points over "
        f"{len(factors)} factors ({', '.join(f.name for f in factors)}), "
        f"{'with' if opts['second_order'] else 'without'} second-order terms, {spec.replications} "
        f"replication(s) per point (outputs averaged over replications); bootstrap 95% CIs "
        f"from {opts['bootstrap']} resamples. Base scenario: {opts['base']}.",
        "",
        "Integer factors are sampled on [lo, hi+1) and floored, categorical ones as an index; "
        + fill(
            "indices refer to these latent variables. Runs that never reach {target} are given "
            "the ",
            params,
        )
        + f"end of the run (month {censor_at:.0f}) as their "
        + fill("month {target} is reached: a floor on the true month.", params),
        "",
    ]


def _noise_section(spec, runs: pd.DataFrame, outputs, censor_at: float) -> list[str]:
    """The replication-noise table (η per output) and how to read it."""
    noise_rows = []
    for output in outputs:
        n = noise_share(runs, output, censor_at)
        eta_mean = n["eta"] / spec.replications if np.isfinite(n["eta"]) else np.nan
        noise_rows.append(
            {
                "output": output,
                "within-point variance": n["within_var"],
                "single-run variance": n["total_var"],
                "noise share η": n["eta"],
                f"η after averaging {spec.replications}": eta_mean,
            }
        )
    if not noise_rows:
        return []
    noise = spec.options["noise_check"]
    return [
        f"The first {noise['points']} design points (rows of the Saltelli sample) were rerun "
        f"{noise['replications']} times "
        "with independent seeds. η = within-point variance / variance of single runs (a "
        "nugget estimate). Noise adds about η to every ST (Jansen estimator) and scales "
        "S1 by about (1 − η); averaging R replications per point divides η by about R.",
        "",
        markdown_table(pd.DataFrame(noise_rows)),
        "",
    ]


def analyse(
    spec: ExperimentSpec,
    runs: pd.DataFrame,
    series: pd.DataFrame | None,
    folder: Path,
    factors: list[Factor],
) -> str:
    """Indices per output, convergence and the noise note."""
    ok = ok_runs(runs)
    censor_at = float(ok["months"].max()) if len(ok) else np.nan
    params = scenario_params(spec.options["base"])
    titles = output_titles(params)
    results, lines, figures = _indices_per_output(
        spec, runs, problem(factors), censor_at, titles, folder
    )
    if results:
        figures.insert(0, ("Sobol' indices", save(_bars(results, titles), folder, "sobol_indices")))
    failed_points = int(
        runs[(runs["role"] == "sample") & (runs["status"] != "ok")]["point"].nunique()
    )
    text = _design_text(spec, factors, censor_at, params)
    if failed_points:
        text += [
            f"{failed_points} sample point(s) had failed runs; their outputs were imputed "
            "with the mean over points.",
            "",
        ]
    for output, frame in results.items():
        text += [f"### {titles[output]}", "", markdown_table(frame, ".2f"), "", _short(frame), ""]
    text += [*lines, "", "### Replication noise", ""]
    text += _noise_section(spec, runs, results, censor_at)
    text += [f"![{title}]({path})\n" for title, path in figures]
    return "\n".join(text)
