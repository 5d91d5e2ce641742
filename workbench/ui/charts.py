"""Chart builders: pre-aggregated DataFrame in, altair chart out (never raw lead rows)."""

from __future__ import annotations

import altair as alt
import pandas as pd

CATEGORY_COLORS = ["#1a9850", "#fdae61", "#bdbdbd", "#7f7f7f", "#4575b4", "#d73027"]


def distribution_chart(
    current: pd.DataFrame | alt.NamedData,
    saved: pd.DataFrame | alt.NamedData,
    thresholds: pd.DataFrame | alt.NamedData,
    names: list[str] | None = None,
    outline: str = "saved",
    domain: tuple[float, float] | None = None,
    width: int | str = 520,
) -> alt.LayerChart:
    """Score histogram coloured by category, the saved model as an outline, thresholds drawn.

    ``current``/``saved``: bin_start, bin_end, category, leads (``score_histogram``; for
    ``saved`` the per-bin total is enough); ``thresholds``: name, min.
    ``outline`` names the outlined scoring in tooltips. ``domain`` pins the x axis to the
    model's scale, so both ends (a pile-up at the top) stay on the axis whatever the data;
    ``width="container"`` fills the element the chart is shown in (a page, not an SVG file).
    """
    if names is None:
        names = list(dict.fromkeys(current["category"]))
    color = alt.Color(
        "category:N",
        scale=alt.Scale(domain=names, range=CATEGORY_COLORS[: len(names)]),
        title="Category",
    )
    bars = (
        alt.Chart(current)
        .mark_bar(opacity=0.85)
        .encode(
            x=alt.X(
                "bin_start:Q",
                title="Score",
                bin="binned",
                scale=alt.Scale(domain=list(domain)) if domain else alt.Undefined,
            ),
            x2="bin_end:Q",
            y=alt.Y("sum(leads):Q", title="Leads", stack=True),
            color=color,
            tooltip=["category:N", "bin_start:Q", "sum(leads):Q"],
        )
    )
    if isinstance(saved, pd.DataFrame):
        saved = saved.groupby(["bin_start", "bin_end"], as_index=False)["leads"].sum()
    label = outline
    line = (
        alt.Chart(saved)
        .mark_line(interpolate="step-after", color="black", strokeDash=[4, 3])
        .encode(x="bin_start:Q", y="leads:Q", tooltip=[alt.Tooltip("leads:Q", title=label)])
    )
    rules = (
        alt.Chart(thresholds)
        .mark_rule(color="#333", strokeWidth=2)
        .encode(x="min:Q", tooltip=["name:N", "min:Q"])
    )
    names_at_rules = (  # "A ≥ 60" at the top of each threshold line
        alt.Chart(thresholds)
        .transform_calculate(text="datum.name + ' ≥ ' + datum.min")
        .mark_text(align="left", baseline="top", dx=3, dy=2, fontSize=11, color="#333")
        .encode(x="min:Q", y=alt.value(0), text="text:N")
    )
    title = alt.TitleParams(  # two short lines: one long line is cut off in a narrow column
        "Score distribution",
        subtitle=["bars: now, by category", f"dashed line: {label} · vertical lines: thresholds"],
    )
    return (bars + line + rules + names_at_rules).properties(width=width, height=220, title=title)


def distribution_template(names: list[str], domain: tuple[float, float] | None = None) -> dict:
    """The distribution chart's Vega-Lite spec with named, empty data sources, as wide as
    the element it is shown in, the x axis over ``domain`` (the model's scale).

    Built (and validated) by altair once; each update only swaps the small ``datasets``
    (see :func:`with_datasets`), which keeps a slider move far from altair's validation.
    """
    chart = distribution_chart(
        alt.NamedData(name="current"), alt.NamedData(name="saved"),
        alt.NamedData(name="thresholds"), names=names, domain=domain, width="container",
    )  # fmt: skip
    return chart.to_dict()


def with_datasets(template: dict, **frames: pd.DataFrame) -> dict:
    """``template`` with its named data sources filled from aggregated frames."""
    return {**template, "datasets": {k: v.to_dict("records") for k, v in frames.items()}}


def waterfall_chart(table: pd.DataFrame) -> alt.Chart:
    """One lead's contributions (label, points) as a waterfall from 0 to its raw total,
    as wide as the element it is shown in (long criterion labels are cut, whole on hover)."""
    t = table.sort_values("points", ascending=False).reset_index(drop=True)
    t["end"] = t["points"].cumsum()
    t["start"] = t["end"] - t["points"]
    t["sign"] = t["points"].gt(0).map({True: "adds", False: "subtracts"})
    return (
        alt.Chart(t)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=200)),
            x=alt.X("start:Q", title="Points"),
            x2="end:Q",
            color=alt.Color(
                "sign:N",
                scale=alt.Scale(domain=["adds", "subtracts"], range=["#1a9850", "#d73027"]),
            ),
            tooltip=["label:N", "evidence:N", alt.Tooltip("points:Q", format=".1f")],
        )
        .properties(width="container", height=alt.Step(18), title="Why this score")
    )


def matrix_chart(cells: pd.DataFrame) -> alt.Chart:
    """Fit grade × engagement level heat map with the lead count in each cell.

    ``cells``: grade, level, leads (one row per cell, a dozen rows).
    """
    cells = cells.assign(dark=cells["leads"] > 0.6 * max(int(cells["leads"].max()), 1))
    base = alt.Chart(cells).encode(
        x=alt.X(
            "level:O",
            title="Engagement level (most engaged first)",
            sort=None,
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y("grade:O", title="Fit grade (best first)", sort=None),
    )
    heat = base.mark_rect().encode(
        color=alt.Color("leads:Q", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=["grade:O", "level:O", "leads:Q"],
    )
    text = base.mark_text(fontSize=13).encode(
        text=alt.Text("leads:Q", format=","),
        color=alt.condition("datum.dark", alt.value("white"), alt.value("#222")),
    )
    return (heat + text).properties(width=240, height=200, title="Fit × engagement")


def trend_chart(
    history: pd.DataFrame, thresholds: pd.DataFrame, scale: tuple[float, float] = (0, 100)
) -> alt.LayerChart:
    """One lead's weekly score (as_of, score, category) with the category thresholds."""
    line = (
        alt.Chart(history)
        .mark_line(point=True, color="#4575b4")
        .encode(
            x=alt.X("as_of:T", title=None, axis=alt.Axis(format="%d %b", labelOverlap=True)),
            y=alt.Y("score:Q", title="Score", scale=alt.Scale(domain=list(scale))),
            tooltip=[alt.Tooltip("as_of:T", format="%Y-%m-%d"), "score:Q", "category:N"],
        )
    )
    rules = (
        alt.Chart(thresholds)
        .mark_rule(color="#999", strokeDash=[3, 3])
        .encode(y="min:Q", tooltip=["name:N", "min:Q"])
    )
    return (rules + line).properties(width=270, height=140, title="Score, last weeks")
