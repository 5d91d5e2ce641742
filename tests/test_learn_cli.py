"""``workbench profile`` / ``draft`` options: --type, --keep, --row-id, ids set aside."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.helpers import SAMPLES, planted_leads
from workbench.cli import main


@pytest.fixture(scope="module")
def planted_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("planted") / "export.csv"
    planted_leads(3000).to_csv(path, index=False)
    return path


def _profile(path, *args):
    return main(["profile", "--leads", str(path), "--id", "Lead ID", "--outcome", "won", *args])


def test_type_and_keep_reach_any_column(planted_csv, capsys):
    code = _profile(planted_csv, "--type", "email_opens=categorical", "--type",
                    "Lead ID=id", "--keep", "Call Duration")  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "email_opens: typed categorical (--type)" in printed
    # a flagged column kept: still shown as a leak, with a warning, and not left out
    assert "Call Duration [kept with --keep]" in printed
    assert "Call Duration: flagged as a likely leak but kept" in printed
    left_out = printed.split("Left out of drafts:")[1].split("\n\n")[0]
    assert "Call Duration" not in left_out and "Lead Quality: likely leak" in left_out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--keep", "Call Duraton"], "--keep 'Call Duraton': is not a column of the leads file. "
         "Did you mean 'Call Duration'?"),
        (["--type", "emial_opens=numeric"], "Did you mean 'email_opens'?"),
        (["--type", "email_opens=float"], "numeric, categorical, yesno, date, id, text"),
        (["--type", "email_opens"], "is not COLUMN=TYPE"),
    ],
)  # fmt: skip
def test_unknown_columns_and_types_exit_2_with_a_hint(planted_csv, args, message, capsys):
    code = _profile(planted_csv, *args)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err


def test_an_id_column_of_duplicates_is_refused_with_the_way_out(planted_csv, capsys):
    code = main(["profile", "--leads", str(planted_csv), "--id", "industry", "--outcome", "won"])
    out, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err
    n = len(pd.read_csv(planted_csv))
    kept = pd.read_csv(planted_csv)["industry"].nunique()
    assert f"{n - kept:,} of {n:,} rows repeat an id" in err
    assert f"work on {kept:,} leads only" in err and "--row-id" in err
    assert f"{n:,} rows read, {kept:,} kept" in out  # the loading report, as score prints it


def test_row_id_profiles_a_file_without_ids(tmp_path, capsys):
    path = tmp_path / "no_ids.csv"
    frame = planted_leads(800).drop(columns=["Lead ID"])
    frame.to_csv(path, index=False)
    code = main(["profile", "--leads", str(path), "--row-id", "--outcome", "won"])
    printed = capsys.readouterr().out
    assert code == 0
    assert f"{len(frame):,} leads (id column 'file_row')" in printed


def test_duplicate_ids_are_reported_with_counts(capsys):
    raw = pd.read_csv(SAMPLES / "leads.csv", dtype=str)
    dups = int(raw["lead_id"].duplicated().sum())
    assert main(["profile", "--leads", str(SAMPLES / "leads.csv"), "--id", "lead_id",
                 "--outcome", "converted"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert f"{dups:,} set aside" in printed
    assert f"Rows set aside (not profiled): {dups:,} with a repeated id" in printed


def test_html_profile_has_the_ranked_table_and_the_evidence(planted_csv, tmp_path):
    out = tmp_path / "p.html"
    assert _profile(planted_csv, "--out", str(out)) == 0
    page = out.read_text()
    ranked = page.split("Columns ranked")[1].split("<h2>")[0]
    rows = re.findall(r"<tr>\s*<th>([^<]*)</th>\s*<td>([^<]*)</td>", ranked)
    aucs = [float(a) for _, a in rows if a]
    assert len(rows) == len(planted_leads(5).columns) - 2  # every column but id and outcome
    assert len(aucs) >= 8 and aucs == sorted(aucs, reverse=True)  # best first
    assert "filled for" in page and "name suggests a field filled after contact" in page


@pytest.mark.slow
def test_draft_keeps_what_it_is_told_and_lists_every_column_left_out(planted_csv, tmp_path,
                                                                     capsys):  # fmt: skip
    out = tmp_path / "m.yaml"
    code = main(["draft", "--leads", str(planted_csv), "--id", "Lead ID", "--outcome", "won",
                 "--keep", "Reason Won", "--type", "email_opens=categorical", "--folds", "0",
                 "--out", str(out)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "warning: Reason Won: flagged as a likely leak but kept" in printed
    for col in ("Call Duration", "Lead Quality", "Lead ID"):
        assert col in printed.split("Left out")[-1]
    assert "Do Not Email" in out.read_text() and "Landing Page" in out.read_text()


def test_a_draft_too_coarse_for_three_categories_exits_2_and_says_what_to_add(tmp_path, capsys):
    """One yes/no column gives two scores: the user is told to add columns, not shown a
    traceback."""
    path = tmp_path / "one_column.csv"
    flags = ["yes", "no"] * 150
    won = [1 if i % 5 == 0 else 0 for i in range(300)]
    pd.DataFrame({"id": range(300), "opted_in": flags, "won": won}).to_csv(path, index=False)
    out = tmp_path / "draft.yaml"
    args = ["--leads", str(path), "--id", "id", "--outcome", "won", "--folds", "0"]
    assert main(["draft", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "distinct score" in err and "--keep" in err and "Traceback" not in err
    assert not out.exists()
