"""An activity stored from Garmin's summary for good (its wait ended, a manual entry) is the
same activity as the FIT file imported for it later: one row, upgraded in place, its lifts read
back once. A multisport leg is its parent's file: not downloaded again night after night.
The fake Garmin through garminconnect's real code path, real databases (PostgreSQL too, with
STRIDELIFT_TEST_PG_URL), the real import and plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db import models as m
from db.raw import RawStore, sha256
from db.session import open_db, transaction
from demo.fitwrite import LapSpec, SetSpec, run_fit, strength_fit
from ingest import fit, sync
from ingest.bulk import import_paths
from ingest.garmin import extract_fit
from ingest.rebuild import rebuild
from jobs.analyse import analyse
from jobs.replan import replan
from tests.conftest import shared_fixture
from tests.garmin_fake import FakeGarmin, list_item, table_contents, zipped
from tests.test_sync_odd import _brick, _multisport
from tests.test_sync_wait import LONG_RUN, MONDAY, P, WaitStore, _downloads, _late_long_run


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> WaitStore:
    return WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))


def _loads(store: WaitStore) -> list[tuple[date, float]]:
    with store.db() as session:
        return [(day, round(load, 1)) for day, load in session.execute(
            select(m.Activity.local_date, m.RunClass.load).join(m.RunClass))]


FACTS = ("activities", "laps", "strength_sets", "streams", "lifts")  # what a rebuild makes


def _rebuilt_alike(store: WaitStore) -> None:
    """`db rebuild` replays the journal to the same activities, and the lifts still match."""
    synced = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    rebuilt = table_contents(store.db)
    assert {t: rebuilt[t] for t in FACTS} == {t: synced[t] for t in FACTS}


def _wait_ended(store: WaitStore, fake: FakeGarmin) -> None:
    first = LONG_RUN.date()
    store.sync(fake, today=first, since=first - timedelta(days=1))
    assert store.sync(fake, today=first + timedelta(days=sync.LATE_DAYS)).waits_ended == 1


def _stored_old(store: WaitStore, fake: FakeGarmin) -> None:
    """Synced when older than LATE_DAYS: it waits by its id, WAIT_DAYS from then."""
    first = LONG_RUN.date() + timedelta(days=sync.LATE_DAYS)
    store.sync(fake, today=first, since=LONG_RUN.date() - timedelta(days=1))
    assert store.sync(fake, today=first + timedelta(days=sync.WAIT_DAYS)).waits_ended == 1


def _manual(store: WaitStore, fake: FakeGarmin) -> None:
    fake.items[0]["manualActivity"] = True  # typed in at the same start as the watch's file
    assert store.sync(fake, today=LONG_RUN.date()).summary_only == 1


@pytest.mark.parametrize("stored", [_wait_ended, _stored_old, _manual],
                         ids=["wait ended", "stored old", "manual entry"])
def test_a_file_imported_for_a_summary_stored_for_good_upgrades_it(
        store: WaitStore, tmp_path: Path, stored: object) -> None:
    """Its wait over (or never begun), the summary is still the run: the file imported by hand
    made a second row, and the run's load counted twice (load, recovery, plan)."""
    fake = _late_long_run()
    data = extract_fit(fake.downloads.pop(501))
    assert data is not None and callable(stored)
    stored(store, fake)
    [summary] = store.rows()
    assert summary.content_hash is None and not summary.awaits_file
    (tmp_path / "long.fit").write_bytes(data)
    assert import_paths(store.db, store.raw, P, [tmp_path / "long.fit"],
                        workers=1).imported == 1
    [row] = store.rows()
    assert (row.id, row.garmin_id, row.content_hash, row.awaits_file) == (
        summary.id, 501, sha256(data), False)
    assert (row.name, row.training_load, len(row.laps)) == ("Activity 501", 50.9, 1)
    # Garmin's training effect too, as a sync of the same file stores it (the file's own
    # differs): a recovery run is judged by it, so the order files arrive in must not matter.
    assert (row.aerobic_te, row.anaerobic_te) == (2.7, 0.4)
    _rebuilt_alike(store)
    with transaction(store.db) as db:
        analyse(db, P, LONG_RUN.date() + timedelta(days=sync.LATE_DAYS + 1))
    [(day, load)] = _loads(store)
    assert day == LONG_RUN.date() and load > 0


def test_a_strength_session_read_back_from_its_summary_is_not_read_again_from_its_file(
        store: WaitStore, tmp_path: Path) -> None:
    """Read back from Garmin's sets (the summary stored for good), then its FIT file imported:
    the upgraded row's key is its file's, and the same session was read back a second time,
    every set counted twice in the progression and the next session taken as done."""
    fake = FakeGarmin()
    start = datetime(2025, 3, 3, 17, tzinfo=UTC)
    fake.add_strength(801, start, with_fit_sets=True)
    data = extract_fit(fake.downloads.pop(801))
    assert data is not None
    with transaction(store.db) as db:
        replan(db, P, MONDAY - timedelta(days=1))
    later = MONDAY + timedelta(days=sync.LATE_DAYS)
    assert store.sync(fake, today=later, since=MONDAY).waiting == 1
    assert store.sync(fake, today=later + timedelta(days=sync.WAIT_DAYS)).waits_ended == 1

    def night(day: date) -> tuple[list[tuple[str, list[int], float | None, str | None]], int]:
        with transaction(store.db) as db:
            replan(db, P, day)
            lifts = [(x.exercise_id, x.reps, x.load_kg, x.source)
                     for x in db.scalars(select(m.Lift).order_by(m.Lift.id))]
            done = db.scalar(select(func.count()).select_from(m.PlannedSession).where(
                m.PlannedSession.status == "done"))
        return lifts, int(done or 0)

    lifts, done = night(MONDAY)
    assert [(e, r, kg) for e, r, kg, _ in lifts] == [("barbell_back_squat", [8, 6], 65.0)]
    assert lifts[0][3] == "activity:801:0" and done == 1
    (tmp_path / "strength.fit").write_bytes(data)
    assert import_paths(store.db, store.raw, P, [tmp_path / "strength.fit"],
                        workers=1).imported == 1
    [row] = store.rows()
    assert (row.garmin_id, row.content_hash) == (801, sha256(data))
    for day in (MONDAY + timedelta(days=1), MONDAY + timedelta(days=3)):
        again, done_again = night(day)
        assert [(e, r, kg) for e, r, kg, _ in again] == [("barbell_back_squat", [8, 6], 65.0)]
        assert again[0][3] == f"activity:{sha256(data)}:0"  # the row's key now: read once
        assert done_again == done
    _rebuilt_alike(store)
    assert night(MONDAY + timedelta(days=4))[0] == again  # read back once after it too


def test_a_summary_stored_for_good_takes_a_strength_file_with_other_sets_once(
        store: WaitStore, tmp_path: Path) -> None:
    """Not read back yet when its file comes: the file's sets are read, once."""
    fake = FakeGarmin()
    fake.add_strength(802, datetime(2025, 3, 3, 17, tzinfo=UTC))
    fake.downloads.pop(802)
    later = MONDAY + timedelta(days=sync.LATE_DAYS)
    assert store.sync(fake, today=later, since=MONDAY).waiting == 1
    assert store.sync(fake, today=later + timedelta(days=sync.WAIT_DAYS)).waits_ended == 1
    data = strength_fit(datetime(2025, 3, 3, 17, tzinfo=UTC),
                        [SetSpec("squat", "barbell_back_squat", 5, 70.0, 30.0)])
    (tmp_path / "s.fit").write_bytes(data)
    import_paths(store.db, store.raw, P, [tmp_path / "s.fit"], workers=1)
    with transaction(store.db) as db:
        replan(db, P, MONDAY - timedelta(days=1))
        replan(db, P, MONDAY + timedelta(days=1))
        lifts = [(x.exercise_id, x.reps, x.load_kg) for x in db.scalars(select(m.Lift))]
    assert lifts == [("barbell_back_squat", [5], 70.0)] and len(store.rows()) == 1


SQUATS = [("active", "BARBELL_BACK_SQUAT", 8, 60.0), ("rest", None, None, None),
          ("active", "BARBELL_BACK_SQUAT", 6, 65.0)]  # garmin_fake.exercise_sets_body's


@pytest.mark.parametrize("stored", ["awaited", "for good"])
def test_a_strength_file_without_sets_keeps_the_sets_garmin_gave_its_summary(
        store: WaitStore, tmp_path: Path, stored: str) -> None:
    """Stored from its summary with Garmin's exercise sets (its download failed), then its
    FIT file imported by hand, which has no set messages: the row was refilled from the file
    and Garmin's sets were lost, the session no longer read back as lifted."""
    fake = FakeGarmin()
    fake.add_strength(803, datetime(2025, 3, 3, 17, tzinfo=UTC))  # its FIT holds no sets
    data = extract_fit(fake.downloads.pop(803))
    assert data is not None
    later = MONDAY + timedelta(days=sync.LATE_DAYS)
    assert store.sync(fake, today=later, since=MONDAY).waiting == 1
    if stored == "for good":
        assert store.sync(fake, today=later + timedelta(days=sync.WAIT_DAYS)).waits_ended == 1
    [summary] = store.rows()
    (tmp_path / "strength.fit").write_bytes(data)
    assert import_paths(store.db, store.raw, P, [tmp_path / "strength.fit"],
                        workers=1).imported == 1
    [row] = store.rows()
    assert (row.id, row.garmin_id, row.content_hash) == (summary.id, 803, sha256(data))
    assert [(s.set_type, s.exercise_name, s.reps, s.weight_kg) for s in row.sets] == SQUATS
    _rebuilt_alike(store)


def _brick_and_leg() -> FakeGarmin:
    fake = FakeGarmin()
    _multisport(fake, 661, _brick())
    fake.items.append(list_item(662, datetime(2025, 7, 5, 6, 30, tzinfo=UTC), "running", 20,
                                parentId=661))
    fake.downloads[662] = fake.downloads[661]  # a leg downloads as its parent's whole file
    return fake


def test_a_multisport_leg_is_not_downloaded_night_after_night(store: WaitStore) -> None:
    """Its parent stored from its file holds the leg's session: listed again by every sync
    of LATE_DAYS, the leg was downloaded again each time (the parent's whole file)."""
    fake = _brick_and_leg()
    today = date(2025, 7, 5)
    report = store.sync(fake, today=today, since=today)
    assert (report.new, report.already_stored) == (2, 1)
    for day in range(1, sync.LATE_DAYS + 1):
        report = store.sync(fake, today=today + timedelta(days=day))
        assert (report.new, report.waiting) == (0, 0)
    assert (_downloads(fake, 661), _downloads(fake, 662)) == (1, 0)
    assert [(r.sport, r.garmin_id) for r in store.rows()] == [("cycling", 661),
                                                              ("running", None)]


def test_a_leg_listed_before_its_parent_is_still_its_parents_file(store: WaitStore) -> None:
    """The parent and its first leg start together; listed leg first, the leg's download
    took the file's Garmin id, and the parent, never known, was downloaded every night."""
    fake = FakeGarmin()
    _multisport(fake, 661, _brick())
    start = datetime.fromisoformat(fake.items[0]["startTimeGMT"]).replace(tzinfo=UTC)
    fake.items.insert(0, list_item(662, start, "road_biking", 30, parentId=661))
    fake.downloads[662] = fake.downloads[661]
    for day in range(3):
        store.sync(fake, today=start.date() + timedelta(days=day), since=start.date())
    assert (_downloads(fake, 661), _downloads(fake, 662)) == (1, 0)
    assert [(r.sport, r.garmin_id) for r in store.rows()] == [("cycling", 661),
                                                              ("running", None)]


def test_a_leg_whose_parents_file_has_not_come_is_still_downloaded(store: WaitStore) -> None:
    """Its parent waits for its file: the leg's own download may bring it."""
    fake = _brick_and_leg()
    fake.downloads.pop(661)
    today = date(2025, 7, 5)
    report = store.sync(fake, today=today, since=today)
    # the parent waited, and the leg's download brought its file: none waits
    assert (report.new, report.upgraded, report.waiting) == (2, 1, 0)
    assert _downloads(fake, 662) == 1
    rows = store.rows()
    assert [(r.sport, r.garmin_id, r.awaits_file, r.name) for r in rows] == [
        ("cycling", 661, False, "Activity 661"), ("running", None, False, "Activity 662")]
    # the parent's summary is the whole brick's: its label and load are no leg's
    [first, _] = fit.decode(_brick(), "brick.fit")
    assert (rows[0].te_label, rows[0].training_load) == (first.te_label, first.training_load)
    store.sync(fake, today=today + timedelta(days=1))
    assert (_downloads(fake, 661), _downloads(fake, 662)) == (1, 1)


def _strength_typed_in(fake: FakeGarmin) -> None:
    """A strength session typed in by hand at the long run's start (no file ever)."""
    fake.items.append(list_item(502, LONG_RUN, "strength_training", 30, manualActivity=True))


@pytest.mark.parametrize("run", ["file only", "summary for good", "awaited", "downloaded"])
def test_a_file_never_takes_the_row_of_an_activity_of_another_kind_at_its_start(
        store: WaitStore, tmp_path: Path, run: str) -> None:
    """A strength session typed in at 06:00 and a run whose file starts at 06:00:00: the
    run's file (imported by hand, its late download, or its download stored first) took the
    strength entry's row (its Garmin id, name and load), or the entry was dropped as the
    same activity again: the session was gone."""
    fake = _late_long_run()
    _strength_typed_in(fake)
    data = extract_fit(fake.downloads[501])
    assert data is not None
    day = LONG_RUN.date()
    if run == "file only":
        fake.items.pop(0)
    if run in ("file only", "summary for good"):
        fake.downloads.pop(501)
        store.sync(fake, today=day + timedelta(days=sync.LATE_DAYS), since=day)
        (tmp_path / "long.fit").write_bytes(data)
        import_paths(store.db, store.raw, P, [tmp_path / "long.fit"], workers=1)
    elif run == "awaited":
        download = fake.downloads.pop(501)
        assert store.sync(fake, today=day, since=day).waiting == 1
        fake.downloads[501] = download
        assert store.sync(fake, today=day + timedelta(days=1)).upgraded == 1
    else:
        store.sync(fake, today=day, since=day)
    rows = sorted(((r.sport, r.garmin_id, r.content_hash) for r in store.rows()), key=str)
    assert rows == [("running", None if run == "file only" else 501, sha256(data)),
                    ("training", 502, None)]
    _rebuilt_alike(store)


@pytest.mark.parametrize("first", ["entry", "file"])
def test_a_run_typed_in_is_the_file_starting_within_its_minute(
        store: WaitStore, tmp_path: Path, first: str) -> None:
    """Garmin's manual entry has a start to the minute (06:00), the watch's file to the second
    (06:00:17): only a file starting on the whole minute was taken for it, and the run counted
    twice (load, recovery, plan) however it came."""
    fake = FakeGarmin()
    fake.items.append(list_item(502, LONG_RUN, "running", 120, manualActivity=True))
    data = run_fit(LONG_RUN + timedelta(seconds=17), [LapSpec(7200, 3.0, 145)])
    (tmp_path / "long.fit").write_bytes(data)
    steps = [lambda: store.sync(fake, today=LONG_RUN.date(), since=LONG_RUN.date()),
             lambda: import_paths(store.db, store.raw, P, [tmp_path / "long.fit"], workers=1)]
    for step in steps if first == "entry" else steps[::-1]:
        step()
    [row] = store.rows()
    assert (row.garmin_id, row.content_hash, row.start_utc) == (
        502, sha256(data), LONG_RUN + timedelta(seconds=17))
    _rebuilt_alike(store)


@pytest.mark.parametrize("listed", ["in order", "reversed"])
def test_two_strength_sessions_begun_in_one_minute_stay_two(store: WaitStore,
                                                             listed: str) -> None:
    """A strength session started at 17:00:00 and stopped, another started at 17:00:40: two
    Garmin activities (two ids). The first's file is late, the second's comes at once; then
    the first's comes. Within its minute, the second's file took the first's row (its id and
    sets lost, the second downloaded again every night), and the first's summary was dropped
    as a duplicate, its lifts read back under a key no activity has. A true repeat (the same
    id, or a multisport leg at its parent's very second) is still one row."""
    fake = FakeGarmin()
    start = datetime(2025, 3, 3, 17, tzinfo=UTC)
    fake.add_strength(811, start)
    fake.add_strength(812, start + timedelta(seconds=40), with_fit_sets=True)
    late = fake.downloads.pop(811)
    if listed == "reversed":  # the second's file stored first, then the first's summary
        fake.items.reverse()
    with transaction(store.db) as db:
        replan(db, P, MONDAY - timedelta(days=1))
    report = store.sync(fake, today=MONDAY, since=MONDAY)
    assert (report.new, report.waiting) == (2, 1)
    fake.downloads[811] = late
    report = store.sync(fake, today=MONDAY + timedelta(days=1))
    assert (report.new, report.upgraded, report.waiting) == (0, 1, 0)
    with transaction(store.db) as db:
        replan(db, P, MONDAY + timedelta(days=1))
        rows = [(gid, digest is not None, begun) for gid, digest, begun in db.execute(select(
            m.Activity.garmin_id, m.Activity.content_hash, m.Activity.start_utc
        ).order_by(m.Activity.start_utc))]
        keys = {f"activity:{digest or gid}:{index}" for gid, digest, index in db.execute(
            select(m.Activity.garmin_id, m.Activity.content_hash, m.Activity.session_index))}
        sources = set(db.scalars(select(m.Lift.source).where(m.Lift.source.is_not(None))))
    assert rows == [(811, True, start), (812, True, start + timedelta(seconds=40))]
    assert sources and sources <= keys
    assert store.sync(fake, today=MONDAY + timedelta(days=2)).already_stored == 2
    assert [_downloads(fake, gid) for gid in (811, 812)] == [2, 1]
    _rebuilt_alike(store)


@pytest.mark.parametrize("first", ["the list", "the watch's file by hand"])
def test_a_real_triathlon_and_its_five_legs_are_five_rows(store: WaitStore, tmp_path: Path,
                                                          first: str) -> None:
    """The FIT SDK's triathlon (swim, transition, bike, transition, run) as Garmin lists it:
    the parent and a leg per session, each of its own id, the first leg at the parent's very
    second; listed while every download is late, or after the watch's file was imported by
    hand. When the downloads come (each the parent's whole file) it is five rows, each with
    the file, none waiting: a leg's summary left beside its session counted its load twice
    (two ids are one activity only at one second), one taken for another session lost it."""
    path = shared_fixture("fit", "fit", "triathlon_summary_first.fit")
    data, sessions = path.read_bytes(), fit.decode(path.read_bytes(), path.name)
    legs = {4001 + n: one for n, one in enumerate(sessions)}
    kinds = {"swimming": "open_water_swimming", "transition": "transition",
             "cycling": "road_biking", "running": "running"}
    fake = FakeGarmin(items=[list_item(4000, sessions[0].start, "multi_sport", 50, parent=True,
                                       childIds=list(legs))] + [
        list_item(gid, one.start, kinds[one.sport], 10, parentId=4000)
        for gid, one in legs.items()])
    day = sessions[0].start.date()
    if first != "the list":
        assert import_paths(store.db, store.raw, P, [path], workers=1).imported == 1
    report = store.sync(fake, today=day, since=day)
    assert (report.new, report.waiting) == ((6, 6) if first == "the list" else (0, 0))
    fake.downloads = {item["activityId"]: zipped("4000_ACTIVITY.fit", data)
                      for item in fake.items}
    report = store.sync(fake, today=day + timedelta(days=1))
    assert (report.new, report.waiting) == (0, 0)
    assert [(r.session_index, r.sport, r.garmin_id, r.content_hash, r.awaits_file)
            for r in store.rows()] == [(n, one.sport, 4000 if n == 0 else None,
                                        sha256(data), False) for n, one in enumerate(sessions)]
    _rebuilt_alike(store)
