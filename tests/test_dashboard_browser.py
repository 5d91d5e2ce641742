"""The sales dashboard as sales sees it: the real ``workbench dashboard --store S`` on a free
port, driven in headless Chromium (Debian's, never a downloaded one).

The store is published once for the module (the sample, with four past weeks), and what
the page shows is checked against that store read here with pandas (ranks, owners,
categories, the stored events), never against the dashboard's own code. Each step keeps a
screenshot in ``out/screenshots/``, and every request a page makes is recorded to prove
nothing leaves the server.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.browser import (
    ARTIFACTS,
    free_port,
    launch,
    needs_chromium,
    printed_url,
    stop,
    wait_for_port,
    workbench_command,
)
from tests.helpers import SAMPLES
from workbench.store import Store, publish

pytestmark = [pytest.mark.slow, needs_chromium]  # a real browser

PAGE_SIZE = 25  # what sales asked for: 25 leads a page
HISTORY_WEEKS = 4
SAMPLE_FILES = {
    "model": SAMPLES / "b2b_model.yaml",
    "leads": SAMPLES / "leads.csv",
    "activities": SAMPLES / "activities.csv",
}
CALL_LIST = ["lead_id", "name", "company", "email", "phone", "owner", "score", "category",
             "reasons"]  # fmt: skip
ROWS = ".wb-queue tbody tr[data-lead]"
TIMINGS: dict[str, float] = {}


# --- the store, the server, the browser ---------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """The sample published as sales' store: four past weeks and the current run."""
    path = tmp_path_factory.mktemp("dashboard") / "scoring-store"
    publish(**SAMPLE_FILES, store=path, history_weeks=HISTORY_WEEKS, by="Test Publisher")
    return path


@pytest.fixture(scope="module")
def leads(store) -> pd.DataFrame:
    """The current run's leads as pandas reads them, best first by the stored rank."""
    return Store(store).read_leads().sort_values("rank").reset_index(drop=True)


def serve(args: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(
            [*workbench_command(), "dashboard", *args], stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )  # fmt: skip


class Served(NamedTuple):
    """A running dashboard: its address (no slash), terminal log and the printed token."""

    url: str
    log: Path
    token: str

    def link(self, path: str = "/", **query: str) -> str:
        """A link to ``path`` with the token, as the printed one carries it."""
        return f"{self.url}{path}?" + urllib.parse.urlencode({**query, "token": self.token})


@pytest.fixture(scope="module")
def dashboard(store, tmp_path_factory) -> Served:
    """``workbench dashboard --store S``, as sales starts it (a token on, by default); pages
    look for a newer run every second (so a test does not wait the default 30 s)."""
    log = tmp_path_factory.mktemp("server") / "terminal.log"
    port = free_port()
    proc = serve(["--store", str(store), "--port", str(port)], log, {"WORKBENCH_POLL_SECONDS": "1"})
    try:
        wait_for_port(port, proc, seconds=180)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(printed_url(log)).query)
        yield Served(f"http://127.0.0.1:{port}", log, query["token"][0])
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()
    (ARTIFACTS / "dashboard_timings.json").write_text(json.dumps(TIMINGS, indent=1))


class Visit:
    """One page in its own browser context, every request it makes recorded."""

    def __init__(self, browser, url: str, width: int = 1280, height: int = 800):
        self.base = url.split("/?")[0].rstrip("/")
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        start = time.perf_counter()
        self.page.goto(url, timeout=120_000)
        self.page.locator(f"{ROWS}, .wb-error").first.wait_for(timeout=120_000)
        self.seconds = time.perf_counter() - start

    def outside(self) -> list[str]:
        """Requests that went anywhere but this server (a blob: is the export's own file)."""
        return [u for u in self.requests if not u.startswith((self.base, "blob:", "data:"))]

    def close(self) -> None:
        self.context.close()
        assert self.outside() == [], f"requests left the server: {self.outside()}"


def queue_rows(page) -> list[dict]:
    """What each queue row shows: lead, name, company, links, category, owner, reasons."""
    return page.locator(ROWS).evaluate_all(
        """rows => rows.map(tr => {
            const lead = tr.cells[3];
            const link = (kind) => {
              const a = tr.querySelector(`a[href^="${kind}:"]`);
              return a ? a.getAttribute("href") : null;
            };
            return {
              id: tr.dataset.lead,
              rank: tr.cells[0].textContent,
              score: tr.cells[1].textContent,
              category: tr.cells[2].textContent,
              name: lead.firstChild ? lead.firstChild.textContent : "",
              company: (lead.querySelector(".wb-sub") || {}).textContent || "",
              tel: link("tel"),
              mailto: link("mailto"),
              owner: tr.cells[5].textContent,
              why: tr.cells[tr.cells.length - 1].textContent,
            };
        })"""
    )


def dropdown(page, label: str):
    return page.locator(".widget-dropdown", has_text=label).locator("select")


def chosen(page, label: str) -> str:
    """The option a dropdown shows (ipywidgets writes its spaces as no-break spaces)."""
    shown = dropdown(page, label).evaluate("s => s.options[s.selectedIndex].text")
    return shown.replace("\xa0", " ")


def matches(page) -> int:
    return int(page.locator("[data-field=matches]").inner_text().replace(",", ""))


def dial(phone: str) -> str:
    return "tel:" + re.sub(r"[^+0-9]", "", phone)


def text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


# --- the queue and the layout -------------------------------------------------------------


def test_the_queue_is_the_stored_ranking_with_contact_links(dashboard, browser, leads):
    from playwright.sync_api import expect

    assert f"Sales dashboard: {dashboard.link()}   (Ctrl+C" in dashboard.log.read_text()
    visit = Visit(browser, dashboard.link())
    page = visit.page
    expect(page.locator(ROWS)).to_have_count(PAGE_SIZE, timeout=60_000)
    page.locator(".wb-card").wait_for(timeout=60_000)  # the best lead's card, from the start
    TIMINGS["page load"] = visit.seconds

    # the header: leads per category as stored
    tiles = {
        t.get_attribute("data-kpi"): int(t.locator(".wb-kpi-value").inner_text().replace(",", ""))
        for t in page.locator(".wb-kpi").all()
    }
    counts = leads["category"].astype("str").value_counts()
    assert {k: tiles[k] for k in counts.index} == counts.to_dict()
    assert tiles["new"] == int(leads["new_top"].sum())
    assert tiles["cold"] == int(leads["cold"].sum())

    # the first page is ranks 1..25 of the store, numbered so
    rows = queue_rows(page)
    best = leads.head(PAGE_SIZE)
    assert [r["id"] for r in rows] == list(best["lead_id"])
    assert [r["rank"] for r in rows] == [str(i) for i in range(1, PAGE_SIZE + 1)]
    assert [r["score"] for r in rows] == [f"{s:.1f}" for s in best["score"]]
    # no ties at the top: by score, then the raw total, the latest activity, the id
    by_hand = leads.assign(quiet=leads["last_activity"].isna()).sort_values(
        ["score", "raw_total", "quiet", "last_activity", "lead_id"],
        ascending=[False, False, True, False, True],
        kind="stable",
    )
    assert [r["id"] for r in rows] == list(by_hand["lead_id"].head(PAGE_SIZE))
    assert best["score"].iloc[0] == best["score"].iloc[1]  # the sample has ties to break

    # each row: name, company, a tel: and a mailto: link that act on the lead's own details
    for row, lead in zip(rows, best.to_dict("records"), strict=True):
        assert row["name"] == lead["name"] and row["company"] == lead["company"]
        assert row["category"] == lead["category"] and row["owner"] == lead["owner"]
        assert row["tel"] == (dial(lead["phone"]) if text(lead["phone"]) else None)
        assert row["mailto"] == (f"mailto:{lead['email']}" if text(lead["email"]) else None)
        assert row["why"] == lead["reasons"]
    assert sum(r["tel"] is not None for r in rows) >= PAGE_SIZE // 2  # most have a phone

    # at 1280 px the Why column fits on the screen and the card sits beside the queue
    table = page.locator(".wb-queue").bounding_box()
    why = page.locator(".wb-queue th", has_text="Why").bounding_box()
    card = page.locator(".wb-card").bounding_box()
    assert why["x"] + why["width"] <= 1280
    assert card["x"] >= table["x"] + table["width"] - 1
    assert card["y"] < table["y"] + 100  # beside it, at the top, not below
    page.screenshot(path=ARTIFACTS / "dashboard_1_queue_1280.png")

    # under ~1100 px the card goes below the queue
    page.set_viewport_size({"width": 1000, "height": 800})
    page.wait_for_timeout(300)
    table = page.locator(".wb-queue").bounding_box()
    card = page.locator(".wb-card").bounding_box()
    assert card["y"] >= table["y"] + table["height"]
    page.screenshot(path=ARTIFACTS / "dashboard_2_queue_1000.png", full_page=True)
    visit.close()


# --- filters, the card, the call list -----------------------------------------------------


def test_filters_card_and_call_list(dashboard, browser, leads, store, tmp_path):
    from playwright.sync_api import expect

    visit = Visit(browser, dashboard.link())
    page = visit.page
    page.locator(".wb-card").wait_for(timeout=60_000)

    # by category: the count and the rows as pandas finds them in the store
    b = leads[leads["category"] == "B"]
    start = time.perf_counter()
    dropdown(page, "Category").select_option(label=f"B ({len(b):,})")
    expect(page.locator("[data-field=matches]")).to_have_text(f"{len(b):,}", timeout=10_000)
    TIMINGS["filter"] = time.perf_counter() - start
    assert [r["id"] for r in queue_rows(page)] == list(b["lead_id"].head(PAGE_SIZE))

    # "my leads": by owner, written into the page URL so a bookmark keeps it
    owner = b["owner"].value_counts().index[0]
    mine = b[b["owner"] == owner]
    dropdown(page, "Owner").select_option(label=owner)
    expect(page.locator("[data-field=matches]")).to_have_text(f"{len(mine):,}", timeout=10_000)
    shown = queue_rows(page)
    assert [r["id"] for r in shown] == list(mine["lead_id"].head(PAGE_SIZE))
    assert {r["owner"] for r in shown} == {owner} and {r["category"] for r in shown} == {"B"}
    page.wait_for_function("() => location.search.includes('owner=')", timeout=10_000)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query == {"owner": [owner], "category": ["B"], "token": [dashboard.token]}
    page.screenshot(path=ARTIFACTS / "dashboard_3_filtered.png")

    # a lead's card: contact links, reasons, recent activity in words, trend by run
    target = shown[4]["id"]
    lead = mine.set_index("lead_id").loc[target]
    start = time.perf_counter()
    page.locator(ROWS).nth(4).click()
    card = page.locator(f'.wb-card[data-lead="{target}"]')
    card.wait_for(timeout=10_000)
    TIMINGS["lead card"] = time.perf_counter() - start
    assert card.locator("h3").inner_text() == lead["name"]
    assert card.locator("[data-field=company]").inner_text() == lead["company"]
    assert card.locator("[data-field=score]").inner_text() == f"{lead['score']:.1f}"
    if text(lead["phone"]):
        assert card.locator("a[data-field=phone]").get_attribute("href") == dial(lead["phone"])
    assert card.locator("a[data-field=email]").get_attribute("href") == f"mailto:{lead['email']}"
    stored = [r for r in lead["card_reasons"] if r]
    against = [r for r in stored if r.rpartition(" ")[2].startswith("\u2212")]  # points last
    assert card.locator(".wb-pos li").all_inner_texts() == [r for r in stored if r not in against]
    assert card.locator(".wb-neg li").all_inner_texts() == against

    events = page.locator(f'.wb-events[data-lead="{target}"]')
    events.wait_for(timeout=10_000)
    assert "Recent activity" in events.locator("h4").inner_text()
    labels = yaml.safe_load(SAMPLE_FILES["model"].read_text())["activity_labels"]
    run = Store(store).current_id()
    in_file_order = Store(store).read_leads(run)["lead_id"]  # events name leads by file row
    recent = pd.read_parquet(store / "runs" / run / "recent_activities.parquet")
    recent = recent[recent["lead_row"] == in_file_order.index[in_file_order == target][0]]
    recent = recent.sort_values("timestamp", ascending=False).head(10)
    timeline = events.locator("tr").evaluate_all(
        "rows => rows.map(r => [r.cells[0].textContent, r.cells[1].dataset.type,"
        " r.cells[1].textContent])"
    )
    assert sorted(timeline) == sorted(
        [f"{ts:%Y-%m-%d %H:%M}", ty, labels[ty]]
        for ts, ty in zip(recent["timestamp"], recent["type"], strict=True)
    )
    assert len(timeline) == len(recent) > 0
    assert all(label in labels.values() for _, _, label in timeline)  # words, not type codes

    # the trend: one point per stored run up to this one that scored the lead
    mine_as_of = pd.Timestamp(Store(store).manifest(run).as_of)
    runs = [
        m.run_id
        for m in Store(store).runs()
        if pd.Timestamp(m.as_of) <= mine_as_of
        and target in set(Store(store).read_leads(m.run_id)["lead_id"])
    ]
    assert len(runs) > 1
    trend = page.locator(".vega-embed", has_text=f"Score in the last {len(runs)} published runs")
    trend.wait_for(timeout=10_000)
    expect(trend.locator(".mark-symbol path")).to_have_count(len(runs), timeout=10_000)
    box, beside = trend.bounding_box(), card.bounding_box()
    assert abs(box["x"] - beside["x"]) < 40 and box["y"] >= beside["y"]  # in the card's column
    page.screenshot(path=ARTIFACTS / "dashboard_4_lead_card.png")

    # the call list: the filtered queue, ready for the phone
    with page.expect_download(timeout=30_000) as info:
        page.locator(".wb-download").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    visit.close()

    assert saved.name.startswith("call-list_B_") and saved.suffix == ".csv"
    raw = saved.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads the names right
    cells = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert cells[0] == CALL_LIST
    risky = [c for row in cells for c in row if c[:1] in ("=", "+", "-", "@")]
    assert all(re.fullmatch(r"\+[\d ().\-]+", c) for c in risky), risky  # phones dial as is
    table = pd.read_csv(saved, encoding="utf-8-sig", dtype="str", keep_default_na=False)
    expected = mine.reset_index(drop=True)
    assert len(table) == len(expected)
    for col in ("lead_id", "name", "company", "email", "owner", "category"):
        assert list(table[col]) == [text(v) for v in expected[col]], col
    phones = [text(v) for v in expected["phone"]]
    assert list(table["phone"]) == phones  # dialable as stored, no quote in front
    assert np.allclose(table["score"].astype(float), expected["score"])
    assert list(table["reasons"]) == [text(r) for r in expected["reasons"]]  # as the run words them


def test_a_link_with_owner_and_category_opens_that_view(dashboard, browser, leads):
    from playwright.sync_api import expect

    owners = sorted(leads["owner"].unique())
    owner = next((o for o in owners if not o.isascii()), owners[0])  # "Chloé Martin"
    wanted = leads[(leads["owner"] == owner) & (leads["category"] == "A")]
    visit = Visit(browser, dashboard.link())  # the printed link, once: it leaves a cookie
    page = visit.page
    # the rep's bookmark carries no token: the cookie of that first visit lets it in
    bookmark = f"{dashboard.url}/?" + urllib.parse.urlencode({"owner": owner, "category": "A"})
    assert page.goto(bookmark, timeout=120_000).status == 200
    expect(page.locator("[data-field=matches]")).to_have_text(f"{len(wanted):,}", timeout=30_000)
    assert [r["id"] for r in queue_rows(page)] == list(wanted["lead_id"].head(PAGE_SIZE))
    assert chosen(page, "Owner") == owner and chosen(page, "Category").startswith("A (")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query == {"owner": [owner], "category": ["A"]}  # kept, for the next bookmark
    page.screenshot(path=ARTIFACTS / "dashboard_5_my_leads_link.png")
    visit.close()


# --- the page is read-only ----------------------------------------------------------------


def kernel_socket(served: Served):
    """Open the page's own kernel channel, as the page's JavaScript does."""
    import websocket

    html = urllib.request.urlopen(served.link(), timeout=120).read().decode()
    kernel = re.search(r'kernelId": "([0-9a-f-]+)"', html).group(1)
    ws_url = served.link(f"/api/kernels/{kernel}/channels", session_id="t")
    return websocket.create_connection(ws_url.replace("http://", "ws://"), timeout=10)


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
    marker = tmp_path / "ran.txt"
    ws = kernel_socket(dashboard)
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
        req = urllib.request.Request(dashboard.link(path), method=method)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=10)
        assert refused.value.code in (403, 404, 405), path


# --- what goes wrong, said plainly --------------------------------------------------------


def run_dashboard(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*workbench_command(), "dashboard", *args], capture_output=True, text=True,
        timeout=120, env={**os.environ, "NO_COLOR": "1"}, cwd=cwd,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "nope.yaml"], "--model nope.yaml: no such file"),
        (["--activities", "a.csv"], "--activities needs --leads"),
        (["--port", "0"], "--port must be between 1 and 65535"),
        (["--leads", str(SAMPLE_FILES["leads"]), "--as-of", "yesterday-ish"], "yesterday-ish"),
        (["--store", "STORE", "--model", str(SAMPLE_FILES["model"])], "give one or the other"),
        (["--store", "STORE", "--run", "nope"], "no run 'nope'"),
        (["--store", "EMPTY"], "no run published yet"),
        (["--store", "no-such-store"], "no store here yet"),
        (["--leads", str(SAMPLE_FILES["leads"]), "--history", "0w"], "give a number of weeks"),
    ],
)
def test_bad_options_stop_before_serving(args, message, store, tmp_path):
    (tmp_path / "EMPTY").mkdir()
    args = [str(store) if a == "STORE" else a for a in args]
    result = run_dashboard(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "Sales dashboard:" not in result.stdout


def test_a_port_in_use_is_refused(dashboard, store):
    port = dashboard.url.rsplit(":", 1)[1]
    result = run_dashboard("--store", str(store), "--port", port)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr


def test_a_run_deleted_while_serving_shows_a_message(store, browser, tmp_path):
    """The current run's folder removed under a running server (a careless clean-up): a
    message naming the run in the page, never a blank page; the terminal says the same."""
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    current = Store(copy).current_id()
    port = free_port()
    log = tmp_path / "terminal.log"
    proc = serve(["--store", str(copy), "--port", str(port)], log)
    messages: list[str] = []
    try:
        wait_for_port(port, proc, seconds=180)
        shutil.rmtree(copy / "runs" / current)
        for _ in range(4):  # a pre-heated page may have been built while the run was there
            visit = Visit(browser, printed_url(log))
            error = visit.page.locator(".wb-error")
            messages.append(error.inner_text() if error.count() else "")
            if f"no run '{current}'" in messages[-1]:
                visit.page.screenshot(path=ARTIFACTS / "dashboard_6_run_deleted.png")
            visit.close()
            if f"no run '{current}'" in messages[-1]:
                break
    finally:
        stop(proc)
    assert f"no run '{current}'" in messages[-1], messages
    for message in filter(None, messages):  # a page built mid-delete: a message too
        assert "The dashboard cannot show the scores" in message
        assert "Traceback" not in message
    assert f"workbench dashboard: {copy}: no run '{current}'" in log.read_text()


def test_files_are_published_into_a_temporary_store_and_served(browser, tmp_path):
    """``workbench dashboard --model --leads --activities``: no store needed to look."""
    from playwright.sync_api import expect

    port = free_port()
    log = tmp_path / "terminal.log"
    files = [f"--{k}={v}" for k, v in SAMPLE_FILES.items()]
    proc = serve([*files, "--port", str(port)], log)
    try:
        wait_for_port(port, proc, seconds=240)  # publishing the sample with 4 past weeks
        visit = Visit(browser, printed_url(log))
        expect(visit.page.locator(ROWS)).to_have_count(PAGE_SIZE, timeout=60_000)
        model = visit.page.locator("[data-field=model]").inner_text()
        visit.close()
    finally:
        stop(proc)
    assert "B2B default v1" in model and "Dana Whitfield" in model
    terminal = log.read_text()
    assert "Publishing the files into a temporary store first" in terminal
    assert "5,000 leads" in terminal


# --- a newer run (last: it publishes into the module's store) -----------------------------


def test_a_newer_run_is_offered_and_shown(dashboard, browser, store):
    from playwright.sync_api import expect

    visit = Visit(browser, dashboard.link())
    page = visit.page
    shown = page.locator("[data-field=run]")
    shown.wait_for(timeout=60_000)
    before = shown.inner_text()
    assert before == Store(store).current_id()
    files = [f"--{k}={v}" for k, v in SAMPLE_FILES.items()]
    subprocess.run(
        [*workbench_command(), "publish", *files, "--store", str(store), "--by", "Second Run"],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    newer = Store(store).current_id()
    assert newer != before
    start = time.perf_counter()
    notice = page.locator("[data-field=newer]")
    expect(notice).to_be_visible(timeout=30_000)
    TIMINGS["newer-run notice after publishing"] = time.perf_counter() - start
    assert "A newer run was published" in notice.inner_text()
    assert "Second Run" in notice.inner_text()
    page.screenshot(path=ARTIFACTS / "dashboard_7_newer_run.png")
    page.get_by_role("button", name="Show the newer run").click()
    expect(shown).to_have_text(newer, timeout=20_000)
    expect(notice).to_be_hidden(timeout=10_000)
    expect(page.locator(ROWS)).to_have_count(PAGE_SIZE)
    visit.close()
