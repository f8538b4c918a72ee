"""The programme's and the provinces' choices of parks inside the month loop.

Twins of `agents.province.choose_stimulated` (`choose_tranche`) and of the living labs' and
ambassadors' selection `Programme.select` under the "decision" rule without realised parks
(`choose_roles`, i.e. `green_deal.choose_by_package`), for the selection strategies that rank by
a score ("criteria", "spread": one province per group ranks as "criteria", and "central"), so
a tranche or selection month runs in the kernel like any other month (model/compiled_loop.py).
The "random" strategy, the "fixed" rule, realised parks and partner parks stay in Python.

Exactly the numpy rules' numbers and draws:
- the places per province are `largest_remainder` (Hamilton's method) over the weights (the
  members' park counts; the packages for labs and ambassadors, `green_deal.role_quota`): the
  same float expressions, the remainders ranked by a stable sort;
- one uniform per candidate of every province with a place, provinces in index order, the
  candidates in index order: `choose_parks_in_provinces`' single draw;
- each province's places go to its best candidates by descending score, ties by ascending
  uniform, then by position: `np.lexsort((tie_break, -score))`, here two stable sorts;
- the score is `selection.criteria_score` (the same sum in the same order) or the weighted
  degree.
tests/test_compiled_selection.py checks both against the numpy rules for every ranked strategy.
"""

from __future__ import annotations

import math

import numpy as np

from werklandschap.agents.green_deal import PACKAGE_A, PACKAGE_B
from werklandschap.agents.park import Driver, Role, Stage
from werklandschap.model.compiled import _inline, _njit

REGULAR, STIMULATED = int(Role.REGULAR), int(Role.STIMULATED)
LIVING_LAB = int(Role.LIVING_LAB)
UNAWARE, AWARE, ENGAGED = int(Stage.UNAWARE), int(Stage.AWARE), int(Stage.ENGAGED)
TRANSFORMING, LABELLED = int(Stage.TRANSFORMING), int(Stage.LABELLED)
NO_DRIVER = int(Driver.NONE)
#: The strategies the kernel ranks by (`selection_strategy`); "random" stays in Python.
RANKED = ("criteria", "spread", "central")


@_njit
def _largest_remainder(total, weights):
    """`selection.largest_remainder`: `total` split over groups in proportion to `weights`
    (whole numbers as floats: their sum and total * weight are exact in any order)."""
    share = np.zeros(weights.size, np.int64)
    weight_sum = weights.sum()
    if total <= 0 or weight_sum <= 0:
        return share
    fraction = np.empty(weights.size)
    for g in range(weights.size):
        exact = total * weights[g] / weight_sum
        share[g] = np.int64(math.floor(exact))
        fraction[g] = -(exact - share[g])
    order = np.argsort(fraction, kind="mergesort")
    for j in range(total - share.sum()):
        share[order[j]] += 1
    return share


@_njit
def _score(i, scores, organisation, central):
    """`selection.criteria_score` of park i (same terms, same order), or its weighted degree."""
    if central:
        return scores[4][i]
    challenge, earning_capacity, ambition, commitment = scores[:4]
    degree = organisation[i] / 3.0
    return (challenge[i] + earning_capacity[i] + ambition[i] + commitment[i] + degree) / 5


@_njit
def _best(candidates, tie_break, score, k):
    """The k best of `candidates` by descending score, ties by ascending tie-break, then by
    position: `np.lexsort((tie_break, -score))[:k]` (finite scores). A few of many (the usual
    case: a province's handful of places) are kept in a sorted list of k while the candidates
    are read once; otherwise two stable sorts."""
    n = candidates.size
    if 8 * k > n:
        order = np.argsort(tie_break, kind="mergesort")
        negative = np.empty(n)
        for j in range(n):
            negative[j] = -score[order[j]]
        order = order[np.argsort(negative, kind="mergesort")]
        return candidates[order[:k]]
    top = np.empty(k, np.int64)  # positions, best first
    size = 0
    for j in range(n):
        # j comes after every kept position: it goes before the first kept one it beats
        # (a higher score, or the same score and a lower tie-break); equal keys keep j after
        at = size
        while at > 0 and _beats(j, top[at - 1], score, tie_break):
            at -= 1
        if at >= k:
            continue
        for m in range(min(size, k - 1), at, -1):
            top[m] = top[m - 1]
        top[at] = j
        size = min(size + 1, k)
    return candidates[top[:size]]


@_inline
def _beats(a, b, score, tie_break):
    """Whether position a ranks strictly before position b (b earlier than a)."""
    if score[a] != score[b]:
        return score[a] > score[b]
    return tie_break[a] < tie_break[b]


@_njit
def _choose_in_provinces(rng, quota, province_parks, starts, stage, role, below, organisation,
                         scores, central):  # fmt: skip
    """`choose_parks_in_provinces` over each province's regular parks with a stage below
    `below` (index order), `quota[p]` places in province p: the chosen parks, provinces in
    order, best first; and the uniforms drawn. `province_parks[starts[p]:starts[p + 1]]`:
    province p's parks in index order; `scores` = (challenge, earning capacity, ambition,
    commitment, weighted degree)."""
    n_provinces = quota.size
    candidates = np.empty(stage.size, np.int64)
    group_end = np.zeros(n_provinces, np.int64)  # candidates of provinces up to p end here
    take = np.zeros(n_provinces, np.int64)
    c = 0
    for p in range(n_provinces):
        first = c
        if quota[p] > 0:
            for i in province_parks[starts[p] : starts[p + 1]]:
                if role[i] == REGULAR and stage[i] < below:
                    candidates[c] = i
                    c += 1
            take[p] = min(quota[p], c - first)
            if take[p] <= 0:  # a province without a candidate draws nothing
                c = first
        group_end[p] = c
    tie_break = np.empty(c)
    for j in range(c):
        tie_break[j] = rng.random()
    chosen = np.empty(take.sum(), np.int64)
    k = 0
    first = 0
    for p in range(n_provinces):
        if take[p] > 0:
            group = candidates[first : group_end[p]]
            score = np.empty(group.size)
            for j in range(group.size):
                score[j] = _score(group[j], scores, organisation, central)
            for i in _best(group, tie_break[first : group_end[p]], score, take[p]):
                chosen[k] = i
                k += 1
        first = group_end[p]
    return chosen, c


@_njit
def choose_tranche(rng, places, green_deal, province_parks, starts, stage, role, organisation,
                   scores, central):  # fmt: skip
    """`choose_stimulated(model, places)`: the stimulated parks of this tranche get their role;
    the unaware among them become aware (returned, in the order chosen, for the caller's stage
    counts; their months in stage and driver are the caller's to reset)."""
    weights = np.empty(green_deal.size)
    for p in range(green_deal.size):
        weights[p] = (starts[p + 1] - starts[p]) * (1.0 if green_deal[p] else 0.0)
    quota = _largest_remainder(places, weights)
    chosen, _ = _choose_in_provinces(rng, quota, province_parks, starts, stage, role,
                                     TRANSFORMING, organisation, scores, central)  # fmt: skip
    newly_aware = np.empty(chosen.size, np.int64)
    k = 0
    for i in chosen:
        role[i] = STIMULATED
        if stage[i] == UNAWARE:
            stage[i] = AWARE
            newly_aware[k] = i
            k += 1
    return newly_aware[:k]


@_njit
def choose_roles(rng, k, role_value, package, green_deal, province_parks, starts, stage, role,
                 organisation, scores, central):  # fmt: skip
    """`choose_by_package(model, role_value, eligible, k, no pinned parks)`: k labs or
    ambassadors, their quota per province by package (`green_deal.role_quota`), chosen among
    regular, not labelled parks. Returns (the chosen, in order; the uniforms drawn); nothing is
    changed (the caller gives the role and commits them, `Programme.select`)."""
    n_provinces = green_deal.size
    weights = np.zeros(n_provinces)
    for p in range(n_provinces):
        kind = package[p] if green_deal[p] else 0
        if role_value == LIVING_LAB:
            weights[p] = 1.0 if kind == PACKAGE_A else 0.0
        else:
            weights[p] = 2.0 * (kind == PACKAGE_A) + 1.0 * (kind == PACKAGE_B)
    if weights.sum() <= 0:  # no such member: all members in proportion to their parks
        for p in range(n_provinces):
            weights[p] = (starts[p + 1] - starts[p]) * (1.0 if green_deal[p] else 0.0)
    quota = _largest_remainder(k, weights)
    return _choose_in_provinces(rng, quota, province_parks, starts, stage, role, LABELLED,
                                organisation, scores, central)  # fmt: skip
