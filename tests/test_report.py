"""The scoring report: its tables agree with the engine, and the HTML papermill makes is
standalone (sections, figures equal to the engine's, no code, nothing fetched from outside).

The report's content is built in-process (fast); one papermill run of the real notebook,
shared by the HTML tests, checks what a manager actually opens.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

import workbench as wb
from tests.helpers import AS_OF, SAMPLES, crit, make_model
from workbench.analysis import metrics, sales
from workbench.engine.signals import resolve_as_of
from workbench.errors import DataError
from workbench.report.build import NEW, build_report, points_text, rule_text, scored_table
from workbench.report.render import going_cold_text, report_html, table_html
from workbench.report.run import plan_reports, run_report
from workbench.text import plural

MODEL, LEADS, ACTS = SAMPLES / "b2b_model.yaml", SAMPLES / "leads.csv", SAMPLES / "activities.csv"
SEGMENT = "Enterprise"
TOP = 8
SECTIONS = (
    "what-was-scored",
    "data-quality",
    "criteria",
    "distribution",
    "categories",
    "conversion",
    "top-leads",
    "going-cold",
)


# --- the engine, computed independently of the report code --------------------------------


@pytest.fixture(scope="module")
def engine():
    """Model, data of one segment and its scoring now and a week earlier, via the public API."""
    model = wb.load_model(MODEL)
    data = wb.load_data(LEADS, ACTS, model=model)  # as the report loads it (real clock)
    part = data.subset(data.leads.index[(data.leads["segment"] == SEGMENT).to_numpy()])
    signals = wb.compute_signals(model, part, as_of=AS_OF)
    previous = wb.compute_signals(model, part, as_of=signals.as_of - pd.Timedelta(days=7))
    return model, part, signals, previous


def best_ids(scored: pd.DataFrame, n: int, signals=None) -> list[str]:
    """The engine's n best scores among leads in a sales category; ties by the raw total
    before clipping, then the latest activity, then the lead id."""
    pool = scored[~scored["inquiry"]]
    raw = pd.Series(wb.score_totals(wb.load_model(MODEL), signals).raw, index=signals.lead_ids)
    acts = signals.data.activities
    acts = acts[acts["timestamp"] <= signals.as_of]
    last = acts.groupby(signals.data.leads.index[acts["lead_idx"]])["timestamp"].max()
    last_ns = last.reindex(pool.index).to_numpy(dtype="datetime64[ns]").view(np.int64)
    quiet = np.where(np.isnat(last_ns.view("datetime64[ns]")), np.iinfo(np.int64).max, -last_ns)
    order = np.lexsort(
        (pool.index.to_numpy(dtype=str), quiet, -raw[pool.index].to_numpy(),
         -pool["score"].to_numpy())
    )  # fmt: skip
    return list(pool.index[order[:n]])


@pytest.fixture(scope="module")
def report():
    return build_report(MODEL, LEADS, ACTS, as_of=AS_OF, segment=SEGMENT.lower(), top_n=TOP)


# --- content ------------------------------------------------------------------------------


def test_counts_per_category_are_the_engines(report, engine):
    model, _, signals, _ = engine
    counts = metrics.category_counts(wb.score_totals(model, signals))
    assert report.counts["leads"].to_dict() == counts.to_dict()
    assert report.n_leads == signals.n_leads == int(report.counts["leads"].sum())
    assert report.counts["share"].sum() == pytest.approx(1.0)


def test_without_compare_to_the_baseline_is_the_same_model_a_week_earlier(report, engine):
    model, _, _, previous = engine
    then = wb.score_totals(model, previous)
    existed = previous.created_ns <= previous.as_of.value
    expected = np.bincount(then.category[existed], minlength=len(then.category_names))
    assert report.counts["baseline"].to_numpy().tolist() == expected.tolist()
    assert f"as of {previous.as_of:%Y-%m-%d}" in report.baseline_label
    # the shift table adds up both ways: rows to the baseline, columns to now
    shift = report.shift
    assert shift.drop(index=NEW, errors="ignore").sum(axis=1).tolist() == expected.tolist()
    assert shift.sum(axis=0).tolist() == report.counts["leads"].tolist()
    new = int(shift.loc[NEW].sum()) if NEW in shift.index else 0
    assert new == int((~existed).sum())
    moved = int(report.moves["leads"].sum())
    assert moved == int(shift.to_numpy().sum() - np.trace(shift.drop(index=NEW, errors="ignore")))


def test_top_leads_are_the_engines_best_scores_with_their_reasons(report, engine):
    model, _, signals, _ = engine
    scored = wb.score(model, signals)
    ids = best_ids(scored, TOP, signals)
    assert report.top["lead id"].tolist() == ids
    assert report.top["score"].tolist() == scored.loc[ids, "score"].tolist()
    assert report.top["reasons"].tolist() == scored.loc[ids, "reasons"].tolist()


def test_going_cold_are_the_sales_modules_cold_leads(report, engine):
    model, _, signals, previous = engine
    now = sales.Scoring(model, signals, wb.score_totals(model, signals))
    then = sales.Scoring(model, previous, wb.score_totals(model, previous))
    changes = sales.changes_since(now, then)
    assert report.n_cold == int(changes.cold.sum()) > 0
    assert report.n_fell == int(changes.fell.sum())
    cold_ids = set(signals.lead_ids[changes.cold])
    assert set(report.cold["lead id"]) <= cold_ids
    assert len(report.cold) == min(TOP, len(cold_ids))
    assert (report.cold["score now"] < report.cold["score then"]).all()


def test_conversion_has_wilson_intervals_from_the_engine(report, engine):
    model, _, signals, _ = engine
    totals = wb.score_totals(model, signals)
    expected = metrics.conversion_by_category(totals, metrics.outcome_array(signals))
    pd.testing.assert_frame_equal(report.conversion.drop(columns="label"), expected)
    known = report.conversion[report.conversion["leads"] > 0]
    assert ((known["low"] <= known["rate"]) & (known["rate"] <= known["high"])).all()


def test_what_was_scored_names_model_sign_off_checksums_and_instant(report):
    items = dict(zip(report.scored["item"], report.scored["value"], strict=True))
    assert items["Model"] == "B2B default v1"
    assert "Dana Whitfield (Head of Sales, 2026-11-02)" in items["Signed off by"]
    assert items["Scored as of"].startswith(AS_OF)
    assert items["Segment"] == SEGMENT  # the data's spelling, whatever case was asked for
    files = report.files.set_index("role")
    for role, path in (("model", MODEL), ("leads", LEADS), ("activities", ACTS)):
        assert files.loc[role, "sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert files.loc["leads", "rows read"] == len(pd.read_csv(LEADS, dtype=str))


def test_the_last_change_shows_the_authors_note_and_the_changes_in_words(sample_model):
    from types import SimpleNamespace

    from workbench.model.versioning import next_version

    edited = sample_model.with_points({"pricing_page": 20})
    scoring = SimpleNamespace(as_of=pd.Timestamp(AS_OF))  # only its instant is shown
    for note, said in (("Pricing matters", "Pricing matters; "), ("", "")):
        model = next_version(sample_model, edited, "Priya", note, pd.Timestamp(AS_OF).date())
        table = scored_table(model, scoring, segment=None, baseline_label="-", n_leads=1)
        assert table.set_index("item").loc["Last change", "value"] == (
            f"v2 ({AS_OF}) by Priya: {said}Pricing page: 15 → 20 points"
        )


def test_data_quality_lists_rows_set_aside_and_inquiries(report, engine):
    _, part, signals, _ = engine
    aside = report.quality_counts.set_index("file")["set aside"]
    assert aside.to_dict() == {
        "leads": part.report.counts["leads_rejected"],
        "activities": part.report.counts["activities_rejected"],
    }
    assert int(report.quality["count"].sum()) == len(part.report.issues)
    assert int(report.inquiries["counted here"].sum()) == int(signals.inquiry.sum())


@pytest.fixture(scope="module")
def whole():
    """The report over every segment of the sample (its inquiries overlap)."""
    return build_report(MODEL, LEADS, ACTS, as_of=AS_OF, top_n=TOP)


def test_inquiries_show_every_rules_matches_and_the_first_rule_counts(whole, sample_model):
    """A lead matching several validity rules is counted once, but every rule shows its
    matches: 'Obviously fake name' is not '0' when many leads have a fake name."""
    data = wb.load_data(LEADS, ACTS, model=sample_model)
    part = sales.known_by(data, resolve_as_of(data, AS_OF))
    signals = wb.compute_signals(sample_model, part, as_of=AS_OF)
    first = np.bincount(
        signals.inquiry_reason[signals.inquiry], minlength=len(sample_model.inquiries)
    )
    matches = []
    for q in sample_model.inquiries:  # the engine with that one rule alone
        alone = wb.Model.parse({**sample_model.to_dict(), "inquiries": [q.model_dump(mode="json")]})
        matches.append(int(wb.compute_signals(alone, part, as_of=AS_OF).inquiry.sum()))
    table = whole.inquiries
    assert table["reason"].tolist() == [q.label for q in sample_model.inquiries]
    assert table["matches"].tolist() == matches
    assert table["counted here"].tolist() == first.tolist()
    assert (table["matches"] > table["counted here"]).any()  # the overlap the UX test hit
    assert int(table["counted here"].sum()) == int(signals.inquiry.sum())
    page = BeautifulSoup(report_html(whole), "html.parser")
    shown = html_table(page, "inquiries")
    assert shown.columns.tolist() == ["reason", "matches", "counted here"]
    assert shown["matches"].map(number).tolist() == matches
    text = page.find("section", id="data-quality").get_text(" ")
    assert "first rule it matches" in text


def enterprise_variant_model(sample_model: wb.Model) -> wb.Model:
    """The sample model with its Enterprise variant also excluding a criterion."""
    d = sample_model.to_dict()
    d["segments"]["variants"][0]["exclude"] = ["content"]
    return wb.Model.parse(d)


def test_a_segment_report_shows_that_segments_points_thresholds_and_lines(tmp_path, sample_model):
    model = enterprise_variant_model(sample_model)
    (variant,) = model.segments.variants
    assert variant.value == SEGMENT and variant.categories
    path = wb.save_model(model, tmp_path / "m.yaml")
    rep = build_report(path, LEADS, ACTS, as_of=AS_OF, segment=SEGMENT, top_n=TOP)
    data = wb.load_data(LEADS, ACTS, model=model)
    part = data.subset(data.leads.index[(data.leads["segment"] == SEGMENT).to_numpy()])
    signals = wb.compute_signals(model, part, as_of=AS_OF)
    contrib = wb.contributions(model, signals)
    table = rep.criteria.set_index("criterion")
    for cid in dict(variant.points):
        c = model.criterion(cid)
        evidence = signals.column(cid).astype(np.float64)
        small = (evidence > 0) & (evidence * 40 < (c.max_points or np.inf))  # below any cap
        assert small.any()
        per_unit = contrib[cid].to_numpy()[small] / evidence[small]  # the engine's points
        engine_points = float(np.round(per_unit[0], 3))
        assert np.allclose(per_unit, engine_points)
        assert engine_points != sample_model.criterion_points(c)  # the variant overrides it
        assert table.loc[c.label, "points"] == f"+{engine_points:g}"
        assert table.loc[c.label, "default points"] == points_text(model, c)
    content = model.criterion("content")
    assert signals.touches("content") > 0 and (contrib["content"] == 0).all()  # excluded
    assert table.loc[content.label, "points"] == f"excluded in {SEGMENT}"
    # thresholds: the segment's own, labelled like the default category of that name
    labels = {t.name: t.label for t in model.categories}
    expected = [(t.name, t.min, labels[t.name]) for t in variant.categories]
    shown = rep.thresholds[["category", "min score", "label"]]
    assert list(shown.itertuples(index=False, name=None)) == expected
    assert set(rep.thresholds["segment"]) == {SEGMENT}
    # the engine puts leads in categories by those thresholds
    totals = wb.score_totals(model, signals)
    names = np.array(totals.category_names)[totals.category]
    for name, lo, _ in expected[:-1]:
        assert (totals.score[names == name] >= lo).all()
        assert not (names[(totals.score >= lo) & ~signals.inquiry] > name).any()
    # the chart draws the segment's threshold lines, not the default model's
    spec = rep.charts["distribution"].to_dict()
    lines = [d for d in spec["datasets"].values() if d and set(d[0]) == {"name", "min"}]
    assert lines == [[{"name": n, "min": lo} for n, lo, _ in expected]]


def test_an_all_segments_report_labels_every_variants_thresholds(whole, sample_model):
    labels = {t.name: t.label for t in sample_model.categories}
    assert (whole.thresholds["label"] == whole.thresholds["category"].map(labels)).all()
    assert "default points" not in whole.criteria.columns


def test_criteria_table_shows_points_stars_and_bins(whole, sample_model):
    table = whole.criteria.set_index("criterion")
    assert len(table) == len(sample_model.criteria)
    assert table.loc["Pricing page", "points"] == "+15"
    assert table.loc["Target industry", "points"] == "★★ (+10)"  # 2 stars × 5 points
    assert table.loc["Free-mail address", "points"] == "−10"
    assert "2,000+ +15" in table.loc["Company size", "points"]
    assert "last 30 days" in table.loc["Pricing page", "rule"]
    assert whole.buckets["weight %"].tolist() == [b.weight for b in sample_model.buckets]


def test_rule_and_points_texts(sample_model):
    quiet = sample_model.criterion("gone_quiet")
    assert rule_text(quiet.rule) == "no activity in 45 days"
    assert points_text(sample_model, sample_model.criterion("seniority")).startswith(
        "Executive +20 · Director +15"
    )


def without_trials(model: wb.Model) -> wb.Model:
    """The model without the free-trial points: every lead scores the same or less."""
    return model.with_points({"free_trial": 0}).with_metadata(version=2)


def test_compare_to_model_is_the_baseline(tmp_path, sample_model, engine):
    signals = engine[2]
    other = without_trials(sample_model)
    path = wb.save_model(other, tmp_path / "v2.yaml")
    rep = build_report(MODEL, LEADS, ACTS, as_of=AS_OF, segment=SEGMENT, compare_to=path)
    other_signals = wb.compute_signals(other, signals.data, as_of=AS_OF)
    expected = metrics.category_counts(wb.score_totals(other, other_signals))
    assert rep.counts["baseline"].to_dict() == expected.to_dict()
    assert "v2 (compare-to model)" in rep.baseline_label
    assert NEW not in rep.shift.index  # same instant: no lead is new
    assert rep.shift.sum(axis=1).tolist() == expected.tolist()
    # the baseline scores no higher than the current model: leads only move up to it
    assert np.triu(rep.shift.to_numpy(), 1).sum() == 0
    assert rep.moves["leads"].sum() > 0


def test_an_unknown_segment_is_refused_with_the_known_ones():
    with pytest.raises(DataError, match=r"Did you mean 'Enterprise'\? Segments are: Ent"):
        build_report(MODEL, LEADS, ACTS, segment="Enterprize")


def test_user_text_is_escaped_in_the_html(tmp_path, sample_model):
    hostile = "<script>alert('x')</script>"
    path = wb.save_model(sample_model.with_metadata(name=f"Acme {hostile}"), tmp_path / "m.yaml")
    leads = pd.read_csv(LEADS, dtype=str, keep_default_na=False)
    report_lead = build_report(path, LEADS, ACTS, as_of=AS_OF, top_n=1).top["lead id"].iloc[0]
    leads.loc[leads["lead_id"] == report_lead, "first_name"] = '<img src=x onerror="alert(1)">'
    leads.to_csv(tmp_path / "leads.csv", index=False)
    rep = build_report(path, tmp_path / "leads.csv", ACTS, as_of=AS_OF, top_n=1)
    page = report_html(rep)
    assert rep.top["lead id"].iloc[0] == report_lead
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "Acme &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_table_html_escapes_headers_and_cells():
    frame = pd.DataFrame({"<b>": ["a&b", None], "n": [1234, 5]})
    html = table_html(frame, 'x"y')
    assert '<table class="wb-table" id="x&quot;y">' in html
    assert "<th>&lt;b&gt;</th>" in html and "<td>a&amp;b</td>" in html
    assert '<td class="num">1,234</td>' in html and "<td>—</td>" in html


def test_report_sentences_say_no_zero_counts_and_get_singulars_right(report):
    assert plural(1, "lead") == "1 lead" and plural(1234, "lead") == "1,234 leads"
    assert going_cold_text(5, 0, 5) == (
        "5 leads were in the top category a week ago, have done nothing since and lost points."
    )
    assert going_cold_text(1, 1, 1) == (
        "1 lead was in the top category a week ago, has done nothing since and lost points; "
        "it already fell out of it."
    )
    assert "2 of them already fell out" in going_cold_text(9, 2, 3)
    assert going_cold_text(9, 2, 3).endswith("The best 3 are shown.")
    page = report_html(report)
    cold = BeautifulSoup(page, "html.parser").find("section", id="going-cold").p.get_text()
    assert cold == going_cold_text(report.n_cold, report.n_fell, len(report.cold))
    if report.n_fell == 0:
        assert "of them" not in cold
    one = report_html(dataclasses.replace(report, n_leads=1, n_cold=1, n_fell=0))
    assert '<p class="wb-note">1 lead. ' in one and "1 lead was in the top" in one
    assert not re.search(r"\b1 (lead|week)s\b", one)
    assert "inquiries (Inquiry)" not in page
    names = "/".join(t.name for t in wb.load_model(MODEL).categories)
    assert "Inquiries (junk, tests, job seekers …" in page
    assert f"kept out of the sales categories {names}." in page


def test_report_tables_show_scores_with_one_decimal_dates_unwrapped_and_scroll(report, engine):
    model, _, signals, _ = engine
    soup = BeautifulSoup(report_html(report), "html.parser")
    scored = wb.score(model, signals)
    top = html_table(soup, "top-leads-table")
    assert top["score"].tolist() == [f"{s:.1f}" for s in scored.loc[top["lead id"], "score"]]
    assert any(s.endswith(".0") for s in top["score"])  # 94.0, not 94 next to 94.7
    cold = html_table(soup, "cold-leads-table")
    for col in ("score then", "score now"):
        assert cold[col].str.fullmatch(r"\d+\.\d").all()
    dates = soup.find("table", id="cold-leads-table").find_all("td", class_="date")
    assert dates and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.get_text()) for d in dates)
    for table in soup.find_all("table"):
        box = table.parent
        assert box.name == "div" and "overflow-x: auto" in box.get("style", "")
    style = soup.style.get_text()
    assert "max-width: 1100px" not in style
    assert re.search(r"td\.date \{ white-space: nowrap; \}", style)


# --- the HTML that papermill and nbconvert make --------------------------------------------


@pytest.fixture(scope="module")
def page(tmp_path_factory, sample_model):
    """One papermill run of notebooks/scoring_report.ipynb with parameters, as HTML."""
    folder = tmp_path_factory.mktemp("report")
    other = without_trials(sample_model)
    compare = wb.save_model(other, folder / "v2.yaml")
    (job,) = plan_reports(
        MODEL, LEADS, ACTS, as_of=AS_OF, segments=[SEGMENT], compare_to=compare, top_n=TOP,
        out=folder / "report.html",
    )  # fmt: skip
    path = run_report(job)
    text = path.read_text(encoding="utf-8")
    return text, BeautifulSoup(text, "html.parser"), other


def html_table(soup: BeautifulSoup, table_id: str) -> pd.DataFrame:
    table = soup.find("table", id=table_id)
    assert table is not None, f"no table '{table_id}'"
    head = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.find_all("tr")]
    return pd.DataFrame([r for r in rows if r], columns=head)


def number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.mark.slow
def test_the_page_has_every_section_in_order(page):
    _, soup, _ = page
    ids = [s["id"] for s in soup.find_all("section")]
    assert ids == list(SECTIONS)
    assert soup.title.get_text().startswith("Scoring report: B2B default v1, Enterprise")
    figures = {s: len(soup.find("section", id=s).find_all("svg")) for s in SECTIONS}
    assert figures["distribution"] == 1 and figures["conversion"] == 1


@pytest.mark.slow
def test_the_pages_figures_are_the_engines(page, engine):
    _, soup, other = page
    model, _, signals, _ = engine
    counts = html_table(soup, "category-counts").set_index("category")
    expected = metrics.category_counts(wb.score_totals(model, signals))
    assert counts["leads"].map(number).to_dict() == expected.to_dict()
    other_signals = wb.compute_signals(other, signals.data, as_of=AS_OF)
    baseline = metrics.category_counts(wb.score_totals(other, other_signals))
    assert counts["baseline leads"].map(number).to_dict() == baseline.to_dict()
    top = html_table(soup, "top-leads-table")
    scored = wb.score(model, signals)
    assert top["lead id"].tolist() == best_ids(scored, TOP, signals)
    scored_items = html_table(soup, "scored-items").set_index("item")["value"]
    assert scored_items["Leads scored"] == f"{signals.n_leads:,}"
    files = html_table(soup, "input-files").set_index("role")
    assert files.loc["leads", "sha256"] == hashlib.sha256(LEADS.read_bytes()).hexdigest()


@pytest.mark.slow
def test_the_page_has_no_code(page):
    text, soup, _ = page
    cells = soup.find_all(class_="jp-CodeCell")
    assert cells and all("jp-mod-noInput" in c["class"] for c in cells)
    assert not soup.find_all(class_=["jp-InputArea", "jp-InputPrompt", "jp-OutputPrompt"])
    visible = BeautifulSoup(text, "html.parser")
    for style in visible.find_all("style"):
        style.decompose()
    for source in ("build_report(", "show_report(", "top_n =", "import "):
        assert source not in visible.get_text()
    assert not soup.find_all(attrs={"data-mime-type": "application/vnd.jupyter.stderr"})


@pytest.mark.slow
def test_the_page_loads_nothing_from_outside(page):
    text, soup, _ = page
    assert not soup.find_all("script")  # static: no JavaScript at all, so no CDN
    for tag in soup.find_all(src=True) + soup.find_all(href=True):
        link = tag.get("src") or tag.get("href")
        assert not re.match(r"^\s*(https?:)?//", link), f"external link {link!r}"
    without_comments = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # CSS licence comments
    without_namespaces = re.sub(r'xmlns(:\w+)?="[^"]*"', "", without_comments)  # SVG names
    assert not re.findall(r"https?://", without_namespaces)
    assert "@import" not in without_namespaces


def test_a_report_without_activities_outcomes_or_segments_still_renders(tmp_path):
    missing = {"kind": "missing", "field": "email"}
    no_email = {"id": "no_email", "label": "No email", "rule": missing}
    model = make_model(
        [crit("vp", {"kind": "equals", "field": "seniority", "value": "VP"})], inquiries=[no_email]
    )
    path = wb.save_model(model, tmp_path / "m.yaml")
    leads = pd.DataFrame(
        {
            "lead_id": ["a", "aa", "b", "c"],
            "seniority": ["VP", "VP", "CEO", "VP"],
            "email": ["a@x.com", "", "b@x.com", "c@x.com"],
        }
    )
    leads.to_csv(tmp_path / "leads.csv", index=False)
    rep = build_report(path, tmp_path / "leads.csv", top_n=5)
    assert rep.conversion is None and rep.n_cold == 0 and rep.cold.empty
    assert rep.counts["leads"].sum() == 4 and rep.counts.loc["Inquiry", "leads"] == 1
    # 10 points each, ties by id; 'aa' scores as much but is an inquiry, not a sales lead
    assert rep.top["lead id"].tolist() == ["a", "c", "b"]
    page = report_html(rep)
    assert "no known outcomes" in page and page.count("<svg") == 1
    with pytest.raises(DataError, match="the leads have no segment column"):
        build_report(path, tmp_path / "leads.csv", segment="SMB")


def test_a_report_as_of_a_past_date_holds_only_the_leads_that_existed():
    raw = pd.read_csv(LEADS, dtype="str").drop_duplicates("lead_id").set_index("lead_id")
    created = pd.to_datetime(raw["created_at"])
    existed = created <= pd.Timestamp("2026-07-01 23:59:59")
    rep = build_report(MODEL, LEADS, ACTS, as_of="2026-07-01", top_n=50)
    assert rep.n_leads == int(existed.sum()) < len(raw)
    assert existed.loc[rep.top["lead id"]].all()
    # no lead appears in the shift as "new since last week" unless it was created that week
    week = created.between(pd.Timestamp("2026-06-24 23:59:59"), pd.Timestamp("2026-07-01 23:59:59"))
    new_rows = rep.shift.loc["new since"].sum() if "new since" in rep.shift.index else 0
    assert new_rows <= int(week.sum())
