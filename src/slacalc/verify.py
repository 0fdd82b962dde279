"""``slacalc policy verify``: the lint and the invariants of a policy, with counterexamples.

:func:`verify` lints a policy (:mod:`slacalc.lint`) and runs the ready-made invariants of
:mod:`slacalc.testing` over generated cases, with a seed and a budget of examples; the
invariants need hypothesis (``pip install "slacalc[hypothesis]"``). :func:`render` prints a
report: each lint finding with its key path, each failing invariant with its explanation and a
shrunk counterexample written as a case row (one JSON object on one line) that
``slacalc evaluate`` reads back. :func:`main` is the command line.

>>> import slacalc as sla
>>> report = verify(sla.templates.load("helpdesk"), examples=10)
>>> report.clean, report.exit_code
(True, 0)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

import attrs

from slacalc.errors import SlaError, SlaValueError, echo
from slacalc.lint import Finding, lint
from slacalc.policy import Policy, PolicyError

__all__ = ["DEFAULT_EXAMPLES", "VerifyReport", "load_policy", "main", "render", "verify"]

#: Examples per invariant by default: the standard contract verifies in seconds.
DEFAULT_EXAMPLES = 60
#: Exit statuses: clean, findings or failures, bad input (unreadable or invalid policy, usage).
EXIT_CLEAN, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


@attrs.frozen
class Failure:
    """A failing invariant: its name, why, and the counterexample as a case row."""

    invariant: str
    message: str
    row: dict[str, Any] | None = attrs.field(eq=False)
    now: dt.datetime | None = None


@attrs.frozen
class VerifyReport:
    """What :func:`verify` found: lint ``findings``, invariant ``failures``, the invariants
    run, the examples per invariant and the seed."""

    policy: str
    findings: tuple[Finding, ...]
    failures: tuple[Failure, ...]
    invariants: tuple[str, ...]
    examples: int
    seed: int

    @property
    def clean(self) -> bool:
        """No finding and no failure."""
        return not self.findings and not self.failures

    @property
    def exit_code(self) -> int:
        """0 when clean, 1 otherwise."""
        return EXIT_CLEAN if self.clean else EXIT_FINDINGS


def verify(policy: Policy, *, seed: int = 0, examples: int = DEFAULT_EXAMPLES,
           severity_order: Sequence[str] | None = None, tier_order: Sequence[str] | None = None,
           events: Sequence[str] = (), invariants: Sequence[str] | None = None) -> VerifyReport:
    """Lint ``policy`` and run the invariants (``examples`` generated cases each, from
    ``seed``); see :func:`slacalc.lint.lint` and :func:`slacalc.testing.check_policy` for the
    other arguments. Raises :class:`ImportError` without hypothesis."""
    if not isinstance(policy, Policy):
        raise SlaValueError(f"policy must be a slacalc.Policy, not {echo(policy)}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise SlaValueError(f"seed must be an int, not {echo(seed)}")
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise SlaValueError(f"examples must be a positive int, not {echo(examples)}")
    findings = lint(policy, events=events, severity_order=severity_order, tier_order=tier_order)
    from slacalc import testing  # noqa: PLC0415 - needs hypothesis, an optional extra

    chosen = [testing.invariant(n) for n in invariants] if invariants is not None else list(
        testing.INVARIANTS)
    violations = testing.find_violations(
        policy, invariants=chosen, max_examples=examples, seed=seed,
        severity_order=severity_order, tier_order=tier_order)
    failures = tuple(Failure(v.invariant, v.message, v.row, v.now) for v in violations)
    return VerifyReport(policy.name, findings, failures,
                        tuple(i.name for i in chosen if i.applies(policy)), examples, seed)


def render(report: VerifyReport, source: str) -> str:
    """The report as text: findings, then failures with their case rows, then a summary."""
    lines = []
    for f in report.findings:
        lines.append(f"{source}: {f}")
    for fail in report.failures:
        lines.append(f"{source}: invariant {fail.invariant} fails: {fail.message}")
        if fail.row is not None:
            lines.append("  counterexample (a case row for slacalc evaluate):")
            lines.append("  " + json.dumps(fail.row, ensure_ascii=False))
            now = "" if fail.now is None else f" --now {fail.now.isoformat()}"
            lines.append(f"  check it: save the row as case.jsonl, then run "
                         f"slacalc evaluate case.jsonl --policy {source}{now}")
    n_find, n_fail = len(report.findings), len(report.failures)
    summary = (f"{n_find} finding{'s' if n_find != 1 else ''}, {n_fail} of "
               f"{len(report.invariants)} invariants failing ({report.examples} examples "
               f"each, seed {report.seed})")
    lines.append(("ok: " if report.clean else "") + summary)
    return "\n".join(lines) + "\n"


def load_policy(ref: str) -> Policy:
    """The policy ``ref`` names: ``builtin:NAME``, a ``.json`` file, or else a TOML file."""
    if ref.startswith("builtin:"):
        from slacalc import templates  # noqa: PLC0415 - reads package data on import

        return templates.load(ref[len("builtin:"):].strip())
    path = pathlib.Path(ref)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SlaValueError(f"cannot read policy file {ref!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SlaValueError(f"policy file {ref!r} is not UTF-8 text") from None
    if path.suffix.lower() != ".json":
        return Policy.from_toml_text(text, source=ref)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError([f"{ref}: not valid JSON: {exc}"]) from None
    return Policy.from_dict(data)


def _ids(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``policy verify`` (shared by :func:`main` and the ``slacalc`` CLI)."""
    parser.add_argument("policy", metavar="FILE",
                        help="policy file (TOML, or .json) or builtin:NAME")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the generated cases (default 0: the same cases each run)")
    parser.add_argument("--examples", type=int, default=DEFAULT_EXAMPLES,
                        help=f"cases per invariant (default {DEFAULT_EXAMPLES})")
    parser.add_argument("--severity-order", type=_ids, default=None, metavar="IDS",
                        help="severity ids, most severe first (default: as the policy lists them)")
    parser.add_argument("--tier-order", type=_ids, default=None, metavar="IDS",
                        help="tier ids, lowest first (default: as the policy lists them)")
    parser.add_argument("--event", action="append", default=[], metavar="NAME",
                        help="an event your cases record that a clock may start at (repeatable)")


EPILOG = """\
checks: the lint rules (shadowed rules, missing targets, escalation order, unknown names, unused
calendars, unreachable clock starts) and the invariants of slacalc.testing over generated cases
(needs hypothesis: pip install "slacalc[hypothesis]"). Each failing invariant is shown with a
shrunk counterexample, one case row (JSON) that 'slacalc evaluate' reads back.
exit status: 0 clean, 1 findings or failing invariants, 2 unreadable or invalid policy, or usage.
"""


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``policy verify`` with parsed ``args``; the exit status."""
    if args.examples < 1:
        err.write(f"slacalc: error: --examples must be at least 1, not {args.examples}\n")
        return EXIT_BAD_INPUT
    started = time.perf_counter()
    try:
        policy = load_policy(args.policy)
        report = verify(policy, seed=args.seed, examples=args.examples,
                        severity_order=args.severity_order, tier_order=args.tier_order,
                        events=args.event)
    except PolicyError as exc:
        for problem in exc.problems:
            err.write(f"{args.policy}: {problem}\n")
        return EXIT_BAD_INPUT
    except SlaError as exc:
        err.write(f"slacalc: error: {exc}\n")
        return EXIT_BAD_INPUT
    except ImportError as exc:
        err.write(f"slacalc: error: {exc}\n")
        return EXIT_BAD_INPUT
    out.write(render(report, args.policy))
    err.write(f"verified in {time.perf_counter() - started:.1f} s\n")
    return report.exit_code


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """``slacalc policy verify FILE [--seed N] [--examples N]`` as a function; the exit status.

    >>> import io
    >>> main(["builtin:helpdesk", "--examples", "5"], out=io.StringIO(), err=io.StringIO())
    0
    """
    parser = argparse.ArgumentParser(
        prog="python -m slacalc.verify", description="Lint a policy and check its invariants.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse's usage errors exit 2, --help exits 0
        return int(exc.code or 0)
    return run(args, out, err)


if __name__ == "__main__":  # python -m slacalc.verify FILE
    sys.exit(main())
