"""Loading leads and activities: placeholders, duplicates, bad dates, set-aside rows, formats.

Row numbers are spreadsheet rows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.model.spec import ActivityColumns, DataMapping

NOW = "2026-11-22"


def frame(**columns) -> pd.DataFrame:
    """A leads/activities frame of text columns (what a CSV export gives)."""
    return pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()})


def activities(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["lead_id", "timestamp", "activity_type", "detail"])


def issues_of(report: wb.DataReport, code: str) -> list[tuple[int, str, str]]:
    """(row, column, value) of every issue with ``code``, by row."""
    hits = report.issues[report.issues["code"] == code]
    return sorted(zip(hits["row"], hits["column"], hits["value"], strict=True))


# --- placeholders ------------------------------------------------------------------------


def test_placeholders_become_missing_and_are_counted_per_column():
    leads = frame(
        lead_id=["a", "b", "c", "d"],
        seniority=["Select", "VP", "  ", "select"],
        industry=["N/A", " Software ", "", "Selection"],
        country=["Germany", "n/a", "France", "Canada"],
    )
    data = wb.load_data(leads)

    assert data.leads["seniority"].isna().tolist() == [True, False, True, True]
    assert data.leads["industry"].isna().tolist() == [True, False, True, False]
    assert data.leads["country"].isna().tolist() == [False, True, False, False]
    # real values survive, stripped of stray spaces; a word that merely starts like a
    # placeholder is not one
    assert data.leads.loc["b", "industry"] == "Software"
    assert data.leads.loc["d", "industry"] == "Selection"
    counts = data.report.placeholders["leads"]
    assert {k: counts[k] for k in ("seniority", "industry", "country")} == {
        "seniority": 3,
        "industry": 2,
        "country": 1,
    }
    assert counts["lead_id"] == 0
    # placeholders are not problems with the rows: nothing is set aside for them
    assert data.report.counts["leads_kept"] == 4
    assert "seniority 3" in str(data.report)


def test_placeholder_counts_are_keyed_by_the_file_name(tmp_path):
    path = tmp_path / "leads.csv"
    frame(lead_id=["a", "b"], budget=["Yes", "N/A"]).to_csv(path, index=False)
    data = wb.load_data(path)
    assert data.report.placeholders[str(path)]["budget"] == 1
    assert pd.isna(data.leads.loc["b", "budget"])


def test_the_model_data_section_can_name_other_placeholders():
    leads = frame(lead_id=["a", "b", "c"], industry=["Unknown", "Select", "Retail"])
    data = wb.load_data(leads, mapping=DataMapping(placeholders=("unknown",)))
    # only the listed placeholders count; 'Select' is a value for this CRM
    assert data.leads["industry"].tolist()[1:] == ["Select", "Retail"]
    assert pd.isna(data.leads.loc["a", "industry"])
    assert data.report.placeholders["leads"]["industry"] == 1


# --- ids: duplicates, missing, leading zeros -----------------------------------------------


def test_duplicate_ids_keep_the_first_row_and_set_the_rest_aside_with_row_numbers():
    leads = frame(
        lead_id=["a", "b", "a", "", "c", "b", "N/A", "a"],
        first_name=["Ann", "Bob", "Ann2", "Nobody", "Cy", "Bob2", "Nil", "Ann3"],
    )
    data = wb.load_data(leads)

    assert data.leads.index.tolist() == ["a", "b", "c"]
    assert data.leads.index.name == "lead_id"
    assert data.leads["first_name"].tolist() == ["Ann", "Bob", "Cy"]  # first kept
    rejected = data.report.rejected_leads
    assert list(rejected[["row", "reason"]].itertuples(index=False, name=None)) == [
        (4, "duplicate_id"),  # the second 'a' (header is row 1)
        (5, "missing_id"),
        (7, "duplicate_id"),
        (8, "missing_id"),  # 'N/A' is a placeholder, so the id is empty
        (9, "duplicate_id"),
    ]
    assert rejected["first_name"].tolist() == ["Ann2", "Nobody", "Bob2", "Nil", "Ann3"]
    assert [r for r, _, _ in issues_of(data.report, "duplicate_id")] == [4, 7, 9]
    assert [r for r, _, _ in issues_of(data.report, "missing_id")] == [5, 8]
    c = data.report.counts
    assert (c["leads_read"], c["leads_kept"], c["leads_rejected"]) == (8, 3, 5)
    assert "8 rows read, 3 kept, 5 set aside" in str(data.report)


def test_ids_are_stripped_before_duplicates_are_found():
    data = wb.load_data(frame(lead_id=["a", " a ", "b "]))
    assert data.leads.index.tolist() == ["a", "b"]
    assert data.report.rejected_leads["reason"].tolist() == ["duplicate_id"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(["a", "b", "00123", "123", " a", "", " ", "N/A", "x"]),
        min_size=1,
        max_size=25,
    )
)
def test_nothing_is_silently_dropped(ids):
    data = wb.load_data(frame(lead_id=ids, n=[str(i) for i in range(len(ids))]))
    rejected = data.report.rejected_leads
    assert len(data.leads) + len(rejected) == len(ids)
    assert data.report.counts["leads_read"] == len(ids)
    assert data.leads.index.is_unique
    # every kept lead is the first row with its id; every rejected row says why
    stripped = [i.strip() for i in ids]
    for lead_id, n in data.leads["n"].items():
        assert stripped.index(lead_id) == int(n)
    assert set(rejected["reason"]) <= {"duplicate_id", "missing_id"}
    assert sorted(rejected["row"].tolist() + [int(n) + 2 for n in data.leads["n"]]) == list(
        range(2, len(ids) + 2)
    )


def test_leading_zeros_of_ids_survive_a_csv_round_trip(tmp_path):
    frame(lead_id=["00123", "0042", "7"], name=["x", "y", "z"]).to_csv(
        tmp_path / "leads.csv", index=False
    )
    activities(
        [
            ("00123", "2026-10-01", "page_view", "/pricing"),
            ("123", "2026-10-01", "page_view", "/pricing"),  # not the same lead
            ("0042", "2026-10-02", "email_click", ""),
        ]
    ).to_csv(tmp_path / "acts.csv", index=False)
    data = wb.load_data(tmp_path / "leads.csv", tmp_path / "acts.csv", now=NOW)

    assert data.leads.index.tolist() == ["00123", "0042", "7"]
    assert len(data.activities_of("00123")) == 1
    assert data.activities_of("0042")["type"].tolist() == ["email_click"]
    assert data.report.rejected_activities[["row", "reason", "lead_id"]].values.tolist() == [
        [3, "unknown_lead", "123"]
    ]


# --- dates and outcomes --------------------------------------------------------------------


def test_unparseable_created_at_becomes_missing_with_an_issue_and_the_lead_is_kept():
    leads = frame(
        lead_id=["a", "b", "c", "d", "e"],
        created_at=["2026-05-01", "next tuesday", "2026-06-01 10:30", "2026-02-30", ""],
    )
    data = wb.load_data(leads)

    created = data.leads["created_at"]
    assert pd.api.types.is_datetime64_any_dtype(created)
    assert created["a"] == pd.Timestamp("2026-05-01")
    assert created["c"] == pd.Timestamp("2026-06-01 10:30")
    assert created[["b", "d", "e"]].isna().all()
    assert len(data.leads) == 5  # a bad date never costs the lead
    # an empty cell is a placeholder, not an unparseable date
    assert issues_of(data.report, "unparseable_date") == [
        (3, "created_at", "next tuesday"),
        (5, "created_at", "2026-02-30"),
    ]
    assert set(data.report.issues["action"]) == {"treated as missing"}


def test_created_at_with_daylight_saving_offsets_loads():
    leads = frame(
        lead_id=["a", "b"], created_at=["2026-01-15T10:00:00+01:00", "2026-07-15T10:00:00+02:00"]
    )
    data = wb.load_data(leads)
    assert data.leads["created_at"].tolist() == [
        pd.Timestamp("2026-01-15 09:00"),
        pd.Timestamp("2026-07-15 08:00"),
    ]


def test_timestamps_with_one_utc_offset_are_converted_to_utc():
    leads = frame(lead_id=["a", "b"], created_at=["2026-01-15T10:00:00+01:00", ""])
    data = wb.load_data(leads)
    assert data.leads.loc["a", "created_at"] == pd.Timestamp("2026-01-15 09:00")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Yes", True),
        ("no", False),
        (" YES ", True),
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        ("1.0", True),
        ("Closed Won", True),
        ("lost", False),
    ],
)
def test_outcome_words_are_read_as_booleans(raw, expected):
    data = wb.load_data(frame(lead_id=["a"], converted=[raw]))
    assert str(data.leads["converted"].dtype) == "boolean"
    value = data.leads.loc["a", "converted"]
    assert pd.notna(value)
    assert bool(value) is expected
    assert data.report.ok


def test_unreadable_outcomes_become_unknown_with_an_issue():
    leads = frame(lead_id=["a", "b", "c", "d"], converted=["yes", "maybe", "", "2"])
    data = wb.load_data(leads)
    out = data.leads["converted"]
    assert out.tolist()[0] is True
    assert out[["b", "c", "d"]].isna().all()
    assert issues_of(data.report, "unparseable_outcome") == [
        (3, "converted", "maybe"),
        (5, "converted", "2"),
    ]
    assert len(data.leads) == 4


def test_outcome_columns_of_numbers_or_booleans_work_from_dataframes():
    leads = pd.DataFrame({"lead_id": ["a", "b", "c"], "converted": [1, 0, 1]})
    assert wb.load_data(leads).leads["converted"].tolist() == [True, False, True]
    leads = pd.DataFrame({"lead_id": ["a", "b"], "converted": [True, False]})
    assert wb.load_data(leads).leads["converted"].tolist() == [True, False]


# --- activities ----------------------------------------------------------------------------

LEADS = frame(lead_id=["a", "b", "00123"], name=["Ann", "Bob", "Zed"])
ACTS = activities(
    [
        ("a", "2026-10-01T10:00:00", "Page View", "/pricing"),  # row 2: kept
        ("zz", "2026-10-01", "page_view", "/x"),  # row 3: unknown lead
        ("a", "not a date", "page_view", "/y"),  # row 4: unparseable
        ("b", "2026-12-01", "page_view", "/z"),  # row 5: after now
        ("", "2026-10-02", "page_view", "/w"),  # row 6: no lead id
        (" b ", "2026-10-03", "page-view", "/pricing"),  # row 7: kept (id stripped)
        ("00123", "2026-10-04", "PAGE_VIEW", "/blog"),  # row 8: kept
        ("b", "2026-10-05", "Demo Request", ""),  # row 9: kept
    ]
)


@pytest.mark.parametrize("source", ["dataframe", "csv"])
def test_bad_activities_are_set_aside_with_reasons_and_rows(tmp_path, source):
    if source == "csv":
        LEADS.to_csv(tmp_path / "leads.csv", index=False)
        ACTS.to_csv(tmp_path / "acts.csv", index=False)
        data = wb.load_data(tmp_path / "leads.csv", tmp_path / "acts.csv", now=NOW)
    else:
        data = wb.load_data(LEADS, ACTS, now=NOW)

    rejected = data.report.rejected_activities
    assert list(rejected[["row", "reason"]].itertuples(index=False, name=None)) == [
        (3, "unknown_lead"),
        (4, "unparseable_date"),
        (5, "future_timestamp"),
        (6, "missing_id"),
    ]
    assert rejected["timestamp"].tolist()[1] == "not a date"  # the raw text, for the user
    c = data.report.counts
    assert (c["activities_read"], c["activities_kept"], c["activities_rejected"]) == (8, 4, 4)
    assert c["activities_kept"] + c["activities_rejected"] == c["activities_read"]
    assert len(data.activities) == 4
    codes = data.report.issues["code"].tolist()
    assert sorted(codes) == sorted(
        ["unknown_lead", "unparseable_date", "future_timestamp", "missing_id"]
    )
    assert "8 rows read, 4 kept, 4 set aside" in str(data.report)

    # kept events point at the right lead, with the type normalised
    assert list(data.activities.columns) == ["lead_idx", "timestamp", "type", "detail"]
    kept = data.activities.assign(lead=data.leads.index[data.activities["lead_idx"]])
    assert kept[["lead", "type"]].astype(str).values.tolist() == [
        ["a", "page_view"],
        ["b", "page_view"],
        ["00123", "page_view"],
        ["b", "demo_request"],
    ]
    assert kept["timestamp"].tolist()[0] == pd.Timestamp("2026-10-01 10:00")


def test_activity_types_are_normalised():
    acts = activities(
        [
            ("a", "2026-10-01", "Page View", ""),
            ("a", "2026-10-02", "page-view", ""),
            ("a", "2026-10-03", " PAGE_VIEW ", ""),
            ("a", "2026-10-04", "Form  Submit", ""),
        ]
    )
    data = wb.load_data(frame(lead_id=["a"]), acts, now=NOW)
    assert data.activities["type"].astype(str).tolist() == [
        "page_view",
        "page_view",
        "page_view",
        "form_submit",
    ]
    assert data.report.ok


def test_an_activity_with_no_type_is_set_aside():
    acts = pd.DataFrame(
        {
            "lead_id": ["a", "a"],
            "timestamp": ["2026-10-01", "2026-10-02"],
            "activity_type": ["page_view", None],
        }
    )
    data = wb.load_data(frame(lead_id=["a"]), acts, now=NOW)
    assert data.report.rejected_activities[["row", "reason"]].values.tolist() == [
        [3, "missing_type"]
    ]
    assert data.report.counts["activities_kept"] == 1


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_activity_type_is_set_aside_as_missing_type(tmp_path, blank):
    acts = activities(
        [
            ("a", "2026-10-01", "page_view", "/pricing"),
            ("a", "2026-10-02", blank, ""),
        ]
    )
    acts.to_csv(tmp_path / "acts.csv", index=False)
    data = wb.load_data(frame(lead_id=["a"]), tmp_path / "acts.csv", now=NOW)
    assert data.report.rejected_activities[["row", "reason"]].values.tolist() == [
        [3, "missing_type"]
    ]
    assert data.report.counts["activities_kept"] == 1


def test_activity_timestamps_across_daylight_saving_load():
    acts = activities(
        [
            ("a", "2026-03-20T10:00:00+01:00", "page_view", ""),
            ("a", "2026-10-20T10:00:00+02:00", "page_view", ""),
        ]
    )
    data = wb.load_data(frame(lead_id=["a"]), acts, now=NOW)
    assert data.activities["timestamp"].tolist() == [
        pd.Timestamp("2026-03-20 09:00"),
        pd.Timestamp("2026-10-20 08:00"),
    ]


def test_now_decides_which_events_are_in_the_future():
    acts = activities(
        [
            ("a", "2026-11-21T23:00:00", "page_view", ""),
            ("a", "2026-11-23T01:00:00", "page_view", ""),
        ]
    )
    data = wb.load_data(frame(lead_id=["a"]), acts, now="2026-11-22")
    assert data.report.rejected_activities["reason"].tolist() == ["future_timestamp"]
    later = wb.load_data(frame(lead_id=["a"]), acts, now="2026-12-01")
    assert later.report.counts["activities_kept"] == 2


# --- column mapping ------------------------------------------------------------------------


def crm_export() -> tuple[pd.DataFrame, pd.DataFrame]:
    leads = frame(**{"Prospect ID": ["P-1", "P-2", "P-1"], "Job Title": ["VP", "CEO", "Intern"]})
    acts = pd.DataFrame(
        {
            "Prospect ID": ["P-1", "P-2"],
            "Activity Date": ["2026-10-01", "2026-10-02"],
            "Activity Type": ["Email Click", "Web Visit"],
        }
    )
    return leads, acts


def test_a_crm_export_loads_with_its_id_column_named_in_the_mapping():
    leads, acts = crm_export()
    mapping = DataMapping(
        lead_id="Prospect ID",
        activities=ActivityColumns(
            lead_id="Prospect ID", timestamp="Activity Date", type="Activity Type", detail=None
        ),
    )
    data = wb.load_data(leads, acts, mapping=mapping, now=NOW)
    assert data.leads.index.tolist() == ["P-1", "P-2"]
    assert "Prospect ID" not in data.leads.columns
    assert data.report.rejected_leads[["row", "reason"]].values.tolist() == [[4, "duplicate_id"]]
    assert data.report.issues["column"].tolist() == ["Prospect ID"]
    assert data.activities["type"].astype(str).tolist() == ["email_click", "web_visit"]
    assert data.activities["lead_idx"].tolist() == [0, 1]


def test_the_mapping_comes_from_the_model_data_section(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text(
        "name: CRM\n"
        "criteria:\n"
        "  - {id: vp, label: VP, bucket: fit, points: 10,\n"
        "     rule: {kind: contains, field: Job Title, values: [VP]}}\n"
        "data:\n"
        "  lead_id: Prospect ID\n"
        "  activities: {lead_id: Prospect ID, timestamp: Activity Date, type: Activity Type}\n"
    )
    model = wb.load_model(path)
    leads, acts = crm_export()
    data = wb.load_data(leads, acts, model=model, now=NOW)
    assert data.leads.index.tolist() == ["P-1", "P-2"]
    assert data.mapping.lead_id == "Prospect ID"
    assert data.report.counts["activities_kept"] == 2


def test_a_mapping_to_a_missing_column_names_file_column_and_a_suggestion(tmp_path):
    path = tmp_path / "crm.csv"
    frame(**{"Contact Keys": ["k1"], "Email": ["x@y.com"]}).to_csv(path, index=False)
    with pytest.raises(wb.DataError) as err:
        wb.load_data(path, mapping=DataMapping(lead_id="Contact Key"))
    message = str(err.value)
    assert str(path) in message
    assert "'Contact Key'" in message
    assert "Did you mean 'Contact Keys'?" in message
    assert "data:" in message  # says where to fix it


def test_a_missing_activity_column_is_reported_with_the_activities_file(tmp_path):
    path = tmp_path / "acts.csv"
    pd.DataFrame({"lead_id": ["a"], "timestamp": ["2026-10-01"], "what": ["x"]}).to_csv(
        path, index=False
    )
    with pytest.raises(wb.DataError, match="activity type column is missing") as err:
        wb.load_data(frame(lead_id=["a"]), path, now=NOW)
    assert str(path) in str(err.value)


def test_a_mapping_to_a_missing_column_never_falls_back_to_another_column():
    leads = frame(Id=["row-1", "row-2"], **{"Contact Number": ["C-9", "C-8"]})
    with pytest.raises(wb.DataError, match="Contact No"):
        wb.load_data(leads, mapping=DataMapping(lead_id="Contact No"))


def test_column_names_are_matched_forgiving_case_and_spaces():
    data = wb.load_data(frame(**{"Lead ID": ["a", "b"]}))
    assert data.leads.index.tolist() == ["a", "b"]


# --- file formats --------------------------------------------------------------------------


def lead_table() -> pd.DataFrame:
    return frame(
        lead_id=["00123", "a", "a", "", "b"],
        first_name=["Ann", "Select", "Dup", "Nobody", "Bo"],
        created_at=["2026-05-01", "2026-06-01 10:30", "", "", "junk"],
        converted=["Yes", "0", "", "", "maybe"],
    )


def test_csv_parquet_and_excel_load_to_the_same_leads(tmp_path):
    table = lead_table()
    table.to_csv(tmp_path / "leads.csv", index=False)
    table.to_parquet(tmp_path / "leads.parquet", index=False)
    table.to_excel(tmp_path / "leads.xlsx", index=False)
    loaded = {ext: wb.load_data(tmp_path / f"leads.{ext}") for ext in ("csv", "parquet", "xlsx")}

    base = loaded["csv"]
    assert base.leads.index.tolist() == ["00123", "a", "b"]
    for ext in ("parquet", "xlsx"):
        other = loaded[ext]
        pd.testing.assert_frame_equal(other.leads, base.leads)
        assert other.report.counts == base.report.counts
        assert (
            other.report.rejected_leads[["row", "reason"]].values.tolist()
            == base.report.rejected_leads[["row", "reason"]].values.tolist()
        )
        cols = ["row", "column", "code", "value"]
        assert other.report.issues[cols].values.tolist() == base.report.issues[cols].values.tolist()


def test_activities_load_the_same_from_csv_parquet_and_excel(tmp_path):
    acts = ACTS.copy()
    acts.to_csv(tmp_path / "a.csv", index=False)
    acts.to_parquet(tmp_path / "a.parquet", index=False)
    acts.to_excel(tmp_path / "a.xlsx", index=False)
    loaded = [
        wb.load_data(LEADS, tmp_path / f"a.{ext}", now=NOW) for ext in ("csv", "parquet", "xlsx")
    ]
    first = loaded[0]
    for other in loaded[1:]:
        pd.testing.assert_frame_equal(
            other.activities.astype({"type": str, "detail": str}),
            first.activities.astype({"type": str, "detail": str}),
        )
        assert other.report.counts == first.report.counts


def test_a_utf8_bom_from_excel_does_not_hide_the_id_column(tmp_path):
    (tmp_path / "leads.csv").write_bytes("\ufefflead_id,name\n00123,Ann\n".encode())
    (tmp_path / "acts.csv").write_bytes(
        "\ufefflead_id,timestamp,activity_type\n00123,2026-10-01,Page View\n".encode()
    )
    data = wb.load_data(tmp_path / "leads.csv", tmp_path / "acts.csv", now=NOW)
    assert data.leads.index.tolist() == ["00123"]
    assert data.report.counts["activities_kept"] == 1


def test_a_missing_file_raises_data_error_naming_it(tmp_path):
    path = tmp_path / "nowhere" / "leads.csv"
    with pytest.raises(wb.DataError, match="file not found") as err:
        wb.load_data(path)
    assert str(path) in str(err.value)
    frame(lead_id=["a"]).to_csv(tmp_path / "leads.csv", index=False)
    with pytest.raises(wb.DataError, match="file not found") as err:
        wb.load_data(tmp_path / "leads.csv", tmp_path / "acts.csv")
    assert "acts.csv" in str(err.value)


@pytest.mark.parametrize("name", ["leads.json", "leads.tsv", "leads"])
def test_an_unknown_extension_raises_data_error_naming_the_file(tmp_path, name):
    path = tmp_path / name
    path.write_text("lead_id\na\n")
    with pytest.raises(wb.DataError, match=r"unknown file type.*\.csv, \.parquet or \.xlsx") as e:
        wb.load_data(path)
    assert str(path) in str(e.value)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("leads.xlsx", b"lead_id\na\n"),  # a CSV renamed to .xlsx
        ("leads.parquet", b"lead_id\na\n"),
        ("leads.csv", b"lead_id,name\na,\x81\x8d\n"),  # neither UTF-8 nor Windows-1252
        ("leads.csv", b""),
    ],
)
def test_an_unreadable_file_raises_data_error_naming_it(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(wb.DataError, match="cannot read the file") as err:
        wb.load_data(path)
    assert str(path) in str(err.value)


def test_a_truncated_excel_file_raises_data_error(tmp_path):
    lead_table().to_excel(tmp_path / "full.xlsx", index=False)
    path = tmp_path / "leads.xlsx"
    path.write_bytes((tmp_path / "full.xlsx").read_bytes()[:300])
    with pytest.raises(wb.DataError, match="cannot read the file"):
        wb.load_data(path)


def test_row_numbers_count_blank_lines_in_a_csv(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("lead_id,name\na,1\n\nb,2\na,3\n")  # 'a' again on spreadsheet row 5
    data = wb.load_data(path)
    assert data.report.rejected_leads["row"].tolist() == [5]


def test_summary_lists_each_problem_with_examples():
    data = wb.load_data(lead_table())
    summary = data.report.summary()
    by_code = dict(zip(summary["code"], summary["count"], strict=True))
    assert by_code == {
        "missing_id": 1,
        "duplicate_id": 1,
        "unparseable_date": 1,
        "unparseable_outcome": 1,
    }
    row = summary[summary["code"] == "unparseable_date"].iloc[0]
    assert row["examples"] == "row 6: 'junk'"
    assert not data.report.ok


def test_a_file_with_its_own_row_and_reason_columns_keeps_them_in_the_rows_set_aside(tmp_path):
    """A CRM export with a 'row' or 'reason' column and a bad row loads, and the steward
    sees the file's values beside the set-aside row number and reason."""
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "lead_id,row,reason,converted\n"
        "a,7,referral,1\n"
        ",8,cold call,0\n"  # no id: set aside
        "a,9,webinar,0\n"  # repeated id: set aside
        "b,10,fair,0,extra\n"  # one field too many: set aside
    )
    events = tmp_path / "activities.csv"
    events.write_text(
        "lead_id,timestamp,activity_type,reason\n"
        "a,2026-05-01,page_view,pricing\n"
        "zz,2026-05-01,page_view,careers\n"  # unknown lead: set aside
    )
    data = wb.load_data(leads, events)
    aside = data.report.rejected_leads
    assert list(aside.columns[:2]) == ["row", "reason"]
    assert aside["row"].tolist() == [3, 4, 5]
    assert aside["reason"].tolist() == ["missing_id", "duplicate_id", "long_row"]
    assert aside["row (in file)"].tolist() == ["8", "9", "10"]
    assert aside["reason (in file)"].tolist() == ["cold call", "webinar", "fair"]
    assert data.leads.loc["a", "reason"] == "referral"
    act = data.report.rejected_activities
    assert act["reason (in file)"].tolist() == ["careers"]
    assert act["reason"].tolist() != ["careers"]
