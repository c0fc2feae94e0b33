"""The turns of the awaited files no list holds again (ingest.sync's retries by id): each
night the RETRIES tried longest ago, never tried first, the oldest day first; a file that
arrives frees its place and moves no other's; a night run again takes the rest of its turn,
not RETRIES more; the list items come from their digests, not from the whole journal. The
fake Garmin through garminconnect's real code path, real databases (PostgreSQL too, with
STRIDELIFT_TEST_PG_URL)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from db import models as m
from db.raw import RawStore
from db.session import make_engine, open_db, transaction, upgrade
from demo.fitwrite import LapSpec, LegSpec, multisport_fit
from domain.profile import Profile
from ingest import sync
from ingest.rebuild import RebuildError, rebuild
from tests.garmin_fake import (
    FakeGarmin,
    Reply,
    connect_without_login,
    list_item,
    mocked,
    table_contents,
    zipped,
)
from tests.test_db import _downgrade
from tests.test_sync_wait import P, WaitStore
from tests.test_sync_wait_retry import OLD, TODAY, _night

DOWNLOAD = "/download-service/files/activity/"
ATTEMPTS = 4  # fast_policy's
RETRIED = "garmin-file-retried"


class Killed(BaseException):
    """The run killed at a download: what it committed stays, the rest never happens."""


class Journal(RawStore):
    """The raw store, counting the reads of the whole journal; kills the run once it has
    journalled the `kill_after`-th try of a file by id (before its commit)."""

    reads = 0
    kill_after: int | None = None

    def entries(self, athlete: str) -> Iterator[dict[str, Any]]:
        self.reads += 1
        return super().entries(athlete)

    def record(self, athlete: str, *entries: dict[str, Any]) -> None:
        super().record(athlete, *entries)
        if self.kill_after is not None and any(e["kind"] == RETRIED or e.get("retried")
                                               for e in entries):
            self.kill_after -= 1
            if not self.kill_after:
                self.kill_after = None
                raise Killed


@dataclass
class Garmin(FakeGarmin):
    """Kills the run once it has been answered the download of `kill_at`."""

    kill_at: int | None = None

    def route(self, method: str, url: str) -> Reply:
        reply = super().route(method, url)
        if self.kill_at is not None and url.endswith(f"{DOWNLOAD}{self.kill_at}"):
            self.kill_at = None
            raise Killed
        return reply


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> WaitStore:
    return WaitStore(open_db(db_url), Journal(tmp_path / "raw"))


def _waiting(store: WaitStore, count: int) -> tuple[Garmin, list[int]]:
    """`count` runs, three a day from OLD on, whose downloads all failed the first night
    (404s) and are served since: they wait, the oldest first, and no later list holds them."""
    fake = Garmin()
    gids = list(range(2001, 2001 + count))
    for n, gid in enumerate(gids):
        fake.add_run(gid, OLD + timedelta(days=n // 3, hours=4 * (n % 3)), minutes=1)
    files = {gid: fake.downloads.pop(gid) for gid in gids}
    assert store.sync(fake, today=TODAY, since=OLD.date()).waiting == count
    fake.downloads.update(files)
    return fake, gids


def _night_downloads(store: WaitStore, fake: Garmin, night: date) -> tuple[sync.SyncReport,
                                                                          list[int]]:
    """The night's sync, and the ids it downloaded, in order."""
    before = len(fake.calls)
    try:
        report = store.sync(fake, today=night)
    except Killed:
        report = sync.SyncReport()
    return report, [int(c.removeprefix(DOWNLOAD)) for c in fake.calls[before:]
                    if c.startswith(DOWNLOAD)]


def _retried(store: WaitStore) -> list[int]:
    """The files journalled as tried by id, in order: on their own line, or with the
    activity their download stored."""
    return [e["garmin_id"] for e in store.raw.entries(P.name)
            if e["kind"] == RETRIED or e.get("retried")]


def test_130_waiting_are_each_tried_within_13_nights_while_a_third_arrive(
        store: WaitStore) -> None:
    """A third of a backfill's 130 failures come at Garmin the next day: each is upgraded when
    its turn comes, leaving the line. A turn kept as a place in the line (nights x RETRIES
    into it) then skipped the files behind those that left: 21 of the 130 were never tried
    in their 14 days. Kept as the night each was last tried, every one is, in 13 nights, the
    oldest first, RETRIES a night, journalled: `db rebuild` gives the same tables."""
    fake, gids = _waiting(store, 130)
    for gid in gids:
        if gid % 3:
            fake.downloads.pop(gid)  # these never come
    assert isinstance(store.raw, Journal)
    store.raw.reads = 0
    nights = math.ceil(len(gids) / sync.RETRIES)
    tried: dict[int, int] = {}
    for night in range(1, nights + 1):
        report, downloaded = _night_downloads(store, fake, _night(night))
        assert downloaded == gids[(night - 1) * sync.RETRIES:night * sync.RETRIES]
        assert report.upgraded == sum(gid % 3 == 0 for gid in downloaded)
        tried |= {gid: night for gid in downloaded}
    assert sorted(tried) == gids
    assert store.raw.reads == 0  # the list items read by their digests
    assert _retried(store) == gids
    synced = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == synced

    report, downloaded = _night_downloads(store, fake, _night(sync.WAIT_DAYS))
    assert (report.waits_ended, report.waiting, downloaded) == (
        sum(gid % 3 != 0 for gid in gids), 0, [])


def test_a_night_run_again_after_a_kill_takes_the_rest_of_its_turn(store: WaitStore) -> None:
    """Killed at its fifth download by id (four upgraded), the night run again downloads the
    fifth again and the five after it: RETRIES files in all. Counted from a place in the line,
    four shorter, it took ten more (14 in all). Run a third time, the night takes nothing more
    (its files came); the next night takes the next RETRIES."""
    fake, gids = _waiting(store, 30)
    fake.kill_at = gids[4]
    _, killed = _night_downloads(store, fake, _night(1))
    assert killed == gids[:5]
    report, again = _night_downloads(store, fake, _night(1))
    assert (again, report.upgraded) == (gids[4:sync.RETRIES], sync.RETRIES - 4)
    assert _night_downloads(store, fake, _night(1))[1] == []
    report, downloaded = _night_downloads(store, fake, _night(2))
    assert (downloaded, report.upgraded) == (gids[sync.RETRIES:2 * sync.RETRIES], sync.RETRIES)


def test_a_night_synced_twice_downloads_no_file_twice(store: WaitStore) -> None:
    """The morning pass and the nightly run sync the same day: the second takes what is left
    of its RETRIES, none. It took every file tried that day and still waiting again (as a
    run after a kill must, for the one cut short): the same RETRIES downloaded again every
    day they kept failing, 20 a day."""
    fake, gids = _waiting(store, 30)
    for gid in gids:
        fake.downloads.pop(gid)  # these never come
    assert _night_downloads(store, fake, _night(1))[1] == gids[:sync.RETRIES]
    assert _night_downloads(store, fake, _night(1))[1] == []
    assert _night_downloads(store, fake, _night(2))[1] == gids[sync.RETRIES:2 * sync.RETRIES]


def test_a_night_synced_twice_takes_no_more_whatever_the_clock_reads(store: WaitStore) -> None:
    """The night's turn is told by the night synced (`today`) and the athlete's zone, never by
    the machine's clock: with the clock reading months before that night (a clock not pinned
    by a test, or set wrong), the night synced twice took RETRIES files more, each time."""
    fake, gids = _waiting(store, 3 * sync.RETRIES)
    for gid in gids:
        fake.downloads.pop(gid)  # these never come
    with freeze_time("2025-01-01T12:00Z"):
        assert _night_downloads(store, fake, _night(1))[1] == gids[:sync.RETRIES]
        assert _night_downloads(store, fake, _night(1))[1] == []


def test_a_file_a_429_left_unasked_keeps_its_turn(store: WaitStore) -> None:
    """Garmin rate-limits the night's first download by id: Garmin never answered about that
    file, so it was not tried. It keeps the head of the line and comes first the next night,
    with the RETRIES - 1 after it; the night itself does not fail. Counted as tried, it went
    behind the others and waited a night more."""
    fake, gids = _waiting(store, sync.RETRIES + 2)
    fake.fail(rf"{DOWNLOAD}{gids[0]}$", (429, {"Retry-After": "3600"}, b"{}"))
    report, downloaded = _night_downloads(store, fake, _night(1))
    assert (downloaded, report.upgraded, report.waiting) == (gids[:1], 0, len(gids))
    assert report.days is not None and report.skipped[-1].startswith(
        "Garmin Connect asks to wait 3600 s")
    assert _retried(store) == []
    assert _night_downloads(store, fake, _night(2))[1] == gids[:sync.RETRIES]
    report, downloaded = _night_downloads(store, fake, _night(3))
    assert (downloaded, report.waiting) == (gids[sync.RETRIES:], 0)
    synced = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == synced


def test_a_file_garmin_was_down_for_keeps_its_turn(store: WaitStore) -> None:
    """Two downloads by id in a row failing after every attempt are Garmin down: the first
    was journalled as tried all the same (the second not), went behind every other file and
    waited a night more, though Garmin never answered about it. Neither is tried: both come
    first the next night."""
    fake, gids = _waiting(store, sync.RETRIES + 2)
    fake.fail(rf"{DOWNLOAD}(2001|2002)$", *[(500, {}, b"{}")] * 2 * ATTEMPTS)
    report, downloaded = _night_downloads(store, fake, _night(1))
    assert downloaded == [gids[0]] * ATTEMPTS + [gids[1]] * ATTEMPTS
    assert report.skipped[-1].startswith("Garmin Connect kept failing on the download of "
                                         f"activity {gids[1]} (HTTP 500)")
    assert _retried(store) == []
    assert _night_downloads(store, fake, _night(2))[1] == gids[:sync.RETRIES]


def test_a_killed_nights_line_edited_since_is_named_with_its_journal(store: WaitStore) -> None:
    """The night killed between a file's journal line and its commit, the line edited by
    hand since: the next run cannot store it again and says so naming the line's journal
    (where to put it back), as `db rebuild` now does; the file is downloaded again."""
    fake, gids = _waiting(store, 2)
    assert isinstance(store.raw, Journal)
    store.raw.kill_after = 1
    with pytest.raises(Killed):
        store.sync(fake, today=_night(1))
    journal = store.raw.journal(P.name)
    *kept, killed = journal.read_text().splitlines()
    edited = json.loads(killed) | {"fit": "edited by hand"}
    journal.write_text("\n".join([*kept, json.dumps(edited)]) + "\n")
    report = store.sync(fake, today=_night(1))
    assert report.skipped[0].startswith(
        f"journal {journal}: entry garmin-activity {gids[0]} cannot be replayed: ")
    assert (report.upgraded, report.waiting) == (2, 0)
    with pytest.raises(RebuildError, match=f"^journal {journal}: entry garmin-activity"):
        rebuild(store.db, store.raw, P)


@pytest.mark.parametrize("comes", [False, True])
def test_a_kill_between_a_retrys_journal_line_and_its_commit(store: WaitStore,
                                                             comes: bool) -> None:
    """Killed on the last night of a wait, right after its retry's journal line and before
    its commit: the next night stores the killed night's retries as the journal holds them,
    first, so `db rebuild` gives the same tables. The file never came: its wait ends, no
    download tries it again; before, the rebuild had the try and the database never did.
    The file came that night (`comes`): it is stored; replayed after the next night ended
    the waits, it found its activity a summary for good and was dropped as already stored,
    the run counted from its summary for ever (no laps, no class), the rebuild had the file."""
    fake, gids = _waiting(store, 1)
    served = fake.downloads.pop(gids[0])
    for night in range(1, sync.WAIT_DAYS - 1):
        _night_downloads(store, fake, _night(night))
    if comes:  # on the wait's last night
        fake.downloads[gids[0]] = served
    assert isinstance(store.raw, Journal)
    store.raw.kill_after = 1
    with pytest.raises(Killed):
        store.sync(fake, today=_night(sync.WAIT_DAYS - 1))
    report = store.sync(fake, today=_night(sync.WAIT_DAYS))
    # the file come is counted as upgraded by the run that stored it again
    assert (report.waits_ended, report.waiting, report.upgraded) == (
        int(not comes), 0, int(comes))
    with store.db() as db:
        assert db.execute(select(m.Activity.content_hash.is_not(None), m.Activity.retried_on)
                          ).all() == [(comes, _night(sync.WAIT_DAYS - 1))]
    synced = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == synced


def test_a_night_repeated_by_a_westward_zone_change_tries_the_files_not_tried_that_night(
        store: WaitStore) -> None:
    """Tokyo's morning pass of 9 July tries RETRIES files; flown to Honolulu, the athlete's
    9 July begins again 19 hours later: a night of its own, whose morning pass tries the next
    RETRIES (none tried in Tokyo that day); its nightly run takes none more. Counted as the
    one night, 9 July in Honolulu tried nothing: no file for 43 hours."""
    fake, gids = _waiting(store, 3 * sync.RETRIES)
    for gid in gids:
        fake.downloads.pop(gid)  # these never come
    tokyo, honolulu = replace(P, tz="Asia/Tokyo"), replace(P, tz="Pacific/Honolulu")

    def downloads(at: str, who: Profile, night: date) -> list[int]:
        before = len(fake.calls)
        with freeze_time(at), mocked(fake):
            sync.sync(store.db, store.raw, who, connect_without_login(), today=night)
        return [int(c.removeprefix(DOWNLOAD)) for c in fake.calls[before:]
                if c.startswith(DOWNLOAD)]

    july9 = _night(1)
    assert downloads("2025-07-08T22:00Z", tokyo, july9) == gids[:sync.RETRIES]  # 07:00 JST
    assert downloads("2025-07-09T17:00Z", honolulu, july9) == gids[  # 07:00 HST, 9 July again
        sync.RETRIES:2 * sync.RETRIES]
    assert downloads("2025-07-10T07:30Z", honolulu, july9) == []  # 21:30 HST: the same night
    assert downloads("2025-07-10T17:00Z", honolulu, july9 + timedelta(days=1)) == gids[
        2 * sync.RETRIES:]
    with store.db() as db:  # as `db rebuild` would make them
        tried = dict(db.execute(select(m.Activity.garmin_id, m.Activity.retried_on)).all())
    assert tried == {e["garmin_id"]: date.fromisoformat(e["night"])
                     for e in store.raw.entries(P.name) if e["kind"] == RETRIED}


def test_a_wait_from_before_migration_0014_is_retried_from_its_journalled_list_item(
        store: WaitStore) -> None:
    """A row awaiting its file from before migration 0014 has no digest of its list item: the
    journal is read for it, once, and its file is stored as the others' are."""
    fake, gids = _waiting(store, 3)
    with transaction(store.db) as db:
        db.execute(update(m.Activity).where(m.Activity.garmin_id == gids[1])
                   .values(awaits_summary=None))
    assert isinstance(store.raw, Journal)
    store.raw.reads = 0
    report, downloaded = _night_downloads(store, fake, _night(1))
    assert (downloaded, report.upgraded, report.waiting, store.raw.reads) == (gids, 3, 0, 1)


def test_a_file_come_is_tried_in_its_own_line_and_commit(store: WaitStore) -> None:
    """Killed right after the line of the second file's download (its file come), before its
    commit: the night run again stores it from that line, as `db rebuild` does, downloads
    the third, and every file that came is tried that night. A try on a line of its own after
    the file's commit, killed between, left a file come and never tried (the turn
    miscounted). Both are counted as upgraded: the one stored from the line was not."""
    fake, gids = _waiting(store, 3)
    assert isinstance(store.raw, Journal)
    store.raw.kill_after = 2
    assert _night_downloads(store, fake, _night(1))[1] == gids[:2]
    report, downloaded = _night_downloads(store, fake, _night(1))
    assert (downloaded, report.upgraded, report.waiting) == (gids[2:], 2, 0)
    with store.db() as db:
        assert set(db.execute(select(m.Activity.retried_on, m.Activity.content_hash.is_not(
            None)))) == {(_night(1), True)}
    synced = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == synced


@pytest.mark.parametrize("edited", ["not a digest", "another object's"])
def test_a_hand_edited_digest_of_a_wait_from_before_0014_is_named_not_raised(
        store: WaitStore, edited: str) -> None:
    """A wait from before migration 0014 whose journalled list item was edited by hand (its
    digest no longer one, or that of another object in the raw store): that file cannot be
    downloaded by id, and the night says so in one line naming the journal and the line,
    with the fix; the other files come, the wait and its row stay. It raised a ValueError,
    or for another object (JSON, not the activity's list item) an AttributeError: a
    traceback, the night failed."""
    fake, gids = _waiting(store, 2)
    hand = "edited by hand" if edited == "not a digest" else store.raw.put_json(["a list"])
    with transaction(store.db) as db:
        digest = db.scalar(select(m.Activity.awaits_summary).where(
            m.Activity.garmin_id == gids[0]))
        db.execute(update(m.Activity).where(m.Activity.garmin_id == gids[0])
                   .values(awaits_summary=None))
    journal = store.raw.root / "journal" / f"{P.name}.jsonl"
    journal.write_text(journal.read_text().replace(str(digest), hand))
    report, downloaded = _night_downloads(store, fake, _night(1))
    assert (downloaded, report.upgraded, report.waiting) == (gids[1:], 1, 1)
    assert report.skipped == [
        f"journal {journal}: the last garmin-activity line of activity {gids[0]} holds "
        f"{hand!r} for its list item, not the digest of that item in the raw store: put back "
        "the one it held (db rebuild refuses the line too); its file is not downloaded until "
        "then"]
    with store.db() as db:
        assert db.scalar(select(m.Activity.awaits_file).where(
            m.Activity.garmin_id == gids[0])) is True
    with pytest.raises(RebuildError, match=f"garmin-activity {gids[0]} cannot be replayed"):
        rebuild(store.db, store.raw, P)


def test_a_multisport_leg_whose_parents_file_came_is_not_tried(store: WaitStore) -> None:
    """A brick and its run leg both wait; the parent's file, when it comes, is the leg's too:
    the leg, upgraded with it, is neither downloaded nor journalled as tried."""
    fake = Garmin()
    fake.items += [list_item(2201, OLD, "multi_sport", 50, parent=True, childIds=[2202]),
                   list_item(2202, OLD + timedelta(minutes=30), "running", 20, parentId=2201)]
    assert store.sync(fake, today=TODAY, since=OLD.date()).waiting == 2
    fake.downloads[2201] = fake.downloads[2202] = zipped("2201_ACTIVITY.fit", multisport_fit(
        OLD, [LegSpec("cycling", [LapSpec(1800, 8.0, 140)]),
              LegSpec("running", [LapSpec(1200, 3.2, 150)])]))
    report, downloaded = _night_downloads(store, fake, _night(1))
    assert (downloaded, report.upgraded, report.waiting, _retried(store)) == (
        [2201], 2, 0, [2201])


def test_files_whose_list_items_are_lost_do_not_keep_the_head_of_the_line(
        store: WaitStore) -> None:
    """A raw store swapped under the database lost the list items of the RETRIES oldest files
    waiting: they cannot be downloaded by id (nothing to store them from), but their turn is
    taken all the same, so the next night goes on to the others. Never journalled as tried,
    they stayed first in line: not one of the others was tried in its 14 days."""
    fake, gids = _waiting(store, sync.RETRIES + 2)
    with store.db() as db:
        lost = db.scalars(select(m.Activity.awaits_summary).where(
            m.Activity.garmin_id.in_(gids[:sync.RETRIES]))).all()
    for digest in lost:
        (store.raw.root / "objects" / str(digest)[:2] / str(digest)).unlink()
    assert _night_downloads(store, fake, _night(1))[1] == []
    report, downloaded = _night_downloads(store, fake, _night(2))
    assert (downloaded, report.upgraded) == (gids[sync.RETRIES:], 2)


def test_a_damaged_retry_line_fails_the_rebuild_in_one_line(store: WaitStore) -> None:
    """A journalled retry without its night (a hand edit, a damaged disk) cannot be replayed:
    `db rebuild` says which line, as for any other, and changes nothing (a TypeError escaped
    it: a traceback)."""
    _waiting(store, 1)
    store.raw.record(P.name, {"kind": RETRIED, "garmin_id": 2001, "night": None})
    before = table_contents(store.db)
    with pytest.raises(RebuildError, match=f"{RETRIED} 2001 cannot be replayed"):
        rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == before


def test_a_leg_whose_turn_comes_before_its_parents_goes_after_it(store: WaitStore) -> None:
    """A brick and its run leg wait behind nine older files: the first night's turn ends at
    the brick, the next night's begins with the leg (never tried), and Garmin now serves
    the file. The leg's download is the parent's whole file: taken first, as the leg's, its
    cycling session took the leg's id and the parent's summary was dropped. Its parent goes
    with it, just before it, as in a list: the file is the parent's, the leg's session in
    it upgrades the leg, which is not downloaded (nor journalled as tried)."""
    fake = Garmin()
    older = list(range(2001, 2010))
    for n, gid in enumerate(older):
        fake.add_run(gid, OLD - timedelta(days=5 - n // 3, hours=-4 * (n % 3)), minutes=1)
        fake.downloads.pop(gid)  # these never come
    fake.items += [list_item(2201, OLD, "multi_sport", 50, parent=True, childIds=[2202]),
                   list_item(2202, OLD + timedelta(minutes=30), "running", 20, parentId=2201)]
    since = (OLD - timedelta(days=6)).date()
    assert store.sync(fake, today=TODAY, since=since).waiting == len(older) + 2
    assert _night_downloads(store, fake, _night(1))[1] == [*older, 2201]
    fake.downloads[2201] = fake.downloads[2202] = zipped("2201_ACTIVITY.fit", multisport_fit(
        OLD, [LegSpec("cycling", [LapSpec(1800, 8.0, 140)]),
              LegSpec("running", [LapSpec(1200, 3.2, 150)])]))
    report, downloaded = _night_downloads(store, fake, _night(2))
    assert (downloaded, report.upgraded, report.waiting) == ([2201, *older], 2, len(older))
    with store.db() as db:
        assert list(db.execute(select(m.Activity.sport, m.Activity.garmin_id).where(
            m.Activity.start_utc >= OLD).order_by(m.Activity.start_utc))) == [
            ("cycling", 2201), ("running", None)]
    synced = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == synced


def test_waits_stored_at_migration_0013_are_retried_after_the_upgrade(
        store: WaitStore, db_url: str) -> None:
    """A database at 0013 holding waits (no digests, none tried): upgraded to 0014, each is
    retried from the list item journalled for it, never tried first, the RETRIES oldest the
    first night; once the waits are over, `db rebuild` gives the same tables (it knows the
    digests the migration could not, while the files are awaited)."""
    fake, gids = _waiting(store, sync.RETRIES + 2)
    for gid in gids[6:]:
        fake.downloads.pop(gid)  # these never come
    engine = make_engine(db_url)
    _downgrade(engine, "0013")
    upgrade(engine)
    with store.db() as db:
        assert set(db.execute(select(m.Activity.awaits_summary, m.Activity.retried_on))) == {
            (None, None)}
    report, downloaded = _night_downloads(store, fake, _night(1))
    assert (downloaded, report.upgraded) == (gids[:sync.RETRIES], 6)
    assert _night_downloads(store, fake, _night(2))[1] == gids[sync.RETRIES:] + gids[6:10]
    report = _night_downloads(store, fake, _night(sync.WAIT_DAYS))[0]
    assert (report.waits_ended, report.waiting) == (len(gids) - 6, 0)
    synced = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == synced


def test_a_file_failing_alone_at_the_end_of_its_turn_is_tried(store: WaitStore) -> None:
    """The turn's last download failing after every attempt: no later call of the night told
    its own failure from Garmin down, so it was never journalled as tried and kept the head
    of the line. One call more tells: Garmin answers it, the file was tried (and goes behind
    the others); Garmin failing on it too is Garmin down, and the file keeps its place."""
    fake, gids = _waiting(store, 2)
    fake.fail(rf"{DOWNLOAD}{gids[1]}$", *[(500, {}, b"{}")] * ATTEMPTS)
    report, downloaded = _night_downloads(store, fake, _night(1))
    assert (downloaded, report.upgraded, report.waiting) == ([gids[0]] + [gids[1]] * ATTEMPTS,
                                                             1, 1)
    assert _retried(store) == gids
    fake.fail(rf"{DOWNLOAD}{gids[1]}$", *[(500, {}, b"{}")] * ATTEMPTS)
    fake.fail("/userprofile-service/socialProfile", *[(500, {}, b"{}")] * ATTEMPTS)
    report = _night_downloads(store, fake, _night(2))[0]
    assert report.skipped[-1] == (
        f"Garmin Connect kept failing on the user profile (HTTP 500) after {ATTEMPTS} attempts, "
        f"a check asked because the download of activity {gids[1]} kept failing: Garmin "
        "Connect is down, not that file; nothing to do, the next sync downloads it and the "
        "other files awaited again")
    assert _retried(store) == gids  # not tried on the second night


RATE_LIMITED_SAID = ("Garmin Connect is rate-limiting this account (too many requests: not down, "
                "and not that file); nothing to do, no sync by hand meanwhile")


@pytest.mark.parametrize("answers, happened, said", [
    ([(429, {}, b"{}")] * ATTEMPTS,
     f"Garmin Connect kept rate-limiting the user profile (HTTP 429) after {ATTEMPTS} attempts",
     RATE_LIMITED_SAID),
    ([(429, {"Retry-After": "3600"}, b"{}")],
     "Garmin Connect asks to wait 3600 s (429 on the user profile)", RATE_LIMITED_SAID),
    ([(503, {"Retry-After": "3600"}, b"{}")],
     "Garmin Connect asks to wait 3600 s (503 on the user profile)",
     "Garmin Connect is not answering for now, not that file; nothing to do"),
], ids=["429 every attempt", "429 wait an hour", "503 wait an hour"])
def test_a_check_rate_limited_or_asked_to_wait_says_so_not_garmin_down(
        store: WaitStore, answers: list[tuple[int, dict[str, str], bytes]],
        happened: str, said: str) -> None:
    """The check after the turn's last download kept failing answered 429: Garmin is up and
    asks this account for fewer calls; or a 5xx asking to wait longer than we do: Garmin is
    not answering for now. The line says which (it said "Garmin Connect is down") and what to
    do. The file keeps its place, as when Garmin is down."""
    fake, gids = _waiting(store, 2)
    fake.fail(rf"{DOWNLOAD}{gids[1]}$", *[(500, {}, b"{}")] * ATTEMPTS)
    fake.fail("/userprofile-service/socialProfile", *answers)
    report = _night_downloads(store, fake, _night(1))[0]
    assert report.skipped[-1] == (
        f"{happened}, a check asked because the download of activity {gids[1]} kept failing: "
        f"{said}, the next sync downloads it and the other files awaited again")
    assert _retried(store) == gids[:1]  # the file not told apart keeps its place


def _brick(fake: Garmin, at: datetime) -> None:
    """A brick (multisport parent 2201) and its run leg 2202, whose download is the
    parent's whole file."""
    fake.items += [list_item(2201, at, "multi_sport", 50, parent=True, childIds=[2202]),
                   list_item(2202, at + timedelta(minutes=30), "running", 20, parentId=2201)]
    fake.downloads[2201] = fake.downloads[2202] = zipped("2201_ACTIVITY.fit", multisport_fit(
        at, [LegSpec("cycling", [LapSpec(1800, 8.0, 140)]),
             LegSpec("running", [LapSpec(1200, 3.2, 150)])]))


BROKEN = ("Garmin Connect kept failing on the download of activity 2201 (HTTP 500) after 4 "
          "attempts; counted from its summary until the file arrives (the next sync tries "
          "again)")


def test_a_multisport_parent_whose_file_alone_fails_is_that_file_not_garmin_down(
        store: WaitStore) -> None:
    """Awaited by id: the leg's download, the parent's file Garmin just kept failing on,
    failed too, and two failures in a row read as Garmin down each night. The leg is not
    downloaded: the night names the one file, and both are tried (the day's next call
    answers)."""
    fake = Garmin()
    _brick(fake, OLD)
    files = {gid: fake.downloads.pop(gid) for gid in (2201, 2202)}
    assert store.sync(fake, today=TODAY, since=OLD.date()).waiting == 2
    fake.downloads.update(files)
    fake.fail(rf"{DOWNLOAD}220[12]$", *[(500, {}, b"{}")] * 2 * ATTEMPTS)
    report, downloaded = _night_downloads(store, fake, _night(1))
    assert (downloaded, report.waiting) == ([2201] * ATTEMPTS, 2)
    assert [line for line in report.skipped if "220" in line] == [BROKEN]
    assert _retried(store) == [2201, 2202]


def test_a_listed_multisport_parent_whose_file_alone_fails_does_not_fail_the_night(
        store: WaitStore) -> None:
    """Listed: the leg's download failing after the parent's was Garmin down, and the whole
    night failed (GarminUnavailable) on one broken file. Both wait for it, the night goes on,
    one line names it; it comes the next night."""
    fake = Garmin()
    _brick(fake, datetime.combine(TODAY, time(6), UTC))
    fake.fail(rf"{DOWNLOAD}220[12]$", *[(500, {}, b"{}")] * 2 * ATTEMPTS)
    report, downloaded = _night_downloads(store, fake, TODAY)
    assert (downloaded, report.waiting) == ([2201] * ATTEMPTS, 2) and report.days_stored
    assert [line for line in report.skipped if "220" in line] == [BROKEN]
    fake.faults.clear()  # the leg's download's, not asked for
    report, downloaded = _night_downloads(store, fake, _night(1))
    assert (downloaded, report.upgraded, report.waiting) == ([2201], 2, 0)
