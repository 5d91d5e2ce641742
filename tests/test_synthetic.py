"""The synthetic funnel: deterministic, realistic, and messy only when asked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench as wb
from workbench.data.synthetic import DEFAULT_END, generate_sample, write_sample

LEAD_COLUMNS = [
    "lead_id", "first_name", "last_name", "email", "phone", "company", "job_title", "seniority",
    "industry", "country", "company_size", "annual_revenue", "source", "owner", "segment",
    "created_at", "budget", "timeline", "lead_status", "converted", "converted_at",
]  # fmt: skip


@pytest.fixture(scope="module")
def clean():
    return generate_sample(4000, seed=3, messy=False)


def test_same_seed_same_data_other_seed_other_data():
    a = generate_sample(500, seed=11)
    b = generate_sample(500, seed=11)
    c = generate_sample(500, seed=12)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert not a[0]["email"].equals(c[0]["email"])


def test_columns_ids_and_event_window(clean):
    leads, acts = clean
    assert list(leads.columns) == LEAD_COLUMNS
    assert list(acts.columns) == ["lead_id", "timestamp", "activity_type", "detail"]
    assert leads["lead_id"].is_unique and leads["lead_id"].str.fullmatch(r"L\d{7}").all()
    created = pd.to_datetime(leads.set_index("lead_id")["created_at"])
    ts = acts["timestamp"]
    assert (ts.dt.normalize() >= created.loc[acts["lead_id"]].to_numpy()).all()
    assert ts.max() <= pd.Timestamp(DEFAULT_END) + pd.Timedelta(days=1)
    assert 15 < len(acts) / len(leads) < 25  # ~20 events per lead


def test_the_funnel_is_learnable_and_realistic(clean):
    leads, acts = clean
    rate = leads["converted"].mean()
    assert 0.04 < rate < 0.11
    did = acts.groupby("activity_type")["lead_id"].unique()
    demo = leads["lead_id"].isin(did["demo_request"])
    careers = leads["lead_id"].isin(acts.loc[acts["detail"].str.startswith("/careers"), "lead_id"])
    assert leads.loc[demo, "converted"].mean() > 3 * leads.loc[careers, "converted"].mean()
    assert (leads["seniority"].isin(["Select", "N/A", ""])).mean() > 0.03  # form placeholders
    assert leads["email"].str.contains("mailinator|test.com|example.com").any()  # junk sign-ups
    converted_at = pd.to_datetime(leads["converted_at"].replace("", None))
    assert (converted_at.dropna() <= pd.Timestamp(DEFAULT_END)).all()
    assert (leads["converted_at"] != "").sum() == leads["converted"].sum()


def test_messy_adds_the_problems_data_checks_must_catch(tmp_path):
    paths = write_sample(tmp_path, n_leads=800, seed=5)
    data = wb.load_data(paths["leads"], paths["activities"], now="2026-11-22")
    codes = set(data.report.issues["code"])
    assert {"duplicate_id", "unknown_lead", "unparseable_date", "future_timestamp"} <= codes
    clean = write_sample(tmp_path / "clean", n_leads=800, seed=5, messy=False)
    ok = wb.load_data(clean["leads"], clean["activities"], now="2026-11-22")
    assert ok.report.ok, ok.report.summary()


def test_csv_and_parquet_hold_the_same_funnel(tmp_path):
    csv = write_sample(tmp_path / "c", n_leads=300, seed=8)
    pq = write_sample(tmp_path / "p", n_leads=300, seed=8, fmt="parquet")
    a = wb.load_data(csv["leads"], csv["activities"], now="2026-11-22")
    b = wb.load_data(pq["leads"], pq["activities"], now="2026-11-22")
    assert a.report.counts == b.report.counts
    assert np.array_equal(
        a.activities["timestamp"].to_numpy(), b.activities["timestamp"].to_numpy()
    )
    with pytest.raises(ValueError, match="fmt must be"):
        write_sample(tmp_path, n_leads=10, fmt="xlsx")
