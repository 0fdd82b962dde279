"""Benchmark: one process against a two-worker Dask LocalCluster, on cases in Parquet.

    python benchmarks/bench_dask.py [--cases N] [--workers W] [--rows-per-file R] [--quick]

The cases (``bench_table.generate``: the 4-metric policy of ``bench_policy.py``, 5 % with a
pause, 80 % with a recorded response) are generated once into a temporary directory of Parquet
files, a chunk at a time. Then the same work two ways, each ending in a row count of the
long-form results (nothing written, so both pay the same):

* one process: ``pyarrow.parquet`` reads a batch, ``evaluate_table`` evaluates it (the chunk
  function, timed on its own in CPU time), ``to_arrow`` builds the Arrow results;
* Dask: ``dd.read_parquet(..., dtype_backend="pyarrow")`` and ``slacalc.dask.evaluate`` on a
  ``distributed.LocalCluster`` of W single-threaded worker processes, twice: with Dask's
  defaults, and with ``slacalc.dask.WORKER_CONFIG`` (Arrow's jemalloc pool in the workers,
  without Dask's malloc trim threshold and the workers' statistical profiler).

The one process is timed with Arrow's default pool and again, in a subprocess, with jemalloc
(slacalc builds its result columns in jemalloc in both; the pool is that of everything else,
reading Parquet first); the speed-up is against the faster of the two, so the workers' settings
are not a head start. The engine's overhead is against the first (the default pool).

Printed: per-stage wall times, CPU time summed over every process (client and workers), the
chunk function's cost per case on one core, the engine's overhead per row (the cluster's
summed CPU time less the one process's, per case), the speed-up in wall time, and the load
average (the machine may be shared: compare ratios within one run). Targets: the chunk
function at most 2 us per case; W=2 workers at least 1.7x faster in wall time than one process.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import warnings
from typing import Any

import dask
import dask.dataframe as dd
import distributed
import pyarrow as pa
import pyarrow.parquet as pq

import slacalc as sla
import slacalc.dask as sld

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_table import NOW, generate, load  # the benchmarks directory is not a package

CHUNK = 65_536


def cpu() -> float:
    """User + system CPU seconds of this process."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def write_cases(policy: sla.Policy, n: int, where: str, per_file: int) -> float:
    t0 = time.perf_counter()
    for k, first in enumerate(range(0, n, per_file)):
        size = min(per_file, n - first)
        parts = [generate(policy, min(CHUNK, size - i), seed=first + i, first=first + i)
                 for i in range(0, size, CHUNK)]
        table = pa.concat_tables(parts).combine_chunks()
        table = table.cast(parts[0].schema)
        pq.write_table(table, os.path.join(where, f"part-{k:05d}.parquet"), row_group_size=CHUNK)
    return time.perf_counter() - t0


def one_process(policy: sla.Policy, where: str) -> dict[str, float]:
    chunk = arrow = 0.0
    rows = cases = 0
    c0, w0 = cpu(), time.perf_counter()
    for name in sorted(os.listdir(where)):
        for batch in pq.ParquetFile(os.path.join(where, name)).iter_batches(batch_size=CHUNK):
            t1 = time.process_time()  # CPU time: the machine may be shared
            result = sla.evaluate_table(policy, batch, NOW)
            t2 = time.process_time()
            rows += result.to_arrow().num_rows
            t3 = time.process_time()
            chunk += t2 - t1
            arrow += t3 - t2
            cases += batch.num_rows
    wall = time.perf_counter() - w0
    spent = cpu() - c0
    return {"wall": wall, "cpu": spent, "chunk": chunk, "arrow": arrow,
            "read": spent - chunk - arrow, "rows": rows, "cases": cases}


def on_dask(policy: sla.Policy, where: str, workers: int, *,
            tuned: bool = False) -> dict[str, float]:
    """The Dask run, with Dask's defaults or with ``slacalc.dask.WORKER_CONFIG``."""
    t0 = time.perf_counter()
    config: dict[str, Any] = {}
    if tuned:
        config = sld.WORKER_CONFIG
        # an earlier cluster's nannies left Dask's default trim threshold in this process
        os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set(config), \
            distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        start = time.perf_counter() - t0
        # each worker imports slacalc and compiles the calendars once: a fixed cost per worker
        # process, timed apart from the per-row cost
        w0 = time.perf_counter()
        client.run(warm, policy)
        warmup = time.perf_counter() - w0
        before = client.run(cpu)
        c0, w0 = cpu(), time.perf_counter()
        cases = dd.read_parquet(where, dtype_backend="pyarrow")
        results = sld.evaluate(policy, cases, NOW)
        rows = int(results.map_partitions(len).sum().compute())
        wall = time.perf_counter() - w0
        after = client.run(cpu)
        spent = sum(after[w] - before[w] for w in after) + cpu() - c0
        parts = cases.npartitions
    return {"wall": wall, "cpu": spent, "start": start, "warmup": warmup, "rows": rows,
            "partitions": parts}


def _one_in_child(policy: sla.Policy, where: str, out: Any) -> None:
    warnings.simplefilter("ignore", sla.HorizonWarning)
    warm(policy)
    out.put((pa.default_memory_pool().backend_name, one_process(policy, where)))


def one_process_jemalloc(policy: sla.Policy, where: str) -> tuple[str, dict[str, float]]:
    """:func:`one_process` in a fresh process whose Arrow pool is jemalloc (the variable must
    be set before pyarrow is imported)."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    before = os.environ.get("ARROW_DEFAULT_MEMORY_POOL")
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "jemalloc"
    try:
        proc = ctx.Process(target=_one_in_child, args=(policy, where, out))
        proc.start()
    finally:
        if before is None:
            del os.environ["ARROW_DEFAULT_MEMORY_POOL"]
        else:
            os.environ["ARROW_DEFAULT_MEMORY_POOL"] = before
    result = out.get()
    proc.join()
    return result  # type: ignore[no-any-return]


def _side(policy: sla.Policy, path: str, barrier: Any, out: Any) -> None:
    """Evaluate one file's cases once to build the tables, then three times after every
    process is ready: the least CPU time per case of the three."""
    warnings.simplefilter("ignore", sla.HorizonWarning)
    table = pq.read_table(path)
    sla.evaluate_table(policy, table, NOW)
    barrier.wait()
    best = float("inf")
    for _ in range(3):
        c0 = time.process_time()
        sla.evaluate_table(policy, table, NOW)
        best = min(best, time.process_time() - c0)
    out.put(best / table.num_rows)


def side_by_side(policy: sla.Policy, where: str, workers: int) -> tuple[float, float]:
    """The machine's own ceiling: CPU per case of one plain process alone, then of ``workers``
    plain processes started together on the same file (no engine at all)."""
    path = os.path.join(where, sorted(os.listdir(where))[0])
    ctx = multiprocessing.get_context("spawn")
    per_case = []
    for count in (1, workers):
        barrier, out = ctx.Barrier(count), ctx.Queue()
        procs = [ctx.Process(target=_side, args=(policy, path, barrier, out))
                 for _ in range(count)]
        for proc in procs:
            proc.start()
        results = [out.get() for _ in procs]
        for proc in procs:
            proc.join()
        per_case.append(sum(results) / len(results))
    return per_case[0], per_case[1]


def warm(policy: sla.Policy) -> int:
    """Evaluate a few cases in this process (imports and calendar tables, once per process)."""
    return sla.evaluate_table(policy, generate(policy, 100, seed=0), NOW).num_cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rows-per-file", type=int, default=500_000)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20,000 cases")
    args = parser.parse_args()
    n = 20_000 if args.quick else args.cases
    per_file = 5_000 if args.quick else args.rows_per_file
    policy = load("bench-4-metrics")
    metrics = len(policy.metrics())
    where = tempfile.mkdtemp(prefix="slacalc-bench-dask-")
    warnings.simplefilter("ignore", sla.HorizonWarning)
    try:
        print(f"python {platform.python_version()}, {platform.machine()}, "
              f"{os.cpu_count()} cores; load average before: {os.getloadavg()}")
        gen = write_cases(policy, n, where, per_file)
        size = sum(os.path.getsize(os.path.join(where, f)) for f in os.listdir(where))
        print(f"generated {n:,} cases into {len(os.listdir(where))} Parquet files "
              f"({size / 2**20:.0f} MiB) in {gen:.1f} s")
        gc.collect()
        warm(policy)  # the same first evaluation as the workers', not counted
        one = one_process(policy, where)
        assert one["cases"] == n and one["rows"] == n * metrics
        print(f"one process: {one['wall']:.1f} s wall, {one['cpu']:.1f} s CPU | CPU: read "
              f"{one['read']:.1f} s, evaluate_table {one['chunk']:.1f} s, to_arrow "
              f"{one['arrow']:.1f} s")
        per_case = one["chunk"] / n * 1e6
        print(f"chunk function: {per_case:.2f} us per case ({per_case / metrics:.2f} us per "
              f"result row) on one core; with to_arrow "
              f"{(one['chunk'] + one['arrow']) / n * 1e6:.2f} us per case (target: <= 2 us)")
        pool, jem = one_process_jemalloc(policy, where)
        print(f"one process, Arrow pool {pool}: {jem['wall']:.1f} s wall, {jem['cpu']:.1f} s "
              f"CPU (Arrow pool {pa.default_memory_pool().backend_name} above)")
        baseline = min(one["wall"], jem["wall"])
        alone, together = side_by_side(policy, where, args.workers)
        print(f"the machine's ceiling: one plain process {alone * 1e6:.2f} us per case alone, "
              f"{together * 1e6:.2f} us per case with {args.workers} side by side: at most "
              f"{args.workers * alone / together:.2f}x faster with {args.workers} workers")
        print(f"load average: {os.getloadavg()}")
        for tuned, label in ((False, "Dask's defaults"),
                             (True, "slacalc.dask.WORKER_CONFIG")):
            dsk = on_dask(policy, where, args.workers, tuned=tuned)
            assert dsk["rows"] == n * metrics
            print(f"dask ({label}), {args.workers} workers, {dsk['partitions']} partitions: "
                  f"{dsk['wall']:.1f} s wall, {dsk['cpu']:.1f} s CPU summed over processes "
                  f"(not counted: cluster start {dsk['start']:.1f} s, workers' first "
                  f"evaluation {dsk['warmup']:.1f} s)")
            overhead = (dsk["cpu"] - one["cpu"]) / n * 1e6
            print(f"  engine overhead: {overhead:.2f} us CPU per case "
                  f"({overhead / metrics:.2f} us per result row)")
            print(f"  speed-up in wall time: {baseline / dsk['wall']:.2f}x against the "
                  f"faster one process (target: >= 1.7x with 2 workers)")
            print(f"  load average after: {os.getloadavg()}")
    finally:
        shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    main()
