"""`werklandschap bench`: the cost of a full run, against the per-agent reference, and scaling.

Prints, for the baseline scenario (median and min-max over repeats, after one warm-up run that loads
the data and builds the network, which later runs reuse):
- build time (population draws, government agents; the 3,646 Park agent objects are created
  only when first used, so batch runs skip them: their cost is printed separately), time per
  monthly step, full-run time (build + 168 months
  + summary outcomes), runs per second per core — for the vectorised model and for the per-agent
  reference (verification/reference.py), and their ratio;
- scaling: full-run time for synthetic populations of 1x, 2x, 4x and 8x the parks (each real park
  replicated with jittered hectares and attributes, in the same municipalities), with the time per
  park, so that growth faster than linear shows;
- peak memory (resident set size) of this process: what one worker needs.

And, side by side in the same process (the speed of a shared machine drifts, so ratios are only
meaningful between timings taken together), the speed targets of the compiled core:
- a bare-numpy bound: a threshold diffusion over the same parks and park graph, 108 months, one
  rule (peer share, utility, logistic chance, one uniform per park) and nothing else;
- the model's runs of 108 and 168 months (no twin) and `run()` (168 months and its no-peers
  twin), on the compiled core and on the numpy reference, and their ratio to the bound;
- the experiment layer (`execute`, model_evaluate, `LAYER_RUNS` baseline runs per timing): the
  start of its pool (forkserver and 2 warm workers) on a line of its own, then the steady state:
  the same runs on 1 worker (serial, in process, as the layer runs it) and on 2 workers of the
  started pool (reused, as successive `execute` calls reuse it), timed in turn, runs per second
  per core and the pool efficiency T1 / (2 T2); the CPU per run on each (serial; worker and
  parent) and the share of time the workers waited for a CPU, so that a low wall efficiency on
  a busy machine is told apart from a cost of the pool; and the cold figure, start included;
- the cost of the compiled core: cold (compile into an empty cache) and warm (load the cache),
  each in a fresh process;
- the months of one `run()` the compiled month loop leaves to Python (model/compiled_loop.py);
- a check line against the targets: a full 168-month run <= 3x the bound, >= 40 runs/s per core
  and a pool efficiency >= 85% (both on the warm pool).
Plain Python (time.perf_counter, resource); nothing else to install.
"""

from __future__ import annotations

import gc
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace

import numpy as np

from werklandschap.model.data import NationalData, national_data
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.network import network_for
from werklandschap.model.scenario import load_scenario
from werklandschap.verification.reference import ReferenceModel

SCALES = (1, 2, 4, 8)
#: The targets of issue 14, checked (printed) by `main`, never asserted in unit tests.
TARGET_RATIO = 3.0  # full 168-month run / bare-numpy bound (108 months)
TARGET_RUNS_PER_CORE = 40.0  # runs per second per core through the experiment layer
TARGET_POOL_EFFICIENCY = 0.85  # T1 / (2 T2) on 2 workers
BOUND_MONTHS = 108


def replicated_data(k: int, seed: int = 0) -> NationalData:
    """The real parks, each replicated k times with hectares jittered by up to +-20%."""
    data = national_data()
    if k == 1:
        return data
    rng = np.random.default_rng(seed)
    n = data.n_parks * k
    jitter = rng.uniform(0.8, 1.2, n)
    return replace(
        data,
        park_id=np.arange(n, dtype=np.int64),
        park_name=np.tile(data.park_name, k),
        park_municipality=np.tile(data.park_municipality, k),
        park_province=np.tile(data.park_province, k),
        park_ha_gross=np.tile(data.park_ha_gross, k) * jitter,
        park_ha_net=np.tile(data.park_ha_net, k) * jitter,
        park_type=np.tile(data.park_type, k),
    )


def time_runs(
    model_class=WerklandschapModel,
    repeats: int = 10,
    data: NationalData | None = None,
    scenario_name: str = "baseline",
    seed0: int = 1,
    warm_up: bool = True,
) -> dict[str, np.ndarray]:
    """Seconds for build, per step and full run, one entry per repeat (after a warm-up run
    that loads the data and builds the network, unless `warm_up` is False)."""
    scenario = load_scenario(scenario_name)
    if warm_up:
        model_class(scenario, rng=0, data=data).run_to_end().result().summary()
    # batch runs (run(), experiments) skip the Park agent objects; the reference needs them
    options = {"park_agents": False} if model_class is WerklandschapModel else {}
    build, step, full = [], [], []
    for seed in range(seed0, seed0 + repeats):
        gc.collect()  # start every timed run from a clean heap (not timed)
        t0 = time.perf_counter()
        model = model_class(scenario, rng=seed, data=data, **options)
        t1 = time.perf_counter()
        model.run_to_end()
        t2 = time.perf_counter()
        model.result().summary()
        t3 = time.perf_counter()
        build.append(t1 - t0)
        step.append((t2 - t1) / model.months)
        full.append(t3 - t0)
    return {"build": np.array(build), "step": np.array(step), "full": np.array(full)}


def interleaved_reference(repeats: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Reference timings, each followed by 3 vectorised runs timed in the same minute.

    The speed of a shared or virtual machine drifts over minutes; timing both implementations
    side by side keeps the ratio from comparing a fast phase with a slow one.
    """
    slow: dict[str, list[float]] = {"build": [], "step": [], "full": []}
    paired: list[float] = []
    for k in range(repeats):
        reference = time_runs(ReferenceModel, 1, seed0=100 + k, warm_up=False)
        for name, values in reference.items():
            slow[name].extend(values.tolist())
        fast = time_runs(WerklandschapModel, 3, seed0=200 + 3 * k, warm_up=False)
        paired.extend(fast["full"].tolist())
    return {name: np.array(v) for name, v in slow.items()}, np.array(paired)


def _ms(values: np.ndarray) -> str:
    return f"{1e3 * np.median(values):9.2f} ms ({1e3 * values.min():.2f}-{1e3 * values.max():.2f})"


def _report(name: str, times: dict[str, np.ndarray]) -> None:
    print(f"{name}")
    print(f"  build model       {_ms(times['build'])}")
    print(f"  one monthly step  {_ms(times['step'])}")
    print(f"  full run          {_ms(times['full'])}")
    print(f"  runs per second   {1 / np.median(times['full']):9.2f} per core")


def peak_memory_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def diffusion_bound(repeats: int, months: int = BOUND_MONTHS, seed: int = 0) -> np.ndarray:
    """Seconds per run of a bare-numpy threshold diffusion over the model's parks and park graph
    (the lower bound of what a vectorised month costs): each month the share of adopting ties,
    a utility, a logistic chance and one uniform per park, nothing else."""
    data = national_data()
    params = dict(load_scenario("baseline").params)
    network = network_for(data, params)
    adjacency, inverse = network.adjacency, network.inverse_degree
    times = []
    for r in range(repeats):
        gc.collect()  # as before each timed model run (`time_model`): the same procedure
        started = time.perf_counter()
        rng = np.random.default_rng(seed + r)
        own = rng.random(data.n_parks)
        threshold = rng.normal(params["threshold_mean"], params["threshold_sd"], data.n_parks)
        adopted = np.zeros(data.n_parks)
        counts = np.zeros(months + 1, np.int64)
        for month in range(months):
            share = (adjacency @ adopted) * inverse
            utility = own + params["peer_weight"] * share
            chance = 0.02 / (1.0 + np.exp(-(utility - threshold) / params["decision_noise"]))
            adopted = np.maximum(adopted, rng.random(data.n_parks) < chance)
            counts[month + 1] = np.count_nonzero(adopted)
        times.append(time.perf_counter() - started)
    return np.array(times)


def time_model(
    core: str, repeats: int, months: int | None, twin: bool = False, seed0: int = 1
) -> np.ndarray:
    """Seconds per baseline run (build, `months` months or to the end, summary outcomes) on
    `core`; `twin`: with the no-peers twin of `run()` (months None)."""
    scenario = load_scenario("baseline")
    if months is not None:  # a run of `months` months, through the batch path (`run_to_end`)
        scenario = scenario.with_params(horizon_months=months, after_horizon_months=0)
    times = []
    for seed in range(seed0, seed0 + repeats):
        gc.collect()
        started = time.perf_counter()
        model = WerklandschapModel(scenario, rng=seed, park_agents=False, collect=False, core=core)
        model.run_to_end(twin=twin)
        model.result().summary()
        times.append(time.perf_counter() - started)
    return np.array(times)


def loop_months(seed: int = 1) -> dict[str, dict[str, int]]:
    """Months of one baseline `run()` (compiled core) run the Python way and in the month loop's
    kernel, its kernel calls and breaks: for the run ("run", 168 months) and for its no-peers
    twin ("twin", from the fork on) separately (model/compiled_loop.py `loop_counts`)."""
    from werklandschap.model.twin import fork_without_peers

    model = WerklandschapModel("baseline", rng=seed, park_agents=False, collect=False,
                               core="compiled")  # fmt: skip
    fork = model.params["programme_end_month"]
    model._run_months(fork)
    at_fork = dict(getattr(model, "loop_counts", {}))
    twin = fork_without_peers(model).run_to_end(twin=False)
    model._run_months(model.months - fork)
    counts = {"run": dict(getattr(model, "loop_counts", {}))}
    counts["twin"] = {k: v - at_fork.get(k, 0) for k, v in getattr(twin, "loop_counts", {}).items()}
    return counts


#: Baseline runs per timing of the experiment layer: ~10-20 s on one worker here, so that the
#: steady state, not the first chunks, sets the figure.
LAYER_RUNS = 400
#: Interleaved repeats of the layer's 1-worker and 2-worker timings (medians are printed).
LAYER_REPEATS = 3


def _cpu_self() -> float:
    """CPU seconds of this process so far (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_of(pids: list[int]) -> float:
    """CPU seconds so far of the processes `pids` (Linux /proc; NaN elsewhere or if one is gone).
    The pool's workers are the forkserver's children, so RUSAGE_CHILDREN does not see them."""
    try:
        total = 0
        for pid in pids:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def _waiting_of(pids: list[int]) -> float:
    """Seconds so far the processes `pids` were ready to run but waited for a CPU (Linux
    /proc/PID/schedstat, its second field; NaN elsewhere or if one is gone)."""
    try:
        total = 0
        for pid in pids:
            with open(f"/proc/{pid}/schedstat") as stat:
                total += int(stat.read().split()[1])
        return total / 1e9
    except (OSError, ValueError, IndexError):
        return float("nan")


def layer_run(
    runs: int, workers: int, seed0: int = 1000, pids: list[int] | None = None
) -> tuple[float, float, float, float]:
    """`runs` baseline runs through the experiment layer (`execute` with the model's evaluate
    function, as `werklandschap experiment` runs them): on 1 worker the serial in-process path,
    on more the shared pool (started first if none is kept). Returns the wall seconds, the CPU
    seconds of this process and those of the processes `pids` (the pool's workers) meanwhile,
    and the seconds those waited for a CPU in the same window."""
    from werklandschap.experiments.design import Task
    from werklandschap.experiments.executors import execute, model_evaluate

    scenario = load_scenario("baseline")
    tasks = [Task(k, seed0 + k, scenario) for k in range(runs)]
    gc.collect()
    own, theirs, waited = _cpu_self(), _cpu_of(pids or []), _waiting_of(pids or [])
    started = time.perf_counter()
    records = list(execute(tasks, model_evaluate, workers=workers))
    elapsed = time.perf_counter() - started
    own, theirs = _cpu_self() - own, _cpu_of(pids or []) - theirs
    waited = _waiting_of(pids or []) - waited
    failed = [r for r in records if r["status"] != "ok"]
    if failed or len(records) != runs:
        raise RuntimeError(f"experiment layer: {len(failed)} of {runs} runs failed")
    return elapsed, own, theirs, waited


def layer_seconds(runs: int, workers: int, seed0: int = 1000) -> float:
    """Wall seconds of `layer_run`."""
    return layer_run(runs, workers, seed0)[0]


def layer_timings(runs: int, repeats: int = LAYER_REPEATS, workers: int = 2) -> dict[str, float]:
    """The experiment layer's speed (see `layer_report`), in seconds:

    - "start": starting the pool: the forkserver (imports, data, compiled core) and `workers`
      warm workers, until each has run a task;
    - "cold": that start plus the first `runs` runs on the new pool, end to end (what one short
      experiment in a fresh process pays);
    - "one", "two": medians over `repeats` of `runs` runs on 1 worker (serial, in process, as the
      layer runs it) and on `workers` workers of the started (warm) pool, timed in turn;
    - "one_cpu", "two_cpu", "parent_cpu": CPU seconds per run of the serial runs, of the pool's
      workers and of this process while it feeds the pool (medians): the work per run, which
      other processes on the machine do not change as they change the wall times;
    - "two_waiting": the share of the warm pool's wall time its workers were ready to run but
      waited for a CPU (taken by other processes; median);
    - "load": the 1-minute load average before the timings (other processes included).
    """
    from werklandschap.experiments import executors

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    executors.shutdown_pool()
    started = time.perf_counter()
    start = executors.start_pool(workers, warm=True)
    layer_seconds(runs, workers)
    cold = time.perf_counter() - started
    pool = executors.kept_pool()
    pids = list(pool._processes) if pool is not None else []  # the workers stay the same
    times: dict[str, list[float]] = {
        k: [] for k in ("one", "two", "one_cpu", "two_cpu", "parent_cpu", "two_waiting")
    }
    for r in range(repeats):
        seed0 = 10_000 * (r + 1)  # the same runs on 1 and on `workers` workers
        # In turn, every other repeat reversed (1, 2, 2, 1, ...), so a machine that slows down or
        # speeds up over the minutes shifts both alike.
        for n in (1, workers) if r % 2 == 0 else (workers, 1):
            wall, own, theirs, waited = layer_run(runs, n, seed0, pids)
            if n == 1:
                times["one"].append(wall)
                times["one_cpu"].append(own / runs)
            else:
                times["two"].append(wall)
                times["two_cpu"].append(theirs / runs)
                times["parent_cpu"].append(own / runs)
                # the kernel books a wait when it ends, so one that began just before the
                # window may count in it: a share a little over 1 under heavy load means "all"
                times["two_waiting"].append(min(1.0, waited / (workers * wall)))
    out = {k: float(np.median(v)) for k, v in times.items()}
    return {"start": start, "cold": cold, "load": load, **out}


def layer_report(runs: int, times: dict[str, float], workers: int = 2) -> tuple[float, float]:
    """Print the layer's lines; returns (warm runs/s per core on `workers`, warm efficiency)."""
    one, two, cold = times["one"], times["two"], times["cold"]
    per_core = runs / two / workers
    efficiency = one / (workers * two)
    cold_efficiency = one / (workers * cold)
    work = times["two_cpu"] + times["parent_cpu"]
    print(
        f"  experiment layer ({runs} baseline runs per timing, medians of {LAYER_REPEATS};"
        f" load average {times['load']:.2f} before):"
    )
    rows = [
        (
            f"pool start: forkserver + {workers} warm workers",
            times["start"],
            "once per process; later execute calls reuse the pool",
        ),
        ("1 worker (serial, in process)", one, f"{runs / one:5.1f} runs/s"),
        (
            f"{workers} workers, warm pool",
            two,
            f"{per_core:5.1f} runs/s per core; pool efficiency {100 * efficiency:.0f}%",
        ),
        (
            f"{workers} workers, cold: pool start + runs",
            cold,
            f"{runs / cold / workers:5.1f} runs/s per core; efficiency"
            f" {100 * cold_efficiency:.0f}%",
        ),
    ]
    for label, seconds, note in rows:
        print(f"    {label:38s} {seconds:6.1f} s  {note}")
    print(
        f"    CPU per run: serial {1e3 * times['one_cpu']:.1f} ms; pool {1e3 * work:.1f} ms"
        f" ({1e3 * times['two_cpu']:.1f} in a worker + {1e3 * times['parent_cpu']:.2f} in the"
        f" parent): CPU efficiency {100 * times['one_cpu'] / work:.0f}%"
    )
    print(
        f"    the pool's workers waited for a CPU {100 * times['two_waiting']:.0f}% of the time"
        " (other processes had it); wall efficiency ~ CPU efficiency x (1 - that share)"
    )
    return per_core, efficiency


JIT_PROBE = """
import time
from werklandschap.model.model import WerklandschapModel
WerklandschapModel("baseline", rng=0, park_agents=False, core="numpy").run_for(3)  # data, network
from werklandschap.model import compiled
started = time.perf_counter()
compiled.warm_up(quiet=True)
print(time.perf_counter() - started)
"""


def jit_seconds(cold: bool) -> float:
    """Seconds to make the compiled core ready in a fresh process (data and network loaded
    before): `cold` compiles into an empty cache folder, else loads the user's cache."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as empty:
        if cold:
            env["NUMBA_CACHE_DIR"] = empty
        out = subprocess.run(
            [sys.executable, "-c", JIT_PROBE], env=env, capture_output=True, text=True, check=True
        )
    return float(out.stdout.strip().splitlines()[-1])


def _check(label: str, ok: bool) -> str:
    return f"{label}: {'met' if ok else 'NOT met'}"


def speed_targets(repeats: int, layer_runs: int) -> None:
    """The side-by-side timings of the compiled core and the check line (see module doc)."""
    from werklandschap.model import compiled

    compiled.warm_up()
    time_model("compiled", 1, 12)
    time_model("numpy", 1, 12)
    rows = (("108 months", 108, False), ("168 months", None, False))
    rows += (("run(): 168 months + twin", None, True),)
    # Interleaved: each repeat times the bound and every (row, core) once, so a slow phase of a
    # shared machine slows all of them alike instead of one row.
    times: dict[tuple[str, str], list[float]] = {}
    bounds = []
    for r in range(repeats):
        bounds.append(float(diffusion_bound(1, seed=r)[0]))
        for label, months, twin in rows:
            for core in compiled.CORES:
                value = float(time_model(core, 1, months, twin, seed0=1 + r)[0])
                times.setdefault((label, core), []).append(value)
    bound = float(np.median(bounds))
    print(f"\nspeed targets (side by side, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
    print(f"  bare-numpy diffusion bound, {BOUND_MONTHS} months     {1e3 * bound:8.1f} ms")
    print(f"                                  compiled      numpy   (median of {repeats}; x bound)")
    medians = {}
    for label, _, _ in rows:
        row = {c: float(np.median(times[(label, c)])) for c in compiled.CORES}
        medians[label] = row
        print(
            f"  {label:28s} {1e3 * row['compiled']:7.1f} ms ({row['compiled'] / bound:4.1f}x)"
            f" {1e3 * row['numpy']:7.1f} ms ({row['numpy'] / bound:4.1f}x)"
        )
    counts = loop_months()
    run_counts, twin_counts = counts["run"], counts["twin"]
    if run_counts:
        print(
            f"  Python months per run() (compiled core, seed 1): {run_counts['python']} of "
            f"{sum(run_counts[k] for k in ('python', 'compiled'))} months "
            f"+ {twin_counts['python']} of {sum(twin_counts[k] for k in ('python', 'compiled'))}"
            f" in the twin; kernel calls {run_counts['stretches'] + twin_counts['stretches']},"
            f" breaks {run_counts['breaks'] + twin_counts['breaks']}"
        )
    per_core_2, efficiency = layer_report(layer_runs, layer_timings(layer_runs))
    cold, warm = jit_seconds(cold=True), jit_seconds(cold=False)
    print(f"  compiled core: cold compile {cold:.1f} s, warm (cache) load {warm:.2f} s")
    ratio = medians["168 months"]["compiled"] / bound
    print(
        "check: "
        + "; ".join(
            [
                _check(f"168-month run {ratio:.1f}x bound <= {TARGET_RATIO:.0f}x", ratio <= 3),
                _check(
                    f"{per_core_2:.1f} runs/s per core (warm pool) >= {TARGET_RUNS_PER_CORE:.0f}",
                    per_core_2 >= TARGET_RUNS_PER_CORE,
                ),
                _check(
                    f"pool efficiency (warm) {100 * efficiency:.0f}% >= 85%",
                    efficiency >= TARGET_POOL_EFFICIENCY,
                ),
            ]
        )
    )


def main(
    repeats: int = 20,
    reference_repeats: int = 2,
    scaling: bool = True,
    layer_runs: int = LAYER_RUNS,
) -> int:
    print("werklandschap benchmark - baseline scenario, 3,646 parks, 168 months, one core")
    print(
        f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}\n"
    )
    fast = time_runs(WerklandschapModel, repeats)
    _report(f"vectorised model ({repeats} runs, as run() and experiments use it)", fast)
    model = WerklandschapModel("baseline", rng=1, park_agents=False)
    started = time.perf_counter()
    model.parks  # noqa: B018 - create the 3,646 Park agent objects
    print(
        f"  + Park agent objects, created on first use (notebooks, dashboard): "
        f"{1e3 * (time.perf_counter() - started):.1f} ms"
    )
    memory = peak_memory_mb()
    if reference_repeats:
        slow, paired = interleaved_reference(reference_repeats)
        _report(f"\nper-agent reference ({reference_repeats} runs)", slow)
        ratio = np.median(slow["full"]) / np.median(paired)
        print(
            f"\nvectorised is {ratio:.0f}x faster than the reference (full run, medians; the "
            f"{paired.size} vectorised runs interleaved with the reference runs: "
            f"{1e3 * np.median(paired):.0f} ms)"
        )
    if scaling:
        print("\nscaling with synthetic populations (vectorised, full run, median of 5):")
        print("   parks    full run   per 1,000 parks   vs 1x")
        base = None
        for k in SCALES:
            data = replicated_data(k)
            median = float(np.median(time_runs(WerklandschapModel, 5, data)["full"]))
            base = base or median
            per_k = 1e3 * median / (data.n_parks / 1e3)
            print(
                f"  {data.n_parks:6,d}  {1e3 * median:8.1f} ms  {per_k:10.2f} ms      "
                f"{median / base:5.2f}x (parks {k}x)"
            )
    speed_targets(max(3, min(repeats, 20)), layer_runs)
    print(
        f"\npeak memory of this process (one worker): {max(memory, peak_memory_mb()):.0f} MB"
        f" (vectorised runs only: {memory:.0f} MB)"
    )
    return 0
