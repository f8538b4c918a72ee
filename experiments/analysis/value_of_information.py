"""Value of information: which uncertain quantity, measured exactly, would narrow the answer most?

For an outcome Y (labelled parks at the end of 2031, or the indicator "target met") and an
uncertain input theta_i, the expected reduction of the variance of Y if theta_i were known
exactly is (law of total variance)

    EVR_i = Var(Y) - E[Var(Y | theta_i)] = Var(E[Y | theta_i]).

Inputs: the calibrated parameters drawn from the posterior (measuring them means learning which
part of the posterior is true) and the key assumptions drawn uniformly over their plausible
ranges (measuring them in the living labs). Runs: posterior-predictive runs of one scenario, run j
with particle j of `seeds.posterior(seed)`, the assumptions from a uniform sample seeded by
`seeds.sampler(seed)`, and run seed `seeds.replication(seed, j)`.

Estimator (quantile binning): sort the runs by theta_i, cut them into B bins of (nearly) equal
count, and take the size-weighted variance of the bin means minus the mean within-bin variance
divided by the mean bin size (the noise a bin mean carries), clipped at 0. Its biases: binning
treats E[Y | theta_i] as constant within a bin, which smooths it and biases EVR down when the
effect is steep or non-monotone (less so with more bins); the noise correction is unbiased for
constant within-bin means, but with few runs per bin the estimate is noisy (standard error of
the order of Var(Y) * sqrt(2 / B) / m for m runs per bin) and the clipping at 0 biases small
values up. With N runs we use B = clip(round(sqrt(N)), 5, 20) bins. A value is the share of
Var(Y) it explains (a first-order Sobol' index under the posterior); shares need not sum to 1
(interactions, correlated posterior parameters).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from werklandschap.model import seeds
from werklandschap.model.parameters import BY_NAME, PARAMETERS
from werklandschap.model.posterior import Posterior
from werklandschap.model.scenario import Scenario
from werklandschap.runs.predictive import particle_indices, with_particle

#: Outcomes the table reports: summary column -> words.
OUTCOMES = {"labelled_at_horizon": "labelled parks at the horizon", "target_met": "target met"}


def bins_for(n: int) -> int:
    """Number of quantile bins for `n` runs: round(sqrt(n)) clipped to 5..20."""
    return int(np.clip(round(np.sqrt(n)), 5, 20))


def explained_variance(x: np.ndarray, y: np.ndarray, bins: int | None = None) -> float:
    """Var(E[Y | X]) by quantile binning with the noise correction (module docstring)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    bins = min(bins or bins_for(y.size), max(y.size // 2, 1))  # >= 2 runs per bin
    order = np.argsort(x, kind="stable")
    groups = [y[part] for part in np.array_split(order, bins) if part.size >= 2]
    sizes = np.array([g.size for g in groups], float)
    means = np.array([g.mean() for g in groups])
    grand = float(np.sum(sizes * means) / sizes.sum())
    between = float(np.sum(sizes * (means - grand) ** 2) / sizes.sum())
    within = float(np.mean([g.var(ddof=1) for g in groups]))
    return max(between - within / sizes.mean(), 0.0)


@dataclass(frozen=True)
class Design:
    """Posterior-predictive runs with assumptions over their ranges."""

    inputs: pd.DataFrame  # one row per run: the value of every uncertain input
    seeds: np.ndarray  # run seeds
    calibrated: tuple[str, ...]
    assumptions: tuple[str, ...]


def key_assumptions() -> tuple[str, ...]:
    """Default assumptions: every numeric uncertainty the spec marks as an assumption, except
    those the calibration held fixed (`cost`): the posterior is conditional on them, and varying
    one alone would move the net hurdle the data pin down (docs/calibration.md)."""
    from werklandschap.verification.calibration import FIXED

    return tuple(
        p.name
        for p in PARAMETERS
        if p.kind == "uncertainty" and p.is_assumption and p.range is not None
        and p.name not in FIXED
    )  # fmt: skip


def design(
    posterior: Posterior, runs: int, seed: int, assumptions: Sequence[str] | None = None
) -> Design:
    """`runs` input rows: particle j of the posterior stream, assumptions uniform (floats) or
    uniform integers over the spec's ranges."""
    names = tuple(assumptions if assumptions is not None else key_assumptions())
    particles = particle_indices(posterior, runs, seed)
    frame = pd.DataFrame(posterior.particles[particles], columns=list(posterior.names))
    frame.insert(0, "particle", particles)
    u = np.random.default_rng(seeds.sampler(seed)).random((runs, len(names)))
    for j, name in enumerate(names):
        low, high = BY_NAME[name].range  # type: ignore[misc]
        if BY_NAME[name].type is int:
            frame[name] = np.floor(low + u[:, j] * (high - low + 1)).astype(int)
        else:
            frame[name] = low + u[:, j] * (high - low)
    run_seeds = np.array([seeds.replication(seed, j) for j in range(runs)])
    return Design(frame, run_seeds, tuple(posterior.names), names)


def run_design(
    scenario: Scenario, posterior: Posterior, plan: Design, progress=None
) -> pd.DataFrame:
    """Run every row of `plan`; the inputs with the summary outcomes of each run."""
    from werklandschap.model.model import run  # the one way runs call the model

    rows = []
    indices: Any = range(len(plan.inputs))
    if progress is not None:
        indices = progress(indices)
    for j in indices:
        row = plan.inputs.iloc[j]
        run_scenario = with_particle(scenario, posterior, int(row["particle"]))
        # Cast by the spec's type: a row of mixed columns holds integers as floats.
        values = {name: BY_NAME[name].type(row[name]) for name in plan.assumptions}
        run_scenario = run_scenario.with_params(**values)
        summary = run(run_scenario, int(plan.seeds[j])).summary()
        rows.append({name: summary[name] for name in OUTCOMES})
    return pd.concat([plan.inputs, pd.DataFrame(rows)], axis=1)


def voi_table(results: pd.DataFrame, inputs: Sequence[str], kinds: dict[str, str]) -> pd.DataFrame:
    """Per input: expected variance reduction of each outcome and its share, largest first."""
    rows = []
    for name in inputs:
        row: dict[str, Any] = {"input": name, "kind": kinds.get(name, "")}
        for outcome in OUTCOMES:
            y = results[outcome].astype(float).to_numpy()
            evr = explained_variance(results[name].to_numpy(float), y)
            total = float(y.var())
            row[f"evr_{outcome}"] = evr
            row[f"share_{outcome}"] = evr / total if total > 0 else np.nan
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sort_values(
        ["share_target_met", "share_labelled_at_horizon"], ascending=False, ignore_index=True
    )


def policy_sentence(table: pd.DataFrame, results: pd.DataFrame) -> str:
    """One sentence for policymakers: what to measure first."""
    by_labelled = table.sort_values("share_labelled_at_horizon", ascending=False).iloc[0]
    p = float(results["target_met"].astype(float).mean())
    top_p = table.iloc[0]
    words = BY_NAME[by_labelled["input"]].description.rstrip(".")
    if p in (0.0, 1.0):
        chance = (
            f"every run is on the same side of the target (P = {p:.0%}), so no measurement "
            "changes the chance within these runs"
        )
    else:
        chance = (
            f"for the chance of reaching the target it is `{top_p['input']}` "
            f"({top_p['share_target_met']:.0%} of its variance)"
        )
    return (
        f"Measuring `{by_labelled['input']}` ({words}) exactly would narrow the spread of the "
        f"number of labelled parks at the end of the horizon most: by an expected "
        f"{by_labelled['share_labelled_at_horizon']:.0%} of its variance; {chance}."
    )


def markdown(table: pd.DataFrame, results: pd.DataFrame, scenario: str, seed: int) -> str:
    """The report: method, table, sentence."""
    n = len(results)
    lines = [
        f"Value of information, scenario `{scenario}`: {n} posterior-predictive runs (seed "
        f"{seed}), calibrated parameters from the posterior, assumptions uniform over their "
        f"ranges; expected variance reduction Var(E[Y | input]) by quantile binning in "
        f"{bins_for(n)} bins with a noise correction (experiments/analysis/"
        "value_of_information.py states the estimator and its bias).",
        "",
        "| input | kind | labelled: EVR (parks²) | labelled: share | target met: EVR | "
        "target met: share |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| `{row.input}` | {row.kind} | {row.evr_labelled_at_horizon:,.0f} | "
            f"{row.share_labelled_at_horizon:.0%} | {row.evr_target_met:.4f} | "
            f"{_pct(row.share_target_met)} |"
        )
    lines += ["", policy_sentence(table, results)]
    return "\n".join(lines) + "\n"


def _pct(value: float) -> str:
    return f"{value:.0%}" if np.isfinite(value) else "–"


# --- `werklandschap voi` -----------------------------------------------------------------------

MARKER = ".werklandschap-voi"  # proof that `werklandschap voi` wrote a folder


def command(args: Any) -> int:
    """`werklandschap voi`: run the design, write voi.csv, voi.md and runs.csv (exit status)."""
    import shutil
    import sys
    from pathlib import Path

    from tqdm import tqdm

    from werklandschap.model.posterior import PosteriorFileError, load_posterior
    from werklandschap.model.scenario import load_scenario
    from werklandschap.runs.runs import OutputError, check_name, check_out

    def bad(message: str) -> int:
        print(f"werklandschap: error: {message}", file=sys.stderr)
        return 2

    scenario = load_scenario(args.scenario)
    assumptions = key_assumptions() if args.assumptions is None else tuple(args.assumptions)
    unknown = [n for n in assumptions if n not in BY_NAME or BY_NAME[n].range is None]
    if unknown:
        return bad(f"--assumptions: not numeric spec parameters: {', '.join(unknown)}")
    name = f"{scenario.name}-seed{args.seed}-n{args.runs}"
    folder = Path(args.out) / "value_of_information" / name
    try:
        check_name(scenario.name)
        check_out(folder)
        posterior = load_posterior()
    except (OutputError, PosteriorFileError) as exc:
        return bad(str(exc))
    if folder.exists() and not (args.overwrite and (folder / MARKER).is_file()):
        return bad(f"{folder} exists; use --overwrite to replace it (only a folder voi wrote)")
    plan = design(posterior, args.runs, args.seed, assumptions)
    results = run_design(scenario, posterior, plan, lambda r: tqdm(r, desc="voi", unit="run"))
    kinds = {n: "calibrated (posterior)" for n in plan.calibrated}
    kinds.update({n: "assumption (range)" for n in plan.assumptions})
    table = voi_table(results, [*plan.calibrated, *plan.assumptions], kinds)
    if folder.exists():  # checked again: the runs took a while, and only ours is replaced
        if folder.is_symlink() or not (folder / MARKER).is_file():
            return bad(f"{folder} was replaced during the runs and is not voi's; not deleting it")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("written by werklandschap voi\n")
    results.to_csv(folder / "runs.csv", index=False)
    table.to_csv(folder / "voi.csv", index=False)
    report = markdown(table, results, scenario.name, args.seed)
    (folder / "voi.md").write_text(report, encoding="utf-8")
    print(report.splitlines()[-1])
    print(f"  written to {folder}")
    return 0


def add_parser(sub: Any) -> None:
    """The `voi` subcommand (called from cli.py)."""
    from werklandschap.cli import _positive, _seed

    p = sub.add_parser(
        "voi",
        help="value of information: which uncertain input narrows the answer most",
        description="Posterior-predictive runs with the assumptions over their ranges; per "
        "input the expected variance reduction of labelled parks and of P(target met).",
    )
    p.add_argument("scenario", nargs="?", default="baseline", help="scenario (default: baseline)")
    p.add_argument("--runs", type=_positive, default=200, help="runs (default: 200)")
    p.add_argument("--seed", type=_seed, default=2026, help="seed (default: 2026)")
    p.add_argument("--out", default="results", help="output folder (default: results)")
    p.add_argument("--assumptions", nargs="*", help="assumptions to vary (default: all)")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier voi folder")
    p.set_defaults(func=command)
