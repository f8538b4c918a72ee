"""The named seed streams (model/seeds.py): the derivations they reproduce, and distinct streams."""

import numpy as np

from werklandschap.model import seeds


def _spawned(seed: int, index: int) -> int:
    return int(np.random.SeedSequence(seed, spawn_key=(index,)).generate_state(1, np.uint32)[0])


def test_replication_is_the_spawned_sequence():
    assert [seeds.replication(2026, r) for r in range(5)] == [_spawned(2026, r) for r in range(5)]


def test_sample_point_runs_have_distinct_seeds():
    got = [seeds.sample_point(5, i, 3, r) for i in range(20) for r in range(3)]
    assert got == [seeds.replication(5, k) for k in range(60)]
    assert len(set(got)) == 60


def test_sampler_bootstrap_and_noise_check_offsets():
    assert seeds.sampler(11) == 12 and seeds.bootstrap(11) == 12
    assert seeds.noise_check(5) == 5 + 7919


def test_point_seed_ignores_order_and_depends_on_values():
    a = seeds.point(1, {"x": 0.5, "y": 2})
    assert a == seeds.point(1, {"y": 2, "x": 0.5})
    assert a != seeds.point(1, {"x": 0.6, "y": 2}) and a != seeds.point(2, {"x": 0.5, "y": 2})


def test_network_stream_differs_from_every_replication_stream():
    first = seeds.network(3).integers(0, 2**32, size=4)
    assert np.array_equal(first, seeds.network(3).integers(0, 2**32, size=4))
    for r in range(50):
        assert not np.array_equal(
            first, np.random.default_rng(seeds.replication(3, r)).integers(0, 2**32, size=4)
        )
