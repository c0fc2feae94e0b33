"""A sync's activities (ingest.sync runs it): the window's list, each activity downloaded and
stored from its file, or from its summary while its file is awaited, and the waits that end."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from garminconnect import Garmin
from sqlalchemy.orm import Session, sessionmaker

from db import activities, repo
from db import models as m
from db.activities import Wait
from db.raw import RawStore
from db.session import transaction
from domain.activity import Activity
from ingest import activity_list, bulk, fit, garmin_entries, garmin_wellness
from ingest.garmin import GarminPassedOver, PassingOver, extract_fit, is_whole
from ingest.garmin_activity import gmt, parent_id, type_key, utc_offset
from ingest.garmin_entries import GONE, WAIT_ENDED
from ingest.sync_days import DaysRun
from ingest.sync_run import SKIPPED, Progress

log = logging.getLogger(__name__)

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
AGAIN = object()  # an activity left to the next sync
TYPED_LATE = "typed into Garmin Connect with that date (correct it there), so no day can hold it"
# cursor + Garmin id: when the last session of an activity's file refused as dated after the
# night's limit starts, and the day its list item was listed for (a note, not the file: listed
# LATE_DAYS nights, it is downloaded once; dated further ahead, that day is listed again)
AHEAD = "ahead:"


@dataclass(frozen=True)
class Ahead:
    """A note of a file refused as dated ahead: when it starts, and the (local) day its list
    item was listed for (notes from before that day was kept: deleted by migration 0018)."""

    start: datetime
    day: date

    def value(self) -> str:
        return f"{self.start.isoformat()} {self.day.isoformat()}"

    @staticmethod
    def parse(value: str) -> Ahead:
        start, _, day = value.partition(" ")
        return Ahead(datetime.fromisoformat(start), date.fromisoformat(day))


def local_day(item: dict[str, Any]) -> date:
    """The local day of a list item's activity (Garmin's, from its own UTC offset)."""
    return (gmt(item["startTimeGMT"]) + timedelta(seconds=utc_offset(item) or 0)).date()


@dataclass
class Known:
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


class ActivitiesRun(DaysRun):
    """A sync run's activities and the waits for their files (its days and calendar months:
    DaysRun)."""

    def __init__(self, db: sessionmaker[Session], raw: RawStore, who: m.Athlete,
                 conn: PassingOver, progress: Progress | None, today: date,
                 not_after: datetime | None) -> None:
        super().__init__(db, raw, who, conn, progress)
        self.today, self.not_after = today, not_after
        self.relisted_from = today - timedelta(days=LATE_DAYS - 1)  # the next sync lists again
        self.waits_from = today - timedelta(days=WAIT_DAYS - 1)  # a wait begun before ends
        self.listed: set[int] = set()  # the ids this run's list holds
        self.unserved: set[int] = set()  # the ids whose download Garmin kept failing on
        self.imported = bulk.ImportedNames(raw, who.name)  # a recording's other file's name
        self._ahead: dict[int, Ahead] | None = None  # the notes of files dated ahead, once read

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
            by_day.setdefault(local_day(item), []).append(item)
        for day in sorted(by_day):
            for item in by_day[day]:
                self._activity(item, known, day)
                self._tick()
            self._advance("activities", min(day, end), contiguous)
        self.listed = {int(item["activityId"]) for item in items}
        self._ahead_come(known)
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

    def _known_ids(self, awaited: Collection[int] | None = None) -> Known:
        """What is stored; `awaited`: the ids awaiting their file, when just read."""
        with self.db() as session:
            if awaited is None:
                awaited = activities.awaited_garmin_ids(session, self.who)
            return Known(activities.known_garmin_ids(session, self.who), set(awaited),
                         activities.filed_garmin_ids(session, self.who))

    def _activity(self, item: dict[str, Any], known: Known, day: date,
                  retried: date | None = None) -> bool:
        """Download and store the list item's activity (journalled); whether it was stored.
        `retried`: the night its file is downloaded again by id, journalled with it."""
        gid = int(item["activityId"])
        if known.settled(item):  # the same rows again, minus the download
            self.report.already_stored += 1
            self._drop_ahead(gid)  # a file noted ahead has no row left to take it to
            return False
        manual = item.get("manualActivity") is True
        noted = self.ahead().get(gid)
        if self._too_late(gid, [gmt(item["startTimeGMT"]), *([noted.start] if noted else [])],
                          manual):
            return False
        got = self._fit(gid, day, manual, parent_id(item))
        if got is None and gid in known.awaited:  # still late: it counts from its summary
            return False
        fit_bytes, decoded = got or (None, [])
        if self._too_late(gid, [act.start for act in decoded], manual=False):
            self._note_ahead(gid, Ahead(max(act.start for act in decoded), day))
            return False
        # the next sync lists it again, downloads its file again, or lists its noted day again
        tried_again = day >= self.relisted_from or gid in known.awaited or noted is not None
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
            if noted:  # taken: its note goes with the store, not left behind for good
                repo.delete_cursor(session, self.who, f"{AHEAD}{gid}")
        self.ahead().pop(gid, None)
        self.report.new += saved.new
        self.report.upgraded += saved.upgraded
        self.report.replaced += saved.replaced
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

    def ahead(self) -> dict[int, Ahead]:
        """The notes of files refused as dated ahead (_note_ahead), by Garmin id: read once a
        sync, kept as it notes and takes them."""
        if self._ahead is None:
            with self.db() as session:
                notes = repo.cursors_from(session, self.who, AHEAD)
            self._ahead = {int(stream.removeprefix(AHEAD)): Ahead.parse(value)
                           for stream, value in notes.items()}
        return self._ahead

    def _note_ahead(self, gid: int, note: Ahead) -> None:
        with transaction(self.db) as session:
            repo.set_cursor(session, self.who, f"{AHEAD}{gid}", note.value())
        self.ahead()[gid] = note

    def _ahead_come(self, known: Known) -> None:
        """Take the files noted ahead whose start tonight's limit reaches and whose day no
        list holds again (a file dated LATE_DAYS or more after its summary's day, else never
        seen again but by `sync --since`): each such day listed again, once. A note whose
        day Garmin lists whole without it, and that Garmin answers is no more (404, 410: an
        empty list may be a hiccup), goes."""
        due = [(note.day, gid) for gid, note in self.ahead().items()
               if gid not in self.listed
               and bulk.too_late([note.start], self.not_after) is None]
        for day in sorted({day for day, _ in due}):
            try:
                found = activity_list.listed(self.conn, day, day)
            except SKIPPED as exc:
                self._skip(f"{exc}; its files once dated ahead are taken at the next sync")
                continue
            items = {int(item["activityId"]): item for item in found.items}
            for gid in sorted(gid for one, gid in due if one == day):
                if gid in items:
                    self._activity(items[gid], known, day)
                elif found.whole and activity_list.deleted(self.conn, gid):
                    self._drop_ahead(gid)

    def _drop_ahead(self, gid: int) -> None:
        """Delete the note of `gid`'s file dated ahead, if it has one (else its day would be
        listed again every night)."""
        if self.ahead().pop(gid, None) is not None:
            with transaction(self.db) as session:
                repo.delete_cursor(session, self.who, f"{AHEAD}{gid}")

    def _fit(self, gid: int, day: date, manual: bool, parent: int | None = None
             ) -> tuple[bytes | None, list[Activity]] | None:
        """The ORIGINAL download's FIT and its sessions, (None, []) to store the summary for
        good, or None when the file is late: a download that arrived broken, or no file for
        an activity a device recorded (not processed yet? deleted since it was listed?). It
        counts from its summary meanwhile, and the syncs of the next WAIT_DAYS try again. So
        does a download Garmin kept failing on (a 500 for it alone: SKIPPED). A manual entry
        has no file to wait for, whatever the answer. A multisport leg whose `parent`'s
        download Garmin kept failing on this run waits with it, not downloaded: its download
        is that same file, and failing again it read as Garmin down (two failures in a row)."""
        if parent in self.unserved:  # the parent's line names the file
            return None
        waits = not manual
        try:
            data = self.conn.call(f"the download of activity {gid}",
                                  self.conn.api.download_activity, str(gid),
                                  Garmin.ActivityDownloadFormat.ORIGINAL)
        except SKIPPED as exc:
            if isinstance(exc, GarminPassedOver):
                self.unserved.add(gid)
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
