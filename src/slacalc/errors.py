"""Exceptions and warnings raised by slacalc.

Every exception subclasses :class:`SlaError`; the ones caused by a bad value also subclass
:class:`ValueError` (through :class:`SlaValueError`), so ``except ValueError`` keeps working for
callers that do not know slacalc. Messages name the parameter, the offending value, why it is
wrong and, where there is one, what to do instead.

>>> import slacalc as sla
>>> issubclass(sla.CoverageError, ValueError) and issubclass(sla.CoverageError, sla.SlaError)
True
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CoverageError",
    "DurationError",
    "HorizonError",
    "HorizonWarning",
    "MissingDependencyError",
    "NaiveDatetimeError",
    "OutOfRangeError",
    "SlaError",
    "SlaValueError",
    "SlaWarning",
    "UnknownCountryError",
    "UnknownTimezoneError",
]


class SlaError(Exception):
    """Base class of every error slacalc raises."""


class SlaValueError(SlaError, ValueError):
    """A value passed to slacalc is wrong; the message names it."""


class CoverageError(SlaValueError):
    """A coverage spec (``"5x8"``), a window list (``"09:00-17:00"``) or a day rule is malformed."""


class NaiveDatetimeError(SlaValueError):
    """A datetime without a time zone was passed where an instant is required."""


class UnknownCountryError(SlaValueError):
    """The country or subdivision code is not known to the ``holidays`` package."""


class UnknownTimezoneError(SlaValueError):
    """The time zone is not an IANA zone, or a country has several zones and none was chosen."""


class DurationError(SlaValueError):
    """A duration is negative, not a duration at all, or too large to ever be reached."""


class OutOfRangeError(SlaValueError):
    """An instant or a date lies outside the years slacalc can compute (1900-2199)."""


class HorizonError(SlaValueError):
    """A computation needs days past the last year the holiday data vouches for (``strict=True``)."""


class MissingDependencyError(SlaError, ImportError):
    """An optional package that a call needs (matplotlib, pyarrow, ...) is not installed; the
    message names the extra to install."""


def optional_module(name: str, extra: str | None = None) -> Any:
    """The optional package (or module) ``name``, imported; a :class:`MissingDependencyError`
    naming what to install when it is missing: ``slacalc[extra]`` if given, else the package.
    """
    from importlib import import_module  # noqa: PLC0415 - errors stays free of imports at load

    try:
        return import_module(name)
    except ImportError:
        package = name.split(".", maxsplit=1)[0]
        install = f"'slacalc[{extra}]'" if extra else package
        raise MissingDependencyError(
            f"this needs the optional package {package!r}, which is not installed; install it "
            f"with: pip install {install}") from None


class SlaWarning(UserWarning):
    """Base class of every warning slacalc emits."""


class HorizonWarning(SlaWarning):
    """A computation used days past the last year the holiday data vouches for.

    Past that year the ``holidays`` package only projects fixed and lunar dates, without the
    officially published bridge days and weekend make-up workdays, so results may be wrong.
    Pass ``strict=True`` to a calendar to turn this warning into :class:`HorizonError`.
    """


#: the most characters of a bad value that an error message repeats
ECHO_LIMIT = 80


def echo(value: Any, limit: int = ECHO_LIMIT) -> str:
    """``repr(value)`` for an error message, cut to about ``limit`` characters.

    A message must name the bad value, but repeating a 5-million-element list or a 20 KB string
    helps nobody: long reprs keep their start and end and say how long they were.

    >>> echo("5x8")
    "'5x8'"
    >>> echo(10 ** 5000)
    '<an int of about 5,001 digits>'
    >>> echo("9" * 5000)
    "'9999999999999999999999999999999999...9999999999999999999999999999999999' (5,002 characters)"
    """
    if isinstance(value, int) and value.bit_length() > 256:  # repr would be long, or refused
        digits = int(value.bit_length() * 0.30103) + 1
        return f"<an int of about {digits:,} digits>"
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__} object>"
    if len(text) <= limit:
        return text
    half = max((limit - 10) // 2, 1)
    return f"{text[:half]}...{text[-half:]} ({len(text):,} characters)"
