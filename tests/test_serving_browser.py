"""Many viewers on one server: kernels culled after pages close, and a clear "busy" page at
the cap. The real ``workbench dashboard --max-viewers 2`` on a free port, headless Chromium
(Debian's), and the server's kernel processes counted from the outside.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.browser import (
    free_port,
    kernel_count,
    launch,
    needs_chromium,
    printed_url,
    wait_for_port,
    workbench_command,
)
from workbench.cli.serve import Viewers

pytestmark = [pytest.mark.slow, needs_chromium]  # a real browser and server

POOL = Viewers().preheated  # kernels waiting for the next visitor: never a page's
QUEUE = ".wb-queue tbody tr[data-lead]"
BUSY = (
    "The sales dashboard is at its limit of 2 open pages; close an open tab or try again in "
    "a minute."
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``workbench dashboard --max-viewers 2`` on the sample: (url, server pid, log)."""
    log = tmp_path_factory.mktemp("serving") / "terminal.log"
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [*workbench_command(), "dashboard", "--port", str(port), "--max-viewers", "2"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(port, proc)
        until(lambda: kernel_count(proc.pid) == POOL, 90, "the pre-heated kernels to start")
        yield printed_url(log), proc.pid, log  # with its token, as a user opens it
        proc.terminate()
        proc.wait(20)


def until(condition, seconds: float, what: str) -> float:
    """Seconds until ``condition()`` holds (fails after ``seconds``)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.5)
    return time.monotonic() - start


def test_pages_at_the_cap_are_told_so_and_closed_pages_free_their_kernels(server):
    from playwright.sync_api import sync_playwright

    url, pid, log = server
    pages = lambda: kernel_count(pid) - POOL  # noqa: E731 - kernels held by pages
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context()

        def open_page():
            page = context.new_page()
            page.goto(url, timeout=120_000)
            page.locator(QUEUE).first.wait_for(timeout=120_000)
            return page

        first, second = open_page(), open_page()
        until(lambda: pages() == 2, 30, "two pages' kernels")

        # a third visitor at the cap: a clear page at once, no kernel started
        third = context.new_page()
        started = time.monotonic()
        response = third.goto(url, timeout=10_000)
        assert time.monotonic() - started < 5
        assert response.status == 503
        assert " ".join(third.locator("main").inner_text().split()) == (
            f"Sales dashboard is busy {BUSY} This page tries again by itself every 30 seconds."
        )
        third.close()
        assert pages() == 2

        # closing a tab ends its kernel at once (Voilà's unload beacon), and frees a place
        first.close(run_before_unload=True)
        assert until(lambda: pages() == 1, 10, "the closed page's kernel to end") < 10
        fourth = open_page()
        until(lambda: pages() == 2, 30, "the new page's kernel")

        # pages that vanish without a word (a crashed or killed browser): culled all the same
        second.close(run_before_unload=False)
        fourth.close(run_before_unload=False)
        gone = Viewers().page_gone_seconds + Viewers().cull_every_seconds
        until(lambda: pages() == 0, gone + 20, "the vanished pages' kernels to end")
        browser.close()
    terminal = log.read_text()
    assert "Refused a visitor: 2 of 2 pages open (--max-viewers)" in terminal
    assert "its page left" in terminal and "Traceback" not in terminal
