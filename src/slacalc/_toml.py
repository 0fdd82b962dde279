"""A small, exact TOML 1.0 writer for policy files.

The standard library reads TOML (:mod:`tomllib`) but cannot write it, and slacalc takes no
runtime dependency for that. :func:`dumps` turns plain data into TOML text such that
``tomllib.loads(dumps(data)) == data`` for every document it accepts; the types read back are the
types written (``1.0`` stays a float, a date stays a date, an offset stays the same offset).

What it accepts, and how each value is written:

- mappings with ``str`` keys: ``[table]`` headers at any depth (``[a.b]``); the header of a table
  holding nothing but sub-tables is left out, since TOML creates it implicitly. A table's scalars
  come first, in the caller's order, then its sub-tables, in the caller's order;
- non-empty lists whose items are all mappings: arrays of tables (``[[severities]]``);
- other lists: arrays, on one line, or one item per line when the line would be long; mappings
  and lists inside them are written inline (``{ k = v }``, ``[1, 2]``), which is how TOML nests
  an array of arrays or a mixed list;
- ``str`` as basic strings (``"..."``): quotes, backslashes and control characters escaped,
  everything else kept as UTF-8; keys are bare (``name``) when they can be, quoted otherwise;
- ``bool``, ``int`` (64-bit signed, as TOML requires), ``float`` (always with a fraction or an
  exponent, ``inf``/``-inf``/``nan`` as TOML spells them);
- ``datetime.date``, naive ``datetime.time``, naive and aware ``datetime.datetime`` (the offset
  written as ``+HH:MM``, microseconds kept).

Anything else raises :class:`~slacalc.errors.SlaValueError` naming the key path and the value:
``None`` (TOML has no null), sets, tuples, bytes, non-``str`` keys, integers past 64 bits, aware
times, offsets that are not whole minutes, strings with lone surrogates, and containers that
contain themselves.

>>> import datetime as dt, tomllib
>>> doc = {
...     "name": "Gold",
...     "cutoff": dt.time(15),
...     "calendar": {"coverage": "5x8", "country": "CN"},
...     "severities": [
...         {"name": "P1", "hours": 4.0},
...         {"name": "P2", "channels": ["phone", "mail"]},
...     ],
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
channels = ["phone", "mail"]
>>> tomllib.loads(dumps(doc)) == doc
True
>>> dumps({"severities": [{"name": "P1", "within": None}]})
Traceback (most recent call last):
  ...
slacalc.errors.SlaValueError: cannot write severities[0].within = None as TOML: TOML has no null value; leave the key out instead
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from slacalc.errors import SlaValueError

__all__ = ["dumps"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_INT_MIN = -(2**63)
_INT_MAX = 2**63 - 1
#: Past this many characters a key-value line holding an array puts one item per line.
_LINE_WIDTH = 100
_INDENT = "    "

# Escapes for every character a TOML basic string cannot hold as itself: the C0 controls, DEL,
# the quote and the backslash. The short forms TOML defines are used where there is one.
_ESCAPES = {i: f"\\u{i:04X}" for i in (*range(0x20), 0x7F)}
_ESCAPES.update(
    {
        ord("\b"): "\\b",
        ord("\t"): "\\t",
        ord("\n"): "\\n",
        ord("\f"): "\\f",
        ord("\r"): "\\r",
        ord('"'): '\\"',
        ord("\\"): "\\\\",
    }
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(data: Mapping[str, Any]) -> str:
    """Return *data* as TOML 1.0 text; ``tomllib.loads`` of the result equals *data*.

    The text ends with a newline unless *data* is empty (then it is ``""``); tables are
    separated by one blank line.

    Raises:
        SlaValueError: *data* is not a mapping, or holds a value or a key TOML cannot represent
            exactly; the message names the key path (``severities[2].targets[0].within``) and
            the value.
    """
    if not isinstance(data, Mapping):
        raise SlaValueError(
            f"dumps() needs a mapping (a dict of str keys) at the top level, not {_short(data)}"
        )
    blocks: list[list[str]] = []
    _write_table(data, (), "", blocks, aot=False, active=set())
    return "\n".join("".join(f"{line}\n" for line in block) for block in blocks)


def _write_table(
    table: Mapping[Any, Any],
    keys: tuple[str, ...],
    path: str,
    blocks: list[list[str]],
    *,
    aot: bool,
    active: set[int],
) -> None:
    """Append the blocks of *table* (header *keys*) and of its sub-tables to *blocks*."""
    _enter(table, path, active)
    lines: list[str] = []
    children: list[tuple[str, Any]] = []
    for key, value in table.items():
        _check_key(key, path)
        if isinstance(value, Mapping) or _is_array_of_tables(value):
            children.append((key, value))
        else:
            lines.append(_key_value(key, value, _join(path, key), active))
    header = ".".join(_key(k) for k in keys)
    if aot:
        lines.insert(0, f"[[{header}]]")
    elif keys and (lines or not children):
        lines.insert(0, f"[{header}]")
    if lines:
        blocks.append(lines)
    for key, value in children:
        sub_path = _join(path, key)
        if isinstance(value, Mapping):
            _write_table(value, (*keys, key), sub_path, blocks, aot=False, active=active)
        else:
            _enter(value, sub_path, active)
            for i, item in enumerate(value):
                item_path = f"{sub_path}[{i}]"
                _write_table(item, (*keys, key), item_path, blocks, aot=True, active=active)
            active.discard(id(value))
    active.discard(id(table))


def _is_array_of_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _key_value(key: str, value: Any, path: str, active: set[int]) -> str:
    """Return the line (or lines) ``key = value``; a long array gets one item per line."""
    start = f"{_key(key)} = "
    if not isinstance(value, list) or len(value) < 2:
        return start + _inline(value, path, active)
    _enter(value, path, active)
    items = [_inline(item, f"{path}[{i}]", active) for i, item in enumerate(value)]
    active.discard(id(value))
    line = f"{start}[{', '.join(items)}]"
    if len(line) <= _LINE_WIDTH:
        return line
    return "\n".join([f"{start}[", *(f"{_INDENT}{item}," for item in items), "]"])


def _inline(value: Any, path: str, active: set[int]) -> str:
    """Return *value* as a one-line TOML value; *path* names it in errors."""
    # bool before int (bool subclasses int); datetime before date (datetime subclasses date).
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not _INT_MIN <= value <= _INT_MAX:
            raise _unwritable(path, value, "TOML integers are 64-bit signed; write it as a string")
        return int.__repr__(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        # repr always has a '.' or an exponent ('1.0', '1e+16'), both valid TOML floats.
        return float.__repr__(value)
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise _unwritable(path, value, "it holds a lone surrogate, which UTF-8 cannot encode")
        return _string(value)
    if isinstance(value, dt.datetime):
        return _datetime(value, path)
    if isinstance(value, dt.date):
        return _date(value)
    if isinstance(value, dt.time):
        if value.utcoffset() is not None:
            raise _unwritable(
                path,
                value,
                "TOML times of day carry no offset; pass a naive time, or an aware datetime",
            )
        return _time(value)
    if isinstance(value, Mapping):
        _enter(value, path, active)
        pairs = []
        for key, item in value.items():
            _check_key(key, path)
            pairs.append(f"{_key(key)} = {_inline(item, _join(path, key), active)}")
        active.discard(id(value))
        return f"{{ {', '.join(pairs)} }}" if pairs else "{}"
    if isinstance(value, list):
        _enter(value, path, active)
        items = [_inline(item, f"{path}[{i}]", active) for i, item in enumerate(value)]
        active.discard(id(value))
        return f"[{', '.join(items)}]"
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


def _string(text: str) -> str:
    return f'"{text.translate(_ESCAPES)}"'


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _check_key(key: Any, path: str) -> None:
    where = f" in {path}" if path else " at the top level"
    if not isinstance(key, str):
        raise SlaValueError(
            f"cannot write the key {_short(key)}{where} as TOML: keys must be str, "
            f"not {type(key).__qualname__}; convert it with str() first"
        )
    if _SURROGATE.search(key):
        raise SlaValueError(
            f"cannot write the key {_short(key)}{where} as TOML: it holds a lone surrogate, "
            "which UTF-8 cannot encode"
        )


def _join(path: str, key: str) -> str:
    return f"{path}.{_key(key)}" if path else _key(key)


def _enter(container: Any, path: str, active: set[int]) -> None:
    """Mark *container* as being written; raise if it is already (it contains itself)."""
    if id(container) in active:
        raise SlaValueError(
            f"cannot write {path or 'the document'} as TOML: it contains itself, "
            "and TOML documents are trees"
        )
    active.add(id(container))


def _date(value: dt.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _time(value: dt.time | dt.datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return f"{text}.{value.microsecond:06d}" if value.microsecond else text


def _datetime(value: dt.datetime, path: str) -> str:
    text = f"{_date(value)}T{_time(value)}"
    offset = value.utcoffset()
    if offset is None:
        return text
    if offset % dt.timedelta(minutes=1):
        raise _unwritable(
            path,
            value,
            f"its UTC offset {offset} is not a whole number of minutes, which TOML requires; "
            "convert it with .astimezone(datetime.timezone.utc) first",
        )
    minutes = offset // dt.timedelta(minutes=1)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def _unwritable(path: str, value: Any, why: str) -> SlaValueError:
    return SlaValueError(f"cannot write {path} = {_short(value)} as TOML: {why}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else f"{text[:157]}..."
