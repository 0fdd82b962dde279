"""Policies: tiers, severities, targets per metric, the clock's rules and escalation ladders.

A :class:`Policy` is an immutable value built from a policy file (see ``docs/policy-files.md``)
or from plain data, and round-trips back to it. :func:`slacalc.evaluate` turns a
:class:`~slacalc.Case` into an :class:`~slacalc.Evaluation`: per metric, the deadline, the status,
the business time used and left, the escalations and an explanation.

>>> import slacalc as sla
>>> policy = sla.Policy.from_dict({
...     "name": "helpdesk",
...     "calendars": {"business": {"coverage": "5x8", "country": "CN"}},
...     "severities": [{"id": "D", "name": "Low", "targets": [
...         {"metric": "reply", "calendar": "business", "within": "4h"}]}],
... })
>>> [s.id for s in policy.severities]
['D']
>>> sla.Policy.from_dict(policy.to_dict()) == policy
True
"""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import attrs

from slacalc._durations import format_duration, format_time, parse_duration, parse_time
from slacalc.calendar import Calendar
from slacalc.errors import SlaError, SlaValueError
from slacalc.targets import BusinessDays, NextBusinessDay, NextDay, Target, Within

__all__ = [
    "METRICS",
    "CalendarSpec",
    "ClockRules",
    "Due",
    "EscalationLadder",
    "EscalationStep",
    "Measure",
    "Policy",
    "PolicyError",
    "Schedule",
    "ServiceTier",
    "Severity",
    "TargetRule",
    "When",
]

#: The metrics a policy can set targets for, with stable names.
METRICS = (
    "response",
    "reply",
    "depart",
    "onsite",
    "restore",
    "resolve",
    "parts_ship",
    "parts_arrive",
    "complaint_reply",
    "complaint_resolve",
    "part_return",
    "repair",
)
TARGET_KINDS = ("within", "next_business_day", "next_day", "business_days", "none")
SEVERITY_CHANGES = ("restart", "keep", "shorter")


class PolicyError(SlaValueError):
    """A policy file or dict is invalid; ``problems`` lists every problem with its key path."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = "invalid policy: 1 problem" if count == 1 else f"invalid policy: {count} problems"
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in self.problems))


# -- value objects -----------------------------------------------------------------------------
_CAL_KEYS = ("coverage", "days", "hours", "country", "tz", "subdiv", "extra_holidays",
             "extra_workdays", "strict")


@attrs.frozen
class CalendarSpec:
    """A named calendar as the policy file writes it, and the :class:`Calendar` it builds."""

    name: str
    params: tuple[tuple[str, Any], ...]
    calendar: Calendar = attrs.field(eq=False, hash=False, repr=False)

    @classmethod
    def build(cls, name: str, params: Mapping[str, Any]) -> CalendarSpec:
        params = dict(params)
        for key in ("extra_holidays", "extra_workdays"):
            if isinstance(params.get(key), list | tuple | set | frozenset):
                params[key] = sorted(params[key], key=str)  # a set of dates, written in order
        kwargs = {k: _freeze(v) for k, v in params.items()}
        args = {k: v for k, v in params.items() if k != "coverage"}
        if isinstance(args.get("hours"), Mapping):
            args["hours"] = dict(args["hours"])
        if "coverage" in params:
            cal = Calendar.from_coverage(params["coverage"], **args)
        else:
            cal = Calendar(**args)
        order = {k: i for i, k in enumerate(_CAL_KEYS)}
        return cls(name, tuple(sorted(kwargs.items(), key=lambda kv: order.get(kv[0], 99))), cal)

    def to_dict(self) -> dict[str, Any]:
        return {k: _thaw(v) for k, v in self.params}


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):  # key order carries no meaning (hours per weekday)
        return tuple(sorted(((k, _freeze(v)) for k, v in value.items()), key=lambda kv: str(kv[0])))
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and value and all(
        isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) for x in value
    ):
        return {k: _thaw(v) for k, v in value}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@attrs.frozen
class When:
    """Conditions on a target: all given ones must hold (``None`` means "any")."""

    zone: tuple[str, ...] | None = None
    tier: tuple[str, ...] | None = None
    severity: tuple[str, ...] | None = None
    hours: Literal["in", "out"] | None = None
    hours_calendar: str | None = None

    def matches(self, policy: Policy, case_tier: str | None, zone: str | None, severity: str,
                start: dt.datetime) -> bool:
        if self.zone is not None and zone not in self.zone:
            return False
        if self.tier is not None and case_tier not in self.tier:
            return False
        if self.severity is not None and severity not in self.severity:
            return False
        if self.hours is not None:
            assert self.hours_calendar is not None
            is_open = policy.calendar(self.hours_calendar).is_open(start)
            if is_open != (self.hours == "in"):
                return False
        return True

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("zone", "tier", "severity"):
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value)
        if self.hours is not None:
            out["hours"] = self.hours
            out["hours_calendar"] = self.hours_calendar
        return out

    def describe(self) -> str:
        parts = []
        for key in ("zone", "tier", "severity"):
            value = getattr(self, key)
            if value is not None:
                parts.append(f"{key} in {'/'.join(value)}")
        if self.hours is not None:
            parts.append(f"{'inside' if self.hours == 'in' else 'outside'} {self.hours_calendar} hours")
        return ", ".join(parts)


@attrs.frozen
class TargetRule:
    """How one metric's deadline is computed, and when this rule applies."""

    metric: str
    kind: str
    calendar: str | None = None
    duration: dt.timedelta | None = None
    n: int | None = None
    cutoff: dt.time | None = None
    by: dt.time | None = None
    start: str = "opened"
    when: When = When()

    def target(self, policy: Policy) -> Target | None:
        """The :class:`~slacalc.Target` this rule builds, or ``None`` for ``none = true``."""
        if self.kind == "none":
            return None
        assert self.calendar is not None
        cal = policy.calendar(self.calendar)
        if self.kind == "within":
            assert self.duration is not None
            return Within(cal, self.duration)
        if self.kind == "next_business_day":
            return NextBusinessDay(cal, cutoff=self.cutoff or dt.time(15), by=self.by or dt.time(17))
        if self.kind == "next_day":
            return NextDay(cal, by=self.by or dt.time(18), cutoff=self.cutoff)
        assert self.n is not None
        return BusinessDays(cal, self.n, by=self.by, cutoff=self.cutoff)

    def describe(self) -> str:
        """``"within 4h (business)"``, ``"next business day by 17:00, cutoff 15:00 (business)"``."""
        if self.kind == "none":
            text = "no target (negotiated)"
        elif self.kind == "within":
            assert self.duration is not None
            text = f"within {format_duration(self.duration)}"
        elif self.kind == "next_business_day":
            text = (f"next business day by {format_time(self.by or dt.time(17))}, "
                    f"cutoff {format_time(self.cutoff or dt.time(15))}")
        elif self.kind == "next_day":
            text = f"next day by {format_time(self.by or dt.time(18))}"
            if self.cutoff is not None:
                text += f", cutoff {format_time(self.cutoff)}"
        else:
            text = f"{self.n} business days" + (
                f" by {format_time(self.by)}" if self.by else " (end of day)")
            if self.cutoff is not None:
                text += f", cutoff {format_time(self.cutoff)}"
        if self.calendar:
            text += f" ({self.calendar})"
        if self.start != "opened":
            text += f" from {self.start}"
        cond = self.when.describe()
        return f"{text} when {cond}" if cond else text

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"metric": self.metric}
        if self.calendar is not None:
            out["calendar"] = self.calendar
        if self.kind == "none":
            out["none"] = True
        elif self.kind == "within":
            assert self.duration is not None
            out["within"] = format_duration(self.duration)
        else:
            spec: dict[str, Any] = {}
            if self.kind == "business_days":
                spec["n"] = self.n
            if self.cutoff is not None:
                spec["cutoff"] = format_time(self.cutoff)
            if self.by is not None:
                spec["by"] = format_time(self.by)
            out[self.kind] = spec
        if self.start != "opened":
            out["start"] = self.start
        when = self.when.to_dict()
        if when:
            out["when"] = when
        return out


@attrs.frozen
class Severity:
    """A severity level: id (``"A"`` or ``"1"``), name, the symptoms it covers, its targets."""

    id: str
    name: str = ""
    description: str = ""
    targets: tuple[TargetRule, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.name:
            out["name"] = self.name
        if self.description:
            out["description"] = self.description
        out["targets"] = [t.to_dict() for t in self.targets]
        return out


@attrs.frozen
class ServiceTier:
    """A service tier: remote coverage, spare-parts level, on-site, inspections, terms."""

    id: str
    name: str = ""
    remote: str = "7x24"
    parts: str | None = None
    onsite: bool = False
    inspections_per_year: int = 0
    terms: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.name:
            out["name"] = self.name
        out["remote"] = self.remote
        if self.parts is not None:
            out["parts"] = self.parts
        out["onsite"] = self.onsite
        out["inspections_per_year"] = self.inspections_per_year
        out["terms"] = list(self.terms)
        return out


@attrs.frozen
class EscalationStep:
    """One rung: fires at a share of the target (``at``) or at an offset from the deadline."""

    name: str
    at: float | None = None
    offset: dt.timedelta | None = None
    notify: str = ""
    hold_until: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.at is not None:
            out["at"] = self.at
        if self.offset is not None:
            text = format_duration(self.offset)
            out["offset"] = text if text.startswith("-") else "+" + text
        if self.notify:
            out["notify"] = self.notify
        if self.hold_until is not None:
            out["hold_until"] = self.hold_until
        return out


@attrs.frozen
class EscalationLadder:
    """The escalation steps of one metric, in order."""

    metric: str
    steps: tuple[EscalationStep, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "steps": [s.to_dict() for s in self.steps]}


@attrs.frozen
class Due:
    """One occurrence of a scheduled obligation: its nominal date, the day it is due after the
    roll rule, and the deadline instant."""

    name: str
    nominal: dt.date
    day: dt.date
    deadline: dt.datetime


ROLLS = ("forward", "backward", "none")


@attrs.frozen
class Schedule:
    """A recurring obligation such as "the monthly report is due on the 5th, postponed past
    holidays" (节假日顺延): an RFC 5545 recurrence rule (read by ``dateutil.rrule``, never
    evaluated as code), a calendar, a roll rule and an optional time of day.

    ``roll = "forward"`` moves a date that is not a business day to the next business day,
    ``"backward"`` to the previous one, ``"none"`` keeps it. Without ``by`` the obligation is due
    by the end of that day (the next local midnight).
    """

    name: str
    rule: str
    calendar: str
    roll: str = "forward"
    by: dt.time | None = None
    start: dt.date = dt.date(2000, 1, 1)

    def dues(self, policy: Policy, first: dt.date, last: dt.date) -> list[Due]:
        """The occurrences whose nominal date lies in ``[first, last]``."""
        from dateutil.rrule import rrulestr  # noqa: PLC0415 - only needed for schedules

        for name, value in (("first", first), ("last", last)):
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                raise SlaValueError(f"{name} must be a datetime.date, not {value!r}")
        cal = policy.calendar(self.calendar)
        # the rule is anchored at ``start`` (its DTSTART), so INTERVAL and COUNT do not depend
        # on the window asked for
        rule = rrulestr(self.rule, dtstart=dt.datetime.combine(self.start, dt.time()))
        out = []
        lo = dt.datetime.combine(first, dt.time())
        hi = dt.datetime.combine(last, dt.time.max)
        seen: set[dt.date] = set()
        for when in rule.between(lo, hi, inc=True):
            nominal = when.date()
            if nominal in seen:  # several times on one day (BYHOUR=...) are one obligation
                continue
            seen.add(nominal)
            if self.roll == "forward":
                day = cal.add_business_days(nominal, 0)
            elif self.roll == "backward":
                day = nominal if cal.is_business_day(nominal) else cal.add_business_days(nominal, -1)
            else:
                day = nominal
            if self.by is None:
                local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=cal.tz)
            else:
                local = dt.datetime.combine(day, self.by, tzinfo=cal.tz)
            # normalise through UTC so a wall time in a gap or fold gets the zone's reading
            out.append(Due(self.name, nominal, day, local.astimezone(dt.UTC).astimezone(cal.tz)))
        return out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "rule": self.rule, "calendar": self.calendar,
                               "roll": self.roll}
        if self.by is not None:
            out["by"] = format_time(self.by)
        if self.start != dt.date(2000, 1, 1):
            out["start"] = self.start
        return out

#: The kinds of aggregate measure, and the periods they are tallied over.
MEASURE_KINDS = ("on_time", "average_satisfaction", "credits")
PERIODS = ("month", "quarter", "year")
_MEASURE_KEYS = {
    "on_time": ("name", "kind", "period", "calendar", "metric", "at_least"),
    "average_satisfaction": ("name", "kind", "period", "calendar", "at_least"),
    "credits": ("name", "kind", "period", "calendar", "metric", "per_breach", "cap"),
}
_PERCENT = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*")


def format_share(value: float) -> str:
    """A share as the percentage text a policy file takes: ``0.95`` -> ``"95%"``, ``0.025`` ->
    ``"2.5%"``; reading it back gives the same float."""
    text = format((Decimal(repr(value)) * 100).normalize(), "f")
    return f"{text}%"


def parse_share(value: Any) -> float | None:
    """``"95%"`` or ``0.95`` as the float 0.95; ``None`` for anything else (bools included)."""
    if isinstance(value, str):
        m = _PERCENT.fullmatch(value)
        if m is None:
            return None
        try:
            return float(Decimal(m.group(1)) / 100)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@attrs.frozen
class Measure:
    """An aggregate promise over many cases, judged per calendar period (``[[measures]]``).

    * ``kind = "on_time"``: the share of ``metric``'s promises that fell due in the period and
      were met (met / (met + breached)) must be at least ``at_least`` (a share, 0.95 = 95 %).
    * ``kind = "average_satisfaction"``: the mean ``satisfaction`` (1-5) of the cases closed in
      the period must be at least ``at_least`` (a number from 1 to 5).
    * ``kind = "credits"``: each of ``metric``'s promises due in the period and breached credits
      ``per_breach`` of the period's fee, at most ``cap`` (default: the whole fee).

    ``period`` is ``"month"``, ``"quarter"`` or ``"year"``; which period an instant falls in is
    decided by its local date in the zone of ``calendar`` (default: the policy's first calendar).
    :func:`slacalc.report` computes them.
    """

    name: str
    kind: str
    period: str = "quarter"
    calendar: str | None = None
    metric: str | None = None
    at_least: float | None = None
    per_breach: float | None = None
    cap: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "period": self.period}
        if self.calendar is not None:
            out["calendar"] = self.calendar
        if self.metric is not None:
            out["metric"] = self.metric
        if self.at_least is not None:
            out["at_least"] = (format_share(self.at_least) if self.kind == "on_time"
                               else self.at_least)
        if self.per_breach is not None:
            out["per_breach"] = format_share(self.per_breach)
        if self.cap is not None:
            out["cap"] = format_share(self.cap)
        return out


@attrs.frozen
class ClockRules:
    """Which pause reasons stop the clock, which exclude a case, and what a severity change does."""

    pause_reasons: frozenset[str] = frozenset()
    exclude_reasons: frozenset[str] = frozenset()
    severity_change: str = "restart"

    def to_dict(self) -> dict[str, Any]:
        return {
            "pause_reasons": sorted(self.pause_reasons),
            "exclude_reasons": sorted(self.exclude_reasons),
            "severity_change": self.severity_change,
        }


@attrs.frozen
class Policy:
    """A contract's service model; build with :meth:`from_dict` or :meth:`from_toml`."""

    name: str
    description: str
    calendars: tuple[CalendarSpec, ...]
    severities: tuple[Severity, ...]
    tiers: tuple[ServiceTier, ...] = ()
    targets: tuple[TargetRule, ...] = ()
    escalations: tuple[EscalationLadder, ...] = ()
    clock: ClockRules = ClockRules()
    schedules: tuple[Schedule, ...] = ()
    measures: tuple[Measure, ...] = ()
    # Derived values (targets built from rules, lookups): computed once, never invalidated,
    # because a policy never changes.
    _derived: dict[Any, Any] = attrs.field(
        init=False, factory=dict, eq=False, hash=False, repr=False
    )

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the policy's rules, not the values derived from them (rebuilt on first use;
        its calendars unpickle to the process's shared ones, whose tables are compiled once).

        >>> import pickle
        >>> import slacalc as sla
        >>> policy = sla.templates.load("helpdesk")
        >>> pickle.loads(pickle.dumps(policy)) == policy
        True
        """
        return {f.name: getattr(self, f.name) for f in attrs.fields(type(self)) if f.init}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_derived", {})

    def _memo(self, key: Any, compute: Any) -> Any:
        derived = self._derived
        try:
            return derived[key]
        except KeyError:
            value = derived[key] = compute()
            return value

    def _repr_html_(self) -> str:
        from slacalc import views  # noqa: PLC0415 - the notebook view is loaded on first use

        return views.policy_html(self)

    # -- lookups ------------------------------------------------------------------------------
    def calendar(self, name: str) -> Calendar:
        """The calendar named ``name`` in the policy."""
        spec: CalendarSpec = self._memo(
            ("calendar", name), lambda: self._find(self.calendars, "name", name, "calendar")
        )
        return spec.calendar

    def severity(self, severity_id: str) -> Severity:
        """The severity with this id."""
        found: Severity = self._memo(
            ("severity", severity_id),
            lambda: self._find(self.severities, "id", severity_id, "severity"),
        )
        return found

    def target_of(self, rule: TargetRule) -> Target | None:
        """The :class:`~slacalc.Target` a rule of this policy builds (built once)."""
        built: Target | None = self._memo(("target", rule), lambda: rule.target(self))
        return built

    def describe_rule(self, rule: TargetRule) -> str:
        """``rule.describe()``, computed once."""
        text: str = self._memo(("describe", rule), rule.describe)
        return text

    def tier(self, tier_id: str) -> ServiceTier:
        """The tier with this id."""
        found: ServiceTier = self._find(self.tiers, "id", tier_id, "tier")
        return found

    def _find(self, items: Sequence[Any], key: str, value: str, what: str) -> Any:
        for item in items:
            if getattr(item, key) == value:
                return item
        known = ", ".join(repr(getattr(i, key)) for i in items) or "none"
        raise SlaValueError(f"{what} {value!r} is not in policy {self.name!r}; it has {known}")

    def dues(self, first: dt.date, last: dt.date) -> list[Due]:
        """Every scheduled obligation due in ``[first, last]`` (by nominal date), in date order.

        >>> import datetime as dt
        >>> import slacalc as sla
        >>> p = sla.Policy.from_dict({"name": "reports",
        ...     "calendars": {"business": {"coverage": "5x8", "country": "CN"}},
        ...     "schedules": [{"name": "monthly_report", "rule": "FREQ=MONTHLY;BYMONTHDAY=5",
        ...                    "calendar": "business", "roll": "forward"}]})
        >>> [(d.nominal.isoformat(), d.day.isoformat()) for d in p.dues(dt.date(2026, 9, 1), dt.date(2026, 10, 31))]
        [('2026-09-05', '2026-09-07'), ('2026-10-05', '2026-10-08')]
        """
        out = [due for sched in self.schedules for due in sched.dues(self, first, last)]
        return sorted(out, key=lambda d: (d.nominal, d.name))

    def ladder(self, metric: str) -> EscalationLadder | None:
        for ladder in self.escalations:
            if ladder.metric == metric:
                return ladder
        return None

    def metrics(self) -> list[str]:
        """The metrics this policy has targets for, in :data:`METRICS` order."""
        def compute() -> tuple[str, ...]:
            used = {t.metric for t in self.targets} | {
                t.metric for s in self.severities for t in s.targets
            }
            return tuple(m for m in METRICS if m in used)

        return list(self._memo("metrics", compute))

    def rules(self, severity: str) -> tuple[TargetRule, ...]:
        """The rules tried for a case of this severity, in order: the severity's, then the
        policy's. A policy without severity levels ignores the case's severity."""
        def compute() -> tuple[TargetRule, ...]:
            own = self.severity(severity).targets if self.severities else ()
            return (*own, *self.targets)

        rules: tuple[TargetRule, ...] = self._memo(("rules", severity), compute)
        return rules

    # -- measures ---------------------------------------------------------------------------
    def measure(self, name: str) -> Measure:
        """The aggregate measure named ``name``."""
        found: Measure = self._find(self.measures, "name", name, "measure")
        return found

    # -- files --------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Build and validate a policy from plain data (the structure of a policy file).

        Every problem found is reported at once, each with its key path, in a
        :class:`PolicyError`.
        """
        return _Loader().policy(data)

    @classmethod
    def from_toml(cls, path: str | pathlib.Path) -> Policy:
        """Load a policy file."""
        p = pathlib.Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise SlaValueError(f"cannot read policy file {str(p)!r}: {exc.strerror}") from None
        return cls.from_toml_text(text, source=str(p))

    @classmethod
    def from_toml_text(cls, text: str, *, source: str = "<string>") -> Policy:
        """Load a policy from TOML text."""
        if not isinstance(text, str):
            raise PolicyError([f"{source}: policy text must be str, not {type(text).__name__}"])
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError([f"{source}: not valid TOML: {exc}"]) from None
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """Plain data that :meth:`from_dict` turns back into an equal policy."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        out["calendars"] = {s.name: s.to_dict() for s in self.calendars}
        out["clock"] = self.clock.to_dict()
        out["tiers"] = [t.to_dict() for t in self.tiers]
        out["severities"] = [s.to_dict() for s in self.severities]
        out["targets"] = [t.to_dict() for t in self.targets]
        out["escalations"] = [e.to_dict() for e in self.escalations]
        out["schedules"] = [x.to_dict() for x in self.schedules]
        out["measures"] = [m.to_dict() for m in self.measures]
        return out

    def to_toml(self) -> str:
        """The policy as TOML text that :meth:`from_toml_text` reads back unchanged."""
        from slacalc._toml import dumps  # noqa: PLC0415 - only needed when writing

        return dumps(self.to_dict())


# -- loading and validation ----------------------------------------------------------------------
class _Loader:
    """Validates plain data, collecting every problem with its key path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def bad(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def unknown_keys(self, data: Mapping[str, Any], path: str, allowed: Sequence[str]) -> bool:
        """Report keys not in ``allowed``; True when there were none."""
        clean = True
        for key in data:
            if key not in allowed:
                self.bad(f"{path}.{key}" if path else str(key),
                         f"unknown key {key!r}; expected one of {', '.join(allowed)}")
                clean = False
        return clean

    def calendar_name(self, value: Any, path: str, calendars: set[str]) -> bool:
        """Whether ``value`` names one of the policy's calendars (reported when not)."""
        if isinstance(value, str) and value in calendars:
            return True
        self.bad(path, f"{value!r} is not one of the policy's calendars "
                       f"({', '.join(sorted(calendars)) or 'none defined'})")
        return False

    def text(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False,
             default: str = "") -> str:
        value = data.get(key, None)
        if value is None:
            if required:
                self.bad(f"{path}.{key}" if path else key, "is required")
            return default
        if not isinstance(value, str) or (required and not value):
            self.bad(f"{path}.{key}" if path else key, f"{value!r} is not a non-empty string")
            return default
        return value

    def table(self, data: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            self.bad(path, f"{data!r} is not a table")
            return {}
        return data

    def array(self, data: Mapping[str, Any], key: str, path: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.bad(f"{path}.{key}" if path else key, f"{value!r} is not an array")
            return []
        return value

    def strings(self, value: Any, path: str) -> tuple[str, ...] | None:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
            return tuple(value)
        self.bad(path, f"{value!r} is not a string or a non-empty array of strings")
        return None

    def policy(self, data: Mapping[str, Any]) -> Policy:
        if not isinstance(data, Mapping):
            raise PolicyError([f"a policy is a table (dict), not {type(data).__name__}"])
        self.unknown_keys(data, "", ("name", "description", "calendars", "clock", "tiers",
                                     "severities", "targets", "escalations", "schedules",
                                     "measures"))
        name = self.text(data, "name", "", required=True)
        description = self.text(data, "description", "")
        calendars = self.calendars(data.get("calendars"))
        # names defined in the file, valid or not: an invalid calendar is reported once, not
        # again by every target that names it
        raw_cals = data.get("calendars")
        names = {k for k in raw_cals if isinstance(k, str)} if isinstance(raw_cals, Mapping) else set()
        tiers = tuple(t for i, raw in enumerate(self.array(data, "tiers", ""))
                      if (t := self.tier(raw, f"tiers[{i}]")) is not None)
        self.unique([t.id for t in tiers], "tiers", "tier id")
        severities = tuple(s for i, raw in enumerate(self.array(data, "severities", ""))
                           if (s := self.severity(raw, f"severities[{i}]", names)) is not None)
        self.unique([s.id for s in severities], "severities", "severity id")
        targets = tuple(r for i, raw in enumerate(self.array(data, "targets", ""))
                        if (r := self.rule(raw, f"targets[{i}]", names, policy_level=True)))
        schedules = tuple(sc for i, raw in enumerate(self.array(data, "schedules", ""))
                          if (sc := self.schedule(raw, f"schedules[{i}]", names)) is not None)
        self.unique([sc.name for sc in schedules], "schedules", "schedule name")
        if not (data.get("severities") or data.get("targets") or data.get("schedules")):
            self.bad("severities", "is required: at least one severity level (or policy-level "
                                   "targets, or schedules)")
        ladders = tuple(x for i, raw in enumerate(self.array(data, "escalations", ""))
                        if (x := self.ladder(raw, f"escalations[{i}]", names)) is not None)
        self.unique([x.metric for x in ladders], "escalations", "metric")
        clock = self.clock(data.get("clock", {}))
        targeted = {t.metric for t in targets} | {t.metric for s in severities for t in s.targets}
        measures = tuple(m for i, raw in enumerate(self.array(data, "measures", ""))
                         if (m := self.measure(raw, f"measures[{i}]", names, targeted)) is not None)
        self.unique([m.name for m in measures], "measures", "measure name")
        if self.problems:
            raise PolicyError(self.problems)
        return Policy(name, description, calendars, severities, tiers, targets, ladders, clock,
                      schedules, measures)

    def measure(self, raw: Any, path: str, calendars: set[str],
                targeted: set[str]) -> Measure | None:
        data = self.table(raw, path)
        kind = data.get("kind")
        ok = True
        if kind not in MEASURE_KINDS:
            self.bad(f"{path}.kind", "is required" if kind is None else
                     f"{kind!r} is not a kind of measure; the kinds are {', '.join(MEASURE_KINDS)}")
            self.unknown_keys(data, path, sorted({k for keys in _MEASURE_KEYS.values()
                                                  for k in keys}))
            ok = False
        else:
            ok = self.unknown_keys(data, path, _MEASURE_KEYS[kind])
        name = self.text(data, "name", path, required=True)
        ok = ok and bool(name)
        period = data.get("period", "quarter")
        if period not in PERIODS:
            self.bad(f"{path}.period", f"{period!r} is not one of {', '.join(PERIODS)}")
            ok = False
        calendar = data.get("calendar")
        if calendar is not None and not self.calendar_name(calendar, f"{path}.calendar",
                                                           calendars):
            ok = False
        if not ok and kind not in MEASURE_KINDS:
            return None
        metric = None
        if kind in ("on_time", "credits"):
            metric = data.get("metric")
            if metric is None:
                self.bad(f"{path}.metric", "is required")
                ok = False
            elif metric not in METRICS:
                self.bad(f"{path}.metric",
                         f"{metric!r} is not a metric; metrics are {', '.join(METRICS)}")
                ok = False
            elif metric not in targeted:
                self.bad(f"{path}.metric", f"{metric!r} has no target in this policy; the "
                         f"targeted metrics are {', '.join(m for m in METRICS if m in targeted) or 'none'}")
                ok = False
        at_least = per_breach = cap = None
        if kind == "on_time":
            at_least = self.share(data, "at_least", path, required=True)
            ok = ok and at_least is not None
        elif kind == "average_satisfaction":
            raw_at = data.get("at_least")
            if raw_at is None:
                self.bad(f"{path}.at_least", "is required")
                ok = False
            elif (isinstance(raw_at, bool) or not isinstance(raw_at, int | float)
                  or not 1 <= raw_at <= 5):
                self.bad(f"{path}.at_least",
                         f"{raw_at!r} is not a rating from 1 to 5 (the satisfaction scale)")
                ok = False
            else:
                at_least = float(raw_at)
        elif kind == "credits":
            per_breach = self.share(data, "per_breach", path, required=True)
            cap = self.share(data, "cap", path, required=False)
            ok = ok and per_breach is not None and ("cap" not in data or cap is not None)
        if not ok:
            return None
        return Measure(name, str(kind), str(period), calendar, metric, at_least, per_breach, cap)

    def share(self, data: Mapping[str, Any], key: str, path: str, *,
              required: bool) -> float | None:
        """A share in (0, 1], written ``"95%"`` or ``0.95``; reported when bad or missing."""
        if key not in data:
            if required:
                self.bad(f"{path}.{key}", "is required (a share: '95%' or 0.95)")
            return None
        raw = data[key]
        value = parse_share(raw)
        if value is None or not 0 < value <= 1:
            self.bad(f"{path}.{key}", f"{raw!r} is not a share in (0, 1]; write e.g. '95%' "
                                      "or 0.95")
            return None
        return value

    def schedule(self, raw: Any, path: str, calendars: set[str]) -> Schedule | None:
        from dateutil.rrule import rrulestr  # noqa: PLC0415 - only needed for schedules

        data = self.table(raw, path)
        self.unknown_keys(data, path, ("name", "rule", "calendar", "roll", "by", "start"))
        name = self.text(data, "name", path, required=True)
        rule = self.text(data, "rule", path, required=True)
        ok = bool(name and rule)
        if rule:
            if "DTSTART" in rule.upper() or "\n" in rule:
                self.bad(f"{path}.rule", f"{rule!r}: give the RRULE part only (no DTSTART)")
                ok = False
            else:
                try:
                    parsed = rrulestr(rule, dtstart=dt.datetime(2000, 1, 1))
                except (ValueError, TypeError) as exc:
                    self.bad(f"{path}.rule", f"{rule!r} is not an RFC 5545 recurrence rule: {exc}")
                    ok = False
                else:
                    if getattr(parsed, "_freq", 0) > 3:  # HOURLY, MINUTELY, SECONDLY
                        self.bad(f"{path}.rule", f"{rule!r}: obligations recur daily at most often")
                        ok = False
        calendar = data.get("calendar")
        if not self.calendar_name(calendar, f"{path}.calendar", calendars):
            ok = False
        roll = data.get("roll", "forward")
        if roll not in ROLLS:
            self.bad(f"{path}.roll", f"{roll!r} is not one of {', '.join(ROLLS)}")
            ok = False
        by = None
        if "by" in data:
            try:
                by = parse_time(data["by"], where=f"{path}.by")
            except SlaValueError as exc:
                self.bad(f"{path}.by", str(exc).split(": ", 1)[-1])
                ok = False
        anchor = data.get("start", dt.date(2000, 1, 1))
        if isinstance(anchor, dt.datetime) or not isinstance(anchor, dt.date):
            self.bad(f"{path}.start", f"{anchor!r} is not a date (the rule's first occurrence)")
            ok = False
        if not ok:
            return None
        return Schedule(name, rule, str(calendar), roll, by, anchor)

    def unique(self, values: list[str], path: str, what: str) -> None:
        seen: set[str] = set()
        for v in values:
            if v in seen:
                self.bad(path, f"{what} {v!r} appears twice")
            seen.add(v)

    def calendars(self, raw: Any) -> tuple[CalendarSpec, ...]:
        if raw is None or raw == {}:
            self.bad("calendars", "is required: at least one named calendar")
            return ()
        table = self.table(raw, "calendars")
        out = []
        for cal_name, raw_params in table.items():
            path = f"calendars.{cal_name}"
            params = self.table(raw_params, path)
            if not self.unknown_keys(params, path, _CAL_KEYS):
                continue
            if ("coverage" in params) == ("days" in params):
                self.bad(path, "give either coverage (e.g. '5x8') or days with hours")
                continue
            try:
                out.append(CalendarSpec.build(cal_name, params))
            except SlaError as exc:
                self.bad(path, str(exc))
            except (TypeError, ValueError) as exc:
                self.bad(path, f"bad arguments: {exc}")
        return tuple(out)

    def tier(self, raw: Any, path: str) -> ServiceTier | None:
        data = self.table(raw, path)
        self.unknown_keys(data, path, ("id", "name", "remote", "parts", "onsite",
                                       "inspections_per_year", "terms"))
        tier_id = self.text(data, "id", path, required=True)
        from slacalc.coverage import Coverage  # noqa: PLC0415 - small and local

        remote = data.get("remote", "7x24")
        for key in ("remote", "parts"):
            value = data.get(key)
            if value is not None:
                try:
                    Coverage.parse(value)
                except SlaError as exc:
                    self.bad(f"{path}.{key}", str(exc))
        if not isinstance(remote, str):
            remote = "7x24"
        parts = data.get("parts")
        onsite = data.get("onsite", False)
        if not isinstance(onsite, bool):
            self.bad(f"{path}.onsite", f"{onsite!r} is not true or false")
        inspections = data.get("inspections_per_year", 0)
        if isinstance(inspections, bool) or not isinstance(inspections, int) or inspections < 0:
            self.bad(f"{path}.inspections_per_year", f"{inspections!r} is not a count >= 0")
            inspections = 0
        terms = data.get("terms", [])
        if not isinstance(terms, list) or not all(
            isinstance(t, int) and not isinstance(t, bool) and t > 0 for t in terms
        ):
            self.bad(f"{path}.terms", f"{terms!r} is not an array of positive years")
            terms = []
        if not tier_id:
            return None
        return ServiceTier(tier_id, self.text(data, "name", path), remote,
                           parts if isinstance(parts, str) else None, bool(onsite),
                           inspections, tuple(terms))

    def severity(self, raw: Any, path: str, calendars: set[str]) -> Severity | None:
        data = self.table(raw, path)
        self.unknown_keys(data, path, ("id", "name", "description", "targets"))
        sev_id = data.get("id")
        if isinstance(sev_id, int) and not isinstance(sev_id, bool):
            sev_id = str(sev_id)
        if not isinstance(sev_id, str) or not sev_id:
            self.bad(f"{path}.id", f"{sev_id!r} is not a severity id such as 'A' or '1'")
            return None
        rules = tuple(r for i, t in enumerate(self.array(data, "targets", path))
                      if (r := self.rule(t, f"{path}.targets[{i}]", calendars, policy_level=False)))
        return Severity(sev_id, self.text(data, "name", path), self.text(data, "description", path),
                        rules)

    def rule(  # noqa: PLR0915 - one validation pass per target kind, kept together
        self, raw: Any, path: str, calendars: set[str], *, policy_level: bool
    ) -> TargetRule | None:
        data = self.table(raw, path)
        self.unknown_keys(data, path, ("metric", "calendar", "start", "when", *TARGET_KINDS))
        metric = data.get("metric")
        ok = True
        if metric not in METRICS:
            self.bad(f"{path}.metric", f"{metric!r} is not a metric; metrics are {', '.join(METRICS)}")
            ok = False
        kinds = [k for k in TARGET_KINDS if k in data]
        if len(kinds) != 1:
            self.bad(path, f"give exactly one of {', '.join(TARGET_KINDS)} (found "
                           f"{', '.join(kinds) or 'none'})")
            return None
        kind = kinds[0]
        calendar = data.get("calendar")
        if kind != "none":
            if calendar is None:
                self.bad(f"{path}.calendar", "is required")
                ok = False
            elif not self.calendar_name(calendar, f"{path}.calendar", calendars):
                ok = False
        start = data.get("start", "opened")
        if not isinstance(start, str) or not start:
            self.bad(f"{path}.start", f"{start!r} is not 'opened' or a metric/event name")
            ok = False
        duration = n = cutoff = by = None
        spec = data[kind]
        kpath = f"{path}.{kind}"
        if kind == "none":
            if spec is not True:
                self.bad(kpath, f"{spec!r}: write none = true")
                ok = False
        elif kind == "within":
            try:
                duration = parse_duration(spec, where=kpath)
            except SlaValueError as exc:
                self.bad(kpath, str(exc).split(": ", 1)[-1])
                ok = False
            else:
                if duration <= dt.timedelta(0):
                    self.bad(kpath, f"{spec!r} must be positive")
                    ok = False
        else:
            sub = self.table(spec, kpath)
            allowed = ("n", "cutoff", "by") if kind == "business_days" else ("cutoff", "by")
            ok = self.unknown_keys(sub, kpath, allowed) and ok
            times: dict[str, dt.time | None] = {"cutoff": None, "by": None}
            for key in times:
                if key in sub:
                    try:
                        times[key] = parse_time(sub[key], where=f"{kpath}.{key}")
                    except SlaValueError as exc:
                        self.bad(f"{kpath}.{key}", str(exc).split(": ", 1)[-1])
                        ok = False
            cutoff, by = times["cutoff"], times["by"]
            if kind == "business_days":
                n = sub.get("n")
                if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 50_000:
                    self.bad(f"{kpath}.n", f"{n!r} is not a number of business days (0-50000)")
                    ok = False
        when = self.when(data.get("when", {}), f"{path}.when", calendars, policy_level)
        if not ok or when is None:
            return None
        return TargetRule(str(metric), kind, calendar, duration, n, cutoff, by, start, when)

    def when(self, raw: Any, path: str, calendars: set[str], policy_level: bool) -> When | None:
        data = self.table(raw, path)
        allowed = ["zone", "tier", "hours", "hours_calendar"]
        if policy_level:
            allowed.append("severity")
        self.unknown_keys(data, path, allowed)
        out: dict[str, Any] = {}
        for key in ("zone", "tier", "severity"):
            if key in data:
                value = self.strings(data[key], f"{path}.{key}")
                if value is None:
                    return None
                out[key] = value
        if "hours" in data:
            if data["hours"] not in ("in", "out"):
                self.bad(f"{path}.hours", f"{data['hours']!r} is not 'in' or 'out'")
                return None
            cal = data.get("hours_calendar")
            if not self.calendar_name(cal, f"{path}.hours_calendar", calendars):
                return None
            out["hours"], out["hours_calendar"] = data["hours"], cal
        elif "hours_calendar" in data:
            self.bad(f"{path}.hours_calendar", "is only meaningful with hours = 'in' or 'out'")
            return None
        return When(**out)

    def ladder(self, raw: Any, path: str, calendars: set[str]) -> EscalationLadder | None:
        data = self.table(raw, path)
        self.unknown_keys(data, path, ("metric", "steps"))
        metric = data.get("metric")
        if metric not in METRICS:
            self.bad(f"{path}.metric", f"{metric!r} is not a metric; metrics are {', '.join(METRICS)}")
            return None
        steps = []
        for i, rawstep in enumerate(self.array(data, "steps", path)):
            spath = f"{path}.steps[{i}]"
            step = self.table(rawstep, spath)
            self.unknown_keys(step, spath, ("name", "at", "offset", "notify", "hold_until"))
            name = self.text(step, "name", spath, required=True)
            at = step.get("at")
            offset = None
            if (at is not None) == (step.get("offset") is not None):
                self.bad(spath, "give exactly one of at (a share of the target) or offset")
                continue
            if at is not None:
                if isinstance(at, bool) or not isinstance(at, int | float) or not 0 < at <= 1:
                    self.bad(f"{spath}.at", f"{at!r} is not a share in (0, 1]; to escalate after "
                                            "the deadline use offset = '+1h'")
                    continue
                at = float(at)
            else:
                try:
                    offset = parse_duration(step["offset"], where=f"{spath}.offset", signed=True)
                except SlaValueError as exc:
                    self.bad(f"{spath}.offset", str(exc).split(": ", 1)[-1])
                    continue
            hold = step.get("hold_until")
            if hold is not None and not self.calendar_name(hold, f"{spath}.hold_until", calendars):
                continue
            steps.append(EscalationStep(name, at, offset, self.text(step, "notify", spath), hold))
        if not steps:
            if not self.array(data, "steps", path):
                self.bad(f"{path}.steps", "at least one step is required")
            return None
        return EscalationLadder(metric, tuple(steps))

    def clock(self, raw: Any) -> ClockRules:
        data = self.table(raw, "clock")
        self.unknown_keys(data, "clock", ("pause_reasons", "exclude_reasons", "severity_change"))
        reasons: dict[str, frozenset[str]] = {}
        for key in ("pause_reasons", "exclude_reasons"):
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                self.bad(f"clock.{key}", f"{value!r} is not an array of reason names")
                value = []
            reasons[key] = frozenset(value)
        change = data.get("severity_change", "restart")
        if change not in SEVERITY_CHANGES:
            self.bad("clock.severity_change", f"{change!r} is not one of {', '.join(SEVERITY_CHANGES)}")
            change = "restart"
        return ClockRules(reasons["pause_reasons"], reasons["exclude_reasons"], change)
