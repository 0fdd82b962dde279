"""Shipping slacalc's values to workers: calendars and policies pickle to their rules (small),
unpickle to calendars that share the process's compiled tables, and an evaluation keeps a
result once read."""

from __future__ import annotations

import datetime as dt
import pickle
import threading
from zoneinfo import ZoneInfo

import slacalc as sla
from slacalc import _timeline

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 10, 12, 12, tzinfo=SH)


def test_calendar_pickles_small_and_equal() -> None:
    """A calendar used for years of deadlines pickles to a few hundred bytes (its definition,
    not its tables) and unpickles equal, with the same answers."""
    cal = sla.Calendar.from_coverage("5x8", country="CN", extra_holidays=["2026-12-24"])
    start = dt.datetime(2026, 9, 30, 16, tzinfo=SH)
    for year in range(2005, 2027):
        cal.add(start.replace(year=year), "40h")
    data = pickle.dumps(cal)
    assert len(data) < 600
    back = pickle.loads(data)
    assert back == cal
    # 16:00 Wed 30 Sep + 1 h -> 17:00; the National Day break (1-7 Oct, 2026) is skipped:
    # 09:00 Thu 8 Oct opens the next business day, so 4 h from 16:00 ends 12:00 on 8 Oct.
    assert back.add(start, "4h") == dt.datetime(2026, 10, 8, 12, tzinfo=SH)


def test_unpickled_calendar_compiles_once() -> None:
    """A pickled calendar unpickled 1,000 times in one process (a task each, on a worker) and
    used each time compiles its tables once, not once per unpickle."""
    cal = sla.Calendar.from_coverage("6x8", country="CN", tz="Asia/Shanghai",
                                     extra_workdays=["2026-03-07"])
    data = pickle.dumps(cal)
    start = dt.datetime(2026, 3, 2, 10, tzinfo=SH)
    before = _timeline.compilations
    answers = {pickle.loads(data).add(start, "30h") for _ in range(1000)}
    assert len(answers) == 1
    assert _timeline.compilations - before == 1


def test_policy_pickles_to_its_rules() -> None:
    """A policy used for evaluations pickles without its derived values, unpickles equal, and
    1,000 unpickled copies evaluating a table compile their calendars' tables at most once."""
    policy = sla.Policy.from_dict({
        "name": "pickled",
        "calendars": {"desk": {"coverage": "5x8", "country": "CN", "tz": "Asia/Shanghai",
                               "extra_holidays": ["2026-06-02"]}},
        "severities": [{"id": "A", "targets": [
            {"metric": "response", "calendar": "desk", "within": "2h"}]}]})
    cases = {"id": ["T-1"], "opened": ["2026-06-03T16:00:00+08:00"], "severity": ["A"]}
    now = dt.datetime(2026, 6, 4, 12, tzinfo=SH)
    first = sla.evaluate_table(policy, cases, now).records()
    data = pickle.dumps(policy)
    assert len(data) < 2000
    assert not pickle.loads(data)._derived
    before = _timeline.compilations
    for _ in range(1000):
        again = pickle.loads(data)
        assert sla.evaluate_table(again, cases, now).records() == first
    assert _timeline.compilations - before <= 1
    # 16:00-17:00 on Wed 3 June, then 09:00-10:00 on Thu 4 June (5x8: 09:00-17:00)
    assert first[0]["deadline"] == dt.datetime(2026, 6, 4, 10, tzinfo=SH)


def test_equal_calendars_share_tables_across_threads() -> None:
    """Equal calendars built in eight threads at once share one timeline (one compile)."""
    made: list[sla.Calendar] = []
    barrier = threading.Barrier(8)

    def build() -> None:
        barrier.wait()
        cal = sla.Calendar(tz="Asia/Kathmandu", hours="08:15-16:45",
                           extra_holidays=["2033-01-03"])
        cal.add(dt.datetime(2033, 1, 4, 9, tzinfo=ZoneInfo("Asia/Kathmandu")), "3h")
        made.append(cal)

    before = _timeline.compilations
    threads = [threading.Thread(target=build) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c._timeline) for c in made}) == 1
    assert _timeline.compilations - before == 1


def test_evaluation_keeps_a_result_once_read() -> None:
    """A batch evaluation's metric result, read twice, is the same object (not rebuilt), and
    is the one ``results`` then gives."""
    policy = sla.templates.load("standard-contract")
    cases = [sla.Case(f"T-{i}", dt.datetime(2026, 10, 9, 10, i, tzinfo=SH), "A")
             for i in range(3)]
    evaluations = sla.evaluate_many(policy, cases, NOW)
    first = evaluations[1]["restore"]
    assert evaluations[1]["restore"] is first
    assert next(r for r in evaluations[1].results if r.metric == "restore") is first
    assert first == sla.evaluate(policy, cases[1], NOW)["restore"]


def test_evaluation_read_in_threads_gives_one_object() -> None:
    """Eight threads reading one metric of one evaluation at once all get the same object."""
    policy = sla.templates.load("standard-contract")
    case = sla.Case("T-1", dt.datetime(2026, 10, 9, 10, tzinfo=SH), "B")
    evaluation = sla.evaluate_many(policy, [case], NOW)[0]
    got: list[object] = []
    barrier = threading.Barrier(8)

    def read() -> None:
        barrier.wait()
        got.append(evaluation["response"])

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(r) for r in got}) == 1
