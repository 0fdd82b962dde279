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


def _missing(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return True
    return False


# Modules binding slacalc to an optional engine are doctested only where the engine is installed
# (CI installs Dask; Spark and a Java runtime are optional).
collect_ignore = [path for path, needs in (("src/slacalc/spark.py", "pyspark"),
                                           ("src/slacalc/dask.py", "dask.dataframe"))
                  if _missing(needs)]
