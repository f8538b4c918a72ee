"""Posterior-predictive runs: parameter sets from the calibration posterior, seeds per set.

Design "D draws x S seeds per draw": replication r of a job seeded with `seed` uses

- the parameter set of draw `d = r // S`: particle `particles[d]` of the posterior, drawn by
  weighted resampling with the stream `seeds.posterior(seed)` (the same call as
  `Posterior.draw`, so draw d is the same whatever the number of draws);
- the run seed `seeds.replication(seed, r)` (the replication stream, as without a posterior),
  so two scenarios run with the same seed share both their parameter sets and their seeds.

The variance of an outcome Y over the runs splits by the law of total variance,

    Var(Y) = Var_theta(E[Y | theta]) + E_theta[Var(Y | theta)]
           =  parametric part         +  stochastic part,

estimated from the D x S table: the stochastic part is the mean within-draw variance W
(ddof 1), the parametric part the variance of the draw means minus W / S (the unbiased
one-way random-effects estimator, clipped at 0). For the indicator "target met" (Y in {0, 1})
this is p(1 - p) = Var(P(theta)) + E[P(theta)(1 - P(theta))].

The chance P(>= target) is the posterior-predictive mean of the indicator (the share of runs
meeting the target). Its interval is a 90% credible interval of the chance P(theta) over the
posterior, so it includes the parametric uncertainty: from the labelled counts, a normal model
per parameter set (each set's chance from its mean and the pooled run-to-run sd, the means
adjusted for their seed noise by constrained Bayes); from the indicator alone, a mixture of
Jeffreys Beta posteriors per set (wider). `chance` states both. The Monte Carlo error of P
itself is reported separately by a bootstrap over draws (resampling whole draws with their
seeds, which keeps the D x S structure).
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from werklandschap.model import seeds
from werklandschap.model.posterior import Posterior
from werklandschap.model.scenario import Scenario

LEVEL = 0.90  # credible level of the reported intervals
MIXTURE_SAMPLES = 4000  # Monte Carlo samples of the Beta mixture / bootstrap
DEFAULT_PER_DRAW = 4  # seeds per parameter set when the caller does not say


def load_checked_posterior(path: Any = None) -> Posterior:
    """The posterior file (default: the shipped one), refused with `PosteriorFileError` (one
    line) unless every parameter it names is a numeric parameter of the spec."""
    from werklandschap.model.parameters import BY_NAME
    from werklandschap.model.posterior import PosteriorFileError, load_posterior

    posterior = load_posterior(path)
    unknown = [n for n in posterior.names if n not in BY_NAME or BY_NAME[n].range is None]
    if unknown:
        raise PosteriorFileError(
            f"posterior file names parameters the spec does not have (or not numeric): "
            f"{', '.join(unknown)}"
        )
    return posterior


def particle_indices(posterior: Posterior, n: int, seed: int) -> np.ndarray:
    """Indices of the particles of the first `n` draws of a job seeded with `seed`.

    The same call as `Posterior.draw(n, seeds.posterior(seed))`, so the parameter sets are
    those `draw` gives; with replacement, by the weights; a prefix of a longer draw.
    """
    rng = seeds.posterior(seed)
    return rng.choice(posterior.size, size=n, replace=True, p=posterior.weights)


def parameter_set(posterior: Posterior, particle: int) -> dict[str, float]:
    """The parameter values of particle `particle` (spec names -> float)."""
    return dict(zip(posterior.names, map(float, posterior.particles[particle]), strict=True))


def with_particle(scenario: Scenario, posterior: Posterior, particle: int) -> Scenario:
    """`scenario` with the values of `particle`, except those the scenario sets itself."""
    own = scenario.overrides
    values = {k: v for k, v in parameter_set(posterior, particle).items() if k not in own}
    return scenario.with_params(**values)


def default_per_draw(replications: int) -> int:
    """Seeds per parameter set: DEFAULT_PER_DRAW, or 1 with fewer than 2 x that many runs
    (too few draws to split the variance otherwise)."""
    return DEFAULT_PER_DRAW if replications >= 2 * DEFAULT_PER_DRAW else 1


def posterior_digest(posterior: Posterior) -> str:
    """A short SHA-256 of the particles, weights and names (identifies the posterior used)."""
    text = json.dumps(
        [list(posterior.names), posterior.particles.tolist(), posterior.weights.tolist()]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PredictivePlan:
    """Which parameter set each replication of a posterior-predictive job uses."""

    posterior: Posterior
    seed: int
    replications: int
    per_draw: int

    def __post_init__(self) -> None:
        if self.per_draw < 1:
            raise ValueError(f"seeds per draw must be >= 1, got {self.per_draw}")

    @property
    def draws(self) -> int:
        """Number of parameter sets D = ceil(replications / per_draw)."""
        return -(-self.replications // self.per_draw)

    def draw_of(self, replication: int) -> int:
        """The draw (0..D-1) replication `replication` belongs to."""
        return replication // self.per_draw

    @functools.cached_property
    def _particles(self) -> np.ndarray:
        return particle_indices(self.posterior, self.draws, self.seed)

    def particles(self) -> np.ndarray:
        """Particle index of every draw (length D; drawn once per plan)."""
        return self._particles

    def scenario_for(self, scenario: Scenario, replication: int) -> Scenario:
        """`scenario` with the parameter set of `replication`'s draw (same name).

        A calibrated parameter that the scenario itself sets (differs from the default) keeps
        the scenario's value: a scenario that fixes it asks a question about that value.
        """
        particle = int(self.particles()[self.draw_of(replication)])
        return with_particle(scenario, self.posterior, particle)

    def columns(self) -> pd.DataFrame:
        """Per replication: `draw` and `particle` (the columns added to the summary)."""
        r = np.arange(self.replications)
        draw = r // self.per_draw
        return pd.DataFrame({"draw": draw, "particle": self.particles()[draw]})

    def identity(self) -> dict[str, Any]:
        """What a resumed job must share: the posterior (digest) and the seeds per draw."""
        return {"posterior": posterior_digest(self.posterior), "per_draw": self.per_draw}


# --- experiments: the `posterior` and `seeds_per_draw` options -------------------------------

#: Option keys an experiment type with posterior sampling accepts (YAML types, spec.py checks).
EXPERIMENT_KEYS: dict[str, Any] = {"posterior": bool, "seeds_per_draw": int}


def experiment_options(where: str, opts: dict[str, Any]) -> dict[str, Any]:
    """Resolve `posterior` (default: on when the shipped posterior file loads; a notice
    otherwise) and `seeds_per_draw` (>= 1) of an experiment file's options, in place."""
    import sys

    from werklandschap.experiments.spec import ExperimentError
    from werklandschap.model.posterior import PosteriorFileError

    asked = opts.get("posterior")
    per_draw = opts.get("seeds_per_draw")
    if per_draw is not None and per_draw < 1:
        raise ExperimentError(f"{where}: seeds_per_draw = {per_draw} should be >= 1")
    if asked is False:
        opts["posterior"] = False
        return opts
    try:
        load_checked_posterior()
    except PosteriorFileError as exc:
        if asked:
            raise ExperimentError(f"{where}: posterior: true, but {exc}") from None
        print(f"werklandschap: note: {exc}; fixed parameters", file=sys.stderr)
        opts["posterior"] = False
        return opts
    opts["posterior"] = True
    return opts


def experiment_plan(spec: Any, replications: int) -> PredictivePlan | None:
    """The plan of an experiment whose options say `posterior: true` (None otherwise);
    `replications` per design point, seeded by the experiment seed."""
    from werklandschap.model.posterior import load_posterior

    if not spec.options.get("posterior"):
        return None
    per_draw = spec.options.get("seeds_per_draw") or default_per_draw(replications)
    return PredictivePlan(load_posterior(), spec.seed, replications, per_draw)


def design_columns(plan: PredictivePlan, replication: int, used: Scenario) -> dict[str, Any]:
    """Design-table columns of a run: its draw, particle and the values of the calibrated
    parameters the run `used` (the drawn ones, or the scenario's own where it sets them)."""
    draw = plan.draw_of(replication)
    particle = int(plan.particles()[draw])
    return {
        "draw": draw,
        "particle": particle,
        **{name: used.params[name] for name in plan.posterior.names},
    }


# --- the variance split and the chance with its interval ---------------------------------------


@dataclass(frozen=True)
class VarianceSplit:
    """Law-of-total-variance split of one outcome over a draws x seeds table."""

    mean: float
    total: float  # parametric + stochastic
    parametric: float  # Var(E[Y | theta]), unbiased, clipped at 0
    stochastic: float  # E[Var(Y | theta)]
    draws: int
    per_draw: float  # mean seeds per draw

    @property
    def parametric_share(self) -> float:
        """Parametric part / total (nan when the total is 0)."""
        return self.parametric / self.total if self.total > 0 else float("nan")


def _groups(values: np.ndarray, draws: np.ndarray) -> list[np.ndarray]:
    return [values[draws == d] for d in np.unique(draws)]


def variance_split(values: np.ndarray, draws: np.ndarray) -> VarianceSplit:
    """Split the variance of `values` (one per run) by the parameter draw of each run.

    Needs >= 2 runs in some draw for the stochastic part (draws with one run add to the
    between part only); unbalanced draws use the mean group size for the W / S correction.
    """
    values = np.asarray(values, float)
    draws = np.asarray(draws)
    groups = _groups(values, draws)
    sizes = np.array([g.size for g in groups])
    multi = [g for g in groups if g.size >= 2]
    within = float(np.mean([g.var(ddof=1) for g in multi])) if multi else 0.0
    means = np.array([g.mean() for g in groups])
    s = float(sizes.mean())
    between_raw = float(means.var(ddof=1)) if means.size >= 2 else 0.0
    parametric = max(between_raw - within / s, 0.0)
    return VarianceSplit(
        mean=float(values.mean()),
        total=parametric + within,
        parametric=parametric,
        stochastic=within,
        draws=len(groups),
        per_draw=s,
    )


@dataclass(frozen=True)
class Chance:
    """P(outcome met) under the posterior, with its credible and Monte Carlo intervals."""

    p: float
    low: float  # credible interval of the chance P(theta) over the posterior (Beta mixture)
    high: float
    mc_low: float  # bootstrap over draws: Monte Carlo accuracy of p
    mc_high: float
    split: VarianceSplit  # of the indicator: parametric + stochastic = p (1 - p)


def chance(
    met: np.ndarray,
    draws: np.ndarray,
    seed: int,
    level: float = LEVEL,
    labelled: np.ndarray | None = None,
    target: float | None = None,
) -> Chance:
    """The chance that the indicator `met` holds (one bool per run, grouped by `draws`).

    Credible interval of the chance P(theta) over the parameter sets, by one of two methods:

    - with `labelled` (the count behind the indicator, met = labelled >= target) and >= 2 seeds
      per draw: a normal model per draw. The runs of draw d spread around their mean m_d with
      the pooled within-draw sd s (the stochastic part), so P(theta_d) = 1 - Phi((target - 1/2
      - m_d) / s). The observed means carry seed noise (variance s^2 / S) on top of the
      parametric spread B (`variance_split`), so they are pulled towards their mean by
      sqrt(B / Var(m)) (constrained Bayes, Louis 1984: the adjusted means spread by B); the
      interval is the 5-95% of the adjusted chances over draws. It uses the whole distance to
      the target, not only whether a run crossed it, so a few seeds per draw give a useful
      interval (assumptions: normal within-draw spread with a common sd);
    - otherwise (an indicator only): each draw's chance has the Jeffreys posterior
      Beta(k + 1/2, S - k + 1/2), mixed equally over the draws. With few seeds per draw the
      Beta's own width dominates, so this interval is wide (conservative).

    `p` is always the plain share of runs meeting the target (unbiased); the Monte Carlo
    interval is a bootstrap of that share over whole draws.
    """
    met = np.asarray(met, float)
    draws = np.asarray(draws)
    groups = _groups(met, draws)
    k = np.array([g.sum() for g in groups])
    n = np.array([g.size for g in groups])
    rng = np.random.default_rng(seeds.bootstrap(seed))
    tail = (1 - level) / 2
    if labelled is not None and target is not None and n.min() >= 2:
        chances = _normal_chances(np.asarray(labelled, float), draws, float(target))
    else:
        pick = rng.integers(0, k.size, MIXTURE_SAMPLES)
        chances = rng.beta(k[pick] + 0.5, n[pick] - k[pick] + 0.5)
    low, high = np.quantile(chances, [tail, 1 - tail])
    # Bootstrap over draws (whole draws with their seeds).
    resample = rng.integers(0, k.size, (MIXTURE_SAMPLES, k.size))
    boot = k[resample].sum(axis=1) / n[resample].sum(axis=1)
    mc_low, mc_high = np.quantile(boot, [tail, 1 - tail])
    return Chance(
        p=float(met.mean()),
        low=float(low),
        high=float(high),
        mc_low=float(mc_low),
        mc_high=float(mc_high),
        split=variance_split(met, draws),
    )


def _normal_chances(labelled: np.ndarray, draws: np.ndarray, target: float) -> np.ndarray:
    """Chances P(theta_d) of the normal model, one per draw (see `chance`)."""
    from scipy.stats import norm

    groups = _groups(labelled, draws)
    means = np.array([g.mean() for g in groups])
    per_draw = float(np.mean([g.size for g in groups]))
    within = float(np.mean([g.var(ddof=1) for g in groups]))
    sd = max(np.sqrt(within), 0.5)  # no run-to-run spread at all: the step of one park
    observed = float(means.var(ddof=1)) if means.size >= 2 else 0.0
    between = max(observed - within / per_draw, 0.0)  # parametric variance of the means
    # Constrained Bayes (Louis 1984): pull the draw means towards their mean so that their
    # spread is the parametric variance, not parametric + seed noise.
    factor = np.sqrt(between / observed) if observed > 0 else 0.0
    adjusted = means.mean() + factor * (means - means.mean())
    return norm.sf((target - 0.5 - adjusted) / sd)


def censored_months(summary: pd.DataFrame, censor_month: float) -> np.ndarray:
    """Month the target was reached, a run that never reached it counted at `censor_month`."""
    months = pd.to_numeric(summary["month_target_reached"], errors="coerce").to_numpy(float)
    return np.where(np.isnan(months), float(censor_month), months)


def predictive_summary(
    summary: pd.DataFrame, seed: int, censor_month: float, target: float, level: float = LEVEL
) -> dict[str, Any]:
    """The posterior-predictive answer of a run's summary (needs a `draw` column).

    Keys: chance (p, credible and Monte Carlo intervals, parametric/stochastic variance of the
    indicator), labelled (mean and variance split of labelled parks at the horizon, parks and
    parks^2) and time_to_target (months, runs that never reach it censored at `censor_month`).
    """
    draws = summary["draw"].to_numpy()
    labelled_runs = summary["labelled_at_horizon"].to_numpy(float)
    c = chance(summary["target_met"].to_numpy(bool), draws, seed, level, labelled_runs, target)
    labelled = variance_split(summary["labelled_at_horizon"].to_numpy(float), draws)
    months = variance_split(censored_months(summary, censor_month), draws)
    return {
        "level": level,
        "draws": labelled.draws,
        "seeds_per_draw": labelled.per_draw,
        "chance": {
            "p": c.p,
            "credible": [c.low, c.high],
            "monte_carlo": [c.mc_low, c.mc_high],
            "variance_parametric": c.split.parametric,
            "variance_stochastic": c.split.stochastic,
        },
        "labelled_at_horizon": _split_dict(labelled),
        "month_target_reached": {**_split_dict(months), "censored_at": float(censor_month)},
    }


def _split_dict(split: VarianceSplit) -> dict[str, float]:
    return {
        "mean": split.mean,
        "variance_parametric": split.parametric,
        "variance_stochastic": split.stochastic,
        "parametric_share": split.parametric_share,
    }


def headline(answer: dict[str, Any]) -> str:
    """One line: P with its credible interval and the parametric share of its variance."""
    c = answer["chance"]
    total = c["variance_parametric"] + c["variance_stochastic"]
    share = c["variance_parametric"] / total if total > 0 else float("nan")
    low, high = c["credible"]
    split = (
        f"variance {share:.0%} parametric, {1 - share:.0%} stochastic"
        if total > 0
        else "every run on the same side of the target"
    )
    return (
        f"P(target met) = {c['p']:.2f} [{low:.2f}, {high:.2f}] ({answer['level']:.0%} credible, "
        f"posterior-predictive over {answer['draws']} parameter sets); {split}"
    )


def predictive_record(
    plan: PredictivePlan, summary: pd.DataFrame, censor_month: float, target: float
) -> dict[str, Any]:
    """predictive.json of a run (keys declared in `output_columns.RUN_PREDICTIVE`).

    `censor_month`: the month a run that never reaches the target is counted at (one past the
    last simulated month, so the time-to-target mean is a lower bound when some never reach it).
    """
    particles = plan.particles()
    return {
        "posterior": {
            "digest": posterior_digest(plan.posterior),
            "provenance": plan.posterior.provenance,
            "particles": plan.posterior.size,
        },
        "parameter_names": list(plan.posterior.names),
        "per_draw": plan.per_draw,
        "parameter_sets": [
            {"draw": d, "particle": int(p), "values": parameter_set(plan.posterior, int(p))}
            for d, p in enumerate(particles)
        ],
        "answer": predictive_summary(summary, plan.seed, censor_month, target),
    }


# --- compare experiments under the posterior ---------------------------------------------------


def paired_bootstrap(
    scenario: pd.DataFrame, baseline: pd.DataFrame, column: str, seed: int, level: float = LEVEL
) -> tuple[float, float, float]:
    """Mean paired difference scenario - baseline of `column` and its bootstrap interval.

    Pairs are replications (same seed and parameter set); the bootstrap resamples whole draws
    (all their pairs together), so it keeps the parametric part of the uncertainty.
    """
    base = baseline.set_index("replication")[column].rename(f"{column}_base")
    both = scenario.set_index("replication")[[column, "draw"]].join(base, how="inner")
    diff = both[column].astype(float) - both[f"{column}_base"].astype(float)
    draws = both["draw"].to_numpy()
    labels = np.unique(draws)
    sums = np.array([diff[draws == d].sum() for d in labels])
    counts = np.array([(draws == d).sum() for d in labels])
    rng = np.random.default_rng(seeds.bootstrap(seed))
    pick = rng.integers(0, labels.size, (MIXTURE_SAMPLES, labels.size))
    boot = sums[pick].sum(axis=1) / counts[pick].sum(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(boot, [tail, 1 - tail])
    return float(diff.mean()), float(low), float(high)


def compare_table(runs: pd.DataFrame, baseline: str, seed: int) -> pd.DataFrame:
    """Per scenario under the posterior: P(target met) with its credible interval and variance
    split, and the paired differences against the baseline with bootstrap intervals."""
    from werklandschap.experiments.analysis.common import scenario_params

    ok = runs[runs["status"] == "ok"]
    base = ok[ok["scenario"] == baseline]
    rows = []
    for name, group in ok.groupby("scenario", sort=False):
        met = group["target_met"].astype(float).to_numpy() > 0.5
        target = float(scenario_params(str(name))["target_parks"])
        labelled = group["labelled_at_horizon"].to_numpy(float)
        c = chance(met, group["draw"].to_numpy(), seed, LEVEL, labelled, target)
        row = {
            "scenario": name,
            "runs": len(group),
            "draws": c.split.draws,
            "p_target": c.p,
            "p_credible_low": c.low,
            "p_credible_high": c.high,
            "p_parametric_share": c.split.parametric_share,
        }
        if name != baseline:
            frame = group.assign(target_met=met.astype(float))
            base_met = base.assign(target_met=base["target_met"].astype(float))
            dp = paired_bootstrap(frame, base_met, "target_met", seed)
            dl = paired_bootstrap(group, base, "labelled_at_horizon", seed)
            row.update(
                delta_p=dp[0], delta_p_low=dp[1], delta_p_high=dp[2],
                delta_labelled=dl[0], delta_labelled_low=dl[1], delta_labelled_high=dl[2],
            )  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows)


def compare_section(table: pd.DataFrame, baseline: str, per_draw: int) -> str:
    """The report's section on the levers under the posterior."""
    lines = [
        "## Under the calibration posterior",
        "",
        f"Every replication drew its calibrated parameters from the posterior ({per_draw} "
        "replication(s) per parameter set) and all scenarios of a replication share both the "
        "parameter set and the seed, so differences are paired under the posterior. P: "
        f"posterior-predictive share of runs meeting the target, {LEVEL:.0%} credible interval "
        "of the chance over the parameter sets (normal model of labelled parks per set, see "
        "runs/predictive.py `chance`); parametric "
        "share: the part of the indicator's variance due to the parameters. Differences: mean "
        f"paired difference with a {LEVEL:.0%} bootstrap interval over parameter sets.",
        "",
        "| scenario | P(target) | credible | parametric share | ΔP | ΔP interval "
        "| Δ labelled | Δ labelled interval |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        if row.scenario == baseline:
            delta = "| (baseline) | | | |"
        else:
            delta = (
                f"| {row.delta_p:+.2f} | [{row.delta_p_low:+.2f}, {row.delta_p_high:+.2f}] "
                f"| {row.delta_labelled:+.0f} | [{row.delta_labelled_low:+.0f}, "
                f"{row.delta_labelled_high:+.0f}] |"
            )
        share = row.p_parametric_share
        share_text = f"{share:.0%}" if np.isfinite(share) else "–"
        lines.append(
            f"| {row.scenario} | {row.p_target:.2f} | [{row.p_credible_low:.2f}, "
            f"{row.p_credible_high:.2f}] | {share_text} {delta}"
        )
    return "\n".join(lines)
