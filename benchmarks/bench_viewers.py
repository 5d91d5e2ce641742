"""Many viewers on one dashboard server (issue 12, "Publish").

Targets: 10 viewers opening the page within one minute (headless Chromium on 127.0.0.1,
bounded) each see their queue within 20 s; the server's memory (the server and every
kernel it runs) after 50 page loads and closes is back within 10 % of where it started.

The real ``workbench dashboard`` (``server_command``: the one place to change what is
served) on a free port, driven by Debian's Chromium; the server's processes are read with
psutil. Browser and server share the machine's cores, as they would on a laptop demo.

    python benchmarks/bench_viewers.py                  # today's dashboard on the sample
    python benchmarks/bench_viewers.py --store STORE    # a published store
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))  # datasets
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.browser
from datasets import machine

from tests.browser import (
    BROWSER_ARGS,
    CHROMIUM,
    free_port,
    kernel_count,
    printed_url,
    server_rss,
    wait_for_port,
    workbench_command,
)
from workbench.cli.serve import Viewers

ROOT = Path(__file__).resolve().parents[1]
QUEUE = ".wb-queue tbody tr[data-lead]"  # the first row of the call queue
PAGE_TIMEOUT_S = 120  # a viewer gives up after this long (the bound of the run)
POOL = Viewers().preheated


def server_command(port: int, store: Path | None) -> list[str]:
    """The dashboard server as a user starts it: the sample, or ``--store``."""
    extra = ["--store", str(store)] if store else []
    return [*workbench_command(), "dashboard", "--port", str(port), *extra]


class Server:
    """The server on a free port, its log in ``log``; stopped on leaving the ``with``."""

    def __init__(self, store: Path | None, log: Path):
        self.port = free_port()
        self.url = ""  # the printed link, with its token, once the server is up
        self.command = server_command(self.port, store)
        self.log = log

    def __enter__(self) -> Server:
        started = time.perf_counter()
        self._out = open(self.log, "w")  # closed in __exit__
        self.proc = subprocess.Popen(self.command, stdout=self._out, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc, seconds=600)
        self.url = printed_url(self.log)
        self.settle(seconds=900)
        self.ready_s = time.perf_counter() - started
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(60)
        self._out.close()

    def settle(self, seconds: float) -> float:
        """Seconds until only the pre-heated kernels run and the memory holds still."""
        started = time.perf_counter()
        last = 0
        while True:
            if time.perf_counter() - started > seconds:
                raise TimeoutError(f"{kernel_count(self.proc.pid)} kernels after {seconds} s")
            time.sleep(1)
            now = self.rss()
            if kernel_count(self.proc.pid) == POOL and abs(now - last) < 0.01 * now:
                return time.perf_counter() - started
            last = now

    def rss(self) -> int:
        return server_rss(self.proc.pid)

    def memory(self) -> str:
        """The memory held now, the server process's apart from its kernels'."""
        total, own = self.rss(), psutil.Process(self.proc.pid).memory_info().rss
        kernels = kernel_count(self.proc.pid)
        return f"{total / 1e9:.2f} GB (server {own / 1e6:.0f} MB + {kernels} kernels)"


class PeakMemory:
    """The largest memory the server held while the ``with`` ran (sampled twice a second)."""

    def __init__(self, server: Server):
        self.server, self.peak, self.kernels = server, 0, 0
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.peak = max(self.peak, self.server.rss())
            self.kernels = max(self.kernels, kernel_count(self.server.proc.pid))

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


async def viewer(browser, url: str, delay: float) -> float | str:
    """Seconds from opening the page to its queue on screen (or what went wrong)."""
    from playwright.async_api import Error

    await asyncio.sleep(delay)
    context = await browser.new_context()
    page = await context.new_page()
    started = time.perf_counter()
    try:
        response = await page.goto(url, timeout=PAGE_TIMEOUT_S * 1000)
        if response.status != 200:
            return f"HTTP {response.status}"
        left = PAGE_TIMEOUT_S * 1000 - (time.perf_counter() - started) * 1000
        await page.locator(QUEUE).first.wait_for(timeout=max(left, 1))
        return time.perf_counter() - started
    except Error as exc:
        return f"gave up: {str(exc).splitlines()[0]}"
    finally:
        await page.close(run_before_unload=True)  # the viewer closes the tab
        await context.close()


async def viewers_within(url: str, n: int, spread_s: float) -> list[float | str]:
    """``n`` viewers opening ``url`` evenly within ``spread_s`` seconds, all at once open."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        delays = [i * spread_s / n for i in range(n)]
        times = await asyncio.gather(*(viewer(browser, url, d) for d in delays))
        await browser.close()
    return list(times)


async def loads_and_closes(url: str, n: int) -> list[float]:
    """``n`` page loads one after another, each closed once its queue shows."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        times = [await viewer(browser, url, 0) for _ in range(n)]
        await browser.close()
    return times


def summary(times: list[float | str]) -> str:
    ok = [t for t in times if isinstance(t, float)]
    failed = [t for t in times if not isinstance(t, float)]
    text = f"median {statistics.median(ok):.1f} s, max {max(ok):.1f} s" if ok else "none"
    return text + (f"; {len(failed)} failed: {sorted(set(failed))}" if failed else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="serve this published store")
    parser.add_argument("--loads", type=int, default=50, help="page loads for the memory run")
    args = parser.parse_args()
    print(machine())
    log = ROOT / "out" / "bench_viewers.log"
    log.parent.mkdir(exist_ok=True)
    with Server(args.store, log) as server:
        print(f"server: {' '.join(server.command[1:])}; ready with {POOL} pre-heated kernels in "
              f"{server.ready_s:.0f} s")  # fmt: skip
        print(f"memory at start: {server.memory()}")
        for n, spread in ((10, 60), (10, 0)):
            with PeakMemory(server) as peak:
                times = asyncio.run(viewers_within(server.url, n, spread))
            settled = server.settle(seconds=300)
            print(
                f"{n} viewers within {spread} s: to the queue {summary(times)}; "
                f"all: {', '.join(f'{t:.1f}' if isinstance(t, float) else t for t in times)}; "
                f"peak {peak.peak / 1e9:.2f} GB with {peak.kernels} kernels; "
                f"back to {POOL} kernels {settled:.0f} s after"
            )
        start, before = server.rss(), server.memory()
        times = asyncio.run(loads_and_closes(server.url, args.loads))
        settled = server.settle(seconds=300)
        after = server.rss()
        print(
            f"{args.loads} loads and closes: to the queue {summary(times)}; memory before "
            f"{before}, after {server.memory()}: {after / start - 1:+.1%}; "
            f"settled {settled:.0f} s after the last close"
        )


if __name__ == "__main__":
    main()
