"""Rare events among many parks: Bernoulli trials drawn by the gaps between successes.

A rule that gives each of n parks the same monthly chance p (organic BIZ formation at ~1e-4,
the engagement rate of 0.08 of every aware park) used to draw one uniform per park: some 6,000
uniforms a month for a few hundred events. `successes` draws the gaps instead: the number
of failures before the next success is geometric, G = floor(log(1 - u) / log(1 - p)) for one
uniform u, so the successes' positions come from one uniform per success plus one (the gap that
runs past the last park). The positions have exactly the distribution of n independent
Bernoulli(p) trials (the geometric gaps of a Bernoulli process; tests/test_trials.py checks
counts and positions over many seeds); the stream of uniforms is another one (docs/ODD.md §7.4).

The compiled kernels use the same gaps (`compiled._gap`, the same expression with `math.log`
and `math.log1p`: the same C library functions), so both cores draw the same uniforms and find
the same parks.
"""

from __future__ import annotations

import math

import numpy as np


def gap(u: float, log_q: float) -> int:
    """Failures before the next success, for a uniform `u` in [0, 1) and log_q = log1p(-p)."""
    return math.floor(math.log(1.0 - u) / log_q)


def log_q_of(p: float) -> float:
    """log(1 - p) for a chance p in (0, 1]: -inf at 1 (every trial a success)."""
    return math.log1p(-p) if p < 1.0 else -math.inf


def successes(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """The successes (increasing positions in 0 .. n-1) among n Bernoulli(p) trials, drawn by
    their gaps: one uniform per success and one more; none at all when n is 0 or p is 0."""
    if n <= 0 or p <= 0.0:
        return np.empty(0, np.int64)
    log_q = log_q_of(p)
    found = []
    position = gap(float(rng.random()), log_q)
    while position < n:
        found.append(position)
        position += 1 + gap(float(rng.random()), log_q)
    return np.array(found, np.int64)
