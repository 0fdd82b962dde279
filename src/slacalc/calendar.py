"""Business-time calendars: construction, day arithmetic, and datetime <-> core conversion.

>>> import datetime as dt
>>> import slacalc as sla
>>> cal = sla.Calendar.from_coverage("5x8", country="CN")
>>> start = dt.datetime(2026, 9, 30, 15, 1, tzinfo=cal.tz)
>>> cal.add(start, dt.timedelta(hours=4))          # 1h59m that day, the rest after National Day
datetime.datetime(2026, 10, 8, 11, 1, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
>>> cal.is_business_day(dt.date(2026, 10, 10))     # a make-up Saturday (调休)
True
>>> cal.add_business_days(dt.date(2026, 10, 5), 0) # "due on the 5th, postponed past holidays"
datetime.date(2026, 10, 8)
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import sys
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache, lru_cache, partial
from itertools import islice
from math import gcd
from typing import Any, Literal, overload
from zoneinfo import ZoneInfo

import attrs

from slacalc._durations import parse_duration, parse_time
from slacalc._holidays import HolidaySource, as_dates, resolve_zone
from slacalc._timeline import (
    BUCKETS_PER_CASE,
    EPOCH,
    MAX_YEAR,
    MIN_YEAR,
    US,
    Rules,
    Snapshot,
    Timeline,
    shared_timeline,
)
from slacalc.coverage import Coverage, Hours
from slacalc.errors import (
    CoverageError,
    DurationError,
    HorizonError,
    HorizonWarning,
    NaiveDatetimeError,
    OutOfRangeError,
    SlaValueError,
    echo,
)

__all__ = ["Calendar", "DayInfo", "Segment"]

_ONE_US = dt.timedelta(microseconds=1)
_fromtimestamp = dt.datetime.fromtimestamp
_MIN_US = (dt.datetime(MIN_YEAR, 1, 2, tzinfo=dt.UTC) - EPOCH) // dt.timedelta(microseconds=1)
_MAX_US = (dt.datetime(MAX_YEAR, 12, 31, tzinfo=dt.UTC) - EPOCH) // dt.timedelta(microseconds=1)
_DAY_KIND_TEXT = {
    "business": "business day",
    "makeup": "make-up workday",
    "holiday": "holiday",
    "weekend": "weekend",
    "extra_holiday": "extra holiday",
    "extra_workday": "extra workday",
}


def _to_us(t: object, name: str) -> int:
    """POSIX microseconds of an aware datetime; clear errors for anything else."""
    if not isinstance(t, dt.datetime):
        raise SlaValueError(f"{name} must be an aware datetime, not {echo(t)}")
    if t.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{name}={echo(t)} is naive: slacalc needs the instant, so attach a zone, e.g. "
            f"{name}.replace(tzinfo=ZoneInfo('Asia/Shanghai'))"
        )
    td = t - EPOCH
    us = (td.days * 86_400 + td.seconds) * US + td.microseconds
    if not _MIN_US <= us <= _MAX_US:
        raise OutOfRangeError(
            f"{name}={t.isoformat()} is outside the years slacalc can compute "
            f"({MIN_YEAR}-{MAX_YEAR})"
        )
    return us


def _to_duration(d: object, name: str = "duration") -> dt.timedelta:
    """A timedelta, or a duration string read as policy files read it (``"4h"``, ``"PT4H"``)."""
    if isinstance(d, str):
        return parse_duration(d, where=name)
    if not isinstance(d, dt.timedelta):
        raise DurationError(
            f"{name} must be a datetime.timedelta or a duration string such as '4h', "
            f"not {echo(d)}"
        )
    return d


def _to_duration_us(d: object, name: str = "duration") -> int:
    d = _to_duration(d, name)
    us = (d.days * 86_400 + d.seconds) * US + d.microseconds
    if us < 0:
        raise DurationError(f"{name}={echo(d)} is negative; deadlines only move forward")
    return us


def _check_date(day: object, name: str = "day") -> dt.date:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise SlaValueError(
            f"{name} must be a datetime.date, not {echo(day)}"
            + (" (pass .date(), or use effective_day for an instant)"
               if isinstance(day, dt.datetime) else "")
        )
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise OutOfRangeError(
            f"{name}={day.isoformat()} is outside the years slacalc can compute "
            f"({MIN_YEAR}-{MAX_YEAR})"
        )
    return day


def _check_time(value: object, name: str) -> dt.time:
    if not isinstance(value, dt.time):
        raise SlaValueError(
            f"{name} must be a datetime.time such as time(15) or a string such as '15:00', "
            f"not {echo(value)}"
        )
    if value.tzinfo is not None:
        raise SlaValueError(
            f"{name}={echo(value)} has a tzinfo; times of day are read in the calendar's own zone"
        )
    return value


def _int_list(values: Iterable[Any], name: str) -> list[Any]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise SlaValueError(f"{name} must be a list of datetimes or of int POSIX seconds")
    return values if isinstance(values, list) else list(values)


def _bad_element(values: Sequence[Any], name: str, want: type) -> SlaValueError:
    """Find the first element that is not of the batch's kind and say which it is."""
    lo, hi = _MIN_US // US, _MAX_US // US
    for i, v in enumerate(values):
        if want is int:
            ok = isinstance(v, int) and not isinstance(v, bool)
        else:
            ok = isinstance(v, dt.datetime) and v.utcoffset() is not None
        if not ok:
            kind = "int POSIX seconds" if want is int else "aware datetimes"
            why = " (a bool is not a number of seconds)" if isinstance(v, bool) else ""
            return SlaValueError(
                f"{name}[{i}]={echo(v)}: a batch must be all {kind} (the first element "
                f"decides){why}"
            )
        if want is int and not lo <= v <= hi:
            return OutOfRangeError(
                f"{name}[{i}]={echo(v)} is outside the years slacalc can compute "
                f"({MIN_YEAR}-{MAX_YEAR}: POSIX seconds {lo}..{hi})"
            )
    return SlaValueError(f"{name}: a value is outside the years slacalc can compute")


@attrs.frozen
class Segment:
    """A piece of an interval, counted as covered time or skipped, and why.

    ``reason`` reads like ``"09:00-17:00 business day"``, ``"weekend"``, ``"holiday: National
    Day"``, ``"outside hours"`` or ``"make-up workday"``.
    """

    start: dt.datetime
    end: dt.datetime
    counted: bool
    reason: str

    @property
    def duration(self) -> dt.timedelta:
        """Real elapsed time, measured in UTC (across a DST change, wall readings would mislead)."""
        return self.end.astimezone(dt.UTC) - self.start.astimezone(dt.UTC)

    def __str__(self) -> str:
        mark = "counted" if self.counted else "skipped"
        return (
            f"{self.start:%Y-%m-%d %a %H:%M} -> {self.end:%Y-%m-%d %a %H:%M}  {mark:7s} "
            f"{_fmt_td(self.duration):>9s}  {self.reason}"
        )


@attrs.frozen
class DayInfo:
    """What a calendar says about one local day."""

    day: dt.date
    business: bool
    kind: str
    name: str | None
    windows: tuple[tuple[dt.datetime, dt.datetime], ...]

    def __str__(self) -> str:
        text = _DAY_KIND_TEXT.get(self.kind, self.kind)
        return f"{text}: {self.name}" if self.name else text


def _fmt_td(td: dt.timedelta) -> str:
    total = int(td.total_seconds())
    h, rest = divmod(total, 3600)
    return f"{h}h{rest // 60:02d}m" + (f"{rest % 60:02d}s" if rest % 60 else "")


@attrs.frozen(init=False)
class Calendar:
    """A time zone, a rule for covered days, and daily windows of local wall-clock time.

    Args:
        tz: IANA zone name or ``ZoneInfo``; required unless ``country`` has a single legal zone.
        country: ISO code known to ``holidays`` (``"CN"``, ``"US"``); ``None``: no holidays,
            Monday-Friday are business days.
        subdiv: the country's subdivision code, if any (``"CA"`` for California).
        days: ``"business"`` (business days, including weekend make-up workdays) or ``"all"``
            (every calendar day, holidays included).
        hours: windows such as ``"09:00-12:00,13:30-18:00"`` (``24:00`` allowed as an end), or a
            mapping per weekday: ``{"mon-fri": "09:00-18:00", "sat": "09:00-12:00"}`` (a listed
            weekend day is covered unless it is a holiday; key ``"makeup"`` sets the windows of
            make-up workdays).
        extra_holidays: dates to close beyond the country's data (a company shutdown, or the
            holidays of an official schedule published before the data package has it).
        extra_workdays: dates to open beyond the country's data (such a schedule's make-up
            workdays, a weekend the company works).
        strict: raise :class:`HorizonError` instead of warning past the data horizon.

    Business days never depend on ``days``: they are the country's working days (regular
    weekdays and make-up workdays, less holidays) with the overlays applied.
    """

    tz: ZoneInfo
    country: str | None
    subdiv: str | None
    days: str
    hours: Hours
    extra_holidays: frozenset[dt.date]
    extra_workdays: frozenset[dt.date]
    strict: bool
    _timeline: Timeline = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __init__(
        self,
        tz: str | ZoneInfo | None = None,
        country: str | None = None,
        days: Literal["business", "all"] | str = "business",
        hours: str | Mapping[str, str] | Hours = "09:00-17:00",
        *,
        subdiv: str | None = None,
        extra_holidays: Iterable[dt.date | str] = (),
        extra_workdays: Iterable[dt.date | str] = (),
        strict: bool = False,
    ) -> None:
        if days not in ("business", "all"):
            raise CoverageError(
                f"days={echo(days)} is not a day rule; use 'business' (business days, make-up "
                "workdays included) or 'all' (every calendar day)"
            )
        if not isinstance(strict, bool):
            raise SlaValueError(f"strict must be True or False, not {echo(strict)}")
        source = HolidaySource.create(country, subdiv)
        zone = resolve_zone(tz, source.country)
        parsed = Hours.parse(hours)
        if not any(parsed.for_weekday(w) for w in range(7)) and (
            not parsed.for_makeup(5) or days == "all" or (country is None and not extra_workdays)
        ):
            raise CoverageError(
                f"hours={echo(hours)} cover no time on any day"
                + (" (make-up windows only apply to make-up workdays of a country's data or "
                   "extra_workdays, with days='business')" if parsed.makeup else "")
            )
        closed = as_dates(extra_holidays, name="extra_holidays")
        opened = as_dates(extra_workdays, name="extra_workdays")
        both = sorted(closed & opened)
        if both:
            raise SlaValueError(
                f"{both[0].isoformat()} is in both extra_holidays and extra_workdays; choose one"
            )
        self.__attrs_init__(zone, source.country, subdiv, days, parsed, closed, opened, strict)
        # Equal calendars share one timeline per process: its tables are compiled once, however
        # many times the calendar is built or unpickled (once per task on a cluster's worker).
        key = (zone, source.country, source.subdiv, days, parsed, closed, opened)
        object.__setattr__(self, "_timeline", shared_timeline(
            key, lambda: Rules(zone, days, parsed, source, closed, opened)))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the calendar's definition only (a few hundred bytes, no compiled tables): the
        unpickled calendar shares the process's timeline for these rules.

        >>> import datetime as dt, pickle
        >>> cal = Calendar.from_coverage("5x8", country="CN")
        >>> _ = cal.add(dt.datetime(2026, 10, 9, 10, tzinfo=cal.tz), "4h")  # compiles 2025-2027
        >>> len(pickle.dumps(cal)) < 600, pickle.loads(pickle.dumps(cal)) == cal
        (True, True)
        """
        return (_calendar, (self.tz.key or self.tz, self.country, self.subdiv, self.days,
                            self.hours, tuple(sorted(self.extra_holidays)),
                            tuple(sorted(self.extra_workdays)), self.strict))

    @classmethod
    def from_coverage(
        cls,
        spec: str | Coverage,
        country: str | None = None,
        tz: str | ZoneInfo | None = None,
        *,
        subdiv: str | None = None,
        hours: str | Mapping[str, str] | Hours | None = None,
        extra_holidays: Iterable[dt.date | str] = (),
        extra_workdays: Iterable[dt.date | str] = (),
        strict: bool = False,
    ) -> Calendar:
        """A calendar from a contract's coverage spec: ``5x8``, ``7x24``, ``8*5``, ``5x8xNBD``.

        ``5`` covers business days, ``6`` business days and Saturdays, ``7`` every day;
        ``8`` hours default to 09:00-17:00 and ``24`` to the whole day.

        A spare-part service level's third part (``NBD``, ``ND``, a number of hours) is a
        delivery promise, not part of the calendar: ``from_coverage("5x8xNBD")`` is the
        calendar its promise is kept on, the same as ``from_coverage("5x8")``. For the promise
        itself, use :meth:`Target.parse` with the same arguments.

        >>> Calendar.from_coverage("24x7", tz="Asia/Shanghai")
        Calendar.from_coverage('7x24', tz='Asia/Shanghai')
        >>> Calendar.from_coverage("5x8xNBD", country="CN") == Calendar.from_coverage("5x8", country="CN")
        True
        """
        coverage = Coverage.parse(spec)
        if hours is None:
            windows = coverage.default_hours()
        elif coverage.days == 6 and isinstance(hours, str):
            windows = Hours.parse({"mon-sat": hours})
        else:
            windows = Hours.parse(hours)
        return cls(
            tz=tz,
            country=country,
            days=coverage.day_rule(),
            hours=windows,
            subdiv=subdiv,
            extra_holidays=extra_holidays,
            extra_workdays=extra_workdays,
            strict=strict,
        )

    def __repr__(self) -> str:
        """One line that evaluates back to an equal calendar (with ``Calendar`` in scope).

        >>> Calendar.from_coverage("6x8", country="CN")
        Calendar.from_coverage('6x8', country='CN')
        >>> Calendar(tz="UTC", hours="08:00-12:00", extra_holidays=["2026-12-24"])
        Calendar(tz='UTC', hours='08:00-12:00', extra_holidays=['2026-12-24'])
        """
        spec = self._coverage_spec()
        args: list[str] = [repr(spec)] if spec else []
        if self.country is not None:
            args.append(f"country={self.country!r}")
        if self.subdiv is not None:
            args.append(f"subdiv={self.subdiv!r}")
        if not self._zone_is_implied():
            key = self.tz.key
            args.append(f"tz={key!r}" if key else f"tz={self.tz!r}")
        if not spec:
            if self.days != "business":
                args.append(f"days={self.days!r}")
            args.append(f"hours={_hours_spec(self.hours)!r}")
        for name in ("extra_holidays", "extra_workdays"):
            dates = getattr(self, name)
            if dates:
                args.append(f"{name}={[d.isoformat() for d in sorted(dates)]!r}")
        if self.strict:
            args.append("strict=True")
        head = "Calendar.from_coverage" if spec else "Calendar"
        return f"{head}({', '.join(args)})"

    def __str__(self) -> str:
        """A one-sentence description: zone, covered days and hours, holidays.

        >>> print(Calendar.from_coverage("5x8", country="CN"))
        Asia/Shanghai, business days 09:00-17:00, CN holidays
        >>> print(Calendar.from_coverage("7x24", tz="UTC", extra_holidays=["2026-12-24"]))
        UTC, every day 00:00-24:00, 1 extra holiday
        """
        days = "business days" if self.days == "business" else "every day"
        text = f"{self.tz.key or self.tz}, {days} {self.hours.describe()}"
        if self.country:
            text += f", {self.country}" + (f"-{self.subdiv}" if self.subdiv else "") + " holidays"
        for dates, what in ((self.extra_holidays, "extra holiday"),
                            (self.extra_workdays, "extra workday")):
            if dates:
                text += f", {len(dates)} {what}" + ("s" if len(dates) > 1 else "")
        return text + (", strict about the data horizon" if self.strict else "")

    def _coverage_spec(self) -> str | None:
        """The ``DxH`` spec whose default hours are this calendar's, if there is one."""
        for spec in _SHORT_SPECS[self.days]:
            if self.hours == _spec_hours(spec):
                return spec
        return None

    def _zone_is_implied(self) -> bool:
        """Whether the country alone gives this calendar's zone (so ``tz=`` can be left out)."""
        if self.country is None:
            return False
        try:
            return resolve_zone(None, self.country) == self.tz
        except SlaValueError:
            return False

    def _repr_html_(self) -> str:
        from slacalc import views  # noqa: PLC0415 - the notebook view is loaded on first use

        return views.calendar_html(self)

    def view(self, year: int, month: int | None = None) -> Any:
        """A month (or, without ``month``, a year) as a grid to show in a notebook: holidays by
        name, weekend make-up workdays and covered hours (see :func:`slacalc.views.month_html`).

        >>> "National Day" in str(Calendar.from_coverage("5x8", country="CN").view(2026, 10))
        True
        """
        from slacalc import views  # noqa: PLC0415 - the notebook view is loaded on first use

        return views.HTML(views.month_html(self, year, month))

    # -- the data horizon ---------------------------------------------------------------------
    @property
    def verified_through(self) -> int | None:
        """The last year the holiday data vouches for (``None``: no holiday data involved).

        >>> Calendar.from_coverage("5x8", country="CN").verified_through >= 2026
        True
        """
        return self._timeline.rules.holidays.verified_through

    @property
    def verified_from(self) -> int | None:
        """The first year the holiday data vouches for (``None``: no holiday data involved).

        Before it, the data lacks the country's official schedule (for China, whose schedule
        is published a year at a time, the first published year is 2001: the data knows no
        1999 Golden Week), so days there warn like days past :attr:`verified_through`.

        >>> Calendar.from_coverage("5x8", country="CN").verified_from
        2001
        """
        return self._timeline.rules.holidays.verified_from

    def _past_horizon(self, year: int, what: str) -> None:
        """Warn, or raise with ``strict=True``: ``what`` used ``year``, outside the years the
        holiday data vouches for (past ``verified_through`` or before ``verified_from``)."""
        source = self._timeline.rules.holidays
        vt, vf = source.verified_through, source.verified_from
        if vt is not None and year > vt:
            message = (
                f"{what} uses {year}, past {vt}, the last year the {self.country} holiday data "
                f"vouches for: official bridge days and make-up workdays of {year} are not in "
                "it. Add them with extra_holidays= / extra_workdays=, or upgrade the holidays "
                "package."
            )
        elif vf is not None and year < vf:
            message = (
                f"{what} uses {year}, before {vf}, the first year the {self.country} holiday "
                f"data vouches for: the official holidays, bridge days and make-up workdays of "
                f"{year} are not (all) in it, so its days may be counted wrongly. Add them with "
                "extra_holidays= / extra_workdays=, or keep to the years the data vouches for."
            )
        else:
            return
        if self.strict:
            raise HorizonError(message)
        warnings.warn(message, HorizonWarning, stacklevel=_caller_level())

    def _check_instant(self, us: int, what: str, *, end: bool = False) -> None:
        """The horizon check for an instant that entered a covered-time computation.

        With ``end=True`` the instant is an exclusive end (a deadline, the end of an interval):
        ending exactly at the local midnight that starts the first unvouched year uses no day
        of that year.
        """
        horizon = self._timeline.rules.coverage_horizon * US
        if us > horizon or (us == horizon and not end):
            self._past_horizon(self._local_year(us - end), what)

    def _check_start(self, us: int, what: str) -> None:
        """The lower horizon check for the earliest instant of a covered-time computation."""
        if us < self._timeline.rules.coverage_floor * US:
            self._past_horizon(self._local_year(us), what)

    def _check_span(self, lo_us: int, hi_us: int, what: str, *, end: bool = True) -> None:
        """Both horizon checks for a computation that used ``[lo_us, hi_us]``."""
        self._check_start(lo_us, what)
        self._check_instant(hi_us, what, end=end)

    def _check_day_start(self, us: int, what: str) -> None:
        """The lower horizon check for a start whose local day enters business-day arithmetic."""
        if us // US < self._timeline.rules.day_floor:
            self._past_horizon(self._local_year(us), what)

    def _check_day_instant(self, us: int, what: str) -> None:
        """The horizon check for an instant that came from business-day arithmetic."""
        if us // US >= self._timeline.rules.day_horizon:
            self._past_horizon(self._local_year(us), what)

    def _local_year(self, us: int) -> int:
        return self._out(us).year

    # -- conversions -------------------------------------------------------------------------
    def _in(self, t: dt.datetime, name: str) -> int:
        """POSIX µs of an aware datetime: the fast path, with ``_to_us`` explaining failures."""
        try:
            us = (t - EPOCH) // _ONE_US
        except TypeError:
            return _to_us(t, name)
        if not _MIN_US <= us <= _MAX_US:
            return _to_us(t, name)
        return us

    def _out(self, us: int) -> dt.datetime:
        """The aware datetime, in the calendar's zone (fold set by ``fromutc``), of POSIX µs."""
        s, frac = divmod(us, US)
        if s >= 0:
            out = dt.datetime.fromtimestamp(s, self.tz)
            return out.replace(microsecond=frac) if frac else out
        return (EPOCH + dt.timedelta(microseconds=us)).astimezone(self.tz)

    def _snap_years(self, first: int, last: int) -> Snapshot:
        return self._timeline.years(first, last)

    # -- instants ----------------------------------------------------------------------------
    def add(self, t: dt.datetime, duration: dt.timedelta | str) -> dt.datetime:
        """The earliest instant ``x >= t`` with exactly ``duration`` of covered time in ``[t, x)``.

        A deadline that uses up a window exactly is that window's end, never the next opening;
        a start outside coverage starts its clock at the next opening; ``add(t, 0) == t``.
        ``duration`` is a ``timedelta`` or a string as policy files write it (``"4h"``,
        ``"2h30m"``, ISO 8601 ``"PT4H"``).

        >>> import datetime as dt
        >>> cal = Calendar.from_coverage("5x8", country="CN")
        >>> cal.add(dt.datetime(2026, 10, 10, 8, tzinfo=cal.tz), dt.timedelta(hours=8))
        datetime.datetime(2026, 10, 10, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
        >>> cal.add(dt.datetime(2026, 10, 10, 8, tzinfo=cal.tz), "PT8H")
        datetime.datetime(2026, 10, 10, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
        """
        # The hot path, inlined: the instant in, two bisections, one fromtimestamp out;
        # anything unusual (bad input, d <= 0, outside the compiled years, past the data
        # horizon) takes the slow path, which validates and explains.
        (lo, hi, starts, ends, cum, cumend, total, horizon, zone, base, ord0,
         midnight) = self._timeline.fast
        try:
            d_us = duration // _ONE_US if type(duration) is dt.timedelta else -1
            if t.tzinfo is zone and 0 <= (k := t.toordinal() - ord0) < len(midnight) and (
                (m := midnight[k]) is not None
            ):  # a day without offset change in the calendar's own zone: wall fields suffice
                t_us = (m + t.hour * 3600 + t.minute * 60 + t.second) * US + t.microsecond
            else:
                t_us = (t - EPOCH) // _ONE_US
        except (TypeError, AttributeError):
            return self._add_slow(t, duration)
        if d_us > 0 and lo <= t_us < hi:
            i = bisect_right(ends, t_us)
            target = (base[i] + t_us if t_us > starts[i] else cum[i]) + d_us
            if target <= total:
                result = target - base[bisect_left(cumend, target)]
                if result <= horizon:
                    r_s, frac = divmod(result, US)
                    out = _fromtimestamp(r_s, zone)
                    return out.replace(microsecond=frac) if frac else out
        return self._add_slow(t, duration)

    def _add_slow(self, t: dt.datetime, duration: dt.timedelta | str) -> dt.datetime:
        """``add`` with every check spelled out: validation, extension, the horizon."""
        t_us = _to_us(t, "t")
        d_us = _to_duration_us(duration)
        if d_us == 0:
            return self._out(t_us)
        result = self._add_us(t_us, d_us)
        self._check_span(t_us, result, "add")
        return self._out(result)

    # -- kernels on POSIX microseconds: no validation and no horizon check (callers do both) --
    def _add_us(self, t_us: int, d_us: int) -> int:
        """``add`` on microseconds, ``d_us >= 0``."""
        if d_us == 0:
            return t_us
        tl = self._timeline
        snap = tl._snap
        result = None
        if snap is not None and snap.lo_us <= t_us < snap.hi_us:
            result = snap.add_us(t_us, d_us)
        if result is None:
            snap, target = tl.reaching(t_us, d_us)
            result = snap.inv_us(target)
        return result

    def _subtract_us(self, t_us: int, d_us: int) -> int:
        """``subtract`` on microseconds, ``d_us >= 0``."""
        if d_us == 0:
            return t_us
        t_s = t_us // US
        snap = self._timeline.around(t_s, t_s)
        while True:
            p = snap.pos_us(t_us) - d_us
            if p >= 0:
                return snap.latest_us(p)
            if snap.first_year <= MIN_YEAR:
                raise DurationError(
                    f"a duration of {dt.timedelta(microseconds=d_us)} before "
                    f"t={self._out(t_us).isoformat()} reaches before {MIN_YEAR}, the first year "
                    "slacalc computes"
                )
            span = snap.last_year - snap.first_year + 1
            snap = self._snap_years(max(MIN_YEAR, snap.first_year - span), snap.last_year)

    def _elapsed_us(self, a_us: int, b_us: int) -> int:
        """``elapsed`` on microseconds."""
        snap = self._timeline.around(min(a_us, b_us) // US, max(a_us, b_us) // US)
        return snap.pos_us(b_us) - snap.pos_us(a_us)

    def _is_open_us(self, t_us: int) -> bool:
        """``is_open`` on microseconds."""
        return self._timeline.around(t_us // US, t_us // US).open_at(t_us)[0]

    def _next_open_us(self, t_us: int) -> int:
        """``next_open`` on microseconds."""
        snap = self._timeline.around(t_us // US, t_us // US)
        while True:
            is_open, i = snap.open_at(t_us)
            if is_open:
                return t_us
            if i < len(snap.starts):
                return snap.starts[i] * US
            if snap.last_year >= MAX_YEAR:
                raise OutOfRangeError(
                    f"the calendar does not open between t={self._out(t_us).isoformat()} and "
                    f"the end of {MAX_YEAR}, the last year slacalc computes"
                )
            snap = self._snap_years(snap.first_year, snap.last_year + 1)

    def subtract(self, t: dt.datetime, duration: dt.timedelta | str) -> dt.datetime:
        """The latest instant ``x <= t`` with exactly ``duration`` of covered time in ``[x, t)``.

        The mirror of :meth:`add`, for "warn one business hour before the deadline":
        ``elapsed(subtract(t, d), t) == d``; ``subtract(t, 0) == t``. A point that falls exactly
        at the end of a window is reported as the next window's start (the latest such instant).

        >>> import datetime as dt
        >>> cal = Calendar.from_coverage("5x8", country="CN")
        >>> cal.subtract(dt.datetime(2026, 10, 8, 10, tzinfo=cal.tz), dt.timedelta(hours=2))
        datetime.datetime(2026, 9, 30, 16, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
        >>> cal.subtract(dt.datetime(2026, 10, 8, 10, tzinfo=cal.tz), "2h")
        datetime.datetime(2026, 9, 30, 16, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
        """
        t_us = _to_us(t, "t")
        d_us = _to_duration_us(duration)
        result = self._subtract_us(t_us, d_us)
        if d_us:
            self._check_span(result, t_us, "subtract")
        return self._out(result)

    def elapsed(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Covered time in ``[a, b)``; negative when ``b < a`` (``elapsed(b, a) == -elapsed(a, b)``).

        >>> import datetime as dt
        >>> cal = Calendar.from_coverage("5x8", country="CN")
        >>> cal.elapsed(dt.datetime(2026, 9, 30, 16, tzinfo=cal.tz),
        ...             dt.datetime(2026, 10, 8, 10, tzinfo=cal.tz))
        datetime.timedelta(seconds=7200)
        """
        a_us, b_us = self._in(a, "a"), self._in(b, "b")
        used = self._elapsed_us(a_us, b_us)
        self._check_span(min(a_us, b_us), max(a_us, b_us), "elapsed")
        return dt.timedelta(microseconds=used)

    def is_open(self, t: dt.datetime) -> bool:
        """Whether ``t`` is covered: true on ``[window start, window end)``."""
        t_us = _to_us(t, "t")
        self._check_start(t_us, "is_open")
        self._check_instant(t_us, "is_open")
        return self._is_open_us(t_us)

    def next_open(self, t: dt.datetime) -> dt.datetime:
        """``t`` itself when covered, else the start of the next window."""
        t_us = _to_us(t, "t")
        result = self._next_open_us(t_us)
        self._check_span(t_us, result, "next_open", end=False)
        return self._out(result)

    # -- days --------------------------------------------------------------------------------
    def _day_snap(self, ordinal: int, what: str) -> Snapshot:
        year = dt.date.fromordinal(ordinal).year
        snap = self._snap_years(year, year)
        self._past_horizon(year, what)
        return snap

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a business day: a working weekday or make-up workday, not a holiday.

        >>> import datetime as dt
        >>> cal = Calendar.from_coverage("5x8", country="CN")
        >>> cal.is_business_day(dt.date(2026, 10, 8)), cal.is_business_day(dt.date(2026, 10, 7))
        (True, False)
        """
        o = _check_date(day).toordinal()
        snap = self._day_snap(o, "is_business_day")
        return bool(snap.business[o - snap.ord0])

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day after ``day``."""
        return self.add_business_days(day, 1)

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th business day after ``day`` (n > 0), before it (n < 0), or ``day`` rolled
        forward to a business day (n == 0: "postponed past holidays", 节假日顺延).

        >>> import datetime as dt
        >>> cal = Calendar.from_coverage("5x8", country="CN")
        >>> cal.add_business_days(dt.date(2026, 2, 13), 10)   # across the Spring Festival
        datetime.date(2026, 3, 5)
        """
        o = _check_date(day).toordinal()
        if isinstance(n, bool) or not isinstance(n, int):
            raise SlaValueError(f"n must be an int number of business days, not {echo(n)}")
        if abs(n) > 366 * (MAX_YEAR - MIN_YEAR):
            raise DurationError(
                f"n={echo(n)} business days reaches beyond the years slacalc computes "
                f"({MIN_YEAR}-{MAX_YEAR})"
            )
        try:
            result = self._nth_business_ordinal(o, n)
        except OutOfRangeError:
            raise OutOfRangeError(
                f"n={n} business days {'after' if n >= 0 else 'before'} day={day.isoformat()} "
                f"reaches {'past the end' if n >= 0 else 'before the start'} of "
                f"{MAX_YEAR if n >= 0 else MIN_YEAR}, the years slacalc computes; use a "
                "smaller n"
            ) from None
        years = (day.year, dt.date.fromordinal(result).year)
        self._past_horizon(max(years), "add_business_days")
        self._past_horizon(min(years), "add_business_days")
        return dt.date.fromordinal(result)

    def _nth_business_ordinal(self, o: int, n: int) -> int:
        year = dt.date.fromordinal(o).year
        # at least ~100 business days a year in any real calendar: read generously, then widen
        span = abs(n) // 100 + 1
        first, last = (year - span, year + 1) if n < 0 else (year - 1, year + span)
        snap = self._snap_years(max(MIN_YEAR, first), min(MAX_YEAR, last))
        while True:
            found = snap.nth_business(o, n)
            if found is not None:
                return found
            if n >= 0:
                if snap.last_year >= MAX_YEAR:
                    raise OutOfRangeError(f"no such business day before the end of {MAX_YEAR}")
                snap = self._snap_years(snap.first_year, min(MAX_YEAR, snap.last_year + span))
            else:
                if snap.first_year <= MIN_YEAR:
                    raise OutOfRangeError(f"no such business day after the start of {MIN_YEAR}")
                snap = self._snap_years(max(MIN_YEAR, snap.first_year - span), snap.last_year)

    def effective_day(self, t: dt.datetime, cutoff: dt.time | str) -> dt.date:
        """The day a case is served under a cutoff rule.

        The local date of ``t`` if it is a business day and the local time is strictly before
        ``cutoff``; otherwise the next business day.

        >>> import datetime as dt
        >>> cal = Calendar.from_coverage("5x8", country="CN")
        >>> cal.effective_day(dt.datetime(2026, 9, 30, 15, 0, tzinfo=cal.tz), dt.time(15))
        datetime.date(2026, 10, 8)
        """
        t_us = _to_us(t, "t")
        cutoff = _check_time(parse_time(cutoff, where="cutoff") if isinstance(cutoff, str) else cutoff,
                             "cutoff")
        local = self._out(t_us)
        day = local.date()
        if local.time() < cutoff and self.is_business_day(day):
            return day
        return self.next_business_day(day)

    def describe_day(self, day: dt.date) -> DayInfo:
        """Why a day is or is not a business day, and its covered windows.

        >>> import datetime as dt
        >>> str(Calendar.from_coverage("5x8", country="CN").describe_day(dt.date(2026, 10, 10)))
        'make-up workday'
        """
        o = _check_date(day).toordinal()
        snap = self._day_snap(o, "describe_day")
        k = o - snap.ord0
        kind = snap.kinds[k]
        m0, m1 = snap.midnights[k], snap.midnights[k + 1]
        i = bisect_right(snap.ends, m0)
        windows = []
        while i < len(snap.starts) and snap.starts[i] < m1:
            s, e = max(snap.starts[i], m0), min(snap.ends[i], m1)
            windows.append((self._out(s * US), self._out(e * US)))
            i += 1
        name = snap.holiday_names.get(day) if kind == "holiday" else None
        return DayInfo(day, bool(snap.business[k]), kind, name, tuple(windows))

    # -- explaining an interval ---------------------------------------------------------------
    def segments(self, a: dt.datetime, b: dt.datetime) -> list[Segment]:
        """Split ``[a, b)`` into counted (covered) and skipped pieces, each with its reason.

        >>> import datetime as dt
        >>> cal = Calendar.from_coverage("5x8", country="CN")
        >>> for s in cal.segments(dt.datetime(2026, 10, 9, 16, tzinfo=cal.tz),
        ...                       dt.datetime(2026, 10, 10, 10, tzinfo=cal.tz)):
        ...     print(s)
        2026-10-09 Fri 16:00 -> 2026-10-09 Fri 17:00  counted     1h00m  business day
        2026-10-09 Fri 17:00 -> 2026-10-10 Sat 09:00  skipped    16h00m  outside hours
        2026-10-10 Sat 09:00 -> 2026-10-10 Sat 10:00  counted     1h00m  make-up workday
        """
        a_us, b_us = _to_us(a, "a"), _to_us(b, "b")
        if b_us < a_us:
            raise SlaValueError(f"b={b.isoformat()} is before a={a.isoformat()}")
        snap = self._timeline.around(a_us // US, b_us // US)
        self._check_span(a_us, b_us, "segments")
        out: list[Segment] = []
        cursor = a_us
        i = bisect_right(snap.ends, a_us // US)
        while cursor < b_us:
            if i < len(snap.starts) and snap.starts[i] * US <= cursor:
                end = min(snap.ends[i] * US, b_us)
                # one counted piece per run of days that read alike (a 7x24 interval over a
                # holiday names the holiday)
                piece = cursor
                reason = self._day_reason(snap, piece)
                k = snap.day_index(piece // US) + 1
                while k < len(snap.midnights) and snap.midnights[k] * US < end:
                    cut = snap.midnights[k] * US
                    following = self._day_reason(snap, cut)
                    if following != reason:
                        out.append(Segment(self._out(piece), self._out(cut), True, reason))
                        piece, reason = cut, following
                    k += 1
                out.append(Segment(self._out(piece), self._out(end), True, reason))
                cursor = end
                i += 1
            else:
                nxt = snap.starts[i] * US if i < len(snap.starts) else b_us
                end = min(nxt, b_us)
                out.append(Segment(self._out(cursor), self._out(end), False,
                                   self._gap_reason(snap, cursor, end)))
                cursor = end
        return out

    def _day_reason(self, snap: Snapshot, us: int) -> str:
        k = snap.day_index(us // US)
        kind = snap.kinds[k]
        day = dt.date.fromordinal(snap.ord0 + k)
        if self.days == "all":  # every day is covered alike; say what the day is, if special
            if kind == "holiday":
                return f"covered (holiday: {snap.holiday_names.get(day, '')})"
            return "covered" if kind in ("business", "weekend") else f"covered ({_DAY_KIND_TEXT.get(kind, kind)})"
        if kind == "holiday":
            return f"holiday: {snap.holiday_names.get(day, '')}"
        return _DAY_KIND_TEXT.get(kind, kind)

    def _gap_reason(self, snap: Snapshot, a_us: int, b_us: int) -> str:
        k0 = snap.day_index(a_us // US)
        k1 = snap.day_index((b_us - 1) // US)
        reasons: list[str] = []
        for k in range(k0, k1 + 1):
            kind = snap.kinds[k]
            if kind in ("business", "makeup", "extra_workday"):
                continue
            if self.days == "all" and kind != "weekend":
                continue
            if kind == "holiday":
                text = f"holiday: {snap.holiday_names.get(dt.date.fromordinal(snap.ord0 + k))}"
            else:
                text = _DAY_KIND_TEXT.get(kind, kind)
            if self.days == "all":
                continue
            if text not in reasons:
                reasons.append(text)
        return "; ".join(reasons) if reasons else "outside hours"

    # -- batches -----------------------------------------------------------------------------
    @overload
    def add_many(self, starts: Iterable[int], duration: dt.timedelta | str) -> list[int]: ...
    @overload
    def add_many(
        self, starts: Iterable[dt.datetime], duration: dt.timedelta | str
    ) -> list[dt.datetime]: ...
    def add_many(self, starts: Iterable[Any], duration: dt.timedelta | str) -> list[Any]:
        """``add`` for many starts at once: aware datetimes give datetimes, int POSIX seconds ints.

        The int path is the fast one: one table lookup per case. The input is not modified.

        >>> import datetime as dt
        >>> cal = Calendar.from_coverage("5x8", country="CN")
        >>> t = int(dt.datetime(2026, 9, 30, 15, 1, tzinfo=cal.tz).timestamp())
        >>> [dt.datetime.fromtimestamp(x, cal.tz).isoformat()
        ...  for x in cal.add_many([t], dt.timedelta(hours=4))]
        ['2026-10-08T11:01:00+08:00']
        """
        duration = _to_duration(duration)
        xs = _int_list(starts, "starts")
        d_us = _to_duration_us(duration)
        if not xs:
            return []
        first = xs[0]
        if isinstance(first, int):
            if d_us % US:
                raise DurationError(
                    f"duration={echo(duration)} has a fraction of a second; batches of int seconds "
                    "need whole seconds (pass datetimes for sub-second work)"
                )
            return self._add_many_seconds(xs, d_us // US)
        if isinstance(first, dt.datetime):
            us = self._many_us(xs)
            if us is None or d_us == 0:  # something to explain, or nothing to add
                return [self.add(t, duration) for t in xs]
            secs = [u // US for u in us]
            if d_us % US == 0 and sum(secs) * US == sum(us):  # whole seconds: the int tables
                return self._out_many(self._add_many_seconds(secs, d_us // US))
            out = [self._add_us(u, d_us) for u in us]
            self._check_span(min(us), max(out), "add_many")
            return [self._out(u) for u in out]
        raise _bad_element(xs, "starts", int)

    def _many_us(self, xs: list[Any]) -> list[int] | None:
        """POSIX µs of a list of aware datetimes inside the computable years, or ``None`` when
        an element is anything else (the caller's per-element path then explains it)."""
        try:
            us = list(map(self._timeline.instants, xs))
        except (AttributeError, TypeError, ValueError, OverflowError):
            return None
        if not (min(us) >= _MIN_US and max(us) <= _MAX_US):
            return None
        return us

    def _out_many(self, secs: list[int]) -> list[dt.datetime]:
        """Aware datetimes in the calendar's zone of whole POSIX seconds."""
        zone = self.tz
        if secs and min(secs) < 0:  # before 1970: not every platform's fromtimestamp goes there
            return [self._out(s * US) for s in secs]
        return [_fromtimestamp(s, zone) for s in secs]

    def _range_s(self, xs: list[Any], name: str) -> tuple[int, int]:
        try:
            lo, hi = min(xs), max(xs)
            if not (lo >= _MIN_US // US and hi <= _MAX_US // US):
                raise TypeError
            # a bool compares as 0 or 1: only a batch reaching down to 1 s can hold one
            if lo <= 1 and bool in map(type, xs):
                raise TypeError
            return int(lo), int(hi)
        except TypeError:
            raise _bad_element(xs, name, int) from None

    def _add_many_seconds(self, xs: list[Any], d: int) -> list[int]:
        lo_in, hi_in = self._range_s(xs, "starts")
        if d == 0:
            if not all(isinstance(x, int) and not isinstance(x, bool) for x in xs):
                raise _bad_element(xs, "starts", int)
            return [int(x) for x in xs]
        tl = self._timeline
        out = self._add_lookup(xs, lo_in, hi_in, d, 1)
        if out is None:
            # Bisection: small batches, or tables would be too large for this calendar.
            def one(x: int) -> int:
                s, target = tl.reaching(x * US, d * US)
                return s.inv_us(target) // US

            out = each_int(xs, one)
        self._check_span(lo_in * US, max(out) * US, "add_many")
        return out

    def _add_lookup(self, xs: list[Any], lo_in: int, hi_in: int, d: int, unit: int
                    ) -> list[int] | None:
        """``add(x, d)`` for a batch through the lookup table over its years, or ``None`` when
        no table pays (the caller bisects). ``xs`` are in ``unit`` (1: seconds, ``US``: µs of
        whole seconds), spanning ``[lo_in, hi_in]`` seconds; ``d`` is whole seconds, ``> 0``."""
        tl = self._timeline
        snap, _ = tl.reaching(hi_in * US, d * US)
        snap = tl.around(lo_in - 1, snap.hi - 1) if snap.lo >= lo_in else snap

        def table(snap: Snapshot) -> Any:
            # a table over the local years of this batch, if it pays for itself
            s0, s1 = snap.span(lo_in - 1, hi_in)
            # in µs, only the scaled table is kept: it serves every µs batch
            key: tuple[Any, ...] = ("add", d, s0, s1) if unit == 1 else ("add", d, s0, s1, unit)
            nb = snap.buckets(gcd(snap.bucket, d), s0, s1)
            if nb is None or (not snap.has_table(key) and nb > BUCKETS_PER_CASE * len(xs)):
                return None
            if unit == 1:
                return snap.table(key, partial(snap.add_table, d, s0, s1))
            return snap.table(key, partial(_scaled_build, snap.add_table, (d, s0, s1), unit))

        def apply(found: Any) -> list[int] | None:
            base, size, values, lo, limit = found[:5]
            if hi_in * unit > limit:
                return None
            if unit == 1:
                return [v if (v := values[(x - base) // size]) > lo else x + v for x in xs]
            same = found[5]
            if same is not None and same <= lo:
                # one offset throughout (time always covered, as 7x24 without holidays)
                return [x + same for x in xs]
            # two divisions by one-digit ints are quicker than one by a two-digit int
            size //= unit
            return [v if (v := values[(x - base) // US // size]) > lo else x + v for x in xs]

        return run_tables(tl, snap, xs, table, apply)

    def _add_many_us(self, xs: list[int], d: int) -> list[int] | None:
        """``add(x, d)`` on µs instants that are whole seconds, ``d`` whole seconds ``> 0``,
        through the same table as :meth:`add_many`; ``None`` when no table pays. Checks the
        horizon on the latest result, as ``add_many`` does."""
        if not xs:
            return []
        lo, hi = min(xs), max(xs)
        out = self._add_lookup(xs, lo // US, hi // US, d, US)
        if out is not None:
            # ``add`` is monotone in its start: the latest result is the latest start's
            self._check_span(lo, self._add_us(hi, d * US), "add_many")
        return out

    def _pos_table_us(self, lo_s: int, hi_s: int, count: int) -> tuple[Any, ...] | None:
        """The position table for µs instants in ``[lo_s, hi_s]`` seconds, for ``count``
        lookups: ``pos(x) = V[k] if V[k] >= 0 else x + V[k]`` with ``k = (x - T) // B`` for
        ``(T, B, V, same, inverse)``, any µs ``x`` in range (buckets break only at whole
        seconds); ``same`` is the value of every entry if they are all one (a negative one:
        time always covered, ``pos(x) = x + same``). Positions from one table share their
        origin, so their differences are covered time. ``inverse`` is ``(B, W, total)`` in µs,
        or ``None``: for ``0 < p <= total``, ``inv(p) = p + W[(p - 1) // B]``, the earliest
        instant with position ``p`` on the same origin (so ``add(t, d) = inv(pos(t) + d)``).
        ``None`` when no table pays."""
        snap = self._timeline.around(lo_s, hi_s)
        s0, s1 = snap.span(lo_s, hi_s)
        key = ("pos", s0, s1, US)  # only the scaled table is kept
        nb = snap.buckets(snap.bucket, s0, s1)
        if nb is None or not (snap.has_table(key) or nb <= 2 * BUCKETS_PER_CASE * count):
            return None
        scaled = snap.table(key, partial(_scaled_build, snap.pos_table, (s0, s1), US))
        if scaled is None:
            return None
        inverse = snap.table(("inv", US), partial(_inverse_us, snap))
        return (*scaled, inverse)

    def add_stream(
        self, starts: Iterable[Any], duration: dt.timedelta | str, *, chunk_size: int = 65_536
    ) -> Iterator[Any]:
        """Like :meth:`add_many`, but lazily, chunk by chunk: memory stays flat for any count.

        >>> import datetime as dt
        >>> cal = Calendar.from_coverage("7x24", tz="UTC")
        >>> sum(cal.add_stream(range(1_000_000_000, 1_000_100_000), dt.timedelta(hours=1)))
        100005359950000
        """
        d = _to_duration(duration)
        _to_duration_us(d)
        return _chunked(starts, chunk_size, lambda chunk: self.add_many(chunk, d))

    @overload
    def elapsed_many(self, starts: Iterable[int], ends: Iterable[int]) -> list[int]: ...
    @overload
    def elapsed_many(
        self, starts: Iterable[dt.datetime], ends: Iterable[dt.datetime]
    ) -> list[dt.timedelta]: ...
    def elapsed_many(self, starts: Iterable[Any], ends: Iterable[Any]) -> list[Any]:
        """``elapsed`` pairwise: datetimes give timedeltas, int POSIX seconds give int seconds.

        >>> import datetime as dt
        >>> cal = Calendar.from_coverage("5x8", country="CN")
        >>> a = int(dt.datetime(2026, 9, 30, 16, tzinfo=cal.tz).timestamp())
        >>> cal.elapsed_many([a], [a + 8 * 86400])   # 16:00-17:00 on 09-30, 09:00-16:00 on 10-08
        [28800]
        """
        xs = _int_list(starts, "starts")
        ys = _int_list(ends, "ends")
        if len(xs) != len(ys):
            raise SlaValueError(f"starts has {len(xs)} values but ends has {len(ys)}")
        if not xs:
            return []
        first = xs[0]
        if isinstance(first, int):
            return self._elapsed_many_seconds(xs, ys)
        if isinstance(first, dt.datetime):
            return [self.elapsed(a, b) for a, b in zip(xs, ys, strict=True)]
        raise _bad_element(xs, "starts", int)

    def _elapsed_many_seconds(self, xs: list[Any], ys: list[Any]) -> list[int]:
        lo1, hi1 = self._range_s(xs, "starts")
        lo2, hi2 = self._range_s(ys, "ends")
        lo_in, hi_in = min(lo1, lo2), max(hi1, hi2)
        snap = self._timeline.around(lo_in, hi_in)
        s0, s1 = snap.span(lo_in, hi_in)
        key = ("pos", s0, s1)
        nb = snap.buckets(snap.bucket, s0, s1)
        table = None
        if nb is not None and (snap.has_table(key) or nb <= 2 * BUCKETS_PER_CASE * len(xs)):
            table = snap.table(key, partial(snap.pos_table, s0, s1))
        if table is None:
            if not all(isinstance(v, int) for v in xs) or not all(isinstance(v, int) for v in ys):
                raise _bad_element(xs + ys, "starts/ends", int)
            out = [
                (snap.pos_us(b * US) - snap.pos_us(a * US)) // US for a, b in zip(xs, ys, strict=True)
            ]
        else:
            base, size, values = table
            try:
                out = [
                    (pb if (pb := values[(b - base) // size]) >= 0 else b + pb)
                    - (pa if (pa := values[(a - base) // size]) >= 0 else a + pa)
                    for a, b in zip(xs, ys, strict=True)
                ]
            except (TypeError, IndexError):
                raise _bad_element(xs + ys, "starts/ends", int) from None
        self._check_span(lo_in * US, hi_in * US, "elapsed_many")
        return out


def _scaled(table: tuple[Any, ...], unit: int) -> tuple[Any, ...]:
    """A lookup table in seconds rescaled to ``unit`` (its origin, bucket, values and limits;
    the values' sign or size encoding is kept, since every entry is multiplied alike), with one
    more item: the value every entry holds, if they all hold the same one, else ``None``."""
    scaled = tuple([v * unit for v in x] if isinstance(x, list) else x * unit for x in table)
    values = scaled[2]
    same = values[0] if values and values.count(values[0]) == len(values) else None
    return (*scaled, same)


def _scaled_build(build: Callable[..., Any], args: tuple[int, ...], unit: int
                  ) -> tuple[Any, ...] | None:
    """A lookup table built by ``build(*args)`` in seconds, rescaled to ``unit`` (``None``
    when ``build`` gives none)."""
    found = build(*args)
    return None if found is None else _scaled(found, unit)


def _inverse_us(snap: Snapshot) -> tuple[int, list[int], int] | None:
    """A snapshot's inverse-position table in µs (see :meth:`Calendar._pos_table_us`)."""
    found = snap.inv_table()
    if found is None:
        return None
    size, table = found
    return size * US, [v * US for v in table], snap.total * US


def each_int(xs: list[Any], one: Callable[[int], int]) -> list[int]:
    """``one(x)`` for each int start, one by one (a batch's fallback when no table is used);
    any other element is refused, naming it."""
    out = []
    for x in xs:
        if not isinstance(x, int) or isinstance(x, bool):
            raise _bad_element(xs, "starts", int)
        out.append(one(x))
    return out


def run_tables(
    tl: Timeline,
    snap: Snapshot,
    xs: list[Any],
    table: Callable[[Snapshot], Any],
    apply: Callable[[Any], list[int] | None],
) -> list[int] | None:
    """Answer an int batch from a snapshot's lookup table, widening the years as needed.

    ``table(snap)`` gives the table (``None``: use bisection instead); ``apply(table)`` answers
    the batch, or ``None`` when the table stops short of its last start (then one more year is
    compiled). ``None`` when the caller should fall back to bisection.
    """
    while True:
        found = table(snap)
        if found is None:
            return None
        try:
            out = apply(found)
        except (TypeError, IndexError):
            raise _bad_element(xs, "starts", int) from None
        if out is not None:
            return out
        if snap.last_year >= MAX_YEAR:
            return None
        snap = tl.years(snap.first_year, snap.last_year + 1)


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside slacalc."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == (
        _PACKAGE_DIR
    ):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _chunked(
    values: Iterable[Any], chunk_size: int, run: Callable[[list[Any]], list[Any]]
) -> Iterator[Any]:
    """Validate now, then feed ``values`` to ``run`` lazily in chunks of ``chunk_size``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise SlaValueError(f"starts must be an iterable of datetimes or int POSIX seconds, not {echo(values)}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise SlaValueError(f"chunk_size must be a positive int, not {echo(chunk_size)}")
    it = iter(values)
    size = min(chunk_size, sys.maxsize)  # larger means "all at once" all the same

    def generate() -> Iterator[Any]:
        while chunk := list(islice(it, size)):
            yield from run(chunk)

    return generate()


#: the coverage specs a calendar's repr may use, by day rule
_SHORT_SPECS = {"business": ("5x8", "5x24", "6x8", "6x24"), "all": ("7x8", "7x24")}


@cache
def _spec_hours(spec: str) -> Hours:
    return Coverage.parse(spec).default_hours()


def _hours_spec(hours: Hours) -> str | dict[str, str] | Hours:
    """What ``Calendar(hours=...)`` takes to rebuild ``hours``: text, a mapping, or itself."""
    if hours.makeup is None and not any(hours.per_day):
        return str(hours)
    if hours.default is None:
        spec = ast.literal_eval(str(hours))
        if Hours.parse(spec) == hours:
            return dict(spec)
    return hours


@lru_cache(maxsize=256)  # unpickling a task's calendar again costs a dict lookup
def _calendar(tz: str | ZoneInfo, country: str | None, subdiv: str | None, days: str,
              hours: Hours, extra_holidays: tuple[dt.date, ...],
              extra_workdays: tuple[dt.date, ...], strict: bool) -> Calendar:
    """Unpickle a calendar from its definition (see :meth:`Calendar.__reduce__`)."""
    return Calendar(tz, country, days, hours, subdiv=subdiv, extra_holidays=extra_holidays,
                    extra_workdays=extra_workdays, strict=strict)
