"""Dashboard controls generated from the parameter spec, and the model they build.

The levers, their ranges and their words (Dutch and English) come from the parameter spec
(`model/parameters.py`); this module turns them into control descriptions and turns the
controls' values into a validated scenario. `DashboardModel` never raises on a control's value:
it then runs the chosen scenario with its own values and keeps the message in `problem`.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

from werklandschap.dashboard.words import number, say
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.parameters import BY_NAME, Parameter
from werklandschap.model.safe_yaml import YamlInputError, parse_yaml
from werklandschap.model.scenario import Scenario, ScenarioError, load_scenario

#: The main policy levers shown as controls (ranges, defaults and words come from the spec).
LEVERS: tuple[str, ...] = (
    "green_deal_provinces",
    "n_stimulated",
    "subsidy_per_park_keur",
    "coaching_capacity_partner",
    "organisation_support",
    "regulation_start_year",
    "selection_strategy",
)


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


def _lang(words: Any, lang: str) -> str:
    return words["nl" if lang == "nl" else "en"]


@dataclass(frozen=True)
class Control:
    """One lever's control: kind ("slider_int", "slider_float", "select", "fixed") and words."""

    name: str
    kind: str
    label: str
    explain: str
    source: str
    value: Any
    low: float = 0
    high: float = 0
    step: float = 1
    options: tuple[str, ...] = ()  # select: the choices in words, in `Parameter.choices` order


def choice_word(p: Parameter, choice: str, lang: str) -> str:
    """A categorical lever's choice in words."""
    return _lang(p.choice_words[choice], lang) if p.choice_words else choice


def value_text(p: Parameter, value: Any, lang: str) -> str:
    """A lever's value with its unit in words, e.g. '150 terreinen' or '50 thousand euros ...'."""
    if p.choices is not None:
        return choice_word(p, value, lang)
    if isinstance(value, tuple | list):
        return ", ".join(value)
    decimals = 0 if p.type is int or float(value).is_integer() else 2
    # a year reads without a thousands separator
    year = p.name == "regulation_start_year"
    text = str(int(value)) if year else number(value, lang, decimals)
    unit = _lang(p.unit_words, lang) if p.unit_words else p.unit
    return f"{text} {unit}".strip()


def source_text(p: Parameter, lang: str) -> str:
    """'Bron: aanname' / 'Source: ...' for a lever."""
    source = say("assumption", lang) if p.is_assumption else p.source
    return f"{say('source', lang)}: {source}"


def lever_control(p: Parameter, value: Any, lang: str) -> Control:
    """The control of one lever, set to `value` (the chosen scenario's value), in `lang`."""
    label = _lang(p.words, lang) if p.words else p.description
    explain = _lang(p.explain, lang) if p.explain else ""
    common = {"name": p.name, "label": label, "explain": explain,
              "source": source_text(p, lang), "value": value}  # fmt: skip
    if isinstance(value, tuple | list):  # a list of province names has no slider; keep it
        return Control(kind="fixed", **common)
    if p.choices is not None:
        words = tuple(choice_word(p, c, lang) for c in p.choices)
        return Control(kind="select", options=words, **common)
    low, high = p.range if p.range is not None else p.limits
    integer = p.type is int
    step = slider_step(low, high, integer)
    low, high = min(low, value), max(high, value)  # a scenario may sit outside the usual range
    kind = "slider_int" if integer else "slider_float"
    return Control(kind=kind, low=low, high=high, step=step, **common)


def controls(scenario: Scenario, lang: str) -> list[Control]:
    """The lever controls for `scenario`, in LEVERS order."""
    return [lever_control(BY_NAME[name], scenario.params[name], lang) for name in LEVERS]


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
            # strict: duplicate keys and aliases are refused, as in scenario files
            overrides[name.strip()] = parse_yaml(raw.strip(), "More parameters")
        except YamlInputError:
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

    `levers` maps lever names to values (None keeps the scenario's value); `more` holds free
    overrides 'name=value; ...'. A wrong value (bad seed, a value outside the spec's limits, an
    unknown name) does not raise: the model runs the chosen scenario unchanged with seed 0 and
    `problem` holds the message. Stepping past the last month is ignored instead of failing.
    """

    def __init__(
        self,
        scenario_name: str = "baseline",
        seed: str | int = "0",
        more: str = "",
        levers: dict[str, Any] | None = None,
    ) -> None:
        self.problem: str | None = None
        #: Held while stepping: Play steps in a thread, the buttons in the page's thread.
        self.lock = threading.RLock()
        try:
            scenario = build_scenario(scenario_name, levers or {}, more or "")
            rng = parse_seed(seed)
        except (ScenarioError, TypeError, ValueError) as exc:  # never fail on a control's value
            self.problem = str(exc)
            scenario, rng = _fallback(scenario_name), 0
        super().__init__(scenario, rng=rng)
        base = _fallback(scenario.name).params
        #: Parameters that differ from the chosen shipped scenario (what the user changed).
        self.changes = {k: v for k, v in scenario.params.items() if v != base.get(k)}
        advance = self.step  # Mesa's wrapped step: advances time by one month, then steps

        def step() -> None:
            """One month; a step after the last month does nothing."""
            if self.running:
                advance()

        self.step = step

    def run_until(self, month: int) -> None:
        """Step, without drawing anything in between, until `month` months are done (or the end).

        Runs as one batch: this is what makes "run to end 2031" take well under a second.
        """
        with self.lock:
            remaining = min(int(month), self.months) - int(self.time)
            if remaining > 0:
                self.run_for(remaining)


def _fallback(scenario_name: str) -> Scenario:
    """The named scenario unchanged, or the baseline when the name itself is wrong."""
    try:
        return load_scenario(scenario_name)
    except ScenarioError:
        return load_scenario("baseline")
