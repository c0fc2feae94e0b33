"""Storage is private and can be cared for: 0600/0700 files, `db backup`, `db check`.
Real SQLite, real FIT files imported through the CLI, the raw store on disk."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from db import maintenance
from db import models as m
from db.session import DatabaseError, open_db, transaction
from jobs.config import load
from stridelift.cli import app
from tests.garmin_fake import table_contents
from tests.test_import import INIT, _import, _run

runner = CliRunner()


@pytest.fixture
def athlete(home: Path) -> Iterator[Path]:
    old = os.umask(0o022)  # the usual umask: without care, files would be 0644
    try:
        assert runner.invoke(app, INIT).exit_code == 0
        yield home
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _import_runs(tmp_path: Path, days: range) -> None:
    for day in days:
        (tmp_path / f"{day}.fit").write_bytes(_run(day))
    assert _import(*(str(tmp_path / f"{day}.fit") for day in days))[0] == 0


def _check() -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, ["db", "check", "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_database_and_raw_store_are_the_owners_alone(athlete: Path, tmp_path: Path) -> None:
    _import_runs(tmp_path, range(2))
    db_files = list(athlete.glob("stridelift.db*"))
    assert {p.name for p in db_files} >= {"stridelift.db", "stridelift.db-wal"}
    assert {p.name: _mode(p) for p in db_files} == {p.name: 0o600 for p in db_files}
    raw = athlete / "raw"
    folders = [raw, *(p for p in raw.rglob("*") if p.is_dir())]
    files = [p for p in raw.rglob("*") if p.is_file()]
    assert len(files) == 3  # two objects and the journal
    assert {_mode(p) for p in folders} == {0o700} and {_mode(p) for p in files} == {0o600}


def test_an_older_readable_database_is_tightened_on_open(athlete: Path, tmp_path: Path) -> None:
    _import_runs(tmp_path, range(1))
    (athlete / "stridelift.db").chmod(0o644)
    (athlete / "raw").chmod(0o755)
    _import_runs(tmp_path, range(1, 2))
    assert _mode(athlete / "stridelift.db") == 0o600 and _mode(athlete / "raw") == 0o700


def test_backup_is_a_private_copy_with_the_same_rows(athlete: Path, tmp_path: Path) -> None:
    _import_runs(tmp_path, range(3))
    target = tmp_path / "copies" / "backup.db"
    result = runner.invoke(app, ["db", "backup", str(target), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["bytes"] == target.stat().st_size > 0
    assert _mode(target) == 0o600
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    original = table_contents(open_db(load().database_url()))
    assert table_contents(open_db(f"sqlite:///{target}")) == original
    assert len(original["activities"]) == 3
    again = runner.invoke(app, ["db", "backup", str(target)])
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert "Traceback" not in again.output


def test_backup_refuses_postgresql_and_names_pg_dump(tmp_path: Path) -> None:
    factory = sessionmaker(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    with pytest.raises(maintenance.MaintenanceError, match="pg_dump"):
        maintenance.backup(factory, tmp_path / "x.db")  # refused before any connection
    assert not list(tmp_path.iterdir())


def test_check_counts_rows_against_the_journal(athlete: Path, tmp_path: Path) -> None:
    _import_runs(tmp_path, range(3))
    code, report = _check()
    assert code == 0 and report["ok"] is True and report["integrity"] == ["ok"]
    assert report["tables"]["activities"] == 3  # type: ignore[index]
    assert report["journal"]["fit"] == {"journalled": 3, "missing": []}  # type: ignore[index]

    factory = open_db(load().database_url())
    with factory.begin() as session:  # lose one imported activity's row
        lost = session.scalars(select(m.Activity.content_hash)).first()
        session.execute(delete(m.Activity).where(m.Activity.content_hash == lost))
    code, report = _check()
    assert code == 1 and report["ok"] is False
    assert report["journal"]["fit"] == {"journalled": 3, "missing": [lost]}  # type: ignore[index]

    (athlete / "raw" / "journal" / "anna.jsonl").unlink()  # now nothing is journalled
    code, report = _check()
    assert code == 1 and report["activities_not_journalled"] == 2


def test_check_prints_a_readable_summary(athlete: Path, tmp_path: Path) -> None:
    _import_runs(tmp_path, range(2))
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 0, result.output
    assert "integrity: ok" in result.stdout and "activities 2" in result.stdout
    assert "journal fit: 2, missing from the database 0" in result.stdout


def test_a_database_locked_past_the_timeout_is_one_clear_error(tmp_path: Path) -> None:
    factory = open_db(f"sqlite:///{tmp_path / 'x.db'}")
    holder = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's write transaction
    try:
        with (pytest.raises(DatabaseError, match="stayed locked by another process"),
              transaction(factory) as session):
            session.execute(text("PRAGMA busy_timeout=0"))  # give up at once, not in 10 s
            session.add(m.Athlete(name="anna", tz="UTC"))
            session.flush()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with transaction(factory) as session:  # nothing was changed, and the file is usable
        assert session.scalars(select(m.Athlete)).all() == []
