"""In a real browser: the report opens offline with no console error; the dashboard runs, and answers a slider.

Headless Chromium from the system's packages (``apt-get install chromium-headless-shell``), driven by
Playwright with no browser download. Without it these tests are skipped, except in CI
(``SIM_REQUIRE_BROWSER=1``, set by ``.ci/run``), where they fail. Screenshots are kept in
``outputs/test-artifacts/`` to be looked at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import urllib.request

import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIOS

from sim.cli import cli

ARTIFACTS = ROOT / "outputs" / "test-artifacts"
BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")
BOX = ROOT / "tests" / "data" / "box.yaml"

pytestmark = pytest.mark.xdist_group("browser")  # one worker makes the module's costly fixture once


def chromium() -> str | None:
    """The system's Chromium (SIM_CHROMIUM names another)."""
    return os.environ.get("SIM_CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    path = chromium()
    if path is None:
        if os.environ.get("SIM_REQUIRE_BROWSER"):
            pytest.fail("no Chromium found: apt-get install chromium-headless-shell (or set SIM_CHROMIUM)")
        pytest.skip("no Chromium on this machine: apt-get install chromium-headless-shell")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that records console errors, page errors and failed requests."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"request failed: {r.url}"))
    yield page
    context.close()


def test_the_report_opens_offline_and_shows_its_outcome_table(page, tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        cli,
        [
            "run",
            str(SCENARIOS / "tiktok_2020.yaml"),
            "--runs",
            "80",
            "--attribution",
            "20",
            "--out",
            str(out),
            "--backend",
            "serial",
        ],
    )
    assert result.exit_code == 0, result.output
    page.route("http*://**", lambda route: route.abort())  # offline: any network request fails (and is recorded)
    page.goto((out / "report.html").as_uri())
    rows = page.locator("#outcomes tbody tr")
    rows.first.wait_for()
    assert rows.count() == 11
    assert rows.nth(0).locator("td").nth(0).inner_text() == "closed_by_deadline"
    page.locator(".js-plotly-plot .main-svg").first.wait_for()  # Plotly drew its figures, from the page itself
    assert page.locator(".js-plotly-plot").count() >= 3
    page.screenshot(path=ARTIFACTS / "report.png", full_page=True)
    assert page.problems == []


@pytest.fixture(scope="module")
def dashboard():
    """`sim dashboard` on the box scenario, on a free port; its address once it answers."""
    pytest.importorskip("solara")
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "dashboard", str(BOX), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    url = None
    for line in process.stdout:  # Solara says where it serves before it answers
        if "http://" in line:
            url = line.split("http://", 1)[1].split()[0]
            break
    assert url is not None, "the dashboard ended without serving"
    threading.Thread(target=process.stdout.read, daemon=True).start()  # keep its pipe drained
    url = f"http://{url}"
    for _ in range(600):  # answering is the state waited for; each try blocks until it connects or fails
        try:
            with urllib.request.urlopen(url, timeout=5):
                break
        except OSError:
            if process.poll() is not None:
                raise AssertionError("the dashboard stopped") from None
            threading.Event().wait(0.1)
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_the_ensemble_view_runs_and_answers_a_slider(page, dashboard):
    """Run, move a slider, run again: the outcome panel changes, in the direction the box scenario implies."""
    page.goto(dashboard + "/ensemble")
    run = page.get_by_role("button", name="Run")
    run.click()
    panel = page.locator(".outcome-panel")
    panel.get_by_text("Changed: nothing").wait_for()
    before = panel.inner_text()
    assert "closed_by_deadline\t0.500" in before  # filing 30 days, clearing at even odds
    filing = page.locator("[role=slider]").nth(2)  # runs, seed, then the scenario's: filing days first
    filing.focus()
    page.keyboard.press("End")  # the longest filing: too late for the outside date
    page.get_by_text("filing days: 90").wait_for()
    run.click()
    panel.get_by_text("Changed: filing days = 90").wait_for()
    after = panel.inner_text()
    assert after != before
    assert "closed_by_deadline\t0.500\t0.000" in after.replace(" (0.44 to 0.56)", "").replace(" (0.00 to 0.01)", "")
    page.screenshot(path=ARTIFACTS / "dashboard-ensemble.png", full_page=True)
    assert page.problems == []


def test_the_one_run_view_steps_day_by_day(page, dashboard):
    page.goto(dashboard + "/")
    step = page.get_by_role("button", name="Step")
    for n in range(1, 4):
        step.click()
        page.get_by_text(f"{n} days played").wait_for()  # each click plays one day
    today = page.locator(".today-panel").inner_text()
    assert "2020-01-03 (3 days played)" in today and "signed" in today
    shown = page.locator(".parameters-panel").inner_text()  # the values this run was made with
    assert "filing days\t30" in shown and "seed\t0" in shown
    page.screenshot(path=ARTIFACTS / "dashboard-one-run.png", full_page=True)
    assert page.problems == []


def test_every_click_plays_its_days_and_a_run_plays_to_its_end(page, dashboard):
    """Five quick clicks on "+1 day" play five days (none lost while the page redraws); a date
    plays to that date; "to the end" ends the run; the tab names the page."""
    page.goto(dashboard + "/")
    today = page.locator(".today-panel")
    today.wait_for()
    one_day = page.get_by_role("button", name="+1 day")
    for _ in range(5):
        one_day.click()  # no wait between clicks
    page.get_by_text("(5 days played)").wait_for()
    page.get_by_label("play to date (YYYY-MM-DD)").fill("2020-02-01")
    page.get_by_label("play to date (YYYY-MM-DD)").press("Enter")
    page.get_by_role("button", name="go").click()
    page.get_by_text("2020-02-01 (32 days played)").wait_for()
    page.get_by_role("button", name="to the end").click()
    page.locator(".play-state").get_by_text("the run is over").wait_for()
    assert "one run" in page.title()
    assert (
        page.locator(".solara-content-main .v-tab").evaluate("e => getComputedStyle(e, '::after').content")
        == '"This run, day by day"'
    )  # not Mesa's "Page 0"
    assert page.problems == []
