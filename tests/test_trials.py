"""Bernoulli trials drawn by their gaps (agents/trials.py) are Bernoulli trials.

Over many repetitions, the count of successes, the chance of each position and of two
neighbouring positions must be those of independent Bernoulli(p) trials, within 5 standard
errors (each check fails for a gap off by one, a wrong logarithm or a rate applied twice); and
the stream must move on by exactly one uniform per success and one more.
"""

from __future__ import annotations

import numpy as np
import pytest

from werklandschap.agents.trials import successes

REPEATS = 20_000
SE_LIMIT = 5.0


def outcomes(n: int, p: float, repeats: int = REPEATS, seed: int = 7) -> np.ndarray:
    """(repeats, n) booleans: the successes of each repetition."""
    rng = np.random.default_rng(seed)
    hits = np.zeros((repeats, n), bool)
    for r in range(repeats):
        hits[r, successes(rng, n, p)] = True
    return hits


@pytest.mark.parametrize("n, p", [(40, 0.08), (12, 0.5), (3, 0.9)])
def test_counts_positions_and_pairs_are_those_of_bernoulli_trials(n, p):
    hits = outcomes(n, p)
    count = hits.sum(axis=1)
    assert abs(count.mean() - n * p) <= SE_LIMIT * np.sqrt(n * p * (1 - p) / REPEATS)
    assert abs(count.var() / (n * p * (1 - p)) - 1) <= SE_LIMIT * np.sqrt(2 / REPEATS) + 0.02
    per_position = hits.mean(axis=0)
    assert np.abs(per_position - p).max() <= SE_LIMIT * np.sqrt(p * (1 - p) / REPEATS)
    pairs = (hits[:, :-1] & hits[:, 1:]).mean(axis=0)
    q = p * p
    assert np.abs(pairs - q).max() <= SE_LIMIT * np.sqrt(q * (1 - q) / REPEATS)


def test_rare_events_among_many_parks_come_at_their_rate():
    n, p, repeats = 3_600, 9.3e-5, 5_000  # organic BIZ formation over the parks without one
    rng = np.random.default_rng(3)
    counts = np.array([successes(rng, n, p).size for _ in range(repeats)])
    assert abs(counts.mean() - n * p) <= SE_LIMIT * np.sqrt(n * p / repeats)


@pytest.mark.parametrize("n, p", [(50, 0.08), (10, 1.0), (1, 0.3)])
def test_one_uniform_per_success_and_one_more(n, p):
    for seed in range(200):
        rng, same = np.random.default_rng(seed), np.random.default_rng(seed)
        found = successes(rng, n, p)
        same.random(found.size + 1)
        assert rng.bit_generator.state == same.bit_generator.state
        assert np.all(np.diff(found) > 0) and (found.size == 0 or 0 <= found[0] <= found[-1] < n)
    assert np.array_equal(successes(np.random.default_rng(0), 10, 1.0), np.arange(10))


@pytest.mark.parametrize("n, p", [(0, 0.5), (20, 0.0)])
def test_no_trials_or_no_chance_draw_nothing(n, p):
    rng = np.random.default_rng(1)
    before = rng.bit_generator.state
    assert successes(rng, n, p).size == 0
    assert rng.bit_generator.state == before


#: 0.3.0 (one uniform per park in these rules, commit e3ad04f): mean and standard deviation over
#: seeds 10,000-10,299 of each scenario.
BEFORE = {
    "no_programme": {
        "labelled_at_horizon": (219.7, 53.5),
        "labelled_at_end": (487.1, 24.4),
        "label_month": (100.1, 3.3),
        "adopters_at_horizon": (396.4, 21.2),
        "engaged_at_horizon": (66.7, 7.8),
        "aware_or_beyond_at_horizon": (3627.4, 4.8),
        "biz_formed": (62.73, 7.42),
    },
    "baseline": {
        "labelled_at_horizon": (662.5, 28.1),
        "labelled_at_end": (1169.8, 41.0),
        "label_month": (39.1, 3.8),
        "adopters_at_horizon": (1036.3, 38.0),
        "engaged_at_horizon": (167.6, 12.2),
        "aware_or_beyond_at_horizon": (3645.3, 0.9),
    },
}
Z_LIMIT = 4.0  # two-sample z of the means; 13 comparisons


@pytest.mark.slow
@pytest.mark.parametrize("scenario", sorted(BEFORE))
def test_the_model_keeps_the_distribution_it_had_with_one_draw_per_park(scenario):
    """The same 300 seeds as 0.3.0 give other numbers (another stream) from the same
    distribution: every mean within 4 standard errors of the difference."""
    from werklandschap import run
    from werklandschap.agents.park import Organisation

    rows = []
    for seed in range(10_000, 10_300):
        result = run(scenario, seed)
        row = result.summary()
        biz = Organisation.BIZ
        row["biz_formed"] = int(
            np.count_nonzero(result.organisation == biz)
            - np.count_nonzero(result.initial_organisation == biz)
        )
        rows.append(row)
    for key, (mean, sd) in BEFORE[scenario].items():
        values = np.array([row[key] for row in rows], float)
        se = np.sqrt(sd**2 / 300 + values.std() ** 2 / len(values))
        z = (values.mean() - mean) / se
        assert abs(z) <= Z_LIMIT, (key, values.mean(), mean, z)
