"""Tests of coverage parsing: ``Coverage.parse``, ``parse_windows`` and ``Hours``.

Spellings come from DESIGN.md's 'Coverage windows' and 'Spare-part service levels': ``D×H``
either way round with ``x``, ``X``, ``×`` or ``*``, optionally ``×NBD``, ``×ND`` or ``×hours``.
"""

from __future__ import annotations

import pytest

import slacalc as sla
from slacalc.coverage import format_windows, parse_windows

HOUR = 3600


class TestCoverageParse:
    """``Coverage.parse``: every spelling, the canonical form, and errors."""

    @pytest.mark.parametrize(
        ("spec", "days", "hours", "delivery"),
        [
            ("5x8", 5, 8, None),
            ("5×8", 5, 8, None),
            ("5X8", 5, 8, None),
            ("5*8", 5, 8, None),
            ("8*5", 5, 8, None),
            ("8x5", 5, 8, None),
            ("5x24", 5, 24, None),
            ("7x8", 7, 8, None),
            ("24x7", 7, 24, None),
            ("7×24", 7, 24, None),
            ("6x8", 6, 8, None),
            ("5x9", 5, 9, None),
            (" 5 x 8 ", 5, 8, None),
            ("5x8xNBD", 5, 8, "NBD"),
            ("5×8×NBD", 5, 8, "NBD"),
            ("5x8xnbd", 5, 8, "NBD"),
            ("7x8xND", 7, 8, "ND"),
            ("7x24x4", 7, 24, 4),
            ("24*7*4", 7, 24, 4),
            ("8x5x48", 5, 8, 48),
            ("8×5×48", 5, 8, 48),
        ],
    )
    def test_spellings(self, spec: str, days: int, hours: int, delivery: str | int | None) -> None:
        """Each contract spelling parses to the hand-written days, hours and delivery."""
        cov = sla.Coverage.parse(spec)
        assert (cov.days, cov.hours, cov.delivery) == (days, hours, delivery)
        assert cov == sla.Coverage(days=days, hours=hours, delivery=delivery)

    @pytest.mark.parametrize(
        ("spec", "canonical"),
        [("8*5", "5x8"), ("24x7", "7x24"), ("5×8×nbd", "5x8xNBD"), ("24*7*4", "7x24x4"),
         ("8X5X48", "5x8x48"), ("7x8xND", "7x8xND"), ("6x8", "6x8")],
    )
    def test_canonical_str_round_trip(self, spec: str, canonical: str) -> None:
        """``str`` is days-first with ``x``; parsing it again gives an equal value."""
        cov = sla.Coverage.parse(spec)
        assert str(cov) == canonical
        assert sla.Coverage.parse(str(cov)) == cov

    def test_coverage_passes_through(self) -> None:
        """A ``Coverage`` is returned as is."""
        cov = sla.Coverage(days=5, hours=8)
        assert sla.Coverage.parse(cov) is cov

    @pytest.mark.parametrize(("days", "rule"), [(5, "business"), (6, "business"), (7, "all")])
    def test_day_rule(self, days: int, rule: str) -> None:
        """5 and 6 days are business days; 7 every calendar day."""
        assert sla.Coverage(days=days, hours=8).day_rule() == rule

    def test_default_hours(self) -> None:
        """H=8 -> 09:00-17:00, H=24 -> whole day, 6 days -> Monday-Saturday."""
        assert sla.Coverage(5, 8).default_hours() == sla.Hours.parse("09:00-17:00")
        assert sla.Coverage(7, 24).default_hours() == sla.Hours.parse("00:00-24:00")
        six = sla.Coverage(6, 8).default_hours()
        assert [six.for_weekday(w) for w in range(7)] == [((9 * HOUR, 17 * HOUR),)] * 6 + [()]

    def test_no_default_hours_for_9(self) -> None:
        """5x9 parses but has no default windows: the error suggests passing hours."""
        with pytest.raises(sla.CoverageError, match="hours="):
            sla.Coverage.parse("5x9").default_hours()
        with pytest.raises(sla.CoverageError, match="5x9"):
            sla.Calendar.from_coverage("5x9", country="CN")

    @pytest.mark.parametrize(
        ("spec", "named"),
        [
            ("", "''"),
            ("5", "'5'"),
            ("5x", "'5x'"),
            ("x8", "'x8'"),
            ("5x8x", "'5x8x'"),
            ("5x8x4x1", "'5x8x4x1'"),
            ("5x8xABC", "'ABC'"),
            ("5x8x0", "'0'"),
            ("5x8x-1", "'-1'"),
            ("5x0", "0"),
            ("5x25", "25"),
            ("8x8", "'8x8'"),
            ("7x6", "'7x6'"),
            ("5.5x8", "'5.5'"),
            ("five x eight", "'five'"),
            ("5+8", "'5+8'"),
        ],
    )
    def test_errors_name_the_value(self, spec: str, named: str) -> None:
        """Malformed specs raise CoverageError (a ValueError) whose message names the value."""
        with pytest.raises(sla.CoverageError) as info:
            sla.Coverage.parse(spec)
        assert isinstance(info.value, ValueError)
        assert named in str(info.value)

    @pytest.mark.parametrize("spec", [5, None, 5.8, b"5x8", ["5x8"]])
    def test_non_string_refused(self, spec: object) -> None:
        """Non-strings raise CoverageError naming the value."""
        with pytest.raises(sla.CoverageError) as info:
            sla.Coverage.parse(spec)  # type: ignore[arg-type]
        assert repr(spec) in str(info.value)


class TestParseWindows:
    """``parse_windows`` and ``format_windows``."""

    @pytest.mark.parametrize(
        ("spec", "windows"),
        [
            ("09:00-17:00", ((9 * HOUR, 17 * HOUR),)),
            ("9:00-17:00", ((9 * HOUR, 17 * HOUR),)),
            ("09:00-12:00,13:30-18:00", ((9 * HOUR, 12 * HOUR), (13 * HOUR + 1800, 18 * HOUR))),
            ("13:30-18:00, 09:00-12:00", ((9 * HOUR, 12 * HOUR), (13 * HOUR + 1800, 18 * HOUR))),
            ("00:00-24:00", ((0, 24 * HOUR),)),
            ("22:00-24:00", ((22 * HOUR, 24 * HOUR),)),
            ("09:00:30-17:00:15", ((9 * HOUR + 30, 17 * HOUR + 15),)),
            ("09:00-12:00,12:00-13:00", ((9 * HOUR, 12 * HOUR), (12 * HOUR, 13 * HOUR))),
            ("", ()),
            ("closed", ()),
        ],
    )
    def test_valid(self, spec: str, windows: tuple[tuple[int, int], ...]) -> None:
        """Windows parse to sorted (start, end) seconds after midnight."""
        assert parse_windows(spec) == windows

    @pytest.mark.parametrize(
        ("spec", "canonical"),
        [("9:00-17:00", "09:00-17:00"), ("13:30-18:00,09:00-12:00", "09:00-12:00,13:30-18:00"),
         ("00:00-24:00", "00:00-24:00"), ("09:00:30-17:00:15", "09:00:30-17:00:15"),
         ("", "closed")],
    )
    def test_format_round_trip(self, spec: str, canonical: str) -> None:
        """``format_windows`` gives the canonical text, which parses back to the same windows."""
        windows = parse_windows(spec)
        assert format_windows(windows) == canonical
        assert parse_windows(format_windows(windows)) == windows

    @pytest.mark.parametrize(
        ("spec", "named"),
        [
            ("9-17", "'9'"),
            ("09:00", "'09:00'"),
            ("a-b", "'a'"),
            ("09:00-09:00", "'09:00-09:00'"),  # empty
            ("18:00-09:00", "'18:00-09:00'"),  # crosses midnight
            ("22:00-02:00", "'22:00-02:00'"),  # crosses midnight
            ("09:00-25:00", "'25:00'"),
            ("09:60-10:00", "'09:60'"),
            ("24:00-24:00", "'24:00'"),
            ("00:00-24:01", "'24:01'"),
            ("09:00-12:00,11:00-13:00", "09:00-12:00 and 11:00-13:00"),  # overlap
            ("09:00-17:00,10:00-11:00", "09:00-17:00 and 10:00-11:00"),  # nested
            ("09:00-12:00;13:00-14:00", "'09:00-12:00;13:00-14:00'"),
        ],
    )
    def test_errors_name_the_value(self, spec: str, named: str) -> None:
        """Malformed, empty, overlapping or midnight-crossing windows raise CoverageError."""
        with pytest.raises(sla.CoverageError) as info:
            parse_windows(spec)
        assert named in str(info.value)

    def test_crossing_midnight_suggests_split(self) -> None:
        """The midnight error says how to split the window."""
        with pytest.raises(sla.CoverageError, match="split"):
            parse_windows("22:00-02:00")

    def test_non_string(self) -> None:
        """A non-string is refused with a CoverageError naming it."""
        with pytest.raises(sla.CoverageError, match="900"):
            parse_windows(900)  # type: ignore[arg-type]


class TestHours:
    """``Hours.parse``: one window string, or a mapping per weekday."""

    def test_string_applies_to_every_day(self) -> None:
        """A window string is the default of every weekday and of make-up days."""
        hours = sla.Hours.parse("09:00-17:00")
        assert all(hours.for_weekday(w) == ((9 * HOUR, 17 * HOUR),) for w in range(7))
        assert hours.for_makeup() == ((9 * HOUR, 17 * HOUR),)
        assert not any(hours.listed(w) for w in range(7))
        assert str(hours) == "09:00-17:00"

    def test_saturday_desk(self) -> None:
        """{'mon-fri': '09:00-18:00', 'sat': '09:00-12:00'}: Sunday none, make-up = weekday."""
        hours = sla.Hours.parse({"mon-fri": "09:00-18:00", "sat": "09:00-12:00"})
        assert [hours.for_weekday(w) for w in range(7)] == (
            [((9 * HOUR, 18 * HOUR),)] * 5 + [((9 * HOUR, 12 * HOUR),), ()]
        )
        assert [hours.listed(w) for w in range(7)] == [True] * 6 + [False]
        assert hours.for_makeup() == ((9 * HOUR, 18 * HOUR),)
        assert str(hours) == "{'mon-fri': '09:00-18:00', 'sat': '09:00-12:00'}"

    def test_makeup_key_and_lists(self) -> None:
        """'makeup' sets make-up windows; 'sat,sun' lists days; 'fri-mon' wraps the week."""
        hours = sla.Hours.parse(
            {"tue-thu": "09:00-17:00", "fri-mon": "10:00-11:00", "makeup": "10:00-16:00"}
        )
        ten = ((10 * HOUR, 11 * HOUR),)
        nine = ((9 * HOUR, 17 * HOUR),)
        assert [hours.for_weekday(w) for w in range(7)] == [ten, nine, nine, nine, ten, ten, ten]
        assert hours.for_makeup() == ((10 * HOUR, 16 * HOUR),)
        weekend = sla.Hours.parse({"sat,sun": "10:00-11:00"})
        assert [weekend.listed(w) for w in range(7)] == [False] * 5 + [True, True]

    def test_full_weekday_names_and_case(self) -> None:
        """Keys are case-insensitive and full names are accepted."""
        assert sla.Hours.parse({"Monday-Friday": "09:00-17:00"}) == sla.Hours.parse(
            {"mon-fri": "09:00-17:00"}
        )

    def test_str_round_trip(self) -> None:
        """``str`` of a mapping parses back (via ast) to an equal Hours."""
        import ast  # noqa: PLC0415 - only this test needs it

        hours = sla.Hours.parse({"mon-fri": "09:00-12:00,13:30-18:00", "sat": "09:00-12:00",
                                 "makeup": "09:00-17:00"})
        assert sla.Hours.parse(ast.literal_eval(str(hours))) == hours

    def test_hours_passes_through(self) -> None:
        """An ``Hours`` is returned as is."""
        hours = sla.Hours.parse("09:00-17:00")
        assert sla.Hours.parse(hours) is hours

    @pytest.mark.parametrize(
        ("spec", "named"),
        [
            ({"funday": "09:00-10:00"}, "'funday'"),
            ({"mon": "09:00-10:00", "mon-fri": "09:00-17:00"}, "'mon-fri'"),
            ({}, "{}"),
            ({1: "09:00-10:00"}, "1"),
            ({"mon": 5}, "5"),
            ({"mon": "25:00-26:00"}, "'25:00'"),
            (5, "5"),
            (["09:00-10:00"], "['09:00-10:00']"),
        ],
    )
    def test_errors_name_the_value(self, spec: object, named: str) -> None:
        """Bad keys, duplicate days, empty mappings and bad windows raise CoverageError."""
        with pytest.raises(sla.CoverageError) as info:
            sla.Hours.parse(spec)  # type: ignore[arg-type]
        assert named in str(info.value)

    def test_no_time_at_all_refused_by_calendar(self) -> None:
        """A calendar whose hours cover nothing is refused."""
        with pytest.raises(sla.CoverageError, match="closed"):
            sla.Calendar(tz="Asia/Shanghai", hours="closed")
