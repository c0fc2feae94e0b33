"""Everyday commands: `today`, `config show`, shell completion, and the plan at 80 columns."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import shellingham
from freezegun import freeze_time
from typer.testing import CliRunner

from planner.catalog_file import default_catalog
from stridelift.cli import app
from stridelift.cli.plan import print_plan
from tests.history import write_weeks

runner = CliRunner()
FIRST_MONDAY = date(2025, 3, 3)
MONDAY = "2025-04-14 09:00:00"  # the day after six weeks of history: the plan is laid out
THURSDAY = "2025-04-17 09:00:00"  # a strength day of that plan
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "UTC", "--sex", "f",
        "--max-hr", "190", "--rest-hr", "50", "--runs",
        "mon=easy,tue=easy,wed=speed,fri=easy,sat=long"]


@pytest.fixture
def athlete(home: Path) -> Path:
    with freeze_time(MONDAY):
        assert runner.invoke(app, INIT).exit_code == 0
    return home


def _exercise_column(output: str) -> list[str]:
    """The exercise cell of each table line (the second column)."""
    cells = [line.split("│") for line in output.splitlines() if line.startswith("│")]
    return [c[2].strip() for c in cells if len(c) >= 5]


def _spans_at_most_two_lines(name: str, column: list[str]) -> bool:
    return any(" ".join(c for c in column[i:i + n] if c) == name
               for i in range(len(column)) for n in (1, 2))


def test_plan_table_at_80_columns_wraps_names_at_most_once(
        athlete: Path, columns: Callable[[int], None]) -> None:
    columns(80)  # not COLUMNS: rich read it once (80 in pytest-xdist's workers)
    with freeze_time(MONDAY):
        sessions = json.loads(runner.invoke(app, ["plan", "--json", "--weeks", "3"]).stdout)
        result = runner.invoke(app, ["plan", "--weeks", "3"])
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    column = _exercise_column(result.output)
    names = [e["name"] for s in sessions for e in s["exercises"]]
    assert names and all(_spans_at_most_two_lines(n, column) for n in names)
    for s in sessions:  # each session's id whole, on one line
        assert any(s["id"] in line for line in result.output.splitlines())


def _worst_session(names: list[str], status: str) -> dict[str, Any]:
    return {"id": "2025-04-14#1", "date": "2025-04-14", "kind": "mobility", "status": status,
            "pinned": True, "block": 12, "week_in_block": 6,
            "exercises": [{"name": n, "sets": 3, "reps": 12, "load_kg": 102.75, "rest_s": 180,
                           "instruction": None} for n in names]}


def test_the_longest_catalogue_names_fit_in_two_lines(columns: Callable[[int], None],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    columns(80)
    names = sorted((e.name for e in default_catalog().exercises.values()), key=len)[-6:]
    print_plan([_worst_session(names, "lightened")])
    output = capsys.readouterr().out
    assert max(len(line) for line in output.splitlines()) <= 80
    column = _exercise_column(output)
    assert all(_spans_at_most_two_lines(n, column) for n in names)
    assert output.count("3x12 · 102.75 kg · 3:00") == len(names)  # the work never wraps


@pytest.fixture
def with_history(athlete: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    write_weeks(folder, FIRST_MONDAY, 6)
    with freeze_time(MONDAY):
        assert runner.invoke(app, ["import", str(folder), "--workers", "1"]).exit_code == 0
        assert runner.invoke(app, ["plan"]).exit_code == 0
    return athlete


def test_today_json_session_runs_around_and_recovery(with_history: Path) -> None:
    with freeze_time(THURSDAY):
        result = runner.invoke(app, ["today", "--json"])
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert view["date"] == "2025-04-17"
    [session] = view["sessions"]
    assert session["id"] == "2025-04-14#2" and session["kind"] == "strength"
    assert session["exercises"] and session["status"] == "planned"
    assert view["runs"] == [
        {"date": "2025-04-16", "kinds": [], "source": "none"},  # the speed run not synced
        {"date": "2025-04-17", "kinds": [], "source": "none"},  # a rest day in the template
        {"date": "2025-04-18", "kinds": ["easy"], "source": "template"}]
    assert view["recovery"]["level"] in ("green", "amber", "red")
    assert view["next_session"]["date"] > "2025-04-17"


def test_today_in_about_ten_lines(with_history: Path, columns: Callable[[int], None]) -> None:
    columns(80)
    with freeze_time(THURSDAY):
        result = runner.invoke(app, ["today"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) <= 12
    assert lines[0].startswith("Thu 17 Apr 2025 · recovery ")
    assert "Runs: Wed no run · today rest · Fri easy (planned, template)" in lines
    assert "Today: strength 2025-04-14#2 (planned)" in lines
    assert sum(line.startswith("  ") and " · " in line for line in lines) >= 4  # exercises


def test_today_of_a_day_without_a_session_names_the_next(with_history: Path) -> None:
    with freeze_time(THURSDAY):
        before = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)
        result = runner.invoke(app, ["today", "--date", "2025-04-18", "--json"])
        text = runner.invoke(app, ["today", "--date", "2025-04-18"])
        after = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert view["sessions"] == [] and view["next_session"]["date"] > "2025-04-18"
    nxt = view["next_session"]
    assert f"No strength session today; next: {date.fromisoformat(nxt['date']):%a %d %b} " \
           f"{nxt['kind']} {nxt['id']}" in text.output
    assert after == before


def test_today_in_the_past_never_replans_it(with_history: Path) -> None:
    with freeze_time(THURSDAY):
        before = json.loads(runner.invoke(app, ["plan", "--json", "--from", "2025-04-07"]).stdout)
        result = runner.invoke(app, ["today", "--date", "2025-04-07", "--json"])
        after = json.loads(runner.invoke(app, ["plan", "--json", "--from", "2025-04-07"]).stdout)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["runs"][1] == {"date": "2025-04-07", "kinds": ["easy"],
                                                    "source": "actual"}  # the run done
    assert after == before


def test_today_without_an_athlete_is_one_line(home: Path) -> None:
    result = runner.invoke(app, ["today"])
    assert result.exit_code == 2 and "stridelift init" in result.output
    assert "Traceback" not in result.output


def test_config_show_says_where_each_value_comes_from(athlete: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIDELIFT_DB_URL", "postgresql://anna:s3cret@db.local/stridelift")
    result = runner.invoke(app, ["config", "show", "--json"])
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    settings = {s["key"]: s for s in json.loads(result.stdout)}
    assert settings["database.url"] == {
        "key": "database.url", "value": "postgresql://anna:***@db.local/stridelift",
        "source": "$STRIDELIFT_DB_URL"}
    assert settings["config_file"]["source"] == "$STRIDELIFT_HOME"
    assert settings["athletes.anna.max_hr"]["value"] == 190
    assert settings["athletes.anna.max_hr"]["source"].endswith("config.toml [athletes.anna]")
    assert settings["athletes.anna.threshold_hr"] == {
        "key": "athletes.anna.threshold_hr", "value": None, "source": "default"}
    assert settings["athletes.anna.garmin_tokens"]["value"] == "none"
    text = runner.invoke(app, ["config", "show"])
    assert "[athletes.anna]" in text.output and "s3cret" not in text.output


def test_config_show_default_database(athlete: Path) -> None:
    result = runner.invoke(app, ["config", "show", "--json"])
    db = next(s for s in json.loads(result.stdout) if s["key"] == "database.url")
    assert db["source"] == "default: SQLite in data_dir"
    assert db["value"] == f"sqlite:///{athlete / 'stridelift.db'}"


def test_shell_completion_script_and_completing_a_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # --show-completion names the shell it runs under, found by shellingham among this
    # process's ancestors: pinned to bash, as the clock is pinned, so that the test does not
    # fail where pytest has no shell above it (a daemonised run: "Shell  not supported.")
    monkeypatch.setattr(shellingham, "detect_shell", lambda *_: ("bash", "/bin/bash"))
    script = runner.invoke(app, ["--show-completion"], prog_name="stridelift")
    assert script.exit_code == 0 and "_STRIDELIFT_COMPLETE=complete_bash" in script.output
    done = runner.invoke(app, [], prog_name="stridelift", env={
        "_STRIDELIFT_COMPLETE": "complete_bash", "COMP_WORDS": "stridelift rep",
        "COMP_CWORD": "1"})
    assert set(done.output.split()) == {"replay", "report"}



@pytest.mark.parametrize("command", ["today", "status", "nightly", "morning"])
@pytest.mark.parametrize("day", ["9999-12-31", "2028-01-01", "0001-01-01"])
def test_a_day_out_of_reach_is_one_line(athlete: Path, command: str, day: str) -> None:
    # the clock is pinned on 2026-12-02: a year after it is 2027-12-03
    result = runner.invoke(app, [command, "--date", day])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert f"--date {day} is out of reach: use a day from 1990-01-01 to a year after today " \
           "(2027-12-03)" in result.output.replace("\n", " ")


def test_why_since_a_day_without_changes_says_so_not_that_the_plan_never_changed(
        athlete: Path) -> None:
    """`why --since` a morning with no change yet said "no changes yet: the plan is as first
    laid out" under a plan changed before that day (here, the planning fallback of the first
    week); it says none since that day."""
    with freeze_time(MONDAY):
        assert runner.invoke(app, ["plan"]).exit_code == 0
        made = json.loads(runner.invoke(app, ["why", "--json"]).stdout)
        later = runner.invoke(app, ["why", "--since", "2025-04-21"])
    assert made and {c["date"] for c in made} == {"2025-04-14"}
    assert later.exit_code == 0 and later.output == (
        "no changes since Mon 21 Apr 2025: `stridelift why` lists them all\n")


def test_why_since_a_day_under_a_plan_never_changed_points_nowhere_else(home: Path) -> None:
    """With no change ever, `why --since` pointed to `stridelift why`, which lists none
    either: it says the plan is as first laid out, as `why` does."""
    with freeze_time(MONDAY):  # one session a week: its week has room for it (no fallback)
        assert runner.invoke(app, [*INIT, "--strength-sessions", "1"]).exit_code == 0
        assert runner.invoke(app, ["plan"]).exit_code == 0
        made = json.loads(runner.invoke(app, ["why", "--json"]).stdout)
        since = runner.invoke(app, ["why", "--since", "2025-04-21"])
    assert made == []
    assert since.exit_code == 0 and since.output == (
        "no changes yet: the plan is as first laid out\n")


def test_status_says_what_is_missing_on_one_line_when_piped(
        with_history: Path, columns: Callable[[int], None]) -> None:
    """A home of imported runs has no recovery data: the missing inputs ran past 80 columns
    and rich broke the line at the margin in a pipe too. Piped, one line; on a terminal,
    wrapped under its label."""
    with freeze_time(THURSDAY):
        missing = json.loads(runner.invoke(app, ["status", "--json"]).stdout)["recovery"][
            "missing"]
        piped = runner.invoke(app, ["status"]).output.splitlines()
        columns(60)
        terminal = runner.invoke(app, ["status"]).output.splitlines()
    said = f"  missing: {', '.join(missing)}"
    assert len(said) > 80 and said in piped
    assert max(map(len, terminal)) <= 60 and said not in terminal
    assert terminal[-2].startswith("    ")  # the missing inputs' last line, indented
