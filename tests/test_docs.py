"""The shipped docs stand on their own, and the API reference covers the public names.

Shipped text (the package's files, the docs pages, the README) must state the contract clauses
itself: it must not send a reader to files or discussions they do not have (a design document,
an issue number, bug notes). The API reference page documents every name in ``slacalc.__all__``
once; the landing page's table of contents lists every page.
"""

from __future__ import annotations

import importlib
import pathlib
import re

import pytest

import slacalc

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
API_PAGE = DOCS / "api.md"

#: References to things a user of the package does not have, each with what it stands for.
FORBIDDEN = [
    (re.compile(r"\bDESIGN\b"), "the project's design document"),
    (re.compile(r"design\.md", re.IGNORECASE), "the project's design document"),
    (re.compile(r"\b(?:from|in|see|per) (?:the |slacalc's )?design\b", re.IGNORECASE),
     "the project's design document"),
    (re.compile(r"\bissues?[ #-]*\d+", re.IGNORECASE), "an issue number"),
    (re.compile(r"\bbug notes\b", re.IGNORECASE), "the project's bug notes"),
    (re.compile(r"\bdiscussions?\b", re.IGNORECASE), "a discussion"),
    (re.compile(r"\bfiled (?:for|with) the maintainers\b", re.IGNORECASE),
     "the maintainers' records"),
]


def _shipped_files() -> list[pathlib.Path]:
    """Every text file under src/ and docs/, and the README (build output and caches aside)."""
    skip_dirs = {"__pycache__", "_build", ".pytest_cache"}
    files = [ROOT / "README.md"]
    for top in (ROOT / "src", DOCS):
        files.extend(
            path for path in sorted(top.rglob("*"))
            if path.is_file() and not skip_dirs & set(path.relative_to(top).parts)
            and path.suffix not in {".pyc", ".png", ".svg", ".ico"}
        )
    return files


def _references(text: str) -> list[str]:
    """Each forbidden reference in ``text``, as ``line N: 'match' (what it stands for)``."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, meaning in FORBIDDEN:
            for match in pattern.finditer(line):
                found.append(f"line {number}: {match.group()!r} ({meaning})")
    return found


class TestSelfContained:
    """No shipped file refers to documents or discussions outside the package and its docs."""

    @pytest.mark.parametrize(
        "path", _shipped_files(), ids=lambda p: str(p.relative_to(ROOT))
    )
    def test_no_outside_references(self, path: pathlib.Path) -> None:
        """The file states its rules itself instead of citing a design document or an issue."""
        found = _references(path.read_text(encoding="utf-8"))
        assert not found, "\n".join(found)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("as DESIGN says", 1),
            ("see DESIGN.md, section 3", 3),  # the word, the file name, "see ... design"
            ("the scenarios from slacalc's design", 1),
            ("fixed in issue 3 and issue #12", 2),
            ("anchor performance.md#evaluating-cases-issue-3", 1),
            ("filed in the project's bug notes", 1),
            ("as agreed in the discussion", 1),
            ("filed for the maintainers", 1),
            # legitimate uses of the same words
            ("import importlib  # lazy by design", 0),
            ("designed for millions of cases; an issued invoice", 0),
            ("the data horizon, issues a HorizonWarning", 0),
        ],
    )
    def test_patterns(self, text: str, expected: int) -> None:
        """The patterns catch the references the docs once made, and not ordinary prose."""
        assert len(_references(text)) == expected

    def test_shipped_files_found(self) -> None:
        """The scan covers the package's modules, the templates, the docs pages and the README."""
        names = {str(p.relative_to(ROOT)) for p in _shipped_files()}
        assert {
            "README.md",
            "src/slacalc/__init__.py",
            "src/slacalc/templates/standard-contract.toml",
            "docs/index.md",
            "docs/api.md",
        } <= names


def _documented() -> list[str]:
    """The objects the API page documents, by name relative to ``slacalc``."""
    directive = re.compile(
        r"^\.\. (?:auto(?:class|exception|function|data|module)|data|function|class)::\s+(\S+)",
        re.MULTILINE,
    )
    names = directive.findall(API_PAGE.read_text(encoding="utf-8"))
    return [name.removeprefix("slacalc.") for name in names]


class TestApiReference:
    """docs/api.md documents the public API."""

    def test_every_public_name(self) -> None:
        """Each name in ``slacalc.__all__`` has its own entry on the API page."""
        missing = sorted(set(slacalc.__all__) - set(_documented()))
        assert missing == []

    def test_each_name_once(self) -> None:
        """No object is documented twice (Sphinx would report a duplicate description)."""
        names = _documented()
        assert sorted(n for n in set(names) if names.count(n) > 1) == []

    def test_only_real_names(self) -> None:
        """Every documented name exists: a public name, or a name inside a public module."""
        for name in _documented():
            parts = name.split(".")
            # the longest importable module prefix (``slacalc.io``), then attributes
            for cut in range(len(parts), -1, -1):
                module = ".".join(["slacalc", *parts[:cut]])
                try:
                    obj: object = importlib.import_module(module)
                except ImportError:
                    continue
                break
            for part in parts[cut:]:
                obj = getattr(obj, part)
            assert obj is not None, name


def _toctree() -> list[str]:
    """The entries of the landing page's table of contents."""
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    block = re.search(r"```\{toctree\}\n(.*?)```", text, re.DOTALL)
    assert block is not None, "docs/index.md has no toctree"
    return [
        line.strip() for line in block.group(1).splitlines()
        if line.strip() and not line.strip().startswith(":")
    ]


class TestSite:
    """The docs folder builds as one site."""

    def test_every_page_in_the_toctree(self) -> None:
        """Each Markdown page in docs/ is listed in the landing page's table of contents."""
        pages = sorted(p.stem for p in DOCS.glob("*.md") if p.name != "index.md")
        assert sorted(_toctree()) == pages

    def test_api_page_in_the_toctree(self) -> None:
        """The API reference is part of the site."""
        assert "api" in _toctree()
