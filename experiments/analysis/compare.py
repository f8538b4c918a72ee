"""Compare scenarios: outcome table, S-curve fans, and levers ranked by their effect.

Methods (also stated in the report):
- labelled at the horizon: mean, median and the 5-95% range over replications (a 90% interval);
- P(target met): share of replications, 95% Wilson score interval;
- month the target is reached: Kaplan-Meier median with right-censoring at the end of the run;
  "not reached" when more than half the replications never reach it;
- P(self-sustaining): share of the replications where it can be judged, 95% Wilson interval;
- effect of a scenario against the baseline: scenario k and the baseline share seed r in
  replication r (common random numbers), so each replication is a pair. The change in
  P(target met) gets Newcombe's hybrid score interval for paired proportions (Newcombe 1998,
  method 10; valid for small counts and for changes of 0 or 100 points, which a normal interval
  would give zero width); the change in labelled parks gets a Student t interval from the paired
  differences.
- an effect is "raising" ("lowering") when the interval of either change lies above (below) zero
  and neither lies on the other side; "no clear effect" when both intervals include zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from werklandschap.experiments.analysis.common import (
    Series,
    markdown_table,
    ok_runs,
    save,
    scenario_params,
)
from werklandschap.experiments.outcomes import USED_BY
from werklandschap.experiments.spec import ExperimentSpec
from werklandschap.model.outcome_spec import fill, outcome
from werklandschap.model.scenario import load_scenario
from werklandschap.runs import plots
from werklandschap.runs.stats import (
    km_median,
    newcombe_paired,
    paired_difference,
    paired_proportions,
    wilson,
)

#: Outcomes the report uses; each is defined in the report from the outcome spec.
REPORT_OUTCOMES = USED_BY["compare"]
RAISING, LOWERING, UNCLEAR, MIXED = "raising", "lowering", "no clear effect", "mixed"


def stat_columns(params: dict[str, Any]) -> dict[str, str]:
    """Column names of scenarios.csv that name the horizon or target, from the scenario.

    "mean", "median", "p5", "p95": labelled parks at the horizon (`labelled_<month>_<stat>`);
    "km": Kaplan-Meier median month the target is reached (`median_month_<target>`).
    """
    horizon, target = int(params["horizon_months"]), int(params["target_parks"])
    names = {stat: f"labelled_{horizon}_{stat}" for stat in ("mean", "median", "p5", "p95")}
    return {**names, "km": f"median_month_{target}"}


def scenario_table(runs: pd.DataFrame, censor_at: float, params: dict[str, Any]) -> pd.DataFrame:
    """One row per scenario (in the experiment's order) with the outcome statistics; column
    names from `stat_columns(params)` (the baseline's horizon and target)."""
    col = stat_columns(params)
    rows = []
    for name, group in runs.groupby("scenario", sort=False):
        ok = ok_runs(group)
        lab = ok["labelled_at_horizon"].to_numpy(float)
        met = int((ok["target_met"].astype(float) > 0.5).sum())
        low, high = wilson(met, len(ok))
        sustain = ok["self_sustaining"].astype(float).dropna()
        sustained = int((sustain > 0.5).sum())
        s_low, s_high = wilson(sustained, len(sustain))
        rows.append(
            {
                "scenario": name,
                "runs": len(ok),
                "failed": int((group["status"] != "ok").sum()),
                col["mean"]: lab.mean() if lab.size else np.nan,
                col["median"]: np.median(lab) if lab.size else np.nan,
                col["p5"]: np.percentile(lab, 5) if lab.size else np.nan,
                col["p95"]: np.percentile(lab, 95) if lab.size else np.nan,
                "p_target": met / len(ok) if len(ok) else np.nan,
                "p_target_low": low,
                "p_target_high": high,
                col["km"]: km_median(ok["month_target_reached"].to_numpy(), censor_at),
                "share_reached_in_run": float(ok["month_target_reached"].notna().mean()),
                "self_sustaining_judged": len(sustain),
                "p_self_sustaining": sustained / len(sustain) if len(sustain) else np.nan,
                "p_self_sustaining_low": s_low,
                "p_self_sustaining_high": s_high,
            }
        )
    return pd.DataFrame(rows)


def direction(row: Any) -> str:
    """Sign of an effect from the intervals of ΔP and Δ labelled (see the module docstring)."""
    up = row.delta_p_low > 0 or row.delta_labelled_low > 0
    down = row.delta_p_high < 0 or row.delta_labelled_high < 0
    if up and down:
        return MIXED
    return RAISING if up else LOWERING if down else UNCLEAR


def effects_table(runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Paired (CRN) differences of each scenario against the baseline, largest ΔP first."""
    ok = ok_runs(runs)
    wide_p = ok.pivot(index="replication", columns="scenario", values="target_met").astype(float)
    wide_l = ok.pivot(index="replication", columns="scenario", values="labelled_at_horizon")
    rows = []
    for name in [s for s in runs["scenario"].unique() if s != baseline]:
        if name not in wide_p or baseline not in wide_p:
            continue
        both = wide_p[[name, baseline]].dropna().index
        counts = paired_proportions(wide_p.loc[both, name], wide_p.loc[both, baseline])
        dp = newcombe_paired(*counts)
        dl = paired_difference(wide_l.loc[both, name], wide_l.loc[both, baseline])
        rows.append(
            {
                "scenario": name,
                "pairs": len(both),
                "met_in_scenario_only": counts[1],
                "met_in_baseline_only": counts[2],
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
    frame["direction"] = [direction(r) for r in frame.itertuples()]
    return frame.sort_values(["delta_p", "delta_labelled"], ascending=False, ignore_index=True)


def fan_figure(runs: pd.DataFrame, series: pd.DataFrame, baseline: str) -> Figure:
    """S-curves (median, 5-95% band) per scenario; baseline median dashed in every panel."""
    names = list(runs["scenario"].unique())
    cols = min(3, len(names))
    rows = int(np.ceil(len(names) / cols))
    fig = plots.new_figure(4.2 * cols, 3.0 * rows + 0.4)
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
    matrix = series.set_index("run_id")
    base_ids = ok_runs(runs[runs["scenario"] == baseline])["run_id"]
    base_median = np.median(matrix.loc[base_ids].to_numpy(), axis=0) if len(base_ids) else None
    for k, name in enumerate(names):
        ax = axes.flat[k]
        ids = ok_runs(runs[runs["scenario"] == name])["run_id"]
        params = scenario_params(name)
        views = [Series(row, params) for row in matrix.loc[ids].to_numpy()]
        if views:
            plots.s_curve(views, ax, label="median, 5–95% band", colour=plots.category_colour(k))
        if base_median is not None and name != baseline:
            years = plots._years(np.arange(base_median.size))
            ax.plot(years, base_median, color="k", linewidth=0.8, linestyle="--",
                    label=f"{baseline}: median")  # fmt: skip
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=6, loc="upper left")
        ax.label_outer()
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    for ax in list(axes.flat)[max(0, len(names) - cols) : len(names)]:  # lowest visible panels
        ax.tick_params(labelbottom=True)
        ax.set_xlabel("year")
    fig.suptitle("Labelled parks per scenario (dashed: target; dotted: end of the horizon)")
    return fig


def load_scenario_params(name: str) -> dict:
    """Target and horizon for the S-curve reference lines (from the scenario)."""
    return scenario_params(name)


DIRECTION_COLOURS = {
    RAISING: plots.OKABE_ITO["blue"],
    LOWERING: plots.OKABE_ITO["vermillion"],
    UNCLEAR: "#999999",
    MIXED: plots.OKABE_ITO["reddish_purple"],
}


def effects_figure(effects: pd.DataFrame, baseline: str, params: dict | None = None) -> Figure:
    """Forest plots against the baseline with paired 95% CIs: change in P(target by the
    horizon) and change in mean labelled parks at the horizon (which does not saturate at P = 1).
    Bars coloured by the effect's direction."""
    target, year = fill("{target}", params), fill("{horizon_year}", params)
    frame = effects.iloc[::-1]
    fig = plots.new_figure(11, 0.45 * len(frame) + 1.8)
    axes = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(frame))
    panels = (
        ("delta_p", 100, f"change in P(≥{target} parks by end {year}) vs {baseline} "
         "(percentage points)"),
        ("delta_labelled", 1, f"change in labelled parks at the end of {year} vs {baseline} "
         "(parks)"),
    )  # fmt: skip
    colours = [DIRECTION_COLOURS[d] for d in frame["direction"]]
    for ax, (col, scale, label) in zip(axes, panels, strict=True):
        mid = frame[col].to_numpy(float)
        err = np.vstack([mid - frame[f"{col}_low"], frame[f"{col}_high"] - mid]).clip(min=0)
        ax.barh(y, scale * mid, color=colours, alpha=0.75)
        ax.errorbar(scale * mid, y, xerr=scale * np.nan_to_num(err), fmt="none", ecolor="k",
                    capsize=3, linewidth=1)  # fmt: skip
        ax.axvline(0, color="k", linewidth=0.8)
        ax.set_xlabel(label, fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, frame["scenario"])
    shown = [d for d in DIRECTION_COLOURS if d in set(frame["direction"])]
    handles = [Line2D([], [], color=DIRECTION_COLOURS[d], linewidth=6, label=d)
               for d in shown]  # fmt: skip
    axes[1].legend(handles=handles, fontsize=8, loc="lower right")
    fig.suptitle("Levers ranked by effect (paired over common random numbers, 95% CI)",
                 fontsize=10)  # fmt: skip
    return fig


def definitions(params: dict[str, Any]) -> list[str]:
    """A bullet per outcome the report uses: its words, unit and meaning from the outcome spec."""
    lines = []
    for name in REPORT_OUTCOMES:
        o = outcome(name)
        censoring = f" {fill(o.censoring, params)}." if o.censoring else ""
        lines.append(
            f"- **{o.label(params)}** (`{name}`, {o.unit}): {fill(o.meaning, params)}{censoring}"
        )
    return lines


def _figures(runs, series, effects, baseline: str, params, folder: Path) -> list[tuple[str, str]]:
    """The fan chart (when series were kept) and the forest plot of ΔP (when there are effects)."""
    figures = []
    if series is not None and len(series):
        figures.append(
            ("S-curves per scenario", save(fan_figure(runs, series, baseline), folder, "fan"))
        )
    if len(effects):
        title = f"Effect on P(≥{fill('{target}', params)})"
        figures.append(
            (title, save(effects_figure(effects, baseline, params), folder, "lever_effects"))
        )
    return figures


def analyse(
    spec: ExperimentSpec, runs: pd.DataFrame, series: pd.DataFrame | None, folder: Path
) -> str:
    """Tables, figures and the report section of a compare experiment."""
    from werklandschap.experiments.analysis.compare_report import effects_section, shown_scenarios

    baseline = load_scenario(spec.options["baseline"]).name
    params = scenario_params(baseline)
    target, year = fill("{target}", params), fill("{horizon_year}", params)
    ok = ok_runs(runs)
    censor_at = float(ok["months"].max()) if len(ok) else np.nan
    table = scenario_table(runs, censor_at, params)
    effects = effects_table(runs, baseline)
    table.to_csv(folder / "scenarios.csv", index=False)
    effects.to_csv(folder / "effects.csv", index=False)
    figures = _figures(runs, series, effects, baseline, params, folder)
    p_target = f"P(≥{target} by {year})"
    lines = [
        f"Scenarios × {spec.replications} replications with common random numbers "
        f"(replication r of every scenario uses seed seeds.replication({spec.seed}, r), "
        "model/seeds.py).",
        "",
        "Outcomes (definitions from the outcome spec, `model/outcome_spec.py`):",
        "",
        *definitions(params),
        "",
        markdown_table(shown_scenarios(table, params)),
        "",
        f"Labelled at the end of {year}: mean, median and 5–95% range over replications. "
        f"{p_target}: share of replications with ≥{target} labelled parks at the horizon, with a "
        f"95% Wilson interval. Median month {target}: Kaplan–Meier median, runs that never reach "
        f"{target} are right-censored at the end of the run (month {censor_at:.0f}); 'not "
        "reached' when more than half are censored. P(self-sustaining): share of the "
        "replications where it can be judged (n in brackets), with a 95% Wilson interval.",
        "",
        *effects_section(table, effects, baseline, params),
    ]
    lines += [f"![{title}]({path})\n" for title, path in figures]
    return "\n".join(lines)
