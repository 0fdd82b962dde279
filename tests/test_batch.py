"""The batch paths (``add_many``, ``elapsed_many``, ``deadline_many``) agree with the scalar ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import slacalc
from strategies import (
    CalSpec,
    cal_specs,
    cutoffs,
    dst_cal_specs,
    express,
    input_zones,
    instants_us,
    times_of_day,
    to_us,
    whole_second_durations,
)

US = 1_000_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_Y2015 = int(dt.datetime(2015, 1, 1, tzinfo=dt.UTC).timestamp())
_Y2030 = int(dt.datetime(2030, 12, 31, tzinfo=dt.UTC).timestamp())

any_spec = st.one_of(cal_specs(), dst_cal_specs())


@st.composite
def second_lists(draw: st.DrawFn, zone: str) -> list[int]:
    """Int POSIX seconds: around the test years, spread over 2015-2030 (forcing lazy extension),
    or packed into one minute (a single bucket)."""
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(st.lists(instants_us(zone).map(lambda u: u // US), min_size=1, max_size=25))
    if kind == 1:
        return draw(st.lists(st.integers(_Y2015, _Y2030), min_size=1, max_size=25))
    base = draw(instants_us(zone)).__floordiv__(US)
    return draw(st.lists(st.integers(base, base + 59), min_size=1, max_size=25))


def dt_of(x: int, tz: dt.tzinfo) -> dt.datetime:
    return express(x * US, tz)


def same(a: dt.datetime, b: dt.datetime) -> bool:
    """Same instant, same wall reading, same fold, same zone."""
    return (to_us(a), a.replace(tzinfo=None), a.fold, a.tzinfo) == (
        to_us(b), b.replace(tzinfo=None), b.fold, b.tzinfo
    )


class TestAddMany:
    """``add_many`` on ints and on datetimes equals ``add`` element by element."""

    @given(spec=any_spec, data=st.data())
    def test_ints(self, spec: CalSpec, data: st.DataObject) -> None:
        """Int seconds in, int seconds out, each equal to the scalar add."""
        cal = spec.build()
        xs = data.draw(second_lists(spec.zone))
        d = data.draw(whole_second_durations)
        before = list(xs)
        got = cal.add_many(xs, d)
        assert xs == before
        expected = [to_us(cal.add(dt_of(x, cal.tz), d)) // US for x in xs]
        assert got == expected
        assert all(type(v) is int for v in got)

    @given(spec=any_spec, data=st.data())
    def test_datetimes(self, spec: CalSpec, data: st.DataObject) -> None:
        """Aware datetimes in any zone give datetimes equal to the scalar add's (fold included)."""
        cal = spec.build()
        xs = [
            express(data.draw(instants_us(spec.zone)), data.draw(input_zones))
            for _ in range(data.draw(st.integers(1, 12)))
        ]
        d = data.draw(whole_second_durations | st.just(dt.timedelta(microseconds=1_500_001)))
        before = list(xs)
        got = cal.add_many(xs, d)
        assert xs == before
        assert len(got) == len(xs)
        for x, g in zip(xs, got, strict=True):
            assert same(g, cal.add(x, d))

    @pytest.mark.parametrize(("coverage", "options"), [
        ("5x8", {"country": "CN"}),
        ("5x8", {"tz": "Europe/Berlin"}),
        ("7x24", {"tz": "America/New_York"}),
    ])
    def test_large_datetime_batches_take_the_tables(self, coverage: str,
                                                    options: dict[str, Any]) -> None:
        """Thousands of datetimes (enough for the int lookup tables), written in several zones
        including DST ones and fixed offsets, on whole seconds and with fractions, give exactly
        the scalar ``add``'s datetimes: same instant, wall reading, fold and zone."""
        import random  # noqa: PLC0415 - only this test draws a seeded sample

        cal = slacalc.Calendar.from_coverage(coverage, **options)
        rng = random.Random(20251026)
        zones = [ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin"), dt.UTC,
                 ZoneInfo("America/New_York"), dt.timezone(dt.timedelta(hours=5, minutes=30))]
        lo = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp())
        hi = int(dt.datetime(2025, 12, 31, tzinfo=dt.UTC).timestamp())
        # the fall-back night in Berlin and New York, hour by hour: folds in the batch
        folds = [int(dt.datetime(2025, 10, 26, 0, tzinfo=dt.UTC).timestamp()) + k * 600
                 for k in range(18)] + [
            int(dt.datetime(2025, 11, 2, 5, tzinfo=dt.UTC).timestamp()) + k * 600 for k in range(12)]
        secs = [rng.randrange(lo, hi) for _ in range(3000)] + folds
        xs = [express(s * US, rng.choice(zones)) for s in secs]
        for d in (dt.timedelta(hours=4), dt.timedelta(minutes=45), dt.timedelta(0)):
            got = cal.add_many(xs, d)
            assert all(same(g, cal.add(x, d)) for x, g in zip(xs, got, strict=True))
        with_fractions = [x.replace(microsecond=rng.randrange(1, US)) for x in xs[:300]]
        got = cal.add_many(with_fractions, dt.timedelta(hours=4))
        assert all(same(g, cal.add(x, dt.timedelta(hours=4)))
                   for x, g in zip(with_fractions, got, strict=True))

    def test_empty(self) -> None:
        """An empty batch gives an empty list."""
        cal = slacalc.Calendar(tz="UTC")
        assert cal.add_many([], dt.timedelta(hours=1)) == []
        assert cal.elapsed_many([], []) == []

    def test_fractional_duration_refused_for_ints(self) -> None:
        """A sub-second duration cannot be applied to int seconds: a DurationError (ValueError)."""
        cal = slacalc.Calendar(tz="UTC")
        with pytest.raises(slacalc.DurationError) as info:
            cal.add_many([1_700_000_000], dt.timedelta(seconds=1, microseconds=5))
        assert isinstance(info.value, ValueError)


class TestElapsedMany:
    """``elapsed_many`` on ints and datetimes equals ``elapsed`` pairwise."""

    @given(spec=any_spec, data=st.data())
    def test_ints(self, spec: CalSpec, data: st.DataObject) -> None:
        """Pairs of int seconds give int seconds equal to the scalar elapsed (either order)."""
        cal = spec.build()
        xs = data.draw(second_lists(spec.zone))
        ys = [x + data.draw(st.integers(-40 * 86_400, 40 * 86_400)) for x in xs]
        before = (list(xs), list(ys))
        got = cal.elapsed_many(xs, ys)
        assert (xs, ys) == before
        expected = [
            cal.elapsed(dt_of(a, cal.tz), dt_of(b, dt.UTC)) // dt.timedelta(seconds=1)
            for a, b in zip(xs, ys, strict=True)
        ]
        assert got == expected
        assert all(type(v) is int for v in got)

    @given(spec=any_spec, data=st.data())
    def test_datetimes(self, spec: CalSpec, data: st.DataObject) -> None:
        """Pairs of datetimes give timedeltas equal to the scalar elapsed."""
        cal = spec.build()
        n = data.draw(st.integers(1, 10))
        xs = [express(data.draw(instants_us(spec.zone)), data.draw(input_zones)) for _ in range(n)]
        ys = [express(data.draw(instants_us(spec.zone)), data.draw(input_zones)) for _ in range(n)]
        got = cal.elapsed_many(xs, ys)
        assert got == [cal.elapsed(a, b) for a, b in zip(xs, ys, strict=True)]

    def test_length_mismatch(self) -> None:
        """starts and ends of different lengths are refused with a SlaError (ValueError)."""
        cal = slacalc.Calendar(tz="UTC")
        with pytest.raises(slacalc.SlaError) as info:
            cal.elapsed_many([1_700_000_000, 1_700_000_001], [1_700_000_000])
        assert isinstance(info.value, ValueError)


def _targets(cal: slacalc.Calendar, data: st.DataObject) -> list[slacalc.Target]:
    """Three of the target kinds, with cutoffs and due times sometimes in DST transition hours."""
    dst_times = st.sampled_from([dt.time(0), dt.time(1, 30), dt.time(2, 30), dt.time(23, 30)])
    cutoff = data.draw(cutoffs.filter(lambda c: c.microsecond == 0) | dst_times)
    by = data.draw(times_of_day | dst_times)
    n = data.draw(st.integers(0, 12))
    makers: list[Callable[[], slacalc.Target]] = [
        lambda: slacalc.Within(cal, data.draw(whole_second_durations)),
        lambda: slacalc.NextBusinessDay(cal, cutoff=cutoff, by=by),
        lambda: slacalc.NextDay(cal, by=by),
        lambda: slacalc.NextDay(cal, by=by, cutoff=cutoff),
        lambda: slacalc.BusinessDays(cal, n),
        lambda: slacalc.BusinessDays(cal, n, by=by),
        lambda: slacalc.BusinessDays(cal, n, by=by, cutoff=cutoff),
    ]
    chosen = data.draw(st.lists(st.integers(0, len(makers) - 1), min_size=1, max_size=3,
                                unique=True))
    return [makers[i]() for i in chosen]


class TestDeadlineMany:
    """``Target.deadline_many`` equals ``deadline`` element by element, for every target kind."""

    @given(spec=any_spec, data=st.data())
    def test_ints(self, spec: CalSpec, data: st.DataObject) -> None:
        """Within, NextBusinessDay, NextDay and BusinessDays (with and without cutoff) on ints."""
        cal = spec.build()
        xs = data.draw(second_lists(spec.zone))
        before = list(xs)
        for target in _targets(cal, data):
            got = target.deadline_many(xs)
            expected = [to_us(target.deadline(dt_of(x, cal.tz))) // US for x in xs]
            assert got == expected, target
        assert xs == before

    @given(spec=any_spec, data=st.data())
    def test_datetimes(self, spec: CalSpec, data: st.DataObject) -> None:
        """Every target kind on datetimes gives the scalar deadlines."""
        cal = spec.build()
        xs = [
            express(data.draw(instants_us(spec.zone)), data.draw(input_zones))
            for _ in range(data.draw(st.integers(1, 6)))
        ]
        for target in _targets(cal, data):
            got = target.deadline_many(xs)
            for x, g in zip(xs, got, strict=True):
                assert same(g, target.deadline(x)), target

    @pytest.mark.filterwarnings("ignore::slacalc.HorizonWarning")
    @given(data=st.data())
    def test_cn_nbd_ints(self, data: st.DataObject) -> None:
        """The CN 5x8 NBD batch (the benchmarked path) equals the scalar deadlines."""
        cal = CN_CAL
        xs = data.draw(second_lists("Asia/Shanghai"))
        target = slacalc.NextBusinessDay(cal, cutoff=dt.time(15), by=dt.time(17))
        got = target.deadline_many(xs)
        assert got == [to_us(target.deadline(dt_of(x, cal.tz))) // US for x in xs]
        within = slacalc.Within(cal, dt.timedelta(hours=4))
        assert within.deadline_many(xs) == [to_us(within.deadline(dt_of(x, cal.tz))) // US
                                            for x in xs]


CN_CAL = slacalc.Calendar.from_coverage("5x8", country="CN")

_T = 1_735_700_000  # 2025-01-01
_NAIVE = dt.datetime(2025, 1, 1, 9)
_AWARE = dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)
BAD_INT_BATCHES: list[tuple[list[Any], Any]] = [
    ([_T, "2025-01-01"], "2025-01-01"),
    ([_T, None], None),
    ([_T, 1.5e9], 1.5e9),
    ([_T, _AWARE], _AWARE),
    (["x", _T], "x"),
    ([None], None),
]
BAD_DATETIME_BATCHES: list[tuple[list[Any], Any]] = [
    ([_AWARE, _T], _T),
    ([_AWARE, _NAIVE], _NAIVE),
    ([_AWARE, "2025-01-01"], "2025-01-01"),
]


class TestBadElements:
    """Mixed or invalid element types raise SlaError (a ValueError) naming the bad element."""

    @staticmethod
    def check(call: Any, bad: Any) -> None:
        with pytest.raises(slacalc.SlaError) as info:
            call()
        assert isinstance(info.value, ValueError)
        assert repr(bad) in str(info.value)

    @pytest.mark.parametrize(("xs", "bad"), BAD_INT_BATCHES + BAD_DATETIME_BATCHES)
    def test_add_many(self, xs: list[Any], bad: Any) -> None:
        """add_many refuses the batch and names the bad element; the input is untouched."""
        cal = slacalc.Calendar(tz="America/New_York", days="all")
        before = list(xs)
        self.check(lambda: cal.add_many(xs, dt.timedelta(hours=1)), bad)
        assert xs == before

    @pytest.mark.parametrize(("xs", "bad"), BAD_INT_BATCHES + BAD_DATETIME_BATCHES)
    def test_elapsed_many(self, xs: list[Any], bad: Any) -> None:
        """elapsed_many refuses a bad start or end and names it."""
        cal = slacalc.Calendar(tz="America/New_York")
        good = [xs[0]] * len(xs) if xs[0] is not None and xs[0] != "x" else [_T] * len(xs)
        self.check(lambda: cal.elapsed_many(xs, list(good)), bad)
        self.check(lambda: cal.elapsed_many(list(good), xs), bad)

    @pytest.mark.parametrize(("xs", "bad"), BAD_INT_BATCHES + BAD_DATETIME_BATCHES)
    @pytest.mark.parametrize("kind", ["within", "nbd", "nd", "bdays"])
    def test_deadline_many(self, xs: list[Any], bad: Any, kind: str) -> None:
        """deadline_many of every target kind refuses the batch and names the bad element."""
        cal = slacalc.Calendar(tz="Europe/London")
        target: slacalc.Target = {
            "within": slacalc.Within(cal, dt.timedelta(hours=2)),
            "nbd": slacalc.NextBusinessDay(cal),
            "nd": slacalc.NextDay(cal),
            "bdays": slacalc.BusinessDays(cal, 3, cutoff=dt.time(15)),
        }[kind]
        before = list(xs)
        self.check(lambda: target.deadline_many(xs), bad)
        assert xs == before
