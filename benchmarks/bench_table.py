"""Benchmark: a Parquet file of cases to a pandas DataFrame of results, against the core.

    python benchmarks/bench_table.py [--cases N] [--stream-cases M] [--quick]

For two policies (the 4-metric policy of bench_policy.py and the built-in
``standard-contract``), in one run: generated cases are written to a Parquet file, then read
(``pyarrow.parquet.read_table``), evaluated (``slacalc.evaluate_table``, long form) and exported
(``ResultTable.to_pandas``). The end-to-end time is compared with the core's int ``add_many``
called once per metric on the same starts (whole POSIX seconds), measured in the same process;
the target is at most 4x. Each policy runs in its own subprocess, so its peak RSS is its own.
Then M cases are streamed from one Parquet file to another, a record batch at a time, printing
the RSS as it goes: memory stays flat whatever M.

Cases: opened uniform over local 2024-01-01..2026-06-01 (Asia/Shanghai), whole seconds;
severities, tiers and zones drawn from the policy; 80 % with a response 5-120 minutes after
opening (and, for the contract, its start events); 5 % with a customer-information pause (the
per-case path); judged at 2026-07-01. Fixed seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from array import array
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import slacalc as sla

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_policy import POLICY  # the benchmarks directory is not a package

TZ = "Asia/Shanghai"
NOW = dt.datetime(2026, 7, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
US = 1_000_000
CHUNK = 65_536


def load(name: str) -> sla.Policy:
    return sla.Policy.from_dict(POLICY) if name == "bench-4-metrics" else sla.templates.load(name)


def generate(policy: sla.Policy, n: int, seed: int, first: int = 0) -> pa.Table:
    """``n`` cases as an Arrow table (built from ``array('q')`` buffers and small lists)."""
    rng = random.Random(seed)
    lo = int(dt.datetime(2024, 1, 1, tzinfo=NOW.tzinfo).timestamp())
    hi = int(dt.datetime(2026, 6, 1, tzinfo=NOW.tzinfo).timestamp())
    opened = array("q", [rng.randrange(lo, hi) * US for _ in range(n)])
    severities = [s.id for s in policy.severities] or ["any"]
    tiers = [t.id for t in policy.tiers]
    zones = sorted({z for s in policy.severities for r in s.targets if r.when.zone
                    for z in r.when.zone} | {z for r in policy.targets if r.when.zone
                                            for z in r.when.zone})
    events = sorted(({r.start for s in policy.severities for r in s.targets}
                     | {r.start for r in policy.targets}) - {"opened"})
    columns: dict[str, Any] = {
        "id": pa.array([f"C{first + i}" for i in range(n)]),
        "opened": pa.Array.from_buffers(pa.timestamp("us", TZ), n, [None, pa.py_buffer(opened)]),
        "severity": pa.array([rng.choice(severities) for _ in range(n)]).dictionary_encode(),
    }
    if tiers:
        columns["tier"] = pa.array([rng.choice(tiers) for _ in range(n)]).dictionary_encode()
    if zones:
        columns["zone"] = pa.array([rng.choice(zones) for _ in range(n)]).dictionary_encode()
    for name in ("response", *events):
        columns[f"achieved.{name}"] = pa.array(
            [t + rng.randrange(300, 7200) * US if rng.random() < 0.8 else None for t in opened],
            pa.int64()).cast(pa.timestamp("us", TZ))
    columns["pauses"] = pa.array(
        [[{"start": t + 3600 * US, "end": t + 3 * 3600 * US, "reason": "customer_info"}]
         if rng.random() < 0.05 else None for t in opened],
        pa.list_(pa.struct([("start", pa.int64()), ("end", pa.int64()),
                            ("reason", pa.string())])))
    columns["customer"] = pa.array([f"customer-{rng.randrange(50)}" for _ in range(n)]
                                   ).dictionary_encode()
    return pa.table(columns)


def core_seconds(policy: sla.Policy, starts: list[int]) -> float:
    """The core's int ``add_many`` (or ``deadline_many``) once per metric on ``starts``: each
    metric's first rule with a target."""
    calls = []
    rules = [*(r for s in policy.severities for r in s.targets), *policy.targets]
    for metric in policy.metrics():
        for rule in rules:
            target = policy.target_of(rule) if rule.metric == metric else None
            if target is not None:
                calls.append(target)
                break
    best = float("inf")
    for _ in range(3):
        gc.collect()
        t0 = time.perf_counter()
        for target in calls:
            if isinstance(target, sla.Within):
                target.calendar.add_many(starts, target.duration)
            else:
                target.deadline_many(starts)
        best = min(best, time.perf_counter() - t0)
    return best


def child(name: str, n: int, path: str) -> None:
    """One policy, in this process: read, evaluate, export, and the core on the same starts
    (the Parquet file was written by another process, so the peak RSS is the pipeline's)."""
    warnings.simplefilter("ignore", sla.HorizonWarning)
    policy = load(name)
    # warm the calendars' years and lookup tables, as the core timing below also is
    sla.evaluate_table(policy, pq.read_table(path).slice(0, 5000), NOW)
    gc.collect()
    t0 = time.perf_counter()
    cases = pq.read_table(path)
    t1 = time.perf_counter()
    c1 = time.process_time()
    results = sla.evaluate_table(policy, cases, NOW)
    cpu = time.process_time() - c1
    t2 = time.perf_counter()
    frame = results.to_pandas(dtype_backend="pyarrow")
    t3 = time.perf_counter()
    rows = len(frame)
    statuses = frame["status"].value_counts().to_dict()
    del frame
    t4 = time.perf_counter()
    classic = results.to_pandas()
    t5 = time.perf_counter()
    assert len(classic) == rows
    del classic, results
    starts = [t // US for t in cases.column("opened").cast(pa.int64()).to_pylist()]
    core = core_seconds(policy, starts)
    print(json.dumps({
        "policy": name, "cases": n, "metrics": len(policy.metrics()), "rows": rows,
        "read": t1 - t0, "evaluate": t2 - t1, "export": t3 - t2, "export_numpy": t5 - t4,
        "evaluate_cpu": cpu,
        "core": core, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "statuses": {str(k): int(v) for k, v in statuses.items()},
    }))


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def stream(n: int, src: str, dst: str) -> None:
    """``n`` cases Parquet -> Parquet, a record batch at a time, in this process."""
    warnings.simplefilter("ignore", sla.HorizonWarning)
    policy = load("bench-4-metrics")
    t0 = time.perf_counter()
    with pq.ParquetWriter(src, generate(policy, 1, 0).schema) as writer:
        for first in range(0, n, CHUNK * 4):
            writer.write_table(generate(policy, min(CHUNK * 4, n - first), first, first))
    print(f"stream: wrote {n:,} cases in {time.perf_counter() - t0:.1f} s; RSS {rss_mib():.1f} MiB",
          flush=True)
    t0 = time.perf_counter()
    done, marks = 0, {CHUNK, n // 10, n // 2, n}
    writer = None
    # pre_buffer=False: with pyarrow's default pre-buffering the reader keeps every row group
    # it has read until it is closed (about 23 MiB a million cases here), so RSS would grow
    for batch in pq.ParquetFile(src, pre_buffer=False).iter_batches(batch_size=CHUNK):
        table = sla.evaluate_table(policy, batch, NOW).to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(dst, table.schema)
        writer.write_table(table)
        before = done
        done += batch.num_rows
        if any(before < mark <= done for mark in marks):
            print(f"stream: {done:>12,} cases in {time.perf_counter() - t0:7.1f} s; "
                  f"RSS {rss_mib():6.1f} MiB, peak {_peak():6.1f} MiB", flush=True)
    if writer is not None:
        writer.close()
    rows = pq.ParquetFile(dst).metadata.num_rows
    print(f"stream: {n:,} cases -> {rows:,} result rows in {time.perf_counter() - t0:.1f} s "
          f"({(time.perf_counter() - t0) / n * 1e6:.2f} us a case)")


def _peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--stream-cases", type=int, default=10_000_000,
                        help="cases streamed Parquet -> Parquet (0: no stream)")
    parser.add_argument("--quick", action="store_true", help="a smoke run (CI)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    parser.add_argument("--stream-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--path", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        pq.write_table(generate(load(args.generate), args.cases, 20240101), args.path[0])
        return
    if args.child:
        child(args.child, args.cases, args.path[0])
        return
    if args.stream_child:
        stream(args.stream_cases, *args.path)
        return
    n = 2_000 if args.quick else args.cases
    m = min(20_000, args.stream_cases) if args.quick else args.stream_cases
    print(f"slacalc table benchmark: {n:,} cases, Parquet -> evaluate_table -> pandas")
    print(f"Python {platform.python_version()} on {platform.system()} {platform.release()}; "
          f"{os.cpu_count()} cores; pyarrow {pa.__version__}; load average {_load()}")
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("bench-4-metrics", "standard-contract"):
            path = os.path.join(tmp, f"{name}.parquet")
            subprocess.run([sys.executable, __file__, "--generate", name, "--cases", str(n),
                            "--path", path], check=True)
            proc = subprocess.run(
                [sys.executable, __file__, "--child", name, "--cases", str(n), "--path", path],
                check=True, capture_output=True, text=True)
            out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        head = f"{'':34s}" + "".join(f"{r['policy']:>22s}" for r in out)
        print("\n" + head)
        for label, key in (("read Parquet", "read"), ("evaluate_table", "evaluate"),
                           ("  of which CPU", "evaluate_cpu"),
                           ("to_pandas(dtype_backend='pyarrow')", "export"),
                           ("to_pandas() (NumPy dtypes)", "export_numpy")):
            print(f"{label:34s}" + "".join(
                f"{r[key]:>9.3f} s {r[key] / r['cases'] * 1e6:6.2f} us" for r in out))
        print(f"{'end to end (Arrow-backed pandas)':34s}" + "".join(
            f"{_total(r):>9.3f} s {_total(r) / r['cases'] * 1e6:6.2f} us" for r in out))
        print(f"{'end to end (NumPy-backed pandas)':34s}" + "".join(
            f"{_total(r, 'export_numpy'):>9.3f} s "
            f"{_total(r, 'export_numpy') / r['cases'] * 1e6:6.2f} us" for r in out))
        print(f"{'core add_many once per metric':34s}" + "".join(
            f"{r['core']:>9.3f} s {r['core'] / r['cases'] * 1e6:6.2f} us" for r in out))
        print(f"{'metrics; result rows':34s}" + "".join(
            f"{r['metrics']:>8d}; {r['rows']:>11,}" for r in out))
        print(f"{'peak RSS of the process':34s}" + "".join(
            f"{r['peak_rss_mib']:>17.1f} MiB" for r in out))
        for r in out:
            for label, key in (("Arrow-backed", "export"), ("NumPy-backed", "export_numpy")):
                ratio = _total(r, key) / r["core"]
                verdict = "met" if ratio <= 4 else "NOT MET"
                if args.quick:  # too few cases for the core's lookup tables: no verdict
                    verdict = "not judged (smoke run)"
                print(f"ratio end to end / core, {r['policy']:18s} ({label}): {ratio:5.2f}x   "
                      f"target <= 4x: {verdict}")
        for r in out:
            print(f"statuses, {r['policy']}: {r['statuses']}")
        if not m:
            print(f"load average at end: {_load()}")
            return
        print(f"\nstreaming {m:,} cases Parquet -> Parquet in record batches of {CHUNK:,}")
        sys.stdout.flush()
        subprocess.run(
            [sys.executable, __file__, "--stream-child", "--stream-cases", str(m), "--path",
             os.path.join(tmp, "in.parquet"), os.path.join(tmp, "out.parquet")],
            check=True)
    print(f"load average at end: {_load()}")


def _total(r: dict[str, Any], export: str = "export") -> float:
    return float(r["read"] + r["evaluate"] + r[export])


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


if __name__ == "__main__":
    main()
