"""The columnar fast path behind :meth:`Policy.evaluate_many <slacalc.Policy.evaluate_many>`.

``evaluate`` works one case at a time, on datetimes, with every rule of the semantics spelled
out (pauses, severity changes, exclusions). Most cases in a large batch need none of that: no
pause stops their clock and their severity never changed. For those this module

1. picks each metric's rule once per (severity, tier, zone) — per case only where a rule depends
   on the case itself (working-hours conditions, clocks started by an event);
2. groups the clock starts by rule and computes the deadlines of a whole group at once on the
   calendars' integer tables (``Calendar.add_many`` / ``Target.deadline_many`` on POSIX seconds,
   microsecond kernels for the rare start with a fraction of a second);
3. compares achievements and ``now`` with the deadlines as integers to give each status, and
   works out escalation instants in microseconds;
4. runs the data-horizon checks once per calendar on the latest instant each check would see;
5. returns :class:`~slacalc.Evaluation` values whose result objects (datetimes, time used,
   escalations, explanations) are built from these columns the first time they are read.

Every other case goes through ``evaluate`` itself. The two paths give equal values; the tests
compare them on generated policies and on every built-in template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any

from slacalc._timeline import DAY, EPOCH, US, epoch_of_wall
from slacalc.case import Case
from slacalc.errors import SlaValueError
from slacalc.evaluation import STATUSES, Escalation, Evaluation, MetricResult, evaluate
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
#: cases per chunk: bounds the working columns; large enough for the lookup tables to pay
CHUNK = 65_536


def evaluate_many(policy: Policy, cases: Iterable[Case], now: dt.datetime | None) -> list[Evaluation]:
    """``[evaluate(policy, c, now) for c in cases]``, computed a chunk of cases at a time."""
    return list(evaluate_stream(policy, cases, now))


def evaluate_stream(policy: Policy, cases: Iterable[Case], now: dt.datetime | None,
                    chunk_size: int = CHUNK) -> Iterator[Evaluation]:
    """The evaluations of ``cases`` in order, lazily: memory stays flat for any count."""
    if isinstance(cases, (str, bytes, Mapping)) or not isinstance(cases, Iterable):
        raise SlaValueError(f"cases must be an iterable of slacalc.Case values, not {cases!r}")
    if now is not None and (not isinstance(now, dt.datetime) or now.utcoffset() is None):
        raise SlaValueError(f"now must be an aware datetime, not {now!r}")
    shared = _Shared(policy, now)
    it = iter(cases)

    def generate() -> Iterator[Evaluation]:
        offset = 0
        while chunk := list(islice(it, chunk_size)):
            yield from _Batch(shared, chunk, offset).run()
            offset += len(chunk)

    return generate()


class _Plan:
    """One rule of the policy as the batch uses it: its target, calendar and ladder."""

    __slots__ = ("cal", "described", "end_of_day", "index", "ladder", "m", "metric", "rule",
                 "span_us", "start", "target", "within_us")

    def __init__(self, policy: Policy, rule: TargetRule, index: int, m: int) -> None:
        self.index = index
        self.rule = rule
        self.metric = rule.metric
        self.m = m  # the metric's position in the policy's metrics
        self.start = rule.start
        self.described = policy.describe_rule(rule)
        target: Target | None = policy.target_of(rule)
        self.target = target
        self.cal: Calendar | None = None if target is None else target.calendar
        self.within_us: int | None = None
        if isinstance(target, Within):
            self.within_us = target.duration // _ONE_US
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
        self.selectors: dict[tuple[str, str | None, str | None], int] = {}
        self.selector_list: list[tuple[int, ...]] = []
        self.candidates: list[tuple[tuple[int, Calendar | None, bool], ...]] = []
        self.instants = _Instants()

    def plan(self, rule: TargetRule) -> int:
        index = self._plan_of.get(rule)
        if index is None:
            index = self._plan_of[rule] = len(self.plans)
            self.plans.append(_Plan(self.policy, rule, index, self.metrics.index(rule.metric)))
        return index

    def selector(self, key: tuple[str, str | None, str | None]) -> int:
        """Validate a (severity, tier, zone) key, as ``evaluate`` does, and resolve its rules."""
        policy = self.policy
        severity, tier, zone = key
        if policy.severities:
            policy.severity(severity)
        if tier is not None and policy.tiers:
            policy.tier(tier)
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
        sid = self.selectors[key] = len(self.selector_list)
        self.selector_list.append(tuple(out))
        return sid


def _us(t: dt.datetime) -> int:
    return (t - EPOCH) // _ONE_US


class _Instants:
    """POSIX microseconds of aware datetimes, fast for days without an offset change.

    Such a day's instants are its local midnight plus the wall-clock fields; the midnights are
    cached per (zone, day), so a batch pays the zone arithmetic once per day it touches. Days
    with a change (and anything unusual) take the exact generic subtraction.
    """

    def __init__(self) -> None:
        self.zones: dict[Any, dict[int, int | None]] = {}

    def __call__(self, t: dt.datetime) -> int:
        tz = t.tzinfo
        o = t.toordinal()
        try:
            days = self.zones[tz]
            m = days[o]
        except KeyError:
            m = self.midnight(tz, o)
        except TypeError:  # an unhashable tzinfo
            return (t - EPOCH) // _ONE_US
        if m is None:
            return (t - EPOCH) // _ONE_US
        return (m + t.hour * 3600 + t.minute * 60 + t.second) * US + t.microsecond

    def midnight(self, tz: Any, o: int) -> int | None:
        """Local midnight (POSIX seconds) of day ``o`` in ``tz`` if it lasts exactly 24 h."""
        try:
            days = self.zones.setdefault(tz, {})
        except TypeError:
            return None
        found = None
        try:
            m0, m1 = epoch_of_wall(tz, o, 0), epoch_of_wall(tz, o + 1, 0)
            if m1 - m0 == DAY:
                found = m0
        except (ValueError, OverflowError, TypeError):  # out of range, or an odd tzinfo
            found = None
        days[o] = found
        return found


class _Batch:
    """One chunk of cases: the columns, filled by :meth:`run`, read by :meth:`results`."""

    def __init__(self, shared: _Shared, cases: list[Any], offset: int) -> None:
        self.shared = shared
        self.cases = cases
        self.offset = offset
        n = len(cases)
        size = n * len(shared.metrics)
        # per case: its selector (-1: evaluated by ``evaluate``), opened (µs), achievements
        # (µs, as of ``now``)
        self.selector: list[int] = [-1] * n
        self.opened: list[int] = [0] * n
        self.achieved: list[dict[str, int] | None] = [None] * n
        # per (case, metric) slot ``i * len(metrics) + m``: the deadline (µs) and status code;
        # the rule picked per case where the selector could not fix it in advance
        self.deadline: list[int] = [0] * size
        self.status = bytearray(size)
        self.picked: dict[int, int] = {}
        self.fires: dict[int, tuple[int, ...]] = {}
        # latest instant per (calendar, end flag) that a horizon check of ``evaluate`` would see
        self.horizon: dict[tuple[Calendar, bool], int] = {}

    # -- filling the columns ----------------------------------------------------------------
    def run(self) -> list[Evaluation]:
        shared = self.shared
        now, now_us = shared.now, shared.now_us
        stopping, excluding = shared.stopping, shared.excluding
        selectors = shared.selectors
        sel_col, opened_col, ach_col = self.selector, self.opened, self.achieved
        instant = shared.instants
        members: dict[int, list[int]] = {}
        out: list[Evaluation] = []
        lazy = self
        # ``now`` outside the years the tables cover: let ``evaluate`` explain what it can
        everything_slow = now_us is not None and not _MIN_US <= now_us <= _MAX_US
        for i, case in enumerate(self.cases):
            if not isinstance(case, Case):
                raise SlaValueError(
                    f"cases[{self.offset + i}] must be a slacalc.Case, not {case!r}")
            if everything_slow or case.severity_changes or (
                case.excluded is not None and case.excluded in excluding
            ) or (case.pauses and any(p.reason in stopping for p in case.pauses)):
                out.append(evaluate(shared.policy, case, now))
                continue
            key = (case.severity, case.tier, case.zone)
            sid = selectors.get(key)
            if sid is None:
                sid = shared.selector(key)
            opened_us = instant(case.opened)
            achieved = None
            if case.achieved:
                achieved = {name: instant(t) for name, t in case.achieved}
                values = achieved.values()
                if not (min(opened_us, *values) >= _MIN_US and max(opened_us, *values) <= _MAX_US):
                    out.append(evaluate(shared.policy, case, now))
                    continue
                if now_us is not None and max(values) > now_us:  # not happened as of ``now``
                    achieved = {k: v for k, v in achieved.items() if v <= now_us}
            elif not _MIN_US <= opened_us <= _MAX_US:
                out.append(evaluate(shared.policy, case, now))
                continue
            sel_col[i] = sid
            opened_col[i] = opened_us
            ach_col[i] = achieved
            group = members.get(sid)
            if group is None:
                members[sid] = [i]
            else:
                group.append(i)
            out.append(Evaluation(case.id, None, (lazy, i)))
        self._compute(members)
        for (cal, end), latest in self.horizon.items():
            cal._check_instant(latest, "evaluate_many", end=end)
        return out

    def _compute(self, members: dict[int, list[int]]) -> None:
        """Group the (case, metric) pairs by rule and compute each group at once."""
        shared = self.shared
        plans, metrics = shared.plans, shared.metrics
        m_count = len(metrics)
        opened_col, ach_col = self.opened, self.achieved
        groups: dict[int, tuple[list[int], list[int]]] = {}
        for sid, idx in members.items():
            for m, entry in enumerate(shared.selector_list[sid]):
                if entry == _NO_RULE:
                    continue
                if entry >= 0:
                    if plans[entry].target is None:
                        continue
                    group = groups.setdefault(entry, ([], []))
                    group[0].extend(idx)
                    group[1].extend([opened_col[i] for i in idx])
                    continue
                cands = shared.candidates[-2 - entry]
                for i in idx:
                    picked = self._pick(cands, opened_col[i], ach_col[i])
                    if picked is None:
                        continue
                    index, start = picked
                    self.picked[i * m_count + m] = index
                    if start is None or plans[index].target is None:
                        continue  # pending, or no target (negotiated): nothing to compute
                    group = groups.setdefault(index, ([], []))
                    group[0].append(i)
                    group[1].append(start)
        for index, (idx, starts) in groups.items():
            self._group(plans[index], idx, starts)

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
        key = (cal, end)
        if instant > self.horizon.get(key, instant - 1):
            self.horizon[key] = instant

    def _group(self, plan: _Plan, idx: list[int], starts: list[int]) -> None:
        """Deadlines and statuses of the cases ``idx`` whose metric follows ``plan``."""
        cal = plan.cal
        assert cal is not None
        deadlines = self._deadlines(plan, cal, starts)
        now_us = self.shared.now_us
        metric, m, m_count = plan.metric, plan.m, len(self.shared.metrics)
        ach_col = self.achieved
        got = [None if (a := ach_col[i]) is None else a.get(metric) for i in idx]
        if now_us is None:
            if plan.end_of_day:
                status = [RUNNING if a is None else BREACHED if a >= d else MET
                          for a, d in zip(got, deadlines, strict=True)]
            else:
                status = [RUNNING if a is None else BREACHED if a > d else MET
                          for a, d in zip(got, deadlines, strict=True)]
        elif plan.end_of_day:
            status = [(BREACHED if now_us >= d else RUNNING) if a is None
                      else BREACHED if a >= d else MET for a, d in zip(got, deadlines, strict=True)]
        else:
            status = [(BREACHED if now_us > d else RUNNING) if a is None
                      else BREACHED if a > d else MET for a, d in zip(got, deadlines, strict=True)]
        deadline_col, status_col = self.deadline, self.status
        for i, d, code in zip(idx, deadlines, status, strict=True):
            slot = i * m_count + m
            deadline_col[slot] = d
            status_col[slot] = code
        # ``used`` counts covered time up to the achievement (or ``now``): a horizon check
        ends = [e for a, t in zip(got, starts, strict=True)
                if (e := now_us if a is None else a) is not None and e > t]
        if ends:
            self._seen(cal, max(ends), end=True)
        if plan.ladder:
            fires = self.fires
            for i, start, due in zip(idx, starts, deadlines, strict=True):
                fires[i * m_count + m] = self._escalations(plan, cal, start, due)

    def _deadlines(self, plan: _Plan, cal: Calendar, starts: list[int]) -> list[int]:
        target = plan.target
        d_us = plan.within_us
        if d_us is not None:
            if d_us == 0:
                return list(starts)
            if d_us % US == 0 and all(t % US == 0 for t in starts):
                # one table lookup per case; ``add_many`` runs the horizon check on the latest
                return [r * US for r in cal.add_many([t // US for t in starts],
                                                     dt.timedelta(microseconds=d_us))]
            out = [cal._add_us(t, d_us) for t in starts]
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
            out = [r * US for r in target.deadline_many([t // US for t in starts])]
        # the time a day target spans is counted up to its deadline: that is checked too
        spans = [due for t, due in zip(starts, out, strict=True) if due > t]
        if spans:
            self._seen(cal, max(spans), end=True)
        return out

    def _escalations(self, plan: _Plan, cal: Calendar, start: int, due: int) -> tuple[int, ...]:
        """The instant each escalation step fires, in µs (``_escalations`` of evaluation.py)."""
        fires = []
        previous = None
        span = None
        for step, fixed_share in zip(plan.ladder, plan.span_us, strict=True):
            if step.at is not None:
                if step.at >= 1:
                    fire = due
                else:
                    share_us = fixed_share
                    if share_us is None:  # a day target: its span is this case's own
                        if span is None:
                            span = cal._elapsed_us(start, due) if due > start else 0
                        share_us = (dt.timedelta(microseconds=span) * step.at) // _ONE_US
                    fire = cal._add_us(start, share_us)
                    if share_us:
                        self._seen(cal, fire, end=True)
            else:
                offset = step.offset // _ONE_US  # type: ignore[operator]
                if offset >= 0:
                    fire = cal._add_us(due, offset)
                    if offset:
                        self._seen(cal, fire, end=True)
                else:
                    fire = max(cal._subtract_us(due, -offset), start)
                    self._seen(cal, due, end=True)
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
    def results(self, i: int) -> tuple[MetricResult, ...]:
        """The result objects of the ``i``-th case of the chunk (``evaluate``'s values)."""
        shared = self.shared
        case: Case = self.cases[i]
        now = shared.now
        m_count = len(shared.metrics)
        selector = shared.selector_list[self.selector[i]]
        out = []
        stops = None
        for m, metric in enumerate(shared.metrics):
            slot = i * m_count + m
            achieved = case.achieved_at(metric)
            if achieved is not None and now is not None and achieved > now:
                achieved = None
            index = selector[m]
            if index < _NO_RULE:
                index = self.picked.get(slot, _NO_RULE)
            if index == _NO_RULE:
                out.append(MetricResult(
                    metric, "not_applicable", "no target", None, None, achieved, None, None, None,
                    note="no target applies to this severity, tier and zone"))
                continue
            plan = shared.plans[index]
            start: dt.datetime | None = case.opened
            if plan.start != "opened":
                start = case.achieved_at(plan.start)
                if start is not None and now is not None and start > now:
                    start = None
            if plan.target is None:
                out.append(MetricResult(metric, "not_applicable", plan.described, start, None,
                                        achieved, None, None, None, note="no target: negotiated"))
                continue
            if start is None:
                out.append(MetricResult(
                    metric, "pending", plan.described, None, None, achieved, None, None, None,
                    note=f"the clock starts at {plan.start!r}, which has not happened"))
                continue
            cal = plan.cal
            assert cal is not None
            if stops is None:
                reasons = shared.stopping
                stops = tuple((p, p.reason in reasons) for p in case.pauses)
            out.append(self._result(plan, cal, slot, start, achieved, stops))
        return tuple(out)

    def _result(self, plan: _Plan, cal: Calendar, slot: int, start: dt.datetime,
                achieved: dt.datetime | None, stops: tuple[Any, ...]) -> MetricResult:
        now, now_us = self.shared.now, self.shared.now_us
        due = self.deadline[slot]
        start_us = _us(start)
        deadline = cal._out(due)
        end = achieved if achieved is not None else now
        used = remaining = share = None
        if end is not None:
            end_us = _us(end)
            used = dt.timedelta(microseconds=cal._elapsed_us(start_us, end_us)
                                if end_us > start_us else 0)
        span = (dt.timedelta(microseconds=plan.within_us) if plan.within_us is not None
                else dt.timedelta(microseconds=cal._elapsed_us(start_us, due) if due > start_us else 0))
        if used is not None:
            remaining = span - used
            share = used / span if span else None
        escalations: tuple[Escalation, ...] = ()
        fires = self.fires.get(slot)
        if fires is not None:
            a_us = None if achieved is None else _us(achieved)
            escalations = tuple(
                Escalation(step.name, step.notify, cal._out(fire),
                           ("skipped" if a_us <= fire else "fired") if a_us is not None
                           else "fired" if now_us is not None and now_us >= fire else "pending")
                for step, fire in zip(plan.ladder, fires, strict=True))
        zone = cal.tz
        return MetricResult(
            plan.metric, STATUSES[self.status[slot]], plan.described, start.astimezone(zone),
            deadline, None if achieved is None else achieved.astimezone(zone), used, remaining,
            share, escalations, "", cal, stops, achieved or now or deadline)
