"""Issue 14 attacked as a new user would: model files as people write them, saving in odd
places, reasons that look like formulas, tiny data, names with markup. Each test is a
failure that was found and fixed (or a case that must keep working)."""

from __future__ import annotations

import datetime as dt
import difflib

import pytest

import workbench as wb
from tests.helpers import SAMPLES
from workbench.cli import main
from workbench.engine.reasons import is_against, word_reasons
from workbench.model.versioning import next_version
from workbench.model.yaml_edit import edited_model_text
from workbench.model.yaml_io import parse_model_text
from workbench.text import MINUS

DAY = dt.date(2026, 12, 1)

# Comments everywhere; 'act' is one activity rule written once and used by two criteria.
SHARED = """\
# one rule, two criteria
format_version: 1
name: Shared
version: 1
buckets:
  - &eng {id: engagement, label: Engagement, weight: 100}
  - {<<: *eng, id: qualification, label: Qualification}   # same, by merge
criteria:
  - id: pricing
    label: Pricing page
    bucket: engagement
    rule: &act {kind: activity, types: [page_view], half_life_days: 14}   # decays
    points: 15
  - id: pricing_again
    label: Pricing page again
    bucket: qualification
    rule: *act   # the same rule
    points: 5
  - id: pricing_merged
    label: Pricing page (30 days)
    bucket: engagement
    rule: {<<: *act, within_days: 30}
    points: 3
categories:
  - {name: A, min: 60}
  - {name: B, min: 35}
  - {name: C, min: 0}
"""


def added_removed(before: str, after: str) -> list[str]:
    return [
        ln
        for ln in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if ln[:1] in "+-" and ln[:3] not in ("+++", "---")
    ]


def saved_text(text: str, edit) -> tuple[str, object]:
    parent = parse_model_text(text)
    new = next_version(parent, edit(parent), date=DAY)
    out = edited_model_text(text, new)
    return out, new


@pytest.mark.parametrize(
    "edit, changed, kept",
    [
        (lambda m: m.with_rule("pricing", half_life_days=21), "pricing", "pricing_again"),
        (lambda m: m.with_rule("pricing_again", half_life_days=7), "pricing_again", "pricing"),
        (lambda m: m.with_rule("pricing", half_life_days=21), "pricing", "pricing_merged"),
    ],
)
def test_editing_one_use_of_an_anchored_rule_leaves_the_other_use_and_the_comments(
    edit, changed, kept
):
    """An alias (*act) or merge (<<: *act) shares one node: editing it in place changed
    both criteria, so the edit was refused and the whole file rewritten without comments."""
    out, new = saved_text(SHARED, edit)
    assert out is not None, "the layout was not kept: comments lost"
    back = parse_model_text(out)
    assert back == new
    assert back.criterion(kept).rule == parse_model_text(SHARED).criterion(kept).rule
    assert all(c in out for c in ("# one rule, two criteria", "# decays", "# same, by merge"))


def test_editing_a_bucket_that_another_merges_from_leaves_the_other_bucket():
    out, new = saved_text(SHARED, lambda m: m.with_weights({"engagement": 50}))
    assert out is not None
    back = parse_model_text(out)
    assert back == new and back.bucket("qualification").weight == 100


@pytest.mark.parametrize(
    "tabbed",
    [
        "    points: 15\t# what sales asked for\n",  # a tab before a comment
        "    points:\t15\n",  # a tab after the colon
    ],
)
def test_a_tab_used_as_a_space_does_not_cost_the_file_its_comments(tabbed):
    """libyaml (every model reader) accepts a tab between tokens; ruamel refuses it, so one
    tab anywhere made every save rewrite the whole file."""
    text = SHARED.replace("    points: 15\n", tabbed).replace(
        "label: Pricing page\n", "label: Pricing\tpage\n"
    )
    out, new = saved_text(text, lambda m: m.with_thresholds({"A": 55}))
    assert out is not None
    assert parse_model_text(out) == new
    diff = added_removed(text, out)
    assert "-  - {name: A, min: 60}" in diff and "+  - {name: A, min: 55}" in diff
    assert not [ln for ln in diff if "\t" in ln]  # the tabbed lines are kept as written
    out, new = saved_text(text, lambda m: m.with_points({"pricing": 20}))
    assert out is not None and parse_model_text(out) == new
    assert "# one rule, two criteria" in out


# --- saving under a typed name ------------------------------------------------------------------


@pytest.mark.parametrize("typed, saved", [("ours", "ours.yaml"), ("ours.txt", "ours.txt.yaml")])
def test_a_name_typed_without_yaml_is_saved_as_a_yaml_file(v1_app, tmp_path, typed, saved):
    """'ours' was written as a file called ours, which JupyterLab and editors do not open
    as YAML, and the next save proposed ours_v3.yaml beside it."""
    v1_app.point_controls["pricing_page"][0].value = 20
    v1_app.path.value = str(tmp_path / typed)
    v1_app._save_clicked()
    assert not (tmp_path / typed).exists()
    assert wb.load_model(tmp_path / saved).criterion("pricing_page").points == 20
    assert f"to {tmp_path / saved}:" in v1_app.message.value


def test_a_typed_name_without_yaml_is_never_written_over_the_yaml_file(v1_app, v1, tmp_path):
    original = v1.read_bytes()
    v1_app.point_controls["pricing_page"][0].value = 20
    v1_app.path.value = str(tmp_path / "b2b_model")  # means b2b_model.yaml: the parent itself
    v1_app._save_clicked()
    assert v1.read_bytes() == original
    assert "never overwritten" in v1_app.message.value


def test_calibrate_out_without_yaml_saves_a_yaml_file(v1, tmp_path, capsys):
    argv = ["calibrate", "--model", str(v1), "--leads", str(SAMPLES / "leads.csv")]
    argv += ["--activities", str(SAMPLES / "activities.csv"), "--no-backtest", "--force"]
    assert main([*argv, "--out", str(tmp_path / "b2b_model")]) == 2  # would be v1's name
    assert "never overwritten" in capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "calibrated"), "--force"]) == 0
    assert wb.load_model(tmp_path / "calibrated.yaml").version == 2
    assert not (tmp_path / "calibrated").exists()


# --- reasons in words ---------------------------------------------------------------------------


def test_a_criterion_labelled_with_a_dash_is_not_read_as_against_the_lead():
    """The dashboard splits reasons for and against with is_against, which took any reason
    starting with '-' for a negative one: '-VP- title (yes) +20' was listed against."""
    words = word_reasons(["-VP- title (yes)", "+Budget (Yes)", f"{MINUS}Gone quiet"], [20, 5, -15])
    assert [is_against(w) for w in words] == [False, False, True]


def test_a_part_of_a_point_is_not_worded_as_zero():
    """A decayed activity worth 0.4 showed as '+0' (or '−0') beside its bar in the
    drill-down; the sample has such leads."""
    words = word_reasons(["Whitepaper or webinar 1×", "Careers page 1×", "Demo"], [0.42, -0.3, 25])
    assert words.tolist() == [
        "Whitepaper or webinar 1× +0.4",
        f"Careers page 1× {MINUS}0.3",
        "Demo +25",
    ]
