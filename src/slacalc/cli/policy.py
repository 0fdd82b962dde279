"""``slacalc policy ACTION``: the policy actions, one module each.

Adding an action is one module with a ``register(actions)`` function (``actions`` is the
``add_subparsers()`` object of ``slacalc policy``) plus one line in :data:`ACTIONS`.
"""

from __future__ import annotations

from typing import Any

from slacalc.cli import policy_check, policy_show
from slacalc.cli._common import command_parser

#: the modules of ``slacalc policy``'s actions, in the order ``--help`` lists them
ACTIONS = (
    policy_check,
    policy_show,
)


def register(commands: Any) -> None:
    pol = command_parser(
        commands, "policy",
        help="check or print a policy file",
        description="Validate a policy file, or print a policy as TOML.",
    )
    actions = pol.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    for action in ACTIONS:
        action.register(actions)
