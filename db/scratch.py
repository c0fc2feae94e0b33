"""A scratch copy of the database: work that must never touch the real plan (a replay of the
athlete's history) runs on a SQLite copy of that athlete's rows, made with SQLite's online
backup API from a SQLite database (the other athletes' rows then deleted from the copy), and
row by row through SQLAlchemy from any other (PostgreSQL: only the athlete's rows are read)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, insert, inspect, select, true
from sqlalchemy import table as sql_table
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


def copy_database(url: str, dest: Path, athlete: str | None = None) -> str:
    """Copy the database at `url` into the SQLite file `dest` and return the copy's URL: the
    rows of `athlete` (by name) only, or every row (None). The source is only read, as one
    consistent snapshot even while another process writes."""
    source = sqlite_path(url)
    if source is None:
        return _copy_rows(url, dest, athlete)
    if not source.exists():
        raise DatabaseError(f"no database at {source}: import your history first")
    try:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src, \
                closing(sqlite3.connect(dest)) as out:
            src.backup(out)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot copy the database {source}: {exc}") from None
    target = f"sqlite:///{dest}"
    if athlete is not None:
        _keep_only(target, athlete)
    return target


def _copy_rows(url: str, dest: Path, athlete: str | None) -> str:
    """The rows of `athlete` (None: all) in every table of the database at `url` (not
    SQLite: PostgreSQL) into a new SQLite file with the same schema, parents before
    children, in one read-only repeatable-read transaction (a snapshot: a nightly run
    writing meanwhile is not half seen)."""
    target = f"sqlite:///{dest}"
    out = open_db(target).kw["bind"]  # the schema, migrated as any SQLite home is
    source = make_engine(url)
    try:
        with source.connect().execution_options(isolation_level="REPEATABLE READ",
                                                postgresql_readonly=True) as src, \
                src.begin(), out.begin() as to:
            for table in m.Base.metadata.sorted_tables:
                rows = src.execute(select(table).where(_owned(table, athlete))
                                   .execution_options(yield_per=COPY_BATCH))
                for part in rows.mappings().partitions():
                    to.execute(insert(table), [dict(r) for r in part])
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot copy the {make_url(url).get_backend_name()} database for "
                            f"a scratch copy: {getattr(exc, 'orig', None) or exc}") from None
    finally:
        source.dispose()
        out.dispose()
    return target


def _keep_only(url: str, athlete: str) -> None:
    """Delete every row of the SQLite copy at `url` that is not `athlete`'s, children first.
    IS NOT TRUE rather than NOT: for a name without a row the test is NULL, which NOT keeps.
    Tables that are not ours (the daemon's jobs, naming every athlete) are emptied, as the
    copy from PostgreSQL never has them; Alembic's version stays, the copy is opened with it."""
    engine = make_engine(url)
    try:
        with engine.begin() as db:
            for table in reversed(m.Base.metadata.sorted_tables):
                db.execute(delete(table).where(_owned(table, athlete).is_not(True)))
            for name in set(inspect(db).get_table_names()) - set(m.Base.metadata.tables):
                if name != "alembic_version":
                    db.execute(delete(sql_table(name)))
    finally:
        engine.dispose()


def _owned(table: Table, athlete: str | None) -> ColumnElement[bool]:
    """Which rows of `table` belong to `athlete` (None: every row): by its own athlete_id, or
    through the row it hangs from (a run's laps and samples through the activity)."""
    if athlete is None:
        return true()
    athletes = m.Athlete.__table__
    who = select(athletes.c.id).where(athletes.c.name == athlete).scalar_subquery()
    if table is athletes:
        return table.c.id == who
    if "athlete_id" in table.c:
        return table.c.athlete_id == who
    for key in table.foreign_keys:
        parent: Any = key.column.table
        if "athlete_id" in parent.c:
            return key.parent.in_(select(key.column).where(parent.c.athlete_id == who))
    raise ValueError(f"table {table.name} belongs to no athlete: say how to copy it")


def forget_plan(db: Session, who: m.Athlete, cursors: Collection[str]) -> None:
    """Remove the athlete's plan (sessions, changes, lifts and the plan's `cursors`): the
    runs, wellness and recovery statuses stay. Only ever on a scratch copy."""
    for table in (m.PlannedSession, m.AdjustmentRow, m.Lift):
        db.execute(delete(table).where(table.athlete_id == who.id))
    db.execute(delete(m.SyncCursor).where(m.SyncCursor.athlete_id == who.id,
                                          m.SyncCursor.stream.in_(cursors)))
    db.flush()
