"""`werklandschap calibrate`: fit the organic-diffusion parameters to the KVO-B analogue.

Method: approximate Bayesian computation by rejection (Beaumont et al. 2002; Hartig et al. 2011
for ABMs). Prior: uniform over the spec's plausible ranges of the calibrated parameters. Each prior
draw runs the *analogue scenario* once — the no_programme counterfactual with the area label
available from the start, as KVO-B (the safe-business-park certificate) was from 2005 — and
yields two summary statistics:

- `share_14y`: labelled share of all parks after 14 years (month 168);
  KVO-B: ~550-650 certified parks, 15-18% of parks after ~14 years;
- `new_per_year`: parks newly labelled per year over years 11-14;
  KVO-B: 44 first-time certifications in 2018 and in 2019 (accept 30-60).

Distance: the sum of the two statistics' deviations from their target intervals, each scaled by
the interval's width (0 inside the interval). The accepted draws are the `accept` fraction with the
smallest distance; the calibrated value of each parameter is the median of the accepted draws,
reported with its 5-95% range. Randomness: prior draws and run seeds derive from one seed.

Outputs: the report, all draws and the accepted draws go to `results/calibration/` (`--out`).
`--write` puts the medians into `model/data/calibrated.json` (value, source, date, method), which
the parameter spec overlays on its defaults at import; `--docs` also updates docs/calibration.md
and docs/parameters.md. No Python source is rewritten.

The organisation patterns (BIZ on 67 parks, park management on ~25%) are stocks the model draws
at initialisation (`share_biz`, `share_park_management`); they are checked by the validation
report, not fitted here.
"""

from __future__ import annotations

import datetime
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from werklandschap.model import seeds
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.parameters import (
    BY_NAME,
    CALIBRATED_FILE,
    UNCALIBRATED,
    CalibrationFileError,
    load_calibrated,
    overlay_calibrated,
)
from werklandschap.model.scenario import Scenario, load_scenario

CALIBRATED = ("awareness_base_rate", "peer_awareness_rate", "threshold_mean", "peer_weight", "cost")
TARGETS = {"share_14y": (0.15, 0.18), "new_per_year": (30.0, 60.0)}
YEARS = 14
SOURCE = "calibrated: ABC rejection on the KVO-B analogue (docs/calibration.md)"
FILE_DESCRIPTION = (
    "Calibrated parameter values. Written by `werklandschap calibrate --write`; at import, "
    "model/parameters.py replaces the default and source of each parameter named here with its "
    "value and source."
)


def analogue_scenario(base: Scenario | None = None) -> Scenario:
    """No programme, label available from month 0, 14 years: the KVO-B analogue."""
    base = base or load_scenario("no_programme")
    return base.with_params(
        name="kvo_b_analogue",
        horizon_months=12 * YEARS,
        after_horizon_months=0,
        label_fallback_month=0,
    )


def statistics(labelled: np.ndarray, n_parks: int) -> dict[str, float]:
    """Summary statistics of one labelled-parks series (months 0..168)."""
    return {
        "share_14y": labelled[12 * YEARS] / n_parks,
        "new_per_year": (labelled[12 * YEARS] - labelled[12 * (YEARS - 4)]) / 4,
    }


def distance(stats: dict[str, float]) -> float:
    """Scaled distance to the target intervals (0 when every statistic is inside its interval)."""
    total = 0.0
    for name, (low, high) in TARGETS.items():
        value = stats[name]
        total += max(low - value, 0.0, value - high) / (high - low)
    return total


@dataclass
class Calibration:
    draws: pd.DataFrame  # one row per prior draw: parameters, statistics, distance, accepted
    accepted: pd.DataFrame
    estimates: dict[str, dict[str, float]]  # name -> median, q05, q95, prior low/high
    seed: int


def calibrate(
    draws: int = 400,
    accept: float = 0.05,
    seed: int = 2026,
    parameters: tuple[str, ...] = CALIBRATED,
    progress=None,
) -> Calibration:
    """Run the ABC rejection (see module docstring)."""
    rng = np.random.default_rng(seed)
    scenario = analogue_scenario()
    bounds = np.array([BY_NAME[p].range for p in parameters], float)
    samples = bounds[:, 0] + rng.random((draws, len(parameters))) * (bounds[:, 1] - bounds[:, 0])
    indices = range(draws) if progress is None else progress(range(draws))
    rows = []
    for k in indices:
        values = dict(zip(parameters, samples[k].tolist(), strict=True))
        model = WerklandschapModel(
            scenario.with_params(**values), rng=seeds.replication(seed, k), park_agents=False
        )
        model.run_to_end()
        stats = statistics(model.result().labelled, model.data.n_parks)
        rows.append({**values, **stats, "distance": distance(stats)})
    frame = pd.DataFrame(rows)
    n_accept = max(1, round(accept * draws))
    frame["accepted"] = False
    frame.loc[frame["distance"].nsmallest(n_accept).index, "accepted"] = True
    accepted = frame[frame["accepted"]]
    estimates = {
        p: {
            "median": float(accepted[p].median()),
            "q05": float(accepted[p].quantile(0.05)),
            "q95": float(accepted[p].quantile(0.95)),
            "prior_low": float(BY_NAME[p].range[0]),
            "prior_high": float(BY_NAME[p].range[1]),
        }
        for p in parameters
    }
    return Calibration(frame, accepted, estimates, seed)


def rounded(name: str, value: float) -> Any:
    """A calibrated value in the parameter's type, with 3 significant digits."""
    if BY_NAME[name].type is int:
        return round(value)
    return float(f"{value:.3g}")


def method_text(result: Calibration) -> str:
    """How the calibrated values were found, for the calibrated-values file."""
    return (
        f"ABC rejection on the KVO-B analogue: {len(result.draws)} prior draws, the "
        f"{len(result.accepted)} closest ({len(result.accepted) / len(result.draws):.0%}) "
        f"accepted, seed {result.seed}; value = median of the accepted draws "
        "(3 significant digits)"
    )


def write_calibrated(
    estimates: dict[str, dict[str, float]],
    method: str,
    path: Path = CALIBRATED_FILE,
    date: datetime.date | None = None,
) -> dict[str, dict[str, Any]]:
    """Record calibrated medians in the calibrated-values file (other entries are kept).

    Each entry: value (the rounded median), source, date (ISO), method and, when known, the
    accepted 5-95% range. The new file is checked against the spec's limits before it replaces
    the old one (atomically); the running process keeps the values it imported.
    """
    path = Path(path)
    unknown = sorted(set(estimates) - set(BY_NAME))
    if unknown:
        raise CalibrationFileError(f"{path}: unknown parameter(s): {', '.join(unknown)}")
    entries = dict(load_calibrated(path)) if path.exists() else {}
    document = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    document.setdefault("description", FILE_DESCRIPTION)
    when = (date or datetime.date.today()).isoformat()
    for name, est in estimates.items():
        entry = {"value": rounded(name, est["median"]), "source": SOURCE, "date": when}
        entry["method"] = method
        for key in ("q05", "q95"):
            if key in est:
                entry[f"accepted_{key}"] = float(f"{est[key]:.3g}")
        entries[name] = entry
    overlay_calibrated(UNCALIBRATED, entries, str(path))  # raises before anything is written
    order = {p.name: i for i, p in enumerate(UNCALIBRATED)}
    document["parameters"] = dict(sorted(entries.items(), key=lambda kv: order[kv[0]]))
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
    ) as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)  # atomic: a reader sees the old file or the new one
    return document["parameters"]


def markdown(result: Calibration) -> str:
    """docs/calibration.md: method, targets, accepted ranges."""
    frame, accepted = result.draws, result.accepted
    lines = [
        "# Calibration of organic diffusion",
        "",
        "Generated by `werklandschap calibrate`; method in `verification/calibration.py`. "
        "`werklandschap calibrate --write` records the calibrated values in "
        "`model/data/calibrated.json`, which the parameter spec overlays on its defaults.",
        "",
        f"Approximate Bayesian computation by rejection: {len(frame)} draws from uniform priors "
        f"over the spec's ranges, one run of the KVO-B analogue each (no programme, label "
        f"available from month 0, 14 years); the {len(accepted)} draws closest to the targets "
        f"are accepted (seed {result.seed}).",
        "",
        "| statistic | target (KVO-B) | accepted draws: median (5-95%) | all draws: median |",
        "|---|---|---|---|",
    ]
    for name, (low, high) in TARGETS.items():
        acc = accepted[name]
        lines.append(
            f"| `{name}` | {low:g}-{high:g} | {acc.median():.3g} ({acc.quantile(0.05):.3g}-"
            f"{acc.quantile(0.95):.3g}) | {frame[name].median():.3g} |"
        )
    inside = (frame["distance"] == 0).sum()
    lines += [
        "",
        f"{inside} of {len(frame)} draws hit both target intervals.",
        "",
        "| parameter | prior range | calibrated (median of accepted) | accepted 5-95% |",
        "|---|---|---|---|",
    ]
    for name, est in result.estimates.items():
        lines.append(
            f"| `{name}` | {est['prior_low']:g}-{est['prior_high']:g} | "
            f"{rounded(name, est['median'])} | {est['q05']:.3g}-{est['q95']:.3g} |"
        )
    lines += [
        "",
        "A narrow accepted range relative to the prior means the pattern identifies the parameter;",
        "a range close to the prior means it does not (it stays an uncertainty for the sensitivity",
        "analysis).",
    ]
    return "\n".join(lines) + "\n"
