"""Benchmark: Policy.evaluate_many against the core's add_many, per metric, in one process.

    python benchmarks/bench_policy.py [--cases N] [--quick]

Issue 3's target: evaluating N generated cases with a 4-metric policy should cost less than 3x
calling the core ``add_many`` once per metric on the same starts. Prints one table with the
ratio and the verdict. Cases are uniform over 2024-01-01..2026-06-01 (Asia/Shanghai), 80 % with a
recorded response, judged at 2026-07-01.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import warnings

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


def best(fn: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="a smoke run (CI)")
    args = parser.parse_args()
    n = 2_000 if args.quick else args.cases
    repeats = 1 if args.quick else 3
    warnings.simplefilter("ignore", sla.HorizonWarning)
    policy = sla.Policy.from_dict(POLICY)
    tz = policy.calendar("business").tz
    rng = random.Random(20240101)
    lo = int(dt.datetime(2024, 1, 1, tzinfo=tz).timestamp())
    hi = int(dt.datetime(2026, 6, 1, tzinfo=tz).timestamp())
    starts = [rng.randrange(lo, hi) for _ in range(n)]
    cases = []
    for i, s in enumerate(starts):
        opened = dt.datetime.fromtimestamp(s, tz)
        achieved = ({"response": opened + dt.timedelta(minutes=rng.randrange(5, 120))}
                    if rng.random() < 0.8 else {})
        cases.append(sla.Case(str(i), opened, rng.choice("ABCD"), achieved=achieved))
    now = dt.datetime(2026, 7, 1, tzinfo=tz)
    policy.evaluate_many(cases[:50], now=now)  # compile the calendars

    t_eval = best(lambda: policy.evaluate_many(cases, now=now), repeats) / n
    core = 0.0
    for cal_name, seconds in DURATIONS.values():
        cal = policy.calendar(cal_name)
        d = dt.timedelta(seconds=seconds)
        cal.add_many(starts, d)  # build its table
        core += best(lambda cal=cal, d=d: cal.add_many(starts, d), repeats) / n
    ratio = t_eval / core
    print(f"cases: {n:,}; policy: 4 metrics; repeats: best of {repeats}")
    print(f"{'operation':45s} {'per case':>12s}")
    print(f"{'core add_many, once per metric (4 calls)':45s} {core * 1e6:10.2f} us")
    print(f"{'Policy.evaluate_many':45s} {t_eval * 1e6:10.2f} us")
    verdict = "met" if ratio < 3 else "NOT MET"
    print(f"ratio evaluate_many / core: {ratio:.1f}x   target < 3x: {verdict}")


if __name__ == "__main__":
    main()
