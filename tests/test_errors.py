"""Bad input: every documented mistake raises a ``slacalc.SlaError`` naming the bad value.

DESIGN ('The contract'): errors are ``SlaError`` subclasses; those caused by a bad value also
subclass ``ValueError`` and their message names the offending value. The fuzz test at the end
feeds arbitrary objects to the public constructors and methods and asserts that only
``SlaError`` escapes (never a TypeError/AttributeError/IndexError from deep inside).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slacalc as sla
from slacalc.coverage import parse_windows

SH = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)
T = dt.datetime(2026, 11, 23, 10, tzinfo=SH)
NAIVE = dt.datetime(2026, 11, 23, 10)
DAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def cn() -> sla.Calendar:
    return sla.Calendar.from_coverage("5x8", country="CN")


def raises_naming(
    kind: type[BaseException], fn: Callable[[], object], *fragments: str
) -> BaseException:
    """Assert ``fn()`` raises ``kind`` (an SlaError and ValueError) whose text has fragments.

    A fragment longer than the echo limit (80) must appear cut: its start and its length.
    """
    with pytest.raises(kind) as info:
        fn()
    err = info.value
    assert isinstance(err, sla.SlaError)
    assert isinstance(err, ValueError)
    for fragment in fragments:
        if len(fragment) > 80:
            assert fragment[:30] in str(err), (fragment, str(err))
            assert f"({len(fragment):,} characters)" in str(err), str(err)
        else:
            assert fragment in str(err), (fragment, str(err))
    return err


# ------------------------------------------------------------------------------------------------
class TestNaiveDatetimes:
    """A naive datetime is refused wherever an instant is required."""

    @pytest.mark.parametrize(
        "call",
        [
            lambda c: c.add(NAIVE, H),
            lambda c: c.elapsed(NAIVE, T),
            lambda c: c.elapsed(T, NAIVE),
            lambda c: c.is_open(NAIVE),
            lambda c: c.next_open(NAIVE),
            lambda c: c.effective_day(NAIVE, dt.time(15)),
            lambda c: c.segments(NAIVE, T),
            lambda c: c.add_many([NAIVE], H),
            lambda c: c.elapsed_many([NAIVE], [T]),
            lambda c: sla.Within(c, H).deadline(NAIVE),
            lambda c: sla.NextBusinessDay(c).deadline(NAIVE),
            lambda c: sla.NextDay(c).deadline(NAIVE),
            lambda c: sla.BusinessDays(c, 1).deadline(NAIVE),
        ],
    )
    def test_refused(self, cn: sla.Calendar, call: Callable[[sla.Calendar], object]) -> None:
        """NaiveDatetimeError, naming the value and suggesting a zone."""
        raises_naming(sla.NaiveDatetimeError, lambda: call(cn), repr(NAIVE), "naive")


class TestDurations:
    """Durations must be non-negative ``timedelta``s of a reachable size."""

    @pytest.mark.parametrize("bad", [dt.timedelta(hours=-1), dt.timedelta(microseconds=-1)])
    def test_negative(self, cn: sla.Calendar, bad: dt.timedelta) -> None:
        """Negative durations: DurationError naming the value, in add, batches and Within."""
        raises_naming(sla.DurationError, lambda: cn.add(T, bad), repr(bad), "negative")
        raises_naming(sla.DurationError, lambda: cn.add_many([1_700_000_000], bad), repr(bad))
        raises_naming(sla.DurationError, lambda: sla.Within(cn, bad), repr(bad))

    @pytest.mark.parametrize("bad", [3600, 1.5, None, True, dt.time(1)])
    def test_not_a_timedelta(self, cn: sla.Calendar, bad: object) -> None:
        """Anything but a timedelta or a duration string: DurationError naming the value."""
        raises_naming(sla.DurationError, lambda: cn.add(T, bad), repr(bad), "timedelta")  # type: ignore[arg-type]
        raises_naming(sla.DurationError, lambda: sla.Within(cn, bad), repr(bad))  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "huge", [dt.timedelta(days=10**6), dt.timedelta(days=200 * 366), dt.timedelta.max]
    )
    def test_unreachable_is_an_error_not_a_hang(self, cn: sla.Calendar, huge: dt.timedelta) -> None:
        """A duration that would run past 2199 raises DurationError at once (no day walk)."""
        raises_naming(sla.DurationError, lambda: cn.add(T, huge), "2199")
        raises_naming(sla.DurationError, lambda: sla.Within(cn, huge).deadline(T), "2199")
        whole = dt.timedelta(days=huge.days)  # int batches take whole seconds only
        ts = int(T.timestamp())
        raises_naming(sla.DurationError, lambda: cn.add_many([ts], whole), "2199")

    def test_huge_business_day_counts(self, cn: sla.Calendar) -> None:
        """n of a billion business days: DurationError; BusinessDays refuses it too."""
        raises_naming(sla.DurationError, lambda: cn.add_business_days(DAY, 10**9), "1000000000")
        raises_naming(sla.DurationError, lambda: cn.add_business_days(DAY, -(10**9)))
        raises_naming(sla.SlaValueError, lambda: sla.BusinessDays(cn, 10**6), "1000000")

    def test_fraction_of_second_in_int_batch(self, cn: sla.Calendar) -> None:
        """An int-seconds batch needs whole-second durations."""
        d = dt.timedelta(seconds=1, microseconds=500_000)
        raises_naming(sla.DurationError, lambda: cn.add_many([1_700_000_000], d), repr(d))


class TestCountries:
    """Unknown countries and subdivisions, with suggestions."""

    @pytest.mark.parametrize(("bad", "suggestion"), [("cn", "'CN'"), ("Cn", "'CN'"),
                                                     ("uss", "'US'")])
    def test_unknown_country_suggests(self, bad: str, suggestion: str) -> None:
        """A near miss names the value and suggests the code."""
        raises_naming(
            sla.UnknownCountryError,
            lambda: sla.Calendar.from_coverage("5x8", country=bad),
            repr(bad), "did you mean", suggestion,
        )

    def test_unknown_country_without_near_miss(self) -> None:
        """A code with no near miss still names it and gives examples."""
        raises_naming(sla.UnknownCountryError,
                      lambda: sla.Calendar(tz="UTC", country="XX"), "'XX'", "'CN'")

    @pytest.mark.parametrize("bad", [5, ["CN"], b"CN"])
    def test_country_not_a_string(self, bad: object) -> None:
        """A non-string country is an UnknownCountryError naming it."""
        raises_naming(sla.UnknownCountryError,
                      lambda: sla.Calendar(tz="UTC", country=bad), repr(bad))  # type: ignore[arg-type]

    def test_unknown_subdivision(self) -> None:
        """subdiv 'ZZ' of US: names it and lists known ones."""
        raises_naming(
            sla.UnknownCountryError,
            lambda: sla.Calendar.from_coverage("5x8", country="US", tz="America/New_York",
                                               subdiv="ZZ"),
            "'ZZ'", "'US'", "CA",
        )

    def test_subdivision_without_country(self) -> None:
        """subdiv without a country is refused, naming it."""
        raises_naming(sla.UnknownCountryError,
                      lambda: sla.Calendar(tz="UTC", subdiv="CA"), "'CA'")


class TestUnknownZone:
    """Zones: unknown names, and countries with several zones and no ``tz``."""

    @pytest.mark.parametrize("bad", ["Mars/Base", "Asia/Shanghia", "", "+08:00"])
    def test_unknown_zone(self, bad: str) -> None:
        """UnknownTimezoneError naming the value."""
        raises_naming(sla.UnknownTimezoneError, lambda: sla.Calendar(tz=bad), repr(bad))

    @pytest.mark.parametrize("bad", [8, dt.timedelta(hours=8), ["Asia/Shanghai"]])
    def test_zone_not_a_string(self, bad: object) -> None:
        """A tz that is neither str nor ZoneInfo is refused, named."""
        raises_naming(sla.UnknownTimezoneError, lambda: sla.Calendar(tz=bad), repr(bad))  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", ["US", "America", "a" * 300])
    def test_zone_that_is_a_directory_or_too_long(self, bad: str) -> None:
        """'US' and 'America' are directories of the tz database, not zones."""
        raises_naming(sla.UnknownTimezoneError, lambda: sla.Calendar(tz=bad), repr(bad))

    def test_alpha3_alias(self) -> None:
        """'CHN' (holidays' alpha-3 alias) is the same country as 'CN'."""
        cal = sla.Calendar.from_coverage("5x8", country="CHN")
        assert cal == sla.Calendar.from_coverage("5x8", country="CN")
        assert cal.is_business_day(DAY) is True

    def test_country_with_several_zones_needs_tz(self) -> None:
        """US has many zones: the error names the country, some zones, and asks for tz in
        words a command line can reuse (no Python keyword syntax ``tz=``)."""
        err = raises_naming(
            sla.UnknownTimezoneError,
            lambda: sla.Calendar.from_coverage("5x8", country="US"),
            "'US'", "'America/New_York'", "give it as tz",
        )
        assert "tz=" not in str(err)

    def test_no_country_no_zone(self) -> None:
        """Without a country and tz the calendar has no zone: refused with an example."""
        err = raises_naming(sla.UnknownTimezoneError, sla.Calendar, "give tz", "'Asia/Shanghai'")
        assert "tz=" not in str(err)


class TestCoverageAndWindows:
    """Coverage specs and window strings passed to the calendar constructors."""

    @pytest.mark.parametrize("bad", ["5x25", "8x8", "5x8xABC", "five", "", "7x6"])
    def test_bad_spec(self, bad: str) -> None:
        """CoverageError naming the spec."""
        raises_naming(sla.CoverageError,
                      lambda: sla.Calendar.from_coverage(bad, country="CN"), repr(bad))

    @pytest.mark.parametrize(
        ("bad", "named"),
        [
            ("09:00-12:00,11:00-13:00", "overlap"),
            ("22:00-02:00", "'22:00-02:00'"),
            ("9-17", "'9'"),
            ("09:00-17:60", "'17:60'"),
            ("17:00-09:00", "'17:00-09:00'"),
            ("24:00-24:00", "'24:00'"),
        ],
    )
    def test_bad_hours(self, bad: str, named: str) -> None:
        """Malformed, overlapping or midnight-crossing windows: CoverageError naming them."""
        raises_naming(sla.CoverageError,
                      lambda: sla.Calendar(tz="Asia/Shanghai", hours=bad), named)
        raises_naming(sla.CoverageError,
                      lambda: sla.Calendar.from_coverage("5x8", country="CN", hours=bad), named)

    def test_bad_day_rule(self) -> None:
        """days must be 'business' or 'all'."""
        raises_naming(sla.CoverageError,
                      lambda: sla.Calendar(tz="UTC", days="weekdays"), "'weekdays'")

    @pytest.mark.parametrize("bad", ["²x8", "5x8x²"])
    def test_superscript_digits(self, bad: str) -> None:
        """Superscript digits are not numbers: CoverageError, not a bare ValueError."""
        raises_naming(sla.CoverageError, lambda: sla.Coverage.parse(bad), repr(bad))


class TestDates:
    """Dates and instants: range 1900-2199, date vs datetime, overlays."""

    @pytest.mark.parametrize("bad", [dt.date(1899, 12, 31), dt.date(2200, 1, 1), dt.date.min,
                                     dt.date.max])
    def test_date_out_of_range(self, cn: sla.Calendar, bad: dt.date) -> None:
        """OutOfRangeError naming the date and the supported years."""
        for call in (cn.is_business_day, cn.next_business_day, cn.describe_day,
                     lambda x: cn.add_business_days(x, 1)):
            raises_naming(sla.OutOfRangeError, lambda c=call: c(bad), bad.isoformat(),  # type: ignore[misc]
                          "1900-2199")

    @pytest.mark.parametrize(
        "bad",
        [dt.datetime(1899, 12, 31, 12, tzinfo=dt.UTC), dt.datetime(2200, 1, 1, tzinfo=dt.UTC),
         dt.datetime.max.replace(tzinfo=dt.UTC), dt.datetime.min.replace(tzinfo=dt.UTC)],
    )
    def test_instant_out_of_range(self, cn: sla.Calendar, bad: dt.datetime) -> None:
        """OutOfRangeError naming the instant, for every instant-taking method."""
        for call in (lambda: cn.add(bad, H), lambda: cn.elapsed(T, bad), lambda: cn.is_open(bad),
                     lambda: cn.next_open(bad), lambda: cn.effective_day(bad, dt.time(15)),
                     lambda: sla.NextBusinessDay(cn).deadline(bad)):
            raises_naming(sla.OutOfRangeError, call, bad.isoformat(), "1900-2199")

    @pytest.mark.parametrize("bad", [-(10**12), 10**12, 2**70])
    def test_int_instant_out_of_range(self, cn: sla.Calendar, bad: int) -> None:
        """Int seconds far outside 1900-2199 in a batch: an SlaValueError saying so."""
        raises_naming(sla.SlaValueError, lambda: cn.add_many([bad], H), "outside")
        raises_naming(sla.SlaValueError, lambda: sla.NextBusinessDay(cn).deadline_many([bad]),
                      "outside")
        raises_naming(sla.SlaValueError, lambda: cn.elapsed_many([bad], [1_700_000_000]),
                      "outside")

    def test_int_instant_out_of_range_names_value(self, cn: sla.Calendar) -> None:
        """The message names the offending element (DESIGN: 'message names the value')."""
        raises_naming(sla.OutOfRangeError, lambda: cn.add_many([1_700_000_000, 10**12], H),
                      "starts[1]", str(10**12))
        raises_naming(sla.OutOfRangeError,
                      lambda: sla.NextDay(cn).deadline_many([1_700_000_000, -(10**12)]),
                      "starts[1]", str(-(10**12)))

    def test_datetime_passed_as_day(self, cn: sla.Calendar) -> None:
        """A datetime where a date is wanted: refused, suggesting .date()."""
        for call in (cn.is_business_day, cn.next_business_day, cn.describe_day):
            raises_naming(sla.SlaValueError, lambda c=call: c(T), repr(T), ".date()")  # type: ignore[misc]

    @pytest.mark.parametrize("bad", ["2026-11-23", 20261123, None])
    def test_not_a_date(self, cn: sla.Calendar, bad: object) -> None:
        """A string or int is not a date."""
        raises_naming(sla.SlaValueError, lambda: cn.is_business_day(bad), repr(bad))  # type: ignore[arg-type]

    def test_both_extra_holiday_and_workday(self) -> None:
        """A date in both overlays: SlaValueError naming the date (given as date and ISO str)."""
        raises_naming(
            sla.SlaValueError,
            lambda: sla.Calendar.from_coverage("5x8", country="CN",
                                               extra_holidays=[dt.date(2026, 1, 5)],
                                               extra_workdays=["2026-01-05"]),
            "2026-01-05", "extra_holidays", "extra_workdays",
        )

    @pytest.mark.parametrize(
        ("bad", "named"),
        [("2026-01-01", "'2026-01-01'"), (dt.date(2026, 1, 1), "2026, 1, 1"),
         ([dt.datetime(2026, 1, 1)], ".date()"), (["2026-13-01"], "'2026-13-01'"), ([5], "5"),
         (5, "5")],
    )
    def test_bad_overlays(self, bad: object, named: str) -> None:
        """extra_holidays must be a collection of dates or ISO strings."""
        raises_naming(sla.SlaValueError,
                      lambda: sla.Calendar(tz="UTC", extra_holidays=bad), named)  # type: ignore[arg-type]
        raises_naming(sla.SlaValueError,
                      lambda: sla.Calendar(tz="UTC", extra_workdays=bad), named)  # type: ignore[arg-type]


class TestOtherArguments:
    """Times of day, counts, targets' calendars and the strict flag."""

    @pytest.mark.parametrize("bad", ["3pm", 15, dt.time(15, tzinfo=dt.UTC), None])
    def test_cutoff(self, cn: sla.Calendar, bad: object) -> None:
        """cutoff must be a naive time: effective_day and NextBusinessDay name it."""
        raises_naming(sla.SlaValueError, lambda: cn.effective_day(T, bad), repr(bad))  # type: ignore[arg-type]
        raises_naming(sla.SlaValueError, lambda: sla.NextBusinessDay(cn, cutoff=bad), repr(bad))  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", ["18h", "25:00", 18, dt.time(18, tzinfo=dt.UTC)])
    def test_by(self, cn: sla.Calendar, bad: object) -> None:
        """by must be a naive time."""
        raises_naming(sla.SlaValueError, lambda: sla.NextDay(cn, by=bad), repr(bad))  # type: ignore[arg-type]
        raises_naming(sla.SlaValueError, lambda: sla.BusinessDays(cn, 1, by=bad), repr(bad))  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [1.0, "3", True, None])
    def test_business_day_count_type(self, cn: sla.Calendar, bad: object) -> None:
        """n must be an int (not bool, not float)."""
        raises_naming(sla.SlaValueError, lambda: cn.add_business_days(DAY, bad), repr(bad))  # type: ignore[arg-type]
        raises_naming(sla.SlaValueError, lambda: sla.BusinessDays(cn, bad), repr(bad))  # type: ignore[arg-type]

    def test_negative_business_days_target(self, cn: sla.Calendar) -> None:
        """BusinessDays(-1) is refused: a deadline lies ahead."""
        raises_naming(sla.SlaValueError, lambda: sla.BusinessDays(cn, -1), "-1")

    @pytest.mark.parametrize("bad", ["cal", None, 5])
    def test_target_needs_calendar(self, bad: object) -> None:
        """Targets refuse a non-Calendar, naming it."""
        raises_naming(sla.SlaValueError, lambda: sla.Within(bad, H), repr(bad))  # type: ignore[arg-type]
        raises_naming(sla.SlaValueError, lambda: sla.NextBusinessDay(bad), repr(bad))  # type: ignore[arg-type]
        raises_naming(sla.SlaValueError, lambda: sla.NextDay(bad), repr(bad))  # type: ignore[arg-type]
        raises_naming(sla.SlaValueError, lambda: sla.BusinessDays(bad, 1), repr(bad))  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", ["yes", 1, None])
    def test_strict_is_bool(self, bad: object) -> None:
        """strict must be True or False."""
        raises_naming(sla.SlaValueError, lambda: sla.Calendar(tz="UTC", strict=bad), repr(bad))  # type: ignore[arg-type]

    def test_segments_reversed(self, cn: sla.Calendar) -> None:
        """segments(a, b) with b < a names both instants."""
        later = T + H
        raises_naming(sla.SlaValueError, lambda: cn.segments(later, T), T.isoformat(),
                      later.isoformat())


class TestBatchElements:
    """Batches: one kind per batch; a wrong element is named with its index."""

    def test_float_in_int_batch(self, cn: sla.Calendar) -> None:
        """add_many / deadline_many / elapsed_many: a float after ints is named with its index."""
        raises_naming(sla.SlaValueError, lambda: cn.add_many([1_700_000_000, 1.5], H),  # type: ignore[list-item]
                      "starts[1]=1.5")
        raises_naming(sla.SlaValueError,
                      lambda: sla.NextBusinessDay(cn).deadline_many([1_700_000_000, 1.5]),
                      "starts[1]=1.5")
        raises_naming(sla.SlaValueError,
                      lambda: cn.elapsed_many([1_700_000_000, 1_700_000_001.5],  # type: ignore[list-item]
                                              [1_700_100_000, 1_700_100_000]),
                      "1700000001.5")

    def test_integral_float_in_int_batch(self, cn: sla.Calendar) -> None:
        """Even an integral float (1700000001.0) is not an int."""
        raises_naming(sla.SlaValueError,
                      lambda: cn.add_many([1_700_000_000, 1_700_000_001.0], H),  # type: ignore[list-item]
                      "starts[1]=1700000001.0")

    def test_float_in_wide_elapsed_batch(self, cn: sla.Calendar) -> None:
        """A wide range (1970..2023) takes another path; a float must still be refused."""
        raises_naming(sla.SlaValueError,
                      lambda: cn.elapsed_many([0, 1_700_000_000.5],  # type: ignore[list-item]
                                              [1_700_000_000, 1_700_100_000]),
                      "1700000000.5")

    def test_first_element_of_wrong_kind(self, cn: sla.Calendar) -> None:
        """A batch that starts with neither kind is refused, naming the element."""
        raises_naming(sla.SlaValueError, lambda: cn.add_many([1.5, 2], H), "starts[0]=1.5")  # type: ignore[list-item]
        raises_naming(sla.SlaValueError, lambda: cn.add_many(["2026-01-01"], H), "'2026-01-01'")  # type: ignore[list-item]

    def test_not_a_list(self, cn: sla.Calendar) -> None:
        """A string or a number is not a batch, for the list and the streaming variants."""
        raises_naming(sla.SlaValueError, lambda: cn.add_many("abc", H), "starts")  # type: ignore[arg-type]
        raises_naming(sla.SlaValueError, lambda: cn.add_many(5, H), "starts")  # type: ignore[call-overload]
        raises_naming(sla.SlaValueError,
                      lambda: list(cn.add_stream(5, H)), "starts")  # type: ignore[arg-type]
        raises_naming(sla.SlaValueError,
                      lambda: list(sla.NextBusinessDay(cn).deadline_stream(5)),  # type: ignore[arg-type]
                      "starts")

    def test_lengths_differ(self, cn: sla.Calendar) -> None:
        """elapsed_many needs equal lengths; the message gives both."""
        raises_naming(sla.SlaValueError, lambda: cn.elapsed_many([1, 2], [1]), "2", "1")


# ------------------------------------------------------------------------------------------------
# Fuzz: arbitrary objects into the public surface; only SlaError may escape.
# ------------------------------------------------------------------------------------------------

_CAL = sla.Calendar.from_coverage("5x8", country="CN")
_ALL = sla.Calendar.from_coverage("7x24", tz="America/New_York")

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**31), max_value=2**33),  # plausible POSIX seconds
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["5x8", "24*7*4", "09:00-17:00", "CN", "US", "CA", "Asia/Shanghai",
                     "mon-fri", "business", "all", "2026-10-10", "00:00-24:00", "5x8xNBD"]),
    st.binary(max_size=8),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.datetimes(min_value=dt.datetime(1899, 1, 1), max_value=dt.datetime(2201, 1, 1),
                 timezones=st.just(dt.UTC)),
    st.times(),
    st.times(timezones=st.timezones()),
    st.timedeltas(),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=30)),
    st.decimals(allow_nan=False),
    st.fractions(),
    st.complex_numbers(),
    st.from_type(type),
    st.just(_CAL),
    st.just(sla.Hours.parse("09:00-12:00")),
    st.just(sla.Coverage.parse("5x8")),
    st.just(ZoneInfo("UTC")),
    st.just(object()),
)
_objects = st.one_of(
    _scalars,
    st.lists(_scalars, max_size=4),
    st.tuples(_scalars, _scalars),
    st.frozensets(st.one_of(st.dates(), st.text(max_size=10)), max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=10), st.sampled_from(["mon", "sat,sun", "makeup"])),
                    _scalars, max_size=3),
)

# Every entry takes (x, y) so the table reads uniformly; some lambdas could be bound methods.
_OPS: dict[str, Callable[[Any, Any], object]] = {
    "Calendar(tz)": lambda x, y: sla.Calendar(tz=x),
    "Calendar(country)": lambda x, y: sla.Calendar(tz="UTC", country=x),
    "Calendar(country, subdiv)": lambda x, y: sla.Calendar(tz="UTC", country="US", subdiv=x),
    "Calendar(days)": lambda x, y: sla.Calendar(tz="UTC", days=x),
    "Calendar(hours)": lambda x, y: sla.Calendar(tz="UTC", hours=x),
    "Calendar(extra)": lambda x, y: sla.Calendar(tz="UTC", country="CN", extra_holidays=x,
                                                 extra_workdays=y),
    "Calendar(strict)": lambda x, y: sla.Calendar(tz="UTC", strict=x),
    "from_coverage(spec)": lambda x, y: sla.Calendar.from_coverage(x, tz="UTC"),
    "from_coverage(spec, country)": lambda x, y: sla.Calendar.from_coverage("5x8", country=x,
                                                                            tz=y),
    "from_coverage(hours)": lambda x, y: sla.Calendar.from_coverage("6x8", tz="UTC", hours=x),
    "Coverage.parse": lambda x, y: sla.Coverage.parse(x),
    "Hours.parse": lambda x, y: sla.Hours.parse(x),
    "parse_windows": lambda x, y: parse_windows(x),
    "add": _CAL.add,
    "add(t)": lambda x, y: _ALL.add(x, H),
    "add(d)": lambda x, y: _CAL.add(T, x),
    "elapsed": _CAL.elapsed,
    "is_open": lambda x, y: _ALL.is_open(x),
    "next_open": lambda x, y: _CAL.next_open(x),
    "is_business_day": lambda x, y: _CAL.is_business_day(x),
    "next_business_day": lambda x, y: _CAL.next_business_day(x),
    "add_business_days": _CAL.add_business_days,
    "add_business_days(n)": lambda x, y: _CAL.add_business_days(DAY, x),
    "effective_day": _CAL.effective_day,
    "effective_day(cutoff)": lambda x, y: _CAL.effective_day(T, x),
    "describe_day": lambda x, y: _CAL.describe_day(x),
    "segments": _CAL.segments,
    "add_many": _CAL.add_many,
    "add_many(starts)": lambda x, y: _ALL.add_many(x, H),
    "elapsed_many": _CAL.elapsed_many,
    "Within": sla.Within,
    "Within.deadline": lambda x, y: sla.Within(_CAL, H).deadline(x),
    "NextBusinessDay": lambda x, y: sla.NextBusinessDay(_CAL, cutoff=x, by=y),
    "NextBusinessDay(cal)": lambda x, y: sla.NextBusinessDay(x),
    "NextBusinessDay.deadline": lambda x, y: sla.NextBusinessDay(_CAL).deadline(x),
    "NextDay": lambda x, y: sla.NextDay(_ALL, by=x, cutoff=y),
    "NextDay.deadline_many": lambda x, y: sla.NextDay(_ALL).deadline_many(x),
    "BusinessDays": lambda x, y: sla.BusinessDays(_CAL, x, by=y),
    "BusinessDays.deadline": lambda x, y: sla.BusinessDays(_CAL, 2, cutoff=dt.time(15)).deadline(x),
    "BusinessDays.deadline_many": lambda x, y: sla.BusinessDays(_CAL, 2).deadline_many(x),
    "add_stream": lambda x, y: list(_CAL.add_stream(x, y)),
    "deadline_stream": lambda x, y: list(sla.NextDay(_CAL).deadline_stream(x)),
}


def _tz_directories() -> frozenset[str]:
    """Names of directories in the tz database ('US', 'America', 'America/Indiana', ...)."""
    from zoneinfo import available_timezones  # noqa: PLC0415 - only the fuzz test needs it

    dirs: set[str] = set()
    for key in available_timezones():
        parts = key.split("/")
        dirs.update("/".join(parts[:i]) for i in range(1, len(parts)))
    return frozenset(dirs)


_TZ_DIRS = _tz_directories()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(op=st.sampled_from(sorted(_OPS)), x=_objects, y=_objects)
def test_fuzz_only_documented_errors_escape(op: str, x: object, y: object) -> None:
    """Arbitrary objects into constructors and methods: the call succeeds or raises SlaError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sla.HorizonWarning)
        with contextlib.suppress(sla.SlaError):
            _OPS[op](x, y)


@settings(max_examples=200, deadline=None)
@given(tz=st.one_of(st.sampled_from(sorted(_TZ_DIRS)), st.text(min_size=1, max_size=40),
                    st.timezone_keys()))
def test_fuzz_zone_names(tz: str) -> None:
    """Zone strings: a valid key builds a calendar; anything else raises UnknownTimezoneError."""
    try:
        cal = sla.Calendar(tz=tz)
    except sla.UnknownTimezoneError as err:
        assert sla.errors.echo(tz) in str(err)
    else:
        assert cal.tz.key == tz
