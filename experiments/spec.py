"""Experiment files: parse and validate the YAML that describes one experiment.

An experiment file is a mapping with the common keys `name`, `type`, `description`, `seed`,
`replications`, `timeseries` and the keys of its type:

- compare:   `scenarios` (list of shipped names or scenario files), `baseline` (one of them)
- sobol:     `base`, `parameters`, `n` (a power of two), `second_order`, `bootstrap`,
             `noise_check: {points, replications}`
- morris:    `base`, `parameters`, `trajectories`, `levels` (even), `bootstrap`
- sweep:     `base`, `x` and `y`, each `{parameter, values}` or `{parameter, from, to, steps}`
- discovery: `base`, `parameters`, `samples`, `min_density`, `max_boxes`
- critical_mass: `base`, `control`, `values` or `from`/`to`/`steps`, `withdraw_month`, `outcome`,
             `jump_ratio`, `jump_z`, `stay_share`, `bootstrap` (experiments/critical_mass.py)

`parameters` is a list of names from the parameter spec, or "uncertainties", "levers" or
"uncertainties+levers". Every problem raises `ExperimentError` (a `ScenarioError`, so the CLI
exits with status 2) with one clear message, before anything is written.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from werklandschap.model.parameters import BY_NAME, parameters
from werklandschap.model.scenario import Scenario, ScenarioError, load_scenario

TYPES = ("compare", "sobol", "morris", "sweep", "discovery", "critical_mass")
EXPERIMENT_DIR = Path(__file__).resolve().parent
COMMON = {
    "name": str,
    "type": str,
    "description": str,
    "seed": int,
    "replications": int,
    "timeseries": bool,
}
BY_TYPE: dict[str, dict[str, Any]] = {
    "compare": {"scenarios": list, "baseline": str},
    "sobol": {
        "base": str,
        "parameters": (list, str),
        "n": int,
        "second_order": bool,
        "bootstrap": int,
        "noise_check": dict,
    },
    "morris": {
        "base": str,
        "parameters": (list, str),
        "trajectories": int,
        "levels": int,
        "bootstrap": int,
    },
    "sweep": {"base": str, "x": dict, "y": dict},
    "discovery": {
        "base": str,
        "parameters": (list, str),
        "samples": int,
        "min_density": float,
        "max_boxes": int,
    },
    # --- critical_mass: keys validated by experiments/critical_mass.py (Options) ---
    "critical_mass": {
        "base": str,
        "control": str,
        "values": list,
        "from": int,
        "to": int,
        "steps": int,
        "withdraw_month": int,
        "outcome": str,
        "jump_ratio": float,
        "jump_z": float,
        "stay_share": float,
        "bootstrap": int,
    },
}
PARAMETER_SETS = ("uncertainties", "levers", "uncertainties+levers")


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
        raise ExperimentError(f"{where}: {key} = {value!r} should be {_type_name(kind)}")
    return value


def _parameter_names(where: str, value: Any, *, allow_categorical: bool = True) -> list[str]:
    if isinstance(value, str):
        if value not in PARAMETER_SETS:
            raise ExperimentError(
                f"{where}: parameters = {value!r} should be a list of names or "
                f"one of {', '.join(PARAMETER_SETS)}"
            )
        kinds = {"uncertainties": ("uncertainty",), "levers": ("lever",)}.get(
            value, ("uncertainty", "lever")
        )
        names = [p.name for k in kinds for p in parameters(k)]  # type: ignore[arg-type]
        return [n for n in names if allow_categorical or BY_NAME[n].choices is None]
    names = []
    for item in value:
        if not isinstance(item, str) or item not in BY_NAME:
            raise ExperimentError(
                f"{where}: unknown parameter {item!r}{_suggest(str(item), list(BY_NAME))}"
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


def _positive(where: str, key: str, value: int, minimum: int = 1) -> int:
    if value < minimum:
        raise ExperimentError(f"{where}: {key} = {value} must be at least {minimum}")
    return value


def _axis(where: str, key: str, value: dict, base: Scenario) -> Axis:
    allowed = ["parameter", "values", "from", "to", "steps"]
    for k in value:
        if k not in allowed:
            raise ExperimentError(
                f"{where}: unknown key {k!r} in {key}{_suggest(str(k), allowed)}"
                f"; allowed: {', '.join(allowed)}"
            )
    name = value.get("parameter")
    if not isinstance(name, str) or name not in BY_NAME:
        raise ExperimentError(
            f"{where}: {key}.parameter = {name!r} is not a known parameter"
            f"{_suggest(str(name), list(BY_NAME))}"
        )
    p = BY_NAME[name]
    if "values" in value:
        values = value["values"]
        if not isinstance(values, list) or len(values) < 2:
            raise ExperimentError(f"{where}: {key}.values should be a list of at least 2 values")
    elif {"from", "to", "steps"} <= set(value):
        lo, hi, steps = value["from"], value["to"], value["steps"]
        if not isinstance(steps, int) or steps < 2:
            raise ExperimentError(f"{where}: {key}.steps = {steps!r} must be an integer >= 2")
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
    opts: dict[str, Any] = {k: doc[k] for k in BY_TYPE[kind] if k in doc}
    if kind == "critical_mass":  # --- critical_mass: its own options model ---
        from werklandschap.experiments.critical_mass import parse_options

        return parse_options(where, {**opts, "replications": doc.get("replications", 1)})
    if kind == "compare":
        if "scenarios" not in opts or len(opts["scenarios"]) < 1:
            raise ExperimentError(f"{where}: compare needs a non-empty list 'scenarios'")
        names = [str(s) for s in opts["scenarios"]]
        loaded = [_scenario(where, "scenarios", s) for s in names]
        labels = [s.name for s in loaded]
        if len(set(labels)) != len(labels):
            raise ExperimentError(f"{where}: a scenario is listed twice")
        opts["scenarios"] = names
        baseline = opts.setdefault("baseline", "baseline")
        if baseline not in labels:
            raise ExperimentError(
                f"{where}: baseline {baseline!r} is not among the scenarios"
                f"{_suggest(baseline, labels)}"
            )
        return opts
    base = _scenario(where, "base", opts.setdefault("base", "baseline"))
    if kind == "sweep":
        for key in ("x", "y"):
            if key not in opts:
                raise ExperimentError(f"{where}: sweep needs '{key}'")
            opts[key] = _axis(where, key, opts[key], base)
        if opts["x"].parameter == opts["y"].parameter:
            raise ExperimentError(f"{where}: x and y must be different parameters")
        return opts
    default_set = "uncertainties" if kind == "morris" else "uncertainties+levers"
    opts["parameters"] = _parameter_names(where, opts.get("parameters", default_set))
    if kind == "sobol":
        n = _positive(where, "n", opts.setdefault("n", 1024), 2)
        if n & (n - 1):
            raise ExperimentError(
                f"{where}: n = {n} must be a power of two (e.g. "
                f"{1 << (n - 1).bit_length()}) for Sobol' balance"
            )
        opts.setdefault("second_order", False)
        _positive(where, "bootstrap", opts.setdefault("bootstrap", 200), 10)
        noise = opts.setdefault("noise_check", {"points": 32, "replications": 4})
        keys = {"points": (32, 0), "replications": (4, 2)}  # default, minimum
        for k in noise:
            if k not in keys:
                hint = _suggest(str(k), list(keys))
                raise ExperimentError(f"{where}: unknown key {k!r} in noise_check{hint}")
        for k, (default, minimum) in keys.items():
            v = _check_type(where, f"noise_check.{k}", noise.setdefault(k, default), int)
            _positive(where, f"noise_check.{k}", v, minimum)
    elif kind == "morris":
        _positive(where, "trajectories", opts.setdefault("trajectories", 20), 2)
        levels = _positive(where, "levels", opts.setdefault("levels", 4), 2)
        if levels % 2:
            raise ExperimentError(f"{where}: levels = {levels} must be even (Morris design)")
        _positive(where, "bootstrap", opts.setdefault("bootstrap", 200), 10)
    elif kind == "discovery":
        _positive(where, "samples", opts.setdefault("samples", 1000), 20)
        density = opts.setdefault("min_density", 0.8)
        if not 0 < density <= 1:
            raise ExperimentError(f"{where}: min_density = {density} must be in (0, 1]")
        _positive(where, "max_boxes", opts.setdefault("max_boxes", 2), 1)
    return opts


def parse_experiment(document: Any, where: str, default_name: str) -> ExperimentSpec:
    """Validate a parsed experiment document and fill in defaults."""
    if not isinstance(document, dict):
        raise ExperimentError(
            f"{where}: an experiment must be a mapping with 'type', got {type(document).__name__}"
        )
    kind = document.get("type")
    if kind not in TYPES:
        raise ExperimentError(
            f"{where}: type = {kind!r} should be one of {', '.join(TYPES)}"
            f"{_suggest(str(kind), list(TYPES))}"
        )
    allowed = {**COMMON, **BY_TYPE[kind]}
    for key, value in document.items():
        if key not in allowed:
            hint = _suggest(str(key), list(allowed))
            if not hint and str(key) in BY_NAME:
                hint = " (parameter values belong in a scenario file given as 'base')"
            raise ExperimentError(
                f"{where}: unknown key {key!r} for a {kind} experiment{hint}; "
                f"allowed: {', '.join(allowed)}"
            )
        document[key] = _check_type(where, key, value, allowed[key])
    name = document.get("name", default_name)
    if not name.replace("_", "").replace("-", "").isalnum():
        raise ExperimentError(f"{where}: name must be letters, digits, '_' or '-', got {name!r}")
    replications = _positive(where, "replications", document.get("replications", 1))
    return ExperimentSpec(
        name=name,
        type=kind,
        description=str(document.get("description", "")).strip(),
        seed=_positive(where, "seed", document.get("seed", 1), 0),
        replications=replications,
        timeseries=document.get("timeseries", kind in ("compare", "sweep")),
        options=_options(where, kind, document),
    )


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
    if not path.is_file():
        raise ExperimentError(f"experiment file not found: {path}; shipped: {', '.join(shipped)}")
    text = path.read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ExperimentError(
            f"{path}: malformed YAML{at}: {getattr(exc, 'problem', None) or exc}"
        ) from None
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
    digest = hashlib.sha256((text + extra).encode()).hexdigest()
    return ExperimentSpec(**{**spec.__dict__, "source_hash": digest, "source_text": text})
