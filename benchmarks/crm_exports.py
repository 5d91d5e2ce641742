"""Seeded CRM-export-like tables for the drafting bar (issue 15), made the way exports are.

Two tables shaped like public lead tables nobody here wrote, with what those exports hold
planted on purpose, and the list of what was planted so a benchmark can check for it:

- :func:`online_course_leads`: shaped like the public X-Education lead-scoring export
  (an online-course seller in India): ``Prospect ID``, ``Lead Origin``, ``Lead Source``
  with ~20 values (rare ones, and 'google' beside 'Google'), ``Do Not Email`` yes/no
  (16 % vs 40 % conversion), visits / time on site / page views with missing values,
  'Select' placeholders, a landing page id with ~500 values, leaks filled in after the
  call (``Tags``, ``Lead Quality``) and a field filled for ~65 leads who all enrolled,
  and an interaction: visits often *and* came through the website.
- :func:`bank_telemarketing`: shaped like the UCI bank-marketing set (45,211 calls in the
  original): ``default`` yes/no (6.6 % vs 11.8 %), ``pdays`` = -1 for 82 %, the call's
  ``duration`` (known only after the call: a leak), ages that convert in a U (students and
  the retired), and no id column (``--row-id``).

Every effect is a term of one logit, so the tables carry no rule the draft could not
express, and no per-row Python: each column is a vectorised draw.

>>> table = online_course_leads(2_000, seed=1)
>>> table.frame.shape[0], table.outcome, "Tags" in table.leaks
(2000, 'Converted', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class Export:
    """A table as a CRM exports it, and what was planted in it.

    ``id_column`` is None when the export has no id (the benchmark numbers the rows, as
    ``--row-id`` does); ``leaks`` are columns filled after the outcome was known;
    ``interactions`` say in words which combinations were planted.
    """

    name: str
    frame: pd.DataFrame
    id_column: str | None
    outcome: str
    leaks: tuple[str, ...]
    interactions: tuple[str, ...] = ()


def _pick(rng: np.random.Generator, values, weights, n: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return np.asarray(values, dtype=object)[rng.choice(len(p), size=n, p=p / p.sum())]


def _effect(column: np.ndarray, effects: dict[str, float]) -> np.ndarray:
    """Log-odds per row from a value -> effect table (values not listed: 0)."""
    codes, uniques = pd.factorize(pd.Series(column, dtype="object"), use_na_sentinel=True)
    table = np.array([effects.get(u, 0.0) for u in uniques] + [effects.get(None, 0.0)])
    return table[np.where(codes < 0, len(uniques), codes)]


def _outcome(rng: np.random.Generator, logit: np.ndarray, rate: float) -> np.ndarray:
    """0/1 outcomes with the intercept shifted so the table converts at about ``rate``."""
    lo, hi = -15.0, 15.0
    for _ in range(50):  # bisection on the mean probability: a handful of array passes
        mid = (lo + hi) / 2
        if (1 / (1 + np.exp(-(logit + mid)))).mean() < rate:
            lo = mid
        else:
            hi = mid
    p = 1 / (1 + np.exp(-(logit + (lo + hi) / 2)))
    return (rng.random(len(p)) < p).astype(np.int64)


def _hex_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """UUID-like ids ('7927b2df-8bba-4d29-b9a2-b6e0beafe620'), distinct."""
    raw = rng.integers(0, 2**63, size=(n, 2), dtype=np.int64)
    a = pd.Series(raw[:, 0]).map("{:016x}".format)
    b = pd.Series(raw[:, 1] + np.arange(n)).map("{:016x}".format)
    return (
        a.str[:8] + "-" + a.str[8:12] + "-" + a.str[12:16] + "-" + b.str[:4] + "-" + b.str[4:16]
    ).to_numpy()


LEAD_SOURCES = {  # value: (share, log-odds effect); rare ones as in the public export
    "Google": (0.31, 0.1),
    "Direct Traffic": (0.275, -0.2),
    "Olark Chat": (0.19, -0.6),
    "Organic Search": (0.125, 0.0),
    "Reference": (0.058, 2.6),
    "Welingak Website": (0.015, 3.2),
    "Referral Sites": (0.0135, -0.3),
    "Facebook": (0.006, -0.5),
    "bing": (0.0007, -0.6),
    "google": (0.0006, 0.1),
    "Click2call": (0.0005, 1.0),
    "Press_Release": (0.0003, -1.0),
    "Social Media": (0.0003, 0.0),
    "Live Chat": (0.0003, 1.0),
    "youtubechannel": (0.0002, -1.0),
    "testone": (0.0002, -1.0),
    "Pay per Click Ads": (0.0002, -1.0),
    "welearnblog_Home": (0.0002, -1.0),
    "WeLearn": (0.0002, 1.0),
    "blog": (0.0002, -1.0),
    "NC_EDM": (0.0002, 1.0),
}

LAST_ACTIVITY = {
    "Email Opened": (0.37, 0.2),
    "SMS Sent": (0.30, 1.3),
    "Olark Chat Conversation": (0.105, -1.3),
    "Page Visited on Website": (0.07, -0.3),
    "Converted to Lead": (0.046, -1.0),
    "Email Bounced": (0.035, -1.2),
    "Email Link Clicked": (0.029, -0.3),
    "Form Submitted on Website": (0.013, -0.2),
    "Unreachable": (0.01, 0.1),
    "Unsubscribed": (0.0066, -0.4),
    "Had a Phone Conversation": (0.0033, 2.0),
    "Approached upfront": (0.001, 2.0),
    "View in browser link Clicked": (0.0007, -1.0),
    "Email Received": (0.0002, 2.0),
    "Email Marked Spam": (0.0002, 2.0),
    "Visited Booth in Tradeshow": (0.0001, 0.0),
    "Resubscribed to emails": (0.0001, 2.0),
}

SPECIALIZATIONS = {
    "Select": (0.21, -0.3),
    "Finance Management": (0.106, 0.2),
    "Human Resource Management": (0.092, 0.25),
    "Marketing Management": (0.091, 0.3),
    "Operations Management": (0.055, 0.2),
    "Business Administration": (0.044, 0.1),
    "IT Projects Management": (0.04, 0.0),
    "Supply Chain Management": (0.038, 0.1),
    "Banking, Investment And Insurance": (0.037, 0.3),
    "Media and Advertising": (0.022, 0.0),
    "Travel and Tourism": (0.022, -0.2),
    "International Business": (0.019, 0.0),
    "Healthcare Management": (0.017, 0.3),
    "Hospitality Management": (0.012, -0.1),
    "E-COMMERCE": (0.012, 0.0),
    "Retail Management": (0.011, -0.2),
    "Rural and Agribusiness": (0.008, 0.0),
    "E-Business": (0.006, -0.2),
    "Services Excellence": (0.004, -0.3),
    None: (0.155, -0.4),
}

OCCUPATIONS = {
    "Unemployed": (0.606, 0.0),
    "Working Professional": (0.076, 2.4),
    "Student": (0.023, 0.0),
    "Other": (0.0017, 0.6),
    "Housewife": (0.0011, 3.0),
    "Businessman": (0.0009, 0.5),
    None: (0.291, -0.6),
}

COUNTRIES = ["India"] * 1 + [
    "United States", "United Arab Emirates", "Singapore", "Saudi Arabia", "United Kingdom",
    "Australia", "Qatar", "Hong Kong", "Bahrain", "Oman", "France", "unknown", "Nigeria",
    "South Africa", "Canada", "Kuwait", "Germany", "Sweden", "China", "Asia/Pacific Region",
    "Uganda", "Bangladesh", "Italy", "Belgium", "Netherlands", "Ghana", "Philippines",
    "Russia", "Switzerland", "Vietnam", "Denmark", "Tanzania", "Liberia", "Malaysia",
    "Kenya", "Sri Lanka", "Indonesia",
]  # fmt: skip


def online_course_leads(n: int = 20_000, seed: int = 15) -> Export:
    """An export shaped like the public X-Education lead-scoring table (38 % convert).

    Planted: the origin, source, occupation and last activity as in that export (a
    'Lead Add Form' or 'Reference' lead converts ~90 %); ``Do Not Email`` Yes converting
    16 % against 40 %; time on the website the strongest number (0 for a quarter of
    leads); a ``Landing Page ID`` with ~500 pages whose odds differ as 3 % from 20 %;
    a bonus when a lead visited 5+ times *and* came through a landing page submission
    (the website); leaks ``Tags`` and ``Lead Quality`` (filled by sales after the call)
    and ``Enrolment Batch`` (filled for ~65 leads, all of whom enrolled).
    """
    rng = np.random.default_rng(seed)
    origin = _pick(
        rng,
        ["Landing Page Submission", "API", "Lead Add Form", "Lead Import", "Quick Add Form"],
        [0.529, 0.387, 0.0777, 0.006, 0.0003],
        n,
    )
    source = _pick(rng, list(LEAD_SOURCES), [v[0] for v in LEAD_SOURCES.values()], n)
    add_form = origin == "Lead Add Form"  # these come by reference or the partner site
    source[add_form] = _pick(rng, ["Reference", "Welingak Website", "Google"], [0.7, 0.2, 0.1],
                             int(add_form.sum()))  # fmt: skip
    olark = source == "Olark Chat"
    no_email = rng.random(n) < 0.079
    # visits: a count with a long tail; chat leads browse little
    visits = rng.negative_binomial(2, 0.4, n).astype(float) * np.where(olark, 0.3, 1.0)
    visits = np.round(visits)
    visits[add_form | olark & (rng.random(n) < 0.7)] = 0
    time_on = np.where(visits == 0, 0.0, rng.gamma(1.3, 420.0, n) * (0.6 + 0.1 * visits))
    time_on = np.minimum(np.round(time_on), 2272.0)
    views = np.where(visits == 0, 0.0, np.round(1 + rng.gamma(1.5, 1.1, n), 2))
    page_count = 500
    pop = rng.lognormal(0.0, 1.0, page_count)  # a few popular pages, many quiet ones
    pages = np.array([f"LP-{i:05d}" for i in rng.choice(90_000, page_count, replace=False)])
    page_odds = rng.uniform(np.log(0.03 / 0.97), np.log(0.20 / 0.80), page_count)
    page_i = rng.choice(page_count, size=n, p=pop / pop.sum())
    last = _pick(rng, list(LAST_ACTIVITY), [v[0] for v in LAST_ACTIVITY.values()], n)
    spec = _pick(rng, list(SPECIALIZATIONS), [v[0] for v in SPECIALIZATIONS.values()], n)
    occ = _pick(rng, list(OCCUPATIONS), [v[0] for v in OCCUPATIONS.values()], n)
    country = np.where(
        rng.random(n) < 0.72,
        "India",
        np.where(rng.random(n) < 0.9, None, _pick(rng, COUNTRIES, np.ones(len(COUNTRIES)), n)),
    ).astype(object)
    free_copy = _pick(rng, ["No", "Yes"], [0.68, 0.32], n)
    web = origin == "Landing Page Submission"
    logit = (
        _effect(origin, {"Lead Add Form": 1.6, "API": 0.1, "Lead Import": -0.8})
        + _effect(source, {k: v[1] for k, v in LEAD_SOURCES.items()})
        + _effect(last, {k: v[1] for k, v in LAST_ACTIVITY.items()})
        + _effect(spec, {k: v[1] for k, v in SPECIALIZATIONS.items()})
        + _effect(occ, {k: v[1] for k, v in OCCUPATIONS.items()})
        - 2.0 * no_email
        + 1.1 * np.tanh((time_on - 300) / 500)  # saturating: the first minutes count most
        + 0.05 * np.minimum(views, 6)
        + (page_odds[page_i] - page_odds.mean())
        + 1.3 * (web & (visits >= 5))  # the planted combination
        - 0.4 * (web & (visits < 5))
    )
    y = _outcome(rng, logit, 0.385)
    # leaks: filled in by sales after the call, from what the call found
    won = y == 1
    tags_won = ["Will revert after reading the email", "Closed by Horizzon", "Lost to EINS",
                "Busy", None]  # fmt: skip
    tags_lost = ["Ringing", "Interested in other courses", "Already a student",
                 "switched off", "Not doing further education",
                 "Will revert after reading the email",
                 None]  # fmt: skip
    tags = np.where(
        won,
        _pick(rng, tags_won, [0.55, 0.1, 0.03, 0.04, 0.28], n),
        _pick(rng, tags_lost, [0.2, 0.09, 0.04, 0.04, 0.025, 0.04, 0.565], n),
    )
    quality = np.where(
        won,
        _pick(rng, ["High in Relevance", "Might be", "Not Sure", None], [0.2, 0.3, 0.08, 0.42], n),
        _pick(
            rng,
            ["Might be", "Not Sure", "Worst", "Low in Relevance", None],
            [0.1, 0.14, 0.1, 0.06, 0.6],
            n,
        ),
    )
    batch = np.full(n, None, dtype=object)
    winners = np.flatnonzero(won)
    chosen = rng.choice(winners, size=min(65, len(winners)), replace=False)
    batch[chosen] = _pick(rng, ["2026-07 A", "2026-07 B", "2026-08 A", "2026-09 A"],
                          [1, 1, 1, 1], len(chosen))  # fmt: skip
    visits_out = visits.astype(object)
    views_out = views.astype(object)
    gap = rng.random(n) < 0.015  # missing visit counts, as in the public export
    visits_out[gap] = None
    views_out[gap] = None
    frame = pd.DataFrame(
        {
            "Prospect ID": _hex_ids(rng, n),
            "Lead Number": 660_737 - rng.permutation(n) * 7,
            "Lead Origin": origin,
            "Lead Source": np.where(origin == "Lead Import", None, source),
            "Do Not Email": np.where(no_email, "Yes", "No"),
            "Do Not Call": np.where(rng.random(n) < 0.0003, "Yes", "No"),
            "Converted": y,
            "TotalVisits": visits_out,
            "Total Time Spent on Website": time_on.astype(np.int64),
            "Page Views Per Visit": views_out,
            "Last Activity": last,
            "Country": country,
            "Specialization": spec,
            "How did you hear about X Education": _pick(
                rng,
                ["Select", "Online Search", "Word Of Mouth", "Student of SomeSchool", None],
                [0.55, 0.09, 0.04, 0.03, 0.29],
                n,
            ),
            "What is your current occupation": occ,
            "Landing Page ID": pages[page_i],
            "Tags": tags,
            "Lead Quality": quality,
            "Enrolment Batch": batch,
            "A free copy of Mastering The Interview": free_copy,
            "City": _pick(
                rng,
                [
                    "Mumbai",
                    "Select",
                    "Thane & Outskirts",
                    "Other Cities",
                    "Other Cities of Maharashtra",
                    "Other Metro Cities",
                    "Tier II Cities",
                    None,
                ],
                [0.35, 0.24, 0.08, 0.07, 0.05, 0.04, 0.008, 0.162],
                n,
            ),
        }
    )
    return Export(
        name="online course leads (X-Education-like)",
        frame=frame,
        id_column="Prospect ID",
        outcome="Converted",
        leaks=("Tags", "Lead Quality", "Enrolment Batch"),
        interactions=("TotalVisits 5+ and Lead Origin 'Landing Page Submission'",),
    )


JOBS = {
    "blue-collar": (0.215, -0.35),
    "management": (0.209, 0.0),
    "technician": (0.168, -0.1),
    "admin.": (0.114, 0.1),
    "services": (0.092, -0.25),
    "retired": (0.05, 0.45),
    "self-employed": (0.035, -0.05),
    "entrepreneur": (0.033, -0.3),
    "unemployed": (0.029, 0.25),
    "housemaid": (0.027, -0.3),
    "student": (0.021, 0.6),
    "unknown": (0.006, -0.1),
}
MONTHS = {
    "may": (0.304, -0.6),
    "jul": (0.153, -0.25),
    "aug": (0.138, -0.1),
    "jun": (0.118, -0.1),
    "nov": (0.088, -0.2),
    "apr": (0.065, 0.3),
    "feb": (0.059, 0.2),
    "jan": (0.031, -0.4),
    "oct": (0.016, 1.6),
    "sep": (0.013, 1.6),
    "mar": (0.011, 1.8),
    "dec": (0.005, 1.6),
}


def bank_telemarketing(n: int = 45_000, seed: int = 15) -> Export:
    """An export shaped like the UCI bank-marketing set (11.7 % subscribe), no id column.

    Planted: ``default`` yes (1.8 % of clients) converting ~6.6 % against ~11.8 %;
    ``pdays`` -1 (never called before) for 82 %, with ``previous`` 0 and ``poutcome``
    'unknown' for the same clients, and a past success converting ~65 %; conversion in a
    U over age; the call's ``duration`` a leak (it is known only once the call is over, and
    long calls are the ones that ended in a sale); a combination: a cellular contact in
    the quiet months (mar, sep, oct, dec) converts beyond what the two predict alone.
    """
    rng = np.random.default_rng(seed)
    job = _pick(rng, list(JOBS), [v[0] for v in JOBS.values()], n)
    retired, student = job == "retired", job == "student"
    age = np.round(rng.normal(40, 9.5, n))
    age = np.where(retired, np.round(rng.normal(63, 8, n)), age)
    age = np.where(student, np.round(rng.normal(24, 3.5, n)), age)
    age = np.clip(age, 18, 95)
    marital = _pick(rng, ["married", "single", "divorced"], [0.6, 0.283, 0.117], n)
    education = _pick(rng, ["secondary", "tertiary", "primary", "unknown"],
                      [0.513, 0.294, 0.151, 0.042], n)  # fmt: skip
    default = rng.random(n) < 0.018
    balance = np.round(rng.lognormal(6.6, 1.5, n) - 250)
    balance = np.where(default, np.round(rng.normal(-150, 400, n)), balance)
    housing = rng.random(n) < 0.556
    loan = rng.random(n) < 0.16
    contact = _pick(rng, ["cellular", "unknown", "telephone"], [0.648, 0.288, 0.064], n)
    month = _pick(rng, list(MONTHS), [v[0] for v in MONTHS.values()], n)
    day = rng.integers(1, 32, n)
    campaign = 1 + rng.negative_binomial(1, 0.42, n)
    before = rng.random(n) < 0.18
    pdays = np.where(before, np.round(rng.uniform(1, 400, n)), -1).astype(np.int64)
    previous = np.where(before, 1 + rng.negative_binomial(1, 0.45, n), 0)
    poutcome = np.where(
        before, _pick(rng, ["failure", "other", "success"], [0.6, 0.22, 0.18], n), "unknown"
    )
    quiet = np.isin(month, ["mar", "sep", "oct", "dec"])
    cellular = contact == "cellular"
    logit = (
        0.1 * np.maximum(29 - age, 0) + 0.1 * np.maximum(age - 58, 0)  # the U
        + _effect(job, {k: v[1] for k, v in JOBS.items()})
        + _effect(marital, {"single": 0.2, "divorced": 0.05})
        + _effect(education, {"tertiary": 0.25, "primary": -0.1})
        - 0.55 * default
        + 0.12 * np.log1p(np.maximum(balance, 0)) / 4 - 0.2 * (balance < 0)
        - 0.75 * housing
        - 0.55 * loan
        + _effect(contact, {"unknown": -1.1, "telephone": -0.1})
        + _effect(month, {k: v[1] for k, v in MONTHS.items()})
        + 0.2 * np.isin(day, [1, 10, 30]) - 0.15 * ((day >= 17) & (day <= 21))
        - 0.12 * np.minimum(campaign - 1, 6)
        + _effect(poutcome, {"success": 2.6, "other": 0.4, "failure": 0.1})
        + 0.2 * before * (pdays < 120)
        + 1.0 * (quiet & cellular)  # the planted combination
    )  # fmt: skip
    y = _outcome(rng, logit, 0.117)
    # the call's length: a lead who buys stays on the phone (known only after the call)
    duration = np.round(rng.lognormal(np.where(y == 1, 6.2, 5.15), 0.65, n))
    yes_no = np.array(["no", "yes"], dtype=object)
    frame = pd.DataFrame(
        {
            "age": age.astype(np.int64),
            "job": job,
            "marital": marital,
            "education": education,
            "default": yes_no[default.astype(int)],
            "balance": balance.astype(np.int64),
            "housing": yes_no[housing.astype(int)],
            "loan": yes_no[loan.astype(int)],
            "contact": contact,
            "day": day,
            "month": month,
            "duration": duration.astype(np.int64),
            "campaign": campaign,
            "pdays": pdays,
            "previous": previous,
            "poutcome": poutcome,
            "y": yes_no[y],
        }
    )
    return Export(
        name="bank telemarketing (UCI bank-marketing-like)",
        frame=frame,
        id_column=None,
        outcome="y",
        leaks=("duration",),
        interactions=("contact 'cellular' and month in mar/sep/oct/dec",),
    )


SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "leads.csv"


def shipped_sample() -> Export:
    """The shipped sample (5,000 B2B leads), whose after-the-sale fields are its leaks."""
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    return Export(
        name="shipped sample",
        frame=frame,
        id_column="lead_id",
        outcome="converted",
        leaks=("lead_status", "converted_at"),
    )


def exports() -> list[Export]:
    """The three tables of the bar, at their benchmark sizes."""
    return [online_course_leads(), bank_telemarketing(), shipped_sample()]
