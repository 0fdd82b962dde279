"""Columnar evaluation: a table of cases in, a table of results out, without an object per case.

:func:`evaluate_table` is the unit a data pipeline calls on each chunk of cases (a Parquet row
group, a Dask or Spark partition, a DataFrame in a notebook). It takes the cases as columns, in
the row schema of the case files, and gives a :class:`ResultTable`: one row per case and metric
(``form="long"``) or one row per case (``form="wide"``), with the case's other columns carried
along. The values equal those of :func:`slacalc.evaluate`, case by case.

The cases' columns (names as in the case files):

``id``, ``opened`` (required); ``severity`` (required by a policy with severity levels);
``tier``, ``zone``, ``excluded``;
``achieved.<name>`` (one column per metric or event) or ``achieved`` (a mapping or struct per
row); ``pauses`` (a list of ``{start, end, reason}`` per row); ``severity_changes`` (a list of
``{at, severity}``). Instants are aware datetimes, ISO 8601 strings with an offset, int POSIX
microseconds (also as ``array('q')``) or timezone-aware Arrow timestamps; missing values are
``None`` (or Arrow nulls). Any other column (``customer``, ``closed``, ``satisfaction``, ...) is
carried into the results unchanged.

Input may be a mapping of column name to sequence (lists, tuples, ``array('q')``), a
``pyarrow.Table`` or ``RecordBatch``, anything with ``__arrow_c_stream__``, or a pandas or
polars DataFrame (converted to Arrow first). pyarrow is needed for every input but the mapping,
and for the Arrow, pandas and polars exports; the computation itself is plain Python.

>>> import datetime as dt
>>> import slacalc as sla
>>> policy = sla.templates.load("helpdesk")
>>> tz = dt.timezone(dt.timedelta(hours=8))
>>> cases = {
...     "id": ["T-1", "T-2"],
...     "opened": [dt.datetime(2026, 9, 30, 16, tzinfo=tz), dt.datetime(2026, 10, 9, 10, tzinfo=tz)],
...     "severity": ["any", "any"],
...     "achieved.response": [None, "2026-10-09T10:20:00+08:00"],
...     "customer": ["ACME", "Initech"],
... }
>>> results = sla.evaluate_table(policy, cases, now=dt.datetime(2026, 10, 9, 12, tzinfo=tz))
>>> for row in results.records():
...     print(row["id"], row["metric"], row["status"], row["deadline"], row["customer"])
T-1 response breached 2026-09-30 16:30:00+08:00 ACME
T-2 response met 2026-10-09 10:30:00+08:00 Initech
"""

from __future__ import annotations

import datetime as dt
import os
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache, partial
from itertools import chain
from operator import gt
from typing import Any
from zoneinfo import ZoneInfo

from slacalc._batch import (
    _MAX_US,
    _MIN_US,
    _NO_RULE,
    _PAUSED,
    BREACHED,
    MET,
    NOT_APPLICABLE,
    PENDING,
    RUNNING,
    _Batch,
    _Group,
    _Plan,
    _Seconds,
    _seen_by,
    _Shared,
    _used_us,
)
from slacalc._timeline import EPOCH, US, Instants
from slacalc.case import Case, Pause, SeverityChange
from slacalc.errors import (
    NaiveDatetimeError,
    SlaValueError,
    echo,
    optional_module,
)
from slacalc.evaluation import STATUSES, MetricResult, evaluate, known_names, unknown_name
from slacalc.policy import Policy

__all__ = ["FIELDS", "ResultTable", "carried_columns", "evaluate_table", "result_schema"]

#: The per-metric fields of a result, in column order.
FIELDS = ("start", "deadline", "achieved", "status", "used", "remaining", "share",
          "next_escalation", "escalations_fired")
#: The case columns every result table starts with.
CASE_FIELDS = ("id", "severity", "tier", "zone", "opened")
_INSTANT_FIELDS = frozenset({"opened", "start", "deadline", "achieved", "next_escalation"})
_DURATION_FIELDS = frozenset({"used", "remaining"})
#: Columns an evaluation reads (not carried into the results).
_CONSUMED = frozenset({"id", "opened", "severity", "tier", "zone", "achieved", "pauses",
                       "severity_changes"})
_ACHIEVED = "achieved."
_ONE_US = dt.timedelta(microseconds=1)
_FORMS = ("long", "wide")
#: cases evaluated at a time: bounds the Python columns; large enough for the tables to pay
CHUNK = 65_536


# -- the entry point ---------------------------------------------------------------------------
def evaluate_table(policy: Policy, cases: Any, now: dt.datetime | None = None, *,
                   form: str = "long", keep: Iterable[str] | None = None) -> ResultTable:
    """Evaluate a table of cases under ``policy``: the columnar :func:`slacalc.evaluate`.

    ``cases`` is a mapping of column name to sequence, an Arrow table or record batch, or a
    pandas or polars DataFrame, in the case files' row schema (see :mod:`slacalc.table`).
    ``form="long"`` gives one row per case and metric (cases in order, metrics in the
    policy's order within a case); ``form="wide"`` one row per case, with the columns
    ``<metric>.<field>``. ``keep`` names the case columns to carry into the results; by
    default every column the evaluation does not read itself (``customer``, ``closed``, ...).
    The output columns and their Arrow types are :func:`result_schema`'s.

    Nothing is built per case and metric: deadlines, statuses and time used come from the
    calendars' integer lookup tables, a whole column at a time; cases whose clock one pause
    stops are worked out a metric at a time on the same tables, other paused cases one by one
    on integers, and cases with severity changes or an exclusion through
    :func:`slacalc.evaluate` itself. Data-horizon warnings (or errors, with strict calendars)
    are given exactly when evaluating the cases one by one would give them.
    """
    if not isinstance(policy, Policy):
        raise SlaValueError(f"policy must be a slacalc.Policy, not {echo(policy)}")
    if form not in _FORMS:
        raise SlaValueError(f"form must be 'long' or 'wide', not {echo(form)}")
    if now is not None and (not isinstance(now, dt.datetime) or now.utcoffset() is None):
        raise SlaValueError(f"now must be an aware datetime, not {echo(now)}")
    source = _source(cases)
    carried = source.carried(keep)
    metrics = policy.metrics()
    taken = {*CASE_FIELDS, "metric", *FIELDS} if form == "long" else {
        *CASE_FIELDS, *(f"{m}.{f}" for m in metrics for f in FIELDS)}
    clash = [c for c in carried if c in taken]
    if clash:
        raise SlaValueError(
            f"the cases' column(s) {', '.join(map(repr, clash))} would have the name of a result "
            "column; rename them, or pass keep= without them")
    try:
        pa = __import__("pyarrow")
    except ImportError:
        pa = None
    schema = None
    if pa is not None:  # each chunk goes to Arrow as it is done: large tables stay compact
        schema = result_schema(policy, form=form, carried=[
            pa.field(c, _Part(policy, form, source, carried, [], []).carried_array(c).type)
            for c in carried])
    shared = _Shared(policy, now)
    n = source.n
    parts: list[Any] = []
    for first in range(0, max(n, 1), CHUNK):
        chunk = source if n <= CHUNK else source.slice(first, min(first + CHUNK, n))
        evaluator = _Evaluator(policy, now, chunk, shared)
        part = _Part(policy, form, chunk, carried, evaluator.run(), evaluator.opened)
        parts.append(part if schema is None else part.to_arrow(schema))
    return ResultTable(policy, form, carried, parts, n, schema)


def result_schema(policy: Policy, *, form: str = "long", carried: Any = None) -> Any:
    """The Arrow schema of :func:`evaluate_table`'s results for ``policy`` (needs pyarrow).

    ``carried`` is the schema (or a list of fields) of the case columns carried along; they
    follow the result columns. Instants are ``timestamp[us]`` in the zone of the calendars
    (per metric in the wide form; UTC when a long table's metrics use calendars in different
    zones), durations ``duration[us]``, statuses and metric names dictionary-encoded strings.

    >>> import slacalc as sla
    >>> schema = sla.result_schema(sla.templates.load("helpdesk"))
    >>> print(schema.field("deadline").type, schema.field("status").type)
    timestamp[us, tz=Asia/Shanghai] dictionary<values=string, indices=int8, ordered=0>
    """
    pa = optional_module("pyarrow", "arrow")
    if form not in _FORMS:
        raise SlaValueError(f"form must be 'long' or 'wide', not {echo(form)}")
    metrics = policy.metrics()
    zone = _zone(policy, None)
    status = pa.dictionary(pa.int8(), pa.string())

    def fields(prefix: str, tz: str) -> list[Any]:
        types = {"start": pa.timestamp("us", tz), "deadline": pa.timestamp("us", tz),
                 "achieved": pa.timestamp("us", tz), "status": status,
                 "used": pa.duration("us"), "remaining": pa.duration("us"),
                 "share": pa.float64(), "next_escalation": pa.timestamp("us", tz),
                 "escalations_fired": pa.int64()}
        return [pa.field(prefix + name, types[name]) for name in FIELDS]

    head = [pa.field("id", pa.string(), nullable=False)]
    if form == "long":
        head.append(pa.field("metric", status, nullable=False))
    head += [pa.field("severity", pa.string()), pa.field("tier", pa.string()),
             pa.field("zone", pa.string()),
             pa.field("opened", pa.timestamp("us", zone), nullable=False)]
    if form == "long":
        body = fields("", zone)
    else:
        body = [f for m in metrics for f in fields(f"{m}.", _zone(policy, m))]
    extra = list(carried) if carried is not None else []
    return pa.schema(head + body + extra)


def _zone(policy: Policy, metric: str | None) -> str:
    """The zone results are written in: that of the calendars of ``metric``'s rules (of every
    rule when ``metric`` is ``None``) if they share one, else UTC."""
    zones = set()
    rules = [*policy.targets, *(r for s in policy.severities for r in s.targets)]
    for rule in rules:
        if metric is not None and rule.metric != metric:
            continue
        target = policy.target_of(rule)
        if target is not None:
            tz = target.calendar.tz
            zones.add(getattr(tz, "key", None) or str(tz))
    return zones.pop() if len(zones) == 1 else "UTC"


# -- reading the cases' columns ----------------------------------------------------------------
class _Pauses:
    """The pauses that stop each paused row's clock, in µs, sorted by start (unmerged): a
    mapping of row to a list of ``(start, end)``. A row with one such pause (the common
    case) is held as two ints in ``start`` and ``end``, not as a list of a tuple, so that a
    chunk's many paused rows create no containers (the garbage collector would otherwise run
    often and walk the chunk's large result lists each time)."""

    __slots__ = ("end", "several", "start")

    def __init__(self) -> None:
        self.start: dict[int, int] = {}
        self.end: dict[int, int | None] = {}
        self.several: dict[int, list[tuple[int, int | None]]] = {}

    def add(self, row: int, pauses: list[tuple[int, int | None]]) -> None:
        if len(pauses) == 1:
            self.start[row], self.end[row] = pauses[0]
        elif pauses:
            self.several[row] = pauses

    def __contains__(self, row: object) -> bool:
        return row in self.start or row in self.several

    def __getitem__(self, row: int) -> list[tuple[int, int | None]]:
        found = self.several.get(row)
        return [(self.start[row], self.end[row])] if found is None else found

    def __iter__(self) -> Iterator[int]:
        yield from self.start
        yield from self.several

    def __len__(self) -> int:
        return len(self.start) + len(self.several)


class _Source:
    """The cases as columns: instants as int µs (``None`` for missing), names as strings."""

    n: int
    names: list[str]

    def instants(self, name: str) -> list[int | None]:
        raise NotImplementedError

    def achieved_instants(self, name: str, column: str) -> list[int | None]:
        """The instants of event ``name`` (column ``achieved.<name>``, or a field of ``achieved``)."""
        raise NotImplementedError

    def keys(self) -> tuple[list[int], dict[int, tuple[Any, Any, Any]]]:
        """A code per row and the (severity, tier, zone) of each code."""
        raise NotImplementedError

    def listed(self, name: str) -> list[int]:
        """The rows whose list column ``name`` has items."""
        raise NotImplementedError

    def rows(self, rows: list[int], names: Sequence[str]) -> list[dict[str, Any]]:
        """Plain Python values of some columns of some rows."""
        raise NotImplementedError

    def matching(self, name: str, values: frozenset[str]) -> list[int]:
        """The rows whose column ``name`` holds one of ``values``."""
        raise NotImplementedError

    def achieved_names(self) -> list[tuple[str, str]]:
        """(event name, column) for each ``achieved.<name>`` column and struct field."""
        out = [(c[len(_ACHIEVED):], c) for c in self.names if c.startswith(_ACHIEVED)]
        return out + self._struct_achieved()

    def _struct_achieved(self) -> list[tuple[str, str]]:
        return []

    def carried(self, keep: Iterable[str] | None) -> list[str]:
        return carried_columns(self.names, keep)

    def carry(self, name: str) -> Any:
        """The column as it will be carried (an Arrow array or a list)."""
        raise NotImplementedError

    def pauses(self, rows: list[int], stopping: frozenset[str]
               ) -> tuple[_Pauses, list[int]] | None:
        """The pauses of ``rows`` that stop the clock, as :func:`_pauses_us` gives them, read
        a column at a time, and the rows with an instant outside the computable years; ``None``
        when some value needs the row-by-row reading (which explains what is wrong with it)."""
        return None

    def slice(self, start: int, stop: int) -> _Source:
        """Rows ``start:stop`` as a source of their own."""
        raise NotImplementedError


def carried_columns(names: Sequence[str], keep: Iterable[str] | None = None) -> list[str]:
    """The columns of a table of cases (named ``names``) that :func:`evaluate_table` carries
    into its results, with its ``keep`` argument: for engines that declare the results'
    columns before any chunk is evaluated.

    >>> carried_columns(["id", "opened", "severity", "achieved.response", "customer"])
    ['customer']
    """
    names = list(names)
    if keep is None:
        return [c for c in names if c not in _CONSUMED and not c.startswith(_ACHIEVED)]
    if isinstance(keep, str):
        raise SlaValueError(f"keep must be a list of column names, not the string {echo(keep)}")
    kept = list(keep)
    for name in kept:
        if name not in names:
            raise SlaValueError(
                f"keep names the column {echo(name)}, which the cases do not have; their "
                f"columns are {', '.join(names)}")
        if name in _CONSUMED and name not in ("achieved", "pauses", "severity_changes"):
            raise SlaValueError(
                f"keep names {name!r}, which every result table already has; leave it out")
    return kept


def _source(cases: Any) -> _Source:
    if isinstance(cases, Mapping):
        return _ListSource(cases)
    module = type(cases).__module__.split(".")[0]
    if module == "pyarrow":
        pa = optional_module("pyarrow", "arrow")
        if isinstance(cases, pa.RecordBatch):
            return _ArrowSource(pa.Table.from_batches([cases]))
        if isinstance(cases, pa.Table):
            return _ArrowSource(cases)
    if module == "pandas" and hasattr(cases, "columns"):
        pa = optional_module("pyarrow", "arrow")
        return _ArrowSource(pa.Table.from_pandas(cases, preserve_index=False))
    if module == "polars" and hasattr(cases, "to_arrow"):
        return _ArrowSource(cases.to_arrow())
    if hasattr(cases, "__arrow_c_stream__"):
        pa = optional_module("pyarrow", "arrow")
        return _ArrowSource(pa.table(cases))
    raise SlaValueError(
        f"cases must be a mapping of column name to values, an Arrow table or record batch, or "
        f"a pandas or polars DataFrame, not {echo(cases)}")


def _instant_of(value: Any, column: str, row: int, instants: Instants) -> int | None:
    """POSIX µs of one cell: an aware datetime, an ISO 8601 string with offset, int µs."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:
            raise NaiveDatetimeError(
                f"{column} of row {row} is {echo(value)}, a naive datetime; give the offset "
                "or zone it was recorded in")
        return instants(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise SlaValueError(
                f"{column} of row {row} is {echo(value)}, not an ISO 8601 date and time "
                "(e.g. 2026-10-09T10:30:00+08:00)") from None
        if parsed.utcoffset() is None:
            raise NaiveDatetimeError(
                f"{column} of row {row} is {echo(value)}, without an offset; write it with one "
                "(e.g. 2026-10-09T10:30:00+08:00)")
        return instants(parsed)
    raise SlaValueError(
        f"{column} of row {row} is {echo(value)}; an instant is an aware datetime, an ISO 8601 "
        "string with an offset, or int POSIX microseconds")


def _text_of(value: Any, column: str, row: int, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise SlaValueError(f"{column} of row {row} must be a non-empty string, not {echo(value)}")
    return value


class _ListSource(_Source):
    """A mapping of column name to sequence (lists, tuples, ``array('q')`` of µs)."""

    def __init__(self, cases: Mapping[str, Any]) -> None:
        self.columns: dict[str, Sequence[Any]] = {}
        n = None
        for name, values in cases.items():
            if not isinstance(name, str):
                raise SlaValueError(f"column names must be strings, not {echo(name)}")
            if isinstance(values, (str, bytes, Mapping)) or (not isinstance(values, Sequence) \
                    and not isinstance(values, array)):
                raise SlaValueError(
                    f"column {name!r} must be a sequence of values (a list), not {echo(values)}")
            if n is None:
                n = len(values)
            elif len(values) != n:
                raise SlaValueError(
                    f"column {name!r} has {len(values)} values but the first column has {n}; "
                    "every column needs one value per case")
            self.columns[name] = values
        self.n = n or 0
        self.names = list(self.columns)
        for required in ("id", "opened"):
            if required not in self.columns and self.n:
                raise SlaValueError(
                    f"the cases have no {required!r} column; a table of cases needs id and "
                    f"opened (its columns are {', '.join(self.names)})")
        if "achieved" in self.columns:
            for i, value in enumerate(self.columns["achieved"]):
                if value is not None and not isinstance(value, Mapping):
                    raise SlaValueError(
                        f"achieved of row {i} must be a mapping of event name to instant, not "
                        f"{echo(value)}")

    def instants(self, name: str) -> list[int | None]:
        values = self.columns.get(name)
        if values is None:
            return [None] * self.n
        if isinstance(values, array) and values.typecode == "q":
            return values.tolist()
        if all(type(v) is int for v in values):
            return list(values)
        instants = Instants()
        return [_instant_of(v, name, i, instants) for i, v in enumerate(values)]

    def achieved_instants(self, name: str, column: str) -> list[int | None]:
        if column != "achieved":
            return self.instants(column)
        instants = Instants()
        return [None if v is None else _instant_of(v.get(name), f"achieved.{name}", i, instants)
                for i, v in enumerate(self.columns["achieved"])]

    def _struct_achieved(self) -> list[tuple[str, str]]:
        values = self.columns.get("achieved")
        if values is None:
            return []
        names = sorted({str(k) for v in values if v for k in v})
        return [(name, "achieved") for name in names]

    def keys(self) -> tuple[list[int], dict[int, tuple[Any, Any, Any]]]:
        n = self.n
        sev = self.columns.get("severity") or [None] * n
        tier = self.columns.get("tier") or [None] * n
        zone = self.columns.get("zone") or [None] * n
        memo: dict[tuple[Any, Any, Any], int] = {}
        codes = [memo.setdefault(k, len(memo)) for k in zip(sev, tier, zone, strict=True)]
        combos = {code: key for key, code in memo.items()}
        for code, (s, t, z) in combos.items():
            # a severity may be missing (None): only a policy with severity levels needs one
            if not (s is None or (type(s) is str and s)) or not (
                    t is None or (type(t) is str and t)) or not (
                    z is None or (type(z) is str and z)):
                row = codes.index(code)
                _text_of(s, "severity", row, required=False)
                _text_of(t, "tier", row, required=False)
                _text_of(z, "zone", row, required=False)
        return codes, combos

    def ids(self) -> None:
        ids = self.columns.get("id", ())
        for i, v in enumerate(ids):
            if type(v) is not str:
                _text_of(v, "id", i, required=True)

    def listed(self, name: str) -> list[int]:
        values = self.columns.get(name)
        if values is None:
            return []
        return [i for i, v in enumerate(values) if v]

    def matching(self, name: str, values: frozenset[str]) -> list[int]:
        column = self.columns.get(name)
        if column is None or not values:
            return []
        return [i for i, v in enumerate(column) if isinstance(v, str) and v in values]

    def rows(self, rows: list[int], names: Sequence[str]) -> list[dict[str, Any]]:
        return [{c: self.columns[c][i] for c in names if c in self.columns} for i in rows]

    def carry(self, name: str) -> Any:
        return list(self.columns[name])

    def slice(self, start: int, stop: int) -> _Source:
        return _ListSource({name: values[start:stop] for name, values in self.columns.items()})


class _ArrowSource(_Source):
    """A pyarrow table (DataFrames and record batches arrive converted to one)."""

    def __init__(self, table: Any) -> None:
        self.pa = optional_module("pyarrow", "arrow")
        self.pc = __import__("pyarrow.compute").compute
        self.table = table
        self.n = table.num_rows
        self.names = list(table.column_names)
        if len(set(self.names)) != len(self.names):
            twice = sorted({c for c in self.names if self.names.count(c) > 1})
            raise SlaValueError(f"the cases name the column(s) {', '.join(twice)} more than once")
        for required in ("id", "opened"):
            if required not in self.names:
                raise SlaValueError(
                    f"the cases have no {required!r} column; a table of cases needs id and "
                    f"opened (its columns are {', '.join(self.names)})")
            self._no_nulls(required)

    def column(self, name: str) -> Any:
        col = self.table.column(name)
        return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)

    def _no_nulls(self, name: str) -> None:
        col = self.table.column(name)
        if col.null_count:
            row = self.pc.indices_nonzero(self.pc.is_null(col))[0].as_py()
            raise SlaValueError(f"{name} of row {row} is missing; every case needs one")

    def _ints(self, arr: Any) -> list[int | None]:
        """An int64 (or timestamp) Arrow array as a list, nulls as ``None``."""
        pa = self.pa
        arr = arr.cast(pa.int64()) if arr.type != pa.int64() else arr
        if arr.null_count:
            return arr.to_pylist()  # type: ignore[no-any-return]
        out = array("q")
        buf = arr.buffers()[1]
        out.frombytes(memoryview(buf)[arr.offset * 8:(arr.offset + len(arr)) * 8])
        return out.tolist()  # type: ignore[return-value]

    def _instants_of(self, arr: Any, name: str) -> list[int | None]:
        pa, types = self.pa, self.pa.types
        t = arr.type
        if types.is_timestamp(t):
            if t.tz is None:
                raise NaiveDatetimeError(
                    f"column {name!r} holds timestamps without a time zone; give it the zone the "
                    "instants were recorded in (e.g. tz_localize in pandas)")
            if t.unit != "us":
                try:
                    arr = arr.cast(pa.timestamp("us", t.tz))
                except pa.ArrowInvalid:
                    raise SlaValueError(
                        f"column {name!r} holds instants finer than a microsecond; round them "
                        "to microseconds") from None
            return self._ints(arr)
        if types.is_integer(t):
            return self._ints(arr)
        if types.is_null(t):
            return [None] * len(arr)
        if types.is_string(t) or types.is_large_string(t):
            instants = Instants()
            return [_instant_of(v, name, i, instants) for i, v in enumerate(arr.to_pylist())]
        raise SlaValueError(
            f"column {name!r} has the Arrow type {t}; instants are timezone-aware timestamps, "
            "ISO 8601 strings with an offset, or int64 POSIX microseconds")

    def instants(self, name: str) -> list[int | None]:
        if name not in self.names:
            return [None] * self.n
        return self._instants_of(self.column(name), name)

    def _struct_achieved(self) -> list[tuple[str, str]]:
        if "achieved" not in self.names:
            return []
        t = self.table.schema.field("achieved").type
        if not self.pa.types.is_struct(t):
            raise SlaValueError(
                f"column 'achieved' has the Arrow type {t}; it must be a struct of instants "
                "(or use one achieved.<name> column per event)")
        return [(t.field(k).name, "achieved") for k in range(t.num_fields)]

    def achieved_instants(self, name: str, column: str) -> list[int | None]:
        if column != "achieved":
            return self.instants(column)
        struct = self.column("achieved")
        field = self.pc.struct_field(struct, [name])
        return self._instants_of(field, f"achieved.{name}")

    def keys(self) -> tuple[list[int], dict[int, tuple[Any, Any, Any]]]:
        pa, pc = self.pa, self.pc
        combined = None
        dictionaries = []
        for name in ("severity", "tier", "zone"):
            if name not in self.names:
                dictionaries.append([None])  # one code, 0: the key's part is ``None``
                continue
            col = self.column(name)
            if pa.types.is_null(col.type):
                col = col.cast(pa.string())
            if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
                    or pa.types.is_dictionary(col.type)):
                raise SlaValueError(
                    f"column {name!r} has the Arrow type {col.type}; it must hold strings")
            if pa.types.is_dictionary(col.type):
                col = col.cast(col.type.value_type)
            encoded = pc.dictionary_encode(col)
            values = encoded.dictionary.to_pylist()
            dictionaries.append([*values, None])
            width = len(values) + 1
            codes = pc.cast(encoded.indices, pa.int64()).fill_null(len(values))
            combined = (codes if combined is None
                        else pc.add(pc.multiply(combined, width), codes))
        if combined is None:  # no severity, tier or zone column: one key for every case
            return [0] * self.n, {0: (None, None, None)}
        row_codes = self._ints(combined)
        sizes = [len(d) for d in dictionaries]
        combos: dict[int, tuple[Any, Any, Any]] = {}
        for code in pc.unique(combined).to_pylist():
            rest, z = divmod(code, sizes[2])
            s, t = divmod(rest, sizes[1])
            key = (dictionaries[0][s], dictionaries[1][t], dictionaries[2][z])
            for label, value in zip(("severity", "tier", "zone"), key, strict=True):
                if value is not None and not value:
                    raise SlaValueError(f"{label} must be a non-empty string, not ''")
            combos[code] = key
        return row_codes, combos  # type: ignore[return-value]

    def listed(self, name: str) -> list[int]:
        if name not in self.names:
            return []
        pa, pc = self.pa, self.pc
        col = self.column(name)
        if pa.types.is_null(col.type):
            return []
        if not (pa.types.is_list(col.type) or pa.types.is_large_list(col.type)):
            raise SlaValueError(
                f"column {name!r} has the Arrow type {col.type}; it must be a list of records")
        lengths = pc.fill_null(pc.list_value_length(col), 0)
        return pc.indices_nonzero(pc.greater(lengths, 0)).to_pylist()  # type: ignore[no-any-return]

    def matching(self, name: str, values: frozenset[str]) -> list[int]:
        if name not in self.names or not values:
            return []
        pa, pc = self.pa, self.pc
        col = self.column(name)
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            return [i for i, v in enumerate(col.to_pylist()) if isinstance(v, str) and v in values]
        hits = pc.fill_null(pc.is_in(col, value_set=pa.array(sorted(values))), False)
        return pc.indices_nonzero(hits).to_pylist()  # type: ignore[no-any-return]

    def rows(self, rows: list[int], names: Sequence[str]) -> list[dict[str, Any]]:
        present = [c for c in names if c in self.names]
        if not rows:
            return []
        picked = self.table.select(present).take(self.pa.array(rows, self.pa.int64()))
        return picked.to_pylist()  # type: ignore[no-any-return]

    def carry(self, name: str) -> Any:
        return self.column(name)

    def pauses(self, rows: list[int], stopping: frozenset[str]
               ) -> tuple[_Pauses, list[int]] | None:
        pa, pc = self.pa, self.pc
        col = self.column("pauses")
        t = col.type.value_type
        if not pa.types.is_struct(t):
            return None
        fields = {t.field(k).name for k in range(t.num_fields)}
        if not {"start", "reason"} <= fields:
            return None
        taken = col.take(pa.array(rows, pa.int64()))
        flat = pc.list_flatten(taken)
        if flat.null_count:
            return None
        reasons_arr = pc.struct_field(flat, "reason")
        if not (pa.types.is_string(reasons_arr.type) or pa.types.is_large_string(reasons_arr.type)):
            return None
        try:
            starts = self._instants_of(pc.struct_field(flat, "start"), "pauses.start")
            ends = (self._instants_of(pc.struct_field(flat, "end"), "pauses.end")
                    if "end" in fields else [None] * len(flat))
        except SlaValueError:
            return None
        reasons = reasons_arr.to_pylist()
        lengths = self._ints(pc.fill_null(pc.list_value_length(taken), 0))
        out = _Pauses()
        one_start, one_end = out.start, out.end
        far: list[int] = []
        inf = float("inf")
        k = 0
        lo, hi = _MIN_US, _MAX_US
        for i, count in zip(rows, lengths, strict=True):
            if count == 1:  # the commonest: one pause
                a, b, reason = starts[k], ends[k], reasons[k]
                k += 1
                if a is None or not reason or (b is not None and b < a):
                    return None  # the row-by-row reading names the problem
                if not lo <= a <= hi or (b is not None and not lo <= b <= hi):
                    far.append(i)
                elif reason in stopping:
                    one_start[i] = a
                    one_end[i] = b
                continue
            found: list[tuple[int, float, str, int | None]] = []
            outside = False
            for j in range(k, k + count):  # type: ignore[operator]
                a, b, reason = starts[j], ends[j], reasons[j]
                if a is None or not reason or (b is not None and b < a):
                    return None  # the row-by-row reading names the problem
                if not _MIN_US <= a <= _MAX_US or (b is not None and not _MIN_US <= b <= _MAX_US):
                    outside = True
                found.append((a, inf if b is None else b, reason, b))
            k += count  # type: ignore[operator]
            if outside:
                far.append(i)
                continue
            found.sort(key=lambda q: (q[0], q[1], q[2]))
            out.add(i, [(a, b) for a, _, reason, b in found if reason in stopping])
        return out, far

    def slice(self, start: int, stop: int) -> _Source:
        return _ArrowSource(self.table.slice(start, stop - start))


# -- the computation ---------------------------------------------------------------------------
class _Metric:
    """One metric's result columns, one entry per case (instants and durations in µs)."""

    __slots__ = ("achieved", "deadline", "fired", "next", "remaining", "share", "start",
                 "status", "used")

    def __init__(self, n: int) -> None:
        none: list[Any] = [None] * n
        self.start: list[int | None] = list(none)
        self.deadline: list[int | None] = list(none)
        self.achieved: list[int | None] = list(none)
        self.status: list[int] = [NOT_APPLICABLE] * n
        self.used: list[int | None] = list(none)
        self.remaining: list[int | None] = list(none)
        self.share: list[float | None] = list(none)
        self.next: list[int | None] = list(none)
        self.fired: list[int] = [0] * n


def _us(t: dt.datetime | None) -> int | None:
    return None if t is None else (t - EPOCH) // _ONE_US


def _utc(us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=us)


class _Evaluator:
    """One call of :func:`evaluate_table`: reads the columns and fills :class:`_Metric` s."""

    def __init__(self, policy: Policy, now: dt.datetime | None, source: _Source,
                 shared: _Shared) -> None:
        self.policy = policy
        self.now = now
        self.source = source
        self.opened: list[int] = []
        self._secs: dict[int, tuple[list[int], _Seconds]] = {}
        # per calendar, the chunk's position table (``None``: none pays), and the positions
        # of each start column on it; the instants the chunk reads span ``[lo_s, hi_s]``
        self._pos: dict[Any, Any] = {}
        self._starts_pos: dict[tuple[Any, ...], tuple[list[int], list[int]]] = {}
        self.lo_s = self.hi_s = 0
        self.shared = shared
        self.batch = _Batch(self.shared, [], 0)

    def run(self) -> list[_Metric]:  # noqa: PLR0915 - the phases read best in order
        source, shared, batch = self.source, self.shared, self.batch
        n = source.n
        now_us = shared.now_us
        metrics = shared.metrics
        out = [_Metric(n) for _ in metrics]
        if not n:
            return out
        if isinstance(source, _ListSource):
            source.ids()
        opened_raw = source.instants("opened")
        if None in opened_raw:
            row = opened_raw.index(None)
            raise SlaValueError(f"opened of row {row} is missing; every case needs one")
        opened: list[int] = opened_raw  # type: ignore[assignment]
        # achievements, and as of ``now`` (an event after ``now`` has not happened yet)
        recorded: dict[str, list[int | None]] = {}
        for name, column in source.achieved_names():
            if name in recorded:
                raise SlaValueError(
                    f"the achievement {name!r} is given twice (an achieved.{name} column and a "
                    "field of the achieved column)")
            recorded[name] = source.achieved_instants(name, column)
        known = known_names(self.policy)
        for name, values in recorded.items():  # as a Case and ``evaluate`` check them
            if name not in known:
                raise unknown_name(self.policy, name, f"the achievement {echo(name)}")
            never = 2**63  # a missing achievement is never early
            if any(map(gt, opened, [never if t is None else t for t in values])):
                early = next(i for i, (t, o) in enumerate(zip(values, opened, strict=True))
                             if t is not None and t < o)
                raise SlaValueError(
                    f"achieved.{name} of row {early} ({_utc(values[early] or 0).isoformat()}) is "
                    f"before its opened ({_utc(opened[early]).isoformat()}); nothing is "
                    "achieved before the case is opened")
        seen: dict[str, list[int | None]] = {}
        # before the policy's data floor: through ``evaluate``, for its lower horizon checks
        lo, hi = shared.floor_us, _MAX_US
        outside: set[int] = set()
        if not lo <= min(opened) or max(opened) > hi:
            outside.update(i for i, t in enumerate(opened) if not lo <= t <= hi)
        if now_us is not None and max(opened) > now_us:
            # not opened as of ``now``: every clock pending, as ``evaluate`` says
            outside.update(i for i, t in enumerate(opened) if t > now_us)
        for name, values in recorded.items():
            present = [v for v in values if v is not None]
            if not present:
                continue
            first, last = min(present), max(present)
            if first < lo or last > hi:
                outside.update(i for i, t in enumerate(values) if t is not None
                               and not lo <= t <= hi)
            seen[name] = values
            if now_us is not None and last > now_us:
                seen[name] = [None if t is None or t > now_us else t for t in values]
        self.recorded, self.seen, self.opened = recorded, seen, opened
        bounds = [min(opened), max(opened)]
        for values in seen.values():
            present = [v for v in values if v is not None]
            if present:
                bounds += (min(present), max(present))
        if now_us is not None:
            bounds.append(now_us)
        # rows outside the policy's data floor or the computable years go through
        # ``evaluate``, which explains them: the tables span only the others
        self.lo_s = max(min(bounds), shared.floor_us) // US
        self.hi_s = max(min(max(bounds), _MAX_US), self.lo_s * US) // US
        for m, metric in enumerate(metrics):  # every result echoes the achievement
            if metric in seen:
                out[m].achieved = list(seen[metric])
        # the cases that need more than the columns: pauses, severity changes, exclusions
        paused_rows = source.listed("pauses")
        changed_rows = source.listed("severity_changes")
        excluded_rows = source.matching("excluded", shared.excluding)
        everything_slow = now_us is not None and not _MIN_US <= now_us <= _MAX_US
        slow_rows = sorted(range(n) if everything_slow
                           else {*changed_rows, *excluded_rows, *outside})
        slow: dict[int, Case] = {}
        pauses = _Pauses()
        names = ("id", "severity", "tier", "zone", "excluded", "pauses", "severity_changes")
        for i, record in zip(slow_rows, source.rows(slow_rows, names), strict=True):
            slow[i] = self._case(i, record)
        # the other paused cases: their pauses that stop the clock, in µs (unmerged)
        paused_rows = [i for i in paused_rows if i not in slow]
        far: list[int] = []
        read = source.pauses(paused_rows, shared.stopping) if paused_rows else None
        if read is not None:  # read a column at a time
            pauses, far = read
        elif paused_rows:
            for i, record in zip(paused_rows, source.rows(paused_rows, ("pauses",)), strict=True):
                ps = _pauses_us(record.get("pauses"), i, shared.stopping)
                if ps is None:
                    far.append(i)
                else:
                    pauses.add(i, ps)
        for i, record in zip(far, source.rows(far, names), strict=True):
            slow[i] = self._case(i, record)
        self.pauses = pauses
        # rows by (severity, tier, zone) code; slow rows take no part in the columns
        codes, combos = source.keys()
        if shared.policy.severities:  # only a policy with severity levels needs a severity
            for code, (sev, _, _) in combos.items():
                if sev is None:
                    levels = ", ".join(x.id for x in shared.policy.severities)
                    raise SlaValueError(f"severity of row {codes.index(code)} is missing; the "
                                        f"policy sets its targets by severity level: {levels}")
        sid_of = {code: shared.selector(key) for code, key in combos.items()}
        if slow:
            for i in slow:
                codes[i] = -1
        sids = sorted(set(sid_of.values()))
        codes_of: dict[int, set[int]] = {}
        for code, sid in sid_of.items():
            codes_of.setdefault(sid, set()).add(code)
        plans = shared.plans
        rows_cache: dict[Any, Any] = {"every code": None if slow else frozenset(combos)}
        # per metric: row -> plan, for rules chosen per case (int keys: no tuple per row)
        picked: list[dict[int, int]] = [{} for _ in metrics]
        for m in range(len(metrics)):
            fixed: dict[int, set[int]] = {}  # plan -> codes that follow it from ``opened``
            per_case: list[tuple[list[int], tuple[Any, ...], set[int]]] = []
            for sid in sids:
                entry = shared.selector_list[sid][m]
                if entry == _NO_RULE:
                    continue
                if entry >= 0:
                    if plans[entry].target is not None:
                        fixed.setdefault(entry, set()).update(codes_of[sid])
                    else:
                        self._negotiated(out[m], self._rows(codes_of[sid], codes, rows_cache),
                                         plans[entry])
                    continue
                rows = self._rows(codes_of[sid], codes, rows_cache)
                if rows is None:
                    rows = list(range(n))
                per_case.append((rows, shared.candidates[-2 - entry], codes_of[sid]))
            for index, wanted in fixed.items():
                rows = self._rows(wanted, codes, rows_cache)
                starts = opened if rows is None else [opened[i] for i in rows]
                self._fill(out[m], plans[index], rows, starts)
            chosen: dict[int, tuple[list[int], list[int]]] = {}
            for rows, cands, wanted in per_case:
                if len(cands) == 1 and cands[0][1] is None:
                    # one rule, its clock started by an event: the start is the event's column
                    self._event_rule(out[m], m, rows, cands[0][0], picked, chosen,
                                     (codes, wanted))
                    continue
                # the events a candidate's clock starts at: what ``_pick`` reads per case
                events = {plans[c[0]].start for c in cands} - {"opened"}
                if not events and self._pick_columns(out[m], m, rows, cands, picked, chosen):
                    continue
                columns = [(e, self.seen[e]) for e in sorted(events) if e in self.seen]
                pick = batch._pick
                for i in rows:
                    if columns:
                        got = {e: t for e, values in columns if (t := values[i]) is not None}
                        found = pick(cands, opened[i], got or None)
                    else:
                        found = pick(cands, opened[i], None)
                    if found is None:
                        continue
                    index, start = found
                    picked[m][i] = index
                    plan = plans[index]
                    if plan.target is None:
                        self._negotiated(out[m], [i], plan, start)
                    elif start is None:
                        out[m].status[i] = PENDING
                    else:
                        where = chosen.setdefault(index, ([], []))
                        where[0].append(i)
                        where[1].append(start)
            for index, (rows, starts) in chosen.items():
                self._fill(out[m], plans[index], rows, starts)
        if pauses:
            self._paused_all(out, codes, sid_of, picked)
        for (cal, end), latest in batch.horizon.items():
            cal._check_instant(latest, "evaluate_table", end=end)
        for i, case in slow.items():
            self._slow(out, i, case)
        return out

    def _case(self, i: int, row: dict[str, Any]) -> Case:
        """The case of row ``i`` as a :class:`Case` (validated as any case is)."""
        instants = Instants()
        try:
            achieved = {name: _utc(t) for name, values in self.recorded.items()
                        if (t := values[i]) is not None}
            ps = [Pause(_utc_of(p.get("start"), f"pauses[{k}].start", i, instants),
                        None if p.get("end") in (None, "") else
                        _utc_of(p["end"], f"pauses[{k}].end", i, instants),
                        _text_of(p.get("reason"), f"pauses[{k}].reason", i,  # type: ignore[arg-type]
                                 required=True))
                  for k, p in enumerate(_records(row.get("pauses"), "pauses", i))]
            changes = [SeverityChange(
                _utc_of(c.get("at"), f"severity_changes[{k}].at", i, instants),
                _text_of(c.get("severity"), f"severity_changes[{k}].severity", i,  # type: ignore[arg-type]
                         required=True))
                for k, c in enumerate(_records(row.get("severity_changes"), "severity_changes", i))]
            excluded = row.get("excluded")
            return Case(str(row["id"]), _utc(self.opened[i]), row.get("severity"),
                        tier=row.get("tier"),
                        zone=row.get("zone"), achieved=achieved, pauses=ps,
                        severity_changes=changes,
                        excluded=None if excluded is False else excluded)
        except SlaValueError as exc:
            raise type(exc)(f"row {i} (case {echo(row.get('id'))}): {exc}") from None

    def _event_rule(self, col: _Metric, m: int, rows: list[int], index: int,
                    picked: list[dict[int, int]],
                    chosen: dict[int, tuple[list[int], list[int]]],
                    member: tuple[list[int], set[int]]) -> None:
        """``_pick`` for a whole column when the only candidate rule has no condition: its
        clock starts at its event, as of ``now`` (pending while that has not happened).
        ``member`` is the rows' codes and the codes of ``rows`` (a row is among them when its
        code is)."""
        plan = self.shared.plans[index]
        events = self.seen.get(plan.start)
        pauses = self.pauses
        if pauses:
            pick = picked[m]
            if len(rows) < len(pauses):  # the fewer of the rows and the paused rows
                one, several = pauses.start, pauses.several
                for i in rows:
                    if i in one or i in several:
                        pick[i] = index
            else:
                codes, wanted = member
                for i in pauses:
                    if codes[i] in wanted:
                        pick[i] = index
        starts = [None] * len(rows) if events is None else [events[i] for i in rows]
        if plan.target is None:
            c_start = col.start
            for i, t in zip(rows, starts, strict=True):
                c_start[i] = t
            return
        status = col.status
        where = chosen.setdefault(index, ([], []))
        if starts.count(None) == len(starts):  # the event has not happened for any of them
            for i in rows:
                status[i] = PENDING
            return
        for i, t in zip(rows, starts, strict=True):
            if t is None:
                status[i] = PENDING
        where[0].extend(i for i, t in zip(rows, starts, strict=True) if t is not None)
        where[1].extend(t for t in starts if t is not None)

    def _pick_columns(self, col: _Metric, m: int, rows: list[int],
                      cands: tuple[tuple[int, Any, bool], ...],
                      picked: list[dict[int, int]],
                      chosen: dict[int, tuple[list[int], list[int]]]) -> bool:
        """``_Batch._pick`` for a column of clocks started at the opening: each candidate
        rule's working-hours condition judged for the rows not yet placed, on the chunk's
        position table of its hours calendar (a bucket of it is wholly open or wholly
        closed). ``False`` (nothing done) when a calendar has no table."""
        tables = []
        for _, hours, _ in cands:
            if hours is not None:
                found = self._pos_table(hours)
                if found is None:
                    return False
                tables.append(found)
        plans, opened, seen = self.shared.plans, self.opened, self.batch._seen
        left = rows
        tables.reverse()
        for index, hours, inside in cands:
            if not left:
                break
            if hours is None:  # no condition: this rule takes every row still left
                take, left = left, []
            else:
                base, size_us, values, _, _ = tables.pop()
                size = size_us // US
                starts = [opened[i] for i in left]
                seen(hours, max(starts), end=False)  # the instants judged, as ``_pick`` checks
                open_ = [values[(t - base) // US // size] < 0 for t in starts]
                take = [i for i, o in zip(left, open_, strict=True) if o is inside]
                left = [i for i, o in zip(left, open_, strict=True) if o is not inside]
            if not take:
                continue
            picked[m].update(dict.fromkeys(take, index))
            plan = plans[index]
            if plan.target is None:
                self._negotiated(col, take, plan)
            else:
                where = chosen.setdefault(index, ([], []))
                where[0].extend(take)
                where[1].extend(opened[i] for i in take)
        return True

    def _achieved(self, i: int) -> dict[str, int] | None:
        got = {name: t for name, values in self.seen.items() if (t := values[i]) is not None}
        return got or None

    @staticmethod
    def _rows(wanted: set[int], codes: list[int], cache: dict[Any, Any]) -> list[int] | None:
        """The rows whose code is in ``wanted``, in order; ``None`` for every row."""
        key = frozenset(wanted)
        if key in cache:
            return cache[key]  # type: ignore[no-any-return]
        if cache.get("every code") is not None and key >= cache["every code"]:
            return None  # no slow row, and every key follows: every row
        by_code = cache.get("by code")
        if by_code is None:  # the rows of each code, in one pass
            by_code = cache["by code"] = {}
            for i, c in enumerate(codes):
                found_rows = by_code.get(c)
                if found_rows is None:
                    by_code[c] = [i]
                else:
                    found_rows.append(i)
        parts = [by_code[c] for c in wanted if c in by_code]
        total = sum(map(len, parts))
        if total == len(codes):
            rows = None
        elif len(parts) == 1:
            rows = parts[0]
        else:  # merging sorted runs: timsort gallops through them
            rows = sorted(chain.from_iterable(parts))
        cache[key] = rows
        return rows

    def _negotiated(self, col: _Metric, rows: list[int] | None, plan: _Plan,
                    start: int | None = None) -> None:
        """A rule without a target: not applicable, the clock's start echoed."""
        for i in range(len(col.status)) if rows is None else rows:
            col.start[i] = self.opened[i] if plan.start == "opened" else start

    def _fill(self, col: _Metric, plan: _Plan, rows: list[int] | None,
              starts: list[int]) -> None:
        """Deadlines, statuses, time used and escalations of ``plan``'s clocks started at
        ``starts`` (of ``rows``, or of every row), written into ``col``."""
        cal = plan.cal
        assert cal is not None
        if not starts:
            return
        seen = self.seen.get(plan.metric)
        if seen is None:
            got: list[int | None] = [None] * len(starts)
        else:
            got = seen if rows is None else [seen[i] for i in rows]
        secs = self._seconds(starts)
        deadlines, status, _ = self.batch._judge(plan, starts, got, secs, escalate=False)
        now_us = self.shared.now_us
        used: list[int | None] | None = self._used(cal, starts, got)
        if used is None:
            ends = got if now_us is None else [now_us if a is None else a for a in got]
            used = self._elapsed(cal, starts, ends, secs)  # type: ignore[arg-type]
        span_us = plan.within_us
        if span_us is None:
            spans = self._elapsed(cal, starts, deadlines, secs)
            remaining = [None if u is None or s is None else s - u
                         for u, s in zip(used, spans, strict=True)]
            share = [None if u is None or not s else u / s for u, s in zip(used, spans, strict=True)]
        elif now_us is not None:  # every clock has an end: no ``None`` among the times used
            remaining = [span_us - u for u in used]  # type: ignore[operator]
            share = [u / span_us for u in used] if span_us else [None] * len(used)  # type: ignore[operator]
        else:
            remaining = [None if u is None else span_us - u for u in used]
            share = ([None if u is None else u / span_us for u in used] if span_us
                     else [None] * len(used))
        nexts: list[int | None] = []
        fired: list[int] = []
        if plan.ladder:
            nexts, fired = _step_columns(self._fires(plan, cal, starts, deadlines, secs), got,
                                         now_us)
        if rows is None:
            # every row's clock starts at its opening: the column is ``opened`` itself (only
            # read from now on), which the Arrow export then takes as it is
            col.start = starts if starts is self.opened else list(starts)  # type: ignore[assignment]
            col.deadline, col.achieved, col.status = deadlines, got, status
            col.used, col.remaining, col.share = used, remaining, share
            if plan.ladder:
                col.next, col.fired = nexts, fired
            return
        # scattered into the rows' places (the achievements are there already: every result
        # echoes them); one pass, the columns held in locals
        c_start, c_due, c_status = col.start, col.deadline, col.status
        c_used, c_left, c_share = col.used, col.remaining, col.share
        for i, t, d, c, u, r, f in zip(rows, starts, deadlines, status, used, remaining, share,
                                       strict=True):
            c_start[i] = t
            c_due[i] = d
            c_status[i] = c
            c_used[i] = u
            c_left[i] = r
            c_share[i] = f
        if plan.ladder:
            c_next, c_fired = col.next, col.fired
            for i, x, y in zip(rows, nexts, fired, strict=True):
                c_next[i] = x
                c_fired[i] = y

    def _fires(self, plan: _Plan, cal: Any, starts: list[int], deadlines: list[Any],
               secs: _Seconds) -> list[list[int]]:
        """Each escalation step's instants, a column per step (``_Batch._escalations`` for a
        column of clocks without pauses): table lookups where the step is a fixed share of a
        fixed target or a whole-second offset after the deadline, one by one otherwise."""
        batch = self.batch
        out: list[list[int]] = []
        previous: list[int] | None = None
        due_secs: _Seconds | None = None
        for k, (step, fixed_share) in enumerate(zip(plan.ladder, plan.span_us, strict=True)):
            fires: list[int]
            if step.at is not None and step.at >= 1:
                fires = deadlines
            elif step.at is not None:
                if fixed_share is not None:
                    fires = self._add(cal, starts, secs, fixed_share)
                else:  # a day target: its span is each case's own
                    fires = [batch._escalations(plan, cal, t, d)[k]  # type: ignore[misc]
                             for t, d in zip(starts, deadlines, strict=True)]
            else:
                offset = step.offset // _ONE_US  # type: ignore[operator]
                if offset >= 0:
                    if due_secs is None:
                        due_secs = _Seconds(deadlines)
                    fires = self._add(cal, deadlines, due_secs, offset)
                else:
                    before = self._moved(cal, deadlines, offset)
                    if before is None:
                        sub = cal._subtract_us
                        before = [sub(d, -offset) for d in deadlines]
                    fires = [t if f < t else f for t, f in zip(starts, before, strict=True)]
                    batch._seen(cal, max(deadlines), end=True)
            if previous is not None:
                fires = [p if f < p else f for f, p in zip(fires, previous, strict=True)]
            if step.hold_until is not None:
                hold = self.policy.calendar(step.hold_until)
                fires = [hold._next_open_us(f) for f in fires]
                batch._seen(hold, max(fires), end=False)
            previous = fires
            out.append(fires)
        return out

    def _used(self, cal: Any, starts: list[int], got: list[int | None]) -> list[int | None] | None:
        """Covered µs from each start to its achievement, or to ``now`` while there is none,
        as differences of positions on one table for the chunk (the starts' positions shared
        by the metrics on ``cal``); ``None`` without ``now`` or without a table (the caller
        then takes :meth:`_elapsed`). The horizon check on the latest end is ``_judge``'s."""
        now_us = self.shared.now_us
        if now_us is None:
            return None
        found = self._pos_table(cal)
        if found is None:
            return None
        base, size, values = found[:3]
        if not base <= now_us < base + len(values) * size:
            return None
        size //= US  # two divisions by one-digit ints are quicker than one by a two-digit int
        key = (cal, id(starts))
        cached = self._starts_pos.get(key)
        if cached is None or cached[0] is not starts:
            cached = self._starts_pos[key] = (starts, _positions(found, starts))
        positions = cached[1]
        p_now = _positions(found, [now_us])[0]
        if got.count(None) == len(got):  # every clock runs to ``now``: the same for every
            # metric on this calendar from these starts; each metric gets its own copy
            to_now = (cal, id(starts), None)
            found_used = self._starts_pos.get(to_now)
            if found_used is None or found_used[0] is not starts:
                found_used = self._starts_pos[to_now] = (starts, [p_now - p for p in positions])
            return list(found_used[1])
        used: list[int] = [
            (p_now if a is None else q if (q := values[(a - base) // US // size]) >= 0 else a + q)
            - p for a, p in zip(got, positions, strict=True)]
        if min(used) < 0:  # an end before its start: nothing used
            used = [u if u > 0 else 0 for u in used]
        return used  # type: ignore[return-value]

    def _pos_table(self, cal: Any) -> tuple[Any, ...] | None:
        """The chunk's position table on ``cal`` (``None``: no table pays), built once."""
        found = self._pos.get(cal, False)
        if found is False:
            found = self._pos[cal] = cal._pos_table_us(self.lo_s, self.hi_s, len(self.opened))
        return found  # type: ignore[no-any-return]

    def _position(self, cal: Any, instants: Iterable[int]) -> Callable[[int], int] | None:
        """``pos`` on ``cal`` from the chunk's table, if every one of ``instants`` lies in it
        (then differences of positions are covered time); else ``None``."""
        found = self._pos_table(cal)
        if found is None:
            return None
        base, size, values, _, _ = found
        if not all(base <= t < base + len(values) * size for t in instants):
            return None
        size //= US

        def pos(t: int) -> int:
            p: int = values[(t - base) // US // size]
            return p if p >= 0 else t + p

        return pos

    def _add(self, cal: Any, starts: list[int], secs: _Seconds, d_us: int) -> list[int]:
        """``cal._add_us`` for a column: the int tables on whole seconds, else one by one;
        the horizon checked on the latest, as ``Calendar.add`` checks each."""
        if not d_us:
            return starts
        if secs.whole and not d_us % US:
            found = cal._add_many_us(starts, d_us // US)
            if found is not None:
                return found  # type: ignore[no-any-return]
        out = self._moved(cal, starts, d_us)
        if out is None:
            out = [cal._add_us(t, d_us) for t in starts]
        self.batch._seen(cal, max(out), end=True)
        return out

    def _moved(self, cal: Any, instants: list[int], d_us: int) -> list[int] | None:
        """``add(t, d)`` (``d > 0``: the earliest instant with ``d`` more covered time) or
        ``subtract(t, -d)`` (``d < 0``: the latest instant with ``-d`` less) for a column, as
        positions on the chunk's table and back through its inverse, whatever ``d``; ``None``
        when an instant or a result lies outside the tables (the caller goes one by one)."""
        found = self._pos_table(cal)
        if found is None or found[4] is None or not instants:
            return None
        base, size, values, _, (inv_size, inv_values, total) = found
        if not (base <= min(instants) and max(instants) < base + len(values) * size):
            return None
        inv_size //= US
        targets = _positions(found, instants, d_us)
        if d_us > 0:  # the earliest instant: positions (kB, (k + 1)B] share bucket k
            if max(targets) > total:
                return None
            return [p + inv_values[(p - 1) // US // inv_size] for p in targets]
        # the latest instant: positions [kB, (k + 1)B) share bucket k
        if min(targets) < 0 or max(targets) >= total:
            return None
        return [p + inv_values[p // US // inv_size] for p in targets]

    def _seconds(self, starts: list[int]) -> _Seconds:
        """The whole seconds of a start column, computed once for the metrics sharing it."""
        found = self._secs.get(id(starts))
        if found is None or found[0] is not starts:
            found = self._secs[id(starts)] = (starts, _Seconds(starts))
        return found[1]

    def _elapsed(self, cal: Any, starts: list[int], ends: list[int | None],
                 secs: _Seconds | None = None) -> list[int | None]:
        """Covered µs in ``[start, end)`` pairwise: 0 when ``end <= start``, ``None`` without
        an end; the horizon is checked on the latest end, as ``Calendar.elapsed`` does."""
        if None not in ends and all(map(gt, ends, starts)):  # type: ignore[arg-type]
            return self._pairs(cal, starts, ends, secs)  # type: ignore[arg-type]
        idx = [k for k, (a, b) in enumerate(zip(starts, ends, strict=True))
               if b is not None and b > a]
        out: list[int | None] = [None if b is None else 0 for b in ends]
        values = self._pairs(cal, [starts[k] for k in idx], [ends[k] for k in idx])  # type: ignore[misc]
        for k, v in zip(idx, values, strict=True):
            out[k] = v
        return out

    def _pairs(self, cal: Any, xs: list[int], ys: list[int],
               secs: _Seconds | None = None) -> list[int | None]:
        if not xs:
            return []
        if secs is None:
            secs = _Seconds(xs)
        sx = secs.values
        sy = [y // US for y in ys]
        if secs.whole and sum(sy) * US == sum(ys):
            # whole seconds: the calendar's tables; they check the horizon on the latest end
            return [v * US for v in cal._elapsed_many_seconds(sx, sy)]
        self.batch._seen(cal, max(ys), end=True)
        return [cal._elapsed_us(a, b) for a, b in zip(xs, ys, strict=True)]

    def _paused_all(self, out: list[_Metric], codes: list[int], sid_of: dict[int, int],
                    picked: list[dict[int, int]]) -> None:
        """Recompute the metrics of the cases whose clock stops. The commonest kind, a fixed
        target without escalations and one pause, a metric at a time over its cases
        (:meth:`_paused_within`); the others one case at a time (:meth:`_paused`)."""
        shared = self.shared
        plans, selectors = shared.plans, shared.selector_list
        columns: dict[tuple[int, int], list[int]] = {}
        rest: dict[int, set[int]] = {}
        by_sid: dict[int, list[int]] = {}
        for i in self.pauses:
            by_sid.setdefault(sid_of[codes[i]], []).append(i)
        pauses = self.pauses
        for sid, rows in by_sid.items():
            single = [i for i in rows if i in pauses.start]
            several = [i for i in rows if i in pauses.several]
            for m, entry in enumerate(selectors[sid]):
                if entry < 0:  # a rule chosen per case: one by one
                    for i in rows:
                        if picked[m].get(i, _NO_RULE) != _NO_RULE:
                            rest.setdefault(i, set()).add(m)
                    continue
                plan = plans[entry]
                if plan.within_us is None or plan.ladder:
                    for i in rows:
                        rest.setdefault(i, set()).add(m)
                    continue
                for i in several:
                    rest.setdefault(i, set()).add(m)
                starts, deadlines = out[m].start, out[m].deadline
                fit = [i for i in single if starts[i] is not None and deadlines[i] is not None]
                if len(fit) != len(single):
                    for i in {*single} - {*fit}:
                        rest.setdefault(i, set()).add(m)
                if fit:
                    columns.setdefault((m, entry), []).extend(fit)
        for (m, index), rows in columns.items():
            for i in self._paused_within(out[m], plans[index], rows):
                rest.setdefault(i, set()).add(m)
        for i, only in rest.items():
            self._paused(out, i, codes, sid_of, picked, only)

    def _paused_within(self, col: _Metric, plan: _Plan, rows: list[int]) -> list[int]:  # noqa: PLR0915 - one loop, the rules of a paused clock in order
        """One metric of the ``rows`` whose clock one pause stops, under a fixed target without
        escalations: ``_paused`` for them all in one loop, covered time as differences of the
        chunk's positions. Gives back the rows whose instants the table does not hold."""
        cal, within = plan.cal, plan.within_us
        assert cal is not None and within is not None
        found = self._pos_table(cal)
        if found is None:
            return rows
        base, size_us, values, _, inverse = found
        limit = base + len(values) * size_us
        inv_size, inv_values, total = inverse if inverse is not None else (US, [], -1)
        inv_size //= US
        size = size_us // US
        batch, now_us = self.batch, self.shared.now_us
        seen = batch._seen
        horizon = cal._timeline.rules.coverage_horizon * US
        add = cal._add_us
        pause_start, pause_end = self.pauses.start, self.pauses.end
        starts, deadlines, achieved = col.start, col.deadline, col.achieved
        status, used_col, remaining_col, share_col = col.status, col.used, col.remaining, col.share
        left: list[int] = []
        for i in rows:
            a, b = pause_start[i], pause_end[i]
            got = achieved[i]
            end = got if got is not None else now_us
            if end is not None and a >= end:
                continue  # the clock stopped before the pause: nothing changes
            start, due = starts[i], deadlines[i]
            assert start is not None and due is not None
            if not (base <= a < limit and (b is None or b < limit) and start >= base
                    and (end is None or end < limit)):
                left.append(i)
                continue
            active = now_us is not None and a <= now_us and (b is None or now_us < b)
            p = values[(start - base) // US // size]
            p_start = p if p >= 0 else start + p
            lo = a if a > start else start
            if a < due or active:
                # the deadline: ``within`` of covered time from the start, the pause not counted
                if b is not None and b <= start:
                    pass  # a pause over before the clock starts: the deadline stands
                else:
                    if lo >= horizon:
                        seen(cal, lo, end=True)
                    p = values[(lo - base) // US // size]
                    available = (p if p >= 0 else lo + p) - p_start
                    if available < within:
                        if b is None:
                            due = None
                        else:
                            # ``add(b, within - available)``: the inverse of b's position
                            # moved on by what is left, from the same table when it reaches
                            p = values[(b - base) // US // size]
                            target = (p if p >= 0 else b + p) + within - available
                            if target <= total:
                                due = target + inv_values[(target - 1) // US // inv_size]
                            else:
                                due = add(b, within - available)
                            if due >= horizon:
                                seen(cal, due, end=True)
                deadlines[i] = due
                if got is not None:
                    status[i] = BREACHED if due is not None and got > due else MET
                elif now_us is not None and due is not None and now_us > due:
                    status[i] = BREACHED
                elif (now_us is None and due is None) or active:
                    status[i] = _PAUSED
                else:
                    status[i] = RUNNING
            elif (b is None or b > start) and lo >= horizon:
                # the pause starts at or after the deadline: only the time used changes; the
                # budget's count stops where the pause starts, which is checked
                seen(cal, lo, end=True)
            if end is None:
                continue  # nothing used without an end
            if end <= start:
                used = 0
            else:
                if end >= horizon:
                    seen(cal, end, end=True)
                p = values[(end - base) // US // size]
                used = (p if p >= 0 else end + p) - p_start
                hi = end if b is None or b > end else b
                if hi > lo:
                    p = values[(hi - base) // US // size]
                    q = values[(lo - base) // US // size]
                    used -= (p if p >= 0 else hi + p) - (q if q >= 0 else lo + q)
            used_col[i] = used
            remaining_col[i] = within - used
            share_col[i] = used / within if within else None
        return left

    def _paused(self, out: list[_Metric], i: int, codes: list[int], sid_of: dict[int, int],  # noqa: PLR0915 - the two paths of a paused case side by side
                picked: list[dict[int, int]], only: set[int] | None = None) -> None:
        """Recompute the metrics of a case whose clock stops (``_Batch._paused`` on a one-case
        group) and its time used, less the paused time; of the metrics ``only``, if given."""
        shared, batch = self.shared, self.batch
        now_us = shared.now_us
        selector = list(shared.selector_list[sid_of[codes[i]]])
        stopping = self.pauses[i]
        plans_of = {}
        for m, entry in enumerate(selector):
            index = entry if entry >= 0 else picked[m].get(i, _NO_RULE)
            if index == _NO_RULE or (only is not None and m not in only):
                selector[m] = _NO_RULE
                continue
            plan = shared.plans[index]
            col = out[m]
            start, due = col.start[i], col.deadline[i]
            if plan.target is None or start is None or due is None:
                continue
            got = col.achieved[i]
            ps = _seen_by(stopping, got, now_us)
            if not ps or self._after(plan, col, i, start, due, got, ps):
                selector[m] = _NO_RULE  # no pause the clock sees changes this metric's deadline
                continue
            if plan.within_us is not None and not plan.ladder:
                self._within_paused(plan, col, i, start, got, ps)
                selector[m] = _NO_RULE
                continue
            plans_of[m] = plan
        if not plans_of:
            return
        group = _Group(batch, tuple(selector))
        group.cases.append(i)  # type: ignore[arg-type]  # only its length is read
        group.opened.append(self.opened[i])
        group.achieved.append(self._achieved(i))
        group.pauses[0] = stopping
        for m in plans_of:
            if selector[m] < 0:
                group.picked[0, m] = picked[m][i]
            group.deadline[m] = [out[m].deadline[i]]
            group.status[m] = [out[m].status[i]]
        batch._paused(group, 0)
        for m, plan in plans_of.items():
            col = out[m]
            start = col.start[i]
            if plan.target is None or start is None or col.status[i] == PENDING:
                continue
            cal = plan.cal
            assert cal is not None
            due = group.deadline[m][0]  # type: ignore[index]
            col.deadline[i] = due
            col.status[i] = group.status[m][0]  # type: ignore[index]
            got = col.achieved[i]
            ps = _seen_by(self.pauses[i], got, now_us)
            end = got if got is not None else now_us
            used = None if end is None else _used_us(cal, start, end, ps)
            span = plan.within_us
            if span is None and due is not None:
                span = _used_us(cal, start, due, ps)
            col.used[i] = used
            col.remaining[i] = None if used is None or span is None else span - used
            col.share[i] = None if used is None or not span else used / span
            fires = group.fires.get((0, m))
            if plan.ladder:
                nexts, fired = _escalation_columns(
                    None if fires is None else [fires], [got], now_us, 1)
                col.next[i], col.fired[i] = nexts[0], fired[0]

    def _within_paused(self, plan: _Plan, col: _Metric, i: int, start: int, got: int | None,
                       ps: list[tuple[int, int | None]]) -> None:
        """A fixed target without a ladder, its clock stopped by ``ps``: ``_Batch._paused``
        for one metric, without building a group."""
        cal, within = plan.cal, plan.within_us
        assert cal is not None and within is not None
        batch, now_us = self.batch, self.shared.now_us
        ends = [b for _, b in ps if b is not None]
        pos = self._position(cal, [start, *(a for a, _ in ps), *ends,
                                   *(() if got is None else (got,)),
                                   *(() if now_us is None else (now_us,))])
        if pos is not None:
            self._within_paused_on(pos, plan, col, i, start, got, ps)
            return
        due = batch._budget(cal, start, within, ps)
        code = _paused_status(due, got, now_us, ps)
        end = got if got is not None else now_us
        used = None
        if end is not None:
            if end > start:
                batch._seen(cal, end, end=True)
            used = _used_us(cal, start, end, ps)
        _put_within(col, i, due, code, used, within)

    def _within_paused_on(self, pos: Callable[[int], int], plan: _Plan, col: _Metric, i: int,
                          start: int, got: int | None, ps: list[tuple[int, int | None]]) -> None:
        """:meth:`_within_paused` with covered time as differences of ``pos`` (the chunk's
        table holds every instant involved): ``_Batch._budget`` and ``_used_us`` inlined."""
        cal, within = plan.cal, plan.within_us
        assert cal is not None and within is not None
        batch, now_us = self.batch, self.shared.now_us
        horizon = cal._timeline.rules.coverage_horizon * US
        # the deadline: ``within`` of covered time, the paused parts not counted
        cursor, remaining, at = start, within, pos(start)
        due: int | None = -1
        for a, b in ps:
            if b is not None and b <= cursor:
                continue
            p_start = a if a > cursor else cursor
            if p_start >= horizon:
                batch._seen(cal, p_start, end=True)
            available = pos(p_start) - at
            if available >= remaining:
                break
            remaining -= available
            if b is None:
                due = None
                break
            cursor, at = b, pos(b)
        if due is not None:
            due = cal._add_us(cursor, remaining)
            if remaining and due >= horizon:
                batch._seen(cal, due, end=True)
        code = _paused_status(due, got, now_us, ps)
        end = got if got is not None else now_us
        used = None
        if end is not None:
            used = 0
            if end > start:
                if end >= horizon:
                    batch._seen(cal, end, end=True)
                used = pos(end) - pos(start)
                for a, b in ps:
                    lo, hi = a if a > start else start, end if b is None or b > end else b
                    if hi > lo:
                        used -= pos(hi) - pos(lo)
        _put_within(col, i, due, code, used, within)

    def _after(self, plan: _Plan, col: _Metric, i: int, start: int, due: int, got: int | None,
               ps: list[tuple[int, int | None]]) -> bool:
        """Whether every pause the clock sees starts at or after the deadline without pauses,
        and none holds at ``now``: then deadline, status and escalations stand, and only the
        time used loses the paused part (which this applies)."""
        now_us = self.shared.now_us
        if any(a < due for a, _ in ps) or (now_us is not None and any(
                a <= now_us and (b is None or now_us < b) for a, b in ps)):
            return False
        cal = plan.cal
        assert cal is not None
        if plan.within_us is not None or any(
                step.at is not None and step.at < 1 for step in plan.ladder):
            # counting the budget stops at the first pause it meets: that instant is checked
            first = next((a for a, b in ps if b is None or b > start), None)
            if first is not None:
                self.batch._seen(cal, max(first, start), end=True)
        end = got if got is not None else now_us
        used = col.used[i]
        if end is None or used is None or end <= start:
            return True
        paused = 0
        for a, b in ps:
            lo, hi = max(a, start), end if b is None else min(b, end)
            if hi > lo:
                paused += cal._elapsed_us(lo, hi)
        if paused:
            span = plan.within_us
            if span is None:
                remaining = col.remaining[i]
                span = None if remaining is None else remaining + used
            used -= paused
            col.used[i] = used
            col.remaining[i] = None if span is None else span - used
            col.share[i] = None if not span else used / span
        return True

    def _slow(self, out: list[_Metric], i: int, case: Case) -> None:
        """A case the columns cannot answer, through :func:`slacalc.evaluate`."""
        results: tuple[MetricResult, ...] = evaluate(self.policy, case, self.now).results
        for col, r in zip(out, results, strict=True):
            col.start[i] = _us(r.start)
            col.deadline[i] = _us(r.deadline)
            col.achieved[i] = _us(r.achieved)
            col.status[i] = STATUSES.index(r.status)
            col.used[i] = None if r.used is None else r.used // _ONE_US
            col.remaining[i] = None if r.remaining is None else r.remaining // _ONE_US
            col.share[i] = r.share
            pending = [e.at for e in r.escalations if e.status == "pending"]
            col.next[i] = _us(pending[0]) if pending else None
            col.fired[i] = sum(e.status == "fired" for e in r.escalations)


def _positions(table: tuple[Any, ...], instants: list[int], shift: int = 0) -> list[int]:
    """The positions (µs) of ``instants`` on a chunk's position table (see
    ``Calendar._pos_table_us``; every instant must lie in it), each plus ``shift``."""
    base, size, values, same = table[:4]
    if same is not None and same < 0:  # time always covered (7x24 without holidays)
        offset = same + shift
        return [x + offset for x in instants]
    size //= US  # two divisions by one-digit ints are quicker than one by a two-digit int
    return [(p if (p := values[(x - base) // US // size]) >= 0 else x + p) + shift
            for x in instants]


def _paused_status(due: int | None, got: int | None, now_us: int | None,
                   ps: list[tuple[int, int | None]]) -> int:
    """The status of a clock that ``ps`` stop, due at ``due`` (``None``: stopped for good)."""
    if got is not None:
        return BREACHED if due is not None and got > due else MET
    if now_us is not None and due is not None and now_us > due:
        return BREACHED
    if (now_us is None and due is None) or (now_us is not None and any(
            a <= now_us and (b is None or now_us < b) for a, b in ps)):
        return _PAUSED
    return RUNNING


def _put_within(col: _Metric, i: int, due: int | None, code: int, used: int | None,
                within: int) -> None:
    """Row ``i`` of a fixed target's columns, from its deadline, status and time used."""
    col.deadline[i] = due
    col.status[i] = code
    col.used[i] = used
    col.remaining[i] = None if used is None else within - used
    col.share[i] = None if used is None or not within else used / within


def _utc_of(value: Any, name: str, row: int, instants: Instants) -> dt.datetime:
    us = _instant_of(value, name, row, instants)
    if us is None:
        raise SlaValueError(f"{name} of row {row} is missing")
    return _utc(us)


def _pauses_us(value: Any, row: int, stopping: frozenset[str]
               ) -> list[tuple[int, int | None]] | None:
    """A row's pauses that stop the clock, in µs, sorted by start and not yet merged
    (``_stopping_us`` without :class:`Pause` objects; validated as ``Pause`` validates; the
    merge is ``_seen_by``'s, once the pauses a clock cannot see are dropped); ``None`` when an
    instant lies outside the years the tables cover."""
    instants = Instants()
    found: list[tuple[int, float, str, int | None]] = []
    for k, p in enumerate(_records(value, "pauses", row)):
        a = _instant_of(p.get("start"), f"pauses[{k}].start", row, instants)
        if a is None:
            raise SlaValueError(f"pauses[{k}].start of row {row} is missing")
        raw_end = p.get("end")
        b = None if raw_end in (None, "") else _instant_of(raw_end, f"pauses[{k}].end", row,
                                                           instants)
        reason = _text_of(p.get("reason"), f"pauses[{k}].reason", row, required=True)
        if b is not None and b < a:
            raise SlaValueError(
                f"pauses[{k}] of row {row} ends ({echo(raw_end)}) before it starts "
                f"({echo(p.get('start'))})")
        if not _MIN_US <= a <= _MAX_US or (b is not None and not _MIN_US <= b <= _MAX_US):
            return None
        found.append((a, float("inf") if b is None else b, reason or "", b))
    found.sort(key=lambda q: (q[0], q[1], q[2]))
    return [(a, b) for a, _, reason, b in found if reason in stopping]


def _records(value: Any, name: str, row: int) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise SlaValueError(f"{name} of row {row} must be a list of records, not {echo(value)}")
    items = list(value)
    for item in items:
        if not isinstance(item, Mapping):
            raise SlaValueError(f"{name} of row {row} must hold records (mappings), not "
                                f"{echo(item)}")
    return items


def _step_columns(steps: list[list[int]], got: list[int | None], now_us: int | None
                  ) -> tuple[list[int | None], list[int]]:
    """Per clock, from a column of instants per escalation step: the first step still pending,
    and how many have fired (a step is skipped when the metric was achieved by then)."""
    n = len(got)
    fired = [0] * n
    for col in steps:
        if now_us is None:
            fired = [c + (a is not None and a > f)
                     for c, a, f in zip(fired, got, col, strict=True)]
        else:
            fired = [c + ((a > f) if a is not None else (now_us >= f))
                     for c, a, f in zip(fired, got, col, strict=True)]
    nexts: list[int | None] = [None] * n
    for col in reversed(steps):
        if now_us is None:
            nexts = [f if a is None else x for x, a, f in zip(nexts, got, col, strict=True)]
        else:
            nexts = [f if a is None and now_us < f else x
                     for x, a, f in zip(nexts, got, col, strict=True)]
    return nexts, fired


def _escalation_columns(fires: list[tuple[int | None, ...]] | None, got: list[int | None],
                        now_us: int | None, n: int) -> tuple[list[int | None], list[int]]:
    """Per clock: the next escalation still pending, and how many steps have fired."""
    if fires is None:
        return [None] * n, [0] * n
    nexts: list[int | None] = []
    fired: list[int] = []
    for steps, a in zip(fires, got, strict=True):
        upcoming = None
        count = 0
        for f in steps:
            if f is None:
                continue
            if a is not None:
                count += a > f
            elif now_us is not None and now_us >= f:
                count += 1
            elif upcoming is None:
                upcoming = f
        nexts.append(upcoming)
        fired.append(count)
    return nexts, fired


# -- the result table --------------------------------------------------------------------------
class _Part:
    """The results of one chunk of cases as Python columns (see :class:`ResultTable`)."""

    def __init__(self, policy: Policy, form: str, source: _Source, carried: list[str],
                 per_metric: list[_Metric], opened: list[int]) -> None:
        self._policy = policy
        self._opened = opened
        self._form = form
        self._source = source
        self._carried = carried
        self._per_metric = per_metric
        self._metrics = tuple(policy.metrics())
        self._n = source.n
        self._zones = {m: _zone(policy, m) for m in self._metrics}
        self._laddered = frozenset(m for m in self._metrics if policy.ladder(m) is not None)
        self._zones[""] = _zone(policy, None)

    # -- the columns, in the output's row order -----------------------------------------------
    def _spread(self, values: Any) -> list[Any]:
        """A per-case column repeated for each metric (long form)."""
        k = len(self._metrics)
        if self._form == "wide" or k == 1:
            return list(values)
        if k == 0:  # a policy without metrics: no rows in the long form
            return []
        out: list[Any] = [None] * (self._n * k)
        for m in range(k):
            out[m::k] = values
        return out

    def _interleave(self, columns: list[list[Any]]) -> list[Any]:
        k = len(columns)
        if k == 1:
            return list(columns[0])
        out: list[Any] = [None] * (self._n * k)
        for m, values in enumerate(columns):
            out[m::k] = values
        return out

    def _field(self, name: str) -> list[list[Any]]:
        attr = {"next_escalation": "next", "escalations_fired": "fired"}.get(name, name)
        return [getattr(col, attr) for col in self._per_metric]

    def _case_values(self, name: str) -> list[Any]:
        source = self._source
        if name == "opened":
            return self._opened
        if isinstance(source, _ListSource):
            values = source.columns.get(name)
            return [None] * self._n if values is None else list(values)
        if name not in source.names:
            return [None] * self._n
        return source.column(name).to_pylist()  # type: ignore[attr-defined,no-any-return]

    @property
    def columns(self) -> dict[str, list[Any]]:
        """Every column as a list: instants and durations in int µs, statuses as strings."""
        out: dict[str, list[Any]] = {}
        for name in CASE_FIELDS:
            values = self._case_values(name)
            if name == "id":
                values = [v if v is None or type(v) is str else str(v) for v in values]
            out[name] = self._spread(values)
            if name == "id" and self._form == "long":
                out["metric"] = list(self._metrics) * self._n
        for name in FIELDS:
            per = self._field(name)
            if name == "status":
                per = [[STATUSES[c] for c in col] for col in per]
            if self._form == "long":
                out[name] = self._interleave(per)
            else:
                for metric, values in zip(self._metrics, per, strict=True):
                    out[f"{metric}.{name}"] = list(values)
        for name in self._carried:
            out[name] = self._spread(self._case_values(name))
        return out

    def records(self) -> list[dict[str, Any]]:
        """One plain dict per row: instants as aware datetimes in the results' zone."""
        columns = self.columns
        zones: dict[str, Any] = {}
        for name in columns:
            if name in _INSTANT_FIELDS:
                zones[name] = self._zones[""]
            elif "." in name and name.rsplit(".", 1)[1] in _INSTANT_FIELDS \
                    and name.rsplit(".", 1)[0] in self._zones:
                zones[name] = self._zones[name.rsplit(".", 1)[0]]
        for name, key in zones.items():
            tz = ZoneInfo(key)
            columns[name] = [None if v is None else _utc(v).astimezone(tz) for v in columns[name]]
        for name in list(columns):
            base = name.rsplit(".", 1)[-1]
            if base in _DURATION_FIELDS and name not in self._carried:
                columns[name] = [None if v is None else dt.timedelta(microseconds=v)
                                 for v in columns[name]]
        names = list(columns)
        return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]

    # -- Arrow -----------------------------------------------------------------------------
    def carried_array(self, name: str, typ: Any = None) -> Any:
        pa = optional_module("pyarrow", "arrow")
        column = self._source.carry(name)
        if not isinstance(column, (pa.Array, pa.ChunkedArray)):
            try:
                column = pa.array(column, typ, memory_pool=_pool(pa))
            except (pa.ArrowException, TypeError, ValueError) as exc:
                raise SlaValueError(
                    f"the carried column {name!r} cannot be made an Arrow column ({exc}); give "
                    "it values of one type, or leave it out with keep=") from None
        elif typ is not None and column.type != typ:
            column = optional_module("pyarrow.compute", "arrow").cast(column, typ,
                                                                     memory_pool=_pool(pa))
        return column

    def to_arrow(self, schema: Any) -> Any:  # noqa: PLR0915 - one pass over the columns
        """The results as a ``pyarrow.Table`` of ``schema``."""
        pa = optional_module("pyarrow", "arrow")
        n, k = self._n, len(self._metrics)
        long = self._form == "long"
        if long and not k:  # a policy without metrics: no rows in the long form
            return schema.empty_table()
        opened = None
        rows = n * k if long else n
        take = _spread_index(pa, n, k) if long and k > 1 else None
        arrays: list[Any] = []
        source = self._source

        pool = _pool(pa)
        pc = optional_module("pyarrow.compute", "arrow")

        def spread(arr: Any) -> Any:
            return arr if take is None else pc.take(arr, take, memory_pool=pool)

        for name in CASE_FIELDS:
            typ = schema.field(name).type
            if name == "opened":
                arr = None
                if isinstance(source, _ArrowSource):
                    arr = source.column("opened")
                    if not pa.types.is_timestamp(arr.type) or arr.type.unit != "us":
                        arr = None
                opened = _int64_array(pa, self._opened, typ) if arr is None else arr.cast(typ)
                arrays.append(spread(opened))
            elif isinstance(source, _ArrowSource):
                if name in source.names:
                    arr = source.column(name)
                    if arr.type != typ:
                        arr = pc.cast(arr, typ, memory_pool=pool)
                else:
                    arr = pa.nulls(n, typ, memory_pool=pool)
                arrays.append(spread(arr))
            else:
                values = self._case_values(name)
                if name == "id":
                    values = [v if type(v) is str else str(v) for v in values]
                arrays.append(spread(pa.array(values, typ, memory_pool=pool)))
            if name == "id" and long:
                codes = array("b", range(k)) * n
                arrays.append(pa.DictionaryArray.from_arrays(
                    pa.Array.from_buffers(pa.int8(), rows, [None, pa.py_buffer(codes)]),
                    pa.array(self._metrics, pa.string())))
        statuses = pa.array(STATUSES, pa.string())
        # each metric's column as an Arrow array (C conversions from int lists or array('q'));
        # the long form interleaves them by one ``take`` (metric-major to case-major)
        order = _interleave_index(pa, n, k) if long and k > 1 else None
        for name in FIELDS:
            attr = {"next_escalation": "next", "escalations_fired": "fired"}.get(name, name)
            per: list[Any] = []
            for metric, col in zip(self._metrics, self._per_metric, strict=True):
                values = getattr(col, attr)
                typ = schema.field(name if long else f"{metric}.{name}").type
                if name == "status":
                    codes = array("b", values)
                    per.append(pa.DictionaryArray.from_arrays(
                        pa.Array.from_buffers(pa.int8(), n, [None, pa.py_buffer(codes)]),
                        statuses))
                elif name == "share":
                    per.append(_float_array(pa, values))
                elif values is self._opened and opened is not None:
                    # a clock started at the opening: that very column
                    per.append(opened if opened.type == typ else opened.cast(typ))
                elif attr in ("next", "fired") and metric not in self._laddered:
                    # no escalation ladder: nothing pending, nothing fired, for every case
                    per.append(pa.nulls(n, typ, memory_pool=pool) if attr == "next" else
                               pa.Array.from_buffers(typ, n, [None, pa.py_buffer(bytes(8 * n))]))
                else:
                    per.append(_int64_array(pa, values, typ))
            if not long:
                arrays.extend(per)
            elif order is None:
                arrays.append(per[0] if per else pa.array([], schema.field(name).type))
            else:
                arrays.append(pc.take(pa.concat_arrays(per, memory_pool=pool), order,
                                      memory_pool=pool))
        for name in self._carried:
            arrays.append(spread(self.carried_array(name, schema.field(name).type)))
        if not long:  # the wide form's columns go metric by metric
            arrays = arrays[:len(CASE_FIELDS)] + [
                arrays[len(CASE_FIELDS) + f * k + m] for m in range(k) for f in range(len(FIELDS))
            ] + arrays[len(CASE_FIELDS) + len(FIELDS) * k:]
        return pa.Table.from_arrays(arrays, schema=schema)



class ResultTable:
    """The results of :func:`evaluate_table`: columns, exported on demand.

    ``to_arrow()`` gives a ``pyarrow.Table`` (schema: :meth:`schema`, that is
    :func:`result_schema` with the carried columns); the table also speaks the Arrow
    PyCapsule stream protocol, so ``polars.DataFrame(results)`` or ``duckdb`` read it
    directly. ``to_pandas()`` and ``to_polars()`` go through Arrow; ``records()`` gives plain
    dicts (instants as aware datetimes in the results' zone, durations as timedeltas);
    ``columns`` a dict of lists (instants and durations as int microseconds).

    With pyarrow installed, each chunk of cases is turned into Arrow arrays as soon as it is
    evaluated, so a large table is held compactly.
    """

    __slots__ = ("_arrow", "_carried", "_form", "_metrics", "_n", "_parts", "_policy",
                 "_schema")

    def __init__(self, policy: Policy, form: str, carried: list[str], parts: list[Any],
                 n: int, schema: Any) -> None:
        self._policy = policy
        self._form = form
        self._carried = carried
        self._parts = parts  # _Part values, or pyarrow tables when pyarrow is installed
        self._metrics = tuple(policy.metrics())
        self._n = n
        self._schema = schema
        self._arrow: Any = None

    @property
    def form(self) -> str:
        """``"long"`` (a row per case and metric) or ``"wide"`` (a row per case)."""
        return self._form

    @property
    def num_cases(self) -> int:
        """How many cases were evaluated."""
        return self._n

    def __len__(self) -> int:
        return self._n * len(self._metrics) if self._form == "long" else self._n

    def __repr__(self) -> str:
        return (f"<ResultTable {self._form}: {len(self):,} rows, {self._n:,} cases x "
                f"{len(self._metrics)} metrics ({', '.join(self._metrics)})>")

    def _in_arrow(self) -> bool:
        return self._schema is not None

    def _repr_html_(self) -> str:
        """The notebook view: shape, column types, the first rows and the count per status."""
        from slacalc import views  # noqa: PLC0415 - the notebook view is loaded on first use

        shown = 10
        rows: list[dict[str, Any]] = []
        if self._in_arrow():
            rows = self.to_arrow().slice(0, shown).to_pylist()
        else:
            for part in self._parts:
                rows.extend(part.records()[:shown - len(rows)])
                if len(rows) >= shown:
                    break
        columns = ({k: [r[k] for r in rows] for k in rows[0]} if rows
                   else {k: [] for k in self.columns})
        counts: dict[str, int] = {}
        names = (["status"] if self._form == "long"
                 else [f"{m}.status" for m in self._metrics])
        for name in names:
            if self._in_arrow():
                for item in self.to_arrow().column(name).value_counts().to_pylist():
                    key = str(item["values"])
                    counts[key] = counts.get(key, 0) + item["counts"]
            else:
                for part in self._parts:
                    for value in part.columns[name]:
                        counts[str(value)] = counts.get(str(value), 0) + 1
        order = [s for s in STATUSES if counts.get(s)]
        footer = " · ".join(f"{s} {counts[s]:,}" for s in order)
        caption = (f"{self._form} results: {self._n:,} cases × {len(self._metrics)} metrics")
        return views.table_html(columns, height=len(self), max_rows=shown, caption=caption,
                                footer=footer or None)

    @property
    def columns(self) -> dict[str, list[Any]]:
        """Every column as a list: instants and durations in int µs, statuses as strings."""
        if self._in_arrow():
            pa = optional_module("pyarrow", "arrow")
            table = self.to_arrow()
            out = {}
            for name, column in zip(table.column_names, table.columns, strict=True):
                t = column.type
                as_int = name not in self._carried and (
                    pa.types.is_timestamp(t) or pa.types.is_duration(t))
                out[name] = (column.cast(pa.int64()) if as_int else column).to_pylist()
            return out
        merged: dict[str, list[Any]] = {}
        for part in self._parts:
            for name, values in part.columns.items():
                merged.setdefault(name, []).extend(values)
        return merged

    def records(self) -> list[dict[str, Any]]:
        """One plain dict per row: instants as aware datetimes in the results' zone."""
        if self._in_arrow():
            return self.to_arrow().to_pylist()  # type: ignore[no-any-return]
        return [r for part in self._parts for r in part.records()]

    def schema(self) -> Any:
        """The Arrow schema of :meth:`to_arrow` (:func:`result_schema` with the carried
        columns' types; needs pyarrow)."""
        if self._schema is None:
            return self.to_arrow().schema
        return self._schema

    def to_arrow(self) -> Any:
        """The results as a ``pyarrow.Table`` (needs pyarrow)."""
        pa = optional_module("pyarrow", "arrow")
        if self._arrow is None:
            if self._in_arrow():
                tables = self._parts
            else:
                first = self._parts[0]
                schema = result_schema(
                    self._policy, form=self._form,
                    carried=[pa.field(c, first.carried_array(c).type) for c in self._carried])
                tables = [part.to_arrow(schema) for part in self._parts]
            self._arrow = tables[0] if len(tables) == 1 else pa.concat_tables(tables)
        return self._arrow

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """The Arrow PyCapsule stream protocol: polars, pandas and duckdb read the table."""
        return self.to_arrow().__arrow_c_stream__(requested_schema)

    def to_pandas(self, *, dtype_backend: str = "numpy") -> Any:
        """A pandas DataFrame, through Arrow (needs pandas and pyarrow).

        ``dtype_backend="numpy"`` (the default) gives pandas' classic dtypes: tz-aware
        ``datetime64[us]``, ``timedelta64[us]``, ``float64``; statuses and metric names as
        categoricals. ``dtype_backend="pyarrow"`` keeps the Arrow columns as they are
        (``pandas.ArrowDtype``, categoricals as before): no copy and no conversion, many times
        quicker for large tables, with the same values.
        """
        if dtype_backend not in ("numpy", "pyarrow"):
            raise SlaValueError(
                f"dtype_backend must be 'numpy' or 'pyarrow', not {echo(dtype_backend)}")
        pd = optional_module("pandas", "pandas")
        if dtype_backend == "numpy":
            return self.to_arrow().to_pandas(memory_pool=_pool(optional_module("pyarrow")))
        return self.to_arrow().to_pandas(types_mapper=partial(_arrow_dtype, pd))

    def to_polars(self) -> Any:
        """A polars DataFrame (needs polars and pyarrow)."""
        pl = optional_module("polars", "polars")
        return pl.from_arrow(self.to_arrow())


def _arrow_dtype(pd: Any, typ: Any) -> Any:
    """Arrow-backed pandas dtypes, but categoricals for dictionaries (statuses, metric names),
    which pandas handles better as its own."""
    return None if str(typ).startswith("dictionary<") else pd.ArrowDtype(typ)


@lru_cache(maxsize=1)
def _pool(pa: Any) -> Any:
    """The Arrow memory pool result columns are built in: jemalloc where pyarrow has it, unless
    the process chose its own (``ARROW_DEFAULT_MEMORY_POOL``); ``None`` for the default pool.

    A result table is large and short-lived, chunk after chunk. Arrow's usual default,
    mimalloc, gives each new buffer memory the kernel must zero page by page again, and that
    cost grows with the table; jemalloc reuses the memory freed by the previous chunks.

    The variable counts when Arrow's default pool is the one it names: set after Arrow chose
    its pool (as Dask's nannies set their workers' variables in the process that starts them),
    it chose nothing in this process.
    """
    chosen = os.environ.get("ARROW_DEFAULT_MEMORY_POOL")
    if chosen and pa.default_memory_pool().backend_name == chosen:
        return None
    try:
        return pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowException):
        return None


@lru_cache(maxsize=8)
def _spread_index(pa: Any, n: int, k: int) -> Any:
    """Take indices repeating each of ``n`` case rows ``k`` times (case-major long form)."""
    index = array("q", bytes(8 * n * k))
    every = array("q", range(n))
    for m in range(k):
        index[m::k] = every
    return pa.Array.from_buffers(pa.int64(), n * k, [None, pa.py_buffer(index)])


@lru_cache(maxsize=8)
def _interleave_index(pa: Any, n: int, k: int) -> Any:
    """Take indices turning ``k`` metric columns of ``n`` cases, one after the other, into
    case-major rows."""
    index = array("q", bytes(8 * n * k))
    for m in range(k):
        index[m::k] = array("q", range(m * n, (m + 1) * n))
    return pa.Array.from_buffers(pa.int64(), n * k, [None, pa.py_buffer(index)])


def _int64_array(pa: Any, values: Sequence[int | None], typ: Any) -> Any:
    """An Arrow array of ``typ`` (int64, timestamp or duration) from ints, ``None`` as null:
    Arrow's own int64 conversion (the quickest from a list), its buffers then typed."""
    n = len(values)
    if isinstance(values, array) and values.typecode == "q":
        return pa.Array.from_buffers(typ, n, [None, pa.py_buffer(values)])
    if not any(values):  # all ``None`` (or zero): no value to convert
        if values.count(None) == n:
            return pa.nulls(n, typ, memory_pool=_pool(pa))
        if values.count(0) == n:
            return pa.Array.from_buffers(typ, n, [None, pa.py_buffer(bytes(8 * n))])
    raw = pa.array(values, pa.int64(), memory_pool=_pool(pa))
    return pa.Array.from_buffers(typ, n, raw.buffers()[:2], null_count=raw.null_count)


def _float_array(pa: Any, values: list[float | None]) -> Any:
    n = len(values)
    if None in values:
        return pa.array(values, pa.float64(), memory_pool=_pool(pa))
    buf = array("d", values)  # type: ignore[type-var]  # no None in it
    return pa.Array.from_buffers(pa.float64(), n, [None, pa.py_buffer(buf)])

