"""slacalc.dask: a Dask DataFrame of cases evaluated by partition equals the single-process
table, row for row, on the threaded scheduler and on a two-process ``distributed`` cluster;
reports merged from partition tallies equal the single-process report."""

from __future__ import annotations

import datetime as dt
import os
import warnings
from typing import Any

import attrs
import pytest

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import slacalc as sla  # noqa: E402
import slacalc.dask as sld  # noqa: E402
import slacalc.io  # noqa: E402
from test_evaluate_many import NOWS, TEMPLATES, CaseMaker, seed_of  # noqa: E402

SH = dt.timezone(dt.timedelta(hours=8))
REPORTED = [name for name in TEMPLATES if sla.templates.load(name).measures]


def generated(name: str, kind: str, n: int = 90) -> tuple[sla.Policy, list[sla.Case], Any]:
    """A template, generated cases (pauses, open pauses, severity changes, exclusions) and the
    same cases as an Arrow table in the case files' columns."""
    policy = sla.templates.load(name)
    cases = CaseMaker(policy, seed_of("dask", name, kind)).batch(n, NOWS[kind])
    return policy, cases, sla.io.cases_to_arrow(cases)


def quiet(fn: Any) -> Any:
    """``fn()`` with data-horizon and repeated-id warnings silenced (the suite turns warnings into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sla.HorizonWarning)
        warnings.simplefilter("ignore", sla.io.CaseFileWarning)  # generated cases repeat ids
        return fn()


def frame_of(table: Any) -> Any:
    """``table`` as a pandas frame of Arrow-backed columns (as ``dd.read_parquet(...,
    dtype_backend="pyarrow")`` reads them): Dask keeps their lists of pauses as lists."""
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def in_utc(frame: Any) -> Any:
    """``frame`` with every instant column in UTC and a fresh index: instants compare as
    instants, whatever zone a path wrote them in."""
    # through Arrow to numpy-backed columns: Arrow-backed and numpy-backed frames compare alike
    frame = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata().to_pandas()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("UTC")
    return frame


def assert_same_frames(got: Any, want: Any) -> None:
    got, want = in_utc(got), in_utc(want)
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_categorical=False)


def reference(policy: sla.Policy, cases: list[sla.Case], now: dt.datetime | None,
              form: str = "long") -> Any:
    """The single-process results, from ``evaluate`` case by case (not from the table path),
    as a frame in the table's columns."""
    rows = []
    for case in cases:
        evaluation = sla.evaluate(policy, case, now)
        for r in evaluation:
            pending = [e.at for e in r.escalations if e.status == "pending"]
            rows.append({
                "id": case.id, "metric": r.metric, "severity": case.severity,
                "tier": case.tier, "zone": case.zone, "opened": case.opened, "start": r.start,
                "deadline": r.deadline, "achieved": r.achieved, "status": r.status,
                "used": r.used, "remaining": r.remaining, "share": r.share,
                "next_escalation": pending[0] if pending else None,
                "escalations_fired": sum(e.status == "fired" for e in r.escalations)})
    instants = ("opened", "start", "deadline", "achieved", "next_escalation")
    for row in rows:  # in UTC first: pandas ignores ``fold`` (the repeated hour of a DST end)
        for column in instants:
            if row[column] is not None:
                row[column] = row[column].astimezone(dt.UTC)
    frame = pd.DataFrame(rows, columns=FIELDS)
    for column in instants:
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
    for column in ("used", "remaining"):
        frame[column] = pd.to_timedelta(frame[column]).astype("timedelta64[us]")
    return frame


FIELDS = ["id", "metric", "severity", "tier", "zone", "opened", "start", "deadline", "achieved",
          "status", "used", "remaining", "share", "next_escalation", "escalations_fired"]


# -- the chunk function ------------------------------------------------------------------------
@pytest.mark.parametrize("name", TEMPLATES)
def test_partitions_equal_evaluate(name: str) -> None:
    """Every built-in template: the results of a Dask DataFrame of generated cases in three
    partitions (threaded scheduler) equal ``evaluate`` case by case, row for row."""
    policy, cases, table = generated(name, "mid")
    ddf = dd.from_pandas(frame_of(table), npartitions=3)
    results = sld.evaluate(policy, ddf, NOWS["mid"])
    got = quiet(lambda: results.compute(scheduler="threads"))
    assert_same_frames(got[FIELDS], reference(policy, cases, NOWS["mid"]))
    assert list(got.columns) == list(results.columns)
    assert dict(got.dtypes) == dict(results.dtypes)  # meta declared the partitions' dtypes


@pytest.mark.parametrize("form", ["long", "wide"])
def test_meta_from_the_schema(form: str) -> None:
    """The declared columns are ``result_schema``'s, then the carried ones, for both forms; an
    empty partition gives them too."""
    policy, _, table = generated("standard-contract", "mid", n=10)
    frame = frame_of(table)
    frame["customer"] = "ACME"
    results = sld.evaluate(policy, dd.from_pandas(frame, npartitions=2), NOWS["mid"], form=form,
                           keep=["customer"])
    names = sla.result_schema(policy, form=form).names
    assert list(results.columns) == [*names, "customer"]
    empty = sld.partition_results(frame.iloc[:0], policy, NOWS["mid"], form, ["customer"])
    assert list(empty.columns) == list(results.columns) and len(empty) == 0
    got = quiet(lambda: results.compute(scheduler="threads"))
    want = quiet(lambda: sla.evaluate_table(policy, frame, NOWS["mid"], form=form,
                                            keep=["customer"]).to_pandas())
    assert_same_frames(got, want)


def test_chunk_schema_is_fixed() -> None:
    """The chunk function's Arrow output has the same schema for any chunk of one table: the
    first rows, the last, a single row and none at all; it is ``result_schema`` followed by
    the carried columns' own types."""
    policy, _, table = generated("standard-contract", "mid", n=60)
    table = table.append_column("customer", pa.array([f"C{i}" for i in range(60)]))
    schemas = set()
    for chunk in (table.slice(0, 30), table.slice(30), table.slice(5, 1), table.slice(0, 0)):
        batch = chunk.combine_chunks().to_batches()
        data = batch[0] if batch else pa.RecordBatch.from_pylist([], schema=table.schema)
        got = quiet(lambda data=data: sla.evaluate_table(policy, data, NOWS["mid"]).to_arrow())
        schemas.add(got.schema)
    assert len(schemas) == 1
    carried = [table.schema.field(n) for n in ("excluded", "closed", "satisfaction", "customer")]
    assert schemas.pop() == sla.result_schema(policy, carried=carried)


def test_horizon_in_partitions() -> None:
    """Cases past the holiday data's horizon: each partition warns as the single-process table
    does, and the values are the same."""
    policy, cases, table = generated("standard-contract", "far")
    vt = policy.calendars[0].calendar.verified_through
    assert vt is not None
    late = sla.Case("late", dt.datetime(vt + 1, 3, 2, 10, tzinfo=SH), cases[0].severity)
    cases = [*cases, late]
    table = sla.io.cases_to_arrow(cases)
    results = sld.evaluate(policy, dd.from_pandas(frame_of(table), npartitions=2), NOWS["far"])
    with pytest.warns(sla.HorizonWarning):
        got = results.compute(scheduler="threads")
    assert_same_frames(got[FIELDS], quiet(lambda: reference(policy, cases, NOWS["far"])))


def test_not_a_dask_frame() -> None:
    """A table in memory is refused with a pointer to evaluate_table."""
    with pytest.raises(TypeError, match="evaluate_table"):
        sld.evaluate(sla.templates.load("helpdesk"), {"id": []})
    with pytest.raises(TypeError, match=r"slacalc\.report"):
        sld.report(sla.templates.load("helpdesk"), [])


def test_pauses_turned_to_text() -> None:
    """A Dask frame whose pauses Dask turned into text (its default for object columns) is
    refused before anything runs, with the way to keep them as lists."""
    policy, _, table = generated("standard-contract", "mid", n=8)
    frame = table.to_pandas()
    frame["pauses"] = frame["pauses"].astype(str)
    with pytest.raises(sla.SlaValueError, match=r"'pauses'.*dtype_backend='pyarrow'"):
        sld.evaluate(policy, dd.from_pandas(frame, npartitions=2), NOWS["mid"])


# -- reports -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", REPORTED)
def test_report_from_partitions(name: str) -> None:
    """A report over five partitions, merged two at a time, equals the report over every case
    at once; so does one broken down by severity per month."""
    policy, cases, table = generated(name, "far", n=120)
    ddf = dd.from_pandas(frame_of(table), npartitions=5)
    now = NOWS["far"]
    with dask_threads():
        got = quiet(lambda: sld.report(policy, ddf, now, split_every=2))
        by = quiet(lambda: sld.report(policy, ddf, now, by=["severity"], period="month"))
    assert got == quiet(lambda: sla.report(policy, cases, now))
    assert by == quiet(lambda: sla.report(policy, cases, now, by=["severity"], period="month"))
    assert any(row.counted for row in got)


def test_report_by_an_attribute() -> None:
    """A breakdown by an attribute column (customer) over partitions equals the report over
    every case at once; one customer's rows equal the report over its cases alone."""
    policy, cases, _ = generated("standard-contract", "far", n=90)
    cases = [attrs.evolve(c, attributes={"customer": ("ACME", "Initech", "Globex")[i % 3]})
             for i, c in enumerate(cases)]
    ddf = dd.from_pandas(frame_of(sla.io.cases_to_arrow(cases)), npartitions=4)
    now = NOWS["far"]
    with dask_threads():
        got = quiet(lambda: sld.report(policy, ddf, now, by=["customer"], split_every=2))
    assert got == quiet(lambda: sla.report(policy, cases, now, by=["customer"]))
    acme = quiet(lambda: sla.report(policy, [c for c in cases
                                             if c.attribute("customer") == "ACME"], now))
    assert [(r.measure, r.period, r.counted, r.met) for r in got
            if r.group == (("customer", "ACME"),)] == [
        (r.measure, r.period, r.counted, r.met) for r in acme]


def dask_threads() -> Any:
    return dask.config.set(scheduler="threads")


# -- a two-process cluster ---------------------------------------------------------------------
def test_local_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a ``distributed.LocalCluster`` of two worker processes (policies pickled to them),
    started with ``WORKER_CONFIG``: the workers run Arrow's jemalloc pool, without Dask's
    malloc trim threshold or the statistical profiler, and every template's results and the
    reports equal the single-process ones. One cluster for the whole check, small data: this
    is about shipping, not about volume."""
    distributed = pytest.importorskip("distributed")

    def settings() -> tuple[str, str | None, bool]:
        return (pa.default_memory_pool().backend_name,
                os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                bool(dask.config.get("distributed.worker.profile.enabled")))

    # nannies started earlier in this process with Dask's defaults left the variable here
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with dask.config.set(sld.WORKER_CONFIG), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert list(client.run(settings).values()) == [("jemalloc", None, False)] * 2
        for name in TEMPLATES:
            policy, cases, table = generated(name, "mid", n=40)
            ddf = dd.from_pandas(frame_of(table), npartitions=2)
            got = client.compute(sld.evaluate(policy, ddf, NOWS["mid"])).result()
            assert_same_frames(got[FIELDS], reference(policy, cases, NOWS["mid"]))
        for name in REPORTED:
            policy, cases, table = generated(name, "far", n=60)
            ddf = dd.from_pandas(frame_of(table), npartitions=3)
            got = sld.report(policy, ddf, NOWS["far"])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                assert got == sla.report(policy, cases, NOWS["far"])
