"""Hypothesis strategies for the service-model tests: policy dicts, policies and cases.

Everything generated is valid: :func:`policy_dicts` draws the plain data of a policy file (what
``Policy.from_dict`` accepts), :func:`cases` draws a :class:`slacalc.Case` that fits a given
policy (its severities and tiers), with instants written in assorted time zones.

Instants stay well inside the years the bundled Chinese holiday data vouches for (cases are
opened in 2024 - September 2026 and everything they record happens within weeks), so no
``HorizonWarning`` is ever raised (the test suite turns warnings into errors).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

import slacalc as sla

UTC = dt.UTC

#: Named calendar specs a policy picks from: the contracts' coverage specs and explicit windows.
CALENDAR_SPECS: tuple[dict[str, Any], ...] = (
    {"coverage": "5x8", "country": "CN"},
    {"coverage": "7x24", "tz": "Asia/Shanghai"},
    {"coverage": "5x24", "country": "US", "tz": "America/New_York"},
    {"coverage": "7x8", "country": "CN", "hours": "08:30-17:30"},
    {"coverage": "5x8", "tz": "America/New_York"},
    {"days": "business", "hours": "09:00-12:00,13:30-18:00", "country": "CN"},
    {"days": "all", "hours": "08:00-20:00", "tz": "Europe/London"},
    {"days": "business", "hours": "09:00-17:00", "country": "CN", "tz": "Asia/Shanghai",
     "extra_holidays": ["2025-06-03"], "extra_workdays": ["2025-06-07"]},
)
CALENDAR_NAMES = ("business", "always", "extended", "office", "night")
SITE_ZONES = ("city", "near_county", "far_county", "elsewhere")
#: Events a target's clock may start at besides ``opened`` (metrics double as events).
EVENTS = ("diagnosed", "onsite", "response")
#: Metric names a generated policy may declare besides the built-in ones.
CUSTOM_METRICS = ("callback", "first_fix", "Handover_2")
REASONS = ("customer_info", "vendor_defect", "force_majeure", "awaiting_parts", "weather")
TIER_IDS = ("standard", "gold", "platinum", "diamond")
SEVERITY_IDS = ("A", "B", "C", "D", "1", "2", "3", "4")
CUTOFFS = ("12:00", "15:00", "15:30", "16:00:30")
BYS = ("10:00", "12:00", "17:00", "18:00", "17:30")

#: Zones a case's instants may be written in.
INPUT_ZONES: tuple[dt.tzinfo, ...] = (
    ZoneInfo("Asia/Shanghai"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/London"),
    ZoneInfo("Asia/Kathmandu"),
    UTC,
    dt.timezone(dt.timedelta(hours=13)),
    dt.timezone(dt.timedelta(hours=-3, minutes=-30)),
)
input_zones = st.sampled_from(INPUT_ZONES)

FIRST_OPENED = dt.datetime(2024, 1, 1, tzinfo=UTC)
LAST_OPENED = dt.datetime(2026, 9, 30, tzinfo=UTC)


# -- durations and times ---------------------------------------------------------------------
def _write_duration(seconds: int, style: int) -> str:
    """``seconds`` in one of the spellings a policy file allows."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if style == 0 or (s and style != 3):
        return f"{seconds}s"
    if style == 1:
        return f"{h * 60 + m}m"
    if style == 2:
        return (f"{h}h" if h else "") + (f"{m}m" if m or not h else "")
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s else "")


@st.composite
def durations(draw: st.DrawFn, *, max_minutes: int = 40 * 60) -> str:
    """A positive duration as policy text: ``"90s"``, ``"45m"``, ``"2h30m"``, ``"PT4H"``,
    ``"1d"`` or ``"1.5h"``."""
    special = draw(st.sampled_from(("", "", "", "", "1d", "1.5h", "0.5h")))
    if special:
        return special
    minutes = draw(st.integers(1, max_minutes))
    seconds = minutes * 60 + draw(st.sampled_from((0, 0, 0, 30)))
    return _write_duration(seconds, draw(st.integers(0, 3)))


@st.composite
def signed_durations(draw: st.DrawFn) -> str:
    """An escalation offset: ``"-1h"``, ``"+30m"``, ``"2h"`` (no sign: after the deadline)."""
    text = draw(durations(max_minutes=6 * 60))
    return draw(st.sampled_from(("-", "+", ""))) + text


# -- policy pieces -------------------------------------------------------------------------------
@st.composite
def whens(draw: st.DrawFn, calendars: list[str], tiers: list[str], severities: list[str],
          *, policy_level: bool) -> dict[str, Any]:
    """Conditions on zone, tier, working hours and (policy-level targets only) severity."""
    out: dict[str, Any] = {}
    if draw(st.integers(0, 3)) == 0:
        zones = draw(st.lists(st.sampled_from(SITE_ZONES), min_size=1, max_size=3, unique=True))
        out["zone"] = zones[0] if len(zones) == 1 and draw(st.booleans()) else zones
    if draw(st.integers(0, 4)) == 0:
        out["tier"] = draw(st.lists(st.sampled_from(tiers or TIER_IDS), min_size=1, max_size=2,
                                    unique=True))
    if draw(st.integers(0, 3)) == 0:
        out["hours"] = draw(st.sampled_from(("in", "out")))
        out["hours_calendar"] = draw(st.sampled_from(calendars))
    if policy_level and draw(st.booleans()):
        out["severity"] = draw(st.lists(st.sampled_from(severities), min_size=1, max_size=2,
                                        unique=True))
    return out


@st.composite
def target_dicts(draw: st.DrawFn, calendars: list[str], tiers: list[str], severities: list[str],
                 *, policy_level: bool = False, kinds: tuple[str, ...] | None = None,
                 metrics: tuple[str, ...] = sla.METRICS, conditions: bool = True
                 ) -> dict[str, Any]:
    """One target of any kind for one of ``metrics``, with a random start and (unless
    ``conditions`` is false) random conditions."""
    kind = draw(st.sampled_from(kinds or ("within", "within", "within", "next_business_day",
                                          "next_day", "business_days", "none")))
    out: dict[str, Any] = {"metric": draw(st.sampled_from(metrics))}
    if kind != "none":
        out["calendar"] = draw(st.sampled_from(calendars))
    if kind == "within":
        out["within"] = draw(durations())
    elif kind == "none":
        out["none"] = True
    else:
        spec: dict[str, Any] = {}
        if kind == "business_days":
            spec["n"] = draw(st.integers(0, 10))
        if draw(st.booleans()):
            spec["cutoff"] = draw(st.sampled_from(CUTOFFS))
        if draw(st.booleans()):
            spec["by"] = draw(st.sampled_from(BYS))
        out[kind] = spec
    start = draw(st.sampled_from(("", "", "", "", "opened", *EVENTS)))
    if start:
        out["start"] = start
    when = (draw(whens(calendars, tiers, severities, policy_level=policy_level))
            if conditions else {})
    if when:
        out["when"] = when
    return out


@st.composite
def tier_dicts(draw: st.DrawFn, tier_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": tier_id}
    if draw(st.booleans()):
        out["name"] = tier_id.title()
    if draw(st.booleans()):
        out["remote"] = draw(st.sampled_from(("7x24", "5x8", "5x24")))
    if draw(st.booleans()):
        out["parts"] = draw(st.sampled_from(("5x8xNBD", "7x8xND", "7x24x4", "8x5x48")))
    if draw(st.booleans()):
        out["onsite"] = draw(st.booleans())
    if draw(st.booleans()):
        out["inspections_per_year"] = draw(st.sampled_from((0, 1, 4)))
    if draw(st.booleans()):
        out["terms"] = draw(st.lists(st.sampled_from((1, 3, 5)), max_size=3, unique=True))
    return out


@st.composite
def step_dicts(draw: st.DrawFn, calendars: list[str], index: int) -> dict[str, Any]:
    """An escalation step: at a share of the target, or at a signed offset from the deadline."""
    out: dict[str, Any] = {"name": f"step{index}"}
    if draw(st.booleans()):
        out["at"] = draw(st.one_of(
            st.sampled_from((0.25, 0.5, 0.75, 1.0, 1)),
            st.floats(min_value=0, max_value=1, exclude_min=True, allow_subnormal=False),
        ))
    else:
        out["offset"] = draw(signed_durations())
    if draw(st.booleans()):
        out["notify"] = draw(st.sampled_from(("engineer", "second-line expert", "vendor TAC")))
    if draw(st.booleans()):
        out["hold_until"] = draw(st.sampled_from(calendars))
    return out


@st.composite
def ladder_dicts(draw: st.DrawFn, calendars: list[str], metric: str) -> dict[str, Any]:
    n = draw(st.integers(1, 4))
    return {"metric": metric, "steps": [draw(step_dicts(calendars, i)) for i in range(n)]}


@st.composite
def clock_dicts(draw: st.DrawFn, *, min_stopping: int = 0) -> dict[str, Any]:
    stopping = draw(st.lists(st.sampled_from(REASONS), min_size=min_stopping, unique=True))
    out: dict[str, Any] = {"pause_reasons": stopping}
    if draw(st.booleans()):
        out["exclude_reasons"] = draw(st.lists(st.sampled_from(REASONS), max_size=2, unique=True))
    if draw(st.booleans()):
        out["severity_change"] = draw(st.sampled_from(("restart", "keep", "shorter")))
    return out


@st.composite
def policy_dicts(draw: st.DrawFn, *, min_stopping: int = 0, with_clock: bool = True
                 ) -> dict[str, Any]:
    """A valid policy file's data: 1-3 calendars, tiers, 1-4 severities (or, one time in five,
    none), targets, ladders, clock."""
    names = draw(st.lists(st.sampled_from(CALENDAR_NAMES), min_size=1, max_size=3, unique=True))
    calendars = {n: dict(draw(st.sampled_from(CALENDAR_SPECS))) for n in names}
    tiers = draw(st.lists(st.sampled_from(TIER_IDS), max_size=3, unique=True))
    sev_ids = draw(st.lists(st.sampled_from(SEVERITY_IDS), min_size=1, max_size=4, unique=True))
    # A few metrics shared by the severities (a metric only one severity has rarely applies),
    # built in or declared by the policy.
    custom = draw(st.lists(st.sampled_from(CUSTOM_METRICS), max_size=2, unique=True))
    metrics = tuple(draw(st.lists(st.sampled_from((*sla.METRICS, *custom)), min_size=1,
                                  max_size=3, unique=True)))
    out: dict[str, Any] = {"name": draw(st.sampled_from(("helpdesk", "network maintenance")))}
    if custom:
        out["custom_metrics"] = custom
    if draw(st.booleans()):
        out["description"] = "generated: clauses 4.1-4.3"
    out["calendars"] = calendars
    if bool(tiers) or draw(st.booleans()):
        out["tiers"] = [draw(tier_dicts(t)) for t in tiers]
    severities = []
    for sid in sev_ids:
        sev: dict[str, Any] = {"id": sid}
        if draw(st.booleans()):
            sev["name"] = f"Level {sid}"
        if draw(st.booleans()):
            sev["description"] = "symptoms"
        sev["targets"] = draw(st.lists(target_dicts(names, tiers, sev_ids, metrics=metrics),
                                       max_size=4))
        severities.append(sev)
    # Sometimes no severity levels at all: the promises are policy-level, cases need no severity.
    graded = draw(st.integers(0, 4)) > 0
    if graded:
        out["severities"] = severities
    else:
        severities = []
    # Policy-level targets; often a final unconditional one per metric, so most metrics apply.
    targets = draw(st.lists(target_dicts(names, tiers, sev_ids, policy_level=True,
                                         metrics=metrics), max_size=2))
    if not graded or draw(st.integers(0, 3)):
        targets += [draw(target_dicts(names, tiers, sev_ids, metrics=(m,), conditions=False))
                    for m in metrics]
    if targets:
        out["targets"] = targets
    laddered = draw(st.lists(st.sampled_from(metrics), max_size=2, unique=True))
    if laddered:
        out["escalations"] = [draw(ladder_dicts(names, m)) for m in laddered]
    if with_clock or min_stopping:
        out["clock"] = draw(clock_dicts(min_stopping=min_stopping))
    targeted = sorted({t["metric"] for t in targets} | {
        t["metric"] for sev in severities for t in sev["targets"]})
    measures = draw(st.lists(measure_dicts(names, targeted), max_size=3,
                             unique_by=lambda m: m["name"]))
    if measures:
        out["measures"] = measures
    return out


#: Shares as a policy file may write them: percent text or a number in (0, 1].
shares = st.one_of(
    st.sampled_from(("95%", "2%", "2.5%", "100%", "0.1%", 0.95, 1, 0.5)),
    st.floats(min_value=0, max_value=1, exclude_min=True, allow_subnormal=False),
)


@st.composite
def measure_dicts(draw: st.DrawFn, calendars: list[str], targeted: list[str]) -> dict[str, Any]:
    """An aggregate measure: on-time quota or credits on a targeted metric, or satisfaction."""
    kinds = ["average_satisfaction"] + (["on_time", "credits"] if targeted else [])
    kind = draw(st.sampled_from(kinds))
    out: dict[str, Any] = {"name": draw(st.sampled_from(("quota", "quality", "credits_q"))),
                           "kind": kind}
    if draw(st.booleans()):
        out["period"] = draw(st.sampled_from(("month", "quarter", "year")))
    if draw(st.booleans()):
        out["calendar"] = draw(st.sampled_from(calendars))
    if kind == "average_satisfaction":
        out["at_least"] = draw(st.one_of(st.sampled_from((4, 3.5, 1, 5)),
                                         st.floats(1, 5, allow_subnormal=False)))
        return out
    out["metric"] = draw(st.sampled_from(targeted))
    if kind == "on_time":
        out["at_least"] = draw(shares)
    else:
        out["per_breach"] = draw(shares)
        if draw(st.booleans()):
            out["cap"] = draw(shares)
    return out


def policies(*, min_stopping: int = 0) -> st.SearchStrategy[sla.Policy]:
    """Valid :class:`slacalc.Policy` values."""
    return policy_dicts(min_stopping=min_stopping).map(sla.Policy.from_dict)


# -- cases -----------------------------------------------------------------------------------------
def offsets(max_days: int = 12) -> st.SearchStrategy[dt.timedelta]:
    """A non-negative offset from a case's opening: whole minutes (so window edges get hit) or
    seconds."""
    return st.one_of(
        st.integers(0, max_days * 24 * 60).map(lambda m: dt.timedelta(minutes=m)),
        st.integers(0, max_days * 86_400).map(lambda s: dt.timedelta(seconds=s)),
    )


instants = st.integers(
    0, int((LAST_OPENED - FIRST_OPENED).total_seconds()) // 60
).map(lambda m: FIRST_OPENED + dt.timedelta(minutes=m))


@st.composite
def pauses(draw: st.DrawFn, opened: dt.datetime, *, open_ended: bool = True,
           reasons: tuple[str, ...] = REASONS) -> sla.Pause:
    """A pause starting after ``opened``, lasting up to 3 days, or open-ended."""
    start = opened + draw(offsets(8))
    end: dt.datetime | None
    if open_ended and draw(st.integers(0, 9)) == 0:
        end = None
    else:
        end = start + draw(offsets(3))
        end = end.astimezone(draw(input_zones))
    return sla.Pause(start.astimezone(draw(input_zones)), end, draw(st.sampled_from(reasons)))


@st.composite
def cases(draw: st.DrawFn, policy: sla.Policy, *, max_pauses: int = 3, open_ended: bool = True,
          changes: bool = True) -> sla.Case:
    """A case that fits ``policy``: its severity and changes are the policy's, its tier one of
    the policy's tiers (or any when the policy has none)."""
    opened = draw(instants) + draw(st.sampled_from((dt.timedelta(0), dt.timedelta(seconds=17))))
    severities = [s.id for s in policy.severities]
    tier_ids = [t.id for t in policy.tiers] or list(TIER_IDS)
    names = sorted({*policy.metrics(), *EVENTS})
    achieved_names = draw(st.lists(st.sampled_from(names), max_size=4, unique=True))
    achieved = {
        n: (opened + draw(offsets(20))).astimezone(draw(input_zones)) for n in achieved_names
    }
    case_pauses = draw(st.lists(pauses(opened, open_ended=open_ended), max_size=max_pauses))
    severity_changes = []
    if changes and severities:
        for _ in range(draw(st.integers(0, 2))):
            at = (opened + draw(offsets(5))).astimezone(draw(input_zones))
            severity_changes.append(sla.SeverityChange(at, draw(st.sampled_from(severities))))
    return sla.Case(
        draw(st.sampled_from(("T-1", "T-2", "INC-0042"))),
        opened.astimezone(draw(input_zones)),
        draw(st.sampled_from(severities) if severities else st.sampled_from((None, "any"))),
        tier=draw(st.one_of(st.none(), st.sampled_from(tier_ids))),
        zone=draw(st.one_of(st.none(), st.sampled_from(SITE_ZONES))),
        achieved=achieved,
        pauses=case_pauses,
        severity_changes=severity_changes,
        excluded=draw(st.sampled_from((None,) * 12 + REASONS)),
    )


@st.composite
def policies_and_cases(draw: st.DrawFn, *, min_stopping: int = 0, open_ended: bool = True,
                       changes: bool = True) -> tuple[sla.Policy, sla.Case]:
    policy = draw(policies(min_stopping=min_stopping))
    return policy, draw(cases(policy, open_ended=open_ended, changes=changes))


@st.composite
def nows(draw: st.DrawFn, case: sla.Case) -> dt.datetime | None:
    """``None`` or an evaluation instant up to four weeks after the case was opened."""
    if draw(st.integers(0, 3)) == 0:
        return None
    return (case.opened + draw(offsets(28))).astimezone(draw(input_zones))
