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
    if strategy != "spread":
        return candidates[best_first(score, tie_break, k)]
    order = np.lexsort((tie_break, -score))  # best first
    # Round robin over provinces: rank of each park within its province, then by that rank.
    ranked = candidates[order]
    province = model.park_province[ranked]
    rank_in_province = np.zeros(ranked.size, int)
    for prov in np.unique(province):
        where = np.flatnonzero(province == prov)
        rank_in_province[where] = np.arange(where.size)
    return ranked[np.argsort(rank_in_province, kind="stable")[:k]]


def best_first(score: np.ndarray, tie_break: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best items by descending `score`, ties by ascending `tie_break`, best
    first: exactly `np.lexsort((tie_break, -score))[:k]` (0 < k <= score.size).

    Why not that: k is a handful of the candidates (labs, ambassadors, a province's stimulated
    places), and a full two-key sort of thousands costs far more than the choice. The k best
    all score at least the k-th largest score (at least k items score that much, and any item
    scoring less comes after all of them), so only those are sorted, in index order as lexsort
    keeps equal keys.
    """
    n = score.size
    near = np.flatnonzero(score >= np.partition(score, n - k)[n - k]) if k < n else np.arange(n)
    return near[np.lexsort((tie_break[near], -score[near]))][:k]


def choose_parks_in_provinces(
    model: WerklandschapModel, groups: list[np.ndarray], ks: np.ndarray
) -> list[np.ndarray]:
    """`[choose_parks(model, groups[i], ks[i]) for i ...]` with one draw and one score: the same
    draws in the same order, the same parks in the same order. Each group holds the candidates
    (park indices) of one province, so "spread" ranks them as "criteria" does (one province: no
    round robin).

    Why: a tranche chooses in every member province; PCG64's `random(a)` then `random(b)`
    equals `random(a + b)`, so drawing all tie-breaks at once changes no draw.
    """
    strategy = model.params["selection_strategy"]
    if strategy not in ("criteria", "spread", "central"):
        return [choose_parks(model, g, int(k)) for g, k in zip(groups, ks, strict=True)]
    out = [g[:0] for g in groups]
    take = [min(int(k), g.size) for g, k in zip(groups, ks, strict=True)]
    live = [i for i, k in enumerate(take) if k > 0]  # choose_parks draws nothing for the rest
    if not live:
        return out
    candidates = np.concatenate([groups[i] for i in live])
    tie_break = model.rng.random(candidates.size)
    if strategy == "central":
        score = model.network.park_degree[candidates]
    else:
        score = criteria_score(model)[candidates]
    sizes = np.array([groups[i].size for i in live])
    picked = best_in_groups(score, tie_break, sizes, np.array([take[i] for i in live]))
    for i, positions in zip(live, picked, strict=True):
        out[i] = candidates[positions]
    return out


def best_in_groups(
    score: np.ndarray, tie_break: np.ndarray, sizes: np.ndarray, ks: np.ndarray
) -> list[np.ndarray]:
    """Per group of consecutive items (`sizes`), the positions (into the whole arrays) of its
    ks[g] best by descending `score`, ties by ascending `tie_break`, best first: exactly
    `best_first` of each group's slice (0 < ks[g] <= sizes[g]).

    How, with one sort for all groups: a group's best all score at least its ks[g]-th largest
    score (the argument of `best_first`), so one sort of those near items by (group, score,
    tie-break), in index order, holds every group's best at the head of its part.
    """
    bounds, start = [], 0
    for size, k in zip(sizes.tolist(), ks.tolist(), strict=True):
        part = score[start : start + size]
        bounds.append(np.partition(part, size - k)[size - k] if k < size else -np.inf)
        start += size
    group = np.repeat(np.arange(sizes.size), sizes)
    near = np.flatnonzero(score >= np.array(bounds)[group])
    near = near[np.lexsort((tie_break[near], -score[near], group[near]))]
    counts = np.bincount(group[near], minlength=sizes.size)
    heads = (np.cumsum(counts) - counts).tolist()
    return [near[head : head + k] for head, k in zip(heads, ks.tolist(), strict=True)]


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
