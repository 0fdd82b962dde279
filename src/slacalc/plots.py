"""Plots of evaluations and reports with matplotlib (the optional extra ``slacalc[plot]``).

Each function draws on the given ``ax`` (or on a new figure) and returns the matplotlib
``Axes``, so a notebook shows it and a script can save it with ``ax.figure.savefig(...)``.

* :func:`on_time` - the share of promises kept per period: from a :class:`~slacalc.Report`
  (its ``on_time`` measures, with their thresholds) or from evaluations (met / (met +
  breached) per metric, by the month, quarter or year each promise fell due in).
* :func:`remaining` - the distribution of the time left at achievement (or at ``now``) per
  metric; below zero is late.

matplotlib is imported when a function is called, never when slacalc is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from slacalc.errors import SlaValueError, echo, optional_module

__all__ = ["on_time", "remaining"]

_PERIODS = ("month", "quarter", "year")
_UNITS = {"m": 60.0, "h": 3600.0, "d": 86_400.0}
_UNIT_NAMES = {"m": "minutes", "h": "hours", "d": "days"}


def _pyplot() -> Any:
    return optional_module("matplotlib.pyplot", "plot")


def _axes(ax: Any, size: tuple[float, float]) -> Any:
    if ax is not None:
        if not hasattr(ax, "bar") or not hasattr(ax, "figure"):
            raise SlaValueError(f"ax must be a matplotlib Axes (or None for a new figure), "
                                f"not {echo(ax)}")
        return ax
    plt = _pyplot()
    _, new = plt.subplots(figsize=size)
    return new


def _period_label(day: dt.date, period: str) -> tuple[tuple[int, int], str]:
    if period == "month":
        return (day.year, day.month), f"{day.year:04d}-{day.month:02d}"
    if period == "quarter":
        q = (day.month - 1) // 3 + 1
        return (day.year, q), f"{day.year:04d}-Q{q}"
    return (day.year, 1), f"{day.year:04d}"


def _evaluations(source: Any, name: str) -> list[Any]:
    if isinstance(source, (str, bytes)) or not isinstance(source, Iterable):
        raise SlaValueError(f"{name} must be a Report or an iterable of evaluations, not "
                            f"{echo(source)}")
    items = list(source)
    for i, ev in enumerate(items):
        if not hasattr(ev, "results") or not hasattr(ev, "case_id"):
            raise SlaValueError(f"{name}[{i}]={echo(ev)} is not an evaluation (from "
                                "slacalc.evaluate or evaluate_many)")
    return items


def _series_from_report(report: Any, metric: str | None) -> tuple[list[str], dict[str, Any]]:
    """(period labels in order, {measure: ({label: share}, threshold)}) of on_time rows."""
    rows = [r for r in report.rows if r.kind == "on_time" and (metric is None or
                                                               r.metric == metric)]
    order: dict[str, tuple[dt.date, dt.date]] = {}
    series: dict[str, Any] = {}
    for r in rows:
        order.setdefault(r.period, (r.end, r.start))
        values, _ = series.setdefault(r.measure, ({}, r.threshold))
        values[r.period] = r.value
    labels = sorted(order, key=lambda p: (order[p][0], -order[p][1].toordinal()))
    return labels, series


def _series_from_evaluations(evaluations: list[Any], metric: str | None,
                             period: str) -> tuple[list[str], dict[str, Any]]:
    counts: dict[str, dict[tuple[int, int], list[int]]] = {}
    names: dict[tuple[int, int], str] = {}
    for ev in evaluations:
        for r in ev.results:
            if (metric is not None and r.metric != metric) or r.status not in ("met",
                                                                               "breached"):
                continue
            when = getattr(r, "due", None) or r.deadline or r.achieved
            if when is None:
                continue
            key, label = _period_label(when.date(), period)
            names[key] = label
            slot = counts.setdefault(r.metric, {}).setdefault(key, [0, 0])
            slot[0 if r.status == "met" else 1] += 1
    labels = [names[k] for k in sorted(names)]
    series = {
        m: ({names[k]: met / (met + late) for k, (met, late) in per.items()}, None)
        for m, per in counts.items()
    }
    return labels, series


def on_time(source: Any, *, metric: str | None = None, period: str = "month",
            ax: Any = None) -> Any:
    """Bars of the share on time per period, one colour per measure or metric.

    ``source`` is a :class:`~slacalc.Report` (its ``on_time`` rows, each measure's threshold
    drawn as a dashed line) or an iterable of evaluations (met / (met + breached) of each metric
    per ``period`` - ``"month"``, ``"quarter"`` or ``"year"`` - of the day each promise fell
    due, in the zone of its deadline). ``metric`` keeps one metric. Returns the ``Axes``.
    """
    if period not in _PERIODS:
        raise SlaValueError(f"period={echo(period)} is not a period; use month, quarter or year")
    if hasattr(source, "rows") and hasattr(source, "policy"):
        labels, series = _series_from_report(source, metric)
        title = f"on time per period: {source.policy}"
    else:
        labels, series = _series_from_evaluations(_evaluations(source, "source"), metric, period)
        title = f"on time per {period}"
    axes = _axes(ax, (max(6.0, 0.6 * len(labels) * max(len(series), 1) + 2) + 2.5, 3.6))
    width = 0.8 / max(len(series), 1)
    for i, (name, (values, threshold)) in enumerate(series.items()):
        xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(labels))]
        heights = [values.get(label) for label in labels]
        bars = axes.bar([x for x, h in zip(xs, heights, strict=True) if h is not None],
                        [h * 100 for h in heights if h is not None], width=width * 0.95,
                        label=name)
        if threshold is not None:
            colour = bars.patches[0].get_facecolor() if bars.patches else None
            axes.axhline(threshold * 100, linestyle="--", linewidth=1, color=colour)
    axes.set_xticks(range(len(labels)))
    axes.set_xticklabels(labels, rotation=45 if len(labels) > 8 else 0, ha="right"
                         if len(labels) > 8 else "center")
    axes.set_ylim(0, 105)
    axes.set_ylabel("on time (%)")
    axes.set_title(title)
    if series:
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    return axes


def remaining(evaluations: Any, *, metric: str | None = None, unit: str = "h", bins: int = 30,
              ax: Any = None) -> Any:
    """Histogram of the time left at achievement (or at ``now`` for open cases), per metric,
    in ``unit`` (``"m"``, ``"h"`` or ``"d"``); a line marks the deadline, and bars left of it
    are late. Results without a time left (pending, not applicable) are left out.
    Returns the ``Axes``.
    """
    if unit not in _UNITS:
        raise SlaValueError(f"unit={echo(unit)} is not a unit; use 'm', 'h' or 'd'")
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise SlaValueError(f"bins must be a positive int, not {echo(bins)}")
    items = _evaluations(evaluations, "evaluations")
    scale = _UNITS[unit]
    data: dict[str, list[float]] = {}
    for ev in items:
        for r in ev.results:
            if r.remaining is None or (metric is not None and r.metric != metric):
                continue
            data.setdefault(r.metric, []).append(r.remaining.total_seconds() / scale)
    axes = _axes(ax, (7.0, 3.6))
    if data:
        axes.hist(list(data.values()), bins=bins, label=list(data), histtype="stepfilled",
                  alpha=0.55)
        axes.legend(loc="upper right", fontsize="small")
    axes.axvline(0, color="#d64545", linewidth=1.5)
    top = axes.get_ylim()[1]
    axes.text(0, top * 0.97, " deadline", color="#d64545", va="top")
    axes.set_xlabel(f"time left ({_UNIT_NAMES[unit]}; negative: late)")
    axes.set_ylabel("results")
    axes.set_title("time left at achievement" + (f": {metric}" if metric else ""))
    return axes
