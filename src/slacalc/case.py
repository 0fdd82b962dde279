"""Cases: what happened to one ticket, as immutable values.

A :class:`Case` records when a ticket was opened, its severity, tier and site zone, when each
metric was achieved, the pauses of its clock with their reasons, and its severity changes.
Events are kept sorted, so a case is the same value whatever order its events were given in.

>>> import datetime as dt
>>> import slacalc as sla
>>> tz = dt.timezone(dt.timedelta(hours=8))
>>> case = sla.Case("T-1", dt.datetime(2026, 10, 1, 23, 10, tzinfo=tz), "A", tier="gold",
...                 zone="far_county", achieved={"response": dt.datetime(2026, 10, 1, 23, 25, tzinfo=tz)})
>>> case.achieved_at("response").minute, case.achieved_at("restore")
(25, None)
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from slacalc.errors import NaiveDatetimeError, OutOfRangeError, SlaValueError, echo

__all__ = ["ROW_KEYS", "AttributeValue", "Case", "Pause", "SeverityChange"]


def _aware(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise SlaValueError(f"{name} must be an aware datetime, not {echo(value)}")
    if value.utcoffset() is None:
        raise NaiveDatetimeError(f"{name}={echo(value)} is naive; attach a time zone")
    if value.year in (1, 9999):  # only the first and last years can fall off datetime in UTC
        try:
            value.astimezone(dt.UTC)
        except OverflowError:
            raise OutOfRangeError(
                f"{name}={value.isoformat()} cannot be read in UTC (it falls outside the years "
                "1-9999 there); give an instant between 1900 and 2199"
            ) from None
    return value


#: Characters a case id may not hold: control characters (category Cc) and the bidirectional
#: overrides and isolates, which make text display in another order than it is stored.
_BAD_ID_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _case_id(value: Any) -> str:
    """Check a case id: a non-empty ``str`` without control or bidi-override characters."""
    if not isinstance(value, str):
        raise SlaValueError(
            f"Case.id must be a str, not {type(value).__name__} {echo(value)}; pass the ticket "
            "number as text, e.g. str(number)"
        )
    if not value:
        raise SlaValueError("Case.id must be a non-empty string (the ticket's number or name)")
    bad = _BAD_ID_CHARS.search(value)
    if bad:
        raise SlaValueError(
            f"Case.id={echo(value)} holds the character U+{ord(bad.group()):04X} (a control or "
            "bidirectional-override character), which would print misleadingly; remove it"
        )
    return value


def _optional_aware(value: Any, name: str) -> dt.datetime | None:
    return None if value is None else _aware(value, name)


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise SlaValueError(f"{name} must be a non-empty string, not {echo(value)}")
    return value


@attrs.frozen
class Pause:
    """An interval in which the clock may stop: ``[start, end)``; ``end=None`` while ongoing.

    Whether it stops the clock depends on the policy (its ``clock.pause_reasons``).
    """

    start: dt.datetime
    end: dt.datetime | None
    reason: str

    def __attrs_post_init__(self) -> None:
        _aware(self.start, "Pause.start")
        _optional_aware(self.end, "Pause.end")
        _text(self.reason, "Pause.reason")
        if self.end is not None and _utc_key(self.end) < _utc_key(self.start):
            raise SlaValueError(
                f"Pause.end={self.end.isoformat()} is before Pause.start={self.start.isoformat()}"
            )


@attrs.frozen
class SeverityChange:
    """The case's severity became ``severity`` at ``at``."""

    at: dt.datetime
    severity: str

    def __attrs_post_init__(self) -> None:
        _aware(self.at, "SeverityChange.at")
        _text(self.severity, "SeverityChange.severity")


def _rating(value: Any) -> None:
    """Check a satisfaction rating: a real number (not a bool) from 1 to 5 inclusive (numpy's
    numbers are real numbers too)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise SlaValueError(
            f"Case.satisfaction={echo(value)} is not a rating; give a number from 1 to 5, or None"
        )
    if not 1 <= float(value) <= 5:  # NaN fails this too
        raise SlaValueError(
            f"Case.satisfaction={echo(value)} is outside the rating scale 1-5 (inclusive)"
        )


def _utc_key(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC)


def _achieved(value: Mapping[str, dt.datetime] | Iterable[tuple[str, dt.datetime]] | None) -> tuple[
    tuple[str, dt.datetime], ...
]:
    if value is None:
        return ()
    items = list(value.items()) if isinstance(value, Mapping) else _items(value, "achieved")
    out = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise SlaValueError(f"achieved must map names to datetimes, not {echo(value)}")
        name, when = item
        out.append((_text(name, "achieved key"), _aware(when, f"achieved[{echo(name)}]")))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise SlaValueError(f"achieved names a metric twice: {echo(names)}")
    return tuple(sorted(out))


def _items(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise SlaValueError(f"{name} must be a list, not {echo(value)}")
    return list(value)


_FOREVER = dt.datetime.max.replace(tzinfo=dt.UTC)


def _pauses(value: Iterable[Pause] | None) -> tuple[Pause, ...]:
    items = _items(value, "pauses")
    for p in items:
        if not isinstance(p, Pause):
            raise SlaValueError(f"pauses must be slacalc.Pause values, not {echo(p)}")
    return tuple(sorted(items, key=lambda p: (
        _utc_key(p.start), _FOREVER if p.end is None else _utc_key(p.end), p.reason,
        _written(p.start), () if p.end is None else _written(p.end))))


def _changes(value: Iterable[SeverityChange] | None) -> tuple[SeverityChange, ...]:
    items = _items(value, "severity_changes")
    for c in items:
        if not isinstance(c, SeverityChange):
            raise SlaValueError(f"severity_changes must be slacalc.SeverityChange values, not {echo(c)}")
    return tuple(sorted(items, key=lambda c: (_utc_key(c.at), c.severity, _written(c.at))))


def _written(t: dt.datetime) -> tuple[str, str, int]:
    """How an instant is written (its wall time and offset, zone and fold): orders events at
    the same instant written in different zones, so that the order does not depend on the
    order given (an ambiguous wall time never equals another zone's datetime in Python, so
    such events are different values)."""
    return t.isoformat(), str(t.tzinfo), t.fold


#: The keys of a case's row form, in the order :meth:`Case.to_dict` writes them (its attributes
#: follow, by name).
ROW_KEYS = ("id", "opened", "severity", "tier", "zone", "achieved", "pauses", "severity_changes",
            "excluded", "closed", "satisfaction")
_ROW_KEYSET = frozenset(ROW_KEYS)

#: A case attribute's value: text, a whole or real number, or a boolean.
AttributeValue = str | int | float | bool


def _attribute_value(name: str, value: Any, column: bool = False) -> AttributeValue:
    """Check one attribute value; numpy's scalars (and other subclasses of str, int, float)
    become the Python values they hold. A message names the value ``Case.attributes[name]``,
    or the column ``name`` of a row."""
    kind = type(value)
    if kind is str:
        if value.strip():
            return value  # type: ignore[no-any-return]
    elif kind is int or kind is float:
        if kind is int or math.isfinite(value):
            return value  # type: ignore[no-any-return]
    elif kind is bool:
        return value  # type: ignore[no-any-return]
    label = f"the column {echo(name)}" if column else f"Case.attributes[{echo(name)}]"
    if isinstance(value, str):
        if not value.strip():
            raise SlaValueError(f"{label} is {'blank' if value else 'an empty string'}; leave "
                                "the attribute out for none")
        return str(value)
    if isinstance(value, bool) or (kind.__module__ == "numpy"
                                   and kind.__name__ in ("bool", "bool_")):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise SlaValueError(f"{label} holds {echo(value)}, which is not a finite number")
        return number
    raise SlaValueError(
        f"{label} holds {echo(value)}, a {kind.__name__}; an attribute holds text, a "
        "number or a boolean")


#: The columns pandas writes a DataFrame's unnamed index levels to (in Parquet files): not data
#: of the cases.
_PANDAS_INDEX = re.compile(r"__index_level_[0-9]+__")


def attribute_name_problem(name: Any, *, typos: bool = True) -> str | None:
    """Why ``name`` cannot name a case attribute, or ``None`` if it can.

    A name that looks like a misspelt field (``Severity``, ``zones``) cannot either (unless
    ``typos=False``): a case file would take such a column for a typo, so the attribute could
    not be read back.
    """
    if not isinstance(name, str) or not name:
        return f"{echo(name)} is not an attribute name (a non-empty string)"
    return _name_problem(name, typos)


@functools.lru_cache(maxsize=4096)
def _name_problem(name: str, typos: bool) -> str | None:
    if _BAD_ID_CHARS.search(name):
        return f"the attribute name {echo(name)} holds a control or bidirectional character"
    if name in _ROW_KEYSET or name.startswith("achieved."):
        return (f"{echo(name)} is a field of the case itself, not an attribute; pass it as "
                "that field")
    if name != name.strip():
        return (f"the attribute name {echo(name)} has spaces around it (a CSV header drops "
                "them); remove them")
    if _PANDAS_INDEX.fullmatch(name):
        return (f"{echo(name)} is the column pandas writes a DataFrame's index to, not data "
                "of the cases")
    like = misspelt_field(name) if typos else None
    if like is not None:
        return (f"the attribute name {echo(name)} looks like a misspelt {like!r} (case files "
                "take such a column for a typo); give the attribute a name unlike the case's "
                "fields")
    return None


def _attributes(value: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> tuple[
    tuple[str, AttributeValue], ...
]:
    if value is None:
        return ()
    if isinstance(value, Mapping):
        items: Iterable[Any] = value.items()  # (names unique)
    else:
        items = _items(value, "attributes")
        names = [item[0] if isinstance(item, tuple) and len(item) == 2 else None
                 for item in items]
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)
            if twice is not None:
                raise SlaValueError(f"Case.attributes names {echo(twice)} twice")
    out: list[tuple[str, AttributeValue]] = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise SlaValueError(f"attributes must map names to values, not {echo(value)}")
        name, attribute = item
        problem = attribute_name_problem(name)
        if problem is not None:
            raise SlaValueError(f"Case.attributes: {problem}")
        if attribute is not None:
            out.append((name, _attribute_value(name, attribute)))
    if len(out) > 1:
        out.sort(key=_first)
    return tuple(out)


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


def _attributes_key(value: tuple[tuple[str, AttributeValue], ...]) -> tuple[Any, ...]:
    """What equality and hashing compare of the attributes: ``True`` is not the attribute
    ``1`` (they write, convert and group differently), though Python holds them equal."""
    return tuple((name, type(v) is bool, v) for name, v in value)


def _names(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(echo(n, 30)[1:-1] for n in names[:limit])
    return shown + (f" (+{len(names) - limit} more)" if len(names) > limit else "")


@attrs.frozen
class Case:
    """One ticket: opened time, severity, tier, zone, achievements, pauses, severity changes.

    ``id`` is the ticket's id: a non-empty ``str`` without control characters or bidirectional
    overrides (which would make reports print misleadingly). ``achieved`` maps metric (or event)
    names to the instants they were achieved, none before ``opened``; it is stored as a sorted
    tuple of pairs (read it with :meth:`achieved_at`). Which names are valid depends on the
    policy, so :func:`slacalc.evaluate` checks them. ``excluded`` names a reason the
    whole case may be excluded for (force majeure), if the policy excludes that reason.
    ``closed`` is when the case was closed (aware, not before ``opened``) and ``satisfaction`` the
    customer's rating of it, 1 to 5 inclusive; both are optional and read only by the aggregate
    measures of :func:`slacalc.report` (average satisfaction per period). ``severity`` may be
    left out (``None``) for a policy whose promises do not depend on severity (one without
    severity levels); a policy with severity levels refuses such a case when evaluating it.

    ``attributes`` are the case's other columns, such as the customer, site or contract number:
    names mapped to text, numbers or booleans (a ``None`` value is left out). slacalc does not
    read them to compute anything; it keeps them with the case (case files, tables) so that
    reports can be broken down by them (``report(..., by=["customer"])``). They are stored as a
    sorted tuple of pairs; read one with :meth:`attribute`. Cases compare their attributes as
    Python compares values, except that a boolean is not a number (``True`` is not ``1``).

    >>> case = Case("T-9", dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC), "B",
    ...             attributes={"customer": "ACME", "site": 12})
    >>> case.attribute("customer"), case.attribute("region"), case.attributes
    ('ACME', None, (('customer', 'ACME'), ('site', 12)))
    """

    id: str = attrs.field(converter=_case_id)
    opened: dt.datetime
    severity: str | None = None
    tier: str | None = None
    zone: str | None = None
    achieved: tuple[tuple[str, dt.datetime], ...] = attrs.field(default=(), converter=_achieved)
    pauses: tuple[Pause, ...] = attrs.field(default=(), converter=_pauses)
    severity_changes: tuple[SeverityChange, ...] = attrs.field(default=(), converter=_changes)
    excluded: str | None = None
    closed: dt.datetime | None = None
    satisfaction: int | float | None = None
    attributes: tuple[tuple[str, AttributeValue], ...] = attrs.field(
        default=(), converter=_attributes, eq=_attributes_key)

    def __attrs_post_init__(self) -> None:
        _aware(self.opened, "Case.opened")
        if self.closed is not None:
            _aware(self.closed, "Case.closed")
            if _utc_key(self.closed) < _utc_key(self.opened):
                raise SlaValueError(
                    f"Case.closed={self.closed.isoformat()} is before "
                    f"Case.opened={self.opened.isoformat()}"
                )
        if self.satisfaction is not None:
            _rating(self.satisfaction)
        if self.severity is not None:
            _text(self.severity, "Case.severity")
        for change in self.severity_changes:
            if _utc_key(change.at) < _utc_key(self.opened):
                raise SlaValueError(
                    f"severity change to {echo(change.severity)} at {change.at.isoformat()} is before "
                    f"the case was opened ({self.opened.isoformat()})"
                )
        opened = _utc_key(self.opened)
        for metric, when in self.achieved:
            if _utc_key(when) < opened:
                raise SlaValueError(
                    f"Case.achieved[{echo(metric)}]={when.isoformat()} is before "
                    f"Case.opened={self.opened.isoformat()}; nothing is achieved before the case "
                    "is opened"
                )
        for name in ("tier", "zone", "excluded"):
            value = getattr(self, name)
            if value is not None:
                _text(value, f"Case.{name}")

    def __repr__(self) -> str:
        """One line: id, opened, severity and whatever else the case has.

        >>> import datetime as dt
        >>> Case("T-1", dt.datetime(2026, 10, 1, 23, 10, tzinfo=dt.UTC), "A", tier="gold",
        ...      achieved={"response": dt.datetime(2026, 10, 1, 23, 25, tzinfo=dt.UTC)})
        <Case 'T-1' opened 2026-10-01T23:10:00+00:00, severity 'A', tier 'gold', achieved response>
        """
        parts = [f"<Case {echo(self.id, 40)} opened {self.opened.isoformat()}",
                 f"severity {echo(self.severity, 40)}"]
        for name in ("tier", "zone", "excluded"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name} {echo(value, 40)}")
        if self.achieved:
            parts.append("achieved " + _names([n for n, _ in self.achieved]))
        if self.pauses:
            parts.append(f"{len(self.pauses)} pause{'s' if len(self.pauses) != 1 else ''}")
        if self.severity_changes:
            count = len(self.severity_changes)
            parts.append(f"{count} severity change{'s' if count != 1 else ''}")
        if self.closed is not None:
            parts.append(f"closed {self.closed.isoformat()}")
        if self.attributes:
            parts.extend(f"{echo(name, 30)[1:-1]} {echo(value, 40)}"
                         for name, value in self.attributes[:4])
            if len(self.attributes) > 4:
                parts.append(f"+{len(self.attributes) - 4} more attributes")
        return ", ".join(parts) + ">"

    def attribute(self, name: str, default: Any = None) -> Any:
        """The value of the attribute ``name`` (``customer``, ``site``, ...), or ``default``
        when the case does not have it."""
        for key, value in self.attributes:
            if key == name:
                return value
        return default

    def achieved_at(self, name: str) -> dt.datetime | None:
        """When ``name`` (a metric or an event such as ``"diagnosed"``) was achieved, if it was."""
        for key, when in self.achieved:
            if key == name:
                return when
        return None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Case:
        """A case from its row form, the mapping :meth:`to_dict` gives (and case files hold).

        Keys: ``id`` and ``opened`` (required); ``severity``, ``tier``, ``zone``, ``excluded``
        (text; a case under a policy without severity levels needs no severity); ``achieved``
        (a mapping of metric or event names to instants); ``pauses`` (a list of ``{"start",
        "end", "reason"}`` mappings or :class:`Pause` values; ``end`` null while paused); ``severity_changes`` (a list of ``{"at", "severity"}`` mappings or
        :class:`SeverityChange` values); ``closed`` (an instant) and ``satisfaction`` (a number
        from 1 to 5). Instants are aware datetimes or ISO 8601 text with a UTC offset; a
        missing key, ``None`` or an empty string means "none"; an integer id or severity is
        read as its digits. Any other key is an attribute of the case (see :class:`Case`):
        its value text, a number or a boolean (``None``, an empty string or NaN: none). A key
        that looks like a misspelt row key (``severty``, ``Severity``) is an error rather
        than an attribute, so a typo is not silently ignored.

        >>> case = Case.from_dict({"id": "T-1", "opened": "2026-10-01T23:10+08:00",
        ...                        "severity": "A", "achieved": {"response": "2026-10-01T23:25+08:00"},
        ...                        "pauses": [{"start": "2026-10-01T23:30+08:00", "end": None,
        ...                                    "reason": "customer_info"}]})
        >>> case.achieved_at("response").isoformat(), case.pauses[0].end
        ('2026-10-01T23:25:00+08:00', None)
        >>> Case.from_dict(case.to_dict()) == case
        True
        >>> Case.from_dict({"id": "T-3", "opened": "2026-10-01T23:10+08:00",
        ...                 "customer": "ACME"}).attribute("customer")
        'ACME'
        >>> Case.from_dict({"id": "T-3", "opened": "2026-10-01T23:10+08:00", "severty": "A"})
        Traceback (most recent call last):
        ...
        slacalc.errors.SlaValueError: a case row has the key 'severty', which looks like a misspelt 'severity'; rename it (to keep it as an attribute, give it a name unlike the case's fields)
        >>> Case.from_dict({"id": "T-2", "opened": "2026-10-01T23:10", "severity": "A"})
        Traceback (most recent call last):
        ...
        slacalc.errors.NaiveDatetimeError: opened '2026-10-01T23:10' has no UTC offset; write it with one, e.g. 2026-10-01T23:10+08:00
        """
        return _case_from_row(cls, data)

    def to_dict(self) -> dict[str, Any]:
        """The row form of this case: JSON-ready values (instants as ISO 8601 text with their
        UTC offset), every key of :data:`ROW_KEYS` present, then the case's attributes by
        name; :meth:`from_dict` reads it back.

        >>> import datetime as dt
        >>> tz = dt.timezone(dt.timedelta(hours=8))
        >>> Case("T-1", dt.datetime(2026, 10, 1, 23, 10, tzinfo=tz), "A").to_dict()
        {'id': 'T-1', 'opened': '2026-10-01T23:10:00+08:00', 'severity': 'A', 'tier': None, 'zone': None, 'achieved': {}, 'pauses': [], 'severity_changes': [], 'excluded': None, 'closed': None, 'satisfaction': None}
        """
        return _case_to_row(self)


# -- the row form: Case.from_dict / Case.to_dict ----------------------------------------------
_PAUSE_KEYS = ("start", "end", "reason")
_CHANGE_KEYS = ("at", "severity")
_EXAMPLE_TIME = "2026-10-01T23:10+08:00"


def _row_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _row_instant(value: Any, where: str) -> dt.datetime:
    """An aware datetime, or its ISO 8601 text with a UTC offset."""
    if isinstance(value, dt.datetime):
        t = value
    elif isinstance(value, str) and value.strip():
        try:
            t = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise SlaValueError(
                f"{where} {echo(value)} is not an ISO 8601 date-time; write e.g. {_EXAMPLE_TIME}"
            ) from None
    elif _row_blank(value):
        raise SlaValueError(f"missing {where}; give an ISO 8601 date-time, e.g. {_EXAMPLE_TIME}")
    else:
        raise SlaValueError(f"{where} {echo(value)} is not an ISO 8601 date-time string")
    if t.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{where} {echo(value if isinstance(value, str) else t.isoformat())} has no UTC "
            f"offset; write it with one, e.g. {_EXAMPLE_TIME}"
        )
    try:
        t.astimezone(dt.UTC)
    except OverflowError:
        raise OutOfRangeError(
            f"{where} {t.isoformat()} cannot be converted to UTC (it lies at the edge of the "
            "date-time range); slacalc computes the years 1900-2199"
        ) from None
    return t


def _row_name(value: Any, where: str, *, required: bool) -> str | None:
    """A non-empty name; an integer (not a bool) is read as its digits (severity 1)."""
    if _row_blank(value):
        if required:
            raise SlaValueError(f"missing {where}; give a non-empty string")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise SlaValueError(f"{where} {echo(value)} is not a string")
    return value


def _row_items(value: Any, where: str, keys: tuple[str, ...]) -> list[Mapping[str, Any] | Any]:
    if _row_blank(value):
        return []
    if type(value) is not list:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
            raise SlaValueError(f"{where} {echo(value)} is not a list")
        value = list(value)
    allowed = frozenset(keys)
    for i, item in enumerate(value):
        if (type(item) is dict or isinstance(item, Mapping)) and not allowed.issuperset(item):
            unknown = [k for k in item if k not in keys]
            if unknown:
                raise SlaValueError(f"{where}[{i}] has the unknown key {echo(unknown[0])}; "
                                    f"the keys are {', '.join(keys)}")
    return value  # type: ignore[no-any-return]


def _row_pause(item: Any, where: str) -> Pause:
    if isinstance(item, Pause):
        return item
    if type(item) is not dict and not isinstance(item, Mapping):
        raise SlaValueError(f"{where} {echo(item)} is not a pause: give a mapping with "
                            "start, end and reason, or a slacalc.Pause")
    end = item.get("end")
    return Pause(_row_instant(item.get("start"), f"{where}.start"),
                 None if _row_blank(end) else _row_instant(end, f"{where}.end"),
                 _row_name(item.get("reason"), f"{where}.reason", required=True) or "")


def _row_change(item: Any, where: str) -> SeverityChange:
    if isinstance(item, SeverityChange):
        return item
    if not isinstance(item, Mapping):
        raise SlaValueError(f"{where} {echo(item)} is not a severity change: give a mapping "
                            "with at and severity, or a slacalc.SeverityChange")
    return SeverityChange(_row_instant(item.get("at"), f"{where}.at"),
                          _row_name(item.get("severity"), f"{where}.severity", required=True)
                          or "")


def _row_achieved(value: Any) -> dict[str, dt.datetime]:
    if _row_blank(value):
        return {}
    if not isinstance(value, Mapping):
        raise SlaValueError(f"achieved {echo(value)} is not a mapping of names to date-times")
    out: dict[str, dt.datetime] = {}
    for name, when in value.items():
        if not isinstance(name, str) or not name:
            raise SlaValueError(f"achieved has the key {echo(name)}; keys are metric or event names")
        if not _row_blank(when):
            out[name] = _row_instant(when, f"achieved.{name}")
    return out


def _row_rating(value: Any) -> int | float | None:
    if _row_blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise SlaValueError(
            f"satisfaction {echo(value)} is not a number from 1 to 5 (nor null, for none)"
        )
    try:
        float(value)
    except OverflowError:
        raise SlaValueError(
            f"satisfaction {echo(value)} is outside the rating scale 1-5 (inclusive)"
        ) from None
    return value  # type: ignore[return-value]  # the range is the constructor's to check


@functools.lru_cache(maxsize=4096)
def misspelt_field(name: str) -> str | None:
    """The row key (or ``achieved.<name>`` column) that ``name`` (not one) looks like a
    misspelling of, if any.

    >>> misspelt_field("Severity"), misspelt_field("severty"), misspelt_field("customer")
    ('severity', 'severity', None)
    >>> misspelt_field("Achieved.restore"), misspelt_field("achieved_restore")
    ('achieved.restore', 'achieved.restore')
    """
    folded = name.strip().lower().replace("-", "_").replace(" ", "_")
    if folded in _ROW_KEYSET:
        return folded
    close = difflib.get_close_matches(folded, ROW_KEYS, n=1, cutoff=0.85)
    if close:
        return close[0]
    # an achieved.<name> column written otherwise: its metric would silently be not achieved
    for sep in (".", "_"):
        head, found, rest = folded.partition(sep)
        if found and rest and (head == "achieved" or difflib.get_close_matches(
                head, ("achieved",), n=1, cutoff=0.85)):
            return f"achieved.{rest}"
    return None


def row_attribute(name: Any, value: Any) -> AttributeValue | None:
    """The attribute a row's key ``name`` (not a row key) holding ``value`` gives: ``None``
    for a blank value; :class:`SlaValueError` when the key cannot be an attribute."""
    problem = attribute_name_problem(name, typos=False)
    if problem is not None:
        raise SlaValueError(f"a case row has the key {echo(name)}: {problem}")
    like = misspelt_field(name)
    if like is not None:
        raise SlaValueError(
            f"a case row has the key {echo(name)}, which looks like a misspelt {like!r}; rename "
            "it (to keep it as an attribute, give it a name unlike the case's fields)")
    return attribute_value(name, value)


def attribute_value(name: str, value: Any) -> AttributeValue | None:
    """The attribute ``name`` of a row holding ``value``: ``None`` for a blank value (``None``,
    empty text, NaN); :class:`SlaValueError` for a value that is not text, a number or a
    boolean."""
    if _row_blank(value) or (isinstance(value, float) and math.isnan(value)):
        return None
    return _attribute_value(name, value, column=True)


def _row_attributes(data: Mapping[str, Any]) -> dict[str, AttributeValue]:
    out: dict[str, AttributeValue] = {}
    for name, value in data.items():
        if name not in _ROW_KEYSET:
            attribute = row_attribute(name, value)
            if attribute is not None:
                out[name] = attribute
    return out


def _case_from_row(cls: type[Case], data: Mapping[str, Any],
                   attributes: Mapping[str, Any] | None = None) -> Case:
    """The case of the row ``data``; ``attributes`` are its attributes when the caller has
    taken them out of the row (a case-file reader: it checks each column's name once)."""
    if type(data) is not dict and not isinstance(data, Mapping):
        raise SlaValueError(f"a case row must be a mapping of {', '.join(ROW_KEYS)}, "
                            f"not {echo(data)}")
    if attributes is None and not _ROW_KEYSET.issuperset(data):
        attributes = _row_attributes(data)
    excluded = data.get("excluded")
    return cls(
        _row_name(data.get("id"), "id", required=True),
        _row_instant(data.get("opened"), "opened"),
        _row_name(data.get("severity"), "severity", required=False),
        tier=_row_name(data.get("tier"), "tier", required=False),
        zone=_row_name(data.get("zone"), "zone", required=False),
        achieved=_row_achieved(data.get("achieved")),
        pauses=[_row_pause(p, f"pauses[{i}]")
                for i, p in enumerate(_row_items(data.get("pauses"), "pauses", _PAUSE_KEYS))],
        severity_changes=[
            _row_change(c, f"severity_changes[{i}]")
            for i, c in enumerate(_row_items(data.get("severity_changes"), "severity_changes",
                                             _CHANGE_KEYS))],
        excluded=None if excluded is False else _row_name(excluded, "excluded", required=False),
        closed=None if _row_blank(data.get("closed"))
        else _row_instant(data.get("closed"), "closed"),
        satisfaction=_row_rating(data.get("satisfaction")),
        attributes=attributes,
    )


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _case_to_row(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "opened": case.opened.isoformat(),
        "severity": case.severity,
        "tier": case.tier,
        "zone": case.zone,
        "achieved": {name: when.isoformat() for name, when in case.achieved},
        "pauses": [{"start": p.start.isoformat(), "end": _iso(p.end), "reason": p.reason}
                   for p in case.pauses],
        "severity_changes": [{"at": c.at.isoformat(), "severity": c.severity}
                             for c in case.severity_changes],
        "excluded": case.excluded,
        "closed": _iso(case.closed),
        "satisfaction": case.satisfaction,
        **dict(case.attributes),
    }
