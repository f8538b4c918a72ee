"""Municipalities: coach parks (partners more) and may put the 'new normal' in their zoning rules.

State lives in arrays on the model (`partner`, `regulated`); `Municipality` agents are views. A
municipality coaches engaged and transforming parks up to its capacity (partner municipalities
`coaching_capacity_partner` while the programme runs, all others `coaching_capacity_other`). A
coach stays with a park until it finishes its transformation or stalls; free places go to
programme parks (labs, ambassadors, stimulated) first, then at random.
Regulation: from `regulation_start_year` on, each municipality of `regulation_scope` decides
every January whether to put the 'new normal' in its zoning rules (agents/regulation.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from werklandschap.agents.park import Role, Stage
from werklandschap.agents.regulation import adopt_rules
from werklandschap.agents.selection import rank_within_groups

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel


class Municipality(mesa.Agent):
    """A Dutch municipality (gemeente), a view of the model's municipality arrays."""

    # Only parks pass through the adoption stages; None lets one agent reporter ("stage") read
    # every agent type in a Mesa DataCollector.
    stage: None = None

    def __init__(self, model: WerklandschapModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def code(self) -> str:
        return str(self.model.data.municipality_code[self.index])

    @property
    def name(self) -> str:
        return str(self.model.data.municipality_name[self.index])

    @property
    def partner(self) -> bool:
        return bool(self.model.municipality_partner[self.index])

    @property
    def regulated(self) -> bool:
        return bool(self.model.municipality_regulated[self.index])

    @property
    def coaching_capacity(self) -> int:
        return int(self.model.coaching_capacity()[self.index])

    def __repr__(self) -> str:
        return f"<Municipality {self.code} {self.name!r}{' partner' if self.partner else ''}>"

    @staticmethod
    def step_all(model: WerklandschapModel) -> None:
        """All municipalities coach parks up to capacity and decide on the regulation."""
        model.twins.get("coach_parks", coach_parks)(model)  # compiled twin if registered
        adopt_rules(model)


def coach_parks(model: WerklandschapModel) -> None:
    """Keep coaching parks that still need it; fill free places, programme parks first."""
    s, town = model.park_state, model.data.park_municipality
    needs_coach = ((s.stage == Stage.ENGAGED) | (s.stage == Stage.TRANSFORMING)) & (
        s.finished_month < 0
    )
    s.coached &= needs_coach  # finished or stalled parks free their coach
    capacity = model.coaching_capacity()
    n_towns = capacity.size
    coached = np.bincount(town[s.coached], minlength=n_towns)
    over = coached > capacity
    if over.any():  # capacity fell (programme end): those municipalities start afresh
        s.coached[over[town]] = False
        coached[over] = 0
    free = capacity - coached
    candidates = np.flatnonzero(needs_coach & ~s.coached & (free > 0)[town])
    if candidates.size:
        towns = town[candidates]
        priority = (s.role[candidates] != Role.REGULAR) + model.rng.random(candidates.size)
        s.coached[candidates[rank_within_groups(towns, priority) < free[towns]]] = True
