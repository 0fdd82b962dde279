"""Thread safety: a fresh calendar hammered from 16 threads gives the single-threaded answers.

The calendar is fresh so that its lazy year extensions, batch tables and holiday reads all happen
under contention; the switch interval is set tiny so threads interleave inside those paths.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import slacalc

THREADS = 16
OPS_PER_THREAD = 30
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_LO = int(dt.datetime(2015, 1, 1, tzinfo=dt.UTC).timestamp())
_HI = int(dt.datetime(2030, 6, 30, tzinfo=dt.UTC).timestamp())

Op = tuple[Any, ...]


def make_ops(seed: int, tz: dt.tzinfo) -> list[Op]:
    """A deterministic mix of operations over 2015-2030 for one thread."""
    rng = random.Random(seed)
    ops: list[Op] = []
    for _ in range(OPS_PER_THREAD):
        kind = rng.choice(["add", "elapsed", "bday", "nth", "add_many", "nbd_many", "elapsed_many"])
        u = rng.randint(_LO, _HI)
        t = (EPOCH + dt.timedelta(seconds=u, microseconds=rng.choice([0, 7]))).astimezone(tz)
        if kind == "add":
            ops.append((kind, t, dt.timedelta(minutes=rng.randint(0, 60 * 24 * 10))))
        elif kind == "elapsed":
            ops.append((kind, t, t + dt.timedelta(hours=rng.randint(-500, 500))))
        elif kind in ("bday", "nth"):
            ops.append((kind, t.date(), rng.randint(-25, 25)))
        else:
            xs = [rng.randint(_LO, _HI) for _ in range(40)]
            if kind == "elapsed_many":
                ops.append((kind, xs, [x + rng.randint(-10**6, 10**6) for x in xs]))
            else:
                ops.append((kind, xs, dt.timedelta(hours=rng.choice([1, 4]), seconds=rng.choice([0, 17]))))
    return ops


def run_ops(cal: slacalc.Calendar, ops: list[Op]) -> list[Any]:
    """Apply the operations; datetimes are recorded as (POSIX µs, wall reading, fold)."""
    nbd = slacalc.NextBusinessDay(cal, cutoff=dt.time(15), by=dt.time(17))
    out: list[Any] = []
    for op in ops:
        kind = op[0]
        if kind == "add":
            r = cal.add(op[1], op[2])
            out.append(((r - EPOCH), r.replace(tzinfo=None), r.fold))
        elif kind == "elapsed":
            out.append(cal.elapsed(op[1], op[2]))
        elif kind == "bday":
            out.append(cal.is_business_day(op[1]))
        elif kind == "nth":
            out.append(cal.add_business_days(op[1], op[2]))
        elif kind == "add_many":
            out.append(cal.add_many(op[1], op[2]))
        elif kind == "nbd_many":
            out.append(nbd.deadline_many(op[1]))
        else:
            out.append(cal.elapsed_many(op[1], op[2]))
    return out


@pytest.fixture
def tiny_switch_interval() -> Iterator[None]:
    """Make threads switch as often as the interpreter allows, restoring the interval after."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def hammer(factory: Callable[[], slacalc.Calendar]) -> None:
    """Run every thread's ops on one fresh calendar at once; compare with a separate fresh one."""
    reference_cal = factory()
    tz = reference_cal.tz
    all_ops = [make_ops(seed, tz) for seed in range(THREADS)]
    expected = [run_ops(reference_cal, ops) for ops in all_ops]

    shared = factory()
    barrier = threading.Barrier(THREADS)

    def worker(i: int) -> list[Any]:
        barrier.wait()
        return run_ops(shared, all_ops[i])

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        got = list(pool.map(worker, range(THREADS)))
    for i in range(THREADS):
        assert got[i] == expected[i], f"thread {i} disagrees with the single-threaded answers"


@pytest.mark.usefixtures("tiny_switch_interval")
class TestThreads:
    """Concurrent use of one fresh calendar equals sequential use of another."""

    def test_dst_zone_no_country(self) -> None:
        """A New York calendar with split windows (DST, no holiday data)."""
        hammer(lambda: slacalc.Calendar(tz="America/New_York", hours="09:00-12:00,13:30-18:00",
                                        extra_holidays=[dt.date(2020, 12, 25)]))

    def test_all_days_lord_howe(self) -> None:
        """A 7-day Lord Howe calendar with a window in the DST transition hours."""
        hammer(lambda: slacalc.Calendar(tz="Australia/Lord_Howe", days="all",
                                        hours="01:00-03:00,09:00-17:00"))

    @pytest.mark.filterwarnings("ignore::slacalc.HorizonWarning")
    def test_cn(self) -> None:
        """A CN 5x8 calendar: holiday data is read lazily, under contention, past the horizon."""
        hammer(lambda: slacalc.Calendar.from_coverage("5x8", country="CN"))

    def test_switch_interval_is_tiny(self) -> None:
        """The fixture really sets the interval (so the tests above do interleave)."""
        assert sys.getswitchinterval() < 1e-5
