"""Bad input a user really types: one line on stderr saying what and how to fix, a non-zero
exit, no traceback, and nothing half-written. Each case here once failed one of those."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from stridelift.cli import app

runner = CliRunner()
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "Europe/Berlin", "--sex", "f",
        "--max-hr", "186", "--rest-hr", "48", "--runs", "mon=easy,wed=speed,sat=long"]


@pytest.fixture
def athlete(home: Path) -> Path:
    """A home with one athlete and her plan, as `init` leaves it."""
    result = runner.invoke(app, INIT)
    assert result.exit_code == 0, result.output
    return home


def refused(result: Result, code: int, words: str) -> None:
    """The command failed as expected: its exit code, one line naming the problem, no
    traceback (CliRunner keeps an unexpected exception in `result.exception`)."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], lines


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_replay_refuses_a_day_out_of_reach(athlete: Path, day: str) -> None:
    """`replay --to 0001-01-01` overflowed computing its default start (a traceback), and
    `--to 9999-12-31` replayed 16 weeks of the year 9999."""
    refused(runner.invoke(app, ["replay", "--to", day]), 2, "out of reach")
