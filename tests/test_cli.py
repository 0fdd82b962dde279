"""The command line: ``slacalc deadline``, ``slacalc calendar``, ``slacalc demo`` (the service
model's commands, ``evaluate`` and ``policy``, are in ``test_cli_evaluate.py``).

Expected deadlines are hand-checked against the official 2026 schedule (National Day break
2026-10-01..07, make-up Saturday 2026-10-10; Spring Festival break 2026-02-15..23 with make-up
Saturdays 2026-02-14 and 2026-02-28).
"""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import subprocess
import sys

import pytest

import slacalc as sla
from slacalc.cli import main, parse_duration

CN_5X8 = ["deadline", "--coverage", "5x8", "--country", "CN"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestDeadline:
    @pytest.mark.parametrize(
        ("argv", "expected"),
        [
            # 1h59m on Wed 09-30, the break, then 2h01m from 09:00 on Thu 10-08
            ([*CN_5X8, "--start", "2026-09-30T15:01+08:00", "--duration", "4h"],
             "2026-10-08T11:01:00+08:00"),
            # the same instant written in UTC
            ([*CN_5X8, "--start", "2026-09-30T07:01Z", "--duration", "PT4H"],
             "2026-10-08T11:01:00+08:00"),
            # no offset: read as Asia/Shanghai wall time because of --country CN
            ([*CN_5X8, "--start", "2026-09-30T15:01", "--duration", "240m"],
             "2026-10-08T11:01:00+08:00"),
            # make-up Saturday 10-10 is worked: 2h on Fri, 2h on Sat
            ([*CN_5X8, "--start", "2026-10-09T15:00+08:00", "--duration", "4h"], "2026-10-10T11:00:00+08:00"),
            # a window used up exactly ends at 17:00, not the next 09:00
            ([*CN_5X8, "--start", "2026-11-02T09:00+08:00", "--duration", "8h"],
             "2026-11-02T17:00:00+08:00"),
            # 1d is 24 covered hours: three 8-hour business days, Mon..Wed
            ([*CN_5X8, "--start", "2026-11-02T09:00+08:00", "--duration", "1d"],
             "2026-11-04T17:00:00+08:00"),
            # custom windows: 1h before lunch, 1h after 13:30
            ([*CN_5X8, "--hours", "09:00-12:00,13:30-18:00", "--start",
              "2026-11-02T11:00+08:00", "--duration", "2h"], "2026-11-02T14:30:00+08:00"),
            ([*CN_5X8, "--start", "2026-11-02T16:59:30+08:00", "--duration", "90s"],
             "2026-11-03T09:01:00+08:00"),
        ],
    )
    def test_within(self, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
        """--duration deadlines on the CN 5x8 calendar match hand-checked instants."""
        code, out, err = run(capsys, *argv)
        assert (code, err) == (0, "")
        assert out == expected + "\n"

    @pytest.mark.parametrize(
        ("coverage", "start", "expected"),
        [
            ("5x8xNBD", "2026-09-30T14:59:59+08:00", "2026-10-08T17:00:00+08:00"),
            ("5x8xNBD", "2026-09-30T15:00:00+08:00", "2026-10-09T17:00:00+08:00"),
            ("5x8xNBD", "2026-10-09T10:00+08:00", "2026-10-10T17:00:00+08:00"),
            ("5x8xNBD", "2026-10-09T16:00+08:00", "2026-10-12T17:00:00+08:00"),
            ("7x8xND", "2026-10-01T20:00+08:00", "2026-10-02T18:00:00+08:00"),
            ("7x24x4", "2026-10-01T23:00+08:00", "2026-10-02T03:00:00+08:00"),
            ("8*5*48", "2026-11-02T09:00+08:00", "2026-11-09T17:00:00+08:00"),
        ],
    )
    def test_delivery_part_implies_target(
        self, capsys: pytest.CaptureFixture[str], coverage: str, start: str, expected: str
    ) -> None:
        """NBD (cutoff 15:00, by 17:00), ND (by 18:00, holidays count) and N hours."""
        code, out, _ = run(capsys, "deadline", "--coverage", coverage, "--country", "CN",
                           "--start", start)
        assert code == 0
        assert out == expected + "\n"

    @pytest.mark.parametrize(
        ("extra", "expected"),
        [
            (["--target", "nbd", "--cutoff", "16:00"], "2026-10-08T17:00:00+08:00"),
            (["--target", "nbd", "--by", "12:00"], "2026-10-09T12:00:00+08:00"),
            (["--target", "nd"], "2026-10-01T18:00:00+08:00"),
            (["--target", "nd", "--cutoff", "15:00", "--by", "10:00"],
             "2026-10-02T10:00:00+08:00"),
            (["--target", "bd:1"], "2026-10-09T00:00:00+08:00"),
            (["--target", "bd:2", "--by", "17:00"], "2026-10-09T17:00:00+08:00"),
        ],
    )
    def test_explicit_targets(
        self, capsys: pytest.CaptureFixture[str], extra: list[str], expected: str
    ) -> None:
        """--target nbd/nd/bd:N with --cutoff/--by, from Wed 2026-09-30 15:30."""
        code, out, _ = run(capsys, *CN_5X8, "--start", "2026-09-30T15:30+08:00", *extra)
        assert code == 0
        assert out == expected + "\n"

    def test_ten_working_days_over_spring_festival(self, capsys: pytest.CaptureFixture[str]) -> None:
        """bd:10 from Fri 2026-02-13 counts 02-14 (make-up), 02-24..28, 03-02..05."""
        code, out, _ = run(capsys, *CN_5X8, "--start", "2026-02-13T10:00+08:00",
                           "--target", "bd:10", "--by", "17:00")
        assert code == 0
        assert out == "2026-03-05T17:00:00+08:00\n"

    def test_other_zone(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--tz gives the zone; a naive start is New York wall time (EDT, -04:00, in July)."""
        code, out, _ = run(capsys, "deadline", "--coverage", "5x8", "--country", "US",
                           "--tz", "America/New_York", "--start", "2026-07-02T16:00",
                           "--duration", "2h")
        assert code == 0
        # Fri 07-03 is the observed Independence Day; 07-04/05 a weekend
        assert out == "2026-07-06T10:00:00-04:00\n"

    @pytest.mark.parametrize(
        ("start", "expected"),
        [
            # the first 01:30 (EDT) plus one hour is the second 01:30 (EST)
            ("2026-11-01T01:30", "2026-11-01T01:30:00-05:00"),
            ("2026-11-01T01:30-05:00", "2026-11-01T02:30:00-05:00"),
            # 02:30 does not exist on 2026-03-08: read with the EST offset, i.e. 03:30 EDT
            ("2026-03-08T02:30", "2026-03-08T04:30:00-04:00"),
        ],
    )
    def test_dst_wall_times(
        self, capsys: pytest.CaptureFixture[str], start: str, expected: str
    ) -> None:
        """Naive starts in a DST zone: repeated hour read as the first, gap as the old offset."""
        code, out, _ = run(capsys, "deadline", "--coverage", "7x24", "--tz", "America/New_York",
                           "--start", start, "--duration", "1h")
        assert code == 0
        assert out == expected + "\n"

    def test_explain_within(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--explain lists counted and skipped pieces, the days off by name, and the total."""
        code, out, _ = run(capsys, *CN_5X8, "--start", "2026-09-30T15:01+08:00",
                           "--duration", "4h", "--explain")
        assert code == 0
        lines = out.splitlines()
        assert lines[0] == "2026-10-08T11:01:00+08:00"
        counted = [ln for ln in lines if ln.strip().startswith("counted")]
        skipped = [ln for ln in lines if ln.strip().startswith("skipped")]
        assert len(counted) == 2
        assert "1h59m" in counted[0] and "2h01m" in counted[1]
        assert len(skipped) == 1 and "184h00m" in skipped[0]
        assert any(re.search(r"2026-10-01 Thu\s+holiday: National Day", ln) for ln in lines)
        assert any(re.search(r"2026-10-04 Sun\s+weekend", ln) for ln in lines)
        assert not any("2026-10-08 Thu  " in ln and "holiday" in ln for ln in lines)
        assert lines[-1].strip() == "total counted: 4h00m"

    def test_explain_make_up_day_counted(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The Saturday piece of a deadline is counted as a make-up workday."""
        code, out, _ = run(capsys, *CN_5X8, "--start", "2026-10-09T16:00+08:00",
                           "--duration", "2h", "--explain")
        assert code == 0
        sat = [ln for ln in out.splitlines() if "2026-10-10 Sat 09:00" in ln and "counted" in ln]
        assert len(sat) == 1 and "make-up workday" in sat[0]

    def test_explain_nbd(self, capsys: pytest.CaptureFixture[str]) -> None:
        """NBD at 15:00 explains the cutoff, the skipped break days and the effective day."""
        code, out, _ = run(capsys, "deadline", "--coverage", "5x8xNBD", "--country", "CN",
                           "--start", "2026-09-30T15:00+08:00", "--explain")
        assert code == 0
        assert out.splitlines()[0] == "2026-10-09T17:00:00+08:00"
        assert "at or after the 15:00 cutoff" in out
        assert "effective day: 2026-10-08 Thu" in out
        assert "skipped 7 non-business days" in out
        assert re.search(r"2026-10-07 Wed\s+holiday", out)

    def test_explain_nbd_before_cutoff(self, capsys: pytest.CaptureFixture[str]) -> None:
        """NBD at 14:59:59 is served the same day."""
        code, out, _ = run(capsys, "deadline", "--coverage", "5x8xNBD", "--country", "CN",
                           "--start", "2026-09-30T14:59:59+08:00", "--explain")
        assert code == 0
        assert "before the 15:00 cutoff: served the same day" in out
        assert "effective day: 2026-09-30 Wed" in out

    def test_horizon_warning_once(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Past the data horizon the deadline still prints and one warning goes to stderr."""
        code, out, err = run(capsys, *CN_5X8, "--start", "2031-03-03T09:00+08:00",
                             "--duration", "4h", "--explain")
        assert code == 0
        assert out.startswith("2031-03-03T13:00:00+08:00\n")
        assert err.count("slacalc: warning:") == 1
        assert "2031" in err

    def test_strict_past_horizon_is_an_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--strict turns the horizon warning into an error with exit status 2."""
        code, out, err = run(capsys, *CN_5X8, "--strict", "--start", "2031-03-03T09:00+08:00",
                             "--duration", "4h")
        assert (code, out) == (2, "")
        assert err.startswith("slacalc: error:") and "2031" in err


class TestErrors:
    @pytest.mark.parametrize(
        ("argv", "needle"),
        [
            (["deadline", "--coverage", "5x25", "--country", "CN", "--start",
              "2026-10-01T10:00+08:00", "--duration", "4h"], "coverage '5x25'"),
            (["deadline", "--coverage", "7x24", "--start", "2026-10-01T10:00",
              "--duration", "4h"], "no UTC offset"),
            ([*CN_5X8, "--start", "yesterday", "--duration", "4h"], "'yesterday'"),
            ([*CN_5X8, "--start", "2026-10-01T10:00", "--duration", "4 hours"], "'4 hours'"),
            ([*CN_5X8, "--start", "2026-10-01T10:00", "--target", "weekly"], "'weekly'"),
            ([*CN_5X8, "--start", "2026-10-01T10:00"], "no delivery part"),
            ([*CN_5X8, "--start", "2026-10-01T10:00", "--duration", "4h", "--by", "17:00"],
             "--by"),
            ([*CN_5X8, "--start", "2026-10-01T10:00", "--target", "nbd", "--cutoff", "3pm"],
             "'3pm'"),
            ([*CN_5X8, "--start", "2026-10-01T10:00", "--duration", "4h", "--target", "nbd"],
             "not allowed with"),
            (["deadline", "--coverage", "5x8", "--duration", "4h"], "--start"),
            (["calendar", "XX", "2026"], "'XX'"),
            (["frobnicate"], "invalid choice"),
        ],
    )
    def test_error_exit_2(
        self, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
    ) -> None:
        """Bad values and usage errors print 'slacalc: error: ...' to stderr and return 2."""
        code, out, err = run(capsys, *argv)
        assert code == 2
        assert out == ""
        last = err.strip().splitlines()[-1]
        assert last.startswith("slacalc: error: ")
        assert needle in last

    def test_help_mentions_local_time(self, capsys: pytest.CaptureFixture[str]) -> None:
        """deadline --help exits 0 and documents how a start without offset is read."""
        code, out, _ = run(capsys, "deadline", "--help")
        assert code == 0
        assert "local" in out and "--tz" in out and "5x8xNBD" in out


class TestParseDuration:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("4h", dt.timedelta(hours=4)),
            ("30m", dt.timedelta(minutes=30)),
            ("2h30m", dt.timedelta(hours=2, minutes=30)),
            ("1d", dt.timedelta(hours=24)),
            ("90s", dt.timedelta(seconds=90)),
            ("1.5h", dt.timedelta(minutes=90)),
            ("PT4H", dt.timedelta(hours=4)),
            ("PT1H30M", dt.timedelta(minutes=90)),
            ("P1DT2H", dt.timedelta(hours=26)),
            ("0s", dt.timedelta(0)),
        ],
    )
    def test_forms(self, text: str, expected: dt.timedelta) -> None:
        """Compact and ISO 8601 forms give the hand-computed timedelta."""
        assert parse_duration(text) == expected

    @pytest.mark.parametrize("text", ["", "h", "4", "-4h", "4h4h", "P", "PT", "4x"])
    def test_rejects(self, text: str) -> None:
        """Anything else is a DurationError that quotes the text."""
        with pytest.raises(sla.DurationError, match=re.escape(repr(text))):
            parse_duration(text)


class TestCalendar:
    def _grid_cells(self, out: str, title: str) -> dict[int, str]:
        """Day number -> mark, read from the grid under ``title``."""
        lines = out.splitlines()
        i = next(k for k, ln in enumerate(lines) if ln.strip() == title)
        cells: dict[int, str] = {}
        for ln in lines[i + 2:]:
            if not ln.strip() or not ln.strip()[0].isdigit():
                break
            for m in re.finditer(r"(\d+)([*+ ]?)", ln):
                cells[int(m[1])] = m[2].strip()
        return cells

    def test_october_2026(self, capsys: pytest.CaptureFixture[str]) -> None:
        """10-01..03 and 10-05..07 are holidays, 10-04 a weekend, 10-10 a make-up day."""
        code, out, err = run(capsys, "calendar", "CN", "2026", "--month", "10")
        assert (code, err) == (0, "")
        cells = self._grid_cells(out, "October 2026")
        assert sorted(cells) == list(range(1, 32))
        assert {d for d, m in cells.items() if m == "*"} == {1, 2, 3, 5, 6, 7}
        assert {d for d, m in cells.items() if m == "+"} == {10}
        assert "Mo  Tu  We  Th  Fr  Sa  Su" in out
        # Monday first: 2026-10-01 is a Thursday, so the first row starts with 3 blank cells
        first_row = out.splitlines()[out.splitlines().index(" Mo  Tu  We  Th  Fr  Sa  Su") + 1]
        assert first_row.index("1*") == 4 * 3 + 2
        assert re.search(r"\* 2026-10-01 Thu\s+holiday: National Day", out)
        assert re.search(r"\+ 2026-10-10 Sat\s+make-up workday", out)
        assert "legend:" in out

    def test_whole_year(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without --month all twelve grids print; Feb 2026 shows both make-up Saturdays."""
        code, out, _ = run(capsys, "calendar", "CN", "2026")
        assert code == 0
        for month in ("January", "June", "December"):
            assert f"{month} 2026" in out
        feb = self._grid_cells(out, "February 2026")
        assert {d for d, m in feb.items() if m == "+"} == {14, 28}
        assert {16, 17, 18, 19, 20, 23} <= {d for d, m in feb.items() if m == "*"}

    def test_past_horizon_warns_once(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A year past the data horizon prints its grid and one warning."""
        code, out, err = run(capsys, "calendar", "CN", "2031", "--month", "1")
        assert code == 0
        assert "January 2031" in out
        assert err.count("slacalc: warning:") == 1


class TestDemo:
    def test_demo_scenarios(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The demo prints every contract scenario with the hand-checked results."""
        code, out, err = run(capsys, "demo", "--cases", "2000")
        assert (code, err) == (0, "")
        for needle in (
            "15:00 cutoff", "make-up Saturday", "7x8xND", "7x24x4", "National Day",
            "due on the 5th", "10 working days", "60 working days", "add_many",
        ):
            assert needle in out, needle
        assert out.count("clause:") == 9
        assert re.search(r"14:59:59\s+ships 2026-09-30 Wed, due 2026-10-08 Thu 17:00", out)
        assert re.search(r"15:00:00\s+ships 2026-10-08 Thu, due 2026-10-09 Fri 17:00", out)
        assert "due 2026-10-02 Fri 18:00" in out  # ND on a holiday
        assert "due 2026-10-02 Fri 03:00" in out  # 4 hours overnight
        assert "due 2026-10-08 Thu 11:01" in out
        assert re.search(r"October 2026\s+due 2026-10-08 Thu", out)
        assert re.search(r"April 2026\s+due 2026-04-07 Tue", out)
        assert "return by 2026-03-05 Thu 17:00" in out
        assert "2,000 int POSIX seconds" in out
        assert "agrees" in out

    def test_python_m_slacalc_demo(self) -> None:
        """``python -m slacalc demo`` runs the full demo in a fresh interpreter."""
        proc = subprocess.run(
            [sys.executable, "-m", "slacalc", "demo"],
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert "100,000 int POSIX seconds" in proc.stdout
        assert "Repair within 60 working days" in proc.stdout


class TestCommands:
    def test_help_lists_every_command(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help names the five commands; evaluate --help documents the input and exit codes."""
        code, out, _ = run(capsys, "--help")
        assert code == 0
        for command in ("deadline", "calendar", "evaluate", "policy", "demo"):
            assert command in out, command
        code, out, _ = run(capsys, "evaluate", "--help")
        assert code == 0
        assert "achieved.<name>" in out and "exit status" in out and "builtin:NAME" in out

    def test_evaluate_stdin_in_a_fresh_interpreter(self, tmp_path: pathlib.Path) -> None:
        """``python -m slacalc evaluate -`` reads stdin's bytes; a bad row makes the status 3."""
        policy = tmp_path / "p.toml"
        policy.write_text(
            'name = "p"\n[calendars.business]\ncoverage = "5x8"\ncountry = "CN"\n'
            '[[severities]]\nid = "D"\n[[severities.targets]]\nmetric = "reply"\n'
            'calendar = "business"\nwithin = "4h"\n', encoding="utf-8")
        rows = ('{"id": "D1", "opened": "2026-09-30T15:01+08:00", "severity": "D"}\n'
                '{"id": "D2", "opened": "2026-09-30T15:01+08:00", "severity": "X"}\n')
        proc = subprocess.run(
            [sys.executable, "-m", "slacalc", "evaluate", "-", "--input-format", "jsonl",
             "--policy", str(policy), "--format", "jsonl"],
            input=rows, capture_output=True, text=True, timeout=120, check=False,
        )
        assert proc.returncode == 3
        assert proc.stdout.count("\n") == 1 and '"deadline": "2026-10-08T11:01:00+08:00"' in proc.stdout
        assert "<stdin>:2: skipped: unknown severity 'X'" in proc.stderr
