"""Properties of the service model (``Policy.evaluate``) over generated policies and cases.

The strategies are the public ones of ``slacalc.testing``. Expected values come from the properties'
own reasoning (monotonicity, invariance) or from the core calendar (``Calendar.add`` /
``elapsed`` / ``is_open``), which its own suites check against independent references.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import slacalc as sla
from slacalc import testing as ps

UTC = dt.UTC
FEW = settings(max_examples=40, deadline=None)


def utc(t: dt.datetime | None) -> dt.datetime | None:
    return None if t is None else t.astimezone(UTC)


def snapshot(evaluation: sla.Evaluation) -> list[tuple[Any, ...]]:
    """Everything an evaluation says, with instants as UTC (so the zone they are written in
    does not matter, and ``==`` never compares wall times of one zone)."""
    out = []
    for r in evaluation:
        out.append((
            r.metric, r.status, r.target, r.note, utc(r.start), utc(r.deadline), utc(r.achieved),
            r.used, r.remaining, r.share,
            tuple((e.name, e.notify, utc(e.at), e.status) for e in r.escalations),
            tuple((utc(s.start), utc(s.end), s.counted, s.reason) for s in r.segments()),
        ))
    return out


def with_pause(case: sla.Case, pause: sla.Pause) -> sla.Case:
    return attrs.evolve(case, pauses=(*case.pauses, pause))


@FEW
@given(st.data())
def test_a_pause_never_brings_a_deadline_earlier(data: st.DataObject) -> None:
    """Adding a pause that stops the clock leaves every metric's deadline the same or later.

    ``None`` ("never": the clock stays stopped) counts as later than any instant; adding a
    pause can make a deadline ``None`` even when the pause itself ends, by joining an
    open-ended one that starts as the original deadline falls."""
    policy = data.draw(ps.policies(min_stopping=1))
    case = data.draw(ps.cases(policy))
    reason = data.draw(st.sampled_from(sorted(policy.clock.pause_reasons)))
    pause = data.draw(ps.pauses(case.opened, reasons=(reason,)))
    before, after = sla.evaluate(policy, case), sla.evaluate(policy, with_pause(case, pause))
    assert [r.metric for r in before] == [r.metric for r in after]
    for b, a in zip(before, after, strict=True):
        if b.deadline is None:
            assert a.deadline is None, b.metric
        elif a.deadline is not None:
            assert a.deadline >= b.deadline, b.metric
        if pause.end is None and b.deadline is not None and a.deadline is None:
            assert pause.start <= b.deadline, b.metric  # only a pause before it can stop it


@FEW
@given(st.data())
def test_a_pause_that_does_not_stop_the_clock_changes_no_deadline(data: st.DataObject) -> None:
    """A pause whose reason is not in ``clock.pause_reasons`` is recorded but changes no
    deadline, time used or escalation."""
    policy = data.draw(ps.policies())
    case = data.draw(ps.cases(policy))
    others = [r for r in ps.REASONS if r not in policy.clock.pause_reasons]
    assume(others)
    pause = data.draw(ps.pauses(case.opened, reasons=tuple(others)))
    now = data.draw(ps.nows(case))
    before = snapshot(sla.evaluate(policy, case, now))
    after = snapshot(sla.evaluate(policy, with_pause(case, pause), now))
    # Everything but the explained intervals (which name the recorded pause) is unchanged.
    assert [row[:-1] for row in after] == [row[:-1] for row in before]


@FEW
@given(st.data())
def test_a_pause_outside_coverage_changes_nothing(data: st.DataObject) -> None:
    """A stopping pause lying wholly in a gap of a calendar's coverage changes nothing for the
    metrics counted in that calendar: deadline, time used and left, status, escalations.

    ``now`` is kept out of the pause: inside a stopping pause the documented status is
    ``paused`` whatever the calendar.
    """
    policy = data.draw(ps.policies(min_stopping=1))
    case = data.draw(ps.cases(policy))
    name = data.draw(st.sampled_from([s.name for s in policy.calendars]))
    cal = policy.calendar(name)
    probe = case.opened.astimezone(UTC) + data.draw(ps.offsets(8))
    gaps = [s for s in cal.segments(probe, probe + dt.timedelta(days=8)) if not s.counted]
    assume(gaps)  # a 7x24 calendar has no gap
    gap = data.draw(st.sampled_from(gaps))
    g0 = gap.start.astimezone(UTC)  # real time: wall arithmetic is wrong across DST
    length = int((gap.end.astimezone(UTC) - g0).total_seconds())
    a = data.draw(st.integers(0, length))
    b = data.draw(st.integers(a, length))
    start = g0 + dt.timedelta(seconds=a)
    pause = sla.Pause(start, g0 + dt.timedelta(seconds=b),
                      data.draw(st.sampled_from(sorted(policy.clock.pause_reasons))))
    assert cal.elapsed(pause.start, pause.end or pause.start) == dt.timedelta(0)
    now = data.draw(ps.nows(case))
    assume(now is None or not (pause.start <= now < (pause.end or now)))
    before = sla.evaluate(policy, case, now)
    after = sla.evaluate(policy, with_pause(case, pause), now)
    checked = 0
    for b_row, a_row, b_res in zip(snapshot(before), snapshot(after), before, strict=True):
        if f"({name})" not in b_res.target:
            continue
        checked += 1
        assert a_row[:-1] == b_row[:-1]
    assume(checked)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_escalation_instants_never_decrease(data: st.DataObject) -> None:
    """A metric's escalation instants never decrease, and only laddered metrics escalate."""
    policy = data.draw(ps.policies())
    assume(policy.escalations)
    case = data.draw(ps.cases(policy))
    now = data.draw(ps.nows(case))
    for result in sla.evaluate(policy, case, now):
        times = [utc(e.at) for e in result.escalations]
        assert times == sorted(times), result.metric  # type: ignore[type-var]
        if policy.ladder(result.metric) is None:
            assert result.escalations == ()


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_held_escalation_steps_fire_in_their_window(data: st.DataObject) -> None:
    """A step with ``hold_until`` fires at an instant its calendar is open (inside a window,
    or at a window's start)."""
    policy = data.draw(ps.policies())
    assume(any(s.hold_until for ladder in policy.escalations for s in ladder.steps))
    case = data.draw(ps.cases(policy))
    now = data.draw(ps.nows(case))
    for result in sla.evaluate(policy, case, now):
        ladder = policy.ladder(result.metric)
        if ladder is None:
            continue
        steps = {s.name: s for s in ladder.steps}
        for esc in result.escalations:
            hold = steps[esc.name].hold_until
            if hold is not None:
                assert policy.calendar(hold).is_open(esc.at), (result.metric, esc)


def test_a_held_step_after_a_later_step_waits_for_the_window() -> None:
    """The ordering clamp must not push a held step outside its window (hand-checked case).

    Restore within 4h (7x24) from Fri 2025-03-07 14:00 Shanghai: deadline 18:00. Step "duty"
    fires at 100 % (18:00); step "manager" at -2h (16:00) is moved to 18:00 so as not to fire
    before "duty", but the business calendar (5x8, 09:00-17:00) is closed at 18:00, so it is
    held to the next opening: Monday 2025-03-10 09:00.
    """
    policy = sla.Policy.from_dict({
        "name": "x",
        "calendars": {"always": {"coverage": "7x24", "tz": "Asia/Shanghai"},
                      "business": {"coverage": "5x8", "country": "CN"}},
        "severities": [{"id": "A", "targets": [
            {"metric": "restore", "calendar": "always", "within": "4h"}]}],
        "escalations": [{"metric": "restore", "steps": [
            {"name": "duty", "at": 1.0},
            {"name": "manager", "offset": "-2h", "hold_until": "business"}]}],
    })
    tz = policy.calendar("business").tz
    result = sla.evaluate(policy, sla.Case("T", dt.datetime(2025, 3, 7, 14, tzinfo=tz), "A"))["restore"]
    assert [(e.name, utc(e.at)) for e in result.escalations] == [
        ("duty", dt.datetime(2025, 3, 7, 10, tzinfo=UTC)),
        ("manager", dt.datetime(2025, 3, 10, 1, tzinfo=UTC)),
    ]


def _rewritten(data: st.DataObject, case: sla.Case) -> sla.Case:
    """The same case with its events in a shuffled order and every instant in another zone."""

    def move(t: dt.datetime) -> dt.datetime:
        return t.astimezone(data.draw(ps.input_zones()))

    achieved = data.draw(st.permutations([(n, move(t)) for n, t in case.achieved]))
    pauses = data.draw(st.permutations([
        sla.Pause(move(p.start), None if p.end is None else move(p.end), p.reason)
        for p in case.pauses
    ]))
    changes = data.draw(st.permutations([
        sla.SeverityChange(move(c.at), c.severity) for c in case.severity_changes
    ]))
    return sla.Case(case.id, move(case.opened), case.severity, tier=case.tier, zone=case.zone,
                    achieved=achieved, pauses=pauses, severity_changes=changes,
                    excluded=case.excluded)


@FEW
@given(st.data())
def test_evaluation_ignores_event_order_and_time_zones(data: st.DataObject) -> None:
    """Giving a case's achievements, pauses and severity changes in another order, and writing
    every instant (``now`` too) in other zones, gives the same results as UTC instants."""
    policy = data.draw(ps.policies())
    case = data.draw(ps.cases(policy))
    now = data.draw(ps.nows(case))
    other = _rewritten(data, case)
    other_now = None if now is None else now.astimezone(data.draw(ps.input_zones()))
    assert snapshot(sla.evaluate(policy, other, other_now)) == snapshot(sla.evaluate(policy, case, now))


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_evaluate_many_agrees_with_evaluate(data: st.DataObject) -> None:
    """``evaluate_many(cases, now)`` gives, in order, what ``evaluate`` gives for each case."""
    policy = data.draw(ps.policies())
    cases = data.draw(st.lists(ps.cases(policy), max_size=6))
    now = data.draw(ps.nows(cases[0])) if cases else None
    many = sla.evaluate_many(policy, cases, now)
    assert len(many) == len(cases)
    for got, case in zip(many, cases, strict=True):
        assert got.case_id == case.id
        assert snapshot(got) == snapshot(sla.evaluate(policy, case, now))


@settings(max_examples=80, deadline=None)
@given(ps.policy_dicts())
def test_policies_round_trip_through_dicts(data: dict[str, Any]) -> None:
    """``Policy.from_dict(p.to_dict()) == p``, and ``to_dict`` is stable after one trip."""
    policy = sla.Policy.from_dict(data)
    again = sla.Policy.from_dict(policy.to_dict())
    assert again == policy
    assert again.to_dict() == policy.to_dict()
    assert hash(again) == hash(policy)


@settings(max_examples=80, deadline=None)
@given(ps.policy_dicts())
def test_policies_round_trip_through_toml(data: dict[str, Any]) -> None:
    """``Policy.from_toml_text(p.to_toml()) == p``."""
    pytest.importorskip("slacalc._toml")
    policy = sla.Policy.from_dict(data)
    assert sla.Policy.from_toml_text(policy.to_toml()) == policy


@st.composite
def _within_setups(draw: st.DrawFn) -> tuple[sla.Policy, sla.Case, dt.timedelta]:
    """A one-target policy (``restore`` within a duration, from ``opened``) and a case without
    pauses or severity changes."""
    spec = draw(st.sampled_from(ps.CALENDAR_SPECS))
    text = draw(ps.duration_texts())
    policy = sla.Policy.from_dict({
        "name": "within",
        "calendars": {"c": dict(spec)},
        "clock": {"pause_reasons": list(ps.REASONS)},
        "severities": [{"id": "A", "targets": [
            {"metric": "restore", "calendar": "c", "within": text}]}],
    })
    rule = policy.severity("A").targets[0]
    assert rule.duration is not None
    opened = draw(ps.cases(policy, max_pauses=0, changes=False)).opened
    achieved = (opened.astimezone(UTC) + draw(ps.offsets(12))).astimezone(draw(ps.input_zones()))
    case = sla.Case("T", opened, "A", achieved={"restore": achieved})
    return policy, case, rule.duration


@settings(max_examples=60, deadline=None)
@given(_within_setups())
def test_within_deadline_is_the_calendars_sum(setup: tuple[sla.Policy, sla.Case, dt.timedelta]
                                              ) -> None:
    """Without pauses a ``within`` deadline is ``cal.add(start, duration)``; the metric is met
    iff achieved at or before it; achieved exactly at it, the whole duration is used (share 1)."""
    policy, case, duration = setup
    cal = policy.calendar("c")
    expected = cal.add(case.opened, duration)
    result = sla.evaluate(policy, case)["restore"]
    assert utc(result.deadline) == utc(expected)
    achieved = case.achieved_at("restore")
    assert achieved is not None
    assert result.status == ("met" if achieved <= expected else "breached")
    assert result.used == cal.elapsed(case.opened, achieved)

    on_time = attrs.evolve(case, achieved={"restore": expected})
    exact = sla.evaluate(policy, on_time)["restore"]
    assert exact.status == "met"
    assert exact.used == duration
    assert exact.remaining == dt.timedelta(0)
    assert exact.share == 1.0
