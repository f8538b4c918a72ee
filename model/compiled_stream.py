"""numpy's PCG64 stream inside compiled code, without the Generator: `stream.random()`.

The month loop (model/compiled_loop.py) draws some 7,000 uniforms a month. numba's
`Generator.random()` calls the bit generator through a function pointer (~6 ns a draw) and its
argument costs a `typeof` per call (~10 µs). Here the PCG64 state is copied into a small uint64
array (`stream_of`), the kernels step it themselves (`random`: the 128-bit LCG step as one LLVM
128-bit multiply-add, the XSL-RR output, `(x >> 11) * 2**-53`, exactly numpy's
`pcg64_next64` and `next_double`; ~2 ns), and the state is written back after the call
(`stream_back`). The kernels are unchanged: they call `rng.random()`, and numba compiles them
for a Generator (the per-month twins) and for a stream array (the loop) alike.

`random` is a method on 1-d uint64 arrays (numba `overload_method`); the layout is
[state >> 64, state & (2**64 - 1), inc >> 64, inc & (2**64 - 1)]. Only PCG64 (numpy's default)
is streamed; `stream_of` returns None for any other bit generator (the loop then declines).
tests/test_compiled.py checks the draws against numpy's.
"""

from __future__ import annotations

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
            high, low = _step(stream[0], stream[1], stream[2], stream[3])
            stream[0], stream[1] = high, low
            rotation = high >> np.uint64(58)
            x = high ^ low
            out = (x >> rotation) | (x << ((np.uint64(64) - rotation) & np.uint64(63)))
            return (out >> np.uint64(11)) * (1.0 / 9007199254740992.0)

        return impl


def stream_of(rng: np.random.Generator) -> np.ndarray | None:
    """The PCG64 state of `rng` as a stream array (None for another bit generator)."""
    state = rng.bit_generator.state
    if state.get("bit_generator") != "PCG64":
        return None
    s, inc = state["state"]["state"], state["state"]["inc"]
    return np.array([s >> 64, s & LOW, inc >> 64, inc & LOW], np.uint64)


def stream_back(rng: np.random.Generator, stream: np.ndarray) -> None:
    """Write the stream's state back into `rng` (its buffered 32-bit half is kept)."""
    state = rng.bit_generator.state
    state["state"]["state"] = (int(stream[0]) << 64) | int(stream[1])
    rng.bit_generator.state = state
