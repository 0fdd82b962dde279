"""The built-in templates: every one loads, round-trips, documents itself; bad names are refused."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import tomllib
from zoneinfo import ZoneInfo

import pytest

import slacalc as sla

SH = ZoneInfo("Asia/Shanghai")

# The catalogue as docs/templates.md lists it (hand-written, not read from the package).
EXPECTED = [
    "complaints",
    "helpdesk",
    "onsite-zones",
    "parts-returns",
    "repairs",
    "reports",
    "rma",
    "severity-1-4",
    "severity-a-d",
    "spare-parts",
    "standard-contract",
    "tiers",
]


class TestNames:
    def test_catalogue(self) -> None:
        """names() lists exactly the shipped templates, sorted."""
        assert sla.templates.names() == EXPECTED

    def test_stable_and_a_fresh_list(self) -> None:
        """Two calls agree, and mutating the returned list does not affect the next call."""
        first = sla.templates.names()
        first.append("mine")
        assert sla.templates.names() == EXPECTED

    def test_every_toml_file_is_listed(self) -> None:
        """Every .toml shipped in the package is a template (none hidden, none invented)."""
        files = sorted(
            e.name.removesuffix(".toml")
            for e in importlib.resources.files("slacalc.templates").iterdir()
            if e.name.endswith(".toml")
        )
        assert files == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
class TestEachTemplate:
    def test_loads(self, name: str) -> None:
        """The template loads as a Policy whose name is the template's name."""
        policy = sla.templates.load(name)
        assert isinstance(policy, sla.Policy)
        assert policy.name == name
        # a template promises something: per severity, whatever the severity, or on a schedule
        assert policy.severities or policy.targets or policy.schedules

    def test_round_trips_through_dict(self, name: str) -> None:
        """from_dict(to_dict()) gives an equal policy."""
        policy = sla.templates.load(name)
        assert sla.Policy.from_dict(policy.to_dict()) == policy

    def test_round_trips_through_toml(self, name: str) -> None:
        """from_toml_text(to_toml()) gives an equal policy."""
        pytest.importorskip("slacalc._toml")
        policy = sla.templates.load(name)
        assert sla.Policy.from_toml_text(policy.to_toml()) == policy

    def test_shipped_text_is_the_policy(self, name: str) -> None:
        """The shipped file read with tomllib builds the same policy (no hidden defaults)."""
        text = importlib.resources.files("slacalc.templates").joinpath(f"{name}.toml").read_text(
            encoding="utf-8")
        assert sla.Policy.from_dict(tomllib.loads(text)) == sla.templates.load(name)

    def test_describe(self, name: str) -> None:
        """describe() is the template's description: several lines stating its clause."""
        text = sla.templates.describe(name)
        assert text == sla.templates.load(name).description.strip()
        assert len(text.splitlines()) >= 5
        assert "DESIGN" not in text and "issue" not in text.lower()

    def test_clock_rules(self, name: str) -> None:
        """Every case-based template stops the clock for the three exclusions and excludes force
        majeure (a schedules-only template has no cases, hence no clock)."""
        policy = sla.templates.load(name)
        if not policy.severities and not policy.targets:
            assert policy.schedules
            return
        clock = policy.clock
        assert clock.pause_reasons == {"customer_info", "vendor_defect", "force_majeure"}
        assert clock.exclude_reasons == {"force_majeure"}

    def test_no_vendor_names(self, name: str) -> None:
        """Templates are named generically: lower-case words and digits with dashes."""
        assert name == name.lower()
        assert all(part.isalnum() for part in name.split("-"))

    def test_load_is_shared(self, name: str) -> None:
        """Policies are immutable, so loading twice may (and does) give the same object."""
        assert sla.templates.load(name) is sla.templates.load(name)


class TestUnknown:
    @pytest.mark.parametrize("bad", ["gold", "", "Tiers", "tiers.toml", "../policy"])
    def test_unknown_name(self, bad: str) -> None:
        """An unknown name is a SlaValueError (a ValueError) naming it and listing the names."""
        with pytest.raises(sla.SlaValueError) as info:
            sla.templates.load(bad)
        message = str(info.value)
        assert repr(bad) in message
        for name in EXPECTED:
            assert name in message
        assert isinstance(info.value, ValueError)

    def test_describe_unknown(self) -> None:
        """describe() refuses unknown names the same way."""
        with pytest.raises(sla.SlaValueError, match="'nope'"):
            sla.templates.describe("nope")

    def test_non_string(self) -> None:
        """A non-string name is refused with the same error, not a TypeError."""
        with pytest.raises(sla.SlaValueError, match="3"):
            sla.templates.load(3)  # type: ignore[arg-type]


class TestContents:
    def test_standard_contract_combines(self) -> None:
        """standard-contract carries the tiers, the A-D ladder and escalation ladders."""
        policy = sla.templates.load("standard-contract")
        assert [x.id for x in policy.tiers] == ["standard", "gold", "platinum", "diamond"]
        assert [s.id for s in policy.severities] == ["A", "B", "C", "D"]
        assert {x.metric for x in policy.escalations} == {
            "response", "onsite", "restore", "complaint_resolve"}
        restore = policy.ladder("restore")
        assert restore is not None
        assert [(s.name, s.at) for s in restore.steps] == [
            ("engineer", 0.5), ("expert", 0.75), ("vendor", 1.0)]
        assert policy.clock.severity_change == "shorter"

    def test_quality_measures(self) -> None:
        """repairs states its >= 95 % quota per quarter; standard-contract adds satisfaction
        >= 4 and restore credits (2 % per breach, cap 10 %), all per quarter in Asia/Shanghai."""
        (quota,) = sla.templates.load("repairs").measures
        assert (quota.kind, quota.metric, quota.at_least, quota.period) == (
            "on_time", "repair", 0.95, "quarter")
        assert "cannot state" not in sla.templates.describe("repairs")
        contract = sla.templates.load("standard-contract")
        assert [(m.name, m.kind, m.metric, m.at_least, m.per_breach, m.cap, m.period)
                for m in contract.measures] == [
            ("repairs_on_time", "on_time", "repair", 0.95, None, None, "quarter"),
            ("satisfaction", "average_satisfaction", None, 4.0, None, None, "quarter"),
            ("restore_credits", "credits", "restore", None, 0.02, 0.1, "quarter"),
        ]
        assert all(str(contract.calendar(m.calendar or "always").tz) == "Asia/Shanghai"
                   for m in contract.measures)
        assert "cannot state" not in sla.templates.describe("standard-contract")

    def test_every_metric_is_covered(self) -> None:
        """Between them the templates set a target for every metric but resolve (the
        complaints clause's "closed within 15 days" is complaint_resolve)."""
        used = {m for n in EXPECTED for m in sla.templates.load(n).metrics()}
        assert used == set(sla.METRICS) - {"resolve"}


class TestRma:
    """The RMA clause: the spare ships by the end of the third business day after the fault is
    confirmed (dates hand-checked: National Day 2026 is 1-7 October, Saturday 10 October is a
    make-up working day)."""

    POLICY = sla.templates.load("rma")

    def deadline(self, confirmed: dt.datetime) -> dt.datetime | None:
        case = sla.Case("R-1", confirmed - dt.timedelta(hours=1),
                        achieved={"fault_confirmed": confirmed})
        return sla.evaluate(self.POLICY, case)["parts_ship"].deadline

    @pytest.mark.parametrize(("confirmed", "due_end_of"), [
        (dt.datetime(2026, 9, 30, 14), dt.date(2026, 10, 10)),  # holiday week, make-up Saturday
        (dt.datetime(2026, 3, 6, 23), dt.date(2026, 3, 11)),  # Friday night: Mon, Tue, Wed
        (dt.datetime(2026, 3, 7, 10), dt.date(2026, 3, 11)),  # Saturday counts from Monday
        (dt.datetime(2026, 3, 9, 0, 0), dt.date(2026, 3, 12)),  # the confirming day never counts
    ])
    def test_third_business_day(self, confirmed: dt.datetime, due_end_of: dt.date) -> None:
        """Due at local midnight ending the third business day after the confirmation day."""
        expected = dt.datetime.combine(due_end_of + dt.timedelta(days=1), dt.time(), tzinfo=SH)
        assert self.deadline(confirmed.replace(tzinfo=SH)) == expected

    def test_no_severity_and_pending_until_confirmed(self) -> None:
        """No severity levels: a case without severity is evaluated; before the fault is
        confirmed the promise is pending; a shipment at 23:59 on the third day is met."""
        assert self.POLICY.severities == () and self.POLICY.metrics() == ["parts_ship"]
        opened = dt.datetime(2026, 3, 6, 9, tzinfo=SH)
        assert sla.evaluate(self.POLICY, sla.Case("R-1", opened))["parts_ship"].status \
            == "pending"
        shipped = sla.Case("R-2", opened, achieved={
            "fault_confirmed": opened, "parts_ship": dt.datetime(2026, 3, 11, 23, 59, tzinfo=SH)})
        assert sla.evaluate(self.POLICY, shipped)["parts_ship"].status == "met"

    def test_clause_in_its_own_words(self) -> None:
        """The description states the clause and its readings without citing other files."""
        text = sla.templates.describe("rma")
        assert "third business day" in text and "fault_confirmed" in text
        assert "DESIGN" not in text
