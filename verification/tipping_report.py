"""The "Does it tip?" section of the validation report: the counterfactual measures of docs/ODD.md
§7.9 over replications, with intervals, and the verdict they give.

For each scenario: the share of runs that are self-sustaining (Wilson 95% interval), and the two
continuous quantities behind it — `peer_carried_share` (the share of the label growth after
support stops that the seed-matched twin without peers lacks) and `engagement_trend` (engagements
in the last 12 months over the first 12 after support) — as means with 90% intervals over
replications. The thresholds come from each run's parameters.
"""

from __future__ import annotations

import numpy as np

from werklandschap.model.outcomes import RunResult
from werklandschap.runs.stats import wilson


def _mean_interval(values: np.ndarray) -> str:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return "–"
    low, high = np.percentile(values, [5, 95])
    return f"{values.mean():.2f} ({low:.2f}–{high:.2f})"


def tipping_row(name: str, results: list[RunResult]) -> tuple[str, float]:
    """One table row and the share of self-sustaining runs (NaN when none can be judged)."""
    rows = [r.summary() for r in results]
    judged = [s["self_sustaining"] for s in rows if np.isfinite(s["self_sustaining"])]
    sustaining = int(np.sum(judged))
    low, high = wilson(sustaining, len(judged))
    share = sustaining / len(judged) if judged else np.nan
    carried = np.array([s["peer_carried_share"] for s in rows], float)
    trend = np.array([s["engagement_trend"] for s in rows], float)
    text = (
        f"| {name} | {sustaining} of {len(judged)} ({share:.0%}; 95% CI {low:.0%}–{high:.0%}) "
        f"| {_mean_interval(carried)} | {_mean_interval(trend)} |"
    )
    return text, share


def tipping_section(scenarios: dict[str, list[RunResult]]) -> list[str]:
    """Markdown lines: the table per scenario and a one-sentence verdict for the first one."""
    params = next(iter(scenarios.values()))[0].params
    lines = [
        "## Does it tip?",
        "",
        "Self-sustaining by the seed-matched twin test (docs/ODD.md §7.9): at the end of support "
        "each run is forked into the run as is and a twin with every peer channel switched off; "
        f"it is self-sustaining when peers carry at least {params['sustain_peer_share']:.0%} of "
        "the label growth after support (`peer_carried_share`) and monthly engagements do not "
        f"fall below {params['sustain_engagement_ratio']:.0%} of their level just after support "
        "(`engagement_trend`). Means with 90% intervals over replications.",
        "",
        "| scenario | self-sustaining runs | peer-carried share of growth | engagement trend |",
        "|---|---|---|---|",
    ]
    verdicts = {}
    for name, results in scenarios.items():
        row, verdicts[name] = tipping_row(name, results)
        lines.append(row)
    first, share = next(iter(verdicts.items()))
    verdict = (
        "does not tip: after support stops, peers carry too little of the growth"
        if share == 0
        else "tips in every run"
        if share == 1
        else f"tips in {share:.0%} of the runs"
    )
    lines += [
        "",
        f"**The {first} {verdict}** by this test. A scenario whose support ends at the start "
        "(no_programme) is judged by the same rule: there all growth after month 0 comes from "
        "the parks themselves, so it is self-sustaining whenever that growth is peer-carried. "
        "The critical-mass experiment (`werklandschap experiment critical_mass`) asks the "
        "complementary question: does final adoption jump as support grows, and stay when it is "
        "withdrawn?",
        "",
    ]
    return lines
