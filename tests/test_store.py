"""The store: a published run reads back as scored, a failed or killed publish leaves the
previous run current and complete, concurrent publishes and readers never see half a run."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import workbench as wb
import workbench.store.publishing as publishing
from tests.helpers import AS_OF, SAMPLES
from workbench.cli.main import main
from workbench.errors import UsageError
from workbench.model.signoff import sign_off
from workbench.model.yaml_io import save_model
from workbench.store import Store, publish

LEADS, ACTS = SAMPLES / "leads.csv", SAMPLES / "activities.csv"


def _unsigned(path: Path) -> Path:
    save_model(wb.load_model(SAMPLES / "b2b_model.yaml").with_metadata(approved_by=()), path)
    return path


@pytest.fixture
def signed(tmp_path) -> Path:
    path = _unsigned(tmp_path / "signed.yaml")
    sign_off(path, "Dana Whitfield", role="Head of Sales")
    return path


def _complete(store: Store) -> None:
    """Every listed run has its manifest and a per-lead table of the manifest's length."""
    for m in store.runs():
        assert len(store.read_leads(m.run_id)) == m.leads
        store.read_rejected("leads", m.run_id)
        store.read_rejected("activities", m.run_id)


def test_a_published_run_reads_back_as_score_gives_it(signed, tmp_path):
    m = publish(signed, LEADS, ACTS, as_of=AS_OF, store=tmp_path / "s", by="Ann Lee")
    store = Store(tmp_path / "s")
    assert store.current() == m and [r.run_id for r in store.runs()] == [m.run_id]
    model = wb.load_model(signed)
    data = wb.load_data(LEADS, ACTS, model=model)
    scored = wb.score(model, wb.compute_signals(model, data, as_of=AS_OF))
    got = store.read_leads()
    assert got["lead_id"].tolist() == scored.index.astype(str).tolist()
    np.testing.assert_array_equal(got["score"], scored["score"])
    assert got["category"].astype(str).tolist() == scored["category"].astype(str).tolist()
    assert got["reasons"].tolist() == scored["reasons"].tolist()
    for b in model.bucket_ids:
        np.testing.assert_allclose(got[b], scored[b].astype(float), atol=0.051)
    # the raw total is the score before the clip to the scale
    clipped = got["raw_total"].clip(model.scale.min, model.scale.max)
    np.testing.assert_allclose(got["score"], clipped, atol=1e-9)
    assert (got["raw_total"] != got["score"]).any()  # the sample has leads past the scale
    # rep fields from the leads file, and what the manifest says
    leads = pd.read_csv(LEADS, dtype=str).drop_duplicates("lead_id", keep="first")
    first = got.iloc[0]
    row = leads.set_index("lead_id").loc[first["lead_id"]]
    assert first["name"] == f"{row['first_name']} {row['last_name']}"
    assert first["email"] == row["email"] and first["owner"] == row["owner"]
    assert got["last_activity"].notna().any()
    assert m.counts == scored["category"].value_counts(sort=False).to_dict()
    assert m.leads == len(scored) and m.published_by == "Ann Lee" and not m.unapproved
    assert m.fingerprint == model.scoring_fingerprint() and m.tool_version == wb.__version__
    assert m.signed_off and m.signed_off[0].startswith("Dana Whitfield")
    assert pd.Timestamp(m.as_of).date() == pd.Timestamp(AS_OF).date()
    for f in m.files:
        assert f.sha256 == hashlib.sha256(Path(f.path).read_bytes()).hexdigest()
    by_role = {f.role: f for f in m.files}
    assert by_role["leads"].rows_kept == len(scored)
    assert by_role["activities"].rows_read == len(pd.read_csv(ACTS))


def test_rows_set_aside_are_stored_as_a_steward_fixes_them(signed, tmp_path):
    m = publish(signed, LEADS, ACTS, store=tmp_path / "s")
    data = wb.load_data(LEADS, ACTS, model=wb.load_model(signed))
    store = Store(tmp_path / "s")
    for kind, expected in (
        ("leads", data.report.rejected_leads),
        ("activities", data.report.rejected_activities),
    ):
        got = store.read_rejected(kind)
        assert len(got) == m.set_aside[kind] == len(expected) > 0
        assert got.columns.tolist() == expected.columns.tolist()
        assert got["row"].tolist() == expected["row"].tolist()
        assert got["reason"].tolist() == expected["reason"].astype(str).tolist()
    raw = pd.read_csv(LEADS, dtype=str)
    got = store.read_rejected("leads")
    # the spreadsheet row (header is row 1) is the stored row of the leads file
    in_file = raw["lead_id"].iloc[got["row"].to_numpy() - 2].fillna("").tolist()
    assert got["lead_id"].fillna("").tolist() == in_file
    assert got["email"].fillna("").tolist() == raw["email"].iloc[got["row"] - 2].fillna("").tolist()


def test_an_unsigned_or_stale_model_is_refused_unless_unapproved(tmp_path, capsys):
    unsigned = _unsigned(tmp_path / "m.yaml")
    with pytest.raises(UsageError, match="workbench sign-off"):
        publish(unsigned, LEADS, ACTS, store=tmp_path / "s")
    assert not (tmp_path / "s").exists()  # refused before anything was written
    code = main(
        ["publish", "--model", str(unsigned), "--leads", str(LEADS), "--store", str(tmp_path / "s")]
    )
    assert code == 2 and "not signed off" in capsys.readouterr().err
    sign_off(unsigned, "Dana Whitfield")
    stale = wb.load_model(unsigned).with_points({"pricing_page": 25})
    save_model(stale, tmp_path / "stale.yaml")
    with pytest.raises(UsageError, match="rules changed after Dana Whitfield"):
        publish(tmp_path / "stale.yaml", LEADS, ACTS, store=tmp_path / "s")
    args = ["publish", "--model", str(tmp_path / "stale.yaml"), "--leads", str(LEADS)]
    assert main([*args, "--store", str(tmp_path / "s"), "--unapproved"]) == 0
    assert "UNAPPROVED" in capsys.readouterr().out
    store = Store(tmp_path / "s")
    assert store.current().unapproved and store.current().sign_off_warning
    assert main(["runs", "--store", str(tmp_path / "s")]) == 0
    assert "UNAPPROVED" in capsys.readouterr().out


def test_a_publish_failing_midway_leaves_the_previous_run_current(signed, tmp_path, monkeypatch):
    first = publish(signed, LEADS, ACTS, store=tmp_path / "s")
    written = []

    def failing(frame, path, **options):
        if written:
            raise OSError("disk full")
        written.append(path)
        frame.to_parquet(path)

    monkeypatch.setattr(publishing, "_write", failing)
    with pytest.raises(OSError, match="disk full"):
        publish(signed, LEADS, ACTS, store=tmp_path / "s")
    store = Store(tmp_path / "s")
    assert written and [r.run_id for r in store.runs()] == [first.run_id]
    assert store.current() == first
    _complete(store)


def test_runs_keep_prunes_old_runs_but_never_the_current_one(signed, tmp_path, capsys):
    s = tmp_path / "s"
    ids = [publish(signed, LEADS, store=s).run_id for _ in range(3)]
    (s / "CURRENT").write_text(ids[0])  # an older publish switched last
    assert main(["runs", "--store", str(s), "--keep", "1"]) == 0
    out = capsys.readouterr().out
    assert "Deleted 1 run." in out and ids[1] not in out and ids[2] in out
    assert [r.run_id for r in Store(s).runs()] == [ids[2], ids[0]]
    assert Store(s).current().run_id == ids[0]
    assert not any((s / "tmp").iterdir())
    _complete(Store(s))


def test_a_store_path_that_is_a_file_or_a_foreign_folder_exits_2(signed, tmp_path, capsys):
    file = tmp_path / "file.txt"
    file.write_text("x")
    other = tmp_path / "docs"
    other.mkdir()
    (other / "notes.md").write_text("mine")
    for path, words in ((file, "is a file"), (other, "not a scoring store")):
        for argv in (
            ["runs", "--store", str(path)],
            ["publish", "--model", str(signed), "--leads", str(LEADS), "--store", str(path)],
        ):
            assert main(argv) == 2
            assert words in capsys.readouterr().err
    assert (other / "notes.md").read_text() == "mine" and sorted(os.listdir(other)) == ["notes.md"]
    assert main(["runs", "--store", str(tmp_path / "none")]) == 2
    assert "no store here yet" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["runs", "--store", str(tmp_path / "empty")]) == 0
    assert "No runs" in capsys.readouterr().out


# --- processes ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> dict[str, Path]:
    from workbench.data.synthetic import write_sample

    folder = tmp_path_factory.mktemp("big")
    paths = write_sample(folder, n_leads=60_000, seed=7)
    model = _unsigned(folder / "model.yaml")
    sign_off(model, "Dana Whitfield")
    return {"model": model, **{k: Path(v) for k, v in paths.items()}}


def _publish_cmd(files: dict[str, Path], store: Path) -> list[str]:
    return [
        sys.executable, "-m", "workbench", "publish", "--model", str(files["model"]),
        "--leads", str(files["leads"]), "--activities", str(files["activities"]),
        "--store", str(store),
    ]  # fmt: skip


@pytest.mark.slow
def test_a_publish_killed_while_it_writes_leaves_the_previous_run(big, tmp_path):
    store = Store(tmp_path / "s")
    first = publish(big["model"], SAMPLES / "leads.csv", store=store.path)
    proc = subprocess.Popen(_publish_cmd(big, store.path), stdout=subprocess.DEVNULL)
    staging = store.path / "tmp"
    deadline = time.monotonic() + 120
    while not any(p.is_dir() for p in staging.iterdir()) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the publish ended before it could be killed"
    assert [r.run_id for r in store.runs()] == [first.run_id]
    assert store.current() == first
    _complete(store)


@pytest.mark.slow
def test_a_reader_during_a_publish_sees_the_old_or_the_new_run(big, tmp_path):
    store = Store(tmp_path / "s")
    first = publish(big["model"], SAMPLES / "leads.csv", store=store.path)
    proc = subprocess.Popen(_publish_cmd(big, store.path), stdout=subprocess.DEVNULL)
    seen = set()
    while proc.poll() is None:
        current = store.current()
        assert len(store.read_leads(current.run_id)) == current.leads
        seen.add(current.run_id)
    assert proc.returncode == 0
    last = store.current()
    assert seen <= {first.run_id, last.run_id} and last.run_id != first.run_id
    assert len(store.read_leads()) == last.leads == 60_000


@pytest.mark.slow
def test_two_publishes_at_once_both_complete(tmp_path):
    model = _unsigned(tmp_path / "m.yaml")
    sign_off(model, "Dana Whitfield")
    files = {"model": model, "leads": LEADS, "activities": ACTS}
    store = Store(tmp_path / "s")
    procs = [
        subprocess.Popen(_publish_cmd(files, store.path), stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    ids = sorted(r.run_id for r in store.runs())
    assert len(ids) == 2 and all(any(i in o for o in outs) for i in ids)
    assert store.current_id() in ids
    _complete(store)


def test_unfinished_publishes_left_in_tmp_are_cleaned_up_later(signed, tmp_path, capsys):
    publish(signed, LEADS, ACTS, store=tmp_path / "s")
    store = Store(tmp_path / "s")
    old, fresh = store.path / "tmp" / "20260101T000000.000000Z-dead", store.path / "tmp" / "new"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "leads.parquet").write_bytes(b"half")
    hours_ago = time.time() - 7 * 3600
    os.utime(old, (hours_ago, hours_ago))
    assert main(["runs", "--store", str(store.path)]) == 0
    assert "Removed 1 unfinished publish from tmp/" in capsys.readouterr().out
    assert not old.exists() and fresh.exists()  # a publish may still be writing that one
