"""``workbench publish`` and ``runs``: store a scoring run, list and prune the stored runs.

The store and scoring are imported inside the commands: building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import re

from workbench.cli.options import check_date, whole_number
from workbench.store.store import DEFAULT_STORE

MAX_HISTORY_WEEKS = 104


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in counts.items())


def history_weeks(text: str) -> int:
    """``--history 8w``: how many past weeks to store (a bare number means weeks too)."""
    m = re.fullmatch(r"\s*(\d+)\s*w?\s*", text or "")
    if not m or not 1 <= int(m.group(1)) <= MAX_HISTORY_WEEKS:
        raise argparse.ArgumentTypeError(
            f"give a number of weeks from 1 to {MAX_HISTORY_WEEKS}, like 8w, not {text!r}"
        )
    return int(m.group(1))


def _when(as_of: str) -> str:
    return as_of[:16].replace("T", " ")


def cmd_publish(args: argparse.Namespace) -> int:
    from workbench.store import publish

    check_date(args.as_of)
    past = []

    def stored(run) -> None:
        if run.history:
            past.append(run)
            print(f"Stored the past week as of {_when(run.as_of)[:10]} ({run.leads:,} leads).")

    m = publish(
        args.model,
        args.leads,
        args.activities,
        as_of=args.as_of,
        store=args.store,
        by=args.by,
        unapproved=args.unapproved,
        history_weeks=args.history or 0,
        on_run=stored,
    )
    if args.history and not past:
        print("The past weeks asked for were stored already (same rules): not redone.")
    print(f"Published run {m.run_id}: {m.model} v{m.version}, {m.leads:,} leads as of "
          f"{_when(m.as_of)}.")  # fmt: skip
    if m.unapproved:
        print("warning: published UNAPPROVED (the model has no current sign-off).")
    print(f"Categories: {_counts(m.counts)}")
    if m.previous_as_of:
        top = m.top_category
        print(f"Since the run as of {_when(m.previous_as_of)}: {m.new_top:,} new {top}, "
              f"{m.cold:,} {top} going cold.")  # fmt: skip
    aside = {k: v for k, v in m.set_aside.items() if v}
    if aside:
        print("Set aside by the data checks: " + ", ".join(f"{n:,} {k}" for k, n in aside.items()))
    print(f"Store: {args.store} (current run: {m.run_id})")
    print(f"Next: workbench dashboard --store {args.store}")
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    from workbench.store import Store

    store = Store(args.store)
    if store.path.is_dir() and (left := store.clean_staging()):
        print(f"Removed {len(left)} unfinished publish{'es' if len(left) != 1 else ''} from tmp/.")
    if args.keep is not None:
        deleted = store.prune(args.keep)
        print(f"Deleted {len(deleted)} run{'s' if len(deleted) != 1 else ''}.")
    manifests = store.runs()
    current = store.current_id()
    if not manifests:
        print(f"No runs in {args.store}.")
        return 0
    print(f"Runs in {args.store}, newest first:")
    for m in manifests:
        mark = "*" if m.run_id == current else " "
        flag = ("  UNAPPROVED" if m.unapproved else "") + ("  (past week)" if m.history else "")
        print(
            f"{mark} {m.run_id}  published {m.published_at:%Y-%m-%d %H:%M} UTC  "
            f"{m.model} v{m.version}  as of {_when(m.as_of)}  "
            f"{_counts(m.counts)}{flag}"
        )
    print("* current run")
    return 0


def _store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default=DEFAULT_STORE, help=f"store folder (default {DEFAULT_STORE})")


def add_parsers(sub) -> None:
    """The ``publish`` and ``runs`` subcommands."""
    p = sub.add_parser("publish", help="score leads once and store the run for sales")
    p.add_argument("--model", required=True, help="model YAML file (signed off)")
    p.add_argument("--leads", required=True, help="leads file (CSV, Parquet or Excel)")
    p.add_argument("--activities", help="activities file (CSV, Parquet or Excel)")
    p.add_argument("--as-of", dest="as_of", help="score as of this date (YYYY-MM-DD)")
    _store_option(p)
    p.add_argument("--by", help="who publishes (default: your user name)")
    p.add_argument(
        "--history", type=history_weeks, metavar="Nw",
        help="also store runs as of each of the N past weeks (e.g. 8w), so trends and "
        "'new since last week' exist from day one",
    )  # fmt: skip
    p.add_argument(
        "--unapproved",
        action="store_true",
        help="publish a model without a current sign-off, marked unapproved",
    )
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("runs", help="list the published runs (and prune old ones)")
    _store_option(p)
    p.add_argument(
        "--keep", type=whole_number(1), help="delete all but the newest N runs (never the current)"
    )
    p.set_defaults(func=cmd_runs)
