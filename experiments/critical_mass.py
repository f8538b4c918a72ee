"""Critical mass and hysteresis: does final adoption jump as a control passes a value, and does it
stay when programme support is withdrawn?

The experiment ramps one control over a grid and runs every grid value in two arms with common
seeds (replication r uses `seeds.replication(seed, r)` in every cell and arm, so differences
are paired):

- control `n_stimulated` or `seeded_adopters`: arm **supported** keeps the base scenario's
  `programme_end_month`; arm **withdrawn** ends all programme support at `withdraw_month`;
- control `programme_end_month` (support duration): arm **supported** keeps support to the end of
  the run; arm **withdrawn** ends support at the control value.

The *primary* arm is the one in which the control acts as designed: `supported` for the cohort
and the seeds, `withdrawn` for the support duration (in the supported arm it has no effect).

**Jump** (stated criterion). With grid values x_1 < ... < x_K and the mean outcome m_k over the
replications, the increase per unit of control over step k is s_k = (m_{k+1} - m_k) /
(x_{k+1} - x_k). Final adoption *jumps* at step k* = argmax s_k when both hold:
1. s_k* >= `jump_ratio` x the median of |s_k| over the other steps (sharper than the typical
   increase), and
2. m_{k*+1} - m_k* >= `jump_z` x its paired standard error (sd over replications of the
   per-seed increase / sqrt(R)), so replication noise cannot make a jump.
It needs at least 4 grid values (3 steps). **Critical mass**: the control value at which the
linearly interpolated mean curve first crosses the middle of the jump (m_k* + m_{k*+1}) / 2,
found within step k*; its 95% interval is the 2.5-97.5% range over `bootstrap` resamples of
the replications (resampling seeds, so pairing across the grid is kept), in which the jump
criterion is re-applied; the share of resamples that still pass it is reported.

**Stays** (hysteresis): at every grid value above the critical mass, mean adoption in the
withdrawn arm is at least `stay_share` x that in the supported arm. Without a jump the report says
"no tipping point" (and gives the retention ratios anyway).

Registered as experiment type `critical_mass` (`experiments/critical_mass.yaml`): `Options`
validates the type's keys, `design(spec)` gives the design table and tasks, `analyse(spec, runs,
series, folder)` writes `critical_mass_cells.csv`, `figures/critical_mass.png` and returns the
report's markdown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from werklandschap.experiments.design import Task
from werklandschap.experiments.spec import ExperimentError, ExperimentSpec
from werklandschap.model import seeds
from werklandschap.model.outcome_spec import EXPERIMENT_OUTCOMES
from werklandschap.model.scenario import Scenario, ScenarioError, load_scenario
from werklandschap.runs.limits import LIMITS

Control = Literal["programme_end_month", "n_stimulated", "seeded_adopters"]
ARMS = ("supported", "withdrawn")
#: Outcomes that can serve as "final adoption" (counts kept per run by the experiment layer).
ADOPTION_OUTCOMES = ("labelled_at_end", "labelled_at_horizon", "adopters_at_horizon")
assert set(ADOPTION_OUTCOMES) <= set(EXPERIMENT_OUTCOMES)
MAX_VALUES = 40


class Options(BaseModel):
    """The keys of a `critical_mass` experiment (with limits); `values` holds the grid."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    base: str = "baseline"
    control: Control
    values: list[int] | None = Field(default=None, min_length=4, max_length=MAX_VALUES)
    from_: int | None = Field(default=None, alias="from", ge=0)
    to: int | None = Field(default=None, ge=0)
    steps: int | None = Field(default=None, ge=4, le=MAX_VALUES)
    withdraw_month: int | None = Field(default=None, ge=0, le=480)
    outcome: Literal[ADOPTION_OUTCOMES] = "labelled_at_end"  # type: ignore[valid-type]
    replications: int = Field(default=10, ge=2, le=LIMITS["replications"].maximum)
    jump_ratio: float = Field(default=3.0, ge=1.0, le=100.0)
    jump_z: float = Field(default=3.0, ge=0.0, le=10.0)
    stay_share: float = Field(default=0.9, gt=0.0, le=1.0)
    bootstrap: int = Field(default=500, ge=100, le=10000)

    @model_validator(mode="after")
    def _grid(self) -> Options:
        if self.values is None:
            if None in (self.from_, self.to, self.steps):
                raise ValueError("needs 'values' or 'from', 'to' and 'steps'")
            lo, hi, steps = self.from_, self.to, self.steps
            self.values = sorted({round(lo + (hi - lo) * i / (steps - 1)) for i in range(steps)})
            if len(self.values) < 4:
                raise ValueError(f"from {lo} to {hi} in {steps} steps gives fewer than 4 values")
        elif any(k is not None for k in (self.from_, self.to, self.steps)):
            raise ValueError("give either 'values' or 'from', 'to' and 'steps', not both")
        if any(b <= a for a, b in zip(self.values, self.values[1:], strict=False)):
            raise ValueError(f"values must increase strictly, got {self.values}")
        needs_month = self.control != "programme_end_month"
        if needs_month and self.withdraw_month is None:
            raise ValueError(f"control {self.control} needs 'withdraw_month'")
        if not needs_month and self.withdraw_month is not None:
            raise ValueError(
                "control programme_end_month withdraws support at the control value; "
                "drop 'withdraw_month'"
            )
        return self

    @property
    def primary(self) -> str:
        """The arm in which the control acts as designed (see module docstring)."""
        return "withdrawn" if self.control == "programme_end_month" else "supported"


def parse_options(where: str, document: dict[str, Any]) -> dict[str, Any]:
    """Validate the type's keys (and `replications`) of an experiment document; the options as a
    plain dict with the grid filled in. One-line `ExperimentError` on any problem."""
    keys = set(Options.model_fields) | {"from"}
    try:
        opts = Options.model_validate({k: v for k, v in document.items() if k in keys})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ExperimentError(f"{where}: {field + ': ' if field else ''}{message}") from None
    _check_scenarios(where, opts)
    return opts.model_dump(exclude={"from_", "to", "steps", "replications"})


def options_of(spec: ExperimentSpec) -> Options:
    """The validated options of a spec (a dict from today's parser, or an `Options`)."""
    opts = spec.options
    if isinstance(opts, Options):
        return opts
    return Options.model_validate({**opts, "replications": spec.replications})


def _arm_params(opts: Options, base: Scenario, value: int, arm: str) -> dict[str, Any]:
    """Parameter overrides of one grid value in one arm."""
    if opts.control == "programme_end_month":
        run_end = base.params["horizon_months"] + base.params["after_horizon_months"]
        return {"programme_end_month": run_end if arm == "supported" else value}
    end = base.params["programme_end_month"] if arm == "supported" else opts.withdraw_month
    return {opts.control: value, "programme_end_month": end}


def _check_scenarios(where: str, opts: Options) -> None:
    try:
        base = load_scenario(opts.base)
        for value in opts.values or []:
            for arm in ARMS:
                base.with_params(**_arm_params(opts, base, value, arm))
    except ScenarioError as exc:
        raise ExperimentError(f"{where}: {exc}") from None
    run_end = base.params["horizon_months"] + base.params["after_horizon_months"]
    if opts.control == "programme_end_month" and max(opts.values or [0]) >= run_end:
        raise ExperimentError(
            f"{where}: values of programme_end_month must be below the run's length "
            f"({run_end} months), where the supported arm ends support"
        )
    end = base.params["programme_end_month"]
    if opts.control != "programme_end_month" and opts.withdraw_month >= end:
        raise ExperimentError(
            f"{where}: withdraw_month = {opts.withdraw_month} must be before the base "
            f"scenario's programme_end_month ({end}), else both arms are the same"
        )


def design(spec: ExperimentSpec) -> tuple[pd.DataFrame, list[Task]]:
    """One row per run: grid point, arm, replication, seed and the parameters that differ."""
    opts = options_of(spec)
    base = load_scenario(opts.base)
    rows: list[dict[str, Any]] = []
    tasks: list[Task] = []
    for k, value in enumerate(opts.values or []):
        for arm in ARMS:
            overrides = _arm_params(opts, base, value, arm)
            scenario = base.with_params(**overrides)
            for r in range(spec.replications):
                seed = seeds.replication(spec.seed, r)  # common seeds over cells and arms
                rows.append(
                    {
                        "run_id": len(rows),
                        "point": k,
                        "arm": arm,
                        "replication": r,
                        "seed": seed,
                        opts.control: value,
                        **{n: v for n, v in overrides.items() if n != opts.control},
                    }
                )
                tasks.append(Task(len(tasks), seed, scenario))
    return pd.DataFrame(rows), tasks


# --- analysis ------------------------------------------------------------------------------------
def outcome_matrix(runs: pd.DataFrame, control: str, outcome: str, arm: str) -> pd.DataFrame:
    """Outcome per grid value (rows, ascending) and replication (columns) in one arm; failed runs
    are NaN."""
    ok = runs[(runs["arm"] == arm)]
    values = ok[outcome].where(ok["status"] == "ok")
    frame = pd.DataFrame({control: ok[control], "replication": ok["replication"], "y": values})
    return frame.pivot_table(
        index=control, columns="replication", values="y", aggfunc="first", dropna=False
    ).sort_index()


def find_jump(x: np.ndarray, y: np.ndarray, jump_ratio: float, jump_z: float) -> dict[str, Any]:
    """The jump criterion (module docstring) on y (grid values x replications, NaN allowed)."""
    means = np.nanmean(y, axis=1)
    increase = np.diff(means)
    slope = increase / np.diff(x)
    k = int(np.nanargmax(slope))
    others = np.delete(np.abs(slope), k)
    typical = float(np.nanmedian(others)) if others.size else np.nan
    per_seed = y[k + 1] - y[k]
    n = np.count_nonzero(np.isfinite(per_seed))
    se = float(np.nanstd(per_seed, ddof=1) / np.sqrt(n)) if n >= 2 else np.nan
    ratio = slope[k] / typical if typical > 0 else (np.inf if slope[k] > 0 else 0.0)
    z = increase[k] / se if se > 0 else (np.inf if increase[k] > 0 else 0.0)
    jumps = bool(slope[k] > 0 and ratio >= jump_ratio and z >= jump_z)
    middle = (means[k] + means[k + 1]) / 2
    share = (middle - means[k]) / increase[k] if increase[k] > 0 else 0.5
    return {
        "jumps": jumps,
        "step": k,
        "increase": float(increase[k]),
        "ratio": float(ratio),
        "z": float(z),
        "critical": float(x[k] + share * (x[k + 1] - x[k])),
        "means": means,
    }


def bootstrap_jump(
    x: np.ndarray, y: np.ndarray, opts: Options, seed: int
) -> tuple[float, float, float]:
    """(2.5%, 97.5%) of the critical mass over resampled replications (jumps that pass the
    criterion), and the share of resamples in which the criterion passes."""
    rng = np.random.default_rng(seed)
    reps = y.shape[1]
    found = []
    for _ in range(opts.bootstrap):
        sample = y[:, rng.integers(0, reps, reps)]
        jump = find_jump(x, sample, opts.jump_ratio, opts.jump_z)
        if jump["jumps"]:
            found.append(jump["critical"])
    if not found:
        return np.nan, np.nan, 0.0
    low, high = np.percentile(found, [2.5, 97.5])
    return float(low), float(high), len(found) / opts.bootstrap


def verdict(runs: pd.DataFrame, opts: Options, seed: int = 0) -> dict[str, Any]:
    """Jump, critical mass with interval, retention and 'stays' (see module docstring)."""
    arms = {arm: outcome_matrix(runs, opts.control, opts.outcome, arm) for arm in ARMS}
    primary = arms[opts.primary]
    x = primary.index.to_numpy(float)
    jump = find_jump(x, primary.to_numpy(float), opts.jump_ratio, opts.jump_z)
    supported = np.nanmean(arms["supported"].to_numpy(float), axis=1)
    withdrawn = np.nanmean(arms["withdrawn"].to_numpy(float), axis=1)
    retention = np.divide(withdrawn, supported, out=np.full(x.size, np.nan), where=supported > 0)
    out: dict[str, Any] = {
        **jump,
        "x": x,
        "supported": supported,
        "withdrawn": withdrawn,
        "retention": retention,
        "low": np.nan,
        "high": np.nan,
        "bootstrap_share": 0.0,
        "stays": None,
    }
    if jump["jumps"]:
        low, high, share = bootstrap_jump(x, primary.to_numpy(float), opts, seed)
        above = x > jump["critical"]
        stays = bool(np.all(retention[above] >= opts.stay_share))
        out.update(low=low, high=high, bootstrap_share=share, stays=stays)
    return out


def cell_table(runs: pd.DataFrame, opts: Options) -> pd.DataFrame:
    """Per grid value and arm: runs, mean and standard deviation of the outcome."""
    rows = []
    for (value, arm), group in runs.groupby([opts.control, "arm"], sort=True):
        ok = group[group["status"] == "ok"][opts.outcome]
        rows.append(
            {
                opts.control: value,
                "arm": arm,
                "runs": len(ok),
                "failed": len(group) - len(ok),
                "mean": ok.mean(),
                "sd": ok.std(ddof=1),
            }
        )
    return pd.DataFrame(rows)


def _figure(result: dict[str, Any], opts: Options, folder: Path) -> str:
    from werklandschap.experiments.analysis.common import save
    from werklandschap.experiments.analysis.sweep import axis_label
    from werklandschap.model.outcome_spec import outcome
    from werklandschap.runs.plots import OKABE_ITO, new_figure

    fig = new_figure(7.5, 4.5)
    ax = fig.subplots()
    x = result["x"]
    ax.plot(x, result["supported"], "o-", color=OKABE_ITO["blue"], label="support as designed")
    ax.plot(x, result["withdrawn"], "s--", color=OKABE_ITO["vermillion"], label="support withdrawn")
    if result["jumps"]:
        ax.axvline(result["critical"], color="black", lw=1, label="critical mass")
        if np.isfinite(result["low"]):
            ax.axvspan(
                result["low"], result["high"], color="grey", alpha=0.25, label="95% interval"
            )
    ax.set_xlabel(axis_label(opts.control, 70), fontsize=9)
    words = outcome(opts.outcome).label(dict(load_scenario(opts.base).params))
    ax.set_ylabel(f"{words}\n(parks, mean over replications)", fontsize=9)
    ax.set_title("Critical mass and hysteresis", fontsize=10)
    ax.legend(fontsize=8)
    return save(fig, folder, "critical_mass")


def analyse(
    spec: ExperimentSpec, runs: pd.DataFrame, series: pd.DataFrame | None, folder: Path
) -> str:
    """Write critical_mass_cells.csv and figures/critical_mass.png; return the report section."""
    from werklandschap.experiments.analysis.common import markdown_table

    opts = options_of(spec)
    result = verdict(runs, opts, seed=spec.seed)
    cells = cell_table(runs, opts)
    cells.to_csv(Path(folder) / "critical_mass_cells.csv", index=False)
    path = _figure(result, opts, Path(folder))
    x = result["x"]
    if result["jumps"]:
        headline = (
            f"**Jump**: {opts.outcome} rises by {result['increase']:.0f} parks between "
            f"{opts.control} = {x[result['step']]:g} and {x[result['step'] + 1]:g} "
            f"({result['ratio']:.1f}× the typical increase per unit, {result['z']:.1f} standard "
            f"errors). **Critical mass** {result['critical']:.0f} (95% interval "
            f"{result['low']:.0f}–{result['high']:.0f}; the jump passes the criterion in "
            f"{result['bootstrap_share']:.0%} of {opts.bootstrap} bootstrap resamples). "
            + (
                f"**Stays** when support is withdrawn: the withdrawn arm keeps ≥ "
                f"{opts.stay_share:.0%} of the supported arm at every value above it."
                if result["stays"]
                else f"**Does not stay**: above it the withdrawn arm keeps less than "
                f"{opts.stay_share:.0%} of the supported arm at some value."
            )
        )
    else:
        headline = (
            f"**No tipping point**: the largest increase of {opts.outcome} "
            f"({result['increase']:.0f} parks, between {opts.control} = "
            f"{x[result['step']]:g} and {x[result['step'] + 1]:g}) is "
            f"{result['ratio']:.1f}× the typical increase per unit and {result['z']:.1f} "
            f"standard errors; a jump needs ≥ {opts.jump_ratio:g}× and ≥ {opts.jump_z:g}."
        )
    withdraw = (
        "support ends at the control value (supported arm: support to the end of the run)"
        if opts.control == "programme_end_month"
        else f"support ends at month {opts.withdraw_month} (supported arm: as in {opts.base})"
    )
    table = pd.DataFrame(
        {
            opts.control: x,
            "supported": result["supported"],
            "withdrawn": result["withdrawn"],
            "withdrawn / supported": result["retention"],
        }
    )
    return "\n".join(
        [
            f"Control {opts.control} over {len(x)} values, two arms, {spec.replications} "
            f"replications each with common seeds (replication r uses "
            f"seeds.replication({spec.seed}, r) in every cell and arm); base scenario "
            f"{opts.base}. Withdrawn arm: {withdraw}. "
            f"Outcome: {opts.outcome}; jump judged in the {opts.primary} arm (criterion in "
            "experiments/critical_mass.py).",
            "",
            headline,
            "",
            markdown_table(table, ".4g"),
            "",
            f"![Critical mass]({path})",
            "",
        ]
    )
