"""Example-based tests of the targets: Within, NextBusinessDay, NextDay, BusinessDays.

Expected values are hand-checked against the official 2026 schedule (see test_calendar.py's
module docstring): National Day 10-01..10-07 with make-up Sun 09-20 and Sat 10-10; Spring
Festival 02-15..02-23 with make-up Sat 02-14 and Sat 02-28; Mid-Autumn Fri 09-25.
Vector ids refer to shared/vectors/seed_scenarios.jsonl.
"""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    """``Within(cal, d).deadline(t) == cal.add(t, d)`` (DESIGN: the contract)."""

    def test_4h_over_national_day(self, cn: sla.Calendar) -> None:
        """Vector 5x8-4h-over-national-day: 09-30 15:01 + 4 business hours -> 10-08 11:01."""
        assert sla.Within(cn, 4 * H).deadline(sh(2026, 9, 30, 15, 1)) == sh(2026, 10, 8, 11, 1)

    def test_7x24x4(self, always: sla.Calendar) -> None:
        """Vector 7x24x4-overnight: four clock hours over a holiday night."""
        assert sla.Within(always, 4 * H).deadline(sh(2026, 10, 1, 23)) == sh(2026, 10, 2, 3)

    def test_severity_a_restore_2h(self, always: sla.Calendar) -> None:
        """Severity A: restored within 2 h, any time (7x24)."""
        assert sla.Within(always, 2 * H).deadline(sh(2026, 2, 16, 23, 30)) == sh(
            2026, 2, 17, 1, 30
        )

    def test_severity_d_reply_24h_on_5x8(self, cn: sla.Calendar) -> None:
        """Severity D: reply within 24 business hours on 5x8 = three 8 h days.

        Thu 10-08 10:00: 7h Thu, 8h Fri, 8h make-up Sat 10-10, 1h Mon -> 10-12 10:00.
        """
        assert sla.Within(cn, 24 * H).deadline(sh(2026, 10, 8, 10)) == sh(2026, 10, 12, 10)

    def test_deadline_many(self, cn: sla.Calendar) -> None:
        """The batch gives the same deadlines, datetimes and int seconds alike."""
        target = sla.Within(cn, 4 * H)
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
    """``BusinessDays(cal, n, by, cutoff)``: due on the n-th business day (DESIGN: 'Scheduled
    obligations')."""

    def test_rma_third_business_day_by_17(self, cn: sla.Calendar) -> None:
        """Vector rma-third-business-day: from 09-29 -> 10-09, due 17:00."""
        target = sla.BusinessDays(cn, 3, by=dt.time(17))
        assert target.deadline(sh(2026, 9, 29, 10)) == sh(2026, 10, 9, 17)

    def test_by_none_is_end_of_day(self, cn: sla.Calendar) -> None:
        """by=None: by the end of 10-09, i.e. local midnight starting 10-10."""
        target = sla.BusinessDays(cn, 3)
        assert target.by is None
        assert target.deadline(sh(2026, 9, 29, 10)) == sh(2026, 10, 10, 0)

    def test_return_within_10_workdays(self, cn: sla.Calendar) -> None:
        """Vector return-10-workdays: from 02-13 -> 03-05 (Spring Festival between)."""
        target = sla.BusinessDays(cn, 10, by=dt.time(17))
        assert target.deadline(sh(2026, 2, 13, 10)) == sh(2026, 3, 5, 17)

    def test_repair_within_60_workdays(self, cn: sla.Calendar) -> None:
        """Vector repair-60-workdays: from 09-25 -> 12-24."""
        target = sla.BusinessDays(cn, 60, by=dt.time(17))
        assert target.deadline(sh(2026, 9, 25, 10)) == sh(2026, 12, 24, 17)

    def test_zero_postpones_past_holidays(self, cn: sla.Calendar) -> None:
        """n=0 (节假日顺延): report due 10-05 -> end of 10-08."""
        target = sla.BusinessDays(cn, 0)
        assert target.deadline(sh(2026, 10, 5, 10)) == sh(2026, 10, 9, 0)
        assert sla.BusinessDays(cn, 0, by=dt.time(9)).deadline(sh(2026, 10, 5, 10)) == sh(
            2026, 10, 8, 9
        )

    def test_time_of_day_ignored_without_cutoff(self, cn: sla.Calendar) -> None:
        """Without a cutoff only the local date counts: 09-30 23:00 -> 1st business day 10-08."""
        target = sla.BusinessDays(cn, 1, by=dt.time(17))
        assert target.deadline(sh(2026, 9, 30, 23)) == sh(2026, 10, 8, 17)

    def test_with_cutoff(self, cn: sla.Calendar) -> None:
        """cutoff 15:00: counting starts from the effective day.

        09-30 14:59 -> effective 09-30, +1 -> 10-08; 09-30 15:00 -> effective 10-08, +1 -> 10-09.
        """
        target = sla.BusinessDays(cn, 1, by=dt.time(17), cutoff=dt.time(15))
        assert target.deadline(sh(2026, 9, 30, 14, 59)) == sh(2026, 10, 8, 17)
        assert target.deadline(sh(2026, 9, 30, 15)) == sh(2026, 10, 9, 17)

    def test_with_cutoff_on_make_up_saturday(self, cn: sla.Calendar) -> None:
        """Fri 10-09 16:00 with cutoff 15:00 -> effective Sat 10-10, +2 -> Tue 10-13."""
        target = sla.BusinessDays(cn, 2, by=dt.time(17), cutoff=dt.time(15))
        assert target.deadline(sh(2026, 10, 9, 16)) == sh(2026, 10, 13, 17)

    def test_deadline_many_int(self, cn: sla.Calendar) -> None:
        """The int batch matches the hand-checked scalar answers."""
        target = sla.BusinessDays(cn, 3, by=dt.time(17))
        starts = [sh(2026, 9, 29, 10), sh(2026, 2, 13, 10)]
        # From 02-13: make-up Sat 02-14 (1), then after the break 02-24 (2), 02-25 (3).
        want = [sh(2026, 10, 9, 17), sh(2026, 2, 25, 17)]
        got = target.deadline_many([int(t.timestamp()) for t in starts])
        assert got == [int(t.timestamp()) for t in want]


# ------------------------------------------------------------------------------------------------
def _targets(cal: sla.Calendar) -> list[sla.Target]:
    return [
        sla.Within(cal, 4 * H),
        sla.NextBusinessDay(cal, cutoff=dt.time(15), by=dt.time(17)),
        sla.NextDay(cal, by=dt.time(18), cutoff=dt.time(15)),
        sla.BusinessDays(cal, 3, by=None, cutoff=dt.time(15)),
        sla.BusinessDays(cal, 10, by=dt.time(17)),
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
        assert sla.BusinessDays(cn, 3) != sla.BusinessDays(cn, 4)
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
        assert attrs.evolve(nbd, cutoff="16:00") == later  # read like a policy file's time
        with pytest.raises(sla.SlaValueError):
            attrs.evolve(nbd, cutoff="16h")

    def test_is_a_target(self, cn: sla.Calendar) -> None:
        """Every target is a ``slacalc.Target`` whose ``calendar`` is the one given."""
        for target in _targets(cn):
            assert isinstance(target, sla.Target)
            assert target.calendar is cn


class TestArgumentOrder:
    """Every target takes its calendar first; durations and times may be policy-file strings."""

    def test_calendar_first(self, cn: sla.Calendar) -> None:
        """``Within(cal, d)``, ``BusinessDays(cal, n)``: the calendar is the first field."""
        assert sla.Within(cn, 4 * H).calendar is cn
        assert sla.BusinessDays(cn, 3).n == 3
        for cls in (sla.Within, sla.NextBusinessDay, sla.NextDay, sla.BusinessDays):
            assert attrs.fields(cls)[0].name == "calendar"  # type: ignore[arg-type]

    def test_old_order_refused_with_a_pointer(self, cn: sla.Calendar) -> None:
        """The pre-0.x order ``Within(d, cal)`` fails naming the calendar-first spelling."""
        with pytest.raises(sla.SlaValueError, match=r"calendar first, e.g. Within\(cal"):
            sla.Within(4 * H, cn)  # type: ignore[arg-type]
        with pytest.raises(sla.SlaValueError, match=r"BusinessDays\(cal"):
            sla.BusinessDays(3, cn)  # type: ignore[arg-type]

    def test_by_and_cutoff_are_keywords(self, cn: sla.Calendar) -> None:
        """``by`` and ``cutoff`` are keyword-only: their positions differ between targets."""
        with pytest.raises(TypeError):
            sla.NextBusinessDay(cn, dt.time(15))  # type: ignore[misc]
        with pytest.raises(TypeError):
            sla.BusinessDays(cn, 3, dt.time(17))  # type: ignore[misc]

    @pytest.mark.parametrize(
        ("text", "expected"),
        [("4h", 4 * H), ("PT4H", 4 * H), ("2h30m", dt.timedelta(minutes=150)),
         ("1d", 24 * H), ("90s", dt.timedelta(seconds=90)), ("P1DT2H", 26 * H)],
    )
    def test_duration_strings(self, cn: sla.Calendar, text: str, expected: dt.timedelta) -> None:
        """``Within(cal, "4h")`` reads the duration as a policy file does."""
        assert sla.Within(cn, text) == sla.Within(cn, expected)
        assert sla.Within(cn, text).duration == expected

    def test_time_strings(self, cn: sla.Calendar) -> None:
        """``cutoff="15:00"``, ``by="17:00"`` read as times of day on every day target."""
        assert sla.NextBusinessDay(cn, cutoff="14:30", by="18:00") == sla.NextBusinessDay(
            cn, cutoff=dt.time(14, 30), by=dt.time(18)
        )
        assert sla.NextDay(cn, by="18:00", cutoff="15:00").cutoff == dt.time(15)
        target = sla.BusinessDays(cn, 3, by="17:00", cutoff="15:00")
        assert (target.by, target.cutoff) == (dt.time(17), dt.time(15))
        assert target.deadline(sh(2026, 9, 29, 10)) == sh(2026, 10, 9, 17)

    @pytest.mark.parametrize("bad", ["4 hours", "-1h", "h", "", "1y"])
    def test_bad_duration_string(self, cn: sla.Calendar, bad: str) -> None:
        """A string that is not a duration: DurationError naming it, like a policy file's."""
        with pytest.raises(sla.DurationError, match="duration") as info:
            sla.Within(cn, bad)
        assert repr(bad) in str(info.value)


class TestParse:
    """``Target.parse``: a spare-part service level's delivery part as a target on its calendar."""

    @pytest.mark.parametrize(
        ("spec", "build"),
        [
            ("5x8xNBD", lambda: sla.NextBusinessDay(
                sla.Calendar.from_coverage("5x8", country="CN"), cutoff=dt.time(15), by=dt.time(17))),
            ("7x24x4", lambda: sla.Within(sla.Calendar.from_coverage("7x24", country="CN"), 4 * H)),
            ("7x8xND", lambda: sla.NextDay(sla.Calendar.from_coverage("7x8", country="CN"),
                                           by=dt.time(18))),
            ("8x5x48", lambda: sla.Within(sla.Calendar.from_coverage("5x8", country="CN"), 48 * H)),
            ("24*7*4", lambda: sla.Within(sla.Calendar.from_coverage("7x24", country="CN"), 4 * H)),
            ("5×8×nbd", lambda: sla.NextBusinessDay(sla.Calendar.from_coverage("5x8", country="CN"))),
        ],
    )
    def test_each_delivery(self, spec: str, build: Any) -> None:
        """NBD, ND and N hours map to the documented target and calendar."""
        assert sla.Target.parse(spec, country="CN") == build()

    def test_deadlines(self) -> None:
        """The parsed targets give the hand-checked deadlines around National Day 2026."""
        nbd = sla.Target.parse("5x8xNBD", country="CN")
        assert nbd.deadline(sh(2026, 9, 30, 14, 59)) == sh(2026, 10, 8, 17)
        nd = sla.Target.parse("7x8xND", country="CN")
        assert nd.deadline(sh(2026, 9, 30, 20)) == sh(2026, 10, 1, 18)
        four = sla.Target.parse("7x24x4", country="CN")
        assert four.deadline(sh(2026, 10, 1, 23)) == sh(2026, 10, 2, 3)
        bh = sla.Target.parse("8x5x48", country="CN")  # 6 business days of 8 h
        assert bh.deadline(sh(2026, 9, 29, 9)) == sh(2026, 10, 12, 17)

    def test_calendar_keywords(self) -> None:
        """The calendar keywords of ``from_coverage`` pass through; cutoff/by override."""
        target = sla.Target.parse(
            "5x24xNBD", country="US", tz="America/New_York", subdiv="NY",
            extra_holidays=["2026-12-24"], strict=True, cutoff="14:00", by="12:00",
        )
        assert target == sla.NextBusinessDay(
            sla.Calendar.from_coverage("5x24", country="US", tz="America/New_York", subdiv="NY",
                                       extra_holidays=["2026-12-24"], strict=True),
            cutoff=dt.time(14), by=dt.time(12),
        )
        hours = sla.Target.parse("5x8x4", tz="UTC", hours="08:00-12:00,13:00-17:00")
        assert hours.calendar.hours == sla.Calendar(tz="UTC", hours="08:00-12:00,13:00-17:00").hours

    def test_refusals(self) -> None:
        """No delivery part, or cutoff/by with an hours delivery: clear errors."""
        with pytest.raises(sla.CoverageError, match=r"no delivery part.*Calendar\.from_coverage"):
            sla.Target.parse("5x8", country="CN")
        with pytest.raises(sla.SlaValueError, match="do not apply"):
            sla.Target.parse("7x24x4", country="CN", cutoff="15:00")
        with pytest.raises(sla.CoverageError, match="delivery"):
            sla.Target.parse("5x8xNDB", country="CN")

    def test_from_coverage_keeps_the_calendar(self) -> None:
        """``Calendar.from_coverage("5x8xNBD")`` is the calendar of its first two parts."""
        assert sla.Calendar.from_coverage("5x8xNBD", country="CN") == sla.Calendar.from_coverage(
            "5x8", country="CN"
        )


class TestTargetRepr:
    """Targets' reprs show the calendar by its short form, and evaluate back."""

    @pytest.mark.parametrize(
        ("target", "text"),
        [
            (lambda c: sla.Within(c, 4 * H), "Within(Calendar.from_coverage('5x8', country='CN'), '4h')"),
            (sla.NextBusinessDay,
             "NextBusinessDay(Calendar.from_coverage('5x8', country='CN'), cutoff='15:00', by='17:00')"),
            (lambda c: sla.NextDay(c, cutoff=dt.time(15)),
             "NextDay(Calendar.from_coverage('5x8', country='CN'), by='18:00', cutoff='15:00')"),
            (lambda c: sla.BusinessDays(c, 10, by=dt.time(17)),
             "BusinessDays(Calendar.from_coverage('5x8', country='CN'), 10, by='17:00')"),
        ],
    )
    def test_short(self, cn: sla.Calendar, target: Any, text: str) -> None:
        """Hand-written expected reprs."""
        made = target(cn)
        assert repr(made) == text
        names = {n: getattr(sla, n) for n in ("Calendar", "Within", "NextBusinessDay", "NextDay",
                                               "BusinessDays")}
        assert eval(text, names) == made

    @settings(max_examples=40, deadline=None)
    @given(
        kind=st.sampled_from(["within", "nbd", "nd", "bd"]),
        minutes=st.integers(0, 10_000),
        n=st.integers(0, 500),
        by=st.none() | st.times(),
        cutoff=st.none() | st.times(),
    )
    def test_evaluates_back(self, cn: sla.Calendar, kind: str, minutes: int, n: int,
                            by: dt.time | None, cutoff: dt.time | None) -> None:
        """``eval(repr(target)) == target`` for generated targets of every kind."""
        times = {k: v for k, v in (("by", by), ("cutoff", cutoff)) if v is not None}
        made: sla.Target
        if kind == "within":
            made = sla.Within(cn, dt.timedelta(minutes=minutes, microseconds=n))
        elif kind == "nbd":
            made = sla.NextBusinessDay(cn, **times)
        elif kind == "nd":
            made = sla.NextDay(cn, **times)
        else:
            made = sla.BusinessDays(cn, n, **times)
        names = {name: getattr(sla, name) for name in ("Calendar", "Within", "NextBusinessDay",
                                                        "NextDay", "BusinessDays")}
        assert eval(repr(made), names) == made
