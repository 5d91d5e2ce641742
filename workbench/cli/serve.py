"""``workbench dashboard``: check the files, then serve the sales dashboard with Voilà."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from workbench.cli.options import check_date, port_free
from workbench.data import load_data
from workbench.engine.scoring import score_totals
from workbench.engine.signals import compute_signals
from workbench.errors import UsageError
from workbench.model import load_model
from workbench.model.signoff import stale_sign_off
from workbench.resources import jupyter_dir, notebook

DASHBOARD_NOTEBOOK = notebook("sales_dashboard.ipynb")


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Check the files, then serve the sales dashboard with Voilà (read-only, offline)."""
    from workbench.ui.inputs import ENV, resolve_inputs

    if args.activities and not args.leads:
        raise UsageError("--activities needs --leads (without --leads the sample is served)")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {args.port}")
    files = resolve_inputs(args.model, args.leads, args.activities, args.as_of)
    check_date(files["as_of"], "--as-of" if args.as_of is not None else ENV["as_of"])
    # the checks the page will run, so a bad file is reported here, not as a blank page:
    # the files in full, and the page itself built over a few hundred leads
    from workbench.analysis import sales
    from workbench.ui.dashboard import SalesDashboard

    model = load_model(files["model"])
    data = load_data(files["leads"], files["activities"], model=model)
    probe = sales.known_by(data, files["as_of"])
    probe = probe.subset(probe.leads.index[:300])
    signals = compute_signals(model, probe, as_of=files["as_of"])
    SalesDashboard(sales.build_queue(sales.Scoring(model, signals, score_totals(model, signals))))
    print(f"{model.name} v{model.version}: {data.n_leads:,} leads as of {signals.as_of:%Y-%m-%d}")
    if stale := stale_sign_off(model):
        print(f"warning: {stale} The page says so in its header.")
    if len(data.report.rejected_leads) or len(data.report.rejected_activities):
        print(data.report)
    if not port_free(args.ip, args.port):
        raise UsageError(f"port {args.port} on {args.ip} is in use; choose another with --port")
    jupyter_path = str(jupyter_dir())
    env = {
        **os.environ,
        "JUPYTER_PATH": os.pathsep.join(
            filter(None, [jupyter_path, os.environ.get("JUPYTER_PATH")])
        ),
    }
    for key, value in files.items():
        env.pop(ENV[key], None)
        if value is not None:
            env[ENV[key]] = str(Path(value).resolve()) if key != "as_of" else str(value)
    command = [
        sys.executable, "-m", "voila", str(DASHBOARD_NOTEBOOK), "--no-browser",
        f"--port={args.port}", f"--Voila.ip={args.ip}", "--Voila.port_retries=0",
        "--template=offline", "--theme=light",
        "--strip_sources=True", "--show_tracebacks=False",  # viewers see no code, no traceback
        "--preheat_kernel=True", "--pool_size=1",  # the next visit finds the scores ready
    ]  # fmt: skip
    if args.token:
        command.append(f"--token={args.token}")
    url = f"http://{args.ip}:{args.port}/" + (f"?token={args.token}" if args.token else "")
    if args.ip not in ("127.0.0.1", "localhost", "::1") and not args.token:
        print(
            f"warning: listening on {args.ip} without --token: anyone who can reach it can read it"
        )
    print(f"Sales dashboard: {url}   (Ctrl+C to stop)", flush=True)
    sys.stderr.flush()
    if hasattr(os, "execve"):
        # Voilà takes this process over: Ctrl+C and a service manager's SIGTERM reach it
        os.execve(sys.executable, command, env)
    proc = subprocess.Popen(command, env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(10)
        return 0


def add_parsers(sub) -> None:
    """The ``dashboard`` subcommand."""
    p = sub.add_parser(
        "dashboard",
        help="serve the sales dashboard (Voila, read-only; the sample when no files are given)",
    )
    p.add_argument("--model", help="model YAML file (default: the sample model)")
    p.add_argument("--leads", help="leads file (default: the sample leads)")
    p.add_argument("--activities", help="activities file")
    p.add_argument("--as-of", dest="as_of", help="score as of this date (default: newest event)")
    p.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--token", help="require this token in the URL (?token=...)")
    p.set_defaults(func=cmd_dashboard)
