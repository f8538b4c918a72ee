"""Discovery: PRIM (EMA Workbench) on "target reached at the horizon" over an LHS design.

For each box: coverage (share of all futures reaching 1,000 that fall inside the box), density
(share of futures inside the box that reach 1,000) and mass (share of all futures inside). The
box chosen from each peeling trajectory is the one with the highest coverage among those with
density >= `min_density` (the highest-density box when none reaches it). Box limits are read
from `box.box_lims` (EMA 3.0's `inspect()` fails on categorical limits with pandas 3).
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from werklandschap.experiments.analysis.common import markdown_table, ok_runs, save, scenario_params
from werklandschap.experiments.design import Factor
from werklandschap.experiments.ema_adapter import import_ema
from werklandschap.experiments.spec import ExperimentSpec
from werklandschap.model.outcome_spec import fill
from werklandschap.model.parameters import BY_NAME
from werklandschap.runs.plots import OKABE_ITO, SEQUENTIAL, new_figure

#: How the report names the calibrated block under `posterior: true` (PRIM sees its values).
DRAWN = "; the calibrated ones drawn together from the posterior"


def box_limits(lim: pd.DataFrame, init: pd.DataFrame) -> list[dict]:
    """The restricted dimensions of a box: numeric min/max or the allowed categories."""
    rows = []
    for col in lim.columns:
        lo, hi = lim[col].iloc[0], lim[col].iloc[1]
        lo0, hi0 = init[col].iloc[0], init[col].iloc[1]
        if isinstance(lo, set):
            if lo != lo0:
                rows.append({"parameter": col, "min": None, "max": None, "allowed": sorted(lo)})
        elif lo != lo0 or hi != hi0:
            rows.append(
                {
                    "parameter": col,
                    "min": None if lo == lo0 else lo,
                    "max": None if hi == hi0 else hi,
                    "allowed": None,
                }
            )
    return rows


def condition_text(row: dict) -> str:
    name, unit = row["parameter"], BY_NAME[row["parameter"]].unit
    unit = "" if unit in ("-", "", "0-1", "share", "utility", "×") else f" {unit}"
    if row["allowed"] is not None:
        return f"{name} is {' or '.join(map(str, row['allowed']))}"
    if BY_NAME[name].type is int:  # integer parameters were peeled as reals
        row = {
            **row,
            "min": None if row["min"] is None else float(np.ceil(row["min"])),
            "max": None if row["max"] is None else float(np.floor(row["max"])),
        }
    if row["min"] is not None and row["max"] is not None:
        return f"{name} is between {row['min']:.3g} and {row['max']:.3g}{unit}"
    if row["min"] is not None:
        return f"{name} ≥ {row['min']:.3g}{unit}"
    return f"{name} ≤ {row['max']:.3g}{unit}"


@contextmanager
def _quiet_pandas():
    """EMA 3.0 calls DataFrame.drop(inplace=True), deprecated in pandas 3.1: silence just that."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The inplace keyword", category=DeprecationWarning
        )
        yield


def prim_boxes(x: pd.DataFrame, y: np.ndarray, min_density: float, max_boxes: int):
    """Run PRIM; return [(stats dict, limits rows, trajectory DataFrame)] per box found."""
    prim = import_ema("analysis.prim")
    with _quiet_pandas():
        finder = prim.Prim(x, y.astype(bool))
    boxes = []
    for _ in range(max_boxes):
        with _quiet_pandas():
            box = finder.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory
        good = traj[traj["density"] >= min_density]
        if len(good):
            i = int(good.sort_values(["coverage", "density"], ascending=False).index[0])
        else:
            i = int(traj.sort_values(["density", "coverage"], ascending=False).index[0])
        if traj.loc[i, "density"] <= y.mean():  # no better than the average future: stop
            break
        box.select(i)
        limits = box_limits(box.box_lims[i], finder.box_init)
        stats = {
            "coverage": float(box.coverage),
            "density": float(box.density),
            "mass": float(box.mass),
            "restricted": len(limits),
            "step": i,
        }
        boxes.append((stats, limits, traj.copy()))
        if not limits:
            break
    return boxes


def _tradeoff(boxes) -> Figure:
    """Coverage against density along each PRIM peeling trajectory; the chosen boxes ringed."""
    fig = new_figure(6.5, 4.5)
    ax = fig.subplots()
    for k, (stats, _, traj) in enumerate(boxes):
        sc = ax.scatter(
            traj["coverage"],
            traj["density"],
            c=traj["res_dim"],
            cmap=SEQUENTIAL,
            s=14,
            marker="os^"[k % 3],
            label=f"box {k + 1} trajectory",
        )
        ax.scatter(
            [stats["coverage"]],
            [stats["density"]],
            s=120,
            facecolor="none",
            edgecolor=OKABE_ITO["vermillion"],
            linewidths=1.5,
        )
    fig.colorbar(sc, ax=ax, label="restricted parameters (number)")
    ax.set_xlabel("coverage: share of the successful futures inside the box (0–1)")
    ax.set_ylabel("density: share of futures in the box that succeed (0–1)")
    ax.set_title("PRIM peeling trajectories (ringed: chosen boxes)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def analyse(
    spec: ExperimentSpec,
    runs: pd.DataFrame,
    series: pd.DataFrame | None,
    folder: Path,
    factors: list[Factor],
) -> str:
    ok = ok_runs(runs)
    x = ok[[f.name for f in factors]].copy()
    for f in factors:
        if f.kind == "choice":
            x[f.name] = x[f.name].astype("category")
        else:  # integers too: EMA 3.0's pasting writes floats into int64 limits (pandas 3)
            x[f.name] = x[f.name].astype("float64")
    x = x.reset_index(drop=True)
    y = ok["target_met"].to_numpy() > 0.5
    base_rate = float(y.mean()) if len(y) else np.nan
    text = [
        f"Latin hypercube of {spec.options['samples']} futures over {len(factors)} parameters "
        f"(uncertainties and levers{DRAWN if spec.options.get('posterior') else ''}), "
        f"{spec.replications} run(s) each, base scenario "
        f"{spec.options['base']}. "
        + fill("{target} labelled parks by month {horizon}", scenario_params(spec.options["base"]))
        + " is reached in "
        f"{100 * base_rate:.0f}% of the {len(y)} futures. PRIM (EMA Workbench) looks for boxes "
        f"where it is reached more often (chosen: highest coverage with density ≥ "
        f"{spec.options['min_density']:.2f}).",
        "",
        "Coverage: share of all futures reaching 1,000 that lie in the box. Density: share of "
        "the futures in the box that reach 1,000. Mass: share of all futures in the box.",
        "",
    ]
    if y.sum() == 0 or y.all():
        return "\n".join([*text, "The outcome does not vary over the sample; no PRIM boxes."])
    boxes = prim_boxes(x, y, spec.options["min_density"], spec.options["max_boxes"])
    rows = []
    for k, (stats, limits, _) in enumerate(boxes, start=1):
        conditions = " and ".join(condition_text(r) for r in limits) or "anywhere"
        text += [
            f"**Box {k}.** 1,000 is reached in {100 * stats['density']:.0f}% of futures where "
            f"{conditions}. These futures are {100 * stats['mass']:.0f}% of all futures and "
            f"hold {100 * stats['coverage']:.0f}% of the futures that reach 1,000 "
            f"(coverage {stats['coverage']:.2f}, density {stats['density']:.2f}).",
            "",
        ]
        for r in limits:
            rows.append({"box": k, **stats, **r})
    table = pd.DataFrame(rows)
    table.to_csv(folder / "prim_boxes.csv", index=False)
    if len(table):
        shown = table[["box", "parameter", "min", "max", "allowed"]].astype(object)
        text += [markdown_table(shown.where(shown.notna(), "–"), ".3g"), ""]
    if boxes:
        text.append(f"![PRIM trade-off]({save(_tradeoff(boxes), folder, 'prim_tradeoff')})")
    return "\n".join(text)
