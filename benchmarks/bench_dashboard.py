"""The store-backed sales dashboard at 1,000,000 leads (issue #12 targets: first queue
visible ≤ 3 s; a filter or a page ≤ 0.3 s; a kernel ≤ 300 MB).

A store is published once from the benchmark data set (with 4 past weeks, as
``workbench dashboard --leads`` does, so trends and "new"/"going cold" have something to
show) and reused. Then, in a fresh Python process (what a page's kernel does): the time
from the process's start to the first queue built (imports + ``SalesDashboard(StoredRun)``),
each filter change, page turn, lead card and a call-list export as the widgets make them
(medians over several), and the process's memory. ``--browser`` also serves the store with
``workbench dashboard --store`` and times real page visits in headless Chromium (Debian's),
reading each Voilà kernel's memory from /proc.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests.browser's Chromium
from datasets import DATA, MODEL, dataset, machine

HISTORY_WEEKS = 4

CHILD = r"""
import json, resource, statistics, sys, time
started = float(sys.argv[2])  # the parent's clock when it started this process
from workbench.store.queries import StoredRun
from workbench.ui.dashboard import SalesDashboard
imported = time.time()
app = SalesDashboard(StoredRun(sys.argv[1]), poll_seconds=0)
built = time.time()
rounds = int(sys.argv[3])

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

page_rss, page_max = rss_mb(), maxrss_mb()

def each(steps):
    # ms of each step (a callable), over `rounds` rounds after one warm-up round
    out = []
    for r in range(rounds + 1):
        for step in steps:
            t = time.perf_counter()
            step()
            if r:
                out.append((time.perf_counter() - t) * 1000)
    return out

def setter(control, value):
    return lambda: setattr(control, "value", value)

cats = [v for _, v in app.category.options if v]
owners = [v for _, v in app.owner.options if v]
first = app.table.rows[0]
word = (first["company"] or first["name"]).split()[0].lower()
domain = first["email"].split("@")[-1] if "@" in first["email"] else "example"
texts = ["director", word, domain, first["lead_id"]]
ms = {}

def there_and_back(control, values):
    return [s for v in values for s in (setter(control, v), setter(control, ""))]

ms["category"] = each(there_and_back(app.category, cats))
ms["owner"] = each(there_and_back(app.owner, owners[:3]))
ms["search"] = each(there_and_back(app.search, texts))
ms["new/cold"] = each([setter(app.only, "new"), setter(app.only, "cold"), setter(app.only, "")])
ms["next page"] = each([lambda: app.turn(1)] * 4 + [lambda: app.turn(-(10**12))])
app.turn(-(10**12))
ms["last page"] = each([lambda: app.turn(10**12), lambda: app.turn(-(10**12))])
app.category.value = cats[1]
ms["filter + next page"] = each([lambda: app.turn(1)] * 4 + [lambda: app.turn(-(10**12))])
app.category.value = ""
n = app.matches
spread = [app.run.page(offset=k * n // 8, limit=1)["lead_id"].iloc[0] for k in range(8)]
ms["lead card"] = each([(lambda lead=lead: app.select(lead)) for lead in spread])
app.owner.value = owners[0]
t = time.perf_counter()
name, payload, _ = app.export_file()
export_s = time.perf_counter() - t
export_rows = app.matches
app.owner.value = ""
print(json.dumps({
    "import_s": imported - started, "page_s": built - started, "build_s": built - imported,
    "page_rss_mb": page_rss, "page_maxrss_mb": page_max,
    "end_rss_mb": rss_mb(), "end_maxrss_mb": maxrss_mb(),
    "ms": ms, "export_s": export_s, "export_rows": export_rows, "export_mb": len(payload) / 1e6,
    "leads": app.run.manifest.leads, "owners": len(owners), "texts": texts,
    "matches": {c: app.run.count(type(app.filters)(category=c)) for c in cats},
}))
"""


def workbench_command() -> list[str]:
    exe = Path(sys.executable).with_name("workbench")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "workbench.cli"]


def bench_store(n_leads: int) -> Path:
    """The store published from the ``n_leads`` data set (published once, then reused)."""
    from workbench.store import Store, publish

    folder = DATA / f"store_{n_leads}_seed7_{HISTORY_WEEKS}w"
    if folder.is_dir() and Store(folder).current_id():
        return folder
    paths = dataset(n_leads)
    started = time.perf_counter()
    publish(
        MODEL,
        paths["leads"],
        paths["activities"],
        store=folder,
        history_weeks=HISTORY_WEEKS,
        by="benchmarks",
    )
    took = time.perf_counter() - started
    print(f"published {n_leads:,} leads with {HISTORY_WEEKS} past weeks in {took:.0f} s")
    return folder


def kernel_side(store: Path, processes: int, rounds: int) -> list[dict]:
    """Each fresh process's figures (see CHILD)."""
    out = []
    for _ in range(processes):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(store), repr(time.time()), str(rounds)],
            check=True,
            capture_output=True,
            text=True,
        )
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def kernels_of(server: int) -> list[int]:
    """Pids of the Voilà server's kernel processes (its children running ipykernel)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmd = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == server and b"ipykernel" in cmd:
            found.append(int(stat.parent.name))
    return found


def browser_visits(store: Path, visits: int, settle: float) -> dict:
    """Serve the store with ``workbench dashboard`` and time page visits in Chromium."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser import free_port, launch, printed_url, wait_for_port
    from workbench.ui.dashboard import PAGE_SIZE

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="bench-dashboard-")) / "server.log"
    result: dict = {"visits": [], "kernels_mb": [], "outside": []}
    with open(log, "w") as out:
        server = subprocess.Popen(
            [*workbench_command(), "dashboard", "--store", str(store), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        started = time.perf_counter()
        wait_for_port(port, server, seconds=300)
        url = printed_url(log)  # with its token, as a user opens it
        result["server_up_s"] = time.perf_counter() - started
        with sync_playwright() as p:
            browser = launch(p)
            for i in range(visits):
                if i or settle:
                    time.sleep(settle)  # the pool's pre-heated kernel is ready again
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                page.on("request", lambda r: result["outside"].append(r.url))
                t0 = time.perf_counter()
                page.goto(url, timeout=300_000)
                rows = page.locator(".wb-queue tbody tr[data-lead]")
                expect(rows).to_have_count(PAGE_SIZE, timeout=300_000)
                queue = time.perf_counter() - t0
                page.locator(".vega-embed").first.wait_for(timeout=120_000)
                charts = time.perf_counter() - t0
                matches = page.locator("[data-field=matches]")
                before = matches.inner_text()
                select = page.locator(".widget-dropdown", has_text="Category").locator("select")
                label = select.locator("option").nth(2).inner_text()  # the second category
                t = time.perf_counter()
                select.select_option(label=label)
                expect(matches).not_to_have_text(before, timeout=30_000)
                filtered = time.perf_counter() - t
                first = rows.first.get_attribute("data-lead")
                t = time.perf_counter()
                page.locator("button", has_text="Next ›").click()
                expect(rows.first).not_to_have_attribute("data-lead", first, timeout=30_000)
                paged = time.perf_counter() - t
                target = rows.nth(3).get_attribute("data-lead")
                t = time.perf_counter()
                rows.nth(3).click()
                page.locator(f'.wb-card[data-lead="{target}"]').wait_for(timeout=30_000)
                carded = time.perf_counter() - t
                kernels = {pid: _rss_mb(pid) for pid in kernels_of(server.pid)}
                result["kernels_mb"].append(kernels)
                result["visits"].append(
                    {
                        "queue_s": queue,
                        "charts_s": charts,
                        "filter_s": filtered,
                        "page_s": paged,
                        "card_s": carded,
                    }
                )
                print(
                    f"  visit {i + 1}: queue {queue:.2f} s, charts {charts:.2f} s, filter "
                    f"{filtered:.2f} s, page {paged:.2f} s, card {carded:.2f} s, kernels MB "
                    f"{sorted(round(v) for v in kernels.values())}",
                    file=sys.stderr,
                )
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
    here = (f"http://127.0.0.1:{port}/", "blob:", "data:")
    result["outside"] = sorted({u for u in result["outside"] if not u.startswith(here)})
    return result


def _med(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--processes", type=int, default=3, help="fresh kernel-side processes")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of each interaction")
    ap.add_argument("--browser", action="store_true", help="also time page visits in Chromium")
    ap.add_argument("--visits", type=int, default=3, help="page visits with --browser")
    ap.add_argument(
        "--settle",
        type=float,
        default=20.0,
        help="seconds before each visit for the pre-heated kernel (--browser)",
    )
    args = ap.parse_args()

    store = bench_store(args.leads)
    runs = kernel_side(store, args.processes, args.rounds)
    r0 = runs[0]
    print(machine())
    print(
        f"{r0['leads']:,} leads in the current run of a store with {HISTORY_WEEKS} past "
        f"weeks; {args.processes} fresh processes, {args.rounds} rounds of each step after "
        "a warm-up round"
    )
    print("\n| kernel side | median | max | target |\n|---|---:|---:|---|")
    page = [r["page_s"] for r in runs]
    print(
        f"| process start → first queue built (imports {_med([r['import_s'] for r in runs]):.1f}"
        f" s + page {_med([r['build_s'] for r in runs]):.1f} s) | {_med(page):.2f} s "
        f"| {max(page):.2f} s | ≤ 3 s |"
    )
    for step, note in (
        ("category", "each category and back to All"),
        ("owner", "three owners and back"),
        ("search", "text search over id, name, email, title, company"),
        ("new/cold", "new in the top category, going cold"),
        ("next page", "four pages on, then back to the first"),
        ("last page", "the last page and back"),
        ("filter + next page", "pages within one category"),
        ("lead card", "eight leads across the queue: row, events, trend"),
    ):
        values = [v for r in runs for v in r["ms"][step]]
        target = "≤ 300 ms" if step != "lead card" else ""
        print(f"| {step} ({note}), ms | {_med(values):.0f} | {max(values):.0f} | {target} |")
    print(
        f"| call-list export, one owner ({r0['export_rows']:,} leads, "
        f"{r0['export_mb']:.1f} MB CSV), s | {_med([r['export_s'] for r in runs]):.2f} "
        f"| {max(r['export_s'] for r in runs):.2f} | |"
    )
    print(
        f"| RSS after the page is built, MB | {_med([r['page_rss_mb'] for r in runs]):.0f} "
        f"| {max(r['page_rss_mb'] for r in runs):.0f} | ≤ 300 MB |"
    )
    print(
        f"| RSS after every step above, MB (peak {max(r['end_maxrss_mb'] for r in runs):.0f})"
        f" | {_med([r['end_rss_mb'] for r in runs]):.0f} "
        f"| {max(r['end_rss_mb'] for r in runs):.0f} | ≤ 300 MB |"
    )
    print(f"\nsearch texts: {r0['texts']}; category matches: {r0['matches']}")
    if args.browser:
        b = browser_visits(store, args.visits, args.settle)
        print(
            f"\nIn the browser (`workbench dashboard --store`, headless Chromium; server up in "
            f"{b['server_up_s']:.1f} s; {args.settle:.0f} s before each visit):"
        )
        print(
            "| visit | queue visible, s | charts, s | filter, s | next page, s | lead card, s "
            "| kernels' RSS, MB |\n|---:|---:|---:|---:|---:|---:|---|"
        )
        for i, (v, k) in enumerate(zip(b["visits"], b["kernels_mb"], strict=True), 1):
            print(
                f"| {i} | {v['queue_s']:.2f} | {v['charts_s']:.2f} | {v['filter_s']:.2f} "
                f"| {v['page_s']:.2f} | {v['card_s']:.2f} "
                f"| {', '.join(str(round(x)) for x in sorted(k.values()))} |"
            )
        print(f"requests outside the server: {b['outside'] or 'none'}")
    ok = _med(page) <= 3 and max(r["end_rss_mb"] for r in runs) <= 300
    ok = ok and all(
        _med([v for r in runs for v in r["ms"][s]]) <= 300
        for s in ("category", "owner", "search", "new/cold", "next page", "last page")
    )
    print(
        f"\ntargets (kernel side): first queue ≤ 3 s, filter/page ≤ 0.3 s, ≤ 300 MB -> "
        f"{'MET' if ok else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
