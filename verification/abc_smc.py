"""ABC-SMC with pyabc on the project's executors, seeded and reproducible.

pyabc (Klinger et al. 2018; Schaelte et al. 2022) runs the sequential Monte Carlo: generation 0
samples the uniform priors, each later generation perturbs the weighted particles of the one
before (multivariate normal kernel) and accepts a simulation when its distance is below the
generation's epsilon (the median distance of the previous population); the kernel is local
(`transition`). Simulations run through
pyabc's `ConcurrentFutureSampler` on a `concurrent.futures` executor: the project's process pool
(forkserver, workers die with their parent; experiments/executors.py), a Dask client
(`--scheduler`) or, for one worker, in-process.

Reproducibility. pyabc re-seeds numpy's and Python's global generators from the OS in every job
(`np.random.seed()`), and jobs finish in any order. We make the result depend on the seed only:
(1) `SeededExecutor` gives job `j` of submission round `r` the seed
`model.seeds.replication(seed, r * JOBS_PER_ROUND + j)` (pyabc's no-argument re-seeding inside the
job is redirected to it), so each job's parameter draw is fixed; (2) pyabc's sampler keeps the
first `population` accepted particles *in job order*, not in completion order; (3) each model run's
seed is a hash of its parameter values and the calibration seed (`model.seeds.point`). What stays
non-deterministic is only how many extra jobs were started and then cancelled (the reported number
of simulations and acceptance rates) - never the particles, weights or epsilons. The stopping rule
is therefore a fixed number of generations, not a simulation budget.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from werklandschap.model import seeds
from werklandschap.verification import abc_series as S

#: Job numbers reserved per submission round (pyabc restarts job ids at 0 every generation).
JOBS_PER_ROUND = 10_000_000
#: Jobs per submission round in-process (results are the same for any number: job order).
IN_PROCESS_JOBS = 16
#: Simulations per job on a pool or Dask: one job (unpickling pyabc's sampling closure, a
#: round trip) per run cost ~2.5x the run itself; at most BATCH_SIZE - 1 runs per generation
#: and worker are wasted past the last accepted particle.
BATCH_SIZE = 8
#: Share of the population whose covariance shapes each particle's kernel (`transition`).
LOCAL_FRACTION = 0.25
Simulator = Callable[[dict[str, float]], dict[str, float]]


def _seeded_call(job_seed: int, fn: Callable, *args: Any) -> Any:
    """Run `fn(*args)` with every no-argument re-seeding of numpy's and Python's global
    generators redirected to `job_seed` (pyabc re-seeds from the OS at the start of a job)."""
    np_seed, py_seed = np.random.seed, random.seed
    np.random.seed = lambda s=None: np_seed(job_seed if s is None else s)
    random.seed = lambda s=None, *a, **k: py_seed(job_seed if s is None else s, *a, **k)
    try:
        return fn(*args)
    finally:
        np.random.seed, random.seed = np_seed, py_seed


class InProcessExecutor(Executor):
    """Runs each submitted call at once in this process (one worker; tests)."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller through the future
            future.set_exception(error)
        return future


class SeededExecutor(Executor):
    """Wraps an executor: each pyabc job gets a seed from its round and job id (module doc)."""

    def __init__(self, inner: Executor, seed: int) -> None:
        self.inner, self.seed, self.round = inner, int(seed), -1
        self._lock = threading.Lock()

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        job = int(args[-1][0])  # pyabc passes the batch's job ids last
        with self._lock:
            if job == 0:  # pyabc starts a new round (a generation, or the epsilon sample)
                self.round += 1
            index = self.round * JOBS_PER_ROUND + job
        return self.inner.submit(_seeded_call, seeds.replication(self.seed, index), fn, *args)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def project_pool(workers: int) -> ProcessPoolExecutor:
    """The project's process pool (experiments/executors.make_pool), cold: the ABC simulator
    is not the model's experiment evaluate function."""
    from werklandschap.experiments import executors

    return executors.make_pool(workers)


@contextlib.contextmanager
def executor_for(workers: int, scheduler: Any = None) -> Iterator[tuple[Executor, int]]:
    """(executor, jobs in flight): Dask if `scheduler`, the pool if workers > 1, else in-process."""
    if scheduler is not None:
        from distributed import Client

        client = scheduler if isinstance(scheduler, Client) else Client(scheduler, timeout="30s")
        try:
            cores = max(1, sum(client.nthreads().values()))
            yield client.get_executor(pure=False), cores
        finally:
            if client is not scheduler:
                client.close()
    elif workers > 1:
        pool = project_pool(workers)
        try:
            yield pool, workers
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        # pyabc sleeps 10 ms between submission rounds: submit several synchronous jobs a round
        yield InProcessExecutor(), IN_PROCESS_JOBS


@dataclass(frozen=True)
class AnalogueSimulator:
    """One analogue run at a parameter set -> all statistics (`series.statistics`).

    The run seed is `model.seeds.point(seed, values)`: it depends on the parameter values only,
    never on which worker runs it or when."""

    seed: int
    fixed: dict[str, Any] = field(default_factory=dict)  # other parameter values, e.g. cost

    def __call__(self, parameters: dict[str, float]) -> dict[str, float]:
        from werklandschap.model.model import WerklandschapModel
        from werklandschap.verification.calibration import analogue_scenario

        values = {k: float(v) for k, v in parameters.items()}
        scenario = analogue_scenario().with_params(**self.fixed, **values)
        model = WerklandschapModel(
            scenario, rng=seeds.point(self.seed, values), park_agents=False, collect=False
        )
        # No no-peers twin: the statistics do not use it, and the twin is a deep copy with its
        # own generator, so the run itself is `run(scenario, seed)`'s draw for draw (a test).
        return S.statistics(model.run_to_end(twin=False).result())


@dataclass(frozen=True)
class Distance:
    """pyabc distance: `series.distance` over the fitted series (`statistics` may override the
    data, e.g. synthetic data in the coverage check)."""

    fitted: tuple[str, ...]
    statistics: tuple[S.Statistic, ...] = S.STATISTICS

    def __call__(self, x: dict, x_0: dict | None = None) -> float:
        return S.distance(x, self.fitted, self.statistics)


@dataclass
class SmcResult:
    """The final population of an ABC-SMC run and its diagnostics."""

    names: tuple[str, ...]
    particles: np.ndarray  # (population, parameters)
    weights: np.ndarray
    particle_statistics: dict[str, list[float]]  # each particle's simulated statistics
    epsilons: list[float]
    simulations: int
    seconds: float
    generations: int
    population: int
    seed: int
    fitted: tuple[str, ...]
    database: str


def transition() -> Any:
    """The perturbation kernel: a normal kernel around each particle with the covariance of its
    nearest quarter of the population (pyabc's `LocalTransition`). The global kernel (pyabc's
    default) put too much mass outside the bounded priors near the edges, so a few edge
    particles took most of the weight: effective sample size 19 of 100 against 56 with this
    kernel (population 100, 3 generations, seed 2026; docs/calibration.md)."""
    import pyabc

    return pyabc.LocalTransition(k_fraction=LOCAL_FRACTION)


def run_smc(
    simulator: Simulator,
    bounds: dict[str, tuple[float, float]],
    fitted: tuple[str, ...],
    *,
    population: int,
    generations: int,
    seed: int,
    database: Path,
    workers: int = 1,
    scheduler: Any = None,
    statistics: tuple[S.Statistic, ...] = S.STATISTICS,
) -> SmcResult:
    """ABC-SMC over uniform priors `bounds` with pyabc (module docstring); the pyabc database
    (SQLite) goes to `database`."""
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    names = tuple(bounds)
    prior = pyabc.Distribution(
        **{n: pyabc.RV("uniform", lo, hi - lo) for n, (lo, hi) in bounds.items()}
    )
    observed = {s.name: s.observed for s in statistics}
    state = np.random.get_state()
    np.random.seed(seeds.sampler(seed))  # the parent's own draws (none expected) are seeded too
    started = time.perf_counter()
    try:
        with executor_for(workers, scheduler) as (executor, cores):
            database.parent.mkdir(parents=True, exist_ok=True)  # only once the executor is up
            # In-process, pyabc may call its sampling closure directly instead of unpickling it
            # for every job (the cost of a cheap simulator); across processes it must pickle.
            in_process = isinstance(executor, InProcessExecutor)
            sampler = pyabc.sampler.ConcurrentFutureSampler(
                SeededExecutor(executor, seed),
                # one batch queued behind the running one on every worker, so none waits for
                # the parent's 10 ms polling loop
                client_max_jobs=max(1, cores // BATCH_SIZE) if in_process else 2 * cores,
                default_pickle=not in_process,
                # a batch pays one unpickling of pyabc's sampling closure for several runs;
                # the same size everywhere, so the result does not depend on the executor
                batch_size=BATCH_SIZE,
            )
            abc = pyabc.ABCSMC(
                simulator,
                prior,
                Distance(fitted, statistics),
                population_size=population,
                sampler=sampler,
                transitions=transition(),
            )
            abc.new(f"sqlite:///{database}", observed)
            history = abc.run(max_nr_populations=generations)
    finally:
        np.random.set_state(state)
    # Sorted by parameter values: the file does not depend on the database's storage order.
    particles = sorted(
        history.get_population(t=history.max_t).particles,
        key=lambda p: tuple(float(p.parameter[n]) for n in names),
    )
    populations = history.get_all_populations()
    return SmcResult(
        names=names,
        particles=np.array([[float(p.parameter[n]) for n in names] for p in particles], float),
        weights=np.array([float(p.weight) for p in particles], float),
        particle_statistics={
            s.name: [float(p.sum_stat[s.name]) for p in particles] for s in statistics
        },
        epsilons=[float(e) for e in populations["epsilon"] if np.isfinite(e)],
        simulations=int(history.total_nr_simulations),
        seconds=time.perf_counter() - started,
        generations=int(history.max_t) + 1,
        population=population,
        seed=seed,
        fitted=fitted,
        database=database.name,
    )
