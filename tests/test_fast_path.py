"""The scalar add's fast path (wall fields of an input in the calendar's own zone) agrees with the
generic path (the input's own offset) on every kind of day, folds and gaps included."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import slacalc as sla

ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "Asia/Shanghai"]


@pytest.mark.parametrize("zone", ZONES)
@given(seconds=st.integers(1_704_067_200, 1_790_000_000), fold=st.sampled_from([0, 1]),
       minutes=st.integers(1, 60 * 24 * 10))
def test_own_zone_equals_other_zone_object(zone: str, seconds: int, fold: int, minutes: int) -> None:
    """The same instant given in the calendar's zone object, in an uncached copy of that zone
    and in UTC gives the same deadline (compared as UTC instants)."""
    cal = sla.Calendar(tz=zone, days="all", hours="01:00-03:00,08:00-18:00")
    own = dt.datetime.fromtimestamp(seconds, cal.tz)
    if fold:  # the same wall reading, second occurrence (only a different instant in a fold)
        own = own.replace(fold=1)
    other = own.astimezone(ZoneInfo.no_cache(zone))
    utc = own.astimezone(dt.UTC)
    d = dt.timedelta(minutes=minutes)
    results = {cal.add(x, d).astimezone(dt.UTC) for x in (own, other, utc)}
    assert len(results) == 1


def test_fall_back_fold_in_own_zone() -> None:
    """New York 2026-11-01 01:30 fold=1 is 06:30 UTC; 30 min on a 7x24 calendar is 07:00 UTC."""
    cal = sla.Calendar.from_coverage("7x24", tz="America/New_York")
    t = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=cal.tz)
    got = cal.add(t, dt.timedelta(minutes=30))
    assert got.astimezone(dt.UTC) == dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)
