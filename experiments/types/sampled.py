"""Shared parts of the sampled experiment types (sobol, morris, discovery): the `base` and
`parameters` options, and a design from latent samples (replication r of sample point i uses
`seeds.sample_point(seed, i, R, r)`; the sampler `seeds.sampler(seed)`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: Option keys every sampled type has.
KEYS: dict[str, Any] = {"base": str, "parameters": (list, str)}


def base_and_parameters(where: str, opts: dict[str, Any], default_set: str) -> None:
    """Check `base` (a loadable scenario) and resolve `parameters` to names, in place."""
    from werklandschap.experiments.spec import _parameter_names, _scenario

    _scenario(where, "base", opts.setdefault("base", "baseline"))
    opts["parameters"] = _parameter_names(where, opts.get("parameters", default_set))


def design(
    spec, sample: Callable[[list, int], np.ndarray]
) -> tuple[list[dict[str, Any]], list, dict[str, Any]]:
    """Rows and tasks of the sample points `sample(factors, sampler_seed)` (latent scale)."""
    from werklandschap.experiments.design import factor, map_samples, sampled_runs
    from werklandschap.model import seeds

    factors = [factor(n) for n in spec.options["parameters"]]
    latent = sample(factors, seeds.sampler(spec.seed))
    rows, tasks = sampled_runs(spec, map_samples(latent, factors), "sample")
    return rows, tasks, {"factors": factors, "latent": latent}
