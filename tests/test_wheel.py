"""The package as a user gets it: a wheel built from the repo, installed into a new venv
outside the checkout, every command run from an unrelated folder.

The venv is built once for the module (wheel build + install from PyPI or pip's cache:
a few minutes); ``pytest -m 'not slow'`` leaves it out while you work.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser import free_port, printed_url, wait_for_port
from tests.helpers import ROOT

pytestmark = pytest.mark.slow

PACKAGE = ROOT / "workbench"
SHIPPED = ("notebooks", "data/samples", "ui/jupyter")  # data files the commands open
# what a checkout holds but a build must not see (the wheel is built from a clean copy,
# never in the repo, where setuptools' build/ folder could add files deleted since)
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "out", "*.egg-info", "__pycache__", ".*_cache",
    ".hypothesis", ".ipynb_checkpoints", "benchmarks", "tests",
)  # fmt: skip


@dataclass(frozen=True)
class Install:
    wheel: Path
    venv: Path
    site: Path  # the installed workbench package
    home: Path  # an unrelated folder the commands run in
    env: dict

    def run(self, *args: str, cwd: Path | None = None, timeout: float = 300):
        return subprocess.run(
            [str(self.venv / "bin" / "workbench"), *args],
            cwd=cwd or self.home, env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip

    def sample(self, name: str) -> str:
        return str(self.site / "data" / "samples" / name)


def _checked(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Install:
    """Build the wheel, install it into a new venv, and pick a folder far from the repo."""
    base = tmp_path_factory.mktemp("wheel")
    src, dist, venv, home = base / "src", base / "dist", base / "venv", base / "elsewhere"
    shutil.copytree(ROOT, src, symlinks=True, ignore=NOT_SOURCE)
    home.mkdir()
    quiet = ["--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", *quiet, "--no-deps", "-w", str(dist), str(src)],
        check=True, timeout=600,
    )  # fmt: skip
    (wheel,) = dist.glob("lead_scoring_workbench-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # --no-compile: bytecode is written on first import instead, for the modules used only
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", *quiet, "--no-compile", str(wheel)],
        check=True, timeout=1200,
    )  # fmt: skip
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WORKBENCH_", "PYTHON", "JUPYTER", "VIRTUAL_ENV"))
    }
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", NO_COLOR="1")
    env["BROWSER"] = "true"  # JupyterLab "opens" its page with /bin/true: no real browser
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import workbench; print(workbench.__file__)"],
        cwd=home, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    return Install(wheel, venv, Path(where).parent, home, env)


def test_the_commands_run_the_installed_package_not_the_checkout(installed):
    assert installed.site.is_relative_to(installed.venv)
    assert not installed.site.is_relative_to(ROOT)


def test_the_wheel_holds_py_typed_and_the_shipped_files(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert "workbench/py.typed" in names
    for folder in SHIPPED:
        for path in (PACKAGE / folder).rglob("*"):
            if path.is_file():
                assert path.relative_to(ROOT).as_posix() in names, path


def test_installed_notebooks_and_samples_are_the_repos_files(installed):
    """One source: the files users get are byte for byte the repo's (and the top-level
    notebooks/ and data/samples/ are links to the same files, not copies)."""
    for folder in SHIPPED:
        repo_files = sorted(p.relative_to(PACKAGE) for p in (PACKAGE / folder).rglob("*.*"))
        assert repo_files, folder
        for rel in repo_files:
            assert (installed.site / rel).read_bytes() == (PACKAGE / rel).read_bytes(), rel
    for name in ("tune_model.ipynb", "sales_dashboard.ipynb", "scoring_report.ipynb"):
        assert (ROOT / "notebooks" / name).resolve() == (PACKAGE / "notebooks" / name).resolve()
    assert (ROOT / "data" / "samples").resolve() == (PACKAGE / "data" / "samples").resolve()
    found = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c",
         "from workbench import resources as r; "
         "print(r.samples_dir(), r.notebook('tune_model.ipynb'), r.jupyter_dir(), sep='\\n')"],
        cwd=installed.home, env=installed.env, capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    assert found[:3] == [
        str(installed.site / "data" / "samples"),
        str(installed.site / "notebooks" / "tune_model.ipynb"),
        str(installed.site / "ui" / "jupyter"),
    ]


def test_sample_validate_score_and_report_from_another_folder(installed):
    home, model = installed.home, installed.sample("b2b_model.yaml")
    made = _checked(installed.run("sample", "--leads", "300", "--seed", "7", "--out", "made"))
    assert "Wrote 300 leads" in made.stdout
    files = ["--leads", "made/leads.csv", "--activities", "made/activities.csv"]
    ok = _checked(installed.run("validate", model, *files))
    assert ok.stdout.startswith("OK") and "The model fits the data (300 leads)" in ok.stdout
    _checked(installed.run("score", "--model", model, *files, "--out", "scores.csv"))
    with open(home / "scores.csv", newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 300 and {r["category"] for r in rows} <= {"A", "B", "C", "Inquiry"}
    report = _checked(installed.run("report", "--model", model, *files, "--out", "r/report.html"))
    html = (home / "r" / "report.html").read_text()
    assert "Wrote r/report.html" in report.stdout
    assert "<title>Scoring report: B2B default v1" in html and "Traceback" not in html


def test_learning_and_sign_off_commands_on_the_sample(installed):
    home = installed.home
    leads, acts = installed.sample("leads.csv"), installed.sample("activities.csv")
    model = installed.sample("b2b_model.yaml")
    outcome = ["--id", "lead_id", "--outcome", "converted"]
    _checked(installed.run("profile", "--leads", leads, *outcome, "--out", "profile.html"))
    assert "converted" in (home / "profile.html").read_text()
    _checked(installed.run("draft", "--leads", leads, *outcome, "--folds", "0", "--out", "d.yaml"))
    _checked(installed.run("validate", "d.yaml"))
    files = ["--leads", leads, "--activities", acts]
    _checked(installed.run("calibrate", "--model", model, *files, "--force", "--out", "next.yaml"))
    assert "version: 2" in (home / "next.yaml").read_text()
    moved = _checked(installed.run("compare", "--model", model, "--model", "next.yaml", *files))
    assert re.search(r"\d+ leads move [ABC] → [ABC]", moved.stdout)
    shutil.copy(model, home / "mine.yaml")  # sign a copy: the installed sample stays as shipped
    signed = _checked(installed.run("sign-off", "mine.yaml", "--name", "Wheel Test"))
    assert "Wheel Test" in signed.stdout and "Wheel Test" in (home / "mine.yaml").read_text()
    assert "Wheel Test" not in Path(model).read_text()


def _lingering(venv: Path) -> list[str]:
    """Command lines of processes still running this venv's Python (servers, kernels)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        if str(venv) in text:
            found.append(text)
    return found


def _serve(installed: Install, args: list[str], cwd: Path | None = None) -> str:
    """Start a server command, open the link it prints (HTTP 200), stop it; what it showed."""
    port = free_port()
    log = (cwd or installed.home) / f"server-{port}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(installed.venv / "bin" / "workbench"), *args, "--port", str(port)],
            cwd=cwd or installed.home, env=installed.env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for_port(port, proc, seconds=240)
            url = printed_url(log)
            assert url.startswith(f"http://127.0.0.1:{port}/")
            with urllib.request.urlopen(url, timeout=240) as page:
                assert page.status == 200
                body = page.read().decode()
        finally:
            proc.terminate()
            proc.wait(60)
    if Path("/proc").is_dir():
        deadline = time.time() + 30  # kernels stop just after their server
        while (left := _lingering(installed.venv)) and time.time() < deadline:
            time.sleep(0.5)
        assert not left, left
    return log.read_text() + body


def test_dashboard_serves_the_sample(installed):
    out = _serve(installed, ["dashboard"])
    assert "Sales dashboard: http://127.0.0.1:" in out and "<title>sales_dashboard" in out


def test_tune_serves_the_tuning_app(installed):
    out = _serve(installed, ["tune"])
    assert "Tuning app: http://127.0.0.1:" in out and "Tune the lead-scoring model" in out


def test_tune_lab_opens_a_working_copy_in_this_folder(installed, tmp_path):
    out = _serve(installed, ["tune", "--lab"], cwd=tmp_path)
    assert "Copied the tuning notebook" in out and "Tuning notebook in JupyterLab" in out
    assert (tmp_path / "tune_model.ipynb").read_bytes() == (
        PACKAGE / "notebooks" / "tune_model.ipynb"
    ).read_bytes()
