"""Set-up promises: one source of dependencies and of shipped files, CI running the README's
test command, and the servers (``dashboard``, ``tune``) started the same safe way."""

from __future__ import annotations

import os
import re
import socket
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.browser import free_port
from tests.helpers import ROOT, SAMPLES
from workbench import resources
from workbench.cli import main, serve
from workbench.data.tables import file_sha256
from workbench.store import Store
from workbench.ui.inputs import ENV


def _name_and_spec(requirement: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(
        _name_and_spec(r)
        for r in project["dependencies"] + project["optional-dependencies"]["test"]
    )
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = dict(_name_and_spec(d) for d in env["dependencies"] if isinstance(d, str))
    python = conda.pop("python")
    conda.pop("pip", None)
    assert python == project["requires-python"]
    assert conda == wanted, "environment.yml and pyproject.toml list different dependencies"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    ci = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert ci == ["make test"]


def test_makefile_targets_create_their_own_virtualenv():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test"):
        deps = re.search(rf"^{target}:(.*)$", makefile, re.M).group(1)
        assert "$(STAMP)" in deps, f"make {target} must set up the virtualenv first"
    assert "-m venv" in makefile and "pip install" in makefile


def test_resources_find_every_shipped_file_and_the_checkout_links_to_them():
    """One source: data/samples/ and every file of notebooks/ are links to the package's."""
    for name in resources.NOTEBOOKS:
        assert resources.notebook(name).is_file(), name
        assert (ROOT / "notebooks" / name).resolve() == resources.notebook(name).resolve()
    for name in resources.SAMPLE_FILES:
        assert (resources.samples_dir() / name).is_file(), name
        assert (SAMPLES / name).resolve() == (resources.samples_dir() / name).resolve()
    assert (resources.jupyter_dir() / "voila" / "templates" / "offline" / "conf.json").is_file()
    assert (ROOT / "data" / "samples").is_symlink()
    linked = {p.name: p for p in (ROOT / "notebooks").iterdir()}
    shipped = {p.name for p in resources.notebook(resources.NOTEBOOKS[0]).parent.iterdir()}
    assert set(linked) == shipped, "notebooks/ links every file of workbench/notebooks/"
    assert all(p.is_symlink() for p in linked.values()), "notebooks/ holds links, not copies"


def test_make_share_serves_the_tuning_app_with_workbench_tune():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^share:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "workbench tune" in recipe and "voila" not in recipe


@pytest.fixture
def small_files(tmp_path) -> list[str]:
    from workbench.data.synthetic import write_sample

    paths = write_sample(tmp_path / "data", n_leads=120, seed=3, messy=False)
    return ["--leads", str(paths["leads"]), "--activities", str(paths["activities"])]


@pytest.fixture
def launched(monkeypatch) -> list[tuple[list[str], dict]]:
    """The server commands ``dashboard`` and ``tune`` would start (none is started)."""
    calls: list[tuple[list[str], dict]] = []
    monkeypatch.setattr(serve, "_hand_over", lambda command, env: calls.append((command, env)) or 0)
    for name in (*ENV.values(), "JUPYTER_PATH", "WORKBENCH_STORE", "WORKBENCH_RUN"):
        monkeypatch.delenv(name, raising=False)
    return calls


def test_tune_and_dashboard_serve_with_the_same_safe_voila_defaults(launched, small_files, capsys):
    model = str(SAMPLES / "b2b_model.yaml")
    for command in ("dashboard", "tune"):
        port = str(free_port())
        assert main([command, "--model", model, *small_files, "--port", port]) == 0
    out = capsys.readouterr().out
    assert "Sales dashboard: http://127.0.0.1:" in out and "Tuning app: http://127.0.0.1:" in out
    (dash, _), (tune, _) = launched
    server = str(resources.voila_server())  # Voilà with the cap on pages (ui/voila_server.py)
    assert dash[dash.index(server) + 1] == str(resources.notebook("sales_dashboard.ipynb"))
    assert tune[tune.index(server) + 1] == str(resources.notebook("tune_model.ipynb"))
    for command, env in launched:
        for safe in ("--Voila.ip=127.0.0.1", "--template=offline", "--strip_sources=True",
                     "--show_tracebacks=False", "--Voila.port_retries=0"):  # fmt: skip
            assert safe in command, (safe, command)
        assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(resources.jupyter_dir())
    # the tuning app gets the files; the dashboard a store they were published into
    tune_env = launched[1][1]
    assert tune_env["WORKBENCH_MODEL"] == str(Path(model).resolve())
    assert tune_env["WORKBENCH_LEADS"] == str(Path(small_files[1]).resolve())
    store = Store(launched[0][1]["WORKBENCH_STORE"])
    run = store.current()
    assert run.leads == 120 and [f.sha256 for f in run.files if f.role == "leads"] == [
        file_sha256(Path(small_files[1]))
    ]


def test_tune_lab_copies_the_notebook_once_and_never_overwrites_it(
    launched, small_files, tmp_path, monkeypatch, capsys
):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["tune", "--lab", *small_files, "--port", str(free_port())]) == 0
    copy = work / "tune_model.ipynb"
    assert copy.read_bytes() == resources.notebook("tune_model.ipynb").read_bytes()
    assert f"Copied the tuning notebook to {copy}" in capsys.readouterr().out
    copy.write_text(copy.read_text().replace("Tune the lead-scoring model", "My edits"))
    edited = copy.read_bytes()
    port = str(free_port())
    assert main(["tune", "--lab", *small_files, "--port", port, "--token", "s3cret"]) == 0
    assert copy.read_bytes() == edited, "an existing working copy was overwritten"
    out = capsys.readouterr().out
    assert f"Opening your working copy {copy}" in out
    # Lab is rooted where the working copy and the data named both show in its file browser
    assert "/lab/tree/work/tune_model.ipynb?token=s3cret" in out
    (first, _), (second, env) = launched
    assert first[1:4] == ["-m", "jupyterlab", str(copy)]
    assert f"--ServerApp.root_dir={tmp_path}" in second and "--ServerApp.ip=127.0.0.1" in second
    assert env["JUPYTER_TOKEN"] == "s3cret"  # not on the command line, where `ps` shows it
    assert not any("s3cret" in part for part in second)
    assert ("--allow-root" in second) == (os.geteuid() == 0)
    assert env["WORKBENCH_LEADS"] == str(Path(small_files[1]).resolve())


def test_lab_root_holds_the_working_copy_and_every_file_named(tmp_path):
    start, data = tmp_path / "team" / "work", tmp_path / "team" / "crm"
    model = tmp_path / "team" / "models" / "b2b.yaml"
    assert serve.lab_root(start, [data / "leads.csv", model]) == (tmp_path / "team", [])
    assert serve.lab_root(start, []) == (start, [])  # the shipped sample: the folder tune ran in
    # never the whole file system: a file on another branch is named, Lab stays in its folder
    far = Path("/") / "elsewhere" / "leads.csv"
    if not tmp_path.is_relative_to("/elsewhere"):
        assert serve.lab_root(start, [far]) == (start, [far])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "nope.yaml"], "nope.yaml"),
        (["--activities", "a.csv"], "--activities needs --leads"),
        (["--port", "70000"], "--port must be between 1 and 65535"),
        (["--lab", "--ip", "0.0.0.0"], "--lab runs any code for whoever opens it"),
    ],
)
def test_tune_refuses_bad_options_and_files_before_serving(launched, args, message, capsys):
    assert main(["tune", *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert not launched and "Tuning" not in captured.out


def test_tune_refuses_a_port_in_use(launched, small_files, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["tune", *small_files, "--port", str(port)]) == 2
    assert f"port {port} on 127.0.0.1 is in use" in capsys.readouterr().err
    assert not launched
