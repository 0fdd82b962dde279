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
from slacalc.report import GROUP_COLUMNS, PERIODS, group_column_problem

EPILOG = """\
input: the cases, as for 'slacalc evaluate' (see 'slacalc evaluate --help'); the measures read
the columns closed and satisfaction too.

--period month, quarter or year tallies every measure per month (quarter, year) instead of
its own period; --period with a span restricts the report to the periods overlapping it:
2026-Q3, 2026-09, 2026, 2026-07-15, or FIRST..LAST with any of those (2026-Q1..2026-Q2 is the
first half of 2026). Give --period twice for both: --period month --period 2026-Q3.

--by severity,tier breaks every row down by the cases' severity (the one it was opened with),
tier, zone or exclusion reason (any of them, in the order given).

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
    r.add_argument("--period", metavar="LENGTH|SPAN", action="append",
                   help="month, quarter or year: tally every measure per that period; or a span "
                   "(2026-Q3, 2026-09, 2026, a date, FIRST..LAST): only the periods overlapping "
                   "it; may be given twice, once each")
    r.add_argument("--by", metavar="COLUMNS",
                   help="break the rows down by case columns, comma-separated: "
                   + ", ".join(GROUP_COLUMNS) + " or any extra column of the case file "
                   "(customer, site, ...)")
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


def parse_by(text: str) -> tuple[str, ...]:
    """``--by severity,customer``: the case columns to break the report down by (fields of
    the case or extra columns of the case file).

    >>> parse_by(" severity, customer ")
    ('severity', 'customer')
    """
    names = tuple(n.strip() for n in text.split(","))
    for name in names:
        problem = group_column_problem(name)
        if problem is not None:
            raise sla.SlaValueError(f"--by {echo(text)}: {problem}")
    if len(set(names)) != len(names):
        raise sla.SlaValueError(f"--by {echo(text)} names a column twice")
    return names


def parse_periods(values: list[str] | None) -> tuple[str | None, dt.date | None, dt.date | None]:
    """The ``--period`` options: a period length and/or a span, at most one of each."""
    length = first = last = None
    for value in values or ():
        if value.strip().lower() in PERIODS:
            if length is not None:
                raise sla.SlaValueError(f"--period {echo(value)}: a period length is given "
                                        "twice; give one of month, quarter or year")
            length = value.strip().lower()
        else:
            if first is not None:
                raise sla.SlaValueError(f"--period {echo(value)}: a span is given twice; give "
                                        "one, e.g. 2026-Q1..2026-Q2")
            first, last = parse_period(value)
    return length, first, last


def run(args: argparse.Namespace, out: Out) -> int:
    policy = load_policy(args.policy)
    if not policy.measures:
        raise sla.SlaValueError(
            f"policy {echo(policy.name)} states no measures; add [[measures]] to it, or use "
            "builtin:standard-contract or builtin:repairs"
        )
    now = parse_now(args.now)
    length, first, last = parse_periods(args.period)
    tally = sla.Tally(policy, now, first=first, last=last, by=parse_by(args.by) if args.by is not None else None,
                      period=length)
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
            writer.writerow(result.columns)
            for record in records:
                writer.writerow(["" if record[c] is None else printable(str(record[c]))
                                 for c in result.columns])
        else:
            for record in records:
                out(escape_json(json.dumps(record, ensure_ascii=False)))
    if not result.rows:
        sys.stderr.write(f"{PROG}: note: no measure counted anything in "
                         f"{plural(counted, 'case')}\n")
    rows.summary(counted, "the report counts the {evaluated} read")
    status = Exit.OK if result.ok else Exit.FINDINGS
    return max(status, Exit.SKIPPED if rows.skipped else Exit.OK)
