"""Figures of runs: the S-curve with the 1,000 line, labelled parks per province, and a map.

All figures are matplotlib (Agg backend, no screen needed) and written as PNG.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from werklandschap.agents.park import Role, Stage
from werklandschap.model.data import NationalData, national_data, province_outlines
from werklandschap.model.outcomes import START_YEAR, RunResult
from werklandschap.model.scenario import Scenario

STAGE_COLOURS = {
    Stage.UNAWARE: "#d9d9d9",
    Stage.AWARE: "#9ecae1",
    Stage.ENGAGED: "#fdae6b",
    Stage.TRANSFORMING: "#e6550d",
    Stage.LABELLED: "#31a354",
}
GOLDEN_ANGLE = np.pi * (3 - np.sqrt(5))


def _years(months: np.ndarray) -> np.ndarray:
    return START_YEAR + months / 12


def s_curve(results: list[RunResult], ax: plt.Axes, label: str | None = None, colour="C0"):
    """Labelled parks over time: median and 5-95% band over replications, target line."""
    labelled = np.array([r.labelled for r in results])
    months = np.arange(labelled.shape[1])
    years = _years(months)
    low, mid, high = np.percentile(labelled, [5, 50, 95], axis=0)
    ax.fill_between(years, low, high, color=colour, alpha=0.25, linewidth=0)
    ax.plot(years, mid, color=colour, label=label or f"median of {len(results)} runs")
    params = results[0].params
    ax.axhline(params["target_parks"], color="k", linestyle="--", linewidth=1)
    ax.text(
        years[0],
        params["target_parks"],
        f" target {params['target_parks']:,}",
        va="bottom",
        fontsize=8,
    )
    ax.axvline(_years(params["horizon_months"]), color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("year")
    ax.set_ylabel("labelled werklandschappen")
    ax.grid(alpha=0.3)


def s_curve_figure(results: list[RunResult], scenario: Scenario) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    s_curve(results, ax, label=f"{scenario.name}: median, 5-95% band ({len(results)} runs)")
    stages = np.median([r.stage_counts for r in results], axis=0)
    years = _years(np.arange(stages.shape[0]))
    for stage in (Stage.TRANSFORMING, Stage.ENGAGED):
        ax.plot(years, stages[:, stage], color=STAGE_COLOURS[stage], linewidth=1,
                label=f"{stage.name.lower()} (median)")  # fmt: skip
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title("Labelled business parks (dotted: end of 2031)")
    return fig


def provinces_figure(results: list[RunResult], scenario: Scenario) -> Figure:
    """Labelled share of parks per province over time (median over replications)."""
    fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    first = results[0]
    labelled = np.median([r.province_stages[:, :, Stage.LABELLED] for r in results], axis=0)
    parks = first.province_stages[0].sum(axis=1)
    years = _years(np.arange(labelled.shape[0]))
    order = np.argsort(-labelled[-1] / parks)
    for k, province in enumerate(order):
        green = first.initial_green_deal[province]
        ax.plot(
            years,
            100 * labelled[:, province] / parks[province],
            linestyle="-" if green else "--",
            color=plt.cm.tab20(k % 20),
            label=first.province_names[province] + (" (GD)" if green else ""),
        )
    ax.axvline(_years(first.params["horizon_months"]), color="grey", linestyle=":", linewidth=1)
    ax.set_ylabel("labelled parks (% of the province's parks)")
    ax.set_xlabel("year")
    ax.set_title("Labelled share per province (GD = Green Deal, solid)")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
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


def draw_provinces(ax: plt.Axes) -> None:
    for rings in province_outlines().values():
        for ring in rings:
            ax.plot(ring[:, 0], ring[:, 1], color="#555555", linewidth=0.6)
    ax.set_aspect(1 / np.cos(np.radians(52.2)))
    ax.set_axis_off()


def map_figure(stage: np.ndarray, role: np.ndarray, title: str) -> Figure:
    """Parks at their municipality coloured by stage; labs (star) and ambassadors (triangle)."""
    data = national_data()
    lon, lat = park_positions(data)
    fig, ax = plt.subplots(figsize=(6.2, 7), layout="constrained")
    draw_provinces(ax)
    for value, colour in STAGE_COLOURS.items():
        here = stage == value
        ax.scatter(
            lon[here],
            lat[here],
            s=4,
            color=colour,
            linewidths=0,
            label=f"{value.name.lower()} ({np.count_nonzero(here)})",
        )
    for value, marker in ((Role.LIVING_LAB, "*"), (Role.AMBASSADOR, "^")):
        here = role == value
        name = value.name.lower().replace("_", " ")
        ax.scatter(
            lon[here],
            lat[here],
            s=60,
            marker=marker,
            facecolor="none",
            edgecolor="k",
            linewidths=0.8,
            label=name,
        )
    ax.legend(loc="upper left", fontsize=7, markerscale=2, frameon=False)
    ax.set_title(title, fontsize=10)
    return fig


def write_run_figures(results: list[RunResult], scenario: Scenario, directory: Path) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    first = results[0]
    horizon = START_YEAR + first.params["horizon_months"] // 12 - 1
    title = f"{scenario.name}: parks by stage, end of {horizon} (run 1)"
    figures = {
        "s_curve.png": s_curve_figure(results, scenario),
        "provinces.png": provinces_figure(results, scenario),
        "map.png": map_figure(first.stage_at_horizon, first.role, title),
    }
    for name, fig in figures.items():
        fig.savefig(directory / name, dpi=120)
        plt.close(fig)
