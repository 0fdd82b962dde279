"""The ``slacalc`` command line: deadlines, holiday calendars, policies, cases and a demo.

``slacalc deadline`` computes one deadline (and, with ``--explain``, why it falls where it does),
``slacalc calendar`` prints a year of business days as month grids, ``slacalc evaluate`` streams
a file of cases through a policy, ``slacalc report`` judges the policy's aggregate measures per
period, ``slacalc policy check|show`` validates and prints policy files, and ``slacalc demo``
runs the contract scenarios and evaluates the sample cases shipped with the package.
Everything is computed by the library; the command line parses arguments, reads and writes rows
and formats results.

Each command is one module of this package with a ``register(commands)`` function that adds its
parser (with ``set_defaults(func=run)``) to ``commands``, the ``add_subparsers()`` object;
:data:`COMMANDS` lists their names, so adding a command is one module and one line there. Every command returns a status of the one table,
:class:`~slacalc.cli._errors.Exit`, and every error goes through :func:`main`'s one error path.

>>> main(["deadline", "--coverage", "5x8", "--country", "CN",
...       "--start", "2026-09-30T15:01+08:00", "--duration", "4h"])
2026-10-08T11:01:00+08:00
0
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import slacalc as sla
from slacalc.cli._common import (
    PROG,
    Out,
    Parser,
    load_policy,
    parse_duration,
    parse_start,
    warnings_to,
)
from slacalc.cli._contract import STANDARD_CONTRACT
from slacalc.cli._errors import Exit, UsageError, debug_wanted, error, internal_error
from slacalc.cli.evaluate import RESULT_COLUMNS
from slacalc.cli.report import parse_period

__all__ = [
    "COMMANDS", "RESULT_COLUMNS", "STANDARD_CONTRACT", "Exit", "build_parser", "load_policy",
    "main", "parse_duration", "parse_period", "parse_start",
]

#: the modules (in this package) of the commands, in the order ``slacalc --help`` lists them
COMMANDS = (
    "deadline",
    "calendar",
    "evaluate",
    "report",
    "policy",
    "demo",
)


def build_parser() -> Parser:
    """The argument parser of ``slacalc`` with every command of :data:`COMMANDS`."""
    parser = Parser(
        prog=PROG,
        description="Service-level deadlines for IT maintenance contracts: business hours, "
        "statutory holidays and make-up workdays, the 15:00 cutoff rule.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {sla.__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, print the traceback")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"slacalc.cli.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Errors print ``slacalc: error: ...`` on stderr and return the status of the table
    (:class:`~slacalc.cli._errors.Exit`); warnings print ``slacalc: warning: ...`` once each. No
    traceback reaches the user unless ``--debug`` or ``SLACALC_DEBUG`` asks for it.
    """
    return int(_run(list(argv) if argv is not None else sys.argv[1:]))


def _run(args_list: list[str]) -> int:
    debug = debug_wanted(args_list)
    try:
        parser = build_parser()
        with warnings_to(sys.stderr):
            args = parser.parse_args(args_list)
            status = int(args.func(args, Out(sys.stdout)))
        sys.stdout.flush()
    except UsageError as exc:
        error(str(exc))
        return Exit.USAGE
    except sla.SlaError as exc:
        error(str(exc))
        return Exit.USAGE
    except SystemExit as exc:  # --help and --version exit through argparse
        code = exc.code
        return code if isinstance(code, int) else (Exit.OK if code is None else Exit.USAGE)
    except BrokenPipeError:  # `slacalc demo | head`: the reader left; stop quietly
        _silence_stdout()
        return Exit.BROKEN_PIPE
    except KeyboardInterrupt:
        sys.stderr.write(f"\n{PROG}: interrupted\n")
        return Exit.INTERRUPTED
    except Exception as exc:  # the last resort: a bug, reported without a traceback
        return internal_error(exc, debug=debug)
    return status


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (a test's capture)
        pass
