"""The policymaker dashboard without a browser: words in both languages, controls from the
spec, the headline, exports, the comparison, module hygiene and the `dashboard` command line.
The tests that drive the dashboard in a real browser are in tests/test_dashboard.py."""

from __future__ import annotations

import ast
import inspect
import io
import re
import string
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from werklandschap.dashboard import export
from werklandschap.dashboard.compare import chosen_scenarios, scenario_stats, words_table
from werklandschap.dashboard.controls import (
    LEVERS,
    DashboardModel,
    controls,
    slider_step,
    value_text,
)
from werklandschap.dashboard.server import (
    HostError,
    check_host,
    is_loopback,
    solara_command,
    solara_env,
)
from werklandschap.dashboard.views import headline
from werklandschap.dashboard.words import LANGS, MONTHS, SCENARIOS, WORDS, say
from werklandschap.model.parameters import BY_NAME
from werklandschap.model.scenario import load_scenario, load_scenario_file, shipped_scenarios
from werklandschap.runs.runs import run_replications
from werklandschap.runs.stats import wilson

ROOT = Path(__file__).resolve().parent.parent
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")  # a code name such as n_stimulated


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# --- words --------------------------------------------------------------------------------------
def test_every_ui_word_has_both_languages_with_the_same_placeholders():
    for key, words in WORDS.items():
        assert set(words) == set(LANGS), key
        assert all(words[lang].strip() for lang in LANGS), key
        assert _fields(words["nl"]) == _fields(words["en"]), key
    for names in MONTHS.values():
        assert len(names) == 12
    for name in shipped_scenarios():  # every shipped scenario has a plain name
        assert set(SCENARIOS[name]) == set(LANGS)


def test_the_levers_are_worded_in_the_parameter_spec():
    for name in LEVERS:
        p = BY_NAME[name]
        for field in (p.words, p.explain, p.unit_words):
            assert field is not None and set(field) == set(LANGS), name
        assert p.words["nl"] != p.words["en"], name
        assert not SNAKE.search(p.words["nl"] + p.words["en"] + p.explain["nl"] + p.explain["en"])
        if p.choices:
            assert set(p.choice_words) == set(p.choices)
            assert all(set(w) == set(LANGS) for w in p.choice_words.values())


def test_value_text_gives_value_and_unit_in_words():
    p = BY_NAME["n_stimulated"]
    assert value_text(p, 1500, "nl") == "1.500 terreinen"
    assert value_text(p, 1500, "en") == "1,500 parks"
    assert value_text(BY_NAME["regulation_start_year"], 2030, "nl") == "2030"
    assert value_text(BY_NAME["selection_strategy"], "spread", "en") == "spread over provinces"


# --- controls and model (no browser) ------------------------------------------------------------
def test_controls_come_from_the_spec():
    scenario = load_scenario("baseline")
    for control in controls(scenario, "en"):
        p = BY_NAME[control.name]
        assert control.value == scenario.params[control.name]
        assert control.label == p.words["en"] and control.explain == p.explain["en"]
        assert control.source.startswith("Source: ")
        if p.choices:
            assert control.kind == "select"
            assert control.options == tuple(p.choice_words[c]["en"] for c in p.choices)
        else:
            assert (control.low, control.high) == p.range
            assert control.kind == ("slider_int" if p.type is int else "slider_float")
    assert [c.name for c in controls(scenario, "nl")] == list(LEVERS)
    signature = inspect.signature(DashboardModel.__init__).parameters
    assert set(signature) == {"self", "scenario_name", "seed", "more", "levers"}


def test_controls_show_the_chosen_scenarios_values():
    by_name = {c.name: c for c in controls(load_scenario("no_programme"), "nl")}
    assert by_name["n_stimulated"].value == 0
    year = by_name["regulation_start_year"]
    assert year.value == 2100 and year.high == 2100  # outside the usual range: widened
    listed = load_scenario("baseline").with_params(green_deal_provinces=["Utrecht", "Zeeland"])
    assert {c.name: c for c in controls(listed, "en")}["green_deal_provinces"].kind == "fixed"


@pytest.mark.parametrize(
    ("low", "high", "integer", "step"),
    [
        (0, 600, True, 10),
        (0, 12, True, 1),
        (0.0, 250.0, False, 5.0),
        (1.0, 5.0, False, 0.05),
        (2024, 2040, True, 1),
    ],
)
def test_slider_steps_are_round(low, high, integer, step):
    assert slider_step(low, high, integer) == step


def test_levers_and_overrides_apply():
    model = DashboardModel("baseline", seed="7", more="campaign_intensity=2",
                           levers={"n_stimulated": 160})  # fmt: skip
    assert model.problem is None and model.seed == 7
    assert model.params["n_stimulated"] == 160 and model.params["campaign_intensity"] == 2
    assert model.changes == {"n_stimulated": 160, "campaign_intensity": 2}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": "abc"}, "Seed must be a whole number"),
        ({"seed": "-3"}, "Seed must be zero or positive"),
        ({"more": "n_stimulated=99999"}, "outside its accepted range"),
        ({"more": "n_stimulatd=3"}, "did you mean 'n_stimulated'"),
        ({"more": "campaign_intensity"}, "write name=value"),
        ({"scenario_name": "nonexistent"}, "unknown scenario"),
        ({"levers": {"n_stimulated": -5}}, "outside its accepted range"),
    ],
)
def test_a_wrong_value_gives_a_message_not_an_exception(kwargs, message):
    model = DashboardModel(**kwargs)
    assert message in model.problem
    assert model.seed == 0 and model.changes == {}
    model.step()
    assert model.time == 1


def test_run_until_runs_in_one_batch_and_stops_at_the_end():
    model = DashboardModel(more="horizon_months=24; after_horizon_months=12")
    model.run_until(24)
    assert model.time == 24 and model.running
    model.run_until(10_000)
    assert model.time == 36 and not model.running
    model.step()
    assert model.time == 36 and model.result().labelled.size == 37
    started = time.perf_counter()
    DashboardModel().run_until(108)
    assert time.perf_counter() - started < 3.0  # ~0.1 s alone; generous for a shared machine


# --- the headline -------------------------------------------------------------------------------
def _labelled(first_month_at_target: int | None, months: int = 168) -> np.ndarray:
    """Labelled parks per month: 5 more a month (below 1,000), or 300 then 1,200 from a month."""
    month = np.arange(months + 1)
    if first_month_at_target is None:
        return np.minimum(5 * month, 999)
    return np.where(month >= first_month_at_target, 1200, 300)


@pytest.mark.parametrize(
    ("series", "params", "lang", "text", "reached"),
    [
        # 99 months done = the end of March 2031 (month 0 is January 2023)
        (_labelled(99), {}, "en", "1,000 parks by end 2031: reached in March 2031", True),
        (_labelled(99), {}, "nl", "1.000 terreinen eind 2031: gehaald in maart 2031", True),
        (_labelled(None), {}, "en", "1,000 parks by end 2031: not reached (540 parks)", False),
        (_labelled(None), {}, "nl", "1.000 terreinen eind 2031: niet gehaald (540 terreinen)",
         False),
        # reached only after the horizon: not reached by the horizon
        (_labelled(130), {}, "en", "1,000 parks by end 2031: not reached (300 parks)", False),
        # target and horizon come from the scenario
        (_labelled(30), {"target_parks": 1100, "horizon_months": 60}, "en",
         "1,100 parks by end 2027: reached in June 2025", True),
        (_labelled(None)[:25], {}, "en",
         "1,000 parks by end 2031: still open: 120 parks after end of December 2024", None),
    ],
)  # fmt: skip
def test_headline_answers_the_question(series, params, lang, text, reached):
    params = {"target_parks": 1000, "horizon_months": 108, **params}
    answer = headline(series, params, lang)
    assert answer.text == text and answer.reached is reached
    assert answer.chance is None  # a single run has no chance; the posterior adds it later


# --- exports ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("levers", "more"),
    [({"n_stimulated": 160, "subsidy_per_park_keur": 75.0}, ""),
     ({}, "green_deal_provinces=[Utrecht, Zeeland]; campaign_intensity=1.5")],
)  # fmt: skip
def test_settings_yaml_is_a_scenario_that_reruns(tmp_path, levers, more):
    model = DashboardModel("double_stimulated", seed="3", more=more, levers=levers)
    assert model.problem is None
    path = tmp_path / "mine.yaml"
    path.write_text(export.settings_yaml(model.settings, "double_stimulated", model.seed))
    scenario = load_scenario_file(path)
    assert dict(scenario.params) == dict(model.settings.params)
    assert scenario.name == export.MY_SCENARIO


def test_run_results_open_as_csv_and_excel():
    model = DashboardModel()
    model.run_until(30)
    tables = export.run_tables(model.result(), model.settings, "nl")
    months = pd.read_csv(io.BytesIO(export.csv_bytes(tables)))
    assert len(months) == 31
    sheets = pd.read_excel(io.BytesIO(export.excel_bytes(tables)), sheet_name=None)
    assert set(sheets) == {"months", "provinces", "summary", "settings"}
    summary = sheets["summary"].set_index("outcome")
    assert summary.loc["labelled_at_end", "value"] == model.labelled()
    assert summary.loc["labelled_at_horizon", "words"] == "gelabelde terreinen, eind 2031"


# --- compare ------------------------------------------------------------------------------------
def test_compare_stats_pair_runs_by_seed():
    mine = load_scenario("baseline").with_params(n_stimulated=300)
    scenarios = chosen_scenarios(mine, ["baseline", "no_programme"])
    assert [s.name for s in scenarios] == ["baseline", "my_scenario", "no_programme"]
    short = {"horizon_months": 36, "after_horizon_months": 0, "target_parks": 50}
    scenarios = tuple(s.with_params(**short) for s in scenarios)
    results = {s.name: run_replications(s, 0, 6) for s in scenarios}
    stats = scenario_stats(results).set_index("scenario")
    base = np.array([r.summary()["labelled_at_horizon"] for r in results["baseline"]], float)
    none = np.array([r.summary()["labelled_at_horizon"] for r in results["no_programme"]], float)
    assert stats.loc["baseline", "diff"] == 0 and stats.loc["baseline", "runs"] == 6
    assert stats.loc["no_programme", "diff"] == pytest.approx((none - base).mean())
    assert stats.loc["no_programme", "mean_labelled"] == pytest.approx(none.mean())
    met = sum(r.summary()["target_met"] for r in results["my_scenario"])
    assert (stats.loc["my_scenario", "p_low"], stats.loc["my_scenario", "p_high"]) == wilson(met, 6)
    for lang in LANGS:
        table = words_table(scenario_stats(results), scenarios[0].params, lang)
        assert len(table) == 3 and not SNAKE.search(table.to_string())
        assert table.iloc[0, -1] == say("reference", lang)


# --- hygiene and the command line ---------------------------------------------------------------
def test_no_dashboard_module_switches_the_matplotlib_backend():
    """No `matplotlib.use(...)` and no pyplot (global state) in any dashboard module."""
    for path in (ROOT / "dashboard").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr != "use" or ast.unparse(node.func) != "matplotlib.use", path
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any("pyplot" in n for n in names), path.name


def test_cli_dashboard_command_is_offline_and_local():
    from werklandschap.cli import build_parser

    args = build_parser().parse_args(["dashboard", "--port", "9000"])
    assert (args.host, args.port, args.open, args.allow_remote) == ("127.0.0.1", 9000, False, False)
    command = solara_command(args.host, args.port)
    assert command[1:4] == ["-m", "solara", "run"] and command[4].endswith("app.py")
    for flag in ("--production", "--no-check-version", "--no-open"):
        assert flag in command
    assert command[command.index("--host") + 1] == "127.0.0.1"
    env = solara_env({})
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["SOLARA_THEME_SHOW_BANNER"] == "false"  # no footer over the charts
    assert "SOLARA_ASSETS_PROXY" not in env  # default (on): assets from the package


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2", "[::1]"])
def test_loopback_hosts_need_no_permission(host):
    assert is_loopback(host) and check_host(host, allow_remote=False) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.org"])
def test_a_remote_host_needs_allow_remote(host, capsys, monkeypatch):
    from werklandschap import cli
    from werklandschap.dashboard import server

    with pytest.raises(HostError):
        check_host(host, allow_remote=False)
    started = []
    monkeypatch.setattr(server, "serve", lambda *a, **k: started.append(a) or 0)
    assert cli.main(["dashboard", "--host", host]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--allow-remote" in err and "authentication" in err
    assert started == []  # nothing started
    assert cli.main(["dashboard", "--host", host, "--allow-remote"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "no authentication" in err and started


def test_map_redraw_is_fast():
    """Recolouring 3,646 parks and encoding the PNG; target well under 150 ms per redraw."""
    from werklandschap.dashboard.views import ParkMap

    model = DashboardModel()
    park_map = ParkMap(model, "nl")
    times = []
    for _ in range(12):
        model.run_for(5)
        started = time.perf_counter()
        park_map.update(model, "nl")
        park_map.figure.savefig(io.BytesIO(), format="png")
        times.append(time.perf_counter() - started)
    median = float(np.median(times[2:]))
    print(f"\nmap redraw: median {1000 * median:.0f} ms, max {1000 * max(times[2:]):.0f} ms")
    assert median < 0.5, f"map redraw takes {1000 * median:.0f} ms"
