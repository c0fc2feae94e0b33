"""A run whose file a sync could not download is downloaded again at the next syncs for
WAIT_DAYS from the night it was first stored (not from its day), then stays its summary for
good. One older than LATE_DAYS, which no list holds again (the first sync's 120 days, a `sync
--since`), is retried by its id from its journalled summary, RETRIES a night at most, in turn.
The fake Garmin through garminconnect's real code path, real databases (PostgreSQL too, with
STRIDELIFT_TEST_PG_URL), the real analysis."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from analysis.classify import AWAITED_FILE
from db import activities, repo
from db import models as m
from db.raw import RawStore
from db.session import open_db, transaction
from ingest import sync
from ingest.garmin_activity import activity_from_summary
from ingest.rebuild import rebuild
from jobs.analyse import analyse
from tests.garmin_fake import FakeGarmin, Reply, table_contents
from tests.test_sync_wait import LONG_RUN, P, WaitStore, _downloads, _late_long_run

TODAY = date(2025, 7, 8)  # the first sync's night: it backfills from 2025-03-11
OLD = datetime(2025, 5, 10, 6, tzinfo=UTC)  # 59 days back: no list after the first holds it
ATTEMPTS = 4  # fast_policy's
# a 500 for this file alone, every attempt: passed over
FAILS: list[Reply] = [(500, {}, b"")] * ATTEMPTS


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> WaitStore:
    return WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))


def _old_and_recent() -> FakeGarmin:
    fake = FakeGarmin()
    fake.add_run(901, OLD, minutes=60)
    fake.add_run(902, datetime(2025, 7, 6, 6, tzinfo=UTC), minutes=30)
    return fake


def _night(day: int) -> date:
    return TODAY + timedelta(days=day)


def _loads(store: WaitStore, day: date) -> list[float]:
    with store.db() as session:
        who = repo.athlete(session, P)
        return [load for _, load, _ in activities.daily_loads(session, who, day, day)]


def _synced(store: WaitStore) -> dict[str, list[str]]:
    """The tables a sync writes and `db rebuild` recreates (not the analysis's)."""
    return {name: rows for name, rows in table_contents(store.db).items() if name in (
        "activities", "laps", "streams", "strength_sets", "wellness", "sync_cursors")}


def _journalled(store: WaitStore, kind: str, gid: int) -> int:
    return sum(e["kind"] == kind and e["garmin_id"] == gid for e in store.raw.entries(P.name))


def test_a_file_the_first_sync_failed_on_comes_the_next_night(store: WaitStore,
                                                              tmp_path: Path) -> None:
    """One 500 during the backfill stored the 59-day-old run from its summary for good (no
    list holds it again): it waits, the next night downloads it by its id and upgrades the
    row in place, and its load counts once, as if the file had come the first night."""
    fake = _old_and_recent()
    fake.fail(r"/files/activity/901$", *FAILS)
    report = store.sync(fake, today=TODAY)  # the first sync: no cursor, no --since
    assert report.activities == (TODAY - timedelta(days=sync.BACKFILL_DAYS - 1), TODAY)
    assert (report.new, report.waiting, report.summary_only) == (2, 1, 0)
    assert report.skipped == [
        "Garmin Connect kept failing on the download of activity 901 (HTTP 500) after 4 "
        "attempts; counted from its summary until the file arrives (the next sync tries again)"]
    waiting = store.rows()[0]
    assert (waiting.garmin_id, waiting.awaits_file, waiting.awaits_since) == (901, True, TODAY)
    with transaction(store.db) as db:
        analyse(db, P, TODAY)
    assert store.reasons(901)[-1] == AWAITED_FILE

    report = store.sync(fake, today=_night(1))  # its day is 60 days back: not listed
    assert (report.new, report.upgraded, report.waiting, report.skipped) == (0, 1, 0, [])
    assert report.counts()["activities_upgraded"] == 1
    upgraded = store.rows()[0]
    assert (upgraded.id, upgraded.awaits_file, upgraded.awaits_since) == (waiting.id, False, None)
    assert upgraded.content_hash is not None and len(upgraded.laps) == 1
    assert upgraded.stream is not None and upgraded.stream.heart_rate is not None
    assert len(store.rows()) == 2
    with transaction(store.db) as db:
        analyse(db, P, _night(1))
    assert AWAITED_FILE not in store.reasons(901)
    assert _downloads(fake, 901) == ATTEMPTS + 1
    store.sync(fake, today=_night(2))
    assert _downloads(fake, 901) == ATTEMPTS + 1  # stored with its file: not asked again

    clean = WaitStore(open_db(f"sqlite:///{tmp_path / 'clean.db'}"), RawStore(tmp_path / "c"))
    clean.sync(_old_and_recent(), today=_night(1), since=OLD.date())  # no 500: the file at once
    with transaction(clean.db) as db:
        analyse(db, P, _night(1))
    [load] = _loads(store, OLD.date())
    assert load > 0 and [load] == _loads(clean, OLD.date())
    synced = _synced(store)
    rebuild(store.db, store.raw, P)
    assert _synced(store) == synced


def test_a_file_that_never_comes_is_tried_for_wait_days_from_its_first_store(
        store: WaitStore) -> None:
    """Each night within WAIT_DAYS of the first sync downloads it by its id; then its wait
    ends once (one journal entry), it stays its summary, and it is never downloaded again."""
    fake = _old_and_recent()
    fake.downloads.pop(901)  # a 404, every night
    store.sync(fake, today=TODAY)
    for day in range(1, sync.WAIT_DAYS):
        report = store.sync(fake, today=_night(day))
        assert (report.waiting, report.waits_ended, report.upgraded) == (1, 0, 0)
    assert _downloads(fake, 901) == sync.WAIT_DAYS
    report = store.sync(fake, today=_night(sync.WAIT_DAYS))
    assert (report.waits_ended, report.waiting) == (1, 0)
    row = store.rows()[0]
    assert (row.garmin_id, row.awaits_file, row.awaits_since, row.content_hash) == (
        901, False, None, None)
    assert row.duration_s == 3600.0
    for day in (1, 2):
        assert store.sync(fake, today=_night(sync.WAIT_DAYS + day)).waits_ended == 0
    assert _downloads(fake, 901) == sync.WAIT_DAYS
    assert _journalled(store, sync.WAIT_ENDED, 901) == 1
    synced = _synced(store)
    rebuild(store.db, store.raw, P)
    assert _synced(store) == synced


def test_many_waiting_files_are_retried_a_few_a_night_each_in_its_turn(
        store: WaitStore) -> None:
    """A backfill with more failures than RETRIES: each night downloads RETRIES of them by
    id, the oldest first, the next night the RETRIES after those, round again: none is left
    behind by files that keep failing at the head of the line."""
    fake = FakeGarmin()
    gids = list(range(1001, 1001 + sync.RETRIES + 3))
    for n, gid in enumerate(gids):
        fake.add_run(gid, OLD + timedelta(days=n))
        fake.downloads.pop(gid)
    store.sync(fake, today=TODAY)
    assert store.sync(fake, today=_night(1)).waiting == len(gids)

    def tried() -> list[int]:
        return [gid for gid in gids if _downloads(fake, gid) == 2]

    assert tried() == gids[:sync.RETRIES]
    store.sync(fake, today=_night(2))
    assert [_downloads(fake, gid) for gid in gids] == (
        [3] * (sync.RETRIES - 3) + [2] * 3 + [2] * 3)  # the 3 left, then round again


def test_retries_garmin_keeps_failing_on_stop_for_the_night_and_fail_nothing(
        store: WaitStore) -> None:
    """Two downloads in a row failing after every attempt is Garmin down: the retries stop
    until the next sync, and the night (its days synced already) goes on: left to end the
    sync, old files failed the plan every night of their wait."""
    fake = FakeGarmin()
    for gid, days in ((911, 0), (912, 1), (913, 2)):
        fake.add_run(gid, OLD + timedelta(days=days))
    files = {gid: fake.downloads.pop(gid) for gid in (911, 912, 913)}
    store.sync(fake, today=TODAY)
    fake.downloads.update(files)
    fake.fail(r"/files/activity/91[12]$", *FAILS, *FAILS)
    report = store.sync(fake, today=_night(1))
    assert (report.upgraded, report.waiting) == (0, 3) and report.days is not None
    assert report.days_stored == (report.days[1] - report.days[0]).days + 1
    assert report.skipped[-1] == (
        "Garmin Connect kept failing on the download of activity 912 (HTTP 500) after 4 "
        "attempts; the other files awaited are downloaded again at the next sync")
    assert _downloads(fake, 913) == 1
    report = store.sync(fake, today=_night(2))
    assert (report.upgraded, report.waiting) == (3, 0)


def test_a_wait_from_before_migration_0013_counts_from_its_own_day(store: WaitStore) -> None:
    """A row awaiting its file from before migration 0013 (a journalled entry without
    awaits_since replays so too) counts its wait from its own day: it ends LATE_DAYS after."""
    fake = _late_long_run()
    fake.downloads.pop(501)
    day = LONG_RUN.date()
    with transaction(store.db) as db:
        saved = repo.save_activities(db, repo.athlete(db, P), [activity_from_summary(
            fake.items[0])], None, 501, awaits_file=True)
    assert saved.new == 1 and store.rows()[0].awaits_since is None
    store.sync(fake, today=day, since=day)
    assert store.sync(fake, today=day + timedelta(days=sync.LATE_DAYS - 1)).waiting == 1
    report = store.sync(fake, today=day + timedelta(days=sync.LATE_DAYS))
    assert (report.waits_ended, report.waiting) == (1, 0)


def test_a_429_on_a_retry_stops_the_retries_for_the_night_at_its_first_answer(
        store: WaitStore) -> None:
    """Garmin asking to wait an hour is the account's limit, not one file's: no other file is
    asked for that night (each would meet the same limit), the night's days stay synced, the
    waits stay, and the next night downloads them."""
    fake = FakeGarmin()
    gids = (921, 922, 923)
    for n, gid in enumerate(gids):
        fake.add_run(gid, OLD + timedelta(days=n))
    files = {gid: fake.downloads.pop(gid) for gid in gids}
    store.sync(fake, today=TODAY)
    fake.downloads.update(files)
    fake.fail(r"/files/activity/92\d$", (429, {"Retry-After": "3600"}, b"{}"))
    report = store.sync(fake, today=_night(1))
    assert (report.upgraded, report.waiting) == (0, 3) and report.days is not None
    assert report.days_stored == (report.days[1] - report.days[0]).days + 1
    assert report.skipped == [
        "Garmin Connect asks to wait 3600 s (429 on the download of activity 921); the other "
        "files awaited are downloaded again at the next sync"]
    assert [_downloads(fake, gid) for gid in gids] == [2, 1, 1]  # one request, no backoff
    report = store.sync(fake, today=_night(2))
    assert (report.upgraded, report.waiting) == (3, 0)


def test_a_month_answering_after_one_garmin_kept_failing_on_clears_the_failure(
        store: WaitStore) -> None:
    """"The last call kept failing" (a second in a row is Garmin down) is cleared by the next
    calendar month answering: a retry Garmin then fails on alone is passed over, and the next
    file awaited is still downloaded that night."""
    fake = FakeGarmin()
    for gid, days in ((931, 0), (932, 1)):
        fake.add_run(gid, OLD + timedelta(days=days))
    files = {gid: fake.downloads.pop(gid) for gid in (931, 932)}
    store.sync(fake, today=TODAY)
    fake.downloads.update(files)
    fake.calendar = [{"date": "2025-08-02", "itemType": "workout", "title": "Long run",
                      "sportTypeKey": "running"}]
    fake.fail("/calendar-service/year/2025/month/6$", *FAILS)  # July (Garmin counts from 0)
    fake.fail(r"/files/activity/931$", *FAILS)
    report = store.sync(fake, today=_night(1))
    with store.db() as session:
        assert session.scalars(select(m.PlannedRun.title)).all() == ["Long run"]
    assert (report.upgraded, report.waiting) == (1, 1)
    assert [_downloads(fake, gid) for gid in (931, 932)] == [1 + ATTEMPTS, 2]
    assert _journalled(store, "garmin-file-retried", 931) == 1  # its failure its own
