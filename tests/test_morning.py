"""The morning pass (RULES.md S7.3): today's session judged again with this morning's
numbers. The decision (planner/morning.py) with planner sessions, then the job against a
real SQLite home and the fake Garmin, the clock pinned; the daemon's two jobs; the CLI."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import select
from typer.testing import CliRunner

from db import models as m
from demo.fitwrite import LapSpec
from domain.profile import Profile
from ingest import garmin
from jobs import morning_run
from jobs import scheduler as sched
from jobs.config import load, save_profile
from jobs.garmin_account import synced
from jobs.morning_run import run_morning, run_morning_again
from jobs.nightly_run import run_nightly
from jobs.sources import source_for
from planner.adapt import Recovery, Tonight, adapt, fitted, lighten
from planner.model import Prescription, Session
from planner.morning import Judged, rejudge_today
from planner.plan_changes import as_planned
from planner.program import mobility_session
from stridelift.cli import app
from tests.garmin_fake import (
    FakeGarmin,
    connect_without_login,
    fast_policy,
    own_day_bodies,
    served,
)
from tests.planning import ARTICLE, MONDAY, context, half_a_race, plan, template
from tests.test_nightly import ANNA, NIGHT, _athlete, _runs

runner = CliRunner()
CTX = context()


def mobility(s: Session) -> tuple[Prescription, ...]:
    return mobility_session(CTX, 0, s.day)


# --- the decision -------------------------------------------------------------------------

def week() -> list[Session]:
    return plan(CTX, template(ARTICLE))


def test_green_leaves_today_as_planned() -> None:
    sessions = week()
    today = sessions[0].day
    assert rejudge_today(sessions, today, Recovery("green"), mobility) == (sessions, [])
    assert rejudge_today(sessions, today, None, mobility) == (sessions, [])


def test_amber_lightens_today_in_place_with_its_reasons() -> None:
    sessions = week()
    first = sessions[0]
    after, [change] = rejudge_today(sessions, first.day, Recovery(
        "amber", ("sleep score 48 < 60",)), mobility)
    light = after[0]
    assert light.day == first.day and light.status == "lightened" and light.kind == "strength"
    assert all(a.sets == max(1, b.sets - 1) for a, b in zip(
        light.exercises, [p for p in first.exercises if not p.power], strict=True))
    assert (change.rule, change.action, change.night) == ("S7.3 morning amber", "lighten",
                                                          first.day)
    assert change.reasons[0].startswith(f"recovery amber on the morning of {first.day:%a %d %b}")
    assert "sleep score 48 < 60" in change.reasons
    assert after[1:] == sessions[1:]  # other days are the nightly run's


def test_red_makes_today_mobility_work() -> None:
    sessions = week()
    first = sessions[0]
    after, [change] = rejudge_today(sessions, first.day, Recovery(
        "red", ("training readiness POOR",)), mobility)
    assert after[0].kind == "mobility" and after[0].status == "lightened"
    assert not any(p.high_resistance_lower_body or p.power for p in after[0].exercises)
    assert change.action == "mobility" and change.rule == "S7.3 morning red"


def test_a_session_lightened_last_night_turns_to_mobility_when_the_morning_is_red() -> None:
    sessions = week()
    first = sessions[0]
    lightened, _ = rejudge_today(sessions, first.day, Recovery("amber"), mobility)
    assert rejudge_today(lightened, first.day, Recovery("amber"), mobility)[1] == []
    after, [change] = rejudge_today(lightened, first.day, Recovery("red"), mobility)
    assert after[0].kind == "mobility" and change.action == "mobility"


def test_pinned_done_and_skipped_sessions_never_change() -> None:
    first, *rest = week()
    for settled in (first.with_(pinned=True), first.with_(status="done"),
                    first.with_(status="skipped")):
        assert rejudge_today([settled, *rest], first.day, Recovery("red"), mobility)[1] == []


def test_a_green_morning_restores_a_session_lightened_for_recovery() -> None:
    sessions = week()
    first = sessions[0]
    lightened, [night] = adapt(sessions, Tonight(first.day - timedelta(days=1), {},
                                                 Recovery("amber")), mobility)
    assert night.rule == "S7.3 amber" and lightened[0] != first
    judged = {first.id: Judged("amber", first)}  # the nightly decision and the plan
    after, [change] = rejudge_today(lightened, first.day, Recovery("green"), mobility, judged)
    assert after == sessions and (change.rule, change.action) == ("S7.3 morning green",
                                                                  "restore")
    assert change.before == lightened[0].describe() and change.after == first.describe()
    again = {first.id: Judged("green", first)}  # the morning's own decision, recorded
    assert rejudge_today(after, first.day, Recovery("green"), mobility, again) == (after, [])


def test_a_nightly_red_becomes_a_lightened_session_on_an_amber_morning() -> None:
    sessions = week()
    first = sessions[0]
    red = [first.with_(kind="mobility", exercises=mobility(first), status="lightened"),
           *sessions[1:]]
    after, [change] = rejudge_today(red, first.day, Recovery("amber"), mobility,
                                    {first.id: Judged("red", first)})
    assert after[0] == lighten(first) and change.action == "lighten"
    # the same level as the nightly run: nothing to judge again
    assert rejudge_today(red, first.day, Recovery("red"), mobility,
                         {first.id: Judged("red", first)}) == (red, [])


def test_a_session_a_race_lightened_is_not_restored_on_a_green_morning() -> None:
    sessions = week()
    raced = [sessions[0].with_(exercises=tuple(replace(p, sets=2) for p in
                                               sessions[0].exercises), status="lightened"),
             *sessions[1:]]  # the 2-set session before an A race: no recovery decision
    assert rejudge_today(raced, raced[0].day, Recovery("green"), mobility) == (raced, [])


def test_a_green_morning_after_a_red_night_gives_back_the_a_taper_session_as_planned() -> None:
    """The nightly run makes the A race's 2-set session mobility work on a red night; a
    green morning restores the session as the plan holds it. The plan's week was read with
    the taper's second session (mobility work by the race) left out: a one-session week,
    whose one session holds other exercises (the hip thrust for the calf raise)."""
    ctx, runs, sessions, race = half_a_race()
    [taper] = [s for s in sessions if 8 <= (race - s.day).days <= 14 and s.kind == "strength"]
    assert taper.status == "lightened" and any(  # the premise: a second session, made mobility
        s.kind == "mobility" and 8 <= (race - s.day).days <= 14 for s in sessions)

    def mobility_of(s: Session) -> tuple[Prescription, ...]:
        return mobility_session(ctx, 0, s.day)

    eve = taper.day - timedelta(days=1)
    red, _ = adapt(sessions, Tonight(eve, runs, Recovery("red")), mobility_of)
    planned = as_planned(ctx, MONDAY, eve, red, [taper.id])
    assert planned == {taper.id: taper}
    after, [change] = rejudge_today(red, taper.day, Recovery("green"), mobility_of,
                                    {taper.id: Judged("red", planned[taper.id])})
    assert after == sessions and change.after == taper.describe()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["green", "amber", "red"]), min_size=1, max_size=3),
       st.integers(0, 6))
def test_the_same_morning_twice_changes_nothing_the_second_time(levels: list[str],
                                                                offset: int) -> None:
    """Whatever mornings came before, a second pass on the same status changes nothing."""
    planned = week()
    today = MONDAY + timedelta(days=offset)
    sessions, judged = planned, dict[str, Judged]()
    for level in levels:
        sessions, changes = rejudge_today(sessions, today, Recovery(level), mobility, judged)
        # what the job reads back: the last recovery decision and the session as planned
        judged |= {c.session_id: Judged(level, next(p for p in planned if p.id ==
                                                     c.session_id)) for c in changes}
    again, changes = rejudge_today(sessions, today, Recovery(levels[-1]), mobility, judged)
    assert changes == [] and again == sessions
    # whatever came before, today ends as this morning's level asks of the plan
    assert sessions == [fitted(s, levels[-1], mobility) if s.day == today else s
                        for s in planned]


# --- the job: a real home, the fake Garmin, the clock pinned ------------------------------

def steady_bodies(readiness: dict[str, str]) -> Any:
    """Garmin's bodies with a flat HRV (a green baseline) and `readiness` levels by day."""
    def bodies(day: str) -> dict[str, Any]:
        out = own_day_bodies(day)
        out["hrv"]["hrvSummary"]["lastNightAvg"] = 50
        out["summary"]["restingHeartRate"] = 45
        for item in out["readiness"]:
            if item["inputContext"] == "AFTER_WAKEUP_RESET":
                item["level"] = readiness.get(day, "HIGH")
        return out
    return bodies


@pytest.fixture
def garmin_fake(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[
        tuple[FakeGarmin, dict[str, str]]]:
    readiness: dict[str, str] = {}
    fake = FakeGarmin(day_bodies=steady_bodies(readiness))
    fake.add_run(101, datetime(2025, 7, 7, 6, 30, tzinfo=UTC), minutes=40)
    with served(fake) as url:
        monkeypatch.setenv(garmin.ENV_BASE_URL, url)
        monkeypatch.setenv(garmin.ENV_PACE, "0")
        yield fake, readiness


def _planned_day(home: Any) -> tuple[date, str]:
    """The first open strength session after the night: its day and key."""
    with home.db() as db:
        row = db.scalars(select(m.PlannedSession).where(
            m.PlannedSession.day > NIGHT, m.PlannedSession.kind == "strength")
            .order_by(m.PlannedSession.day)).first()
        return row.day, row.key


def _first_night() -> tuple[Any, date, str]:
    """A home whose first nightly run planned the week: the first open strength session's
    day and key."""
    home = _athlete()
    with freeze_time(f"{NIGHT} 21:30:00"):
        run_nightly(home, ANNA, NIGHT, source_for(home))
    return home, *_planned_day(home)


def _session(home: Any, key: str) -> m.PlannedSession:
    with home.db() as db:
        return db.scalars(select(m.PlannedSession).where(m.PlannedSession.key == key)).one()


def _morning_rows(home: Any) -> list[m.AdjustmentRow]:
    with home.db() as db:
        return list(db.scalars(select(m.AdjustmentRow).where(
            m.AdjustmentRow.rule.like("S7.3 morning%"))))


def test_a_red_morning_makes_todays_session_mobility_and_publishes_once(
        garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    _fake, readiness = garmin_fake
    home, day, key = _first_night()
    calendar = home.config.paths.data_dir / "calendar" / "anna.ics"
    before = calendar.read_bytes()
    readiness[day.isoformat()] = "POOR"
    with freeze_time(f"{day} 07:00:00"):
        [result] = run_morning(home, ANNA, day, source_for(home))
    assert result.status == "ok" and result.run == "morning" and result.adjustments >= 1
    row = _session(home, key)
    assert row.day == day and row.kind == "mobility" and row.status == "lightened"
    [change] = _morning_rows(home)
    assert change.session_key == key and change.night == day and change.action == "mobility"
    assert change.rule == "S7.3 morning red" and "training readiness POOR" in change.reasons
    assert change.reasons[0] == f"recovery red on the morning of {day:%a %d %b} (last " \
        "night's HRV, sleep and readiness)"
    published = calendar.read_bytes()
    assert published != before
    [event] = [e for e in Calendar.from_ical(published).walk("VEVENT")
               if str(e.get("uid")) == f"{key}.anna@stridelift"]
    assert str(event.get("summary")) == "Mobility & stability"
    assert "Why it changed (S7.3 morning red, mobility" in str(event.get("description"))
    with freeze_time(f"{day} 07:05:00"):  # the same morning again: nothing changes
        [again] = run_morning(home, ANNA, day, source_for(home))
    assert again.status == "ok" and again.adjustments == 0
    assert len(_morning_rows(home)) == 1 and calendar.read_bytes() == published


def test_an_amber_morning_lightens_by_feel_in_words(
        garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    _fake, readiness = garmin_fake
    home, day, key = _first_night()
    readiness[day.isoformat()] = "LOW"
    with freeze_time(f"{day} 07:00:00"):
        [result] = run_morning(home, ANNA, day, source_for(home))
    assert result.status == "ok"
    row = _session(home, key)
    assert row.kind == "strength" and row.status == "lightened" and row.day == day
    feel = [p for p in row.exercises if p["by_feel"]]
    assert feel and all("a weight you could lift" in p["instruction"]
                        and "not " not in p["instruction"] for p in feel)
    [change] = _morning_rows(home)
    assert change.rule == "S7.3 morning amber" and change.action == "lighten"


def test_a_green_morning_changes_and_publishes_nothing(
        garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    home, day, key = _first_night()
    calendar = home.config.paths.data_dir / "calendar" / "anna.ics"
    calendar.unlink()  # a pass that changes nothing does not write it again
    with freeze_time(f"{day} 07:00:00"):
        [result] = run_morning(home, ANNA, day, source_for(home))
    assert result.status == "ok" and result.adjustments == 0
    assert _session(home, key).status == "planned" and not calendar.exists()


def test_a_green_morning_restores_the_session_last_night_lightened_for_recovery(
        garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    _fake, readiness = garmin_fake
    home, day, key = _first_night()
    planned = _session(home, key).exercises
    eve = day - timedelta(days=1)
    readiness[eve.isoformat()] = "LOW"  # amber on the eve: the nightly run lightens it
    with freeze_time(f"{eve} 21:30:00"):
        run_nightly(home, ANNA, eve, source_for(home))
    assert _session(home, key).status == "lightened"
    calendar = home.config.paths.data_dir / "calendar" / "anna.ics"
    lightened = calendar.read_bytes()
    with freeze_time(f"{day} 07:00:00"):  # readiness HIGH again: green
        [result] = run_morning(home, ANNA, day, source_for(home))
        [again] = run_morning(home, ANNA, day, source_for(home))
    row = _session(home, key)
    assert result.adjustments == 1 and again.adjustments == 0
    assert (row.day, row.kind, row.status, row.exercises) == (day, "strength", "planned",
                                                              planned)
    [change] = _morning_rows(home)
    assert (change.rule, change.action, change.session_key) == ("S7.3 morning green",
                                                                "restore", key)
    assert "training readiness HIGH (≥ MODERATE)" in change.reasons
    assert "the session lightened for recovery is restored as planned" in change.reasons[-1]
    assert calendar.read_bytes() != lightened  # published once, with the restored session
    with freeze_time(f"{day} 21:30:00"):  # the night adapted again: the morning's decision
        run_nightly(home, ANNA, day, source_for(home))
    assert _session(home, key).exercises == planned and len(_morning_rows(home)) == 1


@pytest.fixture
def late_garmin() -> FakeGarmin:
    """The Garmin of late_watch (its faults, its calls)."""
    return FakeGarmin()


@pytest.fixture
def late_watch(home: Path, monkeypatch: pytest.MonkeyPatch, late_garmin: FakeGarmin
               ) -> Iterator[tuple[Any, date, str, set[str]]]:
    """A home whose eve was amber (the nightly lightened the day's session), and a watch
    that has synced nothing of the day yet (remove the day from the set to sync it)."""
    readiness: dict[str, str] = {}
    unsynced: set[str] = set()
    measured = steady_bodies(readiness)
    fake = late_garmin
    fake.day_bodies = lambda day: {} if day in unsynced else measured(day)
    fake.add_run(101, datetime(2025, 7, 7, 6, 30, tzinfo=UTC), minutes=40)
    with served(fake) as url:
        monkeypatch.setenv(garmin.ENV_BASE_URL, url)
        monkeypatch.setenv(garmin.ENV_PACE, "0")
        home_, day, key = _first_night()
        eve = day - timedelta(days=1)
        readiness[eve.isoformat()] = "LOW"  # amber on the eve: the nightly run lightens it
        with freeze_time(f"{eve} 21:30:00"):
            run_nightly(home_, ANNA, eve, source_for(home_))
        assert _session(home_, key).status == "lightened"
        unsynced.add(day.isoformat())
        yield home_, day, key, unsynced


def test_a_morning_before_the_watch_has_synced_keeps_the_nightly_lightening(
        late_watch: tuple[Any, date, str, set[str]]) -> None:
    """At 07:00 Garmin holds nothing of last night yet (HRV, sleep and readiness answer
    204): the day's status is only the days before it carried on (green here), not last
    night's, so the nightly run's amber stands and the pass says why; the 08:00 pass, the
    watch synced (readiness HIGH), restores the session as a green morning does."""
    home_, day, key, unsynced = late_watch
    lightened = _session(home_, key).exercises
    with freeze_time(f"{day} 07:00:00"):
        [early] = run_morning(home_, ANNA, day, source_for(home_))
        said = runner.invoke(app, ["morning", "--date", day.isoformat()])
        today = runner.invoke(app, ["today"]).output.splitlines()
    assert (early.status, early.adjustments) == ("ok", 0)
    assert early.note == ("last night's recovery data is not synced yet: keeping the "
                          "nightly's decision (run `stridelift morning` again once the "
                          "watch has synced)")
    assert early.as_json()["note"] == early.note and early.note in said.output
    assert _session(home_, key).exercises == lightened and _morning_rows(home_) == []
    assert today[1] == "  - last night's recovery data is not synced yet"  # green else
    unsynced.clear()  # the watch has synced
    with freeze_time(f"{day} 08:00:00"):
        [synced] = run_morning(home_, ANNA, day, source_for(home_))
        today = runner.invoke(app, ["today"]).output.splitlines()
    assert synced.note is None and synced.adjustments == 1
    assert not any("not synced" in line for line in today)
    assert _session(home_, key).status == "planned"
    [change] = _morning_rows(home_)
    assert (change.rule, change.action) == ("S7.3 morning green", "restore")
    assert "training readiness HIGH (≥ MODERATE)" in change.reasons


def test_a_day_without_last_nights_numbers_says_why_by_source() -> None:
    """Waiting for the watch (Garmin, the demo), or nothing to wait for (imported files)."""
    from jobs.last_night import without_last_night

    assert without_last_night(ANNA, False) == "last night's recovery data is not synced yet"
    assert without_last_night(replace(ANNA, source="files"), False) == (
        "no recovery data of last night (the files imported hold none)")
    assert without_last_night(ANNA, True) is None


def test_last_nights_resting_hr_counts_only_from_a_watch_that_measures_nothing_else() -> None:
    """A sync in the night can bring the resting HR before the HRV, sleep and readiness a
    watch measures on waking: it is last night's only where the days before hold none."""
    from analysis.last_night import last_night_synced
    from analysis.recovery import Values

    nothing: Values = {"hrv_last_night": None, "sleep_score": None}
    rhr: Values = {**nothing, "resting_hr": 55.0}
    measures: list[Values] = [{"sleep_score": 70.0, "resting_hr": 45.0}, {"resting_hr": 46.0}]
    assert last_night_synced({"sleep_score": 48.0}, measures)
    assert not last_night_synced(nothing, []) and not last_night_synced(rhr, measures)
    assert last_night_synced(rhr, [{"resting_hr": 45.0, "sleep_score": None}])
    assert last_night_synced(rhr, [])  # no day before to wait like


def test_the_morning_names_what_of_last_night_the_watch_measured() -> None:
    from analysis.last_night import last_night_words

    assert last_night_words({"hrv_last_night": 50.0, "sleep_score": 70, "hrv_status": None,
                             "readiness_level": "HIGH"}) == \
        "last night's HRV, sleep and readiness"
    assert last_night_words({"sleep_score": 70, "resting_hr": 45}) == "last night's sleep"
    assert last_night_words({"hrv_status": "LOW", "readiness_level": "LOW"}) == \
        "last night's HRV and readiness"
    assert last_night_words({"resting_hr": 45, "sleep_score": None}) == \
        "last night's resting HR"


def _resting_hr_only(resting_hr: dict[str, int | None]) -> Any:
    """A watch that measures no HRV, sleep score or readiness (Garmin answers 204, a sleep
    without scores, no reading): its nights give the resting HR alone, 45 unless told."""
    def bodies(day: str) -> dict[str, Any]:
        out = own_day_bodies(day)
        del out["hrv"], out["sleep"]["dailySleepDTO"]["sleepScores"]
        out["readiness"] = []
        out["summary"]["restingHeartRate"] = resting_hr.get(day, 45)
        out["sleep"]["restingHeartRate"] = resting_hr.get(day, 45)
        return out
    return bodies


def test_a_watch_without_hrv_sleep_score_or_readiness_is_judged_by_its_resting_hr(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its mornings never hold last night's HRV, sleep score or readiness: waiting for them
    left every morning as the nightly run decided, a resting HR 10 bpm up (amber) unheeded,
    and said 'not synced yet' for good. Its resting HR is last night's number: before it is
    synced the pass waits and says so, once it is, the morning lightens the session."""
    resting_hr: dict[str, int | None] = {}
    fake = FakeGarmin(day_bodies=_resting_hr_only(resting_hr))
    fake.add_run(101, datetime(2025, 7, 7, 6, 30, tzinfo=UTC), minutes=40)
    with served(fake) as url:
        monkeypatch.setenv(garmin.ENV_BASE_URL, url)
        monkeypatch.setenv(garmin.ENV_PACE, "0")
        home_, day, key = _first_night()
        with freeze_time(f"{day - timedelta(days=1)} 21:30:00"):
            run_nightly(home_, ANNA, day - timedelta(days=1), source_for(home_))
        planned = _session(home_, key).exercises
        resting_hr[day.isoformat()] = None  # not synced yet
        with freeze_time(f"{day} 06:00:00"):
            [early] = run_morning(home_, ANNA, day, source_for(home_))
        resting_hr[day.isoformat()] = 55
        with freeze_time(f"{day} 07:00:00"):
            [synced] = run_morning(home_, ANNA, day, source_for(home_))
            today = runner.invoke(app, ["today"]).output
    assert early.note == ("last night's recovery data is not synced yet: keeping the "
                          "nightly's decision (run `stridelift morning` again once the "
                          "watch has synced)") and early.adjustments == 0
    assert synced.note is None and synced.adjustments == 1 and "not synced" not in today
    assert _session(home_, key).exercises != planned
    [change] = _morning_rows(home_)
    assert (change.rule, change.action) == ("S7.3 morning amber", "lighten")
    assert any(r.startswith("resting HR 55 bpm is 10") for r in change.reasons), change.reasons
    # what this watch measures, not the HRV, sleep and readiness it never gave
    assert change.reasons[0] == f"recovery amber on the morning of {day:%a %d %b} (last " \
        "night's resting HR)"


def test_the_morning_pushes_the_changed_session_to_the_watch(home: Path) -> None:
    from tests.garmin_fake import connect_without_login, fast_policy
    from tests.test_push import WorkoutGarmin, serving

    readiness: dict[str, str] = {}
    fake = WorkoutGarmin(day_bodies=steady_bodies(readiness))
    fake.add_run(101, datetime(2025, 7, 7, 6, 30, tzinfo=UTC), minutes=40)
    pusher = Profile(**{**ANNA.__dict__, "push_workouts": True})
    home_ = _athlete(pusher)

    def source(_p: Profile) -> Any:
        return connect_without_login(fast_policy())

    with serving(fake):
        with freeze_time(f"{NIGHT} 21:30:00"):
            run_nightly(home_, pusher, NIGHT, source)
        day, key = _planned_day(home_)
        readiness[day.isoformat()] = "POOR"
        with freeze_time(f"{day} 07:00:00"):
            [result] = run_morning(home_, pusher, day, source)
            [again] = run_morning(home_, pusher, day, source)
    assert result.status == "ok", result.error
    assert result.counts["workouts_pushed"] >= 1 and result.counts["workouts_failed"] == 0
    pushed = [w for w in fake.workouts.values() if key in w["description"]]
    assert pushed and "Mobility" in pushed[-1]["workoutName"]  # the watch has the new session
    assert "workouts_pushed" not in again.counts  # nothing changed: nothing pushed


# --- a nightly_at between morning_at and noon: the night before, run on today's morning ----

EARLY = Profile(**{**ANNA.__dict__, "nightly_at": "08:00", "strength_sessions": 1,
                   "runs": {"mon": "easy", "sun": "long"}})
TUESDAY = date(2025, 7, 8)  # the week's one session (Wed and Thu free, Sat the eve of Sun)
INTERVALS = [LapSpec(600, 2.8, 135, "warmup"),
             *[LapSpec(180, 4.6, 174, "interval"), LapSpec(120, 2.4, 135, "recovery")] * 5,
             LapSpec(600, 2.8, 135, "cooldown")]


def _planned_tuesday(profile: Profile, at: str) -> tuple[Any, str]:
    """The plan made by the scheduled nightly at `at` (UTC): the home and the key of the
    week's one session, on Tuesday."""
    home = _athlete(profile)
    with freeze_time(at):
        sched.nightly_job("anna")
    with home.db() as db:
        key = db.scalars(select(m.PlannedSession.key).where(
            m.PlannedSession.day == TUESDAY, m.PlannedSession.kind == "strength")).one()
    return home, key


def _amber_tuesday(readiness: dict[str, str]) -> tuple[Any, str]:
    """The plan made by Monday's 08:00 nightly, and Tuesday's session lightened by the
    07:00 morning pass (readiness LOW): the home and the session's key."""
    home, key = _planned_tuesday(EARLY, "2025-07-07 08:00:00")
    readiness[TUESDAY.isoformat()] = "LOW"
    with freeze_time(f"{TUESDAY} 07:00:00"):
        sched.morning_job("anna")
    assert _session(home, key).status == "lightened"
    return home, key


def test_a_nightly_before_noon_moves_todays_session_after_a_speed_run_this_morning(
        garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    """At 08:00 the nightly adapts Monday night's plan, today's session included; intervals
    run at 07:10 (after the morning pass) are synced and count as run (S6: no strength on a
    speed day), where the template's rest day counted: the session moves, lightened as the
    morning judged it."""
    fake, readiness = garmin_fake
    home, key = _amber_tuesday(readiness)
    lightened = _session(home, key).exercises
    fake.add_run(202, datetime(2025, 7, 8, 7, 10, tzinfo=UTC), laps=INTERVALS)
    with freeze_time(f"{TUESDAY} 08:00:00"):
        sched.nightly_job("anna")
    row = _session(home, key)
    assert (row.day, row.status, row.exercises) == (TUESDAY + timedelta(days=1), "lightened",
                                                    lightened)
    with home.db() as db:
        [move] = db.scalars(select(m.AdjustmentRow).where(m.AdjustmentRow.rule == "S6"))
    assert move.action == "move" and move.night == TUESDAY  # decided that morning
    assert move.reasons[0] == "speed run on Tue 08 Jul (no strength on the same day)"
    assert any(r.startswith("Tue speed run: speed (a): 5 work laps") for r in move.reasons)
    assert len(_morning_rows(home)) == 1  # the morning's amber decision stands


def test_a_speed_run_at_half_past_midnight_local_is_the_day_after_the_night(
        garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    """In London (UTC+1 in July, the file's own offset too) intervals at 00:30 on Tuesday
    are Monday 23:30 in UTC: the 08:00 nightly (07:00 UTC) reads them as Tuesday's run, the
    day after its night, and moves Tuesday's session (as Monday's, they would have left it
    where it is)."""
    fake, _ = garmin_fake
    home, key = _planned_tuesday(replace(EARLY, tz="Europe/London"), "2025-07-07 07:00:00")
    fake.add_run(202, datetime(2025, 7, 7, 23, 30, tzinfo=UTC), laps=INTERVALS)
    with freeze_time("2025-07-08 07:00:00"):
        sched.nightly_job("anna")
    row = _session(home, key)
    assert (row.day, row.status) == (TUESDAY + timedelta(days=1), "moved")
    with home.db() as db:
        [move] = db.scalars(select(m.AdjustmentRow).where(m.AdjustmentRow.rule == "S6"))
    assert move.reasons[0] == "speed run on Tue 08 Jul (no strength on the same day)"


def test_the_move_after_this_mornings_amber_is_the_latest_change_the_runner_is_shown(
        garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    """The 08:00 nightly's move is decided after the 07:00 morning pass lightened the
    session: `why` (newest first, also with --since today) and the calendar event, which
    tells its latest change, say it moved for the speed run, not that it was lightened in
    place."""
    fake, readiness = garmin_fake
    home, key = _amber_tuesday(readiness)
    fake.add_run(202, datetime(2025, 7, 8, 7, 10, tzinfo=UTC), laps=INTERVALS)
    with freeze_time(f"{TUESDAY} 08:00:00"):
        sched.nightly_job("anna")
        why = runner.invoke(app, ["why", "--json", "--since", TUESDAY.isoformat()])
    latest, amber = json.loads(why.output)[:2]
    assert (latest["session_id"], latest["rule"], latest["action"], latest["date"]) == (
        key, "S6", "move", TUESDAY.isoformat())
    assert (amber["session_id"], amber["rule"]) == (key, "S7.3 morning amber")
    calendar = Calendar.from_ical((home.config.paths.data_dir / "calendar" / "anna.ics")
                                  .read_bytes())
    [event] = [e for e in calendar.walk("VEVENT") if e["UID"] == f"{key}.anna@stridelift"]
    assert "Why it changed (S6, move on the night of 2025-07-08):\n- speed run on Tue 08 Jul" \
        in str(event["DESCRIPTION"])


def test_a_green_morning_restores_a_session_lightened_for_amber_then_moved_for_s6(
        garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    """Recovery is judged day by day (S7.3): the session lightened for Tuesday's amber and
    moved to Wednesday by the speed run (S6 moves its day, not its load) is restored on a
    green Wednesday morning, as one lightened the night before is."""
    fake, readiness = garmin_fake
    home, key = _amber_tuesday(readiness)
    planned = _session(home, key).exercises  # lightened: the amber's before is the plan
    with home.db() as db:
        [amber] = db.scalars(select(m.AdjustmentRow).where(
            m.AdjustmentRow.rule == "S7.3 morning amber"))
    fake.add_run(202, datetime(2025, 7, 8, 7, 10, tzinfo=UTC), laps=INTERVALS)
    with freeze_time(f"{TUESDAY} 08:00:00"):
        sched.nightly_job("anna")
    wednesday = TUESDAY + timedelta(days=1)
    assert (_session(home, key).day, _session(home, key).status) == (wednesday, "lightened")
    readiness[wednesday.isoformat()] = "HIGH"
    with freeze_time(f"{wednesday} 07:00:00"):
        sched.morning_job("anna")
    row = _session(home, key)
    assert (row.day, row.status) == (wednesday, "planned") and row.exercises != planned
    restore = _morning_rows(home)[-1]
    assert (restore.rule, restore.action, restore.night) == ("S7.3 morning green", "restore",
                                                             wednesday)
    assert restore.after.split(": ", 1)[1] == amber.before.split(": ", 1)[1]
    with freeze_time(f"{wednesday} 07:05:00"):
        sched.morning_job("anna")
    assert len(_morning_rows(home)) == 2  # a second pass changes nothing


def test_an_evening_nightly_caught_up_after_midnight_counts_a_run_after_midnight_as_its_days(
        garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    """Monday's 21:30 nightly fires at 00:15 on Tuesday (the machine slept): it processes
    Monday (sched.night_of), and the intervals run at 00:05 on Tuesday count as Tuesday's run,
    as the runs of the morning after a nightly_at before noon do: Tuesday's session moves
    for them (S6), decided on Tuesday (replan.decided_on), not on Monday's night; Tuesday's
    own nightly changes nothing more."""
    fake, _ = garmin_fake
    # Sunday's night plans the week
    home, key = _planned_tuesday(replace(EARLY, nightly_at="21:30"), "2025-07-06 21:30:00")
    fake.add_run(202, datetime(2025, 7, 8, 0, 5, tzinfo=UTC), laps=INTERVALS)
    with freeze_time("2025-07-08 00:15:00"):
        sched.nightly_job("anna")
    monday = TUESDAY - timedelta(days=1)
    assert _runs(home)[-1] == ("anna", monday, "ok")
    with home.db() as db:
        ran = db.scalars(select(m.Activity).where(m.Activity.garmin_id == 202)).one()
        [move] = db.scalars(select(m.AdjustmentRow).where(m.AdjustmentRow.rule == "S6"))
    assert ran.local_date == TUESDAY
    row = _session(home, key)
    assert (row.day, row.status) == (TUESDAY + timedelta(days=1), "moved")
    assert (move.action, move.night) == ("move", TUESDAY)
    assert move.reasons[0] == "speed run on Tue 08 Jul (no strength on the same day)"
    with freeze_time("2025-07-08 21:30:00"):
        sched.nightly_job("anna")
    assert _runs(home)[-1] == ("anna", TUESDAY, "ok")
    with home.db() as db:
        assert len(db.scalars(select(m.AdjustmentRow).where(m.AdjustmentRow.rule == "S6"))
                   .all()) == 1
    assert _session(home, key).day == TUESDAY + timedelta(days=1)


def test_a_nightly_before_noon_leaves_a_session_lifted_this_morning_done(
        garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    """The session lifted at 06:00 and recorded by the watch is done: the speed run after it
    moves nothing."""
    fake, readiness = garmin_fake
    home, key = _amber_tuesday(readiness)
    fake.add_strength(303, datetime(2025, 7, 8, 6, 0, tzinfo=UTC), with_fit_sets=True)
    fake.add_run(202, datetime(2025, 7, 8, 7, 10, tzinfo=UTC), laps=INTERVALS)
    with freeze_time(f"{TUESDAY} 08:00:00"):
        sched.nightly_job("anna")
    row = _session(home, key)
    assert (row.day, row.status) == (TUESDAY, "done")
    with home.db() as db:
        assert not db.scalars(select(m.AdjustmentRow).where(m.AdjustmentRow.rule == "S6")).all()


def test_the_morning_command(garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    _athlete()
    day = NIGHT + timedelta(days=1)
    with freeze_time(f"{day} 07:00:00"):  # 'today' read from the pinned clock
        result = runner.invoke(app, ["morning", "--json"])
    assert result.exit_code == 0, result.output
    [out] = json.loads(result.stdout)
    assert out["pass"] == "morning" and out["day"] == day.isoformat() and out["status"] == "ok"
    text = runner.invoke(app, ["morning", "--date", day.isoformat()])
    assert text.exit_code == 0 and "morning: ok" in text.output
    assert "morning pass" in runner.invoke(app, ["morning", "--help"]).output


def test_the_daemon_schedules_both_passes_at_their_local_times(home: Path) -> None:
    profile = Profile(**{**ANNA.__dict__, "tz": "Europe/Berlin", "morning_at": "06:45"})
    home_ = _athlete(profile, tokens=False)
    with freeze_time("2025-07-07 12:00:00"):  # 14:00 in Berlin
        scheduler = sched.start(home_)
        try:
            jobs = {job.id: job for job in scheduler.get_jobs(jobstore="default")}
            assert set(jobs) == {"nightly:anna", "morning:anna", "morning-again:anna"}
            assert jobs["morning:anna"].next_run_time == datetime(2025, 7, 8, 4, 45,
                                                                  tzinfo=UTC)
            assert jobs["morning-again:anna"].next_run_time == datetime(2025, 7, 8, 5, 15,
                                                                        tzinfo=UTC)
            assert jobs["nightly:anna"].next_run_time == datetime(2025, 7, 7, 19, 30,
                                                                  tzinfo=UTC)
            assert jobs["morning:anna"].func is sched.morning_job
        finally:
            scheduler.shutdown()


def test_a_running_daemon_follows_config_changes(home: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    """An athlete added by `init`, a changed nightly time and a removed athlete reach a
    running daemon within its minute check, with no restart; a broken config.toml leaves the
    schedule as it was, said once, not every minute."""
    home_ = _athlete(tokens=False)
    with freeze_time("2025-07-07 12:01:00"):  # 12:01 UTC: after the morning's last try
        scheduler = sched.start(home_)
        try:
            [reload] = scheduler.get_jobs(jobstore=sched.SETTINGS)
            assert reload.trigger.interval == timedelta(seconds=sched.RELOAD_S)
            ben = Profile(**{**ANNA.__dict__, "name": "ben", "nightly_at": "22:15"})
            save_profile(load(), ben)  # what `init` does in another process
            save_profile(load(), replace(ANNA, nightly_at="20:00"))
            caplog.set_level("INFO", logger=sched.__name__)
            reload.func()
            assert any("nightly run for anna: rescheduled, next at 2025-07-07 20:00" in r.message
                       for r in caplog.records)  # the new time, not the old one
            jobs = {job.id: job for job in scheduler.get_jobs(jobstore="default")}
            assert set(jobs) == {f"{run}:{name}" for run in ("nightly", "morning", "morning-again")
                                 for name in ("anna", "ben")}
            assert jobs["nightly:ben"].next_run_time == datetime(2025, 7, 7, 22, 15, tzinfo=UTC)
            assert jobs["nightly:anna"].next_run_time == datetime(2025, 7, 7, 20, 0, tzinfo=UTC)

            config_file = load().paths.config_file
            good = config_file.read_text()
            config_file.write_text(good + "\n[athletes.broken\n")
            caplog.clear()
            reload.func()
            reload.func()
            said = [r.message for r in caplog.records if "not applied" in r.message]
            assert len(said) == 1 and "not valid TOML" in said[0]
            assert {job.id for job in scheduler.get_jobs(jobstore="default")} == set(jobs)

            for gone in ("", None):  # emptied by an editor mid-save; moved away
                if gone is None:
                    config_file.unlink()
                else:
                    config_file.write_text(gone)
                caplog.clear()
                reload.func()
                reload.func()
                said = [r.message for r in caplog.records if "not applied" in r.message]
                assert len(said) == 1 and "lists no athlete" in said[0]
                assert {job.id: job.next_run_time for job in scheduler.get_jobs(
                    jobstore="default")} == {i: j.next_run_time for i, j in jobs.items()}
                config_file.write_text(good)
                reload.func()  # applied again: the next failure is said again

            without_ben = tomllib.loads(good)
            del without_ben["athletes"]["ben"]
            config_file.write_text(tomli_w.dumps(without_ben))
            reload.func()
            assert {job.id for job in scheduler.get_jobs(jobstore="default")} == {
                "nightly:anna", "morning:anna", "morning-again:anna"}
        finally:
            scheduler.shutdown()


def test_morning_at_is_checked_and_kept_in_the_config(home: Path) -> None:
    from domain.profile import ProfileError
    from jobs.config import load

    with pytest.raises(ProfileError, match="morning time '7am' must be HH:MM"):
        Profile(**{**ANNA.__dict__, "morning_at": "7am"})
    _athlete(Profile(**{**ANNA.__dict__, "morning_at": "06:30"}), tokens=False)
    assert load().athlete("anna").morning_at == "06:30"
    _athlete(tokens=False)
    assert load().athlete("anna").morning_at == "07:00"
    assert load().athlete("anna").morning_until == "12:00"
    with pytest.raises(ProfileError, match="morning_until 'noon' must be HH:MM"):
        Profile(**{**ANNA.__dict__, "morning_until": "noon"})
    _athlete(Profile(**{**ANNA.__dict__, "morning_until": "10:30"}), tokens=False)
    assert load().athlete("anna").morning_until == "10:30"



def test_a_green_morning_restores_a_session_lightened_for_recovery_after_a_change_of_kit(
        garmin_fake: tuple[FakeGarmin, dict[str, str]]) -> None:
    """Less kit swaps the lightened session's exercises (a change recorded after the nightly
    recovery decision): the recovery decision is still what a green morning undoes."""
    _fake, readiness = garmin_fake
    home, day, key = _first_night()
    eve = day - timedelta(days=1)
    readiness[eve.isoformat()] = "LOW"  # amber on the eve: the nightly run lightens it
    with freeze_time(f"{eve} 21:30:00"):
        run_nightly(home, ANNA, eve, source_for(home))
    lightened = _session(home, key)
    assert lightened.status == "lightened"
    travelling = replace(ANNA, equipment="bodyweight")
    save_profile(home.config, travelling)  # as `init --equipment bodyweight` saves it
    with freeze_time(f"{day} 07:00:00"):  # readiness HIGH again: green
        [result] = run_morning(home, travelling, day, source_for(home))
    assert result.status == "ok"
    row = _session(home, key)
    catalog = CTX.catalog
    assert {catalog.exercise(p["exercise_id"]).equipment for p in row.exercises} == {
        "bodyweight"}
    assert (row.day, row.kind, row.status) == (day, "strength", "planned")
    assert [p["sets"] for p in row.exercises] != [p["sets"] for p in lightened.exercises]
    [change] = _morning_rows(home)
    assert (change.rule, change.action, change.session_key) == ("S7.3 morning green",
                                                                "restore", key)


def test_a_scheduled_run_says_in_one_line_that_config_toml_cannot_be_applied(
        home: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A config.toml edited by hand into a typo while the daemon runs: each job says so in
    one line (the minute check says it too) instead of raising into the scheduler, which
    logged the job's traceback."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[athletes.anna]\ntz = "UTC"\nsex = "f"\nmax_hr = 190\n'
                                      'rest_hr = 50\nstrenght_sessions = 3\n')
    with caplog.at_level("INFO", logger="jobs.scheduler"):
        sched.nightly_job("anna")
        sched.morning_job("anna")
    said = [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records]
    assert [(level, message.split(":")[0], exc) for level, message, exc in said] == [
        ("ERROR", "nightly anna", None), ("ERROR", "morning anna", None)]
    assert all("unknown setting(s) strenght_sessions" in message for _, message, _ in said)


# --- last night's data late: the daemon tries again, `today` says what is true ----------

class Driven(BaseScheduler):
    """The daemon's scheduler with no timer of its own: the test runs what is due
    (_process_jobs) at each pinned moment, in the test's thread (DebugExecutor)."""

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def wakeup(self) -> None:
        pass


def test_the_daemon_tries_the_morning_pass_again_until_last_nights_data_is_in(
        late_watch: tuple[Any, date, str, set[str]], caplog: pytest.LogCaptureFixture) -> None:
    """The daemon ran the pass once, at morning_at: a watch that synced at 07:45 left the
    nightly's decision all day. It tries again every 30 minutes until morning_until (12:00)
    while last night's data is missing, and not after the first pass that judged the day."""
    home_, day, key, unsynced = late_watch
    with freeze_time(f"{day} 06:59:00"):
        scheduler = sched.start(home_, cls=Driven, executors={"default": DebugExecutor()})
    passes: dict[str, list[str]] = {}
    caplog.set_level("INFO", logger=sched.__name__)
    try:
        job = scheduler.get_job("morning-again:anna")
        assert job.next_run_time == datetime(day.year, day.month, day.day, 7, 30, tzinfo=UTC)
        for at in ("07:00", "07:30", "08:00", "08:30", "10:00", "12:00", "12:30"):
            if at == "08:00":
                unsynced.clear()  # the watch synced at 07:45
            caplog.clear()
            with freeze_time(f"{day} {at}:00"):
                scheduler._process_jobs()
            passes[at] = [r.getMessage() for r in caplog.records
                          if r.getMessage().startswith("morning anna")]
    finally:
        scheduler.shutdown()
    ran = [f"morning anna {day}: ok"]
    assert passes == {"07:00": ran, "07:30": ran, "08:00": ran, "08:30": [], "10:00": [],
                      "12:00": [], "12:30": []}
    assert _session(home_, key).status == "planned"  # the 08:00 try: green, restored
    [change] = _morning_rows(home_)
    assert (change.rule, change.action) == ("S7.3 morning green", "restore")


def test_the_tries_come_every_30_minutes_after_morning_at_until_morning_until() -> None:
    def tries(profile: Profile) -> list[str]:
        trigger, fires = sched.tries_again(profile), list[str]()
        fire = trigger.get_next_fire_time(None, datetime(2025, 7, 8, 0, 0, tzinfo=UTC))
        while fire is not None and fire.day == 8:
            fires.append(f"{fire:%H:%M}")
            fire = trigger.get_next_fire_time(fire, fire + timedelta(milliseconds=50))
        return fires

    assert tries(ANNA) == ["07:30", "08:00", "08:30", "09:00", "09:30", "10:00", "10:30",
                           "11:00", "11:30", "12:00"]
    # the last at morning_until itself, whose sync sees the morning whole (`today`)
    assert tries(replace(ANNA, morning_at="06:45", morning_until="08:00")) == ["07:15",
                                                                              "07:45", "08:00"]
    assert tries(replace(ANNA, morning_until="07:00")) == []  # none after morning_at
    # not at a nightly_at before noon: the nightly run holds the athlete's lock then
    assert tries(replace(ANNA, nightly_at="08:00", morning_until="09:00")) == ["07:30",
                                                                              "08:30", "09:00"]


def test_today_says_not_synced_only_while_last_nights_data_may_still_come(
        late_watch: tuple[Any, date, str, set[str]]) -> None:
    """`today --date` a day gone by said "not synced yet", and after a night the watch was
    not worn the line stayed all day: it is said on the day itself only, until a sync after
    morning_until (the daemon's last try) has fetched the day; then there is none."""
    _home, day, _key, _unsynced = late_watch
    with freeze_time(f"{day} 07:00:00"):
        sched.morning_job("anna")
        early = runner.invoke(app, ["today"]).output.splitlines()
    with freeze_time(f"{day} 12:00:00"):
        sched.morning_again_job("anna")  # the last try: still nothing
    with freeze_time(f"{day} 12:05:00"):
        later = runner.invoke(app, ["today"]).output.splitlines()
        json_later = json.loads(runner.invoke(app, ["today", "--json"]).stdout)
    with freeze_time(f"{day + timedelta(days=7)} 09:00:00"):
        week_on = runner.invoke(app, ["today", "--date", day.isoformat()]).output.splitlines()
    none = "no recovery data of last night (the watch synced none)"
    assert early[1] == "  - last night's recovery data is not synced yet"
    assert later[1] == week_on[1] == f"  - {none}"
    assert json_later["recovery"]["last_night"] == none


def test_the_tries_go_on_after_a_sync_and_a_read_stored_last_nights_status(
        late_watch: tuple[Any, date, str, set[str]]) -> None:
    """The tries stopped once the day's stored status held last night's numbers: a
    `garmin sync` and `today` (which computes the day's status) at 07:50 stored them with
    no pass judging the day, so the 08:00 try did nothing and the nightly's lightening
    stood all day. They stop once a pass has judged the day with them."""
    home_, day, key, unsynced = late_watch
    with freeze_time(f"{day} 07:00:00"):
        sched.morning_job("anna")
    unsynced.clear()  # the watch synced at 07:45
    with freeze_time(f"{day} 07:50:00"):
        assert runner.invoke(app, ["sync"]).exit_code == 0
        assert runner.invoke(app, ["today"]).exit_code == 0
    assert _session(home_, key).status == "lightened"
    with freeze_time(f"{day} 08:00:00"):
        sched.morning_again_job("anna")
    assert _session(home_, key).status == "planned"
    [change] = _morning_rows(home_)
    assert (change.rule, change.action) == ("S7.3 morning green", "restore")
    with freeze_time(f"{day} 08:30:00"):  # judged: the next try has nothing to do
        assert run_morning_again(home_, ANNA, day, source_for(home_)) == []


def test_a_day_to_come_is_still_waiting_for_its_night(
        late_watch: tuple[Any, date, str, set[str]]) -> None:
    """On the eve, `today --date` tomorrow (whose status `status --date` computed) said
    "the watch synced none" of a night not yet slept; and a pass run for tomorrow
    (`morning --date`) counted tomorrow's morning as seen, so at 07:00 tomorrow, before the
    watch synced, `today` said the same."""
    _home, day, _key, _unsynced = late_watch
    eve = day - timedelta(days=1)
    waiting = "  - last night's recovery data is not synced yet"
    with freeze_time(f"{eve} 22:00:00"):
        assert runner.invoke(app, ["status", "--date", day.isoformat()]).exit_code == 0
        ahead = runner.invoke(app, ["today", "--date", day.isoformat()]).output.splitlines()
        assert runner.invoke(app, ["morning", "--date", day.isoformat()]).exit_code == 0
    with freeze_time(f"{day} 07:00:00"):
        early = runner.invoke(app, ["today"]).output.splitlines()
    assert ahead[1] == early[1] == waiting


@pytest.mark.parametrize("refusal", [
    (429, {"Retry-After": "3600"}, {"message": "slow down"}),  # beyond our wait: no sleep
    (403, {}, {"message": "forbidden"})])
def test_a_try_garmin_refused_ends_the_days_tries(
        late_watch: tuple[Any, date, str, set[str]], late_garmin: FakeGarmin,
        refusal: tuple[int, dict[str, str], dict[str, str]]) -> None:
    """A try Garmin answered with a rate limit (asking to wait an hour) or a refused login
    was followed by another every 30 minutes until noon, each refused again (and a limit
    may grow with every call): the day's tries end there; a pass by hand still runs."""
    home_, day, key, unsynced = late_watch
    status, headers, body = refusal
    late_garmin.fail("socialProfile", (status, {"Content-Type": "application/json",
                                                **headers}, json.dumps(body).encode()))
    with freeze_time(f"{day} 07:30:00"):
        [refused] = run_morning_again(home_, ANNA, day, source_for(home_))
    assert refused.status == "failed" and str(status) in (refused.error or "")
    unsynced.clear()
    calls = len(late_garmin.calls)
    with freeze_time(f"{day} 08:00:00"):
        assert run_morning_again(home_, ANNA, day, source_for(home_)) == []
    assert len(late_garmin.calls) == calls  # Garmin not asked
    with freeze_time(f"{day} 08:05:00"):
        assert runner.invoke(app, ["morning"]).exit_code == 0
    assert _session(home_, key).status == "planned"


def test_today_stops_waiting_after_morning_until_whatever_morning_at(
        late_watch: tuple[Any, date, str, set[str]]) -> None:
    """With morning_at 06:45 the tries came at 07:15 and 07:45, none at morning_until
    (08:00): no sync saw the morning whole, so after a night the watch was not worn `today`
    said "not synced yet" all day, until the nightly run. The last try is at morning_until."""
    home_, day, _key, _unsynced = late_watch
    config = load()
    save_profile(config, replace(config.athlete("anna"), morning_at="06:45",
                                 morning_until="08:00"))
    with freeze_time(f"{day} 06:40:00"):
        scheduler = sched.start(home_, cls=Driven, executors={"default": DebugExecutor()})
    try:
        for at in ("06:45", "07:15", "07:45", "08:00"):
            with freeze_time(f"{day} {at}:00"):
                scheduler._process_jobs()
    finally:
        scheduler.shutdown()
    with freeze_time(f"{day} 09:00:00"):
        later = runner.invoke(app, ["today"]).output.splitlines()
    assert later[1] == "  - no recovery data of last night (the watch synced none)"


def test_a_pass_garmin_refused_for_a_day_to_come_ends_no_tries_of_today(
        late_watch: tuple[Any, date, str, set[str]], late_garmin: FakeGarmin) -> None:
    """`morning --date` a week ahead, refused (429), ended the tries of every day until
    then: only the day it ran on counts."""
    home_, day, _key, _unsynced = late_watch
    late_garmin.fail("socialProfile", (429, {"Content-Type": "application/json",
                                             "Retry-After": "3600"}, b"{}"))
    with freeze_time(f"{day - timedelta(days=1)} 22:00:00"):
        ahead = runner.invoke(app, ["morning", "--date", str(day + timedelta(days=7))])
    assert ahead.exit_code == 1 and "429" in ahead.output
    with freeze_time(f"{day} 07:30:00"):
        [tried] = run_morning_again(home_, ANNA, day, source_for(home_))
    assert tried.status == "ok"


# --- the tries' cost, and what a plain sync says of the morning ----------------------------

def test_a_try_fetches_the_day_only(late_watch: tuple[Any, date, str, set[str]],
                                    late_garmin: FakeGarmin) -> None:
    """Each try ran a whole sync: after a night the watch has not synced, the wellness cursor
    waits before the day, so each try fetched the day before again too, with the activities
    of the days before and the calendar: 22 Garmin calls a try, up to 10 tries a morning.
    The first pass (morning_at) fetched all that; a try fetches the day's own data."""
    home_, day, _key, _unsynced = late_watch
    with freeze_time(f"{day} 07:00:00"):
        run_morning(home_, ANNA, day, source_for(home_))
    first = len(late_garmin.calls)
    with freeze_time(f"{day} 07:30:00"):
        [tried] = run_morning_again(home_, ANNA, day, source_for(home_))
    calls = late_garmin.calls[first:]
    days = [call for call in calls if "2025-" in call and "calendar" not in call]
    assert tried.status == "ok"
    assert days and all(day.isoformat() in call for call in days), days
    assert len(calls) == 10, calls  # the profile, the list, 6 of the day, 2 months


def test_no_tries_for_a_watch_that_measures_no_night(
        home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A watch that never measures HRV, sleep, readiness or a resting HR got every try every
    morning (10 whole syncs a day, for nothing): no tries once it measured none of last
    night's numbers on the 7 nights before, said once in the log."""
    fake = FakeGarmin(day_bodies=lambda _day: {})
    fake.add_run(101, datetime(2025, 7, 7, 6, 30, tzinfo=UTC), minutes=40)
    caplog.set_level("INFO", logger=morning_run.__name__)
    with served(fake) as url:
        monkeypatch.setenv(garmin.ENV_BASE_URL, url)
        monkeypatch.setenv(garmin.ENV_PACE, "0")
        home_, day, _key = _first_night()
        with freeze_time(f"{day} 07:00:00"):  # the first pass fetches the nights before
            run_morning(home_, ANNA, day, source_for(home_))
        asked = len(fake.calls)
        for at in ("07:30", "08:00"):
            with freeze_time(f"{day} {at}:00"):
                assert run_morning_again(home_, ANNA, day, source_for(home_)) == []
    assert len(fake.calls) == asked  # Garmin not asked
    said = [r.getMessage() for r in caplog.records if "no tries" in r.getMessage()]
    assert said == [f"morning anna {day}: no tries (the watch measured none of last night's "
                    "numbers the 7 nights before)"]


def test_a_sync_after_morning_until_sees_the_morning(
        late_watch: tuple[Any, date, str, set[str]]) -> None:
    """A `sync` by hand after morning_until fetched the day whole, but only the passes
    recorded the morning as seen: `today` said "not synced yet" until the nightly run."""
    _home, day, _key, _unsynced = late_watch
    with freeze_time(f"{day} 12:30:00"):
        assert runner.invoke(app, ["sync"]).exit_code == 0
        later = runner.invoke(app, ["today"]).output.splitlines()
    assert later[1] == "  - no recovery data of last night (the watch synced none)"


def test_a_morning_garmin_failed_on_is_not_seen(
        late_watch: tuple[Any, date, str, set[str]], late_garmin: FakeGarmin) -> None:
    """The day's HRV call failing (a 500 after every retry) was passed over, yet the sync
    after morning_until recorded the morning as seen: `today` said "the watch synced none"
    where Garmin had failed. It still waits, and says Garmin failed, until a sync fetches
    the day whole."""
    home_, day, _key, _unsynced = late_watch
    late_garmin.fail(rf"/hrv-service/hrv/{day}$", *[(500, {}, b"{}")] * 4)
    conn = connect_without_login(fast_policy(), os.environ[garmin.ENV_BASE_URL])
    with freeze_time(f"{day} 12:30:00"):
        report = synced(home_, conn, ANNA, today=day)
        failed = runner.invoke(app, ["today"]).output.splitlines()
        synced(home_, conn, ANNA, today=day)  # Garmin answers again
        whole = runner.invoke(app, ["today"]).output.splitlines()
    assert report.days_failed == {day}
    assert failed[1] == ("  - last night's recovery data is not synced yet (Garmin failed on "
                         "some of it at the last sync)")
    assert whole[1] == "  - no recovery data of last night (the watch synced none)"


def test_a_try_with_no_pass_before_it_fetches_the_days_before(
        late_watch: tuple[Any, date, str, set[str]], late_garmin: FakeGarmin) -> None:
    """A try fetched the day only, as if the first pass had fetched the days before; with
    none before it (Garmin down at morning_at, the machine asleep then) the eve's run that
    reached Garmin after the nightly waited for the next nightly, the pass judging
    yesterday without it."""
    home_, day, _key, _unsynced = late_watch
    late_garmin.add_run(102, datetime.combine(day - timedelta(days=1), time(19, 0), UTC))
    with freeze_time(f"{day} 07:30:00"):
        [tried] = run_morning_again(home_, ANNA, day, source_for(home_))
    assert tried.status == "ok"
    with home_.db() as db:
        assert db.scalars(select(m.Activity).where(m.Activity.garmin_id == 102)).all()


def test_a_home_that_fetched_no_night_is_tried(
        garmin_fake: tuple[FakeGarmin, dict[str, str]],
        caplog: pytest.LogCaptureFixture) -> None:
    """An athlete added after morning_at (the daemon running): the first try found no night
    stored, as none was ever fetched, logged that the watch measured none and ended the
    day's tries without asking Garmin. It is tried (a whole sync) like any other."""
    fake, _ = garmin_fake
    caplog.set_level("INFO", logger=morning_run.__name__)
    home_, day = _athlete(), NIGHT + timedelta(days=1)
    with freeze_time(f"{day} 07:30:00"):
        [tried] = run_morning_again(home_, ANNA, day, source_for(home_))
    assert tried.status == "ok" and fake.calls
    assert not [r for r in caplog.records if "no tries" in r.getMessage()]
