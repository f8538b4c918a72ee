"""What one run produces: monthly time series, final park states and the summary outcomes.

Months are rows: row 0 is the start (January 2023), row t the state after t months, so row
`horizon_months` is the end of the programme horizon (the end of 2031 by default).

Definitions (tested in tests/test_outcomes.py):
- `labelled_at_horizon`: parks with the area label at month `horizon_months`.
- `target_met`: labelled_at_horizon >= `target_parks`.
- `month_target_reached`: first month with >= target labelled parks within the whole run
  (horizon + after-horizon); NaN when never reached (right-censored at the run's end).
- `peer_share`, `credit_*`: expected shares of the engagements up to the horizon carried by each
  channel, from the marginal credits of docs/ODD.md §7.4 (never "largest term wins").
- `self_sustaining` (docs/ODD.md §7.9), a seed-matched twin test: at the end of support
  (`programme_end_month`) the run is forked into (a) as is and (b) with every peer channel off.
  G_a, G_b = label growth of (a) and (b) from the fork to the end;
  `peer_carried_share` = (G_a - G_b) / G_a (NaN when G_a <= 0);
  `engagement_trend` = engagements of (a) in the run's last 12 months / in the first 12 months
  after the fork. Self-sustaining (1.0) when peer_carried_share >= `sustain_peer_share` and
  engagement_trend >= `sustain_engagement_ratio`; else 0.0 (also when there is no growth);
  NaN without a twin (fewer than 24 months after support).
- `tipping_month`: in a self-sustaining run, the first month m after the fork from which
  (L_a(t) - L_b(t)) / (L_a(t) - L_fork) >= `sustain_peer_share` holds for every t in [m, end];
  NaN otherwise. It fails whenever the twin test fails.
- money (ODD §7.8, agents/subsidy.py): `spent_<source>_meur` = M€ of subsidy granted up to the
  horizon paid by the Growth Fund, the provinces and the municipalities (each grant is booked to
  the sources in proportion to its province's pot that year); `spent_total_meur` their sum;
  `funded_total_meur` = M€ put in the pots up to the horizon (spent <= funded);
  `labels_per_meur` = labelled_at_horizon / spent_total_meur (NaN when nothing was spent). The
  cost per additional label against no_programme is a paired comparison of two scenarios, not a
  run outcome: runs/money.py.
- `labelled_share_org_<kind>`: share of the parks whose organisation *at the start of the run*
  is <kind> that carry the label at the horizon (NaN when the start organisation is not recorded
  or no park has it). With the end-of-run organisation the share of unorganised parks would be 0
  by construction, since a park must organise before it can transform.
- `organised_during_run_<kind>` (association, park_management, biz): parks whose organisation at
  the end of the run is <kind> and differs from the one at the start (an association that became
  a BIZ counts as biz); NaN when the start organisation is not recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from werklandschap.agents.park import Driver, Organisation, Stage

#: Who pays a subsidy grant (agents/subsidy.py): the columns of `spent` and `funded`.
MONEY_SOURCES = ("growth_fund", "provinces", "municipalities")
TREND_WINDOW = 12  # months at each end of the after-support period (engagement trend)
START_YEAR = 2023

STAGE_NAMES = [s.name.lower() for s in Stage]
DRIVER_NAMES = [d.name.lower() for d in Driver]


def month_to_date(month: np.ndarray | int) -> pd.DatetimeIndex:
    """Calendar date at the end of month t (t = 0 is the start, 1 January 2023)."""
    return pd.to_datetime(
        [f"{START_YEAR + m // 12}-{m % 12 + 1:02d}-01" for m in np.atleast_1d(month)]
    )


@dataclass(frozen=True, eq=False)
class RunResult:
    """Recorded output of one model run."""

    scenario: str
    params: dict[str, Any]
    seed: int | None
    months: int
    province_names: tuple[str, ...]
    stage_counts: np.ndarray  # (months+1, 5)
    province_stages: np.ndarray  # (months+1, 12, 5)
    engagements: np.ndarray  # (months+1, 5) new engagements per month by driver
    maturity: np.ndarray  # (months+1,)
    label_available: np.ndarray  # (months+1,) bool
    green_deal_provinces: np.ndarray  # (months+1,) count
    stage_at_horizon: np.ndarray  # (parks,)
    final_stage: np.ndarray  # (parks,)
    role: np.ndarray  # (parks,)
    organisation: np.ndarray  # (parks,) at the end
    park_province: np.ndarray  # (parks,)
    initial_green_deal: np.ndarray  # (provinces,) bool
    # (parks,) organisation at the start of the run, which the outcomes by organisation use
    # (the end-of-run organisation would hide the parks that organised on their way to the label)
    initial_organisation: np.ndarray | None = None
    credit: np.ndarray | None = None  # (months+1, 5) marginal credits per month by channel
    #: labelled parks per month of the no-peers twin, from the fork (`programme_end_month`) to
    #: the end (ODD §7.9); None without a twin
    twin_labelled: np.ndarray | None = None
    #: M€ per month (rows as stage_counts) by source (agents/subsidy.py SOURCES): granted, and
    #: put in the provinces' pots; None for results saved before the money was recorded
    spent: np.ndarray | None = None
    funded: np.ndarray | None = None

    @property
    def labelled(self) -> np.ndarray:
        """Labelled parks per month."""
        return self.stage_counts[:, Stage.LABELLED]

    @property
    def adopters(self) -> np.ndarray:
        """Engaged + transforming + labelled parks per month."""
        return self.stage_counts[:, Stage.ENGAGED :].sum(axis=1)

    @property
    def horizon(self) -> int:
        return min(self.params["horizon_months"], self.months)

    def summary(self) -> dict[str, Any]:
        """The summary outcomes of this run (see module docstring)."""
        p = self.params
        horizon = self.horizon
        target = p["target_parks"]
        labelled = self.labelled
        reached = np.flatnonzero(labelled >= target)
        eng = self.engagements[: horizon + 1].sum(axis=0)
        total_eng = eng.sum()
        credit = self._credit_shares(horizon, total_eng)
        twin = self.twin_test()
        in_gd = self.initial_green_deal[self.park_province]
        at_horizon = self.stage_at_horizon == Stage.LABELLED
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "seed": self.seed,
            "labelled_at_horizon": int(labelled[horizon]),
            "target_met": bool(labelled[horizon] >= target),
            "month_target_reached": float(reached[0]) if reached.size else np.nan,
            "labelled_at_end": int(labelled[-1]),
            "adopters_at_horizon": int(self.stage_counts[horizon, Stage.ENGAGED :].sum()),
            "transforming_at_horizon": int(self.stage_counts[horizon, Stage.TRANSFORMING]),
            "engaged_at_horizon": int(self.stage_counts[horizon, Stage.ENGAGED]),
            "aware_or_beyond_at_horizon": int(self.stage_counts[horizon, Stage.AWARE :].sum()),
            "peer_share": credit[Driver.PEERS],
            "tipping_month": twin["tipping_month"],
            "label_month": self._first_true(self.label_available),
            "maturity_at_horizon": float(self.maturity[horizon]),
            "after_horizon_growth": int(labelled[-1] - labelled[horizon]),
            "self_sustaining": twin["self_sustaining"],
            "labelled_share_green_deal": _share(at_horizon, in_gd),
            "labelled_share_other": _share(at_horizon, ~in_gd),
        }
        for driver in (Driver.INTRINSIC, Driver.PROGRAMME, Driver.PEERS, Driver.REGULATION):
            out[f"engagements_{driver.name.lower()}"] = int(eng[driver])
        out.update(self._labelled_share_by_organisation(at_horizon))
        out.update(self._organised_during_run())
        out["peer_carried_share"] = twin["peer_carried_share"]
        out["engagement_trend"] = twin["engagement_trend"]
        out["credit_programme"] = credit[Driver.PROGRAMME]
        out["credit_regulation"] = credit[Driver.REGULATION]
        out["credit_intrinsic"] = credit[Driver.INTRINSIC]
        out.update(self._money(horizon, int(labelled[horizon])))
        return out

    def _labelled_share_by_organisation(self, at_horizon: np.ndarray) -> dict[str, float]:
        """Per organisation type at the start: the share of its parks labelled at the horizon
        (NaN without a recorded start organisation or without such parks)."""
        start = self.initial_organisation
        if start is None:
            return {f"labelled_share_org_{org.name.lower()}": np.nan for org in Organisation}
        if start.dtype.kind not in "iu" or (start.size and start.min() < 0):
            return {
                f"labelled_share_org_{org.name.lower()}": _share(at_horizon, start == org)
                for org in Organisation
            }
        # counts by type in one pass each (the shares divide the same integers as `_share`)
        parks = np.bincount(start, minlength=len(Organisation)).tolist()
        labelled = np.bincount(start[at_horizon], minlength=len(Organisation)).tolist()
        return {
            f"labelled_share_org_{org.name.lower()}": (
                float(labelled[org] / parks[org]) if parks[org] else np.nan
            )
            for org in Organisation
        }

    def _organised_during_run(self) -> dict[str, float]:
        """Per organisation type (not none): parks that end the run with it and started without
        it (number of parks; NaN without a recorded start organisation)."""
        start = self.initial_organisation
        changed = None if start is None else self.organisation != start
        return {
            f"organised_during_run_{org.name.lower()}": (
                np.nan
                if changed is None
                else int(np.count_nonzero(changed & (self.organisation == org)))
            )
            for org in Organisation
            if org != Organisation.NONE
        }

    def _money(self, horizon: int, labelled: int) -> dict[str, float]:
        """Subsidy money up to the horizon, by source, and labels per M€ (module docstring)."""
        if self.spent is None or self.funded is None:
            spent, funded = np.full(3, np.nan), np.nan
        else:
            spent = self.spent[: horizon + 1].sum(axis=0)
            funded = float(self.funded[: horizon + 1].sum())
        total = float(spent.sum())
        out = {
            f"spent_{source}_meur": float(v) for source, v in zip(MONEY_SOURCES, spent, strict=True)
        }
        out["spent_total_meur"] = total
        out["funded_total_meur"] = funded
        out["labels_per_meur"] = labelled / total if total > 0 else np.nan
        return out

    def _credit_shares(self, horizon: int, engagements: int) -> np.ndarray:
        """Expected share of the engagements up to the horizon carried by each channel."""
        if not engagements or self.credit is None:
            return np.full(len(Driver), np.nan)
        return self.credit[: horizon + 1].sum(axis=0) / engagements

    @staticmethod
    def _first_true(flags: np.ndarray) -> float:
        where = np.flatnonzero(flags)
        return float(where[0]) if where.size else np.nan

    def twin_test(self) -> dict[str, float]:
        """The seed-matched twin test of docs/ODD.md §7.9 (see module docstring)."""
        out = dict.fromkeys(
            ("peer_carried_share", "engagement_trend", "self_sustaining", "tipping_month"), np.nan
        )
        if self.twin_labelled is None:
            return out
        fork = int(self.params["programme_end_month"])
        own, other = self.labelled[fork:].astype(float), self.twin_labelled.astype(float)
        growth = own - own[0]
        monthly = self.engagements[fork + 1 :].sum(axis=1)
        first = monthly[:TREND_WINDOW].sum()
        out["engagement_trend"] = monthly[-TREND_WINDOW:].sum() / first if first else np.nan
        if growth[-1] > 0:
            out["peer_carried_share"] = (growth[-1] - (other[-1] - other[0])) / growth[-1]
        p = self.params
        sustaining = bool(
            out["peer_carried_share"] >= p["sustain_peer_share"]
            and out["engagement_trend"] >= p["sustain_engagement_ratio"]
        )  # NaN compares False: no growth or no engagements is not self-sustaining
        out["self_sustaining"] = float(sustaining)
        if sustaining:
            out["tipping_month"] = fork + self._held_from(own, other, growth, p)
        return out

    @staticmethod
    def _held_from(own, other, growth, p) -> float:
        """First month (after the fork) from which the twin lacks at least `sustain_peer_share`
        of the growth since the fork at every later month."""
        with np.errstate(divide="ignore", invalid="ignore"):
            carried = np.where(growth > 0, (own - other) / growth, 0.0)
        failing = np.flatnonzero(carried < p["sustain_peer_share"])
        return float(failing[-1] + 1 if failing.size else 0)

    def timeseries(self) -> pd.DataFrame:
        """National monthly time series: stage counts, engagements by driver, maturity, label."""
        frame = pd.DataFrame(self.stage_counts, columns=STAGE_NAMES)
        frame.insert(0, "month", np.arange(self.months + 1))
        frame.insert(1, "date", month_to_date(frame["month"].to_numpy()))
        for driver in Driver:
            if driver != Driver.NONE:
                frame[f"engaged_by_{driver.name.lower()}"] = self.engagements[:, driver]
        frame["maturity"] = self.maturity
        frame["label_available"] = self.label_available
        frame["green_deal_provinces"] = self.green_deal_provinces
        return frame

    def province_timeseries(self) -> pd.DataFrame:
        """Monthly stage counts per province (long format: month, date, province, stages...)."""
        months, provinces, _ = self.province_stages.shape
        frame = pd.DataFrame(
            self.province_stages.reshape(-1, len(STAGE_NAMES)), columns=STAGE_NAMES
        )
        frame.insert(0, "month", np.repeat(np.arange(months), provinces))
        frame.insert(1, "date", np.repeat(month_to_date(np.arange(months)), provinces))
        frame.insert(2, "province", np.tile(np.asarray(self.province_names), months))
        return frame


def _share(flags: np.ndarray, mask: np.ndarray) -> float:
    n = np.count_nonzero(mask)
    return float(np.count_nonzero(flags & mask) / n) if n else np.nan
