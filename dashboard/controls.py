"""Dashboard controls generated from the parameter spec, and the model they rebuild on Reset.

SolaraViz rebuilds the model on "Reset" with `type(model)(**values_of_the_controls)`, so the model
class takes every control as a keyword argument. `DashboardModel` turns those values into a
validated scenario; a wrong value never raises out of the constructor: the model then runs the
chosen scenario with its own values and keeps the message in `problem` for the page to show.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from werklandschap.model.model import WerklandschapModel
from werklandschap.model.parameters import BY_NAME, Parameter
from werklandschap.model.scenario import Scenario, ScenarioError, load_scenario

#: The main policy levers shown as controls (ranges and defaults come from the spec).
LEVERS: tuple[str, ...] = (
    "green_deal_provinces",
    "n_stimulated",
    "subsidy_per_park_keur",
    "coaching_capacity_partner",
    "organisation_support",
    "regulation_start_year",
    "selection_strategy",
)
SEED_LABEL = "Seed"
MORE_LABEL = "More parameters (name=value; ...)"


def lever_label(p: Parameter) -> str:
    """The label of a lever's control: its spec name and unit, e.g. 'n_stimulated (parks)'."""
    return p.name if p.unit in ("-", "") else f"{p.name} ({p.unit})"


def slider_step(low: float, high: float, integer: bool) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving at most 100 slider stops."""
    span = high - low
    if span <= 0:
        return 1
    magnitude = 10.0 ** math.floor(math.log10(span / 100))
    step = 10 * magnitude
    for factor in (1, 2, 5):
        if span / (factor * magnitude) <= 100:
            step = factor * magnitude
            break
    return max(1, round(step)) if integer else float(f"{step:.6g}")


def lever_control(p: Parameter, value: Any) -> dict[str, Any]:
    """A SolaraViz input spec for one lever, set to `value` (the chosen scenario's value)."""
    label = lever_label(p)
    if p.choices is not None:
        return {"type": "Select", "value": value, "values": list(p.choices), "label": label}
    low, high = p.range if p.range is not None else p.limits
    integer = p.type is int
    step = slider_step(low, high, integer)
    low, high = min(low, value), max(high, value)  # a scenario may sit outside the usual range
    kind = "SliderInt" if integer else "SliderFloat"
    return {"type": kind, "value": value, "min": low, "max": high, "step": step, "label": label}


def model_params(scenario: Scenario) -> dict[str, Any]:
    """SolaraViz `model_params`: the scenario (fixed), a seed, the levers and free overrides."""
    params: dict[str, Any] = {"scenario_name": scenario.name}
    params["seed"] = {"type": "InputText", "value": "0", "label": SEED_LABEL}
    for name in LEVERS:
        value = scenario.params[name]
        if isinstance(value, tuple | list):  # a list of province names has no slider; keep it
            continue
        params[name] = lever_control(BY_NAME[name], value)
    params["more"] = {"type": "InputText", "value": "", "label": MORE_LABEL}
    return params


def parse_seed(text: str | int) -> int:
    """A seed typed in the seed field: a whole number of at least 0."""
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise ScenarioError(f"Seed must be a whole number, got {str(text)!r}") from None
    if seed < 0:
        raise ScenarioError(f"Seed must be zero or positive, got {seed}")
    return seed


def parse_overrides(text: str) -> dict[str, Any]:
    """Free overrides 'name=value; name=value' (values read as YAML, e.g. 2.5, criteria, [a, b])."""
    overrides: dict[str, Any] = {}
    for item in text.replace("\n", ";").split(";"):
        if not item.strip():
            continue
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise ScenarioError(f"More parameters: write name=value, got {item.strip()!r}")
        try:
            overrides[name.strip()] = yaml.safe_load(raw.strip())
        except yaml.YAMLError:
            raise ScenarioError(
                f"More parameters: cannot read the value of {item.strip()!r}"
            ) from None
    return overrides


def build_scenario(scenario_name: str, levers: dict[str, Any], more: str) -> Scenario:
    """The chosen shipped scenario with the levers, then the free overrides, applied (validated)."""
    chosen = {k: v for k, v in levers.items() if v is not None}
    return load_scenario(scenario_name).with_params(**{**chosen, **parse_overrides(more)})


class DashboardModel(WerklandschapModel):
    """The werklandschap model built from the dashboard's controls.

    Lever arguments left at None keep the scenario's value. A wrong value (bad seed, a value
    outside the spec's limits, an unknown name under "More parameters") does not raise: the model
    runs the chosen scenario unchanged with seed 0 and `problem` holds the message. Stepping
    past the last month (Step after the end) is ignored instead of failing.
    """

    def __init__(
        self,
        scenario_name: str = "baseline",
        seed: str | int = "0",
        more: str = "",
        green_deal_provinces: int | None = None,
        n_stimulated: int | None = None,
        subsidy_per_park_keur: float | None = None,
        coaching_capacity_partner: int | None = None,
        organisation_support: float | None = None,
        regulation_start_year: int | None = None,
        selection_strategy: str | None = None,
    ) -> None:
        levers = {
            "green_deal_provinces": green_deal_provinces,
            "n_stimulated": n_stimulated,
            "subsidy_per_park_keur": subsidy_per_park_keur,
            "coaching_capacity_partner": coaching_capacity_partner,
            "organisation_support": organisation_support,
            "regulation_start_year": regulation_start_year,
            "selection_strategy": selection_strategy,
        }
        self.problem: str | None = None
        try:
            scenario = build_scenario(scenario_name, levers, more or "")
            rng = parse_seed(seed)
        except (ScenarioError, TypeError, ValueError) as exc:  # never fail on a control's value
            self.problem = str(exc)
            scenario, rng = _fallback(scenario_name), 0
        super().__init__(scenario, rng=rng)
        base = _fallback(scenario.name).params
        #: Parameters that differ from the chosen shipped scenario (what the user changed).
        self.changes = {k: v for k, v in scenario.params.items() if v != base.get(k)}
        advance = self.step  # Mesa's step: advance time by one month

        def step() -> None:
            """One month; a Step after the last month does nothing."""
            if self.running:
                advance()

        self.step = step


def _fallback(scenario_name: str) -> Scenario:
    """The named scenario unchanged, or the baseline when the name itself is wrong."""
    try:
        return load_scenario(scenario_name)
    except ScenarioError:
        return load_scenario("baseline")
