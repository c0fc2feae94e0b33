"""What a night reads and writes of the plan: it writes only the sessions that changed, over
those it loaded (save_sessions read every stored session again as an ORM row and converted
each to compare: 527 rows for a plan of 5 years, most of a night's work on the plan), and
what is stored is the plan as decided, night by night, as when it rewrote from every row."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from db import models as m
from db import plans, repo
from db.session import open_db, transaction
from domain.profile import Profile
from jobs.config import Paths, load, save_profile
from jobs.home import Home
from jobs.race_entry import add_race, remove_race
from jobs.replan import as_session, load_sessions, mark_done, replan, save_sessions
from planner.model import Prescription, Session
from tests.test_plan_job import MONDAY, P

NEW = replace(P, runs={"wed": "speed", "sun": "long"}, strength_sessions=3)
OPEN = ("planned", "moved", "lightened")


def _stored(factory: sessionmaker[DbSession], profile: Profile) -> dict[str, Session]:
    """The sessions as stored, read as ORM rows in a new transaction (not as the night read
    them: plans.session_columns)."""
    with transaction(factory) as db:
        who = repo.athlete(db, profile)
        rows = [as_session(r) for r in plans.sessions(db, who)]
        assert load_sessions(db, who) == rows  # the night reads them as they are stored
    return {s.id: s for s in rows}


def test_a_night_reads_no_row_of_the_weeks_gone_by_it_left_as_they_were(db_url: str) -> None:
    """Twelve weeks of plan, then a night: of the sessions before it, only those the night
    changed are read as rows (to be written); before, every stored session was (loaded as
    ORM objects for the planner, and again to be compared with the plan decided)."""
    factory = open_db(db_url)
    night = MONDAY + timedelta(weeks=12, days=2)
    with transaction(factory) as db:
        for n in range(0, 12 * 7 + 2, 7):
            replan(db, P, MONDAY - timedelta(days=1) + timedelta(days=n))
    before = _stored(factory, P)
    gone_by = {key for key, s in before.items() if s.day < night}
    assert len(gone_by) >= 20
    read: list[str] = []

    def loaded(row: m.PlannedSession, _context: object) -> None:
        read.append(row.key)
    event.listen(m.PlannedSession, "load", loaded)
    try:
        with transaction(factory) as db:
            replan(db, P, night)
    finally:
        event.remove(m.PlannedSession, "load", loaded)
    after = _stored(factory, P)
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    assert set(read) & gone_by <= changed, sorted(set(read) & gone_by - changed)
    assert len(read) <= len(before.keys() - gone_by) + len(changed)


def test_the_plan_stored_is_the_plan_decided_night_by_night(tmp_path: Path) -> None:
    """Six weeks of nights with sessions done and skipped, profile changes that plan the
    weeks ahead again (3 sessions a week, then 2: sessions added, then removed; then the
    same sessions again), a race entered and removed (replan_with): after each, the rows
    stored are the plan as decided (a night's report), and what the same night decides
    again."""
    config = load(Paths(config_dir=tmp_path, data_dir=tmp_path))
    save_profile(config, P)
    home = Home.open(config)
    profile = P
    # 3 sessions a week, then 2 again; then a run that moves no session (the weeks ahead
    # planned again as they were: removed, and written again)
    changes = {MONDAY + timedelta(days=9): NEW, MONDAY + timedelta(days=16): P,
               MONDAY + timedelta(days=30): replace(P, runs={**P.runs, "sun": "easy"})}
    race_night, removed_night = MONDAY + timedelta(days=20), MONDAY + timedelta(days=23)
    race = (race_night + timedelta(days=6)).isoformat()
    seen: set[str] = set()
    for n in range(42):
        night = MONDAY - timedelta(days=1) + timedelta(days=n)
        if night in changes:
            profile = changes[night]
            save_profile(config, profile)
        with transaction(home.db) as db:
            plan = replan(db, profile, night).plan
        assert _stored(home.db, profile) == {s.id: s for s in plan}, night
        with transaction(home.db) as db:  # the night's sessions done, one in three skipped
            who = repo.athlete(db, profile)
            for row in plans.sessions_on(db, who, night, OPEN):
                if n % 3:
                    mark_done(db, who, row.key, today=night)
                else:
                    row.status = "skipped"
        if night in (race_night, removed_night):
            was = _stored(home.db, profile)
            if night == race_night:
                profile = add_race(home, profile, f"{race}:10k:A", night).profile
            else:
                profile = remove_race(home, profile, date.fromisoformat(race), night).profile
            now = _stored(home.db, profile)
            assert now != was  # the race moved or restored sessions
            with transaction(home.db) as db:
                again = replan(db, profile, night)
            assert again.adjustments == [] and {s.id: s for s in again.plan} == now
        seen |= _stored(home.db, profile).keys()
    # sessions were removed along the way: a week of three planned again with two
    assert seen - _stored(home.db, profile).keys()


def test_a_session_done_meanwhile_stays_done_when_the_night_left_it_as_it_was(
        db_url: str) -> None:
    """A session marked done (the web app, `done`) after the night loaded the plan and before
    it wrote it: the night writes over what it loaded, so a session it left as it was stays
    done (it wrote every session whose row differed from its plan, and put it back to
    planned); one it changed is written as it decided (as before)."""
    factory = open_db(db_url)
    with transaction(factory) as db:
        replan(db, P, MONDAY - timedelta(days=1))
    with transaction(factory) as night:
        who = repo.athlete(night, P)
        before = load_sessions(night, who)
        first, second = before[0], before[1]
        with transaction(factory) as web:
            for s in (first, second):
                mark_done(web, repo.athlete(web, P), s.id, today=s.day)
        save_sessions(night, who, [s.with_(status="lightened") if s.id == second.id else s
                                   for s in before], before)
    stored = _stored(factory, P)
    assert (stored[first.id].status, stored[second.id].status) == ("done", "lightened")


def test_exercises_stored_in_another_shape_read_as_the_orm_reads_them(db_url: str) -> None:
    """The night reads the exercises as their JSON text (plans.session_columns' CAST), not
    through the JSON column: text SQLAlchemy did not write (by hand or a migration: another
    key order and spacing, an older row without the keys added since, words not in ASCII,
    nulls) gives the sessions the ORM gives, on SQLite and on PostgreSQL."""
    factory = open_db(db_url)
    with transaction(factory) as db:
        replan(db, P, MONDAY - timedelta(days=1))
    with transaction(factory) as db:
        first, second = plans.sessions(db, repo.athlete(db, P))[:2]
        older = '[ {"sets" : 3,"exercise_id":"goblet_squat",  "reps":8, "load_kg": 20} ]'
        words = json.dumps([{"instruction": "½ × poids ≈ 6 répétitions", "load_kg": None,
                             "seconds": 30, "sets": 2, "exercise_id": "plank"}],
                           ensure_ascii=False)
        for key, stored in ((first.key, older), (second.key, words)):
            db.execute(text("UPDATE planned_sessions SET exercises = :stored WHERE key = :key"),
                       {"stored": stored, "key": key})
    sessions = _stored(factory, P)  # load_sessions reads them as the ORM does
    assert sessions[first.key].exercises == (Prescription("goblet_squat", 3, 8, load_kg=20),)
    assert sessions[second.key].exercises == (
        Prescription("plank", 2, seconds=30, instruction="½ × poids ≈ 6 répétitions"),)
