"""Complex contagion on the park graph (docs/ODD.md §7.2, §7.4): the model's own rule — the
fraction of a park's ties that adopt, against a threshold, through `engagement_chance` with a
near-deterministic noise — on synthetic graphs.

- Watts (2002), Fig. 1 (EVIDENCE): uniform threshold phi = 0.18 on a Poisson random graph, one
  seed node: global cascades occur for mean degree inside a window from about 1 to about 6-7 and
  never outside. Checked with 40 trials per mean degree on 2,000 nodes: in the window (z = 2, 4)
  at least 10% of the trials cascade (> 25% of nodes adopt); outside (z = 0.5, 10) none does.
- Centola (2010): behaviour that needs reinforcement (here 2 of 8 ties) spreads further on a
  clustered lattice than on the same graph after degree-preserving rewiring (networkx
  double_edge_swap): checked over 10 rewirings, the lattice reaches everyone, every rewired graph
  stays below half.
- Marginal attribution: credits are the exact drop in probability when a channel is removed.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from werklandschap.agents.decision import engagement_chance, main_channel, marginal_credit
from werklandschap.agents.park import Driver
from werklandschap.model.data import national_data
from werklandschap.model.network import GraphNetwork, draw_park_graph, network_for
from werklandschap.model.parameters import DEFAULTS

WEIGHT = 1.0  # utility of the local peer term when every tie adopts
SHARP = 1e-4  # decision noise: a near-deterministic threshold


def cascade(network: GraphNetwork, phi: float, seeds: np.ndarray, rng) -> float:
    """Adopted fraction at the end of a threshold cascade run with the model's rule (adoption
    is permanent; synchronous rounds until nothing changes)."""
    x = np.zeros(network.park_degree.size)
    x[seeds] = 1.0
    threshold = np.full(x.size, WEIGHT * (phi - 1e-9))  # adopt when the share reaches phi
    while True:
        chance = engagement_chance(WEIGHT * network.peer_share(x), threshold, 1.0, SHARP)
        new = (x == 0) & (rng.random(x.size) < chance)
        if not new.any():
            return x.mean()
        x[new] = 1.0


def poisson_graph(n: int, z: float, rng) -> GraphNetwork:
    edges = rng.integers(0, n, size=(round(z * n / 2), 2))
    return GraphNetwork.from_edges(n, edges)


def cascade_frequency(z: float, trials: int = 40, n: int = 2000) -> float:
    rng = np.random.default_rng(int(z * 100))
    big = [
        cascade(poisson_graph(n, z, rng), 0.18, rng.integers(n, size=1), rng) for _ in range(trials)
    ]
    return float(np.mean(np.array(big) > 0.25))


@pytest.mark.parametrize("z", [2.0, 4.0])
def test_global_cascades_inside_the_watts_window(z):
    assert cascade_frequency(z) >= 0.1


@pytest.mark.parametrize("z", [0.5, 10.0])
def test_no_global_cascades_outside_the_watts_window(z):
    assert cascade_frequency(z) == 0.0


def lattice(n: int = 1000, k: int = 8) -> nx.Graph:
    return nx.watts_strogatz_graph(n, k, 0.0, seed=1)  # ring lattice: high clustering


def to_network(graph: nx.Graph) -> GraphNetwork:
    return GraphNetwork.from_edges(graph.number_of_nodes(), np.array(graph.edges()))


def test_clustering_helps_contagion_that_needs_reinforcement():
    graph = lattice()
    seeds = np.arange(0, 5) - 2  # a seed and its 4 nearest neighbours (Centola 2010)
    rng = np.random.default_rng(5)
    clustered = cascade(to_network(graph), 0.25, seeds, rng)
    rewired = []
    for r in range(10):
        g = graph.copy()
        nx.double_edge_swap(g, nswap=4 * g.number_of_edges(), max_tries=10**6, seed=r)
        assert sorted(d for _, d in g.degree()) == sorted(d for _, d in graph.degree())
        rewired.append(cascade(to_network(g), 0.25, seeds, rng))
    assert clustered == 1.0
    assert max(rewired) < 0.5


def test_marginal_credit_is_the_drop_in_probability():
    p = {**DEFAULTS, "engage_rate": 0.1, "decision_noise": 0.05}
    terms = np.array([[0.3], [0.1], [0.0]])  # programme, peers, regulation
    utility, threshold = np.array([0.6]), np.array([0.5])
    chance = engagement_chance(utility, threshold, 0.1, 0.05)
    credit = marginal_credit(chance, terms, utility, threshold, p)
    without_programme = engagement_chance(utility - 0.3, threshold, 0.1, 0.05)
    assert credit[0, Driver.PROGRAMME] == pytest.approx(1 - without_programme[0] / chance[0])
    assert credit[0, Driver.REGULATION] == 0.0  # a zero term carries nothing
    assert 0 < credit[0, Driver.PEERS] < credit[0, Driver.PROGRAMME]
    alone = engagement_chance(utility - 0.4, threshold, 0.1, 0.05)
    assert credit[0, Driver.INTRINSIC] == pytest.approx(alone[0] / chance[0])
    assert main_channel(credit)[0] == Driver.PROGRAMME


def test_a_positive_peer_term_is_not_credited_when_it_changes_nothing():
    """The old rule credited any positive peer term after support stopped ("largest term wins");
    a tiny peer term now gets a tiny credit, a park far above its threshold gets none."""
    p = {**DEFAULTS, "engage_rate": 0.1, "decision_noise": 0.05}
    terms = np.array([[0.0], [0.005], [0.0]])
    utility, threshold = np.array([1.5]), np.array([0.5])
    chance = engagement_chance(utility, threshold, 0.1, 0.05)
    credit = marginal_credit(chance, terms, utility, threshold, p)
    assert credit[0, Driver.PEERS] < 1e-6
    assert main_channel(credit)[0] == Driver.INTRINSIC


def test_park_graph_is_sparse_and_drawn_per_network_seed():
    data, p = national_data(), dict(DEFAULTS)
    graph = network_for(data, p)
    assert network_for(data, p) is graph  # cached per (data, parameters, network seed)
    assert 0.8 * p["ties_per_park"] <= graph.park_degree.mean() <= 1.1 * p["ties_per_park"]
    assert np.median(graph.park_degree) <= 12
    same = draw_park_graph(data, p)
    other = draw_park_graph(data, {**p, "network_seed": 1})
    assert (same.adjacency != graph.adjacency).nnz == 0  # the same seed: the same graph
    assert (other.adjacency != graph.adjacency).nnz > 0
    town = data.park_municipality
    rows, cols = graph.adjacency.nonzero()
    own = np.mean(town[rows] == town[cols])
    assert 0.4 <= own <= 0.7  # about `own_municipality_tie_share` of the ties stay at home


def test_mean_field_variant_remains_available():
    p = {**DEFAULTS, "network_model": "mean_field"}
    network = network_for(national_data(), p)
    assert not hasattr(network, "adjacency")
    assert np.median(network.park_degree) > 12  # dense: every park of the municipality


def test_the_model_runs_on_either_network():
    """The same run seed on the park graph and on the mean field: both run, and they differ
    (the network is part of the dynamics)."""
    from werklandschap import run
    from werklandschap.model.scenario import load_scenario

    scenario = load_scenario("baseline").with_params(after_horizon_months=0)
    graph = run(scenario, 1)
    mean_field = run(scenario.with_params(network_model="mean_field"), 1)
    assert graph.labelled[-1] > 0 and mean_field.labelled[-1] > 0
    assert not np.array_equal(graph.stage_counts, mean_field.stage_counts)
