"""Experiment files: parse and validate the YAML that describes one experiment.

An experiment file is a mapping with the common keys `name`, `type`, `description`, `seed`,
`replications`, `timeseries` and the keys of its type:

- compare:   `scenarios` (list of shipped names or scenario files), `baseline` (one of them),
             `posterior` (default on when the posterior file exists), `seeds_per_draw`
- sobol:     `base`, `parameters`, `n` (a power of two), `second_order`, `bootstrap`,
             `noise_check: {points, replications}`, `posterior` (default off)
- morris:    `base`, `parameters`, `trajectories`, `levels` (even), `bootstrap`, `posterior`
- sweep:     `base`, `x` and `y`, each `{parameter, values}` or `{parameter, from, to, steps}`
- discovery: `base`, `parameters`, `samples`, `min_density`, `max_boxes`, `posterior`

`posterior`: draw the calibrated parameters from the calibration posterior (runs/predictive.py;
sampled types: as one group factor, experiments/types/sampled.py); an experiment that does is
identified by the posterior's digest too (`posterior_identity`).

`parameters` is a list of names from the parameter spec, or "uncertainties", "levers",
"uncertainties+levers" or "assumptions" (uncertainties without a source). Every problem raises
`ExperimentError` (a `ScenarioError`, so the CLI exits with status 2) with one clear message,
before anything is written.

Every count has declared bounds (`LIMITS` in runs/limits.py, shown in `--help` and
docs/experiments.md), and the total number of runs is capped (`MAX_TOTAL_RUNS`). Both are
checked while the file is parsed, before any design is built: out-of-range values are refused,
never clipped.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werklandschap.experiments import types as experiment_types
from werklandschap.model.parameters import BY_NAME, parameters
from werklandschap.model.safe_yaml import YamlInputError, load_yaml_file, short
from werklandschap.model.scenario import Scenario, ScenarioError, load_scenario
from werklandschap.runs.limits import LIMITS, MAX_NAME, MAX_TOTAL_RUNS

#: Experiment types (the registry, experiments/types/__init__.py).
TYPES = tuple(experiment_types.REGISTRY)
EXPERIMENT_DIR = Path(__file__).resolve().parent
COMMON = {
    "name": str,
    "type": str,
    "description": str,
    "seed": int,
    "replications": int,
    "timeseries": bool,
}
#: Option keys of each type and their YAML types (declared in the type's module).
BY_TYPE: dict[str, dict[str, Any]] = {name: experiment_types.get(name).KEYS for name in TYPES}
#: Named parameter sets; "assumptions": the uncertainties whose value is an assumption (the
#: spec's `is_assumption`: no source), the first to screen.
PARAMETER_SETS = ("uncertainties", "levers", "uncertainties+levers", "assumptions")


# The limits live in one table (runs/limits.py); re-exported here for callers.


def limit_help(key: str) -> str:
    """`--help` text of a count's bounds, e.g. "1..100,000"."""
    return LIMITS[key].text()


class ExperimentError(ScenarioError):
    """An experiment file (or its results folder) is invalid; the message names the problem."""


@dataclass(frozen=True)
class Axis:
    """One axis of a sweep: a parameter and the values it takes."""

    parameter: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class ExperimentSpec:
    """A validated experiment. `options` holds the type-specific keys with defaults filled in."""

    name: str
    type: str
    description: str
    seed: int
    replications: int
    timeseries: bool
    options: dict[str, Any] = field(default_factory=dict)
    source_hash: str = ""
    source_text: str = ""

    @property
    def base(self) -> Scenario:
        return load_scenario(self.options.get("base", "baseline"))


def _suggest(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_name(kind: Any) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        list: "a list",
        str: "text",
        int: "an integer",
        float: "a number",
        bool: "true/false",
        dict: "a mapping",
    }
    return " or ".join(names[k] for k in kinds)


def _check_type(where: str, key: str, value: Any, kind: Any) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        raise ExperimentError(f"{where}: {key} = {short(value)} should be {_type_name(kind)}")
    return value


def _parameter_names(where: str, value: Any, *, allow_categorical: bool = True) -> list[str]:
    if isinstance(value, str):
        if value not in PARAMETER_SETS:
            raise ExperimentError(
                f"{where}: parameters = {short(value)} should be a list of names or "
                f"one of {', '.join(PARAMETER_SETS)}"
            )
        if value == "assumptions":
            names = [p.name for p in parameters("uncertainty") if p.is_assumption]
        else:
            kinds = {"uncertainties": ("uncertainty",), "levers": ("lever",)}.get(
                value, ("uncertainty", "lever")
            )
            names = [p.name for k in kinds for p in parameters(k)]  # type: ignore[arg-type]
        return [n for n in names if allow_categorical or BY_NAME[n].choices is None]
    names = []
    for item in value:
        if not isinstance(item, str) or item not in BY_NAME:
            raise ExperimentError(
                f"{where}: unknown parameter {short(item)}{_suggest(str(item), list(BY_NAME))}"
            )
        p = BY_NAME[item]
        if p.range is None and p.choices is None:
            raise ExperimentError(
                f"{where}: parameter {item!r} is {p.kind} and has no sampling "
                "range in the spec; it cannot be varied"
            )
        if p.choices is not None and not allow_categorical:
            raise ExperimentError(f"{where}: parameter {item!r} is categorical; not allowed here")
        if item in names:
            raise ExperimentError(f"{where}: parameter {item!r} is listed twice")
        names.append(item)
    if not names:
        raise ExperimentError(f"{where}: parameters is empty")
    return names


def _scenario(where: str, key: str, value: str) -> Scenario:
    try:
        return load_scenario(value)
    except ScenarioError as exc:
        raise ExperimentError(f"{where}: {key}: {exc}") from None


def _bounded(where: str, key: str, value: int, limit: str | None = None) -> int:
    """`value` if it lies within LIMITS[limit or key], else one message (never clipped)."""
    bounds = LIMITS[limit or key]
    if not bounds.minimum <= value <= bounds.maximum:
        raise ExperimentError(
            f"{where}: {key} = {short(value)} is outside the accepted range {bounds.text()}"
        )
    return value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _axis(where: str, key: str, value: dict, base: Scenario) -> Axis:
    allowed = ["parameter", "values", "from", "to", "steps"]
    for k in value:
        if k not in allowed:
            raise ExperimentError(
                f"{where}: unknown key {short(k)} in {key}{_suggest(str(k), allowed)}"
                f"; allowed: {', '.join(allowed)}"
            )
    name = value.get("parameter")
    if not isinstance(name, str) or name not in BY_NAME:
        raise ExperimentError(
            f"{where}: {key}.parameter = {short(name)} is not a known parameter"
            f"{_suggest(str(name), list(BY_NAME))}"
        )
    p = BY_NAME[name]
    if "values" in value:
        values = value["values"]
        if not isinstance(values, list) or len(values) < 2:
            raise ExperimentError(f"{where}: {key}.values should be a list of at least 2 values")
        _bounded(where, f"{key}.values (count)", len(values), "sweep.values")
    elif {"from", "to", "steps"} <= set(value):
        lo, hi, steps = value["from"], value["to"], value["steps"]
        if not isinstance(steps, int) or isinstance(steps, bool):
            raise ExperimentError(f"{where}: {key}.steps = {short(steps)} must be an integer")
        _bounded(where, f"{key}.steps", steps, "sweep.steps")
        if p.choices is not None or p.type not in (int, float):
            raise ExperimentError(
                f"{where}: {key}.parameter {name!r} is not numeric; give its 'values' "
                "instead of from/to/steps"
            )
        if not (_number(lo) and _number(hi)) or not all(map(math.isfinite, (lo, hi))):
            raise ExperimentError(
                f"{where}: {key}.from and {key}.to must be numbers, got {short(lo)} and {short(hi)}"
            )
        if p.type is int:
            values = sorted({round(lo + (hi - lo) * i / (steps - 1)) for i in range(steps)})
        else:
            values = [round(lo + (hi - lo) * i / (steps - 1), 10) for i in range(steps)]
    else:
        raise ExperimentError(f"{where}: {key} needs 'values' or 'from', 'to' and 'steps'")
    for v in values:  # validate each value against the spec's limits and types
        try:
            base.with_params(**{name: v})
        except ScenarioError as exc:
            raise ExperimentError(f"{where}: {key}: {exc}") from None
    return Axis(name, tuple(values))


def _options(where: str, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The type's options from `doc`, validated and completed by the type's module."""
    opts: dict[str, Any] = {k: doc[k] for k in experiment_types.get(kind).KEYS if k in doc}
    return experiment_types.get(kind).options(where, opts)


def parse_experiment(document: Any, where: str, default_name: str) -> ExperimentSpec:
    """Validate a parsed experiment document and fill in defaults."""
    if not isinstance(document, dict):
        raise ExperimentError(
            f"{where}: an experiment must be a mapping with 'type', got {type(document).__name__}"
        )
    kind = document.get("type")
    types = list(experiment_types.REGISTRY)  # read now: a registered type counts at once
    if kind not in types:
        raise ExperimentError(
            f"{where}: type = {short(kind)} should be one of {', '.join(types)}"
            f"{_suggest(str(kind), types)}"
        )
    allowed = {**COMMON, **experiment_types.get(kind).KEYS}
    for key, value in document.items():
        if key not in allowed:
            hint = _suggest(str(key), list(allowed))
            if not hint and str(key) in BY_NAME:
                hint = " (parameter values belong in a scenario file given as 'base')"
            raise ExperimentError(
                f"{where}: unknown key {short(key)} for a {kind} experiment{hint}; "
                f"allowed: {', '.join(allowed)}"
            )
        document[key] = _check_type(where, key, value, allowed[key])
    name = document.get("name", default_name)
    plain = name.replace("_", "").replace("-", "")
    if not (plain.isascii() and plain.isalnum()) or len(name) > MAX_NAME:
        raise ExperimentError(
            f"{where}: name must be letters, digits, '_' or '-' (at most {MAX_NAME}), "
            f"got {short(name)}"
        )
    replications = _bounded(where, "replications", document.get("replications", 1))
    spec = ExperimentSpec(
        name=name,
        type=kind,
        description=str(document.get("description", "")).strip(),
        seed=_bounded(where, "seed", document.get("seed", 1)),
        replications=replications,
        timeseries=document.get("timeseries", experiment_types.get(kind).TIMESERIES),
        options=_options(where, kind, document),
    )
    total = planned_runs(spec)
    if total > MAX_TOTAL_RUNS:
        raise ExperimentError(
            f"{where}: the experiment would have {total:,} runs; the limit is {MAX_TOTAL_RUNS:,}"
        )
    return spec


def posterior_identity(spec: ExperimentSpec) -> str:
    """The digest of the posterior an experiment with `posterior: true` draws from ("" without)."""
    if not spec.options.get("posterior"):
        return ""
    from werklandschap.model.posterior import load_posterior
    from werklandschap.runs.predictive import posterior_digest

    return f"posterior={posterior_digest(load_posterior())}"


def planned_runs(spec: ExperimentSpec) -> int:
    """Number of runs the design of `spec` will have, computed without building it."""
    return experiment_types.get(spec.type).planned_runs(spec)


def shipped_experiments() -> dict[str, Path]:
    """Names and files of the experiment files shipped in experiments/."""
    return {p.stem: p for p in sorted(EXPERIMENT_DIR.glob("*.yaml"))}


def load_experiment(path: str | Path, **overrides: Any) -> ExperimentSpec:
    """Load and validate an experiment file (a path, or the name of a shipped experiment).

    `overrides` replace top-level keys after loading (e.g. `n=64`, `replications=2`); they are
    validated like the file and recorded in the hash, and a changed `n` or `replications` gets
    the experiment a new name (`sobol-n64`) so it never mixes with the full run's results.
    """
    shipped = shipped_experiments()
    path = shipped[str(path)] if str(path) in shipped else Path(path)
    try:
        if not path.exists() and not path.is_symlink():
            raise ExperimentError(
                f"experiment file not found: {short(str(path))}; shipped: {', '.join(shipped)}"
            )
        document, text = load_yaml_file(path, "experiment file")
    except (YamlInputError, ValueError, OSError) as exc:
        if isinstance(exc, ExperimentError):
            raise
        message = str(exc) if isinstance(exc, YamlInputError) else f"bad path {short(str(path))}"
        raise ExperimentError(message) from None
    if isinstance(document, dict):
        document.setdefault("name", path.stem)
        suffix = "".join(f"-{k[0]}{v}" for k, v in sorted(overrides.items()) if v is not None)
        for key, value in overrides.items():
            if value is not None:
                document[key] = value
        if suffix:
            document["name"] = f"{document['name']}{suffix}"
    spec = parse_experiment(document, str(path), path.stem)
    extra = repr(sorted((k, v) for k, v in overrides.items() if v is not None))
    extra += posterior_identity(spec)  # another posterior: another experiment (never mixed)
    digest = hashlib.sha256((text + extra).encode()).hexdigest()
    return ExperimentSpec(**{**spec.__dict__, "source_hash": digest, "source_text": text})
