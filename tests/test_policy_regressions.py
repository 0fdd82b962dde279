"""Regression tests for the service-model review's findings (each expectation worked by hand).

Calendars: "always" is 7x24 Asia/Shanghai; "business" is 5x8 CN (09:00-17:00). 2026-03-02 is a
Monday with no holiday near it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import slacalc as sla

SH = ZoneInfo("Asia/Shanghai")


def t(*a: int) -> dt.datetime:
    return dt.datetime(*a, tzinfo=SH)


def policy(**kw: Any) -> sla.Policy:
    d: dict[str, Any] = {
        "name": "p",
        "calendars": {"always": {"coverage": "7x24", "tz": "Asia/Shanghai"},
                      "business": {"coverage": "5x8", "country": "CN"}},
        "clock": {"pause_reasons": ["customer_info"]},
    }
    d.update(kw)
    return sla.Policy.from_dict(d)


RESTORE_4H = [{"id": "A", "targets": [{"metric": "restore", "calendar": "always", "within": "4h"}]}]
HALF_FULL = [{"metric": "restore", "steps": [{"name": "half", "at": 0.5}, {"name": "full", "at": 1.0}]}]


class TestOpenPauses:
    def test_fired_steps_survive_an_open_pause(self) -> None:
        """Opened 10:00, 4 h; an open-ended pause from 13:00 stops the clock: the deadline is
        unknown, but the 50 % step (12:00) had fired and stays."""
        p = policy(severities=RESTORE_4H, escalations=HALF_FULL)
        case = sla.Case("T", t(2026, 3, 2, 10), "A",
                        pauses=[sla.Pause(t(2026, 3, 2, 13), None, "customer_info")])
        r = sla.evaluate(p, case, now=t(2026, 3, 2, 13, 30))["restore"]
        assert (r.status, r.deadline) == ("paused", None)
        assert [(e.name, e.at, e.status) for e in r.escalations] == [("half", t(2026, 3, 2, 12), "fired")]

    def test_a_pause_after_the_achievement_changes_nothing(self) -> None:
        """Restored 12:30, pause from 13:00: the deadline stays 14:00, met."""
        p = policy(severities=RESTORE_4H, escalations=HALF_FULL)
        case = sla.Case("T", t(2026, 3, 2, 10), "A", achieved={"restore": t(2026, 3, 2, 12, 30)},
                        pauses=[sla.Pause(t(2026, 3, 2, 13), None, "customer_info")])
        r = sla.evaluate(p, case, now=t(2026, 3, 2, 13, 30))["restore"]
        assert (r.status, r.deadline) == ("met", t(2026, 3, 2, 14))
        assert [(e.name, e.status) for e in r.escalations] == [("half", "fired"), ("full", "skipped")]


class TestSeverityChanges:
    def test_restart_does_not_rejudge_an_earlier_achievement(self) -> None:
        """severity-a-d (restart): A responded 10:45 against 10:30 is a breach; a change to B at
        11:00 comes after it and does not turn it into a success."""
        p = sla.templates.load("severity-a-d")
        case = sla.Case("T", t(2026, 3, 2, 10), "A", achieved={"response": t(2026, 3, 2, 10, 45)},
                        severity_changes=[sla.SeverityChange(t(2026, 3, 2, 11), "B")])
        r = sla.evaluate(p, case)["response"]
        assert (r.status, r.deadline) == ("breached", t(2026, 3, 2, 10, 30))

    def test_shorter_keeps_the_earliest_promise_of_every_level(self) -> None:
        """A (8 h) at 10:00, B (1 h) at 10:30, D (24 h) at 12:00: B's 11:30 stands."""
        p = policy(clock={"severity_change": "shorter"}, severities=[
            {"id": "A", "targets": [{"metric": "restore", "calendar": "always", "within": "8h"}]},
            {"id": "B", "targets": [{"metric": "restore", "calendar": "always", "within": "1h"}]},
            {"id": "D", "targets": [{"metric": "restore", "calendar": "always", "within": "24h"}]}])
        case = sla.Case("T", t(2026, 3, 2, 10), "A", achieved={"restore": t(2026, 3, 2, 17)},
                        severity_changes=[sla.SeverityChange(t(2026, 3, 2, 10, 30), "B"),
                                          sla.SeverityChange(t(2026, 3, 2, 12), "D")])
        r = sla.evaluate(p, case)["restore"]
        assert (r.deadline, r.status) == (t(2026, 3, 2, 11, 30), "breached")

    def test_a_change_before_the_opening_is_refused(self) -> None:
        """A severity change dated before the case was opened is an error naming both times."""
        with pytest.raises(sla.SlaValueError, match="before the case was opened"):
            sla.Case("T", t(2026, 3, 2, 10), "A",
                     severity_changes=[sla.SeverityChange(t(2026, 3, 1, 10), "B")])


class TestEscalationInstants:
    def test_full_share_on_a_day_target_is_the_deadline(self) -> None:
        """ND by 18:00 from Mon 10:00 is Tue 18:00; the 100 % step fires then, not at 17:00."""
        p = policy(targets=[{"metric": "parts_arrive", "calendar": "business",
                             "next_business_day": {"cutoff": "15:00", "by": "18:00"}}],
                   escalations=[{"metric": "parts_arrive", "steps": [{"name": "due", "at": 1.0}]}])
        r = sla.evaluate(p, sla.Case("T", t(2026, 3, 2, 10), "any"), now=t(2026, 3, 3, 17, 30))["parts_arrive"]
        assert r.deadline == t(2026, 3, 3, 18)
        assert [(e.at, e.status) for e in r.escalations] == [(t(2026, 3, 3, 18), "pending")]

    def test_steps_before_the_achievement_fired_without_now(self) -> None:
        """Restored 15:00 (deadline 14:00): without now, the 12:00 and 14:00 steps had fired."""
        p = policy(severities=RESTORE_4H, escalations=HALF_FULL)
        r = sla.evaluate(p, sla.Case("T", t(2026, 3, 2, 10), "A", achieved={"restore": t(2026, 3, 2, 15)}))["restore"]
        assert [e.status for e in r.escalations] == ["fired", "fired"]

    def test_negative_offset_not_before_the_clock_start(self) -> None:
        """Opened Tue 09:10, 30 business minutes (due 09:40): 1 h before is clamped to 09:10."""
        p = policy(severities=[{"id": "A", "targets": [{"metric": "response", "calendar": "business", "within": "30m"}]}],
                   escalations=[{"metric": "response", "steps": [{"name": "warn", "offset": "-1h"}]}])
        r = sla.evaluate(p, sla.Case("T", t(2026, 3, 3, 9, 10), "A"), now=t(2026, 3, 3, 9, 11))["response"]
        assert [(e.at, e.status) for e in r.escalations] == [(t(2026, 3, 3, 9, 10), "fired")]


class TestAsOfNow:
    def test_events_after_now_are_not_seen(self) -> None:
        """A restore due 12:00 (A, 2 h) but recorded at 13:00, judged at 11:00: still running."""
        p = sla.templates.load("severity-a-d")
        case = sla.Case("T", t(2026, 3, 2, 10), "A", achieved={"restore": t(2026, 3, 2, 13)})
        r = sla.evaluate(p, case, now=t(2026, 3, 2, 11))["restore"]
        assert (r.status, r.used, r.remaining) == ("running", dt.timedelta(hours=1), dt.timedelta(hours=1))


class TestSchedulesAndFiles:
    def test_interval_is_anchored_at_the_rule_start(self) -> None:
        """A quarterly report anchored at 2026-01-01 is due Jan/Apr/Jul/Oct whatever window is asked."""
        p = policy(schedules=[{"name": "q", "rule": "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=5",
                               "calendar": "business", "start": dt.date(2026, 1, 1)}])
        months = [d.nominal.month for d in p.dues(dt.date(2026, 2, 1), dt.date(2026, 12, 31))]
        assert months == [4, 7, 10]

    def test_several_times_a_day_are_refused(self) -> None:
        """FREQ=DAILY;BYHOUR=10,15 names two times a day: refused (the time of day is ``by``)."""
        with pytest.raises(sla.PolicyError, match="several times a day"):
            policy(schedules=[{"name": "d", "rule": "FREQ=DAILY;BYHOUR=10,15", "calendar": "business"}])

    def test_the_last_day_counts(self) -> None:
        """FREQ=DAILY over Mon-Tue: one due per day, Tuesday included."""
        p = policy(schedules=[{"name": "d", "rule": "FREQ=DAILY", "calendar": "business"}])
        days = [d.nominal for d in p.dues(dt.date(2026, 3, 2), dt.date(2026, 3, 3))]
        assert days == [dt.date(2026, 3, 2), dt.date(2026, 3, 3)]

    def test_sub_daily_rules_are_refused(self) -> None:
        """FREQ=SECONDLY is a problem, not 86,401 obligations."""
        with pytest.raises(sla.PolicyError, match="daily at most"):
            policy(schedules=[{"name": "s", "rule": "FREQ=SECONDLY", "calendar": "business"}])

    @pytest.mark.parametrize("text", ["59.123456s", "1h1.234567s", "0.000001s"])
    def test_sub_second_durations_round_trip(self, text: str) -> None:
        """Durations with microseconds survive to_dict/to_toml exactly."""
        p = policy(severities=[{"id": "A", "targets": [{"metric": "restore", "calendar": "always", "within": text}]}])
        assert sla.Policy.from_toml_text(p.to_toml()) == p

    def test_null_share_is_a_problem(self) -> None:
        """An escalation step with at = null (JSON) is one problem, not a KeyError."""
        with pytest.raises(sla.PolicyError, match=r"steps\[0\]"):
            policy(severities=RESTORE_4H,
                   escalations=[{"metric": "restore", "steps": [{"name": "x", "at": None}]}])

    def test_sets_of_dates_are_written_sorted(self) -> None:
        """extra_holidays given as a set: the policy is hashable and writes a sorted list."""
        p = policy(calendars={"b": {"coverage": "5x8", "country": "CN",
                                    "extra_holidays": {dt.date(2027, 1, 5), dt.date(2027, 1, 4)}}},
                   severities=[{"id": "A", "targets": [{"metric": "reply", "calendar": "b", "within": "4h"}]}])
        hash(p)
        assert p.to_dict()["calendars"]["b"]["extra_holidays"] == [dt.date(2027, 1, 4), dt.date(2027, 1, 5)]
        assert sla.Policy.from_toml_text(p.to_toml()) == p


def test_hours_mapping_order_does_not_matter() -> None:
    """Two policies whose per-weekday hours differ only in key order are equal."""
    def make(hours: dict[str, str]) -> sla.Policy:
        return sla.Policy.from_dict({
            "name": "x",
            "calendars": {"b": {"days": "business", "hours": hours, "country": "CN"}},
            "severities": [{"id": "A", "targets": [{"metric": "reply", "calendar": "b", "within": "4h"}]}],
        })

    a = make({"mon-fri": "09:00-18:00", "sat": "09:00-12:00"})
    b = make({"sat": "09:00-12:00", "mon-fri": "09:00-18:00"})
    assert a == b
    assert hash(a) == hash(b)


class TestRepeatedHour:
    """Instants of one DST zone inside the repeated hour of a fall-back night (review 3)."""

    BERLIN = ZoneInfo("Europe/Berlin")
    ALWAYS = sla.Policy.from_dict({
        "name": "berlin",
        "calendars": {"always": {"days": "all", "hours": "00:00-24:00", "tz": "Europe/Berlin"}},
        "severities": [{"id": "A", "targets": [
            {"metric": "restore", "calendar": "always", "within": "4h"}]}],
    })

    def test_segment_duration_is_real_time(self) -> None:
        """The fall-back day 2025-10-26 in Berlin lasts 25 hours; a segment over it says so."""
        cal = sla.Calendar(tz="Europe/Berlin", days="all", hours="00:00-24:00")
        (seg,) = cal.segments(dt.datetime(2025, 10, 26, tzinfo=self.BERLIN),
                              dt.datetime(2025, 10, 27, tzinfo=self.BERLIN))
        assert seg.duration == dt.timedelta(hours=25)
        assert "25h00m" in str(seg)

    @pytest.mark.parametrize("batch", [False, True])
    def test_explained_intervals_reach_now_in_the_fold(self, batch: bool) -> None:
        """Opened at 02:50 (summer time, 00:50 UTC), judged at 02:20 after the clocks went back
        (01:20 UTC): 30 minutes used, and the explanation lists that half hour, not nothing."""
        case = sla.Case("T", dt.datetime(2025, 10, 26, 2, 50, tzinfo=self.BERLIN), "A")
        now = dt.datetime(2025, 10, 26, 2, 20, fold=1, tzinfo=self.BERLIN)
        result = (sla.evaluate_many(self.ALWAYS, [case], now)[0] if batch
                  else sla.evaluate(self.ALWAYS, case, now))["restore"]
        assert result.used == dt.timedelta(minutes=30)
        (seg,) = result.segments()
        assert seg.counted and seg.duration == dt.timedelta(minutes=30)


class TestReview3:
    """Findings of the third review: aggregate measures and instants at the edges."""

    RETURNS = sla.Policy.from_dict({
        "name": "returns", "calendars": {"business": {"coverage": "5x8", "country": "CN"}},
        "severities": [{"id": "A", "targets": [
            {"metric": "part_return", "calendar": "business", "business_days": {"n": 1}}]}],
        "measures": [{"name": "returns", "kind": "on_time", "metric": "part_return",
                      "at_least": "95%", "period": "month"}]})

    @pytest.mark.parametrize("batch", [False, True])
    def test_end_of_day_promise_counts_in_its_own_month(self, batch: bool) -> None:
        """Opened Monday 2026-06-29, due by the end of the next business day (Tuesday 06-30):
        the deadline is the midnight starting 07-01, but the promise fell due in June."""
        tz = ZoneInfo("Asia/Shanghai")
        case = sla.Case("T", dt.datetime(2026, 6, 29, 10, tzinfo=tz), "A",
                        achieved={"part_return": dt.datetime(2026, 6, 30, 16, tzinfo=tz)})
        evaluation = (sla.evaluate_many(self.RETURNS, [case])[0] if batch
                      else sla.evaluate(self.RETURNS, case))
        result = evaluation["part_return"]
        assert result.deadline == dt.datetime(2026, 7, 1, tzinfo=tz)
        assert result.due == dt.datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=tz)
        (row,) = sla.report(self.RETURNS, [case], first=dt.date(2026, 6, 1), last=dt.date(2026, 6, 30))
        assert (row.period, row.verdict, row.counted) == ("2026-06", "met", 1)

    def test_closed_in_the_repeated_hour(self) -> None:
        """Opened 02:50 summer time, closed 02:10 after the clocks went back (20 minutes later):
        accepted; closed 02:40 summer time (10 minutes before opening): refused."""
        berlin = ZoneInfo("Europe/Berlin")
        opened = dt.datetime(2025, 10, 26, 2, 50, tzinfo=berlin)
        later = dt.datetime(2025, 10, 26, 2, 10, fold=1, tzinfo=berlin)
        assert sla.Case("T", opened, "A", closed=later).closed is later
        with pytest.raises(sla.SlaValueError, match="before"):
            sla.Case("T", opened, "A", closed=dt.datetime(2025, 10, 26, 2, 40, tzinfo=berlin))

    def test_numpy_float_ratings(self) -> None:
        """A numpy float rating averages like the same Python float."""
        np = pytest.importorskip("numpy")
        policy = sla.Policy.from_dict({
            "name": "sat", "calendars": {"b": {"coverage": "5x8", "country": "CN"}},
            "targets": [{"metric": "reply", "calendar": "b", "within": "4h"}],
            "measures": [{"name": "sat", "kind": "average_satisfaction", "at_least": 4}]})
        tz = ZoneInfo("Asia/Shanghai")
        opened = dt.datetime(2026, 7, 1, 10, tzinfo=tz)
        cases = [sla.Case(str(i), opened, "A", closed=opened + dt.timedelta(hours=1),
                          satisfaction=rating)
                 for i, rating in enumerate([np.float64(4.5), 3.5, np.float32(5.0)])]
        (row,) = sla.report(policy, cases)
        assert row.value == pytest.approx(13 / 3)

    def test_sub_second_utc_offsets(self) -> None:
        """An offset with microseconds (datetime.timezone allows it) is kept exactly by the
        batch paths, as by the scalar ones."""
        odd = dt.timezone(dt.timedelta(hours=3, microseconds=1))
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        starts = [dt.datetime(2025, 3, 19, 5, 0, 0, tzinfo=odd) + dt.timedelta(minutes=7 * i)
                  for i in range(300)]
        d = dt.timedelta(hours=4)
        assert cal.add_many(starts, d) == [cal.add(t, d) for t in starts]
        policy = self.RETURNS
        cases = [sla.Case(str(i), t, "A") for i, t in enumerate(starts)]
        many = sla.evaluate_many(policy, cases)
        assert [e["part_return"].deadline for e in many] == [
            sla.evaluate(policy, c)["part_return"].deadline for c in cases]
