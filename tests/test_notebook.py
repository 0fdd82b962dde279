"""docs/analysis.ipynb runs top to bottom in a fresh kernel, without errors, and shows what it
says it shows: the row count, the month x severity breakdown, the breach list, one case's
explanation and a plot.

The checks run in an extra cell appended to a copy of the notebook, in the same kernel, so
they read the notebook's own variables; the expected counts are computed there from the
generated columns, not from slacalc.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "analysis.ipynb"

CHECKS = '''
import json as _json
_metrics = len(policy.metrics())
_checks = {
    "cases": len(columns["id"]),
    "rows": len(frame),
    "rows_expected": len(columns["id"]) * _metrics,
    "breakdown_columns": list(breakdown.columns),
    "months": sorted(breakdown["month"].unique()),
    "severities": sorted(breakdown["severity"].unique()),
    "breakdown_counts": int(breakdown["met"].sum() + breakdown["breached"].sum()),
    "judged": int(frame["status"].isin(["met", "breached"]).sum()),
    "breaches": len(breach_list),
    "all_late": bool((breach_list["late_by"] > pd.Timedelta(0)).all()),
    "explained_case": evaluation.case_id == case_id,
    "report_columns": list(report.to_pandas().columns),
    "customers": sorted(report.to_pandas()["customer"].unique()),
}
print("CHECKS " + _json.dumps(_checks))
'''


def test_analysis_notebook_runs() -> None:
    """Executing the notebook raises nothing; 100,000 cases give 10 rows each under the
    standard contract; the breakdown has month, severity, met, breached and on_time for the
    eleven months generated and four severities, and counts every judged row; every listed
    breach was late; the result table and the case's SVG timeline show as HTML; the plot cell
    shows a PNG."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(CHECKS))
    nbclient.NotebookClient(nb, timeout=240, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    (line,) = [o.text for o in outputs if o.output_type == "stream" and "CHECKS " in o.text]
    checks = json.loads(line.split("CHECKS ", 1)[1])
    assert checks["cases"] == 100_000
    assert checks["rows"] == checks["rows_expected"] == 1_000_000
    assert checks["breakdown_columns"] == ["month", "severity", "met", "breached", "on_time"]
    assert checks["months"] == [f"2026-{m:02d}" for m in range(1, 13)][:len(checks["months"])]
    assert len(checks["months"]) in (11, 12)  # opened Jan-Nov; a late reply may fall due in Dec
    assert checks["severities"] == ["A", "B", "C", "D"]
    assert checks["breakdown_counts"] == checks["judged"] > 0
    assert checks["breaches"] > 0 and checks["all_late"]
    assert checks["explained_case"]
    assert checks["report_columns"][:2] == ["period", "customer"]
    # the sample file's customer column, broken down by
    assert checks["customers"] == ["Harbor Bank", "Metro Power", "Riverside Hospital"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("<svg" in page for page in html)  # the case's timeline
    assert any("results: 100,000 cases × 10 metrics" in page for page in html)
    assert any(o.output_type == "stream" and "breached" in o.text and "deadline" in o.text
               for o in outputs)  # the explanation of one case
