"""Which outcomes the experiment layer keeps and each analysis uses: the one declaration.

Names, words, units, types, censoring and the horizon/target an outcome refers to are in the
outcome spec (model/outcome_spec.py); this module only says which of them each part of the
experiment layer reads, and how an analysis titles them. Adding an outcome to an analysis is one
entry here (the outcome itself is one entry in the spec, marked `experiment=True` to be kept).
Titles fill the horizon and target from the scenario's parameters, never from constants.
"""

from __future__ import annotations

from typing import Any

from werklandschap.model.outcome_spec import EXPERIMENT_OUTCOMES, outcome

#: Outcomes kept per run in runs.parquet (the outcome spec's `experiment=True`, in order).
KEPT: tuple[str, ...] = EXPERIMENT_OUTCOMES

#: Outcomes each analysis (or adapter) reads, in the order it reports them.
USED_BY: dict[str, tuple[str, ...]] = {
    "compare": ("labelled_at_horizon", "target_met", "month_target_reached", "self_sustaining"),
    "sobol": ("labelled_at_horizon", "target_met", "month_target_reached"),
    "morris": ("labelled_at_horizon", "target_met"),
    "sweep": ("labelled_at_horizon", "target_met"),
    "discovery": ("target_met",),
    "ema": (
        "labelled_at_horizon",
        "target_met",
        "month_target_reached",
        "self_sustaining",
        "peer_share",
    ),
}

#: How an analysis titles an outcome ("{}" is the outcome's label); absent: the label itself.
TITLE_FORMS: dict[tuple[str, str], str] = {
    ("sobol", "target_met"): "{} (0/1)",
    ("sobol", "month_target_reached"): "{} (censored → end of run)",
    ("morris", "target_met"): "P({})",
}


def titles(analysis: str, params: dict[str, Any] | None = None) -> dict[str, str]:
    """Outcome name -> title for `analysis`, with target and horizon filled in from `params`."""
    return {
        name: TITLE_FORMS.get((analysis, name), "{}").format(outcome(name).label(params))
        for name in USED_BY[analysis]
    }


def mean_unit(name: str) -> str:
    """Unit of an outcome's mean over runs: a yes/no outcome's mean is a probability."""
    o = outcome(name)
    return "probability" if o.dtype == "bool" else o.unit
