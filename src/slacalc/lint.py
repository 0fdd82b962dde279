"""Static checks of a policy: what it says that it probably does not mean.

:func:`lint` reads a :class:`~slacalc.Policy` (nothing is evaluated, no extra package is needed)
and returns :class:`Finding` values, each with a rule id, a severity, the key path in the policy
file and a message saying what is wrong and what to do. :data:`RULES` lists the rules.

>>> import slacalc as sla
>>> from slacalc.lint import lint
>>> policy = sla.Policy.from_dict({"name": "p",
...     "calendars": {"always": {"coverage": "7x24", "tz": "UTC"},
...                   "spare": {"coverage": "5x8", "tz": "UTC"}},
...     "severities": [{"id": "A", "targets": [
...         {"metric": "restore", "calendar": "always", "within": "4h"},
...         {"metric": "restore", "calendar": "always", "within": "2h", "when": {"zone": "city"}}]}]})
>>> for finding in lint(policy):
...     print(finding)
severities[0].targets[1]: [shadowed-rule] warning: this restore rule can never be chosen: severities[0].targets[0] comes first and applies whenever it does; move the narrower rule above the broader one
calendars.spare: [unused-calendar] warning: calendar 'spare' is not used by any target, condition, escalation, schedule or measure; remove it or use it
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence

import attrs

from slacalc.errors import SlaValueError, echo
from slacalc.policy import EVENTS, Policy, TargetRule, When

__all__ = ["KNOWN_EVENTS", "RULES", "Finding", "LintRule", "lint"]

_ZERO = dt.timedelta(0)

#: Events a case records under these names besides the metrics (a clock may start at them).
KNOWN_EVENTS = EVENTS


@attrs.frozen
class Finding:
    """One problem :func:`lint` found: ``rule`` (an id of :data:`RULES`), ``severity``
    (``"error"``: the policy cannot do what it says; ``"warning"``: it probably does not mean
    what it says), ``path`` (the key path in the policy file) and ``message``."""

    rule: str
    severity: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: [{self.rule}] {self.severity}: {self.message}"


@attrs.frozen
class LintRule:
    """A lint rule: its id and what it finds."""

    id: str
    summary: str


#: Every rule :func:`lint` applies, in the order its findings are listed.
RULES: tuple[LintRule, ...] = (
    LintRule("shadowed-rule", "a target rule that can never be chosen, because an earlier rule "
             "for the same metric applies whenever it does"),
    LintRule("missing-target", "a metric that a severity level between two that have it, or a "
             "higher tier than one that has it, never gets a target for"),
    LintRule("escalation-order", "escalation steps declared out of order, or a step at a share "
             "of the target that lies past the deadline"),
    LintRule("unknown-name", "a zone, tier or severity named in conditions but nowhere else "
             "(not declared, or a near-spelling of another name)"),
    LintRule("unused-calendar", "a calendar no target, condition, escalation, schedule or "
             "measure uses"),
    LintRule("unreachable-start", "a target whose clock starts at an event no rule targets and "
             "no case records under a known name, or at the metric itself"),
    LintRule("unused-event", "an event the policy declares in custom_events that no target's "
             "clock starts at"),
)


def _located(policy: Policy) -> list[tuple[str, TargetRule, str | None]]:
    """Every rule with its key path and the severity that owns it (``None``: policy level)."""
    out: list[tuple[str, TargetRule, str | None]] = []
    for i, sev in enumerate(policy.severities):
        out.extend((f"severities[{i}].targets[{j}]", r, sev.id) for j, r in enumerate(sev.targets))
    out.extend((f"targets[{j}]", r, None) for j, r in enumerate(policy.targets))
    return out


def _covers(outer: tuple[str, ...] | None, inner: tuple[str, ...] | None) -> bool:
    if outer is None:
        return True
    return inner is not None and set(inner) <= set(outer)


def _when_covers(early: TargetRule, late: TargetRule) -> bool:
    """Whether ``early`` applies to every case ``late`` applies to (so ``late`` is never
    chosen after it)."""
    a, b = early.when, late.when
    if not (_covers(a.zone, b.zone) and _covers(a.tier, b.tier)
            and _covers(a.severity, b.severity)):
        return False
    if a.hours is None:
        return True
    # a working-hours condition is judged where each rule's clock starts
    return (a.hours == b.hours and a.hours_calendar == b.hours_calendar
            and early.start == late.start)


def _applies(when: When, severity: str | None, tier: str | None) -> bool:
    if severity is not None and when.severity is not None and severity not in when.severity:
        return False
    return tier is None or when.tier is None or tier in when.tier


def _shadowed(policy: Policy) -> list[Finding]:
    located = _located(policy)
    paths = {id(r): p for p, r, _ in located}
    levels: list[str | None] = [s.id for s in policy.severities] or [None]
    verdict: dict[int, tuple[bool, str]] = {}  # rule -> (shadowed everywhere so far, by whom)
    for level in levels:
        rules = policy.rules(level) if level is not None else policy.targets
        for k, rule in enumerate(rules):
            if not _applies(rule.when, level, None):
                continue
            shadow = next((e for e in rules[:k] if e.metric == rule.metric
                           and _applies(e.when, level, None) and _when_covers(e, rule)), None)
            seen, by = verdict.get(id(rule), (True, ""))
            verdict[id(rule)] = (seen and shadow is not None,
                                 by or (paths[id(shadow)] if shadow is not None else ""))
    out = []
    for path, rule, _ in located:
        state = verdict.get(id(rule))
        if state is not None and state[0]:
            out.append(Finding(
                "shadowed-rule", "warning", path,
                f"this {rule.metric} rule can never be chosen: {state[1]} comes first and "
                "applies whenever it does; move the narrower rule above the broader one"))
    return out


def _reachable(policy: Policy, metric: str, severity: str | None, tier: str | None) -> bool:
    rules = policy.rules(severity) if severity is not None else policy.targets
    return any(r.metric == metric and _applies(r.when, severity, tier) for r in rules)


def _missing(policy: Policy, severity_order: Sequence[str], tier_order: Sequence[str]
             ) -> list[Finding]:
    out: list[Finding] = []
    declared_s = [s.id for s in policy.severities]
    declared_t = [t.id for t in policy.tiers]
    seen: set[tuple[str, str, str]] = set()
    tiers: list[str | None] = list(tier_order) or [None]
    levels: list[str | None] = list(severity_order) or [None]
    for metric in policy.metrics():
        for tier in tiers:
            have = [s for s in levels if _reachable(policy, metric, s, tier)]
            if not have or levels == [None]:
                continue
            lo, hi = levels.index(have[0]), levels.index(have[-1])
            for s in levels[lo:hi + 1]:
                if s not in have and ("severity", metric, str(s)) not in seen:
                    seen.add(("severity", metric, str(s)))
                    out.append(Finding(
                        "missing-target", "warning", f"severities[{declared_s.index(str(s))}]",
                        f"severity {s!r} has no target for {metric}, but {have[0]!r} above it "
                        f"and {have[-1]!r} below it do; add one (none = true if it is "
                        "negotiated)"))
        if len(tier_order) < 2:
            continue
        for level in levels:
            have_t = [t for t in tier_order if _reachable(policy, metric, level, t)]
            if not have_t:
                continue
            lowest = tier_order.index(have_t[0])
            for t in tier_order[lowest + 1:]:
                if t not in have_t and ("tier", metric, t) not in seen:
                    seen.add(("tier", metric, t))
                    out.append(Finding(
                        "missing-target", "warning", f"tiers[{declared_t.index(t)}]",
                        f"tier {t!r} gets no target for {metric}"
                        + (f" at severity {level!r}" if level is not None else "")
                        + f", but the lower tier {have_t[0]!r} does; add one (none = true if "
                        "it is negotiated)"))
    return out


def _ladders(policy: Policy) -> list[Finding]:
    out = []
    for i, ladder in enumerate(policy.escalations):
        prev = None
        for j, step in enumerate(ladder.steps):
            path = f"escalations[{i}].steps[{j}]"
            if step.at is not None and step.at > 1:
                out.append(Finding(
                    "escalation-order", "error", path,
                    f"step {step.name!r} is at {step.at:.0%} of the target, past the deadline "
                    "it warns about; a share is at most 100 %; to act after the deadline use "
                    "offset = '+1h'"))
            if prev is not None:
                problem = None
                if prev.at is not None and step.at is not None and step.at < prev.at:
                    problem = f"{step.at:.0%} comes after {prev.at:.0%}"
                elif (prev.offset is not None and step.offset is not None
                      and step.offset < prev.offset):
                    problem = "its offset from the deadline is earlier than the step before"
                elif (prev.offset is not None and step.at is not None
                      and prev.offset >= _ZERO and step.at < 1):
                    problem = (f"{step.at:.0%} of the target comes before the deadline, but the "
                               "step before it fires at or after the deadline")
                elif (prev.at is not None and prev.at >= 1 and step.offset is not None
                      and step.offset < _ZERO):
                    problem = "it fires before the deadline, but the step before fires at it"
                if problem:
                    out.append(Finding(
                        "escalation-order", "warning", path,
                        f"step {step.name!r} is out of order: {problem}; the engine holds it "
                        f"back to fire with step {prev.name!r}; list the steps in the order "
                        "they fire"))
            prev = step
    return out


def _names(policy: Policy) -> list[Finding]:
    out = []
    located = _located(policy)
    tiers = {t.id for t in policy.tiers}
    severities = {s.id for s in policy.severities}
    zone_uses: dict[str, list[str]] = {}
    for path, rule, _ in located:
        w = rule.when
        for z in w.zone or ():
            zone_uses.setdefault(z, []).append(path)
        for part, names, known, what, why in (
                ("tier", w.tier, tiers, "tiers", "; no case can have it"),
                ("severity", w.severity, severities, "severity ids", "")):
            if names is None or not known:
                continue
            for name in names:
                if name not in known:
                    out.append(Finding(
                        "unknown-name", "error", f"{path}.when.{part}",
                        f"{part} {name!r} is not one of the policy's {what} "
                        f"({', '.join(sorted(known))}){why}"))
    for zone, uses in zone_uses.items():
        if len(uses) != 1:
            continue
        others = [z for z in zone_uses if z != zone]
        close = difflib.get_close_matches(zone, others, n=1, cutoff=0.8)
        if close:
            out.append(Finding(
                "unknown-name", "warning", f"{uses[0]}.when.zone",
                f"zone {zone!r} is named only here, and looks like {close[0]!r} (named "
                f"{len(zone_uses[close[0]])} times); check the spelling"))
    return out


def _unused_calendars(policy: Policy) -> list[Finding]:
    used: set[str] = set()
    for _, rule, _ in _located(policy):
        if rule.calendar is not None:
            used.add(rule.calendar)
        if rule.when.hours_calendar is not None:
            used.add(rule.when.hours_calendar)
    used.update(s.hold_until for lad in policy.escalations for s in lad.steps
                if s.hold_until is not None)
    used.update(s.calendar for s in policy.schedules)
    used.update(m.calendar for m in policy.measures if m.calendar is not None)
    if policy.measures and any(m.calendar is None for m in policy.measures):
        used.add(policy.calendars[0].name)
    return [Finding("unused-calendar", "warning", f"calendars.{spec.name}",
                    f"calendar {spec.name!r} is not used by any target, condition, escalation, "
                    "schedule or measure; remove it or use it")
            for spec in policy.calendars if spec.name not in used]


def _starts(policy: Policy, events: Iterable[str]) -> list[Finding]:
    known = {"opened", *policy.metric_names(), *KNOWN_EVENTS, *policy.custom_events, *events}
    out = []
    for path, rule, _ in _located(policy):
        if rule.start == rule.metric:
            out.append(Finding(
                "unreachable-start", "error", f"{path}.start",
                f"the {rule.metric} clock starts when {rule.metric} itself is achieved, so it is "
                "never running; start it at 'opened' or at an earlier event"))
        elif rule.start not in known:
            near = difflib.get_close_matches(rule.start, sorted(known), n=1, cutoff=0.75)
            out.append(Finding(
                "unreachable-start", "warning", f"{path}.start",
                f"the clock starts at {rule.start!r}, which no rule targets and no case records "
                "under a known name (opened, a metric, "
                f"{', '.join(KNOWN_EVENTS)}), so it stays pending"
                + (f"; did you mean {near[0]!r}?" if near else
                   "; if cases record it, declare it in the policy's custom_events")))
    return out


def _unused_events(policy: Policy) -> list[Finding]:
    starts = {rule.start for _, rule, _ in _located(policy)}
    return [Finding("unused-event", "warning", f"custom_events[{i}]",
                    f"the event {event!r} is declared but no target's clock starts at it; "
                    "remove it or start a clock there")
            for i, event in enumerate(policy.custom_events) if event not in starts]


def _order(given: Iterable[str] | None, declared: list[str], what: str) -> list[str]:
    if given is None:
        return declared
    if isinstance(given, str):
        raise SlaValueError(f"{what}_order must be a list of ids, not the string {echo(given)}")
    out = list(given)
    bad = [x for x in out if x not in declared]
    if bad or len(set(out)) != len(out):
        raise SlaValueError(f"{what}_order={echo(out)} must list distinct {what} ids of the "
                            f"policy ({', '.join(declared) or 'none'})")
    return out


def lint(policy: Policy, *, events: Iterable[str] = (), severity_order: Iterable[str] | None = None,
         tier_order: Iterable[str] | None = None) -> tuple[Finding, ...]:
    """Every finding of every rule of :data:`RULES` in ``policy``, rule by rule.

    ``events`` names the extra events your cases record (a clock may start at them);
    severities rank as listed, most severe first, and tiers as listed, lowest first, unless
    ``severity_order`` / ``tier_order`` (lowest first) say otherwise.

    >>> import slacalc as sla
    >>> lint(sla.templates.load("standard-contract"))
    ()
    """
    if not isinstance(policy, Policy):
        raise SlaValueError(f"policy must be a slacalc.Policy, not {echo(policy)}")
    events = tuple(events)
    for e in events:
        if not isinstance(e, str) or not e:
            raise SlaValueError(f"events must be non-empty names, not {echo(e)}")
    sev = _order(severity_order, [s.id for s in policy.severities], "severity")
    tiers = _order(tier_order, [t.id for t in policy.tiers], "tier")
    return (*_shadowed(policy), *_missing(policy, sev, tiers), *_ladders(policy),
            *_names(policy), *_unused_calendars(policy), *_starts(policy, events),
            *_unused_events(policy))
