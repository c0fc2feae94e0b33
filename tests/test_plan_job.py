"""The plan in the database: nightly replanning, adjustments stored, and the plan commands."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from db import models as m
from db import repo
from db.session import open_db, transaction
from demo.fitwrite import LapSpec, run_fit
from domain.activity import Activity
from domain.profile import Profile
from ingest import fit
from jobs.config import load
from jobs.replan import lifter, load_sessions, replan, save_sessions
from planner.catalog import PATTERNS
from planner.catalog_file import default_catalog
from planner.lifter import Lifter
from planner.model import Session
from planner.prescriptions import prescribe
from stridelift.cli import app
from tests.conftest import PINNED

runner = CliRunner()
P = Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50,
            runs={"mon": "easy", "tue": "easy", "wed": "speed", "fri": "easy", "sat": "long"})
MONDAY = date(2025, 3, 3)
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "UTC", "--sex", "f",
        "--max-hr", "190", "--rest-hr", "50", "--runs", "mon=easy,tue=easy,wed=speed,fri=easy,"
        "sat=long"]


def _long_run_on(day: date) -> list[Activity]:
    start = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    return fit.decode(run_fit(start, [LapSpec(3600, 3.0, 146), LapSpec(3600, 3.0, 148)]))


def test_replan_lays_out_the_articles_week_and_is_idempotent(db_url: str) -> None:
    factory = open_db(db_url)
    with transaction(factory) as db:
        replan(db, P, MONDAY - timedelta(days=1))
    with transaction(factory) as db:
        sessions = load_sessions(db, repo.athlete(db, P))
        again = replan(db, P, MONDAY - timedelta(days=1))
    first_week = [s.day.strftime("%a") for s in sessions if s.day < MONDAY + timedelta(days=7)]
    assert first_week == ["Mon", "Thu"]
    assert again.adjustments == []
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(m.PlannedSession)) == len(sessions)


def test_a_long_run_moved_to_sunday_changes_mondays_session(db_url: str) -> None:
    factory = open_db(db_url)
    with transaction(factory) as db:
        replan(db, P, MONDAY - timedelta(days=1))
    sunday = MONDAY + timedelta(days=6)
    with transaction(factory) as db:
        who = repo.athlete(db, P)
        repo.save_activities(db, who, _long_run_on(sunday), "f" * 64)
    with transaction(factory) as db:
        report = replan(db, P, sunday)
    [change] = [a for a in report.adjustments if a.night == sunday]
    assert change.session_id.startswith("2025-03-10") and change.rule == "S6"
    assert any("long run on Sun" in r for r in change.reasons)
    assert any("120 min" in r for r in change.reasons)  # the classification's reasons
    with transaction(factory) as db:
        assert replan(db, P, sunday).adjustments == []  # same night twice: nothing new
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(m.AdjustmentRow)) == 1


@pytest.fixture
def athlete(home: Path) -> Path:
    assert runner.invoke(app, INIT).exit_code == 0
    return home


def test_plan_json_shape(athlete: Path, columns: Callable[[int], None]) -> None:
    result = runner.invoke(app, ["plan", "--json", "--weeks", "3"])
    assert result.exit_code == 0, result.output
    sessions = json.loads(result.stdout)
    assert sessions and {s["kind"] for s in sessions} <= {"strength", "mobility"}
    s = next(s for s in sessions if s["kind"] == "strength")
    assert set(s) >= {"id", "date", "kind", "status", "block", "week_in_block", "exercises"}
    e = s["exercises"][0]
    assert set(e) >= {"id", "name", "area", "quality", "sets", "load_kg", "rest_s",
                      "high_resistance_lower_body"} and ("reps" in e or "seconds" in e)
    assert 4 <= len(s["exercises"]) <= 5
    # RULES.md S2: each exercise names its movement pattern, one per session
    kinds = [x["pattern"] for x in s["exercises"]]
    assert set(kinds) <= set(PATTERNS) and len(set(kinds)) == len(kinds)
    assert {x["phase"] for x in s["exercises"]} <= {"intro", "build", "deload"}
    columns(120)  # not COLUMNS: rich read it once (80 in pytest-xdist's workers)
    text = runner.invoke(app, ["plan"])
    assert text.exit_code == 0 and s["id"] in text.output


def test_pin_skip_done_and_why(athlete: Path) -> None:
    sessions = json.loads(runner.invoke(app, ["plan", "--json", "--weeks", "3"]).stdout)
    strength = [s for s in sessions if s["kind"] == "strength"]
    first, second = strength[0], strength[1]
    assert runner.invoke(app, ["pin", first["id"]]).exit_code == 0
    assert runner.invoke(app, ["unpin", first["id"]]).exit_code == 0
    assert runner.invoke(app, ["skip", second["id"]]).exit_code == 0
    lift = next(e for e in first["exercises"] if "reps" in e and e["quality"] == "strength")
    result = runner.invoke(app, ["done", first["id"], "--rpe", "7", "--sets",
                                 f"{lift['id']}=6x60,6x60,6x60"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["done", first["id"]])
    assert again.exit_code == 2 and "already done" in again.output
    after = {s["id"]: s for s in json.loads(runner.invoke(app, ["plan", "--json", "--weeks",
                                                                "3"]).stdout)}
    assert after[first["id"]]["status"] == "done" and after[second["id"]]["status"] == "skipped"
    later = [s for s in after.values() if s["status"] == "planned" and any(
        e["id"] == lift["id"] and e["phase"] != "deload" for e in s["exercises"])]
    assert later and all(next(e for e in s["exercises"] if e["id"] == lift["id"])["load_kg"]
                         == 62.5 for s in later)  # all sets at the top: +2.5 kg
    with open_db(load().database_url())() as db:
        assert db.scalar(select(func.count()).select_from(m.Lift)) == len(first["exercises"])
    why = runner.invoke(app, ["why", "--json"])
    # No nightly change happened; only fallbacks made while planning the current week (its
    # past days gone) may show, each with its rule and reasons (RULES.md S7.2).
    shown = json.loads(why.stdout)
    assert why.exit_code == 0 and all(c["rule"] == "S6 planning" and c["reasons"]
                                      for c in shown)


@pytest.mark.parametrize("args, words", [
    (["pin", "1999-01-04#9"], "no session '1999-01-04#9'"),
    (["done", "1999-01-04#9"], "no session"),
    (["why", "--since", "last week"], "YYYY-MM-DD"),
    (["plan", "--from", "soon"], "YYYY-MM-DD"),
])
def test_plan_commands_bad_input(athlete: Path, args: list[str], words: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and words in result.output
    assert "Traceback" not in result.output


def test_a_session_after_an_open_one_of_its_kind_cannot_be_done_yet(athlete: Path) -> None:
    """It was marked done, its lifts dated on its day weeks ahead (a mistyped id, most
    likely); the next strength session may be done early."""
    sessions = json.loads(runner.invoke(app, ["plan", "--json", "--weeks", "3"]).stdout)
    following, *later = [s for s in sessions if s["kind"] == "strength"
                         and s["date"] >= str(PINNED.date())]
    result = runner.invoke(app, ["done", later[-1]["id"], "--rpe", "7"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"after {following['id']} " in result.output and "do or skip that one first" in \
        result.output
    with open_db(load().database_url())() as db:
        assert db.scalar(select(func.count()).select_from(m.Lift)) == 0  # nothing written
    assert runner.invoke(app, ["done", following["id"]]).exit_code == 0


def test_a_session_done_ahead_of_its_day_is_that_session_lifted_today(athlete: Path) -> None:
    """Done a day or more early, it is the session named (the next of its kind), and its
    lifts are dated today, as the watch's record of it would be: they were dated on its
    day, still to come. Pinning or unpinning it then is refused as `skip` is: a done
    session never changes (S7.4); it exited 0 as if pinned."""
    today = PINNED.date()
    sessions = json.loads(runner.invoke(app, ["plan", "--json", "--weeks", "2"]).stdout)
    ahead = next(s for s in sessions if s["kind"] == "strength" and s["date"] > str(today))
    assert runner.invoke(app, ["done", ahead["id"]]).exit_code == 0
    after = {s["id"]: s for s in json.loads(runner.invoke(app, ["plan", "--json"]).stdout)}
    assert after[ahead["id"]]["status"] == "done" and after[ahead["id"]]["date"] == ahead["date"]
    with open_db(load().database_url())() as db:
        assert set(db.scalars(select(m.Lift.day))) == {today}
        assert set(db.scalars(select(m.Lift.session_key))) == {ahead["id"]}
    for command in ("pin", "unpin"):
        result = runner.invoke(app, [command, ahead["id"]])
        assert result.exit_code != 0 and "Traceback" not in result.output
        assert f"session {ahead['id']} is already done" in result.output
        assert f"nothing to {command}" in result.output
    # read again: `after` was read before `pin` ran
    again = {s["id"]: s for s in json.loads(runner.invoke(app, ["plan", "--json"]).stdout)}
    assert again[ahead["id"]]["pinned"] is False


def test_a_skipped_session_is_neither_pinned_nor_unpinned(athlete: Path) -> None:
    """Refused as a done one is (the nightly never changes a skipped session, S7.4): `pin`
    exited 0 and stored the pin, which then said nothing anywhere."""
    sessions = json.loads(runner.invoke(app, ["plan", "--json", "--weeks", "2"]).stdout)
    s = next(s for s in sessions if s["kind"] == "strength" and s["date"] > str(PINNED.date()))
    assert runner.invoke(app, ["skip", s["id"]]).exit_code == 0
    for command in ("pin", "unpin"):
        result = runner.invoke(app, [command, s["id"]])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert f"session {s['id']} is already skipped" in result.output
        assert f"nothing to {command}" in result.output
    again = {s["id"]: s for s in json.loads(runner.invoke(app, ["plan", "--json"]).stdout)}
    assert again[s["id"]]["pinned"] is False and again[s["id"]]["status"] == "skipped"
    assert runner.invoke(app, ["done", s["id"]]).exit_code == 0  # it may still be logged


def test_done_with_bad_sets(athlete: Path) -> None:
    sessions = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)
    sid = next(s["id"] for s in sessions if s["kind"] == "strength")
    for bad, words in [("squat=six", "REPSxKG"), ("nothing_like_it=6x60", "not in session"),
                       ("squat=8xinf", "0-500 kg"), ("squat=6x-60", "0-500 kg"),
                       ("squat=6xnan", "0-500 kg")]:
        result = runner.invoke(app, ["done", sid, "--sets", bad])
        assert result.exit_code == 2 and words in result.output, result.output
    # --rpe is checked by `act`, after the session's status (typer checked it before)
    result = runner.invoke(app, ["done", sid, "--rpe", "11"])
    assert result.exit_code == 2 and "RPE 11 is off the scale: 0-10" in result.output
    with open_db(load().database_url())() as db:
        assert db.scalar(select(func.count()).select_from(m.Lift)) == 0  # nothing half-written


@pytest.mark.parametrize("typed", [
    ["--sets", "squat=six"], ["--sets", "squat=6x-60"],
    ["--sets", "barbell_back_squat=6x60", "--sets", "barbell_back_squat=5x60"],
    ["--rpe", "11"]])
def test_done_again_is_already_done_whatever_was_typed(athlete: Path, typed: list[str]) -> None:
    """The session's status answers first, as on the web page (jobs.session_actions.act):
    the CLI parsed --sets (and typer checked --rpe) before asking it, so a runner marking a
    done session again heard about the sets they typed rather than "already done"."""
    sessions = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)
    sid = next(s["id"] for s in sessions if s["kind"] == "strength")
    assert runner.invoke(app, ["done", sid]).exit_code == 0
    again = runner.invoke(app, ["done", sid, *typed])
    assert again.exit_code == 2 and f"session {sid} was already done" in again.output, \
        again.output


def test_known_weights_start_the_progression(home: Path) -> None:
    assert runner.invoke(app, [*INIT, "--weight", "barbell_back_squat=70"]).exit_code == 0
    assert load().athlete("anna").known_kg == {"barbell_back_squat": 70.0}
    sessions = json.loads(runner.invoke(app, ["plan", "--json", "--weeks", "3"]).stdout)
    squats = [e for s in sessions for e in s["exercises"] if e["id"] == "barbell_back_squat"]
    full = [e for e in squats if e["phase"] != "deload"]
    assert full and all(e["load_kg"] == 70.0 for e in full)
    # a deload week (every 4th training week, RULES.md S5) lifts 10 % less
    assert all(e["load_kg"] == 63.0 for e in squats if e["phase"] == "deload")


def test_unknown_exercise_in_weights_is_a_clear_error(home: Path) -> None:
    """`init` refuses such a weight (tests/test_cli_init.py); one written in config.toml by
    hand is refused by the plan."""
    assert runner.invoke(app, INIT).exit_code == 0
    with (home / "config.toml").open("a") as config:
        config.write('\n[athletes.anna.weights]\nkettlebell_juggling = 20\n')
    result = runner.invoke(app, ["plan"])
    assert result.exit_code == 2 and "unknown exercise(s) kettlebell_juggling" in result.output
    assert "[weights] names" in result.output  # printed as text, not taken as a style tag
    bad = runner.invoke(app, [*INIT, "--weight", "squat"])
    assert bad.exit_code == 2 and "barbell_back_squat=60" in bad.output


def test_exercises_lists_the_catalogue(columns: Callable[[int], None]) -> None:
    result = runner.invoke(app, ["exercises", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    ids = {e["id"] for e in rows}
    assert {"clamshell", "barbell_back_squat", "side_plank_leg_lift"} <= ids
    for width in (80, 160):  # each id whole on one line, the only way to type it
        columns(width)
        lines = runner.invoke(app, ["exercises"]).stdout.splitlines()
        assert max(map(len, lines)) <= width, width
        assert all(any(re.search(rf"(^|[│ ]){e['id']}[: ]", x) for x in lines) for e in rows)
        assert any("┃ id" in x for x in lines) == (width == 160)
        if width == 80:  # a line each, not a column of a few letters beside the ids
            assert all(any(x.startswith(f"{e['id']}: {e['name'][:20]}") for x in lines)
                       for e in rows)


def test_a_run_synced_after_the_night_was_planned_still_counts(db_url: str) -> None:
    factory = open_db(db_url)
    sunday = MONDAY + timedelta(days=6)
    with transaction(factory) as db:
        replan(db, P, sunday)  # the night ran before the long run was synced
    with transaction(factory) as db:
        repo.save_activities(db, repo.athlete(db, P), _long_run_on(sunday), "e" * 64)
    with transaction(factory) as db:
        report = replan(db, P, sunday)  # a second run of the same night
    assert [a.rule for a in report.adjustments] == ["S6"]


def test_the_profiles_race_keeps_strength_away(db_url: str) -> None:
    from domain.profile import Race

    thursday = MONDAY + timedelta(days=3)
    racer = Profile(**{**P.__dict__, "races": (Race(thursday, "10k"),)})
    factory = open_db(db_url)
    with transaction(factory) as db:
        replan(db, racer, MONDAY - timedelta(days=1))
        days = {s.day for s in load_sessions(db, repo.athlete(db, racer))
                if s.kind == "strength"}
    assert not days & {thursday - timedelta(days=1), thursday, thursday + timedelta(days=1)}


def test_a_layoffs_last_load_is_stored_and_a_row_without_it_reads_as_before(
        db_url: str) -> None:
    """A session after 20 days without lifting resumes at 90 % of the last load and keeps
    that load (resumed_from: the deeper cut after a race's window is taken from it): it
    comes back from the database as it went in, and a row stored before the field existed
    reads as None and is made exact again by the night's refresh, with nothing recorded."""
    factory = open_db(db_url)
    night = MONDAY - timedelta(days=1)
    with transaction(factory) as db:
        replan(db, P, night)
        who = repo.athlete(db, P)
        first = load_sessions(db, who)[0]
        loaded = [p.exercise_id for p in first.exercises
                  if default_catalog().exercise(p.exercise_id).loaded and p.reps]
        repo.add_lifts(db, who, MONDAY - timedelta(days=20),
                       [(e, [6, 6, 6], 50.0) for e in loaded], session_key=None)
    with transaction(factory) as db:
        resumed = next(s for s in replan(db, P, night).plan if s.id == first.id)
    lifted = [p for p in resumed.exercises if p.exercise_id in loaded]
    assert lifted and all((p.load_kg, p.resumed_from) == (45.0, 50.0) for p in lifted)
    with transaction(factory) as db:
        who = repo.athlete(db, P)
        assert next(s for s in load_sessions(db, who) if s.id == first.id) == resumed
        assert replan(db, P, night).adjustments == []
        row = db.scalars(select(m.PlannedSession).where(
            m.PlannedSession.key == first.id)).one()
        row.exercises = [{k: v for k, v in x.items() if k != "resumed_from"}
                         for x in row.exercises]
    with transaction(factory) as db:
        old = next(s for s in load_sessions(db, repo.athlete(db, P)) if s.id == first.id)
        assert all(p.resumed_from is None for p in old.exercises)
        report = replan(db, P, night)
    assert report.adjustments == [] and next(s for s in report.plan if s.id == first.id) \
        == resumed


def test_the_lifter_outside_the_night_reads_a_deload_as_the_night_does(db_url: str) -> None:
    # RULES.md S5: a deload's -10 % lifts never raise load, so the morning pass and a race
    # entered (jobs.replan.lifter) prescribe after a deload from the last full session, as
    # the nightly catch-up does, not 10 % below it
    factory = open_db(db_url)
    squat = default_catalog().exercise("barbell_back_squat")
    weeks = [(MONDAY, "build", 60.0), (MONDAY + timedelta(days=7), "deload", 54.0)]
    with transaction(factory) as db:
        who = repo.athlete(db, P)
        save_sessions(db, who, [Session(f"{day}#1", day, "strength", 1, n + 3, (
            prescribe(Lifter(P, default_catalog()), squat, day, phase),), status="done")
            for n, (day, phase, _kg) in enumerate(weeks)])
        for day, _phase, kg in weeks:
            repo.add_lifts(db, who, day, [(squat.id, [6, 6], kg)], session_key=f"{day}#1")
    night = MONDAY + timedelta(days=8)
    with transaction(factory) as db:
        who = repo.athlete(db, P)
        ctx = lifter(db, who, P, night, load_sessions(db, who))
    assert prescribe(ctx, squat, night + timedelta(days=6)).load_kg == 62.5  # 60 + 2.5
