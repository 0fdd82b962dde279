"""Plot helpers, drawn with matplotlib's Agg backend; expected bar heights and histogram
counts are counted by hand from the cases below."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest

import slacalc as sla
from slacalc import plots
from slacalc.errors import MissingDependencyError, SlaError, SlaValueError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

TZ = dt.timezone(dt.timedelta(hours=8))
POLICY = sla.Policy.from_dict({
    "name": "desk",
    "calendars": {"always": {"coverage": "7x24", "tz": "Asia/Shanghai"}},
    "severities": [{"id": "A", "targets": [
        {"metric": "response", "calendar": "always", "within": "1h"},
        {"metric": "restore", "calendar": "always", "within": "4h"}]}],
    "measures": [{"name": "restore_on_time", "kind": "on_time", "metric": "restore",
                  "at_least": "75%", "period": "month", "calendar": "always"}],
})


def case(n: int, month: int, day: int, restore_h: float, response_m: int = 30) -> sla.Case:
    opened = dt.datetime(2026, month, day, 9, tzinfo=TZ)
    return sla.Case(f"T-{n}", opened, "A", achieved={
        "response": opened + dt.timedelta(minutes=response_m),
        "restore": opened + dt.timedelta(hours=restore_h)})


# July: restores of 1h, 3h (met), 5h (late) -> 2/3; August: 2h, 6h -> 1/2; responses all met
CASES = [case(1, 7, 1, 1), case(2, 7, 2, 3), case(3, 7, 3, 5), case(4, 8, 3, 2),
         case(5, 8, 4, 6, response_m=90)]


@pytest.fixture(autouse=True)
def _close_figures() -> object:
    import matplotlib.pyplot as plt  # noqa: PLC0415

    yield None
    plt.close("all")


def heights(ax: object) -> list[float]:
    return [round(p.get_height(), 6) for p in ax.patches]  # type: ignore[attr-defined]


class TestOnTime:
    def test_from_a_report(self) -> None:
        """One bar per month at the share on time, and the 75% threshold as a line."""
        report = sla.report(POLICY, CASES)
        ax = plots.on_time(report)
        assert heights(ax) == [round(200 / 3, 6), 50.0]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["2026-07", "2026-08"]
        assert any(list(line.get_ydata()) == [75.0, 75.0] for line in ax.get_lines())

    def test_from_evaluations(self) -> None:
        """Per metric and month of the deadline: restore 2/3 and 1/2, response 3/3 and 1/2."""
        evaluations = sla.evaluate_many(POLICY, CASES)
        ax = plots.on_time(evaluations)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["response", "restore"]
        assert heights(ax) == [100.0, 50.0, round(200 / 3, 6), 50.0]

    def test_one_metric_per_quarter(self) -> None:
        """``metric`` keeps one; ``period="quarter"`` counts July and August together: 3/5."""
        ax = plots.on_time(sla.evaluate_many(POLICY, CASES), metric="restore", period="quarter")
        assert heights(ax) == [60.0]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["2026-Q3"]

    def test_draws_on_given_axes(self) -> None:
        """With ``ax``, it draws there and returns it."""
        import matplotlib.pyplot as plt  # noqa: PLC0415

        _, ax = plt.subplots()
        assert plots.on_time(sla.report(POLICY, CASES), ax=ax) is ax

    @pytest.mark.parametrize(("args", "kwargs", "match"), [
        ((CASES[0],), {}, "not an evaluation|iterable"),
        (("abc",), {}, "iterable"),
        (([],), {"period": "week"}, "period"),
        (([],), {"ax": 3}, "ax must be a matplotlib Axes"),
    ])
    def test_bad_input(self, args: tuple[object, ...], kwargs: dict[str, Any],
                       match: str) -> None:
        """Bad sources, periods and axes are refused by name."""
        with pytest.raises(SlaValueError, match=match):
            plots.on_time(*args, **kwargs)


class TestRemaining:
    def test_histogram_of_time_left(self) -> None:
        """Restore time left (hours): 3, 1, -1, 2, -2; five 1h bins from -2 to 3 hold 1, 1, 0,
        1 and 2 (the last bin is closed: 2 and 3)."""
        ax = plots.remaining(sla.evaluate_many(POLICY, CASES), metric="restore", bins=5)
        (poly,) = ax.patches  # a "stepfilled" histogram is one outline per metric
        xs = sorted({round(x, 6) for x, _ in poly.get_xy()})
        assert xs == [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
        assert {round(y, 6) for _, y in poly.get_xy()} == {0.0, 1.0, 2.0}
        assert any(list(line.get_xdata()) == [0, 0] for line in ax.get_lines())
        assert "negative: late" in ax.get_xlabel()

    def test_counts_per_bin(self) -> None:
        """The counts behind the histogram, in minutes: response left 30m x4 and -30m x1."""
        ax = plots.remaining(sla.evaluate_many(POLICY, CASES), metric="response", unit="m",
                             bins=2)
        (poly,) = ax.patches
        ys = [round(y, 6) for _, y in poly.get_xy()]
        assert max(ys) == 4.0 and 1.0 in ys

    @pytest.mark.parametrize(("kwargs", "match"), [({"unit": "s"}, "unit"),
                                                   ({"bins": 0}, "bins")])
    def test_bad_input(self, kwargs: dict[str, object], match: str) -> None:
        """Bad units and bin counts are refused by name."""
        with pytest.raises(SlaValueError, match=match):
            plots.remaining([], **kwargs)  # type: ignore[arg-type]


def test_missing_matplotlib_says_how_to_install() -> None:
    """Without matplotlib, a clear error names the extra to install."""
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import slacalc\nfrom slacalc import plots\n"
        "try:\n    plots.remaining([])\n"
        "except slacalc.MissingDependencyError as e:\n    print(isinstance(e, ImportError), e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("True ") and "slacalc[plot]" in out
    assert issubclass(MissingDependencyError, SlaError)
