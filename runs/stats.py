"""Small statistics used by the analyses: Wilson interval, Kaplan-Meier median, paired CIs
(Newcombe's hybrid score interval for paired proportions, Student t for paired means)."""

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


def paired_difference(
    a: np.ndarray, b: np.ndarray, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean of a - b over paired replications (common random numbers) with a Student t CI.

    The interval uses the standard deviation of the paired differences, so the positive
    correlation that common random numbers create between a and b narrows it; the t quantile
    (n - 1 degrees of freedom) keeps it honest for the 10-50 replications of an experiment.
    Pairs with a NaN are dropped; the interval is NaN for fewer than two pairs.
    """
    d = np.asarray(a, float) - np.asarray(b, float)
    d = d[np.isfinite(d)]
    if d.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(d.mean())
    if d.size < 2:
        return (mean, np.nan, np.nan)
    t = float(stats.t.ppf(0.5 + level / 2, d.size - 1))
    half = t * float(d.std(ddof=1)) / np.sqrt(d.size)
    return (mean, mean - half, mean + half)


def newcombe_paired(
    both: int, first_only: int, second_only: int, neither: int, z: float = Z95
) -> tuple[float, float, float]:
    """Difference p1 - p2 of two paired proportions with Newcombe's hybrid score interval.

    Newcombe (1998), Statistics in Medicine 17:2635-2650, method 10: the Wilson intervals of
    the two marginal proportions combined through the correlation phi of the pairs (with
    Newcombe's continuity-corrected phi). Valid for small counts and for differences of 0 or
    +/-1, where the normal interval collapses to zero width. Counts of pairs: `both` (success
    in both), `first_only`, `second_only` (the discordant pairs) and `neither`. Returns
    (difference, low, high); NaNs when there are no pairs.
    """
    a, b, c, d = (int(v) for v in (both, first_only, second_only, neither))
    if min(a, b, c, d) < 0:
        raise ValueError("pair counts must be non-negative")
    n = a + b + c + d
    if n == 0:
        return (np.nan, np.nan, np.nan)
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson(a + b, n, z)
    l2, u2 = wilson(a + c, n, z)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    cross = a * d - b * c
    if margins == 0:
        phi = 0.0
    elif cross > n / 2:
        phi = (cross - n / 2) / np.sqrt(margins)
    elif cross >= 0:
        phi = 0.0
    else:
        phi = cross / np.sqrt(margins)
    dl1, du1, dl2, du2 = p1 - l1, u1 - p1, p2 - l2, u2 - p2
    low = (p1 - p2) - np.sqrt(max(dl1**2 - 2 * phi * dl1 * du2 + du2**2, 0.0))
    high = (p1 - p2) + np.sqrt(max(dl2**2 - 2 * phi * dl2 * du1 + du1**2, 0.0))
    return (float(p1 - p2), float(max(-1.0, low)), float(min(1.0, high)))


def paired_proportions(first: np.ndarray, second: np.ndarray) -> tuple[int, int, int, int]:
    """Counts (both, first only, second only, neither) of paired yes/no outcomes; pairs with a
    missing value (NaN, None) are dropped."""
    x = np.asarray(first, dtype=float)
    y = np.asarray(second, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep] > 0.5, y[keep] > 0.5
    return (
        int(np.sum(x & y)),
        int(np.sum(x & ~y)),
        int(np.sum(~x & y)),
        int(np.sum(~x & ~y)),
    )
