"""The compiled month loop: stretches of consecutive months in one compiled call (`k_months`).

`run_months` (registered as "month_loop" in `compiled.TWINS`) is the batch path of
`WerklandschapModel.run_to_end`: it runs the months the Python way (`WerklandschapModel._month`,
with its per-rule twins) only where the kernel cannot go, and every other month inside
`k_months`, one dispatch per *stretch* of months. A month is a Python month when

- it is known in advance to need Python: a realised signing month (the pinned provinces sign
  by data). Under the "random" selection strategy, the "fixed" rule or realised parks, two
  kinds of months run their *head* in Python and the rest in the kernel: the selections of
  labs, ambassadors and partner parks, first in their month (`_select_first`, undone with the
  stream if the kernel breaks in that month), and the stimulation tranches (`_head_first`:
  the programme's step, the decisions, the tranche and the pots, after which nothing can
  break). Otherwise the kernel makes the selections and the tranches itself
  (model/compiled_selection.py; partner parks stay Python's), and a baseline run is two
  stretches. The first month after the programme is prepared in Python (`_end_programme`);
- or it *breaks*: the kernel makes the month's break-prone decisions first, before it mutates
  anything but the month's selections (which it undoes): the late-join trigger fires, a
  province signs under the realised history (its package may be reserved), or a decision's
  uniform falls within the band below. These depend on nothing earlier in the month that
  draws or changes a stage but the selections (programme trajectories and maturity draw
  nothing and move no stage), so on a break the kernel returns with the number of uniforms it
  drew (the selections' included), the stream is moved back by them
  (`bit_generator.advance`) and the whole month runs the Python way.

Compiled events: the label's publication (its month and route handed back to the programme),
municipal partnerships (flag, month, coaching capacity, coaching offer), provinces signing
(package A/B/C, join month, this year's pot, what a member gets in the month's context; and the
signing hazards of the new members, their neighbours' shares looked up in a table numpy computed
for every set of members, `_neighbour_table`), the January pots (`fill_pots`) and the
municipalities' January decisions on the rule (`adopt_rules`, with the rule's push in the
context). The comparisons `u < 1 - exp(-hazard)` of both governments' decisions use numpy's
`expm1` on the Python side, which may differ from the C library's in the last bit; the kernel
therefore treats a uniform within a relative 1e-12 of the chance as a break, so that month is
decided by numpy, and every decision is numpy's. The January decisions on the rule compare with
scipy's `expit`, which is 1 / (1 + exp(-x)) with the C library's exp, as the kernel computes it
(a test checks both).

Random numbers: the kernel steps numpy's PCG64 state itself (model/compiled_stream.py: in
place, on a view of the Generator's state), one uniform per concerned unit in exactly the
Python month's order.

What the kernel does per month is the Python month's order (docs/ODD.md §3): the programme's
selections, government decisions, the tranche, programme trajectories, maturity and
certification capacity, pots, subsidy applications and awards (the grants' booking by source
is done afterwards in Python with each month's pots, `subsidy.source_shares`, one stacked
matrix product per `run_months`), coaching, the decisions on the
rule, the month context, the fused park month (`compiled_fused.k_park_month`, with both
neighbour counts kept up to date from the parks whose stage changed), engagements, the label,
the month end and the records.
The loop declines (the per-month path runs) on any network other than the park graph, with a
data collector, a park class other than `Park`, or a model without the twins it replaces.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from werklandschap.agents import green_deal, subsidy
from werklandschap.agents.park import N_STAGES, Driver, Park, Role, Stage
from werklandschap.agents.province import choose_stimulated
from werklandschap.agents.subsidy import NOT_APPLIED
from werklandschap.model.compiled import (
    _coach_choose,
    _inline,
    _njit,
    interrupted,
    k_coach_assign,
)
from werklandschap.model.compiled_fused import (
    _graph,
    _type_factors,
    fused_applies,
    k_park_month,
    organise_params,
)
from werklandschap.model.compiled_government import (
    _invitation_order,
    k_partner_hazard,
)
from werklandschap.model.compiled_selection import (
    LIVING_LAB,
    NO_DRIVER,
    RANKED,
    UNAWARE,
    choose_roles,
    choose_tranche,
)
from werklandschap.model.compiled_stream import stream_back, stream_of
from werklandschap.model.data import parks_by_province

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel

#: The twins the loop replaces: without any of them it declines (so removing a twin still
#: runs that rule's numpy form).
REPLACES = (
    "park_month", "coach_parks", "take_applications", "award_grants", "municipalities_decide",
    "record_stages",
)  # fmt: skip
#: Relative band around a decision's chance inside which the month is left to numpy.
BAND = 1e-12
AWARE, ENGAGED = int(Stage.AWARE), int(Stage.ENGAGED)
TRANSFORMING, LABELLED = int(Stage.TRANSFORMING), int(Stage.LABELLED)
AMBASSADOR, REGULAR = int(Role.AMBASSADOR), int(Role.REGULAR)
PROGRAMME_DRIVER = int(Driver.PROGRAMME)
#: What `model.loop_counts` counts.
LOOP_COUNTS = ("python", "compiled", "stretches", "breaks")
#: `Programme.label_route` by the index `_label_route` gives.
LABEL_ROUTES = ("ambassadors", "market", "date")
#: Why a stretch stopped (the second value `k_months` returns).
DONE, BREAK = 0, 1


# --- kernel parts ---------------------------------------------------------------------------------
@_njit
def _block_sum(a, lo, n):
    """numpy's sum of a block of at most 128 contiguous floats: sequential below 8, else eight
    running sums combined pairwise, then the rest."""
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r = np.empty(8)
    for j in range(8):
        r[j] = a[lo + j]
    i = 8
    while i < n - (n % 8):
        for j in range(8):
            r[j] += a[lo + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@_njit
def _pairwise_sum(a):
    """numpy's pairwise summation (`np.add.reduce` of a contiguous float array: blocks of 128,
    halves of a multiple of 8 above), so a mean equals numpy's bit for bit. Iterative (a cached
    recursive kernel does not load back from numba's cache)."""
    if a.size <= 128:
        return _block_sum(a, 0, a.size)
    lo, size, state = np.empty(64, np.int64), np.empty(64, np.int64), np.empty(64, np.int64)
    values = np.empty(64)
    lo[0], size[0], state[0] = 0, a.size, 0
    top, held = 1, 0
    while top > 0:
        f = top - 1
        n = size[f]
        if n <= 128:
            values[held] = _block_sum(a, lo[f], n)
            held += 1
            top -= 1
            continue
        half = n // 2
        half -= half % 8
        if state[f] < 2:  # push the left half, then the right half
            state[f] += 1
            lo[top] = lo[f] if state[f] == 1 else lo[f] + half
            size[top] = half if state[f] == 1 else n - half
            state[top] = 0
            top += 1
        else:  # both halves summed: left + right
            values[held - 2] = values[held - 2] + values[held - 1]
            held -= 1
            top -= 1
    return values[0]


@_njit
def _lab_progress(labs, stage, finished_month, progress, duration):
    """`Programme.lab_progress`: mean progress of the living labs (0 without labs)."""
    if labs.size == 0:
        return 0.0
    value = np.empty(labs.size)
    for j in range(labs.size):
        i = labs[j]
        fraction = progress[i] / duration[i] if duration[i] > 0 else 1.0
        share = min(max(fraction, 0.0), 1.0) if stage[i] == TRANSFORMING else 0.0
        done = finished_month[i] >= 0 or stage[i] == LABELLED
        value[j] = 1.0 if done else share
    return _pairwise_sum(value) / labs.size


@_njit
def _label_route(showcases, role, finished_month, required, market_parks, fallback, month):
    """`Programme.label_ready_route` as an index of `LABEL_ROUTES` (-1: not ready)."""
    if required > 0:
        count = 0
        for i in showcases:
            if role[i] == AMBASSADOR and finished_month[i] >= 0:
                count += 1
        if count >= required:
            return 0
    finished = 0
    for i in range(finished_month.size):
        if finished_month[i] >= 0:
            finished += 1
    if finished >= market_parks:
        return 1
    return 2 if month >= fallback else -1


@_njit
def _chance_side(u, hazard):
    """-1: u is below the chance 1 - exp(-hazard) (a yes), 1: above (a no), 0: within the band
    where numpy's expm1 could decide otherwise (the month goes to numpy)."""
    chance = -math.expm1(-hazard)
    if u < chance * (1.0 - BAND):
        return -1
    if u >= chance * (1.0 + BAND):
        return 1
    return 0


@_njit
def _provinces_sign(rng, undecided, plan_term, pull, capacity, uptake_rate, uptake):
    """`green_deal.provinces_decide` up to its draws: (uniforms drawn, the provinces that sign,
    whether a decision fell within the band); hazard = plan + (neighbours + uptake) *
    capacity, as `signing_hazard`. Nothing is changed here."""
    drawn = 0
    signs = np.zeros(undecided.size, np.bool_)
    unsure = False
    for i in range(undecided.size):
        if not undecided[i]:
            continue
        hazard = plan_term[i] + (pull[i] + uptake_rate * uptake) * capacity
        if hazard > 0:
            drawn += 1
            side = _chance_side(rng.random(), hazard)
            signs[i] = side < 0
            unsure = unsure or side == 0
    return drawn, signs, unsure


@_njit
def _join(signs, green_deal, package, join_month, caps, month):
    """`green_deal.join` of the signing provinces (index order) without realised packages
    (`package_for`: A, then B while places are left, then C)."""
    for i in range(signs.size):
        if not signs[i]:
            continue
        code = 3  # PACKAGE_C
        for candidate in (1, 2):  # PACKAGE_A, PACKAGE_B
            held = 0
            for q in range(package.size):
                if package[q] == candidate:
                    held += 1
            if held < caps[candidate - 1]:
                code = candidate
                break
        package[i] = code
        join_month[i] = month
        green_deal[i] = True


@_njit
def _partners_decide(rng, gov, stage):
    """`green_deal.municipalities_decide` (the compiled twin's hazards): returns (uniforms
    drawn, the joining municipalities in a buffer, how many, whether a decision fell within
    the band); nothing is changed here."""
    town, parks, order, municipality_province, green_deal, partner, missing, rates = gov[:8]
    open_ = np.empty(partner.size, np.bool_)
    for t in range(partner.size):
        open_[t] = green_deal[municipality_province[t]] and not partner[t]
    taken = 0
    for t in range(partner.size):
        if partner[t]:
            taken += 1
    deciding, hazard = k_partner_hazard(
        town, stage, parks, order, open_, max(missing - taken, 0), rates[0], rates[1], TRANSFORMING
    )
    joining = np.empty(deciding.size, np.int64)
    k = 0
    unsure = False
    for j in range(deciding.size):
        side = _chance_side(rng.random(), hazard[j])
        if side == 0:
            unsure = True
        elif side < 0:
            joining[k] = deciding[j]
            k += 1
    return deciding.size, joining, k, unsure


@_njit
def _scan(s, role, ambition, speedup, trajectories, book, green_deal, province, applicants,
          coaching, buffers):  # fmt: skip
    """One pass over the parks for three steps that read the stages of the same moment (none
    of them changes a stage or what the others read): the programme's trajectories
    (`Programme.run_trajectories`, when `trajectories`), the subsidy's applicants (when
    `applicants`) and the coaching bookkeeping (`k_coach_candidates`' pass). Returns
    the counts of (parks that may apply, waiting applicants, parks waiting for a coach); the
    lists are in `buffers`."""
    stage, coached, organisation, commitment = s[0], s[4], s[7], s[8]
    progress, finished_month = s[10], s[11]
    applied_month, subsidised = book[0], s[3]
    town, count = coaching
    may, earlier, waiting = buffers
    count[:] = 0
    km = kw = kc = 0
    # one loop body for all three (a helper called per park costs more than the pass)
    for i in range(stage.size):
        st = stage[i]
        unfinished = finished_month[i] < 0
        if trajectories and role[i] != 0 and st == TRANSFORMING and unfinished:
            capacity = (commitment[i] + ambition[i] + organisation[i] / 3.0) / 3.0
            progress[i] += speedup * capacity
        if applicants:  # `k_may_apply` into `may`, `k_award`'s waiting parks into `earlier`
            if applied_month[i] == NOT_APPLIED:
                if AWARE <= st <= TRANSFORMING and green_deal[province[i]]:
                    may[km] = i
                    km += 1
            elif not subsidised[i] and st <= TRANSFORMING:
                earlier[kw] = i
                kw += 1
        # `k_coach_candidates`' pass
        needs = (st == ENGAGED or st == TRANSFORMING) and unfinished  # noqa: SIM109
        coached[i] = coached[i] and needs
        if coached[i]:
            count[town[i]] += 1
        elif needs:
            waiting[kc] = i
            kc += 1
    return km, kw, kc


@_njit
def _merge(a, b):
    """Two disjoint index-ordered arrays merged in index order."""
    out = np.empty(a.size + b.size, np.int64)
    i = j = 0
    for k in range(out.size):
        if j >= b.size or (i < a.size and a[i] < b[j]):
            out[k] = a[i]
            i += 1
        else:
            out[k] = b[j]
            j += 1
    return out


@_njit
def _award(waiting, subsidised, province, applied_month, tie, role, budget, grant, n_provinces):
    """`compiled_government.k_award` from its waiting parks (index order): each province's
    waiting parks bucketed in one pass (index order kept), ranked only where the pot cannot pay
    them all. Returns the granted parks in index order."""
    k = waiting.size
    count = np.zeros(n_provinces + 1, np.int64)
    for i in waiting:
        count[province[i] + 1] += 1
    for p in range(n_provinces):
        count[p + 1] += count[p]  # bucket starts
    bucket = np.empty(k, np.int64)
    fill = count[:n_provinces].copy()
    for i in waiting:
        bucket[fill[province[i]]] = i
        fill[province[i]] += 1
    granted = np.empty(k, np.int64)
    g = 0
    for p in range(n_provinces):
        m = count[p + 1] - count[p]
        if m == 0:
            continue
        # whole grants left, as numpy: floor(min((budget + 1e-9) / grant, waiting.size))
        fit = min((budget[p] + 1e-9) / grant, float(k))
        left = np.int64(math.floor(fit))
        if left <= 0:
            continue
        members = bucket[count[p] : count[p + 1]]
        if left < m:  # rank by (programme park first, earliest application, tie): stable sorts
            members = members[np.argsort(tie[members], kind="mergesort")]
            members = members[np.argsort(applied_month[members], kind="mergesort")]
            regular = np.empty(m, np.int64)
            for j in range(m):
                regular[j] = 1 if role[members[j]] == REGULAR else 0
            members = members[np.argsort(regular, kind="mergesort")][:left]
        for i in members:
            granted[g] = i
            g += 1
    return np.sort(granted[:g])


@_njit
def _subsidy(rng, book, subsidised, province, role, rate, grant, month, n_provinces,
             granted_per_province, buffers, km, kw):  # fmt: skip
    """`subsidy.take_applications` and `award_grants` with `pay`'s arithmetic (the booking
    by source is done afterwards); `granted_per_province` gets the grants of each province.
    The twins' kernels (`k_may_apply`, `k_book_applications`, `k_award`) from `_scan`'s lists
    (`buffers` = parks that may apply, km of them; waiting applicants, kw)."""
    applied_month, tie, budget, spent_this_year = book
    may, earlier = buffers
    new = np.empty(km, np.int64)
    kn = 0
    for j in range(km):  # `k_book_applications`, one uniform per park that may apply
        i = may[j]
        u = rng.random()
        if u < rate:
            applied_month[i] = month
            tie[i] = u / rate
            if not subsidised[i]:
                new[kn] = i
                kn += 1
    if grant <= 0:
        return
    paying = False  # a pot with a whole grant left (`_award`'s floor(fit) >= 1)
    for p in range(n_provinces):
        paying = paying or (budget[p] + 1e-9) / grant >= 1.0
    if not paying:
        return
    waiting = _merge(earlier[:kw], new[:kn])
    if waiting.size == 0:
        return
    granted = _award(waiting, subsidised, province, applied_month, tie, role, budget, grant,
                     n_provinces)  # fmt: skip
    if granted.size == 0:
        return
    for i in granted:
        subsidised[i] = True
        granted_per_province[province[i]] += 1
    for p in range(n_provinces):
        amount = grant * granted_per_province[p]
        budget[p] -= amount
        spent_this_year[p] += amount


@_njit
def _coach(rng, coached, town, capacity, programme, count, waiting, k):
    """`municipality.coach_parks` (the compiled twin's kernels, drawing from rng) from
    `_scan`'s bookkeeping (`count` coached per municipality, k parks `waiting`)."""
    candidates, free = _coach_choose(coached, town, capacity, count, waiting, k)
    if candidates.size:
        u = np.empty(candidates.size)
        for j in range(candidates.size):
            u[j] = rng.random()
        k_coach_assign(candidates, town, programme, u, free, coached)


@_njit
def _label(rng, everyone, stage, finished_month, credit):
    """`park.label` with `Programme.take_certification_slots`; returns the credit left."""
    waiting = np.empty(everyone.size, np.int64)
    k = 0
    for i in everyone:
        if stage[i] == TRANSFORMING and finished_month[i] >= 0:
            waiting[k] = i
            k += 1
    slots = min(k, int(credit))
    credit -= slots
    if slots:
        waiting = waiting[:k]
        u = np.empty(k)
        for j in range(k):
            u[j] = rng.random()
        # np.lexsort((u, finished)): stable sorts, least significant key first
        first = np.argsort(u, kind="mergesort")
        months = np.empty(k, np.int64)
        for j in range(k):
            months[j] = finished_month[waiting[first[j]]]
        second = np.argsort(months, kind="mergesort")
        for r in range(slots):
            stage[waiting[first[second[r]]]] = LABELLED
    return credit


@_njit
def _this_years_money(money, green_deal, partner, municipality_province, month):
    """`whole_programme_money(model) * year_fraction(model)`: M€ per province and source."""
    _, _, fund, cofinancing, municipal, planned, end = money
    n_provinces = green_deal.size
    partners = np.zeros(n_provinces, np.int64)
    for t in range(partner.size):
        if partner[t]:
            partners[municipality_province[t]] += 1
    members = 0
    for p in range(n_provinces):
        if green_deal[p]:
            members += 1
    deals = max(members, planned)
    months = min(12 - month % 12, max(0, end - month))
    fraction = months / end if end > 0 else 0.0
    out = np.zeros((n_provinces, 3))
    if deals == 0:
        return out
    for p in range(n_provinces):
        member = 1.0 if green_deal[p] else 0.0
        out[p, 0] = (fund / deals * member) * fraction
        out[p, 1] = (cofinancing * member) * fraction
        out[p, 2] = (municipal * partners[p] * member) * fraction
    return out


@_njit
def _book_pots(added, budget, funded_row, replace):
    """Budgets (+= or = each pot's sum, `pot.sum(axis=1)`) and the M€ put in the pots
    (`pot.sum(axis=0)`, rows added in order) of `added`."""
    for p in range(added.shape[0]):
        total = (added[p, 0] + added[p, 1]) + added[p, 2]
        budget[p] = total if replace else budget[p] + total
    total = added[0].copy()
    for p in range(1, added.shape[0]):
        total += added[p]
    funded_row += total


@_njit
def _fill_pots(money, green_deal, partner, municipality_province, budget, spent_this_year,
               month, funded_row):  # fmt: skip
    """`subsidy.fill_pots` (January): this year's pot of every member, the remainder lapses;
    M€ put in the pots added to `funded_row`."""
    pot, funded = money[0], money[1]
    pot[:, :] = _this_years_money(money, green_deal, partner, municipality_province, month)
    for p in range(green_deal.size):
        spent_this_year[p] = 0.0
        funded[p] = green_deal[p]
    _book_pots(pot, budget, funded_row, True)


@_njit
def _fund_new_members(money, green_deal, signed, partner, municipality_province, budget,
                      month, funded_row):  # fmt: skip
    """`subsidy.fund_new_members`: the provinces that signed this month get their pot for the
    rest of the year."""
    pot, funded = money[0], money[1]
    added = _this_years_money(money, green_deal, partner, municipality_province, month)
    for p in range(green_deal.size):
        new = 1.0 if signed[p] else 0.0
        for c in range(3):
            added[p, c] = added[p, c] * new
            pot[p, c] += added[p, c]
        funded[p] = funded[p] or signed[p]
    _book_pots(added, budget, funded_row, False)


@_njit
def _adopt_rules(rng, rules, stage, town, green_deal, partner, month, regulation_push):
    """`regulation.adopt_rules` in a January from `regulation_start_year` on: one uniform per
    candidate municipality of the scope (index order), adopted when u < logistic(logit), the
    logistic as scipy's `expit` (1 / (1 + exp(-x)), the C library's exp); the new rules' push
    set in the month context. Returns whether any municipality has the rule."""
    adopted, adoption_month, regulated, scope, logit, push, parks, municipality_province = rules
    base, partner_weight, province_weight, uptake_weight = logit
    taking = np.zeros(adopted.size, np.int64)
    for i in range(stage.size):
        if stage[i] >= ENGAGED:  # regulation.FIRST_UPTAKE_STAGE
            taking[town[i]] += 1
    for t in range(adopted.size):
        in_green_deal = green_deal[municipality_province[t]]
        in_scope = scope == 0 or (scope == 1 and in_green_deal) or (scope == 2 and partner[t])
        if not in_scope or adopted[t]:
            continue
        uptake = taking[t] / parks[t] if parks[t] > 0 else 0.0
        x = (
            base + partner_weight * (1.0 if partner[t] else 0.0)
            + province_weight * (1.0 if in_green_deal else 0.0) + uptake_weight * uptake
        )  # fmt: skip
        if rng.random() < 1.0 / (1.0 + math.exp(-x)):
            adopted[t] = True
            adoption_month[t] = month
    on = False
    for t in range(adopted.size):
        if adopted[t] and not regulated[t]:
            regulated[t] = True
            regulation_push[t] = push * 1.0
        on = on or adopted[t]
    return on


@_njit
def _count_halves(stage, graph):
    """The neighbours' halves of both stage values per park (`_pushed_halves`'s integer sums),
    pushed from every park."""
    indptr, indices, aware_halves, adopt_halves = graph[0], graph[1], graph[4], graph[5]
    aware_count, adopt_count = graph[8], graph[9]
    aware_count[:] = 0
    adopt_count[:] = 0
    for j in range(stage.size):
        da, dp = aware_halves[stage[j]], adopt_halves[stage[j]]
        if da != 0 or dp != 0:
            for e in range(indptr[j], indptr[j + 1]):
                aware_count[indices[e]] += da
                adopt_count[indices[e]] += dp


@_njit
def _sync_halves(stage, counted, graph):
    """The neighbours' halves kept by the model between stretches (`_loop_counts`), brought from
    the stages they were counted for (`counted`; -1 first: never counted, so all are pushed) to
    `stage`, pushed from the parks whose stage differs (Python months and heads in between):
    integer sums, so a full recount's numbers."""
    if counted[0] < 0:
        _count_halves(stage, graph)
        return
    for j in range(stage.size):
        if counted[j] != stage[j]:
            _push_change(j, counted[j], stage[j], graph)


@_njit
def _push_change(j, old, new, graph):
    """Park j's neighbours' halves of both stage values after its stage went from old to new
    (called for the few parks that changed: a call per park of all the parks would cost more
    than the pass)."""
    indptr, indices, aware_halves, adopt_halves = graph[0], graph[1], graph[4], graph[5]
    aware_count, adopt_count = graph[8], graph[9]
    da = aware_halves[new] - aware_halves[old]
    dp = adopt_halves[new] - adopt_halves[old]
    if da != 0 or dp != 0:
        for e in range(indptr[j], indptr[j + 1]):
            aware_count[indices[e]] += da
            adopt_count[indices[e]] += dp


@_njit
def _count_stages(stage, province, by_province, total):
    """Stage counts per province and nationally (`k_record`), into local arrays."""
    by_province[:, :] = 0
    total[:] = 0
    for i in range(stage.size):
        by_province[province[i], stage[i]] += 1
        total[stage[i]] += 1


@_inline
def _count_change(j, old, new, province, graph, counting, by_province, total):
    """The stage counts (and the neighbours' halves, when `counting`) after park j went from
    stage old to new."""
    by_province[province[j], old] -= 1
    by_province[province[j], new] += 1
    total[old] -= 1
    total[new] += 1
    if counting:
        _push_change(j, old, new, graph)


@_njit
def _month_end(months_in_stage, stage, start, changed):
    """`k_month_end`, and the parks whose stage changed this month into `changed` (index
    order); returns how many. The first loop vectorises; the second mostly only compares."""
    for i in range(stage.size):
        months_in_stage[i] = 0 if stage[i] != start[i] else months_in_stage[i] + 1
    k = 0
    for i in range(stage.size):
        if stage[i] != start[i]:
            changed[k] = i
            k += 1
    return k


@_njit
def _changes(changed, k, stage, start, province, graph, counting, by_province, total):
    """Bring the stage counts and (`counting`) the neighbours' halves from the start of the
    month to its end from the parks that changed stage: integer sums, exact in any order, so
    the counts of a full recount (`k_record`, `_pushed_halves`)."""
    for c in range(k):
        j = changed[c]
        _count_change(j, start[j], stage[j], province, graph, counting, by_province, total)


@_njit
def _select_roles(rng, month, choice, state, programme, counts, record_rows, buffers):
    """`Programme.select_roles` for the labs and the ambassadors (`choose_roles`, then
    `Programme.select`'s commitment: engaged, months in stage 0, driver "programme", counted
    as the programme's engagements) and their place among the labs and showcases (`buffers` =
    (labs, showcases, their sizes)); returns the uniforms drawn."""
    (role_months, role_sizes, package, green_deal, province_parks, starts, organisation,
     scores, central) = choice  # fmt: skip
    stage, role, months_in_stage, driver = state
    province, graph, counting, by_province, by_stage = counts
    engagements, credit = record_rows
    labs_buffer, showcase_buffer, sizes = buffers
    drawn = 0
    for which in range(2):
        if month != role_months[which]:
            continue
        role_value = LIVING_LAB if which == 0 else AMBASSADOR
        chosen, used = choose_roles(rng, role_sizes[which], role_value, package, green_deal,
                                    province_parks, starts, stage, role, organisation, scores,
                                    central)  # fmt: skip
        drawn += used
        committed = 0
        for i in chosen:
            role[i] = role_value
            programme[i] = True
            if stage[i] < ENGAGED:
                _count_change(i, stage[i], ENGAGED, province, graph, counting, by_province,
                              by_stage)  # fmt: skip
                stage[i] = ENGAGED
                months_in_stage[i] = 0
                driver[i] = PROGRAMME_DRIVER
                committed += 1
        if committed:  # `count_engagements(drivers, None)`
            engagements[PROGRAMME_DRIVER] += committed
            credit[PROGRAMME_DRIVER] += committed
        if which == 0:
            labs_buffer[: chosen.size] = chosen
            sizes[0] = chosen.size
        showcase_buffer[sizes[1] : sizes[1] + chosen.size] = chosen
        sizes[1] += chosen.size
    return drawn


@_njit
def _before_selection(state, engagements, credit, labs_buffer, sizes, selecting):
    """What the selections of this month change, saved for `_undo_selection` (empty when
    nothing is selected)."""
    if not selecting:
        empty = state[0][:0].copy()
        return (empty, state[1][:0].copy(), state[2][:0].copy(), state[3][:0].copy(),
                engagements[:0].copy(), credit[:0].copy(), labs_buffer[:0].copy(),
                sizes[:0].copy())  # fmt: skip
    return (state[0].copy(), state[1].copy(), state[2].copy(), state[3].copy(),
            engagements.copy(), credit.copy(), labs_buffer.copy(), sizes.copy())  # fmt: skip


@_njit
def _undo_selection(before, state, programme, counts, record_rows, buffers):
    """Undo this month's selections (a break: the month runs the Python way), counts included;
    nothing to do without them."""
    if before[0].size == 0:
        return
    province, graph, counting, by_province, by_stage = counts
    stage = state[0]
    for i in range(stage.size):
        if stage[i] != before[0][i]:
            _count_change(i, stage[i], before[0][i], province, graph, counting, by_province,
                          by_stage)  # fmt: skip
    state[0][:] = before[0]
    state[1][:] = before[1]
    state[2][:] = before[2]
    state[3][:] = before[3]
    for i in range(stage.size):
        programme[i] = state[1][i] != 0
    record_rows[0][:] = before[4]
    record_rows[1][:] = before[5]
    buffers[0][:] = before[6]
    buffers[1][:] = before[7]


@_njit
def k_months(rng, m0, m1, flags, programme_parts, gov, gov_parts, park_parts, ctx, records,
             january, scalars, granted, pots):  # fmt: skip
    """Months m0 .. m1-1 (see the module docstring). `scalars` = [maturity, certification
    credit, labelled parks, cost, label month, label route] is updated in place (the label's:
    -1 while it is not published), as are the state and record arrays.
    Returns (months done, DONE or BREAK, uniforms drawn in the breaking month)."""
    (active, deciding, label_on, label_pending, late_join_open, late_join_share,
     fallback, required, market_parks, head_done) = flags  # fmt: skip
    (labs_buffer, showcase_buffer, sizes, signal_table, growth, certification, speedup,
     choice) = programme_parts  # fmt: skip
    (tranche_places, province_parks, province_starts, scores, central, role_months, role_sizes,
     package) = choice  # fmt: skip
    (undecided, plan_term, pull, capacity_share, uptake_rate, compile_joins, caps, package,
     join_month, member_context, neighbours, neighbour_rate) = gov_parts  # fmt: skip
    awareness_base, campaign, boost, organisation_support = member_context
    (graph, s, places, role, ambition, months_in_stage, book, rate, grant, capacity,
     capacity_partner, coaching_utility, regulation, organising, fixed,
     counted) = park_parts  # fmt: skip
    (hazard_base, hazard, signal, support_offer, regulation_push, organisation_factor,
     national_awareness, visibility, cost0, mcr) = ctx  # fmt: skip
    (stage_counts, province_stages, engagements, credit_record, maturity_record,
     label_record, green_deal_record, green_deal_count, funded_record) = records  # fmt: skip
    (engagement_base, type_factors_, plan_months, stall_rate, peer_rate, coaching_speedup) = fixed
    stage, subsidised, coached, driver = s[0], s[3], s[4], s[6]
    progress, finished_month, duration = s[10:13]
    province, town = places
    green_deal, partner, partner_month = gov[4], gov[5], gov[8]
    money, rules, start_year = january
    regulation_on, regulated, event_rate = regulation
    support_active = organising[0]
    members_count = green_deal_count
    n, n_provinces = stage.size, hazard.size
    counting = graph[10]
    if counting:
        _sync_halves(stage, counted, graph)
    # the stage counts at the start, kept up to date from the parks that change stage
    by_province = np.zeros((n_provinces, N_STAGES), np.int64)
    by_stage = np.zeros(N_STAGES, np.int64)
    _count_stages(stage, province, by_province, by_stage)
    changed = np.empty(n, np.int64)
    scan_buffers = (np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64))
    coach_count = np.zeros(capacity.size, np.int64)
    programme = np.empty(n, np.bool_)
    for i in range(n):
        programme[i] = role[i] != 0
    state = (stage, role, months_in_stage, driver)
    counts = (province, graph, counting, by_province, by_stage)
    # what the months without selections keep for `_undo_selection`: nothing, made once
    nothing = _before_selection(state, engagements[0], credit_record[0], labs_buffer, sizes, False)
    for month in range(m0, m1):
        row = month + 1
        labelled = scalars[2]
        national = labelled / n
        # the month's head (programme step, decisions, pots) ran in Python (`_head_first`)
        head = not (head_done and month == m0)
        published = -1
        # 0. the programme's selections of labs and ambassadors, first in the month
        selecting = head and (month == role_months[0] or month == role_months[1])
        before = nothing
        if selecting:
            before = _before_selection(state, engagements[row], credit_record[row], labs_buffer,
                                       sizes, True)  # fmt: skip
        selected = 0  # uniforms drawn by the selections
        if selecting:
            selected = _select_roles(
                rng, month, (role_months, role_sizes, package, green_deal, province_parks,
                             province_starts, s[7], scores, central),
                state, programme, counts, (engagements[row], credit_record[row]),
                (labs_buffer, showcase_buffer, sizes),
            )  # fmt: skip
        labs, showcases = labs_buffer[: sizes[0]], showcase_buffer[: sizes[1]]
        # 1. the decisions that can break, before anything changes (but the selections, which
        # a break undoes: `_undo_selection`)
        if head and label_pending:  # the label is published in the month its route is ready
            route = _label_route(showcases, role, finished_month, required, market_parks,
                                 fallback, month)  # fmt: skip
            if route >= 0:  # kept in `scalars` once the month is done (a break re-runs it)
                label_pending, label_on, published = False, True, route
        if head and late_join_open and national >= late_join_share:
            _undo_selection(before, state, programme, counts, (engagements[row],
                            credit_record[row]), (labs_buffer, sizes))  # fmt: skip
            return month - m0, BREAK, selected
        drawn = 0
        joining = np.zeros(0, np.int64)
        n_joining = 0
        signed = np.zeros(n_provinces, np.bool_)
        any_signed = False
        if head and active and deciding:
            moving = by_stage[TRANSFORMING] + by_stage[LABELLED]  # stage >= TRANSFORMING
            drawn, signed, unsure = _provinces_sign(
                rng, undecided, plan_term, pull, capacity_share, uptake_rate, moving / n
            )
            any_signed = signed.any()
            if unsure or (any_signed and not compile_joins):
                _undo_selection(before, state, programme, counts, (engagements[row],
                                credit_record[row]), (labs_buffer, sizes))  # fmt: skip
                return month - m0, BREAK, drawn + selected
            members = green_deal.copy()  # the partners' decisions see this month's members
            for p in range(n_provinces):
                members[p] = members[p] or signed[p]
            decided, joining, n_joining, unsure = _partners_decide(
                rng, (gov[0], gov[1], gov[2], gov[3], members, gov[5], gov[6], gov[7]), stage
            )
            drawn += decided
            if unsure:
                _undo_selection(before, state, programme, counts, (engagements[row],
                                credit_record[row]), (labs_buffer, sizes))  # fmt: skip
                return month - m0, BREAK, drawn + selected
            if any_signed:  # the provinces join, with what a member gets (`_set_policy_context`)
                _join(signed, green_deal, package, join_month, caps, month)
                for p in range(n_provinces):
                    if signed[p]:
                        hazard_base[p] = awareness_base + campaign * boost
                        organisation_factor[p] = organisation_support
                        support_active[p] = True
                        members_count += 1
        # the tranche of stimulated parks (`choose_stimulated`, after the decisions)
        if head and active and tranche_places[month] > 0:
            aware_now = choose_tranche(
                rng, tranche_places[month], green_deal, province_parks, province_starts, stage,
                role, s[7], scores, central,
            )  # fmt: skip
            for i in aware_now:
                months_in_stage[i] = 0
                driver[i] = NO_DRIVER
                _count_change(i, UNAWARE, AWARE, province, graph, counting, by_province,
                              by_stage)  # fmt: skip
            for i in range(n):
                programme[i] = role[i] != 0
        # 2. programme: trajectories, maturity, certification capacity
        trajectories = head and active and speedup > 0
        km, kw, kc = _scan(s, role, ambition, speedup, trajectories, book, green_deal, province,
                           active, (town, coach_count), scan_buffers)  # fmt: skip
        if head:
            lab = _lab_progress(labs, stage, finished_month, progress, duration)
            scalars[0] += growth * (lab + national) * (1.0 - scalars[0])
            scalars[1] = min(scalars[1], 1.0) + certification
        # 3. partners join (their coaching), subsidies, coaching
        for j in range(n_joining):
            t = joining[j]
            partner[t] = True
            partner_month[t] = month
            capacity[t] = capacity_partner
            support_offer[t] = coaching_utility * 1.0
        if active:
            if head and month % 12 == 0:
                _fill_pots(money, green_deal, partner, gov[3], book[2], book[3], month,
                           funded_record[row])  # fmt: skip
            elif any_signed:
                _fund_new_members(money, green_deal, signed, partner, gov[3], book[2], month,
                                  funded_record[row])  # fmt: skip
            pots[month - m0][:, :] = money[0]
            _subsidy(rng, book, subsidised, province, role, rate, grant, month, n_provinces,
                     granted[month - m0], scan_buffers[:2], km, kw)  # fmt: skip
        _coach(rng, coached, town, capacity, programme, coach_count, scan_buffers[2], kc)
        if month % 12 == 0 and 2023 + month // 12 >= start_year:  # regulation.calendar_year
            regulation_on = _adopt_rules(rng, rules, stage, town, green_deal, partner, month,
                                         regulation_push)  # fmt: skip
        # 4. the month context (`_update_context`) and the parks
        for p in range(n_provinces):
            hazard[p] = hazard_base[p] + national_awareness * national
        if showcases.size == 0:
            for p in range(n_provinces):
                signal[p] = 0.0 + visibility * national
        else:
            count = np.zeros(n_provinces, np.int64)
            for i in showcases:
                if stage[i] >= TRANSFORMING:
                    count[province[i]] += 1
            for p in range(n_provinces):
                signal[p] = signal_table[count[p]] + visibility * national
        scalars[3] = cost0 * (1.0 - mcr * scalars[0])
        peer_weight, subsidy_offer, role_support, base, noise = engagement_base
        params = ((peer_weight, subsidy_offer, role_support, scalars[3], base, noise),
                  coaching_speedup, type_factors_, plan_months, stall_rate, peer_rate)  # fmt: skip
        start, everyone, new, credit = k_park_month(
            rng, graph, s, places,
            (hazard, signal, support_offer, regulation_push, organisation_factor),
            programme if active else coached, active, (regulation_on, regulated, event_rate),
            organising, params, month,
        )  # fmt: skip
        # 5. engagements (`count_engagements`), the label, the month end, the records
        if new.size:
            for j in range(new.size):
                engagements[row, driver[new[j]]] += 1
            total = credit[0].copy()
            for j in range(1, new.size):
                total += credit[j]
            credit_record[row] += total
        if label_on:
            scalars[1] = _label(rng, everyone, stage, finished_month, scalars[1])
        k = _month_end(months_in_stage, stage, start, changed)
        _changes(changed, k, stage, start, province, graph, counting, by_province, by_stage)
        province_stages[row][:, :] = by_province
        stage_counts[row][:] = by_stage
        scalars[2] = stage_counts[row, LABELLED]
        maturity_record[row] = scalars[0]
        label_record[row] = label_on
        green_deal_record[row] = members_count
        if published >= 0:
            scalars[4], scalars[5] = month, published
        if any_signed:  # the provinces' hazards follow the members (`signing_hazard`)
            mask = 0
            for p in range(n_provinces):
                undecided[p] = undecided[p] and not green_deal[p]
                if green_deal[p]:
                    mask += 1 << p
            for p in range(n_provinces):
                pull[p] = neighbour_rate * neighbours[mask, p]
            capacity_share = 1.0 - members_count / n_provinces
            late_join_open = late_join_open and members_count < n_provinces
    return m1 - m0, DONE, 0


# --- the Python side -----------------------------------------------------------------------------
def applies(model: WerklandschapModel) -> bool:
    """Whether the loop can run this model (else the per-month path runs)."""
    return (
        all(name in model.twins for name in REPLACES)
        and model.datacollector is None
        and model.park_class is Park
        and fused_applies(model.network)
        and model.rng.bit_generator.state.get("bit_generator") == "PCG64"
    )


def python_months(model: WerklandschapModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per month (0 .. model.months): whether it is known in advance to need the Python way
    (module docstring), whether it starts with the programme's selections (run in Python before
    the kernel runs the rest of the month, `_select_first`), and whether it is a tranche month
    (its head runs in Python, `_head_first`)."""
    p = model.params
    size, end = model.months + 1, p["programme_end_month"]
    chosen = [m for m in (p["lab_selection_month"], p["ambassador_selection_month"])
              if m not in kernel_selections(model)]  # fmt: skip
    if p["n_partner_parks"] > 0:
        chosen.append(p["partner_park_month"])
    selecting = _months_mask(size, chosen)
    python = np.zeros(size, bool)
    if model.realised is not None and green_deal.deciding(model):
        python |= _months_mask(size, model.realised.signed_month.tolist(), end)
    tranche = _months_mask(size, model.tranche_months, end) & ~python
    if p["selection_strategy"] in RANKED:  # the kernel chooses the tranche (`choose_tranche`)
        tranche[:] = False
    return python, selecting & ~python & ~tranche, tranche


def _months_mask(size: int, months: object, end: int | None = None) -> np.ndarray:
    """A mask over months 0 .. size-1, True at the (whole) months of `months` before `end`
    (`np.isin(np.arange(size), months) & (month < end)`, without its sort)."""
    mask = np.zeros(size, bool)
    top = size if end is None else min(size, end)
    for m in months:
        if m == int(m) and 0 <= m < top:
            mask[int(m)] = True
    return mask


def _stretch_end(calendar: np.ndarray, m0: int, last: int, bounds: tuple[int, int]) -> int:
    """The first month after m0 (up to `last`) that is a Python month or starts a new regime
    (`bounds`: the programme's end and the horizon, where the stage is recorded)."""
    later = np.flatnonzero(calendar[m0 + 1 : last]) + m0 + 1
    ends = [last, *(b for b in bounds if m0 < b < last)]
    if later.size:
        ends.append(int(later[0]))
    return min(ends)


def _parts(model: WerklandschapModel, active: bool, head_done: bool = False) -> tuple:
    """Everything `k_months` reads, from the model (arrays are the model's own: updated in
    place)."""
    p, s, ctx, data = model.params, model.park_state, model.context, model.data
    prog = model.programme
    flags = (
        active, green_deal.deciding(model), bool(prog.label_available),
        prog.label_month is None,
        prog.late_join_month is None and not model.province_green_deal.all(),
        float(p["late_join_share"]), int(p["label_fallback_month"]),
        int(p["label_ambassadors_required"]), int(p["market_label_parks"]), head_done,
    )  # fmt: skip
    choice = _choice_parts(model)
    labs, showcases = _programme_buffers(model, choice[6])
    counts = -np.arange(showcases.size + 1)
    signal_table = p["ambassador_reach"] * -np.expm1(counts)  # `showcase_signal` by count
    programme_parts = (
        labs, showcases, np.array([prog.labs.size, prog.showcases.size]), signal_table,
        float(p["maturity_growth"]), float(p["certification_capacity"]),
        float(p["trajectory_speedup"]), choice,
    )  # fmt: skip
    members = model.province_green_deal
    undecided = ~members
    if model.realised is not None:
        undecided &= ~(model.realised.signed_month >= 0)
    table = _neighbour_table(tuple(data.province_name))
    neighbours = table[int(np.sum(members << np.arange(members.size)))]
    planned = model._initial_green_deal()
    campaign = p["campaign_rate"] * p["campaign_intensity"] * active  # `_set_policy_context`
    member_context = (
        float(p["awareness_base_rate"]), float(campaign), float(p["green_deal_awareness_boost"]),
        float(p["organisation_support"]),
    )  # fmt: skip
    gov_parts = (
        undecided, p["green_deal_plan_rate"] * planned,
        p["green_deal_neighbour_rate"] * neighbours, float(1.0 - members.mean()),
        float(p["green_deal_uptake_rate"]), model.realised is None,
        np.array([p["green_deal_packages_a"], p["green_deal_packages_b"]], np.int64),
        model.province_package, model.province_join_month, member_context, table,
        float(p["green_deal_neighbour_rate"]),
    )  # fmt: skip
    parks, order = _invitation_order(data)
    gov = (
        data.park_municipality, parks, order, data.municipality_province, members,
        model.municipality_partner, int(p["partner_municipalities"]),
        (float(p["partner_invite_rate"]), float(p["partner_uptake_rate"])),
        model.municipality_partner_month,
    )  # fmt: skip
    book = model.subsidy
    f = _type_factors(p)
    fixed = (
        (float(p["peer_weight"]), float(ctx.subsidy_offer), float(p["role_support"]),
         float(p["engage_rate"]), float(p["decision_noise"])),
        f, float(p["plan_months"]), float(p["stall_rate"]), float(p["peer_awareness_rate"]),
        float(p["coaching_speedup"]),
    )  # fmt: skip
    support_active = members & active
    counts = _loop_counts(model)
    park_parts = (
        _graph(model.network, counts[:2]),
        (s.stage, s.own_motive, s.threshold, s.subsidised, s.coached, s.permit_event, s.driver,
         s.organisation, s.commitment, s.biz_vote_month, s.progress, s.finished_month,
         s.duration),
        (data.park_province, data.park_municipality), s.role, s.ambition, s.months_in_stage,
        (book.applied_month, book.tie, model.province_budget, book.spent_this_year),
        float(p["subsidy_application_rate"]), float(subsidy.grant_meur(p)),
        model._capacity_during if active else model._capacity_after,
        model._capacity_during.dtype.type(p["coaching_capacity_partner"]),
        float(p["coaching_utility"]),
        (bool(model.regulation_on), model.municipality_regulated, float(p["permit_event_rate"])),
        (support_active, organise_params(p)),
        fixed,
        counts[2],
    )  # fmt: skip
    context = (
        model._awareness_hazard, np.empty(data.n_provinces), np.empty(data.n_provinces),
        ctx.support_offer, ctx.regulation_push, ctx.organisation_factor,
        float(p["national_awareness_rate"]), float(p["national_visibility"]), float(p["cost"]),
        float(p["maturity_cost_reduction"]),
    )  # fmt: skip
    records = (
        model._stage_counts, model._province_stages, model._engagements, model._credit,
        model._maturity, model._label, model._green_deal,
        np.int8(np.count_nonzero(members)), model._funded,
    )  # fmt: skip
    scope = {"all": 0, "green_deal": 1}.get(p["regulation_scope"], 2)
    money = (
        book.pot, book.funded, float(p["growth_fund_meur"] * p["growth_fund_subsidy_share"]),
        float(p["province_cofinancing_meur"]), float(p["municipality_cofinancing_meur"]),
        len(model.settings.green_deal_names()), int(p["programme_end_month"]),
    )  # fmt: skip
    logit = tuple(float(p[f"regulation_{name}"]) for name in (
        "adoption_logit", "partner_weight", "province_weight", "uptake_weight",
    ))  # fmt: skip
    rules = (
        model.regulation_adopted, model.regulation_adoption_month, model.municipality_regulated,
        scope, logit, float(p["regulation_push"]), parks, data.municipality_province,
    )  # fmt: skip
    january = (money, rules, int(p["regulation_start_year"]))
    return flags, programme_parts, gov, gov_parts, park_parts, context, records, january


def _choice_parts(model: WerklandschapModel) -> tuple:
    """What the kernel's choices read (model/compiled_selection.py): the places of each tranche
    month it chooses (0 in any other month, and in every month under a strategy it does not
    rank), the parks by province, the score arrays, whether the score is the weighted degree
    ("central"), the months of the labs' and the ambassadors' selections it makes (-1: none,
    `kernel_selections`), how many of each, and the provinces' packages."""
    p = model.params
    strategy = p["selection_strategy"]
    places = np.zeros(model.months + 1, np.int64)
    if strategy in RANKED:
        for month, k in model.tranche_months.items():
            if month < places.size:
                places[month] = k
    parks, starts = _province_parks(model.data)
    s = model.park_state
    scores = (s.challenge, s.earning_capacity, s.ambition, s.commitment,
              model.network.park_degree)  # fmt: skip
    months = np.array([-1, -1], np.int64)
    for j, month in enumerate(kernel_selections(model)):
        months[j] = month
    sizes = np.array([p["n_living_labs"], p["n_ambassadors"]], np.int64)
    return (places, parks, starts, scores, strategy == "central", months, sizes,
            model.province_package)  # fmt: skip


def kernel_selections(model: WerklandschapModel) -> tuple[int, int]:
    """The months of the labs' and the ambassadors' selections that the kernel makes (-1:
    Python's): under the "decision" rule, a ranked strategy and no realised parks, unless the
    partner parks are named in the same month (the month's selections then all run in Python)."""
    p = model.params
    if not (green_deal.deciding(model) and p["selection_strategy"] in RANKED) or (
        model.realised is not None
    ):
        return -1, -1
    partner = p["partner_park_month"] if p["n_partner_parks"] > 0 else None
    months = (p["lab_selection_month"], p["ambassador_selection_month"])
    return tuple(-1 if m == partner else int(m) for m in months)


def _programme_buffers(model: WerklandschapModel, sizes: np.ndarray) -> tuple:
    """The labs and the showcases with room for the selections still to come (`sizes`: how
    many labs and ambassadors), for the kernel to fill (their sizes in `programme_parts`)."""
    prog = model.programme
    labs = np.zeros(max(prog.labs.size, int(sizes[0])), np.int64)
    labs[: prog.labs.size] = prog.labs
    showcases = np.zeros(prog.showcases.size + int(sizes.sum()), np.int64)
    showcases[: prog.showcases.size] = prog.showcases
    return labs, showcases


_PROVINCE_PARKS: dict[int, tuple] = {}  # id(data) -> (data, parks by province, their starts)


def _province_parks(data: object) -> tuple[np.ndarray, np.ndarray]:
    """`parks_by_province`'s groups as one array and its group starts (once per data set)."""
    known = _PROVINCE_PARKS.get(id(data))
    if known is None or known[0] is not data:
        counts, groups = parks_by_province(data)
        starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        known = (data, np.concatenate(groups).astype(np.int64), starts)
        _PROVINCE_PARKS[id(data)] = known
    return known[1], known[2]


def _loop_counts(model: WerklandschapModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The neighbours' halves of both stage values per park that the month loop keeps up to
    date, kept by the model between stretches (a full push costs ~60 µs a stretch), and the
    stages they were counted for (`_stretch` writes them after each call; -1: none yet)."""
    counts = model.__dict__.get("_loop_counts")
    if counts is None:
        n = model.park_state.stage.size
        counts = (np.zeros(n, np.int64), np.zeros(n, np.int64), np.full(n, -1, np.int8))
        model._loop_counts = counts
    return counts


_NEIGHBOUR_TABLES: dict[tuple[str, ...], np.ndarray] = {}


def _neighbour_table(names: tuple[str, ...]) -> np.ndarray:
    """Per set of members (a bit mask over the provinces): `signing_hazard`'s share of each
    province's neighbours that are members, computed by numpy's own product for every set
    (the sums of a province's 1/degree shares may round differently in another order); once
    per process (4,096 sets of twelve provinces)."""
    table = _NEIGHBOUR_TABLES.get(names)
    if table is None:
        matrix = green_deal._neighbour_matrix(names)
        sets = np.arange(2 ** len(names))[:, None] >> np.arange(len(names)) & 1 == 1
        table = np.array([matrix @ members for members in sets])
        table.flags.writeable = False
        _NEIGHBOUR_TABLES[names] = table
    return table


def _stretch(
    model: WerklandschapModel, m0: int, m1: int, head_done: bool, grants: tuple
) -> tuple[int, bool]:
    """Run months m0 .. m1-1 in the kernel (`head_done`: the head of month m0 ran in Python);
    returns (months done, broke). `grants` = (grants per province, pots), a row per month from
    m0 on, written by the kernel for `_book_grants`."""
    active = m0 < model.params["programme_end_month"]
    parts = _parts(model, active, head_done)
    context = parts[5]
    prog = model.programme
    scalars = np.array([prog.maturity, prog._certification_credit, model._labelled, 0.0, -1, -1])
    granted, pots = grants
    stream = stream_of(model.rng)  # numpy's PCG64 state, stepped in the kernel
    done, why, drawn = k_months(stream, m0, m1, *parts, scalars, granted, pots)
    stream_back(model.rng, stream)
    model._loop_counts[2][:] = model.park_state.stage  # the stages the counts are for now
    if why == BREAK and drawn:
        model.rng.bit_generator.advance(-drawn)
    if done:
        labs, showcases, sizes = parts[1][:3]  # the selections the kernel made
        prog.labs, prog.showcases = labs[: sizes[0]].copy(), showcases[: sizes[1]].copy()
        prog.maturity = float(scalars[0])
        prog._certification_credit = float(scalars[1])
        model._labelled = int(scalars[2])
        ctx = model.context
        ctx.awareness_hazard, ctx.province_signal = context[1], context[2]
        ctx.cost = float(scalars[3])
        if scalars[4] >= 0:  # the label became available in the kernel
            prog.label_month, prog.label_route = int(scalars[4]), LABEL_ROUTES[int(scalars[5])]
        ctx.label_available = prog.label_available
        # the kernel updated the coaching offer and the rules' push in place
        model.regulation_on = bool(model.regulation_adopted.any())
        model._regime = model._regime_key(active)
        model.month = m0 + done - 1
    return done, why == BREAK


def _book_grants(model: WerklandschapModel, m0: int, granted: np.ndarray, pots: np.ndarray) -> None:
    """Book the grants of months m0.. by source (`subsidy.pay`'s `record_money`), once per
    `_run` (each month's row is booked once, by the kernel or by a Python month's `pay`): per
    month with grants, M€ per province @ the sources' shares of that month's pots. One stacked
    product for all those months: numpy's matmul runs the same vector-matrix product on each
    (months, 1, provinces) @ (months, provinces, sources) slice as on `pay`'s vector @ matrix,
    and the shares are elementwise sums and divisions, so the numbers are `pay`'s (a test)."""
    months = np.flatnonzero(granted.any(axis=1))
    if months.size == 0:
        return
    money = subsidy.grant_meur(model.params) * granted[months]
    spent = np.matmul(money[:, None, :], subsidy.source_shares(pots[months]))[:, 0, :]
    model._spent[m0 + 1 + months] += spent


def run_months(model: WerklandschapModel, months: int) -> bool:
    """Run `months` months (the batch path); False (nothing done) when the loop does not apply.
    Mesa's event loop is bypassed: its monthly event is paused and resumed after, and
    `model.time` / `model.steps` are kept as the event loop keeps them."""
    if months <= 0 or not applies(model) or int(model.time) + months > model.months:
        return False
    generator = model._default_schedule
    generator.pause()
    try:
        _run(model, months)
    except SystemError as error:  # Ctrl-C inside a compiled kernel: still a Ctrl-C
        if interrupted(error):
            raise KeyboardInterrupt from None
        raise
    finally:
        generator.resume()
    return True


def _run(model: WerklandschapModel, months: int) -> None:
    last = int(model.time) + months
    horizon = model.params["horizon_months"]
    calendar, selecting, tranche = python_months(model)
    starts = calendar | selecting | tranche  # a stretch ends before each
    bounds = (model.params["programme_end_month"], horizon)
    first = int(model.time)
    granted = np.zeros((last - first, model.data.n_provinces), np.int64)
    pots = np.zeros((last - first, *model.subsidy.pot.shape))  # each month's pots, for the booking
    try:
        while int(model.time) < last:
            m0 = int(model.time)
            if calendar[m0] or _unfunded(model, m0):
                _one_python_month(model)
                continue
            if model._regime is None:  # the first month: the policy context of the start
                model._set_policy_context(m0 < bounds[0])
                model._regime = model._regime_key(m0 < bounds[0])
            if m0 == bounds[0]:
                _end_programme(model)
            head_done = bool(tranche[m0])
            if head_done:
                _head_first(model, m0)
            before = _select_first(model, m0) if selecting[m0] else None
            m1 = _stretch_end(starts, m0, last, bounds)
            grants = (granted[m0 - first :], pots[m0 - first :])
            done, broke = _stretch(model, m0, m1, head_done, grants)
            if broke and not done and before is not None:  # the whole month goes to Python
                _restore(model, before)
            _count(model, compiled=done, stretches=1, breaks=int(broke))
            model.time = float(m0 + done)
            model.steps += done
            if done and m0 < horizon <= m0 + done:
                model._stage_at_horizon = model.park_state.stage.copy()
            if broke:
                _one_python_month(model)
    finally:  # the months done, also on an interrupt
        _book_grants(model, first, granted, pots)
    if int(model.time) >= model.months:
        model.running = False


def _head_first(model: WerklandschapModel, month: int) -> None:
    """The head of a tranche month runs the Python way, before the kernel runs the rest of it
    (no break can come there): the programme's step (label and late join included), the
    governments' decisions, the tranche (`Province.step_all` up to the subsidy step) and this
    month's pots (`subsidy.refill_pots`); its policy context is set after them."""
    prog = model.programme
    model.month, model.time = month, float(month + 1)  # as the Python month (the records' row)
    prog.step()
    model.context.programme_active = True
    green_deal.step(model)
    choose_stimulated(model, model.tranche_months[month])
    subsidy.refill_pots(model)
    model._set_policy_context(True)
    model._regime = model._regime_key(True)
    model.time = float(month)


def _select_first(model: WerklandschapModel, month: int) -> tuple:
    """The month's selections (`Programme.select_roles`, the first thing in the month and the
    first draws) run the Python way before the kernel runs the rest of the month; returns what
    they change, for `_restore` when the kernel breaks in that month."""
    s, prog, row = model.park_state, model.programme, month + 1
    before = (
        model.rng.bit_generator.state, s.role.copy(), s.stage.copy(), s.months_in_stage.copy(),
        s.driver.copy(), model._engagements[row].copy(), model._credit[row].copy(), prog.labs,
        prog.showcases, model.month,
    )  # fmt: skip
    model.month, model.time = month, float(month + 1)  # as the Python month (engagements' row)
    prog.select_roles()
    model.time = float(month)
    return before


def _restore(model: WerklandschapModel, before: tuple) -> None:
    """Undo `_select_first` (state, records and stream), so the month can run the Python way."""
    s, prog = model.park_state, model.programme
    state, role, stage, months_in_stage, driver, engagements, credit = before[:7]
    model.rng.bit_generator.state = state
    s.role[:], s.stage[:], s.months_in_stage[:], s.driver[:] = role, stage, months_in_stage, driver
    row = int(model.time) + 1
    model._engagements[row], model._credit[row] = engagements, credit
    prog.labs, prog.showcases, model.month = before[7], before[8], before[9]


def _end_programme(model: WerklandschapModel) -> None:
    """What the first month after the programme changes before its parks decide, done before
    the kernel runs it: the pots close (`subsidy.close_programme`, nothing reads them earlier in
    the month) and the context of the programme's end (`_set_policy_context`; a rule adopted
    in that month sets its push in the kernel, as the recomputed context would)."""
    subsidy.close_programme(model)
    model.context.programme_active = False
    model._set_policy_context(False)
    model._regime = model._regime_key(False)


def _unfunded(model: WerklandschapModel, month: int) -> bool:
    """A member without this year's pot (it would be funded this month: Python)."""
    return month < model.params["programme_end_month"] and bool(
        (model.province_green_deal & ~model.subsidy.funded).any()
    )


def _one_python_month(model: WerklandschapModel) -> None:
    _count(model, python=1)
    model.time = float(int(model.time) + 1)
    model.steps += 1
    model._month()


def _count(model: WerklandschapModel, **counts: int) -> None:
    """Add to `model.loop_counts`: months run the Python way ("python") and in the kernel
    ("compiled"), kernel calls ("stretches") and breaks (a copy of the model, the no-peers
    twin, starts from its original's counts)."""
    known = model.__dict__.setdefault("loop_counts", dict.fromkeys(LOOP_COUNTS, 0))
    for name, k in counts.items():
        known[name] += k
