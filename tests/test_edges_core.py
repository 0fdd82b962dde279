"""The core's edges: what the calendar and targets accept, and how they refuse the rest.

Each test here pins one promise at the boundary of the core modules: duration strings read by
the one parser policy files use, batches that refuse a ``bool`` as POSIX seconds, numbers too
long to convert, instants at the ends of ``datetime``'s range, window counts and capped echoes.
Expected values are written out by hand.
"""

from __future__ import annotations

import datetime as dt
import pickle
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


class TestLongNumbers:
    """Numbers past Python's int-string limit (4,300 digits) never reach ``int()``."""

    @pytest.mark.parametrize(
        "spec", ["5" * 5000 + "x8", "5x" + "8" * 5000, "5x8x" + "9" * 5000, "5x8x" + "4" * 4000,
                 "7x24x99999999999", "7x24x8785", "5x8x0"],
    )
    def test_coverage_specs(self, spec: str) -> None:
        """Huge or out-of-range parts: CoverageError with the value cut short."""
        with pytest.raises(sla.CoverageError) as info:
            sla.Calendar.from_coverage(spec, tz="UTC")
        assert len(str(info.value)) < 400
        with pytest.raises(sla.CoverageError):
            sla.Target.parse(spec, tz="UTC")

    def test_longest_delivery(self) -> None:
        """A year of hours (8,784) is the longest delivery part accepted."""
        assert sla.Coverage.parse("7x24x8784").delivery == 8784

    @pytest.mark.parametrize("hours", ["9" * 5000 + ":00-17:00", "09:00-17:" + "0" * 5000])
    def test_hours(self, hours: str) -> None:
        """Hours strings with huge numbers: CoverageError naming the (cut) value."""
        with pytest.raises(sla.CoverageError) as info:
            sla.Calendar(tz="UTC", hours=hours)
        assert len(str(info.value)) < 400

    def test_business_day_count(self, cn: sla.Calendar) -> None:
        """A 5,000-digit ``n``: DurationError naming ``n`` by its size, not a ValueError."""
        with pytest.raises(sla.DurationError, match="n=<an int of about 5,000 digits>"):
            cn.add_business_days(dt.date(2026, 1, 5), 10**4999)
        with pytest.raises(sla.SlaValueError, match="about 5,000 digits"):
            sla.BusinessDays(cn, 10**4999)

    def test_n_named_when_it_runs_off_the_years(self, cn: sla.Calendar) -> None:
        """``add_business_days(d, 109000)`` runs past 2199: the error names ``n`` and the day."""
        with pytest.raises(sla.OutOfRangeError, match=r"n=109000 business days after day=2026-01-05"):
            cn.add_business_days(dt.date(2026, 1, 5), 109_000)


_PLUS14 = dt.timezone(dt.timedelta(hours=14))
_MINUS14 = dt.timezone(dt.timedelta(hours=-14))
_EDGES = [
    dt.datetime(1, 1, 1, tzinfo=_PLUS14),
    dt.datetime(9999, 12, 31, 23, 59, tzinfo=_MINUS14),
    dt.datetime.min.replace(tzinfo=dt.UTC),
    dt.datetime.max.replace(tzinfo=dt.UTC),
]


class TestEndsOfDatetime:
    """Instants at the ends of ``datetime``'s range: OutOfRangeError, never OverflowError."""

    @pytest.mark.parametrize("t", _EDGES)
    @pytest.mark.parametrize("spec", ["5x8", "7x24"])
    def test_every_entry_point(self, t: dt.datetime, spec: str) -> None:
        """Each calendar and target method taking an instant refuses it as out of range."""
        cal = sla.Calendar.from_coverage(spec, country="CN")
        ok = sh(2026, 1, 5, 10)
        calls = [
            lambda: cal.add(t, H), lambda: cal.add(t, "4h"), lambda: cal.subtract(t, H),
            lambda: cal.elapsed(t, ok), lambda: cal.elapsed(ok, t), lambda: cal.is_open(t),
            lambda: cal.next_open(t), lambda: cal.effective_day(t, "15:00"),
            lambda: cal.segments(ok, t), lambda: cal.segments(t, ok),
            lambda: cal.add_many([t], H), lambda: cal.add_many([ok, t], H),
            lambda: cal.elapsed_many([t], [ok]), lambda: cal.elapsed_many([ok], [t]),
            lambda: list(cal.add_stream([t], H)),
            lambda: cal.is_business_day(t.date()), lambda: cal.add_business_days(t.date(), 1),
            lambda: cal.describe_day(t.date()),
        ]
        for target in (sla.Within(cal, H), sla.NextBusinessDay(cal), sla.NextDay(cal),
                       sla.BusinessDays(cal, 2, cutoff="15:00")):
            calls.append(lambda target=target: target.deadline(t))
            calls.append(lambda target=target: target.deadline_many([ok, t]))
        for call in calls:
            with pytest.raises(sla.OutOfRangeError):
                call()


class TestBoundedWindows:
    """At most 48 windows a day: memory per compiled year stays bounded."""

    def test_limit_named(self) -> None:
        """1,440 one-minute windows (a string accepted from policy files) are refused."""
        minutes = ",".join(f"{m // 60:02d}:{m % 60:02d}-{m // 60:02d}:{m % 60:02d}:30"
                           for m in range(1440))
        with pytest.raises(sla.CoverageError, match="at most 48 windows a day"):
            sla.Calendar(tz="UTC", hours=minutes)
        with pytest.raises(sla.CoverageError, match="at most 48 windows a day"):
            sla.Calendar(tz="UTC", hours={"mon-fri": minutes})

    def test_48_windows_work(self) -> None:
        """48 half-hour windows, each 15 minutes long: 12 covered hours a day."""
        hours = ",".join(f"{h:02d}:{m:02d}-{h:02d}:{m + 15:02d}" for h in range(24) for m in (0, 30))
        cal = sla.Calendar(tz="UTC", days="all", hours=hours)
        t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        assert cal.elapsed(t, t + dt.timedelta(days=1)) == 12 * H
        assert cal.add(t, 12 * H) == dt.datetime(2026, 1, 1, 23, 45, tzinfo=dt.UTC)


class TestPickledErrors:
    """Every exception class round-trips through pickle (multiprocessing and Dask ship them)."""

    @pytest.mark.parametrize(
        "cls",
        [c for c in vars(sla.errors).values()
         if isinstance(c, type) and issubclass(c, (sla.SlaError, sla.SlaWarning))],
    )
    def test_round_trip(self, cls: type[Exception]) -> None:
        """Type, message and args survive; a message is never split into characters."""
        err = cls("days=['x'] is not a day rule; use 'business'")
        err.note = "kept"  # type: ignore[attr-defined]
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is cls
        assert str(back) == str(err) and back.args == err.args
        assert back.note == "kept"  # type: ignore[attr-defined]

    def test_raised_errors(self, cn: sla.Calendar) -> None:
        """Errors as raised by the core pickle intact too."""
        for call in (lambda: cn.add(sh(2026, 1, 5), "4 hours"),
                     lambda: sla.Calendar(tz="UTC", hours="monkey"),
                     lambda: sla.Calendar(country="cn")):
            with pytest.raises(sla.SlaError) as info:
                call()
            back = pickle.loads(pickle.dumps(info.value))
            assert type(back) is type(info.value) and str(back) == str(info.value)


class TestCappedEchoes:
    """Error messages repeat a bad value cut short: a 5-million-element list is no 15 MB text."""

    def test_huge_values(self, cn: sla.Calendar) -> None:
        """Each entry point that names a value keeps its message short."""
        huge = [0] * 5_000_000
        text = "x" * 20_000
        calls = [
            lambda: cn.add(sh(2026, 1, 5), huge), lambda: sla.Within(cn, huge),
            lambda: cn.is_business_day(huge), lambda: cn.effective_day(sh(2026, 1, 5), huge),
            lambda: cn.add_business_days(dt.date(2026, 1, 5), huge),
            lambda: sla.BusinessDays(cn, huge), lambda: sla.NextDay(cn, by=huge),
            lambda: sla.Within(huge, H), lambda: cn.add(huge, H),
            lambda: cn.add_many([1_790_000_000, text], H),
            lambda: sla.Calendar(tz=text), lambda: sla.Calendar(country=text),
            lambda: sla.Calendar(tz="UTC", days=text), lambda: sla.Calendar(tz="UTC", hours=text),
            lambda: sla.Calendar(tz="UTC", hours={text: "09:00-17:00"}),
            lambda: sla.Calendar(tz="UTC", extra_holidays=[text]),
            lambda: sla.Calendar.from_coverage(text, tz="UTC"),
            lambda: cn.add(sh(2026, 1, 5), text), lambda: sla.NextBusinessDay(cn, cutoff=text),
        ]
        for call in calls:
            with pytest.raises(sla.SlaError) as info:
                call()
            assert len(str(info.value)) < 500, str(info.value)[:200]


class TestLenientParsing:
    """Hours read strictly: ASCII digits and exact weekday names."""

    @pytest.mark.parametrize("hours", ["٠٩:٠٠-١٧:٠٠", "０９:００-17:00", "09:00-1７:00"])
    def test_unicode_digits_in_hours(self, hours: str) -> None:
        """Non-ASCII digits are refused in window strings, as in coverage specs."""
        with pytest.raises(sla.CoverageError):
            sla.Calendar(tz="UTC", hours=hours)

    @pytest.mark.parametrize("key", ["monkey", "satellite", "sunny", "fri-sundae", "mo"])
    def test_weekday_names_exact(self, key: str) -> None:
        """``monkey`` is not Monday: a key must be a weekday name or range exactly."""
        with pytest.raises(sla.CoverageError, match="not a weekday"):
            sla.Calendar(tz="UTC", hours={key: "09:00-17:00"})

    def test_full_names(self) -> None:
        """Full names and short names read alike."""
        assert sla.Calendar(tz="UTC", hours={"Monday-Friday": "09:00-17:00"}) == sla.Calendar(
            tz="UTC", hours={"mon-fri": "09:00-17:00"}
        )


class TestMessages:
    """Suggestions and labels read right."""

    def test_lower_case_country_suggests_its_code_only(self) -> None:
        """``cn`` suggests CN alone (not Pitcairn's PCN)."""
        with pytest.raises(sla.UnknownCountryError) as info:
            sla.Calendar(country="cn")
        assert str(info.value).endswith("did you mean 'CN'?")

    def test_holiday_labels_use_iso_dates(self, cn: sla.Calendar) -> None:
        """National Day 2026's swapped day names its make-up Sunday as 2026-09-20."""
        assert str(cn.describe_day(dt.date(2026, 10, 6))) == (
            "holiday: Day off (substituted from 2026-09-20)"
        )
        reasons = [s.reason for s in cn.segments(sh(2026, 10, 5, 12), sh(2026, 10, 7, 12))]
        assert not any("/" in r for r in reasons)


class TestLowerHorizon:
    """Days before the holiday data's first vouched year warn, or raise with strict=True."""

    def test_verified_from(self, cn: sla.Calendar) -> None:
        """China's data vouches from 2001 (its first published schedule); no country: None."""
        assert cn.verified_from == 2001
        assert sla.Calendar(tz="UTC").verified_from is None
        us = sla.Calendar(country="US", tz="America/New_York")
        assert us.verified_from is not None and us.verified_from <= 1900

    def test_golden_week_1999_is_not_silent(self, cn: sla.Calendar) -> None:
        """1999-10-04 was a Golden Week holiday the data does not know: never silent."""
        with pytest.warns(sla.HorizonWarning, match="1999, before 2001"):
            cn.is_business_day(dt.date(1999, 10, 4))
        strict = sla.Calendar.from_coverage("5x8", country="CN", strict=True)
        with pytest.raises(sla.HorizonError, match="before 2001"):
            strict.is_business_day(dt.date(1999, 10, 4))

    def test_every_entry_point(self) -> None:
        """Instants and days before 2001: HorizonError from each call under strict=True."""
        cal = sla.Calendar.from_coverage("5x8", country="CN", strict=True)
        t = sh(1999, 10, 4, 10)
        ok = sh(2026, 1, 5, 10)
        ts = int(t.timestamp())
        calls = [
            lambda: cal.add(t, H), lambda: cal.add(t, "4h"), lambda: cal.subtract(t, H),
            lambda: cal.subtract(sh(2001, 1, 2, 10), 24 * H), lambda: cal.elapsed(t, ok),
            lambda: cal.elapsed(ok, t), lambda: cal.is_open(t), lambda: cal.next_open(t),
            lambda: cal.effective_day(t, "15:00"), lambda: cal.segments(t, ok),
            lambda: cal.add_many([t], H), lambda: cal.add_many([ts], H),
            lambda: cal.add_many([int(ok.timestamp())] * 50 + [ts], H),
            lambda: cal.elapsed_many([ts], [int(ok.timestamp())]),
            lambda: list(cal.add_stream([ts], H)), lambda: cal.describe_day(t.date()),
            lambda: cal.add_business_days(t.date(), 1),
            lambda: cal.add_business_days(dt.date(2001, 1, 8), -10),
        ]
        for target in (sla.Within(cal, H), sla.NextBusinessDay(cal),
                       sla.BusinessDays(cal, 2, cutoff="15:00")):
            calls += [lambda target=target: target.deadline(t),
                      lambda target=target: target.deadline_many([ts]),
                      lambda target=target: target.deadline_many([t])]
        for call in calls:
            with pytest.raises(sla.HorizonError, match="before 2001"):
                call()

    def test_calendar_days_need_no_data(self) -> None:
        """7x24 time and NextDay use no holiday data: 1999 computes silently."""
        cal = sla.Calendar.from_coverage("7x24", country="CN", strict=True)
        t = sh(1999, 10, 4, 10)
        assert cal.add(t, H) == sh(1999, 10, 4, 11)
        assert sla.NextDay(cal).deadline(t) == sh(1999, 10, 5, 18)

    def test_2001_onwards_is_silent(self) -> None:
        """From 2001-01-01 00:00 local time on, nothing warns (strict calendar)."""
        cal = sla.Calendar.from_coverage("5x8", country="CN", strict=True)
        assert cal.add(sh(2001, 1, 1), H) == sh(2001, 1, 2, 10)  # New Year's Day off
        assert cal.is_business_day(dt.date(2001, 1, 2))


_PIECES = st.sampled_from([*"0123456789xX×*:-,. PTHMSDWNBhmsdw٣５+", "NBD", "ND", "24", "5x8"])
_SPEC_TEXT = st.lists(_PIECES, max_size=12).map("".join)


class TestFuzzText:
    """Random and mutated text through the core's parsers: only SlaError escapes."""

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.one_of(_SPEC_TEXT, st.text(max_size=30)))
    def test_texts(self, text: str) -> None:
        """Coverage specs, hours, durations, times of day and targets from the same text."""
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        calls = [
            lambda: sla.Calendar.from_coverage(text, tz="UTC"),
            lambda: sla.Target.parse(text, country="CN"),
            lambda: sla.Calendar(tz="UTC", hours=text),
            lambda: sla.Calendar(tz="UTC", hours={text: "09:00-17:00"}),
            lambda: cal.add(sh(2026, 1, 5, 10), text),
            lambda: sla.Within(cal, text),
            lambda: sla.NextBusinessDay(cal, cutoff=text),
            lambda: cal.effective_day(sh(2026, 1, 5, 10), text),
        ]
        for call in calls:
            try:
                call()
            except sla.SlaError as err:
                assert len(str(err)) < 600
