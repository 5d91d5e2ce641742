"""A leads file without an id column: row numbers as lead ids (``data.row_ids``).

A model drafted with ``--row-id`` must score the very file it was drafted from, in every
command, with ids a user finds again in their spreadsheet.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest

import workbench as wb
from tests.helpers import crit, planted_leads, tiny_leads
from workbench.analysis.hypothetical import score_hypothetical
from workbench.cli import main
from workbench.errors import DataError, ModelError
from workbench.model.spec import ROW_ID, DataMapping
from workbench.model.yaml_edit import edited_model_text
from workbench.model.yaml_io import model_to_yaml, parse_model_text

ROWS = DataMapping(lead_id=ROW_ID, row_ids=True)


def _export_with_bad_rows(tmp_path, n: int = 400):
    """A CSV export without ids, with a long row, a blank row and a quoted line break in
    it; and the record number (header = 1) of each row that is a lead."""
    frame = planted_leads(n).drop(columns=["Lead ID"]).astype(str)
    lines = [frame.columns.tolist(), *frame.to_numpy().tolist()]
    width = len(frame.columns)
    lines.insert(50, ["x"] * (width + 1))  # a delimiter inside a value: set aside
    lines.insert(120, [""] * width)  # a blank row: ignored
    lines[200][0] = "two\nlines"  # one record over two lines of text
    path = tmp_path / "no_ids.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(lines)
    leads = [i + 1 for i in range(1, len(lines)) if i not in (50, 120)]
    return path, leads


def test_a_row_id_draft_scores_the_file_it_was_drafted_from(tmp_path, capsys):
    path, leads = _export_with_bad_rows(tmp_path)
    model, scores = tmp_path / "d.yaml", tmp_path / "scores.csv"
    draft = ["draft", "--leads", str(path), "--row-id", "--outcome", "won", "--folds", "0"]
    assert main([*draft, "--out", str(model)]) == 0
    drafted = wb.load_model(model)
    assert drafted.data.row_ids and drafted.data.lead_id == ROW_ID
    capsys.readouterr()

    assert main(["score", "--model", str(model), "--leads", str(path), "--out", str(scores)]) == 0
    printed = capsys.readouterr().out
    out = pd.read_csv(scores, encoding="utf-8-sig")
    assert sorted(out[ROW_ID].tolist()) == leads  # one score per lead, its record number
    assert out["score"].notna().all()
    assert "set aside" in printed and "row 51" in printed  # the long row, by its number
    assert main(["validate", str(model), "--leads", str(path)]) == 0


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx", "frame"])
def test_each_lead_gets_the_number_of_its_own_row(tmp_path, fmt):
    """Read back from every input the numbers a spreadsheet shows beside each row."""
    frame = tiny_leads().drop(columns=["lead_id"])
    frame["row_in_sheet"] = [str(i + 2) for i in range(len(frame))]
    source = tmp_path / f"leads.{fmt}"
    if fmt == "csv":
        frame.to_csv(source, index=False)
    elif fmt == "parquet":
        frame.to_parquet(source, index=False)
    elif fmt == "xlsx":
        frame.to_excel(source, index=False)
    else:
        source = frame
    data = wb.load_data(source, mapping=ROWS)
    assert data.leads.index.tolist() == data.leads["row_in_sheet"].tolist()
    assert data.id_column == ROW_ID and ROW_ID not in data.leads.columns


def test_row_numbers_count_records_past_rows_set_aside(tmp_path):
    path, leads = _export_with_bad_rows(tmp_path, n=300)
    data = wb.load_data(path, mapping=ROWS)
    assert data.leads.index.astype(int).tolist() == leads
    first = data.leads.columns[0]
    # record 201 spans two lines of text; the one after it is still record 202
    assert data.leads.loc["201", first] == "two\nlines"
    assert data.leads.loc["202", first] != "two\nlines"
    issues = data.report.issues
    assert issues.loc[issues["code"] == "long_row", "row"].tolist() == [51]


def test_a_file_column_named_like_the_row_numbers_is_refused(tmp_path, capsys):
    frame = tiny_leads().drop(columns=["lead_id"]).assign(**{"File Row": ["9", "8", "7", "6"]})
    path = tmp_path / "leads.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        wb.load_data(path, mapping=ROWS)
    text = str(err.value)
    assert "column 'File Row'" in text and "row numbers" in text and "lead id column" in text

    model = tmp_path / "m.yaml"
    rule = {"kind": "equals", "field": "segment", "value": "SMB"}
    spec = wb.Model.parse({"name": "M", "criteria": [crit("smb", rule)], "data": ROWS.model_dump()})
    model.write_text(model_to_yaml(spec))
    code = main(
        ["score", "--model", str(model), "--leads", str(path), "--out", str(tmp_path / "s.csv")]
    )
    printed = capsys.readouterr().err
    assert code == 2 and "column 'File Row'" in printed and "Traceback" not in printed
    assert "data:" in printed  # where to change it


def test_activities_cannot_be_linked_to_row_numbers(tmp_path, capsys):
    path = tmp_path / "leads.csv"
    tiny_leads().drop(columns=["lead_id"]).to_csv(path, index=False)
    acts = tmp_path / "acts.csv"
    pd.DataFrame({"lead_id": ["2"], "timestamp": ["2026-10-01"], "activity_type": ["x"]}).to_csv(
        acts, index=False
    )
    with pytest.raises(DataError) as err:
        wb.load_data(path, acts, mapping=ROWS)
    assert "data.row_ids" in str(err.value) and "Add a lead id column" in str(err.value)

    model = tmp_path / "m.yaml"
    rule = {"kind": "equals", "field": "segment", "value": "SMB"}
    spec = wb.Model.parse({"name": "M", "criteria": [crit("smb", rule)], "data": ROWS.model_dump()})
    model.write_text(model_to_yaml(spec))
    out = str(tmp_path / "s.csv")
    code = main(["score", "--model", str(model), "--leads", str(path), "--activities", str(acts),
                 "--out", out])  # fmt: skip
    printed = capsys.readouterr().err
    assert code == 2 and "Add a lead id column" in printed and "Traceback" not in printed
    code = main(["draft", "--leads", str(path), "--row-id", "--outcome", "converted",
                 "--activities", str(acts), "--out", str(tmp_path / "d.yaml")])  # fmt: skip
    printed = capsys.readouterr().err
    assert code == 2 and "--id" in printed and "Traceback" not in printed


def _row_id_model(**data) -> wb.Model:
    rule = {"kind": "equals", "field": "segment", "value": "SMB"}
    return wb.Model.parse({"name": "M", "criteria": [crit("smb", rule)], "data": data})


def test_the_spec_round_trips_row_ids_and_says_where_it_is_wrong():
    m = _row_id_model(lead_id=ROW_ID, row_ids=True)
    assert wb.Model.parse(m.to_dict()) == m and m.to_dict()["data"]["row_ids"] is True
    assert "row_ids" not in _row_id_model().to_dict().get("data", {})  # default left out
    with pytest.raises(ModelError, match=r"data\.row_ids"):
        _row_id_model(row_ids="sometimes")
    visits = crit("visits", {"kind": "activity", "types": ["page_view"]}, bucket="engagement")
    with pytest.raises(ModelError) as err:
        wb.Model.parse({"name": "M", "criteria": [visits], "data": {"row_ids": True}})
    assert "data.row_ids" in str(err.value) and "'visits'" in str(err.value)


@pytest.mark.parametrize("before", [False, True])
def test_a_saved_version_keeps_the_authors_text_and_the_row_ids(before):
    parent = _row_id_model(lead_id=ROW_ID, row_ids=before)
    text = model_to_yaml(parent)
    new = parent.model_copy(update={"data": parent.data.model_copy(update={"row_ids": not before})})
    new = wb.Model.parse(new.to_dict())
    edited = edited_model_text(text, new)
    assert edited is not None and parse_model_text(edited) == new
    changed = [a for a, b in zip(text.splitlines(), edited.splitlines(), strict=False) if a != b]
    assert len(changed) <= 1 and len(edited.splitlines()) - len(text.splitlines()) <= 1


def test_a_made_up_lead_scores_with_a_row_id_model():
    m = _row_id_model(lead_id=ROW_ID, row_ids=True)
    assert score_hypothetical(m, {"segment": "SMB"})["score"] > 0
