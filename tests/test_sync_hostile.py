"""Garmin answers no recording holds, found by a sweep of hostile variants of the recorded
ones, through the whole sync: garminconnect's own code against the fake Garmin served through
`responses`, a real database and raw store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from db import models as m
from db import session as session_module
from db.errors import DatabaseError
from db.raw import RawStore, sha256
from db.session import open_db, upgrade
from demo.fitwrite import LapSpec, run_fit, strength_fit
from ingest.garmin import GarminRateLimited
from ingest.sync_report import SyncReport
from jobs.config import Paths, load
from jobs.home import Home
from jobs.storage import CheckReport, check_database
from tests.garmin_fake import FakeGarmin, list_item, own_day_bodies, recorded, zipped
from tests.test_db import _downgrade
from tests.test_sync import PROFILE, TODAY, Store, T, _dated


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Store:
    """A fresh database on each backend (PostgreSQL with STRIDELIFT_TEST_PG_URL)."""
    return Store(open_db(db_url), RawStore(tmp_path / "raw"))


@pytest.mark.parametrize("gid", [2**63, 2**70, 0, -5, True], ids=str)
def test_a_list_item_whose_id_no_activity_has_is_skipped_not_the_night(store: Store,
                                                                        gid: Any) -> None:
    """An id past the 64-bit column failed the night at its insert, with a traceback, every
    night after it too; an id of 0, below it or a boolean was stored as an activity."""
    report = _beside_a_run(store, {"activityId": gid})
    assert report.skipped == ["an activity list item without a usable id or start time"]
    assert (report.new, set(store.activities())) == (1, {811})


@pytest.mark.parametrize("start", ["9999-12-31 23:00:00", "0001-01-01 00:30:00",
                                   "1899-12-31 23:59:59"])
def test_a_start_no_recording_can_have_is_skipped_not_every_night(store: Store,
                                                                  start: str) -> None:
    """A typed-in run listed for its (local) day with a startTimeGMT near datetime's ends: the
    one at the end failed the sync at its insert, with a traceback; the one at the start was
    stored, and every night after failed in the analysis (date out of range). A start before
    1900, or after a FIT timestamp's last, is no start."""
    report = _beside_a_run(store, {"startTimeGMT": start})
    assert report.skipped == ["an activity list item without a usable id or start time"]
    assert (report.new, set(store.activities())) == (1, {811})


def test_a_manual_run_typed_in_before_the_fit_epoch_is_stored(store: Store) -> None:
    """A race of 1988 typed into Connect by hand: before any FIT file, still a run."""
    report = _beside_a_run(store, {"startTimeGMT": "1988-05-01 08:00:00"})
    assert not any("usable id or start" in why for why in report.skipped), report.skipped
    assert set(store.activities()) == {811, 812}  # from its summary: Garmin has no file of it


def _beside_a_run(store: Store, fields: dict[str, Any], **kwargs: Any) -> SyncReport:
    """A sync of one run (811) and a run typed in three hours later (812) whose list item
    Garmin sends with `fields`."""
    fake = FakeGarmin()
    fake.add_run(811, T)
    fake.items.append(list_item(812, T + timedelta(hours=3), manualActivity=True) | fields)
    return store.sync(fake, since=date(2025, 7, 3), **kwargs)


NOT_AFTER = datetime(2025, 7, 9, 10, tzinfo=UTC)  # the day after TODAY: the sync's clock's limit
CLOCK_WRONG = ("more than a day from now: the watch's clock was set wrong when it recorded (set "
               "its date and time), so no day can hold it")


@pytest.mark.parametrize(("manual", "why"), [
    (True, "more than a day from now: typed into Garmin Connect with that date (correct it "
           "there), so no day can hold it"),
    (False, CLOCK_WRONG)], ids=["typed-in", "recorded"])
def test_a_summary_dated_more_than_a_day_from_now_is_skipped_as_import_refuses_it(
        store: Store, manual: bool, why: str) -> None:
    """Listed for a day of the window, its start years ahead: stored from its summary in 2100
    (no file came), it made `replay` replay 2100, as a FIT file so dated did before `import`
    refused it. The limit is the caller's (jobs.clock.latest_start)."""
    start = {"startTimeGMT": "2100-01-01 08:00:00", "manualActivity": manual}
    report = _beside_a_run(store, start, not_after=NOT_AFTER)
    assert report.skipped == [f"Garmin activity 812: dated Fri 01 Jan 2100 08:00 UTC, {why}"]
    assert (report.new, set(store.activities()), report.waiting) == (1, {811}, 0)
    assert [e["garmin_id"] for e in store.raw.entries(PROFILE.name)
            if e["kind"] == "garmin-activity"] == [811]  # nothing of it half-stored


def test_a_download_dated_more_than_a_day_from_now_is_skipped_as_import_refuses_it(
        store: Store) -> None:
    """Its summary in the window, its file's session a month ahead (the watch's clock set
    wrong): stored on that day, in every plan's history once it came. Skipped, named, before
    its file reaches the raw store; the rest of the night goes on."""
    fake = FakeGarmin()
    fake.add_run(811, T)
    fake.add_run(814, T + timedelta(hours=3))
    ahead = run_fit(datetime(2025, 8, 5, 6, tzinfo=UTC), [LapSpec(600, 3.0, 145)], seed=814)
    fake.downloads[814] = zipped("814_ACTIVITY.fit", ahead)
    report = store.sync(fake, since=date(2025, 7, 3), not_after=NOT_AFTER)
    assert report.skipped == [f"Garmin activity 814: dated Tue 05 Aug 2025 06:00 UTC, "
                              f"{CLOCK_WRONG}"]
    assert (report.new, set(store.activities()), report.days_stored) == (1, {811}, 6)
    with pytest.raises(FileNotFoundError):
        store.raw.get(sha256(ahead))
    # nothing of it in the way of a night whose limit it is within
    assert store.sync(fake, not_after=datetime(2025, 8, 6, tzinfo=UTC)).new == 1


def test_a_download_dated_ahead_is_downloaded_once_until_its_date_passed(store: Store) -> None:
    """Listed LATE_DAYS nights, it was downloaded each of them to be refused again. The first
    night notes its date (not its file): the next nights skip it, named, without a download,
    until a night whose limit it is within downloads and stores it."""
    fake = FakeGarmin()
    fake.add_run(814, T + timedelta(hours=3))
    ahead = run_fit(datetime(2025, 8, 5, 6, tzinfo=UTC), [LapSpec(600, 3.0, 145)], seed=814)
    fake.downloads[814] = zipped("814_ACTIVITY.fit", ahead)
    skipped = [f"Garmin activity 814: dated Tue 05 Aug 2025 06:00 UTC, {CLOCK_WRONG}"]
    assert store.sync(fake, since=date(2025, 7, 3), not_after=NOT_AFTER).skipped == skipped
    report = store.sync(fake, today=TODAY + timedelta(days=1),
                        not_after=NOT_AFTER + timedelta(days=1))
    assert (report.skipped, report.new) == (skipped, 0)
    downloads = [c for c in fake.calls if c.endswith("/download-service/files/activity/814")]
    assert len(downloads) == 1
    report = store.sync(fake, today=TODAY + timedelta(days=2),
                        not_after=datetime(2025, 8, 6, tzinfo=UTC))
    assert (report.skipped, report.new, set(store.activities())) == ([], 1, {814})
    assert _notes(store) == {}  # taken: its note went with it


def _ahead_a_month(store: Store) -> FakeGarmin:
    """Run 814 listed for 5 Jul, its file dated 5 Aug (the watch's clock a month ahead),
    refused and noted by the night of 8 Jul; then nightly syncs to 4 Aug, whose limit it is
    still after, move the list's window past 5 Jul."""
    fake = FakeGarmin()
    fake.add_run(814, T + timedelta(hours=3))
    ahead = run_fit(datetime(2025, 8, 5, 6, tzinfo=UTC), [LapSpec(600, 3.0, 145)], seed=814)
    fake.downloads[814] = zipped("814_ACTIVITY.fit", ahead)
    _month_of_nights(store, fake)
    return fake


def _month_of_nights(store: Store, fake: FakeGarmin) -> None:
    store.sync(fake, since=date(2025, 7, 3), not_after=NOT_AFTER)
    store.sync(fake, today=date(2025, 7, 22), not_after=datetime(2025, 7, 23, tzinfo=UTC))
    store.sync(fake, today=date(2025, 8, 4), not_after=datetime(2025, 8, 5, tzinfo=UTC))


def test_a_download_dated_further_ahead_than_the_list_reaches_is_taken_on_its_date(
        store: Store) -> None:
    """Its file a month after its list item's day: the nightly lists LATE_DAYS days again, so
    by the night its date came within the limit no list held it, and only `sync --since`
    took it. The night its date comes lists its day again and takes it, once; its note
    goes with it, in the same transaction."""
    fake = _ahead_a_month(store)
    assert "ahead:814" in _notes(store)
    report = store.sync(fake, today=date(2025, 8, 5), not_after=datetime(2025, 8, 6, tzinfo=UTC))
    assert (report.skipped, report.new, set(store.activities())) == ([], 1, {814})
    assert _notes(store) == {}
    day_listed = "/activities?startDate=2025-07-05&endDate=2025-07-05&"
    assert sum(day_listed in call for call in fake.calls) == 1
    report = store.sync(fake, today=date(2025, 8, 6), not_after=datetime(2025, 8, 7, tzinfo=UTC))
    assert (report.new, sum(day_listed in call for call in fake.calls)) == (0, 1)


def test_a_note_of_a_file_dated_ahead_deleted_in_garmin_goes(store: Store) -> None:
    """Deleted in Garmin before its date came: its day, listed whole without it, and Garmin
    answering 404 for it, drops the note (else that day was listed again every night). While
    Garmin still has it (a list may miss it), the note stays."""
    fake = _ahead_a_month(store)
    item = fake.items.pop()
    fake.fail("/activity-service/activity/814$", (200, {}, json.dumps(item).encode()))
    later = {"today": date(2025, 8, 5), "not_after": datetime(2025, 8, 6, tzinfo=UTC)}
    assert (store.sync(fake, **later).new, list(_notes(store))) == (0, ["ahead:814"])
    report = store.sync(fake, **later)
    assert (report.skipped, report.new, _notes(store)) == ([], 0, {})


def test_a_file_dated_ahead_whose_day_garmin_fails_to_list_is_taken_the_next_night(
        store: Store) -> None:
    """Its day's list failing (a 404), the night names it and goes on; the note stays, and
    the next night takes the file."""
    fake = _ahead_a_month(store)
    fake.fail(r"/activities\?startDate=2025-07-05&endDate=2025-07-05&", (404, {}, b"{}"))
    report = store.sync(fake, today=date(2025, 8, 5), not_after=datetime(2025, 8, 6, tzinfo=UTC))
    assert (report.skipped, report.new, list(_notes(store))) == (
        ["the activity list 2025-07-05..2025-07-05: Garmin answered 404; its files once dated "
         "ahead are taken at the next sync"], 0, ["ahead:814"])
    report = store.sync(fake, today=date(2025, 8, 6), not_after=datetime(2025, 8, 7, tzinfo=UTC))
    assert (report.skipped, report.new, _notes(store)) == ([], 1, {})


def test_a_429_listing_a_noted_day_again_ends_the_night_and_the_next_takes_the_file(
        store: Store) -> None:
    """Garmin rate-limiting the noted day's list after every retry ends the run, as a 429
    anywhere does (asking on would only meet the same limit, and extend it): the night's
    days after it are not synced, its cursors stay, the note stays; the next night lists
    that day again and takes the file, and the days."""
    fake = _ahead_a_month(store)
    fake.fail(r"/activities\?startDate=2025-07-05&endDate=2025-07-05&",
              *[(429, {}, b"{}")] * 4)  # every attempt of fast_policy
    with pytest.raises(GarminRateLimited, match=r"rate-limiting the activity list 2025-07-05"):
        store.sync(fake, today=date(2025, 8, 5), not_after=datetime(2025, 8, 6, tzinfo=UTC))
    assert list(_notes(store)) == ["ahead:814"] and store.cursors()["wellness"] == "2025-08-04"
    report = store.sync(fake, today=date(2025, 8, 6), not_after=datetime(2025, 8, 7, tzinfo=UTC))
    assert (report.skipped, report.new, _notes(store)) == ([], 1, {})
    assert store.cursors()["wellness"] == "2025-08-06"


def test_a_note_of_a_file_dated_ahead_whose_activity_is_stored_goes(store: Store) -> None:
    """Its download failing the first night, the run counts from its summary; its file, come
    the next night, is dated a month ahead (noted), and its wait ends before that date: the
    activity is stored for good, no file left to take. Its note stayed, and every night from
    its date listed its day again (to find the activity stored: the file never taken)."""
    fake = FakeGarmin()
    fake.add_run(814, T + timedelta(hours=3))
    ahead = run_fit(datetime(2025, 8, 5, 6, tzinfo=UTC), [LapSpec(600, 3.0, 145)], seed=814)
    fake.downloads[814] = zipped("814_ACTIVITY.fit", ahead)
    fake.fail("/download-service/files/activity/814$", (404, {}, b"{}"))
    store.sync(fake, since=date(2025, 7, 3), not_after=NOT_AFTER)
    store.sync(fake, today=TODAY + timedelta(days=1), not_after=NOT_AFTER + timedelta(days=1))
    assert "ahead:814" in _notes(store)
    report = store.sync(fake, today=date(2025, 7, 22),
                        not_after=datetime(2025, 7, 23, tzinfo=UTC))
    assert (report.waits_ended, set(store.activities())) == (1, {814})
    day_listed = "/activities?startDate=2025-07-05&endDate=2025-07-05&"
    for night in (date(2025, 8, 5), date(2025, 8, 6)):
        store.sync(fake, today=night, not_after=datetime.combine(night, time(), UTC)
                   + timedelta(days=1))
    assert (_notes(store), sum(day_listed in call for call in fake.calls)) == ({}, 0)


def test_a_note_of_a_file_dated_ahead_written_without_its_day_goes_and_the_file_is_taken(
        store: Store) -> None:
    """A note written before the list's day was kept ("<start>" only) was never deleted, and
    while its item was listed it kept the file skipped, never noted with its day: once the
    list passed 5 Jul the file was missed for good. Migration 0018 deletes it; the next night
    downloads the file once more and notes it with its day, taken on its date."""
    fake = FakeGarmin()
    fake.add_run(814, T + timedelta(hours=3))
    ahead = run_fit(datetime(2025, 8, 5, 6, tzinfo=UTC), [LapSpec(600, 3.0, 145)], seed=814)
    fake.downloads[814] = zipped("814_ACTIVITY.fit", ahead)
    store.sync(fake, since=date(2025, 7, 3), not_after=NOT_AFTER)
    dated = _notes(store)["ahead:814"]
    engine = store.db.kw["bind"]
    _downgrade(engine, "0017")
    with store.db.begin() as db:  # as the sync before the day was kept wrote it
        db.execute(update(m.SyncCursor).where(m.SyncCursor.stream == "ahead:814")
                   .values(value=dated.partition(" ")[0]))
    upgrade(engine)
    assert _notes(store) == {}
    store.sync(fake, today=TODAY + timedelta(days=1), not_after=NOT_AFTER + timedelta(days=1))
    assert _notes(store) == {"ahead:814": dated}
    _month_of_nights(store, fake)
    report = store.sync(fake, today=date(2025, 8, 5), not_after=datetime(2025, 8, 6, tzinfo=UTC))
    assert (report.new, set(store.activities()), _notes(store)) == (1, {814}, {})


def test_the_sets_of_a_strength_file_dated_ahead_garmin_fails_on_are_asked_again(
        store: Store) -> None:
    """Taken from its day listed again, its sets kept failing: it was stored without them for
    good, as an activity no list holds again, where the next night lists that day again."""
    fake = FakeGarmin()
    fake.add_strength(815, T + timedelta(hours=3))
    fake.downloads[815] = zipped("815_ACTIVITY.fit",
                                 strength_fit(datetime(2025, 8, 5, 6, tzinfo=UTC), []))
    _month_of_nights(store, fake)
    fake.fail("/activity-service/activity/815/exerciseSets$", *[(500, {}, b"{}")] * 4)
    report = store.sync(fake, today=date(2025, 8, 5), not_after=datetime(2025, 8, 6, tzinfo=UTC))
    assert (report.new, list(_notes(store))) == (0, ["ahead:815"])
    report = store.sync(fake, today=date(2025, 8, 6), not_after=datetime(2025, 8, 7, tzinfo=UTC))
    assert (report.skipped, report.new, _notes(store)) == ([], 1, {})
    assert store.activities()[815].sets


def _notes(store: Store) -> dict[str, str]:
    return {stream: value for stream, value in store.cursors().items()
            if stream.startswith("ahead:")}


@pytest.mark.parametrize("parent", [[661], {"activityId": 661}, "no id"], ids=str)
def test_a_parent_id_that_is_no_id_is_no_leg(store: Store, parent: Any) -> None:
    """A list or an object for parentId failed the night (unhashable) where the sync asks
    whether the item is a leg of a multisport activity whose file is stored."""
    fake = FakeGarmin()
    fake.add_run(813, T, parentId=parent)
    report = store.sync(fake, since=date(2025, 7, 3))
    assert (report.new, report.skipped) == (1, [])
    assert store.activities()[813].content_hash is not None


def _checked(folder: Path) -> tuple[Store, Callable[[], CheckReport]]:
    """A store in a home's own places, and `db check` of that home."""
    paths = Paths(folder, folder)
    store = Store(open_db(f"sqlite:///{paths.db_file}"), RawStore(paths.raw_dir))
    return store, lambda: check_database(Home.open(load(paths)), PROFILE)


def test_db_check_finds_nothing_missing_after_garmin_deleted_an_awaited_run(
        tmp_path: Path) -> None:
    """A run whose file never came, deleted in Garmin since, goes (GONE); `db check` named it
    journalled and not stored, told to run `db rebuild` (which removes it again) and failed."""
    store, check = _checked(tmp_path)
    fake = FakeGarmin()
    fake.add_run(821, T)
    fake.downloads.pop(821)  # a 404: awaited
    store.sync(fake, since=date(2025, 7, 3))
    fake.items.clear()  # deleted in Garmin: its page answers 404 too
    assert store.sync(fake).waits_ended == 1 and store.activities() == {}
    assert check().ok
    fake.add_run(821, T)  # back (restored in Garmin): synced again, a journalled key again
    store.sync(fake)
    assert 821 in store.activities() and check().ok


def test_db_check_finds_nothing_missing_for_a_summary_kept_as_the_file_at_its_start(
        tmp_path: Path) -> None:
    """The same run uploaded twice, Garmin's second id without a file: its summary is the file
    stored at its start, and no row holds its id. `db check` named it journalled and not
    stored; a line that would add a row is still named."""
    store, check = _checked(tmp_path)
    fake = FakeGarmin()
    fake.add_run(822, T)
    fake.items.append(list_item(823, T, manualActivity=True))
    assert store.sync(fake, since=date(2025, 7, 3)).already_stored == 1
    assert set(store.activities()) == {822} and check().ok
    with store.db.begin() as session:  # lose the row: now the journal holds what it lacks
        session.execute(delete(m.Activity))
    report = check()
    assert not report.ok
    assert [j.missing for j in report.journal if j.kind == "garmin-activity"] == [["822", "823"]]


def test_db_check_names_a_synced_id_its_file_row_lost(tmp_path: Path) -> None:
    """The row of a synced run is there but no longer holds its Garmin id: `db rebuild` gives
    it back, so the id is journalled and not stored. Its line, stored again, adds no row (the
    file is stored) and was taken for one kept in another's on purpose."""
    store, check = _checked(tmp_path)
    fake = FakeGarmin()
    fake.add_run(824, T)
    store.sync(fake, since=date(2025, 7, 3))
    with store.db.begin() as session:
        session.execute(update(m.Activity).values(garmin_id=None))
    report = check()
    assert [j.missing for j in report.journal if j.kind == "garmin-activity"] == [["824"]]
    assert not report.ok


def test_db_check_beside_a_writing_sync_is_one_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A line stored again to check it (rolled back) writes: a sync holding the database's
    write lock past the busy timeout made that a traceback (OperationalError)."""
    store, check = _checked(tmp_path)
    fake = FakeGarmin()
    fake.add_run(825, T)
    store.sync(fake, since=date(2025, 7, 3))
    with store.db.begin() as session:  # lost: its line, stored again, inserts
        session.execute(delete(m.Activity))
    monkeypatch.setattr(session_module, "BUSY_TIMEOUT_MS", 0)  # give up at once, not in 10 s
    holder = sqlite3.connect(tmp_path / "stridelift.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the sync's write transaction
    try:
        with pytest.raises(DatabaseError, match="stayed locked by another process"):
            check()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [j.missing for j in check().journal if j.kind == "garmin-activity"] == [["825"]]


def test_a_calendar_garmin_always_fails_on_is_passed_over_not_every_night(store: Store) -> None:
    """Its first month kept failing was passed over, and its second, failing in a row, read as
    Garmin down: the sync failed, and every night after it with no plan adapted. Each month
    is passed over; the planned runs stay as stored."""
    fake = _with_a_long_run("2025-07-12")
    store.sync(fake, since=date(2025, 7, 7))
    fake.fail("/calendar-service/", *[(500, {}, b"{}")] * 40)
    report = store.sync(fake)
    assert report.skipped == [
        f"Garmin Connect kept failing on the calendar of {month} (HTTP 500) after 4 attempts; "
        "planned runs not updated" for month in ("2025-07", "2025-08")]
    assert _planned(store) == ["Long run"]


def test_next_months_planned_runs_come_while_this_months_calendar_fails(store: Store) -> None:
    """After a month Garmin kept failing on, the next month was not asked: its planned runs
    (those of the next two weeks, near a month's end) stayed stale while this month failed."""
    fake = _with_a_long_run("2025-08-02")
    fake.fail("/calendar-service/year/2025/month/6$", *[(500, {}, b"{}")] * 4)  # July: from 0
    report = store.sync(fake, since=date(2025, 7, 7))
    assert report.skipped == ["Garmin Connect kept failing on the calendar of 2025-07 (HTTP "
                              "500) after 4 attempts; planned runs not updated"]
    assert _planned(store) == ["Long run"]


def _with_a_long_run(day: str) -> FakeGarmin:
    fake = FakeGarmin()
    fake.add_run(831, T)
    fake.calendar = [{"date": day, "itemType": "workout", "title": "Long run",
                      "sportTypeKey": "running"}]
    return fake


def _planned(store: Store) -> list[str]:
    with store.db() as session:
        return [r.title for r in session.scalars(select(m.PlannedRun))]


def test_the_morning_readiness_in_another_case_is_still_the_morning_one(store: Store) -> None:
    """Garmin's recorded readings of a day, the morning one's inputContext in lower case: the
    earliest reading of the night (75, at 02:50) was taken for what the athlete woke up to
    (80, at 05:45)."""
    body = recorded("training-readiness/training_readiness_data_get_0.json")["body"]
    readings = [r | {"inputContext": r["inputContext"].lower()} for r in body]
    fake = FakeGarmin(day_bodies=lambda day: own_day_bodies(day) | {
        "readiness": _dated(readings, day)})
    store.sync(fake, since=TODAY)
    stored = store.wellness(TODAY)
    assert stored is not None and (stored.readiness_score, stored.readiness_level) == (80, "HIGH")
