"""Business parks: their state (one numpy array per attribute) and their monthly rules.

The model owns a `ParkState` (struct of arrays over all parks of the data). Each `Park` agent is a
real Mesa agent and a *view* of one row: reading or writing `park.stage` reads or writes
`state.stage[park.index]`. The monthly rules run for all parks at once (`Park.step_all`), in the
order of docs/ODD.md §3 and §7.3–7.6, one named function each: (permit events,) awareness,
engagement, organisation, planning, transformation, stalling, label.
Signals from other parks (peer shares) are taken from the state at the start of the month, so the
order of parks never matters (synchronous updating). A park can pass several stages in one month
when the rates allow it (needed for the Bass reduction; rare with the default rates).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import mesa
import numpy as np

if TYPE_CHECKING:
    from werklandschap.agents.organising import TypeFactors
    from werklandschap.model.model import WerklandschapModel

from werklandschap.agents.decision import (
    ADOPTING_VALUE,
    AWARE_VALUE,
    engagement_chance,
    main_channel,
    neighbour_share,
)
from werklandschap.agents.regulation import event_credit, obligation, permit_events
from werklandschap.agents.trials import successes


class Stage(IntEnum):
    UNAWARE = 0
    AWARE = 1
    ENGAGED = 2  # plan being made
    TRANSFORMING = 3
    LABELLED = 4  # werklandschap: area label achieved


class Role(IntEnum):
    REGULAR = 0
    LIVING_LAB = 1
    AMBASSADOR = 2
    STIMULATED = 3
    PARTNER = 4  # partner park (partnerterrein): programme support, no showcase; keep it last


class Organisation(IntEnum):
    NONE = 0
    ASSOCIATION = 1
    PARK_MANAGEMENT = 2
    BIZ = 3


class Driver(IntEnum):
    """What pushed a park into engagement: the largest external term of its utility."""

    NONE = 0
    INTRINSIC = 1  # its own challenge, earning capacity and ambition
    PROGRAMME = 2  # role, subsidy, coaching offer, or selection as lab/ambassador
    PEERS = 3  # neighbours, ambassadors in the province, national visibility
    REGULATION = 4  # the 'new normal' in the zoning rules


N_STAGES = len(Stage)
N_DRIVERS = len(Driver)
CHANNELS = (Driver.PROGRAMME, Driver.PEERS, Driver.REGULATION)  # removable utility channels


@dataclass(eq=False)
class ParkState:
    """All parks' attributes as arrays (index = park). Static ones are drawn once per run."""

    # static, drawn once per run (see draw_parks)
    challenge: np.ndarray  # 0-1 future-proofness gap
    earning_capacity: np.ndarray  # 0-1 rank of net hectares
    ambition: np.ndarray  # 0-1
    commitment: np.ndarray  # 0-1
    threshold: np.ndarray  # adoption threshold on the utility scale
    own_motive: np.ndarray  # utility from challenge, earning capacity and ambition (static)
    duration: np.ndarray  # months of transformation needed (before coaching speed-up)
    # dynamic
    stage: np.ndarray  # int8 Stage
    months_in_stage: np.ndarray  # int16
    role: np.ndarray  # int8 Role
    organisation: np.ndarray  # int8 Organisation
    progress: np.ndarray  # months of transformation done (coached months count more)
    subsidised: np.ndarray  # bool: received the one-off provincial subsidy
    coached: np.ndarray  # bool: coached by its municipality this month
    finished_month: np.ndarray  # int16: month transformation finished (-1: not yet)
    driver: np.ndarray  # int8 Driver of the latest engagement
    permit_event: np.ndarray  # bool: permit/redevelopment event this month (agents/regulation.py)
    biz_vote_month: np.ndarray  # int16: month of the park's latest BIZ vote (-1: never)


def draw_parks(model: WerklandschapModel) -> ParkState:
    """Draw every park's static attributes from the documented distributions (seeded).

    - challenge ~ Beta with mean `challenge_mean` and concentration 8 (high on average: 87% of
      parks are flood-prone);
    - earning_capacity = rank of net hectares in (0, 1] (proxy for jobs);
    - organisation: BIZ / park management / association / none with the spec's shares, larger
      parks more often organised (`organisation_size_tilt`);
    - ambition ~ Beta(2, 2); commitment ~ Beta(2, 2), +0.2 if organised (clipped to 1);
    - threshold ~ Normal(`threshold_mean`, `threshold_sd`);
    - own motive = weight_challenge * challenge + weight_earning * earning_capacity
      + weight_ambition * ambition (the part of the engagement utility that never changes);
    - duration = `transformation_months` * (ha_net / median)^`size_elasticity` * Gamma(4, 1/4).
    """
    p, data, rng = model.params, model.data, model.rng
    n = data.n_parks
    ha = data.park_ha_net
    size_rank, median_ha = size_ranks(data)

    concentration = 8.0
    mean = p["challenge_mean"]
    challenge = rng.beta(mean * concentration, (1 - mean) * concentration, n)

    organisation = draw_organisation(p, rng, size_rank)
    organised = organisation != Organisation.NONE

    ambition = rng.beta(2.0, 2.0, n)
    commitment = np.minimum(rng.beta(2.0, 2.0, n) + 0.2 * organised, 1.0)
    threshold = rng.normal(p["threshold_mean"], p["threshold_sd"], n)
    size_factor = (np.maximum(ha, 0.5) / median_ha) ** p["size_elasticity"]
    duration = p["transformation_months"] * size_factor * rng.gamma(4.0, 0.25, n)

    own_motive = (
        p["weight_challenge"] * challenge
        + p["weight_earning"] * size_rank
        + p["weight_ambition"] * ambition
    )
    return ParkState(
        own_motive=own_motive,
        challenge=challenge,
        earning_capacity=size_rank.copy(),  # the cached ranks stay read-only
        ambition=ambition,
        commitment=commitment,
        threshold=threshold,
        duration=duration,
        stage=np.zeros(n, np.int8),
        months_in_stage=np.zeros(n, np.int16),
        role=np.zeros(n, np.int8),
        organisation=organisation,
        progress=np.zeros(n),
        subsidised=np.zeros(n, bool),
        coached=np.zeros(n, bool),
        finished_month=np.full(n, -1, np.int16),
        driver=np.zeros(n, np.int8),
        permit_event=np.zeros(n, bool),
        biz_vote_month=np.full(n, -1, np.int16),
    )


@lru_cache(maxsize=8)
def size_ranks(data) -> tuple[np.ndarray, float]:
    """Rank of each park's net hectares in (0, 1] and the median of the positive hectares (ha):
    static, so computed once per data set and process (read-only)."""
    ha = data.park_ha_net
    rank = (np.argsort(np.argsort(ha, kind="stable"), kind="stable") + 1) / data.n_parks
    rank.flags.writeable = False
    return rank, float(np.median(ha[ha > 0]))


def draw_organisation(p: dict, rng: np.random.Generator, size_rank: np.ndarray) -> np.ndarray:
    """Organisation at the start (docs/ODD.md §5): BIZ / park management / association / none with
    the spec's shares, larger parks more often organised (`organisation_size_tilt`)."""
    n = size_rank.size
    shares = np.array([p["share_association"], p["share_park_management"], p["share_biz"]])
    organised_share = shares.sum()
    tilt = 1 + p["organisation_size_tilt"] * (2 * size_rank - 1)
    p_organised = np.clip(organised_share * tilt, 0.0, 1.0)
    organised = rng.random(n) < p_organised
    kind = rng.choice(3, size=n, p=shares / organised_share if organised_share > 0 else None)
    return np.where(organised, kind + 1, Organisation.NONE).astype(np.int8)


def _view(attribute: str, cast=None):
    """A property that reads/writes one park's row of a ParkState array."""

    def get(self):
        value = getattr(self.model.park_state, attribute)[self.index]
        return cast(value) if cast else value.item()

    def set(self, value):
        getattr(self.model.park_state, attribute)[self.index] = value

    return property(get, set, doc=f"This park's `{attribute}` (a view of ParkState.{attribute}).")


class Park(mesa.Agent):
    """A business park (bedrijventerrein) from IBIS; its attributes are views of the arrays."""

    stage = _view("stage", Stage)
    role = _view("role", Role)
    organisation = _view("organisation", Organisation)
    driver = _view("driver", Driver)
    months_in_stage = _view("months_in_stage")
    challenge = _view("challenge")
    earning_capacity = _view("earning_capacity")
    ambition = _view("ambition")
    commitment = _view("commitment")
    threshold = _view("threshold")
    subsidised = _view("subsidised")
    coached = _view("coached")

    def __init__(self, model: WerklandschapModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def rin(self) -> int:
        return int(self.model.data.park_id[self.index])

    @property
    def name(self) -> str:
        return str(self.model.data.park_name[self.index])

    @property
    def hectares(self) -> float:
        return float(self.model.data.park_ha_net[self.index])

    @property
    def municipality(self):
        return self.model.municipalities[self.model.data.park_municipality[self.index]]

    @property
    def province(self):
        return self.model.provinces[self.model.data.park_province[self.index]]

    def __repr__(self) -> str:
        return f"<Park {self.rin} {self.name!r} {self.stage.name} {self.role.name}>"

    @staticmethod
    def step_all(model: WerklandschapModel) -> None:
        """All parks take their monthly decisions at once (see module docstring)."""
        step_parks(model, model.park_state)


@dataclass(eq=False)
class MonthStart:
    """What the park rules of one month read from the state at its start (synchronous updating):
    the stages, the parks by stage (index order) and the stage counts per municipality."""

    stage: np.ndarray  # stage of every park at the start of the month
    unaware: np.ndarray
    aware: np.ndarray  # grows by the newly aware parks (rule 1)
    engaged: np.ndarray  # grows by the newly engaged parks (rule 2)
    transforming: np.ndarray
    active: np.ndarray  # engaged or transforming at the start
    town_stage: np.ndarray  # (municipalities, stages): the input of both peer signals
    programme_parks: np.ndarray | None  # role != REGULAR while the programme runs, else None
    speed: np.ndarray | None = None  # factor on progress, set by `support_speed`
    supported: np.ndarray | None = None  # coached, subsidised or in a programme role
    factors: TypeFactors | None = None  # by organisation type (rules 4-6), set by step_parks


def month_start(model: WerklandschapModel, s: ParkState) -> MonthStart:
    """Sort the parks by their stage at the start of the month (one pass over the parks)."""
    start = s.stage.copy()
    by_stage = np.argsort(start, kind="stable")
    cuts = np.cumsum(np.bincount(start, minlength=N_STAGES)).tolist()
    unaware, aware, engaged, transforming = (
        by_stage[a:b] for a, b in zip([0, *cuts[:3]], cuts[:4], strict=True)
    )
    town_stage = np.bincount(model.town_stage_offset + start, minlength=model.town_stage_bins)
    return MonthStart(
        stage=start,
        unaware=unaware,
        aware=aware,
        engaged=engaged,
        transforming=transforming,
        active=by_stage[cuts[1] : cuts[3]],
        town_stage=town_stage.reshape(-1, N_STAGES),
        programme_parks=s.role != Role.REGULAR if model.context.programme_active else None,
    )


def step_parks(model: WerklandschapModel, s: ParkState) -> None:
    """The vectorised monthly park rules, in the order of docs/ODD.md §3 (step 4) and §7.3–7.6.

    Each rule works on the index set of the parks it concerns, drawing one uniform number per
    park it concerns; the order of the rules fixes the order of the random draws.
    """
    from werklandschap.agents.organising import type_factors  # imports this module

    rule = model.twins.get  # a rule's compiled twin (model/compiled.py), else the numpy rule
    fused = rule("park_month")  # the whole month in one compiled call; False: not applicable
    if fused is not None and fused(model, s):
        return
    m = rule("month_start", month_start)(model, s)
    permit_events(model, s)  # rule 0: events at which a municipality's rule binds
    rule("awareness", awareness)(model, s, m)
    rule("engagement", engagement)(model, s, m)
    m.speed = rule("support_speed", support_speed)(model, s, m)
    m.factors = type_factors(model.params)
    rule("organisation", organisation)(model, s, m)
    started = rule("planning", planning)(model, s, m)
    transforming = rule("transformation", transformation)(model, s, m, started)
    rule("stalling", stalling)(model, s, m)
    rule("label", label)(model, s, transforming)
    rule("month_end", month_end)(model, s, m)


def month_end(model: WerklandschapModel, s: ParkState, m: MonthStart) -> None:
    """Months in stage: one more, and 0 for the parks whose stage changed this month."""
    s.months_in_stage += 1
    s.months_in_stage[s.stage != m.stage] = 0


def awareness(model: WerklandschapModel, s: ParkState, m: MonthStart) -> None:
    """Rule 1 (docs/ODD.md §7.3): campaign, aware neighbours, national visibility and a small
    base rate make unaware parks aware (hazard per month). An unaware park is not aware itself:
    its own value in the neighbour share is 0."""
    p, ctx = model.params, model.context
    unaware = m.unaware
    aware_share = neighbour_share(model, m, AWARE_VALUE, unaware)
    province = model.data.park_province[unaware]
    hazard = ctx.awareness_hazard[province] + p["peer_awareness_rate"] * aware_share
    newly_aware = unaware[model.rng.random(unaware.size) < -np.expm1(-hazard)]
    s.stage[newly_aware] = Stage.AWARE
    m.aware = np.concatenate([m.aware, newly_aware])


class DecisionTerms(NamedTuple):
    """What an aware park's engagement decision reads (arrays over the parks asked for)."""

    utility: np.ndarray
    threshold: np.ndarray
    rate: np.ndarray  # 1 at a permit event, else `engage_rate`
    support: np.ndarray  # coaching on offer, the subsidy's utility, the role support
    peer: np.ndarray  # local ties, province showcase, national visibility
    regulation: np.ndarray  # the rule's push at a permit event, else 0


def decision_terms(
    model: WerklandschapModel, s: ParkState, m: MonthStart, positions: np.ndarray
) -> DecisionTerms:
    """The decision terms of the aware parks `m.aware[positions]` (docs/ODD.md §7.4)."""
    p, ctx, data = model.params, model.context, model.data
    aware = m.aware[positions]
    local = neighbour_share(model, m, ADOPTING_VALUE, m.aware)[positions]
    peer_term = p["peer_weight"] * local + ctx.province_signal[data.park_province[aware]]
    aware_town = data.park_municipality[aware]
    # coaching on offer in the municipality + the subsidy's utility for recipients only
    support = ctx.support_offer[aware_town] + ctx.subsidy_offer * s.subsidised[aware]
    if m.programme_parks is not None:
        support = support + p["role_support"] * m.programme_parks[aware]
    regulation, rate = obligation(model, s, aware)  # binds only at a permit event
    utility = s.own_motive[aware] + peer_term + support + regulation - ctx.cost
    return DecisionTerms(utility, s.threshold[aware], rate, support, peer_term, regulation)


def engagement_draws(
    model: WerklandschapModel, s: ParkState, aware: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The parks that decide this month (positions in `aware`) and one uniform each, drawn in
    this order: the trials at `engage_rate` over all of `aware` by their gaps (`successes`), one
    uniform per success, then one per park at a permit event that is not a success. A park's
    trial and uniform do not depend on other parks' permit events (common random numbers)."""
    trials = successes(model.rng, aware.size, model.params["engage_rate"])
    u_trials = model.rng.random(trials.size)
    event = s.permit_event[aware]  # a copy
    event[trials] = False
    events = np.flatnonzero(event)
    u_events = model.rng.random(events.size)
    return np.concatenate([trials, events]), np.concatenate([u_trials, u_events])


def engagement(model: WerklandschapModel, s: ParkState, m: MonthStart) -> None:
    """Rule 2 (docs/ODD.md §7.4): utility against threshold, with logistic noise, at a limited
    monthly rate. Peer signals come from the state at the start of the month; a park aware at the
    start (or newly aware) adopts nothing itself, so its own value is 0. A municipality's rule
    binds only at a permit event (`obligation`, agents/regulation.py). Each engagement is
    credited to the channels by marginal effect (`event_credit`).

    Draws (`engagement_draws`): a park engages with chance rate * logistic in two steps. Every
    aware park is a Bernoulli trial at `engage_rate`, drawn by the gaps between successes; the
    successes and the parks at a permit event (rate 1) decide, each with one uniform: it engages
    when the uniform is below its logistic. The newly engaged are in the order decided."""
    positions, u = engagement_draws(model, s, m.aware)
    t = decision_terms(model, s, m, positions)
    logistic = engagement_chance(t.utility, t.threshold, 1.0, model.params["decision_noise"])
    chance = t.rate * logistic
    engages = u < logistic
    newly_engaged = m.aware[positions[engages]]
    if newly_engaged.size:
        s.stage[newly_engaged] = Stage.ENGAGED
        terms = np.stack([t.support[engages], t.peer[engages], t.regulation[engages]])
        credit = event_credit(
            chance[engages], terms, t.utility[engages], t.threshold[engages], t.rate[engages],
            model.params,
        )  # fmt: skip
        drivers = main_channel(credit)
        s.driver[newly_engaged] = drivers
        model.count_engagements(drivers, credit)
        m.engaged = np.concatenate([m.engaged, newly_engaged])


def support_speed(model: WerklandschapModel, s: ParkState, m: MonthStart) -> np.ndarray:
    """Support (coaching, subsidy, a programme role) protects from stalling and speeds
    organising, planning and transforming (docs/ODD.md §7.5): factor per park (1 unsupported)."""
    supported = s.coached | s.subsidised
    if m.programme_parks is not None:
        supported |= m.programme_parks
    m.supported = supported
    return 1.0 + model.params["coaching_speedup"] * supported


def organisation(model: WerklandschapModel, s: ParkState, m: MonthStart) -> None:
    """Rule 3 (docs/ODD.md §7.5; `agents/organising.py`): organic BIZ formation in every park,
    then engaged parks organise by type (association, park management, BIZ vote); only organised
    parks can start transforming."""
    from werklandschap.agents.organising import organise  # imports this module

    organise(model, s, m)


def planning(model: WerklandschapModel, s: ParkState, m: MonthStart) -> np.ndarray:
    """Rule 4 (docs/ODD.md §7.5): an organised engaged park starts transforming after
    ~`plan_months` (exponential, faster when supported and by organisation type). Returns the
    parks that started."""
    plan_months = model.params["plan_months"]
    engaged = m.engaged
    i = engaged[s.organisation[engaged] != Organisation.NONE]
    if plan_months > 0:
        rate = m.speed[i] * m.factors.plan[s.organisation[i]] / plan_months
        i = i[model.rng.random(i.size) < -np.expm1(-rate)]
    s.stage[i] = Stage.TRANSFORMING
    s.progress[i] = 0.0
    return i


def transformation(
    model: WerklandschapModel, s: ParkState, m: MonthStart, started: np.ndarray
) -> np.ndarray:
    """Rule 5 (docs/ODD.md §7.5): parks transforming since the start of the month progress
    (months, faster when supported and by organisation type) until their duration is done; the
    month they finish is recorded. Returns every transforming park (at the start or started this
    month)."""
    transforming = m.transforming
    s.progress[transforming] += (
        m.speed[transforming] * m.factors.transform[s.organisation[transforming]]
    )
    transforming = np.concatenate([transforming, started])
    i = transforming[s.finished_month[transforming] < 0]
    s.finished_month[i[s.progress[i] >= s.duration[i]]] = model.month
    return transforming


def stalling(model: WerklandschapModel, s: ParkState, m: MonthStart) -> None:
    """Rule 6 (docs/ODD.md §7.5): unsupported parks engaged or transforming (unfinished) since
    the start of the month fall back to awareness at `stall_rate` per month, times the factor of
    their organisation type."""
    active = m.active
    i = active[(s.finished_month[active] < 0) & ~m.supported[active]]
    chance = model.params["stall_rate"] * m.factors.stall[s.organisation[i]]
    i = i[model.rng.random(i.size) < chance]
    s.stage[i] = Stage.AWARE
    s.progress[i] = 0.0


def label(model: WerklandschapModel, s: ParkState, transforming: np.ndarray) -> None:
    """Rule 7 (docs/ODD.md §7.6): once the label is available, finished parks are certified
    first come, first served (ties in random order), within the certification capacity."""
    if not model.context.label_available:
        return
    i = transforming[
        (s.stage[transforming] == Stage.TRANSFORMING) & (s.finished_month[transforming] >= 0)
    ]
    slots = model.programme.take_certification_slots(i.size)
    if slots:
        order = np.lexsort((model.rng.random(i.size), s.finished_month[i]))
        s.stage[i[order[:slots]]] = Stage.LABELLED
