"""Docking against theory: a parameter setting that reduces the park dynamics to the Bass model.

With identical adoption decisions, influence only through the national adopted (labelled) share,
no programme and no organisation, planning, transformation or certification delays, a park
adopts in month t with probability 1 - exp(-(p + q F(t-1)) / 12), p and q per year. This is the
monthly discretisation of the Bass (1969) diffusion model, whose closed form is

    F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}),   t in years.

The discretisation error is below 0.01 in F for p <= 0.03, q <= 0.4 (tests/test_bass.py).
"""

from __future__ import annotations

import numpy as np

from werklandschap.model.scenario import Scenario, load_scenario


def bass_curve(years: np.ndarray, p: float, q: float) -> np.ndarray:
    """Closed-form cumulative adoption share F(t) of the Bass model (p, q per year)."""
    decay = np.exp(-(p + q) * np.asarray(years, float))
    return (1 - decay) / (1 + (q / p) * decay)


def bass_scenario(p: float, q: float, months: int = 240) -> Scenario:
    """The no_programme scenario reduced to Bass diffusion with innovation p and imitation q."""
    return load_scenario("no_programme").with_params(
        name=f"bass_p{p}_q{q}",
        horizon_months=months,
        after_horizon_months=0,
        programme_end_month=0,
        # adoption hazard: p (base) + q * labelled share (national), nothing else
        awareness_base_rate=p / 12,
        national_awareness_rate=q / 12,
        peer_awareness_rate=0.0,
        campaign_intensity=0.0,
        # no local, showcase or national peer term in the utility: national influence only
        peer_weight=0.0,
        ambassador_reach=0.0,
        national_visibility=0.0,
        # an aware park engages at once: utility far above every threshold
        threshold_mean=-1.0,
        threshold_sd=0.0,
        decision_noise=1e-4,
        engage_rate=1.0,
        # every park organised, no planning, transformation or certification delay
        share_biz=0.0,
        share_park_management=0.0,
        share_association=1.0,
        organisation_size_tilt=0.0,
        biz_formation_rate=0.0,  # no organic BIZ: the type would change nothing, but draws
        plan_months=0.0,
        transformation_months=0.0,
        stall_rate=0.0,
        label_fallback_month=0,
        certification_capacity=4000.0,
    )
