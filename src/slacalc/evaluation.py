"""Evaluating a case under a policy: deadlines, statuses, time used, escalations, explanations.

The rules are stated in :func:`evaluate`'s documentation; they are the policy files' rules.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from slacalc._durations import format_duration
from slacalc.calendar import Calendar, Segment
from slacalc.case import Case, Pause, SeverityChange
from slacalc.errors import OutOfRangeError, SlaValueError, echo
from slacalc.policy import EVENTS, Policy, TargetRule
from slacalc.targets import BusinessDays, Target, Within

__all__ = ["Escalation", "Evaluation", "MetricResult", "Status", "evaluate"]

class Status(enum.StrEnum):
    """The status of one metric of one case; each is its plain string (``Status.MET == "met"``,
    same hash, same text in f-strings, CSV and JSON, and shown as that string), so code and
    files that use the strings keep working, while type checkers and editors know the set.

    >>> import slacalc as sla
    >>> sla.Status.BREACHED == "breached", f"{sla.Status.NOT_APPLICABLE}", [sla.Status.MET]
    (True, 'not_applicable', ['met'])
    >>> sla.Status("paused") is sla.Status.PAUSED
    True
    """

    def __repr__(self) -> str:
        return repr(self.value)

    #: achieved at or before the deadline
    MET = "met"
    #: achieved after the deadline, or not achieved and ``now`` is past it
    BREACHED = "breached"
    #: not achieved, the clock running, the deadline not yet passed
    RUNNING = "running"
    #: not achieved, inside a pause that stops the clock
    PAUSED = "paused"
    #: the clock has not started: its start event (or the case's opening) is after ``now``
    PENDING = "pending"
    #: no target applies (negotiated, excluded case, or no rule for this tier and zone)
    NOT_APPLICABLE = "not_applicable"


#: The statuses in the order the batch path codes them (``STATUSES[code]``).
STATUSES = tuple(Status)
_MET, _BREACHED, _RUNNING, _PAUSED, _PENDING, _NOT_APPLICABLE = STATUSES
_ZERO = dt.timedelta(0)
_ONE_US = dt.timedelta(microseconds=1)


@attrs.frozen
class Escalation:
    """One escalation step for one case: when it fires and whether it has."""

    name: str
    notify: str
    at: dt.datetime
    status: str  # "fired" | "pending" | "skipped" (the metric was achieved before it)

    def __str__(self) -> str:
        who = f" -> {self.notify}" if self.notify else ""
        return f"{self.name}{who} at {self.at:%Y-%m-%d %H:%M} ({self.status})"


@attrs.frozen
class MetricResult:
    """The evaluation of one metric of one case."""

    metric: str
    status: str
    target: str
    start: dt.datetime | None
    deadline: dt.datetime | None
    achieved: dt.datetime | None
    used: dt.timedelta | None
    remaining: dt.timedelta | None
    share: float | None
    escalations: tuple[Escalation, ...] = ()
    note: str = ""
    _calendar: Calendar | None = attrs.field(default=None, eq=False, repr=False)
    _pauses: tuple[tuple[Pause, bool], ...] = attrs.field(default=(), eq=False, repr=False)
    _until: dt.datetime | None = attrs.field(default=None, eq=False, repr=False)
    # the deadline is "by the end of the day": the next midnight itself is already late
    _end_of_day: bool = attrs.field(default=False, eq=False, repr=False)

    def __repr__(self) -> str:
        text = f"<MetricResult {self.metric}: {self.status}"
        if self.deadline is not None:
            text += f", deadline {self.deadline.isoformat()}"
        if self.achieved is not None:
            text += f", achieved {self.achieved.isoformat()}"
        return text + ">"

    @property
    def due(self) -> dt.datetime | None:
        """The last instant at which achieving the metric is on time: the deadline, or just
        before it for "by the end of the day" targets (due at the next midnight, exclusive)."""
        if self.deadline is None or not self._end_of_day:
            return self.deadline
        return self.deadline - _ONE_US

    def segments(self) -> list[Segment]:
        """Every interval from the clock's start to the deadline (or achievement, or ``now``),
        counted or skipped, with why: outside hours, weekend, holiday by name, pause and reason."""
        if self._calendar is None or self.start is None or self._until is None:
            return []
        if _utc(self._until) <= _utc(self.start):
            return []
        pieces = self._calendar.segments(self.start, self._until)
        for pause, stops in self._pauses:
            pieces = _cut(pieces, pause, stops)
        return pieces

    def explain(self) -> str:
        """A readable account of this metric: target, start, deadline, status, intervals."""
        lines = [f"{self.metric}: {self.status}  ({self.target})"]
        if self.note:
            lines.append(f"  note: {self.note}")
        for label, value in (("start", self.start), ("deadline", self.deadline),
                             ("achieved", self.achieved)):
            if value is not None:
                lines.append(f"  {label:9s}{value:%Y-%m-%d %a %H:%M:%S %z}")
        if self.used is not None:
            left = "" if self.remaining is None else f", remaining {format_duration(self.remaining)}"
            share = "" if self.share is None else f" ({self.share:.0%} of the target)"
            lines.append(f"  used     {format_duration(self.used)}{left}{share}")
        for seg in self.segments():
            lines.append(f"    {seg}")
        for esc in self.escalations:
            lines.append(f"  escalate {esc}")
        return "\n".join(lines)


def _cut(pieces: list[Segment], pause: Pause, stops: bool) -> list[Segment]:
    """Split counted segments by a pause: the paused part is skipped if the pause stops the clock.

    Instants are compared in UTC (two datetimes of one zone compare by wall time, which is
    wrong in the repeated hour of a DST change).
    """
    out: list[Segment] = []
    p_start = _utc(pause.start)
    for seg in pieces:
        s_start, s_end = _utc(seg.start), _utc(seg.end)
        p_end = _utc(pause.end) if pause.end is not None else s_end
        if not seg.counted or p_end <= s_start or p_start >= s_end:
            out.append(seg)
            continue
        a, b = max(s_start, p_start), min(s_end, p_end)
        zone = seg.start.tzinfo
        if s_start < a:
            out.append(Segment(seg.start, a.astimezone(zone), True, seg.reason))
        label = (f"paused: {pause.reason}" if stops
                 else f"{seg.reason}; pause '{pause.reason}' does not stop the clock")
        out.append(Segment(seg.start if a == s_start else a.astimezone(zone),
                           seg.end if b == s_end else b.astimezone(zone), not stops, label))
        if b < s_end:
            out.append(Segment(b.astimezone(zone), seg.end, True, seg.reason))
    return out


class Evaluation:
    """All metric results of one case; ``evaluation["restore"]`` gives one.

    An immutable value: equal when the case id and every result are equal, hashable, picklable.
    :func:`slacalc.evaluate_many` computes deadlines and statuses
    for the whole batch at once and builds each case's result objects the first time they are
    read; the values are the same as :func:`slacalc.evaluate` gives.
    Until :attr:`results` has been read once, such an evaluation keeps its batch's columns
    (those of up to 65,536 cases) alive; read ``results`` (or pickle it) before keeping a few
    evaluations out of a large stream for long.
    """

    __slots__ = ("_built", "_case_id", "_lazy", "_results")

    def __init__(self, case_id: str, results: Iterable[MetricResult] | None,
                 _lazy: tuple[Any, int] | None = None) -> None:
        # Plain slot stores keep the constructor cheap (evaluate_many makes one per case); the
        # public attributes are read-only properties, and ``__slots__`` refuses new ones.
        self._case_id = case_id
        self._results = None if results is None else tuple(results)
        self._lazy = _lazy  # (source, index): ``source.results(index)`` builds the results
        # results read one at a time, kept (made here, so threads never race to make it)
        self._built: dict[str, MetricResult] | None = None if _lazy is None else {}

    @property
    def case_id(self) -> str:
        """The case's id."""
        return self._case_id

    @property
    def results(self) -> tuple[MetricResult, ...]:
        """The metric results, in the policy's metric order."""
        results = self._results
        if results is None:
            lazy = self._lazy
            if lazy is None:  # another thread has just built them
                return self._results or ()
            source, index = lazy
            results = source.results(index)
            built = self._built
            if built:  # the results already read one at a time stay the same objects
                results = tuple(built.get(r.metric, r) for r in results)
            self._results = results
            self._lazy = None  # the batch's columns can go once every case is built
        return results

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Evaluation)
        return self.case_id == other.case_id and self.results == other.results

    def __hash__(self) -> int:
        return hash((self.case_id, self.results))

    def __repr__(self) -> str:
        shown = ", ".join(f"{r.metric} {r.status}" for r in self.results[:6])
        more = f", +{len(self.results) - 6} more" if len(self.results) > 6 else ""
        return f"<Evaluation {echo(self.case_id, 40)}: {shown or 'no metrics'}{more}>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Evaluation, (self.case_id, self.results))

    def __copy__(self) -> Evaluation:
        return self

    def __deepcopy__(self, memo: Any) -> Evaluation:
        return self

    def __getitem__(self, metric: str) -> MetricResult:
        lazy = self._lazy
        if lazy is not None:  # build just this metric's result, once
            built = self._built
            assert built is not None
            found = built.get(metric)
            if found is not None:
                return found
            source, index = lazy
            found = source.result(index, metric)
            if found is not None:
                # setdefault: two threads reading at once both get the one stored object
                return built.setdefault(metric, found)
        for r in self.results:
            if r.metric == metric:
                return r
        raise KeyError(f"metric {echo(metric)} is not evaluated for case {echo(self.case_id)}; "
                       f"evaluated: {', '.join(r.metric for r in self.results)}")

    def __iter__(self) -> Iterator[MetricResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def _judged(self, metric: str) -> tuple[str, dt.datetime | None, dt.datetime | None]:
        """(status, due, achieved) of one metric (``due`` as :attr:`MetricResult.due`), read
        without building its result where the evaluation came from a batch (for aggregate
        counts); ``KeyError`` if not evaluated."""
        lazy = self._lazy
        if lazy is not None:
            source, index = lazy
            found = source.judged(index, metric)
            if found is not None:
                status, due = found
                achieved = None
                if due is None:  # rare: read the achievement from the result itself
                    achieved = self[metric].achieved
                return status, due, achieved
        result = self[metric]
        return result.status, result.due, result.achieved

    def __contains__(self, metric: object) -> bool:
        lazy = self._lazy
        if lazy is not None:
            return lazy[0].has(metric)  # type: ignore[no-any-return]
        return any(r.metric == metric for r in self.results)

    def _repr_html_(self) -> str:
        from slacalc import views  # noqa: PLC0415 - the notebook view is loaded on first use

        return views.evaluation_html(self)

    def explain(self) -> str:
        """The explanation of every metric."""
        return f"case {self.case_id}\n" + "\n".join(r.explain() for r in self.results)



# -- the computation ----------------------------------------------------------------------------
def _stopping(policy: Policy, case: Case) -> list[Pause]:
    """The pauses that stop the clock, sorted by start, not yet merged: which of them the clock
    sees depends on the metric (see :func:`_merge`)."""
    return [p for p in case.pauses if p.reason in policy.clock.pause_reasons]


def _merge(pauses: list[Pause]) -> list[Pause]:
    """``pauses`` (sorted by start) merged where they overlap or touch. Merge only the pauses
    the clock sees: a pause it does not see must not lengthen one it does."""
    merged: list[Pause] = []
    for p in pauses:
        if merged and (merged[-1].end is None or p.start <= merged[-1].end):
            last = merged[-1]
            end = None if last.end is None or p.end is None else max(last.end, p.end)
            reason = last.reason if last.reason == p.reason else f"{last.reason}+{p.reason}"
            merged[-1] = Pause(last.start, end, reason)
        else:
            merged.append(p)
    return merged


def _budget(cal: Calendar, start: dt.datetime, budget: dt.timedelta,
            pauses: list[Pause]) -> dt.datetime | None:
    """The instant ``budget`` of covered time is used from ``start``, not counting pauses;
    ``None`` when an open-ended pause stops the clock first."""
    cursor, remaining = start, budget
    for p in pauses:
        if p.end is not None and p.end <= cursor:
            continue
        p_start = max(p.start, cursor)
        available = cal.elapsed(cursor, p_start)
        if available >= remaining:
            break
        remaining -= available
        if p.end is None:
            return None
        cursor = p.end
    return cal.add(cursor, remaining)


def _paused_time(cal: Calendar, start: dt.datetime, end: dt.datetime, pauses: list[Pause]) -> dt.timedelta:
    total = _ZERO
    for p in pauses:
        a = max(p.start, start)
        b = end if p.end is None else min(p.end, end)
        if b > a:
            total += cal.elapsed(a, b)
    return total


def _used(cal: Calendar, start: dt.datetime, end: dt.datetime, pauses: list[Pause]) -> dt.timedelta:
    if end <= start:
        return _ZERO
    return cal.elapsed(start, end) - _paused_time(cal, start, end, pauses)


def _deadline(target: Target, cal: Calendar, start: dt.datetime,
              pauses: list[Pause]) -> tuple[dt.datetime | None, dt.timedelta | None]:
    """(deadline, the target's span of counted time) for a clock starting at ``start``."""
    if isinstance(target, Within):
        return _budget(cal, start, target.duration, pauses), target.duration
    first = target.deadline(start)
    deadline = first
    for _ in range(64):  # each round can only add pauses that start before the new deadline
        if any(p.end is None and p.start < deadline for p in pauses):
            return None, None
        moved = cal.add(first, _paused_time(cal, start, deadline, pauses))
        if _utc(moved) == _utc(deadline):
            break
        deadline = moved
    return deadline, _used(cal, start, deadline, pauses)


def _clock_start(rule: TargetRule, case: Case, restart_at: dt.datetime | None,
                 now: dt.datetime | None) -> dt.datetime | None:
    """Where the rule's clock starts; ``None`` while its start event has not happened (an event
    recorded after ``now`` has not happened yet as of ``now``)."""
    if rule.start == "opened":
        return restart_at or case.opened
    return _as_of(case.achieved_at(rule.start), now)


def _as_of(when: dt.datetime | None, now: dt.datetime | None) -> dt.datetime | None:
    """An event's instant as seen at ``now``: ``None`` if it happens after ``now``."""
    if when is not None and now is not None and when > now:
        return None
    return when


def _pick(policy: Policy, metric: str, severity: str | None, case: Case,
          restart_at: dt.datetime | None, now: dt.datetime | None) -> tuple[TargetRule | None, dt.datetime | None]:
    """The first matching rule and its clock start (conditions judged at that start)."""
    for rule in policy.rules(severity):
        if rule.metric != metric:
            continue
        start = _clock_start(rule, case, restart_at, now)
        judge_at = start or case.opened
        if rule.when.matches(policy, case.tier, case.zone, severity, judge_at):
            return rule, start
    return None, None


def evaluate(policy: Policy, case: Case, now: dt.datetime | None = None) -> Evaluation:
    """Evaluate ``case`` under ``policy``: per metric, the deadline, status, time used, escalations.

    ``now`` is the instant the case is judged at: events recorded after it have not happened yet.
    Without ``now``, a metric not yet achieved is ``running`` (``paused`` while an open pause
    stops its clock) and no time used is counted.

    * Each metric's rule is the first of the severity's targets, then the policy's, whose
      conditions hold; ``hours = "in"/"out"`` is judged at the instant the metric's clock starts.
    * The clock starts at ``opened`` (or at the named event, e.g. ``onsite``); after a severity
      change it follows ``clock.severity_change`` (``restart``, ``keep`` or ``shorter``),
      comparing the case's first severity with its last.
    * Pauses whose reason is in ``clock.pause_reasons`` stop the clock: covered time inside them
      does not count. For ``within`` targets the deadline is the instant the target's covered
      time, less paused time, is used up; for day targets (NBD, ND, business days) the deadline
      moves later by the covered time paused before it. A pause still open stops the clock
      indefinitely.
    * ``status``: ``met`` / ``breached`` for achieved metrics (achieved at or before the deadline
      is met); for the others, with ``now``: ``breached`` once past the deadline, ``paused``
      inside a stopping pause, else ``running``; ``pending`` when the clock's start event has not
      happened; ``not_applicable`` when no target applies (negotiated, excluded case, tier or zone
      without one).
    * Escalation steps fire at a share of the target's time (counted like the deadline) or at an
      offset in the target calendar's covered time from the deadline; ``hold_until`` delays a step
      to the next opening of that calendar; a step never fires before the one before it.
    """
    if not isinstance(case, Case):
        raise SlaValueError(f"case must be a slacalc.Case, not {echo(case)}")
    check_now(now)
    if case.achieved:
        check_names(policy, case)
    if policy.severities:
        policy.severity(case.severity)
        for change in case.severity_changes:
            policy.severity(change.severity)
    if case.tier is not None and policy.tiers:
        policy.tier(case.tier)
    # Work on UTC instants: Python compares two datetimes of one zone by their wall readings,
    # which gets the repeated hour of a DST change wrong; UTC has none.
    work = _in_utc(case)
    now_utc = None if now is None else now.astimezone(dt.UTC)
    pauses = _stopping(policy, work)
    results = tuple(_metric(policy, work, case, metric, pauses, now_utc)
                    for metric in policy.metrics())
    return Evaluation(case.id, results)


def check_now(now: Any) -> None:
    """Refuse a ``now`` that is not an aware datetime, or that cannot be read in UTC."""
    if now is None:
        return
    if not isinstance(now, dt.datetime) or now.utcoffset() is None:
        raise SlaValueError(f"now must be an aware datetime, not {echo(now)}")
    try:
        now.astimezone(dt.UTC)
    except OverflowError:
        raise OutOfRangeError(
            f"now={now.isoformat()} cannot be read in UTC (it falls outside the years 1-9999 "
            "there); give an instant between 1900 and 2199"
        ) from None




def known_names(policy: Policy) -> frozenset[str]:
    """The names a case may record achievements under for ``policy``: every metric, the events
    of :data:`EVENTS`, the policy's ``custom_events``, and every event the policy's rules start
    a clock from."""
    def compute() -> frozenset[str]:
        rules = [*policy.targets, *(t for s in policy.severities for t in s.targets)]
        return frozenset((*policy.metric_names(), *EVENTS, *policy.custom_events,
                          *(r.start for r in rules))) - {
            "opened"}

    known: frozenset[str] = policy._memo("known names", compute)
    return known


def check_names(policy: Policy, case: Case) -> None:
    """Refuse a case whose achievements name something that is neither a metric nor an event
    of ``policy`` (a misspelt ``"respnse"`` would otherwise leave ``response`` unmet)."""
    known = known_names(policy)
    for name, _ in case.achieved:
        if name not in known:
            raise unknown_name(policy, name, f"case {echo(case.id)}: achieved[{echo(name)}]")


def unknown_name(policy: Policy, name: str, where: str) -> SlaValueError:
    """The error for an achievement ``name`` (shown as ``where``) that ``policy`` does not know,
    naming the closest name it does."""
    known = sorted(known_names(policy))
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return SlaValueError(f"{where} is not a metric or event of policy {echo(policy.name)}; "
                         f"{hint}the names are {', '.join(known)}")


def _in_utc(case: Case) -> Case:
    """The same case with every instant written in UTC."""
    def utc(t: dt.datetime) -> dt.datetime:
        return t.astimezone(dt.UTC)

    return attrs.evolve(
        case,
        opened=utc(case.opened),
        achieved=tuple((name, utc(t)) for name, t in case.achieved),
        pauses=tuple(Pause(utc(p.start), None if p.end is None else utc(p.end), p.reason)
                     for p in case.pauses),
        severity_changes=tuple(SeverityChange(utc(c.at), c.severity)
                               for c in case.severity_changes),
    )


def _original(case: Case, work: Case, t: dt.datetime | None) -> dt.datetime | None:
    """The instant of ``case`` that ``t`` (an instant of ``work``, its UTC twin) came from."""
    if t is None or t is work.opened:
        return None if t is None else case.opened
    for w, o in zip(work.severity_changes, case.severity_changes, strict=True):
        if t is w.at:
            return o.at
    for (_, w_t), (_, o_t) in zip(work.achieved, case.achieved, strict=True):
        if t is w_t:
            return o_t
    return t


def _utc(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC)


def _metric(  # noqa: PLR0915 - the status rules read best in one place
    policy: Policy, case: Case, given: Case, metric: str, pauses: list[Pause],
    now: dt.datetime | None
) -> MetricResult:
    """One metric of ``case`` (``given`` with its instants in UTC; results that echo an instant
    without a calendar to express it in give the instant as ``given`` wrote it)."""
    achieved = _as_of(case.achieved_at(metric), now)  # as of ``now``
    as_given = None if achieved is None else given.achieved_at(metric)
    # Only what the clock could see matters: pauses after the achievement (or after ``now``)
    # do not move a deadline that was already met or judged.
    # Drop those first, then merge: a pause the clock never sees must not extend, through a
    # merge, a pause it does see.
    horizon = achieved if achieved is not None else now
    pauses = _merge(pauses if horizon is None else [p for p in pauses if p.start < horizon])
    if case.excluded is not None and case.excluded in policy.clock.exclude_reasons:
        return MetricResult(metric, _NOT_APPLICABLE, "excluded", None, None, as_given, None, None,
                            None, note=f"case excluded: {case.excluded}")
    first = case.severity
    # the changes in force: those made before the metric was achieved (or before ``now``)
    changes = [c for c in case.severity_changes if horizon is None or c.at <= horizon]
    last = changes[-1] if changes else None
    mode = policy.clock.severity_change
    options: list[tuple[str | None, dt.datetime | None]]
    if last is None:
        options = [(first, None)]
    elif mode == "restart":
        options = [(last.severity, last.at)]
    elif mode == "keep":
        options = [(last.severity, None)]
    else:  # shorter: the earliest deadline any level in force promised
        options = [(first, None), *((c.severity, c.at) for c in changes)]

    best: tuple[Any, ...] | None = None
    for severity, restart_at in options:
        rule, start = _pick(policy, metric, severity, case, restart_at, now)
        if rule is None:
            continue
        target = policy.target_of(rule)
        if target is None or start is None:
            candidate: tuple[Any, ...] = (rule, start, target, None, None, severity)
        else:
            deadline, span = _deadline(target, target.calendar, start, pauses)
            candidate = (rule, start, target, deadline, span, severity)
        if best is None or (candidate[3] is not None and (
            best[3] is None or _utc(candidate[3]) < _utc(best[3])
        )):
            best = candidate
    if best is None:
        return MetricResult(metric, _NOT_APPLICABLE, "no target", None, None, as_given, None, None,
                            None, note="no target applies to this severity, tier and zone")
    rule, start, target, deadline, span, severity = best
    described = policy.describe_rule(rule) + (f" [severity {severity}]" if last is not None else "")
    if target is None:
        return MetricResult(metric, _NOT_APPLICABLE, described, _original(given, case, start),
                            None, as_given, None, None, None, note="no target: negotiated")
    cal = target.calendar
    if start is None:
        return MetricResult(metric, _PENDING, described, None, None, as_given, None, None, None,
                            note=f"the clock starts at {echo(rule.start)}, which has not happened")
    if now is not None and now < case.opened:
        return MetricResult(metric, _PENDING, described, None, None, None, None, None, None,
                            note="the case is opened after now: its clocks have not started")
    end = achieved if achieved is not None else now
    used = _used(cal, start, end, pauses) if end is not None else None
    remaining = share = None
    if used is not None and span is not None:
        remaining = span - used
        share = used / span if span else None
    active = now is not None and any(
        p.start <= now and (p.end is None or now < p.end) for p in pauses
    )
    # A deadline at a time of day is met by achieving at that instant; "by the end of the day"
    # (business days without ``by``) is the next midnight, which is already too late.
    end_of_day = isinstance(target, BusinessDays) and target.by is None
    if achieved is not None:
        late = deadline is not None and (achieved >= deadline if end_of_day else achieved > deadline)
        status = _BREACHED if late else _MET
    elif now is not None and deadline is not None and (
        now >= deadline if end_of_day else now > deadline
    ):
        status = _BREACHED
    elif active or (now is None and deadline is None):
        status = _PAUSED
    else:
        status = _RUNNING
    escalations = _escalations(policy, metric, cal, start, deadline, span, pauses, achieved, now)
    until = achieved or now or deadline
    stops = [(p, p.reason in policy.clock.pause_reasons) for p in given.pauses]
    zone = cal.tz  # results are given in the target calendar's zone
    return MetricResult(metric, status, described, start.astimezone(zone),
                        None if deadline is None else deadline.astimezone(zone),
                        None if achieved is None else achieved.astimezone(zone), used, remaining,
                        share, escalations, "", cal, tuple(stops), until, end_of_day)


def _escalations(policy: Policy, metric: str, cal: Calendar, start: dt.datetime,
                 deadline: dt.datetime | None, span: dt.timedelta | None, pauses: list[Pause],
                 achieved: dt.datetime | None, now: dt.datetime | None) -> tuple[Escalation, ...]:
    ladder = policy.ladder(metric)
    if ladder is None or span is None:
        return ()
    out: list[Escalation] = []
    previous: dt.datetime | None = None
    for step in ladder.steps:
        fire: dt.datetime | None
        if step.at is not None:
            # the whole target is the deadline itself; a share is counted like the deadline
            fire = deadline if step.at >= 1 else _budget(cal, start, span * step.at, pauses)
        elif deadline is not None:
            assert step.offset is not None
            fire = (cal.add(deadline, step.offset) if step.offset >= _ZERO
                    else max(cal.subtract(deadline, -step.offset), start))
        else:
            fire = None
        if fire is None:  # a clock stopped by an open-ended pause never gets there
            continue
        if previous is not None and _utc(fire) < _utc(previous):
            fire = previous  # a step never fires before the one before it
        if step.hold_until is not None:
            fire = policy.calendar(step.hold_until).next_open(fire)
        previous = fire
        if achieved is not None:
            status = "skipped" if achieved <= fire else "fired"
        elif now is not None and now >= fire:
            status = "fired"
        else:
            status = "pending"
        out.append(Escalation(step.name, step.notify, fire.astimezone(cal.tz), status))
    return tuple(out)
