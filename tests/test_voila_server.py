"""What serving many viewers relies on, without a browser: the options reach the Voilà
server, a bad one stops the command, and the cull rule ends a kernel only when its page
is gone (``tests/test_serving_browser.py`` drives the real server)."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest
from jupyter_server.services.kernels.kernelmanager import (
    AsyncMappingKernelManager,
    MappingKernelManager,
)

from tests.browser import free_port
from tests.helpers import SAMPLES
from workbench import resources
from workbench.cli import serve
from workbench.cli.main import main
from workbench.ui.inputs import ENV
from workbench.ui.voila_server import KERNEL_ID, PageKernels


@pytest.fixture
def launched(monkeypatch) -> list[list[str]]:
    """The server commands ``dashboard`` and ``tune`` would start (none is started)."""
    calls: list[list[str]] = []
    monkeypatch.setattr(serve, "_hand_over", lambda command, env: calls.append(command) or 0)
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)
    return calls


SAMPLE = ["--model", str(SAMPLES / "b2b_model.yaml"), "--leads", str(SAMPLES / "leads.csv")]


def test_the_viewer_options_reach_the_voila_server(launched):
    for command in ("dashboard", "tune"):
        port = str(free_port())
        args = [command, *SAMPLE, "--port", port, "--max-viewers", "3", "--idle-minutes", "5"]
        assert main(args) == 0
    assert main(["dashboard", *SAMPLE, "--port", str(free_port())]) == 0  # the defaults
    (dash, tune, default) = launched
    for command, title in ((dash, "Sales dashboard"), (tune, "Tuning app")):
        assert command[1:3] == ["-P", str(resources.voila_server())]
        for option in (
            "--WorkbenchVoila.max_viewers=3",
            f"--WorkbenchVoila.page_title={title}",
            "--MappingKernelManager.cull_idle_timeout=300",
            "--MappingKernelManager.cull_connected=True",
            "--preheat_kernel=True",
        ):
            assert option in command, (option, command)
    limits = serve.Viewers()
    assert f"--WorkbenchVoila.max_viewers={limits.max_viewers}" in default
    assert f"--MappingKernelManager.cull_idle_timeout={limits.idle_minutes * 60}" in default
    assert f"--PageKernels.page_gone_after={limits.page_gone_seconds}" in default
    assert f"--pool_size={limits.preheated}" in default


@pytest.mark.parametrize(
    ("option", "value"), [("--max-viewers", "0"), ("--idle-minutes", "0"), ("--max-viewers", "x")]
)
def test_a_bad_viewer_option_stops_the_command(launched, option, value, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["dashboard", option, value])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert option in err and "Traceback" not in err
    assert not launched


def test_the_busy_page_ships_with_the_offline_template():
    busy = resources.jupyter_dir() / "voila" / "templates" / "offline" / "busy.html"
    text = busy.read_text()
    assert "is at its limit of {{ limit }} open pages; close an open tab or try" in text
    assert "http" not in text.replace('http-equiv="refresh"', "")  # loads nothing


def test_the_page_kernel_is_read_from_voilas_page_config():
    snippet = '<script id="jupyter-config-data" type="application/json">\n{"baseUrl": "/", '
    snippet += '"kernelId": "0b7b4a1e-5a52-4c4b-9d7e-2f0c6f7a9e11", "x": 1}</script>'
    assert KERNEL_ID.search(snippet).group(1) == "0b7b4a1e-5a52-4c4b-9d7e-2f0c6f7a9e11"


@pytest.fixture
def kernels(monkeypatch) -> tuple[PageKernels, list[str], list[str]]:
    """PageKernels over fake kernels; records what it shuts down and hands to the idle rule."""
    shut, idle_rule = [], []

    async def shutdown(self, kernel_id, *args, **kwargs):
        shut.append(kernel_id)
        self._kernels.pop(kernel_id)

    async def jupyter_idle_rule(self, kernel_id):
        idle_rule.append(kernel_id)

    monkeypatch.setattr(AsyncMappingKernelManager, "shutdown_kernel", shutdown)
    monkeypatch.setattr(MappingKernelManager, "cull_kernel_if_idle", jupyter_idle_rule)
    manager = PageKernels(page_gone_after=30, page_wait=120)
    for kid in ("open", "busy", "closed", "never", "sending"):
        manager._kernels[kid] = SimpleNamespace(execution_state="idle")
        manager._kernel_connections[kid] = 0
        manager.page_kernels.add(kid)
    manager.notify_connect("open")
    manager._kernels["busy"].execution_state = "busy"  # its page is still being rendered
    manager.sending.add("sending")  # its page is still on its way to the browser
    return manager, shut, idle_rule


def test_a_kernel_ends_once_its_page_left_or_never_came(kernels, monkeypatch):
    manager, shut, idle_rule = kernels
    manager.notify_connect("closed")
    now = time.monotonic()
    manager.notify_disconnect("closed")  # the page's websocket went away

    def cull_pass(after: float) -> None:
        monkeypatch.setattr(time, "monotonic", lambda: now + after)
        for kid in list(manager._kernels):
            asyncio.run(manager.cull_kernel_if_idle(kid))

    cull_pass(10)  # 'never' is first seen alone here
    assert shut == [] and manager.pages() == 5
    cull_pass(31)
    assert shut == ["closed"] and manager.pages() == 4
    cull_pass(129)  # a page that was sent has two minutes to connect
    assert shut == ["closed"]
    cull_pass(131)
    assert shut == ["closed", "never"]
    manager.sending.discard("sending")  # sent: its clock starts now
    cull_pass(200)
    cull_pass(3600)
    assert shut == ["closed", "never", "sending"]
    assert sorted(manager._kernels) == ["busy", "open"] and manager.pages() == 2
    assert idle_rule.count("open") == 6, "a kept kernel still meets the idle timeout"
