"""Policies: tiers, severities, targets per metric, the clock's rules and escalation ladders.

A :class:`Policy` is an immutable value built from a policy file (the docs' "Policy files" page)
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
import difflib
import json
import os
import pathlib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import attrs

from slacalc._durations import format_duration, format_time, parse_duration, parse_time
from slacalc._timeline import MAX_YEAR, MIN_YEAR
from slacalc.calendar import Calendar
from slacalc.errors import OutOfRangeError, SlaError, SlaValueError, echo
from slacalc.targets import BusinessDays, NextBusinessDay, NextDay, Target, Within

__all__ = [
    "EVENTS",
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
#: Events a case may record under any policy, without the policy declaring them (the built-in
#: templates start clocks from them); a policy declares others in ``custom_events``.
EVENTS = ("diagnosed", "complaint")
#: How a policy's own metric names (``custom_metrics``) are spelt: a letter, then letters,
#: digits or underscores, at most 64 characters (they are column names in case tables).
_METRIC_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
TARGET_KINDS = ("within", "next_business_day", "next_day", "business_days", "none")
SEVERITY_CHANGES = ("restart", "keep", "shorter")


class PolicyError(SlaValueError):
    """A policy file or dict is invalid; ``problems`` lists every problem with its key path."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = "invalid policy: 1 problem" if count == 1 else f"invalid policy: {count} problems"
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in self.problems))

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle rebuilds an exception from ``args`` (the joined message); rebuild it from the
        # problems instead, so ``problems`` and the message survive multiprocessing and Dask
        return (type(self), (self.problems,))


# -- what any policy document must be before it is read ------------------------------------------
#: How deeply a policy document may nest tables and arrays. The deepest real key path is
#: ``severities[0].targets[0].when.zone[0]`` (6 levels); 32 leaves room and keeps every reader,
#: validator and writer far from Python's recursion limit.
MAX_DEPTH = 32
#: Integers in a policy fit in 64 bits (TOML's own limit), so whatever is read can be written.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
#: Python refuses to convert longer digit strings to int (``sys.get_int_max_str_digits``).
_MAX_DIGITS = 4300


class _TooLong:
    """A JSON integer with more digits than Python converts: reported, never converted."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits


class _Duplicates(dict[str, Any]):
    """A JSON object that named a key more than once (the keys are kept in ``repeated``)."""

    repeated: tuple[str, ...] = ()


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    repeated: list[str] = []
    for key, value in pairs:
        if key in out and key not in repeated:
            repeated.append(key)
        out[key] = value
    if not repeated:
        return out
    dups = _Duplicates(out)
    dups.repeated = tuple(repeated)
    return dups


def _json_int(text: str) -> int | _TooLong:
    digits = len(text.lstrip("-"))
    return _TooLong(digits) if digits > _MAX_DIGITS else int(text)


def _key_text(key: Any) -> str:
    """A key as a key path shows it: plain when short and printable, else capped."""
    if isinstance(key, str) and len(key) <= 40 and key.isprintable() and key:
        return key
    return echo(key, 40)


def _child(path: str, key: Any) -> str:
    return f"{path}.{_key_text(key)}" if path else _key_text(key)


def _digits(value: int) -> str:
    """How many decimal digits ``value`` has ("about" past what Python converts to text)."""
    bits = abs(value).bit_length()
    if bits < 14_000:  # under the 4,300-digit conversion limit
        return f"{len(str(abs(value))):,}"
    return f"about {int(bits * 0.30103) + 1:,}"


def _cap(text: str, limit: int = 300) -> str:
    """A message from another layer, cut to about ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = (limit - 30) // 2
    return f"{text[:half]}...{text[-half:]} ({len(text):,} characters)"


def _scan(data: Any) -> list[str]:
    """Problems no validator should meet, found without recursion: nesting deeper than
    :data:`MAX_DEPTH`, integers past 64 bits, repeated JSON keys."""
    problems: list[str] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        where = path or "the policy"
        if isinstance(value, Mapping | list | tuple):
            if depth > MAX_DEPTH:
                problems.append(f"{where}: nested more than {MAX_DEPTH} tables or arrays deep; "
                                "a policy needs a handful of levels")
                continue
            if isinstance(value, _Duplicates):
                problems.extend(f"{_child(path, k)}: the key appears more than once in one "
                                "JSON object; keep one" for k in value.repeated)
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            children = [(v, _child(path, k) if isinstance(value, Mapping) else f"{path}[{k}]",
                         depth + 1) for k, v in items]
            stack.extend(reversed(children))
        elif isinstance(value, _TooLong):
            problems.append(f"{where}: an integer of {value.digits:,} digits; numbers in a "
                            "policy fit in 64 bits")
        elif isinstance(value, int) and not isinstance(value, bool) and not (
            _INT_MIN <= value <= _INT_MAX
        ):
            problems.append(f"{where}: an integer of {_digits(value)} digits; numbers in a "
                            "policy fit in 64 bits")
    return problems


_LONG_DIGITS = re.compile(f"[0-9_]{{{_MAX_DIGITS + 1},}}")
_SENTINEL = 9_223_372_036_854_000_000


def _toml_long_ints(text: str, source: str) -> PolicyError:
    """The error for a TOML text holding an integer too long for Python to convert: each such
    number is swapped for a marker number, the text read again, and the markers' key paths
    named."""
    runs = list(_LONG_DIGITS.finditer(text))
    marked = text
    for i, run in reversed(list(enumerate(runs))):
        marked = marked[: run.start()] + str(_SENTINEL + i) + marked[run.end():]
    lengths = {_SENTINEL + i: len(run.group().replace("_", "")) for i, run in enumerate(runs)}
    found: list[str] = []
    try:
        data = tomllib.loads(marked)
    except (ValueError, RecursionError):
        data = {}
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, _child(path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, int) and abs(value) in lengths:
            found.append(f"{source}: {path}: an integer of {lengths[abs(value)]:,} digits; numbers "
                         "in a policy fit in 64 bits")
    if not found:
        line = text.count("\n", 0, runs[0].start()) + 1 if runs else 1
        found = [f"{source}: line {line}: a number of more than {_MAX_DIGITS:,} digits; "
                 "numbers in a policy fit in 64 bits"]
    return PolicyError(sorted(found))


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
        # a null (JSON) or None where None is the default is the same as leaving the key out,
        # and is stored that way, so the policy writes back as TOML, which has no null
        defaults = {"tz", "country", "subdiv", *(("hours",) if "coverage" in params else ())}
        params = {k: v for k, v in params.items() if not (v is None and k in defaults)}
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


def _count(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _short(text: str, limit: int = 40) -> str:
    """A name as a repr shows it: itself when short and printable, else a capped repr."""
    return text if len(text) <= limit and text.isprintable() else echo(text, limit)


def _read_policy(path: Any, encoding: str) -> str:
    """The text of a policy file, or an :class:`SlaValueError` naming the path and the reason."""
    if not isinstance(path, str | os.PathLike):
        raise SlaValueError(f"path must be a file path (str or os.PathLike), not {echo(path)}")
    try:
        return pathlib.Path(path).read_text(encoding=encoding)
    except UnicodeDecodeError:
        raise SlaValueError(f"policy file {echo(str(path))} is not UTF-8 text") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the name
        reason = getattr(exc, "strerror", None) or exc
        raise SlaValueError(f"cannot read policy file {echo(str(path))}: {reason}") from None


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

    def matches(self, policy: Policy, case_tier: str | None, zone: str | None,
                severity: str | None, start: dt.datetime) -> bool:
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

    def __repr__(self) -> str:
        return f"<TargetRule {_short(self.metric)}: {self.describe()}>"

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

    def __repr__(self) -> str:
        name = f" ({_short(self.name)})" if self.name else ""
        return f"<Severity {echo(self.id, 40)}{name}: {_count(len(self.targets), 'target')}>"

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
#: The days a schedule can fall on: the years slacalc computes.
_FIRST_DAY, _LAST_DAY = dt.date(MIN_YEAR, 1, 1), dt.date(MAX_YEAR, 12, 31)
#: At most one inspection a day; contracts' terms are counted in years.
MAX_INSPECTIONS = 365
MAX_TERM = 100


def _never(rule: Any) -> bool:
    """Whether a parsed rule (without its COUNT and UNTIL) has no occurrence in 400 years.

    ``dateutil`` steps through every period until an occurrence is found, up to the year 9999,
    so a rule whose parts contradict each other would take seconds for every window asked of it.
    The Gregorian calendar repeats every 400 years (146,097 days, a whole number of weeks), so
    moving the start by a multiple of 400 years moves every occurrence by the same: the check
    looks at the last full 400 years a ``datetime`` can hold, which costs one cycle at most.
    """
    start = rule._dtstart
    years = (dt.MAXYEAR - 400 - start.year) // 400 * 400
    probe = rule.replace(dtstart=start.replace(year=start.year + years), count=None, until=None)
    return next(iter(probe), None) is None


def _too_often(rule: Any) -> str:
    """Why a parsed recurrence rule may fall more than once a day, or never stops stepping
    (``""`` when it does neither): obligations are dated, so a schedule gives one date at most
    per day. The checks read the rule as ``dateutil`` expanded it (its ``BY...`` lists filled
    in from the start), so every way of writing several times a day is caught."""
    if rule._freq > 3:  # HOURLY, MINUTELY, SECONDLY
        return "obligations recur daily at most often; give FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"
    if rule._interval < 1:
        return "INTERVAL must be 1 or more (INTERVAL=0 never moves on to the next date)"
    times = 1
    for part in ("_byhour", "_byminute", "_bysecond"):
        values = getattr(rule, part, None)
        times *= len(values) if values else 1
    if times > 1:
        return ("it falls several times a day (BYHOUR, BYMINUTE or BYSECOND lists more than one "
                "value); an obligation is due once on its day: set the time of day with 'by'")
    return ""


def _due(cal: Calendar, name: str, nominal: dt.date, roll: str, by: dt.time | None) -> Due:
    """The obligation ``name`` nominally due on ``nominal``, rolled by ``roll``: due at ``by`` on
    that day, or by its end (the next local midnight) without ``by``."""
    if roll == "forward":
        day = cal.add_business_days(nominal, 0)
    elif roll == "backward":
        day = nominal if cal.is_business_day(nominal) else cal.add_business_days(nominal, -1)
    else:
        day = nominal
    if by is None:
        local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=cal.tz)
    else:
        local = dt.datetime.combine(day, by, tzinfo=cal.tz)
    # normalise through UTC so a wall time in a gap or fold gets the zone's reading
    return Due(name, nominal, day, local.astimezone(dt.UTC).astimezone(cal.tz))


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
                raise SlaValueError(f"{name} must be a datetime.date, not {echo(value)}")
            if not _FIRST_DAY <= value <= _LAST_DAY:
                raise OutOfRangeError(
                    f"{name}={value.isoformat()} is outside the years slacalc can compute "
                    f"({MIN_YEAR}-{MAX_YEAR}); ask for dates in that range"
                )
        cal = policy.calendar(self.calendar)
        # the rule is anchored at ``start`` (its DTSTART), so INTERVAL and COUNT do not depend
        # on the window asked for
        rule: Any = rrulestr(self.rule, dtstart=dt.datetime.combine(self.start, dt.time()))

        def why_not() -> str:  # a Schedule built in Python has not been through the loader
            return _too_often(rule) or ("it never falls due" if _never(rule) else "")

        why = policy._memo(("schedule refused", self), why_not)
        if why:
            raise SlaValueError(f"schedule {echo(self.name)}: rule {echo(self.rule)}: {why}")
        out = []
        lo = dt.datetime.combine(first, dt.time())
        hi = dt.datetime.combine(last, dt.time.max)
        # Bound the work: stepping ends at the first occurrence past ``hi`` (a policy's rules
        # fall due at least once in every 400 years, which loading checks, so that is near), and
        # at most one occurrence a day is kept; COUNT still counts from the start.
        count = rule._count
        until = rule._until
        bounded = rule.replace(count=None, until=hi if until is None else min(until, hi))
        seen: set[dt.date] = set()
        for index, when in enumerate(bounded):
            if count is not None and index >= count:
                break
            if when > hi:
                break
            if when < lo:
                continue
            nominal = when.date()
            if nominal in seen:  # several times on one day (BYHOUR=...) are one obligation
                continue
            seen.add(nominal)
            out.append(_due(cal, self.name, nominal, self.roll, self.by))
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
    #: metric names this policy declares next to the built-in :data:`METRICS`
    custom_metrics: tuple[str, ...] = ()
    #: event names this policy's cases record (a clock may start at them), next to :data:`EVENTS`
    custom_events: tuple[str, ...] = ()
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

    def __repr__(self) -> str:
        """One line: the name and how many of each part the policy has.

        >>> import slacalc as sla
        >>> sla.templates.load("helpdesk")
        <Policy 'helpdesk': 1 severity, 1 metric>
        """
        parts = [_count(len(self.severities), "severity", "severities"),
                 _count(len(self.tiers), "tier"), _count(len(self.metrics()), "metric"),
                 _count(len(self.schedules), "schedule"), _count(len(self.measures), "measure")]
        shown = ", ".join(p for p in parts if not p.startswith("0 "))
        return f"<Policy {echo(self.name, 60)}" + (f": {shown}>" if shown else ">")

    def _memo(self, key: Any, compute: Any) -> Any:
        derived = self._derived
        try:
            return derived[key]
        except TypeError:  # an unhashable argument (a list, a dict): not a name, said by compute
            return compute()
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

    def severity(self, severity_id: str | None) -> Severity:
        """The severity with this id."""
        if severity_id is None:
            known = ", ".join(repr(s.id) for s in self.severities) or "none"
            raise SlaValueError(f"the case has no severity, but policy {self.name!r} sets its "
                                f"targets by severity level: give the case one of {known}")
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
        known = _cap(", ".join(repr(getattr(i, key)) for i in items), 200) or "none"
        raise SlaValueError(f"{what} {echo(value)} is not in policy {echo(self.name)}; it has {known}")

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

    def inspections(self, tier: str, start: dt.date, years: int, *,
                    calendar: str | None = None, by: dt.time | None = None) -> list[Due]:
        """The preventive inspections a contract of ``tier`` owes over its term, as due dates.

        A contract starting on ``start`` for ``years`` years with ``n`` inspections a year
        (the tier's ``inspections_per_year``) owes one inspection per period of ``12 / n``
        months, counted from ``start``: inspection ``k`` covers
        ``[start + (k - 1) * 12 / n months, start + k * 12 / n months)`` and is nominally due
        on that period's last day. A due date that is not a business day of ``calendar``
        (default: the policy's first calendar) is postponed to the next business day, like a
        scheduled report (``roll = "forward"``); it is due at ``by`` on that day, or by its end
        without ``by``.
        When ``n`` does not divide 12, each contract year is split into ``n`` periods of whole
        days as equal as they can be. ``years`` must be one of the tier's ``terms`` when it
        lists any. A tier without inspections owes none.

        >>> import datetime as dt
        >>> import slacalc as sla
        >>> tiers = sla.templates.load("tiers")
        >>> [d.day.isoformat() for d in tiers.inspections("diamond", dt.date(2026, 1, 1), 1)]
        ['2026-03-31', '2026-06-30', '2026-09-30', '2026-12-31']
        >>> due = tiers.inspections("platinum", dt.date(2025, 10, 2), 1)[0]
        >>> due.name, due.nominal.isoformat(), due.day.isoformat()  # National Day week
        ('platinum inspection 1 of 1', '2026-10-01', '2026-10-08')
        """
        from dateutil.relativedelta import relativedelta  # noqa: PLC0415 - only needed here

        if not isinstance(tier, str):
            raise SlaValueError(f"tier must be a tier id (str), not {echo(tier)}")
        found = self.tier(tier)
        if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
            raise SlaValueError(f"start must be a datetime.date (the contract's first day), "
                                f"not {echo(start)}")
        if isinstance(years, bool) or not isinstance(years, int) or not (
            0 < years <= MAX_TERM
        ):
            raise SlaValueError(f"years must be a whole number of years from 1 to "
                                f"{MAX_TERM} (the contract's term), not {echo(years)}")
        if found.terms and years not in found.terms:
            raise SlaValueError(
                f"years={years}: tier {tier!r} is sold for terms of "
                f"{', '.join(map(str, found.terms))} years; give one of them")
        if by is not None and not isinstance(by, dt.time):
            raise SlaValueError(f"by must be a datetime.time or None, not {echo(by)}")
        cal = self.calendar(self.calendars[0].name if calendar is None else calendar)
        per_year = found.inspections_per_year
        if per_year > MAX_INSPECTIONS:
            raise SlaValueError(
                f"tier {tier!r} has inspections_per_year={echo(per_year)}: inspections are "
                f"computed for at most {MAX_INSPECTIONS} a year (one a day)")
        total = per_year * years
        if start.year + years >= dt.MAXYEAR:
            raise SlaValueError(f"start={start.isoformat()} with years={years} ends past the "
                                "last date Python can represent")
        ends: list[dt.date] = []  # the first day after each period
        for k in range(1, total + 1):
            if 12 % per_year == 0:
                ends.append(start + relativedelta(months=k * (12 // per_year)))
            else:
                year, part = divmod(k - 1, per_year)
                first = start + relativedelta(years=year)
                length = (start + relativedelta(years=year + 1) - first).days
                ends.append(first + dt.timedelta(days=(part + 1) * length // per_year))
        return [_due(cal, f"{tier} inspection {k} of {total}", end - dt.timedelta(days=1),
                     "forward", by) for k, end in enumerate(ends, 1)]

    def ladder(self, metric: str) -> EscalationLadder | None:
        for ladder in self.escalations:
            if ladder.metric == metric:
                return ladder
        return None

    def metric_names(self) -> tuple[str, ...]:
        """Every metric name this policy may use: the built-in :data:`METRICS`, then its own
        ``custom_metrics`` in the order declared."""
        return (*METRICS, *self.custom_metrics)

    def metrics(self) -> list[str]:
        """The metrics this policy has targets for, in :meth:`metric_names` order."""
        def compute() -> tuple[str, ...]:
            used = {t.metric for t in self.targets} | {
                t.metric for s in self.severities for t in s.targets
            }
            return tuple(m for m in self.metric_names() if m in used)

        return list(self._memo("metrics", compute))

    def rules(self, severity: str | None) -> tuple[TargetRule, ...]:
        """The rules tried for a case of this severity, in order: the severity's, then the
        policy's. A policy without severity levels ignores the case's severity (which may then
        be ``None``)."""
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
        if isinstance(data, Mapping):
            problems = _scan(data)
            if problems:
                raise PolicyError(problems)
        return _Loader().policy(data)

    @classmethod
    def from_toml(cls, path: str | pathlib.Path) -> Policy:
        """Load a policy file."""
        text = _read_policy(path, "utf-8")
        return cls.from_toml_text(text, source=str(path))

    @classmethod
    def from_toml_text(cls, text: str, *, source: str = "<string>") -> Policy:
        """Load a policy from TOML text."""
        if not isinstance(text, str):
            raise PolicyError([f"{source}: policy text must be str, not {type(text).__name__}"])
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError([f"{source}: not valid TOML: {exc}"]) from None
        except RecursionError:
            raise PolicyError([f"{source}: arrays or inline tables nested too deeply to read; "
                               f"a policy needs a handful of levels (at most {MAX_DEPTH})"]
                              ) from None
        except ValueError:  # an integer longer than Python converts
            raise _toml_long_ints(text, source) from None
        return cls.from_dict(data)

    @classmethod
    def from_json(cls, path: str | pathlib.Path) -> Policy:
        """Load a policy written as JSON (the structure of a policy file)."""
        text = _read_policy(path, "utf-8-sig")
        return cls.from_json_text(text, source=str(path))

    @classmethod
    def from_json_text(cls, text: str, *, source: str = "<string>") -> Policy:
        """Load a policy from JSON text. A key given twice in one object is an error (JSON
        readers disagree on which one wins), as is an integer past 64 bits.

        >>> Policy.from_json_text('{"name": "a", "name": "b"}')
        Traceback (most recent call last):
          ...
        slacalc.policy.PolicyError: invalid policy: 1 problem
          - name: the key appears more than once in one JSON object; keep one
        """
        if not isinstance(text, str):
            raise PolicyError([f"{source}: policy text must be str, not {type(text).__name__}"])
        try:
            data = json.loads(text, object_pairs_hook=_json_object, parse_int=_json_int)
        except json.JSONDecodeError as exc:
            raise PolicyError([f"{source}: not valid JSON: {exc}"]) from None
        except RecursionError:
            raise PolicyError([f"{source}: arrays or objects nested too deeply to read; "
                               f"a policy needs a handful of levels (at most {MAX_DEPTH})"]
                              ) from None
        if not isinstance(data, dict):
            raise PolicyError([f"{source}: a policy is a JSON object, not "
                               f"{type(data).__name__}"])
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """Plain data that :meth:`from_dict` turns back into an equal policy."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        if self.custom_metrics:
            out["custom_metrics"] = list(self.custom_metrics)
        if self.custom_events:
            out["custom_events"] = list(self.custom_events)
        out["calendars"] = {s.name: s.to_dict() for s in self.calendars}
        out["clock"] = self.clock.to_dict()
        out["tiers"] = [t.to_dict() for t in self.tiers]
        out["severities"] = [s.to_dict() for s in self.severities]
        out["targets"] = [t.to_dict() for t in self.targets]
        out["escalations"] = [e.to_dict() for e in self.escalations]
        out["schedules"] = [x.to_dict() for x in self.schedules]
        out["measures"] = [m.to_dict() for m in self.measures]
        return out

    def with_calendar_changes(self, *, extra_holidays: Iterable[dt.date | str] = (),
                              extra_workdays: Iterable[dt.date | str] = (),
                              calendars: Iterable[str] | None = None) -> Policy:
        """A copy of this policy whose calendars close on ``extra_holidays`` and open on
        ``extra_workdays`` as well as on their own extra days: for example next year's official
        schedule, published before the holiday data has it. ``calendars`` names the calendars
        to change (default: every calendar that follows business days); the policy itself is
        not changed. A date may not be both, nor a workday one calendar already closes.

        >>> import datetime as dt
        >>> import slacalc as sla
        >>> policy = sla.templates.load("spare-parts")
        >>> variant = policy.with_calendar_changes(extra_holidays=["2026-11-23"])
        >>> variant.calendar("business").is_business_day(dt.date(2026, 11, 23))
        False
        >>> policy.calendar("business").is_business_day(dt.date(2026, 11, 23))
        True
        """
        holidays = [_as_iso(d, "extra_holidays") for d in _dates(extra_holidays, "extra_holidays")]
        workdays = [_as_iso(d, "extra_workdays") for d in _dates(extra_workdays, "extra_workdays")]
        names = [s.name for s in self.calendars]
        if calendars is None:
            chosen = [s.name for s in self.calendars if s.calendar.days == "business"]
        else:
            if isinstance(calendars, str):
                calendars = [calendars]
            chosen = list(calendars)
            for name in chosen:
                if name not in names:
                    raise SlaValueError(f"calendars: {echo(name)} is not one of the policy's "
                                        f"calendars ({', '.join(names) or 'none defined'})")
        data = self.to_dict()
        for name in chosen:
            spec = data["calendars"][name]
            for key, extra in (("extra_holidays", holidays), ("extra_workdays", workdays)):
                if extra:
                    have = [str(d) if not isinstance(d, dt.date) else d.isoformat()
                            for d in spec.get(key, ())]
                    spec[key] = sorted(set(have) | set(extra))
        return Policy.from_dict(data)

    def to_toml(self) -> str:
        """The policy as TOML text that :meth:`from_toml_text` reads back unchanged."""
        from slacalc._toml import dumps  # noqa: PLC0415 - only needed when writing

        return dumps(self.to_dict())


def _dates(value: Any, name: str) -> list[Any]:
    if isinstance(value, str | dt.date) or not isinstance(value, Iterable):
        raise SlaValueError(f"{name} must be a list of dates, not {echo(value)}")
    return list(value)


def _as_iso(value: Any, name: str) -> str:
    """A date (or its ISO text) as ISO text, as policy files write it."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        raise SlaValueError(f"{name}: {echo(value)} is not a date; give datetime.date values "
                            "or ISO text such as '2027-02-08'")
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise SlaValueError(f"{name}: {echo(value)} is not an ISO date such as "
                                "'2027-02-08'") from None
        return day.isoformat()
    return value.isoformat()


# -- loading and validation ----------------------------------------------------------------------
class _Loader:
    """Validates plain data, collecting every problem with its key path."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.metric_names: tuple[str, ...] = METRICS  # with the policy's custom_metrics

    def bad(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def unknown_keys(self, data: Mapping[str, Any], path: str, allowed: Sequence[str]) -> bool:
        """Report keys not in ``allowed``; True when there were none."""
        clean = True
        for key in data:
            if key not in allowed:
                self.bad(f"{path}.{key}" if path else str(key),
                         f"unknown key {echo(key)}; expected one of {', '.join(allowed)}")
                clean = False
        return clean

    def ascii_digits(self, value: Any, path: str) -> bool:
        """False (and reported) when ``value`` holds digits other than ASCII 0-9 ("４h",
        "١٥:٠٠"): a policy file writes numbers one way only."""
        texts = value.values() if isinstance(value, Mapping) else [value]
        for text in texts:
            if isinstance(text, str) and not text.isascii() and any(
                c.isdigit() and not c.isascii() for c in text
            ):
                self.bad(path, f"{echo(text)} has digits other than 0-9; write numbers with "
                               "ASCII digits")
                return False
        return True

    def calendar_name(self, value: Any, path: str, calendars: set[str]) -> bool:
        """Whether ``value`` names one of the policy's calendars (reported when not)."""
        if isinstance(value, str) and value in calendars:
            return True
        self.bad(path, f"{echo(value)} is not one of the policy's calendars "
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
            self.bad(f"{path}.{key}" if path else key, f"{echo(value)} is not a non-empty string")
            return default
        return value

    def table(self, data: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            self.bad(path, f"{echo(data)} is not a table")
            return {}
        return data

    def array(self, data: Mapping[str, Any], key: str, path: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.bad(f"{path}.{key}" if path else key, f"{echo(value)} is not an array")
            return []
        return value

    def strings(self, value: Any, path: str) -> tuple[str, ...] | None:
        if isinstance(value, str) and value:
            return (value,)
        if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
            return tuple(value)
        self.bad(path, f"{echo(value)} is not a non-empty string or a non-empty array of them")
        return None

    def policy(self, data: Mapping[str, Any]) -> Policy:
        if not isinstance(data, Mapping):
            raise PolicyError([f"a policy is a table (dict), not {type(data).__name__}"])
        self.unknown_keys(data, "", ("name", "description", "custom_metrics",
                                     "custom_events", "calendars", "clock", "tiers", "severities", "targets", "escalations",
                                     "schedules", "measures"))
        name = self.text(data, "name", "", required=True)
        description = self.text(data, "description", "")
        custom = self.custom_metrics(data.get("custom_metrics", []))
        self.metric_names = (*METRICS, *custom)
        events = self.custom_events(data.get("custom_events", []), custom)
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
                      schedules, measures, custom, events)

    def custom_metrics(self, raw: Any) -> tuple[str, ...]:
        """The policy's own metric names (``custom_metrics = ["callback", "first_fix"]``)."""
        if not isinstance(raw, list):
            self.bad("custom_metrics", f"{echo(raw)} is not an array of metric names")
            return ()
        out: list[str] = []
        for i, name in enumerate(raw):
            path = f"custom_metrics[{i}]"
            if not isinstance(name, str) or not _METRIC_NAME.fullmatch(name):
                self.bad(path, f"{echo(name)} is not a metric name: write a letter, then letters, "
                               "digits or underscores (at most 64 characters), e.g. 'first_fix'")
            elif name in METRICS:
                self.bad(path, f"{name!r} is a built-in metric; use it without declaring it")
            elif name == "opened":
                self.bad(path, "'opened' is the instant a case is opened, not a metric")
            elif name in out:
                self.bad(path, f"{name!r} is declared twice")
            else:
                out.append(name)
        return tuple(out)

    def custom_events(self, raw: Any, custom: tuple[str, ...]) -> tuple[str, ...]:
        """The events the policy's cases record (``custom_events = ["fault_confirmed"]``)."""
        if not isinstance(raw, list):
            self.bad("custom_events", f"{echo(raw)} is not an array of event names")
            return ()
        out: list[str] = []
        for i, name in enumerate(raw):
            path = f"custom_events[{i}]"
            if not isinstance(name, str) or not _METRIC_NAME.fullmatch(name):
                self.bad(path, f"{echo(name)} is not an event name: write a letter, then letters, "
                               "digits or underscores (at most 64 characters), e.g. "
                               "'fault_confirmed'")
            elif name in METRICS or name in custom:
                self.bad(path, f"{name!r} is a metric; a clock may start at a metric without "
                               "declaring it as an event")
            elif name in EVENTS:
                self.bad(path, f"{name!r} is a built-in event; use it without declaring it")
            elif name == "opened":
                self.bad(path, "'opened' is the instant a case is opened; a clock starts there "
                               "by default")
            elif name in out:
                self.bad(path, f"{name!r} is declared twice")
            else:
                out.append(name)
        return tuple(out)

    def is_metric(self, metric: Any, path: str) -> bool:
        """Whether ``metric`` is a built-in or declared metric; reported, with the closest
        declared name, when it is not."""
        names = self.metric_names
        if isinstance(metric, str) and metric in names:
            return True
        close = difflib.get_close_matches(metric, names, n=1) if isinstance(metric, str) else []
        hint = f"did you mean {close[0]!r}? The" if close else "the"
        self.bad(path, f"{echo(metric)} is not a metric; {hint} metrics are {', '.join(names)} "
                       "(declare others in custom_metrics)")
        return False

    def measure(self, raw: Any, path: str, calendars: set[str],
                targeted: set[str]) -> Measure | None:
        data = self.table(raw, path)
        kind = data.get("kind")
        ok = True
        if kind not in MEASURE_KINDS:
            self.bad(f"{path}.kind", "is required" if kind is None else
                     f"{echo(kind)} is not a kind of measure; the kinds are {', '.join(MEASURE_KINDS)}")
            self.unknown_keys(data, path, sorted({k for keys in _MEASURE_KEYS.values()
                                                  for k in keys}))
            ok = False
        else:
            ok = self.unknown_keys(data, path, _MEASURE_KEYS[kind])
        name = self.text(data, "name", path, required=True)
        ok = ok and bool(name)
        period = data.get("period", "quarter")
        if period not in PERIODS:
            self.bad(f"{path}.period", f"{echo(period)} is not one of {', '.join(PERIODS)}")
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
            elif not self.is_metric(metric, f"{path}.metric"):
                ok = False
            elif metric not in targeted:
                targeted_names = [m for m in self.metric_names if m in targeted]
                self.bad(f"{path}.metric", f"{metric!r} has no target in this policy; the "
                         f"targeted metrics are {', '.join(targeted_names) or 'none'}")
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
                         f"{echo(raw_at)} is not a rating from 1 to 5 (the satisfaction scale)")
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
            self.bad(f"{path}.{key}", f"{echo(raw)} is not a share in (0, 1]; write e.g. '95%' "
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
                self.bad(f"{path}.rule", f"{echo(rule)}: give the RRULE part only (no DTSTART)")
                ok = False
            else:
                try:
                    parsed = rrulestr(rule, dtstart=dt.datetime(2000, 1, 1))
                except (ValueError, TypeError) as exc:
                    self.bad(f"{path}.rule", f"{echo(rule)} is not an RFC 5545 recurrence rule: {exc}")
                    ok = False
                else:
                    why = _too_often(parsed)
                    if why:
                        self.bad(f"{path}.rule", f"{echo(rule)}: {why}")
                        ok = False
        calendar = data.get("calendar")
        if not self.calendar_name(calendar, f"{path}.calendar", calendars):
            ok = False
        roll = data.get("roll", "forward")
        if roll not in ROLLS:
            self.bad(f"{path}.roll", f"{echo(roll)} is not one of {', '.join(ROLLS)}")
            ok = False
        by = None
        if "by" in data and not self.ascii_digits(data["by"], f"{path}.by"):
            ok = False
        elif "by" in data:
            try:
                by = parse_time(data["by"], where=f"{path}.by")
            except SlaValueError as exc:
                self.bad(f"{path}.by", _cap(str(exc).split(": ", 1)[-1]))
                ok = False
        anchor = data.get("start", dt.date(2000, 1, 1))
        if isinstance(anchor, dt.datetime) or not isinstance(anchor, dt.date):
            self.bad(f"{path}.start", f"{echo(anchor)} is not a date (the rule's first occurrence)")
            ok = False
        elif not _FIRST_DAY <= anchor <= _LAST_DAY:
            self.bad(f"{path}.start", f"{anchor.isoformat()} is outside the years slacalc can "
                                      f"compute ({_FIRST_DAY.year}-{_LAST_DAY.year})")
            ok = False
        if not ok:
            return None
        if _never(rrulestr(rule, dtstart=dt.datetime.combine(anchor, dt.time()))):
            self.bad(f"{path}.rule", f"{echo(rule)} never falls due (its parts contradict each "
                                     "other, e.g. BYMONTH=2;BYMONTHDAY=30)")
            return None
        return Schedule(name, rule, str(calendar), roll, by, anchor)

    def unique(self, values: list[str], path: str, what: str) -> None:
        seen: set[str] = set()
        for v in values:
            if v in seen:
                self.bad(path, f"{what} {echo(v)} appears twice")
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
            if not all(self.ascii_digits(params[key], _child(path, key))
                       for key in ("coverage", "hours") if key in params):
                continue
            try:
                out.append(CalendarSpec.build(cal_name, params))
            except SlaError as exc:
                self.bad(path, _cap(str(exc)))
            except (TypeError, ValueError, OverflowError) as exc:
                self.bad(path, f"bad arguments: {_cap(str(exc))}")
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
            if value is not None and self.ascii_digits(value, f"{path}.{key}"):
                try:
                    Coverage.parse(value)
                except SlaError as exc:
                    self.bad(f"{path}.{key}", _cap(str(exc)))
                except (ValueError, OverflowError):  # a number too long to convert
                    self.bad(f"{path}.{key}", f"{echo(value)} is not a coverage spec such as "
                                              "'5x8' or '5x8xNBD'")
        if not isinstance(remote, str):
            remote = "7x24"
        parts = data.get("parts")
        onsite = data.get("onsite", False)
        if not isinstance(onsite, bool):
            self.bad(f"{path}.onsite", f"{echo(onsite)} is not true or false")
        inspections = data.get("inspections_per_year", 0)
        if (isinstance(inspections, bool) or not isinstance(inspections, int)
                or not 0 <= inspections <= MAX_INSPECTIONS):
            self.bad(f"{path}.inspections_per_year",
                     f"{echo(inspections)} is not a number of inspections a year "
                     f"(0 to {MAX_INSPECTIONS}: at most one a day)")
            inspections = 0
        terms = data.get("terms", [])
        if not isinstance(terms, list) or not all(
            isinstance(t, int) and not isinstance(t, bool) and 0 < t <= MAX_TERM for t in terms
        ):
            self.bad(f"{path}.terms",
                     f"{echo(terms)} is not an array of contract terms in years (1 to {MAX_TERM})")
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
            self.bad(f"{path}.id", f"{echo(sev_id)} is not a severity id such as 'A' or '1'")
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
        ok = self.is_metric(metric, f"{path}.metric")
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
            self.bad(f"{path}.start", f"{echo(start)} is not 'opened' or a metric/event name")
            ok = False
        duration = n = cutoff = by = None
        spec = data[kind]
        kpath = f"{path}.{kind}"
        if kind == "none":
            if spec is not True:
                self.bad(kpath, f"{echo(spec)}: write none = true")
                ok = False
        elif kind == "within":
            if not self.ascii_digits(spec, kpath):
                ok = False
            else:
                try:
                    duration = parse_duration(spec, where=kpath)
                except SlaValueError as exc:
                    self.bad(kpath, _cap(str(exc).split(": ", 1)[-1]))
                    ok = False
                else:
                    if duration <= dt.timedelta(0):
                        self.bad(kpath, f"{echo(spec)} must be positive")
                        ok = False
        else:
            sub = self.table(spec, kpath)
            allowed = ("n", "cutoff", "by") if kind == "business_days" else ("cutoff", "by")
            ok = self.unknown_keys(sub, kpath, allowed) and ok
            times: dict[str, dt.time | None] = {"cutoff": None, "by": None}
            for key in times:
                if key in sub and not self.ascii_digits(sub[key], f"{kpath}.{key}"):
                    ok = False
                elif key in sub:
                    try:
                        times[key] = parse_time(sub[key], where=f"{kpath}.{key}")
                    except SlaValueError as exc:
                        self.bad(f"{kpath}.{key}", _cap(str(exc).split(": ", 1)[-1]))
                        ok = False
            cutoff, by = times["cutoff"], times["by"]
            if kind == "business_days":
                n = sub.get("n")
                if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 50_000:
                    self.bad(f"{kpath}.n", f"{echo(n)} is not a number of business days (0-50000)")
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
                self.bad(f"{path}.hours", f"{echo(data['hours'])} is not 'in' or 'out'")
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
        if not self.is_metric(metric, f"{path}.metric"):
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
                    self.bad(f"{spath}.at", f"{echo(at)} is not a share in (0, 1]; to escalate after "
                                            "the deadline use offset = '+1h'")
                    continue
                at = float(at)
            elif not self.ascii_digits(step["offset"], f"{spath}.offset"):
                continue
            else:
                try:
                    offset = parse_duration(step["offset"], where=f"{spath}.offset", signed=True)
                except SlaValueError as exc:
                    self.bad(f"{spath}.offset", _cap(str(exc).split(": ", 1)[-1]))
                    continue
            hold = step.get("hold_until")
            if hold is not None and not self.calendar_name(hold, f"{spath}.hold_until", calendars):
                continue
            steps.append(EscalationStep(name, at, offset, self.text(step, "notify", spath), hold))
        if not steps:
            if not self.array(data, "steps", path):
                self.bad(f"{path}.steps", "at least one step is required")
            return None
        return EscalationLadder(str(metric), tuple(steps))

    def clock(self, raw: Any) -> ClockRules:
        data = self.table(raw, "clock")
        self.unknown_keys(data, "clock", ("pause_reasons", "exclude_reasons", "severity_change"))
        reasons: dict[str, frozenset[str]] = {}
        for key in ("pause_reasons", "exclude_reasons"):
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                self.bad(f"clock.{key}", f"{echo(value)} is not an array of reason names")
                value = []
            reasons[key] = frozenset(value)
        change = data.get("severity_change", "restart")
        if change not in SEVERITY_CHANGES:
            self.bad("clock.severity_change", f"{echo(change)} is not one of {', '.join(SEVERITY_CHANGES)}")
            change = "restart"
        return ClockRules(reasons["pause_reasons"], reasons["exclude_reasons"], change)
