"""Incremental Garmin Connect sync (what it journals is stored by ingest/garmin_entries.py).

Each activity and each day is fetched, written to the raw store, journalled, then committed in
its own transaction; a stream's cursor moves only after the data behind it has committed. A
sync killed at any moment therefore leaves committed rows, journal entries for at most the one
item in flight, and a cursor that has not passed anything missing: the next run redoes the
rest, and saving is an upsert or dedupe, so it ends with the rows an uninterrupted run makes.

Here the run's windows and order; its parts: the activities (ingest/sync_activities.py), the
days and calendar months (ingest/sync_days.py), the retries by id (ingest/sync_retries.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from db import repo
from db.raw import RawStore
from db.session import transaction
from domain.profile import Profile
from ingest import calendar
from ingest.garmin import Connect, PassingOver

# Re-exported (`X as X`): the knobs and names of the sync's parts its callers and tests use.
from ingest.garmin_entries import GONE as GONE
from ingest.garmin_entries import WAIT_ENDED as WAIT_ENDED
from ingest.sync_activities import LATE_DAYS as LATE_DAYS
from ingest.sync_activities import WAIT_DAYS as WAIT_DAYS
from ingest.sync_report import SyncReport as SyncReport
from ingest.sync_retries import RETRIES as RETRIES
from ingest.sync_retries import SyncRun
from ingest.sync_run import Progress as Progress

BACKFILL_DAYS = 120  # the first sync reaches this far back
RESYNC_DAYS = 2  # Garmin keeps amending the latest days: each run fetches these again
ORIGIN = repo.ORIGIN  # cursor: the first day any sync fetched

# -- the sync --------------------------------------------------------------------------------


def window(cursor: str | None, since: date | None, until: date | None,
           today: date, origin: date | None = None, again: int = RESYNC_DAYS) -> tuple[date, date]:
    """The days to fetch: explicit bounds, else from the cursor (less `again` - 1 days, but
    never before `origin`, the first day any sync fetched), else a backfill of BACKFILL_DAYS
    up to the end. Never past today."""
    end = min(until or today, today)
    if since is not None:
        return since, end
    if cursor is not None:
        start = date.fromisoformat(cursor) - timedelta(days=again - 1)
        return max(start, origin) if origin else start, end
    return end - timedelta(days=BACKFILL_DAYS - 1), end


def sync(db: sessionmaker[Session], raw: RawStore, profile: Profile, conn: Connect, *,
         today: date, since: date | None = None, until: date | None = None,
         progress: Progress | None = None, not_after: datetime | None = None) -> SyncReport:
    """Fetch activities, wellness days and calendar months, then the awaited files no list
    held (a run killed in those first has its night's tries stored from the journal);
    GarminAuthError/GarminUnavailable end the run (but for those files: the night). An
    activity starting after `not_after` (from the caller's clock) is skipped, as `import`
    refuses its file."""
    with transaction(db) as session:
        who = repo.athlete(session, profile)
        cursors = {s: repo.cursor(session, who, s) for s in ("activities", "wellness", ORIGIN)}
        found = cursors[ORIGIN]
        origin = date.fromisoformat(found) if found else None
        act_window = window(cursors["activities"], since, until, today, origin, LATE_DAYS)
        day_window = window(cursors["wellness"], since, until, today, origin)
        first = min(act_window[0], day_window[0])
        if origin is None or first < origin:  # a re-sync never reaches before this day
            repo.set_cursor(session, who, ORIGIN, first.isoformat())
    run = SyncRun(db, raw, who, PassingOver(conn), progress, today, not_after)
    run.total = max(0, (day_window[1] - day_window[0]).days + 1)
    run.store_killed_retries()  # first: the rows as the journal has them, before any wait ends
    run.activities(*act_window, contiguous=_contiguous(cursors["activities"], act_window[0]))
    run.wellness(*day_window, contiguous=_contiguous(cursors["wellness"], day_window[0]))
    run.calendar(calendar.months(today))
    run.retry_unlisted()  # last: the night's new data is in whatever Garmin answers them
    run.report.waiting = len(run.awaited())
    return run.report


def _contiguous(cursor: str | None, start: date) -> bool:
    """A cursor may only move when this window leaves no gap after what it already covers."""
    return cursor is None or start <= date.fromisoformat(cursor) + timedelta(days=1)
