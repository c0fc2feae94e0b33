"""Strength sessions read back from the watch: matching, progression, unplanned work, S4."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from db import models as m
from db import repo
from db.session import open_db, transaction
from demo.fitwrite import SetSpec, strength_fit
from domain.activity import StrengthSet
from ingest import fit
from jobs.replan import load_sessions, mark_done, replan
from planner.adapt import enforce_cap
from planner.catalog_file import default_catalog
from planner.model import Prescription, Session
from planner.readback import Performed, match, performed
from tests.planning import profile

CATALOG = default_catalog()
P = profile()
MONDAY = date(2025, 3, 3)


def _set(category: str, name: str | None, reps: int = 6, kg: float = 60.0) -> StrengthSet:
    return StrengthSet(0, "active", category, name, reps, kg, 40.0)


def test_recorded_sets_map_to_catalogue_exercises() -> None:
    squat = CATALOG.exercise("barbell_back_squat")
    done = performed([_set(squat.garmin_category, squat.garmin_name, 6, 60),
                      _set(squat.garmin_category, squat.garmin_name, 5, 62.5),
                      StrengthSet(1, "rest", None, None, None, None, 90.0),
                      _set("NOT_A_CATEGORY", "NOTHING")], CATALOG)
    assert done == [Performed("barbell_back_squat", (6, 5), 62.5)]


def test_a_garmin_name_shared_by_two_exercises_means_the_planned_one() -> None:
    shared: dict[tuple[str, str], list[str]] = {}
    for e in CATALOG.exercises.values():
        shared.setdefault((e.garmin_category, e.garmin_name), []).append(e.id)
    (category, name), ids = next((k, v) for k, v in shared.items() if len(v) > 1)
    sets = [_set(category, name, 8, 0)]
    for planned in ids:
        assert [p.exercise_id for p in performed(sets, CATALOG, {planned})] == [planned]
    assert [p.exercise_id for p in performed(sets, CATALOG)] == [ids[0]]  # none planned


def test_match_prefers_the_day_then_the_next_by_shared_exercises() -> None:
    s1 = Session("a#1", MONDAY, "strength", 1, 1, (Prescription("barbell_back_squat", 3, 6),))
    s2 = Session("a#2", MONDAY + timedelta(days=1), "strength", 1, 1,
                 (Prescription("barbell_back_squat", 3, 6),))
    done = [Performed("barbell_back_squat", (6, 6, 6), 60.0)]
    assert match(MONDAY, done, [s1, s2]) == s1
    assert match(MONDAY, done, [s2]) == s2  # the caller leaves out sessions already read
    assert match(MONDAY - timedelta(days=1), done, [s2]) is None  # two days early: unplanned
    assert match(MONDAY, [Performed("clamshell", (20,), None)], [s1]) is None


def test_the_cap_lightens_the_weeks_last_sessions_once() -> None:
    heavy = tuple(Prescription(f"h{i}", 3, 6, high_resistance_lower_body=True) for i in range(3))
    week = [Session(f"w#{i}", MONDAY + timedelta(days=2 * i), "strength", 1, 1, heavy)
            for i in range(2)]
    after, changes = enforce_cap(week, {MONDAY: 4}, MONDAY - timedelta(days=1), cap=8)
    assert [c.rule for c in changes] == ["S4"] and changes[0].session_id == "w#1"
    assert sum(s.heavy_lower for s in after) + 4 == 8
    assert changes[0].reasons[0].startswith("4 heavy lower-body exercises done outside the plan")
    [one] = enforce_cap(week, {MONDAY: 1}, MONDAY - timedelta(days=1), cap=6)[1]
    assert one.reasons[0].startswith("1 heavy lower-body exercise done outside the plan in the "
                                     "week of"), one.reasons  # not "exercise(s)"
    again, none = enforce_cap(after, {MONDAY: 4}, MONDAY - timedelta(days=1), cap=8)
    assert none == [] and again == after


def _record(db_url: str, day: date, sets: list[SetSpec], tag: str) -> None:
    start = datetime(day.year, day.month, day.day, 18, tzinfo=UTC)
    with transaction(open_db(db_url)) as db:
        repo.save_activities(db, repo.athlete(db, P), fit.decode(strength_fit(start, sets)),
                             tag * 64)


def _specs(exercise_ids: list[str], reps: int, kg: float) -> list[SetSpec]:
    out = []
    for eid in exercise_ids:
        e = CATALOG.exercise(eid)
        out += [SetSpec(e.garmin_category, e.garmin_name, reps, kg, 40.0)] * 3
    return out


def test_a_recorded_session_is_done_and_drives_the_next_loads(db_url: str) -> None:
    factory = open_db(db_url)
    with transaction(factory) as db:
        replan(db, P, MONDAY - timedelta(days=1))
        monday = load_sessions(db, repo.athlete(db, P))[0]
    lifts = [p.exercise_id for p in monday.exercises if p.reps and p.high_resistance_lower_body]
    _record(db_url, MONDAY, _specs(lifts, 6, 60.0), "a")
    with transaction(factory) as db:
        replan(db, P, MONDAY)
        sessions = {s.id: s for s in load_sessions(db, repo.athlete(db, P))}
        stored = db.scalars(select(m.Lift)).all()
    assert sessions[monday.id].status == "done"
    assert {x.exercise_id for x in stored} == set(lifts)
    assert all(x.session_key == monday.id and x.source for x in stored)
    later = [p for s in sessions.values() if s.day > MONDAY for p in s.exercises
             if p.exercise_id in lifts and p.phase != "deload"]
    assert later and all(p.load_kg == 62.5 and p.reps == 4 for p in later)  # +2.5 kg
    with transaction(factory) as db:  # read once: the next night adds no lifts
        replan(db, P, MONDAY + timedelta(days=1))
        assert len(db.scalars(select(m.Lift)).all()) == len(stored)


def test_unplanned_heavy_work_counts_toward_the_weekly_cap(db_url: str) -> None:
    factory = open_db(db_url)
    with transaction(factory) as db:
        replan(db, P, MONDAY - timedelta(days=1))
    heavy = [e.id for e in CATALOG.exercises.values()
             if e.high_resistance_lower_body and e.equipment == "gym"][:5]
    _record(db_url, MONDAY - timedelta(days=1) + timedelta(days=2), _specs(heavy, 5, 40.0), "b")
    with transaction(factory) as db:  # Wednesday: a gym session nobody planned
        report = replan(db, P, MONDAY + timedelta(days=2))
        lifts = db.scalars(select(m.Lift)).all()
        sessions = load_sessions(db, repo.athlete(db, P))
    assert lifts and all(x.session_key is None for x in lifts)
    [cap] = [a for a in report.adjustments if a.rule == "S4"]
    thursday = next(s for s in sessions if s.id == cap.session_id)
    week = [s for s in sessions if MONDAY <= s.day < MONDAY + timedelta(days=7)]
    assert sum(s.heavy_lower for s in week) + len(heavy) <= 8
    assert thursday.status == "planned"  # only the cap applied: recovery rules still can


def test_a_session_entered_by_hand_then_synced_is_counted_once(db_url: str) -> None:
    factory = open_db(db_url)
    with transaction(factory) as db:
        replan(db, P, MONDAY - timedelta(days=1))
        monday = load_sessions(db, repo.athlete(db, P))[0]
        mark_done(db, repo.athlete(db, P), monday.id)
    lifts = [p.exercise_id for p in monday.exercises if p.reps and p.high_resistance_lower_body]
    _record(db_url, MONDAY, _specs(lifts, 5, 55.0) + _specs(["barbell_deadlift"], 5, 70.0), "c")
    with transaction(factory) as db:
        report = replan(db, P, MONDAY)
        stored = db.scalars(select(m.Lift)).all()
    by_key = {(x.exercise_id, x.session_key) for x in stored}
    assert {(e, monday.id) for e in lifts} <= by_key  # the watch replaced the hand entry
    assert all(x.source for x in stored if x.session_key == monday.id)
    assert ("barbell_deadlift", None) in by_key or "barbell_deadlift" in lifts  # extra: unplanned
    assert not [a for a in report.adjustments if a.rule == "S4"]  # nothing counted twice
