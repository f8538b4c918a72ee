"""REFERENCE IMPLEMENTATION of the park rules — a test oracle and a teaching aid, not a model.

The same monthly park rules as `agents/park.py:step_parks`, written the plain Mesa way: every Park
agent decides in its own `step()`, the agents are activated in random order with
`AgentSet.shuffle_do`, and each park reads its neighbours one by one. Everything else — parameter
spec, data, network, programme, provinces, municipalities, recording — is shared with the real
model; only the park step is re-expressed. Docking tests (tests/test_docking.py) check that both
give the same distributions of outcomes (Axtell et al. 1996).

Engagements are credited to channels by marginal effect (`marginal_effects`, docs/ODD.md §7.4),
as in the vectorised step. Like the vectorised step, peer signals use the stages at the start of
the month (synchronous updating), so the activation order does not matter for the outcome
distribution. It is slow by design (about 100x slower): use `WerklandschapModel` for real work.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from werklandschap.agents.organising import NEVER_VOTED, vote_passes
from werklandschap.agents.park import CHANNELS, Driver, Organisation, Park, Role, Stage
from werklandschap.model.model import WerklandschapModel

# Plain ints: comparing numpy scalars with IntEnum members is slow, one agent at a time.
UNAWARE, AWARE, ENGAGED, TRANSFORMING, LABELLED = (int(stage) for stage in Stage)
NO_ORGANISATION, REGULAR = int(Organisation.NONE), int(Role.REGULAR)
ASSOCIATION, PARK_MANAGEMENT, BIZ = (
    int(o) for o in (Organisation.ASSOCIATION, Organisation.PARK_MANAGEMENT, Organisation.BIZ)
)

AWARE_OR_BEYOND = {0: 0.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0}  # by stage
ADOPTING = {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.5, 4: 1.0}  # labelled 1, transforming 0.5


class ReferencePark(Park):
    """A park that takes its monthly decisions on its own (see module docstring)."""

    @staticmethod
    def step_all(model: ReferenceModel) -> None:
        model.parks  # noqa: B018 - make sure every park exists as an agent
        model.stage_at_start = model.park_state.stage.copy()
        model.stages_at_start = model.stage_at_start.tolist()  # plain ints: fast to read one by one
        model.park_state.permit_event[:] = False
        model.town_regulated = model.municipality_regulated.tolist()
        model.agents_by_type[ReferencePark].shuffle_do("step")
        certify_in_order_of_finishing(model)
        s = model.park_state
        changed = s.stage != model.stage_at_start
        s.months_in_stage += 1
        s.months_in_stage[changed] = 0

    def neighbour_share(self, value_of: dict[int, float]) -> float:
        """Weighted mean of value_of[stage at the start of the month] over my neighbours."""
        neighbours, weights = self.model.neighbour_lists[self.index]
        start = self.model.stages_at_start
        total = weight_sum = 0.0
        for j, w in zip(neighbours, weights, strict=True):
            total += w * value_of[start[j]]
            weight_sum += w
        return total / weight_sum if weight_sum > 0 else 0.0

    def consider_engaging(self) -> None:
        """Rule 2 for one aware park: local ties, province showcase and national visibility;
        the engagement is credited by marginal effect."""
        model, i = self.model, self.index
        p, ctx, s, rng = model.params, model.context, model.park_state, model.rng
        town, province = model.data.park_municipality[i], model.data.park_province[i]
        local = self.neighbour_share(ADOPTING)
        peer_term = p["peer_weight"] * local + ctx.province_signal[province]
        support = ctx.support_offer[town] + (ctx.subsidy_offer if s.subsidised[i] else 0.0)
        if ctx.programme_active and s.role[i] != REGULAR:
            support += p["role_support"]
        # the rule binds only at a permit event: a push and a decision that cannot wait
        event = bool(s.permit_event[i])
        regulation = ctx.regulation_push[town] if event else 0.0
        rate = 1.0 if event else p["engage_rate"]
        utility = s.own_motive[i] + peer_term + support + regulation - ctx.cost
        chance = engagement_probability(utility, s.threshold[i], p, rate)
        if rng.random() < chance:
            s.stage[i] = ENGAGED
            credit = marginal_effects(
                chance, (support, peer_term, regulation), utility, s.threshold[i], p, rate
            )
            s.driver[i] = max(credit, key=credit.get)
            row = np.zeros((1, len(Driver)))
            for driver, share in credit.items():
                row[0, driver] = share
            model.count_engagements(np.array([s.driver[i]]), row)

    def step(self) -> None:
        model, i = self.model, self.index
        p, ctx, s, rng = model.params, model.context, model.park_state, model.rng
        province = model.data.park_province[i]
        start = model.stages_at_start[i]

        # 0. Permit/redevelopment event, in a municipality with the rule
        if model.town_regulated[model.data.park_municipality[i]]:
            s.permit_event[i] = rng.random() < p["permit_event_rate"]

        # 1. Awareness
        if s.stage[i] == UNAWARE:
            share = self.neighbour_share(AWARE_OR_BEYOND)
            hazard = ctx.awareness_hazard[province] + p["peer_awareness_rate"] * share
            if rng.random() < 1.0 - math.exp(-hazard):
                s.stage[i] = AWARE

        # 2. Engagement (docs/ODD.md §7.4)
        if s.stage[i] == AWARE:
            self.consider_engaging()

        supported = bool(s.coached[i] or s.subsidised[i]) or (
            ctx.programme_active and s.role[i] != REGULAR
        )
        speed = 1.0 + p["coaching_speedup"] * supported

        # 3. Organisation (agents/organising.py): organic BIZ, then by type if engaged
        if s.organisation[i] != BIZ and rng.random() < p["biz_formation_rate"]:
            s.organisation[i] = BIZ
        if s.stage[i] == ENGAGED:
            self.organise_by_type(speed)

        # 4. Planning (faster by organisation type)
        org = int(s.organisation[i])
        if s.stage[i] == ENGAGED and org != NO_ORGANISATION:
            plan = p["plan_months"]
            rate = speed * type_factor(p, "plan_speed", org) / plan if plan > 0 else 0.0
            if plan <= 0 or rng.random() < 1.0 - math.exp(-rate):
                s.stage[i] = TRANSFORMING
                s.progress[i] = 0.0

        # 5. Transformation
        if start == TRANSFORMING and s.stage[i] == TRANSFORMING:
            s.progress[i] += speed * type_factor(p, "transform_speed", org)
        transforming = s.stage[i] == TRANSFORMING and s.finished_month[i] < 0
        if transforming and s.progress[i] >= s.duration[i]:
            s.finished_month[i] = model.month

        # 6. Stalling (engaged or unfinished transforming since the start of the month)
        unfinished = start in (ENGAGED, TRANSFORMING) and s.finished_month[i] < 0
        stall = p["stall_rate"] * type_factor(p, "stall_factor", org)
        if unfinished and not supported and rng.random() < stall:
            s.stage[i] = AWARE
            s.progress[i] = 0.0

    def organise_by_type(self, speed: float) -> None:
        """Rule 3 for one engaged park: association, park management or a BIZ vote (competing
        chances on one uniform); the vote passes with turnout >= 50% and >= 2/3 in favour."""
        model, i = self.model, self.index
        p, ctx, s, rng = model.params, model.context, model.park_state, model.rng
        province = model.data.park_province[i]
        org = int(s.organisation[i])
        last = int(s.biz_vote_month[i])
        can_vote = (
            bool(model.province_green_deal[province])
            and ctx.programme_active
            and (last == NEVER_VOTED or model.month - last >= p["biz_retry_months"])
        )
        if not (org == NO_ORGANISATION or (org == ASSOCIATION and can_vote)):
            return
        scale = ctx.organisation_factor[province] * speed
        unorganised = org == NO_ORGANISATION
        a = p["association_rate"] * scale if unorganised else 0.0
        pm = p["park_management_rate"] * s.commitment[i] * scale if unorganised else 0.0
        b = p["biz_initiative_rate"] * scale if can_vote else 0.0
        u = rng.random()
        if u < a:
            s.organisation[i] = ASSOCIATION
        elif u < a + pm:
            s.organisation[i] = PARK_MANAGEMENT
        elif u < a + pm + b:
            s.biz_vote_month[i] = model.month
            if vote_passes(s.commitment[i], rng.random(), p):
                s.organisation[i] = BIZ


def type_factor(p: dict, prefix: str, org: int) -> float:
    """The factor `<prefix>_park_management` or `<prefix>_biz` of a park's organisation type
    (1 for an association or no organisation)."""
    if org == PARK_MANAGEMENT:
        return p[f"{prefix}_park_management"]
    if org == BIZ:
        return p[f"{prefix}_biz"]
    return 1.0


def engagement_probability(
    utility: float, threshold: float, p: dict, rate: float | None = None
) -> float:
    """rate * logistic((U - threshold) / decision_noise), one park at a time; the rate is
    `engage_rate` unless given (1 at a permit event in a municipality with the rule)."""
    x = (utility - threshold) / p["decision_noise"]
    rate = p["engage_rate"] if rate is None else rate
    return rate / (1.0 + math.exp(-max(min(x, 700.0), -700.0)))


def marginal_effects(
    chance: float,
    terms: tuple[float, float, float],
    utility: float,
    threshold: float,
    p: dict,
    rate: float | None = None,
) -> dict[Driver, float]:
    """For one engagement: the share of its probability lost when each channel (programme,
    peers, regulation) is removed, and the share left with all three removed (intrinsic).
    Removing regulation also removes the decision an event forces (back to `engage_rate`)."""
    alone = engagement_probability(utility - sum(terms), threshold, p)
    credit = {Driver.INTRINSIC: alone / chance}
    for driver, term in zip(CHANNELS, terms, strict=True):
        at = None if driver == Driver.REGULATION else rate
        without = engagement_probability(utility - term, threshold, p, at)
        credit[driver] = min(max(1.0 - without / chance, 0.0), 1.0)
    credit[Driver.INTRINSIC] = min(credit[Driver.INTRINSIC], 1.0)
    return credit


def certify_in_order_of_finishing(model: ReferenceModel) -> None:
    """7. Label: the assessors take finished parks first come, first served, within capacity."""
    if not model.context.label_available:
        return
    s = model.park_state
    waiting = [
        (int(s.finished_month[i]), model.rng.random(), i)
        for i in range(s.stage.size)
        if s.stage[i] == Stage.TRANSFORMING and s.finished_month[i] >= 0
    ]
    slots = model.programme.take_certification_slots(len(waiting))
    for _, _, i in sorted(waiting)[:slots]:
        s.stage[i] = Stage.LABELLED


class ReferenceModel(WerklandschapModel):
    """The model with the per-agent reference park step (for docking and teaching)."""

    park_class = ReferencePark

    @cached_property
    def neighbour_lists(self) -> list[tuple[list[int], list[float]]]:
        """Each park's neighbours and tie weights, listed one by one from the network."""
        lists = []
        for i in range(self.data.n_parks):
            neighbours, weights = self.network.neighbours(i)
            lists.append((neighbours.tolist(), weights.tolist()))
        return lists
