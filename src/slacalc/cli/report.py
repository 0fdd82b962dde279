"""``slacalc report``: judge a policy's measures per period over a file of cases."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
from contextlib import ExitStack
from typing import Any

import slacalc as sla
from slacalc.cli._common import PROG, Out, command_parser, load_policy, parse_now, plural
from slacalc.cli._errors import Exit, printable
from slacalc.cli._rows import CaseRows, add_input_options
from slacalc.errors import echo
from slacalc.io import escape_json

EPILOG = """\
input: the cases, as for 'slacalc evaluate' (see 'slacalc evaluate --help'); the measures read
the columns closed and satisfaction too.

--period restricts the report to the periods overlapping a span: 2026-Q3, 2026-09, 2026,
2026-07-15, or FIRST..LAST with any of those (2026-Q1..2026-Q2 is the first half of 2026).

output: one row per measure and period: the value (share on time, average rating, share of the
fee credited), the target, the verdict (met, missed, no data, credit) and how many promises or
ratings were counted.

Rows that cannot be read or evaluated are reported on stderr as CASES:LINE: skipped: reason
(or, with --on-error raise, stop the command); the report counts the other rows.

exit status: 0 every measure with a threshold is met or has no data; 1 a measure is missed;
2 usage error, unreadable file, invalid policy or a policy without measures (or a bad row with
--on-error raise); 3 some rows were skipped (whatever the verdicts); 4 internal error.

example:
  slacalc report cases.csv --policy builtin:standard-contract --period 2026-Q3
"""

REPORT_COLUMNS = ("period", "measure", "kind", "start", "end", "value", "threshold", "verdict",
                  "counted", "met", "breached")


def register(commands: Any) -> None:
    r = command_parser(
        commands, "report",
        help="judge a policy's measures (quotas, satisfaction, credits) over a file of cases",
        description="Evaluate every case of CASES under a policy and judge the policy's "
        "[[measures]] per period: on-time quotas, average satisfaction and service credits. The "
        "file is read row by row, so it may be of any size.",
        epilog=EPILOG,
    )
    add_input_options(r)
    r.add_argument("--policy", required=True, metavar="FILE|builtin:NAME",
                   help="a policy file with [[measures]] (TOML, or JSON ending in .json) or "
                   "builtin:NAME")
    r.add_argument("--now", metavar="T",
                   help="judge open cases at this instant (as for evaluate); default: judge only "
                   "what the cases record")
    r.add_argument("--period", metavar="SPAN",
                   help="only the periods overlapping SPAN: 2026-Q3, 2026-09, 2026, a date, or "
                   "FIRST..LAST")
    r.add_argument("--explain", action="store_true",
                   help="after the table, explain every row: what was counted, how the verdict "
                   "follows")
    r.add_argument("--format", choices=("text", "csv", "jsonl"), default="text",
                   help="text (a table, the default), csv or jsonl (one record per row)")
    r.set_defaults(func=run)


_SPAN = re.compile(r"(?P<year>[0-9]{4})(?:-Q(?P<q>[1-4])|-(?P<month>[0-9]{2})"
                   r"(?:-(?P<day>[0-9]{2}))?)?", re.IGNORECASE | re.ASCII)


def _span_end(text: str, *, last: bool) -> dt.date:
    """The first (or last) day of ``2026``, ``2026-Q3``, ``2026-09`` or ``2026-09-15``."""
    m = _SPAN.fullmatch(text.strip())
    if m is None:
        raise ValueError(text)
    year = int(m["year"])
    if m["q"]:
        lo, hi = 3 * int(m["q"]) - 2, 3 * int(m["q"])
    elif m["month"]:
        lo = hi = int(m["month"])
    else:
        lo, hi = 1, 12
    if m["day"]:
        return dt.date(year, lo, int(m["day"]))
    if not last:
        return dt.date(year, lo, 1)
    after = dt.date(year + 1, 1, 1) if hi == 12 else dt.date(year, hi + 1, 1)
    return after - dt.timedelta(days=1)


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """``--period``: the first and last day of ``2026-Q3``, ``2026-09``, ``2026``, a date, or
    ``FIRST..LAST`` (each side any of those).

    >>> parse_period("2026-Q3")
    (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    >>> parse_period("2026-02..2026-Q2")
    (datetime.date(2026, 2, 1), datetime.date(2026, 6, 30))
    """
    a, sep, b = text.partition("..")
    try:
        first = _span_end(a, last=False)
        last = _span_end(b if sep else a, last=True)
        if not (first.year >= 1900 and last.year <= 2199):
            raise ValueError(text)
    except (ValueError, OverflowError):
        raise sla.SlaValueError(
            f"--period {echo(text)} is not a period; write e.g. 2026-Q3, 2026-09, 2026, "
            "2026-09-15 or 2026-Q1..2026-Q2 (years 1900-2199)"
        ) from None
    if last < first:
        raise sla.SlaValueError(f"--period {echo(text)} ends before it starts")
    return first, last


def run(args: argparse.Namespace, out: Out) -> int:
    policy = load_policy(args.policy)
    if not policy.measures:
        raise sla.SlaValueError(
            f"policy {echo(policy.name)} states no measures; add [[measures]] to it, or use "
            "builtin:standard-contract or builtin:repairs"
        )
    now = parse_now(args.now)
    first, last = parse_period(args.period) if args.period else (None, None)
    tally = sla.Tally(policy, now, first=first, last=last)
    with ExitStack() as stack:
        rows = CaseRows(args, policy, stack)
        counted = rows.evaluate(policy, now, tally.add)
    result = tally.report()
    if args.format == "text":
        out(printable(result.to_text()))
        if args.explain:
            out()
            out(printable(result.explain()))
    else:
        records = [r.to_dict() for r in result]
        if args.format == "csv":
            writer = csv.writer(out.stream, lineterminator="\n")
            writer.writerow(REPORT_COLUMNS)
            for record in records:
                writer.writerow(["" if record[c] is None else record[c] for c in REPORT_COLUMNS])
        else:
            for record in records:
                out(escape_json(json.dumps(record, ensure_ascii=False)))
    if not result.rows:
        sys.stderr.write(f"{PROG}: note: no measure counted anything in "
                         f"{plural(counted, 'case')}\n")
    rows.summary(counted, "the report counts the {evaluated} read")
    status = Exit.OK if result.ok else Exit.FINDINGS
    return max(status, Exit.SKIPPED if rows.skipped else Exit.OK)
