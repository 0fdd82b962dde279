"""Example-based tests of :class:`slacalc.Calendar`, a class per method.

Every expected value is hand-checked against the official 2026 schedule (State Council notice
国办发明电〔2025〕 on the 2026 holidays, as transcribed in the ``holidays`` package):

* New Year: 01-01..01-03 off, Sunday 01-04 a make-up workday.
* Spring Festival: 02-15 (Sun)..02-23 (Mon) off, Saturdays 02-14 and 02-28 make-up workdays.
* Qingming: 04-04..04-06 off (04-05 is Sunday, 04-06 Monday in lieu).
* Labour Day: 05-01..05-05 off, Saturday 05-09 a make-up workday.
* Mid-Autumn: Friday 09-25 off.
* National Day: 10-01 (Thu)..10-07 (Wed) off, Sunday 09-20 and Saturday 10-10 make-up workdays.

Weekdays used below: 2026-09-30 Wed, 10-08 Thu, 10-09 Fri, 10-12 Mon, 02-13 Fri, 02-24 Tue,
11-22 Sun, 11-23 Mon. "DESIGN §…" cites /work/shared/DESIGN.md; "vector …" the id of a named
scenario in shared/vectors/seed_scenarios.jsonl.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slacalc as sla
from strategies import cal_specs, holiday_sets

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
US1 = dt.timedelta(microseconds=1)


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> dt.datetime:
    """A Shanghai wall time."""
    return dt.datetime(y, mo, d, h, mi, s, us, tzinfo=SH)


def ny(y: int, mo: int, d: int, h: int = 0, mi: int = 0, *, fold: int = 0) -> dt.datetime:
    """A New York wall time (``fold=1``: the second of a repeated hour)."""
    return dt.datetime(y, mo, d, h, mi, tzinfo=NY, fold=fold)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def same_instant(a: dt.datetime, b: dt.datetime) -> bool:
    """Compare instants in UTC (== between zones is False inside a DST fold, PEP 495)."""
    return a.astimezone(dt.UTC) == b.astimezone(dt.UTC)


@pytest.fixture(scope="module")
def cn() -> sla.Calendar:
    return sla.Calendar.from_coverage("5x8", country="CN")


@pytest.fixture(scope="module")
def lunch() -> sla.Calendar:
    return sla.Calendar(tz="Asia/Shanghai", country="CN", days="business",
                        hours="09:00-12:00,13:30-18:00")


@pytest.fixture(scope="module")
def desk() -> sla.Calendar:
    """A Saturday-morning desk."""
    return sla.Calendar(tz="Asia/Shanghai", country="CN",
                        hours={"mon-fri": "09:00-18:00", "sat": "09:00-12:00"})


@pytest.fixture(scope="module")
def night() -> sla.Calendar:
    """A 01:00-03:00 window every day in New York (crosses both DST changes)."""
    return sla.Calendar(tz="America/New_York", days="all", hours="01:00-03:00")


# ------------------------------------------------------------------------------------------------
class TestFromCoverage:
    """``Calendar.from_coverage``: every contract spelling (DESIGN: 'Coverage windows')."""

    @pytest.mark.parametrize("spec", ["5x8", "5×8", "8*5", "5X8", "8x5", "5 x 8", "5x8xNBD",
                                      "8x5x48"])
    def test_5x8_spellings_are_one_calendar(self, spec: str) -> None:
        """All 5x8 spellings (and spare-part levels over 5x8) give Mon-Fri 09:00-17:00 in CN."""
        cal = sla.Calendar.from_coverage(spec, country="CN")
        assert cal == sla.Calendar(tz="Asia/Shanghai", country="CN", days="business",
                                   hours="09:00-17:00")
        assert cal.days == "business"
        assert str(cal.hours) == "09:00-17:00"
        assert cal.tz == SH
        assert cal.is_open(sh(2026, 11, 23, 9)) and not cal.is_open(sh(2026, 11, 23, 17))

    @pytest.mark.parametrize("spec", ["24x7", "7x24", "7×24", "24*7", "7x24x4", "7X24XND"])
    def test_7x24_spellings_cover_everything(self, spec: str) -> None:
        """24x7 in any order covers every instant, holidays included."""
        cal = sla.Calendar.from_coverage(spec, tz="Asia/Shanghai")
        assert cal.days == "all"
        assert str(cal.hours) == "00:00-24:00"
        assert cal.is_open(sh(2026, 10, 1, 3))  # National Day, 03:00
        assert cal.elapsed(sh(2026, 10, 1), sh(2026, 10, 8)) == dt.timedelta(days=7)

    def test_6x8_covers_saturdays(self) -> None:
        """6x8: business days and Saturdays 09:00-17:00; Sundays and holiday Saturdays closed."""
        cal = sla.Calendar.from_coverage("6x8", country="CN")
        assert cal.is_open(sh(2026, 10, 17, 10))          # ordinary Saturday
        assert not cal.is_open(sh(2026, 10, 18, 10))      # ordinary Sunday
        assert not cal.is_open(sh(2026, 10, 3, 10))       # Saturday, National Day
        assert cal.is_open(sh(2026, 9, 20, 10))           # make-up Sunday
        assert cal.is_open(sh(2026, 11, 23, 16, 59))      # Monday

    def test_7x8_covers_holidays(self) -> None:
        """7x8: every calendar day 09:00-17:00, holidays included."""
        cal = sla.Calendar.from_coverage("7x8", tz="Asia/Shanghai", country="CN")
        assert cal.is_open(sh(2026, 10, 1, 9))
        assert not cal.is_open(sh(2026, 10, 1, 17))
        assert cal.add(sh(2026, 10, 1, 16), 2 * H) == sh(2026, 10, 2, 10)

    def test_5x24_us_new_york(self) -> None:
        """5x24 US: whole business days; a Friday-night start rolls into Monday."""
        cal = sla.Calendar.from_coverage("5x24", country="US", tz="America/New_York")
        assert cal.add(ny(2026, 10, 30, 12), dt.timedelta(hours=13, minutes=30)) == ny(
            2026, 11, 2, 1, 30
        )

    def test_explicit_hours_override(self) -> None:
        """``hours=`` overrides the default 09:00-17:00 of a 5x8 spec."""
        cal = sla.Calendar.from_coverage("5x8", country="CN", hours="08:30-16:30")
        assert cal.is_open(sh(2026, 11, 23, 8, 30))
        assert not cal.is_open(sh(2026, 11, 23, 16, 30))

    def test_coverage_object_accepted(self) -> None:
        """A parsed ``Coverage`` works as the spec."""
        cal = sla.Calendar.from_coverage(sla.Coverage.parse("8*5"), country="CN")
        assert cal == sla.Calendar.from_coverage("5x8", country="CN")


# ------------------------------------------------------------------------------------------------
class TestAdd:
    """``cal.add(t, d)``: the earliest x >= t with covered time in [t, x) == d (DESIGN §Calendar
    semantics)."""

    def test_4h_over_national_day(self, cn: sla.Calendar) -> None:
        """Vector 5x8-4h-over-national-day: 15:01 09-30 + 4h = 1h59m + 2h01m -> 10-08 11:01."""
        assert cn.add(sh(2026, 9, 30, 15, 1), 4 * H) == sh(2026, 10, 8, 11, 1)

    def test_end_of_window_is_the_close(self, cn: sla.Calendar) -> None:
        """Vector 5x8-end-of-window: using up a window exactly ends at 17:00, never next 09:00.

        Starts at 08:00 on make-up Saturday 10-10: the clock starts at 09:00.
        """
        assert cn.add(sh(2026, 10, 10, 8), 8 * H) == sh(2026, 10, 10, 17)

    def test_weekend_start(self, cn: sla.Calendar) -> None:
        """Vector 5x8-weekend-start: opened Sunday 11-22 10:00, clock starts Monday 09:00."""
        assert cn.add(sh(2026, 11, 22, 10), 2 * H) == sh(2026, 11, 23, 11)

    def test_zero_duration_is_identity(self, cn: sla.Calendar) -> None:
        """``add(t, 0) == t``, even outside coverage (a holiday night)."""
        t = sh(2026, 10, 3, 23, 15, 7, 123)
        assert cn.add(t, dt.timedelta(0)) == t

    def test_spring_festival(self, cn: sla.Calendar) -> None:
        """Friday 02-13 16:00 + 3h: 1h Fri, 8h on make-up Sat 02-14 -> Sat 11:00."""
        assert cn.add(sh(2026, 2, 13, 16), 3 * H) == sh(2026, 2, 14, 11)
        # 1h Fri + 8h Sat 02-14 + 1h -> Tue 02-24 10:00 (02-15..02-23 off)
        assert cn.add(sh(2026, 2, 13, 16), 10 * H) == sh(2026, 2, 24, 10)

    def test_7x24_overnight_holiday(self) -> None:
        """Vector 7x24x4-overnight: four clock hours through a holiday night."""
        cal = sla.Calendar.from_coverage("7x24", tz="Asia/Shanghai")
        assert cal.add(sh(2026, 10, 1, 23), 4 * H) == sh(2026, 10, 2, 3)

    def test_5x24_over_holiday(self) -> None:
        """5x24 CN: from National Day 10-02 17:17:48, the clock starts 10-08 00:00 -> 02:00."""
        cal = sla.Calendar.from_coverage("5x24", country="CN")
        assert cal.add(sh(2026, 10, 2, 17, 17, 48), 2 * H) == sh(2026, 10, 8, 2)

    def test_microsecond_exact(self, cn: sla.Calendar) -> None:
        """Results are exact to the microsecond, including at the close."""
        assert cn.add(sh(2026, 11, 23, 9, 0, 0, 1), H) == sh(2026, 11, 23, 10, 0, 0, 1)
        assert cn.add(sh(2026, 11, 23, 16, 59, 59, 999_999), US1) == sh(2026, 11, 23, 17)
        assert cn.add(sh(2026, 11, 23, 16, 59, 59, 999_999), 2 * US1) == sh(
            2026, 11, 24, 9, 0, 0, 1
        )

    def test_result_in_calendar_zone(self, cn: sla.Calendar) -> None:
        """A start in another zone gives a result in the calendar's zone, same instant."""
        got = cn.add(dt.datetime(2026, 11, 23, 1, tzinfo=dt.UTC), H)  # 09:00 Shanghai
        assert got.tzinfo is cn.tz
        assert got == sh(2026, 11, 23, 10)

    def test_start_at_close_waits(self, cn: sla.Calendar) -> None:
        """A start exactly at 17:00 is outside [09:00, 17:00): clock starts next opening."""
        assert cn.add(sh(2026, 11, 23, 17), M) == sh(2026, 11, 24, 9, 1)

    def test_lunch_break_skipped(self, lunch: sla.Calendar) -> None:
        """Two windows a day: 11:00 + 2h = 1h before lunch + 1h from 13:30 -> 14:30."""
        assert lunch.add(sh(2026, 11, 23, 11), 2 * H) == sh(2026, 11, 23, 14, 30)
        assert lunch.add(sh(2026, 11, 23, 11), H) == sh(2026, 11, 23, 12)  # end of morning
        assert lunch.add(sh(2026, 11, 23, 12, 30), M) == sh(2026, 11, 23, 13, 31)

    def test_lunch_day_capacity(self, lunch: sla.Calendar) -> None:
        """A day holds 3h + 4h30m = 7h30m: 09:00 + 7h30 = 18:00, + 8h = next day 09:30."""
        assert lunch.add(sh(2026, 11, 23, 9), dt.timedelta(hours=7, minutes=30)) == sh(
            2026, 11, 23, 18
        )
        assert lunch.add(sh(2026, 11, 23, 9), 8 * H) == sh(2026, 11, 24, 9, 30)

    def test_lunch_vector_s2026_6(self, lunch: sla.Calendar) -> None:
        """Saturday 2025-07-19 01:50 + 23999 s: Mon 07-21 09:00 + 6h39m59s.

        3h morning, then 13:30 + 3h39m59s = 17:09:59.
        """
        assert lunch.add(sh(2025, 7, 19, 1, 50, 12), dt.timedelta(seconds=23_999)) == sh(
            2025, 7, 21, 17, 9, 59
        )

    def test_window_ending_at_24(self) -> None:
        """A 20:00-24:00 window: 23:00 + 2h = 1h to midnight, then 20:00 + 1h next day."""
        cal = sla.Calendar(tz="Asia/Shanghai", days="all", hours="20:00-24:00")
        assert cal.add(sh(2026, 11, 23, 23), 2 * H) == sh(2026, 11, 24, 21)
        assert cal.add(sh(2026, 11, 23, 23), H) == sh(2026, 11, 24, 0)  # midnight is the close

    def test_touching_windows_across_midnight(self) -> None:
        """'00:00-06:00,18:00-24:00' is continuous across midnight: 23:00 + 2h = 01:00."""
        cal = sla.Calendar(tz="Asia/Shanghai", days="all", hours="00:00-06:00,18:00-24:00")
        assert cal.add(sh(2026, 11, 23, 23), 2 * H) == sh(2026, 11, 24, 1)
        assert cal.add(sh(2026, 11, 23, 5), 2 * H) == sh(2026, 11, 23, 19)


# ------------------------------------------------------------------------------------------------
class TestElapsed:
    """``cal.elapsed(a, b)``: covered time in [a, b), antisymmetric (DESIGN §Calendar semantics)."""

    def test_over_national_day(self, cn: sla.Calendar) -> None:
        """09-30 16:00 .. 10-08 10:00: 1h + 1h."""
        assert cn.elapsed(sh(2026, 9, 30, 16), sh(2026, 10, 8, 10)) == 2 * H

    def test_reversed_is_negative(self, cn: sla.Calendar) -> None:
        """``elapsed(b, a) == -elapsed(a, b)``."""
        assert cn.elapsed(sh(2026, 10, 8, 10), sh(2026, 9, 30, 16)) == -2 * H

    def test_same_instant_is_zero(self, cn: sla.Calendar) -> None:
        """``elapsed(t, t) == 0``."""
        t = sh(2026, 11, 23, 10)
        assert cn.elapsed(t, t) == dt.timedelta(0)

    def test_lunch(self, lunch: sla.Calendar) -> None:
        """11:00 .. 14:00 with lunch 12:00-13:30: 1h + 30m."""
        assert lunch.elapsed(sh(2026, 11, 23, 11), sh(2026, 11, 23, 14)) == dt.timedelta(
            hours=1, minutes=30
        )

    def test_includes_make_up_saturday(self, cn: sla.Calendar) -> None:
        """Fri 10-09 09:00 .. Mon 10-12 09:00 holds Friday and make-up Saturday: 16h."""
        assert cn.elapsed(sh(2026, 10, 9, 9), sh(2026, 10, 12, 9)) == 16 * H

    def test_week_of_spring_festival(self, cn: sla.Calendar) -> None:
        """02-13 00:00 .. 03-02 00:00: Fri 02-13, Sat 02-14, Tue..Fri 02-24..27, Sat 02-28 = 7 days."""
        assert cn.elapsed(sh(2026, 2, 13), sh(2026, 3, 2)) == 7 * 8 * H

    def test_microseconds(self, cn: sla.Calendar) -> None:
        """Exact to the microsecond at a window's edge."""
        assert cn.elapsed(sh(2026, 11, 23, 16, 59, 59, 999_999), sh(2026, 11, 24, 9, 0, 0, 1)) == (
            2 * US1
        )

    def test_mixed_zones(self, cn: sla.Calendar) -> None:
        """Vector s2026-7 style: a UTC end works like its Shanghai instant (5x24 CN).

        2026-07-21 15:46:55 Tue .. 07-27 23:43:12 UTC = 07-28 07:43:12 Shanghai (Tue):
        Tue rest 8h13m05s + Wed..Fri 3 days + Mon 24h + Tue 7h43m12s = 402977 s.
        """
        cal = sla.Calendar.from_coverage("5x24", country="CN")
        got = cal.elapsed(sh(2026, 7, 21, 15, 46, 55),
                          dt.datetime(2026, 7, 27, 23, 43, 12, tzinfo=dt.UTC))
        assert got == dt.timedelta(seconds=402_977)


# ------------------------------------------------------------------------------------------------
class TestIsOpen:
    """``cal.is_open(t)``: true on [window start, window end) (DESIGN §Calendar semantics)."""

    def test_window_edges(self, cn: sla.Calendar) -> None:
        """Open at 09:00 and up to 16:59:59.999999, closed at 17:00 and before 09:00."""
        assert cn.is_open(sh(2026, 11, 23, 9))
        assert cn.is_open(sh(2026, 11, 23, 16, 59, 59, 999_999))
        assert not cn.is_open(sh(2026, 11, 23, 17))
        assert not cn.is_open(sh(2026, 11, 23, 8, 59, 59, 999_999))

    def test_make_up_and_holiday(self, cn: sla.Calendar) -> None:
        """Open on make-up Saturday 10-10 and Sunday 09-20; closed on National Day."""
        assert cn.is_open(sh(2026, 10, 10, 12))
        assert cn.is_open(sh(2026, 9, 20, 12))
        assert not cn.is_open(sh(2026, 10, 6, 12))

    def test_lunch(self, lunch: sla.Calendar) -> None:
        """Closed over lunch: 12:00 closed, 13:29:59 closed, 13:30 open, 18:00 closed."""
        assert lunch.is_open(sh(2026, 11, 23, 11, 59, 59))
        assert not lunch.is_open(sh(2026, 11, 23, 12))
        assert not lunch.is_open(sh(2026, 11, 23, 13, 29, 59))
        assert lunch.is_open(sh(2026, 11, 23, 13, 30))
        assert not lunch.is_open(sh(2026, 11, 23, 18))

    def test_24_end(self) -> None:
        """A window ending at 24:00 is open at 23:59:59.999999 and closed at 00:00."""
        cal = sla.Calendar(tz="Asia/Shanghai", days="all", hours="20:00-24:00")
        assert cal.is_open(sh(2026, 11, 23, 23, 59, 59, 999_999))
        assert not cal.is_open(sh(2026, 11, 24, 0))
        assert cal.is_open(sh(2026, 11, 24, 20))


# ------------------------------------------------------------------------------------------------
class TestNextOpen:
    """``cal.next_open(t)``: t itself when open, else the next window start."""

    def test_open_returns_itself(self, cn: sla.Calendar) -> None:
        """At 09:00 and mid-window the answer is t (microseconds kept)."""
        assert cn.next_open(sh(2026, 11, 23, 9)) == sh(2026, 11, 23, 9)
        t = sh(2026, 11, 23, 13, 7, 1, 42)
        assert cn.next_open(t) == t

    def test_at_close_goes_to_next_day(self, cn: sla.Calendar) -> None:
        """At 17:00 (closed) the next opening is tomorrow 09:00."""
        assert cn.next_open(sh(2026, 11, 23, 17)) == sh(2026, 11, 24, 9)

    def test_friday_close_to_make_up_saturday(self, cn: sla.Calendar) -> None:
        """Friday 10-09 17:00 -> make-up Saturday 10-10 09:00."""
        assert cn.next_open(sh(2026, 10, 9, 17)) == sh(2026, 10, 10, 9)

    def test_national_day(self, cn: sla.Calendar) -> None:
        """During National Day -> 10-08 09:00."""
        assert cn.next_open(sh(2026, 10, 1, 10)) == sh(2026, 10, 8, 9)

    def test_lunch(self, lunch: sla.Calendar) -> None:
        """12:30 (lunch) -> 13:30."""
        assert lunch.next_open(sh(2026, 11, 23, 12, 30)) == sh(2026, 11, 23, 13, 30)


# ------------------------------------------------------------------------------------------------
class TestIsBusinessDay:
    """``cal.is_business_day(day)``: not a holiday, and a working weekday or make-up day."""

    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            ("2026-01-01", False), ("2026-01-02", False), ("2026-01-04", True),
            ("2026-02-13", True), ("2026-02-14", True), ("2026-02-15", False),
            ("2026-02-16", False), ("2026-02-20", False), ("2026-02-23", False),
            ("2026-02-24", True), ("2026-02-28", True), ("2026-03-01", False),
            ("2026-04-06", False), ("2026-05-05", False), ("2026-05-09", True),
            ("2026-09-20", True), ("2026-09-25", False), ("2026-09-30", True),
            ("2026-10-01", False), ("2026-10-03", False), ("2026-10-04", False),
            ("2026-10-07", False), ("2026-10-08", True), ("2026-10-10", True),
            ("2026-10-11", False), ("2026-11-23", True),
        ],
    )
    def test_cn_2026(self, cn: sla.Calendar, day: str, expected: bool) -> None:
        """The official 2026 schedule (see the module docstring)."""
        assert cn.is_business_day(d(day)) is expected

    def test_hand_table_matches_holidays_data(self) -> None:
        """The module docstring's 2026 schedule, checked against the holidays package's data.

        This checks the oracle, not slacalc: the Spring Festival break 02-15..02-23 and the
        National Day break 10-01..10-07 are holidays or weekend days there, and the six make-up
        days are its listed weekend workdays.
        """
        import holidays  # noqa: PLC0415 - only this oracle check needs the package directly

        data = holidays.country_holidays("CN", years=2026)
        makeup = {d("2026-01-04"), d("2026-02-14"), d("2026-02-28"), d("2026-05-09"),
                  d("2026-09-20"), d("2026-10-10")}
        assert {x for x in data.weekend_workdays if x.year == 2026} == makeup
        for first, last in (("2026-02-15", "2026-02-23"), ("2026-10-01", "2026-10-07")):
            day = d(first)
            while day <= d(last):
                assert day in data or day.weekday() >= 5, day
                day += dt.timedelta(days=1)
        assert d("2026-02-14") not in data and d("2026-02-24") not in data
        assert d("2026-09-30") not in data and d("2026-10-08") not in data

    def test_7x24_business_days_still_follow_country(self) -> None:
        """Business days never depend on the day rule: a days='all' CN calendar agrees."""
        cal = sla.Calendar(tz="Asia/Shanghai", country="CN", days="all", hours="00:00-24:00")
        assert cal.is_business_day(d("2026-10-10")) is True
        assert cal.is_business_day(d("2026-10-01")) is False

    def test_no_country_is_monday_to_friday(self) -> None:
        """Without a country, Monday-Friday are business days (2026-10-01 is a Thursday)."""
        cal = sla.Calendar(tz="Asia/Shanghai")
        assert cal.is_business_day(d("2026-10-01")) is True
        assert cal.is_business_day(d("2026-10-10")) is False


# ------------------------------------------------------------------------------------------------
class TestNextBusinessDay:
    """``cal.next_business_day(day)``: the first business day after ``day``."""

    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            ("2026-09-30", "2026-10-08"),  # over National Day
            ("2026-10-09", "2026-10-10"),  # Friday -> make-up Saturday
            ("2026-10-10", "2026-10-12"),
            ("2026-09-19", "2026-09-20"),  # Saturday -> make-up Sunday
            ("2026-02-14", "2026-02-24"),  # over the Spring Festival
            ("2026-11-23", "2026-11-24"),
            ("2026-11-21", "2026-11-23"),  # Saturday -> Monday
        ],
    )
    def test_cn_2026(self, cn: sla.Calendar, day: str, expected: str) -> None:
        """Hand-checked against the 2026 schedule."""
        assert cn.next_business_day(d(day)) == d(expected)


# ------------------------------------------------------------------------------------------------
class TestAddBusinessDays:
    """``cal.add_business_days(day, n)`` for n > 0, n < 0 and n == 0 (DESIGN: day arithmetic)."""

    def test_report_5th_postponed(self, cn: sla.Calendar) -> None:
        """Vector report-5th-postponed (节假日顺延): 10-05 rolled forward -> 10-08."""
        assert cn.add_business_days(d("2026-10-05"), 0) == d("2026-10-08")

    def test_report_5th_qingming(self, cn: sla.Calendar) -> None:
        """Vector report-5th-qingming: 04-05 (Sun), 04-06 (in lieu) -> 04-07."""
        assert cn.add_business_days(d("2026-04-05"), 0) == d("2026-04-07")

    def test_zero_on_business_day_is_itself(self, cn: sla.Calendar) -> None:
        """n == 0 on a business day (make-up Saturday) is that day."""
        assert cn.add_business_days(d("2026-10-10"), 0) == d("2026-10-10")

    def test_return_10_workdays(self, cn: sla.Calendar) -> None:
        """Vector return-10-workdays: from Fri 02-13: 02-14, 02-24..27, 02-28, 03-02..05."""
        assert cn.add_business_days(d("2026-02-13"), 10) == d("2026-03-05")

    def test_repair_60_workdays(self, cn: sla.Calendar) -> None:
        """Vector repair-60-workdays: from 09-25 (Mid-Autumn): 3 in Sept, 10-08, 10-09,
        10-10, then 54 weekdays from 10-12 -> 12-24."""
        assert cn.add_business_days(d("2026-09-25"), 60) == d("2026-12-24")

    def test_rma_third_business_day(self, cn: sla.Calendar) -> None:
        """Vector rma-third-business-day: 09-29 -> 09-30, 10-08, 10-09."""
        assert cn.add_business_days(d("2026-09-29"), 3) == d("2026-10-09")

    @pytest.mark.parametrize(
        ("day", "n", "expected"),
        [
            ("2026-10-08", -1, "2026-09-30"),
            ("2026-10-12", -1, "2026-10-10"),   # back onto the make-up Saturday
            ("2026-02-24", -2, "2026-02-13"),   # 02-14, then 02-13
            ("2026-10-05", -1, "2026-09-30"),   # from a holiday
            ("2026-09-21", -2, "2026-09-18"),   # 09-20 (make-up Sun), 09-18 (Fri)
        ],
    )
    def test_negative(self, cn: sla.Calendar, day: str, n: int, expected: str) -> None:
        """n < 0 counts back over holidays and onto make-up days."""
        assert cn.add_business_days(d(day), n) == d(expected)


# ------------------------------------------------------------------------------------------------
class TestEffectiveDay:
    """``cal.effective_day(t, cutoff)``: the 15:00 rule (DESIGN: 'The 15:00 cutoff rule')."""

    def test_before_cutoff(self, cn: sla.Calendar) -> None:
        """Vector nbd-before-cutoff-holiday: 14:59:59 on 09-30 is served that day."""
        assert cn.effective_day(sh(2026, 9, 30, 14, 59, 59), dt.time(15)) == d("2026-09-30")

    def test_one_microsecond_before(self, cn: sla.Calendar) -> None:
        """14:59:59.999999 is still strictly before 15:00."""
        t = sh(2026, 9, 30, 14, 59, 59, 999_999)
        assert cn.effective_day(t, dt.time(15)) == d("2026-09-30")

    def test_at_cutoff(self, cn: sla.Calendar) -> None:
        """Vector nbd-at-cutoff: 15:00:00 is not before 15:00 -> next business day 10-08."""
        assert cn.effective_day(sh(2026, 9, 30, 15), dt.time(15)) == d("2026-10-08")

    def test_holiday_morning(self, cn: sla.Calendar) -> None:
        """Vector nbd-holiday-morning: 10-05 09:30 is not a business day -> 10-08."""
        assert cn.effective_day(sh(2026, 10, 5, 9, 30), dt.time(15)) == d("2026-10-08")

    def test_make_up_saturday(self, cn: sla.Calendar) -> None:
        """Vector nbd-makeup-saturday: make-up Saturday 10-10 10:00 is served that day."""
        assert cn.effective_day(sh(2026, 10, 10, 10), dt.time(15)) == d("2026-10-10")

    def test_friday_late(self, cn: sla.Calendar) -> None:
        """Vector nbd-friday-late-to-makeup: Fri 10-09 16:00 -> make-up Saturday 10-10."""
        assert cn.effective_day(sh(2026, 10, 9, 16), dt.time(15)) == d("2026-10-10")

    def test_local_date_of_foreign_instant(self, cn: sla.Calendar) -> None:
        """The local (Shanghai) date counts: 2026-11-22 17:00 UTC is Mon 11-23 01:00 there."""
        t = dt.datetime(2026, 11, 22, 17, tzinfo=dt.UTC)
        assert cn.effective_day(t, dt.time(15)) == d("2026-11-23")


# ------------------------------------------------------------------------------------------------
class TestHoursPerWeekday:
    """Per-weekday hours: a Saturday-morning desk {"mon-fri": "09:00-18:00", "sat": "09:00-12:00"}."""

    def test_ordinary_saturday_morning(self, desk: sla.Calendar) -> None:
        """Fri 10-16 17:00 + 2h: 1h Friday, then Sat 10-17 09:00 + 1h."""
        assert desk.add(sh(2026, 10, 16, 17), 2 * H) == sh(2026, 10, 17, 10)
        assert desk.is_open(sh(2026, 10, 17, 11, 59))
        assert not desk.is_open(sh(2026, 10, 17, 12))

    def test_saturday_is_covered_but_not_a_business_day(self, desk: sla.Calendar) -> None:
        """Business days never depend on hours: a covered Saturday is not a business day."""
        assert desk.is_business_day(d("2026-10-17")) is False

    def test_make_up_saturday_gets_weekday_hours(self, desk: sla.Calendar) -> None:
        """Make-up Saturday 10-10 is open 09:00-18:00 (a weekday's hours), not 09:00-12:00."""
        assert desk.add(sh(2026, 10, 10, 9), 8 * H) == sh(2026, 10, 10, 17)
        assert desk.is_open(sh(2026, 10, 10, 17, 59))
        assert not desk.is_open(sh(2026, 10, 10, 18))

    def test_holiday_saturday_closed(self, desk: sla.Calendar) -> None:
        """Saturday 10-03 (National Day) is closed; next opening is 10-08 09:00."""
        assert not desk.is_open(sh(2026, 10, 3, 10))
        assert desk.next_open(sh(2026, 10, 3, 10)) == sh(2026, 10, 8, 9)

    def test_sunday_closed(self, desk: sla.Calendar) -> None:
        """An ordinary Sunday is closed: Sat 10-17 11:00 + 2h -> 1h Sat, Mon 10-19 10:00."""
        assert desk.add(sh(2026, 10, 17, 11), 2 * H) == sh(2026, 10, 19, 10)

    def test_makeup_key(self) -> None:
        """Key 'makeup' sets the windows of make-up workdays only."""
        cal = sla.Calendar(tz="Asia/Shanghai", country="CN",
                           hours={"mon-fri": "09:00-17:00", "makeup": "10:00-12:00"})
        assert not cal.is_open(sh(2026, 10, 10, 9, 30))
        assert cal.is_open(sh(2026, 10, 10, 10))
        assert not cal.is_open(sh(2026, 10, 10, 12))
        assert cal.is_open(sh(2026, 10, 9, 9, 30))


# ------------------------------------------------------------------------------------------------
class TestOverlays:
    """``extra_holidays`` / ``extra_workdays`` override the country's data (DESIGN: calendar)."""

    def test_extra_holiday_closes_a_monday(self) -> None:
        """Closing Mon 11-23: Sunday start rolls to Tue 11-24."""
        cal = sla.Calendar.from_coverage("5x8", country="CN", extra_holidays=[d("2026-11-23")])
        assert cal.is_business_day(d("2026-11-23")) is False
        assert cal.add(sh(2026, 11, 22, 10), 2 * H) == sh(2026, 11, 24, 11)

    def test_extra_holiday_as_iso_string(self) -> None:
        """ISO strings are accepted as dates."""
        cal = sla.Calendar.from_coverage("5x8", country="CN", extra_holidays=["2026-11-23"])
        assert cal.is_business_day(d("2026-11-23")) is False
        assert cal.extra_holidays == frozenset({d("2026-11-23")})

    def test_extra_workday_opens_a_sunday(self) -> None:
        """Opening Sun 11-22: the ticket opened there at 10:00 is due 12:00."""
        cal = sla.Calendar.from_coverage("5x8", country="CN", extra_workdays=[d("2026-11-22")])
        assert cal.is_business_day(d("2026-11-22")) is True
        assert cal.add(sh(2026, 11, 22, 10), 2 * H) == sh(2026, 11, 22, 12)

    def test_extra_holiday_beats_make_up_day(self) -> None:
        """Closing make-up Saturday 10-10: Friday's next business day becomes Monday 10-12."""
        cal = sla.Calendar.from_coverage("5x8", country="CN", extra_holidays=[d("2026-10-10")])
        assert cal.next_business_day(d("2026-10-09")) == d("2026-10-12")

    def test_extra_workday_on_statutory_holiday(self) -> None:
        """Opening 10-06 (a National Day day off): 09-30 -> 10-06 is the next business day."""
        cal = sla.Calendar.from_coverage("5x8", country="CN", extra_workdays=[d("2026-10-06")])
        assert cal.next_business_day(d("2026-09-30")) == d("2026-10-06")
        assert cal.describe_day(d("2026-10-06")).kind == "extra_workday"


# ------------------------------------------------------------------------------------------------
class TestSubdivision:
    """``subdiv``: regional holidays (California's Cesar Chavez Day, 03-31)."""

    def test_california_cesar_chavez_day(self) -> None:
        """Tuesday 2026-03-31 is a holiday in CA but a business day in plain US."""
        ca = sla.Calendar.from_coverage("5x8", country="US", tz="America/Los_Angeles",
                                        subdiv="CA")
        us = sla.Calendar.from_coverage("5x8", country="US", tz="America/Los_Angeles")
        day = d("2026-03-31")
        assert ca.is_business_day(day) is False
        assert us.is_business_day(day) is True
        assert ca.describe_day(day).name == "Cesar Chavez Day"
        start = dt.datetime(2026, 3, 30, 16, tzinfo=LA)
        assert ca.add(start, 2 * H) == dt.datetime(2026, 4, 1, 10, tzinfo=LA)
        assert us.add(start, 2 * H) == dt.datetime(2026, 3, 31, 10, tzinfo=LA)
        assert ca != us


# ------------------------------------------------------------------------------------------------
class TestDaylightSaving:
    """DST: business time is real elapsed time; fold=1 in repeated hours (DESIGN §Calendar)."""

    def test_spring_forward_window_lasts_one_hour(self, night: sla.Calendar) -> None:
        """2026-03-08: 01:00 EST .. 03:00 EDT is one real hour."""
        assert night.elapsed(ny(2026, 3, 8), ny(2026, 3, 9)) == H
        assert night.add(ny(2026, 3, 8), H) == ny(2026, 3, 8, 3)
        assert night.add(ny(2026, 3, 8), 90 * M) == ny(2026, 3, 9, 1, 30)

    def test_fall_back_window_lasts_three_hours(self, night: sla.Calendar) -> None:
        """2026-11-01: 01:00 EDT .. 03:00 EST is three real hours."""
        assert night.elapsed(ny(2026, 11, 1), ny(2026, 11, 2)) == 3 * H
        assert night.add(ny(2026, 11, 1), 3 * H) == ny(2026, 11, 1, 3)

    def test_fold_in_repeated_hour(self, night: sla.Calendar) -> None:
        """1h30m into the 11-01 window is 01:30 EST, the second 01:30: fold=1, offset -5h."""
        got = night.add(ny(2026, 11, 1), 90 * M)
        assert got.fold == 1
        assert got.utcoffset() == dt.timedelta(hours=-5)
        assert got.astimezone(dt.UTC) == dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)
        first = night.add(ny(2026, 11, 1), 30 * M)
        assert first.fold == 0 and first.utcoffset() == dt.timedelta(hours=-4)

    def test_7x24_day_lengths(self) -> None:
        """A 7x24 New York calendar: 03-08 has 23 covered hours, 11-01 has 25."""
        cal = sla.Calendar.from_coverage("7x24", tz="America/New_York")
        assert cal.elapsed(ny(2026, 3, 8), ny(2026, 3, 9)) == 23 * H
        assert cal.elapsed(ny(2026, 11, 1), ny(2026, 11, 2)) == 25 * H
        got = cal.add(ny(2026, 11, 1, 0, 30), 90 * M)  # 00:30 EDT + 1.5h = 01:00 EST
        assert got.fold == 1 and got.hour == 1 and got.minute == 0

    def test_5x24_new_york_over_weekend(self) -> None:
        """5x24 US New York over the 03-08 weekend: Fri 12:00 EST .. Mon 12:00 EDT = 24h."""
        cal = sla.Calendar.from_coverage("5x24", country="US", tz="America/New_York")
        assert cal.elapsed(ny(2026, 3, 6, 12), ny(2026, 3, 9, 12)) == 24 * H
        got = cal.add(ny(2026, 3, 6, 23), 2 * H)
        assert got == ny(2026, 3, 9, 1)
        assert got.utcoffset() == dt.timedelta(hours=-4)

    def test_5x24_new_york_friday_of_fall_back(self) -> None:
        """5x24 US, Fri 10-30 12:00 + 13h30m: 12h Friday, Mon 11-02 01:30 EST."""
        cal = sla.Calendar.from_coverage("5x24", country="US", tz="America/New_York")
        got = cal.add(ny(2026, 10, 30, 12), dt.timedelta(hours=13, minutes=30))
        assert same_instant(got, dt.datetime(2026, 11, 2, 6, 30, tzinfo=dt.UTC))


# ------------------------------------------------------------------------------------------------
class TestDescribeDay:
    """``cal.describe_day(day)``: kind, name and windows of a day."""

    def test_national_day(self, cn: sla.Calendar) -> None:
        """10-01: a holiday named National Day, no windows."""
        info = cn.describe_day(d("2026-10-01"))
        assert (info.day, info.business, info.kind, info.name, info.windows) == (
            d("2026-10-01"), False, "holiday", "National Day", ())
        assert str(info) == "holiday: National Day"

    def test_make_up_saturday(self, cn: sla.Calendar) -> None:
        """10-10: a make-up workday with one window 09:00-17:00."""
        info = cn.describe_day(d("2026-10-10"))
        assert info.business is True and info.kind == "makeup" and info.name is None
        assert info.windows == ((sh(2026, 10, 10, 9), sh(2026, 10, 10, 17)),)
        assert str(info) == "make-up workday"

    def test_weekend_and_business_day(self, cn: sla.Calendar) -> None:
        """Sunday 10-04 (inside the break) is a weekend; Mon 11-23 a business day."""
        assert str(cn.describe_day(d("2026-10-04"))) == "weekend"
        info = cn.describe_day(d("2026-11-23"))
        assert info.kind == "business" and str(info) == "business day"

    def test_lunch_windows(self, lunch: sla.Calendar) -> None:
        """Two windows, in order."""
        assert lunch.describe_day(d("2026-11-23")).windows == (
            (sh(2026, 11, 23, 9), sh(2026, 11, 23, 12)),
            (sh(2026, 11, 23, 13, 30), sh(2026, 11, 23, 18)),
        )

    def test_extra_holiday(self) -> None:
        """An overlay closure reads 'extra holiday'."""
        cal = sla.Calendar.from_coverage("5x8", country="CN", extra_holidays=["2026-11-23"])
        info = cal.describe_day(d("2026-11-23"))
        assert info.kind == "extra_holiday" and info.business is False and info.windows == ()
        assert str(info) == "extra holiday"

    def test_dst_window(self) -> None:
        """On 2026-03-08 the 01:00-03:00 window runs 01:00 EST to 03:00 EDT."""
        cal = sla.Calendar(tz="America/New_York", days="all", hours="01:00-03:00")
        ((start, end),) = cal.describe_day(d("2026-03-08")).windows
        assert end - start == dt.timedelta(hours=2)  # wall-clock difference (same tzinfo)
        assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == H


# ------------------------------------------------------------------------------------------------
class TestSegments:
    """``cal.segments(a, b)``: the explanation of an interval."""

    def test_friday_to_make_up_saturday(self, cn: sla.Calendar) -> None:
        """Fri 10-09 16:00 .. Sat 10-10 10:00: 1h counted, 16h skipped, 1h on the make-up day."""
        segs = cn.segments(sh(2026, 10, 9, 16), sh(2026, 10, 10, 10))
        assert [(s.start, s.end, s.counted) for s in segs] == [
            (sh(2026, 10, 9, 16), sh(2026, 10, 9, 17), True),
            (sh(2026, 10, 9, 17), sh(2026, 10, 10, 9), False),
            (sh(2026, 10, 10, 9), sh(2026, 10, 10, 10), True),
        ]
        assert [s.reason for s in segs] == ["business day", "outside hours", "make-up workday"]
        assert [s.duration for s in segs] == [H, 16 * H, H]

    def test_national_day_gap_names_the_holiday(self, cn: sla.Calendar) -> None:
        """09-30 16:00 .. 10-08 10:00: the skipped gap mentions National Day and the weekend;
        counted pieces add up to elapsed (2h)."""
        segs = cn.segments(sh(2026, 9, 30, 16), sh(2026, 10, 8, 10))
        assert len(segs) == 3
        gap = segs[1]
        assert not gap.counted
        assert gap.start == sh(2026, 9, 30, 17) and gap.end == sh(2026, 10, 8, 9)
        assert "holiday: National Day" in gap.reason
        assert "weekend" in gap.reason
        assert sum((s.duration for s in segs if s.counted), dt.timedelta()) == 2 * H

    def test_str(self, cn: sla.Calendar) -> None:
        """A segment prints as one aligned line."""
        (seg,) = cn.segments(sh(2026, 11, 23, 10), sh(2026, 11, 23, 11, 30))
        assert str(seg) == (
            "2026-11-23 Mon 10:00 -> 2026-11-23 Mon 11:30  counted     1h30m  business day"
        )

    def test_empty_interval(self, cn: sla.Calendar) -> None:
        """[t, t) has no segments."""
        assert cn.segments(sh(2026, 11, 23, 10), sh(2026, 11, 23, 10)) == []

    def test_reversed_interval_refused(self, cn: sla.Calendar) -> None:
        """b before a is a value error naming both."""
        with pytest.raises(sla.SlaValueError, match="before"):
            cn.segments(sh(2026, 11, 23, 11), sh(2026, 11, 23, 10))


# -- repr and str ---------------------------------------------------------------------------
def _from_coverage(spec: str, place: dict[str, str], extra: tuple[frozenset[dt.date], ...],
                   strict: bool, hours: str | dict[str, str] | None) -> sla.Calendar | None:
    """``Calendar.from_coverage`` with these arguments, or None when it has no default hours."""
    try:
        return sla.Calendar.from_coverage(spec, **place, extra_holidays=extra[0],  # type: ignore[arg-type]
                                          extra_workdays=extra[1], strict=strict, hours=hours)
    except sla.CoverageError:
        assert spec == "6x12" and hours is None
        return None


_COVERAGE_CALENDARS = st.builds(
    _from_coverage,
    st.sampled_from(["5x8", "8x5", "5x24", "6x8", "6x24", "7x8", "24x7", "5x8xNBD", "6x12"]),
    st.sampled_from([
        {"country": "CN"}, {"tz": "UTC"}, {"tz": "Asia/Shanghai"},
        {"country": "CN", "tz": "Asia/Urumqi"}, {"country": "US", "tz": "America/New_York"},
        {"country": "US", "subdiv": "CA", "tz": "America/Los_Angeles"}, {"country": "GB"},
    ]),
    holiday_sets(),
    st.booleans(),
    st.sampled_from([None, None, "08:00-20:00", "09:00-12:00,13:30-18:00", "00:00-24:00",
                     {"mon-fri": "09:00-18:00", "sat": "09:00-12:00"}, "09:00-17:00"]),
).filter(lambda cal: cal is not None)
_CUSTOM_CALENDARS = cal_specs().map(lambda spec: spec.build())


class TestRepr:
    """``repr(cal)`` is one line that evaluates back; ``str(cal)`` one sentence."""

    @pytest.mark.parametrize(
        ("cal", "text"),
        [
            (sla.Calendar.from_coverage("5x8", country="CN"), "Calendar.from_coverage('5x8', country='CN')"),
            (sla.Calendar.from_coverage("8*6", country="CN"), "Calendar.from_coverage('6x8', country='CN')"),
            (sla.Calendar.from_coverage("24x7", tz="Asia/Shanghai"),
             "Calendar.from_coverage('7x24', tz='Asia/Shanghai')"),
            (sla.Calendar(tz="Asia/Shanghai", country="CN"), "Calendar.from_coverage('5x8', country='CN')"),
            (sla.Calendar(tz="UTC", hours="08:00-12:00"), "Calendar(tz='UTC', hours='08:00-12:00')"),
            (sla.Calendar.from_coverage("5x8", country="CN", extra_holidays=["2027-10-08"],
                                        strict=True),
             "Calendar.from_coverage('5x8', country='CN', extra_holidays=['2027-10-08'], strict=True)"),
        ],
    )
    def test_short_forms(self, cal: sla.Calendar, text: str) -> None:
        """Hand-written expected reprs: the coverage spec when one gives the calendar."""
        assert repr(cal) == text

    @settings(max_examples=60, deadline=None)
    @given(st.one_of(_COVERAGE_CALENDARS, _CUSTOM_CALENDARS))
    def test_evaluates_back(self, cal: sla.Calendar) -> None:
        """``eval(repr(cal)) == cal`` over generated calendars, on one line."""
        text = repr(cal)
        assert "\n" not in text
        assert eval(text, {"Calendar": sla.Calendar}) == cal

    @pytest.mark.parametrize(
        ("cal", "text"),
        [
            (sla.Calendar.from_coverage("5x8", country="CN"),
             "Asia/Shanghai, business days 09:00-17:00, CN holidays"),
            (sla.Calendar.from_coverage("6x8", country="CN"),
             "Asia/Shanghai, business days mon-sat 09:00-17:00, CN holidays"),
            (sla.Calendar.from_coverage("7x24", tz="UTC", extra_workdays=["2026-12-26", "2026-12-27"]),
             "UTC, every day 00:00-24:00, 2 extra workdays"),
            (sla.Calendar(tz="America/Los_Angeles", country="US", subdiv="CA", strict=True,
                          hours={"mon-fri": "09:00-18:00", "sat": "10:00-12:00"}),
             "America/Los_Angeles, business days mon-fri 09:00-18:00, sat 10:00-12:00, US-CA "
             "holidays, strict about the data horizon"),
        ],
    )
    def test_str(self, cal: sla.Calendar, text: str) -> None:
        """``str(cal)``: zone, covered days and hours, holidays, in one sentence."""
        assert str(cal) == text
