"""Charts that work with no network, without each kernel paying for the bundler.

``alt.JupyterChart.enable_offline()`` builds vega's JavaScript bundle with vl-convert, which
loads a JavaScript engine into the kernel: about 100 MB per page view. The bundle depends
only on the altair and vl-convert versions, so it is built once, kept in the user's cache
folder, and every later kernel reads the file (about 1 MB).
"""

from __future__ import annotations

import os
from contextlib import suppress
from importlib.metadata import version
from pathlib import Path

import altair as alt

from workbench.errors import PathError
from workbench.files import write_text_atomic


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    name = f"jupyterchart-altair{alt.__version__}-vlc{version('vl-convert-python')}.js"
    return Path(base) / "lead-scoring-workbench" / name


def enable_offline_charts() -> None:
    """Serve JupyterChart's JavaScript from the kernel (no CDN), from the cached bundle."""
    if getattr(alt.JupyterChart, "_is_offline", False):
        return
    path = _cache_file()
    try:
        bundle = path.read_text(encoding="utf-8")
    except OSError:
        bundle = ""
    if bundle:
        alt.JupyterChart._esm = bundle
        alt.JupyterChart._is_offline = True
        return
    alt.JupyterChart.enable_offline()
    # atomically: a kernel reading meanwhile sees no file or the whole bundle; in a
    # read-only home every kernel builds the bundle, as altair does
    with suppress(PathError):
        write_text_atomic(path, alt.JupyterChart._esm)
