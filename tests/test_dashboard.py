"""The policymaker dashboard in a real browser (the tests without one: test_dashboard_controls.py).

The browser tests start `werklandschap dashboard`'s server (solara, offline flags) on a free
loopback port once per test session (per xdist worker) and drive it with Playwright and the
system Chromium (/usr/bin/chromium; Debian package `chromium`, installed by .ci/run). Without
that browser the tests fail: they are part of the suite, not optional. Every browser test opens
its own tab (a fresh Solara session), so the tests do not depend on each other's order and can
be spread over xdist workers. Screenshots go to results/dashboard/ (git-ignored), one file name
per test.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from werklandschap.dashboard.server import (
    solara_command,
    solara_env,
)
from werklandschap.model.parameters import PARAMETERS
from werklandschap.model.scenario import load_scenario_file

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
