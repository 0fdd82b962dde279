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
from decimal import Decimal

from slacalc.errors import DurationError, SlaValueError, echo

__all__ = ["format_duration", "format_time", "parse_duration", "parse_time"]

_NUMBER = r"[0-9]+(?:\.[0-9]+)?"  # ASCII digits only, as in coverage specs
_SIMPLE = re.compile(
    rf"^([+-]?)(?:({_NUMBER})d)?(?:({_NUMBER})h)?(?:({_NUMBER})m(?:in)?)?(?:({_NUMBER})s)?$",
    re.IGNORECASE | re.ASCII,
)
_ISO = re.compile(
    rf"^([+-]?)P(?:({_NUMBER})W)?(?:({_NUMBER})D)?"
    rf"(?:T(?:({_NUMBER})H)?(?:({_NUMBER})M)?(?:({_NUMBER})S)?)?$",
    re.IGNORECASE | re.ASCII,
)
_SIMPLE_UNITS: tuple[int, ...] = (86_400, 3_600, 60, 1)
_ISO_UNITS: tuple[int, ...] = (7 * 86_400, 86_400, 3_600, 60, 1)
#: the longest duration text read; anything longer is refused before any number is converted
MAX_TEXT = 64
#: the longest duration accepted: a hundred years (no service promise runs longer)
MAX_SECONDS = 100 * 366 * 86_400
_HINT = "write e.g. '4h', '30m', '2h30m', '1d' (24 hours) or ISO 8601 'PT4H'"


def parse_duration(text: object, *, where: str = "duration", signed: bool = False) -> dt.timedelta:
    """``"30m"``, ``"4h"``, ``"2h30m"``, ``"1d"`` (24 h), ``"90s"``, ``"1.5h"`` or ISO ``"PT4H"``.

    Units come in the order d, h, m (or ``min``), s, each at most once; ISO 8601 durations
    may use weeks, days, hours, minutes and seconds. Numbers are ASCII digits, exact to the
    microsecond. A leading ``-`` or ``+`` is allowed with ``signed=True`` (escalation offsets).
    Anything else raises :class:`~slacalc.errors.DurationError` naming ``where`` and the value.

    >>> parse_duration("P1W") == dt.timedelta(days=7)
    True
    >>> parse_duration("4 hours")
    Traceback (most recent call last):
    ...
    slacalc.errors.DurationError: duration: '4 hours' is not a duration; write e.g. '4h', '30m', '2h30m', '1d' (24 hours) or ISO 8601 'PT4H'
    """
    if isinstance(text, dt.timedelta):
        if text < dt.timedelta(0) and not signed:
            raise DurationError(f"{where}: {echo(text)} is negative")
        return text
    if not isinstance(text, str):
        raise DurationError(f"{where}: {echo(text)} is not a duration; {_HINT}")
    if len(text) > MAX_TEXT:
        raise DurationError(
            f"{where}: {echo(text)} is too long to be a duration (at most {MAX_TEXT} characters)"
        )
    s = text.strip().replace(" ", "") if text.isascii() else ""
    m = _SIMPLE.match(s)
    units = _SIMPLE_UNITS
    if m is None or not any(m.groups()[1:]):
        m = _ISO.match(s)
        units = _ISO_UNITS
        if m is None or not any(m.groups()[1:]):
            raise DurationError(f"{where}: {echo(text)} is not a duration; {_HINT}")
    sign = m[1]
    if sign and not signed:
        raise DurationError(f"{where}: {echo(text)} must not carry a sign")
    micros = sum(
        (Decimal(v) * unit * 1_000_000 for v, unit in zip(m.groups()[1:], units, strict=True) if v),
        Decimal(0),
    )
    if micros > MAX_SECONDS * 1_000_000:
        raise DurationError(f"{where}: {echo(text)} is longer than a hundred years")
    if micros != micros.to_integral_value():
        raise DurationError(f"{where}: {echo(text)} is finer than a microsecond")
    result = dt.timedelta(microseconds=int(micros))
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
    if isinstance(text, str) and len(text) <= 32:
        try:
            value = dt.time.fromisoformat(text.strip())
        except ValueError:
            pass
        else:
            if value.tzinfo is None:
                return value
    raise SlaValueError(f"{where}: {echo(text)} is not a time of day; write e.g. '15:00'")


def format_time(t: dt.time) -> str:
    """``"15:00"``, or with seconds/microseconds when it has them."""
    if t.microsecond:
        return t.isoformat()
    return t.strftime("%H:%M:%S" if t.second else "%H:%M")
