"""Promises that do not depend on severity: a policy without severity levels evaluates cases
that have none (``Case.severity`` is optional). Expected deadlines are hand-checked on the CN
calendars (National Day 2026: 1-7 October)."""

from __future__ import annotations

import datetime as dt
import io
import json
import pickle
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import slacalc as sla
from slacalc.cli import main
from slacalc.io import read_cases

SH = ZoneInfo("Asia/Shanghai")


def without_severities(name: str) -> sla.Policy:
    """A template with its catch-all severity removed: its targets are all policy-level."""
    data = sla.templates.load(name).to_dict()
    data["severities"] = []
    return sla.Policy.from_dict(data)


TIERS = without_severities("tiers")


class TestCase:
    def test_severity_is_optional(self) -> None:
        """``Case(id, opened)`` is a case without severity (it was a TypeError)."""
        case = sla.Case("T-1", dt.datetime(2026, 10, 1, 10, tzinfo=SH))
        assert case.severity is None
        assert pickle.loads(pickle.dumps(case)) == case

    def test_empty_severity_is_still_refused(self) -> None:
        """Leaving it out is ``None``; an empty string is a mistake."""
        with pytest.raises(sla.SlaValueError, match=r"Case\.severity"):
            sla.Case("T-1", dt.datetime(2026, 10, 1, 10, tzinfo=SH), "")


class TestEvaluate:
    def test_parts_promise_without_severity(self) -> None:
        """A Gold part for a fault diagnosed Wednesday 30 September 2026 at 16:00 (after the
        15:00 cutoff): the effective day is the next business day, Thursday 8 October (after
        National Day), so it arrives Friday 9 October by 17:00."""
        case = sla.Case("P-1", dt.datetime(2026, 9, 30, 15, tzinfo=SH), tier="gold",
                        achieved={"diagnosed": dt.datetime(2026, 9, 30, 16, tzinfo=SH)})
        result = sla.evaluate(TIERS, case)["parts_arrive"]
        assert result.deadline == dt.datetime(2026, 10, 9, 17, tzinfo=SH)
        assert result.status == "running"
        assert sla.evaluate_many(TIERS, [case]) == [sla.evaluate(TIERS, case)]

    def test_policy_with_levels_refuses_a_case_without(self) -> None:
        """A policy that grades by severity says so, in both paths, and lists its levels."""
        policy = sla.templates.load("severity-a-d")
        case = sla.Case("T-1", dt.datetime(2026, 10, 1, 10, tzinfo=SH))
        message = r"the case has no severity, but policy 'severity-a-d' sets its targets by " \
                  r"severity level: give the case one of 'A', 'B', 'C', 'D'"
        with pytest.raises(sla.SlaValueError, match=message):
            sla.evaluate(policy, case)
        with pytest.raises(sla.SlaValueError, match=message):
            sla.evaluate_many(policy, [case])

    def test_severity_condition_does_not_match_a_case_without(self) -> None:
        """A policy-level target kept for severity A does not apply to a case without
        severity; the next rule does."""
        policy = sla.Policy.from_dict({
            "name": "p", "calendars": {"always": {"coverage": "7x24", "country": "CN"}},
            "targets": [
                {"metric": "response", "calendar": "always", "within": "15m",
                 "when": {"severity": ["A"]}},
                {"metric": "response", "calendar": "always", "within": "1h"}]})
        opened = dt.datetime(2026, 10, 1, 10, tzinfo=SH)
        for case in (sla.Case("T-1", opened), sla.Case("T-2", opened, "B")):
            [got] = sla.evaluate_many(policy, [case])
            assert got["response"].deadline == opened + dt.timedelta(hours=1)
            assert got == sla.evaluate(policy, case)
        assert sla.evaluate(policy, sla.Case("T-3", opened, "A"))["response"].deadline \
            == opened + dt.timedelta(minutes=15)

    def test_report_and_alarms(self) -> None:
        """Aggregates and the alarm feed take cases without severity too."""
        policy = without_severities("complaints")
        case = sla.Case("C-1", dt.datetime(2026, 9, 19, 10, tzinfo=SH))
        [alarm, *_] = sla.alarms(policy, [case], case.opened, case.opened + dt.timedelta(days=1))
        assert (alarm.metric, alarm.at) == ("complaint_reply",
                                            dt.datetime(2026, 9, 19, 12, tzinfo=SH))
        repairs = without_severities("repairs")
        fixed = sla.Case("R-1", dt.datetime(2026, 1, 5, 10, tzinfo=SH),
                         achieved={"part_return": dt.datetime(2026, 1, 5, 10, tzinfo=SH),
                                   "repair": dt.datetime(2026, 2, 2, 10, tzinfo=SH)})
        rows = [row for row in sla.report(repairs, [fixed]) if row.counted]
        assert [(row.measure, row.met, row.breached) for row in rows] == [
            ("repairs_on_time", 1, 0)]

    @given(st.integers(0, 90 * 24 * 60), st.integers(0, 5 * 24 * 60),
           st.sampled_from(["standard", "gold", "platinum", "diamond"]),
           st.one_of(st.none(), st.sampled_from(["any", "A", "whatever"])))
    def test_severity_is_not_looked_at(self, opened_min: int, diagnosed_min: int, tier: str,
                                       severity: str | None) -> None:
        """Without severity levels, a case's severity (given or not) changes nothing."""
        opened = dt.datetime(2026, 6, 1, tzinfo=SH) + dt.timedelta(minutes=opened_min)
        diagnosed = opened + dt.timedelta(minutes=diagnosed_min)
        plain = sla.Case("T-1", opened, tier=tier, achieved={"diagnosed": diagnosed})
        graded = sla.Case("T-1", opened, severity, tier=tier, achieved={"diagnosed": diagnosed})
        assert sla.evaluate(TIERS, plain) == sla.evaluate(TIERS, graded)
        assert sla.evaluate_many(TIERS, [plain, graded]) == [sla.evaluate(TIERS, plain)] * 2


class TestCaseFiles:
    ROW: ClassVar[dict[str, Any]] = {"id": "R-1", "opened": "2026-09-30T14:00+08:00",
                                     "achieved": {"fault_confirmed": "2026-09-30T14:00+08:00"}}

    def test_row_without_severity(self) -> None:
        """A row may leave the severity out (it was 'missing severity')."""
        assert sla.Case.from_dict(self.ROW).severity is None
        assert sla.Case.from_dict({**self.ROW, "severity": ""}).severity is None

    def test_reader_under_a_policy_without_levels(self) -> None:
        """Under a policy without severity levels every row reads, whatever its severity
        (each used to be 'unknown severity'); a CSV's severity cells may be empty."""
        rma = sla.templates.load("rma")
        lines = "".join(json.dumps({**self.ROW, "id": f"R-{i}", **extra}) + "\n"
                        for i, extra in enumerate(({}, {"severity": "A"}, {"severity": "urgent"})))
        reader = read_cases(io.StringIO(lines), "jsonl", policy=rma, errors="collect")
        assert [c.severity for c in reader] == [None, "A", "urgent"]
        assert reader.errors == []
        csv = "id,opened,severity\nR-1,2026-09-30T14:00+08:00,\n"
        assert [c.severity for c in read_cases(io.StringIO(csv), "csv", policy=rma)] == [None]

    def test_reader_under_a_graded_policy(self) -> None:
        """A policy with severity levels skips a row without one, saying which it has."""
        reader = read_cases(io.StringIO(json.dumps(self.ROW) + "\n"), "jsonl",
                            policy=sla.templates.load("severity-a-d"), errors="collect")
        assert list(reader) == []
        [bad] = reader.errors
        assert bad.reason == ("missing severity; the policy sets its targets by severity level: "
                              "A, B, C, D")

    def test_command_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """slacalc evaluate reads the rma template's cases without severity: confirmed on
        30 September 2026, the spare ships by the end of Saturday 10 October."""
        cases = tmp_path / "cases.jsonl"
        cases.write_text(json.dumps(self.ROW) + "\n", encoding="utf-8")
        code = main(["evaluate", str(cases), "--policy", "builtin:rma"])
        out, err = capsys.readouterr()
        assert (code, err) == (0, "")
        [row] = out.splitlines()[1:]
        assert row.startswith("R-1,parts_ship,running,") and ",2026-10-11T00:00:00+08:00," in row


class TestTables:
    def test_evaluate_table_without_severity(self) -> None:
        """evaluate_table takes an empty severity under a policy without levels (it was
        'must be a non-empty string') and names the row under a graded one."""
        data = {"id": ["R-1"], "opened": ["2026-09-30T14:00:00+08:00"], "severity": [None],
                "achieved.fault_confirmed": ["2026-09-30T14:00:00+08:00"]}
        table = sla.evaluate_table(sla.templates.load("rma"), data)
        columns = table.columns
        due = dt.datetime(2026, 10, 11, tzinfo=SH) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        assert list(columns["deadline"]) == [due // dt.timedelta(microseconds=1)]
        with pytest.raises(sla.SlaValueError, match="severity of row 0 is missing"):
            sla.evaluate_table(sla.templates.load("helpdesk"),
                               {k: v for k, v in data.items() if not k.startswith("achieved")})
