"""Evaluate cases on Spark: :func:`slacalc.evaluate_table` on each Arrow batch, through
``DataFrame.mapInArrow``.

Spark hands a partition's rows to Python as Arrow record batches; :func:`evaluator` gives the
function that evaluates each batch with :func:`slacalc.evaluate_table` and writes the results in
the Arrow types Spark reads, and :func:`schema` gives the results' Spark schema (from
:func:`slacalc.result_schema` and the carried columns' own types), so nothing is written by
hand::

    import slacalc.spark as sls

    cases = sls.achieved_struct(spark.read.parquet("cases/"))
    results = cases.mapInArrow(sls.evaluator(policy, now), sls.schema(policy, cases.schema))
    results.write.parquet("results/")

Spark's types differ from the result tables' in three ways: statuses and metric names are plain
strings (Spark has no dictionary encoding), instants are Spark timestamps (instants, shown in
the session's time zone) and durations are ``interval day to second``. Needs pyspark and pyarrow
(``pip install pyspark 'slacalc[arrow]'``) where the job is defined and on every executor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from slacalc.errors import MissingDependencyError, SlaValueError
from slacalc.policy import Policy
from slacalc.table import carried_columns, evaluate_table, result_schema

try:
    import pyarrow as pa  # type: ignore[import-untyped]
    from pyspark.sql import functions
    from pyspark.sql.pandas.types import from_arrow_schema
except ImportError:  # pragma: no cover - the Spark test skips without pyspark
    raise MissingDependencyError(
        "slacalc.spark needs the optional packages 'pyspark' and 'pyarrow', which are not "
        "installed; install them with: pip install pyspark 'slacalc[arrow]'"
    ) from None

__all__ = ["achieved_struct", "arrow_schema", "evaluator", "schema"]


def _for_spark(typ: Any) -> Any:
    if pa.types.is_dictionary(typ):
        return typ.value_type
    if pa.types.is_timestamp(typ):
        return pa.timestamp("us", "UTC")
    return typ


def arrow_schema(policy: Policy, *, form: str = "long") -> Any:
    """:func:`slacalc.result_schema` in the Arrow types Spark reads back: dictionaries decoded,
    instants as UTC timestamps (the same instants), without the carried columns.

    >>> import slacalc as sla
    >>> print(arrow_schema(sla.templates.load("helpdesk")).field("deadline").type)
    timestamp[us, tz=UTC]
    """
    return pa.schema([pa.field(f.name, _for_spark(f.type), f.nullable)
                      for f in result_schema(policy, form=form)])


def schema(policy: Policy, cases: Any, *, form: str = "long",
           keep: Iterable[str] | None = None) -> Any:
    """The Spark schema (a ``StructType``) of the results of the cases whose Spark schema is
    ``cases`` (``dataframe.schema``): the result columns, then the carried columns with the
    cases' own types. ``form`` and ``keep`` are :func:`slacalc.evaluate_table`'s.
    """
    results = from_arrow_schema(arrow_schema(policy, form=form))
    by_name = {field.name: field for field in cases.fields}
    for name in carried_columns(list(by_name), keep):
        results = results.add(by_name[name])
    return results


def achieved_struct(cases: Any) -> Any:
    """``cases`` (a Spark DataFrame) with its ``achieved.<name>`` columns, as the case files
    and :func:`slacalc.io.cases_to_arrow` write them, folded into one ``achieved`` struct
    column with a field per name: ``mapInArrow`` cannot take a column whose name holds a dot
    (Spark reads it as a field access). Cases without such columns come back as they are.
    """
    names = list(cases.columns)
    dotted = [c for c in names if c.startswith("achieved.")]
    if not dotted:
        return cases
    if "achieved" in names:
        raise SlaValueError(
            "the cases have both an 'achieved' column and achieved.<name> columns; give each "
            "achievement once")

    def column(name: str) -> Any:
        return functions.col("`" + name.replace("`", "``") + "`")

    folded = functions.struct(*[column(c).alias(c[len("achieved."):]) for c in dotted])
    return cases.select(*[column(c) for c in names if c not in dotted], folded.alias("achieved"))


class _Evaluator:
    """The picklable function ``mapInArrow`` calls: record batches in, record batches out."""

    def __init__(self, policy: Policy, now: dt.datetime | None, form: str,
                 keep: list[str] | None) -> None:
        self.policy, self.now, self.form, self.keep = policy, now, form, keep

    def __call__(self, batches: Iterator[Any]) -> Iterator[Any]:
        target = arrow_schema(self.policy, form=self.form)
        for batch in batches:
            table = evaluate_table(self.policy, batch, self.now, form=self.form,
                                   keep=self.keep).to_arrow()
            arrays = [table.column(i).cast(target.field(i).type) if i < len(target)
                      else table.column(i) for i in range(table.num_columns)]
            yield from pa.table(arrays, names=table.column_names).to_batches()


def evaluator(policy: Policy, now: dt.datetime | None = None, *, form: str = "long",
              keep: Iterable[str] | None = None) -> Any:
    """The function to pass to ``DataFrame.mapInArrow`` with :func:`schema`: each record batch
    of cases is evaluated with :func:`slacalc.evaluate_table` as of ``now`` and comes back as
    record batches of results in the types :func:`schema` declares. It pickles small (the
    policy's rules), and its calendars compile their tables once per executor process.
    """
    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a slacalc.Policy, not {type(policy).__name__}")
    return _Evaluator(policy, now, form, None if keep is None else list(keep))
