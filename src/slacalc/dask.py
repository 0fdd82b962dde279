"""Evaluate cases on Dask: a Dask DataFrame of cases in, a Dask DataFrame of results out.

The binding has no logic of its own: every partition goes through
:func:`slacalc.evaluate_table` (the columnar chunk function), and reports are
:class:`slacalc.Tally` counters per partition, merged in a tree. Partitions are independent, so
any scheduler runs them: the threaded one, processes, or ``dask.distributed`` (a
``LocalCluster`` or a real cluster). Needs ``pip install 'slacalc[dask]'``.

>>> import datetime as dt
>>> import dask.dataframe as dd
>>> import pandas as pd
>>> import slacalc as sla
>>> import slacalc.dask as sld
>>> policy = sla.templates.load("helpdesk")
>>> cases = dd.from_pandas(pd.DataFrame({
...     "id": ["T-1", "T-2", "T-3"],
...     "opened": pd.to_datetime(["2026-10-09 10:00", "2026-10-09 11:00", "2026-10-10 09:00"]
...                              ).tz_localize("Asia/Shanghai"),
...     "severity": ["any"] * 3,
...     "customer": ["ACME", "Initech", "ACME"],
... }), npartitions=2)
>>> now = dt.datetime(2026, 10, 10, 9, 20, tzinfo=dt.timezone(dt.timedelta(hours=8)))
>>> results = sld.evaluate(policy, cases, now)     # lazy: nothing is computed yet
>>> list(results.columns[:4])
['id', 'metric', 'severity', 'tier']
>>> frame = results.compute(scheduler="threads")
>>> print(frame[["id", "status", "customer"]].to_string(index=False))
 id   status customer
T-1 breached     ACME
T-2 breached  Initech
T-3  running     ACME
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from slacalc.errors import MissingDependencyError, SlaValueError
from slacalc.io import cases_from_table
from slacalc.policy import Policy
from slacalc.report import Tally
from slacalc.table import evaluate_table

try:
    import dask.dataframe as dd
    from dask.delayed import delayed
except ImportError:  # pragma: no cover - the extra is installed wherever this is tested
    raise MissingDependencyError(
        "slacalc.dask needs the optional packages 'dask[dataframe]' (and 'distributed' for a "
        "cluster), which are not installed; install them with: pip install 'slacalc[dask]'"
    ) from None

__all__ = ["WORKER_CONFIG", "evaluate", "partition_results", "partition_tally", "report"]

#: Dask configuration for the worker processes of a cluster that runs slacalc, to set before
#: the cluster (and its workers) start: ``with dask.config.set(sld.WORKER_CONFIG):``. Each
#: setting saves work in every worker, none changes a result:
#:
#: * ``ARROW_DEFAULT_MEMORY_POOL=jemalloc``: Arrow's default allocator (mimalloc) hands a
#:   partition's buffers fresh memory each time, and the kernel zeroes it page by page;
#:   jemalloc reuses what the previous partition freed. slacalc builds its result columns in
#:   jemalloc whatever the default; the variable extends that to the rest of each task
#:   (reading the partition, the conversions around it).
#: * no ``MALLOC_TRIM_THRESHOLD_``: Dask's nannies set it to 64 KiB by default, so the C
#:   allocator gives memory back to the system after every large free and takes it again
#:   (page faults) for the next large list; slacalc's columns are large lists.
#: * ``distributed.worker.profile.enabled: false``: the statistical profiler samples every
#:   thread's stack every 10 ms for the dashboard's profile page.
#:
#: On the 2-core machine of the benchmarks, a 2-worker LocalCluster ran at 1.2x-1.6x one
#: process's speed with Dask's defaults and at 1.5x-1.8x with these settings (see the docs'
#: performance page; slacalc's own result columns use jemalloc either way). The
#: environment variables reach worker processes that nannies start (``LocalCluster``,
#: ``dask-worker`` with a nanny); workers started otherwise need them in their environment.
#: Nannies write these variables into the environment of the process that starts them, so a
#: process that started a cluster with Dask's defaults has ``MALLOC_TRIM_THRESHOLD_`` set and
#: passes it on: remove it (``os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)``) before
#: starting another cluster there.
WORKER_CONFIG: dict[str, Any] = {
    "distributed.nanny.pre-spawn-environ.ARROW_DEFAULT_MEMORY_POOL": "jemalloc",
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
}


def partition_results(cases: Any, policy: Policy, now: dt.datetime | None, form: str,
                      keep: Iterable[str] | None) -> Any:
    """One partition's results as a pandas DataFrame: :func:`slacalc.evaluate_table` on it.

    The columns are Arrow-backed (``pandas.ArrowDtype``; statuses and metric names are
    categoricals): the results' Arrow columns are handed over without a conversion (no Python
    string per row). Their names and dtypes depend
    only on the policy, the form and the partition's dtypes (an empty partition gives the same
    columns), so they can be declared before anything runs.
    """
    return evaluate_table(policy, cases, now, form=form, keep=keep).to_pandas(
        dtype_backend="pyarrow")


def evaluate(policy: Policy, cases: Any, now: dt.datetime | None = None, *,
             form: str = "long", keep: Iterable[str] | None = None) -> Any:
    """The results of a Dask DataFrame of cases, as a lazy Dask DataFrame.

    ``cases`` has the columns :func:`slacalc.evaluate_table` reads (from Parquet, CSV or any
    source Dask reads); each partition is evaluated on its own with
    :func:`slacalc.evaluate_table`, and the result's columns and dtypes (``meta``) are those of
    the results of an empty partition, known before any partition runs. ``form`` and ``keep``
    are :func:`slacalc.evaluate_table`'s. The index is that of each partition's results (0..n-1
    per partition), not the cases'.
    """
    if not isinstance(cases, dd.DataFrame):
        raise TypeError(f"cases must be a dask.dataframe.DataFrame, not {type(cases).__name__}; "
                        "for a table in memory, call slacalc.evaluate_table")
    for name in ("pauses", "severity_changes"):
        if name in cases.columns and _is_text(cases._meta[name].dtype):
            raise SlaValueError(
                f"column {name!r} of the cases is text in this Dask DataFrame, not lists of "
                "records (Dask turns object columns into strings unless told not to); read "
                "the cases with dtype_backend='pyarrow' (dd.read_parquet(..., "
                "dtype_backend='pyarrow')), or build them with "
                "dask.config.set({'dataframe.convert-string': False})")
    keep = None if keep is None else list(keep)
    meta = partition_results(cases._meta, policy, now, form, keep)
    frame: Any = cases  # (dask is untyped)
    return frame.map_partitions(partition_results, policy, now, form, keep, meta=meta,
                                enforce_metadata=False, align_dataframes=False)


def _is_text(dtype: Any) -> bool:
    """Whether a pandas dtype holds text (``string``, ``string[pyarrow]``, Arrow strings)."""
    return str(dtype).startswith(("string", "large_string"))


def partition_tally(cases: Any, policy: Policy, now: dt.datetime | None,
                    options: Mapping[str, Any]) -> Tally:
    """The :class:`slacalc.Tally` of one partition of cases (``options``: ``first``, ``last``,
    ``by``, ``period``), to be merged with the other partitions'."""
    tally = Tally(policy, now, **options)
    tally.extend(cases_from_table(cases, policy=policy))
    return tally


def _merge(tallies: list[Tally]) -> Tally:
    merged = tallies[0]
    for tally in tallies[1:]:
        merged = merged + tally
    return merged


def report(policy: Policy, cases: Any, now: dt.datetime | None = None, *,
           first: dt.date | None = None, last: dt.date | None = None,
           by: Iterable[str] | Mapping[str, Callable[[Any], Any]] | None = None,
           period: str | None = None, split_every: int = 8, compute: bool = True) -> Any:
    """:func:`slacalc.report` over a Dask DataFrame of cases: one tally per partition, merged
    ``split_every`` at a time in a tree (tallies merge associatively, so the report equals the
    report over all the cases at once).

    With ``compute=False``, a ``dask.delayed`` value of the :class:`slacalc.Report` is returned
    instead of the report, to compute with other work. The arguments are
    :func:`slacalc.report`'s.
    """
    if not isinstance(cases, dd.DataFrame):
        raise TypeError(f"cases must be a dask.dataframe.DataFrame, not {type(cases).__name__}; "
                        "for cases in memory, call slacalc.report")
    if split_every < 2:
        raise ValueError(f"split_every must be at least 2, not {split_every!r}")
    options: dict[str, Any] = {"first": first, "last": last, "by": by, "period": period}
    Tally(policy, now, **options)  # checks the arguments before any task runs
    frame: Any = cases  # (dask is untyped)
    layer = [delayed(partition_tally)(part, policy, now, options)
             for part in frame.to_delayed()]
    while len(layer) > 1:
        layer = [delayed(_merge)(layer[i:i + split_every])
                 for i in range(0, len(layer), split_every)]
    result = delayed(Tally.report)(layer[0])
    return result.compute() if compute else result
