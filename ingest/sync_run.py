"""What the parts of one Garmin sync share (ingest.sync fetches its activities, ingest.sync_days
its days and calendar months): the stores, the connection, what it did, its progress, and
cursors that only move past what has committed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from db import models as m
from db import repo
from db.raw import RawStore
from db.session import transaction
from ingest.garmin import GarminBadBody, GarminNoData, GarminPassedOver, PassingOver
from ingest.sync_report import SyncReport

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (done, total)
# What an item is skipped for (named in the report), never the run: no data, a bad body, a
# call Garmin kept failing on (PassingOver: unless the one before it failed too).
SKIPPED = (GarminNoData, GarminBadBody, GarminPassedOver)


class Run:
    """One sync of one athlete: its stores and connection, its report and its progress."""

    def __init__(self, db: sessionmaker[Session], raw: RawStore, who: m.Athlete,
                 conn: PassingOver, progress: Progress | None) -> None:
        self.db, self.raw, self.who, self.conn = db, raw, who, conn
        self.progress = progress
        self.report = SyncReport()
        self.done = self.total = 0

    def _tick(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)

    def _skip(self, message: str) -> None:
        log.warning("skipped: %s", message)
        self.report.skipped.append(message)

    @contextmanager
    def _journalled(self, entry: dict[str, Any]) -> Iterator[Session]:
        """Journal `entry`, then the transaction that stores it: a run killed between the two
        leaves a journal line that `db rebuild` replays, never a row without its line."""
        self.raw.record(self.who.name, entry)
        with transaction(self.db) as session:
            yield session

    def _advance(self, stream: str, day: date, contiguous: bool) -> None:
        """Move a cursor past a day that had nothing to store, in its own transaction."""
        if contiguous:
            with transaction(self.db) as session:
                move_cursor(session, self.who, stream, day)


def move_cursor(session: Session, who: m.Athlete, stream: str, day: date) -> None:
    """Forward only: a re-sync of older days never winds a cursor back."""
    current = repo.cursor(session, who, stream)
    if current is None or current < day.isoformat():
        repo.set_cursor(session, who, stream, day.isoformat())
