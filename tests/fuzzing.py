"""Shared pieces of the fuzz suite: wild values, the settings every fuzz test runs under, and
the guard that says what may escape a call.

Whatever a caller passes, a public call either returns or raises a :class:`slacalc.SlaError`
subclass; the only warnings it may emit are :class:`slacalc.SlaWarning` subclasses (the data
horizon). Anything else (``TypeError``, ``OverflowError``, ``RecursionError``, ...) is a bug.

In CI the fuzz tests run a fixed, derandomized set of examples; ``SLACALC_FUZZ_EXAMPLES``
raises the count per test for a long run (``SLACALC_FUZZ_EXAMPLES=20000``).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import warnings
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import slacalc as sla

#: examples per fuzz test: small and fixed in CI, raised by the environment for a long run
EXAMPLES = int(os.environ.get("SLACALC_FUZZ_EXAMPLES", "60"))
#: the most one example may take (generous: CI machines are shared and slow)
DEADLINE = dt.timedelta(seconds=float(os.environ.get("SLACALC_FUZZ_DEADLINE", "20")))
FUZZ = settings(max_examples=EXAMPLES, deadline=DEADLINE, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

TZ_EAST = dt.timezone(dt.timedelta(hours=14))
TZ_WEST = dt.timezone(dt.timedelta(hours=-14))
CST = dt.timezone(dt.timedelta(hours=8))
BIDI = "\u202e\u2066\u200f"
UNICODE_DIGITS = "٣۴५৬௭"  # Arabic-Indic, Persian, Devanagari, Bengali, Tamil digits


def deep_list(depth: int) -> Any:
    out: Any = []
    for _ in range(depth):
        out = [out]
    return out


def deep_dict(depth: int) -> Any:
    out: Any = {}
    for _ in range(depth):
        out = {"a": out}
    return out


HUGE = 10**5000
#: values that broke, or could break, a parser or an arithmetic path
SPECIAL = [
    None, True, False, 0, -1, 1, 2**63, -(2**63), HUGE, -HUGE, math.nan, math.inf, -math.inf,
    0.5, 1e308, "", " ", "\x00", "5x8", "7x24", "5x8xNBD", "7x24x4", "4h", "PT4H", "-4h", "1d",
    "15:00", "24:00", "25:00", "09:00-17:00", "00:00-24:00", "monkey", "nan", "inf",
    "٣h", "5x٣", "bd:٣", "۲۰۲۶", "P99999999999W", "99999999999999h",
    "100000000000000000000.5h", "5" * 5000 + "x8", "5x8x" + "9" * 5000, "9" * 5000,
    "x" * 100_000, BIDI + "5x8", "5x8" + BIDI, "CN", "cn", "US", "XX", "Asia/Shanghai",
    "Nowhere/City", "UTC", "A", "gold", "2026-09-30T15:01+08:00", "2026-13-01T00:00+08:00",
    "0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00", "2026-09-30",
    dt.datetime(1, 1, 1, tzinfo=TZ_EAST), dt.datetime(9999, 12, 31, 23, 59, tzinfo=TZ_WEST),
    dt.datetime(2026, 9, 30, 15, 1), dt.datetime(2026, 9, 30, 15, 1, tzinfo=CST),
    dt.datetime(1995, 3, 1, 10, tzinfo=CST), dt.datetime(2199, 12, 31, 23, tzinfo=CST),
    dt.date(2026, 10, 1), dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.time(15),
    dt.timedelta(0), dt.timedelta(hours=4), dt.timedelta(-1), dt.timedelta.max,
    [], {}, [1, 2], {"a": 1}, deep_list(5000), deep_dict(5000), [True, False], [HUGE],
    list(range(100_000)), b"5x8", object(),
]

class Special:
    """A stand-in for ``SPECIAL[index]`` inside generated data: hypothesis prints its examples
    with ``repr``, which a 5,000-digit int or a 5,000-deep list does not survive."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"SPECIAL[{self.index}]"


def resolve(value: Any) -> Any:
    """``value`` with every :class:`Special` replaced by the value it stands for."""
    if isinstance(value, Special):
        return SPECIAL[value.index]
    if isinstance(value, list):
        return [resolve(v) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v) for k, v in value.items()}
    return value


SPECIALS = st.builds(Special, st.integers(0, len(SPECIAL) - 1))
AWARE = st.datetimes(min_value=dt.datetime(1899, 1, 1), max_value=dt.datetime(2201, 1, 1),
                     timezones=st.sampled_from([CST, dt.UTC, TZ_EAST, TZ_WEST]))
PLAUSIBLE = st.one_of(
    AWARE, st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=4000)),
    st.dates(), st.integers(-10**12, 10**12), st.lists(st.integers(0, 8_000_000_000), max_size=5),
    st.lists(AWARE, max_size=3), st.times(),
)
SCALARS = st.one_of(
    SPECIALS, st.none(), st.booleans(), st.integers(),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.text(alphabet=UNICODE_DIGITS + BIDI + "0123456789:-hxX*PTDHMSW. ", max_size=12),
)
#: anything at all, from the plausible to the absurd
WILD = st.recursive(
    SCALARS | PLAUSIBLE,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=6,
)


def guarded(fn: Callable[..., object], *args: Any) -> object:
    """Call ``fn(*args)``; a :class:`slacalc.SlaError` is a fine answer, any other exception or a
    warning that is not a :class:`slacalc.SlaWarning` fails the test (with the culprit)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fn(*args)
        except sla.SlaError as exc:
            assert str(exc), "an error without a message"
            assert len(str(exc)) < 20_000, f"a {len(str(exc)):,}-character message"
            result = exc
    bad = [f"{w.category.__name__}: {w.message}" for w in caught
           if not issubclass(w.category, sla.SlaWarning)]
    assert not bad, bad
    return result
