"""The ``slacalc`` command line: deadlines, holiday calendars and a walk through the contracts.

``slacalc deadline`` computes one deadline (and, with ``--explain``, why it falls where it does),
``slacalc calendar`` prints a year of business days as month grids, and ``slacalc demo`` runs
the contract scenarios slacalc was built for. Everything is computed by the library; this
module only parses arguments and formats results.

>>> main(["deadline", "--coverage", "5x8", "--country", "CN",
...       "--start", "2026-09-30T15:01+08:00", "--duration", "4h"])
2026-10-08T11:01:00+08:00
0
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import sys
import textwrap
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import NoReturn, TextIO

import slacalc as sla

__all__ = ["main", "parse_duration", "parse_start"]

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
        return sla.Within(duration, cal), f"within {_fmt_td(duration)} of {coverage} time"
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
            return sla.Within(hours, cal), (
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
        return sla.BusinessDays(n, cal, by=by, cutoff=cutoff), text
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
        due = sla.Within(dt.timedelta(hours=4), self.cal24).deadline(t)
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
        due = sla.BusinessDays(10, self.cal, by=dt.time(17)).deadline(t)
        self.row(f"part replaced {_fmt_instant(t)}", f"return by {_fmt_instant(due)}")
        counted = [d for d in _dates(t.date(), due.date()) if self.cal.is_business_day(d)]
        self.row(f"{len(counted)} working days counted",
                 ", ".join(f"{d:%m-%d}" + ("+" if d.weekday() >= 5 else "") for d in counted))
        self.out("   (+ a make-up Saturday)")
        _list_skipped_days(self.cal, t.date(), due.date(), _Indented(self.out))

    def repair(self) -> None:
        sixty = sla.BusinessDays(60, self.cal)
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
    """Report each distinct warning once as ``slacalc: warning: ...`` on ``stream``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen: set[object] = set()
            for w in caught:
                text = str(w.message)
                # one horizon warning says it all; other warnings once per distinct text
                key = w.category if issubclass(w.category, sla.SlaWarning) else text
                if key not in seen:
                    seen.add(key)
                    stream.write(f"{PROG}: warning: {text}\n")


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
