"""The compare view: the baseline, "my scenario" and up to 3 shipped scenarios, R runs each.

Every scenario runs with the same R seeds (common random numbers), so each run of a scenario has a
partner run of the baseline; differences are means of those paired differences with a normal 95%
interval (`paired_difference`). P(target met at the horizon) carries a Wilson 95% interval. The
runs execute in a Solara task (a thread per browser session) that reports its progress; the
selection and the last results live in session-scoped reactive variables.

With the posterior switch on (the default, when the posterior file exists) replication r of
every scenario draws the same parameter set from the calibration posterior (runs/predictive.py,
a few seeds per set), so the chance includes the uncertainty about the calibrated parameters:
P(target met) then carries the 90% credible interval of runs/predictive.py instead of Wilson's,
and the headline's `chance` is filled with it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import solara
import solara.lab
from matplotlib.figure import Figure

from werklandschap.dashboard import export
from werklandschap.dashboard.views import SCENARIO_COLOURS, Headline, end_year, png
from werklandschap.dashboard.words import number, say, scenario_title
from werklandschap.model.outcome_spec import outcome
from werklandschap.model.outcomes import START_YEAR, RunResult
from werklandschap.model.scenario import Scenario, load_scenario, shipped_scenarios
from werklandschap.runs import predictive
from werklandschap.runs.runs import replicate, run_replications
from werklandschap.runs.stats import paired_difference, wilson

REFERENCE = "baseline"
MAX_OTHERS = 3

include_mine = solara.reactive(True)
others = solara.reactive(["double_stimulated"])  # shipped scenario names besides the baseline
replications = solara.reactive(20)
first_seed = solara.reactive(0)
total = solara.reactive(0)  # runs in the comparison under way
use_posterior = solara.reactive(True)  # draw parameter sets from the calibration posterior


@dataclass(frozen=True)
class Comparison:
    """The runs of each compared scenario (the reference first) and how long they took (s);
    `draws`: the parameter set of each replication under the posterior (None: fixed)."""

    results: dict[str, list[RunResult]]
    seconds: float
    draws: np.ndarray | None = None
    seed: int = 0


def posterior_plan(runs: int, seed: int) -> predictive.PredictivePlan | None:
    """The posterior-predictive plan of a comparison, or None without a posterior file."""
    from werklandschap.model.posterior import PosteriorFileError

    try:
        posterior = predictive.load_checked_posterior()
    except PosteriorFileError:
        return None
    return predictive.PredictivePlan(posterior, seed, runs, predictive.default_per_draw(runs))


def run_scenarios(scenarios: tuple[Scenario, ...], runs: int, seed: int, posterior: bool,
                  progress=None) -> Comparison:  # fmt: skip
    """Every scenario `runs` times with common seeds (and common parameter sets under the
    posterior); `progress` wraps each scenario's replication indices."""
    started = time.perf_counter()
    plan = posterior_plan(runs, seed) if posterior else None
    results = {}
    for s in scenarios:
        if plan is None:
            results[s.name] = run_replications(s, seed, runs, progress)
            continue
        indices = range(runs) if progress is None else progress(range(runs))
        results[s.name] = [replicate(plan.scenario_for(s, r), seed, r) for r in indices]
    draws = plan.columns()["draw"].to_numpy() if plan is not None else None
    return Comparison(results, time.perf_counter() - started, draws, seed)


@solara.lab.task(prefer_threaded=True)
def comparison(scenarios: tuple[Scenario, ...], runs: int, seed: int,
               posterior: bool = True) -> Comparison:  # fmt: skip
    """Run every scenario `runs` times with common seeds, updating `comparison.progress`."""
    count, done = len(scenarios) * runs, 0
    started = time.perf_counter()

    def progress(indices: Iterable[int]) -> Iterator[int]:
        nonlocal done
        for index in indices:
            if not comparison.is_current():  # cancelled or superseded: stop early
                return
            yield index
            done += 1
            comparison.progress = 100.0 * done / count

    comparison.progress = 0.0
    done_runs = run_scenarios(scenarios, runs, seed, posterior, progress)
    return Comparison(done_runs.results, time.perf_counter() - started, done_runs.draws, seed)


def chosen_scenarios(mine: Scenario | None, names: list[str]) -> tuple[Scenario, ...]:
    """The reference, then "my scenario" (renamed), then the chosen shipped scenarios."""
    chosen = [load_scenario(REFERENCE)]
    if mine is not None:
        chosen.append(mine.with_params(name=export.MY_SCENARIO))
    chosen += [load_scenario(n) for n in names if n != REFERENCE]
    return tuple(chosen)


def scenario_stats(results: dict[str, list[RunResult]], draws: np.ndarray | None = None,
                   seed: int = 0) -> pd.DataFrame:  # fmt: skip
    """Per scenario: runs, mean labelled at the horizon, P(target) with its interval (Wilson; the
    credible interval of runs/predictive.py when `draws` gives each run's parameter set) and the
    paired differences (mean labelled, P) against the reference (the first scenario)."""
    rows = []
    reference = None
    for name, runs in results.items():
        summary = pd.DataFrame([r.summary() for r in runs])
        labelled = summary["labelled_at_horizon"].to_numpy(float)
        met = summary["target_met"].to_numpy(float)
        if reference is None:
            reference = (labelled, met)
        half = 1.96 * labelled.std(ddof=1) / np.sqrt(labelled.size) if labelled.size > 1 else 0.0
        low, high = wilson(int(met.sum()), met.size)
        if draws is not None and len(draws) == met.size:
            target = runs[0].params["target_parks"]
            c = predictive.chance(met > 0.5, draws, seed, predictive.LEVEL, labelled, target)
            low, high = c.low, c.high
        diff = paired_difference(labelled, reference[0])
        pdiff = paired_difference(met, reference[1])
        rows.append({
            "scenario": name, "runs": len(runs), "mean_labelled": labelled.mean(),
            "mean_low": labelled.mean() - half, "mean_high": labelled.mean() + half,
            "p_target": met.mean(), "p_low": low, "p_high": high,
            "diff": diff[0], "diff_low": diff[1], "diff_high": diff[2],
            "p_diff": pdiff[0], "p_diff_low": pdiff[1], "p_diff_high": pdiff[2],
        })  # fmt: skip
    return pd.DataFrame(rows)


def compare_headline(stats: pd.DataFrame, params: dict, lang: str, posterior: bool) -> Headline:
    """The reference scenario's answer with the headline's `chance` filled: P and interval."""
    row = stats.iloc[0]
    target, horizon = int(params["target_parks"]), int(params["horizon_months"])
    question = say("question", lang, target=number(target, lang), year=end_year(horizon))
    answer = say("mean_answer", lang, n=number(row["mean_labelled"], lang))
    key = "chance_posterior" if posterior else "chance"
    p, low, high = (number(row[k], lang, 2) for k in ("p_target", "p_low", "p_high"))
    chance = say(key, lang, p=p, low=low, high=high)
    return Headline(question, answer, None, chance)  # a chance, not one run's outcome


def _interval(value: float, low: float, high: float, lang: str, decimals: int = 0,
              signed: bool = False) -> str:  # fmt: skip
    def fmt(x: float) -> str:
        text = number(x, lang, decimals)
        return ("+" + text) if signed and x > 0 else text

    if not np.isfinite(low) or not np.isfinite(high):
        return fmt(value)
    return f"{fmt(value)} ({fmt(low)} – {fmt(high)})"


def outcome_words(name: str, params: dict, lang: str) -> str:
    """An outcome's words from the outcome spec, its target written with `lang`'s separators."""
    o = outcome(name)
    words = o.nl if lang == "nl" else o.en
    horizon = int(params["horizon_months"])
    return words.format(target=number(int(params["target_parks"]), lang), horizon=horizon,
                        horizon_year=end_year(horizon))  # fmt: skip


def words_table(stats: pd.DataFrame, params: dict, lang: str) -> pd.DataFrame:
    """The comparison in words, one row per scenario (the table the page shows)."""
    columns = {
        "scenario": say("col_scenario", lang),
        "runs": say("col_runs", lang),
        "mean": say("col_mean", lang, outcome=outcome_words("labelled_at_horizon", params, lang)),
        "p": say("col_p", lang, outcome=outcome_words("target_met", params, lang)),
        "diff": say("col_diff", lang),
        "p_diff": say("col_pdiff", lang),
    }
    rows = []
    for k, row in stats.iterrows():
        reference = k == 0
        rows.append({
            columns["scenario"]: scenario_title(row["scenario"], lang),
            columns["runs"]: int(row["runs"]),
            columns["mean"]: _interval(
                row["mean_labelled"], row["mean_low"], row["mean_high"], lang),
            columns["p"]: _interval(row["p_target"], row["p_low"], row["p_high"], lang, 2),
            columns["diff"]: say("reference", lang) if reference else _interval(
                row["diff"], row["diff_low"], row["diff_high"], lang, signed=True),
            columns["p_diff"]: say("reference", lang) if reference else _interval(
                row["p_diff"], row["p_diff_low"], row["p_diff_high"], lang, 2, signed=True),
        })  # fmt: skip
    return pd.DataFrame(rows)


def runs_table(results: dict[str, list[RunResult]]) -> pd.DataFrame:
    """One row per run: scenario, replication and the summary outcomes."""
    frames = []
    for name, runs in results.items():
        frame = pd.DataFrame([r.summary() for r in runs])
        frame["scenario"] = name
        frame.insert(1, "replication", np.arange(len(runs)))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def compare_figure(results: dict[str, list[RunResult]], stats: pd.DataFrame,
                   lang: str, posterior: bool = False) -> Figure:  # fmt: skip
    """Fan charts of labelled parks per scenario (top), P(target) with Wilson intervals (bottom)."""
    params = next(iter(results.values()))[0].params
    target, horizon = int(params["target_parks"]), int(params["horizon_months"])
    fig = Figure(figsize=(7.0, 5.4), layout="constrained")
    fan, prob = fig.subplots(2, 1, height_ratios=[3, 2])
    for k, (name, runs) in enumerate(results.items()):
        colour = SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]
        labelled = np.array([r.labelled for r in runs])
        years = START_YEAR + np.arange(labelled.shape[1]) / 12
        low, mid, high = np.percentile(labelled, [5, 50, 95], axis=0)
        fan.fill_between(years, low, high, color=colour, alpha=0.2, linewidth=0)
        fan.plot(years, mid, color=colour, label=scenario_title(name, lang))
        row = stats.iloc[k]
        p = row["p_target"]
        # A credible interval of the chance over parameter sets need not contain the share of
        # runs (a skewed spread of chances): the bar then starts at the point.
        below, above = max(p - row["p_low"], 0.0), max(row["p_high"] - p, 0.0)
        prob.errorbar([p], [k], xerr=[[below], [above]], fmt="o", color=colour, capsize=5)
    fan.axhline(target, color="k", linestyle="--", linewidth=1)
    fan.axvline(START_YEAR + horizon / 12, color="grey", linestyle=":", linewidth=1)
    fan.legend(loc="upper left", fontsize=8)
    fan.set_title(say("fan_title", lang), fontsize=10)
    fan.set_ylabel(say("axis_labelled", lang), fontsize=8)
    fan.tick_params(labelsize=8)
    prob.set_yticks(range(len(results)), [scenario_title(n, lang) for n in results], fontsize=8)
    prob.set_ylim(len(results) - 0.5, -0.5)
    prob.set_xlim(0, 1)
    axis_words = "prob_axis_posterior" if posterior else "prob_axis"
    prob.set_xlabel(say(axis_words, lang, target=number(target, lang), year=end_year(horizon)),
                    fontsize=8)  # fmt: skip
    prob.tick_params(axis="x", labelsize=8)
    prob.grid(axis="x", alpha=0.3)
    return fig


@solara.component
def CompareView(mine: Scenario | None, lang: str) -> None:
    """Choose scenarios and R, run them in the background, show the table, chart and exports."""
    shipped = [n for n in shipped_scenarios() if n != REFERENCE]
    titles = {scenario_title(n, lang): n for n in shipped}
    with solara.Column(classes=["view-compare"], style={"padding": "8px", "max-width": "1100px"}):
        solara.HTML(tag="h3", unsafe_innerHTML=say("compare_title", lang))
        solara.Text(say("compare_explain", lang))
        solara.Checkbox(label=say("my_scenario", lang), value=include_mine)
        if include_mine.value and mine is None:
            solara.Warning(say("mine_invalid", lang), dense=True)
        solara.SelectMultiple(
            say("others", lang),
            values=[scenario_title(n, lang) for n in others.value],
            all_values=list(titles),
            on_value=lambda chosen: others.set([titles[t] for t in chosen if t in titles]),
        )
        solara.SliderInt(say("replications", lang), value=replications, min=5, max=100, step=5,
                         thumb_label="always")  # fmt: skip
        solara.Text(f"{say('replications', lang)}: {replications.value}", classes=["compare-runs"])
        solara.InputInt(say("first_seed", lang), value=first_seed)
        solara.Checkbox(label=say("posterior_switch", lang), value=use_posterior)
        too_many = len(others.value) > MAX_OTHERS

        def start() -> None:
            chosen = chosen_scenarios(mine if include_mine.value else None, others.value)
            # the progress line counts what actually runs
            total.set(replications.value * len(chosen))
            comparison(chosen, replications.value, first_seed.value, use_posterior.value)

        with solara.Row():
            solara.Button(say("compare_run", lang), color="primary", on_click=start,
                          disabled=too_many or comparison.pending)  # fmt: skip
            if comparison.pending:
                solara.Button(say("cancel", lang), on_click=comparison.cancel)
        if too_many:
            solara.Warning(say("too_many", lang))
        if comparison.pending:
            share = comparison.progress or 0.0
            solara.ProgressLinear(share)
            runs = total.value
            solara.Text(say("progress", lang, done=round(share * runs / 100), total=runs),
                        classes=["compare-progress"])  # fmt: skip
        elif comparison.error:
            solara.Error(say("compare_failed", lang, error=comparison.exception))
        elif comparison.cancelled:
            solara.Text(say("compare_cancelled", lang))
        if comparison.finished and comparison.value:
            CompareResults(comparison.value, lang)


@solara.component
def CompareResults(done: Comparison, lang: str) -> None:
    """The comparison's table, chart and downloads."""
    results = done.results
    params = next(iter(results.values()))[0].params
    stats = solara.use_memo(lambda: scenario_stats(results, done.draws, done.seed), [done])
    table = words_table(stats, params, lang)
    runs = next(iter(results.values()))
    posterior = done.draws is not None
    solara.Text(compare_headline(stats, params, lang, posterior).text, classes=["headline"])
    solara.Text(say("compare_done", lang, runs=len(runs), seconds=number(done.seconds, lang, 1)),
                classes=["compare-summary"])  # fmt: skip
    html = table.to_html(index=False, border=0, classes="compare-table", escape=True)
    solara.HTML(tag="div", unsafe_innerHTML=html)
    note = say("interval_note_posterior" if posterior else "interval_note", lang)
    solara.Text(note, style={"font-size": "0.8em", "color": "#555"})
    image = solara.use_memo(lambda: png(compare_figure(results, stats, lang, posterior), dpi=100),
                            [done, lang])  # fmt: skip
    solara.Image(image)
    tables = export.compare_tables(stats, runs_table(results))
    with solara.Row(classes=["compare-exports"]):
        solara.FileDownload(lambda: export.csv_bytes(tables), filename="comparison.csv",
                            label=say("export_csv", lang), mime_type="text/csv")  # fmt: skip
        solara.FileDownload(lambda: export.excel_bytes(tables), filename="comparison.xlsx",
                            label=say("export_xlsx", lang))  # fmt: skip
        solara.FileDownload(image, filename="comparison.png",
                            label=say("export_png", lang), mime_type="image/png")  # fmt: skip
