"""Experiment report statistics and wording (experiments/analysis/compare.py, runs/stats.py):
Newcombe's paired interval on published examples and the compare report on constructed runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from werklandschap.runs.stats import newcombe_paired, paired_difference, paired_proportions

# --- report statistics and wording (experiments/analysis/compare.py, stats.py) ----------------


def test_newcombe_paired_interval_reproduces_published_examples():
    """Newcombe (1998, Stat Med 17:2635, method 10) for paired proportions.

    Complete response before and after consolidation therapy (Cavo et al. 2012), the worked
    example of Fagerland, Lydersen & Laake (Statistical Analysis of Contingency Tables, 2017,
    ch. 8; also the test of their R package contingencytables): pairs 59/6/16/80 give -0.0621
    (95% CI -0.1186 to -0.0046). Newcombe's example (a), pairs 36/12/2/0: +0.200 (0.0569 to
    0.3404).
    """
    d, low, high = newcombe_paired(59, 6, 16, 80)
    assert (round(d, 4), round(low, 4), round(high, 4)) == (-0.0621, -0.1186, -0.0046)
    d, low, high = newcombe_paired(36, 12, 2, 0)
    assert (round(d, 4), round(low, 4), round(high, 4)) == (0.2, 0.0569, 0.3404)
    # 10 of 10 pairs discordant one way: a normal interval has zero width, Newcombe's does not.
    d, low, high = newcombe_paired(0, 10, 0, 0)
    assert d == 1.0 and high == 1.0 and 0.55 < low < 0.65
    d, low, high = newcombe_paired(0, 0, 0, 10)  # no discordant pair: 0, but not certainly 0
    assert d == 0.0 and low == pytest.approx(-high) and high > 0.2
    counts = paired_proportions(np.array([1.0, 1, 0, 0, np.nan]), np.array([1.0, 0, 1, 0, 1]))
    assert counts == (1, 1, 1, 1)  # the NaN pair is dropped
    mean, lo, hi = paired_difference(np.array([3.0, 5, 4, 6]), np.array([1.0, 2, 2, 2]))
    half = 3.1824 * np.std([2.0, 3, 2, 4], ddof=1) / 2  # Student t, 3 degrees of freedom
    assert mean == 2.75 and (lo, hi) == pytest.approx((2.75 - half, 2.75 + half), abs=1e-3)


def constructed_runs(replications: int = 10) -> pd.DataFrame:
    """A compare runs table: the baseline never reaches the target (900 ± noise);
    no_programme loses ~540 parks (so ΔP = 0 although the effect is large), double_stimulated
    gains ~300 and meets the target in every run, all_provinces changes nothing."""
    rng = np.random.default_rng(5)
    shifts = {"baseline": 0, "no_programme": -540, "double_stimulated": 300, "all_provinces": 0}
    rows = []
    base = 900 + rng.normal(0, 20, replications)
    for k, (name, shift) in enumerate(shifts.items()):
        for r in range(replications):
            labelled = float(base[r] + shift + (rng.normal(0, 5) if name == "all_provinces" else 0))
            rows.append(
                {
                    "run_id": k * replications + r,
                    "scenario": name,
                    "replication": r,
                    "status": "ok",
                    "months": 168.0,
                    "labelled_at_horizon": labelled,
                    "target_met": float(labelled >= 1000),
                    "month_target_reached": 100.0 if labelled >= 1000 else np.nan,
                    "self_sustaining": [1.0, 0.0, np.nan][r % 3],
                }
            )
    return pd.DataFrame(rows)


def test_report_lists_effects_by_sign_and_defines_its_outcomes(tmp_path):
    from werklandschap.experiments.analysis import compare
    from werklandschap.experiments.spec import parse_experiment
    from werklandschap.model.outcome_spec import outcome

    runs = constructed_runs()
    effects = compare.effects_table(runs, "baseline").set_index("scenario")
    assert effects.loc["no_programme", "delta_p"] == 0  # ΔP alone would call this "no effect"
    assert effects.loc["no_programme", "direction"] == "lowering"
    assert effects.loc["double_stimulated", "direction"] == "raising"
    assert effects.loc["all_provinces", "direction"] == "no clear effect"
    assert effects.loc["double_stimulated", "met_in_scenario_only"] == 10
    assert 0.6 < effects.loc["double_stimulated", "delta_p_low"] < 1  # 10/10: not zero width
    spec = parse_experiment(
        {"type": "compare", "replications": 10, "scenarios": list(runs["scenario"].unique())},
        "test",
        "constructed",
    )
    report = compare.analyse(spec, runs, None, tmp_path)
    short = report[report.index("**In short:**") :]
    assert "Raising the outcome: double_stimulated" in short
    assert "Lowering it: no_programme (+0 pp, -540 parks)" in short
    assert "No clear effect (both intervals include 0): all_provinces." in short
    assert "[+100, +100]" not in report and "+100 pp [+61, +100]" in report
    for name in compare.REPORT_OUTCOMES:  # every outcome the report uses, defined in it
        assert f"**{outcome(name).label()}** (`{name}`" in report
    # P(self-sustaining): 4 of the 7 judged runs (NaN in 3), a proportion with its interval.
    assert "0.57 [0.25, 0.84] (n = 7)" in report
    table = pd.read_csv(tmp_path / "scenarios.csv").set_index("scenario")
    assert table.loc["baseline", "self_sustaining_judged"] == 7
