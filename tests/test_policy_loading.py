"""Loading and validating policies: ``Policy.from_dict`` / ``from_toml`` / ``from_toml_text``.

Every invalid policy raises :class:`slacalc.PolicyError` (a ``ValueError``) whose ``problems``
list has one entry per problem, each starting with the key path and naming the bad value. The
expected paths and values below are written out by hand from ``docs/policy-files.md``.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import tomllib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slacalc as sla

Data = dict[str, Any]


def base() -> Data:
    """A small valid policy: one calendar, one tier, one severity, one ladder."""
    return {
        "name": "helpdesk",
        "calendars": {"business": {"coverage": "5x8", "country": "CN"}},
        "tiers": [{"id": "gold", "remote": "7x24", "parts": "5x8xNBD"}],
        "severities": [{"id": "A", "targets": [
            {"metric": "restore", "calendar": "business", "within": "4h"}]}],
        "escalations": [{"metric": "restore", "steps": [{"name": "expert", "at": 0.5}]}],
    }


def target(data: Data) -> Data:
    """The base policy's one target (to mutate in place)."""
    result: Data = data["severities"][0]["targets"][0]
    return result


def step(data: Data) -> Data:
    """The base policy's one escalation step (to mutate in place)."""
    result: Data = data["escalations"][0]["steps"][0]
    return result


def problems(data: Any) -> tuple[str, ...]:
    """The problems ``Policy.from_dict`` reports for ``data`` (it must reject it)."""
    with pytest.raises(sla.PolicyError) as info:
        sla.Policy.from_dict(data)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, sla.SlaError)
    assert info.value.problems
    for problem in info.value.problems:
        assert problem in str(info.value)
    return info.value.problems


def mutated(change: Callable[[Data], Any]) -> Data:
    data = base()
    change(data)
    return data


def retarget(kind: str, spec: Any) -> Callable[[Data], None]:
    """A change replacing the target's ``within`` by ``kind = spec``."""

    def change(data: Data) -> None:
        t = target(data)
        del t["within"]
        t[kind] = spec

    return change


def test_the_base_policy_is_valid() -> None:
    """The policy every case below breaks is itself valid (so each problem is the one made)."""
    policy = sla.Policy.from_dict(base())
    assert [s.id for s in policy.severities] == ["A"]
    assert [t.id for t in policy.tiers] == ["gold"]
    assert policy.severity("A").targets[0].duration == dt.timedelta(hours=4)


# Each: (what, change, key path, text naming the bad value).
ONE_PROBLEM: list[tuple[str, Callable[[Data], Any], str, str]] = [
    ("unknown top-level key", lambda d: d.update(colour="red"), "colour", "colour"),
    ("unknown metric", lambda d: target(d).update(metric="uptime"),
     "severities[0].targets[0].metric", "'uptime'"),
    ("malformed duration", lambda d: target(d).update(within="4 hours"),
     "severities[0].targets[0].within", "'4 hours'"),
    ("signed duration", lambda d: target(d).update(within="-4h"),
     "severities[0].targets[0].within", "'-4h'"),
    ("zero duration", lambda d: target(d).update(within="0m"),
     "severities[0].targets[0].within", "'0m'"),
    ("duration not a string", lambda d: target(d).update(within=4),
     "severities[0].targets[0].within", "4"),
    ("unknown coverage in a tier", lambda d: d["tiers"][0].update(parts="fast"),
     "tiers[0].parts", "'fast'"),
    ("unknown calendar", lambda d: target(d).update(calendar="weekend"),
     "severities[0].targets[0].calendar", "'weekend'"),
    ("missing calendar", lambda d: target(d).pop("calendar"),
     "severities[0].targets[0].calendar", "required"),
    ("two target kinds", lambda d: target(d).update(next_day={"by": "18:00"}),
     "severities[0].targets[0]", "within, next_day"),
    ("no target kind", lambda d: target(d).pop("within"),
     "severities[0].targets[0]", "found none"),
    ("business_days n negative", retarget("business_days", {"n": -1}),
     "severities[0].targets[0].business_days.n", "-1"),
    ("business_days n not a number", retarget("business_days", {"n": "ten"}),
     "severities[0].targets[0].business_days.n", "'ten'"),
    ("unknown key in a day target", retarget("next_day", {"by": "18:00", "at": "x"}),
     "severities[0].targets[0].next_day.at", "at"),
    ("escalation beyond 100 % without an offset", lambda d: step(d).update(at=1.5),
     "escalations[0].steps[0].at", "1.5"),
    ("escalation at zero", lambda d: step(d).update(at=0),
     "escalations[0].steps[0].at", "0"),
    ("escalation at a percentage string", lambda d: step(d).update(at="50%"),
     "escalations[0].steps[0].at", "'50%'"),
    ("escalation with at and offset", lambda d: step(d).update(offset="-1h"),
     "escalations[0].steps[0]", "at"),
    ("escalation with a malformed offset", lambda d: step(d).update(offset="soon") or step(d).pop("at"),
     "escalations[0].steps[0].offset", "'soon'"),
    ("unknown hold_until calendar", lambda d: step(d).update(hold_until="pager"),
     "escalations[0].steps[0].hold_until", "'pager'"),
    ("escalation without steps", lambda d: d["escalations"][0].update(steps=[]),
     "escalations[0].steps", "at least one"),
    ("escalation for an unknown metric", lambda d: d["escalations"][0].update(metric="mood"),
     "escalations[0].metric", "'mood'"),
    ("two ladders for one metric", lambda d: d["escalations"].append(
        {"metric": "restore", "steps": [{"name": "x", "offset": "+1h"}]}),
     "escalations", "'restore'"),
    ("duplicate tier ids", lambda d: d["tiers"].append({"id": "gold"}), "tiers", "'gold'"),
    ("duplicate severity ids", lambda d: d["severities"].append({"id": "A"}),
     "severities", "'A'"),
    ("bad severity_change", lambda d: d.update(clock={"severity_change": "reset"}),
     "clock.severity_change", "'reset'"),
    ("pause_reasons not an array", lambda d: d.update(clock={"pause_reasons": "rain"}),
     "clock.pause_reasons", "'rain'"),
    ("unknown clock key", lambda d: d.update(clock={"pause": []}), "clock.pause", "pause"),
    ("hours condition without a calendar", lambda d: target(d).update(when={"hours": "in"}),
     "severities[0].targets[0].when.hours_calendar", "None"),
    ("hours condition neither in nor out", lambda d: target(d).update(
        when={"hours": "inside", "hours_calendar": "business"}),
     "severities[0].targets[0].when.hours", "'inside'"),
    ("severity condition on a severity's target", lambda d: target(d).update(
        when={"severity": ["A"]}),
     "severities[0].targets[0].when.severity", "severity"),
    ("empty zone list", lambda d: target(d).update(when={"zone": []}),
     "severities[0].targets[0].when.zone", "[]"),
    ("missing name", lambda d: d.pop("name"), "name", "required"),
    ("severity id not a string", lambda d: d["severities"][0].update(id=True),
     "severities[0].id", "True"),
    ("tier onsite not a boolean", lambda d: d["tiers"][0].update(onsite="yes"),
     "tiers[0].onsite", "'yes'"),
    ("tier terms not positive", lambda d: d["tiers"][0].update(terms=[0]),
     "tiers[0].terms", "[0]"),
    ("tiers not an array", lambda d: d.update(tiers={}), "tiers", "{}"),
    ("calendar without a time zone", lambda d: d["calendars"].update(
        night={"days": "all", "hours": "20:00-24:00"}), "calendars.night", "tz"),
    ("calendar with an unknown zone", lambda d: d["calendars"].update(
        night={"coverage": "7x8", "tz": "Mars/Base"}), "calendars.night", "'Mars/Base'"),
    ("calendar with malformed hours", lambda d: d["calendars"].update(
        night={"coverage": "7x8", "tz": "UTC", "hours": "9-5"}), "calendars.night", "'9-5'"),
    ("calendar with both coverage and days", lambda d: d["calendars"].update(
        night={"coverage": "7x8", "days": "all", "tz": "UTC"}), "calendars.night", "coverage"),
]


@pytest.mark.parametrize(("change", "path", "value"), [c[1:] for c in ONE_PROBLEM],
                         ids=[c[0] for c in ONE_PROBLEM])
def test_one_problem_is_one_entry_naming_path_and_value(
    change: Callable[[Data], Any], path: str, value: str
) -> None:
    """Each single mistake gives exactly one problem, starting with its key path and naming
    the bad value (or the key, where the key is what is wrong)."""
    (problem,) = problems(mutated(change))
    assert problem.startswith(f"{path}: "), problem
    assert value in problem, problem


def test_unknown_coverage_is_one_problem() -> None:
    """A calendar with an unknown coverage is one problem naming the calendar and the coverage
    (the target naming that calendar is not reported as naming an unknown one)."""
    (problem,) = problems(mutated(lambda d: d["calendars"]["business"].update(coverage="6x25")))
    assert problem.startswith("calendars.business"), problem
    assert "'6x25'" in problem


def test_unknown_coverage_names_calendar_and_value() -> None:
    """A calendar with an unknown coverage is reported at its path with the bad spec."""
    found = problems(mutated(lambda d: d["calendars"]["business"].update(coverage="fortnightly")))
    first = [p for p in found if p.startswith("calendars.business")]
    assert len(first) == 1
    assert "'fortnightly'" in first[0]


def test_unknown_calendar_key_is_one_problem() -> None:
    """An unknown key in a calendar table is one problem at ``calendars.NAME.KEY``."""
    (problem,) = problems(mutated(lambda d: d["calendars"]["business"].update(colour="x")))
    assert problem.startswith("calendars.business.colour: ")


def test_bad_cutoff_names_its_key() -> None:
    """A cutoff that is not a time of day is reported at ``....next_business_day.cutoff``."""
    (problem,) = problems(mutated(retarget("next_business_day", {"cutoff": "25:00"})))
    assert problem.startswith("severities[0].targets[0].next_business_day.cutoff: "), problem
    assert "'25:00'" in problem


def test_bad_cutoff_names_the_value() -> None:
    """A cutoff that is not a time of day is one problem under the target naming ``'25:00'``."""
    (problem,) = problems(mutated(retarget("next_business_day", {"cutoff": "25:00"})))
    assert problem.startswith("severities[0].targets[0].next_business_day"), problem
    assert "'25:00'" in problem


def test_bad_cutoff_and_bad_by_are_two_problems() -> None:
    """Two bad times in one target table are two problems."""
    found = problems(mutated(retarget("next_day", {"cutoff": "25:00", "by": "late"})))
    assert len(found) == 2
    assert any("'25:00'" in p for p in found)
    assert any("'late'" in p for p in found)


def test_none_false_names_the_value() -> None:
    """``none = false`` is one problem at ``...none`` naming ``False``."""
    (problem,) = problems(mutated(retarget("none", False)))
    assert problem.startswith("severities[0].targets[0].none: ")
    assert "False" in problem


def test_none_false_is_one_problem_at_its_path() -> None:
    """``none = false`` is one problem at ``...none``, telling to write ``none = true``."""
    (problem,) = problems(mutated(retarget("none", False)))
    assert problem.startswith("severities[0].targets[0].none: ")
    assert "none = true" in problem


def test_empty_severities_are_rejected() -> None:
    """A policy without severities (nor policy-level targets) is one problem naming them."""
    (problem,) = problems(mutated(lambda d: d.update(severities=[], escalations=[])))
    assert "severities" in problem


def test_empty_calendars_are_rejected() -> None:
    """A policy needs at least one named calendar: an empty table is one problem."""
    data = mutated(lambda d: d.update(calendars={}))
    target(data).update(calendar=None, none=True)
    del target(data)["within"]
    del target(data)["calendar"]
    (problem,) = problems(data)
    assert problem.startswith("calendars: ")


def test_missing_sections_are_all_reported() -> None:
    """A table without name, calendars and severities reports each missing section."""
    found = problems({"description": "nothing yet"})
    assert len(found) == 3
    heads = [p.split(":")[0] for p in found]
    assert heads[:2] == ["name", "calendars"]
    assert "severities" in found[2]


@pytest.mark.parametrize("data", [None, [], "policy.toml", 3])
def test_a_policy_must_be_a_table(data: Any) -> None:
    """Anything but a mapping is one problem naming its type."""
    (problem,) = problems(data)
    assert type(data).__name__ in problem


def test_several_problems_are_reported_together() -> None:
    """Independent mistakes across the file are reported at once, one entry each, in file
    order, each with its own path and value."""

    def change(d: Data) -> None:
        d["colour"] = "red"
        target(d).update(metric="uptime", within="4 hours")
        d["tiers"].append({"id": "gold"})
        step(d).update(hold_until="pager")
        d["clock"] = {"severity_change": "reset"}

    found = problems(mutated(change))
    assert [p.split(": ")[0] for p in found] == [
        "colour",
        "tiers",
        "severities[0].targets[0].metric",
        "severities[0].targets[0].within",
        "escalations[0].steps[0].hold_until",
        "clock.severity_change",
    ]
    for value, problem in zip(["colour", "'gold'", "'uptime'", "'4 hours'", "'pager'", "'reset'"],
                              found, strict=True):
        assert value in problem
    assert f"invalid policy: {len(found)} problems" in _message(mutated(change))


def _message(data: Data) -> str:
    try:
        sla.Policy.from_dict(data)
    except sla.PolicyError as exc:
        return str(exc)
    raise AssertionError("the policy was accepted")


# -- explicit regressions for crashes found by the fuzz test ------------------------------------
CRASHES: list[tuple[str, Callable[[Data], Any]]] = [
    ("list as calendar name", lambda d: target(d).update(calendar=[])),
    ("table as hours_calendar", lambda d: target(d).update(
        when={"hours": "in", "hours_calendar": {}})),
    ("list as hold_until", lambda d: step(d).update(hold_until=[None])),
    ("huge duration", lambda d: target(d).update(within="99999999999d")),
    ("huge offset", lambda d: step(d).update(offset="-99999999999d") or step(d).pop("at")),
]


@pytest.mark.parametrize("change", [c[1] for c in CRASHES], ids=[c[0] for c in CRASHES])
def test_odd_values_are_problems_not_crashes(change: Callable[[Data], Any]) -> None:
    """Values of the wrong type or size are reported as one problem, never a crash."""
    assert len(problems(mutated(change))) == 1


# -- files ----------------------------------------------------------------------------------------
def test_from_toml_reads_a_file(tmp_path: pathlib.Path) -> None:
    """A TOML policy file loads to the same policy as its dict."""
    path = tmp_path / "helpdesk.toml"
    path.write_text(
        'name = "helpdesk"\n'
        "[calendars.business]\n"
        'coverage = "5x8"\n'
        'country = "CN"\n'
        "[[severities]]\n"
        'id = "A"\n'
        "[[severities.targets]]\n"
        'metric = "restore"\n'
        'calendar = "business"\n'
        'within = "4h"\n',
        encoding="utf-8",
    )
    data = base()
    del data["tiers"], data["escalations"]
    assert sla.Policy.from_toml(path) == sla.Policy.from_dict(data)
    assert sla.Policy.from_toml(str(path)) == sla.Policy.from_dict(data)


def test_from_toml_on_a_missing_file(tmp_path: pathlib.Path) -> None:
    """A missing file is a ``SlaValueError`` naming the file."""
    path = tmp_path / "nowhere.toml"
    with pytest.raises(sla.SlaValueError) as info:
        sla.Policy.from_toml(path)
    assert "nowhere.toml" in str(info.value)


def test_from_toml_on_invalid_toml(tmp_path: pathlib.Path) -> None:
    """Text that is not TOML is one problem naming the file and saying it is not valid TOML."""
    path = tmp_path / "broken.toml"
    path.write_text('name = "helpdesk\n[calendars\n', encoding="utf-8")
    with pytest.raises(sla.PolicyError) as info:
        sla.Policy.from_toml(path)
    (problem,) = info.value.problems
    assert str(path) in problem
    assert "not valid TOML" in problem


def test_from_toml_validates_the_content(tmp_path: pathlib.Path) -> None:
    """A well-formed TOML file with a bad value gives the same problems as its dict."""
    path = tmp_path / "bad.toml"
    text = ('name = "x"\ncolour = "red"\n[calendars.b]\ncoverage = "5x8"\ncountry = "CN"\n'
            '[[severities]]\nid = "A"\n')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(sla.PolicyError) as info:
        sla.Policy.from_toml(path)
    (problem,) = info.value.problems
    assert problem.startswith("colour: unknown key")
    assert info.value.problems == problems(tomllib.loads(text))


# -- evaluating a case the policy does not know ---------------------------------------------
TZ = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2025, 3, 3, 10, tzinfo=TZ)


@pytest.mark.parametrize(
    ("case", "named"),
    [
        (sla.Case("T", OPENED, "Z"), "'Z'"),
        (sla.Case("T", OPENED, "A", tier="bronze"), "'bronze'"),
        (sla.Case("T", OPENED, "A", severity_changes=[
            sla.SeverityChange(OPENED + dt.timedelta(hours=1), "E")]), "'E'"),
    ],
    ids=["severity", "tier", "severity change"],
)
def test_evaluating_an_unknown_severity_or_tier(case: sla.Case, named: str) -> None:
    """A case whose severity, tier or new severity is not in the policy raises
    ``SlaValueError`` naming it."""
    policy = sla.Policy.from_dict(base())
    with pytest.raises(sla.SlaValueError) as info:
        sla.evaluate(policy, case)
    assert named in str(info.value)
    with pytest.raises(sla.SlaValueError):
        sla.evaluate_many(policy, [case])


def test_evaluating_needs_a_case_and_an_aware_now() -> None:
    """``evaluate`` takes a ``Case`` and an aware ``now``."""
    policy = sla.Policy.from_dict(base())
    with pytest.raises(sla.SlaValueError):
        sla.evaluate(policy, {"opened": OPENED})
    with pytest.raises(sla.SlaValueError):
        sla.evaluate(policy, sla.Case("T", OPENED, "A"), now=dt.datetime(2025, 3, 3, 12))


# -- fuzz -----------------------------------------------------------------------------------------
KEYS = ("id", "name", "metric", "calendar", "within", "at", "offset", "n", "cutoff", "by",
        "coverage", "tz", "hours", "when", "steps", "targets", "none", "start", "hold_until")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats()
    | st.text(max_size=6)
    | st.sampled_from(("4h", "-1h", "5x8", "CN", "15:00", "business", "restore", "A", "in")),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5) | st.sampled_from(KEYS), children, max_size=3),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


def _only_documented_errors(data: Any) -> None:
    try:
        sla.Policy.from_dict(data)
    except sla.PolicyError as exc:
        assert exc.problems
    except sla.SlaError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=5)
                       | st.sampled_from((*KEYS, "calendars", "severities", "tiers")),
                       json_values, max_size=5) | json_values)
def test_fuzz_arbitrary_data_only_raises_policy_errors(data: Any) -> None:
    """Arbitrary JSON-like data is either a policy or a ``PolicyError``/``SlaError``: never a
    ``TypeError``, ``KeyError`` or ``AttributeError``."""
    _only_documented_errors(data)


def rich() -> Data:
    """A valid policy using every section and target kind (the fuzz test breaks one value)."""
    data = base()
    data["description"] = "clauses 4.1-4.3"
    data["calendars"]["always"] = {"days": "all", "hours": "00:00-24:00", "tz": "Asia/Shanghai",
                                   "extra_holidays": ["2025-06-03"]}
    data["tiers"].append({"id": "diamond", "onsite": True, "inspections_per_year": 4,
                          "terms": [1, 3]})
    data["severities"][0]["targets"] += [
        {"metric": "onsite", "calendar": "always", "within": "PT30M",
         "when": {"zone": ["city"], "tier": "gold", "hours": "in", "hours_calendar": "business"}},
        {"metric": "parts_ship", "calendar": "business",
         "next_business_day": {"cutoff": "15:00", "by": "17:00"}},
        {"metric": "parts_arrive", "calendar": "always", "next_day": {"by": "18:00"}},
        {"metric": "repair", "calendar": "business", "business_days": {"n": 10, "by": "17:00"},
         "start": "diagnosed"},
        {"metric": "onsite", "none": True},
    ]
    data["targets"] = [{"metric": "reply", "calendar": "business", "within": "1d",
                        "when": {"severity": ["A"]}}]
    data["escalations"][0]["steps"] += [
        {"name": "vendor", "offset": "-1h", "notify": "TAC", "hold_until": "business"}]
    data["clock"] = {"pause_reasons": ["customer_info"], "exclude_reasons": ["force_majeure"],
                     "severity_change": "shorter"}
    return data


def test_the_rich_policy_is_valid() -> None:
    """The fuzz test's starting point is a valid policy with every kind of entry."""
    policy = sla.Policy.from_dict(rich())
    assert [t.kind for t in policy.severity("A").targets] == [
        "within", "within", "next_business_day", "next_day", "business_days", "none"]
    assert len(policy.ladder("restore").steps) == 2  # type: ignore[union-attr]


RICH_PATHS = list(_paths(rich()))[1:]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(RICH_PATHS), st.booleans(), json_values)
def test_fuzz_one_odd_value_only_raises_policy_errors(path: tuple[Any, ...], drop: bool,
                                                      value: Any) -> None:
    """A valid policy with one value replaced by arbitrary JSON-like data (or one key removed)
    is either a policy or a ``PolicyError``/``SlaError``."""
    broken = rich()
    parent: Any = broken
    for key in path[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and drop:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    _only_documented_errors(broken)
