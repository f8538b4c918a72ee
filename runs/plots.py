"""Figures of runs: the S-curve with the target and horizon marked, labelled share per province,
and a map of parks by stage.

Every figure is drawn on an explicit `matplotlib.figure.Figure` (no pyplot state, no backend
switch), so saving a PNG needs no screen and a notebook keeps its own (inline) backend. The
figures returned here also render themselves as PNG in Jupyter (`_repr_png_`), with or without
`%matplotlib inline`.

Colours are colour-blind safe: the Okabe-Ito palette for categories, viridis/cividis for
sequential scales.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath

from werklandschap.agents.park import Role, Stage
from werklandschap.model.data import NationalData, national_data, province_outlines
from werklandschap.model.outcomes import START_YEAR, RunResult
from werklandschap.model.scenario import Scenario

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Order in which categories (scenarios, factors) take Okabe-Ito colours; yellow last (faint).
CATEGORY_COLOURS: tuple[str, ...] = tuple(
    OKABE_ITO[k]
    for k in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "reddish_purple",
        "sky_blue",
        "black",
        "yellow",
    )
)
LINE_STYLES = ("-", "--", "-.", ":")
SEQUENTIAL = "viridis"  # sequential colour map for counts
PROBABILITY_MAP = "cividis"  # sequential colour map for probabilities (0-1)
STAGE_COLOURS = {
    Stage.UNAWARE: "#CCCCCC",
    Stage.AWARE: OKABE_ITO["sky_blue"],
    Stage.ENGAGED: OKABE_ITO["orange"],
    Stage.TRANSFORMING: OKABE_ITO["vermillion"],
    Stage.LABELLED: OKABE_ITO["bluish_green"],
}
GOLDEN_ANGLE = np.pi * (3 - np.sqrt(5))
MAP_ASPECT = 1 / np.cos(np.radians(52.2))  # degrees of longitude are shorter at 52°N


class Series(Protocol):
    """What `s_curve` reads from a run: `labelled` per month and the scenario `params`."""

    labelled: np.ndarray
    params: dict[str, Any]


class ShownFigure(Figure):
    """A Figure that Jupyter shows as PNG even when pyplot (the inline backend) was never
    imported; IPython prefers a registered formatter when there is one, so never twice."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


def new_figure(width: float, height: float) -> Figure:
    """An empty constrained-layout figure of `width` x `height` inches, outside pyplot."""
    return ShownFigure(figsize=(width, height), layout="constrained")


def category_colour(k: int) -> str:
    """The k-th category colour (Okabe-Ito, cycling)."""
    return CATEGORY_COLOURS[k % len(CATEGORY_COLOURS)]


def _years(months: np.ndarray) -> np.ndarray:
    """Calendar time in years of month numbers (month 0 = January 2023 = 2023.0)."""
    return START_YEAR + np.asarray(months) / 12


def horizon_year(params: Mapping[str, Any]) -> int:
    """The year whose end the horizon is (month m: the year 2022 + ceil(m / 12))."""
    return START_YEAR + (int(params["horizon_months"]) - 1) // 12


def mark_target_and_horizon(ax: Axes, params: Mapping[str, Any]) -> None:
    """A dashed line at the scenario's target and a dotted one at the end of its horizon,
    each labelled in words; drawn once per axes however many curves share it."""
    if any(line.get_gid() == "target" for line in ax.lines):
        return
    target = int(params["target_parks"])
    end = float(_years(int(params["horizon_months"])))
    ax.axhline(target, color="k", linestyle="--", linewidth=1, gid="target")
    ax.axvline(end, color="#555555", linestyle=":", linewidth=1, gid="horizon")
    text = ax.get_yaxis_transform()  # x in axes units, y in data units
    ax.text(0.01, target, f"target {target:,} parks", transform=text, va="bottom", fontsize=8)
    ax.text(
        end,
        0.02,
        f" end of {horizon_year(params)}",
        transform=ax.get_xaxis_transform(),
        fontsize=8,
        color="#555555",
        ha="left",
        va="bottom",
    )


def s_curve(
    results: Sequence[Series],
    ax: Axes,
    label: str | None = None,
    colour: str = CATEGORY_COLOURS[0],
    *,
    ylabel: str = "labelled parks (number)",
    marks: bool = True,
) -> None:
    """Labelled parks over time: median and 5-95% band over replications, with the target
    and the end of the horizon marked (from the first run's parameters)."""
    labelled = np.array([r.labelled for r in results])
    years = _years(np.arange(labelled.shape[1]))
    low, mid, high = np.percentile(labelled, [5, 50, 95], axis=0)
    ax.fill_between(years, low, high, color=colour, alpha=0.25, linewidth=0)
    ax.plot(years, mid, color=colour, label=label or f"median of {len(results)} runs")
    if marks:
        mark_target_and_horizon(ax, results[0].params)
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)


def s_curve_figure(results: list[RunResult], scenario: Scenario) -> Figure:
    """Parks per stage over time: labelled (median and 5-95% band), transforming and engaged
    (medians), with the target and the end of the horizon marked."""
    fig = new_figure(7, 4.2)
    ax = fig.subplots()
    n = len(results)
    s_curve(
        results,
        ax,
        label=f"labelled: median, 5–95% band of {n} runs",
        colour=STAGE_COLOURS[Stage.LABELLED],
        ylabel="parks (number)",
    )
    stages = np.median([r.stage_counts for r in results], axis=0)
    years = _years(np.arange(stages.shape[0]))
    for stage, style in ((Stage.TRANSFORMING, "--"), (Stage.ENGAGED, "-.")):
        ax.plot(
            years,
            stages[:, stage],
            color=STAGE_COLOURS[stage],
            linewidth=1.2,
            linestyle=style,
            label=f"{stage.name.lower()}: median",
        )
    ax.legend(loc="upper left", fontsize=8, title="parks by stage", title_fontsize=8)
    ax.set_title(f"{scenario.name}: parks by stage over time", fontsize=10)
    return fig


def provinces_figure(results: list[RunResult], scenario: Scenario) -> Figure:
    """Labelled share of parks per province over time (median over replications), one small
    panel per province (highest share first) with the other provinces in grey behind it."""
    first = results[0]
    labelled = np.median([r.province_stages[:, :, Stage.LABELLED] for r in results], axis=0)
    parks = first.province_stages[0].sum(axis=1)
    share = 100 * labelled / np.maximum(parks, 1)
    years = _years(np.arange(share.shape[0]))
    end = float(_years(int(first.params["horizon_months"])))
    order = np.argsort(-share[-1], kind="stable")
    cols = 4
    rows = int(np.ceil(len(order) / cols))
    fig = new_figure(10, 2.0 * rows + 0.9)
    axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
    for ax, province in zip(axes.flat, order, strict=False):
        green = bool(first.initial_green_deal[province])
        ax.plot(years, share, color="#BBBBBB", linewidth=0.6)
        ax.plot(
            years,
            share[:, province],
            linewidth=2,
            color=OKABE_ITO["blue"] if green else OKABE_ITO["orange"],
        )
        ax.axvline(end, color="#555555", linestyle=":", linewidth=1)
        name = first.province_names[province]
        ax.set_title(name + (" (Green Deal)" if green else ""), fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(order) :]:
        ax.set_visible(False)
    fig.supxlabel(f"year (dotted: end of {horizon_year(first.params)})", fontsize=9)
    fig.supylabel("labelled parks (% of the province's parks)", fontsize=9)
    fig.suptitle(
        f"{scenario.name}: labelled share per province, median of {len(results)} runs "
        "(blue: Green Deal province at the start, orange: other; grey: the other provinces)",
        fontsize=9,
    )
    return fig


def park_positions(data: NationalData) -> tuple[np.ndarray, np.ndarray]:
    """Map positions: each park near its municipality's centroid on a sunflower spiral.

    Deterministic (no random draws): the k-th park of a municipality sits at radius ~sqrt(k) and
    angle k times the golden angle, so parks of one municipality spread without overlapping.
    """
    town = data.park_municipality
    order = np.argsort(town, kind="stable")
    starts = np.searchsorted(town[order], town[order])
    k = np.empty(town.size)
    k[order] = np.arange(town.size) - starts
    radius = 0.012 * np.sqrt(k)  # degrees
    angle = k * GOLDEN_ANGLE
    lon = data.municipality_lon[town] + radius * np.cos(angle) / np.cos(np.radians(52.2))
    lat = data.municipality_lat[town] + radius * np.sin(angle)
    return lon, lat


def label_point(ring: np.ndarray, grid: int = 40) -> tuple[float, float]:
    """A representative point of a lon/lat ring for its name: the inside point of a grid that
    lies farthest from the outline (an approximate pole of inaccessibility; unlike the centroid
    it is always inside, also for a curved province)."""
    lo, hi = ring.min(axis=0), ring.max(axis=0)
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid))
    points = np.column_stack([gx.ravel(), gy.ravel()])
    inside = points[MplPath(ring).contains_points(points)]
    if len(inside) == 0:
        return float(ring[:, 0].mean()), float(ring[:, 1].mean())
    scale = np.array([1 / MAP_ASPECT, 1.0])  # distances in comparable units (km-like)
    gaps = np.linalg.norm((inside[:, None, :] - ring[None, :, :]) * scale, axis=2).min(axis=1)
    best = inside[int(np.argmax(gaps))]
    return float(best[0]), float(best[1])


def draw_provinces(ax: Axes, names: bool = False) -> None:
    """Province outlines (and, with `names`, each province's name inside its largest part)."""
    for name, rings in province_outlines().items():
        for ring in rings:
            ax.plot(ring[:, 0], ring[:, 1], color="#555555", linewidth=0.6)
        if names:
            x, y = label_point(max(rings, key=len))
            ax.text(
                x,
                y,
                name,
                fontsize=7,
                ha="center",
                va="center",
                color="#222222",
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
            )
    ax.set_aspect(MAP_ASPECT)
    ax.set_axis_off()


def map_figure(stage: np.ndarray, role: np.ndarray, title: str) -> Figure:
    """Parks at their municipality coloured by stage; labs (star) and ambassadors (triangle);
    province names on the map."""
    data = national_data()
    lon, lat = park_positions(data)
    fig = new_figure(6.2, 7)
    ax = fig.subplots()
    handles = []
    for value, colour in STAGE_COLOURS.items():
        here = stage == value
        ax.scatter(lon[here], lat[here], s=4, color=colour, linewidths=0)
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=5,
                color=colour,
                label=f"{value.name.lower()} ({np.count_nonzero(here):,} parks)",
            )
        )
    for value, marker in ((Role.LIVING_LAB, "*"), (Role.AMBASSADOR, "^")):
        here = role == value
        ax.scatter(
            lon[here],
            lat[here],
            s=40,
            marker=marker,
            facecolor="none",
            edgecolor="k",
            linewidths=0.8,
        )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=marker,
                markersize=7,
                markerfacecolor="none",
                markeredgecolor="k",
                label=value.name.lower().replace("_", " "),
            )
        )
    draw_provinces(ax, names=True)
    ax.legend(
        handles=handles,
        loc="upper left",
        fontsize=7,
        frameon=False,
        title="stage, role",
        title_fontsize=7,
    )
    ax.set_title(title, fontsize=10)
    return fig


def compare_figure(runs: Mapping[str, Sequence[Series]], title: str = "") -> Figure:
    """Labelled parks over time for several sets of runs (median and 5-95% band each)."""
    fig = new_figure(7, 4.2)
    ax = fig.subplots()
    for k, (name, results) in enumerate(runs.items()):
        s_curve(results, ax, label=f"{name}: median, 5–95% band", colour=category_colour(k))
    ax.legend(loc="upper left", fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def write_run_figures(results: list[RunResult], scenario: Scenario, directory: Path) -> None:
    """Write s_curve.png, provinces.png and map.png of a set of runs into `directory`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    first = results[0]
    title = f"{scenario.name}: parks by stage, end of {horizon_year(first.params)} (run 1)"
    figures = {
        "s_curve.png": s_curve_figure(results, scenario),
        "provinces.png": provinces_figure(results, scenario),
        "map.png": map_figure(first.stage_at_horizon, first.role, title),
    }
    for name, fig in figures.items():
        fig.savefig(directory / name, dpi=120)
