"""The tuning app on a laptop, in a real headless Chromium (Debian's): in Voilà and in
JupyterLab with the file browser open, at 1440×900 down to 1024×768, the score chart's whole
axis (up to the scale's maximum), the fit × engagement matrix and the hypothetical lead form
are inside the window and inside every box that could clip them; nothing needs a horizontal
scrollbar; on a narrow app the panels stack. Screenshots are kept in out/screenshots/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, free_port, launch, needs_chromium, stop, wait_for_port
from tests.helpers import ROOT

pytestmark = [pytest.mark.slow, needs_chromium]  # real servers and a real browser

NOTEBOOK = ROOT / "notebooks" / "tune_model.ipynb"
SCALE_MAX = "100"  # the sample model's scale: the axis must reach it
SIDE_BY_SIDE = 400 + 20 + 500  # controls + gap + views (workbench.ui.tuning.STYLE)
LOAD_MS = 180_000

# For each element: its box, and the visible part of the page it may use: the window,
# narrowed by every ancestor that clips (overflow other than visible). Horizontal only:
# scrolling down is fine, so the element is first scrolled into view.
MEASURE = """
(el) => {
  el.scrollIntoView({block: "center", inline: "nearest"});
  const r = el.getBoundingClientRect();
  let left = 0, right = window.innerWidth;
  const clippers = [];
  for (let a = el.parentElement; a; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowX !== "visible") {
      const b = a.getBoundingClientRect();
      left = Math.max(left, b.left);
      right = Math.min(right, b.left + a.clientWidth);  // without a vertical scrollbar
      clippers.push(a.getAttribute("class") || a.tagName);
    }
  }
  return {left: r.left, right: r.right, width: r.width, top: r.top,
          visible: [left, right], clippers: clippers.slice(0, 4)};
}
"""

# Every box from the app up to the page that scrolls sideways (a horizontal scrollbar).
SIDEWAYS = """
(app) => {
  const wide = [];
  for (let a = app; a; a = a.parentElement) {
    const s = getComputedStyle(a);
    const scrolls = a === document.documentElement || ["auto", "scroll"].includes(s.overflowX);
    if (scrolls && a.scrollWidth > a.clientWidth + 1)
      wide.push(`${a.getAttribute("class") || a.tagName}: ${a.scrollWidth} > ${a.clientWidth}`);
  }
  return wide;
}
"""

# The x axis of the score chart (SVG): its tick labels, the last one's box.
X_AXIS = """
(chart) => {
  const axis = [...chart.querySelectorAll("g.role-axis")]
    .find((g) => (g.getAttribute("aria-label") || "").startsWith("X-axis"));
  if (!axis) return null;
  const labels = [...axis.querySelectorAll("g.role-axis-label text")];
  const last = labels[labels.length - 1];
  last.setAttribute("data-wb-last-tick", "1");
  return labels.map((t) => t.textContent);
}
"""


def _inside(page, locator, what: str, shot: str) -> dict:
    """Assert ``locator``'s box lies within the window and every clipping ancestor."""
    box = locator.evaluate(MEASURE)
    left, right = box["visible"]
    assert box["width"] > 0, f"{what} is not shown ({shot})"
    assert box["left"] >= left - 1 and box["right"] <= right + 1, (
        f"{what} spans {box['left']:.0f}–{box['right']:.0f} px but only {left:.0f}–{right:.0f} "
        f"px are visible (clipped by {box['clippers']}); see {shot}"
    )
    return box


def check_layout(page, host: str, width: int, height: int) -> dict:
    """What a user at this size sees: every assertion of the module, screenshots kept."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = f"tune_layout_{host}_{width}x{height}"
    shot = str(ARTIFACTS / f"{name}.png")
    app = page.locator(".wb-tune").first
    chart = app.locator(".wb-score-chart").first
    chart.wait_for(timeout=LOAD_MS)
    page.wait_for_function(  # drawn, with its axis labelled
        "() => document.querySelector('.wb-tune .wb-score-chart g.role-axis-label text')",
        timeout=60_000,
    )
    page.wait_for_timeout(800)  # a container-sized chart redraws after a resize
    chart.scroll_into_view_if_needed()
    page.screenshot(path=shot)

    ticks = chart.evaluate(X_AXIS)
    assert ticks, f"the score chart has no x axis ({shot})"
    assert ticks[0] == "0" and ticks[-1] == SCALE_MAX, f"axis ticks {ticks}: not 0 to 100"
    app_box = _inside(page, app, "the app", shot)
    last_tick = _inside(page, chart.locator("[data-wb-last-tick]"), "the axis's last tick", shot)
    assert last_tick["right"] <= app_box["right"] + 1, "the last tick is outside the app"
    _inside(page, chart.locator("svg").first, "the score chart", shot)
    _inside(page, app.locator(".wb-matrix table"), "the fit × engagement matrix", shot)
    form = app.locator(".wb-hypothetical")
    textareas = form.locator("textarea")
    assert textareas.count() == 2
    for i, what in enumerate(["the hypothetical lead's fields", "its activities"]):
        _inside(page, textareas.nth(i), what, shot)
    _inside(page, form.locator("button", has_text="Score this lead"), "the Score button", shot)
    page.screenshot(path=str(ARTIFACTS / f"{name}_hypothetical.png"))

    sideways = app.evaluate(SIDEWAYS)
    assert sideways == [], f"horizontal scrollbars: {sideways} ({shot})"
    controls = app.locator(".wb-controls").bounding_box()
    views = app.locator(".wb-views").bounding_box()
    stacked = views["y"] >= controls["y"] + controls["height"] - 1
    side_by_side = views["x"] >= controls["x"] + controls["width"] - 1
    assert stacked != side_by_side
    assert stacked == (app_box["width"] < SIDE_BY_SIDE), (
        f"an app {app_box['width']:.0f} px wide should {'stack' if not stacked else 'not stack'}"
    )
    return {"app_width": round(app_box["width"]), "stacked": stacked}


def _record(host: str, size: tuple[int, int], seen: dict) -> None:
    """Widths seen, beside the screenshots: what a layout change did, at a glance."""
    path = ARTIFACTS / "tune_layout.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[f"{host} {size[0]}x{size[1]}"] = seen
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


# --- Voilà: a fresh page (and kernel) per window size, as a colleague opens the link -------


@pytest.fixture(scope="module")
def voila_url():
    import workbench.ui

    port = free_port()
    env = {**os.environ, "JUPYTER_PATH": str(Path(workbench.ui.__file__).parent / "jupyter")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1", "--template=offline"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, proc, seconds=60)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.mark.parametrize("size", [(1440, 900), (1024, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_voila_shows_the_whole_app(voila_url, browser, size):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    try:
        page.goto(voila_url, timeout=LOAD_MS)
        seen = check_layout(page, "voila", *size)
    finally:
        page.close()
    _record("voila", size, seen)
    if size[0] >= 1366:
        assert not seen["stacked"], "a 1440 px window has room for both panels"


# --- JupyterLab: the notebook run with the file browser open, the window resized -----------


@pytest.fixture(scope="module")
def lab_page(browser, tmp_path_factory):
    """JupyterLab on a copy of the notebook, run once; tests resize the window."""
    import workbench.ui

    home = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOK, home / NOTEBOOK.name)
    settings = home / ".settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)  # no "official Jupyter news?" pop-up over the page
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env = {
        **os.environ,
        "JUPYTER_PATH": str(Path(workbench.ui.__file__).parent / "jupyter"),
        "JUPYTER_CONFIG_DIR": str(home / ".config"),
        "JUPYTER_RUNTIME_DIR": str(home / ".runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / ".settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / ".workspaces"),
    }
    port = free_port()
    log = (home / "lab.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.token=",
         "--ServerApp.password=", f"--ServerApp.root_dir={home}",
         "--LabApp.expose_app_in_browser=True",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=home,
    )  # fmt: skip
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        wait_for_port(port, proc, seconds=90)
        page.goto(f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK.name}", timeout=LOAD_MS)
        page.wait_for_function(
            "() => window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')",
            timeout=LOAD_MS,
        )
        page.wait_for_function(  # the notebook's kernel is up and waiting
            "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel"
            "?.status === 'idle'",
            timeout=LOAD_MS,
        )
        page.evaluate("window.jupyterapp.commands.execute('filebrowser:activate')")
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.locator(".wb-tune .wb-score-chart").first.wait_for(timeout=LOAD_MS)
        yield page
    finally:
        page.close()
        stop(proc)
        log.close()


@pytest.mark.parametrize(
    "size", [(1440, 900), (1366, 768), (1024, 768)], ids=lambda s: f"{s[0]}x{s[1]}"
)
def test_jupyterlab_with_the_file_browser_shows_the_whole_app(lab_page, size):
    lab_page.set_viewport_size({"width": size[0], "height": size[1]})
    lab_page.wait_for_timeout(500)
    files = lab_page.locator("#filebrowser").bounding_box()
    assert files is not None and files["width"] > 150, "the file browser is not open"
    seen = check_layout(lab_page, "lab", *size)
    _record("lab", size, {**seen, "file_browser": round(files["width"])})
    if size[0] >= 1366:
        assert not seen["stacked"], "Lab at 1366+ px with the file browser: panels side by side"
    else:
        assert seen["stacked"], "Lab at 1024 px with the file browser: the panels stack"
