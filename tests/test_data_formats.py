"""Files as spreadsheets and CRMs really write them: delimiters, encodings, workbooks with
several sheets, day-first dates, and dates typed on the command line.

Each test builds its files in ``tmp_path`` from the shipped samples, so a format is checked
against the same leads loaded from the plain comma-separated UTF-8 sample.
"""

from __future__ import annotations

import pandas as pd
import pytest

import workbench as wb
from tests.helpers import AS_OF, SAMPLES, crit, make_model
from workbench.cli import main
from workbench.engine.signals import resolve_as_of
from workbench.model.spec import DataMapping

NOW = "2026-11-22"
SAVE_AS = "save it as 'CSV UTF-8"


@pytest.fixture(scope="module")
def sample_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample leads and activities as text, as a CRM export holds them."""
    read = {"dtype": str, "keep_default_na": False}
    return pd.read_csv(SAMPLES / "leads.csv", **read), pd.read_csv(
        SAMPLES / "activities.csv", **read
    )


def issues_of(report: wb.DataReport, code: str) -> list[tuple[int, str, str]]:
    hits = report.issues[report.issues["code"] == code]
    return sorted(zip(hits["row"], hits["column"], hits["value"], strict=True))


def assert_same_data(data: wb.LeadData, expected: wb.LeadData) -> None:
    pd.testing.assert_frame_equal(data.leads, expected.leads)
    pd.testing.assert_frame_equal(data.activities, expected.activities)
    assert data.report.counts == expected.report.counts


# --- CSV dialects and encodings ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [
        (";", "utf-8"),  # Excel in most of Europe: "CSV (semicolon delimited)"
        (";", "utf-8-sig"),  # Excel's "CSV UTF-8", semicolon locale
        ("\t", "utf-8"),
        ("|", "utf-8"),
        (";", "cp1252"),  # Excel on Windows, not asked for UTF-8
        ("\t", "utf-16"),  # Excel's "Unicode text": UTF-16 with a byte-order mark, tabs
    ],
)
def test_exports_in_any_spreadsheet_dialect_load_like_the_comma_utf8_sample(
    tmp_path, sample_model, sample_data, sample_tables, sep, encoding
):
    leads, acts = sample_tables
    leads.to_csv(tmp_path / "leads.csv", sep=sep, encoding=encoding, index=False)
    acts.to_csv(tmp_path / "acts.csv", sep=sep, encoding=encoding, index=False)

    data = wb.load_data(tmp_path / "leads.csv", tmp_path / "acts.csv", model=sample_model, now=NOW)

    # every lead and event as from the original file: ids, text with commas ("Director,
    # IT"), accents, dates; nothing set aside that the original keeps
    assert_same_data(data, sample_data)


def test_accented_names_in_a_windows_1252_file_survive(tmp_path):
    (tmp_path / "leads.csv").write_bytes(
        "lead_id;first_name;city\n00123;José;Zürich\nL2;Zoë;Besançon\n".encode("cp1252")
    )
    (tmp_path / "acts.csv").write_bytes(
        "lead_id;timestamp;activity_type;detail\n"
        "00123;2026-10-01T10:00:00;page_view;/produits/prix-été\n".encode("cp1252")
    )
    data = wb.load_data(tmp_path / "leads.csv", tmp_path / "acts.csv", now=NOW)

    assert data.leads.loc["00123", "first_name"] == "José"
    assert data.leads["city"].tolist() == ["Zürich", "Besançon"]
    assert data.activities["detail"].tolist() == ["/produits/prix-été"]


def test_a_file_that_stops_being_utf8_deep_down_is_read_as_windows_1252(tmp_path):
    # 5,000 plain ASCII rows (more than the sniffed first 64 KB), then one accent
    ids = [f"L{i:06d}" for i in range(5000)] + ["L999999"]
    leads = "lead_id,first_name\n" + "".join(f"{i},Plain\n" for i in ids[:-1]) + "L999999,Renée\n"
    acts = "lead_id,timestamp,activity_type,detail\n" + "".join(
        f"{i},2026-10-01,page_view,/{'pricing' if i != 'L999999' else 'café'}\n" for i in ids
    )
    (tmp_path / "leads.csv").write_bytes(leads.encode("cp1252"))
    (tmp_path / "acts.csv").write_bytes(acts.encode("cp1252"))

    data = wb.load_data(tmp_path / "leads.csv", tmp_path / "acts.csv", now=NOW)

    assert data.leads.loc["L999999", "first_name"] == "Renée"
    assert data.report.counts["activities_kept"] == 5001
    assert data.activities_of("L999999")["detail"].tolist() == ["/café"]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"lead_id,name\na,\x81\x8d\n", "neither UTF-8 nor Windows-1252"),
        # no row fits the header (one that does not among rows that do is set aside)
        (b"lead_id;name\nb;Bob;extra\n", "line 2 has 3 values where the header has 2"),
        (b"", "it is empty"),
    ],
    ids=["unknown encoding", "ragged row", "empty"],
)
@pytest.mark.parametrize("role", ["leads", "activities"])
def test_an_unreadable_csv_is_named_with_what_is_wrong_and_what_to_do(tmp_path, content, why, role):
    path = tmp_path / f"{role}.csv"
    path.write_bytes(content)
    with pytest.raises(wb.DataError) as err:
        if role == "leads":
            wb.load_data(path)
        else:
            (tmp_path / "leads.csv").write_text("lead_id\na\n")
            wb.load_data(tmp_path / "leads.csv", path, now=NOW)
    message = str(err.value)
    assert message.startswith(f"{path}: cannot read the file")
    assert SAVE_AS in message
    if role == "leads" or "line" not in why:  # Arrow (activities) names no line number
        assert why in message
    else:
        assert "3 values where the header has 2" in message
    assert "C error" not in message and "codec" not in message  # no library jargon


# --- Excel workbooks -----------------------------------------------------------------------


def write_workbook(path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path) as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name, index=False)


ABOUT = pd.DataFrame({"Export": ["Leads from the CRM", "Exported by Dana", "Do not edit"]})


def test_a_workbook_is_read_from_the_sheet_holding_the_table(tmp_path, sample_tables):
    leads, acts = sample_tables
    leads, acts = leads.head(40), acts[acts["lead_id"].isin(leads["lead_id"].head(40))]
    leads.to_csv(tmp_path / "leads.csv", index=False)
    acts.to_csv(tmp_path / "acts.csv", index=False)
    # the workbook opens on an 'About' sheet; an empty 'Notes' sheet is never picked
    write_workbook(tmp_path / "leads.xlsx", {"About": ABOUT, "Leads": leads, "Notes": ABOUT[:0]})
    write_workbook(tmp_path / "acts.xlsx", {"About": ABOUT, "Activities": acts})

    from_excel = wb.load_data(tmp_path / "leads.xlsx", tmp_path / "acts.xlsx", now=NOW)
    from_csv = wb.load_data(tmp_path / "leads.csv", tmp_path / "acts.csv", now=NOW)

    assert_same_data(from_excel, from_csv)


def test_a_workbook_whose_only_filled_sheet_is_not_the_first_loads(tmp_path):
    write_workbook(
        tmp_path / "leads.xlsx",
        {"Sheet1": pd.DataFrame(columns=["lead_id"]), "Export": pd.DataFrame({"lead_id": ["a"]})},
    )
    assert wb.load_data(tmp_path / "leads.xlsx").leads.index.tolist() == ["a"]


def test_a_csv_renamed_to_xlsx_is_named_and_the_fix_given(tmp_path):
    path = tmp_path / "leads.xlsx"
    path.write_bytes(b"lead_id;name\na;Ann\n")
    with pytest.raises(wb.DataError) as err:
        wb.load_data(path)
    assert str(err.value) == (
        f"{path}: cannot read the file: it is not an Excel workbook (a CSV or another file "
        "renamed to .xlsx?). Open it in Excel and save it again as an .xlsx workbook, or save "
        "the sheet as 'CSV UTF-8 (comma delimited)'."
    )


def test_a_missing_column_in_a_workbook_says_which_sheet_was_read(tmp_path):
    table = pd.DataFrame({"Contact": ["a", "b", "c", "d"], "Email": ["w", "x", "y", "z"]})
    write_workbook(tmp_path / "leads.xlsx", {"About": ABOUT, "Contacts": table})
    with pytest.raises(wb.DataError, match="the lead id column is missing") as err:
        wb.load_data(tmp_path / "leads.xlsx")
    message = str(err.value)
    assert "Read sheet 'Contacts', the one with the most rows; the workbook also has 'About'" in (
        message
    )
    assert "Columns are: Contact, Email" in message


# --- dates written day first ---------------------------------------------------------------


def rewrite_dates(leads: pd.DataFrame, acts: pd.DataFrame, date_fmt: str, stamp_fmt: str):
    """The same leads and events with their dates written in other formats."""

    def fmt(col: pd.Series, how: str) -> pd.Series:
        stamps = pd.to_datetime(col, format="ISO8601", errors="coerce")
        return stamps.dt.strftime(how).fillna(col)  # a bad date stays as bad as it was

    leads = leads.assign(
        created_at=fmt(leads["created_at"], date_fmt),
        converted_at=fmt(leads["converted_at"], date_fmt),
    )
    return leads, acts.assign(timestamp=fmt(acts["timestamp"], stamp_fmt))


@pytest.mark.parametrize(
    ("date_fmt", "stamp_fmt"),
    [
        ("%d/%m/%Y", "%d/%m/%Y %H:%M"),  # a European CRM export
        ("%d.%m.%Y", "%d.%m.%Y %H:%M"),  # German Excel
        ("%m/%d/%Y", "%m/%d/%Y %H:%M"),  # a US export stays month first
    ],
)
def test_numeric_dates_score_exactly_like_the_iso_version_of_the_same_data(
    tmp_path, sample_model, sample_tables, date_fmt, stamp_fmt
):
    leads, acts = rewrite_dates(*sample_tables, "%Y-%m-%d", "%Y-%m-%dT%H:%M")  # minutes only
    leads.to_csv(tmp_path / "iso_leads.csv", index=False)
    acts.to_csv(tmp_path / "iso_acts.csv", index=False)
    local_leads, local_acts = rewrite_dates(*sample_tables, date_fmt, stamp_fmt)
    local_leads.to_csv(tmp_path / "leads.csv", index=False)
    local_acts.to_csv(tmp_path / "acts.csv", index=False)

    iso = wb.load_data(
        tmp_path / "iso_leads.csv", tmp_path / "iso_acts.csv", model=sample_model, now=NOW
    )
    local = wb.load_data(tmp_path / "leads.csv", tmp_path / "acts.csv", model=sample_model, now=NOW)

    assert_same_data(local, iso)
    assert local.report.ok == iso.report.ok  # no event pushed into the future or unread
    expected = wb.score(sample_model, wb.compute_signals(sample_model, iso, as_of=AS_OF))
    scored = wb.score(sample_model, wb.compute_signals(sample_model, local, as_of=AS_OF))
    pd.testing.assert_frame_equal(scored, expected)


def test_a_date_that_contradicts_its_column_is_reported_not_guessed():
    acts = pd.DataFrame(
        {
            "lead_id": ["a", "a", "a", "a"],
            "timestamp": [
                "12/05/2026 10:00",  # 12 May: the column is day first...
                "25/05/2026 09:30",  # ...as this shows
                "31/10/2026 17:45",
                "05/13/2026 10:00",  # month first: contradicts the column
            ],
            "activity_type": ["page_view"] * 4,
        }
    )
    data = wb.load_data(pd.DataFrame({"lead_id": ["a"]}), acts, now=NOW)

    assert data.activities["timestamp"].tolist() == [
        pd.Timestamp("2026-05-12 10:00"),
        pd.Timestamp("2026-05-25 09:30"),
        pd.Timestamp("2026-10-31 17:45"),
    ]
    assert issues_of(data.report, "unparseable_date") == [(5, "timestamp", "05/13/2026 10:00")]
    assert data.report.rejected_activities["reason"].tolist() == ["unparseable_date"]


def test_lead_dates_are_read_day_first_per_column():
    leads = pd.DataFrame(
        {
            "lead_id": ["a", "b", "c"],
            "created_at": ["02/03/2026", "20/03/2026", "not yet"],  # day first
            "converted_at": ["02/03/2026", "03/20/2026", ""],  # month first
        }
    )
    data = wb.load_data(leads)

    assert data.leads["created_at"].tolist()[:2] == [
        pd.Timestamp("2026-03-02"),
        pd.Timestamp("2026-03-20"),
    ]
    assert data.leads["converted_at"].tolist()[:2] == [
        pd.Timestamp("2026-02-03"),
        pd.Timestamp("2026-03-20"),
    ]
    assert issues_of(data.report, "unparseable_date") == [(4, "created_at", "not yet")]


def test_dates_that_read_either_way_stay_month_first_as_before():
    leads = pd.DataFrame({"lead_id": ["a", "b"], "created_at": ["02/03/2026", "04/05/2026"]})
    data = wb.load_data(leads)
    assert data.leads["created_at"].tolist() == [
        pd.Timestamp("2026-02-03"),
        pd.Timestamp("2026-04-05"),
    ]


def test_a_date_rule_reads_its_column_day_first():
    rule = {"kind": "within_days", "field": "last_visit", "days": 30}
    model = make_model([crit("recent_visit", rule, points=10)])
    leads = pd.DataFrame(
        {
            "lead_id": ["a", "b", "c"],
            # 'a' read month first would be 10 December: after the as-of, no points
            "last_visit": ["12/10/2026", "25/10/2026", "25/08/2026"],
        }
    )
    scored = wb.score(model, wb.compute_signals(model, wb.load_data(leads), as_of=AS_OF))
    assert scored["score"].to_dict() == {"a": 10, "b": 10, "c": 0}


def test_every_layout_a_column_mixes_is_read_to_the_minute():
    from workbench.data.loading import parse_dates

    text = pd.Series(
        [
            *("06/05/2026 01:30 PM", "06/15/2026 11:30 AM", "06/05/2026 12:05 AM"),
            *("12/05/2026", "06/07/2026 14:00:05", "06/08/2026 09:15"),
        ]
    )
    assert parse_dates(text).tolist() == [
        pd.Timestamp(v)
        for v in (
            "2026-06-05 13:30",
            "2026-06-15 11:30",
            "2026-06-05 00:05",
            "2026-12-05",
            "2026-06-07 14:00:05",
            "2026-06-08 09:15",
        )
    ]


def test_a_lead_alone_reads_its_dates_in_the_order_of_the_whole_file():
    # 'a' alone shows no day-first evidence (12/10 reads both ways); the file does (25/10)
    rule = {"kind": "within_days", "field": "last_visit", "days": 30}
    model = make_model([crit("recent_visit", rule, points=10)])
    leads = pd.DataFrame(
        {"lead_id": ["a", "b"], "last_visit": ["12/10/2026", "25/10/2026"], "created_at": ""}
    )
    data = wb.load_data(leads)
    alone = wb.score(model, wb.compute_signals(model, data.subset(["a"]), as_of=AS_OF))
    assert alone.loc["a", "score"] == 10


def test_a_file_mixing_utf8_and_windows_1252_is_refused_with_the_line(tmp_path):
    # real UTF-8 accents up top, one Windows-1252 byte far below: either reading garbles
    rows = "lead_id,first_name\n" + "".join(f"L{i:06d},Zoë\n" for i in range(8000))
    (tmp_path / "leads.csv").write_bytes(rows.encode() + "L999999,Renée\n".encode("cp1252"))
    mixed = r"line 8002 \(byte [\d,]+\): this line is not UTF-8.*mixes two"
    with pytest.raises(wb.DataError, match=mixed):
        wb.load_data(tmp_path / "leads.csv")


def test_a_utf8_character_cut_by_the_sniffed_prefix_is_still_utf8(tmp_path):
    from workbench.data.tables import SNIFF_BYTES

    head = "lead_id,first_name\n"
    pad = SNIFF_BYTES - len(head) - len("L1,") - 1  # 'ë' (2 bytes) straddles the boundary
    text = head + "L1," + "x" * pad + "ë\n" + "L2,Zoë\n"
    (tmp_path / "leads.csv").write_bytes(text.encode())
    data = wb.load_data(tmp_path / "leads.csv")
    assert data.leads.loc["L2", "first_name"] == "Zoë"
    assert data.leads.loc["L1", "first_name"].endswith("xë")


def test_semicolons_inside_a_quoted_header_do_not_make_it_a_semicolon_file(tmp_path):
    text = 'lead_id,"Company; Division; Unit",seniority\nL1,"Acme; EU; Sales",VP\n'
    (tmp_path / "leads.csv").write_text(text)
    data = wb.load_data(tmp_path / "leads.csv")
    assert data.leads.loc["L1", "Company; Division; Unit"] == "Acme; EU; Sales"


# --- --as-of as typed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-10-03", "2026-10-03 23:59:59.999999999"),
        ("2026-10-03T12:00:00+02:00", "2026-10-03 10:00"),
        ("13/10/2026", "2026-10-13 23:59:59.999999999"),  # only day first makes sense
        ("10/13/2026", "2026-10-13 23:59:59.999999999"),  # only month first makes sense
        ("05/05/2026", "2026-05-05 23:59:59.999999999"),  # both readings agree
        ("2026/10/03", "2026-10-03 23:59:59.999999999"),  # year first: one reading
        ("20261003", "2026-10-03 23:59:59.999999999"),
    ],
)
def test_as_of_accepts_dates_with_one_reading(tiny_data, typed, expected):
    assert resolve_as_of(tiny_data, typed) == pd.Timestamp(expected)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "as_of: no date given; use YYYY-MM-DD"),
        ("   ", "as_of: no date given; use YYYY-MM-DD"),
        (
            "03/10/2026",
            "'03/10/2026' can be read two ways: 3 October 2026 (day first) or March 10, 2026 "
            "(month first); write it as YYYY-MM-DD: 2026-10-03 or 2026-03-10",
        ),
        ("31/31/2026", "'31/31/2026' is not a date; use YYYY-MM-DD"),
        ("31/02/2026", "'31/02/2026' is not a calendar date (YYYY-MM-DD)"),
        ("next tuesday", "'next tuesday' is not a date; use YYYY-MM-DD"),
        ("31st of October", "'31st of October' is not a date; use YYYY-MM-DD"),  # no year
    ],
)
def test_as_of_refuses_what_it_cannot_read_one_way(tiny_data, typed, message):
    with pytest.raises(wb.DataError) as err:
        wb.compute_signals(
            make_model([crit("vp", {"kind": "present", "field": "email"})]), tiny_data, as_of=typed
        )
    assert message in str(err.value)


@pytest.mark.parametrize("typed", ["", "03/10/2026"])
def test_a_bad_as_of_on_the_command_line_exits_2_with_the_reason(tmp_path, capsys, typed):
    out = tmp_path / "scores.csv"
    argv = ["score", "--model", str(SAMPLES / "b2b_model.yaml")]
    argv += ["--leads", str(SAMPLES / "leads.csv"), "--as-of", typed, "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "YYYY-MM-DD" in err and "Traceback" not in err
    assert not out.exists()


# --- where to name a missing column --------------------------------------------------------


def test_a_missing_id_column_named_on_the_command_line_points_to_the_option(tmp_path):
    path = tmp_path / "export.csv"
    pd.DataFrame({"Prospect Keys": ["p1"], "Converted": ["yes"]}).to_csv(path, index=False)
    hint = "Name the right column with --id."
    with pytest.raises(wb.DataError) as err:
        wb.load_data(path, mapping=DataMapping(lead_id="Prospect Key"), column_hint=hint)
    message = str(err.value)
    assert message.endswith("Did you mean 'Prospect Keys'? Name the right column with --id.")
    assert "data:" not in message  # no model is involved in `workbench profile`


def test_a_missing_column_named_by_the_model_still_points_to_its_data_section(tmp_path):
    with pytest.raises(wb.DataError, match=r"Name the right column in the model's 'data:'"):
        wb.load_data(pd.DataFrame({"Contact": ["a"]}), mapping=DataMapping(lead_id="Key"))
