"""``slacalc deadline``: one deadline, and with ``--explain`` why it falls where it does."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import Any

import slacalc as sla
from slacalc.cli._common import (
    MAX_DURATION,
    Out,
    command_parser,
    country_code,
    describe_calendar,
    fmt_day,
    fmt_instant,
    fmt_td,
    parse_duration,
    parse_start,
    parse_time_of_day,
)
from slacalc.cli._errors import Exit
from slacalc.errors import echo

EPILOG = """\
durations: 4h, 30m, 2h30m, 90s, 1.5h, 1d (= 24 hours of covered time, not a calendar day)
or ISO 8601 (PT4H, P1DT2H, P1W); at most a hundred years.

targets:
  nbd   next business day: served on the effective day (the business day of --start if it is
        before --cutoff, default 15:00; otherwise the next business day), due at --by (default
        17:00) on the business day after that.
  nd    next calendar day, holidays included, due at --by (default 18:00); with --cutoff, a
        start at or after it counts from the day after.
  bd:N  the N-th business day after the start's date, due at --by (default: the end of that
        day, printed as midnight at its end); with --cutoff, counting starts from the effective
        day. N is written in ASCII digits.

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

_OPTION_OF = {"tz": "--tz ZONE", "country": "--country CODE", "subdiv": "--subdiv CODE",
              "hours": "--hours WINDOWS"}
# the library names its parameters as ``tz=`` or, in prose, "give tz" / "give it as tz"
_PARAMETER = re.compile(r"\b(tz|country|subdiv|hours)=(?=\s|$|[;,.)])|(?<=give )(tz)\b|(?<=as )(tz)\b")


def in_option_words(exc: sla.SlaError) -> sla.SlaError:
    """The error with the library's parameter names (``pass tz=``) said as the options."""
    text = _PARAMETER.sub(lambda m: _OPTION_OF[next(g for g in m.groups() if g)], str(exc))
    if text == str(exc):
        return exc
    try:
        return type(exc)(text)
    except Exception:  # an error class with its own constructor
        return sla.SlaValueError(text)


def make_calendar(spec: str | sla.Coverage, *, country: str | None, tz: str | None,
                  subdiv: str | None = None, hours: str | None = None,
                  strict: bool = False) -> sla.Calendar:
    """``Calendar.from_coverage`` with the options' values and errors in the options' words."""
    try:
        return sla.Calendar.from_coverage(spec, country=country_code(country), tz=tz,
                                          subdiv=subdiv, hours=hours, strict=strict)
    except sla.SlaError as exc:
        raise in_option_words(exc) from None


def register(commands: Any) -> None:
    p = command_parser(
        commands, "deadline",
        help="compute one deadline",
        description="Compute the deadline of a promise started at --start.",
        epilog=EPILOG,
    )
    p.add_argument("--coverage", required=True, metavar="SPEC",
                   help="coverage spec: 5x8, 7x24, 8*5, 5x8xNBD, 7x8xND, 7x24x4, ...")
    p.add_argument("--country", metavar="CODE",
                   help="country code for holidays, e.g. CN, US (any case)")
    p.add_argument("--subdiv", metavar="CODE", help="the country's subdivision, e.g. CA")
    p.add_argument("--tz", metavar="ZONE",
                   help="IANA time zone (required unless the country has one zone)")
    p.add_argument("--hours", metavar="WINDOWS",
                   help='daily windows, e.g. "09:00-12:00,13:30-18:00"')
    p.add_argument("--start", required=True, metavar="T",
                   help="ISO 8601 start; without an offset it is local time in the zone")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--duration", metavar="D",
                      help="covered time to add: 4h, 30m, 2h30m, 1d, PT4H")
    what.add_argument("--target", metavar="KIND", help="nbd, nd or bd:N (see below)")
    p.add_argument("--cutoff", metavar="HH:MM",
                   help="cutoff time of day for nbd/nd/bd:N, e.g. 15:00")
    p.add_argument("--by", metavar="HH:MM", help="time of day the target is due, e.g. 17:00")
    p.add_argument("--strict", action="store_true",
                   help="fail instead of warning past the holiday data's last vouched year")
    p.add_argument("--explain", action="store_true",
                   help="show the counted and skipped time, or the days, behind the deadline")
    p.set_defaults(func=run)


def _calendar(args: argparse.Namespace, spec: str | sla.Coverage, *,
              own_hours: bool = True) -> sla.Calendar:
    return make_calendar(spec, country=args.country, tz=args.tz, subdiv=args.subdiv,
                         hours=args.hours if own_hours else None, strict=args.strict)


def _zone_hint(args: argparse.Namespace) -> dt.tzinfo | None:
    """The zone a naive --start is read in, if the user named one (by --tz or --country)."""
    if args.tz is None and args.country is None:
        return None
    return _calendar(args, "7x24", own_hours=False).tz


_BUSINESS_DAYS = re.compile(r"bd:([0-9]{1,6})", re.ASCII)


def _hours_of_delivery(kind: str, coverage: sla.Coverage) -> dt.timedelta:
    hours = int(kind) if len(kind) <= 30 else None
    if hours is None or dt.timedelta(hours=min(hours, 10**6)) > MAX_DURATION:
        raise sla.DurationError(
            f"coverage {echo(str(coverage))}: a delivery of {echo(kind)} hours is longer than a "
            "hundred years; deadlines that far away cannot be computed"
        )
    return dt.timedelta(hours=hours)


def build_target(args: argparse.Namespace) -> tuple[sla.Target, str]:
    """The target the arguments describe, and a one-line reading of it."""
    coverage = sla.Coverage.parse(args.coverage)
    cal = _calendar(args, coverage)
    cutoff = None if args.cutoff is None else parse_time_of_day(args.cutoff, "--cutoff")
    by = None if args.by is None else parse_time_of_day(args.by, "--by")
    if args.duration is not None:
        if cutoff is not None or by is not None:
            raise sla.SlaValueError(
                "--cutoff and --by apply to --target nbd, nd or bd:N, not to --duration"
            )
        duration = parse_duration(args.duration)
        return (sla.Within(cal, duration),
                f"within {fmt_td(duration)} of {coverage} time")
    kind: str
    if args.target is not None:
        kind = args.target.strip().lower()
    elif coverage.delivery is not None:
        kind = str(coverage.delivery).lower()
        if kind.isascii() and kind.isdigit():
            if cutoff is not None or by is not None:
                raise sla.SlaValueError(
                    f"--cutoff and --by do not apply to coverage {echo(str(coverage))}: its "
                    f"delivery is {kind} hours of {coverage.days}x{coverage.hours} time"
                )
            hours = _hours_of_delivery(kind, coverage)
            return sla.Within(cal, hours), (
                f"{coverage}: within {kind} hours of {coverage.days}x{coverage.hours} time"
            )
    else:
        raise sla.SlaValueError(
            f"coverage {echo(args.coverage)} has no delivery part; give --duration (e.g. 4h) or "
            "--target nbd|nd|bd:N, or a coverage like 5x8xNBD"
        )
    if kind == "nbd":
        cutoff = cutoff or dt.time(15)
        by = by or dt.time(17)
        return sla.NextBusinessDay(cal, cutoff=cutoff, by=by), (
            f"next business day: cutoff {cutoff:%H:%M}, due by {by:%H:%M}"
        )
    if kind == "nd":
        cal24 = _calendar(args, "7x24", own_hours=False)  # calendar days count
        by = by or dt.time(18)
        text = f"next calendar day (holidays included), due by {by:%H:%M}"
        if cutoff is not None:
            text += f", cutoff {cutoff:%H:%M}"
        return sla.NextDay(cal24, by=by, cutoff=cutoff), text
    match = _BUSINESS_DAYS.fullmatch(kind)
    if match:
        n = int(match[1])
        text = f"{n} business days, due by " + (f"{by:%H:%M}" if by else "the end of the day")
        if cutoff is not None:
            text += f", counted from the effective day (cutoff {cutoff:%H:%M})"
        return sla.BusinessDays(cal, n, by=by, cutoff=cutoff), text
    raise sla.SlaValueError(
        f"--target {echo(args.target)} is not a target; use nbd, nd or bd:N with N a number of "
        "business days in ASCII digits, at most 999999 (e.g. bd:10)"
    )


def run(args: argparse.Namespace, out: Out) -> int:
    start = parse_start(args.start, _zone_hint(args))
    target, reading = build_target(args)
    due = target.deadline(start)
    out(due.isoformat())
    if args.explain:
        out()
        explain(target, start, due, reading, out)
    return Exit.OK


def _ends_a_day(target: sla.Target) -> bool:
    """Whether the target is due at the end of a day (bd:N without --by)."""
    return isinstance(target, sla.BusinessDays) and target.by is None


def explain(target: sla.Target, start: dt.datetime, due: dt.datetime, reading: str,
            out: Out) -> None:
    cal = target.calendar
    local = start.astimezone(cal.tz)
    out(f"target:   {reading}")
    out(f"calendar: {describe_calendar(cal)}")
    out(f"start:    {fmt_instant(local)} ({cal.describe_day(local.date())})")
    if _ends_a_day(target):
        last = (due - dt.timedelta(microseconds=1)).date()
        out(f"deadline: {fmt_instant(due)}, the end of {fmt_day(last)} "
            f"({cal.describe_day(last)})")
    else:
        out(f"deadline: {fmt_instant(due)} ({cal.describe_day(due.date())})")
    out()
    if isinstance(target, sla.Within):
        explain_segments(cal, local, due, out)
    elif isinstance(target, sla.NextBusinessDay):
        _explain_nbd(target, local, due, out)
    elif isinstance(target, sla.NextDay):
        _explain_nd(target, local, due, out)
    elif isinstance(target, sla.BusinessDays):
        _explain_business_days(target, local, due, out)


def explain_segments(cal: sla.Calendar, a: dt.datetime, b: dt.datetime, out: Out) -> None:
    """Counted and skipped pieces of ``[a, b)``, whole days off listed with their reasons."""
    counted = dt.timedelta(0)
    for seg in cal.segments(a, b):
        span = f"{fmt_instant(seg.start)} -> {fmt_instant(seg.end)}"
        mark = "counted" if seg.counted else "skipped"
        days_off = _days_off(cal, seg) if not seg.counted else []
        reason = seg.reason if not days_off else "outside coverage, including:"
        out(f"  {mark}  {span:<40s} {fmt_td(seg.duration):>9s}  {reason}")
        for day, why in days_off:
            out(f"{'':13s}{fmt_day(day)}  {why}")
        if seg.counted:
            counted += seg.duration
    out(f"  total counted: {fmt_td(counted)}")


def _days_off(cal: sla.Calendar, seg: sla.Segment) -> list[tuple[dt.date, str]]:
    """Whole local days inside a skipped segment, with describe_day's reason for each."""
    day = seg.start.date() + dt.timedelta(days=1)
    last = seg.end.date()
    found = []
    while day < last:
        found.append((day, str(cal.describe_day(day))))
        day += dt.timedelta(days=1)
    return found


def _explain_nbd(
    target: sla.NextBusinessDay, start: dt.datetime, due: dt.datetime, out: Out
) -> None:
    cal = target.calendar
    day = start.date()
    effective = cal.effective_day(start, target.cutoff)
    info = cal.describe_day(day)
    if effective == day:
        out(f"  {fmt_day(day)} is a {info}, and {start:%H:%M:%S} is before the "
            f"{target.cutoff:%H:%M} cutoff: served the same day.")
    else:
        why = (f"at or after the {target.cutoff:%H:%M} cutoff" if info.business
               else f"not a business day ({info})")
        out(f"  {start:%H:%M:%S} on {fmt_day(day)} is {why}: served on the next business day.")
        list_skipped_days(cal, day, effective, out)
    out(f"  effective day: {fmt_day(effective)}")
    list_skipped_days(cal, effective, due.date(), out)
    out(f"  due at {target.by:%H:%M} on the next business day after it: {fmt_day(due.date())}")


def _explain_nd(target: sla.NextDay, start: dt.datetime, due: dt.datetime, out: Out) -> None:
    late = target.cutoff is not None and start.time() >= target.cutoff
    base = start.date() + dt.timedelta(days=1 if late else 0)
    if late and target.cutoff is not None:
        out(f"  {start:%H:%M:%S} is at or after the {target.cutoff:%H:%M} cutoff: counts from "
            f"{fmt_day(base)}.")
    info = target.calendar.describe_day(due.date())
    out(f"  due at {target.by:%H:%M} on the next calendar day, {fmt_day(due.date())}, "
        f"whatever the day is ({info}).")


def _explain_business_days(
    target: sla.BusinessDays, start: dt.datetime, due: dt.datetime, out: Out
) -> None:
    cal = target.calendar
    base = start.date()
    if target.cutoff is not None:
        base = cal.effective_day(start, target.cutoff)
        out(f"  effective day under the {target.cutoff:%H:%M} cutoff: {fmt_day(base)}")
    due_day = due.date() if target.by is not None else (due - dt.timedelta(microseconds=1)).date()
    list_skipped_days(cal, base, due_day, out)
    out(f"  business day {target.n} after {fmt_day(base)}: {fmt_day(due_day)}, due "
        + (f"at {target.by:%H:%M}" if target.by is not None
           else f"by its end, {fmt_instant(due)}"))


def list_skipped_days(cal: sla.Calendar, after: dt.date, until: dt.date, out: Out) -> None:
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
            out(f"    {fmt_day(d)}  {why}")
