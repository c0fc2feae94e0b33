"""A scratch copy of the database: work that must never touch the real plan (a replay of the
athlete's history) runs on a copy made with SQLite's online backup API."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from contextlib import closing
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from db import models as m
from db.session import DatabaseError


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite database URL (None for other databases and in-memory ones)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def copy_database(url: str, dest: Path) -> str:
    """Copy the SQLite database at `url` into the file `dest` (read-only on the source, a
    consistent snapshot even while another process writes) and return the copy's URL."""
    source = sqlite_path(url)
    if source is None:
        raise DatabaseError("a scratch copy needs a SQLite database; this one is "
                            f"{make_url(url).get_backend_name()}")
    if not source.exists():
        raise DatabaseError(f"no database at {source}: import your history first")
    try:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src, \
                closing(sqlite3.connect(dest)) as out:
            src.backup(out)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot copy the database {source}: {exc}") from None
    return f"sqlite:///{dest}"


def forget_plan(db: Session, who: m.Athlete, cursors: Collection[str]) -> None:
    """Remove the athlete's plan (sessions, changes, lifts and the plan's `cursors`): the
    runs, wellness and recovery statuses stay. Only ever on a scratch copy."""
    for table in (m.PlannedSession, m.AdjustmentRow, m.Lift):
        db.execute(delete(table).where(table.athlete_id == who.id))
    db.execute(delete(m.SyncCursor).where(m.SyncCursor.athlete_id == who.id,
                                          m.SyncCursor.stream.in_(cursors)))
    db.flush()
