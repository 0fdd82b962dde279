"""What the commands share: writing lines, reading options (durations, instants, years, country
codes, policies) and formatting instants and durations for people."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import pathlib
import re
import sys
import tomllib
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, NoReturn, TextIO

import slacalc as sla
from slacalc import _durations
from slacalc.cli._errors import PROG, UsageError, printable
from slacalc.errors import echo

__all__ = [
    "PROG", "Out", "Parser", "command_parser", "describe_calendar", "fmt_day", "fmt_instant",
    "fmt_td", "load_policy", "parse_duration", "parse_now", "parse_start", "parse_time_of_day",
    "plural",
]


# -- output ---------------------------------------------------------------------------------------
class Out:
    """Writes lines to stdout (or another stream)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, line: str = "") -> None:
        self.stream.write(line + "\n")


class Indented(Out):
    """Writes through another writer, three spaces in."""

    def __init__(self, inner: Out) -> None:
        self.inner = inner

    def __call__(self, line: str = "") -> None:
        self.inner(" " * 3 + line if line else line)


def fmt_td(td: dt.timedelta) -> str:
    """``1h59m``, ``184h00m``, ``0h00m30s``: hours and minutes, seconds only when present."""
    total_us = td // dt.timedelta(microseconds=1)
    sign = "-" if total_us < 0 else ""
    seconds, micro = divmod(abs(total_us), 1_000_000)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    text = f"{sign}{h}h{m:02d}m"
    if s or micro:
        text += f"{s:02d}s" if not micro else f"{s:02d}.{micro:06d}s"
    return text


def fmt_instant(t: dt.datetime) -> str:
    return f"{t:%Y-%m-%d %a %H:%M}" + (f":{t:%S}" if t.second or t.microsecond else "")


def fmt_day(day: dt.date) -> str:
    return f"{day:%Y-%m-%d %a}"


def plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def describe_calendar(cal: sla.Calendar) -> str:
    days = "business days" if cal.days == "business" else "every day"
    where = f", {cal.country} holidays" if cal.country else ""
    return f"{cal.tz.key}, {days} {cal.hours}{where}"


# -- the argument parser --------------------------------------------------------------------------
class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are raised (and reported by the one error path)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError(message)


def command_parser(commands: Any, name: str, **kwargs: Any) -> Parser:
    """A command's parser under ``commands`` (``add_subparsers()``), with ``--debug``."""
    kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
    parser: Parser = commands.add_parser(name, **kwargs)
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="on an internal error, print the traceback")
    return parser


# -- reading options ------------------------------------------------------------------------------
#: the longest duration the command line reads: a hundred years, as in policy files
MAX_DURATION = dt.timedelta(seconds=_durations.MAX_SECONDS)


def parse_duration(text: str) -> dt.timedelta:
    """Read ``4h``, ``30m``, ``2h30m``, ``1d`` (24 hours), ``90s``, ``1.5h`` or ISO ``PT4H``,
    with the parser policy files use (ASCII digits, at most a hundred years).

    A day is 24 hours of *covered* time, not a calendar day: on a 5x8 calendar ``1d`` is three
    business days. Use ``--target bd:N`` for "N business days".

    >>> parse_duration("2h30m")
    datetime.timedelta(seconds=9000)
    >>> parse_duration("PT4H") == parse_duration("4h") == dt.timedelta(hours=4)
    True
    >>> parse_duration("99999999999999h")
    Traceback (most recent call last):
    ...
    slacalc.errors.DurationError: --duration: '99999999999999h' is longer than a hundred years
    """
    return _durations.parse_duration(text, where="--duration")


def parse_start(text: str, zone: dt.tzinfo | None, option: str = "--start") -> dt.datetime:
    """Read an ISO 8601 instant; without a UTC offset it is wall time in ``zone``.

    A wall time that occurs twice (a fall-back hour) is read as the first of the two; one that
    does not exist (a spring-forward gap) with the offset in force before the change, so
    02:30 on a New York spring-forward day is 03:30 EDT.

    >>> parse_start("2026-09-30T15:01+08:00", None).isoformat()
    '2026-09-30T15:01:00+08:00'
    >>> parse_start("2026-09-30 15:01", None)
    Traceback (most recent call last):
    ...
    slacalc.errors.NaiveDatetimeError: --start '2026-09-30 15:01' has no UTC offset and no zone was given; write it with an offset (2026-09-30T15:01+08:00) or pass --tz ZONE or --country CODE to read it as local time there
    """
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise sla.SlaValueError(
            f"{option} {echo(text)} is not an ISO 8601 date-time; write e.g. 2026-09-30T15:01+08:00"
        ) from None
    if value.utcoffset() is None:
        if zone is None:
            raise sla.NaiveDatetimeError(
                f"{option} {echo(text)} has no UTC offset and no zone was given; write it with an "
                "offset (2026-09-30T15:01+08:00) or pass --tz ZONE or --country CODE to read it "
                "as local time there"
            )
        value = value.replace(tzinfo=zone)
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        raise sla.OutOfRangeError(
            f"{option} {echo(text)} is outside the years slacalc can compute (1900-2199)"
        ) from None
    return value


def parse_now(text: str | None) -> dt.datetime | None:
    """``--now``: an ISO 8601 instant with a UTC offset, or ``now`` for the system clock."""
    if text is None:
        return None
    if text.strip().lower() == "now":
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise sla.SlaValueError(
            f"--now {echo(text)} is not an ISO 8601 date-time; write e.g. 2026-10-09T12:00+08:00"
        ) from None
    if value.utcoffset() is None:
        raise sla.NaiveDatetimeError(
            f"--now {echo(text)} has no UTC offset; write it with one, e.g. 2026-10-09T12:00+08:00"
        )
    return parse_start(text, None, "--now")


def parse_time_of_day(text: str, option: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise sla.SlaValueError(
            f"{option} {echo(text)} is not a time of day; write HH:MM, e.g. 15:00"
        ) from None


_ASCII_INT = re.compile(r"[+-]?[0-9]{1,30}")


def ascii_int(text: str, what: str) -> int:
    """An integer written in ASCII digits (at most 30 of them)."""
    if not _ASCII_INT.fullmatch(text.strip()):
        raise sla.SlaValueError(f"{what} {echo(text)} is not a whole number in ASCII digits")
    return int(text)


def country_code(text: str | None) -> str | None:
    """A country code as the holidays data spells it: ``cn`` is read as ``CN``."""
    return None if text is None else text.strip().upper()


# -- policies -------------------------------------------------------------------------------------
_BUILTIN = "builtin:"


def templates_module() -> ModuleType | None:
    """``slacalc.templates``, or ``None`` if this installation does not have it."""
    try:
        return importlib.import_module("slacalc.templates")
    except ModuleNotFoundError as exc:
        if exc.name != "slacalc.templates":
            raise
        return None


def _load_builtin(name: str) -> sla.Policy:
    templates = templates_module()
    if templates is None:
        raise sla.SlaValueError(
            f"{_BUILTIN}{name}: this installation has no built-in templates (slacalc.templates "
            "is missing); give a policy file instead"
        )
    names = [str(n) for n in templates.names()]
    if name not in names:
        raise sla.SlaValueError(
            f"{_BUILTIN}{echo(name)[1:-1]} is not a built-in template; the templates are "
            + (", ".join(names) or "none")
        )
    policy: sla.Policy = templates.load(name)
    return policy


class PolicyFileError(sla.SlaValueError):
    """A policy file that cannot be read or parsed at all (as opposed to one with problems)."""


def _no_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise ValueError(f"the key {echo(twice[0])} appears twice in one object")
    return dict(pairs)


def problem_lines(ref: str, exc: sla.PolicyError) -> list[str]:
    """Each problem of an invalid policy as one printable line that names the policy ``ref``."""
    return [printable(p if p.startswith(f"{ref}:") else f"{ref}: {p}") for p in exc.problems]


def load_policy(ref: str) -> sla.Policy:
    """The policy ``ref`` names: ``builtin:NAME``, a ``.json`` file, or else a TOML file.

    A file that cannot be read or parsed is a ``PolicyFileError`` (a
    :class:`~slacalc.SlaValueError`); a file that is not a valid policy is a
    :class:`~slacalc.PolicyError` listing every problem.

    >>> load_policy("builtin:")
    Traceback (most recent call last):
    ...
    slacalc.errors.SlaValueError: builtin: needs a template name, e.g. builtin:standard-contract
    """
    if ref.startswith(_BUILTIN):
        name = ref[len(_BUILTIN):].strip()
        if not name:
            raise sla.SlaValueError(
                f"{_BUILTIN} needs a template name, e.g. {_BUILTIN}standard-contract"
            )
        return _load_builtin(name)
    if "\x00" in ref:  # the operating system refuses such a name before looking
        raise PolicyFileError(
            f"cannot read policy file {echo(ref)}: a file name cannot contain a NUL character")
    path = pathlib.Path(ref)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PolicyFileError(
            f"cannot read policy file {echo(ref)}: {exc.strerror or exc}"
        ) from None
    except UnicodeDecodeError:
        raise PolicyFileError(f"policy file {echo(ref)} is not UTF-8 text") from None
    kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
    try:
        data = (json.loads(text, object_pairs_hook=_no_twice) if kind == "JSON"
                else tomllib.loads(text))
    except RecursionError:
        raise PolicyFileError(f"policy file {echo(ref)} is nested too deeply") from None
    except ValueError as exc:  # TOMLDecodeError and JSONDecodeError are ValueErrors
        raise PolicyFileError(
            f"policy file {echo(ref)} is not valid {kind}: {' '.join(str(exc).split())}"
        ) from None
    if kind == "TOML":
        return sla.Policy.from_toml_text(text, source=ref)
    if not isinstance(data, dict):
        raise PolicyFileError(f"policy file {echo(ref)} holds {type(data).__name__}, not a JSON "
                              "object")
    return sla.Policy.from_dict(data)


# -- warnings -------------------------------------------------------------------------------------
@contextmanager
def warnings_to(stream: TextIO) -> Iterator[None]:
    """Report each distinct warning once as ``slacalc: warning: ...`` on ``stream``.

    Warnings are written as they happen and forgotten, so a stream of a million cases that all
    warn costs one line and no memory.
    """
    seen: set[object] = set()

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        text = str(message)
        # one horizon warning says it all; other warnings once per distinct text
        key = category if issubclass(category, sla.HorizonWarning) else text
        if key not in seen:
            seen.add(key)
            stream.write(f"{PROG}: warning: {printable(text)}\n")

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield
