"""Shared fixtures: a tiny hand-checkable world, and the shipped sample data (see helpers)."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import settings

import workbench as wb
from tests.helpers import SAMPLES, tiny_activities, tiny_leads

# `make test` (and so CI) replays the same examples every run: a red CI must mean a change
# broke something, not that this run drew an unlucky case. Plain `pytest` draws new ones,
# which is how the engine's invariants keep finding edge cases during development.
# No deadline: speed is measured by benchmarks/, and a per-example time limit only turns a
# busy machine into a red build.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)


@pytest.fixture
def tiny_data() -> wb.LeadData:
    return wb.load_data(tiny_leads(), tiny_activities(), now="2026-11-22")


@pytest.fixture(scope="session")
def sample_model() -> wb.Model:
    return wb.load_model(SAMPLES / "b2b_model.yaml")


@pytest.fixture(scope="session")
def sample_data(sample_model) -> wb.LeadData:
    return wb.load_data(
        SAMPLES / "leads.csv", SAMPLES / "activities.csv", model=sample_model, now="2026-11-22"
    )


@pytest.fixture(scope="session")
def sample_signals(sample_model, sample_data) -> wb.Signals:
    return wb.compute_signals(sample_model, sample_data)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "slow: browser, papermill, subprocess and wheel tests; `pytest -m 'not slow'` is the "
        "fast loop, `make test` and CI run everything",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Notebooks run through nbval start a kernel each: slow like the other end-to-end tests."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def v1(tmp_path):
    """A copy of the sample model as version 1 in a folder of its own, to save versions of."""
    path = tmp_path / "b2b_model.yaml"
    shutil.copyfile(SAMPLES / "b2b_model.yaml", path)
    return path


@pytest.fixture
def v1_app(v1, sample_signals):
    """The tuning app opened on ``v1``: what it saves lands next to it."""
    from workbench.ui import TuningApp
    from workbench.ui.inputs import next_version_path

    model = wb.load_model(v1)
    return TuningApp(model, sample_signals, save_path=next_version_path(v1, 2), model_file=v1)
