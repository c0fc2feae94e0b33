"""What a night reads of the activities does not grow with the history: each of its bounded
reads costs SQLite the same work (virtual machine steps, counted: no timing) for an athlete
with five years of runs as for one with one year (migration 0022's indexes; before, each read
every activity of the athlete through the athlete's index), and the strength sessions read
back load the sets of the new ones only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from db import activities, plans, repo
from db import models as m
from db.session import open_db, transaction
from domain.activity import Activity, StrengthSet
from domain.profile import Profile
from domain.run import RUN_KINDS
from ingest import fit
from jobs.replan import recorded
from tests.conftest import shared_fixture

NIGHT = date(2026, 11, 20)
YEARS = {"one": 1, "five": 5}
STEPS = 10  # SQLite counts one step of its progress handler every this many instructions

Read = Callable[[Session, m.Athlete], Any]
READS: dict[str, Read] = {
    "the load of the days decided": lambda db, who: activities.daily_loads(
        db, who, since=NIGHT - timedelta(days=60), through=NIGHT),
    "the first day known": lambda db, who: activities.first_fact_day(db, who),
    "the first day with load": lambda db, who: activities.first_load_day(db, who, NIGHT),
    "the files awaited": lambda db, who: activities.awaited_garmin_ids(db, who),
    "the night's retries": lambda db, who: activities.retries_on(db, who, NIGHT),
    "the runs the planner reads": lambda db, who: activities.runs_by_day(
        db, who, NIGHT, RUN_KINDS, since=NIGHT - timedelta(days=7)),
    "the fingerprints compared": lambda db, who: activities.fingerprints(
        db, who, NIGHT - timedelta(days=7)),
    "the facts classified": lambda db, who: activities.activity_facts(
        db, who, NIGHT - timedelta(days=60)),
    "the races looked for": lambda db, who: activities.classified_between(
        db, who, NIGHT - timedelta(days=30), NIGHT),
    "the days synced": lambda db, who: activities.synced_days(
        db, who, NIGHT - timedelta(days=7), NIGHT),
}


def _who(db: Session, name: str) -> m.Athlete:
    return repo.athlete(db, Profile(name=name, tz="UTC", sex="f", max_hr=186, rest_hr=48,
                                    runs={}))


def _history(db: Session, who: m.Athlete, years: int) -> date:
    """A run a day for `years` through the night, classified; its first day."""
    days = [NIGHT - timedelta(days=i) for i in range(round(years * 365.25))]
    for day in days:
        run = m.Activity(athlete_id=who.id, sport="running", local_date=day, duration_s=1800,
                         start_utc=datetime(day.year, day.month, day.day, 7, tzinfo=UTC),
                         session_index=0)
        db.add(run)
        db.flush()
        db.add(m.RunClass(activity_id=run.id, kind="easy", fatigue="low", reasons=["easy"],
                          traits=[], load=40.0, load_series="endurance", load_method="hr",
                          load_reason="", fingerprint="x"))
    return days[-1]


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, date]]:
    """One database, one athlete with a year of runs and one with five."""
    path: Path = tmp_path_factory.mktemp("club") / "club.db"
    factory = open_db(f"sqlite:///{path}")
    with transaction(factory) as db:
        first = {name: _history(db, _who(db, name), years)
                 for name, years in YEARS.items()}
    return factory, first


def vm_steps(db: Session, read: Read, who: m.Athlete) -> int:
    """SQLite's virtual machine steps (in STEPS) that `read` of `who` takes."""
    count = 0

    def step() -> int:
        nonlocal count
        count += 1
        return 0
    raw = db.connection().connection.dbapi_connection
    assert raw is not None
    raw.set_progress_handler(step, STEPS)
    try:
        read(db, who)
    finally:
        raw.set_progress_handler(None, STEPS)
    return count


@pytest.mark.parametrize("name", READS)
def test_a_nights_read_of_the_activities_costs_the_same_on_five_years_as_on_one(
        club: tuple[Any, dict[str, date]], name: str) -> None:
    factory, _ = club
    with transaction(factory) as db:
        steps = {who: vm_steps(db, READS[name], _who(db, who)) for who in YEARS}
    # before 0022 five years took four to five times one's
    assert steps["five"] <= steps["one"] * 1.1 + 2, steps


def test_the_first_days_are_read_from_the_start_of_the_history(
        club: tuple[Any, dict[str, date]]) -> None:
    """The first day known and the first with load, read from the (athlete, day) index's
    first entries."""
    factory, first = club
    with transaction(factory) as db:
        for name in YEARS:
            who = _who(db, name)
            assert activities.first_fact_day(db, who) == first[name]
            assert activities.first_load_day(db, who, NIGHT) == first[name]


def test_a_night_loads_the_sets_of_the_strength_sessions_not_read_back_only(
        tmp_path: Path) -> None:
    """A year of strength sessions recorded by the watch, every one read back but the
    newest: the night reads back that one, with its sets, and loads no set of the others
    (before, every set of every session was loaded each night)."""
    factory = open_db(f"sqlite:///{tmp_path / 'lifts.db'}")
    sets = tuple(StrengthSet(i, "active", "SQUAT", "BARBELL_BACK_SQUAT", 5, 60.0, 40.0)
                 for i in range(6))
    days = [NIGHT - timedelta(days=i) for i in range(0, 365, 3)]
    with transaction(factory) as db:
        who = _who(db, "lifter")
        for day in days:
            lifted = Activity(sport="training", start=datetime(day.year, day.month, day.day, 18,
                                                                 tzinfo=UTC),
                              duration_s=2400.0, sets=sets)
            repo.save_activities(db, who, [lifted], day.isoformat().ljust(64, "0"))
            if day != NIGHT:  # read back on its night
                repo.add_lifts(db, who, day, [("squat", [5] * 6, 60.0)], session_key=None,
                               source=plans.source_key(day.isoformat().ljust(64, "0"), None, 0))
    loaded: list[object] = []

    def load(target: object, _context: object) -> None:
        loaded.append(target)
    event.listen(m.StrengthSet, "load", load)
    try:
        with transaction(factory) as db:
            [new] = recorded(db, _who(db, "lifter"), NIGHT)
    finally:
        event.remove(m.StrengthSet, "load", load)
    assert (new.day, new.sets) == (NIGHT, sets)
    assert len(loaded) == len(sets)


@pytest.mark.parametrize("batch", [activities.IN_BATCH, 50])
def test_the_sets_of_sessions_never_read_back_are_read_in_one_select(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int) -> None:
    """Garmin's yoga (a real file) records its poses as sets naming no exercise: no session
    of them is ever read back, so every night reads them all again. A year of them, one
    every third day (122): their sets come in one select (one per `batch` sessions), not one
    per session (lazily loaded, a night ran a select of sets more for each session)."""
    monkeypatch.setattr(activities, "IN_BATCH", batch)
    [yoga] = fit.decode(shared_fixture("fit", "python-garminconnect",
                                       "12129115726_ACTIVITY.fit").read_bytes(), "yoga.fit")
    days = [NIGHT - timedelta(days=i) for i in range(0, 365, 3)]
    factory = open_db(f"sqlite:///{tmp_path / 'yoga.db'}")
    with transaction(factory) as db:
        who = _who(db, "yogi")
        for day in days:
            posed = replace(yoga, start=datetime(day.year, day.month, day.day, 7, tzinfo=UTC),
                            recording=None)  # a recording of its own each day
            repo.save_activities(db, who, [posed], day.isoformat().ljust(64, "0"))
    selects: list[str] = []

    def sql(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "FROM strength_sets" in statement:
            selects.append(statement)
    event.listen(Engine, "before_cursor_execute", sql)
    try:
        with transaction(factory) as db:
            every = recorded(db, _who(db, "yogi"), NIGHT)
    finally:
        event.remove(Engine, "before_cursor_execute", sql)
    assert [(r.day, r.sets) for r in every] == [(day, yoga.sets) for day in reversed(days)]
    # the sessions that have sets (EXISTS), then their sets
    assert len(selects) == 1 + -(-len(days) // batch), selects
