"""The nightly pipeline and its scheduler, against the fake Garmin served on 127.0.0.1."""

from __future__ import annotations

import gc
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.executors.debug import DebugExecutor
from filelock import FileLock
from freezegun import freeze_time
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from db import models as m
from db import session as db_session
from demo.fitwrite import LapSpec, run_fit
from domain.profile import Profile
from ingest import garmin, garmin_login
from jobs import scheduler as sched
from jobs.config import load, save_profile
from jobs.home import Home
from jobs.morning_run import run_morning
from jobs.nightly_run import Busy, pending_nights, run_all, run_nightly
from jobs.sources import source_for
from stridelift.cli import app
from tests.garmin_fake import FakeGarmin, served, zipped

runner = CliRunner()
ANNA = Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50,
               runs={"mon": "easy", "wed": "speed", "sat": "long"})
NIGHT = date(2025, 7, 8)


@pytest.fixture
def fake_garmin(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGarmin]:
    fake = FakeGarmin()
    fake.add_run(101, datetime(2025, 7, 7, 6, 30, tzinfo=UTC), minutes=40)
    with served(fake) as url:
        monkeypatch.setenv(garmin.ENV_BASE_URL, url)
        monkeypatch.setenv(garmin.ENV_PACE, "0")
        yield fake


def _athlete(profile: Profile = ANNA, tokens: bool = True) -> Home:
    config = load()
    save_profile(config, profile)
    if tokens:
        garmin_login.save_tokens(config.paths.tokens_dir(profile.name),
                                 json.dumps({"di_token": "x"}))
    return Home.open(config)


def _runs(home: Home) -> list[tuple[str, date, str]]:
    with home.db() as db:
        return [(name, r.day, r.status) for r, name in db.execute(
            select(m.NightlyRun, m.Athlete.name).join(m.Athlete).order_by(m.NightlyRun.id))]


def test_a_night_syncs_classifies_adapts_and_records(fake_garmin: FakeGarmin) -> None:
    home = _athlete()
    [result] = run_nightly(home, ANNA, NIGHT, source_for(home))
    assert result.status == "ok" and result.counts["activities_new"] == 1
    with home.db() as db:
        assert db.scalars(select(m.RunClass.kind)).all() == ["easy"]
        assert db.scalar(select(m.DailyStatus).where(m.DailyStatus.day == NIGHT)) is not None
        assert db.scalars(select(m.PlannedSession)).all()
    calendar = home.config.paths.data_dir / "calendar" / "anna.ics"  # published
    assert calendar.read_bytes().startswith(b"BEGIN:VCALENDAR")
    again = run_nightly(home, ANNA, NIGHT, source_for(home))  # idempotent
    assert again[0].status == "ok" and again[0].adjustments == 0
    assert _runs(home) == [("anna", NIGHT, "ok")] * 2


def test_a_night_counts_what_its_sync_skipped(fake_garmin: FakeGarmin) -> None:
    """An unusable record is skipped, never the night: and the night says how many."""
    whole, fake_garmin.downloads[101] = fake_garmin.downloads[101], b"<html>busy</html>"
    fake_garmin.fail("/hrv-service/hrv/2025-07-08", (200, {}, b"{broken"))
    home = _athlete()
    result = runner.invoke(app, ["nightly", "--date", NIGHT.isoformat()])
    assert result.exit_code == 0, result.output
    # the run counts from its summary at once, and says it waits for its file
    assert "1 new activity, 1 waiting for their file, 2 items skipped" in result.stdout
    assert _runs(home) == [("anna", NIGHT, "ok")]
    with home.db() as db:
        counts = db.scalar(select(m.NightlyRun.counts))
        assert counts is not None and counts["items_skipped"] == 2
    # `runs` said "ok" and nothing more: a night whose activity list Garmin kept failing on
    # read as a whole night
    assert "2 items skipped" in runner.invoke(app, ["runs"]).output
    fake_garmin.downloads[101] = whole
    result = runner.invoke(app, ["nightly", "--date", (NIGHT + timedelta(days=1)).isoformat()])
    assert "0 new activities, 1 upgraded with their late file, " in result.stdout


def test_a_night_says_a_watch_file_took_the_place_of_its_serial_less_copy(
        fake_garmin: FakeGarmin, tmp_path: Path) -> None:
    """The run imported from an app's copy without the serial number, then its watch file
    downloaded by the night: the file takes the copy's place, said so (the night said '1
    upgraded with their late file' of a run never stored from a summary) and recorded."""
    home = _athlete()
    copy = tmp_path / "copy.fit"
    copy.write_bytes(run_fit(datetime(2025, 7, 7, 6, 30, tzinfo=UTC), [LapSpec(2400, 3.0, 145)],
                             seed=7, file_id={"serial_number": None}))
    assert runner.invoke(app, ["import", str(copy)]).exit_code == 0
    result = runner.invoke(app, ["nightly", "--date", NIGHT.isoformat()])
    assert result.exit_code == 0, result.output
    assert "(0 new activities, 1 stored from the watch's file in place of a serial-less " \
        "copy, " in result.stdout, result.stdout
    with home.db() as db:
        counts = db.scalar(select(m.NightlyRun.counts))
        assert counts is not None and (counts["activities_upgraded"],
                                       counts["activities_replaced"]) == (0, 1)
        assert db.scalar(select(func.count()).select_from(m.Activity)) == 1


def test_a_download_dated_past_the_clocks_limit_is_skipped_by_sync_and_night(
        fake_garmin: FakeGarmin) -> None:
    """`import`'s limit (now and a day: jobs.clock.latest_start) is the sync's, through
    `stridelift sync` and the nightly run: a file so dated is named, and nothing more."""
    fake_garmin.add_run(102, datetime(2025, 7, 7, 18, tzinfo=UTC))
    ahead = run_fit(datetime.now(UTC) + timedelta(days=2), [LapSpec(600, 3.0, 145)], seed=102)
    fake_garmin.downloads[102] = zipped("102_ACTIVITY.fit", ahead)
    home = _athlete()
    result = runner.invoke(app, ["sync", "--json", "--since", "2025-07-06", "--until",
                                 NIGHT.isoformat()])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["activities"]["new"] == 1
    [why] = out["skipped"]
    assert why.startswith("Garmin activity 102: dated ") and "more than a day from now" in why
    [night] = run_nightly(home, ANNA, NIGHT, source_for(home))
    assert (night.counts["activities_new"], night.counts["items_skipped"]) == (0, 1)


def test_catch_up_processes_every_missed_night_once(fake_garmin: FakeGarmin) -> None:
    home = _athlete()
    run_nightly(home, ANNA, NIGHT, source_for(home))
    later = NIGHT + timedelta(days=3)
    assert pending_nights(home, ANNA, later) == [NIGHT + timedelta(days=i) for i in (1, 2, 3)]
    results = run_nightly(home, ANNA, later, source_for(home))
    assert [r.day for r in results] == [NIGHT + timedelta(days=i) for i in (1, 2, 3)]
    assert pending_nights(home, ANNA, later) == [later]  # nothing left behind


def test_a_failed_night_is_recorded_and_retried(fake_garmin: FakeGarmin) -> None:
    home = _athlete()
    fake_garmin.fail(r"activities/search", *[(401, {}, b"{}")] * 2)  # refresh, then retry
    [failed] = run_nightly(home, ANNA, NIGHT, source_for(home))
    assert failed.status == "failed" and "stridelift login" in (failed.error or "")
    assert pending_nights(home, ANNA, NIGHT) == [NIGHT]
    [ok] = run_nightly(home, ANNA, NIGHT, source_for(home))
    assert ok.status == "ok"
    assert [s for _, _, s in _runs(home)] == ["failed", "ok"]


@pytest.mark.parametrize(("what", "command"), [("sync", ["sync"]), ("push", ["push", "--apply"]),
                                               ("rebuild", ["db", "rebuild"])])
def test_a_command_that_writes_for_long_waits_for_no_other(fake_garmin: FakeGarmin, what: str,
                                                          command: list[str]) -> None:
    """A sync, a push to the watch or a rebuild beside a nightly run (its lock held): one
    line, exit 1, nothing done; with the lock free, the same command runs."""
    home = _athlete()
    (home.config.paths.data_dir / "locks").mkdir(parents=True, exist_ok=True)
    with FileLock(home.config.paths.data_dir / "locks" / "anna.lock"):
        result = runner.invoke(app, command)
    assert result.exit_code == 1, result.output
    assert "already running" in result.output and f"this {what} did not start" in result.output
    with home.db() as db:
        assert db.scalar(select(func.count()).select_from(m.Wellness)) == 0  # nothing synced
    if what != "push":  # this fake Garmin takes no workouts: tests/test_push.py pushes
        assert runner.invoke(app, command).exit_code == 0  # the lock free, the same runs


def test_two_runs_for_one_athlete_never_overlap(fake_garmin: FakeGarmin) -> None:
    home = _athlete()
    lock = FileLock(home.config.paths.data_dir / "locks" / "anna.lock")
    (home.config.paths.data_dir / "locks").mkdir(parents=True, exist_ok=True)
    with lock, pytest.raises(Busy, match="already in progress"):
        run_nightly(home, ANNA, NIGHT, source_for(home))
    assert _runs(home) == []


def test_a_night_and_a_morning_leave_the_objects_they_found_out_of_garbage_collections(
        fake_garmin: FakeGarmin) -> None:
    """While a night or a morning runs, the collector walks only what it makes (the process's
    modules and, in the daemon, everything it keeps frozen: a full pass over them each night
    is what grew with a longer history's bigger heap); afterwards it walks all again."""
    home = _athlete()
    frozen: list[int] = []
    source = source_for(home)

    def watched(profile: Profile) -> garmin.Connect | None:
        frozen.append(gc.get_freeze_count())
        return source(profile)
    [night] = run_nightly(home, ANNA, NIGHT, watched)
    [morning] = run_morning(home, ANNA, NIGHT + timedelta(days=1), watched)
    assert (night.status, morning.status) == ("ok", "ok")
    assert len(frozen) == 2 and min(frozen) > 1000, frozen
    assert gc.get_freeze_count() == 0


def test_one_athletes_failure_never_stops_the_others(fake_garmin: FakeGarmin) -> None:
    _athlete(Profile(**{**ANNA.__dict__, "name": "ben"}), tokens=False)  # never logged in
    home = _athlete()
    results = run_all(home, source_for(home), lambda _p: NIGHT)
    assert [(r.athlete, r.status) for r in results] == [("anna", "ok"), ("ben", "failed")]
    assert "stridelift login" in (results[1].error or "")
    assert 'source = "files"' in (results[1].error or "")  # the way without an account


def test_an_athlete_with_files_only_gets_nights_and_mornings_without_garmin(
        home: Path, tmp_path: Path) -> None:
    """source = "files": what `stridelift import` brought in is classified and the plan
    adapted every night and morning, with no Garmin account (no tokens, no server)."""
    files_only = Profile(**{**ANNA.__dict__, "source": "files"})
    h = _athlete(files_only, tokens=False)
    run = tmp_path / "long.fit"
    run.write_bytes(run_fit(datetime(2025, 7, 7, 6, 0, tzinfo=UTC), [LapSpec(6000, 3.0, 145)]))
    assert runner.invoke(app, ["import", str(run)]).exit_code == 0
    [night] = run_nightly(h, files_only, NIGHT, source_for(h))
    assert (night.status, night.error) == ("ok", None)
    assert "activities_new" not in night.counts  # nothing was synced
    with h.db() as db:
        assert db.scalars(select(m.RunClass.kind)).all() == ["long"]
        assert db.scalars(select(m.PlannedSession)).all()
    [morning] = run_morning(h, files_only, NIGHT + timedelta(days=1), source_for(h))
    assert (morning.status, morning.error) == ("ok", None)


def test_a_lock_met_after_the_plan_was_saved_does_not_say_nothing_was_changed(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process takes the database's write lock once the night has saved the adapted
    plan: recording the run meets it past the busy timeout. The night's error said "nothing
    was changed" while the plan it saved stayed saved; it says what was being written was
    not saved and what was saved before stays."""
    monkeypatch.setattr(db_session, "BUSY_TIMEOUT_MS", 0)  # give up at once, not in 10 s
    h = _athlete(Profile(**{**ANNA.__dict__, "source": "files"}), tokens=False)
    h.open_db()
    holder = sqlite3.connect(home / "stridelift.db", isolation_level=None)

    def lock_once_the_plan_is_saved(_session: Session) -> None:
        if not holder.in_transaction and \
                holder.execute("SELECT count(*) FROM planned_sessions").fetchone()[0]:
            holder.execute("BEGIN IMMEDIATE")  # another process's write transaction

    event.listen(Session, "after_commit", lock_once_the_plan_is_saved)
    try:
        result = runner.invoke(app, ["nightly", "--date", NIGHT.isoformat(), "--json"])
    finally:
        event.remove(Session, "after_commit", lock_once_the_plan_is_saved)
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    [night] = json.loads(result.stdout)
    assert result.exit_code == 1 and night["status"] == "failed", result.output
    assert "nothing was changed" not in night["error"]
    assert night["error"] == "the database stayed locked by another process for 0 s, so " \
        "what was being written then was not saved (what was saved before stays); run this " \
        "again when it has finished"
    with h.db() as db:  # the plan stayed saved, the run's record did not
        assert db.scalars(select(m.PlannedSession)).all()
        assert not db.scalars(select(m.NightlyRun)).all()


def test_nightly_and_runs_commands(fake_garmin: FakeGarmin) -> None:
    _athlete()
    result = runner.invoke(app, ["nightly", "--date", NIGHT.isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["status"] == "ok"
    listed = json.loads(runner.invoke(app, ["runs", "--json"]).stdout)
    assert listed[0]["athlete"] == "anna" and listed[0]["day"] == NIGHT.isoformat()
    assert "anna" in runner.invoke(app, ["runs"]).output


def test_nightly_command_failure_exits_1(fake_garmin: FakeGarmin) -> None:
    _athlete(tokens=False)
    result = runner.invoke(app, ["nightly", "--date", NIGHT.isoformat()])
    assert result.exit_code == 1 and "stridelift login" in result.output


def test_a_missed_night_is_caught_up_once_not_twice(fake_garmin: FakeGarmin,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    home = _athlete()
    caplog.set_level(logging.INFO, logger=sched.__name__)
    run_nightly(home, ANNA, date(2025, 7, 6), source_for(home))  # the last good night

    def debug() -> dict[str, object]:  # jobs run in the scheduler's own thread
        return {"executors": {"default": DebugExecutor()}}

    with freeze_time("2025-07-07 12:00:00"):
        first = sched.start(home, **debug())  # the jobs are stored in the database
        job = first.get_job("nightly:anna")
        assert job.next_run_time == datetime(2025, 7, 7, 21, 30, tzinfo=UTC)
        assert first.get_job("morning:anna").next_run_time == datetime(2025, 7, 8, 7, 0,
                                                                       tzinfo=UTC)
        first.shutdown()
    # Each job's next run is said once a start: as scheduled when new, else as it stands.
    assert _said(caplog, "nightly run for anna: ") == [
        "scheduled, next at 2025-07-07 21:30:00+00:00"]
    caplog.clear()
    # The machine was off over the nights of the 7th and the 8th, back on the 8th at 22:00:
    # the stored job is due, runs once (coalesced), and that run catches up both nights.
    with freeze_time("2025-07-08 22:00:00"):
        second = sched.start(home, **debug())
        _wait_until(lambda: len(_runs(home)) >= 3)
        second.wakeup()  # another look at the same moment: nothing is due any more
        _wait_until(lambda: len(_runs(home)) > 3, seconds=1.0)
        job = second.get_job("nightly:anna")
        assert job.next_run_time == datetime(2025, 7, 9, 21, 30, tzinfo=UTC)
        second.shutdown()
    assert _runs(home) == [("anna", date(2025, 7, d), "ok") for d in (6, 7, 8)]
    # Stored and due (missed): said as it stands, then run.
    assert _said(caplog, "nightly run for anna: ")[:1] == ["next at 2025-07-07 21:30:00+00:00"]


def _said(caplog: pytest.LogCaptureFixture, prefix: str) -> list[str]:
    return [r.getMessage()[len(prefix):] for r in caplog.records
            if r.getMessage().startswith(prefix)]


def _wait_until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Poll in real time (freezegun stops the clocks, not sleep)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        time.sleep(0.05)


def test_the_night_pushes_workouts_when_turned_on(home: Path) -> None:
    from tests.garmin_fake import connect_without_login, fast_policy
    from tests.test_push import WorkoutGarmin, serving

    fake = WorkoutGarmin()
    fake.add_run(101, datetime(2025, 7, 7, 6, 30, tzinfo=UTC), minutes=40)
    pusher = Profile(**{**ANNA.__dict__, "push_workouts": True})
    home_ = _athlete(pusher)
    with serving(fake):
        [result] = run_nightly(home_, pusher, NIGHT, lambda _p: connect_without_login(
            fast_policy()))
    assert result.status == "ok", result.error
    assert result.counts["workouts_pushed"] >= 1 and result.counts["workouts_failed"] == 0
    assert fake.workouts and all("stridelift:anna:" in w["description"]
                                 for w in fake.workouts.values())


# --- nightly_at on the nights the clocks change, and after midnight ---------------------

def _fires(profile: Profile, start: datetime, end: datetime) -> list[datetime]:
    """The nightly job's run times from `start` to `end` in the athlete's zone, as the
    scheduler asks its trigger for them: the next after each run, asked just after it ran."""
    trigger, fires = sched.trigger(profile), list[datetime]()
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end and len(fires) < 10:  # 10: one that never moves on
        fires.append(fire.astimezone(UTC).astimezone(profile.zone))  # a clock's local time
        # on the clock, not the wall: 01:30 EST + 50 ms on the wall is 01:30 EDT, before it
        fire = trigger.get_next_fire_time(fire, fire.astimezone(UTC) + timedelta(
            milliseconds=50))
    return fires


@pytest.mark.parametrize("tz, at, night", [
    ("America/New_York", "01:30", date(2026, 10, 31)),  # 02:00 EDT -> 01:00 EST
    ("Europe/Berlin", "02:30", date(2026, 10, 24)),  # 03:00 CEST -> 02:00 CET
    ("Australia/Lord_Howe", "01:45", date(2027, 4, 3)),  # 02:00 +11 -> 01:30 +10:30
    ("UTC", "01:30", date(2026, 10, 24))])  # no change at all
def test_a_nightly_in_the_hour_the_clocks_go_back_runs_once(tz: str, at: str,
                                                           night: date) -> None:
    """Its time comes twice that night: APScheduler's CronTrigger fired at both, and the
    nightly ran twice."""
    p = replace(ANNA, tz=tz, nightly_at=at)
    noon = datetime(night.year, night.month, night.day, 12, tzinfo=ZoneInfo(tz))
    fires = _fires(p, noon, noon + timedelta(days=3))
    assert [f.strftime("%d %H:%M") for f in fires] == [
        f"{night + timedelta(days=d):%d} {at}" for d in (1, 2, 3)]
    assert [sched.night_of(p, f) for f in fires] == [
        night + timedelta(days=d) for d in (0, 1, 2)]


@pytest.mark.parametrize("tz, at, saturday, fired", [
    ("Europe/Berlin", "02:30", date(2027, 3, 27), "Sun 03:30 CEST"),  # 02:00 CET -> 03:00
    ("Australia/Lord_Howe", "02:15", date(2026, 10, 3), "Sun 02:45 +11")])  # 02:00 -> 02:30
def test_a_nightly_at_a_time_the_clocks_skip_runs_once_for_the_day_before(
        tz: str, at: str, saturday: date, fired: str) -> None:
    """The time does not exist that Sunday: the run comes as late as the clocks jump, once,
    and processes Saturday."""
    p = replace(ANNA, tz=tz, nightly_at=at)
    noon = datetime(saturday.year, saturday.month, saturday.day, 12, tzinfo=p.zone)
    [fire] = _fires(p, noon, noon + timedelta(days=1))
    assert fire.strftime("%a %H:%M %Z") == fired
    assert sched.night_of(p, fire) == saturday


@pytest.mark.parametrize("at, now, night", [
    ("21:30", datetime(2025, 7, 8, 21, 30), date(2025, 7, 8)),
    ("21:30", datetime(2025, 7, 9, 3, 0), date(2025, 7, 8)),  # late: the machine woke
    ("00:30", datetime(2025, 7, 9, 0, 30), date(2025, 7, 8)),
    ("00:30", datetime(2025, 7, 9, 6, 0), date(2025, 7, 8)),  # late
    ("11:59", datetime(2025, 7, 9, 11, 59), date(2025, 7, 8)),
    ("12:00", datetime(2025, 7, 9, 12, 0), date(2025, 7, 9))])
def test_a_nightly_after_midnight_processes_the_day_just_gone(at: str, now: datetime,
                                                              night: date) -> None:
    """A nightly_at before noon ends the day before: at 00:30 it processed the day that had
    just begun, with nothing in it yet, and that day's runs waited a night to be planned
    around."""
    p = replace(ANNA, tz="Europe/Berlin", nightly_at=at)
    assert sched.night_of(p, now.replace(tzinfo=p.zone)) == night


def test_the_scheduled_nightly_after_midnight_records_the_day_before(
        fake_garmin: FakeGarmin) -> None:
    p = replace(ANNA, tz="Europe/Berlin", nightly_at="00:30")
    home = _athlete(p)
    with freeze_time("2025-07-08 22:30:00"):  # 00:30 on Wed 9 Jul in Berlin
        sched.nightly_job("anna")
    assert _runs(home) == [("anna", NIGHT, "ok")]


def test_a_job_stored_before_dailyat_takes_it_and_a_missed_night_stays_due(home: Path) -> None:
    """A daemon's stored job keeps its trigger unless its schedule changed: one stored with
    CronTrigger's (the same time, the same zone) would have kept running twice. Only its
    trigger changes: rescheduled, a night the machine slept through was put off a day."""
    from apscheduler.triggers.cron import CronTrigger

    missed = datetime(2025, 7, 8, 21, 30, tzinfo=UTC)
    with freeze_time("2025-07-08 23:00:00"):
        scheduler = sched.make_scheduler(_athlete())  # the database's job store
        scheduler.start(paused=True)
        try:
            scheduler.add_job(sched.nightly_job, CronTrigger(hour=21, minute=30,
                                                             timezone=ANNA.zone),
                              args=["anna"], id="nightly:anna", next_run_time=missed)
            sched.configure(scheduler, {"anna": ANNA})
            job = scheduler.get_job("nightly:anna")
            assert isinstance(job.trigger, sched.DailyAt) and job.next_run_time == missed
            assert sched.configure(scheduler, {"anna": ANNA}) == set()  # then it stays
        finally:
            scheduler.shutdown(wait=False)


def test_a_database_it_cannot_use_is_one_line_for_each_job_and_athlete(
        home: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A table dropped under the daemon: each nightly and morning job logged a traceback
    ("no such table") as a crash. Each says in one line what the CLI says, with its fix,
    and the other athletes' runs and the other jobs go on to theirs (the morning pass reads
    no run of the nights: it is done)."""
    for name in ("anna", "ben"):
        h = _athlete(Profile(**{**ANNA.__dict__, "name": name, "source": "files"}), tokens=False)
    with h.db() as db, db.begin():
        db.execute(text("DROP TABLE nightly_runs"))
    caplog.set_level(logging.INFO)
    with freeze_time("2025-07-09 07:00:00"):
        results = run_all(h, source_for(h), lambda _p: NIGHT)
        sched.nightly_job("anna")
        sched.morning_job("ben")
    said = ("is missing stridelift's data (no such table: nightly_runs): it was deleted or "
            "replaced, or a table dropped; stop stridelift serve and the daemon")
    assert [(r.athlete, r.status) for r in results] == [("anna", "failed"), ("ben", "failed")]
    assert all(said in (r.error or "") for r in results)
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    logged = [r.getMessage() for r in caplog.records if r.name == sched.__name__]
    assert said in logged[0] and logged[0].startswith("nightly anna 2025-07-09: failed (")
    assert logged[1:] == ["morning ben 2025-07-09: ok"]  # which needs no run of the nights
