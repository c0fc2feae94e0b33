"""The opened home: configuration, database (opened on first use) and raw store, ready for a
command to use."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from db.errors import DatabaseError
from db.raw import RawStore
from domain.pointer import SERVER, Pointer
from domain.profile import Profile
from jobs.config import Config, current, load

# The database code loads on first use (Home.db): a command that names Home need not load it.
if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


# The database file gone: a backup put in its place, or a new one filled from the raw store
DATABASE_BACK = Pointer(
    cli="copy your backup (`stridelift db backup`) to its place, or run `stridelift db "
        "rebuild` (for each athlete) to recreate the activities and wellness days in a new one",
    web=f"on {SERVER}, copy your backup to its place, or run stridelift db rebuild there (for "
        "each athlete) to recreate the activities and wellness days in a new one")


class Home:
    def __init__(self, config: Config, raw: RawStore,
                 db: sessionmaker[Session] | None = None) -> None:
        self.config = config
        self.raw = raw
        self._db = db
        self._opening = threading.Lock()  # the web app's threads share one home

    @classmethod
    def open(cls, config: Config | None = None) -> Home:
        config = config or load()
        return cls(config=config, raw=RawStore(config.paths.raw_dir))

    @property
    def db(self) -> sessionmaker[Session]:
        """The database, opened (and migrated) on first use: a command that fails before it
        needs it (no athlete yet, a bad option) leaves a new home without a database file."""
        return self._db if self._db is not None else self.open_db()

    def open_db(self, anew: bool = False) -> sessionmaker[Session]:
        """The database opened (and migrated) now, if it was not yet. The server and the
        daemon call it as they start: a database they cannot use is one line there, not a
        traceback on every page or job after. A SQLite file gone while the raw store's
        journal lists what was stored in it is not made anew, empty, as a new home's is
        (DatabaseError), unless `anew` (a rebuild, which fills it from the raw store)."""
        with self._opening:
            if self._db is None:
                from db.session import open_db

                if not anew and (gone := self.gone()) is not None:
                    raise gone
                self.folder()
                self._db = open_db(self.config.database_url())
            return self._db

    def gone(self) -> DatabaseError | None:
        """The SQLite file gone while the raw store's journal lists what was stored in it: the
        configured athletes' journals, as `db rebuild` restores only theirs (a home's data
        folder kept, its config.toml not, is a new home for `init`)."""
        if self.stored() or not self.raw.journalled(self.athletes()):
            return None
        from db.session import sqlite_file

        return DatabaseError(f"the database file {sqlite_file(self.config.database_url())} is "
                             f"gone, though the raw store's journal ({self.raw.root}) lists "
                             "what was stored in it", DATABASE_BACK)

    def folder(self) -> Path:
        """The home's data folder (health data lives here), made the owner's alone when new;
        an existing one is left as its owner set it. Whatever writes here first makes it:
        the database, the web app's password or key, a lock."""
        self.config.paths.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.config.paths.data_dir

    def stored(self) -> bool:
        """Whether the database may hold anything yet, asked without opening it: a SQLite
        file not made yet holds nothing (and reading it would make it)."""
        from db.session import may_hold_data

        return self._db is not None or may_hold_data(self.config.database_url())

    def athlete(self, name: str | None) -> Profile:
        """The named athlete (or the only one) as saved now."""
        return current(self.config).athlete(name)

    def athletes(self) -> dict[str, Profile]:
        """Every athlete's profile as saved now (config.toml read again when it changed)."""
        return current(self.config).athletes
