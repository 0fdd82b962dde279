"""The adapter over ``holidays``: which days are holidays, which weekend days are make-up workdays.

``holidays`` is imported lazily (it costs ~150 ms) and read once per compiled year range, under a
lock: its objects fill in years lazily as a side effect of lookups and are not safe to share
between threads. Weekend make-up workdays (China's 调休) are kept apart from holidays, exactly as
the package keeps them (``weekend_workdays``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError

import attrs

from slacalc.errors import SlaValueError, UnknownCountryError, UnknownTimezoneError, echo

__all__ = ["HolidaySource", "resolve_zone"]

# Countries whose legal time is one zone although the IANA database lists several for them.
# China: the State Council's Beijing Time is the only legal time nationwide (Asia/Urumqi records a
# local custom, not a legal time).
_OFFICIAL_ZONE = {"CN": "Asia/Shanghai"}

_LOCK = threading.RLock()


def _holidays_module() -> Any:
    import holidays  # noqa: PLC0415 - imported lazily: it costs ~150 ms at import time

    return holidays


@cache
def supported_countries() -> dict[str, tuple[str, ...]]:
    """Country code -> its subdivision codes, as the installed ``holidays`` knows them."""
    with _LOCK:
        raw = _holidays_module().list_supported_countries()
    return {code: tuple(subdivs) for code, subdivs in raw.items()}


@cache
def _country_zones() -> dict[str, tuple[str, ...]]:
    """Country code -> IANA zones, from ``zone.tab`` (system tz database or the tzdata package)."""
    candidates = [Path(p) / "zone.tab" for p in TZPATH]
    try:
        from importlib import resources  # noqa: PLC0415 - only needed on this rare path

        candidates.append(Path(str(resources.files("tzdata") / "zoneinfo" / "zone.tab")))
    except (ModuleNotFoundError, TypeError):
        pass
    zones: dict[str, list[str]] = {}
    for path in candidates:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) >= 3:
                zones.setdefault(fields[0], []).append(fields[2])
        break
    return {code: tuple(z) for code, z in zones.items()}


def _zone(key: str) -> ZoneInfo:
    if not isinstance(key, str) or not key:
        raise UnknownTimezoneError(f"tz must be an IANA zone name like 'Asia/Shanghai', not {echo(key)}")
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise UnknownTimezoneError(
            f"tz {echo(key)} is not a known IANA time zone; use a name like 'Asia/Shanghai' or "
            "'America/New_York'"
        ) from exc


def resolve_zone(tz: object, country: str | None) -> ZoneInfo:
    """The calendar's zone: ``tz`` if given, else the country's only (or legal) zone."""
    if isinstance(tz, ZoneInfo):
        return tz
    if tz is dt.UTC:
        return ZoneInfo("UTC")
    if tz is not None:
        if not isinstance(tz, str):
            raise UnknownTimezoneError(
                f"tz must be an IANA zone name (str) or a zoneinfo.ZoneInfo, not {echo(tz)}"
            )
        return _zone(tz)
    if country is None:
        raise UnknownTimezoneError(
            "a calendar needs a time zone: give tz as an IANA zone name such as "
            "'Asia/Shanghai', or a country that has a single one (such as CN)"
        )
    if country in _OFFICIAL_ZONE:
        return _zone(_OFFICIAL_ZONE[country])
    zones = _country_zones().get(country, ())
    if len(zones) == 1:
        return _zone(zones[0])
    if not zones:
        raise UnknownTimezoneError(
            f"cannot tell the time zone of country {echo(country)}; give tz as an IANA zone "
            "name such as 'Europe/London'"
        )
    shown = ", ".join(repr(z) for z in zones[:6]) + (", ..." if len(zones) > 6 else "")
    raise UnknownTimezoneError(
        f"country {echo(country)} has {len(zones)} time zones ({shown}); choose one and give "
        "it as tz"
    )


def _check_country(country: str, subdiv: str | None) -> None:
    known = supported_countries()
    if country not in known:
        # the code in other letter case first (cn -> CN), then codes that look alike
        exact = [c for c in known if c.casefold() == country.casefold()]
        close = exact or difflib.get_close_matches(country.upper(), list(known), n=3)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownCountryError(
            f"country {echo(country)} is not known to the holidays package (ISO 3166-1 alpha-2 codes "
            f"such as 'CN', 'US', 'GB'){hint}"
        )
    if subdiv is not None and subdiv not in known[country]:
        subdivs = known[country]
        shown = ", ".join(subdivs[:12]) + (", ..." if len(subdivs) > 12 else "")
        raise UnknownCountryError(
            f"subdiv {echo(subdiv)} is not a subdivision of {echo(country)}"
            + (f"; known: {shown}" if subdivs else f"; {echo(country)} has none")
        )


@attrs.frozen
class YearData:
    """What one range of years holds: holiday names and weekend make-up workdays."""

    holidays: dict[dt.date, str]
    workdays: frozenset[dt.date]


@attrs.frozen
class HolidaySource:
    """Holiday data for one country (and subdivision), with the user's overlays.

    ``weekend`` is the country's weekly rest days (Monday=0); ``verified_from`` and
    ``verified_through`` the first and last years whose schedule the data vouches for (``None``:
    no holiday data is involved at all).
    """

    country: str | None
    subdiv: str | None
    weekend: frozenset[int]
    verified_through: int | None
    verified_from: int | None = None

    @classmethod
    def create(cls, country: str | None, subdiv: str | None) -> HolidaySource:
        if country is None:
            if subdiv is not None:
                raise UnknownCountryError(f"subdiv {echo(subdiv)} was given without a country")
            return cls(None, None, frozenset({5, 6}), None, None)
        if not isinstance(country, str):
            raise UnknownCountryError(f"country must be a code like 'CN', not {echo(country)}")
        if subdiv is not None and not isinstance(subdiv, str):
            raise UnknownCountryError(f"subdiv must be a code like 'CA', not {echo(subdiv)}")
        _check_country(country, subdiv)
        with _LOCK:
            probe = _holidays_module().country_holidays(country, subdiv=subdiv)
            weekend = frozenset(probe.weekend)
            verified = _verified_through(probe)
            since = _verified_from(probe)
            code = str(getattr(probe, "country", country))  # alpha-3 aliases -> alpha-2
        return cls(code, subdiv, weekend, verified, since)

    def read(self, first_year: int, last_year: int) -> YearData:
        """Holidays and make-up workdays dated within ``[first_year, last_year]``."""
        if self.country is None:
            return YearData({}, frozenset())
        lo, hi = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
        with _LOCK:
            # A year's official notice may list make-up workdays late in the previous year
            # (e.g. Saturday 2001-12-29 in the 2002 notice): read one year past the range.
            data = _holidays_module().country_holidays(
                self.country, subdiv=self.subdiv, years=range(first_year, last_year + 2)
            )
            names = {day: _iso_dates(name) for day, name in data.items() if lo <= day <= hi}
            workdays = frozenset(d for d in getattr(data, "weekend_workdays", ()) if lo <= d <= hi)
        return YearData(names, workdays)


_US_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")


def _iso_dates(label: str) -> str:
    """A holiday label with its dates in ISO form: ``"substituted from 2026-09-20"``, not the
    package's US-style ``09/20/2026``."""
    return _US_DATE.sub(r"\3-\1-\2", label) if "/" in label else label


def _published_years(probe: Any) -> list[int]:
    """Years with officially published entries (bridge days, swapped days) in the data."""
    published: list[int] = []
    for attr in ("special_public_holidays", "special_holidays", "substituted_holidays"):
        table = getattr(probe, attr, None)
        if isinstance(table, dict):
            published.extend(y for y in table if isinstance(y, int))
    return published


def _verified_from(probe: Any) -> int:
    """The first year the data vouches for: the mirror of :func:`_verified_through`.

    The package computes a country's holidays from its ``start_year`` on (China: 1950). For
    countries whose schedule is published a year at a time, the years before the first
    published schedule have no bridge days or make-up workdays (China's first is 2001: the
    data knows no 1999 or 2000 Golden Week), so the data vouches only from that year.
    """
    start = int(getattr(probe, "start_year", 1))
    if not getattr(probe, "has_substituted_holidays", False):
        return start
    published = _published_years(probe)
    return max(start, min(published)) if published else start


def _verified_through(probe: Any) -> int:
    """The last year the data vouches for.

    Countries whose official schedule is published a year at a time (swapped days, 调休) are
    vouched for through the last year that has such published entries; countries whose holidays
    follow fixed rules are vouched for as far as the package computes them.
    """
    end_year = int(getattr(probe, "end_year", 2100))
    if not getattr(probe, "has_substituted_holidays", False):
        return end_year
    published = _published_years(probe)
    return max(published) if published else end_year


def as_dates(values: Iterable[object], *, name: str) -> frozenset[dt.date]:
    """Validate a collection of dates (``date`` objects or ISO strings)."""
    if isinstance(values, (str, bytes, dt.date)):
        raise SlaValueError(f"{name} must be a collection of dates, not a single {echo(values)}")
    out: set[dt.date] = set()
    try:
        items = list(values)
    except TypeError:
        raise SlaValueError(f"{name} must be a collection of dates, not {echo(values)}") from None
    for value in items:
        if isinstance(value, dt.datetime):
            raise SlaValueError(f"{name}: {echo(value)} is a datetime; pass its .date()")
        if isinstance(value, dt.date):
            out.add(value)
        elif isinstance(value, str):
            try:
                out.add(dt.date.fromisoformat(value))
            except ValueError:
                raise SlaValueError(f"{name}: {echo(value)} is not an ISO date (YYYY-MM-DD)") from None
        else:
            raise SlaValueError(f"{name}: {echo(value)} is not a date")
    return frozenset(out)
