"""The park interaction network (docs/ODD.md §7.2).

Two network models (`network_model`):

**"parks"** (default): a sparse, undirected park-level graph with about `ties_per_park` ties per
park, drawn once per `network_seed` (a structural uncertainty, separate from the run seed) by a
documented spatial process. The data hold no park coordinates and no organisation identities, so
the process works with what they have — each park's municipality and the municipality centroids:

- each park opens `ties_per_park / 2` ties (the other half arrives from the parks that tie to it,
  so the mean degree is about `ties_per_park`);
- a tie goes, with chance `own_municipality_tie_share`, to a random other park of its own
  municipality; with chance `cluster_tie_share`, to a random park of its *park-management
  cluster* — the regional service area of one commercial park-management organisation, taken as
  `N_MANAGEMENT_CLUSTERS` (35) groups of nearby municipalities (EVIDENCE: "~1,000 parks, ~35
  commercial park-management organisations"; the clusters are a k-means partition of the
  municipality centroids, seeded by the network seed); otherwise to a park of another
  municipality, chosen with chance proportional to its parks times exp(-d / `tie_decay_km`)
  (distance decay between centroids d);
- duplicate ties and self-ties are dropped; ties are binary (weight 1).

The peer share of park i is then the fraction of its own ties whose value is x (Watts 2002
threshold rule: complex contagion when the threshold needs several adopting neighbours).

**"mean_field"**: the former municipality-level network, kept as a variant for comparison: ties
(a) to every other park in the same municipality (weight 1) and (b) to every park in a
municipality whose centroid lies within `network_radius_km` (weight `between_municipality_weight`
* (1 - d / radius)). W[i, j] = A[m(i), m(j)], computed through the municipality matrix A.

Both networks are cached per (data, parameters, network seed) and make no draws from the run's
random number generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from werklandschap.model import seeds
from werklandschap.model.data import NationalData, national_data

EARTH_RADIUS_KM = 6371.0
N_MANAGEMENT_CLUSTERS = 35  # EVIDENCE: ~35 commercial park-management organisations
KMEANS_ROUNDS = 20


def centroid_distances_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Great-circle (haversine) distances between all pairs of points, in km."""
    lon, lat = np.radians(lon), np.radians(lat)
    dlon = lon[:, None] - lon[None, :]
    dlat = lat[:, None] - lat[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True, eq=False)
class ParkNetwork:
    """Municipality-level tie weights that define the mean-field network (see module docstring)."""

    ties: sp.csr_matrix  # A: municipality x municipality tie weights, symmetric
    self_weight: np.ndarray  # A[m, m] for each municipality
    park_municipality: np.ndarray  # m(i)
    park_degree: np.ndarray  # sum_j W[i, j]: weighted degree of each park
    inverse_degree: np.ndarray  # 1 / park_degree (0 for isolated parks)
    parks_per_town: np.ndarray  # parks in each municipality (float)

    def peer_share(self, x: np.ndarray, parks: np.ndarray | None = None) -> np.ndarray:
        """Weighted share of neighbours with value x (x in [0, 1] per park), for `parks` (all
        parks when None)."""
        per_town = np.bincount(self.park_municipality, weights=x, minlength=self.ties.shape[0])
        parks = np.arange(x.size) if parks is None else parks
        return self.share_from_towns(per_town, parks, own=x[parks])

    def share_from_towns(
        self, per_town: np.ndarray, parks: np.ndarray, own: np.ndarray | None = None
    ) -> np.ndarray:
        """`peer_share` from per-municipality totals of x; `own` is the parks' own x (None: 0)."""
        town = self.park_municipality[parks]
        numerator = (self.ties @ per_town)[town]
        if own is not None:
            numerator -= self.self_weight[town] * own
        return numerator * self.inverse_degree[parks]

    def neighbours(self, park: int) -> tuple[np.ndarray, np.ndarray]:
        """Explicit neighbours of one park and their tie weights (for inspection and tests)."""
        m = self.park_municipality
        row = self.ties.getrow(m[park])
        towns, weights = row.indices, row.data
        weight_of_town = np.zeros(self.ties.shape[0])
        weight_of_town[towns] = weights
        parks = np.flatnonzero(np.isin(m, towns))
        parks = parks[parks != park]
        return parks, weight_of_town[m[parks]]


@dataclass(frozen=True, eq=False)
class GraphNetwork:
    """A sparse park-level graph (binary, symmetric adjacency; see module docstring)."""

    adjacency: sp.csr_matrix  # parks x parks, 1 where two parks are tied
    park_degree: np.ndarray  # ties of each park
    inverse_degree: np.ndarray  # 1 / degree (0 for isolated parks)
    parks_per_town: np.ndarray  # parks in each municipality (float)

    def peer_share(self, x: np.ndarray, parks: np.ndarray | None = None) -> np.ndarray:
        """Fraction of each park's ties whose value is x (x in [0, 1] per park), for `parks`."""
        share = (self.adjacency @ x) * self.inverse_degree  # all parks: cheaper than row slices
        return share if parks is None else share[parks]

    def neighbour_count(self, x: np.ndarray, parks: np.ndarray | None = None) -> np.ndarray:
        """Number of neighbours with value x (Centola's count rule), for `parks`."""
        count = self.adjacency @ x
        return count if parks is None else count[parks]

    def neighbours(self, park: int) -> tuple[np.ndarray, np.ndarray]:
        """Neighbours of one park and their tie weights (all 1)."""
        row = self.adjacency.getrow(park)
        return row.indices.copy(), row.data.astype(float)

    @classmethod
    def from_edges(cls, n: int, edges: np.ndarray, towns: np.ndarray | None = None):
        """A graph over n parks from an (k, 2) array of undirected edges (self-ties dropped)."""
        edges = np.asarray(edges, np.int64).reshape(-1, 2)
        edges = edges[edges[:, 0] != edges[:, 1]]
        rows = np.concatenate([edges[:, 0], edges[:, 1]])
        cols = np.concatenate([edges[:, 1], edges[:, 0]])
        adjacency = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
        adjacency.data[:] = 1.0  # duplicate ties count once
        degree = np.asarray(adjacency.sum(axis=1)).ravel()
        inverse = np.divide(1.0, degree, out=np.zeros_like(degree), where=degree > 0)
        towns = np.zeros(n, np.int64) if towns is None else towns
        return cls(adjacency, degree, inverse, np.bincount(towns).astype(float))


def build_network(data: NationalData, radius_km: float, between_weight: float) -> ParkNetwork:
    """The mean-field network for the given radius (km) and between-municipality tie weight."""
    distance = centroid_distances_km(data.municipality_lon, data.municipality_lat)
    if radius_km > 0:
        near = np.clip(1.0 - distance / radius_km, 0.0, None) * between_weight
    else:
        near = np.zeros_like(distance)
    np.fill_diagonal(near, 1.0)
    ties = sp.csr_matrix(near)
    ties.eliminate_zeros()
    m = data.park_municipality
    parks_per_town = np.bincount(m, minlength=data.n_municipalities).astype(float)
    degree = np.maximum((ties @ parks_per_town)[m] - 1.0, 0.0)  # minus the self-tie (weight 1)
    inverse = np.divide(1.0, degree, out=np.zeros_like(degree), where=degree > 0)
    return ParkNetwork(
        ties=ties,
        self_weight=ties.diagonal(),
        park_municipality=m,
        park_degree=degree,
        inverse_degree=inverse,
        parks_per_town=parks_per_town,
    )


def management_clusters(data: NationalData, rng: np.random.Generator) -> np.ndarray:
    """Park-management cluster of each municipality: k-means (Lloyd, `KMEANS_ROUNDS` rounds) of
    the centroids into `N_MANAGEMENT_CLUSTERS` regional groups (fewer if there are fewer
    municipalities), started from randomly chosen municipalities."""
    points = np.column_stack([data.municipality_lon, data.municipality_lat])
    k = min(N_MANAGEMENT_CLUSTERS, len(points))
    centres = points[rng.choice(len(points), k, replace=False)]
    for _ in range(KMEANS_ROUNDS):
        label = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        for c in range(k):
            if np.any(label == c):
                centres[c] = points[label == c].mean(axis=0)
    return label


def _random_member(groups: np.ndarray, chosen: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each chosen group, a uniformly random park of that group (groups: group per park)."""
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=int(groups.max()) + 1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return order[starts[chosen] + (rng.random(chosen.size) * counts[chosen]).astype(np.int64)]


def draw_park_graph(data: NationalData, p: dict[str, Any]) -> GraphNetwork:
    """The park-level graph of one network seed (see module docstring)."""
    rng = seeds.network(p["network_seed"])
    town = data.park_municipality
    n, n_towns = town.size, data.n_municipalities
    parks_per_town = np.bincount(town, minlength=n_towns).astype(float)
    cluster = management_clusters(data, rng)[town]
    opened = max(1, round(p["ties_per_park"] / 2))
    source = np.repeat(np.arange(n), opened)
    kind = rng.random(source.size)
    own = kind < p["own_municipality_tie_share"]
    in_cluster = ~own & (kind < p["own_municipality_tie_share"] + p["cluster_tie_share"])
    far = ~own & ~in_cluster
    target = np.empty(source.size, np.int64)
    target[own] = _random_member(town, town[source[own]], rng)
    target[in_cluster] = _random_member(cluster, cluster[source[in_cluster]], rng)
    target[far] = _distance_decay_targets(data, source[far], parks_per_town, p, rng)
    return GraphNetwork.from_edges(n, np.column_stack([source, target]), town)


def _distance_decay_targets(
    data: NationalData,
    source: np.ndarray,
    parks_per_town: np.ndarray,
    p: dict[str, Any],
    rng: np.random.Generator,
) -> np.ndarray:
    """A park of another municipality for each source park: municipality n with chance
    proportional to parks(n) * exp(-d(m, n) / `tie_decay_km`), then a random park of it."""
    distance = centroid_distances_km(data.municipality_lon, data.municipality_lat)
    weight = parks_per_town[None, :] * np.exp(-distance / max(p["tie_decay_km"], 1e-9))
    np.fill_diagonal(weight, 0.0)
    cumulative = np.cumsum(weight, axis=1)
    town = data.park_municipality[source]
    total = cumulative[town, -1]
    u = rng.random(source.size) * total
    chosen = (cumulative[town] < u[:, None]).sum(axis=1)
    chosen = np.minimum(chosen, data.n_municipalities - 1)
    isolated = total <= 0  # a data set of one municipality: stay at home
    chosen[isolated] = town[isolated]
    return _random_member(data.park_municipality, chosen, rng)


GRAPH_KEYS = (
    "network_seed",
    "ties_per_park",
    "own_municipality_tie_share",
    "cluster_tie_share",
    "tie_decay_km",
)


@lru_cache(maxsize=32)
def _cached_graph(data: NationalData, key: tuple) -> GraphNetwork:
    return draw_park_graph(data, dict(zip(GRAPH_KEYS, key, strict=True)))


@lru_cache(maxsize=32)
def _cached_mean_field(data: NationalData, radius_km: float, between: float) -> ParkNetwork:
    return build_network(data, radius_km, between)


def network_for(data: NationalData, p: dict[str, Any]) -> ParkNetwork | GraphNetwork:
    """The network of `network_model`, cached per (data, its parameters, network seed)."""
    if p["network_model"] == "mean_field":
        radius, between = float(p["network_radius_km"]), float(p["between_municipality_weight"])
        return _cached_mean_field(data, radius, between)
    return _cached_graph(data, tuple(float(p[k]) for k in GRAPH_KEYS))


def shared_network(radius_km: float, between_weight: float) -> ParkNetwork:
    """The mean-field network of the shipped data, built once per (radius, weight) per process."""
    return _cached_mean_field(national_data(), float(radius_km), float(between_weight))
