"""The scoring report: what a manager reads after a scoring run, as tables and static charts.

``build_report`` loads the files, scores them (and a baseline: the compare-to model, or the
same model a week earlier) and fills a :class:`Report` with small tables — pure functions
over the engine's results (:mod:`workbench.analysis.sales`, :mod:`~workbench.analysis.metrics`),
no per-lead Python. :mod:`workbench.report.render` turns it into escaped HTML sections with
the charts inlined as SVG, so the page needs no JavaScript and no network.
``notebooks/scoring_report.ipynb`` only calls these two; ``workbench report``
(:mod:`workbench.report.run`) runs that notebook with papermill and exports it without code.

>>> report = build_report(segment="Enterprise", top_n=10)  # doctest: +SKIP
>>> report.counts  # leads per category now and in the baseline  # doctest: +SKIP
>>> show_report(report)  # in a notebook  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from workbench.analysis import metrics, sales
from workbench.data.loading import LeadData, created_after, load_data
from workbench.data.tables import file_sha256
from workbench.engine import segments
from workbench.engine.fields import ColumnCache
from workbench.engine.kinds import kind_of
from workbench.engine.scoring import Totals
from workbench.engine.signals import resolve_as_of
from workbench.errors import DataError, Problem, did_you_mean
from workbench.model import load_model
from workbench.model.points import points_text
from workbench.model.signoff import sign_off_lines, stale_sign_off
from workbench.model.spec import Model, Threshold
from workbench.text import signed_points
from workbench.ui.charts import CATEGORY_COLORS, distribution_chart
from workbench.ui.inputs import SAMPLES

DEFAULT_TOP_N = 20
NEW = "new since"
"""The shift table's row for leads created after the baseline's instant."""
SCORE_COLUMNS = ("score", "score then", "score now", "min score")
"""Table columns holding scores: always one decimal, as on the dashboard (94.0 next to 94.7)."""


# --- inputs -------------------------------------------------------------------------------


def segment_column(model: Model, data: LeadData) -> str | None:
    """The leads column that names a lead's segment: the one the model scores segments by,
    else the data mapping's (so a segment report holds the leads its variant scores)."""
    if model.segments is not None and model.segments.field in data.leads.columns:
        return model.segments.field
    mapped = data.mapping.segment
    if mapped and mapped in data.leads.columns:
        return mapped
    return None


def segment_values(model: Model, data: LeadData) -> list[str]:
    """The segments present in the data, sorted (empty when the data has no segment column).

    One entry per segment (:func:`~workbench.model.spec.segment_key`): the data's first
    spelling of it in sorted order, as 'Enterprise' and 'enterprise' are one segment.
    """
    col = segment_column(model, data)
    if col is None:
        return []
    first: dict[str, str] = {}
    for value in sorted(str(v) for v in data.leads[col].dropna().unique()):
        first.setdefault(segments.segment_key(value), value)
    return list(first.values())


def match_segment(model: Model, data: LeadData, segment: str) -> str:
    """The data's spelling of ``segment`` (case and spaces forgiven), or a DataError."""
    source = data.files.get("leads", "leads")
    col = segment_column(model, data)
    if col is None:
        raise DataError(
            [Problem("segment", "the leads have no segment column, so no segment can be chosen")],
            source,
        )
    known = segment_values(model, data)
    wanted = segments.segment_key(segment)
    for value in known:
        if segments.segment_key(value) == wanted:
            return value
    raise DataError(
        [
            Problem(
                "segment",
                f"no lead is in segment '{segment}' (column '{col}')."
                + did_you_mean(str(segment), known)
                + f" Segments are: {', '.join(known)}.",
            )
        ],
        source,
    )


def segment_subset(model: Model, data: LeadData, segment: str | None) -> LeadData:
    """The data of one segment's leads, every spelling of it (scores on a subset equal those
    on the whole data)."""
    if segment is None:
        return data
    value = match_segment(model, data, segment)
    col = segment_column(model, data)
    ids = data.leads.index[segments.segment_codes(data.leads[col], [value]) == 1]
    return data.subset(ids)


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Report:
    """Every table and chart of one scoring report (numbers raw; formatting is rendering's).

    ``counts``: per category (index) ``label``, ``leads``, ``share``, ``baseline`` and
    ``change``; ``shift``: baseline category (rows) × current category (columns);
    ``top``/``cold``: leads, best first, with reasons in words.
    """

    title: str
    scored: pd.DataFrame  # item, value: model, sign-off, as-of, segment, baseline
    files: pd.DataFrame  # role, file (name), rows read, rows kept, set aside, sha256
    quality_counts: pd.DataFrame  # file, read, kept, set aside
    quality: pd.DataFrame  # DataReport.summary(): file, column, problem, count, action, examples
    placeholders: pd.DataFrame  # file, column, placeholders
    inquiries: pd.DataFrame  # reason, matches (every lead), counted here (first rule)
    warnings: tuple[str, ...]
    criteria: pd.DataFrame
    buckets: pd.DataFrame
    thresholds: pd.DataFrame
    histogram: pd.DataFrame  # bin_start, bin_end, category, leads (current)
    baseline_histogram: pd.DataFrame
    baseline_label: str
    counts: pd.DataFrame
    shift: pd.DataFrame
    moves: pd.DataFrame  # from, to, leads (off-diagonal cells of shift, largest first)
    conversion: pd.DataFrame | None  # category, label, leads, converted, rate, low, high
    auc: float
    baseline_auc: float
    top: pd.DataFrame
    cold: pd.DataFrame
    n_cold: int
    n_fell: int
    n_leads: int
    top_n: int
    charts: dict[str, alt.TopLevelMixin] = field(default_factory=dict)
    as_of: pd.Timestamp | None = None  # the instant scored (resolved, never "latest")
    segment: str | None = None  # the data's spelling; None = every segment


def signed_off(model: Model) -> str:
    """``Dana Whitfield (Head of Sales, 2026-11-02); …`` or an empty string."""
    return "; ".join(sign_off_lines(model))


def scored_table(
    model: Model,
    current: sales.Scoring,
    *,
    segment: str | None,
    baseline_label: str,
    n_leads: int,
) -> pd.DataFrame:
    """What was scored: model, version, sign-off, as-of instant, segment, baseline."""
    sign = signed_off(model)
    rows = [
        ("Model", f"{model.name} v{model.version}"),
        ("Owner", model.owner or "—"),
        ("Signed off by", sign or "NOT SIGNED OFF: this model has no approval yet"),
        *([("Sign-off", stale)] if (stale := stale_sign_off(model)) else []),
        ("Scored as of", f"{current.as_of:%Y-%m-%d %H:%M}"),
        ("Segment", segment if segment is not None else "All segments"),
        ("Leads scored", f"{n_leads:,}"),
        ("Compared with", baseline_label),
    ]
    if model.changelog:
        last = model.changelog[-1]
        note = f"v{last.version}" + (f" ({last.date})" if last.date else "")
        said = "; ".join(x for x in (last.note, "; ".join(last.changes)) if x)
        note += (f" by {last.author}" if last.author else "") + (f": {said}" if said else "")
        rows.insert(3, ("Last change", note))
    return pd.DataFrame(rows, columns=["item", "value"])


def files_table(data: LeadData, paths: dict[str, str | Path | None]) -> pd.DataFrame:
    """Each input file with its rows (read, kept, set aside) and SHA-256 checksum."""
    c = data.report.counts
    rows = []
    for role, path in paths.items():
        if path is None:
            continue
        kind = {"leads": "leads", "activities": "activities"}.get(role)
        read = c.get(f"{kind}_read") if kind else None
        kept = c.get(f"{kind}_kept") if kind else None
        aside = c.get(f"{kind}_rejected") if kind else None
        p = Path(path)
        rows.append((role, p.name, read, kept, aside, file_sha256(p)))
    frame = pd.DataFrame(
        rows, columns=["role", "file", "rows read", "rows kept", "set aside", "sha256"]
    )
    return frame.astype({"rows read": "Int64", "rows kept": "Int64", "set aside": "Int64"})


def quality_counts(data: LeadData) -> pd.DataFrame:
    c = data.report.counts
    rows = [
        (kind, c.get(f"{kind}_read", 0), c.get(f"{kind}_kept", 0), c.get(f"{kind}_rejected", 0))
        for kind in ("leads", "activities")
        if f"{kind}_read" in c
    ]
    return pd.DataFrame(rows, columns=["file", "rows read", "kept", "set aside"])


def _file_names(frame: pd.DataFrame) -> pd.DataFrame:
    """File names, not paths, in the data report's tables (the paths are the analyst's)."""
    names = {f: Path(f).name for f in frame["file"].unique()}
    return frame.assign(file=frame["file"].map(names))


def inquiry_table(model: Model, scoring: sales.Scoring) -> pd.DataFrame:
    """Leads kept out of the sales categories, per validity rule.

    ``matches``: every lead the rule matches (the engine's field matching, as the signals
    evaluate inquiries); ``counted here``: the leads whose FIRST matching rule it is (what
    the engine records as a lead's inquiry reason), so that column adds up to the inquiries.
    """
    sig = scoring.signals
    reasons = sig.inquiry_reason
    counted = np.bincount(reasons[reasons >= 0], minlength=len(model.inquiries))
    data = sig.data
    cache = ColumnCache(
        data.leads, source=data.files.get("leads", "leads"), day_first=data.day_first
    )
    matches = []
    for q in model.inquiries:
        hit = kind_of(q.rule).hits(q.rule, cache, sig.as_of)
        matches.append(int(np.count_nonzero(hit)))
    return pd.DataFrame(
        {
            "reason": [q.label for q in model.inquiries],
            "matches": np.array(matches, dtype=np.int64),
            "counted here": counted.astype(np.int64),
        }
    )


def rule_text(rule) -> str:
    """A criterion's rule in words: ``page_view with /pricing, last 30 days, half-life 14 d``."""
    return kind_of(rule).describe(rule)


def criteria_table(
    model: Model, scoring: sales.Scoring, segment: str | None = None
) -> pd.DataFrame:
    """One row per criterion: bucket, rule, points or stars, cap, leads it touches here.

    For a segment report the points are that segment's (its variant's overrides applied);
    a criterion that does not score there says so, and ``default`` notes what changed.
    """
    sig = scoring.signals
    rules = segments.segment_rules(model, segment) if segment is not None else None
    points, notes = [], []
    for c in model.criteria:
        default = points_text(model, c)
        if rules is None:
            points.append(default)
            notes.append("")
        elif not rules.applies[c.id]:
            why = "excluded" if rules.excluded(c.id) else "not used"
            points.append(f"{why} in {segment}")
            notes.append(default)
        elif c.id in rules.overridden:
            points.append(signed_points(rules.points[c.id]))
            notes.append(default)
        else:
            points.append(default)
            notes.append("")
    table = pd.DataFrame(
        {
            "criterion": [c.label for c in model.criteria],
            "bucket": [c.bucket for c in model.criteria],
            "rule": [rule_text(c.rule) for c in model.criteria],
            "points": points,
            "max points": [c.max_points for c in model.criteria],
            "segments": [", ".join(c.segments) or "all" for c in model.criteria],
            "leads touched": [sig.touches(c.id) for c in model.criteria],
        }
    )
    if any(notes):  # a segment report where the segment's points differ from the default
        table.insert(4, "default points", notes)
    return table


def bucket_table(model: Model) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "bucket": [b.id for b in model.buckets],
            "label": [b.label for b in model.buckets],
            "weight %": [b.weight for b in model.buckets],
            "cap": [b.cap for b in model.buckets],
            "criteria": [sum(c.bucket == b.id for c in model.criteria) for b in model.buckets],
        }
    )


def segment_categories(model: Model, segment: str | None) -> tuple[Threshold, ...]:
    """The category thresholds leads of ``segment`` are put in categories with."""
    return segments.segment_rules(model, segment).categories


def threshold_table(model: Model, segment: str | None = None) -> pd.DataFrame:
    """Category thresholds: a segment report's own, else the base model's and each variant's.

    A variant's band without a label takes the label of the default category of that name.
    """
    if segment is not None:
        rules = segments.segment_rules(model, segment)
        where = segment if rules.own_categories else f"{segment} (default thresholds)"
        rows = [(where, t.name, t.min, t.label) for t in rules.categories]
    else:
        rows = [("all", t.name, t.min, t.label) for t in model.categories]
        for rules in segments.rules_by_code(model)[1:]:
            if rules.own_categories:
                rows += [(rules.variant.value, t.name, t.min, t.label) for t in rules.categories]
    return pd.DataFrame(rows, columns=["segment", "category", "min score", "label"])


def _subset(totals: Totals, mask: np.ndarray) -> Totals:
    return replace(
        totals,
        score=totals.score[mask],
        category=totals.category[mask],
        grade=None if totals.grade is None else totals.grade[mask],
        level=None if totals.level is None else totals.level[mask],
        buckets={b: v[mask] for b, v in totals.buckets.items()},
    )


@dataclass(frozen=True, eq=False)
class Baseline:
    """What the current scoring is compared with, aligned to its rows.

    ``category``: baseline category code per current row (``len(names)`` = did not exist
    yet); ``score``: NaN where the lead did not exist.
    """

    label: str
    names: tuple[str, ...]
    category: np.ndarray
    score: np.ndarray
    totals: Totals  # the existing leads only (for the histogram)


def previous_baseline(current: sales.Scoring, previous: sales.Scoring) -> Baseline:
    """The same model a week earlier; leads created since are 'new', not a category."""
    existed = ~created_after(current.signals.created_ns, previous.as_of)
    names = previous.totals.category_names
    category = np.where(existed, previous.totals.category, len(names)).astype(np.int64)
    return Baseline(
        label=f"{current.model.name} v{current.model.version} as of {previous.as_of:%Y-%m-%d}",
        names=names,
        category=category,
        score=np.where(existed, previous.totals.score, np.nan),
        totals=_subset(previous.totals, existed),
    )


def model_baseline(current: sales.Scoring, other: sales.Scoring) -> Baseline:
    """Another model over the same leads (its rows may be ordered by other segments)."""
    pos = other.signals.lead_ids.get_indexer(current.signals.lead_ids)
    return Baseline(
        label=f"{other.model.name} v{other.model.version} (compare-to model)",
        names=other.totals.category_names,
        category=other.totals.category[pos].astype(np.int64),
        score=other.totals.score[pos],
        totals=_subset(other.totals, pos),
    )


def category_labels(model: Model) -> dict[str, str]:
    labels = {t.name: t.label for t in model.categories}
    labels[model.inquiry_category] = "kept out of sales categories"
    return labels


def count_table(model: Model, current: sales.Scoring, baseline: Baseline) -> pd.DataFrame:
    """Leads per category now, their share, the baseline's count and the change."""
    now = metrics.category_counts(current.totals)
    before = metrics.category_counts(baseline.totals)
    labels = category_labels(model)
    names = list(dict.fromkeys([*now.index, *before.index]))
    table = pd.DataFrame(index=pd.Index(names, name="category"))
    table["label"] = [labels.get(n, "") for n in names]
    table["leads"] = now.reindex(names, fill_value=0).astype(np.int64)
    total = max(int(table["leads"].sum()), 1)
    table["share"] = table["leads"] / total
    table["baseline"] = before.reindex(names, fill_value=0).astype(np.int64)
    table["change"] = table["leads"] - table["baseline"]
    return table


def shift_table(current: sales.Scoring, baseline: Baseline) -> pd.DataFrame:
    """Leads per (baseline category, current category); a 'new' row for leads created since."""
    kb, ka = len(baseline.names), len(current.totals.category_names)
    cells = np.bincount(
        baseline.category * ka + current.totals.category, minlength=(kb + 1) * ka
    ).reshape(kb + 1, ka)
    rows = [*baseline.names, NEW]
    frame = pd.DataFrame(
        cells,
        index=pd.Index(rows, name="baseline"),
        columns=pd.Index(current.totals.category_names, name="now"),
    )
    if not cells[kb].any():
        frame = frame.drop(index=NEW)
    return frame


def conversion_table(model: Model, scoring: sales.Scoring) -> pd.DataFrame | None:
    """Conversion per category with 95 % Wilson intervals, or None without known outcomes."""
    outcome = metrics.outcome_array(scoring.signals)
    if outcome is None or np.isnan(outcome).all():
        return None
    table = metrics.conversion_by_category(scoring.totals, outcome)
    labels = category_labels(model)
    table.insert(0, "label", [labels.get(n, "") for n in table.index])
    return table


def top_leads(queue: sales.CallQueue, n: int) -> pd.DataFrame:
    """The ``n`` best-scored leads in a sales category (inquiries left out), with reasons."""
    inquiry = queue.scoring.totals.category_names[-1]
    frame = queue.frame
    rows = frame[(frame["category"] != inquiry).to_numpy()].head(n)
    out = rows[["lead_id", "name", "title", "owner", "segment", "score", "category", "grade"]]
    out = out.assign(reasons=queue.reasons(rows).to_numpy()).reset_index(drop=True)
    out = out.rename(columns={"lead_id": "lead id"})
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def cold_leads(queue: sales.CallQueue, n: int) -> pd.DataFrame:
    """Top leads of a week ago with no activity since and fewer points now (best first)."""
    rows = queue.filter(only="cold").head(n)
    out = rows[["lead_id", "name", "owner", "previous_score", "score", "category"]].copy()
    out["last activity"] = rows["last_activity"].dt.strftime("%Y-%m-%d").fillna("never")
    out["reasons"] = queue.reasons(rows).to_numpy()
    names = {"lead_id": "lead id", "previous_score": "score then", "score": "score now"}
    return out.rename(columns=names).reset_index(drop=True)


def threshold_frame(bands) -> pd.DataFrame:
    """The distribution chart's threshold lines (name, min)."""
    return pd.DataFrame(
        [(t.name, t.min) for t in bands if t.min is not None], columns=["name", "min"]
    )


def conversion_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Conversion rate per category as bars with their 95 % interval (categories with leads)."""
    data = table[table["leads"] > 0].reset_index()
    names = list(data["category"])
    base = alt.Chart(data).encode(x=alt.X("category:N", sort=names, title="Category"))
    bars = base.mark_bar(opacity=0.85).encode(
        y=alt.Y("rate:Q", title="Converted", axis=alt.Axis(format="%")),
        color=alt.Color(
            "category:N",
            scale=alt.Scale(domain=names, range=CATEGORY_COLORS[: len(names)]),
            legend=None,
        ),
    )
    ci = base.mark_rule(color="#222", strokeWidth=2).encode(y="low:Q", y2="high:Q")
    return (bars + ci).properties(width=260, height=200, title="Conversion, 95 % interval")


def sample_defaults(model=None, leads=None, activities=None, as_of=None) -> dict:
    """The given files, or the shipped sample where none is given.

    Not the ``WORKBENCH_*`` variables the dashboard reads: a scheduled report names its
    files, and the environment it happens to run in must not change what it reports on.
    """
    if leads is None:
        leads = SAMPLES / "leads.csv"
        activities = SAMPLES / "activities.csv" if activities is None else activities
    model = SAMPLES / "b2b_model.yaml" if model is None else model
    return {"model": model, "leads": leads, "activities": activities, "as_of": as_of}


def build_report(
    model: str | Path | None = None,
    leads: str | Path | None = None,
    activities: str | Path | None = None,
    as_of: str | None = None,
    segment: str | None = None,
    compare_to: str | Path | None = None,
    top_n: int = DEFAULT_TOP_N,
) -> Report:
    """Load, score and tabulate: the report's whole content (files default to the sample).

    ``as_of=None`` scores as of the newest event of the whole data, so the reports of all
    segments share one instant; the baseline is ``compare_to`` scored at that instant, or
    the same model as of 7 days earlier. Hot leads going cold always compare with a week ago.
    """
    if int(top_n) < 1:
        raise DataError([Problem("top_n", f"must be at least 1, not {top_n}")])
    files = sample_defaults(model, leads, activities, as_of)
    m = load_model(files["model"])
    data = load_data(files["leads"], files["activities"], model=m)
    instant = resolve_as_of(data, files["as_of"])  # the whole data's, before any subset
    seg = match_segment(m, data, segment) if segment is not None else None
    part = sales.known_by(segment_subset(m, data, seg), instant)  # not leads that came later
    current = sales.Scoring.run(m, part, as_of=instant)
    previous = sales.Scoring.run(
        m, part, as_of=current.as_of - pd.Timedelta(days=sales.PREVIOUS_DAYS)
    )
    other = None
    if compare_to is not None:
        other_model = load_model(compare_to)
        other = sales.Scoring.run(other_model, part, as_of=current.as_of)
        baseline = model_baseline(current, other)
    else:
        baseline = previous_baseline(current, previous)
    queue = sales.build_queue(current, previous)
    paths = {"model": files["model"], "leads": files["leads"], "activities": files["activities"]}
    if compare_to is not None:
        paths["compare-to model"] = compare_to

    scale = (m.scale.min, m.scale.max)
    hist = metrics.score_histogram(current.totals, lo=scale[0], hi=scale[1])
    base_hist = metrics.score_histogram(baseline.totals, lo=scale[0], hi=scale[1])
    shift = shift_table(current, baseline)
    conversion = conversion_table(m, current)
    outcome = metrics.outcome_array(current.signals)
    auc = metrics.auc(current.totals.score, outcome) if conversion is not None else np.nan
    base_auc = np.nan
    if conversion is not None:
        known = ~np.isnan(baseline.score)
        base_auc = metrics.auc(baseline.score[known], outcome[known])
    changes = queue.changes
    names = list(current.totals.category_names)
    charts = {
        "distribution": distribution_chart(
            hist,
            base_hist,
            threshold_frame(segment_categories(m, seg)),
            names=names,
            outline=baseline.label,
        ).properties(title=f"Score distribution (dashed: {baseline.label})"),
    }
    if conversion is not None:
        charts["conversion"] = conversion_chart(conversion)
    title = f"Scoring report: {m.name} v{m.version}" + (f", {seg}" if seg else "")
    title += f", as of {current.as_of:%Y-%m-%d}"
    return Report(
        title=title,
        scored=scored_table(
            m, current, segment=seg, baseline_label=baseline.label, n_leads=part.n_leads
        ),
        files=files_table(data, paths),
        quality_counts=quality_counts(data),
        quality=_file_names(data.report.summary()),
        placeholders=_file_names(data.report.placeholder_summary()),
        inquiries=inquiry_table(m, current),
        warnings=tuple(str(w) for w in current.signals.warnings),
        criteria=criteria_table(m, current, seg),
        buckets=bucket_table(m),
        thresholds=threshold_table(m, seg),
        histogram=hist,
        baseline_histogram=base_hist,
        baseline_label=baseline.label,
        counts=count_table(m, current, baseline),
        shift=shift,
        moves=metrics.category_moves(shift),
        conversion=conversion,
        auc=float(auc),
        baseline_auc=float(base_auc),
        top=top_leads(queue, int(top_n)),
        cold=cold_leads(queue, int(top_n)),
        n_cold=int(changes.cold.sum()),
        n_fell=int(changes.fell.sum()),
        n_leads=part.n_leads,
        top_n=int(top_n),
        charts=charts,
        as_of=current.as_of,
        segment=seg,
    )
