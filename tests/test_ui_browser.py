"""The tuning notebook served by Voilà, in a real headless Chromium (Debian's, never a
downloaded one): a slider moves, the chart changes, nothing leaves localhost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, free_port, launch, needs_chromium, wait_for_port
from tests.helpers import ROOT

pytestmark = [pytest.mark.slow, needs_chromium]  # a real browser


@pytest.fixture(scope="module")
def voila_url():
    import workbench.ui

    port = free_port()
    env = {**os.environ, "JUPYTER_PATH": str(Path(workbench.ui.__file__).parent / "jupyter")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(ROOT / "notebooks" / "tune_model.ipynb"),
         "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", "--template=offline"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port, proc, seconds=60)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


def test_slider_moves_the_chart_offline(voila_url):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(voila_url + "/", timeout=120_000)
        chart = page.locator(".vega-embed").first
        chart.wait_for(timeout=120_000)
        page.wait_for_timeout(500)
        page.screenshot(path=ARTIFACTS / "tune_before.png")
        before = chart.screenshot()
        counts = page.locator("text=Leads per category").first.locator("..")
        counts_before = counts.inner_text()
        handle = page.locator(".noUi-handle:visible").first  # first bucket open: Executive
        handle.focus()
        # time the redraw in the page itself: key press -> first change of the chart's DOM
        page.evaluate(
            """() => {
                const el = document.querySelector('.vega-embed');
                window.__redrawn = null;
                new MutationObserver(() => {
                    if (window.__redrawn === null) window.__redrawn = performance.now();
                }).observe(el.parentElement, {subtree: true, childList: true, attributes: true});
                document.addEventListener('keydown', () => {
                    window.__pressed = performance.now();
                }, {capture: true, once: true});
            }"""
        )
        handle.press("ArrowLeft")  # one step: 20 -> 19 points
        page.wait_for_function("window.__redrawn !== null", timeout=10_000)
        took = page.evaluate("window.__redrawn - window.__pressed") / 1000
        page.wait_for_timeout(300)
        after = chart.screenshot()
        counts_after = counts.inner_text()
        page.screenshot(path=ARTIFACTS / "tune_after.png")
        browser.close()
    assert after != before, "the chart did not change after moving a slider"
    assert counts_after != counts_before, "the category counts did not follow the slider"
    outside = [u for u in requests if not u.startswith((voila_url, "blob:", "data:"))]
    assert outside == [], f"requests left localhost: {outside}"
    print(f"chart redrawn {took * 1000:.0f} ms after one key press")
    (ARTIFACTS / "redraw_ms.txt").write_text(f"{took * 1000:.0f}\n")
