"""Edges of the policy and case layers: what a user can pass that is not a valid policy or case
gives one clear :class:`slacalc.SlaError`, never a raw ``ValueError``, ``RecursionError``,
``OverflowError``, a hang or a silent acceptance.

Expected values are written by hand (the contract's on-site table, the error's key paths);
round trips use ``tomllib`` as the reader.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
import time
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slacalc as sla
from slacalc import errors
from slacalc.cli._common import PolicyFileError
from slacalc.evaluation import Status
from slacalc.io import BadRow, BadRowError
from slacalc.policy import MAX_DEPTH, PolicyError
from slacalc.testing import policy_dicts

SH = dt.timezone(dt.timedelta(hours=8))
PLUS14 = dt.timezone(dt.timedelta(hours=14))
MINUS14 = dt.timezone(dt.timedelta(hours=-14))
FIRST = dt.datetime(1, 1, 1, tzinfo=PLUS14)  # before datetime.min in UTC
LAST = dt.datetime(9999, 12, 31, 23, 59, tzinfo=MINUS14)  # after datetime.max in UTC
BIG = "9" * 5000


def base(**extra: Any) -> dict[str, Any]:
    """A small valid policy as plain data, with ``extra`` keys replacing its own."""
    data: dict[str, Any] = {
        "name": "edge",
        "calendars": {"business": {"coverage": "5x8", "country": "CN"},
                      "always": {"coverage": "7x24", "country": "CN"}},
        "severities": [{"id": "A", "targets": [
            {"metric": "response", "calendar": "always", "within": "30m"},
            {"metric": "restore", "calendar": "business", "within": "4h"}]}],
    }
    data.update(extra)
    return data


def t(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def problems(call: Any) -> tuple[str, ...]:
    """The problems of the PolicyError ``call()`` raises."""
    with pytest.raises(PolicyError) as info:
        call()
    return info.value.problems


# -- 1. numbers past Python's int-string limit ----------------------------------------------------
class TestLongIntegers:
    @pytest.mark.parametrize(
        ("text", "path"),
        [
            (f"name = \"x\"\nversion = {BIG}\n", "version"),
            (f"name = \"x\"\n[[tiers]]\nid = \"g\"\ninspections_per_year = {BIG}\n",
             "tiers[0].inspections_per_year"),
            (f"name = \"x\"\n[calendars.b]\ncoverage = \"5x8\"\nstrict = [1, {BIG}]\n",
             "calendars.b.strict[1]"),
            (f"name = \"x\"\n[[severities]]\nid = {BIG}\n", "severities[0].id"),
            (f"x = {{ y = -{BIG} }}\n", "x.y"),
        ],
    )
    def test_toml_names_the_key_path(self, text: str, path: str) -> None:
        """A 5,000-digit integer anywhere in a TOML policy: a PolicyError naming its key path."""
        (problem,) = problems(lambda: sla.Policy.from_toml_text(text, source="p.toml"))
        assert problem == f"p.toml: {path}: an integer of 5,000 digits; numbers in a policy fit in 64 bits"

    def test_toml_inside_a_string_is_just_text(self) -> None:
        """Digits inside a string are text, read as they are (the policy's name here)."""
        policy = sla.Policy.from_toml_text(sla.Policy.from_dict(base(name=BIG)).to_toml())
        assert policy.name == BIG

    @pytest.mark.parametrize(
        ("doc", "path"),
        [
            (f'{{"name": "x", "n": {BIG}}}', "n"),
            (f'{{"tiers": [{{"id": "g", "terms": [1, -{BIG}]}}]}}', "tiers[0].terms[1]"),
        ],
    )
    def test_json_names_the_key_path(self, doc: str, path: str) -> None:
        """A 5,000-digit integer in a JSON policy: a PolicyError naming its key path."""
        assert f"{path}: an integer of 5,000 digits; numbers in a policy fit in 64 bits" in problems(
            lambda: sla.Policy.from_json_text(doc))

    @pytest.mark.parametrize("key", ["remote", "parts"])
    @pytest.mark.parametrize("spec", ["5" * 5000 + "x8", "5x8x" + "9" * 5000, "5x" + "8" * 5000])
    def test_tier_coverage_specs(self, key: str, spec: str) -> None:
        """A tier's remote/parts spec with 5,000 digits: a problem at that key, message capped."""
        found = problems(lambda: sla.Policy.from_dict(base(tiers=[{"id": "g", key: spec}])))
        assert [p for p in found if p.startswith(f"tiers[0].{key}: ")], found
        assert all(len(p) < 600 for p in found)

    def test_python_ints_past_64_bits(self) -> None:
        """From plain data, an integer past 64 bits is named by its path (the writer could not
        write it back), however long it is."""
        found = problems(lambda: sla.Policy.from_dict(base(tiers=[{"id": "g", "terms": [10**5000]}])))
        assert found == ("tiers[0].terms[0]: an integer of about 5,001 digits; numbers in a "
                         "policy fit in 64 bits",)
        found = problems(lambda: sla.Policy.from_dict(base(tiers=[{"id": "g", "terms": [2**63]}])))
        assert found[0].startswith("tiers[0].terms[0]: an integer of 19 digits")


# -- 4. nesting ----------------------------------------------------------------------------------
def nested_list(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def nested_dict(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


class TestDeepNesting:
    @pytest.mark.parametrize(
        "text",
        [
            "name = " + "[" * 5000 + "]" * 5000,
            "name = " + "{a = " * 5000 + "1" + "}" * 5000,
            "name = 1\n" + ".".join(["a"] * 5000) + " = 1\n",
            "[" + ".".join(["a"] * 5000) + "]\n",
            "[[" + ".".join(["a"] * 5000) + "]]\n",
        ],
        ids=["arrays", "inline-tables", "dotted-keys", "table-header", "array-of-tables"],
    )
    def test_toml(self, text: str) -> None:
        """5,000 levels of TOML nesting, of every kind: a PolicyError, not RecursionError."""
        (problem,) = problems(lambda: sla.Policy.from_toml_text(text))
        assert "nested" in problem and str(MAX_DEPTH) in problem

    @pytest.mark.parametrize(
        "text",
        ["[" * 5000 + "]" * 5000, '{"name": ' + '{"a": ' * 5000 + "1" + "}" * 5001],
    )
    def test_json(self, text: str) -> None:
        """5,000 levels of JSON nesting: a PolicyError, not RecursionError."""
        (problem,) = problems(lambda: sla.Policy.from_json_text(text))
        assert "nested" in problem

    @pytest.mark.parametrize("value", [nested_list(5000), nested_dict(5000)])
    def test_from_dict(self, value: Any) -> None:
        """5,000 levels of Python lists or dicts anywhere in plain data: one PolicyError naming
        where the nesting passes the limit."""
        (problem,) = problems(lambda: sla.Policy.from_dict(base(clock=value)))
        assert problem.startswith("clock")
        assert f"nested more than {MAX_DEPTH} tables or arrays deep" in problem

    def test_the_limit_is_generous(self) -> None:
        """Nesting up to the limit is read and judged by the validators as usual."""
        found = problems(lambda: sla.Policy.from_dict(base(clock=nested_dict(MAX_DEPTH - 2))))
        assert found == ("clock.a: unknown key 'a'; expected one of pause_reasons, exclude_reasons, "
                         "severity_change",)


# -- 6. the ends of datetime's range -------------------------------------------------------------
class TestEndsOfTime:
    @pytest.mark.parametrize("now", [FIRST, LAST])
    def test_evaluate_now(self, now: dt.datetime) -> None:
        """``now`` at either end of datetime's range: OutOfRangeError naming ``now``, from both
        evaluation paths."""
        policy = sla.Policy.from_dict(base())
        case = sla.Case("C", t(2026, 3, 2, 10), "A")
        for call in (lambda: sla.evaluate(policy, case, now),
                     lambda: sla.evaluate_many(policy, [case], now),
                     lambda: list(sla.evaluate_stream(policy, [case], now))):
            with pytest.raises(sla.OutOfRangeError, match=r"^now=.* cannot be read in UTC"):
                call()

    @pytest.mark.parametrize("when", [FIRST, LAST])
    def test_case_instants(self, when: dt.datetime) -> None:
        """A case opened, closed, achieved, paused or changed at either end: OutOfRangeError
        naming the field, never OverflowError."""
        opened = t(2026, 3, 2, 10)
        calls = {
            "Case.opened": lambda: sla.Case("C", when, "A"),
            "Case.closed": lambda: sla.Case("C", opened, "A", closed=when),
            "achieved['restore']": lambda: sla.Case("C", opened, "A", achieved={"restore": when}),
            "Pause.end": lambda: sla.Pause(opened, when, "customer_info"),
            "Pause.start": lambda: sla.Pause(when, None, "customer_info"),
            "SeverityChange.at": lambda: sla.SeverityChange(when, "A"),
        }
        for name, call in calls.items():
            with pytest.raises(sla.OutOfRangeError) as info:
                call()
            assert str(info.value).startswith(f"{name}={when.isoformat()} cannot be read in UTC")

    def test_ends_that_fit_in_utc_are_cases(self) -> None:
        """The first and last instants that fit in UTC are cases; evaluating one says the years
        slacalc computes (1900-2199)."""
        policy = sla.Policy.from_dict(base())
        case = sla.Case("C", dt.datetime(1, 1, 1, tzinfo=dt.UTC), "A")
        with pytest.raises(sla.OutOfRangeError, match="1900-2199"):
            sla.evaluate(policy, case)
        with pytest.raises(sla.OutOfRangeError, match="1900-2199"):
            sla.evaluate_many(policy, [case])


# -- 7. schedules that would hang dues() ---------------------------------------------------------
def schedule_policy(rule: str) -> sla.Policy:
    return sla.Policy.from_dict(base(schedules=[{"name": "s", "rule": rule,
                                                 "calendar": "business"}]))


FULL_HOURS = ",".join(str(h) for h in range(24))
FULL_MINUTES = ",".join(str(m) for m in range(60))


class TestSchedules:
    @pytest.mark.parametrize(
        ("rule", "why"),
        [
            ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be 1 or more"),
            ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be 1 or more"),
            (f"FREQ=DAILY;BYHOUR={FULL_HOURS};BYMINUTE={FULL_MINUTES};BYSECOND={FULL_MINUTES}",
             "several times a day"),
            ("FREQ=DAILY;BYMINUTE=0,30", "several times a day"),
            ("FREQ=MONTHLY;BYMONTHDAY=5;BYSECOND=1,2", "several times a day"),
            ("FREQ=HOURLY", "daily at most often"),
            ("FREQ=MINUTELY;INTERVAL=1440", "daily at most often"),
            ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never falls due"),
            ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "never falls due"),
        ],
    )
    def test_refused(self, rule: str, why: str) -> None:
        """Rules that fall more than once a day, never step on, or never fall due are refused
        at load time, with the reason, in a few seconds at most."""
        began = time.perf_counter()
        (problem,) = problems(lambda: schedule_policy(rule))
        assert problem.startswith("schedules[0].rule: ") and why in problem
        assert time.perf_counter() - began < 20

    def test_rare_rules_are_kept_and_bounded(self) -> None:
        """29 February on a Monday (every 28 years or so) is a valid rule; asking for a year
        without one returns nothing quickly."""
        policy = schedule_policy("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO")
        began = time.perf_counter()
        assert policy.dues(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == []
        assert time.perf_counter() - began < 20

    @pytest.mark.parametrize("rule", ["FREQ=DAILY;INTERVAL=0", "FREQ=DAILY;BYHOUR=1,2",
                                      "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"])
    def test_built_in_python(self, rule: str) -> None:
        """A Schedule built directly (not loaded) is checked when its dues are asked for."""
        policy = attrs.evolve(schedule_policy("FREQ=DAILY"),
                              schedules=(sla.Schedule("s", rule, "business"),))
        with pytest.raises(sla.SlaValueError, match="schedule 's': rule "):
            policy.dues(dt.date(2026, 1, 1), dt.date(2026, 1, 31))

    def test_count_still_counts_from_the_start(self) -> None:
        """COUNT=3 from the anchor 2024-01-01: January to March 2024 only."""
        policy = sla.Policy.from_dict(base(schedules=[{
            "name": "s", "rule": "FREQ=MONTHLY;BYMONTHDAY=5;COUNT=3", "calendar": "business",
            "start": dt.date(2024, 1, 1)}]))
        got = [d.nominal for d in policy.dues(dt.date(2024, 2, 1), dt.date(2026, 12, 31))]
        assert got == [dt.date(2024, 2, 5), dt.date(2024, 3, 5)]

    @pytest.mark.parametrize(("first", "last"), [(dt.date(1, 1, 1), dt.date(2026, 1, 1)),
                                                 (dt.date(2026, 1, 1), dt.date(9999, 12, 31))])
    def test_window_outside_the_years(self, first: dt.date, last: dt.date) -> None:
        """A window past the years slacalc computes is refused, not walked."""
        with pytest.raises(sla.OutOfRangeError, match="1900-2199"):
            schedule_policy("FREQ=DAILY").dues(first, last)

    def test_anchor_outside_the_years(self) -> None:
        """A schedule anchored in the year 1 is a problem at its key path."""
        (problem,) = problems(lambda: sla.Policy.from_dict(base(schedules=[{
            "name": "s", "rule": "FREQ=DAILY", "calendar": "business",
            "start": dt.date(1, 1, 1)}])))
        assert problem.startswith("schedules[0].start: 0001-01-01 is outside the years")


# -- 9. pickling every exception -----------------------------------------------------------------
def every_error() -> list[BaseException]:
    """One instance of every exception class slacalc defines."""
    simple = [cls(f"{cls.__name__}: a message") for cls in (
        errors.SlaError, errors.SlaValueError, errors.CoverageError, errors.NaiveDatetimeError,
        errors.UnknownCountryError, errors.UnknownTimezoneError, errors.DurationError,
        errors.OutOfRangeError, errors.HorizonError)]
    return [*simple, PolicyError(["a: one", "b: two"]), PolicyError(["only one"]),
            BadRowError(BadRow("cases.jsonl", 3, "bad JSON")),
            PolicyFileError("p.toml: not valid TOML"),
            errors.MissingDependencyError("plotting needs matplotlib: pip install slacalc[plot]")]


class TestPickling:
    @pytest.mark.parametrize("error", every_error(), ids=lambda e: type(e).__name__)
    def test_round_trip(self, error: BaseException) -> None:
        """Every exception survives pickling: same class, message and problems."""
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert str(back) == str(error)
        assert back.args == error.args
        if isinstance(error, PolicyError):
            assert isinstance(back, PolicyError)
            assert back.problems == error.problems
        if isinstance(error, BadRowError):
            assert isinstance(back, BadRowError)
            assert back.bad_row == error.bad_row

    def test_covers_every_class(self) -> None:
        """The list above holds every SlaError subclass the package defines."""
        def subclasses(cls: type) -> set[type]:
            return {cls} | {s for c in cls.__subclasses__() for s in subclasses(c)}

        defined = {c for c in subclasses(errors.SlaError) if c.__module__.startswith("slacalc")}
        assert defined <= {type(e) for e in every_error()}

    def test_policy_error_from_a_load(self) -> None:
        """A real load's PolicyError keeps its problems across pickling."""
        with pytest.raises(PolicyError) as info:
            sla.Policy.from_dict({"name": "x", "calendars": {}, "unknown": 1})
        back = pickle.loads(pickle.dumps(info.value))
        assert back.problems == info.value.problems and len(back.problems) >= 2


# -- 11. case ids --------------------------------------------------------------------------------
class TestCaseIds:
    @pytest.mark.parametrize(
        ("bad", "message"),
        [
            (None, "Case.id must be a str, not NoneType None"),
            (42, "Case.id must be a str, not int 42"),
            (b"T-1", "Case.id must be a str, not bytes b'T-1'"),
            ("", "Case.id must be a non-empty string"),
            ("T\x00-1", "Case.id='T\\x00-1' holds the character U+0000"),
            ("T-1\n", "Case.id='T-1\\n' holds the character U+000A"),
            ("T\x85", "Case.id='T\\x85' holds the character U+0085"),
            ("evil\u202egnp.exe", "Case.id='evil\\u202egnp.exe' holds the character U+202E"),
            ("a\u2066b", "Case.id='a\\u2066b' holds the character U+2066"),
            ("a\u202ab", "Case.id='a\\u202ab' holds the character U+202A"),
        ],
    )
    def test_refused(self, bad: Any, message: str) -> None:
        """None, non-strings, empty ids and ids with control or bidi-override characters are
        refused, naming the id escaped."""
        with pytest.raises(sla.SlaValueError) as info:
            sla.Case(bad, t(2026, 3, 2, 10), "A")
        assert str(info.value).startswith(message)

    @pytest.mark.parametrize("good", ["T-1", "工单 7", "a b", "x" * 300, "\u200b", "é"])
    def test_accepted(self, good: str) -> None:
        """Any other non-empty text is an id, kept as given."""
        assert sla.Case(good, t(2026, 3, 2, 10), "A").id == good

    def test_long_id_echo_is_capped(self) -> None:
        """A 20,000-character bad id is echoed in a short message."""
        with pytest.raises(sla.SlaValueError) as info:
            sla.Case("x" * 20_000 + "\x00", t(2026, 3, 2, 10), "A")
        assert len(str(info.value)) < 400


# -- 12. achievements, names and now -------------------------------------------------------------
class TestAchievements:
    def test_before_opened_is_refused(self) -> None:
        """An achievement before the opening is refused like a ``closed`` before it."""
        with pytest.raises(sla.SlaValueError, match=r"achieved\['restore'\]=2026-03-02T09:59:00\+08:00 is before Case.opened"):
            sla.Case("C", t(2026, 3, 2, 10), "A", achieved={"restore": t(2026, 3, 2, 9, 59)})

    def test_at_opened_is_fine(self) -> None:
        """Achieved the instant the case was opened (in another zone): met, nothing used."""
        policy = sla.Policy.from_dict(base())
        case = sla.Case("C", t(2026, 3, 2, 10), "A",
                        achieved={"response": t(2026, 3, 2, 10).astimezone(dt.UTC)})
        result = sla.evaluate(policy, case)["response"]
        assert (result.status, result.used) == ("met", dt.timedelta(0))

    @pytest.mark.parametrize(("typo", "closest"), [("respnse", "response"),
                                                   ("restor", "restore"),
                                                   ("diagnosd", "diagnosed")])
    def test_misspelt_name_names_the_closest(self, typo: str, closest: str) -> None:
        """A misspelt achievement is an error naming the closest valid name, from both paths."""
        policy = sla.Policy.from_dict(base())
        case = sla.Case("C-7", t(2026, 3, 2, 10), "A", achieved={typo: t(2026, 3, 2, 10, 5)})
        expected = (f"case 'C-7': achieved['{typo}'] is not a metric or event of policy 'edge'; "
                    f"did you mean '{closest}'?")
        for call in (lambda: sla.evaluate(policy, case),
                     lambda: sla.evaluate_many(policy, [case])):
            with pytest.raises(sla.SlaValueError) as info:
                call()
            assert str(info.value).startswith(expected)

    def test_events_the_policy_starts_from_are_names(self) -> None:
        """A rule starting at a custom event makes that event a valid name."""
        policy = sla.Policy.from_dict(base(targets=[
            {"metric": "repair", "calendar": "business", "within": "8h", "start": "handover"}]))
        case = sla.Case("C", t(2026, 3, 2, 10), "A", achieved={"handover": t(2026, 3, 2, 11)})
        assert sla.evaluate(policy, case)["repair"].start == t(2026, 3, 2, 11)
        assert sla.evaluate_many(policy, [case]) == [sla.evaluate(policy, case)]

    def test_now_before_opened_is_pending(self) -> None:
        """Evaluated as of an instant before the case was opened: every clock is pending (not
        started), with a note saying why; the batch path agrees."""
        policy = sla.Policy.from_dict(base())
        case = sla.Case("C", t(2026, 3, 2, 10), "A")
        now = t(2026, 3, 2, 9)
        single = sla.evaluate(policy, case, now)
        assert [(r.metric, r.status, r.deadline, r.used) for r in single] == [
            ("response", "pending", None, None), ("restore", "pending", None, None)]
        assert all("opened after now" in r.note for r in single)
        assert sla.evaluate_many(policy, [case], now) == [single]


class TestTableAgrees:
    """``evaluate_table`` reads columns, not cases: it applies the same three rules."""

    def columns(self, **extra: list[Any]) -> dict[str, list[Any]]:
        return {"id": ["a", "b"], "opened": [t(2026, 3, 2, 10)] * 2, "severity": ["A", "A"],
                **extra}

    def test_misspelt_column(self) -> None:
        """An ``achieved.respnse`` column names the closest valid name."""
        policy = sla.Policy.from_dict(base())
        with pytest.raises(sla.SlaValueError, match="'respnse' is not a metric or event of "
                                                    "policy 'edge'; did you mean 'response'"):
            sla.evaluate_table(policy, self.columns(**{"achieved.respnse": [None, t(2026, 3, 2, 11)]}))

    def test_achieved_before_opened(self) -> None:
        """An achievement before its row's opening is refused, naming the row."""
        policy = sla.Policy.from_dict(base())
        with pytest.raises(sla.SlaValueError, match=r"achieved\.response of row 1 .* is before its opened"):
            sla.evaluate_table(policy, self.columns(**{"achieved.response": [None, t(2026, 3, 2, 9)]}))

    def test_now_before_opened(self) -> None:
        """Rows opened after ``now`` are pending, as ``evaluate`` says."""
        policy = sla.Policy.from_dict(base())
        now = t(2026, 3, 2, 9)
        statuses = sla.evaluate_table(policy, self.columns(), now).columns["status"]
        assert statuses == ["pending"] * 4


# -- 13. what is accepted can be written --------------------------------------------------------
class TestWritable:
    @pytest.mark.parametrize("count", [-1, 366, 99999999999999999999, 2**63 - 1])
    def test_inspections_bounded(self, count: int) -> None:
        """inspections_per_year outside 0-365 is a problem at its path."""
        (problem,) = problems(lambda: sla.Policy.from_dict(base(
            tiers=[{"id": "g", "inspections_per_year": count}])))
        assert problem.startswith("tiers[0].inspections_per_year")

    @pytest.mark.parametrize("count", [0, 1, 4, 365])
    def test_inspections_kept(self, count: int) -> None:
        """Counts in 0-365 load and round-trip through TOML."""
        policy = sla.Policy.from_dict(base(tiers=[{"id": "g", "inspections_per_year": count}]))
        assert policy.tiers[0].inspections_per_year == count
        assert sla.Policy.from_toml_text(policy.to_toml()) == policy

    @pytest.mark.parametrize("within", [None, 4, "", [], "0s"])
    def test_within_must_be_a_positive_duration(self, within: Any) -> None:
        """A within that is no duration is a problem at its path (never a rule without one,
        which to_toml could not write)."""
        rule = {"metric": "restore", "calendar": "business", "within": within}
        (problem,) = problems(lambda: sla.Policy.from_dict(base(severities=[{"id": "A", "targets": [rule]}])))
        assert problem.startswith("severities[0].targets[0].within: ")

    @pytest.mark.parametrize("key", ["zone", "tier", "severity"])
    def test_empty_condition_names(self, key: str) -> None:
        """``when.zone = ""`` is a problem, like ``[""]`` (its array form, which to_toml
        writes); it used to load and then not read back."""
        rule = {"metric": "restore", "calendar": "business", "within": "4h", "when": {key: ""}}
        (problem,) = problems(lambda: sla.Policy.from_dict(base(targets=[rule])))
        assert problem.startswith(f"targets[0].when.{key}: '' is not a non-empty string")

    def test_null_calendar_defaults(self) -> None:
        """``tz = null`` (JSON) means the default, as if left out, and writes back as TOML."""
        text = ('{"name": "x", "calendars": {"b": {"coverage": "5x8", "country": "CN", '
                '"tz": null, "subdiv": null, "hours": null}}, "severities": [{"id": "A", '
                '"targets": [{"metric": "restore", "calendar": "b", "within": "4h"}]}]}')
        policy = sla.Policy.from_json_text(text)
        assert policy.to_dict()["calendars"] == {"b": {"coverage": "5x8", "country": "CN"}}
        assert sla.Policy.from_toml_text(policy.to_toml()) == policy

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(policy_dicts(), st.data())
    def test_mutated_policies_are_refused_or_round_trip(self, data: dict[str, Any],
                                                        draw: st.DataObject) -> None:
        """A valid policy with one value replaced by anything: either refused with an SlaError,
        or accepted and then written by to_toml and read back equal."""
        mutated = copy.deepcopy(data)
        slots: list[tuple[Any, Any]] = []
        stack: list[Any] = [mutated]
        while stack:
            node = stack.pop()
            keys = list(node) if isinstance(node, dict) else range(len(node))
            for key in keys:
                slots.append((node, key))
                if isinstance(node[key], dict | list):
                    stack.append(node[key])
        node, key = draw.draw(st.sampled_from(slots))
        node[key] = draw.draw(WILD)
        try:
            policy = sla.Policy.from_dict(mutated)
        except sla.SlaError:
            return
        assert sla.Policy.from_toml_text(policy.to_toml()) == policy


WILD = st.one_of(
    st.integers(-(2**70), 2**70), st.sampled_from([10**5000, 2**63, -(2**63) - 1, 0, -1, 366]),
    st.floats(), st.booleans(), st.none(), st.text(max_size=8), st.dates(), st.times(),
    st.datetimes(), st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(0, 3), max_size=2),
    st.sampled_from(["７h", "١٥:٠٠", "5x8", "7x24x4", "24:00", "", "FREQ=DAILY;INTERVAL=0",
                     "FREQ=DAILY;BYHOUR=1,2", "-1h", "P1D", "95%", "A", "in", "none", "x" * 5000,
                     "9" * 5000, "5" * 5000 + "x8", "09:00-17:00"]),
)


# -- 14. echoed values are capped -----------------------------------------------------------------
class TestEcho:
    @pytest.mark.parametrize(
        "data",
        [
            base(name=["x"] * 1_000_000),
            base(tiers=[{"id": "g", "remote": "9" * 100_000}]),
            base(severities=[{"id": "A", "targets": [
                {"metric": "m" * 50_000, "calendar": "always", "within": "1h"}]}]),
            base(clock={"pause_reasons": list(range(100_000))}),
            base(severities=[{"id": "A", "targets": [
                {"metric": "restore", "calendar": "always", "within": "1" * 30_000 + "h"}]}]),
        ],
        ids=["list-name", "remote", "metric", "reasons", "duration"],
    )
    def test_messages_stay_short(self, data: dict[str, Any]) -> None:
        """Huge bad values are echoed in a few hundred characters per problem."""
        found = problems(lambda: sla.Policy.from_dict(data))
        assert all(len(p) < 800 for p in found), [len(p) for p in found]

    def test_case_messages_stay_short(self) -> None:
        """A huge bad case value is echoed short too."""
        with pytest.raises(sla.SlaValueError) as info:
            sla.Case("C", t(2026, 3, 2, 10), "A", satisfaction=["x"] * 1_000_000)  # type: ignore[arg-type]
        assert len(str(info.value)) < 400


# -- 15. lenient parsing -----------------------------------------------------------------------
class TestStrictParsing:
    def test_json_duplicate_keys(self) -> None:
        """A key given twice in one JSON object is named, at its path, however deep."""
        text = json.dumps(base())[:-1] + ', "name": "again"}'
        assert "name: the key appears more than once in one JSON object; keep one" in problems(
            lambda: sla.Policy.from_json_text(text))
        inner = '{"name": "x", "calendars": {"b": {"coverage": "5x8", "coverage": "7x24"}}}'
        assert problems(lambda: sla.Policy.from_json_text(inner))[0] == (
            "calendars.b.coverage: the key appears more than once in one JSON object; keep one")

    def test_json_reads_like_from_dict(self) -> None:
        """A valid JSON policy loads equal to the same data through from_dict."""
        assert sla.Policy.from_json_text(json.dumps(base())) == sla.Policy.from_dict(base())

    @pytest.mark.parametrize(
        ("target", "path"),
        [
            ({"within": "４h"}, "severities[0].targets[0].within"),
            ({"within": "PT١H"}, "severities[0].targets[0].within"),
            ({"next_business_day": {"cutoff": "١٥:00"}}, "severities[0].targets[0].next_business_day.cutoff"),
            ({"business_days": {"n": 2, "by": "１７:00"}}, "severities[0].targets[0].business_days.by"),
        ],
    )
    def test_unicode_digits_in_targets(self, target: dict[str, Any], path: str) -> None:
        """Digits other than ASCII 0-9 in a duration or a time of day are a problem."""
        rule = {"metric": "restore", "calendar": "business", **target}
        (problem,) = problems(lambda: sla.Policy.from_dict(base(severities=[{"id": "A", "targets": [rule]}])))
        assert problem.startswith(f"{path}: ") and "digits other than 0-9" in problem

    def test_unicode_digits_elsewhere(self) -> None:
        """Escalation offsets, schedule times, calendar hours and coverage specs, tier specs."""
        data = base(
            escalations=[{"metric": "restore", "steps": [{"name": "x", "offset": "+１h"}]}],
            schedules=[{"name": "s", "rule": "FREQ=MONTHLY", "calendar": "business", "by": "０9:00"}],
            tiers=[{"id": "g", "parts": "5x8x４"}],
        )
        data["calendars"]["odd"] = {"coverage": "5x８", "country": "CN"}
        data["calendars"]["hours"] = {"days": "business", "hours": "０9:00-17:00", "country": "CN"}
        found = problems(lambda: sla.Policy.from_dict(data))
        paths = sorted(p.split(": ")[0] for p in found)
        assert paths == ["calendars.hours.hours", "calendars.odd.coverage",
                         "escalations[0].steps[0].offset", "schedules[0].by", "tiers[0].parts"]


# -- 20. the on-site zone template against the contract's table -----------------------------------
#: The contract's table, copied by hand: hours per zone, ``None`` where the time is negotiated.
ONSITE_TABLE = {
    # zone: (normal, emergency)
    "city": (3, 1),
    "near_county": (5, 2),  # Wendeng, Rongcheng
    "far_county": (7, 3),  # Rushan
    "elsewhere": (None, None),  # other areas: negotiated
}


class TestOnsiteZones:
    @pytest.mark.parametrize("zone", sorted(ONSITE_TABLE))
    @pytest.mark.parametrize(("severity", "column"), [("normal", 0), ("emergency", 1)])
    def test_matches_the_contract(self, zone: str, severity: str, column: int) -> None:
        """Each zone and level gets the table's hours (normal in 5x8 business hours from a
        Monday 09:00 start, so hours add directly; emergency in clock hours), or no target."""
        policy = sla.templates.load("onsite-zones")
        opened = t(2026, 3, 2, 9)  # Monday, a working day, 09:00
        result = sla.evaluate(policy, sla.Case("Z", opened, severity, zone=zone))["onsite"]
        hours = ONSITE_TABLE[zone][column]
        if hours is None:
            assert (result.status, result.deadline) == ("not_applicable", None)
            assert "negotiated" in result.note
        else:
            assert result.deadline == opened + dt.timedelta(hours=hours)

    def test_standard_contract_emergencies(self) -> None:
        """The combined contract's A and B use the same emergency column."""
        policy = sla.templates.load("standard-contract")
        opened = t(2026, 3, 2, 9)
        for zone, (_, hours) in ONSITE_TABLE.items():
            for severity in ("A", "B"):
                result = sla.evaluate(policy, sla.Case("Z", opened, severity, tier="gold",
                                                       zone=zone))["onsite"]
                want = None if hours is None else opened + dt.timedelta(hours=hours)
                assert result.deadline == want, (zone, severity)

    @pytest.mark.parametrize("name", sla.templates.names())
    def test_text_cites_no_internal_documents(self, name: str) -> None:
        """A template states its clause in its own words: no design notes, issues or bugs."""
        text = sla.templates.source(name).lower()
        for word in ("design", "issue", "bug", "todo"):
            assert word not in text, (name, word)


# -- the API: statuses and reprs -----------------------------------------------------------------
class TestStatus:
    def test_values_compare_as_strings(self) -> None:
        """Each status is its string: equal, same hash, same text in f-strings and JSON."""
        for status in Status:
            text = status.value
            assert status == text and hash(status) == hash(text)
            assert f"{status}" == str(status) == text
            assert json.dumps(status) == json.dumps(text)
        assert [s.value for s in Status] == ["met", "breached", "running", "paused", "pending",
                                             "not_applicable"]
        assert sla.Status is Status

    def test_results_carry_the_enum(self) -> None:
        """Both evaluation paths give Status members."""
        policy = sla.Policy.from_dict(base())
        case = sla.Case("C", t(2026, 3, 2, 10), "A", achieved={"response": t(2026, 3, 2, 10, 5)})
        now = t(2026, 3, 2, 12)
        for evaluation in (sla.evaluate(policy, case, now), *sla.evaluate_many(policy, [case], now)):
            assert [type(r.status) for r in evaluation] == [Status, Status]
            assert [r.status for r in evaluation] == [Status.MET, Status.RUNNING]


class TestReprs:
    def test_one_line_and_short(self) -> None:
        """The big contract's reprs are one line each, a few hundred characters at most."""
        policy = sla.templates.load("standard-contract")
        case = sla.Case("T-1", t(2026, 10, 1, 23, 10), "A", tier="gold", zone="far_county",
                        achieved={"response": t(2026, 10, 1, 23, 30)})
        evaluation = sla.evaluate(policy, case, t(2026, 10, 2, 9))
        for value in (policy, policy.severities[0], policy.targets[0], case, evaluation,
                      evaluation["onsite"], *sla.evaluate_many(policy, [case], t(2026, 10, 2, 9))):
            text = repr(value)
            assert "\n" not in text and len(text) < 300, text

    def test_policy(self) -> None:
        """A policy says its name and what it holds."""
        assert repr(sla.templates.load("standard-contract")) == (
            "<Policy 'standard-contract': 4 severities, 4 tiers, 10 metrics, 3 measures>")
        assert repr(sla.templates.load("reports")) == "<Policy 'reports': 1 schedule>"

    def test_rules_and_results(self) -> None:
        """A rule shows its metric and how it is described; a result its status and deadline."""
        policy = sla.Policy.from_dict(base())
        assert repr(policy.severities[0]) == "<Severity 'A': 2 targets>"
        assert repr(policy.severities[0].targets[0]) == "<TargetRule response: within 30m (always)>"
        case = sla.Case("C", t(2026, 3, 2, 10), "A")
        evaluation = sla.evaluate(policy, case, t(2026, 3, 2, 10, 10))
        assert repr(evaluation["response"]) == (
            "<MetricResult response: running, deadline 2026-03-02T10:30:00+08:00>")
        assert repr(evaluation) == "<Evaluation 'C': response running, restore running>"
