"""How the programme and the provinces choose parks (labs, ambassadors, stimulated parks).

The selection strategy is a lever (`selection_strategy`):
- "criteria": the programme's published criteria — largest future-proofness challenge, earning
  capacity, ambition, commitment and degree of organisation — averaged into one score;
- "random": uniformly at random among the candidates;
- "spread": by criteria, but taking the best park of each province in turn (round robin);
- "central": the parks with the largest weighted network degree (most peers to influence).
Ties are broken at random (seeded), so equal scores never depend on file order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel


def criteria_score(model: WerklandschapModel) -> np.ndarray:
    """The programme's selection score of every park (0-1)."""
    s = model.park_state
    organisation_degree = s.organisation / 3.0
    return (s.challenge + s.earning_capacity + s.ambition + s.commitment + organisation_degree) / 5


def choose_parks(model: WerklandschapModel, candidates: np.ndarray, k: int) -> np.ndarray:
    """Indices of k parks among `candidates` (park indices), by the scenario's strategy."""
    k = min(k, candidates.size)
    if k <= 0:
        return candidates[:0]
    strategy = model.params["selection_strategy"]
    tie_break = model.rng.random(candidates.size)
    if strategy == "random":
        return candidates[np.argsort(tie_break)[:k]]
    if strategy == "central":
        score = model.network.park_degree[candidates]
    else:
        score = criteria_score(model)[candidates]
    order = np.lexsort((tie_break, -score))  # best first
    if strategy != "spread":
        return candidates[order[:k]]
    # Round robin over provinces: rank of each park within its province, then by that rank.
    ranked = candidates[order]
    province = model.park_province[ranked]
    rank_in_province = np.zeros(ranked.size, int)
    for prov in np.unique(province):
        where = np.flatnonzero(province == prov)
        rank_in_province[where] = np.arange(where.size)
    return ranked[np.argsort(rank_in_province, kind="stable")[:k]]


def rank_within_groups(groups: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Rank (0 = first) of each item in its group, by descending priority (0 <= priority < 4)."""
    order = np.argsort(groups * 4.0 - priority)
    sorted_groups = groups[order]
    ranks = np.empty(groups.size, np.int64)
    ranks[order] = np.arange(groups.size) - np.searchsorted(sorted_groups, sorted_groups)
    return ranks


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total over groups in proportion to weights (Hamilton's method)."""
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(weights.size, int)
    exact = total * weights / weights.sum()
    share = np.floor(exact).astype(int)
    remainder = total - share.sum()
    share[np.argsort(-(exact - share), kind="stable")[:remainder]] += 1
    return share
