"""The fused park month: rules 0–6 of one month in one compiled call (`k_park_month`).

`park_month` (registered as "park_month" in `compiled.TWINS`) replaces `park.step_parks` on the
park graph: one kernel runs month start, permit events, awareness, engagement, support and
speed, organisation (organic BIZ, type choice, BIZ votes), planning, transformation and
stalling; Python then books the engagements (`count_engagements`), runs the label (it takes the
certification slots from the programme) and the month end. The mean-field network (or any other
share rule) falls back to the per-rule twins.

Random numbers: the kernel draws from the model's own `numpy.random.Generator` (numba shares the
bit generator's state with numpy, and `Generator.random()` in numba is numpy's `random_standard_
uniform`), the numpy rules' uniforms in exactly their order (one per concerned park, or for the
Bernoulli trials of organic BIZ formation and of the engagement rate one per gap between
successes: `agents/trials.py`), so the stream after the call is the one the numpy rules leave:
nothing is drawn ahead or given back.

Arithmetic: the expressions of agents/park.py, agents/organising.py and agents/regulation.py in
the same order (no fastmath); see model/compiled.py for the one known `expm1` caveat.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from werklandschap.agents.decision import ADOPTING_VALUE, AWARE_VALUE
from werklandschap.agents.organising import (
    BIZ_MAJORITY,
    BIZ_TURNOUT,
    biz_support_active,
    type_factors,
)
from werklandschap.agents.park import N_DRIVERS, N_STAGES, ParkState, Role
from werklandschap.agents.park import label as numpy_label
from werklandschap.model.compiled import (
    _gap,
    _halves,
    _inline,
    _njit,
    _unit_weights,
    k_graph_halves,
    k_graph_share,
    k_month_end,
)
from werklandschap.model.compiled_parks import (
    ASSOCIATION,
    AWARE,
    BIZ,
    ENGAGED,
    NONE,
    PARK_MANAGEMENT,
    TRANSFORMING,
    _credit,
)
from werklandschap.model.network import GraphNetwork

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel


@_njit
def _shares(parks, start, value, halves, use_halves, indptr, indices, weights, inverse_degree):
    """Neighbour share of `parks` by stage at the start: `compiled.k_graph_halves` when every
    tie weighs 1 and every value is a multiple of 1/2, else `compiled.k_graph_share`."""
    if use_halves:
        return k_graph_halves(parks, start, halves, indptr, indices, inverse_degree)
    return k_graph_share(parks, start, value, indptr, indices, weights, inverse_degree)


@_njit
def _from_counts(parks, count, inverse_degree):
    """The share of `parks` from their neighbours' halves counted ahead (`count`, the integer
    sums `_pushed_halves` forms), so the same numbers."""
    out = np.empty(parks.size)
    for k in range(parks.size):
        i = parks[k]
        out[k] = (count[i] * 0.5) * inverse_degree[i]
    return out


@_njit
def _pushed_halves(parks, start, halves, indptr, indices, inverse_degree):
    """`_shares` on a symmetric unit-weight graph, pushed from the parks whose value is not 0
    (the few adopting parks) instead of pulled by every park of `parks`: each park's count of
    halves is an integer sum, exact in any order, so the shares are the pulled ones bit for bit."""
    count = np.zeros(start.size, np.int64)
    for j in range(start.size):
        h = halves[start[j]]
        if h != 0:
            for e in range(indptr[j], indptr[j + 1]):
                count[indices[e]] += h
    return _from_counts(parks, count, inverse_degree)


assert N_STAGES == 5  # `_by_stage` fills the first four stages; the fifth is not needed


@_njit
def _by_stage(start):
    """The parks by start stage, each in index order: (unaware, aware, engaged, transforming)
    (a stable argsort's slices). Branch-free: every park is written to the four buffers and
    only its stage's fill position moves on (the stages are mixed, so a branch per park
    would mispredict often)."""
    n = start.size
    b0, b1 = np.empty(n, np.int64), np.empty(n, np.int64)
    b2, b3 = np.empty(n, np.int64), np.empty(n, np.int64)
    f0 = f1 = f2 = f3 = 0
    for i in range(n):
        st = start[i]
        b0[f0] = i
        b1[f1] = i
        b2[f2] = i
        b3[f3] = i
        f0 += st == 0
        f1 += st == 1
        f2 += st == 2
        f3 += st == 3
    return b0[:f0], b1[:f1], b2[:f2], b3[:f3]


@_inline
def _share_of(j, i, share, count, inverse_degree, have_counts):
    """Park i's neighbour share: from the counts of halves kept by the month loop
    (`_from_counts`'s expression) or the j-th entry of a share computed ahead."""
    if have_counts:
        return (count[i] * 0.5) * inverse_degree[i]
    return share[j]


@_inline
def _speed(i, support):
    """`park.support_speed`'s speed of park i (`support` = (supported, speed) per park)."""
    return support[1][i]


@_njit
def _permit_events(rng, on, regulated, town, rate, permit_event):
    """Rule 0 (`regulation.permit_events`): one uniform per park in a regulated municipality;
    returns the parks with an event (index order)."""
    permit_event[:] = False
    events = np.empty(town.size, np.int64)
    k = 0
    if on:
        for i in range(town.size):
            if regulated[town[i]]:
                permit_event[i] = rng.random() < rate
                if permit_event[i]:
                    events[k] = i
                    k += 1
    return events[:k]


@_njit
def _awareness(rng, unaware, share, count, inverse_degree, have_counts, province, hazard,
               peer_rate, stage):  # fmt: skip
    """Rule 1: returns the newly aware parks (index order). The share of park `unaware[j]` is
    `_share_of` (from the loop's counts, or `share[j]`)."""
    new = np.empty(unaware.size, np.int64)
    k = 0
    for j in range(unaware.size):
        i = unaware[j]
        h = hazard[province[i]] + peer_rate * _share_of(j, i, share, count, inverse_degree,
                                                        have_counts)  # fmt: skip
        u = rng.random()
        # 1 - exp(-h) <= h in floating point too (expm1 is faithfully rounded and the exact
        # value is below h), so u >= h decides "no" without the expm1
        if u < h and u < -math.expm1(-h):
            new[k] = i
            k += 1
    for j in range(k):
        stage[new[j]] = AWARE
    return new[:k]


@_njit
def _engagement(rng, parts, local, shares, province, town, s, ctx, programme, has_programme,
                params, event_parks):  # fmt: skip
    """Rule 2 (as `compiled_parks.k_engagement`, drawing from rng) over the aware parks, the
    two `parts` (aware at the start, newly aware) in turn: the deciding parks (the trials'
    gaps, then the aware `event_parks` that are not successes), then one
    uniform per deciding park; returns the newly engaged (in that order) and their credits. A
    park's peer share (`_share_of` with `shares` = (counts, inverse degree, have_counts), else
    `local[j]`) is read only for a deciding park."""
    own_motive, threshold, subsidised, permit_event, stage, driver = s
    province_signal, support_offer, regulation_push = ctx
    peer_weight, subsidy_offer, role_support, cost, base, noise = params
    count, inverse_degree, have_counts = shares
    first, second = parts
    n0 = first.size
    n = n0 + second.size
    candidates = np.empty(n, np.int64)
    k = 0
    if n > 0 and base > 0.0:  # the trials, by their gaps: no walk over the parks
        log_q = math.log1p(-base) if base < 1.0 else -math.inf
        position = _gap(rng.random(), log_q)
        while position < n:
            candidates[k] = position
            k += 1
            position += 1 + _gap(rng.random(), log_q)
    trials = k
    for which in range(2 if event_parks.size else 0):  # the events that are not successes
        part, offset = (first, 0) if which == 0 else (second, n0)
        for e in event_parks:  # ascending, as both parts: their positions ascend too
            at = np.searchsorted(part, e)
            if at < part.size and part[at] == e:  # an aware park of this part
                j = offset + at
                q = np.searchsorted(candidates[:trials], j)
                if not (q < trials and candidates[q] == j):
                    candidates[k] = j
                    k += 1
    new = np.empty(k, np.int64)
    credit = np.empty((k, N_DRIVERS))  # rows of the engaged only: their column 0 set below
    engaged = 0
    for c in range(k):
        j = candidates[c]
        i = first[j] if j < n0 else second[j - n0]
        binding = permit_event[i]
        rate = 1.0 if binding else base
        share = _share_of(j, i, local, count, inverse_degree, have_counts)
        peer = peer_weight * share + province_signal[province[i]]
        support = support_offer[town[i]] + subsidy_offer * (1.0 if subsidised[i] else 0.0)
        if has_programme:
            support = support + role_support * (1.0 if programme[i] else 0.0)
        regulation = regulation_push[town[i]] if binding else 0.0
        utility = own_motive[i] + peer + support + regulation - cost
        theta = threshold[i]
        logistic = 1.0 / (1.0 + math.exp(-((utility - theta) / noise)))
        if rng.random() < logistic:
            stage[i] = ENGAGED
            credit[engaged, 0] = 0.0  # Driver.NONE; `_credit` sets the others
            _credit(credit[engaged], rate * logistic, (support, peer, regulation), utility,
                    theta, rate, base, noise)  # fmt: skip
            best = 1
            for d in range(2, N_DRIVERS):
                if credit[engaged, d] > credit[engaged, best]:
                    best = d
            driver[i] = best
            new[engaged] = i
            engaged += 1
    return new[:engaged], credit[:engaged]


@_njit
def _organise(rng, engaged, organisation, province, commitment, vote_month, support, factor,
              support_active, params, month):  # fmt: skip
    """Rule 3 (agents/organising.py): organic BIZ, type choice, BIZ votes, in that draw order.
    `support` = (supported, speed) per park (`park.support_speed`)."""
    formation, association, management, initiative, retry, mean, spread = params
    if formation > 0.0:  # trials over the parks without a BIZ, by their gaps (`k_organise`)
        _organic_biz(rng, organisation, formation)
    voters = np.empty(engaged.size, np.int64)
    n_voters = 0
    for i in engaged:
        org = organisation[i]
        last = vote_month[i]
        can_vote = support_active[province[i]] and (last == -1 or month - last >= retry)
        unorganised = org == NONE
        if not (unorganised or (org == ASSOCIATION and can_vote)):
            continue
        flag = 1.0 if unorganised else 0.0
        scale = factor[province[i]] * _speed(i, support)
        a = association * scale * flag
        pm = management * commitment[i] * scale * flag
        b = initiative * scale * (1.0 if can_vote else 0.0)
        x = rng.random()
        if x < a:
            organisation[i] = ASSOCIATION
        elif x < a + pm:
            organisation[i] = PARK_MANAGEMENT
        elif x >= a + pm and x < a + pm + b:
            voters[n_voters] = i
            n_voters += 1
    for j in range(n_voters):
        i = voters[j]
        in_favour = mean + spread * (2 * rng.random() - 1)
        if commitment[i] >= BIZ_TURNOUT and in_favour >= BIZ_MAJORITY:
            organisation[i] = BIZ
        vote_month[i] = month


@_njit
def _organic_biz(rng, organisation, formation):
    """`k_organise`'s walk over the parks without a BIZ, by the gaps between formations: a gap
    that reaches past a block of `BLOCK` parks skips the block by its count of parks without a
    BIZ (a loop that vectorises), so the parks are read a block at a time, not one by one."""
    log_q = math.log1p(-formation) if formation < 1.0 else -math.inf
    n = organisation.size
    left = -1  # failures before the next formation; -1: the first gap is not drawn yet
    for start in range(0, n, BLOCK):
        end = min(start + BLOCK, n)
        if left >= 0:
            without = 0
            for b in range(start, end):
                without += organisation[b] != BIZ
            if left >= without:  # no formation in this block
                left -= without
                continue
        for b in range(start, end):  # the block with the next formation: park by park
            if organisation[b] == BIZ:
                continue
            if left < 0:
                left = _gap(rng.random(), log_q)
            if left == 0:
                organisation[b] = BIZ
                left = _gap(rng.random(), log_q)
            else:
                left -= 1


BLOCK = 256  # parks per block of `_organic_biz`'s skips


@_njit
def _stall(rng, parks, finished_month, support, organisation, stage, progress, stall_rate, stall):
    """Rule 6 over `parks`: one uniform per unsupported unfinished park (short-circuit `and`)."""
    supported = support[0]
    for i in parks:
        if (
            finished_month[i] < 0
            and not supported[i]
            and rng.random() < stall_rate * stall[organisation[i]]
        ):
            stage[i] = AWARE
            progress[i] = 0.0


@_njit
def _plan_transform_stall(rng, engaged, transforming, active, s, support, factors, plan_months,
                          stall_rate, month):  # fmt: skip
    """Rules 4–6: planning (one uniform per organised engaged park), transformation (no draws),
    stalling (one per unsupported unfinished active park; `active`: the engaged and the
    transforming parks of the start, in turn); returns every transforming park."""
    organisation, stage, progress, finished_month, duration = s
    plan, transform, stall = factors
    started = np.empty(engaged.size, np.int64)
    k = 0
    for i in engaged:
        if organisation[i] != NONE:
            go = True
            if plan_months > 0:
                go = rng.random() < -math.expm1(
                    -(_speed(i, support) * plan[organisation[i]] / plan_months)
                )
            if go:
                started[k] = i
                k += 1
    for j in range(k):
        stage[started[j]] = TRANSFORMING
        progress[started[j]] = 0.0
    for i in transforming:
        progress[i] += _speed(i, support) * transform[organisation[i]]
    everyone = np.concatenate((transforming, started[:k]))
    for i in everyone:
        if finished_month[i] < 0 and progress[i] >= duration[i]:
            finished_month[i] = month
    engaged0, transforming0 = active
    _stall(rng, engaged0, finished_month, support, organisation, stage, progress, stall_rate,
           stall)  # fmt: skip
    _stall(rng, transforming0, finished_month, support, organisation, stage, progress,
           stall_rate, stall)  # fmt: skip
    return everyone


@_njit
def k_park_month(rng, graph, s, places, ctx, programme, has_programme, regulation, organising,
                 params, month):  # fmt: skip
    """Rules 0–6 of one month (see the module docstring); returns (stage at the start, every
    transforming park, the newly engaged, their credits)."""
    indptr, indices, weights, inverse_degree, aware_halves, adopt_halves, use_halves = graph[:7]
    symmetric, aware_count, adopt_count, have_counts = graph[7:11]
    (stage, own_motive, threshold, subsidised, coached, permit_event, driver, organisation,
     commitment, vote_month, progress, finished_month, duration) = s  # fmt: skip
    province, town = places
    hazard, province_signal, support_offer, regulation_push, organisation_factor = ctx
    regulation_on, regulated, event_rate = regulation
    support_active, organise_params = organising
    engagement_params, speedup, factors, plan_months, stall_rate, peer_rate = params

    start = stage.copy()
    unaware, aware0, engaged0, transforming = _by_stage(start)
    event_parks = _permit_events(rng, regulation_on, regulated, town, event_rate, permit_event)
    share = np.empty(0)  # ahead only without the loop's counts
    if have_counts:  # counted ahead by the caller (the month loop keeps them up to date)
        pass
    elif use_halves and symmetric and start.size - unaware.size < unaware.size:
        # fewer aware parks than unaware ones (early months): the aware push their ties
        share = _pushed_halves(unaware, start, aware_halves, indptr, indices, inverse_degree)
    else:
        share = _shares(unaware, start, AWARE_VALUE, aware_halves, use_halves, indptr, indices,
                        weights, inverse_degree)  # fmt: skip
    newly_aware = _awareness(rng, unaware, share, aware_count, inverse_degree, have_counts,
                             province, hazard, peer_rate, stage)  # fmt: skip
    local = np.empty(0)
    if not have_counts:
        aware = np.concatenate((aware0, newly_aware))
        if use_halves and symmetric:  # few adopting parks push their ties (same integer sums)
            local = _pushed_halves(aware, start, adopt_halves, indptr, indices, inverse_degree)
        else:
            local = _shares(aware, start, ADOPTING_VALUE, adopt_halves, use_halves, indptr,
                            indices, weights, inverse_degree)  # fmt: skip
    new, credit = _engagement(
        rng, (aware0, newly_aware), local, (adopt_count, inverse_degree, have_counts), province,
        town, (own_motive, threshold, subsidised, permit_event, stage, driver),
        (province_signal, support_offer, regulation_push), programme, has_programme,
        engagement_params, event_parks,
    )  # fmt: skip
    engaged = np.concatenate((engaged0, new))
    n = stage.size
    supported = np.empty(n, np.bool_)
    speed = np.empty(n)
    for i in range(n):  # `park.support_speed`
        supported[i] = coached[i] or subsidised[i] or (has_programme and programme[i])
        speed[i] = 1.0 + speedup * (1.0 if supported[i] else 0.0)
    support = (supported, speed)
    _organise(rng, engaged, organisation, province, commitment, vote_month, support,
              organisation_factor, support_active, organise_params, month)  # fmt: skip
    everyone = _plan_transform_stall(
        rng, engaged, transforming, (engaged0, transforming),
        (organisation, stage, progress, finished_month, duration), support, factors,
        plan_months, stall_rate, month,
    )  # fmt: skip
    return start, everyone, new, credit


def _graph(network: GraphNetwork, counts: tuple | None = None) -> tuple:
    """The park graph's arrays for the kernel, with the integer halves of both stage values
    when every tie weighs 1 (else the float sums run); `counts`: the neighbours' halves of both
    values per park, kept by the caller (the month loop), or None."""
    a = network.adjacency
    aware = _halves(AWARE_VALUE) if _unit_weights(network) else None
    adopt = _halves(ADOPTING_VALUE) if aware is not None else None
    use = aware is not None and adopt is not None
    dummy = np.zeros(N_STAGES, np.int64)
    symmetric = _symmetric(network)
    have = counts is not None and use and symmetric
    aware_count, adopt_count = counts if have else (dummy, dummy)
    return (a.indptr, a.indices, a.data, network.inverse_degree,
            aware if use else dummy, adopt if use else dummy, use, symmetric,
            aware_count, adopt_count, have)  # fmt: skip


_SYMMETRIC: dict[int, tuple[GraphNetwork, bool]] = {}  # id(network) -> (network, A == A.T)


def _symmetric(network: GraphNetwork) -> bool:
    """Whether the (read-only, cached) network's ties are symmetric, checked once per network."""
    known = _SYMMETRIC.get(id(network))
    if known is None or known[0] is not network:
        a = network.adjacency
        known = (network, bool((a != a.T).nnz == 0))
        _SYMMETRIC[id(network)] = known
    return known[1]


_FACTOR_NAMES = (
    "plan_speed_park_management", "plan_speed_biz", "transform_speed_park_management",
    "transform_speed_biz", "stall_factor_park_management", "stall_factor_biz",
)  # fmt: skip
_FACTORS: dict[tuple, tuple] = {}  # the six factor parameters -> (plan, transform, stall)


def _type_factors(p: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`organising.type_factors` as read-only arrays, cached by the values of its parameters
    (they are constants of a run; the cache keeps a handful of parameter points)."""
    key = tuple(float(p[name]) for name in _FACTOR_NAMES)
    known = _FACTORS.get(key)
    if known is None:
        if len(_FACTORS) > 64:  # a design sweeps them: keep the cache small
            _FACTORS.clear()
        f = type_factors(p)
        for array in (f.plan, f.transform, f.stall):
            array.flags.writeable = False
        known = _FACTORS[key] = (f.plan, f.transform, f.stall)
    return known


def fused_applies(network: object) -> bool:
    """Whether the fused month applies: the park graph with its own share rule."""
    return isinstance(network, GraphNetwork) and (
        type(network).peer_share is GraphNetwork.peer_share
    )


def organise_params(p: dict) -> tuple[float, ...]:
    """The parameters of rule 3 in the order `_organise` reads them."""
    return tuple(float(p[name]) for name in (
        "biz_formation_rate", "association_rate", "park_management_rate", "biz_initiative_rate",
        "biz_retry_months", "biz_support_mean", "biz_support_spread",
    ))  # fmt: skip


def park_month(model: WerklandschapModel, s: ParkState) -> bool:
    """Twin of `park.step_parks` on the park graph; False (nothing done) on any other network."""
    network = model.network
    if not fused_applies(network):
        return False
    p, ctx, data = model.params, model.context, model.data
    programme = s.role != Role.REGULAR if ctx.programme_active else None
    f = _type_factors(p)
    engagement_params = (
        float(p["peer_weight"]), float(ctx.subsidy_offer), float(p["role_support"]),
        float(ctx.cost), float(p["engage_rate"]), float(p["decision_noise"]),
    )  # fmt: skip
    start, everyone, new, credit = k_park_month(
        model.rng, _graph(network),
        (s.stage, s.own_motive, s.threshold, s.subsidised, s.coached, s.permit_event, s.driver,
         s.organisation, s.commitment, s.biz_vote_month, s.progress, s.finished_month,
         s.duration),
        (data.park_province, data.park_municipality),
        (ctx.awareness_hazard, ctx.province_signal, ctx.support_offer, ctx.regulation_push,
         ctx.organisation_factor),
        s.coached if programme is None else programme, programme is not None,
        (bool(model.regulation_on), model.municipality_regulated,
         float(p["permit_event_rate"])),
        (biz_support_active(model), organise_params(p)),
        (engagement_params, float(p["coaching_speedup"]), f,
         float(p["plan_months"]), float(p["stall_rate"]), float(p["peer_awareness_rate"])),
        model.month,
    )  # fmt: skip
    if new.size:
        model.count_engagements(s.driver[new], credit)
    model.twins.get("label", numpy_label)(model, s, everyone)
    k_month_end(s.months_in_stage, s.stage, start)
    return True
