"""The command line's one error path and its one table of exit statuses.

Every command returns an :class:`Exit` status; errors reach the user as one line (or a few)
``slacalc: error: ...`` on stderr, never as a traceback. An error that is slacalc's own fault
(a bug) is reported as an internal error, with the traceback only when ``--debug`` is given or
the environment variable ``SLACALC_DEBUG`` is set to anything but ``0`` or the empty string.
"""

from __future__ import annotations

import enum
import os
import sys
import traceback
from typing import TextIO

PROG = "slacalc"
DEBUG_ENV = "SLACALC_DEBUG"


class Exit(enum.IntEnum):
    """Exit statuses, the same for every command. When several apply, the highest counts."""

    #: the command did what was asked and found nothing to report
    OK = 0
    #: the command ran and its findings are negative: a measure missed (``report``), problems in
    #: a policy file (``policy check``)
    FINDINGS = 1
    #: usage error or bad input: an unknown option, a bad value, a file that cannot be read or
    #: parsed, an invalid policy where one is needed, a bad row with ``--on-error raise``
    USAGE = 2
    #: the command finished but skipped input rows it could not read or evaluate (each reported
    #: on stderr with its line number); the output covers the other rows
    SKIPPED = 3
    #: an internal error: a bug in slacalc (please report it, with ``--debug`` output)
    INTERNAL = 4
    #: interrupted by Ctrl-C
    INTERRUPTED = 130
    #: stdout was closed early (e.g. piped into ``head``); the rest of the output was dropped
    BROKEN_PIPE = 141


class UsageError(Exception):
    """An argparse usage error, reported as ``slacalc: error: ...`` with :attr:`Exit.USAGE`."""


def debug_wanted(argv: list[str] | None) -> bool:
    """Whether tracebacks of internal errors are shown: ``--debug`` or ``SLACALC_DEBUG``."""
    if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
        return True
    return argv is not None and "--debug" in argv


def printable(text: str) -> str:
    """``text`` with the characters that can hide or reorder text on a terminal (controls other
    than newlines and tabs, bidirectional overrides, zero-width marks) written as escapes.

    >>> printable("A\\u202eB\\x00")
    'A\\\\u202eB\\\\x00'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in "\n\t"
                   else c.encode("unicode_escape").decode("ascii") for c in text)


def error(message: str, stream: TextIO | None = None) -> None:
    """Write ``slacalc: error: message`` (escaped, see :func:`printable`)."""
    (stream or sys.stderr).write(f"{PROG}: error: {printable(message)}\n")


def internal_error(exc: BaseException, *, debug: bool, stream: TextIO | None = None) -> Exit:
    """Report an exception that is slacalc's own fault; the traceback only when ``debug``."""
    out = stream or sys.stderr
    if debug:
        out.write("".join(traceback.format_exception(exc)))
    detail = " ".join(str(exc).split())
    if len(detail) > 200:
        detail = f"{detail[:200]}... ({len(detail):,} characters)"
    out.write(f"{PROG}: internal error: {type(exc).__name__}"
              + (f": {printable(detail)}" if detail else "") + "\n")
    if not debug:
        out.write(f"{PROG}: this is a bug in slacalc; rerun with --debug (or {DEBUG_ENV}=1) "
                  "for the traceback and report it\n")
    return Exit.INTERNAL
