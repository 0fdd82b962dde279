"""Regression tests for the defects the fuzz suite found: each input once gave an exception
other than ``SlaError`` (or an uncapped message)."""

from __future__ import annotations

import datetime as dt

import pytest

import slacalc as sla
import slacalc.io as sio

POLICY = sla.templates.load("standard-contract")
NOW = dt.datetime(2026, 10, 10, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.mark.parametrize("year", [0, -1, 10**5000, 99999999999999999999, 1899, 2200],
                         ids=["0", "-1", "5000-digits", "20-digits", "1899", "2200"])
def test_calendar_view_refuses_years_outside_the_range(year: int) -> None:
    """``Calendar.view`` of a year slacalc does not compute is an ``OutOfRangeError`` naming
    the year and the range (once a raw ``ValueError`` / ``OverflowError``)."""
    cal = sla.Calendar.from_coverage("5x8", country="CN")
    with pytest.raises(sla.OutOfRangeError, match="1900-2199"):
        cal.view(year, 1)
    with pytest.raises(sla.OutOfRangeError, match="year="):
        cal.view(year)


@pytest.mark.parametrize("name", [{"a": 1}, ["gold"], {"x"}])
def test_policy_lookups_with_unhashable_names(name: object) -> None:
    """``Policy.severity`` / ``tier`` / ``calendar`` / ``measure`` with a list or a dict raise
    a ``PolicyError`` (once a ``TypeError: unhashable type``)."""
    for lookup in (POLICY.severity, POLICY.tier, POLICY.calendar, POLICY.measure):
        with pytest.raises(sla.SlaError):
            lookup(name)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [10**5000, list(range(100_000)), "x" * 100_000],
                         ids=["5000-digits", "long-list", "long-str"])
def test_batch_errors_cap_the_echoed_value(bad: object) -> None:
    """``evaluate_many`` / ``evaluate_stream`` refuse a bad ``cases`` or ``chunk_size`` with a
    short message (once a raw ``ValueError`` from repr, or the whole value repeated)."""
    calls = [lambda: sla.evaluate_many(POLICY, bad, NOW),  # type: ignore[arg-type]
             lambda: sla.evaluate_many(POLICY, [bad], NOW)]
    if not isinstance(bad, int):  # a huge int is a fine chunk size
        calls.append(lambda: list(sla.evaluate_stream(POLICY, [], NOW, chunk_size=bad)))  # type: ignore[arg-type]
    for call in calls:
        with pytest.raises(sla.SlaValueError) as info:
            call()
        assert len(str(info.value)) < 300


def test_streams_take_a_huge_chunk_size() -> None:
    """A ``chunk_size`` past ``sys.maxsize`` means one chunk (once a raw ``ValueError`` from
    ``islice``) in ``evaluate_stream``, ``add_stream`` and ``deadline_stream``."""
    cal = sla.Calendar.from_coverage("7x24", tz="UTC")
    assert list(cal.add_stream([0, 60], "1h", chunk_size=10**5000)) == [3600, 3660]
    assert list(sla.Within(cal, "1h").deadline_stream([0], chunk_size=10**30)) == [3600]
    case = sla.Case.from_dict({"id": "S1", "opened": "2026-09-30T15:01+08:00", "severity": "A",
                               "tier": "gold"})
    got = list(sla.evaluate_stream(POLICY, [case], NOW, chunk_size=10**5000))
    assert [e.case_id for e in got] == ["S1"]


def test_nul_in_case_file_names() -> None:
    """``io.read_cases`` / ``io.write_cases`` with a NUL character in the file name raise an
    ``SlaValueError`` naming the file (once a raw ``ValueError: embedded null byte``)."""
    with pytest.raises(sla.SlaValueError, match="cannot read the cases file"):
        sio.read_cases("a\x00.jsonl")
    with pytest.raises(sla.SlaValueError, match="cannot write the cases file"):
        sio.write_cases([], "a\x00.jsonl")


@pytest.mark.parametrize("path", [None, 5, ["a.toml"], "a\x00.toml", "/", "no-such-file.toml"],
                         ids=["none", "int", "list", "nul", "directory", "missing"])
def test_policy_file_loaders_with_bad_paths(path: object) -> None:
    """``Policy.from_toml`` / ``from_json`` with a path that is no path, a NUL character, a
    directory or a missing file raise an ``SlaValueError`` (once a raw ``TypeError`` or
    ``ValueError`` from pathlib)."""
    for load in (sla.Policy.from_toml, sla.Policy.from_json):
        with pytest.raises(sla.SlaValueError):
            load(path)  # type: ignore[arg-type]


def test_alarms_at_the_ends_of_datetime() -> None:
    """``alarms`` with a window end that cannot be written in UTC raises ``OutOfRangeError``
    (once a raw ``OverflowError``)."""
    edge = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    with pytest.raises(sla.OutOfRangeError):
        sla.alarms(POLICY, [], edge, NOW)


@pytest.mark.parametrize("fmt", [[], {"a": 1}, 5])
def test_read_cases_with_a_format_that_is_no_name(fmt: object) -> None:
    """``io.read_cases(..., format=[])`` raises an ``SlaValueError`` listing the formats (once
    a raw ``TypeError: unhashable type``)."""
    import io  # noqa: PLC0415 - the stdlib module, shadowed by nothing here

    with pytest.raises(sla.SlaValueError, match="not a case-file format"):
        sio.read_cases(io.BytesIO(b""), fmt)  # type: ignore[arg-type]
