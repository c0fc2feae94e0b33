"""Rebuild the stored facts from the raw payload journal, offline.

The replay runs in one transaction: it deletes the athlete's activities and wellness days and
stores every journalled payload again through the same functions that stored it first. If
anything fails the transaction rolls back and the database is as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from db import models as m
from db import repo
from db.raw import RawStore
from db.session import transaction
from domain.profile import Profile
from ingest import calendar, fit, garmin_entries


class RebuildError(Exception):
    """A journalled payload could not be replayed; nothing was changed."""


def rebuild(db: sessionmaker[Session], raw: RawStore, profile: Profile,
            progress: Callable[[int, int], None] | None = None) -> Counter[str]:
    counts: Counter[str] = Counter()
    entries = list(raw.entries(profile.name))  # a line each: counted first, for progress
    with transaction(db) as session:
        who = repo.athlete(session, profile)
        repo.forget_synced(session, who)
        for done, entry in enumerate(entries, 1):
            replay_line(session, who, raw, entry)
            counts[str(entry.get("kind"))] += 1
            if progress:
                progress(done, len(entries))
    return counts


def replay_line(session: Session, who: m.Athlete, raw: RawStore, entry: dict[str, Any]
                ) -> repo.Saved | None:
    """`replay`, a line that cannot be replayed refused in one line naming the journal
    (RebuildError)."""
    try:
        return replay(session, who, raw, entry)
    # TypeError: a value of the wrong type in a line (a null night, id or digest)
    except (OSError, KeyError, TypeError, ValueError, fit.FitError) as exc:
        what = entry.get("hash") or entry.get("garmin_id") or entry.get("day")
        raise RebuildError(f"journal {raw.journal(who.name)}: entry {entry.get('kind')} "
                           f"{what} cannot be replayed: {exc}") from None


def replay(session: Session, who: m.Athlete, raw: RawStore, entry: dict[str, Any]
           ) -> repo.Saved | None:
    """Store one journal entry's payloads again, by the function that stored them first;
    what an activity's line stored (None for another line)."""
    kind = entry.get("kind")
    if kind == "fit":
        data = raw.get(entry["hash"])
        return repo.save_activities(session, who, fit.decode(data, entry.get("name", ""),
                                                             dated=False), entry["hash"])
    if kind == garmin_entries.ACTIVITY:
        return garmin_entries.store_garmin_activity(session, who, raw, entry)
    if kind in (garmin_entries.WAIT_ENDED, garmin_entries.GONE):
        garmin_entries.store_garmin_wait(session, who, entry)
    elif kind == garmin_entries.RETRIED:
        garmin_entries.store_garmin_retry(session, who, entry)
    elif kind == garmin_entries.DAY:
        garmin_entries.store_garmin_day(session, who, raw, entry)
    elif kind == "garmin-calendar":
        calendar.store_garmin_calendar(session, who, raw, entry)
    else:
        raise ValueError(f"unknown journal entry kind {kind!r}")
    return None
