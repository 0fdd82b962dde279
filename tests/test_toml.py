"""The TOML writer (``slacalc._toml.dumps``) against the standard library's reader.

Expected texts below are written out by hand from the TOML 1.0 specification; the round-trip
properties use :mod:`tomllib` as the independent oracle and compare types as well as values
(``1 == 1.0 == True`` in Python, so plain ``==`` could not tell a float read back as an int).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import tomllib
from collections import OrderedDict
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slacalc._toml import dumps
from slacalc.errors import SlaError, SlaValueError

SH = ZoneInfo("Asia/Shanghai")
MINUTE = dt.timedelta(minutes=1)


# --- an exact comparison --------------------------------------------------------------------


def same(got: Any, want: Any) -> bool:
    """True if *got* (read back by tomllib) is exactly *want*: same types, values and offsets.

    Mappings compare as dicts (tomllib returns dicts), NaN equals NaN, the sign of a zero
    counts, and an aware datetime must keep its wall time and its UTC offset.
    """
    if isinstance(want, Mapping):
        return (
            type(got) is dict and set(got) == set(want) and all(same(got[k], want[k]) for k in want)
        )
    if isinstance(want, list):
        return (
            type(got) is list
            and len(got) == len(want)
            and all(same(g, w) for g, w in zip(got, want, strict=True))
        )
    if isinstance(want, bool):
        return type(got) is bool and got is want
    if isinstance(want, int):
        return type(got) is int and got == want
    if isinstance(want, float):
        if type(got) is not float:
            return False
        if math.isnan(want):
            return math.isnan(got)
        return got == want and math.copysign(1, got) == math.copysign(1, want)
    if isinstance(want, str):
        return type(got) is str and got == want
    if isinstance(want, dt.datetime):
        return (
            type(got) is dt.datetime
            and got.replace(tzinfo=None) == want.replace(tzinfo=None)
            and got.utcoffset() == want.utcoffset()
        )
    if isinstance(want, dt.date):
        return type(got) is dt.date and got == want
    if isinstance(want, dt.time):
        return type(got) is dt.time and got == want and got.tzinfo is None
    raise AssertionError(f"unexpected type in the expected document: {want!r}")


def roundtrip(doc: Mapping[str, Any]) -> Any:
    return tomllib.loads(dumps(doc))


# --- strategies -----------------------------------------------------------------------------

#: Characters that need care in TOML text: quotes, backslashes, TOML's own punctuation,
#: whitespace, every kind of control character, non-BMP text.
_TRICKY = st.sampled_from(
    ['"', "'", "\\", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f", "\x85", "\u2028",
     " ", ".", "=", "[", "]", "{", "}", "#", "é", "调", "😀", "\ufeff"]
)  # fmt: skip
texts = st.text(st.characters(exclude_categories=["Cs"]) | _TRICKY, max_size=12)
keys = texts

#: UTC offsets TOML can write: whole minutes, strictly inside +-24 h.
fixed_zones = st.builds(
    dt.timezone, st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: m * MINUTE)
)


def _whole_minute_offset(d: dt.datetime) -> bool:
    offset = d.utcoffset()
    return offset is not None and not offset % MINUTE


#: Datetimes in IANA zones (since 1970; earlier local mean times have second offsets).
zone_datetimes: st.SearchStrategy[dt.datetime] = st.datetimes(
    min_value=dt.datetime(1970, 1, 1), timezones=st.timezones()
).filter(_whole_minute_offset)

_common_scalars = (
    st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.integers(-1000, 1000)
    | texts
    | st.dates()
    | st.times()
    | st.datetimes()
    | st.datetimes(timezones=fixed_zones)
)
exact_scalars = _common_scalars | st.floats(allow_nan=False)
all_scalars = _common_scalars | st.floats() | zone_datetimes


def documents(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Nested dicts, lists, lists of dicts (arrays of tables) and mixed lists of *scalars*."""
    values = st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(keys, inner, max_size=4)
            | st.lists(st.dictionaries(keys, inner, max_size=3), min_size=1, max_size=3)
        ),
        max_leaves=25,
    )
    return st.dictionaries(keys, values, max_size=5)


# --- round trips ----------------------------------------------------------------------------


class TestRoundTrip:
    @given(documents(all_scalars))
    def test_reads_back_exactly(self, doc: dict[str, Any]) -> None:
        """tomllib reads back every generated document with the same types, values, offsets."""
        assert same(roundtrip(doc), doc)

    @given(documents(exact_scalars))
    def test_reads_back_equal(self, doc: dict[str, Any]) -> None:
        """The documented promise itself: ``tomllib.loads(dumps(d)) == d`` (no NaN, fixed zones)."""
        assert tomllib.loads(dumps(doc)) == doc

    @given(documents(all_scalars))
    def test_ends_with_one_newline_and_never_a_blank_line_pair(self, doc: dict[str, Any]) -> None:
        """Non-empty output ends in exactly one newline; tables are apart by one blank line."""
        text = dumps(doc)
        if doc:
            assert text.endswith("\n")
            assert not text.endswith("\n\n")
        assert "\n\n\n" not in text
        assert not text.startswith("\n")

    @pytest.mark.parametrize(
        "doc",
        [
            {},
            {"a": {}},
            {"a": {"b": {}}},
            {"a": [{}]},
            {"a": [{}, {}]},
            {"a": [{"b": [{}]}]},
            {"a": [[{}]]},
            {"a": [{}, 1]},
            {"": {"": [{"": ""}]}},
            {"a": OrderedDict(b=1), "c": MappingProxyType({"d": [1.5]})},
        ],
    )
    def test_empty_and_edge_structures(self, doc: dict[str, Any]) -> None:
        """Empty tables, empty keys, arrays of empty tables and mapping types read back exactly."""
        assert same(roundtrip(doc), doc)

    def test_zone_offsets_are_kept(self) -> None:
        """An aware datetime keeps its wall time and its UTC offset, not just its instant."""
        doc = {
            "summer": dt.datetime(2026, 7, 1, 9, tzinfo=ZoneInfo("Europe/London")),
            "winter": dt.datetime(2026, 1, 1, 9, tzinfo=ZoneInfo("Europe/London")),
            "kathmandu": dt.datetime(2026, 1, 1, 9, tzinfo=ZoneInfo("Asia/Kathmandu")),
            "utc": dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC),
        }
        got = roundtrip(doc)
        assert [got[k].utcoffset() for k in doc] == [
            dt.timedelta(hours=1),
            dt.timedelta(0),
            dt.timedelta(hours=5, minutes=45),
            dt.timedelta(0),
        ]
        assert [got[k].replace(tzinfo=None) for k in doc] == [
            dt.datetime(2026, 7, 1, 9),
            dt.datetime(2026, 1, 1, 9),
            dt.datetime(2026, 1, 1, 9),
            dt.datetime(2026, 1, 1, 9),
        ]


# --- hand-written expected output -----------------------------------------------------------


class TestExpectedText:
    """The layout ``tomli-w`` writes, checked by hand against the TOML 1.0 specification."""

    def test_policy_document(self) -> None:
        """A policy-like document: scalars, then sections; multi-line text as a multi-line
        string; small tables in arrays inline; arrays one item per line."""
        doc = {
            "name": "Gold 5x8",
            "description": 'Core "network" devices\\routers\nsecond line',
            "version": 3,
            "effective": dt.date(2026, 1, 1),
            "calendar": {
                "coverage": "5x8",
                "country": "CN",
                "cutoff": dt.time(15),
                "tz": "Asia/Shanghai",
            },
            "severities": [
                {
                    "name": "P1",
                    "targets": [
                        {"kind": "within", "within": "PT4H"},
                        {"kind": "next_business_day", "by": dt.time(17)},
                    ],
                },
                {"name": "P2", "weight": 0.5, "targets": []},
            ],
            "contacts": {"escalation": {"levels": ["L1", "L2"]}},
            "exceptions": {"2026-10-01 站点": {"closed": True}},
            "signed": dt.datetime(2025, 12, 30, 18, 5, 7, 250, tzinfo=SH),
        }
        assert dumps(doc) == (
            'name = "Gold 5x8"\n'
            'description = """\n'
            'Core \\"network\\" devices\\\\routers\n'
            'second line"""\n'
            "version = 3\n"
            "effective = 2026-01-01\n"
            "signed = 2025-12-30 18:05:07.000250+08:00\n"
            "\n"
            "[calendar]\n"
            'coverage = "5x8"\n'
            'country = "CN"\n'
            "cutoff = 15:00:00\n"
            'tz = "Asia/Shanghai"\n'
            "\n"
            "[[severities]]\n"
            'name = "P1"\n'
            "targets = [\n"
            '    { kind = "within", within = "PT4H" },\n'
            '    { kind = "next_business_day", by = 17:00:00 },\n'
            "]\n"
            "\n"
            "[[severities]]\n"
            'name = "P2"\n'
            "weight = 0.5\n"
            "targets = []\n"
            "\n"
            "[contacts.escalation]\n"
            "levels = [\n"
            '    "L1",\n'
            '    "L2",\n'
            "]\n"
            "\n"
            '[exceptions."2026-10-01 站点"]\n'
            "closed = true\n"
        )
        assert tomllib.loads(dumps(doc)) == doc

    def test_header_of_a_table_of_tables_is_implicit(self) -> None:
        """A table holding only tables gets no header; an empty one does."""
        assert dumps({"a": {"b": {"c": 1}, "d": {}}}) == "[a.b]\nc = 1\n\n[a.d]\n"

    def test_carriage_returns_keep_strings_on_one_line(self) -> None:
        """A document with a carriage return anywhere writes every string on one line, so
        ``"\\r\\n"`` stays apart from ``"\\n"``."""
        assert dumps({"a": "x\r\ny", "b": "p\nq"}) == 'a = "x\\r\\ny"\nb = "p\\nq"\n'
        assert tomllib.loads(dumps({"a": "x\r\ny", "b": "p\nq"})) == {"a": "x\r\ny", "b": "p\nq"}

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (True, "true"),
            (False, "false"),
            (0, "0"),
            (-17, "-17"),
            (2**63 - 1, "9223372036854775807"),
            (-(2**63), "-9223372036854775808"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1.5e-7, "1.5e-07"),
            (5e-324, "5e-324"),
            (math.inf, "inf"),
            (-math.inf, "-inf"),
            (math.nan, "nan"),
            ("", '""'),
            ('say "hi"', '"say \\"hi\\""'),
            ("C:\\dir", '"C:\\\\dir"'),
            ("\b\t\f\r", '"\\b\t\\f\\r"'),
            ("\x00\x01\x1b\x1f\x7f", '"\\u0000\\u0001\\u001b\\u001f\\u007f"'),
            ("é 调休 😀 \x85 \u2028", '"é 调休 😀 \x85 \u2028"'),
            ("'single'", "\"'single'\""),
            (dt.date(1, 1, 1), "0001-01-01"),
            (dt.date(2026, 10, 1), "2026-10-01"),
            (dt.time(0), "00:00:00"),
            (dt.time(23, 59, 59, 1), "23:59:59.000001"),
            (dt.datetime(2026, 10, 1, 8, 30), "2026-10-01 08:30:00"),
            (dt.datetime(2026, 10, 1, 8, 30, tzinfo=SH), "2026-10-01 08:30:00+08:00"),
            (dt.datetime(2026, 10, 1, 8, 30, tzinfo=dt.UTC), "2026-10-01 08:30:00+00:00"),
            (
                dt.datetime(2026, 10, 1, 8, 30, 0, 500000, dt.timezone(dt.timedelta(hours=-3.5))),
                "2026-10-01 08:30:00.500000-03:30",
            ),
            ([], "[]"),
            ([1, "a", 2.0], '[\n    1,\n    "a",\n    2.0,\n]'),
            ([[1], []], "[\n    [\n        1,\n    ],\n    [],\n]"),
            ([1, {"a": 1}], "[\n    1,\n    { a = 1 },\n]"),
        ],
    )
    def test_value(self, value: Any, text: str) -> None:
        """Each kind of value is written in its hand-checked TOML form."""
        assert dumps({"v": value}) == f"v = {text}\n"

    @pytest.mark.parametrize(
        ("key", "text"),
        [
            ("name", "name"),
            ("A-z_09", "A-z_09"),
            ("123", "123"),
            ("-", "-"),
            ("", '""'),
            ("a.b", '"a.b"'),
            ("a b", '"a b"'),
            ("é", '"é"'),
            ('"', '"\\""'),
            ("\n", '"\\n"'),
            ("a=b", '"a=b"'),
        ],
    )
    def test_key(self, key: str, text: str) -> None:
        """Keys are bare when TOML allows it (ASCII letters, digits, ``-``, ``_``), else quoted."""
        assert dumps({key: 1}) == f"{text} = 1\n"
        assert dumps({key: {"x": 1}}) == f"[{text}]\nx = 1\n"

    def test_deterministic(self) -> None:
        """Equal inputs built in the same order give identical text."""
        first = {"b": 1, "a": {"y": [1.5, "x"], "x": dt.date(2026, 1, 1)}}
        second = {"b": 1, "a": {"y": [1.5, "x"], "x": dt.date(2026, 1, 1)}}
        assert dumps(first) == dumps(second)


# --- rejections -----------------------------------------------------------------------------


def _self_dict() -> dict[str, Any]:
    d: dict[str, Any] = {"name": "loop"}
    d["me"] = d
    return {"outer": d}


def _self_list() -> dict[str, Any]:
    items: list[Any] = [1]
    items.append(items)
    return {"x": items}


def _self_aot() -> dict[str, Any]:
    items: list[Any] = [{"a": 1}]
    items[0]["back"] = items
    return {"x": items}


_NESTED_NONE = {
    "severities": [
        {"name": "P1"},
        {"name": "P2"},
        {"name": "P3", "targets": [{"within": None}]},
    ]
}


class TestRejects:
    @pytest.mark.parametrize(
        ("doc", "message"),
        [
            (_NESTED_NONE, "cannot write severities[2].targets[0].within = None as TOML: TOML has no null"),
            ({"a": None}, "cannot write a = None as TOML"),
            ({"a": [1, None]}, "cannot write a[1] = None"),
            ({"a": {"b": {1, 2}}}, "cannot write a.b = {1, 2} as TOML: TOML has no sets"),
            ({"a": frozenset()}, "cannot write a = frozenset() as TOML: TOML has no sets"),
            ({"a": [(1, 2)]}, "cannot write a[0] = (1, 2) as TOML: TOML arrays read back as lists"),
            ({"a": b"x"}, "cannot write a = b'x' as TOML: TOML has no bytes"),
            ({"a": bytearray(b"x")}, "cannot write a = bytearray(b'x')"),
            ({"a": dt.timedelta(hours=4)}, "a = datetime.timedelta(seconds=14400) as TOML: TOML has no durations"),
            ({"a": decimal.Decimal("1.5")}, "a = Decimal('1.5') as TOML: TOML has no value of type Decimal"),
            ({"a": object}, "TOML has no value of type type"),
            ({"a": 2**63}, "cannot write a = 9223372036854775808 as TOML: TOML integers are 64-bit"),
            ({"a": [-(2**63) - 1]}, "cannot write a[0] = -9223372036854775809"),
            ({"t": dt.time(12, tzinfo=dt.UTC)}, "cannot write t = datetime.time(12, 0, tzinfo=datetime.timezone.utc) as TOML: TOML times of day carry no offset"),
            ({"d": dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(seconds=30)))}, "its UTC offset 0:00:30 is not a whole number of minutes"),
            ({"d": {"e": dt.datetime(1900, 1, 1, tzinfo=SH)}}, "cannot write d.e = datetime.datetime(1900, 1, 1, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai')) as TOML: its UTC offset 8:05:43"),
            ({"s": "a\ud800b"}, "cannot write s = 'a\\ud800b' as TOML: it holds a lone surrogate"),
            ({"my key": {"v": None}}, 'cannot write "my key".v = None'),
            ({"a.b": [{"c": [1, {"d": set()}]}]}, 'cannot write "a.b"[0].c[1].d = set()'),
            ({1: "x"}, "cannot write the key 1 at the top level as TOML: keys must be str, not int"),
            ({"a": {("t",): 1}}, "cannot write the key ('t',) in a as TOML: keys must be str, not tuple"),
            ({"a": [{"b": 1}, {None: 1}]}, "cannot write the key None in a[1] as TOML"),
            ({"a": [1, {2.5: 1}]}, "cannot write the key 2.5 in a[1] as TOML"),
            ({"a\udc80": 1}, "cannot write the key 'a\\udc80' at the top level as TOML: it holds a lone surrogate"),
            ({"a": "x" * 200 + "\ud800"}, "cannot write a = '" + "x" * 74 + "..."),
            (_self_dict(), "cannot write outer.me as TOML: it contains itself"),
            (_self_list(), "cannot write x[1] as TOML: it contains itself"),
            (_self_aot(), "cannot write x[0].back as TOML: it contains itself"),
        ],
    )  # fmt: skip
    def test_message_names_path_and_value(self, doc: Any, message: str) -> None:
        """Each unwritable value raises SlaValueError whose message names its path and value."""
        with pytest.raises(SlaValueError) as info:
            dumps(doc)
        assert message in str(info.value)
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, SlaError)

    @pytest.mark.parametrize("data", [None, [1, 2], "a = 1", 3])
    def test_top_level_must_be_a_mapping(self, data: Any) -> None:
        """Only a mapping can be a TOML document."""
        with pytest.raises(SlaValueError, match=r"needs a mapping \(.*\) at the top level, not"):
            dumps(data)

    @given(documents(exact_scalars), st.sampled_from([None, {1, 2}, (1,), b"", 2**64]))
    def test_bad_leaf_anywhere_raises(self, doc: dict[str, Any], bad: Any) -> None:
        """A bad value added to any generated document raises, never writes broken TOML."""
        doc = {**doc, "zz_bad": {"inner": [bad]}}
        with pytest.raises(SlaValueError, match=r"zz_bad\.inner\[0\] = "):
            dumps(doc)
