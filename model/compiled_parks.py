"""Compiled twins of park rules 2–6 (engagement, organisation, planning, transformation,
stalling), following the issue-13 mechanisms; bit-identical to agents/park.py and
agents/organising.py (tests/test_compiled.py).

Same conventions as model/compiled.py: a kernel never draws; its twin draws the uniforms ahead
(`compiled._uniforms`), the kernel consumes them in the numpy rule's order and returns how many
it used, and the stream is moved back by the rest (`compiled._give_back`). Arithmetic follows
the numpy expressions operation by operation (a bool times a float is the float times 1.0 or
0.0, as numpy computes it).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from werklandschap.agents.decision import ADOPTING_VALUE
from werklandschap.agents.organising import BIZ_MAJORITY, BIZ_TURNOUT, biz_support_active
from werklandschap.agents.park import N_DRIVERS, MonthStart, Organisation, ParkState, Stage
from werklandschap.model.compiled import _gap, _give_back, _njit, _share, _uniforms

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel

NONE, ASSOCIATION = int(Organisation.NONE), int(Organisation.ASSOCIATION)
PARK_MANAGEMENT, BIZ = int(Organisation.PARK_MANAGEMENT), int(Organisation.BIZ)
AWARE, ENGAGED, TRANSFORMING = int(Stage.AWARE), int(Stage.ENGAGED), int(Stage.TRANSFORMING)


@_njit
def k_engagement(
    aware, u, local, province, town, own_motive, threshold, subsidised, programme, has_programme,
    permit_event, province_signal, support_offer, regulation_push, params, stage, driver,
):  # fmt: skip
    """Rule 2 per deciding park (`_candidates`; utility summed in the numpy rule's order; the
    permit event sets the regulation term and the forced rate 1); `params` = (peer_weight,
    subsidy_offer, role_support, cost, engage_rate, decision_noise). Sets stage and driver of
    the newly engaged; returns them, their credits (n, N_DRIVERS) as `regulation.event_credit`
    computes them, and the uniforms used."""
    peer_weight, subsidy_offer, role_support, cost, base, noise = params
    candidates, used = _candidates(aware, u, permit_event, base)
    n = candidates.size
    new = np.empty(n, np.int64)
    credit = np.zeros((n, N_DRIVERS))
    k = 0
    for c in range(n):
        j = candidates[c]
        i = aware[j]
        peer = peer_weight * local[j] + province_signal[province[i]]
        support = support_offer[town[i]] + subsidy_offer * (1.0 if subsidised[i] else 0.0)
        if has_programme:
            support = support + role_support * (1.0 if programme[i] else 0.0)
        binding = permit_event[i]
        regulation = regulation_push[town[i]] if binding else 0.0
        rate = 1.0 if binding else base
        utility = own_motive[i] + peer + support + regulation - cost
        theta = threshold[i]
        logistic = 1.0 / (1.0 + math.exp(-((utility - theta) / noise)))
        chance = rate * logistic
        if u[used + c] < logistic:
            stage[i] = ENGAGED
            _credit(credit[k], chance, (support, peer, regulation), utility, theta, rate, base,
                    noise)  # fmt: skip
            best = 1
            for d in range(2, N_DRIVERS):  # not `c`: the loop over the deciding parks
                if credit[k, d] > credit[k, best]:  # first maximum, as argmax
                    best = d
            driver[i] = best
            new[k] = i
            k += 1
    return new[:k], credit[:k], used + n


@_njit
def _candidates(aware, u, permit_event, base):
    """`park.engagement_draws`' parks from uniforms drawn ahead: the successes of the trials at
    `base` over all of `aware` (by their gaps, `_gap`), then the parks at a permit event that
    are not successes (positions in `aware`); returns them and the uniforms used for the gaps
    (the candidates' own uniforms follow, one each in this order)."""
    n = aware.size
    candidates = np.empty(n, np.int64)
    k = used = 0
    if n > 0 and base > 0.0:
        log_q = math.log1p(-base) if base < 1.0 else -math.inf
        position = _gap(u[0], log_q)
        used = 1
        while position < n:
            candidates[k] = position
            k += 1
            position += 1 + _gap(u[used], log_q)
            used += 1
    trials = k
    t = 0
    for j in range(n):  # the events that are not successes, in order (both lists ascend)
        while t < trials and candidates[t] < j:
            t += 1
        if permit_event[aware[j]] and not (t < trials and candidates[t] == j):
            candidates[k] = j
            k += 1
    return candidates[:k], used


@_njit
def _credit(out, chance, terms, utility, theta, rate, base, noise):
    """`event_credit` of one engagement: programme and peers removed at the park's rate,
    regulation and the intrinsic counterfactual at `engage_rate` (columns = Driver)."""
    for c in range(3):
        r = rate if c < 2 else base
        x = ((utility - terms[c]) - theta) / noise
        without = r * (1.0 / (1.0 + math.exp(-x)))
        out[2 + c] = min(max(1.0 - without / chance, 0.0), 1.0)
    x = ((utility - ((terms[0] + terms[1]) + terms[2])) - theta) / noise
    alone = base * (1.0 / (1.0 + math.exp(-x)))
    out[1] = min(max(alone / chance, 0.0), 1.0)


@_njit
def k_organise(
    engaged, u, organisation, province, commitment, biz_vote_month, speed, organisation_factor,
    support_active, params, month,
):  # fmt: skip
    """Rule 3 (agents/organising.py): organic BIZ (trials over the parks without a BIZ, index
    order, by their gaps: `_gap`), the type choice (one per concerned engaged park, in
    `engaged` order), the BIZ votes (one per voter, same order); `params` =
    (biz_formation_rate, association_rate, park_management_rate, biz_initiative_rate,
    biz_retry_months, biz_support_mean, biz_support_spread). Returns the uniforms used."""
    formation, association, management, initiative, retry, mean, spread = params
    used = 0
    if formation > 0.0:
        log_q = math.log1p(-formation) if formation < 1.0 else -math.inf
        left = -1  # failures before the next BIZ; -1: the first gap is not drawn yet
        for i in range(organisation.size):
            if organisation[i] == BIZ:
                continue
            if left < 0:
                left = _gap(u[used], log_q)
                used += 1
            if left == 0:
                organisation[i] = BIZ
                left = _gap(u[used], log_q)
                used += 1
            else:
                left -= 1
    voters = np.empty(engaged.size, np.int64)
    n_voters = 0
    for i in engaged:
        org = organisation[i]
        last = biz_vote_month[i]
        can_vote = support_active[province[i]] and (last == -1 or month - last >= retry)
        unorganised = org == NONE
        if not (unorganised or (org == ASSOCIATION and can_vote)):
            continue
        flag = 1.0 if unorganised else 0.0
        scale = organisation_factor[province[i]] * speed[i]
        a = association * scale * flag
        pm = management * commitment[i] * scale * flag
        b = initiative * scale * (1.0 if can_vote else 0.0)
        x = u[used]
        used += 1
        if x < a:
            organisation[i] = ASSOCIATION
        elif x < a + pm:
            organisation[i] = PARK_MANAGEMENT
        elif x >= a + pm and x < a + pm + b:
            voters[n_voters] = i
            n_voters += 1
    for j in range(n_voters):
        i = voters[j]
        in_favour = mean + spread * (2 * u[used] - 1)
        used += 1
        if commitment[i] >= BIZ_TURNOUT and in_favour >= BIZ_MAJORITY:
            organisation[i] = BIZ
        biz_vote_month[i] = month
    return used


@_njit
def k_planning(engaged, u, organisation, speed, plan_factor, plan_months, stage, progress):
    """Rule 4: organised engaged parks start transforming at the hazard speed * type factor /
    plan_months (at once when plan_months is 0); returns (started, uniforms used)."""
    started = np.empty(engaged.size, np.int64)
    k = 0
    used = 0
    for i in engaged:
        if organisation[i] == NONE:
            continue
        go = True
        if plan_months > 0:
            rate = speed[i] * plan_factor[organisation[i]] / plan_months
            go = u[used] < -math.expm1(-rate)
            used += 1
        if go:
            started[k] = i
            k += 1
    for j in range(k):  # after the draws, as the numpy rule sets them
        stage[started[j]] = TRANSFORMING
        progress[started[j]] = 0.0
    return started[:k], used


@_njit
def k_transformation(
    transforming, started, organisation, progress, speed, transform_factor, finished_month,
    duration, month,
):  # fmt: skip
    """Rule 5: progress speed * type factor, and the month of finishing; returns every
    transforming park (at the start, then started this month)."""
    for i in transforming:
        progress[i] += speed[i] * transform_factor[organisation[i]]
    everyone = np.concatenate((transforming, started))
    for i in everyone:
        if finished_month[i] < 0 and progress[i] >= duration[i]:
            finished_month[i] = month
    return everyone


@_njit
def k_stalling(active, u, finished_month, supported, organisation, stall_factor, stall_rate,
               stage, progress):  # fmt: skip
    """Rule 6: unsupported unfinished active parks fall back to awareness with the chance
    stall_rate * type factor; returns the uniforms used."""
    used = 0
    for i in active:
        if finished_month[i] < 0 and not supported[i]:
            if u[used] < stall_rate * stall_factor[organisation[i]]:
                stage[i] = AWARE
                progress[i] = 0.0
            used += 1
    return used


# --- twins (same signature and effects as the numpy rules) ---------------------------------------
def engagement(model: WerklandschapModel, s: ParkState, m: MonthStart) -> None:
    """Twin of `park.engagement`: drawn ahead, at most one uniform per aware park for the
    trials' gaps, one more, and one per candidate."""
    p, ctx, data = model.params, model.context, model.data
    aware = m.aware
    local = _share(model, m, ADOPTING_VALUE, aware)
    u = _uniforms(model, 2 * aware.size + 1)
    programme = m.programme_parks
    params = (
        float(p["peer_weight"]), float(ctx.subsidy_offer), float(p["role_support"]),
        float(ctx.cost), float(p["engage_rate"]), float(p["decision_noise"]),
    )  # fmt: skip
    new, credit, used = k_engagement(
        aware, u, local, data.park_province, data.park_municipality, s.own_motive, s.threshold,
        s.subsidised, s.coached if programme is None else programme, programme is not None,
        s.permit_event, ctx.province_signal, ctx.support_offer, ctx.regulation_push, params,
        s.stage, s.driver,
    )  # fmt: skip
    _give_back(model, u.size, used)
    if new.size:
        model.count_engagements(s.driver[new], credit)
        m.engaged = np.concatenate([m.engaged, new])


def organisation(model: WerklandschapModel, s: ParkState, m: MonthStart) -> None:
    """Twin of `park.organisation` (`organising.organise`): drawn ahead, at most one uniform per
    park without a BIZ and one more (the gaps) plus two per engaged park."""
    p = model.params
    without_biz = int(np.count_nonzero(s.organisation != BIZ))
    u = _uniforms(model, without_biz + 1 + 2 * m.engaged.size)
    params = tuple(float(p[name]) for name in (
        "biz_formation_rate", "association_rate", "park_management_rate", "biz_initiative_rate",
        "biz_retry_months", "biz_support_mean", "biz_support_spread",
    ))  # fmt: skip
    used = k_organise(
        m.engaged, u, s.organisation, model.data.park_province, s.commitment, s.biz_vote_month,
        m.speed, model.context.organisation_factor, biz_support_active(model), params,
        model.month,
    )  # fmt: skip
    _give_back(model, u.size, used)


def planning(model: WerklandschapModel, s: ParkState, m: MonthStart) -> np.ndarray:
    """Twin of `park.planning`: one uniform per organised engaged park (none if plan_months
    is 0)."""
    plan_months = float(model.params["plan_months"])
    u = _uniforms(model, m.engaged.size if plan_months > 0 else 0)
    started, used = k_planning(
        m.engaged, u, s.organisation, m.speed, m.factors.plan, plan_months, s.stage, s.progress
    )
    _give_back(model, u.size, used)
    return started


def transformation(
    model: WerklandschapModel, s: ParkState, m: MonthStart, started: np.ndarray
) -> np.ndarray:
    """Twin of `park.transformation` (no draws)."""
    return k_transformation(
        m.transforming, started, s.organisation, s.progress, m.speed, m.factors.transform,
        s.finished_month, s.duration, model.month,
    )  # fmt: skip


def stalling(model: WerklandschapModel, s: ParkState, m: MonthStart) -> None:
    """Twin of `park.stalling`: one uniform per unsupported unfinished active park."""
    u = _uniforms(model, m.active.size)
    used = k_stalling(
        m.active, u, s.finished_month, m.supported, s.organisation, m.factors.stall,
        float(model.params["stall_rate"]), s.stage, s.progress,
    )  # fmt: skip
    _give_back(model, u.size, used)


TWINS = {
    "engagement": engagement,
    "organisation": organisation,
    "planning": planning,
    "transformation": transformation,
    "stalling": stalling,
}
