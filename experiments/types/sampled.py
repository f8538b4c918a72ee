"""Shared parts of the sampled experiment types (sobol, morris, discovery): the `base`,
`parameters` and `posterior` options, and a design from latent samples (replication r of sample
point i uses `seeds.sample_point(seed, i, R, r)`; the sampler `seeds.sampler(seed)`).

`posterior: true` (default false: the prior-wide analysis) makes the analysis conditional on the
calibration posterior: the calibrated parameters are not sampled over their ranges but as ONE
group factor `posterior`, u in [0, 1), mapped to a particle by the inverse CDF of the weights
(particles in file order; u falls in particle k when cum_w[k-1] <= u < cum_w[k]). Every
calibrated parameter then takes that particle's values, so the sample stays inside the
posterior and keeps its correlations (a factor per parameter would break them); the indices of
`posterior` measure the calibrated block as a whole. The parameters the calibration held fixed
(`verification.calibration.FIXED`: `cost`, whose effect the calibrated threshold absorbs) stay at
their base value: the posterior is conditional on them, and sweeping them would put back the net
hurdles the data reject. The other parameters are sampled over their ranges as before. Rows record
the particle and the calibrated values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: Option keys every sampled type has.
KEYS: dict[str, Any] = {"base": str, "parameters": (list, str), "posterior": bool}
#: The group factor of the calibrated block under `posterior: true`.
POSTERIOR_FACTOR = "posterior"


def base_and_parameters(where: str, opts: dict[str, Any], default_set: str) -> None:
    """Check `base` (a loadable scenario), resolve `parameters` to names and check
    `posterior` (true needs a readable posterior file), in place."""
    from werklandschap.experiments.spec import ExperimentError, _parameter_names, _scenario
    from werklandschap.model.posterior import PosteriorFileError
    from werklandschap.runs.predictive import load_checked_posterior

    _scenario(where, "base", opts.setdefault("base", "baseline"))
    opts["parameters"] = _parameter_names(where, opts.get("parameters", default_set))
    if opts.setdefault("posterior", False):
        try:
            load_checked_posterior()
        except PosteriorFileError as exc:
            raise ExperimentError(f"{where}: posterior: true, but {exc}") from None


def factor_names(spec) -> list[str]:
    """The sampled factors: the parameters, the calibrated ones replaced by `posterior`."""
    if not spec.options.get("posterior"):
        return list(spec.options["parameters"])
    from werklandschap.model.posterior import load_posterior
    from werklandschap.verification.calibration import FIXED

    held = set(load_posterior().names) | set(FIXED)  # drawn as a block, or fixed by calibration
    return [n for n in spec.options["parameters"] if n not in held] + [POSTERIOR_FACTOR]


def inverse_cdf(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Particle index of each u in [0, 1] by the inverse CDF of `weights` (u = 1: the last)."""
    index = np.searchsorted(np.cumsum(weights), u, side="right")
    return np.minimum(index, weights.size - 1)


def runs_of(spec, latent: np.ndarray, factors: list, role: str) -> tuple[list, list]:
    """Rows and tasks of latent sample rows (the `posterior` factor mapped to particles)."""
    from werklandschap.experiments.design import map_samples, sampled_runs

    names = [f.name for f in factors]
    if POSTERIOR_FACTOR not in names:
        return sampled_runs(spec, map_samples(latent, factors), role)
    from werklandschap.model.posterior import load_posterior

    post = load_posterior()
    j = names.index(POSTERIOR_FACTOR)
    points = map_samples(np.delete(latent, j, axis=1), [f for f in factors if f.name != names[j]])
    particle = inverse_cdf(post.weights, latent[:, j])
    for k, name in enumerate(post.names):
        points[name] = post.particles[particle, k]
    rows, tasks = sampled_runs(spec, points, role)
    for row in rows:
        row["particle"] = int(particle[row["point"]])
    return rows, tasks


def value_factors(factors: list) -> list:
    """The factors as run-table columns: `posterior` replaced by its calibrated parameters
    (float factors over their posterior range), for analyses that read the values (PRIM)."""
    from werklandschap.experiments.design import Factor

    if POSTERIOR_FACTOR not in [f.name for f in factors]:
        return factors
    from werklandschap.model.posterior import load_posterior

    post = load_posterior()
    extra = [
        Factor(n, float(post.particles[:, k].min()), float(post.particles[:, k].max()), "float")
        for k, n in enumerate(post.names)
    ]
    return [f for f in factors if f.name != POSTERIOR_FACTOR] + extra


def posterior_note(spec) -> str:
    """The report's words on the `posterior` factor ("" for a prior-wide analysis)."""
    if not spec.options.get("posterior"):
        return ""
    from werklandschap.model.posterior import load_posterior

    post = load_posterior()
    method = post.provenance.get("method", "unknown method")
    return (
        "\n\nConditional on the calibration posterior: the calibrated parameters ("
        + ", ".join(f"`{n}`" for n in post.names)
        + f") were not sampled over their ranges but as one factor `{POSTERIOR_FACTOR}`, "
        f"u in [0, 1) mapped to one of the {post.size} particles by the inverse CDF of the "
        f"weights (posterior: {method}); its indices are those of the calibrated block as a "
        "whole. The other factors span their plausible ranges."
    )


def design(
    spec, sample: Callable[[list, int], np.ndarray]
) -> tuple[list[dict[str, Any]], list, dict[str, Any]]:
    """Rows and tasks of the sample points `sample(factors, sampler_seed)` (latent scale)."""
    from werklandschap.experiments.design import Factor, factor
    from werklandschap.model import seeds

    factors = [
        Factor(POSTERIOR_FACTOR, 0.0, 1.0, "float") if n == POSTERIOR_FACTOR else factor(n)
        for n in factor_names(spec)
    ]
    latent = sample(factors, seeds.sampler(spec.seed))
    rows, tasks = runs_of(spec, latent, factors, "sample")
    return rows, tasks, {"factors": factors, "latent": latent}
