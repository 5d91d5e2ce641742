"""Sign-off: who approved which rules, and whether the file still holds those rules.

An approval records the model's ``scoring_fingerprint``. Anyone may edit the YAML by hand
afterwards; the dashboard, the report and ``validate`` then say the sign-off is out of date
instead of showing names that vouch for rules nobody approved.

Signing edits the file as text (one line added under ``approved_by``) so the comments and
layout people wrote survive; the result is parsed again and must equal the old model plus
the new approval, or nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from workbench.errors import ModelError, Problem
from workbench.files import locked_for_update, write_text_atomic
from workbench.model.spec import Approval, Model
from workbench.model.yaml_io import load_model, parse_model_text

STALE_MARK = " — before the rules were last edited"


def sign_off_lines(model: Model) -> tuple[str, ...]:
    """``("Dana Whitfield (Head of Sales, 2026-11-02)", …)`` with stale ones marked."""
    out = []
    for a, state in model.sign_off_status():
        extra = ", ".join(x for x in (a.role, str(a.date) if a.date else "") if x)
        mark = STALE_MARK if state == "stale" else ""
        out.append(a.name + (f" ({extra})" if extra else "") + mark)
    return tuple(out)


def stale_sign_off(model: Model) -> str | None:
    """A sentence for a header when some approval predates the current rules, else None."""
    stale = [a.name for a, state in model.sign_off_status() if state == "stale"]
    if not stale:
        return None
    return (
        f"The rules changed after {', '.join(stale)} signed off: this version is not approved yet."
    )


def _flow(approval: Approval) -> str:
    parts = [f"name: {json.dumps(approval.name, ensure_ascii=False)}"]
    if approval.role:
        parts.append(f"role: {json.dumps(approval.role, ensure_ascii=False)}")
    if approval.date:
        parts.append(f"date: {approval.date.isoformat()}")
    if approval.fingerprint:
        parts.append(
            f'fingerprint: "{approval.fingerprint}"'
        )  # quoted: digits alone read as a number
    return "{" + ", ".join(parts) + "}"


def _with_approvals(text: str, approvals: list[Approval]) -> str:
    """``text`` with the top-level ``approved_by`` entry replaced by a block list.

    Only that entry's lines change: the key, its items (indented, or ``- `` at the key's
    own column as PyYAML writes them) and their continuation lines. Comments inside the
    entry are kept above the new list; every other line stays as it was, line endings too.
    """
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    block = [f"approved_by:{' []' if not approvals else ''}"]
    block += [f"  - {_flow(a)}" for a in approvals]
    key = next((i for i, ln in enumerate(lines) if re.match(r"approved_by\s*:", ln)), None)
    if key is None:
        return nl.join([*lines, *block]) + nl

    def inside(ln: str) -> bool:  # an item or a continuation line of the entry
        return bool(ln.strip()) and (ln[:1].isspace() or ln.startswith("- ") or ln == "-")

    end, kept_comments = key + 1, []
    while end < len(lines):
        nxt = end
        while nxt < len(lines) and (not lines[nxt].strip() or lines[nxt].lstrip()[:1] == "#"):
            nxt += 1  # blank and comment lines belong to the entry only if it goes on
        if nxt < len(lines) and inside(lines[nxt]):
            kept_comments += [ln for ln in lines[end:nxt] if ln.strip()]
            end = nxt + 1
        else:
            break
    return nl.join([*lines[:key], *kept_comments, *block, *lines[end:]]) + nl


def sign_off(path: str | Path, name: str, role: str = "", date: dt.date | None = None) -> Model:
    """Add an approval with the current fingerprint to the model file; return the model.

    A stale approval by the same person is replaced by the new one.
    """
    path = Path(path)
    if not name.strip():
        raise ModelError([Problem("name", "say who signs off (--name 'Dana Whitfield')")])
    load_model(path)  # a missing or broken file is refused before anything waits on it
    with locked_for_update(path):  # sales and marketing signing at once: both approvals
        return _add_approval(path, name, role, date)


def _add_approval(path: Path, name: str, role: str, date: dt.date | None) -> Model:
    model = load_model(path)
    approval = Approval(
        name=name.strip(),
        role=role.strip(),
        date=date or dt.date.today(),
        fingerprint=model.scoring_fingerprint(),
    )
    kept = [a for a in model.approved_by if a.name.casefold() != approval.name.casefold()]
    with open(path, encoding="utf-8", newline="") as fh:  # keep CRLF line endings
        new_text = _with_approvals(fh.read(), [*kept, approval])
    expected = model.with_metadata(approved_by=[*kept, approval])
    try:
        ok = parse_model_text(new_text, str(path)) == expected
    except ModelError:
        ok = False
    if not ok:
        raise ModelError(
            [
                Problem(
                    "approved_by",
                    "could not add the approval to this file's layout. Add this line under "
                    f"'approved_by:' by hand:  - {_flow(approval)}",
                )
            ],
            str(path),
        )
    write_text_atomic(path, new_text, newline="")  # keep CRLF line endings
    return expected
