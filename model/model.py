"""The werklandschap transition model: every business park, municipality and province of the data
and one national programme, stepping monthly from January 2023 (see docs/ODD.md).

    model = WerklandschapModel(load_scenario("baseline"), rng=42)
    model.run_to_end()
    result = model.result()          # time series + summary outcomes

The Mesa way works too (keyword parameters validated by the spec; a `model.datacollector` of
national reporters collected at the start and after every month):

    model = WerklandschapModel(n_stimulated=300, rng=1)
    model.run_for(24)
    model.datacollector.get_model_vars_dataframe()   # 25 rows: month 0 (start) .. month 24

`run(scenario, seed)` is the fast path of the experiments: no Park agents, no data collection.
Each month (one Mesa time unit) follows docs/ODD.md §3.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mesa
import numpy as np
from mesa.agentset import AbstractAgentSet

from werklandschap.agents import green_deal
from werklandschap.agents.municipality import Municipality
from werklandschap.agents.park import N_DRIVERS, N_STAGES, Driver, Park, Stage, draw_parks
from werklandschap.agents.programme import Programme
from werklandschap.agents.province import Province
from werklandschap.agents.selection import largest_remainder
from werklandschap.agents.subsidy import SOURCES, SubsidyBook
from werklandschap.model.compiled import interrupted as compiled_interrupted
from werklandschap.model.compiled import twins_for
from werklandschap.model.data import NationalData, national_data
from werklandschap.model.network import GraphNetwork, ParkNetwork, network_for
from werklandschap.model.outcomes import RunResult
from werklandschap.model.reporters import NATIONAL_REPORTERS
from werklandschap.model.scenario import Scenario, load_scenario
from werklandschap.model.twin import PEER_CHANNELS, TWIN_MIN_MONTHS, fork_without_peers

#: The monthly record arrays (row = month), extended together when stepping past the end.
RECORDS = (
    *("_stage_counts", "_province_stages", "_engagements", "_credit", "_maturity", "_label"),
    *("_green_deal", "_spent", "_funded"),
)


@dataclass
class MonthContext:
    """What every park faces this month, set by the governments before the parks decide."""

    programme_active: bool = True
    awareness_hazard: np.ndarray | None = None  # per province, 1/month (base, campaign, national)
    province_signal: np.ndarray | None = None  # per province: ambassadors + national visibility
    support_offer: np.ndarray | None = None  # per municipality: coaching on offer (utility)
    subsidy_offer: float = 0.0  # utility of a granted subsidy, recipients only (ODD §7.8)
    regulation_push: np.ndarray | None = None  # per municipality: utility at a permit event
    organisation_factor: np.ndarray | None = None  # per province, factor on organising chance
    cost: float = 0.0  # perceived cost after maturity (utility)
    label_available: bool = False


def model_settings(scenario: Scenario | str, params: dict[str, Any]) -> Scenario:
    """The scenario with keyword parameters applied, validated by the parameter spec (raises
    `ScenarioError` naming a bad name, with the closest valid one, or a bad value)."""
    settings = load_scenario(scenario)
    return settings.with_params(**params) if params else settings


class WerklandschapModel(mesa.Model):
    """Agent-based model of the Werklandschappen van de Toekomst transition."""

    park_class: type[Park] = Park  # the park rules (vectorised); see verification/reference.py

    def __init__(
        self,
        scenario: Scenario | str = "baseline",
        *,
        rng: int | np.random.Generator | np.random.SeedSequence | None = None,
        data: NationalData | None = None,
        park_agents: bool = True,
        collect: bool | None = None,
        core: str | None = None,
        **params: Any,
    ) -> None:
        """A model of `scenario` (a Scenario, a shipped scenario's name or a YAML path).

        `params`: parameter values by spec name (`WerklandschapModel(n_stimulated=300, rng=1)`),
        applied on top of the scenario and validated like a scenario file (`ScenarioError`).
        `park_agents=True`: the Park agent objects (views of the park arrays, one per park) are
        created on the first look at the agents (`model.agents`, `agents_by_type`, `parks`), so
        a run that never looks (Mesa's batch runner, model reporters only) never pays for them;
        `park_agents=False`: created only when `model.parks` is used.
        `collect`: collect `model.datacollector` (national reporters, `NATIONAL_REPORTERS`) at the
        start and after every month (a collector you assign to `model.datacollector` is collected
        after every month too); `collect=False` has no datacollector. By default it follows
        `park_agents`: the outcome-only path (`park_agents=False`, used by `run` and the
        experiment layer) skips collection, which would add a few per cent to its run time.
        `core`: "compiled" (numba twins of the rules, model/compiled.py) or "numpy" (the
        reference); None: `WERKLANDSCHAP_CORE`, else compiled. Results are identical.
        """
        settings = model_settings(scenario, params)  # validate before any work
        super().__init__(rng=rng)
        self.seed = int(rng) if isinstance(rng, int | np.integer) else None
        self.settings = settings
        self.params = dict(self.settings.params)
        self.twins = twins_for(core)  # rule name -> compiled twin (empty: the numpy rules)
        p = self.params
        self.data = data if data is not None else national_data()
        self.network = self._network()
        self.park_province = self.data.park_province
        self.months = p["horizon_months"] + p["after_horizon_months"]
        self.month = -1  # calendar month being simulated; 0 = January 2023
        self.park_state = draw_parks(self)
        self._initial_organisation = self.park_state.organisation.copy()  # outcomes by org.
        self.province_budget = np.zeros(self.data.n_provinces)  # M€ left in this year's pot
        self.subsidy = SubsidyBook.empty(self.data.n_parks, self.data.n_provinces)
        self.municipality_regulated = np.zeros(self.data.n_municipalities, bool)
        # the municipalities' decisions on the rule (agents/regulation.py) and their months
        self.regulation_adopted = np.zeros(self.data.n_municipalities, bool)
        self.regulation_adoption_month = np.full(self.data.n_municipalities, -1, np.int16)
        # labelled parks last month; the policies behind the cached context; regulation
        self._labelled, self._regime, self.regulation_on = 0, None, False
        green_deal.set_up(self)  # members, packages and partners at the start (agents/green_deal)
        self.tranche_months = self._tranche_calendar()
        self._capacity_during, self._capacity_after = self._coaching_capacities()
        self.context = MonthContext()

        self.programme = Programme(self)
        # Government agents are views of arrays, created on first use like the Park agents
        # (a batch run never looks at them, and the no-peers twin need not copy them).
        self._provinces: list[Province] | None = None
        self._municipalities: list[Municipality] | None = None
        self._parks: list[Park] | None = None
        self._parks_on_first_look = park_agents
        self.datacollector: mesa.DataCollector | None = (
            mesa.DataCollector(model_reporters=NATIONAL_REPORTERS)
            if (park_agents if collect is None else collect)
            else None
        )

        self._allocate_records()
        self._record()

    def _allocate_records(self) -> None:
        """The monthly records (row 0 = the start) and the offsets of the stage counts."""
        self._stage_counts = np.zeros((self.months + 1, N_STAGES), np.int32)
        self._province_stages = np.zeros(
            (self.months + 1, self.data.n_provinces, N_STAGES), np.int32
        )
        self._engagements = np.zeros((self.months + 1, N_DRIVERS), np.int32)
        self._credit = np.zeros((self.months + 1, N_DRIVERS))  # marginal credits (ODD §7.4)
        self.twin_labelled: np.ndarray | None = None  # the no-peers twin's labelled (ODD §7.9)
        self._maturity = np.zeros(self.months + 1)
        self._label = np.zeros(self.months + 1, bool)
        self._green_deal = np.zeros(self.months + 1, np.int8)
        self._spent = np.zeros((self.months + 1, len(SOURCES)))  # M€ granted, by source
        self._funded = np.zeros((self.months + 1, len(SOURCES)))  # M€ put in the pots
        self._stage_at_horizon = self.park_state.stage.copy()
        self._province_offset = self.park_province * N_STAGES
        self.town_stage_offset = self.data.park_municipality * N_STAGES  # for stage counts
        self.town_stage_bins = self.data.n_municipalities * N_STAGES

    # --- set-up ---------------------------------------------------------------------------------
    @property
    def parks(self) -> list[Park]:
        """The Park agents, in park index order (created on first use if deferred)."""
        if self._parks is None:
            self._parks_on_first_look = False
            self._create_governments()  # first, so agent ids keep the order of old
            self._parks = self._create_park_agents()
        return self._parks

    @property
    def provinces(self) -> list[Province]:
        """The Province agents, in province index order (created on first use)."""
        self._create_governments()
        return self._provinces

    @property
    def municipalities(self) -> list[Municipality]:
        """The Municipality agents, in municipality index order (created on first use)."""
        self._create_governments()
        return self._municipalities

    def _create_governments(self) -> None:
        if getattr(self, "_provinces", True) is None:
            self._provinces = [Province(self, i) for i in range(self.data.n_provinces)]
            n = self.data.n_municipalities
            self._municipalities = [Municipality(self, i) for i in range(n)]

    def _parks_before_a_look(self) -> None:
        # Mesa's own bookkeeping (register_agent) uses the private sets, so this never recurses.
        self._create_governments()
        if getattr(self, "_parks_on_first_look", False):
            self.parks  # noqa: B018 - creates them

    @property
    def agents(self) -> AbstractAgentSet:
        """All agents (Mesa's AgentSet); Park agents are created on the first look."""
        self._parks_before_a_look()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, AbstractAgentSet]:
        """Mesa's AgentSet per agent class; Park agents are created on the first look."""
        self._parks_before_a_look()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """The agent classes present; Park agents are created on the first look."""
        self._parks_before_a_look()
        return super().agent_types

    def _create_park_agents(self) -> list[Park]:
        return [self.park_class(self, i) for i in range(self.data.n_parks)]

    def _network(self) -> ParkNetwork | GraphNetwork:
        """The peer network of `network_model` (cached per data, parameters and network seed)."""
        return network_for(self.data, self.params)

    def _initial_green_deal(self) -> np.ndarray:
        """The provinces of the plan (`green_deal_provinces`): members from the start under the
        "fixed" rule, the provinces that intend to sign under the "decision" rule."""
        return _province_mask(self.data.province_name, self.settings.green_deal_names()).copy()

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

    def partners_changed(self) -> None:
        """Coaching capacities follow partner status (called when municipalities become
        partners during the run)."""
        self._capacity_during, self._capacity_after = self._coaching_capacities()

    def _coaching_capacities(self) -> tuple[np.ndarray, np.ndarray]:
        """Parks each municipality can coach at once, while the programme runs and after."""
        p = self.params
        other = p["coaching_capacity_other"]
        after = np.full(self.data.n_municipalities, other)
        during = np.where(self.municipality_partner, p["coaching_capacity_partner"], other)
        return during, after

    def _tranche_calendar(self) -> dict[int, int]:
        """Stimulated places by tranche month (a new dict: the model's own)."""
        p = self.params
        names = ("n_stimulated", "stimulation_tranches", "stimulation_start_month")
        return dict(_tranche_calendar(*(p[n] for n in names), p["tranche_interval_months"]))

    # --- what governments offer -----------------------------------------------------------------
    @property
    def programme_active(self) -> bool:
        return self.month < self.params["programme_end_month"]

    def coaching_capacity(self) -> np.ndarray:
        """Parks each municipality can coach at once this month."""
        return self._capacity_during if self.programme_active else self._capacity_after

    def regulation_scope_mask(self) -> np.ndarray:
        """The municipalities that may adopt the rule (`regulation_scope`; agents/regulation.py)."""
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
        regime = self._regime_key(active)
        if regime != self._regime:  # policies changed: recompute what they offer
            self._regime = regime
            self._set_policy_context(active)
        national = self.labelled_share()
        ctx.awareness_hazard = self._awareness_hazard + p["national_awareness_rate"] * national
        ctx.province_signal = self.programme.showcase_signal() + p["national_visibility"] * national
        ctx.cost = p["cost"] * (1.0 - p["maturity_cost_reduction"] * self.programme.maturity)
        ctx.label_available = self.programme.label_available

    def _regime_key(self, active: bool) -> tuple:
        """The policies behind the cached context (`_set_policy_context`)."""
        return (
            active,
            self.province_green_deal.tobytes(),
            self.municipality_regulated.tobytes(),
            self.municipality_partner.tobytes(),
        )

    def _set_policy_context(self, active: bool) -> None:
        """The parts of the month context that change only when a policy changes."""
        p, ctx = self.params, self.context
        ctx.programme_active = active
        campaign = p["campaign_rate"] * p["campaign_intensity"] * active
        boost = np.where(self.province_green_deal, p["green_deal_awareness_boost"], 1.0)
        self._awareness_hazard = p["awareness_base_rate"] + campaign * boost
        # The subsidy's utility goes to recipients only (agents/subsidy.py), not to every park
        # of a province with budget left.
        ctx.subsidy_offer = p["subsidy_utility"] * (p["subsidy_per_park_keur"] / 50.0) * active
        ctx.support_offer = p["coaching_utility"] * (self.municipality_partner & active)
        ctx.regulation_push = p["regulation_push"] * self.municipality_regulated
        ctx.organisation_factor = np.where(
            self.province_green_deal & active, p["organisation_support"], 1.0
        )

    # --- the monthly step -----------------------------------------------------------------------
    def step(self) -> None:
        """One month: programme, provinces, municipalities, parks, record."""
        try:
            self._month()
        except SystemError as error:  # Ctrl-C inside a compiled kernel: still a Ctrl-C
            if compiled_interrupted(error):
                raise KeyboardInterrupt from None
            raise

    def _month(self) -> None:
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

    def run_to_end(self, twin: bool = True) -> WerklandschapModel:
        """Run the horizon and the after-horizon (`horizon_months` + `after_horizon_months`).

        `twin=True`: when the run passes the end of support (`programme_end_month`) with at least
        `TWIN_MIN_MONTHS` months left, fork it there into a seed-matched twin with peers switched
        off and run the twin to the end too (`self.twin_labelled`: its labelled parks per month
        from the fork on; the self-sustaining test, ODD §7.9).
        """
        fork = self.params["programme_end_month"]
        if twin and int(self.time) <= fork and self.months - fork >= TWIN_MIN_MONTHS:
            if fork > int(self.time):
                self._run_months(fork - int(self.time))
            twin_run = fork_without_peers(self).run_to_end(twin=False)
            self.twin_labelled = twin_run._stage_counts[fork:, Stage.LABELLED].copy()
        remaining = self.months - int(self.time)
        if remaining > 0:
            self._run_months(remaining)
        return self

    def _run_months(self, months: int) -> None:
        """`run_for(months)`, through the compiled month loop when it applies (model/
        compiled_loop.py: stretches of months in one call, Mesa's event loop bypassed)."""
        loop = self.twins.get("month_loop")
        if loop is None or not loop(self, months):
            self.run_for(months)

    def count_engagements(self, drivers: np.ndarray, credit: np.ndarray | None = None) -> None:
        """Record new engagements this month by main channel (`drivers`) and their marginal
        credits (`credit`, (n, N_DRIVERS); None: the engagement is the programme's own, as for
        the selection of labs and ambassadors)."""
        if drivers.size:
            row = int(self.time)
            self._engagements[row] += np.bincount(drivers, minlength=N_DRIVERS)  # = np.add.at
            if credit is None:
                self._credit[row, Driver.PROGRAMME] += drivers.size
            else:
                self._credit[row] += credit.sum(axis=0)

    def record_money(
        self, spent: np.ndarray | None = None, funded: np.ndarray | None = None
    ) -> None:
        """Add M€ granted (`spent`) or put in the pots (`funded`), by source, to this month."""
        row = int(self.time)
        if spent is not None:
            self._spent[row] += spent
        if funded is not None:
            self._funded[row] += funded

    def _record(self) -> None:
        row = int(self.time)
        self.twins.get("record_stages", _record_stages)(self, row)  # compiled twin if registered
        self._labelled = int(self._stage_counts[row, Stage.LABELLED])
        self._maturity[row] = self.programme.maturity
        self._label[row] = self.programme.label_available
        self._green_deal[row] = np.count_nonzero(self.province_green_deal)
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def _extend_records(self, months: int) -> None:
        for name in RECORDS:
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
            credit=self._credit[:rows].copy(),
            twin_labelled=self.twin_labelled,
            maturity=self._maturity[:rows].copy(),
            label_available=self._label[:rows].copy(),
            green_deal_provinces=self._green_deal[:rows].copy(),
            stage_at_horizon=self._stage_at_horizon.copy(),
            final_stage=s.stage.copy(),
            role=s.role.copy(),
            organisation=s.organisation.copy(),
            park_province=self.park_province,
            initial_green_deal=self._initial_green_deal(),
            initial_organisation=self._initial_organisation.copy(),
            spent=self._spent[:rows].copy(),
            funded=self._funded[:rows].copy(),
        )


@lru_cache(maxsize=64)
def _province_mask(provinces: tuple[str, ...], names: tuple[str, ...]) -> np.ndarray:
    """The provinces `names` as a mask over `provinces` (read-only; cached: a run asks a dozen
    times, and every run of a scenario asks the same)."""
    mask = np.zeros(len(provinces), bool)
    for name in names:
        try:
            mask[provinces.index(name)] = True
        except ValueError:
            raise KeyError(f"unknown province {name!r}; known: {', '.join(provinces)}") from None
    mask.flags.writeable = False
    return mask


@lru_cache(maxsize=64)
def _tranche_calendar(places: int, tranches: int, start: int, interval: int) -> dict[int, int]:
    """Stimulated places by tranche month: `places` split over `tranches` tranches (largest
    remainder), from month `start` every `interval` months (cached; callers copy it)."""
    shares = largest_remainder(places, np.ones(tranches))
    calendar: dict[int, int] = {}
    for k, n in zip(range(tranches), shares, strict=True):
        month = start + k * interval
        calendar[month] = calendar.get(month, 0) + int(n)
    return calendar


def _record_stages(model: WerklandschapModel, row: int) -> None:
    """Stage counts per province and nationally of the month in record `row`."""
    stage, n_provinces = model.park_state.stage, model.data.n_provinces
    by_province = np.bincount(
        model._province_offset + stage, minlength=n_provinces * N_STAGES
    ).reshape(n_provinces, N_STAGES)
    model._province_stages[row] = by_province
    model._stage_counts[row] = by_province.sum(axis=0)


def run(scenario: Scenario | str = "baseline", seed: int = 0) -> RunResult:
    """Build the model with a seed, run it to the end and return its result (the fast path:
    no Park agent objects, no data collection)."""
    model = WerklandschapModel(scenario, rng=seed, park_agents=False, collect=False)
    return model.run_to_end().result()


__all__ = [
    "NATIONAL_REPORTERS",
    "PEER_CHANNELS",
    "MonthContext",
    "WerklandschapModel",
    "model_settings",
    "run",
]
