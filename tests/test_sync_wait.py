"""A run whose FIT download waits still counts, at once: stored from Garmin's summary while its
file is awaited, upgraded in place when a later sync gets the file, left as its summary once
awaited WAIT_DAYS; rebuilt alike from the journal. The fake Garmin through garminconnect's
real code path, real databases (PostgreSQL too, with STRIDELIFT_TEST_PG_URL), the real plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from analysis.classify import AWAITED_FILE
from db import models as m
from db import repo
from db.raw import RawStore, sha256
from db.session import open_db, transaction
from domain.profile import Profile
from ingest import fit, sync
from ingest.bulk import import_paths
from ingest.garmin import extract_fit
from ingest.garmin_activity import activity_from_summary
from ingest.rebuild import rebuild
from jobs.analyse import analyse
from jobs.replan import replan
from tests.garmin_fake import FakeGarmin, connect_without_login, list_item, mocked, table_contents
from tests.test_sync import Store
from tests.test_sync_odd import _brick, _multisport

# The article's week (tests/test_plan_job.py): strength on Monday and Thursday.
P = Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50,
            runs={"mon": "easy", "tue": "easy", "wed": "speed", "fri": "easy", "sat": "long"})
MONDAY = date(2025, 3, 3)
SUNDAY = MONDAY + timedelta(days=6)
LONG_RUN = datetime(2025, 3, 9, 6, 0, tzinfo=UTC)  # Sunday, 2 h: not the template's long run


class WaitStore(Store):
    """A store synced as P (the plan's athlete) with `today` a parameter."""

    def sync(self, fake: FakeGarmin, today: date = SUNDAY, **kwargs: Any) -> sync.SyncReport:
        with mocked(fake):
            return sync.sync(self.db, self.raw, P, connect_without_login(), today=today,
                             **kwargs)

    def rows(self) -> list[m.Activity]:
        with self.db() as session:
            rows = list(session.scalars(select(m.Activity).order_by(m.Activity.start_utc,
                                                                    m.Activity.session_index)))
            for row in rows:
                _ = row.laps, row.stream, row.sets  # load while the session is open
            return rows

    def reasons(self, garmin_id: int) -> list[str]:
        with self.db() as session:
            return list(session.scalars(select(m.RunClass.reasons).join(m.Activity).where(
                m.Activity.garmin_id == garmin_id)).one())


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> WaitStore:
    return WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))


def _late_long_run() -> FakeGarmin:
    fake = FakeGarmin()
    fake.add_run(501, LONG_RUN, minutes=120)
    return fake


def _downloads(fake: FakeGarmin, gid: int) -> int:
    return sum(c.endswith(f"/download-service/files/activity/{gid}") for c in fake.calls)


def test_a_long_run_whose_file_is_late_protects_the_next_day_at_once(store: WaitStore) -> None:
    """RULES.md S6: no strength the day after a long run. Left out of the database until its
    file came, the run let Monday's session stand (minutes or hours: the night had passed)."""
    fake = _late_long_run()
    whole = fake.downloads.pop(501)  # 404: Garmin has not processed the file yet
    with transaction(store.db) as db:
        replan(db, P, MONDAY - timedelta(days=1))
    report = store.sync(fake, since=SUNDAY - timedelta(days=1))
    assert (report.new, report.waiting, report.counts()["activities_waiting"]) == (1, 1, 1)
    assert report.as_json()["activities"]["waiting"] == 1 and report.summary_only == 0
    [row] = store.rows()
    assert (row.awaits_file, row.content_hash, row.duration_s, row.laps, row.stream) == (
        True, None, 7200.0, [], None)
    with transaction(store.db) as db:
        plan = replan(db, P, SUNDAY)
    [change] = [a for a in plan.adjustments if a.night == SUNDAY]
    assert change.rule == "S6" and change.session_id.startswith("2025-03-10")
    assert any("long run on Sun" in r for r in change.reasons)
    assert store.reasons(501)[-1] == AWAITED_FILE

    fake.downloads[501] = whole  # the file has arrived
    report = store.sync(fake, today=SUNDAY + timedelta(days=1))
    assert (report.new, report.upgraded, report.waiting, report.skipped) == (0, 1, 0, [])
    assert report.counts()["activities_upgraded"] == 1
    [upgraded] = store.rows()
    assert upgraded.id == row.id and not upgraded.awaits_file
    assert upgraded.content_hash is not None and len(upgraded.laps) == 1
    assert upgraded.stream is not None and upgraded.stream.heart_rate is not None
    assert upgraded.training_load == 50.9  # Garmin's summary still overlays the file
    with store.db() as session:
        changed = session.scalar(select(m.Athlete.facts_changed_from))
    assert changed == SUNDAY  # the upgraded run's day is analysed again
    with transaction(store.db) as db:
        assert analyse(db, P, SUNDAY + timedelta(days=1)).classified == 1
    reasons = store.reasons(501)
    assert AWAITED_FILE not in reasons and any("120 min" in r for r in reasons)
    assert _downloads(fake, 501) == 2
    store.sync(fake, today=SUNDAY + timedelta(days=2))
    assert _downloads(fake, 501) == 2  # stored with its file: never downloaded again


def test_a_file_that_never_comes_is_waited_for_wait_days_then_no_more(store: WaitStore) -> None:
    """Each sync within WAIT_DAYS of its first store downloads it again; then it stays its
    summary for good, said so in its classification, and is not downloaded again even when
    listed."""
    fake = _late_long_run()
    whole = fake.downloads.pop(501)
    first = LONG_RUN.date()
    store.sync(fake, today=first, since=first - timedelta(days=1))
    for day in range(1, sync.WAIT_DAYS):  # a sync a night, each download a 404
        report = store.sync(fake, today=first + timedelta(days=day))
        assert report.waiting == 1 and report.waits_ended == 0
    assert _downloads(fake, 501) == sync.WAIT_DAYS
    with transaction(store.db) as db:
        analyse(db, P, first + timedelta(days=sync.WAIT_DAYS))
    assert store.reasons(501)[-1] == AWAITED_FILE

    fake.downloads[501] = whole  # too late: it was awaited WAIT_DAYS
    report = store.sync(fake, today=first + timedelta(days=sync.WAIT_DAYS))
    assert (report.waits_ended, report.waiting, report.already_stored) == (1, 0, 1)
    [row] = store.rows()
    assert (row.awaits_file, row.content_hash, row.duration_s) == (False, None, 7200.0)
    store.sync(fake, today=first + timedelta(days=sync.WAIT_DAYS + 1),
               since=first - timedelta(days=1))  # listed again by an explicit window
    assert _downloads(fake, 501) == sync.WAIT_DAYS
    with transaction(store.db) as db:
        assert analyse(db, P, first + timedelta(days=sync.WAIT_DAYS + 1)).classified == 1
    assert AWAITED_FILE not in store.reasons(501)


def test_a_multisport_activity_whose_legs_wait_becomes_its_files_sessions(
        store: WaitStore) -> None:
    """The parent and its leg both wait (one file: the parent's); when it comes the parent's
    row takes the first session and the leg's the second (the same start): no duplicate,
    one Garmin id per row (repo.save_activities' multisport rule)."""
    fake = FakeGarmin()
    brick_day = datetime(2025, 7, 5, 6, tzinfo=UTC)
    _multisport(fake, 661, _brick())
    fake.items.append(list_item(662, brick_day + timedelta(minutes=30), "running", 20,
                                parentId=661))
    whole = fake.downloads.pop(661)
    today = date(2025, 7, 8)
    report = store.sync(fake, today=today, since=date(2025, 7, 4))
    assert (report.new, report.waiting) == (2, 2)
    assert [(r.sport, r.garmin_id, r.awaits_file) for r in store.rows()] == [
        ("multi_sport", 661, True), ("running", 662, True)]
    fake.downloads[661] = fake.downloads[662] = whole
    report = store.sync(fake, today=today)
    assert (report.upgraded, report.new, report.waiting) == (2, 0, 0)
    assert [(r.sport, r.garmin_id, r.awaits_file, r.content_hash is not None)
            for r in store.rows()] == [("cycling", 661, False, True),
                                       ("running", None, False, True)]


def test_db_rebuild_gives_what_the_syncs_stored(store: WaitStore) -> None:
    """Upgraded, waited for no more, deleted in Garmin, a multisport leg: the journal
    replayed in order rebuilds each as the syncs left it."""
    today = date(2025, 7, 8)
    fake = FakeGarmin()
    fake.add_run(701, datetime(2025, 7, 5, 9, tzinfo=UTC), minutes=90)  # its file comes
    fake.add_run(702, datetime(2025, 6, 26, 6, tzinfo=UTC), minutes=40)  # its file never does
    fake.add_run(703, datetime(2025, 7, 6, 6, tzinfo=UTC), minutes=30)  # deleted in Garmin
    _multisport(fake, 661, _brick())
    fake.items.append(list_item(662, datetime(2025, 7, 5, 6, 30, tzinfo=UTC), "running", 20,
                                parentId=661))
    files = {gid: fake.downloads.pop(gid) for gid in (701, 702, 703, 661)}
    store.sync(fake, today=today, since=date(2025, 6, 25))
    fake.downloads[701] = files[701]
    fake.downloads[661] = fake.downloads[662] = files[661]
    fake.items = [i for i in fake.items if i["activityId"] != 703]
    report = store.sync(fake, today=today + timedelta(days=5))
    assert (report.upgraded, report.waits_ended) == (3, 1)  # 701, 661 and its leg 662; 703
    assert store.sync(fake, today=today + timedelta(days=sync.WAIT_DAYS)).waits_ended == 1
    assert [(r.garmin_id, r.awaits_file, r.content_hash is not None) for r in store.rows()] == [
        (702, False, False), (661, False, True), (None, False, True), (701, False, True)]

    synced = table_contents(store.db)
    assert rebuild(store.db, store.raw, P)[sync.GONE] == 1  # in place, as `db rebuild` does
    assert table_contents(store.db) == synced


def test_a_waiting_activity_in_repo_terms(store: WaitStore) -> None:
    """The rows' rules without the sync: a summary stored twice while waiting is one row; a
    file stored for it upgrades that row; ending the wait of one that has its file is a no-op."""
    act = activity_from_summary(_late_long_run().items[0])
    with transaction(store.db) as db:
        who = repo.athlete(db, P)
        assert repo.save_activities(db, who, [act], None, 501, awaits_file=True).new == 1
        again = repo.save_activities(db, who, [act], None, 501, awaits_file=True)
        assert (again.new, again.duplicates, again.upgraded) == (0, 0, 0)
        data = extract_fit(_late_long_run().downloads[501])
        assert data is not None
        decoded = fit.decode(data, "501.fit")
        assert repo.save_activities(db, who, decoded, sha256(data), 501).upgraded == 1
        repo.end_wait(db, who, 501, gone=True)  # a journalled GONE for it: it has its file
    [row] = store.rows()
    assert (row.garmin_id, row.content_hash, row.awaits_file) == (501, sha256(data), False)


def test_a_strength_session_whose_file_waits_is_read_back_once(store: WaitStore) -> None:
    """Its lifts are read back when the file comes (the file's sets win over Garmin's JSON):
    read from the summary too, the upgraded activity, under its file's key, was read again
    and every set counted twice in the progression."""
    fake = FakeGarmin()
    fake.add_strength(801, datetime(2025, 3, 3, 17, tzinfo=UTC), with_fit_sets=True)
    whole = fake.downloads.pop(801)
    with transaction(store.db) as db:
        replan(db, P, MONDAY - timedelta(days=1))
    store.sync(fake, today=MONDAY, since=MONDAY)
    with transaction(store.db) as db:
        replan(db, P, MONDAY)
        assert db.scalars(select(m.Lift)).all() == []
    fake.downloads[801] = whole
    assert store.sync(fake, today=MONDAY + timedelta(days=1)).upgraded == 1
    for night in (MONDAY, MONDAY + timedelta(days=1)):
        with transaction(store.db) as db:
            replan(db, P, night)
            lifts = db.scalars(select(m.Lift)).all()
            assert [(x.exercise_id, x.reps, x.load_kg) for x in lifts] == [
                ("barbell_back_squat", [8], 60.0)]


@pytest.mark.parametrize("hiccup", [(200, {}, b"[]"), (204, {}, b"")], ids=["[]", "204"])
def test_a_list_that_comes_back_empty_deletes_no_waiting_run(
        store: WaitStore, hiccup: tuple[int, dict[str, str], bytes]) -> None:
    """An empty first page reads as a whole list (Garmin gives no total): the run waiting
    for its file, missing from it, was deleted as if the athlete had deleted it in Garmin.
    Only Garmin's own answer for the activity (a 404) says that it is gone."""
    fake = _late_long_run()
    whole = fake.downloads.pop(501)
    store.sync(fake, today=SUNDAY, since=SUNDAY - timedelta(days=3))
    fake.fail(r"activities\?.*&start=0$", hiccup)
    report = store.sync(fake, today=SUNDAY + timedelta(days=1))
    assert report.waits_ended == 0
    [row] = store.rows()
    assert (row.garmin_id, row.awaits_file) == (501, True)
    assert fake.calls.count("/activity-service/activity/501") == 1  # asked, and it is there
    fake.downloads[501] = whole
    assert store.sync(fake, today=SUNDAY + timedelta(days=2)).upgraded == 1


def test_a_file_imported_by_hand_upgrades_the_waiting_run(store: WaitStore,
                                                          tmp_path: Path) -> None:
    """The athlete imports the file Garmin will not serve: it upgrades the summary stored
    for it (the same start), which keeps its Garmin id and what only Garmin knows. Stored
    beside it, the run counted twice, for good once its wait ended (and a strength session's
    sets twice in the progression)."""
    fake = _late_long_run()
    data = extract_fit(fake.downloads.pop(501))
    assert data is not None
    store.sync(fake, today=SUNDAY, since=SUNDAY - timedelta(days=1))
    [waiting] = store.rows()
    (tmp_path / "long.fit").write_bytes(data)
    assert import_paths(store.db, store.raw, P, [tmp_path / "long.fit"],
                        workers=1).imported == 1
    [row] = store.rows()
    assert (row.id, row.garmin_id, row.awaits_file, row.content_hash) == (
        waiting.id, 501, False, sha256(data))
    assert (row.name, row.training_load, len(row.laps)) == ("Activity 501", 50.9, 1)
    for day in (1, sync.LATE_DAYS):  # Garmin still answers 404: nothing to wait for
        report = store.sync(fake, today=SUNDAY + timedelta(days=day))
        assert (report.new, report.waiting, report.already_stored) == (0, 0, 1)
    assert _downloads(fake, 501) == 1 and len(store.rows()) == 1
    synced = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == synced


def test_a_leg_whose_own_download_fails_is_upgraded_by_its_parents_file(
        store: WaitStore) -> None:
    """The parent's file holds the leg's session (the same start): it upgrades the leg's
    summary, which counted the leg a second time beside it, for good once its wait ended."""
    fake = FakeGarmin()
    _multisport(fake, 661, _brick())
    fake.items.append(list_item(662, datetime(2025, 7, 5, 6, 30, tzinfo=UTC), "running", 20,
                                parentId=661))
    whole = fake.downloads.pop(661)
    today = date(2025, 7, 8)
    store.sync(fake, today=today, since=date(2025, 7, 4))
    leg = store.rows()[1]
    fake.downloads[661] = whole  # the leg's own download still answers 404
    report = store.sync(fake, today=today + timedelta(days=1))
    assert (report.upgraded, report.new, report.waiting) == (2, 0, 0)
    rows = store.rows()
    assert [(r.sport, r.garmin_id, r.awaits_file, r.content_hash is not None)
            for r in rows] == [("cycling", 661, False, True), ("running", None, False, True)]
    assert rows[1].id == leg.id and rows[1].duration_s == 1200.0


def test_a_run_imported_by_hand_before_its_download_fails_is_not_stored_twice(
        store: WaitStore, tmp_path: Path) -> None:
    """The file imported first (from the watch, by USB), then the sync lists the run and its
    download 404s: Garmin's summary is that file's (the same start), which takes its Garmin
    id; stored beside it to wait, the run counted twice, for good once the wait ended."""
    fake = _late_long_run()
    data = extract_fit(fake.downloads.pop(501))
    assert data is not None
    (tmp_path / "long.fit").write_bytes(data)
    import_paths(store.db, store.raw, P, [tmp_path / "long.fit"], workers=1)
    report = store.sync(fake, today=SUNDAY, since=SUNDAY - timedelta(days=1))
    assert (report.new, report.waiting, report.already_stored) == (0, 0, 1)
    [row] = store.rows()
    assert (row.garmin_id, row.awaits_file, row.content_hash, row.name) == (
        501, False, sha256(data), "Activity 501")
    assert store.sync(fake, today=SUNDAY + timedelta(days=1)).already_stored == 1
    assert _downloads(fake, 501) == 1


def test_a_first_leg_listed_with_its_parents_start_is_not_counted_twice(
        store: WaitStore) -> None:
    """The parent and its first leg start together; both wait. The parent's file upgrades
    the parent, so the leg's summary is the same session again: it goes (left to wait, its
    own download failing, it counted a second time, for good once its wait ended)."""
    fake = FakeGarmin()
    _multisport(fake, 661, _brick())
    start = datetime.fromisoformat(fake.items[0]["startTimeGMT"]).replace(tzinfo=UTC)
    fake.items.append(list_item(662, start, "road_biking", 30, parentId=661))
    whole = fake.downloads.pop(661)
    today = start.date() + timedelta(days=3)
    assert store.sync(fake, today=today, since=start.date()).waiting == 2
    fake.downloads[661] = whole  # the leg's own download still answers 404
    store.sync(fake, today=today + timedelta(days=1))
    for day in (2, sync.LATE_DAYS):
        assert store.sync(fake, today=today + timedelta(days=day)).waiting == 0
    assert [(r.sport, r.garmin_id, r.awaits_file) for r in store.rows()] == [
        ("cycling", 661, False), ("running", None, False)]


def test_an_activity_garmin_fails_on_is_kept_and_the_night_goes_on(store: WaitStore) -> None:
    """Missing from the list, its own page a 500 after every retry: not known to be deleted,
    it stays, and the wellness days are still synced (raised, it ended every night)."""
    fake = _late_long_run()
    fake.downloads.pop(501)
    store.sync(fake, today=SUNDAY, since=SUNDAY - timedelta(days=3))
    fake.items.clear()
    fake.fail(r"/activity-service/activity/501$", *[(500, {}, b"")] * 4)
    report = store.sync(fake, today=SUNDAY + timedelta(days=1))
    assert report.waits_ended == 0 and report.days is not None
    assert report.days_stored == (report.days[1] - report.days[0]).days + 1
    [row] = store.rows()
    assert (row.garmin_id, row.awaits_file) == (501, True)
