"""Compare scenarios: outcome table, S-curve fans, and levers ranked by their effect on P(>=1,000).

Methods (also stated in the report):
- labelled at month 108: mean, median and the 5-95% range over replications (a 90% interval);
- P(>=1,000 by month 108): share of replications, 95% Wilson score interval;
- month 1,000 is reached: Kaplan-Meier median with right-censoring at the end of the run (month
  168); "not reached" when more than half the replications never reach 1,000;
- self-sustaining: share of replications judged self-sustaining (model/outcomes.py);
- effect of a scenario against the baseline: mean paired difference over replications (scenario
  k and the baseline share seed r in replication r: common random numbers) with a normal 95%
  interval from the standard deviation of the paired differences.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from werklandschap.experiments import plots
from werklandschap.experiments.analysis.common import (
    Series,
    markdown_table,
    month_text,
    ok_runs,
    save,
)
from werklandschap.experiments.analysis.stats import km_median, paired_difference, wilson
from werklandschap.experiments.spec import ExperimentSpec
from werklandschap.model.scenario import load_scenario


def scenario_table(runs: pd.DataFrame, censor_at: float) -> pd.DataFrame:
    """One row per scenario (in the experiment's order) with the outcome statistics."""
    rows = []
    for name, group in runs.groupby("scenario", sort=False):
        ok = ok_runs(group)
        lab = ok["labelled_at_horizon"].to_numpy()
        met = int(ok["target_met"].sum())
        low, high = wilson(met, len(ok))
        sustain = ok["self_sustaining"].dropna()
        rows.append(
            {
                "scenario": name,
                "runs": len(ok),
                "failed": int((group["status"] != "ok").sum()),
                "labelled_108_mean": lab.mean() if lab.size else np.nan,
                "labelled_108_median": np.median(lab) if lab.size else np.nan,
                "labelled_108_p5": np.percentile(lab, 5) if lab.size else np.nan,
                "labelled_108_p95": np.percentile(lab, 95) if lab.size else np.nan,
                "p_target": met / len(ok) if len(ok) else np.nan,
                "p_target_low": low,
                "p_target_high": high,
                "median_month_1000": km_median(ok["month_target_reached"].to_numpy(), censor_at),
                "share_reached_in_run": float(ok["month_target_reached"].notna().mean()),
                "p_self_sustaining": sustain.mean() if len(sustain) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def effects_table(runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Paired (CRN) differences of each scenario against the baseline, largest ΔP first."""
    ok = ok_runs(runs)
    wide_p = ok.pivot(index="replication", columns="scenario", values="target_met")
    wide_l = ok.pivot(index="replication", columns="scenario", values="labelled_at_horizon")
    rows = []
    for name in [s for s in runs["scenario"].unique() if s != baseline]:
        both = wide_p[[name, baseline]].dropna().index
        dp = paired_difference(wide_p.loc[both, name], wide_p.loc[both, baseline])
        dl = paired_difference(wide_l.loc[both, name], wide_l.loc[both, baseline])
        rows.append(
            {
                "scenario": name,
                "pairs": len(both),
                "delta_p": dp[0],
                "delta_p_low": dp[1],
                "delta_p_high": dp[2],
                "delta_labelled": dl[0],
                "delta_labelled_low": dl[1],
                "delta_labelled_high": dl[2],
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(["delta_p", "delta_labelled"], ascending=False, ignore_index=True)


def fan_figure(runs: pd.DataFrame, series: pd.DataFrame, baseline: str) -> plt.Figure:
    """S-curves (median, 5-95% band) per scenario; baseline median dashed in every panel."""
    names = list(runs["scenario"].unique())
    cols = min(3, len(names))
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(4.2 * cols, 3.0 * rows),
        sharex=True,
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    matrix = series.set_index("run_id")
    base_ids = ok_runs(runs[runs["scenario"] == baseline])["run_id"]
    base_median = np.median(matrix.loc[base_ids].to_numpy(), axis=0) if len(base_ids) else None
    for k, name in enumerate(names):
        ax = axes.flat[k]
        ids = ok_runs(runs[runs["scenario"] == name])["run_id"]
        params = dict(load_scenario_params(name))
        views = [Series(row, params) for row in matrix.loc[ids].to_numpy()]
        if views:
            plots.s_curve(views, ax, label="median, 5-95%", colour=f"C{k % 10}")
        if base_median is not None and name != baseline:
            years = plots._years(np.arange(base_median.size))
            ax.plot(
                years,
                base_median,
                color="k",
                linewidth=0.8,
                linestyle="--",
                label=f"{baseline} median",
            )
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=6, loc="upper left")
        ax.label_outer()
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    fig.suptitle("Labelled werklandschappen per scenario (dotted: end of 2031)")
    return fig


def load_scenario_params(name: str) -> dict:
    """Target and horizon for the S-curve reference lines (from the scenario)."""
    try:
        return dict(load_scenario(name).params)
    except Exception:  # a scenario file moved since the runs: fall back to defaults
        return dict(load_scenario("baseline").params)


def effects_figure(effects: pd.DataFrame, baseline: str) -> plt.Figure:
    """Forest plots against the baseline with paired 95% CIs: change in P(>=1,000 by 2031) and
    change in mean labelled parks at month 108 (the latter does not saturate at P = 1)."""
    frame = effects.iloc[::-1]
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.45 * len(frame) + 1.6), layout="constrained",
                             sharey=True)  # fmt: skip
    y = np.arange(len(frame))
    panels = (
        ("delta_p", 100, f"change in P(≥1,000 by end 2031) vs {baseline} (pp)"),
        ("delta_labelled", 1, f"change in labelled parks at end 2031 vs {baseline}"),
    )
    for ax, (col, scale, label) in zip(axes, panels, strict=True):
        mid = frame[col].to_numpy(float)
        err = np.vstack([mid - frame[f"{col}_low"], frame[f"{col}_high"] - mid]).clip(min=0)
        colours = ["C2" if v > 0 else "C3" if v < 0 else "grey" for v in mid]
        ax.barh(y, scale * mid, color=colours, alpha=0.6)
        ax.errorbar(scale * mid, y, xerr=scale * np.nan_to_num(err), fmt="none", ecolor="k",
                    capsize=3, linewidth=1)  # fmt: skip
        ax.axvline(0, color="k", linewidth=0.8)
        ax.set_xlabel(label, fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, frame["scenario"])
    fig.suptitle("Levers ranked by effect (paired over common random numbers, 95% CI)",
                 fontsize=10)  # fmt: skip
    return fig


def analyse(
    spec: ExperimentSpec, runs: pd.DataFrame, series: pd.DataFrame | None, folder: Path
) -> str:
    """Tables, figures and the report section of a compare experiment."""
    baseline = load_scenario(spec.options["baseline"]).name
    ok = ok_runs(runs)
    censor_at = float(ok["months"].max()) if len(ok) else np.nan
    table = scenario_table(runs, censor_at)
    effects = effects_table(runs, baseline)
    table.to_csv(folder / "scenarios.csv", index=False)
    effects.to_csv(folder / "effects.csv", index=False)
    figures = []
    if series is not None and len(series):
        figures.append(
            ("S-curves per scenario", save(fan_figure(runs, series, baseline), folder, "fan"))
        )
    if len(effects):
        figures.append(
            (
                "Effect on P(≥1,000)",
                save(effects_figure(effects, baseline), folder, "lever_effects"),
            )
        )
    shown = pd.DataFrame(
        {
            "scenario": table["scenario"],
            "runs": table["runs"],
            "labelled 2031: mean": table["labelled_108_mean"].round(0),
            "median": table["labelled_108_median"].round(0),
            "90% interval": [
                f"{a:,.0f}–{b:,.0f}"
                for a, b in zip(table["labelled_108_p5"], table["labelled_108_p95"], strict=True)
            ],
            "P(≥1,000 by 2031)": [
                f"{p:.2f} [{a:.2f}, {b:.2f}]"
                for p, a, b in zip(
                    table["p_target"], table["p_target_low"], table["p_target_high"], strict=True
                )
            ],
            "median month 1,000 (KM)": [month_text(m) for m in table["median_month_1000"]],
            "P(self-sustaining)": table["p_self_sustaining"].round(2),
        }
    )
    lines = [
        f"Scenarios × {spec.replications} replications with common random numbers "
        f"(replication r of every scenario uses seed derive_seed({spec.seed}, r)).",
        "",
        markdown_table(shown),
        "",
        "Labelled at month 108 (end 2031): mean, median and 5–95% range over replications. "
        "P(≥1,000): share of replications with ≥1,000 labelled parks at month 108, with a 95% "
        "Wilson interval. Median month 1,000: Kaplan–Meier median, runs that never reach 1,000 "
        f"are right-censored at the end of the run (month {censor_at:.0f}); 'not reached' when "
        "more than half are censored. Self-sustaining: see model/outcomes.py.",
        "",
    ]
    if len(effects):
        eff = pd.DataFrame(
            {
                "scenario": effects["scenario"],
                "ΔP(≥1,000) [95% CI]": [
                    f"{100 * d:+.0f} pp [{100 * a:+.0f}, {100 * b:+.0f}]"
                    for d, a, b in zip(
                        effects["delta_p"],
                        effects["delta_p_low"],
                        effects["delta_p_high"],
                        strict=True,
                    )
                ],
                "Δ labelled 2031 [95% CI]": [
                    f"{d:+.0f} [{a:+.0f}, {b:+.0f}]"
                    for d, a, b in zip(
                        effects["delta_labelled"],
                        effects["delta_labelled_low"],
                        effects["delta_labelled_high"],
                        strict=True,
                    )
                ],
            }
        )
        lines += [
            f"### Effects against {baseline}",
            "",
            "Mean paired difference over replications (common random numbers), with a normal "
            "95% interval from the spread of the paired differences; pp = percentage points.",
            "",
            markdown_table(eff),
            "",
            _headline(table, effects, baseline),
            "",
        ]
    lines += [f"![{title}]({path})\n" for title, path in figures]
    return "\n".join(lines)


def _headline(table: pd.DataFrame, effects: pd.DataFrame, baseline: str) -> str:
    base = table.set_index("scenario").loc[baseline]
    up = effects[effects["delta_p_low"] > 0]
    down = effects[effects["delta_p_high"] < 0]
    text = (
        f"**In short:** under {baseline}, 1,000 labelled parks by the end of 2031 is reached "
        f"in {100 * base['p_target']:.0f}% of replications (mean "
        f"{base['labelled_108_mean']:.0f} labelled). "
    )
    if len(up):
        parts = [f"{r.scenario} ({100 * r.delta_p:+.0f} pp)" for r in up.itertuples()]
        text += "Clearly raising the chance: " + ", ".join(parts) + ". "
    if len(down):
        parts = [f"{r.scenario} ({100 * r.delta_p:+.0f} pp)" for r in down.itertuples()]
        text += "Clearly lowering it: " + ", ".join(parts) + ". "
    target = 1000
    if base["labelled_108_p5"] < target < base["labelled_108_p95"]:
        text += (f"Note: the baseline's 90% interval ({base['labelled_108_p5']:,.0f}–"
                 f"{base['labelled_108_p95']:,.0f}) straddles 1,000, so P(≥1,000) reacts "
                 "strongly to small shifts and saturates at 1; Δ labelled shows the size of an "
                 "effect. ")  # fmt: skip
    rest = effects[(effects["delta_p_low"] <= 0) & (effects["delta_p_high"] >= 0)]
    if len(rest):
        text += (
            "No clear effect on the chance (CI includes 0): " + ", ".join(rest["scenario"]) + "."
        )
    return text
