"""What one run produces: monthly time series, final park states and the summary outcomes.

Months are rows: row 0 is the start (January 2023), row t the state after t months, so row
`horizon_months` is the end of the programme horizon (the end of 2031 by default).

Definitions (tested in tests/test_outcomes.py):
- `labelled_at_horizon`: parks with the area label at month `horizon_months`.
- `target_met`: labelled_at_horizon >= `target_parks`.
- `month_target_reached`: first month with >= target labelled parks within the whole run
  (horizon + after-horizon); NaN when never reached (right-censored at the run's end).
- `peer_share`: share of engagements up to the horizon that were peer-driven.
- `tipping_month`: first month in which peer-driven engagements over the past 12 months
  outnumber programme-driven ones (NaN if never). Selections of labs and ambassadors count as
  programme-driven engagements.
- `self_sustaining`: judged over the final `SUSTAIN_WINDOW` (24) months of the after-horizon,
  which must start at least 12 months after programme support has stopped (else NaN). The
  transition sustains itself when, in that window, adopters (engaged + transforming + labelled)
  grow by at least `SUSTAIN_MIN_GROWTH` (5%) and peer-driven engagements are at least half of all
  engagements — or when adoption has saturated (>= 90% of parks are adopters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from werklandschap.agents.park import Driver, Organisation, Stage

SUSTAIN_WINDOW = 24  # months
SUSTAIN_MIN_GROWTH = 0.05  # relative growth of adopters over the window
SUSTAIN_SATURATION = 0.90  # share of parks that counts as saturated
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
        in_gd = self.initial_green_deal[self.park_province]
        at_horizon = self.stage_at_horizon == Stage.LABELLED
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "seed": self.seed,
            "labelled_at_horizon": int(labelled[horizon]),
            "target_met": bool(labelled[horizon] >= target),
            "month_target_reached": float(reached[0]) if reached.size else np.nan,
            "labelled_at_end": int(labelled[-1]),
            "adopters_at_horizon": int(self.adopters[horizon]),
            "transforming_at_horizon": int(self.stage_counts[horizon, Stage.TRANSFORMING]),
            "engaged_at_horizon": int(self.stage_counts[horizon, Stage.ENGAGED]),
            "aware_or_beyond_at_horizon": int(self.stage_counts[horizon, Stage.AWARE :].sum()),
            "peer_share": float(eng[Driver.PEERS] / total_eng) if total_eng else np.nan,
            "tipping_month": self.tipping_month(),
            "label_month": self._first_true(self.label_available),
            "maturity_at_horizon": float(self.maturity[horizon]),
            "after_horizon_growth": int(labelled[-1] - labelled[horizon]),
            "self_sustaining": self.self_sustaining(),
            "labelled_share_green_deal": _share(at_horizon, in_gd),
            "labelled_share_other": _share(at_horizon, ~in_gd),
        }
        for driver in (Driver.INTRINSIC, Driver.PROGRAMME, Driver.PEERS, Driver.REGULATION):
            out[f"engagements_{driver.name.lower()}"] = int(eng[driver])
        for org in Organisation:
            out[f"labelled_share_org_{org.name.lower()}"] = _share(
                at_horizon, self.organisation == org
            )
        return out

    @staticmethod
    def _first_true(flags: np.ndarray) -> float:
        where = np.flatnonzero(flags)
        return float(where[0]) if where.size else np.nan

    def tipping_month(self) -> float:
        """First month where 12-month peer-driven engagements outnumber programme-driven ones."""
        window = np.ones(12, int)
        peers = np.convolve(self.engagements[:, Driver.PEERS], window)[: self.months + 1]
        programme = np.convolve(self.engagements[:, Driver.PROGRAMME], window)[: self.months + 1]
        return self._first_true((peers > programme) & (peers > 0))

    def self_sustaining(self) -> float:
        """1.0 / 0.0 by the definition in the module docstring; NaN when it cannot be judged."""
        start = self.months - SUSTAIN_WINDOW
        if start < self.params["programme_end_month"] + 12 or start < 0:
            return np.nan
        adopters = self.adopters
        if adopters[-1] >= SUSTAIN_SATURATION * self.final_stage.size:
            return 1.0
        eng = self.engagements[start + 1 :].sum(axis=0)
        growing = adopters[-1] >= adopters[start] * (1 + SUSTAIN_MIN_GROWTH) and adopters[-1] > 0
        peer_led = eng.sum() > 0 and eng[Driver.PEERS] >= 0.5 * eng.sum()
        return float(growing and peer_led)

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
