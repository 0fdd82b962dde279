"""Hypothesis strategies for the calendar tests, in one place.

A :class:`CalSpec` is a plain description of a calendar without a country; it builds both the
slacalc calendar under test and the independent :class:`reference.RefCalendar`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

import slacalc
from reference import RefCalendar, Window, format_windows

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Zones with interesting rules: US/EU DST, a 30-minute DST (Lord Howe), transitions at
#: midnight (Santiago), no DST (Shanghai, UTC) and a 5:45 offset (Kathmandu).
DST_ZONES = ("America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago")
ZONES = (*DST_ZONES, "Asia/Shanghai", "UTC", "Asia/Kathmandu")

FIRST_YEAR, LAST_YEAR = 2024, 2026

zones = st.sampled_from(ZONES)
dst_zones = st.sampled_from(DST_ZONES)

#: Zones an input instant may be expressed in (besides the calendar's own).
_INPUT_ZONES: tuple[dt.tzinfo, ...] = (
    *(ZoneInfo(z) for z in ZONES),
    UTC,
    dt.timezone(dt.timedelta(hours=-3, minutes=-30)),
    dt.timezone(dt.timedelta(hours=13)),
)
input_zones = st.sampled_from(_INPUT_ZONES)

# -- windows ----------------------------------------------------------------------------------
#: Hand-picked window sets: office hours, DST-hour windows, midnight-touching windows.
SPECIAL_WINDOWS = (
    "09:00-17:00",
    "09:00-12:00,13:30-18:00",
    "00:00-24:00",
    "01:00-03:00",
    "02:30-04:00",
    "01:30-02:30",
    "00:00-01:30,22:30-24:00",
    "23:00-24:00",
    "00:00-00:30",
    "01:00-02:00,02:00-03:00",
)


@st.composite
def _random_windows(draw: st.DrawFn) -> tuple[Window, ...]:
    step = draw(st.sampled_from([1, 30, 60]))
    k = draw(st.integers(1, 3))
    grid = st.integers(0, 1440 // step).map(lambda x: x * step)
    points = sorted(draw(st.sets(grid, min_size=2 * k, max_size=2 * k)))
    windows = [(points[2 * i], points[2 * i + 1]) for i in range(k)]
    # Sometimes make neighbours touch (one window ending where the next starts).
    for i in range(1, k):
        if draw(st.booleans()) and draw(st.booleans()):
            windows[i] = (windows[i - 1][1], windows[i][1])
    return tuple(windows)


window_sets: st.SearchStrategy[tuple[Window, ...]] = st.one_of(
    st.sampled_from(SPECIAL_WINDOWS).map(
        lambda text: tuple(
            sorted(
                (int(a[:2]) * 60 + int(a[3:]), int(b[:2]) * 60 + int(b[3:]))
                for a, b in (p.split("-") for p in text.split(","))
            )
        )
    ),
    _random_windows(),
)

# -- dates ------------------------------------------------------------------------------------
_FIRST_DAY = dt.date(FIRST_YEAR - 1, 12, 1)
_LAST_DAY = dt.date(LAST_YEAR + 1, 1, 31)
dates_in_range = st.dates(min_value=dt.date(FIRST_YEAR, 1, 1), max_value=dt.date(LAST_YEAR, 12, 31))
_any_date = st.dates(min_value=_FIRST_DAY, max_value=_LAST_DAY)
_weekday_dates = _any_date.filter(lambda d: d.weekday() < 5)
_weekend_dates = _any_date.filter(lambda d: d.weekday() >= 5)


@st.composite
def holiday_sets(draw: st.DrawFn) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(extra holidays, extra workdays): disjoint, mostly weekdays and weekends respectively,
    sometimes a long closure (a run of consecutive days)."""
    closed = set(draw(st.sets(st.one_of(_weekday_dates, _any_date), max_size=12)))
    if draw(st.booleans()):
        first = draw(_any_date)
        closed.update(first + dt.timedelta(days=i) for i in range(draw(st.integers(1, 20))))
    opened = set(draw(st.sets(st.one_of(_weekend_dates, _any_date), max_size=8)))
    opened -= closed
    return frozenset(closed), frozenset(opened)


# -- calendars --------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class CalSpec:
    """A calendar with no country: zone, day rule, windows, overlays."""

    zone: str
    days: str
    windows: tuple[Window, ...] | None
    per_weekday: tuple[tuple[int, tuple[Window, ...]], ...] | None
    makeup: tuple[Window, ...] | None
    extra_holidays: frozenset[dt.date]
    extra_workdays: frozenset[dt.date]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def hours(self) -> str | dict[str, str]:
        if self.per_weekday is None:
            assert self.windows is not None
            return format_windows(self.windows)
        hours = {WEEKDAY_NAMES[wd]: format_windows(w) for wd, w in self.per_weekday}
        if self.makeup is not None:
            hours["makeup"] = format_windows(self.makeup)
        return hours

    def build(self) -> slacalc.Calendar:
        return slacalc.Calendar(
            tz=self.zone,
            country=None,
            days=self.days,
            hours=self.hours(),
            extra_holidays=self.extra_holidays,
            extra_workdays=self.extra_workdays,
        )

    def reference(self) -> RefCalendar:
        return RefCalendar(
            zone=self.zone,
            days=self.days,
            windows=self.windows,
            per_weekday=None if self.per_weekday is None else dict(self.per_weekday),
            makeup=self.makeup,
            holidays=self.extra_holidays,
            workdays=self.extra_workdays,
        )


@st.composite
def cal_specs(draw: st.DrawFn, zone: st.SearchStrategy[str] = zones) -> CalSpec:
    """A random calendar: usually one window set for every day, sometimes per weekday."""
    closed, opened = draw(holiday_sets())
    days = draw(st.sampled_from(["business", "business", "all"]))
    if draw(st.integers(0, 3)) == 0:
        listed = draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True))
        if days == "business" and not any(wd < 5 for wd in listed):
            listed.append(draw(st.integers(0, 4)))
        per_weekday = tuple((wd, draw(window_sets)) for wd in sorted(listed))
        makeup = draw(st.none() | window_sets)
        windows = None
    else:
        per_weekday, makeup, windows = None, None, draw(window_sets)
    return CalSpec(draw(zone), days, windows, per_weekday, makeup, closed, opened)


#: Windows whose boundaries fall in (or next to) the transition hours of the DST zones.
DST_WINDOWS = (
    "01:00-03:00",
    "02:30-04:00",
    "01:30-02:30",
    "00:30-01:30",
    "01:45-02:15",
    "02:00-02:30",
    "01:00-02:00,02:00-03:00",
    "00:00-01:30,22:30-24:00",
    "23:30-24:00",
    "00:00-00:30",
    "00:00-24:00",
)


@st.composite
def dst_cal_specs(draw: st.DrawFn) -> CalSpec:
    """Calendars in DST zones with windows in the transition hours, covering every day (DST
    changes fall on weekends, which a business-day calendar would skip)."""
    text = draw(st.sampled_from(DST_WINDOWS))
    windows = tuple(
        sorted(
            (int(a[:2]) * 60 + int(a[3:]), int(b[:2]) * 60 + int(b[3:]))
            for a, b in (p.split("-") for p in text.split(","))
        )
    )
    days = draw(st.sampled_from(["all", "all", "business"]))
    opened: frozenset[dt.date] = frozenset()
    zone = draw(dst_zones)
    if days == "business":
        # Make the transition days workdays so their windows count.
        opened = frozenset(
            (dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=u + k * 3600))
            .astimezone(ZoneInfo(zone)).date()
            for u in transitions(zone)
            for k in (-1, 1)
        )
    return CalSpec(zone, days, windows, None, None, frozenset(), opened)


# -- instants ---------------------------------------------------------------------------------
def _offset(zone: ZoneInfo, u: int) -> dt.timedelta:
    off = (EPOCH + dt.timedelta(seconds=u)).astimezone(zone).utcoffset()
    assert off is not None
    return off


@cache
def transitions(zone_key: str) -> tuple[int, ...]:
    """POSIX seconds of every offset change of the zone in the test years (found by scanning)."""
    zone = ZoneInfo(zone_key)
    u = int(dt.datetime(FIRST_YEAR, 1, 1, tzinfo=UTC).timestamp())
    end = int(dt.datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC).timestamp())
    found = []
    while u < end:
        nxt = u + 6 * 3600
        if _offset(zone, u) != _offset(zone, nxt):
            lo, hi = u, nxt
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(zone, mid) == _offset(zone, lo):
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
        u = nxt
    return tuple(found)


_ALL_TRANSITIONS = tuple(sorted({u for z in DST_ZONES for u in transitions(z)}))
_LO = int(dt.datetime(FIRST_YEAR, 1, 1, tzinfo=UTC).timestamp())
_HI = int(dt.datetime(LAST_YEAR, 12, 31, tzinfo=UTC).timestamp())


@st.composite
def _sub_second(draw: st.DrawFn) -> int:
    return draw(st.sampled_from([0, 0, 0, 1, 999_999]) | st.integers(0, 999_999))


@st.composite
def instants_us(draw: st.DrawFn, zone: str | None = None) -> int:
    """POSIX microseconds over the test years: uniform, near DST transitions, or on a local
    minute/half-hour grid of ``zone`` (to hit window boundaries exactly)."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        u = draw(st.integers(_LO, _HI)) * 1_000_000 + draw(_sub_second())
    elif kind == 1:
        pool = transitions(zone) if zone is not None and transitions(zone) else _ALL_TRANSITIONS
        base = draw(st.sampled_from(pool))
        delta = draw(st.integers(-36, 36)) * 1800 + draw(st.sampled_from([0, 0, -1, 1, 60, 900]))
        u = (base + delta) * 1_000_000
    else:
        key = zone if zone is not None else draw(zones)
        day = draw(dates_in_range)
        minute = draw(st.integers(0, 47)) * 30 if kind == 2 else draw(st.integers(0, 1439))
        fold = draw(st.integers(0, 1))
        naive = dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=minute)
        aware = naive.replace(tzinfo=ZoneInfo(key), fold=fold)
        u = int((aware - EPOCH).total_seconds()) * 1_000_000
        if draw(st.integers(0, 4)) == 0:
            u += draw(st.sampled_from([-1, 1, -1_000_000, 1_000_000]))
    return u


def express(u: int, tz: dt.tzinfo) -> dt.datetime:
    """Instant ``u`` (µs) as an aware datetime in ``tz`` (``fold`` set right by astimezone)."""
    return (EPOCH + dt.timedelta(microseconds=u)).astimezone(tz)


@st.composite
def aware_datetimes(draw: st.DrawFn, zone: str | None = None) -> dt.datetime:
    """Aware datetimes over the test years in a random zone (fold=1 in repeated hours)."""
    return express(draw(instants_us(zone)), draw(input_zones))


def to_us(t: dt.datetime) -> int:
    delta = t - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


# -- durations --------------------------------------------------------------------------------
durations = st.one_of(
    st.just(dt.timedelta(0)),
    st.integers(1, 24 * 14).map(lambda h: dt.timedelta(hours=h)),
    st.integers(1, 60 * 24 * 21).map(lambda m: dt.timedelta(minutes=m)),
    st.integers(1, 86_400 * 21).map(lambda s: dt.timedelta(seconds=s)),
    st.integers(1, 86_400 * 21 * 1_000_000).map(lambda us: dt.timedelta(microseconds=us)),
    st.sampled_from(
        [
            dt.timedelta(microseconds=1),
            dt.timedelta(seconds=1),
            dt.timedelta(minutes=30),
            dt.timedelta(hours=4, seconds=17),
            dt.timedelta(hours=8),
            dt.timedelta(days=1),
        ]
    ),
)
positive_durations = durations.filter(bool)

whole_second_durations = st.one_of(
    st.integers(0, 24 * 14).map(lambda h: dt.timedelta(hours=h)),
    st.integers(1, 60 * 24 * 21).map(lambda m: dt.timedelta(minutes=m)),
    st.integers(1, 86_400 * 21).map(lambda s: dt.timedelta(seconds=s)),
    st.just(dt.timedelta(hours=4, seconds=17)),
)

#: Times of day on minute boundaries, for cutoffs and due times.
times_of_day = st.builds(dt.time, st.integers(0, 23), st.sampled_from([0, 0, 30, 1, 59]))
cutoffs = st.one_of(
    st.just(dt.time(15)), times_of_day, st.builds(dt.time, st.integers(0, 23), st.integers(0, 59),
                                                  st.integers(0, 59), st.integers(0, 999_999))
)


@st.composite
def near_transition_us(draw: st.DrawFn, zone: str) -> int:
    """POSIX microseconds within a day and a half of one of ``zone``'s transitions."""
    base = draw(st.sampled_from(transitions(zone)))
    delta = draw(
        st.integers(-36, 36).map(lambda k: k * 900)
        | st.integers(-3 * 3600, 3 * 3600)
        | st.integers(-36 * 3600, 36 * 3600)
    )
    return (base + delta) * 1_000_000 + draw(st.sampled_from([0, 0, 0, 1, 500_000]))
