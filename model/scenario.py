"""Scenarios: a name, a description and parameter overrides of the spec's defaults.

A scenario file (YAML, loaded safely) looks like

    name: double_stimulated
    description: Twice as many stimulated parks, same timing.
    parameters:
      n_stimulated: 300

Validation is driven by the parameter spec through a pydantic model generated from it. Every
problem — a missing file, malformed YAML, an unknown key (with the closest valid name), a wrong
type, a value outside the accepted limits — raises `ScenarioError` with one clear message.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import pydantic

from werklandschap.model.parameters import (
    BY_NAME,
    DEFAULTS,
    GREEN_DEAL_ORDER,
    PARAMETERS,
    Parameter,
)
from werklandschap.model.safe_yaml import YamlInputError, parse_yaml, read_text_file, short

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
TOP_LEVEL_KEYS = ("name", "description", "parameters")


class ScenarioError(ValueError):
    """A scenario (file or dict) is invalid; the message names the problem."""


def _rebuild(name: str, description: str, params: dict[str, Any]) -> Scenario:
    """Unpickle a Scenario: its values were validated when it was made, so not again."""
    return Scenario(name=name, description=description, params=MappingProxyType(params))


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: every parameter has a value (defaults filled in).

    Immutable (a frozen dataclass over a read-only mapping) and picklable, so experiment tasks
    carry it to worker processes as it is: validated once, when it is made.
    """

    name: str
    description: str = ""
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType(dict(DEFAULTS)))

    def __getattr__(self, item: str) -> Any:
        # Parameters read as attributes: scenario.n_stimulated
        params = object.__getattribute__(self, "params")
        if item in params:
            return params[item]
        raise AttributeError(item)

    def __reduce__(self) -> tuple[Any, tuple[str, str, dict[str, Any]]]:
        # MappingProxyType cannot be pickled: send a plain dict, rebuilt read-only.
        return _rebuild, (self.name, self.description, dict(self.params))

    @property
    def overrides(self) -> dict[str, Any]:
        """Parameters that differ from the spec's defaults."""
        return {k: v for k, v in self.params.items() if v != DEFAULTS[k]}

    def with_params(self, name: str | None = None, **overrides: Any) -> Scenario:
        """A new, validated scenario with some parameters changed."""
        return make_scenario(name or self.name, {**self.params, **overrides}, self.description)

    def green_deal_names(self) -> tuple[str, ...]:
        """Names of the provinces that sign a Green Deal at the start."""
        value = self.params["green_deal_provinces"]
        return GREEN_DEAL_ORDER[:value] if isinstance(value, int) else tuple(value)


def _field_type(p: Parameter) -> Any:
    if p.name == "green_deal_provinces":
        return pydantic.StrictInt | list[Literal[GREEN_DEAL_ORDER]]  # type: ignore[valid-type]
    if p.choices is not None:
        return Literal[p.choices]  # type: ignore[valid-type]
    if p.type is int:
        return pydantic.StrictInt
    if p.type is float:
        return pydantic.StrictFloat | pydantic.StrictInt
    return p.type


@cache
def _validator() -> type[pydantic.BaseModel]:
    fields = {}
    for p in PARAMETERS:
        low, high = p.limits if p.limits else (None, None)
        if p.name == "green_deal_provinces":
            low = high = None  # checked below: an int count or a list of names
        fields[p.name] = (_field_type(p), pydantic.Field(default=p.default, ge=low, le=high))
    return pydantic.create_model(
        "ScenarioParameters", __config__=pydantic.ConfigDict(extra="forbid"), **fields
    )


def _suggest(key: str) -> str:
    close = difflib.get_close_matches(key, list(BY_NAME), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _describe(error: dict[str, Any], where: str) -> str:
    key = ".".join(str(x) for x in error["loc"])
    name = str(error["loc"][0])
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown parameter {short(name)}{_suggest(name)}"
    p = BY_NAME.get(name)
    got = error.get("input")
    if p is not None and error["type"] in ("greater_than_equal", "less_than_equal"):
        return (
            f"{where}: {name} = {short(got)} is outside its accepted range "
            f"{p.limits[0]}..{p.limits[1]} ({p.unit})"
        )
    expected = p.type.__name__ if p is not None and p.choices is None else "one of"
    if p is not None and p.choices:
        return f"{where}: {name} = {short(got)} is not valid; choose one of {', '.join(p.choices)}"
    if p is not None and p.name == "green_deal_provinces":
        return (
            f"{where}: {name} = {short(got)} has the wrong type or value, expected a count "
            f"0..{len(GREEN_DEAL_ORDER)} or a list of province names"
        )
    if p is not None and len(error["loc"]) > 1 and p.type is float:
        key = name  # the union float | int: one message for the parameter, not one per branch
        return f"{where}: {key} = {short(got)} has the wrong type or value, expected a number"
    return (
        f"{where}: {key} = {short(got)} has the wrong type or value, "
        f"expected {expected} ({error['msg']})"
    )


def make_scenario(
    name: str,
    parameters: Mapping[str, Any] | None = None,
    description: str = "",
    where: str | None = None,
) -> Scenario:
    """Validate parameter overrides against the spec and return a complete Scenario."""
    where = where or f"scenario {name!r}"
    parameters = dict(parameters or {})
    try:
        values = _validator()(**parameters).model_dump()
    except pydantic.ValidationError as exc:
        # One message per parameter: a union type (float | int) reports every branch.
        messages = list(dict.fromkeys(_describe(e, where) for e in exc.errors()))
        raise ScenarioError("; ".join(messages)) from None
    green_deal = values["green_deal_provinces"]
    if isinstance(green_deal, int) and not 0 <= green_deal <= len(GREEN_DEAL_ORDER):
        raise ScenarioError(f"{where}: green_deal_provinces = {green_deal} must be 0..12")
    if isinstance(green_deal, list):
        if len(set(green_deal)) != len(green_deal):
            raise ScenarioError(f"{where}: green_deal_provinces lists a province twice")
        values["green_deal_provinces"] = tuple(green_deal)
    shares = values["share_biz"] + values["share_park_management"] + values["share_association"]
    if shares > 1.0 + 1e-9:
        raise ScenarioError(
            f"{where}: share_biz + share_park_management + share_association = {shares:.3f} "
            "exceeds 1"
        )
    if values["programme_history"] == "realised" and values["green_deal_rule"] != "decision":
        # the realised signings are dated decisions: they replace the fixed rule's start members
        raise ScenarioError(
            f"{where}: programme_history 'realised' needs green_deal_rule 'decision'"
        )
    return Scenario(name=name, description=description, params=MappingProxyType(values))


def parse_scenario(document: Any, where: str, default_name: str) -> Scenario:
    """Validate a parsed YAML document (a mapping with name/description/parameters)."""
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ScenarioError(
            f"{where}: a scenario must be a mapping with 'parameters', "
            f"got {type(document).__name__}"
        )
    extra = [k for k in document if k not in TOP_LEVEL_KEYS]
    if extra:
        close = difflib.get_close_matches(str(extra[0]), TOP_LEVEL_KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if not close and str(extra[0]) in BY_NAME:
            hint = " (parameters go under 'parameters:')"
        raise ScenarioError(
            f"{where}: unknown top-level key {short(extra[0])}{hint}; "
            f"allowed: {', '.join(TOP_LEVEL_KEYS)}"
        )
    parameters = document.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ScenarioError(f"{where}: 'parameters' must be a mapping of name: value")
    name = document.get("name", default_name)
    if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum():
        raise ScenarioError(f"{where}: name must be letters, digits, '_' or '-', got {short(name)}")
    description = document.get("description", "")
    if not isinstance(description, str):
        raise ScenarioError(f"{where}: description must be text")
    return make_scenario(name, parameters, description.strip(), where)


def load_scenario_file(path: Path | str) -> Scenario:
    """Load and validate a scenario YAML file (a file read before with the same text gives the
    same, immutable Scenario: `run("baseline", seed)` need not parse and validate it again)."""
    path = Path(path)
    try:
        text = read_text_file(path, "scenario file")
        key = (str(path), text)
        if key in _LOADED:
            return _LOADED[key]
        document = parse_yaml(text, str(path))
    except YamlInputError as exc:
        raise ScenarioError(str(exc)) from None
    if document is None:  # empty or only comments: never silently the baseline
        raise ScenarioError(f"{path}: empty scenario file (expected name, description, parameters)")
    scenario = parse_scenario(document, str(path), path.stem)
    if len(_LOADED) >= _LOADED_KEPT:
        _LOADED.clear()
    _LOADED[key] = scenario
    return scenario


#: Scenarios by (path, text) of their file, valid ones only (a handful of files per process).
_LOADED: dict[tuple[str, str], Scenario] = {}
_LOADED_KEPT = 64


def shipped_scenarios() -> dict[str, Path]:
    """Names and files of the scenarios shipped in scenarios/."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.yaml"))}


def load_scenario(name_or_path: str | Path | Scenario) -> Scenario:
    """A shipped scenario by name (e.g. "baseline"), or a scenario file by path."""
    if isinstance(name_or_path, Scenario):
        return name_or_path
    shipped = shipped_scenarios()
    key = str(name_or_path)
    if key in shipped:
        return load_scenario_file(shipped[key])
    path = Path(key)
    try:
        exists = path.exists()
    except (OSError, ValueError):  # a name too long for the file system, a NUL character
        exists = False
    if path.suffix in (".yaml", ".yml") or exists:
        return load_scenario_file(path)
    close = difflib.get_close_matches(key, list(shipped), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ScenarioError(
        f"unknown scenario {short(key)}{hint}; shipped: {', '.join(shipped)}; "
        "or give a path to a .yaml file"
    )
