"""Model files written by an attacker or a careless hand: each is refused at once with a short
message that names the key path (or line) and the limit or range, exit 2, never a hang, a
traceback or a model that scores NaN."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from tests.helpers import SAMPLES
from workbench.cli.main import main
from workbench.model import bounds
from workbench.model.yaml_read import read_yaml

SAMPLE = (SAMPLES / "b2b_model.yaml").read_text(encoding="utf-8")
EXEC = "  - {name: Exec, values: [C-level, VP], points: 20}"


def _edit(old: str, new: str) -> str:
    assert old in SAMPLE, old  # the sample changed: keep the case meaningful
    return SAMPLE.replace(old, new, 1)


def _line(text: str) -> int:
    """The 1-based line of the sample on which ``text`` first appears."""
    return SAMPLE[: SAMPLE.index(text)].count("\n") + 1


def _bomb(where: str) -> str:
    """A 'billion laughs': nine aliases of nine aliases …, 9**9 values once expanded."""
    lines = ['x0: &x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 9)}]" for i in range(1, 9)]
    if where == "top level":
        return "\n".join(lines) + "\n" + SAMPLE
    anchors = "".join(f"\n  - &x{i} [{', '.join([f'*x{i - 1}'] * 9)}]" for i in range(1, 9))
    if where == "description":
        return SAMPLE + "x_anchors:\n  - &x0 [lol, lol, lol]" + anchors + "\n"
    return _edit(
        "        - {values: [Director], points: 15}",
        "        - {values: [Director, &x0 [a, a, a, a, a, a, a, a, a]"
        + "".join(f", &x{i} [{', '.join([f'*x{i - 1}'] * 9)}]" for i in range(1, 9))
        + "], points: 15}",
    )


def _regex_criterion(pattern: str) -> str:
    return (
        f"  - {{id: doctor, label: Doctor, bucket: fit, "
        f"rule: {{kind: regex, field: job_title, pattern: {pattern}}}, points: 5}}\n"
    )


# (case, model text, expected fragments of the message)
REFUSED = [
    ("alias bomb at the top level", _bomb("top level"), ["expand to more than 100,000"]),
    ("alias bomb in an unknown key", _bomb("description"), ["expand to more than 100,000"]),
    ("alias bomb in a rule's values", _bomb("values"), ["expand to more than 100,000"]),
    (
        "a file too big to be a model",
        "# " + "x" * (bounds.MAX_MODEL_BYTES + 10) + "\n" + SAMPLE,
        ["a model file may have at most 16,000,000"],
    ),
    ("deep flow nesting", SAMPLE + "description: " + "[" * 5_000 + "]" * 5_000, ["nest"]),
    (
        "deep block nesting",
        SAMPLE + "x:\n" + "".join("  " * i + "- \n" for i in range(1, 200)),
        ["nested more than 64 levels deep"],
    ),
    (
        "a 2 MB value in a wrong place",
        _edit("owner: Marketing operations", "owner: [" + "x" * 2_000_000 + "]"),
        ["owner: Input should be a valid string"],
    ),
    (
        "a key written twice",
        _edit("points: 15}", "points: 15, points: 40}"),
        [
            "criteria[0].rule.groups[1].points",
            "written twice",
            f"(lines {_line('points: 15}')} and {_line('points: 15}')})",
        ],
    ),
    (
        "a top-level key written twice",
        _edit("\nversion: 1\n", "\nversion: 1\nname: Other\n"),
        [
            f"line {_line('name: B2B') + 2}, name: key 'name' is written twice",
            f"(lines {_line('name: B2B')} and {_line('name: B2B') + 2})",
        ],
    ),
    (
        "points: .inf",
        _edit("points: 20, label: Executive", "points: .inf, label: Executive"),
        ["criteria[0].rule.groups[0].points: must be a number from -10,000 to 10,000; got inf"],
    ),
    (
        "points: -.inf",
        _edit("points: 20, label: Executive", "points: -.inf, label: Executive"),
        ["must be a number from -10,000 to 10,000; got -inf"],
    ),
    (
        "points: 1e308",
        _edit("points: 20, label: Executive", "points: 1e308, label: Executive"),
        ["got 1e+308"],
    ),
    (
        "points: .nan",
        _edit("points: 20, label: Executive", "points: .nan, label: Executive"),
        ["got nan"],
    ),
    (
        "a base-60 number",
        _edit("points: 20, label: Executive", "points: 1:30, label: Executive"),
        ["groups[0].points: Input should be a valid number", "'1:30'"],
    ),
    (
        "true where a number goes",
        _edit("points: 20, label: Executive", "points: true, label: Executive"),
        ["groups[0].points: must be a number, not true"],
    ),
    (
        "a 2 MB name",
        _edit("name: B2B default", "name: " + "x" * 2_000_000),
        ["name: String should have at most 300 characters"],
    ),
    (
        "an empty column name",
        _edit("  lead_id: lead_id\n", "  lead_id: ''\n"),
        ["data.lead_id: String should have at least 1 character"],
    ),
    (
        "points: null",
        _edit("points: 15\n", "points: null\n"),
        ["give points (negative allowed) or stars (1–5)"],
    ),
    (
        "points_per_star: .inf",
        _edit("points_per_star: 5", "points_per_star: .inf"),
        ["points_per_star: must be a number above 0 and at most 1,000; got inf"],
    ),
    (
        "half_life_days: .inf",
        _edit("half_life_days: 14", "half_life_days: .inf"),
        ["half_life_days: must be a number from one hour (0.0417 days) to 36,500 days"],
    ),
    (
        "half_life_days: 1e-300",
        _edit("half_life_days: 14", "half_life_days: 1e-300"),
        ["half_life_days: must be a number from one hour", "got 1e-300"],
    ),
    (
        "within_days: 1.0e+308",
        _edit("within_days: 30", "within_days: 1.0e+308"),
        ["within_days: must be a whole number from 1 to 36,500 days; got 1e+308"],
    ),
    (
        "within_days: .inf",
        _edit("within_days: 30", "within_days: .inf"),
        ["within_days: must be a whole number from 1 to 36,500 days; got inf"],
    ),
    (
        "cap: .inf",
        _edit("cap: 50", "cap: .inf"),
        ["buckets[0].cap: must be a number above 0 and at most 1,000,000; got inf"],
    ),
    (
        "scale.max: .inf",
        _edit("scale: {min: 0, max: 100}", "scale: {min: 0, max: .inf}"),
        ["scale.max: must be a number from -1,000,000 to 1,000,000; got inf"],
    ),
    (
        "a NaN bin edge",
        _edit("        - {min: 200, ", "        - {min: .nan, "),
        ["bins[", ".min: must be a number from -1,000,000,000,000,000"],
    ),
    (
        "a lookbehind regex",
        _edit("criteria:\n", "criteria:\n" + _regex_criterion("'(?<=Dr\\.) ?[A-Z]'")),
        ["criteria[0].rule.pattern: not a usable regular expression", "lookbehind"],
    ),
    (
        "a backreference regex",
        _edit("criteria:\n", "criteria:\n" + _regex_criterion("'(a)\\1'")),
        ["criteria[0].rule.pattern", "invalid escape sequence"],
    ),
    (
        "too many criteria",
        SAMPLE.split("criteria:\n")[0]
        + "criteria:\n"
        + "".join(
            f"  - {{id: c{i}, label: C{i}, bucket: fit, rule: {{kind: present, field: f}}, "
            "points: 1}\n"
            for i in range(bounds.MAX_CRITERIA + 1)
        ),
        ["criteria: 10,001 criteria; the limit is 10,000"],
    ),
]


@pytest.mark.parametrize(
    ("text", "fragments"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_a_hostile_model_file_is_refused_with_a_short_message(text, fragments, tmp_path, capsys):
    path = tmp_path / "model.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: "), err[:300]
    assert len(err) < 600, err[:600]
    for fragment in fragments:
        assert fragment in err, err


def test_the_sample_with_a_long_comment_block_and_a_few_aliases_still_loads(tmp_path):
    """The limits leave real files alone: comments, shared lists and ten thousand criteria."""
    text = (
        "# "
        + "notes " * 1_000_000
        + "\n"
        + _edit("values: [Director]", "values: &directors [Director]")
    )
    path = tmp_path / "model.yaml"
    path.write_text(text, encoding="utf-8")
    assert wb.load_model(path) == wb.load_model(SAMPLES / "b2b_model.yaml")


def test_ten_thousand_criteria_are_accepted():
    head = SAMPLE.split("criteria:\n")[0]
    body = "".join(
        f"  - {{id: c{i}, label: C{i}, bucket: fit, rule: {{kind: present, field: f}}, "
        "points: 1}\n"
        for i in range(bounds.MAX_CRITERIA)
    )
    model = wb.parse_model_text(head + "criteria:\n" + body)
    assert len(model.criteria) == bounds.MAX_CRITERIA


@pytest.mark.slow
def test_a_catastrophic_regex_over_a_crafted_value_finishes_in_seconds(tmp_path):
    """``^(a+)+$`` against 'aaaa…!' takes Python's backtracking ``re`` hours; RE2 is linear."""
    n = 100_000
    leads = pd.DataFrame(
        {"lead_id": [f"L{i}" for i in range(n)], "job_title": ["Marketing manager"] * n}
    )
    leads.loc[7, "job_title"] = "a" * 5_000 + "!"
    leads.loc[8, "job_title"] = "a" * 5_000
    leads.to_csv(tmp_path / "leads.csv", index=False)
    model = tmp_path / "model.yaml"
    model.write_text(
        "name: ReDoS\ncriteria:\n"
        + _regex_criterion("'^(a+)+$'").replace("doctor", "aaa").replace("Doctor", "Aaa"),
        encoding="utf-8",
    )
    out = tmp_path / "scores.csv"
    subprocess.run(
        [sys.executable, "-m", "workbench", "score", "--model", str(model), "--leads",
         str(tmp_path / "leads.csv"), "--out", str(out)],
        check=True, timeout=60, capture_output=True,
    )  # fmt: skip
    scored = pd.read_csv(out, dtype={"lead_id": str, "reasons": str}).set_index("lead_id")
    assert scored.loc["L8", "score"] == 5 and scored.loc["L7", "score"] == 0
    assert (scored["score"] > 0).sum() == 1


# --- any model validate accepts scores every lead with a finite number -----------------------

SAMPLE_DATA = yaml.safe_load(SAMPLE)
LEVEL_IDS = [c["id"] for c in SAMPLE_DATA["criteria"] if c["rule"]["kind"] in ("bins", "lookup")]
SIMPLE_IDS = [c["id"] for c in SAMPLE_DATA["criteria"] if c["id"] not in LEVEL_IDS]
ACTIVITY_IDS = [c["id"] for c in SAMPLE_DATA["criteria"] if c["rule"]["kind"] == "activity"]

HALF_LIVES = (1 / 24, 36_500.0)
_signals: dict[tuple, wb.Signals] = {}
extreme_points = st.one_of(
    st.sampled_from([-bounds.POINTS, bounds.POINTS, 0.0, 1e-9, -1e-9]),
    st.floats(-bounds.POINTS, bounds.POINTS, allow_nan=False, allow_infinity=False),
)


@st.composite
def extreme_models(draw) -> wb.Model:
    """The sample with numbers drawn anywhere in their allowed ranges, edges included."""
    data = yaml.safe_load(SAMPLE)
    data.pop("approved_by", None)
    data["points_per_star"] = draw(st.sampled_from([1e-6, 1.0, 1_000.0]))
    half_life = draw(st.sampled_from(HALF_LIVES))
    for c in data["criteria"]:
        if c["id"] in LEVEL_IDS:
            key = "bins" if c["rule"]["kind"] == "bins" else "groups"
            for level in c["rule"][key]:
                level.pop("stars", None)
                level["points"] = draw(extreme_points)
        elif c.get("stars") is None or draw(st.booleans()):
            c.pop("stars", None)
            c["points"] = draw(extreme_points)
        if c["id"] in ACTIVITY_IDS:
            c["rule"]["half_life_days"] = half_life
    for b in data["buckets"]:
        b["weight"] = draw(st.sampled_from([0.0, 1e-9, 50.0, 100.0]))
        b["cap"] = draw(st.sampled_from([None, 1e-9, 1.0, float(bounds.SCALE)]))
    lo = draw(st.sampled_from([-float(bounds.SCALE), 0.0]))
    hi = draw(st.sampled_from([1.0, 100.0, float(bounds.SCALE)]))
    data["scale"] = {"min": lo, "max": hi}
    cuts = sorted(draw(st.lists(st.floats(lo, hi), min_size=3, max_size=3, unique=True)))
    for band, cut in zip(data["categories"], reversed(cuts), strict=False):
        band["min"] = cut
    try:
        return wb.Model.parse(data)
    except wb.ModelError:
        return wb.Model.parse(yaml.safe_load(SAMPLE))  # an invalid draw: the sample itself


@settings(max_examples=25, deadline=None)
@given(model=extreme_models())
def test_any_model_validate_accepts_gives_every_lead_a_finite_score(model, sample_data):
    key = tuple(c.rule for c in model.criteria)  # signals follow rules, not points
    signals = _signals.get(key) or wb.compute_signals(model, sample_data, as_of="2026-10-31")
    _signals[key] = signals
    scored = wb.score(model, signals)
    scores = scored["score"].to_numpy(float)
    assert np.isfinite(scores).all()
    assert (scores >= model.scale.min).all() and (scores <= model.scale.max).all()
    reasons = scored["reasons"].fillna("")
    broken = r"\bnan\b|\binf\b|\d[eE][+-]?\d|9223372036854775808"
    assert not reasons.str.contains(broken, regex=True).any(), reasons[reasons.str.contains(broken)]
    assert math.isfinite(float(scored.filter(like="fit").to_numpy(float).sum()))


# --- the screening reader builds what yaml.safe_load builds -----------------------------------

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["yes", "No", "on", "~", "0x1f", "1_000", ".5", "2026-11-02", "<<", "a:b"]),
    st.dates(),
)
yaml_data = st.recursive(
    yaml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(data=yaml_data, flow=st.sampled_from([None, True, False]))
def test_the_reader_builds_exactly_what_safe_load_builds(data, flow):
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    assert read_yaml(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n",  # a merge key: left to PyYAML
        "x: !!float 1\ny: !!int '7'\nz: !!str 5\n",
        "- &a [1]\n- *a\n- {k: *a}\n",
        "a: 0o17\nb: 017\nc: +12\nd: 1.0e+3\ne: 2026-11-02 10:00:00\n",
    ],
)
def test_tags_anchors_and_merge_keys_mean_what_they_mean_to_pyyaml(text):
    assert read_yaml(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a: !!python/object/apply:os.system [echo hi]\n", "tag !!python/object/apply:os"),
        ("a: !!python/name:os.system\n", "tag !!python/name:os.system is not used"),
        ("name: !!binary aGVsbG8=\n", "tag !!binary is not used in model files"),
        ("s: !!set {a, b}\n", "tag !!set is not used"),
        ("a: 1\n---\nb: 2\n", "expected a single document"),
        ("a: &l [1, *l]\n", "alias *l points into the value that holds it (a loop)"),
        ("a: *nope\n", "alias *nope is not defined above; define it with &nope"),
        ("name: &k x\nx: 1\n*k : 2\n", "key 'x' is written twice in one mapping (lines 2 and 3)"),
        ("&k name: x\n*k : other\n", "key 'name' is written twice in one mapping (lines 1 and 2)"),
    ],
)
def test_code_tags_second_documents_loops_and_aliased_keys_are_refused(text, error):
    with pytest.raises((wb.ModelError, yaml.YAMLError), match=re.escape(error)):
        read_yaml(text)


@pytest.mark.parametrize(
    ("encoding", "says"),
    [
        ("cp1252", f"line {_line('name: B2B')}: the file is not UTF-8 (byte 0xe9"),
        ("utf-16", "UTF-16 or UTF-32"),
    ],
)
def test_a_model_file_not_in_utf8_says_how_to_save_it(encoding, says, tmp_path, capsys):
    path = tmp_path / "model.yaml"
    path.write_bytes(_edit("name: B2B default", "name: Café leads").encode(encoding))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert says in err and "save it as UTF-8" in err
