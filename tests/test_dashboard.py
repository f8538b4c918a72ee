"""The policymaker dashboard: controls from the spec, robustness, and a real-browser test.

The browser tests start `werklandschap dashboard`'s server (solara, offline flags) on a free
loopback port once per session and drive it with Playwright and the system Chromium
(/usr/bin/chromium; Debian package `chromium`, installed by .ci/run). Without that browser the
tests fail: they are part of the suite, not optional. Screenshots go to results/dashboard/.
"""

from __future__ import annotations

import inspect
import io
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from werklandschap.dashboard.controls import LEVERS, DashboardModel, model_params, slider_step
from werklandschap.dashboard.server import solara_command, solara_env
from werklandschap.model.parameters import BY_NAME
from werklandschap.model.scenario import load_scenario

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
COUNT = re.compile(r"Labelled: ([\d,]+) of 3,646 parks at month (\d+)")


# --- controls, model and helpers (no browser) ---------------------------------------------------
def test_controls_come_from_the_spec():
    scenario = load_scenario("baseline")
    params = model_params(scenario)
    assert params["scenario_name"] == "baseline"
    for name in LEVERS:
        p, control = BY_NAME[name], params[name]
        assert control["value"] == scenario.params[name]
        if p.choices:
            assert control["type"] == "Select" and control["values"] == list(p.choices)
        else:
            assert (control["min"], control["max"]) == p.range
            assert control["type"] == ("SliderInt" if p.type is int else "SliderFloat")
    # the dashboard model takes exactly these controls as keyword arguments
    signature = inspect.signature(DashboardModel.__init__).parameters
    assert set(signature) == {"self", "scenario_name", "seed", "more", *LEVERS}


def test_controls_show_the_chosen_scenarios_values():
    params = model_params(load_scenario("no_programme"))
    assert params["n_stimulated"]["value"] == 0
    year = params["regulation_start_year"]
    assert year["value"] == 2100 and year["max"] == 2100  # outside the usual range: widened


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
    model = DashboardModel("baseline", seed="7", n_stimulated=160, more="campaign_intensity=2")
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
    ],
)
def test_a_wrong_value_gives_a_message_not_an_exception(kwargs, message):
    model = DashboardModel(**kwargs)
    assert message in model.problem
    assert model.seed == 0 and model.changes == {}
    model.step()
    assert model.time == 1


def test_step_after_the_end_does_nothing():
    model = DashboardModel(more="horizon_months=12; after_horizon_months=0")
    for _ in range(15):
        model.step()
    assert model.time == 12 and not model.running
    assert model.result().labelled.size == 13


def test_map_redraw_is_fast():
    """Recolouring 3,646 parks and encoding the PNG; target well under 150 ms per redraw."""
    from werklandschap.dashboard.views import ParkMap

    model = DashboardModel()
    park_map = ParkMap(model)
    times = []
    for _ in range(12):
        model.run_for(5)
        started = time.perf_counter()
        park_map.update(model)
        park_map.figure.savefig(io.BytesIO(), format="png")
        times.append(time.perf_counter() - started)
    median = float(np.median(times[2:]))
    print(f"\nmap redraw: median {1000 * median:.0f} ms, max {1000 * max(times[2:]):.0f} ms")
    assert median < 0.5, f"map redraw takes {1000 * median:.0f} ms"


def test_cli_dashboard_command_is_offline_and_local():
    from werklandschap.cli import build_parser

    args = build_parser().parse_args(["dashboard", "--port", "9000"])
    assert (args.host, args.port, args.open) == ("127.0.0.1", 9000, False)
    command = solara_command(args.host, args.port)
    assert command[1:4] == ["-m", "solara", "run"] and command[4].endswith("app.py")
    for flag in ("--production", "--no-check-version", "--no-open"):
        assert flag in command
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert solara_env({})["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert "SOLARA_ASSETS_PROXY" not in solara_env({})  # default (on): assets from the package


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


@pytest.fixture(scope="module")
def dashboard(browser, server_url):
    """One browser tab on the dashboard for all browser tests (loading it costs seconds)."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1500, "height": 1150})
    tab = context.new_page()
    failed: list[str] = []
    tab.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    tab.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} HTTP {r.status}"))
    started = time.monotonic()
    tab.goto(server_url + "/")
    expect(tab.locator(".labelled-count")).to_contain_text("month 0", timeout=LOAD_TIMEOUT_MS)
    print(f"\npage rendered in {time.monotonic() - started:.1f} s")
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield tab, failed
    context.close()


@pytest.fixture
def page(dashboard):
    """The dashboard tab; the test fails if any request failed (everything must be local)."""
    tab, failed = dashboard
    yield tab
    assert failed == [], f"requests failed: {failed}"


def _render_interval(page, key: str) -> int:
    """Move SolaraViz's "Render Interval (steps)" slider with a key (Home: 1 month per Step)."""
    interval = page.get_by_role("slider", name="Render Interval (steps)")
    interval.focus()
    interval.press(key)
    return int(interval.get_attribute("aria-valuenow"))


def _count(page) -> tuple[int, int]:
    """(labelled parks, month) from the readout."""
    match = COUNT.search(page.locator(".labelled-count").inner_text())
    assert match, page.locator(".labelled-count").inner_text()
    return int(match.group(1).replace(",", "")), int(match.group(2))


def _image(page, view: str) -> bytes:
    page.wait_for_timeout(300)  # let the new PNG replace the old one
    return page.locator(f".{view} img").screenshot()


def test_browser_lever_step_and_views(page):
    from playwright.sync_api import expect

    readout, info = page.locator(".labelled-count"), page.locator(".run-info")
    expect(readout).to_contain_text("Labelled: 0 of 3,646 parks at month 0")
    expect(info).to_have_text("Scenario: baseline · seed 0 · changed: none")
    for view in ("view-labelled", "view-stages", "view-map", "view-provinces"):
        expect(page.locator(f".{view} img")).to_be_visible()

    # a lever: generated from the spec, applied on Reset
    slider = page.get_by_role("slider", name="n_stimulated (parks)")
    expect(slider).to_have_attribute("aria-valuenow", "150")
    slider.focus()
    slider.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuenow", "160")
    page.get_by_role("button", name="Reset").click()
    expect(info).to_have_text("Scenario: baseline · seed 0 · changed: n_stimulated=160")
    expect(page.locator(".lever-info")).to_contain_text("n_stimulated=160")

    # step month by month, then many months at once (SolaraViz's render interval)
    curve, park_map = _image(page, "view-labelled"), _image(page, "view-map")
    step = page.get_by_role("button", name="Step")
    step.click()
    expect(readout).to_contain_text("at month 1 (end of Jan 2023)")
    step.click()
    expect(readout).to_contain_text("at month 2 ")
    months = _render_interval(page, "End")
    assert months >= 60
    step.click()
    expect(readout).to_contain_text(f"at month {2 + months} ")
    labelled, _ = _count(page)
    assert labelled > 0
    assert _image(page, "view-labelled") != curve, "the labelled chart did not change"
    assert _image(page, "view-map") != park_map, "the map did not change"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "screenshot.png"), full_page=True)

    # a Step past the last month stops there; then Step is disabled
    step.click()
    expect(readout).to_contain_text("at month 168 ")
    expect(step).to_be_disabled()
    assert _count(page)[0] >= labelled


def test_browser_wrong_value_shows_message_and_server_keeps_serving(page, server_url):
    from playwright.sync_api import expect

    readout, error = page.locator(".labelled-count"), page.locator(".control-error")
    _render_interval(page, "Home")
    seed = page.get_by_label("Seed", exact=True)
    seed.fill("abc")
    seed.press("Enter")
    page.get_by_role("button", name="Reset").click()
    expect(error).to_contain_text("Seed must be a whole number, got 'abc'")
    page.screenshot(path=str(SHOTS / "wrong_value.png"), full_page=True)
    # the session and the server still work
    page.get_by_role("button", name="Step").click()
    expect(readout).to_contain_text("at month 1 ")
    assert _ready(server_url)
    more = page.get_by_label("More parameters (name=value; ...)")
    more.fill("n_stimulated=99999")
    more.press("Enter")
    seed.fill("3")
    seed.press("Enter")
    page.get_by_role("button", name="Reset").click()
    expect(error).to_contain_text("n_stimulated = 99999 is outside its accepted range")
    more.fill("")
    more.press("Enter")
    page.get_by_role("button", name="Reset").click()
    expect(error).to_have_count(0)
    expect(page.locator(".run-info")).to_contain_text("seed 3")


def test_browser_scenario_picker_and_compare(page):
    from playwright.sync_api import expect

    page.locator(".v-select", has_text="Scenario").locator(".v-input__slot").click()
    page.get_by_role("option", name="double_stimulated").click()
    expect(page.locator(".run-info")).to_contain_text("Scenario: double_stimulated")
    expect(page.get_by_role("slider", name="n_stimulated (parks)")).to_have_attribute(
        "aria-valuenow", "300"
    )

    page.get_by_role("tab", name="Page 1").click()
    replications = page.get_by_role("slider", name="Replications per scenario")
    replications.focus()
    replications.press("Home")
    expect(replications).to_have_attribute("aria-valuenow", "5")
    page.get_by_role("button", name="Run comparison").click()
    expect(page.locator(".compare-progress")).to_contain_text("of the runs done")
    results = page.locator(".compare-result")
    expect(results).to_have_count(2, timeout=60_000)
    pattern = r"P\(≥1,000 labelled by end 2031\) = [01]\.\d\d \(95% CI [01]\.\d\d–[01]\.\d\d; \d of 5 runs\)"
    expect(results.nth(0)).to_have_text(re.compile(r"^baseline: " + pattern))
    expect(results.nth(1)).to_have_text(re.compile(r"^double_stimulated: " + pattern))
    expect(page.locator("img.widget-image")).to_be_visible()
    page.screenshot(path=str(SHOTS / "compare.png"), full_page=True)
