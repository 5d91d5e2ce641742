"""A seeded synthetic B2B funnel: leads, six months of activity and a hidden conversion.

Realistic enough that a marketer recognises their own funnel — junk sign-ups, job seekers
browsing the careers page, tire-kickers who read everything and never buy, hot leads on the
pricing page, hot leads gone quiet — and vectorised so a million leads and twenty million
events take well under a minute. Conversion follows a hidden logistic process over fit and
the behaviour actually generated, so it is learnable but not trivially so.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.files import atomic_output

DEFAULT_END = dt.date(2026, 10, 31)
DAY = 86_400

PERSONAS = ("junk", "job_seeker", "tire_kicker", "hot", "quiet_hot", "regular")
PERSONA_SHARE = (0.06, 0.06, 0.20, 0.10, 0.05, 0.53)

SENIORITY = ("C-level", "VP", "Director", "Manager", "Individual contributor", "Student")
# rows: persona; columns: SENIORITY
SENIORITY_P = np.array(
    [
        [0.05, 0.05, 0.05, 0.15, 0.40, 0.30],
        [0.00, 0.00, 0.00, 0.02, 0.38, 0.60],
        [0.03, 0.07, 0.15, 0.35, 0.40, 0.00],
        [0.12, 0.25, 0.28, 0.25, 0.10, 0.00],
        [0.10, 0.22, 0.28, 0.28, 0.12, 0.00],
        [0.05, 0.10, 0.18, 0.32, 0.35, 0.00],
    ]
)
TITLES = {
    "C-level": ("CEO", "Chief Marketing Officer", "Chief Revenue Officer", "COO"),
    "VP": ("VP of Sales", "VP Marketing", "VP Operations", "VP of Growth"),
    "Director": ("Director of Operations", "Head of Growth", "Marketing Director", "Director, IT"),
    "Manager": ("Marketing Manager", "Sales Operations Manager", "Product Manager", "IT Manager"),
    "Individual contributor": (
        "Marketing Specialist",
        "Software Engineer",
        "Analyst",
        "Consultant",
    ),
    "Student": ("Student", "Intern", "Graduate student", "Marketing Intern"),
}
INDUSTRIES = (
    "Software",
    "Financial services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Professional services",
    "Education",
    "Government",
    "Media",
    "Other",
)
INDUSTRY_P = (0.20, 0.12, 0.10, 0.12, 0.10, 0.10, 0.08, 0.05, 0.05, 0.08)
INDUSTRY_FIT = np.array([0.6, 0.5, 0.4, 0.1, 0.0, 0.1, -0.3, -0.4, -0.1, -0.2])
COUNTRIES = (
    "United States",
    "United Kingdom",
    "Germany",
    "Canada",
    "France",
    "Netherlands",
    "Australia",
    "India",
    "Brazil",
    "Nigeria",
    "Philippines",
)
COUNTRY_P = (0.34, 0.12, 0.09, 0.07, 0.06, 0.05, 0.05, 0.10, 0.05, 0.04, 0.03)
COUNTRY_FIT = np.array([0.3, 0.3, 0.3, 0.3, 0.2, 0.2, 0.2, -0.4, -0.4, -0.6, -0.6])
SOURCES = (
    "Organic search",
    "Paid search",
    "LinkedIn ads",
    "Webinar",
    "Trade show",
    "Referral",
    "Content syndication",
    "Purchased list",
)
OWNERS = (
    "Ana Ruiz",
    "Ben Okafor",
    "Chloé Martin",
    "Dev Patel",
    "Eva Lindqvist",
    "Farid Haddad",
    "Grace Kim",
    "Hugo Santos",
)
FIRST = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sofia", "Mateo", "Aisha",
    "Kenji", "Priya", "Jonas", "Lea", "Omar", "Chen", "Maria", "David", "Fatima", "Lars", "Nina",
)  # fmt: skip
LAST = (
    "Smith", "Johnson", "Garcia", "Müller", "Dubois", "Rossi", "Kowalski", "Nguyen", "Patel",
    "Kim", "Silva", "Brown", "Jansen", "Andersen", "Okoye", "Tanaka", "Haddad", "Walker", "Cohen",
)  # fmt: skip
FAKE_FIRST = ("Test", "Asdf", "Mickey", "xxx", "aaa", "qwerty")
FAKE_LAST = ("Test", "Asdf", "Mouse", "xxx", "aaa", "User")
COMPANY_A = ("Blue", "North", "Bright", "Iron", "Green", "Swift", "Nova", "Peak", "Clear", "Red")
COMPANY_B = ("stone", "wave", "field", "logic", "works", "bridge", "labs", "point", "core", "line")
FREE_MAIL = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com")
JUNK_MAIL = ("mailinator.com", "10minutemail.com", "test.com", "example.com")
PLACEHOLDERS = ("Select", "N/A", "")

# Activities: (type, detail choices)
BLOG_SLUGS = ("lead-scoring-101", "mql-vs-sql", "b2b-funnels", "roi-guide", "case-study-acme")
BLOG = tuple(f"/blog/{s}" for s in BLOG_SLUGS)
DOCS = tuple(f"/docs/{s}" for s in ("getting-started", "api", "integrations", "security"))
CAMPAIGNS = ("Newsletter 2026-06", "Newsletter 2026-08", "Product launch", "Webinar invite")
PAPERS = ("Buyer's guide to lead scoring", "State of B2B marketing 2026", "ROI calculator")
WEBINARS = ("Scoring that sales trusts", "From MQL to revenue")
EVENT_KINDS = (
    ("page_view", ("/",)),
    ("page_view", ("/product/analytics", "/product/integrations", "/product/automation")),
    ("page_view", ("/pricing",)),
    ("page_view", ("/contact",)),
    ("page_view", ("/careers", "/careers/open-positions")),
    ("page_view", BLOG),
    ("page_view", DOCS),
    ("email_open", CAMPAIGNS),
    ("email_click", CAMPAIGNS),
    ("whitepaper_download", PAPERS),
    ("webinar_registration", WEBINARS),
    ("webinar_attendance", WEBINARS),
    ("demo_request", ("",)),
    ("free_trial", ("",)),
    ("newsletter_signup", ("",)),
    ("unsubscribe", ("",)),
    ("form_submit", ("/contact",)),
)
KIND = {name: i for i, name in enumerate(
    ("home", "product", "pricing", "contact", "careers", "blog", "docs", "email_open",
     "email_click", "whitepaper", "webinar_reg", "webinar_att", "demo", "trial", "newsletter",
     "unsubscribe", "form"))}  # fmt: skip
# Expected events per lead over a full window, per persona (rows) and event kind (columns).
RATES = np.array(
    [
        # home prod pric cont care blog docs eopn eclk wpap wreg watt demo tria news unsb form
        [1.0, 0.2, 0.1, 0.0, 0.1, 0.2, 0.0, 0.5, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.1, 0.1, 0.0],
        [2.0, 0.3, 0.1, 0.1, 5.0, 2.0, 0.1, 1.0, 0.2, 0.1, 0.1, 0.0, 0.0, 0.0, 0.3, 0.2, 0.0],
        [3.0, 2.0, 0.4, 0.1, 0.1, 8.0, 1.0, 9.0, 3.0, 1.5, 1.2, 0.8, 0.02, 0.05, 0.6, 0.1, 0.0],
        [3.0, 5.0, 4.0, 1.5, 0.1, 2.0, 2.0, 6.0, 2.5, 0.8, 0.5, 0.4, 0.6, 0.5, 0.2, 0.0, 0.6],
        [3.0, 5.0, 4.0, 1.2, 0.1, 2.0, 2.0, 6.0, 2.0, 0.8, 0.5, 0.4, 0.5, 0.4, 0.2, 0.1, 0.5],
        [2.5, 2.0, 0.8, 0.3, 0.2, 3.0, 0.8, 7.0, 1.5, 0.5, 0.4, 0.3, 0.1, 0.1, 0.3, 0.15, 0.1],
    ]
)
INTENT_KINDS = [KIND[k] for k in ("product", "pricing", "contact", "demo", "trial", "form", "docs")]


def _pick(rng: np.random.Generator, values, n: int, p=None) -> np.ndarray:
    return np.asarray(values, dtype=object)[rng.choice(len(values), n, p=p)]


def _per_row_choice(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row from a per-row probability matrix (vectorised inverse CDF)."""
    cdf = probs.cumsum(axis=1)
    u = rng.random((len(probs), 1)) * cdf[:, -1:]
    return (u > cdf).sum(axis=1)


def _sprinkle(rng, values: np.ndarray, share: float, choices=PLACEHOLDERS) -> np.ndarray:
    """Replace a share of values with form placeholders ('Select', 'N/A', blank)."""
    out = values.astype(object)
    hit = rng.random(len(out)) < share
    out[hit] = _pick(rng, choices, int(hit.sum()))
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def generate_sample(
    n_leads: int = 5000,
    seed: int = 42,
    end: dt.date = DEFAULT_END,
    months: int = 6,
    messy: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(leads, activities)`` for a synthetic funnel; same arguments, same data.

    >>> leads, activities = generate_sample(1000, seed=1)
    >>> len(leads)  # doctest: +SKIP
    1003
    """
    rng = np.random.default_rng(seed)
    n = n_leads
    end_s = int(pd.Timestamp(end).value // 10**9) + DAY - 1  # last second of the end day
    window = int(months * 30.5 * DAY)
    start_s = end_s - window

    persona = rng.choice(len(PERSONAS), n, p=PERSONA_SHARE)
    junk, seeker = persona == 0, persona == 1
    hot, quiet = persona == 3, persona == 4

    sen = _per_row_choice(rng, SENIORITY_P[persona])
    ind = rng.choice(len(INDUSTRIES), n, p=INDUSTRY_P)
    ctry = rng.choice(len(COUNTRIES), n, p=COUNTRY_P)
    size = np.round(np.exp(rng.normal(4.6, 1.8, n))).clip(1, 100_000)
    bigger = np.round(np.exp(rng.normal(6, 1.2, n)))
    size = np.where(hot | quiet, np.maximum(size, bigger), size)
    size = np.where(seeker | junk, np.minimum(size, 50), size).astype(np.int64)
    revenue = (size * rng.uniform(60_000, 250_000, n)).round(-3).astype(np.int64)

    sen_fit = np.array([0.9, 0.9, 0.6, 0.3, -0.1, -1.5])[sen]
    size_fit = np.select([size < 10, size < 200, size < 2000], [-0.5, 0.1, 0.5], 0.6)
    fit = sen_fit + INDUSTRY_FIT[ind] + COUNTRY_FIT[ctry] + size_fit

    # creation and active span: quiet leads stopped 60–150 days before the end
    created = start_s + (rng.random(n) * (window - DAY)).astype(np.int64)
    created = np.where(quiet, start_s + (rng.random(n) * window * 0.3).astype(np.int64), created)
    active_end = np.where(quiet, end_s - rng.integers(60, 150, n) * DAY, end_s)
    active_end = np.maximum(active_end, created + DAY)
    span = (active_end - created).astype(np.float64)

    # event counts: persona rates × share of the window the lead was around × interest
    interest = rng.lognormal(0.0, 0.6, n)
    intent = np.where(persona == 5, rng.lognormal(-0.3, 0.9, n), 1.0)
    rates = 1.6 * RATES[persona] * (span / window)[:, None] * interest[:, None]
    rates[:, INTENT_KINDS] *= intent[:, None]
    rates[:, KIND["contact"]] *= 1 + 0.3 * np.maximum(fit, 0)
    counts = rng.poisson(rates)
    counts[:, KIND["demo"]] = np.minimum(counts[:, KIND["demo"]], 2)
    counts[:, KIND["trial"]] = np.minimum(counts[:, KIND["trial"]], 1)
    counts[:, KIND["unsubscribe"]] = np.minimum(counts[:, KIND["unsubscribe"]], 1)

    lead_of_event = np.repeat(np.repeat(np.arange(n), len(EVENT_KINDS)), counts.ravel())
    kind_of_event = np.repeat(np.tile(np.arange(len(EVENT_KINDS)), n), counts.ravel())
    u = rng.random(len(lead_of_event))
    skew = np.where(hot[lead_of_event], 0.5, 1.0)  # hot leads' activity is recent
    ts = created[lead_of_event] + (u**skew * span[lead_of_event]).astype(np.int64)

    # detail of each event: one of its kind's choices
    detail = np.empty(len(kind_of_event), dtype=object)
    etype = np.empty(len(kind_of_event), dtype=object)
    for k, (name, choices) in enumerate(EVENT_KINDS):
        sel = np.flatnonzero(kind_of_event == k)
        etype[sel] = name
        detail[sel] = _pick(rng, choices, len(sel))

    # hidden conversion over fit and the behaviour actually generated
    def recent(kind: str, days: int) -> np.ndarray:
        m = (kind_of_event == KIND[kind]) & (ts > end_s - days * DAY)
        return np.bincount(lead_of_event[m], minlength=n)

    pricing = np.minimum(recent("pricing", 45), 3)
    latent = (
        -5.0
        + 0.9 * fit
        + 0.55 * pricing
        + 1.3 * (recent("demo", 90) > 0)
        + 1.0 * (recent("trial", 90) > 0)
        + 0.6 * (recent("contact", 60) + recent("form", 60) > 0)
        + 0.25 * np.minimum(counts[:, KIND["product"]], 4)
        + 0.15 * np.minimum(counts[:, KIND["webinar_att"]] + counts[:, KIND["whitepaper"]], 3)
        - 0.8 * np.minimum(counts[:, KIND["careers"]], 3)
        - 1.5 * (counts[:, KIND["unsubscribe"]] > 0)
        + rng.normal(0, 0.7, n)
    )
    latent = np.where(junk, -12, np.where(seeker, latent - 3.5, latent))
    converted = rng.random(n) < _sigmoid(latent)

    # SDR status from what was known before the outcome (fit, intent, noise) — not the outcome
    pre = 0.8 * fit + 0.5 * pricing + 1.2 * (counts[:, KIND["demo"]] > 0) + rng.normal(0, 0.8, n)
    status = np.select(
        [junk & (rng.random(n) < 0.5), pre > 2.0, pre > 0.8, pre < -1.2],
        ["Disqualified", "Phone qualified", "Contacted", "Disqualified"],
        "New",
    )

    last_event = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_event, lead_of_event, ts)
    base = np.maximum(last_event, created)
    lag = rng.integers(3, 40, n) * DAY
    conv_at = base + lag
    # a deal that would close after the export closed in its last weeks instead: spread out,
    # not piled on the last day (no extra draw, so every other column stays as it was)
    conv_at = np.where(conv_at > end_s, np.maximum(end_s - lag + 3 * DAY, created), conv_at)

    # names and emails
    first = _pick(rng, FIRST, n)
    last = _pick(rng, LAST, n)
    first[junk] = _pick(rng, FAKE_FIRST, int(junk.sum()))
    last[junk] = _pick(rng, FAKE_LAST, int(junk.sum()))
    company = pd.Series(_pick(rng, COMPANY_A, n)) + pd.Series(_pick(rng, COMPANY_B, n))
    domain = (company.str.lower() + ".com").to_numpy(dtype=object)
    free = rng.random(n) < np.where(seeker, 0.7, np.where(hot | quiet, 0.05, 0.15))
    domain[free] = _pick(rng, FREE_MAIL, int(free.sum()))
    domain[junk] = _pick(rng, JUNK_MAIL, int(junk.sum()))
    local = pd.Series(first).str.lower() + "." + pd.Series(last).str.lower()
    email = (local + "@" + pd.Series(domain)).to_numpy(dtype=object)
    email[junk & (rng.random(n) < 0.3)] = ""

    seniority_names = np.asarray(SENIORITY, dtype=object)[sen]
    title_table = np.array([TITLES[s] for s in SENIORITY], dtype=object)
    title = title_table[sen, rng.integers(0, 4, n)]
    title[rng.random(n) < 0.05] = ""

    segment = np.select([size >= 2000, size >= 200], ["Enterprise", "Mid-market"], "SMB")
    size_col = pd.array(size, dtype="Int64")
    size_col[rng.random(n) < 0.15] = pd.NA
    revenue_col = pd.array(revenue, dtype="Int64")
    revenue_col[rng.random(n) < 0.30] = pd.NA
    budget_p = np.where(hot | quiet, 0.55, 0.15)
    budget = np.where(rng.random(n) < budget_p, "Yes", "No").astype(object)
    budget = _sprinkle(rng, budget, 0.35, ("Select", ""))
    timeline = _pick(rng, ("Evaluating now", "Within 6 months", "Just researching", ""), n)
    timeline[hot] = _pick(rng, ("Evaluating now", "Within 6 months"), int(hot.sum()))

    company_col = company.to_numpy(dtype=object)  # no extra draw: other columns stay
    company_col[junk] = ""
    phone = pd.Series(rng.integers(200_000_0000, 999_999_9999, n)).astype(str)
    phone = ("+1 " + phone).to_numpy(dtype=object)
    phone[rng.random(n) < np.where(hot, 0.2, 0.45)] = ""

    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i:07d}" for i in range(1, n + 1)],
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": phone,
            "company": company_col,
            "job_title": title,
            "seniority": _sprinkle(rng, seniority_names, 0.07),
            "industry": _sprinkle(rng, np.asarray(INDUSTRIES, dtype=object)[ind], 0.06),
            "country": _sprinkle(rng, np.asarray(COUNTRIES, dtype=object)[ctry], 0.04, ("N/A", "")),
            "company_size": size_col,
            "annual_revenue": revenue_col,
            "source": _pick(rng, SOURCES, n),
            "owner": _pick(rng, OWNERS, n),
            "segment": segment,
            "created_at": pd.to_datetime(created, unit="s").strftime("%Y-%m-%d"),
            "budget": budget,
            "timeline": timeline,
            "lead_status": status,
            "converted": converted.astype(np.int64),
            "converted_at": np.where(
                converted, pd.to_datetime(conv_at, unit="s").strftime("%Y-%m-%d"), ""
            ),
        }
    )
    leads["first_name"] = leads["first_name"].astype("str")

    order = np.argsort(ts, kind="stable")
    activities = pd.DataFrame(
        {
            "lead_id": leads["lead_id"].to_numpy(dtype=object)[lead_of_event[order]],
            "timestamp": pd.to_datetime(ts[order], unit="s"),
            "activity_type": etype[order],
            "detail": detail[order],
        }
    )
    if messy:
        leads, activities = _add_data_problems(rng, leads, activities)
    return leads, activities


def _add_data_problems(rng, leads: pd.DataFrame, activities: pd.DataFrame):
    """A few rows of the problems every CRM export has, so data checks have work to do."""
    n_dup = min(3 + len(leads) // 2000, len(leads))  # a tiny sample has fewer to repeat
    dup = leads.iloc[rng.choice(len(leads), n_dup, replace=False)].copy()
    dup["phone"] = ""
    dup["lead_status"] = "New"
    leads = pd.concat([leads, dup], ignore_index=True)

    k = min(3 + len(activities) // 50_000, len(activities) // 3)
    bad = activities.iloc[rng.choice(len(activities), 3 * k, replace=False)].copy()
    bad.iloc[:k, 0] = [f"X{i:07d}" for i in range(k)]  # unknown leads
    bad.iloc[k : 2 * k, 1] = pd.NaT  # unreadable: written as text in CSV, null in Parquet
    bad.iloc[2 * k :, 1] = pd.Timestamp("2031-01-15 09:30:00")  # in the future
    n_before = len(activities)
    activities = pd.concat([activities, bad], ignore_index=True)
    activities.attrs["unreadable_rows"] = list(range(n_before + k, n_before + 2 * k))
    return leads, activities


def write_sample(
    out_dir: str | Path,
    n_leads: int = 5000,
    seed: int = 42,
    end: dt.date = DEFAULT_END,
    fmt: str = "csv",
    messy: bool = True,
) -> dict[str, Path]:
    """Write ``leads.<fmt>`` and ``activities.<fmt>`` ('csv' or 'parquet') into ``out_dir``."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet'; got {fmt!r}")
    out = Path(out_dir)
    leads, acts = generate_sample(n_leads, seed=seed, end=end, messy=messy)
    paths = {"leads": out / f"leads.{fmt}", "activities": out / f"activities.{fmt}"}
    if fmt == "csv":
        text = acts["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S").astype(object)
        unreadable = acts.attrs.get("unreadable_rows", [])
        text.iloc[unreadable] = np.resize(["not a date", "31/02/2026"], len(unreadable))
        acts = acts.assign(timestamp=text)
        write = pd.DataFrame.to_csv
    else:
        acts.attrs.clear()
        for col in ("lead_id", "activity_type", "detail"):
            acts[col] = acts[col].astype("str")
        write = pd.DataFrame.to_parquet
    # each file whole or not at all, and both written before either is renamed into place:
    # a run stopped while writing leaves the previous pair as it was
    with atomic_output(paths["leads"]) as leads_tmp, atomic_output(paths["activities"]) as tmp:
        write(leads, leads_tmp, index=False)
        write(acts, tmp, index=False)
    return paths
