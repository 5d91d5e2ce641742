"""The tuning app's Publish button, driven like a marketer would: it publishes the saved,
signed-off file only, and otherwise says what is missing."""

from __future__ import annotations

import shutil

import pytest

import workbench as wb
from tests.helpers import SAMPLES
from workbench.model.signoff import sign_off
from workbench.store import Store
from workbench.ui import TuningApp
from workbench.ui.inputs import SAVE_DIR, STORE, store_folder
from workbench.ui.tuning_publish import PUBLISHING


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The user's folder, as ``workbench tune`` hands it to the kernel."""
    monkeypatch.setenv(SAVE_DIR, str(tmp_path))
    monkeypatch.delenv(STORE, raising=False)
    return tmp_path


@pytest.fixture
def signed(folder):
    """A copy of the sample model, signed off for its current rules."""
    path = folder / "b2b_model.yaml"
    shutil.copy(SAMPLES / "b2b_model.yaml", path)
    return path


def open_app(path, signals, store=None) -> TuningApp:
    return TuningApp(wb.load_model(path), signals, model_file=path, store=store)


def test_a_signed_off_saved_version_can_be_published(signed, folder, sample_signals):
    app = open_app(signed, sample_signals)
    assert app.publish_problem() is None
    assert not app.publisher.button.disabled
    status = app.publisher.status.value
    assert "Ready" in status and "Dana Whitfield" in status
    assert str(folder / "scoring-store") == app.publisher.store.value  # the user's folder


def test_unsaved_changes_disable_publish(signed, sample_signals):
    app = open_app(signed, sample_signals)
    app.point_controls["pricing_page"][0].value = 30
    assert app.publisher.button.disabled
    assert app.publish_problem().startswith("Unsaved changes: save this version first")
    assert "Unsaved changes" in app.publisher.status.value
    app.undo()  # the sliders equal the signed-off file again
    assert app.publish_problem() is None and not app.publisher.button.disabled


def test_a_saved_version_waits_for_its_sign_off_then_publishes(signed, folder, sample_signals):
    app = open_app(signed, sample_signals)
    app.point_controls["pricing_page"][0].value = 30
    app.save(folder / "b2b_model_v2.yaml", author="Priya")
    assert app.publisher.button.disabled
    assert app.publish_problem() == (
        "v2 is saved as b2b_model_v2.yaml but not signed off: run "
        "`workbench sign-off b2b_model_v2.yaml --name 'Your Name'`, then Check again and Publish."
    )
    assert "<code>workbench sign-off b2b_model_v2.yaml --name &#x27;Your Name&#x27;</code>" in (
        app.publisher.status.value
    )
    assert app.publish() is None  # a click that slips through publishes nothing
    assert not (folder / "scoring-store").exists()

    sign_off(folder / "b2b_model_v2.yaml", "Dana Whitfield")  # in the terminal
    app.publisher.check_button.click()
    assert not app.publisher.button.disabled

    app.author.value = "Priya Raman"
    app.publisher.button.click()
    run = Store(folder / "scoring-store").current()
    assert run is not None and run.version == 2 and not run.unapproved
    assert run.published_by == "Priya Raman"
    model_file = next(f for f in run.files if f.role == "model")
    assert model_file.name == "b2b_model_v2.yaml"  # the file, not the sliders
    counts = app.category_counts()["current"]
    assert run.counts == {str(k): int(v) for k, v in counts.items()}  # what the app showed
    status = app.publisher.status.value
    assert run.run_id in status and str(folder / "scoring-store") in status
    assert f"A {counts['A']:,}" in status
    assert app.publisher.button.disabled  # a second click would publish the same again
    assert "Publish is offered again when" in status


def test_a_sign_off_older_than_the_rules_disables_publish(signed, sample_signals):
    text = signed.read_text(encoding="utf-8")
    edited = text.replace("points: 15", "points: 16", 1)  # a hand edit after the sign-off
    assert edited != text
    signed.write_text(edited, encoding="utf-8")
    app = open_app(signed, sample_signals)
    problem = app.publish_problem()
    assert problem.startswith("v1 (b2b_model.yaml): the sign-off by Dana Whitfield, Priya Raman")
    assert "predates the last edit" in problem
    assert "`workbench sign-off b2b_model.yaml --name 'Your Name'`" in problem
    assert app.publisher.button.disabled


def test_a_file_changed_on_disk_is_not_published_for_the_sliders(signed, sample_signals):
    app = open_app(signed, sample_signals)
    signed.write_text(
        signed.read_text(encoding="utf-8").replace("points: 15", "points: 16", 1),
        encoding="utf-8",
    )
    app.publisher.check_button.click()
    assert app.publish_problem().startswith("b2b_model.yaml has changed on disk")
    assert app.publisher.button.disabled


def test_status_says_publishing_while_it_runs(signed, folder, sample_signals, monkeypatch):
    import workbench.ui.tuning_publish as tp

    app = open_app(signed, sample_signals)
    seen = {}

    def slow_publish(*args, **kwargs):
        seen["disabled"] = app.publisher.button.disabled
        seen["status"] = app.publisher.status.value
        return real(*args, **kwargs)

    real = tp.publish
    monkeypatch.setattr(tp, "publish", slow_publish)
    app.publisher.button.click()
    assert seen["disabled"] is True
    assert seen["status"].startswith(PUBLISHING)
    assert f"{sample_signals.n_leads:,} leads" in seen["status"]
    assert "Published" in app.publisher.status.value


def test_a_bad_store_is_a_message_not_a_traceback(signed, folder, sample_signals):
    (folder / "not-a-folder").write_text("x")
    app = open_app(signed, sample_signals, store=folder / "not-a-folder")
    assert app.publish() is None
    status = app.publisher.status.value
    assert "Not published" in status and "is a file, not a store folder" in status
    assert "Traceback" not in status
    assert not app.publisher.button.disabled  # fix the store folder and try again
    app.publisher.store.value = "store"  # relative: the user's folder
    assert app.publish().version == 1
    assert Store(folder / "store").current().version == 1


def test_a_model_not_from_a_file_must_be_saved_first(sample_model, sample_signals, folder):
    app = TuningApp(sample_model, sample_signals)
    assert app.publish_problem().startswith("This model is not in a file yet")
    assert app.publisher.button.disabled


def test_which_store(tmp_path, monkeypatch):
    mine = tmp_path / "models" / "ours.yaml"
    monkeypatch.delenv(STORE, raising=False)
    monkeypatch.setenv(SAVE_DIR, str(tmp_path / "start"))
    assert store_folder(mine) == tmp_path / "start" / "scoring-store"
    monkeypatch.setenv(STORE, "shared/runs")  # relative to where `workbench tune` started
    assert store_folder(mine) == tmp_path / "start" / "shared" / "runs"
    monkeypatch.setenv(STORE, str(tmp_path / "elsewhere"))
    assert store_folder(mine) == tmp_path / "elsewhere"
    monkeypatch.delenv(STORE)
    monkeypatch.delenv(SAVE_DIR)
    assert store_folder(mine) == tmp_path / "models" / "scoring-store"  # next to the model
    monkeypatch.chdir(tmp_path)
    sample = SAMPLES.resolve() / "b2b_model.yaml"
    assert store_folder(sample) == tmp_path / "scoring-store"  # never into the package
