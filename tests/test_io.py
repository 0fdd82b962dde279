"""``slacalc.io``: reading and writing case files, and ``Case.from_dict`` / ``Case.to_dict``.

Expected values are written out by hand (row texts, line numbers, reasons); the round trip is
checked on hypothesis-generated cases with pauses, severity changes, achievements, closing
times and ratings.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import pickle
import random
import re
import tracemalloc
import warnings
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slacalc as sla
import slacalc.io as case_io
from slacalc.io import (
    BadRow,
    BadRowError,
    CaseFileWarning,
    cases_from_records,
    read_cases,
    write_cases,
)

CST = dt.timezone(dt.timedelta(hours=8))
GOOD = {"id": "T-1", "opened": "2026-10-01T23:10+08:00", "severity": "A"}
POLICY = sla.Policy.from_dict({
    "name": "io-test",
    "calendars": {"always": {"coverage": "7x24", "country": "CN"}},
    "tiers": [{"id": "gold"}],
    "severities": [{"id": "A", "targets": [{"metric": "restore", "calendar": "always",
                                             "within": "2h"}]},
                   {"id": "D", "targets": [{"metric": "reply", "calendar": "always",
                                             "within": "4h"}]}],
})


def jsonl(*rows: Any) -> io.BytesIO:
    """A JSON Lines file in memory; a str is written as the raw line."""
    text = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)
    return io.BytesIO(text.encode("utf-8"))


# -- Case.from_dict / to_dict -------------------------------------------------------------------
class TestFromDict:
    def test_full_row(self) -> None:
        """Every key of the row form, pauses and severity changes as mappings."""
        case = sla.Case.from_dict({
            "id": "T-1", "opened": "2026-10-01T23:10+08:00", "severity": "B", "tier": "gold",
            "zone": "city", "achieved": {"response": "2026-10-01T23:20+08:00", "restore": None},
            "pauses": [{"start": "2026-10-01T23:30+08:00", "end": "2026-10-02T00:00+08:00",
                        "reason": "customer_info"},
                       {"start": "2026-10-02T01:00+08:00", "reason": "vendor_defect"}],
            "severity_changes": [{"at": "2026-10-01T23:40+08:00", "severity": "A"}],
            "excluded": None, "closed": "2026-10-02T03:00+08:00", "satisfaction": 4.5,
        })
        assert case == sla.Case(
            "T-1", dt.datetime(2026, 10, 1, 23, 10, tzinfo=CST), "B", tier="gold", zone="city",
            achieved={"response": dt.datetime(2026, 10, 1, 23, 20, tzinfo=CST)},
            pauses=[sla.Pause(dt.datetime(2026, 10, 1, 23, 30, tzinfo=CST),
                              dt.datetime(2026, 10, 2, 0, 0, tzinfo=CST), "customer_info"),
                    sla.Pause(dt.datetime(2026, 10, 2, 1, 0, tzinfo=CST), None, "vendor_defect")],
            severity_changes=[sla.SeverityChange(dt.datetime(2026, 10, 1, 23, 40, tzinfo=CST),
                                                 "A")],
            closed=dt.datetime(2026, 10, 2, 3, 0, tzinfo=CST), satisfaction=4.5,
        )

    def test_values_as_objects(self) -> None:
        """Datetimes, Pause and SeverityChange values are taken as they are."""
        t = dt.datetime(2026, 10, 1, 23, 10, tzinfo=CST)
        pause = sla.Pause(t, None, "customer_info")
        case = sla.Case.from_dict({"id": 7, "opened": t, "severity": 1, "pauses": [pause]})
        assert (case.id, case.severity, case.pauses) == ("7", "1", (pause,))

    def test_to_dict_is_json_ready(self) -> None:
        """to_dict gives ISO 8601 text with the offset, every key present."""
        case = sla.Case("T-1", dt.datetime(2026, 10, 1, 23, 10, 5, 12, tzinfo=CST), "A",
                        pauses=[sla.Pause(dt.datetime(2026, 10, 2, tzinfo=CST), None, "x")])
        row = case.to_dict()
        assert json.loads(json.dumps(row)) == row
        assert row["opened"] == "2026-10-01T23:10:05.000012+08:00"
        assert row["pauses"] == [{"start": "2026-10-02T00:00:00+08:00", "end": None,
                                  "reason": "x"}]
        assert list(row) == ["id", "opened", "severity", "tier", "zone", "achieved", "pauses",
                             "severity_changes", "excluded", "closed", "satisfaction"]

    def test_attributes(self) -> None:
        """Other keys are the case's attributes: text, numbers and booleans are kept as they
        are; None, blank text and NaN mean none; to_dict puts them after the fields, by name."""
        case = sla.Case.from_dict({**GOOD, "site": 12, "customer": "ACME", "vip": True,
                                   "weight": 2.5, "region": None, "team": " ",
                                   "score": float("nan")})
        assert case.attributes == (("customer", "ACME"), ("site", 12), ("vip", True),
                                   ("weight", 2.5))
        assert case.attribute("customer") == "ACME"
        assert case.attribute("region") is None and case.attribute("region", "-") == "-"
        row = case.to_dict()
        assert list(row)[11:] == ["customer", "site", "vip", "weight"]
        assert sla.Case.from_dict(row) == case
        assert "customer 'ACME', site 12, vip True, weight 2.5" in repr(case)

    @pytest.mark.parametrize(("row", "says"), [
        ({**GOOD, "severty": "A"}, "the key 'severty', which looks like a misspelt 'severity'"),
        ({**GOOD, "Opened": "x"}, "looks like a misspelt 'opened'"),
        ({**GOOD, "Achieved.restore": "2026-10-01T23:30+08:00"},
         "'Achieved.restore', which looks like a misspelt 'achieved.restore'"),
        ({**GOOD, "achieved_restore": "2026-10-01T23:30+08:00"},
         "looks like a misspelt 'achieved.restore'"),
        ({**GOOD, "tags": ["a"]}, "the column 'tags' holds ['a'], a list"),
        ({**GOOD, "due": dt.datetime(2026, 10, 2, tzinfo=CST)}, "a datetime; an attribute holds"),
        ({**GOOD, "weight": float("inf")}, "'weight' holds inf, which is not a finite number"),
        ({**GOOD, "achieved.restore": "2026-10-01T23:30+08:00"}, "is a field of the case"),
        ({**GOOD, "": "x"}, "'' is not an attribute name"),
        ({**GOOD, "a\u202eb": "x"}, "holds a control or bidirectional character"),
        ({**GOOD, "id": None}, "missing id"),
        ({**GOOD, "id": True}, "id True is not a string"),
        ({**GOOD, "opened": "2026-10-01T23:10"}, "has no UTC offset"),
        ({**GOOD, "opened": "yesterday"}, "is not an ISO 8601 date-time"),
        ({**GOOD, "pauses": [{"start": "2026-10-01T23:30+08:00", "why": "x"}]},
         "pauses[0] has the unknown key 'why'"),
        ({**GOOD, "pauses": {"start": "2026-10-01T23:30+08:00"}}, "is not a list"),
        ({**GOOD, "achieved": ["response"]}, "is not a mapping"),
        ({**GOOD, "satisfaction": "4"}, "satisfaction '4' is not a number"),
        ({**GOOD, "satisfaction": 10**400}, "outside the rating scale"),
        ({**GOOD, "opened": "0001-01-01T00:00+14:00"}, "cannot be converted to UTC"),
        ({**GOOD, "opened": "9999-12-31T23:59-14:00"}, "cannot be converted to UTC"),
    ])
    def test_bad_rows(self, row: dict[str, Any], says: str) -> None:
        """Each bad value is an SlaValueError naming the key and the value."""
        with pytest.raises(sla.SlaValueError) as info:
            sla.Case.from_dict(row)
        assert says in str(info.value)

    def test_input_not_mutated(self) -> None:
        """The row passed in is left as it was."""
        row = {**GOOD, "pauses": [{"start": "2026-10-01T23:30+08:00", "reason": "x"}]}
        before = json.dumps(row)
        sla.Case.from_dict(row)
        assert json.dumps(row) == before


# -- the round trip -----------------------------------------------------------------------------
_OFFSETS = st.sampled_from([dt.UTC, CST, dt.timezone(dt.timedelta(hours=-5)),
                            dt.timezone(dt.timedelta(hours=5, minutes=45))])
_NAMES = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
_IDS = st.text(st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=12)


@st.composite
def instants(draw: st.DrawFn, after: dt.datetime | None = None) -> dt.datetime:
    base = after or dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    seconds = draw(st.integers(0, 3 * 365 * 86_400))
    micro = draw(st.sampled_from([0, 0, 1, 500_000, 999_999]))
    return (base + dt.timedelta(seconds=seconds, microseconds=micro)).astimezone(draw(_OFFSETS))


#: Each attribute name holds one kind of value (an Arrow column holds one type); ``score`` mixes
#: whole and real numbers, which Arrow keeps as float64 (a whole number reads back as the equal
#: float).
_ATTRIBUTE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "customer": st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1,
                        max_size=10).filter(str.strip),
    "site": st.integers(-(2**63), 2**63 - 1),
    "vip": st.booleans(),
    "score": st.integers(-1000, 1000) | st.floats(allow_nan=False, allow_infinity=False),
}


@st.composite
def attribute_maps(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(_ATTRIBUTE_VALUES)), unique=True))
    return {name: draw(_ATTRIBUTE_VALUES[name]) for name in names}


def as_csv_text(value: Any) -> str:
    """An attribute as a CSV file holds it (and reads it back): text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


@st.composite
def cases(draw: st.DrawFn) -> sla.Case:
    opened = draw(instants())
    later = instants(opened)
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(later)
        end = draw(st.none() | instants(start))
        pauses.append(sla.Pause(start, end, draw(_NAMES)))
    changes = [sla.SeverityChange(draw(later), draw(st.sampled_from(["A", "B", "1"])))
               for _ in range(draw(st.integers(0, 2)))]
    achieved = draw(st.dictionaries(_NAMES, later, max_size=3))
    return sla.Case(
        draw(_IDS), opened, draw(st.sampled_from(["A", "B", "C", "4"])),
        tier=draw(st.none() | _NAMES), zone=draw(st.none() | _NAMES), achieved=achieved,
        pauses=pauses, severity_changes=changes, excluded=draw(st.none() | _NAMES),
        closed=draw(st.none() | later),
        satisfaction=draw(st.none() | st.integers(1, 5)
                          | st.floats(1, 5, allow_nan=False).filter(lambda x: x != int(x))),
        attributes=draw(attribute_maps()),
    )


class TestRoundTrip:
    @settings(max_examples=150, deadline=None)
    @given(st.lists(cases(), max_size=6, unique_by=lambda c: c.id),
           st.sampled_from(["jsonl", "csv"]))
    def test_read_write(self, written: list[sla.Case], fmt: str) -> None:
        """read_cases(write_cases(cases)) == cases, for JSON Lines and CSV; attributes come
        back as they were from JSON Lines, and as text from CSV (which holds only text)."""
        text = io.StringIO()
        assert write_cases(written, text, fmt) == len(written)
        back = list(read_cases(io.BytesIO(text.getvalue().encode("utf-8")), fmt))
        if fmt == "csv":
            written = [attrs.evolve(c, attributes={k: as_csv_text(v) for k, v in c.attributes})
                       for c in written]
        assert back == written
        assert [[type(v) for _, v in c.attributes] for c in back] == [
            [type(v) for _, v in c.attributes] for c in written]

    @settings(max_examples=50, deadline=None)
    @given(cases())
    def test_from_dict_to_dict(self, case: sla.Case) -> None:
        """Case.from_dict(case.to_dict()) == case, also through JSON text."""
        assert sla.Case.from_dict(json.loads(json.dumps(case.to_dict()))) == case

    def test_zone_instants_come_back_as_the_same_instants(self, tmp_path: Path) -> None:
        """Instants in an IANA zone (here the repeated hour of a New York fall-back) come back
        with fixed offsets: the same instants, the same text."""
        ny = ZoneInfo("America/New_York")
        second = dt.datetime(2026, 11, 1, 1, 30, tzinfo=ny, fold=1)  # 01:30 EST, the second one
        case = sla.Case("N-1", second, "A", achieved={"response": second})
        path = tmp_path / "cases.jsonl"
        write_cases([case], path)
        (back,) = read_cases(path)
        assert back.opened.isoformat() == "2026-11-01T01:30:00-05:00"
        assert back.opened.astimezone(dt.UTC) == dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)
        assert back.to_dict() == case.to_dict()

    def test_unsafe_text_escaped_in_json(self) -> None:
        """Control and bidi-override characters (in a zone: a case id may not hold them) are
        written as JSON escapes and read back."""
        case = sla.Case("A", dt.datetime(2026, 1, 5, tzinfo=CST), "A", zone="A\u202eB\x00")
        text = io.StringIO()
        write_cases([case], text, "jsonl")
        assert "\u202e" not in text.getvalue() and "\\u202e" in text.getvalue()
        (back,) = read_cases(io.BytesIO(text.getvalue().encode()), "jsonl")
        assert back.zone == "A\u202eB\x00"


# -- tables: Arrow, Parquet, pandas, polars ---------------------------------------------------
def _via_arrow(written: list[sla.Case], tmp: Path) -> list[sla.Case]:
    return list(case_io.cases_from_table(case_io.cases_to_arrow(written)))


def _via_batches(written: list[sla.Case], tmp: Path) -> list[sla.Case]:
    table = case_io.cases_to_arrow(written, zone="Asia/Shanghai")
    return list(case_io.cases_from_table(table.to_batches(max_chunksize=2)))


def _via_pandas(written: list[sla.Case], tmp: Path) -> list[sla.Case]:
    return list(case_io.cases_from_table(case_io.cases_to_pandas(written)))


def _via_polars(written: list[sla.Case], tmp: Path) -> list[sla.Case]:
    return list(case_io.cases_from_table(case_io.cases_to_polars(written)))


def _via_parquet(written: list[sla.Case], tmp: Path) -> list[sla.Case]:
    path = tmp / "cases.parquet"
    assert write_cases(written, path) == len(written)
    return list(read_cases(path))


TABLE_ROUTES = {"arrow": _via_arrow, "batches": _via_batches, "pandas": _via_pandas,
                "polars": _via_polars, "parquet": _via_parquet}


class TestTables:
    @settings(max_examples=40, deadline=None)
    @given(st.lists(cases(), max_size=6, unique_by=lambda c: c.id),
           st.sampled_from(sorted(TABLE_ROUTES)))
    def test_round_trip(self, tmp_path_factory: pytest.TempPathFactory,
                        written: list[sla.Case], route: str) -> None:
        """read(write(cases)) == cases through Arrow tables, record batches, pandas and polars
        DataFrames and Parquet files: pauses, severity changes, events, ratings and instants
        (the same instants, to the microsecond) come back."""
        pytest.importorskip("pyarrow")
        back = TABLE_ROUTES[route](written, tmp_path_factory.mktemp(route))
        assert back == written
        for old, new in zip(written, back, strict=True):  # the same instants, not wall times
            assert [p.start.astimezone(dt.UTC) for p in new.pauses] == [
                p.start.astimezone(dt.UTC) for p in old.pauses]

    def test_parquet_streams_in_batches(self, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
        """A Parquet file is written and read a record batch at a time: with batches of 3,
        10 cases come back in order, and the file has 4 row groups (3+3+3+1)."""
        pq = pytest.importorskip("pyarrow.parquet")
        monkeypatch.setattr(case_io, "TABLE_CHUNK", 3)
        opened = dt.datetime(2026, 10, 1, 9, tzinfo=CST)
        written = [sla.Case(f"T-{n}", opened + dt.timedelta(hours=n), "A") for n in range(10)]
        path = tmp_path / "cases.parquet"
        write_cases(iter(written), path)
        assert pq.ParquetFile(path).metadata.num_row_groups == 4
        reader = read_cases(path)
        assert list(reader) == written
        assert reader.line == 10

    def test_parquet_reading_holds_about_a_row_group(self, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
        """Reading a Parquet file of 16 row groups a batch at a time holds no more than a few
        row groups' bytes at once, not the whole file (pyarrow's pre-buffering, on by default,
        would keep every row group read until the reader closes)."""
        pa = pytest.importorskip("pyarrow")
        pq = pytest.importorskip("pyarrow.parquet")
        monkeypatch.setattr(case_io, "TABLE_CHUNK", 100)
        n = 4_000
        opened = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
        path = tmp_path / "cases.parquet"
        # incompressible 1,000-character tiers: the file is about 4 MB, 250 KB a row group
        rng = random.Random(7)
        pq.write_table(pa.table({"id": [f"T-{i}" for i in range(n)],
                                 "opened": pa.array([opened] * n),
                                 "severity": ["A"] * n,
                                 "tier": [rng.randbytes(500).hex() for _ in range(n)]}),
                       path, row_group_size=250, compression="none")
        size = path.stat().st_size
        held, last = [], None
        tracemalloc.start()
        try:
            for i, case in enumerate(read_cases(path)):
                last = case.id
                if i % 500 == 250:
                    held.append(tracemalloc.get_traced_memory()[0])
        finally:
            tracemalloc.stop()
        assert last == f"T-{n - 1}" and len(held) == 8
        assert max(held) < size / 2, (size, held)

    def test_evaluate_table_reads_the_written_table(self, tmp_path: Path) -> None:
        """A Parquet file of cases_to_arrow's columns goes straight to evaluate_table:
        response due 30 minutes after 10:00 on a 7x24 helpdesk, met at 10:20."""
        pq = pytest.importorskip("pyarrow.parquet")
        policy = sla.templates.load("helpdesk")
        opened = dt.datetime(2026, 10, 9, 10, tzinfo=CST)
        case = sla.Case("T-1", opened, "any",
                        achieved={"response": opened + dt.timedelta(minutes=20)})
        path = tmp_path / "cases.parquet"
        write_cases([case], path)
        (row,) = sla.evaluate_table(policy, pq.read_table(path)).records()
        assert (row["id"], row["status"]) == ("T-1", "met")
        assert row["deadline"] == opened + dt.timedelta(minutes=30)

    def test_new_event_after_the_first_chunk(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An event first seen after the first chunk of an iterator is an error naming it and
        events=; with events= given, it is written."""
        pytest.importorskip("pyarrow")
        monkeypatch.setattr(case_io, "TABLE_CHUNK", 1)
        opened = dt.datetime(2026, 10, 1, 9, tzinfo=CST)
        written = [sla.Case("T-1", opened, "A"),
                   sla.Case("T-2", opened, "A", achieved={"response": opened})]
        with pytest.raises(sla.SlaValueError, match=r"event 'response'.*events="):
            case_io.cases_to_arrow(iter(written))
        table = case_io.cases_to_arrow(iter(written), events=["response"])
        assert list(case_io.cases_from_table(table)) == written

    def test_new_attribute_after_the_first_chunk(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An attribute first seen after the first chunk of an iterator is an error naming it
        (Arrow: and attributes=; CSV: and JSON Lines); with attributes= given, it is written."""
        pytest.importorskip("pyarrow")
        monkeypatch.setattr(case_io, "TABLE_CHUNK", 1)
        opened = dt.datetime(2026, 10, 1, 9, tzinfo=CST)
        written = [sla.Case("T-1", opened, "A"),
                   sla.Case("T-2", opened, "A", attributes={"customer": "ACME"})]
        with pytest.raises(sla.SlaValueError, match=r"'T-2' has the attribute 'customer'.*"
                           r"attributes=\[\.\.\.\]"):
            case_io.cases_to_arrow(iter(written))
        with pytest.raises(sla.SlaValueError, match=r"attribute 'customer'.*JSON Lines"):
            write_cases(iter(written), io.StringIO(), "csv")
        with pytest.raises(sla.SlaValueError, match=r"attribute 'customer'.*JSON Lines.*"
                           r"cases_to_arrow\(cases, attributes=\[\.\.\.\]\) with pyarrow"):
            write_cases(written, io.BytesIO(), "parquet")  # type: ignore[arg-type]
        table = case_io.cases_to_arrow(iter(written), attributes=["customer"])
        assert table.column("customer").to_pylist() == [None, "ACME"]
        assert list(case_io.cases_from_table(table)) == written

    @pytest.mark.parametrize(("first", "later", "column"), [
        (1, 2.7, "int64"), (2.5, True, "float64"), (True, 1, "bool"), ("a", 1, "string"),
        (1, False, "int64")])
    def test_later_chunk_of_another_kind(self, monkeypatch: pytest.MonkeyPatch, first: Any,
                                         later: Any, column: str) -> None:
        """A later chunk's attribute of a kind its column (typed by the first chunk) cannot
        hold is an error naming the case and the value, in Arrow and in Parquet; pyarrow
        would turn 2.7 into the int64 2 and True into the float64 1.0. A whole number in a
        float64 column is fine."""
        pytest.importorskip("pyarrow")
        monkeypatch.setattr(case_io, "TABLE_CHUNK", 1)
        opened = dt.datetime(2026, 10, 1, 9, tzinfo=CST)
        written = [sla.Case("T-1", opened, "A", attributes={"x": first}),
                   sla.Case("T-2", opened, "A", attributes={"x": later})]
        says = (rf"case 'T-2' has the attribute 'x' = {re.escape(repr(later))} \(a "
                rf"{type(later).__name__}\), which its {column} column cannot hold")
        with pytest.raises(sla.SlaValueError, match=says):
            case_io.cases_to_arrow(iter(written))
        with pytest.raises(sla.SlaValueError, match=says):
            write_cases(written, io.BytesIO(), "parquet")  # type: ignore[arg-type]
        mixed = [sla.Case("T-1", opened, "A", attributes={"x": 2.5}),
                 sla.Case("T-2", opened, "A", attributes={"x": 3})]
        assert case_io.cases_to_arrow(iter(mixed)).column("x").to_pylist() == [2.5, 3.0]

    def test_list_types_columns_from_every_case(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """From a list (not an iterator), the attribute columns and their types come from
        every case, not only the first chunk: whole numbers then reals make a float64 column."""
        pa = pytest.importorskip("pyarrow")
        monkeypatch.setattr(case_io, "TABLE_CHUNK", 1)
        opened = dt.datetime(2026, 10, 1, 9, tzinfo=CST)
        written = [sla.Case("T-1", opened, "A", attributes={"x": 3}),
                   sla.Case("T-2", opened, "A", attributes={"x": 2.5, "site": "north"})]
        table = case_io.cases_to_arrow(written)
        assert table.schema.field("x").type == pa.float64()
        assert table.column("x").to_pylist() == [3.0, 2.5]
        assert table.column("site").to_pylist() == [None, "north"]

    def test_attribute_columns(self) -> None:
        """An attribute column has one Arrow type: string, int64, bool, or float64 for whole and
        real numbers mixed; text mixed with numbers is an error naming the attribute, and so is
        a later chunk's value of another kind."""
        pa = pytest.importorskip("pyarrow")
        opened = dt.datetime(2026, 10, 1, 9, tzinfo=CST)

        def table(*values: Any) -> Any:
            return case_io.cases_to_arrow([sla.Case(f"T-{n}", opened, "A", attributes={"x": v})
                                           for n, v in enumerate(values)])

        assert table("a", None).schema.field("x").type == pa.string()
        assert table(1, 2**62).schema.field("x").type == pa.int64()
        assert table(True, False).schema.field("x").type == pa.bool_()
        assert table(1, 2.5).column("x").to_pylist() == [1.0, 2.5]
        with pytest.raises(sla.SlaValueError, match=r"'x' holds values of several kinds "
                           r"\(int, str\)"):
            table("a", 1)
        with pytest.raises(sla.SlaValueError, match=r"the attribute 'x' cannot be an Arrow"):
            table(2**63)  # past int64
        with pytest.raises(sla.SlaValueError, match=r"attributes: 'id' is a field of the case"):
            case_io.cases_to_arrow([], attributes=["id"])

    def test_attributes_carried_into_results(self) -> None:
        """evaluate_table carries an attribute column of cases_to_arrow into every result row."""
        pytest.importorskip("pyarrow")
        policy = sla.templates.load("helpdesk")
        opened = dt.datetime(2026, 10, 9, 10, tzinfo=CST)
        written = [sla.Case("T-1", opened, "any", attributes={"customer": "ACME"}),
                   sla.Case("T-2", opened, "any")]
        rows = sla.evaluate_table(policy, case_io.cases_to_arrow(written)).records()
        assert [(r["id"], r["customer"]) for r in rows] == [("T-1", "ACME"), ("T-2", None)]

    def test_pandas_index_column_is_not_an_attribute(self) -> None:
        """The column pandas writes a DataFrame's unnamed index to (in a Parquet file) is noted
        once and ignored, not kept as every case's attribute."""
        pd = pytest.importorskip("pandas")
        pytest.importorskip("pyarrow")
        frame = pd.DataFrame({"id": ["T-1", "T-2"], "opened": [GOOD["opened"]] * 2,
                              "severity": ["A", "B"], "customer": ["ACME", None]},
                             index=[7, 3])
        data = io.BytesIO()
        frame.to_parquet(data)
        data.seek(0)
        notes: list[str] = []
        got = list(read_cases(data, "parquet", on_note=notes.append))
        assert [c.attributes for c in got] == [(("customer", "ACME"),), ()]
        assert len(notes) == 1
        assert "ignoring the column '__index_level_0__'" in notes[0]

    def test_empty_and_bad_input(self) -> None:
        """No cases: an empty table with the columns; a non-table, a bad zone: clear errors."""
        pytest.importorskip("pyarrow")
        table = case_io.cases_to_arrow([])
        assert table.num_rows == 0 and "pauses" in table.column_names
        assert list(case_io.cases_from_table(table)) == []
        with pytest.raises(sla.SlaValueError, match=r"reads a pyarrow Table.*not 42"):
            list(case_io.cases_from_table(42))
        with pytest.raises(sla.SlaValueError, match="zone='Mars/Base' is not an IANA"):
            case_io.cases_to_arrow([], zone="Mars/Base")
        with pytest.raises(sla.SlaValueError, match=r"iterable of slacalc\.Case"):
            case_io.cases_to_arrow(sla.Case("T", dt.datetime(2026, 1, 1, tzinfo=CST), "A"))

    def test_bad_rows_in_a_table(self) -> None:
        """A table row without a UTC offset is a bad row with its row number, as in files."""
        pa = pytest.importorskip("pyarrow")
        table = pa.table({"id": ["T-1", "T-2"],
                          "opened": ["2026-10-01T09:00+08:00", "2026-10-01T09:00"],
                          "severity": ["A", "A"]})
        reader = case_io.cases_from_table(table, errors="collect")
        assert [c.id for c in reader] == ["T-1"]
        assert [(e.line, e.source) for e in reader.errors] == [(2, "<table>")]

    def test_not_parquet(self, tmp_path: Path) -> None:
        """A file named .parquet that is not one: a clear error naming the file."""
        pytest.importorskip("pyarrow")
        path = tmp_path / "cases.parquet"
        path.write_text("id,opened\n", encoding="utf-8")
        with pytest.raises(sla.SlaValueError, match="not a readable Parquet file"):
            list(read_cases(path))


# -- reading ------------------------------------------------------------------------------------
BAD_FILE = (GOOD, "{not json", {**GOOD, "id": "T-2", "opened": "2026-10-01T23:10"},
            '{"id": "T-3", "opened": "2026-10-01T23:10+08:00", "severity": "A", '
            '"satisfaction": ' + "9" * 5000 + "}", {**GOOD, "id": "T-4"})


class TestBadRowPolicy:
    def test_raise(self) -> None:
        """errors='raise' stops at the first bad row with its line number and reason."""
        reader = read_cases(jsonl(*BAD_FILE), "jsonl")
        assert next(reader).id == "T-1"
        with pytest.raises(BadRowError) as info:
            next(reader)
        assert info.value.bad_row == BadRow("<stream>", 2, "bad JSON: Expecting property name "
                                            "enclosed in double quotes (character 2)")
        assert str(info.value).startswith("<stream>:2: bad JSON")

    def test_skip_with_callback(self) -> None:
        """errors='skip' reports each bad row to on_skip and goes on."""
        seen: list[BadRow] = []
        ids = [c.id for c in read_cases(jsonl(*BAD_FILE), "jsonl", errors="skip",
                                        on_skip=seen.append)]
        assert ids == ["T-1", "T-4"]
        assert [b.line for b in seen] == [2, 3, 4]
        assert "has no UTC offset" in seen[1].reason
        assert seen[2].reason == "bad JSON: a number has more digits than Python reads (4,300)"

    def test_skip_warns_without_callback(self) -> None:
        """Without on_skip, each skipped row is a CaseFileWarning naming its line."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ids = [c.id for c in read_cases(jsonl(*BAD_FILE), "jsonl", errors="skip")]
        assert ids == ["T-1", "T-4"]
        assert [w.category for w in caught] == [CaseFileWarning] * 3
        assert str(caught[0].message).startswith("skipped <stream>:2: bad JSON")

    def test_collect(self) -> None:
        """errors='collect' keeps the bad rows on the reader's errors list."""
        reader = read_cases(jsonl(*BAD_FILE), "jsonl", errors="collect")
        assert [c.id for c in reader] == ["T-1", "T-4"]
        assert [b.line for b in reader.errors] == [2, 3, 4]
        assert (reader.cases, reader.skipped) == (2, 3)

    def test_unknown_policy(self) -> None:
        """An unknown errors= value is refused at once."""
        with pytest.raises(sla.SlaValueError, match="errors='ignore' is not a bad-row policy"):
            read_cases(jsonl(GOOD), "jsonl", errors="ignore")  # type: ignore[arg-type]

    def test_bad_row_error_pickles(self) -> None:
        """BadRowError survives pickling (multiprocessing ships exceptions)."""
        exc = BadRowError(BadRow("cases.csv", 7, "missing id"))
        back = pickle.loads(pickle.dumps(exc))
        assert (type(back), back.bad_row, str(back)) == (BadRowError, exc.bad_row,
                                                        "cases.csv:7: missing id")


class TestReadCases:
    def test_csv(self) -> None:
        """CSV: a header, achieved.<name> columns, JSON cells, empty cells meaning none, a BOM
        and CRLF line ends; a quoted cell spanning lines counts from its first line."""
        text = ("\ufeffid,opened,severity,achieved.response,pauses,satisfaction\r\n"
                "T-1,2026-10-01T23:10+08:00,A,2026-10-01T23:20+08:00,,4\r\n"
                'T-2,2026-10-01T23:10+08:00,A,,"[{""start"": ""2026-10-01T23:30+08:00"",\r\n'
                '""reason"": ""x""}]",\r\n'
                "T-3,2026-10-01T23:10,A,,,\r\n")
        reader = read_cases(io.BytesIO(text.encode("utf-8")), "csv", errors="collect")
        got = list(reader)
        assert [c.id for c in got] == ["T-1", "T-2"]
        assert got[0].satisfaction == 4 and got[0].achieved_at("response") is not None
        assert got[1].pauses[0].reason == "x"
        assert [(b.line, "no UTC offset" in b.reason) for b in reader.errors] == [(5, True)]

    def test_csv_header_without_id(self) -> None:
        """A CSV header without a required column is an error for the whole file."""
        reader = read_cases(io.BytesIO(b"opened,severity\n"), "csv", errors="skip")
        with pytest.raises(sla.SlaValueError, match="the header lacks the column id"):
            list(reader)

    def test_path_and_format_from_the_name(self, tmp_path: Path) -> None:
        """A path's ending gives the format; the reader closes the file it opened."""
        path = tmp_path / "cases.ndjson"
        path.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
        with read_cases(path) as reader:
            assert [c.id for c in reader] == ["T-1"]
        with pytest.raises(sla.SlaValueError, match="cannot tell the format"):
            read_cases(tmp_path / "cases.txt")
        with pytest.raises(sla.SlaValueError, match="cannot read the cases file"):
            read_cases(tmp_path / "missing.csv")

    def test_streams_one_row_at_a_time(self, tmp_path: Path) -> None:
        """The first case is handed out after reading a little of a large file, not all of it."""
        path = tmp_path / "big.jsonl"
        row = json.dumps(GOOD) + "\n"
        path.write_text(row * 100_000, encoding="utf-8")
        with path.open("rb") as stream:
            reader = read_cases(stream, "jsonl")
            next(reader)
            assert stream.tell() < len(row) * 1_000  # one buffer, not the file

    def test_policy_checks(self) -> None:
        """With a policy, unknown severities (also in a change) and tiers are bad rows."""
        reader = read_cases(jsonl(
            GOOD, {**GOOD, "severity": "Z"}, {**GOOD, "tier": "silver"},
            {**GOOD, "severity_changes": [{"at": "2026-10-02T00:00+08:00", "severity": "Q"}]},
        ), "jsonl", policy=POLICY, errors="collect")
        assert len(list(reader)) == 1
        assert [b.reason for b in reader.errors] == [
            "unknown severity 'Z'; the policy has A, D",
            "unknown tier 'silver'; the policy has gold",
            "unknown severity change 'Q'; the policy has A, D",
        ]

    def test_notes(self) -> None:
        """A field that looks misspelt, or holds what an attribute cannot, is noted once and
        ignored; other fields are kept as attributes without a note; a repeated case id is
        noted with both line numbers (both rows are still read)."""
        notes: list[str] = []
        got = list(read_cases(jsonl({**GOOD, "customer": "x", "Severity": "B"},
                                    {**GOOD, "customer": "y", "tags": ["a"], "Severity": "B"},
                                    {**GOOD, "id": "T-9", "tags": ["b"]}),
                              "jsonl", on_note=notes.append))
        assert [c.id for c in got] == ["T-1", "T-1", "T-9"]
        assert [c.attribute("customer") for c in got] == ["x", "y", None]
        assert [c.attributes for c in got][2] == ()
        assert len(notes) == 3
        assert notes[0].startswith("<stream>:1: ignoring the column 'Severity' (noted once): it "
                                   "looks like a misspelt 'severity'")
        assert notes[1] == ("<stream>:2: ignoring the column 'tags' (noted once): the column "
                            "'tags' holds ['a'], a list; an attribute holds text, a number or a "
                            "boolean; convert it to text to keep it")
        assert notes[2] == "<stream>:2: case id 'T-1' repeats the id of line 1"

    def test_misspelt_achieved_column(self) -> None:
        """A CSV column Achieved.restore (or achieved_restore) is noted as a misspelt
        achieved.restore, not kept as text while the restore counts as not achieved."""
        notes: list[str] = []
        rows = io.StringIO("id,opened,severity,Achieved.restore,customer\n"
                           "T-1,2026-10-01T23:10+08:00,A,2026-10-01T23:30+08:00,ACME\n")
        (case,) = read_cases(rows, "csv", on_note=notes.append)
        assert case.attributes == (("customer", "ACME"),) and case.achieved == ()
        assert len(notes) == 1
        assert "ignoring the column 'Achieved.restore' (noted once): it looks like a " \
               "misspelt 'achieved.restore'" in notes[0]

    def test_column_names_checked_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A reader checks each extra column's name once, not on every row (the check looks
        for misspelt fields); a name with spaces around it is noted and ignored."""
        calls: list[str] = []
        real = case_io.misspelt_field
        monkeypatch.setattr(case_io, "misspelt_field",
                            lambda name: calls.append(name) or real(name))
        notes: list[str] = []
        rows = [{**GOOD, "id": f"T-{n}", "customer": "ACME", " site ": 3} for n in range(5)]
        got = list(read_cases(jsonl(*rows), "jsonl", on_note=notes.append))
        assert [c.attributes for c in got] == [(("customer", "ACME"),)] * 5
        assert calls == ["customer"]
        assert len(notes) == 1 and "' site ' has spaces around it" in notes[0]


class TestCasesFromRecords:
    def test_records(self) -> None:
        """Rows are numbered from 1; a non-mapping is a bad row."""
        reader = cases_from_records([GOOD, ["not", "a", "row"], {**GOOD, "id": "T-2"}],
                                    errors="collect")
        assert [c.id for c in reader] == ["T-1", "T-2"]
        assert [(b.source, b.line) for b in reader.errors] == [("<records>", 2)]

    def test_lazy(self) -> None:
        """Records are pulled one at a time from the iterable."""
        pulled: list[int] = []

        def rows() -> Any:
            for i in range(1_000_000):
                pulled.append(i)
                yield {**GOOD, "id": f"T{i}"}

        reader = cases_from_records(rows())
        assert next(reader).id == "T0"
        assert len(pulled) == 1
