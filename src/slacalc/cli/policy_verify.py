"""``slacalc policy verify``: lint a policy and check its invariants over generated cases.

The logic is :mod:`slacalc.verify`; this module reads the policy, runs it and prints the report.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import slacalc as sla
from slacalc import verify
from slacalc.cli._common import Out, command_parser, load_policy, problem_lines
from slacalc.cli._errors import Exit, error, printable


def register(actions: Any) -> None:
    pv = command_parser(
        actions, "verify", help="lint a policy and check its invariants on generated cases",
        description="Lint a policy file and check its invariants over generated cases, with a "
        "seed and a budget of examples; print each finding, and each failing invariant with a "
        "shrunk counterexample case row that 'slacalc evaluate' reads back.",
        epilog=verify.EPILOG,
    )
    verify.add_arguments(pv)
    pv.set_defaults(func=run)


def run(args: argparse.Namespace, out: Out) -> int:
    ref: str = args.policy
    try:
        policy = load_policy(ref)
    except sla.PolicyError as exc:
        for line in problem_lines(ref, exc):
            sys.stderr.write(line + "\n")
        return Exit.USAGE
    try:
        report = verify.verify(policy, seed=args.seed, examples=args.examples,
                               severity_order=args.severity_order, tier_order=args.tier_order,
                               events=args.event)
    except ImportError as exc:  # the invariants need hypothesis, an optional extra
        error(str(exc))
        return Exit.USAGE
    out.stream.write(printable(verify.render(report, ref)))
    return Exit.OK if report.clean else Exit.FINDINGS
