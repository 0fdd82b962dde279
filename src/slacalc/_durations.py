"""Parsing and formatting durations and times of day as policy files and the CLI write them.

>>> parse_duration("2h30m")
datetime.timedelta(seconds=9000)
>>> parse_duration("PT4H")
datetime.timedelta(seconds=14400)
>>> parse_duration("-1h", signed=True)
datetime.timedelta(days=-1, seconds=82800)
>>> format_duration(dt.timedelta(hours=2, minutes=30))
'2h30m'
>>> format_duration(dt.timedelta(hours=-1))
'-1h'
"""

from __future__ import annotations

import datetime as dt
import re

from slacalc.errors import DurationError, SlaValueError

__all__ = ["format_duration", "format_time", "parse_duration", "parse_time"]

_UNITS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_SIMPLE = re.compile(r"^([+-]?)((?:\d+(?:\.\d+)?[dhms])+)$")
_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])")
_ISO = re.compile(
    r"^([+-]?)P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: object, *, where: str = "duration", signed: bool = False) -> dt.timedelta:
    """``"30m"``, ``"4h"``, ``"2h30m"``, ``"1d"`` (24 h), ``"90s"``, ``"1.5h"`` or ISO ``"PT4H"``.

    A leading ``-`` or ``+`` is allowed with ``signed=True`` (escalation offsets).
    """
    if isinstance(text, dt.timedelta):
        if text < dt.timedelta(0) and not signed:
            raise DurationError(f"{where}: {text!r} is negative")
        return text
    if not isinstance(text, str):
        raise DurationError(f"{where}: {text!r} is not a duration; write e.g. '4h' or '30m'")
    s = text.strip().replace(" ", "")
    seconds = 0.0
    sign = ""
    m = _SIMPLE.match(s.lower())
    if m:
        sign = m[1]
        for number, unit in _PART.findall(m[2]):
            seconds += float(number) * _UNITS[unit]
    else:
        iso = _ISO.match(s.upper())
        if iso is None or not any(iso.groups()[1:]):
            raise DurationError(
                f"{where}: {text!r} is not a duration; write e.g. '4h', '30m', '2h30m', '1d' or "
                "ISO 8601 'PT4H'"
            )
        sign = iso[1]
        for value, unit in zip(iso.groups()[1:], (86_400, 3_600, 60, 1), strict=True):
            if value:
                seconds += float(value) * unit
    if sign and not signed:
        raise DurationError(f"{where}: {text!r} must not carry a sign")
    if seconds > 100 * 366 * 86_400:
        raise DurationError(f"{where}: {text!r} is longer than a hundred years")
    result = dt.timedelta(seconds=seconds)
    return -result if sign == "-" else result


def format_duration(d: dt.timedelta) -> str:
    """The shortest ``parse_duration`` text for ``d`` (``"2h30m"``, ``"-1h"``, ``"0s"``)."""
    if d < dt.timedelta(0):
        return "-" + format_duration(-d)
    total = d.days * 86_400 + d.seconds
    parts = []
    for unit, size in (("h", 3_600), ("m", 60)):
        value, total = divmod(total, size)
        if value:
            parts.append(f"{value}{unit}")
    if d.microseconds:
        parts.append(f"{total}.{d.microseconds:06d}".rstrip("0") + "s")
    elif total or not parts:
        parts.append(f"{total}s")
    return "".join(parts)


def parse_time(text: object, *, where: str = "time") -> dt.time:
    """``"15:00"`` or ``"15:00:30"`` -> ``datetime.time``; a ``time`` passes through."""
    if isinstance(text, dt.time) and text.tzinfo is None:
        return text
    if isinstance(text, str):
        try:
            value = dt.time.fromisoformat(text.strip())
        except ValueError:
            pass
        else:
            if value.tzinfo is None:
                return value
    raise SlaValueError(f"{where}: {text!r} is not a time of day; write e.g. '15:00'")


def format_time(t: dt.time) -> str:
    """``"15:00"``, or with seconds/microseconds when it has them."""
    if t.microsecond:
        return t.isoformat()
    return t.strftime("%H:%M:%S" if t.second else "%H:%M")
