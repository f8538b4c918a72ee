"""The policymaker dashboard: words, controls from the spec, headline, exports, and a real browser.

The browser tests start `werklandschap dashboard`'s server (solara, offline flags) on a free
loopback port once per test session (per xdist worker) and drive it with Playwright and the
system Chromium (/usr/bin/chromium; Debian package `chromium`, installed by .ci/run). Without
that browser the tests fail: they are part of the suite, not optional. Every browser test opens
its own tab (a fresh Solara session), so the tests do not depend on each other's order and can
be spread over xdist workers. Screenshots go to results/dashboard/ (git-ignored), one file name
per test.
"""

from __future__ import annotations

import ast
import inspect
import io
import os
import re
import signal
import socket
import string
import subprocess
import time
import urllib.request
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
from werklandschap.model.parameters import BY_NAME, PARAMETERS
from werklandschap.model.scenario import load_scenario, load_scenario_file, shipped_scenarios
from werklandschap.runs.runs import run_replications
from werklandschap.runs.stats import wilson

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "results" / "dashboard"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOAD_TIMEOUT_MS = 60_000
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")  # a code name such as n_stimulated
MESA_CONTROLS = ("Page 0", "Page 1", "Play Interval", "Render Interval", "Use Threads", "Time: 0")


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


# --- the real browser ---------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """The dashboard server on a free loopback port, stopped (process group) at the end."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("dashboard") / "server.log"
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            solara_command("127.0.0.1", port),
            env=solara_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            while not _ready(url):
                if process.poll() is not None or time.monotonic() - started > 90:
                    pytest.fail(f"dashboard server did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.1)
            print(f"\ndashboard server ready in {time.monotonic() - started:.1f} s at {url}")
            yield url
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: the dashboard tests need the system Chromium. "
            "Install it with `apt-get update && apt-get install -y chromium` "
            "(.ci/run does this)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server_url):
    """A fresh tab (a new Solara session) on the dashboard, in Dutch at its start.

    The test fails if any request failed: everything must be served locally.
    """
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    failed: list[str] = []
    tab.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    tab.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} HTTP {r.status}"))
    tab.goto(server_url + "/")
    expect(tab.locator(".headline")).to_contain_text("1.000 terreinen eind 2031",
                                                     timeout=LOAD_TIMEOUT_MS)  # fmt: skip
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield tab
    context.close()
    assert failed == [], f"requests failed: {failed}"


def _image(page, view: str) -> bytes:
    page.wait_for_timeout(300)  # let the new PNG replace the old one
    return page.locator(f".view-{view} img").screenshot()


def _no_code_names(page) -> None:
    text = page.locator("body").inner_text()
    for words in MESA_CONTROLS:
        assert words not in text, words
    assert "runs on Solara" not in text
    names = [p.name for p in PARAMETERS if "_" in p.name]
    assert [n for n in names if n in text] == []
    assert SNAKE.findall(text) == []


def _download(page, button: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    return Path(info.value.path()).read_bytes()


def test_browser_plain_words_in_both_languages(page):
    from playwright.sync_api import expect

    expect(page.get_by_role("tab", name="Eén toekomst")).to_be_visible()
    expect(page.locator(".labelled-count")).to_contain_text("0 van 3.646 terreinen gelabeld")
    expect(page.locator(".lever-n-stimulated")).to_contain_text("Gestimuleerde terreinen:")
    expect(page.locator(".lever-n-stimulated .lever-value")).to_have_text("150 terreinen")
    expect(page.locator(".lever-n-stimulated")).to_contain_text("Bron: ")
    _no_code_names(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator(".headline")).to_contain_text("1,000 parks by end 2031: still open")
    expect(page.get_by_role("tab", name="One future")).to_be_visible()
    expect(page.locator(".lever-n-stimulated .lever-value")).to_have_text("150 parks")
    expect(page.get_by_role("button", name="Run to end 2031")).to_be_visible()
    _no_code_names(page)
    page.get_by_role("tab", name="About the model").click()
    expect(page.locator(".view-about")).to_contain_text("How the model works")
    expect(page.locator(".view-about img")).to_be_visible()
    _no_code_names(page)
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator(".view-about")).to_contain_text("Hoe het model werkt")


def test_browser_lever_change_and_run_to_2031_and_2036(page):
    from playwright.sync_api import expect

    headline_, info = page.locator(".headline"), page.locator(".run-info")
    expect(info).to_contain_text("gewijzigd: niets")
    slider = page.get_by_role("slider", name="Gestimuleerde terreinen")
    expect(slider).to_have_attribute("aria-valuenow", "150")
    slider.focus()
    slider.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuenow", "160")
    expect(page.locator(".lever-n-stimulated .lever-value")).to_have_text("160 terreinen")
    expect(info).to_contain_text("gewijzigd: Gestimuleerde terreinen 160 terreinen")
    curve, park_map = _image(page, "labelled"), _image(page, "map")

    started = time.monotonic()
    page.get_by_role("button", name="Doorrekenen tot eind 2031").click()
    expect(headline_).to_have_text(
        re.compile(r"^1\.000 terreinen eind 2031: (gehaald in \w+ 20\d\d|niet gehaald \([\d.]+ "
                   r"terreinen\))$"), timeout=10_000)  # fmt: skip
    seconds = time.monotonic() - started
    print(f"\nrun to end 2031: {seconds:.2f} s")
    assert seconds < 5, f"run to end 2031 took {seconds:.1f} s"
    expect(page.locator(".labelled-count")).to_contain_text("eind december 2031")
    assert _image(page, "labelled") != curve, "the labelled chart did not change"
    assert _image(page, "map") != park_map, "the map did not change"
    _no_code_names(page)
    page.screenshot(path=str(SHOTS / "run_to_2031.png"), full_page=True)

    page.get_by_role("button", name="Doorrekenen tot eind 2036").click()
    expect(page.locator(".labelled-count")).to_contain_text("eind december 2036")
    expect(page.get_by_role("button", name="Eén maand verder")).to_be_disabled()
    expect(page.get_by_role("button", name="Afspelen")).to_be_disabled()


def test_browser_play_and_pause(page):
    from playwright.sync_api import expect

    count = page.locator(".labelled-count")
    page.get_by_role("button", name="Eén maand verder").click()
    expect(count).to_contain_text("eind januari 2023")
    page.get_by_role("button", name="Afspelen").click()
    expect(count).not_to_contain_text("2023 ·", timeout=20_000)  # moved on into 2024
    page.get_by_role("button", name="Pauzeren").click()
    expect(page.get_by_role("button", name="Afspelen")).to_be_enabled()
    paused = count.inner_text()
    page.wait_for_timeout(1500)
    assert count.inner_text() == paused, "the model moved on after Pause"
    page.get_by_role("button", name="Opnieuw beginnen").click()
    expect(count).to_contain_text("start (januari 2023)")


def test_browser_exports_reopen(page, tmp_path):
    from playwright.sync_api import expect

    slider = page.get_by_role("slider", name="Gestimuleerde terreinen")
    slider.focus()
    slider.press("ArrowRight")
    expect(page.locator(".run-info")).to_contain_text("160 terreinen")
    page.get_by_role("button", name="Doorrekenen tot eind 2031").click()
    expect(page.locator(".labelled-count")).to_contain_text("eind december 2031")

    path = tmp_path / "mine.yaml"
    path.write_bytes(_download(page, "Instellingen als scenario (YAML)"))
    scenario = load_scenario_file(path)
    assert scenario.params["n_stimulated"] == 160
    assert scenario.overrides == {"n_stimulated": 160}
    months = pd.read_csv(io.BytesIO(_download(page, "Resultaten (CSV)")))
    assert len(months) == 109
    sheets = pd.read_excel(io.BytesIO(_download(page, "Resultaten (Excel)")), sheet_name=None)
    assert len(sheets["months"]) == 109 and "summary" in sheets
    with page.expect_download() as info:
        page.locator(".view-map").get_by_role("button", name="Grafiek (PNG)").click()
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_browser_wrong_value_shows_message_and_server_keeps_serving(page, server_url):
    from playwright.sync_api import expect

    seed = page.get_by_label("Toevalsgetal (seed)")
    seed.fill("abc")
    seed.press("Enter")
    expect(page.locator(".control-error")).to_contain_text("Seed must be a whole number")
    page.get_by_role("button", name="Eén maand verder").click()
    expect(page.locator(".labelled-count")).to_contain_text("eind januari 2023")
    assert _ready(server_url)
    seed.fill("3")
    seed.press("Enter")
    expect(page.locator(".control-error")).to_have_count(0)
    expect(page.locator(".run-info")).to_contain_text("seed 3")
    # picking a shipped scenario sets the levers to its values
    page.locator(".v-select", has_text="Uitgangspunt (scenario)").locator(".v-input__slot").click()
    page.get_by_role("option", name="Twee keer zoveel gestimuleerd").click()
    expect(page.locator(".run-info")).to_contain_text("Uitgangspunt: Twee keer zoveel gestimuleerd")
    expect(page.get_by_role("slider", name="Gestimuleerde terreinen")).to_have_attribute(
        "aria-valuenow", "300"
    )
    expect(page.locator(".run-info")).to_contain_text("gewijzigd: niets")


def test_browser_compare_my_scenario(page):
    from playwright.sync_api import expect

    slider = page.get_by_role("slider", name="Gestimuleerde terreinen")
    slider.focus()
    slider.press("End")  # 600 stimulated parks: clearly above the baseline
    expect(page.locator(".lever-n-stimulated .lever-value")).to_have_text("600 terreinen")
    page.get_by_role("button", name="English").click()
    page.get_by_role("tab", name="Compare").click()
    # only the baseline and my scenario: 2 x 20 runs
    page.locator(".v-select", has_text="Other scenarios").locator(".v-input__slot").click()
    page.get_by_role("option", name="Twice as many stimulated").click()
    page.keyboard.press("Escape")
    expect(page.locator(".compare-runs")).to_have_text("Runs per scenario: 20")
    started = time.monotonic()
    page.get_by_role("button", name="Run comparison").click()
    expect(page.locator(".compare-progress")).to_contain_text("runs done")
    table = page.locator(".compare-table")
    expect(table).to_be_visible(timeout=30_000)
    seconds = time.monotonic() - started
    print(f"\n2 x 20-run comparison: {seconds:.1f} s")
    assert seconds < 30
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Baseline")
    expect(rows.nth(0)).to_contain_text("reference")
    mine = rows.nth(1).locator("td")
    expect(mine.nth(0)).to_have_text("My scenario")
    expect(mine.nth(1)).to_have_text("20")
    expect(mine.nth(4)).to_have_text(re.compile(r"^\+\d+ \(\+\d+ – \+\d+\)$"))  # more labelled
    expect(mine.nth(3)).to_have_text(re.compile(r"^[01]\.\d\d \([01]\.\d\d – [01]\.\d\d\)$"))
    expect(page.locator(".view-compare img")).to_be_visible()
    _no_code_names(page)
    page.screenshot(path=str(SHOTS / "compare.png"), full_page=True)
    runs = pd.read_csv(io.BytesIO(_download(page, "Results (CSV)")))
    assert list(runs["scenario"]) == ["baseline", "my_scenario"]
    sheets = pd.read_excel(io.BytesIO(_download(page, "Results (Excel)")), sheet_name=None)
    assert len(sheets["runs"]) == 40
    assert set(sheets["runs"]["scenario"]) == {"baseline", "my_scenario"}


@pytest.mark.parametrize("width", [1024, 1440, 1920])
def test_browser_layout_holds(page, width):
    """No overlap between the settings and the charts, nothing cut off, no footer."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": 900})
    page.get_by_role("button", name="Doorrekenen tot eind 2031").click()
    expect(page.locator(".labelled-count")).to_contain_text("eind december 2031")
    page.wait_for_timeout(500)
    settings = page.locator(".wl-settings").bounding_box()
    boxes = [page.locator(f".view-{v} img").bounding_box()
             for v in ("labelled", "stages", "map", "provinces")]  # fmt: skip
    for box in boxes:
        assert box["x"] >= settings["x"] + settings["width"], "a chart overlaps the settings"
        assert box["x"] + box["width"] <= width + 0.5, "a chart is cut off"
    for k, a in enumerate(boxes):
        for b in boxes[k + 1 :]:
            apart = (a["x"] + a["width"] <= b["x"] + 0.5 or b["x"] + b["width"] <= a["x"] + 0.5
                     or a["y"] + a["height"] <= b["y"] + 0.5
                     or b["y"] + b["height"] <= a["y"] + 0.5)  # fmt: skip
            assert apart, "two charts overlap"
    assert "runs on Solara" not in page.locator("body").inner_text()
    page.screenshot(path=str(SHOTS / f"dashboard_{width}.png"), full_page=True)
