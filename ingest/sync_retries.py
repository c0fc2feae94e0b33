"""A sync's retries by id (ingest.sync runs them last): the awaited files of activities no list
holds again, downloaded from the list items they were stored from, a few a night in turn, each
journalled as tried once Garmin answered; a night killed in them is stored again from the
journal first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from db import activities, repo
from db.activities import Wait
from db.session import transaction
from ingest import garmin_entries, rebuild
from ingest.garmin import (
    SOCIAL_PROFILE,
    GarminBadBody,
    GarminKeptFailing,
    GarminNoData,
    GarminRateLimited,
    GarminUnavailable,
)
from ingest.garmin_activity import parent_id
from ingest.sync_activities import ActivitiesRun, Known, local_day

# Those no list holds again (older than LATE_DAYS) are downloaded by id, at most this many a
# night (a download each, or 5 attempts and ~30 s of backoff when Garmin fails on it), those
# tried longest ago first (_turn): a backfill's failures never make a night of hundreds of
# downloads, and the 13 nights after their first store try each of 130 waiting at once.
RETRIES = 10
RETRYING = "retrying"  # cursor: the night of the retries by id begun and not ended (killed)
RETRIED_AT = "retried-at"  # cursor: when (UTC) the athlete's day of the last retries began


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


def _reason(exc: GarminUnavailable) -> str:
    """What Garmin failed on, without its advice to try again (the sync's line says when)."""
    return str(exc).removesuffix("; try again later")


def _check_failed(exc: GarminUnavailable) -> str:
    """What the check's failure says of Garmin (never of the file, which it cannot tell)."""
    if isinstance(exc, GarminRateLimited):  # too many requests: Garmin is up
        return ("Garmin Connect is rate-limiting this account (too many requests: not down, "
                "and not that file); nothing to do, no sync by hand meanwhile")
    if isinstance(exc, GarminKeptFailing):
        return "Garmin Connect is down, not that file; nothing to do"
    return "Garmin Connect is not answering for now, not that file; nothing to do"


class SyncRun(ActivitiesRun):
    """A sync run: its retries by id here, its activities in ActivitiesRun, its days and
    calendar months in DaysRun."""

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
        own; at the turn's end, one call more asks: _answers); the next failing too is
        Garmin down, which never answered about either: they keep their places."""
        turn, items = self._with_parents(turn, due)
        known, self.total = self._known_ids(awaited), self.total + len(turn)
        unanswered: list[int] = []
        for gid in turn:
            try:
                if self._retry(gid, items.get(gid), known):
                    unanswered.append(gid)
            except GarminUnavailable as exc:
                self._left_to_next_sync(exc)
                return
            if not self.conn.failed:
                self._tried(*unanswered)
                unanswered = []
            self._tick()
        if unanswered and self._answers(unanswered[-1]):
            self._tried(*unanswered)

    def _answers(self, failed: int) -> bool:
        """Whether Garmin answers a call after the turn's last download (of `failed`) kept
        failing: then that failure was the file's own, and it was tried (else, left untried,
        it kept the head of the line each night it failed last); if not, Garmin is down or
        rate-limits, and the file keeps its place."""
        try:
            self.conn.call("the user profile", self.conn.api.connectapi, SOCIAL_PROFILE)
        except (GarminNoData, GarminBadBody):
            return True
        except GarminUnavailable as exc:
            self._skip(f"{_reason(exc)}, a check asked because the download of activity "
                       f"{failed} kept failing: {_check_failed(exc)}, the next sync downloads "
                       "it and the other files awaited again")
            return False
        return True

    def _left_to_next_sync(self, exc: GarminUnavailable) -> None:
        self._skip(f"{_reason(exc)}; the other files awaited are downloaded again at the next "
                   "sync")

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

    def _retry(self, gid: int, item: dict[str, Any] | None, known: Known) -> bool:
        """Download the file, journalled as tried tonight with the activity it stores (in
        one line and one commit: a kill between two left a file come and not tried); whether
        it is to be journalled so on its own line (_tried): not a multisport leg whose
        parent's file (its own download) came earlier in the turn: stored with it. Garmin
        rate-limiting or down (GarminUnavailable) never answered about the file: it keeps
        its place for the next night. One whose list item is lost (a raw store swapped under
        the database) cannot be stored: its turn is taken all the same, or it would stay
        first in line every night."""
        settled = item is not None and known.settled(item)
        stored = item is not None and self._activity(item, known, local_day(item), self.today)
        return not settled and not stored

    def _tried(self, *gids: int) -> None:
        """Journal (and store) each file as tried tonight, on its own line."""
        for gid in gids:
            entry = {"kind": garmin_entries.RETRIED, "garmin_id": gid,
                     "night": self.today.isoformat()}
            with self._journalled(entry) as session:
                garmin_entries.store_garmin_retry(session, self.who, entry)
