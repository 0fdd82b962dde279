"""``Case``, ``Pause`` and ``SeverityChange``: validation, immutability, hashing, pickling,
and the normalised order of a case's events."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slacalc as sla
from slacalc import testing as ps

CST = dt.timezone(dt.timedelta(hours=8))
SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
PLUS13 = dt.timezone(dt.timedelta(hours=13))
T0 = dt.datetime(2026, 10, 1, 23, 10, tzinfo=CST)
HOUR = dt.timedelta(hours=1)
NAIVE = dt.datetime(2026, 10, 1, 23, 10)


def case(**kwargs: Any) -> sla.Case:
    return sla.Case("T-1", T0, "A", **kwargs)


class TestPause:
    def test_fields(self) -> None:
        """A pause keeps its start, end and reason as given."""
        p = sla.Pause(T0, T0 + HOUR, "customer_info")
        assert (p.start, p.end, p.reason) == (T0, T0 + HOUR, "customer_info")
        assert sla.Pause(T0, None, "vendor_defect").end is None

    def test_empty_pause_is_allowed(self) -> None:
        """A pause may end where it starts (it stops nothing)."""
        assert sla.Pause(T0, T0, "x").end == T0

    @pytest.mark.parametrize(("start", "end", "named"), [
        (NAIVE, None, "Pause.start"),
        (T0, NAIVE + HOUR, "Pause.end"),
    ])
    def test_naive_datetimes_are_rejected(self, start: dt.datetime, end: dt.datetime | None,
                                          named: str) -> None:
        """A naive start or end raises ``NaiveDatetimeError`` naming the field."""
        with pytest.raises(sla.NaiveDatetimeError, match=named):
            sla.Pause(start, end, "x")

    @pytest.mark.parametrize("value", ["2026-10-01T10:00+08:00", dt.date(2026, 10, 1), 0])
    def test_non_datetimes_are_rejected(self, value: Any) -> None:
        """A start that is not a datetime raises ``SlaValueError`` naming it."""
        with pytest.raises(sla.SlaValueError, match=r"Pause\.start"):
            sla.Pause(value, None, "x")

    def test_end_before_start_is_rejected(self) -> None:
        """An end before the start raises, naming both (compared as instants: 23:10+08:00 is
        after 11:00 New York the same day)."""
        with pytest.raises(sla.SlaValueError, match=r"before Pause\.start"):
            sla.Pause(T0, T0 - dt.timedelta(seconds=1), "x")
        later_instant = dt.datetime(2026, 10, 1, 11, 30, tzinfo=NY)  # 23:30 +08:00
        assert sla.Pause(T0, later_instant, "x").end == later_instant
        with pytest.raises(sla.SlaValueError):
            sla.Pause(T0, dt.datetime(2026, 10, 1, 11, 0, tzinfo=NY), "x")  # 23:00 +08:00

    @pytest.mark.parametrize("reason", ["", None, 3])
    def test_reason_must_be_a_non_empty_string(self, reason: Any) -> None:
        """An empty or non-string reason raises ``SlaValueError`` naming ``Pause.reason``."""
        with pytest.raises(sla.SlaValueError, match=r"Pause\.reason"):
            sla.Pause(T0, None, reason)


class TestSeverityChange:
    def test_fields(self) -> None:
        """A change keeps its instant and new severity."""
        c = sla.SeverityChange(T0, "B")
        assert (c.at, c.severity) == (T0, "B")

    def test_naive_instant_is_rejected(self) -> None:
        """A naive ``at`` raises ``NaiveDatetimeError``."""
        with pytest.raises(sla.NaiveDatetimeError, match=r"SeverityChange\.at"):
            sla.SeverityChange(NAIVE, "B")

    @pytest.mark.parametrize("severity", ["", None])
    def test_severity_must_be_named(self, severity: Any) -> None:
        """An empty severity raises ``SlaValueError``."""
        with pytest.raises(sla.SlaValueError, match=r"SeverityChange\.severity"):
            sla.SeverityChange(T0, severity)


class TestCaseValidation:
    def test_defaults(self) -> None:
        """A case needs only an id, an opened instant and a severity."""
        c = sla.Case("T-1", T0, "A")
        assert (c.tier, c.zone, c.excluded) == (None, None, None)
        assert (c.achieved, c.pauses, c.severity_changes) == ((), (), ())
        assert c.achieved_at("response") is None

    def test_id_must_be_a_string(self) -> None:
        """A numeric id is refused (silently turning ``None`` into ``'None'`` hid mistakes)."""
        with pytest.raises(sla.SlaValueError, match=r"Case\.id must be a str, not int 42"):
            sla.Case(42, T0, "A")  # type: ignore[arg-type]

    def test_naive_opened_is_rejected(self) -> None:
        """A naive ``opened`` raises ``NaiveDatetimeError`` naming ``Case.opened``."""
        with pytest.raises(sla.NaiveDatetimeError, match=r"Case\.opened"):
            sla.Case("T-1", NAIVE, "A")

    def test_opened_must_be_a_datetime(self) -> None:
        """A string ``opened`` raises ``SlaValueError``."""
        with pytest.raises(sla.SlaValueError, match=r"Case\.opened"):
            sla.Case("T-1", "2026-10-01 23:10", "A")  # type: ignore[arg-type]

    def test_naive_achieved_is_rejected(self) -> None:
        """A naive achievement time raises ``NaiveDatetimeError`` naming the metric."""
        with pytest.raises(sla.NaiveDatetimeError, match="restore"):
            case(achieved={"restore": NAIVE})

    @pytest.mark.parametrize(("field", "value"), [
        ("tier", ""), ("zone", 5), ("excluded", ""),
    ])
    def test_optional_texts_must_be_non_empty(self, field: str, value: Any) -> None:
        """Tier, zone and excluded are ``None`` or non-empty strings."""
        with pytest.raises(sla.SlaValueError, match=f"Case.{field}"):
            case(**{field: value})

    def test_empty_severity_is_rejected(self) -> None:
        """An empty severity raises ``SlaValueError``."""
        with pytest.raises(sla.SlaValueError, match=r"Case\.severity"):
            sla.Case("T-1", T0, "")

    def test_achieved_names_a_metric_once(self) -> None:
        """Achieved given as pairs may not name a metric twice."""
        with pytest.raises(sla.SlaValueError, match="twice"):
            case(achieved=[("restore", T0), ("restore", T0 + HOUR)])

    def test_achieved_needs_names(self) -> None:
        """An empty achievement name raises ``SlaValueError``."""
        with pytest.raises(sla.SlaValueError):
            case(achieved={"": T0})

    def test_events_must_be_the_right_types(self) -> None:
        """Pauses and severity changes must be ``Pause`` / ``SeverityChange`` values."""
        with pytest.raises(sla.SlaValueError, match="Pause"):
            case(pauses=[(T0, None, "x")])
        with pytest.raises(sla.SlaValueError, match="SeverityChange"):
            case(severity_changes=[(T0, "B")])
        with pytest.raises(sla.SlaValueError):
            case(achieved=[("restore",)])

    @pytest.mark.parametrize("field", ["achieved", "pauses", "severity_changes"])
    def test_non_iterable_events_are_rejected(self, field: str) -> None:
        """A number where events are expected raises ``SlaValueError`` naming the field."""
        with pytest.raises(sla.SlaValueError, match=field):
            case(**{field: 5})

    def test_none_means_no_events(self) -> None:
        """``None`` for achieved, pauses or severity changes means none."""
        assert case(achieved=None, pauses=None, severity_changes=None) == case()


class TestAttributes:
    def test_kept_sorted_and_normalised(self) -> None:
        """Attributes are stored as sorted pairs, ``None`` values left out; given as a mapping
        or as pairs, in any order, they make equal (and equally hashed) cases."""
        a = case(attributes={"site": 7, "customer": "ACME", "region": None})
        b = case(attributes=[("customer", "ACME"), ("site", 7)])
        assert a.attributes == (("customer", "ACME"), ("site", 7))
        assert a == b and hash(a) == hash(b)
        assert a != case(attributes={"customer": "ACME"})
        assert case(attributes=None) == case(attributes={}) == case()

    def test_a_boolean_is_not_a_number(self) -> None:
        """True and 1 are different attributes (they write, convert and group differently),
        though Python holds them equal; a whole number and the equal float are the same."""
        assert case(attributes={"vip": True}) != case(attributes={"vip": 1})
        assert case(attributes={"vip": False}) != case(attributes={"vip": 0.0})
        assert len({case(attributes={"vip": True}), case(attributes={"vip": 1})}) == 2
        same = case(attributes={"site": 12}), case(attributes={"site": 12.0})
        assert same[0] == same[1] and hash(same[0]) == hash(same[1])

    def test_numpy_scalars_become_python_values(self) -> None:
        """numpy's integers, floats and booleans (as a DataFrame's rows give them) are kept as
        the Python values they hold."""
        np = pytest.importorskip("numpy")
        c = case(attributes={"n": np.int64(3), "x": np.float32(0.5), "flag": np.bool_(True)})
        assert c.attributes == (("flag", True), ("n", 3), ("x", 0.5))
        assert [type(v) for _, v in c.attributes] == [bool, int, float]

    @pytest.mark.parametrize(("attributes", "says"), [
        ({"customer": ""}, r"Case\.attributes\['customer'\] is an empty string"),
        ({"customer": "  "}, r"Case\.attributes\['customer'\] is blank"),
        ({"due": T0}, r"holds datetime\.datetime\(.*\), a datetime; an attribute holds text"),
        ({"tags": ["a"]}, r"holds \['a'\], a list"),
        ({"weight": float("nan")}, "not a finite number"),
        ({"weight": float("-inf")}, "not a finite number"),
        ({"tier": "gold"}, "'tier' is a field of the case itself"),
        ({"achieved.restore": "x"}, "is a field of the case itself"),
        ({"": "x"}, "'' is not an attribute name"),
        ({3: "x"}, "3 is not an attribute name"),
        ({"a\x00": "x"}, "holds a control or bidirectional character"),
        ([("a", 1), ("a", 2)], "names 'a' twice"),
        ([("a", None), ("a", 2)], "names 'a' twice"),
        ({"Severity": "x"}, "'Severity' looks like a misspelt 'severity'"),
        ({"zones": "x"}, "'zones' looks like a misspelt 'zone'"),
        ({" customer": "x"}, "' customer' has spaces around it"),
        ({"customer ": "x"}, "'customer ' has spaces around it"),
        ({"__index_level_0__": 3}, "the column pandas writes a DataFrame's index to"),
        ([("a", 1, 2)], "attributes must map names to values"),
        ("customer", "attributes must be a list"),
    ])
    def test_bad_attributes(self, attributes: Any, says: str) -> None:
        """Each bad attribute is an SlaValueError naming it and saying what to give."""
        with pytest.raises(sla.SlaValueError, match=says):
            case(attributes=attributes)

    def test_str_subclasses_become_str(self) -> None:
        """A subclass of str (numpy's str_) is kept as the plain str it holds."""
        np = pytest.importorskip("numpy")
        c = case(attributes={"customer": np.str_("ACME")})
        assert c.attributes == (("customer", "ACME"),)
        assert type(c.attribute("customer")) is str

    @pytest.mark.parametrize("name", ["Severity", "severty", "zones", "pause", "ID", "Closed",
                                      " site", "__index_level_1__", "Achieved.restore",
                                      "acheived_restore", "customer", "site",
                                      "closed_by", "opened_at"])
    def test_the_names_a_case_takes_are_those_a_row_takes(self, name: str) -> None:
        """Case refuses exactly the attribute names that Case.from_dict refuses (names that
        look like misspelt fields, ...), so every case's row form reads back as the case."""
        try:
            made = case(attributes={name: "x"})
        except sla.SlaValueError:
            made = None
        try:
            read = sla.Case.from_dict({**case().to_dict(), name: "x"})
        except sla.SlaValueError:
            read = None
        assert made == read
        if made is not None:
            assert sla.Case.from_dict(made.to_dict()) == made

    def test_immutable_and_pickles(self) -> None:
        """Attributes cannot be reassigned; a case with attributes pickles to an equal one."""
        c = case(attributes={"customer": "ACME", "vip": False})
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            c.attributes = ()  # type: ignore[misc]
        assert pickle.loads(pickle.dumps(c)) == c


class TestValues:
    def full(self) -> sla.Case:
        return sla.Case(
            "T-1", T0.astimezone(SH), "A", tier="gold", zone="far_county",
            achieved={"response": T0 + HOUR, "diagnosed": (T0 + 2 * HOUR).astimezone(NY)},
            pauses=[sla.Pause(T0 + HOUR, T0 + 3 * HOUR, "customer_info"),
                    sla.Pause(T0 + 5 * HOUR, None, "vendor_defect")],
            severity_changes=[sla.SeverityChange(T0 + 4 * HOUR, "B")],
            excluded="force_majeure",
        )

    @pytest.mark.parametrize("field", ["id", "opened", "severity", "achieved", "pauses"])
    def test_immutable(self, field: str) -> None:
        """Fields cannot be assigned; the event collections are tuples."""
        c = self.full()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(c, field, None)
        assert isinstance(c.achieved, tuple)
        assert isinstance(c.pauses, tuple)
        assert isinstance(c.severity_changes, tuple)

    def test_pause_and_change_are_immutable(self) -> None:
        """Pauses and severity changes cannot be assigned either."""
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            sla.Pause(T0, None, "x").reason = "y"  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            sla.SeverityChange(T0, "B").severity = "C"  # type: ignore[misc]

    def test_equal_values_hash_equal(self) -> None:
        """Equal cases (instants written in other zones) are equal and hash equal, so they work
        as set members and dict keys."""
        a = self.full()
        b = sla.Case(
            "T-1", T0.astimezone(dt.UTC), "A", tier="gold", zone="far_county",
            achieved={"diagnosed": T0 + 2 * HOUR, "response": (T0 + HOUR).astimezone(NY)},
            pauses=[sla.Pause((T0 + 5 * HOUR).astimezone(NY), None, "vendor_defect"),
                    sla.Pause(T0 + HOUR, (T0 + 3 * HOUR).astimezone(SH), "customer_info")],
            severity_changes=[sla.SeverityChange((T0 + 4 * HOUR).astimezone(NY), "B")],
            excluded="force_majeure",
        )
        assert a == b
        assert hash(a) == hash(b)
        assert len({a, b}) == 1
        assert a != attrs.evolve(a, severity="B")
        assert sla.Pause(T0, None, "x") == sla.Pause(T0.astimezone(NY), None, "x")
        assert hash(sla.Pause(T0, None, "x")) == hash(sla.Pause(T0.astimezone(NY), None, "x"))

    def test_pickle_round_trip(self) -> None:
        """Cases, pauses and changes survive pickling, zones included."""
        c = self.full()
        back = pickle.loads(pickle.dumps(c))
        assert back == c
        assert back.opened.tzinfo is SH
        assert back.achieved_at("diagnosed") == T0 + 2 * HOUR
        for value in (c.pauses[0], c.severity_changes[0]):
            assert pickle.loads(pickle.dumps(value)) == value

    def test_achieved_at(self) -> None:
        """``achieved_at`` finds metrics and events by name, ``None`` for the others."""
        c = self.full()
        assert c.achieved_at("response") == T0 + HOUR
        assert c.achieved_at("diagnosed") == T0 + 2 * HOUR
        assert c.achieved_at("restore") is None


class TestEventOrder:
    def test_events_are_sorted(self) -> None:
        """Achievements are sorted by name, pauses and changes by instant (not by wall time in
        the zone they were written in)."""
        early = (T0 + HOUR).astimezone(PLUS13)  # 2026-10-02 05:10 wall time
        late = (T0 + 2 * HOUR).astimezone(NY)  # 2026-10-01 13:10 wall time
        assert late.replace(tzinfo=None) < early.replace(tzinfo=None)
        c = case(
            achieved={"restore": T0, "onsite": T0, "diagnosed": T0},
            pauses=[sla.Pause(late, None, "a"), sla.Pause(early, late, "b")],
            severity_changes=[sla.SeverityChange(late, "C"), sla.SeverityChange(early, "B")],
        )
        assert [n for n, _ in c.achieved] == ["diagnosed", "onsite", "restore"]
        assert [p.reason for p in c.pauses] == ["b", "a"]
        assert [s.severity for s in c.severity_changes] == ["B", "C"]

    def test_same_instant_pauses_sort_by_reason(self) -> None:
        """Pauses starting at the same instant are ordered by reason."""
        c = case(pauses=[sla.Pause(T0, None, "z"), sla.Pause(T0.astimezone(NY), None, "a")])
        assert [p.reason for p in c.pauses] == ["a", "z"]

    def test_same_start_and_reason_pauses_are_normalised(self) -> None:
        """Two pauses differing only in their end give the same case in either order."""
        a, b = sla.Pause(T0, T0 + HOUR, "x"), sla.Pause(T0, None, "x")
        assert case(pauses=[a, b]) == case(pauses=[b, a])

    def test_same_instant_in_two_zones_normalised(self) -> None:
        """Events at one instant written in two zones (01:00 UTC, and 01:00 London on the
        autumn night, the second 01:00) are different values in Python (an ambiguous wall time
        never equals another zone's datetime), and either order gives the same case."""
        london = ZoneInfo("Europe/London")
        utc = dt.datetime(2024, 10, 27, 1, tzinfo=dt.UTC)
        folded = dt.datetime(2024, 10, 27, 1, tzinfo=london, fold=1)
        assert folded.astimezone(dt.UTC) == utc and folded != utc
        opened = utc - HOUR
        changes = [sla.SeverityChange(utc, "B"), sla.SeverityChange(folded, "B")]
        pauses = [sla.Pause(utc, None, "x"), sla.Pause(folded, None, "x")]
        one = sla.Case("T-1", opened, "A", pauses=pauses, severity_changes=changes)
        other = sla.Case("T-1", opened, "A", pauses=pauses[::-1],
                         severity_changes=changes[::-1])
        assert one == other and hash(one) == hash(other)

    @settings(max_examples=60, deadline=None)
    @given(st.data())
    def test_any_order_gives_the_same_case(self, data: st.DataObject) -> None:
        """Shuffling a case's achievements, pauses and severity changes gives an equal case
        with the events in the same order."""
        policy = sla.Policy.from_dict({
            "name": "p", "calendars": {"c": {"coverage": "7x24", "tz": "UTC"}},
            "severities": [{"id": s, "targets": []} for s in ("A", "B", "C")],
        })
        original = data.draw(ps.cases(policy, max_pauses=4))
        # distinct pause keys: see test_same_start_and_reason_pauses_are_normalised
        keys = [(p.start, p.reason) for p in original.pauses]
        pauses = data.draw(st.permutations(original.pauses)) if len(set(keys)) == len(keys) else (
            original.pauses)
        shuffled = sla.Case(
            original.id, original.opened, original.severity, tier=original.tier,
            zone=original.zone, achieved=data.draw(st.permutations(original.achieved)),
            pauses=pauses,
            severity_changes=data.draw(st.permutations(original.severity_changes)),
            excluded=original.excluded, closed=original.closed,
            satisfaction=original.satisfaction,
        )
        assert shuffled == original
        assert hash(shuffled) == hash(original)
        starts = [p.start.astimezone(dt.UTC) for p in shuffled.pauses]
        assert starts == sorted(starts)
        ats = [c.at.astimezone(dt.UTC) for c in shuffled.severity_changes]
        assert ats == sorted(ats)
        names = [n for n, _ in shuffled.achieved]
        assert names == sorted(names)
