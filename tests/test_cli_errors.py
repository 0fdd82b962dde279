"""The command line's edges: the one table of exit statuses, the last-resort error handler, and
inputs that used to escape as tracebacks, hang, grow without bound or reach output unescaped.

Each class names the behaviour it pins down; every expected status, message and count here is
written by hand.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import slacalc as sla
from slacalc.cli import Exit, main
from slacalc.cli.demo import MAX_CASES

POLICY_TOML = """\
name = "p"
[calendars.business]
coverage = "5x8"
country = "CN"
[[severities]]
id = "D"
[[severities.targets]]
metric = "reply"
calendar = "business"
within = "4h"
"""
D1 = {"id": "D1", "opened": "2026-09-30T15:01+08:00", "severity": "D"}
CN_DEADLINE = ["deadline", "--coverage", "5x8", "--country", "CN",
               "--start", "2026-01-05T10:00+08:00"]


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(POLICY_TOML, encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


class TestExitTable:
    def test_values(self) -> None:
        """The table: one status per kind of outcome, the same for every command."""
        assert {e.name: int(e) for e in Exit} == {
            "OK": 0, "FINDINGS": 1, "USAGE": 2, "SKIPPED": 3, "INTERNAL": 4,
            "INTERRUPTED": 130, "BROKEN_PIPE": 141,
        }

    def test_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown option is a usage error, status 2."""
        code, out, err = run(capsys, "deadline", "--frobnicate")
        assert (code, out) == (2, "")
        assert "slacalc: error: " in err

    def test_help_is_ok(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help exits with 0."""
        code, out, _ = run(capsys, "evaluate", "--help")
        assert code == 0 and "--on-error" in out


class TestLastResort:
    @pytest.fixture
    def broken(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def boom(*_: object) -> Any:
            raise RuntimeError("boom\nsecond line")

        monkeypatch.setattr("slacalc.cli.deadline.build_target", boom)
        monkeypatch.delenv("SLACALC_DEBUG", raising=False)

    @pytest.mark.usefixtures("broken")
    def test_no_traceback(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unexpected exception is a short message and status 4, without a traceback."""
        code, out, err = run(capsys, *CN_DEADLINE, "--duration", "4h")
        assert (code, out) == (4, "")
        assert err.splitlines() == [
            "slacalc: internal error: RuntimeError: boom second line",
            "slacalc: this is a bug in slacalc; rerun with --debug (or SLACALC_DEBUG=1) for the "
            "traceback and report it",
        ]

    @pytest.mark.usefixtures("broken")
    def test_debug_option(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--debug adds the traceback."""
        code, _, err = run(capsys, *CN_DEADLINE, "--duration", "4h", "--debug")
        assert code == 4
        assert err.startswith("Traceback (most recent call last):")
        assert "RuntimeError: boom" in err

    @pytest.mark.usefixtures("broken")
    def test_debug_environment(self, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
        """SLACALC_DEBUG=1 adds the traceback too."""
        monkeypatch.setenv("SLACALC_DEBUG", "1")
        code, _, err = run(capsys, *CN_DEADLINE, "--duration", "4h")
        assert code == 4 and "Traceback" in err


class TestOverflowingOptions:
    @pytest.mark.parametrize("duration", ["99999999999999h", "P99999999999W", "99999999999999d",
                                          "100000000000000000000.5h"])
    def test_duration(self, capsys: pytest.CaptureFixture[str], duration: str) -> None:
        """Durations too long to compute are an error naming the value, status 2."""
        code, out, err = run(capsys, *CN_DEADLINE, "--duration", duration)
        assert (code, out) == (2, "")
        assert err == f"slacalc: error: --duration: '{duration}' is longer than a hundred years\n"

    def test_coverage_delivery(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A coverage whose delivery part is too many hours is an error, status 2."""
        code, out, err = run(capsys, "deadline", "--coverage", "7x24x99999999999", "--country",
                             "CN", "--start", "2026-01-05T10:00+08:00")
        assert (code, out) == (2, "")
        assert "delivery '99999999999' hours is not between 1 and 8784 (a year)" in err

    @pytest.mark.parametrize("duration", ["٤h", "PT٤H", "4h\u0663"])
    def test_unicode_digits(self, capsys: pytest.CaptureFixture[str], duration: str) -> None:
        """Durations are written in ASCII digits."""
        code, _, err = run(capsys, *CN_DEADLINE, "--duration", duration)
        assert code == 2 and "is not a duration" in err


class TestCalendarYear:
    @pytest.mark.parametrize(("year", "says"), [
        ("0", "year 0 is outside the years slacalc can compute (1900-2199)"),
        ("1899", "year 1899 is outside the years slacalc can compute (1900-2199)"),
        ("-1", "year '-1' is not a year; write it in ASCII digits, e.g. 2026"),
        ("99999999999999999999", "year '99999999999999999999' is not a year"),
        ("٢٠٢٦", "year '٢٠٢٦' is not a year; write it in ASCII digits"),
        ("２０２６", "is not a year; write it in ASCII digits"),
    ])
    def test_bad_years(self, capsys: pytest.CaptureFixture[str], year: str, says: str) -> None:
        """A year that is not ASCII digits or not computable is a usage error, status 2."""
        code, out, err = run(capsys, "calendar", "CN", year)
        assert (code, out) == (2, "")
        assert says in err

    def test_fresh_interpreter(self) -> None:
        """``python -m slacalc calendar CN 0``: one error line, no traceback, status 2."""
        proc = subprocess.run([sys.executable, "-m", "slacalc", "calendar", "CN", "0"],
                              capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr and proc.stdout == ""

    def test_country_any_case(self, capsys: pytest.CaptureFixture[str]) -> None:
        """``cn`` is read as CN."""
        code, out, _ = run(capsys, "calendar", "cn", "2026", "--month", "10")
        assert code == 0 and out.startswith("CN 2026: business days (Asia/Shanghai)")
        code, out, _ = run(capsys, "deadline", "--coverage", "5x8", "--country", "cn",
                           "--start", "2026-09-30T15:01", "--duration", "4h")
        assert (code, out) == (0, "2026-10-08T11:01:00+08:00\n")

    def test_zone_needed_says_the_option(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A country with several zones asks for --tz, the option, not the parameter tz=."""
        code, _, err = run(capsys, "calendar", "US", "2026")
        assert code == 2
        assert "give it as --tz ZONE" in err and "tz=" not in err


class TestTargets:
    def test_business_days_explained_as_printed(self, capsys: pytest.CaptureFixture[str]
                                                ) -> None:
        """bd:10 from Fri 2026-02-13 is due at the end of Thu 03-05, i.e. 03-06 00:00: the
        printed deadline and the explanation name that one instant."""
        code, out, _ = run(capsys, "deadline", "--coverage", "5x8", "--country", "CN",
                           "--start", "2026-02-13T10:00", "--target", "bd:10", "--explain")
        lines = out.splitlines()
        assert code == 0
        assert lines[0] == "2026-03-06T00:00:00+08:00"
        assert "deadline: 2026-03-06 Fri 00:00, the end of 2026-03-05 Thu (business day)" in lines
        assert lines[-1] == ("  business day 10 after 2026-02-13 Fri: 2026-03-05 Thu, due by its "
                             "end, 2026-03-06 Fri 00:00")

    @pytest.mark.parametrize("target", ["bd:١٠", "bd:" + "9" * 5000, "bd:-1", "bd:"])
    def test_business_days_ascii(self, capsys: pytest.CaptureFixture[str], target: str) -> None:
        """bd:N takes ASCII digits only; anything else is an error naming the value."""
        code, _, err = run(capsys, *CN_DEADLINE, "--target", target)
        assert code == 2 and "is not a target" in err
        assert len(err) < 400  # the value is echoed capped


def _big_file(path: Path, fmt: str, bad: str) -> Path:
    """40,000 rows of good cases, the row at line 20,000 replaced by ``bad``."""
    with path.open("w", encoding="utf-8", newline="") as f:
        if fmt == "csv":
            f.write("id,opened,severity,pauses\n")  # line 1; cases from line 2
        for line in range(2 if fmt == "csv" else 1, 40_001):
            if line == 20_000:
                f.write(bad + "\n")
            elif fmt == "csv":
                f.write(f"G{line},2026-09-01T09:00+08:00,D,\n")
            else:
                f.write(json.dumps({"id": f"G{line}", "opened": "2026-09-01T09:00+08:00",
                                    "severity": "D"}) + "\n")
    return path


class TestOneBadRowAmongMany:
    @pytest.mark.parametrize(("fmt", "bad", "says"), [
        ("jsonl", '{"id": "X", "opened": "2026-09-01T09:00+08:00", "severity": "D", '
                  '"satisfaction": ' + "9" * 5000 + "}",
         "bad JSON: a number has more digits than Python reads (4,300)"),
        ("jsonl", json.dumps({"id": "X", "opened": "0001-01-01T00:00+14:00", "severity": "D"}),
         "opened 0001-01-01T00:00:00+14:00 cannot be converted to UTC"),
        ("jsonl", json.dumps({"id": "X", "opened": "9999-12-31T23:59-14:00", "severity": "D"}),
         "opened 9999-12-31T23:59:00-14:00 cannot be converted to UTC"),
        ("csv", 'X,2026-09-01T09:00+08:00,D,"' + "[" * 3000 + "]" * 3000 + '"',
         "column pauses: bad JSON: nested too deeply"),
    ])
    def test_skipped_with_its_line(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                   policy: Path, fmt: str, bad: str, says: str) -> None:
        """The bad row at line 20,000 is reported and skipped; the 39,999 others (38,999 in
        CSV, whose first line is the header) are all written, then the summary; status 3."""
        cases = _big_file(tmp_path / f"cases.{fmt}", fmt, bad)
        out = tmp_path / "due.jsonl"
        code, stdout, err = run(capsys, "evaluate", cases, "--policy", policy, "--out", out)
        good = 39_999 if fmt == "jsonl" else 39_998
        assert (code, stdout) == (3, "")
        lines = err.splitlines()
        assert len(lines) == 2
        assert lines[0].startswith(f"{cases}:20000: skipped: {says}")
        assert lines[1] == f"slacalc: 1 of {good + 1:,} rows skipped; {good:,} evaluated"
        with out.open(encoding="utf-8") as f:
            ids = [json.loads(line)["case_id"] for line in f]
        assert len(ids) == good and len(set(ids)) == good

    def test_on_error_raise(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                            policy: Path) -> None:
        """--on-error raise stops at the bad row with its line number, status 2."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [D1, {**D1, "opened": "2026-09-30T15:01"}])
        code, _, err = run(capsys, "evaluate", cases, "--policy", policy, "--on-error", "raise")
        assert code == 2
        assert err == (f"slacalc: error: {cases}:2: opened '2026-09-30T15:01' has no UTC offset; "
                       "write it with one, e.g. 2026-10-01T23:10+08:00\n")

    def test_a_case_the_library_refuses(self, capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path, policy: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
        """A case the evaluation refuses (whatever the library's reason) is a bad row with that
        reason and its line; the others of its chunk are still written, in order."""
        real = sla.evaluate

        def evaluate(pol: sla.Policy, case: sla.Case, now: Any = None) -> sla.Evaluation:
            if case.id == "D2":
                raise sla.SlaValueError("achieved 'respnse' is not a metric or event")
            return real(pol, case, now=now)

        def evaluate_many(pol: sla.Policy, cases: Any, now: Any = None) -> Any:
            return [evaluate(pol, c, now) for c in cases]

        monkeypatch.setattr(sla, "evaluate", evaluate)
        monkeypatch.setattr(sla, "evaluate_many", evaluate_many)
        cases = write_jsonl(tmp_path / "cases.jsonl",
                            [D1, {**D1, "id": "D2"}, {**D1, "id": "D3"}])
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy)
        assert code == 3
        assert [r["case_id"] for r in csv.DictReader(io.StringIO(out))] == ["D1", "D3"]
        assert err.splitlines()[0] == (f"{cases}:2: skipped: achieved 'respnse' is not a metric "
                                       "or event")

    def test_out_of_range_in_local_time(self, capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path, policy: Path) -> None:
        """A case whose deadline falls past 2199 is reported in the calendar's local time,
        without the library's parameter names."""
        cases = write_jsonl(tmp_path / "cases.jsonl",
                            [{**D1, "opened": "2199-12-31T10:00+08:00"}])
        code, _, err = run(capsys, "evaluate", cases, "--policy", policy)
        assert code == 3
        reason = err.splitlines()[0]
        assert reason.startswith(f"{cases}:1: skipped: ")
        assert "t=" not in reason and "+00:00" not in reason
        assert "2199" in reason and "(1900-2199)" in reason


    def test_reported_in_line_order(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    policy: Path) -> None:
        """Rows the reader cannot read and cases the evaluation refuses are reported together,
        in line order, notes included."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [
            D1,
            {**D1, "id": "D2", "opened": "1800-12-31T23:59-14:00"},  # refused when evaluated
            "{bad",                                                  # refused when read
            D1,                                                      # a repeated id
            {**D1, "id": "D5", "opened": "2199-12-31T10:00+08:00"},  # deadline past 2199
        ])
        code, _, err = run(capsys, "evaluate", cases, "--policy", policy)
        assert code == 3
        lines = err.splitlines()
        assert lines[0] == (f"{cases}:2: skipped: opened 1800-12-31T23:59:00-14:00 is outside "
                            "the years slacalc can compute (1900-2199)")
        assert lines[1].startswith(f"{cases}:3: skipped: bad JSON")
        assert lines[2] == f"slacalc: note: {cases}:4: case id 'D1' repeats the id of line 1"
        assert lines[3].startswith(f"{cases}:5: skipped: ")
        assert lines[4] == "slacalc: 3 of 5 rows skipped; 2 evaluated"


class TestUnsafeText:
    ID = "E\u202eX\x00"

    @pytest.mark.parametrize("fmt", ["csv", "jsonl"])
    def test_unsafe_id_is_a_skipped_row(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                        policy: Path, fmt: str) -> None:
        """A case id with bidi-override and NUL characters is refused by ``Case``: the row is
        skipped (status 3) with the id escaped in its message; nothing raw reaches the output."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [{**D1, "id": self.ID}, D1])
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy, "--format", fmt)
        assert code == 3
        assert "\u202e" not in out + err and "\x00" not in out + err
        assert f"{cases}:1: skipped: Case.id='E\\u202eX\\x00' holds the character U+202E" in err
        assert "D1" in out and "E\\u202e" not in out

    def test_messages(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                      policy: Path) -> None:
        """Skip reasons and notes never carry the characters raw either."""
        cases = write_jsonl(tmp_path / "cases.jsonl",
                            [{**D1, "id": self.ID}, {**D1, "id": self.ID},
                             {**D1, "severity": "Z\u202e"}])
        code, _, err = run(capsys, "evaluate", cases, "--policy", policy)
        assert code == 3
        assert "\u202e" not in err and "\x00" not in err
        assert f"{cases}:3: skipped: unknown severity 'Z\\u202e'" in err


class TestDuplicateIds:
    def test_note_names_both_lines(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                   policy: Path) -> None:
        """A case id used twice is noted with both line numbers; both rows are evaluated and
        the status stays 0."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [D1, {**D1, "id": "D2"}, D1])
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy)
        assert code == 0
        assert err == f"slacalc: note: {cases}:3: case id 'D1' repeats the id of line 1\n"
        assert len(out.splitlines()) == 1 + 3


class TestReportStatus:
    def test_skipped_rows_same_as_evaluate(self, capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
        """report skips a bad row like evaluate does, with the same status 3."""
        cases = write_jsonl(tmp_path / "cases.jsonl",
                            [{**D1, "closed": "2026-10-09T10:00+08:00", "satisfaction": 5},
                             "{bad"])
        args = ("--policy", "builtin:standard-contract")
        pytest.importorskip("slacalc.templates")
        code_r, _, err_r = run(capsys, "report", cases, *args)
        code_e, _, err_e = run(capsys, "evaluate", cases, *args)
        assert code_r == code_e == 3
        assert f"{cases}:2: skipped: bad JSON" in err_r and f"{cases}:2: skipped: bad JSON" in err_e


class TestPolicyFiles:
    @pytest.mark.parametrize(("name", "text", "says"), [
        ("deep.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n", "is nested too deeply"),
        ("deep.json", '{"a": ' + "[" * 5000 + "]" * 5000 + "}", "is nested too deeply"),
        ("twice.json", '{"name": "a", "name": "b"}', "the key 'name' appears twice"),
        ("bad.toml", "name = \n", "is not valid TOML"),
    ])
    def test_unparsable_is_status_2(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    name: str, text: str, says: str) -> None:
        """A file that does not parse is bad input (2), not a finding (1)."""
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        code, out, err = run(capsys, "policy", "check", path)
        assert (code, out) == (2, "")
        assert says in err and "Traceback" not in err


class TestDemoBound:
    @pytest.mark.parametrize("cases", ["99999999999", "0", str(MAX_CASES + 1), "１０"])
    def test_refused(self, capsys: pytest.CaptureFixture[str], cases: str) -> None:
        """--cases outside 1..1,000,000 is refused before any work, status 2."""
        code, out, err = run(capsys, "demo", "--cases", cases)
        assert (code, out) == (2, "")
        assert "1,000,000" in err


class TestRegistration:
    def test_a_new_action_is_a_module_and_a_name(self, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
        """A module with register(actions) named in policy.ACTIONS becomes
        ``slacalc policy NAME``, with its status passed through."""
        import types  # noqa: PLC0415 - only this test builds a module

        from slacalc.cli import _common  # noqa: PLC0415
        from slacalc.cli import policy as policy_group  # noqa: PLC0415

        module = types.ModuleType("slacalc.cli.policy_hello")

        def register(actions: Any) -> None:
            p = _common.command_parser(actions, "hello", help="say hello")
            p.add_argument("who")
            p.set_defaults(func=lambda args, out: (out(f"hello {args.who}"), Exit.FINDINGS)[1])

        module.register = register  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "slacalc.cli.policy_hello", module)
        monkeypatch.setattr(policy_group, "ACTIONS", (*policy_group.ACTIONS, "policy_hello"))
        assert run(capsys, "policy", "hello", "world")[:2] == (1, "hello world\n")
