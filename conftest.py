"""Test-wide set-up: Hypothesis profiles, and names the docs' examples use.

Hypothesis profiles: ``ci`` (the default) and ``dev``; choose with ``HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import os
import pathlib
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DOCS = pathlib.Path(__file__).parent / "docs"

# The docs folder holds doctest pages (*.md); its Sphinx configuration and any local build
# output are not test modules.
collect_ignore = ["docs/conf.py"]
collect_ignore_glob = ["docs/_build/*"]


@pytest.fixture(autouse=True)
def _docs_namespace(doctest_namespace: dict[str, Any]) -> None:
    """The tutorial's contract file, wherever pytest runs from."""
    doctest_namespace["CONTRACT_PATH"] = DOCS / "tutorial-contract.toml"
