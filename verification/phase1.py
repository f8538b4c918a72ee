"""Phase-1 selection check: where do the real phase-1 parks rank by the model's criteria score?

The programme's first parks are named in public sources (IBIS rin in brackets): Lage Weide,
Utrecht (155053), living lab; Nieuw Overvecht, Utrecht (155006), and Ambacht/Nijverkamp,
Veenendaal (4944), ambassadors; all in the province of Utrecht. The model's "criteria"
selection (agents/selection.py `criteria_score`) averages challenge, earning capacity, ambition,
commitment and degree of organisation. Only earning capacity (the rank of net hectares) is data;
the rest is drawn per run, so the rank of a park among the parks of its province is a random
variable: this module draws it over many seeds (the park population of the baseline at month 0,
replication stream `seeds.replication(seed, k)`) and reports, per park, the median rank (1 =
highest score), its 5-95% range, the median percentile (share of the province's parks with a
lower score) and how often the park is in the province's top decile.

Reading: if the programme chose by criteria like the model's, the real parks should rank high
(percentile well above 50); a percentile near 50 means the model's criteria do not explain the
real choice (it looks random with respect to them). This is a check of the selection rule against
data, not a calibration: nothing is fitted.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

import numpy as np
import pandas as pd

from werklandschap.agents.selection import criteria_score
from werklandschap.model import seeds
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.scenario import load_scenario

#: The real phase-1 parks (IBIS rin -> name and role), source: EVIDENCE.md (design notes).
PHASE1_PARKS: Mapping[int, tuple[str, str]] = {
    155053: ("Lage Weide (Utrecht)", "living lab"),
    155006: ("Nieuw Overvecht (Utrecht)", "ambassador"),
    4944: ("Ambacht/Nijverkamp (Veenendaal)", "ambassador"),
}
TOP_SHARE = 0.10  # "top decile" of the province's parks


def ranks_in_group(score: np.ndarray, group: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Rank (1 = highest score) of each of `items` (indices) among the indices with its group.

    Ties count against the park (a tie with a better-ranked park does not raise its rank), which
    matters little: the score is continuous.
    """
    return np.array(
        [1 + int(np.sum((group == group[i]) & (score > score[i]))) for i in items], dtype=int
    )


def one_draw(model: WerklandschapModel, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks of `items` in their provinces and the size of each province, at month 0."""
    score = criteria_score(model)
    province = model.park_province
    sizes = np.array([int(np.sum(province == province[i])) for i in items])
    return ranks_in_group(score, province, items), sizes


def phase1_check(draws: int = 200, seed: int = 2026, scenario: str = "baseline") -> pd.DataFrame:
    """Per phase-1 park: median rank, 5-95% rank range, median percentile and the share of draws
    in its province's top decile, over `draws` park populations (see module docstring)."""
    base = load_scenario(scenario)
    first = WerklandschapModel(base, rng=seeds.replication(seed, 0), park_agents=False)
    rins = np.array(list(PHASE1_PARKS))
    where = {int(r): np.flatnonzero(first.data.park_id == r) for r in rins}
    missing = [r for r, hit in where.items() if hit.size != 1]
    if missing:
        raise ValueError(f"phase-1 park(s) not found once in the park data: {missing}")
    items = np.array([where[int(r)][0] for r in rins])
    ranks = np.empty((draws, items.size), int)
    for k in range(draws):
        model = (
            first
            if k == 0
            else WerklandschapModel(base, rng=seeds.replication(seed, k), park_agents=False)
        )
        ranks[k], sizes = one_draw(model, items)
    percentile = 100.0 * (sizes - ranks) / np.maximum(sizes - 1, 1)
    province = np.asarray(first.data.province_name)[first.park_province[items]]
    size_rank = ranks_in_group(first.data.park_ha_net, first.park_province, items)
    return pd.DataFrame(
        {
            "rin": rins,
            "park": [PHASE1_PARKS[int(r)][0] for r in rins],
            "role": [PHASE1_PARKS[int(r)][1] for r in rins],
            "province": province,
            "province_parks": sizes,
            "median_rank": np.median(ranks, axis=0),
            "rank_q05": np.quantile(ranks, 0.05, axis=0),
            "rank_q95": np.quantile(ranks, 0.95, axis=0),
            "median_percentile": np.median(percentile, axis=0),
            "share_top_decile": np.mean(ranks <= np.ceil(TOP_SHARE * sizes), axis=0),
            # The data part of the score alone: percentile by net hectares in the province.
            "size_percentile": 100.0 * (sizes - size_rank) / np.maximum(sizes - 1, 1),
            "draws": draws,
        }
    )


def markdown(table: pd.DataFrame) -> str:
    """The table and one sentence for docs/validation.md."""
    lines = [
        "| park (IBIS rin) | role | rank in province (median, 5-95%) | median percentile "
        "| share of draws in top 10% | percentile by net hectares alone |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.park} ({row.rin}) | {row.role} | {row.median_rank:.0f} of "
            f"{row.province_parks} ({row.rank_q05:.0f}-{row.rank_q95:.0f}) | "
            f"{row.median_percentile:.0f} | {row.share_top_decile:.0%} | "
            f"{row.size_percentile:.0f} |"
        )
    mean_pct = float(table["median_percentile"].mean())
    verdict = (
        "rank high, consistent with a choice by the model's criteria"
        if mean_pct >= 75
        else "do not stand out, so the model's criteria explain the real choice only weakly"
        if mean_pct < 60
        else "rank above the middle but not at the top"
    )
    lines += [
        "",
        f"Over {int(table['draws'].iloc[0])} park populations, the real phase-1 parks "
        f"(mean median percentile {mean_pct:.0f}) {verdict}. Net hectares (earning "
        "capacity) are the only data in the score; the other criteria are drawn per run, so a "
        "high rank also reflects the parks' size.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the check as markdown (`python -m werklandschap.verification.phase1`)."""
    parser = argparse.ArgumentParser(description="Phase-1 selection check")
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    print(markdown(phase1_check(args.draws, args.seed)), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
