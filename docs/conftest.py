"""Names the docs' examples use: the tutorial's contract file, wherever pytest runs from."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

HERE = pathlib.Path(__file__).parent


@pytest.fixture(autouse=True)
def _docs_namespace(doctest_namespace: dict[str, Any]) -> None:
    doctest_namespace["CONTRACT_PATH"] = HERE / "tutorial-contract.toml"
