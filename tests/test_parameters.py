"""The parameter spec is complete and consistent: one source of truth."""

from __future__ import annotations

import pytest

from werklandschap.model.parameters import BY_NAME, PARAMETERS, salib_problem


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
