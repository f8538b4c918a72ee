"""The report text of a compare experiment: the scenario and effects tables as shown, and the
headline that lists every scenario by the sign of its effect (numbers from analysis/compare.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from werklandschap.experiments.analysis.common import markdown_table, month_text
from werklandschap.experiments.analysis.compare import (
    LOWERING,
    MIXED,
    RAISING,
    UNCLEAR,
    stat_columns,
)
from werklandschap.model.outcome_spec import fill


def shown_scenarios(table: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """The scenario table as the report shows it (rounded, intervals as text)."""
    target, year = fill("{target}", params), fill("{horizon_year}", params)
    col = stat_columns(params)
    return pd.DataFrame(
        {
            "scenario": table["scenario"],
            "runs": table["runs"],
            f"labelled {year}: mean": table[col["mean"]].round(0),
            "median": table[col["median"]].round(0),
            "90% interval": [
                f"{a:,.0f}–{b:,.0f}"
                for a, b in zip(table[col["p5"]], table[col["p95"]], strict=True)
            ],
            f"P(≥{target} by {year}) [95% CI]": [
                _proportion(p, a, b)
                for p, a, b in zip(
                    table["p_target"], table["p_target_low"], table["p_target_high"], strict=True
                )
            ],
            f"median month {target} (KM)": [month_text(m) for m in table[col["km"]]],
            "P(self-sustaining) [95% CI]": [
                _proportion(p, a, b, n)
                for p, a, b, n in zip(
                    table["p_self_sustaining"],
                    table["p_self_sustaining_low"],
                    table["p_self_sustaining_high"],
                    table["self_sustaining_judged"],
                    strict=True,
                )
            ],
        }
    )


def shown_effects(effects: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """The effects table as the report shows it (pp and parks with their intervals)."""
    target, year = fill("{target}", params), fill("{horizon_year}", params)
    return pd.DataFrame(
        {
            "scenario": effects["scenario"],
            "effect": effects["direction"],
            f"ΔP(≥{target}) [95% CI]": [
                f"{100 * d:+.0f} pp [{100 * a:+.0f}, {100 * b:+.0f}]"
                for d, a, b in zip(
                    effects["delta_p"], effects["delta_p_low"], effects["delta_p_high"], strict=True
                )
            ],
            "runs met: scenario only / baseline only": [
                f"{s} / {b}"
                for s, b in zip(
                    effects["met_in_scenario_only"], effects["met_in_baseline_only"], strict=True
                )
            ],
            f"Δ labelled {year} [95% CI]": [
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


def effects_section(table, effects, baseline: str, params: dict[str, Any]) -> list[str]:
    """The report lines of the effects against the baseline (none when there are none)."""
    if not len(effects):
        return []
    p_target = fill("P(≥{target} by {horizon_year})", params)
    return [
        f"### Effects against {baseline}",
        "",
        "Each replication pairs a scenario with the baseline (same seed). ΔP: change in "
        f"{p_target} in percentage points (pp), with Newcombe's hybrid score interval for "
        "paired proportions (Newcombe 1998, method 10), which uses the discordant pairs "
        "(runs that meet the target in one of the two only). Δ labelled: mean paired "
        "difference in labelled parks with a Student t interval. Effect: raising (lowering) "
        "when either interval lies above (below) zero; no clear effect when both include "
        "zero; mixed when they disagree.",
        "",
        markdown_table(shown_effects(effects, params)),
        "",
        _headline(table, effects, baseline, params),
        "",
    ]


def _proportion(p: float, low: float, high: float, n: int | None = None) -> str:
    """'0.90 [0.60, 0.98]' (and ' (n = 10)'); '–' when undefined."""
    if not np.isfinite(p):
        return "–"
    text = f"{p:.2f} [{low:.2f}, {high:.2f}]"
    return text + (f" (n = {n})" if n is not None else "")


def _headline(
    table: pd.DataFrame, effects: pd.DataFrame, baseline: str, params: dict[str, Any]
) -> str:
    """The report's summary: the baseline's chance, then every scenario listed by sign."""
    target, year = fill("{target}", params), fill("{horizon_year}", params)
    base = table.set_index("scenario").loc[baseline]
    col = stat_columns(params)
    text = (
        f"**In short:** under {baseline}, {target} labelled parks by the end of {year} is reached "
        f"in {base['p_target']:.0%} of replications (95% CI {base['p_target_low']:.0%}–"
        f"{base['p_target_high']:.0%}; mean {base[col['mean']]:,.0f} labelled). "
    )

    def listed(rows: pd.DataFrame) -> str:
        return ", ".join(
            f"{r.scenario} ({100 * r.delta_p:+.0f} pp, {r.delta_labelled:+,.0f} parks)"
            for r in rows.itertuples()
        )

    for sign, words in (
        (RAISING, "Raising the outcome"),
        (LOWERING, "Lowering it"),
        (MIXED, "Mixed (the two changes disagree)"),
    ):
        rows = effects[effects["direction"] == sign]
        if sign == LOWERING:  # largest drop first
            rows = rows.sort_values(["delta_labelled", "delta_p"])
        if len(rows):
            text += f"{words}: {listed(rows)}. "
    if base[col["p5"]] < float(params["target_parks"]) < base[col["p95"]]:
        text += (f"Note: the baseline's 90% interval ({base[col['p5']]:,.0f}–"
                 f"{base[col['p95']]:,.0f}) straddles {target}, so P(≥{target}) reacts "
                 "strongly to small shifts and saturates at 1; Δ labelled shows the size of an "
                 "effect. ")  # fmt: skip
    rest = effects[effects["direction"] == UNCLEAR]
    if len(rest):
        text += "No clear effect (both intervals include 0): " + ", ".join(rest["scenario"]) + "."
    return text.strip()
