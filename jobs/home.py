"""The opened home: configuration, database and raw store, ready for a command to use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from db.raw import RawStore
from domain.profile import Profile
from jobs.config import Config, current, load

if TYPE_CHECKING:  # the database code loads on open: a command that names Home need not
    from sqlalchemy.orm import Session, sessionmaker


@dataclass
class Home:
    config: Config
    db: sessionmaker[Session]
    raw: RawStore

    @classmethod
    def open(cls, config: Config | None = None) -> Home:
        from db.session import open_db

        config = config or load()
        # Health data lives here: the folder is the owner's alone (new folders; an existing
        # one is left as its owner set it).
        config.paths.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        return cls(config=config, db=open_db(config.database_url()),
                   raw=RawStore(config.paths.raw_dir))

    def athlete(self, name: str | None) -> Profile:
        """The named athlete (or the only one) as saved now."""
        return current(self.config).athlete(name)

    def athletes(self) -> dict[str, Profile]:
        """Every athlete's profile as saved now (config.toml read again when it changed)."""
        return current(self.config).athletes
