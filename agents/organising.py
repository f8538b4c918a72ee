"""Organisation by type (docs/ODD.md §7.5): how parks organise, and what the type does afterwards.

Three types of collective organisation (EVIDENCE "Organisation degree"):
- a business **association**: the quick, cheap route, without money or a professional organiser;
- **park management**: a hired organisation; the chance to hire one grows with commitment (it
  costs money);
- a **BIZ** (business improvement zone): the firms vote; the vote passes with a turnout of at least
  50% and at least 2/3 in favour, and then a levy (~EUR 400k per 5-year term) pays for the work.
  A failed vote leaves the park as it was (unorganised or an association); it may vote again after
  `biz_retry_months`. BIZ terms are taken as renewed for the rest of the run (an assumption; in
  2020 4 business-park BIZ were renewed, EVIDENCE).

Two routes to a BIZ:
- **organic**: every park without a BIZ, whatever its stage, forms one at the monthly hazard
  `biz_formation_rate` (the historical BIZ series, with or without the programme);
- **programme**: an engaged park without a BIZ in a Green Deal province holds a BIZ vote at
  `biz_initiative_rate` while the programme runs (the programme's support for BIZ formation).
  Outside that support, BIZ arise only organically, so a run without the programme forms BIZ at the
  historical pace.

Afterwards the type sets factors on planning speed, transformation progress and the stall chance
(association and unorganised = 1): `type_factors`.

Random draws (the compiled core reproduces them): rule 3 draws, in this order,
1. `organic_biz`: Bernoulli trials over the parks without a BIZ, in park index order, drawn by
   their gaps (`trials.successes`: one uniform per BIZ formed and one more);
2. `choose_organisation`: one uniform per concerned engaged park (unorganised, or an association
   that may hold a BIZ vote), in the order of the engaged parks of the month (`MonthStart.engaged`);
3. `biz_vote`: one uniform per park that holds a vote, in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from werklandschap.agents.park import Organisation
from werklandschap.agents.trials import successes

if TYPE_CHECKING:
    from werklandschap.agents.park import MonthStart, ParkState
    from werklandschap.model.model import WerklandschapModel

BIZ_TURNOUT = 0.5  # legal quorum of a BIZ vote: at least half of the firms vote
BIZ_MAJORITY = 2.0 / 3.0  # and at least two thirds of the votes are in favour
NEVER_VOTED = -1  # `ParkState.biz_vote_month` of a park that never held a BIZ vote


@dataclass(frozen=True)
class TypeFactors:
    """Factors by organisation type (index = Organisation; association and none = 1)."""

    plan: np.ndarray  # on the planning speed (the hazard 1 / plan_months)
    transform: np.ndarray  # on the monthly transformation progress
    stall: np.ndarray  # on the monthly stall chance


def type_factors(p: dict) -> TypeFactors:
    """The per-type factors of rules 4–6 from the parameters (dimensionless)."""

    def by_type(park_management: float, biz: float) -> np.ndarray:
        factors = np.ones(len(Organisation))
        factors[Organisation.PARK_MANAGEMENT] = park_management
        factors[Organisation.BIZ] = biz
        return factors

    return TypeFactors(
        plan=by_type(p["plan_speed_park_management"], p["plan_speed_biz"]),
        transform=by_type(p["transform_speed_park_management"], p["transform_speed_biz"]),
        stall=by_type(p["stall_factor_park_management"], p["stall_factor_biz"]),
    )


def biz_support_active(model: WerklandschapModel) -> np.ndarray:
    """Per province: does the programme support BIZ formation this month (a Green Deal province
    while the programme runs)?"""
    return model.province_green_deal & bool(model.context.programme_active)


def may_vote(s: ParkState, parks: np.ndarray, month: int, retry_months: int) -> np.ndarray:
    """Which of `parks` may hold a BIZ vote this month: never voted, or the last vote was at
    least `retry_months` months ago (bool per park)."""
    last = s.biz_vote_month[parks]
    return (last == NEVER_VOTED) | (month - last >= retry_months)


def vote_pass_chance(commitment: np.ndarray, p: dict) -> np.ndarray:
    """Probability that a park's BIZ vote passes (0-1 per park), as `biz_vote` decides it.

    Turnout = the park's commitment (0-1: the share of firms that care enough to vote); the share
    in favour = `biz_support_mean` + `biz_support_spread` · (2u − 1), u uniform. The vote passes
    when turnout >= 50% and the share in favour >= 2/3."""
    mean, spread = p["biz_support_mean"], p["biz_support_spread"]
    chance_majority = np.clip((mean + spread - BIZ_MAJORITY) / (2 * spread), 0.0, 1.0)
    return np.where(np.asarray(commitment) >= BIZ_TURNOUT, chance_majority, 0.0)


def vote_passes(commitment: np.ndarray, u: np.ndarray, p: dict) -> np.ndarray:
    """The outcome of BIZ votes given one uniform `u` per vote (see `vote_pass_chance`)."""
    in_favour = p["biz_support_mean"] + p["biz_support_spread"] * (2 * np.asarray(u) - 1)
    return (np.asarray(commitment) >= BIZ_TURNOUT) & (in_favour >= BIZ_MAJORITY)


def organic_biz(model: WerklandschapModel, s: ParkState) -> None:
    """Organic BIZ formation: each park without a BIZ forms one at `biz_formation_rate` per
    month (Bernoulli trials over those parks in index order, drawn by their gaps: one uniform
    per BIZ formed and one more, `trials.successes`)."""
    i = np.flatnonzero(s.organisation != Organisation.BIZ)
    formed = i[successes(model.rng, i.size, model.params["biz_formation_rate"])]
    s.organisation[formed] = Organisation.BIZ


def choose_organisation(model: WerklandschapModel, s: ParkState, m: MonthStart) -> np.ndarray:
    """Engaged parks organise by type, one uniform u per concerned park (competing chances).

    An unorganised park forms an association when u < a, hires park management when
    a <= u < a + pm, and holds a BIZ vote when a + pm <= u < a + pm + b; an association that may
    vote holds one when u < b. With o_p the province's organisation factor and v_i the support
    speed: a = `association_rate`·o_p·v_i, pm = `park_management_rate`·commitment·o_p·v_i,
    b = `biz_initiative_rate`·o_p·v_i where the programme supports BIZ formation and the park may
    vote (else 0). Where a + pm + b exceeds 1 (strong support), the later routes get what is
    left. Returns the parks that hold a BIZ vote."""
    p, ctx = model.params, model.context
    engaged = m.engaged
    org = s.organisation[engaged]
    province = model.data.park_province[engaged]
    can_vote = biz_support_active(model)[province] & may_vote(
        s, engaged, model.month, p["biz_retry_months"]
    )
    concerned = (org == Organisation.NONE) | ((org == Organisation.ASSOCIATION) & can_vote)
    i = engaged[concerned]
    unorganised = org[concerned] == Organisation.NONE
    scale = ctx.organisation_factor[province[concerned]] * m.speed[i]
    a = p["association_rate"] * scale * unorganised
    pm = p["park_management_rate"] * s.commitment[i] * scale * unorganised
    b = p["biz_initiative_rate"] * scale * can_vote[concerned]
    u = model.rng.random(i.size)
    s.organisation[i[u < a]] = Organisation.ASSOCIATION
    s.organisation[i[(u >= a) & (u < a + pm)]] = Organisation.PARK_MANAGEMENT
    return i[(u >= a + pm) & (u < a + pm + b)]


def biz_vote(model: WerklandschapModel, s: ParkState, voters: np.ndarray) -> None:
    """The BIZ votes of this month (one uniform per voter, in the order given): a passed vote
    makes the park a BIZ; a failed one leaves it as it was. The month is recorded either way."""
    u = model.rng.random(voters.size)
    passed = vote_passes(s.commitment[voters], u, model.params)
    s.organisation[voters[passed]] = Organisation.BIZ
    s.biz_vote_month[voters] = model.month


def organise(model: WerklandschapModel, s: ParkState, m: MonthStart) -> None:
    """Rule 3 (docs/ODD.md §7.5): organic BIZ formation, then engaged parks organise by type and
    hold their BIZ votes."""
    organic_biz(model, s)
    voters = choose_organisation(model, s, m)
    biz_vote(model, s, voters)
