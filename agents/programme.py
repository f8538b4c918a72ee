"""The national programme office and its coalition.

Each month the programme
- selects the living labs (at `lab_selection_month`) and the ambassador parks (at
  `ambassador_selection_month`) among parks in Green Deal provinces, by the selection strategy;
  selected parks commit: they become engaged (programme-driven) if they were not already;
- grows concept maturity M (0 -> 1): dM = maturity_growth * progress * (1 - M), where progress is
  the share of living labs that are transforming or labelled plus the national labelled share;
  maturity lowers the perceived cost by up to `maturity_cost_reduction`;
- publishes the area label once `label_ambassadors_required` ambassadors have finished their
  transformation (or, without that, at `label_fallback_month`: the market route);
- lets the other provinces join the Green Deal once the labelled share passes `late_join_share`;
- runs the national awareness campaign until `programme_end_month`.
Certification capacity (`certification_capacity` labels per month) is handed out by the programme:
fractional capacity carries over to the next month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from werklandschap.agents.park import Driver, Role, Stage
from werklandschap.agents.selection import choose_parks

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel


class Programme(mesa.Agent):
    """Werklandschappen van de Toekomst: phase calendar, maturity, label and certification."""

    # Only parks pass through the adoption stages; None lets one agent reporter ("stage") read
    # every agent type in a Mesa DataCollector.
    stage: None = None

    def __init__(self, model: WerklandschapModel) -> None:
        super().__init__(model)
        self.maturity = 0.0
        self.label_month: int | None = None  # month the area label became available
        self.late_join_month: int | None = None
        self._certification_credit = 0.0
        self.labs = np.zeros(0, np.int64)  # park indices of the living labs
        self.showcases = np.zeros(0, np.int64)  # labs and ambassadors

    @property
    def label_available(self) -> bool:
        return self.label_month is not None

    def step(self) -> None:
        p, month = self.model.params, self.model.month
        if month == p["lab_selection_month"]:
            self.labs = self.select(Role.LIVING_LAB, p["n_living_labs"])
            self.showcases = np.concatenate([self.showcases, self.labs])
        if month == p["ambassador_selection_month"]:
            ambassadors = self.select(Role.AMBASSADOR, p["n_ambassadors"])
            self.showcases = np.concatenate([self.showcases, ambassadors])
        self.grow_maturity()
        if self.label_month is None and self.label_ready():
            self.label_month = month
        self.maybe_let_provinces_join()
        # Assessors' time is not storable: at most a fraction of a label carries over.
        self._certification_credit = min(self._certification_credit, 1.0)
        self._certification_credit += p["certification_capacity"]

    def select(self, role: Role, k: int) -> np.ndarray:
        """Choose k parks in Green Deal provinces for a role; they commit (become engaged)."""
        model, s = self.model, self.model.park_state
        eligible = (
            (s.role == Role.REGULAR)
            & (s.stage < Stage.LABELLED)
            & model.province_green_deal[model.park_province]
        )
        chosen = choose_parks(model, np.flatnonzero(eligible), k)
        s.role[chosen] = role
        committing = chosen[s.stage[chosen] < Stage.ENGAGED]
        s.stage[committing] = Stage.ENGAGED
        s.months_in_stage[committing] = 0
        s.driver[committing] = Driver.PROGRAMME
        model.count_engagements(s.driver[committing])
        return chosen

    def showcase_signal(self) -> np.ndarray:
        """Per province: ambassador_reach * (1 - exp(-active showcases)), where a showcase is a
        living lab or ambassador that is transforming or labelled."""
        model = self.model
        if self.showcases.size == 0:
            return np.zeros(model.data.n_provinces)
        active = self.showcases[model.park_state.stage[self.showcases] >= Stage.TRANSFORMING]
        count = np.bincount(model.park_province[active], minlength=model.data.n_provinces)
        return model.params["ambassador_reach"] * -np.expm1(-count)

    def grow_maturity(self) -> None:
        s, p = self.model.park_state, self.model.params
        labs = self.labs
        lab_progress = (
            np.count_nonzero(s.stage[labs] >= Stage.TRANSFORMING) / labs.size if labs.size else 0.0
        )
        progress = lab_progress + self.model.labelled_share()
        self.maturity += p["maturity_growth"] * progress * (1.0 - self.maturity)

    def label_ready(self) -> bool:
        p, s = self.model.params, self.model.park_state
        if self.model.month >= p["label_fallback_month"]:
            return True
        required = p["label_ambassadors_required"]
        if required <= 0:
            return False
        showcases = self.showcases
        finished = (s.role[showcases] == Role.AMBASSADOR) & (s.finished_month[showcases] >= 0)
        return required <= np.count_nonzero(finished)

    def maybe_let_provinces_join(self) -> None:
        model = self.model
        joining = (
            self.late_join_month is None
            and model.labelled_share() >= model.params["late_join_share"]
            and not model.province_green_deal.all()
        )
        if joining:
            model.province_green_deal[:] = True
            self.late_join_month = model.month
            if model.regulation_on:  # a 'green_deal' regulation scope grows with the deal
                model.municipality_regulated[:] = model.regulation_scope_mask()

    def take_certification_slots(self, waiting: int) -> int:
        """Labels that can be awarded now to `waiting` finished parks (uses up capacity)."""
        slots = min(waiting, int(self._certification_credit))
        self._certification_credit -= slots
        return slots
