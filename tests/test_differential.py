"""Differential tests: slacalc against independent implementations and data sets.

* China's business days against the ``chinesecalendar`` package, an independent transcription
  of the State Council's yearly holiday notices.
* Plain business-hour deadlines against pandas' ``CustomBusinessHour`` on calendars without
  make-up days, and a documented case that pandas cannot express (a make-up Saturday).

pandas and chinesecalendar are in the ``test`` extra, so CI always runs these tests; the
``importorskip`` guards only help local runs without them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest

import slacalc as sla

pd = pytest.importorskip("pandas")
chinese_calendar = pytest.importorskip("chinese_calendar")

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


# ------------------------------------------------------------------------------------------------
# Business days: slacalc (from the `holidays` package) vs chinesecalendar
# ------------------------------------------------------------------------------------------------

#: Days on which the two data sets disagree, with the official answer and its source.
#: Each entry: day -> (is it a working day per the official notice, why the sets disagree).
KNOWN_DISCREPANCIES: dict[dt.date, tuple[bool, str]] = {
    dt.date(2005, 12, 31): (
        True,
        "国办发明电〔2005〕35号 (State Council notice on the 2006 holidays, 2005-12-16), item 1: "
        "New Year 2006-01-01..03 off, 'Saturday 12-31 is a working day' (12月31日（星期六）上班). "
        "The make-up day belongs to the 2006 notice but falls in 2005; chinesecalendar's 2005 data "
        "omits it (treats it as a plain Saturday), holidays lists it as a weekend workday.",
    ),
}


def _chinesecalendar_years() -> range:
    """The years chinesecalendar has official data for (it raises outside them)."""
    from chinese_calendar import constants  # type: ignore[import-untyped]  # noqa: PLC0415

    first = min(constants.holidays).year
    last = max(constants.holidays).year
    return range(first, last + 1)


class TestChinaBusinessDays:
    """``Calendar.from_coverage("5x8", country="CN").is_business_day`` vs chinesecalendar."""

    def test_every_day_2004_2026_agrees_except_documented(self) -> None:
        """Every day 2004..2026 that both sets cover agrees, except the documented table.

        The last year tested is the last year both chinesecalendar has data for and the
        calendar vouches for (so no horizon warning is involved); the brief's range 2004-2026
        is asserted to be fully covered by the installed packages.
        """
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        years = _chinesecalendar_years()
        assert years.start <= 2004
        assert cal.verified_through is not None
        last_year = min(years.stop - 1, cal.verified_through, 2026)
        assert last_year == 2026, "both data sets should cover all of 2026"

        disagreements: dict[dt.date, tuple[bool, bool]] = {}
        checked = 0
        for day in _days(dt.date(2004, 1, 1), dt.date(last_year, 12, 31)):
            theirs = chinese_calendar.is_workday(day)
            ours = cal.is_business_day(day)
            checked += 1
            if theirs != ours:
                disagreements[day] = (ours, theirs)

        assert checked == (dt.date(last_year, 12, 31) - dt.date(2004, 1, 1)).days + 1
        unexplained = {d: v for d, v in disagreements.items() if d not in KNOWN_DISCREPANCIES}
        assert unexplained == {}, f"undocumented disagreements (ours, chinesecalendar): {unexplained}"
        # Every documented day: slacalc gives the official answer.
        for day, (official, _why) in KNOWN_DISCREPANCIES.items():
            assert cal.is_business_day(day) is official, day

    def test_known_discrepancies_are_real(self) -> None:
        """The documented table is not stale: chinesecalendar still differs on each listed day.

        If chinesecalendar fixes its data, this fails and the entry should be removed.
        """
        for day, (official, _why) in KNOWN_DISCREPANCIES.items():
            assert chinese_calendar.is_workday(day) is (not official), day

    def test_make_up_days_2026_agree(self) -> None:
        """The 2026 weekend make-up workdays (调休) are working days in both data sets."""
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        makeup = [dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28),
                  dt.date(2026, 5, 9), dt.date(2026, 9, 20), dt.date(2026, 10, 10)]
        for day in makeup:
            assert day.weekday() >= 5
            assert chinese_calendar.is_workday(day) is True, day
            assert cal.is_business_day(day) is True, day


# ------------------------------------------------------------------------------------------------
# Business hours: slacalc vs pandas CustomBusinessHour
# ------------------------------------------------------------------------------------------------


def _holiday_list(country: str, years: range) -> list[dt.date]:
    return sorted(holidays.country_holidays(country, years=years))


class _PandasOracle:
    """``start + n * CustomBusinessHour`` on naive local timestamps, with pandas' conventions
    normalised to slacalc's.

    pandas convention differences handled here (both documented pandas behaviour):

    * A start outside business hours (or exactly at closing time) first moves to the next
      opening. slacalc's clock also only starts at the next opening, so this needs nothing.
    * A result that uses up a day exactly is reported by pandas as the *next business day's
      opening* (09:00); slacalc returns the earliest such instant, the closing time (17:00)
      of the day it used up. For ``n > 0`` a true deadline can never be an opening instant,
      so a pandas result at 09:00 is mapped to 17:00 of the previous business day, found with
      pandas' own ``CustomBusinessDay`` over the same holiday list.
    """

    def __init__(self, holiday_list: list[dt.date], start: str, end: str) -> None:
        self.holidays = holiday_list
        self.start, self.end = start, end
        self.open_time = dt.time.fromisoformat(start)
        self.close_time = dt.time.fromisoformat(end)
        self._offsets: dict[int, Any] = {}
        self._bday = pd.offsets.CustomBusinessDay(n=1, holidays=holiday_list)

    def add_hours(self, naive: dt.datetime, hours: int) -> dt.datetime:
        offset = self._offsets.get(hours)
        if offset is None:
            offset = pd.offsets.CustomBusinessHour(
                n=hours, start=self.start, end=self.end, holidays=self.holidays
            )
            self._offsets[hours] = offset
        result: dt.datetime = (pd.Timestamp(naive) + offset).to_pydatetime()
        if result.time() == self.open_time:
            previous = (pd.Timestamp(result.date()) - self._bday).to_pydatetime()
            result = dt.datetime.combine(previous.date(), self.close_time)
        return result


def _exists_unambiguously(naive: dt.datetime, zone: ZoneInfo) -> bool:
    """Whether a local wall time exists and is not repeated in ``zone``."""
    a = naive.replace(tzinfo=zone, fold=0)
    b = naive.replace(tzinfo=zone, fold=1)
    if a.utcoffset() != b.utcoffset():
        return False  # in a gap or a fold
    return a.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def _random_starts(
    rng: random.Random, ranges: list[tuple[dt.date, dt.date]], count: int
) -> list[dt.datetime]:
    """Naive local starts: random minutes, some with seconds and microseconds, plus edges."""
    starts: list[dt.datetime] = []
    edges = [dt.time(9), dt.time(17), dt.time(16, 59, 59, 999_999), dt.time(8, 59, 59),
             dt.time(0), dt.time(12), dt.time(23, 59, 59)]
    while len(starts) < count:
        lo, hi = rng.choice(ranges)
        day = lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))
        if rng.random() < 0.25:
            clock = rng.choice(edges)
        else:
            second = rng.randrange(86_400)
            micro = rng.randrange(1_000_000) if rng.random() < 0.2 else 0
            clock = dt.time(second // 3600, second // 60 % 60, second % 60, micro)
        starts.append(dt.datetime.combine(day, clock))
    return starts


class TestAgainstPandasBusinessHours:
    """``cal.add(t, hours)`` vs pandas ``CustomBusinessHour`` where pandas can express the
    calendar (whole weekdays plus a holiday list, no make-up days)."""

    def test_us_new_york_9_to_17(self) -> None:
        """New York, US holidays, 09:00-17:00: 1500 random starts 2024-2026, 1-60 hours.

        Windows 09:00-17:00 never contain a DST transition, so pandas' naive wall-clock
        arithmetic equals real elapsed time; starts that do not exist or are ambiguous in
        New York (02:00-03:00 on transition days) are dropped.
        """
        cal = sla.Calendar(tz="America/New_York", country="US", hours="09:00-17:00")
        oracle = _PandasOracle(_holiday_list("US", range(2023, 2029)), "09:00", "17:00")
        rng = random.Random(20260301)
        starts = _random_starts(rng, [(dt.date(2024, 1, 1), dt.date(2026, 12, 31))], 1600)
        compared = 0
        mismatches = []
        for naive in starts:
            if not _exists_unambiguously(naive, NEW_YORK):
                continue
            hours = rng.randint(1, 60)
            ours = cal.add(naive.replace(tzinfo=NEW_YORK), dt.timedelta(hours=hours))
            assert ours.tzinfo is cal.tz
            theirs = oracle.add_hours(naive, hours)
            if ours.replace(tzinfo=None) != theirs:
                mismatches.append((naive, hours, ours, theirs))
            compared += 1
        assert compared >= 1500
        assert mismatches == []

    def test_us_holidays_are_in_play(self) -> None:
        """The oracle is not vacuous: a start before Thanksgiving skips it in both."""
        cal = sla.Calendar(tz="America/New_York", country="US", hours="09:00-17:00")
        oracle = _PandasOracle(_holiday_list("US", range(2026, 2027)), "09:00", "17:00")
        start = dt.datetime(2026, 11, 25, 16)  # Wednesday before Thanksgiving (Thu 11-26)
        ours = cal.add(start.replace(tzinfo=NEW_YORK), dt.timedelta(hours=2))
        theirs = oracle.add_hours(start, 2)
        assert theirs == dt.datetime(2026, 11, 27, 10)  # Friday 10:00
        assert ours.replace(tzinfo=None) == theirs

    def test_end_of_day_convention_normalised(self) -> None:
        """pandas reports a deadline that uses up a day as the next opening; slacalc as 17:00.

        The raw pandas answer and the normalised one are both asserted, so the convention
        difference is explicit.
        """
        cal = sla.Calendar(tz="America/New_York", country="US", hours="09:00-17:00")
        hol = _holiday_list("US", range(2026, 2027))
        start = dt.datetime(2026, 3, 2, 9)  # Monday
        raw = pd.Timestamp(start) + pd.offsets.CustomBusinessHour(
            n=8, start="09:00", end="17:00", holidays=hol
        )
        assert raw.to_pydatetime() == dt.datetime(2026, 3, 3, 9)  # pandas: next opening
        ours = cal.add(start.replace(tzinfo=NEW_YORK), dt.timedelta(hours=8))
        assert ours.replace(tzinfo=None) == dt.datetime(2026, 3, 2, 17)  # slacalc: the close
        assert _PandasOracle(hol, "09:00", "17:00").add_hours(start, 8) == ours.replace(
            tzinfo=None
        )

    def test_china_without_make_up_days(self) -> None:
        """Shanghai, CN holidays, 5x8, in 2026 stretches with no 调休 days: 800 random cases.

        Starts lie in 2026-03-02..04-20 and 2026-05-11..09-04 and durations are at most 40
        hours, so no deadline reaches a make-up day (asserted below); the Qingming, Dragon Boat
        and Mid-Autumn holidays fall inside and are skipped by both.
        """
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        data = holidays.country_holidays("CN", years=2026)
        makeup = sorted(d for d in data.weekend_workdays if d.year == 2026)
        oracle = _PandasOracle(sorted(data), "09:00", "17:00")
        rng = random.Random(2026)
        ranges = [(dt.date(2026, 3, 2), dt.date(2026, 4, 20)),
                  (dt.date(2026, 5, 11), dt.date(2026, 9, 4))]
        mismatches = []
        for naive in _random_starts(rng, ranges, 800):
            hours = rng.randint(1, 40)
            ours = cal.add(naive.replace(tzinfo=SHANGHAI), dt.timedelta(hours=hours))
            assert not any(naive.date() <= m <= ours.date() for m in makeup), (naive, hours)
            theirs = oracle.add_hours(naive, hours)
            if ours.replace(tzinfo=None) != theirs:
                mismatches.append((naive, hours, ours, theirs))
        assert mismatches == []

    def test_pandas_cannot_express_make_up_days(self) -> None:
        """pandas has no make-up workdays: it skips Saturday 2026-10-10 (a 调休 working day).

        Friday 2026-10-09 16:00 + 2 business hours: 1 h on Friday, 1 h on the make-up Saturday
        -> 2026-10-10 10:00 (official 2026 schedule). pandas' weekmask is per weekday, so it
        can only give Monday 2026-10-12 10:00.
        """
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        data = holidays.country_holidays("CN", years=2026)
        start = dt.datetime(2026, 10, 9, 16)
        theirs = _PandasOracle(sorted(data), "09:00", "17:00").add_hours(start, 2)
        ours = cal.add(start.replace(tzinfo=SHANGHAI), dt.timedelta(hours=2))
        assert ours == dt.datetime(2026, 10, 10, 10, tzinfo=SHANGHAI)
        assert theirs == dt.datetime(2026, 10, 12, 10)
        assert ours.replace(tzinfo=None) != theirs
