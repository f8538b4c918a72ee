"""Docking against theory: the Bass reduction reproduces the closed-form Bass curve.

Tolerance: the mean simulated share over 40 seeds stays within 0.02 of F(t) at every month of 20
years. Budget: monthly discretisation <= 0.01 (verification/bass.py) + sampling noise (4 standard errors
of the mean, measured <= 0.004 each).
"""

from __future__ import annotations

import numpy as np
import pytest

from werklandschap import run
from werklandschap.verification.bass import bass_curve, bass_scenario

SEEDS = 40
TOLERANCE = 0.02


@pytest.mark.parametrize("core", ["numpy", "compiled"])  # run() follows WERKLANDSCHAP_CORE
@pytest.mark.parametrize(
    "p, q",
    [(0.03, 0.38), (0.01, 0.2)],  # mean of Sultan et al. (1990); slow end of the typical range
)
def test_bass_reduction_matches_closed_form(p, q, core, monkeypatch):
    monkeypatch.setenv("WERKLANDSCHAP_CORE", core)
    scenario = bass_scenario(p, q, months=240)
    shares = np.array([run(scenario, 1000 + s).labelled / 3646 for s in range(SEEDS)])
    expected = bass_curve(np.arange(241) / 12, p, q)
    error = np.abs(shares.mean(axis=0) - expected)
    assert error.max() < TOLERANCE, f"max |F_sim - F_bass| = {error.max():.4f}"
    # and it is a real diffusion: under way after 10 years (closed form: 0.25 to 0.87 here)
    assert shares.mean(axis=0)[120] > 0.2


def test_a_wrong_q_is_detected():
    """The check can fail: simulating q = 0.3 does not pass for the curve of q = 0.38."""
    shares = np.array([run(bass_scenario(0.03, 0.3), s).labelled / 3646 for s in range(10)])
    error = np.abs(shares.mean(axis=0) - bass_curve(np.arange(241) / 12, 0.03, 0.38))
    assert error.max() > TOLERANCE
