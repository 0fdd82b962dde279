"""What ``evaluate`` and ``report`` share: the cases file options, reading the rows through
:mod:`slacalc.io`, evaluating them in chunks, reporting bad rows and the progress bar."""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import IO, Any, TextIO

import slacalc as sla
from slacalc import io as case_io
from slacalc.cli._common import PROG, plural
from slacalc.cli._errors import printable
from slacalc.errors import echo

#: cases handed to evaluate_many at once: bounded memory, large enough for its lookup tables
CHUNK = 16_384
#: what makes one case fail to evaluate (a bug elsewhere escapes to the internal-error path)
_CASE_FAILURES = (sla.SlaError, ValueError, TypeError, ArithmeticError, RecursionError)


# the library names an instant by its parameter, in UTC: ``t=2199-12-31T02:00:00+00:00``
_INTERNAL_INSTANT = re.compile(r"\b[a-z_]+=([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:[+-][0-9:]+|Z)?)")


def _zone_of(policy: sla.Policy) -> dt.tzinfo | None:
    """The zone of the policy's calendars when they share one (to report instants in)."""
    try:
        zones = {policy.calendar(spec.name).tz for spec in policy.calendars}
    except sla.SlaError:
        return None
    return zones.pop() if len(zones) == 1 else None


def _local(text: str, tz: dt.tzinfo | None) -> str:
    """An instant of a library message, in ``tz`` and without its parameter name."""
    try:
        t = dt.datetime.fromisoformat(text)
        local = t.astimezone(tz) if tz is not None and t.utcoffset() is not None else t
    except (ValueError, OverflowError):
        return text
    return local.isoformat()


def add_input_options(p: argparse.ArgumentParser) -> None:
    """``CASES``, ``--input-format`` and ``--on-error``."""
    p.add_argument("cases", metavar="CASES",
                   help="CASES.csv or CASES.jsonl; '-' reads stdin (give --input-format)")
    p.add_argument("--input-format", choices=tuple(case_io.formats()),
                   help="input format (default: from the extension of CASES)")
    p.add_argument("--on-error", choices=("skip", "raise"), default="skip",
                   help="a row that cannot be read or evaluated: skip reports it on stderr "
                   "and goes on (the default), raise stops with an error")


class Progress:
    """A progress bar on stderr drawn by ``tqdm``: only on a terminal, and only when tqdm is
    installed (the ``cli`` extra); otherwise nothing at all."""

    def __init__(self, stream: IO[bytes] | None, total: int | None, err: TextIO) -> None:
        self.bar: Any = None
        self.stream = stream
        try:
            tty = bool(err.isatty())
        except (AttributeError, ValueError):
            tty = False
        if not tty:
            return
        try:
            from tqdm import tqdm  # noqa: PLC0415 - optional, and only when a bar is shown
        except ImportError:
            return
        seekable = stream is not None and total is not None and stream.seekable()
        self.bar = tqdm(total=total if seekable else None, unit="B" if seekable else " rows",
                        unit_scale=bool(seekable), file=err, leave=False, dynamic_ncols=True)
        if not seekable:
            self.stream = None

    @property
    def enabled(self) -> bool:
        return self.bar is not None

    def update(self, rows: int, *, final: bool = False) -> None:
        bar = self.bar
        if bar is None:
            return
        done = self.stream.tell() if self.stream is not None else rows
        if done > bar.n:
            bar.set_postfix_str(f"{rows:,} rows", refresh=False)
            bar.update(done - bar.n)
        if final:
            bar.refresh()

    def write(self, err: TextIO, text: str) -> None:
        """Write a line of ``text`` clear of the bar."""
        if self.bar is not None:
            self.bar.clear()
        err.write(text + "\n")
        if self.bar is not None:
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Problems:
    """Bad rows and notes on stderr, one line each, clear of the progress bar."""

    def __init__(self, err: TextIO, progress: Progress) -> None:
        self.err = err
        self.progress = progress
        self.skipped = 0

    def note(self, text: str) -> None:
        self.progress.write(self.err, f"{PROG}: note: {printable(' '.join(text.split()))}")

    def skip(self, bad: case_io.BadRow) -> None:
        self.skipped += 1
        reason = printable(" ".join(bad.reason.split()))  # one line per row, whatever the text
        self.progress.write(self.err, f"{printable(bad.source)}:{bad.line}: skipped: {reason}")


class CaseRows:
    """The rows of a cases file (``-``: stdin) read lazily, with the bar and the reporter."""

    def __init__(self, args: argparse.Namespace, policy: sla.Policy, stack: ExitStack) -> None:
        path: str = args.cases
        self.source = "<stdin>" if path == "-" else path
        if path == "-":
            if args.input_format is None:
                raise sla.SlaValueError("reading cases from stdin ('-') needs --input-format "
                                        + "|".join(case_io.formats()))
            stream: IO[bytes] = sys.stdin.buffer
            size = None
        else:
            try:  # before opening: a clear error
                fmt = case_io.format_of(path, args.input_format)
            except sla.SlaValueError:
                raise sla.SlaValueError(
                    f"cannot tell the format of {echo(path)} from its name; name it .csv, "
                    ".jsonl, .ndjson or .parquet, or pass --input-format "
                    + "|".join(case_io.formats())) from None
            try:
                stream = stack.enter_context(open(path, "rb"))  # noqa: SIM115 - closed by the stack
                size = os.fstat(stream.fileno()).st_size or None
            except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
                raise sla.SlaValueError(
                    f"cannot read cases file {echo(path)}: {getattr(exc, 'strerror', None) or exc}") from None
            args.input_format = fmt.name
        self.progress = Progress(stream, size, sys.stderr)
        stack.callback(self.progress.close)
        self.problems = Problems(sys.stderr, self.progress)
        self.raise_errors = args.on_error == "raise"
        self.zone = _zone_of(policy)
        fmt = case_io.format_of(self.source, args.input_format)
        # bad rows and notes wait for the chunk they belong to, so that stderr lists them in
        # line order together with the cases the evaluation refuses (at most a chunk's worth)
        self._held: list[tuple[int, int, Callable[[], None]]] = []
        self.reader = case_io.CaseReader(
            fmt.read(stream, self.source), source=self.source, policy=policy,
            errors="raise" if self.raise_errors else "skip",
            on_skip=lambda bad: self._hold(bad.line, lambda: self.problems.skip(bad)),
            on_note=lambda text: self._hold(self.reader.line,
                                            lambda: self.problems.note(text)))
        # read the first case now: a file that is unusable as a whole (a CSV header without
        # id) fails here, before any output is opened
        self.first = next(self.reader, None)
        self.first_line = self.reader.line

    def failed(self, line: int, case: sla.Case, exc: Exception) -> None:
        """A case that could not be evaluated: a bad row, its instants said in local time."""
        reason = str(exc) or type(exc).__name__
        opened_year = case.opened.astimezone(dt.UTC).year
        if isinstance(exc, sla.OutOfRangeError) and not 1900 <= opened_year <= 2199:
            reason = (f"opened {case.opened.isoformat()} is outside the years slacalc can "
                      "compute (1900-2199)")
        tz = self.zone or case.opened.tzinfo
        self.bad(line, _INTERNAL_INSTANT.sub(lambda m: _local(m[1], tz), reason))

    def bad(self, line: int, reason: str) -> None:
        """A row whose case could not be evaluated."""
        bad = case_io.BadRow(self.source, line, reason)
        if self.raise_errors:
            self.report_held()
            raise case_io.BadRowError(bad)
        self._hold(line, lambda: self.problems.skip(bad))

    def _hold(self, line: int, say: Callable[[], None]) -> None:
        self._held.append((line, len(self._held), say))

    def report_held(self) -> None:
        """Write the bad rows and notes held so far, in line order."""
        held, self._held = self._held, []
        for _, _, say in sorted(held, key=lambda h: (h[0], h[1])):
            say()

    @property
    def skipped(self) -> int:
        return self.problems.skipped

    def evaluate(self, policy: sla.Policy, now: dt.datetime | None,
                 emit: Callable[[sla.Case, sla.Evaluation], None]) -> int:
        """Evaluate the cases in chunks, passing each case and its evaluation to ``emit`` in
        file order; a case that cannot be evaluated is a bad row. Return how many were."""
        done = 0
        chunk: list[tuple[int, sla.Case]] = []
        reader, progress = self.reader, self.progress

        def flush() -> None:
            nonlocal done
            if not chunk:
                self.report_held()
                return
            try:
                evaluations: list[sla.Evaluation | None] = list(
                    sla.evaluate_many(policy, [case for _, case in chunk], now=now))
            except _CASE_FAILURES:  # find the cases that cannot be judged, judge the others
                evaluations = []
                for line, case in chunk:
                    try:
                        evaluations.append(sla.evaluate(policy, case, now=now))
                    except _CASE_FAILURES as exc:
                        self.failed(line, case, exc)
                        evaluations.append(None)
            for (_, case), evaluation in zip(chunk, evaluations, strict=True):
                if evaluation is not None:
                    emit(case, evaluation)
                    done += 1
            chunk.clear()
            self.report_held()

        rows: Iterator[tuple[int, sla.Case]] = ((reader.line, case) for case in reader)
        if self.first is not None:
            rows = itertools.chain([(self.first_line, self.first)], rows)
        for line, case in rows:
            chunk.append((line, case))
            if len(chunk) >= CHUNK or len(self._held) >= CHUNK:
                flush()
            if progress.enabled and (reader.cases & 255) == 0:
                progress.update(reader.cases + reader.skipped)
        flush()  # the last chunk, and what is held after the last case
        progress.update(reader.cases + reader.skipped, final=True)
        progress.close()
        return done

    def summary(self, evaluated: int, what: str) -> None:
        """``slacalc: 1 of 40,000 rows skipped; ...`` when rows were skipped."""
        if self.skipped:
            total = evaluated + self.skipped
            sys.stderr.write(f"{PROG}: {self.skipped:,} of {plural(total, 'row')} skipped; "
                             f"{what.format(evaluated=f'{evaluated:,}')}\n")
