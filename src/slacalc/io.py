"""Case files in and out: one row schema, read as a stream, written so that it reads back.

A case file holds one case per row in the row form of :meth:`slacalc.Case.to_dict` (described
in the docs' page on case files): ``id``, ``opened``, ``severity``, ``tier``, ``zone``,
``achieved``, ``pauses``, ``severity_changes``, ``excluded``, ``closed``, ``satisfaction``.
:func:`read_cases` reads JSON Lines and CSV files one row at a time (memory does not grow with
the file), :func:`cases_from_records` reads any iterable of such mappings, and
:func:`write_cases` writes cases back so that reading them gives the same cases.

A row that cannot be read is handled by one policy, chosen with ``errors=``:

* ``"raise"`` (the default): stop with :class:`BadRowError`, which names the line and the reason;
* ``"skip"``: report the row (to ``on_skip``, or as a :class:`CaseFileWarning`) and go on;
* ``"collect"``: keep it in the reader's :attr:`CaseReader.errors` list and go on.

Nothing is dropped silently: every row is either a case or a :class:`BadRow`.

>>> import io
>>> import slacalc as sla
>>> from slacalc.io import read_cases, write_cases
>>> text = io.StringIO(
...     '{"id": "T-1", "opened": "2026-10-01T23:10+08:00", "severity": "A"}\\n'
...     '{"id": "T-2", "opened": "2026-10-01T23:10", "severity": "A"}\\n')
>>> reader = read_cases(text, "jsonl", errors="collect")
>>> [case.id for case in reader]
['T-1']
>>> print(reader.errors[0])
<stream>:2: opened '2026-10-01T23:10' has no UTC offset; write it with one, e.g. 2026-10-01T23:10+08:00

A format is one function from a stream of bytes to numbered rows (see :func:`register_format`);
JSON Lines and CSV are built in.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import pathlib
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Literal, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from slacalc.case import (
    ROW_KEYS,
    Case,
    _case_from_row,
    attribute_name_problem,
    attribute_value,
    misspelt_field,
)
from slacalc.errors import (
    SlaError,
    SlaValueError,
    SlaWarning,
    echo,
    optional_module,
)

if TYPE_CHECKING:
    from slacalc.policy import Policy

__all__ = [
    "DUPLICATE_CHECK_LIMIT",
    "ROW_KEYS",
    "BadRow",
    "BadRowError",
    "CaseFileWarning",
    "CaseFormat",
    "CaseReader",
    "cases_from_records",
    "cases_from_table",
    "cases_to_arrow",
    "cases_to_pandas",
    "cases_to_polars",
    "escape_json",
    "format_of",
    "formats",
    "read_cases",
    "register_format",
    "write_cases",
]

#: what to do with a row that cannot be read
OnError = Literal["raise", "skip", "collect"]
#: one row of a file: its line (or row) number and its record, or the reason it cannot be read
Row = tuple[int, "Mapping[str, Any] | str"]
#: the most distinct case ids a reader remembers to report repeated ids (about 100 bytes each)
DUPLICATE_CHECK_LIMIT = 1_000_000

_ERRORS = ("raise", "skip", "collect")
_ACHIEVED_PREFIX = "achieved."
_JSON_COLUMNS = ("achieved", "pauses", "severity_changes")
_REQUIRED = ("id", "opened", "severity")
_ROW_KEYSET = frozenset(ROW_KEYS)
# what a row that cannot be turned into a case raises; anything else is a bug and escapes
_ROW_FAILURES = (SlaError, ValueError, TypeError, ArithmeticError, RecursionError)


class CaseFileWarning(SlaWarning):
    """A note about a case file (an unknown column, a repeated case id) or a skipped row, when
    no callback was given for it."""


@attrs.frozen
class BadRow:
    """A row that could not be read: where it is and why.

    ``line`` is the line of the file where the row starts (for :func:`cases_from_records`, the
    row's position counted from 1).
    """

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


class BadRowError(SlaValueError):
    """A row of a case file cannot be read (with ``errors="raise"``); ``bad_row`` says which."""

    def __init__(self, bad_row: BadRow) -> None:
        super().__init__(str(bad_row))
        self.bad_row = bad_row

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.bad_row,))


# -- formats ------------------------------------------------------------------------------------
@attrs.frozen
class CaseFormat:
    """A case-file format: its name, the file name endings that mean it, a reader and a writer.

    ``read(stream, source)`` takes the file as bytes and yields ``(line, record)`` pairs in file
    order, ``record`` being a mapping in the row form (text is fine wherever the row form takes a
    value; empty text means "none") or, for a row that cannot be read, the reason as a string.
    It raises :class:`~slacalc.SlaValueError` only when the whole file is unusable (a CSV header
    without ``id``). ``write(cases, stream)`` writes cases as text and returns how many.
    """

    name: str
    suffixes: tuple[str, ...]
    read: Callable[[IO[bytes], str], Iterator[Row]]
    write: Callable[[Iterable[Case], Any], int] | None = None
    #: the writer takes a binary stream (Parquet) rather than text
    binary: bool = False


_FORMATS: dict[str, CaseFormat] = {}


def register_format(fmt: CaseFormat) -> None:
    """Make ``fmt`` known to :func:`read_cases`, :func:`write_cases` and :func:`format_of`.

    >>> sorted(formats())
    ['csv', 'jsonl', 'parquet']
    """
    _FORMATS[fmt.name] = fmt


def formats() -> dict[str, CaseFormat]:
    """The known formats by name."""
    return dict(_FORMATS)


def format_of(path: str | os.PathLike[str], given: str | None = None) -> CaseFormat:
    """The format named ``given``, or else the one ``path``'s ending means.

    >>> format_of("cases.ndjson").name
    'jsonl'
    >>> format_of("cases.txt")
    Traceback (most recent call last):
    ...
    slacalc.errors.SlaValueError: cannot tell the format of 'cases.txt' from its name; name it .jsonl, .ndjson, .csv, .parquet or .pq, or give the format (jsonl, csv, parquet)
    """
    if given is not None:
        if not isinstance(given, str) or given not in _FORMATS:
            raise SlaValueError(f"format {echo(given)} is not a case-file format; the formats "
                                f"are {', '.join(_FORMATS)}")
        return _FORMATS[given]
    suffix = pathlib.Path(path).suffix.lower()
    for fmt in _FORMATS.values():
        if suffix in fmt.suffixes:
            return fmt
    endings = [s for f in _FORMATS.values() for s in f.suffixes]
    raise SlaValueError(
        f"cannot tell the format of {echo(str(path))} from its name; name it "
        f"{', '.join(endings[:-1])} or {endings[-1]}, or give the format ({', '.join(_FORMATS)})"
    )


# -- reading ------------------------------------------------------------------------------------
class _Lines:
    """The lines of a binary stream decoded as UTF-8 (a leading BOM dropped), numbered from 1.

    ``number`` is the number of the last line handed out; ``undecodable`` holds the numbers of
    lines that were not UTF-8 (handed out with replacement characters so a CSV record stays in
    step).
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.number = 0
        self.undecodable: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        for raw in self.stream:
            self.number += 1
            data = raw[len(codecs.BOM_UTF8):] if (
                self.number == 1 and raw.startswith(codecs.BOM_UTF8)) else raw
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError:
                self.undecodable.add(self.number)
                yield data.decode("utf-8", "replace")

    def bad_text(self, first: int, last: int) -> bool:
        """Whether any line in ``first..last`` was not UTF-8 (and forget them)."""
        if not self.undecodable:
            return False
        found = any(first <= n <= last for n in self.undecodable)
        self.undecodable.clear()
        return found


def _short(value: Any) -> str:
    return echo(value, 60)


def _loads(text: str) -> Any:
    """``json.loads`` whose failures are one-line reasons (raised as ``ValueError``)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"bad JSON: {exc.msg} (character {exc.pos + 1})") from None
    except RecursionError:
        raise ValueError("bad JSON: nested too deeply") from None
    except ValueError as exc:  # a number past Python's digit limit
        if "digits" in str(exc):
            raise ValueError("bad JSON: a number has more digits than Python reads "
                             f"({sys.get_int_max_str_digits():,})") from None
        raise ValueError(f"bad JSON: {' '.join(str(exc).split())}") from None


def read_jsonl(stream: IO[bytes], source: str) -> Iterator[Row]:
    """Rows of a JSON Lines file: one JSON object a line; blank lines are no rows."""
    lines = _Lines(stream)
    for text in lines:
        n = lines.number
        if lines.bad_text(n, n):
            yield n, "not UTF-8 text"
            continue
        if not text.strip():
            continue
        try:
            data = _loads(text)
        except ValueError as exc:
            yield n, str(exc)
            continue
        if not isinstance(data, dict):
            yield n, f"expected a JSON object, not {_short(data)}"
            continue
        yield n, data


def _csv_header(cells: list[str], source: str) -> list[str]:
    header = [c.strip() for c in cells]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise SlaValueError(
            f"{source}: the header lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; a cases CSV needs {', '.join(_REQUIRED)} and may have "
            f"{', '.join(c for c in ROW_KEYS if c not in _REQUIRED)} and achieved.<name> "
            f"columns (its header is: {_short(','.join(header))})"
        )
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise SlaValueError(f"{source}: the header names {', '.join(twice)} more than once")
    return header


def _csv_record(header: list[str], cells: list[str]) -> dict[str, Any]:
    """A CSV record as the mapping a JSON line would give; empty cells are left out."""
    data: dict[str, Any] = {}
    achieved: dict[str, Any] = {}
    for column, cell in zip(header, cells, strict=True):
        if not cell.strip():
            continue
        if column.startswith(_ACHIEVED_PREFIX):
            achieved[column[len(_ACHIEVED_PREFIX):]] = cell
        elif column in _JSON_COLUMNS:
            try:
                data[column] = _loads(cell)
            except ValueError as exc:
                raise ValueError(f"column {column}: {exc}") from None
        elif column == "satisfaction":
            data[column] = _number(cell)
        else:
            data[column] = cell
    if achieved:
        listed = data.get("achieved") or {}
        if not isinstance(listed, dict):
            raise ValueError(f"achieved {_short(listed)} is not a JSON object")
        both = sorted(set(listed) & set(achieved))
        if both:
            raise ValueError(f"{both[0]!r} is in both the achieved column and achieved.{both[0]}")
        data["achieved"] = {**listed, **achieved}
    return data


_INT = re.compile(r"[+-]?[0-9]{1,30}")
_FLOAT = re.compile(r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,5})?")


def _number(cell: str) -> int | float:
    """A CSV cell holding a number (ASCII digits only)."""
    text = cell.strip()
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    raise ValueError(f"satisfaction {_short(cell)} is not a number from 1 to 5")


def read_csv(stream: IO[bytes], source: str) -> Iterator[Row]:
    """Rows of a CSV file with a header; ``achieved.<name>`` columns hold one instant each, the
    ``achieved``, ``pauses`` and ``severity_changes`` columns JSON; empty cells mean "none"."""
    lines = _Lines(stream)
    records = csv.reader(lines)
    header: list[str] | None = None
    while True:
        first = lines.number + 1
        try:
            cells = next(records)
        except StopIteration:
            return
        except csv.Error as exc:
            yield first, f"bad CSV: {exc}"
            continue
        if lines.bad_text(first, lines.number):
            yield first, "not UTF-8 text"
            continue
        if not cells:  # a blank line is no record
            continue
        if header is None:
            header = _csv_header(cells, source)
            continue
        if len(cells) != len(header):
            if len(cells) < len(header):
                missing = ", ".join(header[len(cells):])
                yield first, (f"missing column{'s' if len(header) - len(cells) > 1 else ''} "
                              f"{_short(missing)}: {len(cells)} cells, the header has "
                              f"{len(header)}")
            else:
                yield first, f"{len(cells)} cells, the header has {len(header)} columns"
            continue
        try:
            yield first, _csv_record(header, cells)
        except ValueError as exc:
            yield first, str(exc)


class CaseReader:
    """An iterator of the :class:`~slacalc.Case` values of a file or of records, in order.

    It reads one row at a time. Rows that cannot be read are handled as ``errors`` says (see
    :mod:`slacalc.io`); ``errors`` (the list) holds them with ``errors="collect"`` (so it grows
    with the bad rows; ``"skip"`` keeps nothing). Notes (an
    unknown column, a case id used twice) go to ``on_note``, or are warned as
    :class:`CaseFileWarning`. With a ``policy``, a severity (also one a case changes to) or a
    tier the policy does not have makes the row a bad row.

    ``cases`` counts the cases handed out, ``skipped`` the bad rows passed over and ``line`` is
    the line (or row) number of the last row read.
    """

    def __init__(self, rows: Iterable[Row], *, source: str, policy: Policy | None = None,
                 errors: OnError = "raise", on_skip: Callable[[BadRow], None] | None = None,
                 on_note: Callable[[str], None] | None = None,
                 close: Callable[[], None] | None = None) -> None:
        if errors not in _ERRORS:
            raise SlaValueError(f"errors={echo(errors)} is not a bad-row policy; use "
                                "'raise', 'skip' or 'collect'")
        self.source = source
        self.mode: OnError = errors
        #: The rows that could not be read, kept with ``errors="collect"``.
        self.errors: list[BadRow] = []
        self.cases = 0
        self.skipped = 0
        self.line = 0
        self._rows = iter(rows)
        self._on_skip = on_skip
        self._on_note = on_note
        self._close = close
        # a policy without severity levels never looks at a case's severity
        self._severities = (None if policy is None or not policy.severities
                            else [s.id for s in policy.severities])
        self._tiers = None if policy is None or not policy.tiers else [t.id for t in policy.tiers]
        self._extra: dict[str, bool] = {}  # other keys seen: whether they can be attributes
        self._noted: set[str] = set()
        self._seen: dict[str, int] | None = {}

    # iteration
    def __iter__(self) -> CaseReader:
        return self

    def __next__(self) -> Case:
        for line, record in self._rows:
            self.line = line
            case = record if isinstance(record, str) else self._case(record, line)
            if isinstance(case, Case):
                self.cases += 1
                self._check_repeat(case.id, line)
                return case
            self._bad(BadRow(self.source, line, " ".join(case.split())))
        self.close()
        raise StopIteration

    def __enter__(self) -> CaseReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file this reader opened (a stream passed in is left open)."""
        if self._close is not None:
            close, self._close = self._close, None
            close()

    # rows
    def _case(self, record: Mapping[str, Any], line: int) -> Case | str:
        try:
            attributes = None
            if not _ROW_KEYSET.issuperset(record):
                attributes = self._attributes(record, line)
            case = _case_from_row(Case, record, attributes)
            self._check_policy(case)
        except _ROW_FAILURES as exc:
            return str(exc) or type(exc).__name__
        return case

    def _check_policy(self, case: Case) -> None:
        if self._severities is not None:
            for where, sev in (("severity", case.severity),
                               *(("severity change", c.severity) for c in case.severity_changes)):
                if sev is None:
                    raise SlaValueError("missing severity; the policy sets its targets by "
                                        "severity level: " + ", ".join(self._severities))
                if sev not in self._severities:
                    raise SlaValueError(f"unknown {where} {echo(sev)}; the policy has "
                                        + ", ".join(self._severities))
        if self._tiers is not None and case.tier is not None and case.tier not in self._tiers:
            raise SlaValueError(f"unknown tier {echo(case.tier)}; the policy has "
                                + ", ".join(self._tiers))

    def _bad(self, bad: BadRow) -> None:
        self.skipped += 1
        if self.mode == "raise":
            self.close()
            raise BadRowError(bad)
        if self.mode == "collect":
            self.errors.append(bad)
        elif self._on_skip is not None:
            self._on_skip(bad)
        else:
            warnings.warn(f"skipped {bad}", CaseFileWarning, stacklevel=3)

    def _note(self, text: str) -> None:
        if self._on_note is not None:
            self._on_note(text)
        else:
            warnings.warn(text, CaseFileWarning, stacklevel=4)

    def _attributes(self, record: Mapping[str, Any], line: int) -> dict[str, Any]:
        """The attributes of ``record``, its keys other than the fields (blank values left
        out); a key that cannot be an attribute is noted once and ignored: one that looks like
        a misspelt field, or one whose value is not text, a number or a boolean (a list, a
        timestamp)."""
        attributes: dict[str, Any] = {}
        for key, value in record.items():
            if key in _ROW_KEYSET:
                continue
            usable = self._extra.get(key)
            if usable is None:
                usable = self._extra[key] = self._check_name(key, line)
            if not usable:
                continue
            try:
                attribute = attribute_value(key, value)
            except SlaValueError as exc:
                self._note_once(key, f"{self.source}:{line}: ignoring the column {echo(key)} "
                                f"(noted once): {exc}; convert it to text to keep it")
                continue
            if attribute is not None:
                attributes[key] = attribute
        return attributes

    def _check_name(self, key: Any, line: int) -> bool:
        reason = attribute_name_problem(key, typos=False)
        if reason is None:
            like = misspelt_field(key)
            if like is None:
                return True
            reason = f"it looks like a misspelt {like!r}"
        self._note_once(key, f"{self.source}:{line}: ignoring the column {echo(key)} (noted "
                        f"once): {reason}; the case's fields are {', '.join(ROW_KEYS)} and "
                        "achieved.<name>, and other columns are kept as the case's attributes")
        return False

    def _note_once(self, key: str, text: str) -> None:
        if key not in self._noted:
            self._noted.add(key)
            self._note(text)

    def _check_repeat(self, case_id: str, line: int) -> None:
        seen = self._seen
        if seen is None:
            return
        before = seen.get(case_id)
        if before is not None:
            self._note(f"{self.source}:{line}: case id {echo(case_id)} repeats the id of "
                       f"line {before}")
        elif len(seen) < DUPLICATE_CHECK_LIMIT:
            seen[case_id] = line
        else:
            self._seen = None
            self._note(f"{self.source}: stopped checking for repeated case ids after "
                       f"{DUPLICATE_CHECK_LIMIT:,} distinct ids (line {line})")


def _source_name(stream: Any) -> str:
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) and name and not name.startswith("<") else "<stream>"


def _binary(stream: IO[Any]) -> IO[bytes]:
    """The bytes behind a text or binary stream."""
    if isinstance(stream, io.TextIOBase):
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            return buffer
        return io.BytesIO(stream.read().encode("utf-8"))
    return stream


def read_cases(source: str | os.PathLike[str] | IO[Any], format: str | None = None, *,
               policy: Policy | None = None, errors: OnError = "raise",
               on_skip: Callable[[BadRow], None] | None = None,
               on_note: Callable[[str], None] | None = None) -> CaseReader:
    """The cases of a case file, read one row at a time (see :class:`CaseReader`).

    ``source`` is a path or an open file (bytes, or text: a file opened in text mode is read
    through its byte buffer, an in-memory ``io.StringIO`` whole); ``format`` (``"jsonl"``,
    ``"csv"``) is read from the path's ending when not given. A file that cannot be opened, or whose
    format cannot be told, is a :class:`~slacalc.SlaValueError` at once; a CSV header without
    ``id``, ``opened`` or ``severity`` when the first case is read (its cells may be empty
    under a policy without severity levels).

    >>> import io
    >>> rows = io.StringIO("id,opened,severity,achieved.response\\n"
    ...                    "T-1,2026-10-01T23:10+08:00,A,2026-10-01T23:25+08:00\\n")
    >>> [(c.id, c.achieved_at("response").minute) for c in read_cases(rows, "csv")]
    [('T-1', 25)]
    """
    if isinstance(source, str | os.PathLike):
        fmt = format_of(source, format)
        try:
            stream: IO[bytes] = open(source, "rb")  # noqa: SIM115 - the reader closes it
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            raise SlaValueError(
                f"cannot read the cases file {echo(os.fspath(source))}: {getattr(exc, 'strerror', None) or exc}"
            ) from None
        name, close = os.fspath(source), stream.close
    else:
        if format is None and not isinstance(getattr(source, "name", None), str):
            raise SlaValueError("read_cases needs format= ('jsonl' or 'csv') for a stream "
                                "without a file name")
        fmt = format_of(getattr(source, "name", "") or "", format)
        stream, name, close = _binary(source), _source_name(source), None
    try:
        rows = fmt.read(stream, name)
    except BaseException:
        if close is not None:
            close()
        raise
    return CaseReader(rows, source=name, policy=policy, errors=errors,
                      on_skip=on_skip, on_note=on_note, close=close)


def cases_from_records(records: Iterable[Mapping[str, Any]], *, policy: Policy | None = None,
                       errors: OnError = "raise",
                       on_skip: Callable[[BadRow], None] | None = None,
                       on_note: Callable[[str], None] | None = None,
                       source: str = "<records>") -> CaseReader:
    """The cases of an iterable of row-form mappings (rows numbered from 1), read lazily.

    >>> reader = cases_from_records([{"id": 1, "opened": "2026-10-01T23:10+08:00", "severity": 2},
    ...                              {"id": 2, "severity": "A"}], errors="collect")
    >>> [(c.id, c.severity) for c in reader], [str(e) for e in reader.errors]
    ([('1', '2')], ['<records>:2: missing opened; give an ISO 8601 date-time, e.g. 2026-10-01T23:10+08:00'])
    """
    def rows() -> Iterator[Row]:
        for n, record in enumerate(records, 1):
            yield n, (record if isinstance(record, Mapping)
                      else f"expected a mapping of the row form, not {_short(record)}")

    return CaseReader(rows(), source=source, policy=policy, errors=errors, on_skip=on_skip,
                      on_note=on_note)


# -- writing ------------------------------------------------------------------------------------
def escape_json(text: str) -> str:
    """JSON text with the characters that can hide or reorder text on a screen (controls,
    bidirectional overrides, zero-width marks: whatever is not printable) written as ``\\uXXXX``
    escapes; it reads back to the same value.

    >>> escape_json(json.dumps("A\\u202eB", ensure_ascii=False))
    '"A\\\\u202eB"'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in text)


def _dumps(value: Any) -> str:
    return escape_json(json.dumps(value, ensure_ascii=False))


def write_jsonl(cases: Iterable[Case], stream: TextIO) -> int:
    """One JSON object a line, every key of the row form present."""
    n = 0
    for case in cases:
        stream.write(_dumps(case.to_dict()) + "\n")
        n += 1
    return n


#: the columns :func:`write_cases` writes in CSV
CSV_COLUMNS = ("id", "opened", "severity", "tier", "zone", "excluded", "closed", "satisfaction",
               "achieved", "pauses", "severity_changes")


def _with_attributes(cases: Iterable[Case]) -> tuple[list[str], Iterator[Case]]:
    """The attribute names of the first :data:`TABLE_CHUNK` cases (sorted), and all the cases
    again; a later case with another attribute is an error when it is reached."""
    if isinstance(cases, Case) or not isinstance(cases, Iterable):
        raise SlaValueError(f"cases must be an iterable of slacalc.Case values, not "
                            f"{echo(cases)}")
    stream = iter(cases)
    head = list(itertools.islice(stream, TABLE_CHUNK))
    for case in head:
        if not isinstance(case, Case):
            raise SlaValueError(f"cases must be slacalc.Case values, not {echo(case)}")
    names = sorted({name for case in head for name, _ in case.attributes})
    return names, itertools.chain(head, stream)


def _unlisted(case: Case, known: Iterable[str]) -> str | None:
    """The first attribute of ``case`` not among the columns ``known``, if any."""
    for name, _ in case.attributes:
        if name not in known:
            return name
    return None


def _late_attribute(case: Case, name: str, fix: str) -> SlaValueError:
    return SlaValueError(
        f"case {echo(case.id)} has the attribute {echo(name)}, which the first {TABLE_CHUNK:,} "
        f"cases do not have, so there is no column for it; {fix}")


def csv_text(value: Any) -> str:
    """A value as a case file's CSV cell holds it: empty for ``None``, ``true``/``false`` for a
    boolean, else its text (shared with ``slacalc evaluate``'s CSV output)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(cases: Iterable[Case], stream: TextIO) -> int:
    """A header and one record per case; ``achieved``, ``pauses`` and ``severity_changes`` hold
    JSON, empty cells mean "none". The cases' attributes follow as columns of their own (named
    by the first 65,536 cases), as text: they read back as text."""
    attributes, every = _with_attributes(cases)
    known = frozenset(attributes)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow((*CSV_COLUMNS, *attributes))
    n = 0
    for case in every:
        if not isinstance(case, Case):
            raise SlaValueError(f"cases must be slacalc.Case values, not {echo(case)}")
        late = _unlisted(case, known)
        if late is not None:
            raise _late_attribute(case, late, "write JSON Lines (any keys per row), or put "
                                  "such a case among the first")
        row = case.to_dict()
        cells = []
        for column in CSV_COLUMNS:
            value = row[column]
            if column in _JSON_COLUMNS:
                cells.append(_dumps(value) if value else "")
            else:
                cells.append(csv_text(value))
        cells.extend(csv_text(row.get(name)) for name in attributes)
        writer.writerow(cells)
        n += 1
    return n


def write_cases(cases: Iterable[Case], dest: str | os.PathLike[str] | TextIO,
                format: str | None = None) -> int:
    """Write ``cases`` to a path or a text stream in a case-file format; return how many.

    ``read_cases`` reads the file back as the same cases (instants come back with their UTC
    offset, as fixed-offset datetimes equal to the originals).

    >>> import io, datetime as dt
    >>> case = Case("T-1", dt.datetime(2026, 10, 1, 23, 10, tzinfo=dt.timezone.utc), "A",
    ...             satisfaction=4)
    >>> out = io.StringIO()
    >>> write_cases([case], out, "csv")
    1
    >>> print(out.getvalue(), end="")
    id,opened,severity,tier,zone,excluded,closed,satisfaction,achieved,pauses,severity_changes
    T-1,2026-10-01T23:10:00+00:00,A,,,,,4,,,
    >>> _ = out.seek(0)
    >>> list(read_cases(out, "csv")) == [case]
    True
    """
    if isinstance(dest, str | os.PathLike):
        fmt = format_of(dest, format)
        if fmt.write is None:
            raise SlaValueError(f"format {fmt.name!r} cannot be written")
        if "\x00" in os.fspath(dest):
            raise SlaValueError(f"cannot write the cases file {echo(os.fspath(dest))}: a file "
                                "name cannot contain a NUL character")
        try:
            if fmt.binary:
                with open(dest, "wb") as binary:
                    return fmt.write(cases, binary)
            with open(dest, "w", encoding="utf-8", newline="") as stream:
                return fmt.write(cases, stream)
        except OSError as exc:
            raise SlaValueError(
                f"cannot write the cases file {echo(os.fspath(dest))}: {getattr(exc, 'strerror', None) or exc}"
            ) from None
    if format is None:
        raise SlaValueError("write_cases needs format= ('jsonl' or 'csv') for a stream")
    fmt = format_of("", format)
    if fmt.write is None:
        raise SlaValueError(f"format {fmt.name!r} cannot be written")
    return fmt.write(cases, dest)


# -- tables: Arrow, Parquet, pandas, polars ---------------------------------------------------
#: cases turned into Arrow (or read from it) at a time
TABLE_CHUNK = 65_536


def _batch_rows(batch: Any, first: int) -> Iterator[Row]:
    """The rows of an Arrow record batch in the row form, numbered from ``first``."""
    names = batch.schema.names
    achieved = [n for n in names if n.startswith(_ACHIEVED_PREFIX)]
    columns = {n: batch.column(i).to_pylist() for i, n in enumerate(names)}
    for r in range(batch.num_rows):
        record = {n: columns[n][r] for n in names if n not in achieved}
        if achieved:
            events = dict(record.get("achieved") or {})
            for n in achieved:
                events[n[len(_ACHIEVED_PREFIX):]] = columns[n][r]
            record["achieved"] = events
        yield first + r, record


def _arrow_rows(batches: Iterable[Any]) -> Iterator[Row]:
    line = 1
    for batch in batches:
        yield from _batch_rows(batch, line)
        line += batch.num_rows


def _batches_of(data: Any) -> Iterator[Any]:
    """Record batches of a table, a batch, a DataFrame or anything with
    ``__arrow_c_stream__``, at most :data:`TABLE_CHUNK` rows each."""
    pa = optional_module("pyarrow")
    module = type(data).__module__.split(".")[0]
    if module == "pandas" and hasattr(data, "columns"):
        data = pa.Table.from_pandas(data, preserve_index=False)
    elif module == "polars" and hasattr(data, "to_arrow"):
        data = data.to_arrow()
    if isinstance(data, pa.RecordBatch):
        data = pa.Table.from_batches([data])
    if not isinstance(data, pa.Table):
        if hasattr(data, "__arrow_c_stream__"):
            yield from pa.RecordBatchReader.from_stream(data)
            return
        if isinstance(data, Iterable) and not isinstance(data, str | bytes | Mapping):
            for item in data:
                if not isinstance(item, pa.RecordBatch):
                    raise SlaValueError(f"expected Arrow record batches, not {echo(item)}")
                yield item
            return
        raise SlaValueError(
            f"cases_from_table reads a pyarrow Table or RecordBatch, an iterable of record "
            f"batches, a pandas or polars DataFrame or any Arrow stream, not {echo(data)}")
    yield from data.to_batches(max_chunksize=TABLE_CHUNK)


def cases_from_table(data: Any, *, policy: Policy | None = None, errors: OnError = "raise",
                     on_skip: Callable[[BadRow], None] | None = None,
                     on_note: Callable[[str], None] | None = None,
                     source: str = "<table>") -> CaseReader:
    """The cases of a table in the case files' columns, read a record batch at a time.

    ``data`` is a ``pyarrow.Table`` or ``RecordBatch``, an iterable of record batches (a
    ``pyarrow.parquet.ParquetFile(path, pre_buffer=False).iter_batches()``: without
    ``pre_buffer=False`` pyarrow keeps every row group read until the file is closed), a pandas
    or polars DataFrame, or anything with ``__arrow_c_stream__``. Columns as
    :func:`cases_to_arrow` writes them (or as in the case files: ISO text instants,
    ``achieved.<name>`` columns); rows are numbered from 1, and bad rows are handled as in
    :func:`read_cases`. Needs pyarrow.

    >>> import datetime as dt
    >>> import slacalc as sla
    >>> tz = dt.timezone(dt.timedelta(hours=8))
    >>> cases = [sla.Case("T-1", dt.datetime(2026, 10, 1, 23, 10, tzinfo=tz), "A",
    ...                   achieved={"response": dt.datetime(2026, 10, 1, 23, 25, tzinfo=tz)})]
    >>> table = cases_to_arrow(cases)
    >>> table.column_names
    ['id', 'opened', 'severity', 'tier', 'zone', 'excluded', 'closed', 'satisfaction', 'pauses', 'severity_changes', 'achieved.response']
    >>> list(cases_from_table(table)) == cases
    True
    """
    return CaseReader(_arrow_rows(_batches_of(data)), source=source, policy=policy,
                      errors=errors, on_skip=on_skip, on_note=on_note)


def read_parquet(stream: IO[bytes], source: str) -> Iterator[Row]:
    """The rows of a Parquet file, a record batch at a time (memory stays flat)."""
    pq = optional_module("pyarrow.parquet")
    try:
        # pre_buffer=False: pyarrow's pre-buffering keeps every row group's bytes it has read
        # until the reader is closed, so a long file would be held whole by the end
        batches = pq.ParquetFile(stream, pre_buffer=False).iter_batches(batch_size=TABLE_CHUNK)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid/OSError kinds
        raise SlaValueError(f"{source}: not a readable Parquet file: {exc}") from None
    return _arrow_rows(batches)


def _attribute_types(pa: Any, cases: list[Case], names: Sequence[str]) -> list[Any]:
    """The Arrow type of each attribute column, from the values ``cases`` hold: text, bool,
    int64, or float64 when whole and real numbers mix (a column holds one type)."""
    seen: dict[str, set[type]] = {name: set() for name in names}
    for case in cases:
        for name, value in case.attributes:
            if name in seen:
                seen[name].add(type(value))
    types = []
    for name in names:
        kinds = seen[name]
        if kinds <= {str}:
            types.append(pa.string())
        elif kinds == {bool}:
            types.append(pa.bool_())
        elif kinds == {int}:
            types.append(pa.int64())
        elif kinds <= {int, float}:
            types.append(pa.float64())
        else:
            shown = ", ".join(sorted(k.__name__ for k in kinds))
            raise SlaValueError(
                f"the attribute {echo(name)} holds values of several kinds ({shown}); an Arrow "
                "column holds one, so give every case the same kind (e.g. all text)")
    return types


def _case_schema(pa: Any, zone: str, events: Sequence[str],
                 attributes: Sequence[tuple[str, Any]] = ()) -> Any:
    ts = pa.timestamp("us", zone)
    return pa.schema([
        ("id", pa.string()), ("opened", ts), ("severity", pa.string()), ("tier", pa.string()),
        ("zone", pa.string()), ("excluded", pa.string()), ("closed", ts),
        ("satisfaction", pa.float64()),
        ("pauses", pa.list_(pa.struct([("start", ts), ("end", ts), ("reason", pa.string())]))),
        ("severity_changes", pa.list_(pa.struct([("at", ts), ("severity", pa.string())]))),
        *((f"{_ACHIEVED_PREFIX}{name}", ts) for name in events),
        *attributes,
    ])


def _case_batches(cases: Iterable[Case], zone: str, events: Sequence[str] | None,
                  attributes: Sequence[str] | None = None,
                  typed: list[tuple[str, Any]] | None = None,
                  fix: str = "name every attribute with attributes=[...]") -> Iterator[Any]:
    """``cases`` as Arrow record batches of one schema (see :func:`cases_to_arrow`): the events
    and attribute columns are those given, or else those of the first chunk; ``typed`` gives
    the attribute columns with their Arrow types. ``fix`` says what to do about a later case
    with an attribute that has no column."""
    pa = optional_module("pyarrow")
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError, ZoneInfoNotFoundError):
        raise SlaValueError(f"zone={echo(zone)} is not an IANA time zone; use e.g. 'UTC' or "
                            "'Asia/Shanghai'") from None
    if isinstance(cases, Case) or not isinstance(cases, Iterable):
        raise SlaValueError(f"cases must be an iterable of slacalc.Case values, not "
                            f"{echo(cases)}")
    stream = iter(cases)
    schema = None
    named: list[str] = []
    while chunk := list(itertools.islice(stream, TABLE_CHUNK)):
        for case in chunk:
            if not isinstance(case, Case):
                raise SlaValueError(f"cases must be slacalc.Case values, not {echo(case)}")
        if schema is None:
            events = list(events if events is not None else sorted(
                {name for case in chunk for name, _ in case.achieved}))
            if typed is None:
                names = list(attributes if attributes is not None else sorted(
                    {name for case in chunk for name, _ in case.attributes}))
                typed = list(zip(names, _attribute_types(pa, chunk, names), strict=True))
            named = [name for name, _ in typed]
            schema = _case_schema(pa, zone, events, typed)
            kinds = {name: _PYTHON_KINDS.get(str(kind), ()) for name, kind in typed}
        columns = _case_columns(chunk, schema.names, events or [], named, kinds, fix)
        try:
            yield pa.RecordBatch.from_pydict(columns, schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
            kinds = {name: schema.field(name).type for name in named}
            bad = next((n for n in named if _unfit(pa, columns[n], kinds[n])), None)
            if bad is None:
                raise
            raise SlaValueError(
                f"the attribute {echo(bad)} cannot be an Arrow {kinds[bad]} column ({exc}); "
                "give every case the same kind of value (e.g. all text)") from None
    if schema is None:
        yield pa.RecordBatch.from_pylist([], schema=_case_schema(
            pa, zone, list(events or ()), typed or [(n, pa.string()) for n in attributes or ()]))


#: The Python values each Arrow type of an attribute column takes (pyarrow itself would turn
#: 2.7 into the int64 2 and True into the float64 1.0)
_PYTHON_KINDS: dict[str, tuple[type, ...]] = {
    "string": (str,), "bool": (bool,), "int64": (int,), "double": (int, float)}


def _case_columns(chunk: list[Case], names: list[str], events: Sequence[str],
                  attributes: list[str], kinds: Mapping[str, tuple[type, ...]],
                  fix: str) -> dict[str, list[Any]]:
    """The Python columns of one chunk of cases, named ``names`` (a case schema's);
    ``kinds`` gives the types of value each attribute column takes."""
    columns: dict[str, list[Any]] = {name: [] for name in names}
    known = set(events)
    listed = frozenset(attributes)
    for case in chunk:
        extra = [name for name, _ in case.achieved if name not in known]
        if extra:
            raise SlaValueError(
                f"case {echo(case.id)} records the event {echo(extra[0])}, which the first "
                f"{TABLE_CHUNK:,} cases do not have; name every event with events=[...]")
        columns["id"].append(case.id)
        columns["opened"].append(case.opened)
        columns["severity"].append(case.severity)
        columns["tier"].append(case.tier)
        columns["zone"].append(case.zone)
        columns["excluded"].append(case.excluded)
        columns["closed"].append(case.closed)
        columns["satisfaction"].append(
            None if case.satisfaction is None else float(case.satisfaction))
        columns["pauses"].append([{"start": p.start, "end": p.end, "reason": p.reason}
                                  for p in case.pauses])
        columns["severity_changes"].append([{"at": c.at, "severity": c.severity}
                                            for c in case.severity_changes])
        done = dict(case.achieved)
        for name in events:
            columns[f"{_ACHIEVED_PREFIX}{name}"].append(done.get(name))
        late = _unlisted(case, listed) if case.attributes else None
        if late is not None:
            raise _late_attribute(case, late, fix)
        values = dict(case.attributes)
        for name in attributes:
            value = values.get(name)
            if value is not None and type(value) not in kinds[name]:
                column = {str: "string", bool: "bool", int: "int64",
                          float: "float64"}[kinds[name][-1]]
                raise SlaValueError(
                    f"case {echo(case.id)} has the attribute {echo(name)} = {echo(value)} (a "
                    f"{type(value).__name__}), which its {column} column cannot hold (the "
                    f"column's type comes from the first {TABLE_CHUNK:,} cases); give every "
                    "case the same kind of value (e.g. all text)")
            columns[name].append(value)
    return columns


def _unfit(pa: Any, values: list[Any], kind: Any) -> bool:
    try:
        pa.array(values, type=kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return True
    return False


def _attribute_names(attributes: Sequence[str] | None) -> list[str] | None:
    if attributes is None:
        return None
    if isinstance(attributes, str) or not isinstance(attributes, Iterable):
        raise SlaValueError(f"attributes must be a list of names, not {echo(attributes)}")
    names = list(attributes)
    for name in names:
        problem = attribute_name_problem(name)
        if problem is not None:
            raise SlaValueError(f"attributes: {problem}")
    if len(set(names)) != len(names):
        raise SlaValueError(f"attributes names a column twice: {echo(names)}")
    return names


def cases_to_arrow(cases: Iterable[Case], *, zone: str = "UTC",
                   events: Sequence[str] | None = None,
                   attributes: Sequence[str] | None = None) -> Any:
    """``cases`` as a ``pyarrow.Table`` in the columns :func:`slacalc.evaluate_table` and
    :func:`cases_from_table` read (needs pyarrow).

    Columns: ``id``, ``opened``, ``severity``, ``tier``, ``zone``, ``excluded``, ``closed``,
    ``satisfaction`` (``float64``), ``pauses`` (a list of ``{start, end, reason}``),
    ``severity_changes`` (a list of ``{at, severity}``), one ``achieved.<name>`` column per
    event, then one column per attribute (``customer``, ...; null where a case has none).
    Instants are ``timestamp[us]`` in ``zone`` (default UTC): they read back as the
    same instants, in that zone (a case's own UTC offsets are not kept). The events are
    ``events``, or those the cases record; the attributes ``attributes``, or those the cases
    have (for an iterator, of its first 65,536 cases). An attribute column is text, bool or
    int64 when its values are all of that kind, and float64 when whole and real numbers mix
    (a whole number then reads back as the equal float).

    >>> import datetime as dt
    >>> import slacalc as sla
    >>> opened = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
    >>> table = cases_to_arrow([sla.Case("T-1", opened, "A", attributes={"customer": "ACME"}),
    ...                         sla.Case("T-2", opened, "B")])
    >>> table.column("customer").to_pylist(), str(table.schema.field("customer").type)
    (['ACME', None], 'string')
    """
    pa = optional_module("pyarrow")
    names = _attribute_names(attributes)
    if not isinstance(cases, Sequence):
        return pa.Table.from_batches(list(_case_batches(cases, zone, events, names)))
    every = [case for case in cases if isinstance(case, Case)]
    if events is None:
        events = sorted({name for case in every for name, _ in case.achieved})
    if names is None:
        names = sorted({name for case in every for name, _ in case.attributes})
    typed = list(zip(names, _attribute_types(pa, every, names), strict=True))
    return pa.Table.from_batches(list(_case_batches(cases, zone, events, names, typed)))


def cases_to_pandas(cases: Iterable[Case], *, zone: str = "UTC",
                    events: Sequence[str] | None = None,
                    attributes: Sequence[str] | None = None) -> Any:
    """``cases`` as a pandas DataFrame, through :func:`cases_to_arrow` (needs pandas, pyarrow).

    Instants are ``datetime64[us, zone]``; ``pauses`` and ``severity_changes`` hold lists of
    dicts; whole-number and boolean attributes are pandas' nullable ``Int64`` and ``boolean``
    (so a missing value does not turn large numbers into inexact floats).
    :func:`cases_from_table` reads the frame back."""
    pd = optional_module("pandas")
    pa = optional_module("pyarrow")
    nullable = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    table = cases_to_arrow(cases, zone=zone, events=events, attributes=attributes)
    return table.to_pandas(types_mapper=nullable.get)


def cases_to_polars(cases: Iterable[Case], *, zone: str = "UTC",
                    events: Sequence[str] | None = None,
                    attributes: Sequence[str] | None = None) -> Any:
    """``cases`` as a polars DataFrame, through :func:`cases_to_arrow` (needs polars, pyarrow).
    :func:`cases_from_table` reads the frame back."""
    return optional_module("polars").from_arrow(
        cases_to_arrow(cases, zone=zone, events=events, attributes=attributes))


def write_parquet(cases: Iterable[Case], stream: IO[bytes]) -> int:
    """Cases as Parquet, in :func:`cases_to_arrow`'s columns, written a record batch at a
    time (flat memory); the events, and the attribute columns and their types, are those of
    the first 65,536 cases."""
    pq = optional_module("pyarrow.parquet")
    n = 0
    writer = None
    try:
        for batch in _case_batches(
                cases, "UTC", None, fix="write JSON Lines (any keys per row), put such a case "
                "among the first, or write cases_to_arrow(cases, attributes=[...]) with "
                "pyarrow.parquet"):
            if writer is None:
                writer = pq.ParquetWriter(stream, batch.schema)
            writer.write_batch(batch)
            n += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
    return n


register_format(CaseFormat("jsonl", (".jsonl", ".ndjson"), read_jsonl, write_jsonl))
register_format(CaseFormat("csv", (".csv",), read_csv, write_csv))
register_format(CaseFormat("parquet", (".parquet", ".pq"), read_parquet, write_parquet,
                           binary=True))
