"""Calendars (and the small values around them) are immutable values.

DESIGN (architecture): value objects are frozen attrs classes: hashable, picklable, safe to share
between threads and to ship to other processes, changed with ``attrs.evolve``. Nothing the user
passes in is mutated.
"""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from zoneinfo import ZoneInfo

import attrs
import pytest

import slacalc as sla

SH = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> dt.datetime:
    """A Shanghai wall time."""
    return dt.datetime(y, mo, d, h, mi, s, us, tzinfo=SH)


def _calendars() -> list[sla.Calendar]:
    """A spread of calendars: every constructor argument used at least once."""
    return [
        sla.Calendar.from_coverage("5x8", country="CN"),
        sla.Calendar.from_coverage("7x24", tz="America/New_York"),
        sla.Calendar(tz="Asia/Shanghai", country="CN", hours="09:00-12:00,13:30-18:00"),
        sla.Calendar(tz="Asia/Shanghai", country="CN",
                     hours={"mon-fri": "09:00-18:00", "sat": "09:00-12:00"}),
        sla.Calendar.from_coverage("5x8", country="US", tz="America/Los_Angeles", subdiv="CA"),
        sla.Calendar.from_coverage("5x8", country="CN", extra_holidays=["2026-11-23"],
                                   extra_workdays=[dt.date(2026, 11, 22)], strict=True),
    ]


#: Instants and days whose answers must survive pickling (all inside the 2026 horizon).
STARTS = [sh(2026, 9, 30, 15, 1), sh(2026, 10, 9, 16), sh(2026, 11, 22, 10),
          sh(2026, 3, 30, 16), sh(2026, 2, 13, 15, 30)]
DAYS = [dt.date(2026, 10, 10), dt.date(2026, 10, 1), dt.date(2026, 11, 23),
        dt.date(2026, 3, 31), dt.date(2026, 11, 22)]


def _answers(cal: sla.Calendar) -> list[object]:
    out: list[object] = []
    for t in STARTS:
        out += [cal.add(t, 4 * H), cal.elapsed(t, t + 72 * H), cal.is_open(t), cal.next_open(t),
                cal.effective_day(t, dt.time(15)), sla.NextBusinessDay(cal).deadline(t)]
    for day in DAYS:
        out += [cal.is_business_day(day), cal.add_business_days(day, 3), cal.describe_day(day)]
    return out


class TestFrozen:
    """Assigning or deleting an attribute raises."""

    @pytest.mark.parametrize("field", ["tz", "country", "subdiv", "days", "hours",
                                       "extra_holidays", "extra_workdays", "strict"])
    def test_assign_raises(self, field: str) -> None:
        """Every public field is read-only, and the value is unchanged afterwards."""
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        before = getattr(cal, field)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(cal, field, None)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            delattr(cal, field)
        assert getattr(cal, field) == before

    def test_new_attribute_refused(self) -> None:
        """No new attributes can be attached."""
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        with pytest.raises((attrs.exceptions.FrozenInstanceError, AttributeError)):
            cal.cache = {}  # type: ignore[attr-defined]

    def test_collections_are_immutable(self) -> None:
        """The overlay sets are frozensets and the hours an immutable Hours value."""
        cal = sla.Calendar.from_coverage("5x8", country="CN", extra_holidays=["2026-11-23"])
        assert isinstance(cal.extra_holidays, frozenset)
        assert isinstance(cal.extra_workdays, frozenset)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            cal.hours.default = None  # type: ignore[misc]

    def test_small_values_frozen(self) -> None:
        """Coverage, Hours, DayInfo and Segment are frozen too."""
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        info = cal.describe_day(dt.date(2026, 10, 10))
        (seg,) = cal.segments(sh(2026, 11, 23, 10), sh(2026, 11, 23, 11))
        for value, field in [(sla.Coverage.parse("5x8"), "days"),
                             (sla.Hours.parse("09:00-17:00"), "default"), (info, "kind"),
                             (seg, "counted")]:
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                setattr(value, field, None)


class TestEqualityAndHash:
    """Equal by value, hash alike, usable as dict keys."""

    def test_equal_constructions(self) -> None:
        """Different spellings of the same calendar are equal and hash alike."""
        a = sla.Calendar.from_coverage("5x8", country="CN",
                                       extra_holidays=[dt.date(2026, 11, 23)])
        b = sla.Calendar(tz=ZoneInfo("Asia/Shanghai"), country="CN", days="business",
                         hours="9:00-17:00", extra_holidays=("2026-11-23", "2026-11-23"))
        assert a == b and hash(a) == hash(b)
        assert {a: 1}[b] == 1

    @pytest.mark.parametrize(
        "other",
        [
            {"tz": "Asia/Urumqi"},
            {"hours": "09:00-18:00"},
            {"days": "all"},
            {"extra_holidays": ["2026-11-24"]},
            {"extra_workdays": ["2026-11-22"]},
            {"strict": True},
            {"country": None},
        ],
    )
    def test_any_field_difference_is_unequal(self, other: dict[str, object]) -> None:
        """Changing any one field gives an unequal calendar."""
        base: dict[str, object] = {"tz": "Asia/Shanghai", "country": "CN",
                                   "hours": "09:00-17:00", "extra_holidays": ["2026-11-23"]}
        assert sla.Calendar(**base) != sla.Calendar(**{**base, **other})  # type: ignore[arg-type]

    def test_all_distinct(self) -> None:
        """The sample calendars are pairwise distinct; a set keeps all of them."""
        cals = _calendars()
        assert len(set(cals)) == len(cals)
        assert len(set(cals + _calendars())) == len(cals)

    def test_hash_stable_after_use(self) -> None:
        """Compiling years (using the calendar) changes neither hash nor equality."""
        a, b = sla.Calendar.from_coverage("5x8", country="CN"), sla.Calendar.from_coverage(
            "5x8", country="CN")
        h = hash(a)
        a.add(sh(2026, 9, 30, 15, 1), 400 * H)
        a.is_business_day(dt.date(2001, 1, 1))
        assert hash(a) == h and a == b


class TestPickle:
    """Pickle round trips give equal calendars with identical answers."""

    @pytest.mark.parametrize("index", range(len(_calendars())))
    def test_round_trip(self, index: int) -> None:
        """Equal, same hash, same repr and identical answers after unpickling (all protocols)."""
        cal = _calendars()[index]
        want = _answers(cal)
        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
            back = pickle.loads(pickle.dumps(cal, protocol=protocol))
            assert back == cal and hash(back) == hash(cal) and repr(back) == repr(cal)
            assert _answers(back) == want

    def test_round_trip_of_fresh_calendar(self) -> None:
        """A calendar pickled before any query still answers right afterwards."""
        back = pickle.loads(pickle.dumps(sla.Calendar.from_coverage("5x8", country="CN")))
        assert back.add(sh(2026, 9, 30, 15, 1), 4 * H) == sh(2026, 10, 8, 11, 1)
        assert back.is_business_day(dt.date(2026, 10, 10)) is True

    def test_copy_and_deepcopy(self) -> None:
        """copy and deepcopy give equal calendars with the same answers."""
        cal = _calendars()[3]
        for dup in (copy.copy(cal), copy.deepcopy(cal)):
            assert dup == cal
            assert _answers(dup) == _answers(cal)


class TestEvolve:
    """``attrs.evolve`` is the way to change a calendar (STYLE habit 3)."""

    def test_evolve_strict(self) -> None:
        """evolve(cal, strict=True) gives a strict twin; the original is unchanged."""
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        strict = attrs.evolve(cal, strict=True)
        assert strict.strict is True and cal.strict is False
        assert strict == sla.Calendar.from_coverage("5x8", country="CN", strict=True)
        with pytest.raises(sla.HorizonError):
            strict.is_business_day(dt.date((cal.verified_through or 0) + 1, 3, 2))

    def test_evolve_overlay_recompiles(self) -> None:
        """evolve with a new overlay changes the answers (no stale compiled data)."""
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        assert cal.is_business_day(dt.date(2026, 11, 23)) is True
        closed = attrs.evolve(cal, extra_holidays=frozenset({dt.date(2026, 11, 23)}))
        assert closed.is_business_day(dt.date(2026, 11, 23)) is False


class TestRepr:
    """The repr is readable and evaluates back: public fields only, dates in ISO form."""

    def test_cn(self) -> None:
        """The exact repr of a CN calendar with an overlay."""
        cal = sla.Calendar.from_coverage("5x8", country="CN", extra_holidays=["2026-11-23"])
        assert repr(cal) == (
            "Calendar.from_coverage('5x8', country='CN', extra_holidays=['2026-11-23'])"
        )

    def test_no_internals(self) -> None:
        """No compiled data, memory addresses or huge text in any sample repr."""
        for cal in _calendars():
            text = repr(cal)
            assert text.startswith(("Calendar(", "Calendar.from_coverage("))
            assert eval(text, {"Calendar": sla.Calendar}) == cal
            assert "timeline" not in text.lower() and " at 0x" not in text
            assert len(text) < 400

    def test_per_weekday_hours(self) -> None:
        """Per-weekday hours show as the mapping they came from."""
        assert "hours={'mon-fri': '09:00-18:00', 'sat': '09:00-12:00'}" in repr(
            _calendars()[3])


class TestInputsNotMutated:
    """Nothing the user passes in is changed, and later changes to it do not leak in."""

    def test_overlay_lists(self) -> None:
        """extra_holidays / extra_workdays lists are left as given and not aliased."""
        closed: list[dt.date | str] = [dt.date(2026, 11, 23), "2026-11-24"]
        opened = [dt.date(2026, 11, 22)]
        cal = sla.Calendar.from_coverage("5x8", country="CN", extra_holidays=closed,
                                         extra_workdays=opened)
        assert closed == [dt.date(2026, 11, 23), "2026-11-24"]
        assert opened == [dt.date(2026, 11, 22)]
        closed.append(dt.date(2026, 11, 25))
        opened.clear()
        assert cal.is_business_day(dt.date(2026, 11, 25)) is True
        assert cal.is_business_day(dt.date(2026, 11, 22)) is True

    def test_hours_mapping(self) -> None:
        """A per-weekday mapping is left as given; mutating it later has no effect."""
        hours = {"mon-fri": "09:00-18:00", "sat": "09:00-12:00"}
        cal = sla.Calendar(tz="Asia/Shanghai", country="CN", hours=hours)
        assert hours == {"mon-fri": "09:00-18:00", "sat": "09:00-12:00"}
        hours["sun"] = "09:00-12:00"
        assert not cal.is_open(sh(2026, 10, 18, 10))

    def test_batch_inputs(self) -> None:
        """add_many / elapsed_many / deadline_many leave their input lists untouched."""
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        ints = [int(t.timestamp()) for t in STARTS]
        ends = [x + 86_400 for x in ints]
        times = list(STARTS)
        snapshot = (list(ints), list(ends), list(times))
        cal.add_many(ints, 4 * H)
        cal.add_many(times, 4 * H)
        cal.elapsed_many(ints, ends)
        cal.elapsed_many(times, [t + H for t in times])
        sla.NextBusinessDay(cal).deadline_many(ints)
        sla.BusinessDays(cal, 3).deadline_many(times)
        assert (ints, ends, times) == snapshot

    def test_batch_result_is_a_new_list(self) -> None:
        """A zero-duration batch returns equal values in a new list, not the input itself."""
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        ints = [int(t.timestamp()) for t in STARTS]
        out = cal.add_many(ints, dt.timedelta(0))
        assert out == ints and out is not ints
