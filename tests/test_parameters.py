"""The parameter spec is complete and consistent: one source of truth."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from werklandschap.model.parameters import (
    BY_NAME,
    DEFAULTS,
    PARAMETERS,
    UNCALIBRATED,
    CalibrationFileError,
    load_calibrated,
    overlay_calibrated,
    salib_problem,
)


@pytest.mark.parametrize("p", PARAMETERS, ids=lambda p: p.name)
def test_every_parameter_is_documented_and_consistent(p):
    assert p.description and p.unit and p.source
    assert p.kind in ("lever", "uncertainty", "structural")
    if p.choices:
        assert p.default in p.choices
        return
    if p.name == "green_deal_provinces":
        assert 0 <= p.default <= 12
    assert isinstance(p.default, p.type)
    if p.limits:
        assert p.limits[0] <= p.default <= p.limits[1]
    if p.range:
        assert p.limits[0] <= p.range[0] < p.range[1] <= p.limits[1]
        assert p.range[0] <= p.default <= p.range[1]


def test_every_lever_and_uncertainty_can_be_analysed():
    for p in PARAMETERS:
        if p.kind != "structural":
            assert p.range or p.choices, p.name


def test_unique_names():
    assert len(BY_NAME) == len(PARAMETERS)


def test_salib_problem_uses_the_spec_ranges():
    problem = salib_problem(["peer_weight", "n_stimulated"])
    assert problem["names"] == ["peer_weight", "n_stimulated"]
    assert problem["bounds"][0] == list(BY_NAME["peer_weight"].range)
    with pytest.raises(KeyError, match="peer_wieght"):
        salib_problem(["peer_wieght"])
    with pytest.raises(ValueError, match="selection_strategy"):
        salib_problem(["selection_strategy"])


# --- calibrated values: model/data/calibrated.json overlays the spec ------------------------------
#: The calibrated defaults as they were when they still lived in model/parameters.py (v0.1.0).
#: The calibrated values in force (recalibrated after the park network of issue 12).
def test_the_spec_takes_its_calibrated_defaults_from_the_data_file():
    """Every parameter the calibration declares (verification/calibration.py `CALIBRATED`) has
    an entry in model/data/calibrated.json, and the spec's default and source are the entry's."""
    from werklandschap.verification.calibration import CALIBRATED

    entries = load_calibrated()
    assert set(entries) == set(CALIBRATED)
    for name, entry in entries.items():
        assert DEFAULTS[name] == entry["value"] and BY_NAME[name].source == entry["source"], name
        assert datetime.date.fromisoformat(entry["date"]) and "ABC-SMC" in entry["method"]


def test_the_overlay_replaces_only_default_and_source_of_calibrated_parameters():
    before = {p.name: p for p in UNCALIBRATED}
    entries = load_calibrated()
    assert [p.name for p in PARAMETERS] == [p.name for p in UNCALIBRATED]
    for p in PARAMETERS:
        if p.name in entries:
            assert replace(before[p.name], default=p.default, source=p.source) == p
            assert p.source != before[p.name].source
        else:
            assert before[p.name] == p


ENTRY = {"value": 0.5, "source": "s", "date": "2027-01-01", "method": "m"}


@pytest.mark.parametrize(
    ("calibrated", "message"),
    [
        ({"peer_wieght": ENTRY}, "unknown parameter(s): peer_wieght"),
        ({"peer_weight": {**ENTRY, "value": 9.0}}, "peer_weight: value 9.0 is outside the limits"),
        ({"peer_weight": {**ENTRY, "value": "high"}}, "peer_weight: value 'high' is not a number"),
        ({"peer_weight": {"value": 0.2}}, "peer_weight: needs value, source, date and method"),
        ({"n_stimulated": {**ENTRY, "value": 150.5}}, "should be a whole number"),
        ({"selection_strategy": ENTRY}, "only numeric parameters can be calibrated"),
    ],
)
def test_a_bad_calibrated_entry_is_refused_with_its_name(calibrated, message):
    with pytest.raises(CalibrationFileError) as error:
        overlay_calibrated(UNCALIBRATED, calibrated, "calibrated.json")
    assert message in str(error.value) and str(error.value).startswith("calibrated.json: ")


def test_a_calibrated_whole_number_keeps_its_type():
    spec = overlay_calibrated(UNCALIBRATED, {"n_stimulated": {**ENTRY, "value": 200.0}})
    value = {p.name: p.default for p in spec}["n_stimulated"]
    assert value == 200 and type(value) is int


def test_an_unreadable_calibrated_file_names_the_file(tmp_path):
    path = tmp_path / "calibrated.json"
    path.write_text("{not json")
    with pytest.raises(CalibrationFileError, match=r"calibrated\.json: cannot read"):
        load_calibrated(path)
    path.write_text('{"threshold_mean": 0.5}')
    with pytest.raises(CalibrationFileError, match="needs a mapping 'parameters'"):
        load_calibrated(path)
