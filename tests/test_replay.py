"""`stridelift replay`: the athlete's imported history replayed on a scratch copy."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import create_engine, inspect, select, text
from typer.testing import CliRunner

from db import models as m
from db import repo
from db.scratch import copy_database, forget_plan
from db.session import open_db, transaction
from jobs.config import load
from jobs.home import Home
from jobs.replan import FIRST_MONDAY as FIRST_MONDAY_CURSOR
from jobs.replan import LAST_NIGHT, replan
from jobs.replay import follow_plan, replay, scratch_home, summarise
from stridelift.cli import app
from tests.history import write_weeks

runner = CliRunner()
FIRST_MONDAY = date(2025, 3, 3)
WEEKS = 6
SUNDAY_LONG_WEEKS = (1, 3)  # these weeks the long run moved from Saturday to Sunday
TODAY = "2025-04-16 12:00:00"
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "UTC", "--sex", "f",
        "--max-hr", "190", "--rest-hr", "50", "--runs",
        "mon=easy,tue=easy,wed=speed,fri=easy,sat=long"]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_weeks(tmp_path_factory.mktemp("export"), FIRST_MONDAY, WEEKS,
                       SUNDAY_LONG_WEEKS)


@pytest.fixture
def imported(home: Path, history: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The history imported and planned, on SQLite and (with STRIDELIFT_TEST_PG_URL) on
    PostgreSQL."""
    monkeypatch.setenv("STRIDELIFT_DB_URL", db_url)
    with freeze_time(TODAY):
        assert runner.invoke(app, INIT).exit_code == 0
        result = runner.invoke(app, ["import", str(history), "--workers", "1"])
        assert result.exit_code == 0, result.output
        assert runner.invoke(app, ["plan"]).exit_code == 0  # the real plan exists
    return home


def _tables(url: str) -> dict[str, list[tuple[Any, ...]]]:
    factory = open_db(url)
    try:
        with factory() as db:
            return {t.name: sorted(map(tuple, db.execute(select(t))), key=repr)
                    for t in m.Base.metadata.sorted_tables}
    finally:
        factory.kw["bind"].dispose()


def test_replay_never_touches_the_real_tables(imported: Path, db_url: str) -> None:
    before = _tables(db_url)
    assert before["planned_sessions"]  # something to protect
    with freeze_time(TODAY):
        result = runner.invoke(app, ["replay", "--json"])
    assert result.exit_code == 0, result.output
    assert _tables(db_url) == before
    assert not list(Path(imported).glob("*replay*.db"))


def test_the_scratch_copy_holds_every_row(imported: Path, db_url: str, tmp_path: Path) -> None:
    """From SQLite (the backup API) or PostgreSQL (row by row into SQLite), the copy the
    replay works on holds what the real database holds, value for value."""
    real = _tables(db_url)
    assert real["streams"] and real["run_classes"] and real["planned_sessions"]
    copy = copy_database(db_url, tmp_path / "copy.db")
    assert copy.startswith("sqlite:///") and _tables(copy) == real


def test_an_athletes_scratch_copy_holds_their_rows_only(imported: Path, history: Path,
                                                        db_url: str, tmp_path: Path) -> None:
    """With two athletes, each one's copy holds that athlete's rows and no other's, down to
    the laps and samples of their runs: the two copies together are the whole database."""
    with freeze_time(TODAY):
        bob = [*INIT[:3], "bob", *INIT[4:]]
        assert runner.invoke(app, bob).exit_code == 0
        result = runner.invoke(app, ["import", str(history), "--athlete", "bob", "--workers", "1"])
        assert result.exit_code == 0, result.output
    engine = create_engine(db_url)  # a table not ours with every athlete in it (the
    with engine.begin() as db:      # daemon's jobs): copied from neither backend
        db.execute(text("CREATE TABLE daemon_jobs (id VARCHAR(40))"))
        db.execute(text("INSERT INTO daemon_jobs VALUES ('nightly:anna'), ('nightly:bob')"))
    real = _tables(db_url)
    copies = {name: _tables(copy_database(db_url, tmp_path / f"{name}.db", name))
              for name in ("anna", "bob")}
    for name, copy in copies.items():
        assert [row[1] for row in copy["athletes"]] == [name]
        with create_engine(f"sqlite:///{tmp_path / name}.db").connect() as db:
            names = inspect(db).get_table_names()
            assert "daemon_jobs" not in names or not db.scalar(
                text("SELECT count(*) FROM daemon_jobs"))
    engine.dispose()
    for table, rows in real.items():
        both = sorted(copies["anna"][table] + copies["bob"][table], key=repr)
        assert both == rows, table
    assert copies["bob"]["streams"] and copies["anna"]["planned_sessions"]


def test_the_scratch_copy_of_an_athlete_not_in_the_database_is_empty(
        imported: Path, db_url: str, tmp_path: Path) -> None:
    """A name with no row (configured, nothing stored yet) owns nothing: no other athlete's
    row is copied, from SQLite as from PostgreSQL (where a NULL id once kept every row)."""
    copy = _tables(copy_database(db_url, tmp_path / "nobody.db", "nobody"))
    assert _tables(db_url)["streams"]  # something not to copy
    assert {table: rows for table, rows in copy.items() if rows} == {}


def test_replay_reports_the_moves_and_the_weeks_the_template_broke(imported: Path) -> None:
    with freeze_time(TODAY):
        result = runner.invoke(app, ["replay", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    last = FIRST_MONDAY + timedelta(weeks=WEEKS - 1, days=5)  # the last imported run
    assert out["to"] == last.isoformat()
    assert out["from"] == FIRST_MONDAY.isoformat()  # 16 weeks, or all of a shorter history
    assert out["nights"] == (last - FIRST_MONDAY).days + 1
    assert out["sessions"] >= 2 * WEEKS and out["done"] == out["sessions"] - out["dropped"]
    # The Mondays after the Sunday long runs: S6, with the run's day in the reason.
    broken = {date.fromisoformat(d) for d in out["template_broken_weeks"]}
    expected = {FIRST_MONDAY + timedelta(weeks=w + 1) for w in SUNDAY_LONG_WEEKS}
    assert expected <= broken
    assert out["mobility"] >= len(SUNDAY_LONG_WEEKS)  # no legal day left in those weeks
    s6 = out["rules"]["S6"]
    assert s6["changes"] == len(s6["each"]) >= len(SUNDAY_LONG_WEEKS)
    assert any("long run on Sun" in c["reasons"][0] for c in s6["each"])
    assert any("120 min" in r for c in s6["each"] for r in c["reasons"])  # the run's own facts
    report = Path(out["report"])
    assert report.name == "anna-replay.html" and "<html" in report.read_text()[:500].lower()


def test_replay_period_from_the_options_and_its_summary_text(imported: Path) -> None:
    first, last = FIRST_MONDAY + timedelta(weeks=1), FIRST_MONDAY + timedelta(weeks=3)
    with freeze_time(TODAY):
        result = runner.invoke(app, ["replay", "--from", first.isoformat(), "--to",
                                     last.isoformat()])
    assert result.exit_code == 0, result.output
    assert "15 nights replayed" in result.output
    assert "S6" in result.output and "long run on Sun" in result.output
    assert "anna-replay.html" in result.output


def test_replay_without_history_is_one_line(home: Path) -> None:
    with freeze_time(TODAY):
        assert runner.invoke(app, INIT).exit_code == 0
        result = runner.invoke(app, ["replay"])
    assert result.exit_code == 1
    assert "no imported history" in result.output and "Traceback" not in result.output


def test_replay_refuses_a_backwards_period(imported: Path) -> None:
    with freeze_time(TODAY):
        result = runner.invoke(app, ["replay", "--from", "2025-04-01", "--to", "2025-03-01"])
    assert result.exit_code == 2 and "is after" in result.output


def test_analysing_once_gives_what_analysing_every_night_gives(imported: Path) -> None:
    """The replay analyses its period once; night-by-night analysis (as `nightly` does it)
    must come to the same plan and the same changes."""
    home = Home.open(load())
    profile = home.athlete(None)
    first, last = FIRST_MONDAY, FIRST_MONDAY + timedelta(weeks=WEEKS - 1, days=5)
    with scratch_home(home, profile) as fast:
        once = replay(fast, profile, first, last).as_json()
    with scratch_home(home, profile) as slow:
        with transaction(slow.db) as db:
            forget_plan(db, repo.athlete(db, profile), (FIRST_MONDAY_CURSOR, LAST_NIGHT))
        for i in range((last - first).days + 1):
            with transaction(slow.db) as db:
                follow_plan(db, repo.athlete(db, profile), first + timedelta(days=i))
                replan(db, profile, first + timedelta(days=i))
        with slow.db() as db:
            each_night = summarise(db, profile, first, last).as_json()
    assert once == each_night
    assert once["rules"]  # something was decided to compare
