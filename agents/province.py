"""Provinces: sign (or later join) the Green Deal, choose stimulated parks and pay subsidies.

Signing (and municipal partnership) is decided in agents/green_deal.py, called from `step_all`.

Green Deal provinces get a subsidy budget of `province_budget_meur` per calendar year (reset each
January while the programme runs). Each month a province grants the one-off subsidy
(`subsidy_per_park_keur`) to engaged or transforming parks that have none yet, programme parks
first, then at random, as long as the budget allows. At each stimulation tranche the programme's
stimulated places are shared among Green Deal provinces in proportion to their number of parks
(largest remainder) and each province chooses its parks by the selection strategy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from werklandschap.agents import green_deal
from werklandschap.agents.park import Driver, Role, Stage
from werklandschap.agents.selection import choose_parks, largest_remainder, rank_within_groups
from werklandschap.model.parameters import KEUR_PER_MEUR

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
        """All provinces: reset budgets in January, choose stimulated parks, pay subsidies."""
        p = model.params
        if not model.context.programme_active:
            model.province_budget[:] = 0.0
            return
        green_deal.step(model)  # provinces sign, municipalities become partners (decisions)
        if model.month % 12 == 0:
            model.province_budget[:] = p["province_budget_meur"] * model.province_green_deal
        if model.month in model.tranche_months:
            choose_stimulated(model, model.tranche_months[model.month])
        pay_subsidies(model)


def choose_stimulated(model: WerklandschapModel, places: int) -> None:
    """Share `places` over Green Deal provinces by park count; each picks its parks."""
    s = model.park_state
    parks_per_province = np.bincount(model.park_province, minlength=model.data.n_provinces)
    quota = largest_remainder(places, parks_per_province * model.province_green_deal)
    eligible = (s.role == Role.REGULAR) & (s.stage < Stage.TRANSFORMING)
    for province in np.flatnonzero(quota):
        candidates = np.flatnonzero(eligible & (model.park_province == province))
        chosen = choose_parks(model, candidates, int(quota[province]))
        s.role[chosen] = Role.STIMULATED
        newly_aware = chosen[s.stage[chosen] == Stage.UNAWARE]
        s.stage[newly_aware] = Stage.AWARE
        s.months_in_stage[newly_aware] = 0
        s.driver[newly_aware] = Driver.NONE


def pay_subsidies(model: WerklandschapModel) -> None:
    """Grant one-off subsidies to engaged/transforming parks within each province's budget."""
    grant_meur = model.params["subsidy_per_park_keur"] / KEUR_PER_MEUR
    if grant_meur <= 0 or not (model.province_budget >= grant_meur).any():
        return
    s = model.park_state
    candidates = np.flatnonzero(
        ((s.stage == Stage.ENGAGED) | (s.stage == Stage.TRANSFORMING))
        & ~s.subsidised
        & model.province_green_deal[model.park_province]
    )
    if candidates.size == 0:
        return
    provinces = model.park_province[candidates]
    with np.errstate(over="ignore"):  # a grant of a few euros: "infinitely many" grants
        grants = np.floor(np.minimum(model.province_budget / grant_meur, candidates.size) + 1e-9)
    wanted = np.bincount(provinces, minlength=model.data.n_provinces)
    if (wanted <= grants).all():  # every candidate fits in its province's budget: no ranking
        granted = candidates
    else:
        priority = (s.role[candidates] != Role.REGULAR) + model.rng.random(candidates.size)
        granted = candidates[rank_within_groups(provinces, priority) < grants[provinces]]
        wanted = np.bincount(model.park_province[granted], minlength=model.data.n_provinces)
    s.subsidised[granted] = True
    model.province_budget -= grant_meur * wanted
