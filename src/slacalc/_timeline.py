"""The fast core: a calendar compiled to sorted integer arrays.

A :class:`Timeline` turns a calendar's rules (zone, day rule, daily windows, holidays) into
immutable :class:`Snapshot` objects covering a range of local years. Queries read the current
snapshot without a lock; when a query needs years the snapshot lacks, a new, wider snapshot is
compiled under the timeline's lock and swapped in with one assignment. Nothing is ever mutated
after publication, so readers on other threads always see a consistent snapshot.

Snapshot invariants (all instants are integer POSIX seconds; window boundaries are whole seconds
because zone offsets and window specs are whole seconds):

* ``lo`` is local midnight starting ``first_year``; ``hi`` local midnight after ``last_year``.
  The snapshot answers for instants ``lo <= t < hi``.
* ``starts[i] < ends[i] < starts[i + 1]``: the covered intervals ``[starts[i], ends[i])`` in
  order; windows that touch (17:00 end, 17:00 start; 24:00 and the next day's 00:00) are merged.
* ``cum[i]`` is the covered time in ``[lo, starts[i])`` and ``cum[n]`` the total, so
  ``cumend[i] = cum[i + 1] = cum[i] + ends[i] - starts[i]``.

Then, with ``i = bisect_right(ends, t)`` (the first interval that ends after ``t``), the covered
time before ``t`` is ``pos(t) = cum[i] + max(0, t - starts[i])`` (``cum[n]`` when ``i == n``),
and the earliest instant at which the covered time reaches ``p > 0`` is ``inv(p) = starts[j] +
p - cum[j]`` with ``j = bisect_left(cumend, p)``. ``add(t, d) = inv(pos(t) + d)`` and
``elapsed(a, b) = pos(b) - pos(a)``: two bisections whatever the duration. The same arithmetic
carries microseconds: ``bisect_right(ends, t_us // 10**6)`` finds the same interval because
``ends`` are whole seconds.

Day tables: ``midnights[k]`` is the instant local day ``ord0 + k`` begins (one more entry than
days), ``business`` a bytearray of business-day flags and ``busord`` the sorted ordinals of
business days, so the n-th business day after a date is one bisection.

For batches of integer seconds the snapshot also builds *bucket tables*: if every boundary is a
multiple of ``B`` seconds after ``lo``, coverage is constant on each bucket, and ``add(x, d)`` on
a bucket ``(lo + kB, lo + (k + 1)B]`` is either a constant or ``x + const`` (see
:meth:`Snapshot.add_table`). Step functions such as the next-business-day deadline are constant
between breakpoints and become a single list lookup per case (:meth:`Snapshot.step_table`).
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from itertools import pairwise
from math import gcd
from typing import Any
from zoneinfo import ZoneInfo

from slacalc._holidays import HolidaySource
from slacalc.coverage import Hours
from slacalc.errors import DurationError, OutOfRangeError

__all__ = ["MAX_YEAR", "MIN_YEAR", "Instants", "Snapshot", "Timeline", "epoch_of_wall"]

MIN_YEAR = 1900
MAX_YEAR = 2199
US = 1_000_000
DAY = 86_400
UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
ONE_SECOND = dt.timedelta(seconds=1)
ONE_US = dt.timedelta(microseconds=1)
# Bucket tables larger than this fall back to bisection (memory over speed).
MAX_TABLE = 4_000_000
# Buckets shorter than this would make tables needlessly large; bisection is used instead.
MIN_BUCKET = 60
# Tables kept per snapshot.
MAX_TABLES = 32
# A table is built for a batch only when it has at most this many buckets per case (otherwise
# bisection, a few hundred ns a case, is cheaper than building the table).
BUCKETS_PER_CASE = 4

DayKind = str  # "business", "makeup", "holiday", "weekend", "closed", "extra_holiday", "extra_workday"


def _epoch(aware: dt.datetime) -> int:
    """Whole POSIX seconds of an aware datetime (honours ``fold``)."""
    return (aware - EPOCH) // ONE_SECOND


def _local(u: int, zone: ZoneInfo) -> dt.datetime:
    """The naive local wall time of instant ``u`` (seconds)."""
    return (EPOCH + dt.timedelta(seconds=u)).astimezone(zone).replace(tzinfo=None)


def epoch_of_wall(zone: ZoneInfo, ordinal: int, sec: int, fold: int = 0) -> int:
    """The instant the wall clock in ``zone`` first reads ``sec`` seconds into local day ``ordinal``.

    ``sec == 86400`` is the next day's midnight. In a repeated hour (a fall-back fold) the first
    occurrence is taken (``fold=0``; ``fold=1`` asks for the second). A wall time that does not
    exist (a spring-forward gap) maps to the transition itself, the first instant whose wall
    clock reads later than ``sec``: a shop opening at 02:30 on a day that skips from 02:00 to
    03:00 opens at 03:00.
    """
    if sec >= DAY:
        ordinal += sec // DAY
        sec %= DAY
    day = dt.date.fromordinal(ordinal)
    naive = dt.datetime(day.year, day.month, day.day, sec // 3600, sec // 60 % 60, sec % 60)
    u = _epoch(naive.replace(tzinfo=zone, fold=fold))
    if _local(u, zone) == naive:
        return u
    # In a gap: search the transition between the two readings of the offset.
    a = _epoch(naive.replace(tzinfo=zone, fold=1))
    b = _epoch(naive.replace(tzinfo=zone, fold=0))
    lo, hi = min(a, b), max(a, b)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _local(mid, zone) >= naive:
            hi = mid
        else:
            lo = mid
    return hi


class Instants:
    """POSIX microseconds of aware datetimes, fast for days without an offset change.

    Such a day's instants are its local midnight plus the wall-clock fields; the midnights are
    cached per (zone, day), so a batch pays the zone arithmetic once per day it touches. Days
    with a change (and anything unusual) take the exact generic subtraction.
    """

    def __init__(self) -> None:
        self.zones: dict[Any, dict[int, int | None]] = {}

    def __call__(self, t: dt.datetime) -> int:
        tz = t.tzinfo
        o = t.toordinal()
        try:
            days = self.zones[tz]
            m = days[o]
        except KeyError:
            m = self.midnight(tz, o)
        except TypeError:  # an unhashable tzinfo
            return (t - EPOCH) // ONE_US
        if m is None:
            return (t - EPOCH) // ONE_US
        return (m + t.hour * 3600 + t.minute * 60 + t.second) * US + t.microsecond

    def midnight(self, tz: Any, o: int) -> int | None:
        """Local midnight (POSIX seconds) of day ``o`` in ``tz`` if it lasts exactly 24 h."""
        try:
            days = self.zones.setdefault(tz, {})
        except TypeError:
            return None
        found = None
        try:
            m0, m1 = epoch_of_wall(tz, o, 0), epoch_of_wall(tz, o + 1, 0)
            offset = dt.datetime.combine(dt.date.fromordinal(o), dt.time(), tz).utcoffset()
            # whole-second offsets only: midnights are kept in whole seconds
            if m1 - m0 == DAY and offset is not None and not offset.microseconds:
                found = m0
        except (ValueError, OverflowError, TypeError):  # out of range, or an odd tzinfo
            found = None
        days[o] = found
        return found


class Rules:
    """Everything a calendar's coverage depends on; shared by all its snapshots."""

    __slots__ = (
        "coverage_floor",
        "coverage_horizon",
        "coverage_uses_holidays",
        "day_floor",
        "day_horizon",
        "extra_holidays",
        "extra_workdays",
        "holidays",
        "hours",
        "rule",
        "zone",
    )

    def __init__(
        self,
        zone: ZoneInfo,
        rule: str,
        hours: Hours,
        holidays: HolidaySource,
        extra_holidays: frozenset[dt.date],
        extra_workdays: frozenset[dt.date],
    ) -> None:
        self.zone = zone
        self.rule = rule
        self.hours = hours
        self.holidays = holidays
        self.extra_holidays = extra_holidays
        self.extra_workdays = extra_workdays
        self.coverage_uses_holidays = rule == "business"
        # First instant (seconds) past the data horizon: local midnight starting the year after
        # ``verified_through``. ``day_horizon`` applies to business-day answers,
        # ``coverage_horizon`` to covered time (which ignores holidays when rule == "all").
        vt = holidays.verified_through
        never = 1 << 62
        self.day_horizon = (
            never if vt is None else epoch_of_wall(zone, dt.date(vt + 1, 1, 1).toordinal(), 0)
        )
        self.coverage_horizon = self.day_horizon if self.coverage_uses_holidays else never
        # The mirror below: first instant (seconds) the data vouches for, local midnight
        # starting ``verified_from``; instants before it use days the data cannot vouch for.
        vf = holidays.verified_from
        self.day_floor = (
            -never if vf is None or vf <= MIN_YEAR
            else epoch_of_wall(zone, dt.date(vf, 1, 1).toordinal(), 0)
        )
        self.coverage_floor = self.day_floor if self.coverage_uses_holidays else -never


class Snapshot:
    """One compiled range of years; immutable after construction (see the module docstring)."""

    __slots__ = (
        "_lock",
        "_tables",
        "bucket",
        "business",
        "busord",
        "cum",
        "cumend",
        "ends",
        "fast",
        "first_year",
        "hi",
        "hi_us",
        "holiday_names",
        "kinds",
        "last_year",
        "lo",
        "lo_us",
        "midnights",
        "ord0",
        "rules",
        "starts",
        "total",
        "total_us",
        "workdays",
    )

    def __init__(self, rules: Rules, first_year: int, last_year: int) -> None:  # noqa: PLR0915 - one pass of the compiler, kept together on purpose
        self.rules = rules
        self.first_year = first_year
        self.last_year = last_year
        zone, hours, rule = rules.zone, rules.hours, rules.rule
        data = rules.holidays.read(first_year, last_year)
        names = data.holidays
        self.holiday_names = names
        self.workdays = data.workdays
        weekend = rules.holidays.weekend
        extra_h, extra_w = rules.extra_holidays, rules.extra_workdays
        ord0 = dt.date(first_year, 1, 1).toordinal()
        ord_end = dt.date(last_year + 1, 1, 1).toordinal()
        ndays = ord_end - ord0
        self.ord0 = ord0

        midnights = [epoch_of_wall(zone, o, 0) for o in range(ord0, ord_end + 1)]
        self.midnights = midnights
        self.lo, self.hi = midnights[0], midnights[-1]
        self.lo_us, self.hi_us = self.lo * US, self.hi * US

        business = bytearray(ndays)
        kinds: list[DayKind] = []
        starts: list[int] = []
        ends: list[int] = []
        for k in range(ndays):
            day = dt.date.fromordinal(ord0 + k)
            wd = day.weekday()
            if day in extra_h:
                kind, is_bd = "extra_holiday", False
            elif day in extra_w:
                kind, is_bd = "extra_workday", True
            elif day in names:
                kind, is_bd = "holiday", False
            elif day in data.workdays:
                kind, is_bd = "makeup", True
            elif wd in weekend:
                kind, is_bd = "weekend", False
            else:
                kind, is_bd = "business", True
            kinds.append(kind)
            business[k] = is_bd
            if rule == "all":
                windows = hours.for_weekday(wd)
            elif is_bd:
                windows = hours.for_makeup(wd) if wd in weekend else hours.for_weekday(wd)
            elif kind == "weekend" and hours.listed(wd):
                windows = hours.for_weekday(wd)
            else:
                windows = ()
            if not windows:
                continue
            m0, m1 = midnights[k], midnights[k + 1]
            # A day of exactly 86400 s has no net offset change: wall time is midnight + offset.
            # (The tz database has no day with two transitions that cancel out; the property
            # tests check window instants against zoneinfo directly.)
            regular = m1 - m0 == DAY
            for ws, we in windows:
                s = m0 + ws if regular else epoch_of_wall(zone, ord0 + k, ws)
                e = m0 + we if regular else epoch_of_wall(zone, ord0 + k, we)
                if e <= s:
                    continue  # a window swallowed by a DST gap
                if ends and s <= ends[-1]:
                    ends[-1] = max(ends[-1], e)
                else:
                    starts.append(s)
                    ends.append(e)
        self.starts, self.ends = starts, ends
        self.kinds = kinds
        self.business = business
        self.busord = [ord0 + k for k in range(ndays) if business[k]]
        cum = [0]
        acc = 0
        for s, e in zip(starts, ends, strict=True):
            acc += e - s
            cum.append(acc)
        self.cum = cum
        self.cumend = cum[1:]
        self.total = acc
        self.total_us = acc * US
        # The scalar fast path's view, in microseconds, as one tuple (one attribute load):
        # (lo, hi, starts, ends, cum, cumend, total, horizon, zone, base) with
        # ``base[i] = cum[i] - starts[i]``, so inside interval i ``pos(t) = base[i] + t`` and
        # ``inv(p) = p - base[j]``. ``starts``/``ends`` carry a sentinel interval past any
        # instant so ``bisect_right(ends, t)`` always indexes ``starts``; ``lo`` is clamped to
        # the epoch so ``fromtimestamp`` never sees a negative, and to the first instant the
        # holiday data vouches for, so earlier starts take the slow path that warns.
        sentinel = 1 << 62
        starts_us = [x * US for x in starts] + [sentinel]
        cum_us = [x * US for x in cum]
        self.fast = (
            max(self.lo_us, 0, rules.coverage_floor * US),
            self.hi_us,
            starts_us,
            [x * US for x in ends] + [sentinel + 1],
            cum_us,
            cum_us[1:],
            self.total_us,
            rules.coverage_horizon * US,
            zone,
            [c - s for c, s in zip(cum_us, starts_us, strict=True)],
            ord0,
            # for each local day: its midnight (s) if the day has no offset change, else None,
            # so an input in this zone converts from its wall fields without a zone lookup
            [m0 if m1 - m0 == DAY else None for m0, m1 in pairwise(midnights)],
        )
        self._tables: dict[Any, Any] = {}
        self._lock = threading.Lock()
        bucket = self.hi - self.lo
        for x in starts:
            bucket = gcd(bucket, x - self.lo)
        for x in ends:
            bucket = gcd(bucket, x - self.lo)
        for x in midnights:
            bucket = gcd(bucket, x - self.lo)
        self.bucket = bucket

    # -- scalar queries, microseconds ------------------------------------------------------
    def pos_us(self, t: int) -> int:
        """Covered microseconds in ``[lo, t)``; requires ``lo <= t // US < hi``."""
        i = bisect_right(self.ends, t // US)
        if i == len(self.starts):
            return self.total * US
        into = t - self.starts[i] * US
        return self.cum[i] * US + (into if into > 0 else 0)

    def inv_us(self, p: int) -> int:
        """Earliest instant (µs) with covered time ``p`` since ``lo``; ``0 < p <= total``."""
        j = bisect_left(self.cumend, -(-p // US))
        return self.starts[j] * US + p - self.cum[j] * US

    def add_us(self, t: int, d: int) -> int | None:
        """``inv(pos(t) + d)`` in µs, or ``None`` when that lies past this snapshot's coverage.

        Requires ``lo <= t // US < hi`` and ``d > 0``.
        """
        starts = self.starts
        i = bisect_right(self.ends, t // US)
        if i == len(starts):
            return None
        into = t - starts[i] * US
        cum = self.cum
        target = cum[i] * US + (into if into > 0 else 0) + d
        if target > self.total * US:
            return None
        j = bisect_left(self.cumend, -(-target // US))
        return starts[j] * US + target - cum[j] * US

    def latest_us(self, p: int) -> int:
        """Latest instant (µs) with covered time ``p`` since ``lo``; ``0 <= p < total``.

        Where ``p`` falls exactly on a window's end, that is the next window's start: the
        latest instant before which exactly ``p`` is covered.
        """
        j = bisect_right(self.cumend, p // US)
        while self.cumend[j] * US <= p:  # p with a fraction of a second past a window end
            j += 1
        return self.starts[j] * US + p - self.cum[j] * US

    def open_at(self, t: int) -> tuple[bool, int]:
        """(is ``t`` covered, index of the first interval ending after ``t``) for ``t`` in µs."""
        i = bisect_right(self.ends, t // US)
        return i < len(self.starts) and self.starts[i] * US <= t, i

    def day_index(self, t_s: int) -> int:
        """Index ``k`` of the local day holding instant ``t_s`` (ordinal ``ord0 + k``)."""
        return bisect_right(self.midnights, t_s) - 1

    def wall(self, o: int, sec: int) -> int:
        """``epoch_of_wall`` for day ordinal ``o``, from the midnight table on regular days."""
        k = o - self.ord0
        midnights = self.midnights
        if 0 <= k < len(midnights) - 1 and midnights[k + 1] - midnights[k] == DAY:
            return midnights[k] + sec
        return epoch_of_wall(self.rules.zone, o, sec)

    def nth_business(self, o: int, n: int) -> int | None:
        """Ordinal of the n-th business day after ``o`` (before, for n < 0; ``o`` rolled forward
        for n == 0), or ``None`` when the answer lies outside this snapshot."""
        busord = self.busord
        if n > 0:
            idx = bisect_right(busord, o) + n - 1
        elif n < 0:
            idx = bisect_left(busord, o) + n
        else:
            idx = bisect_left(busord, o)
        return busord[idx] if 0 <= idx < len(busord) else None

    def is_business(self, o: int) -> bool:
        """Whether day ordinal ``o`` (inside this snapshot) is a business day."""
        return bool(self.business[o - self.ord0])

    # -- batch tables ------------------------------------------------------------------------
    def has_table(self, key: object) -> bool:
        return key in self._tables

    def table(self, key: object, build: Callable[[], Any]) -> Any:
        """The cached table under ``key``, built by ``build()`` on first use.

        At most ``MAX_TABLES`` tables are kept per snapshot (least recently built dropped), so a
        service that batches with many different durations holds bounded memory.
        """
        tables = self._tables
        found = tables.get(key)
        if found is None:
            with self._lock:
                found = tables.get(key)
                if found is None:
                    found = build()
                    tables[key] = found
                    while len(tables) > MAX_TABLES:
                        del tables[next(iter(tables))]
        return found

    def span(self, first_s: int, last_s: int) -> tuple[int, int]:
        """Local midnights ``(S0, S1)`` bracketing the years of instants ``first_s..last_s``.

        Tables are built over whole local years of a batch's own range, not the whole snapshot:
        a historical query elsewhere in the snapshot does not make every later batch pay.
        """
        y0 = dt.date.fromordinal(self.ord0 + self.day_index(first_s)).year
        y1 = dt.date.fromordinal(self.ord0 + self.day_index(last_s)).year
        m = self.midnights
        return (
            m[dt.date(y0, 1, 1).toordinal() - self.ord0],
            m[dt.date(y1 + 1, 1, 1).toordinal() - self.ord0]
            if y1 < self.last_year
            else self.hi,
        )

    def buckets(self, size: int, s0: int, s1: int) -> int | None:
        """How many buckets of ``size`` cover ``[s0, s1)``, or ``None`` when a table is unwise."""
        if s0 <= 0 or size < MIN_BUCKET or (s1 - s0) // size > MAX_TABLE:
            return None
        return (s1 - s0) // size

    def add_table(self, d: int, s0: int, s1: int) -> tuple[int, int, list[int], int, int] | None:
        """Table for ``add(x, d)`` on integer seconds over ``(s0, s1]``, or ``None``.

        With ``B = gcd(bucket, d)`` every boundary, every covered run and ``d`` are multiples of
        ``B``. On a right-closed bucket ``(S, S + B]`` with ``S = s0 + kB``, ``pos`` is either
        constant (the bucket is uncovered, so ``add`` is a constant instant ``R``) or ``pos(S) + x
        - S`` (covered: ``pos(x) + d`` stays inside one linear piece of ``inv``, whose pieces
        break only at multiples of ``B``, so ``add(x, d) = x + A`` with ``0 <= A``). One list
        holds both: ``V[k] = R`` (an instant, always ``> s0``) or ``A`` (an offset, ``<= s0``
        when this method returns a table), so ``add(x, d) = V[k] if V[k] > s0 else x + V[k]``.

        Returns ``(T, B, V, s0, limit)``: ``k = (x - T) // B`` with ``T = s0 + 1``, valid for
        ``s0 < x <= limit``. ``None`` for spans before 1970 (the encoding needs ``s0 > 0``),
        buckets under a minute, or tables too large.
        """
        size = gcd(self.bucket, d)
        nb = self.buckets(size, s0, s1)
        if nb is None:
            return None
        starts, ends, cum, cumend, total = self.starts, self.ends, self.cum, self.cumend, self.total
        n = len(starts)
        table: list[int] = []
        i = bisect_right(ends, s0)  # first interval ending after the bucket start
        j = 0  # inverse pointer, monotone
        for k in range(nb):
            s = s0 + k * size
            while i < n and ends[i] <= s:
                i += 1
            is_open = i < n and starts[i] <= s
            if is_open:
                target = cum[i] + s - starts[i] + size + d
            else:
                target = (cum[i] if i < n else total) + d
            if target > total:
                break
            if k == 0:
                j = bisect_left(cumend, target)
            while cumend[j] < target:
                j += 1
            value = starts[j] + target - cum[j]
            if is_open:
                offset = value - s - size
                if offset > s0:
                    return None  # offsets and instants would be confused: use bisection
                table.append(offset)
            else:
                table.append(value)
        return s0 + 1, size, table, s0, s0 + len(table) * size

    def pos_table(self, s0: int, s1: int) -> tuple[int, int, list[int]] | None:
        """Table for ``pos(x)`` on ``[s0, s1)``: ``pos(x) = V[k] if V[k] >= 0 else x + V[k]``.

        Buckets are left-closed ``[s0 + kB, s0 + (k + 1)B)``, ``k = (x - s0) // B``. An
        uncovered bucket stores its constant ``pos`` (``>= 0``); a covered one stores
        ``cum[i] - starts[i]``, negative only while the covered time since the snapshot's first
        instant is less than the instant itself: when a snapshot reaching back before 1970
        makes one of them ``>= 0``, the two could be confused, and ``None`` is returned (the
        caller then works without a table).
        """
        size = self.bucket
        nb = self.buckets(size, s0, s1)
        if nb is None:
            return None
        starts, ends, cum, total = self.starts, self.ends, self.cum, self.total
        n = len(starts)
        table: list[int] = []
        i = bisect_right(ends, s0)
        for k in range(nb):
            s = s0 + k * size
            while i < n and ends[i] <= s:
                i += 1
            if i < n and starts[i] <= s:
                offset = cum[i] - starts[i]
                if offset >= 0:
                    return None  # would read as an uncovered bucket's constant
                table.append(offset)
            else:
                table.append(cum[i] if i < n else total)
        return s0, size, table

    def inv_table(self) -> tuple[int, list[int]] | None:
        """Table for ``inv(p)``, ``0 < p <= total`` (seconds): ``inv(p) = p + V[(p - 1) // B]``.

        Every covered run spans whole buckets of ``B`` (the snapshot's bucket divides every
        boundary), so the positions ``(kB, (k + 1)B]`` all fall in one run ``j``, where
        ``inv(p) = starts[j] + p - cum[j]``: ``V[k] = starts[j] - cum[j]``. A position at a run's
        end gives that run's end (the earliest instant with that much covered time), as
        :meth:`inv_us` does. ``None`` when the table would be too large.
        """
        size = self.bucket
        if size < MIN_BUCKET or self.total // size > MAX_TABLE:
            return None
        table: list[int] = []
        cum = self.cum
        for j, s in enumerate(self.starts):
            table.extend([s - cum[j]] * ((cum[j + 1] - cum[j]) // size))
        return size, table

    def step_table(
        self, breakpoints: Sequence[int], value: Callable[[int], int], s0: int, s1: int
    ) -> tuple[int, int, list[int]] | None:
        """Table for a step function of integer seconds on ``[s0, s1)``: ``V[(x - s0) // B]``.

        ``breakpoints`` lists every instant in ``[s0, s1)`` where ``f`` may change (it is
        constant from each one to the next) and must include ``s0``; ``value(u)`` evaluates ``f``
        at ``u``.
        """
        size = self.bucket
        points = sorted({b for b in breakpoints if s0 <= b < s1})
        for b in points:
            size = gcd(size, b - s0)
        if self.buckets(size, s0, s1) is None:
            return None
        values: list[int] = []
        for b, nxt in zip(points, [*points[1:], s1], strict=True):
            values.extend([value(b)] * ((nxt - b) // size))
        return s0, size, values


class Timeline:
    """A lazily extended, thread-safe series of snapshots for one calendar."""

    __slots__ = ("_lock", "_snap", "fast", "instants", "rules")

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.instants = Instants()  # datetime -> µs for batches of datetimes
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None
        # the current snapshot's ``fast`` tuple; an empty range until the first compile
        self.fast: tuple[Any, ...] = (0, 0, [], [], [], [], 0, 0, rules.zone, [], 0, [])

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle the rules only; the compiled tables are rebuilt on first use.
        return (Timeline, (self.rules,))

    def snapshot(self) -> Snapshot | None:
        return self._snap

    def years(self, first: int, last: int) -> Snapshot:
        """A snapshot covering at least local years ``first..last`` (clamped to the range)."""
        snap = self._snap
        if snap is not None and snap.first_year <= first and last <= snap.last_year:
            return snap
        if first < MIN_YEAR or last > MAX_YEAR:
            bad = first if first < MIN_YEAR else last
            raise OutOfRangeError(
                f"year {bad} is outside the years slacalc can compute ({MIN_YEAR}-{MAX_YEAR})"
            )
        with self._lock:
            snap = self._snap
            if snap is not None and snap.first_year <= first and last <= snap.last_year:
                return snap
            if snap is not None:
                span = snap.last_year - snap.first_year + 1
                if last > snap.last_year:
                    last = max(last, min(MAX_YEAR, snap.last_year + span))
                first = min(first, snap.first_year)
                last = max(last, snap.last_year)
            new = Snapshot(self.rules, max(MIN_YEAR, first), min(MAX_YEAR, last))
            global compilations  # noqa: PLW0603 - a process-wide statistic, under the lock
            compilations += 1
            self._snap = new
            self.fast = new.fast
            return new

    def around(self, lo_s: int, hi_s: int) -> Snapshot:
        """A snapshot answering for every instant in ``[lo_s, hi_s]`` (seconds)."""
        snap = self._snap
        if snap is not None and snap.lo <= lo_s and hi_s < snap.hi:
            return snap
        first = _utc_year(lo_s) - 1
        last = _utc_year(hi_s) + 1
        snap = self.years(max(first, MIN_YEAR), min(last, MAX_YEAR))
        if not (snap.lo <= lo_s and hi_s < snap.hi):
            bad = lo_s if lo_s < snap.lo else hi_s
            raise OutOfRangeError(
                f"instant {EPOCH + dt.timedelta(seconds=bad)} is outside the years slacalc can "
                f"compute ({MIN_YEAR}-{MAX_YEAR})"
            )
        return snap

    def reaching(self, t_us: int, d_us: int) -> tuple[Snapshot, int]:
        """A snapshot holding ``t`` and at least ``d`` of covered time after it; ``pos(t) + d``."""
        t_s = t_us // US
        snap = self.around(t_s, t_s)
        if d_us // US > _LAST_INSTANT - t_s:
            raise DurationError(
                f"a duration of {dt.timedelta(microseconds=d_us)} from this start ends after "
                f"{MAX_YEAR}, the last year slacalc computes"
            )
        while True:
            target = snap.pos_us(t_us) + d_us
            if target <= snap.total * US:
                return snap, target
            if snap.last_year >= MAX_YEAR:
                raise DurationError(
                    f"a duration of {dt.timedelta(microseconds=d_us)} from this start is not "
                    f"reached before the end of {MAX_YEAR}, the last year slacalc computes"
                )
            snap = self.years(snap.first_year, snap.last_year + 1)


_LAST_INSTANT = 7_258_118_400  # 2200-01-01T00:00Z

#: How many snapshots (compiled year ranges) this process has built: a statistic for tests and
#: for sizing workers (a worker should compile each calendar's years once, not once per task).
compilations = 0
#: Timelines of the calendars made in this process, by their rules (zone, day rule, hours,
#: holiday source, overlays): equal calendars, however often they are built or unpickled,
#: share one timeline, so its tables are compiled once per process.
_SHARED: dict[tuple[Any, ...], Timeline] = {}
_SHARED_LOCK = threading.Lock()
#: Distinct calendars whose timelines are kept; the oldest is dropped past it (memory bound
#: for a service building many one-off calendars; a dropped one is only compiled again).
MAX_SHARED = 256


def shared_timeline(key: tuple[Any, ...], rules: Callable[[], Rules]) -> Timeline:
    """The process's timeline for the calendar rules ``key``, made from ``rules()`` the first
    time (thread-safe: two threads asking at once get the same timeline)."""
    found = _SHARED.get(key)
    if found is None:
        with _SHARED_LOCK:
            found = _SHARED.get(key)
            if found is None:
                found = _SHARED[key] = Timeline(rules())
                while len(_SHARED) > MAX_SHARED:
                    del _SHARED[next(iter(_SHARED))]
    return found


def _utc_year(u: int) -> int:
    if u < -2_208_988_800:  # before 1900-01-01 UTC
        return MIN_YEAR - 1
    if u >= 7_258_118_400:  # 2200-01-01 UTC
        return MAX_YEAR + 1
    return (EPOCH + dt.timedelta(seconds=u)).year
