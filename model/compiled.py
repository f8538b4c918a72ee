"""The compiled core: numba twins of the monthly rules, bit-identical to the numpy rules.

Every monthly rule keeps its readable numpy form (agents/park.py, agents/municipality.py); this
module holds a compiled *twin* of some of them and a registry, `TWINS` (rule name -> twin). The
month loop calls the twin where one is registered and the numpy rule otherwise
(`WerklandschapModel.twins`), so removing a twin from the registry leaves every result
bit-identical, only slower. Each twin has the numpy rule's signature and effects: it computes the
mechanism inputs (context arrays, per-park support and regulation terms) in numpy, on the Python
side, and passes them into a kernel as arrays, so a change of mechanism touches the Python side.

The fused month (model/compiled_fused.py, registered as "park_month") replaces the whole park
step on the park graph with one kernel that draws from the model's Generator directly; the
per-rule twins here and in model/compiled_parks.py run where it declines (the mean field) and
when it is removed from the registry. Government twins: model/compiled_government.py.

Random numbers (per-rule twins): a kernel never draws. Its twin draws the uniforms ahead into a
buffer with `model.rng.random(k)` — exactly k when the number of parks the rule concerns is known
before the rule (awareness, engagement), else an upper bound (the parks the rule looks at) — and the
kernel consumes them in park index order, as the numpy rule does, and returns how many it used; the
PCG64 stream is then moved back by the unused rest (`bit_generator.advance(used - drawn)`), so the
next draw, in Python or in a kernel, is the one the numpy path would make.

Arithmetic: no fastmath, the numpy expressions in the same order. One known difference: numpy's
`expm1` is a SIMD implementation that may differ from the C library's in the last bit; it enters
only the comparison `u < 1 - exp(-hazard)` with a uniform u, so a different decision needs u to
fall in a window of one ulp (about 1e-16 per draw): never seen in the bit-identity tests
(tests/test_compiled.py). `exp` (in the logistic) is the C library's on both paths.

The switch: compiled by default; `WERKLANDSCHAP_CORE=numpy` (or `WerklandschapModel(core=
"numpy")`) selects the numpy reference; without numba the numpy rules run, with no error.
Kernels are cached on disk (`cache=True`) in `NUMBA_CACHE_DIR`, set when unset to a folder of
the user's cache named by a digest of the kernels' sources (`kernel_digest`: numba checks only a
function's own file, so a changed callee or constant would otherwise run stale); a first run that
must compile prints one line to stderr (`warm_up`).
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from werklandschap.agents.decision import AWARE_VALUE, neighbour_share
from werklandschap.agents.park import (
    N_STAGES,
    MonthStart,
    ParkState,
    Role,
    Stage,
)
from werklandschap.model.network import GraphNetwork

if TYPE_CHECKING:
    from werklandschap.model.model import WerklandschapModel

#: Environment variable selecting the core: "compiled" (default) or "numpy".
CORE_ENV = "WERKLANDSCHAP_CORE"
CORES = ("compiled", "numpy")
#: Seconds a cold compile of all kernels takes here (58–65 s measured; the first-run notice).
COLD_COMPILE_SECONDS = 60
#: Months of the baseline that `warm_up` runs to compile every kernel.
WARM_UP_MONTHS = 40


def interrupted(error: BaseException) -> bool:
    """Whether `error` is a Ctrl-C that arrived inside compiled code: numba turns a
    KeyboardInterrupt raised while it runs Python (e.g. unpickling a kernel's constants) into a
    SystemError whose cause chain holds the KeyboardInterrupt."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


#: The sources a kernel compiles in: its own module, the kernels it calls (numba caches a caller
#: with its callees' code, keyed only by the caller's own file) and the constants it reads
#: (stages, roles, rates of agents/). Relative to the package root.
KERNEL_SOURCES = ("model/compiled*.py", "agents/*.py")
#: File that marks a cache folder as this project's (only such folders are ever pruned).
CACHE_MARKER = ".werklandschap-kernels"
#: Older kernel folders kept besides the current one (other checkouts, branches, versions),
#: and the days a folder must be unused before it may go.
CACHE_KEEP, CACHE_KEEP_DAYS = 4, 14


def kernel_digest(root: Path | None = None) -> str:
    """A digest of every source the kernels compile in (`KERNEL_SOURCES`): a change to any of
    them gives a new cache folder, so a kernel never runs with a stale copy of a callee or a
    constant (numba itself only checks each function's own file)."""
    root = root or Path(__file__).resolve().parent.parent  # the package root
    digest = hashlib.sha256()
    for pattern in KERNEL_SOURCES:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """The folder numba caches compiled kernels in: `NUMBA_CACHE_DIR` if set (used as it is),
    else the user's cache folder (`XDG_CACHE_HOME` or ~/.cache) / werklandschap / numba /
    `kernel_digest()`."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "werklandschap" / "numba" / kernel_digest()


def _prune(folder: Path) -> None:
    """Remove the oldest of this project's kernel folders beside `folder` (those with the
    marker), beyond the `CACHE_KEEP` newest and unused for `CACHE_KEEP_DAYS`."""
    try:
        marked = [p for p in folder.parent.iterdir() if p != folder and (p / CACHE_MARKER).exists()]
        marked.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        cutoff = time.time() - CACHE_KEEP_DAYS * 86400
        for old in marked[CACHE_KEEP:]:
            if old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    except OSError:  # another process pruned or is writing: nothing lost, try next time
        pass


def _import_numba() -> Any:
    """numba, with its cache pointed at a writable folder (None when numba is missing)."""
    if not os.environ.get("NUMBA_CACHE_DIR"):
        folder = cache_dir()
        try:
            fresh = not folder.is_dir()
            folder.mkdir(parents=True, exist_ok=True)
            (folder / CACHE_MARKER).touch()  # also marks it as used now
            writable = os.access(folder, os.W_OK)
            if fresh:
                _prune(folder)
        except OSError:
            writable = False
        if not writable:  # a read-only home: a per-user folder in the temporary directory
            user = getattr(os, "getuid", lambda: 0)()  # no getuid on Windows
            folder = Path(tempfile.gettempdir()) / f"werklandschap-numba-{user}" / kernel_digest()
        os.environ["NUMBA_CACHE_DIR"] = str(folder)
    try:
        import numba
    except ImportError:  # the numpy rules run instead
        return None
    return numba


numba = _import_numba()
HAVE_NUMBA = numba is not None


def _njit(function: Callable) -> Callable:
    """Compile with numba (cached, no fastmath); the plain function without numba."""
    return numba.njit(cache=True, fastmath=False, nogil=True)(function) if HAVE_NUMBA else function


def _inline(function: Callable) -> Callable:
    """`_njit` for a small helper called per park in a hot loop: inlined into its caller by
    numba (no call, so no reference counting of its array arguments per park)."""
    if not HAVE_NUMBA:
        return function
    return numba.njit(cache=True, fastmath=False, nogil=True, inline="always")(function)


@_inline
def _gap(u, log_q):
    """`agents.trials.gap`: the failures before the next success of Bernoulli trials at chance
    p, for a uniform u in [0, 1) and log_q = log1p(-p) (the same libm `log`: the same gaps)."""
    return math.floor(math.log(1.0 - u) / log_q)


# --- kernels (no draws, no allocation beyond their outputs) -------------------------------------
@_njit
def k_month_start(stage, town_offset, n_bins, n_stages):
    """Parks by stage in index order (= a stable argsort), the cut points and the stage counts
    per municipality (= bincount(town_offset + stage))."""
    n = stage.size
    counts = np.zeros(n_stages, np.int64)
    for i in range(n):
        counts[stage[i]] += 1
    cuts = np.cumsum(counts)
    fill = np.zeros(n_stages, np.int64)
    fill[1:] = cuts[:-1]
    by_stage = np.empty(n, np.int64)
    town = np.zeros(n_bins, np.int64)
    for i in range(n):
        st = stage[i]
        by_stage[fill[st]] = i
        fill[st] += 1
        town[town_offset[i] + st] += 1
    return by_stage, cuts, town


@_njit
def k_graph_share(parks, start, value, indptr, indices, weights, inverse_degree):
    """Share of each park's ties with `value` by stage at the start (= (A @ value[start]) *
    inverse_degree, row sums in index order as scipy's csr matvec)."""
    out = np.empty(parks.size)
    for j in range(parks.size):
        i = parks[j]
        total = 0.0
        for e in range(indptr[i], indptr[i + 1]):
            total += weights[e] * value[start[indices[e]]]
        out[j] = total * inverse_degree[i]
    return out


@_njit
def k_graph_halves(parks, start, halves, indptr, indices, inverse_degree):
    """The same share when every tie weighs 1 and every value is a multiple of 1/2: the sum of
    ties counted in halves (integers, exact in any order) equals the float sum bit for bit."""
    out = np.empty(parks.size)
    for j in range(parks.size):
        i = parks[j]
        count = 0
        for e in range(indptr[i], indptr[i + 1]):
            count += halves[start[indices[e]]]
        out[j] = (count * 0.5) * inverse_degree[i]
    return out


@_njit
def k_awareness(unaware, share, province, hazard_by_province, peer_rate, u, stage, aware_stage):
    """Rule 1: unaware park j becomes aware when u[j] < 1 - exp(-hazard); returns them."""
    hit = np.zeros(unaware.size, np.bool_)
    for j in range(unaware.size):
        i = unaware[j]
        hazard = hazard_by_province[province[i]] + peer_rate * share[j]
        if u[j] < -math.expm1(-hazard):
            hit[j] = True
            stage[i] = aware_stage
    return unaware[hit]


@_njit
def k_support_speed(coached, subsidised, programme, has_programme, speedup):
    """Supported (coached, subsidised or a programme role) and the speed factor 1 + speedup *
    supported of every park."""
    n = coached.size
    supported = np.empty(n, np.bool_)
    speed = np.empty(n)
    for i in range(n):
        supported[i] = coached[i] or subsidised[i] or (has_programme and programme[i])
        speed[i] = 1.0 + speedup * (1.0 if supported[i] else 0.0)
    return supported, speed


@_njit
def k_record(stage, province, n_stages, by_province, total):
    """Stage counts per province and nationally, written into the month's record rows."""
    by_province[:] = 0
    total[:] = 0
    for i in range(stage.size):
        by_province[province[i], stage[i]] += 1
        total[stage[i]] += 1


@_njit
def k_month_end(months_in_stage, stage, start):
    """Months in stage: +1, and 0 for parks whose stage changed this month."""
    for i in range(stage.size):
        months_in_stage[i] = 0 if stage[i] != start[i] else months_in_stage[i] + 1


@_njit
def k_coach_candidates(stage, finished_month, coached, town, capacity, engaged, transforming):
    """Coaching bookkeeping: free coaches of finished/stalled parks, restart over-full
    municipalities; returns (candidates in index order, free places per municipality)."""
    n = stage.size
    count = np.zeros(capacity.size, np.int64)
    waiting = np.empty(n, np.int64)  # parks that need a coach and have none (index order)
    k = 0
    for i in range(n):  # the month loop's `_scan` has the same body (a call per park is slow)
        st = stage[i]
        needs = (st == engaged or st == transforming) and finished_month[i] < 0  # noqa: SIM109
        coached[i] = coached[i] and needs
        if coached[i]:
            count[town[i]] += 1
        elif needs:
            waiting[k] = i
            k += 1
    return _coach_choose(coached, town, capacity, count, waiting, k)


@_njit
def _coach_choose(coached, town, capacity, count, waiting, k):
    """After the bookkeeping pass (`k_coach_candidates`): over-full municipalities start again
    (their parks wait too); returns (the waiting parks of municipalities with a free place, in index
    order, and the free places per municipality)."""
    over = count > capacity
    if over.any():  # rare
        for i in range(coached.size):
            if over[town[i]] and coached[i]:
                coached[i] = False
                waiting[k] = i
                k += 1
        waiting[:k].sort()
        for t in range(count.size):
            if over[t]:
                count[t] = 0
    free = capacity - count
    chosen = np.empty(k, np.int64)
    m = 0
    for j in range(k):
        if free[town[waiting[j]]] > 0:
            chosen[m] = waiting[j]
            m += 1
    return chosen[:m], free


@_njit
def k_coach_assign(candidates, town, programme, u, free, coached):
    """Coach the first `free` candidates of each municipality by priority (programme parks
    first, then the uniform): `rank_within_groups` with the keys town * 4 - priority, which are
    distinct, so any sort gives numpy's order."""
    k = candidates.size
    key = np.empty(k)
    for j in range(k):
        i = candidates[j]
        key[j] = town[i] * 4.0 - ((1.0 if programme[i] else 0.0) + u[j])
    order = np.argsort(key)
    first = 0
    for r in range(k):
        j = order[r]
        group = town[candidates[j]]
        if r > 0 and group != town[candidates[order[r - 1]]]:
            first = r
        if r - first < free[group]:
            coached[candidates[j]] = True


# --- twins (same signature and effects as the numpy rule) ----------------------------------------
def _uniforms(model: WerklandschapModel, k: int) -> np.ndarray:
    return model.rng.random(k)


def _give_back(model: WerklandschapModel, drawn: int, used: int) -> None:
    """Move the stream back by the uniforms drawn ahead but not used."""
    if used < drawn:
        model.rng.bit_generator.advance(used - drawn)


_UNIT_WEIGHTS: dict[int, tuple[GraphNetwork, bool]] = {}  # id(network) -> (network, all ties 1)
_HALVES: dict[bytes, np.ndarray | None] = {}  # value by stage -> 2 * value as integers, or None


def _unit_weights(network: GraphNetwork) -> bool:
    """Whether every tie of the (read-only, cached) network weighs 1, checked once per network."""
    known = _UNIT_WEIGHTS.get(id(network))
    if known is None or known[0] is not network:
        known = (network, bool((network.adjacency.data == 1.0).all()))
        _UNIT_WEIGHTS[id(network)] = known
    return known[1]


def _halves(value: np.ndarray) -> np.ndarray | None:
    """2 * value as integers when every value is a multiple of 1/2, else None."""
    key = value.tobytes()
    if key not in _HALVES:
        halves = 2.0 * value
        exact = (halves == np.round(halves)).all()
        _HALVES[key] = halves.astype(np.int64) if exact else None
    return _HALVES[key]


def _share(model: WerklandschapModel, m: MonthStart, value: np.ndarray, parks: np.ndarray):
    """Neighbour share (ODD §7.2): a kernel on the park graph, the numpy rule on the mean field."""
    network = model.network
    # the kernel re-expresses GraphNetwork.peer_share; any other share rule runs as numpy
    if isinstance(network, GraphNetwork) and type(network).peer_share is GraphNetwork.peer_share:
        a = network.adjacency
        halves = _halves(value) if _unit_weights(network) else None
        if halves is not None:
            return k_graph_halves(parks, m.stage, halves, a.indptr, a.indices,
                                  network.inverse_degree)  # fmt: skip
        return k_graph_share(parks, m.stage, value, a.indptr, a.indices, a.data,
                             network.inverse_degree)  # fmt: skip
    return neighbour_share(model, m, value, parks)


def month_start(model: WerklandschapModel, s: ParkState) -> MonthStart:
    """Twin of `park.month_start`."""
    start = s.stage.copy()
    by_stage, cuts, town = k_month_start(
        start, model.town_stage_offset, model.town_stage_bins, N_STAGES
    )
    c = cuts.tolist()
    return MonthStart(
        stage=start,
        unaware=by_stage[: c[0]],
        aware=by_stage[c[0] : c[1]],
        engaged=by_stage[c[1] : c[2]],
        transforming=by_stage[c[2] : c[3]],
        active=by_stage[c[1] : c[3]],
        town_stage=town.reshape(-1, N_STAGES),
        programme_parks=s.role != Role.REGULAR if model.context.programme_active else None,
    )


def awareness(model: WerklandschapModel, s: ParkState, m: MonthStart) -> None:
    """Twin of `park.awareness`: one uniform per unaware park."""
    share = _share(model, m, AWARE_VALUE, m.unaware)
    u = _uniforms(model, m.unaware.size)
    newly_aware = k_awareness(
        m.unaware, share, model.data.park_province, model.context.awareness_hazard,
        float(model.params["peer_awareness_rate"]), u, s.stage, int(Stage.AWARE),
    )  # fmt: skip
    m.aware = np.concatenate([m.aware, newly_aware])


def support_speed(model: WerklandschapModel, s: ParkState, m: MonthStart) -> np.ndarray:
    """Twin of `park.support_speed` (no draws)."""
    programme = m.programme_parks
    has_programme = programme is not None
    m.supported, speed = k_support_speed(
        s.coached, s.subsidised, programme if has_programme else s.coached, has_programme,
        float(model.params["coaching_speedup"]),
    )  # fmt: skip
    return speed


def record_stages(model: WerklandschapModel, row: int) -> None:
    """Twin of the stage counts of `WerklandschapModel._record` (no draws)."""
    k_record(
        model.park_state.stage, model.park_province, N_STAGES,
        model._province_stages[row], model._stage_counts[row],
    )  # fmt: skip


def month_end(model: WerklandschapModel, s: ParkState, m: MonthStart) -> None:
    """Twin of `park.month_end`."""
    k_month_end(s.months_in_stage, s.stage, m.stage)


def coach_parks(model: WerklandschapModel) -> None:
    """Twin of `municipality.coach_parks`: one uniform per candidate."""
    s, town = model.park_state, model.data.park_municipality
    candidates, free = k_coach_candidates(
        s.stage, s.finished_month, s.coached, town, model.coaching_capacity(),
        int(Stage.ENGAGED), int(Stage.TRANSFORMING),
    )  # fmt: skip
    if candidates.size:
        u = model.rng.random(candidates.size)
        k_coach_assign(candidates, town, s.role != Role.REGULAR, u, free, s.coached)


#: Rule name -> compiled twin. Delete an entry to run that rule's numpy form (same results).
#: Rules 2-6 (engagement, organisation, planning, transformation, stalling) are in
#: model/compiled_parks.py; the label and the permit events run as numpy.
from werklandschap.model import (  # noqa: E402  (they use the helpers above)
    compiled_fused,
    compiled_government,
    compiled_loop,
    compiled_parks,
    compiled_stream,  # noqa: F401  (`stream.random()` in the loop's kernels)
)

TWINS: dict[str, Callable] = {
    "month_loop": compiled_loop.run_months,
    "park_month": compiled_fused.park_month,
    "month_start": month_start,
    "awareness": awareness,
    **compiled_parks.TWINS,
    "support_speed": support_speed,
    "month_end": month_end,
    "coach_parks": coach_parks,
    **compiled_government.TWINS,
    "record_stages": record_stages,
}
#: Modules whose `k_*` kernels `warm_up` must have compiled.
KERNEL_MODULES = (
    sys.modules[__name__],
    compiled_parks,
    compiled_fused,
    compiled_government,
    compiled_loop,
)


def core_name(core: str | None = None) -> str:
    """The core to use: `core`, else `WERKLANDSCHAP_CORE`, else "compiled" ("numpy" when numba
    is missing). Raises ValueError naming a bad value."""
    name = (core or os.environ.get(CORE_ENV) or "compiled").strip().lower()
    if name not in CORES:
        raise ValueError(f"{CORE_ENV}/core must be one of {', '.join(CORES)}, not {name!r}")
    return name if HAVE_NUMBA else "numpy"


def twins_for(core: str | None = None) -> dict[str, Callable]:
    """The registry a model uses: `TWINS` on the compiled core, empty on the numpy core."""
    if core_name(core) == "numpy":
        return {}
    warm_up()
    return TWINS


_WARM = False


def _cached() -> bool:
    """Whether the kernels of every kernel module are in the cache folder already (a cache from
    an older version without one of the modules still compiles, so it gets the notice too)."""
    folder = cache_dir()
    if not folder.is_dir():
        return False
    names = (module.__name__.rsplit(".", 1)[-1] for module in KERNEL_MODULES)
    return all(any(folder.rglob(f"{name}.k_*.nbi")) for name in names)


def warm_up(quiet: bool = False) -> float:
    """Compile (or load from the cache) every kernel once in this process, by a short run of
    the compiled core (`WARM_UP_MONTHS`); returns the seconds it took (0 when already warm).
    A cold cache prints one line to stderr first, so a first run does not pause in silence."""
    global _WARM
    if _WARM or not HAVE_NUMBA:
        return 0.0
    _WARM = True  # before the run below, which asks for the twins again
    if not quiet and not _cached():
        print(
            f"compiling the model core (first run only, ~{COLD_COMPILE_SECONDS} s)...",
            file=sys.stderr,
            flush=True,
        )
    from werklandschap.model.model import WerklandschapModel

    started = time.perf_counter()
    # 40 months reach every kernel (coaching, planning, stalling, the label) with the types
    # every scenario uses (tests/test_compiled.py checks that no scenario compiles more).
    # The park graph runs the fused month; the mean field runs the per-rule twins.
    # The month loop (model/compiled_loop.py) runs the batch path: one more short run.
    for network in ("graph", "mean_field", "loop"):
        options = {"network_model": network} if network == "mean_field" else {}
        model = WerklandschapModel("baseline", rng=0, park_agents=False, collect=False, **options)
        if network == "loop":
            model._run_months(WARM_UP_MONTHS)
        else:
            model.run_for(WARM_UP_MONTHS)
    return time.perf_counter() - started
