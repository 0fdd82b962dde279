"""The alarm feed, ``sla.alarms(policy, cases, since, until)``.

Expected instants are worked out by hand from the templates' clauses (the 7x24 and CN 5x8
calendars, National Day 2026 = 1-7 October); the properties compare the feed with a brute
force written here over ``sla.evaluate`` (one case at a time, every step and deadline listed,
then filtered by the window) and check that consecutive polls add up to one poll.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slacalc as sla
from slacalc.testing import cases, policies

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


def rows(alarms: list[sla.Alarm]) -> list[tuple[str, str, str, str, str]]:
    return [(f"{a.at:%m-%d %H:%M}", a.case_id, a.metric, a.step, a.notify) for a in alarms]


A_D = sla.templates.load("severity-a-d")
COMPLAINTS = sla.templates.load("complaints")


class TestHandChecked:
    def test_severity_a_every_promise_in_order(self) -> None:
        """A severity-A fault at 23:10: response and on-site due 23:40, restore's ladder at
        half (1 h), three quarters (1.5 h) and all of its 2 h, travel (depart) due in 3 h."""
        case = sla.Case("T-1", at(2026, 10, 1, 23, 10), "A")
        got = sla.alarms(A_D, [case], at(2026, 10, 1, 23, 0), at(2026, 10, 2, 3, 0))
        assert rows(got) == [
            ("10-01 23:40", "T-1", "response", "deadline", ""),
            ("10-01 23:40", "T-1", "onsite", "deadline", ""),
            ("10-02 00:10", "T-1", "restore", "engineer",
             "assigned engineer: half the restore time used"),
            ("10-02 00:40", "T-1", "restore", "expert", "second-line expert"),
            ("10-02 01:10", "T-1", "restore", "vendor", "vendor technical assistance centre"),
            ("10-02 01:10", "T-1", "restore", "deadline", ""),
            ("10-02 02:10", "T-1", "depart", "deadline", ""),
        ]
        assert all(a.at.tzinfo == SH for a in got)

    def test_achieved_metrics_raise_nothing_after_they_are_met(self) -> None:
        """Responded at 23:20 (in time): no response alarm. Restored at 00:30: the engineer
        (00:10) was told, the later steps and the deadline are not raised."""
        case = sla.Case("T-1", at(2026, 10, 1, 23, 10), "A",
                        achieved={"response": at(2026, 10, 1, 23, 20),
                                  "restore": at(2026, 10, 2, 0, 30)})
        got = sla.alarms(A_D, [case], at(2026, 10, 1, 23, 0), at(2026, 10, 2, 2, 0))
        assert [(r[2], r[3]) for r in rows(got)] == [
            ("onsite", "deadline"), ("restore", "engineer")]

    def test_late_achievement_still_raises_the_deadline(self) -> None:
        """Responded at 23:50, ten minutes late: the 23:40 deadline alarm was raised."""
        case = sla.Case("T-1", at(2026, 10, 1, 23, 10), "A",
                        achieved={"response": at(2026, 10, 1, 23, 50)})
        got = sla.alarms(A_D, [case], at(2026, 10, 1, 23, 40), at(2026, 10, 1, 23, 41))
        assert [(r[2], r[3]) for r in rows(got)] == [("response", "deadline"), ("onsite", "deadline")]

    def test_a_pause_moves_the_steps(self) -> None:
        """Waiting 23:30-00:30 for the customer's information stops the clock for an hour:
        restore's 2 h are used 20 min before the pause and 100 min after it, so the engineer
        (1 h) is told at 01:10, the expert (1.5 h) at 01:40, the deadline is 02:10."""
        case = sla.Case("T-1", at(2026, 10, 1, 23, 10), "A",
                        pauses=[sla.Pause(at(2026, 10, 1, 23, 30), at(2026, 10, 2, 0, 30),
                                          "customer_info")])
        got = sla.alarms(A_D, [case], at(2026, 10, 2, 0, 0), at(2026, 10, 2, 2, 30))
        restore = [(r[0], r[3]) for r in rows(got) if r[2] == "restore"]
        assert restore == [("10-02 01:10", "engineer"), ("10-02 01:40", "expert"),
                           ("10-02 02:10", "vendor"), ("10-02 02:10", "deadline")]

    def test_an_open_pause_raises_nothing(self) -> None:
        """A pause that has not ended stops the clock: nothing after it is raised."""
        case = sla.Case("T-1", at(2026, 10, 1, 23, 10), "A",
                        pauses=[sla.Pause(at(2026, 10, 1, 23, 15), None, "customer_info")])
        assert sla.alarms(A_D, [case], at(2026, 10, 1, 23, 15), at(2026, 10, 9)) == []

    def test_notification_window_holds_a_step(self) -> None:
        """A complaint on Saturday 2026-09-19 10:00 is due in 15 days: Sunday 4 October 10:00.
        The quality manager is told at 80 % (12 days: 1 October 10:00, National Day), held to
        the next business-hours opening, Thursday 8 October 09:00; the general manager's step
        (at the deadline) never fires before the one before it, so it goes out then too."""
        case = sla.Case("C-9", at(2026, 9, 19, 10), "any")
        got = sla.alarms(COMPLAINTS, [case], at(2026, 9, 19), at(2026, 10, 9))
        assert rows(got) == [
            ("09-19 12:00", "C-9", "complaint_reply", "deadline", ""),
            ("10-04 10:00", "C-9", "complaint_resolve", "deadline", ""),
            ("10-08 09:00", "C-9", "complaint_resolve", "quality", "quality manager"),
            ("10-08 09:00", "C-9", "complaint_resolve", "management", "general manager"),
        ]

    def test_window_is_half_open(self) -> None:
        """An alarm at ``since`` is in the window, one at ``until`` is not (the next poll's)."""
        case = sla.Case("T-1", at(2026, 10, 1, 23, 10), "A")
        edge = at(2026, 10, 2, 0, 10)  # the engineer's step
        assert [a.step for a in sla.alarms(A_D, [case], edge, edge + dt.timedelta(minutes=1))] \
            == ["engineer"]
        assert sla.alarms(A_D, [case], edge - dt.timedelta(minutes=1), edge) == []
        one_us = dt.timedelta(microseconds=1)
        assert [a.step for a in sla.alarms(A_D, [case], edge, edge + one_us)] == ["engineer"]
        assert sla.alarms(A_D, [case], edge, edge) == []

    def test_window_in_another_zone(self) -> None:
        """The window's instants may be written in any zone; instants are compared as such."""
        case = sla.Case("T-1", at(2026, 10, 1, 23, 10), "A")
        since = at(2026, 10, 2, 0, 10).astimezone(ZoneInfo("America/New_York"))
        got = sla.alarms(A_D, [case], since, since + dt.timedelta(minutes=1))
        assert [a.step for a in got] == ["engineer"]

    def test_ties_follow_case_order(self) -> None:
        """Two cases opened together: each instant lists the first case first."""
        cases_ = [sla.Case(n, at(2026, 10, 1, 23, 10), "A") for n in ("Z-2", "A-1")]
        got = sla.alarms(A_D, cases_, at(2026, 10, 2, 0, 10), at(2026, 10, 2, 0, 11))
        assert [a.case_id for a in got] == ["Z-2", "A-1"]


class TestAlarmValue:
    def test_frozen_and_printable(self) -> None:
        """An alarm is an immutable value with a one-line text."""
        alarm = sla.Alarm(at(2026, 10, 2, 0, 10), "T-1", "restore", "engineer", "duty lead")
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            alarm.step = "x"  # type: ignore[misc]
        assert str(alarm) == "2026-10-02 00:10 T-1 restore engineer -> duty lead"
        assert alarm == sla.Alarm(at(2026, 10, 2, 0, 10), "T-1", "restore", "engineer",
                                  "duty lead")


class TestBadInput:
    @pytest.mark.parametrize(("since", "until", "fragment"), [
        (dt.datetime(2026, 1, 1), at(2026, 1, 2), "since must be an aware datetime"),
        (at(2026, 1, 1), "2026-01-02", "until must be an aware datetime"),
        (at(2026, 1, 2), at(2026, 1, 1), "is before since="),
    ])
    def test_window(self, since: object, until: object, fragment: str) -> None:
        """A naive or missing bound, or a window that ends before it starts, is refused."""
        with pytest.raises(sla.SlaValueError, match=fragment):
            sla.alarms(A_D, [], since, until)  # type: ignore[arg-type]

    def test_policy_and_cases(self) -> None:
        """Only a policy and Case values are accepted."""
        with pytest.raises(sla.SlaValueError, match=r"policy must be a slacalc\.Policy"):
            sla.alarms("severity-a-d", [], at(2026, 1, 1), at(2026, 1, 2))  # type: ignore[arg-type]
        with pytest.raises(sla.SlaValueError, match=r"cases\[0\] must be a slacalc.Case"):
            sla.alarms(A_D, [{"id": "T-1"}], at(2026, 1, 1), at(2026, 1, 2))  # type: ignore[list-item]


# -- properties -----------------------------------------------------------------------------------
def brute_force(policy: sla.Policy, cases_: list[sla.Case], since: dt.datetime,
                until: dt.datetime) -> list[tuple[dt.datetime, str, str, str, str]]:
    """Every step and deadline of every case, one ``evaluate`` at a time, kept if in the window:
    a step unless the metric was achieved at or before it, a deadline unless the metric was met.
    Sorted by instant, then case position, metric position, step position (deadline last)."""
    out = []
    for c, case in enumerate(cases_):
        evaluation = sla.evaluate(policy, case)
        for m, result in enumerate(evaluation):
            listed = [(e.at, e.name, e.notify) for e in result.escalations
                      if result.achieved is None or result.achieved > e.at]
            if result.deadline is not None and result.status != "met":
                listed.append((result.deadline, "deadline", ""))
            for s, (when, step, notify) in enumerate(listed):
                if since <= when < until:
                    out.append((when.astimezone(dt.UTC), c, m, s,
                                (when, case.id, result.metric, step, notify)))
    out.sort(key=lambda row: row[:4])
    return [row[4] for row in out]


def as_tuples(alarms: list[sla.Alarm]) -> list[tuple[dt.datetime, str, str, str, str]]:
    return [(a.at, a.case_id, a.metric, a.step, a.notify) for a in alarms]


@st.composite
def feeds(draw: st.DrawFn) -> tuple[sla.Policy, list[sla.Case], list[dt.datetime]]:
    """A policy, a few cases, and poll instants t0 < t1 < ... around the cases' openings."""
    policy = draw(policies())
    cases_ = [attrs.evolve(c, id=f"T-{i}")  # distinct ids: an alarm names its case
              for i, c in enumerate(draw(st.lists(cases(policy), min_size=1, max_size=4)))]
    first = min(c.opened for c in cases_) - dt.timedelta(hours=1)
    cuts = draw(st.lists(st.integers(0, 30 * 24 * 60), min_size=2, max_size=8, unique=True))
    polls = [first + dt.timedelta(minutes=m) for m in sorted(cuts)]
    return policy, cases_, polls


class TestProperties:
    @given(feeds())
    @settings(max_examples=40)
    def test_polls_add_up_to_one_poll(
        self, feed: tuple[sla.Policy, list[sla.Case], list[dt.datetime]]
    ) -> None:
        """Consecutive polls [t0, t1), [t1, t2), ... give exactly the alarms of one poll over
        [t0, tn), in the same order: nothing twice, nothing lost."""
        policy, cases_, polls = feed
        whole = sla.alarms(policy, cases_, polls[0], polls[-1])
        pieces = [a for lo, hi in itertools.pairwise(polls)
                  for a in sla.alarms(policy, cases_, lo, hi)]
        assert pieces == whole
        assert len(set(as_tuples(whole))) == len(whole)

    @given(feeds(), st.data())
    @settings(max_examples=40)
    def test_polls_cut_at_alarm_instants(
        self, feed: tuple[sla.Policy, list[sla.Case], list[dt.datetime]], data: st.DataObject
    ) -> None:
        """Polls whose edges fall exactly on alarm instants (or a microsecond either side)
        still add up to one poll: an alarm at an edge belongs to the poll that starts there."""
        policy, cases_, polls = feed
        t0, tn = polls[0], polls[-1]
        whole = sla.alarms(policy, cases_, t0, tn)
        nudge = data.draw(st.sampled_from([dt.timedelta(0), dt.timedelta(microseconds=1),
                                           -dt.timedelta(microseconds=1)]))
        instants = sorted({a.at for a in whole})
        if len(instants) > 12:  # a sample keeps the number of polls small
            instants = data.draw(st.lists(st.sampled_from(instants), max_size=12, unique=True))
        cuts = sorted({min(max(t + nudge, t0), tn) for t in instants} | {t0, tn})
        pieces = [sla.alarms(policy, cases_, lo, hi) for lo, hi in itertools.pairwise(cuts)]
        assert [a for piece in pieces for a in piece] == whole
        if nudge == dt.timedelta(0):  # each poll opens with the alarms at its first instant
            assert all(piece[0].at == lo for piece, lo in zip(pieces, cuts, strict=False)
                       if piece)

    @given(feeds())
    @settings(max_examples=40)
    def test_matches_brute_force(
        self, feed: tuple[sla.Policy, list[sla.Case], list[dt.datetime]]
    ) -> None:
        """The feed (evaluated in batches) lists what evaluating each case alone lists."""
        policy, cases_, polls = feed
        got = sla.alarms(policy, cases_, polls[0], polls[-1])
        expected = brute_force(policy, cases_, polls[0], polls[-1])
        assert as_tuples(got) == expected
        # written as evaluate writes them: the same wall time and offset, in the same zone
        assert [(a.at.isoformat(), a.at.tzinfo) for a in got] == [
            (row[0].isoformat(), row[0].tzinfo) for row in expected]
        assert all(polls[0] <= a.at < polls[-1] for a in got)
