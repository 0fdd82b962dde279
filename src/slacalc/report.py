"""Aggregate measures: on-time quotas, average satisfaction and service credits, per period.

A policy's ``[[measures]]`` (the docs' "Policy files" page) state promises about many cases at
once: "repairs within 60 working days with >= 95 % on time", "per quarter, average satisfaction
over closed cases must be >= 4", "2 % of the quarter's fee credited per missed restore". The
function :func:`report` streams any number of cases through :func:`slacalc.evaluate_many`, in chunks, keeping only a few counters per measure and period,
and returns a :class:`Report` with one :class:`MeasureResult` per measure and period.

Semantics:

* Periods are calendar months, quarters or years of local dates in the zone of the measure's
  calendar (default: the policy's first calendar): in Asia/Shanghai, 2026-07-01 00:00 +08:00 is
  in 2026-Q3 although it is still June 30 in UTC.
* ``on_time`` and ``credits`` count the results of their metric whose **deadline** falls in the
  period (a promise belongs to the period it fell due in): ``met`` and ``breached`` only.
  Results that are ``running``, ``paused``, ``pending`` or ``not_applicable`` (among them every
  metric of a case excluded by ``clock.exclude_reasons``) are not counted; with ``now``, an open
  promise past its deadline is already ``breached`` and counts. A met result without a deadline
  (its clock stopped by a pause that had not ended when it was achieved) belongs to the period
  it was achieved in.
* ``average_satisfaction`` averages the ``satisfaction`` of the cases **closed** in the period
  that have one; cases excluded by ``clock.exclude_reasons`` do not count, and with ``now`` a
  case closed after ``now`` is not closed yet.
* ``on_time``: value = met / (met + breached), verdict ``met`` when it is at least ``at_least``;
  ``average_satisfaction``: value = the mean rating, ``met`` when at least ``at_least``;
  ``credits``: value = ``per_breach`` x breaches, at most ``cap`` (default the whole fee, 1.0),
  verdict ``credit``. A period in which nothing was counted has value ``None`` and verdict
  ``no data``: neither a pass nor a failure. Comparisons with thresholds are exact (decimal
  arithmetic on the figures as written), so 19 of 20 is exactly 95 %.
* Without ``first``/``last``, each measure gets a row for every period from the first to the last
  in which it counted something (gaps are ``no data``); with them, a row for every period
  overlapping ``[first, last]``, and cases outside those periods are ignored.

>>> import datetime as dt
>>> import slacalc as sla
>>> policy = sla.Policy.from_dict({
...     "name": "restore",
...     "calendars": {"always": {"coverage": "7x24", "tz": "Asia/Shanghai"}},
...     "severities": [{"id": "A", "targets": [
...         {"metric": "restore", "calendar": "always", "within": "4h"}]}],
...     "measures": [
...         {"name": "restore_on_time", "kind": "on_time", "metric": "restore", "at_least": "90%"},
...         {"name": "satisfaction", "kind": "average_satisfaction", "at_least": 4}],
... })
>>> tz = policy.calendar("always").tz
>>> def case(n, day, hours, rating):
...     opened = dt.datetime(2026, 7, day, 9, tzinfo=tz)
...     done = opened + dt.timedelta(hours=hours)
...     return sla.Case(f"T-{n}", opened, "A", achieved={"restore": done}, closed=done,
...                     satisfaction=rating)
>>> cases = [case(1, 1, 3, 5), case(2, 2, 5, 3), case(3, 3, 1, 4)]
>>> result = sla.report(policy, cases)
>>> print(result.to_text())
period   measure          value  target  verdict  counted
2026-Q3  restore_on_time  66.6%  >= 90%  missed   3 (2 met, 1 breached)
2026-Q3  satisfaction     4      >= 4    met      3
>>> [row.measure for row in result.failed()]
['restore_on_time']
"""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs

from slacalc._batch import evaluate_many
from slacalc.case import ROW_KEYS, Case, attribute_name_problem, misspelt_field
from slacalc.errors import SlaValueError, echo, optional_module
from slacalc.policy import Measure, Policy, format_share

if TYPE_CHECKING:
    from slacalc.evaluation import Evaluation

__all__ = ["GROUP_COLUMNS", "REPORT_COLUMNS", "VERDICTS", "MeasureResult", "Report", "Tally",
           "report"]

#: The verdicts a :class:`MeasureResult` can have.
VERDICTS = ("met", "missed", "no data", "credit")
#: The columns of a report's rows as records (``to_dict``), without a breakdown's columns.
REPORT_COLUMNS = ("period", "measure", "kind", "start", "end", "value", "threshold", "verdict",
                  "counted", "met", "breached")
#: The case fields a report can be broken down by (``by=``), besides any attribute of the cases
#: (``customer``, ``site``, ...); other groupings take a function.
GROUP_COLUMNS = ("severity", "tier", "zone", "excluded")
PERIODS = ("month", "quarter", "year")

_CHUNK = 16_384  # cases evaluated at once: memory stays flat; large enough for the lookup tables
_Key = tuple[int, int]  # (year, month 1-12 | quarter 1-4 | 1 for a year): ordered like time
_SUMS = decimal.Context(prec=60)  # exact sums of ratings (each has at most 17 digits)


# -- periods -------------------------------------------------------------------------------------
def _key(day: dt.date, period: str) -> _Key:
    if period == "month":
        return day.year, day.month
    if period == "quarter":
        return day.year, (day.month - 1) // 3 + 1
    return day.year, 1


def _next(key: _Key, period: str) -> _Key:
    year, index = key
    last = {"month": 12, "quarter": 4}.get(period, 1)
    return (year, index + 1) if index < last else (year + 1, 1)


def _bounds(key: _Key, period: str) -> tuple[dt.date, dt.date]:
    """The first and the last day (inclusive) of a period."""
    year, index = key
    months = {"month": 1, "quarter": 3}.get(period, 12)
    first_month = (index - 1) * months + 1
    start = dt.date(year, first_month, 1)
    after = first_month + months
    end = (dt.date(year + 1, 1, 1) if after > 12 else dt.date(year, after, 1)) - dt.timedelta(1)
    return start, end


def _label(key: _Key, period: str) -> str:
    year, index = key
    if period == "month":
        return f"{year:04d}-{index:02d}"
    if period == "quarter":
        return f"{year:04d}-Q{index}"
    return f"{year:04d}"


# -- results -------------------------------------------------------------------------------------
@attrs.frozen
class MeasureResult:
    """One measure over one period.

    ``value`` is the share on time (``on_time``), the mean rating (``average_satisfaction``) or
    the share of the period's fee credited (``credits``); ``None`` when nothing was counted.
    ``threshold`` is the measure's ``at_least`` (``None`` for credits). ``counted`` is the number
    of promises (``on_time``, ``credits``) or rated cases (``average_satisfaction``) counted;
    ``met`` and ``breached`` split the promises (``None`` for satisfaction). ``start`` and
    ``end`` are the period's first and last day, in the zone named by ``zone``.
    """

    measure: str
    kind: str
    period: str
    start: dt.date
    end: dt.date
    value: float | None
    threshold: float | None
    verdict: str
    counted: int
    met: int | None = None
    breached: int | None = None
    metric: str | None = None
    zone: str = ""
    per_breach: float | None = None
    cap: float | None = None
    group: tuple[tuple[str, str | None], ...] = ()

    @property
    def shown(self) -> str:
        """The value as the table shows it: ``"94.7%"`` (rounded down, so a quota never looks
        met when it is not), ``"4.25"``, ``"6%"``, or ``"-"`` when there is no value."""
        if self.value is None:
            return "-"
        if self.kind == "on_time":
            assert self.met is not None and self.breached is not None
            permille = self.met * 1000 // (self.met + self.breached)
            whole, tenth = divmod(permille, 10)
            return f"{whole}%" if tenth == 0 else f"{whole}.{tenth}%"
        if self.kind == "credits":
            return format_share(self.value)
        mean = Decimal(repr(self.value)).quantize(Decimal("0.01"), decimal.ROUND_FLOOR)
        return format(mean.normalize(), "f")

    @property
    def target(self) -> str:
        """The promise in short: ``">= 95%"``, ``">= 4"``, ``"2% per breach, cap 10%"``."""
        if self.kind == "on_time":
            assert self.threshold is not None
            return f">= {format_share(self.threshold)}"
        if self.kind == "average_satisfaction":
            assert self.threshold is not None
            return f">= {format(Decimal(repr(self.threshold)).normalize(), 'f')}"
        assert self.per_breach is not None
        cap = "" if self.cap is None else f", cap {format_share(self.cap)}"
        return f"{format_share(self.per_breach)} per breach{cap}"

    def explain(self) -> str:
        """What was counted and how the verdict follows."""
        group = "".join(f" {k}={'-' if v is None else v}" for k, v in self.group)
        head = (f"{self.measure} {self.period}{group} ({self.start.isoformat()} to "
                f"{self.end.isoformat()}, {self.zone}): {self.verdict}")
        if self.kind == "average_satisfaction":
            if self.value is None:
                body = "no rated case was closed in the period"
            else:
                body = (f"average satisfaction {self.shown} over {self.counted} rated "
                        f"case{'s' if self.counted != 1 else ''} closed in the period; "
                        f"at least {self.target[3:]} required")
            return f"{head}\n  {body}"
        what = f"{self.metric} promises due in the period"
        if self.value is None:
            return f"{head}\n  no {what} were met or breached"
        counts = f"{self.counted} {what}: {self.met} met, {self.breached} breached"
        if self.kind == "on_time":
            body = f"{counts}; {self.shown} on time, at least {self.target[3:]} required"
        else:
            assert self.per_breach is not None and self.breached is not None
            raw = Decimal(repr(self.per_breach)) * self.breached
            capped = "" if float(raw) == self.value else f" (capped from {format_share(float(raw))})"
            body = (f"{counts}; {self.breached} x {format_share(self.per_breach)} = credit "
                    f"{self.shown} of the period's fee{capped}")
        return f"{head}\n  {body}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data (dates as ISO text) for CSV or JSON output: the columns of
        :data:`REPORT_COLUMNS`, with the breakdown's columns (if any) after ``period``."""
        record = self.record()
        record["start"], record["end"] = self.start.isoformat(), self.end.isoformat()
        return record

    def record(self) -> dict[str, Any]:
        """Like :meth:`to_dict`, with ``start`` and ``end`` as ``datetime.date`` values."""
        return {
            "period": self.period, **dict(self.group), "measure": self.measure,
            "kind": self.kind, "start": self.start, "end": self.end, "value": self.value,
            "threshold": self.threshold, "verdict": self.verdict, "counted": self.counted,
            "met": self.met, "breached": self.breached,
        }


@attrs.frozen
class Report:
    """The measures of a policy over a set of cases: one row per measure and period (and group
    of a breakdown, named by ``by``), sorted by period start, then measure name, then group.

    Besides the objects (iterate over it), a report is a table: :meth:`records`,
    :meth:`to_arrow`, :meth:`to_pandas` and :meth:`to_polars` give its rows with the columns
    ``period``, the breakdown's columns, then the rest of :data:`REPORT_COLUMNS`.
    """

    policy: str
    rows: tuple[MeasureResult, ...]
    cases: int = 0
    now: dt.datetime | None = None
    by: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of :meth:`records` and the table exports."""
        return ("period", *self.by, *REPORT_COLUMNS[1:])

    def records(self) -> list[dict[str, Any]]:
        """One dict per row (dates as ``datetime.date``), keys in :attr:`columns` order."""
        return [r.record() for r in self.rows]

    def to_arrow(self) -> Any:
        """The rows as a ``pyarrow.Table`` (requires pyarrow): dates as ``date32``, shares as
        ``float64``, counts as ``int64``; empty cells are nulls."""
        pa = optional_module("pyarrow")
        types = {"start": pa.date32(), "end": pa.date32(), "value": pa.float64(),
                 "threshold": pa.float64(), "counted": pa.int64(), "met": pa.int64(),
                 "breached": pa.int64()}
        schema = pa.schema([(c, types.get(c, pa.string())) for c in self.columns])
        return pa.Table.from_pylist(self.records(), schema=schema)

    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame (requires pandas and pyarrow), through Arrow."""
        return self.to_arrow().to_pandas()

    def to_polars(self) -> Any:
        """The rows as a polars DataFrame (requires polars and pyarrow), through Arrow."""
        return optional_module("polars").from_arrow(self.to_arrow())

    def __iter__(self) -> Iterator[MeasureResult]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def failed(self) -> tuple[MeasureResult, ...]:
        """The rows whose verdict is ``missed`` (a threshold not reached)."""
        return tuple(r for r in self.rows if r.verdict == "missed")

    @property
    def ok(self) -> bool:
        """True when no measure with a threshold was missed (``no data`` is not a miss)."""
        return not self.failed()

    def to_text(self) -> str:
        """A table: period, the breakdown's columns, measure, value, target, verdict, counted
        (an empty group value shows as ``-``)."""
        header = ("period", *self.by, "measure", "value", "target", "verdict", "counted")
        lines = [header]
        for r in self.rows:
            counted = str(r.counted)
            if r.met is not None and r.counted:
                counted += f" ({r.met} met, {r.breached} breached)"
            groups = tuple("-" if v is None else v for _, v in r.group)
            lines.append((r.period, *groups, r.measure, r.shown, r.target, r.verdict, counted))
        widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
        return "\n".join(
            "  ".join(cell.ljust(w) for cell, w in zip(line[:-1], widths, strict=True))
            + "  " + line[-1]
            for line in lines
        )

    def _repr_html_(self) -> str:
        from slacalc import views  # noqa: PLC0415 - the notebook view is loaded on first use

        return views.report_html(self)

    def explain(self) -> str:
        """Every row's explanation."""
        now = "" if self.now is None else f", as of {self.now.isoformat()}"
        head = f"policy {echo(self.policy)}: {self.cases} case{'s' if self.cases != 1 else ''}{now}"
        return "\n".join([head, *(r.explain() for r in self.rows)])


# -- tallying ------------------------------------------------------------------------------------
def _date(value: Any, name: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise SlaValueError(f"{name} must be a datetime.date (or None), not {echo(value)}")
    return value


_Group = tuple[str | None, ...]
_Grouper = Callable[[Case], Any]


def group_column_problem(name: Any) -> str | None:
    """Why a report cannot be broken down by the case column ``name``, or ``None`` if it can:
    a field of :data:`GROUP_COLUMNS` or any attribute name.

    >>> group_column_problem("customer") is None, group_column_problem("tier") is None
    (True, True)
    >>> print(group_column_problem("opened"))
    'opened' is a case field that does not name a group; break down by severity, tier, zone, excluded or an attribute of the cases (customer, ...), and by time with the report's period (period= in Python, --period on the command line)
    """
    if name in GROUP_COLUMNS:
        return None
    if name in ROW_KEYS or (isinstance(name, str) and name.startswith("achieved.")):
        return (f"{echo(name)} is a case field that does not name a group; break down by "
                f"{', '.join(GROUP_COLUMNS)} or an attribute of the cases (customer, ...), and "
                "by time with the report's period (period= in Python, --period on the command "
                "line)")
    if name in REPORT_COLUMNS:
        return (f"{echo(name)} is a column of the report itself, so no breakdown can take "
                "that name; rename that column of the cases, or (in Python) map another name "
                f"to it: by={{'case_{name}': lambda case: case.attribute({name!r})}}")
    problem = attribute_name_problem(name, typos=False)
    if problem is None:
        like = misspelt_field(name)
        if like is not None:
            hint = like if like in GROUP_COLUMNS else (
                f"{', '.join(GROUP_COLUMNS)} or an attribute of the cases")
            return (f"{echo(name)} looks like a misspelt {like!r}, and a case cannot have an "
                    f"attribute so named; break down by {hint}")
    return problem


@attrs.frozen
class _AttributeOf:
    """Reads one attribute of a case (a function that pickles, unlike a lambda)."""

    name: str

    def __call__(self, case: Case) -> Any:
        return case.attribute(self.name)


def _groupers(by: Any) -> tuple[tuple[str, ...], tuple[_Grouper, ...]]:
    """``by`` as column names and the functions that read a case's value of each."""
    if by is None:
        return (), ()
    if isinstance(by, str):
        by = [by]
    if isinstance(by, Mapping):
        items = list(by.items())
    elif isinstance(by, Iterable):
        items = [(name, None) for name in by]
    else:
        raise SlaValueError(f"by must be column names or a mapping of names to functions, not "
                            f"{echo(by)}")
    names: list[str] = []
    funcs: list[_Grouper] = []
    for name, func in items:
        if not isinstance(name, str) or not name:
            raise SlaValueError(f"by: {echo(name)} is not a column name")
        if func is None and name not in names:
            problem = group_column_problem(name)
            if problem is not None:
                raise SlaValueError(f"by: {problem}" + ("" if name in REPORT_COLUMNS else
                                    "; or map a name to a function of the case (by={'region': "
                                    "lambda case: ...})"))
        if name in REPORT_COLUMNS or name in names:
            raise SlaValueError(f"by: the column name {echo(name)} is taken (by the report's "
                                "own columns or an earlier one); give it another name")
        if func is None:
            funcs.append(attrgetter(name) if name in GROUP_COLUMNS else _AttributeOf(name))
        elif callable(func):
            funcs.append(func)
        else:
            raise SlaValueError(f"by: {echo(name)} maps to {echo(func)}, not to a function")
        names.append(name)
    return tuple(names), tuple(funcs)


def _group_value(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))  # 12.0 groups with 12: a pandas column with gaps holds floats
    if isinstance(value, int | float):
        return str(value)
    raise SlaValueError(f"by: the function for {name!r} gave {echo(value)}; give text or None")


class Tally:
    """The counters behind a :class:`Report`, fed one case (and its evaluation) at a time.

    :func:`report` is the usual entry point; a ``Tally`` is for callers that evaluate the cases
    themselves (to handle a case that cannot be evaluated their own way, or to share the
    evaluations with other output). ``add(case, evaluation)`` counts one case, where
    ``evaluation`` is ``sla.evaluate(policy, case, now)`` (``None`` is allowed when
    ``needs_evaluation`` is false: satisfaction reads only the case); :meth:`report` gives the
    result so far. Memory: a few counters per measure and period, whatever the number of cases.

    A tally is an accumulator: :meth:`add` and :meth:`extend` change it in place (it is not a
    frozen value like the rest of slacalc's objects). :meth:`merge` (or ``a + b``) combines two
    tallies into a new one without changing either, so parts of a case list can be counted
    separately, even in other processes (a tally pickles), and combined at the end.

    >>> import datetime as dt
    >>> import slacalc as sla
    >>> policy = sla.templates.load("repairs")
    >>> tally = sla.Tally(policy, first=dt.date(2026, 1, 1), last=dt.date(2026, 3, 31))
    >>> tally.needs_evaluation, len(tally.report())
    (True, 1)
    """

    def __init__(self, policy: Policy, now: dt.datetime | None = None, *,
                 first: dt.date | None = None, last: dt.date | None = None,
                 by: Iterable[str] | Mapping[str, _Grouper] | None = None,
                 period: str | None = None) -> None:
        if not isinstance(policy, Policy):
            raise SlaValueError(f"policy must be a slacalc.Policy, not {echo(policy)}")
        if now is not None and (not isinstance(now, dt.datetime) or now.utcoffset() is None):
            raise SlaValueError(f"now must be an aware datetime, not {echo(now)}")
        first, last = _date(first, "first"), _date(last, "last")
        if first is not None and last is not None and last < first:
            raise SlaValueError(f"last={last.isoformat()} is before first={first.isoformat()}")
        if period is not None and period not in PERIODS:
            raise SlaValueError(f"period={echo(period)} is not a period; use 'month', "
                                "'quarter' or 'year', or None for each measure's own")
        self.policy = policy
        self.now = now
        self.first = first
        self.last = last
        self.period = period
        self.by, self._groupers = _groupers(by)
        #: the attributes grouped by that no case counted so far has had
        self.unseen = {f.name for f in self._groupers if isinstance(f, _AttributeOf)}
        #: while some are unseen: the attribute names the cases counted have (for the message)
        self.names_seen: set[str] = set()
        self._by_arg = by if isinstance(by, Mapping) else self.by
        self.measures = policy.measures
        self.periods = [period or m.period for m in self.measures]
        default = policy.calendars[0].name if policy.calendars else None
        self.zones = []
        for m in self.measures:
            name = m.calendar or default
            if name is None:
                raise SlaValueError(f"measure {echo(m.name)} needs a calendar; policy "
                                    f"{echo(policy.name)} has none")
            self.zones.append(policy.calendar(name).tz)
        self.lo = [None if first is None else _key(first, p) for p in self.periods]
        self.hi = [None if last is None else _key(last, p) for p in self.periods]
        # measure -> group -> period -> counters; without a breakdown, the one group () is
        # always there (so first/last give rows even without cases)
        self.counts: list[dict[_Group, dict[_Key, list[Any]]]] = [
            {} if self.by else {(): {}} for _ in self.measures]
        self.excluded = policy.clock.exclude_reasons
        self.needs_evaluation = any(m.kind != "average_satisfaction" for m in self.measures)
        self.cases = 0

    def _slot(self, i: int, group: _Group, when: dt.datetime,
              fresh: list[Any]) -> list[Any] | None:
        key = _key(when.astimezone(self.zones[i]).date(), self.periods[i])
        lo, hi = self.lo[i], self.hi[i]
        if (lo is not None and key < lo) or (hi is not None and key > hi):
            return None
        counts = self.counts[i][group]
        slot = counts.get(key)
        if slot is None:
            slot = counts[key] = fresh
        return slot

    def add(self, case: Case, evaluation: Evaluation | None = None) -> None:
        """Count one case; ``evaluation`` is its evaluation under the policy as of ``now``."""
        if not isinstance(case, Case):
            raise SlaValueError(f"cases must be slacalc.Case values, not {echo(case)}")
        if evaluation is None and self.needs_evaluation:
            raise SlaValueError(f"case {echo(case.id)}: the measures of policy {echo(self.policy.name)} "
                                "need its evaluation: add(case, sla.evaluate(policy, case, now))")
        if evaluation is not None and evaluation.case_id != case.id:
            raise SlaValueError(f"the evaluation is of case {echo(evaluation.case_id)}, not of "
                                f"case {echo(case.id)}")
        self.cases += 1
        group: _Group = ()
        if self.by:
            group = tuple(_group_value(f(case), name)
                          for name, f in zip(self.by, self._groupers, strict=True))
            if self.unseen and case.attributes:
                names = [n for n, _ in case.attributes]
                self.unseen.difference_update(names)
                self.names_seen.update(names)
            for counts in self.counts:
                counts.setdefault(group, {})
        for i, m in enumerate(self.measures):
            if m.kind == "average_satisfaction":
                rating, closed = case.satisfaction, case.closed
                if rating is None or closed is None:
                    continue
                if case.excluded is not None and case.excluded in self.excluded:
                    continue
                if self.now is not None and closed.astimezone(dt.UTC) > self.now.astimezone(dt.UTC):
                    continue  # (compared in UTC: one zone's datetimes compare by wall time)
                slot = self._slot(i, group, closed, [0, Decimal(0)])
                if slot is not None:
                    slot[0] += 1
                    slot[1] = _SUMS.add(slot[1], Decimal(rating) if isinstance(rating, int)
                                        else Decimal(repr(float(rating))))
                continue
            metric = m.metric
            if metric is None or evaluation is None or metric not in evaluation:
                continue
            # a promise belongs to the period it falls due in: its last on-time instant (the
            # day before the deadline's midnight for "by the end of the day")
            status, due, achieved = evaluation._judged(metric)
            if status == "met":
                index = 0
            elif status == "breached":
                index = 1
            else:
                continue
            when = due if due is not None else achieved
            if when is None:  # pragma: no cover - a judged result has one or the other
                continue
            slot = self._slot(i, group, when, [0, 0])
            if slot is not None:
                slot[index] += 1

    def extend(self, cases: Iterable[Case]) -> None:
        """Evaluate (in chunks, with ``evaluate_many``) and count every case."""
        if isinstance(cases, Case) or not isinstance(cases, Iterable):
            raise SlaValueError(f"cases must be an iterable of slacalc.Case values, not {echo(cases)}")
        stream = iter(cases)
        while chunk := list(itertools.islice(stream, _CHUNK)):
            for case in chunk:
                if not isinstance(case, Case):
                    raise SlaValueError(f"cases must be slacalc.Case values, not {echo(case)}")
            if self.needs_evaluation:
                evaluations: Iterable[Any] = evaluate_many(self.policy, chunk, self.now)
            else:
                evaluations = itertools.repeat(None, len(chunk))
            for case, evaluation in zip(chunk, evaluations, strict=True):
                self.add(case, evaluation)

    def merge(self, other: Tally) -> Tally:
        """A new tally counting the cases of both ``self`` and ``other``; neither is changed.

        Merging is associative and commutative, and a fresh tally (no case added) is its
        identity: tallies of the parts of a list of cases, however it is split, merge into the
        tally of the whole list, so the parts can be counted apart (in other processes, per
        partition) and combined at the end. Both tallies must be of the same policy, with the
        same ``now``, ``first`` and ``last``. ``a + b`` is ``a.merge(b)``.

        >>> import datetime as dt
        >>> import slacalc as sla
        >>> policy = sla.Policy.from_dict({
        ...     "name": "restore",
        ...     "calendars": {"always": {"coverage": "7x24", "tz": "Asia/Shanghai"}},
        ...     "severities": [{"id": "A", "targets": [
        ...         {"metric": "restore", "calendar": "always", "within": "4h"}]}],
        ...     "measures": [{"name": "on_time", "kind": "on_time", "metric": "restore",
        ...                   "at_least": "90%"}]})
        >>> opened = dt.datetime(2026, 7, 1, 9, tzinfo=policy.calendar("always").tz)
        >>> cases = [sla.Case(f"T-{n}", opened, "A",
        ...                   achieved={"restore": opened + dt.timedelta(hours=n)})
        ...          for n in range(1, 7)]
        >>> left, right = sla.Tally(policy), sla.Tally(policy)
        >>> left.extend(cases[:2])
        >>> right.extend(cases[2:])
        >>> merged = left + right
        >>> merged.report() == sla.report(policy, cases)
        True
        >>> print(merged.report().to_text())
        period   measure  value  target  verdict  counted
        2026-Q3  on_time  66.6%  >= 90%  missed   6 (4 met, 2 breached)
        >>> left.cases, right.cases, merged.cases
        (2, 4, 6)
        """
        if not isinstance(other, Tally):
            raise SlaValueError(f"a Tally merges only with another Tally, not {echo(other)}")
        for name in ("now", "first", "last", "period", "by"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:  # (a now at the same instant in another zone is the same now)
                raise SlaValueError(
                    f"cannot merge tallies with different {name}: {echo(mine)} and "
                    f"{echo(theirs)}; count every part with the same {name}")
        if other.policy is not self.policy and other.policy != self.policy:
            raise SlaValueError(
                f"cannot merge tallies of different policies ({self.policy.name!r} and "
                f"{other.policy.name!r}); count every part under the same policy")
        merged = Tally(self.policy, self.now, first=self.first, last=self.last,
                       by=self._by_arg, period=self.period)
        merged.cases = self.cases + other.cases
        merged.unseen = self.unseen & other.unseen
        merged.names_seen = self.names_seen | other.names_seen
        for i in range(len(self.measures)):
            groups = merged.counts[i]
            for source in (self.counts[i], other.counts[i]):
                for group, periods in source.items():
                    counts = groups.setdefault(group, {})
                    for key, slot in periods.items():
                        into = counts.get(key)
                        if into is None:
                            counts[key] = list(slot)
                        else:
                            counts[key] = [_SUMS.add(a, b) if isinstance(a, Decimal) else a + b
                                           for a, b in zip(into, slot, strict=True)]
        return merged

    def __add__(self, other: object) -> Tally:
        if not isinstance(other, Tally):
            return NotImplemented
        return self.merge(other)

    def _unseen_message(self) -> str:
        missing = [n for n in self.by if n in self.unseen]
        who = ("the case does not have" if self.cases == 1
               else f"none of the {self.cases:,} cases has")
        text = (f"cannot break down by {', '.join(map(repr, missing))}: {who} "
                f"{'such an attribute' if len(missing) == 1 else 'such attributes'}")
        seen = sorted(self.names_seen)
        close = {n: difflib.get_close_matches(n, seen, n=1, cutoff=0.6) for n in missing}
        hints = [f"{n!r} is perhaps {found[0]!r}" for n, found in close.items() if found]
        if hints:
            text += f" ({'; '.join(hints)})"
        if seen:
            shown = ", ".join(seen[:12]) + (f" (+{len(seen) - 12} more)" if len(seen) > 12
                                            else "")
            return text + f"; the cases' attributes are {shown}"
        return text + ("; the cases have no attributes (a case file's columns other than the "
                       "case's fields are its attributes)")

    def report(self) -> Report:
        """The report of the cases counted so far.

        A breakdown by an attribute that none of the cases counted has is an error (a
        misspelt name would otherwise put every case in one group without a name)."""
        if self.cases and self.unseen:
            raise SlaValueError(self._unseen_message())
        rows = []
        for i, m in enumerate(self.measures):
            period = self.periods[i]
            zone = str(self.zones[i])
            for group, counts in self.counts[i].items():
                lo = self.lo[i] if self.lo[i] is not None else min(counts, default=None)
                hi = self.hi[i] if self.hi[i] is not None else max(counts, default=None)
                if lo is None or hi is None:
                    continue
                named = tuple(zip(self.by, group, strict=True))
                key = lo
                while key <= hi:
                    rows.append(_row(m, period, key, counts.get(key), zone, named))
                    key = _next(key, period)
        rows.sort(key=lambda r: (r.start, r.measure,
                                 tuple((v is not None, v or "") for _, v in r.group)))
        return Report(self.policy.name, tuple(rows), self.cases, self.now, self.by)


def _exact(value: float) -> Fraction:
    """A threshold or share as the decimal it was written as (0.95 is exactly 19/20)."""
    return Fraction(Decimal(repr(value)))


def _row(m: Measure, period: str, key: _Key, slot: list[Any] | None, zone: str,
         group: tuple[tuple[str, str | None], ...]) -> MeasureResult:
    start, end = _bounds(key, period)
    label = _label(key, period)
    common: dict[str, Any] = {"zone": zone, "metric": m.metric, "group": group}
    if m.kind == "average_satisfaction":
        assert m.at_least is not None
        count, total = slot if slot is not None else (0, Decimal(0))
        if not count:
            return MeasureResult(m.name, m.kind, label, start, end, None, m.at_least, "no data",
                                 0, **common)
        mean = Fraction(total) / count
        verdict = "met" if mean >= _exact(m.at_least) else "missed"
        return MeasureResult(m.name, m.kind, label, start, end, float(mean), m.at_least,
                             verdict, count, **common)
    met, breached = slot if slot is not None else (0, 0)
    counted = met + breached
    if m.kind == "on_time":
        assert m.at_least is not None
        if not counted:
            return MeasureResult(m.name, m.kind, label, start, end, None, m.at_least, "no data",
                                 0, 0, 0, **common)
        share = Fraction(met, counted)
        verdict = "met" if share >= _exact(m.at_least) else "missed"
        return MeasureResult(m.name, m.kind, label, start, end, float(share), m.at_least,
                             verdict, counted, met, breached, **common)
    assert m.per_breach is not None
    common.update(per_breach=m.per_breach, cap=m.cap)
    if not counted:
        return MeasureResult(m.name, m.kind, label, start, end, None, None, "no data", 0, 0, 0,
                             **common)
    credit = min(_exact(m.per_breach) * breached, _exact(m.cap) if m.cap is not None else 1)
    return MeasureResult(m.name, m.kind, label, start, end, float(credit), None, "credit",
                         counted, met, breached, **common)


# -- the entry point -----------------------------------------------------------------------------
def report(policy: Policy, cases: Iterable[Case], now: dt.datetime | None = None, *,
           first: dt.date | None = None, last: dt.date | None = None,
           by: Iterable[str] | Mapping[str, Callable[[Case], Any]] | None = None,
           period: str | None = None) -> Report:
    """Judge ``policy``'s aggregate measures over ``cases``, per period.

    ``cases`` may be any iterable (a generator over a file of millions of cases): it is read once,
    evaluated in chunks of 16,384 with :func:`slacalc.evaluate_many` as of ``now`` (see :func:`slacalc.evaluate`), and only counters per measure and period are kept. ``first`` and
    ``last`` (dates) restrict the report to the periods overlapping ``[first, last]``. The module
    docstring states what is counted where.

    ``period`` (``"month"``, ``"quarter"`` or ``"year"``) tallies every measure per that period
    instead of its own. ``by`` breaks every row down by case columns: names from
    :data:`GROUP_COLUMNS` (``severity`` is the severity the case was opened with) or of the
    cases' attributes (``customer``, ``site``: a case file's extra columns; numbers and
    booleans group as text, a whole float as the whole number (``12.0`` as ``12``: a pandas
    column of whole numbers with gaps holds floats), and a case without the attribute falls in
    the group ``None``), or
    a mapping of column names to functions of the case giving text or ``None``
    (``{"prefix": lambda case: case.id.split("-")[0]}``). The rows of one group are exactly
    the rows of the report over that group's cases alone; only groups of cases counted appear.
    An attribute that none of the cases has is an error.

    >>> import datetime as dt
    >>> import slacalc as sla
    >>> policy = sla.Policy.from_dict({
    ...     "name": "restore",
    ...     "calendars": {"always": {"coverage": "7x24", "tz": "Asia/Shanghai"}},
    ...     "severities": [{"id": s, "targets": [
    ...         {"metric": "restore", "calendar": "always", "within": "4h"}]} for s in "AB"],
    ...     "measures": [{"name": "on_time", "kind": "on_time", "metric": "restore",
    ...                   "at_least": "90%"}]})
    >>> tz = policy.calendar("always").tz
    >>> cases = [sla.Case(f"T-{n}", dt.datetime(2026, month, 1, 9, tzinfo=tz), severity,
    ...                   achieved={"restore": dt.datetime(2026, month, 1, 9 + hours, tzinfo=tz)})
    ...          for n, (month, severity, hours) in enumerate(
    ...              [(7, "A", 1), (7, "A", 5), (7, "B", 2), (8, "B", 6)])]
    >>> print(sla.report(policy, cases, by=["severity"], period="month").to_text())
    period   severity  measure  value  target  verdict  counted
    2026-07  A         on_time  50%    >= 90%  missed   2 (1 met, 1 breached)
    2026-07  B         on_time  100%   >= 90%  met      1 (1 met, 0 breached)
    2026-08  B         on_time  0%     >= 90%  missed   1 (0 met, 1 breached)
    """
    tally = Tally(policy, now, first=first, last=last, by=by, period=period)
    tally.extend(cases)
    return tally.report()
