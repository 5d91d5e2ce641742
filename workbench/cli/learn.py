"""``workbench profile`` and ``workbench draft``: learn from a CRM export with outcomes.

One command family of :mod:`workbench.cli`, like the other modules there (``main.py`` only
builds the parser from them). An option to change raises
:class:`~workbench.errors.UsageError`, a file that cannot be read
:class:`~workbench.errors.DataError` (the CLI prints either and exits 2).
"""

from __future__ import annotations

import argparse
import html
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.cli.options import check_out
from workbench.data import load_data
from workbench.data.export import write_table
from workbench.data.loading import LeadData
from workbench.errors import Problem, UsageError
from workbench.files import write_text_atomic
from workbench.model.spec import ROW_ID, DataMapping

PROFILE_SUFFIXES = (".csv", ".parquet", ".pq", ".html")
ID_HINT = "Name the right column with --id (or use --row-id)."


def check_columns_given(args: argparse.Namespace) -> None:
    """--id and --outcome must name two columns (the outcome is not the lead id)."""
    if args.id == args.outcome:
        raise UsageError(
            [
                Problem(
                    "--outcome",
                    f"--id and --outcome name the same column '{args.id}'; --id is the lead "
                    "id column, --outcome the yes/no column saying whether the lead converted",
                )
            ]
        )


def check_folds(data: LeadData, outcome: str, folds: int) -> None:
    """Cross-validation needs a converted and a non-converted lead in every fold."""
    from workbench.learning.profiling import outcome_values

    y = outcome_values(data, outcome)  # the loader's own errors: missing, not yes/no, …
    converted = int(np.nansum(y))
    not_converted = int((y == 0).sum())
    largest = min(converted, not_converted)
    if folds > largest:
        why = (
            f"{folds} folds need at least {folds} converted and {folds} non-converted leads, "
            f"and {data.files.get('leads', 'the leads file')} has {converted:,} converted and "
            f"{not_converted:,} not converted; use --folds between 2 and {largest:,}"
            if largest >= 2
            else f"{data.files.get('leads', 'the leads file')} has {converted:,} converted "
            f"and {not_converted:,} not converted leads, too few for cross-validation; "
            "use --folds 0 to skip it"
        )
        raise UsageError([Problem("--folds", why)])


def load_export(
    leads: str, id_column: str | None, outcome: str, activities: str | None = None
) -> LeadData:
    """A CRM export as it is: the id column and outcome named on the command line (and
    its activities, if given, for drafting activity criteria).

    Without an id column (``--row-id``), each lead's row number in the file is its id, as
    the mapping's ``row_ids`` says: the drafted model then scores the same file. The
    loading report is printed as ``score`` prints it (rows set aside, and why), and an id
    column that sets most rows aside is refused before any work is done on the rest.
    """
    from workbench.learning.profiling import check_ids

    if id_column is None and activities is not None:
        raise UsageError(
            "--activities are linked to leads by their id: name the id column with --id "
            "(--row-id numbers the rows, which the activities file does not know)"
        )
    rows = id_column is None
    data = load_data(
        leads,
        activities,
        mapping=DataMapping(lead_id=ROW_ID if rows else id_column, row_ids=rows, outcome=outcome),
        column_hint="Name the id column with --id." if rows else ID_HINT,
    )
    print(data.report)
    check_ids(data)
    return data


def column_types(options: list[str] | None) -> dict[str, str]:
    """``--type COL=numeric`` (repeatable) as {column: type}; a bad word is a usage error."""
    from workbench.learning.column_types import TYPE_OPTIONS, type_option

    types, problems = {}, []
    for given in options or ():
        column, sep, word = given.rpartition("=")
        kind = type_option(word) if sep else None
        if not column or kind is None:
            problems.append(
                Problem(
                    "--type",
                    f"'{given}' is not COLUMN=TYPE with TYPE one of "
                    f"{', '.join(TYPE_OPTIONS)}; e.g. --type 'Do Not Email=yesno'",
                )
            )
        else:
            types[column] = kind
    if problems:
        raise UsageError(problems)
    return types


def _html_table(frame: pd.DataFrame, **kwargs) -> str:
    return frame.to_html(escape=True, na_rep="", **kwargs)


def _profile_html(profile) -> str:
    cols = profile.columns.drop(columns=["auc", "iv"]).copy()
    cols["missing_share"] = cols["missing_share"].map("{:.0%}".format)
    ranking = profile.ranking().copy()
    for c in ("auc", "iv"):
        ranking[c] = ranking[c].map(lambda v: "" if v != v else f"{v:.2f}")
    ranking["filled"] = ranking["filled"].map("{:.0%}".format)
    leaks = profile.columns.loc[profile.leaks, ["leak_reason", "kept"]]
    _, left_out = profile.select()
    levels = profile.levels.drop(columns=["code", "known"]).copy()
    for c in ("share", "rate", "low", "high"):
        levels[c] = levels[c].map(lambda v: "" if v != v else f"{v:.1%}")
    title = html.escape(f"Profile of {profile.n_leads:,} leads against '{profile.outcome}'")
    return (
        "<!doctype html><meta charset='utf-8'><title>Lead profile</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px}</style>"
        f"<h1>{title}</h1>"
        "<h2>Columns ranked by how well each alone ranks converters (in-sample AUC, IV)</h2>"
        f"{_html_table(ranking)}"
        f"<h2>Likely leaks, with their evidence</h2>{_html_table(leaks)}"
        f"<h2>Left out of drafts, and why</h2>{_html_table(left_out, index=False)}"
        f"<h2>Columns</h2>{_html_table(cols)}"
        f"<h2>Conversion per value or bin (95 % Wilson interval)</h2>"
        f"{_html_table(levels, index=False)}"
        f"<h2>Summary</h2><pre>{html.escape(profile.summary())}</pre>"
    )


def run_profile(args: argparse.Namespace) -> int:
    from workbench.learning.profiling import profile_leads

    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in PROFILE_SUFFIXES:
        raise UsageError(
            [Problem("--out", f"cannot write '{out.suffix or out}'; use .csv, .parquet or .html")]
        )
    check_out(out, {"--leads": args.leads})
    check_columns_given(args)
    types = column_types(args.type)
    data = load_export(args.leads, args.id, args.outcome)
    profile = profile_leads(data, args.outcome, types=types, keep=args.keep or ())
    print(profile.summary())
    if out is not None:
        if out.suffix.lower() == ".html":
            write_text_atomic(out, _profile_html(profile))
        else:
            write_table(profile.table(), out)
        print(f"\nWrote {out}")
    return 0


def run_draft(args: argparse.Namespace) -> int:
    from workbench.learning.drafting import draft_model

    out = Path(args.out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise UsageError([Problem("--out", f"the model file must be .yaml; got '{out.name}'")])
    check_out(out, {"--leads": args.leads})
    if args.folds == 1 or args.folds < 0:
        why = f"cross-validation needs at least 2 folds (0 skips it); got {args.folds}"
        raise UsageError([Problem("--folds", why)])
    check_columns_given(args)
    types = column_types(args.type)
    data = load_export(args.leads, args.id, args.outcome, args.activities)
    if args.folds:
        check_folds(data, args.outcome, args.folds)
    draft = draft_model(
        data,
        args.outcome,
        exclude=args.exclude or (),
        keep=args.keep or (),
        types=types,
        folds=args.folds,
    )
    write_text_atomic(out, draft.yaml())
    print(draft.summary())
    for column, warning in draft.profile.columns["warning"].items():
        if warning:
            print(f"  warning: {column}: {warning}")
    print(f"\nWrote {out}. Check it with: workbench validate {out}")
    return 0


def _column_options(p: argparse.ArgumentParser) -> None:
    """Options both commands share: the file, its id (or row numbers), outcome, columns."""
    p.add_argument("--leads", required=True, help="CRM export (CSV, Parquet or Excel)")
    ids = p.add_mutually_exclusive_group(required=True)
    ids.add_argument("--id", help="the lead id column, e.g. 'Prospect ID'")
    ids.add_argument(
        "--row-id",
        dest="id",
        action="store_const",
        const=None,
        help=f"the file has no id column: each lead's id is its row number in the file "
        f"(the header is row 1), in a column '{ROW_ID}'; ids change if rows are reordered",
    )
    p.add_argument("--outcome", required=True, help="the yes/no outcome column")
    p.add_argument(
        "--type",
        action="append",
        metavar="COL=TYPE",
        help="set a column's type: numeric, categorical, yesno, date, id or text (repeatable)",
    )
    p.add_argument(
        "--keep",
        nargs="+",
        action="extend",
        metavar="COL",
        help="score a column whatever the screen says (a likely leak, an id-like or text "
        "column: kept with the type it can best take)",
    )


def add_parsers(sub) -> None:
    """The two subcommands, added to the ``workbench`` parser."""
    p = sub.add_parser(
        "profile", help="column types, missing values, conversion per value, likely leaks"
    )
    _column_options(p)
    p.add_argument("--out", help="write the full table: .csv, .parquet or .html")
    p.set_defaults(func=run_profile)

    p = sub.add_parser("draft", help="draft a points model from leads with a known outcome")
    _column_options(p)
    p.add_argument(
        "--exclude", nargs="+", action="extend", metavar="COL", help="columns to leave out"
    )
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    p.add_argument(
        "--activities",
        metavar="A",
        help="the leads' activities (CSV/Parquet): also draft activity criteria",
    )
    p.add_argument("--out", required=True, help="model file to write (.yaml)")
    p.set_defaults(func=run_draft)
