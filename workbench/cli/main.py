"""The ``workbench`` command: the parser of every command family, and its error handling.

User errors (bad files, bad options) print one paragraph and exit 2, with no traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from workbench.cli import calibrate, learn, publish, report, score, serve, signoff
from workbench.errors import WorkbenchError

USER_ERROR = 2
FAMILIES = (score, publish, serve, calibrate, report, learn, signoff)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Lead Scoring Workbench: validate models, make sample data, score leads.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for family in FAMILIES:
        family.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:
        # the reader went away (`workbench compare … | head`): as the Python docs advise,
        # send the rest of the output nowhere and stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass  # stdout without a file descriptor (captured in-process): nothing to redirect
        return 1
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return USER_ERROR
