"""Calendar.subtract: the mirror of add, checked by its defining properties and by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import slacalc
from strategies import CalSpec, aware_datetimes, cal_specs, dst_cal_specs, durations

ONE_US = dt.timedelta(microseconds=1)


class TestSubtractProperties:
    @given(spec=st.one_of(cal_specs(), dst_cal_specs()), data=st.data())
    def test_latest_instant_with_the_duration_covered(self, spec: CalSpec, data: st.DataObject) -> None:
        """elapsed(subtract(t, d), t) == d, and one microsecond later covers less than d."""
        cal = spec.build()
        t = data.draw(aware_datetimes())
        d = data.draw(durations)
        # compare and step in UTC: same-zone datetime arithmetic is wall-clock (fold-blind)
        x = cal.subtract(t, d).astimezone(dt.UTC)
        assert x <= t.astimezone(dt.UTC)
        assert cal.elapsed(x, t) == d
        if d:
            assert cal.elapsed(x + ONE_US, t) < d

    @given(spec=cal_specs(), data=st.data())
    def test_undoes_add_up_to_the_window_edge(self, spec: CalSpec, data: st.DataObject) -> None:
        """subtract(add(t, d), d) is t when t is covered (an uncovered t moves to the next opening
        or, at a window end, stays covered-time-equivalent)."""
        cal = spec.build()
        t = data.draw(aware_datetimes())
        d = data.draw(durations.filter(bool))
        back = cal.subtract(cal.add(t, d), d)
        assert cal.elapsed(t, back) == dt.timedelta(0)
        if cal.is_open(t):
            assert back.astimezone(dt.UTC) == t.astimezone(dt.UTC)


class TestSubtractByHand:
    def test_across_national_day(self) -> None:
        """Two business hours before 10:00 on 2026-10-08 is 16:00 on 2026-09-30 (holiday skipped)."""
        cal = slacalc.Calendar.from_coverage("5x8", country="CN")
        got = cal.subtract(dt.datetime(2026, 10, 8, 10, tzinfo=cal.tz), dt.timedelta(hours=2))
        assert got == dt.datetime(2026, 9, 30, 16, tzinfo=cal.tz)

    def test_window_start_is_latest(self) -> None:
        """One hour before 10:00 is 09:00 the same day, not 17:00 the day before."""
        cal = slacalc.Calendar.from_coverage("5x8", country="CN")
        got = cal.subtract(dt.datetime(2026, 10, 8, 10, tzinfo=cal.tz), dt.timedelta(hours=1))
        assert got == dt.datetime(2026, 10, 8, 9, tzinfo=cal.tz)

    def test_zero_and_negative(self) -> None:
        """subtract(t, 0) is t; a negative duration is a DurationError naming it."""
        cal = slacalc.Calendar.from_coverage("7x24", tz="UTC")
        t = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
        assert cal.subtract(t, dt.timedelta(0)) == t
        with pytest.raises(slacalc.DurationError, match="days=-1"):
            cal.subtract(t, dt.timedelta(seconds=-1))
