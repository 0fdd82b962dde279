"""docs/cli.md against the command line itself: every command's option table lists exactly the
parser's options with their arguments and whether they are required, and the exit-status table
is the one the commands use. The docs cannot drift from the parsers without failing here."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from slacalc.cli import Exit, build_parser

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
TEXT = DOCS.read_text(encoding="utf-8")
#: options every command has, documented once at the top
GLOBAL = {"-h", "--help", "--debug"}


def _cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [c.strip().replace("\\|", "|") for c in cells]


def tables(section: str) -> list[list[list[str]]]:
    """The tables of a ``## `slacalc ...` `` section, each a list of rows of cells."""
    found: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in section.splitlines():
        if line.startswith("|"):
            if current is None:
                current = []
                found.append(current)
            if not re.fullmatch(r"\|(?:-+\|)+", line.strip()):
                current.append(_cells(line))
        else:
            current = None
    return found


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", TEXT, re.S | re.M)
    assert match, f"docs/cli.md has no section {title!r}"
    return match.group(1)


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def commands() -> dict[str, argparse.ArgumentParser]:
    """``"deadline"``, ``"policy check"``, ... -> their parsers."""
    found = {}
    for name, parser in subparsers(build_parser()).items():
        nested = subparsers(parser)
        if nested:
            found.update({f"{name} {sub}": p for sub, p in nested.items()})
        else:
            found[name] = parser
    return found


def expected_rows(parser: argparse.ArgumentParser) -> dict[str, tuple[str, bool]]:
    """option (or positional's metavar) -> (argument as the docs write it, required)."""
    rows = {}
    for action in parser._actions:
        if set(action.option_strings) & GLOBAL or isinstance(action, argparse._SubParsersAction):
            continue
        if not action.option_strings:
            rows[str(action.metavar or action.dest)] = ("", True)
            continue
        if action.nargs == 0:
            argument = ""
        elif action.choices is not None and action.metavar is None:
            argument = "|".join(str(c) for c in action.choices)
        else:
            argument = str(action.metavar or action.dest.upper())
        rows[max(action.option_strings, key=len)] = (argument, bool(action.required))
    return rows


def documented_rows(name: str) -> dict[str, tuple[str, bool]]:
    options = [t for t in tables(section(f"`slacalc {name}`"))
               if t and t[0] == ["option", "argument", "meaning"]]
    assert len(options) == 1, f"the section of {name} needs one option table"
    rows = {}
    for option, argument, meaning in options[0][1:]:
        rows[option.strip("`")] = (argument, meaning.startswith("(required)"))
    return rows


@pytest.mark.parametrize("name", sorted(commands()))
def test_option_table_matches_parser(name: str) -> None:
    """Each command's table lists its options and positionals, their arguments and which are
    required (positionals are), exactly as the parser has them."""
    expected = expected_rows(commands()[name])
    documented = documented_rows(name)
    # positionals are required by nature; the docs say "(required)" only for options
    assert {k: v[0] for k, v in documented.items()} == {k: v[0] for k, v in expected.items()}
    assert ({k for k, v in documented.items() if v[1]}
            == {k for k, v in expected.items() if v[1] and k.startswith("-")})


def test_every_command_has_a_section() -> None:
    """The commands table at the top and the sections name every command."""
    for name in commands():
        assert f"## `slacalc {name}`" in TEXT
        assert f"| `slacalc {name}" in TEXT


def test_global_options_documented() -> None:
    """--help, --version and --debug are documented once, in the table at the top."""
    (top,) = [t for t in tables(TEXT.split("## ")[0]) if t[0][0] == "option"]
    assert {row[0] for row in top[1:]} == {"`-h`, `--help`", "`--version`", "`--debug`"}


def test_exit_table() -> None:
    """The exit-status table is the Exit enumeration, value by value."""
    (table,) = tables(section("Exit statuses"))
    assert table[0] == ["status", "name", "meaning"]
    assert {(int(row[0].strip("`")), row[1]) for row in table[1:]} == {
        (int(e), e.name) for e in Exit}


def test_stands_on_its_own() -> None:
    """The page cites nothing a reader does not have."""
    lowered = TEXT.lower()
    for word in ("design", "issue", "bug note", "defect", "tests/"):
        assert word not in lowered, word
