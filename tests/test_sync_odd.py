"""Garmin Connect as it really answers, through the whole sync: odd activity lists and pages,
broken or missing downloads, odd start times and types, multisport files, calendars without
their items, days the watch has not synced yet; a real SQLite database and raw store, and
garminconnect's own code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db import models as m
from db import repo
from db.raw import RawStore, sha256
from db.session import open_db, transaction
from demo.fitwrite import LapSpec, LegSpec, multisport_fit
from ingest import fit, sync, sync_days
from ingest.activity_list import PAGE
from ingest.garmin import GarminUnavailable
from tests.garmin_fake import FakeGarmin, list_item, own_day_bodies, zipped
from tests.test_sync import PROFILE, TODAY, Store, T

BROKEN_DOWNLOADS: dict[str, Callable[[bytes], bytes]] = {
    "an HTML error page": lambda _whole: b"<html><body>Service Unavailable</body></html>",
    "a zip cut short": lambda whole: whole[:len(whole) // 2],
    "nothing": lambda _whole: b"",
}


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Store:
    """A fresh database on each backend (PostgreSQL with STRIDELIFT_TEST_PG_URL)."""
    return Store(open_db(db_url), RawStore(tmp_path / "raw"))


@pytest.mark.parametrize("broken", list(BROKEN_DOWNLOADS.values()), ids=list(BROKEN_DOWNLOADS))
def test_a_download_that_arrives_broken_waits_for_the_next_sync(store: Store,
                                                                broken: Callable[[bytes], bytes]
                                                                ) -> None:
    """Stored from its summary for good, the run would have lost its laps and HR: it counts
    from its summary while its file is awaited, and the next sync (which lists it again
    within LATE_DAYS) downloads it again and upgrades it."""
    fake = FakeGarmin()
    for gid, day in ((601, -1), (602, 0), (603, 1)):
        fake.add_run(gid, T + timedelta(days=day))
    whole = fake.downloads[602]
    fake.downloads[602] = broken(whole)
    report = store.sync(fake, since=date(2025, 7, 3))
    assert (report.new, report.summary_only, report.waiting) == (3, 0, 1)
    waiting = store.activities()[602]
    assert (waiting.content_hash, waiting.awaits_file) == (None, True)
    assert report.skipped == ["activity 602 (2025-07-05): the download arrived broken (neither "
                              "a zip nor a FIT file); counted from its summary until the file "
                              "arrives (the next sync tries again)"]

    fake.downloads[602] = whole
    report = store.sync(fake, today=TODAY + timedelta(days=3))
    assert (report.new, report.upgraded, report.already_stored, report.skipped) == (0, 1, 2, [])
    upgraded = store.activities()[602]
    assert upgraded.id == waiting.id and upgraded.content_hash is not None
    assert not upgraded.awaits_file and len(upgraded.laps) == 1


def test_a_file_missing_for_a_run_older_than_late_days_still_waits(store: Store) -> None:
    """Older than LATE_DAYS (synced late, a `sync --since`), no sync lists it again: stored
    from its summary for good, it lost its laps and HR after one failure. It waits, and the
    next sync downloads it by its id (ingest.sync.RETRIES)."""
    fake = FakeGarmin()
    fake.add_run(605, T)
    fake.add_run(606, T + timedelta(hours=2))
    files = {gid: fake.downloads[gid] for gid in (605, 606)}
    fake.downloads[605] = b"<html>busy</html>"
    fake.downloads.pop(606)  # a 404
    later = T.date() + timedelta(days=sync.LATE_DAYS)
    report = store.sync(fake, since=date(2025, 7, 3), today=later)
    assert (report.new, report.summary_only, report.waiting) == (2, 0, 2)
    assert report.skipped == [
        "activity 605 (2025-07-05): the download arrived broken (neither a zip nor a FIT "
        "file); counted from its summary until the file arrives (the next sync tries again)",
        "the download of activity 606: Garmin answered 404; counted from its summary until "
        "the file arrives (the next sync tries again)"]
    fake.downloads.update(files)
    report = store.sync(fake, today=later + timedelta(days=1))
    assert (report.upgraded, report.waiting, report.skipped) == (2, 0, [])
    assert report.activities is not None and report.activities[0] > T.date()  # not listed
    assert all(row.content_hash is not None for row in store.activities().values())


def test_an_activity_deleted_between_list_and_download_goes_with_the_next_list(
        store: Store) -> None:
    """A 404 may be a file not processed yet, or a recording the athlete deleted: it counts
    from its summary meanwhile, and goes when a whole list no longer holds it (stored for
    good, a deleted recording counted as a run for good)."""
    fake = FakeGarmin()
    fake.add_run(607, T)
    fake.downloads.pop(607)
    report = store.sync(fake, since=date(2025, 7, 3))
    assert (report.new, report.waiting) == (1, 1) and store.activities()[607].awaits_file
    assert report.skipped == ["the download of activity 607: Garmin answered 404; counted from "
                              "its summary until the file arrives (the next sync tries again)"]
    fake.items.clear()  # it is gone from the list too
    report = store.sync(fake)
    assert (report.skipped, report.waits_ended) == ([], 1) and store.activities() == {}
    assert {"kind": sync.GONE, "garmin_id": 607} in list(store.raw.entries("anna"))
    fake.items.append(list_item(608, T, "running", 30, manualActivity=True))  # typed in
    assert store.sync(fake).summary_only == 1 and 608 in store.activities()


@pytest.mark.parametrize("answer", [b"", b"<html>Not Found</html>"], ids=["empty", "html"])
def test_a_manual_entry_is_stored_at_once_whatever_its_download_answers(store: Store,
                                                                        answer: bytes) -> None:
    """A typed-in activity has no file: waiting for one kept the run out of the plan for
    LATE_DAYS (a 404 was stored at once, an empty or HTML body with 200 was not)."""
    fake = FakeGarmin()
    fake.items.append(list_item(615, T, "running", 45, manualActivity=True))
    fake.downloads[615] = answer
    report = store.sync(fake, since=date(2025, 7, 3))
    assert (report.new, report.summary_only) == (1, 1) and 615 in store.activities()
    assert report.skipped == ["activity 615 (2025-07-05): the download arrived broken (neither "
                              "a zip nor a FIT file); stored from its summary"]


def test_a_zip_without_a_fit_file_is_stored_from_its_summary(store: Store) -> None:
    """An activity uploaded as GPX has no FIT file to wait for."""
    fake = FakeGarmin()
    fake.add_run(611, T)
    fake.downloads[611] = zipped("611.gpx", b"<gpx></gpx>")
    report = store.sync(fake, since=date(2025, 7, 3))
    assert (report.new, report.summary_only) == (1, 1)
    assert report.skipped == ["activity 611: the download holds no FIT file; stored from its "
                              "summary"]
    assert store.cursors()["activities"] == TODAY.isoformat()


def test_a_run_the_watch_uploads_days_late_is_still_synced(store: Store) -> None:
    """A watch away from its phone for days uploads its runs on their own days, which the
    cursor has passed: re-listing only the last RESYNC_DAYS lost them for good."""
    fake = FakeGarmin()
    store.sync(fake, since=TODAY - timedelta(days=20))
    fake.add_run(621, T - timedelta(days=sync.LATE_DAYS - 4))  # uploaded after that sync
    report = store.sync(fake, today=TODAY + timedelta(days=1))
    assert report.new == 1 and 621 in store.activities()
    assert report.activities == (TODAY + timedelta(days=1 - sync.LATE_DAYS),
                                 TODAY + timedelta(days=1))
    assert report.days == (TODAY - timedelta(days=sync.RESYNC_DAYS - 1),
                           TODAY + timedelta(days=1))  # six calls a day: not fetched again


class ShiftedPages(FakeGarmin):
    """An upload during the listing shifts every page after the first by one."""

    def _page(self, query: dict[str, str]) -> list[dict[str, Any]]:
        shifted = query["start"] != "0"
        start = str(int(query["start"]) - 1) if shifted else "0"
        return super()._page(query | {"start": start})


def test_an_activity_listed_on_two_pages_is_one_activity(store: Store) -> None:
    """The item at the page boundary comes twice: it was counted as already stored on a
    first sync, and as many times as pages came."""
    fake = ShiftedPages()
    for i in range(PAGE + 5):
        fake.add_run(700 + i, T + timedelta(minutes=20 * i))
    report = store.sync(fake, since=date(2025, 7, 3))
    assert (report.new, report.already_stored) == (PAGE + 5, 0)
    assert len(store.activities()) == PAGE + 5


def test_a_list_page_that_is_no_list_skips_the_activities_not_the_night(store: Store) -> None:
    """garminconnect took an object for a page of its keys (and asked for the next page as
    long as one came): the activities were 'synced' with nothing, the cursor moved past them."""
    fake = FakeGarmin()
    fake.add_run(801, T)
    fake.fail("activities/search", (200, {}, b'{"message": "busy", "status": 0}'))
    report = store.sync(fake, since=date(2025, 7, 3))
    assert report.skipped == ["the activity list 2025-07-03..2025-07-08: Garmin sent no list; "
                              "activities not synced this time"]
    assert report.new == 0 and report.days_stored == 6
    assert "activities" not in store.cursors()
    assert store.sync(fake).new == 1


@pytest.mark.parametrize("local", ["07/05/2025 23:30", "2025-07-05 23:30", "", None, 12345,
                                   "2025-07-05T23:30:00.0", "2025-07-05T23:30:00+02:00",
                                   "2025-07-06 12:00:00"])
def test_a_local_start_time_in_another_format_or_missing_still_stores_the_run(
        store: Store, local: Any) -> None:
    """The run was dropped whole for a startTimeLocal it could not read; one that is more
    than 14 hours from startTimeGMT is no time zone either. The profile's zone places it."""
    fake = FakeGarmin()
    fake.add_run(631, T.replace(hour=21, minute=30), manualActivity=True)  # 23:30 in Berlin
    fake.downloads.pop(631)  # typed in: the list item is all there is
    fake.items[0]["startTimeLocal"] = local
    report = store.sync(fake, since=date(2025, 7, 3))
    assert report.new == 1 and not [s for s in report.skipped if "start time" in s]
    row = store.activities()[631]
    assert (row.local_date, row.start_utc) == (date(2025, 7, 5), T.replace(hour=21, minute=30))


def _not_synced(day: str) -> dict[str, Any]:
    """What Garmin answers for a day the watch has not synced: HRV, readiness and body
    battery empty, the summary and sleep as records of nulls, and the latest training status
    (of an earlier day: it needs no watch)."""
    return {"summary": {"calendarDate": day, "restingHeartRate": None,
                        "averageStressLevel": -1},
            "sleep": {"dailySleepDTO": {"calendarDate": day, "sleepTimeSeconds": None}},
            "training_status": own_day_bodies("2025-06-20")["training_status"]}


def test_a_day_the_watch_has_not_synced_yet_is_fetched_again(store: Store) -> None:
    """A watch away from its phone: its nights reach Garmin days late. The cursor moved past
    a day without any data, and its HRV and sleep were never fetched."""
    silent = {TODAY - timedelta(days=3), TODAY - timedelta(days=sync_days.EMPTY_WAIT_DAYS + 2)}
    fake = FakeGarmin(day_bodies=lambda day: _not_synced(day) if date.fromisoformat(day) in silent
                      else own_day_bodies(day))
    store.sync(fake, since=TODAY - timedelta(days=12))
    assert store.cursors()["wellness"] == (TODAY - timedelta(days=4)).isoformat()
    assert store.wellness(TODAY) is not None  # the days after it are stored all the same

    silent.clear()  # the watch has synced
    report = store.sync(fake, today=TODAY + timedelta(days=1))
    assert report.days == (TODAY - timedelta(days=5), TODAY + timedelta(days=1))
    assert _hrv(store, TODAY - timedelta(days=3)) is not None
    assert store.cursors()["wellness"] == (TODAY + timedelta(days=1)).isoformat()
    assert _hrv(store, TODAY - timedelta(days=sync_days.EMPTY_WAIT_DAYS + 2)) is None  # too old


def test_a_watch_that_measures_no_recovery_data_is_not_waited_for(store: Store) -> None:
    """Without a night it measured, every day waited a week: each night fetched 10 days,
    60 calls, for good, where a night's sync fetches the days since the last one and the
    RESYNC_DAYS before (3 days, 18 calls)."""
    fake = FakeGarmin(day_bodies=_not_synced)
    store.sync(fake, since=TODAY - timedelta(days=12))
    assert store.cursors()["wellness"] == TODAY.isoformat()
    fake.calls.clear()
    report = store.sync(fake, today=TODAY + timedelta(days=1))
    assert report.days == (TODAY - timedelta(days=sync.RESYNC_DAYS - 1), TODAY + timedelta(days=1))
    assert len([c for c in fake.calls if "/hrv-service/" in c]) == sync.RESYNC_DAYS + 1


def test_a_watch_away_for_longer_than_the_wait_is_still_waited_for(store: Store) -> None:
    """Away for two weeks, the days a sync fetches again hold nothing the watch measured:
    the nights it measured before (stored, within WATCH_DAYS) say it is worth waiting for."""
    away = TODAY - timedelta(days=14)
    fake = FakeGarmin(day_bodies=lambda day: _not_synced(day) if date.fromisoformat(day) > away
                      else own_day_bodies(day))
    store.sync(fake, since=TODAY - timedelta(days=20))
    later = TODAY + timedelta(days=2)
    store.sync(fake, today=later)
    assert store.cursors()["wellness"] == (later - timedelta(days=sync_days.EMPTY_WAIT_DAYS)
                                          ).isoformat()
    fake.day_bodies = own_day_bodies  # the watch has synced
    store.sync(fake, today=later)
    assert _hrv(store, later - timedelta(days=sync_days.EMPTY_WAIT_DAYS - 1)) is not None


def _hrv(store: Store, day: date) -> float | None:
    row = store.wellness(day)
    return row.hrv_last_night if row else None


@pytest.mark.parametrize("odd", [5, True, 1.5])
def test_exercise_sets_with_a_number_where_a_list_belongs(store: Store, odd: Any) -> None:
    """A number for exerciseSets, or for a set's exercises, crashed the whole sync with a
    TypeError (and `db rebuild` after it, on the journalled body)."""
    fake = FakeGarmin()
    fake.add_strength(641, T)
    fake.add_strength(642, T + timedelta(days=1))
    fake.sets[641]["exerciseSets"] = odd
    fake.sets[642]["exerciseSets"][0]["exercises"] = odd
    report = store.sync(fake, since=date(2025, 7, 3))
    assert report.new == 2
    stored = store.activities()
    assert stored[641].sets == []
    assert [(s.category, s.reps) for s in stored[642].sets] == [
        (None, 8), (None, None), ("SQUAT", 6)]


@pytest.mark.parametrize("reply", [(204, {}, b""), (200, {}, b'{"message": "busy"}'),
                                   (200, {}, b'{"calendarItems": {"date": "2025-07-12"}}')])
def test_a_calendar_answer_without_its_items_keeps_the_planned_runs(
        store: Store, reply: tuple[int, dict[str, str], bytes]) -> None:
    """Taken for an empty month, it wiped the runs scheduled in Garmin's calendar for a night:
    the plan followed the template instead (a strength session on the long run's day)."""
    fake = FakeGarmin(calendar=[{"itemType": "workout", "date": "2025-07-12",
                                 "title": "Long run 24 km", "sportTypeKey": "running"}])
    store.sync(fake, since=TODAY)
    fake.fail("calendar-service/year/2025/month/6", reply)
    report = store.sync(fake, since=TODAY)
    assert report.skipped == ["the calendar of 2025-07: Garmin sent no calendar items; planned "
                              "runs not updated"]
    with store.db() as session:
        assert [r.title for r in session.scalars(select(m.PlannedRun))] == ["Long run 24 km"]
    fake.calendar = [{"itemType": ["workout"], "date": "2025-07-12", "sportTypeKey": "running"}]
    assert store.sync(fake, since=TODAY).skipped == []  # an item of odd types is passed over
    with store.db() as session:
        assert list(session.scalars(select(m.PlannedRun))) == []


def _brick() -> bytes:
    """A bike-run brick recorded as one multisport activity: one FIT file, two sessions."""
    return multisport_fit(T, [LegSpec("cycling", [LapSpec(1800, 8.0, 140)]),
                              LegSpec("running", [LapSpec(1200, 3.2, 150)])])


def _multisport(fake: FakeGarmin, gid: int, data: bytes) -> None:
    fake.items.append(list_item(gid, T, "multi_sport", 50, parent=True, childIds=[gid + 1]))
    fake.downloads[gid] = zipped(f"{gid}_ACTIVITY.fit", data)


def test_a_multisport_file_imported_before_takes_its_garmin_id(store: Store) -> None:
    """Garmin's export imported first, then the sync lists the same brick: the Garmin id went
    to every session of the file, against the one-id-per-athlete constraint, and the sync
    failed with an IntegrityError on that activity, night after night."""
    data = _brick()
    with transaction(store.db) as session:
        who = repo.athlete(session, PROFILE)
        repo.save_activities(session, who, fit.decode(data, "brick.fit"), sha256(data))
    fake = FakeGarmin()
    _multisport(fake, 651, data)
    report = store.sync(fake, since=date(2025, 7, 3))
    assert (report.new, report.already_stored) == (0, 2)
    with store.db() as session:
        rows = session.scalars(select(m.Activity).order_by(m.Activity.session_index)).all()
        assert [(r.sport, r.garmin_id, r.name) for r in rows] == [
            ("cycling", 651, "Activity 651"), ("running", None, "Activity 651")]


def test_a_multisport_leg_listed_on_its_own_is_its_parents_file_again(store: Store) -> None:
    """Each leg of a multisport activity downloads as the parent's whole file: stored from
    it, the leg is not downloaded (tests/test_sync_summary.py: nor every night after)."""
    data = _brick()
    fake = FakeGarmin()
    _multisport(fake, 661, data)
    fake.items.append(list_item(662, T + timedelta(minutes=30), "running", 20, parentId=661))
    fake.downloads[662] = fake.downloads[661]
    report = store.sync(fake, since=date(2025, 7, 3))
    assert (report.new, report.already_stored) == (2, 1)
    assert not any(c.endswith("/files/activity/662") for c in fake.calls)
    with store.db() as session:
        assert [(r.sport, r.garmin_id) for r in session.scalars(
            select(m.Activity).order_by(m.Activity.session_index))] == [
            ("cycling", 661), ("running", None)]


@pytest.mark.parametrize("kind", [{"typeId": 258, "typeKey": "ultra_run", "parentTypeId": 1},
                                  {"typeId": 154, "typeKey": "obstacle_run", "parentTypeId": 1},
                                  {"typeId": 1, "typeKey": "running", "parentTypeId": 17}])
def test_every_kind_of_run_garmin_knows_is_a_run(store: Store, kind: dict[str, Any]) -> None:
    """Garmin files its running types under parentTypeId 1; one whose key does not end in
    'running' (an ultra, an obstacle race) stored from its summary was no run at all."""
    fake = FakeGarmin()
    fake.items.append(list_item(671, T, manualActivity=True) | {"activityType": kind})
    store.sync(fake, since=date(2025, 7, 3))
    assert store.activities()[671].sport == "running"


def test_an_empty_page_mid_list_loses_nothing_recent(store: Store) -> None:
    """An empty page reads as the list's end (Garmin gives no total to tell a hiccup from
    it): the activities after it wait for the next sync, which lists the last LATE_DAYS."""
    fake = FakeGarmin()
    for i in range(PAGE + 5):
        fake.add_run(900 + i, T + timedelta(minutes=20 * i))
    fake.fail(rf"activities\?.*&start={PAGE}$", (200, {}, b"[]"))
    assert store.sync(fake, since=date(2025, 7, 3)).new == PAGE
    assert store.sync(fake, today=TODAY + timedelta(days=1)).new == 5
    assert len(store.activities()) == PAGE + 5


@pytest.mark.parametrize("hiccup", [(200, {}, b"[]"), (204, {}, b"")], ids=["[]", "204"])
def test_a_backfill_cut_short_by_an_empty_page_is_finished_by_the_next_sync(
        store: Store, hiccup: tuple[int, dict[str, str], bytes]) -> None:
    """A list that ends on an empty page after full ones may have been cut: the cursor moved
    to the window's end all the same, and what followed the cut, older than LATE_DAYS, was
    never listed again. It stays at the last day listed."""
    fake = FakeGarmin()
    first = T - timedelta(days=60)
    for i in range(PAGE + 5):
        fake.add_run(950 + i, first + timedelta(days=i))
    fake.fail(rf"activities\?.*&start={PAGE}$", hiccup)
    assert store.sync(fake).new == PAGE
    assert store.cursors()["activities"] == (first + timedelta(days=PAGE - 1)).date(
        ).isoformat()
    assert store.sync(fake, today=TODAY + timedelta(days=1)).new == 5
    assert store.cursors()["activities"] == (TODAY + timedelta(days=1)).isoformat()



def _two_pages() -> FakeGarmin:
    fake = FakeGarmin()
    for i in range(PAGE + 5):
        fake.add_run(1000 + i, T + timedelta(minutes=20 * i))
    return fake


SECOND_PAGE = rf"activities\?.*&start={PAGE}$"


def test_a_429_on_a_list_page_retries_that_page_and_no_other(store: Store) -> None:
    """The sync pages the list itself now: a 429 within it is retried like any call, from
    the page it hit."""
    fake = _two_pages()
    fake.fail(SECOND_PAGE, (429, {"Retry-After": "1"}, b"{}"))
    assert store.sync(fake, since=date(2025, 7, 3)).new == PAGE + 5
    assert [c.rsplit("&", 1)[1] for c in fake.calls if "activities/search" in c] == [
        "start=0", f"start={PAGE}", f"start={PAGE}"]


def test_a_429_on_a_list_page_that_never_ends_stops_the_run_with_no_cursor_moved(
        store: Store) -> None:
    """Nothing listed is stored and the cursor stays: the next run lists it all again."""
    fake = _two_pages()
    fake.fail(SECOND_PAGE, *[(429, {}, b"{}")] * 4)  # every attempt of fast_policy
    with pytest.raises(GarminUnavailable, match=r"the activity list .*\(HTTP 429\)"):
        store.sync(fake, since=date(2025, 7, 3))
    assert store.activities() == {} and store.cursors() == {}
    assert store.sync(fake).new == PAGE + 5


def test_a_download_garmin_fails_on_for_good_does_not_stop_every_night(store: Store) -> None:
    """A 500 on every attempt for one file (after the retries) ended the whole run, night
    after night: nothing after it, no wellness, no plan. It waits like a broken download;
    a second failing download in a row is Garmin down, and ends the run as before."""
    fake = FakeGarmin()
    for gid, day in ((1101, 0), (1102, 1), (1103, 2)):
        fake.add_run(gid, T + timedelta(days=day))
    attempts = 4  # fast_policy's
    fake.fail(r"files/activity/1101$", *[(500, {}, b"oops")] * attempts)
    report = store.sync(fake, since=date(2025, 7, 3))
    assert (report.new, report.waiting, report.days_stored) == (3, 1, 6)
    assert store.activities()[1101].awaits_file
    assert report.skipped == ["Garmin Connect kept failing on the download of activity 1101 "
                              "(HTTP 500) after 4 attempts; counted from its summary until the "
                              "file arrives (the next sync tries again)"]
    assert store.sync(fake).upgraded == 1  # Garmin has mended it

    fake.add_run(1104, T + timedelta(days=3))
    fake.add_run(1105, T + timedelta(days=3, hours=1))
    fake.fail(r"files/activity/110[45]$", *[(503, {}, b"down")] * (2 * attempts))
    with pytest.raises(GarminUnavailable, match=r"activity 1105 \(HTTP 503\)"):
        store.sync(fake)
