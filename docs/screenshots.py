"""Make the README's screenshots of the report and the dashboard (docs/images/report.png, dashboard.png).

Run from the repository's root with the test extra installed and a system Chromium
(``apt-get install chromium-headless-shell``):

    python docs/screenshots.py

It runs ``sim run scenarios/export_control_review.yaml`` (1,000 runs, seed 0) into a temporary
directory, photographs the top of its report.html, then serves ``sim dashboard`` on the same
scenario, sets CFIUS's acceptance of mitigation to -50 (never, as in 2020) on the Ensemble page,
as the README's example does, runs it, and photographs the page.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
SCENARIO = ROOT / "scenarios" / "export_control_review.yaml"
BROWSER = next(filter(None, map(shutil.which, ("chromium-headless-shell", "chromium"))), None)


def serve_dashboard() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "dashboard", str(SCENARIO), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = next("http://" + line.split("http://", 1)[1].split()[0] for line in process.stdout if "http://" in line)
    threading.Thread(target=process.stdout.read, daemon=True).start()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return process, url
        except OSError:
            threading.Event().wait(0.2)


def main() -> None:
    if BROWSER is None:
        sys.exit("no Chromium: apt-get install chromium-headless-shell")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        subprocess.run([sys.executable, "-m", "sim", "run", str(SCENARIO), "--out", str(out), "--quiet"], check=True)
        process, url = serve_dashboard()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=BROWSER)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto((out / "report.html").as_uri())
                page.locator(".js-plotly-plot .main-svg").first.wait_for()
                page.screenshot(path=IMAGES / "report.png")
                page.goto(url + "/ensemble")
                # the README's example: a CFIUS that never accepts mitigation (-50, as in 2020)
                menu = page.locator(".v-select").filter(has_text="CFIUS: accepting mitigation")
                menu.wait_for()
                menu.locator(".v-select__slot").click()
                page.get_by_role("option", name="-50").click()
                page.get_by_role("button", name="Run").click()
                page.get_by_text("Changed: CFIUS: accepting mitigation").wait_for()
                page.set_viewport_size({"width": 1280, "height": 1500})
                page.screenshot(path=IMAGES / "dashboard.png")
                browser.close()
        finally:
            process.terminate()
    print(f"written: {IMAGES / 'report.png'}, {IMAGES / 'dashboard.png'}")


if __name__ == "__main__":
    main()
