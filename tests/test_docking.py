"""Docking: the vectorised park step against the per-agent reference (verification/reference.py).

Documented subset: the parks of Utrecht (a Green Deal province) and Flevoland (not) — 271 parks in
32 municipalities — over 60 months, target 50 labelled parks. For each scenario, 100 seeds per
implementation. Compared per scenario: labelled at month 60, the month the target is reached
(censored runs count as month 61), and the counts of every stage at months 24, 42 and 60. Each
metric gets a two-sample Kolmogorov-Smirnov test and a Welch t-test of the means; with
Bonferroni over all tests of all scenarios the family-wise significance level is 1%.

The park network is the default sparse park-level graph (docs/ODD.md §7.2), whose ties the
reference reads one by one. A broken variant must fail the same test: peer weights that are not
normalised by the park's own degree (a count of adopting neighbours instead of their share). (With the former mean-field network, transposed weights — normalising by the neighbour's degree
— were not detectable, because the tie matrix is symmetric and degrees varied little within the
subset. A bug without consequence for the outcomes cannot be found by docking.)
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from scipy import stats

from werklandschap.model.data import national_data, subset
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.network import GraphNetwork
from werklandschap.model.scenario import load_scenario
from werklandschap.runs.runs import derive_seed
from werklandschap.verification.reference import ReferenceModel

SEEDS = 100
MONTHS = 60
TARGET = 50
STAGE_MONTHS = (24, 42, 60)
SCENARIOS = {
    "baseline": {},
    "no_programme": {},
    "strong_peers": {"peer_weight": 1.0, "peer_awareness_rate": 0.08},
}
METRICS_PER_SCENARIO = 2 + 5 * len(STAGE_MONTHS)
ALPHA = 0.01 / (2 * METRICS_PER_SCENARIO * len(SCENARIOS))  # Bonferroni, two tests per metric


@cache
def dock_data():
    return subset(national_data(), ("Utrecht", "Flevoland"))


def dock_scenario(name: str):
    base = "baseline" if name == "strong_peers" else name
    return load_scenario(base).with_params(
        name=name,
        horizon_months=MONTHS,
        after_horizon_months=0,
        target_parks=TARGET,
        **SCENARIOS[name],
    )


class UnnormalisedNetwork(GraphNetwork):
    """BROKEN on purpose: the peer 'share' is the number of adopting neighbours, not divided by
    the park's own degree (a dropped normalisation of the peer weights)."""

    def peer_share(self, x, parks=None):
        share = super().peer_share(x, parks)
        return share * (self.park_degree if parks is None else self.park_degree[parks])


class BrokenModel(WerklandschapModel):
    def _network(self):
        good = super()._network()
        return UnnormalisedNetwork(**{f: getattr(good, f) for f in good.__dataclass_fields__})


def metrics(result) -> np.ndarray:
    reached = np.flatnonzero(result.labelled >= TARGET)
    month = reached[0] if reached.size else MONTHS + 1
    stages = result.stage_counts[list(STAGE_MONTHS)].ravel()
    return np.concatenate([[result.labelled[MONTHS], month], stages]).astype(float)


@cache
def sample(model_class, name: str, core: str | None = None) -> np.ndarray:
    scenario, data = dock_scenario(name), dock_data()
    return np.array(
        [
            metrics(
                model_class(scenario, rng=derive_seed(77, r), data=data, core=core)
                .run_to_end()
                .result()
            )
            for r in range(SEEDS)
        ]
    )


def p_values(a: np.ndarray, b: np.ndarray) -> list[float]:
    """KS and Welch p-values per metric column (constant columns that agree count as p = 1)."""
    out = []
    for x, y in zip(a.T, b.T, strict=True):
        if np.ptp(np.concatenate([x, y])) == 0:
            out += [1.0, 1.0]
            continue
        out.append(stats.ks_2samp(x, y).pvalue)
        out.append(stats.ttest_ind(x, y, equal_var=False).pvalue if np.ptp(x) + np.ptp(y) else 0.0)
    return out


@pytest.mark.parametrize("core", ["numpy", "compiled"])  # the reference and the compiled core
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_vectorised_step_docks_with_the_reference(name, core):
    vectorised = sample(WerklandschapModel, name, core)
    reference = sample(ReferenceModel, name, "numpy")
    p = p_values(vectorised, reference)
    assert min(p) > ALPHA, f"{name}: smallest p = {min(p):.2e} <= {ALPHA:.1e}"
    # means within 99% confidence intervals of the difference, for labelled at the end
    diff = vectorised[:, 0].mean() - reference[:, 0].mean()
    se = np.sqrt(vectorised[:, 0].var(ddof=1) / SEEDS + reference[:, 0].var(ddof=1) / SEEDS)
    assert abs(diff) < 2.576 * se + 1e-9, f"{name}: labelled differs by {diff:.2f} (se {se:.2f})"


@pytest.mark.parametrize("core", ["numpy", "compiled"])
def test_a_broken_vectorised_step_fails_the_docking_test(core):
    broken = sample(BrokenModel, "strong_peers", core)
    reference = sample(ReferenceModel, "strong_peers", "numpy")
    assert min(p_values(broken, reference)) <= ALPHA
