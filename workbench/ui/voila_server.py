"""The Voilà server of ``workbench dashboard`` and ``tune``: a cap on open pages, and kernels
that end with their page.

Voilà runs one kernel (a few hundred MB: the data and the app) per page view. Left alone,
a server keeps every one: its page-unload beacon is refused (the page has no ``_xsrf``
cookie, so ``POST /voila/api/shutdown/<id>`` answers 403) and nothing else ends a kernel,
so 17 page loads held 17 kernels. Here:

- every page gets the ``_xsrf`` cookie, so closing or leaving the page shuts its kernel
  down at once (Voilà's own beacon);
- a kernel whose page left ``page_gone_after`` seconds ago (a crashed or killed browser, a
  lost network: no beacon ever comes) or never connected within ``page_wait`` seconds of
  being sent is shut down, and one idle for the Jupyter server's ``cull_idle_timeout``
  even with its page open;
- at most ``max_viewers`` pages hold a kernel; the next visitor gets a short page saying
  so with HTTP 503 at once, never a hang. Voilà's pre-heated kernels (``pool_size``) wait
  for the next visitor and are not pages: the server runs at most ``max_viewers +
  pool_size`` kernels;
- every request (pages, files, the API, websockets) must name this server in its ``Host``
  header, and one sent from a page (``Origin``) must come from this server's own pages;
  anything else gets 403. Otherwise a site a rep visits could rebind its own name to
  127.0.0.1 and read the queue through the rep's browser (DNS rebinding). Voilà turns the
  Jupyter server's own Host check off (``allow_remote_access=True``), and that check
  covers neither the static files nor a LAN address, so the check is a first routing rule.

The launcher (:func:`workbench.cli.serve.serve_voila`) runs this file as a script,
``python -P voila_server.py NOTEBOOK --option=value ...``: it imports only Voilà and the
Jupyter server, so the server process starts at ~120 MB (importing ``workbench`` would add
~120 MB of pandas and the rest), and ``-P`` keeps this folder's modules off ``sys.path``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

import tornado.web
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.httputil import HTTPServerRequest
from tornado.routing import Matcher, Rule
from traitlets import Integer, List, Unicode
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.handler import TornadoVoilaHandler

# Voilà writes the page's kernel into the page config (our template's ``kernel_start``)
KERNEL_ID = re.compile(r'"kernelId"\s*:\s*"([0-9a-f-]{36})"')
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")  # names of this machine a browser may use
WITH_PORT = re.compile(r":\d+$")


def allowed_hosts(ip: str, port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """The ``Host`` values this server answers to: the address served, the loopback names
    and ``extra`` (``--allow-host``), each with the port and without (lower case).

    >>> sorted(allowed_hosts("127.0.0.1", 8866))[:2]
    ['127.0.0.1', '127.0.0.1:8866']
    """
    served = f"[{ip}]" if ":" in ip and not ip.startswith("[") else ip
    names = {name.lower() for name in (served, *LOOPBACK, *extra)}
    return frozenset(names | {f"{name}:{port}" for name in names})


def refusal(host: str | None, origin: str | None, allowed: frozenset[str]) -> str | None:
    """Why a request with these ``Host`` and ``Origin`` headers is refused; None if it is not.

    A missing ``Origin`` passes (scripts and the kernels' own connections send none; a
    browser always sends one with a websocket), as in the Jupyter server's check.
    """
    host = host or ""
    if host.lower() not in allowed:
        return (
            f"this server answers only to {_listed(allowed)}, not to the name {host[:100]!r}: "
            "a page on another site may be trying to read it through your browser. If you "
            "opened it by another name of this machine, restart it with --allow-host NAME."
        )
    if origin is not None and _page_host(origin) not in allowed:
        return (
            f"the request came from a page of {origin[:100]!r}, not from this server's own "
            f"pages ({_listed(allowed)}). If that page is yours, restart the server with "
            "--allow-host NAME (its host name)."
        )
    return None


def _page_host(origin: str) -> str | None:
    """The host (and port) of an ``Origin`` header from a web page; None for anything else."""
    try:
        parts = urlsplit(origin.lower())
    except ValueError:  # "http://[::1" and the like
        return None
    return parts.netloc if parts.scheme in ("http", "https") else None


def _listed(allowed: frozenset[str]) -> str:
    return ", ".join(sorted(name for name in allowed if WITH_PORT.search(name)))


class ForeignRequest(Matcher):
    """Matches a request this server refuses (see :func:`refusal`): the first routing rule."""

    def __init__(self, allowed: frozenset[str]):
        self.allowed = allowed

    def match(self, request: HTTPServerRequest) -> dict | None:
        origin = request.headers.get("Origin")
        return {} if refusal(request.host, origin, self.allowed) is not None else None


class RefusedRequest(tornado.web.RequestHandler):
    """403 and why, in plain text (the ``Host`` is the sender's, so it is never markup)."""

    def initialize(self, allowed: frozenset[str]) -> None:
        self.allowed = allowed

    def check_xsrf_cookie(self) -> None:
        """Refused before any cookie is looked at: the reason below is the one to give."""

    def prepare(self) -> None:
        why = refusal(self.request.host, self.request.headers.get("Origin"), self.allowed)
        self.settings["voila"].log.warning("Refused %s %s: %s", self.request.method,
                                           self.request.path, why)  # fmt: skip
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(f"Forbidden: {why}\n")


class PageKernels(AsyncMappingKernelManager):
    """Kernels that end with their page, and the count of pages holding one.

    Voilà wraps this class with its pool of pre-heated kernels (which it keeps out of the
    culling), so only kernels handed to a page are ever culled.
    """

    page_gone_after = Integer(
        30,
        config=True,
        help="Seconds a kernel outlives the last connection of its page (a page that only "
        "lost the network for a moment reconnects well within this).",
    )
    page_wait = Integer(
        120,
        config=True,
        help="Seconds a page that was sent may take to connect to its kernel (ten pages "
        "loading at once on two cores took up to a minute).",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.arriving = 0  # pages admitted whose kernel is not known yet
        self.page_kernels: set[str] = set()  # kernels handed to a page, until shut down
        self.sending: set[str] = set()  # kernels whose page is still being sent
        self._connected_once: set[str] = set()
        self._alone_since: dict[str, float] = {}

    def pages(self) -> int:
        """Pages that hold (or are about to hold) a kernel: what the cap counts."""
        return self.arriving + len(self.page_kernels)

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        self._connected_once.add(kernel_id)

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        if self._kernel_connections.get(kernel_id) == 0:
            self._alone_since[kernel_id] = time.monotonic()

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Shut down a kernel whose page is gone; else the Jupyter server's idle rule."""
        kernel = self._kernels.get(kernel_id)
        if kernel is None:
            return
        now = time.monotonic()
        if (
            self._kernel_connections.get(kernel_id)
            or kernel_id in self.sending
            or getattr(kernel, "execution_state", None) == "busy"  # rendering its page
        ):
            self._alone_since.pop(kernel_id, None)
        else:
            alone = now - self._alone_since.setdefault(kernel_id, now)
            if kernel_id in self._connected_once:
                limit, why = self.page_gone_after, "its page left"
            else:
                limit, why = self.page_wait, "its page never connected"
            if alone >= limit:
                self.log.info("Kernel %s: %s %ss ago, shut down", kernel_id, why, int(alone))
                await self.shutdown_kernel(kernel_id)
                return
        await super().cull_kernel_if_idle(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):
        for kernels in (self.page_kernels, self.sending, self._connected_once):
            kernels.discard(kernel_id)
        self._alone_since.pop(kernel_id, None)
        RequestInfoSocketHandler._cache.pop(kernel_id, None)  # Voilà keeps each page's request
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)


class CappedPageHandler(TornadoVoilaHandler):
    """The page: refused with 503 at the cap; otherwise Voilà's page, with an ``_xsrf`` cookie."""

    @tornado.web.authenticated
    async def get(self, path=None):
        app: WorkbenchVoila = self.settings["voila"]
        kernels: PageKernels = self.kernel_manager
        if kernels.pages() >= app.max_viewers:
            self.log.warning(
                "Refused a visitor: %s of %s pages open (--max-viewers)",
                kernels.pages(),
                app.max_viewers,
            )
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Cache-Control", "no-store")
            self.finish(
                self.render_template("busy.html", title=app.page_title, limit=app.max_viewers)
            )
            return
        _ = self.xsrf_token  # sets the _xsrf cookie: Voilà's unload beacon is refused without it
        kernels.arriving += 1
        kernel_id = None
        try:
            async for html in self.get_generator(path=path):
                if kernel_id is None and (found := KERNEL_ID.search(html)):
                    kernel_id = found.group(1)
                    kernels.arriving -= 1
                    if kernel_id in kernels:  # not already shut down
                        kernels.page_kernels.add(kernel_id)
                        kernels.sending.add(kernel_id)
                self.write(html)
                self.flush()
        finally:
            if kernel_id is None:  # no kernel for this request (a redirect, an error)
                kernels.arriving -= 1
            kernels.sending.discard(kernel_id)


class WorkbenchVoila(Voila):
    """Voilà with :class:`PageKernels` and :class:`CappedPageHandler` in place of its own."""

    max_viewers = Integer(10, config=True, help="Pages that may hold a kernel at once.")
    page_title = Unicode("page", config=True, help="What the busy page calls this page.")
    allow_hosts = List(
        Unicode(),
        config=True,
        help="Host names this server answers to besides its address and localhost (the "
        "name a LAN address is reached by).",
    )

    def initialize(self, argv=None):
        super().initialize(argv)
        self.voila_configuration.multi_kernel_manager_class = PageKernels

    def init_handlers(self) -> list:
        return [
            (pattern, CappedPageHandler if handler is TornadoVoilaHandler else handler, *rest)
            for pattern, handler, *rest in super().init_handlers()
        ]

    def listen(self) -> None:
        """Refuse foreign requests before any handler sees them, then listen as Voilà does.

        Voilà builds its application in ``start`` and calls this next; the rule goes first so
        it covers every handler, Voilà's static files and websockets included.
        """
        allowed = allowed_hosts(self.ip, self.port, self.allow_hosts)
        router = self.app.default_router
        rule = Rule(ForeignRequest(allowed), RefusedRequest, {"allowed": allowed})
        router.rules.insert(0, router.process_rule(rule))
        super().listen()


if __name__ == "__main__":
    WorkbenchVoila.launch_instance()
