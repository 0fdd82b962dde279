"""What-if: the same cases under two policies, and the promises whose deadline or status changes.

:func:`compare` evaluates every case under a policy as it is (``before``) and under another
(``after``: a new contract, or the same policy with next year's holiday schedule, built with
:meth:`slacalc.Policy.with_calendar_changes`) and keeps the (case, metric) pairs whose deadline
or status differs. A metric only one of the policies has a target for is compared with "no
deadline, ``not_applicable``" on the other side. Cases are read once, a chunk at a time, so any
number of them can be compared; memory holds the changes only.

>>> import datetime as dt
>>> import slacalc as sla
>>> policy = sla.templates.load("spare-parts")
>>> tz = policy.calendar("business").tz
>>> diagnosed = dt.datetime(2026, 11, 20, 10, tzinfo=tz)  # a Friday, before 15:00
>>> case = sla.Case("P-1", diagnosed, "any", tier="5x8xNBD", achieved={"diagnosed": diagnosed})
>>> closed_monday = policy.with_calendar_changes(extra_holidays=[dt.date(2026, 11, 23)])
>>> changes = sla.compare(policy, closed_monday, [case])
>>> print(changes.to_text())
case  metric        before                    after                     shift  status
P-1   parts_arrive  2026-11-23 Mon 17:00 +08  2026-11-24 Tue 17:00 +08  +1d    running -> running
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from slacalc._batch import evaluate_many
from slacalc.case import Case
from slacalc.errors import SlaValueError, echo, optional_module
from slacalc.policy import METRICS, Policy

if TYPE_CHECKING:
    from slacalc.evaluation import Evaluation

__all__ = ["COMPARE_COLUMNS", "Change", "Comparison", "compare"]

#: The columns of :meth:`Comparison.records` and its table exports, in order.
COMPARE_COLUMNS = ("id", "metric", "severity", "tier", "zone", "deadline_before",
                   "deadline_after", "shift", "status_before", "status_after")
_CHUNK = 16_384


@attrs.frozen
class Change:
    """One case's metric whose deadline or status is not the same under both policies.

    ``shift`` is ``deadline_after - deadline_before`` (``None`` when either has no deadline).
    """

    id: str
    metric: str
    severity: str | None
    tier: str | None
    zone: str | None
    deadline_before: dt.datetime | None
    deadline_after: dt.datetime | None
    status_before: str
    status_after: str

    @property
    def shift(self) -> dt.timedelta | None:
        if self.deadline_before is None or self.deadline_after is None:
            return None
        return self.deadline_after - self.deadline_before

    def record(self) -> dict[str, Any]:
        """The change as a dict of :data:`COMPARE_COLUMNS`."""
        return {c: getattr(self, c) for c in COMPARE_COLUMNS}


def _fmt(t: dt.datetime | None) -> str:
    if t is None:
        return "-"
    offset = t.utcoffset() or dt.timedelta(0)
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    minutes = rest // 60
    zone = f"{hours:+03d}" + (f":{minutes:02d}" if minutes else "")
    return f"{t:%Y-%m-%d %a %H:%M} {zone}"


def _fmt_shift(td: dt.timedelta | None) -> str:
    if td is None:
        return "-"
    sign = "-" if td < dt.timedelta(0) else "+"
    td = abs(td)
    days, seconds = td.days, td.seconds
    hours, rest = divmod(seconds, 3600)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
             f"{rest // 60}m" if rest // 60 else "", f"{rest % 60}s" if rest % 60 else ""]
    return sign + ("".join(parts) or "0")


@attrs.frozen
class Comparison:
    """The changes between two evaluations of the same cases: ``before`` and ``after`` name
    the policies, ``cases`` counts the cases compared; iterate for the :class:`Change` values,
    or take them as a table with :meth:`records`, :meth:`to_arrow`, :meth:`to_pandas` or
    :meth:`to_polars` (columns :data:`COMPARE_COLUMNS`; ``shift`` a duration)."""

    before: str
    after: str
    cases: int
    changes: tuple[Change, ...]

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def records(self) -> list[dict[str, Any]]:
        """One dict per change, keys in :data:`COMPARE_COLUMNS` order."""
        return [c.record() for c in self.changes]

    def to_arrow(self) -> Any:
        """The changes as a ``pyarrow.Table`` (requires pyarrow): instants as UTC timestamps
        in microseconds, ``shift`` as a duration in microseconds."""
        pa = optional_module("pyarrow")
        ts = pa.timestamp("us", "UTC")
        types = {"deadline_before": ts, "deadline_after": ts, "shift": pa.duration("us")}
        schema = pa.schema([(c, types.get(c, pa.string())) for c in COMPARE_COLUMNS])
        return pa.Table.from_pylist(self.records(), schema=schema)

    def to_pandas(self) -> Any:
        """The changes as a pandas DataFrame (requires pandas and pyarrow)."""
        return self.to_arrow().to_pandas()

    def to_polars(self) -> Any:
        """The changes as a polars DataFrame (requires polars and pyarrow)."""
        return optional_module("polars").from_arrow(self.to_arrow())

    def to_text(self) -> str:
        """A table: case, metric, deadline before and after, the shift, status before -> after."""
        lines = [("case", "metric", "before", "after", "shift", "status")]
        for c in self.changes:
            lines.append((c.id, c.metric, _fmt(c.deadline_before), _fmt(c.deadline_after),
                          _fmt_shift(c.shift), f"{c.status_before} -> {c.status_after}"))
        widths = [max(len(line[i]) for line in lines) + 2 for i in range(5)]
        return "\n".join("".join(cell.ljust(w) for cell, w in zip(line, widths, strict=False))
                         + line[5] for line in lines)


def compare(before: Policy, after: Policy, cases: Iterable[Case],
            now: dt.datetime | None = None) -> Comparison:
    """Evaluate ``cases`` under ``before`` and under ``after`` (as of ``now``) and return the
    (case, metric) pairs whose deadline or status differs, in case order and, within a case,
    in the order of :data:`slacalc.METRICS`.

    Deadlines are compared as instants. ``cases`` is any iterable of :class:`slacalc.Case`
    (read once); for a table or DataFrame of cases, pass
    ``slacalc.io.cases_from_table(table)``.
    """
    for name, policy in (("before", before), ("after", after)):
        if not isinstance(policy, Policy):
            raise SlaValueError(f"{name} must be a slacalc.Policy, not {echo(policy)}")
    if now is not None and (not isinstance(now, dt.datetime) or now.utcoffset() is None):
        raise SlaValueError(f"now must be an aware datetime, not {echo(now)}")
    if isinstance(cases, Case) or not isinstance(cases, Iterable):
        raise SlaValueError(f"cases must be an iterable of slacalc.Case values, not "
                            f"{echo(cases)}")
    metrics = compared_metrics(before, after)
    changes: list[Change] = []
    count = 0
    stream = iter(cases)
    while chunk := list(itertools.islice(stream, _CHUNK)):
        for case in chunk:
            if not isinstance(case, Case):
                raise SlaValueError(f"cases must be slacalc.Case values, not {echo(case)}")
        count += len(chunk)
        changes.extend(diff(metrics, chunk, evaluate_many(before, chunk, now),
                            evaluate_many(after, chunk, now)))
    return Comparison(before.name, after.name, count, tuple(changes))


def compared_metrics(before: Policy, after: Policy) -> list[str]:
    """The metrics either policy has a target for, in :data:`slacalc.METRICS` order."""
    used = {*before.metrics(), *after.metrics()}
    return [m for m in METRICS if m in used]


def diff(metrics: Iterable[str], cases: Iterable[Case], old: Iterable[Evaluation],
         new: Iterable[Evaluation]) -> Iterator[Change]:
    """The changes between two evaluations of each case, metric by metric."""
    metrics = list(metrics)
    for case, before, after in zip(cases, old, new, strict=True):
        for metric in metrics:
            a = before[metric] if metric in before else None  # noqa: SIM401 - no .get
            b = after[metric] if metric in after else None  # noqa: SIM401 - no .get
            da, sa = (None, "not_applicable") if a is None else (a.deadline, a.status)
            db, sb = (None, "not_applicable") if b is None else (b.deadline, b.status)
            if da != db or sa != sb:
                yield Change(case.id, metric, case.severity, case.tier, case.zone, da, db, sa, sb)
