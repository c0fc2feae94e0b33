"""Bad input a user really types: one line on stderr saying what and how to fix, a non-zero
exit, no traceback, and nothing half-written. Each case here once failed one of those."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from db import session
from jobs.home import Home
from stridelift.cli import app
from stridelift.cli.data import failed_fix
from tests.history import write_weeks
from tests.test_web import client as web_client
from tests.test_web import csrf, future_strength, path_of, stored

runner = CliRunner()
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "Europe/Berlin", "--sex", "f",
        "--max-hr", "186", "--rest-hr", "48", "--runs", "mon=easy,wed=speed,sat=long"]


@pytest.fixture
def athlete(home: Path) -> Path:
    """A home with one athlete and her plan, as `init` leaves it."""
    result = runner.invoke(app, INIT)
    assert result.exit_code == 0, result.output
    return home


@pytest.fixture
def opened(athlete: Path) -> Home:
    """The athlete's home, opened as the web app has it."""
    return Home.open()


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


@pytest.fixture
def locked(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another process holds a write transaction on the home's database; a writer here gives
    up at once rather than after the 10 s busy timeout."""
    monkeypatch.setattr(session, "BUSY_TIMEOUT_MS", 0)
    holder = sqlite3.connect(home / "stridelift.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize("command", ["nightly", "morning"])
def test_a_locked_database_fails_the_night_in_one_line(
        home: Path, command: str, request: pytest.FixtureRequest,
        caplog: pytest.LogCaptureFixture) -> None:
    """The night failed with the locked database's message as a crash: a traceback in the
    log (on stderr, so also under --json)."""
    assert runner.invoke(app, [*INIT, "--source", "files"]).exit_code == 0
    request.getfixturevalue("locked")
    result = runner.invoke(app, [command, "--json"])
    assert result.exit_code == 1, result.output
    [night] = json.loads(result.stdout)
    assert night["status"] == "failed" and "stayed locked by another process" in night["error"]
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert "Traceback" not in result.stderr


def test_a_database_server_out_of_reach_is_one_line(athlete: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL's refusal came on two lines ("... Connection refused" then "Is the server
    running on that host ...")."""
    pytest.importorskip("psycopg")
    monkeypatch.setenv("STRIDELIFT_DB_URL", "postgresql+psycopg://nobody@127.0.0.1:1/stridelift")
    refused(runner.invoke(app, ["plan"]), 1, "cannot open the database")


@pytest.mark.parametrize("command, what", [("report", "report"), ("export-ics", "calendar")])
def test_an_output_that_is_no_file_is_refused_and_left_alone(athlete: Path, tmp_path: Path,
                                                             command: str, what: str) -> None:
    """A pipe (or, as root, a device: `--out /dev/full`) was renamed over by the new file,
    exit 0; a folder (or `--out ""`, the current one) failed as "Device or resource busy"."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    refused(runner.invoke(app, [command, "--out", str(pipe)]), 1,
            f"cannot write the {what} to {pipe}: it is a folder, device or pipe")
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    refused(runner.invoke(app, [command, "--out", str(tmp_path)]), 1, "not a file")
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("command", ["import", "classify"])
def test_an_empty_path_is_refused_not_taken_for_the_current_folder(
        athlete: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    """`stridelift import "$FILE"` with FILE unset searched the current folder and every
    folder below it (Path("") is "."), and imported the FIT files it found there."""
    write_weeks(tmp_path, date(2026, 11, 2), 1)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [command, ""])
    assert result.exit_code == 2 and "an empty path" in result.stderr, result.output
    assert "imported" not in result.stdout


@pytest.mark.parametrize("activity", ["-1", "0", "99999999999999999999999"])
def test_classify_an_activity_id_no_row_has(athlete: Path, activity: str) -> None:
    """An id past 64 bits overflowed SQLite's integer: a traceback."""
    refused(runner.invoke(app, ["classify", "--activity", activity]), 1,
            f"no activity {activity} for anna")


def test_numbers_past_what_a_command_can_use(athlete: Path, tmp_path: Path) -> None:
    """`runs --limit` past 64 bits overflowed SQLite's integer, and `import --workers 10**5`
    asked for 400 GB of spool ("Cannot allocate memory"; past 64 bits, a traceback)."""
    result = runner.invoke(app, ["runs", "--limit", str(10**23), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == [], result.output
    for workers in ("100000", str(10**23)):
        result = runner.invoke(app, ["import", "--workers", workers, str(tmp_path)])
        assert result.exit_code == 2 and "--workers" in result.stderr, result.output


@pytest.mark.parametrize("field, value, words", [
    ("rpe", "50", "RPE 50 is off the scale: 0-10"),
    ("rpe", "-3", "RPE -3 is off the scale: 0-10"),
    ("reps", "6.7", "set 1 reps: &#39;6.7&#39; is not a whole number"),
])
def test_the_done_form_stores_nothing_off_the_scale(opened: Home, field: str, value: str,
                                                    words: str) -> None:
    """RPE 50 and -3 were stored (the CLI's option bounds them, the form did not), and 6.7
    reps were stored as 6."""
    c = web_client(opened)
    s = future_strength(opened)
    e = s["exercises"][0]
    form = {"csrf": csrf(c, path_of(s)), f"reps:{e['id']}:0": "5", f"tick:{e['id']}:0": "on",
            field if field == "rpe" else f"reps:{e['id']}:0": value}
    answer = c.post(path_of(s) + "/done", data=form)
    assert answer.status_code == 400 and words in answer.text
    assert stored(opened, s["id"])[::3] == ("planned", 0)


def test_sets_naming_an_exercise_not_in_the_session_name_the_ones_that_are(
        athlete: Path) -> None:
    """It said "--sets names squät, not in session ..." (on the web page too), without the
    ids that would do; an empty name showed as nothing at all."""
    key = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)[0]["id"]
    ids = [e["id"] for e in json.loads(runner.invoke(app, ["plan", "--json"]).stdout)[0]
           ["exercises"]]
    result = runner.invoke(app, ["done", key, "--sets", "squät=6x60", "--sets", "=5x50"])
    refused(result, 2, f"'', 'squät' not in session {key}: its exercises are {', '.join(ids)}")


def test_a_negative_demo_seed_is_refused_before_anything_is_built(home: Path) -> None:
    """numpy refused it mid-build: a traceback, and a home with a config and a database."""
    result = runner.invoke(app, ["demo", "--weeks", "4", "--seed", "-1"])
    assert result.exit_code == 2 and "--seed" in result.stderr, result.output
    assert not home.exists()


@pytest.mark.parametrize("args", [
    ["init", "--non-interactive", "--name", "anna"], [*INIT[:-1], "mon=jog"],
    ["import", "run.fit"], ["sync"], ["nightly"], ["morning"], ["daemon"], ["status"],
    ["plan"], ["today"], ["why"], ["classify"], ["done", "2026-12-07#1"],
    ["skip", "2026-12-07#1"], ["pin", "2026-12-07#1"], ["race", "list"],
    ["race", "add", "2027-04-11:half"], ["report"], ["export-ics"], ["push"], ["replay"],
    ["db", "check"], ["db", "rebuild"],
])
def test_a_command_failing_on_a_new_home_leaves_it_as_it_found_it(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    """A failed `init`, or any command before it, left an empty database file behind: a
    stray file, and a "database" the next command found without an athlete in it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.fit").write_bytes(b"")
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert not home.exists(), sorted(p.name for p in home.rglob("*"))


def test_runs_and_a_backup_on_a_new_home_make_no_database(home: Path, tmp_path: Path) -> None:
    """`runs` said there were none and `db backup` copied an empty database, each making the
    database file it read: a stray file, and a backup of nothing said done."""
    listed = runner.invoke(app, ["runs"])
    assert listed.exit_code == 0 and "no nightly runs yet" in listed.output
    refused(runner.invoke(app, ["db", "backup", str(tmp_path / "copy.db")]), 1,
            "no database to back up yet: `stridelift init` makes it")
    assert not home.exists() and not (tmp_path / "copy.db").exists()


@pytest.mark.parametrize("command", ["nightly", "morning", "runs"])
def test_an_empty_athlete_name_is_no_athlete_not_every_one(athlete: Path, command: str) -> None:
    """`--athlete "$NAME"` with NAME unset ran the night of every athlete of the home (and
    `runs` listed them all), where every other command says there is no such athlete."""
    refused(runner.invoke(app, [command, "--athlete", "", "--json"]), 2, "no athlete named ''")


@pytest.mark.parametrize("args, words, where", [
    (["plan", "--weeks", "0"], "Invalid value for '--weeks'", "stridelift plan"),
    (["done", "2026-12-07#1", "--rpe", "6x"], "Invalid value for '--rpe'", "stridelift done"),
    (["race", "add"], "Missing argument 'race'", "stridelift race add"),
    (["plan", "--bogus"], "No such option: --bogus", "stridelift plan"),
    (["nosuch"], "No such command 'nosuch'", "stridelift"),
    (["--bogus"], "No such option: --bogus", "stridelift"),  # the group's own options
])
def test_a_usage_error_is_one_line_naming_the_help(home: Path, args: list[str], words: str,
                                                   where: str) -> None:
    """Typer drew each in a box of five lines or more, under the usage and a 'Try' line."""
    result = runner.invoke(app, args, prog_name="stridelift")
    refused(result, 2, f"(see `{where} --help`)")
    assert words in result.stderr


def test_no_arguments_still_show_the_help(home: Path) -> None:
    for args in ([], ["db"], ["race"]):
        assert "Usage: stridelift" in runner.invoke(app, args, prog_name="stridelift").output


def test_stderr_holds_the_failure_alone_when_it_is_no_terminal(athlete: Path,
                                                               tmp_path: Path) -> None:
    """The progress bar, gone when done, left an empty line before the failure in a log."""
    text = tmp_path / "notes.fit"
    text.write_text("a run, honest\n")
    result = runner.invoke(app, ["import", str(text)])
    assert result.exit_code == 1
    assert result.stderr == f"  failed: {text}: not a FIT file (bad header)\n{failed_fix(1, 0)}\n"


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://", "sqlite+pysqlite:///:memory:"])
def test_a_database_url_naming_no_file_is_refused(athlete: Path, url: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite kept such a database in memory: `done` said done, and the next command had
    forgotten it, with the plan laid out afresh."""
    monkeypatch.setenv("STRIDELIFT_DB_URL", url)
    refused(runner.invoke(app, ["plan", "--json"]), 2, f"the database URL {url!r} names no file")


def test_sets_naming_an_exercise_twice_are_refused(athlete: Path) -> None:
    """The second --sets of an exercise replaced the first without a word."""
    key = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)[0]["id"]
    result = runner.invoke(app, ["done", key, "--sets", "barbell_back_squat=6x60",
                                 "--sets", "barbell_back_squat=5x60"])
    refused(result, 2, "--sets names barbell_back_squat twice")
    assert json.loads(runner.invoke(app, ["plan", "--json"]).stdout)[0]["status"] != "done"
