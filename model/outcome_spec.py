"""The outcome spec: the one place where every summary outcome of a run is declared.

Like the parameter spec (`model/parameters.py`), each outcome is declared once with its name,
words (English and Dutch, for reports, docs and the dashboard), unit, type, what it refers to
(the scenario's horizon or target, or the end of the run) and how it is censored. Everything that
lists, types, explains or labels outcomes reads this table: `RunResult.summary()` (the order and
the keys), the experiments (which outcomes a run keeps), docs/outputs.md, reports and the
dashboard. Words may contain `{target}`, `{horizon}` (the month) and `{horizon_year}` (the year
whose end the horizon is), filled in from the scenario's parameters by `Outcome.label`; nothing
here hard-codes a month or a target.

Definitions are in docs/ODD.md §7.9 and `model/outcomes.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

DType = Literal["int", "float", "bool", "str", "month"]
Refers = Literal["horizon", "end", "run", "after_horizon", "identity"]
START_YEAR = 2023  # month 0 is January 2023 (ODD §2)


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """One summary outcome of a run."""

    name: str
    en: str  # short label, English (may hold {target}, {horizon}, {horizon_year})
    nl: str  # short label, Dutch
    meaning: str  # one or two sentences (English): the definition
    unit: str
    dtype: DType  # "month": a month number (float, NaN when it never happens)
    refers_to: Refers
    censoring: str = ""  # how a value that did not happen within the run is recorded
    experiment: bool = False  # kept per run by the experiment layer (runs.parquet)

    def label(self, params: dict[str, Any] | None = None, lang: str = "en") -> str:
        """The short label in `lang` ("en" or "nl"), with horizon and target filled in."""
        text = self.nl if lang == "nl" else self.en
        return fill(text, params)

    @property
    def date_name(self) -> str | None:
        """The calendar-date column written beside a month outcome (month -> date), else None."""
        return self.name.replace("month", "date") if self.dtype == "month" else None

    @property
    def pandas_dtype(self) -> str:
        """The column type in tables: Int64 (nullable), float64, boolean or string."""
        return {
            "int": "Int64",
            "float": "float64",
            "bool": "boolean",
            "str": "string",
            "month": "float64",
        }[self.dtype]


def fill(text: str, params: dict[str, Any] | None) -> str:
    """Fill {target}, {horizon} and {horizon_year} from scenario parameters (defaults if None)."""
    if params is None:
        from werklandschap.model.parameters import DEFAULTS

        params = DEFAULTS
    horizon = int(params["horizon_months"])
    return text.format(
        target=f"{int(params['target_parks']):,}",
        horizon=horizon,
        horizon_year=START_YEAR + (horizon - 1) // 12,
    )


_O = Outcome
NOT_REACHED = "NaN when it does not happen within the run (right-censored at the run's end)"

OUTCOMES: tuple[Outcome, ...] = (
    _O(name="scenario", en="scenario", nl="scenario", meaning="Name of the scenario run.",
       unit="-", dtype="str", refers_to="identity"),
    _O(name="seed", en="seed", nl="seed", unit="-", dtype="int", refers_to="identity",
       meaning="Seed of the run's random number generator (numpy SeedSequence entropy)."),
    _O(name="labelled_at_horizon", en="labelled parks, end {horizon_year}",
       nl="gelabelde terreinen, eind {horizon_year}", unit="parks", dtype="int",
       refers_to="horizon", experiment=True,
       meaning="Parks with the area label at the horizon (month {horizon}, end of "
       "{horizon_year})."),
    _O(name="target_met", en="{target} parks reached by end {horizon_year}",
       nl="{target} terreinen gehaald eind {horizon_year}", unit="yes/no", dtype="bool",
       refers_to="horizon", experiment=True,
       meaning="Whether at least {target} parks carry the label at the horizon "
       "(month {horizon})."),
    _O(name="month_target_reached", en="month {target} parks are reached",
       nl="maand waarin {target} terreinen gehaald worden", unit="month", dtype="month",
       refers_to="run", censoring=NOT_REACHED, experiment=True,
       meaning="First month (0 = January 2023) with at least {target} labelled parks, over the "
       "whole run (horizon and after-horizon)."),
    _O(name="labelled_at_end", en="labelled parks at the end of the run",
       nl="gelabelde terreinen aan het eind van de run", unit="parks", dtype="int",
       refers_to="end", experiment=True,
       meaning="Parks with the area label in the last month of the run."),
    _O(name="adopters_at_horizon", en="adopters, end {horizon_year}",
       nl="deelnemers, eind {horizon_year}", unit="parks", dtype="int", refers_to="horizon",
       experiment=True,
       meaning="Engaged, transforming and labelled parks at the horizon (month {horizon})."),
    _O(name="transforming_at_horizon", en="transforming parks, end {horizon_year}",
       nl="terreinen in transformatie, eind {horizon_year}", unit="parks", dtype="int",
       refers_to="horizon", meaning="Parks transforming at the horizon (month {horizon})."),
    _O(name="engaged_at_horizon", en="engaged parks, end {horizon_year}",
       nl="terreinen met een plan, eind {horizon_year}", unit="parks", dtype="int",
       refers_to="horizon",
       meaning="Parks engaged (making a plan) at the horizon (month {horizon})."),
    _O(name="aware_or_beyond_at_horizon", en="aware parks, end {horizon_year}",
       nl="bewuste terreinen, eind {horizon_year}", unit="parks", dtype="int",
       refers_to="horizon",
       meaning="Parks aware of the idea or further along at the horizon (month {horizon})."),
    _O(name="peer_share", en="share of engagements carried by peers",
       nl="aandeel deelnames gedragen door andere terreinen", unit="share", dtype="float",
       refers_to="horizon", experiment=True,
       meaning="Expected share of engagements up to the horizon that would not have happened "
       "without the peer channel: the sum over engagements of the marginal drop in their "
       "probability when peers are removed, divided by the engagements (ODD §7.4). NaN "
       "without engagements."),
    _O(name="tipping_month", en="tipping month (counterfactual)",
       nl="kantelmaand (contrafeitelijk)", unit="month", dtype="month", refers_to="run",
       censoring="NaN when the run is not self-sustaining (or cannot be judged)",
       experiment=True,
       meaning="In a self-sustaining run: the first month after support stops from which the "
       "twin without peers lacks at least the `sustain_peer_share` of the label growth since "
       "support stopped, until the end (ODD §7.9)."),
    _O(name="label_month", en="month the area label becomes available",
       nl="maand waarin het gebiedslabel beschikbaar komt", unit="month", dtype="month",
       refers_to="run", censoring=NOT_REACHED, experiment=True,
       meaning="First month in which the area label can be awarded."),
    _O(name="maturity_at_horizon", en="concept maturity, end {horizon_year}",
       nl="volwassenheid van het concept, eind {horizon_year}", unit="0-1", dtype="float",
       refers_to="horizon", meaning="Concept maturity M (0-1) at the horizon (month {horizon})."),
    _O(name="after_horizon_growth", en="labels added after {horizon_year}",
       nl="labels bijgekomen na {horizon_year}", unit="parks", dtype="int",
       refers_to="after_horizon", experiment=True,
       meaning="Labelled parks at the end of the run minus those at the horizon."),
    _O(name="self_sustaining", en="self-sustaining after support stops (counterfactual)",
       nl="zelfdragend na het einde van de steun (contrafeitelijk)", unit="yes/no",
       dtype="float", refers_to="after_horizon", experiment=True,
       censoring="NaN when fewer than 24 months follow the end of support (no twin)",
       meaning="1 when peers carry most of the label growth after support stops "
       "(`peer_carried_share` >= `sustain_peer_share`) and monthly engagements do not decline "
       "(`engagement_trend` >= `sustain_engagement_ratio`); else 0 (seed-matched twin test, "
       "ODD §7.9)."),
    _O(name="labelled_share_green_deal", en="labelled share in Green Deal provinces",
       nl="aandeel gelabeld in Green Deal-provincies", unit="share", dtype="float",
       refers_to="horizon", experiment=True,
       meaning="Share of parks in the provinces with a Green Deal at the start that carry the "
       "label at the horizon (month {horizon}); NaN when there are none."),
    _O(name="labelled_share_other", en="labelled share in other provinces",
       nl="aandeel gelabeld in andere provincies", unit="share", dtype="float",
       refers_to="horizon", experiment=True,
       meaning="Share of parks in the other provinces that carry the label at the horizon "
       "(month {horizon}); NaN when there are none."),
    *(
        _O(name=f"engagements_{key}", en=f"engagements credited to {en}",
           nl=f"deelnames toegeschreven aan {nl}", unit="parks", dtype="int",
           refers_to="horizon",
           meaning=f"Engagements up to the horizon whose largest marginal effect was {en} "
           f"(a per-park label, ODD §7.4; the shares use the credits).")
        for key, en, nl in (
            ("intrinsic", "the park's own motive", "eigen motief"),
            ("programme", "the programme", "het programma"),
            ("peers", "peers", "andere terreinen"),
            ("regulation", "regulation", "regelgeving"),
        )
    ),
    *(
        _O(name=f"labelled_share_org_{key}", en=f"labelled share, organisation: {en}",
           nl=f"aandeel gelabeld, organisatie: {nl}", unit="share", dtype="float",
           refers_to="horizon",
           meaning=f"Share of parks whose organisation at the start of the run is {en} that "
           "carry the label at the horizon; NaN when there are none.")
        for key, en, nl in (
            ("none", "none", "geen"),
            ("association", "business association", "ondernemersvereniging"),
            ("park_management", "park management", "parkmanagement"),
            ("biz", "BIZ", "BIZ"),
        )
    ),
    *(
        _O(name=f"organised_during_run_{key}", en=f"organised during the run: {en}",
           nl=f"georganiseerd tijdens de run: {nl}", unit="parks", dtype="int", refers_to="end",
           censoring="NaN when the organisation at the start of the run is not recorded",
           meaning=f"Parks whose organisation at the end of the run is {en} and differs from "
           "their organisation at the start (they organised, or became a BIZ, during the run).")
        for key, en, nl in (
            ("association", "business association", "ondernemersvereniging"),
            ("park_management", "park management", "parkmanagement"),
            ("biz", "BIZ", "BIZ"),
        )
    ),
    _O(name="peer_carried_share", en="share of after-support growth carried by peers",
       nl="aandeel groei na de steun gedragen door andere terreinen", unit="share",
       dtype="float", refers_to="after_horizon", experiment=True,
       censoring="NaN without a twin (fewer than 24 months after support) or without growth",
       meaning="(G_a - G_b) / G_a: the share of the run's label growth from the end of support "
       "to the end of the run that its seed-matched twin without peers lacks (ODD §7.9)."),
    _O(name="engagement_trend", en="engagement trend after support",
       nl="trend van deelnames na de steun", unit="ratio", dtype="float",
       refers_to="after_horizon", experiment=True,
       censoring="NaN without a twin, or without engagements in the first 12 months after "
       "support",
       meaning="Engagements in the last 12 months of the run divided by those in the first 12 "
       "months after support stopped (ODD §7.9)."),
    *(
        _O(name=f"credit_{key}", en=f"share of engagements carried by {en}",
           nl=f"aandeel deelnames gedragen door {nl}", unit="share", dtype="float",
           refers_to="horizon",
           meaning=f"Expected share of engagements up to the horizon carried by {en}: "
           "marginal drops in probability, summed and divided by the engagements (ODD §7.4); "
           "selections of labs and ambassadors count as the programme's. NaN without "
           "engagements.")
        for key, en, nl in (
            ("programme", "the programme", "het programma"),
            ("regulation", "regulation", "regelgeving"),
        )
    ),
    _O(name="credit_intrinsic", en="share of engagements that needed no channel",
       nl="aandeel deelnames zonder extern kanaal", unit="share", dtype="float",
       refers_to="horizon",
       meaning="Expected share of engagements up to the horizon that would have happened with "
       "programme, peers and regulation all removed (ODD §7.4). NaN without engagements."),
    *(
        _O(name=f"spent_{key}_meur", en=f"subsidy paid by {en} to end {{horizon_year}}",
           nl=f"subsidie betaald door {nl} t/m {{horizon_year}}", unit="M€", dtype="float",
           refers_to="horizon", experiment=True,
           meaning=f"Million euros of park subsidies granted up to the horizon (month "
           f"{{horizon}}) paid by {en}: each grant is booked to the Growth Fund, the province "
           "and its partner municipalities in proportion to the province's pot that year "
           "(ODD §7.8).")
        for key, en, nl in (
            ("growth_fund", "the Growth Fund", "het Groeifonds"),
            ("provinces", "the provinces", "de provincies"),
            ("municipalities", "the municipalities", "de gemeenten"),
        )
    ),
    _O(name="spent_total_meur", en="subsidy granted to end {horizon_year}",
       nl="subsidie toegekend t/m {horizon_year}", unit="M€", dtype="float",
       refers_to="horizon", experiment=True,
       meaning="Million euros of park subsidies granted up to the horizon (month {horizon}), "
       "all sources."),
    _O(name="funded_total_meur", en="subsidy money available to end {horizon_year}",
       nl="beschikbaar subsidiegeld t/m {horizon_year}", unit="M€", dtype="float",
       refers_to="horizon",
       meaning="Million euros put in the provinces' yearly subsidy pots up to the horizon "
       "(month {horizon}); money not granted within its year lapses (ODD §7.8)."),
    _O(name="labels_per_meur", en="labelled parks per M€ of subsidy",
       nl="gelabelde terreinen per miljoen euro subsidie", unit="parks/M€", dtype="float",
       refers_to="horizon", experiment=True,
       censoring="NaN when no subsidy was granted",
       meaning="Labelled parks at the horizon divided by the subsidy granted up to the horizon "
       "(M€). The cost per additional label against no_programme is a paired comparison "
       "(compare experiments' money table, runs/money.py)."),
)  # fmt: skip

BY_NAME: dict[str, Outcome] = {o.name: o for o in OUTCOMES}
#: Summary outcomes the experiment layer keeps per run, in the column order of runs.parquet.
EXPERIMENT_OUTCOMES: tuple[str, ...] = (
    "labelled_at_horizon",
    "target_met",
    "month_target_reached",
    "labelled_at_end",
    "adopters_at_horizon",
    "self_sustaining",
    "peer_share",
    "tipping_month",
    "label_month",
    "after_horizon_growth",
    "labelled_share_green_deal",
    "labelled_share_other",
    "peer_carried_share",
    "engagement_trend",
    "spent_growth_fund_meur",
    "spent_provinces_meur",
    "spent_municipalities_meur",
    "spent_total_meur",
    "labels_per_meur",
)
assert set(EXPERIMENT_OUTCOMES) == {o.name for o in OUTCOMES if o.experiment}


def outcome(name: str) -> Outcome:
    """The declared outcome `name` (KeyError naming the known ones otherwise)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown outcome {name!r}; known: {', '.join(BY_NAME)}") from None
