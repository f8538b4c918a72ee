"""The table "What the rungs do now" of docs/ODD.md §7.7, regenerated from the model.

    .venv/bin/python docs/ladder_effects.py            # prints the markdown rows (about a minute)

Baseline against each rung switched off, 30 seeds with common random numbers (seed 2026, the
replication seeds of `werklandschap run`), mean paired difference with the standard deviation of
the paired differences in brackets. tests/test_ladder.py checks each effect with tolerances.
"""

from __future__ import annotations

import numpy as np

from werklandschap.model.scenario import load_scenario
from werklandschap.runs.runs import run_replications

SEEDS = 30
SEED = 2026
RUNGS = {
    "living labs (`n_living_labs` 0)": ({"n_living_labs": 0}, "maturity_at_horizon"),
    "ambassadors (`n_ambassadors` 0)": ({"n_ambassadors": 0}, "label_month"),
    "stimulated parks (`n_stimulated` 0)": ({"n_stimulated": 0}, "labelled_at_horizon"),
    "Green Deals (`green_deal_provinces` 0)": ({"green_deal_provinces": 0}, "labelled_at_horizon"),
    "partner municipalities (0)": ({"partner_municipalities": 0}, "labelled_at_horizon"),
    "selection by criteria (random instead)": (
        {"selection_strategy": "random"},
        "labelled_at_horizon",
    ),
    "programme trajectory (`trajectory_speedup` 0)": ({"trajectory_speedup": 0.0}, "label_month"),
}


def summaries(overrides: dict) -> list[dict]:
    """Summary outcomes of the baseline with `overrides`, one per replication."""
    scenario = load_scenario("baseline").with_params(**overrides)
    return [r.summary() for r in run_replications(scenario, SEED, SEEDS)]


def column(rows: list[dict], name: str) -> np.ndarray:
    return np.array([row[name] for row in rows], dtype=float)


def main() -> None:
    base = summaries({})
    print("| rung switched off | its own outcome | effect (sd) | labelled parks, end 2031 (sd) |")
    print("|---|---|---|---|")
    for label, (overrides, name) in RUNGS.items():
        rows = summaries(overrides)
        diff = column(rows, name) - column(base, name)
        lab = column(rows, "labelled_at_horizon") - column(base, "labelled_at_horizon")
        where = "every seed" if (lab < 0).all() else f"{np.mean(lab < 0):.0%} of seeds"
        print(
            f"| {label} | `{name}` | {diff.mean():+.3g} ({diff.std(ddof=1):.2g}) "
            f"| {lab.mean():+.0f} ({lab.std(ddof=1):.0f}), fewer in {where} |"
        )


if __name__ == "__main__":
    main()
