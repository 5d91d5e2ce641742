"""``workbench sign-off``: record an approval of the model's current rules in its file."""

from __future__ import annotations

import argparse
import datetime as dt

from workbench.errors import Problem, UsageError
from workbench.model.signoff import sign_off, sign_off_lines


def run_sign_off(args: argparse.Namespace) -> int:
    date = None
    if args.date:
        try:
            date = dt.date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(
                [Problem("--date", f"'{args.date}' is not a date; use YYYY-MM-DD")]
            ) from None
    model = sign_off(args.model, args.name, role=args.role or "", date=date)
    print(f"Signed {model.name} v{model.version} (rules {model.scoring_fingerprint()}).")
    print("Sign-off: " + "; ".join(sign_off_lines(model)))
    return 0


def add_parsers(sub) -> None:
    """The ``sign-off`` subcommand, added to the ``workbench`` parser."""
    p = sub.add_parser(
        "sign-off",
        help="approve the model's current rules (recorded with a fingerprint in the file)",
        description="Adds your approval to the model file with a fingerprint of its rules. "
        "If anyone edits the rules afterwards, validate, the dashboard and the report say the "
        "sign-off is out of date. Signing again replaces your earlier approval.",
    )
    p.add_argument("model", help="model file (YAML)")
    p.add_argument("--name", required=True, help="who approves, e.g. 'Dana Whitfield'")
    p.add_argument("--role", help="their role, e.g. 'Head of Sales'")
    p.add_argument("--date", help="date of the approval (YYYY-MM-DD; default today)")
    p.set_defaults(func=run_sign_off)
