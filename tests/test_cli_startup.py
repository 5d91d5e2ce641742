"""Every command starts quickly: building the parser loads no view or fitting library.

``workbench score`` once took 3.7 s instead of 1.3 s on the sample because the calibrate
command's module imported altair (2.2 s of import) for every command.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("altair", "sklearn", "ipywidgets", "papermill", "nbconvert", "voila", "jupyterlab")


@pytest.mark.slow
def test_the_command_line_parser_imports_no_heavy_library():
    code = (
        "import sys; from workbench.cli import build_parser; build_parser(); "
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []
