"""Governments that decide: provinces join the Green Deal, municipalities become partners.

Two rules (`green_deal_rule`):

- "fixed" (the behaviour before governments decided; scenario `green_deal_fixed`): the provinces
  of `green_deal_provinces` are members from the start, the `partner_municipalities`
  municipalities with most parks in them are partners from the start, and the other provinces
  join all at once when the labelled share passes `late_join_share`. Labs and ambassadors are
  chosen among all parks of member provinces together.
- "decision" (the baseline): no province is a member at the start. Each month while the
  programme runs, every province that is not yet a member decides to sign with the chance
  1 - exp(-h), h = plan + (neighbours + uptake) * capacity (1/month), where
  plan = `green_deal_plan_rate` for the provinces of the plan (`green_deal_provinces`), else 0;
  neighbours = `green_deal_neighbour_rate` * share of its neighbouring provinces that are members;
  uptake = `green_deal_uptake_rate` * national share of parks transforming or labelled;
  capacity = 1 - members / provinces (the programme office spreads over its members).
  One uniform per deciding province (h > 0), `model.rng.random(k)` in province index order.
  The `late_join_share` trigger still lets all others join at once (scenario late_joiners).

A province signs a package, in the order of signing: A (1 living lab + 2 ambassadors) while
fewer than `green_deal_packages_a` provinces hold one, then B (1 ambassador) while fewer than
`green_deal_packages_b` do, then C: the lighter deal, which gives everything a Green Deal gives a
province (campaign boost, subsidy budget, stimulated places, organisation support, partner
municipalities) except labs and ambassadors. Labs and ambassadors are allocated to member
provinces by package (labs to A; ambassadors 2 per A, 1 per B; largest remainder) and chosen
within each province by the selection strategy.

Partnership ("decision" only): each month while the programme runs, every municipality in a
member province that is not yet a partner decides with the chance 1 - exp(-h),
h = `partner_invite_rate` * invited + `partner_uptake_rate` * local uptake (1/month), where the
programme invites, while it has fewer partners than its plan (`partner_municipalities`), as many
non-partners as it still needs, most parks in member provinces first (ties in file order), and
local uptake is the municipality's share of parks transforming or labelled. One uniform per
deciding municipality (h > 0), `model.rng.random(k)` in municipality index order.

`programme_history: realised` pins the dated events of model/data/realised.yaml (Green Deal
signing months and packages, the named phase-1 parks and their roles) and lets the rule decide
the rest; see `realised_programme`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from werklandschap.agents.park import Role, Stage
from werklandschap.agents.selection import (
    choose_parks,
    choose_parks_in_provinces,
    largest_remainder,
)
from werklandschap.model.data import parks_by_province

if TYPE_CHECKING:
    from werklandschap.model.data import NationalData
    from werklandschap.model.model import WerklandschapModel

REALISED_FILE = Path(__file__).resolve().parent.parent / "model" / "data" / "realised.yaml"

#: Package codes in `model.province_package`.
NO_PACKAGE, PACKAGE_A, PACKAGE_B, PACKAGE_C = 0, 1, 2, 3
PACKAGES = {"A": PACKAGE_A, "B": PACKAGE_B, "C": PACKAGE_C}

#: Land (and dike) borders between the twelve provinces (geography; symmetric).
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "Groningen": ("Fryslân", "Drenthe"),
    "Fryslân": ("Groningen", "Drenthe", "Overijssel", "Flevoland", "Noord-Holland"),
    "Drenthe": ("Groningen", "Fryslân", "Overijssel"),
    "Overijssel": ("Drenthe", "Fryslân", "Flevoland", "Gelderland"),
    "Flevoland": ("Fryslân", "Overijssel", "Gelderland", "Utrecht", "Noord-Holland"),
    "Gelderland": (
        "Overijssel",
        "Flevoland",
        "Utrecht",
        "Zuid-Holland",
        "Noord-Brabant",
        "Limburg",
    ),
    "Utrecht": ("Noord-Holland", "Flevoland", "Gelderland", "Zuid-Holland"),
    "Noord-Holland": ("Fryslân", "Flevoland", "Utrecht", "Zuid-Holland"),
    "Zuid-Holland": ("Noord-Holland", "Utrecht", "Gelderland", "Noord-Brabant", "Zeeland"),
    "Zeeland": ("Zuid-Holland", "Noord-Brabant"),
    "Noord-Brabant": ("Zeeland", "Zuid-Holland", "Gelderland", "Limburg"),
    "Limburg": ("Noord-Brabant", "Gelderland"),
}

ROLE_NAMES = {"living_lab": Role.LIVING_LAB, "ambassador": Role.AMBASSADOR}


class RealisedDataError(ValueError):
    """model/data/realised.yaml is inconsistent with the park data; one line naming it."""


@dataclass(frozen=True)
class Realised:
    """The pinned events: per province its signing month (-1: none) and package (0: by rule);
    the named parks (park indices) and their roles."""

    signed_month: np.ndarray  # (provinces,) int, month 0 = January 2023
    package: np.ndarray  # (provinces,) int8 package code
    park: np.ndarray  # park indices
    role: np.ndarray  # Role of each named park
    first_parks: int  # "the first twelve parks"


def month_of(day: dt.date) -> int:
    """Model month of a date (0 = January 2023); the event counts from that month on."""
    return (day.year - 2023) * 12 + day.month - 1


@cache
def _realised_document() -> dict[str, Any]:
    with REALISED_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def realised_programme(data: NationalData, document: dict[str, Any] | None = None) -> Realised:
    """The realised events of `document` (default model/data/realised.yaml) checked against the
    park data: known provinces, real dates, named parks present with their name and province,
    a source for every entry. Raises `RealisedDataError` naming the first problem."""
    doc = _realised_document() if document is None else document
    signed = np.full(data.n_provinces, -1, np.int64)
    package = np.zeros(data.n_provinces, np.int8)
    for entry in doc.get("green_deals", []):
        _need(entry, ("province", "signed", "source"))
        name = entry["province"]
        if name not in data.province_name:
            raise RealisedDataError(f"realised: unknown province {name!r}")
        if not isinstance(entry["signed"], dt.date):
            raise RealisedDataError(f"realised: {name} signed {entry['signed']!r} is not a date")
        index = data.province_index(name)
        signed[index] = month_of(entry["signed"])
        if "package" in entry:
            if entry["package"] not in PACKAGES:
                raise RealisedDataError(f"realised: {name} package {entry['package']!r}")
            package[index] = PACKAGES[entry["package"]]
    rows = {int(rin): i for i, rin in enumerate(data.park_id)}
    parks, roles = [], []
    for entry in doc.get("parks", []):
        _need(entry, ("rin", "name", "province", "role", "source"))
        i = rows.get(entry["rin"]) if isinstance(entry["rin"], int) else None
        if i is None:
            raise RealisedDataError(f"realised: park rin {entry['rin']} is not in the park data")
        if str(data.park_name[i]) != entry["name"]:
            raise RealisedDataError(
                f"realised: park rin {entry['rin']} is {data.park_name[i]!r}, not {entry['name']!r}"
            )
        if data.province_name[data.park_province[i]] != entry["province"]:
            raise RealisedDataError(
                f"realised: park rin {entry['rin']} is not in {entry['province']}"
            )
        if entry["role"] not in ROLE_NAMES:
            raise RealisedDataError(f"realised: park rin {entry['rin']} role {entry['role']!r}")
        parks.append(i)
        roles.append(ROLE_NAMES[entry["role"]])
    first = doc.get("statements", {}).get("first_parks", {}).get("value", 0)
    return Realised(signed, package, np.array(parks, np.int64), np.array(roles, np.int8), first)


@lru_cache(maxsize=8)
def _shipped_realised(data: NationalData) -> Realised:
    """`realised_programme(data)` of the shipped file, checked once per data set and process
    (its park lookup is a pass over every park); read-only, as every run only reads it."""
    realised = realised_programme(data)
    for array in (realised.signed_month, realised.package, realised.park, realised.role):
        array.flags.writeable = False
    return realised


def _need(entry: Any, keys: tuple[str, ...]) -> None:
    if not isinstance(entry, dict) or any(k not in entry for k in keys):
        raise RealisedDataError(f"realised: an entry lacks one of {', '.join(keys)}: {entry!r}")


# --- set-up ---------------------------------------------------------------------------------------
def set_up(model: WerklandschapModel) -> None:
    """Initial membership, packages, join months and partners (before month 0).

    `model.province_join_month` / `model.municipality_partner_month`: the month a province signed
    / a municipality became a partner; -1 for none yet, and for members and partners from the
    start (the "fixed" rule only; `province_green_deal` / `municipality_partner` tell them apart).
    """
    n = model.data.n_provinces
    model.province_package = np.zeros(n, np.int8)
    model.province_join_month = np.full(n, -1, np.int64)
    model.municipality_partner_month = np.full(model.data.n_municipalities, -1, np.int64)
    model.realised = (
        _shipped_realised(model.data) if model.params["programme_history"] == "realised" else None
    )
    model.province_green_deal = np.zeros(n, bool)
    if deciding(model):
        model.municipality_partner = np.zeros(model.data.n_municipalities, bool)
        return
    join(model, np.flatnonzero(model._initial_green_deal()), month=-1)
    model.municipality_partner = model._partner_municipalities()
    model.municipality_partner_month[model.municipality_partner] = -1


def deciding(model: WerklandschapModel) -> bool:
    """Whether governments decide (the "decision" rule) rather than follow the fixed plan."""
    return model.params["green_deal_rule"] == "decision"


# --- provinces ------------------------------------------------------------------------------------
def join(model: WerklandschapModel, provinces: np.ndarray, month: int) -> None:
    """Provinces sign now (in index order): membership, join month and package. A realised
    package is reserved for its province until it signs (others get the next package)."""
    for i in provinces:
        model.province_package[i] = package_for(model, int(i))
        model.province_join_month[i] = month
        model.province_green_deal[i] = True
    # No switch of the regulated set here: a 'green_deal' regulation scope grows with the
    # members through the municipalities' decisions (agents/regulation.py resets the set from
    # them each month, before any park reads it).


def package_for(model: WerklandschapModel, province: int) -> int:
    """The package province signs: its realised one, else the first of A, B with a place left
    (places reserved for realised provinces that have not signed yet), else C."""
    p = model.params
    caps = {PACKAGE_A: p["green_deal_packages_a"], PACKAGE_B: p["green_deal_packages_b"]}
    held = np.bincount(model.province_package, minlength=4)
    reserved = np.zeros(4, int)
    if model.realised is not None:
        own = int(model.realised.package[province])
        waiting = ~model.province_green_deal
        waiting[province] = False
        reserved = np.bincount(model.realised.package[waiting], minlength=4)
        if own and (own == PACKAGE_C or held[own] < caps[own]):
            return own
    for code in (PACKAGE_A, PACKAGE_B):
        if held[code] + reserved[code] < caps[code]:
            return code
    return PACKAGE_C


def join_all(model: WerklandschapModel) -> None:
    """Every province that is not yet a member joins now (the `late_join_share` trigger)."""
    join(model, np.flatnonzero(~model.province_green_deal), model.month)


def national_uptake(model: WerklandschapModel) -> float:
    """Share of all parks transforming or labelled (at the start of the month)."""
    return (
        float(np.count_nonzero(model.park_state.stage >= Stage.TRANSFORMING)) / model.data.n_parks
    )


@cache
def _neighbour_matrix(names: tuple[str, ...]) -> np.ndarray:
    """Row-normalised adjacency (row: province, columns: its neighbours, weight 1/degree)."""
    adjacency = np.zeros((len(names), len(names)))
    for i, name in enumerate(names):
        for other in NEIGHBOURS.get(name, ()):
            if other in names:
                adjacency[i, names.index(other)] = 1.0
    degree = adjacency.sum(axis=1, keepdims=True)
    return np.divide(adjacency, degree, out=np.zeros_like(adjacency), where=degree > 0)


def signing_hazard(model: WerklandschapModel) -> np.ndarray:
    """Per province: the monthly hazard h of signing the Green Deal (see the module docstring)."""
    p = model.params
    members = model.province_green_deal
    planned = model._initial_green_deal()
    neighbours = _neighbour_matrix(tuple(model.data.province_name)) @ members
    capacity = 1.0 - members.mean()
    pull = p["green_deal_neighbour_rate"] * neighbours
    pull = pull + p["green_deal_uptake_rate"] * national_uptake(model)
    return p["green_deal_plan_rate"] * planned + pull * capacity


def provinces_decide(model: WerklandschapModel) -> None:
    """Pinned provinces sign at their realised month; the others decide by the rule."""
    month = model.month
    undecided = ~model.province_green_deal
    if model.realised is not None:
        pinned = model.realised.signed_month >= 0
        join(model, np.flatnonzero(undecided & (model.realised.signed_month == month)), month)
        undecided &= ~pinned  # their date is data, not a decision
    hazard = signing_hazard(model)
    deciding_now = np.flatnonzero(undecided & (hazard > 0))
    if deciding_now.size == 0:
        return
    draws = model.rng.random(deciding_now.size)  # one per deciding province, in index order
    join(model, deciding_now[draws < -np.expm1(-hazard[deciding_now])], month)


# --- municipalities -------------------------------------------------------------------------------
def invited(model: WerklandschapModel) -> np.ndarray:
    """Municipalities the programme invites this month (bool per municipality)."""
    data = model.data
    out = np.zeros(data.n_municipalities, bool)
    missing = model.params["partner_municipalities"] - int(model.municipality_partner.sum())
    if missing <= 0:
        return out
    parks = np.bincount(data.park_municipality, minlength=data.n_municipalities)
    order = np.lexsort((np.arange(parks.size), -parks))  # most parks first, then file order
    open_ = model.province_green_deal[data.municipality_province] & ~model.municipality_partner
    out[order[open_[order]][:missing]] = True
    return out


def local_uptake(model: WerklandschapModel) -> np.ndarray:
    """Per municipality: share of its parks transforming or labelled (0 without parks)."""
    data = model.data
    parks = np.bincount(data.park_municipality, minlength=data.n_municipalities)
    moving = model.park_state.stage >= Stage.TRANSFORMING
    taking = np.bincount(data.park_municipality[moving], minlength=data.n_municipalities)
    return np.divide(taking, parks, out=np.zeros(parks.size), where=parks > 0)


def municipalities_decide(model: WerklandschapModel) -> None:
    """Municipalities in member provinces decide whether to become partners (module docstring)."""
    p = model.params
    hazard = p["partner_invite_rate"] * invited(model)
    hazard = hazard + p["partner_uptake_rate"] * local_uptake(model)
    open_ = (
        model.province_green_deal[model.data.municipality_province] & ~model.municipality_partner
    )
    deciding_now = np.flatnonzero(open_ & (hazard > 0))
    if deciding_now.size == 0:
        return
    draws = model.rng.random(deciding_now.size)  # one per deciding municipality, in index order
    joining = deciding_now[draws < -np.expm1(-hazard[deciding_now])]
    if joining.size:
        model.municipality_partner[joining] = True
        model.municipality_partner_month[joining] = model.month
        model.partners_changed()


def step(model: WerklandschapModel) -> None:
    """This month's government decisions (while the programme runs, "decision" rule only)."""
    if not deciding(model) or not model.programme_active:
        return
    provinces_decide(model)
    model.twins.get("municipalities_decide", municipalities_decide)(model)  # compiled twin if any


# --- labs, ambassadors and partner parks ----------------------------------------------------------
def pinned_parks(model: WerklandschapModel, role: Role) -> np.ndarray:
    """The realised parks named for `role` (none in the plan)."""
    if model.realised is None:
        return np.zeros(0, np.int64)
    return model.realised.park[model.realised.role == role]


def role_quota(model: WerklandschapModel, role: Role, k: int) -> np.ndarray:
    """Per province: how many of k labs or ambassadors its package gives it (largest remainder).
    Labs go to A provinces, ambassadors 2 per A and 1 per B; with no such member, to all members
    in proportion to their parks (so the programme still fills its ladder)."""
    package = model.province_package * model.province_green_deal
    if role == Role.LIVING_LAB:
        weights = (package == PACKAGE_A).astype(float)
    else:
        weights = 2.0 * (package == PACKAGE_A) + 1.0 * (package == PACKAGE_B)
    if weights.sum() <= 0:
        parks = np.bincount(model.park_province, minlength=model.data.n_provinces)
        weights = parks * model.province_green_deal
    return largest_remainder(k, weights)


def choose_by_package(
    model: WerklandschapModel, role: Role, eligible: np.ndarray, k: int, pinned: np.ndarray
) -> np.ndarray:
    """k parks for `role` (park indices), province by province by package; the pinned parks
    count towards their province's quota (else towards the largest quota)."""
    quota = role_quota(model, role, k)
    for province in model.park_province[pinned]:
        where = province if quota[province] > 0 else int(np.argmax(quota))
        quota[where] = max(quota[where] - 1, 0)
    provinces = np.flatnonzero(quota)
    by_province = parks_by_province(model.data)[1]
    candidates = [by_province[i][eligible[by_province[i]]] for i in provinces]
    chosen = choose_parks_in_provinces(model, candidates, quota[provinces])
    return np.concatenate([np.zeros(0, np.int64), *chosen])


def partner_park_candidates(model: WerklandschapModel) -> np.ndarray:
    """Regular, not labelled parks in member provinces: who may become a partner park."""
    s = model.park_state
    eligible = (
        (s.role == Role.REGULAR)
        & (s.stage < Stage.LABELLED)
        & model.province_green_deal[model.park_province]
    )
    return np.flatnonzero(eligible)


def name_partner_parks(model: WerklandschapModel) -> np.ndarray:
    """The programme names `n_partner_parks` partner parks (by the selection strategy). A partner
    park gets the programme's support (role support, priority for coaching and subsidy, the
    trajectory speed-up) but is no showcase and does not commit: it is not made engaged."""
    chosen = choose_parks(model, partner_park_candidates(model), model.params["n_partner_parks"])
    model.park_state.role[chosen] = Role.PARTNER
    return chosen
