"""Sign-off: an approval vouches for the rules it saw, and an edit afterwards is visible."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

import workbench as wb
from tests.helpers import SAMPLES, crit, make_model
from workbench.analysis import sales
from workbench.cli import main
from workbench.model.signoff import sign_off, sign_off_lines, stale_sign_off
from workbench.report import build as report
from workbench.store import publish
from workbench.ui.dashboard import header_html

VP = {"kind": "equals", "field": "seniority", "value": "VP"}
CRITERIA = (
    "criteria:\n"
    "  - id: vp\n    label: VP\n    bucket: fit\n    points: 10\n"
    "    rule: {kind: equals, field: seniority, value: VP}\n"
)


def test_the_fingerprint_follows_the_rules_not_the_metadata(sample_model):
    fp = sample_model.scoring_fingerprint()
    assert len(fp) == 12
    assert sample_model.with_metadata(name="Renamed", version=7).scoring_fingerprint() == fp
    assert sample_model.with_points({"pricing_page": 19}).scoring_fingerprint() != fp
    assert sample_model.with_thresholds({"A": 61}).scoring_fingerprint() != fp
    assert sample_model.with_weights({"fit": 90}).scoring_fingerprint() != fp


def test_the_shipped_sample_is_signed_for_its_current_rules(sample_model):
    assert [s for _, s in sample_model.sign_off_status()] == ["current", "current"]
    assert stale_sign_off(sample_model) is None


def test_an_edit_after_sign_off_is_called_out(sample_model):
    edited = sample_model.with_points({"pricing_page": 19})
    assert [s for _, s in edited.sign_off_status()] == ["stale", "stale"]
    assert "Dana Whitfield, Priya Raman signed off" in stale_sign_off(edited)
    assert all(
        line.endswith("before the rules were last edited") for line in sign_off_lines(edited)
    )


def test_an_approval_without_fingerprint_is_shown_but_not_vouched_for():
    model = make_model([crit("vp", VP)], approved_by=[{"name": "Old Hand"}])
    assert model.sign_off_status()[0][1] == "unverified"
    assert stale_sign_off(model) is None and sign_off_lines(model) == ("Old Hand",)


def test_signing_keeps_the_files_comments_and_replaces_a_stale_approval(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text((SAMPLES / "b2b_model.yaml").read_text())
    text = path.read_text().replace("pricing_page: 18", "pricing_page: 19")
    path.write_text(text)
    assert stale_sign_off(wb.load_model(path))
    model = sign_off(path, "Dana Whitfield", role="Head of Sales", date=dt.date(2026, 11, 24))
    assert wb.load_model(path) == model
    names = [(a.name, s) for a, s in model.sign_off_status()]
    assert names == [("Priya Raman", "stale"), ("Dana Whitfield", "current")]
    after = path.read_text()
    comments = [ln for ln in text.splitlines() if ln.lstrip().startswith("#")]
    assert comments and all(c in after.splitlines() for c in comments)
    assert len(after.splitlines()) == len(text.splitlines())  # one approval replaced another


@pytest.mark.parametrize(
    "layout",
    ["", "approved_by: []\n", "approved_by:\n  - name: A. Person\n    role: CMO\n\n"],
)
def test_signing_works_on_any_approved_by_layout(tmp_path, layout):
    path = tmp_path / "m.yaml"
    path.write_text(f"name: T\n{layout}{CRITERIA}")
    model = sign_off(path, "Dana", date=dt.date(2026, 11, 24))
    assert model.approved_by[-1].name == "Dana" and wb.load_model(path) == model
    assert model.sign_off_status()[-1][1] == "current"


def test_cli_sign_off_then_validate_and_the_warning_after_an_edit(tmp_path, capsys):
    path = tmp_path / "m.yaml"
    path.write_text(f"name: T\n{CRITERIA}")
    assert main(["sign-off", str(path), "--name", "Dana", "--role", "Head of Sales"]) == 0
    assert "Sign-off: Dana (Head of Sales," in capsys.readouterr().out
    assert main(["validate", str(path)]) == 0
    assert "warning" not in capsys.readouterr().out
    path.write_text(path.read_text().replace("points: 10", "points: 12"))
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "The rules changed after Dana signed off" in out
    assert main(["sign-off", str(path), "--name", " ", "--date", "2026-11-24"]) == 2
    assert main(["sign-off", str(path), "--name", "Dana", "--date", "24/11/2026"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_the_dashboard_header_and_the_report_carry_the_warning(sample_model, sample_data, tmp_path):
    edited = sample_model.with_points({"pricing_page": 19})
    leads, acts = SAMPLES / "leads.csv", SAMPLES / "activities.csv"
    m = publish(edited, leads, acts, store=tmp_path / "s", unapproved=True)
    assert m.sign_off_warning and "this version is not approved" in m.sign_off_warning
    page = header_html(m)
    assert 'data-sign-off="stale"' in page and "not approved" in page
    assert "before the rules were last edited" not in page and "`" not in page  # said once
    scoring = sales.Scoring.run(edited, sample_data, as_of="2026-10-31")
    table = report.scored_table(edited, scoring, segment=None, baseline_label="-", n_leads=1)
    assert "not approved" in " ".join(map(str, table.to_numpy().ravel()))
    fine = publish(sample_model, leads, acts, store=tmp_path / "s")
    assert fine.sign_off_warning is None and "data-sign-off" not in header_html(fine)


def test_a_file_written_by_save_model_can_be_signed_and_keeps_its_fingerprint(tmp_path):
    from workbench.model.yaml_io import save_model

    sample = wb.load_model(SAMPLES / "b2b_model.yaml")
    path = save_model(sample, tmp_path / "saved.yaml")  # PyYAML puts '- ' at column 0
    assert wb.load_model(path).scoring_fingerprint() == sample.scoring_fingerprint()
    assert [s for _, s in wb.load_model(path).sign_off_status()] == ["current", "current"]
    model = sign_off(path, "Sam Lee", role="RevOps", date=dt.date(2026, 11, 24))
    assert [a.name for a in model.approved_by] == ["Dana Whitfield", "Priya Raman", "Sam Lee"]
    assert wb.load_model(path) == model


def test_comments_under_approved_by_and_crlf_line_endings_survive(tmp_path):
    path = tmp_path / "m.yaml"
    text = (
        f"name: T\napproved_by:\n  # re-approve after the threshold change\n  - name: A\n{CRITERIA}"
    )
    path.write_bytes(text.replace("\n", "\r\n").encode())
    sign_off(path, "Dana", date=dt.date(2026, 11, 24))
    after = path.read_bytes().decode()
    assert "  # re-approve after the threshold change\r\n" in after
    assert "\n" not in after.replace("\r\n", "")  # every line still ends in CRLF
    assert [a.name for a in wb.load_model(path).approved_by] == ["A", "Dana"]


def test_a_description_or_evidence_edit_keeps_the_sign_off(sample_model):
    described = sample_model.model_dump(mode="python")
    described["criteria"][0]["description"] = "Why seniority matters, in sales' words"
    assert wb.Model.parse(described).scoring_fingerprint() == sample_model.scoring_fingerprint()


def test_people_signing_at_the_same_moment_all_end_up_in_the_file(tmp_path):
    """Each sign-off reads, adds and replaces the file: without a lock two at once lose one."""
    path = tmp_path / "model.yaml"
    path.write_text((SAMPLES / "b2b_model.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    names = [f"Signer {i}" for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: sign_off(path, n, role="Sales"), names))
    signed = {a.name for a in wb.load_model(path).approved_by}
    assert set(names) <= signed
