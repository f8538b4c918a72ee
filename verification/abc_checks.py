"""Checks of the posterior: stability between independent runs, coverage on synthetic data, and
the held-out prediction.

- Stability: two calibrations with different seeds; each parameter's posterior medians must
  differ by less than `STABILITY_TOLERANCE` x the mean of the two posterior IQRs.
- Coverage: K synthetic data sets, each simulated at parameters drawn from the prior (seeded), are
  fitted like the real data; the true value should lie inside the 90% credible interval (weighted
  5-95% quantiles) in about 90% of the fits. Pass when the number of hits lies in the central 95%
  interval of Binomial(K, 0.9) (for K = 10: 7-10 hits).
- Held-out prediction: each final particle's own run gives one posterior-predictive draw of every
  statistic (parametric and stochastic uncertainty together); the statistics of series not fitted
  are predictions, scored against their datum: the 90% prediction interval, whether the datum is
  inside, and the predictive tail probability P(prediction <= datum).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats as sps

from werklandschap.model import seeds
from werklandschap.model.posterior import Posterior
from werklandschap.verification import abc_series as S

STABILITY_TOLERANCE = 0.25  # x mean posterior IQR
CREDIBLE = 0.90


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The weighted `q`-quantile (the smallest value whose cumulative weight reaches q)."""
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][min(int(np.searchsorted(cumulative, q)), len(values) - 1)])


def stability(a: Posterior, b: Posterior, tolerance: float = STABILITY_TOLERANCE) -> list[dict]:
    """Per parameter: both medians, |difference|, mean IQR, ratio and pass (module docstring)."""
    rows = []
    qa = {q: a.quantile(q) for q in (0.25, 0.5, 0.75)}
    qb = {q: b.quantile(q) for q in (0.25, 0.5, 0.75)}
    for name in a.names:
        iqr = ((qa[0.75][name] - qa[0.25][name]) + (qb[0.75][name] - qb[0.25][name])) / 2
        diff = abs(qa[0.5][name] - qb[0.5][name])
        ratio = diff / iqr if iqr > 0 else float("inf")
        rows.append(
            {
                "parameter": name,
                "median_a": qa[0.5][name],
                "median_b": qb[0.5][name],
                "difference": diff,
                "iqr": iqr,
                "ratio": ratio,
                "ok": ratio < tolerance,
            }
        )
    return rows


def binomial_band(k: int, p: float = CREDIBLE, level: float = 0.95) -> tuple[int, int]:
    """Central `level` interval of Binomial(k, p): the hit counts the coverage check accepts."""
    low = int(sps.binom.ppf((1 - level) / 2, k, p))
    high = int(sps.binom.ppf(1 - (1 - level) / 2, k, p))
    return low, high


@dataclass
class CoverageResult:
    """Hits per parameter out of `fits`, and the accepted band of hit counts."""

    fits: int
    hits: dict[str, int]
    band: tuple[int, int]
    truths: list[dict[str, float]]

    @property
    def ok(self) -> bool:
        return all(self.band[0] <= h <= self.band[1] for h in self.hits.values())


def coverage(
    fit: Callable[[tuple[S.Statistic, ...], int], Posterior],
    simulate: Callable[[dict[str, float], int], dict[str, float]],
    bounds: dict[str, tuple[float, float]],
    fits: int,
    seed: int,
    statistics: tuple[S.Statistic, ...] = S.STATISTICS,
) -> CoverageResult:
    """The coverage check: `simulate(truth, seed)` makes synthetic statistics, `fit(data, seed)`
    fits them (data: `statistics` with the synthetic values as their data)."""
    rng = seeds.posterior(seed)  # its own stream: the truths do not shift any run seed
    names = tuple(bounds)
    hits = dict.fromkeys(names, 0)
    truths = []
    for k in range(fits):
        truth = {n: float(lo + (hi - lo) * rng.random()) for n, (lo, hi) in bounds.items()}
        synthetic = simulate(truth, seeds.replication(seed, k))
        data = tuple(S.with_observed(s, synthetic[s.name]) for s in statistics)
        post = fit(data, seeds.replication(seed + 1, k))
        low, high = post.quantile((1 - CREDIBLE) / 2), post.quantile(1 - (1 - CREDIBLE) / 2)
        for n in names:
            hits[n] += int(low[n] <= truth[n] <= high[n])
        truths.append(truth)
    return CoverageResult(fits, hits, binomial_band(fits), truths)


def held_out_predictions(posterior: Posterior) -> list[dict[str, Any]]:
    """Scores of every statistic of a series not fitted (module docstring)."""
    data = posterior.data
    predicted = data.get("particle_statistics", {})
    fitted = set(data.get("fitted_series", []))
    rows = []
    for s in S.STATISTICS:
        if s.series in fitted or s.name not in predicted:
            continue
        values = np.asarray(predicted[s.name], float)
        w = posterior.weights
        low, mid, high = (weighted_quantile(values, w, q) for q in (0.05, 0.5, 0.95))
        rows.append(
            {
                "statistic": s.name,
                "series": s.series,
                "datum": s.target,
                "median": mid,
                "low": low,
                "high": high,
                "inside": _inside(s, low, high),
                "p_below": float(np.sum(w[values <= s.observed])),
            }
        )
    return rows


def _inside(statistic: S.Statistic, low: float, high: float) -> bool:
    """Whether the datum (or its range) meets the prediction interval [low, high]."""
    lo, hi = statistic.interval or (statistic.observed, statistic.observed)
    return bool(low <= hi and lo <= high)


def held_out_markdown(posterior: Posterior) -> str:
    """The "Held-out prediction" section of docs/validation.md."""
    rows = held_out_predictions(posterior)
    prov = posterior.provenance
    lines = [
        "## Held-out prediction",
        "",
        f"Fitted by ABC-SMC (docs/calibration.md; population {prov.get('population')}, "
        f"{prov.get('generations')} generations, seed {prov.get('seed')}) on the series "
        f"{', '.join(posterior.data.get('fitted_series', []))}; the series below were *not* "
        "fitted. Each final particle's own analogue run is one posterior-predictive draw "
        "(parameters and chance together); 90% prediction interval against the datum.",
        "",
        "| statistic | datum | predicted median | 90% interval | datum inside | "
        "P(prediction <= datum) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| `{r['statistic']}` | {r['datum']} | {r['median']:.3g} | {r['low']:.3g}-"
            f"{r['high']:.3g} | {'yes' if r['inside'] else '**no**'} | {r['p_below']:.2f} |"
        )
    inside = sum(r["inside"] for r in rows)
    lines += [
        "",
        f"Score: {inside} of {len(rows)} held-out data inside their 90% prediction "
        "interval. A P(prediction <= datum) near 1 means the model predicts too little, "
        "near 0 too much.",
    ]
    if any(r["series"] == "biz" for r in rows):
        lines.append(
            "`biz_new_per_year` is held out because the model has no organic BIZ formation yet "
            "(no `biz_formation_rate`): it predicts no new BIZ, a known gap, not a test of a "
            "mechanism; it becomes a fitted series when that parameter exists."
        )
    return "\n".join(lines) + "\n"


def stability_markdown(rows: list[dict], seed_a: int, seed_b: int) -> str:
    """The stability check as a Markdown section."""
    ok = all(r["ok"] for r in rows)
    lines = [
        "## Stability",
        "",
        f"Two independent calibrations (seeds {seed_a} and {seed_b}); tolerance: |difference of "
        f"the medians| < {STABILITY_TOLERANCE:g} x mean posterior IQR. "
        f"Result: **{'pass' if ok else 'FAIL'}**.",
        "",
        "| parameter | median (seed a) | median (seed b) | difference / IQR | ok |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| `{r['parameter']}` | {r['median_a']:.3g} | {r['median_b']:.3g} | "
            f"{r['ratio']:.2f} | {'yes' if r['ok'] else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


def coverage_markdown(result: CoverageResult, population: int, generations: int, seed: int) -> str:
    """The coverage check as a Markdown section."""
    low, high = result.band
    lines = [
        "## Coverage",
        "",
        f"{result.fits} fits of synthetic data simulated at parameters drawn from the prior "
        f"(population {population}, {generations} generations, seed {seed}); hits = true value "
        f"inside the 90% credible interval; accepted: {low}-{high} hits (central 95% of "
        f"Binomial({result.fits}, 0.9)). Result: **{'pass' if result.ok else 'FAIL'}**.",
        "",
        "| parameter | hits |",
        "|---|---|",
    ]
    lines += [f"| `{n}` | {h} of {result.fits} |" for n, h in result.hits.items()]
    return "\n".join(lines) + "\n"


def fit_with_data(
    population: int, generations: int, out: Path, workers: int = 1
) -> Callable[[tuple[S.Statistic, ...], int], Posterior]:
    """A `fit` for `coverage` with the real model (the calibrate command's coverage option)."""
    from werklandschap.verification import calibration

    def fit(data: tuple[S.Statistic, ...], seed: int) -> Posterior:
        return calibration.calibrate(
            population=population,
            generations=generations,
            seed=seed,
            out=out,
            workers=workers,
            statistics=data,
        ).posterior

    return fit


def simulate_model(truth: dict[str, float], seed: int) -> dict[str, float]:
    """Synthetic statistics: one analogue run at `truth` (the calibration's fixed values too)."""
    from werklandschap.verification import calibration
    from werklandschap.verification.abc_smc import AnalogueSimulator

    fixed = {k: v for k, v in calibration.FIXED.items() if k not in truth}
    return AnalogueSimulator(seed, fixed)(truth)


__all__ = ["coverage", "held_out_predictions", "replace", "stability"]
