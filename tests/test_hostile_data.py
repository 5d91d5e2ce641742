"""Hostile data files (issue 13, the data family): each input goes through ``workbench
score`` and gives the exit code and message a user relies on — a refusal in one paragraph
(exit 2) or rows set aside with their spreadsheet row number, never garbled names, padded
rows, made-up dates or a traceback.
"""

from __future__ import annotations

import os

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import workbench as wb
from tests.helpers import crit, make_model
from workbench.cli.main import main

LEADS_HEAD = "lead_id,name,created_at\n"
ACTS_HEAD = "lead_id,timestamp,activity_type\n"
ACTS = ACTS_HEAD + "L1,2026-10-01T10:00:00,page_view\nL2,2026-10-02T10:00:00,page_view\n"
FILLER = "".join(f"F{i:05d},Plain,2026-09-01\n" for i in range(5000))  # ~100 KB of ASCII
SAVE_AS = "save it as 'CSV UTF-8 (comma delimited)'"


@pytest.fixture
def model_file(tmp_path):
    visits = crit("visits", {"kind": "activity", "types": ["page_view"]}, bucket="engagement")
    path = tmp_path / "model.yaml"
    wb.save_model(make_model([visits]), path)
    return path


def run(tmp_path, model_file, leads: bytes, acts: str = ACTS, *extra: str):
    """``workbench score`` on these files: exit code, stdout, stderr, the scores (or None)."""
    (tmp_path / "leads.csv").write_bytes(leads)
    (tmp_path / "acts.csv").write_text(acts)
    out = tmp_path / "scores.csv"
    argv = ["score", "--model", str(model_file), "--leads", str(tmp_path / "leads.csv")]
    argv += ["--activities", str(tmp_path / "acts.csv"), "--out", str(out), *extra]
    return argv, out


E_ACUTE_1252 = "é".encode("cp1252")  # a byte that is not UTF-8
UTF8_FIRST = (LEADS_HEAD + "L1,José,2026-09-01\n").encode() + b"L2,Ren\xe9e,2026-09-01\n"
CP1252_FIRST = (LEADS_HEAD + "L2,Renée,2026-09-01\n" + FILLER).encode(
    "cp1252"
) + "L1,José,2026-09-01\n".encode()

# input -> (exit code, fragments of stderr when refused / of stdout when scored)
CASES = {
    "utf-8 then windows-1252 within 64 KB": (
        UTF8_FIRST,
        2,
        [
            f"leads.csv: line 3 (byte {UTF8_FIRST.index(E_ACUTE_1252)}): this line is not UTF-8",
            "line 2 is ('L1,José",
            SAVE_AS,
        ],
    ),
    "windows-1252 first, utf-8 far below": (
        CP1252_FIRST,
        2,
        [
            f"line 2 (byte {CP1252_FIRST.index(E_ACUTE_1252)}): this line is not UTF-8",
            "but line 5003 is ('L1,José",
            SAVE_AS,
        ],
    ),
    "short row": (
        (LEADS_HEAD + "L1,Ann,2026-09-01\nL2,Bob\nL3,Cy,2026-09-01\n").encode(),
        0,
        ["3 rows read, 2 kept, 1 set aside", "row has fewer fields than the header", "row 3:"],
    ),
    "row split by a bare CR": (
        (LEADS_HEAD + "L1,Ann,2026-09-01\nL2,Bo\rb,2026-09-01\n").encode(),
        0,
        ["3 rows read, 1 kept, 2 set aside", "row 3: '2 of 3 fields: L2, Bo'", "row 4: "],
    ),
    "long row": (
        (LEADS_HEAD + "L1,Ann,2026-09-01\nL2,Acme, Inc,2026-09-01\n").encode(),
        0,
        ["row has more fields than the header", "row 3: '4 of 3 fields: L2, Acme,  Inc"],
    ),
    "quoted line break is one record": (
        (LEADS_HEAD + 'L1,"Ann\nMarie",2026-09-01\nL2,Bo,2026-09-01\nL2,Dup,2026-09-01\n').encode(),
        0,
        ["3 rows read, 2 kept, 1 set aside", "row 4: 'L2'"],  # the repeat is record 4
    ),
    "words and bare years are not dates": (
        (
            LEADS_HEAD + "L1,Ann,now\nL2,Bob,today\nL3,Cy,2026\nL4,Di,Oct 2026\nL5,Ed,2026-09-01\n"
        ).encode(),
        0,
        ["[created_at] not a date: 4", "row 2: 'now', row 3: 'today', row 4: '2026'"],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_leads_file_is_refused_or_its_bad_rows_set_aside(
    case, tmp_path, model_file, capsys
):
    leads, code, says = CASES[case]
    argv, out = run(tmp_path, model_file, leads)
    assert main(argv) == code
    captured = capsys.readouterr()
    if code == 2:
        assert captured.err.startswith("error: ") and captured.err.count("\n") == 1
        assert len(captured.err) < 400 and "Traceback" not in captured.err
        assert not out.exists()
        text = captured.err
    else:
        assert captured.err == ""
        assert out.exists()
        text = captured.out
    for fragment in says:
        assert fragment in text


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("9999-12-31", "'9999-12-31' is out of range; use a date from 1900-01-01 to 2200-12-31"),
        ("0001-01-01", "'0001-01-01' is out of range; use a date from 1900-01-01 to 2200-12-31"),
        ("2201-01-01", "is out of range"),
        ("now", "'now' is not a date; use YYYY-MM-DD"),
        ("today", "'today' is not a date"),
        ("2026", "'2026' is not a date"),
        ("Oct 2026", "'Oct 2026' is not a date"),
    ],
)
def test_as_of_out_of_range_or_without_a_day_is_refused_before_reading(
    typed, says, tmp_path, model_file, capsys
):
    # an unreadable leads file: had it been read, the error would be about it
    argv, out = run(tmp_path, model_file, b"\x00\x00garbage", ACTS, "--as-of", typed)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: --as-of: {says}\n" or says in captured.err
    assert captured.err.count("\n") == 1 and captured.out == ""
    assert not out.exists()


@pytest.mark.parametrize("typed", ["1900-01-01", "2200-12-31", "3 Oct 2026"])
def test_as_of_at_the_ends_of_the_range_and_with_a_month_name_scores(
    typed, tmp_path, model_file, capsys
):
    argv, _ = run(tmp_path, model_file, (LEADS_HEAD + "L1,Ann,1899-01-01\n").encode())
    assert main([*argv, "--as-of", typed]) == 0
    assert pd.Timestamp(typed).strftime("%Y-%m-%d") in capsys.readouterr().out


@pytest.mark.parametrize(
    ("columns", "limit", "code", "says"),
    [
        (100_000, None, 2, "has 100,000 columns; the limit is 2,000 (set WORKBENCH_MAX_COLUMNS"),
        (6, "5", 2, "has 6 columns; the limit is 5"),
        (6, "6", 0, "Wrote"),
        (6, "six", 2, "WORKBENCH_MAX_COLUMNS: 'six' is not a whole number"),
    ],
)
def test_a_file_wider_than_the_column_limit_is_refused_before_it_is_read(
    columns, limit, code, says, tmp_path, model_file, capsys, monkeypatch
):
    if limit is None:
        monkeypatch.delenv("WORKBENCH_MAX_COLUMNS", raising=False)
    else:
        monkeypatch.setenv("WORKBENCH_MAX_COLUMNS", limit)
    extra = [f"c{i}" for i in range(columns - 3)]
    head = ",".join([*LEADS_HEAD.strip().split(","), *extra])
    row = ",".join(["L1", "Ann", "2026-09-01", *("x" for _ in extra)])
    argv, _ = run(tmp_path, model_file, f"{head}\n{row}\n".encode())
    assert main(argv) == code
    captured = capsys.readouterr()
    assert says in (captured.err if code else captured.out)
    if code:
        assert captured.err.count("\n") == 1 and len(captured.err) < 400


def test_short_and_long_rows_are_set_aside_with_their_row_and_fields(tmp_path):
    path = tmp_path / "acts.csv"
    path.write_text(
        ACTS_HEAD
        + 'L1,2026-10-01T10:00:00,"page\nview"\n'  # record 2 spans two lines
        + "L2,2026-10-02T10:00:00\n"  # record 3: short
        + "L1,2026-10-03T10:00:00,page_view,extra\n"  # record 4: long
        + "L9,2026-10-04T10:00:00,page_view\n"  # record 5: unknown lead
        + "L2,2026-10-05T10:00:00,page_view\n"  # record 6: kept
    )
    leads = pd.DataFrame({"lead_id": ["L1", "L2"]})
    data = wb.load_data(leads, path, now="2026-11-01")
    rejected = data.report.rejected_activities
    assert rejected["row"].tolist() == [3, 4, 5]
    assert rejected["reason"].tolist() == ["short_row", "long_row", "unknown_lead"]
    assert rejected.iloc[0][["lead_id", "timestamp"]].tolist() == ["L2", "2026-10-02T10:00:00"]
    assert pd.isna(rejected.iloc[0]["activity_type"])
    assert data.report.counts["activities_read"] == 5
    assert data.report.counts["activities_kept"] == 2


def test_parquet_integer_ids_with_a_null_stay_integers_and_match_activities(
    tmp_path, model_file, capsys
):
    pq.write_table(
        pa.table({"lead_id": pa.array([1, 2, None, 12345678901234567], pa.int64())}),
        tmp_path / "leads.parquet",
    )
    (tmp_path / "acts.csv").write_text(
        ACTS_HEAD + "1,2026-10-01T10:00:00,page_view\n12345678901234567,2026-10-01,page_view\n"
    )
    out = tmp_path / "scores.csv"
    argv = ["score", "--model", str(model_file), "--leads", str(tmp_path / "leads.parquet")]
    argv += ["--activities", str(tmp_path / "acts.csv"), "--out", str(out)]
    assert main(argv) == 0
    report = capsys.readouterr().out
    assert "4 rows read, 3 kept, 1 set aside" in report  # the empty id, as before
    assert "Activities: 2 rows read, 2 kept, 0 set aside" in report
    ids = pd.read_csv(out, dtype=str, encoding="utf-8-sig")["lead_id"]
    assert sorted(ids) == ["1", "12345678901234567", "2"]  # never 1.0, never rounded


@pytest.mark.parametrize("which", ["--model", "--leads", "--activities"])
@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_a_pipe_or_a_device_as_an_input_is_refused_not_read(
    which, special, tmp_path, model_file, capsys
):
    """A FIFO waits for a writer forever and /dev/zero never ends: neither is opened."""
    argv, _ = run(tmp_path, model_file, b"lead_id,name\nL1,Ann\n")
    if special == "fifo":
        special = str(tmp_path / "input.csv")
        os.mkfifo(special)
    else:  # behind a link with a data file's name, as a careless export script might leave
        (tmp_path / "zero.yaml").symlink_to(special)
        (tmp_path / "zero.csv").symlink_to(special)
        special = str(tmp_path / ("zero.yaml" if which == "--model" else "zero.csv"))
    argv[argv.index(which) + 1] = special
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{special}: cannot read the file: it is a " in err
    assert "not a regular file" in err


def test_a_binary_column_that_is_not_text_is_refused_by_name(tmp_path, capsys):
    path = tmp_path / "leads.parquet"
    titles = pa.array([b"\xff\xfeVP", b"CEO"], pa.binary())
    pq.write_table(pa.table({"lead_id": ["L1", "L2"], "job_title": titles}), path)
    model = tmp_path / "model.yaml"
    title = crit("ceo", {"kind": "contains", "field": "job_title", "values": ["CEO"]})
    wb.save_model(make_model([title]), model)
    argv = ["score", "--model", str(model), "--leads", str(path), "--out", str(tmp_path / "s.csv")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "column 'job_title': holds binary data that is not UTF-8 text" in err
    pq.write_table(pa.table({"lead_id": ["L1", "L2"], "job_title": [b"VP", b"CEO"]}), path)
    assert main(argv) == 0  # binary that is text is read as text
    assert pd.read_csv(tmp_path / "s.csv")["score"].tolist() == [0, 10]


def test_infinite_and_overflowing_numbers_are_warned_about_and_score_nothing(tmp_path, capsys):
    path = tmp_path / "leads.parquet"
    sizes = [50.0, float("inf"), 1e308, -float("inf")]
    pq.write_table(pa.table({"lead_id": ["L1", "L2", "L3", "L4"], "size": sizes}), path)
    model = tmp_path / "model.yaml"
    big = crit("big", {"kind": "range", "field": "size", "min": 10})
    wb.save_model(make_model([big]), model)
    out = tmp_path / "s.csv"
    assert main(["score", "--model", str(model), "--leads", str(path), "--out", str(out)]) == 0
    assert "column 'size': 3 values are not numbers" in capsys.readouterr().out
    assert pd.read_csv(out)["score"].tolist() == [10, 0, 0, 0]


def test_a_missing_column_in_a_wide_file_lists_a_few_columns_not_all(tmp_path, capsys):
    names = ["lead_id", *(f"field_{i}" for i in range(1500))]
    (tmp_path / "leads.csv").write_text(",".join(names) + "\n" + ",".join(["L1"] * 1501) + "\n")
    model = tmp_path / "model.yaml"
    wb.save_model(make_model([crit("vp", {"kind": "present", "field": "title"})]), model)
    argv = ["score", "--model", str(model), "--leads", str(tmp_path / "leads.csv")]
    assert main([*argv, "--out", str(tmp_path / "s.csv")]) == 2
    err = capsys.readouterr().err
    assert "column 'title' is not in the leads file" in err
    assert "field_18, field_19 … (1,480 more)." in err and len(err) < 600


def test_a_csv_with_old_mac_line_endings_reads_row_by_row(tmp_path):
    """Excel for Mac's 'CSV (Macintosh)' ends lines with a bare CR."""
    path = tmp_path / "leads.csv"
    path.write_bytes(b'lead_id,name\rL1,"Ann\rSmith"\rL2,Bob\r')
    data = wb.load_data(path)
    assert data.leads["name"].tolist() == ["Ann\rSmith", "Bob"]
    assert data.report.counts["leads_read"] == 2


def test_a_value_longer_than_a_megabyte_is_read_whole(tmp_path):
    """A pasted e-mail thread in a notes column: longer than Arrow's 1 MB read block."""
    path = tmp_path / "leads.csv"
    path.write_text("lead_id,name,notes\nL1,Ann," + "x" * 3_000_000 + "\nL2,Bob,short\n")
    data = wb.load_data(path)
    assert data.leads["notes"].str.len().tolist() == [3_000_000, 5]
    assert data.report.counts["leads_kept"] == 2


def test_a_parquet_file_with_a_column_name_twice_reads_as_a_csv_would(tmp_path):
    path = tmp_path / "leads.parquet"
    columns = [pa.array(["L1", "L2"]), pa.array(["VP", "CEO"]), pa.array(["x", "y"])]
    pq.write_table(pa.Table.from_arrays(columns, names=["lead_id", "title", "title"]), path)
    data = wb.load_data(path)
    assert list(data.leads.columns) == ["title", "title.1"]
    assert data.leads["title"].tolist() == ["VP", "CEO"]
