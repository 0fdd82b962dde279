"""Aggregate measures: ``[[measures]]`` in policy files, ``sla.report`` and ``slacalc report``.

DESIGN, "The domain": "repairs within 60 working days with >= 95% on time" (Scheduled
obligations) and "Quality measures: per quarter, average satisfaction (1-5) over closed cases
must be >= 4; service credits when promises are missed, except for excluded causes."

Expected values never come from ``report`` itself: they are hand-counted tables, a brute-force
tally written here over cases whose deadlines are computed here (a 7x24 calendar, where a
``within`` deadline is the opening plus the duration; 60 working days from the independent
``chinesecalendar`` package), and period boundaries from pandas' ``period_range``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import math
import operator
import pickle
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slacalc as sla
from slacalc.cli import main
from slacalc.report import REPORT_COLUMNS

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
EXCLUDED = "force_majeure"


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0,
       tz: dt.tzinfo = SHANGHAI) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=tz)


def restore_policy(*measures: dict[str, Any], within: str = "4h") -> sla.Policy:
    """Severity A: restore within ``within`` of clock time (7x24 Asia/Shanghai, no holidays
    consulted), so a deadline is the opening plus the duration; force majeure excludes."""
    return sla.Policy.from_dict({
        "name": "restore",
        "calendars": {"always": {"coverage": "7x24", "tz": "Asia/Shanghai"},
                      "ny": {"coverage": "7x24", "tz": "America/New_York"}},
        "clock": {"pause_reasons": ["customer_info"], "exclude_reasons": [EXCLUDED]},
        "severities": [{"id": "A", "targets": [
            {"metric": "restore", "calendar": "always", "within": within}]}],
        "measures": list(measures),
    })


ON_TIME = {"name": "on_time", "kind": "on_time", "metric": "restore", "at_least": "95%"}
CREDITS = {"name": "credits", "kind": "credits", "metric": "restore", "per_breach": "2%",
           "cap": "10%"}
SATISFACTION = {"name": "satisfaction", "kind": "average_satisfaction", "at_least": 4}


def restored(n: int, opened: dt.datetime, after: dt.timedelta, **kw: Any) -> sla.Case:
    return sla.Case(f"T-{n}", opened, "A", achieved={"restore": opened + after}, **kw)


def rows(report: sla.Report) -> dict[tuple[str, str], sla.MeasureResult]:
    return {(r.measure, r.period): r for r in report}


# -- Case: closed and satisfaction ---------------------------------------------------------------
class TestCaseFields:
    def test_defaults_and_positional_compatibility(self) -> None:
        """The new fields default to None and come after ``excluded``, so the old positional
        order still builds the same case."""
        opened = at(2026, 7, 1, 9)
        case = sla.Case("T-1", opened, "A", "gold", "city", {}, (), (), "weather")
        assert (case.excluded, case.closed, case.satisfaction) == ("weather", None, None)

    def test_closed_and_rating(self) -> None:
        """A closed, rated case keeps both values, stays hashable, equal after pickling."""
        case = sla.Case("T-1", at(2026, 7, 1, 9), "A", closed=at(2026, 7, 1, 9), satisfaction=4.5)
        assert case.closed == at(2026, 7, 1, 9) and case.satisfaction == 4.5
        assert pickle.loads(pickle.dumps(case)) == case
        assert hash(case) == hash(pickle.loads(pickle.dumps(case)))

    def test_closed_before_opened(self) -> None:
        """closed before opened is refused, naming both instants."""
        with pytest.raises(sla.SlaValueError, match=r"Case.closed=2026-07-01T08:59:00\+08:00 is "
                           r"before Case.opened=2026-07-01T09:00:00\+08:00"):
            sla.Case("T-1", at(2026, 7, 1, 9), "A", closed=at(2026, 7, 1, 8, 59))

    def test_closed_naive(self) -> None:
        """A naive closing time is refused like any naive instant."""
        with pytest.raises(sla.NaiveDatetimeError, match=r"Case\.closed"):
            sla.Case("T-1", at(2026, 7, 1, 9), "A", closed=dt.datetime(2026, 7, 2))

    @pytest.mark.parametrize("bad", [True, False, 0, 0.99, 5.01, 6, -1, math.nan, math.inf,
                                     "4", [4]])
    def test_bad_ratings(self, bad: Any) -> None:
        """Ratings outside 1-5, NaN, bools and non-numbers are refused, naming the value."""
        with pytest.raises(sla.SlaValueError, match=r"Case.satisfaction="):
            sla.Case("T-1", at(2026, 7, 1, 9), "A", satisfaction=bad)

    @pytest.mark.parametrize("good", [1, 5, 1.0, 4.5, 3])
    def test_good_ratings(self, good: float) -> None:
        """The ends of the scale are included."""
        assert sla.Case("T-1", at(2026, 7, 1, 9), "A", satisfaction=good).satisfaction == good


# -- loading -------------------------------------------------------------------------------------
def problems(*measures: Any, **extra: Any) -> list[str]:
    data = restore_policy().to_dict()
    data["measures"] = list(measures)
    data.update(extra)
    with pytest.raises(sla.PolicyError) as info:
        sla.Policy.from_dict(data)
    return list(info.value.problems)


class TestLoading:
    def test_defaults(self) -> None:
        """period defaults to quarter, calendar to None (the policy's first calendar); shares
        written as text or numbers read the same."""
        policy = restore_policy(ON_TIME, {**ON_TIME, "name": "b", "at_least": 0.95})
        a, b = policy.measures
        assert (a.period, a.calendar, a.at_least, a.metric) == ("quarter", None, 0.95, "restore")
        assert b.at_least == a.at_least
        assert policy.measure("b") is b

    @pytest.mark.parametrize(("text", "value"), [("95%", 0.95), ("2.5%", 0.025),
                                                 ("100%", 1.0), (" 0.1 % ", 0.001), (1, 1.0)])
    def test_share_spellings(self, text: Any, value: float) -> None:
        """Percent text is read as the decimal it spells (0.1 % is 0.001 exactly)."""
        policy = restore_policy({**ON_TIME, "at_least": text})
        assert policy.measures[0].at_least == value

    @pytest.mark.parametrize(("measure", "path", "says"), [
        ({**ON_TIME, "kind": "quota"}, "measures[0].kind", "'quota' is not a kind of measure"),
        ({**ON_TIME, "metric": "restored"}, "measures[0].metric", "'restored' is not a metric"),
        ({**ON_TIME, "metric": "repair"}, "measures[0].metric",
         "'repair' has no target in this policy"),
        ({**ON_TIME, "at_least": 1.5}, "measures[0].at_least", "1.5 is not a share in (0, 1]"),
        ({**ON_TIME, "at_least": "0%"}, "measures[0].at_least", "'0%' is not a share"),
        ({**ON_TIME, "at_least": "95"}, "measures[0].at_least", "'95' is not a share"),
        ({**ON_TIME, "at_least": True}, "measures[0].at_least", "True is not a share"),
        ({**SATISFACTION, "at_least": 6}, "measures[0].at_least", "6 is not a rating from 1 to 5"),
        ({**SATISFACTION, "at_least": 0.5}, "measures[0].at_least", "0.5 is not a rating"),
        ({**CREDITS, "per_breach": "-2%"}, "measures[0].per_breach", "'-2%' is not a share"),
        ({**CREDITS, "cap": 2}, "measures[0].cap", "2 is not a share"),
        ({**ON_TIME, "period": "week"}, "measures[0].period", "'week' is not one of month"),
        ({**ON_TIME, "calendar": "office"}, "measures[0].calendar",
         "'office' is not one of the policy's calendars"),
        ({**ON_TIME, "cap": "10%"}, "measures[0].cap", "unknown key 'cap'"),
        ({**SATISFACTION, "metric": "restore"}, "measures[0].metric", "unknown key 'metric'"),
        ({"name": "x", "kind": "on_time", "at_least": "95%"}, "measures[0].metric", "is required"),
        ({"name": "x", "kind": "on_time", "metric": "restore"}, "measures[0].at_least",
         "is required"),
        ({"name": "x", "kind": "credits", "metric": "restore"}, "measures[0].per_breach",
         "is required"),
        ({"kind": "on_time", "metric": "restore", "at_least": "95%"}, "measures[0].name",
         "is required"),
        ({"name": "x", "metric": "restore"}, "measures[0].kind", "is required"),
        ("on_time", "measures[0]", "'on_time' is not a table"),
    ])
    def test_one_problem_per_mistake(self, measure: Any, path: str, says: str) -> None:
        """Each mistake is one problem naming its key path and the bad value."""
        found = problems(measure)
        assert len(found) == 1 or path == "measures[0]", found
        assert any(p.startswith(f"{path}: ") and says in p for p in found), found

    def test_duplicate_names(self) -> None:
        """Two measures with one name are reported once, with the name."""
        assert problems(ON_TIME, {**SATISFACTION, "name": "on_time"}) == [
            "measures: measure name 'on_time' appears twice"]

    def test_every_problem_at_once(self) -> None:
        """Mistakes in several measures are all reported together."""
        found = problems({**ON_TIME, "at_least": 2}, {**CREDITS, "metric": "x"},
                         {**SATISFACTION, "period": "day"})
        assert [p.split(":")[0] for p in found] == [
            "measures[0].at_least", "measures[1].metric", "measures[2].period"]

    def test_not_an_array(self) -> None:
        """measures must be an array of tables."""
        data = restore_policy().to_dict()
        data["measures"] = {"name": "x"}
        with pytest.raises(sla.PolicyError, match=r"measures: .* is not an array"):
            sla.Policy.from_dict(data)


class TestRoundTrip:
    def test_dict_and_toml(self) -> None:
        """Measures survive to_dict / to_toml and read back equal; shares are written as
        percentages."""
        policy = restore_policy(ON_TIME, {**CREDITS, "period": "month", "calendar": "ny"},
                                {**SATISFACTION, "at_least": 3.5, "period": "year"},
                                {**ON_TIME, "name": "third", "at_least": "0.1%"})
        assert sla.Policy.from_dict(policy.to_dict()) == policy
        assert sla.Policy.from_toml_text(policy.to_toml()) == policy
        written = policy.to_dict()["measures"]
        assert written[0] == {"name": "on_time", "kind": "on_time", "period": "quarter",
                              "metric": "restore", "at_least": "95%"}
        assert written[1]["per_breach"] == "2%" and written[1]["cap"] == "10%"
        assert written[2]["at_least"] == 3.5
        assert written[3]["at_least"] == "0.1%"

    def test_positional_policy_construction(self) -> None:
        """Policy's existing positional fields are unchanged: measures is the last one."""
        p = restore_policy(ON_TIME)
        again = sla.Policy(p.name, p.description, p.calendars, p.severities, p.tiers, p.targets,
                           p.escalations, p.clock, p.schedules)
        assert again.measures == ()
        assert again != p
        assert sla.Policy(p.name, p.description, p.calendars, p.severities, p.tiers, p.targets,
                          p.escalations, p.clock, p.schedules, p.measures) == p


# -- scenarios ---------------------------------------------------------------------------------
def nth_workday_after(day: dt.date, n: int) -> dt.date:
    """The n-th Chinese working day after ``day``, from the chinesecalendar package."""
    chinese_calendar = pytest.importorskip("chinese_calendar")
    while n:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


class TestScenarios:
    def test_repairs_95_percent_on_time(self) -> None:
        """DESIGN, Scheduled obligations: "repairs within 60 working days with >= 95% on time".
        20 repairs due in 2026-Q2: 19 met is exactly 95 % (met); 18 met is 90 % (missed).
        Deadlines: the end of the 60th working day after the return (chinesecalendar)."""
        policy = sla.templates.load("repairs")

        def repair(n: int, returned: dt.datetime, late: bool) -> sla.Case:
            due_day = nth_workday_after(returned.date(), 60)
            deadline = dt.datetime.combine(due_day + dt.timedelta(days=1), dt.time(),
                                           tzinfo=SHANGHAI)
            done = deadline if late else deadline - dt.timedelta(hours=3)
            return sla.Case(f"R-{n}", returned - dt.timedelta(days=2), "any",
                            achieved={"part_return": returned, "repair": done})

        # returned in January-February 2026 (Spring Festival inside): due in Q2
        returns = [at(2026, 1, 20 + i % 10, 10) for i in range(20)]
        for day in {r.date() for r in returns}:
            assert dt.date(2026, 4, 1) <= nth_workday_after(day, 60) <= dt.date(2026, 6, 30)
        one_late = [repair(i, r, late=(i == 0)) for i, r in enumerate(returns)]
        two_late = [repair(i, r, late=(i < 2)) for i, r in enumerate(returns)]
        good = sla.report(policy, one_late)
        assert [(r.period, r.verdict, r.met, r.breached, r.value) for r in good] == [
            ("2026-Q2", "met", 19, 1, 0.95)]
        bad = sla.report(policy, two_late)
        assert [(r.period, r.verdict, r.met, r.breached) for r in bad] == [
            ("2026-Q2", "missed", 18, 2)]
        assert bad.failed() == bad.rows and not bad.ok and good.ok

    def test_average_satisfaction_per_quarter(self) -> None:
        """DESIGN, Quality measures: "per quarter, average satisfaction (1-5) over closed cases
        must be >= 4". Q3: 5, 4, 3, 4 (average 4: met), including a case closed at 00:30 on
        July 1 in Shanghai (June 30 in UTC); Q4: 3, 4.5 (3.75: missed). Not counted: an
        excluded case rated 1, a case closed without a rating, a rated case not closed."""
        policy = restore_policy(SATISFACTION)
        opened = at(2026, 6, 20, 9)

        def closed(n: int, when: dt.datetime, rating: float | None, **kw: Any) -> sla.Case:
            return sla.Case(f"S-{n}", opened, "A", closed=when, satisfaction=rating, **kw)

        cases = [
            closed(1, at(2026, 7, 1, 0, 30), 5), closed(2, at(2026, 8, 1, 12), 4),
            closed(3, at(2026, 9, 30, 23, 59), 3), closed(4, at(2026, 7, 2), 4),
            closed(5, at(2026, 10, 9), 3), closed(6, at(2026, 12, 31, 23), 4.5),
            closed(7, at(2026, 8, 2), 1, excluded=EXCLUDED),
            closed(8, at(2026, 8, 3), None),
            sla.Case("S-9", opened, "A", satisfaction=1),
            closed(10, at(2026, 6, 30, 23, 59), 2),  # Q2
        ]
        got = rows(sla.report(policy, cases))
        assert sorted(got) == [("satisfaction", "2026-Q2"), ("satisfaction", "2026-Q3"),
                               ("satisfaction", "2026-Q4")]
        q3, q4 = got["satisfaction", "2026-Q3"], got["satisfaction", "2026-Q4"]
        assert (q3.value, q3.verdict, q3.counted, q3.threshold) == (4.0, "met", 4, 4.0)
        assert (q4.value, q4.verdict, q4.counted) == (3.75, "missed", 2)
        assert (q3.start, q3.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
        assert q3.met is None and q3.breached is None

    def test_decimal_ratings_average_exactly(self) -> None:
        """4.1 and 3.9 average exactly 4 (met), although their binary floats sum below 8."""
        policy = restore_policy(SATISFACTION)
        cases = [sla.Case(f"S-{i}", at(2026, 7, 1, 9), "A", closed=at(2026, 7, 2), satisfaction=r)
                 for i, r in enumerate((4.1, 3.9, 4.1, 3.9, 4.1, 3.9))]
        (row,) = sla.report(policy, cases)
        assert row.verdict == "met"

    def test_credits_except_excluded_causes(self) -> None:
        """DESIGN, Quality measures: "service credits when promises are missed, except for
        excluded causes". Q3: 3 breaches x 2 % = 6 %; Q4: 7 breaches, capped at 10 %; a
        breached case excluded for force majeure earns nothing."""
        policy = restore_policy(CREDITS)
        late, fast = dt.timedelta(hours=5), dt.timedelta(hours=1)
        cases = [restored(i, at(2026, 8, 1 + i, 9), late) for i in range(3)]
        cases += [restored(10, at(2026, 8, 20, 9), fast)]
        cases += [restored(20 + i, at(2026, 11, 1 + i, 9), late) for i in range(7)]
        cases += [restored(30, at(2026, 8, 25, 9), late, excluded=EXCLUDED)]
        got = rows(sla.report(policy, cases))
        q3, q4 = got["credits", "2026-Q3"], got["credits", "2026-Q4"]
        assert (q3.value, q3.verdict, q3.met, q3.breached, q3.threshold) == (
            0.06, "credit", 1, 3, None)
        assert (q4.value, q4.breached) == (0.1, 7)
        assert "capped from 14%" in q4.explain()

    def test_uncapped_credits_stop_at_the_whole_fee(self) -> None:
        """Without a cap, credits never exceed the period's whole fee (1.0)."""
        policy = restore_policy({k: v for k, v in CREDITS.items() if k != "cap"}
                                | {"per_breach": "30%"})
        late = dt.timedelta(hours=5)
        cases = [restored(i, at(2026, 8, 1 + i, 9), late) for i in range(4)]
        (row,) = sla.report(policy, cases)
        assert (row.value, row.breached) == (1.0, 4)

    def test_deadline_on_the_first_instant_of_a_quarter(self) -> None:
        """A promise belongs to the period it fell due in, by local date in the measure's zone:
        due at 2026-07-01 00:00 +08:00 (still June 30 in UTC and New York) is Q3 in Shanghai,
        June in New York."""
        policy = restore_policy(ON_TIME, {**ON_TIME, "name": "ny", "calendar": "ny",
                                          "period": "month"})
        case = restored(1, at(2026, 6, 30, 20), dt.timedelta(hours=4))  # met exactly at deadline
        got = rows(sla.report(policy, [case]))
        assert sorted(got) == [("ny", "2026-06"), ("on_time", "2026-Q3")]
        assert got["on_time", "2026-Q3"].verdict == "met"
        assert got["ny", "2026-06"].zone == "America/New_York"

    def test_now_judges_open_promises(self) -> None:
        """With ``now``, an open promise past its deadline is breached and counts; one still
        running does not; an achievement after ``now`` has not happened yet. Without ``now``
        open promises are running: no data."""
        policy = restore_policy(ON_TIME)
        open_late = sla.Case("O-1", at(2026, 8, 1, 9), "A")
        open_young = sla.Case("O-2", at(2026, 8, 10, 9), "A")
        later = restored(3, at(2026, 8, 1, 9), dt.timedelta(hours=1))
        now = at(2026, 8, 10, 10)
        (row,) = sla.report(policy, [open_late, open_young, later], now)
        assert (row.met, row.breached, row.verdict) == (1, 1, "missed")
        early = sla.report(policy, [open_late, later], at(2026, 8, 1, 9, 30))
        assert early.rows == ()
        (none,) = sla.report(policy, [open_late, later])
        assert (none.met, none.breached) == (1, 0)

    def test_satisfaction_closed_after_now(self) -> None:
        """With ``now``, a case closed after it is not closed yet."""
        policy = restore_policy(SATISFACTION)
        case = sla.Case("S-1", at(2026, 7, 1, 9), "A", closed=at(2026, 7, 3), satisfaction=2)
        assert sla.report(policy, [case], at(2026, 7, 2)).rows == ()
        assert len(sla.report(policy, [case], at(2026, 7, 3))) == 1

    def test_gaps_are_no_data_and_first_last(self) -> None:
        """Periods between two with data are listed as no data (neither met nor missed);
        first/last list every period overlapping them and ignore cases outside."""
        policy = restore_policy(ON_TIME, SATISFACTION)
        fast = dt.timedelta(hours=1)
        cases = [restored(1, at(2026, 2, 1, 9), fast), restored(2, at(2026, 11, 1, 9), fast)]
        report = sla.report(policy, cases)
        assert [(r.period, r.measure, r.verdict) for r in report] == [
            ("2026-Q1", "on_time", "met"), ("2026-Q2", "on_time", "no data"),
            ("2026-Q3", "on_time", "no data"), ("2026-Q4", "on_time", "met")]
        assert report.ok and report.failed() == ()
        window = sla.report(policy, cases, first=dt.date(2026, 5, 15), last=dt.date(2026, 11, 2))
        assert [(r.period, r.measure, r.verdict, r.value) for r in window] == [
            ("2026-Q2", "on_time", "no data", None), ("2026-Q2", "satisfaction", "no data", None),
            ("2026-Q3", "on_time", "no data", None), ("2026-Q3", "satisfaction", "no data", None),
            ("2026-Q4", "on_time", "met", 1.0), ("2026-Q4", "satisfaction", "no data", None)]

    def test_periods_month_and_year(self) -> None:
        """Month and year periods have their own labels and bounds."""
        policy = restore_policy({**ON_TIME, "period": "month"},
                                {**ON_TIME, "name": "yearly", "period": "year"})
        report = sla.report(policy, [restored(1, at(2024, 2, 28, 22), dt.timedelta(hours=4))])
        assert [(r.period, r.start, r.end) for r in report] == [
            ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
            ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29))]

    def test_text_and_explain(self) -> None:
        """The table rounds on-time shares down (18 of 19 is 94.7 %, never shown as 95 %)."""
        policy = restore_policy(ON_TIME)
        cases = [restored(i, at(2026, 8, 1, 9), dt.timedelta(hours=5 if i == 0 else 1))
                 for i in range(19)]
        report = sla.report(policy, cases)
        assert report.to_text().splitlines() == [
            "period   measure  value  target  verdict  counted",
            "2026-Q3  on_time  94.7%  >= 95%  missed   19 (18 met, 1 breached)"]
        assert report.explain().splitlines()[1:] == [
            "on_time 2026-Q3 (2026-07-01 to 2026-09-30, Asia/Shanghai): missed",
            "  19 restore promises due in the period: 18 met, 1 breached; 94.7% on time, "
            "at least 95% required"]

    def test_empty_policy_and_no_cases(self) -> None:
        """No measures or no cases: an empty report, which is ok."""
        assert sla.report(restore_policy(), [restored(1, at(2026, 8, 1), dt.timedelta(1))]).ok
        empty = sla.report(restore_policy(ON_TIME), iter(()))
        assert (empty.rows, empty.cases, empty.ok) == ((), 0, True)

    @pytest.mark.parametrize(("kwargs", "says"), [
        ({"first": dt.datetime(2026, 1, 1, tzinfo=UTC)}, "first must be a datetime.date"),
        ({"last": "2026-01-01"}, "last must be a datetime.date"),
        ({"first": dt.date(2026, 2, 1), "last": dt.date(2026, 1, 1)}, "is before first"),
        ({"now": dt.datetime(2026, 1, 1)}, "now must be an aware datetime"),
    ])
    def test_bad_arguments(self, kwargs: dict[str, Any], says: str) -> None:
        """Bad first/last/now are refused with the value named."""
        with pytest.raises(sla.SlaValueError, match=says):
            sla.report(restore_policy(ON_TIME), [], **kwargs)

    def test_bad_cases(self) -> None:
        """cases must be Case values (a lone Case is not an iterable of cases)."""
        case = restored(1, at(2026, 8, 1), dt.timedelta(1))
        with pytest.raises(sla.SlaValueError, match="iterable"):
            sla.report(restore_policy(ON_TIME), case)  # type: ignore[arg-type]
        with pytest.raises(sla.SlaValueError, match="Case values"):
            sla.report(restore_policy(ON_TIME), [case, "T-2"])  # type: ignore[list-item]

    def test_streams_in_chunks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A generator is read in chunks (here set to 1,000 cases) handed to evaluate_many;
        the cases are never all held at once."""
        policy = restore_policy(ON_TIME)
        report_module = sys.modules["slacalc.report"]
        original = report_module.evaluate_many
        sizes: list[int] = []
        pulled = [0]

        def spy(policy: sla.Policy, cases: Any, now: Any = None) -> Any:
            sizes.append(len(cases))
            assert pulled[0] - sum(sizes) <= 1000  # no more read ahead than one chunk
            return original(policy, cases, now)

        monkeypatch.setattr(report_module, "evaluate_many", spy)
        monkeypatch.setattr(sys.modules["slacalc.report"], "_CHUNK", 1000)

        def generate() -> Iterator[sla.Case]:
            for i in range(2_500):
                pulled[0] += 1
                yield restored(i, at(2026, 8, 1, 9), dt.timedelta(hours=5 if i % 10 == 0 else 1))

        (row,) = sla.report(policy, generate())
        assert sizes == [1000, 1000, 500]
        assert (row.met, row.breached) == (2250, 250)

    def test_tally_by_hand(self) -> None:
        """A Tally fed case by case equals report(); satisfaction alone needs no evaluation."""
        policy = restore_policy(ON_TIME)
        cases = [restored(i, at(2026, 8, 1, 9), dt.timedelta(hours=i)) for i in range(1, 7)]
        tally = sla.Tally(policy)
        for case in cases:
            tally.add(case, sla.evaluate(policy, case))
        assert tally.report() == sla.report(policy, cases)
        with pytest.raises(sla.SlaValueError, match="need its evaluation"):
            tally.add(cases[0])
        with pytest.raises(sla.SlaValueError, match="evaluation is of case 'T-2'"):
            tally.add(cases[0], sla.evaluate(policy, cases[1]))
        ratings = sla.Tally(restore_policy(SATISFACTION))
        assert not ratings.needs_evaluation
        ratings.add(sla.Case("S", at(2026, 8, 1), "A", closed=at(2026, 8, 2), satisfaction=5))
        assert [r.value for r in ratings.report()] == [5.0]


# -- differential: a brute-force tally ----------------------------------------------------------
BOUNDARIES = [at(2025, 10, 1), at(2026, 1, 1), at(2026, 4, 1), at(2026, 7, 1)]
DURATIONS = {"1h": dt.timedelta(hours=1), "4h": dt.timedelta(hours=4),
             "30h": dt.timedelta(hours=30)}
NUDGES = st.one_of(st.sampled_from([0, 0, 0, -1, 1, -60, 60, -86_400]),
                   st.integers(-40 * 86_400, 40 * 86_400))
WRITTEN_IN = st.sampled_from([SHANGHAI, UTC, NEW_YORK, dt.timezone(dt.timedelta(hours=-11))])


@st.composite
def gen_case(draw: st.DrawFn, n: int, duration: dt.timedelta) -> sla.Case:
    """A case opened so its deadline lands on, just before or after, or well away from a quarter
    boundary in Shanghai; restored before, at or after the deadline (or not yet)."""
    deadline = draw(st.sampled_from(BOUNDARIES)) + dt.timedelta(seconds=draw(NUDGES))
    opened = deadline - duration
    achieved = {}
    if draw(st.integers(0, 3)):
        achieved["restore"] = (deadline + dt.timedelta(seconds=draw(st.sampled_from(
            [0, -1, 1, -3600, 3600, 2 * 86_400])))).astimezone(draw(WRITTEN_IN))
    closed = None
    if draw(st.booleans()):
        closed = (deadline + dt.timedelta(seconds=draw(NUDGES))).astimezone(draw(WRITTEN_IN))
        closed = max(closed, opened)
    rating = draw(st.one_of(st.none(), st.integers(1, 5),
                            st.sampled_from([1.5, 3.7, 4.1, 3.9, 4.25])))
    return sla.Case(f"C-{n}", opened.astimezone(draw(WRITTEN_IN)), "A", achieved=achieved,
                    excluded=draw(st.sampled_from([None, None, None, EXCLUDED, "weather"])),
                    closed=closed, satisfaction=rating)


def pandas_periods(first: dt.date, last: dt.date, period: str) -> list[tuple[str, dt.date,
                                                                              dt.date]]:
    """(label, start, end) of the periods overlapping [first, last], from pandas."""
    pd = pytest.importorskip("pandas")
    freq = {"month": "M", "quarter": "Q", "year": "Y"}[period]
    out = []
    for p in pd.period_range(pd.Period(first, freq), pd.Period(last, freq), freq=freq):
        label = {"month": f"{p.year:04d}-{p.month:02d}", "quarter": f"{p.year:04d}-Q{p.quarter}",
                 "year": f"{p.year:04d}"}[period]
        out.append((label, p.start_time.date(), p.end_time.date()))
    return out


MEASURES = [
    ({**ON_TIME, "at_least": "75%"}, SHANGHAI),
    ({**ON_TIME, "name": "ny_month", "calendar": "ny", "period": "month"}, NEW_YORK),
    ({**CREDITS, "per_breach": "3%"}, SHANGHAI),
    ({**SATISFACTION, "name": "sat_year", "period": "year", "at_least": 3.5}, SHANGHAI),
    (SATISFACTION, SHANGHAI),
]


def brute_force(cases: list[sla.Case], duration: dt.timedelta, now: dt.datetime | None,
                first: dt.date | None, last: dt.date | None) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(measure, period) -> (value, verdict, counted, met, breached, start, end), tallied from the
    cases' own datetimes: deadline = opened + duration (7x24 clock time)."""
    out: dict[tuple[str, str], tuple[Any, ...]] = {}
    for measure, zone in MEASURES:
        period = measure.get("period", "quarter")
        judged: dict[dt.date, list[bool]] = {}  # local day -> [met?...]
        rated: dict[dt.date, list[Fraction]] = {}
        for c in cases:
            if c.excluded == EXCLUDED:
                continue
            if measure["kind"] == "average_satisfaction":
                if c.closed is None or c.satisfaction is None or (now and c.closed > now):
                    continue
                rated.setdefault(c.closed.astimezone(zone).date(), []).append(
                    Fraction(str(c.satisfaction)))
                continue
            deadline = c.opened + duration
            done = c.achieved_at("restore")
            if done is not None and now is not None and done > now:
                done = None
            if done is not None:
                ok = done <= deadline
            elif now is not None and now > deadline:
                ok = False
            else:
                continue
            judged.setdefault(deadline.astimezone(zone).date(), []).append(ok)
        days = sorted(judged or rated)
        lo = first or (days[0] if days else None)
        hi = last or (days[-1] if days else None)
        if lo is None or hi is None:
            continue
        for label, start, end in pandas_periods(lo, hi, period):
            name = measure["name"]
            if measure["kind"] == "average_satisfaction":
                got = [r for d, rs in rated.items() if start <= d <= end for r in rs]
                if not got:
                    out[name, label] = (None, "no data", 0, None, None, start, end)
                    continue
                mean = sum(got, Fraction(0)) / len(got)
                verdict = "met" if mean >= Fraction(str(measure["at_least"])) else "missed"
                out[name, label] = (float(mean), verdict, len(got), None, None, start, end)
                continue
            flags = [f for d, fs in judged.items() if start <= d <= end for f in fs]
            met, breached = flags.count(True), flags.count(False)
            if not flags:
                out[name, label] = (None, "no data", 0, 0, 0, start, end)
            elif measure["kind"] == "on_time":
                share = Fraction(met, met + breached)
                need = Fraction(measure["at_least"].rstrip("%")) / 100
                out[name, label] = (float(share), "met" if share >= need else "missed",
                                    len(flags), met, breached, start, end)
            else:
                credit = min(Fraction(3, 100) * breached, Fraction(1, 10))
                out[name, label] = (float(credit), "credit", len(flags), met, breached, start,
                                    end)
    return out


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_against_brute_force(data: st.DataObject) -> None:
    """report() agrees with a tally written here, row for row: values, verdicts, counts, period
    labels and bounds, for on-time, credit and satisfaction measures in two zones."""
    label = data.draw(st.sampled_from(sorted(DURATIONS)))
    duration = DURATIONS[label]
    policy = restore_policy(*(m for m, _ in MEASURES), within=label)
    cases = data.draw(st.lists(st.integers(0, 10**6), min_size=0, max_size=25).flatmap(
        lambda ids: st.tuples(*(gen_case(i, duration) for i in range(len(ids))))))
    cases = list(cases)
    now = data.draw(st.one_of(st.none(), st.sampled_from(BOUNDARIES).map(
        lambda b: b + dt.timedelta(days=3))))
    first = last = None
    if data.draw(st.booleans()):
        first = data.draw(st.dates(dt.date(2025, 8, 1), dt.date(2026, 8, 1)))
        last = first + dt.timedelta(days=data.draw(st.integers(0, 200)))
    got = sla.report(policy, cases, now, first=first, last=last)
    expected = brute_force(cases, duration, now, first, last)
    assert {(r.measure, r.period): (r.value, r.verdict, r.counted, r.met, r.breached, r.start,
                                    r.end) for r in got} == expected
    assert [(r.start, r.measure) for r in got] == sorted((r.start, r.measure) for r in got)
    assert got.cases == len(cases)


# -- merging tallies ----------------------------------------------------------------------------
MERGE_POLICY = restore_policy(*(m for m, _ in MEASURES), within="4h")


def tally_of(cases: list[sla.Case], now: dt.datetime | None = None,
             first: dt.date | None = None, last: dt.date | None = None) -> sla.Tally:
    tally = sla.Tally(MERGE_POLICY, now, first=first, last=last)
    tally.extend(cases)
    return tally


def snapshot(tally: sla.Tally) -> tuple[sla.Report, int]:
    return tally.report(), tally.cases


@st.composite
def case_lists(draw: st.DrawFn) -> list[sla.Case]:
    size = draw(st.integers(0, 18))
    return [draw(gen_case(i, DURATIONS["4h"])) for i in range(size)]


NOWS = st.one_of(st.none(), st.sampled_from(BOUNDARIES).map(lambda b: b + dt.timedelta(days=3)))


class TestMerge:
    @settings(max_examples=40, deadline=None)
    @given(cases=case_lists(), cuts=st.lists(st.integers(0, 18), max_size=4), now=NOWS,
           bounded=st.booleans())
    def test_any_split_merges_into_the_whole(self, cases: list[sla.Case], cuts: list[int],
                                              now: dt.datetime | None, bounded: bool) -> None:
        """The tallies of the parts of a case list, however it is cut, merge into the report
        over the whole list (and into what report() gives), also with now and first/last."""
        first, last = (dt.date(2025, 11, 1), dt.date(2026, 5, 31)) if bounded else (None, None)
        edges = [0, *sorted(min(c, len(cases)) for c in cuts), len(cases)]
        parts = [tally_of(cases[a:b], now, first, last) for a, b in itertools.pairwise(edges)]
        merged = functools.reduce(operator.add, parts)
        whole = sla.report(MERGE_POLICY, cases, now, first=first, last=last)
        assert merged.report() == whole
        assert merged.cases == len(cases)
        # the brute-force tally agrees too, so the merge is right and not merely consistent
        expected = brute_force(cases, DURATIONS["4h"], now, first, last)
        assert {(r.measure, r.period): (r.value, r.verdict, r.counted, r.met, r.breached,
                                        r.start, r.end) for r in merged.report()} == expected

    @settings(max_examples=40, deadline=None)
    @given(a=case_lists(), b=case_lists(), c=case_lists(), now=NOWS)
    def test_associative_and_commutative(self, a: list[sla.Case], b: list[sla.Case],
                                         c: list[sla.Case], now: dt.datetime | None) -> None:
        """(a + b) + c == a + (b + c), and a + b == b + a."""
        ta, tb, tc = tally_of(a, now), tally_of(b, now), tally_of(c, now)
        assert snapshot((ta + tb) + tc) == snapshot(ta + (tb + tc))
        assert snapshot(ta + tb) == snapshot(tb + ta)

    @settings(max_examples=30, deadline=None)
    @given(cases=case_lists(), now=NOWS)
    def test_identity_and_operands_unchanged(self, cases: list[sla.Case],
                                             now: dt.datetime | None) -> None:
        """A fresh tally is the identity on both sides; merging changes neither operand, and
        later additions to the merged tally do not leak into them."""
        tally = tally_of(cases, now)
        before = snapshot(tally)
        empty = sla.Tally(MERGE_POLICY, now)
        assert snapshot(tally + empty) == before
        assert snapshot(empty.merge(tally)) == before
        merged = tally.merge(tally)
        merged.extend(cases)
        assert snapshot(tally) == before
        assert snapshot(empty) == (sla.Tally(MERGE_POLICY, now).report(), 0)
        assert merged.cases == 3 * len(cases)

    def test_pickled_parts_merge(self) -> None:
        """A tally shipped to another process (pickled) merges like the original: 2 met of 3."""
        opened = at(2026, 7, 1, 9)
        cases = [restored(n, opened, dt.timedelta(hours=h)) for n, h in enumerate((1, 3, 5))]
        left = pickle.loads(pickle.dumps(tally_of(cases[:1])))
        right = pickle.loads(pickle.dumps(tally_of(cases[1:])))
        got = rows((left + right).report())["on_time", "2026-Q3"]
        assert (got.met, got.breached, got.counted) == (2, 1, 3)

    @pytest.mark.parametrize(("other", "says"), [
        (lambda: sla.Tally(restore_policy(ON_TIME)), "different policies"),
        (lambda: sla.Tally(MERGE_POLICY, at(2026, 1, 1)), "different now: None and"),
        (lambda: sla.Tally(MERGE_POLICY, first=dt.date(2026, 1, 1)), "different first"),
        (lambda: sla.Tally(MERGE_POLICY, last=dt.date(2026, 1, 1)), "different last"),
        (lambda: sla.report(MERGE_POLICY, []), "merges only with another Tally, not Report"),
    ])
    def test_incompatible(self, other: Any, says: str) -> None:
        """Tallies counted under different terms do not merge; the message says which."""
        with pytest.raises(sla.SlaValueError, match=says):
            sla.Tally(MERGE_POLICY).merge(other())

    def test_same_instant_other_zone(self) -> None:
        """``now`` at the same instant written in another zone is the same ``now``."""
        now = at(2026, 1, 1)
        merged = sla.Tally(MERGE_POLICY, now).merge(sla.Tally(MERGE_POLICY, now.astimezone(UTC)))
        assert merged.now == now

    def test_plus_with_other_types(self) -> None:
        """``tally + 1`` is a TypeError, as for any value that does not add."""
        with pytest.raises(TypeError):
            sla.Tally(MERGE_POLICY) + 1  # type: ignore[operator]


# -- breakdowns ---------------------------------------------------------------------------------
TIERS = st.sampled_from([None, "gold", "silver"])


def with_tier(case: sla.Case, tier: str | None) -> sla.Case:
    return attrs.evolve(case, tier=tier)


class TestBreakdown:
    @settings(max_examples=40, deadline=None)
    @given(data=st.data())
    def test_groups_against_brute_force(self, data: st.DataObject) -> None:
        """report(by=...) gives, for each tier and exclusion reason, exactly the rows the brute-
        force tally gives over that group's cases alone, with the group in the row."""
        duration = DURATIONS["4h"]
        cases = [with_tier(c, data.draw(TIERS)) for c in data.draw(case_lists())]
        now = data.draw(NOWS)
        got = sla.report(MERGE_POLICY, cases, now, by=["tier", "excluded"])
        expected: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        for group in {(c.tier, c.excluded) for c in cases}:
            part = [c for c in cases if (c.tier, c.excluded) == group]
            for (measure, period), row in brute_force(part, duration, now, None, None).items():
                expected[(measure, period, *group)] = row
        assert {(r.measure, r.period, *(v for _, v in r.group)):
                (r.value, r.verdict, r.counted, r.met, r.breached, r.start, r.end)
                for r in got} == expected
        assert got.by == ("tier", "excluded")
        assert all([k for k, _ in r.group] == ["tier", "excluded"] for r in got)

    @settings(max_examples=40, deadline=None)
    @given(data=st.data())
    def test_attribute_groups_against_brute_force(self, data: st.DataObject) -> None:
        """report(by=["customer", "vip"]) groups by the cases' attributes: for each pair of
        values (text as it is, numbers and booleans as text, a missing attribute as None), the
        rows are exactly the brute-force tally over those cases alone. When no case has an
        attribute, the report refuses the breakdown by that name."""
        duration = DURATIONS["4h"]
        cases = [attrs.evolve(c, attributes=data.draw(st.fixed_dictionaries({}, optional={
            "customer": st.sampled_from(["ACME", "Initech", 7]), "vip": st.booleans()})))
            for c in data.draw(case_lists())]
        now = data.draw(NOWS)

        def label(value: Any) -> str | None:
            if isinstance(value, bool):
                return "true" if value else "false"
            return None if value is None else str(value)

        names = ["customer", "vip"]
        missing = [n for n in names if all(c.attribute(n) is None for c in cases)]
        if cases and missing:
            who = ("the case does not have" if len(cases) == 1
                   else f"none of the {len(cases)} cases has")
            with pytest.raises(sla.SlaValueError, match=f"cannot break down by "
                               f"{', '.join(map(repr, missing))}: {who} such "
                               f"{'an attribute' if len(missing) == 1 else 'attributes'}"):
                sla.report(MERGE_POLICY, cases, now, by=names)
            return
        got = sla.report(MERGE_POLICY, cases, now, by=names)
        expected: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        groups = {tuple(label(c.attribute(n)) for n in names) for c in cases}
        for group in groups:
            part = [c for c in cases if tuple(label(c.attribute(n)) for n in names) == group]
            for (measure, period), row in brute_force(part, duration, now, None, None).items():
                expected[(measure, period, *group)] = row
        assert {(r.measure, r.period, *(v for _, v in r.group)):
                (r.value, r.verdict, r.counted, r.met, r.breached, r.start, r.end)
                for r in got} == expected

    def test_whole_floats_group_with_whole_numbers(self) -> None:
        """An attribute 12.0 (as a pandas column of whole numbers with gaps holds it) falls in
        the group of 12, as the cases are equal; 12.5 and True have groups of their own."""
        opened = at(2026, 7, 1, 9)
        cases = [attrs.evolve(restored(n, opened, dt.timedelta(hours=1)),
                              attributes={"site": site})
                 for n, site in enumerate([12, 12.0, 12.5, True], 1)]
        rows = sla.report(MERGE_POLICY, cases, by=["site"])
        assert sorted((dict(r.group)["site"], r.counted) for r in rows
                      if r.measure == "on_time") == [("12", 2), ("12.5", 1), ("true", 1)]

    def test_unseen_attribute_in_merged_tallies(self) -> None:
        """Tallies remember which attributes they have seen: a part without the attribute
        merged with one that has it reports; two parts without it refuse the breakdown."""
        opened = at(2026, 7, 1, 9)
        plain = restored(1, opened, dt.timedelta(hours=1))
        tagged = attrs.evolve(restored(2, opened, dt.timedelta(hours=5)),
                              attributes={"customer": "ACME"})
        parts = [sla.Tally(MERGE_POLICY, by=["customer"]) for _ in range(3)]
        parts[0].add(plain, sla.evaluate(MERGE_POLICY, plain))
        parts[1].add(tagged, sla.evaluate(MERGE_POLICY, tagged))
        parts[2].add(plain, sla.evaluate(MERGE_POLICY, plain))
        rows = (parts[0] + parts[1]).report()
        assert {(dict(r.group)["customer"], r.counted) for r in rows
                if r.measure == "on_time"} == {(None, 1), ("ACME", 1)}
        with pytest.raises(sla.SlaValueError, match="cannot break down by 'customer': none of "
                           "the 2 cases has such an attribute; the cases have no attributes"):
            (parts[0] + parts[2]).report()
        assert len(sla.Tally(MERGE_POLICY, by=["customer"]).report()) == 0  # no case: no rows

    def test_unseen_attribute_message_after_pickling_and_merging(self) -> None:
        """The message about an attribute no case has names the attributes the cases of every
        part had, also when the parts were pickled (shipped from other processes)."""
        opened = at(2026, 7, 1, 9)
        parts = []
        for n, attributes in enumerate(({"site": 1}, {"costumer": "ACME"}), 1):
            case = attrs.evolve(restored(n, opened, dt.timedelta(hours=1)),
                                attributes=attributes)
            tally = sla.Tally(MERGE_POLICY, by=["customer"])
            tally.add(case, sla.evaluate(MERGE_POLICY, case))
            parts.append(pickle.loads(pickle.dumps(tally)))
        with pytest.raises(sla.SlaValueError) as info:
            (parts[0] + parts[1]).report()
        assert str(info.value) == (
            "cannot break down by 'customer': none of the 2 cases has such an attribute "
            "('customer' is perhaps 'costumer'); the cases' attributes are costumer, site")

    @settings(max_examples=30, deadline=None)
    @given(cases=case_lists(), period=st.sampled_from(["month", "quarter", "year"]))
    def test_period_override_counts(self, cases: list[sla.Case], period: str) -> None:
        """period= tallies every measure per that period: the on-time counts per period equal
        a count of deadlines (opened + 4h) by their Shanghai month, quarter or year."""
        got = sla.report(MERGE_POLICY, cases, period=period)
        counted: dict[str, int] = {}
        for c in cases:
            if c.excluded == EXCLUDED or c.achieved_at("restore") is None:
                continue
            day = (c.opened + DURATIONS["4h"]).astimezone(SHANGHAI).date()
            label = {"month": f"{day.year:04d}-{day.month:02d}",
                     "quarter": f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}",
                     "year": f"{day.year:04d}"}[period]
            counted[label] = counted.get(label, 0) + 1
        assert {r.period: r.counted for r in got if r.measure == "on_time" and r.counted} \
            == counted

    def test_function_groups_and_tables(self) -> None:
        """A function groups by a derived column (a customer prefix of the id); the report as
        records, Arrow, pandas and polars has the group column after period."""
        opened = at(2026, 7, 1, 9)
        cases = [sla.Case(f"{cust}-{n}", opened, "A",
                          achieved={"restore": opened + dt.timedelta(hours=h)})
                 for n, (cust, h) in enumerate([("acme", 1), ("acme", 5), ("zeta", 2)])]
        policy = restore_policy(ON_TIME)
        got = sla.report(policy, cases, by={"customer": lambda c: c.id.split("-")[0]})
        records = got.records()
        assert [(r["customer"], r["met"], r["breached"]) for r in records] == [
            ("acme", 1, 1), ("zeta", 1, 0)]
        assert list(records[0]) == ["period", "customer", *REPORT_COLUMNS[1:]]
        table = got.to_arrow()
        assert table.column_names == list(got.columns)
        assert table.column("start").to_pylist() == [dt.date(2026, 7, 1)] * 2
        frame = got.to_pandas()
        assert frame["customer"].tolist() == ["acme", "zeta"]
        assert got.to_polars()["counted"].to_list() == [2, 1]
        assert "2026-Q3  acme      on_time" in got.to_text()

    @pytest.mark.parametrize(("kwargs", "says"), [
        ({"by": ["opened"]}, "'opened' is a case field that does not name a group"),
        ({"by": ["achieved.restore"]}, "is a case field that does not name a group"),
        ({"by": ["Tier"]}, "'Tier' looks like a misspelt 'tier', and a case cannot have an "
         "attribute so named; break down by tier;"),
        ({"by": ["Opened"]}, "misspelt 'opened'.*break down by severity, tier, zone, "
         "excluded or an attribute"),
        ({"by": ["kind"]}, r"'kind' is a column of the report itself.*by=\{'case_kind': "
         r"lambda case: case.attribute\('kind'\)\}"),
        ({"by": [""]}, "'' is not a column name"),
        ({"by": ["tier", "tier"]}, "column name 'tier' is taken"),
        ({"by": {"measure": len}}, "column name 'measure' is taken"),
        ({"by": {"x": 3}}, "'x' maps to 3, not to a function"),
        ({"by": 5}, "by must be column names"),
        ({"period": "week"}, "period='week' is not a period"),
    ])
    def test_bad_arguments(self, kwargs: dict[str, Any], says: str) -> None:
        """Bad by= or period=: an error naming the value and what to give instead."""
        with pytest.raises(sla.SlaValueError, match=says):
            sla.report(MERGE_POLICY, [], **kwargs)

    def test_function_giving_a_non_text(self) -> None:
        """A group function must give text or None; a list is refused by name."""
        with pytest.raises(sla.SlaValueError, match="function for 'x' gave \\[1\\]"):
            sla.report(MERGE_POLICY, [restored(1, at(2026, 7, 1), dt.timedelta(1))],
                       by={"x": lambda c: [1]})

    def test_grouped_tallies_merge(self) -> None:
        """Grouped tallies merge like ungrouped ones; a different breakdown does not merge."""
        opened = at(2026, 7, 1, 9)
        cases = [with_tier(restored(n, opened, dt.timedelta(hours=h)), t)
                 for n, (h, t) in enumerate([(1, "gold"), (5, "gold"), (2, None)])]
        left, right = (sla.Tally(MERGE_POLICY, by=["tier"]) for _ in range(2))
        left.extend(cases[:1])
        right.extend(cases[1:])
        assert (left + right).report() == sla.report(MERGE_POLICY, cases, by=["tier"])
        with pytest.raises(sla.SlaValueError, match="different by"):
            left.merge(sla.Tally(MERGE_POLICY))
        with pytest.raises(sla.SlaValueError, match="different period"):
            left.merge(sla.Tally(MERGE_POLICY, by=["tier"], period="month"))


# -- the command line ----------------------------------------------------------------------------
POLICY_TOML = """\
name = "cli-report"

[calendars.always]
coverage = "7x24"
tz = "Asia/Shanghai"

[clock]
exclude_reasons = ["force_majeure"]

[[severities]]
id = "A"
targets = [{ metric = "restore", calendar = "always", within = "4h" }]

[[measures]]
name = "restore_on_time"
kind = "on_time"
metric = "restore"
at_least = "90%"

[[measures]]
name = "satisfaction"
kind = "average_satisfaction"
at_least = 4
"""

# Q3: restore met, met, breached (66.6 %: missed); satisfaction 5, 4, 4 (met).
# Q4: restore met (100 %: met); no rating (satisfaction has no row: its last data is in Q3).
CSV = """\
id,opened,severity,achieved.restore,closed,satisfaction,excluded
T1,2026-07-01T09:00+08:00,A,2026-07-01T10:00+08:00,2026-07-01T11:00+08:00,5,
T2,2026-07-02T09:00+08:00,A,2026-07-02T13:00+08:00,2026-07-02T14:00+08:00,4,
T3,2026-07-03T09:00+08:00,A,2026-07-03T13:01+08:00,2026-07-03T14:00+08:00,4,
T4,2026-10-03T09:00+08:00,A,2026-10-03T12:00+08:00,,,
T5,2026-07-04T09:00+08:00,A,2026-07-04T19:00+08:00,2026-07-04T19:00+08:00,1,force_majeure
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    policy = tmp_path / "contract.toml"
    policy.write_text(POLICY_TOML, encoding="utf-8")
    cases = tmp_path / "cases.csv"
    cases.write_text(CSV, encoding="utf-8")
    return policy, cases


class TestCli:
    def test_table_and_missed_exit_1(self, capsys: pytest.CaptureFixture[str],
                                     files: tuple[Path, Path]) -> None:
        """The table lists each measure and quarter; a missed quota exits with 1."""
        policy, cases = files
        status, out, err = run(capsys, "report", cases, "--policy", policy)
        assert (status, err) == (1, "")
        assert out.splitlines() == [
            "period   measure          value  target  verdict  counted",
            "2026-Q3  restore_on_time  66.6%  >= 90%  missed   3 (2 met, 1 breached)",
            "2026-Q3  satisfaction     4.33   >= 4    met      3",
            "2026-Q4  restore_on_time  100%   >= 90%  met      1 (1 met, 0 breached)",
        ]

    def test_period_met_exit_0(self, capsys: pytest.CaptureFixture[str],
                               files: tuple[Path, Path]) -> None:
        """--period 2026-Q4: met or no data everywhere, exit 0; --explain adds the details."""
        policy, cases = files
        status, out, _ = run(capsys, "report", cases, "--policy", policy, "--period", "2026-Q4",
                             "--explain")
        assert status == 0
        assert "restore_on_time 2026-Q4 (2026-10-01 to 2026-12-31, Asia/Shanghai): met" in out
        assert "2026-Q3" not in out

    def test_by_and_period_month(self, capsys: pytest.CaptureFixture[str],
                                 files: tuple[Path, Path]) -> None:
        """--by excluded --period month --period 2026-07: July's rows per exclusion reason,
        counted by hand from the CSV (T1, T2 met, T3 breached; T5 excluded counts nothing)."""
        policy, cases = files
        status, out, _ = run(capsys, "report", cases, "--policy", policy, "--by", "excluded",
                             "--period", "month", "--period", "2026-07", "--format", "csv")
        assert status == 1
        lines = out.splitlines()
        assert lines[0] == ("period,excluded,measure,kind,start,end,value,threshold,verdict,"
                            "counted,met,breached")
        assert lines[1:] == [
            "2026-07,,restore_on_time,on_time,2026-07-01,2026-07-31,0.6666666666666666,0.9,"
            "missed,3,2,1",
            "2026-07,force_majeure,restore_on_time,on_time,2026-07-01,2026-07-31,,0.9,"
            "no data,0,0,0",
            "2026-07,,satisfaction,average_satisfaction,2026-07-01,2026-07-31,"
            "4.333333333333333,4.0,met,3,,",
            "2026-07,force_majeure,satisfaction,average_satisfaction,2026-07-01,2026-07-31,,"
            "4.0,no data,0,,",
        ]

    @pytest.mark.parametrize(("args", "says"), [
        (["--by", "closed"], "'closed' is a case field that does not name a group"),
        (["--by", "Tier"], "'Tier' looks like a misspelt 'tier'"),
        (["--by", "value"], "'value' is a column of the report itself"),
        (["--by", "tier,tier"], "names a column twice"),
        (["--period", "month", "--period", "year"], "a period length is given twice"),
        (["--period", "2026", "--period", "2027"], "a span is given twice"),
    ])
    def test_bad_breakdowns_exit_2(self, capsys: pytest.CaptureFixture[str],
                                   files: tuple[Path, Path], args: list[str], says: str) -> None:
        """Bad --by or --period combinations: exit 2 and a message naming the value."""
        policy, cases = files
        status, out, err = run(capsys, "report", cases, "--policy", policy, *args)
        assert status == 2
        assert says in err
        assert out == ""

    def test_by_an_extra_column(self, capsys: pytest.CaptureFixture[str],
                                files: tuple[Path, Path], tmp_path: Path) -> None:
        """--by customer groups by a column the case file adds; counted by hand: ACME has T1
        (met) and T3 (breached), Initech T2 (met) and T4 (met, Q4); T5 has no customer and
        is excluded, so its group counts nothing and has no rows. A misspelt column name is
        refused, exit 2."""
        policy, _ = files
        path = tmp_path / "cases.csv"
        customers = ["customer", "ACME", "Initech", "ACME", "Initech", ""]
        path.write_text("".join(f"{line},{name}\n" for line, name in
                                zip(CSV.splitlines(), customers, strict=True)), encoding="utf-8")
        status, out, err = run(capsys, "report", path, "--policy", policy, "--by", "customer")
        assert (status, err) == (1, "")
        assert out.splitlines() == [  # each group's periods run from its first to last data
            "period   customer  measure          value  target  verdict  counted",
            "2026-Q3  ACME      restore_on_time  50%    >= 90%  missed   2 (1 met, 1 breached)",
            "2026-Q3  Initech   restore_on_time  100%   >= 90%  met      1 (1 met, 0 breached)",
            "2026-Q3  ACME      satisfaction     4.5    >= 4    met      2",
            "2026-Q3  Initech   satisfaction     4      >= 4    met      1",
            "2026-Q4  Initech   restore_on_time  100%   >= 90%  met      1 (1 met, 0 breached)",
        ]
        status, out, err = run(capsys, "report", path, "--policy", policy, "--by", "custmer")
        assert (status, out) == (2, "")
        assert ("cannot break down by 'custmer': none of the 5 cases has such an attribute "
                "('custmer' is perhaps 'customer'); the cases' attributes are customer") in err

    def test_jsonl_input_and_csv_output(self, capsys: pytest.CaptureFixture[str],
                                        files: tuple[Path, Path], tmp_path: Path) -> None:
        """JSON Lines cases with numeric ratings; --format csv writes one record per row."""
        policy, _ = files
        lines = [
            {"id": "J1", "opened": "2026-07-01T09:00+08:00", "severity": "A",
             "achieved": {"restore": "2026-07-01T10:00+08:00"},
             "closed": "2026-07-01T11:00+08:00", "satisfaction": 3.5},
            {"id": "J2", "opened": "2026-07-01T09:00+08:00", "severity": "A",
             "closed": "2026-07-02T11:00+08:00", "satisfaction": 4},
        ]
        path = tmp_path / "cases.jsonl"
        path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
        status, out, _ = run(capsys, "report", path, "--policy", policy, "--format", "csv")
        assert status == 1
        assert out.splitlines() == [
            "period,measure,kind,start,end,value,threshold,verdict,counted,met,breached",
            "2026-Q3,restore_on_time,on_time,2026-07-01,2026-09-30,1.0,0.9,met,1,1,0",
            "2026-Q3,satisfaction,average_satisfaction,2026-07-01,2026-09-30,3.75,4.0,missed,2,,",
        ]
        status, out, _ = run(capsys, "report", path, "--policy", policy, "--format", "jsonl")
        assert json.loads(out.splitlines()[1])["value"] == 3.75

    def test_bad_rows_exit_3(self, capsys: pytest.CaptureFixture[str],
                             files: tuple[Path, Path], tmp_path: Path) -> None:
        """Unreadable rows are reported by line and skipped; the report is printed but the exit
        status is 3, rows skipped, as for evaluate (it does not count them)."""
        policy, _ = files
        path = tmp_path / "bad.csv"
        path.write_text(CSV + "T6,2026-07-05T09:00+08:00,A,,2026-07-06T09:00+08:00,7,\n"
                        "T7,2026-07-05T09:00+08:00,A,,2026-07-04T09:00+08:00,,\n"
                        "T8,2026-07-05T09:00+08:00,A,,,great,\n", encoding="utf-8")
        status, out, err = run(capsys, "report", path, "--policy", policy)
        assert status == 3
        assert "2026-Q3  restore_on_time" in out
        lines = err.splitlines()
        assert lines[0].startswith(f"{path}:7: skipped: Case.satisfaction=7 is outside")
        assert lines[1].startswith(f"{path}:8: skipped: Case.closed=2026-07-04T09:00:00+08:00 is "
                                   "before Case.opened")
        assert lines[2] == f"{path}:9: skipped: satisfaction 'great' is not a number from 1 to 5"
        assert lines[3] == "slacalc: 3 of 8 rows skipped; the report counts the 5 read"

    @pytest.mark.parametrize(("args", "says"), [
        (["--period", "2026-Q5"], "--period '2026-Q5' is not a period"),
        (["--period", "2026-09..2026-08"], "ends before it starts"),
        (["--now", "2026-10-01T00:00"], "has no UTC offset"),
    ])
    def test_usage_errors_exit_2(self, capsys: pytest.CaptureFixture[str],
                                 files: tuple[Path, Path], args: list[str], says: str) -> None:
        """Bad --period or --now: an error, exit 2, nothing printed."""
        policy, cases = files
        status, out, err = run(capsys, "report", cases, "--policy", policy, *args)
        assert (status, out) == (2, "")
        assert says in err

    def test_policy_without_measures_exit_2(self, capsys: pytest.CaptureFixture[str],
                                            files: tuple[Path, Path]) -> None:
        """A policy that states no measures cannot report."""
        _, cases = files
        status, _, err = run(capsys, "report", cases, "--policy", "builtin:helpdesk")
        assert status == 2
        assert "policy 'helpdesk' states no measures" in err

    def test_builtin_with_now(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """builtin:repairs with --now: a repair past its deadline at --now is breached."""
        path = tmp_path / "r.jsonl"
        path.write_text(json.dumps({
            "id": "R1", "opened": "2026-01-05T09:00+08:00", "severity": "any",
            "achieved": {"part_return": "2026-01-06T09:00+08:00"}}) + "\n", encoding="utf-8")
        status, out, _ = run(capsys, "report", path, "--policy", "builtin:repairs",
                             "--now", "2026-12-01T00:00+08:00")
        assert status == 1
        assert "0 (0 met, 1 breached)" not in out and "1 (0 met, 1 breached)" in out
