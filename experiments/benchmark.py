"""`werklandschap bench`: what one full run of the baseline costs on this machine.

Times, over `repeats` runs with different seeds (after one warm-up run that loads the data and
builds the network, which later runs reuse): building the model (agents, population draws), one
monthly step, a full run (build + 168 months + summary outcomes), and runs per second per core.
Prints median and min-max. Plain Python (time.perf_counter); no other tools needed.
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np

from werklandschap.model.model import WerklandschapModel
from werklandschap.model.scenario import load_scenario


def time_runs(scenario_name: str = "baseline", repeats: int = 20) -> dict[str, np.ndarray]:
    """Seconds for build, per step and full run, one entry per repeat."""
    scenario = load_scenario(scenario_name)
    WerklandschapModel(scenario, rng=0).run_to_end().result().summary()  # warm-up
    build, step, full = [], [], []
    for seed in range(1, repeats + 1):
        t0 = time.perf_counter()
        model = WerklandschapModel(scenario, rng=seed)
        t1 = time.perf_counter()
        model.run_to_end()
        t2 = time.perf_counter()
        model.result().summary()
        t3 = time.perf_counter()
        build.append(t1 - t0)
        step.append((t2 - t1) / model.months)
        full.append(t3 - t0)
    return {"build": np.array(build), "step": np.array(step), "full": np.array(full)}


def _ms(values: np.ndarray) -> str:
    return f"{1e3 * np.median(values):8.2f} ms  ({1e3 * values.min():.2f}-{1e3 * values.max():.2f})"


def main(repeats: int = 20) -> int:
    times = time_runs("baseline", repeats)
    print(f"werklandschap benchmark: baseline, {repeats} runs, one core")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"  build model        {_ms(times['build'])}")
    print(f"  one monthly step   {_ms(times['step'])}")
    print(f"  full run           {_ms(times['full'])}   (build + 168 months + outcomes)")
    print(f"  runs per second    {1 / np.median(times['full']):8.1f}      per core")
    return 0
