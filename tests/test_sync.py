"""The Garmin sync end to end, in-process: garminconnect's real code path against a fake
Garmin served through `responses`, a real SQLite database and raw store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from analysis.titles import planned_kind
from db import models as m
from db import repo
from db.raw import RawStore, sha256
from db.session import open_db, transaction
from demo.fitwrite import LapSpec, run_fit
from domain.profile import Profile
from ingest import garmin, garmin_login, sync
from ingest.garmin import GarminAuthError, GarminUnavailable
from ingest.rebuild import replay
from jobs.config import Paths
from stridelift.cli import app
from tests.garmin_fake import (
    FakeGarmin,
    connect_without_login,
    list_item,
    mocked,
    own_day_bodies,
    recorded,
    table_contents,
    zipped,
)

PROFILE = Profile(name="anna", tz="Europe/Berlin", sex="f", max_hr=186, rest_hr=48, runs={})
TODAY = date(2025, 7, 8)
T = datetime(2025, 7, 5, 6, 0, tzinfo=UTC)
PARTS = {"hrv", "sleep", "readiness", "body_battery", "summary", "training_status"}


@dataclass
class Store:
    db: sessionmaker[Session]
    raw: RawStore

    def sync(self, fake: FakeGarmin, today: date = TODAY, **kwargs: Any) -> sync.SyncReport:
        with mocked(fake):
            return sync.sync(self.db, self.raw, PROFILE, connect_without_login(), today=today,
                             **kwargs)

    def activities(self) -> dict[int, m.Activity]:
        with self.db() as session:
            rows = session.scalars(select(m.Activity)).all()
            for row in rows:
                _ = row.sets, row.laps  # load while the session is open
            return {int(row.garmin_id or 0): row for row in rows}

    def cursors(self) -> dict[str, str]:
        """The two streams' cursors (the origin has a test of its own)."""
        with self.db() as session:
            rows = session.execute(select(m.SyncCursor.stream, m.SyncCursor.value))
            return {stream: value for stream, value in rows if stream != sync.ORIGIN}

    def wellness(self, day: date) -> m.Wellness | None:
        with self.db() as session:
            return session.scalar(select(m.Wellness).where(m.Wellness.day == day))


def _store(folder: Path) -> Store:
    return Store(open_db(f"sqlite:///{folder / 'test.db'}"), RawStore(folder / "raw"))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return _store(tmp_path / "a")


@pytest.fixture
def fake() -> FakeGarmin:
    fake = FakeGarmin()
    fake.add_run(101, T, eventType={"typeKey": "race"})
    fake.add_strength(102, T + timedelta(days=1))
    fake.add_run(103, T - timedelta(days=2), type_key="trail_running",  # download: 404
                 manualActivity=True)  # typed in: no file
    fake.downloads.pop(103)
    fake.add_run(104, T + timedelta(days=2, hours=3))
    fake.downloads[104] = zipped("104.gpx", b"<gpx></gpx>")  # uploaded as GPX: no FIT file
    return fake


def test_first_sync_backfills_and_stores_every_kind_of_activity(store: Store,
                                                                fake: FakeGarmin) -> None:
    report = store.sync(fake)
    assert report.activities == (TODAY - timedelta(days=119), TODAY)
    assert report.days == (TODAY - timedelta(days=119), TODAY)
    assert (report.new, report.summary_only, report.days_stored) == (4, 2, 120)
    listed = [c for c in fake.calls if "activities/search" in c]
    assert "startDate=2025-03-11" in listed[0]
    assert store.cursors() == {"activities": "2025-07-08", "wellness": "2025-07-08"}

    acts = store.activities()
    race = acts[101]
    assert (race.is_race, race.te_label, race.training_load, race.aerobic_te) == (
        True, "AEROBIC_BASE", 50.9, 2.7)
    assert race.name == "Activity 101" and race.sport == "running" and len(race.laps) == 1
    fit_hash = race.content_hash
    assert fit_hash is not None and store.raw.get(fit_hash)[8:12] == b".FIT"

    lifted = acts[102]
    assert (lifted.sport, lifted.sub_sport) == ("training", "strength_training")
    assert [(s.set_type, s.category, s.exercise_name, s.reps, s.weight_kg) for s in lifted.sets
            ] == [("active", "SQUAT", "BARBELL_BACK_SQUAT", 8, 60.0),
                  ("rest", None, None, None, None),
                  ("active", "SQUAT", "BARBELL_BACK_SQUAT", 6, 65.0)]

    summary_only = acts[103]
    assert (summary_only.sport, summary_only.sub_sport, summary_only.content_hash) == (
        "running", "trail", None)
    assert summary_only.start_utc == T - timedelta(days=2)
    assert summary_only.local_date == date(2025, 7, 3) and summary_only.duration_s == 600.0
    assert acts[104].content_hash is None and acts[104].avg_hr == 141.0
    assert sorted(report.skipped) == [
        "activity 104: the download holds no FIT file; stored from its summary",
        "the download of activity 103: Garmin answered 404; stored from its summary"]

    day = store.wellness(TODAY)
    assert day is not None and day.readiness_level == "HIGH" and day.hrv_status == "BALANCED"


def test_journal_entries_have_the_exact_shapes(store: Store, fake: FakeGarmin) -> None:
    store.sync(fake, since=date(2025, 7, 3))
    entries = list(store.raw.entries("anna"))
    acts = {e["garmin_id"]: e for e in entries if e["kind"] == "garmin-activity"}
    days = [e for e in entries if e["kind"] == "garmin-day"]
    months = [e for e in entries if e["kind"] == "garmin-calendar"]
    assert len(entries) == len(acts) + len(days) + len(months)
    assert [e["month"] for e in months] == ["2025-07", "2025-08"]
    assert all(set(e) == {"kind", "month", "body"} for e in months)
    assert all(set(e) == {"kind", "garmin_id", "summary", "fit", "sets", "awaits_file",
                          "awaits_since"} for e in acts.values())
    assert not any(e["awaits_file"] for e in acts.values())  # 103 is typed in, 104 a GPX
    assert all(e["awaits_since"] is None for e in acts.values())
    assert acts[102]["sets"] is not None and acts[101]["sets"] is None
    assert acts[103]["fit"] is None and acts[101]["fit"] is not None
    assert store.raw.get_json(acts[101]["summary"])["activityId"] == 101
    assert [e["day"] for e in days] == [f"2025-07-0{d}" for d in range(3, 9)]
    assert all(set(e) == {"kind", "day", "parts"} and set(e["parts"]) == PARTS for e in days)
    assert sha256(store.raw.get(acts[101]["fit"])) == acts[101]["fit"]


def test_the_next_sync_resumes_from_the_cursors_and_changes_nothing(store: Store,
                                                                    fake: FakeGarmin) -> None:
    store.sync(fake, since=date(2025, 7, 1))
    before = table_contents(store.db)
    fake.calls.clear()
    report = store.sync(fake)
    assert report.days == (date(2025, 7, 7), TODAY)
    assert report.activities == (date(2025, 7, 1), TODAY)  # LATE_DAYS, from the first day
    assert (report.new, report.already_stored, report.days_stored) == (0, 4, 2)
    assert not [c for c in fake.calls if "download" in c or "exerciseSets" in c]
    assert table_contents(store.db) == before

    fake.add_run(105, datetime(2025, 7, 9, 17, tzinfo=UTC))
    report = store.sync(fake, today=TODAY + timedelta(days=2))
    assert report.days == (date(2025, 7, 7), date(2025, 7, 10)) and report.new == 1
    assert store.cursors() == {"activities": "2025-07-10", "wellness": "2025-07-10"}


def test_sets_in_the_fit_file_win_over_the_json(store: Store) -> None:
    fake = FakeGarmin()
    fake.add_strength(201, T, with_fit_sets=True)
    store.sync(fake, since=TODAY - timedelta(days=3))
    [row] = store.activities().values()
    assert [(s.reps, s.weight_kg, s.category) for s in row.sets] == [(8, 60.0, "SQUAT")]


def test_401_stops_the_run_keeping_what_committed(store: Store, fake: FakeGarmin,
                                                  tmp_path: Path) -> None:
    fake.fail(r"/hrv-service/hrv/2025-07-01", *[(401, {}, b"{}")] * 2)
    with pytest.raises(GarminAuthError, match="run `stridelift login`"):
        store.sync(fake, since=date(2025, 6, 28))
    assert store.cursors() == {"activities": "2025-07-08", "wellness": "2025-06-30"}
    assert store.wellness(date(2025, 7, 1)) is None
    assert store.wellness(date(2025, 6, 30)) is not None
    store.sync(fake)  # logged in again: the next run resumes from the cursors
    clean = _store(tmp_path / "clean")
    clean.sync(fake, since=date(2025, 6, 28))
    assert table_contents(store.db) == table_contents(clean.db)


def test_repeated_500s_end_the_run_without_moving_the_cursor(store: Store,
                                                             fake: FakeGarmin) -> None:
    """Two calls in a row failing after every retry: Garmin is down (one alone is passed
    over: tests/test_sync_faults.py)."""
    fake.fail(r"calendarDate=2025-07-06", *[(500, {}, b"{}")] * 10)
    fake.fail(r"trainingstatus/aggregated/2025-07-06", *[(500, {}, b"{}")] * 10)
    with pytest.raises(GarminUnavailable, match=r"training_status 2025-07-06 \(HTTP 500\)"):
        store.sync(fake, since=date(2025, 7, 1))
    assert store.cursors()["wellness"] == "2025-07-05"
    assert store.wellness(date(2025, 7, 6)) is None


def test_malformed_and_empty_parts_are_skipped_and_logged(store: Store, fake: FakeGarmin,
                                                          caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    fake.fail(r"/hrv-service/hrv/2025-07-08", (200, {}, b"{broken"))
    fake.fail(r"dailySleepData/.*date=2025-07-08", (204, {}, b""))
    report = store.sync(fake, since=TODAY)
    assert report.skipped == ["hrv 2025-07-08: Garmin sent a body that is not JSON"]
    assert "hrv 2025-07-08" in caplog.text
    [entry] = [e for e in store.raw.entries("anna") if e["kind"] == "garmin-day"]
    assert set(entry["parts"]) == PARTS - {"hrv", "sleep"}
    day = store.wellness(TODAY)
    assert day is not None and day.hrv_last_night is None and day.readiness_score is not None


def test_a_malformed_activity_list_skips_activities_only(store: Store, fake: FakeGarmin) -> None:
    fake.fail("activities/search", (200, {}, b"[{"))
    report = store.sync(fake, since=TODAY)
    assert report.new == 0 and report.days_stored == 1
    assert store.cursors() == {"wellness": "2025-07-08"}


def test_an_empty_answer_on_a_re_sync_never_loses_a_stored_value(
        store: Store, fake: FakeGarmin, tmp_path: Path) -> None:
    """Garmin answers 204 ("not computed yet", or a hiccup) or an empty body for a part of a
    day it gave before: the day kept its values from the parts that answered and lost the
    rest (HRV, sleep, resting HR) to nothing. A value that changed still replaces the stored
    one, and `db rebuild` replays the two syncs to the same row."""
    store.sync(fake, since=TODAY)
    before = store.wellness(TODAY)
    assert before is not None and before.hrv_last_night and before.sleep_score
    fake.fail(r"/hrv-service/hrv/2025-07-08", (204, {}, b""))
    fake.fail(r"dailySleepData/.*date=2025-07-08", (200, {}, b"{}"))
    fake.fail(r"calendarDate=2025-07-08", (204, {}, b""))  # the summary: resting HR
    changed = own_day_bodies(TODAY.isoformat())
    changed["readiness"][1]["score"] = 33  # the morning's readiness Garmin computed again
    fake.day_bodies = lambda day: changed if day == TODAY.isoformat() else own_day_bodies(day)
    store.sync(fake, since=TODAY)
    after = store.wellness(TODAY)
    assert after is not None
    assert (after.hrv_last_night, after.hrv_status, after.sleep_score, after.sleep_seconds,
            after.resting_hr, after.avg_stress) == (
        before.hrv_last_night, before.hrv_status, before.sleep_score, before.sleep_seconds,
        before.resting_hr, before.avg_stress)
    assert (before.readiness_score, after.readiness_score) != (33, 33) and \
        after.readiness_score == 33
    replayed = _store(tmp_path / "replayed")
    with transaction(replayed.db) as session:
        who = repo.athlete(session, PROFILE)
        for entry in store.raw.entries("anna"):
            replay(session, who, store.raw, entry)
    assert replayed.wellness(TODAY).readiness_score == 33  # type: ignore[union-attr]
    assert replayed.wellness(TODAY).hrv_last_night == before.hrv_last_night  # type: ignore[union-attr]


def test_a_record_a_re_sync_gives_is_taken_whole_never_mixed_with_the_stored_one(
        store: Store, fake: FakeGarmin, tmp_path: Path) -> None:
    """A value a re-sync lacks kept the stored one even when the fetch gave its record: a
    sleep added by hand (its time, no score) kept the score of the watch's sleep it replaced,
    a readiness reading without a level the earlier reading's level (it gets its score's own,
    POOR for 20), an HRV summary without a status the earlier one's, rows no fetch ever gave
    (a HIGH level over a score of 20). A part answering empty still keeps all it stored, and
    `db rebuild` replays the same row."""
    store.sync(fake, since=TODAY)
    day = TODAY.isoformat()
    changed = own_day_bodies(day)
    changed["sleep"]["dailySleepDTO"] = {"calendarDate": day, "sleepTimeSeconds": 18000}
    changed["readiness"] = [{"calendarDate": day, "timestamp": f"{day}T06:30:00.0",
                             "score": 20, "inputContext": "AFTER_WAKEUP_RESET"}]
    del changed["hrv"]["hrvSummary"]["status"]
    fake.day_bodies = lambda on: changed if on == day else own_day_bodies(on)
    fake.fail(r"calendarDate=2025-07-08", (204, {}, b""))  # the summary: avg stress kept
    store.sync(fake, since=TODAY)
    after = store.wellness(TODAY)
    assert after is not None
    assert (after.sleep_seconds, after.sleep_score, after.readiness_score,
            after.readiness_level, after.hrv_status) == (18000, None, 20, "POOR", None)
    assert after.hrv_last_night and after.avg_stress
    replayed = _store(tmp_path / "replayed")
    with transaction(replayed.db) as session:
        who = repo.athlete(session, PROFILE)
        for entry in store.raw.entries("anna"):
            replay(session, who, store.raw, entry)
    assert table_contents(replayed.db)["wellness"] == table_contents(store.db)["wellness"]


def test_replaying_the_journal_rebuilds_the_same_rows(store: Store, fake: FakeGarmin,
                                                      tmp_path: Path) -> None:
    store.sync(fake, since=TODAY - timedelta(days=5))
    replayed = _store(tmp_path / "replayed")
    with transaction(replayed.db) as session:
        who = repo.athlete(session, PROFILE)
        for entry in store.raw.entries("anna"):
            replay(session, who, store.raw, entry)
    synced, rebuilt = table_contents(store.db), table_contents(replayed.db)
    synced.pop("sync_cursors")
    assert rebuilt.pop("sync_cursors") == []
    assert rebuilt == synced


def test_a_synced_run_without_a_date_from_before_such_were_refused_is_replayed(
        store: Store) -> None:
    # its file's times count from when the watch started: a sync now stores its summary
    # alone, but a line journalled before is replayed as stored, or `db rebuild` never runs
    old = run_fit(datetime(1990, 7, 9, 7, tzinfo=UTC), [LapSpec(600, 3.0, 145)])
    entry = {"kind": "garmin-activity", "garmin_id": 301, "fit": store.raw.put(old),
             "summary": store.raw.put_json(list_item(301, T)), "sets": None,
             "awaits_file": False, "awaits_since": None}
    with transaction(store.db) as session:
        replay(session, repo.athlete(session, PROFILE), store.raw, entry)
    assert [a.start_utc.year for a in store.activities().values()] == [1990]


def test_progress_reaches_the_total(store: Store, fake: FakeGarmin) -> None:
    seen: list[tuple[int, int]] = []
    store.sync(fake, since=TODAY - timedelta(days=9), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (14, 14)  # 4 activities and 10 days


@pytest.mark.parametrize(("cursor", "since", "until", "expected"), [
    (None, None, None, (date(2025, 3, 11), TODAY)),
    (None, None, date(2025, 7, 1), (date(2025, 3, 4), date(2025, 7, 1))),
    ("2025-07-01", None, None, (date(2025, 6, 30), TODAY)),
    ("2025-07-01", date(2025, 1, 1), date(2025, 12, 31), (date(2025, 1, 1), TODAY)),
])
def test_window(cursor: str | None, since: date | None, until: date | None,
                expected: tuple[date, date]) -> None:
    assert sync.window(cursor, since, until, TODAY) == expected


def test_an_explicit_window_after_a_gap_leaves_the_cursors_alone(store: Store,
                                                                 fake: FakeGarmin) -> None:
    store.sync(fake, since=date(2025, 7, 1), until=date(2025, 7, 2))
    assert store.cursors() == {"activities": "2025-07-02", "wellness": "2025-07-02"}
    store.sync(fake, since=date(2025, 7, 6))  # skips 3-5 July: no cursor may claim them
    assert store.cursors() == {"activities": "2025-07-02", "wellness": "2025-07-02"}
    store.sync(fake, since=date(2025, 6, 20), until=date(2025, 6, 21))  # before: never back
    assert store.cursors() == {"activities": "2025-07-02", "wellness": "2025-07-02"}


# -- Garmin's own recorded bodies through the whole path ------------------------------------


def test_recorded_bodies_end_to_end(store: Store) -> None:
    items = recorded("activity-list/activity_list_0.json")["body"]
    bodies = {"hrv": "hrv/hrv_data_get_0.json", "sleep": "sleep/daily_sleep_data_get_0.json",
              "readiness": "training-readiness/training_readiness_data_get_0.json",
              "body_battery": "body-battery/body_battery_1.json",
              "summary": "user-summary/daily_summary_get_2.json",
              "training_status": "training-status/daily_training_status_0.json"}
    recorded_day = {part: recorded(path)["body"] for part, path in bodies.items()}
    fake = FakeGarmin(items=items, day_bodies=lambda day: _dated(recorded_day, day))
    # synced weeks later: the recorded activities have no file here (404), and one within
    # LATE_DAYS would wait for the next sync rather than be stored from its summary
    report = store.sync(fake, since=date(2026, 1, 1), until=date(2026, 1, 8),
                        today=date(2026, 1, 30))
    assert not [note for note in report.skipped if "not used" in note]  # downloads: 404

    acts = store.activities()
    trail = acts[21482825013]
    assert (trail.sport, trail.sub_sport, trail.name) == ("running", "trail", "Anytown - Base")
    assert trail.start_utc == datetime(2026, 1, 8, 14, 10, 21, tzinfo=UTC)
    assert trail.local_date == date(2026, 1, 8)  # from startTimeLocal, not the profile's zone
    assert (trail.duration_s, trail.distance_m, trail.avg_hr, trail.max_hr) == (
        items[0]["duration"], items[0]["distance"], 142.0, 162.0)
    assert (trail.te_label, trail.training_load, trail.is_race) == (
        "AEROBIC_BASE", items[0]["activityTrainingLoad"], False)
    assert acts[21419635589].sport == "stand_up_paddleboarding"
    day = store.wellness(date(2026, 1, 8))
    assert day is not None
    assert (day.readiness_score, day.readiness_level, day.sleep_score, day.hrv_last_night,
            day.resting_hr, day.training_status) == (80, "HIGH", 83, 42.0, 51, "PRODUCTIVE")


def _dated(body: Any, day: str) -> Any:
    """A recorded body as Garmin sends it for `day`: every calendarDate (and body battery's
    date) set to it. As recorded, each names the day it was recorded on, and sync takes
    no other day's data for this one."""
    if isinstance(body, list):
        return [_dated(item, day) for item in body]
    if isinstance(body, dict):
        return {k: day if k in ("calendarDate", "date") else _dated(v, day)
                for k, v in body.items()}
    return body


def test_recorded_bodies_of_another_day_are_skipped_with_a_note(store: Store) -> None:
    body = recorded("hrv/hrv_data_get_0.json")["body"]  # 2023-07-20's HRV
    day = own_day_bodies(TODAY.isoformat())
    fake = FakeGarmin(day_bodies=lambda _day: {**day, "hrv": body})
    report = store.sync(fake, since=TODAY)
    assert report.skipped == ["hrv 2025-07-08: Garmin sent the data of 2023-07-20; not used"]
    [entry] = [e for e in store.raw.entries("anna") if e["kind"] == "garmin-day"]
    assert set(entry["parts"]) == PARTS - {"hrv"}
    stored = store.wellness(TODAY)
    assert stored is not None and stored.hrv_last_night is None
    assert stored.sleep_score == day["sleep"]["dailySleepDTO"]["sleepScores"]["overall"]["value"]


@pytest.mark.parametrize(("low", "upper"), [(0, -1), (-1, 0)])
def test_garmins_hrv_band_limits_of_zero_or_less_are_no_reading(store: Store, low: int,
                                                                 upper: int) -> None:
    """Garmin's baseline band (balancedLow, balancedUpper) passes the same "0 or less is no
    reading" rule as the HRV itself: a recorded body edited to hold the markers, through
    garminconnect, stores no band and keeps last night's HRV."""
    body = _dated(recorded("hrv/hrv_data_get_0.json")["body"], TODAY.isoformat())
    body["hrvSummary"]["baseline"] |= {"balancedLow": low, "balancedUpper": upper}
    day = own_day_bodies(TODAY.isoformat())
    store.sync(FakeGarmin(day_bodies=lambda _day: {**day, "hrv": body}), since=TODAY)
    stored = store.wellness(TODAY)
    assert stored is not None
    assert (stored.hrv_last_night, stored.hrv_baseline_low, stored.hrv_baseline_high) == (
        42.0, None, None)


# -- the CLI ---------------------------------------------------------------------------------

runner = CliRunner()
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "Europe/Berlin", "--sex", "f",
        "--max-hr", "186", "--rest-hr", "48", "--runs", "mon=easy,sat=long"]


@pytest.fixture
def athlete(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGarmin]:
    monkeypatch.setenv(garmin.ENV_PACE, "0")
    assert runner.invoke(app, INIT).exit_code == 0
    garmin_login.save_tokens(Paths.resolve().tokens_dir("anna"), json.dumps({"di_token": "x"}))
    fake = FakeGarmin()
    with mocked(fake):
        yield fake


def _today() -> date:
    return datetime.now(PROFILE.zone).date()


def test_cli_sync_json(athlete: FakeGarmin) -> None:
    start = _today() - timedelta(days=2)
    athlete.add_run(301, datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=9))
    result = runner.invoke(app, ["sync", "--json", "--since", start.isoformat()])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["athlete"] == "anna" and out["activities"]["new"] == 1
    assert out["wellness"] == {"window": {"from": start.isoformat(), "to": _today().isoformat()},
                               "days": 3}


def test_cli_sync_text(athlete: FakeGarmin) -> None:
    result = runner.invoke(app, ["sync", "--since", _today().isoformat()])
    assert result.exit_code == 0, result.output
    assert "anna: 0 new activities" in result.stdout and "1 day of recovery data" in result.stdout


def test_cli_sync_stops_on_401_with_one_line(athlete: FakeGarmin) -> None:
    athlete.fail("activities/search", *[(401, {}, b"{}")] * 2)
    result = runner.invoke(app, ["sync", "--since", _today().isoformat()])
    assert result.exit_code == 3
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error:") and line.endswith("run `stridelift login`")


def test_cli_sync_without_a_login(home: Path) -> None:
    assert runner.invoke(app, INIT).exit_code == 0
    result = runner.invoke(app, ["sync"])
    assert result.exit_code == 3 and "run `stridelift login`" in result.stderr


def test_cli_sync_rejects_a_reversed_window(athlete: FakeGarmin) -> None:
    result = runner.invoke(app, ["sync", "--since", "2025-07-09", "--until", "2025-07-01"])
    assert result.exit_code == 2 and "--since must not be after --until" in result.stderr


def test_own_bodies_are_what_the_fake_serves(store: Store) -> None:
    """Guards the fixtures above: the fake's bodies for a day are own_day_bodies(day)."""
    store.sync(FakeGarmin(), since=TODAY)
    [entry] = [e for e in store.raw.entries("anna") if e["kind"] == "garmin-day"]
    assert {p: store.raw.get_json(h) for p, h in entry["parts"].items()} == own_day_bodies(
        TODAY.isoformat())


def test_running_workouts_in_the_calendar_become_planned_runs(store: Store,
                                                              fake: FakeGarmin) -> None:
    fake.calendar = [
        {"itemType": "workout", "date": "2025-07-09", "title": "6x800m intervals",
         "sportTypeKey": "running"},
        {"itemType": "workout", "date": "2025-07-12", "title": "Long run 24 km",
         "sportTypeKey": "running"},
        {"itemType": "workout", "date": "2025-07-10", "title": "Leg day",
         "sportTypeKey": "strength_training"},
        {"itemType": "activity", "date": "2025-07-01", "title": "Morning Run",
         "sportTypeKey": "running"},
        {"itemType": "workout", "date": "not a date", "sportTypeKey": "running"},
    ]
    store.sync(fake, since=TODAY)
    with store.db() as session:
        rows = session.scalars(select(m.PlannedRun).order_by(m.PlannedRun.day)).all()
        assert [(r.day.isoformat(), r.item_type, planned_kind(r.title).kind.value)
                for r in rows] == [("2025-07-09", "workout", "speed"),
                                   ("2025-07-12", "workout", "long")]
    fake.calendar = fake.calendar[1:]  # the intervals were taken off the calendar
    store.sync(fake, since=TODAY)
    with store.db() as session:
        assert [r.title for r in session.scalars(select(m.PlannedRun))] == ["Long run 24 km"]


def test_a_resync_never_reaches_before_the_first_day_fetched(store: Store,
                                                            fake: FakeGarmin) -> None:
    """Killed right after its first day committed, the next run must not fetch the day
    before it, which an uninterrupted sync never fetches (found by the kill test)."""
    first = TODAY - timedelta(days=sync.BACKFILL_DAYS - 1)
    store.sync(fake, until=first)  # the backfill's first day only, as if killed after it
    with store.db() as session:
        origin = session.scalar(select(m.SyncCursor.value).where(
            m.SyncCursor.stream == sync.ORIGIN))
    assert origin == (first - timedelta(days=sync.BACKFILL_DAYS - 1)).isoformat()
    assert sync.window(first.isoformat(), None, None, TODAY, first) == (first, TODAY)
    assert sync.window(first.isoformat(), None, None, TODAY, None)[0] < first
