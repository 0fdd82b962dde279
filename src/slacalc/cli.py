"""The ``slacalc`` command line: deadlines, holiday calendars and a walk through the contracts.

``slacalc deadline`` computes one deadline (and, with ``--explain``, why it falls where it does),
``slacalc calendar`` prints a year of business days as month grids, ``slacalc evaluate`` streams
a file of cases through a policy, ``slacalc report`` judges the policy's aggregate measures
(on-time quotas, satisfaction, service credits) per period, ``slacalc policy check|show`` validates and prints policy
files, and ``slacalc demo`` runs the contract scenarios slacalc was built for and evaluates the
sample cases shipped with the package. Everything is computed by the library; this module only
parses arguments, reads and writes rows and formats results.

>>> main(["deadline", "--coverage", "5x8", "--country", "CN",
...       "--start", "2026-09-30T15:01+08:00", "--duration", "4h"])
2026-10-08T11:01:00+08:00
0
"""

from __future__ import annotations

import argparse
import codecs
import csv
import datetime as dt
import importlib
import importlib.resources
import json
import os
import pathlib
import random
import re
import sys
import textwrap
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from decimal import Decimal, InvalidOperation
from types import ModuleType
from typing import IO, Any, NoReturn, TextIO

import slacalc as sla

__all__ = [
    "RESULT_COLUMNS", "STANDARD_CONTRACT", "load_policy", "main", "parse_duration", "parse_start",
]

PROG = "slacalc"
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_WEEKDAY_HEADER = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_HOLIDAY_MARK = "*"
_MAKEUP_MARK = "+"
_SHORT = re.compile(
    r"^(?:(?P<d>\d+(?:\.\d+)?)d)?(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m(?:in)?)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)s)?$",
    re.IGNORECASE,
)
_ISO = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"w": 7 * 86_400, "d": 86_400, "h": 3600, "m": 60, "s": 1}


# -- parsing ------------------------------------------------------------------------------------
def parse_duration(text: str) -> dt.timedelta:
    """Read ``4h``, ``30m``, ``2h30m``, ``1d`` (24 hours), ``90s``, ``1.5h`` or ISO ``PT4H``.

    A day is 24 hours of *covered* time, not a calendar day: on a 5x8 calendar ``1d`` is three
    business days. Use ``--target bd:N`` for "N business days".

    >>> parse_duration("2h30m")
    datetime.timedelta(seconds=9000)
    >>> parse_duration("PT4H") == parse_duration("4h") == dt.timedelta(hours=4)
    True
    >>> parse_duration("1d")
    datetime.timedelta(days=1)
    >>> parse_duration("4 hours")
    Traceback (most recent call last):
    ...
    slacalc.errors.DurationError: --duration '4 hours' is not a duration; write e.g. 4h, 30m, 2h30m, 1d, 90s or ISO 8601 PT4H
    """
    compact = text.strip().replace(" ", "") if isinstance(text, str) else ""
    match = _ISO.match(compact) if compact[:1] in ("P", "p") else _SHORT.match(compact)
    parts = {k: v for k, v in match.groupdict().items() if v} if match else {}
    if not parts:
        raise sla.DurationError(
            f"--duration {text!r} is not a duration; write e.g. 4h, 30m, 2h30m, 1d, 90s "
            "or ISO 8601 PT4H"
        )
    try:
        micros = Decimal(0) + sum(Decimal(v) * _UNIT_SECONDS[k] * 1_000_000 for k, v in parts.items())
    except InvalidOperation:  # pragma: no cover - the patterns only admit decimal numbers
        raise sla.DurationError(f"--duration {text!r} is not a duration") from None
    if micros != micros.to_integral_value():
        raise sla.DurationError(f"--duration {text!r} is finer than a microsecond")
    return dt.timedelta(microseconds=int(micros))


def parse_start(text: str, zone: dt.tzinfo | None) -> dt.datetime:
    """Read an ISO 8601 instant; without a UTC offset it is wall time in ``zone``.

    A wall time that occurs twice (a fall-back hour) is read as the first of the two; one that
    does not exist (a spring-forward gap) with the offset in force before the change, so
    02:30 on a New York spring-forward day is 03:30 EDT.

    >>> parse_start("2026-09-30T15:01+08:00", None).isoformat()
    '2026-09-30T15:01:00+08:00'
    >>> parse_start("2026-09-30 15:01", None)
    Traceback (most recent call last):
    ...
    slacalc.errors.NaiveDatetimeError: --start '2026-09-30 15:01' has no UTC offset and no zone was given; write it with an offset (2026-09-30T15:01+08:00) or pass --tz ZONE or --country CODE to read it as local time there
    """
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise sla.SlaValueError(
            f"--start {text!r} is not an ISO 8601 date-time; write e.g. 2026-09-30T15:01+08:00"
        ) from None
    if value.utcoffset() is not None:
        return value
    if zone is None:
        raise sla.NaiveDatetimeError(
            f"--start {text!r} has no UTC offset and no zone was given; write it with an offset "
            "(2026-09-30T15:01+08:00) or pass --tz ZONE or --country CODE to read it as local "
            "time there"
        )
    return value.replace(tzinfo=zone)


def _parse_time_of_day(text: str, option: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise sla.SlaValueError(
            f"{option} {text!r} is not a time of day; write HH:MM, e.g. 15:00"
        ) from None


# -- output helpers -----------------------------------------------------------------------------
def _fmt_td(td: dt.timedelta) -> str:
    """``1h59m``, ``184h00m``, ``0h00m30s``: hours and minutes, seconds only when present."""
    total_us = td // dt.timedelta(microseconds=1)
    sign = "-" if total_us < 0 else ""
    seconds, micro = divmod(abs(total_us), 1_000_000)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    text = f"{sign}{h}h{m:02d}m"
    if s or micro:
        text += f"{s:02d}s" if not micro else f"{s:02d}.{micro:06d}s"
    return text


def _fmt_instant(t: dt.datetime) -> str:
    return f"{t:%Y-%m-%d %a %H:%M}" + (f":{t:%S}" if t.second or t.microsecond else "")


def _fmt_day(day: dt.date) -> str:
    return f"{day:%Y-%m-%d %a}"


class _Out:
    """Collects lines for stdout."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, line: str = "") -> None:
        self.stream.write(line + "\n")


# -- argument parser ----------------------------------------------------------------------------
class _UsageError(Exception):
    """An argparse usage error, reported as ``slacalc: error: ...`` with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise _UsageError(message)


_DEADLINE_EPILOG = """\
durations: 4h, 30m, 2h30m, 90s, 1.5h, 1d (= 24 hours of covered time, not a calendar day)
or ISO 8601 (PT4H, P1DT2H).

targets:
  nbd   next business day: served on the effective day (the business day of --start if it is
        before --cutoff, default 15:00; otherwise the next business day), due at --by (default
        17:00) on the business day after that.
  nd    next calendar day, holidays included, due at --by (default 18:00); with --cutoff, a
        start at or after it counts from the day after.
  bd:N  the N-th business day after the start's date, due at --by (default: the end of that
        day); with --cutoff, counting starts from the effective day.

a coverage with a delivery part implies the target when neither --duration nor --target is
given: 5x8xNBD -> nbd on the 5x8 calendar (cutoff 15:00, by 17:00); 7x8xND -> nd by 18:00 on
a 7x24 calendar; 7x24x4 (a number N) -> N hours of the coverage's own calendar (8x5x48 is 48
business hours).

--start without a UTC offset is read as local wall time in --tz, or in the country's zone
(CN: Asia/Shanghai); with neither, it is an error. Deadlines print in the calendar's zone.

example:
  slacalc deadline --coverage 5x8 --country CN --start 2026-09-30T15:01+08:00 --duration 4h
  slacalc deadline --coverage 5x8xNBD --country CN --start 2026-09-30T15:00 --explain
"""

_FORMATS = ("csv", "jsonl")
_EVALUATE_EPILOG = """\
input, one case a row (see docs/cli.md):
  id, opened, severity     required; opened is ISO 8601 with a UTC offset
  tier, zone, excluded     optional text (excluded: the reason, e.g. force_majeure)
  achieved                 JSON object {name: time}; in CSV, one achieved.<name> column each
  pauses                   JSON array of {"start", "end", "reason"} (end null: still paused)
  severity_changes         JSON array of {"at", "severity"}
  closed                   when the case was closed (ISO 8601 with a UTC offset)
  satisfaction             the customer's rating, a number from 1 to 5
  in CSV, pauses and severity_changes are columns holding that JSON; empty cells mean none.

output, one row per case and metric:
  case_id, metric, status, target, start, deadline, achieved, used_seconds,
  remaining_seconds, share, escalations_fired, escalations_pending, note

Rows that cannot be read are reported on stderr as CASES:LINE: reason and skipped.
exit status: 0 every row was evaluated, 1 some rows were skipped, 2 usage or policy error.

example:
  slacalc evaluate cases.csv --policy contract.toml --now 2026-10-09T12:00+08:00 --out due.csv
"""


_REPORT_EPILOG = """\
input: the cases, as for 'slacalc evaluate' (see 'slacalc evaluate --help'); the measures read
the columns closed and satisfaction too.

--period restricts the report to the periods overlapping a span: 2026-Q3, 2026-09, 2026,
2026-07-15, or FIRST..LAST with any of those (2026-Q1..2026-Q2 is the first half of 2026).

output: one row per measure and period (see docs/cli.md): the value (share on time, average
rating, share of the fee credited), the target, the verdict (met, missed, no data, credit)
and how many promises or ratings were counted.

Rows that cannot be read are reported on stderr as CASES:LINE: reason and skipped.
exit status: 0 every measure with a threshold is met or has no data, 1 a measure is missed,
2 usage or policy error, a policy without measures, or rows skipped (the report is printed but
does not count them).

example:
  slacalc report cases.csv --policy builtin:standard-contract --period 2026-Q3
"""


def _add_report_parser(sub: Any) -> None:
    r = sub.add_parser(
        "report",
        help="judge a policy's measures (quotas, satisfaction, credits) over a file of cases",
        description="Evaluate every case of CASES under a policy and judge the policy's "
        "[[measures]] per period: on-time quotas, average satisfaction and service credits. The "
        "file is read row by row, so it may be of any size.",
        epilog=_REPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("cases", metavar="CASES",
                   help="CASES.csv or CASES.jsonl; '-' reads stdin (give --input-format)")
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
    r.add_argument("--format", choices=("text", *_FORMATS), default="text",
                   help="text (a table, the default), csv or jsonl (one record per row)")
    r.add_argument("--input-format", choices=_FORMATS,
                   help="input format (default: from the extension of CASES)")
    r.set_defaults(func=_cmd_report)


def _build_parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Service-level deadlines for IT maintenance contracts: business hours, "
        "statutory holidays and make-up workdays, the 15:00 cutoff rule.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {sla.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "deadline",
        help="compute one deadline",
        description="Compute the deadline of a promise started at --start.",
        epilog=_DEADLINE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--coverage", required=True,
                   help="coverage spec: 5x8, 7x24, 8*5, 5x8xNBD, 7x8xND, 7x24x4, ...")
    p.add_argument("--country", help="country code for holidays, e.g. CN, US")
    p.add_argument("--subdiv", help="the country's subdivision, e.g. CA")
    p.add_argument("--tz", help="IANA time zone (required unless the country has one zone)")
    p.add_argument("--hours", help='daily windows, e.g. "09:00-12:00,13:30-18:00"')
    p.add_argument("--start", required=True,
                   help="ISO 8601 start; without an offset it is local time in the zone")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--duration", help="covered time to add: 4h, 30m, 2h30m, 1d, PT4H")
    what.add_argument("--target", help="nbd, nd or bd:N (see below)")
    p.add_argument("--cutoff", help="cutoff time of day for nbd/nd/bd:N, e.g. 15:00")
    p.add_argument("--by", help="time of day the target is due, e.g. 17:00")
    p.add_argument("--strict", action="store_true",
                   help="fail instead of warning past the holiday data's last vouched year")
    p.add_argument("--explain", action="store_true",
                   help="show the counted and skipped time, or the days, behind the deadline")
    p.set_defaults(func=_cmd_deadline)

    c = sub.add_parser(
        "calendar",
        help="print a year's month grids with holidays and make-up workdays",
        description="Print month grids (Monday first) marking holidays "
        f"({_HOLIDAY_MARK}) and weekend make-up workdays ({_MAKEUP_MARK}), with their names.",
    )
    c.add_argument("country", help="country code, e.g. CN")
    c.add_argument("year", type=int, help="year, e.g. 2026")
    c.add_argument("--tz", help="IANA time zone (required unless the country has one zone)")
    c.add_argument("--subdiv", help="the country's subdivision, e.g. CA")
    c.add_argument("--month", type=int, choices=range(1, 13), metavar="1-12",
                   help="only this month")
    c.set_defaults(func=_cmd_calendar)

    e = sub.add_parser(
        "evaluate",
        help="evaluate a CSV or JSON Lines file of cases under a policy",
        description="Evaluate every case of CASES under a policy and write one row per case and "
        "metric. The file is read row by row, so it may be of any size.",
        epilog=_EVALUATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    e.add_argument("cases", metavar="CASES",
                   help="CASES.csv or CASES.jsonl; '-' reads stdin (give --input-format)")
    e.add_argument("--policy", required=True, metavar="FILE|builtin:NAME",
                   help="a policy file (TOML, or JSON ending in .json) or builtin:NAME")
    e.add_argument("--now", metavar="T",
                   help="judge open cases at this instant: ISO 8601 with a UTC offset, or 'now' "
                   "for the system clock (default: judge only what the cases record)")
    e.add_argument("--out", metavar="F", help="write the results to F instead of stdout")
    e.add_argument("--format", choices=_FORMATS,
                   help="output format (default: jsonl if --out ends in .jsonl, else csv)")
    e.add_argument("--input-format", choices=_FORMATS,
                   help="input format (default: from the extension of CASES)")
    e.set_defaults(func=_cmd_evaluate)

    _add_report_parser(sub)

    pol = sub.add_parser(
        "policy",
        help="check or print a policy file",
        description="Validate a policy file, or print a policy as TOML.",
    )
    pol_sub = pol.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    pc = pol_sub.add_parser(
        "check", help="validate a policy file and list every problem",
        description="Validate a policy file: print every problem with its key path and exit "
        "with status 1, or print a one-line summary and exit with status 0.",
    )
    pc.add_argument("policy", metavar="FILE|builtin:NAME",
                    help="a policy file (TOML, or JSON ending in .json)")
    pc.set_defaults(func=_cmd_policy_check)
    ps = pol_sub.add_parser(
        "show", help="print a policy as TOML",
        description="Print a policy (a file or a built-in template) as a TOML policy file.",
    )
    ps.add_argument("policy", metavar="FILE|builtin:NAME",
                    help="a policy file (TOML, or JSON ending in .json) or builtin:NAME")
    ps.add_argument("--format", choices=("toml", "json"), default="toml",
                    help="toml (default) or json")
    ps.set_defaults(func=_cmd_policy_show)

    d = sub.add_parser(
        "demo",
        help="walk through the contract scenarios slacalc models",
        description="Compute the contract scenarios from slacalc's design with the library.",
    )
    d.add_argument("--cases", type=int, default=100_000,
                   help="number of random cases in the batch scenario (default 100000)")
    d.set_defaults(func=_cmd_demo)
    return parser


# -- deadline -----------------------------------------------------------------------------------
def _calendar_from_args(
    args: argparse.Namespace, spec: str | sla.Coverage, *, own_hours: bool = True
) -> sla.Calendar:
    return sla.Calendar.from_coverage(
        spec, country=args.country, tz=args.tz, subdiv=args.subdiv,
        hours=args.hours if own_hours else None, strict=args.strict,
    )


def _zone_hint(args: argparse.Namespace) -> dt.tzinfo | None:
    """The zone a naive --start is read in, if the user named one (by --tz or --country)."""
    if args.tz is None and args.country is None:
        return None
    return _calendar_from_args(args, "7x24", own_hours=False).tz


def _build_target(args: argparse.Namespace) -> tuple[sla.Target, str]:
    """The target the arguments describe, and a one-line reading of it."""
    coverage = sla.Coverage.parse(args.coverage)
    cal = _calendar_from_args(args, coverage)
    cutoff = None if args.cutoff is None else _parse_time_of_day(args.cutoff, "--cutoff")
    by = None if args.by is None else _parse_time_of_day(args.by, "--by")
    if args.duration is not None:
        if cutoff is not None or by is not None:
            raise sla.SlaValueError(
                "--cutoff and --by apply to --target nbd, nd or bd:N, not to --duration"
            )
        duration = parse_duration(args.duration)
        return sla.Within(cal, duration), f"within {_fmt_td(duration)} of {coverage} time"
    kind: str
    if args.target is not None:
        kind = args.target.strip().lower()
    elif coverage.delivery is not None:
        kind = str(coverage.delivery).lower()
        if kind.isdigit():
            if cutoff is not None or by is not None:
                raise sla.SlaValueError(
                    f"--cutoff and --by do not apply to coverage {str(coverage)!r}: its delivery "
                    f"is {kind} hours of {coverage.days}x{coverage.hours} time"
                )
            hours = dt.timedelta(hours=int(kind))
            return sla.Within(cal, hours), (
                f"{coverage}: within {kind} hours of {coverage.days}x{coverage.hours} time"
            )
    else:
        raise sla.SlaValueError(
            f"coverage {args.coverage!r} has no delivery part; give --duration (e.g. 4h) or "
            "--target nbd|nd|bd:N, or a coverage like 5x8xNBD"
        )
    if kind == "nbd":
        cutoff = cutoff or dt.time(15)
        by = by or dt.time(17)
        return sla.NextBusinessDay(cal, cutoff=cutoff, by=by), (
            f"next business day: cutoff {cutoff:%H:%M}, due by {by:%H:%M}"
        )
    if kind == "nd":
        cal24 = _calendar_from_args(args, "7x24", own_hours=False)  # calendar days count
        by = by or dt.time(18)
        text = f"next calendar day (holidays included), due by {by:%H:%M}"
        if cutoff is not None:
            text += f", cutoff {cutoff:%H:%M}"
        return sla.NextDay(cal24, by=by, cutoff=cutoff), text
    if kind.startswith("bd:") and kind[3:].isdigit():
        n = int(kind[3:])
        text = f"{n} business days, due by " + (f"{by:%H:%M}" if by else "the end of the day")
        if cutoff is not None:
            text += f", counted from the effective day (cutoff {cutoff:%H:%M})"
        return sla.BusinessDays(cal, n, by=by, cutoff=cutoff), text
    raise sla.SlaValueError(
        f"--target {args.target!r} is not a target; use nbd, nd or bd:N (e.g. bd:10)"
    )


def _cmd_deadline(args: argparse.Namespace, out: _Out) -> int:
    start = parse_start(args.start, _zone_hint(args))
    target, reading = _build_target(args)
    due = target.deadline(start)
    out(due.isoformat())
    if args.explain:
        out()
        _explain(target, start, due, reading, out)
    return 0


def _explain(
    target: sla.Target, start: dt.datetime, due: dt.datetime, reading: str, out: _Out
) -> None:
    cal = target.calendar
    local = start.astimezone(cal.tz)
    out(f"target:   {reading}")
    out(f"calendar: {_describe_calendar(cal)}")
    out(f"start:    {_fmt_instant(local)} ({cal.describe_day(local.date())})")
    if isinstance(target, sla.BusinessDays) and target.by is None:
        last = (due - dt.timedelta(microseconds=1)).date()
        out(f"deadline: end of {_fmt_day(last)} ({cal.describe_day(last)})")
    else:
        out(f"deadline: {_fmt_instant(due)} ({cal.describe_day(due.date())})")
    out()
    if isinstance(target, sla.Within):
        _explain_segments(cal, local, due, out)
    elif isinstance(target, sla.NextBusinessDay):
        _explain_nbd(target, local, due, out)
    elif isinstance(target, sla.NextDay):
        _explain_nd(target, local, due, out)
    elif isinstance(target, sla.BusinessDays):
        _explain_business_days(target, local, due, out)


def _describe_calendar(cal: sla.Calendar) -> str:
    days = "business days" if cal.days == "business" else "every day"
    where = f", {cal.country} holidays" if cal.country else ""
    return f"{cal.tz.key}, {days} {cal.hours}{where}"


def _explain_segments(cal: sla.Calendar, a: dt.datetime, b: dt.datetime, out: _Out) -> None:
    """Counted and skipped pieces of ``[a, b)``, whole days off listed with their reasons."""
    counted = dt.timedelta(0)
    for seg in cal.segments(a, b):
        span = f"{_fmt_instant(seg.start)} -> {_fmt_instant(seg.end)}"
        mark = "counted" if seg.counted else "skipped"
        days_off = _days_off(cal, seg) if not seg.counted else []
        reason = seg.reason if not days_off else "outside coverage, including:"
        out(f"  {mark}  {span:<40s} {_fmt_td(seg.duration):>9s}  {reason}")
        for day, why in days_off:
            out(f"{'':13s}{_fmt_day(day)}  {why}")
        if seg.counted:
            counted += seg.duration
    out(f"  total counted: {_fmt_td(counted)}")


def _days_off(cal: sla.Calendar, seg: sla.Segment) -> list[tuple[dt.date, str]]:
    """Whole local days inside a skipped segment, with describe_day's reason for each."""
    first = seg.start.date() + dt.timedelta(days=1)
    last = seg.end.date()
    found = []
    day = first
    while day < last:
        found.append((day, str(cal.describe_day(day))))
        day += dt.timedelta(days=1)
    return found


def _explain_nbd(
    target: sla.NextBusinessDay, start: dt.datetime, due: dt.datetime, out: _Out
) -> None:
    cal = target.calendar
    day = start.date()
    effective = cal.effective_day(start, target.cutoff)
    info = cal.describe_day(day)
    if effective == day:
        out(f"  {_fmt_day(day)} is a {info}, and {start:%H:%M:%S} is before the "
            f"{target.cutoff:%H:%M} cutoff: served the same day.")
    else:
        why = (f"at or after the {target.cutoff:%H:%M} cutoff" if info.business
               else f"not a business day ({info})")
        out(f"  {start:%H:%M:%S} on {_fmt_day(day)} is {why}: served on the next business day.")
        _list_skipped_days(cal, day, effective, out)
    out(f"  effective day: {_fmt_day(effective)}")
    _list_skipped_days(cal, effective, due.date(), out)
    out(f"  due at {target.by:%H:%M} on the next business day after it: {_fmt_day(due.date())}")


def _explain_nd(target: sla.NextDay, start: dt.datetime, due: dt.datetime, out: _Out) -> None:
    late = target.cutoff is not None and start.time() >= target.cutoff
    base = start.date() + dt.timedelta(days=1 if late else 0)
    if late and target.cutoff is not None:
        out(f"  {start:%H:%M:%S} is at or after the {target.cutoff:%H:%M} cutoff: counts from "
            f"{_fmt_day(base)}.")
    info = target.calendar.describe_day(due.date())
    out(f"  due at {target.by:%H:%M} on the next calendar day, {_fmt_day(due.date())}, "
        f"whatever the day is ({info}).")


def _explain_business_days(
    target: sla.BusinessDays, start: dt.datetime, due: dt.datetime, out: _Out
) -> None:
    cal = target.calendar
    base = start.date()
    if target.cutoff is not None:
        base = cal.effective_day(start, target.cutoff)
        out(f"  effective day under the {target.cutoff:%H:%M} cutoff: {_fmt_day(base)}")
    due_day = due.date() if target.by is not None else (due - dt.timedelta(microseconds=1)).date()
    _list_skipped_days(cal, base, due_day, out)
    out(f"  business day {target.n} after {_fmt_day(base)}: {_fmt_day(due_day)}, due "
        + (f"at {target.by:%H:%M}" if target.by is not None else "by the end of the day"))


def _list_skipped_days(cal: sla.Calendar, after: dt.date, until: dt.date, out: _Out) -> None:
    """The non-business days strictly between two dates, each with describe_day's reason."""
    day = after + dt.timedelta(days=1)
    skipped = []
    while day < until:
        info = cal.describe_day(day)
        if not info.business:
            skipped.append((day, str(info)))
        day += dt.timedelta(days=1)
    if skipped:
        out(f"  skipped {len(skipped)} non-business day{'s' if len(skipped) > 1 else ''}:")
        for d, why in skipped:
            out(f"    {_fmt_day(d)}  {why}")


# -- calendar -----------------------------------------------------------------------------------
def _cmd_calendar(args: argparse.Namespace, out: _Out) -> int:
    cal = sla.Calendar(tz=args.tz, country=args.country, subdiv=args.subdiv)
    months = [args.month] if args.month else list(range(1, 13))
    out(f"{args.country.upper()}{'-' + args.subdiv if args.subdiv else ''} {args.year}: "
        f"business days ({cal.tz.key})")
    out(f"legend: {_HOLIDAY_MARK} holiday (no work)   {_MAKEUP_MARK} make-up workday "
        "(weekend day worked)")
    for month in months:
        out()
        for line in _month_lines(cal, args.year, month):
            out(line)
    return 0


def _month_lines(cal: sla.Calendar, year: int, month: int) -> list[str]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    header = " ".join(f"{w:>3s}" for w in _WEEKDAY_HEADER)
    lines = [f"{_MONTHS[month - 1]} {year}".center(len(header) + 1).rstrip(), header]
    cells = ["    "] * first.weekday()
    notes: list[str] = []
    day = first
    while day < nxt:
        info = cal.describe_day(day)
        weekend = day.weekday() >= 5
        if not info.business and info.kind != "weekend":
            mark = _HOLIDAY_MARK
        elif info.business and (weekend or info.kind in ("makeup", "extra_workday")):
            mark = _MAKEUP_MARK
        else:
            mark = " "
        cells.append(f"{day.day:>3d}{mark}")
        if mark != " ":
            notes.append(f"  {mark} {_fmt_day(day)}  {info}")
        day += dt.timedelta(days=1)
    for i in range(0, len(cells), 7):
        lines.append("".join(cells[i:i + 7]).rstrip())
    lines.extend(notes)
    return lines


# -- policies -----------------------------------------------------------------------------------
_BUILTIN = "builtin:"


def _templates_module() -> ModuleType | None:
    """``slacalc.templates``, or ``None`` if this installation does not have it."""
    try:
        return importlib.import_module("slacalc.templates")
    except ModuleNotFoundError as exc:
        if exc.name != "slacalc.templates":
            raise
        return None


def _load_builtin(name: str) -> sla.Policy:
    templates = _templates_module()
    if templates is None:
        raise sla.SlaValueError(
            f"{_BUILTIN}{name}: this installation has no built-in templates (slacalc.templates "
            "is missing); give a policy file instead (see docs/policy-files.md)"
        )
    names = [str(n) for n in templates.names()]
    if name not in names:
        raise sla.SlaValueError(
            f"{_BUILTIN}{name} is not a built-in template; the templates are "
            + (", ".join(names) or "none")
        )
    policy: sla.Policy = templates.load(name)
    return policy


def load_policy(ref: str) -> sla.Policy:
    """The policy ``ref`` names: ``builtin:NAME``, a ``.json`` file, or else a TOML file.

    A file that cannot be read is a :class:`~slacalc.SlaValueError`; a file that is not a valid
    policy is a :class:`~slacalc.PolicyError` listing every problem.

    >>> load_policy("builtin:")
    Traceback (most recent call last):
    ...
    slacalc.errors.SlaValueError: builtin: needs a template name, e.g. builtin:standard-contract
    """
    if ref.startswith(_BUILTIN):
        name = ref[len(_BUILTIN):].strip()
        if not name:
            raise sla.SlaValueError(
                f"{_BUILTIN} needs a template name, e.g. {_BUILTIN}standard-contract"
            )
        return _load_builtin(name)
    path = pathlib.Path(ref)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise sla.SlaValueError(
            f"cannot read policy file {ref!r}: {exc.strerror or exc}"
        ) from None
    except UnicodeDecodeError:
        raise sla.SlaValueError(f"policy file {ref!r} is not UTF-8 text") from None
    if path.suffix.lower() != ".json":
        return sla.Policy.from_toml_text(text, source=ref)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise sla.PolicyError([f"{ref}: not valid JSON: {exc}"]) from None
    return sla.Policy.from_dict(data)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def _cmd_policy_check(args: argparse.Namespace, out: _Out) -> int:
    ref: str = args.policy
    try:
        policy = load_policy(ref)
    except sla.PolicyError as exc:
        for problem in exc.problems:
            out(problem if problem.startswith(f"{ref}:") else f"{ref}: {problem}")
        out(f"{_plural(len(exc.problems), 'problem')} found")
        return 1
    out(f"ok: {_plural(len(policy.severities), 'severity', 'severities')}, "
        f"{_plural(len(policy.tiers), 'tier')}, {_plural(len(policy.metrics()), 'metric')}")
    return 0


def _cmd_policy_show(args: argparse.Namespace, out: _Out) -> int:
    policy = load_policy(args.policy)
    if args.format == "toml":
        try:
            out.stream.write(policy.to_toml())
        except ImportError:
            sys.stderr.write(f"{PROG}: note: this installation cannot write TOML (slacalc._toml "
                             "is missing); showing the policy as JSON\n")
        else:
            return 0
    out(json.dumps(policy.to_dict(), indent=2, ensure_ascii=False, default=str))
    return 0


# -- evaluate: reading cases --------------------------------------------------------------------
#: The columns of ``slacalc evaluate``'s output, in order.
RESULT_COLUMNS = (
    "case_id", "metric", "status", "target", "start", "deadline", "achieved", "used_seconds",
    "remaining_seconds", "share", "escalations_fired", "escalations_pending", "note",
)
_CASE_KEYS = ("id", "opened", "severity", "tier", "zone", "achieved", "pauses",
              "severity_changes", "excluded", "closed", "satisfaction")
_REQUIRED = ("id", "opened", "severity")
_JSON_COLUMNS = ("achieved", "pauses", "severity_changes")
_ACHIEVED_PREFIX = "achieved."
_CHUNK = 16_384  # cases handed to evaluate_many at once: bounded memory, large enough for the lookup tables
_EXAMPLE_TIME = "2026-10-01T23:10+08:00"


class _BadRow(Exception):
    """A row that cannot be read; the message says why."""


class _Lines:
    """The lines of a binary stream decoded as UTF-8 (a leading BOM dropped), numbered from 1.

    ``number`` is the number of the last line handed out and ``done`` the bytes read so far
    (for the progress bar); ``undecodable`` holds the numbers of lines that were not UTF-8 (they
    are handed out with replacement characters so a CSV record stays in step).
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.number = 0
        self.done = 0
        self.undecodable: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        for raw in self.stream:
            self.number += 1
            self.done += len(raw)
            data = raw[len(codecs.BOM_UTF8):] if (
                self.number == 1 and raw.startswith(codecs.BOM_UTF8)) else raw
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError:
                self.undecodable.add(self.number)
                yield data.decode("utf-8", "replace")

    def bad_text(self, first: int, last: int) -> bool:
        """Whether any line in ``first..last`` was not UTF-8 (and forget them)."""
        if not self.undecodable:
            return False
        found = any(first <= n <= last for n in self.undecodable)
        self.undecodable.clear()
        return found


def _instant(value: Any, where: str) -> dt.datetime:
    if value is None or value == "":
        raise _BadRow(f"missing {where}")
    if not isinstance(value, str):
        raise _BadRow(f"{where} {value!r} is not an ISO 8601 date-time string")
    try:
        t = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise _BadRow(
            f"{where} {value!r} is not an ISO 8601 date-time; write e.g. {_EXAMPLE_TIME}"
        ) from None
    if t.utcoffset() is None:
        raise _BadRow(
            f"{where} {value!r} has no UTC offset; write it with one, e.g. {_EXAMPLE_TIME}"
        )
    return t


def _name(value: Any, where: str, *, required: bool) -> str | None:
    """A non-empty name; JSON integers are read as their digits (severity 1)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _BadRow(f"missing {where}")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise _BadRow(f"{where} {value!r} is not a string")
    return value.strip()


def _records(value: Any, where: str, keys: tuple[str, ...]) -> list[Mapping[str, Any]]:
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise _BadRow(f"{where} {_short(value)} is not a JSON array")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise _BadRow(f"{where}[{i}] {_short(item)} is not a JSON object")
        unknown = [k for k in item if k not in keys]
        if unknown:
            raise _BadRow(f"{where}[{i}] has unknown key {unknown[0]!r}; the keys are "
                          + ", ".join(keys))
    return value


def _rating(value: Any) -> int | float | None:
    """A satisfaction rating: a JSON number, or its text (a CSV cell); empty means none. The
    range (1-5) is checked by :class:`~slacalc.Case`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            raise _BadRow(f"satisfaction {value!r} is not a number from 1 to 5") from None
        return number
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _BadRow(f"satisfaction {_short(value)} is not a number from 1 to 5")
    return value


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 3] + "..."


class _CaseReader:
    """Turns one row, as a mapping of the documented keys, into a :class:`~slacalc.Case`.

    Severities (also those a case changes to) and tiers are checked against the policy here, so
    a row the policy cannot judge is reported with its line number like any unreadable row.
    """

    def __init__(self, policy: sla.Policy, note: Callable[[str], None]) -> None:
        self.severities = [s.id for s in policy.severities]
        self.tiers = [t.id for t in policy.tiers]
        self.note = note
        self.unknown: set[str] = set()

    def severity(self, value: Any, where: str) -> str:
        sev = _name(value, where, required=True)
        assert sev is not None
        if sev not in self.severities:
            raise _BadRow(f"unknown {where} {sev!r}; the policy has "
                          + ", ".join(self.severities))
        return sev

    def warn_unknown(self, keys: Iterable[str], line: int, what: str) -> None:
        for key in keys:
            if key not in self.unknown:
                self.unknown.add(key)
                extra = ", achieved.<name>" if what == "column" else ""
                self.note(f"ignoring unknown {what} {key!r} (first seen on line {line}); the "
                          f"{what}s are {', '.join(_CASE_KEYS)}{extra}")

    def case(self, data: Mapping[str, Any], line: int) -> sla.Case | str:
        """The case, or why the row cannot be read."""
        self.warn_unknown((k for k in data if k not in _CASE_KEYS), line, "key")
        try:
            return self._case(data)
        except _BadRow as exc:
            return str(exc)
        except sla.SlaError as exc:
            return str(exc)

    def _case(self, data: Mapping[str, Any]) -> sla.Case:
        case_id = _name(data.get("id"), "id", required=True)
        opened = _instant(data.get("opened"), "opened")
        severity = self.severity(data.get("severity"), "severity")
        tier = _name(data.get("tier"), "tier", required=False)
        if tier is not None and self.tiers and tier not in self.tiers:
            raise _BadRow(f"unknown tier {tier!r}; the policy has {', '.join(self.tiers)}")
        zone = _name(data.get("zone"), "zone", required=False)
        excluded_raw = data.get("excluded")
        excluded = None if excluded_raw is False else _name(excluded_raw, "excluded",
                                                            required=False)
        raw_achieved = data.get("achieved")
        if raw_achieved is None or raw_achieved == "":
            raw_achieved = {}
        if not isinstance(raw_achieved, dict):
            raise _BadRow(f"achieved {_short(raw_achieved)} is not a JSON object")
        achieved = {str(k): _instant(v, f"achieved.{k}")
                    for k, v in raw_achieved.items() if v is not None and v != ""}
        pauses = [
            sla.Pause(_instant(p.get("start"), f"pauses[{i}].start"),
                      None if p.get("end") in (None, "") else _instant(p["end"], f"pauses[{i}].end"),
                      _name(p.get("reason"), f"pauses[{i}].reason", required=True) or "")
            for i, p in enumerate(_records(data.get("pauses"), "pauses",
                                           ("start", "end", "reason")))
        ]
        changes = [
            sla.SeverityChange(_instant(c.get("at"), f"severity_changes[{i}].at"),
                               self.severity(c.get("severity"), f"severity_changes[{i}].severity"))
            for i, c in enumerate(_records(data.get("severity_changes"), "severity_changes",
                                           ("at", "severity")))
        ]
        raw_closed = data.get("closed")
        closed = None if raw_closed in (None, "") else _instant(raw_closed, "closed")
        assert case_id is not None
        return sla.Case(case_id, opened, severity, tier=tier, zone=zone, achieved=achieved,
                        pauses=pauses, severity_changes=changes, excluded=excluded,
                        closed=closed, satisfaction=_rating(data.get("satisfaction")))


_Row = tuple[int, "sla.Case | str"]


def _jsonl_rows(lines: _Lines, reader: _CaseReader) -> Iterator[_Row]:
    """(line number, case or why not) for each non-blank line of a JSON Lines file."""
    for text in lines:
        n = lines.number
        if lines.bad_text(n, n):
            yield n, "not UTF-8 text"
            continue
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield n, f"bad JSON: {exc.msg} (column {exc.colno})"
            continue
        except RecursionError:
            yield n, "bad JSON: nested too deeply"
            continue
        if not isinstance(data, dict):
            yield n, f"expected a JSON object, not {_short(data)}"
            continue
        yield n, reader.case(data, n)


def _csv_header(cells: list[str], source: str) -> list[str]:
    header = [c.strip() for c in cells]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise sla.SlaValueError(
            f"{source}: the header lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; a cases CSV needs {', '.join(_REQUIRED)} and may have "
            f"{', '.join(c for c in _CASE_KEYS if c not in _REQUIRED)} and achieved.<metric> "
            f"columns (its header is: {','.join(header)})"
        )
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise sla.SlaValueError(f"{source}: the header names {', '.join(twice)} more than once")
    return header


def _csv_rows(lines: _Lines, reader: _CaseReader, source: str) -> Iterator[_Row]:
    """(line number where the record starts, case or why not) for each CSV record."""
    records = csv.reader(lines)
    header: list[str] | None = None
    while True:
        first = lines.number + 1
        try:
            cells = next(records)
        except StopIteration:
            return
        except csv.Error as exc:
            yield first, f"bad CSV: {exc}"
            continue
        if lines.bad_text(first, lines.number):
            yield first, "not UTF-8 text"
            continue
        if not cells:  # a blank line is no record
            continue
        if header is None:
            header = _csv_header(cells, source)
            reader.warn_unknown(
                (c for c in header if c not in _CASE_KEYS and not c.startswith(_ACHIEVED_PREFIX)),
                first, "column")
            continue
        if len(cells) != len(header):
            if len(cells) < len(header):
                missing = ", ".join(header[len(cells):])
                yield first, (f"missing column{'s' if len(header) - len(cells) > 1 else ''} "
                              f"{missing}: {len(cells)} cells, the header has {len(header)}")
            else:
                yield first, f"{len(cells)} cells, the header has {len(header)} columns"
            continue
        try:
            data = _csv_record(header, cells)
        except _BadRow as exc:
            yield first, str(exc)
            continue
        yield first, reader.case(data, first)


def _csv_record(header: list[str], cells: list[str]) -> dict[str, Any]:
    """A CSV record as the mapping a JSON line would give."""
    data: dict[str, Any] = {}
    achieved: dict[str, Any] = {}
    for column, cell in zip(header, cells, strict=True):
        value = cell.strip()
        if column.startswith(_ACHIEVED_PREFIX):
            if value:
                achieved[column[len(_ACHIEVED_PREFIX):]] = value
        elif column in _JSON_COLUMNS:
            if value:
                try:
                    data[column] = json.loads(value)
                except json.JSONDecodeError as exc:
                    raise _BadRow(f"column {column}: bad JSON: {exc.msg} "
                                  f"(character {exc.pos + 1})") from None
        elif column in _CASE_KEYS:
            data[column] = value or None
    if achieved:
        listed = data.get("achieved") or {}
        if not isinstance(listed, dict):
            raise _BadRow(f"achieved {_short(listed)} is not a JSON object")
        both = sorted(set(listed) & set(achieved))
        if both:
            raise _BadRow(f"{both[0]!r} is in both the achieved column and achieved.{both[0]}")
        data["achieved"] = {**listed, **achieved}
    return data


# -- evaluate: writing results ------------------------------------------------------------------
def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _seconds(td: dt.timedelta | None) -> int | float | None:
    """Whole seconds as an int, otherwise a float with microseconds."""
    if td is None:
        return None
    micros = td // dt.timedelta(microseconds=1)
    return micros // 1_000_000 if micros % 1_000_000 == 0 else micros / 1_000_000


def _escalation_text(result: sla.MetricResult, status: str) -> str:
    """``expert@2026-10-02T00:40:00+08:00;vendor@...`` for the steps with this status."""
    return ";".join(f"{e.name}@{e.at.isoformat()}" for e in result.escalations
                    if e.status == status)


def _result_record(case_id: str, r: sla.MetricResult) -> dict[str, Any]:
    return {
        "case_id": case_id, "metric": r.metric, "status": r.status, "target": r.target,
        "start": _iso(r.start), "deadline": _iso(r.deadline), "achieved": _iso(r.achieved),
        "used_seconds": _seconds(r.used), "remaining_seconds": _seconds(r.remaining),
        "share": None if r.share is None else round(r.share, 6),
        "escalations_fired": _escalation_text(r, "fired"),
        "escalations_pending": _escalation_text(r, "pending"),
        "note": r.note,
    }


class _ResultWriter:
    """Writes result records as CSV (with a header) or as JSON Lines."""

    def __init__(self, stream: TextIO, fmt: str) -> None:
        self.stream = stream
        self.rows = 0
        self.csv = csv.writer(stream, lineterminator="\n") if fmt == "csv" else None
        if self.csv is not None:
            self.csv.writerow(RESULT_COLUMNS)

    def write(self, evaluation: sla.Evaluation) -> None:
        for result in evaluation:
            record = _result_record(evaluation.case_id, result)
            if self.csv is not None:
                self.csv.writerow(record.values())
            else:
                self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.rows += 1


class _Progress:
    """A progress bar on stderr, drawn only when stderr is a terminal, at most 10 times a second."""

    def __init__(self, stream: TextIO, total: int | None) -> None:
        self.stream = stream
        self.total = total
        try:
            self.enabled = bool(stream.isatty())
        except (AttributeError, ValueError):
            self.enabled = False
        self.last = 0.0
        self.shown = False

    def update(self, done: int, rows: int, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.1:
            return
        self.last = now
        if self.total:
            share = min(done / self.total, 1.0)
            filled = int(share * 30)
            text = f"[{'#' * filled}{'.' * (30 - filled)}] {share:4.0%}  {rows:,} rows"
        else:
            text = f"{rows:,} rows"
        self.stream.write(f"\r{text}\x1b[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Erase the bar so a message can take the line; the next update redraws it."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.shown = False


class _Report:
    """Row errors and notes on stderr, each on its own line, clear of the progress bar."""

    def __init__(self, stream: TextIO, source: str, progress: _Progress) -> None:
        self.stream = stream
        self.source = source
        self.progress = progress
        self.skipped = 0

    def note(self, text: str) -> None:
        self.progress.clear()
        self.stream.write(f"{PROG}: note: {text}\n")

    def skip(self, line: int, reason: str) -> None:
        self.progress.clear()
        self.skipped += 1
        reason = " ".join(reason.split())  # one line per row, whatever the message
        self.stream.write(f"{self.source}:{line}: skipped: {reason}\n")


# -- evaluate: the command ----------------------------------------------------------------------
def _parse_now(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    if text.strip().lower() == "now":
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise sla.SlaValueError(
            f"--now {text!r} is not an ISO 8601 date-time; write e.g. 2026-10-09T12:00+08:00"
        ) from None
    if value.utcoffset() is None:
        raise sla.NaiveDatetimeError(
            f"--now {text!r} has no UTC offset; write it with one, e.g. 2026-10-09T12:00+08:00"
        )
    return value


def _input_format(path: str, given: str | None) -> str:
    if given is not None:
        return given
    suffix = pathlib.Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise sla.SlaValueError(
        f"cannot tell the format of {path!r} from its name; name it .csv or .jsonl, or pass "
        "--input-format csv|jsonl"
    )


def _output_format(out: str | None, given: str | None) -> str:
    if given is not None:
        return given
    if out is not None and pathlib.Path(out).suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl"
    return "csv"


def _open_cases(path: str, stack: ExitStack) -> tuple[IO[bytes], int | None]:
    """The cases file (or stdin for ``-``) as bytes, and its size when known."""
    if path == "-":
        return sys.stdin.buffer, None
    try:
        stream: IO[bytes] = stack.enter_context(open(path, "rb"))  # noqa: SIM115 - the ExitStack closes it
        size = os.fstat(stream.fileno()).st_size
    except OSError as exc:
        raise sla.SlaValueError(f"cannot read cases file {path!r}: {exc.strerror or exc}") from None
    return stream, size or None


def _evaluate_rows(policy: sla.Policy, rows: Iterable[_Row], now: dt.datetime | None,
                  emit: Callable[[sla.Case, sla.Evaluation], None],
                  skip: Callable[[int, str], None],
                  tick: Callable[[int], None] | None = None) -> int:
    """Evaluate the cases of ``rows`` in chunks, passing each case and its evaluation to ``emit``
    in order and each unreadable row to ``skip``; return the number of cases evaluated."""
    done = 0
    chunk: list[tuple[int, sla.Case]] = []

    def flush() -> None:
        nonlocal done
        try:
            evaluations: list[sla.Evaluation | None] = list(
                sla.evaluate_many(policy, [case for _, case in chunk], now=now))
        except sla.SlaError:  # find the case that cannot be judged, judge the others
            evaluations = []
            for line, case in chunk:
                try:
                    evaluations.append(sla.evaluate(policy, case, now=now))
                except sla.SlaError as exc:
                    skip(line, str(exc))
                    evaluations.append(None)
        for (_, case), evaluation in zip(chunk, evaluations, strict=True):
            if evaluation is not None:
                emit(case, evaluation)
                done += 1
        chunk.clear()

    for count, (line, item) in enumerate(rows, 1):
        if isinstance(item, str):
            skip(line, item)
        else:
            chunk.append((line, item))
            if len(chunk) >= _CHUNK:
                flush()
        if tick is not None:
            tick(count)
    if chunk:
        flush()
    return done


def _case_rows(path: str, in_format: str, policy: sla.Policy, stack: ExitStack
               ) -> tuple[Iterator[Any], _Lines, _Progress, _Report]:
    """The case rows of ``path`` (``-``: stdin), read lazily, with the progress bar and the
    reporter of unreadable rows that go with them."""
    source = "<stdin>" if path == "-" else path
    stream, size = _open_cases(path, stack)
    progress = _Progress(sys.stderr, size)
    report = _Report(sys.stderr, source, progress)
    lines = _Lines(stream)
    reader = _CaseReader(policy, report.note)
    rows = _csv_rows(lines, reader, source) if in_format == "csv" else _jsonl_rows(lines, reader)
    return rows, lines, progress, report


def _cmd_evaluate(args: argparse.Namespace, out: _Out) -> int:
    policy = load_policy(args.policy)
    now = _parse_now(args.now)
    in_format = _input_format(args.cases, args.input_format)
    out_format = _output_format(args.out, args.format)
    if args.out is not None and args.cases != "-" and _same_file(args.out, args.cases):
        raise sla.SlaValueError(f"--out {args.out!r} is the cases file; write somewhere else")
    with ExitStack() as stack:
        rows, lines, progress, report = _case_rows(args.cases, in_format, policy, stack)
        first = next(rows, None)  # a bad CSV header fails here, before any output is opened
        if args.out is None:
            sink = out.stream
        else:
            try:
                sink = stack.enter_context(open(args.out, "w", encoding="utf-8", newline=""))
            except OSError as exc:
                raise sla.SlaValueError(
                    f"cannot write --out {args.out!r}: {exc.strerror or exc}") from None
        writer = _ResultWriter(sink, out_format)
        everything: Iterable[_Row] = rows if first is None else _chain(first, rows)
        evaluated = _evaluate_rows(
            policy, everything, now, lambda _case, evaluation: writer.write(evaluation),
            report.skip,
            tick=(lambda n: progress.update(lines.done, n)) if progress.enabled else None,
        )
        progress.update(lines.done, evaluated + report.skipped, force=True)
        progress.clear()
    if report.skipped:
        total = evaluated + report.skipped
        sys.stderr.write(f"{PROG}: {report.skipped:,} of {_plural(total, 'row')} skipped; "
                         f"{evaluated:,} evaluated\n")
        return 1
    return 0


# -- report -------------------------------------------------------------------------------------
_SPAN = re.compile(r"(?P<year>\d{4})(?:-Q(?P<q>[1-4])|-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?",
                   re.IGNORECASE)


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
    except ValueError:
        raise sla.SlaValueError(
            f"--period {text!r} is not a period; write e.g. 2026-Q3, 2026-09, 2026, 2026-09-15 "
            "or 2026-Q1..2026-Q2"
        ) from None
    if last < first:
        raise sla.SlaValueError(f"--period {text!r} ends before it starts")
    return first, last


def _cmd_report(args: argparse.Namespace, out: _Out) -> int:
    policy = load_policy(args.policy)
    if not policy.measures:
        raise sla.SlaValueError(
            f"policy {policy.name!r} states no measures; add [[measures]] to it (see "
            "docs/policy-files.md, 'Measures'), or use builtin:standard-contract or "
            "builtin:repairs"
        )
    now = _parse_now(args.now)
    first, last = parse_period(args.period) if args.period else (None, None)
    in_format = _input_format(args.cases, args.input_format)
    tally = sla.Tally(policy, now, first=first, last=last)
    with ExitStack() as stack:
        rows, lines, progress, problems = _case_rows(args.cases, in_format, policy, stack)
        counted = _evaluate_rows(
            policy, rows, now, tally.add, problems.skip,
            tick=(lambda n: progress.update(lines.done, n)) if progress.enabled else None,
        )
        progress.update(lines.done, counted + problems.skipped, force=True)
        progress.clear()
    result = tally.report()
    if args.format == "text":
        out(result.to_text())
        if args.explain:
            out()
            out(result.explain())
    else:
        records = [r.to_dict() for r in result]
        if args.format == "csv":
            writer = csv.writer(out.stream, lineterminator="\n")
            writer.writerow(_REPORT_COLUMNS)
            for record in records:
                writer.writerow(["" if record[c] is None else record[c] for c in _REPORT_COLUMNS])
        else:
            for record in records:
                out(json.dumps(record, ensure_ascii=False))
    if not result.rows:
        sys.stderr.write(f"{PROG}: note: no measure counted anything in "
                         f"{_plural(counted, 'case')}\n")
    if problems.skipped:
        total = counted + problems.skipped
        sys.stderr.write(f"{PROG}: {problems.skipped:,} of {_plural(total, 'row')} skipped; the "
                         f"report counts the {counted:,} read\n")
        return 2
    return 0 if result.ok else 1


_REPORT_COLUMNS = ("period", "measure", "kind", "start", "end", "value", "threshold", "verdict",
                   "counted", "met", "breached")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def _chain(first: _Row, rest: Iterator[_Row]) -> Iterator[_Row]:
    yield first
    yield from rest


# -- the sample contract ------------------------------------------------------------------------
_ONSITE_TIERS = ["gold", "platinum", "diamond"]


def _onsite_rules(calendar: str, hours: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """On-site targets by site zone for the tiers with an on-site engineer; elsewhere negotiated."""
    rules: list[dict[str, Any]] = [
        {"metric": "onsite", "calendar": calendar, "within": within,
         "when": {"zone": [zone], "tier": _ONSITE_TIERS}}
        for zone, within in hours
    ]
    rules.append({"metric": "onsite", "none": True, "when": {"zone": ["elsewhere"]}})
    return rules


_EMERGENCY_ZONES = (("city", "1h"), ("near_county", "2h"), ("far_county", "3h"))
_NORMAL_ZONES = (("city", "3h"), ("near_county", "5h"), ("far_county", "7h"))
_RESPONSE_BY_HOURS = [
    {"metric": "response", "calendar": "business", "within": "30m",
     "when": {"hours": "in", "hours_calendar": "business"}},
    {"metric": "response", "calendar": "always", "within": "1h",
     "when": {"hours": "out", "hours_calendar": "business"}},
]

#: The contract ``slacalc demo`` evaluates its sample cases with when ``slacalc.templates`` has
#: no ``standard-contract``: DESIGN's four tiers and A-D ladder, on-site times by zone, parts by
#: tier from the diagnosis, and a three-step ladder for restoring service.
STANDARD_CONTRACT: dict[str, Any] = {
    "name": "standard-contract",
    "description": "A maintenance contract with Standard/Gold/Platinum/Diamond tiers, severities "
                   "A-D, on-site times by site zone and spare parts by tier (demo copy).",
    "calendars": {
        "business": {"coverage": "5x8", "country": "CN"},
        "extended": {"coverage": "5x24", "country": "CN"},
        "always": {"coverage": "7x24", "country": "CN"},
    },
    "clock": {
        "pause_reasons": ["customer_info", "vendor_defect", "force_majeure"],
        "exclude_reasons": ["force_majeure"],
        "severity_change": "shorter",
    },
    "tiers": [
        {"id": "standard", "name": "Standard", "remote": "7x24", "parts": "5x8xNBD",
         "onsite": False, "terms": [1, 3, 5]},
        {"id": "gold", "name": "Gold", "remote": "7x24", "parts": "5x8xNBD", "onsite": True,
         "terms": [1, 3, 5]},
        {"id": "platinum", "name": "Platinum", "remote": "7x24", "parts": "7x8xND",
         "onsite": True, "inspections_per_year": 1, "terms": [1, 3, 5]},
        {"id": "diamond", "name": "Diamond", "remote": "7x24", "parts": "7x24x4",
         "onsite": True, "inspections_per_year": 4, "terms": [1, 3, 5]},
    ],
    "severities": [
        {"id": "A", "name": "Critical", "description": "Whole network or core service down",
         "targets": [
             {"metric": "response", "calendar": "always", "within": "15m"},
             *_onsite_rules("always", _EMERGENCY_ZONES),
             {"metric": "restore", "calendar": "always", "within": "2h"},
         ]},
        {"id": "B", "name": "Major", "description": "Service degraded for many users",
         "targets": [
             {"metric": "response", "calendar": "always", "within": "30m"},
             *_onsite_rules("always", _EMERGENCY_ZONES),
             {"metric": "restore", "calendar": "always", "within": "4h"},
         ]},
        {"id": "C", "name": "Minor", "description": "A redundant part or a single user affected",
         "targets": [
             *_RESPONSE_BY_HOURS,
             {"metric": "reply", "calendar": "extended", "within": "6h"},
             *_onsite_rules("business", _NORMAL_ZONES),
         ]},
        {"id": "D", "name": "Consultation", "description": "Questions and change requests",
         "targets": [
             *_RESPONSE_BY_HOURS,
             {"metric": "reply", "calendar": "business", "within": "24h"},
         ]},
    ],
    "targets": [
        {"metric": "parts_arrive", "calendar": "business", "start": "diagnosed",
         "next_business_day": {"cutoff": "15:00", "by": "17:00"},
         "when": {"tier": ["standard", "gold"]}},
        {"metric": "parts_arrive", "calendar": "always", "start": "diagnosed",
         "next_day": {"by": "18:00"}, "when": {"tier": ["platinum"]}},
        {"metric": "parts_arrive", "calendar": "always", "start": "diagnosed", "within": "4h",
         "when": {"tier": ["diamond"]}},
    ],
    "escalations": [
        {"metric": "restore", "steps": [
            {"name": "expert", "at": 0.5, "notify": "second-line expert"},
            {"name": "vendor", "at": 0.75, "notify": "vendor TAC"},
            {"name": "manager", "offset": "+1h", "notify": "service manager"},
        ]},
    ],
}


# -- demo ---------------------------------------------------------------------------------------
class _Demo:
    """The contract scenarios; each method prints the rows of one, computed by the library."""

    def __init__(self, out: _Out, cases: int) -> None:
        self.out = out
        self.cases = cases
        self.cal = sla.Calendar.from_coverage("5x8", country="CN")
        self.cal24 = sla.Calendar.from_coverage("7x24", country="CN")
        self.tz = self.cal.tz

    def at(self, y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> dt.datetime:
        return dt.datetime(y, mo, d, h, mi, s, tzinfo=self.tz)

    def row(self, label: str, value: str) -> None:
        self.out(f"   {label:<38s} {value}")

    def scenarios(self) -> list[tuple[str, str, Callable[[], None]]]:
        return [
            ("Spare parts 5x8xNBD: the 15:00 cutoff before National Day 2026",
             "A fault diagnosed before 15:00 on a business day ships that day; at or after "
             "15:00 it ships the next business day. The part arrives by 17:00 on the business "
             "day after shipping.", self.nbd_cutoff),
            ("A make-up Saturday (调休): 2026-10-10 is a working day",
             "Business days exclude statutory holidays and include weekend make-up workdays.",
             self.makeup_saturday),
            ("Spare parts 7x8xND on a holiday",
             "ND: the part arrives by 18:00 on the next calendar day, holidays included.",
             self.nd_holiday),
            ("Spare parts 7x24x4 overnight",
             "Diamond tier: the part is on site within 4 hours, any hour of any day.",
             self.four_hours),
            ("5x8: 4 business hours across National Day",
             "Severity D: reply within 4 hours of 5x8 business time.", self.across_holiday),
            ("Monthly report due on the 5th, postponed past holidays (节假日顺延)",
             "The monthly service report is due on the 5th; when that is not a working day, "
             "on the next working day.", self.monthly_report),
            ("A faulty part returned within 10 working days, over the Spring Festival",
             "The customer returns the replaced part within 10 working days.",
             self.part_return),
            ("Repair within 60 working days",
             "Returned units are repaired within 60 working days, at least 95% of them on time.",
             self.repair),
            (f"A batch of {self.cases:,} random cases through add_many",
             "Every case of three years gets its 5x8 +4h deadline, in one call.", self.batch),
        ]

    def run(self) -> None:
        self.out("slacalc demo: contract scenarios computed by the library")
        self.out(f"calendar: {_describe_calendar(self.cal)}; holiday data vouched through "
                 f"{self.cal.verified_through}")
        for number, (title, clause, body) in enumerate(self.scenarios(), 1):
            self.out()
            self.out(f"{number}. {title}")
            for line in textwrap.wrap(f'clause: "{clause}"', width=92):
                self.out(f"   {line}")
            body()
        self.sample_cases(len(self.scenarios()) + 1)

    def sample_cases(self, number: int) -> None:
        """The shipped sample cases under the standard contract: counts per metric and status."""
        policy, which, cases = _demo_policy()
        now = self.at(2026, 10, 10, 10)
        evaluations = sla.evaluate_many(policy, cases, now=now)
        self.out()
        self.out(f"{number}. Sample cases: {len(cases)} tickets of 2026, around the Spring Festival "
                 "and National Day")
        self.row("policy", which)
        self.row("cases", f"{_SAMPLE_FILE} (the format slacalc evaluate reads)")
        self.row("judged at", f"{_fmt_instant(now)} ({self.cal.describe_day(now.date())})")
        self.out()
        labels = {"not_applicable": "n/a"}
        header = "".join(f"{labels.get(s, s):>10s}" for s in _DEMO_STATUSES)
        self.out(f"   {'metric':<18s}{header}")
        counts: dict[str, dict[str, int]] = {m: dict.fromkeys(_DEMO_STATUSES, 0)
                                             for m in policy.metrics()}
        breaches: list[str] = []
        for evaluation in evaluations:
            for result in evaluation:
                counts[result.metric][result.status] += 1
                if result.status == "breached":
                    breaches.append(f"{evaluation.case_id} {result.metric}")
        for metric, row in counts.items():
            self.out(f"   {metric:<18s}" + "".join(f"{row[s]:>10d}" for s in _DEMO_STATUSES))
        self.out()
        for line in textwrap.wrap("breached: " + (", ".join(breaches) or "none"), width=92,
                                  subsequent_indent="  "):
            self.out(f"   {line}")
        chosen = next((e for e in evaluations if e.case_id == _SAMPLE_CASE), None)
        if chosen is None or not len(chosen):  # pragma: no cover - the shipped file has it
            return
        result = (chosen[_SAMPLE_METRIC] if _SAMPLE_METRIC in chosen
                  and chosen[_SAMPLE_METRIC].status != "not_applicable"
                  else max(chosen, key=lambda r: len(r.segments())))
        case = next(c for c in cases if c.id == _SAMPLE_CASE)
        self.out()
        self.out(f"   Case {case.id}: severity {case.severity}, {case.tier} tier, {case.zone} site, "
                 f"opened {_fmt_instant(case.opened)}.")
        self.out(f"   Why its {result.metric} is due when it is:")
        for line in result.explain().splitlines():
            self.out(f"     {line}")
        if policy.measures:
            self.out()
            self.out("   The contract's quality measures per quarter (slacalc report):")
            for line in sla.report(policy, cases, now).to_text().splitlines():
                self.out(f"     {line}")


    def nbd_cutoff(self) -> None:
        nbd = sla.NextBusinessDay(self.cal, cutoff=dt.time(15), by=dt.time(17))
        for t in (self.at(2026, 9, 30, 14, 59, 59), self.at(2026, 9, 30, 15, 0, 0)):
            ship = self.cal.effective_day(t, nbd.cutoff)
            self.row(f"diagnosed {t:%Y-%m-%d %a %H:%M:%S}",
                     f"ships {_fmt_day(ship)}, due {_fmt_instant(nbd.deadline(t))}")
        self.out("   2026-10-01..07 is the National Day break: one second moves the part a day.")

    def makeup_saturday(self) -> None:
        nbd = sla.NextBusinessDay(self.cal)
        sat = dt.date(2026, 10, 10)
        self.row(f"{_fmt_day(sat)} is a", str(self.cal.describe_day(sat)))
        t = self.at(2026, 10, 9, 15)
        self.row(f"5x8 +4h from {_fmt_instant(t)}",
                 f"due {_fmt_instant(self.cal.add(t, dt.timedelta(hours=4)))}")
        for t in (self.at(2026, 10, 9, 10), self.at(2026, 10, 9, 16)):
            self.row(f"NBD diagnosed {_fmt_instant(t)}", f"due {_fmt_instant(nbd.deadline(t))}")

    def nd_holiday(self) -> None:
        nd = sla.NextDay(self.cal24, by=dt.time(18))
        t = self.at(2026, 10, 1, 20)
        self.row(f"requested {_fmt_instant(t)}", f"due {_fmt_instant(nd.deadline(t))}")
        self.row("2026-10-02 is a", f"{self.cal.describe_day(dt.date(2026, 10, 2))}: it counts")

    def four_hours(self) -> None:
        t = self.at(2026, 10, 1, 23)
        due = sla.Within(self.cal24, dt.timedelta(hours=4)).deadline(t)
        self.row(f"requested {_fmt_instant(t)}", f"due {_fmt_instant(due)}")

    def across_holiday(self) -> None:
        t = self.at(2026, 9, 30, 15, 1)
        due = self.cal.add(t, dt.timedelta(hours=4))
        self.row(f"opened {_fmt_instant(t)}, +4h", f"due {_fmt_instant(due)}")
        _explain_segments(self.cal, t, due, _Indented(self.out))

    def monthly_report(self) -> None:
        for month in range(1, 13):
            fifth = dt.date(2026, month, 5)
            due = self.cal.add_business_days(fifth, 0)
            note = "" if due == fifth else f"  (the 5th: {self.cal.describe_day(fifth)})"
            self.row(f"{_MONTHS[month - 1]} 2026", f"due {_fmt_day(due)}{note}")

    def part_return(self) -> None:
        t = self.at(2026, 2, 13, 10)
        due = sla.BusinessDays(self.cal, 10, by=dt.time(17)).deadline(t)
        self.row(f"part replaced {_fmt_instant(t)}", f"return by {_fmt_instant(due)}")
        counted = [d for d in _dates(t.date(), due.date()) if self.cal.is_business_day(d)]
        self.row(f"{len(counted)} working days counted",
                 ", ".join(f"{d:%m-%d}" + ("+" if d.weekday() >= 5 else "") for d in counted))
        self.out("   (+ a make-up Saturday)")
        _list_skipped_days(self.cal, t.date(), due.date(), _Indented(self.out))

    def repair(self) -> None:
        sixty = sla.BusinessDays(self.cal, 60)
        for t in (self.at(2026, 7, 1, 9), self.at(2026, 9, 1, 9)):
            last = (sixty.deadline(t) - dt.timedelta(microseconds=1)).date()
            self.row(f"received {_fmt_instant(t)}", f"due by the end of {_fmt_day(last)}")

    def batch(self) -> None:
        cal, tz = self.cal, self.tz
        rng = random.Random(2026)
        lo = int(dt.datetime(2024, 1, 1, tzinfo=tz).timestamp())
        hi = int(dt.datetime(2026, 11, 30, tzinfo=tz).timestamp())
        starts = [rng.randrange(lo, hi) for _ in range(self.cases)]
        four = dt.timedelta(hours=4)
        cal.add_many(starts[:1], four)  # compile the calendar outside the timed call
        t0 = time.perf_counter()
        dues = cal.add_many(starts, four)
        took = time.perf_counter() - t0
        self.row("cases", f"{len(dues):,} int POSIX seconds in 2024-01-01 .. 2026-11-30")
        self.row("add_many took", f"{took * 1000:.1f} ms ({took / len(dues) * 1e9:.0f} ns a case)")
        sample = rng.sample(range(len(starts)), min(3, len(starts)))
        agree = True
        for i in sample:
            a = dt.datetime.fromtimestamp(starts[i], tz)
            b = dt.datetime.fromtimestamp(dues[i], tz)
            agree = agree and cal.add(a, four) == b
            self.row(f"e.g. {_fmt_instant(a)}", f"due {_fmt_instant(b)}")
        self.row("spot check against scalar add", "agrees" if agree else "DISAGREES")


_SAMPLE_FILE = "slacalc/data/sample_cases.jsonl"
_SAMPLE_CASE = "ND-01"  # the case whose explanation the demo prints
_SAMPLE_METRIC = "reply"
_DEMO_STATUSES = ("met", "breached", "running", "paused", "pending", "not_applicable")


def _sample_cases(policy: sla.Policy) -> tuple[list[sla.Case], list[str]]:
    """The cases shipped in ``slacalc/data/sample_cases.jsonl``, and the rows the policy rejects."""
    resource = importlib.resources.files("slacalc") / "data" / "sample_cases.jsonl"
    cases: list[sla.Case] = []
    problems: list[str] = []
    with resource.open("rb") as stream:
        reader = _CaseReader(policy, problems.append)
        for line, item in _jsonl_rows(_Lines(stream), reader):
            if isinstance(item, str):
                problems.append(f"line {line}: {item}")
            else:
                cases.append(item)
    return cases, problems


def _demo_policy() -> tuple[sla.Policy, str, list[sla.Case]]:
    """The built-in ``standard-contract`` if there is one and it can judge every sample case,
    else the inline :data:`STANDARD_CONTRACT`; with a description and the cases."""
    templates = _templates_module()
    if templates is not None and "standard-contract" in templates.names():
        builtin: sla.Policy = templates.load("standard-contract")
        cases, problems = _sample_cases(builtin)
        if not problems:
            try:
                sla.evaluate_many(builtin, cases)
            except sla.SlaError:
                pass
            else:
                return builtin, "builtin:standard-contract (slacalc.templates)", cases
        why = "slacalc.templates' standard-contract does not fit the sample cases"
    else:
        why = "slacalc.templates has no standard-contract"
    policy = sla.Policy.from_dict(STANDARD_CONTRACT)
    cases, problems = _sample_cases(policy)
    if problems:  # pragma: no cover - the shipped file is tested against this policy
        raise sla.SlaValueError("the sample cases do not fit the inline policy: "
                                + "; ".join(problems))
    return policy, f"standard-contract, the copy in slacalc.cli ({why})", cases


def _cmd_demo(args: argparse.Namespace, out: _Out) -> int:
    if args.cases < 1:
        raise sla.SlaValueError(f"--cases {args.cases} must be at least 1")
    _Demo(out, args.cases).run()
    return 0


class _Indented(_Out):
    """Writes through another writer with the demo's indentation."""

    def __init__(self, inner: _Out) -> None:
        self.inner = inner

    def __call__(self, line: str = "") -> None:
        self.inner(" " * 3 + line if line else line)


def _dates(a: dt.date, b: dt.date) -> Iterator[dt.date]:
    """Dates strictly after ``a``, up to and including ``b``."""
    day = a + dt.timedelta(days=1)
    while day <= b:
        yield day
        day += dt.timedelta(days=1)


# -- entry point --------------------------------------------------------------------------------
@contextmanager
def _warnings_to(stream: TextIO) -> Iterator[None]:
    """Report each distinct warning once as ``slacalc: warning: ...`` on ``stream``.

    Warnings are written as they happen and forgotten, so a stream of a million cases that all
    warn costs one line and no memory.
    """
    seen: set[object] = set()

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        text = str(message)
        # one horizon warning says it all; other warnings once per distinct text
        key = category if issubclass(category, sla.SlaWarning) else text
        if key not in seen:
            seen.add(key)
            stream.write(f"{PROG}: warning: {text}\n")

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Errors (a :class:`slacalc.SlaError` or a usage error) print ``slacalc: error: ...`` on
    stderr and return 2; warnings print ``slacalc: warning: ...`` once each.
    """
    parser = _build_parser()
    out = _Out(sys.stdout)
    try:
        with _warnings_to(sys.stderr):
            args = parser.parse_args(list(argv) if argv is not None else None)
            status: int = args.func(args, out)
    except _UsageError as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return 2
    except sla.SlaError as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return 2
    except SystemExit as exc:  # --help and --version exit through argparse
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except BrokenPipeError:  # `slacalc demo | head`: the reader left; stop quietly
        _silence_stdout()
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"\n{PROG}: interrupted\n")
        return 130
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return 1
    return status


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass
