"""``slacalc policy verify``: the lint and the invariants of a policy, with counterexamples.

:func:`verify` lints a policy (:mod:`slacalc.lint`) and runs the ready-made invariants of
:mod:`slacalc.testing` over generated cases, with a seed and a budget of examples; the
invariants need hypothesis (``pip install "slacalc[hypothesis]"``). :func:`render` prints a
report: each lint finding with its key path, each failing invariant with its explanation and a
shrunk counterexample written as a case row (one JSON object on one line) that
``slacalc evaluate`` reads back. The command line ``slacalc policy verify FILE`` runs them
(:func:`add_arguments` gives its options).

>>> import slacalc as sla
>>> report = verify(sla.templates.load("helpdesk"), examples=10)
>>> report.clean, report.exit_code
(True, 0)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import attrs

from slacalc.errors import SlaValueError, echo
from slacalc.lint import Finding, lint
from slacalc.policy import Policy

__all__ = ["DEFAULT_EXAMPLES", "EPILOG", "Failure", "VerifyReport", "add_arguments", "render",
           "verify"]

#: Examples per invariant by default: the standard contract verifies in seconds.
DEFAULT_EXAMPLES = 60
#: Exit statuses: clean; findings or failing invariants (bad input is the command line's 2).
EXIT_CLEAN, EXIT_FINDINGS = 0, 1


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


def _ids(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number of examples")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``slacalc policy verify`` to ``parser``."""
    parser.add_argument("policy", metavar="FILE|builtin:NAME",
                        help="a policy file (TOML, or JSON ending in .json) or builtin:NAME")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="seed of the generated cases (default 0: the same cases each run)")
    parser.add_argument("--examples", type=_positive, default=DEFAULT_EXAMPLES, metavar="N",
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
