"""Compiled twins of government steps that run every month (agents/subsidy.py), bit-identical.

- `award_grants` (twin of `subsidy.award_grants`, no draws): the waiting applicants of each
  province ranked by (programme park first, earliest application, smallest tie-break, park
  index), the first `grants left` of each province granted. numpy ranks all waiting parks with
  one `lexsort`; the kernel ranks only provinces whose pot cannot pay every applicant, by the
  same keys with stable sorts (least significant key first, as `lexsort`), so the granted set
  is the same. Paying (`subsidy.pay`) stays numpy.
- `take_applications` (twin of `subsidy.take_applications`): the parks that may apply by a
  kernel, one uniform each drawn in Python (`model.rng.random(k)`, park index order), the
  applications booked by a second kernel (`u < rate`, tie-break `u / rate`).
- `municipalities_decide` (twin of `green_deal.municipalities_decide`): the invitations (the
  programme's static order: most parks first, then file order), local uptake and hazard of every
  open municipality by a kernel; the draws (one per deciding municipality, index order) and the
  comparison `u < -expm1(-hazard)` in numpy, as the reference.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from werklandschap.agents.park import Role, Stage
from werklandschap.agents.subsidy import NOT_APPLIED, grant_meur, pay
from werklandschap.model.compiled import _njit
from werklandschap.model.data import NationalData

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel

REGULAR, AWARE, TRANSFORMING = int(Role.REGULAR), int(Stage.AWARE), int(Stage.TRANSFORMING)


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


@_njit
def k_may_apply(stage, applied_month, green_deal, province):
    """Parks that may apply for the subsidy (aware to transforming, not applied, in a Green Deal
    province), in index order."""
    out = np.empty(stage.size, np.int64)
    k = 0
    for i in range(stage.size):
        st = stage[i]
        if (
            AWARE <= st <= TRANSFORMING
            and applied_month[i] == NOT_APPLIED
            and green_deal[province[i]]
        ):
            out[k] = i
            k += 1
    return out[:k]


@_njit
def k_book_applications(parks, u, rate, month, applied_month, tie):
    """Applications of the parks whose uniform is below `rate`, tie-break u / rate."""
    for j in range(parks.size):
        if u[j] < rate:
            applied_month[parks[j]] = month
            tie[parks[j]] = u[j] / rate


def take_applications(model: WerklandschapModel) -> None:
    """Twin of `subsidy.take_applications`: one uniform per park that may apply."""
    s, book = model.park_state, model.subsidy
    parks = k_may_apply(s.stage, book.applied_month, model.province_green_deal, model.park_province)
    rate = float(model.params["subsidy_application_rate"])
    u = model.rng.random(parks.size)
    k_book_applications(parks, u, rate, model.month, book.applied_month, book.tie)


@_njit
def k_partner_hazard(
    town, stage, parks, order, open_, missing, invite_rate, uptake_rate, moving_stage
):  # fmt: skip
    """`green_deal.municipalities_decide` up to its draws: the open municipalities with a
    positive hazard (index order) and their hazards (invitation + local uptake)."""
    n = parks.size
    invited = np.zeros(n, np.bool_)
    taken = 0
    for j in range(n):
        if taken >= missing:
            break
        if open_[order[j]]:
            invited[order[j]] = True
            taken += 1
    taking = np.zeros(n, np.int64)
    for i in range(stage.size):
        if stage[i] >= moving_stage:
            taking[town[i]] += 1
    deciding = np.empty(n, np.int64)
    hazard = np.empty(n)
    k = 0
    for t in range(n):
        uptake = taking[t] / parks[t] if parks[t] > 0 else 0.0
        h = invite_rate * (1.0 if invited[t] else 0.0) + uptake_rate * uptake
        if open_[t] and h > 0:
            deciding[k] = t
            hazard[k] = h
            k += 1
    return deciding[:k], hazard[:k]


_INVITATION_ORDER: dict[int, tuple[NationalData, np.ndarray, np.ndarray]] = {}


def _invitation_order(data: NationalData) -> tuple[np.ndarray, np.ndarray]:
    """Parks per municipality and the programme's invitation order (as `green_deal.invited`),
    static, computed once per data set."""
    known = _INVITATION_ORDER.get(id(data))
    if known is None or known[0] is not data:
        parks = np.bincount(data.park_municipality, minlength=data.n_municipalities)
        known = (data, parks, np.lexsort((np.arange(parks.size), -parks)))
        _INVITATION_ORDER[id(data)] = known
    return known[1], known[2]


def municipalities_decide(model: WerklandschapModel) -> None:
    """Twin of `green_deal.municipalities_decide`."""
    p, data = model.params, model.data
    parks, order = _invitation_order(data)
    open_ = model.province_green_deal[data.municipality_province] & ~model.municipality_partner
    missing = p["partner_municipalities"] - int(model.municipality_partner.sum())
    deciding, hazard = k_partner_hazard(
        data.park_municipality, model.park_state.stage, parks, order, open_,
        max(int(missing), 0), float(p["partner_invite_rate"]), float(p["partner_uptake_rate"]),
        TRANSFORMING,
    )  # fmt: skip
    if deciding.size == 0:
        return
    draws = model.rng.random(deciding.size)  # one per deciding municipality, in index order
    joining = deciding[draws < -np.expm1(-hazard)]
    if joining.size:
        model.municipality_partner[joining] = True
        model.municipality_partner_month[joining] = model.month
        model.partners_changed()


TWINS = {
    "award_grants": award_grants,
    "take_applications": take_applications,
    "municipalities_decide": municipalities_decide,
}
