"""What Garmin's failures mean to a sync: only "not found" or "gone" for an activity's own page
deletes the run waiting for its file (an auth or rate problem never deletes data), and a call
Garmin fails on for good (one day's endpoint, the list) is passed over, night after night,
while two failing in a row still mean Garmin is down. The fake Garmin through garminconnect's
real code path, real databases (PostgreSQL too, with STRIDELIFT_TEST_PG_URL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db import models as m
from db.raw import RawStore
from db.session import open_db
from domain.profile import Profile
from ingest import sync_days
from ingest.garmin import (
    Connect,
    GarminAuthError,
    GarminError,
    GarminRateLimited,
    GarminUnavailable,
)
from jobs.nightly_run import run_nightly
from tests.garmin_fake import FakeGarmin, Reply, connect_without_login, own_day_bodies, served
from tests.test_nightly import ANNA, _athlete
from tests.test_sync import Store
from tests.test_sync_wait import SUNDAY, WaitStore, _late_long_run

ATTEMPTS = 4  # fast_policy's
PAGE_501 = r"/activity-service/activity/501$"


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> WaitStore:
    return WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))


def _missing_from_the_list(store: WaitStore) -> FakeGarmin:
    """A run waiting for its file, then missing from a whole list: is it gone from Garmin?"""
    fake = _late_long_run()
    fake.downloads.pop(501)
    store.sync(fake, today=SUNDAY, since=SUNDAY - timedelta(days=3))
    fake.items.clear()
    return fake


@pytest.mark.parametrize("status", [404, 410])
def test_not_found_or_gone_deletes_the_waiting_run(store: WaitStore, status: int) -> None:
    fake = _missing_from_the_list(store)
    fake.fail(PAGE_501, (status, {}, b"{}"))
    assert store.sync(fake, today=SUNDAY + timedelta(days=1)).waits_ended == 1
    assert store.rows() == []


@pytest.mark.parametrize("status", [400, 409, 422])
def test_another_4xx_for_its_page_keeps_the_waiting_run(store: WaitStore, status: int) -> None:
    """A 400 or a 409 says nothing of the activity being gone: it went as deleted."""
    fake = _missing_from_the_list(store)
    fake.fail(PAGE_501, *[(status, {}, b"{}")] * 2)
    report = store.sync(fake, today=SUNDAY + timedelta(days=1))
    assert report.waits_ended == 0 and report.days_stored > 0
    [row] = store.rows()
    assert (row.garmin_id, row.awaits_file) == (501, True)


@pytest.mark.parametrize(("replies", "error"), [
    ([(401, {}, b"{}")] * 2, GarminAuthError),  # garminconnect refreshes, then asks again
    ([(403, {}, b"{}")], GarminAuthError),
    ([(429, {}, b"{}")] * ATTEMPTS, GarminRateLimited),  # every attempt: rate-limited
    ([(429, {"Retry-After": "3600"}, b"{}")], GarminRateLimited),  # beyond the cap
], ids=["401", "403", "429 every attempt", "429 wait an hour"])
def test_an_auth_or_rate_problem_on_its_page_ends_the_run_and_deletes_nothing(
        store: WaitStore, replies: list[Reply], error: type[GarminError]) -> None:
    fake = _missing_from_the_list(store)
    fake.fail(PAGE_501, *replies)
    with pytest.raises(error):
        store.sync(fake, today=SUNDAY + timedelta(days=1))
    [row] = store.rows()
    assert (row.garmin_id, row.awaits_file) == (501, True)
    assert store.sync(fake, today=SUNDAY + timedelta(days=2)).waits_ended == 1  # it was 404


@pytest.mark.parametrize("then", [(404, {}, b"{}"), (200, {}, b"{}")], ids=["404", "200"])
def test_a_429_on_its_page_is_retried_and_the_answer_after_it_counts(
        store: WaitStore, then: Reply) -> None:
    fake = _missing_from_the_list(store)
    fake.fail(PAGE_501, (429, {"Retry-After": "1"}, b"{}"), then)
    assert store.sync(fake, today=SUNDAY + timedelta(days=1)).waits_ended == (
        1 if isinstance(then, tuple) and then[0] == 404 else 0)
    assert fake.calls.count("/activity-service/activity/501") == 2


# -- a call failing for good ------------------------------------------------------------------

T = datetime(2025, 7, 5, 6, 0, tzinfo=UTC)
TODAY = date(2025, 7, 8)
HRV_7_6 = r"/hrv-service/hrv/2025-07-06$"


@pytest.fixture
def fake_store(db_url: str, tmp_path: Path) -> Store:
    return Store(open_db(db_url), RawStore(tmp_path / "raw"))


def test_one_days_endpoint_failing_for_good_is_passed_over(fake_store: Store) -> None:
    """A 500 after every retry for one day's HRV ended the run, and every night after it
    (the day stays in the window): no activity, no wellness, no plan. It is skipped and
    named like a broken body; the day's other parts and every other day are stored."""
    fake = FakeGarmin()
    fake.add_run(1201, T)
    fake.fail(HRV_7_6, *[(500, {}, b"{}")] * ATTEMPTS)
    report = fake_store.sync(fake, since=date(2025, 7, 4))
    assert report.new == 1 and report.days_stored == 5
    assert report.skipped == ["Garmin Connect kept failing on hrv 2025-07-06 (HTTP 500) after "
                              "4 attempts"]
    day = fake_store.wellness(date(2025, 7, 6))
    assert day is not None and day.hrv_last_night is None and day.sleep_score is not None
    # its HRV was never fetched: the cursor waits before the day (it moved past it, and the
    # HRV was never asked for again), so the next sync asks again
    assert fake_store.cursors() == {"activities": "2025-07-08", "wellness": "2025-07-05"}
    assert fake_store.sync(fake).skipped == []
    day = fake_store.wellness(date(2025, 7, 6))
    assert day is not None and day.hrv_last_night is not None
    assert fake_store.cursors()["wellness"] == "2025-07-08"


def test_a_part_passed_over_never_erases_what_its_day_holds(fake_store: Store) -> None:
    """A day stored whole is fetched again the next night (RESYNC_DAYS): its HRV failing for
    good then replaced the day without it, and the stored day's recovery was decided again
    without its HRV. The day stays as stored; the next sync asks again."""
    fake = FakeGarmin()
    fake_store.sync(fake, today=date(2025, 7, 6), since=date(2025, 7, 4))
    stored = fake_store.wellness(date(2025, 7, 6))
    assert stored is not None and stored.hrv_last_night is not None
    fake.fail(HRV_7_6, *[(500, {}, b"{}")] * ATTEMPTS)
    assert len(fake_store.sync(fake, today=date(2025, 7, 7)).skipped) == 1
    day = fake_store.wellness(date(2025, 7, 6))
    assert day is not None and day.hrv_last_night == stored.hrv_last_night
    assert fake_store.cursors()["wellness"] == "2025-07-06"
    report = fake_store.sync(fake, today=date(2025, 7, 8))  # the 6th asked again, whole
    assert report.days == (date(2025, 7, 5), date(2025, 7, 8)) and report.skipped == []


def test_a_part_passed_over_leaves_the_other_parts_new_values_stored(
        fake_store: Store) -> None:
    """The day's HRV failing for good on a re-sync: its sleep, computed again by Garmin
    since, was dropped with it (the day kept as stored whole); it is stored, the HRV kept."""
    fake = FakeGarmin()
    fake_store.sync(fake, today=date(2025, 7, 6), since=date(2025, 7, 4))
    stored = fake_store.wellness(date(2025, 7, 6))
    assert stored is not None and stored.hrv_last_night is not None
    changed = own_day_bodies("2025-07-06")
    changed["sleep"]["dailySleepDTO"]["sleepScores"]["overall"]["value"] = 31
    fake.day_bodies = lambda day: changed if day == "2025-07-06" else own_day_bodies(day)
    fake.fail(HRV_7_6, *[(500, {}, b"{}")] * ATTEMPTS)
    fake_store.sync(fake, today=date(2025, 7, 7))
    day = fake_store.wellness(date(2025, 7, 6))
    assert day is not None and (day.hrv_last_night, day.sleep_score) == (
        stored.hrv_last_night, 31)
    assert fake_store.cursors()["wellness"] == "2025-07-06"  # the 6th asked again


def test_a_day_failing_for_good_holds_the_cursor_a_week_at_most(fake_store: Store) -> None:
    """As a day without a measured value does (EMPTY_WAIT_DAYS): never fetched whole, it must
    not make every later sync fetch every day since."""
    fake = FakeGarmin()
    fake.fail(HRV_7_6, *[(500, {}, b"{}")] * (ATTEMPTS * 2))
    fake_store.sync(fake, today=date(2025, 7, 8), since=date(2025, 7, 5))
    assert fake_store.cursors()["wellness"] == "2025-07-05"
    fake_store.sync(fake, today=date(2025, 7, 6 + sync_days.EMPTY_WAIT_DAYS))
    assert fake_store.cursors()["wellness"] == f"2025-07-{6 + sync_days.EMPTY_WAIT_DAYS:02d}"


def test_two_calls_failing_in_a_row_are_garmin_down(fake_store: Store) -> None:
    """The HRV, then the sleep of one day, each after every retry: Garmin is down; the run
    ends with the cursor before that day, as it always did."""
    fake = FakeGarmin()
    fake.fail(HRV_7_6, *[(500, {}, b"{}")] * ATTEMPTS)
    fake.fail(r"dailySleepData/.*date=2025-07-06", *[(503, {}, b"{}")] * ATTEMPTS)
    with pytest.raises(GarminUnavailable, match=r"sleep 2025-07-06 \(HTTP 503\)"):
        fake_store.sync(fake, since=date(2025, 7, 4))
    assert fake_store.cursors()["wellness"] == "2025-07-05"


def test_a_calendar_failing_after_the_days_last_call_failed_is_garmin_down(
        fake_store: Store) -> None:
    """Only a month after a month Garmin kept failing on is asked as if nothing failed
    before it: the calendar's first month failing right after the last day's last part is
    two calls in a row, Garmin down."""
    fake = FakeGarmin()
    fake.fail(r"trainingstatus/aggregated/2025-07-08$", *[(500, {}, b"{}")] * ATTEMPTS)
    fake.fail(r"/calendar-service/year/2025/month/6$", *[(503, {}, b"{}")] * ATTEMPTS)
    with pytest.raises(GarminUnavailable, match=r"calendar of 2025-07 \(HTTP 503\)"):
        fake_store.sync(fake, since=date(2025, 7, 7))


def test_a_429_after_every_retry_is_never_one_items(fake_store: Store) -> None:
    """Rate-limited, the account is: asking on only extends Garmin's lock. The run ends, its
    error saying it was rate-limited (not "kept failing", as if Garmin were down)."""
    fake = FakeGarmin()
    fake.fail(HRV_7_6, *[(429, {}, b"{}")] * ATTEMPTS)
    with pytest.raises(GarminRateLimited, match=r"rate-limiting hrv 2025-07-06 \(HTTP 429\)"):
        fake_store.sync(fake, since=date(2025, 7, 4))


def test_an_activity_list_failing_for_good_leaves_the_activities_for_the_next_sync(
        fake_store: Store) -> None:
    fake = FakeGarmin()
    fake.add_run(1202, T)
    fake.fail("activities/search", *[(500, {}, b"{}")] * ATTEMPTS)
    report = fake_store.sync(fake, since=date(2025, 7, 4))
    assert (report.new, report.days_stored) == (0, 5)
    assert report.skipped == ["Garmin Connect kept failing on the activity list 2025-07-04.."
                              "2025-07-08 (HTTP 500) after 4 attempts; activities not synced "
                              "this time"]
    assert "activities" not in fake_store.cursors()
    assert fake_store.sync(fake).new == 1


def test_a_night_whose_days_endpoint_fails_for_good_still_syncs_and_adapts(
        home: Path) -> None:
    """The nightly run, night after night, over a day whose HRV Garmin always fails on:
    each night ends ok, with its new run and its plan (it failed, and every later night
    retried the same day and failed again)."""
    night = date(2025, 7, 8)
    fake = FakeGarmin()
    fake.add_run(1301, datetime(2025, 7, 7, 6, 30, tzinfo=UTC), minutes=40)
    fake.fail(r"/hrv-service/hrv/2025-07-(0[7-9]|10)$", *[(500, {}, b"{}")] * (9 * ATTEMPTS))
    app_home = _athlete()
    with served(fake) as url:
        def source(_profile: Profile) -> Connect:
            return connect_without_login(base_url=url)
        for day in range(3):
            if day:
                fake.add_run(1301 + day, datetime(2025, 7, 7 + day, 6, 30, tzinfo=UTC))
            [result] = run_nightly(app_home, ANNA, night + timedelta(days=day), source)
            assert result.status == "ok", result.error
            assert result.counts["activities_new"] == 1 and result.counts["items_skipped"] >= 1
            assert result.counts["nights_adapted"] >= 1
    with app_home.db() as db:
        assert len(db.scalars(select(m.RunClass)).all()) == 3


def test_exercise_sets_failing_for_good_are_asked_again(fake_store: Store) -> None:
    """A strength session's sets Garmin kept failing on (its file holds none): stored without
    them, the activity was known to every later sync and its sets never asked for again, so
    it was never read back (the session not done, its loads lost to the progression). It is
    left to the next sync, which lists it again."""
    fake = FakeGarmin()
    fake.add_strength(1401, T)
    fake.fail(r"/activity-service/activity/1401/exerciseSets$",
              *[(500, {}, b"{}")] * ATTEMPTS)
    report = fake_store.sync(fake, today=T.date(), since=T.date())
    assert report.new == 0 and len(report.skipped) == 1
    assert fake_store.sync(fake, today=T.date() + timedelta(days=1)).new == 1
    [row] = fake_store.activities().values()
    assert [s.reps for s in row.sets] == [8, None, 6]
