"""One reader of numbers, money and percentages: what profiling calls numeric, the engine
scores as numbers, drafting bins and the reasons quote."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import workbench as wb
from tests.helpers import SAMPLES, crit, make_model
from workbench.cli import main
from workbench.data.numbers import parse_numbers, read_numbers
from workbench.learning.profiling import profile_leads
from workbench.model.spec import DataMapping


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("7", 7.0),
        (" 7 ", 7.0),
        ("-3", -3.0),
        ("\u22123", -3.0),  # the minus sign the workbench prints in reasons
        ("+2.5", 2.5),
        (".5", 0.5),
        ("1,200", 1200.0),
        ("1,234,567.5", 1234567.5),
        ("1 200", 1200.0),
        ("1\u00a0200", 1200.0),  # a French spreadsheet's no-break space
        ("$5000", 5000.0),
        ("$ 1,200.50", 1200.5),
        ("€ 1,200", 1200.0),
        ("5 £", 5.0),
        ("-$5", -5.0),
        ("$-5", -5.0),
        ("12 %", 12.0),  # the number written, as a range rule on the column says it
        ("12%", 12.0),
        ("-0.5 %", -0.5),
        ("1.2E+07", 12_000_000.0),
        ("€ 1.200", 1.2),  # the point is always the decimal point
    ],
)
def test_accepted_forms(text, number):
    assert parse_numbers([text])[0] == number
    assert read_numbers(pd.Series([text, None, text], dtype="str")).tolist()[::2] == [number] * 2


@pytest.mark.parametrize(
    "text",
    [
        "$5M",  # no suffix is guessed at
        "5k",
        "12,5",  # a decimal comma would read ten times too big: refused, not guessed
        "1,2345",
        "1 2",
        "abc",
        "",
        "inf",
        "nan",
        "$5%",
        "$5$",
        "--5",
        "(5)",
        "5-",
        "12 % %",
    ],
)
def test_refused_forms(text):
    assert np.isnan(parse_numbers([text])[0])


@given(
    whole=st.integers(0, 10**12),
    cents=st.integers(0, 99),
    negative=st.booleans(),
    decoration=st.sampled_from(["{}", "${}", "€ {}", "{} £", "{} %", "{}%", " {} "]),
)
def test_numbers_as_spreadsheets_format_them_read_back(whole, cents, negative, decoration):
    text = decoration.format(f"{'-' if negative else ''}{whole:,}.{cents:02d}")
    expected = (whole + cents / 100) * (-1 if negative else 1)
    assert parse_numbers([text])[0] == pytest.approx(expected, rel=1e-15, abs=1e-9)


def test_numeric_columns_are_taken_as_they_are():
    values = read_numbers(pd.Series([350, None, 2500], dtype="Int64"))
    assert values[[0, 2]].tolist() == [350.0, 2500.0] and np.isnan(values[1])
    assert read_numbers(pd.Series([], dtype="str")).shape == (0,)


# --- a column of percentages, end to end ----------------------------------------------------


def _percent_file(tmp_path, column: str = "company_size"):
    """The sample leads twice: as shipped, and with ``column`` written '350 %'."""
    leads = pd.read_csv(SAMPLES / "leads.csv", dtype=str, keep_default_na=False)
    plain = tmp_path / "plain.csv"
    leads.to_csv(plain, index=False)
    filled = leads[column] != ""
    assert filled.sum() > 1000  # the sample has enough of them for the test to mean much
    spaced = filled & (np.arange(len(leads)) % 2 == 0)
    leads.loc[spaced, column] = leads.loc[spaced, column] + " %"
    leads.loc[filled & ~spaced, column] = leads.loc[filled & ~spaced, column] + "%"
    percent = tmp_path / "percent.csv"
    leads.to_csv(percent, index=False)
    return plain, percent


def test_a_percent_column_profiles_as_numeric_with_the_same_bins(tmp_path):
    plain, percent = _percent_file(tmp_path)
    mapping = DataMapping(lead_id="lead_id", outcome="converted")
    a = profile_leads(wb.load_data(plain, mapping=mapping))
    b = profile_leads(wb.load_data(percent, mapping=mapping))
    assert b.columns.loc["company_size", "type"] == "numeric"
    levels = [p.levels[p.levels["column"] == "company_size"] for p in (a, b)]
    pd.testing.assert_frame_equal(*(lv.reset_index(drop=True) for lv in levels))
    assert "not_a_number" not in set(levels[1]["kind"])


def test_a_percent_column_scores_and_explains_like_plain_numbers(tmp_path, capsys):
    plain, percent = _percent_file(tmp_path)
    acts = SAMPLES / "activities.csv"
    model = SAMPLES / "b2b_model.yaml"  # company size scored by a bins rule
    frames = []
    for leads in (plain, percent):
        out = tmp_path / f"scores_{leads.stem}.csv"
        argv = ["score", "--model", str(model), "--leads", str(leads), "--activities", str(acts)]
        assert main([*argv, "--as-of", "2026-10-31", "--out", str(out)]) == 0
        printed = capsys.readouterr().out
        assert "are not numbers" not in printed
        frames.append(pd.read_csv(out, dtype=str, keep_default_na=False))
    pd.testing.assert_frame_equal(*frames)
    quoted = frames[1]["reasons"].str.contains(r"Company size \d[\d,]* \(", regex=True)
    assert quoted.sum() > 100  # the reasons quote the lead's size, not an empty value


def test_a_range_rule_reads_percentages_as_the_number_written():
    rate = ["12 %", "9%", "20 %", "15", None, "12,5 %"]
    leads = pd.DataFrame({"lead_id": list("abcdef"), "open_rate": rate})
    rule = {"kind": "range", "field": "open_rate", "min": 10, "max": 20}
    model = make_model([crit("engaged", rule, points=10)])
    signals = wb.compute_signals(model, wb.load_data(leads), as_of="2026-10-31")
    hit = signals.column("engaged")[signals.rows_of(list("abcdef"))]
    assert hit.tolist() == [1, 0, 0, 1, 0, 0]
    (warning,) = [w for w in signals.warnings if "open_rate" in str(w)]
    assert "1 values are not numbers (e.g. '12,5 %')" in str(warning)
    reasons = wb.score(model, signals)["reasons"]
    assert reasons["a"] == "Engaged (12 %) +10"  # the value as written in the file


def test_draft_keeps_a_percent_column_as_it_keeps_plain_numbers(tmp_path, capsys):
    plain, percent = _percent_file(tmp_path)
    drafted = []
    for leads in (plain, percent):
        out = tmp_path / f"{leads.stem}.yaml"
        argv = ["draft", "--leads", str(leads), "--id", "lead_id", "--outcome", "converted"]
        assert main([*argv, "--folds", "0", "--out", str(out)]) == 0
        summary = capsys.readouterr().out
        drafted.append(wb.load_model(out))
    size = [c for c in drafted[1].criteria if c.rule.field == "company_size"]
    assert any(c.rule.kind == "bins" and len({b.points for b in c.rule.bins}) > 1 for c in size)
    assert "company_size" not in summary.split("Left out:")[1].split("\n\n")[0]
    # the same model as from plain numbers, bins, points and evidence alike
    scored = {"criteria", "buckets", "categories", "data"}
    assert drafted[0].model_dump(include=scored) == drafted[1].model_dump(include=scored)


# --- value rules (equals, in, not_in, lookup) read numbers as range does ---------------------

PROBES = (12, 1200, 125, 12.5, -3, 7)  # every number a case below is or could be misread as


def _value_rules(n: float, i: int) -> list[dict]:
    """A range, equals, in, not_in and lookup criterion, each naming the number ``n``."""
    return [
        crit(f"range{i}", {"kind": "range", "field": "x", "min": n, "max": n + 1e-9}),
        crit(f"equals{i}", {"kind": "equals", "field": "x", "value": n}),
        crit(f"in{i}", {"kind": "in", "field": "x", "values": [n]}),
        crit(f"not_in{i}", {"kind": "not_in", "field": "x", "values": [n]}),
        crit(
            f"lookup{i}",
            {"kind": "lookup", "field": "x", "groups": [{"values": [n], "points": 5}]},
            points=None,
        ),
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12 %", 12),
        ("$1,200", 1200),
        ("12,5", None),  # not a number for range, so not 125 (nor 12.5) for equals either
        ("1 200", 1200),
        ("-3", -3),
        ("\u22123", -3),
        ("007", 7),
        ("abc", None),
    ],
)
def test_a_value_is_its_number_for_equals_in_and_lookup_exactly_when_range_reads_it(text, number):
    criteria = [rule for i, n in enumerate(PROBES) for rule in _value_rules(n, i)]
    criteria.append(crit("as_text", {"kind": "in", "field": "x", "values": [f" {text.upper()} "]}))
    leads = pd.DataFrame({"lead_id": ["a"], "x": [text]})
    signals = wb.compute_signals(make_model(criteria), wb.load_data(leads), as_of="2026-10-31")
    for i, n in enumerate(PROBES):
        ranged = bool(signals.column(f"range{i}")[0])
        assert ranged == (n == number)
        assert bool(signals.column(f"equals{i}")[0]) == ranged
        assert bool(signals.column(f"in{i}")[0]) == ranged
        assert bool(signals.column(f"not_in{i}")[0]) == (not ranged)
        assert (signals.levels[f"lookup{i}"][0] == 0) == ranged
    # the value as the file writes it always matches: a number by value, other text trimmed
    # and case-folded
    assert bool(signals.column("as_text")[0])
    # coverage agrees with matching: a rule naming the lead's number does not warn
    never = [str(w) for w in signals.warnings if "never occurs" in str(w)]
    if number is not None:
        assert not [w for w in never if f"'{number}' never occurs" in w]
