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
Plain Python (time.perf_counter, resource); nothing else to install.
"""

from __future__ import annotations

import gc
import os
import platform
import resource
import time
from dataclasses import replace

import numpy as np

from werklandschap.model.data import NationalData, national_data
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.scenario import load_scenario
from werklandschap.verification.reference import ReferenceModel

SCALES = (1, 2, 4, 8)


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


def main(repeats: int = 20, reference_repeats: int = 2, scaling: bool = True) -> int:
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
    print(
        f"\npeak memory of this process (one worker): {max(memory, peak_memory_mb()):.0f} MB"
        f" (vectorised runs only: {memory:.0f} MB)"
    )
    return 0
