"""ResultTable's notebook view: the shared table view with the results' shape, first rows and
the count per status, well-formed and self-contained, with and without pyarrow."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

import pytest

import slacalc as sla

POLICY = sla.templates.load("helpdesk")
# 7x24 helpdesk, response within 30 minutes: T-1 answered after 10 (met), T-2 after 40
# (breached), T-3 not yet (running, no now).
CASES = {
    "id": ["T-1", "T-2", "T-3"],
    "opened": ["2026-01-05T10:00+08:00"] * 3,
    "severity": ["any"] * 3,
    "achieved.response": ["2026-01-05T10:10+08:00", "2026-01-05T10:40+08:00", None],
}


@pytest.mark.parametrize("arrow", [True, False])
@pytest.mark.parametrize("form", ["long", "wide"])
def test_repr_html(monkeypatch: pytest.MonkeyPatch, arrow: bool, form: str) -> None:
    """The view parses as XML, has no script or external URL, shows the shape (3 rows of
    3 cases x 1 metric), the case ids and the hand-counted statuses: met 1, breached 1,
    running 1."""
    if arrow:
        pytest.importorskip("pyarrow")
    else:
        monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow fails
    table = sla.evaluate_table(POLICY, CASES, form=form)
    page = table._repr_html_()
    ET.fromstring(page)
    assert "<script" not in page and "http" not in page
    assert "shape: (3," in page
    assert f"{form} results: 3 cases × 1 metrics" in page
    assert all(case_id in page for case_id in CASES["id"])
    assert "met 1 · breached 1 · running 1" in page


def test_large_table_shows_first_rows_only() -> None:
    """Of 40 cases only the first ten rows are drawn; the shape says 40 and the footer counts
    all 40 (running, without now)."""
    pytest.importorskip("pyarrow")
    cases = {"id": [f"T-{n:02d}" for n in range(40)],
             "opened": ["2026-01-05T10:00+08:00"] * 40, "severity": ["any"] * 40}
    page = sla.evaluate_table(POLICY, cases)._repr_html_()
    assert "shape: (40," in page
    assert "T-09" in page and "T-10" not in page
    assert "running 40" in page
