"""``slacalc demo``: the contract scenarios computed by the library, then the sample cases
shipped with the package evaluated under the standard contract."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.resources
import random
import textwrap
import time
from collections.abc import Callable, Iterator
from typing import Any

import slacalc as sla
from slacalc.cli._common import (
    Indented,
    Out,
    command_parser,
    describe_calendar,
    fmt_day,
    fmt_instant,
    templates_module,
)
from slacalc.cli._contract import STANDARD_CONTRACT
from slacalc.cli._errors import Exit
from slacalc.cli.calendar import MONTHS
from slacalc.cli.deadline import explain_segments, list_skipped_days
from slacalc.io import CaseReader, read_jsonl

#: the most random cases the batch scenario takes (its memory grows with them: about 150 MB)
MAX_CASES = 1_000_000


def _cases(text: str) -> int:
    digits = text.strip().replace("_", "")
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 9):
        raise argparse.ArgumentTypeError(
            f"--cases {text!r} is not a number of cases; give 1 to {MAX_CASES:,}")
    n = int(digits)
    if not 1 <= n <= MAX_CASES:
        raise argparse.ArgumentTypeError(
            f"--cases {n:,} is out of range: give 1 to {MAX_CASES:,} (the batch is held in "
            "memory)")
    return n


def register(commands: Any) -> None:
    d = command_parser(
        commands, "demo",
        help="walk through the contract scenarios slacalc models",
        description="Compute the contract scenarios slacalc models (the 15:00 cutoff, make-up "
        "workdays, holidays) with the library, then evaluate the sample cases shipped with it.",
    )
    d.add_argument("--cases", type=_cases, default=100_000, metavar="N",
                   help=f"number of random cases in the batch scenario, 1 to {MAX_CASES:,} "
                   "(default 100000)")
    d.set_defaults(func=run)


def run(args: argparse.Namespace, out: Out) -> int:
    Demo(out, args.cases).run()
    return Exit.OK


class Demo:
    """The contract scenarios; each method prints the rows of one, computed by the library."""

    def __init__(self, out: Out, cases: int) -> None:
        self.out = out
        self.cases = cases
        self.cal = sla.Calendar.from_coverage("5x8", country="CN")
        self.cal24 = sla.Calendar.from_coverage("7x24", country="CN")
        self.tz = self.cal.tz

    def at(self, y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> dt.datetime:
        return dt.datetime(y, mo, d, h, mi, s, tzinfo=self.tz)

    def row(self, label: str, value: str) -> None:
        self.out(f"   {label:<38s} {value}")

    def scenarios(self) -> list[tuple[str, str, Callable[[], None]]]:
        return [
            ("Spare parts 5x8xNBD: the 15:00 cutoff before National Day 2026",
             "A fault diagnosed before 15:00 on a business day ships that day; at or after "
             "15:00 it ships the next business day. The part arrives by 17:00 on the business "
             "day after shipping.", self.nbd_cutoff),
            ("A make-up Saturday (调休): 2026-10-10 is a working day",
             "Business days exclude statutory holidays and include weekend make-up workdays.",
             self.makeup_saturday),
            ("Spare parts 7x8xND on a holiday",
             "ND: the part arrives by 18:00 on the next calendar day, holidays included.",
             self.nd_holiday),
            ("Spare parts 7x24x4 overnight",
             "Diamond tier: the part is on site within 4 hours, any hour of any day.",
             self.four_hours),
            ("5x8: 4 business hours across National Day",
             "Severity D: reply within 4 hours of 5x8 business time.", self.across_holiday),
            ("Monthly report due on the 5th, postponed past holidays (节假日顺延)",
             "The monthly service report is due on the 5th; when that is not a working day, "
             "on the next working day.", self.monthly_report),
            ("A faulty part returned within 10 working days, over the Spring Festival",
             "The customer returns the replaced part within 10 working days.",
             self.part_return),
            ("Repair within 60 working days",
             "Returned units are repaired within 60 working days, at least 95% of them on time.",
             self.repair),
            (f"A batch of {self.cases:,} random cases through add_many",
             "Every case of three years gets its 5x8 +4h deadline, in one call.", self.batch),
        ]

    def run(self) -> None:
        self.out("slacalc demo: contract scenarios computed by the library")
        self.out(f"calendar: {describe_calendar(self.cal)}; holiday data vouched through "
                 f"{self.cal.verified_through}")
        for number, (title, clause, body) in enumerate(self.scenarios(), 1):
            self.out()
            self.out(f"{number}. {title}")
            for line in textwrap.wrap(f'clause: "{clause}"', width=92):
                self.out(f"   {line}")
            body()
        self.sample_cases(len(self.scenarios()) + 1)

    def sample_cases(self, number: int) -> None:
        """The shipped sample cases under the standard contract: counts per metric and status."""
        policy, which, cases = _demo_policy()
        now = self.at(2026, 10, 10, 10)
        evaluations = sla.evaluate_many(policy, cases, now=now)
        self.out()
        self.out(f"{number}. Sample cases: {len(cases)} tickets of 2026, around the Spring Festival "
                 "and National Day")
        self.row("policy", which)
        self.row("cases", f"{_SAMPLE_FILE} (the format slacalc evaluate reads)")
        self.row("judged at", f"{fmt_instant(now)} ({self.cal.describe_day(now.date())})")
        self.out()
        labels = {"not_applicable": "n/a"}
        header = "".join(f"{labels.get(s, s):>10s}" for s in _DEMO_STATUSES)
        self.out(f"   {'metric':<18s}{header}")
        counts: dict[str, dict[str, int]] = {m: dict.fromkeys(_DEMO_STATUSES, 0)
                                             for m in policy.metrics()}
        breaches: list[str] = []
        for evaluation in evaluations:
            for result in evaluation:
                counts[result.metric][result.status] += 1
                if result.status == "breached":
                    breaches.append(f"{evaluation.case_id} {result.metric}")
        for metric, row in counts.items():
            self.out(f"   {metric:<18s}" + "".join(f"{row[s]:>10d}" for s in _DEMO_STATUSES))
        self.out()
        for line in textwrap.wrap("breached: " + (", ".join(breaches) or "none"), width=92,
                                  subsequent_indent="  "):
            self.out(f"   {line}")
        chosen = next((e for e in evaluations if e.case_id == _SAMPLE_CASE), None)
        if chosen is None or not len(chosen):  # pragma: no cover - the shipped file has it
            return
        result = (chosen[_SAMPLE_METRIC] if _SAMPLE_METRIC in chosen
                  and chosen[_SAMPLE_METRIC].status != "not_applicable"
                  else max(chosen, key=lambda r: len(r.segments())))
        case = next(c for c in cases if c.id == _SAMPLE_CASE)
        self.out()
        self.out(f"   Case {case.id}: severity {case.severity}, {case.tier} tier, {case.zone} site, "
                 f"opened {fmt_instant(case.opened)}.")
        self.out(f"   Why its {result.metric} is due when it is:")
        for line in result.explain().splitlines():
            self.out(f"     {line}")
        if policy.measures:
            self.out()
            self.out("   The contract's quality measures per quarter (slacalc report):")
            for line in sla.report(policy, cases, now).to_text().splitlines():
                self.out(f"     {line}")


    def nbd_cutoff(self) -> None:
        nbd = sla.NextBusinessDay(self.cal, cutoff=dt.time(15), by=dt.time(17))
        for t in (self.at(2026, 9, 30, 14, 59, 59), self.at(2026, 9, 30, 15, 0, 0)):
            ship = self.cal.effective_day(t, nbd.cutoff)
            self.row(f"diagnosed {t:%Y-%m-%d %a %H:%M:%S}",
                     f"ships {fmt_day(ship)}, due {fmt_instant(nbd.deadline(t))}")
        self.out("   2026-10-01..07 is the National Day break: one second moves the part a day.")

    def makeup_saturday(self) -> None:
        nbd = sla.NextBusinessDay(self.cal)
        sat = dt.date(2026, 10, 10)
        self.row(f"{fmt_day(sat)} is a", str(self.cal.describe_day(sat)))
        t = self.at(2026, 10, 9, 15)
        self.row(f"5x8 +4h from {fmt_instant(t)}",
                 f"due {fmt_instant(self.cal.add(t, dt.timedelta(hours=4)))}")
        for t in (self.at(2026, 10, 9, 10), self.at(2026, 10, 9, 16)):
            self.row(f"NBD diagnosed {fmt_instant(t)}", f"due {fmt_instant(nbd.deadline(t))}")

    def nd_holiday(self) -> None:
        nd = sla.NextDay(self.cal24, by=dt.time(18))
        t = self.at(2026, 10, 1, 20)
        self.row(f"requested {fmt_instant(t)}", f"due {fmt_instant(nd.deadline(t))}")
        self.row("2026-10-02 is a", f"{self.cal.describe_day(dt.date(2026, 10, 2))}: it counts")

    def four_hours(self) -> None:
        t = self.at(2026, 10, 1, 23)
        due = sla.Within(self.cal24, dt.timedelta(hours=4)).deadline(t)
        self.row(f"requested {fmt_instant(t)}", f"due {fmt_instant(due)}")

    def across_holiday(self) -> None:
        t = self.at(2026, 9, 30, 15, 1)
        due = self.cal.add(t, dt.timedelta(hours=4))
        self.row(f"opened {fmt_instant(t)}, +4h", f"due {fmt_instant(due)}")
        explain_segments(self.cal, t, due, Indented(self.out))

    def monthly_report(self) -> None:
        for month in range(1, 13):
            fifth = dt.date(2026, month, 5)
            due = self.cal.add_business_days(fifth, 0)
            note = "" if due == fifth else f"  (the 5th: {self.cal.describe_day(fifth)})"
            self.row(f"{MONTHS[month - 1]} 2026", f"due {fmt_day(due)}{note}")

    def part_return(self) -> None:
        t = self.at(2026, 2, 13, 10)
        due = sla.BusinessDays(self.cal, 10, by=dt.time(17)).deadline(t)
        self.row(f"part replaced {fmt_instant(t)}", f"return by {fmt_instant(due)}")
        counted = [d for d in _dates(t.date(), due.date()) if self.cal.is_business_day(d)]
        self.row(f"{len(counted)} working days counted",
                 ", ".join(f"{d:%m-%d}" + ("+" if d.weekday() >= 5 else "") for d in counted))
        self.out("   (+ a make-up Saturday)")
        list_skipped_days(self.cal, t.date(), due.date(), Indented(self.out))

    def repair(self) -> None:
        sixty = sla.BusinessDays(self.cal, 60)
        for t in (self.at(2026, 7, 1, 9), self.at(2026, 9, 1, 9)):
            last = (sixty.deadline(t) - dt.timedelta(microseconds=1)).date()
            self.row(f"received {fmt_instant(t)}", f"due by the end of {fmt_day(last)}")

    def batch(self) -> None:
        cal, tz = self.cal, self.tz
        rng = random.Random(2026)
        lo = int(dt.datetime(2024, 1, 1, tzinfo=tz).timestamp())
        hi = int(dt.datetime(2026, 11, 30, tzinfo=tz).timestamp())
        starts = [rng.randrange(lo, hi) for _ in range(self.cases)]
        four = dt.timedelta(hours=4)
        cal.add_many(starts[:1], four)  # compile the calendar outside the timed call
        t0 = time.perf_counter()
        dues = cal.add_many(starts, four)
        took = time.perf_counter() - t0
        self.row("cases", f"{len(dues):,} int POSIX seconds in 2024-01-01 .. 2026-11-30")
        self.row("add_many took", f"{took * 1000:.1f} ms ({took / len(dues) * 1e9:.0f} ns a case)")
        sample = rng.sample(range(len(starts)), min(3, len(starts)))
        agree = True
        for i in sample:
            a = dt.datetime.fromtimestamp(starts[i], tz)
            b = dt.datetime.fromtimestamp(dues[i], tz)
            agree = agree and cal.add(a, four) == b
            self.row(f"e.g. {fmt_instant(a)}", f"due {fmt_instant(b)}")
        self.row("spot check against scalar add", "agrees" if agree else "DISAGREES")


_SAMPLE_FILE = "slacalc/data/sample_cases.jsonl"
_SAMPLE_CASE = "ND-01"  # the case whose explanation the demo prints
_SAMPLE_METRIC = "reply"
_DEMO_STATUSES = ("met", "breached", "running", "paused", "pending", "not_applicable")


def _sample_cases(policy: sla.Policy) -> tuple[list[sla.Case], list[str]]:
    """The cases shipped in ``slacalc/data/sample_cases.jsonl``, and the rows the policy rejects."""
    resource = importlib.resources.files("slacalc") / "data" / "sample_cases.jsonl"
    cases: list[sla.Case] = []
    problems: list[str] = []
    with resource.open("rb") as stream:
        reader = CaseReader(read_jsonl(stream, _SAMPLE_FILE), source=_SAMPLE_FILE,
                            policy=policy, errors="collect", on_note=problems.append)
        cases.extend(reader)
    problems.extend(str(bad) for bad in reader.errors)
    return cases, problems


def _demo_policy() -> tuple[sla.Policy, str, list[sla.Case]]:
    """The built-in ``standard-contract`` if there is one and it can judge every sample case,
    else the inline :data:`STANDARD_CONTRACT`; with a description and the cases."""
    templates = templates_module()
    if templates is not None and "standard-contract" in templates.names():
        builtin: sla.Policy = templates.load("standard-contract")
        cases, problems = _sample_cases(builtin)
        if not problems:
            try:
                sla.evaluate_many(builtin, cases)
            except sla.SlaError:
                pass
            else:
                return builtin, "builtin:standard-contract (slacalc.templates)", cases
        why = "slacalc.templates' standard-contract does not fit the sample cases"
    else:
        why = "slacalc.templates has no standard-contract"
    policy = sla.Policy.from_dict(STANDARD_CONTRACT)
    cases, problems = _sample_cases(policy)
    if problems:  # pragma: no cover - the shipped file is tested against this policy
        raise sla.SlaValueError("the sample cases do not fit the inline policy: "
                                + "; ".join(problems))
    return policy, f"standard-contract, the copy in slacalc.cli ({why})", cases


def _dates(a: dt.date, b: dt.date) -> Iterator[dt.date]:
    """Dates strictly after ``a``, up to and including ``b``."""
    day = a + dt.timedelta(days=1)
    while day <= b:
        yield day
        day += dt.timedelta(days=1)


