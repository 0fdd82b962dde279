"""Benchmark: one process against a local Spark session, on cases in Parquet.

    python benchmarks/bench_spark.py [--cases N] [--cores W] [--rows-per-file R]

Needs pyspark and a Java runtime (not installed by CI; see docs/cluster.md). The cases are
``bench_dask.py``'s (the 4-metric policy of ``bench_policy.py``, 5 % with a pause, 80 % with
a recorded response), written once to Parquet files. Then the same work two ways, each
evaluating every case and dropping the results (Spark's ``noop`` sink; the one process counts
the Arrow rows):

* one process: ``pyarrow.parquet`` reads a batch, ``evaluate_table`` evaluates it;
* Spark: ``spark.read.parquet`` and the recipe of docs/cluster.md
  (``mapInArrow(slacalc.spark.evaluator(...), slacalc.spark.schema(...))``) on a
  ``local[W]`` session, Arrow batches of 65,536 rows.

Printed: wall times, the one process's CPU time, Spark's engine overhead per row as an upper
bound (W cores for the Spark job's wall time, less the one process's CPU time, per case), and
the speed-up. Compare ratios within one run: the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import warnings

from pyspark.sql import SparkSession

import slacalc as sla
import slacalc.spark as sls

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_dask import one_process, warm, write_cases  # the benchmarks directory is no package
from bench_table import NOW, load


def on_spark(policy: sla.Policy, where: str, cores: int) -> dict[str, float]:
    # Spark's Python workers run this interpreter (the one with slacalc installed)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    t0 = time.perf_counter()
    spark = (SparkSession.builder.master(f"local[{cores}]").appName("slacalc-bench")
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", "65536")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    start = time.perf_counter() - t0
    try:
        def run() -> float:
            cases = sls.achieved_struct(spark.read.parquet(where))
            results = cases.mapInArrow(sls.evaluator(policy, NOW),
                                       sls.schema(policy, cases.schema))
            w0 = time.perf_counter()
            results.write.format("noop").mode("overwrite").save()
            return time.perf_counter() - w0

        # the first job starts the Python workers and compiles the calendars in each: a
        # fixed cost per worker, timed apart (a job over the same files, as the real one)
        warmup = run()
        wall = run()
        partitions = spark.read.parquet(where).rdd.getNumPartitions()
    finally:
        spark.stop()
    return {"wall": wall, "start": start, "warmup": warmup, "partitions": partitions}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=2_000_000)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--rows-per-file", type=int, default=250_000)
    args = parser.parse_args()
    n, policy = args.cases, load("bench-4-metrics")
    where = tempfile.mkdtemp(prefix="slacalc-bench-spark-")
    warnings.simplefilter("ignore", sla.HorizonWarning)
    try:
        print(f"python {platform.python_version()}, {platform.machine()}, "
              f"{os.cpu_count()} cores; load average before: {os.getloadavg()}")
        gen = write_cases(policy, n, where, args.rows_per_file)
        print(f"generated {n:,} cases into {len(os.listdir(where))} Parquet files in "
              f"{gen:.1f} s")
        warm(policy)
        one = one_process(policy, where)
        print(f"one process: {one['wall']:.1f} s wall, {one['cpu']:.1f} s CPU "
              f"(evaluate_table {one['chunk'] / n * 1e6:.2f} us per case)")
        spark = on_spark(policy, where, args.cores)
        print(f"spark local[{args.cores}], {spark['partitions']} partitions: "
              f"{spark['wall']:.1f} s wall (not counted: session start {spark['start']:.1f} s, "
              f"a first job over the same files {spark['warmup']:.1f} s)")
        overhead = (spark["wall"] * args.cores - one["cpu"]) / n * 1e6
        print(f"engine overhead, upper bound: {overhead:.2f} us per case "
              f"({args.cores} cores x wall time, less the one process's CPU time)")
        print(f"speed-up in wall time: {one['wall'] / spark['wall']:.2f}x")
        print(f"load average after: {os.getloadavg()}")
    finally:
        shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    main()
