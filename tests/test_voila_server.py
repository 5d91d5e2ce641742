"""What serving many viewers relies on, without a browser: the options reach the Voilà
server, a bad one stops the command, and the cull rule ends a kernel only when its page
is gone (``tests/test_serving_browser.py`` drives the real server)."""

from __future__ import annotations

import asyncio
import re
import time
import urllib.parse
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
from workbench.ui.voila_server import KERNEL_ID, PageKernels, allowed_hosts, refusal


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


# --- who the server answers (DNS rebinding) and the token -----------------------------------

SERVED = allowed_hosts("127.0.0.1", 8866, ["dash.example.com"])
ELSEWHERE = "not to the name"
FOREIGN_PAGE = "came from a page of"


@pytest.mark.parametrize(
    ("host", "origin", "refused"),
    [
        ("127.0.0.1:8866", None, None),
        ("localhost:8866", None, None),
        ("LocalHost:8866", None, None),  # host names are case-blind
        ("[::1]:8866", None, None),
        ("localhost", None, None),  # no port: a proxy or port 80 in front
        ("dash.example.com:8866", "http://dash.example.com:8866", None),  # --allow-host
        ("127.0.0.1:8866", "http://localhost:8866", None),  # another name of this server
        ("evil.example:8866", None, "not to the name 'evil.example:8866'"),
        ("evil.example:8866", "http://evil.example:8866", ELSEWHERE),  # rebound, origin agrees
        ("127.0.0.1.evil.example:8866", None, ELSEWHERE),
        ("localhost:8866.evil.example", None, ELSEWHERE),
        ("localhost:8867", None, ELSEWHERE),  # another port is another server
        ("0.0.0.0:8866", None, ELSEWHERE),  # not the address served
        ("", None, "not to the name ''"),
        ("127.0.0.1:8866", "http://evil.example", "came from a page of 'http://evil.example'"),
        ("127.0.0.1:8866", "http://localhost:9999", FOREIGN_PAGE),  # another local site
        ("127.0.0.1:8866", "null", FOREIGN_PAGE),  # a sandboxed or file: page
        ("127.0.0.1:8866", "file://", FOREIGN_PAGE),
        ("127.0.0.1:8866", "ws://evil.example:8866", FOREIGN_PAGE),
        ("127.0.0.1:8866", "http://[::1", FOREIGN_PAGE),  # not even a URL
        ("127.0.0.1:8866", "http://127.0.0.1:8866@evil.example", FOREIGN_PAGE),
    ],
)
def test_requests_are_answered_for_this_servers_names_only(host, origin, refused):
    why = refusal(host, origin, SERVED)
    if refused is None:
        assert why is None
    else:
        assert refused in why and "--allow-host NAME" in why and len(why) < 400
        assert "127.0.0.1:8866, [::1]:8866, dash.example.com:8866, localhost:8866" in why


@pytest.mark.parametrize(
    ("ip", "host", "answered"),
    [
        ("192.168.1.20", "192.168.1.20:8866", True),  # a LAN address is its own name
        ("192.168.1.20", "localhost:8866", True),
        ("192.168.1.20", "printer.lan:8866", False),
        ("0.0.0.0", "0.0.0.0:8866", True),
        ("0.0.0.0", "192.168.1.20:8866", False),  # every address: each name given by hand
        ("::", "[::]:8866", True),
    ],
)
def test_the_address_served_is_answered(ip, host, answered):
    assert (refusal(host, None, allowed_hosts(ip, 8866)) is None) is answered


@pytest.fixture
def handed_over(monkeypatch, tmp_path) -> list[tuple[list[str], dict[str, str]]]:
    """The (command, environment) each server command would start with (none starts)."""
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(serve, "_hand_over", lambda command, env: calls.append((command, env)))
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(serve.TOKEN_ENV, "left-in-the-shell")
    monkeypatch.chdir(tmp_path)  # `tune --lab` copies its notebook here
    return calls


def printed_token(out: str) -> str | None:
    url = re.search(r"(http://\S+)\s+\(Ctrl\+C to stop\)", out)[1]
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("token", [None])[0]


def test_a_token_is_on_by_default_and_kept_off_the_command_line(handed_over, capsys):
    for _ in range(2):
        main(["dashboard", *SAMPLE, "--port", str(free_port())])
    main(["tune", *SAMPLE, "--port", str(free_port())])
    main(["tune", *SAMPLE, "--lab", "--port", str(free_port())])
    printed = re.findall(r"http://\S+(?=\s+\(Ctrl\+C)", capsys.readouterr().out)
    assert len(printed) == len(handed_over) == 4
    tokens = []
    for url, (command, env) in zip(printed, handed_over, strict=True):
        token = printed_token(f"{url}   (Ctrl+C to stop)")
        assert token is not None and len(token) >= 32
        assert env[serve.TOKEN_ENV] == token  # the server reads it from there, not from `ps`
        assert not any(token in part for part in command)
        tokens.append(token)
    assert len(set(tokens)) == 4, "a new token each start"
    assert "--Voila.auto_token=True" in handed_over[0][0]


def test_a_fixed_token_no_token_and_more_host_names(handed_over, capsys):
    port = str(free_port())
    main(["dashboard", *SAMPLE, "--port", port, "--token", "a b/c"])
    out = capsys.readouterr().out
    assert f"http://127.0.0.1:{port}/?token=a%20b%2Fc   (Ctrl+C" in out  # quoted in the link
    assert handed_over[-1][1][serve.TOKEN_ENV] == "a b/c"

    main(["dashboard", *SAMPLE, "--port", port, "--no-token"])
    command, env = handed_over[-1]
    out = capsys.readouterr().out
    assert "warning: --no-token: any user or program on this machine can read the page" in out
    assert f"http://127.0.0.1:{port}/   (Ctrl+C" in out
    assert serve.TOKEN_ENV not in env and "--Voila.auto_token=True" not in command

    hosts = ["--allow-host", "Dash.Example.com", "--allow-host", "192.168.1.20"]
    main(["tune", *SAMPLE, "--port", port, "--ip", "0.0.0.0", *hosts])
    command, _ = handed_over[-1]
    assert "--WorkbenchVoila.allow_hosts=dash.example.com" in command
    assert "--WorkbenchVoila.allow_hosts=192.168.1.20" in command
    main(["tune", *SAMPLE, "--port", port, "--ip", "0.0.0.0"])
    assert "add --allow-host NAME for each name" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dashboard", "--allow-host", "http://dash.example.com/"], "is not a host name"),
        (["dashboard", "--allow-host", "*"], "'*' is not a host name"),
        (["dashboard", "--allow-host", "dash.example.com:8866"], "no http://, port or path"),
        (["dashboard", "--token", "t", "--no-token"], "not allowed with argument"),
        (["dashboard", "--token", " "], "--token is empty; give a token, or --no-token"),
        (["tune", "--lab", "--no-token"], "so --no-token does not go with it"),
        (["tune", "--lab", "--allow-host", "dash.example.com"], "so --allow-host does not go"),
    ],
)
def test_unsafe_or_malformed_serving_options_stop_the_command(handed_over, args, message, capsys):
    try:
        code = main(args)
    except SystemExit as stop:  # argparse's own checks
        code = stop.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not handed_over
