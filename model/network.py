"""The park interaction network.

Parks influence each other through ties (a) to every other park in the same municipality (weight
1) and (b) to every park in a municipality whose centroid lies within `radius_km` (weight
`between_weight * (1 - d / radius_km)`). Because every tie weight depends only on the two parks'
municipalities, the park-level matrix is W[i, j] = A[m(i), m(j)] for i != j, with A a sparse
municipality-level matrix. The peer share of park i is

    share_i = sum_j W[i, j] x_j / sum_j W[i, j]

which we compute through A in O(municipality ties) instead of O(park ties):
numerator = (A @ bincount(m, x))[m(i)] - A[m(i), m(i)] x_i  (the second term removes the self-tie).

Province-level influence (ambassadors) and national visibility are added by the park step, not
here. The network is deterministic (no random draws) and cached per (data, radius, weight).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from werklandschap.model.data import NationalData, national_data

EARTH_RADIUS_KM = 6371.0


def centroid_distances_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Great-circle (haversine) distances between all pairs of points, in km."""
    lon, lat = np.radians(lon), np.radians(lat)
    dlon = lon[:, None] - lon[None, :]
    dlat = lat[:, None] - lat[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True, eq=False)
class ParkNetwork:
    """Municipality-level tie weights that define the park network (see module docstring)."""

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


def build_network(data: NationalData, radius_km: float, between_weight: float) -> ParkNetwork:
    """Build the park network for the given radius (km) and between-municipality tie weight."""
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


@lru_cache(maxsize=32)
def shared_network(radius_km: float, between_weight: float) -> ParkNetwork:
    """The network of the shipped data, built once per (radius, weight) per process."""
    return build_network(national_data(), float(radius_km), float(between_weight))
