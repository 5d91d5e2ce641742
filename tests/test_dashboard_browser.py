"""The sales dashboard as sales sees it: the real ``workbench dashboard`` command on a free
port, driven in headless Chromium (Debian's, never a downloaded one).

One browser session walks the steps a rep takes (header, filter, lead card, export) and
keeps a screenshot of each in ``out/screenshots/``; every request the page makes is
recorded to prove nothing leaves the server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
import uuid

import pandas as pd
import pytest

from tests.browser import (
    ARTIFACTS,
    free_port,
    launch,
    needs_chromium,
    wait_for_port,
    workbench_command,
)
from tests.helpers import SAMPLES
from workbench.analysis import metrics, sales
from workbench.ui.dashboard import PAGE_SIZE, SalesDashboard

pytestmark = [pytest.mark.slow, needs_chromium]  # a real browser


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """``workbench dashboard`` with explicit files, as a user would start it."""
    log = tmp_path_factory.mktemp("dashboard") / "terminal.log"
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [*workbench_command(), "dashboard", "--port", str(port),
             "--model", str(SAMPLES / "b2b_model.yaml"), "--leads", str(SAMPLES / "leads.csv"),
             "--activities", str(SAMPLES / "activities.csv")],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}", log
        proc.terminate()
        proc.wait(20)


@pytest.fixture(scope="module")
def engine() -> SalesDashboard:
    """The same files through the engine in this process: what the page must agree with."""
    return SalesDashboard.load(
        SAMPLES / "b2b_model.yaml", SAMPLES / "leads.csv", SAMPLES / "activities.csv"
    )


def test_sales_walks_the_dashboard_offline(dashboard, engine, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, log = dashboard
    terminal = log.read_text()
    assert f"Sales dashboard: {url}/" in terminal
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    timings: dict[str, float] = {}
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
        page.on("request", lambda r: requests.append(r.url))
        start = time.perf_counter()
        page.goto(url + "/", timeout=120_000)
        rows = page.locator(".wb-queue tbody tr[data-lead]")
        expect(rows).to_have_count(PAGE_SIZE, timeout=120_000)
        page.locator(".vega-embed").first.wait_for(timeout=60_000)
        timings["page load"] = time.perf_counter() - start
        page.screenshot(path=ARTIFACTS / "dashboard_1_loaded.png")

        # 1. the header: the live model and the engine's figures
        model = page.locator("[data-field=model]").inner_text()
        assert "B2B default v1" in model and "signed off by Dana Whitfield" in model
        tiles = {
            tile.get_attribute("data-kpi"): int(
                tile.locator(".wb-kpi-value").inner_text().replace(",", "")
            )
            for tile in page.locator(".wb-kpi").all()
        }
        counts = metrics.category_counts(engine.scoring.totals).to_dict()
        changes = engine.queue.changes
        assert tiles == {
            **counts,
            "new": int(changes.new_top.sum()),
            "cold": int(changes.cold.sum()),
        }
        first_ids = [r.get_attribute("data-lead") for r in rows.all()]
        assert first_ids == list(engine.queue.frame["lead_id"].head(PAGE_SIZE))

        # 2. a filter changes the queue
        b_count = counts["B"]
        start = time.perf_counter()
        page.locator(".widget-dropdown", has_text="Category").locator("select").select_option(
            label=f"B ({b_count:,})"
        )
        matches = page.locator("[data-field=matches]")
        expect(matches).to_have_text(f"{b_count:,}", timeout=10_000)
        timings["filter"] = time.perf_counter() - start
        categories = page.locator(".wb-queue tbody tr td.wb-badge").all_inner_texts()
        assert set(categories) == {"B"} and len(categories) == PAGE_SIZE
        expected_b = engine.queue.filter(category="B")
        shown = [r.get_attribute("data-lead") for r in rows.all()]
        assert shown == list(expected_b["lead_id"].head(PAGE_SIZE))
        page.screenshot(path=ARTIFACTS / "dashboard_2_filtered.png")

        # 3. a lead card opens with the reasons in words
        target = shown[4]
        start = time.perf_counter()
        rows.nth(4).click()
        card = page.locator(f'.wb-card[data-lead="{target}"]')
        card.wait_for(timeout=10_000)
        timings["lead card"] = time.perf_counter() - start
        reasons = sales.lead_reasons(engine.scoring, target)
        best = reasons.iloc[0]
        expect(card.locator(".wb-pos li").first).to_have_text(
            f"+{best['points']:.0f} {best['evidence']}"
        )
        score = float(expected_b.set_index("lead_id").loc[target, "score"])
        assert card.locator("[data-field=score]").inner_text() == f"{score:.1f}"
        page.locator(f'.wb-events[data-lead="{target}"]').wait_for(timeout=10_000)
        page.wait_for_timeout(800)  # the trend chart re-embeds after the timeline
        page.screenshot(path=ARTIFACTS / "dashboard_3_lead_card.png")

        # 4. the export downloads the filtered queue, ready for a CRM
        with page.expect_download(timeout=30_000) as info:
            page.locator(".wb-download").click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        page.screenshot(path=ARTIFACTS / "dashboard_4_exported.png")
        browser.close()

    assert saved.name.startswith("leads_B_") and saved.suffix == ".csv"
    table = pd.read_csv(saved, dtype={"lead_id": "str"}, encoding="utf-8-sig")
    assert list(table["lead_id"]) == list(expected_b["lead_id"])
    assert list(table["category"].unique()) == ["B"]
    assert list(table.columns[:5]) == ["lead_id", "score", "category", "grade", "reasons"]

    outside = [u for u in requests if not u.startswith((url, "blob:", "data:"))]
    assert outside == [], f"requests left the server: {outside}"
    (ARTIFACTS / "dashboard_timings.json").write_text(json.dumps(timings, indent=1))
    print({k: f"{v:.2f} s" for k, v in timings.items()})


def kernel_socket(url: str):
    """Open the page's own kernel channel, as the page's JavaScript does."""
    import websocket

    html = urllib.request.urlopen(url + "/", timeout=120).read().decode()
    kernel = re.search(r'kernelId": "([0-9a-f-]+)"', html).group(1)
    ws_url = url.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels?session_id=t"
    return websocket.create_connection(ws_url, timeout=10)


def request(msg_type: str, content: dict) -> dict:
    header = {"msg_id": uuid.uuid4().hex, "username": "t", "session": "t",
              "msg_type": msg_type, "version": "5.3", "date": ""}  # fmt: skip
    return {"header": header, "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": content, "buffers": []}  # fmt: skip


def replies_to(ws, msg: dict, seconds: float) -> list[str]:
    ws.send(json.dumps(msg))
    ws.settimeout(0.5)
    got, deadline = [], time.time() + seconds
    while time.time() < deadline:
        try:
            reply = json.loads(ws.recv())
        except Exception:
            continue
        if reply.get("parent_header", {}).get("msg_id") == msg["header"]["msg_id"]:
            got.append(reply["header"]["msg_type"])
            if reply["header"]["msg_type"].endswith("_reply"):
                break
    return got


def test_the_page_cannot_run_code(dashboard, tmp_path):
    url, _ = dashboard
    marker = tmp_path / "ran.txt"
    ws = kernel_socket(url)
    try:
        # the channel is live: the kernel answers what Voilà allows
        assert "kernel_info_reply" in replies_to(ws, request("kernel_info_request", {}), 10)
        code = f"open({str(marker)!r}, 'w').write('ran')"
        execute = {"code": code, "silent": False, "store_history": False,
                   "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}  # fmt: skip
        got = replies_to(ws, request("execute_request", execute), 4)
    finally:
        ws.close()
    assert "execute_reply" not in got and "execute_input" not in got
    assert not marker.exists(), "the page ran code in the kernel"
    # nor can it reach Jupyter's file and kernel APIs
    for path, method in (("/api/contents", "GET"), ("/api/kernels", "POST")):
        req = urllib.request.Request(url + path, method=method)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=10)
        assert refused.value.code in (403, 404, 405), path


def test_a_broken_file_shows_a_message_in_the_page(tmp_path):
    """A file that breaks after the server started (edited, deleted) is a message, not a
    blank page; the server's terminal says the same."""
    from playwright.sync_api import sync_playwright

    model = tmp_path / "model.yaml"
    shutil.copy(SAMPLES / "b2b_model.yaml", model)
    port = free_port()
    log = tmp_path / "terminal.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [*workbench_command(), "dashboard", "--port", str(port), "--model", str(model)],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for_port(port, proc)
            time.sleep(1)
            model.write_text(model.read_text().replace("points: ", "pionts: ", 1))
            with sync_playwright() as p:
                browser = launch(p)
                page = browser.new_page()
                message = ""
                for _ in range(3):  # the first visit may get the kernel warmed before the edit
                    page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
                    page.locator(".wb-error, .wb-queue").first.wait_for(timeout=120_000)
                    if page.locator(".wb-error").count():
                        message = page.locator(".wb-error").inner_text()
                        break
                page.screenshot(path=ARTIFACTS / "dashboard_error.png")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(20)
    assert "The dashboard cannot show the scores" in message
    assert "unknown key 'pionts'" in message and "model.yaml" in message
    assert "Traceback" not in message
    assert "workbench dashboard: " in log.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "nope.yaml"], "nope.yaml"),
        (["--activities", "a.csv"], "--activities needs --leads"),
        (["--port", "0"], "--port must be between 1 and 65535"),
        (["--as-of", "yesterday-ish"], "yesterday-ish"),
    ],
)
def test_bad_options_stop_before_serving(args, message):
    result = subprocess.run(
        [*workbench_command(), "dashboard", *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "Sales dashboard:" not in result.stdout


def test_a_port_in_use_is_refused(dashboard):
    url, _ = dashboard
    port = url.rsplit(":", 1)[1]
    result = subprocess.run(
        [*workbench_command(), "dashboard", "--port", port],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
