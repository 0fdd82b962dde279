"""Fuzzing every public entry point with random and absurd arguments.

Each test draws an operation (a constructor, a method, an evaluation function, a loader) and
arguments from the plausible to the absurd (5,000-digit ints, NaN, 100,000-character strings,
bidi characters, Unicode digits, 5,000-deep nesting, the ends of ``datetime``'s range). The
call must return or raise a :class:`slacalc.SlaError`; it must take bounded time (the
per-example deadline) and, for the worst inputs known, bounded memory.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import slacalc as sla
import slacalc.io as sio
from fuzzing import CST, FUZZ, PLAUSIBLE, SPECIAL, WILD, guarded, resolve

CALENDARS = [
    sla.Calendar.from_coverage("5x8", country="CN"),
    sla.Calendar.from_coverage("7x24", tz="UTC"),
    sla.Calendar.from_coverage("5x24", country="US", tz="America/New_York"),
    sla.Calendar.from_coverage("5x8", country="CN", strict=True),
    sla.Calendar(tz="Asia/Shanghai", country="CN", hours="09:00-12:00,13:30-18:00"),
]
POLICIES = [sla.templates.load(name) for name in ("standard-contract", "helpdesk", "tiers")]
T0 = dt.datetime(2026, 9, 30, 15, 1, tzinfo=CST)
ARG = WILD | PLAUSIBLE

Op = Callable[[sla.Calendar, Any, Any], object]

CALENDAR_OPS: dict[str, Op] = {
    "Calendar(tz, country)": lambda c, a, b: sla.Calendar(tz=a, country=b),
    "Calendar(hours)": lambda c, a, b: sla.Calendar(tz="Asia/Shanghai", country="CN", hours=a),
    "Calendar(days, subdiv)": lambda c, a, b: sla.Calendar(tz="UTC", days=a, subdiv=b),
    "Calendar(extra days)": lambda c, a, b: sla.Calendar(
        tz="Asia/Shanghai", country="CN", extra_holidays=a, extra_workdays=b),
    "Calendar(strict)": lambda c, a, b: sla.Calendar(tz="UTC", strict=a),
    "from_coverage": lambda c, a, b: sla.Calendar.from_coverage(a, b),
    "from_coverage(tz, hours)": lambda c, a, b: sla.Calendar.from_coverage(
        "5x8", country="CN", tz=a, hours=b),
    "Coverage.parse": lambda c, a, b: sla.Coverage.parse(a),
    "Hours.parse": lambda c, a, b: sla.Hours.parse(a),
    "add": lambda c, a, b: c.add(a, b),
    "add(t0)": lambda c, a, b: c.add(T0, a),
    "subtract": lambda c, a, b: c.subtract(a, b),
    "subtract(t0)": lambda c, a, b: c.subtract(T0, a),
    "elapsed": lambda c, a, b: c.elapsed(a, b),
    "is_open": lambda c, a, b: c.is_open(a),
    "next_open": lambda c, a, b: c.next_open(a),
    "is_business_day": lambda c, a, b: c.is_business_day(a),
    "next_business_day": lambda c, a, b: c.next_business_day(a),
    "add_business_days": lambda c, a, b: c.add_business_days(a, b),
    "add_business_days(d)": lambda c, a, b: c.add_business_days(dt.date(2026, 10, 1), a),
    "effective_day": lambda c, a, b: c.effective_day(a, b),
    "effective_day(t0)": lambda c, a, b: c.effective_day(T0, a),
    "describe_day": lambda c, a, b: c.describe_day(a),
    "segments": lambda c, a, b: c.segments(a, b),
    "add_many": lambda c, a, b: c.add_many(a, b),
    "add_many(seconds)": lambda c, a, b: c.add_many(a, dt.timedelta(hours=4)),
    "elapsed_many": lambda c, a, b: c.elapsed_many(a, b),
    "add_stream": lambda c, a, b: list(c.add_stream(a, "4h", chunk_size=2)),
    "view": lambda c, a, b: c.view(a, b),
    "repr/str": lambda c, a, b: (repr(c), str(c)),
}
TARGET_OPS: dict[str, Op] = {
    "Target.parse": lambda c, a, b: sla.Target.parse(a, country=b),
    "Target.parse(cutoff, by)": lambda c, a, b: sla.Target.parse(
        "5x8xNBD", country="CN", cutoff=a, by=b),
    "Within": lambda c, a, b: sla.Within(c, a).deadline(b),
    "Within(4h)": lambda c, a, b: sla.Within(c, "4h").deadline(a),
    "NextBusinessDay": lambda c, a, b: sla.NextBusinessDay(c, cutoff=a, by=b).deadline(T0),
    "NextBusinessDay.deadline": lambda c, a, b: sla.NextBusinessDay(c).deadline(a),
    "NextDay": lambda c, a, b: sla.NextDay(c, by=a, cutoff=b).deadline(T0),
    "BusinessDays": lambda c, a, b: sla.BusinessDays(c, a, by=b).deadline(T0),
    "BusinessDays.deadline": lambda c, a, b: sla.BusinessDays(c, 3).deadline(a),
    "deadline_many(NBD)": lambda c, a, b: sla.NextBusinessDay(c).deadline_many(a),
    "deadline_many(Within)": lambda c, a, b: sla.Within(c, "4h").deadline_many(a),
    "deadline_many(BusinessDays)": lambda c, a, b: sla.BusinessDays(c, 2).deadline_many(a),
    "deadline_stream": lambda c, a, b: list(sla.NextDay(c).deadline_stream(a, chunk_size=1)),
    "target repr": lambda c, a, b: repr(sla.Target.parse("7x24x4", country="CN")),
}

ROW: dict[str, Any] = {
    "id": "F1", "opened": "2026-09-30T15:01+08:00", "severity": "A", "tier": "gold",
    "zone": "city", "achieved": {"response": "2026-09-30T15:20+08:00"},
    "pauses": [{"start": "2026-09-30T15:30+08:00", "end": "2026-09-30T16:00+08:00",
                "reason": "customer_info"}],
    "severity_changes": [{"at": "2026-09-30T15:10+08:00", "severity": "B"}],
    "closed": "2026-09-30T18:00+08:00", "satisfaction": 4,
}


@st.composite
def rows(draw: st.DrawFn) -> Any:
    """A case row with a few fields removed or replaced by wild values."""
    row: dict[str, Any] = json.loads(json.dumps(ROW))
    for key in draw(st.lists(st.sampled_from([*ROW, "other"]), max_size=3)):
        if draw(st.booleans()):
            row.pop(key, None)
        else:
            row[key] = draw(ARG)
    return row


def case_of(row: Any) -> sla.Case | None:
    try:
        return sla.Case.from_dict(row)
    except sla.SlaError:
        return None


def _table(row: Any) -> Any:
    """A one-row column table of a row (every value a column of one)."""
    if not isinstance(row, dict):
        return row
    return {str(k): [v] for k, v in row.items()}


def _text(a: Any) -> str:
    """``str(a)``, or a stand-in when even that fails (a 5,000-digit int, deep nesting)."""
    try:
        return str(a)
    except (ValueError, RecursionError):
        return "9" * 5000


def _jsonl(a: Any) -> bytes:
    try:
        return (json.dumps(a, default=str) + "\n" + json.dumps(ROW)).encode()
    except (ValueError, RecursionError):  # a structure json itself cannot write
        return b"{\n"


CASE_OPS: dict[str, Callable[[sla.Policy, Any, Any], object]] = {
    "Case": lambda p, a, b: sla.Case(a, T0, "A"),
    "Case(opened, severity)": lambda p, a, b: sla.Case("x", a, b),
    "Case(achieved)": lambda p, a, b: sla.Case("x", T0, "A", achieved=a),
    "Case(pauses)": lambda p, a, b: sla.Case("x", T0, "A", pauses=a, severity_changes=b),
    "Case(tier, zone)": lambda p, a, b: sla.Case("x", T0, "A", tier=a, zone=b),
    "Case(closed, satisfaction)": lambda p, a, b: sla.Case("x", T0, "A", closed=a,
                                                           satisfaction=b),
    "Case(excluded)": lambda p, a, b: sla.Case("x", T0, "A", excluded=a),
    "Case(attributes)": lambda p, a, b: sla.Case("x", T0, "A", attributes=a),
    "Case(attribute values)": lambda p, a, b: sla.Case("x", T0, "A",
                                                       attributes={"customer": a, "site": b}),
    "Case.attribute": lambda p, a, b: (c := case_of(a)) and c.attribute(b),
    "io.cases_to_arrow(attributes)": lambda p, a, b: sio.cases_to_arrow(
        [sla.Case("x", T0, "A", attributes={"k": a}), sla.Case("y", T0, "A", attributes={"k": b})],
        attributes=None),
    "io.write_cases(csv, attributes)": lambda p, a, b: sio.write_cases(
        [c for c in (case_of(a), case_of(ROW)) if c], io.StringIO(), "csv"),
    "report(by)": lambda p, a, b: sla.report(p, [c for c in (case_of(a), case_of(ROW)) if c],
                                             by=b),
    "Pause": lambda p, a, b: sla.Pause(a, b, "customer_info"),
    "SeverityChange": lambda p, a, b: sla.SeverityChange(a, b),
    "Case.from_dict": lambda p, a, b: sla.Case.from_dict(a),
    "Case.to_dict": lambda p, a, b: (c := case_of(a)) and sla.Case.from_dict(c.to_dict()),
    "evaluate(case)": sla.evaluate,
    "evaluate(row)": lambda p, a, b: (c := case_of(a)) and sla.evaluate(p, c, b),
    "evaluate(now)": lambda p, a, b: sla.evaluate(p, sla.Case.from_dict(ROW), a),
    "evaluate_many": sla.evaluate_many,
    "evaluate_many(rows)": lambda p, a, b: sla.evaluate_many(
        p, [c for c in (case_of(a), case_of(ROW)) if c], b),
    "evaluate_stream": lambda p, a, b: list(sla.evaluate_stream(
        p, [c for c in (case_of(a), case_of(ROW)) if c], None, chunk_size=b)),
    "evaluate_table": sla.evaluate_table,
    "evaluate_table(row)": lambda p, a, b: sla.evaluate_table(p, _table(a), None),
    "evaluate_table(form)": lambda p, a, b: sla.evaluate_table(p, _table(ROW), None, form=a,
                                                               keep=b),
    "report": lambda p, a, b: sla.report(p, [c for c in (case_of(a), case_of(ROW)) if c], None,
                                         first=b),
    "report(cases)": sla.report,
    "explain": lambda p, a, b: (c := case_of(a)) and sla.evaluate(p, c, T0).explain(),
    "result_schema": lambda p, a, b: sla.result_schema(p, form=a, carried=b),
    "Policy.from_dict": lambda p, a, b: sla.Policy.from_dict(a),
    "Policy.from_toml_text": lambda p, a, b: sla.Policy.from_toml_text(a),
    "Policy.dues": lambda p, a, b: p.dues(a, b),
    "Policy.inspections": lambda p, a, b: p.inspections(a, dt.date(2026, 1, 1), b),
    "Policy.inspections(start)": lambda p, a, b: p.inspections("diamond", a, 1),
    "Policy.from_json_text": lambda p, a, b: sla.Policy.from_json_text(a),
    "Policy.from_json/from_toml": lambda p, a, b: (sla.Policy.from_json(a), sla.Policy.from_toml(b)),
    "alarms": lambda p, a, b: sla.alarms(p, [c for c in (case_of(a), case_of(ROW)) if c],
                                         T0, b),
    "alarms(window)": lambda p, a, b: sla.alarms(p, [sla.Case.from_dict(ROW)], a, b),
    "alarms(cases)": lambda p, a, b: sla.alarms(p, a, T0, b),
    "Policy.severity/tier": lambda p, a, b: (p.severity(a), p.tier(b)),
    "Policy.calendar/measure": lambda p, a, b: (p.calendar(a), p.measure(b)),
    "templates.load": lambda p, a, b: sla.templates.load(a),
    "templates.source": lambda p, a, b: sla.templates.source(a),
    "io.read_cases(jsonl)": lambda p, a, b: list(sio.read_cases(
        io.BytesIO(_jsonl(a)), "jsonl", policy=p, errors="collect")),
    "io.read_cases(text)": lambda p, a, b: list(sio.read_cases(
        io.BytesIO(_text(a)[:5000].encode("utf-8", "replace")), b, errors="skip")),
    "io.read_cases(csv)": lambda p, a, b: list(sio.read_cases(io.BytesIO(
        b"id,opened,severity,pauses\nC1,2026-09-30T15:01+08:00,A,"
        + json.dumps(_text(a)[:3000]).encode() + b"\n"), "csv", errors="collect")),
    "io.cases_from_records": lambda p, a, b: list(sio.cases_from_records(
        [a, ROW], policy=p, errors="collect")),
    "io.read_cases(source)": lambda p, a, b: list(sio.read_cases(a, b)),
}


@FUZZ
@given(st.sampled_from(sorted(CALENDAR_OPS)), st.integers(0, len(CALENDARS) - 1), ARG, ARG)
def test_calendar_entry_points(name: str, cal: int, a: Any, b: Any) -> None:
    """Calendar construction, time and day arithmetic, batches: only ``SlaError`` escapes."""
    guarded(lambda: CALENDAR_OPS[name](CALENDARS[cal], resolve(a), resolve(b)))


@FUZZ
@given(st.sampled_from(sorted(TARGET_OPS)), st.integers(0, len(CALENDARS) - 1), ARG, ARG)
def test_target_entry_points(name: str, cal: int, a: Any, b: Any) -> None:
    """Targets: parsing, construction, deadlines one by one and in batches."""
    guarded(lambda: TARGET_OPS[name](CALENDARS[cal], resolve(a), resolve(b)))


@FUZZ
@given(st.sampled_from(sorted(CASE_OPS)), st.integers(0, len(POLICIES) - 1), rows() | ARG, ARG)
def test_case_and_evaluation_entry_points(name: str, policy: int, a: Any, b: Any) -> None:
    """Cases, evaluation (one, many, streamed, tables), reports, policy loaders, case readers."""
    guarded(lambda: CASE_OPS[name](POLICIES[policy], resolve(a), resolve(b)))


@pytest.mark.parametrize("name", sorted(CALENDAR_OPS) + sorted(TARGET_OPS))
def test_every_special_value_in_every_calendar_call(name: str) -> None:
    """Every known-bad value in the first argument of every calendar and target call."""
    ops = CALENDAR_OPS | TARGET_OPS
    for value in SPECIAL:
        guarded(lambda: ops[name](CALENDARS[0], value, "4h"))  # noqa: B023 - called at once


@pytest.mark.parametrize("name", sorted(CASE_OPS))
def test_every_special_value_in_every_case_call(name: str) -> None:
    """Every known-bad value in the first argument of every case, evaluation and loader call."""
    for value in SPECIAL:
        guarded(lambda: CASE_OPS[name](POLICIES[0], value, None))  # noqa: B023 - called at once


MEMORY_LIMIT = 256 * 2**20  # bytes: well under what any of these would take unbounded


@pytest.mark.parametrize("call", [
    lambda: sla.Calendar(tz="UTC", hours=",".join(
        f"{m // 60:02d}:{m % 60:02d}-{m // 60:02d}:{m % 60:02d}:30" for m in range(1440))),
    lambda: sla.Calendar(tz="UTC", hours=",".join(["00:00-00:01"] * 43_200)),
    lambda: sla.Calendar.from_coverage("5" * 5000 + "x8"),
    lambda: sla.Calendar.from_coverage("5x8", country="CN").add(T0, "9" * 5000 + "h"),
    lambda: sla.Calendar.from_coverage("5x8", country="CN").add_business_days(
        dt.date(2026, 1, 1), 10**9),
    lambda: sla.Policy.from_dict({"policy": {"name": "x"}, "deep": [[[[[[[[]]]]]]]]}),
    lambda: sla.Policy.from_toml_text("a = " + "[" * 5000 + "]" * 5000),
    lambda: sla.Case.from_dict({"id": "x" * 10**6, "opened": "2026-09-30T15:01+08:00",
                                "severity": "A", "pauses": list(range(10**5))}),
    lambda: sla.evaluate_many(POLICIES[0], list(range(10**5))),
], ids=["1440-windows", "43200-windows", "coverage-5000-digits", "duration-5000-digits",
        "business-days-1e9", "policy-nesting", "toml-nesting", "case-big-values",
        "batch-of-ints"])
def test_memory_bounded_for_the_worst_inputs(call: Callable[[], object]) -> None:
    """The worst inputs known are answered (or refused) within a fixed memory budget."""
    tracemalloc.start()
    try:
        guarded(call)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT, f"peak {peak / 2**20:.0f} MiB"
