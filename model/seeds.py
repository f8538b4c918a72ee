"""Named seed streams: every random number of a run or an experiment follows from one user seed.

All streams are built on numpy's SeedSequence (entropy = the user's seed, spawn key = the
stream's index), so a seed is the same on any machine, executor or worker count. Each function
below is one named stream; its docstring says which derivation it reproduces, so outputs written
before the streams were declared here are unchanged.

- replication(seed, r)        replication r of a run, a compare scenario or a sweep cell
- sample_point(seed, i, R, r) replication r of sample point i of a design with R replications
- sampler(seed)               the seed of a sampler (Sobol', Morris, LHS) and of bootstrap draws
- noise_check(seed)           the experiment seed of a Sobol' noise check's extra replications
- point(seed, values)         a parameter point given by its values (EMA Workbench adapter)
- network(seed)               the business-park network (a separate stream for model/network.py)
- posterior(seed)             parameter sets drawn from the calibration posterior

Two scenarios run with the same seed share their replication seeds (common random numbers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import numpy as np

#: Offset of the noise-check experiment seed (a prime, so that its replication seeds differ from
#: the main design's; kept as before so that outputs are unchanged).
NOISE_CHECK_OFFSET = 7919
#: Spawn key of the network stream: two entries, so it never equals a replication's key (one
#: entry); the first entry spells "net" in ASCII.
NETWORK_STREAM = 0x6E6574  # "net": separates the network's stream from every run's


def _spawn(seed: int, key: tuple[int, ...]) -> int:
    """A 32-bit seed: the first word of SeedSequence(entropy=seed, spawn_key=key)."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=key)
    return int(sequence.generate_state(1, np.uint32)[0])


def replication(seed: int, index: int) -> int:
    """Seed of replication `index` of a job seeded with `seed` (spawn key `(index,)`)."""
    return _spawn(seed, (index,))


def sample_point(seed: int, point: int, replications: int, index: int) -> int:
    """Seed of replication `index` of sample point `point` (each point has `replications`).

    The replication stream at position `point * replications + index`, so every run of a
    sampled design has its own seed.
    """
    return replication(seed, point * replications + index)


def sampler(seed: int) -> int:
    """Seed of an experiment's sampler and of its analysis' bootstrap: `seed + 1`.

    One more than the experiment seed (as before), so the sample does not reuse the first
    replication's stream entropy.
    """
    return seed + 1


def bootstrap(seed: int) -> int:
    """Seed of an analysis' bootstrap resampling: the sampler's seed, as before."""
    return sampler(seed)


def noise_check(seed: int) -> int:
    """Experiment seed of the Sobol' noise check's extra replications: `seed + 7919`."""
    return seed + NOISE_CHECK_OFFSET


def point(seed: int, values: Mapping[str, Any]) -> int:
    """Seed of a parameter point known only by its values (the EMA Workbench adapter).

    The replication stream at an index taken from a SHA-256 hash of the sorted values, so the
    same point gets the same seed in any order of evaluation.
    """
    text = repr(sorted((k, str(v)) for k, v in values.items()))
    index = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
    return replication(seed, index)


def network(network_seed: int) -> np.random.Generator:
    """A Generator for drawing the park network with the parameter `network_seed` (ODD §7.2).

    Its own stream (entropy `[NETWORK_STREAM, network_seed]`), separate from the run seed: the
    same network seed gives the same graph in every run, and drawing it shifts no draw of the
    park population or the monthly rules.
    """
    return np.random.default_rng(np.random.SeedSequence([NETWORK_STREAM, int(network_seed)]))


#: Spawn key of the posterior stream: two entries, first "pst" in ASCII (as the network stream).
POSTERIOR_STREAM = 0x707374


def posterior(seed: int) -> np.random.Generator:
    """A Generator for drawing parameter sets from the calibration posterior (model/posterior.py)
    in an experiment or run seeded with `seed`: its own stream (entropy
    `[POSTERIOR_STREAM, seed]`), so drawing parameter sets shifts no run seed."""
    return np.random.default_rng(np.random.SeedSequence([POSTERIOR_STREAM, int(seed)]))
