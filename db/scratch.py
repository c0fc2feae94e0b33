"""A scratch copy of the database: work that must never touch the real plan (a replay of the
athlete's history) runs on a SQLite copy, made with SQLite's online backup API from a SQLite
database, and row by row through SQLAlchemy from any other (PostgreSQL)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from contextlib import closing
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db import models as m
from db.session import DatabaseError, make_engine, open_db

COPY_BATCH = 1000  # rows read and written at a time (a stream row holds a run's samples)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite database URL (None for other databases and in-memory ones)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def copy_database(url: str, dest: Path) -> str:
    """Copy the database at `url` into the SQLite file `dest` and return the copy's URL. The
    source is only read, as one consistent snapshot even while another process writes."""
    source = sqlite_path(url)
    if source is None:
        return _copy_rows(url, dest)
    if not source.exists():
        raise DatabaseError(f"no database at {source}: import your history first")
    try:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src, \
                closing(sqlite3.connect(dest)) as out:
            src.backup(out)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot copy the database {source}: {exc}") from None
    return f"sqlite:///{dest}"


def _copy_rows(url: str, dest: Path) -> str:
    """Every table's rows from the database at `url` (not SQLite: PostgreSQL) into a new
    SQLite file with the same schema, parents before children, in one read-only
    repeatable-read transaction (a snapshot: a nightly run writing meanwhile is not half
    seen)."""
    target = f"sqlite:///{dest}"
    out = open_db(target).kw["bind"]  # the schema, migrated as any SQLite home is
    source = make_engine(url)
    try:
        with source.connect().execution_options(isolation_level="REPEATABLE READ",
                                                postgresql_readonly=True) as src, \
                src.begin(), out.begin() as to:
            for table in m.Base.metadata.sorted_tables:
                rows = src.execute(select(table).execution_options(yield_per=COPY_BATCH))
                for part in rows.mappings().partitions():
                    to.execute(insert(table), [dict(r) for r in part])
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot copy the {make_url(url).get_backend_name()} database for "
                            f"a scratch copy: {getattr(exc, 'orig', None) or exc}") from None
    finally:
        source.dispose()
        out.dispose()
    return target


def forget_plan(db: Session, who: m.Athlete, cursors: Collection[str]) -> None:
    """Remove the athlete's plan (sessions, changes, lifts and the plan's `cursors`): the
    runs, wellness and recovery statuses stay. Only ever on a scratch copy."""
    for table in (m.PlannedSession, m.AdjustmentRow, m.Lift):
        db.execute(delete(table).where(table.athlete_id == who.id))
    db.execute(delete(m.SyncCursor).where(m.SyncCursor.athlete_id == who.id,
                                          m.SyncCursor.stream.in_(cursors)))
    db.flush()
