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

__all__ = [
    "CoverageError",
    "DurationError",
    "HorizonError",
    "HorizonWarning",
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


class SlaWarning(UserWarning):
    """Base class of every warning slacalc emits."""


class HorizonWarning(SlaWarning):
    """A computation used days past the last year the holiday data vouches for.

    Past that year the ``holidays`` package only projects fixed and lunar dates, without the
    officially published bridge days and weekend make-up workdays, so results may be wrong.
    Pass ``strict=True`` to a calendar to turn this warning into :class:`HorizonError`.
    """
