"""Small statistics used by the analyses: Wilson interval, Kaplan-Meier median, paired CIs."""

from __future__ import annotations

import numpy as np
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (95% by default); (nan, nan) if n = 0."""
    if n == 0:
        return (np.nan, np.nan)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (float(low), float(high))


def km_median(times: np.ndarray, censor_at: float) -> float:
    """Kaplan-Meier median of event times; NaN entries are right-censored at `censor_at`.

    All censoring here happens at the end of the run, so the estimate equals the empirical
    median of the event times when fewer than half the runs are censored, and is NaN ("not
    reached") when the survival curve never drops to 0.5 before `censor_at`.
    """
    times = np.asarray(times, dtype=float)
    n = times.size
    if n == 0:
        return np.nan
    events = np.sort(times[np.isfinite(times) & (times <= censor_at)])
    survival, at_risk = 1.0, n
    for t in np.unique(events):
        d = np.count_nonzero(events == t)
        survival *= 1 - d / at_risk
        at_risk -= d
        if survival <= 0.5 + 1e-12:
            return float(t)
    return np.nan


def paired_difference(a: np.ndarray, b: np.ndarray, z: float = Z95) -> tuple[float, float, float]:
    """Mean of a - b over paired replications (common random numbers) with a normal 95% CI.

    The interval uses the standard deviation of the paired differences, so the positive
    correlation that common random numbers create between a and b narrows it.
    """
    d = np.asarray(a, float) - np.asarray(b, float)
    d = d[np.isfinite(d)]
    if d.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(d.mean())
    half = z * float(d.std(ddof=1)) / np.sqrt(d.size) if d.size > 1 else np.nan
    return (mean, mean - half, mean + half)
