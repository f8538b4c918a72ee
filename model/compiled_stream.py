"""numpy's PCG64 stream inside compiled code, without the Generator: `stream.random()`.

The month loop (model/compiled_loop.py) draws some 7,000 uniforms a month. numba's
`Generator.random()` calls the bit generator through a function pointer (~6 ns a draw) and its
argument costs a `typeof` per call (~10 µs). Here the kernels step the PCG64 state themselves
(`random`: the 128-bit LCG step as one LLVM 128-bit multiply-add, the XSL-RR output,
`(x >> 11) * 2**-53`, exactly numpy's `pcg64_next64` and `next_double`; ~2 ns) on a small
uint64 array, the *stream* (`stream_of`). The kernels are unchanged: they call `rng.random()`,
and numba compiles them for a Generator (the per-month twins) and for a stream (the loop) alike.

`random` is a method on 1-d uint64 arrays (numba `overload_method`); the layout is
[state & (2**64 - 1), state >> 64, inc & (2**64 - 1), inc >> 64], the memory of numpy's own
`pcg64_random_t` where the C compiler has a native 128-bit integer (little-endian x86-64 and
ARM64 builds). There the stream is a view of the Generator's state (no copy in or out: reading
and setting `bit_generator.state` cost ~40 µs per kernel call); the layout is checked against
`bit_generator.state` once per process, and anywhere else the state is copied into a stream and
written back (`stream_back`, a no-op on a view). Only PCG64 (numpy's default) is streamed;
`stream_of` returns None for any other bit generator (the loop then declines).
tests/test_compiled.py checks the draws against numpy's, on a view and on a copy.
"""

from __future__ import annotations

import ctypes

import numpy as np

from werklandschap.model.compiled import HAVE_NUMBA

#: numpy's PCG64 multiplier (PCG_DEFAULT_MULTIPLIER_128).
MULTIPLIER = (2549297995355413924 << 64) | 4865540595714422341
LOW = (1 << 64) - 1

if HAVE_NUMBA:
    from llvmlite import ir
    from numba.core import types
    from numba.extending import intrinsic, overload_method

    @intrinsic
    def _step(typingctx, high, low, inc_high, inc_low):
        """state * MULTIPLIER + inc (mod 2**128) on the halves; returns the new halves."""
        signature = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64, types.uint64,
                                                    types.uint64)  # fmt: skip

        def codegen(context, builder, sig, args):
            wide = ir.IntType(128)
            shift = ir.Constant(wide, 64)

            def join(h, lo):
                return builder.or_(builder.shl(builder.zext(h, wide), shift),
                                   builder.zext(lo, wide))  # fmt: skip

            state = builder.mul(join(args[0], args[1]), ir.Constant(wide, MULTIPLIER))
            state = builder.add(state, join(args[2], args[3]))
            new_high = builder.trunc(builder.lshr(state, shift), ir.IntType(64))
            new_low = builder.trunc(state, ir.IntType(64))
            return context.make_tuple(builder, sig.return_type, (new_high, new_low))

        return signature, codegen

    @overload_method(types.Array, "random")
    def _random(stream):
        """`stream.random()`: one uniform on [0, 1), numpy's PCG64 `next_double`."""
        if not (stream.dtype == types.uint64 and stream.ndim == 1):
            return None

        def impl(stream):
            high, low = _step(stream[1], stream[0], stream[3], stream[2])
            stream[0], stream[1] = low, high
            rotation = high >> np.uint64(58)
            x = high ^ low
            out = (x >> rotation) | (x << ((np.uint64(64) - rotation) & np.uint64(63)))
            return (out >> np.uint64(11)) * (1.0 / 9007199254740992.0)

        return impl


def stream_of(rng: np.random.Generator) -> np.ndarray | None:
    """The PCG64 state of `rng` as a stream: a view of the Generator's own state where numpy's
    layout is the stream's, else a copy (None for another bit generator)."""
    bit_generator = rng.bit_generator
    if type(bit_generator) is not np.random.PCG64:
        return None
    if _VIEWS_WORK[0] is None:  # once per process: is numpy's state memory the stream's layout?
        _VIEWS_WORK[0] = bool(np.array_equal(_view(bit_generator), _copy(bit_generator)))
    return _view(bit_generator) if _VIEWS_WORK[0] else _copy(bit_generator)


def stream_back(rng: np.random.Generator, stream: np.ndarray) -> None:
    """Write the stream's state back into `rng` (nothing to do for a view; a copy's state is
    set, its buffered 32-bit half kept)."""
    if not stream.flags.owndata:  # a view (`_view`): the kernel stepped numpy's own state
        return
    state = rng.bit_generator.state
    state["state"]["state"] = (int(stream[1]) << 64) | int(stream[0])
    rng.bit_generator.state = state


_VIEWS_WORK: list[bool | None] = [None]  # whether `_view` is numpy's state (checked once)


def _view(bit_generator: np.random.PCG64) -> np.ndarray:
    """The four words at numpy's `pcg64_random_t` (the first field of the `pcg64_state` whose
    address `ctypes.state_address` gives), as a writeable uint64 array over that memory. The
    array keeps the bit generator alive (through the ctypes buffer it views), so the memory
    cannot be freed under it."""
    address = ctypes.c_void_p.from_address(bit_generator.ctypes.state_address).value
    words = (ctypes.c_uint64 * 4).from_address(address)
    words.owner = bit_generator
    return np.ctypeslib.as_array(words)


def _copy(bit_generator: np.random.PCG64) -> np.ndarray:
    """The state in the stream's layout, from `bit_generator.state`."""
    state = bit_generator.state["state"]
    s, inc = state["state"], state["inc"]
    return np.array([s & LOW, s >> 64, inc & LOW, inc >> 64], np.uint64)
