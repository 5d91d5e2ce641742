"""Points from a logistic regression: scaling, rounding, baselines and evidence."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analysis.metrics import wilson_interval
from workbench.learning.points_fit import feature_evidence, fit_points


def one_hot(codes: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k)[codes]


def three_tiers(n: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 3, n)
    y = (rng.random(n) < np.array([0.03, 0.12, 0.35])[codes]).astype(float)
    return one_hot(codes, 3), y, codes


def test_one_group_fills_the_scale_in_the_order_of_conversion():
    X, y, codes = three_tiers()
    fit = fit_points(X, y, ["low", "mid", "high"], groups=["tier"] * 3)
    pts = fit.points
    assert pts["low"] == 0 and pts["high"] == 100  # worst level 0, best the top
    assert pts["low"] < pts["mid"] < pts["high"]
    assert (pts == pts.round()).all()
    assert fit.offset == 0
    # evidence is the data's: count and conversions per level, interval around the rate
    for j, name in enumerate(["low", "mid", "high"]):
        row = fit.table.loc[name]
        assert row["leads"] == (codes == j).sum()
        assert row["converted"] == y[codes == j].sum()
        assert row["low"] <= row["rate"] <= row["high"]
    # points follow the fitted log-odds: one factor for all
    lp_gap = fit.table["coef"]["high"] - fit.table["coef"]["low"]
    assert fit.factor * lp_gap == pytest.approx(100, abs=0.5)


def test_unknown_outcomes_are_left_out_of_fit_and_evidence():
    X, y, codes = three_tiers()
    y2 = y.copy()
    y2[:500] = np.nan
    fit = fit_points(X, y2, ["a", "b", "c"], groups=["g"] * 3)
    assert fit.table["leads"].sum() == len(y) - 500
    assert fit.table.loc["a", "converted"] == np.nansum(y2[codes == 0])


def test_zero_baseline_keeps_signs_and_offsets_to_the_scale():
    rng = np.random.default_rng(3)
    count = rng.poisson(1.5, 4000).astype(float)  # e.g. careers-page visits: bad sign
    y = (rng.random(4000) < 1 / (1 + np.exp(1.5 + 0.6 * count))).astype(float)
    fit = fit_points(count[:, None], y, ["careers_visits"], baseline="zero")
    assert fit.points["careers_visits"] < 0
    assert fit.table.loc["careers_visits", "coef"] < 0
    total = fit.score(count[:, None])
    assert total.min() == pytest.approx(0) and total.max() <= 100


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y": np.zeros(10)}, "both converted and not converted"),
        ({"names": ["a"]}, "one name per column"),
        ({"groups": ["g"]}, "one label per column"),
        ({"scale": (100, 0)}, "min < max"),
        ({"baseline": "max"}, "baseline must be"),
    ],
)
def test_bad_arguments(kwargs, message):
    args = {"X": np.eye(2)[np.arange(10) % 2], "y": np.arange(10) % 2, "names": ["a", "b"]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        fit_points(args.pop("X"), args.pop("y"), args.pop("names"), **args)


def test_feature_evidence_matches_wilson():
    X = np.array([[1, 0], [1, 1], [0, 1], [1, 0]])
    y = np.array([1.0, 0.0, 1.0, 1.0])
    ev = feature_evidence(X, y, ["a", "b"])
    low, high = wilson_interval(np.array([2, 1]), np.array([3, 2]))
    assert ev["leads"].tolist() == [3, 2] and ev["converted"].tolist() == [2, 1]
    assert ev["low"].tolist() == pytest.approx(low) and ev["high"].tolist() == pytest.approx(high)


@st.composite
def designs(draw):
    """A few categorical fields, each one-hot with 2–5 levels, and a random outcome."""
    seed = draw(st.integers(0, 10_000))
    sizes = draw(st.lists(st.integers(2, 5), min_size=1, max_size=4))
    n = draw(st.integers(200, 600))
    rng = np.random.default_rng(seed)
    blocks, groups, lp = [], [], np.zeros(n)
    for g, k in enumerate(sizes):
        codes = rng.integers(0, k, n)
        blocks.append(one_hot(codes, k))
        groups += [f"f{g}"] * k
        lp += rng.normal(0, 1, k)[codes]
    y = (rng.random(n) < 1 / (1 + np.exp(2 - lp))).astype(float)
    y[0], y[1] = 1.0, 0.0  # both outcomes present
    return np.hstack(blocks), y, groups


@settings(max_examples=30, deadline=None)
@given(designs())
def test_points_are_whole_within_scale_and_keep_the_ranking(design):
    X, y, groups = design
    names = [f"x{j}" for j in range(X.shape[1])]
    fit = fit_points(X, y, names, groups=groups)
    pts = fit.table
    assert (pts["points"] == pts["points"].round()).all()
    assert (pts["points"] >= 0).all()
    assert (pts.groupby("group")["points"].min() == 0).all()  # each field's worst level is 0
    assert pts.groupby("group")["points"].max().sum() <= 100  # the best lead fits the scale
    # rounding moves a total by at most half a point per field from the exact scaling
    exact = fit_points(X, y, names, groups=groups, whole=False)
    lp = exact.linear_predictor(X)
    assert np.all(np.diff(exact.score(X)[np.argsort(lp)]) >= -1e-9)  # exact: same order
    n_groups = len(set(groups))
    assert np.abs(fit.score(X) - exact.score(X) * fit.factor / exact.factor).max() <= (
        0.5 * n_groups + 1e-9
    )
