"""Exports: CSV that a spreadsheet cannot run as a formula, Parquet by extension."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.export import neutralize_formulas, write_table


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
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8))
def test_no_written_text_cell_starts_a_formula(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("csv") / "out.csv"
    write_table(pd.DataFrame({"reasons": values}), path)
    with open(path, newline="", encoding="utf-8") as fh:
        cells = [row[0] for row in csv.reader(fh)][1:]
    assert len(cells) == len(values)
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
