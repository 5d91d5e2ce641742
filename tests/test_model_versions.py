"""Saved versions: never overwritten, and a reviewer's diff shows only what changed.

A version is written as its parent's text with the changed values edited (comments, order,
flow style and quoting kept), under the next free ``_vN`` name, created exclusively.
"""

from __future__ import annotations

import datetime as dt
import difflib
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench as wb
from tests.helpers import SAMPLES
from workbench.cli import main
from workbench.files import write_text_new
from workbench.model.versioning import VersionExists, next_version, save_version, version_path
from workbench.model.yaml_edit import edited_model_text

DAY = dt.date(2026, 12, 1)
SAMPLE_TEXT = (SAMPLES / "b2b_model.yaml").read_text(encoding="utf-8")

# A hand-written model: comments everywhere, flow and block style, quoting, defaults left out.
HAND_WRITTEN = """\
# Our model: reviewed by sales every quarter.
format_version: 1
name: Acme
version: 4   # bumped by every save
changelog:
  - {version: 4, date: 2026-10-01, author: Ana, note: "Trial counts more"}

criteria:
  # who they are
  - id: vp
    label: "VP or above"
    bucket: fit
    rule: {kind: in, field: seniority, values: ['VP', "C-level"]}
    points: 20   # sales asked for this
  - id: size
    label: Company size
    bucket: fit
    rule:
      kind: bins
      field: employees
      bins:
        - {max: 50, points: 0}
        - {min: 50, points: 10, label: "50+"}

  # what they do
  - id: pricing
    label: Pricing page
    bucket: engagement
    rule: {kind: activity, types: [page_view], detail_contains: [/pricing], half_life_days: 14}
    points: 15

categories:   # A is what sales calls
  - {name: A, min: 60, label: Sales-ready}
  - {name: B, min: 35}
  - {name: C, min: 0}
"""


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed, added) lines of a line diff, as a reviewer's diff tool shows them."""
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    removed = [ln[1:] for ln in diff if ln.startswith("-") and not ln.startswith("---")]
    added = [ln[1:] for ln in diff if ln.startswith("+") and not ln.startswith("+++")]
    return removed, added


def comments(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if "#" in ln and ln.lstrip().startswith("#")]


# --- never overwritten ------------------------------------------------------------------------


def test_saving_twice_writes_v2_and_v3_and_leaves_v1_as_it_was(v1_app, v1):
    original = v1.read_bytes()
    v1_app.point_controls["pricing_page"][0].value = 20
    first = v1_app.save(author="Priya")
    v1_app.threshold_controls["A"].value = 55
    second = v1_app.save(author="Priya")
    assert (first.name, second.name) == ("b2b_model_v2.yaml", "b2b_model_v3.yaml")
    assert v1.read_bytes() == original
    v2, v3 = wb.load_model(first), wb.load_model(second)
    assert (v2.version, v3.version) == (2, 3)
    assert v2.criterion("pricing_page").points == 20 and v2.categories[0].min == 60
    assert v3.categories[0].min == 55
    assert v3.changelog[-1].changes == ("A threshold: 60 → 55",)  # this save's changes only
    assert [e.version for e in v3.changelog] == [1, 2, 3]
    assert v1_app.path.value == str(v1.parent / "b2b_model_v4.yaml")  # what the next save takes


def test_after_saving_the_page_lists_what_that_version_changed(v1_app):
    v1_app.point_controls["pricing_page"][0].value = 20
    v1_app.threshold_controls["A"].value = 55
    v1_app.save()
    listed = "Pricing page: 15 → 20 points; A threshold: 60 → 55"
    assert f"Saved version 2 to {v1_app.model_file}: {listed}." in v1_app.message.value
    assert "Saved version 2" in v1_app.changes.value
    assert "Pricing page: 15 → 20 points<br>A threshold: 60 → 55" in v1_app.changes.value
    assert "No changes" not in v1_app.changes.value


def test_saving_without_a_change_is_refused_and_writes_nothing(v1_app, v1):
    v1_app._save_clicked()  # the button
    assert "no changes since version 1: nothing to save" in v1_app.message.value
    assert sorted(p.name for p in v1.parent.iterdir()) == ["b2b_model.yaml"]
    assert v1_app.saved_model.version == 1  # the sign-off stays as it was


def test_the_note_belongs_to_one_version_and_is_cleared_after_saving(v1_app):
    v1_app.point_controls["pricing_page"][0].value = 20
    v1_app.note.value = "More weight on pricing"
    v1_app._save_clicked()
    assert v1_app.saved_model.changelog[-1].note == "More weight on pricing"
    assert v1_app.note.value == ""
    v1_app.point_controls["pricing_page"][0].value = 25
    v1_app._save_clicked()
    assert v1_app.saved_model.changelog[-1].note != "More weight on pricing"


def test_a_version_someone_else_saved_is_never_overwritten(v1_app, v1):
    theirs = v1.parent / "b2b_model_v2.yaml"
    theirs.write_text("# saved by a colleague meanwhile\n", encoding="utf-8")
    v1_app.point_controls["pricing_page"][0].value = 20
    path = v1_app.save()
    assert path.name == "b2b_model_v3.yaml"
    assert wb.load_model(path).version == 3  # the number inside follows the file name
    assert theirs.read_text(encoding="utf-8") == "# saved by a colleague meanwhile\n"
    assert "b2b_model_v2.yaml already existed" in v1_app.message.value


def test_a_typed_file_that_exists_is_refused_and_the_free_name_offered(v1_app, v1, tmp_path):
    mine = tmp_path / "ours.yaml"
    mine.write_text("# keep me\n", encoding="utf-8")
    v1_app.point_controls["pricing_page"][0].value = 20
    v1_app.path.value = str(mine)
    v1_app._save_clicked()
    assert mine.read_text(encoding="utf-8") == "# keep me\n"
    assert "never overwritten" in v1_app.message.value
    assert v1_app.path.value == str(tmp_path / "ours_v2.yaml")
    v1_app._save_clicked()  # pressed again: saved under the offered name
    assert wb.load_model(tmp_path / "ours_v2.yaml").criterion("pricing_page").points == 20


def test_a_typed_folder_gets_the_next_free_version_in_it(v1_app, tmp_path):
    folder = tmp_path / "review"
    folder.mkdir()
    v1_app.point_controls["pricing_page"][0].value = 20
    v1_app.path.value = str(folder)
    v1_app._save_clicked()
    assert wb.load_model(folder / "b2b_model_v2.yaml").version == 2


def test_save_version_refuses_an_existing_file_when_asked_for_exactly_that_one(tmp_path):
    model = wb.load_model(SAMPLES / "b2b_model.yaml")
    taken = tmp_path / "m.yaml"
    taken.write_text("x", encoding="utf-8")
    with pytest.raises(VersionExists, match="never overwritten") as caught:
        save_version(model, model.with_points({"pricing_page": 20}), taken, next_free=False)
    assert caught.value.free == tmp_path / "m_v2.yaml"
    assert taken.read_text(encoding="utf-8") == "x"


def test_version_file_names_follow_the_model_file():
    assert version_path("m/b2b_model.yaml", 2) == Path("m/b2b_model_v2.yaml")
    assert version_path("m/b2b_model_v2.yaml", 3) == Path("m/b2b_model_v3.yaml")
    assert version_path("m/ours.yml", 7) == Path("m/ours_v7.yml")


def test_of_writers_at_once_exactly_one_creates_the_file(tmp_path):
    target = tmp_path / "v2.yaml"
    results: list[str] = []

    def write(i: int) -> None:
        try:
            write_text_new(target, f"writer {i}\n" * 1000)
            results.append(f"won {i}")
        except FileExistsError:
            results.append("lost")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r.startswith("won")]
    assert len(winners) == 1 and len(results) == 8
    assert target.read_text() == f"writer {winners[0].split()[1]}\n" * 1000  # whole
    assert [p.name for p in tmp_path.iterdir()] == ["v2.yaml"]  # no temporary left


# --- a diff of two versions shows only what changed --------------------------------------------


def test_a_saved_version_differs_from_its_parent_only_in_the_changed_lines(v1):
    parent = wb.load_model(v1)
    edited = parent.with_points({"pricing_page": 20}).with_thresholds({"A": 55})
    saved = save_version(parent, edited, version_path(v1, 2), parent=v1, date=DAY)
    assert not saved.rewritten
    after = saved.path.read_text(encoding="utf-8")
    removed, added = changed_lines(SAMPLE_TEXT, after)
    signers = [ln for ln in SAMPLE_TEXT.splitlines() if "fingerprint" in ln]
    assert removed == [
        "version: 1",
        "approved_by:",
        *signers,  # the sign-off is cleared: the rules changed
        "    points: 15",
        "  - {name: A, min: 60, label: Sales-ready}",
    ]
    assert added == [
        "version: 2",
        "approved_by: []",
        "  - version: 2",
        "    date: 2026-12-01",
        "    changes: ['Pricing page: 15 → 20 points', 'A threshold: 60 → 55']",
        "    points: 20",
        "  - {name: A, min: 55, label: Sales-ready}",
    ]
    assert comments(SAMPLE_TEXT) and set(comments(SAMPLE_TEXT)) <= set(after.splitlines())
    assert wb.load_model(saved.path) == saved.model


def test_a_hand_written_file_keeps_its_comments_quotes_and_left_out_defaults():
    parent = wb.parse_model_text(HAND_WRITTEN)
    edited = (
        parent.with_points({"vp": 25, "size": [0, 12]})
        .with_rule("pricing", half_life_days=21)
        .with_caps({"fit": 40})
    )
    new = next_version(parent, edited, "Ana", "Bigger firms", DAY)
    text = edited_model_text(HAND_WRITTEN, new)
    assert text is not None and wb.parse_model_text(text) == new
    removed, added = changed_lines(HAND_WRITTEN, text)
    assert removed == [
        "version: 4   # bumped by every save",
        "    points: 20   # sales asked for this",
        '        - {min: 50, points: 10, label: "50+"}',
        "    rule: {kind: activity, types: [page_view], detail_contains: [/pricing], "
        "half_life_days: 14}",
    ]
    assert "version: 5   # bumped by every save" in added
    assert "    points: 25   # sales asked for this" in added
    assert '        - {min: 50, points: 12, label: "50+"}' in added  # quotes as written
    # the buckets were left out (the defaults): now written, at the end
    assert "  - {id: fit, label: Fit (who they are), cap: 40}" in added
    for change in (
        "VP or above: 20 → 25 points",
        "Company size (50+): 10 → 12 points",
        "Pricing page: half-life 14 → 21 days",
        "Fit (who they are) cap: no cap → 40 points",
    ):
        assert change in new.changelog[-1].changes and change in text
    assert set(comments(HAND_WRITTEN)) <= set(text.splitlines())


def test_a_file_written_whole_once_is_edited_in_place_afterwards(tmp_path):
    """A model built in memory is written whole (PyYAML's layout, long lines folded);
    its next version edits that file like any other."""
    model = wb.load_model(SAMPLES / "b2b_model.yaml")
    first = save_version(
        model, model.with_points({"pricing_page": 20}), tmp_path / "m.yaml", next_free=False
    )
    before = first.path.read_text(encoding="utf-8")
    edited = first.model.with_points({"free_mail": -5})
    second = save_version(first.model, edited, version_path(first.path, 3), parent=first.path)
    removed, added = changed_lines(before, second.path.read_text(encoding="utf-8"))
    assert removed == ["version: 2", "  points: -10"]
    assert "  points: -5" in added and "version: 3" in added
    assert len(added) == 2 + 3  # version, points; the changelog entry's three lines


def test_crlf_line_endings_are_kept(tmp_path):
    parent = tmp_path / "win.yaml"
    parent.write_bytes(HAND_WRITTEN.replace("\n", "\r\n").encode())
    model = wb.load_model(parent)
    saved = save_version(
        model, model.with_points({"vp": 30}), version_path(parent, 5), parent=parent
    )
    raw = saved.path.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert wb.load_model(saved.path).criterion("vp").points == 30


def test_a_parent_whose_layout_cannot_be_kept_is_written_whole_and_said(tmp_path, monkeypatch):
    from workbench.model import versioning

    parent = tmp_path / "m.yaml"
    parent.write_text(HAND_WRITTEN, encoding="utf-8")
    model = wb.load_model(parent)
    monkeypatch.setattr(versioning, "edited_model_text", lambda text, new: None)
    saved = save_version(
        model, model.with_points({"vp": 30}), version_path(parent, 5), parent=parent
    )
    assert "could not be kept" in saved.summary()
    assert wb.load_model(saved.path) == saved.model


CRITERIA = [c.id for c in wb.parse_model_text(SAMPLE_TEXT).criteria if not c.is_level]


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(CRITERIA), st.integers(-60, 60), min_size=1, max_size=5),
    st.integers(1, 99),
)
def test_any_point_edit_reads_back_as_exactly_the_edited_model(points, a_threshold):
    parent = wb.parse_model_text(SAMPLE_TEXT)
    edited = parent.with_points(points)
    if a_threshold > parent.categories[1].min:  # A stays above B
        edited = edited.with_thresholds({"A": a_threshold})
    new = next_version(parent, edited, "Priya", "random edit", DAY)
    text = edited_model_text(SAMPLE_TEXT, new)
    assert text is not None, "the layout-keeping edit failed"
    assert wb.parse_model_text(text) == new
    removed, _ = changed_lines(SAMPLE_TEXT, text)
    edits = len(new.changelog[-1].changes)
    assert len(removed) <= edits + 4  # version, approved_by and its two signers
    assert set(comments(SAMPLE_TEXT)) <= set(text.splitlines())


# --- calibrate --out --------------------------------------------------------------------------


def test_calibrate_writes_the_next_free_version_into_a_folder_and_never_over_a_file(
    v1, tmp_path, capsys
):
    taken = tmp_path / "b2b_model_v2.yaml"
    taken.write_text("# someone's version 2\n", encoding="utf-8")
    argv = ["calibrate", "--model", str(v1), "--leads", str(SAMPLES / "leads.csv")]
    argv += ["--activities", str(SAMPLES / "activities.csv"), "--no-backtest", "--force"]
    assert main([*argv, "--out", str(taken)]) == 2
    err = capsys.readouterr().err
    assert "never overwritten" in err and "b2b_model_v3.yaml" in err and "Traceback" not in err
    assert taken.read_text(encoding="utf-8") == "# someone's version 2\n"
    assert main([*argv, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    saved = wb.load_model(tmp_path / "b2b_model_v3.yaml")
    assert saved.version == 3 and saved.approved_by == ()
    assert f"Saved version 3 to {tmp_path / 'b2b_model_v3.yaml'}" in out
    assert saved.changelog[-1].changes  # what calibration changed, in words
    assert set(comments(SAMPLE_TEXT)) <= set(
        (tmp_path / "b2b_model_v3.yaml").read_text().splitlines()
    )
