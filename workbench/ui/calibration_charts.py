"""Chart builders for calibration and comparison: small aggregated tables in, altair out."""

from __future__ import annotations

import altair as alt
import pandas as pd

MODEL_COLORS = ["#7f7f7f", "#1a9850", "#4575b4", "#d73027", "#fdae61"]


def gains_frame(gains: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``{name: gains_table}`` as one long table, with the (0, 0) point each curve starts at."""
    parts = []
    for name, g in gains.items():
        start = pd.DataFrame({"top_share": [0.0], "gain": [0.0], "rate": [float("nan")]})
        part = pd.concat([start, g[["top_share", "gain", "rate"]]], ignore_index=True)
        part.insert(0, "model", name)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def gains_chart(gains: dict[str, pd.DataFrame], title: str = "Gains") -> alt.LayerChart:
    """Cumulative share of conversions captured by the best-scored share of leads.

    ``gains``: ``{model name: calibration.gains_table(...)}``; the diagonal is a random order.
    """
    frame = gains_frame(gains)
    names = list(gains)
    color = alt.Color(
        "model:N",
        scale=alt.Scale(domain=names, range=MODEL_COLORS[: len(names)]),
        title="Model",
    )
    curves = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("top_share:Q", title="Best-scored share of leads", axis=alt.Axis(format="%")),
            y=alt.Y("gain:Q", title="Share of conversions", axis=alt.Axis(format="%")),
            color=color,
            tooltip=[
                "model:N",
                alt.Tooltip("top_share:Q", format=".0%", title="top"),
                alt.Tooltip("gain:Q", format=".1%", title="conversions captured"),
                alt.Tooltip("rate:Q", format=".1%", title="rate in this tenth"),
            ],
        )
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"top_share": [0.0, 1.0], "gain": [0.0, 1.0]}))
        .mark_line(color="#999", strokeDash=[4, 3])
        .encode(x="top_share:Q", y="gain:Q")
    )
    return (diagonal + curves).properties(width=360, height=260, title=title)


def points_chart(table: pd.DataFrame) -> alt.Chart:
    """Current vs suggested points per criterion (or level), from ``Suggestion.table``."""
    t = table.reset_index()
    t["item"] = t["label"] + t["level"].map(lambda lv: f": {lv}" if lv else "")
    long = t.melt(
        id_vars=["item", "leads", "rate"],
        value_vars=["current", "suggested"],
        var_name="points of",
        value_name="points",
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("item:N", sort=list(t["item"]), title=None),
            yOffset="points of:N",
            x=alt.X("points:Q", title="Points"),
            color=alt.Color(
                "points of:N",
                scale=alt.Scale(domain=["current", "suggested"], range=MODEL_COLORS[:2]),
            ),
            tooltip=[
                "item:N",
                "points of:N",
                "points:Q",
                "leads:Q",
                alt.Tooltip("rate:Q", format=".1%"),
            ],
        )
        .properties(width=360, title="Points: current and suggested")
    )


def category_conversion_chart(conversion: dict[str, pd.DataFrame]) -> alt.LayerChart:
    """Conversion rate per category with its 95 % interval, side by side per model."""
    frame = pd.concat(
        [t.reset_index().assign(model=name) for name, t in conversion.items()],
        ignore_index=True,
    )
    names = list(conversion)
    base = alt.Chart(frame).encode(
        x=alt.X("category:N", sort=list(dict.fromkeys(frame["category"])), title="Category"),
        xOffset="model:N",
        color=alt.Color("model:N", scale=alt.Scale(domain=names, range=MODEL_COLORS[: len(names)])),
    )
    bars = base.mark_bar().encode(
        y=alt.Y("rate:Q", title="Conversion rate", axis=alt.Axis(format="%")),
        tooltip=["model:N", "category:N", "leads:Q", alt.Tooltip("rate:Q", format=".1%")],
    )
    whiskers = base.mark_rule(color="black").encode(y="low:Q", y2="high:Q")
    return (bars + whiskers).properties(width=300, height=220, title="Conversion by category")


def suggestion_charts(
    gains: dict[str, pd.DataFrame], conversion: dict[str, pd.DataFrame], title: str = ""
) -> alt.HConcatChart:
    """Gains curves and conversion by category, current vs suggested, side by side."""
    gains_title = f"Gains{f' ({title})' if title else ''}"
    conv = category_conversion_chart(conversion).properties(width=240)
    return alt.hconcat(gains_chart(gains, gains_title).properties(width=260, height=220), conv)
