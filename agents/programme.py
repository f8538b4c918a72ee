"""The national programme office and its coalition.

Each month the programme
- selects the living labs (at `lab_selection_month`) and the ambassador parks (at
  `ambassador_selection_month`) among parks in Green Deal provinces, by the selection strategy
  (allocated to provinces by their Green Deal package under the "decision" rule);
  selected parks commit: they become engaged (programme-driven) if they were not already;
- runs the programme trajectory of its parks: while the programme runs, every living lab,
  ambassador and stimulated park that is transforming gains `trajectory_speedup` * capacity extra
  months of progress a month, where capacity = (commitment + ambition + organisation degree) / 3
  is what the park itself brings (the published selection criteria), so choosing well matters;
- grows concept maturity M (0 -> 1): dM = maturity_growth * (L + F) * (1 - M), where L is the mean
  progress of the living labs (transformation progress / duration, 1 once finished, 0 before
  they transform) and F the national labelled share; maturity lowers the perceived cost by up to
  `maturity_cost_reduction`;
- publishes the area label through the first of three routes: the programme route, once
  `label_ambassadors_required` ambassadors have finished their transformation; the market route,
  once `market_label_parks` parks nationally (any role) have finished theirs; or, in any case,
  at `label_fallback_month` (default: never within a run; the Bass reduction and the KVO-B
  analogue set it to 0);
- names `n_partner_parks` partner parks at `partner_park_month` (programme support, no showcase);
- lets the other provinces join the Green Deal once the labelled share passes `late_join_share`
  (the provinces' own decisions to sign: agents/green_deal.py);
- runs the national awareness campaign until `programme_end_month`.
Certification capacity (`certification_capacity` labels per month) is handed out by the programme:
fractional capacity carries over to the next month.
`seeded_adopters` (an experimental lever, default 0) organised regular parks, drawn at random at
the start, begin the run transforming: the seeded adopters of the critical-mass experiment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from werklandschap.agents import green_deal
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
        self.label_route: str | None = None  # "ambassadors", "market" or "date"
        self.seeded = self.seed_adopters(model.params["seeded_adopters"])

    @property
    def label_available(self) -> bool:
        return self.label_month is not None

    def step(self) -> None:
        p, month = self.model.params, self.model.month
        self.select_roles()
        if self.model.programme_active:
            self.run_trajectories()
        self.grow_maturity()
        if self.label_month is None:
            self.label_route = self.label_ready_route()
            if self.label_route is not None:
                self.label_month = month
        self.maybe_let_provinces_join()
        # Assessors' time is not storable: at most a fraction of a label carries over.
        self._certification_credit = min(self._certification_credit, 1.0)
        self._certification_credit += p["certification_capacity"]

    def select_roles(self) -> None:
        """The month's selections, first in the month: the living labs, the ambassadors and the
        partner parks at their months."""
        p, month = self.model.params, self.model.month
        if month == p["lab_selection_month"]:
            self.labs = self.select(Role.LIVING_LAB, p["n_living_labs"])
            self.showcases = np.concatenate([self.showcases, self.labs])
        if month == p["ambassador_selection_month"]:
            ambassadors = self.select(Role.AMBASSADOR, p["n_ambassadors"])
            self.showcases = np.concatenate([self.showcases, ambassadors])
        if month == p["partner_park_month"] and p["n_partner_parks"] > 0:
            green_deal.name_partner_parks(self.model)

    def select(self, role: Role, k: int) -> np.ndarray:
        """Choose k parks in Green Deal provinces for a role; they commit (become engaged).

        Realised parks named for the role (`programme_history: realised`) take it first and count
        towards k; under the "decision" rule the others are allocated by package
        (agents/green_deal.py), under the "fixed" rule among all member provinces together.
        """
        model, s = self.model, self.model.park_state
        pinned = green_deal.pinned_parks(model, role)[:k]
        eligible = (
            (s.role == Role.REGULAR)
            & (s.stage < Stage.LABELLED)
            & model.province_green_deal[model.park_province]
        )
        eligible[pinned] = False
        if green_deal.deciding(model):
            rest = green_deal.choose_by_package(model, role, eligible, k, pinned)
        else:
            rest = choose_parks(model, np.flatnonzero(eligible), k - pinned.size)
        chosen = np.concatenate([pinned, rest])
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

    def seed_adopters(self, k: int) -> np.ndarray:
        """Start k organised regular parks (uniformly at random) as transforming adopters.

        Only organised parks: an unorganised park cannot transform (ODD 7.5). No random number is
        drawn when k = 0, so runs without seeds are unchanged by this lever.
        """
        if k <= 0:  # no candidates to look for (most runs)
            return np.zeros(0, np.intp)
        s = self.model.park_state
        candidates = np.flatnonzero((s.organisation > 0) & (s.role == Role.REGULAR))
        k = min(k, candidates.size)
        if k <= 0:
            return candidates[:0]
        chosen = self.model.rng.choice(candidates, size=k, replace=False)
        s.stage[chosen] = Stage.TRANSFORMING
        s.progress[chosen] = 0.0
        return np.sort(chosen)

    def capacity(self, parks: np.ndarray) -> np.ndarray:
        """What parks bring to a programme trajectory (0-1): the mean of commitment, ambition
        and organisation degree (none 0, association 1/3, park management 2/3, BIZ 1)."""
        s = self.model.park_state
        return (s.commitment[parks] + s.ambition[parks] + s.organisation[parks] / 3.0) / 3.0

    def run_trajectories(self) -> None:
        """Extra progress for transforming programme parks, in proportion to their capacity
        (months of progress per month). The programme's expert teams and process managers work
        through the park's own organisation: the more commitment, ambition and organisation a
        park brings, the more their help adds."""
        speedup = self.model.params["trajectory_speedup"]
        if speedup <= 0:
            return
        s = self.model.park_state
        parks = np.flatnonzero(
            (s.role != Role.REGULAR) & (s.stage == Stage.TRANSFORMING) & (s.finished_month < 0)
        )
        s.progress[parks] += speedup * self.capacity(parks)

    def lab_progress(self) -> float:
        """Mean progress of the living labs (0-1): progress / duration while transforming, 1 once
        finished or labelled, 0 before they transform (or after a stall, which loses progress)."""
        s, labs = self.model.park_state, self.labs
        if labs.size == 0:
            return 0.0
        if labs.size <= 16:  # a handful of labs: per lab in Python (same values, same mean)
            return float(np.array([self._lab_value(s, i) for i in labs.tolist()]).mean())
        stage = s.stage[labs]
        done = (s.finished_month[labs] >= 0) | (stage == Stage.LABELLED)
        duration = s.duration[labs]
        fraction = np.divide(s.progress[labs], duration, out=np.ones(labs.size), where=duration > 0)
        share = np.where(stage == Stage.TRANSFORMING, np.clip(fraction, 0.0, 1.0), 0.0)
        return float(np.where(done, 1.0, share).mean())

    @staticmethod
    def _lab_value(s, i: int) -> float:
        """One lab's term of `lab_progress` (as its array expression computes it)."""
        stage = s.stage[i]
        if s.finished_month[i] >= 0 or stage == Stage.LABELLED:
            return 1.0
        if stage != Stage.TRANSFORMING:
            return 0.0
        duration = s.duration[i]
        fraction = float(s.progress[i] / duration) if duration > 0 else 1.0
        return min(max(fraction, 0.0), 1.0)

    def grow_maturity(self) -> None:
        progress = self.lab_progress() + self.model.labelled_share()
        self.maturity += self.model.params["maturity_growth"] * progress * (1.0 - self.maturity)

    def label_ready_route(self) -> str | None:
        """The route by which the label is ready this month, or None (see module docstring)."""
        p, s = self.model.params, self.model.park_state
        required = p["label_ambassadors_required"]
        if required > 0:
            showcases = self.showcases
            finished = (s.role[showcases] == Role.AMBASSADOR) & (s.finished_month[showcases] >= 0)
            if np.count_nonzero(finished) >= required:
                return "ambassadors"
        if np.count_nonzero(s.finished_month >= 0) >= p["market_label_parks"]:
            return "market"
        if self.model.month >= p["label_fallback_month"]:
            return "date"
        return None

    def label_ready(self) -> bool:
        """Whether the label can be published this month (by any route)."""
        return self.label_ready_route() is not None

    def maybe_let_provinces_join(self) -> None:
        model = self.model
        joining = (
            self.late_join_month is None
            and model.labelled_share() >= model.params["late_join_share"]
            and not model.province_green_deal.all()
        )
        if joining:
            green_deal.join_all(model)  # packages and join months recorded
            self.late_join_month = model.month

    def take_certification_slots(self, waiting: int) -> int:
        """Labels that can be awarded now to `waiting` finished parks (uses up capacity)."""
        slots = min(waiting, int(self._certification_credit))
        self._certification_credit -= slots
        return slots
