"""A page that never turns blank: the app, or a readable error in its place.

Voilà hides tracebacks from viewers, so an exception while a notebook builds its app would
leave an empty page. The dashboard and the tuning app both build through
:func:`app_or_error`: a bad file becomes a message that names the file and the fix, and
the server's terminal gets the same text (and the details of anything unexpected).
"""

from __future__ import annotations

import html
import sys
import traceback
from collections.abc import Callable

import ipywidgets as w

from workbench.errors import WorkbenchError

STYLE = """<style>
.wb-error { border: 2px solid #c62828; background: #fff4f4; padding: 12px 16px;
  border-radius: 6px; max-width: 900px; white-space: pre-wrap; }
</style>"""


def error_html(message: str, what: str) -> str:
    """The message as an alert box: ``what`` says what cannot be shown."""
    return (
        f'{STYLE}<div class="wb-error" role="alert"><h3>{html.escape(what)}</h3>'
        f"{html.escape(message)}\n\nFix what is named above and reload this page.</div>"
    )


def app_or_error(build: Callable[[], w.Widget], *, command: str, what: str) -> w.Widget:
    """``build()``, or an alert naming the problem (also printed as ``command: message``)."""
    try:
        return build()
    except WorkbenchError as exc:
        message = str(exc)
    except Exception:  # anything else: the viewer gets a sentence, the terminal the details
        message = "Unexpected error while loading the scores; the server log has the details."
        traceback.print_exc(file=sys.__stderr__)
    print(f"{command}: {message}", file=sys.__stderr__, flush=True)
    return w.HTML(error_html(message, what))
