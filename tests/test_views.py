"""Notebook views: every view is well-formed XML, self-contained, escapes user text, and shows
what the objects say (expected days and instants are hand-checked against the 2026 official
schedule and the arithmetic written out in each test)."""

from __future__ import annotations

import ast
import datetime as dt
import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import slacalc as sla
from slacalc import testing as ps
from slacalc import views
from slacalc.errors import HorizonError, SlaValueError
from strategies import CalSpec, cal_specs

SRC = pathlib.Path(sla.__file__).parent


def parse(markup: str) -> ET.Element:
    """The view parsed strictly as XML, after checking that it is self-contained."""
    assert "<script" not in markup.lower()
    assert "http://" not in markup and "https://" not in markup
    assert "url(" not in markup and "@import" not in markup and "@font-face" not in markup
    root = ET.fromstring(markup)
    assert root.tag == "div" and "slacalc-view" in root.get("class", "").split()
    style = root.find("style")
    assert style is not None and style.text is not None
    # every CSS rule is scoped to the view's class, so nothing leaks into the notebook
    for selector_group in re.findall(r"([^{}]+)\{", re.sub(r"@media[^{]*\{", "", style.text)):
        for selector in selector_group.split(","):
            assert selector.strip().startswith(".slacalc-view"), selector
    return root


def text_of(el: ET.Element) -> str:
    return "".join(el.itertext())


def shown(el: ET.Element) -> str:
    """The visible text of an element: its text less any <title> (a tooltip)."""
    parts = [el.text or ""]
    for child in el:
        if child.tag != "title":
            parts.append(shown(child))
        parts.append(child.tail or "")
    return "".join(parts)


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [el for el in root.iter(tag) if cls in el.get("class", "").split()]


@pytest.fixture(scope="module")
def cal() -> sla.Calendar:
    return sla.Calendar.from_coverage("5x8", country="CN")


# -- calendars ----------------------------------------------------------------------------------
class TestMonthHtml:
    def day_cells(self, root: ET.Element) -> dict[int, ET.Element]:
        cells = {}
        for td in root.iter("td"):
            dn = [el for el in td.iter() if el.get("class") == "dn"]
            if dn:
                cells[int(text_of(dn[0]))] = td
        return cells

    def test_national_day_and_makeup_saturday(self, cal: sla.Calendar) -> None:
        """October 2026: 1-3 National Day, 5 its observed day, 10 (a Saturday) a make-up
        workday with office hours; 4 is a Sunday; 8 an ordinary business day."""
        root = parse(views.month_html(cal, 2026, 10))
        cells = self.day_cells(root)
        assert sorted(cells) == list(range(1, 32))
        for day in (1, 2, 3):
            assert "k-holiday" in cells[day].get("class", "")
            assert "National Day" in text_of(cells[day])
            assert "09:00" not in text_of(cells[day])
        assert "National Day (observed)" in text_of(cells[5])
        assert "k-makeup" in cells[10].get("class", "")
        assert "make-up workday" in text_of(cells[10])
        assert "09:00–17:00" in text_of(cells[10])
        assert "k-weekend" in cells[4].get("class", "")
        assert text_of(cells[4]).strip() == "4"
        assert "k-business" in cells[8].get("class", "")
        assert text_of(cells[8]) == "809:00–17:00"

    def test_grid_starts_on_the_right_weekday(self, cal: sla.Calendar) -> None:
        """2026-10-01 is a Thursday: the first row has three blank cells before it."""
        root = parse(views.month_html(cal, 2026, 10))
        first_row = next(iter(root.iter("tbody"))).find("tr")
        assert first_row is not None
        cells = list(first_row)
        assert [c.get("class") for c in cells[:3]] == ["blank"] * 3
        assert text_of(cells[3]).startswith("1")

    def test_split_hours_and_overlays(self) -> None:
        """Two windows a day are both shown; an extra holiday and an extra workday (a Sunday)
        are marked as such."""
        cal = sla.Calendar(tz="Europe/Berlin", hours="09:00-12:00,13:30-18:00",
                           extra_holidays=["2026-03-02"], extra_workdays=["2026-03-08"])
        root = parse(views.month_html(cal, 2026, 3))
        cells = self.day_cells(root)
        assert "09:00–12:00" in text_of(cells[3]) and "13:30–18:00" in text_of(cells[3])
        assert "extra holiday" in text_of(cells[2])
        assert "09:00" not in text_of(cells[2])
        assert "extra workday" in text_of(cells[8])
        assert "k-extra_workday" in cells[8].get("class", "")

    def test_all_day_coverage_reads_24_00(self) -> None:
        """A 7x24 calendar covers 00:00-24:00 on every day, holidays included."""
        cal = sla.Calendar.from_coverage("7x24", country="CN")
        cells = self.day_cells(parse(views.month_html(cal, 2026, 10)))
        assert "00:00–24:00" in text_of(cells[1]) and "National Day" in text_of(cells[1])

    def test_whole_year(self, cal: sla.Calendar) -> None:
        """Without a month: twelve grids, each with its special days listed by name."""
        root = parse(views.month_html(cal, 2026))
        captions = [text_of(c) for c in root.iter("caption")]
        assert captions == [f"{m} 2026" for m in (
            "January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December")]
        notes = [text_of(li) for li in root.iter("li")]
        assert "1 Thu New Year's Day" in notes
        assert "10 Sat make-up workday" in notes
        assert "20 Sun make-up workday" in notes  # 2026-09-20, before National Day

    def test_past_the_data_horizon(self, cal: sla.Calendar) -> None:
        """A year past the data's last vouched year is shown with a note, not a warning; a
        strict calendar refuses it."""
        vt = cal.verified_through
        assert vt is not None
        root = parse(views.month_html(cal, vt + 2, 1))
        notes = by_class(root, "div", "note")
        assert len(notes) == 1 and str(vt) in text_of(notes[0])
        assert not by_class(parse(views.month_html(cal, 2026, 1)), "div", "note")
        strict = sla.Calendar.from_coverage("5x8", country="CN", strict=True)
        with pytest.raises(HorizonError):
            views.month_html(strict, vt + 2, 1)

    @pytest.mark.parametrize(("year", "month"), [("2026", 1), (2026, 13), (2026, 0),
                                                 (True, 1), (2026, 1.0)])
    def test_bad_year_or_month(self, cal: sla.Calendar, year: object, month: object) -> None:
        """A year or month that is not an int in range is refused, naming the value."""
        with pytest.raises(SlaValueError, match=r"year|month"):
            views.month_html(cal, year, month)  # type: ignore[arg-type]


class TestCalendarView:
    def test_repr_html_is_a_summary(self, cal: sla.Calendar) -> None:
        """The calendar's own view: zone, country, hours and the data horizon, no day grid
        (there is no implicit "current" month)."""
        root = parse(cal._repr_html_())
        text = text_of(root)
        assert "Asia/Shanghai" in text and "CN" in text and "09:00-17:00" in text
        assert f"through {cal.verified_through}" in text
        assert not list(root.iter("caption"))

    def test_overlays_are_listed(self) -> None:
        """Extra holidays and workdays appear in the summary, the long list cut short."""
        days = [dt.date(2026, 1, d) for d in range(5, 20)]
        cal = sla.Calendar(tz="UTC", extra_holidays=days)
        text = text_of(parse(cal._repr_html_()))
        assert "2026-01-05" in text and "(15 in all)" in text and "2026-01-19" not in text

    def test_view_method(self, cal: sla.Calendar) -> None:
        """``cal.view(year, month)`` gives an object a notebook shows as the month grid."""
        shown = cal.view(2026, 10)
        assert isinstance(shown, views.HTML)
        assert shown._repr_html_() == str(shown) == views.month_html(cal, 2026, 10)
        assert "characters" in repr(shown)


# -- policies -----------------------------------------------------------------------------------
POLICY = {
    "name": "desk",
    "description": "Response & restore <fast>",
    "calendars": {"always": {"coverage": "7x24", "tz": "Asia/Shanghai"},
                  "business": {"coverage": "5x8", "country": "CN"}},
    "severities": [
        {"id": "A", "name": "outage", "targets": [
            {"metric": "restore", "calendar": "business", "within": "8h"}]},
        {"id": "B", "targets": [
            {"metric": "restore", "calendar": "business", "within": "16h"}]},
    ],
    "targets": [
        {"metric": "response", "calendar": "always", "within": "30m",
         "when": {"severity": ["A"]}},
        {"metric": "response", "calendar": "always", "within": "2h"},
    ],
    "tiers": [{"id": "gold", "name": "Gold", "parts": "5x8xNBD", "onsite": True}],
    "escalations": [{"metric": "restore", "steps": [
        {"name": "half", "at": 0.5, "notify": "lead <duty>"},
        {"name": "late", "offset": "+1h", "notify": "manager"}]}],
    "clock": {"pause_reasons": ["customer_info"], "severity_change": "restart"},
    "measures": [{"name": "restore_on_time", "kind": "on_time", "metric": "restore",
                  "at_least": "90%", "period": "month", "calendar": "business"}],
}


class TestPolicyView:
    def grid(self, root: ET.Element) -> dict[tuple[str, str], str]:
        table = root.find("table")
        assert table is not None
        head = [text_of(th) for th in table.iter("thead").__next__().iter("th")]
        severities = [h[:1] for h in head[1:]]
        cells = {}
        for tr in next(table.iter("tbody")):
            metric = text_of(tr[0])
            for sev, td in zip(severities, tr[1:], strict=True):
                cells[(metric, sev)] = text_of(td)
        return cells

    def test_targets_per_metric_and_severity(self) -> None:
        """Each severity's column shows its own rules and the policy-wide ones that apply to
        it: the 30-minute response only under A, where its condition goes without saying."""
        policy = sla.Policy.from_dict(POLICY)
        root = parse(policy._repr_html_())
        cells = self.grid(root)
        assert cells[("restore", "A")] == "within 8h (business)"
        assert cells[("restore", "B")] == "within 16h (business)"
        assert "within 30m (always)" in cells[("response", "A")]
        assert "severity" not in cells[("response", "A")]
        assert "within 30m" not in cells[("response", "B")]
        assert "within 2h (always)" in cells[("response", "B")]

    def test_sections_and_escaping(self) -> None:
        """Tiers, ladders (in order, with whom they notify), clock and measures are shown;
        user text is escaped."""
        policy = sla.Policy.from_dict(POLICY)
        markup = policy._repr_html_()
        text = text_of(parse(markup))
        assert "<fast>" not in markup and "&lt;fast&gt;" in markup
        assert "Response & restore <fast>" in text
        assert "half at 50% of the target" in text and "→ lead <duty>" in text
        assert "late 1h after the deadline" in text
        assert text.index("half at 50%") < text.index("late 1h")
        assert "customer_info" in text and "Gold" in text and "5x8xNBD" in text
        assert "restore on time in at least 90% of cases" in text

    def test_long_description_folds(self) -> None:
        """A long description shows its start; the rest is in a <details> element."""
        data = dict(POLICY, description="word " * 200)
        root = parse(sla.Policy.from_dict(data)._repr_html_())
        details = list(root.iter("details"))
        assert len(details) == 1 and details[0].find("summary") is not None

    def test_every_template_renders(self) -> None:
        """Every built-in template gives a well-formed view naming each of its metrics."""
        from slacalc import templates  # noqa: PLC0415 - loaded on use, like slacalc does

        for name in templates.names():
            policy = templates.load(name)
            text = text_of(parse(policy._repr_html_()))
            for metric in policy.metrics():
                assert metric in text, (name, metric)


# -- evaluations --------------------------------------------------------------------------------
TZ = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def diamond_x(root: ET.Element, cls: str) -> float:
    (path,) = by_class(root, "path", cls)
    match = re.match(r"M([\d.]+) ", path.get("d", ""))
    assert match
    return float(match.group(1))


class TestEvaluationView:
    # restore: 8h of business time from Tue 09-29 10:00; the customer_info pause from 13:00
    # to Wed 09-30 10:00 stops it after 3h, so the last 5h run 10:00-15:00 on 09-30.
    policy = sla.Policy.from_dict(POLICY)

    def case(self, restored: dt.datetime, case_id: str = "T-1") -> sla.Case:
        return sla.Case(case_id, at(9, 29, 10), "A",
                        achieved={"response": at(9, 29, 10, 20), "restore": restored},
                        pauses=[sla.Pause(at(9, 29, 13), at(9, 30, 10), "customer_info")])

    def lanes(self, root: ET.Element) -> list[ET.Element]:
        return by_class(root, "g", "lane")

    def test_breached_achievement_after_the_deadline(self) -> None:
        """Restored 2026-10-08 15:30, after the 09-30 15:00 deadline: the red deadline line is
        left of the (red) achievement diamond, and both are labelled with their times."""
        case = self.case(at(10, 8, 15, 30))
        evaluation = sla.evaluate(self.policy, case)
        root = parse(views.evaluation_html(evaluation, case))
        restore = self.lanes(root)[1]
        assert "breached" in text_of(restore)
        (deadline,) = by_class(restore, "line", "dl")
        assert float(deadline.get("x1", "nan")) < diamond_x(restore, "breached")
        labels = [shown(t) for t in restore.iter("text")]
        assert "deadline Wed 09-30 15:00" in labels
        assert "achieved Thu 10-08 15:30" in labels

    def test_met_achievement_before_the_deadline(self) -> None:
        """Restored 09-30 14:00: the green diamond is left of the deadline line."""
        evaluation = sla.evaluate(self.policy, self.case(at(9, 30, 14)))
        root = parse(views.evaluation_html(evaluation))
        restore = self.lanes(root)[1]
        (deadline,) = by_class(restore, "line", "dl")
        assert diamond_x(restore, "met") < float(deadline.get("x1", "nan"))

    @pytest.mark.parametrize("with_case", [True, False])
    def test_pause_shaded_with_its_reason(self, with_case: bool) -> None:
        """The pause is a shaded rectangle from 09-29 13:00 to 09-30 10:00 whose tooltip and
        label give its reason; the covered time it stopped is drawn as paused pieces."""
        case = self.case(at(9, 30, 14))
        evaluation = sla.evaluate(self.policy, case)
        root = parse(views.evaluation_html(evaluation, case if with_case else None))
        restore = self.lanes(root)[1]
        (shade,) = by_class(restore, "rect", "pausebg")
        tip = shade.find("title")
        assert tip is not None and text_of(tip).startswith("paused: customer_info")
        assert "Tue 09-29 13:00" in text_of(tip)
        # without the case, the pause is read from the clock: the same span here, as it ends
        # inside covered time
        assert "Wed 09-30 10:00" in text_of(tip)
        assert "paused: customer_info" in [shown(t) for t in restore.iter("text")]
        pieces = by_class(restore, "rect", "pause")
        # 13:00-17:00 on 09-29 and 09:00-10:00 on 09-30 were covered but paused
        assert len(pieces) == 2

    def test_escalations_in_order(self) -> None:
        """The restore ladder: "half" at 4h of the 8h (09-30 11:00, counting the pause out) and
        "late" 1h of business time after the deadline (09-30 16:00); both fired."""
        case = self.case(at(10, 8, 15, 30))
        root = parse(views.evaluation_html(sla.evaluate(self.policy, case), case))
        restore = self.lanes(root)[1]
        marks = by_class(restore, "path", "esc-fired")
        assert len(marks) == 2
        tips = [text_of(m.find("title")) for m in marks]  # type: ignore[arg-type]
        assert tips[0].startswith("half fired at Wed 09-30 11:00")
        assert tips[1].startswith("late fired at Wed 09-30 16:00")
        xs = [float(re.findall(r"M([\d.]+)", m.get("d", ""))[0]) for m in marks]
        assert xs[0] < xs[1]

    def test_holiday_named_on_the_lane(self) -> None:
        """The skipped stretch over National Day is shaded and named."""
        case = self.case(at(10, 8, 15, 30))
        root = parse(views.evaluation_html(sla.evaluate(self.policy, case), case))
        holidays = by_class(self.lanes(root)[1], "rect", "hol")
        assert any("National Day" in text_of(h) for h in holidays)

    def test_opened_and_now_lines(self) -> None:
        """With the case, an "opened" line; with ``now``, a "now" line, right of opened."""
        case = self.case(at(10, 8, 15, 30))
        now = at(10, 9, 12)
        root = parse(views.evaluation_html(sla.evaluate(self.policy, case, now), case, now))
        (opened,) = by_class(root, "line", "event")
        (now_line,) = by_class(root, "line", "now")
        assert float(opened.get("x1", "0")) < float(now_line.get("x1", "0"))
        texts = [shown(t) for t in root.iter("text")]
        assert "opened Tue 09-29 10:00" in texts and "now Fri 10-09 12:00" in texts

    def test_case_id_is_escaped(self) -> None:
        """A case id with markup shows as text, never as markup."""
        bad = "<script>alert('x')</script> & co"
        case = self.case(at(9, 30, 14), case_id=bad)
        evaluation = sla.evaluate(self.policy, case)
        for markup in (evaluation._repr_html_(), views.evaluation_html(evaluation, case)):
            root = parse(markup)
            assert bad in text_of(root)
            assert "&lt;script&gt;" in markup

    def test_case_attributes_in_the_title(self) -> None:
        """With the case, the title lists its severity and its attributes (the first four,
        then how many more), escaped."""
        case = attrs.evolve(self.case(at(9, 30, 14)), attributes={
            "customer": "<b>ACME</b>", "site": 12, "a": 1, "b": 2, "c": 3})
        markup = views.evaluation_html(sla.evaluate(self.policy, case), case)
        (title,) = by_class(parse(markup), "div", "sv-title")
        assert text_of(title).endswith(
            "severity A · a 1 · b 2 · c 3 · customer <b>ACME</b> · +1 more")
        assert "<b>ACME" not in markup

    def test_hidden_characters_are_shown_not_obeyed(self) -> None:
        """A right-to-left override or a NUL in a zone or an attribute is shown as its \\u
        escape: the view stays well-formed XML and prints the text in its stored order."""
        case = attrs.evolve(self.case(at(9, 30, 14)), zone="A\u202eB",
                            attributes={"customer": "x\x00y"})
        markup = views.evaluation_html(sla.evaluate(self.policy, case), case)
        assert "\u202e" not in markup and "\x00" not in markup
        (title,) = by_class(parse(markup), "div", "sv-title")
        assert "zone A\\u202eB" in text_of(title)
        assert "customer x\\u0000y" in text_of(title)

    def test_characters_xml_forbids_are_shown(self) -> None:
        """A lone surrogate (a JSON case file's "\\ud800") or U+FFFF in an attribute is shown
        as its \\u escape: the view encodes to UTF-8 and parses as XML."""
        case = attrs.evolve(self.case(at(9, 30, 14)), attributes={"customer": "x\ud800y\uffff"})
        markup = views.evaluation_html(sla.evaluate(self.policy, case), case)
        markup.encode("utf-8")
        (title,) = by_class(parse(markup), "div", "sv-title")
        assert "customer x\\ud800y\\uffff" in text_of(title)

    def test_repr_html_without_the_case(self) -> None:
        """The evaluation's own view: one lane per metric, each with its status."""
        evaluation = sla.evaluate(self.policy, self.case(at(9, 30, 14)))
        root = parse(evaluation._repr_html_())
        lanes = self.lanes(root)
        assert [text_of(lane).split()[0:2] for lane in lanes] == [["response", "met"],
                                                                 ["restore", "met"]]

    def test_from_a_batch(self) -> None:
        """An evaluation from ``evaluate_many`` (built lazily) draws the same timeline as one
        from ``evaluate``."""
        case = self.case(at(10, 8, 15, 30))
        (batched,) = sla.evaluate_many(self.policy, [case])
        assert batched._repr_html_() == sla.evaluate(self.policy, case)._repr_html_()

    def test_nothing_to_draw(self) -> None:
        """A case no metric has a clock for (excluded) is listed, not drawn."""
        policy = sla.Policy.from_dict(dict(POLICY, clock={"exclude_reasons": ["test"]}))
        case = sla.Case("T-9", at(9, 29, 10), "A", excluded="test")
        root = parse(views.evaluation_html(sla.evaluate(policy, case)))
        assert not list(root.iter("svg"))
        assert [text_of(li).split(":")[0] for li in root.iter("li")] == ["response", "restore"]

    def test_open_case_as_of_now(self) -> None:
        """An open case judged at ``now``: running, no achievement diamond, the deadline drawn."""
        case = sla.Case("T-2", at(9, 29, 10), "B")
        evaluation = sla.evaluate(self.policy, case, at(9, 29, 11))
        root = parse(views.evaluation_html(evaluation, case, at(9, 29, 11)))
        restore = self.lanes(root)[1]
        assert "running" in text_of(restore)
        assert not by_class(restore, "path", "met") and not by_class(restore, "path", "breached")
        assert len(by_class(restore, "line", "dl")) == 1


# -- reports ------------------------------------------------------------------------------------
class TestReportView:
    def test_periods_by_measures_with_verdicts(self) -> None:
        """July: 2 restores, 1 late (50% < 90%: missed); August: 1 on time (100%: met);
        September has none (no data). Periods are rows, in order."""
        policy = sla.Policy.from_dict(POLICY)
        # 8h of business time from a 09:00 opening ends 17:00 the same (business) day
        cases = [
            sla.Case("J-1", at(7, 1, 9), "A", achieved={"restore": at(7, 1, 16)}),
            sla.Case("J-2", at(7, 2, 9), "A", achieved={"restore": at(7, 3, 10)}),
            sla.Case("A-1", at(8, 3, 9), "A", achieved={"restore": at(8, 3, 12)}),
        ]
        result = sla.report(policy, cases, first=dt.date(2026, 7, 1), last=dt.date(2026, 9, 30))
        root = parse(result._repr_html_())
        table = root.find("table")
        assert table is not None
        rows = [[text_of(c) for c in tr] for tr in next(table.iter("tbody"))]
        assert [r[0] for r in rows] == ["2026-07", "2026-08", "2026-09"]
        assert rows[0][1] == "50% ✗ missed1 of 2 on time"
        assert rows[1][1] == "100% ✓ met1 of 1 on time"
        assert rows[2][1] == "- no data"
        assert by_class(table, "span", "bad") and by_class(table, "span", "ok")
        assert "1 missed" in text_of(root.find("div"))  # type: ignore[arg-type]

    def test_quarter_after_its_months(self) -> None:
        """A quarterly measure's row comes after the monthly rows of that quarter."""
        data = dict(POLICY, measures=[
            *POLICY["measures"],
            {"name": "satisfaction", "kind": "average_satisfaction", "at_least": 4,
             "period": "quarter", "calendar": "business"}])
        policy = sla.Policy.from_dict(data)
        cases = [sla.Case("J-1", at(7, 1, 9), "A", achieved={"restore": at(7, 1, 16)},
                          closed=at(7, 1, 16), satisfaction=5)]
        result = sla.report(policy, cases, first=dt.date(2026, 7, 1), last=dt.date(2026, 9, 30))
        table = parse(result._repr_html_()).find("table")
        assert table is not None
        order = [text_of(tr[0]) for tr in next(table.iter("tbody"))]
        assert order == ["2026-07", "2026-08", "2026-09", "2026-Q3"]

    def test_empty_report(self) -> None:
        """A report with no rows says so."""
        policy = sla.Policy.from_dict(POLICY)
        root = parse(sla.report(policy, [])._repr_html_())
        assert "no measure counted anything" in text_of(root)


# -- tables -------------------------------------------------------------------------------------
class TestTableHtml:
    def test_shape_dtypes_and_values(self) -> None:
        """Names and types head the columns; values as a DataFrame prints them."""
        zone = sla.Calendar(tz="Asia/Shanghai").tz
        root = parse(views.table_html({
            "id": ["T-1", None], "n": [1, 2], "ok": [True, False], "x": [0.25, float("nan")],
            "t": [dt.datetime(2026, 10, 8, 11, 1, tzinfo=zone), None],
            "left": [dt.timedelta(hours=-1, minutes=-30), dt.timedelta(days=1, hours=2)],
            "day": [dt.date(2026, 1, 2), None]}))
        assert "shape: (2, 7)" in text_of(root)
        head = [[text_of(th) for th in tr] for tr in next(root.iter("thead"))]
        assert head == [["id", "n", "ok", "x", "t", "left", "day"],
                        ["str", "i64", "bool", "f64", "datetime[μs, Asia/Shanghai]",
                         "duration[μs]", "date"]]
        body = [[text_of(td) for td in tr] for tr in next(root.iter("tbody"))]
        assert body == [['"T-1"', "1", "true", "0.25", "2026-10-08 11:01:00 CST", "-1h30m",
                         "2026-01-02"],
                        ["null", "2", "false", "NaN", "null", "1d2h", "null"]]

    def test_head_and_tail_of_a_long_table(self) -> None:
        """More rows than ``max_rows``: the first and last halves with a gap row between."""
        root = parse(views.table_html({"i": list(range(100))}, max_rows=4))
        body = [text_of(tr) for tr in next(root.iter("tbody"))]
        assert body == ["0", "1", "…", "98", "99"]
        assert "shape: (100, 1)" in text_of(root)

    def test_first_and_last_columns_of_a_wide_table(self) -> None:
        """More columns than ``max_cols``: the first and last halves with a gap column."""
        columns = {f"c{j}": [j] for j in range(30)}
        root = parse(views.table_html(columns, max_cols=4))
        names, types = ([text_of(th) for th in tr] for tr in next(root.iter("thead")))
        assert names == ["c0", "c1", "…", "c28", "c29"]
        assert types == ["i64", "i64", "", "i64", "i64"]
        assert [text_of(td) for td in next(root.iter("tbody"))[0]] == ["0", "1", "…", "28", "29"]
        assert "shape: (1, 30)" in text_of(root)

    def test_height_marks_rows_not_given(self) -> None:
        """Given only the first rows of a taller table: all of them, then a gap row."""
        root = parse(views.table_html({"i": [0, 1]}, height=1_000_000, dtypes={"i": "u32"}))
        assert "shape: (1,000,000, 1)" in text_of(root)
        assert [text_of(tr) for tr in next(root.iter("tbody"))] == ["0", "1", "…"]
        assert [text_of(th) for th in next(root.iter("thead"))[1]] == ["u32"]

    def test_escaping(self) -> None:
        """Names and values with markup are escaped."""
        markup = views.table_html({"<b>": ["<script>x</script> & y"]}, caption="a < b",
                                  footer="met: 3 & breached: 1")
        root = parse(markup)
        assert '"<script>x</script> & y"' in text_of(root) and "a < b" in text_of(root)
        last = list(root)[-1]
        assert last.tag == "div" and text_of(last) == "met: 3 & breached: 1"

    def test_empty(self) -> None:
        """No columns at all is a (0, 0) table."""
        assert "shape: (0, 0)" in text_of(parse(views.table_html({})))

    @pytest.mark.parametrize(("kwargs", "match"), [
        ({"columns": [1, 2]}, "columns must be a mapping"),
        ({"columns": {"a": [1], "b": [1, 2]}}, "one length"),
        ({"columns": {"a": "abc"}}, "sequence of values"),
        ({"columns": {"a": [1]}, "max_rows": 0}, "max_rows"),
        ({"columns": {"a": [1]}, "max_cols": True}, "max_cols"),
        ({"columns": {"a": [1, 2]}, "height": 1}, "height"),
    ])
    def test_bad_input(self, kwargs: dict[str, object], match: str) -> None:
        """Bad arguments raise SlaValueError naming the parameter."""
        with pytest.raises(SlaValueError, match=match):
            views.table_html(**kwargs)  # type: ignore[arg-type]


class TestHTML:
    def test_only_text(self) -> None:
        """HTML wraps a string and nothing else."""
        with pytest.raises(SlaValueError, match="markup must be a str"):
            views.HTML(b"<b/>")  # type: ignore[arg-type]


# -- layering -----------------------------------------------------------------------------------
class TestLayering:
    def test_views_imports_only_errors(self) -> None:
        """views.py imports nothing of slacalc at module level but slacalc.errors, so any class
        can import it lazily without a cycle."""
        tree = ast.parse((SRC / "views.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                    "slacalc"):
                assert node.module == "slacalc.errors"
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("slacalc") for a in node.names)

    def test_not_imported_with_slacalc(self) -> None:
        """``import slacalc`` loads neither the views nor matplotlib."""
        code = ("import sys, slacalc; print('slacalc.views' in sys.modules, "
                "'slacalc.plots' in sys.modules, 'matplotlib' in sys.modules)")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.split()
        assert out == ["False", "False", "False"]


# -- properties ---------------------------------------------------------------------------------
class TestProperties:
    @settings(max_examples=30, deadline=None)
    @given(spec=cal_specs(), year=st.integers(2024, 2027), month=st.integers(1, 12))
    def test_any_month_of_any_calendar(self, spec: CalSpec, year: int, month: int) -> None:
        """Any calendar's month: well-formed, one cell per day, the overlays of the month
        marked (an extra holiday of a business-day calendar shows no covered hours)."""
        cal = spec.build()
        root = parse(views.month_html(cal, year, month))
        cells = TestMonthHtml().day_cells(root)
        first = dt.date(year, month, 1)
        days = (dt.date(year + month // 12, month % 12 + 1, 1) - first).days
        assert sorted(cells) == list(range(1, days + 1))
        for day in spec.extra_holidays:
            if (day.year, day.month) == (year, month):
                assert "extra holiday" in text_of(cells[day.day])
                if spec.days == "business":
                    assert "–" not in text_of(cells[day.day])
        for day in spec.extra_workdays:
            if (day.year, day.month) == (year, month):
                assert "extra workday" in text_of(cells[day.day])

    @settings(max_examples=25, deadline=None)
    @given(data=st.data())
    def test_any_evaluation(self, data: st.DataObject) -> None:
        """Any case of any policy, at any ``now``: well-formed, a lane per metric, every marker
        inside the drawing, and the deadline line and the achievement diamond in time order."""
        policy, case = data.draw(ps.policies_and_cases())
        now = data.draw(ps.nows(case))
        evaluation = sla.evaluate(policy, case, now)
        root = parse(views.evaluation_html(evaluation, case, now))
        if not list(root.iter("svg")):
            assert all(r.start is None for r in evaluation)
            return
        lanes = by_class(root, "g", "lane")
        assert len(lanes) == len(evaluation.results)
        for lane, result in zip(lanes, evaluation.results, strict=True):
            assert shown(lane).startswith(result.metric)
            lines = by_class(lane, "line", "dl")
            assert len(lines) == (result.deadline is not None and result.start is not None)
            for line in lines:
                assert 0 <= float(line.get("x1", "-1")) <= 960
            marks = by_class(lane, "path", "met") + by_class(lane, "path", "breached")
            assert len(marks) == (result.achieved is not None and result.start is not None)
            if lines and marks:
                x_deadline = float(lines[0].get("x1", "nan"))
                x_achieved = float(re.findall(r"M([\d.]+)", marks[0].get("d", ""))[0])
                gap = (result.achieved - result.deadline).total_seconds()  # type: ignore[operator]
                if gap > 0:
                    assert x_achieved >= x_deadline
                elif gap < 0:
                    assert x_achieved <= x_deadline

    @settings(max_examples=25, deadline=None)
    @given(policy=ps.policies())
    def test_any_policy(self, policy: sla.Policy) -> None:
        """Any policy: well-formed, naming every metric and severity."""
        text = "".join(text_of(el) for el in parse(policy._repr_html_()) if el.tag != "style")
        for metric in policy.metrics():
            assert metric in text
        for severity in policy.severities:
            assert severity.id in text


class TestReportBreakdown:
    def test_rows_beyond_period_and_measure_are_listed(self) -> None:
        """A report whose rows repeat a (period, measure) pair (a breakdown by another column)
        is shown one line per row rather than folded into one cell."""
        policy = sla.Policy.from_dict(POLICY)
        cases = [sla.Case("J-1", at(7, 1, 9), "A", achieved={"restore": at(7, 1, 16)}),
                 sla.Case("J-2", at(7, 2, 9), "A", achieved={"restore": at(7, 3, 10)})]
        one = sla.report(policy, cases[:1], first=dt.date(2026, 7, 1), last=dt.date(2026, 7, 31))
        two = sla.report(policy, cases[1:], first=dt.date(2026, 7, 1), last=dt.date(2026, 7, 31))
        both = sla.Report(one.policy, one.rows + two.rows, 2)
        table = parse(both._repr_html_()).find("table")
        assert table is not None
        rows = [[text_of(td) for td in tr] for tr in next(table.iter("tbody"))]
        assert len(rows) == 2
        head = [text_of(th) for th in next(table.iter("thead")).iter("th")]
        verdict = head.index("verdict")
        assert [r[verdict] for r in rows] == ["✓ met", "✗ missed"]
        assert [r[head.index("value")] for r in rows] == ["100%", "0%"]


class TestWithoutStyles:
    def test_drawing_keeps_its_colours_without_css(self) -> None:
        """Where a viewer drops the <style> block, every shape still carries its colours as
        attributes (an invisible hover area aside), and text takes the page's colour."""
        case = TestEvaluationView().case(at(10, 8, 15, 30))
        policy = sla.Policy.from_dict(POLICY)
        now = at(10, 9, 12)
        root = parse(views.evaluation_html(sla.evaluate(policy, case, now), case, now))
        (svg,) = root.iter("svg")
        assert svg.get("fill") == "currentColor"
        shapes = [el for tag in ("rect", "line", "path") for el in svg.iter(tag)]
        assert shapes
        for el in shapes:
            if el.get("fill-opacity") == "0":
                continue
            assert el.get("fill") or el.get("stroke"), ET.tostring(el)[:80]
        (deadline,) = by_class(TestEvaluationView().lanes(root)[1], "line", "dl")
        assert deadline.get("stroke") == "#d64545"
