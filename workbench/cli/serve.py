"""``workbench dashboard`` and ``tune``: check the files, then serve a notebook as a page.

Both hand their files to the kernel through the ``WORKBENCH_*`` environment variables (see
:mod:`workbench.ui.inputs`) and serve the notebook shipped inside the package, so they work
from any folder an installed wheel is run in. One function starts Voilà for both, so the
safe defaults (127.0.0.1, a token, only this server's names, no code, no tracebacks, offline
template) cannot drift apart.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.cli.options import check_date, host_name, port_free, whole_number
from workbench.cli.publish import history_weeks
from workbench.data import load_data
from workbench.engine.signals import compute_signals
from workbench.errors import DataError, UsageError
from workbench.files import copy_atomic
from workbench.model import load_model
from workbench.model.signoff import stale_sign_off
from workbench.resources import jupyter_dir, notebook, voila_server

DASHBOARD_NOTEBOOK = notebook("sales_dashboard.ipynb")
TUNING_NOTEBOOK = notebook("tune_model.ipynb")
LOCAL = ("127.0.0.1", "localhost", "::1")
TOKEN_ENV = "JUPYTER_TOKEN"  # read by the Jupyter server; unlike an option, not in `ps` output
PROBE_LEADS = 300  # the page is built over this many leads before serving: fast, same checks
PREVIEW_WEEKS = 4  # past weeks published with `dashboard --leads`: a trend and "new" to show


@dataclass(frozen=True)
class Viewers:
    """How many pages a server holds open, and when their kernels end.

    Each open page holds one kernel, ~0.3 GB over a store of 1,000,000 leads. Ten pages is
    the load the dashboard is sized for (ten viewers within a minute,
    ``benchmarks/bench_viewers.py``); with the two pre-heated kernels that is at most twelve
    kernels (4.3 GB measured at 1M). The next visitor gets a "busy" page (HTTP 503) at once.
    """

    max_viewers: int = 10
    idle_minutes: int = 30  # a page left open this long without use loses its kernel
    preheated: int = 2  # kernels started ahead, so a visitor rarely waits for one to start
    page_gone_seconds: int = 30  # no page connected (browser closed or gone) for this long
    cull_every_seconds: int = 5

    def voila_options(self, title: str) -> list[str]:
        """The options of :mod:`workbench.ui.voila_server` that carry these settings."""
        return [
            f"--WorkbenchVoila.max_viewers={self.max_viewers}",
            f"--WorkbenchVoila.page_title={title}",
            "--preheat_kernel=True", f"--pool_size={self.preheated}",
            f"--PageKernels.page_gone_after={self.page_gone_seconds}",
            f"--MappingKernelManager.cull_idle_timeout={self.idle_minutes * 60}",
            f"--MappingKernelManager.cull_interval={self.cull_every_seconds}",
            "--MappingKernelManager.cull_connected=True",  # idle with its page open, too
            # a loaded server sends a cell's output late: wait for it, never show a blank page
            "--VoilaExecutor.iopub_timeout=30",
        ]  # fmt: skip


def viewers(args: argparse.Namespace) -> Viewers:
    """The :class:`Viewers` settings the command line asked for."""
    return Viewers(max_viewers=args.max_viewers, idle_minutes=args.idle_minutes)


def _check_options(args: argparse.Namespace, default_port: int) -> int:
    """Refuse options that cannot work before any file is read; the port to listen on."""
    if args.activities and not args.leads:
        raise UsageError("--activities needs --leads (without --leads the sample is served)")
    if args.token is not None and not args.token.strip():
        raise UsageError("--token is empty; give a token, or --no-token to serve without one")
    port = default_port if args.port is None else args.port
    if not 0 < port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {port}")
    return port


def _report_files(model, data, *, header_says_so: bool) -> None:
    """What the terminal says about the files before serving: stale sign-off, set-aside rows."""
    if stale := stale_sign_off(model):
        print(f"warning: {stale}" + (" The page says so in its header." if header_says_so else ""))
    if len(data.report.rejected_leads) or len(data.report.rejected_activities):
        print(data.report)


def inputs_env(files: Mapping[str, object]) -> dict[str, str]:
    """This process's environment with ``files`` as ``WORKBENCH_*`` variables for the kernel.

    Paths are made absolute: the kernel runs in the notebook's folder, not this one. A
    variable left over from the caller's shell is dropped when its file is not given.
    """
    from workbench.ui.inputs import ENV, SAVE_DIR

    env = dict(os.environ)
    env[SAVE_DIR] = str(Path.cwd())  # a new version of the shipped sample is saved here
    for key, name in ENV.items():
        env.pop(name, None)
        value = files.get(key)
        if value is not None:
            env[name] = str(value) if key == "as_of" else str(Path(value).resolve())
    return env


def page_token(args: argparse.Namespace) -> str | None:
    """The token the page asks for: ``--token``, none with ``--no-token``, else a new one.

    On by default, as in Jupyter: a server on 127.0.0.1 is open to every user and program
    on this machine, and to any web page that gets the browser to send it requests.
    """
    if args.no_token:
        return None
    return args.token or secrets.token_urlsafe(24)


def server_url(ip: str, port: int, path: str = "", token: str | None = None) -> str:
    """The address printed for a server: IPv6 in brackets, the token in the query."""
    host = f"[{ip}]" if ":" in ip else ip
    query = f"?token={urllib.parse.quote(token, safe='')}" if token else ""
    return f"http://{host}:{port}/{path}{query}"


def _hand_over(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run the server in place of this process (Ctrl+C and a SIGTERM reach it directly)."""
    sys.stdout.flush()
    sys.stderr.flush()
    if hasattr(os, "execve"):
        os.execve(sys.executable, list(command), dict(env))
    proc = subprocess.Popen(command, env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(10)
        return 0


def serve_voila(
    page: Path,
    files: Mapping[str, object],
    *,
    title: str,
    ip: str,
    port: int,
    token: str | None,
    allow_hosts: Sequence[str] = (),
    limits: Viewers = Viewers(),
) -> int:
    """Serve ``page`` with Voilà and the offline template: no code, no tracebacks shown.

    The one launcher of ``dashboard`` and ``tune``; it returns only where there is no
    ``execve`` (Voilà replaces this process otherwise). Voilà runs as
    :mod:`workbench.ui.voila_server`: at most ``limits.max_viewers`` pages, each page's
    kernel ended when the page closes or sits idle; requests for another ``Host`` than
    ``ip``, localhost and ``allow_hosts`` refused. ``token=None`` serves without one; a
    first visit with ``?token=`` leaves a login cookie, so the page's own links work.
    """
    if not port_free(ip, port):
        raise UsageError(f"port {port} on {ip} is in use; choose another with --port")
    env = inputs_env(files)
    env["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(jupyter_dir()), os.environ.get("JUPYTER_PATH")])
    )
    command = [
        sys.executable, "-P", str(voila_server()), str(page), "--no-browser",
        f"--port={port}", f"--Voila.ip={ip}", "--Voila.port_retries=0",
        "--template=offline", "--theme=light",
        "--strip_sources=True", "--show_tracebacks=False",  # viewers see no code, no traceback
        *limits.voila_options(title),
        *(f"--WorkbenchVoila.allow_hosts={name}" for name in allow_hosts),
    ]  # fmt: skip
    env.pop(TOKEN_ENV, None)  # one left in the shell is not this server's
    if token:
        command.append("--Voila.auto_token=True")  # the identity provider reads TOKEN_ENV
        env[TOKEN_ENV] = token
    elif ip in LOCAL:
        print("warning: --no-token: any user or program on this machine can read the page")
    else:
        print(f"warning: --no-token on {ip}: anyone who can reach it can read the page")
    if ip not in LOCAL and not allow_hosts:
        print(
            f"note: the page answers only to the names {ip}, localhost and 127.0.0.1; add "
            "--allow-host NAME for each name or address others open it by"
        )
    print(f"{title}: {server_url(ip, port, token=token)}   (Ctrl+C to stop)", flush=True)
    return _hand_over(command, env)


def dashboard_store(args: argparse.Namespace) -> Path:
    """The store ``dashboard`` serves: ``--store``; files published into a temporary store
    first; ``./scoring-store`` when it has a run; else a store of the shipped sample."""
    from workbench.store.samples import sample_store, stored_inputs
    from workbench.store.store import DEFAULT_STORE, Store
    from workbench.ui.inputs import ENV, resolve_inputs

    if args.store and (args.model or args.leads or args.activities or args.as_of):
        raise UsageError(
            "--store serves runs already published; --model/--leads/--activities/--as-of "
            "publish files into a temporary store first: give one or the other"
        )
    if args.model or args.leads:
        files = resolve_inputs(args.model, args.leads, args.activities, args.as_of)
        check_date(files["as_of"], "--as-of" if args.as_of is not None else ENV["as_of"])
        for key in ("model", "leads", "activities"):
            path = files[key]
            if path is not None and not Path(path).is_file():
                raise UsageError(f"--{key} {path}: no such file; check the path")
        weeks = args.history or PREVIEW_WEEKS
        print(
            f"Publishing the files into a temporary store first (with {weeks} past weeks, "
            "marked unapproved unless signed off); `workbench publish` keeps runs for sales.",
            flush=True,
        )
        return stored_inputs(
            Path(files["model"]), Path(files["leads"]),
            Path(files["activities"]) if files["activities"] else None,
            as_of=files["as_of"], history_weeks=weeks,
        )  # fmt: skip
    if args.as_of or args.activities:
        raise UsageError("--as-of and --activities go with --leads (files to publish first)")
    if args.store:
        return Path(args.store)
    default = Path(DEFAULT_STORE)
    if default.is_dir() and Store(default).current_id():
        return default
    print("No store here (./scoring-store): serving a store of the shipped sample.", flush=True)
    return sample_store()


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Find or publish the run, check it opens, then serve the dashboard with Voilà."""
    from workbench.store.queries import StoredRun
    from workbench.store.store import Store
    from workbench.ui.dashboard import SalesDashboard
    from workbench.ui.inputs import RUN, STORE

    port = _check_options(args, 8866)
    folder = dashboard_store(args)
    run = StoredRun(Store(folder), args.run)  # a missing store or run is reported here
    SalesDashboard(run, poll_seconds=0).close()  # and a run the page cannot show
    m = run.manifest
    print(
        f"{m.model} v{m.version}: {m.leads:,} leads as of {m.as_of[:16].replace('T', ' ')} "
        f"(run {m.run_id}, store {folder})"
    )
    if m.unapproved:
        print("warning: this run was published UNAPPROVED; the page says so in its header.")
    elif m.sign_off_warning:
        print(f"warning: {m.sign_off_warning} The page says so in its header.")
    os.environ[STORE] = str(folder.resolve())  # the kernels read the store from here
    os.environ.pop(RUN, None)
    if args.run:
        os.environ[RUN] = args.run
    return serve_voila(
        DASHBOARD_NOTEBOOK, {}, title="Sales dashboard", ip=args.ip, port=port,
        token=page_token(args), allow_hosts=args.allow_host, limits=viewers(args),
    )  # fmt: skip


def working_copy(folder: Path) -> tuple[Path, bool]:
    """The tuning notebook to open in ``folder``: ``(path, copied)``.

    The shipped notebook sits in site-packages, where edits would be lost on the next
    install, so JupyterLab opens a copy here; an existing copy is the user's work and is
    reused as it is, never overwritten.
    """
    path = folder / TUNING_NOTEBOOK.name
    if path.exists():
        if not path.is_file():
            raise UsageError(f"{path} is not a notebook; move it away or run tune elsewhere")
        return path, False
    copy_atomic(TUNING_NOTEBOOK, path)
    return path, True


def lab_root(start: Path, named: Sequence[object]) -> tuple[Path, list[Path]]:
    """The folder JupyterLab is rooted at: the nearest one holding ``start`` (where the
    working copy and new versions go) and every file the user ``named``, so the model, its
    saved versions and the data all show in Lab's file browser. Returns ``(root, unreachable)``:
    files on another branch of the file system than ``start`` are listed, never a root of
    ``/``.
    """
    files = [Path(os.path.abspath(str(p))) for p in named]  # as typed: links not followed
    root = Path(os.path.commonpath([start, *(f.parent for f in files)]))
    if root == Path(root.anchor):
        return start, [f for f in files if not f.is_relative_to(start)]
    return root, []


def serve_lab(
    files: Mapping[str, object], *, ip: str, port: int, token: str, named: Sequence[object] = ()
) -> int:
    """Open a working copy of the tuning notebook in JupyterLab, rooted where the working
    copy and the files ``named`` on the command line can all be reached (:func:`lab_root`).

    ``ip`` is a local address and there is always a token (``tune`` refuses otherwise):
    JupyterLab runs any code it is sent. Its own Host check (``allow_remote_access`` is off
    on a local address) refuses requests for names other than this machine's.
    """
    if not port_free(ip, port):
        raise UsageError(f"port {port} on {ip} is in use; choose another with --port")
    folder = Path.cwd()
    path, copied = working_copy(folder)
    if copied:
        print(f"Copied the tuning notebook to {path} (your working copy).")
    else:
        print(f"Opening your working copy {path} (left as it is; delete it for a fresh one).")
    root, unreachable = lab_root(folder, named)
    for f in unreachable:
        print(f"Note: {f} is outside {root}, so JupyterLab's file browser does not show it.")
    relative = path.relative_to(root).as_posix()
    command = [
        sys.executable, "-m", "jupyterlab", str(path),
        f"--ServerApp.root_dir={root}", f"--ServerApp.ip={ip}", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # as `make run` does: containers often run as root
    url = server_url(ip, port, f"lab/tree/{urllib.parse.quote(relative)}", token)
    print(f"Tuning notebook in JupyterLab: {url}   (Ctrl+C to stop)", flush=True)
    return _hand_over(command, {**inputs_env(files), TOKEN_ENV: token})


def cmd_tune(args: argparse.Namespace) -> int:
    """Check the files, then serve the tuning app (Voilà) or open it in JupyterLab."""
    from workbench.ui.inputs import resolve_inputs
    from workbench.ui.tuning import TuningApp

    port = _check_options(args, 8888 if args.lab else 8866)
    if args.lab and args.ip not in LOCAL:
        raise UsageError(
            f"--lab runs any code for whoever opens it, so it listens on 127.0.0.1 only, "
            f"not {args.ip}; to share the app, leave out --lab (Voilà serves it without code)"
        )
    if args.lab and (args.no_token or args.allow_host):
        option = "--no-token" if args.no_token else "--allow-host"
        raise UsageError(
            f"--lab runs any code for whoever opens it: it always asks for a token and answers "
            f"only on this machine, so {option} does not go with it; leave out {option}"
        )
    files = resolve_inputs(args.model, args.leads, args.activities)
    # what the notebook will do, so a bad file is reported here, not as a blank page
    model = load_model(files["model"])
    data = load_data(files["leads"], files["activities"], model=model)
    if not data.n_leads:
        print(data.report)
        raise DataError(f"{files['leads']}: no leads to tune on (the report above says why)")
    probe = data.subset(data.leads.index[:PROBE_LEADS])
    TuningApp(model, compute_signals(model, probe))
    print(f"{model.name} v{model.version}: {data.n_leads:,} leads")
    _report_files(model, data, header_says_so=False)
    if args.lab:
        named = [p for p in (args.model, args.leads, args.activities) if p is not None]
        return serve_lab(files, ip=args.ip, port=port, token=page_token(args), named=named)
    return serve_voila(
        TUNING_NOTEBOOK, files, title="Tuning app", ip=args.ip, port=port,
        token=page_token(args), allow_hosts=args.allow_host, limits=viewers(args),
    )  # fmt: skip


def _file_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="model YAML file (default: the sample model)")
    p.add_argument("--leads", help="leads file (default: the sample leads)")
    p.add_argument("--activities", help="activities file")


def _server_options(p: argparse.ArgumentParser, port_help: str) -> None:
    p.add_argument("--port", type=int, help=port_help)
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    token = p.add_mutually_exclusive_group()
    token.add_argument(
        "--token", help="the token the URL carries (?token=...; default: a new random one)"
    )
    token.add_argument(
        "--no-token",
        action="store_true",
        help="serve without a token: anyone who can reach the address can read the page",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        type=host_name,
        default=[],
        metavar="NAME",
        help="also answer requests for this host name (repeatable); only the --ip address "
        "and localhost are answered otherwise, so a web page cannot reach the server "
        "under a name of its own",
    )
    defaults = Viewers()
    p.add_argument(
        "--max-viewers",
        type=whole_number(1),
        default=defaults.max_viewers,
        metavar="N",
        help=f"pages open at once (default {defaults.max_viewers}); each holds a kernel "
        "(~0.3 GB), and the next visitor is told the page is busy",
    )
    p.add_argument(
        "--idle-minutes",
        type=whole_number(1),
        default=defaults.idle_minutes,
        metavar="M",
        help=f"end the kernel of a page left unused this long (default {defaults.idle_minutes}); "
        "a closed page's kernel ends at once",
    )


def add_parsers(sub) -> None:
    """The ``dashboard`` and ``tune`` subcommands."""
    p = sub.add_parser(
        "dashboard",
        help="serve the sales dashboard over published runs (Voila, read-only)",
        description="Serve the sales dashboard (Voila, read-only, offline) over a store of "
        "published runs: --store, else ./scoring-store, else the shipped sample. With "
        "--model/--leads the files are published into a temporary store first.",
    )
    p.add_argument("--store", help="store folder of published runs (default ./scoring-store)")
    p.add_argument("--run", help="show this run instead of the store's current one")
    _file_options(p)
    p.add_argument("--as-of", dest="as_of", help="with --leads: score as of this date")
    p.add_argument(
        "--history", type=history_weeks, metavar="Nw",
        help=f"with --leads: past weeks to publish too (default {PREVIEW_WEEKS}w)",
    )  # fmt: skip
    _server_options(p, "port (default 8866)")
    p.set_defaults(func=cmd_dashboard)

    p = sub.add_parser(
        "tune",
        help="serve the tuning app (Voila; the sample when no files are given), or --lab",
        description="Serve the tuning app as a page (Voila, offline, no code shown), or with "
        "--lab open a working copy of its notebook (tune_model.ipynb in this folder) in "
        "JupyterLab on 127.0.0.1.",
    )
    _file_options(p)
    _server_options(p, "port (default 8866; 8888 with --lab)")
    p.add_argument(
        "--lab",
        action="store_true",
        help="open the notebook in JupyterLab (a working copy in this folder) instead",
    )
    p.set_defaults(func=cmd_tune)
