"""The werklandschap transition model: 3,646 business parks, 342 municipalities, 12 provinces and
one national programme, stepping monthly from January 2023 (see docs/ODD.md and MODEL.md).

    model = WerklandschapModel(load_scenario("baseline"), rng=42)
    model.run_to_end()
    result = model.result()          # time series + summary outcomes

Each month (one Mesa time unit):
1. the programme selects labs/ambassadors, grows concept maturity, publishes the label;
2. provinces choose stimulated parks and pay subsidies within budget;
3. municipalities coach parks up to capacity; regulation switches on when due;
4. all parks decide at once (awareness, engagement, organisation, transformation, label);
5. the month is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from werklandschap.agents.municipality import Municipality
from werklandschap.agents.park import N_DRIVERS, N_STAGES, Park, Stage, draw_parks
from werklandschap.agents.programme import Programme
from werklandschap.agents.province import Province
from werklandschap.agents.selection import largest_remainder
from werklandschap.model.data import NationalData, national_data
from werklandschap.model.network import ParkNetwork, build_network, shared_network
from werklandschap.model.outcomes import RunResult
from werklandschap.model.scenario import Scenario, load_scenario


@dataclass
class MonthContext:
    """What every park faces this month, set by the governments before the parks decide."""

    programme_active: bool = True
    awareness_hazard: np.ndarray | None = None  # per province, 1/month (base, campaign, national)
    province_signal: np.ndarray | None = None  # per province: ambassadors + national visibility
    support_offer: np.ndarray | None = None  # per municipality: subsidy + coaching on offer
    regulation_push: np.ndarray | None = None  # per municipality (utility)
    organisation_factor: np.ndarray | None = None  # per province, factor on organising chance
    cost: float = 0.0  # perceived cost after maturity (utility)
    label_available: bool = False


class WerklandschapModel(mesa.Model):
    """Agent-based model of the Werklandschappen van de Toekomst transition."""

    park_class: type[Park] = Park  # the park rules (vectorised); see model/reference.py

    def __init__(
        self,
        scenario: Scenario | str = "baseline",
        *,
        rng: int | np.random.Generator | np.random.SeedSequence | None = None,
        data: NationalData | None = None,
        park_agents: bool = True,
    ) -> None:
        """`park_agents=False` defers creating the 3,646 Park agent objects (views of the park
        arrays) until `model.parks` is first used: batch runs that only need outcomes skip them."""
        super().__init__(rng=rng)
        self.seed = int(rng) if isinstance(rng, int | np.integer) else None
        self.settings = load_scenario(scenario)
        self.params = dict(self.settings.params)
        p = self.params
        self.data = data if data is not None else national_data()
        self.network = self._network()
        self.park_province = self.data.park_province
        self.months = p["horizon_months"] + p["after_horizon_months"]
        self.month = -1  # calendar month being simulated; 0 = January 2023

        self.park_state = draw_parks(self)
        self.province_green_deal = self._initial_green_deal()
        self.province_budget = np.zeros(self.data.n_provinces)
        self.municipality_partner = self._partner_municipalities()
        self.municipality_regulated = np.zeros(self.data.n_municipalities, bool)
        self.tranche_months = self._tranche_calendar()
        other = p["coaching_capacity_other"]
        self._capacity_after = np.full(self.data.n_municipalities, other)
        self._capacity_during = np.where(
            self.municipality_partner, p["coaching_capacity_partner"], other
        )
        self._labelled = 0  # labelled parks at the end of the last recorded month
        self._regime: tuple | None = None  # policies behind the cached part of the context
        self.regulation_on = False
        self.context = MonthContext()

        self.programme = Programme(self)
        self.provinces = [Province(self, i) for i in range(self.data.n_provinces)]
        self.municipalities = [Municipality(self, i) for i in range(self.data.n_municipalities)]
        self._parks: list[Park] | None = None
        if park_agents:
            self._parks = self._create_park_agents()

        self._stage_counts = np.zeros((self.months + 1, N_STAGES), np.int32)
        self._province_stages = np.zeros(
            (self.months + 1, self.data.n_provinces, N_STAGES), np.int32
        )
        self._engagements = np.zeros((self.months + 1, N_DRIVERS), np.int32)
        self._maturity = np.zeros(self.months + 1)
        self._label = np.zeros(self.months + 1, bool)
        self._green_deal = np.zeros(self.months + 1, np.int8)
        self._stage_at_horizon = self.park_state.stage.copy()
        self._province_offset = self.park_province * N_STAGES
        self.town_stage_offset = self.data.park_municipality * N_STAGES  # for stage counts
        self.town_stage_bins = self.data.n_municipalities * N_STAGES
        self._record()

    # --- set-up ---------------------------------------------------------------------------------
    @property
    def parks(self) -> list[Park]:
        """The Park agents, in park index order (created on first use if deferred)."""
        if self._parks is None:
            self._parks = self._create_park_agents()
        return self._parks

    def _create_park_agents(self) -> list[Park]:
        return [self.park_class(self, i) for i in range(self.data.n_parks)]

    def _network(self) -> ParkNetwork:
        radius, weight = (
            self.params["network_radius_km"],
            self.params["between_municipality_weight"],
        )
        if self.data is national_data():
            return shared_network(radius, weight)
        return build_network(self.data, radius, weight)

    def _initial_green_deal(self) -> np.ndarray:
        names = self.settings.green_deal_names()
        mask = np.zeros(self.data.n_provinces, bool)
        for name in names:
            mask[self.data.province_index(name)] = True
        return mask

    def _partner_municipalities(self) -> np.ndarray:
        """The `partner_municipalities` municipalities with most parks in Green Deal provinces."""
        towns = self.data.park_municipality
        parks = np.bincount(towns, minlength=self.data.n_municipalities)
        in_green_deal = self.province_green_deal[self.data.municipality_province]
        order = np.lexsort((np.arange(parks.size), -parks))  # most parks first, then file order
        order = order[in_green_deal[order]]
        partner = np.zeros(self.data.n_municipalities, bool)
        partner[order[: self.params["partner_municipalities"]]] = True
        return partner

    def _tranche_calendar(self) -> dict[int, int]:
        p = self.params
        tranches = p["stimulation_tranches"]
        places = largest_remainder(p["n_stimulated"], np.ones(tranches))
        months = [
            p["stimulation_start_month"] + k * p["tranche_interval_months"] for k in range(tranches)
        ]
        calendar: dict[int, int] = {}
        for month, n in zip(months, places, strict=True):
            calendar[month] = calendar.get(month, 0) + int(n)
        return calendar

    # --- what governments offer -----------------------------------------------------------------
    @property
    def programme_active(self) -> bool:
        return self.month < self.params["programme_end_month"]

    def coaching_capacity(self) -> np.ndarray:
        """Parks each municipality can coach at once this month."""
        return self._capacity_during if self.programme_active else self._capacity_after

    def regulation_scope_mask(self) -> np.ndarray:
        scope = self.params["regulation_scope"]
        if scope == "all":
            return np.ones(self.data.n_municipalities, bool)
        if scope == "green_deal":
            return self.province_green_deal[self.data.municipality_province]
        return self.municipality_partner.copy()

    def labelled(self) -> int:
        """Labelled parks at the end of the last completed month."""
        return self._labelled

    def labelled_share(self) -> float:
        return self._labelled / self.data.n_parks

    def _update_context(self) -> None:
        """Set what parks face this month (per province or per municipality)."""
        p, ctx = self.params, self.context
        active = self.programme_active
        grant_meur = p["subsidy_per_park_keur"] / 1000.0
        subsidy_left = (self.province_budget >= grant_meur) & (grant_meur > 0) & active
        regime = (
            active,
            self.province_green_deal.tobytes(),
            subsidy_left.tobytes(),
            self.regulation_on,
        )
        if regime != self._regime:  # policies changed: recompute what they offer
            self._regime = regime
            self._set_policy_context(active, subsidy_left)
        national = self.labelled_share()
        ctx.awareness_hazard = self._awareness_hazard + p["national_awareness_rate"] * national
        ctx.province_signal = self.programme.showcase_signal() + p["national_visibility"] * national
        ctx.cost = p["cost"] * (1.0 - p["maturity_cost_reduction"] * self.programme.maturity)
        ctx.label_available = self.programme.label_available

    def _set_policy_context(self, active: bool, subsidy_left: np.ndarray) -> None:
        """The parts of the month context that change only when a policy changes."""
        p, ctx, data = self.params, self.context, self.data
        ctx.programme_active = active
        campaign = p["campaign_rate"] * p["campaign_intensity"] * active
        boost = np.where(self.province_green_deal, p["green_deal_awareness_boost"], 1.0)
        self._awareness_hazard = p["awareness_base_rate"] + campaign * boost
        subsidy_offer = p["subsidy_utility"] * (p["subsidy_per_park_keur"] / 50.0)
        ctx.support_offer = subsidy_offer * subsidy_left[data.municipality_province] + p[
            "coaching_utility"
        ] * (self.municipality_partner & active)
        ctx.regulation_push = p["regulation_push"] * self.municipality_regulated
        ctx.organisation_factor = np.where(
            self.province_green_deal & active, p["organisation_support"], 1.0
        )

    # --- the monthly step -----------------------------------------------------------------------
    def step(self) -> None:
        """One month: programme, provinces, municipalities, parks, record."""
        self.month = int(self.time) - 1
        if self.month + 1 >= len(self._stage_counts):  # stepped past the planned end: go on
            self._extend_records(12)
        self.programme.step()
        self.context.programme_active = self.programme_active
        Province.step_all(self)
        Municipality.step_all(self)
        self._update_context()
        self.park_class.step_all(self)
        self._record()
        if self.month + 1 == self.params["horizon_months"]:
            self._stage_at_horizon = self.park_state.stage.copy()
        if int(self.time) >= self.months:
            self.running = False

    def run_to_end(self) -> WerklandschapModel:
        """Run the horizon and the after-horizon (108 + 60 months by default)."""
        remaining = self.months - int(self.time)
        if remaining > 0:
            self.run_for(remaining)
        return self

    def count_engagements(self, drivers: np.ndarray) -> None:
        """Record new engagements this month by driver."""
        if drivers.size:
            np.add.at(self._engagements[int(self.time)], drivers, 1)

    def _record(self) -> None:
        row = int(self.time)
        stage = self.park_state.stage
        by_province = np.bincount(
            self._province_offset + stage, minlength=self.data.n_provinces * N_STAGES
        ).reshape(self.data.n_provinces, N_STAGES)
        self._province_stages[row] = by_province
        self._stage_counts[row] = by_province.sum(axis=0)
        self._labelled = int(self._stage_counts[row, Stage.LABELLED])
        self._maturity[row] = self.programme.maturity
        self._label[row] = self.programme.label_available
        self._green_deal[row] = np.count_nonzero(self.province_green_deal)

    def _extend_records(self, months: int) -> None:
        for name in (
            "_stage_counts",
            "_province_stages",
            "_engagements",
            "_maturity",
            "_label",
            "_green_deal",
        ):
            old = getattr(self, name)
            new = np.zeros((len(old) + months, *old.shape[1:]), old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def result(self) -> RunResult:
        """The recorded time series and final park states (valid up to the current month)."""
        rows = int(self.time) + 1
        s = self.park_state
        return RunResult(
            scenario=self.settings.name,
            params=dict(self.params),
            seed=self.seed,
            months=rows - 1,
            province_names=self.data.province_name,
            stage_counts=self._stage_counts[:rows].copy(),
            province_stages=self._province_stages[:rows].copy(),
            engagements=self._engagements[:rows].copy(),
            maturity=self._maturity[:rows].copy(),
            label_available=self._label[:rows].copy(),
            green_deal_provinces=self._green_deal[:rows].copy(),
            stage_at_horizon=self._stage_at_horizon.copy(),
            final_stage=s.stage.copy(),
            role=s.role.copy(),
            organisation=s.organisation.copy(),
            park_province=self.park_province,
            initial_green_deal=self._initial_green_deal(),
        )


def run(scenario: Scenario | str = "baseline", seed: int = 0) -> RunResult:
    """Build the model with a seed, run it to the end and return its result."""
    return WerklandschapModel(scenario, rng=seed, park_agents=False).run_to_end().result()


__all__ = ["MonthContext", "WerklandschapModel", "run"]
