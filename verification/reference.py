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

from werklandschap.agents.park import CHANNELS, Driver, Organisation, Park, Role, Stage
from werklandschap.model.model import WerklandschapModel

# Plain ints: comparing numpy scalars with IntEnum members is slow, one agent at a time.
UNAWARE, AWARE, ENGAGED, TRANSFORMING, LABELLED = (int(stage) for stage in Stage)
NO_ORGANISATION, REGULAR = int(Organisation.NONE), int(Role.REGULAR)

AWARE_OR_BEYOND = {0: 0.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0}  # by stage
ADOPTING = {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.5, 4: 1.0}  # labelled 1, transforming 0.5


class ReferencePark(Park):
    """A park that takes its monthly decisions on its own (see module docstring)."""

    @staticmethod
    def step_all(model: ReferenceModel) -> None:
        model.parks  # noqa: B018 - make sure every park exists as an agent
        model.stage_at_start = model.park_state.stage.copy()
        model.stages_at_start = model.stage_at_start.tolist()  # plain ints: fast to read one by one
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
        regulation = ctx.regulation_push[town]
        utility = s.own_motive[i] + peer_term + support + regulation - ctx.cost
        chance = engagement_probability(utility, s.threshold[i], p)
        if rng.random() < chance:
            s.stage[i] = ENGAGED
            credit = marginal_effects(
                chance, (support, peer_term, regulation), utility, s.threshold[i], p
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

        # 3. Organisation
        if s.stage[i] == ENGAGED and s.organisation[i] == NO_ORGANISATION:
            chance = p["organise_rate"] * ctx.organisation_factor[province] * speed
            if rng.random() < chance:
                s.organisation[i] = int(Organisation.ASSOCIATION)

        # 4. Planning
        if s.stage[i] == ENGAGED and s.organisation[i] != NO_ORGANISATION:
            plan = p["plan_months"]
            if plan <= 0 or rng.random() < 1.0 - math.exp(-speed / plan):
                s.stage[i] = TRANSFORMING
                s.progress[i] = 0.0

        # 5. Transformation
        if start == TRANSFORMING and s.stage[i] == TRANSFORMING:
            s.progress[i] += speed
        transforming = s.stage[i] == TRANSFORMING and s.finished_month[i] < 0
        if transforming and s.progress[i] >= s.duration[i]:
            s.finished_month[i] = model.month

        # 6. Stalling (engaged or unfinished transforming since the start of the month)
        unfinished = start in (ENGAGED, TRANSFORMING) and s.finished_month[i] < 0
        if unfinished and not supported and rng.random() < p["stall_rate"]:
            s.stage[i] = AWARE
            s.progress[i] = 0.0


def engagement_probability(utility: float, threshold: float, p: dict) -> float:
    """engage_rate * logistic((U - threshold) / decision_noise), one park at a time."""
    x = (utility - threshold) / p["decision_noise"]
    return p["engage_rate"] / (1.0 + math.exp(-max(min(x, 700.0), -700.0)))


def marginal_effects(
    chance: float, terms: tuple[float, float, float], utility: float, threshold: float, p: dict
) -> dict[Driver, float]:
    """For one engagement: the share of its probability lost when each channel (programme,
    peers, regulation) is removed, and the share left with all three removed (intrinsic)."""
    credit = {Driver.INTRINSIC: engagement_probability(utility - sum(terms), threshold, p) / chance}
    for driver, term in zip(CHANNELS, terms, strict=True):
        without = engagement_probability(utility - term, threshold, p)
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
