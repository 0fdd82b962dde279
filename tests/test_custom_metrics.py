"""A policy's own metric names (``custom_metrics``): loading, typos, evaluation, batches,
report measures and the TOML round trip. Expected deadlines are worked out by hand on the
CN 5x8 calendar (09:00-17:00 on business days)."""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import slacalc as sla

SH = ZoneInfo("Asia/Shanghai")


def policy_dict(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "callbacks",
        "custom_metrics": ["callback", "first_fix"],
        "calendars": {"business": {"coverage": "5x8", "country": "CN"}},
        "targets": [
            {"metric": "first_fix", "calendar": "business", "within": "8h"},
            {"metric": "response", "calendar": "business", "within": "30m"},
            {"metric": "callback", "calendar": "business", "within": "2h"},
        ],
        "escalations": [{"metric": "callback", "steps": [
            {"name": "lead", "at": 0.5, "notify": "team lead"}]}],
        "measures": [{"name": "callbacks_on_time", "kind": "on_time", "period": "month",
                      "metric": "callback", "at_least": "90%"}],
    }
    data.update(changes)
    return data


POLICY = sla.Policy.from_dict(policy_dict())


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(sla.PolicyError) as info:
        sla.Policy.from_dict(data)
    return list(info.value.problems)


class TestLoading:
    def test_declared_names_follow_the_built_in_ones(self) -> None:
        """The policy's metrics: built-in ones in their fixed order, then its own as declared."""
        assert POLICY.custom_metrics == ("callback", "first_fix")
        assert POLICY.metric_names()[-3:] == ("repair", "callback", "first_fix")
        assert POLICY.metrics() == ["response", "callback", "first_fix"]

    def test_typo_in_a_target_names_the_closest_declared_metric(self) -> None:
        """A misspelt custom metric is still an error, and the message suggests the name."""
        data = policy_dict()
        data["targets"][2]["metric"] = "calback"
        data["measures"] = []
        [problem] = problems(data)
        assert problem.startswith("targets[2].metric: 'calback' is not a metric; did you mean "
                                  "'callback'? The metrics are response,")
        assert problem.endswith("repair, callback, first_fix (declare others in custom_metrics)")

    def test_typo_of_a_built_in_metric(self) -> None:
        """A misspelt built-in metric names the built-in one."""
        data = policy_dict(custom_metrics=[])
        data["targets"] = [{"metric": "respnse", "calendar": "business", "within": "1h"}]
        data["escalations"] = data["measures"] = []
        [problem] = problems(data)
        assert "'respnse' is not a metric; did you mean 'response'?" in problem

    def test_undeclared_metric_everywhere(self) -> None:
        """Without the declaration, the custom name is refused in targets, ladders, measures."""
        found = problems(policy_dict(custom_metrics=["first_fix"]))
        assert [p.split(":")[0] for p in found] == [
            "targets[2].metric", "escalations[0].metric", "measures[0].metric"]
        assert all("did you mean" not in p for p in found)  # nothing close to "callback"

    @pytest.mark.parametrize(("declared", "message"), [
        ("callbacks", "custom_metrics: 'callbacks' is not an array of metric names"),
        (["response"], "custom_metrics[0]: 'response' is a built-in metric; use it without "
                       "declaring it"),
        (["opened"], "custom_metrics[0]: 'opened' is the instant a case is opened"),
        (["call back"], "custom_metrics[0]: 'call back' is not a metric name"),
        (["1st_fix"], "custom_metrics[0]: '1st_fix' is not a metric name"),
        (["x" * 65], "is not a metric name"),
        ([7], "custom_metrics[0]: 7 is not a metric name"),
        (["callback", "callback", "first_fix"], "custom_metrics[1]: 'callback' is declared twice"),
    ])
    def test_bad_declarations(self, declared: Any, message: str) -> None:
        """Each bad declaration is reported with its key path."""
        assert any(message in p for p in problems(policy_dict(custom_metrics=declared)))

    def test_long_bad_name_is_echoed_capped(self) -> None:
        """A huge bad value is not repeated in full."""
        [problem, *_] = problems(policy_dict(custom_metrics=["x y" * 10_000]))
        assert len(problem) < 500

    def test_toml_round_trip(self) -> None:
        """The declaration is written back and read to an equal policy."""
        text = POLICY.to_toml()
        assert tomllib.loads(text)["custom_metrics"] == ["callback", "first_fix"]
        assert sla.Policy.from_toml_text(text) == POLICY
        assert sla.Policy.from_dict(POLICY.to_dict()) == POLICY

    def test_policy_without_custom_metrics_writes_no_key(self) -> None:
        """Existing policies' files are unchanged."""
        assert "custom_metrics" not in sla.templates.load("helpdesk").to_dict()


class TestEvaluation:
    # Monday 2026-03-02 16:00 on the 5x8 calendar: one business hour left that day.
    OPENED = dt.datetime(2026, 3, 2, 16, tzinfo=SH)

    def case(self, **achieved: dt.datetime) -> sla.Case:
        return sla.Case("T-1", self.OPENED, achieved=achieved)

    def test_deadlines_and_statuses(self) -> None:
        """callback (2 business hours) is due Tuesday 10:00; first_fix (8 h) Tuesday 16:00;
        a callback at 10:00 is met, a first fix at 16:30 is breached."""
        evaluation = sla.evaluate(POLICY, self.case(
            callback=dt.datetime(2026, 3, 3, 10, tzinfo=SH),
            first_fix=dt.datetime(2026, 3, 3, 16, 30, tzinfo=SH)))
        assert [r.metric for r in evaluation] == ["response", "callback", "first_fix"]
        assert evaluation["callback"].deadline == dt.datetime(2026, 3, 3, 10, tzinfo=SH)
        assert evaluation["callback"].status == "met"
        assert evaluation["first_fix"].deadline == dt.datetime(2026, 3, 3, 16, tzinfo=SH)
        assert evaluation["first_fix"].status == "breached"
        [step] = evaluation["callback"].escalations
        assert (step.name, step.at) == ("lead", dt.datetime(2026, 3, 2, 17, tzinfo=SH))

    def test_batch_equals_one_by_one(self) -> None:
        """evaluate_many gives the custom metrics exactly as evaluate does."""
        cases = [self.case(), self.case(callback=dt.datetime(2026, 3, 3, 11, tzinfo=SH))]
        assert sla.evaluate_many(POLICY, cases) == [sla.evaluate(POLICY, c) for c in cases]
        many = sla.evaluate_many(POLICY, cases)
        assert many[1]["callback"].status == "breached"
        assert "first_fix" in many[0]

    def test_report_measure_on_a_custom_metric(self) -> None:
        """One callback met and one breached in March: 50 % against 90 %, missed."""
        cases = [sla.Case("A", self.OPENED, achieved={
                     "callback": dt.datetime(2026, 3, 3, 9, 30, tzinfo=SH)}),
                 sla.Case("B", self.OPENED, achieved={
                     "callback": dt.datetime(2026, 3, 3, 12, tzinfo=SH)})]
        [row] = sla.report(POLICY, cases)
        assert (row.measure, row.met, row.breached, row.verdict) == ("callbacks_on_time", 1, 1,
                                                                  "missed")

    @given(st.lists(st.sampled_from(["callback", "first_fix", "reply", "x_1"]), unique=True),
           st.permutations(["first_fix", "callback"]))
    def test_metric_order_is_declaration_order(self, extra: list[str], order: list[str]) -> None:
        """Whatever is declared, metrics() lists built-ins first, then the declared ones with
        targets in the order declared."""
        declared = [m for m in order if m not in extra] + [m for m in extra if m != "reply"]
        data = policy_dict(custom_metrics=declared, escalations=[], measures=[])
        data["targets"] = [{"metric": m, "calendar": "business", "within": "1h"}
                           for m in ["reply", *reversed(declared)]]
        policy = sla.Policy.from_dict(data)
        assert policy.metrics() == ["reply", *declared]
