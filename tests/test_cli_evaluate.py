"""The command line's service model: ``slacalc evaluate``, ``slacalc policy check|show``, the
sample cases shipped in the package, and the demo's summary of them.

Expected deadlines are hand-checked against the official 2026 schedule (National Day break
2026-10-01..07, make-up Saturday 2026-10-10; Spring Festival break 2026-02-15..23, make-up
Saturdays 2026-02-14 and 2026-02-28) and the small policy below:

* severity A: restore within 2 h of clock time (7x24), escalating to ``expert`` at 50 % of the
  target and to ``vendor`` 1 h after the deadline;
* severity D: reply within 4 h of 5x8 business time (09:00-17:00);
* ``customer_info`` pauses stop the clock; a case excluded for ``force_majeure`` counts for
  nothing.

Case A1 (opened 2026-10-01 23:10, a holiday, paused 23:30-00:00): restore is due 2 h + 30 min
later, 2026-10-02 01:40; 1 h of the target is used at 00:40 (20 min before the pause, 40 min
after). Case D1 (opened 2026-09-30 15:01): 1h59m on Wed 09-30, the break, 2h01m from 09:00 on
Thu 10-08, so reply is due 2026-10-08 11:01.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.resources
import io
import json
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import slacalc as sla
from slacalc.cli import main

POLICY_TOML = """\
name = "cli-test"
description = "A small contract for the command-line tests"

[calendars.business]
coverage = "5x8"
country = "CN"

[calendars.always]
coverage = "7x24"
country = "CN"

[clock]
pause_reasons = ["customer_info"]
exclude_reasons = ["force_majeure"]

[[tiers]]
id = "gold"
onsite = true

[[tiers]]
id = "standard"

[[severities]]
id = "A"
name = "Critical"
[[severities.targets]]
metric = "restore"
calendar = "always"
within = "2h"

[[severities]]
id = "D"
name = "Request"
[[severities.targets]]
metric = "reply"
calendar = "business"
within = "4h"

[[escalations]]
metric = "restore"
[[escalations.steps]]
name = "expert"
at = 0.5
[[escalations.steps]]
name = "vendor"
offset = "+1h"
"""

COLUMNS = [
    "case_id", "metric", "status", "target", "start", "deadline", "achieved", "used_seconds",
    "remaining_seconds", "share", "escalations_fired", "escalations_pending", "note",
]
PAUSE = [{"start": "2026-10-01T23:30+08:00", "end": "2026-10-02T00:00+08:00",
          "reason": "customer_info"}]
A1: dict[str, Any] = {"id": "A1", "opened": "2026-10-01T23:10+08:00", "severity": "A",
                      "tier": "gold", "zone": "city", "pauses": PAUSE}
D1: dict[str, Any] = {"id": "D1", "opened": "2026-09-30T15:01+08:00", "severity": "D",
                      "tier": "standard"}


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "contract.toml"
    path.write_text(POLICY_TOML, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    """Each item is a JSON value, or a str written as the raw line."""
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write((row if isinstance(row, str) else json.dumps(row)) + "\n")
    return path


def read_csv(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def by_key(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["case_id"], r["metric"]): r for r in rows}


def skipped_lines(err: str, name: str) -> dict[int, str]:
    """Line number -> reason, from the ``NAME:LINE: skipped: reason`` lines of stderr."""
    found: dict[int, str] = {}
    for line in err.splitlines():
        if line.startswith(f"{name}:") and ": skipped: " in line:
            head, reason = line.split(": skipped: ", 1)
            found[int(head.rsplit(":", 1)[1])] = reason
    return found


# -- evaluate: CSV ------------------------------------------------------------------------------
CSV_HEADER = "id,opened,severity,tier,zone,achieved.restore,achieved.reply,pauses,excluded\n"
A1_PAUSES_CELL = '"' + json.dumps(PAUSE).replace('"', '""') + '"'


class TestEvaluateCsv:
    def test_good_rows(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                       policy_file: Path) -> None:
        """Two cases give four rows (reply and restore for each) with hand-checked deadlines."""
        cases = tmp_path / "cases.csv"
        cases.write_text(
            CSV_HEADER
            + f"A1,2026-10-01T23:10+08:00,A,gold,city,2026-10-02T01:35+08:00,,{A1_PAUSES_CELL},\n"
            + "D1,2026-09-30T15:01+08:00,D,standard,,,2026-10-08T11:30+08:00,,\n",
            encoding="utf-8",
        )
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file)
        assert (code, err) == (0, "")
        rows = by_key(read_csv(out))
        assert list(rows) == [("A1", "reply"), ("A1", "restore"), ("D1", "reply"),
                              ("D1", "restore")]
        restore = rows["A1", "restore"]
        assert restore["status"] == "met"
        assert restore["deadline"] == "2026-10-02T01:40:00+08:00"
        assert restore["achieved"] == "2026-10-02T01:35:00+08:00"
        # 23:10 -> 01:35 is 2h25m, less the 30-minute pause
        assert (restore["used_seconds"], restore["remaining_seconds"]) == ("6900", "300")
        assert float(restore["share"]) == pytest.approx(6900 / 7200, abs=1e-6)
        assert restore["target"] == "within 2h (always)"
        assert rows["A1", "reply"]["status"] == "not_applicable"
        reply = rows["D1", "reply"]
        assert (reply["status"], reply["deadline"]) == ("breached", "2026-10-08T11:01:00+08:00")
        assert reply["used_seconds"] == str(4 * 3600 + 29 * 60)
        assert reply["remaining_seconds"] == str(-29 * 60)

    def test_bad_rows_are_reported_and_skipped(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, policy_file: Path
    ) -> None:
        """Unreadable rows are named by the line their record starts on; good rows still print.

        Line 2 holds a quoted field with a line break, so the record on line 4 is the third
        record: the numbers are the file's lines, not record counts.
        """
        cases = tmp_path / "cases.csv"
        cases.write_text(
            CSV_HEADER                                                            # line 1
            + 'A1,2026-10-01T23:10+08:00,A,gold,"city\ncentre",,,,\n'             # lines 2-3
            + "N1,2026-10-01T23:10,A,gold,,,,,\n"                                # 4: naive
            + "E1,2026-10-01T23:10+08:00,E,gold,,,,,\n"                          # 5: severity
            + "P1,2026-10-01T23:10+08:00,A,gold,,,,[{oops},\n"                   # 6: bad JSON
            + "S1,2026-10-01T23:10+08:00,A\n"                                    # 7: short
            + "\n"                                                               # 8: blank
            + "T1,2026-10-01T23:10+08:00,A,silver,,,,,\n"                        # 9: tier
            + "X1,yesterday,D,gold,,,,,\n"                                       # 10: time
            + ",2026-10-01T23:10+08:00,D,gold,,,,,\n"                            # 11: no id
            + "D1,2026-09-30T15:01+08:00,D,standard,,,,,\n",                     # 12
            encoding="utf-8",
        )
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file)
        assert code == 3  # rows skipped
        skipped = skipped_lines(err, str(cases))
        assert sorted(skipped) == [4, 5, 6, 7, 9, 10, 11]
        assert "no UTC offset" in skipped[4]
        assert "unknown severity 'E'" in skipped[5] and "A, D" in skipped[5]
        assert "pauses" in skipped[6] and "bad JSON" in skipped[6]
        assert "missing columns" in skipped[7] and "zone" in skipped[7]
        assert "unknown tier 'silver'" in skipped[9]
        assert "'yesterday'" in skipped[10]
        assert "missing id" in skipped[11]
        assert "7 of 9 rows skipped" in err
        rows = by_key(read_csv(out))
        assert sorted({k[0] for k in rows}) == ["A1", "D1"]
        assert rows["D1", "reply"]["deadline"] == "2026-10-08T11:01:00+08:00"

    def test_missing_required_column_is_an_error(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, policy_file: Path
    ) -> None:
        """A header without ``severity`` is a usage error (exit 2), before any output."""
        cases = tmp_path / "cases.csv"
        cases.write_text("id,opened\nA1,2026-10-01T23:10+08:00\n", encoding="utf-8")
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file)
        assert (code, out) == (2, "")
        assert err.startswith("slacalc: error:") and "severity" in err

    def test_unknown_column_noted_once(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, policy_file: Path
    ) -> None:
        """A column that looks like a misspelt field is mentioned once on stderr and does not
        skip any row; an extra column (customer) is the cases' attribute, without a note."""
        cases = tmp_path / "cases.csv"
        cases.write_text("id,opened,severity,customer,Tier\n"
                         "D1,2026-09-30T15:01+08:00,D,ACME,gold\n"
                         "D2,2026-09-30T15:01+08:00,D,ACME,gold\n",
                         encoding="utf-8")
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file)
        assert code == 0
        assert err.count("'Tier'") == 1 and "misspelt 'tier'" in err
        assert "customer" not in err
        assert len(read_csv(out)) == 4

    def test_bom_and_crlf(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                          policy_file: Path) -> None:
        """A spreadsheet's CSV (UTF-8 BOM, CRLF line ends) reads like any other."""
        cases = tmp_path / "cases.csv"
        cases.write_bytes(b"\xef\xbb\xbfid,opened,severity\r\nD1,2026-09-30T15:01+08:00,D\r\n")
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file)
        assert (code, err) == (0, "")
        assert by_key(read_csv(out))["D1", "reply"]["deadline"] == "2026-10-08T11:01:00+08:00"


# -- evaluate: JSON Lines -----------------------------------------------------------------------
class TestKeep:
    """``--keep``: case columns carried into every output row, after the result columns."""

    def cases(self, tmp_path: Path) -> Path:
        return write_jsonl(tmp_path / "cases.jsonl", [
            {**A1, "customer": "ACME", "site": 12, "closed": "2026-10-02T03:00+08:00"},
            {**D1, "customer": "Initech"},
        ])

    def test_fields_and_attributes(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                   policy_file: Path) -> None:
        """Each case's value (instants as ISO 8601 text, a missing one empty) is on each of
        its metric rows, in the order given; JSON Lines keeps the attribute's number."""
        cases = self.cases(tmp_path)
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file, "--keep",
                             "customer,tier,closed,site")
        assert (code, err) == (0, "")
        rows = list(csv.DictReader(io.StringIO(out)))
        assert list(rows[0])[:len(COLUMNS)] == COLUMNS
        assert [[r[c] for c in ("case_id", "metric", "customer", "tier", "closed", "site")]
                for r in rows] == [
            ["A1", "reply", "ACME", "gold", "2026-10-02T03:00:00+08:00", "12"],
            ["A1", "restore", "ACME", "gold", "2026-10-02T03:00:00+08:00", "12"],
            ["D1", "reply", "Initech", "standard", "", ""],
            ["D1", "restore", "Initech", "standard", "", ""],
        ]
        code, out, _ = run(capsys, "evaluate", cases, "--policy", policy_file, "--keep",
                           "site,severity", "--format", "jsonl")
        records = [json.loads(line) for line in out.splitlines()]
        assert [(r["case_id"], r["site"], r["severity"]) for r in records] == [
            ("A1", 12, "A"), ("A1", 12, "A"), ("D1", None, "D"), ("D1", None, "D")]
        assert list(records[0])[-2:] == ["site", "severity"]

    def test_with_compare(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                          policy_file: Path) -> None:
        """With --compare, the kept columns follow each change's columns: D1's reply within
        1 business hour instead of 4 moves (the only change)."""
        cases = self.cases(tmp_path)
        other = tmp_path / "other.toml"
        other.write_text(POLICY_TOML.replace('within = "4h"', 'within = "1h"'),
                         encoding="utf-8")
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file, "--compare",
                             other, "--keep", "customer")
        assert (code, err) == (0, "")
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["case_id"], r["metric"], r["customer"]) for r in rows] == [
            ("D1", "reply", "Initech")]

    def test_a_column_no_case_has(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                  policy_file: Path) -> None:
        """A kept attribute that no case has gives empty cells and one note on stderr."""
        code, out, err = run(capsys, "evaluate", self.cases(tmp_path), "--policy",
                             policy_file, "--keep", "custmer")
        assert code == 0
        assert {r["custmer"] for r in csv.DictReader(io.StringIO(out))} == {""}
        assert err == ("slacalc: note: --keep: no case has the column 'custmer' ('custmer' is "
                       "perhaps 'customer'); its cells are empty\n")

    def test_columns_no_case_has_with_a_close_match(self, capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path, policy_file: Path) -> None:
        """Two kept attributes no case has: one note naming both, with the cases' attribute
        that one of them is close to."""
        code, _, err = run(capsys, "evaluate", self.cases(tmp_path), "--policy", policy_file,
                           "--keep", "Customer,region")
        assert code == 0
        assert err == ("slacalc: note: --keep: no case has the columns 'Customer', 'region' "
                       "('Customer' is perhaps 'customer'); their cells are empty\n")

    def test_booleans_as_the_case_files_write_them(self, capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path, policy_file: Path) -> None:
        """A boolean attribute is true or false in CSV, as a case file and a report's group
        write it, and a JSON boolean in JSON Lines."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [{**A1, "vip": True}, {**D1, "vip": False}])
        code, out, _ = run(capsys, "evaluate", cases, "--policy", policy_file, "--keep", "vip")
        assert code == 0
        assert [r["vip"] for r in csv.DictReader(io.StringIO(out))] == [
            "true", "true", "false", "false"]
        code, out, _ = run(capsys, "evaluate", cases, "--policy", policy_file, "--keep", "vip",
                           "--format", "jsonl")
        assert [json.loads(line)["vip"] for line in out.splitlines()] == [
            True, True, False, False]

    @pytest.mark.parametrize(("keep", "says"), [
        ("status", "'status' is already a column of the output"),
        ("customer,customer", "names a column twice"),
        ("achieved.restore", "'achieved.restore' is a case field that --keep does not carry"),
        ("pauses", "'pauses' is a case field of several values"),
        ("id", "the case's id is the output's case_id column already"),
        ("customer,zones", "'zones' looks like a misspelt 'zone', and case files do not keep"),
        ("", "'' is not an attribute name"),
    ])
    def test_bad_columns_exit_2(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                policy_file: Path, keep: str, says: str) -> None:
        """A column the output has already, one named twice, a case field that is not a
        single value: exit 2 before anything is written."""
        code, out, err = run(capsys, "evaluate", self.cases(tmp_path), "--policy",
                             policy_file, "--keep", keep)
        assert (code, out) == (2, "")
        assert says in err

    def test_compare_columns_taken(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                   policy_file: Path) -> None:
        """--compare writes severity, tier and zone itself: keeping them is refused."""
        code, _, err = run(capsys, "evaluate", self.cases(tmp_path), "--policy", policy_file,
                           "--compare", policy_file, "--keep", "tier")
        assert code == 2
        assert "'tier' is already a column of the output" in err


class TestEvaluateJsonl:
    def test_bad_rows_are_reported_and_skipped(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, policy_file: Path
    ) -> None:
        """Bad JSON, wrong shapes, missing keys, naive times, unknown severities: each reported
        with its line number; blank lines are no rows; the good rows are evaluated."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [
            A1,                                                              # 1
            '{"id": "J1", "opened": ',                                       # 2 bad JSON
            "[1, 2]",                                                        # 3 not an object
            {"id": "M1", "severity": "A"},                                   # 4 no opened
            {**D1, "id": "N1", "opened": "2026-09-30T15:01"},                # 5 naive
            {**D1, "id": "E1", "severity": "Z"},                             # 6 severity
            "",                                                              # 7 blank
            {**A1, "id": "P1", "pauses": [{"start": "2026-10-02T01:00+08:00",
                                           "end": "2026-10-02T00:00+08:00",
                                           "reason": "customer_info"}]},     # 8 end < start
            {**A1, "id": "C1", "severity_changes": [
                {"at": "2026-10-02T00:00+08:00", "severity": "Q"}]},         # 9 change to Q
            {**A1, "id": "K1", "achieved": ["restore"]},                     # 10 not an object
            {**A1, "id": "R1", "pauses": [{"start": "2026-10-02T00:00+08:00",
                                           "why": "x"}]},                    # 11 unknown key
            D1,                                                              # 12
        ])
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file)
        assert code == 3  # rows skipped
        skipped = skipped_lines(err, str(cases))
        assert sorted(skipped) == [2, 3, 4, 5, 6, 8, 9, 10, 11]
        assert "bad JSON" in skipped[2]
        assert "JSON object" in skipped[3]
        assert "missing opened" in skipped[4]
        assert "no UTC offset" in skipped[5]
        assert "unknown severity 'Z'" in skipped[6]
        assert "before" in skipped[8]
        assert "'Q'" in skipped[9]
        assert "achieved" in skipped[10]
        assert "'why'" in skipped[11]
        assert "9 of 11 rows skipped" in err
        rows = by_key(read_csv(out))
        assert sorted({k[0] for k in rows}) == ["A1", "D1"]

    def test_not_utf8_line(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                           policy_file: Path) -> None:
        """A line that is not UTF-8 is skipped with its number; the next line still reads."""
        cases = tmp_path / "cases.jsonl"
        cases.write_bytes(b'{"id": "\xff"}\n' + json.dumps(D1).encode() + b"\n")
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file)
        assert code == 3  # rows skipped
        assert skipped_lines(err, str(cases)) == {1: "not UTF-8 text"}
        assert len(read_csv(out)) == 2

    def test_integer_severity_and_excluded(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """JSON integers name severities "1".."4"; an excluded case is not applicable."""
        policy = tmp_path / "p.json"
        policy.write_text(json.dumps({
            "name": "numbers",
            "calendars": {"business": {"coverage": "5x8", "country": "CN"}},
            "clock": {"exclude_reasons": ["force_majeure"]},
            "severities": [{"id": "1", "targets": [
                {"metric": "reply", "calendar": "business", "within": "4h"}]}],
        }), encoding="utf-8")
        cases = write_jsonl(tmp_path / "cases.jsonl", [
            {"id": 7, "opened": "2026-09-30T15:01+08:00", "severity": 1},
            {"id": 8, "opened": "2026-09-30T15:01+08:00", "severity": 1,
             "excluded": "force_majeure"},
        ])
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy)
        assert (code, err) == (0, "")
        rows = by_key(read_csv(out))
        assert rows["7", "reply"]["deadline"] == "2026-10-08T11:01:00+08:00"
        assert rows["8", "reply"]["status"] == "not_applicable"
        assert rows["8", "reply"]["note"] == "case excluded: force_majeure"
        assert rows["8", "reply"]["deadline"] == ""

    def test_closed_and_satisfaction(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, policy_file: Path
    ) -> None:
        """closed and satisfaction are known keys: good values are read without a note, bad
        ones (a rating of 6, text, closed before opened, no offset) skip the row by line."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [
            {**D1, "closed": "2026-10-09T10:00+08:00", "satisfaction": 4.5},
            {**D1, "id": "D2", "satisfaction": 6},
            {**D1, "id": "D3", "satisfaction": "good"},
            {**D1, "id": "D4", "closed": "2026-09-30T15:00+08:00"},
            {**D1, "id": "D5", "closed": "2026-10-09T10:00"},
            {**D1, "id": "D6", "satisfaction": True},
        ])
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file)
        assert code == 3  # rows skipped
        assert {r["case_id"] for r in read_csv(out)} == {"D1"}
        skipped = skipped_lines(err, str(cases))
        assert sorted(skipped) == [2, 3, 4, 5, 6]
        assert "Case.satisfaction=6 is outside the rating scale 1-5" in skipped[2]
        assert "satisfaction 'good' is not a number" in skipped[3]
        assert "is before Case.opened=2026-09-30T15:01:00+08:00" in skipped[4]
        assert "closed '2026-10-09T10:00' has no UTC offset" in skipped[5]
        assert "satisfaction True is not a number" in skipped[6]
        assert "ignoring unknown" not in err

    def test_stdin(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                   policy_file: Path) -> None:
        """``-`` reads stdin; its format is given with --input-format."""
        data = (json.dumps(D1) + "\n").encode()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        code, out, err = run(capsys, "evaluate", "-", "--input-format", "jsonl",
                             "--policy", policy_file)
        assert (code, err) == (0, "")
        assert by_key(read_csv(out))["D1", "reply"]["deadline"] == "2026-10-08T11:01:00+08:00"

    def test_unknown_extension(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                               policy_file: Path) -> None:
        """A file named neither .csv nor .jsonl needs --input-format (exit 2 otherwise)."""
        cases = write_jsonl(tmp_path / "cases.txt", [D1])
        code, _, err = run(capsys, "evaluate", cases, "--policy", policy_file)
        assert code == 2 and "--input-format" in err
        code, out, _ = run(capsys, "evaluate", cases, "--policy", policy_file,
                           "--input-format", "jsonl")
        assert code == 0 and len(read_csv(out)) == 2


# -- evaluate: --now ----------------------------------------------------------------------------
class TestNow:
    @pytest.mark.parametrize(
        ("now", "status", "used", "remaining", "fired", "pending"),
        [
            # nothing recorded and no --now: running, nothing measured, nothing fired
            (None, "running", "", "", "", "expert@2026-10-02T00:40:00+08:00;"
                                          "vendor@2026-10-02T02:40:00+08:00"),
            # inside the pause: paused; 20 minutes used
            ("2026-10-01T23:45+08:00", "paused", "1200", "6000", "",
             "expert@2026-10-02T00:40:00+08:00;vendor@2026-10-02T02:40:00+08:00"),
            # 01:00: 1h50m since opening, less the pause: 1h20m used; the expert was called
            ("2026-10-02T01:00+08:00", "running", "4800", "2400",
             "expert@2026-10-02T00:40:00+08:00", "vendor@2026-10-02T02:40:00+08:00"),
            # the same instant in UTC
            ("2026-10-01T17:00Z", "running", "4800", "2400",
             "expert@2026-10-02T00:40:00+08:00", "vendor@2026-10-02T02:40:00+08:00"),
            # past the deadline: breached, 20 minutes over
            ("2026-10-02T02:00+08:00", "breached", "8400", "-1200",
             "expert@2026-10-02T00:40:00+08:00", "vendor@2026-10-02T02:40:00+08:00"),
            ("2026-10-02T03:00+08:00", "breached", "12000", "-4800",
             "expert@2026-10-02T00:40:00+08:00;vendor@2026-10-02T02:40:00+08:00", ""),
        ],
    )
    def test_now_judges_open_cases(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, policy_file: Path,
        now: str | None, status: str, used: str, remaining: str, fired: str, pending: str,
    ) -> None:
        """--now decides running / paused / breached, the time used and the escalations fired."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [A1])
        extra = [] if now is None else ["--now", now]
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file, *extra)
        assert (code, err) == (0, "")
        row = by_key(read_csv(out))["A1", "restore"]
        assert row["deadline"] == "2026-10-02T01:40:00+08:00"
        assert (row["status"], row["used_seconds"], row["remaining_seconds"]) == (
            status, used, remaining)
        assert (row["escalations_fired"], row["escalations_pending"]) == (fired, pending)

    def test_now_in_business_time(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                  policy_file: Path) -> None:
        """At 10:00 on 10-08, D1 has used 1h59m + 1h of business time and has 1h01m left."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [D1])
        code, out, _ = run(capsys, "evaluate", cases, "--policy", policy_file,
                           "--now", "2026-10-08T10:00+08:00")
        assert code == 0
        row = by_key(read_csv(out))["D1", "reply"]
        assert (row["status"], row["used_seconds"], row["remaining_seconds"]) == (
            "running", "10740", "3660")
        assert float(row["share"]) == pytest.approx(10740 / 14400, abs=1e-6)

    def test_now_now(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                     policy_file: Path) -> None:
        """``--now now`` reads the system clock: time is measured for a case still open."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [D1])
        code, out, _ = run(capsys, "evaluate", cases, "--policy", policy_file)
        assert code == 0 and by_key(read_csv(out))["D1", "reply"]["used_seconds"] == ""
        code, out, _ = run(capsys, "evaluate", cases, "--policy", policy_file, "--now", "now")
        assert code == 0 and by_key(read_csv(out))["D1", "reply"]["used_seconds"] != ""

    @pytest.mark.parametrize("now", ["2026-10-02T01:00", "tomorrow"])
    def test_bad_now_is_an_error(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                 policy_file: Path, now: str) -> None:
        """--now without an offset, or not a date-time at all, is a usage error."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [A1])
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file, "--now", now)
        assert (code, out) == (2, "")
        assert repr(now) in err


# -- evaluate: --out, --format ------------------------------------------------------------------
class TestOut:
    def test_out_csv(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                     policy_file: Path) -> None:
        """--out writes the rows to the file and nothing to stdout."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [A1, D1])
        target = tmp_path / "due.csv"
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file, "--out", target)
        assert (code, out, err) == (0, "", "")
        rows = read_csv(target.read_text(encoding="utf-8"))
        assert len(rows) == 4

    def test_out_jsonl_by_extension(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    policy_file: Path) -> None:
        """An --out ending in .jsonl gets JSON Lines with numbers and nulls."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [A1])
        target = tmp_path / "due.jsonl"
        code, _, _ = run(capsys, "evaluate", cases, "--policy", policy_file, "--out", target,
                         "--now", "2026-10-02T01:00+08:00")
        assert code == 0
        records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
        assert [r["metric"] for r in records] == ["reply", "restore"]
        assert list(records[1]) == COLUMNS
        assert records[1]["used_seconds"] == 4800 and records[1]["remaining_seconds"] == 2400
        assert records[0]["deadline"] is None and records[0]["status"] == "not_applicable"

    def test_format_overrides_extension(self, capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path, policy_file: Path) -> None:
        """--format jsonl to stdout; --format csv into a .jsonl file."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [D1])
        code, out, _ = run(capsys, "evaluate", cases, "--policy", policy_file,
                           "--format", "jsonl")
        assert code == 0
        assert [json.loads(x)["case_id"] for x in out.splitlines()] == ["D1", "D1"]
        target = tmp_path / "odd.jsonl"
        run(capsys, "evaluate", cases, "--policy", policy_file, "--out", target,
            "--format", "csv")
        assert len(read_csv(target.read_text(encoding="utf-8"))) == 2

    def test_out_onto_the_input_is_refused(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, policy_file: Path
    ) -> None:
        """--out naming the cases file is an error, and the cases file is left alone."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [D1])
        before = cases.read_text(encoding="utf-8")
        code, _, err = run(capsys, "evaluate", cases, "--policy", policy_file, "--out", cases)
        assert code == 2 and "cases file" in err
        assert cases.read_text(encoding="utf-8") == before

    def test_missing_cases_file(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                policy_file: Path) -> None:
        """A cases file that does not exist is an error with exit status 2."""
        code, _, err = run(capsys, "evaluate", tmp_path / "nope.csv", "--policy", policy_file)
        assert code == 2 and "nope.csv" in err


# -- evaluate: a long stream --------------------------------------------------------------------
def generated_rows(n: int) -> Iterator[str]:
    """``n`` JSON lines of D cases opened at 09:00 on 2026-09-01 plus i minutes; every
    10,000th line has no offset (and so is skipped)."""
    for i in range(n):
        minutes = i % (8 * 60)
        opened = f"2026-09-01T{9 + minutes // 60:02d}:{minutes % 60:02d}"
        offset = "" if i % 10_000 == 9_999 else "+08:00"
        yield json.dumps({"id": f"G{i}", "opened": opened + offset, "severity": "D"}) + "\n"


class TestStream:
    def test_fifty_thousand_rows(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                 policy_file: Path) -> None:
        """50,000 rows written one by one: every good row yields its two output rows, the five
        bad ones are reported with their line numbers, and the status is 3 (rows skipped)."""
        cases = tmp_path / "many.jsonl"
        with cases.open("w", encoding="utf-8") as f:
            for line in generated_rows(50_000):
                f.write(line)
        target = tmp_path / "due.csv"
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file,
                             "--out", target, "--now", "2026-09-01T12:00+08:00")
        assert (code, out) == (3, "")
        assert sorted(skipped_lines(err, str(cases))) == [10_000, 20_000, 30_000, 40_000,
                                                          50_000]
        with target.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            assert next(reader) == COLUMNS
            count = 0
            for row in reader:
                count += 1
                if row[0] == "G0" and row[1] == "reply":  # 09:00 + 4h
                    assert row[5] == "2026-09-01T13:00:00+08:00"
        assert count == (50_000 - 5) * 2


class TestWarnings:
    def test_horizon_warning_once(self, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                  policy_file: Path) -> None:
        """Many cases past the holiday data's horizon: one warning line, every row evaluated."""
        rows = [{**D1, "id": f"F{i}", "opened": f"2031-03-{3 + i:02d}T10:00+08:00"}
                for i in range(5)]
        cases = write_jsonl(tmp_path / "cases.jsonl", rows)
        code, out, err = run(capsys, "evaluate", cases, "--policy", policy_file)
        assert code == 0
        assert err.count("slacalc: warning:") == 1 and "2031" in err
        # Mon 2031-03-03 10:00 + 4 business hours (no holiday that week)
        assert by_key(read_csv(out))["F0", "reply"]["deadline"] == "2031-03-03T14:00:00+08:00"


# -- the progress bar ---------------------------------------------------------------------------
class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestProgress:
    def test_bar_on_a_terminal(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                               policy_file: Path) -> None:
        """On a terminal, stderr shows tqdm's bar, which ends at 100 % and is erased."""
        pytest.importorskip("tqdm")
        cases = write_jsonl(tmp_path / "cases.jsonl", [A1, D1])
        err = _Tty()
        monkeypatch.setattr(sys, "stderr", err)
        monkeypatch.setattr(sys, "stdout", io.StringIO())
        assert main(["evaluate", str(cases), "--policy", str(policy_file)]) == 0
        text = err.getvalue()
        assert "100%" in text and "2 rows" in text
        assert text.endswith("\r")  # the bar is erased (leave=False)
        assert "slacalc" not in text  # nothing else was said

    def test_no_bar_without_tqdm(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                 policy_file: Path) -> None:
        """Without tqdm (the cli extra) there is no bar, even on a terminal, and no error."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [A1, D1])
        err = _Tty()
        monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
        monkeypatch.setattr(sys, "stderr", err)
        out = io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        assert main(["evaluate", str(cases), "--policy", str(policy_file)]) == 0
        assert err.getvalue() == ""
        assert len(read_csv(out.getvalue())) == 4

    def test_no_bar_when_not_a_terminal(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        policy_file: Path) -> None:
        """Into a pipe or a file, stderr stays empty."""
        cases = write_jsonl(tmp_path / "cases.jsonl", [A1, D1])
        err = io.StringIO()
        monkeypatch.setattr(sys, "stderr", err)
        monkeypatch.setattr(sys, "stdout", io.StringIO())
        assert main(["evaluate", str(cases), "--policy", str(policy_file)]) == 0
        assert err.getvalue() == ""


# -- policy check / show ------------------------------------------------------------------------
BAD_POLICY = """\
name = "broken"

[calendars.business]
coverage = "5x25"

[[severities]]
id = "A"
[[severities.targets]]
metric = "respond"
calendar = "business"
within = "4 hours"

[[escalations]]
metric = "restore"
[[escalations.steps]]
name = "late"
at = 1.5
"""


class TestPolicyCheck:
    def test_good_file(self, capsys: pytest.CaptureFixture[str], policy_file: Path) -> None:
        """A valid file prints the one-line summary and exits 0."""
        code, out, err = run(capsys, "policy", "check", policy_file)
        assert (code, err) == (0, "")
        assert out == "ok: 2 severities, 2 tiers, 2 metrics\n"

    def test_bad_file_lists_every_problem(self, capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
        """Every problem prints on its own line with the file and key path; exit status 1."""
        path = tmp_path / "broken.toml"
        path.write_text(BAD_POLICY, encoding="utf-8")
        code, out, _ = run(capsys, "policy", "check", path)
        assert code == 1
        lines = out.splitlines()
        problems = [ln for ln in lines if ln.startswith(f"{path}: ")]
        paths = [ln[len(f"{path}: "):].split(":", 1)[0] for ln in problems]
        assert "calendars.business" in paths
        assert "severities[0].targets[0].metric" in paths
        assert "escalations[0].steps[0].at" in paths
        assert any("'5x25'" in ln for ln in problems)
        assert any("'respond'" in ln for ln in problems)
        assert lines[-1] == f"{len(problems)} problems found"

    def test_not_toml(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A file that is not TOML at all is bad input, exit status 2 (problems in a policy
        that parses are findings, status 1)."""
        path = tmp_path / "junk.toml"
        path.write_text("name = \n", encoding="utf-8")
        code, out, err = run(capsys, "policy", "check", path)
        assert (code, out) == (2, "")
        assert err.startswith(f"slacalc: error: policy file '{path}' is not valid TOML: ")

    def test_json_policy(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A .json file is read as the same structure."""
        data = tomllib.loads(POLICY_TOML)
        path = tmp_path / "contract.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        code, out, _ = run(capsys, "policy", "check", path)
        assert (code, out) == (0, "ok: 2 severities, 2 tiers, 2 metrics\n")

    def test_missing_file(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A file that cannot be read is a usage error (2), not a policy problem (1)."""
        code, out, err = run(capsys, "policy", "check", tmp_path / "none.toml")
        assert (code, out) == (2, "")
        assert "none.toml" in err

    def test_evaluate_with_a_bad_policy(self, capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
        """evaluate with an invalid policy exits 2 and lists the problems."""
        path = tmp_path / "broken.toml"
        path.write_text(BAD_POLICY, encoding="utf-8")
        cases = write_jsonl(tmp_path / "cases.jsonl", [A1])
        code, out, err = run(capsys, "evaluate", cases, "--policy", path)
        assert (code, out) == (2, "")
        assert "invalid policy" in err and "severities[0].targets[0].metric" in err


class TestPolicyShow:
    def test_show_toml(self, capsys: pytest.CaptureFixture[str], policy_file: Path) -> None:
        """show prints TOML that reads back as the same policy."""
        code, out, err = run(capsys, "policy", "show", policy_file)
        assert (code, err) == (0, "")
        assert 'name = "cli-test"' in out and "[calendars.business]" in out
        assert "[[severities]]" in out
        assert sla.Policy.from_dict(tomllib.loads(out)) == sla.Policy.from_toml(policy_file)

    def test_show_json(self, capsys: pytest.CaptureFixture[str], policy_file: Path) -> None:
        """--format json prints the policy's plain data."""
        code, out, _ = run(capsys, "policy", "show", policy_file, "--format", "json")
        assert code == 0
        data = json.loads(out)
        assert data["name"] == "cli-test"
        assert [s["id"] for s in data["severities"]] == ["A", "D"]
        assert data["severities"][1]["targets"][0]["within"] == "4h"

    def test_without_toml_writer(self, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch, policy_file: Path) -> None:
        """Without slacalc._toml, show falls back to JSON and says so on stderr."""
        monkeypatch.setitem(sys.modules, "slacalc._toml", None)
        code, out, err = run(capsys, "policy", "show", policy_file)
        assert code == 0
        assert "JSON" in err and "note" in err
        assert json.loads(out)["name"] == "cli-test"


# -- builtin: -----------------------------------------------------------------------------------
class TestBuiltin:
    def test_without_templates(self, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """Without slacalc.templates, builtin:NAME is a clear error with exit status 2."""
        monkeypatch.setitem(sys.modules, "slacalc.templates", None)
        cases = write_jsonl(tmp_path / "cases.jsonl", [A1])
        code, out, err = run(capsys, "evaluate", cases, "--policy", "builtin:standard-contract")
        assert (code, out) == (2, "")
        assert "no built-in templates" in err and "policy file" in err

    def test_builtin_template(self, capsys: pytest.CaptureFixture[str]) -> None:
        """builtin:NAME shows every template's policy; an unknown name lists the real ones."""
        templates = pytest.importorskip("slacalc.templates")
        names = templates.names()
        assert "standard-contract" in names
        code, out, _ = run(capsys, "policy", "show", "builtin:standard-contract")
        assert code == 0
        assert 'name = "standard-contract"' in out
        assert sla.Policy.from_dict(tomllib.loads(out)) == templates.load("standard-contract")
        code, _, err = run(capsys, "policy", "check", "builtin:no-such-template")
        assert code == 2
        assert "standard-contract" in err

    def test_evaluate_sample_with_builtin(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The shipped sample cases all read under builtin:standard-contract; ND-01's reply
        (D: 24 business hours; 1h59m on 09-30, a 4 h customer pause on 10-08, 4h + 8h + 8h on
        10-08, 10-09 and the make-up Saturday 10-10, then 2h01m) is due 2026-10-12 11:01."""
        pytest.importorskip("slacalc.templates")
        with importlib.resources.as_file(SAMPLE) as path:
            code, out, err = run(capsys, "evaluate", path, "--policy",
                                 "builtin:standard-contract", "--now", "2026-10-10T10:00+08:00")
        assert (code, err) == (0, "")
        rows = by_key(read_csv(out))
        assert rows["ND-01", "reply"]["deadline"] == "2026-10-12T11:01:00+08:00"
        assert rows["ND-01", "reply"]["status"] == "running"


# -- the sample cases and the demo --------------------------------------------------------------
SAMPLE = importlib.resources.files("slacalc") / "data" / "sample_cases.jsonl"


class TestSampleCases:
    def test_shipped_file(self) -> None:
        """~20 cases of 2026, severities A-D, tiers, zones, reasoned pauses, a severity change
        and an excluded case, each id once."""
        records = [json.loads(x) for x in SAMPLE.read_text(encoding="utf-8").splitlines()]
        assert 18 <= len(records) <= 25
        assert len({r["id"] for r in records}) == len(records)
        assert {r["severity"] for r in records} == {"A", "B", "C", "D"}
        assert {r["tier"] for r in records} == {"standard", "gold", "platinum", "diamond"}
        assert all(r["opened"].startswith("2026-") for r in records)
        assert any(r.get("severity_changes") for r in records)
        assert any(r.get("excluded") for r in records)
        assert all(p["reason"] for r in records for p in r.get("pauses", []))

    def test_inline_contract(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Every sample case reads under the demo's inline contract, with hand-checked results:
        SF-04 (A, paused 40 min) restored 01:45 against 23:10 + 2h + 40m = 01:50; SF-03's part,
        diagnosed on make-up Saturday 02-14 at 15:05 (after the cutoff), was due 17:00 on 02-25,
        the business day after 02-24, and came at 18:30; ND-03's part (diagnosed 15:00 on 09-30)
        was due 10-09 17:00 and has not come by 10-10 10:00."""
        from slacalc.cli import STANDARD_CONTRACT  # noqa: PLC0415 - the demo's fallback policy

        policy = tmp_path / "standard.json"
        policy.write_text(json.dumps(STANDARD_CONTRACT), encoding="utf-8")
        with importlib.resources.as_file(SAMPLE) as path:
            code, out, err = run(capsys, "evaluate", path, "--policy", policy,
                                 "--now", "2026-10-10T10:00+08:00")
        assert (code, err) == (0, "")
        rows = by_key(read_csv(out))
        assert len(rows) == 20 * 5
        assert (rows["SF-04", "restore"]["status"], rows["SF-04", "restore"]["deadline"]) == (
            "met", "2026-02-17T01:50:00+08:00")
        assert (rows["SF-03", "parts_arrive"]["status"],
                rows["SF-03", "parts_arrive"]["deadline"]) == (
            "breached", "2026-02-25T17:00:00+08:00")
        assert (rows["ND-03", "parts_arrive"]["status"],
                rows["ND-03", "parts_arrive"]["deadline"]) == (
            "breached", "2026-10-09T17:00:00+08:00")
        assert {rows["SF-09", m]["status"] for m in
                ("response", "reply", "onsite", "restore", "parts_arrive")} == {"not_applicable"}
        assert rows["ND-07", "reply"]["status"] == "paused"


class TestDemoSample:
    def test_demo_summary(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The demo's last section counts statuses per metric and explains ND-01's reply."""
        code, out, err = run(capsys, "demo", "--cases", "100")
        assert (code, err) == (0, "")
        section = out[out.index("10. Sample cases"):]
        header = next(ln for ln in section.splitlines() if ln.strip().startswith("metric"))
        assert header.split() == ["metric", "met", "breached", "running", "paused", "pending",
                                  "n/a"]
        assert "judged at" in section and "2026-10-10 Sat 10:00" in section
        assert "Case ND-01" in section
        assert "deadline 2026-10-12 Mon 11:01" in section
        assert "paused: customer_info" in section and "make-up workday" in section
        table = {ln.split()[0]: [int(x) for x in ln.split()[1:]]
                 for ln in section.splitlines()
                 if ln.startswith("   ") and len(ln.split()) == 7 and ln.split()[1].isdigit()}
        assert table and all(sum(counts) == 20 for counts in table.values())

    def test_demo_quality_measures(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The demo ends with the standard contract's quarterly measures; each quarter's average
        satisfaction is the mean rating of the sample cases closed in it (Asia/Shanghai quarters,
        closed by the demo's 2026-10-10 10:00, excluded cases left out), computed here from the
        file itself."""
        code, out, err = run(capsys, "demo", "--cases", "100")
        assert (code, err) == (0, "")
        section = out[out.index("quality measures per quarter"):]
        shown = {(ln.split()[0], ln.split()[1]): ln.split()[2] for ln in section.splitlines()[1:]
                 if len(ln.split()) > 3 and ln.split()[0].startswith("2026-Q")}
        records = [json.loads(x) for x in SAMPLE.read_text(encoding="utf-8").splitlines()]
        ratings: dict[str, list[float]] = {}
        for r in records:
            if "closed" not in r or "satisfaction" not in r or r.get("excluded"):
                continue
            closed = dt.datetime.fromisoformat(r["closed"]).astimezone(
                dt.timezone(dt.timedelta(hours=8)))
            if closed > dt.datetime(2026, 10, 10, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))):
                continue
            quarter = f"2026-Q{(closed.month - 1) // 3 + 1}"
            ratings.setdefault(quarter, []).append(r["satisfaction"])
        assert ratings, "the sample file rates some closed cases"
        for quarter, values in ratings.items():
            mean = sum(values) / len(values)
            assert float(shown[quarter, "satisfaction"]) == pytest.approx(mean, abs=0.05)
        assert shown["2026-Q2", "repairs_on_time"].endswith("%")

    def test_demo_without_templates(self, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
        """Without slacalc.templates the demo uses its inline contract and says so."""
        monkeypatch.setitem(sys.modules, "slacalc.templates", None)
        code, out, err = run(capsys, "demo", "--cases", "100")
        assert (code, err) == (0, "")
        section = out[out.index("10. Sample cases"):]
        assert "the copy in slacalc.cli" in section
        assert "SF-03 parts_arrive" in section and "ND-03 parts_arrive" in section
        assert "deadline 2026-10-12 Mon 11:01" in section
