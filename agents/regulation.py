"""Regulation through events: municipalities decide to adopt the 'new normal' rule, and the rule
binds a park only in a month with a permit or redevelopment event (docs/ODD.md §7.4, §7.8).

- `adopt_rules` (municipalities, each month from `Municipality.step_all`): every January from
  `regulation_start_year` on, each municipality of `regulation_scope` that has no rule yet adopts
  it with the yearly chance
      logistic(`regulation_adoption_logit` + `regulation_partner_weight`·[partner]
               + `regulation_province_weight`·[its province has signed the Green Deal]
               + `regulation_uptake_weight`·uptake),
  uptake = share of its parks engaged, transforming or labelled at the start of the month. One
  uniform per candidate municipality, in municipality index order. A rule, once adopted, stays.
- `permit_events` (parks, first park step of the month): every park in a municipality with the
  rule has an event this month with chance `permit_event_rate`. One uniform per such park, in
  park index order; no draw at all while no municipality has the rule.
- `obligation` (inside the engagement rule): an aware park with an event must decide this month
  (rate 1 instead of `engage_rate`: a permit cannot wait) and its utility that month carries
  `regulation_push`, the strength of the obligation. A park without an event decides exactly as
  without regulation.
- `event_credit`: the marginal credits (ODD §7.4) of engagements, where removing regulation from
  an event park removes both the push and the forced decision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit as sigmoid

from werklandschap.agents.decision import engagement_chance, marginal_credit

if TYPE_CHECKING:
    from werklandschap.agents.park import ParkState
    from werklandschap.model.model import WerklandschapModel

#: Stages that count as local uptake for a municipality's decision (engaged or further).
FIRST_UPTAKE_STAGE = 2  # Stage.ENGAGED; agents/park.py imports this module, so no import back


def calendar_year(month: int) -> int:
    """The calendar year of model month `month` (0 = January 2023)."""
    return 2023 + month // 12


def local_uptake(model: WerklandschapModel) -> np.ndarray:
    """Per municipality: share (0-1) of its parks engaged, transforming or labelled now."""
    town = model.data.park_municipality
    n_towns = model.data.n_municipalities
    parks = np.bincount(town, minlength=n_towns)
    taking_up = np.bincount(town[model.park_state.stage >= FIRST_UPTAKE_STAGE], minlength=n_towns)
    return np.divide(taking_up, parks, out=np.zeros(n_towns), where=parks > 0)


def adoption_chance(model: WerklandschapModel) -> np.ndarray:
    """Per municipality: yearly chance (0-1) of adopting the rule if it is a candidate."""
    p = model.params
    in_green_deal = model.province_green_deal[model.data.municipality_province]
    logit = (
        p["regulation_adoption_logit"]
        + p["regulation_partner_weight"] * model.municipality_partner
        + p["regulation_province_weight"] * in_green_deal
        + p["regulation_uptake_weight"] * local_uptake(model)
    )
    return sigmoid(logit)


def adopt_rules(model: WerklandschapModel) -> None:
    """Municipalities' yearly decisions (each January from `regulation_start_year`); the
    regulated set is then set from the decisions every month, so nothing else can switch a
    rule on without a decision."""
    due = calendar_year(model.month) >= model.params["regulation_start_year"]
    if due and model.month % 12 == 0:
        candidates = np.flatnonzero(model.regulation_scope_mask() & ~model.regulation_adopted)
        if candidates.size:
            chance = adoption_chance(model)[candidates]
            adopting = candidates[model.rng.random(candidates.size) < chance]
            model.regulation_adopted[adopting] = True
            model.regulation_adoption_month[adopting] = model.month
    model.municipality_regulated[:] = model.regulation_adopted
    model.regulation_on = bool(model.regulation_adopted.any())


def permit_events(model: WerklandschapModel, s: ParkState) -> None:
    """This month's permit/redevelopment events (`s.permit_event`): one uniform per park in a
    municipality with the rule, in park index order (no draw while no municipality has one)."""
    s.permit_event[:] = False
    if not model.regulation_on:
        return
    concerned = np.flatnonzero(model.municipality_regulated[model.data.park_municipality])
    draws = model.rng.random(concerned.size)
    s.permit_event[concerned] = draws < model.params["permit_event_rate"]


def obligation(
    model: WerklandschapModel, s: ParkState, parks: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For aware `parks`: the regulation utility term (`regulation_push` at an event in a
    municipality with the rule, else 0) and the monthly decision rate (1 at such an event, else
    `engage_rate`)."""
    binding = s.permit_event[parks]
    push = model.context.regulation_push[model.data.park_municipality[parks]]
    term = np.where(binding, push, 0.0)
    rate = np.where(binding, 1.0, model.params["engage_rate"])
    return term, rate


def event_credit(
    chance: np.ndarray,
    terms: np.ndarray,
    utility: np.ndarray,
    threshold: np.ndarray,
    rate: np.ndarray,
    p: dict,
) -> np.ndarray:
    """Marginal credits (ODD §7.4) for engagements decided at `rate`: programme and peers are
    removed at the park's own rate; removing regulation (terms[2]) also restores `engage_rate`,
    and so does the intrinsic counterfactual (all channels removed)."""
    from werklandschap.agents.park import Driver  # park imports this module

    credit = marginal_credit(chance, terms, utility, threshold, {**p, "engage_rate": rate})
    base, noise = p["engage_rate"], p["decision_noise"]
    without = engagement_chance(utility - terms[2], threshold, base, noise)
    credit[:, Driver.REGULATION] = np.clip(1.0 - without / chance, 0.0, 1.0)
    alone = engagement_chance(utility - terms.sum(axis=0), threshold, base, noise)
    credit[:, Driver.INTRINSIC] = np.clip(alone / chance, 0.0, 1.0)
    return credit
