"""Parsing coverage specs (``"5x8"``, ``"24*7*4"``) and daily windows (``"09:00-12:00,13:30-18:00"``).

Contracts write coverage as ``D×H``: ``D`` days a week (5 = business days, 6 = business days and
Saturdays, 7 = every calendar day) and ``H`` hours a day. Either order is used, with ``x``, ``X``,
``×`` or ``*`` between the parts, and spare-part service levels add a third part: ``NBD`` (next
business day), ``ND`` (next calendar day) or a number of hours.

>>> Coverage.parse("5x8xNBD")
Coverage(days=5, hours=8, delivery='NBD')
>>> Coverage.parse("24*7*4")
Coverage(days=7, hours=24, delivery=4)
>>> str(Coverage.parse("8×5"))
'5x8'
>>> parse_windows("09:00-12:00, 13:30-18:00")
((32400, 43200), (48600, 64800))
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from itertools import pairwise
from typing import TypeAlias

import attrs

from slacalc.errors import CoverageError, echo

__all__ = ["Coverage", "Hours", "Window", "format_windows", "parse_windows"]

#: A daily window as (start, end) seconds after local midnight, ``0 <= start < end <= 86400``.
Window: TypeAlias = tuple[int, int]

DAY = 86_400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SEPARATORS = re.compile(r"\s*[xX×*]\s*")
_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$")  # ASCII digits only
_DEFAULT_HOURS = {8: "09:00-17:00", 24: "00:00-24:00"}
#: the most windows a day may have: enough for any real shift plan, and it keeps a compiled
#: year's memory bounded (every window is a few list entries per day)
MAX_WINDOWS = 48
#: the longest hours text read; anything longer is refused before it is split
MAX_HOURS_TEXT = 48 * 24
#: the longest delivery promise of a spare-part service level, in hours (a leap year)
MAX_DELIVERY_HOURS = 8_784
#: full weekday names, also accepted as hours keys
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _parse_time(text: str, *, where: str, allow_24: bool) -> int:
    m = _TIME.match(text.strip())
    if m is None:
        raise CoverageError(
            f"{where}: {echo(text)} is not a time; write HH:MM or HH:MM:SS, e.g. '09:00'"
        )
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    if mi > 59 or s > 59 or h > 24 or (h == 24 and (mi or s)):
        raise CoverageError(f"{where}: {echo(text)} is not a valid time of day")
    if h == 24 and not allow_24:
        raise CoverageError(f"{where}: {echo(text)}: 24:00 is only allowed as the end of a window")
    return h * 3600 + mi * 60 + s


def parse_windows(spec: str) -> tuple[Window, ...]:
    """Parse ``"09:00-12:00,13:30-18:00"`` into sorted ``(start, end)`` seconds after midnight.

    ``24:00`` is allowed as an end. An empty string (or ``"closed"``) means no window. Windows
    must not overlap or run past midnight (split ``"22:00-02:00"`` into ``"22:00-24:00"`` on one
    day and ``"00:00-02:00"`` on the next).

    >>> parse_windows("00:00-24:00")
    ((0, 86400),)
    >>> parse_windows("13:30-18:00,09:00-12:00")
    ((32400, 43200), (48600, 64800))
    >>> parse_windows("09:00-12:00,11:00-13:00")
    Traceback (most recent call last):
    ...
    slacalc.errors.CoverageError: hours '09:00-12:00,11:00-13:00': windows 09:00-12:00 and 11:00-13:00 overlap; merge them into one window
    """
    if not isinstance(spec, str):
        raise CoverageError(f"hours must be a string like '09:00-17:00', not {echo(spec)}")
    text = spec.strip()
    if text.lower() in ("", "closed", "none"):
        return ()
    where = f"hours {echo(spec)}"
    if len(text) > MAX_HOURS_TEXT or text.count(",") >= MAX_WINDOWS:
        raise CoverageError(
            f"{where}: more than {MAX_WINDOWS} windows a day (or longer than {MAX_HOURS_TEXT} "
            f"characters); at most {MAX_WINDOWS} windows a day are supported, so merge "
            "adjacent windows"
        )
    windows: list[Window] = []
    for part in text.split(","):
        piece = part.strip()
        bounds = piece.split("-")
        if len(bounds) != 2:
            raise CoverageError(
                f"{where}: {echo(piece)} is not a window; write START-END, e.g. '09:00-17:00'"
            )
        start = _parse_time(bounds[0], where=where, allow_24=False)
        end = _parse_time(bounds[1], where=where, allow_24=True)
        if end <= start:
            raise CoverageError(
                f"{where}: window {echo(piece)} ends before it starts; windows cannot cross midnight, "
                "so split it into two (e.g. '22:00-24:00' and '00:00-02:00' on the next day)"
            )
        windows.append((start, end))
    windows.sort()
    for (s1, e1), (s2, e2) in pairwise(windows):
        if s2 < e1:
            raise CoverageError(
                f"{where}: windows {format_windows(((s1, e1),))} and {format_windows(((s2, e2),))}"
                " overlap; merge them into one window"
            )
    return tuple(windows)


def _format_time(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def format_windows(windows: tuple[Window, ...]) -> str:
    """The canonical text of a window tuple; the inverse of :func:`parse_windows`.

    >>> format_windows(((32400, 43200), (48600, 64800)))
    '09:00-12:00,13:30-18:00'
    """
    if not windows:
        return "closed"
    return ",".join(f"{_format_time(s)}-{_format_time(e)}" for s, e in windows)


def _weekday(name: str) -> int | None:
    """Monday=0 of an exact weekday name, short (``"mon"``) or full (``"monday"``)."""
    if name in WEEKDAYS:
        return WEEKDAYS.index(name)
    if name in _WEEKDAY_NAMES:
        return _WEEKDAY_NAMES.index(name)
    return None


def _weekday_keys(key: str) -> list[int]:
    """``"mon-fri"`` -> [0..4]; ``"sat,sun"`` -> [5, 6]; ``"tue"`` or ``"tuesday"`` -> [1].

    Names are exact (``"monkey"`` is not Monday).
    """
    days: list[int] = []
    for part in key.lower().replace(" ", "").split(",")[:8]:
        ends = part.split("-")
        idx = [i for e in ends if (i := _weekday(e)) is not None]
        if len(idx) != len(ends) or len(idx) not in (1, 2):
            raise CoverageError(
                f"hours key {echo(key)} is not a weekday, a range like 'mon-fri' or 'makeup'; "
                f"weekdays are {', '.join(WEEKDAYS)} (or their full names)"
            )
        if len(idx) == 1:
            days.append(idx[0])
        else:
            lo, hi = idx
            span = range(lo, hi + 1) if lo <= hi else [*range(lo, 7), *range(hi + 1)]
            days.extend(span)
    return days


@attrs.frozen
class Hours:
    """The daily windows of a calendar, possibly different per weekday.

    ``default`` applies to every covered day that has no entry of its own in ``per_day``
    (indexed Monday=0 .. Sunday=6). A weekday listed in ``per_day`` is covered even when it is
    not a working weekday (a Saturday-morning desk), unless it is a holiday. ``makeup`` are the
    windows on a weekend make-up workday (调休); by default those of a regular working day.

    >>> h = Hours.parse({"mon-fri": "09:00-18:00", "sat": "09:00-12:00"})
    >>> h.for_weekday(5)
    ((32400, 43200),)
    >>> str(h)
    "{'mon-fri': '09:00-18:00', 'sat': '09:00-12:00'}"
    """

    default: tuple[Window, ...] | None
    per_day: tuple[tuple[Window, ...] | None, ...] = (None,) * 7
    makeup: tuple[Window, ...] | None = None

    @classmethod
    def parse(cls, hours: str | Mapping[str, str] | Hours) -> Hours:
        """Build from a window string (every day alike) or a mapping of weekday keys to windows.

        Mapping keys are weekday names (``"mon"``), ranges (``"mon-fri"``), comma lists
        (``"sat,sun"``) or ``"makeup"`` for weekend make-up workdays.
        """
        if isinstance(hours, Hours):
            return hours
        if isinstance(hours, str):
            return cls(default=parse_windows(hours))
        if not isinstance(hours, Mapping) or not hours:
            raise CoverageError(
                f"hours must be a window string like '09:00-17:00' or a non-empty mapping like "
                f"{{'mon-fri': '09:00-18:00'}}, not {echo(hours)}"
            )
        per_day: list[tuple[Window, ...] | None] = [None] * 7
        makeup = None
        for key, spec in hours.items():
            if not isinstance(key, str):
                raise CoverageError(f"hours key {echo(key)} must be a string such as 'mon-fri'")
            windows = parse_windows(spec)
            if key.strip().lower() == "makeup":
                makeup = windows
                continue
            for day in _weekday_keys(key):
                if per_day[day] is not None:
                    raise CoverageError(
                        f"hours: {WEEKDAYS[day]} is given twice (again by key {echo(key)})"
                    )
                per_day[day] = windows
        return cls(default=None, per_day=tuple(per_day), makeup=makeup)

    def for_weekday(self, weekday: int) -> tuple[Window, ...]:
        """The windows of a regular day with this weekday (Monday=0)."""
        own = self.per_day[weekday]
        if own is not None:
            return own
        return self.default if self.default is not None else ()

    def listed(self, weekday: int) -> bool:
        """Whether this weekday has an explicit entry (it is then covered even on a weekend)."""
        return self.per_day[weekday] is not None

    def for_makeup(self, weekday: int | None = None) -> tuple[Window, ...]:
        """The windows of a weekend make-up workday (on ``weekday``, if known).

        ``makeup`` if given, else the every-day windows, else those of the first listed
        Monday-Friday, else the weekday's own entry: a make-up day works like a regular one.
        """
        if self.makeup is not None:
            return self.makeup
        if self.default is not None:
            return self.default
        for windows in self.per_day[:5]:
            if windows is not None:
                return windows
        own = None if weekday is None else self.per_day[weekday]
        return own if own is not None else ()

    def describe(self) -> str:
        """Plain words: ``"09:00-17:00"`` or ``"mon-fri 09:00-18:00, sat 09:00-12:00"``.

        >>> Hours.parse({"mon-fri": "09:00-18:00", "makeup": "09:00-12:00"}).describe()
        'mon-fri 09:00-18:00, make-up workdays 09:00-12:00'
        """
        if self.default is not None and self.makeup is None and not any(self.per_day):
            return format_windows(self.default)
        parts = [] if self.default is None else [f"every day {format_windows(self.default)}"]
        text = str(Hours(None, self.per_day, self.makeup))
        for key, windows in ast.literal_eval(text).items():
            parts.append(f"{'make-up workdays' if key == 'makeup' else key} {windows}")
        return ", ".join(parts)

    def __str__(self) -> str:
        if self.default is not None and self.makeup is None:
            return format_windows(self.default)
        groups: dict[str, str] = {}
        day = 0
        while day < 7:
            windows = self.per_day[day]
            end = day
            while end + 1 < 7 and self.per_day[end + 1] == windows:
                end += 1
            if windows is not None:
                key = WEEKDAYS[day] if end == day else f"{WEEKDAYS[day]}-{WEEKDAYS[end]}"
                groups[key] = format_windows(windows)
            day = end + 1
        if self.makeup is not None:
            groups["makeup"] = format_windows(self.makeup)
        return str(groups)


@attrs.frozen
class Coverage:
    """A coverage spec such as ``5x8``, ``7x24`` or ``5x8xNBD``, parsed.

    ``days`` is 5 (business days), 6 (business days and Saturdays) or 7 (every calendar day);
    ``hours`` the hours per day; ``delivery`` ``"NBD"``, ``"ND"``, a number of hours, or ``None``.
    """

    days: int
    hours: int
    delivery: str | int | None = None

    @classmethod
    def parse(cls, spec: str | Coverage) -> Coverage:
        """Parse any spelling: ``5x8``, ``5×8``, ``8*5``, ``24x7``, ``7x24x4``, ``5x8xNBD``.

        >>> Coverage.parse("8*5*48")
        Coverage(days=5, hours=8, delivery=48)
        >>> Coverage.parse("5x9")
        Coverage(days=5, hours=9, delivery=None)
        >>> Coverage.parse("5x25")
        Traceback (most recent call last):
        ...
        slacalc.errors.CoverageError: coverage '5x25': 25 is not a number of days a week (5, 6 or 7) nor of hours a day (1-24)
        """
        if isinstance(spec, Coverage):
            return spec
        if not isinstance(spec, str):
            raise CoverageError(f"coverage must be a string like '5x8', not {echo(spec)}")
        shown = echo(spec)
        parts = _SEPARATORS.split(spec.strip(), maxsplit=3) if len(spec) <= 64 else []
        if len(parts) not in (2, 3) or not all(parts):
            raise CoverageError(
                f"coverage {shown} is not of the form DxH or DxHxDELIVERY, e.g. '5x8', '7x24x4', "
                "'5x8xNBD'"
            )
        numbers: list[int] = []
        for part in parts[:2]:
            if not (part.isascii() and part.isdigit()):
                raise CoverageError(f"coverage {shown}: {echo(part)} is not a number")
            if len(part) > 2 or not (1 <= int(part) <= 24):
                raise CoverageError(
                    f"coverage {shown}: {int(part) if len(part) <= 2 else echo(part)} is not a "
                    "number of days a week (5, 6 or 7) "
                    "nor of hours a day (1-24)"
                )
            numbers.append(int(part))
        a, b = numbers
        day_counts = (5, 6, 7)
        if a in day_counts and b not in day_counts:
            days, hours = a, b
        elif b in day_counts and a not in day_counts:
            days, hours = b, a
        elif a in day_counts and b in day_counts:
            raise CoverageError(
                f"coverage {shown} is ambiguous: both parts could be days a week; "
                "write the hours explicitly with Calendar(days=..., hours=...)"
            )
        else:
            raise CoverageError(
                f"coverage {shown}: neither part is a number of days a week (5, 6 or 7)"
            )
        delivery: str | int | None = None
        if len(parts) == 3:
            third = parts[2].strip().upper()
            if third in ("NBD", "ND"):
                delivery = third
            elif third.isascii() and third.isdigit() and len(third) <= 5 and (
                0 < int(third) <= MAX_DELIVERY_HOURS
            ):
                delivery = int(third)
            elif third.isascii() and third.isdigit():
                raise CoverageError(
                    f"coverage {shown}: delivery {echo(parts[2])} hours is not between 1 and "
                    f"{MAX_DELIVERY_HOURS} (a year); write a positive number of hours"
                )
            else:
                raise CoverageError(
                    f"coverage {shown}: delivery {echo(parts[2])} is not 'NBD' (next business "
                    "day), 'ND' (next calendar day) or a positive number of hours"
                )
        return cls(days=days, hours=hours, delivery=delivery)

    def day_rule(self) -> str:
        """``"business"`` for 5 and 6 days a week, ``"all"`` for 7."""
        return "all" if self.days == 7 else "business"

    def default_hours(self) -> Hours:
        """The daily windows a bare spec implies: ``H=8`` -> 09:00-17:00, ``H=24`` -> all day."""
        try:
            text = _DEFAULT_HOURS[self.hours]
        except KeyError:
            raise CoverageError(
                f"coverage '{self}' has no default hours: only 8 (09:00-17:00) and 24 (all day) "
                f"do; pass them, e.g. hours='08:00-{8 + self.hours:02d}:00'"
                if self.hours <= 16
                else f"coverage '{self}' has no default hours; pass hours='HH:MM-HH:MM'"
            ) from None
        if self.days == 6:
            return Hours.parse({"mon-sat": text})
        return Hours.parse(text)

    def __str__(self) -> str:
        base = f"{self.days}x{self.hours}"
        return base if self.delivery is None else f"{base}x{self.delivery}"
