"""Engine and sessions. The database migrates itself to the newest schema on open."""

from __future__ import annotations

import errno
import os
import re
import stat
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, String, column, create_engine, event, inspect, select, table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from db.errors import DatabaseError as DatabaseError  # raised here; the shell names it
from db.errors import DatabaseLocked
from domain.pointer import SERVER, Pointer

MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 0x534C_4442  # "SLDB": the PostgreSQL advisory lock held while migrating
BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another one before giving up
# What to do about a database another process kept busy: the same again, once it is done
TRY_AGAIN = Pointer(cli="run this again when it has finished",
                    web="try again in a moment (reload the page)")
# What a statement meets on a database that is not (or no longer) the one opened: deleted
# while in use (a new connection makes an empty file), replaced by another file, a table
# dropped. SQLite's words; PostgreSQL's SQLSTATEs (undefined_table, undefined_column).
NOT_SQLITE = "file is not a database"  # a file there that is none (PUT_BACK, CHECK_THE_PATH)
REPLACED_FILE = ("no such table", "no such column", NOT_SQLITE)
REPLACED_ON_SERVER = ("42P01", "42703")
# SQLite's words for a file damaged (a disk fault, a copy taken mid-write), and for one it
# cannot open or make: its folder gone (the data folder deleted) or not the user's
DAMAGED_FILE = "database disk image is malformed"
CANNOT_OPEN = "unable to open database file"
# What to do about it: the file there moved aside (a rebuild cannot write into a damaged or
# foreign file, nor one missing a table) with its -wal and -shm files (a process killed
# leaves them: SQLite applies a -wal left there to the new file, the old pages over it), then
# a backup put in its place or what the raw store holds replayed into a new one, with the
# server and the daemon stopped first (a file copied over one their connections hold open can
# be damaged by them); started again, they open the file at its path
PUT_BACK = Pointer(
    cli="stop stridelift serve and the daemon, move the file there aside with its -wal and "
        "-shm files, then copy your backup (`stridelift db backup`) to its place or run "
        "`stridelift db rebuild` to recreate the activities and wellness days from the raw "
        "store in a new one, then start them again",
    web=f"on {SERVER}, stop stridelift serve and the daemon (they hold the file open), move "
        "the file there aside with its -wal and -shm files, then copy your backup to its "
        "place or run stridelift db rebuild there to recreate the activities and wellness "
        "days from the raw store in a new one, then start them again")
# A file at the database's path that is not a SQLite database, met as it opens: more often a
# mistyped path or URL than the database replaced, so the fix of either
CHECK_THE_PATH = Pointer(
    cli="check the database URL in config.toml and STRIDELIFT_DB_URL (a mistyped path?), or, "
        "if it is the database's path, " + PUT_BACK.cli,
    web=f"on {SERVER}, check the database URL in config.toml and STRIDELIFT_DB_URL (a "
        "mistyped path?), or, if it is the database's path, " + PUT_BACK.web.split(", ", 1)[1])
# PostgreSQL's database has no file to copy: its own backup restored, or a new empty one
# (opening it makes its tables) filled again from the raw store
RESTORE_ON_SERVER = Pointer(
    cli="stop stridelift serve and the daemon, restore the database from your backup "
        "(pg_restore) or drop it, create it empty and run `stridelift db rebuild` to recreate "
        "the activities and wellness days from the raw store, then start them again",
    web=f"on {SERVER}, stop stridelift serve and the daemon, restore the database from your "
        "backup (pg_restore) or drop it, create it empty and run stridelift db rebuild there "
        "to recreate the activities and wellness days from the raw store, then start them "
        "again")
# The folder gone holds the raw store too (unless the database is elsewhere): only a backup
# brings the data back; started without it, the server and the daemon make an empty one
FOLDER_BACK = Pointer(
    cli="stop stridelift serve and the daemon, put the folder back from your backup, then "
        "start them again (started without it, they make a new, empty database)",
    web=f"on {SERVER}, stop stridelift serve and the daemon, put the folder back from your "
        "backup, then start them again (started without it, they make a new, empty database)")
# An older stridelift database put in place (a backup): the next open migrates it
RESTART = Pointer(
    cli="stop stridelift serve and the daemon and start them again: they bring it to this "
        "version as they start",
    web=f"on {SERVER}, stop stridelift serve and the daemon and start them again: they "
        "bring it to this version as they start")
# A database a newer stridelift migrated (the package upgraded, a command of the new one run
# while this one served): this version cannot use it, nor bring it back
NEWER = Pointer(
    cli="use the newer stridelift that migrated it (stridelift serve and the daemon too), or "
        "put back a backup this version made",
    web=f"on {SERVER}, stop stridelift serve and the daemon and start them again from the "
        "newer stridelift that migrated it, or put back a backup this version made")
# The lines Alembic writes at the top of every migration script.
_REVISION = re.compile(r"^(down_revision|revision) = ['\"](\w+)['\"]", re.MULTILINE)
# The revision a database is stamped with, as Alembic keeps it
_VERSION = select(column("version_num", String)).select_from(table("alembic_version"))
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()  # every engine made here, for close_all


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the nightly writer
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a crash loses no committed data
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def make_engine(url: str) -> Engine:
    parsed = _parsed(url)
    if (path := _sqlite_file(parsed)) is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            private_sqlite_file(path)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    try:
        engine = create_engine(parsed, future=True)
    except Exception as exc:  # unknown dialect, missing driver
        raise DatabaseError(f"cannot use {_redact(url)}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if path is not None:
        _follow_the_file(engine, path)
    _ENGINES.add(engine)
    return engine


def _cannot_write(path: Path, exc: OSError) -> DatabaseError:
    """The database file (or its folder) cannot be made or opened for writing: said of the
    file as it is (one there is not created), the file system's being read-only in words."""
    try:
        verb = "write to" if path.exists() else "create"
    except OSError:  # its folder may not be searched: whether the file is there is unknown
        verb = "open"
    why = "the file system is read-only" if exc.errno == errno.EROFS else exc.strerror
    return DatabaseError(f"cannot {verb} {path}: {why}")


def _follow_the_file(engine: Engine, path: Path) -> None:
    """A pooled connection keeps the file it opened: deleted or replaced while the server
    or the daemon ran, that file went on answering, and what they wrote (a session done) went
    to a file no longer there, lost at the next start. A connection whose file is no longer
    the one at `path` is dropped as it is checked out, and the next opens what is there now
    (`replaced` words what it finds)."""

    def opened(_dbapi_conn: Any, record: Any) -> None:
        record.info["file"] = _identity(path)

    def checked_out(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if record.info.get("file") != _identity(path):
            raise DisconnectionError(f"{path} is no longer the file this connection opened")

    event.listen(engine, "connect", opened)
    event.listen(engine, "checkout", checked_out)


def _identity(path: Path) -> tuple[int, int] | None:
    """The file at `path` (device, inode); None where there is none."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def may_hold_data(url: str) -> bool:
    """Whether the database at `url` may hold anything, asked without connecting: a SQLite
    file not made yet holds nothing (connecting would make it); a server's database may."""
    path = sqlite_file(url)
    try:
        return path is None or path.exists()
    except OSError:  # its folder may not be searched: opening it says so (make_engine)
        return True


def sqlite_file(url: str) -> Path | None:
    """The file of the SQLite database at `url`; None for an in-memory one or a server's."""
    return _sqlite_file(_parsed(url))


def _parsed(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {_redact(url)}") from None


def in_memory(url: str) -> bool:
    """Whether `url` is SQLite without a file (`sqlite://`, `sqlite:///`, `:memory:`), which
    keeps its database in memory; False for anything else, a URL that is none included
    (opening it says so)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return False
    return parsed.get_backend_name() == "sqlite" and _sqlite_file(parsed) is None


def _sqlite_file(parsed: URL) -> Path | None:
    """The file of a SQLite URL (None for another database, or SQLite's in-memory one)."""
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database)
    return None


def close_all() -> None:
    """Close the pooled connections of every engine still alive, as a process ends: SQLite
    then folds its write-ahead log into the file and removes it, without waiting for the
    garbage collector to find the engine (an engine sits in reference cycles)."""
    for engine in list(_ENGINES):
        engine.dispose()


def private_sqlite_file(path: Path) -> None:
    """The database holds health data: the file is the owner's alone (0600), created so before
    SQLite opens it, and tightened if an older version left it readable. SQLite gives its -wal
    and -shm files the mode of the database file; ones left from before are tightened too."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists() and stat.S_IMODE(part.stat().st_mode) & 0o077:
            part.chmod(0o600)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (a no-op when it already is)."""
    if _at_head(engine):
        return
    # Alembic only when there is something to migrate: loading it costs every command
    # about a fifth of a second.
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.util.exc import CommandError as AlembicError

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    where = _redact(str(engine.url))
    try:
        with engine.begin() as conn:
            # One migration at a time, then a second process opening meanwhile (the daemon
            # and the web app started together) waits and finds the schema done.
            if engine.dialect.name == "sqlite":
                # The driver opens a transaction only before a write, so each CREATE or ALTER
                # committed alone: a process killed mid-migration left a schema no run could
                # finish ("table ... already exists"). One explicit transaction holds them all.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            elif engine.dialect.name == "postgresql":
                # DDL is transactional there, but a second migration ran beside the first
                # and failed on the tables the first created (an IntegrityError).
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except DBAPIError as exc:  # replaced, damaged: in the words the web app has for it
        error = unusable(exc, engine.url.render_as_string(hide_password=False), opening=True)
        if error is None and isinstance(exc, OperationalError):
            error = DatabaseError(f"cannot open the database {where}: {exc.orig}")
        raise error or _not_ours(where, exc) from None
    except (SQLAlchemyError, AlembicError) as exc:  # a newer one: Alembic knows not its stamp
        raise _newer(where, _stamped(engine)) or _not_ours(where, exc) from None


def _not_ours(where: str, exc: Exception) -> DatabaseError:
    return DatabaseError(f"the database {where} is not a stridelift database this version can "
                         f"use ({type(exc).__name__}); point it at another file or restore a "
                         "backup")


def head_revision() -> str | None:
    """The newest migration's id, read from the scripts' revision lines without importing
    them: the one revision no other revises (None when that is not exactly one)."""
    ids, revised = _revisions()
    heads = ids - revised
    return heads.pop() if len(heads) == 1 else None


def _revisions() -> tuple[set[str], set[str]]:
    """Every migration's id, and those another migration revises."""
    ids: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for key, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            (ids if key == "revision" else revised).add(value)
    return ids, revised


def _at_head(engine: Engine) -> bool:
    """Whether the database is stamped with the newest revision: one query. Anything else
    (a new file, an older schema, not our database) is left to Alembic to migrate or refuse."""
    return (head := head_revision()) is not None and _stamped(engine) == head


def _stamped(engine: Engine) -> str | None:
    """The revision the database is stamped with; None where it cannot say (no stamp, or
    several)."""
    try:
        with engine.connect() as conn:
            stamps = conn.execute(_VERSION).scalars().all()
    except SQLAlchemyError:
        return None
    return stamps[0] if len(stamps) == 1 else None


def open_db(url: str) -> sessionmaker[Session]:
    """An engine on `url`, migrated, and a session factory bound to it."""
    engine = make_engine(url)
    upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed on success, rolled back on any error (locked_refused)."""
    with locked_refused(), factory() as session, session.begin():
        yield session


@contextmanager
def locked_refused() -> Iterator[None]:
    """A SQLite file that another process kept locked past the busy timeout is a
    DatabaseLocked (one line), not a traceback."""
    try:
        yield
    except OperationalError as exc:
        if "database is locked" not in str(exc.orig):
            raise
        # what was being written is rolled back; a command of several steps (an import's
        # groups of files, the nightly's nights) keeps those it committed before
        raise DatabaseLocked("the database stayed locked by another process for "
                             f"{BUSY_TIMEOUT_MS // 1000} s, so what was being written then "
                             "was not saved (what was saved before stays)",
                             TRY_AGAIN) from None


def unusable(exc: DBAPIError, url: str, opening: bool = False) -> DatabaseError | None:
    """The database's error for a statement that failed because the database at `url` is
    not (or no longer) one stridelift can use as it is: an older one put in place, a newer
    one, deleted, replaced, a table dropped, damaged, or its folder gone; None for any other
    failure, a statement's own on a database of ours, whole, at this version's schema among
    them (a bug, not the database's: no advice to replace it). The one rule the CLI and the
    web app word it by. `opening`: met while migrating it, where an older one is not news (a
    table missing from it is)."""
    # its first line: PostgreSQL's next ones quote the statement
    said, where = (str(exc.orig).strip().splitlines() or [""])[0], _redact(url)
    if DAMAGED_FILE in said:
        return DatabaseError(f"the database {where} is damaged ({said})", PUT_BACK)
    if CANNOT_OPEN in said:
        gone = _folder_gone(url)
        return None if gone is None else DatabaseError(
            f"cannot open the database {where} ({said}): its folder {gone} is gone",
            FOLDER_BACK)
    if opening and NOT_SQLITE in said:
        return DatabaseError(f"{_sqlite_file(_parsed(url))} is not a SQLite database",
                             CHECK_THE_PATH)
    if not (any(words in said for words in REPLACED_FILE) or
            getattr(exc.orig, "sqlstate", None) in REPLACED_ON_SERVER):
        return None
    stamped, intact = _schema(url)
    head = head_revision()
    if stamped is not None and stamped == head and intact:  # the statement at fault: a bug
        return None
    if (newer := _newer(where, stamped)) is not None:
        return newer
    if not opening and stamped in _revisions()[0] - {head}:
        return DatabaseError(f"the database {where} is an older stridelift database "
                             f"(schema {stamped}, this version's is {head}), put "
                             "in place since it was opened", RESTART)
    return DatabaseError(f"the database {where} is missing stridelift's data ({said}): "
                         "it was deleted or replaced, or a table dropped",
                         PUT_BACK if _sqlite_file(_parsed(url)) else RESTORE_ON_SERVER)


def unusable_by(exc: BaseException, url: str) -> DatabaseError | None:
    """`unusable` for whatever a command or a job met: None for anything not a database
    driver's error (no database was met)."""
    return unusable(exc, url) if isinstance(exc, DBAPIError) else None


def _folder_gone(url: str) -> Path | None:
    """The folder of the SQLite file at `url` when it is gone; None when it is there."""
    path = _sqlite_file(_parsed(url))
    return path.parent if path is not None and not path.parent.exists() else None


def _newer(where: str, stamped: str | None) -> DatabaseError | None:
    """The error of a database stamped with a later revision than this version's newest (ours
    are numbered: 0001, ...); None for any other."""
    head = head_revision()
    if stamped is None or head is None or not (stamped.isdigit() and head.isdigit()) or \
            int(stamped) <= int(head):
        return None
    return DatabaseError(f"the database {where} is a newer stridelift's (schema {stamped}, "
                         f"this version's is {head})", NEWER)


def _schema(url: str) -> tuple[str | None, bool]:
    """The one revision the database at `url` is stamped with (None: none, several, or it
    cannot say), and whether it holds every table of stridelift's."""
    from db.models import Base  # only on this error's path

    engine = create_engine(_parsed(url), poolclass=NullPool)
    try:
        stamped = _stamped(engine)
        with engine.connect() as conn:
            intact = set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
    except SQLAlchemyError:
        intact = False
    finally:
        engine.dispose()
    return stamped, intact


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"
