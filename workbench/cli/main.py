"""The ``workbench`` command: the parser of every command family, and its error handling.

User errors (bad files, bad options, a path the system refuses) print one paragraph and exit
2, with no traceback. Ctrl-C exits 130 and SIGTERM 143, each after the half-written output is
removed (:mod:`workbench.files`): both arrive as an exception, so clean-up code runs.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from workbench.cli import calibrate, learn, publish, report, score, serve, signoff
from workbench.errors import WorkbenchError
from workbench.files import PATH_ERRNOS, path_error

USER_ERROR = 2
INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's timeout, ``kill``) raised where the program is, like Ctrl-C:
    ``finally`` blocks and the atomic writers' clean-up run before the exit."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While a command runs, SIGTERM raises :class:`Terminated` (main thread only: signal
    handlers can be set nowhere else); the previous handler is put back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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
        with terminate_as_interrupt():
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
    except OSError as exc:
        if exc.errno not in PATH_ERRNOS:
            raise  # not about a path: a bug to see in full
        # where no code nearer knew the path: the error's own file name says it
        print(f"error: {path_error(exc)}", file=sys.stderr)
    except Terminated:
        print("terminated", file=sys.stderr)
        return TERMINATED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    return USER_ERROR
