"""The public strategies of ``slacalc.testing``: they generate only valid inputs (no
``SlaError``, no warning: the suite turns warnings into errors) and they cover what they claim
(pauses, severity changes, repeated DST hours, make-up days, the edges of the data range)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import slacalc as sla
from slacalc import testing

SEARCH = settings(max_examples=3000, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
STANDARD = sla.templates.load("standard-contract")


class TestImport:
    def test_without_hypothesis_the_error_says_what_to_install(self) -> None:
        """Importing ``slacalc.testing`` without hypothesis raises ImportError naming the
        extra to install; ``import slacalc`` itself never imports hypothesis."""
        code = (
            "import sys\n"
            "import slacalc, slacalc.lint, slacalc.verify\n"
            "assert 'hypothesis' not in sys.modules\n"
            "sys.modules['hypothesis'] = None\n"
            "try:\n"
            "    import slacalc.testing\n"
            "except ImportError as exc:\n"
            "    print(exc)\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True)
        assert 'pip install "slacalc[hypothesis]"' in done.stdout

    def test_every_public_docstring_says_requires_hypothesis(self) -> None:
        """Each public function and class of the module says it needs hypothesis."""
        for name in testing.__all__:
            obj = getattr(testing, name)
            if callable(obj):
                assert "requires hypothesis" in (obj.__doc__ or "").replace("\n    ", " "), name


class TestValidInputs:
    @settings(max_examples=40, deadline=None)
    @given(st.data())
    def test_cases_of_generated_policies_evaluate(self, data: st.DataObject) -> None:
        """Any generated policy evaluates any case generated for it, with or without ``now``,
        one at a time and in a batch, without an error or a warning."""
        policy = data.draw(testing.policies())
        cases = data.draw(st.lists(testing.cases(policy), min_size=1, max_size=3))
        now = data.draw(testing.nows(cases[0]))
        for case in cases:
            sla.evaluate(policy, case, now)
        sla.evaluate_many(policy, cases, now)

    @pytest.mark.parametrize("name", sla.templates.names())
    def test_cases_of_every_template_evaluate(self, name: str) -> None:
        """Cases generated for each template evaluate without an error or a warning."""
        policy = sla.templates.load(name)

        @settings(max_examples=30, deadline=None, database=None)
        @given(testing.cases(policy), st.data())
        def check(case: sla.Case, data: st.DataObject) -> None:
            sla.evaluate(policy, case, data.draw(testing.nows(case)))

        check()

    @settings(max_examples=60, deadline=None)
    @given(st.data())
    def test_calendars_and_targets_compute(self, data: st.DataObject) -> None:
        """Generated calendars (with and without country data, DST calendars) and targets
        compute deadlines at generated instants without an error or a warning."""
        cal = data.draw(testing.calendars(countries=(None, "CN")) | testing.dst_calendars())
        t = data.draw(testing.instants(cal))
        d = data.draw(testing.durations(max_days=3))
        if cal.country is not None:  # keep what follows inside the verified years
            t = min(t.astimezone(dt.UTC), dt.datetime(cal.verified_through or 2026, 11, 1,
                                                      tzinfo=dt.UTC))
        target = data.draw(testing.targets(cal))
        # a long duration on a sparse calendar (half an hour a day, 3 days' worth) may end past
        # the years the holiday data vouches for: then, and only then, a horizon warning is right
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", sla.HorizonWarning)
            end = cal.add(t, d)
            assert cal.elapsed(t, end) == d
            due = target.deadline(t)
        assert due.utcoffset() is not None
        if caught:
            assert cal.verified_through is not None
            latest = max(end, due).astimezone(cal.tz).date()
            assert latest >= dt.date(cal.verified_through, 11, 1), (end, due)

    @settings(max_examples=60, deadline=None)
    @given(testing.policy_dicts())
    def test_policy_dicts_load(self, data: dict[str, object]) -> None:
        """Every generated policy file's data loads."""
        sla.Policy.from_dict(data)

    @settings(max_examples=60, deadline=None)
    @given(testing.instants(sla.Calendar.from_coverage("5x8", country="CN")))
    def test_instants_stay_in_the_verified_range(self, t: dt.datetime) -> None:
        """By default instants lie inside the years the CN data vouches for."""
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        assert cal.verified_through is not None
        assert t.astimezone(cal.tz).year <= cal.verified_through
        cal.is_open(t)  # no HorizonWarning


class TestCoverage:
    """Each feature the strategies claim appears (found by search, as a test would find it)."""

    def test_pauses_and_severity_changes(self) -> None:
        """Cases come with pauses (some still open) and severity changes."""
        cases = testing.cases(STANDARD)
        assert find(cases, lambda c: len(c.pauses) >= 2, settings=SEARCH).pauses
        assert find(cases, lambda c: any(p.end is None for p in c.pauses), settings=SEARCH)
        assert find(cases, lambda c: bool(c.severity_changes), settings=SEARCH)

    def test_events_in_their_order(self) -> None:
        """A repair is recorded after the part return it is timed from, which is after the
        part's arrival, which is after the diagnosis."""
        case = find(testing.cases(STANDARD), lambda c: c.achieved_at("repair") is not None,
                    settings=SEARCH)
        chain = [case.achieved_at(n) for n in ("diagnosed", "parts_arrive", "part_return",
                                               "repair")]
        assert None not in chain
        assert chain == sorted(chain)  # type: ignore[type-var]

    def test_repeated_dst_hours(self) -> None:
        """Some cases are opened in a fall-back hour, written with fold=1."""
        case = find(testing.cases(STANDARD), lambda c: c.opened.fold == 1, settings=SEARCH)
        assert case.opened.utcoffset() != case.opened.replace(fold=0).utcoffset()

    def test_make_up_workdays(self) -> None:
        """Some cases are opened on a weekend make-up workday of the CN calendars."""
        cal = STANDARD.calendar("business")

        def on_makeup(c: sla.Case) -> bool:
            day = c.opened.astimezone(cal.tz).date()
            return day.weekday() >= 5 and cal.is_business_day(day)

        assert on_makeup(find(testing.cases(STANDARD), on_makeup, settings=SEARCH))

    def test_the_edge_of_the_data_range(self) -> None:
        """Instants reach the last verified microsecond; with ``past_horizon`` they go past
        it, where the calendar warns."""
        cal = sla.Calendar.from_coverage("5x8", country="CN")
        assert cal.verified_through is not None
        last = dt.datetime(cal.verified_through + 1, 1, 1, tzinfo=cal.tz) - dt.timedelta(
            microseconds=1)
        assert find(testing.instants(cal), lambda t: t == last, settings=SEARCH) == last
        past = find(testing.instants(cal, past_horizon=True),
                    lambda t: t.astimezone(cal.tz).year > cal.verified_through, settings=SEARCH)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cal.is_open(past)
        assert any(issubclass(w.category, sla.HorizonWarning) for w in caught)

    def test_cases_leave_room_before_the_horizon(self) -> None:
        """The latest opening leaves room for the longest chain (repair after part return
        after arrival after diagnosis): it is months before the end of the verified data."""
        facts = testing._facts(STANDARD, None, None)
        end = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        last = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=facts.last_us)
        assert dt.timedelta(days=150) < end - last < dt.timedelta(days=400)

    def test_dst_calendars_have_windows_in_the_change_hours(self) -> None:
        """DST calendars sit in DST zones with windows near the change."""
        cal = find(testing.dst_calendars(), lambda c: c.days == "business", settings=SEARCH)
        assert cal.tz.key in testing.DST_ZONES and cal.extra_workdays


def test_case_row_reads_back_as_the_case() -> None:
    """case_row gives a row that Case.from_dict reads back as the same case, its attributes
    included."""
    tz = dt.timezone(dt.timedelta(hours=8))
    opened = dt.datetime(2026, 10, 9, 9, tzinfo=tz)
    case = sla.Case("T-1", opened, "A", tier="gold", zone="city",
                    achieved={"response": opened + dt.timedelta(minutes=20)},
                    closed=opened + dt.timedelta(hours=3), satisfaction=4,
                    attributes={"customer": "ACME", "site": 12, "vip": True})
    row = testing.case_row(case)
    assert row["customer"] == "ACME" and row["site"] == 12 and row["vip"] is True
    assert sla.Case.from_dict(row) == case
