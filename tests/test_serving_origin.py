"""The servers answer only their own names, and only with the token (issue 13, "the
dashboard's origin"): the real ``workbench dashboard`` over the sample store, ``workbench
tune --no-token`` and ``workbench tune --lab``, each on a free port, asked with the ``Host``
and ``Origin`` headers a rebound web page would send (no browser: a browser cannot be made
to send a foreign ``Host``, which is what a rebound name does).
"""

from __future__ import annotations

import http.client
import subprocess
import urllib.parse
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.browser import free_port, printed_url, stop, wait_for_port, workbench_command
from workbench.ui.voila_server import KERNEL_ID

pytestmark = pytest.mark.slow  # real servers

ELSEWHERE = "not to the name"  # what the 403 page says of a foreign Host
FOREIGN_PAGE = "came from a page of"  # and of a foreign Origin
PATHS = {
    "page": "/",
    "static": "/voila/static/voila.js",
    "api": "/api/kernels/{kernel}",
    "websocket": "/api/kernels/{kernel}/channels",
    "query": "/voila/query/{kernel}",  # Voilà's own socket for pre-heated kernels: no login
}


class Reply(NamedTuple):
    status: int
    location: str
    body: str
    cookie: str


def ask(port: int, path: str, host: str, origin: str | None = None, cookie: str = "") -> Reply:
    """One HTTP request to 127.0.0.1:``port`` with these headers (a redirect not followed)."""
    headers = {"Host": host} | ({"Origin": origin} if origin else {})
    if cookie:
        headers["Cookie"] = cookie
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
    finally:
        conn.close()
    login = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []]
    return Reply(response.status, response.getheader("Location") or "", body, "; ".join(login))


def open_socket(port: int, path: str, host: str, origin: str | None, cookie: str = ""):
    """A websocket to 127.0.0.1:``port`` with these headers: (status, connection or None)."""
    import websocket

    try:
        connection = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", host=host, origin=origin,
            suppress_origin=origin is None, cookie=cookie or None, timeout=30,
        )  # fmt: skip
    except websocket.WebSocketBadStatusException as refused:
        return refused.status_code, None
    return 101, connection


class Server(NamedTuple):
    proc: subprocess.Popen
    port: int
    url: str  # as printed
    log: Path


def start(args: list[str], folder: Path) -> Server:
    port = free_port()
    log = folder / f"server-{port}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [*workbench_command(), *args, "--port", str(port)],
            cwd=folder, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for_port(port, proc, seconds=240)
    except BaseException:
        stop(proc)
        raise
    return Server(proc, port, printed_url(log), log)


def token_of(url: str) -> str | None:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("token", [None])[0]


class Dashboard(NamedTuple):
    server: Server
    token: str
    kernel: str  # the kernel of a page opened with the token
    cookie: str  # the login cookie that visit left


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """``workbench dashboard --allow-host dash.test`` as a user starts it (the sample store),
    and one page opened with the printed link, its kernel channel held open as the page's
    own script holds it (so the kernel stays for the whole table)."""
    server = start(["dashboard", "--allow-host", "dash.test"], tmp_path_factory.mktemp("dash"))
    try:
        token = token_of(server.url)
        host = f"127.0.0.1:{server.port}"
        page = ask(server.port, f"/?token={token}", host)
        assert page.status == 200 and page.cookie.startswith("username-"), page
        kernel = KERNEL_ID.search(page.body)[1]
        channel = f"/api/kernels/{kernel}/channels?session_id=t&token={token}"
        status, held = open_socket(server.port, channel, host, f"http://{host}")
        assert status == 101
        yield Dashboard(server, token, kernel, page.cookie)
        held.close()
    finally:
        stop(server.proc)


def test_the_default_start_prints_a_link_with_a_token_and_asks_for_it(dashboard):
    server = dashboard.server
    assert server.url == f"http://127.0.0.1:{server.port}/?token={dashboard.token}"
    assert len(dashboard.token) >= 32
    host = f"127.0.0.1:{server.port}"
    for path in ("/", "/?token=wrong", "/?owner=Dana%20Whitfield"):  # a bookmark, no cookie
        refused = ask(server.port, path, host)
        assert refused.status == 302 and refused.location.startswith("/login?next="), path
        assert "kernelId" not in refused.body


@pytest.mark.parametrize(
    ("kind", "host", "origin", "auth", "status", "says"),
    [
        # pages: the cookie of the first visit stands in for the token (links, bookmarks)
        ("page", "127.0.0.1:{port}", None, "cookie", 200, "kernelId"),
        ("page", "localhost:{port}", "http://localhost:{port}", "token", 200, "kernelId"),
        ("page", "evil.example:{port}", None, "token", 403, ELSEWHERE),
        ("page", "evil.example:{port}", "http://evil.example:{port}", "cookie", 403, ELSEWHERE),
        ("page", "127.0.0.1:{port}", "http://evil.example", "token", 403, FOREIGN_PAGE),
        ("page", "127.0.0.1", None, None, 302, ""),  # answered, then sent to log in
        # static files carry no data, yet a foreign name gets nothing either
        ("static", "127.0.0.1:{port}", None, None, 200, "_JUPYTERLAB"),
        ("static", "[::1]:{port}", None, None, 200, "_JUPYTERLAB"),
        ("static", "DASH.test:{port}", None, None, 200, "_JUPYTERLAB"),  # --allow-host
        ("static", "evil.example:{port}", None, None, 403, ELSEWHERE),
        ("static", "evil.example", None, None, 403, ELSEWHERE),
        ("static", "localhost:{port}.evil.example", None, None, 403, ELSEWHERE),
        ("static", "dash.test:1", None, None, 403, ELSEWHERE),
        ("static", "127.0.0.1:{port}", "null", None, 403, FOREIGN_PAGE),
        ("static", "127.0.0.1:{port}", "http://[::1", None, 403, FOREIGN_PAGE),  # no URL
        # the Jupyter API of the page's kernel
        ("api", "127.0.0.1:{port}", None, "token", 200, '"execution_state"'),
        ("api", "127.0.0.1:{port}", None, None, 403, ""),
        ("api", "evil.example:{port}", None, "token", 403, ELSEWHERE),
        ("api", "localhost:{port}", "http://evil.example:{port}", "cookie", 403, FOREIGN_PAGE),
        # the kernel's websocket: a browser always sends Origin with one (the login cookie
        # is named after the Host it was set for, as a browser keeps it)
        ("websocket", "127.0.0.1:{port}", "http://127.0.0.1:{port}", "cookie", 101, None),
        ("websocket", "dash.test:{port}", "http://dash.test:{port}", "token", 101, None),
        ("websocket", "127.0.0.1:{port}", "http://evil.example", "token", 403, None),
        ("websocket", "127.0.0.1:{port}", "http://localhost:1", "cookie", 403, None),
        ("websocket", "evil.example:{port}", "http://evil.example:{port}", "token", 403, None),
        ("websocket", "localhost:{port}", "http://localhost:{port}", None, 403, None),
        ("query", "evil.example:{port}", "http://evil.example:{port}", None, 403, None),
        ("query", "127.0.0.1:{port}", "http://evil.example", None, 403, None),
    ],
)
def test_what_the_dashboard_answers(dashboard, kind, host, origin, auth, status, says):
    port = dashboard.server.port
    host = host.format(port=port)
    origin = origin and origin.format(port=port)
    path = PATHS[kind].format(kernel=dashboard.kernel)
    if kind == "websocket":
        path += "?session_id=t"
    if auth == "token":
        path += ("&" if "?" in path else "?") + f"token={dashboard.token}"
    cookie = dashboard.cookie if auth == "cookie" else ""
    if kind in ("websocket", "query"):
        got, connection = open_socket(port, path, host, origin, cookie)
        if connection is not None:
            connection.close()
        assert got == status
        return
    reply = ask(port, path, host, origin, cookie)
    assert reply.status == status, reply
    assert says in reply.body
    if status == 403 and says:
        assert "--allow-host NAME" in reply.body and "<" not in reply.body  # plain text
        assert reply.cookie == ""  # a refused request leaves no login cookie


def test_a_refusal_is_logged(dashboard):
    ask(dashboard.server.port, "/", "rebound.example")
    assert "Refused GET /: this server answers only to" in dashboard.server.log.read_text()


def test_no_token_serves_the_tuning_app_to_this_servers_names_only(tmp_path):
    server = start(["tune", "--no-token"], tmp_path)
    try:
        host = f"127.0.0.1:{server.port}"
        static = ask(server.port, PATHS["static"], f"evil.example:{server.port}")
        page = ask(server.port, "/", f"evil.example:{server.port}")
        served = ask(server.port, "/", host)
    finally:
        stop(server.proc)
    terminal = server.log.read_text()
    assert "warning: --no-token: any user or program on this machine can read the page" in (
        terminal
    )
    assert server.url == f"http://127.0.0.1:{server.port}/" and token_of(server.url) is None
    assert (static.status, page.status) == (403, 403) and ELSEWHERE in page.body
    assert served.status == 200 and "kernelId" in served.body


def test_jupyterlab_refuses_a_foreign_host(tmp_path):
    """``tune --lab`` relies on the Jupyter server's own Host check (it listens on 127.0.0.1)."""
    server = start(["tune", "--lab"], tmp_path)
    try:
        token = token_of(server.url)
        port = server.port
        lab = f"/lab?token={token}"
        answered = ask(port, lab, f"127.0.0.1:{port}")
        rebound = ask(port, lab, f"evil.example:{port}")
        api = ask(port, f"/api/contents?token={token}", f"evil.example:{port}")
        no_token = ask(port, "/api/contents", f"localhost:{port}")
    finally:
        stop(server.proc)
    assert token and len(token) >= 32
    assert answered.status == 200
    assert (rebound.status, api.status, no_token.status) == (403, 403, 403)
