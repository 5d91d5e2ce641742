"""Golden test: the shipped sample data scored with the default model.

Any change to the engine, the model or the sample that moves a score shows up here. When
the change is intended, regenerate with ``UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and
review the diff of ``tests/golden/sample_scores.json`` like any other change.
"""

from __future__ import annotations

import json
import os

import pytest

import workbench as wb
from tests.helpers import ROOT

GOLDEN = ROOT / "tests" / "golden" / "sample_scores.json"


def summary(model, data, signals) -> dict:
    scored = wb.score(model, signals)
    top = scored.sort_values(["score", "fit"], ascending=False, kind="stable").head(10)
    return {
        "as_of": str(signals.as_of),
        "counts": data.report.counts,
        "rejected_reasons": {
            "leads": data.report.rejected_leads["reason"].value_counts().sort_index().to_dict()
            if len(data.report.rejected_leads)
            else {},
            "activities": data.report.rejected_activities["reason"]
            .value_counts()
            .sort_index()
            .to_dict()
            if len(data.report.rejected_activities)
            else {},
        },
        "categories": {k: int(v) for k, v in scored["category"].value_counts(sort=False).items()},
        "grades": {k: int(v) for k, v in scored["grade"].value_counts(sort=False).items()},
        "matrix": {k: int(v) for k, v in scored["matrix"].value_counts(sort=False).items() if v},
        "score_sum": round(float(scored["score"].sum()), 1),
        "top10": [[i, float(r.score), str(r.category), r.reasons] for i, r in top.iterrows()],
    }


def test_sample_scores_match_the_golden_file(sample_model, sample_data, sample_signals):
    got = summary(sample_model, sample_data, sample_signals)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
        pytest.skip("golden file rewritten")
    want = json.loads(GOLDEN.read_text())
    assert got == want


def test_sample_funnel_looks_like_a_real_one(sample_data, sample_signals, sample_model):
    """What a marketer expects of the default model on the sample: A converts best."""
    scored = wb.score(sample_model, sample_signals, reasons=False)
    converted = sample_data.leads["converted"].astype("float")
    rate = converted.groupby(scored["category"], observed=True).mean()
    assert rate["A"] > rate["B"] > rate["C"]
    assert rate["A"] > 2 * converted.mean()
    share = scored["category"].value_counts(normalize=True)
    assert 0.03 < share["A"] < 0.25  # sales gets a short list, not everyone
    assert share["Inquiry"] > 0  # junk is recognised
    assert sample_data.report.counts["leads_rejected"] > 0  # the sample has duplicates
