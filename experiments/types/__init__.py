"""The experiment types: name -> module. Adding a type is one entry here plus its own module.

Each module declares
- `KEYS`: its option keys in the experiment file and their YAML types (checked by spec.py);
- `TIMESERIES`: whether runs keep their labelled series by default;
- `options(where, opts) -> dict`: validate the options (one-line `ExperimentError`s, declared
  limits) and fill in defaults;
- `planned_runs(spec) -> int`: the number of runs, without building the design;
- `design(spec) -> (rows, tasks, meta)`: one row and one `Task` per run, design metadata;
- `analyse(spec, runs, series, folder, meta) -> str`: the report section (reads stored runs).

The modules import the rest of the experiment layer inside their functions, so this registry can
be read while spec.py is being imported. `type` is switched on here only.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: Experiment type -> module (in the order `--help` and messages list them).
REGISTRY: dict[str, str] = {
    "compare": "werklandschap.experiments.types.compare",
    "sobol": "werklandschap.experiments.types.sobol",
    "morris": "werklandschap.experiments.types.morris",
    "sweep": "werklandschap.experiments.types.sweep",
    "discovery": "werklandschap.experiments.types.discovery",
    "critical_mass": "werklandschap.experiments.types.critical_mass",
}


def get(name: str) -> ModuleType:
    """The module of experiment type `name` (a KeyError for an unknown type)."""
    return importlib.import_module(REGISTRY[name])
