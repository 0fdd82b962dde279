"""Built-in policy templates: the common promises of IT maintenance contracts, ready to load.

Each template is a policy file (TOML) shipped inside the package; its ``description`` says which
clause it encodes and how it reads every ambiguity. The documentation's "Built-in templates"
page is the catalogue.

>>> import slacalc as sla
>>> "standard-contract" in sla.templates.names()
True
>>> policy = sla.templates.load("helpdesk")
>>> policy.name, policy.metrics()
('helpdesk', ['response'])
>>> sla.templates.describe("complaints").splitlines()[0]
"Complaints. The clause: a customer's complaint is answered within 2 hours and closed within"
"""

from __future__ import annotations

import functools
import importlib.resources

from slacalc.errors import SlaValueError, echo
from slacalc.policy import Policy

__all__ = ["describe", "load", "names", "source"]

_SUFFIX = ".toml"


@functools.cache
def _names() -> tuple[str, ...]:
    root = importlib.resources.files(__name__)
    return tuple(sorted(
        entry.name[: -len(_SUFFIX)]
        for entry in root.iterdir()
        if entry.name.endswith(_SUFFIX) and entry.is_file()
    ))


def names() -> list[str]:
    """The names of the built-in templates, sorted.

    >>> names()[:3]
    ['complaints', 'helpdesk', 'onsite-zones']
    """
    return list(_names())


def source(name: str) -> str:
    """The TOML text of the template ``name`` (as shipped; comments included)."""
    if not isinstance(name, str) or name not in _names():
        raise SlaValueError(
            f"no built-in template named {echo(name)}; the templates are {', '.join(_names())}"
        )
    return importlib.resources.files(__name__).joinpath(name + _SUFFIX).read_text(encoding="utf-8")


@functools.cache
def _load(name: str) -> Policy:
    return Policy.from_toml_text(source(name), source=f"builtin:{name}")


def load(name: str) -> Policy:
    """The built-in template ``name`` as a :class:`~slacalc.Policy` (immutable, so shared).

    >>> load("gold")
    Traceback (most recent call last):
      ...
    slacalc.errors.SlaValueError: no built-in template named 'gold'; the templates are complaints, helpdesk, onsite-zones, parts-returns, repairs, reports, rma, severity-1-4, severity-a-d, spare-parts, standard-contract, tiers
    """
    source(name)  # validates the name before anything is cached
    return _load(name)


def describe(name: str) -> str:
    """The template's description: the clause it encodes and how it reads the ambiguities."""
    return load(name).description.strip()
