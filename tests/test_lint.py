"""``slacalc.lint``: every template is clean; each rule finds its seeded defect, with a key
path and a message that says what to do."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import slacalc as sla
from slacalc.lint import RULES, Finding, lint


def contract() -> dict[str, Any]:
    """A small clean contract: A above B, gold below diamond, two calendars, one ladder."""
    return {
        "name": "small",
        "calendars": {"always": {"coverage": "7x24", "tz": "UTC"},
                      "business": {"coverage": "5x8", "tz": "UTC"}},
        "tiers": [{"id": "gold"}, {"id": "diamond"}],
        "severities": [
            {"id": "A", "targets": [
                {"metric": "restore", "calendar": "always", "within": "2h"},
                {"metric": "reply", "calendar": "business", "within": "4h"}]},
            {"id": "B", "targets": [
                {"metric": "restore", "calendar": "always", "within": "4h"},
                {"metric": "reply", "calendar": "business", "within": "8h"}]},
        ],
        "escalations": [{"metric": "restore", "steps": [
            {"name": "half", "at": 0.5}, {"name": "all", "at": 1.0},
            {"name": "late", "offset": "+1h"}]}],
    }


def rules_of(found: tuple[Finding, ...]) -> list[tuple[str, str]]:
    return [(f.rule, f.path) for f in found]


@pytest.mark.parametrize("name", sla.templates.names())
def test_every_template_is_clean(name: str) -> None:
    """No built-in template has a lint finding."""
    assert lint(sla.templates.load(name)) == ()


def test_the_small_contract_is_clean() -> None:
    """The base of the seeded defects has no finding."""
    assert lint(sla.Policy.from_dict(contract())) == ()


class TestShadowedRule:
    def test_a_catch_all_ahead_of_a_narrower_rule(self) -> None:
        """A catch-all restore rule before a city-only one: the second is never chosen."""
        data = contract()
        data["severities"][0]["targets"].append(
            {"metric": "restore", "calendar": "always", "within": "1h", "when": {"zone": "city"}})
        found = lint(sla.Policy.from_dict(data))
        assert rules_of(found) == [("shadowed-rule", "severities[0].targets[2]")]
        assert "severities[0].targets[0] comes first" in found[0].message

    def test_a_policy_rule_behind_every_severitys_own(self) -> None:
        """A policy-level restore rule is never reached: every severity has its own."""
        data = contract()
        data["targets"] = [{"metric": "restore", "calendar": "always", "within": "9h"}]
        assert rules_of(lint(sla.Policy.from_dict(data))) == [("shadowed-rule", "targets[0]")]

    def test_a_narrower_rule_first_is_fine(self) -> None:
        """Conditions that do not cover the later rule (other zone, other hours) shadow
        nothing."""
        data = contract()
        data["severities"][0]["targets"].insert(0, {
            "metric": "restore", "calendar": "always", "within": "1h",
            "when": {"zone": "city", "hours": "in", "hours_calendar": "business"}})
        assert lint(sla.Policy.from_dict(data)) == ()


class TestMissingTarget:
    def test_a_gap_between_severities(self) -> None:
        """A and C restore, B (between them) never does."""
        data = contract()
        data["severities"].append({"id": "C", "targets": [
            {"metric": "restore", "calendar": "always", "within": "8h"},
            {"metric": "reply", "calendar": "business", "within": "8h"}]})
        del data["severities"][1]["targets"][0]
        found = lint(sla.Policy.from_dict(data))
        assert rules_of(found) == [("missing-target", "severities[1]")]
        assert "severity 'B' has no target for restore" in found[0].message

    def test_a_higher_tier_without_a_lower_tiers_promise(self) -> None:
        """Gold gets an on-site promise that Diamond does not."""
        data = contract()
        data["targets"] = [{"metric": "onsite", "calendar": "always", "within": "4h",
                            "when": {"tier": ["gold"]}}]
        found = lint(sla.Policy.from_dict(data))
        assert rules_of(found) == [("missing-target", "tiers[1]")]
        assert "tier 'diamond' gets no target for onsite" in found[0].message


class TestEscalationOrder:
    def test_shares_out_of_order(self) -> None:
        """A 25 % step after a 50 % one."""
        data = contract()
        data["escalations"][0]["steps"].insert(1, {"name": "quarter", "at": 0.25})
        found = lint(sla.Policy.from_dict(data))
        assert rules_of(found) == [("escalation-order", "escalations[0].steps[1]")]
        assert "25% comes after 50%" in found[0].message

    def test_a_share_after_a_late_offset(self) -> None:
        """A 90 % step listed after a step an hour past the deadline."""
        data = contract()
        data["escalations"][0]["steps"].append({"name": "ninety", "at": 0.9})
        assert rules_of(lint(sla.Policy.from_dict(data))) == [
            ("escalation-order", "escalations[0].steps[3]")]

    def test_a_120_percent_step(self) -> None:
        """A step past 100 % (buildable in code only) is an error."""
        policy = sla.Policy.from_dict(contract())
        ladder = policy.escalations[0]
        bad = attrs.evolve(ladder, steps=(attrs.evolve(ladder.steps[0], at=1.2),))
        found = lint(attrs.evolve(policy, escalations=(bad,)))
        assert [(f.rule, f.severity) for f in found] == [("escalation-order", "error")]
        assert "120% of the target, past the deadline" in found[0].message


class TestUnknownName:
    def test_an_undeclared_tier(self) -> None:
        """A condition on tier 'platinum', which the policy does not declare."""
        data = contract()
        data["severities"][0]["targets"][0]["when"] = {"tier": ["platinum"]}
        data["severities"][0]["targets"].append(
            {"metric": "restore", "calendar": "always", "within": "3h"})
        found = lint(sla.Policy.from_dict(data))
        assert ("unknown-name", "severities[0].targets[0].when.tier") in rules_of(found)

    def test_a_misspelt_zone(self) -> None:
        """'near_conty' named once next to 'near_county' named twice."""
        data = contract()
        data["targets"] = [
            {"metric": "onsite", "calendar": "always", "within": "2h",
             "when": {"zone": ["near_county"], "severity": ["A"]}},
            {"metric": "onsite", "calendar": "always", "within": "4h",
             "when": {"zone": ["near_county"], "severity": ["B"]}},
            {"metric": "onsite", "calendar": "always", "within": "3h",
             "when": {"zone": ["near_conty"]}},
        ]
        found = lint(sla.Policy.from_dict(data))
        assert rules_of(found) == [("unknown-name", "targets[2].when.zone")]
        assert "looks like 'near_county'" in found[0].message

    def test_an_unknown_severity_in_a_condition(self) -> None:
        """A policy-level rule for severity 'Z'."""
        data = contract()
        data["targets"] = [{"metric": "onsite", "calendar": "always", "within": "2h",
                            "when": {"severity": ["Z"]}}]
        assert ("unknown-name", "targets[0].when.severity") in rules_of(
            lint(sla.Policy.from_dict(data)))


def test_an_unused_calendar() -> None:
    """A calendar nothing refers to."""
    data = contract()
    data["calendars"]["spare"] = {"coverage": "5x24", "tz": "UTC"}
    assert rules_of(lint(sla.Policy.from_dict(data))) == [("unused-calendar", "calendars.spare")]


class TestUnreachableStart:
    def test_a_misspelt_event(self) -> None:
        """A clock starting at 'diagnosd': nothing records it; the message suggests the name."""
        data = contract()
        data["targets"] = [{"metric": "parts_arrive", "calendar": "business", "within": "8h",
                            "start": "diagnosd"}]
        found = lint(sla.Policy.from_dict(data))
        assert rules_of(found) == [("unreachable-start", "targets[0].start")]
        assert "did you mean 'diagnosed'?" in found[0].message

    def test_an_event_the_user_declares(self) -> None:
        """An event the user's cases record is fine once named."""
        data = contract()
        data["targets"] = [{"metric": "parts_arrive", "calendar": "business", "within": "8h",
                            "start": "shipped"}]
        policy = sla.Policy.from_dict(data)
        assert rules_of(lint(policy)) == [("unreachable-start", "targets[0].start")]
        assert lint(policy, events=["shipped"]) == ()

    def test_a_clock_starting_at_its_own_metric(self) -> None:
        """restore timed from restore never runs."""
        data = contract()
        data["targets"] = [{"metric": "repair", "calendar": "business", "within": "8h",
                            "start": "repair"}]
        found = lint(sla.Policy.from_dict(data))
        assert [(f.rule, f.severity) for f in found] == [("unreachable-start", "error")]

    def test_an_event_the_policy_declares(self) -> None:
        """An event declared in the policy's custom_events counts as recorded by its cases."""
        data = contract()
        data["targets"] = [{"metric": "parts_arrive", "calendar": "business", "within": "8h",
                            "start": "shipped"}]
        data["custom_events"] = ["shipped"]
        assert lint(sla.Policy.from_dict(data)) == ()

    def test_a_custom_metric_as_start(self) -> None:
        """A clock may start at a metric the policy declares, as at a built-in one."""
        data = contract()
        data["custom_metrics"] = ["callback"]
        data["targets"] = [{"metric": "callback", "calendar": "business", "within": "2h"},
                           {"metric": "parts_arrive", "calendar": "business", "within": "8h",
                            "start": "callback"}]
        assert lint(sla.Policy.from_dict(data)) == ()

    def test_the_hint_for_an_unknown_event_names_custom_events(self) -> None:
        """The message for a name far from any known one says where to declare it."""
        data = contract()
        data["targets"] = [{"metric": "parts_arrive", "calendar": "business", "within": "8h",
                            "start": "shipped"}]
        [finding] = lint(sla.Policy.from_dict(data))
        assert finding.message.endswith("declare it in the policy's custom_events")


def test_an_unused_declared_event() -> None:
    """A declared event that no clock starts at is flagged at its key path."""
    data = contract()
    data["custom_events"] = ["shipped", "fault_confirmed"]
    data["targets"] = [{"metric": "parts_arrive", "calendar": "business", "within": "8h",
                        "start": "shipped"}]
    found = lint(sla.Policy.from_dict(data))
    assert [(f.rule, f.severity, f.path) for f in found] == [
        ("unused-event", "warning", "custom_events[1]")]
    assert "'fault_confirmed' is declared but no target's clock starts at it" in found[0].message


def test_rules_registry_covers_every_rule_found() -> None:
    """Every rule id a finding uses is listed in ``RULES``; findings are immutable."""
    ids = {r.id for r in RULES}
    assert len(ids) == len(RULES) == 7
    finding = Finding("unused-calendar", "warning", "calendars.x", "m")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        finding.rule = "other"  # type: ignore[misc]


def test_bad_arguments() -> None:
    """A non-policy and an order naming unknown tiers are refused."""
    with pytest.raises(sla.SlaValueError, match=r"policy must be a slacalc\.Policy"):
        lint({"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(sla.SlaValueError, match="tier_order"):
        lint(sla.Policy.from_dict(contract()), tier_order=["bronze"])
