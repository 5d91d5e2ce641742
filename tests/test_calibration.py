"""Calibration: suggested points from past conversions, their evidence, and the backtest."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from tests.helpers import SAMPLES
from workbench.analysis import metrics
from workbench.cli import main
from workbench.errors import DataError
from workbench.learning.calibration import (
    FEW_CONVERSIONS,
    auc_difference,
    backtest,
    calibrate,
    evidence_features,
    gains_table,
    suggest_points,
    suggested_model,
    verdict,
)
from workbench.model.versioning import next_version

MODEL = str(SAMPLES / "b2b_model.yaml")
LEADS = str(SAMPLES / "leads.csv")
ACTS = str(SAMPLES / "activities.csv")


@pytest.fixture(scope="module")
def cal(sample_model, sample_signals):
    return calibrate(sample_model, sample_signals)


@pytest.fixture(scope="module")
def bt(sample_model, sample_data):
    return backtest(sample_model, sample_data, days=90, seed=3)


def _points_of(model: wb.Model, signals: wb.Signals) -> np.ndarray:
    """Points per evidence column of ``model`` (level columns: their level's points)."""
    crit = {c.id: c for c in model.criteria}
    return np.array(
        [
            model.level_points(crit[cid])[lv] if lv >= 0 else model.criterion_points(crit[cid])
            for cid, lv in signals.columns
        ]
    )


def test_calibrated_points_improve_or_keep_in_sample_auc(cal, sample_model, sample_signals):
    y = metrics.outcome_array(sample_signals)
    before = metrics.auc(wb.score_totals(sample_model, sample_signals).score, y)
    after = metrics.auc(wb.score_totals(cal.suggested, sample_signals).score, y)
    assert cal.metrics.loc["current", "auc"] == pytest.approx(before)
    assert cal.metrics.loc["suggested", "auc"] == pytest.approx(after)
    assert after >= before
    assert cal.in_sample and len(cal.evaluated_rows) == int((~np.isnan(y)).sum())


def test_the_suggested_model_is_the_table(cal, sample_model, sample_signals):
    table = cal.suggestion.table
    np.testing.assert_array_equal(_points_of(cal.suggested, sample_signals), table["suggested"])
    np.testing.assert_array_equal(_points_of(sample_model, sample_signals), table["current"])
    assert (table["suggested"] == table["suggested"].round()).all()  # whole points
    assert cal.suggested.name == sample_model.name  # points, stars, caps, thresholds change
    assert [c.name for c in cal.suggested.categories] == [c.name for c in sample_model.categories]
    assert sample_model.criterion("pricing_page").points == 15  # the original is untouched
    kept = calibrate(sample_model, sample_signals, keep_shares=False)
    assert kept.suggested.categories == sample_model.categories
    assert kept.suggestion.table.equals(table)  # the points do not depend on the thresholds


def test_suggested_thresholds_keep_each_categorys_share(cal, sample_model, sample_signals):
    """Sales get about as many A and B leads as before: only who they are changes."""
    before = wb.score_totals(sample_model, sample_signals)
    after = wb.score_totals(cal.suggested, sample_signals)
    mins = [c.min for c in cal.suggested.categories[:-1]]
    assert mins == sorted(mins, reverse=True) and len(set(mins)) == len(mins)
    assert all(m == round(m) for m in mins)  # whole numbers, as people write them
    # leads of segments with their own thresholds keep them; compare the others
    own = sample_signals.data.leads["segment"].to_numpy()[sample_signals.order] == "Enterprise"
    real = (before.category < 3) & ~own
    for k in range(2):  # A, then A + B
        n_before = int((before.category[real] <= k).sum())
        n_after = int((after.category[real] <= k).sum())
        assert abs(n_after - n_before) <= 0.05 * n_before, (k, n_before, n_after)


def test_a_drafted_model_stays_on_its_scale_when_calibrated(sample_data):
    """Bins and groups only: the suggestion keeps the level of the scores, not just the
    spread, so leads are not pushed to the bottom of the scale (where ranks are lost)."""
    from workbench.learning.drafting import draft_model

    drafted = draft_model(sample_data, "converted", folds=0).model
    data = wb.load_data(SAMPLES / "leads.csv", model=drafted, now="2026-11-22")
    signals = wb.compute_signals(drafted, data)
    cal = calibrate(drafted, signals)
    before = wb.score_totals(drafted, signals).score
    after = wb.score_totals(cal.suggested, signals).score
    floor = drafted.scale.min
    assert (after == floor).mean() <= (before == floor).mean() + 0.02
    assert abs(np.median(after) - np.median(before)) <= 10
    auc = cal.metrics["auc"]
    assert auc["suggested"] >= auc["current"] - 0.005


def test_backtest_thresholds_come_from_the_fitting_half(bt, sample_model, sample_data):
    from workbench.learning.calibration import share_keeping_thresholds

    c = bt.calibration
    signals = wb.compute_signals(sample_model, sample_data, as_of=bt.cutoff)
    without = c.suggested.with_thresholds({t.name: t.min for t in sample_model.categories})
    fit_rows = signals.rows_of(bt.fit_leads)
    expected = share_keeping_thresholds(sample_model, without, signals, fit_rows)
    assert {t.name: t.min for t in c.suggested.categories[:-1]} == expected


def test_each_value_is_traced_to_its_evidence(cal, sample_model, sample_signals):
    y = metrics.outcome_array(sample_signals)
    table = cal.suggestion.table
    for feature, row in table.iterrows():
        cid = row["criterion"]
        if row["level"]:
            lv = int(feature.split("[")[1].rstrip("]"))
            fires = sample_signals.levels[cid] == lv
        else:
            fires = sample_signals.column(cid) != 0
        assert row["leads"] == fires.sum(), feature
        assert row["converted"] == y[fires].sum(), feature
        assert row["rate"] == pytest.approx(y[fires].mean()), feature
        low, high = metrics.wilson_interval(np.array([y[fires].sum()]), np.array([fires.sum()]))
        assert (row["low"], row["high"]) == pytest.approx((low[0], high[0])), feature
        assert row["lift"] == pytest.approx(row["rate"] / np.nanmean(y)), feature
    # the strongest signals in the data get the most points
    best = table["rate"].idxmax()
    assert table.loc[best, "suggested"] > 0
    assert table.loc["demo_request", "suggested"] > table.loc["email_clicks", "suggested"]


def test_points_that_run_against_their_own_evidence_are_explained(cal):
    table = cal.suggestion.table
    base = cal.suggestion.base_rate
    simple = table[table["level"] == ""]
    against = simple[
        ((simple["suggested"] > 0) & (simple["high"] < base))
        | ((simple["suggested"] < 0) & (simple["low"] > base))
    ]
    assert len(against)  # the sample's free-mail criterion: -10 now, positive once fitted
    for _, row in against.iterrows():
        assert "other criteria already count these leads" in row["note"], row["criterion"]
    agreeing = simple.drop(against.index)
    assert not agreeing["note"].str.contains("other criteria").any()


def test_features_are_the_evidence_the_current_model_scores(sample_model, sample_signals):
    X = evidence_features(sample_model, sample_signals)
    raw = X @ _points_of(sample_model, sample_signals)
    contrib = wb.contributions(sample_model, sample_signals).to_numpy().sum(axis=1)
    base = np.zeros(sample_signals.n_leads, dtype=bool)
    for code, lo, hi in sample_signals.segment_blocks:
        base[lo:hi] = code == 0  # segment variants override some points
    np.testing.assert_allclose(raw[base], contrib[base], atol=1e-3)


def test_a_criterion_with_no_predictive_value_gets_about_zero_points(sample_model, sample_data):
    rng = np.random.default_rng(11)
    leads = sample_data.leads.assign(coin=rng.choice(["heads", "tails"], sample_data.n_leads))
    data = dataclasses.replace(sample_data, leads=leads)
    spec = sample_model.model_dump(mode="python", exclude_defaults=True)
    spec["criteria"] = [
        *spec["criteria"],
        {
            "id": "coin",
            "label": "Coin toss",
            "bucket": "fit",
            "rule": {"kind": "equals", "field": "coin", "value": "heads"},
            "points": 10,
        },
    ]
    model = wb.Model.parse(spec)
    signals = wb.compute_signals(model, data)
    s = suggest_points(model, signals, metrics.outcome_array(signals))
    assert abs(s.points["coin"]) <= 2
    assert s.points["demo_request"] >= 10  # a real signal is not shrunk away


def test_star_criteria_stay_within_what_a_star_toggle_shows(sample_model, sample_signals):
    y = metrics.outcome_array(sample_signals)
    s = suggest_points(sample_model, sample_signals, y, keep_star_signs=True)
    for c in sample_model.criteria:
        if c.stars is not None:
            assert c.id in s.stars and c.id not in s.points
            assert 1 <= s.stars[c.id] * np.sign(c.stars) <= 5
    m = suggested_model(sample_model, s)
    assert all(m.criterion(c.id).stars for c in sample_model.criteria if c.stars is not None)


def test_caps_follow_the_points(cal, sample_model):
    for c in sample_model.criteria:
        if c.max_points is None or c.is_level:
            continue
        new = cal.suggested.criterion(c.id)
        before, after = sample_model.criterion_points(c), cal.suggested.criterion_points(new)
        if after and after != before:
            # the cap still stops at the same number of (decayed) events
            expected = max(1, round(c.max_points / abs(before) * abs(after)))
            assert new.max_points == expected, c.id


def test_too_few_conversions_is_a_readable_error(sample_model, sample_signals):
    y = np.zeros(sample_signals.n_leads)
    y[:3] = 1
    with pytest.raises(DataError, match="3 converted: at least 5 converted"):
        suggest_points(sample_model, sample_signals, y)


# --- backtest ---------------------------------------------------------------------------------


def test_backtest_never_judges_points_on_the_leads_they_were_fitted_on(bt, sample_data):
    fit, ev = set(bt.fit_leads), set(bt.eval_leads)
    assert fit and ev and not fit & ev
    signals_ids = pd.Index(bt.calibration.suggestion.rows)
    assert len(signals_ids) == len(fit)
    assert bt.calibration.metrics.loc["current", "leads"] == len(ev)
    assert not bt.calibration.in_sample
    created = sample_data.leads["created_at"]
    assert (created.loc[list(fit | ev)] <= bt.cutoff).all()  # known at the cut-off


def test_backtest_outcome_is_conversion_within_the_window(bt, sample_data):
    leads = sample_data.leads.loc[bt.eval_leads]
    end = bt.cutoff + pd.Timedelta(days=bt.days)
    won = leads["converted"].fillna(False).astype(bool)
    in_window = won & (leads["converted_at"] > bt.cutoff) & (leads["converted_at"] <= end)
    assert bt.calibration.metrics.loc["current", "converted"] == in_window.sum()
    assert not (won & (leads["converted_at"] <= bt.cutoff)).any()  # already won: left out
    assert bt.cutoff.normalize() + pd.Timedelta(days=bt.days) <= sample_data.leads[
        "converted_at"
    ].max() + pd.Timedelta(days=1)


def test_backtest_scores_with_only_what_was_known_at_the_cutoff(bt, sample_model, sample_data):
    signals = wb.compute_signals(sample_model, sample_data, as_of=bt.cutoff)
    rows = signals.rows_of(bt.eval_leads)
    y = np.full(signals.n_leads, np.nan)
    leads = sample_data.leads.loc[bt.eval_leads]
    end = bt.cutoff + pd.Timedelta(days=bt.days)
    y[rows] = (leads["converted_at"] > bt.cutoff) & (leads["converted_at"] <= end)
    expected = metrics.auc(wb.score_totals(sample_model, signals).score, y)
    assert bt.calibration.metrics.loc["current", "auc"] == pytest.approx(expected)


@pytest.fixture(scope="module")
def bt_time(sample_model, sample_data):
    return backtest(sample_model, sample_data, days=21, split="time")


def test_out_of_time_backtest_fits_on_the_window_before_the_one_it_judges(
    bt_time, sample_model, sample_data
):
    T, days = bt_time.cutoff, bt_time.days
    assert bt_time.fit_cutoff == T - pd.Timedelta(days=days)
    leads = sample_data.leads
    won = leads["converted"].fillna(False).astype(bool)
    fit = leads.loc[bt_time.fit_leads]
    # fitted on leads known at the earlier cut-off, not converted by then ...
    assert (fit["created_at"] <= bt_time.fit_cutoff).all()
    assert not (won.loc[fit.index] & (fit["converted_at"] <= bt_time.fit_cutoff)).any()
    # ... whose outcome is conversion up to T: no fitted outcome lies in the judged window
    early = wb.compute_signals(sample_model, sample_data, as_of=bt_time.fit_cutoff)
    y_fit = np.full(early.n_leads, np.nan)
    rows = early.rows_of(fit.index)
    y_fit[rows] = (won.loc[fit.index] & (fit["converted_at"] <= T)).to_numpy()
    again = suggest_points(sample_model, early, y_fit, np.sort(rows))
    pd.testing.assert_frame_equal(again.table, bt_time.calibration.suggestion.table)
    judged = leads.loc[bt_time.eval_leads]
    end = T + pd.Timedelta(days=days)
    in_window = (
        won.loc[judged.index] & (judged["converted_at"] > T) & (judged["converted_at"] <= end)
    )
    assert bt_time.calibration.metrics.loc["current", "converted"] == in_window.sum() > 0
    signals = wb.compute_signals(sample_model, sample_data, as_of=T)
    y = np.full(signals.n_leads, np.nan)
    y[signals.rows_of(judged.index)] = in_window.to_numpy()
    expected = metrics.auc(wb.score_totals(sample_model, signals).score, y)
    assert bt_time.calibration.metrics.loc["current", "auc"] == pytest.approx(expected)


def test_out_of_time_backtest_without_an_earlier_window_says_what_to_do(sample_model, sample_data):
    # the sample's conversions fall in its last six weeks: 90 days before T there are none
    with pytest.raises(DataError, match=r"earlier window; try a shorter --backtest-days"):
        backtest(sample_model, sample_data, days=90, split="time")


def test_cli_calibrate_out_of_time(capsys):
    argv = ["calibrate", "--model", str(SAMPLES / "b2b_model.yaml")]
    argv += ["--leads", str(SAMPLES / "leads.csv"), "--activities", str(SAMPLES / "activities.csv")]
    argv += ["--outcome", "converted", "--backtest-split", "time", "--backtest-days", "21"]
    assert main(argv) == 0
    assert "Points fitted out of time: as of" in capsys.readouterr().out


def test_backtest_needs_conversion_dates(sample_model, sample_data):
    data = dataclasses.replace(
        sample_data, leads=sample_data.leads.rename(columns={"converted_at": "won_on"})
    )
    with pytest.raises(DataError, match=r"no date column 'converted_at'.*won_on"):
        backtest(sample_model, data)


# --- gains and versions -----------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 100), st.booleans()), min_size=1, max_size=300),
    st.integers(1, 12),
)
def test_gains_add_up(pairs, bins):
    score = np.array([p[0] for p in pairs], dtype=float)
    y = np.array([p[1] for p in pairs], dtype=float)
    g = gains_table(score, y, bins)
    assert g["leads"].sum() == len(y) and g["converted"].sum() == pytest.approx(y.sum())
    assert (np.diff(g["gain"]) >= -1e-12).all()
    assert g["top_share"].iloc[-1] == 1.0
    if y.any():
        assert g["gain"].iloc[-1] == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=1, max_size=200),
    st.integers(1, 12),
    st.randoms(use_true_random=False),
)
def test_gains_do_not_depend_on_row_order(pairs, bins, rnd):
    """Few distinct scores tie many leads at each cut: a file sorted differently (or the
    same export read again) must give the same gains chart."""
    score = np.array([p[0] for p in pairs], dtype=float)
    y = np.array([p[1] for p in pairs], dtype=float)
    order = list(range(len(pairs)))
    rnd.shuffle(order)
    a, b = gains_table(score, y, bins), gains_table(score[order], y[order], bins)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-12)


def test_gains_count_ties_at_a_cut_by_their_share():
    # the cut at half takes one of the two leads tied at 2: half of their one conversion
    g = gains_table(np.array([3.0, 2, 2, 1]), np.array([1.0, 0, 1, 0]), 2)
    assert g["converted"].tolist() == [1.5, 0.5]
    assert g["gain"].iloc[0] == 0.75


def test_next_version_clears_sign_off(sample_model):
    edited = sample_model.with_points({"pricing_page": 20})
    new = next_version(sample_model, edited, "Priya", date=pd.Timestamp("2026-12-01").date())
    assert new.version == sample_model.version + 1 and new.approved_by == ()
    assert new.changelog[-1].changes == ("Pricing page: 15 → 20 points",)
    assert new.changelog[-1].note == ""  # the author's own words only: none were given
    assert new.changelog[-1].author == "Priya"


# --- command line -----------------------------------------------------------------------------


def test_cli_calibrate_writes_the_next_version(tmp_path, capsys, cal):
    out = tmp_path / "suggested.yaml"
    argv = ["calibrate", "--model", MODEL, "--leads", LEADS, "--activities", ACTS]
    # the backtest cannot tell the two apart on this sample: writing it needs --force
    assert main([*argv, "--outcome", "converted", "--out", str(out), "--author", "Ana"]) == 2
    refused = capsys.readouterr()
    assert "Verdict: not enough conversions to tell" in refused.out
    assert "Add --force to write it anyway" in refused.err and not out.exists()
    argv += ["--force"]
    assert main([*argv, "--outcome", "converted", "--out", str(out), "--author", "Ana"]) == 0
    printed = capsys.readouterr().out
    saved = wb.load_model(out)
    assert saved.version == 2 and saved.approved_by == ()
    assert saved.changelog[-1].author == "Ana"
    assert "in-sample AUC" in saved.changelog[-1].note
    assert saved.criterion("pricing_page").points == cal.suggested.criterion("pricing_page").points
    assert f"{cal.metrics.loc['suggested', 'auc']:.3f}" in printed
    assert "Backtest: scored as of" in printed and "Gains" in printed
    assert "Demo request" in printed and "95 % interval" in printed


def test_cli_calibrate_draws_gains_and_conversion_charts(tmp_path, capsys):
    out = tmp_path / "charts" / "calibration.svg"
    argv = ["calibrate", "--model", MODEL, "--leads", LEADS, "--activities", ACTS]
    assert main([*argv, "--chart", str(out)]) == 0
    assert f"Wrote the gains and conversion charts to {out}" in capsys.readouterr().out
    svg = out.read_text()
    assert svg.startswith("<svg")
    # in-sample and backtest panels, each current vs suggested; nothing fetched from outside
    for title in ("Gains (in-sample)", "Gains (backtest, held-out half)", "suggested"):
        assert title in svg
    assert "<script" not in svg and 'href="http' not in svg


def test_cli_calibrate_refuses_a_chart_it_cannot_draw_offline(tmp_path, capsys):
    argv = ["calibrate", "--model", MODEL, "--leads", LEADS, "--chart", str(tmp_path / "c.html")]
    assert main(argv) == 2
    assert "write the charts as .svg or .png" in capsys.readouterr().err
    assert not (tmp_path / "c.html").exists()


@pytest.mark.slow
def test_cli_calibrate_misspelt_outcome_exits_2_with_did_you_mean():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "calibrate",
            "--model",
            MODEL,
            "--leads",
            LEADS,
            "--outcome",
            "convrted",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "no column 'convrted'" in result.stderr
    assert "Did you mean 'converted'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_calibrate_refuses_to_overwrite_the_model(capsys):
    argv = ["calibrate", "--model", MODEL, "--leads", LEADS, "--out", MODEL]
    assert main(argv) == 2
    assert "must not overwrite the model file" in capsys.readouterr().err


def test_cli_calibrate_without_conversion_dates_explains_the_backtest(tmp_path, capsys):
    leads = pd.read_csv(LEADS, dtype="str").drop(columns="converted_at")
    leads.to_csv(tmp_path / "leads.csv", index=False)
    argv = ["calibrate", "--model", MODEL, "--leads", str(tmp_path / "leads.csv")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "No backtest:" in out and "--outcome-date COL" in out and "--no-backtest" in out
    assert "'None'" not in out


# --- the verdict ------------------------------------------------------------------------------


def _planted(n: int, rate: float, seed: int = 0):
    """An outcome, a score that knows it (strong), one that barely does (weak)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(float)
    strong = np.round(y * 1.0 + rng.normal(0, 1, n), 1)
    weak = np.round(y * 0.1 + rng.normal(0, 1, n), 1)
    return y, strong, weak


@pytest.mark.parametrize(
    ("current", "suggested", "decision"),
    [("weak", "strong", "adopt"), ("strong", "weak", "do not adopt")],
)
def test_verdict_follows_a_planted_difference(current, suggested, decision):
    y, strong, weak = _planted(4000, 0.1)
    scores = {"strong": strong, "weak": weak}
    v = verdict(scores[current], scores[suggested], y, "the held-out half")
    assert v.decision == decision
    assert v.low <= v.difference <= v.high
    assert v.difference == pytest.approx(v.suggested_auc - v.current_auc)
    assert v.converted == int(y.sum()) >= FEW_CONVERSIONS and v.warning == ""


def test_verdict_cannot_tell_two_equally_good_scores_apart():
    # control: the same signal with fresh noise; the interval includes no difference
    y, strong, _ = _planted(4000, 0.1)
    other = np.round(y + np.random.default_rng(1).normal(0, 1, len(y)), 1)
    v = verdict(strong, other, y, "the held-out half")
    assert v.decision == "not enough conversions to tell"
    assert v.low < 0 < v.high
    assert "Verdict: not enough conversions to tell" in v.text()


def test_verdict_warns_about_few_conversions_and_cannot_tell_on_30_of_them():
    y, strong, weak = _planted(300, 0.1, seed=3)
    v = verdict(strong, weak, y, "the later window")
    assert v.converted < FEW_CONVERSIONS
    assert f"Only {v.converted} conversions" in v.warning and v.warning in v.text()


def test_delong_standard_error_agrees_with_a_paired_bootstrap():
    y, strong, weak = _planted(2000, 0.15, seed=5)
    diff, se = auc_difference(weak, strong, y)
    rng = np.random.default_rng(0)
    boot = []
    for _ in range(300):
        i = rng.integers(0, len(y), len(y))
        boot.append(metrics.auc(strong[i], y[i]) - metrics.auc(weak[i], y[i]))
    assert diff == pytest.approx(metrics.auc(strong, y) - metrics.auc(weak, y))
    assert se == pytest.approx(np.std(boot), rel=0.2)


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.booleans()), min_size=4))
def test_auc_difference_is_the_difference_of_the_aucs(rows):
    a = np.array([r[0] for r in rows], dtype=float)
    b = np.array([r[1] for r in rows], dtype=float)
    y = np.array([r[2] for r in rows], dtype=float)
    diff, se = auc_difference(a, b, y)
    if y.sum() < 2 or (1 - y).sum() < 2:
        assert np.isnan(diff)
    else:
        assert diff == pytest.approx(metrics.auc(b, y) - metrics.auc(a, y))
        assert se >= 0


def test_backtest_and_calibrate_carry_a_verdict_judged_on_unseen_leads(bt, cal):
    v = bt.calibration.verdict
    assert v is not None and v.judged_on == "the held-out half"
    m = bt.calibration.metrics
    assert v.current_auc == pytest.approx(m.loc["current", "auc"])
    assert v.suggested_auc == pytest.approx(m.loc["suggested", "auc"])
    assert cal.verdict is not None and cal.verdict.judged_on == "a held-out half"
