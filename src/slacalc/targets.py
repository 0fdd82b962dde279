"""Targets: the building blocks of a service promise, each turning a start into a deadline.

>>> import datetime as dt
>>> import slacalc as sla
>>> cal = sla.Calendar.from_coverage("5x8", country="CN")
>>> nbd = sla.NextBusinessDay(cal, cutoff=dt.time(15), by=dt.time(17))
>>> nbd.deadline(dt.datetime(2026, 9, 30, 14, 59, 59, tzinfo=cal.tz))  # ships today; arrives after the holiday
datetime.datetime(2026, 10, 8, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
>>> sla.BusinessDays(cal, 10, by=dt.time(17)).deadline(dt.datetime(2026, 2, 13, 10, tzinfo=cal.tz))
datetime.datetime(2026, 3, 5, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))

Every target takes its calendar first; durations and times of day may be written as policy
files write them:

>>> sla.Within(cal, "4h") == sla.Within(cal, dt.timedelta(hours=4)) == sla.Within(cal, "PT4H")
True
>>> sla.NextBusinessDay(cal, cutoff="15:00", by="17:00") == nbd
True
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from typing import Any, overload
from zoneinfo import ZoneInfo

import attrs

from slacalc._durations import format_duration, format_time, parse_duration, parse_time
from slacalc._timeline import EPOCH, MAX_YEAR, US, Snapshot, epoch_of_wall
from slacalc.calendar import (
    Calendar,
    _bad_element,
    _check_time,
    _chunked,
    _int_list,
    _to_duration_us,
    each_int,
    run_tables,
)
from slacalc.coverage import Coverage, Hours
from slacalc.errors import CoverageError, OutOfRangeError, SlaValueError, echo

__all__ = ["BusinessDays", "NextBusinessDay", "NextDay", "Target", "Within"]


def _calendar(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Calendar):
        raise SlaValueError(
            f"{attribute.name} must be a slacalc.Calendar, not {echo(value)}; every target takes "
            f"the calendar first, e.g. {type(instance).__name__}(cal, ...)"
        )


def _as_duration(value: dt.timedelta | str) -> Any:
    """A duration string (``"4h"``, ``"PT4H"``) read as policy files read it; else unchanged."""
    return parse_duration(value, where="duration") if isinstance(value, str) else value


def _as_cutoff(value: dt.time | str | None) -> Any:
    """A ``cutoff`` such as ``"15:00"`` read as policy files read it; else unchanged."""
    return parse_time(value, where="cutoff") if isinstance(value, str) else value


def _as_by(value: dt.time | str | None) -> Any:
    """A ``by`` such as ``"17:00"`` read as policy files read it; else unchanged."""
    return parse_time(value, where="by") if isinstance(value, str) else value


def _duration(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _to_duration_us(value, attribute.name)


def _time(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _check_time(value, attribute.name)


def _optional_time(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _check_time(value, attribute.name)


def _count(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SlaValueError(f"{attribute.name} must be an int number of business days, not {echo(value)}")
    if value < 0:
        raise SlaValueError(f"{attribute.name}={echo(value)} is negative; a deadline lies ahead")
    if value > 50_000:
        raise SlaValueError(
            f"{attribute.name}={echo(value)} business days is beyond any contract (at most 50000)"
        )


class Target(abc.ABC):
    """A rule that gives the deadline of a promise from its start instant."""

    __slots__ = ()

    @staticmethod
    def parse(
        spec: str | Coverage,
        country: str | None = None,
        tz: str | ZoneInfo | None = None,
        *,
        subdiv: str | None = None,
        hours: str | Mapping[str, str] | Hours | None = None,
        extra_holidays: Iterable[dt.date | str] = (),
        extra_workdays: Iterable[dt.date | str] = (),
        strict: bool = False,
        cutoff: dt.time | str | None = None,
        by: dt.time | str | None = None,
    ) -> Target:
        """The target of a spare-part service level such as ``5x8xNBD``, ``7x24x4``, ``7x8xND``.

        The first two parts are the calendar (as :meth:`Calendar.from_coverage` reads them,
        with the same keywords); the third is the delivery promise on that calendar:

        * ``NBD``: :class:`NextBusinessDay` (cutoff 15:00, due by 17:00 unless given);
        * ``ND``: :class:`NextDay`, the next calendar day, holidays included (by 18:00 unless
          given; no cutoff unless given);
        * a number ``N``: :class:`Within` ``N`` hours of the calendar's covered time, so
          ``8x5x48`` is 48 business hours of 5x8 time (``cutoff``/``by`` do not apply).

        >>> import slacalc as sla
        >>> sla.Target.parse("5x8xNBD", country="CN")
        NextBusinessDay(Calendar.from_coverage('5x8', country='CN'), cutoff='15:00', by='17:00')
        >>> sla.Target.parse("24x7x4", country="CN")
        Within(Calendar.from_coverage('7x24', country='CN'), '4h')
        >>> sla.Target.parse("7x8xND", country="CN", by="12:00")
        NextDay(Calendar.from_coverage('7x8', country='CN'), by='12:00')
        """
        coverage = Coverage.parse(spec)
        calendar = Calendar.from_coverage(
            coverage, country, tz, subdiv=subdiv, hours=hours, extra_holidays=extra_holidays,
            extra_workdays=extra_workdays, strict=strict,
        )
        delivery = coverage.delivery
        if delivery is None:
            raise CoverageError(
                f"coverage {echo(spec if isinstance(spec, str) else str(spec))} has no delivery "
                "part, so it names a calendar, not a target: add one ('5x8xNBD', '7x8xND', "
                "'7x24x4') or use Calendar.from_coverage"
            )
        times: dict[str, Any] = {}
        if cutoff is not None:
            times["cutoff"] = cutoff
        if by is not None:
            times["by"] = by
        if delivery == "NBD":
            return NextBusinessDay(calendar, **times)
        if delivery == "ND":
            return NextDay(calendar, **times)
        if times:
            raise SlaValueError(
                f"cutoff and by do not apply to coverage '{coverage}': its delivery is "
                f"{delivery} hours of {coverage.days}x{coverage.hours} time"
            )
        return Within(calendar, dt.timedelta(hours=int(delivery)))

    @property
    @abc.abstractmethod
    def calendar(self) -> Calendar:
        """The calendar whose zone the deadlines are given in."""

    @abc.abstractmethod
    def deadline(self, t: dt.datetime) -> dt.datetime:
        """The deadline of a promise started at ``t``."""

    @overload
    def deadline_many(self, starts: Iterable[int]) -> list[int]: ...
    @overload
    def deadline_many(self, starts: Iterable[dt.datetime]) -> list[dt.datetime]: ...
    @abc.abstractmethod
    def deadline_many(self, starts: Iterable[Any]) -> list[Any]:
        """Deadlines of many starts: aware datetimes give datetimes, int POSIX seconds ints."""

    def deadline_stream(self, starts: Iterable[Any], *, chunk_size: int = 65_536) -> Iterator[Any]:
        """Like :meth:`deadline_many`, lazily and chunk by chunk, in flat memory."""
        return _chunked(starts, chunk_size, self.deadline_many)


@attrs.frozen(repr=False)
class Within(Target):
    """Due after ``duration`` of the calendar's covered time: ``cal.add(t, duration)``.

    >>> import datetime as dt
    >>> cal = Calendar.from_coverage("7x24", tz="Asia/Shanghai")
    >>> Within(cal, dt.timedelta(hours=4)).deadline(dt.datetime(2026, 10, 1, 23, tzinfo=cal.tz))
    datetime.datetime(2026, 10, 2, 3, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
    >>> Within(cal, "30m").duration
    datetime.timedelta(seconds=1800)
    """

    calendar: Calendar = attrs.field(validator=_calendar)
    duration: dt.timedelta = attrs.field(converter=_as_duration, validator=_duration)

    def __repr__(self) -> str:
        return f"Within({self.calendar!r}, {format_duration(self.duration)!r})"

    def deadline(self, t: dt.datetime) -> dt.datetime:
        return self.calendar.add(t, self.duration)

    def deadline_many(self, starts: Iterable[Any]) -> list[Any]:
        return self.calendar.add_many(starts, self.duration)


class _DayTarget(Target):
    """A deadline at a time of day on a day chosen from the start's local date: a step function.

    Subclasses say which day (``_due_ordinal``); this class turns it into instants, handles the
    data horizon and builds the batch table (constant between midnights and cutoff instants).
    """

    __slots__ = ()
    by: dt.time | None
    cutoff: dt.time | None

    @abc.abstractmethod
    def _due_ordinal(self, snap: Snapshot, o: int, wall: dt.time) -> int | None:
        """Ordinal of the due day for a start on local day ``o`` at wall time ``wall``, or None
        when it lies outside ``snap``."""

    def _at_us(self, snap: Snapshot, o: int) -> int:
        by = self.by
        if by is None:
            return snap.wall(o + 1, 0) * US
        return snap.wall(o, by.hour * 3600 + by.minute * 60 + by.second) * US + by.microsecond

    def _due_us(self, snap: Snapshot, t_us: int) -> int | None:
        local = (EPOCH + dt.timedelta(microseconds=t_us)).astimezone(self.calendar.tz)
        o = local.toordinal()
        if not snap.ord0 <= o < snap.ord0 + len(snap.business):
            return None
        due = self._due_ordinal(snap, o, local.time())
        return None if due is None else self._at_us(snap, due)

    def _solve(self, t_us: int) -> int:
        tl = self.calendar._timeline
        t_s = t_us // US
        snap = tl.around(t_s, t_s)
        while (due := self._due_us(snap, t_us)) is None:
            if snap.last_year >= MAX_YEAR:
                raise OutOfRangeError(f"the deadline lies after {MAX_YEAR}")
            snap = tl.years(snap.first_year, snap.last_year + 1)
        return due

    #: whether the due day depends on business days (and so on the holiday data's horizon)
    _uses_holidays = True

    def _head(self) -> list[str]:
        """The positional arguments of the repr after the calendar."""
        return []

    def __repr__(self) -> str:
        """One line that evaluates back (the calendar by its short form, times as text)."""
        args = [repr(self.calendar), *self._head()]
        for name in self._time_fields:
            value = getattr(self, name)
            if value is not None:
                args.append(f"{name}={format_time(value)!r}")
        return f"{type(self).__name__}({', '.join(args)})"

    #: the keyword time fields, in the order the constructor reads them
    _time_fields: tuple[str, ...] = ("cutoff", "by")

    def _horizon(self, due_us: int, start_us: int | None = None) -> None:
        if not self._uses_holidays:
            return
        # the start's local day is the earliest day the answer depends on, the due day the
        # latest (by=None: due at its end)
        last = due_us - 1 if self.by is None else due_us
        if start_us is not None:
            self.calendar._check_day_start(start_us, type(self).__name__)
        self.calendar._check_day_instant(last, type(self).__name__)

    def deadline(self, t: dt.datetime) -> dt.datetime:
        t_us = self.calendar._in(t, "t")
        due = self._solve(t_us)
        self._horizon(due, t_us)
        return self.calendar._out(due)

    def deadline_many(self, starts: Iterable[Any]) -> list[Any]:
        xs = _int_list(starts, "starts")
        if not xs:
            return []
        first = xs[0]
        if isinstance(first, dt.datetime):
            return [self.deadline(t) for t in xs]
        if not isinstance(first, int):
            raise _bad_element(xs, "starts", int)
        if (self.by is not None and self.by.microsecond) or (
            self.cutoff is not None and self.cutoff.microsecond
        ):
            raise SlaValueError(
                f"{self!r} has a fraction of a second in by/cutoff; batches of int seconds need "
                "whole seconds (pass datetimes for sub-second work)"
            )
        lo_in, hi_in = self.calendar._range_s(xs, "starts")
        tl = self.calendar._timeline
        snap = tl.around(lo_in, hi_in)

        def table(snap: Snapshot) -> Any:
            s0, s1 = snap.span(lo_in, hi_in)
            key = ("step", self, s0, s1)
            # about two steps a day: build the table when the batch is large enough to pay
            if not snap.has_table(key) and len(xs) < (s1 - s0) // 43_200:
                return None
            return snap.table(key, partial(self._table, snap, s0, s1))

        def apply(found: Any) -> list[int] | None:
            base, size, values, limit = found
            if hi_in >= limit:
                return None
            return [values[(x - base) // size] for x in xs]

        out = run_tables(tl, snap, xs, table, apply)
        if out is None:
            out = each_int(xs, lambda x: self._solve(x * US) // US)
        self._horizon(max(out) * US, lo_in * US)
        return out

    def _breakpoints(self, snap: Snapshot, s0: int, s1: int) -> list[int]:
        """Every instant in ``[s0, s1)`` where the deadline may change: local midnights, and the
        cutoff's instants (both passes through it in a fall-back fold, and the step back)."""
        k0, k1 = snap.day_index(s0), snap.day_index(s1 - 1)
        points = snap.midnights[k0 : k1 + 1]
        cutoff = self.cutoff
        if cutoff is None:
            return points
        zone = self.calendar.tz
        sec = cutoff.hour * 3600 + cutoff.minute * 60 + cutoff.second
        for o in range(snap.ord0 + k0, snap.ord0 + k1 + 1):
            first = snap.wall(o, sec)
            points.append(first)
            second = epoch_of_wall(zone, o, sec, fold=1)
            if second != first:  # the cutoff repeats in a fall-back fold
                points.append(second)
                points.append(_fold_start(zone, first, second, cutoff))
        return points

    def _table(self, snap: Snapshot, s0: int, s1: int) -> tuple[int, int, list[int], int] | None:
        """The step table on ``[s0, s1)``, as far as ``snap`` itself can answer the deadlines.

        Each breakpoint is evaluated once; the table stops at the first start whose deadline
        lies past the snapshot (the caller extends the timeline and asks again).
        """
        points = sorted({p for p in self._breakpoints(snap, s0, s1) if s0 <= p < s1})
        values: dict[int, int] = {}
        limit = s1
        for u in points:
            due = self._due_us(snap, u * US)
            if due is None:
                limit = u
                break
            values[u] = due // US
        if limit == s0:
            return s0, 1, [], s0
        table = snap.step_table([p for p in points if p < limit], values.__getitem__, s0, limit)
        if table is None:
            return None
        base, size, steps = table
        return base, size, steps, base + len(steps) * size


def _fold_start(zone: Any, first: int, second: int, cutoff: dt.time) -> int:
    """The instant in ``(first, second]`` where the wall clock steps back below ``cutoff``."""
    lo, hi = first, second
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (EPOCH + dt.timedelta(seconds=mid)).astimezone(zone).time() < cutoff:
            hi = mid
        else:
            lo = mid
    return hi


@attrs.frozen(repr=False)
class NextBusinessDay(_DayTarget):
    """NBD: served on the effective day (the cutoff rule), due at ``by`` on the next business day.

    A case diagnosed before ``cutoff`` on a business day ships that day; at or after the cutoff,
    or on a non-business day, it ships the next business day. It is due at ``by`` on the business
    day after it ships.
    """

    calendar: Calendar = attrs.field(validator=_calendar)
    cutoff: dt.time = attrs.field(
        default=dt.time(15), kw_only=True, converter=_as_cutoff, validator=_time
    )
    by: dt.time = attrs.field(
        default=dt.time(17), kw_only=True, converter=_as_by, validator=_time
    )

    def _due_ordinal(self, snap: Snapshot, o: int, wall: dt.time) -> int | None:
        ship = o if wall < self.cutoff and snap.is_business(o) else snap.nth_business(o, 1)
        return None if ship is None else snap.nth_business(ship, 1)


@attrs.frozen(repr=False)
class NextDay(_DayTarget):
    """ND: due at ``by`` on the next calendar day, holidays included.

    With a ``cutoff``, a start at or after it counts from the following day.

    >>> import datetime as dt
    >>> cal = Calendar.from_coverage("7x24", tz="Asia/Shanghai")
    >>> NextDay(cal, by=dt.time(18)).deadline(dt.datetime(2026, 10, 1, 20, tzinfo=cal.tz))
    datetime.datetime(2026, 10, 2, 18, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
    """

    calendar: Calendar = attrs.field(validator=_calendar)
    by: dt.time = attrs.field(
        default=dt.time(18), kw_only=True, converter=_as_by, validator=_time
    )
    cutoff: dt.time | None = attrs.field(
        default=None, kw_only=True, converter=_as_cutoff, validator=_optional_time
    )

    _uses_holidays = False  # calendar days only: no holiday data involved
    _time_fields = ("by", "cutoff")

    def _due_ordinal(self, snap: Snapshot, o: int, wall: dt.time) -> int | None:
        late = self.cutoff is not None and wall >= self.cutoff
        return o + 2 if late else o + 1


@attrs.frozen(repr=False)
class BusinessDays(_DayTarget):
    """Due on the n-th business day after the start's local date ("within 10 working days").

    ``by`` is the time of day it is due (``None``: by the end of that day, i.e. the instant of
    the next local midnight, so a case met at 23:59:59 that day is on time). With a ``cutoff``,
    counting starts from the effective day (the cutoff rule) instead of the local date. ``n=0``
    is the start's date postponed to a business day.

    >>> import datetime as dt
    >>> cal = Calendar.from_coverage("5x8", country="CN")
    >>> BusinessDays(cal, 3, by="17:00").deadline(dt.datetime(2026, 9, 29, 10, tzinfo=cal.tz))
    datetime.datetime(2026, 10, 9, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
    """

    calendar: Calendar = attrs.field(validator=_calendar)
    n: int = attrs.field(validator=_count)
    by: dt.time | None = attrs.field(
        default=None, kw_only=True, converter=_as_by, validator=_optional_time
    )
    cutoff: dt.time | None = attrs.field(
        default=None, kw_only=True, converter=_as_cutoff, validator=_optional_time
    )

    _time_fields = ("by", "cutoff")

    def _head(self) -> list[str]:
        return [repr(self.n)]

    def _due_ordinal(self, snap: Snapshot, o: int, wall: dt.time) -> int | None:
        start: int | None = o
        if self.cutoff is not None and not (wall < self.cutoff and snap.is_business(o)):
            start = snap.nth_business(o, 1)
        return None if start is None else snap.nth_business(start, self.n)
