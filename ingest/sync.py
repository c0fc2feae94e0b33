"""Incremental Garmin Connect sync (what it journals is stored by ingest/garmin_entries.py).

Each activity and each day is fetched, written to the raw store, journalled, then committed in
its own transaction; a stream's cursor moves only after the data behind it has committed. A
sync killed at any moment therefore leaves committed rows, journal entries for at most the one
item in flight, and a cursor that has not passed anything missing: the next run redoes the
rest, and saving is an upsert or dedupe, so it ends with the rows an uninterrupted run makes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from garminconnect import Garmin
from sqlalchemy.orm import Session, sessionmaker

from db import activities, repo
from db import models as m
from db.activities import Wait
from db.raw import RawStore
from db.session import transaction
from domain.activity import Activity
from domain.profile import Profile
from ingest import activity_list, bulk, calendar, fit, garmin_entries, garmin_wellness, rebuild
from ingest.garmin import (
    Connect,
    GarminPassedOver,
    GarminUnavailable,
    PassingOver,
    extract_fit,
    is_whole,
)
from ingest.garmin_activity import gmt, parent_id, type_key, utc_offset
from ingest.garmin_entries import GONE, WAIT_ENDED
from ingest.sync_days import DaysRun
from ingest.sync_report import SyncReport
from ingest.sync_run import SKIPPED, Progress

log = logging.getLogger(__name__)

BACKFILL_DAYS = 120  # the first sync reaches this far back
RESYNC_DAYS = 2  # Garmin keeps amending the latest days: each run fetches these again
# A watch away from its phone uploads its runs days late, on their own (passed) days: each run
# lists this many days of activities again (one request; known ids are not downloaded again,
# but those stored from their summary while their file is awaited).
LATE_DAYS = 14
# A file a sync could not download (a 404: not processed yet?, a broken body, a 500 for it
# alone) is awaited: the activity counts from its summary, and each sync downloads the file
# again for this many days from the one it was first stored on, whatever its own day (a first
# sync's 120 days, when Garmin throttles most; a `sync --since`). Garmin serves a file minutes
# after the upload: one not served in two weeks of nights is not coming; it stays its summary.
WAIT_DAYS = 14
# Those no list holds again (older than LATE_DAYS) are downloaded by id, at most this many a
# night (a download each, or 5 attempts and ~30 s of backoff when Garmin fails on it), those
# tried longest ago first (_turn): a backfill's failures never make a night of hundreds of
# downloads, and the 13 nights after their first store try each of 130 waiting at once.
RETRIES = 10
ORIGIN = "origin"  # cursor: the first day any sync fetched
RETRYING = "retrying"  # cursor: the night of the retries by id begun and not ended (killed)
RETRIED_AT = "retried-at"  # cursor: when (UTC) the athlete's day of the last retries began
AGAIN = object()  # an activity left to the next sync
TYPED_LATE = "typed into Garmin Connect with that date (correct it there), so no day can hold it"

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
    run = _Run(db, raw, who, PassingOver(conn), progress, today, not_after)
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


def _local_day(item: dict[str, Any]) -> date:
    """The local day of a list item's activity (Garmin's, from its own UTC offset)."""
    return (gmt(item["startTimeGMT"]) + timedelta(seconds=utc_offset(item) or 0)).date()


def _turn(due: dict[int, Wait], night: date, taken: int) -> list[int]:
    """The Garmin ids of `due` to download again on `night`, `taken` files tried already by
    an earlier run of the night (a file is tried once Garmin answered its download: one cut
    short by a kill or a 429 keeps its place): up to RETRIES in all, the files tried longest
    ago, never tried first, then the oldest day. A file tried goes behind every other: of
    n waiting (waits begun meanwhile counted), each is tried within ceil(n / RETRIES)
    nights; one that arrives or ends its wait moves no other's place."""
    rest = sorted((wait.retried_on or date.min, wait.day, gid)
                  for gid, wait in due.items() if wait.retried_on != night)
    return [gid for *_, gid in rest[:max(0, RETRIES - taken)]]


@dataclass
class _Known:
    """The Garmin ids stored, those of them awaiting their file, and those stored from it."""

    stored: set[int]
    awaited: set[int]
    filed: set[int]

    def settled(self, item: dict[str, Any]) -> bool:
        """Stored and not awaiting its file, or a multisport leg whose parent's file (its
        own download: the parent's whole file) is stored: not to download again."""
        gid = int(item["activityId"])
        return gid not in self.awaited and (gid in self.stored
                                            or parent_id(item) in self.filed)


class _Run(DaysRun):
    """A sync run: its activities here, its days and calendar months in DaysRun."""

    def __init__(self, db: sessionmaker[Session], raw: RawStore, who: m.Athlete,
                 conn: PassingOver, progress: Progress | None, today: date,
                 not_after: datetime | None) -> None:
        super().__init__(db, raw, who, conn, progress)
        self.today, self.not_after = today, not_after
        self.relisted_from = today - timedelta(days=LATE_DAYS - 1)  # the next sync lists again
        self.waits_from = today - timedelta(days=WAIT_DAYS - 1)  # a wait begun before ends
        self.listed: set[int] = set()  # the ids this run's list holds
        self.imported = bulk.ImportedNames(raw, who.name)  # a recording's other file's name

    # activities

    def activities(self, start: date, end: date, contiguous: bool) -> None:
        self._end_waits(lambda wait: wait.since < self.waits_from, WAIT_ENDED)
        if start > end:
            return
        self.report.activities = (start, end)
        listed = self._activity_list(start, end)
        if listed is None:
            return
        items, whole = listed.items, listed.whole
        self.total += len(items)
        known = self._known_ids()
        by_day: dict[date, list[dict[str, Any]]] = {}
        for item in items:
            by_day.setdefault(_local_day(item), []).append(item)
        for day in sorted(by_day):
            for item in by_day[day]:
                self._activity(item, known, day)
                self._tick()
            self._advance("activities", min(day, end), contiguous)
        self.listed = {int(item["activityId"]) for item in items}
        if whole:  # a waiting activity a whole list no longer holds may be deleted in Garmin;
            # not on the window's first or last day: Garmin's local day may be a neighbour
            self._end_waits(lambda wait: start < wait.day < end, GONE, self.listed)
        # a list that may have been cut short holds the cursor at its last day listed
        self._advance("activities", end, contiguous and whole)

    def _end_waits(self, ends: Callable[[Wait], bool], kind: str,
                   listed: Collection[int] = ()) -> None:
        """End each wait for a file that `ends`, unless its activity is listed (or, to go as
        deleted, unless Garmin still has it)."""
        awaited = self.awaited()
        for gid in sorted(gid for gid, wait in awaited.items()
                          if ends(wait) and gid not in listed):
            if kind == GONE and not activity_list.deleted(self.conn, gid):
                log.info("activity %s: missing from the list, but Garmin still has it", gid)
                continue
            entry = {"kind": kind, "garmin_id": gid}
            with self._journalled(entry) as session:
                garmin_entries.store_garmin_wait(session, self.who, entry)
            self.report.waits_ended += 1
            log.info("activity %s: %s", gid, "its file is awaited no more: it stays as its "
                     "summary" if kind == WAIT_ENDED else "deleted in Garmin: removed")

    def retry_unlisted(self) -> None:
        """Download again, by id, the awaited files of activities this run did not list (no
        list holds them again, or it failed), from the list items they were stored from:
        RETRIES a night at most, in turn (_turn), until Garmin keeps failing or rate-limits
        (the next sync goes on). Each is journalled as tried once Garmin answered its
        download: a night run again (after a kill, or by hand) takes the rest of its turn,
        not RETRIES more."""
        with self.db() as session:
            awaited = activities.awaited_garmin_ids(session, self.who)
            taken = self._taken(session)
        due = {gid: wait for gid, wait in awaited.items() if gid not in self.listed}
        turn = _turn(due, self.today, taken)
        if not turn:
            return
        self._retrying(self.today.isoformat())
        self._retry_all(turn, due, awaited)
        self._retrying("")

    def store_killed_retries(self) -> None:
        """After a run killed in its retries (it left RETRYING), store its night's tries
        (and the activities their downloads stored) again as the journal holds them, as
        `db rebuild` would: killed between a try's line and its commit, the rebuild had the
        try and the database never did, and no later night need try that file again (its
        wait may end). Before anything else of the run: a file come on its wait's last night
        replayed after that wait ended was taken for its summary, stored for good, and lost.
        The journal is read only then."""
        with self.db() as session:
            night = repo.cursor(session, self.who, RETRYING)
        if not night:
            return
        with transaction(self.db) as session:
            for entry in self.raw.entries(self.who.name):
                tried = entry.get("night") if entry.get("kind") == garmin_entries.RETRIED \
                    else entry.get("retried")
                if tried == night:
                    try:
                        saved = rebuild.replay_line(session, self.who, self.raw, entry)
                    except rebuild.RebuildError as exc:  # edited by hand since: left as it is
                        self._skip(str(exc))
                    else:  # a file come that night, its commit killed: upgraded now
                        self.report.upgraded += saved.upgraded if saved else 0
            repo.set_cursor(session, self.who, RETRYING, "")

    def _taken(self, session: Session) -> int:
        """How many files were tried by id tonight already; 0 on a night a westward zone
        change brought back (the athlete's day begun again here, hours after the day of the
        last retries began in the zone before): those tried under its day were tried a night
        ago; the files not tried under its day are due."""
        last = repo.cursor(session, self.who, RETRIED_AT)
        if last and datetime.fromisoformat(last) < self._day_began():
            return 0
        return activities.retries_on(session, self.who, self.today)

    def _day_began(self) -> datetime:
        """When the athlete's `today` began in the zone now (UTC): later after a move west.
        Told from the night and the zone, not the clock, as the rest of the sync is."""
        return datetime.combine(self.today, time(), ZoneInfo(self.who.tz)).astimezone(UTC)

    def _retrying(self, night: str) -> None:
        """Keep `night` as that of the retries begun (a run killed in them leaves it) and
        when its day began (RETRIED_AT), or "" once they ended."""
        with transaction(self.db) as session:
            repo.set_cursor(session, self.who, RETRYING, night)
            if night:
                repo.set_cursor(session, self.who, RETRIED_AT, self._day_began().isoformat())

    def _retry_all(self, turn: list[int], due: dict[int, Wait], awaited: dict[int, Wait]
                   ) -> None:
        """Download the turn's files, until Garmin keeps failing. A file whose download
        Garmin kept failing on is tried once a later call is answered (its failure was its
        own); the next failing too is Garmin down, which never answered about either (nor
        about one left so at the turn's end): they keep their places."""
        turn, items = self._with_parents(turn, due)
        known, self.total = self._known_ids(awaited), self.total + len(turn)
        unanswered: list[int] = []
        for gid in turn:
            try:
                if self._retry(gid, items.get(gid), known):
                    unanswered.append(gid)
            except GarminUnavailable as exc:
                self._skip(f"{str(exc).removesuffix('; try again later')}; the other files "
                           "awaited are downloaded again at the next sync")
                return
            if not self.conn.failed:
                for one in unanswered:
                    self._tried(one)
                unanswered = []
            self._tick()

    def _with_parents(self, turn: list[int], due: dict[int, Wait]
                      ) -> tuple[list[int], dict[int, dict[str, Any]]]:
        """The turn with the list items it is stored from, each multisport leg after its
        parent when that awaits its file too (in the turn or not), as in a list: the leg's
        download is the parent's whole file, which taken first as the leg's gave its first
        session the leg's id and dropped the parent's summary. A parent behind in line so
        joins the turn: one download more that night, once (they are tried together)."""
        items = garmin_entries.summaries(self.raw, self.who.name,
                                         {gid: due[gid].summary for gid in turn}, self._skip)
        parents = {one for item in items.values() if (one := parent_id(item)) in due
                   and one not in turn}
        items |= garmin_entries.summaries(self.raw, self.who.name,
                                          {gid: due[gid].summary for gid in parents}, self._skip)
        ordered: list[int] = []
        for gid in turn:
            parent = parent_id(items.get(gid, {}))
            ordered += [one for one in (parent, gid) if one in due and one not in ordered]
        return ordered, items

    def _retry(self, gid: int, item: dict[str, Any] | None, known: _Known) -> bool:
        """Download the file, journalled as tried tonight with the activity it stores (in
        one line and one commit: a kill between two left a file come and not tried); whether
        it is to be journalled so on its own line (_tried): not a multisport leg whose
        parent's file (its own download) came earlier in the turn: stored with it. Garmin
        rate-limiting or down (GarminUnavailable) never answered about the file: it keeps
        its place for the next night. One whose list item is lost (a raw store swapped under
        the database) cannot be stored: its turn is taken all the same, or it would stay
        first in line every night."""
        settled = item is not None and known.settled(item)
        stored = item is not None and self._activity(item, known, _local_day(item), self.today)
        return not settled and not stored

    def _tried(self, gid: int) -> None:
        """Journal (and store) the file as tried tonight, on its own line."""
        entry = {"kind": garmin_entries.RETRIED, "garmin_id": gid,
                 "night": self.today.isoformat()}
        with self._journalled(entry) as session:
            garmin_entries.store_garmin_retry(session, self.who, entry)

    def _activity_list(self, start: date, end: date) -> activity_list.Listed | None:
        try:
            found = activity_list.listed(self.conn, start, end)
        except SKIPPED as exc:
            self._skip(f"{exc}; activities not synced this time")
            return None
        for _ in range(found.unusable):
            self._skip("an activity list item without a usable id or start time")
        return found

    def awaited(self) -> dict[int, Wait]:
        """The Garmin ids of the activities awaiting their file, with their waits."""
        with self.db() as session:
            return activities.awaited_garmin_ids(session, self.who)

    def _known_ids(self, awaited: Collection[int] | None = None) -> _Known:
        """What is stored; `awaited`: the ids awaiting their file, when just read."""
        with self.db() as session:
            if awaited is None:
                awaited = activities.awaited_garmin_ids(session, self.who)
            return _Known(activities.known_garmin_ids(session, self.who), set(awaited),
                          activities.filed_garmin_ids(session, self.who))

    def _activity(self, item: dict[str, Any], known: _Known, day: date,
                  retried: date | None = None) -> bool:
        """Download and store the list item's activity (journalled); whether it was stored.
        `retried`: the night its file is downloaded again by id, journalled with it."""
        gid = int(item["activityId"])
        if known.settled(item):  # the same rows again, minus the download
            self.report.already_stored += 1
            return False
        manual = item.get("manualActivity") is True
        if self._too_late(gid, [gmt(item["startTimeGMT"])], manual):
            return False
        got = self._fit(gid, day, manual)
        if got is None and gid in known.awaited:  # still late: it counts from its summary
            return False
        fit_bytes, decoded = got or (None, [])
        if self._too_late(gid, [act.start for act in decoded], manual=False):
            return False
        tried_again = day >= self.relisted_from or gid in known.awaited
        sets_body = self._exercise_sets(gid, item, tried_again)
        if sets_body is AGAIN:
            return False
        entry = {"kind": garmin_entries.ACTIVITY, "garmin_id": gid,
                 "summary": self.raw.put_json(item),
                 "fit": self.raw.put(fit_bytes) if fit_bytes is not None else None,
                 "sets": self.raw.put_json(sets_body)
                 if garmin_wellness.has_data(sets_body) else None,
                 "awaits_file": got is None,
                 "awaits_since": self.today.isoformat() if got is None else None,
                 **({"retried": retried.isoformat()} if retried else {})}
        with self._journalled(entry) as session:
            saved = garmin_entries.save_activity(session, self.who, entry, item, decoded,
                                                 sets_body)
        self.report.new += saved.new
        self.report.upgraded += saved.upgraded
        self.report.already_stored += saved.duplicates
        if saved.same_as is not None:
            self.report.same_recording.append(bulk.same_recording(
                f"Garmin activity {gid}", saved.same_as, self.imported.names.get))
        self.report.summary_only += got is not None and fit_bytes is None
        known.stored.add(gid)
        if fit_bytes is not None:
            known.filed.add(gid)
        if saved.upgraded:  # a file's sessions may upgrade the summaries of other ids (legs)
            known.awaited.intersection_update(self.awaited())
        elif got is None and saved.new:
            known.awaited.add(gid)
        return True

    def _too_late(self, gid: int, starts: list[datetime], manual: bool) -> bool:
        """Whether the summary's or the file's activities start after `not_after`: skipped
        (named) before anything of them is stored, as `import` refuses such a file."""
        why = bulk.too_late(starts, self.not_after, TYPED_LATE if manual else bulk.WRONG_CLOCK)
        if why is not None:
            self._skip(f"Garmin activity {gid}: {why}")
        return why is not None

    def _fit(self, gid: int, day: date, manual: bool
             ) -> tuple[bytes | None, list[Activity]] | None:
        """The ORIGINAL download's FIT and its sessions, (None, []) to store the summary for
        good, or None when the file is late: a download that arrived broken, or no file for
        an activity a device recorded (not processed yet? deleted since it was listed?). It
        counts from its summary meanwhile, and the syncs of the next WAIT_DAYS try again. So
        does a download Garmin kept failing on (a 500 for it alone: SKIPPED). A manual entry
        has no file to wait for, whatever the answer."""
        waits = not manual
        try:
            data = self.conn.call(f"the download of activity {gid}",
                                  self.conn.api.download_activity, str(gid),
                                  Garmin.ActivityDownloadFormat.ORIGINAL)
        except SKIPPED as exc:
            return self._without_file(str(exc), waits)
        if not is_whole(data):
            return self._without_file(f"activity {gid} ({day}): the download arrived broken "
                                      "(neither a zip nor a FIT file)", waits)
        fit_bytes = extract_fit(data)
        if fit_bytes is None:
            return self._without_file(f"activity {gid}: the download holds no FIT file", False)
        try:
            decoded = fit.decode(fit_bytes, f"{gid}.fit")
        except fit.FitError as exc:
            return self._without_file(f"activity {gid}: {exc}", False)
        return (fit_bytes, decoded) if decoded else (None, [])

    def _without_file(self, why: str, waits: bool) -> tuple[None, list[Activity]] | None:
        """Wait for the file (None), or store the activity from its summary for good."""
        self._skip(f"{why}; counted from its summary until the file arrives (the next sync "
                   "tries again)" if waits else f"{why}; stored from its summary")
        return None if waits else (None, [])

    def _exercise_sets(self, gid: int, item: dict[str, Any], tried_again: bool) -> Any:
        """A strength activity's sets, or AGAIN: stored without the sets Garmin kept failing
        on, it would never be asked for them again (the next sync, which lists it again or
        awaits its file, is)."""
        if type_key(item) != "strength_training":
            return None
        try:
            return self.conn.call(f"the exercise sets of activity {gid}",
                                  self.conn.api.get_activity_exercise_sets, gid)
        except SKIPPED as exc:
            again = tried_again and isinstance(exc, GarminPassedOver)
            self._skip(f"{exc}; the next sync tries again" if again else str(exc))
            return AGAIN if again else None
