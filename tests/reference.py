"""A naive, independent reference for business-time calendars (shares no code with slacalc).

Everything here is written to be obviously right rather than fast: covered time is computed by
listing every local day's windows as absolute intervals and walking them one by one; business
days are found by walking the calendar day by day.

Instants are integer POSIX microseconds throughout; datetimes only appear at the edges.

The wall-clock rule (slacalc's documented semantics): a window boundary ``HH:MM`` on local day
``D`` is the *earliest instant whose wall clock reads ``D HH:MM`` or later*. In a repeated
(fall-back) hour that is the first occurrence; for a wall time that does not exist (a
spring-forward gap) it is the transition itself; ``24:00`` is the next day's ``00:00``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from functools import lru_cache
from zoneinfo import ZoneInfo

US = 1_000_000
UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)

#: A daily window as (start, end) minutes after local midnight; end may be 1440 (24:00).
Window = tuple[int, int]


def to_us(t: dt.datetime) -> int:
    """POSIX microseconds of an aware datetime (``fold`` honoured by the subtraction)."""
    assert t.utcoffset() is not None, "reference needs aware datetimes"
    delta = t - EPOCH
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def from_us(u: int) -> dt.datetime:
    """An aware UTC datetime for POSIX microseconds ``u``."""
    return EPOCH + dt.timedelta(microseconds=u)


def wall(u_s: int, zone: ZoneInfo) -> dt.datetime:
    """Naive local wall-clock reading of instant ``u_s`` (whole seconds)."""
    return (EPOCH + dt.timedelta(seconds=u_s)).astimezone(zone).replace(tzinfo=None)


@lru_cache(maxsize=200_000)
def wall_instant(zone_key: str, day: dt.date, seconds: int) -> int:
    """POSIX seconds of the earliest instant whose wall clock in the zone reads ``day`` +
    ``seconds`` or later (``seconds`` may be 86400: the next day's midnight)."""
    zone = ZoneInfo(zone_key)
    target = dt.datetime(day.year, day.month, day.day) + dt.timedelta(seconds=seconds)
    candidates = []
    for fold in (0, 1):
        aware = target.replace(tzinfo=zone, fold=fold)
        u = int((aware - EPOCH).total_seconds())
        candidates.append(u)
    round_trips = [u for u in candidates if wall(u, zone) == target]
    if round_trips:
        # Both readings exist only in a repeated hour: take the first occurrence.
        return min(round_trips)
    # A gap: the wall clock skips over ``target``. The two fold readings bracket the jump; walk
    # minute by minute to the first instant whose wall clock is at or past the target, then back
    # second by second to the exact transition.
    lo, hi = min(candidates), max(candidates)
    u = lo - 60
    while wall(u, zone) >= target:  # make sure we start before the jump
        u -= 3600
    while wall(u, zone) < target:
        u += 60
        assert u <= hi + 3600, "no transition found"
    while wall(u - 1, zone) >= target:
        u -= 1
    return u


@dataclasses.dataclass(frozen=True)
class RefCalendar:
    """A calendar description, for the reference only.

    ``windows`` applies to every covered day; or ``per_weekday`` maps Monday=0..Sunday=6 to that
    weekday's windows (a listed weekend day is covered unless it is a holiday), and ``makeup``
    gives the windows of a weekend day that is a workday (default: ``windows``, else the first
    listed Monday-Friday entry). Holidays and workdays are plain date sets: a day is a business
    day iff it is a listed workday, or a Monday-Friday that is not a holiday.
    """

    zone: str
    days: str  # "business" or "all"
    windows: tuple[Window, ...] | None = None
    per_weekday: Mapping[int, tuple[Window, ...]] | None = None
    makeup: tuple[Window, ...] | None = None
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    # -- days ---------------------------------------------------------------------------------
    def is_business_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_business_day(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        one = dt.timedelta(days=1)
        if n == 0:
            while not self.is_business_day(day):
                day += one
            return day
        step = one if n > 0 else -one
        left = abs(n)
        while left:
            day += step
            if self.is_business_day(day):
                left -= 1
        return day

    def local(self, t_us: int) -> dt.datetime:
        return from_us(t_us).astimezone(self.tz)

    def effective_day(self, t_us: int, cutoff: dt.time) -> dt.date:
        local = self.local(t_us)
        day = local.date()
        if self.is_business_day(day) and local.time() < cutoff:
            return day
        return self.next_business_day(day)

    def at(self, day: dt.date, by: dt.time | None) -> int:
        """Microseconds of wall time ``by`` on ``day`` (``None``: the end of the day)."""
        if by is None:
            return wall_instant(self.zone, day, 86_400) * US
        assert by.microsecond == 0
        return wall_instant(self.zone, day, by.hour * 3600 + by.minute * 60 + by.second) * US

    def nbd_deadline(self, t_us: int, cutoff: dt.time, by: dt.time) -> int:
        return self.at(self.next_business_day(self.effective_day(t_us, cutoff)), by)

    def nd_deadline(self, t_us: int, by: dt.time, cutoff: dt.time | None = None) -> int:
        local = self.local(t_us)
        late = cutoff is not None and local.time() >= cutoff
        return self.at(local.date() + dt.timedelta(days=2 if late else 1), by)

    def business_days_deadline(
        self, t_us: int, n: int, by: dt.time | None, cutoff: dt.time | None
    ) -> int:
        start = self.local(t_us).date() if cutoff is None else self.effective_day(t_us, cutoff)
        return self.at(self.add_business_days(start, n), by)

    # -- windows ------------------------------------------------------------------------------
    def day_windows(self, day: dt.date) -> tuple[Window, ...]:
        """The wall-clock windows that apply on ``day``."""
        wd = day.weekday()
        business = self.is_business_day(day)
        if self.per_weekday is None:
            assert self.windows is not None
            if self.days == "all" or business:
                return self.windows
            return ()
        own = self.per_weekday.get(wd)
        if self.days == "all":
            return own or ()
        if business:
            if wd >= 5:
                return self.makeup_windows()
            return own or ()
        if wd >= 5 and own is not None and day not in self.holidays:
            return own
        return ()

    def makeup_windows(self) -> tuple[Window, ...]:
        if self.makeup is not None:
            return self.makeup
        if self.windows is not None:
            return self.windows
        assert self.per_weekday is not None
        for wd in range(5):
            if wd in self.per_weekday:
                return self.per_weekday[wd]
        return ()

    def day_intervals(self, day: dt.date) -> list[tuple[int, int]]:
        """The day's covered windows as absolute [start, end) microsecond intervals."""
        out = []
        for a, b in self.day_windows(day):
            s = wall_instant(self.zone, day, a * 60) * US
            e = wall_instant(self.zone, day, b * 60) * US
            if e > s:
                out.append((s, e))
        return out

    def intervals(self, first: dt.date, last: dt.date) -> list[tuple[int, int]]:
        """Every covered interval of local days ``first..last``, sorted and merged."""
        raw: list[tuple[int, int]] = []
        day = first
        while day <= last:
            raw.extend(self.day_intervals(day))
            day += dt.timedelta(days=1)
        raw.sort()
        merged: list[tuple[int, int]] = []
        for s, e in raw:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        return merged

    def _local_date(self, t_us: int) -> dt.date:
        return self.local(t_us).date()

    # -- instants -----------------------------------------------------------------------------
    def add(self, t_us: int, d_us: int, max_days: int = 3 * 366) -> int:
        """Earliest ``x >= t`` with exactly ``d`` covered microseconds in ``[t, x)``."""
        assert d_us >= 0
        if d_us == 0:
            return t_us
        left = d_us
        day = self._local_date(t_us) - dt.timedelta(days=1)
        for _ in range(max_days):
            for s, e in self.intervals(day, day):
                if e <= t_us:
                    continue
                begin = max(s, t_us)
                if left <= e - begin:
                    return begin + left
                left -= e - begin
            day += dt.timedelta(days=1)
        raise AssertionError("reference add: duration not reached within max_days")

    def elapsed(self, a_us: int, b_us: int) -> int:
        """Covered microseconds in ``[a, b)``; negative when ``b < a``."""
        if b_us < a_us:
            return -self.elapsed(b_us, a_us)
        first = self._local_date(a_us) - dt.timedelta(days=1)
        last = self._local_date(b_us) + dt.timedelta(days=1)
        total = 0
        for s, e in self.intervals(first, last):
            lo, hi = max(s, a_us), min(e, b_us)
            if hi > lo:
                total += hi - lo
        return total

    def is_open(self, t_us: int) -> bool:
        day = self._local_date(t_us)
        return any(
            s <= t_us < e
            for s, e in self.intervals(day - dt.timedelta(days=1), day + dt.timedelta(days=1))
        )

    def next_open(self, t_us: int, max_days: int = 3 * 366) -> int:
        if self.is_open(t_us):
            return t_us
        day = self._local_date(t_us) - dt.timedelta(days=1)
        for _ in range(max_days):
            for s, _e in self.intervals(day, day):
                if s > t_us:
                    return s
            day += dt.timedelta(days=1)
        raise AssertionError("reference next_open: no opening within max_days")


def parse_windows(text: str) -> tuple[Window, ...]:
    """``"09:00-12:00,13:30-24:00"`` -> ((540, 720), (810, 1440)) minutes."""

    def minutes(hhmm: str) -> int:
        h, m = hhmm.strip().split(":")
        return int(h) * 60 + int(m)

    out = []
    for part in text.split(","):
        a, b = part.split("-")
        out.append((minutes(a), minutes(b)))
    return tuple(sorted(out))


def format_windows(windows: Sequence[Window]) -> str:
    """The inverse of :func:`parse_windows`."""
    return ",".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in windows)

