"""Profiling a CRM export: column types, placeholders as missing, conversion, leak flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from tests.helpers import SAMPLES, messy_export, planted_leads
from workbench.cli import main
from workbench.learning.profiling import infer_type, name_tokens, profile_leads, quantile_edges
from workbench.model.spec import DataMapping


@pytest.fixture(scope="module")
def sample_profile():
    return profile_leads(wb.load_data(SAMPLES / "leads.csv"), "converted")


def test_leak_detector_flags_the_sales_fields_of_the_sample(sample_profile):
    assert set(sample_profile.leaks) == {"lead_status", "converted_at"}
    cols = sample_profile.columns
    assert "status" in cols.loc["lead_status", "leak_reason"]
    n = sample_profile.converted  # converted_at is filled for exactly the converters
    assert (
        f"filled for {n:,} leads, {n:,} converted (100.0%)"
        in cols.loc["converted_at", "leak_reason"]
    )
    assert "LEAK?" in sample_profile.summary()


def test_column_types_of_the_sample(sample_profile):
    types = sample_profile.columns["type"]
    assert types["company_size"] == types["annual_revenue"] == "numeric"
    assert types["seniority"] == types["industry"] == "categorical"
    assert types["budget"] == "yes/no"
    assert types["created_at"] == "date"
    assert types["email"] == types["phone"] == types["lead_id"] == "id-like"


def test_placeholders_count_as_missing(sample_profile):
    raw = pd.read_csv(SAMPLES / "leads.csv", dtype=str, keep_default_na=False)
    raw = raw.drop_duplicates("lead_id")
    for col in ("budget", "seniority", "company_size"):
        text = raw[col].str.strip().str.casefold()
        expected = int((text.isin(["", "select", "n/a"])).sum())
        assert sample_profile.columns.loc[col, "missing"] == expected
        assert sample_profile.columns.loc[col, "placeholders"] >= expected
    budget = sample_profile.levels.query("column == 'budget'").set_index("level")
    assert budget.loc["(missing)", "leads"] == sample_profile.columns.loc["budget", "missing"]


def test_levels_cover_every_lead_and_intervals_contain_the_rate(sample_profile):
    lv = sample_profile.levels
    assert (lv.groupby("column")["leads"].sum() == sample_profile.n_leads).all()
    rated = lv.dropna(subset=["rate"])
    assert ((rated["low"] <= rated["rate"]) & (rated["rate"] <= rated["high"])).all()
    y = pd.read_csv(SAMPLES / "leads.csv", dtype=str).drop_duplicates("lead_id")
    seniority = lv.query("column == 'seniority'").set_index("level")
    vp = y[y["seniority"] == "VP"]
    assert seniority.loc["VP", "leads"] == len(vp)
    assert seniority.loc["VP", "converted"] == (vp["converted"] == "1").sum()
    sizes = lv.query("column == 'company_size' and kind == 'bin'")
    assert len(sizes) >= 3 and pd.isna(sizes["lo"].iloc[0])  # quantile bins, open below
    assert (sizes["lo"].iloc[1:].to_numpy() == sizes["hi"].iloc[:-1].to_numpy()).all()


def test_messy_export_types_and_leaks(tmp_path):
    path, _ = messy_export(tmp_path)
    data = wb.load_data(path, mapping=DataMapping(lead_id="Prospect ID", outcome="Converted?"))
    profile = profile_leads(data, "Converted?")
    types = profile.columns["type"]
    assert types["Notes"] == "free text"
    assert types["Company Size"] == "numeric"  # gaps and 'N/A' do not make it text
    assert {"Deal Stage", "SDR Handoff", "lead_status"} <= set(profile.leaks)
    # a neutral name: only the data shows the leak, and the evidence says how
    assert "alone ranks converters with AUC" in profile.columns.loc["SDR Handoff", "leak_reason"]
    assert profile.converted == int(data.leads["Converted?"].sum())


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1", "2", "3.5", "1,200"] * 10, "numeric"),
        (["Yes", "No", None] * 10, "yes/no"),
        (["2026-01-02", "2026-03-04"] * 10, "date"),
        ([f"call back on day {i} about pricing" for i in range(200)], "free text"),
        ([f"X{i:05d}" for i in range(200)], "id-like"),
        (["+1 555 0100", "+1 555 0101", "+1 555 0102"], "id-like"),
        (["Software", "Retail"] * 50, "categorical"),
    ],
)
def test_infer_type(values, expected):
    assert infer_type(pd.Series(values, dtype="str"), "col")[0] == expected


def test_name_tokens_split_every_spelling():
    assert name_tokens("leadStatus") == name_tokens("Lead Status") == ["lead", "status"]


def test_cli_profile_writes_the_full_table(tmp_path, capsys):
    out = tmp_path / "profile.csv"
    code = main(["profile", "--leads", str(SAMPLES / "leads.csv"), "--id", "lead_id",
                 "--outcome", "converted", "--out", str(out)])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "lead_status" in printed and "Likely leaks" in printed
    table = pd.read_csv(out)
    assert {"column", "level", "leads", "rate", "low", "high", "type", "leak"} <= set(table)
    assert table.loc[table["column"] == "converted_at", "leak"].all()
    html = tmp_path / "profile.html"
    assert main(["profile", "--leads", str(SAMPLES / "leads.csv"), "--id", "lead_id",
                 "--outcome", "converted", "--out", str(html)]) == 0  # fmt: skip
    assert "<table" in html.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id", "lead", "--outcome", "converted"], "lead id column is missing"),
        (["--id", "lead_id", "--outcome", "convertd"], "Did you mean 'converted'"),
        (["--id", "lead_id", "--outcome", "seniority"], "outcome must be yes/no"),
        (["--id", "lead_id", "--outcome", "converted", "--out", "p.txt"], "use .csv"),
    ],
)
def test_cli_profile_bad_input_exits_2(args, message, capsys):
    code = main(["profile", "--leads", str(SAMPLES / "leads.csv"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err


def test_outcome_with_one_class_is_refused():
    leads = pd.DataFrame({"lead_id": ["a", "b", "c"], "x": ["1", "2", "3"], "won": ["no"] * 3})
    data = wb.load_data(leads, mapping=DataMapping(outcome="won"))
    with pytest.raises(wb.DataError, match="only one outcome"):
        profile_leads(data, "won")


@pytest.fixture(scope="module")
def planted():
    frame = planted_leads()
    data = wb.load_data(frame, mapping=DataMapping(lead_id="Lead ID", outcome="won"))
    return frame, profile_leads(data, "won")


def test_leak_screen_flags_each_planted_pattern_with_its_evidence(planted):
    frame, profile = planted
    cols = profile.columns
    filled = frame["Reason Won"] != ""
    n = int(filled.sum())
    assert (frame.loc[filled, "won"] == "Yes").all()  # the plant: filled only for the won
    assert (
        f"filled for {n:,} leads, {n:,} converted (100.0%)" in cols.loc["Reason Won", "leak_reason"]
    )
    assert "alone ranks converters with AUC 0.9" in cols.loc["Call Duration", "leak_reason"]
    assert (
        "name suggests a field filled after contact (quality)"
        in cols.loc["Lead Quality", "leak_reason"]
    )
    # controls: a status-like name with no signal, and honest predictors, are not flagged
    assert set(profile.leaks) == {"Reason Won", "Call Duration", "Lead Quality"}
    assert "not flagged" in cols.loc["Employment Status", "note"]


def test_types_come_from_values_not_names(planted):
    _, profile = planted
    cols = profile.columns
    assert cols.loc["Do Not Email", "type"] == "yes/no"  # 'email' in the name
    assert cols.loc["email_opens", "type"] == "numeric"
    assert cols.loc["Landing Page ID", "type"] == "categorical"
    assert cols.loc["Landing Page ID", "high_cardinality"]
    assert not cols.loc["industry", "high_cardinality"]
    used, left_out = profile.select()
    assert {"Do Not Email", "email_opens", "Landing Page ID", "pdays"} <= set(used)
    assert set(left_out["column"]) == {"Lead ID", *profile.leaks}  # each with its reason
    assert left_out["reason"].str.len().gt(0).all()


def test_a_special_number_gets_a_level_of_its_own(planted):
    frame, profile = planted
    pdays = profile.levels.query("column == 'pdays' and kind == 'bin'").reset_index()
    never = int((frame["pdays"] == "-1").sum())
    assert pdays.loc[0, "level"] == "-1" and pdays.loc[0, "leads"] == never
    assert len(pdays) >= 3  # the other values still get quantile bins
    assert pdays["leads"].sum() == len(frame)


@pytest.mark.parametrize("special", [-1.0, 0.0, 999.0])
def test_quantile_edges_isolate_a_special_value(special):
    rng = np.random.default_rng(0)
    x = np.where(
        rng.random(2000) < 0.8, special, rng.integers(1, 400, 2000) + (special == 999) * -1
    )
    edges = quantile_edges(x, 5)
    code = np.searchsorted(edges, x, side="right")
    assert set(np.unique(code[x == special])) == {code[x == special][0]}
    assert not (code[x != special] == code[x == special][0]).any()
    assert len(edges) >= 3


def test_ranking_is_sorted_and_iv_grows_with_signal(planted):
    _, profile = planted
    ranking = profile.ranking()
    assert list(ranking["auc"].dropna()) == sorted(ranking["auc"].dropna(), reverse=True)
    assert profile.id_column not in ranking.index
    iv = profile.columns["iv"]
    assert iv["Call Duration"] > iv["Do Not Email"] > iv["Employment Status"] >= 0
    assert "Columns ranked" in profile.summary() and "leak?" in profile.summary()


def test_a_leak_like_name_alone_does_not_flag_a_column():
    rng = np.random.default_rng(1)
    n = 3000
    frame = pd.DataFrame(
        {
            "lead_id": [f"x{i}" for i in range(n)],
            "Deal Notes Tag": rng.choice(["a", "b", "c"], n),  # words only, no signal
            "won": rng.choice(["Yes", "No"], n, p=[0.2, 0.8]),
        }
    )
    profile = profile_leads(wb.load_data(frame, mapping=DataMapping(outcome="won")), "won")
    assert profile.leaks == []
    assert "not flagged" in profile.columns.loc["Deal Notes Tag", "note"]


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("Do Not Email", ["Yes", "No", "No"] * 20, "yes/no"),
        ("email_opens", [str(i % 7) for i in range(100)], "numeric"),
        ("page_id", [str(i % 60) for i in range(600)], "categorical"),
        ("contact", [f"p{i}@acme.com" for i in range(100)], "id-like"),
        ("first_name", ["Ann", "Bob", "Dee"] * 30, "id-like"),
    ],
)
def test_the_name_only_breaks_ties(name, values, expected):
    assert infer_type(pd.Series(values, dtype="str"), name)[0] == expected
