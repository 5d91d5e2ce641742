"""The architecture the folders promise: lower layers never import upper ones.

Bottom to top: the shared base (errors, text, resources, files) -> model (the spec) -> data ->
engine -> analysis -> learning -> store -> views (ui, report) -> cli. Imports inside
functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "workbench"
LAYERS = {
    "errors": 0, "text": 0, "resources": 0, "files": 0,
    "model": 1, "data": 2, "engine": 3, "analysis": 4, "learning": 5, "store": 6,
    "ui": 7, "report": 7, "cli": 8,
}  # fmt: skip


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "workbench" and len(parts) > 1 else None


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "workbench":  # from workbench import analysis
                found |= {f"workbench.{a.name}" for a in node.names}
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.stem in LAYERS)


def test_every_folder_and_top_module_has_a_layer():
    tops = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()}
    tops -= {"__init__", "__main__", "__pycache__", "py.typed", "notebooks"}
    assert tops <= set(LAYERS), f"give these a layer: {sorted(tops - set(LAYERS))}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_layer_above_its_own(path):
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    upward = sorted(
        module
        for module in _imports(path)
        if (layer := _layer_of(module)) in LAYERS and LAYERS[layer] > LAYERS[own]
    )
    assert not upward, f"{own} (layer {LAYERS[own]}) imports {upward}"
