"""Differential tests of :func:`slacalc.evaluate_table`: the columnar results equal
:func:`slacalc.evaluate` case by case and field by field.

The per-case ``evaluate`` is the oracle. Cases come from the seeded generator of
test_evaluate_many (window edges, Chinese holidays and make-up days, Berlin's DST folds, pauses,
severity changes, exclusions, events after ``now``) and from the hypothesis strategies of
slacalc.testing; they are written as columns (aware datetimes, ISO strings, int µs, Arrow
timestamps) and every field of every (case, metric) is compared, instants in UTC and as written
(zone, offset and fold) once exported.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import warnings
from array import array
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slacalc as sla
import slacalc.errors as errors_module
import slacalc.table as table_module
from slacalc import testing as ps
from test_evaluate_many import (
    NOWS,
    TEMPLATES,
    TOUCHING_PAUSES,
    CaseMaker,
    run,
    seed_of,
    years,
)

UTC = dt.UTC
SH = ZoneInfo("Asia/Shanghai")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US1 = dt.timedelta(microseconds=1)


def us(t: dt.datetime | None) -> int | None:
    return None if t is None else (t - EPOCH) // US1


def write(t: dt.datetime | None, style: str) -> Any:
    if t is None:
        return None
    if style == "iso":
        return t.isoformat()
    if style == "us":
        return us(t)
    return t


def columns_of(cases: list[sla.Case], style: str = "dt") -> dict[str, list[Any]]:
    """The cases as a mapping of columns, their instants written in ``style``."""
    names = sorted({n for c in cases for n, _ in c.achieved})
    cols: dict[str, list[Any]] = {
        "id": [c.id for c in cases],
        "opened": [write(c.opened, style) for c in cases],
        "severity": [c.severity for c in cases],
        "tier": [c.tier for c in cases],
        "zone": [c.zone for c in cases],
        "excluded": [c.excluded for c in cases],
        "pauses": [[{"start": write(p.start, style), "end": write(p.end, style),
                     "reason": p.reason} for p in c.pauses] for c in cases],
        "severity_changes": [[{"at": write(s.at, style), "severity": s.severity}
                              for s in c.severity_changes] for c in cases],
        "row": list(range(len(cases))),
    }
    for name in names:
        cols[f"achieved.{name}"] = [write(c.achieved_at(name), style) for c in cases]
    return cols


def expected(policy: sla.Policy, cases: list[sla.Case], now: dt.datetime | None) -> list[tuple]:
    """(case, metric) rows from ``evaluate``: every field the table has, instants in µs."""
    out = []
    for case in cases:
        for r in sla.evaluate(policy, case, now):
            pending = [e.at for e in r.escalations if e.status == "pending"]
            out.append((
                case.id, r.metric, case.severity, case.tier, case.zone, us(case.opened),
                us(r.start), us(r.deadline), us(r.achieved), r.status,
                None if r.used is None else r.used // US1,
                None if r.remaining is None else r.remaining // US1, r.share,
                us(pending[0]) if pending else None,
                sum(e.status == "fired" for e in r.escalations),
            ))
    return out


FIELDS = ("id", "metric", "severity", "tier", "zone", "opened", "start", "deadline", "achieved",
          "status", "used", "remaining", "share", "next_escalation", "escalations_fired")


def table_rows(table: sla.ResultTable) -> list[tuple]:
    cols = table.columns
    return list(zip(*(cols[f] for f in FIELDS), strict=True))


def assert_same(policy: sla.Policy, cases: list[sla.Case], now: dt.datetime | None,
                style: str = "dt", *, arrow: bool = False) -> sla.ResultTable | None:
    """The table equals the per-case loop, field by field, with the same warnings or error."""
    data: Any = columns_of(cases, style)
    if arrow:
        data = pa.table(data)
    got = run(lambda: sla.evaluate_table(policy, data, now))
    ref = run(lambda: expected(policy, cases, now))
    assert (type(got.error), bool(got.error)) == (type(ref.error), bool(ref.error)), (
        got.error, ref.error)
    assert years(got.warned) == years(ref.warned)
    if ref.error is not None:
        return None
    rows = table_rows(got.value)
    assert len(rows) == len(ref.value)
    for i, (g, r) in enumerate(zip(rows, ref.value, strict=True)):
        assert g == r, (i, cases[i // max(1, len(policy.metrics()))], g, r)
    return got.value  # type: ignore[no-any-return]


def instants_as_written(table: sla.ResultTable, policy: sla.Policy,
                        cases: list[sla.Case], now: dt.datetime | None) -> None:
    """records() writes each instant in the zone evaluate uses, with the same offset and fold."""
    records = table.records()
    refs = [r for c in cases for r in sla.evaluate(policy, c, now)]
    for rec, ref in zip(records, refs, strict=True):
        for name in ("start", "deadline"):
            value, want = rec[name], getattr(ref, name)
            assert (value is None) == (want is None)
            if want is not None and str(value.tzinfo) == str(want.tzinfo):
                assert value.isoformat() == want.isoformat() and value.fold == want.fold


# -- every built-in template -------------------------------------------------------------------
RUNS = [(name, kind, style) for i, name in enumerate(TEMPLATES)
        for kind, style in (("none", "dt"), ("mid", "iso"), ("far", "us"), ("holiday", "dt"))
        if kind != "holiday" or i % 2 == 0]


@pytest.mark.parametrize(("name", "kind", "style"), RUNS)
def test_templates(name: str, kind: str, style: str) -> None:
    """Every built-in template, judged at several ``now``, on generated cases written as
    datetimes, ISO strings or int µs: the table equals ``evaluate`` on every field."""
    policy = sla.templates.load(name)
    now = NOWS[kind]
    cases = CaseMaker(policy, seed_of("table", name, kind)).batch(160, now)
    table = assert_same(policy, cases, now, style)
    if table is not None and kind == "mid":
        instants_as_written(table, policy, cases, now)
    if kind in ("mid", "far"):  # the same cases as an Arrow table (pauses read by column)
        assert_same(policy, cases, now, style, arrow=True)


@pytest.mark.parametrize("name", ["standard-contract", "helpdesk", "onsite-zones"])
def test_dense_whole_seconds_from_arrow(name: str) -> None:
    """A dense batch on whole seconds, mostly without pauses (the lookup-table path), read from
    an Arrow table with timestamp columns, equals ``evaluate``."""
    policy = sla.templates.load(name)
    maker = CaseMaker(policy, seed_of("dense", name), whole=True, plain=0.9,
                      first=dt.datetime(2025, 1, 1, tzinfo=SH),
                      last=dt.datetime(2025, 12, 1, tzinfo=SH))
    cases = maker.batch(1500, NOWS["mid"])
    assert_same(policy, cases, NOWS["mid"], arrow=True)


def hours_policy(main: dict[str, str], zone: str, other: tuple[str, str]) -> sla.Policy:
    """A response of 30 minutes in the working hours of a 5x8 calendar in ``zone`` and 2 hours
    outside them, both counted on the calendar ``main``, and one more metric on it."""
    return sla.Policy.from_dict({
        "name": "working hours",
        "calendars": {"main": main, "hours": {"coverage": "5x8", "tz": zone}},
        "clock": {"pause_reasons": ["customer_info"]},
        "severities": [{"id": "A", "targets": [
            {"metric": "response", "calendar": "main", "within": "30m",
             "when": {"hours": "in", "hours_calendar": "hours"}},
            {"metric": "response", "calendar": "main", "within": "2h"},
            {"metric": other[0], "calendar": "main", "within": other[1]},
        ]}],
    })


@pytest.mark.parametrize("coverage", ["5x24", "7x24", "5x8"])
def test_dense_on_calendars_open_at_new_year(coverage: str) -> None:
    """Calendars without holidays, open at the first instant of the year their lookup tables
    start at (2025-01-01 is a Wednesday) or always open: a dense batch through the tables
    (deadlines, time used, a working-hours condition) equals ``evaluate``."""
    policy = hours_policy({"coverage": coverage, "tz": "UTC"}, "UTC", ("resolve", "20h"))
    maker = CaseMaker(policy, seed_of("new year", coverage), whole=True, plain=0.9,
                      first=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                      last=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    cases = maker.batch(1500, NOWS["mid"])
    assert_same(policy, cases, NOWS["mid"], arrow=True)
    assert_same(policy, cases, None, "us")


@pytest.mark.parametrize("zone", ["Etc/GMT-3", "Etc/GMT+5"])
def test_tables_after_a_computation_before_1970(zone: str) -> None:
    """Once a calendar has computed an instant before 1970 (its compiled years then reach
    back past the epoch), its position table would confuse covered and uncovered time;
    it is refused, and a dense batch with pauses and a working-hours condition still equals
    ``evaluate``."""
    policy = hours_policy({"coverage": "7x24", "tz": zone}, zone, ("restore", "4h"))
    for name in ("main", "hours"):
        cal = policy.calendar(name)
        cal.add(dt.datetime(1965, 6, 1, tzinfo=dt.UTC), dt.timedelta(hours=1))
    maker = CaseMaker(policy, seed_of("before 1970", zone), whole=True, plain=0.8,
                      first=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
                      last=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
    cases = maker.batch(600, NOWS["mid"])
    assert any(c.pauses for c in cases)
    assert_same(policy, cases, NOWS["mid"], arrow=True)
    a = int(dt.datetime(2024, 3, 1, tzinfo=dt.UTC).timestamp())
    cal = policy.calendar("main")
    assert cal.elapsed_many([a] * 300, [a + 3600] * 300) == [3600] * 300


@pytest.mark.parametrize("coverage", ["5x8", "7x24", "5x24"])
def test_columns_moved_on_the_tables_agree_at_window_edges(coverage: str) -> None:
    """A column of instants moved by covered time on the chunk's position table and back
    through its inverse (escalation steps, paused deadlines) equals ``Calendar``'s own
    ``add`` (the earliest instant) and ``subtract`` (the latest), at window edges, a
    microsecond either side, and fractions of a second."""
    policy = sla.Policy.from_dict({
        "name": "edges", "calendars": {"main": {"coverage": coverage, "country": "CN"}},
        "targets": [{"metric": "response", "calendar": "main", "within": "1h"}]})
    cal = policy.calendar("main")
    day = dt.datetime(2025, 3, 3, tzinfo=SH)  # a Monday
    edges = [us(day + dt.timedelta(days=k, hours=h)) + e for k in range(12)
             for h in (0, 9, 12, 17, 23) for e in (0, -1, 1, 500_000)]
    shared = table_module._Shared(policy, None)
    source = table_module._ListSource({"id": ["x"], "opened": [edges[0]]})
    evaluator = table_module._Evaluator(policy, None, source, shared)
    evaluator.opened = [0] * 100_000  # a large chunk: the tables pay
    evaluator.lo_s, evaluator.hi_s = min(edges) // 10**6, max(edges) // 10**6 + 40 * 86_400
    hour = 3_600_000_000
    for d in (hour, 4 * hour, 8 * hour, 600_000_000, 1_234_567, -hour, -4 * hour,
              -600_000_000, -8 * hour - 1):
        got = evaluator._moved(cal, edges, d)
        assert got is not None, d
        want = [cal._add_us(t, d) if d > 0 else cal._subtract_us(t, -d) for t in edges]
        assert got == want, d


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_policies(data: st.DataObject) -> None:
    """Generated policies and cases (pauses, open pauses, severity changes, exclusions,
    working-hours conditions, event starts, ladders) give evaluate's values, with and
    without ``now``."""
    policy = data.draw(ps.policies())
    cases = data.draw(st.lists(ps.cases(policy), min_size=1, max_size=6))
    now = data.draw(ps.nows(cases[0]))
    assert_same(policy, cases, now, data.draw(st.sampled_from(["dt", "iso", "us"])),
                arrow=data.draw(st.booleans(), label="arrow"))


@pytest.mark.parametrize(("policy", "case", "now", "deadline", "status"), TOUCHING_PAUSES,
                         ids=[c.id for _, c, *_ in TOUCHING_PAUSES])
def test_a_pause_the_clock_does_not_see_is_not_merged_into_one_it_does(
        policy: sla.Policy, case: sla.Case, now: dt.datetime | None, deadline: dt.datetime,
        status: str) -> None:
    """A pause starting at or after the reply (or ``now``) touching one the clock sees: the
    table gives the hand-checked deadline and status, alone and among cases without pauses, and
    equals ``evaluate`` field by field."""
    plain = [attrs.evolve(case, id=f"plain-{i}", pauses=()) for i in range(30)]
    for cases in ([case], [*plain, case]):
        table = assert_same(policy, cases, now)
        assert table is not None
        cols = table.columns
        assert (cols["deadline"][-1], cols["status"][-1]) == (us(deadline), status)


def test_event_rules_of_two_groups_keep_their_paused_rows() -> None:
    """A metric whose clock starts at an event under a different rule per severity, with more
    cases than paused cases in each: every paused case is recomputed under its own severity's
    rule (the rule of one group never claims the paused rows of another)."""
    policy = sla.Policy.from_dict({
        "name": "two event rules",
        "calendars": {"clock": {"coverage": "7x24", "tz": "UTC"}},
        "clock": {"pause_reasons": ["customer_info"]},
        "severities": [
            {"id": "A", "targets": [{"metric": "repair", "calendar": "clock", "within": "2h",
                                     "start": "arrive"}]},
            {"id": "B", "targets": [{"metric": "repair", "calendar": "clock", "within": "9h",
                                     "start": "arrive"}]},
        ],
    })
    opened = dt.datetime(2026, 3, 2, 8, tzinfo=UTC)
    cases = []
    for k in range(40):
        severity = "AB"[k % 2]
        pauses = ([sla.Pause(opened + dt.timedelta(hours=1), opened + dt.timedelta(hours=2),
                             "customer_info")] if k % 10 < 2 else [])
        cases.append(sla.Case(f"{severity}-{k}", opened, severity, pauses=pauses,
                              achieved={"arrive": opened + dt.timedelta(minutes=30)}))
    now = opened + dt.timedelta(hours=5)
    table = assert_same(policy, cases, now)
    assert table is not None
    deadlines = dict(zip(table.columns["id"], table.columns["deadline"], strict=True))
    hour = 3600 * 10**6
    assert deadlines["A-0"] - us(opened) == 3 * hour + hour // 2  # 30 min + 2 h + 1 h paused
    assert deadlines["B-1"] - us(opened) == 10 * hour + hour // 2


# -- the data horizon --------------------------------------------------------------------------
HORIZON_POLICY = {
    "name": "horizon",
    "calendars": {"business": {"coverage": "5x8", "country": "CN", "strict": False}},
    "severities": [{"id": "A", "targets": [
        {"metric": "response", "calendar": "business", "within": "4h"}]}],
}


def _horizon_cases(year: int) -> list[sla.Case]:
    return [sla.Case("ok", dt.datetime(2026, 3, 2, 10, tzinfo=SH), "A"),
            sla.Case("late", dt.datetime(year, 3, 2, 10, tzinfo=SH), "A")]


@pytest.mark.parametrize("strict", [False, True])
def test_horizon(strict: bool) -> None:
    """Past the years the holiday data vouches for, the table warns (or, with a strict
    calendar, raises) exactly when evaluate does, and says nothing within them."""
    data = dict(HORIZON_POLICY)
    data["calendars"] = {"business": {"coverage": "5x8", "country": "CN", "strict": strict}}
    policy = sla.Policy.from_dict(data)
    vt = policy.calendar("business").verified_through
    assert vt is not None
    inside = _horizon_cases(vt)
    assert_same(policy, inside, None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sla.evaluate_table(policy, columns_of(inside), None)
    past = _horizon_cases(vt + 2)
    assert_same(policy, past, None)
    got = run(lambda: sla.evaluate_table(policy, columns_of(past), None))
    if strict:
        assert isinstance(got.error, sla.HorizonError)
    else:
        assert got.error is None and any(
            issubclass(w.category, sla.HorizonWarning) for w in got.warned)


# -- exports -----------------------------------------------------------------------------------
def _sample() -> tuple[sla.Policy, list[sla.Case], sla.ResultTable]:
    policy = sla.templates.load("standard-contract")
    cases = CaseMaker(policy, seed_of("exports")).batch(120, NOWS["mid"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = sla.evaluate_table(policy, columns_of(cases), NOWS["mid"])
    return policy, cases, table


def test_to_arrow_keeps_values() -> None:
    """to_arrow gives the schema result_schema names, instants as tz-aware µs timestamps in the
    calendars' zone, and the same values as ``columns``."""
    policy, _, table = _sample()
    arrow = table.to_arrow()
    assert arrow.schema.equals(table.schema())
    fixed = sla.result_schema(policy)
    assert arrow.schema.names[:len(fixed.names)] == fixed.names
    assert arrow.schema.field("deadline").type == pa.timestamp("us", "Asia/Shanghai")
    assert pa.types.is_dictionary(arrow.schema.field("status").type)
    cols = table.columns
    for name in FIELDS:
        values = arrow.column(name)
        if pa.types.is_timestamp(values.type) or pa.types.is_duration(values.type):
            values = values.cast(pa.int64())
        elif pa.types.is_dictionary(values.type):
            values = values.cast(pa.string())
        assert values.to_pylist() == cols[name], name
    assert arrow.column("row").to_pylist() == cols["row"]


def test_to_pandas_and_polars_keep_values() -> None:
    """to_pandas and to_polars (and polars reading the PyCapsule stream) keep every value."""
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    _, _, table = _sample()
    records = table.records()
    frame = table.to_pandas()
    assert len(frame) == len(records)
    assert str(frame["deadline"].dtype) == "datetime64[us, Asia/Shanghai]"
    for rec, (_, row) in zip(records[:200], frame.iterrows(), strict=False):
        for name in ("deadline", "start", "achieved", "next_escalation"):
            value = row[name]
            want = rec[name]
            assert (want is None) == (value is None or pd.isna(value))
            if want is not None:
                assert value.to_pydatetime() == want
        assert row["status"] == rec["status"]
        if rec["used"] is not None:
            assert row["used"].to_pytimedelta() == rec["used"]
    polars = table.to_polars()
    assert polars.height == len(records)
    assert polars["status"].to_list() == [r["status"] for r in records]
    assert polars["deadline"].to_list() == [r["deadline"] for r in records]
    streamed = pl.DataFrame(table)
    assert streamed.equals(polars)


def test_to_pandas_with_arrow_dtypes() -> None:
    """dtype_backend="pyarrow" gives Arrow-backed columns holding the very values of the
    classic frame, row by row; anything else is refused."""
    pd = pytest.importorskip("pandas")
    _, _, table = _sample()
    classic = table.to_pandas()
    arrow = table.to_pandas(dtype_backend="pyarrow")
    assert list(arrow.columns) == list(classic.columns)
    assert isinstance(arrow["deadline"].dtype, pd.ArrowDtype)
    assert str(arrow["status"].dtype) == "category"
    for name in classic.columns:
        left, right = classic[name].tolist(), arrow[name].tolist()
        assert [None if pd.isna(v) else v for v in left] == [
            None if pd.isna(v) else v for v in right], name
    with pytest.raises(sla.SlaValueError, match="dtype_backend must be 'numpy' or 'pyarrow'"):
        table.to_pandas(dtype_backend="numpy_nullable")


def test_result_buffers_from_jemalloc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Result columns are built in Arrow's jemalloc pool (where pyarrow has it): building a
    table takes memory from that pool, and dropping the table gives it back. A process that
    chose its pool (ARROW_DEFAULT_MEMORY_POOL) keeps it: then nothing comes from jemalloc."""
    try:
        jemalloc = pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowException):
        pytest.skip("this pyarrow has no jemalloc pool")
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    table_module._pool.cache_clear()
    policy, cases, _ = _sample()
    columns = columns_of(cases)

    def evaluate() -> sla.ResultTable:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sla.HorizonWarning)
            return sla.evaluate_table(policy, columns, NOWS["mid"])

    try:
        before = jemalloc.bytes_allocated()
        arrow = evaluate().to_arrow()
        held = jemalloc.bytes_allocated() - before
        assert held > 0
        frame = evaluate().to_pandas()
        assert len(frame) == arrow.num_rows
        del arrow, frame
        assert jemalloc.bytes_allocated() - before < held
        # the process's own choice (here the pool it has): nothing comes from jemalloc
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", pa.default_memory_pool().backend_name)
        table_module._pool.cache_clear()
        assert table_module._pool(pa) is None
        if pa.default_memory_pool().backend_name != "jemalloc":
            before = jemalloc.bytes_allocated()
            evaluate().to_arrow()
            assert jemalloc.bytes_allocated() == before
            # a variable set after Arrow chose its pool (a Dask nanny's, say) chose nothing
            monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
            table_module._pool.cache_clear()
            assert table_module._pool(pa).backend_name == "jemalloc"
    finally:
        table_module._pool.cache_clear()


@pytest.mark.parametrize("form", ["long", "wide"])
@pytest.mark.parametrize("source", ["lists", "arrow"])
def test_no_result_buffer_in_the_default_pool(monkeypatch: pytest.MonkeyPatch, form: str,
                                              source: str) -> None:
    """Every column of the results, case fields and carried columns included, in either form
    and from either kind of input, is in the jemalloc pool: the result table holds nothing in
    Arrow's default pool but the two small dictionaries (statuses and metric names)."""
    try:
        pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowException):
        pytest.skip("this pyarrow has no jemalloc pool")
    if pa.default_memory_pool().backend_name == "jemalloc":
        pytest.skip("Arrow's default pool is jemalloc itself")
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    table_module._pool.cache_clear()
    policy, cases, _ = _sample()
    columns: dict[str, Any] = columns_of(cases, "us")
    columns["customer"] = [f"customer {i}" for i in range(len(cases))]
    columns["site"] = [i if i % 3 else None for i in range(len(cases))]
    if source == "arrow":  # without the optional case columns: built as null columns
        columns = pa.table({k: v for k, v in columns.items() if k not in ("tier", "zone")})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sla.HorizonWarning)
            before = pa.total_allocated_bytes()
            arrow = sla.evaluate_table(policy, columns, NOWS["mid"], form=form,
                                       keep=["customer", "site"]).to_arrow()
        assert arrow.num_rows == len(cases) * (len(policy.metrics()) if form == "long" else 1)
        assert pa.total_allocated_bytes() - before < 1024
    finally:
        table_module._pool.cache_clear()


def test_without_jemalloc(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pyarrow built without jemalloc (Windows wheels): the results come from the default
    pool, equal to those built in jemalloc."""
    policy, cases, _ = _sample()
    columns = columns_of(cases)

    def evaluate() -> tuple[Any, Any]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sla.HorizonWarning)
            table = sla.evaluate_table(policy, columns, NOWS["mid"])
            return table.to_arrow(), table.to_pandas()

    def no_jemalloc() -> Any:
        raise pa.ArrowNotImplementedError("this Arrow build does not enable jemalloc")

    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    table_module._pool.cache_clear()
    try:
        arrow, frame = evaluate()
        monkeypatch.setattr(pa, "jemalloc_memory_pool", no_jemalloc)
        table_module._pool.cache_clear()
        assert table_module._pool(pa) is None
        before = pa.total_allocated_bytes()
        other, other_frame = evaluate()
        assert pa.total_allocated_bytes() > before
        assert other.equals(arrow)
        assert other_frame.equals(frame)
    finally:
        table_module._pool.cache_clear()


def test_wide_form() -> None:
    """The wide form has one row per case and <metric>.<field> columns equal to the long
    form's rows of that metric."""
    policy, cases, long = _sample()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wide = sla.evaluate_table(policy, columns_of(cases), NOWS["mid"], form="wide")
    assert len(wide) == len(cases)
    lc, wc = long.columns, wide.columns
    metrics = policy.metrics()
    k = len(metrics)
    for m, metric in enumerate(metrics):
        for field in FIELDS[6:]:
            assert wc[f"{metric}.{field}"] == lc[field][m::k], (metric, field)
    arrow = wide.to_arrow()
    assert arrow.num_rows == len(cases)
    assert arrow.schema.equals(wide.schema())


def test_inputs_agree() -> None:
    """The same cases as lists, array('q') µs, an Arrow table, a record batch, a pandas and a
    polars DataFrame give the same results."""
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    policy = sla.templates.load("severity-a-d")
    maker = CaseMaker(policy, seed_of("inputs"), plain=1.0)
    cases = [c for c in maker.batch(200, None) if not c.pauses]
    base = columns_of(cases, "us")
    del base["pauses"], base["severity_changes"]
    want = table_rows(sla.evaluate_table(policy, base))
    as_array = dict(base, opened=array("q", base["opened"]))
    arrow = pa.table({k: (pa.array(v, pa.int64()).cast(pa.timestamp("us", "UTC"))
                          if k == "opened" or k.startswith("achieved.") else v)
                      for k, v in base.items()})
    for data in (as_array, arrow, arrow.to_batches()[0], arrow.to_pandas(), pl.from_arrow(arrow)):
        assert table_rows(sla.evaluate_table(policy, data)) == want, type(data)
    assert isinstance(arrow.to_pandas(), pd.DataFrame)


def test_keep_and_carried_columns() -> None:
    """Extra columns are carried by default; keep= chooses them; clashing names are refused."""
    policy = sla.templates.load("helpdesk")
    data = {"id": ["a"], "opened": ["2026-03-02T10:00:00+08:00"], "severity": ["any"],
            "customer": ["ACME"], "satisfaction": [5]}
    assert set(sla.evaluate_table(policy, data).columns) >= {"customer", "satisfaction"}
    kept = sla.evaluate_table(policy, data, keep=["customer"]).columns
    assert "customer" in kept and "satisfaction" not in kept
    with pytest.raises(sla.SlaValueError, match="'status'"):
        sla.evaluate_table(policy, {**data, "status": ["open"]})
    assert "status" not in sla.evaluate_table(policy, {**data, "status": ["open"]},
                                               keep=["customer"]).columns["customer"]


@pytest.mark.parametrize(("change", "message"), [
    ({"opened": ["2026-03-02T10:00:00"]}, "without an offset"),
    ({"opened": [dt.datetime(2026, 3, 2, 10)]}, "naive"),
    ({"opened": ["soon"]}, "not an ISO 8601"),
    ({"opened": [None]}, "opened of row 0 is missing"),
    ({"severity": ["Z"]}, "severity 'Z'"),
    ({"severity": [None]}, "severity of row 0 is missing"),
    ({"severity": [""]}, "severity of row 0"),
    ({"id": ["a", "b"]}, "every column needs one value per case"),
    ({"pauses": [[{"start": "2026-03-02T11:00:00+08:00", "end": "2026-03-02T10:00:00+08:00",
                   "reason": "customer_info"}]]}, "ends .* before it starts"),
])
def test_bad_input(change: dict[str, Any], message: str) -> None:
    """Bad cells are refused with an SlaValueError naming the column, the row and the value."""
    policy = sla.templates.load("helpdesk")
    data = {"id": ["a"], "opened": ["2026-03-02T10:00:00+08:00"], "severity": ["any"], **change}
    with pytest.raises(sla.SlaValueError, match=message):
        sla.evaluate_table(policy, data)


PAUSE = {"start": 1_772_420_400_000_000, "end": 1_772_424_000_000_000, "reason": "customer_info"}


@pytest.mark.parametrize(("pause", "message"), [
    ({**PAUSE, "end": PAUSE["start"] - 1}, r"pauses\[1\] of row 1 ends .* before it starts"),
    ({**PAUSE, "start": None}, r"pauses\[1\].start of row 1 is missing"),
    ({**PAUSE, "reason": None}, r"pauses\[1\].reason of row 1 must be a non-empty string"),
    ({**PAUSE, "reason": ""}, r"pauses\[1\].reason of row 1 must be a non-empty string"),
])
def test_bad_pauses_in_arrow(pause: dict[str, Any], message: str) -> None:
    """A bad pause in an Arrow table is refused as in a mapping of lists: the row, the pause
    and what is wrong with it (the column-at-a-time reading hands such rows back)."""
    policy = sla.templates.load("helpdesk")
    data = {"id": ["a", "b"], "opened": [PAUSE["start"] - 3_600_000_000] * 2,
            "severity": ["any"] * 2, "pauses": [[PAUSE], [PAUSE, pause]]}
    for source in (data, pa.table(data)):
        with pytest.raises(sla.SlaValueError, match=message):
            sla.evaluate_table(policy, source)


def test_pauses_in_arrow_of_every_shape() -> None:
    """Pauses as an Arrow list of structs give the values the same pauses give as Python
    records, whatever the struct holds: timestamps or ints or ISO strings, an extra field,
    no ``end`` field (open pauses), null and empty lists, reasons that do not stop the clock."""
    policy = sla.templates.load("helpdesk")
    start, end = PAUSE["start"], PAUSE["end"]
    opened = [start - 600_000_000 + k * 60_000_000 for k in range(5)]
    now = dt.datetime(2026, 3, 9, tzinfo=SH)
    records = [[PAUSE], None, [], [{**PAUSE, "reason": "other"}, PAUSE],
               [{**PAUSE, "start": end, "end": end + 600_000_000}, PAUSE]]
    base = {"id": list("abcde"), "opened": opened, "severity": ["any"] * 5}
    want = sla.evaluate_table(policy, {**base, "pauses": records}, now).columns
    iso = [None if r is None else [
        {**p, "start": us_iso(p["start"]), "end": us_iso(p["end"])} for p in r] for r in records]
    ts = pa.struct([("start", pa.timestamp("us", "Asia/Shanghai")),
                    ("end", pa.timestamp("us", "Asia/Shanghai")), ("reason", pa.string()),
                    ("note", pa.string())])
    shapes = [
        pa.array(records),
        pa.array(iso),
        pa.array([None if r is None else [{**p, "note": "x"} for p in r] for r in records],
                 pa.list_(ts)),
    ]
    for pauses in shapes:
        got = sla.evaluate_table(policy, pa.table({**base, "pauses": pauses}), now).columns
        assert got == want, pauses.type
    open_records = [None if r is None else [{"start": p["start"], "reason": p["reason"]}
                                            for p in r] for r in records]
    want_open = sla.evaluate_table(policy, {**base, "pauses": open_records}, now).columns
    got_open = sla.evaluate_table(policy, pa.table({**base, "pauses": open_records}), now).columns
    assert got_open == want_open
    assert want_open["status"] != want["status"]  # open pauses hold the clock: not the same


def us_iso(t: int) -> str:
    return (dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=t)).astimezone(
        SH).isoformat()


def test_bad_arguments() -> None:
    """A wrong form, now, cases object or keep is refused with a clear message."""
    policy = sla.templates.load("helpdesk")
    data = {"id": ["a"], "opened": ["2026-03-02T10:00:00+08:00"], "severity": ["any"]}
    with pytest.raises(sla.SlaValueError, match="form"):
        sla.evaluate_table(policy, data, form="tall")
    with pytest.raises(sla.SlaValueError, match="now"):
        sla.evaluate_table(policy, data, dt.datetime(2026, 1, 1))
    with pytest.raises(sla.SlaValueError, match="cases must be"):
        sla.evaluate_table(policy, [1, 2])
    with pytest.raises(sla.SlaValueError, match="keep"):
        sla.evaluate_table(policy, data, keep=["nope"])
    with pytest.raises(sla.NaiveDatetimeError):
        sla.evaluate_table(policy, pa.table({**data, "opened": pa.array(
            [dt.datetime(2026, 3, 2, 10)], pa.timestamp("us"))}))


def test_empty_table() -> None:
    """No cases give an empty table with the full schema."""
    policy = sla.templates.load("helpdesk")
    table = sla.evaluate_table(policy, {"id": [], "opened": [], "severity": []})
    assert len(table) == 0
    assert table.to_arrow().num_rows == 0


def test_chunks_give_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table evaluated in many small chunks (slices of the input, evaluated one by one and
    concatenated) equals the table evaluated in one chunk, and evaluate."""
    policy = sla.templates.load("standard-contract")
    cases = CaseMaker(policy, seed_of("chunks")).batch(230, NOWS["mid"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = sla.evaluate_table(policy, columns_of(cases), NOWS["mid"])
        monkeypatch.setattr(table_module, "CHUNK", 37)
        for data in (columns_of(cases), pa.table(columns_of(cases, "us"))):
            chunked = sla.evaluate_table(policy, data, NOWS["mid"])
            assert table_rows(chunked) == table_rows(whole)
            assert chunked.to_arrow().num_rows == len(cases) * len(policy.metrics())
    assert_same(policy, cases, NOWS["mid"])


def test_without_pyarrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pyarrow, a mapping of lists still evaluates (columns and records in plain
    Python, equal to what the Arrow path gives), and the Arrow exports say what to install."""
    policy = sla.templates.load("standard-contract")
    cases = CaseMaker(policy, seed_of("no arrow")).batch(90, NOWS["mid"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with_arrow = sla.evaluate_table(policy, columns_of(cases), NOWS["mid"])
        want_records, want_rows = with_arrow.records(), table_rows(with_arrow)
        monkeypatch.setitem(sys.modules, "pyarrow", None)
        plain = sla.evaluate_table(policy, columns_of(cases), NOWS["mid"])
        assert table_rows(plain) == want_rows
        assert plain.records() == want_records
        wide = sla.evaluate_table(policy, columns_of(cases), NOWS["mid"], form="wide")
        assert len(wide.records()) == len(cases)
    with pytest.raises(sla.MissingDependencyError, match=r"slacalc\[arrow\]"):
        plain.to_arrow()
    with pytest.raises(sla.SlaError):
        plain.to_pandas()


def test_one_missing_dependency_error() -> None:
    """Every module that reports a missing optional package raises the one class
    ``slacalc.MissingDependencyError`` (an ``SlaError`` and an ``ImportError``), so a single
    ``except`` catches them all."""
    one = errors_module.MissingDependencyError
    assert sla.MissingDependencyError is one and "MissingDependencyError" in sla.__all__
    # ``slacalc.report`` is also the name of a function: import the modules by their names;
    # each imports its optional packages through the one helper, and defines no class of its own
    for name in ("table", "io", "plots", "report", "compare"):
        module = importlib.import_module(f"slacalc.{name}")
        assert module.optional_module is errors_module.optional_module
        assert getattr(module, "MissingDependencyError", one) is one
    assert issubclass(one, sla.SlaError) and issubclass(one, ImportError)
    with pytest.raises(one, match=r"package 'no_such_package'.* pip install 'slacalc\[arrow\]'"):
        errors_module.optional_module("no_such_package.sub", "arrow")
    with pytest.raises(one, match=r"pip install no_such_package$"):
        errors_module.optional_module("no_such_package.sub")


def test_policy_without_severities() -> None:
    """A policy without severity levels takes cases without a severity column (as lists or
    as Arrow), and gives what evaluate gives for cases whose severity is None."""
    policy = sla.Policy.from_dict({
        "name": "flat", "calendars": {"business": {"coverage": "5x8", "country": "CN"}},
        "targets": [{"metric": "response", "calendar": "business", "within": "4h"}]})
    cases = [sla.Case(f"T-{i}", dt.datetime(2026, 9, 30, 9 + i, tzinfo=SH)) for i in range(6)]
    data = {"id": [c.id for c in cases], "opened": [c.opened for c in cases]}
    want = [(c.id, us(r.deadline), r.status) for c in cases for r in sla.evaluate(policy, c)]
    for source in (data, pa.table(data)):
        cols = sla.evaluate_table(policy, source).columns
        assert list(zip(cols["id"], cols["deadline"], cols["status"], strict=True)) == want
        assert cols["severity"] == [None] * len(cases)
