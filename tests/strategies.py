"""The calendar tests' strategies: the public ones of ``slacalc.testing``, tied to the reference.

Calendars, instants, durations and zones come from :mod:`slacalc.testing` (the strategies users
get). What only the tests need lives here: :class:`CalSpec`, which describes a generated
country-less calendar in the terms of the independent :class:`reference.RefCalendar`, and
instants as POSIX microseconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

import slacalc
from reference import RefCalendar, Window, format_windows
from slacalc import testing

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIRST_YEAR, LAST_YEAR = 2024, 2026

zones = testing.zones()
dst_zones = testing.zones(dst=True)
input_zones = testing.input_zones()
transitions = testing.transitions
holiday_sets = testing.holiday_sets
dates_in_range = st.dates(min_value=dt.date(FIRST_YEAR, 1, 1), max_value=dt.date(LAST_YEAR, 12, 31))


def _minutes(windows: tuple[tuple[int, int], ...]) -> tuple[Window, ...]:
    assert all(a % 60 == 0 and b % 60 == 0 for a, b in windows), windows
    return tuple((a // 60, b // 60) for a, b in windows)


@dataclasses.dataclass(frozen=True)
class CalSpec:
    """A country-less calendar: zone, day rule, windows, overlays (minutes after midnight)."""

    zone: str
    days: str
    windows: tuple[Window, ...] | None
    per_weekday: tuple[tuple[int, tuple[Window, ...]], ...] | None
    makeup: tuple[Window, ...] | None
    extra_holidays: frozenset[dt.date]
    extra_workdays: frozenset[dt.date]

    @classmethod
    def of(cls, cal: slacalc.Calendar) -> CalSpec:
        """The description of a generated calendar (no country: only its extra days)."""
        assert cal.country is None
        hours = cal.hours
        if hours.default is not None:
            windows: tuple[Window, ...] | None = _minutes(hours.default)
            per_weekday = None
        else:
            windows = None
            per_weekday = tuple((wd, _minutes(w)) for wd, w in enumerate(hours.per_day)
                                if w is not None)
        makeup = None if hours.makeup is None else _minutes(hours.makeup)
        return cls(cal.tz.key, cal.days, windows, per_weekday, makeup, cal.extra_holidays,
                   cal.extra_workdays)

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
        return slacalc.Calendar(tz=self.zone, country=None, days=self.days, hours=self.hours(),
                                extra_holidays=self.extra_holidays,
                                extra_workdays=self.extra_workdays)

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


def cal_specs(zone: st.SearchStrategy[str] = zones) -> st.SearchStrategy[CalSpec]:
    """Random country-less calendars (``slacalc.testing.calendars``), described for the
    reference."""
    return testing.calendars(zone=zone).map(CalSpec.of)


def dst_cal_specs() -> st.SearchStrategy[CalSpec]:
    """Calendars in DST zones with windows in the change hours (``slacalc.testing``)."""
    return testing.dst_calendars().map(CalSpec.of)


@cache
def _whole_day(zone: str) -> slacalc.Calendar:
    return slacalc.Calendar(tz=zone, days="all", hours="00:00-24:00")


def express(u: int, tz: dt.tzinfo) -> dt.datetime:
    """Instant ``u`` (µs) as an aware datetime in ``tz`` (``fold`` set right by astimezone)."""
    return (EPOCH + dt.timedelta(microseconds=u)).astimezone(tz)


def to_us(t: dt.datetime) -> int:
    delta = t - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def instants_us(zone: str | None = None) -> st.SearchStrategy[int]:
    """POSIX microseconds over the test years (``slacalc.testing.instants``), on ``zone``'s
    local grid when given."""
    cal = _whole_day(zone if zone is not None else "UTC")
    return testing.instants(cal, first_year=FIRST_YEAR).map(to_us)


def aware_datetimes(zone: str | None = None) -> st.SearchStrategy[dt.datetime]:
    """Aware datetimes over the test years in assorted zones (fold=1 in repeated hours)."""
    return testing.instants(_whole_day(zone if zone is not None else "UTC"),
                            first_year=FIRST_YEAR)


durations = testing.durations()
positive_durations = testing.durations(zero=False)
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
