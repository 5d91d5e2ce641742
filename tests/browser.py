"""What the browser tests share: Debian's Chromium (never a downloaded one), a free port,
the ``workbench`` command, a server to wait for, the link it printed, its kernels, and where
screenshots go."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.helpers import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "out" / "screenshots"
BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium missing: run `make test` (installs it)"
)


def workbench_command() -> list[str]:
    """The ``workbench`` command of this environment, as a user runs it."""
    exe = Path(sys.executable).with_name("workbench")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "workbench.cli"]


def _tree(pid: int) -> list[psutil.Process]:
    server = psutil.Process(pid)
    return [server, *server.children(recursive=True)]


def kernel_count(pid: int) -> int:
    """How many kernels the Voilà server ``pid`` runs now (its ipykernel processes)."""
    count = 0
    for proc in _tree(pid)[1:]:
        with contextlib.suppress(psutil.NoSuchProcess):  # ended (or a zombie) as we looked
            count += "ipykernel_launcher" in proc.cmdline()
    return count


def server_rss(pid: int) -> int:
    """Bytes of memory the server ``pid`` and all its processes (the kernels) hold now."""
    total = 0
    for proc in _tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None = None, seconds: float = 90) -> None:
    """Until something listens on ``port`` (fails early if ``proc`` exits)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port}")


def stop(proc: subprocess.Popen, seconds: float = 30) -> None:
    """End a server the way Ctrl-C would, then kill it if it does not go."""
    proc.terminate()
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def printed_url(log: Path) -> str:
    """The link a server command printed (with its token), as a user copies it."""
    found = re.search(r"(http://\S+)\s+\(Ctrl\+C to stop\)", log.read_text())
    if found is None:
        raise AssertionError(f"the server printed no link:\n{log.read_text()}")
    return found[1]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
