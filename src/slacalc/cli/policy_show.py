"""``slacalc policy show``: print a policy as a TOML (or JSON) policy file."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from slacalc.cli._common import PROG, Out, command_parser, load_policy
from slacalc.cli._errors import Exit


def register(actions: Any) -> None:
    ps = command_parser(
        actions, "show", help="print a policy as TOML",
        description="Print a policy (a file or a built-in template) as a TOML policy file.",
    )
    ps.add_argument("policy", metavar="FILE|builtin:NAME",
                    help="a policy file (TOML, or JSON ending in .json) or builtin:NAME")
    ps.add_argument("--format", choices=("toml", "json"), default="toml",
                    help="toml (default) or json")
    ps.set_defaults(func=run)


def run(args: argparse.Namespace, out: Out) -> int:
    policy = load_policy(args.policy)
    if args.format == "toml":
        try:
            out.stream.write(policy.to_toml())
        except ImportError:
            sys.stderr.write(f"{PROG}: note: this installation cannot write TOML (slacalc._toml "
                             "is missing); showing the policy as JSON\n")
        else:
            return Exit.OK
    out(json.dumps(policy.to_dict(), indent=2, ensure_ascii=False, default=str))
    return Exit.OK
