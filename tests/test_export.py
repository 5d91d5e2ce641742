"""Exports: CSV that a spreadsheet cannot run as a formula, Parquet by extension."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.data.export import neutralize_formulas, write_table


def test_text_cells_that_start_like_a_formula_are_quoted():
    frame = pd.DataFrame(
        {
            "text": ["=1+1", "+20 VP title", "-10 careers", "@SUM(A1)", "\tx", "fine", None],
            "number": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    out = neutralize_formulas(frame)
    assert out["text"].tolist()[:6] == [
        "'=1+1",
        "'+20 VP title",
        "'-10 careers",
        "'@SUM(A1)",
        "'\tx",
        "fine",
    ]
    assert pd.isna(out["text"].iloc[6])
    assert out["number"].tolist() == frame["number"].tolist()  # numbers are data
    phones = neutralize_formulas(pd.DataFrame({"phone": ["+1 731 888-8080", "+44 (20) 7946"]}))
    assert phones["phone"].tolist() == ["+1 731 888-8080", "+44 (20) 7946"]  # dialable as is
    levels = neutralize_formulas(pd.DataFrame({"level": ["-1", "-0.5", "-1+1", "-1 cmd", "-٣"]}))
    assert levels["level"].tolist() == ["-1", "-0.5", "'-1+1", "'-1 cmd", "'-٣"]  # -1 is a number
    tricky = neutralize_formulas(pd.DataFrame({"phone": ["+1+cmd|' /C calc'!A0", "+1\n=2"]}))
    assert tricky["phone"].str.startswith("'").all()
    assert frame["text"].iloc[0] == "=1+1"  # the input is not modified


def test_write_table_picks_the_format_by_extension(tmp_path):
    frame = pd.DataFrame({"lead_id": ["a"], "score": [12.5]})
    write_table(frame, tmp_path / "deep" / "x.csv")
    write_table(frame, tmp_path / "x.parquet")
    assert pd.read_csv(tmp_path / "deep" / "x.csv")["score"].tolist() == [12.5]
    assert pd.read_parquet(tmp_path / "x.parquet")["score"].tolist() == [12.5]
    with pytest.raises(wb.DataError, match=r"--out: cannot write '\.xlsx'"):
        write_table(frame, tmp_path / "x.xlsx")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12),
        min_size=1,
        max_size=8,
    )
)
def test_no_written_text_cell_starts_a_formula(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("csv") / "out.csv"
    write_table(pd.DataFrame({"reasons": values}), path)
    with open(path, newline="", encoding="utf-8-sig") as fh:
        cells = [row[0] for row in csv.reader(fh)][1:]
    assert len(cells) == len(values)
    for cell in cells:  # a phone number (+ digits, spaces, brackets, dashes) is kept
        assert (
            not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
            or re.fullmatch(r"\+[\d ().\-]+", cell)
            or re.fullmatch(r"-[0-9]+(?:\.[0-9]+)?", cell)  # a negative number: data
        ), cell


# --- more: every formula character, read-back, round trips, refusals ----------------------

FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def read_rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("start", FORMULA_CHARS)
def test_each_formula_character_gets_exactly_one_quote(start):
    frame = pd.DataFrame({"t": [start + "cmd|' /C calc'!A0", "'" + start + "already"]})
    out = neutralize_formulas(frame)["t"].tolist()
    assert out[0] == "'" + start + "cmd|' /C calc'!A0"
    # a cell that already starts with a quote is safe and is not quoted twice
    assert out[1] == "'" + start + "already"


def test_safe_text_numbers_booleans_and_missing_values_are_left_alone():
    frame = pd.DataFrame(
        {
            "text": ["VP Sales", "a=b", "foo-bar", "x@y.com", "", None],
            "ints": [-5, 0, 3, -1, 2, 7],
            "floats": [-2.5, float("nan"), 1.0, -0.0, 3.5, 4.0],
            "flags": [True, False, True, False, True, False],
        }
    )
    out = neutralize_formulas(frame)
    assert out["text"].tolist()[:5] == ["VP Sales", "a=b", "foo-bar", "x@y.com", ""]
    assert pd.isna(out["text"].iloc[5])
    pd.testing.assert_frame_equal(
        out[["ints", "floats", "flags"]], frame[["ints", "floats", "flags"]]
    )


def test_categorical_columns_are_neutralized_too():
    frame = pd.DataFrame({"segment": pd.Categorical(["=SMB", "Enterprise", "-x", "=SMB"])})
    assert neutralize_formulas(frame)["segment"].tolist() == ["'=SMB", "Enterprise", "'-x", "'=SMB"]
    assert frame["segment"].tolist()[0] == "=SMB"


def test_a_written_csv_read_back_with_pandas_and_csv_shows_the_quoted_cells(tmp_path):
    frame = pd.DataFrame(
        {
            "lead_id": ['=HYPERLINK("http://x")', "L2", "@L3"],
            "score": [-12.5, 40.0, 0.0],
            "reasons": ["+25 Demo request", "\u221210 Careers page", "-10 junk"],
        }
    )
    path = write_table(frame, tmp_path / "scores.csv")
    assert path == tmp_path / "scores.csv"

    back = pd.read_csv(path, dtype={"lead_id": str, "reasons": str})
    assert back["lead_id"].tolist() == ['\'=HYPERLINK("http://x")', "L2", "'@L3"]
    assert back["reasons"].tolist() == ["'+25 Demo request", "\u221210 Careers page", "'-10 junk"]
    assert back["score"].tolist() == [-12.5, 40.0, 0.0]  # numbers stay numbers

    rows = read_rows(path)
    assert rows[0] == ["lead_id", "score", "reasons"]
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://x")', "L2", "'@L3"]
    assert [r[1] for r in rows[1:]] == ["-12.5", "40.0", "0.0"]


def test_line_breaks_inside_cells_never_split_a_row_or_start_a_formula(tmp_path):
    values = ["x\r=cmd", "y\n-cmd", "a\r\n@b", "\rlead", "ok"]
    frame = pd.DataFrame({"t": values, "n": range(5)})
    rows = read_rows(write_table(frame, tmp_path / "out.csv"))
    assert len(rows) == 1 + len(values)
    assert [r[0] for r in rows[1:]] == ["x\r=cmd", "y\n-cmd", "a\r\n@b", "'\rlead", "ok"]
    assert [r[1] for r in rows[1:]] == ["0", "1", "2", "3", "4"]


def test_csv_is_utf8_and_keeps_non_ascii_text(tmp_path):
    frame = pd.DataFrame({"name": ["Zoë", "Łukasz", "東京"], "reasons": ["\u22125 x", "", "ü"]})
    path = write_table(frame, tmp_path / "out.csv")
    text = path.read_bytes().decode("utf-8")
    assert "Zoë" in text and "東京" in text
    assert [r[0] for r in read_rows(path)[1:]] == ["Zoë", "Łukasz", "東京"]


@pytest.mark.parametrize("name", ["out.parquet", "out.pq", "OUT.PARQUET"])
def test_parquet_keeps_the_data_exactly(tmp_path, name):
    frame = pd.DataFrame(
        {
            "lead_id": ["=a", "-b"],
            "score": [1.5, -2.0],
            "category": pd.Categorical(["A", "C"], categories=["A", "B", "C"], ordered=True),
        }
    )
    path = write_table(frame, tmp_path / name)
    back = pd.read_parquet(path)
    # Parquet is data for programs, not a spreadsheet: no quote is added
    assert back["lead_id"].tolist() == ["=a", "-b"]
    assert back["score"].tolist() == [1.5, -2.0]
    assert back["category"].astype(str).tolist() == ["A", "C"]


def test_an_upper_case_csv_extension_is_still_csv(tmp_path):
    path = write_table(pd.DataFrame({"t": ["=x"]}), tmp_path / "OUT.CSV")
    assert read_rows(path) == [["t"], ["'=x"]]


@pytest.mark.parametrize("name", ["out.xlsx", "out.json", "out.txt", "out"])
def test_other_extensions_are_refused_and_nothing_is_written(tmp_path, name):
    with pytest.raises(wb.DataError, match=r"--out: cannot write .*use a \.csv or \.parquet"):
        write_table(pd.DataFrame({"t": ["x"]}), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_destination_raises_data_error(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    with pytest.raises(wb.DataError, match="cannot write"):
        write_table(pd.DataFrame({"t": ["x"]}), blocker / "out.csv")


TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from((*FORMULA_CHARS, "'", '"', ",", "\n", " ")),
        st.characters(exclude_categories=("Cs",)),  # text read from a file is valid Unicode
    ),
    max_size=10,
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(TEXT, TEXT, st.integers(-1000, 1000)), min_size=1, max_size=6),
)
def test_csv_round_trip_adds_one_quote_to_formula_cells_and_nothing_else(tmp_path_factory, records):
    frame = pd.DataFrame(records, columns=["a", "b", "n"]).astype({"a": "str", "b": "str"})
    path = write_table(frame, tmp_path_factory.mktemp("rt") / "out.csv")
    rows = read_rows(path)
    assert rows[0] == ["a", "b", "n"]
    assert len(rows) == len(records) + 1
    for (a, b, n), row in zip(records, rows[1:], strict=True):
        for original, cell in ((a, row[0]), (b, row[1])):
            assert not cell.startswith(FORMULA_CHARS), cell
            expected = "'" + original if original.startswith(FORMULA_CHARS) else original
            assert cell == expected
        assert int(row[2]) == n  # numbers are written as numbers, minus sign and all
