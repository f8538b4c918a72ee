"""Charts of one model run (labelled curve, stages, map, provinces) and the words around them.

Every chart draws on an explicit `matplotlib.figure.Figure` (no pyplot, no backend switch) in
Okabe-Ito colours, which stay distinguishable with the common colour-vision deficiencies. A chart
is built once per model and language; `update` only moves data (the map recolours its 3,646
points), so redrawing after a run costs a PNG encoding, not a new figure.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from werklandschap.agents.park import Role, Stage
from werklandschap.dashboard.words import month_name, number, say
from werklandschap.model.data import national_data
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.outcomes import START_YEAR
from werklandschap.runs.plots import OKABE_ITO, STAGE_COLOURS, draw_provinces, park_positions

#: One colour per compared scenario, the baseline first.
SCENARIO_COLOURS = tuple(
    OKABE_ITO[k] for k in ("black", "blue", "orange", "bluish_green", "reddish_purple")
)
GREEN_DEAL, OTHER = OKABE_ITO["blue"], "#BBBBBB"
STAGE_RGBA = np.array([to_rgba(STAGE_COLOURS[s]) for s in Stage])
FIGSIZE = (4.8, 3.2)  # inches
DPI = 130  # 624 px wide: sharp when a grid cell (about 440-680 px) scales it to its width


def stage_word(stage: Stage, lang: str) -> str:
    """The stage in plain words."""
    return say(f"stage_{stage.name.lower()}", lang)


def calendar_month(month: int, lang: str) -> str:
    """Month number (0 = January 2023) as 'March 2031' / 'maart 2031'."""
    return say("month_year", lang, month=month_name(month % 12 + 1, lang),
               year=START_YEAR + month // 12)  # fmt: skip


def month_text(months_done: int, lang: str) -> str:
    """After `months_done` months: 'start (January 2023)' or 'end of February 2024'."""
    if months_done <= 0:
        return say("start_month", lang, year=START_YEAR)
    last = months_done - 1
    return say("end_of", lang, month=month_name(last % 12 + 1, lang),
               year=START_YEAR + last // 12)  # fmt: skip


def end_year(months: int) -> int:
    """The calendar year whose end month `months` (counted from January 2023) falls in."""
    return START_YEAR + (int(months) - 1) // 12


@dataclass(frozen=True)
class Headline:
    """The answer to the programme's question for one run.

    `chance` is the probability with its interval once it is known (from the answer-under-
    uncertainty analysis); a single run has no chance, so it stays None here.
    """

    question: str
    answer: str
    reached: bool | None  # None while the horizon is still ahead and the target not met
    chance: str | None = None

    @property
    def text(self) -> str:
        extra = f"; {self.chance}" if self.chance else ""
        return f"{self.question}: {self.answer}{extra}"


def headline(labelled: np.ndarray, params: dict[str, Any], lang: str) -> Headline:
    """'1,000 parks by end 2031: reached in March 2031 / not reached (811 parks)'.

    `labelled` holds labelled parks at months 0..t (t months done); target and horizon come from
    the scenario's parameters.
    """
    target, horizon = int(params["target_parks"]), int(params["horizon_months"])
    question = say("question", lang, target=number(target, lang), year=end_year(horizon))
    done = labelled.size - 1
    met = np.flatnonzero(labelled[: horizon + 1] >= target)
    if met.size:  # month m done means the target was reached during calendar month m - 1
        when = calendar_month(int(met[0]) - 1, lang)
        return Headline(question, say("reached_in", lang, month=when), True)
    if done >= horizon:
        n = number(int(labelled[horizon]), lang)
        return Headline(question, say("not_reached", lang, n=n), False)
    n, when = number(int(labelled[-1]), lang), month_text(done, lang)
    return Headline(question, say("not_yet", lang, n=n, month=when), None)


def _years(months: np.ndarray | int) -> np.ndarray:
    return START_YEAR + np.asarray(months) / 12


def _time_axis(ax, params: dict[str, Any], months: int, lang: str) -> None:
    horizon = int(params["horizon_months"])
    ax.axvline(_years(horizon), color="grey", linestyle=":", linewidth=1)
    ax.set_xlim(START_YEAR, _years(months))
    ax.set_xlabel(say("axis_year", lang, year=end_year(horizon)), fontsize=8)
    ax.tick_params(labelsize=8)


def png(figure: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class LabelledChart:
    """Labelled parks so far on the whole run's time axis, with the target line."""

    name = "labelled"

    def __init__(self, model: WerklandschapModel, lang: str) -> None:
        target = model.params["target_parks"]
        self.figure = Figure(figsize=FIGSIZE, layout="constrained")
        ax = self.axes = self.figure.subplots()
        (self.line,) = ax.plot([], [], color=STAGE_COLOURS[Stage.LABELLED], linewidth=2)
        ax.axhline(target, color="k", linestyle="--", linewidth=1)
        ax.text(START_YEAR, target, " " + say("target", lang, target=number(target, lang)),
                va="bottom", fontsize=8)  # fmt: skip
        _time_axis(ax, model.params, model.months, lang)
        ax.set_ylabel(say("axis_labelled", lang), fontsize=8)
        ax.set_title(say("chart_labelled", lang), fontsize=10)
        ax.grid(alpha=0.3)
        self.target = target

    def update(self, model: WerklandschapModel, lang: str) -> None:
        labelled = model.result().labelled
        self.line.set_data(_years(np.arange(labelled.size)), labelled)
        self.axes.set_ylim(0, max(1.15 * self.target, 1.1 * labelled.max()))


class StagesChart:
    """Parks per stage over time (stacked areas); the legend gives today's counts."""

    name = "stages"

    def __init__(self, model: WerklandschapModel, lang: str) -> None:
        self.figure = Figure(figsize=FIGSIZE, layout="constrained")
        ax = self.figure.subplots()
        self.areas = [ax.fill_between([], [], [], color=STAGE_COLOURS[s], linewidth=0)
                      for s in Stage]  # fmt: skip
        _time_axis(ax, model.params, model.months, lang)
        ax.set_ylim(0, model.data.n_parks)
        ax.set_ylabel(say("axis_parks", lang), fontsize=8)
        handles = [Patch(color=STAGE_COLOURS[s], label=stage_word(s, lang))
                   for s in reversed(Stage)]  # fmt: skip
        self.legend = ax.legend(handles=handles, loc="upper right", fontsize=7)
        ax.set_title(say("chart_stages", lang), fontsize=10)

    def update(self, model: WerklandschapModel, lang: str) -> None:
        counts = model.result().stage_counts
        years = _years(np.arange(counts.shape[0]))
        tops = counts.cumsum(axis=1)
        for stage, area in zip(Stage, self.areas, strict=True):
            area.set_data(years, tops[:, stage] - counts[:, stage], tops[:, stage])
        for text, stage in zip(self.legend.get_texts(), reversed(Stage), strict=True):
            text.set_text(f"{stage_word(stage, lang)} {number(counts[-1, stage], lang)}")


class ProvincesChart:
    """Labelled share of each province's parks now; Green Deal provinces in blue."""

    name = "provinces"

    def __init__(self, model: WerklandschapModel, lang: str) -> None:
        names = model.data.province_name
        self.figure = Figure(figsize=FIGSIZE, layout="constrained")
        ax = self.axes = self.figure.subplots()
        self.bars = ax.barh(np.arange(len(names)), np.zeros(len(names)))
        ax.set_yticks(np.arange(len(names)), names, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(say("axis_share", lang), fontsize=8)
        ax.set_title(say("chart_provinces", lang), fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", alpha=0.3)

    def update(self, model: WerklandschapModel, lang: str) -> None:
        stages = model.result().province_stages[-1]
        share = 100 * stages[:, Stage.LABELLED] / np.maximum(stages.sum(axis=1), 1)
        for bar, value, green in zip(self.bars, share, model.province_green_deal, strict=True):
            bar.set_width(value)
            bar.set_color(GREEN_DEAL if green else OTHER)
        self.axes.set_xlim(0, max(10.0, 1.1 * share.max()))


@cache
def _positions() -> tuple[np.ndarray, np.ndarray]:
    return park_positions(national_data())


class ParkMap:
    """A map figure drawn once; `update` recolours the parks and moves the role markers."""

    name = "map"

    def __init__(self, model: WerklandschapModel | None = None, lang: str = "en") -> None:
        lon, lat = _positions()
        self.figure = Figure(figsize=(FIGSIZE[0], 4.0))
        self.figure.subplots_adjust(left=0.0, right=1.0, bottom=0.01, top=0.93)
        ax = self.figure.subplots()
        draw_provinces(ax)
        self.parks = ax.scatter(lon, lat, s=5, linewidths=0, color=STAGE_RGBA[Stage.UNAWARE])
        marker = {"s": 60, "facecolor": "none", "edgecolor": "k", "linewidths": 0.8}
        self.labs = ax.scatter([], [], marker="*", **marker)
        self.ambassadors = ax.scatter([], [], marker="^", **marker)
        dot = {"linestyle": "", "marker": "o"}
        handles = [Line2D([], [], color=STAGE_COLOURS[s], label=stage_word(s, lang), **dot)
                   for s in Stage]  # fmt: skip
        for symbol, key in (("*", "living_lab"), ("^", "ambassador")):
            handles.append(Line2D([], [], linestyle="", marker=symbol, markerfacecolor="none",
                                  color="k", label=say(key, lang)))  # fmt: skip
        ax.legend(handles=handles, loc="upper left", fontsize=7, frameon=False)
        self.title = ax.set_title("", fontsize=9)
        self.lon, self.lat = lon, lat

    def update(self, model: WerklandschapModel, lang: str = "en") -> None:
        """Colour parks by stage and mark the living labs and ambassadors."""
        title = say("chart_map", lang, month=month_text(int(model.time), lang))
        self.draw(model.park_state.stage, model.park_state.role, title)

    def draw(self, stage: np.ndarray, role: np.ndarray, title: str) -> None:
        """Colour parks by `stage`, mark living labs and ambassadors (`role`), set the title."""
        self.parks.set_facecolor(STAGE_RGBA[stage])
        for artist, value in ((self.labs, Role.LIVING_LAB), (self.ambassadors, Role.AMBASSADOR)):
            here = role == value
            artist.set_offsets(np.column_stack([self.lon[here], self.lat[here]]))
        self.title.set_text(title)


#: The charts of the one-future view, in page order.
CHARTS: tuple[type, ...] = (LabelledChart, StagesChart, ParkMap, ProvincesChart)


def ladder_figure(lang: str) -> Figure:
    """The model in a diagram: the five stages as a ladder and what moves a park up it."""
    figure = Figure(figsize=(7.5, 2.6), layout="constrained")
    ax = figure.subplots()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 3.2)
    ax.set_axis_off()
    for k, stage in enumerate(Stage):
        x = 0.2 + 2.0 * k
        box = {"boxstyle": "round,pad=0.4", "facecolor": STAGE_COLOURS[stage],
               "edgecolor": "#333333"}  # fmt: skip
        ax.text(x + 0.75, 2.2, stage_word(stage, lang), ha="center", va="center", fontsize=9,
                bbox=box)  # fmt: skip
        if k < len(Stage) - 1:
            ax.annotate("", xy=(x + 1.95, 2.2), xytext=(x + 1.55, 2.2),
                        arrowprops={"arrowstyle": "->", "color": "#333333"})  # fmt: skip
    drivers = ["driver_own", "driver_programme", "driver_peers", "driver_rules"]
    text = ", ".join(say(d, lang) for d in drivers)
    ax.text(4.2, 1.0, f"{say('drivers', lang)}: {text}", ha="center", fontsize=9)
    ax.annotate("", xy=(4.2, 1.9), xytext=(4.2, 1.2),
                arrowprops={"arrowstyle": "->", "color": OKABE_ITO["blue"]})  # fmt: skip
    ax.text(8.95, 1.0, say("driver_assessors", lang), ha="center", fontsize=9)
    ax.annotate("", xy=(8.95, 1.9), xytext=(8.95, 1.2),
                arrowprops={"arrowstyle": "->", "color": OKABE_ITO["blue"]})  # fmt: skip
    return figure
