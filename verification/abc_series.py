"""The real series the calibration fits, their observation model and their distances.

Time axis of the analogue run (`analogue_scenario`): month 0 is January 2005, when KVO-B (the
safe-business-park certificate, the closest analogue of an area label) became available; the run
lasts 15 years, to the end of 2019 (month 180). `labelled[m]` is the number of labelled parks
after m months (month 0: the start; month 12: the end of 2005).

Observation model (which model quantity is which observed number):

- *first-time certifications in year y* = parks newly labelled in that year;
- *certified stock at a date* = labelled parks at that date: a labelled park keeps its
  certificate by renewing it at every expiry (no lapses; an assumption - the model's label is
  permanent);
- *(re)certifications in year y* = first-time certifications in y plus the renewals in y: the
  parks certified at the start of y divided by the validity in years - 2 for certificates issued
  before 2011, 3 from 2011 (EVIDENCE: "valid for 2 years [in 2010], later 3"; the switch year is
  an assumption) - i.e. renewal dates spread evenly over the validity period (an assumption:
  audit dates differ by park; exact anniversaries of yearly cohorts would make the count jump
  from year to year, which the 194 and 211 of 2018 and 2019 do not show).
- *park-management share* = parks with park management at the end of the run / all parks;
- *new BIZ per year* = (BIZ at the end - BIZ at the start) / 15 years, from the run's
  `organisation` and `initial_organisation`.

Distances: each statistic has a documented *residual* in units of its observational error -
a Poisson (Pearson) residual (s - o) / sqrt(o) for a count, or, for a range that is itself an
estimate, the deviation outside the range divided by its half-width (0 inside). A series' distance
is the root mean square of its statistics' residuals (so a series counts once however many numbers
it has); the ABC distance is the root of the sum of the squared series distances of the fitted
series. Statistics and series are declared once in `STATISTICS` (one line each to add).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from werklandschap.model.outcomes import RunResult

START_YEAR = 2005  # month 0 = January 2005: KVO-B available from then
YEARS = 15  # to the end of 2019
VALIDITY_SWITCH_YEAR = 2011  # assumption: certificates issued from 2011 on are valid 3 years
OCTOBER_2010 = 12 * (2010 - START_YEAR) + 10  # end of October 2010: month 70
BIZ_OBSERVED_YEARS = 7.75  # March 2012 (~36 on business parks) to end 2019 (67): 31 new
PARK_MANAGEMENT = 2  # agents.park.Organisation.PARK_MANAGEMENT
BIZ = 3  # agents.park.Organisation.BIZ


def validity(year: int) -> int:
    """Validity in years of a KVO-B certificate issued in `year` (module docstring)."""
    return 2 if year < VALIDITY_SWITCH_YEAR else 3


def yearly_new(labelled: np.ndarray) -> dict[int, float]:
    """First-time certifications per calendar year 2005-2019 (parks newly labelled that year)."""
    return {START_YEAR + k: float(labelled[12 * k + 12] - labelled[12 * k]) for k in range(YEARS)}


def certifications(labelled: np.ndarray) -> dict[int, float]:
    """(Re)certifications per calendar year: the first-time ones plus renewals, a `1/validity`
    share of the parks certified at the start of the year (renewal dates spread evenly)."""
    new = yearly_new(labelled)
    return {
        year: n + float(labelled[12 * (year - START_YEAR)]) / validity(year)
        for year, n in new.items()
    }


@dataclass(frozen=True)
class Statistic:
    """One observed number, how to compute it from a run and its residual (see module doc)."""

    name: str
    series: str
    compute: Callable[[RunResult], float]
    observed: float  # the datum (the midpoint when `interval` is given)
    source: str
    interval: tuple[float, float] | None = None  # a range that is itself an estimate

    def residual(self, value: float) -> float:
        """Signed deviation in units of the datum's error (see module docstring)."""
        if self.interval is not None:
            low, high = self.interval
            half = (high - low) / 2
            return (min(value - low, 0.0) + max(value - high, 0.0)) / half
        return (value - self.observed) / math.sqrt(self.observed)

    @property
    def target(self) -> str:
        """The datum as text (for reports)."""
        if self.interval is not None:
            return f"{self.interval[0]:g}-{self.interval[1]:g}"
        return f"{self.observed:g}"


def _labelled(result: RunResult) -> np.ndarray:
    return np.asarray(result.labelled, float)


def _first(year: int) -> Callable[[RunResult], float]:
    return lambda r: yearly_new(_labelled(r))[year]


def _certified(year: int) -> Callable[[RunResult], float]:
    return lambda r: certifications(_labelled(r))[year]


def _stock(month: int) -> Callable[[RunResult], float]:
    return lambda r: float(_labelled(r)[month])


def park_management_share(result: RunResult) -> float:
    """Share of parks with park management at the end of the run."""
    return float(np.mean(np.asarray(result.organisation) == PARK_MANAGEMENT))


def biz_new_per_year(result: RunResult) -> float:
    """New BIZ per year over the run: BIZ at the end minus BIZ at the start, per year."""
    initial = result.initial_organisation
    start = 0 if initial is None else int(np.sum(np.asarray(initial) == BIZ))
    end = int(np.sum(np.asarray(result.organisation) == BIZ))
    return (end - start) / (result.months / 12)


KVOB = "EVIDENCE.md, Analogues: KVO-B"
#: Every statistic, once. To add one: one line here (and, to fit it, its series in `fitted`).
STATISTICS: tuple[Statistic, ...] = (
    Statistic("kvob_first_2018", "kvob_first_time", _first(2018), 44.0, KVOB),
    Statistic("kvob_first_2019", "kvob_first_time", _first(2019), 44.0, KVOB),
    Statistic("kvob_certified_2018", "kvob_recertified", _certified(2018), 194.0, KVOB),
    Statistic("kvob_certified_2019", "kvob_recertified", _certified(2019), 211.0, KVOB),
    Statistic("kvob_stock_2019", "kvob_stock", _stock(12 * YEARS), 600.0, KVOB, (550.0, 650.0)),
    Statistic("kvob_stock_2010", "kvob_2010", _stock(OCTOBER_2010), 250.0, KVOB),
    Statistic(
        "park_management_share",
        "park_management",
        park_management_share,
        0.275,
        "EVIDENCE.md, Organisation degree: ~1,000 of ~3,960 parks",
        (0.25, 0.30),
    ),
    Statistic(
        "biz_new_per_year",
        "biz",
        biz_new_per_year,
        31 / BIZ_OBSERVED_YEARS,
        "EVIDENCE.md, Analogues: BIZ ~36 (2012) to 67 (end 2019), 4 new in 2020",
    ),
)
BY_NAME = {s.name: s for s in STATISTICS}
#: Held out of the default fit and predicted instead (docs/validation.md, Held-out prediction).
HELD_OUT = ("kvob_2010",)
#: Fitted only when the model can produce it (organic BIZ formation, `biz_formation_rate`).
NEEDS_PARAMETER = {"biz": "biz_formation_rate"}


def fitted(parameters: Iterable[str], held_out: Iterable[str] = HELD_OUT) -> tuple[str, ...]:
    """The series fitted: all but the held-out ones and those whose parameter is not calibrated."""
    chosen, held = set(parameters), set(held_out)
    out = []
    for name in dict.fromkeys(s.series for s in STATISTICS):
        needed = NEEDS_PARAMETER.get(name)
        if name not in held and (needed is None or needed in chosen):
            out.append(name)
    return tuple(out)


def statistics(result: RunResult) -> dict[str, float]:
    """Every statistic of one analogue run."""
    return {s.name: float(s.compute(result)) for s in STATISTICS}


def series_distances(
    stats: dict[str, float],
    series: Iterable[str],
    statistics: tuple[Statistic, ...] = STATISTICS,
) -> dict[str, float]:
    """Each series' distance: the RMS of its statistics' residuals."""
    out = {}
    for name in series:
        residuals = [s.residual(stats[s.name]) for s in statistics if s.series == name]
        out[name] = math.sqrt(sum(r * r for r in residuals) / len(residuals))
    return out


def distance(
    stats: dict[str, float],
    series: Iterable[str],
    statistics: tuple[Statistic, ...] = STATISTICS,
) -> float:
    """The ABC distance: root of the sum of squared series distances (0 = every datum met)."""
    return math.sqrt(sum(d * d for d in series_distances(stats, series, statistics).values()))


def with_observed(statistic: Statistic, value: float) -> Statistic:
    """The same statistic with another datum (synthetic data): an interval keeps its width and
    is centred on `value`; a count keeps its Poisson residual (error at least 1)."""
    from dataclasses import replace

    if statistic.interval is not None:
        half = (statistic.interval[1] - statistic.interval[0]) / 2
        return replace(statistic, observed=value, interval=(value - half, value + half))
    return replace(statistic, observed=max(value, 1.0))
