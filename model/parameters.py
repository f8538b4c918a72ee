"""The parameter spec: the one place where every parameter's default, range and source live.

Everything else — scenario validation, the CLI `params` listing, SALib problems, dashboard controls
and docs/parameters.md — reads this table. Nothing else repeats a default or a range.

Each parameter has
- `default`: the baseline value;
- `range`: the plausible interval that sensitivity analyses sample (levers: the policy space);
- `limits`: the values the model accepts at all (wider than `range`, e.g. for theory checks);
- `kind`: "lever" (a policy choice), "uncertainty" (unknown fact about the world) or
  "structural" (model set-up, not analysed);
- `source`: a citation from docs/ODD.md's evidence list, or "assumption" (then `range` must be wide
  enough for the sensitivity analysis to tell whether it matters).

Calibrated parameters: `model/data/calibrated.json` (written by `werklandschap calibrate --write`)
holds name -> value, source, date and method; at import its values replace the `default` and
`source` of those parameters below, whose defaults are the values before calibration.

Time unit: months; month 0 = January 2023. Money: thousands (k€) or millions (M€) of euros.
Utility terms are dimensionless on the 0–1 scale of the park's adoption threshold.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

Kind = Literal["lever", "uncertainty", "structural"]

#: Province order for the `green_deal_provinces` count: the two documented Green Deal provinces
#: first, then the rest by number of parks (IBIS 2024). "6" therefore means ZH, UT, NB, GE, OV, NH.
GREEN_DEAL_ORDER: tuple[str, ...] = (
    "Zuid-Holland",
    "Utrecht",
    "Noord-Brabant",
    "Gelderland",
    "Overijssel",
    "Noord-Holland",
    "Fryslân",
    "Limburg",
    "Zeeland",
    "Groningen",
    "Drenthe",
    "Flevoland",
)

KEUR_PER_MEUR = 1e3  # budgets are in M€, grants in k€

PROGRAMME = "Werklandschappen van de Toekomst programme plan (EVIDENCE: The programme)"


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """One model parameter: what it means, its unit, default, ranges, kind and source."""

    name: str
    description: str
    unit: str
    default: Any
    kind: Kind
    source: str
    type: type = float
    range: tuple[float, float] | None = None
    limits: tuple[float, float] | None = None
    choices: tuple[str, ...] | None = None
    group: str = "other"
    # Plain words for the dashboard, by language ("nl", "en"); None where a parameter is not
    # shown to policymakers. Not compared, so two entries differ only by their spec values.
    words: Mapping[str, str] | None = field(default=None, compare=False)  # short label
    explain: Mapping[str, str] | None = field(default=None, compare=False)  # one line
    unit_words: Mapping[str, str] | None = field(default=None, compare=False)  # unit in words
    #: words for each of `choices`: {choice: {"nl": ..., "en": ...}}
    choice_words: Mapping[str, Mapping[str, str]] | None = field(default=None, compare=False)

    @property
    def is_numeric(self) -> bool:
        return self.choices is None and self.type in (int, float)

    @property
    def is_assumption(self) -> bool:
        return self.source.lower().startswith("assumption")


def _p(
    *,
    name,
    description,
    unit,
    default,
    kind,
    source,
    type=float,
    range=None,
    limits=None,
    choices=None,
    group="other",
    words=None,
    explain=None,
    unit_words=None,
    choice_words=None,
) -> Parameter:
    if limits is None and range is not None:
        limits = range
    return Parameter(
        name=name, description=description, unit=unit, default=default, kind=kind,
        source=source, type=type, range=range, limits=limits, choices=choices, group=group,
        words=words, explain=explain, unit_words=unit_words, choice_words=choice_words,
    )  # fmt: skip


A = "assumption"

PARAMETERS: tuple[Parameter, ...] = (
    # --- Time frame -----------------------------------------------------------------------------
    _p(
        name="horizon_months",
        description="Programme horizon: months from January 2023 to the end of 2031",
        unit="months",
        default=108,
        kind="structural",
        source=PROGRAMME,
        type=int,
        limits=(12, 240),
        group="time",
    ),
    _p(
        name="after_horizon_months",
        description="Months simulated after the horizon without programme support "
        "(tests whether the transition sustains itself)",
        unit="months",
        default=60,
        kind="structural",
        source=A,
        type=int,
        limits=(0, 240),
        group="time",
    ),
    _p(
        name="target_parks",
        description="Mission target: labelled werklandschappen",
        unit="parks",
        default=1000,
        kind="structural",
        source=PROGRAMME,
        type=int,
        limits=(1, 3646),
        group="time",
    ),
    _p(
        name="programme_end_month",
        description="Month in which programme support stops "
        "(campaign, roles, subsidy, partner coaching)",
        unit="month",
        default=108,
        kind="lever",
        source=PROGRAMME,
        type=int,
        range=(60, 168),
        limits=(0, 480),
        group="programme",
    ),
    # --- Programme ladder -----------------------------------------------------------------------
    _p(
        name="n_living_labs",
        description="Living labs selected to test the concepts",
        unit="parks",
        default=4,
        kind="lever",
        source=PROGRAMME,
        type=int,
        range=(0, 10),
        limits=(0, 50),
        group="programme",
    ),
    _p(
        name="n_ambassadors",
        description="Ambassador parks that work the concepts out into the area label",
        unit="parks",
        default=10,
        kind="lever",
        source=PROGRAMME,
        type=int,
        range=(0, 30),
        limits=(0, 200),
        group="programme",
    ),
    _p(
        name="n_stimulated",
        description="Parks stimulated (supported) by the programme to reach the label",
        unit="parks",
        default=150,
        kind="lever",
        source=PROGRAMME,
        type=int,
        range=(0, 600),
        limits=(0, 3646),
        group="programme",
        words={"nl": "Gestimuleerde terreinen", "en": "Stimulated parks"},
        explain={
            "nl": "Terreinen die het programma actief begeleidt naar het gebiedslabel.",
            "en": "Parks the programme actively supports towards the area label.",
        },
        unit_words={"nl": "terreinen", "en": "parks"},
    ),
    _p(
        name="lab_selection_month",
        description="Month the living labs are selected (end 2023)",
        unit="month",
        default=9,
        kind="lever",
        source="Phase 1 selection end 2023-2024 (EVIDENCE)",
        type=int,
        range=(3, 24),
        limits=(0, 240),
        group="programme",
    ),
    _p(
        name="ambassador_selection_month",
        description="Month the ambassador parks are selected (2024)",
        unit="month",
        default=18,
        kind="lever",
        source="Phase 1 selection end 2023-2024 (EVIDENCE)",
        type=int,
        range=(6, 36),
        limits=(0, 240),
        group="programme",
    ),
    _p(
        name="stimulation_start_month",
        description="Month of the first tranche of stimulated parks",
        unit="month",
        default=24,
        kind="lever",
        source=PROGRAMME,
        type=int,
        range=(12, 60),
        limits=(0, 240),
        group="programme",
    ),
    _p(
        name="stimulation_tranches",
        description="Number of equal tranches in which stimulated parks are chosen",
        unit="tranches",
        default=3,
        kind="lever",
        source=A,
        type=int,
        range=(1, 6),
        limits=(1, 24),
        group="programme",
    ),
    _p(
        name="tranche_interval_months",
        description="Months between tranches of stimulated parks",
        unit="months",
        default=12,
        kind="lever",
        source=A,
        type=int,
        range=(3, 24),
        limits=(1, 120),
        group="programme",
    ),
    _p(
        name="selection_strategy",
        description="How labs, ambassadors and stimulated parks are chosen: by the "
        "programme's criteria, at random, spread evenly over provinces, or network-central",
        unit="-",
        default="criteria",
        kind="lever",
        source=PROGRAMME,
        type=str,
        choices=("criteria", "random", "spread", "central"),
        group="programme",
        words={"nl": "Hoe terreinen gekozen worden", "en": "How parks are chosen"},
        explain={
            "nl": "Wie proeftuin, ambassadeur of gestimuleerd terrein wordt.",
            "en": "Who becomes a living lab, an ambassador or a stimulated park.",
        },
        unit_words={"nl": "", "en": ""},
        choice_words={
            "criteria": {"nl": "volgens de programmacriteria", "en": "by the programme's criteria"},
            "random": {"nl": "willekeurig", "en": "at random"},
            "spread": {"nl": "verspreid over provincies", "en": "spread over provinces"},
            "central": {"nl": "centraal in het netwerk", "en": "central in the network"},
        },
    ),
    _p(
        name="green_deal_provinces",
        description="Provinces with a Green Deal: a count n (the first n of "
        "Zuid-Holland, Utrecht, then by number of parks) or a list of names",
        unit="provinces",
        default=6,
        kind="lever",
        source="Green Deals ZH (10 Mar 2023) and Utrecht documented; other four assumed",
        type=int,
        range=(0, 12),
        limits=(0, 12),
        group="governments",
        words={"nl": "Provincies met een Green Deal", "en": "Provinces with a Green Deal"},
        explain={
            "nl": "Aantal provincies dat vanaf de start meedoet (eerst Zuid-Holland en Utrecht).",
            "en": "Provinces taking part from the start (Zuid-Holland and Utrecht first).",
        },
        unit_words={"nl": "provincies", "en": "provinces"},
    ),
    _p(
        name="late_join_share",
        description="National labelled share of parks at which the other provinces join "
        "the Green Deal (endogenous policy diffusion); 1 = never",
        unit="share",
        default=1.0,
        kind="lever",
        source=A,
        range=(0.02, 1.0),
        limits=(0.0, 1.0),
        group="governments",
    ),
    _p(
        name="partner_municipalities",
        description="Partner municipalities the programme plans (in Green Deal provinces; "
        "invited most parks first under the 'decision' rule)",
        unit="municipalities",
        default=14,
        kind="lever",
        source="At least 14 municipalities (EVIDENCE)",
        type=int,
        range=(0, 100),
        limits=(0, 342),
        group="governments",
    ),
    # --- Governments that decide (agents/green_deal.py) ----------------------------------------
    _p(
        name="green_deal_rule",
        description="How provinces come into the Green Deal: 'decision' (each province decides "
        "monthly to sign; partner municipalities decide too) or 'fixed' (the plan's provinces "
        "and partners from the start, others only through late_join_share)",
        unit="-",
        default="decision",
        kind="structural",
        source=A,
        type=str,
        choices=("decision", "fixed"),
        group="governments",
    ),
    _p(
        name="programme_history",
        description="'plan' (the programme as written) or 'realised' (pin the dated events of "
        "model/data/realised.yaml: Green Deal signings, named phase-1 parks)",
        unit="-",
        default="plan",
        kind="structural",
        source="The programme as realised 2023-2026 (EVIDENCE: The programme)",
        type=str,
        choices=("plan", "realised"),
        group="governments",
    ),
    _p(
        name="green_deal_plan_rate",
        description="Monthly hazard that a province of the plan (green_deal_provinces) signs "
        "its Green Deal (0.2: mean delay 5 months; the six sign in the first years)",
        unit="1/month",
        default=0.2,
        kind="uncertainty",
        source=A,
        range=(0.05, 1.0),
        limits=(0.0, 10.0),
        group="governments",
    ),
    _p(
        name="green_deal_neighbour_rate",
        description="Monthly hazard of signing added when all neighbouring provinces are "
        "members (times the programme's free capacity, 1 - members/provinces)",
        unit="1/month",
        default=0.01,
        kind="uncertainty",
        source=A,
        range=(0.0, 0.05),
        limits=(0.0, 1.0),
        group="governments",
    ),
    _p(
        name="green_deal_uptake_rate",
        description="Monthly hazard of signing per unit national share of parks transforming "
        "or labelled (times the programme's free capacity)",
        unit="1/month per share",
        default=0.05,
        kind="uncertainty",
        source=A,
        range=(0.0, 0.2),
        limits=(0.0, 10.0),
        group="governments",
    ),
    _p(
        name="green_deal_packages_a",
        description="Green Deal packages A (1 living lab + 2 ambassadors) on offer",
        unit="provinces",
        default=4,
        kind="lever",
        source="Packages A 4x, B 2x, C lighter (EVIDENCE: The programme)",
        type=int,
        range=(0, 12),
        limits=(0, 12),
        group="governments",
    ),
    _p(
        name="green_deal_packages_b",
        description="Green Deal packages B (1 ambassador) on offer; later signers get C "
        "(no lab or ambassador, all other Green Deal support)",
        unit="provinces",
        default=2,
        kind="lever",
        source="Packages A 4x, B 2x, C lighter (EVIDENCE: The programme)",
        type=int,
        range=(0, 12),
        limits=(0, 12),
        group="governments",
    ),
    _p(
        name="partner_invite_rate",
        description="Monthly hazard that a municipality invited to become a partner (the "
        "programme invites, most parks first, while it has fewer than partner_municipalities) "
        "accepts",
        unit="1/month",
        default=0.5,
        kind="uncertainty",
        source=A,
        range=(0.05, 1.0),
        limits=(0.0, 10.0),
        group="governments",
    ),
    _p(
        name="partner_uptake_rate",
        description="Monthly hazard that a municipality in a Green Deal province becomes a "
        "partner, per unit share of its own parks transforming or labelled",
        unit="1/month per share",
        default=0.01,
        kind="uncertainty",
        source=A,
        range=(0.0, 0.1),
        limits=(0.0, 10.0),
        group="governments",
    ),
    _p(
        name="n_partner_parks",
        description="Partner parks (partnerterrein) the programme names: programme support "
        "without the showcase role; 0 in the plan as written",
        unit="parks",
        default=0,
        kind="lever",
        source="The programme later added a partner park tier (EVIDENCE); count assumed",
        type=int,
        range=(0, 50),
        limits=(0, 3646),
        group="programme",
    ),
    _p(
        name="partner_park_month",
        description="Month the partner parks are named",
        unit="month",
        default=30,
        kind="lever",
        source=A,
        type=int,
        range=(18, 60),
        limits=(0, 240),
        group="programme",
    ),
    # --- Money: the subsidy pots of the Green Deal provinces (ODD §7.8, agents/subsidy.py) -----
    _p(
        name="growth_fund_meur",
        description="Nationaal Groeifonds award to the programme (whole programme period)",
        unit="M€",
        default=26.0,
        kind="uncertainty",
        source="EUR 26m awarded of a EUR 49m request (EVIDENCE: The programme, Money); "
        "range: award to request",
        range=(20.0, 49.0),
        limits=(0.0, 500.0),
        group="support",
    ),
    _p(
        name="growth_fund_subsidy_share",
        description="Share of the Growth Fund award paid out as park subsidies through the "
        "Green Deal provinces (the rest: programme office, knowledge, labs)",
        unit="share",
        default=0.5,
        kind="uncertainty",
        source=A,
        range=(0.2, 0.8),
        limits=(0.0, 1.0),
        group="support",
    ),
    _p(
        name="province_cofinancing_meur",
        description="Subsidy co-financing of one Green Deal province over the programme period",
        unit="M€/province",
        default=2.33,
        kind="uncertainty",
        source="assumption: half of the proposal's > EUR 28m co-financing (EVIDENCE: Money) "
        "over the 6 planned Green Deal provinces",
        range=(0.0, 5.0),
        limits=(0.0, 100.0),
        group="support",
    ),
    _p(
        name="municipality_cofinancing_meur",
        description="Subsidy co-financing of one partner municipality over the programme "
        "period (paid into its province's pot)",
        unit="M€/municipality",
        default=1.0,
        kind="uncertainty",
        source="assumption: the other half of the proposal's > EUR 28m co-financing "
        "(EVIDENCE: Money) over the 14 planned partner municipalities",
        range=(0.0, 2.0),
        limits=(0.0, 100.0),
        group="support",
    ),
    _p(
        name="subsidy_application_rate",
        description="Monthly chance that an aware, engaged or transforming park in a Green Deal "
        "province applies for the subsidy (once per park)",
        unit="1/month",
        default=0.05,
        kind="uncertainty",
        source=A,
        range=(0.01, 0.2),
        limits=(0.0, 1.0),
        group="support",
    ),
    _p(
        name="subsidy_per_park_keur",
        description="Subsidy granted once to a park whose application is awarded",
        unit="k€/park",
        default=50.0,
        kind="lever",
        source=A,
        range=(0.0, 250.0),
        limits=(0.0, 5000.0),
        group="support",
        words={"nl": "Subsidie per terrein", "en": "Subsidy per park"},
        explain={
            "nl": "Eenmalige subsidie voor een terrein waarvan de aanvraag is toegekend.",
            "en": "One-off grant to a park whose application is awarded.",
        },
        unit_words={"nl": "duizend euro per terrein", "en": "thousand euros per park"},
    ),
    _p(
        name="coaching_capacity_partner",
        description="Parks a partner municipality coaches at once during the programme",
        unit="parks",
        default=4,
        kind="lever",
        source=A,
        type=int,
        range=(0, 20),
        limits=(0, 200),
        group="support",
        words={"nl": "Begeleiding per partnergemeente", "en": "Coaching per partner municipality"},
        explain={
            "nl": "Aantal terreinen dat een partnergemeente tegelijk begeleidt.",
            "en": "Parks a partner municipality coaches at the same time.",
        },
        unit_words={"nl": "terreinen tegelijk", "en": "parks at once"},
    ),
    _p(
        name="coaching_capacity_other",
        description="Parks any other municipality coaches at once",
        unit="parks",
        default=1,
        kind="lever",
        source=A,
        type=int,
        range=(0, 5),
        limits=(0, 200),
        group="support",
    ),
    _p(
        name="organisation_support",
        description="Factor on the monthly chances that an engaged park in a Green Deal "
        "province forms an association, hires park management or holds a BIZ vote while the "
        "programme runs (organisation support); 1 = none",
        unit="×",
        default=1.0,
        kind="lever",
        source=A,
        range=(1.0, 5.0),
        limits=(0.0, 20.0),
        group="support",
        words={"nl": "Steun bij het organiseren", "en": "Support for organising"},
        explain={
            "nl": "Hoe veel sneller terreinen zich organiseren (parkmanagement, BIZ); 1 = geen.",
            "en": "How much faster parks organise (park management, BIZ); 1 = no support.",
        },
        unit_words={"nl": "keer zo snel", "en": "times as fast"},
    ),
    _p(
        name="campaign_intensity",
        description="Intensity of the national awareness campaign (1 = as planned)",
        unit="×",
        default=1.0,
        kind="lever",
        source=A,
        range=(0.0, 3.0),
        limits=(0.0, 20.0),
        group="support",
    ),
    _p(
        name="regulation_start_year",
        description="Year municipalities put the 'new normal' in their zoning rules "
        "(omgevingsplan); 2040 = not within the run",
        unit="year",
        default=2030,
        kind="lever",
        source=A,
        type=int,
        range=(2024, 2040),
        limits=(2023, 2100),
        group="support",
        words={"nl": "Jaar van de nieuwe regels", "en": "Year of the new rules"},
        explain={
            "nl": "Jaar waarin gemeenten de nieuwe norm in het omgevingsplan zetten.",
            "en": "Year municipalities put the new normal in their zoning plan.",
        },
        unit_words={"nl": "", "en": ""},
    ),
    _p(
        name="regulation_scope",
        description="Which municipalities adopt the regulation",
        unit="-",
        default="partners",
        kind="lever",
        source=A,
        type=str,
        choices=("partners", "green_deal", "all"),
        group="support",
    ),
    # --- Regulation through events and municipal decisions (agents/regulation.py, ODD §7.4/7.8) -
    _p(
        name="permit_event_rate",
        description="Monthly chance that a park has a permit or redevelopment event (a larger "
        "permit, a zoning change or a redevelopment plan) at which a municipality's 'new "
        "normal' binds; 0.0167 = about once in five years",
        unit="1/month",
        default=0.0167,
        kind="uncertainty",
        source="assumption: park-scale permit/redevelopment moments every 2 to 20 years "
        "(frequent firm permits on large parks .. a restructuring cycle)",
        range=(0.004, 0.042),
        limits=(0.0, 1.0),
        group="regulation",
    ),
    _p(
        name="regulation_adoption_logit",
        description="Log-odds of the yearly chance that a municipality in scope without "
        "partner status, Green Deal province or local uptake adopts the 'new normal' rule",
        unit="log-odds",
        default=-2.0,
        kind="uncertainty",
        source=A,
        range=(-4.0, 0.0),
        limits=(-20.0, 20.0),
        group="regulation",
    ),
    _p(
        name="regulation_partner_weight",
        description="Added log-odds of adopting the rule for a partner municipality",
        unit="log-odds",
        default=1.5,
        kind="uncertainty",
        source=A,
        range=(0.0, 3.0),
        limits=(-20.0, 20.0),
        group="regulation",
    ),
    _p(
        name="regulation_province_weight",
        description="Added log-odds of adopting the rule for a municipality whose province "
        "has signed the Green Deal",
        unit="log-odds",
        default=1.0,
        kind="uncertainty",
        source=A,
        range=(0.0, 3.0),
        limits=(-20.0, 20.0),
        group="regulation",
    ),
    _p(
        name="regulation_uptake_weight",
        description="Added log-odds of adopting the rule per unit share of the municipality's "
        "parks engaged, transforming or labelled",
        unit="log-odds",
        default=4.0,
        kind="uncertainty",
        source=A,
        range=(0.0, 10.0),
        limits=(-50.0, 50.0),
        group="regulation",
    ),
    # --- Park population (drawn once per run) ---------------------------------------------------
    _p(
        name="challenge_mean",
        description="Mean future-proofness gap (paving, heat, flooding) of a park, 0-1",
        unit="0-1",
        default=0.75,
        kind="uncertainty",
        source="87% of parks flood-prone; ~1% natural area (EVIDENCE)",
        range=(0.6, 0.9),
        limits=(0.05, 0.95),
        group="parks",
    ),
    _p(
        name="share_biz",
        description="Share of parks with a BIZ",
        unit="share",
        default=0.02,
        kind="uncertainty",
        source="67 BIZ on business parks end 2019 (EVIDENCE)",
        range=(0.01, 0.04),
        limits=(0.0, 1.0),
        group="parks",
    ),
    _p(
        name="share_park_management",
        description="Share of parks with park management",
        unit="share",
        default=0.25,
        kind="uncertainty",
        source="~1,000 of ~3,960 parks have park management (EVIDENCE)",
        range=(0.18, 0.30),
        limits=(0.0, 1.0),
        group="parks",
    ),
    _p(
        name="share_association",
        description="Share of parks with only a business association",
        unit="share",
        default=0.20,
        kind="uncertainty",
        source="assumption: any organisation 35-50% (EVIDENCE)",
        range=(0.08, 0.25),
        limits=(0.0, 1.0),
        group="parks",
    ),
    _p(
        name="organisation_size_tilt",
        description="How much more often large parks are organised (0 = size "
        "irrelevant, 1 = largest parks twice the mean rate)",
        unit="-",
        default=0.6,
        kind="uncertainty",
        source=A,
        range=(0.0, 1.0),
        limits=(0.0, 1.0),
        group="parks",
    ),
    _p(
        name="threshold_mean",
        description="Mean adoption threshold (Granovetter/Watts)",
        unit="0-1",
        default=0.5,  # before calibration; calibrated: model/data/calibrated.json
        kind="uncertainty",
        source=A,
        range=(0.35, 0.65),
        limits=(-1.0, 2.0),
        group="parks",
    ),
    _p(
        name="threshold_sd",
        description="Spread of adoption thresholds",
        unit="0-1",
        default=0.15,
        kind="uncertainty",
        source=A,
        range=(0.05, 0.30),
        limits=(0.0, 1.0),
        group="parks",
    ),
    # --- Awareness ------------------------------------------------------------------------------
    _p(
        name="awareness_base_rate",
        description="Monthly hazard of becoming aware without any push (Bass p)",
        unit="1/month",
        default=0.004,  # before calibration; calibrated: model/data/calibrated.json
        kind="uncertainty",
        source="Bass p 0.01-0.03/yr (Sultan et al. 1990)",
        range=(0.001, 0.01),
        limits=(0.0, 1.0),
        group="awareness",
    ),
    _p(
        name="campaign_rate",
        description="Monthly awareness hazard of the national campaign at intensity 1",
        unit="1/month",
        default=0.01,
        kind="uncertainty",
        source=A,
        range=(0.003, 0.03),
        limits=(0.0, 1.0),
        group="awareness",
    ),
    _p(
        name="green_deal_awareness_boost",
        description="Factor on campaign hazard in Green Deal provinces",
        unit="×",
        default=2.0,
        kind="uncertainty",
        source=A,
        range=(1.0, 4.0),
        limits=(0.0, 20.0),
        group="awareness",
    ),
    _p(
        name="peer_awareness_rate",
        description="Monthly awareness hazard when all network neighbours are aware",
        unit="1/month",
        default=0.03,  # before calibration; calibrated: model/data/calibrated.json
        kind="uncertainty",
        source=A,
        range=(0.0, 0.1),
        limits=(0.0, 1.0),
        group="awareness",
    ),
    _p(
        name="national_awareness_rate",
        description="Monthly awareness hazard per unit national labelled share (Bass q)",
        unit="1/month",
        default=0.02,
        kind="uncertainty",
        source="Bass q 0.2-0.4/yr (Sultan et al. 1990)",
        range=(0.0, 0.05),
        limits=(0.0, 5.0),
        group="awareness",
    ),
    # --- Engagement -----------------------------------------------------------------------------
    _p(
        name="weight_challenge",
        description="Utility weight of the future-proofness challenge",
        unit="utility",
        default=0.25,
        kind="uncertainty",
        source="selection criteria (EVIDENCE); weight assumed",
        range=(0.1, 0.4),
        limits=(0.0, 2.0),
        group="engagement",
    ),
    _p(
        name="weight_earning",
        description="Utility weight of earning capacity",
        unit="utility",
        default=0.10,
        kind="uncertainty",
        source="selection criteria (EVIDENCE); weight assumed",
        range=(0.0, 0.25),
        limits=(0.0, 2.0),
        group="engagement",
    ),
    _p(
        name="weight_ambition",
        description="Utility weight of ambition",
        unit="utility",
        default=0.20,
        kind="uncertainty",
        source="selection criteria (EVIDENCE); weight assumed",
        range=(0.1, 0.35),
        limits=(0.0, 2.0),
        group="engagement",
    ),
    _p(
        name="cost",
        description="Perceived cost and risk of transforming, before maturity",
        unit="utility",
        default=0.15,  # before calibration; calibrated: model/data/calibrated.json
        kind="uncertainty",
        source=A,
        range=(0.05, 0.3),
        limits=(0.0, 2.0),
        group="engagement",
    ),
    _p(
        name="peer_weight",
        description="Weight of peer influence from local ties: utility when all of a park's "
        "own network ties adopt (share of adopting ties; transforming counts half)",
        unit="utility",
        default=0.5,  # before calibration; calibrated: model/data/calibrated.json
        kind="uncertainty",
        source="threshold models (Granovetter 1978; Watts 2002); weight assumed",
        range=(0.0, 1.0),
        limits=(0.0, 5.0),
        group="engagement",
    ),
    _p(
        name="network_radius_km",
        description="Radius for ties between parks of nearby municipalities (centroid distance)",
        unit="km",
        default=15.0,
        kind="uncertainty",
        source=A,
        range=(5.0, 40.0),
        limits=(0.0, 400.0),
        group="engagement",
    ),
    _p(
        name="between_municipality_weight",
        description="Tie weight to a park in a neighbouring municipality, "
        "relative to one in the same municipality (decays linearly to 0 at the radius)",
        unit="-",
        default=0.5,
        kind="uncertainty",
        source=A,
        range=(0.1, 1.0),
        limits=(0.0, 1.0),
        group="engagement",
    ),
    _p(
        name="ambassador_reach",
        description="Weight of the province showcase: utility from active living labs and "
        "ambassadors in the park's province (times 1 - exp(-active showcases))",
        unit="utility",
        default=0.025,  # the former peer_weight 0.157 x reach 0.15: same utility as before
        kind="uncertainty",
        source=A,
        range=(0.0, 0.1),
        limits=(0.0, 5.0),
        group="engagement",
    ),
    _p(
        name="national_visibility",
        description="Weight of national visibility: utility per unit national labelled share",
        unit="utility",
        default=0.08,  # the former peer_weight 0.157 x visibility 0.5: same utility as before
        kind="uncertainty",
        source=A,
        range=(0.0, 0.25),
        limits=(0.0, 20.0),
        group="engagement",
    ),
    _p(
        name="role_support",
        description="Utility of being a stimulated park, lab or ambassador "
        "(programme support package)",
        unit="utility",
        default=0.30,
        kind="uncertainty",
        source=A,
        range=(0.1, 0.5),
        limits=(0.0, 5.0),
        group="engagement",
    ),
    _p(
        name="subsidy_utility",
        description="Utility of a granted subsidy per 50 k€ (recipients only)",
        unit="utility",
        default=0.06,
        kind="uncertainty",
        source=A,
        range=(0.0, 0.15),
        limits=(0.0, 5.0),
        group="engagement",
    ),
    _p(
        name="coaching_utility",
        description="Utility of coaching offered by a partner municipality",
        unit="utility",
        default=0.05,
        kind="uncertainty",
        source=A,
        range=(0.0, 0.15),
        limits=(0.0, 5.0),
        group="engagement",
    ),
    _p(
        name="regulation_push",
        description="Strength of the 'new normal' at a permit/redevelopment event: utility "
        "added to the decision a park must take in the month of its event",
        unit="utility",
        default=0.2,
        kind="uncertainty",
        source=A,
        range=(0.05, 0.6),
        limits=(0.0, 5.0),
        group="engagement",
    ),
    _p(
        name="engage_rate",
        description="Monthly chance that an aware park whose utility clearly exceeds its "
        "threshold decides to engage",
        unit="1/month",
        default=0.08,
        kind="uncertainty",
        source=A,
        range=(0.03, 0.2),
        limits=(0.0, 1.0),
        group="engagement",
    ),
    _p(
        name="decision_noise",
        description="Scale of the logistic noise around the threshold (small: a near-"
        "deterministic threshold rule, Watts 2002)",
        unit="utility",
        default=0.05,
        kind="uncertainty",
        source=A,
        range=(0.005, 0.15),
        limits=(1e-4, 1.0),
        group="engagement",
    ),
    # --- Organisation by type (agents/organising.py; docs/ODD.md §7.5) ---------------------------
    _p(
        name="association_rate",
        description="Monthly chance that an engaged unorganised park forms a business association "
        "(fast and cheap, but without money or a professional organiser)",
        unit="1/month",
        default=0.03,
        kind="uncertainty",
        source="assumption: associations are the quick route (EVIDENCE: associations also "
        "self-manage); wide range",
        range=(0.01, 0.08),
        limits=(0.0, 1.0),
        group="organisation",
    ),
    _p(
        name="park_management_rate",
        description="Monthly chance that an engaged unorganised park of full commitment hires "
        "park management (the chance is this rate times the park's commitment, 0-1: it needs "
        "money and commitment)",
        unit="1/month",
        default=0.02,
        kind="uncertainty",
        source="assumption: ~35 commercial park-management organisations serve ~1,000 parks "
        "(EVIDENCE); hiring needs money and commitment",
        range=(0.005, 0.05),
        limits=(0.0, 1.0),
        group="organisation",
    ),
    _p(
        name="biz_initiative_rate",
        description="Monthly chance that an engaged park without a BIZ (unorganised or an "
        "association) in a Green Deal province holds a BIZ vote while the programme supports "
        "BIZ formation; outside that support BIZ arise only organically (`biz_formation_rate`)",
        unit="1/month",
        default=0.01,
        kind="uncertainty",
        source="assumption: programme support for BIZ formation (Green Deal); wide range",
        range=(0.0, 0.03),
        limits=(0.0, 1.0),
        group="organisation",
    ),
    _p(
        name="biz_support_mean",
        description="Mean share in favour among the firms that vote in a BIZ vote; the vote "
        "passes with turnout (the park's commitment) >= 50% and >= 2/3 in favour",
        unit="share",
        default=0.7,
        kind="uncertainty",
        source="assumption: BIZ rules >= 50% turnout and >= 2/3 in favour (EVIDENCE); "
        "support level assumed",
        range=(0.55, 0.85),
        limits=(0.0, 1.0),
        group="organisation",
    ),
    _p(
        name="biz_support_spread",
        description="Half-width of the uniform spread of the share in favour around "
        "`biz_support_mean` (how uncertain the outcome of a BIZ vote is)",
        unit="share",
        default=0.2,
        kind="uncertainty",
        source=A,
        range=(0.05, 0.3),
        limits=(1e-3, 1.0),
        group="organisation",
    ),
    _p(
        name="biz_retry_months",
        description="Months a park waits after a failed BIZ vote before it may vote again",
        unit="months",
        default=24,
        kind="uncertainty",
        source="assumption: a new initiative needs a new plan and campaign; wide range",
        type=int,
        range=(12, 60),
        limits=(0, 240),
        group="organisation",
    ),
    _p(
        name="biz_formation_rate",
        description="Monthly hazard that a park without a BIZ forms one organically (with or "
        "without the programme, whatever its stage)",
        unit="1/month",
        default=9.3e-5,
        kind="uncertainty",
        source="BIZ series (EVIDENCE): ~36 business-park BIZ in 2012, 67 by end 2019 "
        "(31 in ~7.8 years = ~4.0 a year), 4 new in 2020; among 3,646 - 67 = ~3,580 parks "
        "without one: 4 / 3,580 / 12 = 9.3e-5 per month; range half to double",
        range=(4.6e-5, 1.9e-4),
        limits=(0.0, 0.1),
        group="organisation",
    ),
    _p(
        name="plan_speed_park_management",
        description="Factor on the planning speed of a park with park management (association "
        "= 1): a professional organiser plans faster",
        unit="×",
        default=1.5,
        kind="uncertainty",
        source="assumption: professional organiser; wide range",
        range=(1.0, 2.5),
        limits=(0.0, 10.0),
        group="organisation",
    ),
    _p(
        name="plan_speed_biz",
        description="Factor on the planning speed of a BIZ park (association = 1): a levy "
        "budget and a professional organiser",
        unit="×",
        default=1.5,
        kind="uncertainty",
        source="assumption: BIZ levy ~EUR 400k per 5-year term (EVIDENCE) pays an organiser; "
        "factor assumed",
        range=(1.0, 2.5),
        limits=(0.0, 10.0),
        group="organisation",
    ),
    _p(
        name="transform_speed_park_management",
        description="Factor on the monthly transformation progress of a park with park "
        "management (association = 1)",
        unit="×",
        default=1.2,
        kind="uncertainty",
        source="assumption: professional organiser; wide range",
        range=(1.0, 1.6),
        limits=(0.0, 10.0),
        group="organisation",
    ),
    _p(
        name="transform_speed_biz",
        description="Factor on the monthly transformation progress of a BIZ park (association = 1)",
        unit="×",
        default=1.3,
        kind="uncertainty",
        source="assumption: BIZ levy ~EUR 400k per 5-year term (EVIDENCE); factor assumed",
        range=(1.0, 1.8),
        limits=(0.0, 10.0),
        group="organisation",
    ),
    _p(
        name="stall_factor_park_management",
        description="Factor on the stall chance of a park with park management (association "
        "and unorganised = 1)",
        unit="×",
        default=0.6,
        kind="uncertainty",
        source="assumption: a hired organiser keeps the work going; wide range",
        range=(0.2, 1.0),
        limits=(0.0, 10.0),
        group="organisation",
    ),
    _p(
        name="stall_factor_biz",
        description="Factor on the stall chance of a BIZ park (association and unorganised = 1): "
        "a levy for a 5-year term commits the firms",
        unit="×",
        default=0.4,
        kind="uncertainty",
        source="assumption: 5-year levy term (EVIDENCE) commits the firms; factor assumed",
        range=(0.1, 1.0),
        limits=(0.0, 10.0),
        group="organisation",
    ),
    # --- Planning, transformation -------------------------------------------------------------
    _p(
        name="plan_months",
        description="Mean months from engagement (organised) to the start of transformation",
        unit="months",
        default=9.0,
        kind="uncertainty",
        source=A,
        range=(3.0, 18.0),
        limits=(0.0, 120.0),
        group="transformation",
    ),
    _p(
        name="transformation_months",
        description="Mean transformation duration of a median-sized park",
        unit="months",
        default=24.0,
        kind="uncertainty",
        source=A,
        range=(12.0, 48.0),
        limits=(0.0, 240.0),
        group="transformation",
    ),
    _p(
        name="size_elasticity",
        description="Elasticity of duration to net hectares (larger parks take longer)",
        unit="-",
        default=0.2,
        kind="uncertainty",
        source=A,
        range=(0.0, 0.4),
        limits=(0.0, 1.0),
        group="transformation",
    ),
    _p(
        name="coaching_speedup",
        description="Extra progress per coached or subsidised month (planning and transformation)",
        unit="share",
        default=0.3,
        kind="uncertainty",
        source=A,
        range=(0.0, 0.6),
        limits=(0.0, 5.0),
        group="transformation",
    ),
    _p(
        name="stall_rate",
        description="Monthly chance that an unsupported engaged or transforming park "
        "stalls back to aware",
        unit="1/month",
        default=0.01,
        kind="uncertainty",
        source=A,
        range=(0.0, 0.03),
        limits=(0.0, 1.0),
        group="transformation",
    ),
    # --- Programme learning, label and certification --------------------------------------------
    _p(
        name="maturity_growth",
        description="Monthly growth of concept maturity from living-lab progress",
        unit="1/month",
        default=0.03,
        kind="uncertainty",
        source=A,
        range=(0.01, 0.08),
        limits=(0.0, 1.0),
        group="label",
    ),
    _p(
        name="maturity_cost_reduction",
        description="Share of cost removed at full concept maturity",
        unit="share",
        default=0.3,
        kind="uncertainty",
        source=A,
        range=(0.1, 0.6),
        limits=(0.0, 1.0),
        group="label",
    ),
    _p(
        name="label_ambassadors_required",
        description="Ambassadors that must finish their transformation before the area "
        "label is published",
        unit="parks",
        default=5,
        kind="uncertainty",
        source=A,
        type=int,
        range=(1, 10),
        limits=(0, 200),
        group="label",
    ),
    _p(
        name="label_fallback_month",
        description="Month from which an area label is available in any case, whatever the "
        "ambassadors or the market have done (480, the longest run: never). The Bass reduction "
        "and the KVO-B analogue set 0; the routes that need progress are "
        "`label_ambassadors_required` and `market_label_parks`",
        unit="month",
        default=480,
        kind="structural",
        source=A,
        type=int,
        limits=(0, 480),
        group="label",
    ),
    _p(
        name="certification_capacity",
        description="Area labels that assessors can award per month (two assessors, "
        "three assessment moments per label)",
        unit="labels/month",
        default=30.0,
        kind="uncertainty",
        source="NL Gebiedslabel procedure (EVIDENCE); capacity assumed",
        range=(10.0, 60.0),
        limits=(0.0, 4000.0),
        group="label",
    ),
    # --- Ladder mechanisms and the critical-mass lever (issue 12) -------------------------------
    _p(
        name="market_label_parks",
        description="Market route to the area label: parks nationally (any role) that must have "
        "finished their transformation before the market publishes a label without the "
        "ambassadors",
        unit="parks",
        default=200,
        kind="uncertainty",
        source="assumption: a label standardised by the market once about 5% of parks have "
        "transformed (early-adopter share, Rogers 2003); range 50-500",
        type=int,
        range=(50, 500),
        limits=(0, 3646),
        group="label",
    ),
    _p(
        name="trajectory_speedup",
        description="Extra transformation progress per month of a programme park (lab, "
        "ambassador, stimulated) while the programme runs, at full capacity; capacity is the "
        "mean of its commitment, ambition and organisation degree (the selection criteria)",
        unit="months/month",
        default=0.5,
        kind="uncertainty",
        source=A,
        range=(0.0, 1.0),
        limits=(0.0, 5.0),
        group="transformation",
    ),
    _p(
        name="seeded_adopters",
        description="Organised regular parks, drawn at random, that start the run transforming "
        "(seeded adopters of the critical-mass experiment; an experimental set-up, not a "
        "policy, so not sampled by the sensitivity analyses)",
        unit="parks",
        default=0,
        kind="structural",
        source=A,
        type=int,
        limits=(0, 3646),
        group="programme",
    ),
    # --- Park network and counterfactual tests (issue 12; docs/ODD.md §7.2, §7.9) --------------
    _p(
        name="network_model",
        description="Peer network: a sparse park-level graph ('parks') or the former "
        "municipality-level mean field ('mean_field', for comparison)",
        unit="-",
        default="parks",
        kind="structural",
        source="docs/ODD.md §7.2",
        type=str,
        choices=("parks", "mean_field"),
        group="network",
    ),
    _p(
        name="network_seed",
        description="Seed of the park network draw: a structural uncertainty, separate from "
        "the run seed (the same seed gives the same graph)",
        unit="-",
        default=0,
        kind="uncertainty",
        source="docs/ODD.md §7.2",
        type=int,
        range=(0, 99),
        limits=(0, 2**31 - 1),
        group="network",
    ),
    _p(
        name="ties_per_park",
        description="Mean number of network ties per park (each park opens half of them)",
        unit="ties",
        default=8,
        kind="uncertainty",
        source="sparse interfirm networks; Watts 2002 cascade window (EVIDENCE); assumed",
        type=int,
        range=(4, 12),
        limits=(2, 200),
        group="network",
    ),
    _p(
        name="own_municipality_tie_share",
        description="Share of a park's ties to parks of its own municipality",
        unit="share",
        default=0.5,
        kind="uncertainty",
        source=A,
        range=(0.2, 0.8),
        limits=(0.0, 1.0),
        group="network",
    ),
    _p(
        name="cluster_tie_share",
        description="Share of a park's ties to parks of its park-management cluster (one of "
        "~35 regional park-management organisations); the rest decay with distance",
        unit="share",
        default=0.2,
        kind="uncertainty",
        source="~35 commercial park-management organisations (EVIDENCE); share assumed",
        range=(0.0, 0.4),
        limits=(0.0, 1.0),
        group="network",
    ),
    _p(
        name="tie_decay_km",
        description="Distance decay of ties to other municipalities: chance ~ parks x "
        "exp(-distance / decay) between centroids",
        unit="km",
        default=10.0,
        kind="uncertainty",
        source=A,
        range=(3.0, 30.0),
        limits=(0.1, 400.0),
        group="network",
    ),
    _p(
        name="sustain_peer_share",
        description="Self-sustaining test: least share of the after-support label growth "
        "that the seed-matched twin without peers lacks",
        unit="share",
        default=0.5,
        kind="structural",
        source="docs/ODD.md §7.9 (definition)",
        range=(0.3, 0.7),
        limits=(0.0, 1.0),
        group="outcomes",
    ),
    _p(
        name="sustain_engagement_ratio",
        description="Self-sustaining test: least ratio of engagements in the last 12 months "
        "of the run to those in the first 12 months after support",
        unit="ratio",
        default=0.8,
        kind="structural",
        source="docs/ODD.md §7.9 (definition)",
        range=(0.5, 1.0),
        limits=(0.0, 10.0),
        group="outcomes",
    ),
)

# --- calibrated values ---------------------------------------------------------------------------
CALIBRATED_FILE = Path(__file__).resolve().parent / "data" / "calibrated.json"


class CalibrationFileError(ValueError):
    """The calibrated-values file is malformed or names a value the spec does not accept."""


def load_calibrated(path: Path = CALIBRATED_FILE) -> dict[str, dict[str, Any]]:
    """The entries of a calibrated-values file: name -> {value, source, date, method, ...}."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CalibrationFileError(f"{path}: cannot read calibrated values: {exc}") from None
    entries = document.get("parameters") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        raise CalibrationFileError(f"{path}: needs a mapping 'parameters' (name -> entry)")
    return entries


def _calibrated_value(p: Parameter, entry: Any, where: str) -> Any:
    """The entry's value in the parameter's type, checked against its limits."""
    if not isinstance(entry, dict) or not {"value", "source", "date", "method"} <= set(entry):
        raise CalibrationFileError(f"{where}: needs value, source, date and method")
    if not p.is_numeric:
        raise CalibrationFileError(f"{where}: only numeric parameters can be calibrated")
    value = entry["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CalibrationFileError(f"{where}: value {value!r} is not a number")
    if p.type is int and value != int(value):
        raise CalibrationFileError(f"{where}: value {value!r} should be a whole number")
    value = p.type(value)
    if p.limits and not p.limits[0] <= value <= p.limits[1]:
        raise CalibrationFileError(f"{where}: value {value!r} is outside the limits {p.limits}")
    return value


def overlay_calibrated(
    spec: tuple[Parameter, ...], calibrated: dict[str, dict[str, Any]], where: str = "calibrated"
) -> tuple[Parameter, ...]:
    """`spec` with the default and source of every calibrated parameter replaced (validated)."""
    names = {p.name for p in spec}
    unknown = sorted(set(calibrated) - names)
    if unknown:
        raise CalibrationFileError(f"{where}: unknown parameter(s): {', '.join(unknown)}")
    return tuple(
        replace(
            p,
            default=_calibrated_value(p, calibrated[p.name], f"{where}: {p.name}"),
            source=str(calibrated[p.name]["source"]),
        )
        if p.name in calibrated
        else p
        for p in spec
    )


#: The spec as written in this file, before the calibrated values are overlaid.
UNCALIBRATED: tuple[Parameter, ...] = PARAMETERS
PARAMETERS = overlay_calibrated(UNCALIBRATED, load_calibrated(), str(CALIBRATED_FILE))

BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
DEFAULTS: dict[str, Any] = {p.name: p.default for p in PARAMETERS}


def parameters(kind: Kind | None = None) -> list[Parameter]:
    """Parameters of one kind (all when `kind` is None), in spec order."""
    return [p for p in PARAMETERS if kind is None or p.kind == kind]


def salib_problem(names: list[str]) -> dict[str, Any]:
    """A SALib problem dict over the plausible ranges of the named numeric parameters."""
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise KeyError(f"unknown parameter(s): {', '.join(unknown)}")
    chosen = [BY_NAME[n] for n in names]
    bad = [p.name for p in chosen if not p.is_numeric or p.range is None]
    if bad:
        raise ValueError(f"not numeric with a range, cannot be sampled: {', '.join(bad)}")
    return {
        "num_vars": len(chosen),
        "names": [p.name for p in chosen],
        "bounds": [list(p.range) for p in chosen],
    }
