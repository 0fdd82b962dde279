"""``slacalc.testing.check_policy`` and its invariants: clean on every template, and each
invariant caught with a shrunk counterexample on a seeded defect.

Policy defects are written into small policies (B restores faster than A, Gold faster than
Diamond, a 120 % escalation step). Engine-level properties hold for any policy, so their defects
are planted in the engine with ``monkeypatch`` (a test double): a pause that counts against the
provider, a batch that forgets pauses, a deadline read from the wall clock, a TOML writer that
changes a target, an off-by-one status at the deadline.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import pytest
from hypothesis import settings

import slacalc as sla
from slacalc import evaluation, testing

FEW = 25  # examples per invariant; a seeded defect is found well within it


def contract(**changes: Any) -> dict[str, Any]:
    """A small sound contract: severities A (most severe) and B, tiers gold < diamond, a 5x8
    reply and a 7x24 restore with a ladder, pauses for customer information."""
    data: dict[str, Any] = {
        "name": "small",
        "calendars": {"always": {"coverage": "7x24", "country": "CN"},
                      "business": {"coverage": "5x8", "country": "CN"}},
        "clock": {"pause_reasons": ["customer_info"]},
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
            {"name": "half", "at": 0.5}, {"name": "late", "offset": "+1h"}]}],
    }
    data.update(changes)
    return data


def violations(policy: sla.Policy, name: str, **kw: Any) -> list[testing.Violation]:
    return testing.find_violations(policy, invariants=[name], max_examples=FEW, seed=1, **kw)


def only(found: list[testing.Violation], name: str) -> testing.Violation:
    assert [v.invariant for v in found] == [name], [str(v) for v in found]
    v = found[0]
    assert v.case is not None and v.row is not None
    # the row is what ``slacalc evaluate`` reads: plain JSON with an ISO instant and offset
    row = json.loads(json.dumps(v.row))
    assert dt.datetime.fromisoformat(row["opened"]).utcoffset() is not None
    return v


class TestCleanPolicies:
    @pytest.mark.parametrize("name", sla.templates.names())
    def test_every_template_passes_every_invariant(self, name: str) -> None:
        """Each built-in template keeps every invariant (a small budget; ``policy verify``
        runs the larger default)."""
        testing.check_policy(sla.templates.load(name), max_examples=10)

    def test_the_small_contract_is_sound(self) -> None:
        """The base of the seeded defects below is itself clean."""
        testing.check_policy(sla.Policy.from_dict(contract()), max_examples=FEW)


class TestSeededPolicyDefects:
    def test_b_restoring_faster_than_a(self) -> None:
        """B's restore (1 h) faster than A's (2 h): severity-order fails, and the shrunk case is
        the plainest one (no pauses, achievements or changes)."""
        data = contract()
        data["severities"][1]["targets"][0]["within"] = "1h"
        v = only(violations(sla.Policy.from_dict(data), "severity-order"), "severity-order")
        assert "restore" in v.message and "'A'" in v.message and "'B'" in v.message
        assert set(v.row or {}) <= {"id", "opened", "severity", "tier", "zone"}

    def test_a_stated_severity_order_is_used(self) -> None:
        """Listing B as the more severe makes the sound contract fail, the other way round."""
        policy = sla.Policy.from_dict(contract())
        v = only(violations(policy, "severity-order", severity_order=["B", "A"]),
                 "severity-order")
        assert "severity 'B' (ranked above 'A')" in v.message

    def test_gold_faster_than_diamond(self) -> None:
        """A Gold-only restore of 1 h ahead of the general rules: the lower tier is faster."""
        data = contract()
        data["targets"] = [{"metric": "restore", "calendar": "always", "within": "1h",
                            "when": {"tier": ["gold"]}}]
        data["severities"][0]["targets"] = data["severities"][0]["targets"][1:]
        data["severities"][1]["targets"] = data["severities"][1]["targets"][1:]
        data["targets"].append({"metric": "restore", "calendar": "always", "within": "2h"})
        v = only(violations(sla.Policy.from_dict(data), "tier-order"), "tier-order")
        assert "tier 'diamond' (ranked above 'gold')" in v.message
        assert v.row is not None and v.row["tier"] == "diamond"

    def test_a_120_percent_step(self) -> None:
        """A step at 120 % of the target (the file format refuses it; code can still build
        one) lies past the deadline it warns about."""
        policy = sla.Policy.from_dict(contract())
        ladder = policy.escalations[0]
        bad = attrs.evolve(ladder, steps=(attrs.evolve(ladder.steps[0], at=1.2),
                                          *ladder.steps[1:]))
        policy = attrs.evolve(policy, escalations=(bad,))
        v = only(violations(policy, "escalation-order"), "escalation-order")
        assert "120%" in v.message and "past the deadline" in v.message

    def test_check_policy_raises_an_assertion_error_listing_the_case(self) -> None:
        """Inside pytest, ``check_policy`` fails the test with every violation and its row."""
        data = contract()
        data["severities"][1]["targets"][0]["within"] = "1h"
        with pytest.raises(AssertionError) as caught:
            testing.check_policy(sla.Policy.from_dict(data), max_examples=FEW, seed=3)
        assert isinstance(caught.value, testing.PolicyCheckError)
        text = str(caught.value)
        assert "severity-order" in text and '"opened"' in text


class TestBrokenEngine:
    def test_deadline_before_start(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An engine whose within-deadlines fall before the clock starts."""
        monkeypatch.setattr(evaluation, "_budget",
                            lambda cal, start, budget, pauses: start - dt.timedelta(minutes=1))
        v = only(violations(sla.Policy.from_dict(contract()), "deadline-after-start"),
                 "deadline-after-start")
        assert "before its clock's start" in v.message

    def test_a_pause_that_shortens_the_deadline(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An engine that takes an hour off a deadline whenever a stopping pause is recorded."""
        original = evaluation._budget

        def broken(cal: sla.Calendar, start: dt.datetime, budget: dt.timedelta,
                   pauses: list[sla.Pause]) -> dt.datetime | None:
            out = original(cal, start, budget, pauses)
            return out - dt.timedelta(hours=1) if out is not None and pauses else out

        monkeypatch.setattr(evaluation, "_budget", broken)
        v = only(violations(sla.Policy.from_dict(contract()), "pause-never-earlier"),
                 "pause-never-earlier")
        assert "brings the deadline earlier" in v.message
        assert v.case is not None and len(v.case.pauses) == 1  # shrunk to the one added pause

    def test_a_pause_counted_in_real_time(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A calendar-blind engine that adds a pause's whole length (not its covered time):
        a pause in the night moves a business-hours deadline."""
        original = evaluation._budget

        def broken(cal: sla.Calendar, start: dt.datetime, budget: dt.timedelta,
                   pauses: list[sla.Pause]) -> dt.datetime | None:
            out = original(cal, start, budget, [])
            extra = sum((p.end - p.start for p in pauses if p.end is not None),
                        dt.timedelta(0))
            return cal.add(out, extra) if extra else out

        monkeypatch.setattr(evaluation, "_budget", broken)
        v = only(violations(sla.Policy.from_dict(contract()), "pause-outside-coverage"),
                 "pause-outside-coverage")
        assert "wholly outside calendar" in v.message

    def test_off_by_one_at_the_deadline(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An engine that calls an achievement exactly at the deadline breached."""
        original = sla.evaluate

        def broken(policy: sla.Policy, case: sla.Case, now: dt.datetime | None = None
                   ) -> sla.Evaluation:
            results = tuple(
                attrs.evolve(r, status="breached") if r.achieved is not None and r.deadline
                is not None and r.achieved == r.deadline else r
                for r in original(policy, case, now))
            return sla.Evaluation(case.id, results)

        monkeypatch.setattr(sla, "evaluate", broken)
        v = only(violations(sla.Policy.from_dict(contract()), "met-at-deadline"),
                 "met-at-deadline")
        assert "is breached, not met" in v.message

    def test_a_batch_that_forgets_pauses(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A batch path that drops the cases' pauses."""
        monkeypatch.setattr(sla, "evaluate_many", lambda policy, cases, now=None: [
            sla.evaluate(policy, attrs.evolve(c, pauses=()), now) for c in cases])
        v = only(violations(sla.Policy.from_dict(contract()), "batch-equals-single"),
                 "batch-equals-single")
        assert "(batch, then one at a time)" in v.message
        assert v.case is not None and v.case.pauses

    def test_wall_clock_instead_of_instants(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An engine that reads the opening's wall clock as UTC."""
        original = sla.evaluate
        monkeypatch.setattr(sla, "evaluate", lambda policy, case, now=None: original(
            policy, attrs.evolve(case, opened=case.opened.replace(tzinfo=dt.UTC)), now))
        v = only(violations(sla.Policy.from_dict(contract()), "zone-independence"),
                 "zone-independence")
        assert "written in" in v.message

    def test_a_toml_writer_that_changes_a_target(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A TOML writer that writes A's restore as 3 hours."""
        original = sla.Policy.to_toml
        monkeypatch.setattr(sla.Policy, "to_toml",
                            lambda self: original(self).replace('within = "2h"', 'within = "3h"'))
        v = only(violations(sla.Policy.from_dict(contract()), "toml-round-trip"),
                 "toml-round-trip")
        assert "read back" in v.message


class TestArguments:
    def test_unknown_invariant(self) -> None:
        """An unknown invariant name is refused with the list of names."""
        with pytest.raises(sla.SlaValueError, match="no invariant named 'fast'; the invariants"):
            testing.check_policy(sla.templates.load("helpdesk"), invariants=["fast"])

    def test_bad_order(self) -> None:
        """A severity order naming a level the policy lacks is refused."""
        with pytest.raises(sla.SlaValueError, match=r"severity_order=.*'Z' is not one"):
            testing.check_policy(sla.Policy.from_dict(contract()), severity_order=["A", "Z"])

    def test_hypothesis_settings_pass_through(self) -> None:
        """``settings`` replaces the defaults (here: one example per invariant)."""
        calls: list[int] = []
        original = sla.evaluate

        def counting(policy: sla.Policy, case: sla.Case, now: dt.datetime | None = None
                     ) -> sla.Evaluation:
            calls.append(1)
            return original(policy, case, now)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(sla, "evaluate", counting)
            testing.check_policy(sla.Policy.from_dict(contract()),
                                 invariants=["deadline-after-start"],
                                 settings=settings(max_examples=1, database=None, deadline=None))
        assert 1 <= len(calls) <= 3

    def test_registry_names_are_unique(self) -> None:
        """Each invariant has a distinct name and a summary; ``invariant`` finds it."""
        names = [i.name for i in testing.INVARIANTS]
        assert len(set(names)) == len(names) == 10
        for inv in testing.INVARIANTS:
            assert testing.invariant(inv.name) is inv and inv.summary


def test_a_pause_outside_coverage_joined_to_a_later_open_pause() -> None:
    """The counterexample ``policy verify builtin:severity-a-d`` finds, made small: reply within
    4 business hours (09:00-17:00), opened 07:00 and replied 07:01 (met, due 13:00); an open
    pause from 07:01, when the reply came, changes nothing. Adding a pause 07:00-07:01, before
    the window opens, must change nothing either; the engine makes the deadline ``None``."""
    policy = sla.Policy.from_dict({
        "name": "p", "calendars": {"office": {"coverage": "5x8", "tz": "UTC"}},
        "clock": {"pause_reasons": ["customer_info"]},
        "severities": [{"id": "A", "targets": [
            {"metric": "reply", "calendar": "office", "within": "4h"}]}]})

    def at(h: int, m: int = 0) -> dt.datetime:
        return dt.datetime(2026, 3, 2, h, m, tzinfo=dt.UTC)  # a Monday

    case = sla.Case("T", at(7), "A", achieved={"reply": at(7, 1)},
                    pauses=[sla.Pause(at(7, 1), None, "customer_info")])
    assert sla.evaluate(policy, case)["reply"].deadline == at(13)
    outside = attrs.evolve(case, pauses=(*case.pauses, sla.Pause(at(7), at(7, 1), "customer_info")))
    assert sla.evaluate(policy, outside)["reply"].deadline == at(13)
    assert sla.evaluate_many(policy, [outside])[0]["reply"].deadline == at(13)
