"""Scenarios: shipped files validate; every class of bad input gets one clear message."""

from __future__ import annotations

import pytest

from werklandschap.model.parameters import DEFAULTS
from werklandschap.model.scenario import (
    ScenarioError,
    load_scenario,
    load_scenario_file,
    make_scenario,
    shipped_scenarios,
)

LEVER_VARIANTS = {
    "all_provinces",
    "double_stimulated",
    "organisation_support",
    "early_regulation",
    "spread_selection",
}


def test_shipped_scenarios_are_valid():
    shipped = shipped_scenarios()
    assert {"baseline", "no_programme"} | LEVER_VARIANTS <= set(shipped)
    for name, path in shipped.items():
        scenario = load_scenario_file(path)
        assert scenario.name == name, "a scenario's name must match its file name"
        assert scenario.description


def test_baseline_is_the_defaults():
    assert dict(load_scenario("baseline").params) == {
        **DEFAULTS,
        "green_deal_provinces": DEFAULTS["green_deal_provinces"],
    }


def test_overrides_and_attribute_access():
    scenario = load_scenario("double_stimulated")
    assert scenario.overrides == {"n_stimulated": 300}
    assert scenario.n_stimulated == 300
    assert scenario.with_params(n_stimulated=10).n_stimulated == 10


def test_green_deal_by_count_or_names():
    assert make_scenario("x").green_deal_names()[:2] == ("Zuid-Holland", "Utrecht")
    named = make_scenario("x", {"green_deal_provinces": ["Zeeland", "Limburg"]})
    assert named.green_deal_names() == ("Zeeland", "Limburg")


def _write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


BAD = {
    "unknown key": (
        "parameters:\n  n_stimualted: 3\n",
        r"unknown parameter 'n_stimualted'.*did you mean 'n_stimulated'",
    ),
    "wrong type": ("parameters:\n  n_stimulated: many\n", r"n_stimulated = 'many'.*wrong type"),
    "float for int": ("parameters:\n  n_stimulated: 3.5\n", r"n_stimulated = 3.5"),
    "out of range": (
        "parameters:\n  stall_rate: 1.5\n",
        r"stall_rate = 1.5 is outside its accepted range 0.0..1.0",
    ),
    "bad choice": (
        "parameters:\n  selection_strategy: best\n",
        r"selection_strategy = 'best'.*criteria, random",
    ),
    "bad province": (
        "parameters:\n  green_deal_provinces: [Utrecht, Atlantis]\n",
        r"green_deal_provinces",
    ),
    "too many provinces": ("parameters:\n  green_deal_provinces: 13\n", r"must be 0..12"),
    "shares above one": ("parameters:\n  share_association: 0.9\n", r"exceeds 1"),
    "malformed yaml": ("parameters:\n  n_stimulated: [1, 2\n", r"malformed YAML at line"),
    "not a mapping": ("- a\n- b\n", r"must be a mapping"),
    "parameters not mapping": ("parameters: 3\n", r"'parameters' must be a mapping"),
    "top-level parameter": (
        "n_stimulated: 3\n",
        r"unknown top-level key 'n_stimulated'.*under 'parameters:'",
    ),
    "unsafe yaml": ("parameters: !!python/object/apply:os.system ['echo hi']\n", r"malformed YAML"),
    "bad name": ("name: 'a b/c'\n", r"name must be"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_is_rejected_with_a_clear_message(tmp_path, case):
    text, pattern = BAD[case]
    with pytest.raises(ScenarioError, match=pattern):
        load_scenario_file(_write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario_file(tmp_path / "nope.yaml")


def test_unknown_scenario_name_suggests():
    with pytest.raises(ScenarioError, match="did you mean 'baseline'"):
        load_scenario("baselin")


def test_several_problems_are_all_named(tmp_path):
    path = _write(tmp_path, "parameters:\n  stall_rate: 2\n  foo: 1\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(path)
    assert "stall_rate" in str(info.value) and "'foo'" in str(info.value)
