"""The dashboard page served by `werklandschap dashboard` (Solara, matplotlib only).

One page with a language switch (Nederlands / English) and three named views:
- "Eén toekomst / One future": the settings (levers from the parameter spec, in words, with
  value, unit, explanation and source), the headline answer, Play / one month on / run to the
  horizon / run to the end, four charts and downloads;
- "Vergelijken / Compare": the baseline, "my scenario" and shipped scenarios over many runs;
- "Over het model / About the model": a paragraph and a diagram.
The page steps the model itself (no Mesa SolaraViz), so no developer controls are shown. A run to
a month is one batch of steps followed by one redraw. Headings are plain HTML, not
`solara.Markdown`, which fetches KaTeX from a CDN (not available offline).

Run directly (offline-capable):
    SOLARA_TELEMETRY_MIXPANEL_ENABLE=false SOLARA_THEME_SHOW_BANNER=false \
        solara run werklandschap/dashboard/app.py --host 127.0.0.1 --port 8765 --production
"""

from __future__ import annotations

import time
from typing import Any

import solara
import solara.lab

from werklandschap.dashboard import export
from werklandschap.dashboard.compare import CompareView
from werklandschap.dashboard.controls import Control, DashboardModel, controls, value_text
from werklandschap.dashboard.views import (
    CHARTS,
    end_year,
    headline,
    ladder_figure,
    month_text,
    png,
)
from werklandschap.dashboard.words import (
    DEFAULT_LANG,
    LANGS,
    number,
    say,
    scenario_title,
)
from werklandschap.model.parameters import BY_NAME
from werklandschap.model.scenario import load_scenario, shipped_scenarios

PLAY_MONTHS = 3  # months per frame while playing: a year of model time in four frames
PLAY_PAUSE = 0.25  # seconds between frames
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}

CSS = """
.wl-header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px;
             padding: 8px 16px; border-bottom: 1px solid #ddd; }
.wl-header h1 { font-size: 1.3em; margin: 0; flex: 1 1 400px; }
.wl-page { display: flex; gap: 16px; align-items: flex-start; padding: 8px 16px 48px 16px; }
.wl-settings { flex: 0 0 300px; max-width: 300px; }
.wl-main { flex: 1 1 auto; min-width: 0; }
.wl-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(430px, 1fr));
             gap: 12px; }
.wl-charts img { width: 100%; height: auto; }
.view-compare img, .view-about img { max-width: 100%; height: auto; }
.headline { font-size: 1.35em; font-weight: bold; margin: 4px 0; }
.lever { margin-bottom: 6px; }
.lever-value { font-weight: bold; }
/* the lever's name is shown above its slider or list */
.lever .v-input__slider .v-label, .lever .v-select .v-label { display: none; }
.lever-explain { font-size: 0.8em; display: block; }
.lever-source { font-size: 0.75em; color: #555; display: block; }
.compare-table { border-collapse: collapse; font-size: 0.9em; margin: 8px 0; }
.compare-table th, .compare-table td { border-bottom: 1px solid #ddd; padding: 4px 8px;
                                        text-align: left; }
"""

language = solara.reactive(DEFAULT_LANG)
view = solara.reactive(0)
scenario_name = solara.reactive("baseline")
lever_values: solara.Reactive[dict[str, Any]] = solara.reactive({})  # the user's lever choices
seed_text = solara.reactive("0")
more_text = solara.reactive("")
restarts = solara.reactive(0)  # "start again" with unchanged settings
tick = solara.reactive(0)  # bumped whenever the model advanced: the charts redraw


@solara.lab.task(prefer_threaded=True)
def play(model: DashboardModel) -> None:
    """Advance `model` PLAY_MONTHS at a time, redrawing after each, until paused or the end."""
    while play.is_current() and model.running:
        model.run_until(int(model.time) + PLAY_MONTHS)
        tick.set(tick.value + 1)
        time.sleep(PLAY_PAUSE)


def stop_playing() -> None:
    """Pause Play if it runs (a task never started cannot be cancelled)."""
    if play.pending:
        play.cancel()


def advance(model: DashboardModel, month: int) -> None:
    """Run `model` to `month` in one batch, then redraw once."""
    stop_playing()
    model.run_until(month)
    tick.set(tick.value + 1)


def pick_scenario(name: str) -> None:
    """Load a shipped scenario: its values replace the lever choices."""
    scenario_name.set(name)
    lever_values.set({})


def set_lever(name: str, value: Any) -> None:
    lever_values.set({**lever_values.value, name: value})


@solara.component
def Layout(children: list = []) -> None:  # noqa: B006 (Solara's layout signature)
    """A plain page (no app bar, no drawer): the page lays itself out."""
    solara.Column(children=children, style={"padding": "0", "gap": "0"})


@solara.component
def LeverControl(control: Control, lang: str) -> None:
    """One lever: its name, value with unit, the control, an explanation and the source."""
    p = BY_NAME[control.name]
    with solara.Column(classes=["lever", f"lever-{control.name.replace('_', '-')}"], gap="0"):
        with solara.Row(gap="6px"):
            solara.Text(control.label + ":")
            solara.Text(value_text(p, control.value, lang), classes=["lever-value"])
        if control.kind == "select":
            by_word = dict(zip(control.options, p.choices, strict=True))
            solara.Select(control.label, values=list(control.options),
                          value=control.options[p.choices.index(control.value)],
                          on_value=lambda word: set_lever(control.name, by_word[word]),
                          dense=True)  # fmt: skip
        elif control.kind == "fixed":
            solara.Text(say("from_scenario", lang), classes=["lever-explain"])
        else:
            slider = solara.SliderInt if control.kind == "slider_int" else solara.SliderFloat
            slider(control.label, value=control.value, min=control.low, max=control.high,
                   step=control.step, thumb_label=False,
                   on_value=lambda v: set_lever(control.name, v))  # fmt: skip
        solara.Text(control.explain, classes=["lever-explain"])
        solara.Text(control.source, classes=["lever-source"])


@solara.component
def Settings(model: DashboardModel, lang: str) -> None:
    """The settings panel: starting scenario, levers, seed and (for researchers) free overrides."""
    names = list(shipped_scenarios())
    titles = {scenario_title(n, lang): n for n in names}
    with solara.Column(classes=["wl-settings"], gap="4px"):
        solara.Text(say("settings", lang), style={"font-weight": "bold"})
        solara.Select(say("scenario", lang), values=list(titles),
                      value=scenario_title(scenario_name.value, lang),
                      on_value=lambda title: pick_scenario(titles[title]))  # fmt: skip
        solara.Text(say("changes_apply", lang), classes=["lever-source"])
        shown = load_scenario(scenario_name.value).with_params(**_valid_levers())
        for control in controls(shown, lang):
            LeverControl(control, lang)
        solara.InputText(say("seed", lang), value=seed_text)
        solara.Text(say("seed_explain", lang), classes=["lever-explain"])
        with solara.Details(say("researchers", lang)):
            solara.InputText(say("more", lang), value=more_text)
            solara.Text(say("more_explain", lang), classes=["lever-source"])


def _valid_levers() -> dict[str, Any]:
    """The user's lever choices that the current scenario accepts (others are dropped)."""
    base = load_scenario(scenario_name.value)
    good = {}
    for name, value in lever_values.value.items():
        try:
            base.with_params(**{name: value})
        except ValueError:
            continue
        good[name] = value
    return good


def changed_text(model: DashboardModel, lang: str) -> str:
    """What differs from the starting scenario, in words: 'Gestimuleerde terreinen 160 ...'."""
    parts = []
    for name, value in model.changes.items():
        p = BY_NAME[name]
        words = p.words["nl" if lang == "nl" else "en"] if p.words else p.description
        parts.append(f"{words} {value_text(p, value, lang)}")
    return ", ".join(parts) or say("nothing", lang)


@solara.component
def ChartCell(chart_class: type, model: DashboardModel, lang: str, frame: int) -> None:
    """One chart, redrawn when the model advanced (`frame`) or the language changed."""
    chart = solara.use_memo(lambda: chart_class(model, lang), [model, lang])

    def draw() -> bytes:
        chart.update(model, lang)
        return png(chart.figure)

    image = solara.use_memo(draw, [model, lang, frame])
    with solara.Column(classes=[f"view-{chart.name}"], gap="0"):
        solara.Image(image)
        solara.FileDownload(image, filename=f"{chart.name}.png", label=say("export_png", lang),
                            mime_type="image/png")  # fmt: skip


@solara.component
def OneFuture(model: DashboardModel, lang: str) -> None:
    """The headline, the run buttons, the charts and the downloads of one run."""
    frame = tick.value
    result = model.result()
    answer = headline(result.labelled, model.params, lang)
    horizon, end = int(model.params["horizon_months"]), model.months
    with solara.Column(classes=["wl-main"], gap="6px"):
        if model.problem:
            solara.Error(say("not_applied", lang, problem=model.problem), dense=True,
                         classes=["control-error"])  # fmt: skip
        solara.Text(answer.text, classes=["headline"])
        solara.Text(say("status", lang, month=month_text(int(model.time), lang),
                        labelled=number(model.labelled(), lang),
                        parks=number(model.data.n_parks, lang)),
                    classes=["labelled-count"])  # fmt: skip
        solara.Text(say("run_info", lang, scenario=scenario_title(scenario_name.value, lang),
                        seed=model.seed, changed=changed_text(model, lang)),
                    classes=["run-info"], style={"font-size": "0.85em"})  # fmt: skip
        with solara.Row(style={"flex-wrap": "wrap"}):
            if play.pending:
                solara.Button(say("pause", lang), icon_name="mdi-pause", on_click=stop_playing)
            else:
                solara.Button(say("play", lang), icon_name="mdi-play",
                              on_click=lambda: play(model), disabled=not model.running)  # fmt: skip
            solara.Button(say("step", lang), on_click=lambda: advance(model, int(model.time) + 1),
                          disabled=not model.running)  # fmt: skip
            solara.Button(say("run_to", lang, year=end_year(horizon)), color="primary",
                          on_click=lambda: advance(model, horizon),
                          disabled=int(model.time) >= horizon, classes=["run-horizon"])  # fmt: skip
            solara.Button(say("run_to", lang, year=end_year(end)),
                          on_click=lambda: advance(model, end), disabled=not model.running,
                          classes=["run-end"])  # fmt: skip
            solara.Button(say("restart", lang), on_click=_restart)
        with solara.Div(classes=["wl-charts"]):
            for chart_class in CHARTS:
                ChartCell(chart_class, model, lang, frame)
        Exports(model, lang, frame)


def _restart() -> None:
    stop_playing()
    restarts.set(restarts.value + 1)


@solara.component
def Exports(model: DashboardModel, lang: str, frame: int) -> None:
    """Downloads: the settings as a scenario file, the run's results as CSV and Excel."""
    settings = export.settings_yaml(model.settings, scenario_name.value, model.seed)

    def tables() -> dict:
        return export.run_tables(model.result(), model.settings, lang)

    with solara.Row(classes=["run-exports"], style={"flex-wrap": "wrap"}):
        solara.FileDownload(settings, filename="my_scenario.yaml", label=say("export_yaml", lang),
                            mime_type="application/x-yaml")  # fmt: skip
        solara.FileDownload(lambda: export.csv_bytes(tables()), filename="run.csv",
                            label=say("export_csv", lang), mime_type="text/csv")  # fmt: skip
        solara.FileDownload(lambda: export.excel_bytes(tables()), filename="run.xlsx",
                            label=say("export_xlsx", lang))  # fmt: skip


@solara.component
def About(lang: str) -> None:
    """The model in a paragraph and a diagram."""
    image = solara.use_memo(lambda: png(ladder_figure(lang)), [lang])
    with solara.Column(classes=["view-about"], style={"max-width": "900px", "padding": "8px"}):
        solara.HTML(tag="h3", unsafe_innerHTML=say("about_title", lang))
        solara.Text(say("about_text", lang), style={"display": "block"})
        solara.Image(image)
        solara.Text(say("about_more", lang), style={"display": "block", "font-size": "0.85em"})


@solara.component
def Page() -> None:
    """The whole page: header with the language switch, the views, the settings."""
    lang = language.value
    settings_key = (scenario_name.value, seed_text.value, more_text.value,
                    tuple(sorted(_valid_levers().items())), restarts.value)  # fmt: skip
    model = solara.use_memo(
        lambda: DashboardModel(scenario_name.value, seed_text.value, more_text.value,
                               _valid_levers()),
        [settings_key],
    )  # fmt: skip
    solara.use_effect(lambda: stop_playing, [model])  # new settings: Play stops (cleanup)
    solara.Title(say("title", lang))
    solara.Style(CSS)
    with solara.Div(classes=["wl-header"]):
        solara.HTML(tag="h1", unsafe_innerHTML=say("title", lang))
        solara.Text(say("language", lang) + ":")
        for code in LANGS:
            solara.Button(LANGUAGE_NAMES[code], text=code != lang, outlined=code == lang,
                          on_click=lambda code=code: language.set(code),
                          classes=[f"lang-{code}"])  # fmt: skip
    with solara.lab.Tabs(value=view):
        solara.lab.Tab(say("view_one", lang))
        solara.lab.Tab(say("view_compare", lang))
        solara.lab.Tab(say("view_about", lang))
    with solara.Div(classes=["wl-page"]):
        if view.value == 2:
            About(lang)
        else:
            Settings(model, lang)
            if view.value == 0:
                OneFuture(model, lang)
            else:
                with solara.Column(classes=["wl-main"]):
                    CompareView(None if model.problem else model.settings, lang)
