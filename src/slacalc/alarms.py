"""The alarm feed: every escalation step and deadline of many cases that falls in a time window.

Contracts ask for timeout warnings raised automatically from a case's priority and open time,
sent to the person responsible. A service that polls every minute asks :func:`alarms` for the
window since its last poll and gets each warning once:

* an escalation step (``step`` is its name, ``notify`` the ladder's ``notify`` text) fires at the
  instant :func:`slacalc.evaluate` gives it: a share of the target's time, or an offset from the
  deadline, counted in the target's calendar, with stopping pauses left out and
  ``hold_until`` moving it to the next opening of its notification calendar. A step the metric
  was achieved before (``skipped``) raises nothing.
* the deadline itself (``step == "deadline"``, ``notify == ""``) fires at the metric's deadline
  unless the metric was met by then. A clock stopped by a pause that has not ended has no
  deadline and raises nothing until the pause ends.

Instants are compared as instants (in UTC), and the window is half-open, ``[since, until)``:
polling ``[t0, t1)``, then ``[t1, t2)``, ... gives exactly the alarms of one poll over
``[t0, tn)``, none twice and none lost. The alarms are computed from what the cases record, as
``evaluate`` without ``now`` computes them: a pause or severity change recorded later moves the
steps after it, and a later poll sees the moved ones.

>>> import datetime as dt
>>> import slacalc as sla
>>> policy = sla.templates.load("severity-a-d")
>>> tz = policy.calendar("always").tz
>>> case = sla.Case("T-7", dt.datetime(2026, 10, 1, 23, 10, tzinfo=tz), "A")
>>> since = dt.datetime(2026, 10, 2, 0, 0, tzinfo=tz)
>>> for alarm in sla.alarms(policy, [case], since, since + dt.timedelta(hours=1)):
...     print(alarm)
2026-10-02 00:10 T-7 restore engineer -> assigned engineer: half the restore time used
2026-10-02 00:40 T-7 restore expert -> second-line expert
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from slacalc._batch import evaluate_stream
from slacalc._timeline import EPOCH
from slacalc.case import Case
from slacalc.errors import OutOfRangeError, SlaValueError, echo
from slacalc.policy import Policy

__all__ = ["Alarm", "alarms"]

_ONE_US = dt.timedelta(microseconds=1)
DEADLINE = "deadline"


@attrs.frozen
class Alarm:
    """One warning to raise: ``case_id``'s ``metric`` reaches ``step`` (an escalation step's name,
    or ``"deadline"``) at ``at``; ``notify`` says whom to tell (the step's ``notify`` text; empty
    for a deadline or a step that names nobody). ``at`` is in the target calendar's zone."""

    at: dt.datetime
    case_id: str
    metric: str
    step: str
    notify: str = ""

    def __str__(self) -> str:
        who = f" -> {self.notify}" if self.notify else ""
        return f"{self.at:%Y-%m-%d %H:%M} {self.case_id} {self.metric} {self.step}{who}"


def _aware(value: object, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise SlaValueError(f"{name} must be an aware datetime, not {echo(value)}")
    return value


def alarms(policy: Policy, cases: Iterable[Case], since: dt.datetime,
           until: dt.datetime) -> list[Alarm]:
    """Every escalation step and deadline of ``cases`` under ``policy`` that fires in
    ``[since, until)``, in time order (ties: in the order of the cases, then of the policy's
    metrics, then of the ladder, the deadline last). See the module docstring for the rules.

    The cases are evaluated in chunks by :func:`slacalc.evaluate_stream`, so memory does not grow
    with their number, and the instants are read from the batch's integer columns: only the
    alarms in the window become objects.
    """
    if not isinstance(policy, Policy):
        raise SlaValueError(f"policy must be a slacalc.Policy, not {echo(policy)}")
    try:
        lo = _aware(since, "since").astimezone(dt.UTC)
        hi = _aware(until, "until").astimezone(dt.UTC)
    except OverflowError:  # the ends of datetime's range, with an offset that leaves it
        raise OutOfRangeError(f"since={echo(since)} / until={echo(until)}: an instant that "
                              "cannot be written in UTC; give instants within 1900-2199") from None
    if hi < lo:
        raise SlaValueError(f"until={until.isoformat()} is before since={since.isoformat()}; "
                            "the window is [since, until)")
    if hi == lo:
        return []
    lo_us, hi_us = (lo - EPOCH) // _ONE_US, (hi - EPOCH) // _ONE_US
    metrics = policy.metrics()
    last = {m: len(ladder.steps) if (ladder := policy.ladder(m)) else 0 for m in metrics}
    found: list[tuple[int, int, int, int, Alarm]] = []
    for c, evaluation in enumerate(evaluate_stream(policy, cases)):
        case_id = evaluation.case_id
        lazy = evaluation._lazy  # a batch evaluation: read its columns, build no results
        if lazy is not None:
            group, k = lazy
            for m, metric in enumerate(metrics):
                timings = group.timings(k, m)
                if timings is None:
                    continue
                plan, due, status, fires, achieved = timings
                out = plan.cal._out
                for s, (step, fire) in enumerate(zip(plan.ladder, fires, strict=False)):
                    if fire is not None and lo_us <= fire < hi_us and (
                        achieved is None or achieved > fire
                    ):
                        found.append((fire, c, m, s,
                                      Alarm(out(fire), case_id, metric, step.name, step.notify)))
                if due is not None and status != "met" and lo_us <= due < hi_us:
                    found.append((due, c, m, last[metric],
                                  Alarm(out(due), case_id, metric, DEADLINE)))
            continue
        for m, result in enumerate(evaluation):  # evaluated one by one (severity changes, ...)
            for s, esc in enumerate(result.escalations):
                at = (esc.at - EPOCH) // _ONE_US
                if esc.status != "skipped" and lo_us <= at < hi_us:
                    found.append((at, c, m, s, Alarm(esc.at, case_id, result.metric, esc.name,
                                                     esc.notify)))
            deadline = result.deadline
            if deadline is not None and result.status != "met":
                at = (deadline - EPOCH) // _ONE_US
                if lo_us <= at < hi_us:
                    found.append((at, c, m, last[result.metric],
                                  Alarm(deadline, case_id, result.metric, DEADLINE)))
    found.sort(key=lambda row: row[:4])
    return [row[4] for row in found]
