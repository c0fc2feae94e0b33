"""Keeping the database sound: an online backup of a SQLite file, the integrity check, the rows
per table, and the keys of what is stored, to hold against the raw journal."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from db import leftovers
from db import models as m


class MaintenanceError(Exception):
    """A maintenance command cannot do what was asked; the message says why and what to do."""


def is_sqlite(factory: sessionmaker[Session]) -> bool:
    with factory() as session:
        return session.get_bind().dialect.name == "sqlite"


def backup(factory: sessionmaker[Session], target: Path) -> int:
    """Copy the live SQLite database to `target` (a new file, 0600) with SQLite's online backup
    API: a consistent copy even while the nightly run writes. The copy's size in bytes."""
    if not is_sqlite(factory):
        raise MaintenanceError("db backup copies a SQLite file; this database is PostgreSQL: "
                               "back it up with pg_dump (e.g. pg_dump -Fc -f FILE DBNAME)")
    if target.exists():
        raise MaintenanceError(f"{target} already exists; name a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    leftovers.remove_beside(target)  # a backup to it killed before
    tmp = leftovers.temporary(target)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        _copy(factory, tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target.stat().st_size


def _copy(factory: sessionmaker[Session], destination: Path) -> None:
    with factory() as session:
        source = session.connection().connection.dbapi_connection
        assert isinstance(source, sqlite3.Connection)  # the pysqlite driver
        copy = sqlite3.connect(destination)
        try:
            source.backup(copy)
        finally:
            copy.close()


def integrity(session: Session) -> list[str]:
    """SQLite's integrity check: ["ok"], or the problems it found. [] on other databases
    (PostgreSQL checks its pages itself)."""
    if session.get_bind().dialect.name != "sqlite":
        return []
    return [str(row) for row in session.scalars(text("PRAGMA integrity_check"))]


def rows_per_table(session: Session) -> dict[str, int]:
    return {table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in m.Base.metadata.sorted_tables}


def activity_keys(session: Session, who: m.Athlete
                  ) -> list[tuple[str | None, int | None, str | None]]:
    """(content hash, Garmin id, recording) of each of the athlete's activity rows: how the
    journal names them, and which recording another journalled file may be of."""
    return [(h, g, r) for h, g, r in session.execute(
        select(m.Activity.content_hash, m.Activity.garmin_id, m.Activity.recording).where(
            m.Activity.athlete_id == who.id))]


def wellness_days(session: Session, who: m.Athlete) -> set[str]:
    """The athlete's stored wellness days, ISO dates as the journal writes them."""
    return {d.isoformat() for d in session.scalars(
        select(m.Wellness.day).where(m.Wellness.athlete_id == who.id))}
