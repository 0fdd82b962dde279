"""The Spark recipe of docs/cluster.md, run end to end on a local Spark session: cases through
``mapInArrow`` with ``slacalc.spark.evaluator`` and ``slacalc.spark.schema`` give the
single-process ``evaluate_table`` results, row for row. Skipped (cleanly) without pyspark or a
Java runtime; CI does not install Spark."""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
sql = pytest.importorskip("pyspark.sql")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

import slacalc as sla  # noqa: E402
import slacalc.io  # noqa: E402
import slacalc.spark as sls  # noqa: E402
from test_evaluate_many import NOWS, CaseMaker, seed_of  # noqa: E402

# pyspark warns about the pandas version it meets; that is not slacalc's concern here
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local session for the module: two cores, no UI, executors on this interpreter."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (sql.SparkSession.builder.master("local[2]").appName("slacalc-test")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "2")
               .getOrCreate())
    yield session
    session.stop()


def same_rows(got: Any, want: Any) -> None:
    """Two Arrow tables hold the same rows, column by column (instants compared as instants:
    aware datetimes compare in UTC)."""
    assert got.column_names == want.column_names
    assert got.num_rows == want.num_rows
    for name in want.column_names:
        assert got.column(name).to_pylist() == want.column(name).to_pylist(), name


def as_struct(table: Any) -> Any:
    """The ``achieved.<name>`` columns as one ``achieved`` struct column: Spark reads a dot in a
    column name as a field access, so the recipe gives it the struct form."""
    names = [n for n in table.column_names if n.startswith("achieved.")]
    struct = pa.StructArray.from_arrays(
        [table.column(n).combine_chunks() for n in names],
        names=[n.removeprefix("achieved.") for n in names])
    return table.drop_columns(names).append_column("achieved", struct)


def test_recipe_from_parquet(spark: Any, tmp_path: Any) -> None:
    """The documented recipe from a Parquet file written by cases_to_arrow (achieved.<name>
    columns): achieved_struct folds them so mapInArrow takes them, and the results equal
    evaluate_table's on the file as written."""
    pq = pytest.importorskip("pyarrow.parquet")
    policy = sla.templates.load("standard-contract")
    now = NOWS["mid"]
    cases = CaseMaker(policy, seed_of("spark parquet")).batch(120, now)
    table = sla.io.cases_to_arrow(cases)
    assert any(n.startswith("achieved.") for n in table.column_names)
    pq.write_table(table, tmp_path / "cases.parquet")
    frame = sls.achieved_struct(spark.read.parquet(str(tmp_path / "cases.parquet")))
    assert "achieved" in frame.columns
    assert not any(n.startswith("achieved.") for n in frame.columns)
    assert sls.achieved_struct(frame) is frame  # already folded: unchanged
    out = frame.mapInArrow(sls.evaluator(policy, now), sls.schema(policy, frame.schema))
    got = out.toArrow() if hasattr(out, "toArrow") else pa.Table.from_pandas(out.toPandas())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sla.HorizonWarning)
        want = sla.evaluate_table(policy, table, now).to_arrow()
    target = sls.arrow_schema(policy)
    want = pa.table([want.column(i).cast(target.field(i).type) if i < len(target)
                     else want.column(i) for i in range(want.num_columns)],
                    names=want.column_names)
    same_rows(got, want)


@pytest.mark.parametrize(("name", "form"), [("standard-contract", "long"),
                                            ("repairs", "long"), ("helpdesk", "wide")])
def test_map_in_arrow(spark: Any, name: str, form: str) -> None:
    """Generated cases (pauses, open pauses, severity changes, exclusions) with a carried
    column, in Spark partitions: the recipe's results equal evaluate_table's."""
    policy = sla.templates.load(name)
    now = NOWS["mid"]
    cases = CaseMaker(policy, seed_of("spark", name)).batch(150, now)
    table = as_struct(sla.io.cases_to_arrow(cases))
    table = table.append_column("customer", pa.array([f"C{i % 7}" for i in range(len(cases))]))
    frame = spark.createDataFrame(table)  # partitions keep the rows' order
    out = frame.mapInArrow(sls.evaluator(policy, now, form=form),
                           sls.schema(policy, frame.schema, form=form))
    got = out.toArrow() if hasattr(out, "toArrow") else pa.Table.from_pandas(out.toPandas())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sla.HorizonWarning)
        want = sla.evaluate_table(policy, table, now, form=form).to_arrow()
    target = sls.arrow_schema(policy, form=form)
    want = pa.table([want.column(i).cast(target.field(i).type) if i < len(target)
                     else want.column(i) for i in range(want.num_columns)],
                    names=want.column_names)
    assert out.schema.names == want.column_names
    same_rows(got, want)
    statuses = set(got.column("status" if form == "long" else got.column_names[8]).to_pylist())
    assert len(statuses) > 1  # a real mixture of outcomes, not one status everywhere
