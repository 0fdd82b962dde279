"""Example-based tests of the targets: Within, NextBusinessDay, NextDay, BusinessDays.

Expected values are hand-checked against the official 2026 schedule (see test_calendar.py's
module docstring): National Day 10-01..10-07 with make-up Sun 09-20 and Sat 10-10; Spring
Festival 02-15..02-23 with make-up Sat 02-14 and Sat 02-28; Mid-Autumn Fri 09-25.
Vector ids refer to shared/vectors/seed_scenarios.jsonl.
"""

from __future__ import annotations

import datetime as dt
import pickle
from zoneinfo import ZoneInfo

import attrs
import pytest

import slacalc as sla

SH = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> dt.datetime:
    """A Shanghai wall time."""
    return dt.datetime(y, mo, d, h, mi, s, us, tzinfo=SH)


@pytest.fixture(scope="module")
def cn() -> sla.Calendar:
    return sla.Calendar.from_coverage("5x8", country="CN")


@pytest.fixture(scope="module")
def always() -> sla.Calendar:
    return sla.Calendar.from_coverage("7x24", tz="Asia/Shanghai")


class TestWithin:
    """``Within(d, cal).deadline(t) == cal.add(t, d)`` (DESIGN: the contract)."""

    def test_4h_over_national_day(self, cn: sla.Calendar) -> None:
        """Vector 5x8-4h-over-national-day: 09-30 15:01 + 4 business hours -> 10-08 11:01."""
        assert sla.Within(4 * H, cn).deadline(sh(2026, 9, 30, 15, 1)) == sh(2026, 10, 8, 11, 1)

    def test_7x24x4(self, always: sla.Calendar) -> None:
        """Vector 7x24x4-overnight: four clock hours over a holiday night."""
        assert sla.Within(4 * H, always).deadline(sh(2026, 10, 1, 23)) == sh(2026, 10, 2, 3)

    def test_severity_a_restore_2h(self, always: sla.Calendar) -> None:
        """Severity A: restored within 2 h, any time (7x24)."""
        assert sla.Within(2 * H, always).deadline(sh(2026, 2, 16, 23, 30)) == sh(
            2026, 2, 17, 1, 30
        )

    def test_severity_d_reply_24h_on_5x8(self, cn: sla.Calendar) -> None:
        """Severity D: reply within 24 business hours on 5x8 = three 8 h days.

        Thu 10-08 10:00: 7h Thu, 8h Fri, 8h make-up Sat 10-10, 1h Mon -> 10-12 10:00.
        """
        assert sla.Within(24 * H, cn).deadline(sh(2026, 10, 8, 10)) == sh(2026, 10, 12, 10)

    def test_deadline_many(self, cn: sla.Calendar) -> None:
        """The batch gives the same deadlines, datetimes and int seconds alike."""
        target = sla.Within(4 * H, cn)
        starts = [sh(2026, 9, 30, 15, 1), sh(2026, 11, 22, 10)]
        want = [sh(2026, 10, 8, 11, 1), sh(2026, 11, 23, 13)]
        assert target.deadline_many(starts) == want
        ints = [int(t.timestamp()) for t in starts]
        assert target.deadline_many(ints) == [int(t.timestamp()) for t in want]


class TestNextBusinessDay:
    """NBD with the 15:00 cutoff (DESIGN: 'The 15:00 cutoff rule', 'Spare-part service levels')."""

    @pytest.mark.parametrize(
        ("start", "due"),
        [
            # vector nbd-before-cutoff-holiday: ships 09-30, arrives after National Day
            (sh(2026, 9, 30, 14, 59, 59), sh(2026, 10, 8, 17)),
            # one microsecond before the cutoff still ships the same day
            (sh(2026, 9, 30, 14, 59, 59, 999_999), sh(2026, 10, 8, 17)),
            # vector nbd-at-cutoff: 15:00:00 ships 10-08, arrives 10-09
            (sh(2026, 9, 30, 15), sh(2026, 10, 9, 17)),
            # vector nbd-makeup-saturday: ships Sat 10-10, arrives Mon 10-12
            (sh(2026, 10, 10, 10), sh(2026, 10, 12, 17)),
            # vector nbd-friday-late-to-makeup: ships Sat 10-10, arrives Mon 10-12
            (sh(2026, 10, 9, 16), sh(2026, 10, 12, 17)),
            # vector nbd-spring-festival: ships Sat 02-14, arrives Tue 02-24
            (sh(2026, 2, 13, 15, 30), sh(2026, 2, 24, 17)),
            # vector nbd-early-morning: 07:00 Monday ships that day
            (sh(2026, 11, 23, 7), sh(2026, 11, 24, 17)),
            # vector nbd-holiday-morning: a holiday ships 10-08, arrives 10-09
            (sh(2026, 10, 5, 9, 30), sh(2026, 10, 9, 17)),
            # Friday before the make-up Sunday 09-20: ships Fri, arrives Sun 09-20
            (sh(2026, 9, 18, 10), sh(2026, 9, 20, 17)),
        ],
    )
    def test_cutoff_15_by_17(
        self, cn: sla.Calendar, start: dt.datetime, due: dt.datetime
    ) -> None:
        """Hand-checked NBD deadlines around holidays and make-up days."""
        assert sla.NextBusinessDay(cn, cutoff=dt.time(15), by=dt.time(17)).deadline(start) == due

    def test_defaults_are_15_and_17(self, cn: sla.Calendar) -> None:
        """Defaults: cutoff 15:00, by 17:00."""
        target = sla.NextBusinessDay(cn)
        assert target.cutoff == dt.time(15) and target.by == dt.time(17)
        assert target == sla.NextBusinessDay(cn, cutoff=dt.time(15), by=dt.time(17))

    def test_other_cutoff_and_by(self, cn: sla.Calendar) -> None:
        """cutoff 12:00, by 12:00: Mon 11-23 12:00 ships Tue, due Wed 12:00; 11:59 due Tue."""
        target = sla.NextBusinessDay(cn, cutoff=dt.time(12), by=dt.time(12))
        assert target.deadline(sh(2026, 11, 23, 12)) == sh(2026, 11, 25, 12)
        assert target.deadline(sh(2026, 11, 23, 11, 59)) == sh(2026, 11, 24, 12)

    def test_deadline_many_int(self, cn: sla.Calendar) -> None:
        """The int batch follows the cutoff at the second."""
        target = sla.NextBusinessDay(cn)
        starts = [sh(2026, 9, 30, 14, 59, 59), sh(2026, 9, 30, 15), sh(2026, 10, 9, 16)]
        want = [sh(2026, 10, 8, 17), sh(2026, 10, 9, 17), sh(2026, 10, 12, 17)]
        got = target.deadline_many([int(t.timestamp()) for t in starts])
        assert got == [int(t.timestamp()) for t in want]


class TestNextDay:
    """ND: next calendar day by 18:00, holidays included (DESIGN: 'Spare-part service levels')."""

    def test_holiday(self, always: sla.Calendar) -> None:
        """Vector nd-holiday: National Day 10-01 20:00 -> 10-02 18:00."""
        assert sla.NextDay(always, by=dt.time(18)).deadline(sh(2026, 10, 1, 20)) == sh(
            2026, 10, 2, 18
        )

    def test_default_by_18(self, cn: sla.Calendar) -> None:
        """Default by=18:00; holidays count even on a 5x8 calendar: 09-30 -> 10-01 18:00."""
        target = sla.NextDay(cn)
        assert target.by == dt.time(18) and target.cutoff is None
        assert target.deadline(sh(2026, 9, 30, 10)) == sh(2026, 10, 1, 18)

    def test_late_at_night_without_cutoff(self, always: sla.Calendar) -> None:
        """Without cutoff, 23:59 still counts from that day."""
        assert sla.NextDay(always).deadline(sh(2026, 10, 1, 23, 59)) == sh(2026, 10, 2, 18)

    def test_with_cutoff(self, always: sla.Calendar) -> None:
        """cutoff 15:00: 14:59 -> next day 18:00, 15:00 -> the day after, 18:00."""
        target = sla.NextDay(always, by=dt.time(18), cutoff=dt.time(15))
        assert target.deadline(sh(2026, 10, 1, 14, 59)) == sh(2026, 10, 2, 18)
        assert target.deadline(sh(2026, 10, 1, 15)) == sh(2026, 10, 3, 18)

    def test_month_and_year_end(self, always: sla.Calendar) -> None:
        """Calendar days roll over month and year ends."""
        assert sla.NextDay(always).deadline(sh(2026, 2, 28, 9)) == sh(2026, 3, 1, 18)
        assert sla.NextDay(always).deadline(sh(2025, 12, 31, 9)) == sh(2026, 1, 1, 18)


class TestBusinessDays:
    """``BusinessDays(n, cal, by, cutoff)``: due on the n-th business day (DESIGN: 'Scheduled
    obligations')."""

    def test_rma_third_business_day_by_17(self, cn: sla.Calendar) -> None:
        """Vector rma-third-business-day: from 09-29 -> 10-09, due 17:00."""
        target = sla.BusinessDays(3, cn, by=dt.time(17))
        assert target.deadline(sh(2026, 9, 29, 10)) == sh(2026, 10, 9, 17)

    def test_by_none_is_end_of_day(self, cn: sla.Calendar) -> None:
        """by=None: by the end of 10-09, i.e. local midnight starting 10-10."""
        target = sla.BusinessDays(3, cn)
        assert target.by is None
        assert target.deadline(sh(2026, 9, 29, 10)) == sh(2026, 10, 10, 0)

    def test_return_within_10_workdays(self, cn: sla.Calendar) -> None:
        """Vector return-10-workdays: from 02-13 -> 03-05 (Spring Festival between)."""
        target = sla.BusinessDays(10, cn, by=dt.time(17))
        assert target.deadline(sh(2026, 2, 13, 10)) == sh(2026, 3, 5, 17)

    def test_repair_within_60_workdays(self, cn: sla.Calendar) -> None:
        """Vector repair-60-workdays: from 09-25 -> 12-24."""
        target = sla.BusinessDays(60, cn, by=dt.time(17))
        assert target.deadline(sh(2026, 9, 25, 10)) == sh(2026, 12, 24, 17)

    def test_zero_postpones_past_holidays(self, cn: sla.Calendar) -> None:
        """n=0 (节假日顺延): report due 10-05 -> end of 10-08."""
        target = sla.BusinessDays(0, cn)
        assert target.deadline(sh(2026, 10, 5, 10)) == sh(2026, 10, 9, 0)
        assert sla.BusinessDays(0, cn, by=dt.time(9)).deadline(sh(2026, 10, 5, 10)) == sh(
            2026, 10, 8, 9
        )

    def test_time_of_day_ignored_without_cutoff(self, cn: sla.Calendar) -> None:
        """Without a cutoff only the local date counts: 09-30 23:00 -> 1st business day 10-08."""
        target = sla.BusinessDays(1, cn, by=dt.time(17))
        assert target.deadline(sh(2026, 9, 30, 23)) == sh(2026, 10, 8, 17)

    def test_with_cutoff(self, cn: sla.Calendar) -> None:
        """cutoff 15:00: counting starts from the effective day.

        09-30 14:59 -> effective 09-30, +1 -> 10-08; 09-30 15:00 -> effective 10-08, +1 -> 10-09.
        """
        target = sla.BusinessDays(1, cn, by=dt.time(17), cutoff=dt.time(15))
        assert target.deadline(sh(2026, 9, 30, 14, 59)) == sh(2026, 10, 8, 17)
        assert target.deadline(sh(2026, 9, 30, 15)) == sh(2026, 10, 9, 17)

    def test_with_cutoff_on_make_up_saturday(self, cn: sla.Calendar) -> None:
        """Fri 10-09 16:00 with cutoff 15:00 -> effective Sat 10-10, +2 -> Tue 10-13."""
        target = sla.BusinessDays(2, cn, by=dt.time(17), cutoff=dt.time(15))
        assert target.deadline(sh(2026, 10, 9, 16)) == sh(2026, 10, 13, 17)

    def test_deadline_many_int(self, cn: sla.Calendar) -> None:
        """The int batch matches the hand-checked scalar answers."""
        target = sla.BusinessDays(3, cn, by=dt.time(17))
        starts = [sh(2026, 9, 29, 10), sh(2026, 2, 13, 10)]
        # From 02-13: make-up Sat 02-14 (1), then after the break 02-24 (2), 02-25 (3).
        want = [sh(2026, 10, 9, 17), sh(2026, 2, 25, 17)]
        got = target.deadline_many([int(t.timestamp()) for t in starts])
        assert got == [int(t.timestamp()) for t in want]


# ------------------------------------------------------------------------------------------------
def _targets(cal: sla.Calendar) -> list[sla.Target]:
    return [
        sla.Within(4 * H, cal),
        sla.NextBusinessDay(cal, cutoff=dt.time(15), by=dt.time(17)),
        sla.NextDay(cal, by=dt.time(18), cutoff=dt.time(15)),
        sla.BusinessDays(3, cal, by=None, cutoff=dt.time(15)),
        sla.BusinessDays(10, cal, by=dt.time(17)),
    ]


def _twins(cal: sla.Calendar) -> list[sla.Target]:
    """Equal-by-value copies built from fresh but equal values."""
    other = sla.Calendar.from_coverage("5x8", country="CN")
    assert other == cal and other is not cal
    return _targets(other)


class TestTargetValues:
    """Targets are frozen, hashable, equal by value and picklable (DESIGN: architecture)."""

    def test_frozen(self, cn: sla.Calendar) -> None:
        """Assigning an attribute raises FrozenInstanceError."""
        for target in _targets(cn):
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                target.calendar = None  # type: ignore[misc, assignment]

    def test_equal_and_hash_by_value(self, cn: sla.Calendar) -> None:
        """Targets built from equal values are equal and hash alike; different ones differ."""
        for a, b in zip(_targets(cn), _twins(cn), strict=True):
            assert a == b and hash(a) == hash(b)
        assert len(set(_targets(cn)) | set(_twins(cn))) == 5
        assert sla.BusinessDays(3, cn) != sla.BusinessDays(4, cn)
        assert sla.NextDay(cn) != sla.NextDay(cn, cutoff=dt.time(15))

    def test_pickle_round_trip(self, cn: sla.Calendar) -> None:
        """Unpickled targets are equal and give identical deadlines."""
        starts = [sh(2026, 9, 30, 14, 59, 59), sh(2026, 9, 30, 15), sh(2026, 10, 9, 16),
                  sh(2026, 2, 13, 15, 30)]
        for target in _targets(cn):
            copy = pickle.loads(pickle.dumps(target))
            assert copy == target and hash(copy) == hash(target)
            for t in starts:
                mine, theirs = target.deadline(t), copy.deadline(t)
                assert mine == theirs and mine.tzinfo is theirs.tzinfo

    def test_evolve(self, cn: sla.Calendar) -> None:
        """``attrs.evolve`` changes one field and validates it."""
        nbd = sla.NextBusinessDay(cn)
        later = attrs.evolve(nbd, cutoff=dt.time(16))
        assert later.deadline(sh(2026, 9, 30, 15, 30)) == sh(2026, 10, 8, 17)
        assert nbd.deadline(sh(2026, 9, 30, 15, 30)) == sh(2026, 10, 9, 17)
        with pytest.raises(sla.SlaValueError):
            attrs.evolve(nbd, cutoff="16:00")  # type: ignore[arg-type]

    def test_is_a_target(self, cn: sla.Calendar) -> None:
        """Every target is a ``slacalc.Target`` whose ``calendar`` is the one given."""
        for target in _targets(cn):
            assert isinstance(target, sla.Target)
            assert target.calendar is cn
