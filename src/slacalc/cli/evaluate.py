"""``slacalc evaluate``: every case of a file under a policy, one output row per case and metric."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import difflib
import json
import os
import pathlib
from contextlib import ExitStack
from typing import Any, TextIO

import slacalc as sla
from slacalc.case import ROW_KEYS, attribute_name_problem, misspelt_field
from slacalc.cli._common import Out, command_parser, load_policy, parse_now
from slacalc.cli._errors import Exit, printable
from slacalc.cli._rows import CHUNK, CaseRows, add_input_options
from slacalc.compare import Change, compared_metrics, diff
from slacalc.errors import echo
from slacalc.io import csv_text, escape_json

#: The columns of ``slacalc evaluate --compare``'s output, in order.
COMPARE_OUTPUT = ("case_id", "metric", "severity", "tier", "zone", "deadline_before",
                  "deadline_after", "shift_seconds", "status_before", "status_after")
#: The columns of ``slacalc evaluate``'s output, in order.
RESULT_COLUMNS = (
    "case_id", "metric", "status", "target", "start", "deadline", "achieved", "used_seconds",
    "remaining_seconds", "share", "escalations_fired", "escalations_pending", "note",
)
_FORMATS = ("csv", "jsonl")
#: The case fields ``--keep`` can carry into the output; any attribute name can be kept too.
KEEP_FIELDS = ("severity", "tier", "zone", "excluded", "opened", "closed", "satisfaction")

EPILOG = f"""\
input, one case a row (see the docs' page on case files):
  id, opened, severity     required; opened is ISO 8601 with a UTC offset
  tier, zone, excluded     optional text (excluded: the reason, e.g. force_majeure)
  achieved                 JSON object {{name: time}}; in CSV, one achieved.<name> column each
  pauses                   JSON array of {{"start", "end", "reason"}} (end null: still paused)
  severity_changes         JSON array of {{"at", "severity"}}
  closed                   when the case was closed (ISO 8601 with a UTC offset)
  satisfaction             the customer's rating, a number from 1 to 5
  any other column         an attribute of the case (customer, site, ...): report --by uses it
  in CSV, pauses and severity_changes are columns holding that JSON; empty cells mean none.

output, one row per case and metric:
  {", ".join(RESULT_COLUMNS[:7])},
  {", ".join(RESULT_COLUMNS[7:])}
  then the --keep columns, if any (case fields or extra columns such as customer)

Rows that cannot be read or evaluated are reported on stderr as CASES:LINE: skipped: reason
(or, with --on-error raise, stop the command); a case id used twice is noted with both lines.
Cases are evaluated {CHUNK:,} at a time, so memory does not grow with the file.

--compare OTHER writes, instead, one row per case and metric whose deadline or status differs
under OTHER: {", ".join(COMPARE_OUTPUT)}
(shift_seconds = deadline_after - deadline_before).

exit status: 0 every row was evaluated; 2 usage error, unreadable file or invalid policy (or a
bad row with --on-error raise); 3 some rows were skipped; 4 internal error.

example:
  slacalc evaluate cases.csv --policy contract.toml --now 2026-10-09T12:00+08:00 --out due.csv
"""


def register(commands: Any) -> None:
    e = command_parser(
        commands, "evaluate",
        help="evaluate a CSV or JSON Lines file of cases under a policy",
        description="Evaluate every case of CASES under a policy and write one row per case and "
        "metric. The file is read row by row, so it may be of any size.",
        epilog=EPILOG,
    )
    add_input_options(e)
    e.add_argument("--policy", required=True, metavar="FILE|builtin:NAME",
                   help="a policy file (TOML, or JSON ending in .json) or builtin:NAME")
    e.add_argument("--now", metavar="T",
                   help="judge open cases at this instant: ISO 8601 with a UTC offset, or 'now' "
                   "for the system clock (default: judge only what the cases record)")
    e.add_argument("--out", metavar="F", help="write the results to F instead of stdout")
    e.add_argument("--compare", metavar="FILE|builtin:NAME",
                   help="what-if: evaluate every case under this policy too and write only the "
                   "case metrics whose deadline or status changes, before and after")
    e.add_argument("--keep", metavar="COLUMNS",
                   help="carry these case columns into every output row, after the others, "
                   "comma-separated: " + ", ".join(KEEP_FIELDS) + " or any extra column of "
                   "the case file (customer, ...)")
    e.add_argument("--format", choices=_FORMATS,
                   help="output format (default: jsonl if --out ends in .jsonl or .ndjson, "
                   "else csv)")
    e.set_defaults(func=run)


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _seconds(td: dt.timedelta | None) -> int | float | None:
    """Whole seconds as an int, otherwise a float with microseconds."""
    if td is None:
        return None
    micros = td // dt.timedelta(microseconds=1)
    return micros // 1_000_000 if micros % 1_000_000 == 0 else micros / 1_000_000


def _escalation_text(result: sla.MetricResult, status: str) -> str:
    """``expert@2026-10-02T00:40:00+08:00;vendor@...`` for the steps with this status."""
    return ";".join(f"{e.name}@{e.at.isoformat()}" for e in result.escalations
                    if e.status == status)


def parse_keep(text: str | None, taken: tuple[str, ...]) -> tuple[str, ...]:
    """``--keep severity,customer``: the case columns to carry into every output row.

    >>> parse_keep(" severity, customer ", RESULT_COLUMNS)
    ('severity', 'customer')
    """
    if text is None:
        return ()
    names = tuple(n.strip() for n in text.split(","))
    for name in names:
        if name in taken:
            raise sla.SlaValueError(f"--keep {echo(text)}: {echo(name)} is already a column "
                                    "of the output")
        if name in KEEP_FIELDS:
            continue
        problem = _keep_problem(name)
        if problem is not None:
            raise sla.SlaValueError(
                f"--keep {echo(text)}: {problem}; keep {', '.join(KEEP_FIELDS)} or an extra "
                "column of the case file (customer, ...)")
    if len(set(names)) != len(names):
        raise sla.SlaValueError(f"--keep {echo(text)} names a column twice")
    return names


def _keep_problem(name: str) -> str | None:
    """Why ``--keep`` cannot carry ``name`` (not one of ``KEEP_FIELDS``), or ``None``."""
    if name == "id":
        return "the case's id is the output's case_id column already"
    if name.startswith("achieved."):
        return (f"{echo(name)} is a case field that --keep does not carry: a row's metric "
                "has its own achievement in the row (the achieved column, or the status)")
    if name in ROW_KEYS:  # achieved, pauses, severity_changes
        return (f"{echo(name)} is a case field of several values (a mapping or a list), which "
                "--keep does not carry")
    problem = attribute_name_problem(name, typos=False)
    if problem is None:
        like = misspelt_field(name)
        if like is not None:
            return (f"{echo(name)} looks like a misspelt {like!r}, and case files do not keep "
                    "a column so named")
    return problem


def kept_values(case: sla.Case, keep: tuple[str, ...]) -> dict[str, Any]:
    """The ``keep`` columns of ``case``: its fields (instants as ISO 8601 text) or attributes."""
    out: dict[str, Any] = {}
    for name in keep:
        if name in ("opened", "closed"):
            out[name] = _iso(getattr(case, name))
        elif name in KEEP_FIELDS:
            out[name] = getattr(case, name)
        else:
            out[name] = case.attribute(name)
    return out


class _Unseen:
    """The kept attributes no case has had so far, and the attribute names the cases had
    meanwhile (for the note's close matches)."""

    def __init__(self, keep: tuple[str, ...]) -> None:
        self.keep = keep
        self.names = {n for n in keep if n not in KEEP_FIELDS}
        self.seen: set[str] = set()

    def add(self, case: sla.Case) -> None:
        if self.names and case.attributes:
            found = [n for n, _ in case.attributes]
            self.names.difference_update(found)
            self.seen.update(found)

    def note(self) -> str:
        missing = [n for n in self.keep if n in self.names]
        one = len(missing) == 1
        text = (f"--keep: no case has the column{'' if one else 's'} "
                f"{', '.join(map(repr, missing))}")
        seen = sorted(self.seen)
        hints = [f"{n!r} is perhaps {found[0]!r}" for n in missing
                 if (found := difflib.get_close_matches(n, seen, n=1, cutoff=0.6))]
        if hints:
            text += f" ({'; '.join(hints)})"
        return text + f"; {'its' if one else 'their'} cells are empty"


def result_record(case_id: str, r: sla.MetricResult) -> dict[str, Any]:
    return {
        "case_id": case_id, "metric": r.metric, "status": getattr(r.status, "value", r.status), "target": r.target,
        "start": _iso(r.start), "deadline": _iso(r.deadline), "achieved": _iso(r.achieved),
        "used_seconds": _seconds(r.used), "remaining_seconds": _seconds(r.remaining),
        "share": None if r.share is None else round(r.share, 6),
        "escalations_fired": _escalation_text(r, "fired"),
        "escalations_pending": _escalation_text(r, "pending"),
        "note": r.note,
    }


class ResultWriter:
    """Writes result records as CSV (with a header) or as JSON Lines. Text that could hide or
    reorder what a terminal shows (control and bidirectional-override characters, e.g. in a
    case id) is escaped: ``\\u202e`` in CSV cells, the same JSON escape in JSON Lines."""

    def __init__(self, stream: TextIO, fmt: str, columns: tuple[str, ...] = RESULT_COLUMNS
                 ) -> None:
        self.stream = stream
        self.rows = 0
        self.csv = csv.writer(stream, lineterminator="\n") if fmt == "csv" else None
        if self.csv is not None:
            self.csv.writerow(columns)

    def write(self, evaluation: sla.Evaluation, kept: dict[str, Any] | None = None) -> None:
        for result in evaluation:
            record = result_record(evaluation.case_id, result)
            if kept:
                record.update(kept)
            self.write_record(record)

    def write_record(self, record: dict[str, Any]) -> None:
        if self.csv is not None:
            self.csv.writerow([printable(v) if isinstance(v, str) else csv_text(v)
                               for v in record.values()])
        else:
            self.stream.write(escape_json(json.dumps(record, ensure_ascii=False)) + "\n")
        self.rows += 1


def change_record(change: Change) -> dict[str, Any]:
    shift = change.shift
    return {
        "case_id": change.id, "metric": change.metric, "severity": change.severity,
        "tier": change.tier, "zone": change.zone,
        "deadline_before": _iso(change.deadline_before),
        "deadline_after": _iso(change.deadline_after),
        "shift_seconds": _seconds(shift), "status_before": change.status_before,
        "status_after": change.status_after,
    }


class CompareWriter:
    """Collects each chunk's cases and their evaluations under the first policy, evaluates
    them under the other and writes the changes."""

    def __init__(self, writer: ResultWriter, before: sla.Policy, after: sla.Policy,
                 now: dt.datetime | None, keep: tuple[str, ...] = ()) -> None:
        self.writer, self.before, self.after, self.now = writer, before, after, now
        self.keep = keep
        self.metrics = compared_metrics(before, after)
        self.cases: list[sla.Case] = []
        self.evaluations: list[sla.Evaluation] = []

    def add(self, case: sla.Case, evaluation: sla.Evaluation) -> None:
        self.cases.append(case)
        self.evaluations.append(evaluation)
        if len(self.cases) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.cases:
            return
        others = sla.evaluate_many(self.after, self.cases, self.now)
        for case, before, after in zip(self.cases, self.evaluations, others, strict=True):
            kept = kept_values(case, self.keep) if self.keep else None
            for change in diff(self.metrics, [case], [before], [after]):
                record = change_record(change)
                if kept:
                    record.update(kept)
                self.writer.write_record(record)
        self.cases, self.evaluations = [], []


def _output_format(out: str | None, given: str | None) -> str:
    if given is not None:
        return given
    if out is not None and pathlib.Path(out).suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl"
    return "csv"


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # one of them does not exist (yet), or a name holds a NUL
        return False


def run(args: argparse.Namespace, out: Out) -> int:
    policy = load_policy(args.policy)
    other = None if args.compare is None else load_policy(args.compare)
    now = parse_now(args.now)
    out_format = _output_format(args.out, args.format)
    columns = RESULT_COLUMNS if other is None else COMPARE_OUTPUT
    keep = parse_keep(args.keep, columns)
    unseen = _Unseen(keep)

    def kept(case: sla.Case) -> dict[str, Any]:
        unseen.add(case)
        return kept_values(case, keep)

    if args.out is not None and args.cases != "-" and _same_file(args.out, args.cases):
        raise sla.SlaValueError(f"--out {echo(args.out)} is the cases file; write somewhere else")
    with ExitStack() as stack:
        rows = CaseRows(args, policy, stack)
        if args.out is None:
            sink = out.stream
        else:
            try:
                sink = stack.enter_context(open(args.out, "w", encoding="utf-8", newline=""))
            except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
                raise sla.SlaValueError(
                    f"cannot write --out {echo(args.out)}: {getattr(exc, 'strerror', None) or exc}") from None
        if other is None:
            writer = ResultWriter(sink, out_format, (*columns, *keep))
            evaluated = rows.evaluate(policy, now, lambda case, ev: writer.write(
                ev, kept(case) if keep else None))
        else:
            comparing = CompareWriter(ResultWriter(sink, out_format, (*columns, *keep)),
                                      policy, other, now, keep)

            def add(case: sla.Case, evaluation: sla.Evaluation) -> None:
                unseen.add(case)
                comparing.add(case, evaluation)

            evaluated = rows.evaluate(policy, now, add)
            comparing.flush()
    if evaluated and unseen.names:
        rows.problems.note(unseen.note())
    rows.summary(evaluated, "{evaluated} evaluated")
    return Exit.SKIPPED if rows.skipped else Exit.OK
