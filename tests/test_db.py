from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import JSON, Engine, column, event, func, inspect, select, table

from db import activities, plans, repo, wellness_days
from db import models as m
from db import streams as packing
from db.session import MIGRATIONS, DatabaseError, make_engine, open_db, transaction, upgrade
from domain.activity import Activity, Lap, Streams, StrengthSet
from domain.profile import Profile, Race
from domain.wellness import DailyWellness
from ingest import garmin_wellness
from jobs.analyse import analyse
from jobs.replan import load_sessions, save_sessions, store_adjustments
from planner.adapt import lighten
from planner.catalog_file import default_catalog
from planner.model import Adjustment
from planner.plan import extend
from planner.progression import LoggedLift
from tests.planning import MONDAY, context, plan, profile, template

ANNA = Profile(name="anna", tz="America/Los_Angeles", sex="f", max_hr=186, rest_hr=48,
               runs={"sat": "long"})
START = datetime(2025, 3, 2, 3, 30, tzinfo=UTC)  # still 1 March in Los Angeles


def run(**overrides: object) -> Activity:
    t = np.arange(0, 600, 1.0)
    hr = np.where(t < 300, 140.0, np.nan)
    base = Activity(
        sport="running", sub_sport="generic", start=START, duration_s=600.0, elapsed_s=610.0,
        distance_m=1800.0, avg_hr=140.0, max_hr=150.0, aerobic_te=2.1, anaerobic_te=0.3,
        training_load=40.0, laps=(Lap(0, START, 300.0, 900.0, 140, 150, 3.0, "active", 0,
                                      elapsed_s=310.0),  # paused for 10 s
                                  Lap(1, START, 300.0, 900.0, None, None, 3.0, "rest", 1)),
        streams=Streams(t=t, channels={"heart_rate": hr, "speed": np.full(600, 3.0)}),
        sets=(StrengthSet(0, "active", "SQUAT", "BARBELL_BACK_SQUAT", 6, 60.0, 40.0),))
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_migrations_create_every_table_and_rerun_is_a_no_op(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"athletes", "activities", "laps", "streams", "strength_sets", "wellness",
            "sync_cursors", "alembic_version"} <= tables


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_activity_round_trip(db_url: str) -> None:
    factory = open_db(db_url)
    with transaction(factory) as s:
        who = repo.athlete(s, ANNA)
        saved = repo.save_activities(s, who, [run()], "a" * 64)
    assert saved == repo.Saved(new=1, duplicates=0)
    with factory() as s:
        row = s.scalars(select(m.Activity)).one()
        assert row.local_date == date(2025, 3, 1)  # the athlete's zone decides the day
        back = activities.load_activity(s, row.id)
    assert back is not None
    original = run()
    assert back.start == START and back.start.tzinfo is not None
    assert back.laps == original.laps and back.sets == original.sets
    assert len(back.streams) == 600
    np.testing.assert_array_equal(back.streams.get("heart_rate"),
                                  original.streams.get("heart_rate"))
    assert back.streams.get("power") is None


def test_same_content_twice_is_stored_once_and_garmin_id_attaches(db_url: str) -> None:
    factory = open_db(db_url)
    with transaction(factory) as s:
        who = repo.athlete(s, ANNA)
        repo.save_activities(s, who, [run()], "b" * 64)
        again = repo.save_activities(s, who, [run(te_label="TEMPO", is_race=True)], "b" * 64,
                                     garmin_id=987)
    assert again == repo.Saved(new=0, duplicates=1)
    with factory() as s:
        row = s.scalars(select(m.Activity)).one()
        assert (row.garmin_id, row.te_label, row.is_race) == (987, "TEMPO", True)
        assert s.scalar(select(func.count()).select_from(m.Lap)) == 2


def test_fit_files_stored_together_hold_each_content_once(db_url: str) -> None:
    factory = open_db(db_url)
    legs = [run(), run(session_index=1, sport="cycling")]
    packed = [(act, packing.Packed.of(act.streams)) for act in legs]
    with transaction(factory) as s:
        who = repo.athlete(s, ANNA)
        repo.save_activities(s, who, [run()], "e" * 64)
        saved = repo.save_fit_files(s, who, [("e" * 64, packed[:1]), ("f" * 64, packed),
                                             ("f" * 64, packed)])
    assert saved == [repo.Saved(0, 1), repo.Saved(2, 0), repo.Saved(0, 2)]
    with factory() as s:
        rows = s.scalars(select(m.Activity).order_by(m.Activity.id)).all()
        assert [(r.content_hash, r.session_index, r.sport) for r in rows] == [
            ("e" * 64, 0, "running"), ("f" * 64, 0, "running"), ("f" * 64, 1, "cycling")]
        back = activities.load_activity(s, rows[2].id)
    assert back is not None and back.laps == legs[1].laps and back.sets == legs[1].sets
    np.testing.assert_array_equal(back.streams.t, legs[1].streams.t)
    np.testing.assert_array_equal(back.streams.get("heart_rate"),
                                  legs[1].streams.get("heart_rate"))


def test_athletes_are_isolated(db_url: str) -> None:
    factory = open_db(db_url)
    ben = replace(ANNA, name="ben")
    with transaction(factory) as s:
        a, b = repo.athlete(s, ANNA), repo.athlete(s, ben)
        repo.save_activities(s, a, [run()], "c" * 64, garmin_id=5)
        assert repo.save_activities(s, b, [run()], "c" * 64, garmin_id=5).new == 1


def test_wellness_upsert_and_cursor(db_url: str) -> None:
    factory = open_db(db_url)
    day = date(2025, 3, 1)
    with transaction(factory) as s:
        who = repo.athlete(s, ANNA)
        wellness_days.save_wellness(s, who, DailyWellness(day=day, hrv_last_night=55.0,
                                                          sleep_score=70))
        wellness_days.save_wellness(s, who, DailyWellness(day=day, hrv_last_night=57.0,
                                                 readiness_level="HIGH"))
        assert repo.cursor(s, who, "wellness") is None
        repo.set_cursor(s, who, "wellness", "2025-03-01")
        repo.set_cursor(s, who, "wellness", "2025-03-02")
    with factory() as s:
        who = repo.athlete(s, ANNA)
        days = wellness_days.wellness(s, who, day, day)
        assert days == [DailyWellness(day=day, hrv_last_night=57.0, readiness_level="HIGH")]
        assert repo.cursor(s, who, "wellness") == "2025-03-02"


def test_failed_transaction_leaves_nothing(db_url: str) -> None:
    factory = open_db(db_url)
    with pytest.raises(RuntimeError), transaction(factory) as s:
        repo.save_activities(s, repo.athlete(s, ANNA), [run()], "d" * 64)
        raise RuntimeError("crash mid-import")
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(m.Activity)) == 0


def test_stream_packing_is_compact_and_exact_enough() -> None:
    rng = np.random.default_rng(1)
    hr = np.round(rng.normal(150, 5, 3600))
    blob = packing.pack(hr)
    assert len(blob) < hr.nbytes / 4  # float64 -> float32 halves, zstd does the rest
    np.testing.assert_array_equal(packing.unpack(blob, 3600), hr)
    with pytest.raises(ValueError, match="holds 3600 samples, expected 3599"):
        packing.unpack(blob, 3599)


VALUES = np.array([61.0, np.nan, 3.25, -7.5e3, 0.0, 0.5])  # float32 holds them exactly


def _planes(values: np.ndarray) -> bytes:
    return values.astype("<f4").view(np.uint8).reshape(-1, 4).T.tobytes()


# every encoding's blob as it was written, with the library of its day
WRITTEN = {packing.PLAIN: lambda v: zlib.compress(v.astype("<f4").tobytes(), 1),
           packing.ZLIB_PLANES: lambda v: zlib.compress(_planes(v), 1),
           packing.ENCODING: packing.pack}


@pytest.mark.parametrize("encoding", sorted(WRITTEN))
def test_every_stream_encoding_reads_back(encoding: int) -> None:
    blob = WRITTEN[encoding](VALUES)
    np.testing.assert_array_equal(packing.unpack(blob, VALUES.size, encoding), VALUES)
    with pytest.raises(ValueError, match=f"holds {VALUES.size} samples, expected 7"):
        packing.unpack(blob, 7, encoding)


def test_new_streams_are_zstd_frames_unlike_the_old_encodings() -> None:
    blobs = {encoding: write(VALUES) for encoding, write in WRITTEN.items()}
    assert blobs[packing.ENCODING][:4] == b"\x28\xb5\x2f\xfd"  # zstd's magic number
    assert len(set(blobs.values())) == 3


def test_an_encoding_2_row_is_read_from_the_database(db_url: str) -> None:
    """A row stored before zstd (zlib planes, encoding 2) loads as it was, beside a new one."""
    factory = open_db(db_url)
    streams = run().streams
    with transaction(factory) as s:
        repo.save_activities(s, repo.athlete(s, ANNA), [run(), run(session_index=1)], "a" * 64)
        old = s.scalars(select(m.Stream).order_by(m.Stream.activity_id)).first()
        assert old is not None and old.encoding == packing.ENCODING
        old.encoding, old.t = packing.ZLIB_PLANES, WRITTEN[packing.ZLIB_PLANES](streams.t)
        old.heart_rate, old.speed = (WRITTEN[packing.ZLIB_PLANES](streams.channels[name])
                                     for name in ("heart_rate", "speed"))
    with factory() as s:
        loaded = [activities.to_domain(row).streams
                  for row in s.scalars(select(m.Activity).order_by(m.Activity.id))]
    for back in loaded:
        np.testing.assert_array_equal(back.t, streams.t)
        assert back.channels.keys() == streams.channels.keys()
        for name, values in streams.channels.items():
            np.testing.assert_array_equal(back.channels[name], values)


@pytest.mark.parametrize("encoding", sorted(WRITTEN))
def test_a_corrupt_stream_is_a_one_line_value_error(encoding: int) -> None:
    blob = WRITTEN[encoding](np.arange(3600.0))
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 0x10  # one bit inside the data: only a checksum tells
    for damaged in (blob[: len(blob) // 2], blob[:4] + bytes(16) + blob[20:], b"junk",
                    bytes(flipped)):
        with pytest.raises(ValueError) as caught:
            packing.unpack(damaged, 3600, encoding)
        message = str(caught.value)
        assert "\n" not in message and ("corrupt" in message or "expected 3600" in message)


def test_an_unknown_stream_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stream encoding 4"):
        packing.unpack(packing.pack(VALUES), VALUES.size, 4)


def test_bad_database_url_is_a_clear_error() -> None:
    with pytest.raises(DatabaseError, match="not a database URL"):
        make_engine("definitely not a url")
    with pytest.raises(DatabaseError, match="cannot use"):
        make_engine("nosuchdialect://x/y")


def test_migrations_match_the_models(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), m.Base.metadata) == []


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(DatabaseError, match=r"x\.db"):
        open_db(f"sqlite:///{tmp_path / 'x.db'}")


_KILLED_AT = """
import os, signal, sys
from sqlalchemy import Engine, event
from db.session import open_db

@event.listens_for(Engine, "before_cursor_execute")
def die(conn, cursor, statement, *args):
    if statement.lstrip().startswith(sys.argv[2]):  # this process dies as that statement would run
        os.kill(os.getpid(), signal.SIGKILL)

open_db(sys.argv[1])
"""


@pytest.mark.parametrize("statement", ["CREATE TABLE activities", "CREATE TABLE adjustments",
                                       "ALTER TABLE athletes ADD COLUMN analysed_with"])
def test_a_migration_killed_midway_leaves_a_database_the_next_open_finishes(
        db_url: str, statement: str) -> None:
    root = Path(__file__).resolve().parents[1]
    killed = subprocess.run([sys.executable, "-c", _KILLED_AT, db_url, statement], cwd=root,
                            capture_output=True, env={**os.environ, "PYTHONPATH": str(root)})
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()

    engine = make_engine(db_url)
    upgrade(engine)  # before: "table athletes already exists", on SQLite, for good
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), m.Base.metadata) == []


_OPENS = """
import sys, time
from pathlib import Path
from sqlalchemy import Engine, event
from db.session import open_db

url, flags, role = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

@event.listens_for(Engine, "before_cursor_execute")
def meet(conn, cursor, statement, *args):
    said = statement.lstrip()
    if role == "first" and said.startswith("CREATE TABLE activities"):  # mid-migration
        (flags / "paused").touch()
        while not (flags / "go").exists():
            time.sleep(0.01)
    if role == "second" and said.startswith(("BEGIN IMMEDIATE", "SELECT pg_advisory", "CREATE")):
        (flags / "go").touch()  # the second's first step that waits for or writes the schema

open_db(url)
"""


def test_two_processes_opening_a_new_database_at_once_both_succeed(db_url: str,
                                                                  tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]

    def opening(role: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", _OPENS, db_url, str(tmp_path), role],
                                cwd=root, stderr=subprocess.PIPE,
                                env={**os.environ, "PYTHONPATH": str(root)})

    first = opening("first")
    while not (tmp_path / "paused").exists():  # the first is midway through the migration
        assert first.poll() is None, first.communicate()[1].decode()
        time.sleep(0.01)
    second = opening("second")  # e.g. the daemon and the web app started together
    said = second.communicate(timeout=60)[1].decode()
    (tmp_path / "go").touch()  # however the second ended, the first goes on
    _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err.decode()
    assert second.returncode == 0, said  # before: "table athletes already exists"
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), m.Base.metadata) == []


def _downgrade(engine: Engine, revision: str) -> None:
    """The schema taken back to `revision` by its migrations' own downgrades."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_sessions_lightened_before_the_load_share_take_it_from_their_decision(
        db_url: str) -> None:
    """Rows stored before prescriptions carried their share of the load read as full ones,
    and the nightly refresh gave a lightened session its full load back: migration 0011
    takes each share from the decision that lightened the session (amber 0.9 on every
    exercise, a race's 80 % on loads in kg or by feel)."""
    catalog = default_catalog()
    race = Race(MONDAY - timedelta(days=3), "5k", "C")
    runs = {"tue": "easy", "sat": "long"}
    ctx = context(profile(runs, sessions=1, races=(race,)))
    [first, *_] = plan(ctx, template(runs))
    ctx = replace(ctx, history=[LoggedLift(MONDAY - timedelta(days=10), p.exercise_id,
                                           (12, 12, 12), 50.0) for p in first.exercises
                                if catalog.exercise(p.exercise_id).loaded and p.reps])
    sessions, changes = extend(ctx, MONDAY, MONDAY - timedelta(days=1),
                               MONDAY + timedelta(days=20), template(runs), [])
    back, amber, *_ = [s for s in sessions if s.kind == "strength"]
    assert back.status == "lightened" and {p.share for p in back.exercises} == {0.8, 1.0}
    amber = lighten(amber)
    assert {p.share for p in amber.exercises} == {0.9}  # the premise: both kinds of share
    sessions = [amber if s.id == amber.id else s for s in sessions]
    changes.append(Adjustment(amber.id, MONDAY, "S7.3 amber", "lighten", "", "", ()))
    engine = make_engine(db_url)
    upgrade(engine)
    factory = open_db(db_url)
    with transaction(factory) as db:
        who = repo.athlete(db, ctx.profile)
        save_sessions(db, who, sessions)
        store_adjustments(db, who, changes)
    _downgrade(engine, "0010")  # the schema as it was then
    with transaction(factory) as db:  # and the rows as the code before the share stored them
        for row in db.scalars(select(m.PlannedSession)):
            row.exercises = [{k: v for k, v in p.items() if k != "share"} for p in row.exercises]
    with transaction(factory) as db:
        assert {p.share for s in load_sessions(db, repo.athlete(db, ctx.profile))
                for p in s.exercises} == {1.0}
    upgrade(engine)
    with transaction(factory) as db:
        assert load_sessions(db, repo.athlete(db, ctx.profile)) == sessions


def test_last_lifts_are_each_exercises_latest_with_reps(db_url: str) -> None:
    """Newest first, read until each exercise has its last time (years of lifts unread):
    the latest with reps wins, a record of no reps or of the session itself is passed over,
    and the cursor left early is closed (PostgreSQL streams it)."""
    factory = open_db(db_url)
    day = date(2026, 3, 2)
    with transaction(factory) as db:
        who = repo.athlete(db, profile())
        for weeks in range(150, 0, -1):  # three years of squats, the last one at 29 kg
            repo.add_lifts(db, who, day - timedelta(weeks=weeks),
                           [("squat", [5, 5], max(30.0 - weeks, 5.0))], session_key=None)
        repo.add_lifts(db, who, day - timedelta(days=3), [("squat", [0, 0], 40.0)],
                       session_key=None)  # left unticked
        repo.add_lifts(db, who, day - timedelta(days=20), [("plank", [30], None)],
                       session_key=None)
        repo.add_lifts(db, who, day - timedelta(days=1), [("plank", [45], None)],
                       session_key="now")  # the session shown
    with transaction(factory) as db:
        who = repo.athlete(db, profile())
        last = plans.last_lifts(db, who, ["squat", "plank", "lunge"], day, besides="now")
        assert {k: (v.day, v.load_kg) for k, v in last.items()} == {
            "squat": (day - timedelta(weeks=1), 29.0), "plank": (day - timedelta(days=20), None)}
    loaded: list[m.Lift] = []

    def read(lift: m.Lift, _context: object) -> None:
        loaded.append(lift)
    event.listen(m.Lift, "load", read)
    try:
        with transaction(factory) as db:
            who = repo.athlete(db, profile())
            assert plans.last_lifts(db, who, ["squat"], day - timedelta(weeks=2), "now")[
                "squat"].day == day - timedelta(weeks=2)
            # an exercise never lifted read every squat, looking for its last time
            assert plans.last_lifts(db, who, ["lunge", "squat"], day, "now").keys() == {"squat"}
    finally:
        event.remove(m.Lift, "load", read)
    assert 0 < len(loaded) < 20  # a batch a call, of 151 lifted: the years before stay unread


def test_last_lifts_read_through_the_index_on_athlete_exercise_and_day(
        tmp_path: Path) -> None:
    """Migration 0016's index: SQLite's plan for last_lifts' query searches it, in the order
    asked, no sort (before: the athlete's index, then every lift of theirs sorted)."""
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    factory = open_db(url)
    queries: list[tuple[str, object]] = []

    def seen(_conn: object, _cursor: object, statement: str, parameters: object,
             *_: object) -> None:
        if statement.lstrip().startswith("SELECT") and "FROM lifts" in statement:
            queries.append((statement, parameters))
    engine = factory.kw["bind"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with transaction(factory) as db:
            plans.last_lifts(db, repo.athlete(db, profile()), ["lunge"], date(2026, 3, 2), "x")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    [(statement, parameters)] = queries
    with engine.connect() as conn:
        steps = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                         parameters)]
    assert steps == ["SEARCH lifts USING INDEX ix_lifts_athlete_exercise_day_id "
                     "(athlete_id=? AND exercise_id=? AND day<?)"], steps


def test_migration_0016_goes_down_and_up_on_every_backend(db_url: str) -> None:
    """0016's index dropped and made again by its own migration, on SQLite and PostgreSQL
    alike, the schema agreeing with the models after (only SQLite's was run down and up)."""
    engine = make_engine(db_url)
    upgrade(engine)
    _downgrade(engine, "0015")
    assert "ix_lifts_athlete_exercise_day_id" not in {i["name"] for i in inspect(engine)
                                                   .get_indexes("lifts")}
    upgrade(engine)
    [index] = [i for i in inspect(engine).get_indexes("lifts")
               if i["name"] == "ix_lifts_athlete_exercise_day_id"]
    assert index["column_names"] == ["athlete_id", "exercise_id", "day", "id"]
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), m.Base.metadata) == []
    engine.dispose()


def test_migration_0017_goes_down_and_up_and_keeps_the_laps_stored(db_url: str) -> None:
    """laps.elapsed_s dropped and added again by 0017's own migration on either backend (on
    SQLite a table rebuilt): the laps stay, their elapsed time unknown (NULL) until `db
    rebuild`, so each ends at its start plus its timer time as before."""
    factory = open_db(db_url)
    with transaction(factory) as s:
        repo.save_activities(s, repo.athlete(s, ANNA), [run()], "a" * 64)
    engine = factory.kw["bind"]
    _downgrade(engine, "0016")
    assert "elapsed_s" not in {c["name"] for c in inspect(engine).get_columns("laps")}
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), m.Base.metadata) == []
    with factory() as s:
        back = activities.load_activity(s, s.scalars(select(m.Activity.id)).one())
    assert back is not None and [lap.elapsed_s for lap in back.laps] == [None, None]
    assert [lap.span_s for lap in back.laps] == [300.0, 300.0]
    engine.dispose()


def test_migration_0019_gives_stored_readiness_scores_the_level_a_sync_gives_now(
        db_url: str) -> None:
    """Rows stored before the ingest gave a score without a level its band's level kept none
    (readiness missing on those days) until the day was synced again. 0019 fills them as a
    sync now stores them (ingest.garmin_wellness.readiness; a level Garmin gave is kept, a
    score of 0 is no reading) and the analysis decides those days again from the first one
    filled: anna's migrated days read as ben's, the same mornings stored by today's ingest.
    Down and up again, the levels stay and nothing is decided again."""
    first = date(2025, 4, 1)  # the first and last days: a night's sleep, no reading
    readings: list[tuple[int, str | None] | None] = [
        None, (80, None), (20, None), (60, "LOW"), (0, None), None]
    days = [first + timedelta(days=i) for i in range(len(readings))]
    sleep = [DailyWellness(day=day, sleep_score=85) for day in days]
    then = [replace(s, readiness_score=r[0], readiness_level=r[1]) if r else s  # as stored
            for s, r in zip(sleep, readings, strict=True)]
    now = [s.merged(garmin_wellness.readiness(s.day, [{"score": r[0], "level": r[1]}]))
           if r else s for s, r in zip(sleep, readings, strict=True)]
    anna, ben = replace(ANNA, tz="UTC"), replace(ANNA, name="ben", tz="UTC")
    factory = open_db(db_url)
    engine = factory.kw["bind"]
    _downgrade(engine, "0018")  # the schema of the version before, its rows as stored then
    with transaction(factory) as db:
        for who, rows in ((anna, then), (ben, now)):
            for day in rows:
                wellness_days.save_wellness(db, repo.athlete(db, who), day)
            analyse(db, who, days[-1])
    with factory() as db:
        before = plans.daily_status(db, repo.athlete(db, anna), days[1])
        assert before is not None and "training readiness" in before.missing  # the premise
    upgrade(engine)

    def stored(who: Profile) -> tuple[list[DailyWellness], list[tuple[object, ...]]]:
        with factory() as db:
            row = repo.athlete(db, who)
            return (wellness_days.wellness(db, row, first, days[-1]),
                    sorted((s.day, s.level, s.reasons, s.missing, s.values)
                           for s in plans.daily_statuses(db, row)))
    assert [d.readiness_level for d in stored(anna)[0]] == [
        None, "HIGH", "POOR", "LOW", None, None]
    assert stored(anna)[0] == stored(ben)[0] == now
    with transaction(factory) as db:
        assert analyse(db, anna, days[-1]).decided_from == days[1]
        assert analyse(db, ben, days[-1]).decided_from is None
    assert stored(anna)[1] == stored(ben)[1]
    with factory() as db:
        after = plans.daily_status(db, repo.athlete(db, anna), days[1])
        assert after is not None and "training readiness HIGH (≥ MODERATE)" in after.reasons
    _downgrade(engine, "0018")
    upgrade(engine)
    assert stored(anna)[0] == now
    with transaction(factory) as db:
        assert analyse(db, anna, days[-1]).days_written == 0
    engine.dispose()


def test_migration_0020_drops_the_athlete_only_lifts_index_and_goes_down_and_up(
        db_url: str) -> None:
    """lifts(athlete_id) was redundant beside 0016's (athlete_id, exercise_id, day, id):
    0020 drops it and its downgrade makes it again, on SQLite and PostgreSQL alike, the
    lifts kept and the schema agreeing with the models after."""
    factory = open_db(db_url)
    with transaction(factory) as db:
        repo.add_lifts(db, repo.athlete(db, profile()), date(2026, 3, 2),
                       [("squat", [5, 5], 30.0)], session_key=None)
    engine = factory.kw["bind"]

    def indexes() -> dict[str, list[str]]:
        return {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("lifts")}
    assert "ix_lifts_athlete_id" not in indexes()
    _downgrade(engine, "0019")
    assert indexes()["ix_lifts_athlete_id"] == ["athlete_id"]
    upgrade(engine)
    assert "ix_lifts_athlete_id" not in indexes()
    assert indexes()["ix_lifts_athlete_exercise_day_id"] == ["athlete_id", "exercise_id",
                                                             "day", "id"]
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), m.Base.metadata) == []
    with transaction(factory) as db:
        assert [(x.exercise_id, x.reps) for x in plans.lifts(db, repo.athlete(db, profile()))
                ] == [("squat", [5, 5])]
    engine.dispose()


def test_an_athletes_lifts_are_read_through_the_index_that_begins_with_the_athlete(
        tmp_path: Path) -> None:
    """Without the athlete-only index (0020), SQLite's plan for plans.lifts, an athlete's
    whole history in order, searches an index by its first column: no scan of the table;
    0023's (athlete, day, id) holds them in that order, so no sort either (0016's, by
    exercise first, needed one)."""
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    factory = open_db(url)
    with factory() as db:
        statement = str(select(m.Lift).where(m.Lift.athlete_id == 1)
                        .order_by(m.Lift.day, m.Lift.id).compile(db.bind))
    with factory.kw["bind"].connect() as conn:
        steps = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                         (1,))]
    assert steps == ["SEARCH lifts USING INDEX ix_lifts_athlete_day_id (athlete_id=?)"], steps


def test_migration_0021_stores_the_moves_a_race_made_as_data_read_from_their_words(
        db_url: str) -> None:
    """Moves stored before 0021 named the day moved from and the race only in words (its
    "before" text, the race's reason): 0021 fills them in once, the year from the
    session's week (a move stays in it) and from the night (the race's); `race remove`
    reads the data. Down and up again, the moves stay."""
    factory = open_db(db_url)
    with transaction(factory) as db:
        who = repo.athlete(db, profile()).id
    engine = factory.kw["bind"]
    _downgrade(engine, "0020")
    rows = [  # key, night, rule, action, before, the first reason
        ("2027-02-22#2", "2027-02-22", "Races added", "move",
         "strength on Thu 25 Feb: barbell_romanian_deadlift 2x6",
         "race on Wed 24 Feb added (C race, 5k): the week planned again around it"),
        ("2026-12-28#2", "2026-12-31", "S6", "move", "strength on Fri 01 Jan: bird_dog 3x20",
         "C race (5k) on Fri 01 Jan: entered on its own day, before today's session was "
         "lifted"),
        ("2027-03-01#1", "2027-02-26", "Runner", "move", "strength on Mon 01 Mar",
         "moved by the runner from Mon 01 Mar to Tue 02 Mar; S6 allows that day"),
        ("2027-03-01#2", "2027-02-26", "S7.3 amber", "lighten",
         "strength on Thu 04 Mar: bird_dog 3x20", "recovery amber on Wed 03 Mar"),
        # words naming no day of the session's week (Fri 10 Mar is 2028's): no day
        ("2027-03-08#1", "2027-03-08", "Races added", "move", "strength on Fri 10 Mar",
         "race on Tue 09 Mar added (C race, 5k): the week planned again around it")]
    old = table("adjustments", *(column(c) for c in (
        "athlete_id", "session_key", "night", "rule", "action", "before", "after")),
        column("reasons", JSON))
    with engine.begin() as conn:
        conn.execute(old.insert(), [
            {"athlete_id": who, "session_key": key, "night": date.fromisoformat(night),
             "rule": rule, "action": action, "before": before, "after": "x", "reasons": [why]}
            for key, night, rule, action, before, why in rows])
    want = {"2027-02-22#2": (date(2027, 2, 25), date(2027, 2, 24)),
            "2026-12-28#2": (date(2027, 1, 1), date(2027, 1, 1)),
            "2027-03-01#1": (date(2027, 3, 1), None), "2027-03-01#2": (None, None),
            "2027-03-08#1": (None, date(2027, 3, 9))}
    for _ in range(2):
        upgrade(engine)
        with factory() as db:
            stored = plans.adjustments(db, None)
            assert {a.session_key: (a.moved_from, a.for_race) for a in stored} == want
            assert {a.moved_status for a in stored} == {None}  # not in the words
        _downgrade(engine, "0020")
    upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), m.Base.metadata) == []
    engine.dispose()


def test_migration_0022_reads_an_athletes_activities_by_day_and_goes_down_and_up(
        db_url: str) -> None:
    """0022's indexes on (athlete, day), (athlete, awaited file) and (athlete, night retried)
    replace the athlete-only one (the first begins with the athlete), on SQLite and PostgreSQL
    alike; its downgrade gives that back, the activities kept and the schema agreeing with the
    models after (tests/test_night_reads.py: what they save a night)."""
    factory = open_db(db_url)
    with transaction(factory) as db:
        repo.save_activities(db, repo.athlete(db, ANNA), [run()], "a" * 64)
    engine = factory.kw["bind"]

    def indexes() -> dict[str, list[str]]:
        return {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("activities")
                if i["name"].startswith("ix_activities_athlete")}
    ours = {"ix_activities_athlete_day": ["athlete_id", "local_date"],
            "ix_activities_athlete_awaits": ["athlete_id", "awaits_file"],
            "ix_activities_athlete_retried": ["athlete_id", "retried_on"]}
    assert indexes() == ours
    _downgrade(engine, "0021")
    assert indexes() == {"ix_activities_athlete_id": ["athlete_id"]}
    upgrade(engine)
    assert indexes() == ours
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), m.Base.metadata) == []
    with transaction(factory) as db:
        assert [a.local_date for a in activities.activities(db, repo.athlete(db, ANNA))] == [
            date(2025, 3, 1)]
    engine.dispose()


def test_migration_0023_reads_an_athletes_lifts_by_day_and_goes_down_and_up(
        db_url: str) -> None:
    """0023's index on (athlete, day, id) of the lifts (a night's last lift through the day of
    a session gone by undone, jobs.replan.night_lifts), on SQLite and PostgreSQL alike; its
    downgrade drops it, the lifts kept and the schema agreeing with the models after."""
    factory = open_db(db_url)
    with transaction(factory) as db:
        repo.add_lifts(db, repo.athlete(db, ANNA), date(2025, 3, 1), [("goblet_squat", [8], 20.0)],
                       session_key=None)
    engine = factory.kw["bind"]

    def indexes() -> dict[str, list[str]]:
        return {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("lifts")}
    ours = {"ix_lifts_athlete_exercise_day_id": ["athlete_id", "exercise_id", "day", "id"],
            "ix_lifts_athlete_day_id": ["athlete_id", "day", "id"]}
    assert {k: v for k, v in indexes().items() if k in ours} == ours
    _downgrade(engine, "0022")
    assert "ix_lifts_athlete_day_id" not in indexes()
    upgrade(engine)
    assert {k: v for k, v in indexes().items() if k in ours} == ours
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), m.Base.metadata) == []
    with transaction(factory) as db:
        assert [r.day for r in plans.lifts(db, repo.athlete(db, ANNA))] == [date(2025, 3, 1)]
    engine.dispose()
