"""Set-up promises: one source of dependencies, and CI running the README's test command."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.helpers import ROOT


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
