"""Benchmark: Policy.evaluate_many against the core's add_many, per metric, in one process.

    python benchmarks/bench_policy.py [--cases N] [--repeats K] [--quick]

Issue 3's target: evaluating N generated cases with a 4-metric policy should cost less than 3x
calling the core ``add_many`` once per metric on the same starts. The core is timed both ways it
can be called: on int POSIX seconds (its fastest form: no datetime in or out) and on the cases'
own ``opened`` datetimes (what a caller holding cases, as ``evaluate_many`` does, would pass).
Also timed: a reference loop that only reads each case and converts its instants (the floor any
per-case evaluation pays in CPython), ``evaluate_many`` plus reading every status (what an
on-time count does), and the per-case ``evaluate`` loop on a sample, for scale.

Cases: opened uniform over local 2024-01-01..2026-06-01 (Asia/Shanghai), severities A-D, 80 %
with a recorded response 5-120 minutes later, 5 % with a customer-information pause (those take
the per-case path), judged at 2026-07-01. Fixed seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import time
import warnings
from collections.abc import Callable
from typing import Any

import slacalc as sla

POLICY = {
    "name": "bench-4-metrics",
    "calendars": {
        "always": {"coverage": "7x24", "tz": "Asia/Shanghai"},
        "business": {"coverage": "5x8", "country": "CN"},
    },
    "clock": {"pause_reasons": ["customer_info"]},
    "severities": [
        {"id": s, "targets": [
            {"metric": "response", "calendar": "business", "within": "30m"},
            {"metric": "reply", "calendar": "business", "within": "4h"},
            {"metric": "restore", "calendar": "always", "within": "8h"},
            {"metric": "resolve", "calendar": "business", "within": "24h"},
        ]}
        for s in "ABCD"
    ],
}
DURATIONS = {"response": ("business", 1800), "reply": ("business", 14400),
             "restore": ("always", 28800), "resolve": ("business", 86400)}


def best(fn: Callable[[], Any], repeats: int) -> float:
    """The best of ``repeats`` timings, with the garbage collector's pauses excluded."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def generate(n: int, tz: Any, seed: int) -> tuple[list[int], list[sla.Case]]:
    rng = random.Random(seed)
    lo = int(dt.datetime(2024, 1, 1, tzinfo=tz).timestamp())
    hi = int(dt.datetime(2026, 6, 1, tzinfo=tz).timestamp())
    starts = [rng.randrange(lo, hi) for _ in range(n)]
    cases = []
    for i, s in enumerate(starts):
        opened = dt.datetime.fromtimestamp(s, tz)
        achieved = ({"response": opened + dt.timedelta(minutes=rng.randrange(5, 120))}
                    if rng.random() < 0.8 else {})
        pauses = ([sla.Pause(opened + dt.timedelta(hours=1), opened + dt.timedelta(hours=3),
                             "customer_info")] if rng.random() < 0.05 else [])
        cases.append(sla.Case(str(i), opened, rng.choice("ABCD"), achieved=achieved,
                              pauses=pauses))
    return starts, cases


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sample", type=int, default=2_000, help="cases for the evaluate loop")
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--quick", action="store_true", help="a smoke run (CI)")
    args = parser.parse_args()
    n = 2_000 if args.quick else args.cases
    repeats = 1 if args.quick else args.repeats
    warnings.simplefilter("ignore", sla.HorizonWarning)
    policy = sla.Policy.from_dict(POLICY)
    tz = policy.calendar("business").tz
    print(f"slacalc policy benchmark: {n:,} cases, 4 metrics, best of {repeats}")
    print(f"Python {platform.python_version()} on {platform.system()} {platform.release()}; "
          f"{os.cpu_count()} cores; load average at start: {_load()}")
    t0 = time.perf_counter()
    starts, cases = generate(n, tz, args.seed)
    print(f"generated in {time.perf_counter() - t0:.1f} s")
    now = dt.datetime(2026, 7, 1, tzinfo=tz)
    opened = [c.opened for c in cases]
    for cal_name, seconds in DURATIONS.values():  # build the tables once, outside the timings
        policy.calendar(cal_name).add_many(starts, dt.timedelta(seconds=seconds))
    sla.evaluate_many(policy, cases[:1000], now)

    def core(values: list[Any]) -> Callable[[], None]:
        def run() -> None:
            for cal_name, seconds in DURATIONS.values():
                policy.calendar(cal_name).add_many(values, dt.timedelta(seconds=seconds))
        return run

    def read_statuses() -> None:
        for evaluation in sla.evaluate_many(policy, cases, now):
            for metric in DURATIONS:
                evaluation[metric].status  # noqa: B018 - reading is the point

    def floor() -> None:
        # Not a library call: the least any per-case evaluation must do in CPython (read the
        # case's fields, turn its instants into integers, make one result object per case).
        convert = sla.Calendar.from_coverage("7x24", tz="Asia/Shanghai")._timeline.instants
        out = []
        for case in cases:
            key = (case.severity, case.tier, case.zone)
            opened = convert(case.opened)
            achieved = {name: convert(t) for name, t in case.achieved} if case.achieved else None
            out.append(sla.Evaluation(case.id, None, ((key, achieved, case.pauses), opened)))

    sample = cases[: min(args.sample, n)]
    rows = [
        ("core add_many, int seconds, once per metric", best(core(starts), repeats) / n),
        ("core add_many, datetimes, once per metric", best(core(opened), repeats) / n),
        ("reference: touch each case, no evaluation", best(floor, repeats) / n),
        ("Policy.evaluate_many", best(lambda: sla.evaluate_many(policy, cases, now), repeats) / n),
        ("evaluate_many + read every metric's status", best(read_statuses, 1) / n),
        ("sla.alarms, one poll of one minute", best(
            lambda: sla.alarms(policy, cases, now, now + dt.timedelta(minutes=1)), repeats) / n),
        ("Policy.evaluate, one case at a time",
         best(lambda: [sla.evaluate(policy, c, now) for c in sample], 1) / len(sample)),
    ]
    print(f"\n{'operation':48s} {'per case':>12s} {'cases/s':>12s}")
    for name, per_case in rows:
        print(f"{name:48s} {per_case * 1e6:9.2f} us {1 / per_case:12,.0f}")
    many = rows[3][1]
    for label, base in (("int seconds", rows[0][1]), ("datetimes", rows[1][1])):
        ratio = many / base
        verdict = "met" if ratio < 3 else "NOT MET"
        if args.quick:  # too few cases for the core's lookup tables: the ratio means nothing
            verdict = "not judged (smoke run)"
        print(f"ratio evaluate_many / core on {label:12s}: {ratio:5.2f}x   target < 3x: {verdict}")
    print(f"load average at end: {_load()}")


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "n/a"


if __name__ == "__main__":
    main()
