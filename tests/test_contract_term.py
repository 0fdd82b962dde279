"""A contract's term: ``Policy.inspections(tier, start, years)``.

Expected dates are hand-checked against the State Council's holiday notices: 2025 National Day
and Mid-Autumn 1-8 October; 2026 New Year 1-3 January with Sunday 4 January worked; 2026
Qingming 4-6 April; 2026 National Day 1-7 October.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

import slacalc as sla

SH = ZoneInfo("Asia/Shanghai")
TIERS = sla.templates.load("tiers")
D = dt.date


def days(dues: list[sla.Due]) -> list[tuple[str, str]]:
    return [(d.nominal.isoformat(), d.day.isoformat()) for d in dues]


class TestHandChecked:
    def test_diamond_one_year_from_new_year(self) -> None:
        """Four quarterly inspections, each due by the end of its quarter's last day."""
        dues = TIERS.inspections("diamond", D(2026, 1, 1), 1)
        assert days(dues) == [("2026-03-31", "2026-03-31"), ("2026-06-30", "2026-06-30"),
                              ("2026-09-30", "2026-09-30"), ("2026-12-31", "2026-12-31")]
        assert [d.name for d in dues] == [f"diamond inspection {k} of 4" for k in range(1, 5)]
        assert dues[0].deadline == dt.datetime(2026, 4, 1, tzinfo=SH)  # the end of 31 March

    def test_holidays_postpone_and_make_up_days_keep(self) -> None:
        """From Saturday 2025-04-05: 4 October 2025 (National Day) moves to Thursday 9 October;
        Sunday 4 January 2026 is a make-up workday and stays; Saturday 4 April 2026 (Qingming,
        4-6 April) moves to Tuesday 7 April."""
        assert days(TIERS.inspections("diamond", D(2025, 4, 5), 1)) == [
            ("2025-07-04", "2025-07-04"), ("2025-10-04", "2025-10-09"),
            ("2026-01-04", "2026-01-04"), ("2026-04-04", "2026-04-07")]

    def test_platinum_due_on_national_day(self) -> None:
        """A yearly inspection due on 1 October 2026 rolls to the first working day after the
        National Day week, Thursday 8 October."""
        [due] = TIERS.inspections("platinum", D(2025, 10, 2), 1)
        assert (due.nominal, due.day) == (D(2026, 10, 1), D(2026, 10, 8))
        assert due.deadline == dt.datetime(2026, 10, 9, tzinfo=SH)

    def test_three_year_term(self) -> None:
        """Three years of a yearly inspection: one per contract year."""
        assert days(TIERS.inspections("platinum", D(2024, 1, 1), 3)) == [
            ("2024-12-31", "2024-12-31"), ("2025-12-31", "2025-12-31"),
            ("2026-12-31", "2026-12-31")]

    def test_month_end_start(self) -> None:
        """A contract from 31 January: its quarters end on 30 April, 31 July, 31 October and
        31 January (the last day of a shorter month stands in), each counted from the start."""
        assert [d.nominal.isoformat() for d in TIERS.inspections("diamond", D(2025, 1, 31), 1)] \
            == ["2025-04-29", "2025-07-30", "2025-10-30", "2026-01-30"]

    def test_by_a_time_of_day(self) -> None:
        """``by`` makes the inspection due at that time on its day."""
        due = TIERS.inspections("diamond", D(2025, 4, 5), 1, by=dt.time(17))[1]
        assert due.deadline == dt.datetime(2025, 10, 9, 17, tzinfo=SH)

    def test_other_calendar(self) -> None:
        """``calendar`` names the calendar whose business days count: one that closes on
        31 March 2026 moves the first quarter's inspection to 1 April."""
        data = TIERS.to_dict()
        data["calendars"]["closed"] = {"coverage": "5x8", "country": "CN",
                                       "extra_holidays": [D(2026, 3, 31)]}
        policy = sla.Policy.from_dict(data)
        first = policy.inspections("diamond", D(2026, 1, 1), 1, calendar="closed")[0]
        assert (first.nominal, first.day) == (D(2026, 3, 31), D(2026, 4, 1))
        assert policy.inspections("diamond", D(2026, 1, 1), 1)[0].day == D(2026, 3, 31)

    def test_tiers_without_inspections(self) -> None:
        """Standard and Gold owe no inspections."""
        assert TIERS.inspections("gold", D(2025, 1, 1), 5) == []

    def test_counts_that_do_not_divide_a_year(self) -> None:
        """Five a year: periods of 73 days (365 / 5) from 1 January 2025; Sunday 19 October
        rolls to Monday 20 October."""
        policy = policy_with(inspections_per_year=5, terms=[])
        assert days(policy.inspections("t", D(2025, 1, 1), 1)) == [
            ("2025-03-14", "2025-03-14"), ("2025-05-26", "2025-05-26"),
            ("2025-08-07", "2025-08-07"), ("2025-10-19", "2025-10-20"),
            ("2025-12-31", "2025-12-31")]


def policy_with(**tier: Any) -> sla.Policy:
    return sla.Policy.from_dict({
        "name": "p", "calendars": {"business": {"coverage": "5x8", "country": "CN"}},
        "tiers": [{"id": "t", **tier}], "schedules": [
            {"name": "report", "rule": "FREQ=MONTHLY;BYMONTHDAY=5", "calendar": "business"}]})


class TestBadInput:
    @pytest.mark.parametrize(("args", "kwargs", "fragment"), [
        (("bronze", D(2026, 1, 1), 1), {}, "tier 'bronze' is not in policy 'tiers'"),
        ((None, D(2026, 1, 1), 1), {}, "tier must be a tier id"),
        (("diamond", dt.datetime(2026, 1, 1), 1), {}, "start must be a datetime.date"),
        (("diamond", "2026-01-01", 1), {}, "start must be a datetime.date"),
        (("diamond", D(2026, 1, 1), 2), {}, "sold for terms of 1, 3, 5 years"),
        (("diamond", D(2026, 1, 1), True), {}, "years must be a whole number"),
        (("diamond", D(2026, 1, 1), 0), {}, "years must be a whole number"),
        (("diamond", D(2026, 1, 1), 1.0), {}, "years must be a whole number"),
        (("diamond", D(2026, 1, 1), 1), {"calendar": "nope"}, "calendar 'nope' is not in"),
        (("diamond", D(2026, 1, 1), 1), {"by": "17:00"}, "by must be a datetime.time"),
    ])
    def test_refused(self, args: tuple[Any, ...], kwargs: dict[str, Any], fragment: str) -> None:
        """Each bad argument is named in a SlaValueError."""
        with pytest.raises(sla.SlaValueError, match=fragment.replace(".", r"\.")):
            TIERS.inspections(*args, **kwargs)

    def test_term_past_the_last_representable_year(self) -> None:
        """A term that would end past year 9999 is refused, not an OverflowError."""
        policy = policy_with(inspections_per_year=1)
        with pytest.raises(sla.SlaValueError, match="ends past the last date"):
            policy.inspections("t", D(9990, 1, 1), 100)

    def test_more_than_daily_is_refused(self) -> None:
        """A tier with more inspections a year than days is refused with the limit, instead of
        building an unbounded list."""
        daily = policy_with(inspections_per_year=365)
        tier = attrs.evolve(daily.tiers[0], inspections_per_year=10**12)
        policy = attrs.evolve(daily, tiers=(tier,))  # built in Python: the loader refuses it
        with pytest.raises(sla.SlaValueError, match="at most 365 a year"):
            policy.inspections("t", D(2026, 1, 1), 1)

    def test_daily_inspections(self) -> None:
        """365 a year: one each day of a non-leap contract year, weekends rolled to Monday."""
        dues = policy_with(inspections_per_year=365).inspections("t", D(2025, 3, 1), 1)
        assert [d.nominal for d in dues] == [D(2025, 3, 1) + dt.timedelta(days=i)
                                             for i in range(365)]
        assert dues[0].day == D(2025, 3, 3)  # Saturday 1 March -> Monday 3 March

    def test_any_term_without_listed_terms(self) -> None:
        """A tier that lists no terms takes any term from 1 to 100 years."""
        policy = policy_with(inspections_per_year=0)
        assert policy.inspections("t", D(2026, 1, 1), 7) == []
        with pytest.raises(sla.SlaValueError, match="from 1 to 100"):
            policy.inspections("t", D(2026, 1, 1), 101)


class TestProperties:
    @given(st.dates(D(2024, 1, 1), D(2025, 12, 31)),
           st.sampled_from([1, 2, 3, 4, 5, 6, 7, 12]))
    def test_one_per_period_on_a_business_day(self, start: dt.date, per_year: int) -> None:
        """n inspections a year for a 1-year term: n due dates, in order, each nominally the
        last day of one of n consecutive periods that tile the year, rolled to the first
        business day on or after it (checked against the calendar's day test)."""
        policy = policy_with(inspections_per_year=per_year, terms=[1])
        dues = policy.inspections("t", start, 1)
        cal = policy.calendar("business")
        assert len(dues) == per_year
        end = start + relativedelta(years=1)
        assert dues[-1].nominal == end - dt.timedelta(days=1)
        previous_end = start
        for due in dues:
            length = (due.nominal + dt.timedelta(days=1) - previous_end).days
            assert 28 <= length <= 366 // per_year + 31  # a share of the year, no gaps
            assert due.nominal >= previous_end
            previous_end = due.nominal + dt.timedelta(days=1)
            assert cal.is_business_day(due.day)
            assert all(not cal.is_business_day(due.nominal + dt.timedelta(days=i))
                       for i in range((due.day - due.nominal).days))
            assert due.deadline == dt.datetime.combine(due.day + dt.timedelta(days=1),
                                                       dt.time(), tzinfo=SH)
