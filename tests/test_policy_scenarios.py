"""Scenario tests straight from DESIGN's domain section, run on the built-in templates.

Every expected instant below was worked out by hand from the official 2026 CN schedule:
Spring Festival 02-15..02-23 off, make-up Saturdays 02-14 and 02-28; Mid-Autumn Fri 09-25 off;
National Day 10-01..10-07 off, make-up Sunday 09-20 and Saturday 10-10. The arithmetic is spelt
out beside each value; nothing here is computed by slacalc.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import attrs
import pytest

import slacalc as sla

CN = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def t(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
      second: int = 0) -> dt.datetime:
    """An instant in Beijing time."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=CN)


def with_change_rule(policy: sla.Policy, rule: str) -> sla.Policy:
    """The policy with another ``clock.severity_change``."""
    return attrs.evolve(policy, clock=attrs.evolve(policy.clock, severity_change=rule))


@pytest.fixture(scope="module")
def contract() -> sla.Policy:
    return sla.templates.load("standard-contract")


@pytest.fixture(scope="module")
def ladder() -> sla.Policy:
    return sla.templates.load("severity-a-d")


# -- the headline scenario ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def evaluation(contract: sla.Policy) -> sla.Evaluation:
    """The headline case evaluated at Fri 2026-10-09 16:00."""
    case = sla.Case(
        "A-GOLD-FAR", t(2026, 10, 1, 23, 10), "A", tier="gold", zone="far_county",
        achieved={
            "response": t(2026, 10, 1, 23, 30),
            "depart": t(2026, 10, 1, 23, 20),
            "onsite": t(2026, 10, 2, 1, 30),
            "restore": t(2026, 10, 2, 2, 0),
            "diagnosed": t(2026, 10, 2, 1, 45),
        },
        pauses=[sla.Pause(t(2026, 10, 2, 0, 0), t(2026, 10, 2, 0, 20), "customer_info")],
    )
    result: sla.Evaluation = sla.evaluate(contract, case, now=t(2026, 10, 9, 16, 0))
    return result


class TestSeverityAGoldFarCountyOnAHoliday:
    """"Severity A for a Gold customer in a far county, opened at 23:10 on a holiday" (the issue's
    headline; DESIGN: severity ladder A, conditional targets, zones, escalation ladders,
    exclusions, 5x8xNBD with the 15:00 cutoff), on the standard contract.

    Opened Thu 2026-10-01 23:10 (National Day). A 20-minute customer_info pause 00:00-00:20.
    """

    def test_response_out_of_hours(self, evaluation: sla.Evaluation) -> None:
        """A holiday night is outside working hours: 1 h (clock time). Responded at 23:30, before
        the 00:00 pause, so that later pause does not move this met deadline."""
        r = evaluation["response"]
        assert r.deadline == t(2026, 10, 2, 0, 10)
        assert r.status == "met"
        assert r.used == 20 * M
        assert r.remaining == 40 * M
        assert [(e.name, e.at, e.status) for e in r.escalations] == [
            ("warning", t(2026, 10, 2, 0, 0), "skipped"),  # 10 min before the deadline
            ("manager", t(2026, 10, 2, 0, 40), "skipped"),  # 30 min after it
        ]

    def test_onsite_far_county_emergency(self, evaluation: sla.Evaluation) -> None:
        """Emergency (A) on site in the far county: 3 h + 20 min paused = 02:30; on site at
        01:30, having used 2 h of the 3."""
        r = evaluation["onsite"]
        assert r.deadline == t(2026, 10, 2, 2, 30)
        assert r.status == "met"
        assert r.used == 2 * H
        assert r.remaining == 1 * H
        assert r.share == pytest.approx(2 / 3)
        # dispatch at 75 % = 2h15m counted: 23:10 + 50 min, pause 20 min, + 85 min = 01:45,
        # after the engineer was already on site
        assert [(e.name, e.at, e.status) for e in r.escalations] == [
            ("dispatch", t(2026, 10, 2, 1, 45), "skipped"),
        ]

    def test_depart_within_3h(self, evaluation: sla.Evaluation) -> None:
        """A: escalate travel within 3 h: 23:10 + 3 h = 02:10; left at 23:20, before the pause
        (which therefore does not move this deadline)."""
        r = evaluation["depart"]
        assert (r.deadline, r.status, r.used) == (t(2026, 10, 2, 2, 10), "met", 10 * M)

    def test_restore_breached_and_escalated(self, evaluation: sla.Evaluation) -> None:
        """A: restored in 2 h (+20 min paused = 01:30), achieved 02:00: breached by 30 min; the
        ladder engineer -> expert -> vendor fires at 50 % / 75 % / 100 %."""
        r = evaluation["restore"]
        assert r.deadline == t(2026, 10, 2, 1, 30)
        assert r.status == "breached"
        assert r.used == dt.timedelta(hours=2, minutes=30)  # 2h50m elapsed less 20 min paused
        assert r.remaining == -30 * M
        assert r.share == pytest.approx(1.25)
        assert [(e.name, e.at, e.status) for e in r.escalations] == [
            ("engineer", t(2026, 10, 2, 0, 30), "fired"),  # 1 h counted: 50 min, pause, 10 min
            ("expert", t(2026, 10, 2, 1, 0), "fired"),
            ("vendor", t(2026, 10, 2, 1, 30), "fired"),
        ]

    def test_explain_names_holiday_and_pause(self, evaluation: sla.Evaluation) -> None:
        """explain() says why: the holiday by name and the pause with its reason."""
        text = evaluation["restore"].explain()
        assert "National Day" in text
        assert "paused: customer_info" in text
        assert "breached" in text

    def test_parts_nbd_after_the_holiday(self, evaluation: sla.Evaluation) -> None:
        """Gold parts 5x8xNBD: diagnosed 01:45 on a holiday, so the effective day is the first
        business day (Thu 10-08) and the part is due the next one, Fri 10-09 by 17:00."""
        r = evaluation["parts_arrive"]
        assert r.start == t(2026, 10, 2, 1, 45)
        assert r.deadline == t(2026, 10, 9, 17, 0)
        assert r.status == "running"  # now = 10-09 16:00
        assert r.used == 15 * H  # 8 h on 10-08 + 7 h on 10-09
        assert r.remaining == H
        assert "National Day" in r.explain()

    def test_other_metrics(self, evaluation: sla.Evaluation) -> None:
        """A has no reply target; complaint, return and repair clocks wait for their events."""
        assert evaluation["reply"].status == "not_applicable"
        assert evaluation["reply"].deadline is None
        for metric in ("complaint_reply", "complaint_resolve", "part_return", "repair"):
            assert evaluation[metric].status == "pending", metric
            assert evaluation[metric].deadline is None


class TestTiers:
    """DESIGN "Service tiers": on-site engineer for Gold, Platinum, Diamond only; parts per tier."""

    def test_standard_tier_has_no_onsite(self, contract: sla.Policy) -> None:
        """Standard: no on-site engineer, so depart and onsite are not applicable; restore is."""
        case = sla.Case("S", t(2026, 10, 1, 23, 10), "A", tier="standard", zone="city")
        ev = sla.evaluate(contract, case)
        assert ev["onsite"].status == "not_applicable"
        assert ev["depart"].status == "not_applicable"
        assert ev["restore"].deadline == t(2026, 10, 2, 1, 10)

    @pytest.mark.parametrize(
        ("tier", "expected"),
        [
            # 5x8xNBD: diagnosed on a holiday -> effective 10-08 -> due 10-09 17:00
            ("standard", t(2026, 10, 9, 17, 0)),
            ("gold", t(2026, 10, 9, 17, 0)),
            # 7x8xND: next calendar day by 18:00, holidays included
            ("platinum", t(2026, 10, 2, 18, 0)),
            # 7x24x4: four clock hours
            ("diamond", t(2026, 10, 2, 3, 10)),
        ],
    )
    def test_parts_by_tier(self, tier: str, expected: dt.datetime) -> None:
        """DESIGN tiers: parts 5x8xNBD, 5x8xNBD, 7x8xND, 7x24x4; diagnosed 2026-10-01 23:10."""
        policy = sla.templates.load("tiers")
        case = sla.Case("P", t(2026, 10, 1, 22, 0), "any", tier=tier,
                        achieved={"diagnosed": t(2026, 10, 1, 23, 10)})
        assert sla.evaluate(policy, case)["parts_arrive"].deadline == expected

    def test_tier_records(self) -> None:
        """Remote 7x24 for all; inspections 0/0/1/4 a year; terms 1, 3, 5 years."""
        policy = sla.templates.load("tiers")
        rows = [(x.id, x.remote, x.parts, x.onsite, x.inspections_per_year, x.terms)
                for x in policy.tiers]
        assert rows == [
            ("standard", "7x24", "5x8xNBD", False, 0, (1, 3, 5)),
            ("gold", "7x24", "5x8xNBD", True, 0, (1, 3, 5)),
            ("platinum", "7x24", "7x8xND", True, 1, (1, 3, 5)),
            ("diamond", "7x24", "7x24x4", True, 4, (1, 3, 5)),
        ]


# -- the A-D ladder -----------------------------------------------------------------------------
class TestLadder:
    """DESIGN "Severity levels", example ladder A-D (template severity-a-d)."""

    def test_d_counts_business_hours_across_national_day(self, ladder: sla.Policy) -> None:
        """D: 5x8 response 30 min, reply 24 h and travel 48 h of 5x8 business time.

        Opened Tue 09-29 10:00: 7 h that day, 8 h on 09-30 (15 h), holiday 10-01..10-07,
        10-08 (23 h), so reply is due 10-09 10:00; travel: 10-09 (31), make-up Sat 10-10 (39),
        Mon 10-12 (47), due Tue 10-13 10:00.
        """
        ev = sla.evaluate(ladder, sla.Case("D1", t(2026, 9, 29, 10, 0), "D"))
        assert ev["response"].deadline == t(2026, 9, 29, 10, 30)
        assert ev["reply"].deadline == t(2026, 10, 9, 10, 0)
        assert ev["depart"].deadline == t(2026, 10, 13, 10, 0)
        assert ev["onsite"].status == "not_applicable"
        assert ev["restore"].status == "not_applicable"
        text = ev["depart"].explain()
        assert "National Day" in text
        assert "make-up workday" in text

    def test_c_counts_5x24(self, ladder: sla.Policy) -> None:
        """C: 5x24 window. Opened Fri 2026-02-13 20:00: 4 h that day, make-up Sat 02-14 counts
        (whole day), Spring Festival 02-15..02-23 does not. Reply 6 h: 02-14 02:00. Travel 24 h:
        4 h + 20 h on 02-14 = 02-14 20:00. Response 30 min: 20:30."""
        ev = sla.evaluate(ladder, sla.Case("C1", t(2026, 2, 13, 20, 0), "C"))
        assert ev["response"].deadline == t(2026, 2, 13, 20, 30)
        assert ev["reply"].deadline == t(2026, 2, 14, 2, 0)
        assert ev["depart"].deadline == t(2026, 2, 14, 20, 0)

    def test_c_opened_in_spring_festival(self, ladder: sla.Policy) -> None:
        """C opened on a Spring Festival holiday (02-16) starts its clock at 00:00 on Tue 02-24."""
        ev = sla.evaluate(ladder, sla.Case("C2", t(2026, 2, 16, 9, 0), "C"))
        assert ev["reply"].deadline == t(2026, 2, 24, 6, 0)
        assert "Spring Festival" in ev["reply"].explain()

    def test_b_now_running_and_breached(self, ladder: sla.Policy) -> None:
        """B: 7x24, restored in 4 h. Opened Sat 2026-10-17 08:00 (ordinary weekend): due 12:00.
        At 11:00: running, 3 h used, 1 h left, expert step (75 % = 11:00) fired, vendor pending.
        At 12:00:01: breached."""
        case = sla.Case("B1", t(2026, 10, 17, 8, 0), "B")
        r = sla.evaluate(ladder, case, now=t(2026, 10, 17, 11, 0))["restore"]
        assert (r.deadline, r.status, r.used, r.remaining) == (
            t(2026, 10, 17, 12, 0), "running", 3 * H, H)
        assert r.share == pytest.approx(0.75)
        assert [(e.name, e.at, e.status) for e in r.escalations] == [
            ("engineer", t(2026, 10, 17, 10, 0), "fired"),
            ("expert", t(2026, 10, 17, 11, 0), "fired"),
            ("vendor", t(2026, 10, 17, 12, 0), "pending"),
        ]
        late = sla.evaluate(ladder, case, now=t(2026, 10, 17, 12, 0, 1))["restore"]
        assert late.status == "breached"

    def test_one_to_four_matches_a_to_d(self) -> None:
        """The 1-4 ladder makes the same promises as A-D (1 = A ... 4 = D)."""
        numbered = sla.templates.load("severity-1-4")
        assert [s.id for s in numbered.severities] == ["1", "2", "3", "4"]
        ev = sla.evaluate(numbered, sla.Case("N4", t(2026, 9, 29, 10, 0), "4"))
        assert ev["reply"].deadline == t(2026, 10, 9, 10, 0)
        ev1 = sla.evaluate(numbered, sla.Case("N1", t(2026, 10, 1, 23, 10), "1"))
        assert ev1["restore"].deadline == t(2026, 10, 2, 1, 10)
        assert ev1["onsite"].deadline == t(2026, 10, 1, 23, 40)
        assert ev1["depart"].deadline == t(2026, 10, 2, 2, 10)


# -- pauses and exclusions ----------------------------------------------------------------------
class TestPauses:
    """DESIGN "Exclusions": time lost to late/wrong customer information, vendor defects and force
    majeure does not count (the clock pauses); other pauses are recorded but do not stop it."""

    opened = t(2026, 9, 29, 10, 0)  # Tue; D reply due 10-09 10:00 without pauses

    @pytest.mark.parametrize("reason", ["customer_info", "vendor_defect", "force_majeure"])
    def test_stopping_reason_moves_deadline(self, ladder: sla.Policy, reason: str) -> None:
        """A 4-business-hour pause (09-30 09:00-13:00) moves D's reply to 10-09 14:00."""
        case = sla.Case("P", self.opened, "D",
                        pauses=[sla.Pause(t(2026, 9, 30, 9), t(2026, 9, 30, 13), reason)])
        r = sla.evaluate(ladder, case)["reply"]
        assert r.deadline == t(2026, 10, 9, 14, 0)
        assert f"paused: {reason}" in r.explain()

    def test_non_stopping_reason_changes_nothing(self, ladder: sla.Policy) -> None:
        """A pause for a reason the contract does not list is shown but does not stop the clock."""
        case = sla.Case("P", self.opened, "D",
                        pauses=[sla.Pause(t(2026, 9, 30, 9), t(2026, 9, 30, 13), "customer_away")])
        r = sla.evaluate(ladder, case)["reply"]
        assert r.deadline == t(2026, 10, 9, 10, 0)
        assert "does not stop the clock" in r.explain()

    def test_paused_status_and_used_time(self, ladder: sla.Policy) -> None:
        """Inside a stopping pause the status is paused; used = 7 h (09-29) + 2 h - 2 h paused."""
        case = sla.Case("P", self.opened, "D",
                        pauses=[sla.Pause(t(2026, 9, 30, 9), t(2026, 9, 30, 13), "customer_info")])
        r = sla.evaluate(ladder, case, now=t(2026, 9, 30, 11, 0))["reply"]
        assert r.status == "paused"
        assert r.used == 7 * H
        assert r.remaining == 17 * H

    def test_pause_outside_coverage_changes_nothing(self, ladder: sla.Policy) -> None:
        """A customer_info pause over the National Day holiday (no 5x8 time) moves nothing."""
        case = sla.Case("P", self.opened, "D",
                        pauses=[sla.Pause(t(2026, 10, 2, 9), t(2026, 10, 6, 17), "customer_info")])
        assert sla.evaluate(ladder, case)["reply"].deadline == t(2026, 10, 9, 10, 0)

    def test_open_pause_stops_indefinitely(self, ladder: sla.Policy) -> None:
        """A pause still open (no end) stops the clock: no deadline yet, status paused."""
        case = sla.Case("P", self.opened, "D",
                        pauses=[sla.Pause(t(2026, 9, 29, 11), None, "customer_info")])
        r = sla.evaluate(ladder, case, now=t(2026, 10, 20, 9, 0))["reply"]
        assert r.deadline is None
        assert r.status == "paused"
        assert r.used == H  # 10:00-11:00 on 09-29 only

    def test_force_majeure_excludes_the_case(self, contract: sla.Policy) -> None:
        """A case excluded for force majeure counts for nothing: every metric not applicable."""
        case = sla.Case("FM", t(2026, 10, 1, 23, 10), "A", tier="gold", zone="city",
                        excluded="force_majeure")
        ev = sla.evaluate(contract, case, now=t(2026, 10, 9, 0, 0))
        assert {r.status for r in ev} == {"not_applicable"}
        assert all(r.deadline is None for r in ev)
        assert "force_majeure" in ev["restore"].explain()

    def test_other_exclusion_reason_is_ignored(self, contract: sla.Policy) -> None:
        """Only reasons in clock.exclude_reasons exclude a case."""
        case = sla.Case("X", t(2026, 10, 1, 23, 10), "A", tier="gold", zone="city",
                        excluded="customer_info")
        ev = sla.evaluate(contract, case)
        assert ev["restore"].deadline == t(2026, 10, 2, 1, 10)


# -- severity changes ---------------------------------------------------------------------------
class TestSeverityChange:
    """A policy says what a severity change does: restart, keep or the shorter deadline.

    Opened D at Tue 09-29 10:00, raised to B at 11:00 (or B lowered to D at 10:15).
    """

    upgrade = sla.Case("U", t(2026, 9, 29, 10, 0), "D",
                       severity_changes=[sla.SeverityChange(t(2026, 9, 29, 11, 0), "B")])
    downgrade = sla.Case("W", t(2026, 9, 29, 10, 0), "B",
                         severity_changes=[sla.SeverityChange(t(2026, 9, 29, 10, 15), "D")])

    def test_restart(self, ladder: sla.Policy) -> None:
        """restart: B's targets from the change (11:00): response 11:30, restore 15:00."""
        ev = sla.evaluate(with_change_rule(ladder, "restart"), self.upgrade)
        assert ev["response"].deadline == t(2026, 9, 29, 11, 30)
        assert ev["restore"].deadline == t(2026, 9, 29, 15, 0)
        assert ev["depart"].deadline == t(2026, 9, 29, 17, 0)
        assert ev["reply"].status == "not_applicable"  # B has no reply target

    def test_keep(self, ladder: sla.Policy) -> None:
        """keep: B's targets from the original opening (10:00): response 10:30, restore 14:00."""
        ev = sla.evaluate(with_change_rule(ladder, "keep"), self.upgrade)
        assert ev["response"].deadline == t(2026, 9, 29, 10, 30)
        assert ev["restore"].deadline == t(2026, 9, 29, 14, 0)
        assert ev["depart"].deadline == t(2026, 9, 29, 16, 0)

    def test_shorter_on_upgrade(self, ladder: sla.Policy) -> None:
        """shorter: the earlier of D from 10:00 and B from 11:00, metric by metric."""
        ev = sla.evaluate(with_change_rule(ladder, "shorter"), self.upgrade)
        assert ev["response"].deadline == t(2026, 9, 29, 10, 30)  # D 10:30 < B 11:30
        assert ev["depart"].deadline == t(2026, 9, 29, 17, 0)  # B 17:00 < D 10-13 10:00
        assert ev["restore"].deadline == t(2026, 9, 29, 15, 0)  # only B has one
        assert ev["reply"].deadline == t(2026, 10, 9, 10, 0)  # only D has one

    def test_shorter_on_downgrade(self, contract: sla.Policy) -> None:
        """The standard contract keeps the shorter: a downgrade never loosens a running promise.
        B at 10:00 (in hours: response 30 min -> 10:30) vs D from 10:15 (5x8: 10:45)."""
        case = attrs.evolve(self.downgrade, tier="gold", zone="city")
        ev = sla.evaluate(contract, case)
        assert ev["response"].deadline == t(2026, 9, 29, 10, 30)
        assert ev["restore"].deadline == t(2026, 9, 29, 14, 0)  # only B restores


# -- conditional targets ------------------------------------------------------------------------
class TestHelpdesk:
    """DESIGN "Conditional targets": respond in 30 min during working hours, 1 h outside them."""

    @pytest.mark.parametrize(
        ("opened", "expected"),
        [
            (t(2026, 9, 30, 16, 50), t(2026, 9, 30, 17, 20)),  # Wed, in hours; clock time
            (t(2026, 10, 10, 10, 0), t(2026, 10, 10, 10, 30)),  # make-up Saturday: in hours
            (t(2026, 9, 20, 9, 30), t(2026, 9, 20, 10, 0)),  # make-up Sunday: in hours
            (t(2026, 2, 28, 16, 59), t(2026, 2, 28, 17, 29)),  # make-up Saturday after Spring F.
            (t(2026, 10, 17, 10, 0), t(2026, 10, 17, 11, 0)),  # ordinary Saturday: outside
            (t(2026, 10, 1, 10, 0), t(2026, 10, 1, 11, 0)),  # National Day: outside
            (t(2026, 2, 17, 10, 0), t(2026, 2, 17, 11, 0)),  # Spring Festival: outside
            (t(2026, 9, 25, 10, 0), t(2026, 9, 25, 11, 0)),  # Mid-Autumn (Fri): outside
            (t(2026, 9, 30, 17, 0), t(2026, 9, 30, 18, 0)),  # closing instant is outside
            (t(2026, 9, 30, 8, 59), t(2026, 9, 30, 9, 59)),  # before opening
            (t(2026, 9, 30, 9, 0), t(2026, 9, 30, 9, 30)),  # opening instant is inside
        ],
    )
    def test_in_and_out_of_hours(self, opened: dt.datetime, expected: dt.datetime) -> None:
        """In hours (5x8 CN, make-up days included) 30 min, otherwise 1 h, counted 7x24."""
        ev = sla.evaluate(sla.templates.load("helpdesk"), sla.Case("H", opened, "any"))
        assert ev["response"].deadline == expected

    def test_escalation_offsets(self) -> None:
        """Warning 10 min before the deadline, manager 30 min after a miss."""
        case = sla.Case("H", t(2026, 9, 30, 16, 50), "any")
        r = sla.evaluate(sla.templates.load("helpdesk"), case, now=t(2026, 9, 30, 17, 15))["response"]
        assert [(e.name, e.at, e.status) for e in r.escalations] == [
            ("warning", t(2026, 9, 30, 17, 10), "fired"),
            ("manager", t(2026, 9, 30, 17, 50), "pending"),
        ]

    def test_zone_independent(self) -> None:
        """The same instant written in UTC gives the same deadline (in hours is judged in CN)."""
        opened = t(2026, 9, 30, 16, 50).astimezone(dt.UTC)
        ev = sla.evaluate(sla.templates.load("helpdesk"), sla.Case("H", opened, "any"))
        assert ev["response"].deadline == t(2026, 9, 30, 17, 20)


class TestZones:
    """On site by zone: city 3 h, near county 5 h, far county 7 h, elsewhere negotiated;
    emergencies city 1 h, near county 2 h, far county 3 h, elsewhere negotiated (template
    onsite-zones)."""

    @pytest.mark.parametrize(
        ("zone", "expected"),
        [
            ("city", t(2026, 10, 2, 0, 10)),
            ("near_county", t(2026, 10, 2, 1, 10)),
            ("far_county", t(2026, 10, 2, 2, 10)),
            ("elsewhere", None),
        ],
    )
    def test_emergency_clock_hours(self, zone: str, expected: dt.datetime | None) -> None:
        """Emergencies 1/2/3 h in clock time, from 23:10 on National Day; elsewhere none."""
        policy = sla.templates.load("onsite-zones")
        ev = sla.evaluate(policy, sla.Case("E", t(2026, 10, 1, 23, 10), "emergency", zone=zone))
        assert ev["onsite"].deadline == expected

    @pytest.mark.parametrize(
        ("zone", "expected"),
        [
            # Wed 09-30 16:00: 1 h that day, then holiday; resumes Thu 10-08 09:00
            ("city", t(2026, 10, 8, 11, 0)),
            ("near_county", t(2026, 10, 8, 13, 0)),
            ("far_county", t(2026, 10, 8, 15, 0)),
        ],
    )
    def test_normal_business_hours(self, zone: str, expected: dt.datetime) -> None:
        """Normal cases count 5x8 business hours: National Day is skipped."""
        policy = sla.templates.load("onsite-zones")
        ev = sla.evaluate(policy, sla.Case("N", t(2026, 9, 30, 16, 0), "normal", zone=zone))
        assert ev["onsite"].deadline == expected

    def test_normal_far_county_make_up_saturday(self) -> None:
        """Fri 2026-02-13 14:00, far county 7 h: 3 h that day, 4 h on make-up Sat 02-14 -> 13:00."""
        policy = sla.templates.load("onsite-zones")
        ev = sla.evaluate(policy, sla.Case("N", t(2026, 2, 13, 14, 0), "normal", zone="far_county"))
        assert ev["onsite"].deadline == t(2026, 2, 14, 13, 0)

    def test_elsewhere_negotiated(self) -> None:
        """Normal, elsewhere: negotiated, so not applicable, with no deadline and no share."""
        policy = sla.templates.load("onsite-zones")
        r = sla.evaluate(policy, sla.Case("N", t(2026, 9, 30, 10, 0), "normal", zone="elsewhere"),
                            now=t(2026, 12, 1, 0, 0))["onsite"]
        assert (r.status, r.deadline, r.used, r.share) == ("not_applicable", None, None, None)
        assert "negotiated" in r.explain()

    def test_unknown_zone(self) -> None:
        """No zone recorded: no rule matches, so on-site is not applicable."""
        policy = sla.templates.load("onsite-zones")
        r = sla.evaluate(policy, sla.Case("N", t(2026, 9, 30, 10, 0), "normal"))["onsite"]
        assert (r.status, r.deadline) == ("not_applicable", None)


# -- spare parts and the 15:00 cutoff ---------------------------------------------------------
class TestSpareParts:
    """DESIGN "Spare-part service levels" and "The 15:00 cutoff rule" (template spare-parts)."""

    @pytest.mark.parametrize(
        ("diagnosed", "expected"),
        [
            (t(2026, 9, 30, 14, 59), t(2026, 10, 8, 17, 0)),  # before 15:00: ships Wed 09-30
            (t(2026, 9, 30, 15, 0), t(2026, 10, 9, 17, 0)),  # at 15:00: effective day 10-08
            (t(2026, 10, 9, 14, 0), t(2026, 10, 10, 17, 0)),  # arrives on make-up Sat 10-10
            (t(2026, 10, 9, 15, 30), t(2026, 10, 12, 17, 0)),  # effective 10-10 (make-up) -> Mon
            (t(2026, 10, 4, 10, 0), t(2026, 10, 9, 17, 0)),  # holiday: effective 10-08
            (t(2026, 9, 20, 10, 0), t(2026, 9, 21, 17, 0)),  # make-up Sunday is a business day
            (t(2026, 2, 13, 10, 0), t(2026, 2, 14, 17, 0)),  # Fri before Spring F. -> make-up Sat
            (t(2026, 2, 13, 16, 0), t(2026, 2, 24, 17, 0)),  # effective 02-14 -> after the break
            (t(2026, 9, 24, 15, 0), t(2026, 9, 29, 17, 0)),  # Thu late: effective Mon 09-28
        ],
    )
    def test_nbd_cutoff(self, diagnosed: dt.datetime, expected: dt.datetime) -> None:
        """5x8xNBD: before 15:00 on a business day ships that day; else rolls a business day."""
        policy = sla.templates.load("spare-parts")
        case = sla.Case("S", diagnosed, "any", tier="5x8xNBD", achieved={"diagnosed": diagnosed})
        assert sla.evaluate(policy, case)["parts_arrive"].deadline == expected

    @pytest.mark.parametrize(
        ("tier", "diagnosed", "expected"),
        [
            ("7x8xND", t(2026, 10, 1, 23, 0), t(2026, 10, 2, 18, 0)),  # holidays included
            ("7x8xND", t(2026, 2, 16, 10, 0), t(2026, 2, 17, 18, 0)),
            ("7x24x4", t(2026, 10, 1, 23, 10), t(2026, 10, 2, 3, 10)),
            # 48 h of 5x8 from Tue 09-29 10:00: same count as D's travel, Tue 10-13 10:00
            ("8x5x48", t(2026, 9, 29, 10, 0), t(2026, 10, 13, 10, 0)),
        ],
    )
    def test_other_levels(self, tier: str, diagnosed: dt.datetime, expected: dt.datetime) -> None:
        """ND by 18:00 the next calendar day; 4 clock hours; 48 business hours."""
        policy = sla.templates.load("spare-parts")
        case = sla.Case("S", diagnosed, "any", tier=tier, achieved={"diagnosed": diagnosed})
        assert sla.evaluate(policy, case)["parts_arrive"].deadline == expected

    def test_pending_until_diagnosed(self) -> None:
        """The parts clock starts at diagnosis: before it, the metric is pending."""
        policy = sla.templates.load("spare-parts")
        r = sla.evaluate(policy, sla.Case("S", t(2026, 9, 30, 10), "any", tier="5x8xNBD"),
                            now=t(2026, 9, 30, 12))["parts_arrive"]
        assert (r.status, r.deadline) == ("pending", None)

    def test_met_and_breached(self) -> None:
        """Arrival at 17:00 on the due day is met; a second later is breached."""
        policy = sla.templates.load("spare-parts")
        d = t(2026, 9, 30, 14, 0)
        ok = sla.Case("S", d, "any", tier="5x8xNBD",
                      achieved={"diagnosed": d, "parts_arrive": t(2026, 10, 8, 17, 0)})
        late = sla.Case("S", d, "any", tier="5x8xNBD",
                        achieved={"diagnosed": d, "parts_arrive": t(2026, 10, 8, 17, 0, 1)})
        assert sla.evaluate(policy, ok)["parts_arrive"].status == "met"
        assert sla.evaluate(policy, late)["parts_arrive"].status == "breached"


# -- scheduled obligations ----------------------------------------------------------------------
class TestComplaints:
    """DESIGN: "a complaint answered within 2 h and closed within 15 days" (template complaints)."""

    def test_reply_and_resolve(self) -> None:
        """Complaint 10-01 10:00 (holiday; clock time): reply 12:00, resolve 10-16 10:00."""
        ev = sla.evaluate(sla.templates.load("complaints"), sla.Case("K", t(2026, 10, 1, 10), "any"))
        assert ev["complaint_reply"].deadline == t(2026, 10, 1, 12, 0)
        assert ev["complaint_resolve"].deadline == t(2026, 10, 16, 10, 0)

    def test_escalation_held_until_business_hours(self) -> None:
        """Complaint Sun 09-27 20:00: resolve due 10-12 20:00; 80 % (288 h) is Fri 10-09 20:00,
        held until the next 5x8 opening, the make-up Saturday 10-10 09:00."""
        case = sla.Case("K", t(2026, 9, 27, 20, 0), "any")
        r = sla.evaluate(sla.templates.load("complaints"), case, now=t(2026, 10, 10, 8, 0))
        res = r["complaint_resolve"]
        assert res.deadline == t(2026, 10, 12, 20, 0)
        assert res.status == "running"
        assert [(e.name, e.at, e.status) for e in res.escalations] == [
            ("quality", t(2026, 10, 10, 9, 0), "pending"),
            ("management", t(2026, 10, 12, 20, 0), "pending"),
        ]
        assert r["complaint_reply"].status == "breached"  # due 09-27 22:00, never answered

    def test_contract_complaint_event(self, contract: sla.Policy) -> None:
        """In the standard contract a complaint about a case starts at its 'complaint' event."""
        case = sla.Case("K", t(2026, 10, 1, 23, 10), "D", tier="gold", zone="city",
                        achieved={"complaint": t(2026, 10, 5, 9, 0),
                                  "complaint_reply": t(2026, 10, 5, 11, 30)})
        ev = sla.evaluate(contract, case)
        assert ev["complaint_reply"].deadline == t(2026, 10, 5, 11, 0)
        assert ev["complaint_reply"].status == "breached"
        assert ev["complaint_resolve"].deadline == t(2026, 10, 20, 9, 0)


class TestReturnsAndRepairs:
    """DESIGN: "a faulty part returned within 10 working days; repairs within 60 working days"."""

    def test_return_across_national_day(self) -> None:
        """Replacement arrived Tue 09-29 11:00. Working days after it: 09-30 (1), 10-08 (2),
        10-09 (3), Sat 10-10 (4), 10-12..10-16 (5-9), Mon 10-19 (10): due by the end of 10-19."""
        policy = sla.templates.load("parts-returns")
        arrived = t(2026, 9, 29, 11, 0)
        ok = sla.Case("R", arrived, "any", achieved={"parts_arrive": arrived,
                                                     "part_return": t(2026, 10, 19, 23, 59)})
        late = sla.Case("R", arrived, "any", achieved={"parts_arrive": arrived,
                                                       "part_return": t(2026, 10, 20, 0, 0, 1)})
        r = sla.evaluate(policy, ok)["part_return"]
        assert r.deadline == t(2026, 10, 20, 0, 0)
        assert r.status == "met"
        assert sla.evaluate(policy, late)["part_return"].status == "breached"

    def test_return_across_spring_festival(self) -> None:
        """Arrived Thu 02-12: 02-13 (1), make-up Sat 02-14 (2), holiday 02-15..02-23, 02-24..02-27
        (3-6), make-up Sat 02-28 (7), 03-02..03-04 (8-10): due by the end of 03-04."""
        policy = sla.templates.load("parts-returns")
        arrived = t(2026, 2, 12, 10, 0)
        ev = sla.evaluate(policy, sla.Case("R", arrived, "any", achieved={"parts_arrive": arrived}))
        assert ev["part_return"].deadline == t(2026, 3, 5, 0, 0)

    def test_return_paused(self) -> None:
        """A customer_info pause of one business day (Mon 10-12 09:00 to Tue 09:00: 8 business
        hours) moves the end-of-day deadline by 8 business hours: 10-20 17:00."""
        policy = sla.templates.load("parts-returns")
        arrived = t(2026, 9, 29, 11, 0)
        case = sla.Case("R", arrived, "any", achieved={"parts_arrive": arrived},
                        pauses=[sla.Pause(t(2026, 10, 12, 9), t(2026, 10, 13, 9), "customer_info")])
        assert sla.evaluate(policy, case)["part_return"].deadline == t(2026, 10, 20, 17, 0)

    def test_repair_60_working_days(self) -> None:
        """Part returned Tue 09-01. Working days after it: Sep 2-30 gives 21 (make-up Sun 09-20 in,
        Mid-Autumn Fri 09-25 out); Oct 8, 9, Sat 10, 12-30 gives 18 (39); Nov 2-30 gives 21 (60):
        due by the end of Mon 11-30."""
        policy = sla.templates.load("repairs")
        returned = t(2026, 9, 1, 10, 0)
        ev = sla.evaluate(policy, sla.Case("F", returned, "any", achieved={"part_return": returned}),
                             now=t(2026, 11, 30, 12, 0))
        assert ev["repair"].deadline == t(2026, 12, 1, 0, 0)
        assert ev["repair"].status == "running"

    def test_repair_pending_without_return(self) -> None:
        """The repair clock starts when the part is returned."""
        policy = sla.templates.load("repairs")
        r = sla.evaluate(policy, sla.Case("F", t(2026, 9, 1), "any"))["repair"]
        assert (r.status, r.deadline) == ("pending", None)
