"""The seed-matched twin of the self-sustaining test (docs/ODD.md §7.9).

At the end of support a run is forked: a deep copy of the model — park state, records and the
random number generator, so both continue from the same state with the same draws — in which
every peer channel is switched off from then on. `WerklandschapModel.run_to_end` runs the twin to
the end and keeps its labelled parks per month; `RunResult.twin_test` compares.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel

TWIN_MIN_MONTHS = 24  # after-support months the test needs (two 12-month windows)
#: The parameters that carry peer influence; all 0 in the no-peers twin.
PEER_CHANNELS = (
    "peer_weight",
    "ambassador_reach",
    "national_visibility",
    "peer_awareness_rate",
    "national_awareness_rate",
)


def fork_without_peers(model: WerklandschapModel) -> WerklandschapModel:
    """A deep copy of `model` (state and random number generator: seed-matched) in which every
    peer channel is off from now on: local ties, showcase and national visibility in engagement,
    neighbours and the national share in awareness. Data, network and scenario are read-only and
    shared, not copied."""
    shared = {id(x): x for x in (model.data, model.network, model.settings)}
    twin = copy.deepcopy(model, memo=shared)
    twin.params.update(dict.fromkeys(PEER_CHANNELS, 0.0))
    twin.datacollector = None
    return twin
