"""Provinces: sign (or later join) the Green Deal, choose stimulated parks and award subsidies.

Signing (and municipal partnership) is decided in agents/green_deal.py, called from `step_all`.

Subsidies are an application process with a yearly pot per Green Deal province filled from the
Growth Fund and provincial and municipal co-financing (`agents/subsidy.py`, ODD §7.8): parks
apply, each province awards the one-off grant (`subsidy_per_park_keur`) within its pot, and only
recipients get the subsidy's effects. At each stimulation tranche the programme's stimulated
places are shared among Green Deal provinces in proportion to their number of parks (largest
remainder) and each province chooses its parks by the selection strategy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from werklandschap.agents import green_deal, subsidy
from werklandschap.agents.park import Driver, Role, Stage
from werklandschap.agents.selection import choose_parks_in_provinces, largest_remainder
from werklandschap.model.data import parks_by_province

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel


class Province(mesa.Agent):
    """A Dutch province, a view of the model's province arrays."""

    # Only parks pass through the adoption stages; None lets one agent reporter ("stage") read
    # every agent type in a Mesa DataCollector.
    stage: None = None

    def __init__(self, model: WerklandschapModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def name(self) -> str:
        return self.model.data.province_name[self.index]

    @property
    def green_deal(self) -> bool:
        return bool(self.model.province_green_deal[self.index])

    @property
    def budget_left_meur(self) -> float:
        return float(self.model.province_budget[self.index])

    def __repr__(self) -> str:
        return f"<Province {self.name!r}{' Green Deal' if self.green_deal else ''}>"

    @staticmethod
    def step_all(model: WerklandschapModel) -> None:
        """All provinces: choose stimulated parks (tranche months), then the subsidy step
        (January pots, applications, awards; `agents/subsidy.py`)."""
        if not model.context.programme_active:
            subsidy.close_programme(model)
            return
        green_deal.step(model)  # provinces sign, municipalities become partners (decisions)
        if model.month in model.tranche_months:
            choose_stimulated(model, model.tranche_months[model.month])
        subsidy.subsidy_step(model)


def choose_stimulated(model: WerklandschapModel, places: int) -> None:
    """Share `places` over Green Deal provinces by park count; each picks its parks."""
    s = model.park_state
    parks_per_province, by_province = parks_by_province(model.data)
    quota = largest_remainder(places, parks_per_province * model.province_green_deal)
    provinces = np.flatnonzero(quota)
    if provinces.size == 0:
        return
    eligible = (s.role == Role.REGULAR) & (s.stage < Stage.TRANSFORMING)
    # The provinces choose in index order; no choice changes another's candidates or scores.
    candidates = [by_province[i][eligible[by_province[i]]] for i in provinces]
    chosen = np.concatenate(choose_parks_in_provinces(model, candidates, quota[provinces]))
    s.role[chosen] = Role.STIMULATED
    newly_aware = chosen[s.stage[chosen] == Stage.UNAWARE]
    s.stage[newly_aware] = Stage.AWARE
    s.months_in_stage[newly_aware] = 0
    s.driver[newly_aware] = Driver.NONE
