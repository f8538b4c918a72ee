"""Run tasks serially, in a local process pool or on a Dask cluster; same results on each.

An *evaluate* function maps a `Task` to a dict of outcomes (numbers) and optionally the key
"labelled" (an int array, one entry per month). The default, `model_evaluate`, is the model's
`run(scenario, seed)`; tests inject other functions (e.g. Ishigami). Evaluate functions must be
module-level (picklable) for the process pool.

The local pool is fed in *chunks* (`chunk_size` tasks per submitted future, `run_chunk`), so
the cost of pickling and scheduling per future is spread over several runs, and its workers are
*warm*: the forkserver (and, should it have started cold, each worker's initializer) imports the
model, loads the data, builds the default network and loads the compiled core (model/compiled.py)
before the first task, so the workers it forks start ready; the parent has compiled the core once
already (the experiment's pilot run; `warm_up`), so no worker compiles. The pool is started
once and *reused*: a call that ran to its end gives it back for the next call with the same
worker count and warmth (`acquire_pool`, `start_pool`), one that was interrupted or failed
shuts it down, and it is shut down at interpreter exit (`shutdown_pool`).

`execute` yields one record per finished task, in completion order:
{"run_id", "status" ("ok"/"error"), "error" (text or None), "outcomes" (dict), "labelled"
(array or None), "seconds"}. A task that raises becomes an "error" record; nothing stops the rest.
Results depend only on the task (its seed and parameters), never on the executor or worker count.

Pool processes die with their parent, so a `kill -9` of an experiment leaves no orphans that
hold its pipes open: each worker watches its parent (a thread polling `os.getppid()`, and on
Linux a parent-death signal, `prctl(PR_SET_PDEATHSIG)`), and the forkserver gets the
parent-death signal too (set when it imports this module, see `_guard_forkserver`). Workers
ignore Ctrl-C: the parent handles it, keeps the journal and shuts the pool down.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import batched
from typing import Any

import numpy as np

from werklandschap.experiments.design import Task
from werklandschap.experiments.outcomes import KEPT

Evaluate = Callable[[Task], dict[str, Any]]
Record = dict[str, Any]

#: Summary outcomes kept per run (declared in model/outcome_spec.py).
OUTCOMES = KEPT
#: Chunks kept in flight per worker (bounds memory for large designs).
IN_FLIGHT_PER_WORKER = 4
#: Most tasks in one chunk: a chunk of the model's runs takes about a second, so an interrupted
#: experiment waits at most that long and the last chunks still spread over the workers.
MAX_CHUNK = 8
#: Seconds between a worker's checks that its parent is still alive.
WATCHDOG_SECONDS = 0.5
#: Environment variable naming the pid of the process that owns the pool (read by the
#: forkserver, which inherits it, to know whose death it must not outlive).
POOL_PARENT_ENV = "WERKLANDSCHAP_POOL_PARENT"
#: Environment variable asking the forkserver to prepare for model runs (`warm_model`) when it
#: starts, so that every worker it forks starts warm (modules, data, network, compiled core).
POOL_WARM_ENV = "WERKLANDSCHAP_POOL_WARM"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def model_evaluate(task: Task) -> dict[str, Any]:
    """Run the model once: `run(scenario, seed)` -> summary outcomes and the labelled series."""
    from werklandschap.model.model import run

    result = run(task.scenario, task.seed)
    summary = result.summary()
    out: dict[str, Any] = {k: float(summary[k]) for k in OUTCOMES}
    out["months"] = float(result.months)
    out["labelled"] = np.asarray(result.labelled, dtype=np.int32)
    return out


def run_task(evaluate: Evaluate, task: Task) -> Record:
    """Evaluate one task; an exception becomes an error record (with its type and message)."""
    started = time.perf_counter()
    try:
        outcomes = dict(evaluate(task))
        labelled = outcomes.pop("labelled", None)
        status, error = "ok", None
    except Exception as exc:  # recorded, never raised: one bad run must not stop the experiment
        outcomes, labelled, status = {}, None, "error"
        last = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" ({last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
        error = f"{type(exc).__name__}: {exc}{where}"
    return {
        "run_id": task.run_id,
        "status": status,
        "error": error,
        "outcomes": outcomes,
        "labelled": labelled,
        "seconds": time.perf_counter() - started,
    }


def run_chunk(evaluate: Evaluate, tasks: tuple[Task, ...]) -> list[Record]:
    """Evaluate several tasks in one worker call (one record per task, in task order)."""
    return [run_task(evaluate, task) for task in tasks]


def chunk_size(n_tasks: int, workers: int) -> int:
    """Tasks per chunk: at most `MAX_CHUNK`, and small enough that every worker gets about 8
    chunks, so the load stays balanced to the end (1 for small designs)."""
    return max(1, min(MAX_CHUNK, n_tasks // (8 * max(1, workers))))


def warm_model() -> float:
    """Prepare this process for model runs: import the model, load the data, build the default
    network and load the compiled core (from its cache). Returns the seconds it took."""
    started = time.perf_counter()
    from werklandschap.model import compiled
    from werklandschap.model.model import WerklandschapModel

    if not compiled.warm_up(quiet=True):  # warm already (or no numba): still load the data
        WerklandschapModel("baseline", rng=0, park_agents=False, collect=False)
    return time.perf_counter() - started


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel SIGKILL this process when its parent dies.

    `parent` is the pid expected as parent: if it is already gone (reparented) we exit now,
    since the signal only covers deaths after the call.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watchdog remains
            pass
    if os.getppid() != parent:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    """Exit the process as soon as its parent is gone (it was reparented)."""
    while True:
        time.sleep(WATCHDOG_SECONDS)
        if os.getppid() != parent:
            os._exit(1)  # no cleanup: nobody is left to receive a result


def _guard_forkserver() -> None:
    """In the forkserver of our pool (it imports this module as a preload): die with the
    process that owns the pool. The forkserver forks the workers, so it gets no thread, only the
    parent-death signal; it is started by the pool owner, whose pid it inherits in the env."""
    owner = os.environ.get(POOL_PARENT_ENV)
    if (
        owner == str(os.getppid())
        and "multiprocessing.forkserver" in sys.modules
        and mp.parent_process() is None
    ):
        _die_with_parent(int(owner))
        if os.environ.get(POOL_WARM_ENV) == "1":
            with contextlib.suppress(Exception):  # a cold forkserver still serves
                warm_model()


def _worker_init(warm: bool = False) -> None:
    """Pool-worker initializer: die with the parent, ignore Ctrl-C, single-threaded BLAS; with
    `warm`, prepare for model runs (`warm_model`) before the first task arrives."""
    parent = os.getppid()
    _die_with_parent(parent)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    # Ctrl-C reaches the whole process group; the parent handles it (keeps the journal).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _single_threaded()
    if warm:
        warm_model()


def _single_threaded() -> None:
    """Pool-worker initializer: one BLAS/OpenMP thread per process (2 cores, 2 workers)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits

        global _LIMITS
        _LIMITS = threadpool_limits(limits=1)
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn/EMA only
        pass


_LIMITS = None


def default_workers() -> int:
    """Worker processes for the local pool: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def serial(tasks: Iterable[Task], evaluate: Evaluate) -> Iterator[Record]:
    for task in tasks:
        yield run_task(evaluate, task)


def make_pool(workers: int, warm: bool = False) -> ProcessPoolExecutor:
    """The project's local process pool: forkserver (safe with threads; single-threaded BLAS in
    workers), workers that die with their parent, and with `warm` workers (and the forkserver)
    that load the model, its data and the compiled core before their first task."""
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    context = mp.get_context(method)
    if method == "forkserver":
        # The parent-death signal fires when the *thread* that started the forkserver ends, so
        # the forkserver is tied to us only when the main thread starts it.
        main = threading.current_thread() is threading.main_thread()
        os.environ[POOL_PARENT_ENV] = str(os.getpid()) if main else ""
        os.environ[POOL_WARM_ENV] = "1" if warm else ""
        # Takes effect when the forkserver starts (once per process); __main__ stays preloaded
        # so evaluate functions of a script still unpickle in the workers.
        context.set_forkserver_preload(["__main__", __name__])
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_init, initargs=(warm,)
    )


# --- the shared pool: started once, reused by successive `execute` calls -------------------
#
# Starting a pool (forkserver, imports, data, loading the compiled core in each worker) costs
# about 2 s, as much as a hundred runs. The pool a call has finished with is kept for the next
# call with the same key; a call that is interrupted or fails shuts its pool down instead, so
# the next call starts a fresh one. At most one pool is kept, and it is taken out while a call
# uses it (two calls at once, e.g. from two threads or nested, never share workers).
#
# The key is what the workers were started with: the owning process (a forked child must not
# use, nor shut down, its parent's pool), the worker count and `warm`. The evaluate function is
# not part of it: it is pickled with every chunk, so any module-level function runs on any pool.

_shared_lock = threading.Lock()
_shared: dict[tuple[int, int, bool], ProcessPoolExecutor] = {}


def _pool_key(workers: int, warm: bool) -> tuple[int, int, bool]:
    return (os.getpid(), int(workers), bool(warm))


def _usable(pool: ProcessPoolExecutor) -> bool:
    """False when the pool was shut down or broke, or one of its workers is gone (killed while
    idle, before the pool noticed): it cannot run tasks."""
    if getattr(pool, "_broken", False) or getattr(pool, "_shutdown_thread", False):
        return False
    processes = getattr(pool, "_processes", None) or {}
    return all(process.is_alive() for process in list(processes.values()))


def acquire_pool(workers: int, warm: bool = False) -> ProcessPoolExecutor:
    """The shared pool for (`workers`, `warm`), taken out for the caller's exclusive use, or a
    new one (`make_pool`). Give it back with `release_pool`, or shut it down if the work failed.
    A kept pool with another key is shut down first: idle workers hold memory (a few hundred MB
    each)."""
    return _acquire(workers, warm)[0]


def _acquire(workers: int, warm: bool) -> tuple[ProcessPoolExecutor, bool]:
    """`acquire_pool`, and whether the pool is a kept one (reused) rather than new."""
    key = _pool_key(workers, warm)
    with _shared_lock:
        pool = _shared.pop(key, None)
        stale = list(_shared.items())
        _shared.clear()
    for (pid, _, _), other in stale:
        if pid == os.getpid():  # never touch a pool of the process we were forked from
            other.shutdown(wait=True)
    if pool is not None and _usable(pool):
        return pool, True
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
    return make_pool(workers, warm), False


def release_pool(pool: ProcessPoolExecutor, workers: int, warm: bool = False) -> None:
    """Keep `pool` (idle, usable) for the next `acquire_pool` with the same key; shut it down if
    it broke or another pool is kept already."""
    key = _pool_key(workers, warm)
    with _shared_lock:
        keep = _usable(pool) and not _shared
        if keep:
            _shared[key] = pool
    if not keep:
        pool.shutdown(wait=True, cancel_futures=True)


def shutdown_pool() -> None:
    """Shut the kept pool down (its workers exit); the next pooled `execute` starts a new one.
    Registered to run at interpreter exit."""
    with _shared_lock:
        pools = [pool for (pid, _, _), pool in _shared.items() if pid == os.getpid()]
        _shared.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


def kept_pool() -> ProcessPoolExecutor | None:
    """The pool kept for the next call, if any (for tests and the bench)."""
    with _shared_lock:
        return next((p for (pid, _, _), p in _shared.items() if pid == os.getpid()), None)


def _forget_pools_in_child() -> None:
    # A forked child inherits the kept pool's object but not its workers (they are its parent's
    # children), and the lock possibly held by another thread at the fork: start afresh.
    global _shared_lock
    _shared_lock = threading.Lock()
    _shared.clear()


os.register_at_fork(after_in_child=_forget_pools_in_child)
atexit.register(shutdown_pool)


def _worker_pid(pause: float) -> int:
    time.sleep(pause)
    return os.getpid()


def start_pool(workers: int, warm: bool = True, timeout: float = 300.0) -> float:
    """Start (or reuse) the shared pool and wait until each of its `workers` processes has run a
    task, i.e. has started and finished its initializer (warm: the model loaded). Returns the
    wall seconds it took (near 0 for a pool kept from an earlier call)."""
    started = time.perf_counter()
    pool = acquire_pool(workers, warm)
    ok = False
    try:
        seen: set[int] = set()
        while len(seen) < workers:
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"the pool's {workers} workers did not start in {timeout} s")
            # `workers` probes at once start every worker (the pool spawns one per queued task
            # up to its size); a probe's pause lets a slower worker take one too.
            futures = [pool.submit(_worker_pid, 0.05) for _ in range(workers)]
            seen.update(f.result() for f in futures)
        ok = True
    finally:
        _hand_back(pool, workers, warm, kept=ok)
    return time.perf_counter() - started


def _hand_back(pool: ProcessPoolExecutor, workers: int, warm: bool, kept: bool) -> None:
    """The end of a call on the shared pool: keep it for the next call (`release_pool`) when
    the call ran to its end, else shut it down (queued tasks dropped, those in flight waited
    for) so the next call starts a fresh one."""
    if kept:
        release_pool(pool, workers, warm)
    else:
        pool.shutdown(wait=True, cancel_futures=True)


def _feed(
    pool: ProcessPoolExecutor, evaluate: Evaluate, tasks: list[Task], chunk: int, workers: int
) -> Iterator[Record]:
    """Submit `tasks` to `pool` in chunks, at most `IN_FLIGHT_PER_WORKER` per worker in flight,
    and yield the records as chunks finish (no cleanup: the caller owns the pool)."""
    pending = batched(tasks, max(1, chunk))
    limit = workers * IN_FLIGHT_PER_WORKER
    running = set()
    while True:
        for batch in pending:
            running.add(pool.submit(run_chunk, evaluate, batch))
            if len(running) >= limit:
                break
        if not running:
            return
        done, running = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            yield from future.result()


def process_pool(
    tasks: Iterable[Task], evaluate: Evaluate, workers: int, chunk: int = 1
) -> Iterator[Record]:
    """A local process pool fed `chunk` tasks per submitted future; warm workers when `evaluate`
    is the model's. The pool is the shared one (`acquire_pool`): kept after a call that ran to
    its end, shut down (queued tasks dropped, only those in flight waited for) after a call that
    was interrupted (Ctrl-C, an error, the consumer stopped). A kept pool found broken before
    the first record (a worker killed while it was idle) is replaced by a new one, once."""
    tasks = list(tasks)
    warm = evaluate is model_evaluate
    pool, reused = _acquire(workers, warm)
    finished = False
    try:
        records = _feed(pool, evaluate, tasks, chunk, workers)
        try:
            first = next(records, None)
        except BrokenProcessPool:
            if not reused:
                raise
            # Nothing was yielded yet, so running every task on a new pool loses and
            # duplicates nothing.
            pool.shutdown(wait=True, cancel_futures=True)
            pool = make_pool(workers, warm)
            records = _feed(pool, evaluate, tasks, chunk, workers)
            first = next(records, None)
        if first is not None:
            yield first
            yield from records
        finished = True
    finally:
        _hand_back(pool, workers, warm, kept=finished)


_guard_forkserver()


def dask(tasks: Iterable[Task], evaluate: Evaluate, scheduler: Any) -> Iterator[Record]:
    """Run on a Dask distributed cluster: `scheduler` is an address or a `distributed.Client`.

    The scheduler and workers must be able to import werklandschap (install the project in their
    environment). Tasks are submitted with unique keys (`pure=False`), so none is deduplicated.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        from werklandschap.experiments.spec import ExperimentError

        raise ExperimentError(
            "--scheduler needs Dask distributed: pip install 'werklandschap[dask]'"
        ) from None
    own = not isinstance(scheduler, Client)
    client = Client(scheduler, timeout="30s") if own else scheduler
    try:
        workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
        limit = max(8, workers * IN_FLIGHT_PER_WORKER)
        pending = iter(tasks)
        queue = as_completed()
        for task in pending:
            queue.add(client.submit(run_task, evaluate, task, pure=False))
            if queue.count() >= limit:
                break
        for future in queue:
            record = future.result()
            future.release()
            yield record
            for task in pending:
                queue.add(client.submit(run_task, evaluate, task, pure=False))
                break
    finally:
        if own:
            client.close()


def execute(
    tasks: list[Task],
    evaluate: Evaluate = model_evaluate,
    workers: int | None = None,
    scheduler: Any = None,
) -> Iterator[Record]:
    """Run tasks on the chosen executor: Dask if `scheduler`, else a pool if workers > 1."""
    if scheduler is not None:
        return dask(tasks, evaluate, scheduler)
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(tasks) <= 1:
        return serial(tasks, evaluate)
    workers = min(workers, len(tasks))
    return process_pool(tasks, evaluate, workers, chunk_size(len(tasks), workers))
