"""What tests share: the repository's paths, a tiny hand-checkable world, model builders.

Test files import these from here (never from another test file or from conftest).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import workbench as wb

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
AS_OF = "2026-10-31"


def make_model(criteria: list[dict], **extra) -> wb.Model:
    """A model around the given criteria, with the default buckets and A/B/C thresholds."""
    return wb.Model.parse({"name": "Test", "criteria": criteria, **extra})


def crit(cid: str, rule: dict, points: float | None = 10, bucket: str = "fit", **kw) -> dict:
    d = {"id": cid, "label": cid.replace("_", " ").capitalize(), "bucket": bucket, "rule": rule}
    if points is not None and "stars" not in kw:
        d["points"] = points
    d.update(kw)
    return d


def tiny_leads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": ["a", "b", "c", "d"],
            "first_name": ["Ann", "Test", "Bob", "Dee"],
            "email": ["ann@acme.com", "t@mailinator.com", "bob@gmail.com", ""],
            "job_title": ["VP Sales", "Student", "Engineer", "Head of Growth"],
            "seniority": ["VP", "Student", "Individual contributor", "Select"],
            "industry": ["Software", "Retail", "software ", "N/A"],
            "company_size": ["350", "5", "2,500", ""],
            "segment": ["Enterprise", "SMB", "Enterprise", "SMB"],
            "created_at": ["2026-05-01", "2026-10-20", "2026-06-01", "2026-09-01"],
            "converted": ["yes", "no", "1", "0"],
        }
    )


def tiny_activities() -> pd.DataFrame:
    rows = [
        ("a", "2026-10-30T10:00:00", "page_view", "/pricing"),
        ("a", "2026-10-29T10:00:00", "page_view", "/pricing"),
        ("a", "2026-10-28T10:00:00", "page_view", "/pricing"),
        ("a", "2026-08-01T10:00:00", "page_view", "/pricing"),
        ("a", "2026-10-15T09:00:00", "demo_request", ""),
        ("b", "2026-10-21T10:00:00", "page_view", "/careers/open-positions"),
        ("b", "2026-10-22T10:00:00", "Page View", "/careers"),
        ("c", "2026-07-01T10:00:00", "whitepaper_download", "Buyer guide"),
        ("c", "2026-10-25T10:00:00", "page_view", "/blog/x"),
        ("c", "2026-10-26T10:00:00", "page_view", "/blog/y"),
        ("c", "2026-10-12T10:00:00", "page_view", "/blog/z"),
    ]
    return pd.DataFrame(rows, columns=["lead_id", "timestamp", "activity_type", "detail"])


def messy_export(tmp_path, seed: int = 5):
    """The sample as a real CRM exports it: another id name, Yes/No outcome, placeholders,
    gaps in numbers, free text, and sales-entered fields that leak the outcome.

    Returns the export's path and the path of the same leads without the outcome (new
    leads to score).
    """
    rng = np.random.default_rng(seed)
    raw = pd.read_csv(SAMPLES / "leads.csv", dtype=str, keep_default_na=False)
    n = len(raw)
    won = raw["converted"] == "1"
    out = raw.rename(
        columns={
            "lead_id": "Prospect ID",
            "company_size": "Company Size",
            "converted": "Converted?",
        }
    ).drop(columns=["converted_at"])
    out["Converted?"] = np.where(won, "Yes", "No")
    for col, share in (("seniority", 0.05), ("industry", 0.05), ("Company Size", 0.1)):
        hit = rng.random(n) < share
        out.loc[hit, col] = rng.choice(["Select", "N/A", "", "  "], hit.sum())
    gaps = rng.random(n) < 0.1
    out.loc[gaps, "annual_revenue"] = ""
    out["Company Size"] = out["Company Size"].where(
        rng.random(n) > 0.05, out["Company Size"].str.replace(r"(\d)(\d{3})$", r"\1,\2", regex=True)
    )  # some sizes typed '1,200'
    words = np.array(
        ["called", "no answer", "asked about pricing", "left voicemail", "sent deck",
         "wants demo next week", "budget unclear", "cc'd boss"]
    )  # fmt: skip
    out["Notes"] = [
        f"{i}: " + " and ".join(rng.choice(words, 3)) for i in range(n)
    ]  # free text, unique per lead
    stage = np.where(won, "Closed Won", rng.choice(["Open", "Closed Lost", "Nurture"], n))
    out["Deal Stage"] = stage
    handoff = np.where(won & (rng.random(n) < 0.9), "Signed", rng.choice(["", "Pending"], n))
    out["SDR Handoff"] = handoff  # a neutral name: only the data shows the leak
    path = tmp_path / "crm_export.csv"
    out.to_csv(path, index=False)
    new = tmp_path / "new_leads.csv"
    out.drop(columns=["Converted?", "Deal Stage", "SDR Handoff"]).to_csv(new, index=False)
    return path, new


def planted_leads(n: int = 6000, seed: int = 3) -> pd.DataFrame:
    """A CRM export with one planted case of each thing profiling must see, and controls.

    Outcome 'won' (Yes/No, about 12 %). Planted: 'Reason Won' filled for ~66 leads, all won
    (a fill-pattern leak); 'Call Duration' that ranks converters with AUC > 0.8 on its own;
    'Lead Quality' set after the call (moderately predictive, leak-like name); 'Do Not Email'
    yes/no opt-out converting 16 % vs 40 % ('email' in the name); 'email_opens' counts;
    'Landing Page ID' with ~500 recurring page codes converting differently; 'pdays' -1 for
    ~82 % of leads. Controls that are not leaks: 'industry', 'Employment Status' (a
    status-like name on a field with no signal) and 'company_size'.
    """
    rng = np.random.default_rng(seed)
    page = rng.integers(0, 500, n)
    page_lift = rng.normal(0, 0.8, 500)[page]
    opt_out = rng.random(n) < 0.3
    industry = rng.choice(["Software", "Retail", "Finance", "Health"], n)
    ind_lift = pd.Series(industry).map({"Software": 0.6, "Retail": -0.4}).fillna(0).to_numpy()
    size = rng.lognormal(4, 1.2, n).round()
    opens = rng.poisson(2, n)
    never = rng.random(n) < 0.82
    pdays = np.where(never, -1, rng.integers(1, 400, n))
    logit = -2.6 + page_lift + ind_lift + 0.4 * np.log1p(size) / 2 + 0.15 * opens - 1.2 * opt_out
    logit += np.where(never, 0, 0.5)
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    duration = np.where(won, rng.gamma(6, 100, n), rng.gamma(2, 80, n)).round()
    quality = np.where(
        rng.random(n) < 0.55, np.where(won, "High", "Low"), rng.choice(["High", "Low", "Mid"], n)
    )
    reason = np.where(won & (rng.random(n) < 66 / max(won.sum(), 1)), "Price", "")
    return pd.DataFrame(
        {
            "Lead ID": [f"L{i:06d}" for i in range(n)],
            "industry": industry,
            "company_size": size.astype(int).astype(str),
            "Employment Status": rng.choice(["Employed", "Self-employed", "Other"], n),
            "Do Not Email": np.where(opt_out, "Yes", "No"),
            "email_opens": opens.astype(str),
            "Landing Page ID": [f"LP-{p:04d}" for p in page],
            "pdays": pdays.astype(str),
            "Call Duration": duration.astype(int).astype(str),
            "Lead Quality": quality,
            "Reason Won": reason,
            "won": np.where(won, "Yes", "No"),
        }
    )
