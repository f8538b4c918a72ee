"""`werklandschap calibrate`: fit organic diffusion and organisation to real series by ABC-SMC.

Method: sequential approximate Bayesian computation (ABC-SMC, Toni et al. 2009; Beaumont et al.
2009) with pyabc, on the project's executors (verification/abc_smc.py). Prior: uniform over the
spec's plausible ranges of the calibrated parameters (`CALIBRATED`). Each particle runs the
*analogue scenario* once - the no_programme counterfactual with the area label available from the
start, as KVO-B was from January 2005, for 15 years to the end of 2019 - and yields the statistics
of verification/abc_series.py (KVO-B first-time and (re)certifications 2018-2019, the certified
stock 2019, the park-management share, new BIZ per year), each with its own documented distance.
The KVO-B stock of October 2010 is held out and predicted (docs/validation.md).

Confound removed: the utility compares `own motive + peer term - cost` with a threshold drawn
around `threshold_mean`, so `cost` and `threshold_mean` enter only as their sum in the analogue
(no programme, no maturity): they cannot be told apart (correlation -0.85 among the accepted
draws of the earlier rejection fit). `cost` is fixed at its spec default (`FIXED`) and
`threshold_mean` is calibrated: it then stands for the net hurdle `threshold_mean + cost - 0.15`.

Outputs: `results/calibration/` (`--out`): posterior.json (particles, weights, the data, code
version, library version, seed, generations, epsilons, population, wall time), calibration.md,
particles.csv and pyabc's SQLite database. `--write` replaces the shipped model/data/posterior.json
and puts the posterior medians into model/data/calibrated.json (value, source, date, method),
which the parameter spec overlays on its defaults at import; `--docs` also updates
docs/calibration.md and docs/parameters.md. No Python source is rewritten.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from werklandschap.model.parameters import (
    BY_NAME,
    CALIBRATED_FILE,
    UNCALIBRATED,
    CalibrationFileError,
    load_calibrated,
    overlay_calibrated,
)
from werklandschap.model.posterior import POSTERIOR_FILE, Posterior
from werklandschap.model.scenario import Scenario, load_scenario
from werklandschap.verification import abc_series as S
from werklandschap.verification import abc_smc as smc

#: The calibrated parameters, declared once (one line each to add). `biz_formation_rate` (organic
#: BIZ formation) joins, with the BIZ series, as soon as the spec has it.
CALIBRATED: tuple[str, ...] = tuple(
    name
    for name in (
        "awareness_base_rate",
        "peer_awareness_rate",
        "threshold_mean",
        "peer_weight",
        "share_park_management",
        "biz_formation_rate",
    )
    if name in BY_NAME
)
_UNCALIBRATED = {p.name: p for p in UNCALIBRATED}
#: Fixed during calibration to remove a confound (module docstring): the spec's own default.
FIXED: dict[str, float] = {"cost": float(_UNCALIBRATED["cost"].default)}
YEARS = S.YEARS
#: Defaults sized for <= ~10 minutes on 2 free cores (docs/calibration.md, Budget).
POPULATION = 1000
GENERATIONS = 6
SOURCE = "calibrated: ABC-SMC posterior median on KVO-B, park management (docs/calibration.md)"
FILE_DESCRIPTION = (
    "Calibrated parameter values. Written by `werklandschap calibrate --write`; at import, "
    "model/parameters.py replaces the default and source of each parameter named here with its "
    "value and source."
)


#: The KVO-B pattern summaries of the validation report (verification/validation.py), kept for it:
#: the calibration itself fits the series of verification/abc_series.py.
TARGETS = {"share_14y": (0.15, 0.18), "new_per_year": (30.0, 60.0)}


def statistics(labelled: np.ndarray, n_parks: int) -> dict[str, float]:
    """The validation report's summaries of a labelled-parks series: labelled share after 14
    years (month 168) and new labels per year over years 11-14."""
    return {
        "share_14y": labelled[168] / n_parks,
        "new_per_year": (labelled[168] - labelled[120]) / 4,
    }


def distance(stats: dict[str, float]) -> float:
    """Scaled distance of `statistics` to `TARGETS` (0 inside every interval)."""
    total = 0.0
    for name, (low, high) in TARGETS.items():
        total += max(low - stats[name], 0.0, stats[name] - high) / (high - low)
    return total


def analogue_scenario(base: Scenario | None = None) -> Scenario:
    """No programme, label available from month 0 (January 2005), 15 years: the KVO-B analogue."""
    base = base or load_scenario("no_programme")
    return base.with_params(
        name="kvo_b_analogue",
        horizon_months=12 * YEARS,
        after_horizon_months=0,
        label_fallback_month=0,
    )


@dataclass
class Calibration:
    """A finished calibration: pyabc's final population and the posterior as data."""

    result: smc.SmcResult
    posterior: Posterior

    @property
    def estimates(self) -> dict[str, dict[str, float]]:
        """Per parameter: weighted median, 5% and 95% quantiles, prior bounds."""
        q05, q25, q50 = (self.posterior.quantile(q) for q in (0.05, 0.25, 0.5))
        q75, q95 = self.posterior.quantile(0.75), self.posterior.quantile(0.95)
        return {
            n: {
                "median": q50[n],
                "q05": q05[n],
                "q25": q25[n],
                "q75": q75[n],
                "q95": q95[n],
                "prior_low": float(BY_NAME[n].range[0]),
                "prior_high": float(BY_NAME[n].range[1]),
            }
            for n in self.posterior.names
        }


def git_commit() -> str | None:
    """The commit of the checkout this code runs from (None outside a git checkout)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def observed_data(result: smc.SmcResult, statistics=S.STATISTICS) -> dict[str, Any]:
    """The data block of the posterior file: every datum, which series were fitted."""
    return {
        "statistics": {
            s.name: {
                "series": s.series,
                "observed": s.observed,
                "interval": s.interval,
                "source": s.source,
            }
            for s in statistics
        },
        "fitted_series": list(result.fitted),
        "held_out_series": [
            s for s in dict.fromkeys(x.series for x in statistics) if s not in result.fitted
        ],
        "fixed": FIXED,
        "analogue": "no_programme, label from month 0 = January 2005, 15 years",
        "particle_statistics": result.particle_statistics,
    }


def to_posterior(result: smc.SmcResult, statistics=S.STATISTICS) -> Posterior:
    """The posterior as data, with its provenance (model/posterior.py)."""
    import pyabc

    from werklandschap import __version__

    return Posterior(
        names=result.names,
        particles=result.particles,
        weights=result.weights,
        data=observed_data(result, statistics),
        provenance={
            "method": "ABC-SMC (pyabc ConcurrentFutureSampler; verification/abc_smc.py)",
            "library": f"pyabc {pyabc.__version__}",
            "code_version": __version__,
            "git_commit": git_commit(),
            "seed": result.seed,
            "population": result.population,
            "generations": result.generations,
            "epsilons": result.epsilons,
            "simulations": result.simulations,
            "wall_seconds": round(result.seconds, 1),
            "database": result.database,
            "date": datetime.date.today().isoformat(),
        },
    )


def calibrate(
    population: int = POPULATION,
    generations: int = GENERATIONS,
    seed: int = 2026,
    out: Path = Path("results/calibration"),
    workers: int | None = None,
    scheduler: Any = None,
    parameters: tuple[str, ...] = CALIBRATED,
    held_out: tuple[str, ...] = S.HELD_OUT,
    simulator: smc.Simulator | None = None,
    statistics: tuple[S.Statistic, ...] = S.STATISTICS,
) -> Calibration:
    """Run the ABC-SMC (module docstring); pyabc's database goes to `out`. `workers`: processes
    of the local pool (default: one per core); `scheduler`: a Dask address or client."""
    if workers is None:
        from werklandschap.experiments.executors import default_workers

        workers = default_workers()
    bounds = {p: tuple(map(float, BY_NAME[p].range)) for p in parameters}
    fixed = {k: v for k, v in FIXED.items() if k not in parameters}
    result = smc.run_smc(
        simulator or smc.AnalogueSimulator(seed, fixed),
        bounds,
        S.fitted(parameters, held_out),
        population=population,
        generations=generations,
        seed=seed,
        database=Path(out) / f"abc-seed{seed}.db",
        workers=workers,
        scheduler=scheduler,
        statistics=statistics,
    )
    return Calibration(result, to_posterior(result, statistics))


def from_posterior(posterior: Posterior) -> Calibration:
    """A finished calibration rebuilt from its posterior file (to regenerate reports)."""
    prov, data = posterior.provenance, posterior.data
    result = smc.SmcResult(
        names=posterior.names,
        particles=posterior.particles,
        weights=posterior.weights,
        particle_statistics=data["particle_statistics"],
        epsilons=list(prov["epsilons"]),
        simulations=int(prov["simulations"]),
        seconds=float(prov["wall_seconds"]),
        generations=int(prov["generations"]),
        population=int(prov["population"]),
        seed=int(prov["seed"]),
        fitted=tuple(data["fitted_series"]),
        database=str(prov.get("database", "")),
    )
    return Calibration(result, posterior)


def weighted_correlation(posterior: Posterior) -> np.ndarray:
    """Weighted correlation matrix of the particles (parameters x parameters)."""
    x, w = posterior.particles, posterior.weights
    centred = x - w @ x
    cov = (centred * w[:, None]).T @ centred
    sd = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
    return cov / np.outer(sd, sd)


def rounded(name: str, value: float) -> Any:
    """A calibrated value in the parameter's type, with 3 significant digits."""
    if BY_NAME[name].type is int:
        return round(value)
    return float(f"{value:.3g}")


def method_text(calibration: Calibration) -> str:
    """How the calibrated values were found, for the calibrated-values file."""
    r = calibration.result
    return (
        f"ABC-SMC (pyabc) on the KVO-B analogue and the park-management share: population "
        f"{r.population}, {r.generations} generations, seed {r.seed}; value = weighted posterior "
        "median (3 significant digits)"
    )


def write_calibrated(
    estimates: dict[str, dict[str, float]],
    method: str,
    path: Path = CALIBRATED_FILE,
    date: datetime.date | None = None,
    remove: tuple[str, ...] = (),
) -> dict[str, dict[str, Any]]:
    """Record calibrated medians in the calibrated-values file (other entries are kept, those in
    `remove` - parameters now fixed - are dropped).

    Each entry: value (the rounded median), source, date (ISO), method and, when known, the
    5-95% range. The new file is checked against the spec's limits before it replaces the old
    one (atomically); the running process keeps the values it imported.
    """
    path = Path(path)
    unknown = sorted(set(estimates) - set(BY_NAME))
    if unknown:
        raise CalibrationFileError(f"{path}: unknown parameter(s): {', '.join(unknown)}")
    entries = dict(load_calibrated(path)) if path.exists() else {}
    for name in remove:
        entries.pop(name, None)
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


def _weighted_quantile(values: list[float], weights: np.ndarray, q: float) -> float:
    order = np.argsort(values, kind="stable")
    k = min(int(np.searchsorted(np.cumsum(weights[order]), q)), len(values) - 1)
    return float(np.asarray(values)[order[k]])


def markdown(calibration: Calibration) -> str:
    """The calibration report (docs/calibration.md is this plus the hand-written method text)."""
    r, post = calibration.result, calibration.posterior
    stats = r.particle_statistics
    lines = [
        "## Result",
        "",
        f"ABC-SMC with pyabc: population {r.population}, {r.generations} generations, seed "
        f"{r.seed}; {r.simulations} simulations in {r.seconds:.0f} s "
        f"({r.simulations / max(r.seconds, 1e-9):.1f} simulations/s); effective sample size "
        f"{post.effective_size:.0f}. Epsilons: {', '.join(f'{e:.3g}' for e in r.epsilons)}.",
        f"Fitted series: {', '.join(f'`{s}`' for s in r.fitted)}; recorded in "
        "`model/data/calibrated.json` (medians) and `model/data/posterior.json` (particles) "
        "with `--write`.",
        "",
        "| statistic | series | datum | posterior predictive median (5-95%) | fitted |",
        "|---|---|---|---|---|",
    ]
    for s in S.STATISTICS:
        values = stats[s.name]
        lo, mid, hi = (_weighted_quantile(values, post.weights, q) for q in (0.05, 0.5, 0.95))
        fitted = "yes" if s.series in r.fitted else "held out"
        lines.append(
            f"| `{s.name}` | {s.series} | {s.target} | {mid:.3g} ({lo:.3g}-{hi:.3g}) | {fitted} |"
        )
    lines += [
        "",
        "| parameter | prior range | posterior median | 50% interval | 90% interval |",
        "|---|---|---|---|---|",
    ]
    for name, e in calibration.estimates.items():
        lines.append(
            f"| `{name}` | {e['prior_low']:g}-{e['prior_high']:g} | {rounded(name, e['median'])} "
            f"| {e['q25']:.3g}-{e['q75']:.3g} | {e['q05']:.3g}-{e['q95']:.3g} |"
        )
    corr = weighted_correlation(post)
    names = post.names
    lines += [
        "",
        "Posterior correlations:",
        "",
        "| | " + " | ".join(f"`{n}`" for n in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for i, n in enumerate(names):
        lines.append(
            f"| `{n}` | " + " | ".join(f"{corr[i, j]:+.2f}" for j in range(len(names))) + " |"
        )
    fixed = ", ".join(f"`{k}` = {v:g}" for k, v in FIXED.items() if k not in names)
    if fixed:
        lines += [
            "",
            "Fixed during calibration (the threshold/cost confound, see 'What is fitted'): "
            f"{fixed}.",
        ]
    return "\n".join(lines) + "\n"


def write_outputs(calibration: Calibration, out: Path) -> list[Path]:
    """posterior.json, particles.csv and calibration.md into `out`; the paths written."""
    import pandas as pd

    from werklandschap.model.posterior import save_posterior

    out.mkdir(parents=True, exist_ok=True)
    post = calibration.posterior
    frame = pd.DataFrame(post.particles, columns=list(post.names))
    frame["weight"] = post.weights
    for name, values in calibration.result.particle_statistics.items():
        frame[name] = values
    frame.to_csv(out / "particles.csv", index=False)
    (out / "calibration.md").write_text(markdown(calibration), encoding="utf-8")
    return [
        save_posterior(post, out / "posterior.json"),
        out / "particles.csv",
        out / "calibration.md",
    ]


__all__ = ["CALIBRATED", "FIXED", "POSTERIOR_FILE", "Calibration", "analogue_scenario", "calibrate"]
