"""Live views of one stepping model: labelled count and curve, stage counts, map, provinces.

Every view is a `@solara.component` that reads `update_counter` so it re-renders after each Step
or Play tick. Figures are matplotlib PNGs (no Altair/Vega: those need a CDN). The map keeps one
figure per view with the province outlines and the park scatter drawn once; a redraw only
recolours the 3,646 points and moves the lab/ambassador markers.
"""

from __future__ import annotations

import calendar
from functools import cache

import matplotlib

matplotlib.use("Agg")
import numpy as np
import solara
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from mesa.visualization.utils import update_counter

from werklandschap.agents.park import Role, Stage
from werklandschap.dashboard.controls import LEVERS
from werklandschap.experiments.plots import STAGE_COLOURS, draw_provinces, park_positions
from werklandschap.model.data import national_data
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.outcomes import START_YEAR

STAGE_RGBA = np.array([to_rgba(STAGE_COLOURS[s]) for s in Stage])
FIGSIZE = (4.6, 3.0)  # inches at 100 dpi: about the width of a dashboard cell


def month_text(model: WerklandschapModel) -> str:
    """'month 14 (end of Feb 2024)': months completed and the calendar month just ended."""
    done = int(model.time)
    if done == 0:
        return f"month 0 (start, Jan {START_YEAR})"
    last = done - 1
    return f"month {done} (end of {calendar.month_abbr[last % 12 + 1]} {START_YEAR + last // 12})"


def horizon_text(horizon_months: int) -> str:
    """'end 2031' for the default horizon of 108 months; 'month 100' when not a year end."""
    if horizon_months % 12 == 0:
        return f"end {START_YEAR + horizon_months // 12 - 1}"
    return f"month {horizon_months}"


def readout_text(model: WerklandschapModel) -> str:
    """The labelled-count readout, e.g. 'Labelled: 37 of 3,646 parks at month 24 (...)'."""
    target = model.params["target_parks"]
    return (
        f"Labelled: {model.labelled():,} of {model.data.n_parks:,} parks at {month_text(model)}"
        f" — target {target:,} by month {model.params['horizon_months']}"
    )


def run_info(model: WerklandschapModel) -> str:
    """'Scenario: baseline · seed 0 · changed: n_stimulated=160' (changes against the scenario)."""
    changes = getattr(model, "changes", {})
    changed = ", ".join(f"{k}={v}" for k, v in changes.items()) or "none"
    return f"Scenario: {model.settings.name} · seed {model.seed} · changed: {changed}"


def lever_info(model: WerklandschapModel) -> str:
    """The main levers' values in this run, e.g. 'Levers: green_deal_provinces=6, ...'."""
    values = ", ".join(f"{name}={model.params[name]}" for name in LEVERS)
    return f"Levers: {values}"


def _years(months: np.ndarray | int) -> np.ndarray:
    return START_YEAR + np.asarray(months) / 12


def _time_axis(ax, model: WerklandschapModel) -> None:
    ax.axvline(_years(model.params["horizon_months"]), color="grey", linestyle=":", linewidth=1)
    ax.set_xlim(START_YEAR, _years(model.months))
    ax.set_xlabel(f"year (dotted: {horizon_text(model.params['horizon_months'])})", fontsize=8)
    ax.tick_params(labelsize=8)


class LabelledChart:
    """Labelled parks so far on the whole run's time axis, with the target line."""

    def __init__(self, model: WerklandschapModel) -> None:
        target = model.params["target_parks"]
        # smaller while a control problem message takes room in the same dashboard cell
        height = 1.5 if getattr(model, "problem", None) else 2.2  # inches
        self.figure = Figure(figsize=(4.6, height))
        self.figure.subplots_adjust(left=0.13, right=0.97, bottom=0.45 / height,
                                    top=1 - 0.25 / height)  # fmt: skip
        ax = self.axes = self.figure.subplots()
        (self.line,) = ax.plot([], [], color=STAGE_COLOURS[Stage.LABELLED], linewidth=2)
        ax.axhline(target, color="k", linestyle="--", linewidth=1)
        ax.text(START_YEAR, target, f" target {target:,}", va="bottom", fontsize=8)
        _time_axis(ax, model)
        ax.set_ylabel("labelled parks", fontsize=8)
        ax.set_title("Labelled werklandschappen", fontsize=10)
        ax.grid(alpha=0.3)
        self.target = target

    def update(self, model: WerklandschapModel) -> None:
        labelled = model.result().labelled
        self.line.set_data(_years(np.arange(labelled.size)), labelled)
        self.axes.set_ylim(0, max(1.15 * self.target, 1.1 * labelled.max()))


class StagesChart:
    """Parks per stage over time (stacked areas); the legend gives today's counts."""

    def __init__(self, model: WerklandschapModel) -> None:
        self.figure = Figure(figsize=FIGSIZE)
        self.figure.subplots_adjust(left=0.13, right=0.97, bottom=0.14, top=0.9)
        ax = self.figure.subplots()
        self.areas = [ax.fill_between([], [], [], color=STAGE_COLOURS[s], linewidth=0)
                      for s in Stage]  # fmt: skip
        _time_axis(ax, model)
        ax.set_ylim(0, model.data.n_parks)
        ax.set_ylabel("parks", fontsize=8)
        handles = [Patch(color=STAGE_COLOURS[s], label=s.name.lower()) for s in reversed(Stage)]
        self.legend = ax.legend(handles=handles, loc="upper right", fontsize=7)
        ax.set_title("Parks by stage (legend: now)", fontsize=10)

    def update(self, model: WerklandschapModel) -> None:
        counts = model.result().stage_counts
        years = _years(np.arange(counts.shape[0]))
        tops = counts.cumsum(axis=1)
        for stage, area in zip(Stage, self.areas, strict=True):
            area.set_data(years, tops[:, stage] - counts[:, stage], tops[:, stage])
        for text, stage in zip(self.legend.get_texts(), reversed(Stage), strict=True):
            text.set_text(f"{stage.name.lower()} {counts[-1, stage]:,}")


class ProvincesChart:
    """Labelled share of each province's parks now; Green Deal provinces in green."""

    def __init__(self, model: WerklandschapModel) -> None:
        names = model.data.province_name
        self.figure = Figure(figsize=FIGSIZE)
        self.figure.subplots_adjust(left=0.25, right=0.97, bottom=0.14, top=0.9)
        ax = self.axes = self.figure.subplots()
        self.bars = ax.barh(np.arange(len(names)), np.zeros(len(names)))
        ax.set_yticks(np.arange(len(names)), names, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("labelled parks (% of the province's parks)", fontsize=8)
        ax.set_title("Labelled share per province (green: Green Deal)", fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", alpha=0.3)

    def update(self, model: WerklandschapModel) -> None:
        stages = model.result().province_stages[-1]
        share = 100 * stages[:, Stage.LABELLED] / np.maximum(stages.sum(axis=1), 1)
        for bar, value, green in zip(self.bars, share, model.province_green_deal, strict=True):
            bar.set_width(value)
            bar.set_color("#31a354" if green else "#969696")
        self.axes.set_xlim(0, max(10.0, 1.1 * share.max()))


@cache
def _positions() -> tuple[np.ndarray, np.ndarray]:
    return park_positions(national_data())


class ParkMap:
    """A map figure drawn once; `update` recolours the parks and moves the role markers."""

    def __init__(self, model: WerklandschapModel | None = None) -> None:
        lon, lat = _positions()
        self.figure = Figure(figsize=(4.6, 3.7))
        self.figure.subplots_adjust(left=0.0, right=1.0, bottom=0.01, top=0.94)
        ax = self.figure.subplots()
        draw_provinces(ax)
        self.parks = ax.scatter(lon, lat, s=5, linewidths=0, color=STAGE_RGBA[Stage.UNAWARE])
        marker = {"s": 60, "facecolor": "none", "edgecolor": "k", "linewidths": 0.8}
        self.labs = ax.scatter([], [], marker="*", **marker)
        self.ambassadors = ax.scatter([], [], marker="^", **marker)
        dot = {"linestyle": "", "marker": "o"}
        handles = [Line2D([], [], color=STAGE_COLOURS[s], label=s.name.lower(), **dot)
                   for s in Stage]  # fmt: skip
        for symbol, name in (("*", "living lab"), ("^", "ambassador")):
            handles.append(Line2D([], [], linestyle="", marker=symbol, markerfacecolor="none",
                                  color="k", label=name))  # fmt: skip
        ax.legend(handles=handles, loc="upper left", fontsize=7, frameon=False)
        self.title = ax.set_title("", fontsize=9)
        self.lon, self.lat = lon, lat

    def update(self, model: WerklandschapModel) -> None:
        """Colour parks by stage and mark the living labs and ambassadors."""
        self.draw(model.park_state.stage, model.park_state.role, f"Parks, {month_text(model)}")

    def draw(self, stage: np.ndarray, role: np.ndarray, title: str) -> None:
        """Colour parks by `stage`, mark living labs and ambassadors (`role`), set the title."""
        self.parks.set_facecolor(STAGE_RGBA[stage])
        for artist, value in ((self.labs, Role.LIVING_LAB), (self.ambassadors, Role.AMBASSADOR)):
            here = role == value
            artist.set_offsets(np.column_stack([self.lon[here], self.lat[here]]))
        self.title.set_text(title)


def use_chart(chart_class: type, model: WerklandschapModel):
    """One chart per view, rebuilt for a new model (Reset), updated in place after a step."""
    chart = solara.use_memo(lambda: chart_class(model), [model])
    chart.update(model)
    return chart


def show(figure: Figure, model: WerklandschapModel) -> None:
    """Show a figure that is updated in place: redraw it when the model or its time changes."""
    solara.FigureMatplotlib(figure, format="png", dependencies=[model, model.time])


@solara.component
def LabelledView(model: WerklandschapModel) -> None:
    """The labelled count (CSS class `labelled-count`), any control problem, and the curve."""
    update_counter.get()
    chart = use_chart(LabelledChart, model)
    with solara.Column(classes=["view-labelled"]):
        problem = getattr(model, "problem", None)
        if problem:
            solara.Error(f"Not applied: {problem}. Showing scenario '{model.settings.name}' "
                         "with its own values and seed 0; correct the value and press Reset.",
                         dense=True, classes=["control-error"])  # fmt: skip
        solara.Text(readout_text(model), classes=["labelled-count"],
                    style={"font-size": "1.1em", "font-weight": "bold"})  # fmt: skip
        solara.Text(run_info(model), classes=["run-info"])
        if not problem:  # the cell has no room for both; with a problem nothing was changed
            solara.Text(lever_info(model), classes=["lever-info"], style={"font-size": "0.8em"})
        show(chart.figure, model)


@solara.component
def StagesView(model: WerklandschapModel) -> None:
    """Parks by stage over time."""
    update_counter.get()
    with solara.Column(classes=["view-stages"]):
        show(use_chart(StagesChart, model).figure, model)


@solara.component
def MapView(model: WerklandschapModel) -> None:
    """Parks on the map of the Netherlands, coloured by stage."""
    update_counter.get()
    with solara.Column(classes=["view-map"]):
        show(use_chart(ParkMap, model).figure, model)


@solara.component
def ProvincesView(model: WerklandschapModel) -> None:
    """Labelled share per province."""
    update_counter.get()
    with solara.Column(classes=["view-provinces"]):
        show(use_chart(ProvincesChart, model).figure, model)
