"""How a park decides to engage and what carried its decision (docs/ODD.md §7.2, §7.4).

- `neighbour_share`: the share of a park's own ties in a stage (park graph or mean field);
- `engagement_chance`: rate * logistic((U - threshold) / noise), near-deterministic for a small
  noise (Watts 2002);
- `marginal_credit`: attribution of each engagement to programme, peers and regulation by the
  drop in its probability when the channel is removed, never "largest term wins";
- `main_channel`: the per-park display label derived from the credits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit as sigmoid  # 1 / (1 + exp(-x)), without overflow

if TYPE_CHECKING:
    from werklandschap.agents.park import MonthStart
    from werklandschap.model.model import WerklandschapModel


AWARE_VALUE = np.array([0.0, 1.0, 1.0, 1.0, 1.0])  # by stage: aware or further along
ADOPTING_VALUE = np.array([0.0, 0.0, 0.0, 0.5, 1.0])  # by stage: visible adoption


def engagement_chance(
    utility: np.ndarray, threshold: np.ndarray, rate: float, noise: float
) -> np.ndarray:
    """Monthly engagement probability rate * logistic((U - theta) / noise) (docs/ODD.md §7.4);
    a small noise makes it a near-deterministic threshold rule (Watts 2002)."""
    return rate * sigmoid((utility - threshold) / noise)


def marginal_credit(
    chance: np.ndarray, terms: np.ndarray, utility: np.ndarray, threshold: np.ndarray, p: dict
) -> np.ndarray:
    """Attribution by marginal effect (docs/ODD.md §7.4) for engagements with probability
    `chance`; `terms` (3, n) are the programme, peer and regulation utility terms.

    With the same uniform draw u, the park engaged because u < chance; without channel k it
    would have engaged only if u < chance_k. So the share of its engagement that channel k
    carried is (chance - chance_k) / chance, the expected drop when k is removed; the intrinsic
    share is chance_none / chance (it would have engaged with all three removed). The shares need
    not sum to 1 (channels interact). Returns (n, N_DRIVERS) credits, column = Driver.
    """
    from werklandschap.agents.park import CHANNELS, N_DRIVERS, Driver  # park imports this module

    credit = np.zeros((chance.size, N_DRIVERS))
    rate, noise = p["engage_rate"], p["decision_noise"]
    for k, driver in enumerate(CHANNELS):
        without = engagement_chance(utility - terms[k], threshold, rate, noise)
        credit[:, driver] = np.clip(1.0 - without / chance, 0.0, 1.0)
    alone = engagement_chance(utility - terms.sum(axis=0), threshold, rate, noise)
    credit[:, Driver.INTRINSIC] = np.clip(alone / chance, 0.0, 1.0)
    return credit


def main_channel(credit: np.ndarray) -> np.ndarray:
    """Per-park label of an engagement: the channel with the largest marginal credit (intrinsic
    when the park would most likely have engaged without any channel). A display label only:
    the outcomes use the credits themselves."""
    from werklandschap.agents.park import Driver

    return credit[:, Driver.INTRINSIC :].argmax(axis=1).astype(np.int8) + Driver.INTRINSIC


def neighbour_share(model: WerklandschapModel, m: MonthStart, value: np.ndarray, parks):
    """Share of each park's ties whose stage at the start of the month has `value` (by stage),
    on the park graph or through the municipality mean field (docs/ODD.md §7.2)."""
    network = model.network
    if hasattr(network, "adjacency"):
        return network.peer_share(value[m.stage], parks)
    return network.share_from_towns(m.town_stage @ value, parks)
