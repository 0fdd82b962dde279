"""Writing policy files as TOML: checks what TOML can hold exactly, then lets ``tomli-w`` write.

The standard library reads TOML (:mod:`tomllib`) but cannot write it; ``tomli-w`` (by the author
of ``tomli``, the parser that became ``tomllib``) writes it. :func:`dumps` first checks and
copies the data into plain ``dict``/``list``/scalar values, refusing with a
:class:`~slacalc.errors.SlaValueError` that names the key path whatever TOML could not read back
as the same value, so that ``tomllib.loads(dumps(data)) == data`` for every document it accepts;
the types read back are the types written (``1.0`` stays a float, a date stays a date, an offset
stays the same offset).

Accepted: mappings with ``str`` keys (any depth; nested mappings become ``[a.b]`` sections and
non-empty lists of mappings arrays of tables, ``[[severities]]``), lists, ``str``, ``bool``,
``int`` (64-bit signed, as TOML requires), ``float`` (``inf`` and ``nan`` included),
``datetime.date``, naive ``datetime.time`` and naive or aware ``datetime.datetime`` (the offset
kept, microseconds kept). Strings with line breaks are written as multi-line strings, unless
some string holds a carriage return (a multi-line TOML string cannot keep ``"\\r\\n"`` apart
from ``"\\n"``).

Refused, naming the key path and the value: ``None`` (TOML has no null), sets, tuples, bytes,
durations, decimals, non-``str`` keys, integers past 64 bits, aware times, offsets that are not
whole minutes, strings with lone surrogates, and containers that contain themselves.

>>> import datetime as dt, tomllib
>>> doc = {
...     "name": "Gold",
...     "cutoff": dt.time(15),
...     "calendar": {"coverage": "5x8", "country": "CN"},
...     "severities": [{"name": "P1", "hours": 4.0}, {"name": "P2", "channels": ["phone"]}],
... }
>>> print(dumps(doc), end="")
name = "Gold"
cutoff = 15:00:00
<BLANKLINE>
[calendar]
coverage = "5x8"
country = "CN"
<BLANKLINE>
[[severities]]
name = "P1"
hours = 4.0
<BLANKLINE>
[[severities]]
name = "P2"
channels = [
    "phone",
]
>>> tomllib.loads(dumps(doc)) == doc
True
>>> dumps({"severities": [{"name": "P1", "within": None}]})
Traceback (most recent call last):
  ...
slacalc.errors.SlaValueError: cannot write severities[0].within = None as TOML: TOML has no null value; leave the key out instead
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import tomli_w

from slacalc.errors import SlaValueError, echo

__all__ = ["dumps"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_INT_MIN = -(2**63)
_INT_MAX = 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(data: Mapping[str, Any]) -> str:
    """Return *data* as TOML 1.0 text; ``tomllib.loads`` of the result equals *data*.

    Raises:
        SlaValueError: *data* is not a mapping, or holds a value or a key TOML cannot represent
            exactly; the message names the key path (``severities[2].targets[0].within``) and
            the value.
    """
    if not isinstance(data, Mapping):
        raise SlaValueError(
            f"dumps() needs a mapping (a dict of str keys) at the top level, not {echo(data)}"
        )
    state = _State()
    plain = state.table(data, "")
    return tomli_w.dumps(plain, multiline_strings=not state.carriage_return)


class _State:
    """One walk over the document: the containers being copied (to find cycles) and whether
    any string holds a carriage return."""

    def __init__(self) -> None:
        self.active: set[int] = set()
        self.carriage_return = False

    def enter(self, container: Any, path: str) -> None:
        if id(container) in self.active:
            raise SlaValueError(
                f"cannot write {path or 'the document'} as TOML: it contains itself, "
                "and TOML documents are trees"
            )
        self.active.add(id(container))

    def table(self, table: Mapping[Any, Any], path: str) -> dict[str, Any]:
        self.enter(table, path)
        out: dict[str, Any] = {}
        for key, value in table.items():
            _check_key(key, path)
            out[str(key)] = self.value(value, _join(path, key))
        self.active.discard(id(table))
        return out

    def value(self, value: Any, path: str) -> Any:
        # bool before int (bool subclasses int); datetime before date (datetime subclasses date)
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            if not _INT_MIN <= value <= _INT_MAX:
                raise _unwritable(path, value,
                                  "TOML integers are 64-bit signed; write it as a string")
            return int(value)
        if isinstance(value, float):
            return float(value)
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise _unwritable(path, value,
                                  "it holds a lone surrogate, which UTF-8 cannot encode")
            if "\r" in value:
                self.carriage_return = True
            return str(value)
        if isinstance(value, dt.datetime):
            return _datetime(value, path)
        if isinstance(value, dt.date):
            return dt.date(value.year, value.month, value.day)
        if isinstance(value, dt.time):
            if value.utcoffset() is not None:
                raise _unwritable(
                    path, value,
                    "TOML times of day carry no offset; pass a naive time, or an aware datetime",
                )
            return value
        if isinstance(value, Mapping):
            return self.table(value, path)
        if isinstance(value, list):
            self.enter(value, path)
            items = [self.value(item, f"{path}[{i}]") for i, item in enumerate(value)]
            self.active.discard(id(value))
            return items
        raise _unwritable(path, value, _why_not(value))


def _why_not(value: Any) -> str:
    """Say why *value*, of a type TOML has no form for, cannot be written, and what to do."""
    if value is None:
        return "TOML has no null value; leave the key out instead"
    if isinstance(value, (set, frozenset)):
        return "TOML has no sets; write a sorted list instead"
    if isinstance(value, tuple):
        return "TOML arrays read back as lists; pass a list instead"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "TOML has no bytes; decode it to str first"
    if isinstance(value, dt.timedelta):
        return "TOML has no durations; write it as a number or a string"
    return f"TOML has no value of type {type(value).__qualname__}"


def _key(key: str) -> str:
    """A key as a key path shows it: bare when TOML allows, else quoted."""
    if _BARE_KEY.fullmatch(key):
        return key
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04X}" for c in escaped) + '"'


def _check_key(key: Any, path: str) -> None:
    where = f" in {path}" if path else " at the top level"
    if not isinstance(key, str):
        raise SlaValueError(
            f"cannot write the key {echo(key)}{where} as TOML: keys must be str, "
            f"not {type(key).__qualname__}; convert it with str() first"
        )
    if _SURROGATE.search(key):
        raise SlaValueError(
            f"cannot write the key {echo(key)}{where} as TOML: it holds a lone surrogate, "
            "which UTF-8 cannot encode"
        )


def _join(path: str, key: str) -> str:
    return f"{path}.{_key(key)}" if path else _key(key)


def _datetime(value: dt.datetime, path: str) -> dt.datetime:
    offset = value.utcoffset()
    if offset is None:
        return value
    if offset % dt.timedelta(minutes=1):
        raise _unwritable(
            path,
            value,
            f"its UTC offset {offset} is not a whole number of minutes, which TOML requires; "
            "convert it with .astimezone(datetime.timezone.utc) first",
        )
    # a fixed offset writes the same text as any zone at that instant, and reads back as it
    return value.replace(tzinfo=dt.timezone(offset), fold=0)


def _unwritable(path: str, value: Any, why: str) -> SlaValueError:
    return SlaValueError(f"cannot write {path} = {echo(value, 160)} as TOML: {why}")
