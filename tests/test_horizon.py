"""The data horizon (DESIGN §Calendar semantics, 'Data horizon').

Official Chinese schedules are published a year at a time; past the last published year the
``holidays`` package only projects fixed and lunar dates, without make-up days. A calendar knows
that year (``verified_through``); using a day past it warns ``HorizonWarning`` naming the year,
and with ``strict=True`` raises ``HorizonError``. Within the horizon nothing is emitted.

The expected horizon is read here straight from the ``holidays`` package's China data (its table
of officially published special days), not from slacalc.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from zoneinfo import ZoneInfo

import holidays
import pytest
from holidays.countries.china import ChinaStaticHolidays

import slacalc as sla

SH = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


def _published_through() -> int:
    """The last year holidays' China data has officially published special days for."""
    return max(ChinaStaticHolidays.special_public_holidays)


def _last_year_with_make_up_days() -> int:
    """Cross-check: the last year with weekend make-up workdays in holidays' CN data."""
    data = holidays.country_holidays("CN", years=range(2000, 2061))
    return max(day.year for day in data.weekend_workdays)


LAST = _published_through()
PAST = LAST + 1


@pytest.fixture(scope="module")
def cn() -> sla.Calendar:
    return sla.Calendar.from_coverage("5x8", country="CN")


@pytest.fixture(scope="module")
def cn_strict() -> sla.Calendar:
    return sla.Calendar.from_coverage("5x8", country="CN", strict=True)


def no_warnings(fn: Callable[[], object]) -> object:
    """Run ``fn`` and assert it emitted no warning at all."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    assert [str(w.message) for w in caught] == []
    return result


def _past_calls(cal: sla.Calendar) -> dict[str, Callable[[], object]]:
    """Every query touching a day of the first unverified year (a Tuesday in March)."""
    day = dt.date(PAST, 3, 2)
    while day.weekday() != 1:
        day += dt.timedelta(days=1)
    t = dt.datetime.combine(day, dt.time(10), tzinfo=SH)
    ts = int(t.timestamp())
    return {
        "is_business_day": lambda: cal.is_business_day(day),
        "next_business_day": lambda: cal.next_business_day(day),
        "add_business_days": lambda: cal.add_business_days(day, 1),
        "describe_day": lambda: cal.describe_day(day),
        "effective_day": lambda: cal.effective_day(t, dt.time(15)),
        "add": lambda: cal.add(t, H),
        "elapsed": lambda: cal.elapsed(t - H, t),
        "is_open": lambda: cal.is_open(t),
        "next_open": lambda: cal.next_open(t),
        "add_many": lambda: cal.add_many([ts], H),
        "elapsed_many": lambda: cal.elapsed_many([ts], [ts + 3600]),
        "Within": lambda: sla.Within(cal, H).deadline(t),
        "NextBusinessDay": lambda: sla.NextBusinessDay(cal).deadline(t),
        "NextBusinessDay.deadline_many": lambda: sla.NextBusinessDay(cal).deadline_many([ts]),
        "BusinessDays": lambda: sla.BusinessDays(cal, 2).deadline(t),
    }


class TestVerifiedThrough:
    """``verified_through``: the last year the holiday data vouches for."""

    def test_cn_equals_last_published_year(self, cn: sla.Calendar) -> None:
        """Equals the last year of holidays' published China table (and its last 调休 year)."""
        assert _last_year_with_make_up_days() == LAST
        assert LAST >= 2026
        assert cn.verified_through == LAST

    def test_no_country_is_none(self) -> None:
        """No holiday data is involved without a country."""
        assert sla.Calendar.from_coverage("7x24", tz="Asia/Shanghai").verified_through is None
        assert sla.Calendar(tz="UTC").verified_through is None

    def test_rule_based_country_is_far(self) -> None:
        """A country whose holidays follow fixed rules is vouched for far ahead (US)."""
        us = sla.Calendar.from_coverage("5x8", country="US", tz="America/New_York")
        assert us.verified_through is not None and us.verified_through > PAST + 50


class TestWarning:
    """Past the horizon: HorizonWarning naming the year, for every kind of query."""

    @pytest.mark.parametrize("name", sorted(_past_calls(sla.Calendar(tz="UTC"))))
    def test_each_query_warns(self, cn: sla.Calendar, name: str) -> None:
        """The query warns once, naming the unverified year and the last verified one."""
        with pytest.warns(sla.HorizonWarning) as record:
            _past_calls(cn)[name]()
        messages = [str(w.message) for w in record]
        assert any(str(PAST) in m and str(LAST) in m for m in messages), messages
        assert issubclass(sla.HorizonWarning, sla.SlaWarning)

    def test_warning_points_at_the_caller(self, cn: sla.Calendar) -> None:
        """The warning is attributed to this test file (a useful stacklevel)."""
        with pytest.warns(sla.HorizonWarning) as record:
            cn.is_business_day(dt.date(PAST, 3, 2))
        assert record[0].filename == __file__

    def test_deadline_crossing_into_next_year(self, cn: sla.Calendar) -> None:
        """A start inside the horizon whose deadline lands past it warns."""
        last_day = dt.date(LAST, 12, 31)
        start = dt.datetime.combine(last_day, dt.time(10), tzinfo=SH)
        with pytest.warns(sla.HorizonWarning, match=str(PAST)):
            cn.add(start, 10 * 24 * H)

    def test_segments_warn(self, cn: sla.Calendar) -> None:
        """Explaining an interval past the horizon also warns (DESIGN: never silent)."""
        t = dt.datetime(PAST, 3, 2, 10, tzinfo=SH)
        with pytest.warns(sla.HorizonWarning, match=str(PAST)):
            cn.segments(t, t + H)


class TestStrict:
    """``strict=True`` turns the warning into HorizonError naming the year."""

    @pytest.mark.parametrize("name", sorted(_past_calls(sla.Calendar(tz="UTC"))))
    def test_each_query_raises(self, cn_strict: sla.Calendar, name: str) -> None:
        """HorizonError (an SlaError and ValueError) naming the year; no warning."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(sla.HorizonError) as info:
                _past_calls(cn_strict)[name]()
        assert str(PAST) in str(info.value)
        assert isinstance(info.value, sla.SlaError) and isinstance(info.value, ValueError)

    def test_strict_within_horizon_works(self, cn_strict: sla.Calendar) -> None:
        """Inside the horizon a strict calendar answers normally (make-up Sat 2026-10-10)."""
        assert no_warnings(lambda: cn_strict.is_business_day(dt.date(2026, 10, 10))) is True
        assert no_warnings(lambda: cn_strict.add(dt.datetime(2026, 10, 9, 16, tzinfo=SH),
                                                 2 * H)) == dt.datetime(2026, 10, 10, 10,
                                                                        tzinfo=SH)


class TestWithinHorizon:
    """No warning inside the horizon, even on its very last day."""

    def test_queries_in_2026_are_silent(self, cn: sla.Calendar) -> None:
        """Every query on days of 2026 emits nothing."""
        day, t = dt.date(2026, 10, 10), dt.datetime(2026, 10, 9, 16, tzinfo=SH)
        ts = int(t.timestamp())
        calls: list[Callable[[], object]] = [
            lambda: cn.is_business_day(day), lambda: cn.next_business_day(day),
            lambda: cn.add_business_days(day, -3), lambda: cn.describe_day(day),
            lambda: cn.effective_day(t, dt.time(15)), lambda: cn.add(t, 4 * H),
            lambda: cn.elapsed(t, t + 48 * H), lambda: cn.is_open(t), lambda: cn.next_open(t),
            lambda: cn.segments(t, t + 48 * H), lambda: cn.add_many([ts], 4 * H),
            lambda: cn.elapsed_many([ts], [ts + 7200]),
            lambda: sla.NextBusinessDay(cn).deadline(t),
            lambda: sla.NextBusinessDay(cn).deadline_many([ts]),
            lambda: sla.BusinessDays(cn, 3).deadline(t),
        ]
        for call in calls:
            no_warnings(call)

    def test_last_day_of_horizon_is_silent(self, cn: sla.Calendar) -> None:
        """A deadline ending at 17:00 on the last verified day does not warn."""
        last = dt.date(LAST, 12, 31)
        while not no_warnings(lambda d=last: cn.is_business_day(d)):  # type: ignore[misc]
            last -= dt.timedelta(days=1)
        start = dt.datetime.combine(last, dt.time(16), tzinfo=SH)
        got = no_warnings(lambda: cn.add(start, H))
        assert got == dt.datetime.combine(last, dt.time(17), tzinfo=SH)


class TestNoHolidayData:
    """Calendars that do not depend on the horizon never warn."""

    def test_7x24_without_country_never_warns(self) -> None:
        """A 7x24 calendar without country: far-future queries are silent."""
        cal = sla.Calendar.from_coverage("7x24", tz="Asia/Shanghai")
        t = dt.datetime(2150, 6, 1, 10, tzinfo=SH)
        assert no_warnings(lambda: cal.add(t, 5 * H)) == t + 5 * H
        assert no_warnings(lambda: cal.is_business_day(dt.date(2150, 6, 1))) is True
        assert no_warnings(lambda: sla.NextDay(cal).deadline(t)) == dt.datetime(
            2150, 6, 2, 18, tzinfo=SH)

    def test_all_days_cn_coverage_does_not_warn(self) -> None:
        """days='all' CN: covered time ignores holidays, so add/elapsed past the horizon are
        silent; business-day queries still depend on the data and warn."""
        cal = sla.Calendar(tz="Asia/Shanghai", country="CN", days="all", hours="00:00-24:00")
        t = dt.datetime(PAST, 10, 1, 10, tzinfo=SH)
        assert no_warnings(lambda: cal.add(t, 5 * H)) == t + 5 * H
        assert no_warnings(lambda: cal.elapsed(t, t + 5 * H)) == 5 * H
        assert no_warnings(lambda: cal.is_open(t)) is True
        with pytest.warns(sla.HorizonWarning, match=str(PAST)):
            cal.is_business_day(dt.date(PAST, 10, 1))
        with pytest.warns(sla.HorizonWarning, match=str(PAST)):
            cal.add_business_days(dt.date(PAST, 10, 1), 1)

    def test_all_days_cn_strict(self) -> None:
        """days='all' CN with strict=True: add works, is_business_day raises HorizonError."""
        cal = sla.Calendar(tz="Asia/Shanghai", country="CN", days="all", hours="00:00-24:00",
                           strict=True)
        t = dt.datetime(PAST, 10, 1, 10, tzinfo=SH)
        assert no_warnings(lambda: cal.add(t, H)) == t + H
        with pytest.raises(sla.HorizonError, match=str(PAST)):
            cal.is_business_day(dt.date(PAST, 10, 1))
