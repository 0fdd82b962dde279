"""Hypothesis strategies and ready-made invariants for testing calendars and policies.

Requires hypothesis: install it with ``pip install "slacalc[hypothesis]"``. Every strategy and
check in this module needs it; the policy lint (:mod:`slacalc.lint`) does not.

Strategies generate only valid inputs and shrink to small, readable values: calendars
(:func:`calendars`), instants inside the years the holiday data vouches for (:func:`instants`),
durations and targets, whole policies (:func:`policies`) and, for your own policy, cases that
fit it (:func:`cases`): its severities, tiers, zones, pause reasons, the events its targets
start from, and achievements, pauses and severity changes in a plausible order.

:func:`check_policy` runs the ready-made invariants (:data:`INVARIANTS`) against a policy inside
a plain pytest test:

>>> import slacalc as sla
>>> from slacalc import testing
>>> testing.check_policy(sla.templates.load("helpdesk"), max_examples=5)
>>> [inv.name for inv in testing.INVARIANTS][:3]
['deadline-after-start', 'pause-never-earlier', 'pause-outside-coverage']
"""

from __future__ import annotations

try:
    import hypothesis
    from hypothesis import strategies as st
except ModuleNotFoundError as _missing:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        'slacalc.testing requires hypothesis, which is not installed; install it with '
        'pip install "slacalc[hypothesis]"'
    ) from _missing

import datetime as dt
import functools
import json
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, overload
from zoneinfo import ZoneInfo

import attrs

import slacalc as sla
from slacalc.errors import SlaValueError, echo

__all__ = [
    "CALENDAR_SPECS",
    "DST_ZONES",
    "EVENTS",
    "INVARIANTS",
    "REASONS",
    "SEVERITY_IDS",
    "SITE_ZONES",
    "TIER_IDS",
    "ZONES",
    "Invariant",
    "PolicyCheckError",
    "Violation",
    "calendars",
    "case_row",
    "cases",
    "check_policy",
    "dst_calendars",
    "duration_texts",
    "durations",
    "find_violations",
    "holiday_sets",
    "hours",
    "input_zones",
    "instants",
    "invariant",
    "nows",
    "offsets",
    "pauses",
    "policies",
    "policies_and_cases",
    "policy_dicts",
    "targets",
    "transitions",
    "windows",
    "zones",
]

UTC = dt.UTC
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = dt.timedelta(microseconds=1)

#: Zones with daylight-saving time: US/EU rules, a 30-minute change (Lord Howe) and changes at
#: midnight (Santiago).
DST_ZONES = ("America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago")
#: Zones the calendar strategies pick from: the DST zones, zones without DST, a 5:45 offset.
ZONES = (*DST_ZONES, "Asia/Shanghai", "UTC", "Asia/Kathmandu")
_INPUT_ZONES: tuple[dt.tzinfo, ...] = (
    *(ZoneInfo(z) for z in ZONES),
    UTC,
    dt.timezone(dt.timedelta(hours=-3, minutes=-30)),
    dt.timezone(dt.timedelta(hours=13)),
)
#: The first year the strategies use when nothing else is said.
_FIRST_YEAR = 2024
#: The last year used by calendars that have no holiday data (so no horizon of their own).
_LAST_YEAR = 2026


# -- zones ------------------------------------------------------------------------------------
def zones(*, dst: bool | None = None) -> st.SearchStrategy[str]:
    """IANA zone names (requires hypothesis): with DST (``dst=True``), without, or either.

    >>> from hypothesis import find
    >>> find(zones(dst=True), lambda zone: True)  # the simplest one
    'America/New_York'
    """
    if dst is None:
        return st.sampled_from(ZONES)
    return st.sampled_from(DST_ZONES if dst else tuple(z for z in ZONES if z not in DST_ZONES))


def input_zones() -> st.SearchStrategy[dt.tzinfo]:
    """Time zones an input instant may be written in (requires hypothesis): IANA zones with and
    without DST, UTC, and fixed offsets such as -03:30 and +13:00."""
    return st.sampled_from(_INPUT_ZONES)


# -- windows and hours ------------------------------------------------------------------------
#: Hand-picked window sets: office hours, windows in DST-change hours, windows touching midnight.
_SPECIAL_WINDOWS = (
    "09:00-17:00",
    "09:00-12:00,13:30-18:00",
    "00:00-24:00",
    "01:00-03:00",
    "02:30-04:00",
    "01:30-02:30",
    "00:00-01:30,22:30-24:00",
    "23:00-24:00",
    "00:00-00:30",
    "01:00-02:00,02:00-03:00",
)
#: Windows whose edges fall in or next to the hours DST changes happen in.
_DST_WINDOWS = (
    "01:00-03:00",
    "02:30-04:00",
    "01:30-02:30",
    "00:30-01:30",
    "01:45-02:15",
    "02:00-02:30",
    "01:00-02:00,02:00-03:00",
    "00:00-01:30,22:30-24:00",
    "23:30-24:00",
    "00:00-00:30",
    "00:00-24:00",
)
_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def _random_windows(draw: st.DrawFn) -> str:
    step = draw(st.sampled_from([60, 30, 1]))
    k = draw(st.integers(1, 3))
    grid = st.integers(0, 1440 // step).map(lambda x: x * step)
    points = sorted(draw(st.sets(grid, min_size=2 * k, max_size=2 * k)))
    spans = [(points[2 * i], points[2 * i + 1]) for i in range(k)]
    for i in range(1, k):  # sometimes neighbours touch: one window ends where the next starts
        if draw(st.booleans()) and draw(st.booleans()):
            spans[i] = (spans[i - 1][1], spans[i][1])
    return ",".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in spans)


def windows() -> st.SearchStrategy[str]:
    """Daily window lists as a calendar's ``hours`` takes them (requires hypothesis):
    ``"09:00-17:00"``, ``"09:00-12:00,13:30-18:00"``, windows in DST-change hours, windows
    touching midnight or each other, and random ones on a 1-, 30- or 60-minute grid."""
    return st.one_of(st.sampled_from(_SPECIAL_WINDOWS), _random_windows())


@st.composite
def _per_weekday(draw: st.DrawFn, business: bool) -> dict[str, str]:
    listed = draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True))
    if business and not any(wd < 5 for wd in listed):
        listed.append(draw(st.integers(0, 4)))
    out = {_WEEKDAY_NAMES[wd]: draw(windows()) for wd in sorted(listed)}
    if draw(st.booleans()):
        out["makeup"] = draw(windows())
    return out


def hours(*, per_weekday: bool | None = None) -> st.SearchStrategy[str | dict[str, str]]:
    """A calendar's ``hours`` (requires hypothesis): one window list for every day, or (with
    ``per_weekday`` true, or sometimes when it is ``None``) a mapping of weekday names, and
    possibly ``"makeup"``, to window lists."""
    one: st.SearchStrategy[str | dict[str, str]] = windows()
    many: st.SearchStrategy[str | dict[str, str]] = _per_weekday(True)
    if per_weekday is None:
        return st.one_of(one, one, one, many)
    return many if per_weekday else one


# -- holiday overlays ---------------------------------------------------------------------------
@st.composite
def holiday_sets(
    draw: st.DrawFn, first: dt.date = dt.date(_FIRST_YEAR - 1, 12, 1),
    last: dt.date = dt.date(_LAST_YEAR + 1, 1, 31),
) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """``(extra_holidays, extra_workdays)`` in ``[first, last]`` (requires hypothesis):
    disjoint sets, closures mostly on weekdays and extra workdays mostly on weekends, sometimes
    a long closure (a run of consecutive days)."""
    any_day = st.dates(min_value=first, max_value=last)
    closed = set(draw(st.sets(st.one_of(any_day.filter(lambda d: d.weekday() < 5), any_day),
                              max_size=12)))
    if draw(st.booleans()):
        start = draw(any_day)
        closed.update(start + dt.timedelta(days=i) for i in range(draw(st.integers(1, 20))))
    opened = set(draw(st.sets(st.one_of(any_day.filter(lambda d: d.weekday() >= 5), any_day),
                              max_size=8)))
    return frozenset(closed), frozenset(opened - closed)


# -- calendars --------------------------------------------------------------------------------
@st.composite
def calendars(
    draw: st.DrawFn, *, zone: st.SearchStrategy[str] | None = None,
    countries: Sequence[str | None] = (None,), days: Sequence[str] = ("business", "business", "all"),
    overlays: bool = True,
) -> sla.Calendar:
    """:class:`~slacalc.Calendar` values (requires hypothesis): a zone (with or without DST), a
    day rule, random windows (sometimes per weekday, with make-up windows), and extra holidays
    and workdays.

    ``countries`` lists the holiday data to pick from (``None``: no country, only the extra
    days; ``"CN"`` brings statutory holidays and make-up workdays, in ``Asia/Shanghai``).

    >>> from hypothesis import find
    >>> find(calendars(countries=["CN"], overlays=False), lambda cal: True)
    Calendar.from_coverage('5x8', country='CN')
    """
    country = draw(st.sampled_from(list(countries)))
    rule = draw(st.sampled_from(list(days)))
    closed: frozenset[dt.date] = frozenset()
    opened: frozenset[dt.date] = frozenset()
    if overlays:
        closed, opened = draw(holiday_sets())
    text = draw(hours()) if rule == "business" else draw(
        st.one_of(windows(), windows(), _per_weekday(False)))
    if country is None:
        tz: str | None = draw(zone if zone is not None else zones())
    else:
        tz = None if country == "CN" else draw(zone if zone is not None else zones())
    return sla.Calendar(tz=tz, country=country, days=rule, hours=text,
                        extra_holidays=closed, extra_workdays=opened)


@st.composite
def dst_calendars(draw: st.DrawFn) -> sla.Calendar:
    """Calendars in DST zones whose windows lie in the hours the clocks change (requires
    hypothesis); business-day calendars get the change days as extra workdays, so their
    windows count (the changes fall on weekends)."""
    zone = draw(st.sampled_from(DST_ZONES))
    rule = draw(st.sampled_from(["all", "all", "business"]))
    opened: frozenset[dt.date] = frozenset()
    if rule == "business":
        tz = ZoneInfo(zone)
        opened = frozenset((_EPOCH + dt.timedelta(seconds=u + k * 3600)).astimezone(tz).date()
                           for u in transitions(zone) for k in (-1, 1))
    return sla.Calendar(tz=zone, days=rule, hours=draw(st.sampled_from(_DST_WINDOWS)),
                        extra_workdays=opened)


# -- instants ---------------------------------------------------------------------------------
def _offset(zone: dt.tzinfo, u: int) -> dt.timedelta | None:
    return (_EPOCH + dt.timedelta(seconds=u)).astimezone(zone).utcoffset()


@functools.cache
def transitions(zone_key: str, first: int = _FIRST_YEAR, last: int = _LAST_YEAR + 1
                ) -> tuple[int, ...]:
    """POSIX seconds of every UTC-offset change of the zone in the years ``[first, last]``
    (requires hypothesis only to import this module)."""
    zone = ZoneInfo(zone_key)
    u = int(dt.datetime(first, 1, 1, tzinfo=UTC).timestamp())
    end = int(dt.datetime(last + 1, 1, 1, tzinfo=UTC).timestamp())
    found = []
    while u < end:
        nxt = u + 6 * 3600
        if _offset(zone, u) != _offset(zone, nxt):
            lo, hi = u, nxt
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(zone, mid) == _offset(zone, lo):
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
        u = nxt
    return tuple(found)


def _express(u_us: int, tz: dt.tzinfo) -> dt.datetime:
    return (_EPOCH + dt.timedelta(microseconds=u_us)).astimezone(tz)


def _us(t: dt.datetime) -> int:
    delta = t - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _year_start_us(year: int, tz: dt.tzinfo) -> int:
    local = dt.datetime(year, 1, 1, tzinfo=tz)
    return _us(local.astimezone(UTC))


def _horizon(calendar: sla.Calendar | None) -> int:
    if calendar is None or calendar.verified_through is None:
        return _LAST_YEAR
    return calendar.verified_through


@st.composite
def instants(
    draw: st.DrawFn, calendar: sla.Calendar | None = None, *, past_horizon: bool = False,
    first_year: int | None = None, zone: st.SearchStrategy[dt.tzinfo] | None = None,
) -> dt.datetime:
    """Aware datetimes inside the years a calendar's holiday data vouches for (requires
    hypothesis), so that computing with them raises no :class:`~slacalc.HorizonWarning`
    (which a test suite run with warnings as errors turns into failures).

    The range is from January 1 of ``first_year`` (default: two years before the last verified
    one) to the end of the calendar's ``verified_through`` year, in its zone; without holiday
    data it ends with 2026. Instants are uniform, near DST changes, on a local minute or
    half-hour grid (to hit window edges exactly), or at the horizon's edge; they are written in
    assorted zones (``zone`` chooses). With ``past_horizon=True`` they may also lie up to two
    years past the verified range, where a calendar with holiday data warns.

    >>> from hypothesis import find
    >>> cal = sla.Calendar.from_coverage("5x8", country="CN")
    >>> t = find(instants(cal), lambda t: t.astimezone(cal.tz).year == cal.verified_through)
    >>> cal.verified_from <= t.astimezone(cal.tz).year == cal.verified_through  # never past it
    True
    """
    last_year = _horizon(calendar)
    first = first_year if first_year is not None else last_year - 2
    tz = calendar.tz if calendar is not None else UTC
    lo = _year_start_us(first, tz)
    hi = _year_start_us(last_year + 1, tz) - 1  # the last verified microsecond
    if past_horizon:
        hi = _year_start_us(last_year + 3, tz) - 1
    kind = draw(st.integers(0, 4))
    if kind == 0:
        u = draw(st.integers(lo // 1_000_000, hi // 1_000_000)) * 1_000_000 + draw(
            st.sampled_from([0, 0, 0, 1, 999_999]) | st.integers(0, 999_999))
    elif kind == 1:
        pool = [t for z in DST_ZONES for t in transitions(z, first, last_year)]
        base = draw(st.sampled_from(sorted(pool)))
        u = (base + draw(st.integers(-36, 36)) * 1800
             + draw(st.sampled_from([0, 0, -1, 1, 60, 900]))) * 1_000_000
    elif kind in (2, 3):
        local_tz = tz if kind == 2 else draw(st.sampled_from(_INPUT_ZONES))
        day = draw(st.dates(dt.date(first, 1, 1), dt.date(last_year, 12, 31)))
        minute = draw(st.integers(0, 47)) * 30 if kind == 2 else draw(st.integers(0, 1439))
        naive = dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=minute)
        u = _us(naive.replace(tzinfo=local_tz, fold=draw(st.integers(0, 1))).astimezone(UTC))
    else:  # the edge of the verified range (and, when allowed, just past it)
        edge = _year_start_us(last_year + 1, tz)
        steps = [-1, -1_000_000, -60_000_000, -86_400_000_000]
        if past_horizon:
            steps += [0, 1, 86_400_000_000]
        u = edge + draw(st.sampled_from(steps))
        hypothesis.event("instant at the edge of the verified range")
    u = min(max(u, lo), hi)
    return _express(u, draw(zone if zone is not None else st.sampled_from(_INPUT_ZONES)))


# -- durations --------------------------------------------------------------------------------
def durations(*, max_days: int = 21, zero: bool = True) -> st.SearchStrategy[dt.timedelta]:
    """Non-negative timedeltas up to ``max_days`` (requires hypothesis): whole hours, minutes,
    seconds, microseconds, and hand-picked ones (1 µs, 30 min, 4 h 17 s, 8 h, 1 day); zero
    unless ``zero=False``."""
    picks = [dt.timedelta(microseconds=1), dt.timedelta(seconds=1), dt.timedelta(minutes=30),
             dt.timedelta(hours=4, seconds=17), dt.timedelta(hours=8), dt.timedelta(days=1)]
    out = st.one_of(
        st.integers(1, 24 * max_days).map(lambda h: dt.timedelta(hours=h)),
        st.integers(1, 60 * 24 * max_days).map(lambda m: dt.timedelta(minutes=m)),
        st.integers(1, 86_400 * max_days).map(lambda s: dt.timedelta(seconds=s)),
        st.integers(1, 86_400 * max_days * 1_000_000).map(lambda us: dt.timedelta(microseconds=us)),
        st.sampled_from(picks),
    )
    return st.one_of(st.just(dt.timedelta(0)), out) if zero else out


def _write_duration(seconds: int, style: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if style == 0 or (s and style != 3):
        return f"{seconds}s"
    if style == 1:
        return f"{h * 60 + m}m"
    if style == 2:
        return (f"{h}h" if h else "") + (f"{m}m" if m or not h else "")
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s else "")


@st.composite
def duration_texts(draw: st.DrawFn, *, max_minutes: int = 40 * 60) -> str:
    """A positive duration as a policy file writes it (requires hypothesis): ``"90s"``,
    ``"45m"``, ``"2h30m"``, ``"PT4H"``, ``"1d"`` or ``"1.5h"``."""
    special = draw(st.sampled_from(("", "", "", "", "1d", "1.5h", "0.5h")))
    if special:
        return special
    seconds = draw(st.integers(1, max_minutes)) * 60 + draw(st.sampled_from((0, 0, 0, 30)))
    return _write_duration(seconds, draw(st.integers(0, 3)))


_TIMES = st.builds(dt.time, st.integers(0, 23), st.sampled_from([0, 0, 30, 1, 59]))


@st.composite
def targets(draw: st.DrawFn, calendar: sla.Calendar | st.SearchStrategy[sla.Calendar] | None = None
            ) -> sla.Target:
    """Targets of every kind (requires hypothesis): :class:`~slacalc.Within` a duration, next
    business day, next day and n-th business day with cutoffs and due times, on ``calendar``
    (a calendar, a strategy of calendars, or by default :func:`calendars`)."""
    if calendar is None:
        cal = draw(calendars())
    elif isinstance(calendar, sla.Calendar):
        cal = calendar
    else:
        cal = draw(calendar)
    kind = draw(st.sampled_from(("within", "within", "nbd", "nd", "bd")))
    if kind == "within":
        return sla.Within(duration=draw(durations(max_days=14, zero=False)), calendar=cal)
    cutoff = draw(st.one_of(st.just(dt.time(15)), _TIMES))
    by = draw(st.one_of(st.just(dt.time(17)), _TIMES))
    if kind == "nbd":
        return sla.NextBusinessDay(calendar=cal, cutoff=cutoff, by=by)
    if kind == "nd":
        return sla.NextDay(calendar=cal, by=by, cutoff=draw(st.none() | st.just(cutoff)))
    return sla.BusinessDays(n=draw(st.integers(0, 10)), calendar=cal,
                            by=draw(st.none() | st.just(by)),
                            cutoff=draw(st.none() | st.just(cutoff)))


# -- policies ---------------------------------------------------------------------------------
#: Calendar parameters :func:`policy_dicts` picks from: coverage specs and explicit windows.
CALENDAR_SPECS: tuple[dict[str, Any], ...] = (
    {"coverage": "5x8", "country": "CN"},
    {"coverage": "7x24", "tz": "Asia/Shanghai"},
    {"coverage": "5x24", "country": "US", "tz": "America/New_York"},
    {"coverage": "7x8", "country": "CN", "hours": "08:30-17:30"},
    {"coverage": "5x8", "tz": "America/New_York"},
    {"days": "business", "hours": "09:00-12:00,13:30-18:00", "country": "CN"},
    {"days": "all", "hours": "08:00-20:00", "tz": "Europe/London"},
    {"days": "business", "hours": "09:00-17:00", "country": "CN", "tz": "Asia/Shanghai",
     "extra_holidays": ["2025-06-03"], "extra_workdays": ["2025-06-07"]},
)
_CALENDAR_NAMES = ("business", "always", "extended", "office", "night")
#: Site zones the generated policies name in their conditions.
SITE_ZONES = ("city", "near_county", "far_county", "elsewhere")
#: Events a generated target's clock may start at besides ``opened``.
EVENTS = ("diagnosed", "onsite", "response")
#: Pause reasons the generated policies and cases use.
REASONS = ("customer_info", "vendor_defect", "force_majeure", "awaiting_parts", "weather")
TIER_IDS = ("standard", "gold", "platinum", "diamond")
SEVERITY_IDS = ("A", "B", "C", "D", "1", "2", "3", "4")
_CUTOFFS = ("12:00", "15:00", "15:30", "16:00:30")
_BYS = ("10:00", "12:00", "17:00", "18:00", "17:30")


@st.composite
def _whens(draw: st.DrawFn, calendars: list[str], tiers: list[str], severities: list[str],
           *, policy_level: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if draw(st.integers(0, 3)) == 0:
        names = draw(st.lists(st.sampled_from(SITE_ZONES), min_size=1, max_size=3, unique=True))
        out["zone"] = names[0] if len(names) == 1 and draw(st.booleans()) else names
    if draw(st.integers(0, 4)) == 0:
        out["tier"] = draw(st.lists(st.sampled_from(tiers or TIER_IDS), min_size=1, max_size=2,
                                    unique=True))
    if draw(st.integers(0, 3)) == 0:
        out["hours"] = draw(st.sampled_from(("in", "out")))
        out["hours_calendar"] = draw(st.sampled_from(calendars))
    if policy_level and draw(st.booleans()):
        out["severity"] = draw(st.lists(st.sampled_from(severities), min_size=1, max_size=2,
                                        unique=True))
    return out


@st.composite
def _target_dicts(draw: st.DrawFn, calendars: list[str], tiers: list[str], severities: list[str],
                  *, policy_level: bool = False, metrics: tuple[str, ...] = sla.METRICS,
                  conditions: bool = True) -> dict[str, Any]:
    kind = draw(st.sampled_from(("within", "within", "within", "next_business_day",
                                 "next_day", "business_days", "none")))
    out: dict[str, Any] = {"metric": draw(st.sampled_from(metrics))}
    if kind != "none":
        out["calendar"] = draw(st.sampled_from(calendars))
    if kind == "within":
        out["within"] = draw(duration_texts())
    elif kind == "none":
        out["none"] = True
    else:
        spec: dict[str, Any] = {}
        if kind == "business_days":
            spec["n"] = draw(st.integers(0, 10))
        if draw(st.booleans()):
            spec["cutoff"] = draw(st.sampled_from(_CUTOFFS))
        if draw(st.booleans()):
            spec["by"] = draw(st.sampled_from(_BYS))
        out[kind] = spec
    start = draw(st.sampled_from(("", "", "", "", "opened", *EVENTS)))
    if start:
        out["start"] = start
    when = (draw(_whens(calendars, tiers, severities, policy_level=policy_level))
            if conditions else {})
    if when:
        out["when"] = when
    return out


@st.composite
def _tier_dicts(draw: st.DrawFn, tier_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": tier_id}
    if draw(st.booleans()):
        out["name"] = tier_id.title()
    if draw(st.booleans()):
        out["parts"] = draw(st.sampled_from(("5x8xNBD", "7x8xND", "7x24x4", "8x5x48")))
    if draw(st.booleans()):
        out["onsite"] = draw(st.booleans())
    return out


@st.composite
def _step_dicts(draw: st.DrawFn, calendars: list[str], index: int) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f"step{index}"}
    if draw(st.booleans()):
        out["at"] = draw(st.one_of(
            st.sampled_from((0.25, 0.5, 0.75, 1.0, 1)),
            st.floats(min_value=0, max_value=1, exclude_min=True, allow_subnormal=False),
        ))
    else:
        out["offset"] = draw(st.sampled_from(("-", "+", ""))) + draw(
            duration_texts(max_minutes=6 * 60))
    if draw(st.booleans()):
        out["notify"] = draw(st.sampled_from(("engineer", "second-line expert", "vendor TAC")))
    if draw(st.booleans()):
        out["hold_until"] = draw(st.sampled_from(calendars))
    return out


_SHARES = st.one_of(
    st.sampled_from(("95%", "2%", "2.5%", "100%", "0.1%", 0.95, 1, 0.5)),
    st.floats(min_value=0, max_value=1, exclude_min=True, allow_subnormal=False),
)


@st.composite
def _measure_dicts(draw: st.DrawFn, calendars: list[str], targeted: list[str]) -> dict[str, Any]:
    kinds = ["average_satisfaction"] + (["on_time", "credits"] if targeted else [])
    kind = draw(st.sampled_from(kinds))
    out: dict[str, Any] = {"name": draw(st.sampled_from(("quota", "quality", "credits_q"))),
                           "kind": kind}
    if draw(st.booleans()):
        out["period"] = draw(st.sampled_from(("month", "quarter", "year")))
    if draw(st.booleans()):
        out["calendar"] = draw(st.sampled_from(calendars))
    if kind == "average_satisfaction":
        out["at_least"] = draw(st.one_of(st.sampled_from((4, 3.5, 1, 5)),
                                         st.floats(1, 5, allow_subnormal=False)))
        return out
    out["metric"] = draw(st.sampled_from(targeted))
    if kind == "on_time":
        out["at_least"] = draw(_SHARES)
    else:
        out["per_breach"] = draw(_SHARES)
        if draw(st.booleans()):
            out["cap"] = draw(_SHARES)
    return out


@st.composite
def policy_dicts(draw: st.DrawFn, *, min_stopping: int = 0, clock: bool = True
                 ) -> dict[str, Any]:
    """The plain data of a valid policy file, as :meth:`slacalc.Policy.from_dict` takes it
    (requires hypothesis): one to three calendars, tiers, one to four severities with targets
    of every kind and condition, policy-level targets, escalation ladders, a clock with at least
    ``min_stopping`` pause reasons that stop it, and aggregate measures."""
    names = draw(st.lists(st.sampled_from(_CALENDAR_NAMES), min_size=1, max_size=3, unique=True))
    cals = {n: dict(draw(st.sampled_from(CALENDAR_SPECS))) for n in names}
    tiers = draw(st.lists(st.sampled_from(TIER_IDS), max_size=3, unique=True))
    sev_ids = draw(st.lists(st.sampled_from(SEVERITY_IDS), min_size=1, max_size=4, unique=True))
    metrics = tuple(draw(st.lists(st.sampled_from(sla.METRICS), min_size=1, max_size=3,
                                  unique=True)))
    out: dict[str, Any] = {"name": draw(st.sampled_from(("helpdesk", "network maintenance")))}
    out["calendars"] = cals
    if bool(tiers) or draw(st.booleans()):
        out["tiers"] = [draw(_tier_dicts(t)) for t in tiers]
    severities = []
    for sid in sev_ids:
        sev: dict[str, Any] = {"id": sid}
        if draw(st.booleans()):
            sev["name"] = f"Level {sid}"
        sev["targets"] = draw(st.lists(_target_dicts(names, tiers, sev_ids, metrics=metrics),
                                       max_size=4))
        severities.append(sev)
    out["severities"] = severities
    rules = draw(st.lists(_target_dicts(names, tiers, sev_ids, policy_level=True,
                                        metrics=metrics), max_size=2))
    if draw(st.integers(0, 3)):  # often a final unconditional rule per metric
        rules += [draw(_target_dicts(names, tiers, sev_ids, metrics=(m,), conditions=False))
                  for m in metrics]
    if rules:
        out["targets"] = rules
    laddered = draw(st.lists(st.sampled_from(metrics), max_size=2, unique=True))
    if laddered:
        out["escalations"] = [
            {"metric": m, "steps": [draw(_step_dicts(names, i))
                                    for i in range(draw(st.integers(1, 4)))]}
            for m in laddered
        ]
    if clock or min_stopping:
        stopping = draw(st.lists(st.sampled_from(REASONS), min_size=min_stopping, unique=True))
        out["clock"] = {"pause_reasons": stopping}
        if draw(st.booleans()):
            out["clock"]["exclude_reasons"] = draw(st.lists(st.sampled_from(REASONS), max_size=2,
                                                            unique=True))
        if draw(st.booleans()):
            out["clock"]["severity_change"] = draw(st.sampled_from(("restart", "keep", "shorter")))
    targeted = sorted({t["metric"] for t in rules} | {
        t["metric"] for sev in severities for t in sev["targets"]})
    measures = draw(st.lists(_measure_dicts(names, targeted), max_size=3,
                             unique_by=lambda m: m["name"]))
    if measures:
        out["measures"] = measures
    return out


def policies(*, min_stopping: int = 0) -> st.SearchStrategy[sla.Policy]:
    """Valid :class:`~slacalc.Policy` values built from :func:`policy_dicts` (requires
    hypothesis), for tests of the library itself or of code that takes any policy."""
    return policy_dicts(min_stopping=min_stopping).map(sla.Policy.from_dict)


# -- cases for a policy --------------------------------------------------------------------------
@attrs.frozen
class _Facts:
    """What a policy's cases may contain, computed once per :func:`cases` call."""

    severities: tuple[str, ...]
    tiers: tuple[str, ...]
    tiers_required: bool
    zones: tuple[str, ...]
    stopping: tuple[str, ...]
    excluding: tuple[str, ...]
    # names a case may record as achieved, each with the names its clocks start from
    events: tuple[tuple[str, tuple[str, ...]], ...]
    first_us: int
    last_us: int
    makeup_days: tuple[tuple[dt.date, str], ...]
    folds: tuple[tuple[int, str], ...]


_EVENT_DAYS = 20  # an event happens at most this many days after the one it follows
_PAUSE_DAYS = 3
_PAUSE_START_DAYS = 8
_CHANGE_DAYS = 5


def _span(target: sla.Target, probes: Sequence[dt.datetime]) -> dt.timedelta:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return max(target.deadline(p) - p for p in probes)


def _facts(  # noqa: PLR0915 - one pass over the policy, kept together
    policy: sla.Policy, first_year: int | None, last: dt.datetime | None
) -> _Facts:
    cals = [spec.calendar for spec in policy.calendars]
    horizons = [c.verified_through for c in cals if c.verified_through is not None]
    last_year = min(horizons) if horizons else _LAST_YEAR
    first = first_year if first_year is not None else last_year - 2
    rules = [*policy.targets, *(r for s in policy.severities for r in s.targets)]
    # how far after opening each name can happen, and how far its deadline can reach
    probes = [dt.datetime(last_year - 1, m, d, h, tzinfo=UTC)
              for m, d in ((1, 20), (2, 6), (4, 28), (9, 26), (12, 24)) for h in (1, 9, 16)]
    spans: dict[str, dt.timedelta] = {}
    starts: dict[str, set[str]] = {}
    for rule in rules:
        starts.setdefault(rule.metric, set())
        if rule.start != "opened":
            starts[rule.metric].add(rule.start)
            starts.setdefault(rule.start, set())
        target = policy.target_of(rule)
        if target is not None:
            spans[rule.metric] = max(spans.get(rule.metric, dt.timedelta(0)), _span(target, probes))
    ladder_reach = max((s.offset for lad in policy.escalations for s in lad.steps
                        if s.offset is not None), default=dt.timedelta(0))
    reach: dict[str, dt.timedelta] = {}

    def reach_of(name: str, depth: int = 0) -> dt.timedelta:
        if name in reach:
            return reach[name]
        if depth > len(starts):  # a cycle of start events: count it once
            return dt.timedelta(days=_EVENT_DAYS)
        base = max((reach_of(s, depth + 1) for s in starts.get(name, ())),
                   default=dt.timedelta(0))
        reach[name] = base + dt.timedelta(days=_EVENT_DAYS) + spans.get(name, dt.timedelta(0))
        return reach[name]

    margin = max((reach_of(n) for n in starts), default=dt.timedelta(0)) + dt.timedelta(
        days=_PAUSE_START_DAYS + 3 * _PAUSE_DAYS + _CHANGE_DAYS + 7) + max(
        ladder_reach, dt.timedelta(0)) * 4
    lo = _year_start_us(first, UTC)
    hi = _us(dt.datetime(last_year + 1, 1, 1, tzinfo=UTC) - margin)
    if last is not None:
        hi = min(hi, _us(last.astimezone(UTC)))
    if hi <= lo:
        raise SlaValueError(
            f"policy {policy.name!r}: its targets and events reach about {margin.days} days past "
            f"a case's opening, more than the years {first}-{last_year} its holiday data vouches "
            "for leave room for; pass an earlier first_year to cases()"
        )
    # order events so that each comes after the ones its clocks start from
    order: list[str] = []

    def visit(name: str, seen: frozenset[str]) -> None:
        if name in order or name in seen:
            return
        for s in sorted(starts.get(name, ())):
            visit(s, seen | {name})
        order.append(name)

    for name in sorted(starts):
        visit(name, frozenset())
    events = tuple((n, tuple(sorted(starts.get(n, ())))) for n in order)
    makeup: list[tuple[dt.date, str]] = []
    for spec in policy.calendars:
        cal = spec.calendar
        if cal.days != "business" or cal.country is None:
            continue
        day = dt.date(first, 1, 1)
        end = min(dt.date(last_year, 12, 31),
                  (_EPOCH + dt.timedelta(microseconds=hi)).date())
        while day <= end:
            if day.weekday() >= 5 and cal.is_business_day(day):
                makeup.append((day, spec.name))
            day += dt.timedelta(days=1)
    folds = tuple(
        (u, z) for z in DST_ZONES for u in transitions(z, first, last_year)
        if lo // 1_000_000 < u < hi // 1_000_000
        and (_offset(ZoneInfo(z), u) or dt.timedelta(0)) < (
            _offset(ZoneInfo(z), u - 1) or dt.timedelta(0))
    )
    zones_named = sorted({z for r in rules if r.when.zone for z in r.when.zone})
    tiers_named = sorted({t for r in rules if r.when.tier for t in r.when.tier})
    policy_tiers = tuple(t.id for t in policy.tiers)
    reasons = policy.clock
    return _Facts(
        severities=tuple(s.id for s in policy.severities) or ("1",),
        tiers=policy_tiers or tuple(tiers_named),
        tiers_required=bool(policy_tiers),
        zones=(*zones_named, "unlisted_site"),
        stopping=tuple(sorted(reasons.pause_reasons)),
        excluding=tuple(sorted(reasons.exclude_reasons)),
        events=events,
        first_us=lo,
        last_us=hi,
        makeup_days=tuple(makeup),
        folds=folds,
    )


@functools.cache
def offsets(max_days: int = 12) -> st.SearchStrategy[dt.timedelta]:
    """Non-negative offsets of up to ``max_days`` days, in whole minutes (so that window edges
    are hit) or seconds (requires hypothesis)."""
    return st.one_of(
        st.integers(0, max_days * 24 * 60).map(lambda m: dt.timedelta(minutes=m)),
        st.integers(0, max_days * 86_400).map(lambda s: dt.timedelta(seconds=s)),
    )


_ANY_ZONE = st.sampled_from(_INPUT_ZONES)
_TENTHS = st.integers(0, 9)
_THIRDS = st.integers(0, 2)
_QUARTERS = st.integers(0, 3)
_HOURS = st.integers(0, 23)
_MINUTES = st.sampled_from((0, 30, 59))
_FOLD_SECONDS = st.integers(0, 3599)
_LAST_DAY_SECONDS = st.integers(0, 86_400)
_SECOND_17 = st.sampled_from((0, 0, 17_000_000))
_RATINGS = st.none() | st.integers(1, 5)


@st.composite
def pauses(draw: st.DrawFn, opened: dt.datetime, reasons: Sequence[str] = REASONS, *,
           open_ended: bool = True, zone: st.SearchStrategy[dt.tzinfo] | None = None
           ) -> sla.Pause:
    """A :class:`~slacalc.Pause` starting up to 8 days after ``opened`` and lasting up to 3
    days, or (with ``open_ended``, one time in ten) still going (requires hypothesis)."""
    return _pause(draw, opened.astimezone(UTC), st.sampled_from(list(reasons)), open_ended,
                  zone if zone is not None else _ANY_ZONE)


def _pause(draw: st.DrawFn, opened_utc: dt.datetime, reasons: st.SearchStrategy[str],
           open_ended: bool, zone: st.SearchStrategy[dt.tzinfo]) -> sla.Pause:
    start = opened_utc + draw(offsets(_PAUSE_START_DAYS))
    end: dt.datetime | None = None
    if not (open_ended and draw(_TENTHS) == 9):  # shrinks to a pause that ended
        end = (start + draw(offsets(_PAUSE_DAYS))).astimezone(draw(zone))
    return sla.Pause(start.astimezone(draw(zone)), end, draw(reasons))


class _CaseMaker:
    """Draws the cases of one policy; its strategies are built once."""

    def __init__(self, policy: sla.Policy, facts: _Facts, max_pauses: int, open_ended: bool,
                 changes: bool, zone: st.SearchStrategy[dt.tzinfo] | None) -> None:
        self.policy, self.facts = policy, facts
        self.open_ended, self.changes = open_ended, changes
        own = [spec.calendar.tz for spec in policy.calendars]
        self.zone = zone if zone is not None else st.sampled_from([*own, *_INPUT_ZONES])
        self.kind = st.integers(0, 5)
        self.makeup = st.sampled_from(facts.makeup_days) if facts.makeup_days else None
        self.folds = st.sampled_from(facts.folds) if facts.folds else None
        self.minute = st.integers(0, (facts.last_us - facts.first_us) // 60_000_000)
        self.reasons = st.sampled_from((*facts.stopping, *facts.excluding, "weather"))
        self.n_pauses = st.integers(0, max_pauses)
        self.severity = st.sampled_from(facts.severities)
        self.tier = st.sampled_from(facts.tiers) if facts.tiers else None
        self.excluding = st.sampled_from(facts.excluding) if facts.excluding else None
        self.site = st.sampled_from((None, *facts.zones))

    def opened(self, draw: st.DrawFn) -> dt.datetime:
        facts = self.facts
        kind = draw(self.kind)
        if kind == 1 and self.makeup is not None:
            day, name = draw(self.makeup)
            tz = self.policy.calendar(name).tz
            local = dt.datetime.combine(day, dt.time(draw(_HOURS), draw(_MINUTES)), tzinfo=tz)
            hypothesis.event("case opened on a make-up workday")
            u = _us(local.astimezone(UTC))
        elif kind == 2 and self.folds is not None:
            base, zone = draw(self.folds)
            u = (base + draw(_FOLD_SECONDS)) * 1_000_000
            if facts.first_us <= u <= facts.last_us:
                hypothesis.event("case opened in a repeated (fall-back) hour")
                return _express(u, ZoneInfo(zone))
        elif kind == 3:
            u = facts.last_us - draw(_LAST_DAY_SECONDS) * 1_000_000
            hypothesis.event("case opened at the last instant the data range allows")
        else:
            u = facts.first_us + draw(self.minute) * 60_000_000 + draw(_SECOND_17)
        u = min(max(u, facts.first_us), facts.last_us)
        return _express(u, draw(_ANY_ZONE))

    def case(self, draw: st.DrawFn) -> sla.Case:
        facts, zone = self.facts, self.zone
        opened = self.opened(draw)
        opened_utc = opened.astimezone(UTC)
        recorded: dict[str, dt.datetime] = {}
        for name, after in facts.events:
            if not draw(_THIRDS):
                continue
            bases = [recorded[s] for s in after if s in recorded]
            if after and not bases:
                continue  # its clock's start event did not happen: neither did it
            base = max([opened, *bases], key=_us).astimezone(UTC)
            recorded[name] = (base + draw(offsets(_EVENT_DAYS))).astimezone(draw(zone))
        case_pauses = [_pause(draw, opened_utc, self.reasons, self.open_ended, zone)
                       for _ in range(draw(self.n_pauses))]
        if case_pauses:
            hypothesis.event("case with a pause")
        severity_changes = []
        if self.changes and len(facts.severities) > 1:
            for _ in range(draw(_THIRDS)):
                at = (opened_utc + draw(offsets(_CHANGE_DAYS))).astimezone(draw(zone))
                severity_changes.append(sla.SeverityChange(at, draw(self.severity)))
            if severity_changes:
                hypothesis.event("case with a severity change")
        tier = draw(self.tier) if self.tier is not None else None
        if not facts.tiers_required and draw(_THIRDS) == 0:
            tier = None
        excluded = None
        if self.excluding is not None and draw(_TENTHS) == 9:
            excluded = draw(self.excluding)
        closed = satisfaction = None
        if draw(_QUARTERS) == 3:
            closed = (opened_utc + draw(offsets(_EVENT_DAYS))).astimezone(draw(zone))
            satisfaction = draw(_RATINGS)
        if any(t.fold for t in (opened, *recorded.values(), *(p.start for p in case_pauses))):
            hypothesis.event("instant written with fold=1")
        return sla.Case(
            "C-1", opened, draw(self.severity), tier=tier, zone=draw(self.site),
            achieved=recorded, pauses=case_pauses, severity_changes=severity_changes,
            excluded=excluded, closed=closed, satisfaction=satisfaction,
        )


def cases(policy: sla.Policy, *, max_pauses: int = 3, open_ended: bool = True,
          changes: bool = True, first_year: int | None = None, last: dt.datetime | None = None,
          zone: st.SearchStrategy[dt.tzinfo] | None = None) -> st.SearchStrategy[sla.Case]:
    """Cases that fit ``policy`` (requires hypothesis).

    A case has one of the policy's severities, one of its tiers (or a tier its conditions name),
    a site zone its conditions name (or none, or one they do not name), the events its targets'
    clocks start from recorded before the metrics timed from them, up to ``max_pauses`` pauses
    with the reasons the clock knows (and one it does not), some of them still open unless
    ``open_ended=False``, severity changes to the policy's levels (unless ``changes=False``),
    sometimes an exclusion, a closing time and a rating.

    Cases are opened at instants that leave room for everything that follows (events, pauses,
    the longest target) before the end of the last year every calendar's holiday data vouches
    for, so evaluating them never raises a :class:`~slacalc.HorizonWarning`; ``last`` bounds
    the opening instant further, ``first_year`` moves the start of the range (default: two
    years before the last verified one). Instants are written in the policy's zones and others
    (``zone`` chooses), sometimes in a repeated DST hour, on a make-up workday or at the end
    of the range.

    >>> import slacalc as sla
    >>> policy = sla.templates.load("helpdesk")
    >>> from hypothesis import find
    >>> case = find(cases(policy), lambda c: len(c.pauses) > 0)
    >>> case.severity in [s.id for s in policy.severities], len(case.pauses)
    (True, 1)
    """
    maker = _CaseMaker(policy, _facts(policy, first_year, last), max_pauses, open_ended, changes,
                       zone)
    return st.composite(maker.case)()


_policy_cases = cases


@st.composite
def policies_and_cases(draw: st.DrawFn, *, min_stopping: int = 0
                       ) -> tuple[sla.Policy, sla.Case]:
    """A generated policy and a case that fits it (requires hypothesis): :func:`policies`,
    then :func:`cases` of that policy."""
    policy = draw(policies(min_stopping=min_stopping))
    return policy, draw(cases(policy))


@st.composite
def nows(draw: st.DrawFn, case: sla.Case, *, none: bool = True) -> dt.datetime | None:
    """An evaluation instant up to four weeks after ``case`` was opened, or (sometimes, unless
    ``none=False``) ``None`` (requires hypothesis)."""
    if none and draw(st.integers(0, 3)) == 0:
        return None
    return (case.opened.astimezone(UTC) + draw(offsets(28))).astimezone(draw(_ANY_ZONE))


# -- case rows ---------------------------------------------------------------------------------
def case_row(case: sla.Case) -> dict[str, Any]:
    """``case`` as a row ``slacalc evaluate`` reads (a JSON object of plain values; requires
    hypothesis only to import this module).

    >>> import datetime as dt
    >>> tz = dt.timezone(dt.timedelta(hours=8))
    >>> case_row(sla.Case("T-1", dt.datetime(2026, 10, 9, 9, tzinfo=tz), "A", zone="city"))
    {'id': 'T-1', 'opened': '2026-10-09T09:00:00+08:00', 'severity': 'A', 'zone': 'city'}
    """
    row: dict[str, Any] = {"id": case.id, "opened": case.opened.isoformat(),
                           "severity": case.severity}
    for key in ("tier", "zone"):
        if getattr(case, key) is not None:
            row[key] = getattr(case, key)
    if case.achieved:
        row["achieved"] = {name: t.isoformat() for name, t in case.achieved}
    if case.pauses:
        row["pauses"] = [{"start": p.start.isoformat(),
                          "end": None if p.end is None else p.end.isoformat(),
                          "reason": p.reason} for p in case.pauses]
    if case.severity_changes:
        row["severity_changes"] = [{"at": c.at.isoformat(), "severity": c.severity}
                                   for c in case.severity_changes]
    if case.excluded is not None:
        row["excluded"] = case.excluded
    if case.closed is not None:
        row["closed"] = case.closed.isoformat()
    if case.satisfaction is not None:
        row["satisfaction"] = case.satisfaction
    row.update(case.attributes)
    return row


# -- invariants --------------------------------------------------------------------------------
@attrs.frozen
class Violation:
    """One invariant that failed, with the (shrunk) case that shows it and why (requires
    hypothesis, like everything in this module).

    ``row`` is the case as a row ``slacalc evaluate`` reads back; ``now`` the evaluation instant
    the failure needs (``None``: evaluated without one).
    """

    invariant: str
    message: str
    case: sla.Case | None = None
    now: dt.datetime | None = None

    @property
    def row(self) -> dict[str, Any] | None:
        """The counterexample case as a row (a plain dict), or ``None``."""
        return None if self.case is None else case_row(self.case)

    def __str__(self) -> str:
        lines = [f"{self.invariant}: {self.message}"]
        if self.case is not None:
            lines.append("  case: " + json.dumps(self.row, ensure_ascii=False))
            if self.now is not None:
                lines.append(f"  now:  {self.now.isoformat()}")
        return "\n".join(lines)


class PolicyCheckError(AssertionError):
    """Some invariants fail for a policy; ``violations`` holds each with its counterexample
    (requires hypothesis, like everything in this module)."""

    def __init__(self, policy_name: str, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        head = (f"policy {policy_name!r} breaks {len(self.violations)} invariant"
                + ("" if len(self.violations) == 1 else "s"))
        super().__init__(head + "\n" + "\n".join(str(v) for v in self.violations))


class _Failed(AssertionError):
    """Raised inside a hypothesis run: the invariant failed for this example."""

    def __init__(self, message: str, case: sla.Case | None, now: dt.datetime | None) -> None:
        super().__init__(message)
        self.message, self.case, self.now = message, case, now


@attrs.frozen
class _Context:
    policy: sla.Policy
    severity_order: tuple[str, ...]
    tier_order: tuple[str, ...]
    cases: st.SearchStrategy[sla.Case]
    # the case and ``now`` of the example running, to report if the engine raises
    last: dict[str, Any] = attrs.field(factory=dict, eq=False)
    # values computed once per run of an invariant
    memo: dict[str, Any] = attrs.field(factory=dict, eq=False)

    def seen(self, case: sla.Case) -> sla.Case:
        self.last["case"] = case
        return case

    def seen_now(self, now: dt.datetime | None) -> dt.datetime | None:
        self.last["now"] = now
        return now


@attrs.frozen
class Invariant:
    """A property every sound policy has, checked over generated cases by :func:`check_policy`
    (requires hypothesis).

    ``name`` is a stable id (``"pause-never-earlier"``), ``summary`` one sentence. ``applies``
    tells whether the property says anything about a given policy (a tier ordering needs two
    tiers).
    """

    name: str
    summary: str
    _check: Callable[[_Context, st.DataObject], None] = attrs.field(repr=False)
    _applies: Callable[[sla.Policy], bool] = attrs.field(repr=False, default=lambda p: True)

    def applies(self, policy: sla.Policy) -> bool:
        """Whether this property can say anything about ``policy``."""
        return self._applies(policy)


@overload
def _u(t: dt.datetime) -> dt.datetime: ...
@overload
def _u(t: None) -> None: ...
def _u(t: dt.datetime | None) -> dt.datetime | None:
    return None if t is None else t.astimezone(UTC)


def _snapshot(evaluation: sla.Evaluation) -> list[tuple[Any, ...]]:
    """Everything an evaluation says, instants in UTC."""
    return [
        (r.metric, r.status, r.target, r.note, _u(r.start), _u(r.deadline), _u(r.achieved),
         r.used, r.remaining, r.share,
         tuple((e.name, e.notify, _u(e.at), e.status) for e in r.escalations))
        for r in evaluation
    ]


_CALENDAR_IN_TEXT = re.compile(r"\(([^()]*)\)")


def _calendar_named(target_text: str) -> str | None:
    """The calendar a result's target description names: ``"within 4h (always)"``."""
    found = _CALENDAR_IN_TEXT.search(target_text)
    return None if found is None else found.group(1)


def _fmt(t: dt.datetime | None) -> str:
    return "never (an open pause stops the clock)" if t is None else t.isoformat()


def _show(value: Any) -> str:
    """A value of an evaluation as a message shows it: instants in ISO 8601."""
    if value is None:
        return "none"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return echo(value, 160)


def _first_difference(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> str:
    fields = ("metric", "status", "target", "note", "start", "deadline", "achieved", "used",
              "remaining", "share", "escalations")
    if len(a) != len(b):
        return f"{len(a)} metrics evaluated against {len(b)}"
    for row_a, row_b in zip(a, b, strict=True):
        for name, x, y in zip(fields, row_a, row_b, strict=True):
            if x != y:
                return f"{row_a[0]}: {name} {_show(x)} against {_show(y)}"
    return "no difference"  # pragma: no cover - only called on unequal snapshots


def _check_deadline_after_start(ctx: _Context, data: st.DataObject) -> None:
    case = ctx.seen(data.draw(ctx.cases, label="case"))
    now = ctx.seen_now(data.draw(nows(case), label="now"))
    for r in sla.evaluate(ctx.policy, case, now):
        if r.deadline is not None and r.start is not None and _u(r.deadline) < _u(r.start):
            raise _Failed(f"{r.metric}: deadline {r.deadline.isoformat()} is before its clock's "
                          f"start {r.start.isoformat()} ({r.target})", case, now)


def _stops(policy: sla.Policy) -> bool:
    return bool(policy.clock.pause_reasons)


def _check_pause_never_earlier(ctx: _Context, data: st.DataObject) -> None:
    case = ctx.seen(data.draw(ctx.cases, label="case"))
    reason = data.draw(st.sampled_from(sorted(ctx.policy.clock.pause_reasons)), label="reason")
    pause = data.draw(pauses(case.opened, (reason,)), label="pause")
    paused = attrs.evolve(case, pauses=(*case.pauses, pause))
    before = sla.evaluate(ctx.policy, case)
    after = sla.evaluate(ctx.policy, paused)
    for b, a in zip(before, after, strict=True):
        if b.deadline is None or a.deadline is None:
            if b.deadline is None and a.deadline is not None:
                raise _Failed(f"{b.metric}: without the pause the clock never runs out, with "
                              f"the {reason!r} pause it is due {a.deadline.isoformat()}",
                              paused, None)
            continue
        if _u(a.deadline) < _u(b.deadline):
            raise _Failed(
                f"{b.metric}: the pause {pause.start.isoformat()} .. {_fmt(pause.end)} "
                f"({reason}, which stops the clock) brings the deadline earlier: "
                f"{b.deadline.isoformat()} without it, {a.deadline.isoformat()} with it",
                paused, None)


def _check_pause_outside_coverage(ctx: _Context, data: st.DataObject) -> None:
    policy = ctx.policy
    case = ctx.seen(data.draw(ctx.cases, label="case"))
    probe = case.opened.astimezone(UTC) + data.draw(offsets(_PAUSE_START_DAYS), label="probe")
    # the calendars with gaps in the three days from the probe (a 7x24 calendar has none)
    with_gaps = []
    for spec in policy.calendars:
        found = [s for s in spec.calendar.segments(probe, probe + dt.timedelta(days=3))
                 if not s.counted and _u(s.end) - _u(s.start) >= dt.timedelta(seconds=2)]
        if found:
            with_gaps.append((spec, found))
    if not with_gaps:
        return
    spec, gaps = data.draw(st.sampled_from(with_gaps), label="calendar")
    gap = data.draw(st.sampled_from(gaps), label="gap")
    g0 = gap.start.astimezone(UTC)
    length = int((gap.end.astimezone(UTC) - g0).total_seconds())
    a = data.draw(st.integers(0, length - 1), label="pause start")
    b = data.draw(st.integers(a + 1, length), label="pause end")
    reason = data.draw(st.sampled_from(sorted(policy.clock.pause_reasons)), label="reason")
    pause = sla.Pause(g0 + dt.timedelta(seconds=a), g0 + dt.timedelta(seconds=b),
                      reason)
    paused = attrs.evolve(case, pauses=(*case.pauses, pause))
    before, after = sla.evaluate(policy, case), sla.evaluate(policy, paused)
    for b_row, a_row, res in zip(_snapshot(before), _snapshot(after), before, strict=True):
        if _calendar_named(res.target) != spec.name:
            continue
        if b_row != a_row:
            raise _Failed(
                f"a {reason!r} pause {pause.start.isoformat()} .. {_fmt(pause.end)}, wholly "
                f"outside calendar {spec.name!r}'s covered time, changes "
                + _first_difference([b_row], [a_row]) + " (before, then with the pause)",
                paused, None)


def _check_met_at_deadline(ctx: _Context, data: st.DataObject) -> None:
    policy = ctx.policy
    case = ctx.seen(data.draw(ctx.cases, label="case"))
    results = [r for r in sla.evaluate(policy, case) if r.achieved is None and r.due is not None]
    if not results:
        return
    result = data.draw(st.sampled_from(results), label="metric")
    assert result.due is not None
    due = result.due.astimezone(UTC)
    instants_ = [case.opened, *(t for _, t in case.achieved),
                 *(c.at for c in case.severity_changes),
                 *(x for p in case.pauses for x in (p.start, p.end) if x is not None)]
    if any(_u(due) < _u(t) <= _u(due + _ONE_US) for t in instants_):
        return  # something else happens in that microsecond
    if any(_u(c.at) > _u(due) for c in case.severity_changes):
        return  # achieving the metric would drop a later severity change from its judgement
    for when, want in ((due, "met"), (due + _ONE_US, "breached")):
        achieved = {**dict(case.achieved), result.metric: when}
        judged = sla.evaluate(policy, attrs.evolve(case, achieved=achieved))[result.metric]
        if judged.status != want:
            raise _Failed(
                f"{result.metric}: achieved at {when.isoformat()} "
                f"({'the deadline' if want == 'met' else 'one microsecond after the deadline'}"
                f" {result.deadline.isoformat() if result.deadline else '?'}) is "
                f"{judged.status}, not {want}", attrs.evolve(case, achieved=achieved), None)


def _check_escalations(ctx: _Context, data: st.DataObject) -> None:
    policy = ctx.policy
    case = ctx.seen(data.draw(ctx.cases, label="case"))
    now = ctx.seen_now(data.draw(nows(case), label="now"))
    for r in sla.evaluate(policy, case, now):
        ladder = policy.ladder(r.metric)
        if ladder is None or r.deadline is None:
            continue
        fired = [_u(e.at) for e in r.escalations]
        for i in range(1, len(fired)):
            if fired[i] < fired[i - 1]:
                raise _Failed(f"{r.metric}: step {r.escalations[i].name!r} fires at "
                              f"{r.escalations[i].at.isoformat()}, before the step before it "
                              f"({r.escalations[i - 1].at.isoformat()})", case, now)
        if len(r.escalations) != len(ladder.steps):
            continue
        deadline = _u(r.deadline)
        assert deadline is not None
        bound = deadline
        for step, esc in zip(ladder.steps, r.escalations, strict=True):
            if step.at is not None and step.at > 1:
                raise _Failed(
                    f"{r.metric}: step {step.name!r} is set at {step.at:.0%} of the target, "
                    f"past the deadline {r.deadline.isoformat()} it warns about; use an "
                    "offset after the deadline instead", case, now)
            if step.at is not None:
                limit = bound
                if step.hold_until is not None:
                    limit = policy.calendar(step.hold_until).next_open(limit).astimezone(UTC)
                if _u(esc.at) > limit:
                    raise _Failed(
                        f"{r.metric}: step {step.name!r} at {step.at:.0%} of the target fires "
                        f"at {esc.at.isoformat()}, after the deadline {r.deadline.isoformat()}",
                        case, now)
            bound = max(bound, _u(esc.at))


def _ranked_check(ctx: _Context, data: st.DataObject, what: str, order: tuple[str, ...]) -> None:
    """Same case, two levels of ``order`` (earlier = better): the better level's deadline is
    never later when both count in the same calendar."""
    policy = ctx.policy
    case = ctx.seen(data.draw(ctx.cases, label="case"))
    case = attrs.evolve(case, severity_changes=())
    i = data.draw(st.integers(0, len(order) - 2), label=f"better {what}")
    j = data.draw(st.integers(i + 1, len(order) - 1), label=f"worse {what}")
    if what == "severity":
        better, worse = (attrs.evolve(case, severity=order[i]),
                         attrs.evolve(case, severity=order[j]))
    else:
        better, worse = attrs.evolve(case, tier=order[i]), attrs.evolve(case, tier=order[j])
    results_b, results_w = sla.evaluate(policy, better), sla.evaluate(policy, worse)
    for b, w in zip(results_b, results_w, strict=True):
        if b.deadline is None or w.deadline is None or b.start is None or w.start is None:
            continue
        if _calendar_named(b.target) != _calendar_named(w.target):
            continue  # promises counted in different coverage windows are not ranked
        if _u(b.deadline) > _u(w.deadline):
            raise _Failed(
                f"{b.metric}: {what} {order[i]!r} (ranked above {order[j]!r}) is due "
                f"{b.deadline.isoformat()} ({b.target}), later than {what} {order[j]!r} at "
                f"{w.deadline.isoformat()} ({w.target})", better, None)


def _check_severity_order(ctx: _Context, data: st.DataObject) -> None:
    _ranked_check(ctx, data, "severity", ctx.severity_order)


def _check_tier_order(ctx: _Context, data: st.DataObject) -> None:
    _ranked_check(ctx, data, "tier", tuple(reversed(ctx.tier_order)))


def _check_batch(ctx: _Context, data: st.DataObject) -> None:
    batch = data.draw(st.lists(ctx.cases, min_size=1, max_size=4), label="cases")
    batch = [attrs.evolve(c, id=f"C-{k + 1}") for k, c in enumerate(batch)]
    ctx.seen(batch[-1])
    now = ctx.seen_now(data.draw(nows(batch[0]), label="now"))
    together = sla.evaluate_many(ctx.policy, batch, now)
    for case, got in zip(batch, together, strict=True):
        one = sla.evaluate(ctx.policy, case, now)
        if _snapshot(got) != _snapshot(one):
            raise _Failed("evaluated in a batch of " f"{len(batch)}, "
                          + _first_difference(_snapshot(got), _snapshot(one))
                          + " (batch, then one at a time)", case, now)


def _rewrite(case: sla.Case, tz: dt.tzinfo) -> sla.Case:
    def w(t: dt.datetime) -> dt.datetime:
        return t.astimezone(tz)

    return attrs.evolve(
        case, opened=w(case.opened),
        achieved=tuple((n, w(t)) for n, t in case.achieved),
        pauses=tuple(sla.Pause(w(p.start), None if p.end is None else w(p.end), p.reason)
                     for p in case.pauses),
        severity_changes=tuple(sla.SeverityChange(w(c.at), c.severity)
                               for c in case.severity_changes),
        closed=None if case.closed is None else w(case.closed),
    )


def _check_zone_independence(ctx: _Context, data: st.DataObject) -> None:
    case = ctx.seen(data.draw(ctx.cases, label="case"))
    now = ctx.seen_now(data.draw(nows(case), label="now"))
    tz = data.draw(st.sampled_from(_INPUT_ZONES), label="zone")
    moved = _rewrite(case, tz)
    a = _snapshot(sla.evaluate(ctx.policy, case, now))
    b = _snapshot(sla.evaluate(ctx.policy, moved, None if now is None else now.astimezone(tz)))
    if a != b:
        raise _Failed(f"the same instants written in {tz} give a different answer: "
                      + _first_difference(a, b) + " (as given, then rewritten)", case, now)


def _check_toml(ctx: _Context, data: st.DataObject) -> None:
    policy = ctx.policy
    if "toml" not in ctx.memo:  # read back once per run: building calendars takes a while
        ctx.memo["toml"] = sla.Policy.from_toml_text(policy.to_toml(), source="round trip")
    again = ctx.memo["toml"]
    case = ctx.seen(data.draw(ctx.cases, label="case"))
    now = ctx.seen_now(data.draw(nows(case), label="now"))
    a = _snapshot(sla.evaluate(policy, case, now))
    b = _snapshot(sla.evaluate(again, case, now))
    if a != b:
        raise _Failed("after writing the policy to TOML and reading it back, "
                      + _first_difference(a, b) + " (original, then read back)", case, now)


def _two(attr: str) -> Callable[[sla.Policy], bool]:
    return lambda p: len(getattr(p, attr)) > 1


#: The ready-made invariants, in the order :func:`check_policy` runs them.
INVARIANTS: tuple[Invariant, ...] = (
    Invariant("deadline-after-start", "every deadline is at or after its clock's start",
              _check_deadline_after_start),
    Invariant("pause-never-earlier", "a pause of a reason that stops the clock never makes a "
              "deadline earlier", _check_pause_never_earlier, _stops),
    Invariant("pause-outside-coverage", "a stopping pause wholly outside a calendar's covered "
              "time changes nothing for the metrics counted in it",
              _check_pause_outside_coverage, _stops),
    Invariant("met-at-deadline", "achieved at the deadline is met, one microsecond later is "
              "breached", _check_met_at_deadline),
    Invariant("escalation-order", "escalation steps fire in order, and a step at a share of "
              "the target never fires after the deadline", _check_escalations,
              lambda p: bool(p.escalations)),
    Invariant("severity-order", "a more severe level is never due later than a less severe "
              "one, for the same case and a target counted in the same calendar",
              _check_severity_order, _two("severities")),
    Invariant("tier-order", "a higher tier is never due later than a lower one, for the same "
              "case and a target counted in the same calendar", _check_tier_order,
              _two("tiers")),
    Invariant("batch-equals-single", "evaluating cases in a batch gives what evaluating them "
              "one at a time gives", _check_batch),
    Invariant("zone-independence", "the answer does not depend on the zone a case's instants "
              "are written in", _check_zone_independence),
    Invariant("toml-round-trip", "the policy written to TOML and read back gives every answer "
              "the original gives", _check_toml),
)


def invariant(name: str) -> Invariant:
    """The invariant named ``name`` (requires hypothesis).

    >>> invariant("met-at-deadline").summary
    'achieved at the deadline is met, one microsecond later is breached'
    """
    for inv in INVARIANTS:
        if inv.name == name:
            return inv
    raise SlaValueError(f"no invariant named {echo(name)}; the invariants are "
                        + ", ".join(i.name for i in INVARIANTS))


def _order(given: Iterable[str] | None, declared: Sequence[str], what: str, policy: sla.Policy
           ) -> tuple[str, ...]:
    if given is None:
        return tuple(declared)
    if isinstance(given, str):
        raise SlaValueError(f"{what}_order must be a list of ids, not the string {echo(given)}")
    out = tuple(given)
    unknown = [x for x in out if x not in declared]
    if unknown or len(set(out)) != len(out):
        raise SlaValueError(
            f"{what}_order={echo(list(out))} must list distinct {what} ids of policy "
            f"{policy.name!r} ({', '.join(declared) or 'none'})"
            + (f"; {echo(unknown[0])} is not one" if unknown else ""))
    return out


def _settings(max_examples: int, seed_given: bool) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=max_examples, deadline=None, database=None, derandomize=not seed_given,
        print_blob=False, verbosity=hypothesis.Verbosity.quiet, report_multiple_bugs=False,
        suppress_health_check=list(hypothesis.HealthCheck),
    )


def _runner(inv: Invariant, ctx: _Context) -> Callable[[st.DataObject], None]:
    def run(data: st.DataObject) -> None:
        ctx.last.clear()
        try:
            inv._check(ctx, data)
        except _Failed:
            raise
        except Exception as exc:  # the engine failed on a valid case: report it with the case
            raise _Failed(f"evaluating raised {type(exc).__name__}: {exc}",
                          ctx.last.get("case"), ctx.last.get("now")) from exc

    return run


def find_violations(
    policy: sla.Policy, *, invariants: Iterable[Invariant | str] | None = None,
    settings: hypothesis.settings | None = None, max_examples: int = 50,
    seed: int | None = None, severity_order: Iterable[str] | None = None,
    tier_order: Iterable[str] | None = None, cases: st.SearchStrategy[sla.Case] | None = None,
) -> list[Violation]:
    """Run the invariants against ``policy``; one :class:`Violation` (shrunk) per failing
    invariant, in :data:`INVARIANTS` order (requires hypothesis). See :func:`check_policy`."""
    if not isinstance(policy, sla.Policy):
        raise SlaValueError(f"policy must be a slacalc.Policy, not {echo(policy)}")
    chosen = [invariant(i) if isinstance(i, str) else i
              for i in (INVARIANTS if invariants is None else invariants)]
    for inv in chosen:
        if not isinstance(inv, Invariant):
            raise SlaValueError(f"invariants must be names or slacalc.testing.Invariant values, "
                                f"not {echo(inv)}")
    if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1:
        raise SlaValueError(f"max_examples must be a positive int, not {echo(max_examples)}")
    ctx = _Context(
        policy,
        _order(severity_order, [s.id for s in policy.severities], "severity", policy),
        _order(tier_order, [t.id for t in policy.tiers], "tier", policy),
        cases if cases is not None else _policy_cases(policy),
    )
    use = settings if settings is not None else _settings(max_examples, seed is not None)
    found = []
    for inv in chosen:
        if not inv.applies(policy):
            continue
        if inv.name == "severity-order" and len(ctx.severity_order) < 2:
            continue
        if inv.name == "tier-order" and len(ctx.tier_order) < 2:
            continue

        test = use(hypothesis.given(st.data())(_runner(inv, ctx)))
        if seed is not None:
            test = hypothesis.seed(seed)(test)
        try:
            test()
        except _Failed as exc:
            found.append(Violation(inv.name, exc.message, exc.case, exc.now))
        except ExceptionGroup as group:  # settings that report several distinct failures
            first = next(e for e in group.exceptions if isinstance(e, _Failed))
            found.append(Violation(inv.name, first.message, first.case, first.now))
    return found


def check_policy(
    policy: sla.Policy, *, invariants: Iterable[Invariant | str] | None = None,
    settings: hypothesis.settings | None = None, max_examples: int = 50,
    seed: int | None = None, severity_order: Iterable[str] | None = None,
    tier_order: Iterable[str] | None = None, cases: st.SearchStrategy[sla.Case] | None = None,
) -> None:
    """Check the invariants on ``policy`` over generated cases (requires hypothesis); raise
    :class:`PolicyCheckError` (an ``AssertionError``, so pytest reports it as a failure) listing
    every invariant that fails, each with a shrunk counterexample case.

    Call it from a plain test function (not one decorated with ``@given``). ``invariants``
    picks some of :data:`INVARIANTS` (by name or value); ``settings`` (a
    ``hypothesis.settings``) replaces the defaults (``max_examples`` examples per invariant,
    no example database, no deadline, derandomized unless ``seed`` is given); ``cases`` replaces
    :func:`cases` (``cases(policy)``).

    Severity levels rank as the policy lists them, most severe first, unless
    ``severity_order`` says otherwise; tiers rank as listed, lowest first, unless
    ``tier_order`` (lowest first too) says otherwise.

    >>> import slacalc as sla
    >>> policy = sla.Policy.from_dict({"name": "p",
    ...     "calendars": {"always": {"coverage": "7x24", "tz": "UTC"}},
    ...     "severities": [
    ...         {"id": "A", "targets": [{"metric": "restore", "calendar": "always", "within": "4h"}]},
    ...         {"id": "B", "targets": [{"metric": "restore", "calendar": "always", "within": "2h"}]}]})
    >>> check_policy(policy, invariants=["severity-order"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    slacalc.testing.PolicyCheckError: policy 'p' breaks 1 invariant
    severity-order: restore: severity 'A' (ranked above 'B') is due ...
    """
    found = find_violations(policy, invariants=invariants, settings=settings,
                            max_examples=max_examples, seed=seed,
                            severity_order=severity_order, tier_order=tier_order, cases=cases)
    if found:
        raise PolicyCheckError(policy.name, found)

