"""Subsidy as an application process, with budgets tied to the programme's finances (ODD §7.8).

Money. Each Green Deal province holds one subsidy pot per calendar year, filled each January while
the programme runs from three sources (M€; `SOURCES`):

- the Growth Fund: `growth_fund_meur` · `growth_fund_subsidy_share` over the programme period,
  split equally over the Green Deal provinces of the plan (`green_deal_provinces`), or over the
  members when more have signed (so the Fund is never overspent);
- the province itself: `province_cofinancing_meur` over the programme period;
- its partner municipalities: `municipality_cofinancing_meur` each over the programme period.

"This year's part" of a sum over the programme period is the sum · (programme months in this
calendar year) / `programme_end_month`, so a programme that runs to its end makes each sum
available exactly once. Money not granted by December lapses (yearly provincial budgets). A
province that signs during the year (the decision rule, agents/green_deal.py) gets its pot for
the rest of that year in the month it signs; its pot is not recomputed when others sign later.

Applications. While the programme runs, every aware, engaged or transforming park in a Green Deal
province that has not applied yet applies with chance `subsidy_application_rate` a month (one
application per park, ever; so parks can receive the grant before they engage, as a feasibility
or planning grant). Draws: one uniform u per such park, in park index order (step "subsidy
applications"); the park applies when u < rate, and u / rate (again uniform on [0, 1)) is its
tie-break, so the step needs no second draw.

Awards. Each month each province grants `subsidy_per_park_keur` to its waiting applicants (not yet
granted, not labelled) in the order: programme parks (lab, ambassador, stimulated) first, then
earliest application, then smallest tie-break, as long as its pot holds a whole grant.
Applicants that do not fit wait for next month or next year's pot; at the end of the programme
waiting applications lapse. Only recipients (`ParkState.subsidised`) get the subsidy's effects:
the engagement utility `subsidy_utility` · grant / 50 k€ while the programme runs (agents/park.py
`engagement`) and support (speed, stall protection: `support_speed`). Each grant is booked to
the three sources in proportion to its province's pot this year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from werklandschap.agents.park import Role, Stage
from werklandschap.model.outcomes import MONEY_SOURCES
from werklandschap.model.parameters import KEUR_PER_MEUR

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel

#: Who pays a grant (columns of the money records).
SOURCES: tuple[str, ...] = MONEY_SOURCES
NOT_APPLIED = -1


@dataclass(eq=False)
class SubsidyBook:
    """Applications per park and this year's pot per province (M€, by source)."""

    applied_month: np.ndarray  # int32 per park: month of application, NOT_APPLIED if none
    tie: np.ndarray  # float per park: tie-break among applications of the same month
    pot: np.ndarray  # (provinces, sources) M€ this year's pot, as filled in January
    #: M€ granted per province so far this budget year (the pot's remainder is pot.sum - spent)
    spent_this_year: np.ndarray
    funded: np.ndarray  # bool per province: has this year's pot

    @classmethod
    def empty(cls, n_parks: int, n_provinces: int) -> SubsidyBook:
        return cls(
            applied_month=np.full(n_parks, NOT_APPLIED, np.int32),
            tie=np.zeros(n_parks),
            pot=np.zeros((n_provinces, len(SOURCES))),
            spent_this_year=np.zeros(n_provinces),
            funded=np.zeros(n_provinces, bool),
        )


def grant_meur(params: dict[str, Any]) -> float:
    """One grant in M€."""
    return params["subsidy_per_park_keur"] / KEUR_PER_MEUR


def programme_money(
    params: dict[str, Any],
    green_deal: np.ndarray,
    partners_per_province: np.ndarray,
    planned_deals: int = 0,
) -> np.ndarray:
    """M€ per province and source (`SOURCES`) over the whole programme period, for a fixed set
    of Green Deal provinces (bool per province) and partner municipalities per province; the
    Growth Fund part is split over max(members, `planned_deals`) provinces."""
    money = np.zeros((green_deal.size, len(SOURCES)))
    n_deals = max(int(np.count_nonzero(green_deal)), planned_deals)
    if n_deals == 0:
        return money
    fund = params["growth_fund_meur"] * params["growth_fund_subsidy_share"]
    money[:, 0] = fund / n_deals
    money[:, 1] = params["province_cofinancing_meur"]
    money[:, 2] = params["municipality_cofinancing_meur"] * partners_per_province
    return money * green_deal[:, None]


def partners_per_province(model: WerklandschapModel) -> np.ndarray:
    """Partner municipalities per province."""
    return np.bincount(
        model.data.municipality_province[model.municipality_partner],
        minlength=model.data.n_provinces,
    )


def year_fraction(model: WerklandschapModel) -> float:
    """Share of the programme period from this month to the end of its calendar year."""
    end = model.params["programme_end_month"]
    months = min(12 - model.month % 12, max(0, end - model.month))
    return months / end if end > 0 else 0.0


def whole_programme_money(model: WerklandschapModel) -> np.ndarray:
    """`programme_money` for the members and partners of this month."""
    planned = len(model.settings.green_deal_names())
    return programme_money(
        model.params, model.province_green_deal, partners_per_province(model), planned
    )


def fill_pots(model: WerklandschapModel) -> None:
    """January: this year's pot of every Green Deal province; last year's remainder lapses."""
    book = model.subsidy
    book.pot = whole_programme_money(model) * year_fraction(model)
    book.spent_this_year[:] = 0.0
    book.funded = model.province_green_deal.copy()
    model.province_budget[:] = book.pot.sum(axis=1)
    model.record_money(funded=book.pot.sum(axis=0))


def fund_new_members(model: WerklandschapModel) -> None:
    """A province that signed since January gets its pot for the rest of this year."""
    book = model.subsidy
    new = model.province_green_deal & ~book.funded
    if not new.any():
        return
    added = whole_programme_money(model) * year_fraction(model) * new[:, None]
    book.pot += added
    book.funded |= new
    model.province_budget += added.sum(axis=1)
    model.record_money(funded=added.sum(axis=0))


def take_applications(model: WerklandschapModel) -> None:
    """Step "subsidy applications": one uniform per park that may apply (see module docs)."""
    s, book = model.park_state, model.subsidy
    may_apply = (
        (s.stage >= Stage.AWARE)
        & (s.stage <= Stage.TRANSFORMING)
        & (book.applied_month == NOT_APPLIED)
        & model.province_green_deal[model.park_province]
    )
    i = np.flatnonzero(may_apply)
    rate = model.params["subsidy_application_rate"]
    u = model.rng.random(i.size)
    applies = u < rate
    book.applied_month[i[applies]] = model.month
    book.tie[i[applies]] = u[applies] / rate


def award_grants(model: WerklandschapModel) -> np.ndarray:
    """Grant waiting applicants within each province's pot (see module docs); returns the
    recipients of this month in park index order."""
    s, book = model.park_state, model.subsidy
    grant = grant_meur(model.params)
    waiting = np.flatnonzero(
        (book.applied_month != NOT_APPLIED) & ~s.subsidised & (s.stage <= Stage.TRANSFORMING)
    )
    if grant <= 0 or waiting.size == 0:
        return waiting[:0]
    province = model.park_province[waiting]
    # Whole grants left in each pot (1e-9: M€ rounding of sums of grants), capped at the
    # applicants so that a grant of a few euros does not overflow ("infinitely many" grants).
    with np.errstate(over="ignore"):
        fit = np.minimum((model.province_budget + 1e-9) / grant, waiting.size)
    grants_left = np.floor(fit).astype(np.int64)
    order = np.lexsort(
        (book.tie[waiting], book.applied_month[waiting], s.role[waiting] == Role.REGULAR, province)
    )
    ranked = waiting[order]
    ranked_province = province[order]
    rank = np.arange(ranked.size) - np.searchsorted(ranked_province, ranked_province)
    granted = np.sort(ranked[rank < grants_left[ranked_province]])
    if granted.size:
        pay(model, granted, grant)
    return granted


def pay(model: WerklandschapModel, granted: np.ndarray, grant: float) -> None:
    """Mark the recipients and book their grants to their province's pot and its sources."""
    book = model.subsidy
    model.park_state.subsidised[granted] = True
    n = np.bincount(model.park_province[granted], minlength=model.data.n_provinces)
    model.province_budget -= grant * n
    book.spent_this_year += grant * n
    model.record_money(spent=(grant * n) @ source_shares(book.pot))


def source_shares(pot: np.ndarray) -> np.ndarray:
    """Each province's split of a grant over the sources (`SOURCES`): its pot this year by
    source over the pot (`pot`: M€ per province and source; 0 for an empty pot). M€ granted per
    province @ this = M€ granted by source. Stacked pots (..., provinces, sources) give the
    shares of each, the same numbers."""
    total = pot.sum(axis=-1)[..., None]
    # the division only where the pot holds money (no error state to switch: a quick call)
    return np.divide(pot, total, out=np.zeros(pot.shape), where=total > 0)


def subsidy_step(model: WerklandschapModel) -> None:
    """The provinces' monthly subsidy step: January pots, applications, awards."""
    refill_pots(model)
    model.twins.get("take_applications", take_applications)(model)  # compiled twin if registered
    model.twins.get("award_grants", award_grants)(model)


def refill_pots(model: WerklandschapModel) -> None:
    """The pots of this month: every member's in January, else those of new members."""
    if model.month % 12 == 0:
        fill_pots(model)
    else:
        fund_new_members(model)


def close_programme(model: WerklandschapModel) -> None:
    """After the programme: no pots; waiting applications lapse (no awards any more)."""
    model.province_budget[:] = 0.0
    model.subsidy.pot[:] = 0.0
