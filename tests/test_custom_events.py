"""A policy's declared events (``custom_events``): loading and validation, the TOML round
trip, achievements a case may record, and the built-in ``rma`` template that uses one.
Expected deadlines are worked out by hand on the CN 5x8 calendar."""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import slacalc as sla
from slacalc.evaluation import known_names

SH = ZoneInfo("Asia/Shanghai")


def policy_dict(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "rma-like",
        "custom_metrics": ["callback"],
        "custom_events": ["fault_confirmed", "swap_done"],
        "calendars": {"business": {"coverage": "5x8", "country": "CN"}},
        "targets": [
            {"metric": "parts_ship", "calendar": "business", "business_days": {"n": 3},
             "start": "fault_confirmed"},
            {"metric": "callback", "calendar": "business", "within": "2h",
             "start": "swap_done"},
        ],
    }
    data.update(changes)
    return data


POLICY = sla.Policy.from_dict(policy_dict())


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(sla.PolicyError) as info:
        sla.Policy.from_dict(data)
    return list(info.value.problems)


class TestLoading:
    def test_declared_events_are_kept_in_order(self) -> None:
        """The declaration is read as given."""
        assert POLICY.custom_events == ("fault_confirmed", "swap_done")

    def test_default_is_none(self) -> None:
        """A policy that declares nothing has no custom events."""
        assert sla.templates.load("helpdesk").custom_events == ()

    @pytest.mark.parametrize(("declared", "message"), [
        ("fault_confirmed", "custom_events: 'fault_confirmed' is not an array of event names"),
        (["parts_ship"], "custom_events[0]: 'parts_ship' is a metric; a clock may start at a "
                         "metric without declaring it as an event"),
        (["callback"], "custom_events[0]: 'callback' is a metric"),
        (["diagnosed"], "custom_events[0]: 'diagnosed' is a built-in event; use it without "
                        "declaring it"),
        (["opened"], "custom_events[0]: 'opened' is the instant a case is opened"),
        (["fault confirmed"], "custom_events[0]: 'fault confirmed' is not an event name"),
        (["1st_call"], "custom_events[0]: '1st_call' is not an event name"),
        (["x" * 65], "is not an event name"),
        ([7], "custom_events[0]: 7 is not an event name"),
        (["swap_done", "swap_done"], "custom_events[1]: 'swap_done' is declared twice"),
    ])
    def test_bad_declarations(self, declared: Any, message: str) -> None:
        """Each bad declaration is reported at its key path, saying why."""
        assert any(message in p for p in problems(policy_dict(custom_events=declared)))

    def test_long_bad_name_is_echoed_capped(self) -> None:
        """A huge bad value is not repeated in full."""
        [problem, *_] = problems(policy_dict(custom_events=["x y" * 10_000]))
        assert len(problem) < 500

    def test_misspelt_key_is_refused(self) -> None:
        """'custom_event' is an unknown key, not silently ignored."""
        data = policy_dict()
        data["custom_event"] = data.pop("custom_events")
        assert any(p.startswith("custom_event: unknown key") for p in problems(data))

    def test_toml_round_trip(self) -> None:
        """The declaration is written back and read to an equal policy."""
        text = POLICY.to_toml()
        assert tomllib.loads(text)["custom_events"] == ["fault_confirmed", "swap_done"]
        assert sla.Policy.from_toml_text(text) == POLICY
        assert sla.Policy.from_dict(POLICY.to_dict()) == POLICY

    def test_policy_without_custom_events_writes_no_key(self) -> None:
        """Existing policies' files are unchanged."""
        assert "custom_events" not in sla.templates.load("helpdesk").to_dict()

    def test_input_is_not_mutated(self) -> None:
        """Loading leaves the caller's list alone."""
        data = policy_dict()
        sla.Policy.from_dict(data)
        assert data["custom_events"] == ["fault_confirmed", "swap_done"]


class TestCases:
    def test_known_names_include_declared_events(self) -> None:
        """A declared event is a name a case may record, even when no clock starts at it."""
        policy = sla.Policy.from_dict(policy_dict(custom_events=["fault_confirmed", "audited"]))
        assert {"fault_confirmed", "audited"} <= known_names(policy)
        assert "audited" not in known_names(sla.Policy.from_dict(policy_dict()))

    def test_a_case_may_record_a_declared_event(self) -> None:
        """Recording a declared event that starts no clock is accepted, and changes nothing."""
        policy = sla.Policy.from_dict(policy_dict(custom_events=["fault_confirmed", "audited"]))
        opened = dt.datetime(2026, 3, 5, 10, tzinfo=SH)
        confirmed = dt.datetime(2026, 3, 6, 11, tzinfo=SH)  # Friday
        plain = sla.Case("R-1", opened, achieved={"fault_confirmed": confirmed})
        noted = sla.Case("R-1", opened, achieved={"fault_confirmed": confirmed,
                                                  "audited": confirmed})
        # third business day after Friday 6 March: Wednesday 11 March, due by its end
        due = dt.datetime(2026, 3, 12, tzinfo=SH)
        assert sla.evaluate(policy, plain)["parts_ship"].deadline == due
        assert sla.evaluate(policy, noted)["parts_ship"].deadline == due

    def test_an_undeclared_name_is_still_refused(self) -> None:
        """A misspelt event is refused, naming the closest known name."""
        case = sla.Case("R-1", dt.datetime(2026, 3, 5, 10, tzinfo=SH),
                        achieved={"fault_confirmd": dt.datetime(2026, 3, 6, 11, tzinfo=SH)})
        with pytest.raises(sla.SlaValueError, match="did you mean 'fault_confirmed'"):
            sla.evaluate(POLICY, case)


def test_rma_template_declares_its_event() -> None:
    """The rma template declares fault_confirmed, the event its parts_ship clock starts at."""
    rma = sla.templates.load("rma")
    assert rma.custom_events == ("fault_confirmed",)
    assert [t.start for t in rma.targets] == ["fault_confirmed"]
