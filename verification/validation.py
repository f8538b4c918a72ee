"""`werklandschap validation`: results/validation/ (report.md and figures; copied to
docs/validation.md only with --docs) — patterns, Bass fits, the mission answer, the parameters
that matter. Replication r of every scenario uses `seeds.replication(seed, r)` (model/seeds.py).

Sections (each value with its uncertainty over replications):
1. Patterns (pattern-oriented validation, Grimm et al. 2005): the KVO-B analogue (labelled share
   after 14 years, new parks per year), organisation stocks (BIZ, park management, any), Green
   Deal provinces ahead of the others, the programme ahead of the counterfactual. Pass/fail.
2. Bass fits: F(t) = m * Bass(t; p, q) fitted (least squares) to the mean adopter share
   (engaged + transforming + labelled) of the baseline and the counterfactual; p and q per year
   against the literature ranges p 0.01-0.03, q 0.2-0.4 (Sultan, Farley & Lehmann 1990).
3. The mission answer: P(>= 1,000 labelled by the end of 2031) in the baseline, with a 95% Wilson
   interval; the labelled count (median, 90% interval).
4. The most influential uncertainties: Morris mu* from a sensitivity results folder (run
   experiments/morris.yaml when none is given).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.optimize import curve_fit

from werklandschap.agents.park import Organisation
from werklandschap.model import seeds
from werklandschap.model.model import WerklandschapModel
from werklandschap.model.outcome_spec import fill
from werklandschap.runs.plots import OKABE_ITO, new_figure, s_curve
from werklandschap.runs.runs import run_replications
from werklandschap.runs.stats import wilson
from werklandschap.verification.bass import bass_curve
from werklandschap.verification.calibration import TARGETS, analogue_scenario, statistics
from werklandschap.verification.tipping_report import tipping_section

LITERATURE_P = (0.01, 0.03)
LITERATURE_Q = (0.2, 0.4)
MORRIS_FILE = Path(__file__).resolve().parent.parent / "experiments" / "morris.yaml"


def n_parks(result) -> int:
    """Number of business parks in a run (the drawn population, not a constant)."""
    return int(result.final_stage.size)


def at_horizon(series: np.ndarray, result) -> float:
    """Value of a monthly series at the run's horizon (the scenario's `horizon_months`)."""
    return series[int(result.params["horizon_months"])]


TARGET = "no: calibration target"  # fitted by `werklandschap calibrate`, so it must pass
INPUT = "no: input (drawn at initialisation)"  # the shares are parameters of the draw
BUILT_IN = "no: by construction"  # the programme's support is only in GD provinces / only adds


@dataclass
class Pattern:
    name: str
    target: str
    value: float
    low: float  # 90% interval over replications
    high: float
    passed: bool
    source: str
    #: why it is or is not evidence: "calibration target", "input", "by construction" or
    #: "independent" (only an independent pattern counts as validation)
    kind: str = "independent"


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    values = np.asarray(values, float)
    return float(values.mean()), float(np.percentile(values, 5)), float(np.percentile(values, 95))


def organisation_shares(replications: int, seed: int) -> dict[str, np.ndarray]:
    """Shares of BIZ, park management and any organisation in the drawn park populations."""
    shares: dict[str, list[float]] = {"biz": [], "park_management": [], "any": []}
    for r in range(replications):
        organisation = WerklandschapModel(
            "baseline", rng=seeds.replication(seed, r), park_agents=False
        ).park_state.organisation
        shares["biz"].append(np.mean(organisation == Organisation.BIZ))
        shares["park_management"].append(np.mean(organisation == Organisation.PARK_MANAGEMENT))
        shares["any"].append(np.mean(organisation != Organisation.NONE))
    return {k: np.array(v) for k, v in shares.items()}


def patterns(baseline, counterfactual, analogue, seed: int) -> list[Pattern]:
    stats = pd.DataFrame([statistics(r.labelled, n_parks(r)) for r in analogue])
    org = organisation_shares(len(baseline), seed)
    base_summary = pd.DataFrame([r.summary() for r in baseline])
    gap = base_summary["labelled_share_green_deal"] - base_summary["labelled_share_other"]
    effect = np.array(
        [
            at_horizon(b.labelled, b) - at_horizon(c.labelled, c)
            for b, c in zip(baseline, counterfactual, strict=True)
        ]
    )
    out = []
    for name, (low, high), label, source in (
        (
            "share_14y",
            TARGETS["share_14y"],
            "KVO-B analogue: labelled share after 14 years",
            "KVO-B ~550-650 certified parks after ~14 years (EVIDENCE)",
        ),
        (
            "new_per_year",
            TARGETS["new_per_year"],
            "KVO-B analogue: new labels per year (years 11-14)",
            "KVO-B: 44 first certifications in 2018 and 2019 (EVIDENCE)",
        ),
    ):
        mean, lo, hi = _interval(stats[name])
        passed = low <= mean <= high
        out.append(Pattern(label, f"{low:g}-{high:g}", mean, lo, hi, passed, source, TARGET))
    for key, (low, high), label, source in (
        ("biz", (0.015, 0.025), "BIZ on business parks (share)", "67 of ~3,650 parks end 2019"),
        ("park_management", (0.20, 0.30), "park management (share)", "~1,000 of ~3,960 parks"),
        ("any", (0.35, 0.50), "any organisation (share)", "35-50%, assumption (EVIDENCE)"),
    ):
        mean, lo, hi = _interval(org[key])
        passed = low <= mean <= high
        out.append(Pattern(label, f"{low:g}-{high:g}", mean, lo, hi, passed, source, INPUT))
    mean, lo, hi = _interval(gap)
    out.append(
        Pattern(
            "Green Deal provinces minus others: labelled share at 2031",
            "> 0",
            mean,
            lo,
            hi,
            lo > 0,
            "programme design: support concentrated in GD provinces",
            BUILT_IN,
        )
    )
    mean, lo, hi = _interval(effect)
    out.append(
        Pattern(
            "programme effect: baseline minus no_programme labelled at 2031",
            "> 0",
            mean,
            lo,
            hi,
            lo > 0,
            "the programme adds to organic diffusion",
            BUILT_IN,
        )
    )
    return out


def fit_bass(months: np.ndarray, share: np.ndarray) -> dict[str, float]:
    """Least-squares fit of m * Bass(t; p, q) (t in years) to an adoption share curve."""
    years = months / 12.0

    def model(t, p, q, m):
        return m * bass_curve(t, p, q)

    (p, q, m), _ = curve_fit(
        model,
        years,
        share,
        p0=(0.01, 0.3, max(share[-1], 0.05)),
        bounds=([1e-5, 0.0, 1e-3], [1.0, 3.0, 1.0]),
        maxfev=20000,
    )
    residual = share - model(years, p, q, m)
    r2 = 1 - np.sum(residual**2) / np.sum((share - share.mean()) ** 2)
    return {"p": float(p), "q": float(q), "m": float(m), "r2": float(r2)}


def sensitivity_table(
    folder: Path | None, out: Path, workers: int | None
) -> tuple[pd.DataFrame, Path]:
    """Morris mu* of labelled-at-2031 from `folder`, or from a new run of morris.yaml."""
    if folder is None:
        from werklandschap.experiments.runner import run_experiment

        folder = run_experiment(MORRIS_FILE, out=out, workers=workers, quiet=True)
    table = Path(folder) / "morris_labelled_at_horizon.csv"
    if not table.is_file():
        raise FileNotFoundError(f"no Morris results in {folder} (expected {table.name})")
    return pd.read_csv(table).sort_values("mu_star", ascending=False), Path(folder)


def _save(fig: Figure, out: Path, name: str) -> str:
    fig.savefig(out / f"validation_{name}.png", dpi=120)
    return f"validation_{name}.png"


def _figures(baseline, counterfactual, analogue, adopters, fits, out: Path) -> dict[str, str]:
    out.mkdir(parents=True, exist_ok=True)
    names = {}
    fig = new_figure(6.5, 3.8)
    ax = fig.subplots()
    shares = np.array([r.labelled / n_parks(r) for r in analogue])
    years = np.arange(shares.shape[1]) / 12
    blue = OKABE_ITO["blue"]
    ax.fill_between(
        years, *np.percentile(shares, [5, 95], axis=0), alpha=0.3, linewidth=0, color=blue
    )
    ax.plot(
        years,
        shares.mean(axis=0),
        color=blue,
        label="model: no programme, label from year 0 (mean, 5–95% band)",
    )
    ax.plot(
        years,
        44 * years / n_parks(analogue[0]),
        "k--",
        linewidth=1,
        label="KVO-B pace: 44 parks a year",
    )
    ax.axhspan(*TARGETS["share_14y"], xmin=0.9, color="k", alpha=0.15, label="KVO-B stock, year 14")
    ax.set_xlabel("time since the label became available (years)")
    ax.set_ylabel("labelled parks (share of all parks, 0–1)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    names["kvo_b"] = _save(fig, out, "kvo_b")

    fig = new_figure(6.5, 3.8)
    ax = fig.subplots()
    for label, colour in (("baseline", OKABE_ITO["blue"]), ("no_programme", OKABE_ITO["orange"])):
        share = adopters[label]
        months = np.arange(share.size)
        f = fits[label]
        ax.plot(2023 + months / 12, share, color=colour, label=f"{label}: adopters (model)")
        ax.plot(
            2023 + months / 12,
            f["m"] * bass_curve(months / 12, f["p"], f["q"]),
            ":",
            color=colour,
            label=f"Bass fit p={f['p']:.3f}, q={f['q']:.2f}",
        )
    ax.set_xlabel("year")
    ax.set_ylabel("adopters: parks engaged or beyond\n(share of all parks, 0–1)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    names["bass"] = _save(fig, out, "bass")

    fig = new_figure(6.5, 3.8)
    ax = fig.subplots()
    s_curve(baseline, ax, label="baseline: median, 5–95% band", colour=OKABE_ITO["blue"])
    s_curve(
        counterfactual, ax, label="no_programme: median, 5–95% band", colour=OKABE_ITO["orange"]
    )
    ax.legend(fontsize=8)
    names["mission"] = _save(fig, out, "mission")
    return names


def _answer_section(baseline, counterfactual, seed: int, replications: int, mission: str):
    """The report's title and the mission answer: P(target at the horizon) with its interval."""
    labelled = np.array([at_horizon(r.labelled, r) for r in baseline])
    params = baseline[0].params
    met = int(np.sum(labelled >= params["target_parks"]))
    low, high = wilson(met, len(baseline))
    return [
        "# Validation report",
        "",
        f"Generated by `werklandschap validation` (seed {seed}, {replications} replications per "
        "scenario); method in `verification/validation.py`. Values are means with 90% intervals "
        "over replications.",
        "",
        "## The answer",
        "",
        fill(
            "**P(≥ {target} labelled parks by the end of {horizon_year}) in the baseline: ", params
        )
        + f"{met / len(baseline):.0%}** "
        f"(95% Wilson interval {low:.0%}–{high:.0%}, {len(baseline)} runs). Labelled at the end of "
        + fill("{horizon_year}", params)
        + f": median {np.median(labelled):,.0f} (90% interval {np.percentile(labelled, 5):,.0f}–"
        f"{np.percentile(labelled, 95):,.0f}); without the programme "
        f"{np.median([at_horizon(r.labelled, r) for r in counterfactual]):,.0f}.",
        "",
        f"![baseline and counterfactual](img/{mission})",
        "",
    ]


def _patterns_section(found: list[Pattern], figure: str) -> list[str]:
    """One table row per pattern with its pass/fail."""
    lines = [
        "## Patterns",
        "",
        "Each pattern says whether it counts as validation: a calibration target, an input of "
        "the initial draw or a pattern that holds by construction must pass and is no evidence; "
        "only an independent pattern is.",
        "",
        "| pattern | target | model (mean, 90% interval) | pass | counts as validation? | source |",
        "|---|---|---|---|---|---|",
    ]
    for pat in found:
        lines.append(
            f"| {pat.name} | {pat.target} | {pat.value:.3g} ({pat.low:.3g}–{pat.high:.3g}) "
            f"| {'pass' if pat.passed else '**fail**'} | {pat.kind} | {pat.source} |"
        )
    return [*lines, "", f"![KVO-B analogue](img/{figure})", ""]


def _bass_section(fits: dict[str, dict[str, float]], figure: str) -> list[str]:
    """The fitted p, q, m per scenario against the literature ranges."""
    lines = [
        "## Bass fits",
        "",
        "F(t) = m · Bass(t; p, q) fitted to the mean share of adopters (engaged or beyond); "
        f"literature: p {LITERATURE_P[0]}–{LITERATURE_P[1]}, q {LITERATURE_Q[0]}–"
        f"{LITERATURE_Q[1]} per year (Sultan, Farley & Lehmann 1990).",
        "",
        "| scenario | p per year | q per year | m | R² | p in range | q in range |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, f in fits.items():
        p_ok = LITERATURE_P[0] <= f["p"] <= LITERATURE_P[1]
        q_ok = LITERATURE_Q[0] <= f["q"] <= LITERATURE_Q[1]
        lines.append(
            f"| {name} | {f['p']:.4f} | {f['q']:.3f} | {f['m']:.2f} | {f['r2']:.3f} | "
            f"{'yes' if p_ok else 'no'} | {'yes' if q_ok else 'no'} |"
        )
    return [*lines, "", f"![Bass fits](img/{figure})", ""]


def _sensitivity_section(table: pd.DataFrame, morris_folder, params) -> list[str]:
    """The ten largest Morris mu* of labelled parks at the horizon."""
    lines = [
        "## What matters most",
        "",
        f"Morris screening of every uncertainty and lever (results in `{morris_folder}`), "
        + fill("output: labelled parks at the end of {horizon_year}", params)
        + "; μ* = mean absolute elementary effect (parks), with its bootstrap 95% half-width.",
        "",
        "| rank | parameter | μ* | ± | σ |",
        "|---|---|---|---|---|",
    ]
    for rank, row in enumerate(table.head(10).itertuples(), start=1):
        lines.append(
            f"| {rank} | `{row.factor}` | {row.mu_star:.3g} | {row.mu_star_conf:.2g} | "
            f"{row.sigma:.3g} |"
        )
    return lines


def build_report(
    replications: int = 100,
    seed: int = 2026,
    sensitivity: Path | None = None,
    out: Path = Path("results/validation"),
    results: Path = Path("results"),
    workers: int | None = None,
) -> Path:
    """Run what the report needs and write `out`/validation.md with its figures in `out`/img/.

    `werklandschap validation --docs` copies both into docs/; this function never writes there
    unless `out` says so."""
    baseline = run_replications("baseline", seed, replications)
    counterfactual = run_replications("no_programme", seed, replications)
    analogue = run_replications(analogue_scenario(), seed, max(10, replications // 5))
    found = patterns(baseline, counterfactual, analogue, seed)
    adopters = {  # mean share of parks engaged or beyond, per month
        name: np.mean([r.adopters / n_parks(r) for r in results], axis=0)
        for name, results in (("baseline", baseline), ("no_programme", counterfactual))
    }
    fits = {name: fit_bass(np.arange(share.size), share) for name, share in adopters.items()}
    table, morris_folder = sensitivity_table(sensitivity, results, workers)
    figures = _figures(baseline, counterfactual, analogue, adopters, fits, out / "img")
    lines = [
        *_answer_section(baseline, counterfactual, seed, replications, figures["mission"]),
        *_patterns_section(found, figures["kvo_b"]),
        *_bass_section(fits, figures["bass"]),
        *tipping_section({"baseline": baseline, "no_programme": counterfactual}),
        *_sensitivity_section(table, morris_folder, baseline[0].params),
    ]
    out.mkdir(parents=True, exist_ok=True)
    path = out / "validation.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
