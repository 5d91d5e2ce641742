"""The model file: loading, saving, immutable edits and every validation error."""

from __future__ import annotations

import textwrap

import pytest

import workbench as wb
from tests.helpers import SAMPLES, crit, make_model

BASE = """\
name: T
criteria:
  - id: vp
    label: VP title
    bucket: fit
    rule: {kind: contains, field: job_title, values: [VP]}
    points: 20
"""


def load_text(tmp_path, text: str) -> wb.Model:
    path = tmp_path / "model.yaml"
    path.write_text(textwrap.dedent(text))
    return wb.load_model(path)


def test_sample_model_round_trips_through_yaml(tmp_path, sample_model):
    path = wb.save_model(sample_model, tmp_path / "m.yaml")
    assert wb.load_model(path) == sample_model
    text = path.read_text()
    assert text.startswith("format_version: 1\nname: B2B default\nversion: 1\n")
    assert "kind: activity" in text


def test_edits_return_new_models_and_leave_the_original_untouched(sample_model):
    before = wb.model_to_yaml(sample_model)
    m2 = sample_model.with_points({"pricing_page": 25})
    assert m2.criterion("pricing_page").points == 25
    assert sample_model.criterion("pricing_page").points == 15
    m3 = sample_model.with_weights({"fit": 40}).with_thresholds({"A": 70}).with_caps({"fit": 30})
    assert (m3.bucket("fit").weight, m3.bucket("fit").cap, m3.categories[0].min) == (40, 30, 70)
    assert wb.model_to_yaml(sample_model) == before
    with pytest.raises(Exception, match="frozen"):
        sample_model.name = "changed"


def test_with_points_sets_per_bin_points_and_turns_stars_into_points(sample_model):
    m = sample_model.with_points({"company_size": [0, 1, 2, 3], "target_industry": 7})
    assert m.level_points(m.criterion("company_size")) == (0, 1, 2, 3)
    c = m.criterion("target_industry")
    assert (c.points, c.stars) == (7, None)
    with pytest.raises(wb.ModelError, match="give a list of 4 numbers"):
        sample_model.with_points({"company_size": 5})


def test_stars_are_worth_points_per_star(sample_model):
    c = sample_model.criterion("target_industry")
    assert c.stars == 2
    assert sample_model.criterion_points(c) == 2 * sample_model.points_per_star
    m = sample_model.with_stars({"target_industry": 5})
    assert m.criterion_points(m.criterion("target_industry")) == 5 * sample_model.points_per_star


def test_edits_are_validated_like_a_file(sample_model):
    with pytest.raises(wb.ModelError, match=r"categories\[1\]\.min: thresholds must go"):
        sample_model.with_thresholds({"B": 80})
    with pytest.raises(wb.ModelError, match=r"weight: must be a number from 0 to 100; got 120"):
        sample_model.with_weights({"fit": 120})
    with pytest.raises(wb.ModelError, match=r"no criterion 'pricing'\. Did you mean 'pricing_"):
        sample_model.with_points({"pricing": 1})


BAD_MODELS = [
    # (yaml appended to / replacing BASE, expected message pieces)
    (
        BASE.replace("points: 20", "pionts: 20"),
        [r"line 7, criteria\[0\]\.pionts: unknown key 'pionts'\. Did you mean 'points'\?"],
    ),
    (
        BASE.replace("kind: contains", "kind: contain"),
        [r"criteria\[0\]\.rule: unknown rule kind 'contain'\. Did you mean 'contains'\?"],
    ),
    (
        BASE.replace("bucket: fit", "bucket: fitt"),
        [r"criteria\[0\]\.bucket: unknown bucket 'fitt'\. Did you mean 'fit'\?"],
    ),
    (
        BASE + "  - id: vp\n    label: x\n    bucket: fit\n"
        "    rule: {kind: missing, field: email}\n    points: 1\n",
        [r"criteria\[1\]\.id: duplicate id 'vp'"],
    ),
    (
        BASE + "categories:\n  - {name: A, min: 40}\n  - {name: B, min: 60}\n",
        [r"categories\[1\]\.min: thresholds must go from highest to lowest"],
    ),
    (
        BASE + "buckets:\n  - {id: fit, weight: 140}\n",
        [r"buckets\[0\]\.weight: must be a number from 0 to 100; got 140"],
    ),
    (
        BASE + "buckets:\n  - {id: fit, weight: -5}\n",
        [r"buckets\[0\]\.weight: must be a number from 0 to 100; got -"],
    ),
    (
        BASE + "  - id: size\n    label: Size\n    bucket: fit\n    rule:\n      kind: bins\n"
        "      field: company_size\n      bins:\n        - {min: 0, max: 100, points: 1}\n"
        "        - {min: 50, max: 300, points: 2}\n",
        [r"line 16, criteria\[1\]\.rule\.bins\[1\]: bins must increase and not overlap"],
    ),
    (
        BASE.replace("points: 20", "points: 20\n    stars: 2"),
        [r"criteria\[0\]: give either points \(negative allowed\) or stars"],
    ),
    (
        BASE.replace("points: 20", "stars: 7"),
        [r"criteria\[0\]\.stars: Input should be less than or equal to 5"],
    ),
    (
        BASE.replace(
            "{kind: contains, field: job_title, values: [VP]}",
            "{kind: regex, field: t, pattern: '(unclosed'}",
        ),
        [r"criteria\[0\]\.rule\.pattern: not a usable regular expression"],
    ),
    (BASE.replace("criteria:", "criteria: []\nx:"), [r"unknown key 'x'"]),
    (
        BASE + "segments:\n  variants:\n    - {value: SMB, points: {vpp: 3}}\n",
        [r"segments\.variants\[0\]\.points\.vpp: unknown criterion 'vpp'\. Did you mean 'vp'\?"],
    ),
    (
        BASE + "fit_grade: {bucket: fitness, levels: [{name: A, min: 10}, {name: B}]}\n",
        [r"fit_grade\.bucket: unknown bucket 'fitness'"],
    ),
    (
        BASE + "categories:\n  - {name: A}\n  - {name: B, min: 10}\n",
        [r"categories\[0\]\.min: 'A' has no min; only the last band may leave it out"],
    ),
    (BASE + "format_version: 2\n", [r"format_version: this workbench reads format_version 1"]),
    ("name: T\ncriteria:\n  - id: vp\n    label: [unclosed\n", [r"line \d+: not valid YAML"]),
    ("- just a list\n", [r"must be a mapping"]),
]


@pytest.mark.parametrize(("text", "patterns"), BAD_MODELS)
def test_bad_model_files_are_refused_with_the_file_key_path_and_a_fix(tmp_path, text, patterns):
    with pytest.raises(wb.ModelError) as info:
        load_text(tmp_path, text)
    message = str(info.value)
    assert message.startswith(str(tmp_path / "model.yaml"))
    for pattern in patterns:
        assert __import__("re").search(pattern, message), message


def test_all_problems_are_reported_at_once(tmp_path):
    text = (
        BASE.replace("pionts", "points")
        .replace("points: 20", "pionts: 20")
        .replace("kind: contains", "kind: contain")
    )
    with pytest.raises(wb.ModelError) as info:
        load_text(tmp_path, text)
    assert len(info.value.problems) == 2


def test_missing_model_file_names_the_file(tmp_path):
    with pytest.raises(wb.ModelError, match=r"nope\.yaml: file not found"):
        wb.load_model(tmp_path / "nope.yaml")


def test_nothing_in_a_model_file_is_run_as_code(tmp_path):
    text = BASE + "description: !!python/object/apply:os.system ['touch pwned']\n"
    with pytest.raises(wb.ModelError, match=r"YAML tag !!python/object/apply:os\.system is not"):
        load_text(tmp_path, text)
    assert not (tmp_path / "pwned").exists()


def test_reserved_and_colliding_ids_are_refused():
    with pytest.raises(wb.ModelError, match="'score' is taken"):
        make_model([crit("score", {"kind": "missing", "field": "x"})])
    with pytest.raises(wb.ModelError, match="'fit' is taken"):
        make_model([crit("fit", {"kind": "missing", "field": "x"})])


def test_level_rules_carry_their_points_in_the_rule():
    rule = {"kind": "bins", "field": "x", "bins": [{"min": 0, "points": 1}]}
    with pytest.raises(wb.ModelError, match="carries its points per bin"):
        make_model([crit("size", rule, points=5)])
    assert make_model([crit("size", rule, points=None)]).criterion("size").is_level


def test_lookup_values_may_score_in_one_group_only():
    rule = {
        "kind": "lookup",
        "field": "x",
        "groups": [{"values": ["VP"], "points": 1}, {"values": ["vp"], "points": 2}],
    }
    with pytest.raises(wb.ModelError, match=r"groups\[1\]: value 'vp' is already in groups\[0\]"):
        make_model([crit("sen", rule, points=None)])


def test_defaults_give_three_buckets_and_abc_categories():
    m = make_model([crit("x", {"kind": "present", "field": "email"})])
    assert m.bucket_ids == ("fit", "engagement", "qualification")
    assert [t.name for t in m.categories] == ["A", "B", "C"]
    assert m.fit_grade.bucket == "fit"


def test_sample_model_follows_the_domain_advice(sample_model):
    buckets = [c.bucket for c in sample_model.criteria]
    assert 10 <= len(sample_model.criteria) <= 20
    assert buckets.count("fit") >= 5 and buckets.count("engagement") >= 5
    assert any(
        sample_model.criterion_points(c) < 0 for c in sample_model.criteria if not c.is_level
    )
    assert any(getattr(c.rule, "half_life_days", None) for c in sample_model.criteria)
    assert any(getattr(c.rule, "diminishing", None) for c in sample_model.criteria)
    assert {a.role for a in sample_model.approved_by} >= {"Head of Sales", "Head of Marketing"}
    assert (SAMPLES / "b2b_model.yaml").read_text().count("kind:") >= 15


def test_an_unknown_key_is_never_suggested_back_as_itself(tmp_path):
    """'name' is a key of the model, not of a bucket: the hint must not say 'Did you mean
    'name'?' to someone who wrote 'name'."""
    text = BASE.replace("criteria:", "buckets:\n  - {id: fit, name: Fit, weight: 100}\ncriteria:")
    with pytest.raises(wb.ModelError) as exc:
        wb.parse_model_text(text)
    message = str(exc.value)
    assert "unknown key 'name'" in message
    assert "Did you mean 'name'" not in message
