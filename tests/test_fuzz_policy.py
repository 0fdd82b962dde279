"""Fuzzing every key path of every built-in policy: one value replaced at a time.

Each template's dictionary (``Policy.to_dict``) is walked; at every key path one value is
replaced by a wrong type, a 5,000-digit int, a negative number, an empty value, Unicode digits,
5,000-deep nesting, NaN, a very long string or bidi characters. Loading the result must give a
policy or a :class:`slacalc.PolicyError` (an ``SlaError``), never another exception; a policy
that loads must evaluate a case, list its dues over a year and write itself back to TOML.

In CI every key path gets one mutation (the kinds taken in turn, so each kind is used all over);
``SLACALC_FUZZ_EXAMPLES`` of 2,000 or more tries every kind at every path.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import slacalc as sla
from fuzzing import BIDI, EXAMPLES, FUZZ, HUGE, UNICODE_DIGITS, WILD, deep_dict, deep_list, guarded
from fuzzing import resolve as resolve_special

CST = dt.timezone(dt.timedelta(hours=8))
MUTATIONS: list[tuple[str, Any]] = [
    ("huge-int", HUGE), ("negative", -1), ("zero", 0), ("empty-str", ""), ("empty-list", []),
    ("empty-table", {}), ("unicode-digits", UNICODE_DIGITS), ("deep-list", deep_list(5000)),
    ("deep-table", deep_dict(5000)), ("nan", math.nan), ("inf", math.inf),
    ("long-str", "x" * 100_000), ("bidi", BIDI + "A"), ("bool", True), ("none", None),
    ("float", 0.5), ("big-int", 99999999999999999999), ("int-as-str", "9" * 5000),
    ("date", dt.date(2026, 10, 1)), ("list-of-huge", [HUGE]),
]


def key_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested tables and arrays (the root excluded)."""
    out = [path] if path else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += key_paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += key_paths(v, (*path, i))
    return out


def mutated(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


TEMPLATES = {name: sla.templates.load(name).to_dict() for name in sla.templates.names()}
PATHS = [(name, path) for name, data in TEMPLATES.items() for path in key_paths(data)]
CASE = {"id": "P1", "opened": "2026-09-30T15:01+08:00", "severity": "A", "tier": "gold",
        "zone": "city", "achieved": {"response": "2026-09-30T15:20+08:00"}}
NOW = dt.datetime(2026, 10, 10, 12, tzinfo=CST)


def exercise(data: Any) -> None:
    """Load ``data`` as a policy; if it loads, use it the ways a user would."""
    policy = guarded(lambda: sla.Policy.from_dict(data))
    if not isinstance(policy, sla.Policy):
        return
    guarded(policy.to_dict)
    guarded(lambda: sla.Policy.from_toml_text(policy.to_toml()))
    guarded(lambda: policy.dues(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    for severity in [s.id for s in policy.severities][:2] or ["A"]:
        row = dict(CASE, severity=severity, tier=policy.tiers[0].id if policy.tiers else None)
        case = guarded(lambda: sla.Case.from_dict(row))  # noqa: B023 - called at once
        if isinstance(case, sla.Case):
            guarded(lambda: sla.evaluate(policy, case, NOW).explain())  # noqa: B023
            guarded(lambda: sla.evaluate_many(policy, [case], NOW))  # noqa: B023
            guarded(lambda: sla.report(policy, [case], NOW))  # noqa: B023
    guarded(lambda: repr(policy))


def test_every_key_path_once() -> None:
    """Every key path of every template, each with one mutation (the kinds in turn)."""
    assert len(PATHS) > 500  # the sweep really walks the templates
    full = EXAMPLES >= 2000
    for i, (name, path) in enumerate(PATHS):
        kinds = MUTATIONS if full else [MUTATIONS[i % len(MUTATIONS)]]
        for _, value in kinds:
            exercise(mutated(TEMPLATES[name], path, value))


@FUZZ
@given(st.sampled_from(range(len(PATHS))), WILD)
def test_random_value_at_random_key_path(index: int, value: Any) -> None:
    """A random value (from the plausible to the absurd) at a random key path."""
    name, path = PATHS[index]
    exercise(mutated(TEMPLATES[name], path, resolve_special(value)))


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_text_loader_with_mutated_toml(name: str) -> None:
    """The TOML text loader over a template's text cut, doubled and padded with junk."""
    text = sla.templates.source(name)
    for cut in itertools.islice(range(0, len(text), max(len(text) // 40, 1)), 40):
        guarded(sla.Policy.from_toml_text, text[:cut])
        guarded(sla.Policy.from_toml_text, text[:cut] + "\n" + text[cut:].replace("=", "= [[", 1))
    guarded(lambda: sla.Policy.from_toml_text(text + "\n" + text))
    guarded(lambda: sla.Policy.from_toml_text("x = " + "[" * 5000 + "]" * 5000 + "\n" + text))
    guarded(lambda: sla.Policy.from_toml_text(text + "\nnumber = " + "9" * 5000))
    guarded(lambda: sla.Policy.from_toml_text(json.dumps(TEMPLATES[name])))
