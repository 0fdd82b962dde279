"""What-if comparisons: ``sla.compare`` and ``Policy.with_calendar_changes``.

Expected deadlines are worked out by hand from the 15:00 cutoff rule on the CN 5x8 calendar
(November 2026 has no statutory holiday: Saturday 21st and Sunday 22nd are the weekend), and
the property test compares against ``sla.evaluate`` called case by case.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slacalc as sla
from slacalc.cli import main
from slacalc.compare import COMPARE_COLUMNS
from slacalc.io import write_cases

POLICY = sla.templates.load("spare-parts")
TZ = POLICY.calendar("business").tz
MONDAY = dt.date(2026, 11, 23)
SATURDAY = dt.date(2026, 11, 21)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def part(case_id: str, diagnosed: dt.datetime, arrived: dt.datetime | None = None) -> sla.Case:
    achieved = {"diagnosed": diagnosed}
    if arrived is not None:
        achieved["parts_arrive"] = arrived
    return sla.Case(case_id, diagnosed, "any", tier="5x8xNBD", achieved=achieved)


class TestWithCalendarChanges:
    def test_extra_holiday_moves_nbd_by_a_day(self) -> None:
        """Diagnosed Friday 10:00 (before 15:00): the part is due Monday 17:00; with Monday a
        holiday, Tuesday 17:00. The original policy is unchanged."""
        variant = POLICY.with_calendar_changes(extra_holidays=[MONDAY])
        case = part("P-1", at(20, 10))
        assert sla.evaluate(POLICY, case)["parts_arrive"].deadline == at(23, 17)
        assert sla.evaluate(variant, case)["parts_arrive"].deadline == at(24, 17)
        assert POLICY.calendar("business").is_business_day(MONDAY)

    def test_extra_workday_pulls_nbd_forward(self) -> None:
        """Diagnosed Friday 16:00 (after 15:00): effective Monday, due Tuesday 17:00; with
        Saturday a make-up workday, effective Saturday, due Monday 17:00."""
        variant = POLICY.with_calendar_changes(extra_workdays=["2026-11-21"])
        case = part("P-2", at(20, 16))
        assert sla.evaluate(POLICY, case)["parts_arrive"].deadline == at(24, 17)
        assert sla.evaluate(variant, case)["parts_arrive"].deadline == at(23, 17)

    def test_only_business_calendars_by_default(self) -> None:
        """Without calendars=, calendars counting every day (7x8, 7x24) are left alone; with
        it, only the named ones change."""
        variant = POLICY.with_calendar_changes(extra_holidays=[MONDAY])
        assert [s.params for s in variant.calendars if s.name != "business"] == [
            s.params for s in POLICY.calendars if s.name != "business"]
        named = POLICY.with_calendar_changes(extra_holidays=[MONDAY], calendars=["business"])
        assert not named.calendar("business").is_business_day(MONDAY)

    def test_keeps_existing_extra_days(self) -> None:
        """A calendar's own extra holidays stay, with the new ones added."""
        base = POLICY.with_calendar_changes(extra_holidays=["2026-11-24"])
        both = base.with_calendar_changes(extra_holidays=[MONDAY])
        cal = both.calendar("business")
        assert not cal.is_business_day(MONDAY)
        assert not cal.is_business_day(dt.date(2026, 11, 24))

    @pytest.mark.parametrize(("kwargs", "says"), [
        ({"extra_holidays": "2026-11-23"}, "extra_holidays must be a list of dates"),
        ({"extra_holidays": ["23.11.2026"]}, "'23.11.2026' is not an ISO date"),
        ({"extra_workdays": [dt.datetime(2026, 11, 21)]}, "is not a date"),
        ({"calendars": ["office"]}, "'office' is not one of the policy's calendars"),
        ({"extra_holidays": [MONDAY], "extra_workdays": [MONDAY]}, "2026-11-23"),
    ])
    def test_bad_arguments(self, kwargs: dict[str, Any], says: str) -> None:
        """Bad dates or calendar names: an error naming the value."""
        with pytest.raises((sla.SlaValueError, sla.PolicyError), match=says):
            POLICY.with_calendar_changes(**kwargs)


class TestCompare:
    def test_hand_checked_changes(self) -> None:
        """Monday 23rd closes: P-1 (Friday 10:00) moves a day; P-2 (delivered Monday 18:00)
        goes from breached to met; P-3 (Tuesday 10:00, due Wednesday) does not change."""
        variant = POLICY.with_calendar_changes(extra_holidays=[MONDAY])
        cases = [part("P-1", at(20, 10)), part("P-2", at(20, 11), at(23, 18)),
                 part("P-3", at(24, 10))]
        got = sla.compare(POLICY, variant, cases)
        assert got.cases == 3
        assert [(c.id, c.deadline_before, c.deadline_after, c.shift, c.status_before,
                 c.status_after) for c in got] == [
            ("P-1", at(23, 17), at(24, 17), dt.timedelta(days=1), "running", "running"),
            ("P-2", at(23, 17), at(24, 17), dt.timedelta(days=1), "breached", "met"),
        ]
        assert got.before == got.after == "spare-parts"

    def test_metric_in_one_policy_only(self) -> None:
        """A metric only one policy has is compared against not_applicable."""
        helpdesk = sla.templates.load("helpdesk")
        case = sla.Case("T-1", at(20, 10), "any", tier="5x8xNBD")
        got = sla.compare(POLICY, helpdesk, [case])
        assert {(c.metric, c.status_before, c.status_after) for c in got} == {
            ("parts_arrive", "pending", "not_applicable"),
            ("response", "not_applicable", "running")}

    def test_tables(self) -> None:
        """The changes as records, Arrow (UTC instants, duration shift), pandas and polars."""
        variant = POLICY.with_calendar_changes(extra_holidays=[MONDAY])
        got = sla.compare(POLICY, variant, [part("P-1", at(20, 10))])
        (record,) = got.records()
        assert list(record) == list(COMPARE_COLUMNS)
        assert record["shift"] == dt.timedelta(days=1)
        table = got.to_arrow()
        assert table.column("shift").to_pylist() == [dt.timedelta(days=1)]
        assert table.column("deadline_after").to_pylist()[0] == at(24, 17)
        assert got.to_pandas()["id"].tolist() == ["P-1"]
        assert got.to_polars()["status_after"].to_list() == ["running"]

    @pytest.mark.parametrize(("args", "says"), [
        ((None, POLICY, []), "before must be a slacalc.Policy"),
        ((POLICY, POLICY, sla.Case("T", at(20, 10), "any")), "iterable of slacalc.Case"),
        ((POLICY, POLICY, [1]), "Case values, not 1"),
        ((POLICY, POLICY, [], dt.datetime(2026, 1, 1)), "now must be an aware datetime"),
    ])
    def test_bad_arguments(self, args: tuple[Any, ...], says: str) -> None:
        """Bad policies, cases or now: an error naming the value."""
        with pytest.raises(sla.SlaValueError, match=says):
            sla.compare(*args)


@st.composite
def gen_part(draw: st.DrawFn, n: int) -> sla.Case:
    day = draw(st.integers(16, 30))
    diagnosed = at(day, draw(st.integers(0, 23)), draw(st.sampled_from([0, 59])))
    arrived = None
    if draw(st.booleans()):
        arrived = diagnosed + dt.timedelta(hours=draw(st.integers(0, 120)))
    tier = draw(st.sampled_from(["5x8xNBD", "7x8xND", "7x24x4", "8x5x48"]))
    achieved = {"diagnosed": diagnosed, **({"parts_arrive": arrived} if arrived else {})}
    return sla.Case(f"P-{n}", diagnosed, "any", tier=tier, achieved=achieved)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_against_evaluate(data: st.DataObject) -> None:
    """The changes are exactly the (case, metric) pairs whose deadline or status differs when
    each case is evaluated on its own with sla.evaluate; a policy compared with itself has none."""
    cases = [data.draw(gen_part(n)) for n in range(data.draw(st.integers(0, 12)))]
    days = data.draw(st.lists(st.dates(dt.date(2026, 11, 16), dt.date(2026, 12, 4)),
                              max_size=3, unique=True))
    variant = POLICY.with_calendar_changes(extra_holidays=days)
    now = data.draw(st.none() | st.just(at(25, 12)))
    expected = []
    for case in cases:
        a = sla.evaluate(POLICY, case, now)["parts_arrive"]
        b = sla.evaluate(variant, case, now)["parts_arrive"]
        if (a.deadline, a.status) != (b.deadline, b.status):
            expected.append((case.id, a.deadline, b.deadline, a.status, b.status))
    got = sla.compare(POLICY, variant, cases, now)
    assert [(c.id, c.deadline_before, c.deadline_after, c.status_before, c.status_after)
            for c in got] == expected
    assert len(sla.compare(POLICY, POLICY, cases, now)) == 0


class TestCli:
    def test_evaluate_compare(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """slacalc evaluate --compare: only the changed case metric, with both deadlines, the
        shift in seconds and both statuses (P-1 moves from Monday to Tuesday; P-3 does not)."""
        variant = POLICY.with_calendar_changes(extra_holidays=[MONDAY])
        other = tmp_path / "next-year.toml"
        other.write_text(variant.to_toml(), encoding="utf-8")
        cases = tmp_path / "parts.parquet"
        write_cases([part("P-1", at(20, 10)), part("P-3", at(24, 10))], cases)
        status = main(["evaluate", str(cases), "--policy", "builtin:spare-parts", "--compare",
                       str(other)])
        out, _ = capsys.readouterr()
        assert status == 0
        assert out.splitlines() == [
            "case_id,metric,severity,tier,zone,deadline_before,deadline_after,shift_seconds,"
            "status_before,status_after",
            "P-1,parts_arrive,any,5x8xNBD,,2026-11-23T17:00:00+08:00,2026-11-24T17:00:00+08:00,"
            "86400,running,running",
        ]

    def test_compare_jsonl_and_bad_policy(self, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
        """JSON Lines output of a change; an unreadable --compare policy exits 2."""
        cases = tmp_path / "parts.jsonl"
        write_cases([part("P-1", at(20, 10))], cases)
        variant = POLICY.with_calendar_changes(extra_holidays=[MONDAY])
        other = tmp_path / "other.json"
        other.write_text(json.dumps(variant.to_dict(), default=str), encoding="utf-8")
        status = main(["evaluate", str(cases), "--policy", "builtin:spare-parts", "--compare",
                       str(other), "--format", "jsonl"])
        out, _ = capsys.readouterr()
        assert status == 0
        (record,) = [json.loads(line) for line in out.splitlines()]
        assert record["shift_seconds"] == 86400 and record["status_after"] == "running"
        status = main(["evaluate", str(cases), "--policy", "builtin:spare-parts", "--compare",
                       str(tmp_path / "missing.toml")])
        _, err = capsys.readouterr()
        assert status == 2 and "missing.toml" in err
