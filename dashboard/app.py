"""The dashboard page served by `werklandschap dashboard` (Mesa SolaraViz, matplotlib only).

Sidebar: the scenario picker (loads a shipped scenario and resets the model), then SolaraViz's
controls: Reset / Play / Step, the seed, the main levers (generated from the parameter spec and
set to the chosen scenario's values) and free overrides. Lever changes apply on Reset.
Page 0: live views while the model steps. Page 1: compare 2-3 scenarios over replications.

Run directly (offline-capable):
    SOLARA_TELEMETRY_MIXPANEL_ENABLE=false solara run werklandschap/dashboard/app.py \
        --host 127.0.0.1 --port 8765 --production --no-check-version
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from werklandschap.dashboard.compare import CompareView
from werklandschap.dashboard.controls import DashboardModel, model_params
from werklandschap.dashboard.views import LabelledView, MapView, ProvincesView, StagesView
from werklandschap.model.scenario import load_scenario, shipped_scenarios

TITLE = "Werklandschappen van de Toekomst: 1,000 labelled parks by 2031?"
COMPONENTS = [
    (LabelledView, 0),
    (StagesView, 0),
    (MapView, 0),
    (ProvincesView, 0),
    (CompareView, 1),
]

HELP = ("Picking a scenario resets the model to it. Slider and seed changes apply on Reset; "
        "drag or focus a slider to see its value. Page 0: one run, live. "
        "Page 1: compare scenarios over many runs.")  # fmt: skip

scenario_name = solara.reactive("baseline")


@solara.component
def Page() -> None:
    """Scenario picker plus a SolaraViz rebuilt (with that scenario's values) when it changes."""
    name = scenario_name.value
    scenario = solara.use_memo(lambda: load_scenario(name), [name])
    model = solara.use_memo(lambda: DashboardModel(scenario_name=name), [name])
    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select("Scenario", values=list(shipped_scenarios()), value=scenario_name)
        block = {"display": "block", "font-size": "0.85em"}
        solara.Text(scenario.description or "The spec's defaults.", style=block)
        solara.Text(HELP, style={**block, "color": "grey", "margin-top": "6px"})
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=model_params(scenario),
        name=TITLE,
    ).key(f"viz-{name}")
