"""The core's edges: what the calendar and targets accept, and how they refuse the rest.

Each test here pins one promise at the boundary of the core modules: duration strings read by
the one parser policy files use, batches that refuse a ``bool`` as POSIX seconds, numbers too
long to convert, instants at the ends of ``datetime``'s range, window counts and capped echoes.
Expected values are written out by hand.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

import slacalc as sla

SH = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


@pytest.fixture(scope="module")
def cn() -> sla.Calendar:
    return sla.Calendar.from_coverage("5x8", country="CN")


def sh(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


class TestDurationStrings:
    """``add``, ``subtract``, ``add_many`` and ``add_stream`` read ``"4h"`` as policy files do."""

    @pytest.mark.parametrize("text", ["4h", "PT4H", "240m", "4h0m0s", "P0DT4H", "14400s"])
    def test_add(self, cn: sla.Calendar, text: str) -> None:
        """15:01 on the eve of National Day + 4 business hours: 11:01 on 2026-10-08."""
        assert cn.add(sh(2026, 9, 30, 15, 1), text) == sh(2026, 10, 8, 11, 1)

    def test_subtract(self, cn: sla.Calendar) -> None:
        """Two business hours before 10:00 on 2026-10-08 is 16:00 on 2026-09-30."""
        assert cn.subtract(sh(2026, 10, 8, 10), "2h") == sh(2026, 9, 30, 16)

    def test_add_many_ints_and_datetimes(self, cn: sla.Calendar) -> None:
        """Both batch kinds take the string; ints give ints."""
        t = sh(2026, 9, 30, 15, 1)
        want = sh(2026, 10, 8, 11, 1)
        assert cn.add_many([t], "4h") == [want]
        assert cn.add_many([int(t.timestamp())], "PT4H") == [int(want.timestamp())]
        assert list(cn.add_stream([int(t.timestamp())], "4h")) == [int(want.timestamp())]

    def test_effective_day_cutoff_string(self, cn: sla.Calendar) -> None:
        """``effective_day(t, "15:00")``: 15:00 itself rolls to the next business day."""
        assert cn.effective_day(sh(2026, 9, 30, 15), "15:00") == dt.date(2026, 10, 8)
        assert cn.effective_day(sh(2026, 9, 30, 14, 59), "15:00") == dt.date(2026, 9, 30)

    @pytest.mark.parametrize(
        "bad", ["4 hours", "4", "h4", "-4h", "4h4h", "1m1h", "P", "PT", "1y", "", "   "]
    )
    def test_same_errors_as_policy_files(self, cn: sla.Calendar, bad: str) -> None:
        """A malformed string is a DurationError naming it, from every entry point."""
        for call in (
            lambda: cn.add(sh(2026, 9, 30, 15), bad),
            lambda: cn.subtract(sh(2026, 9, 30, 15), bad),
            lambda: cn.add_many([1_790_000_000], bad),
            lambda: cn.add_stream([1_790_000_000], bad),
        ):
            with pytest.raises(sla.DurationError) as info:
                call()
            assert repr(bad) in str(info.value)

    @pytest.mark.parametrize("digits", ["٤h", "４h", "PT٤H", "1.５h"])
    def test_ascii_digits_only(self, cn: sla.Calendar, digits: str) -> None:
        """Unicode digits (Arabic-Indic, full-width) are refused, as in coverage specs."""
        with pytest.raises(sla.DurationError):
            cn.add(sh(2026, 9, 30, 15), digits)

    @pytest.mark.parametrize("text", ["9" * 5000 + "h", "P" + "9" * 5000 + "W", "99999999999999h"])
    def test_huge_numbers(self, cn: sla.Calendar, text: str) -> None:
        """Numbers past the int-string limit or a century: DurationError, echo capped."""
        with pytest.raises(sla.DurationError) as info:
            cn.add(sh(2026, 9, 30, 15), text)
        assert len(str(info.value)) < 300

    def test_exact_to_the_microsecond(self, cn: sla.Calendar) -> None:
        """Decimal fractions are exact: '0.1s' is 100,000 µs; finer than 1 µs is refused."""
        always = sla.Calendar.from_coverage("7x24", tz="UTC")
        t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        assert always.add(t, "0.1s") == t + dt.timedelta(microseconds=100_000)
        assert always.add(t, "1.5h") == t + dt.timedelta(minutes=90)
        with pytest.raises(sla.DurationError, match="microsecond"):
            always.add(t, "0.0000001s")


class TestBoolIsNotSeconds:
    """A ``bool`` is refused as POSIX seconds in every int batch, like the scalar calls."""

    @pytest.mark.parametrize("batch", [[True], [1_790_000_000, False], [5, True, 1_790_000_000]])
    def test_batches(self, cn: sla.Calendar, batch: list[int]) -> None:
        """add_many, elapsed_many and every target's deadline_many name the bool."""
        n = len(batch)
        calls = [
            lambda: cn.add_many(batch, H),
            lambda: cn.elapsed_many(batch, [1_790_000_000] * n),
            lambda: cn.elapsed_many([1_790_000_000] * n, batch),
            lambda: sla.Within(cn, H).deadline_many(batch),
            lambda: sla.NextBusinessDay(cn).deadline_many(batch),
            lambda: sla.NextDay(cn).deadline_many(batch),
            lambda: sla.BusinessDays(cn, 2).deadline_many(batch),
        ]
        for call in calls:
            with pytest.raises(sla.SlaValueError, match="bool"):
                call()

    def test_zero_and_one_are_still_seconds(self, cn: sla.Calendar) -> None:
        """Plain ints 0 and 1 (1970-01-01) stay valid instants: 7x24 + 1 h is 3,600 s later."""
        always = sla.Calendar.from_coverage("7x24", tz="UTC")
        assert always.add_many([0, 1], H) == [3600, 3601]
