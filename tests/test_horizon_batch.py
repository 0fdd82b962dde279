"""The lower data horizon in the batch paths: ``evaluate_many`` and ``evaluate_table`` warn
(``HorizonWarning``) or raise (``HorizonError`` with a strict calendar) for a case whose clock
uses days before the first year the holiday data vouches for, exactly when ``evaluate`` does.

China's data is vouched for from 2001: a case opened in 1995 counts days the data cannot
vouch for, one opened in 2026 does not. Expected outcomes come from ``evaluate``, the
per-case reference, and from the hand-checked years above.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from typing import Any

import pytest

import slacalc as sla

CST = dt.timezone(dt.timedelta(hours=8))
OPENED = ["1995-03-01T10:00:00+08:00", "2000-12-29T16:30:00+08:00",
          "2000-12-31T23:30:00+08:00", "2001-01-01T00:00:00+08:00",
          "2001-01-02T09:00:00+08:00", "2026-09-30T15:01:00+08:00"]
TEMPLATES = ["standard-contract", "helpdesk", "spare-parts", "severity-a-d", "onsite-zones"]


def outcome(fn: Callable[[], object]) -> str:
    """'error', 'warning' or 'silent': what a call emitted about the data horizon."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn()
        except sla.HorizonError:
            return "error"
    kinds = {w.category for w in caught}
    assert kinds <= {sla.HorizonWarning}, [str(w.message) for w in caught]
    return "warning" if kinds else "silent"


def strict(policy: sla.Policy) -> sla.Policy:
    """The same policy with every calendar strict about the data horizon."""
    data = policy.to_dict()
    for spec in data["calendars"].values():
        spec["strict"] = True
    return sla.Policy.from_dict(data)


def row(policy: sla.Policy, opened: str, achieved: bool) -> dict[str, Any]:
    severity = policy.severities[0].id if policy.severities else "A"
    out: dict[str, Any] = {"id": "H1", "opened": opened, "severity": severity}
    if policy.tiers:
        out["tier"] = policy.tiers[-1].id
    if achieved:
        t = dt.datetime.fromisoformat(opened) + dt.timedelta(hours=3)
        out["achieved"] = {m: t.isoformat() for m in policy.metrics()}
    return out


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("strict_data", [False, True])
@pytest.mark.parametrize("achieved", [False, True])
def test_batch_paths_agree_with_evaluate(name: str, strict_data: bool, achieved: bool) -> None:
    """For cases around the first vouched year, the three paths emit the same horizon outcome."""
    policy = sla.templates.load(name)
    if strict_data:
        policy = strict(policy)
    now = dt.datetime(2026, 10, 10, 12, tzinfo=CST)
    for opened in OPENED:
        data = row(policy, opened, achieved)
        case = sla.Case.from_dict(data)
        table = {"id": [case.id], "opened": [opened], "severity": [case.severity]}
        if case.tier is not None:
            table["tier"] = [case.tier]
        for metric, t in case.achieved:
            table[f"achieved.{metric}"] = [t.isoformat()]
        want = outcome(lambda: sla.evaluate(policy, case, now))  # noqa: B023 - called at once
        got_many = outcome(lambda: sla.evaluate_many(policy, [case], now))  # noqa: B023
        got_table = outcome(lambda: sla.evaluate_table(policy, table, now))  # noqa: B023
        assert (got_many, got_table) == (want, want), (name, opened)


def test_cn_before_2001_warns_in_batch() -> None:
    """Hand-checked: a CN case of 1995 warns in ``evaluate_many``; one of 2026 is silent."""
    policy = sla.templates.load("standard-contract")
    now = dt.datetime(2026, 10, 10, 12, tzinfo=CST)
    old = sla.Case.from_dict(row(policy, "1995-03-01T10:00:00+08:00", False))
    new = sla.Case.from_dict(row(policy, "2026-09-30T15:01:00+08:00", False))
    assert outcome(lambda: sla.evaluate_many(policy, [new], now)) == "silent"
    assert outcome(lambda: sla.evaluate_many(policy, [new, old], now)) == "warning"
    assert outcome(lambda: sla.evaluate_many(strict(policy), [new, old], now)) == "error"


def test_batch_results_unchanged_before_the_floor() -> None:
    """Cases sent to the per-case path for the check keep ``evaluate``'s results."""
    policy = sla.templates.load("standard-contract")
    now = dt.datetime(2026, 10, 10, 12, tzinfo=CST)
    cases = [sla.Case.from_dict(row(policy, t, True)) for t in OPENED]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sla.HorizonWarning)
        want = [sla.evaluate(policy, c, now) for c in cases]
        got = sla.evaluate_many(policy, cases, now)
    assert [e.results for e in got] == [e.results for e in want]
