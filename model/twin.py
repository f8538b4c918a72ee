"""The seed-matched twin of the self-sustaining test (docs/ODD.md §7.9).

At the end of support a run is forked: a deep copy of the model — park state, records and the
random number generator, so both continue from the same state with the same draws — in which
every peer channel is switched off from then on. `WerklandschapModel.run_to_end` runs the twin to
the end and keeps its labelled parks per month; `RunResult.twin_test` compares.
"""

from __future__ import annotations

import copy
import dataclasses
import random
import types
from typing import TYPE_CHECKING, Any

import numpy as np

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
    twin = copy.deepcopy(model, memo={**shared, **_quick_copies(model)})
    twin.params.update(dict.fromkeys(PEER_CHANNELS, 0.0))
    twin.datacollector = None
    return twin


#: numpy's bit generators, whose state (a dict of ints) is all there is to copy.
_BIT_GENERATORS = (np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937, np.random.Philox,
                   np.random.SFC64)  # fmt: skip
_ATOMS = (int, float, str, bool, type(None))
_ANY_SEED = np.random.SeedSequence(0)


def _quick_copies(model: WerklandschapModel) -> dict[int, Any]:
    """Copies, by id of the original, of the parts `copy.deepcopy` copies slowly (item by item
    through pickling's protocol: most of a fork's time), made directly and equal to what it makes:
    the compiled twins (a dict of functions: a shallow copy), the parameters (a flat dict of
    numbers and names: a shallow copy), Mesa's `random.Random` (its state), the numpy Generator
    (its bit generator's state, the buffered 32-bit half included) and the park state (an array
    copy per attribute, in the memo too). Anything of another shape is left to deepcopy."""
    # static arrays derived from the data (never written): shared like the data
    quick: dict[int, Any] = {id(a): a for a in _static_arrays(model)}
    if all(type(v) is types.FunctionType for v in model.twins.values()):
        quick[id(model.twins)] = dict(model.twins)  # functions: deepcopy keeps them as they are
    if all(type(v) in _ATOMS for v in model.params.values()):
        quick[id(model.params)] = dict(model.params)
    if type(model.random) is random.Random:
        twin_random = random.Random.__new__(random.Random)  # unseeded: the state follows
        twin_random.setstate(model.random.getstate())
        quick[id(model.random)] = twin_random
    bit_generator = model.rng.bit_generator
    if type(model.rng) is np.random.Generator and type(bit_generator) in _BIT_GENERATORS:
        twin_bits = type(bit_generator)(_ANY_SEED)  # a quick seeding: the state follows
        twin_bits.state = bit_generator.state
        quick[id(model.rng)] = np.random.Generator(twin_bits)
        quick[id(bit_generator)] = twin_bits
    state = model.park_state
    names = [f.name for f in dataclasses.fields(state)]
    arrays = [getattr(state, name) for name in names]
    if vars(state).keys() == set(names) and all(type(a) is np.ndarray for a in arrays):
        copies = {name: a.copy(order="K") for name, a in zip(names, arrays, strict=True)}
        quick[id(state)] = type(state)(**copies)
        # an array shared with another part of the model stays shared in the twin, as in deepcopy
        quick.update((id(a), copies[name]) for name, a in zip(names, arrays, strict=True))
    return quick


def _static_arrays(model: WerklandschapModel) -> tuple[np.ndarray, ...]:
    """The model's park-to-province map and the stage-count offsets: read-only by use."""
    return tuple(getattr(model, name) for name in _STATIC if hasattr(model, name))


_STATIC = ("park_province", "_province_offset", "town_stage_offset")
