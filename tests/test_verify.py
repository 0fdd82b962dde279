"""``slacalc policy verify`` (logic in ``slacalc.verify``): lint plus invariants,
counterexamples as case rows that ``slacalc evaluate`` reads back, exit statuses 0 / 1 / 2."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import sys
from collections.abc import Callable

import attrs
import pytest

import slacalc as sla
from slacalc import verify as v
from slacalc.cli import main as cli_main

BROKEN = """\
name = "broken"
[calendars.always]
coverage = "7x24"
country = "CN"
[calendars.spare]
coverage = "5x8"
country = "CN"
[[severities]]
id = "A"
targets = [{ metric = "restore", calendar = "always", within = "4h" }]
[[severities]]
id = "B"
targets = [{ metric = "restore", calendar = "always", within = "2h" }]
"""


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``slacalc policy verify ARGS`` through ``slacalc.cli.main``: (status, stdout, stderr)."""

    def go(*argv: str) -> tuple[int, str, str]:
        code = cli_main(["policy", "verify", *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return go


def test_a_template_verifies_clean(run: Callable[..., tuple[int, str, str]]) -> None:
    """builtin:standard-contract: no finding, no failing invariant, exit 0."""
    code, out, _ = run("builtin:standard-contract", "--examples", "10")
    assert code == 0
    assert out == "ok: 0 findings, 0 of 10 invariants failing (10 examples each, seed 0)\n"


def test_verify_function_reports_each_part() -> None:
    """``verify`` returns the lint findings and the failing invariants separately."""
    report = v.verify(sla.Policy.from_toml_text(BROKEN), examples=15, seed=2)
    assert [f.rule for f in report.findings] == ["unused-calendar"]
    assert [f.invariant for f in report.failures] == ["severity-order"]
    assert not report.clean and report.exit_code == 1


def test_a_defect_prints_a_case_row_evaluate_reads(
        tmp_path: pathlib.Path, run: Callable[..., tuple[int, str, str]],
        capsys: pytest.CaptureFixture[str]) -> None:
    """B faster than A: exit 1, the lint finding, the failure with a one-line JSON case row;
    saved as a file, ``slacalc evaluate`` reads the row and shows A due later than B."""
    policy = tmp_path / "broken.toml"
    policy.write_text(BROKEN, encoding="utf-8")
    code, out, _ = run(str(policy), "--examples", "15")
    assert code == 1
    lines = out.splitlines()
    assert f"{policy}: calendars.spare: [unused-calendar] warning:" in lines[0]
    assert lines[1].startswith(f"{policy}: invariant severity-order fails: restore: severity "
                               "'A' (ranked above 'B') is due")
    row = json.loads(lines[3])
    assert row["severity"] == "A" and set(row) <= {"id", "opened", "severity", "tier", "zone"}
    assert lines[-1] == "1 finding, 1 of 6 invariants failing (15 examples each, seed 0)"

    cases = tmp_path / "case.jsonl"
    cases.write_text(lines[3] + "\n", encoding="utf-8")
    assert cli_main(["evaluate", str(cases), "--policy", str(policy), "--format", "jsonl"]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[0])
    assert result["case_id"] == row["id"] and result["metric"] == "restore"
    assert result["target"] == "within 4h (always)"


def test_the_severity_order_can_be_given(tmp_path: pathlib.Path,
                                          run: Callable[..., tuple[int, str, str]]) -> None:
    """--severity-order B,A ranks B above A: the broken policy's restore times are then in
    order, and only the lint finding is left."""
    policy = tmp_path / "broken.toml"
    policy.write_text(BROKEN, encoding="utf-8")
    code, out, _ = run(str(policy), "--examples", "10", "--severity-order", "B,A")
    assert code == 1
    assert "invariant" not in out.splitlines()[0] and len(out.splitlines()) == 2


class TestBadInput:
    def test_missing_file(self, tmp_path: pathlib.Path, run: Callable[..., tuple[int, str, str]]) -> None:
        """An unreadable file: exit 2 and the reason."""
        code, out, err = run(str(tmp_path / "nope.toml"))
        assert code == 2 and out == ""
        assert "cannot read policy file" in err

    def test_invalid_policy(self, tmp_path: pathlib.Path, run: Callable[..., tuple[int, str, str]]) -> None:
        """A policy with problems: exit 2, each problem with its key path."""
        bad = tmp_path / "bad.toml"
        bad.write_text('name = "x"\n[calendars.c]\ncoverage = "9x9"\n', encoding="utf-8")
        code, _, err = run(str(bad))
        assert code == 2
        assert f"{bad}: calendars.c:" in err

    def test_bad_budget(self, run: Callable[..., tuple[int, str, str]]) -> None:
        """--examples 0 is a usage error."""
        code, _, err = run("builtin:helpdesk", "--examples", "0")
        assert code == 2 and "'0' is not a positive whole number of examples" in err

    def test_unknown_template(self, run: Callable[..., tuple[int, str, str]]) -> None:
        """An unknown builtin: exit 2 naming the templates."""
        code, _, err = run("builtin:gold")
        assert code == 2 and "gold" in err

    def test_without_hypothesis(self, monkeypatch: pytest.MonkeyPatch,
                                run: Callable[..., tuple[int, str, str]]) -> None:
        """Without hypothesis the invariants cannot run: exit 2 with the install hint."""
        monkeypatch.setitem(sys.modules, "slacalc.testing", None)
        monkeypatch.delattr(sla, "testing", raising=False)
        code, _, err = run("builtin:helpdesk")
        assert code == 2 and "slacalc.testing" in err


@pytest.mark.parametrize("broken", ["batch", "zone"])
def test_a_broken_engine_fails_verify(broken: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a deliberately broken engine (a batch path that drops pauses, or one that reads the
    opening's wall clock as UTC), ``verify`` of a sound template reports the invariant with a
    counterexample row."""
    original = sla.evaluate
    if broken == "batch":
        monkeypatch.setattr(sla, "evaluate_many", lambda policy, cases, now=None: [
            original(policy, attrs.evolve(c, pauses=()), now) for c in cases])
        name = "batch-equals-single"
    else:
        monkeypatch.setattr(sla, "evaluate", lambda policy, case, now=None: original(
            policy, attrs.evolve(case, opened=case.opened.replace(tzinfo=dt.UTC)), now))
        name = "zone-independence"
    report = v.verify(sla.templates.load("severity-a-d"), examples=30, invariants=[name])
    assert [f.invariant for f in report.failures] == [name]
    assert report.failures[0].row is not None and report.exit_code == 1
    assert name in v.render(report, "builtin:severity-a-d")
