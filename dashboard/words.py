"""The dashboard's own words (buttons, view names, headings) in Dutch and English.

Words about parameters live in the parameter spec (`Parameter.words`, `.explain`, ...) and words
about outcomes in the outcome spec (`Outcome.nl` / `.en`); this module holds only what belongs to
the page itself. Every entry has both languages (tests/test_dashboard_controls.py checks it).
Texts may hold `{placeholders}` filled in by `say`.
"""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")
DEFAULT_LANG: Lang = "nl"

WORDS: dict[str, dict[str, str]] = {
    "title": {
        "nl": "Werklandschappen van de Toekomst: 1.000 gelabelde terreinen in 2031?",
        "en": "Werklandschappen van de Toekomst: 1,000 labelled parks by 2031?",
    },
    "language": {"nl": "Taal", "en": "Language"},
    "view_one": {"nl": "Eén toekomst", "en": "One future"},
    "view_compare": {"nl": "Vergelijken", "en": "Compare"},
    "view_about": {"nl": "Over het model", "en": "About the model"},
    "settings": {"nl": "Instellingen", "en": "Settings"},
    "scenario": {"nl": "Uitgangspunt (scenario)", "en": "Starting point (scenario)"},
    "seed": {"nl": "Toevalsgetal (seed)", "en": "Random seed"},
    "seed_explain": {
        "nl": "Een ander getal geeft een andere, even waarschijnlijke toekomst.",
        "en": "Another number gives another, equally likely future.",
    },
    "source": {"nl": "Bron", "en": "Source"},
    "assumption": {"nl": "aanname", "en": "assumption"},
    "from_scenario": {"nl": "vastgelegd in het scenario", "en": "set by the scenario"},
    "researchers": {"nl": "Voor onderzoekers", "en": "For researchers"},
    "more": {"nl": "Meer parameters (naam=waarde; ...)", "en": "More parameters (name=value; ...)"},
    "more_explain": {
        "nl": "Namen zoals in docs/parameters.md; wordt toegepast bij Enter.",
        "en": "Names as in docs/parameters.md; applied on Enter.",
    },
    "changes_apply": {
        "nl": "Een wijziging begint de berekening opnieuw bij januari 2023.",
        "en": "A change starts the calculation again from January 2023.",
    },
    "not_applied": {
        "nl": "Niet toegepast: {problem}. Getoond: het scenario met zijn eigen waarden en seed 0.",
        "en": "Not applied: {problem}. Shown: the scenario with its own values and seed 0.",
    },
    "play": {"nl": "Afspelen", "en": "Play"},
    "pause": {"nl": "Pauzeren", "en": "Pause"},
    "step": {"nl": "Eén maand verder", "en": "One month on"},
    "run_to": {"nl": "Doorrekenen tot eind {year}", "en": "Run to end {year}"},
    "restart": {"nl": "Opnieuw beginnen", "en": "Start again"},
    "question": {
        "nl": "{target} terreinen eind {year}",
        "en": "{target} parks by end {year}",
    },
    "reached_in": {"nl": "gehaald in {month}", "en": "reached in {month}"},
    "not_reached": {
        "nl": "niet gehaald ({n} terreinen)",
        "en": "not reached ({n} parks)",
    },
    "not_yet": {
        "nl": "nog open: {n} terreinen na {month}",
        "en": "still open: {n} parks after {month}",
    },
    "chance": {
        "nl": "kans {p} (95%-interval {low}–{high})",
        "en": "chance {p} (95% interval {low}–{high})",
    },
    "chance_posterior": {
        "nl": "kans {p} (90%-interval {low}–{high}, inclusief onzekerheid over de "
        "gekalibreerde parameters)",
        "en": "chance {p} (90% interval {low}–{high}, including the uncertainty about the "
        "calibrated parameters)",
    },
    "mean_answer": {"nl": "gemiddeld {n} terreinen", "en": "on average {n} parks"},
    "posterior_switch": {
        "nl": "Onzekerheid over de gekalibreerde parameters meenemen (posterior)",
        "en": "Include the uncertainty about the calibrated parameters (posterior)",
    },
    "interval_note_posterior": {
        "nl": "Tussen haakjes: kans: 90%-interval over de parametersets uit de posterior; "
        "verschillen: 95%-interval, gepaard per seed en parameterset.",
        "en": "In brackets: chance: 90% interval over the parameter sets from the posterior; "
        "differences: 95% interval, paired by seed and parameter set.",
    },
    "status": {
        "nl": "{month} · {labelled} van {parks} terreinen gelabeld",
        "en": "{month} · {labelled} of {parks} parks labelled",
    },
    "start_month": {"nl": "start (januari {year})", "en": "start (January {year})"},
    "end_of": {"nl": "eind {month} {year}", "en": "end of {month} {year}"},
    "month_year": {"nl": "{month} {year}", "en": "{month} {year}"},
    "run_info": {
        "nl": "Uitgangspunt: {scenario} · seed {seed} · gewijzigd: {changed}",
        "en": "Starting point: {scenario} · seed {seed} · changed: {changed}",
    },
    "nothing": {"nl": "niets", "en": "nothing"},
    "download": {"nl": "Downloaden", "en": "Download"},
    "export_yaml": {
        "nl": "Instellingen als scenario (YAML)",
        "en": "Settings as a scenario (YAML)",
    },
    "export_csv": {"nl": "Resultaten (CSV)", "en": "Results (CSV)"},
    "export_xlsx": {"nl": "Resultaten (Excel)", "en": "Results (Excel)"},
    "export_png": {"nl": "Grafiek (PNG)", "en": "Chart (PNG)"},
    "chart_labelled": {"nl": "Gelabelde werklandschappen", "en": "Labelled werklandschappen"},
    "chart_stages": {
        "nl": "Terreinen per fase (legenda: nu)",
        "en": "Parks by stage (legend: now)",
    },
    "chart_provinces": {
        "nl": "Aandeel gelabeld per provincie (blauw: Green Deal)",
        "en": "Labelled share per province (blue: Green Deal)",
    },
    "chart_map": {"nl": "Terreinen, {month}", "en": "Parks, {month}"},
    "axis_year": {"nl": "jaar (stippellijn: eind {year})", "en": "year (dotted: end {year})"},
    "axis_parks": {"nl": "terreinen", "en": "parks"},
    "axis_labelled": {"nl": "gelabelde terreinen", "en": "labelled parks"},
    "axis_share": {
        "nl": "gelabeld (% van de terreinen in de provincie)",
        "en": "labelled (% of the province's parks)",
    },
    "target": {"nl": "doel {target}", "en": "target {target}"},
    "living_lab": {"nl": "proeftuin", "en": "living lab"},
    "ambassador": {"nl": "ambassadeur", "en": "ambassador"},
    "stage_unaware": {"nl": "onbekend", "en": "unaware"},
    "stage_aware": {"nl": "bewust", "en": "aware"},
    "stage_engaged": {"nl": "plan in de maak", "en": "making a plan"},
    "stage_transforming": {"nl": "in transformatie", "en": "transforming"},
    "stage_labelled": {"nl": "gelabeld", "en": "labelled"},
    "compare_title": {"nl": "Scenario's vergelijken", "en": "Compare scenarios"},
    "compare_explain": {
        "nl": "Elk scenario wordt vaak doorgerekend met dezelfde toevalsgetallen; "
        "het basisscenario is altijd de referentie.",
        "en": "Each scenario runs many times with the same random seeds; "
        "the baseline is always the reference.",
    },
    "my_scenario": {
        "nl": "Mijn scenario (huidige instellingen)",
        "en": "My scenario (current settings)",
    },
    "mine_invalid": {
        "nl": "Mijn scenario doet niet mee: een instelling is ongeldig (zie Eén toekomst).",
        "en": "My scenario is left out: a setting is invalid (see One future).",
    },
    "others": {"nl": "Andere scenario's (hoogstens 3)", "en": "Other scenarios (at most 3)"},
    "replications": {"nl": "Aantal runs per scenario", "en": "Runs per scenario"},
    "first_seed": {"nl": "Seed van de eerste run", "en": "Seed of the first run"},
    "compare_run": {"nl": "Vergelijking starten", "en": "Run comparison"},
    "cancel": {"nl": "Stoppen", "en": "Cancel"},
    "progress": {
        "nl": "Bezig: {done} van {total} runs klaar",
        "en": "Running: {done} of {total} runs done",
    },
    "too_many": {
        "nl": "Kies hoogstens 3 andere scenario's.",
        "en": "Choose at most 3 other scenarios.",
    },
    "compare_failed": {
        "nl": "De vergelijking is mislukt: {error}",
        "en": "The comparison failed: {error}",
    },
    "compare_cancelled": {"nl": "Vergelijking gestopt.", "en": "Comparison cancelled."},
    "compare_done": {
        "nl": "{runs} runs per scenario, in {seconds} s",
        "en": "{runs} runs per scenario, in {seconds} s",
    },
    "col_scenario": {"nl": "Scenario", "en": "Scenario"},
    "col_runs": {"nl": "Runs", "en": "Runs"},
    "col_mean": {"nl": "Gemiddeld: {outcome}", "en": "Mean: {outcome}"},
    "col_p": {"nl": "Kans: {outcome}", "en": "Chance: {outcome}"},
    "col_diff": {"nl": "Verschil met basis (terreinen)", "en": "Difference from baseline (parks)"},
    "col_pdiff": {"nl": "Verschil in kans", "en": "Difference in chance"},
    "reference": {"nl": "referentie", "en": "reference"},
    "interval_note": {
        "nl": "Tussen haakjes: 95%-interval (kans: Wilson; verschillen: gepaard per seed).",
        "en": "In brackets: 95% interval (chance: Wilson; differences: paired by seed).",
    },
    "fan_title": {
        "nl": "Gelabelde terreinen: mediaan en 5–95% van de runs",
        "en": "Labelled parks: median and 5–95% of runs",
    },
    "prob_axis": {
        "nl": "kans op {target} eind {year} (Wilson 95%)",
        "en": "chance of {target} by end {year} (Wilson 95%)",
    },
    "prob_axis_posterior": {
        "nl": "kans op {target} eind {year} (90%-interval over de parametersets)",
        "en": "chance of {target} by end {year} (90% interval over the parameter sets)",
    },
    "about_title": {"nl": "Hoe het model werkt", "en": "How the model works"},
    "about_text": {
        "nl": "Het model volgt alle 3.646 bedrijventerreinen van Nederland van januari 2023 tot "
        "eind 2036, maand voor maand. Elk terrein doorloopt dezelfde ladder: het raakt bekend "
        "met het idee, maakt een plan, transformeert en krijgt dan het gebiedslabel. Of een "
        "terrein de volgende stap zet, hangt af van zijn eigen motief, van wat het programma "
        "doet (campagne, proeftuinen, ambassadeurs, gestimuleerde terreinen, subsidie en "
        "begeleiding door gemeenten), van buurterreinen die al verder zijn en van regels in het "
        "omgevingsplan. Of het label er komt, hangt af van de capaciteit van de beoordelaars. "
        "Het toeval speelt mee: daarom rekent het vergelijken elk scenario vaak door.",
        "en": "The model follows all 3,646 business parks of the Netherlands from January 2023 "
        "to the end of 2036, month by month. Every park climbs the same ladder: it becomes aware "
        "of the idea, makes a plan, transforms and then receives the area label. Whether a park "
        "takes the next step depends on its own motive, on what the programme does (campaign, "
        "living labs, ambassadors, stimulated parks, subsidy and coaching by municipalities), on "
        "nearby parks that are further along and on the rules in the zoning plan. Whether the "
        "label follows depends on the assessors' capacity. Chance plays a part, which is why "
        "the comparison runs each scenario many times.",
    },
    "about_more": {
        "nl": "De volledige beschrijving staat in docs/ODD.md; elke parameter met bron in "
        "docs/parameters.md.",
        "en": "The full description is in docs/ODD.md; every parameter with its source in "
        "docs/parameters.md.",
    },
    "drivers": {"nl": "wat een terrein een stap verder helpt", "en": "what moves a park on"},
    "driver_own": {"nl": "eigen motief", "en": "own motive"},
    "driver_programme": {"nl": "programma", "en": "programme"},
    "driver_peers": {"nl": "buurterreinen", "en": "peers"},
    "driver_rules": {"nl": "regels", "en": "rules"},
    "driver_assessors": {"nl": "beoordelaars", "en": "assessors"},
}

#: Month names, January first.
MONTHS: dict[str, tuple[str, ...]] = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip

#: Plain names of the shipped scenarios (their file names are code names).
SCENARIOS: dict[str, dict[str, str]] = {
    "baseline": {"nl": "Basisscenario", "en": "Baseline"},
    "built_to_tip": {"nl": "Gebouwd om te kantelen (toets)", "en": "Built to tip (check)"},
    "all_provinces": {"nl": "Alle provincies een Green Deal", "en": "Green Deal in all provinces"},
    "all_provinces_baseline_money": {
        "nl": "Alle provincies, geld van het basisscenario",
        "en": "All provinces, the baseline's money",
    },
    "baseline_all_provinces_money": {
        "nl": "Zes provincies, geld van alle provincies",
        "en": "Six provinces, all provinces' money",
    },
    "central_selection": {"nl": "Centrale terreinen kiezen", "en": "Choose central parks"},
    "double_stimulated": {"nl": "Twee keer zoveel gestimuleerd", "en": "Twice as many stimulated"},
    "early_regulation": {"nl": "Eerder nieuwe regels", "en": "New rules earlier"},
    "green_deal_fixed": {"nl": "Green Deal als vast plan", "en": "Green Deal as a fixed plan"},
    "late_joiners": {"nl": "Provincies sluiten later aan", "en": "Provinces join later"},
    "more_partners": {"nl": "Meer partnergemeenten", "en": "More partner municipalities"},
    "no_programme": {"nl": "Geen programma", "en": "No programme"},
    "organisation_support": {"nl": "Steun bij organiseren", "en": "Support for organising"},
    "realised": {"nl": "Programma zoals uitgevoerd", "en": "Programme as realised"},
    "spread_selection": {"nl": "Verspreid over provincies", "en": "Spread over provinces"},
    "my_scenario": {"nl": "Mijn scenario", "en": "My scenario"},
}  # fmt: skip


def say(key: str, lang: str, **values: Any) -> str:
    """The UI text `key` in `lang` ("nl" or "en"), with `{placeholders}` filled from `values`."""
    text = WORDS[key]["nl" if lang == "nl" else "en"]
    return text.format(**values) if values else text


def scenario_title(name: str, lang: str) -> str:
    """A scenario's plain name; an unknown one (e.g. a new file) without its underscores."""
    words = SCENARIOS.get(name)
    if words is None:
        return name.replace("_", " ").capitalize()
    return words["nl" if lang == "nl" else "en"]


def number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with the language's separators: 1.657 / 1,657; 0,25 / 0.25."""
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def month_name(month: int, lang: str) -> str:
    """The calendar month (1-12) in words."""
    return MONTHS["nl" if lang == "nl" else "en"][month - 1]
