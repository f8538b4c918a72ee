"""The compare view: R replications of 2-3 shipped scenarios in the background.

For each scenario it shows P(at least the target labelled at the horizon) with a Wilson 95%
interval and a fan chart (median and 5-95% band of labelled parks over time). The runs execute in
a Solara task (a thread per browser session) that reports its progress; the selection and the
last results live in session-scoped reactive variables, so they survive switching pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import solara
import solara.lab
from matplotlib.figure import Figure

from werklandschap.dashboard.views import horizon_text
from werklandschap.experiments.analysis.stats import wilson
from werklandschap.experiments.plots import s_curve
from werklandschap.experiments.runs import run_replications
from werklandschap.model.outcomes import RunResult
from werklandschap.model.scenario import shipped_scenarios

DEFAULT_SCENARIOS = ["baseline", "double_stimulated"]
MIN_SCENARIOS, MAX_SCENARIOS = 2, 3

chosen = solara.reactive(list(DEFAULT_SCENARIOS))
replications = solara.reactive(20)
seed = solara.reactive(0)


@solara.lab.task(prefer_threaded=True)
def comparison(names: tuple[str, ...], runs: int, first_seed: int) -> dict[str, list[RunResult]]:
    """Run every scenario `runs` times (common seeds), updating `comparison.progress` (0-100)."""
    total, done = len(names) * runs, 0

    def progress(indices: Iterable[int]) -> Iterator[int]:
        nonlocal done
        for index in indices:
            if not comparison.is_current():  # cancelled or superseded: stop early
                return
            yield index
            done += 1
            comparison.progress = 100.0 * done / total

    comparison.progress = 0.0
    return {name: run_replications(name, first_seed, runs, progress) for name in names}


def target_rows(results: dict[str, list[RunResult]]) -> list[str]:
    """One line per scenario: P(target met at the horizon) with its Wilson 95% interval."""
    rows = []
    for name, runs in results.items():
        met = sum(r.summary()["target_met"] for r in runs)
        low, high = wilson(met, len(runs))
        target, by = runs[0].params["target_parks"], horizon_text(runs[0].params["horizon_months"])
        rows.append(f"{name}: P(≥{target:,} labelled by {by}) = {met / len(runs):.2f} "
                    f"(95% CI {low:.2f}–{high:.2f}; {met} of {len(runs)} runs)")  # fmt: skip
    return rows


def compare_figure(results: dict[str, list[RunResult]]) -> Figure:
    """Fan charts of labelled parks per scenario (top), P(target) with Wilson intervals (bottom)."""
    fig = Figure(figsize=(4.6, 5.4))
    fig.subplots_adjust(left=0.14, right=0.96, bottom=0.1, top=0.94, hspace=0.4)
    fan, prob = fig.subplots(2, 1, height_ratios=[3, 2])
    for k, (name, runs) in enumerate(results.items()):
        s_curve(runs, fan, label=name, colour=f"C{k}")
        met = sum(r.summary()["target_met"] for r in runs)
        low, high = wilson(met, len(runs))
        p = met / len(runs)
        prob.errorbar([p], [k], xerr=[[p - low], [high - p]], fmt="o", color=f"C{k}", capsize=5)
        prob.text(0.01, k - 0.2, f"{name}: {met}/{len(runs)}", fontsize=7, color=f"C{k}")
    fan.legend(loc="upper left", fontsize=7)
    fan.set_title("Labelled parks: median and 5-95% of runs", fontsize=9)
    fan.tick_params(labelsize=7)
    fan.xaxis.label.set_fontsize(7)
    fan.yaxis.label.set_fontsize(7)
    prob.set_yticks([])
    prob.set_ylim(len(results) - 0.5, -0.6)
    prob.set_xlim(0, 1)
    prob.set_xlabel("P(target met by the horizon), Wilson 95% interval", fontsize=7)
    prob.tick_params(axis="x", labelsize=7)
    prob.grid(axis="x", alpha=0.3)
    return fig


def _start() -> None:
    comparison(tuple(chosen.value), replications.value, seed.value)


@solara.component
def CompareView(model: object = None) -> None:
    """Choose 2-3 scenarios and R, run them in the background, show P(target) and fan charts."""
    with solara.Column(style={"padding": "8px"}):
        solara.Text("Compare scenarios", style={"font-size": "1.2em", "font-weight": "bold"})
        solara.SelectMultiple(
            "Scenarios (2-3)", values=chosen, all_values=list(shipped_scenarios())
        )
        solara.SliderInt("Replications per scenario", value=replications, min=5, max=100, step=5)
        solara.InputInt("Seed of the first replication", value=seed)
        count_ok = MIN_SCENARIOS <= len(chosen.value) <= MAX_SCENARIOS
        with solara.Row():
            solara.Button("Run comparison", color="primary", on_click=_start,
                          disabled=not count_ok or comparison.pending)  # fmt: skip
            if comparison.pending:
                solara.Button("Cancel", on_click=comparison.cancel)
        if not count_ok:
            solara.Warning(f"Choose {MIN_SCENARIOS} or {MAX_SCENARIOS} scenarios.")
        if comparison.pending:
            share = comparison.progress or 0.0
            solara.ProgressLinear(share)
            solara.Text(f"Running: {share:.0f}% of the runs done", classes=["compare-progress"])
        elif comparison.error:
            solara.Error(f"The comparison failed: {comparison.exception}")
        elif comparison.cancelled:
            solara.Text("Comparison cancelled.")
        if comparison.finished and comparison.value:
            for row in target_rows(comparison.value):
                solara.Text(row, classes=["compare-result"])
            solara.FigureMatplotlib(compare_figure(comparison.value), format="png")
