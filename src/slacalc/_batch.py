"""The columnar fast path behind :func:`slacalc.evaluate_many`.

``evaluate`` works one case at a time, on datetimes, with every rule of the semantics spelled
out (pauses, severity changes, exclusions). Most cases in a large batch need little of that: no
pause stops their clock and their severity never changed. This module

1. picks each metric's rule once per (severity, tier, zone) — per case only where a rule depends
   on the case itself (working-hours conditions, clocks started by an event);
2. groups the clock starts by rule and computes the deadlines of a whole group at once on the
   calendars' integer tables (``Calendar.add_many`` / ``Target.deadline_many`` on POSIX seconds,
   microsecond kernels for the rare start with a fraction of a second);
3. compares achievements and ``now`` with the deadlines as integers to give each status, and
   works out escalation instants in microseconds;
4. recomputes, one by one and on microseconds, the cases whose clock stops (``_paused``: the
   rules of evaluation.py's ``_budget`` / ``_deadline`` / ``_used``, mirrored);
5. runs the data-horizon checks once per calendar on the latest instant each check would see;
6. returns :class:`~slacalc.Evaluation` values whose result objects (datetimes, time used,
   escalations, explanations) are built from these columns the first time they are read.

Cases with severity changes or an exclusion, and instants outside the years the tables cover,
go through ``evaluate`` itself. The two paths give equal values; tests/test_evaluate_many.py
compares them on generated policies and on every built-in template.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from slacalc._timeline import EPOCH, US, Instants
from slacalc.case import Case, Pause
from slacalc.errors import SlaValueError, echo
from slacalc.evaluation import (
    STATUSES,
    Escalation,
    Evaluation,
    MetricResult,
    Status,
    check_names,
    check_now,
    evaluate,
    known_names,
)
from slacalc.targets import BusinessDays, Within

if TYPE_CHECKING:
    from slacalc.calendar import Calendar
    from slacalc.policy import EscalationStep, Policy, TargetRule
    from slacalc.targets import Target

__all__ = ["evaluate_many", "evaluate_stream"]

_ONE_US = dt.timedelta(microseconds=1)
_MIN_US = (dt.datetime(1971, 1, 1, tzinfo=dt.UTC) - EPOCH) // _ONE_US
_MAX_US = (dt.datetime(2199, 12, 1, tzinfo=dt.UTC) - EPOCH) // _ONE_US
MET, BREACHED, RUNNING, _PAUSED, PENDING, NOT_APPLICABLE = range(6)
_NO_RULE = -1  # selector entry: no rule applies to this metric
_OTHER = "\x00any other"  # a severity, tier or zone that no rule names
_KEYS = 4_096  # raw (severity, tier, zone) keys remembered per call
#: cases per chunk: bounds the working columns; large enough for the lookup tables to pay
CHUNK = 65_536


def evaluate_many(policy: Policy, cases: Iterable[Case],
                  now: dt.datetime | None = None) -> list[Evaluation]:
    """:func:`slacalc.evaluate` for many cases, in order: the fast path for large batches.

    The results equal ``[sla.evaluate(policy, c, now) for c in cases]``. Deadlines and statuses
    are computed for the whole batch at once on the calendars' integer tables; each case's
    result objects are built the first time they are read.
    """
    return list(evaluate_stream(policy, cases, now))


def evaluate_stream(policy: Policy, cases: Iterable[Case], now: dt.datetime | None = None, *,
                    chunk_size: int = CHUNK) -> Iterator[Evaluation]:
    """Like :func:`evaluate_many`, lazily, ``chunk_size`` cases at a time: for inputs too large
    to hold (a CSV of millions of rows), in memory that does not grow with the count."""
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise SlaValueError(f"chunk_size must be a positive int, not {echo(chunk_size)}")
    if isinstance(cases, (str, bytes, Mapping)) or not isinstance(cases, Iterable):
        raise SlaValueError(
            f"cases must be an iterable of slacalc.Case values, not {echo(cases)}")
    check_now(now)
    shared = _Shared(policy, now)
    it = iter(cases)
    chunk_size = min(chunk_size, sys.maxsize)  # larger means "all at once" all the same

    def generate() -> Iterator[Evaluation]:
        offset = 0
        while chunk := list(islice(it, chunk_size)):
            yield from _Batch(shared, chunk, offset).run()
            offset += len(chunk)

    return generate()


class _Plan:
    """One rule of the policy as the batch uses it: its target, calendar and ladder."""

    __slots__ = ("cal", "described", "end_of_day", "ladder", "m", "metric", "span", "span_us",
                 "start", "target", "within_us")

    def __init__(self, policy: Policy, rule: TargetRule, m: int) -> None:
        self.metric = rule.metric
        self.m = m  # the metric's position in the policy's metrics
        self.start = rule.start
        self.described = policy.describe_rule(rule)
        target: Target | None = policy.target_of(rule)
        self.target = target
        self.cal: Calendar | None = None if target is None else target.calendar
        self.within_us: int | None = None
        self.span: dt.timedelta | None = None  # a fixed target's span of counted time
        if isinstance(target, Within):
            self.within_us = target.duration // _ONE_US
            self.span = target.duration
        # "by the end of the day" (business days without ``by``) is already late at midnight
        self.end_of_day = isinstance(target, BusinessDays) and target.by is None
        ladder = policy.ladder(rule.metric)
        self.ladder: tuple[EscalationStep, ...] = () if ladder is None else ladder.steps
        # a fixed share of a fixed target: each share step's covered time, computed once
        self.span_us: list[int | None] = [
            None if step.at is None or self.within_us is None or step.at >= 1
            else (dt.timedelta(microseconds=self.within_us) * step.at) // _ONE_US
            for step in self.ladder
        ]


class _Shared:
    """What every chunk of one ``evaluate_many`` call shares: rules, selectors, horizon maxima."""

    def __init__(self, policy: Policy, now: dt.datetime | None) -> None:
        self.policy = policy
        self.now = now
        self.now_us = None if now is None else (now - EPOCH) // _ONE_US
        self.metrics = tuple(policy.metrics())
        self.stopping = policy.clock.pause_reasons
        self.excluding = policy.clock.exclude_reasons
        self.plans: list[_Plan] = []
        self._plan_of: dict[TargetRule, int] = {}
        # (severity, tier, zone) -> a selector id; a selector holds per metric: a plan index
        # (a fixed rule, clock from ``opened``), _NO_RULE, or -2 - k for the k-th candidate
        # list (rules with conditions judged per case)
        self.selectors: dict[tuple[str | None, str | None, str | None], int] = {}
        self.normal: dict[tuple[str | None, str | None, str | None], int] = {}
        self.named: tuple[frozenset[str], ...] | None = None  # values some rule names
        self.selector_list: list[tuple[int, ...]] = []
        self.candidates: list[tuple[tuple[int, Calendar | None, bool], ...]] = []
        self.instants = Instants()
        # Cases with an instant before ``floor_us`` go through ``evaluate``: the first instant
        # every calendar of the policy vouches for (its holiday data's first year), so the
        # lower data-horizon checks warn (or raise) exactly as they do there.
        floors = [_MIN_US]
        for spec in policy.calendars:
            rules = policy.calendar(spec.name)._timeline.rules
            floors += (rules.coverage_floor * US, rules.day_floor * US)
        self.floor_us = max(floors)

    def plan(self, rule: TargetRule) -> int:
        index = self._plan_of.get(rule)
        if index is None:
            index = self._plan_of[rule] = len(self.plans)
            self.plans.append(_Plan(self.policy, rule, self.metrics.index(rule.metric)))
        return index

    def selector(self, key: tuple[str | None, str | None, str | None]) -> int:
        """Validate a (severity, tier, zone) key, as ``evaluate`` does, and resolve its rules.

        Values no rule names behave alike (a zone no target lists is "any other zone"), so they
        share one selector; and at most ``_KEYS`` raw keys are remembered, so a stream whose
        zones are free text (an address per case) keeps bounded memory.
        """
        policy = self.policy
        severity, tier, _ = key
        if policy.severities:
            policy.severity(severity)
        if tier is not None and policy.tiers:
            policy.tier(tier)
        named = self.named
        if named is None:
            rules = [r for s in policy.severities for r in s.targets] + list(policy.targets)
            named = self.named = tuple(
                frozenset(v for r in rules for v in (getattr(r.when, part) or ()))
                | extra
                for part, extra in (("severity", {s.id for s in policy.severities}),
                                    ("tier", {t.id for t in policy.tiers}), ("zone", set())))
        normal = tuple(v if v in known else _OTHER
                       for v, known in zip(key, named, strict=True))
        sid = self.normal.get(normal)  # type: ignore[arg-type]
        if sid is None:
            sid = self.normal[normal] = self._resolve(*normal)  # type: ignore[index]
        if len(self.selectors) < _KEYS:
            self.selectors[key] = sid
        return sid

    def _resolve(self, severity: str, tier: str | None, zone: str | None) -> int:
        policy = self.policy
        out = []
        for metric in self.metrics:
            cands: list[tuple[int, Calendar | None, bool]] = []
            for rule in policy.rules(severity):
                when = rule.when
                if rule.metric != metric or (when.zone is not None and zone not in when.zone) or (
                    when.tier is not None and tier not in when.tier
                ) or (when.severity is not None and severity not in when.severity):
                    continue
                hours = None if when.hours is None else policy.calendar(when.hours_calendar or "")
                cands.append((self.plan(rule), hours, when.hours == "in"))
                if hours is None:
                    break  # this rule always applies: later ones are never reached
            if not cands:
                out.append(_NO_RULE)
            elif len(cands) == 1 and cands[0][1] is None and self.plans[cands[0][0]].start == "opened":
                out.append(cands[0][0])
            else:
                out.append(-2 - len(self.candidates))
                self.candidates.append(tuple(cands))
        self.selector_list.append(tuple(out))
        return len(self.selector_list) - 1


class _Seconds:
    """A column of µs instants: whether each is a whole second (``whole``) and their whole
    POSIX seconds (``values``), each worked out once, on first use."""

    __slots__ = ("_values", "_whole", "instants")

    def __init__(self, instants: list[int]) -> None:
        self.instants = instants
        self._values: list[int] | None = None
        self._whole: bool | None = None

    @property
    def values(self) -> list[int]:
        if self._values is None:
            self._values = [t // US for t in self.instants]
        return self._values

    @property
    def whole(self) -> bool:
        if self._whole is None:
            self._whole = not any(map(US.__rmod__, self.instants))
        return self._whole


class _Group:
    """The cases of one chunk that share a selector (severity, tier, zone), as columns.

    Position ``k`` is one case: ``cases[k]``, ``opened[k]`` (µs), ``achieved[k]`` (metric ->
    µs, as of ``now``, or ``None``); per metric ``m``: ``deadline[m][k]`` (µs) and
    ``status[m][k]`` (a code), or ``None`` for a metric without a computed deadline.
    """

    __slots__ = ("achieved", "batch", "cases", "deadline", "fires", "opened", "pauses", "picked",
                 "selector", "status")

    def __init__(self, batch: _Batch, selector: tuple[int, ...]) -> None:
        self.batch = batch
        self.selector = selector
        self.cases: list[Case] = []
        self.opened: list[int] = []
        self.achieved: list[dict[str, int] | None] = []
        m_count = len(selector)
        self.deadline: list[list[int | None] | None] = [None] * m_count
        self.status: list[list[int] | None] = [None] * m_count
        self.picked: dict[tuple[int, int], int] = {}  # (k, m) -> plan, for per-case rules
        self.fires: dict[tuple[int, int], tuple[int | None, ...]] = {}  # (k, m) -> escalation µs
        # k -> the case's stopping pauses, sorted, in µs, not yet merged (end ``None``: still open)
        self.pauses: dict[int, list[tuple[int, int | None]]] = {}

    def results(self, k: int) -> tuple[MetricResult, ...]:
        return self.batch.results(self, k)

    def judged(self, k: int, metric: str) -> tuple[str, dt.datetime | None] | None:
        """(status, deadline) of one metric without building its result; ``None`` if the
        policy has no such metric."""
        metrics = self.batch.shared.metrics
        return self.batch.judged(self, k, metrics.index(metric)) if metric in metrics else None

    def has(self, metric: object) -> bool:
        """Whether the evaluations have a result for ``metric`` (every metric of the policy)."""
        return metric in self.batch.shared.metrics

    def result(self, k: int, metric: str) -> MetricResult | None:
        """One metric's result, or ``None`` if the policy has no such metric."""
        metrics = self.batch.shared.metrics
        return self.batch.result(self, k, metrics.index(metric)) if metric in metrics else None

    def timings(self, k: int, m: int) -> tuple[_Plan, int | None, str, tuple[int | None, ...],
                                                int | None] | None:
        """What the alarm feed needs of the ``m``-th metric, straight from the columns:
        (its plan, deadline µs, status, escalation instants µs, achievement µs as of ``now``);
        ``None`` when no deadline is computed (no rule, negotiated, or the clock has not
        started)."""
        seen = self.achieved[k]
        index = self.selector[m]
        if index < _NO_RULE:
            index = self.picked.get((k, m), _NO_RULE)
        if index == _NO_RULE:
            return None
        plan = self.batch.shared.plans[index]
        if plan.target is None or (plan.start != "opened" and (
                seen is None or seen.get(plan.start) is None)):
            return None
        deadlines, status = self.deadline[m], self.status[m]
        assert deadlines is not None and status is not None
        return (plan, deadlines[k], STATUSES[status[k]], self.fires.get((k, m), ()),
                None if seen is None else seen.get(plan.metric))


class _Batch:
    """One chunk of cases: :meth:`run` fills the groups' columns, :meth:`results` reads them."""

    def __init__(self, shared: _Shared, cases: list[Any], offset: int) -> None:
        self.shared = shared
        self.cases = cases
        self.offset = offset
        # latest instant per (calendar, end flag) that a horizon check of ``evaluate`` would see
        self.horizon: dict[tuple[Calendar, bool], int] = {}
        self.paused: list[tuple[_Group, int]] = []  # cases with pauses that stop the clock

    # -- filling the columns ----------------------------------------------------------------
    def run(self) -> list[Evaluation]:  # noqa: PLR0915 - the per-case loop is inlined for speed
        shared = self.shared
        policy, now, now_us = shared.policy, shared.now, shared.now_us
        stopping, excluding = shared.stopping, shared.excluding
        selectors = shared.selectors
        instant = shared.instants
        zones = instant.zones
        groups: dict[int, _Group] = {}
        out: list[Evaluation] = []
        # ``now`` outside the years the tables cover: let ``evaluate`` explain what it can
        everything_slow = now_us is not None and not _MIN_US <= now_us <= _MAX_US
        lo, hi = shared.floor_us, _MAX_US
        known = known_names(policy)
        for i, case in enumerate(self.cases):
            if not isinstance(case, Case):
                raise SlaValueError(f"cases[{self.offset + i}] must be a slacalc.Case, not {echo(case)}")
            if everything_slow or case.severity_changes or (
                case.excluded is not None and case.excluded in excluding
            ):
                out.append(evaluate(policy, case, now))
                continue
            pauses = None
            if case.pauses and any(p.reason in stopping for p in case.pauses):
                pauses = _stopping_us(case.pauses, stopping, instant)
                if pauses is None:  # an instant outside the years the tables cover
                    out.append(evaluate(policy, case, now))
                    continue
            key = (case.severity, case.tier, case.zone)
            sid = selectors.get(key)
            if sid is None:
                sid = shared.selector(key)
            group = groups.get(sid)
            if group is None:
                group = groups[sid] = _Group(self, shared.selector_list[sid])
            # the opening instant in µs: ``Instants.__call__``, inlined
            t = case.opened
            try:
                m = zones[t.tzinfo][t.toordinal()]
            except (KeyError, TypeError):
                m = instant.midnight(t.tzinfo, t.toordinal())
            if m is None:
                opened_us = (t - EPOCH) // _ONE_US
            else:
                opened_us = (m + t.hour * 3600 + t.minute * 60 + t.second) * US + t.microsecond
            if now_us is not None and opened_us > now_us:  # not opened as of ``now``
                out.append(evaluate(policy, case, now))
                continue
            achieved = None
            if case.achieved:
                achieved = {name: instant(t) for name, t in case.achieved}
                if not known.issuperset(achieved):
                    check_names(policy, case)
                values = achieved.values()
                first, last = min(opened_us, *values), max(values)
                if first < lo or last > hi:
                    out.append(evaluate(policy, case, now))
                    continue
                if now_us is not None and last > now_us:  # not happened as of ``now``
                    achieved = {k: v for k, v in achieved.items() if v <= now_us}
            elif not lo <= opened_us <= hi:
                out.append(evaluate(policy, case, now))
                continue
            if pauses is not None:
                group.pauses[len(group.cases)] = pauses
                self.paused.append((group, len(group.cases)))
            out.append(Evaluation(case.id, None, (group, len(group.cases))))
            group.cases.append(case)
            group.opened.append(opened_us)
            group.achieved.append(achieved)
        self._compute(groups.values())
        # what an unread evaluation keeps alive is its group's columns, not the whole chunk
        self.cases = []
        self.paused = []
        for (cal, end), latest in self.horizon.items():
            cal._check_instant(latest, "evaluate_many", end=end)
        return out

    def _compute(self, groups: Iterable[_Group]) -> None:
        """Every group's deadlines and statuses: whole columns for rules fixed by the selector,
        per-case picks (working-hours conditions, event starts) gathered by rule."""
        plans = self.shared.plans
        # plan -> the groups that follow it for a whole column (clock from ``opened``)
        fixed: dict[int, list[_Group]] = {}
        # plan -> (groups, positions, starts) of the cases whose rule was picked per case
        picked: dict[int, tuple[list[_Group], list[int], list[int]]] = {}
        for group in groups:
            for m, entry in enumerate(group.selector):
                if entry == _NO_RULE:
                    continue
                if entry >= 0:
                    if plans[entry].target is not None:
                        fixed.setdefault(entry, []).append(group)
                    continue
                cands = self.shared.candidates[-2 - entry]
                for k, (opened, achieved) in enumerate(zip(group.opened, group.achieved,
                                                           strict=True)):
                    found = self._pick(cands, opened, achieved)
                    if found is None:
                        continue
                    index, start = found
                    group.picked[k, m] = index
                    if start is None or plans[index].target is None:
                        continue  # pending, or no target (negotiated): nothing to compute
                    where = picked.setdefault(index, ([], [], []))
                    where[0].append(group)
                    where[1].append(k)
                    where[2].append(start)
        # the columns of a set of groups, shared by the rules (metrics) that use the same set
        columns: dict[tuple[int, ...], tuple[list[int], list[Any], _Seconds]] = {}
        for index, owners in fixed.items():
            # one call per rule over all its groups, so the lookup tables pay for themselves
            plan = plans[index]
            m = plan.m
            key = tuple(map(id, owners))
            column = columns.get(key)
            if column is None:
                starts = ([t for g in owners for t in g.opened] if len(owners) > 1
                          else owners[0].opened)
                seen = ([a for g in owners for a in g.achieved] if len(owners) > 1
                        else owners[0].achieved)
                column = columns[key] = (starts, seen, _Seconds(starts))
            starts, seen, secs = column
            deadlines, status, fires = self._columns(plan, starts, seen, secs)
            at = 0
            for g in owners:
                n = len(g.cases)
                g.deadline[m] = deadlines[at:at + n]
                g.status[m] = status[at:at + n]
                if fires is not None:
                    for k in range(n):
                        g.fires[k, m] = fires[at + k]
                at += n
        self._picked(picked)
        for group, k in self.paused:
            self._paused(group, k)

    def _picked(self, picked: dict[int, tuple[list[_Group], list[int], list[int]]]) -> None:
        plans = self.shared.plans
        for index, (owners, positions, starts) in picked.items():
            plan = plans[index]
            seen = [g.achieved[k] for g, k in zip(owners, positions, strict=True)]
            deadlines, status, fires = self._columns(plan, starts, seen)
            m = plan.m
            for n, (g, k) in enumerate(zip(owners, positions, strict=True)):
                if g.deadline[m] is None:
                    g.deadline[m] = [0] * len(g.cases)
                    g.status[m] = [0] * len(g.cases)
                g.deadline[m][k] = deadlines[n]  # type: ignore[index]
                g.status[m][k] = status[n]  # type: ignore[index]
                if fires is not None:
                    g.fires[k, m] = fires[n]

    def _columns(self, plan: _Plan, starts: list[int], achieved: list[dict[str, int] | None],
                 secs: _Seconds | None = None,
                 ) -> tuple[list[int | None], list[int], list[tuple[int | None, ...]] | None]:
        """Deadlines, statuses and escalation instants of clocks started at ``starts``."""
        metric = plan.metric
        got = [a.get(metric) if a else None for a in achieved]
        return self._judge(plan, starts, got, secs)

    def _judge(self, plan: _Plan, starts: list[int], got: list[int | None],
               secs: _Seconds | None = None, *, escalate: bool = True,
               ) -> tuple[list[int | None], list[int], list[tuple[int | None, ...]] | None]:
        """:meth:`_columns` given each clock's achievement in µs (``None``: not as of ``now``);
        ``escalate=False`` leaves the escalation instants to the caller."""
        cal = plan.cal
        assert cal is not None
        deadlines: list[Any] = self._deadlines(plan, cal, starts, secs or _Seconds(starts))
        now_us = self.shared.now_us
        pairs = zip(got, deadlines, strict=True)
        if now_us is None:
            if plan.end_of_day:
                status = [RUNNING if a is None else BREACHED if a >= d else MET for a, d in pairs]
            else:
                status = [RUNNING if a is None else BREACHED if a > d else MET for a, d in pairs]
        elif got.count(None) == len(got):  # nothing achieved yet: ``now`` decides
            if plan.end_of_day:
                status = [BREACHED if now_us >= d else RUNNING for d in deadlines]
            else:
                status = [BREACHED if now_us > d else RUNNING for d in deadlines]
        elif plan.end_of_day:
            status = [(BREACHED if now_us >= d else RUNNING) if a is None
                      else BREACHED if a >= d else MET for a, d in pairs]
        else:
            status = [(BREACHED if now_us > d else RUNNING) if a is None
                      else BREACHED if a > d else MET for a, d in pairs]
        # ``used`` counts covered time up to the achievement (or ``now``): a horizon check on
        # the latest such end after its start; exact only when the bound could reach the horizon
        bound = max(filter(None, got), default=0)
        if now_us is not None and now_us > bound:
            bound = now_us
        if bound >= cal._timeline.rules.coverage_horizon * US:
            ends = [e for a, t in zip(got, starts, strict=True)
                    if (e := now_us if a is None else a) is not None and e > t]
            if ends:
                self._seen(cal, max(ends), end=True)
        fires = None
        if plan.ladder and escalate:
            fires = [self._escalations(plan, cal, t, d)
                     for t, d in zip(starts, deadlines, strict=True)]
        return deadlines, status, fires

    def _paused(self, group: _Group, k: int) -> None:
        """Recompute the metrics of a case whose clock stops, one by one (``evaluate``'s rules,
        on microseconds): the columns hold its deadlines as if it had no pause."""
        plans, now_us = self.shared.plans, self.shared.now_us
        opened, achieved = group.opened[k], group.achieved[k]
        for m, entry in enumerate(group.selector):
            index = entry if entry >= 0 else group.picked.get((k, m), _NO_RULE)
            if index == _NO_RULE or plans[index].target is None:
                continue
            plan = plans[index]
            start = opened if plan.start == "opened" else (
                None if achieved is None else achieved.get(plan.start))
            if start is None:
                continue
            got = None if achieved is None else achieved.get(plan.metric)
            pauses = _seen_by(group.pauses[k], got, now_us)
            due, span = self._deadline_paused(plan, start, pauses)
            active = now_us is not None and any(
                a <= now_us and (b is None or now_us < b) for a, b in pauses)
            end_of_day = plan.end_of_day
            if got is not None:
                late = due is not None and (got >= due if end_of_day else got > due)
                code = BREACHED if late else MET
            elif now_us is not None and due is not None and (
                now_us >= due if end_of_day else now_us > due
            ):
                code = BREACHED
            elif active or (now_us is None and due is None):
                code = _PAUSED
            else:
                code = RUNNING
            end = got if got is not None else now_us
            if end is not None and end > start:
                # ``used`` counts up to ``end``: the latest instant its horizon checks see
                self._seen(plan.cal, end, end=True)  # type: ignore[arg-type]
            deadlines, status = group.deadline[m], group.status[m]
            assert deadlines is not None and status is not None
            deadlines[k] = due
            status[k] = code
            if plan.ladder:
                if span is None:
                    group.fires.pop((k, m), None)
                else:
                    group.fires[k, m] = self._escalations(plan, plan.cal, start, due, pauses, span)  # type: ignore[arg-type]

    def _budget(self, cal: Calendar, start: int, budget: int,
                pauses: list[tuple[int, int | None]]) -> int | None:
        """``_budget`` of evaluation.py on µs: when ``budget`` of covered time, less pauses, is
        used from ``start``; ``None`` when an open-ended pause stops the clock first."""
        cursor, remaining = start, budget
        for a, b in pauses:
            if b is not None and b <= cursor:
                continue
            p_start = max(a, cursor)
            available = cal._elapsed_us(cursor, p_start)
            self._seen(cal, max(cursor, p_start), end=True)
            if available >= remaining:
                break
            remaining -= available
            if b is None:
                return None
            cursor = b
        result = cal._add_us(cursor, remaining)
        if remaining:
            self._seen(cal, result, end=True)
        return result

    def _paused_time(self, cal: Calendar, start: int, end: int,
                     pauses: list[tuple[int, int | None]]) -> int:
        total = 0
        for a, b in pauses:
            lo, hi = max(a, start), end if b is None else min(b, end)
            if hi > lo:
                total += cal._elapsed_us(lo, hi)
                self._seen(cal, hi, end=True)
        return total

    def _used(self, plan: _Plan, start: int, end: int, pauses: list[tuple[int, int | None]]) -> int:
        cal = plan.cal
        assert cal is not None
        if end <= start:
            return 0
        self._seen(cal, end, end=True)
        return cal._elapsed_us(start, end) - self._paused_time(cal, start, end, pauses)

    def _deadline_paused(self, plan: _Plan, start: int, pauses: list[tuple[int, int | None]]
                         ) -> tuple[int | None, int | None]:
        """(deadline, the target's span of counted time): ``_deadline`` of evaluation.py."""
        cal, target = plan.cal, plan.target
        assert cal is not None and target is not None
        if plan.within_us is not None:
            return self._budget(cal, start, plan.within_us, pauses), plan.within_us
        first = target._solve(start)  # type: ignore[attr-defined]
        target._horizon(first)  # type: ignore[attr-defined]
        deadline = first
        for _ in range(64):  # each round can only add pauses that start before the new deadline
            if any(b is None and a < deadline for a, b in pauses):
                return None, None
            shift = self._paused_time(cal, start, deadline, pauses)
            moved = cal._add_us(first, shift)
            if shift:
                self._seen(cal, moved, end=True)
            if moved == deadline:
                break
            deadline = moved
        return deadline, self._used(plan, start, deadline, pauses)

    def _pick(self, cands: tuple[tuple[int, Calendar | None, bool], ...], opened_us: int,
              achieved: dict[str, int] | None) -> tuple[int, int | None] | None:
        """The first candidate rule whose working-hours condition holds at its clock start:
        (its plan, its clock start in µs or ``None`` while the start event has not happened)."""
        plans = self.shared.plans
        for index, hours, inside in cands:
            plan = plans[index]
            start: int | None = opened_us
            if plan.start != "opened":
                start = None if achieved is None else achieved.get(plan.start)
            if hours is not None:
                judge = opened_us if start is None else start
                self._seen(hours, judge, end=False)
                if hours._is_open_us(judge) != inside:
                    continue
            return index, start
        return None

    def _seen(self, cal: Calendar, instant: int, *, end: bool) -> None:
        if instant < cal._timeline.rules.coverage_horizon * US:
            return  # a check has nothing to say before the horizon: skip hashing the calendar
        key = (cal, end)
        if instant > self.horizon.get(key, instant - 1):
            self.horizon[key] = instant

    def _deadlines(self, plan: _Plan, cal: Calendar, starts: list[int],
                   seconds: _Seconds) -> list[int]:
        target = plan.target
        d_us = plan.within_us
        if d_us is not None:
            if d_us == 0:
                return list(starts)
            if d_us % US:  # a target with a fraction of a second: no table
                out = [cal._add_us(t, d_us) for t in starts]
                self._seen(cal, max(out), end=True)
                return out
            if seconds.whole:
                # one table lookup per case (the table scaled to µs); the horizon is checked
                # on the latest, as ``add_many`` checks it
                found = cal._add_many_us(starts, d_us // US) if d_us > 0 else None
                if found is not None:
                    return found
                return [r * US for r in cal.add_many(seconds.values,
                                                     dt.timedelta(microseconds=d_us))]
            secs = seconds.values
            # the whole-second starts through the table, the others one by one
            whole = [s for s, t in zip(secs, starts, strict=True) if s * US == t]
            table = iter(cal.add_many(whole, dt.timedelta(microseconds=d_us)) if whole else ())
            out = [next(table) * US if s * US == t else cal._add_us(t, d_us)
                   for s, t in zip(secs, starts, strict=True)]
            self._seen(cal, max(out), end=True)
            return out
        assert target is not None
        by, cutoff = getattr(target, "by", None), getattr(target, "cutoff", None)
        if (by is not None and by.microsecond) or (cutoff is not None and cutoff.microsecond):
            out = [target._solve(t) for t in starts]  # type: ignore[attr-defined]
            target._horizon(max(out))  # type: ignore[attr-defined]
        else:
            # The deadline is constant between whole-second breakpoints (midnights, cutoffs),
            # so a start's whole second gives its deadline; the batch call checks the horizon.
            out = [r * US for r in target.deadline_many(seconds.values)]
        # the time a day target spans is counted up to its deadline: that is checked too
        spans = [due for t, due in zip(starts, out, strict=True) if due > t]
        if spans:
            self._seen(cal, max(spans), end=True)
        return out

    def _escalations(self, plan: _Plan, cal: Calendar, start: int, due: int | None,
                     pauses: list[tuple[int, int | None]] | None = None,
                     span: int | None = None) -> tuple[int | None, ...]:
        """The instant each escalation step fires, in µs (``_escalations`` of evaluation.py);
        ``None`` for a step a clock stopped by an open-ended pause never reaches."""
        fires: list[int | None] = []
        previous = None
        for step, fixed_share in zip(plan.ladder, plan.span_us, strict=True):
            fire: int | None
            if step.at is not None:
                if step.at >= 1:
                    fire = due
                else:
                    share_us = fixed_share
                    if share_us is None:  # a day target: its span is this case's own
                        if span is None:
                            assert due is not None
                            span = cal._elapsed_us(start, due) if due > start else 0
                        share_us = (dt.timedelta(microseconds=span) * step.at) // _ONE_US
                    if pauses:
                        fire = self._budget(cal, start, share_us, pauses)
                    else:
                        fire = cal._add_us(start, share_us)
                        if share_us:
                            self._seen(cal, fire, end=True)
            elif due is not None:
                offset = step.offset // _ONE_US  # type: ignore[operator]
                if offset >= 0:
                    fire = cal._add_us(due, offset)
                    if offset:
                        self._seen(cal, fire, end=True)
                else:
                    fire = max(cal._subtract_us(due, -offset), start)
                    self._seen(cal, due, end=True)
            else:
                fire = None
            if fire is None:  # a clock stopped by an open-ended pause never gets there
                fires.append(None)
                continue
            if previous is not None and fire < previous:
                fire = previous  # a step never fires before the one before it
            if step.hold_until is not None:
                hold = self.shared.policy.calendar(step.hold_until)
                fire = hold._next_open_us(fire)
                self._seen(hold, fire, end=False)
            previous = fire
            fires.append(fire)
        return tuple(fires)

    # -- building result objects on access --------------------------------------------------
    def results(self, group: _Group, k: int) -> tuple[MetricResult, ...]:
        """The result objects of the case at position ``k`` of ``group`` (``evaluate``'s)."""
        return tuple(self.result(group, k, m) for m in range(len(self.shared.metrics)))

    def judged(self, group: _Group, k: int, m: int) -> tuple[str, dt.datetime | None]:
        """(status, due) of one metric straight from the columns, without building its result:
        what aggregate counts need (``due`` as ``MetricResult.due``; ``None`` without deadline)."""
        seen = group.achieved[k]
        index = group.selector[m]
        if index < _NO_RULE:
            index = group.picked.get((k, m), _NO_RULE)
        if index == _NO_RULE:
            return Status.NOT_APPLICABLE, None
        plan = self.shared.plans[index]
        if plan.target is None:
            return Status.NOT_APPLICABLE, None
        if plan.start != "opened" and (seen is None or seen.get(plan.start) is None):
            return Status.PENDING, None
        deadlines, status = group.deadline[m], group.status[m]
        assert deadlines is not None and status is not None and plan.cal is not None
        due = deadlines[k]
        if due is not None and plan.end_of_day:
            due -= 1  # the last on-time instant (``MetricResult.due``)
        return STATUSES[status[k]], None if due is None else plan.cal._out(due)

    def result(self, group: _Group, k: int, m: int) -> MetricResult:
        """The result of the ``m``-th metric of the case at position ``k`` of ``group``."""
        shared = self.shared
        case = group.cases[k]
        metric = shared.metrics[m]
        seen = group.achieved[k]  # metric -> µs, as of ``now``
        got = None if seen is None else seen.get(metric)
        achieved = None if got is None else case.achieved_at(metric)
        index = group.selector[m]
        if index < _NO_RULE:
            index = group.picked.get((k, m), _NO_RULE)
        if index == _NO_RULE:
            return MetricResult(
                metric, Status.NOT_APPLICABLE, "no target", None, None, achieved, None, None, None,
                note="no target applies to this severity, tier and zone")
        plan = shared.plans[index]
        start: dt.datetime | None = case.opened
        start_us = group.opened[k]
        if plan.start != "opened":
            event = None if seen is None else seen.get(plan.start)
            start = None if event is None else case.achieved_at(plan.start)
            start_us = event  # type: ignore[assignment]
        if plan.target is None:
            return MetricResult(metric, Status.NOT_APPLICABLE, plan.described, start, None, achieved,
                                None, None, None, note="no target: negotiated")
        if start is None:
            return MetricResult(
                metric, Status.PENDING, plan.described, None, None, achieved, None, None, None,
                note=f"the clock starts at {plan.start!r}, which has not happened")
        reasons = shared.stopping
        stops = tuple([(p, p.reason in reasons) for p in case.pauses]) if case.pauses else ()
        deadlines, status = group.deadline[m], group.status[m]
        assert deadlines is not None and status is not None
        pauses = group.pauses.get(k)
        if pauses is not None:
            pauses = _seen_by(pauses, got, shared.now_us)
        return self._result(plan, deadlines[k], status[k], group.fires.get((k, m)), start,
                            start_us, achieved, got, stops, shared.now, shared.now_us,
                            pauses or ())

    @staticmethod
    def _result(plan: _Plan, due: int | None, code: int, fires: tuple[int | None, ...] | None,
                start: dt.datetime, start_us: int, achieved: dt.datetime | None,
                got: int | None, stops: tuple[Any, ...], now: dt.datetime | None,
                now_us: int | None, pauses: Sequence[tuple[int, int | None]]) -> MetricResult:
        cal = plan.cal
        assert cal is not None
        deadline = None if due is None else cal._out(due)
        end_us = got if got is not None else now_us
        used = remaining = share = None
        if end_us is not None:
            used = dt.timedelta(microseconds=_used_us(cal, start_us, end_us, pauses))
        span = plan.span
        if span is None and due is not None:
            span = dt.timedelta(microseconds=_used_us(cal, start_us, due, pauses))
        if used is not None and span is not None:
            remaining = span - used
            share = used / span if span else None
        escalations: tuple[Escalation, ...] = ()
        if fires is not None:
            escalations = tuple(
                Escalation(step.name, step.notify, cal._out(fire),
                           ("skipped" if got <= fire else "fired") if got is not None
                           else "fired" if now_us is not None and now_us >= fire else "pending")
                for step, fire in zip(plan.ladder, fires, strict=True) if fire is not None)
        zone = cal.tz
        return MetricResult(
            plan.metric, STATUSES[code], plan.described, start.astimezone(zone), deadline,
            None if achieved is None else achieved.astimezone(zone), used, remaining, share,
            escalations, "", cal, stops, achieved or now or deadline, plan.end_of_day)


def _used_us(cal: Calendar, start: int, end: int, pauses: Sequence[tuple[int, int | None]]) -> int:
    """Covered time in ``[start, end)`` less the paused part (no horizon check: the batch ran
    them when it computed the columns)."""
    if end <= start:
        return 0
    used = cal._elapsed_us(start, end)
    for a, b in pauses:
        lo, hi = max(a, start), end if b is None else min(b, end)
        if hi > lo:
            used -= cal._elapsed_us(lo, hi)
    return used


def _seen_by(pauses: list[tuple[int, int | None]], got: int | None,
             now_us: int | None) -> list[tuple[int, int | None]]:
    """The pauses the clock could see, those starting before the achievement (or ``now``),
    merged where they overlap or touch: dropped first, then merged, as ``evaluate`` does (a
    pause the clock does not see must not lengthen one it does)."""
    horizon = got if got is not None else now_us
    return _merge_us(pauses if horizon is None else [p for p in pauses if p[0] < horizon])


def _merge_us(pauses: list[tuple[int, int | None]]) -> list[tuple[int, int | None]]:
    """``pauses`` (sorted by start, in µs) merged where they overlap or touch."""
    merged: list[tuple[int, int | None]] = []
    for a, b in pauses:
        if merged and (merged[-1][1] is None or a <= merged[-1][1]):
            last_a, last_b = merged[-1]
            merged[-1] = (last_a, None if last_b is None or b is None else max(last_b, b))
        else:
            merged.append((a, b))
    return merged


def _stopping_us(pauses: Sequence[Pause], stopping: frozenset[str],
                 instant: Callable[[dt.datetime], int]) -> list[tuple[int, int | None]] | None:
    """The pauses that stop the clock, in µs, sorted by start and not yet merged (
    :func:`_seen_by` merges those a metric's clock sees); ``None`` if one lies outside the years
    tables cover."""
    found: list[tuple[int, int | None]] = []
    for p in pauses:  # sorted by start
        if p.reason not in stopping:
            continue
        a = instant(p.start)
        b = None if p.end is None else instant(p.end)
        if not _MIN_US <= a <= _MAX_US or (b is not None and not _MIN_US <= b <= _MAX_US):
            return None
        found.append((a, b))
    return found
