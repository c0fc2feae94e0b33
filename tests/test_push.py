"""Workouts on the watch: payloads in Garmin's shape, and the push end to end through
garminconnect's real code path against a fake workout service served by `responses`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import responses
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session as DB
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from db import models as m
from db import repo
from db.session import open_db, transaction
from demo.fitwrite import LapSpec, run_fit
from domain.profile import Profile
from ingest import fit, garmin, garmin_login
from ingest.garmin import GarminAuthError
from ingest.workouts import (
    INTERVAL,
    ITERATIONS,
    KILOGRAM,
    MAX_DESCRIPTION,
    NO_TARGET,
    REPEAT,
    REPS,
    STRENGTH,
    TIME,
    ConnectRejects,
    parse_marker,
    payload_hash,
)
from jobs.config import Paths
from jobs.push import PushReport, push
from jobs.replan import load_sessions, replan
from jobs.to_watch import build_workout
from planner.catalog_file import default_catalog
from planner.model import Prescription, Session
from stridelift.cli import app
from stridelift.cli.push import register
from tests.conftest import shared_fixture
from tests.garmin_fake import API, FakeGarmin, Reply, connect_without_login

P = Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50,
            runs={"mon": "easy", "tue": "easy", "wed": "speed", "fri": "easy", "sat": "long"})
MONDAY = date(2025, 3, 3)
CATALOG = default_catalog()
STRENGTH_FIELDS = {"category", "exerciseName", "weightValue", "weightUnit", "description"}
SERVER_FIELDS = {"workoutId", "ownerId", "createdDate", "updatedDate", "stepId"}
FAIL_500: list[Reply] = [(500, {}, b"{}")] * 4  # connect_without_login tries 4 times


# -- a fake workout service --------------------------------------------------------------------


def _reply(body: Any, status: int = 200) -> Reply:
    if body is None:
        return 204, {}, b""
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


@dataclass
class WorkoutGarmin(FakeGarmin):
    """FakeGarmin plus Garmin's workout service: workouts, schedules, and a log of requests
    with their JSON bodies. Queued faults (`fail`) still win, as in FakeGarmin."""

    workouts: dict[int, dict[str, Any]] = field(default_factory=dict)
    schedules: dict[int, tuple[int, str]] = field(default_factory=dict)  # id: (workout, day)
    log: list[tuple[str, str, Any]] = field(default_factory=list)
    last_id: int = 5000

    def request(self, method: str, url: str, body: Any) -> Reply:
        path = urlsplit(url).path
        if not path.startswith("/workout-service/") or any(
                pattern.search(path) for pattern, _ in self.faults):
            return self.route(method, url)
        data = json.loads(body) if body else None
        self.log.append((method, path, data))
        return self._workout_service(method, path, data)

    def writes(self) -> list[tuple[str, str]]:
        return [(method, path) for method, path, _ in self.log if method != "GET"]

    def _new_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def _workout_service(self, method: str, path: str, body: Any) -> Reply:
        kind, _, ident = path.removeprefix("/workout-service/").partition("/")
        number = int(ident) if ident.isdigit() else -1
        if (method, kind) == ("POST", "workout"):
            workout = {**body, "workoutId": self._new_id(), "ownerId": 1}
            self.workouts[workout["workoutId"]] = workout
            return _reply(workout)
        if (method, kind) == ("POST", "schedule") and number in self.workouts:
            self.schedules[self._new_id()] = (number, body["date"])
            return _reply({"workoutScheduleId": self.last_id, "calendarDate": body["date"],
                           "workout": self.workouts[number]})
        if (method, kind) == ("GET", "workout") and number in self.workouts:
            return _reply(self.workouts[number])
        if (method, kind) == ("DELETE", "workout") and number in self.workouts:
            del self.workouts[number]  # Garmin takes its calendar entries with it
            self.schedules = {k: v for k, v in self.schedules.items() if v[0] != number}
            return _reply(None)
        if (method, kind) == ("DELETE", "schedule") and number in self.schedules:
            del self.schedules[number]
            return _reply(None)
        return _reply({"message": "not found"}, 404)


@contextmanager
def serving(fake: WorkoutGarmin) -> Iterator[None]:
    """Like garmin_fake.mocked, but the fake also sees each request's body."""
    def callback(request: requests.PreparedRequest) -> Reply:
        return fake.request(str(request.method), str(request.url), request.body)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for method in ("GET", "POST", "PUT", "DELETE"):
            rsps.add_callback(method, re.compile(re.escape(API) + r"/.*"), callback=callback)
        yield


# -- a planned athlete -----------------------------------------------------------------------


@pytest.fixture
def factory(db_url: str) -> sessionmaker[DB]:
    """Anna's plan from the real planner: two strength sessions a week from Monday."""
    made = open_db(db_url)
    with transaction(made) as db:
        replan(db, P, MONDAY - timedelta(days=1))
    return made


@pytest.fixture
def fake() -> WorkoutGarmin:
    return WorkoutGarmin()


def run(factory: sessionmaker[DB], fake: WorkoutGarmin, apply: bool = True,
        today: date = MONDAY) -> PushReport:
    with serving(fake):
        return push(factory, P, connect_without_login(), today=today, apply=apply)


def rows(factory: sessionmaker[DB]) -> dict[str, m.PushedWorkout]:
    with factory() as db:
        return {r.session_key: r for r in db.scalars(select(m.PushedWorkout))}


def sessions(factory: sessionmaker[DB]) -> dict[str, Session]:
    with factory() as db:
        who = db.scalar(select(m.Athlete).where(m.Athlete.name == P.name))
        assert who is not None
        return {s.id: s for s in load_sessions(db, who)}


def edit_session(factory: sessionmaker[DB], key: str, **changes: Any) -> None:
    """What the nightly adaptation or `stridelift skip` does to a planned session's row."""
    with transaction(factory) as db:
        row = db.scalar(select(m.PlannedSession).where(m.PlannedSession.key == key))
        assert row is not None
        for name, value in changes.items():
            setattr(row, name, value)


def steps(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    def walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for step in items:
            yield step
            yield from walk(step.get("workoutSteps", []))
    return walk(payload["workoutSegments"][0]["workoutSteps"])


# -- the payload -------------------------------------------------------------------------------


def _exercise(predicate: Any) -> str:
    return next(e.id for e in CATALOG.exercises.values() if predicate(e))


SAMPLE = Session(id="2025-03-03#2", day=date(2025, 3, 6), kind="strength", block=1,
                 week_in_block=2, exercises=(
                     Prescription("barbell_back_squat", sets=3, reps=6, load_kg=62.5,
                                  rest_s=180, instruction="add 2.5 kg when all sets reach 6"),
                     Prescription(_exercise(lambda e: e.scheme.seconds), sets=2, seconds=30,
                                  rest_s=45),
                     Prescription("clamshell", sets=3, reps=15, rest_s=45)))


def test_the_payload_has_the_shape_of_a_recorded_garmin_workout() -> None:
    recorded = json.loads(shared_fixture("garmin-connect", "workout",
                                         "sample_running_workout.json").read_text())
    payload = build_workout(SAMPLE, CATALOG, "anna")
    assert set(recorded) - SERVER_FIELDS <= set(payload) <= set(recorded) | {"description"}
    [segment], [ours] = recorded["workoutSegments"], payload["workoutSegments"]
    assert set(ours) == set(segment)
    every: dict[str, set[str]] = {}  # keys every recorded step of a type has
    some: dict[str, set[str]] = {}  # keys some recorded step of a type has
    for step in steps(recorded):
        keys = set(step) - SERVER_FIELDS
        every[step["type"]] = every.get(step["type"], keys) & keys
        some[step["type"]] = some.get(step["type"], set()) | keys
    for step in steps(payload):
        assert every[step["type"]] <= set(step), step["type"]
        assert set(step) - some[step["type"]] <= STRENGTH_FIELDS
    # Garmin's own ids and keys for the step types and conditions we share with the recording
    known = {json.dumps(s[k], sort_keys=True) for s in steps(recorded)
             for k in ("stepType", "endCondition", "targetType") if k in s}
    for shared in (INTERVAL, REPEAT, TIME, ITERATIONS, NO_TARGET):
        assert json.dumps(shared, sort_keys=True) in known


def test_each_exercise_is_a_repeat_group_of_sets_with_the_exercise_and_its_rest() -> None:
    payload = build_workout(SAMPLE, CATALOG, "anna")
    assert payload["sportType"] == STRENGTH == {"sportTypeId": 5,
                                                "sportTypeKey": "strength_training",
                                                "displayOrder": 5}
    assert payload["workoutName"] == "stridelift · Strength · wk 03 Mar #2"
    groups = payload["workoutSegments"][0]["workoutSteps"]
    assert [g["numberOfIterations"] for g in groups] == [3, 2, 3]
    squat, hold, clam = ([g["workoutSteps"][0] for g in groups])
    exercise = CATALOG.exercise("barbell_back_squat")
    assert (squat["category"], squat["exerciseName"]) == (exercise.connect_category,
                                                          exercise.connect_name)
    assert (squat["endCondition"], squat["endConditionValue"]) == (REPS, 6.0)
    assert (squat["weightValue"], squat["weightUnit"]) == (62.5, KILOGRAM)
    assert (hold["endCondition"], hold["endConditionValue"]) == (TIME, 30.0)
    assert "weightValue" not in clam and clam["description"].startswith("each side")
    rests = [g["workoutSteps"][1] for g in groups]
    assert [(r["stepType"]["stepTypeKey"], r["endConditionValue"]) for r in rests] == [
        ("rest", 180.0), ("rest", 45.0), ("rest", 45.0)]
    assert [s["stepOrder"] for s in steps(payload)] == list(range(1, 10))
    assert payload["estimatedDurationInSecs"] > 0


def test_the_description_starts_with_our_marker_and_fits() -> None:
    long = SAMPLE.with_(exercises=SAMPLE.exercises * 8)
    for session in (SAMPLE, long):
        text = build_workout(session, CATALOG, "anna")["description"]
        assert parse_marker(text) == ("anna", "2025-03-03#2") and len(text) <= MAX_DESCRIPTION
    text = build_workout(SAMPLE, CATALOG, "anna")["description"]
    assert "Barbell back squat: 3x6 @ 62.5 kg, rest 3:00" in text
    assert "add 2.5 kg when all sets reach 6" in text
    assert f"Clamshell: {CATALOG.exercise('clamshell').cues[0]}" in text


@pytest.mark.parametrize("text", [None, "", "tempo 3x10 min", "stridelift:anna",
                                  "notes\nstridelift:anna:2025-03-03#1"])
def test_descriptions_without_our_marker_are_not_ours(text: str | None) -> None:
    assert parse_marker(text) is None


def test_the_hash_changes_with_the_prescription_not_the_day() -> None:
    base = payload_hash(build_workout(SAMPLE, CATALOG, "anna"))
    assert payload_hash(build_workout(SAMPLE.with_(day=date(2025, 3, 7)), CATALOG,
                                      "anna")) == base
    heavier = SAMPLE.with_(exercises=(replace(SAMPLE.exercises[0], load_kg=65.0),
                                      *SAMPLE.exercises[1:]))
    assert payload_hash(build_workout(heavier, CATALOG, "anna")) != base


# -- the push ----------------------------------------------------------------------------------


def test_a_dry_run_changes_nothing(factory: sessionmaker[DB], fake: WorkoutGarmin) -> None:
    report = run(factory, fake, apply=False)
    assert [(c.action, c.day) for c in report.changes] == [
        ("create", date(2025, 3, 3)), ("create", date(2025, 3, 6)),
        ("create", date(2025, 3, 10)), ("create", date(2025, 3, 13))]
    assert {c.status for c in report.changes} == {"planned"}
    assert fake.log == [] and rows(factory) == {}
    offline = push(factory, P, None, today=MONDAY)  # a dry run needs no login at all
    assert [c.as_json() for c in offline.changes] == [c.as_json() for c in report.changes]


def test_apply_creates_and_schedules_and_a_second_apply_does_nothing(
        factory: sessionmaker[DB], fake: WorkoutGarmin) -> None:
    report = run(factory, fake)
    assert report.counts() == {"create": 4} and not report.failed
    planned = sessions(factory)
    uploads = [body for method, path, body in fake.log if (method, path) == (
        "POST", "/workout-service/workout")]
    assert uploads == [build_workout(planned[c.key], CATALOG, "anna") for c in report.changes]
    recorded = rows(factory)
    assert sorted(fake.schedules.values()) == sorted(
        (r.workout_id, r.day.isoformat()) for r in recorded.values())
    for key, r in recorded.items():
        assert r.day == planned[key].day and r.scheduled_id in fake.schedules
        assert r.payload_hash == payload_hash(build_workout(planned[key], CATALOG, "anna"))
        assert parse_marker(fake.workouts[r.workout_id]["description"]) == ("anna", key)
    fake.log.clear()
    again = run(factory, fake)
    assert again.changes == [] and fake.log == []


def test_a_moved_session_is_unscheduled_and_rescheduled(factory: sessionmaker[DB],
                                                        fake: WorkoutGarmin) -> None:
    run(factory, fake)
    before = rows(factory)["2025-03-03#2"]
    edit_session(factory, "2025-03-03#2", day=date(2025, 3, 7), status="moved")
    fake.log.clear()
    report = run(factory, fake)
    assert [(c.action, c.was, c.day) for c in report.changes] == [
        ("move", date(2025, 3, 6), date(2025, 3, 7))]
    assert fake.writes() == [("DELETE", f"/workout-service/schedule/{before.scheduled_id}"),
                             ("POST", f"/workout-service/schedule/{before.workout_id}")]
    assert fake.log[-1][2] == {"date": "2025-03-07"}
    after = rows(factory)["2025-03-03#2"]
    assert (after.workout_id, after.day) == (before.workout_id, date(2025, 3, 7))
    assert fake.schedules[after.scheduled_id or 0] == (before.workout_id, "2025-03-07")


def test_a_changed_session_is_deleted_and_recreated(factory: sessionmaker[DB],
                                                    fake: WorkoutGarmin) -> None:
    run(factory, fake)
    key = "2025-03-10#1"
    before = rows(factory)[key]
    session = sessions(factory)[key]
    lighter = [asdict(replace(p, sets=2)) for p in session.exercises]
    edit_session(factory, key, exercises=lighter, status="lightened")
    fake.log.clear()
    report = run(factory, fake)
    assert [c.action for c in report.changes] == ["update"]
    after = rows(factory)[key]
    assert fake.writes() == [("DELETE", f"/workout-service/schedule/{before.scheduled_id}"),
                             ("DELETE", f"/workout-service/workout/{before.workout_id}"),
                             ("POST", "/workout-service/workout"),
                             ("POST", f"/workout-service/schedule/{after.workout_id}")]
    groups = fake.workouts[after.workout_id]["workoutSegments"][0]["workoutSteps"]
    assert {g["numberOfIterations"] for g in groups} == {2}
    assert before.workout_id not in fake.workouts and after.payload_hash != before.payload_hash


def test_a_skipped_session_is_deleted(factory: sessionmaker[DB], fake: WorkoutGarmin) -> None:
    run(factory, fake)
    gone = rows(factory)["2025-03-03#2"]
    edit_session(factory, "2025-03-03#2", status="skipped")
    fake.log.clear()
    report = run(factory, fake)
    assert [(c.action, c.why) for c in report.changes] == [("delete", "skipped")]
    assert fake.writes() == [("DELETE", f"/workout-service/schedule/{gone.scheduled_id}"),
                             ("DELETE", f"/workout-service/workout/{gone.workout_id}")]
    assert "2025-03-03#2" not in rows(factory) and gone.workout_id not in fake.workouts
    assert run(factory, fake).changes == []


def test_done_and_past_sessions_are_left_alone(factory: sessionmaker[DB],
                                               fake: WorkoutGarmin) -> None:
    run(factory, fake)
    edit_session(factory, "2025-03-03#1", status="done")
    edit_session(factory, "2025-03-03#2", exercises=[])  # changed, but already past
    fake.log.clear()
    assert run(factory, fake, today=date(2025, 3, 8)).changes == [] and fake.log == []
    assert {"2025-03-03#1", "2025-03-03#2"} <= set(rows(factory))


def test_workouts_we_did_not_create_are_never_touched(factory: sessionmaker[DB],
                                                      fake: WorkoutGarmin) -> None:
    fake.workouts[77] = {"workoutId": 77, "workoutName": "Coach's tempo", "description": "tempo"}
    fake.schedules[88] = (77, "2025-03-06")
    run(factory, fake)
    key = "2025-03-10#1"
    mine = rows(factory)[key]
    fake.workouts[mine.workout_id]["description"] = "edited in Garmin Connect"  # marker lost
    for s in sessions(factory):
        edit_session(factory, s, status="skipped")
    fake.log.clear()
    report = run(factory, fake)
    [failed] = report.failed
    assert failed.key == key and "no longer carries the stridelift marker" in (failed.error or "")
    assert mine.workout_id in fake.workouts and fake.schedules[88] == (77, "2025-03-06")
    touched = {path for _, path in fake.writes()}
    assert not any(path.endswith(("/77", "/88", f"/{mine.workout_id}")) for path in touched)
    assert set(fake.workouts) == {77, mine.workout_id} and rows(factory) == {}
    assert run(factory, fake).changes == []  # forgotten: never touched again


def test_a_500_on_one_workout_leaves_the_others_pushed(factory: sessionmaker[DB],
                                                       fake: WorkoutGarmin) -> None:
    fake.fail(r"^/workout-service/workout$", *FAIL_500)  # the first upload, every attempt
    report = run(factory, fake)
    [failed] = report.failed
    assert failed.key == "2025-03-03#1" and "kept failing" in (failed.error or "")
    assert [c.status for c in report.changes] == ["failed", "done", "done", "done"]
    assert set(rows(factory)) == {"2025-03-03#2", "2025-03-10#1", "2025-03-10#2"}
    retry = run(factory, fake)
    assert [(c.action, c.key, c.status) for c in retry.changes] == [
        ("create", "2025-03-03#1", "done")]


def test_a_rate_limit_leaves_the_later_workouts_untried(factory: sessionmaker[DB],
                                                        fake: WorkoutGarmin) -> None:
    """A 429 after every retry is the account's limit, not the workout's: the later changes
    are not sent (each would meet the limit again, with all its retries, and keep it), and
    are reported as not tried; the next push makes them."""
    fake.fail(r"^/workout-service/workout$", *[(429, {}, b"{}")] * 4)  # every attempt
    report = run(factory, fake)
    assert [c.status for c in report.changes] == ["failed"] * 4
    first, *rest = report.failed
    assert "rate-limiting" in (first.error or "") and rows(factory) == {}
    assert all((c.error or "").startswith("not tried: ") for c in rest)
    assert sum("/workout-service/" in call for call in fake.calls) == 4  # one change's tries
    retry = run(factory, fake)
    assert [c.status for c in retry.changes] == ["done"] * 4


def test_a_refused_login_stops_the_push(factory: sessionmaker[DB], fake: WorkoutGarmin) -> None:
    fake.fail(r"^/workout-service/workout$", (403, {}, b"{}"))
    with pytest.raises(GarminAuthError, match="run `stridelift login`"):
        run(factory, fake)
    assert fake.log == [] and rows(factory) == {}


def test_a_schedule_ended_in_garmin_and_an_empty_delete_body_are_fine(
        factory: sessionmaker[DB], fake: WorkoutGarmin) -> None:
    run(factory, fake)
    first = rows(factory)["2025-03-03#1"]
    del fake.schedules[first.scheduled_id or 0]  # the runner took it off the calendar: 404
    edit_session(factory, "2025-03-03#1", status="skipped")
    fake.fail(rf"^/workout-service/workout/{first.workout_id}$",  # GET, then DELETE: 200, no body
              _reply(fake.workouts[first.workout_id]),
              (200, {"Content-Type": "application/json"}, b""))
    report = run(factory, fake)
    assert [(c.action, c.status) for c in report.changes] == [("delete", "done")]
    assert "2025-03-03#1" not in rows(factory) and fake.faults == []


def test_a_workout_deleted_in_garmin_is_recreated_when_its_session_moves(
        factory: sessionmaker[DB], fake: WorkoutGarmin) -> None:
    run(factory, fake)
    old = rows(factory)["2025-03-10#2"]
    del fake.workouts[old.workout_id]
    edit_session(factory, "2025-03-10#2", day=date(2025, 3, 14), status="moved")
    report = run(factory, fake)
    assert [(c.action, c.status) for c in report.changes] == [("move", "done")]
    new = rows(factory)["2025-03-10#2"]
    assert new.workout_id != old.workout_id and new.day == date(2025, 3, 14)
    assert fake.schedules[new.scheduled_id or 0] == (new.workout_id, "2025-03-14")


def test_a_session_the_real_adaptation_lightens_is_replaced(factory: sessionmaker[DB],
                                                            fake: WorkoutGarmin) -> None:
    """A long run on Sunday: the nightly adaptation turns Monday's session into mobility."""
    run(factory, fake)
    sunday = MONDAY + timedelta(days=6)
    start = datetime(sunday.year, sunday.month, sunday.day, 8, tzinfo=UTC)
    with transaction(factory) as db:
        who = repo.athlete(db, P)
        repo.save_activities(db, who, fit.decode(run_fit(start, [LapSpec(7200, 3.0, 147)])),
                             "f" * 64)
        replan(db, P, sunday)
    assert sessions(factory)["2025-03-10#1"].kind == "mobility"
    report = run(factory, fake, today=sunday)
    assert [(c.action, c.key, c.status) for c in report.changes] == [
        ("update", "2025-03-10#1", "done"), ("create", "2025-03-17#1", "done"),
        ("create", "2025-03-17#2", "done")]  # and the week that came into view
    workout = fake.workouts[rows(factory)["2025-03-10#1"].workout_id]
    assert workout["workoutName"] == "stridelift · Mobility · wk 10 Mar #1"


# -- the command -------------------------------------------------------------------------------

runner = CliRunner()
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "UTC", "--sex", "f",
        "--max-hr", "190", "--rest-hr", "50", "--runs", "mon=easy,tue=easy,wed=speed,fri=easy,"
        "sat=long"]
cli = typer.Typer()


@cli.callback()
def _group() -> None:
    """The push command under its own name, as `stridelift` will have it."""


register(cli)


@pytest.fixture
def athlete(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(garmin.ENV_PACE, "0")
    assert runner.invoke(app, INIT).exit_code == 0
    return home


def _login() -> None:
    garmin_login.save_tokens(Paths.resolve().tokens_dir("anna"), json.dumps({"di_token": "x"}))


def test_cli_dry_run_needs_no_login(athlete: Path) -> None:
    result = runner.invoke(cli, ["push"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.stdout and "create" in result.stdout


def test_cli_apply_json_then_nothing_to_change(athlete: Path, fake: WorkoutGarmin) -> None:
    _login()
    with serving(fake):
        first = runner.invoke(cli, ["push", "--apply", "--json", "--days", "10"])
        assert first.exit_code == 0, first.output
        out = json.loads(first.stdout)
        assert out["applied"] and out["failed"] == 0 and out["counts"]["create"] >= 1
        assert {c["status"] for c in out["changes"]} == {"done"}
        assert len(fake.workouts) == out["counts"]["create"]
        again = runner.invoke(cli, ["push", "--apply", "--days", "10"])
    assert again.exit_code == 0 and "nothing to change" in again.stdout


def test_cli_one_failed_workout_exits_1(athlete: Path, fake: WorkoutGarmin) -> None:
    _login()
    fake.fail(r"^/workout-service/workout$", (400, {}, b'{"message": "bad step"}'))
    with serving(fake):
        result = runner.invoke(cli, ["push", "--apply"])
    assert result.exit_code == 1, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("failed: create") and "Garmin answered 400" in line
    assert len(fake.workouts) >= 1 and "1 failed" in result.stdout


def test_cli_refused_login_exits_3(athlete: Path, fake: WorkoutGarmin) -> None:
    _login()
    fake.fail(r"^/workout-service/workout$", (403, {}, b"{}"))
    with serving(fake):
        result = runner.invoke(cli, ["push", "--apply"])
    assert result.exit_code == 3 and "run `stridelift login`" in result.stderr


def test_cli_apply_without_a_login_exits_3(athlete: Path) -> None:
    result = runner.invoke(cli, ["push", "--apply"])
    assert result.exit_code == 3 and "run `stridelift login`" in result.stderr


# -- Garmin Connect's exercise list ------------------------------------------------------------


def connect_list() -> frozenset[tuple[str, str]]:
    """Every category/exercise pair Connect's workout editor offers (the shared fixture)."""
    path = shared_fixture("garmin-connect", "connect-exercises.tsv")
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return frozenset((c, n) for c, n, *_ in (line.split("\t") for line in lines if line))


def test_the_plan_pushes_with_pairs_from_connects_list(factory: sessionmaker[DB],
                                                       fake: WorkoutGarmin) -> None:
    accepted = connect_list()
    with serving(fake):
        report = push(factory, P, connect_without_login(), today=MONDAY, apply=True,
                      accepted=accepted)
    assert report.changes and not report.failed
    sent = {(step["category"], step["exerciseName"]) for w in fake.workouts.values()
            for group in w["workoutSegments"][0]["workoutSteps"] for step in group["workoutSteps"]
            if "category" in step}
    assert sent and sent <= accepted


def test_push_refuses_a_pair_connect_does_not_offer(factory: sessionmaker[DB],
                                                    fake: WorkoutGarmin) -> None:
    # the FIT profile's MOVE/FOOTWORK is fine in a FIT file, but Connect answers 400 for it
    first = sessions(factory)[f"{MONDAY.isoformat()}#1"].exercises[0].exercise_id
    changed = {**CATALOG.exercises, first: replace(
        CATALOG.exercise(first), connect_category="MOVE", connect_name="FOOTWORK")}
    catalog = replace(CATALOG, exercises=changed)
    with serving(fake), pytest.raises(ConnectRejects) as refused:
        push(factory, P, connect_without_login(), today=MONDAY, apply=True, catalog=catalog)
    assert "MOVE/FOOTWORK" in str(refused.value) and "\n" not in str(refused.value)
    assert fake.log == []  # nothing was sent

