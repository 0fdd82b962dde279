"""``slacalc policy check``: validate a policy file and list every problem."""

from __future__ import annotations

import argparse
from typing import Any

import slacalc as sla
from slacalc.cli._common import Out, command_parser, load_policy, plural, problem_lines
from slacalc.cli._errors import Exit


def register(actions: Any) -> None:
    pc = command_parser(
        actions, "check", help="validate a policy file and list every problem",
        description="Validate a policy file: print every problem with its key path and exit "
        "with status 1, or print a one-line summary and exit with status 0. A file that cannot "
        "be read or is not TOML (JSON for a name ending in .json) at all exits with status 2.",
    )
    pc.add_argument("policy", metavar="FILE|builtin:NAME",
                    help="a policy file (TOML, or JSON ending in .json) or builtin:NAME")
    pc.set_defaults(func=run)


def run(args: argparse.Namespace, out: Out) -> int:
    ref: str = args.policy
    try:
        policy = load_policy(ref)
    except sla.PolicyError as exc:
        for line in problem_lines(ref, exc):
            out(line)
        out(f"{plural(len(exc.problems), 'problem')} found")
        return Exit.FINDINGS
    out(f"ok: {plural(len(policy.severities), 'severity', 'severities')}, "
        f"{plural(len(policy.tiers), 'tier')}, {plural(len(policy.metrics()), 'metric')}")
    return Exit.OK
