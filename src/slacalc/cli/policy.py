"""``slacalc policy ACTION``: the policy actions, one module each.

Adding an action is one module of this package with a ``register(actions)`` function
(``actions`` is the ``add_subparsers()`` object of ``slacalc policy``) plus its name in
:data:`ACTIONS`.
"""

from __future__ import annotations

import importlib
from typing import Any

from slacalc.cli._common import command_parser

#: the modules (in :mod:`slacalc.cli`) of ``slacalc policy``'s actions, in ``--help`` order
ACTIONS = (
    "policy_check",
    "policy_show",
    "policy_verify",
)


def register(commands: Any) -> None:
    pol = command_parser(
        commands, "policy",
        help="check, print or verify a policy file",
        description="Validate a policy file, print a policy as TOML, or verify its invariants.",
    )
    actions = pol.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    for name in ACTIONS:
        importlib.import_module(f"slacalc.cli.{name}").register(actions)
