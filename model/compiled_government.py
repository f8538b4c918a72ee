"""Compiled twins of government steps that run every month (agents/subsidy.py), bit-identical.

- `award_grants` (twin of `subsidy.award_grants`, no draws): the waiting applicants of each
  province ranked by (programme park first, earliest application, smallest tie-break, park
  index), the first `grants left` of each province granted. numpy ranks all waiting parks with
  one `lexsort`; the kernel ranks only provinces whose pot cannot pay every applicant, by the
  same keys with stable sorts (least significant key first, as `lexsort`), so the granted set
  is the same. Paying (`subsidy.pay`) stays numpy.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from werklandschap.agents.park import Role, Stage
from werklandschap.agents.subsidy import NOT_APPLIED, grant_meur, pay
from werklandschap.model.compiled import _njit

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel

REGULAR, TRANSFORMING = int(Role.REGULAR), int(Stage.TRANSFORMING)


@_njit
def k_award(applied_month, subsidised, stage, province, tie, role, budget, grant, n_provinces):
    """The parks granted this month (index order); see the module docstring."""
    n = applied_month.size
    waiting = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if applied_month[i] != NOT_APPLIED and not subsidised[i] and stage[i] <= TRANSFORMING:
            waiting[k] = i
            k += 1
    waiting = waiting[:k]
    granted = np.zeros(n, np.bool_)
    if k == 0:
        return waiting
    count = np.zeros(n_provinces, np.int64)
    for i in waiting:
        count[province[i]] += 1
    for p in range(n_provinces):
        if count[p] == 0:
            continue
        # whole grants left, as numpy: floor(min((budget + 1e-9) / grant, waiting.size))
        fit = min((budget[p] + 1e-9) / grant, float(k))
        left = np.int64(math.floor(fit))
        if left <= 0:
            continue
        members = np.empty(count[p], np.int64)
        m = 0
        for i in waiting:
            if province[i] == p:
                members[m] = i
                m += 1
        if left >= m:
            for i in members:
                granted[i] = True
            continue
        keys_tie = tie[members]
        order = np.argsort(keys_tie, kind="mergesort")
        members = members[order]
        order = np.argsort(applied_month[members], kind="mergesort")
        members = members[order]
        regular = np.empty(m, np.int64)
        for j in range(m):
            regular[j] = 1 if role[members[j]] == REGULAR else 0
        order = np.argsort(regular, kind="mergesort")
        members = members[order]
        for j in range(left):
            granted[members[j]] = True
    return np.flatnonzero(granted)


def award_grants(model: WerklandschapModel) -> np.ndarray:
    """Twin of `subsidy.award_grants`: returns this month's recipients in park index order."""
    s, book = model.park_state, model.subsidy
    grant = grant_meur(model.params)
    if grant <= 0:
        return np.zeros(0, np.int64)
    granted = k_award(
        book.applied_month, s.subsidised, s.stage, model.park_province, book.tie, s.role,
        model.province_budget, float(grant), model.data.n_provinces,
    )  # fmt: skip
    if granted.size:
        pay(model, granted, grant)
    return granted


TWINS = {"award_grants": award_grants}
