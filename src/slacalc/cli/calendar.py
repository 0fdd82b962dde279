"""``slacalc calendar``: a year of month grids marking holidays and make-up workdays."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

import slacalc as sla
from slacalc.cli._common import Out, command_parser, country_code, fmt_day
from slacalc.cli._errors import Exit
from slacalc.cli.deadline import in_option_words
from slacalc.errors import echo

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_WEEKDAY_HEADER = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
HOLIDAY_MARK = "*"
MAKEUP_MARK = "+"
#: the years slacalc computes
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _year(text: str) -> int:
    """A calendar year in ASCII digits, within the years slacalc computes."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 9):
        raise argparse.ArgumentTypeError(
            f"year {echo(text)} is not a year; write it in ASCII digits, e.g. 2026")
    year = int(digits)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"year {year} is outside the years slacalc can compute ({FIRST_YEAR}-{LAST_YEAR})")
    return year


def _month(text: str) -> int:
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit() and 1 <= int(digits[:3] or "0") <= 12):
        raise argparse.ArgumentTypeError(f"month {echo(text)} is not a month; write 1 to 12")
    return int(digits)


def register(commands: Any) -> None:
    c = command_parser(
        commands, "calendar",
        help="print a year's month grids with holidays and make-up workdays",
        description="Print month grids (Monday first) marking holidays "
        f"({HOLIDAY_MARK}) and weekend make-up workdays ({MAKEUP_MARK}), with their names.",
    )
    c.add_argument("country", metavar="COUNTRY", help="country code, e.g. CN (any case)")
    c.add_argument("year", metavar="YEAR", type=_year,
                   help=f"year, {FIRST_YEAR} to {LAST_YEAR} in ASCII digits, e.g. 2026")
    c.add_argument("--tz", metavar="ZONE",
                   help="IANA time zone (required unless the country has one zone)")
    c.add_argument("--subdiv", metavar="CODE", help="the country's subdivision, e.g. CA")
    c.add_argument("--month", type=_month, metavar="1-12", help="only this month")
    c.set_defaults(func=run)


def run(args: argparse.Namespace, out: Out) -> int:
    country = country_code(args.country)
    try:
        cal = sla.Calendar(tz=args.tz, country=country, subdiv=args.subdiv)
    except sla.SlaError as exc:
        raise in_option_words(exc) from None
    months = [args.month] if args.month else list(range(1, 13))
    # compute every month before printing, so an error prints no half calendar
    grids = [month_lines(cal, args.year, month) for month in months]
    out(f"{country}{'-' + args.subdiv if args.subdiv else ''} {args.year}: "
        f"business days ({cal.tz.key})")
    out(f"legend: {HOLIDAY_MARK} holiday (no work)   {MAKEUP_MARK} make-up workday "
        "(weekend day worked)")
    for lines in grids:
        out()
        for line in lines:
            out(line)
    return Exit.OK


def month_lines(cal: sla.Calendar, year: int, month: int) -> list[str]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    header = " ".join(f"{w:>3s}" for w in _WEEKDAY_HEADER)
    lines = [f"{MONTHS[month - 1]} {year}".center(len(header) + 1).rstrip(), header]
    cells = ["    "] * first.weekday()
    notes: list[str] = []
    day = first
    while day < nxt:
        info = cal.describe_day(day)
        weekend = day.weekday() >= 5
        if not info.business and info.kind != "weekend":
            mark = HOLIDAY_MARK
        elif info.business and (weekend or info.kind in ("makeup", "extra_workday")):
            mark = MAKEUP_MARK
        else:
            mark = " "
        cells.append(f"{day.day:>3d}{mark}")
        if mark != " ":
            notes.append(f"  {mark} {fmt_day(day)}  {info}")
        day += dt.timedelta(days=1)
    for i in range(0, len(cells), 7):
        lines.append("".join(cells[i:i + 7]).rstrip())
    lines.extend(notes)
    return lines
