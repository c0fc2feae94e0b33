"""A night reads the lifts it needs, not every lift ever (jobs.replan.night_lifts,
planner.readback.Reach): the same decisions as from every lift, night by night through a
season of deloads, lightened sessions, a layoff, sessions left open, unplanned lifts on the
watch and a late read-back; and as many lifts read on five years of history as on one."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session as DbSession

from db import models as m
from db import plans, repo
from db.session import open_db, transaction
from domain.activity import Activity, StrengthSet
from domain.profile import Profile, Race
from jobs import replan
from jobs.morning_run import judged_again
from jobs.replay import follow_plan, found_by_feel
from planner.catalog_file import default_catalog
from planner.catch_up import Decisions, catch_up, prescribed_on, window
from planner.lifter import Lifter
from planner.model import Prescription, Session, week_start
from planner.prescriptions import prescribe
from planner.progression import LoggedLift
from planner.readback import (
    LiftRecord,
    Reach,
    ReadBack,
    deload_lifts,
    kept_by,
    progression_history,
)
from tests.planning import MONDAY, profile
from tests.test_night_reads import vm_steps

CATALOG = default_catalog()
START = MONDAY  # the season's first night: the plan's first
WEEKS = 22
LAYOFF = (START + timedelta(weeks=2), START + timedelta(weeks=2, days=16))  # none done
STALE = START + timedelta(weeks=8)  # until then a session may be left open for 6 weeks
EXTRA = ("barbell_back_squat", "barbell_deadlift", "barbell_hip_thrust", "barbell_calf_raise")
KNOWN_KG = {e.id: 20.0 for e in CATALOG.exercises.values() if e.loaded}  # loads in kg
RACE = Race(START + timedelta(weeks=15, days=5), "10k", "B")  # lightens the week before


T = TypeVar("T")
Lifted = list[tuple[str, int, float | None]]  # exercise, reps a set, kg


@dataclass
class Later:
    """What the athlete does days later, by the day they do it: the watch's records synced
    late (the day each was recorded on, what it holds), the sessions left open skipped."""

    records: dict[date, list[tuple[date, Lifted]]] = field(default_factory=dict)
    skips: dict[date, list[str]] = field(default_factory=dict)


def _watch(db: DbSession, who: m.Athlete, day: date, lifted: Lifted, tag: str) -> None:
    """A strength activity of `day` as the watch records it: each exercise's sets of reps at
    a load; read back on the next night that sees it."""
    sets: list[StrengthSet] = []
    for exercise_id, reps, kg in lifted:
        e = CATALOG.exercise(exercise_id)
        sets += [StrengthSet(len(sets), "active", e.garmin_category, e.garmin_name, reps, kg)
                 for _ in range(2)]
    start = datetime.combine(day, time(18), tzinfo=UTC)
    repo.save_activities(db, who, [Activity(sport="training", start=start, duration_s=2400.0,
                                            sets=tuple(sets))],
                         f"{day}{tag}".ljust(64, "0"))


def _as_prescribed(s: Session) -> Lifted:
    """Each exercise's reps and load as prescribed, or as found by feel (jobs.replay)."""
    return [(p.exercise_id, p.reps, p.load_kg or found_by_feel(p.exercise_id))
            for p in s.exercises if p.reps is not None]


SLEPT = {"green": 80.0, "amber": 48.0, "red": 30.0}  # a night's sleep score, by level


def _slept(db: DbSession, who: m.Athlete, day: date, level: str = "amber") -> None:
    """The day's recovery status at `level`, from last night's sleep (over one stored)."""
    row = plans.daily_status(db, who, day) or m.DailyStatus(
        athlete_id=who.id, day=day, endurance_load=0.0, strength_load=0.0, missing=[])
    score = SLEPT[level]
    row.level, row.values = level, {"sleep_score": score}
    row.reasons = [] if level == "green" else [f"sleep score {score:g} < 60"]
    db.add(row)


def _athlete_day(db: DbSession, who: m.Athlete, day: date, rng: random.Random,
                 later: Later) -> None:
    """What the athlete does on `day`: the day's sessions done by hand (now and then a rep
    more), on the watch, or left open (skipped 10 days later, or 6 weeks in the first 8
    weeks); outside the layoff now and then heavy lifts on the watch outside the plan, a
    poor night's sleep, a session done by hand whose watch record comes 9 days later, one
    done on the watch whose second record of it comes 5 weeks later."""
    for key in later.skips.pop(day, []):
        row = plans.session(db, who, key)
        assert row is not None
        if row.status != "done":
            row.status = "skipped"
    for recorded, lifted in later.records.pop(day, []):
        _watch(db, who, recorded, lifted, f"late{day}")
    if LAYOFF[0] <= day < LAYOFF[1]:
        return
    today = [s for s in replan.load_sessions(db, who) if s.day == day
             and s.status in ("planned", "moved", "lightened") and s.kind == "strength"]
    for s in today:
        how = rng.random()
        if how < 0.15:  # left open
            skip = day + timedelta(days=rng.choice((10, 10, 42 if day < STALE else 10)))
            later.skips.setdefault(skip, []).append(s.id)
        elif how < 0.45:
            _watch(db, who, day, _as_prescribed(s), s.id)
            if how > 0.35:
                later.records.setdefault(day + timedelta(weeks=5), []).append(
                    (day, _as_prescribed(s)))
        else:
            follow_plan(db, who, day, rng)
            if how > 0.9:
                later.records.setdefault(day + timedelta(days=9), []).append(
                    (day, _as_prescribed(s)))
    if not today and day.weekday() in (1, 2) and rng.random() < 0.5:  # S4 counts them
        _watch(db, who, day, [(e, 6, 60.0) for e in EXTRA], "extra")
    if rng.random() < 0.08:
        _slept(db, who, day)


def _decided(db: DbSession, who: m.Athlete, athlete: Profile, night: date) -> Decisions:
    """The night's decisions from the lifts it reads, compared with those from every lift."""
    facts = replan.plan_facts(db, who, athlete, night, replan.WEEKS_AHEAD, night)
    every = replace(facts, lifts=tuple(replan.lift_records(db, who)))
    decided = catch_up(facts, athlete, CATALOG)
    assert decided == catch_up(every, athlete, CATALOG), night
    assert len(facts.lifts) < len(every.lifts)  # the premise: fewer read
    return decided


def _night(db: DbSession, who: m.Athlete, athlete: Profile, night: date) -> tuple[int, int]:
    """The night's decisions from the lifts it reads and from every lift, compared; then
    the night run (its decisions stored). The lifts read and stored."""
    facts = replan.plan_facts(db, who, athlete, night, replan.WEEKS_AHEAD, night)
    every = replace(facts, lifts=tuple(replan.lift_records(db, who)))
    assert catch_up(facts, athlete, CATALOG) == catch_up(every, athlete, CATALOG), night
    replan.replan(db, athlete, night, analysed=True)
    return len(facts.lifts), len(every.lifts)


def _season(factory: Any, athlete: Profile, seed: int,
            night_run: Callable[[DbSession, date], T]) -> list[T]:
    """Every day of the season, what the athlete does (`_athlete_day`, at random from
    `seed`), then `night_run` of the night, each in its own transaction; what each night
    ran to."""
    rng, later = random.Random(seed), Later()
    out = []
    for night in (START + timedelta(days=i) for i in range(7 * WEEKS)):
        with transaction(factory) as db:
            _athlete_day(db, repo.athlete(db, athlete), night, rng, later)
        with transaction(factory) as db:
            out.append(night_run(db, night))
    return out


SQUAT, THRUST = "barbell_back_squat", "barbell_hip_thrust"
NIGHT = START + timedelta(weeks=10)


def _lifted(db: DbSession, who: m.Athlete, sessions: list[Session],
            lifts: list[tuple[date, str, str | None]]) -> None:
    """A plan of `sessions` adapted through the night before NIGHT, and `lifts` (day,
    exercise, session) of 6 reps a set at 60 kg by hand."""
    replan.save_sessions(db, who, sessions)
    for day, exercise_id, key in lifts:
        repo.add_lifts(db, who, day, [(exercise_id, [6, 6, 6], 60.0)], session_key=key)
    repo.set_cursor(db, who, replan.FIRST_MONDAY, START.isoformat())
    repo.set_cursor(db, who, replan.LAST_NIGHT, (NIGHT - timedelta(days=1)).isoformat())


def _session(day: date, exercise_id: str, status: str = "planned") -> Session:
    return Session(f"{week_start(day)}#1", day, "strength", 1, 2, (Prescription(
        exercise_id, 3, 6, load_kg=60.0, high_resistance_lower_body=True),), status)


def test_a_session_gone_by_undone_judges_its_layoff_from_every_exercise(
        db_url: str) -> None:
    """A session of hip thrusts 5 weeks gone by, never done, is prescribed on its day again
    each night: the thrusts' last time was 20 days before it, but squats were lifted 6 days
    before it, so no layoff (S5: the athlete's, not the exercise's). The squats of that
    week are far older than those the night needs of the squats: the night reads the last
    lift through the session's day too."""
    athlete = profile()
    gone_by = NIGHT - timedelta(weeks=5)
    factory = open_db(db_url)  # SQLite, and PostgreSQL where the suite has it
    with transaction(factory) as db:
        who = repo.athlete(db, athlete)
        _lifted(db, who, [_session(gone_by, THRUST)], [
            (gone_by - timedelta(days=20), THRUST, None),
            *((gone_by + timedelta(days=n), SQUAT, None) for n in range(-6, 35, 3))])
        decided = _decided(db, who, athlete, NIGHT)
    [thrust] = next(s for s in decided.sessions if s.day == gone_by).exercises
    assert (thrust.load_kg, thrust.resumed_from) == (62.5, None)  # up from 60 kg


def test_a_second_watch_record_of_a_session_read_back_weeks_ago_is_outside_the_plan(
        db_url: str) -> None:
    """A session read back from the watch 4 weeks ago, squats lifted every 3 days since;
    tonight a second record of its day comes (synced late): the session has its watch
    record, so this one is work outside the plan (read_back), though the night needs none
    of that session's lifts for the squats' loads: it reads the lifts of the sessions the
    new record may fulfil."""
    athlete = profile()
    day = NIGHT - timedelta(weeks=4)
    factory = open_db(db_url)  # SQLite, and PostgreSQL where the suite has it
    with transaction(factory) as db:
        who = repo.athlete(db, athlete)
        read = _session(day, SQUAT, "done")
        _lifted(db, who, [read],
                [(day + timedelta(days=n), SQUAT, None) for n in range(3, 28, 3)])
        repo.add_lifts(db, who, day, [(SQUAT, [6, 6, 6], 60.0)], session_key=read.id,
                       source="activity:first:0")
        _watch(db, who, day, [(SQUAT, 6, 60.0)], "second")
        decided = _decided(db, who, athlete, NIGHT)
    assert [(r.session_key, r.lift.day) for r in decided.lifts] == [(None, day)]
    assert decided.replaced == ()


def test_a_season_decided_from_the_lifts_read_as_from_every_lift(tmp_path: Path) -> None:
    """Every night of 22 weeks, its decisions (sessions, lifts read back, every change) the
    same from the lifts the night reads as from every lift: each night's stored by the night
    run, so every stored session, change and lift is the same too."""
    athlete = replace(profile(races=(RACE,)), known_kg=KNOWN_KG)
    factory = open_db(f"sqlite:///{tmp_path / 'season.db'}")
    read = _season(factory, athlete, 11, lambda db, night: _night(
        db, repo.athlete(db, athlete), athlete, night))
    with factory() as db:
        who = repo.athlete(db, athlete)
        lifts = plans.lifts(db, who)
        kinds = {(r.source is None, r.session_key is None, r.lightened) for r in lifts}
        sessions = replan.load_sessions(db, who)
        rules = {a.rule.split()[0] for a in plans.adjustments(db, who)}
    # the premises: what the season was to hold, it held
    assert {(True, False, False), (False, False, False), (False, True, False)} <= kinds
    assert any(r.lightened for r in lifts)  # a lightened session lifted
    assert any(p.phase == "deload" for s in sessions if s.status == "done" for p in s.exercises)
    assert any(p.resumed_from for s in sessions for p in s.exercises)  # the layoff
    assert {"S4", "S7.3"} <= rules
    assert any("late" in (r.source or "") and r.session_key for r in lifts)  # replaced
    # and the nights read fewer lifts than there were: the bound bounded
    assert read[-1][0] < read[-1][1] / 2, read[-1]


EXERCISES = ("barbell_back_squat", "barbell_hip_thrust", "goblet_squat")


def _stored(rng: random.Random) -> tuple[list[LiftRecord], list[Session]]:
    """Records of 70 days of three exercises at random (one more often than the others):
    full or lightened, no reps now and then, in sessions (one in three a deload's) or
    outside the plan, by hand or from the watch; in the order stored. The sessions."""
    sessions = [Session(f"s{i}", START, "strength", 1, 1, tuple(
        Prescription(e, 2, 6, phase="deload" if i % 3 == 0 else "build",
                     resumed_from=20.0 if i % 9 == 0 else None) for e in EXERCISES))
                for i in range(6)]
    records = [LiftRecord(LoggedLift(START + timedelta(days=rng.randrange(70)),
                                     rng.choices(EXERCISES, (6, 3, 1))[0],
                                     rng.choice([(), (6, 6), (8, 8)]),
                                     rng.choice([20.0, 22.5]), rng.random() < 0.15),
                          rng.choice([None, *(s.id for s in sessions)]),
                          rng.choice([None, "watch"])) for _ in range(rng.randrange(1, 40))]
    return sorted(records, key=lambda r: r.lift.day), sessions


def _reached(stored: list[LiftRecord], sessions: list[Session], since: date,
             gone_by: list[date], replaceable: set[str]) -> list[LiftRecord]:
    """What jobs.replan.night_lifts reads of `stored`: each exercise's newest first until
    its Reach is reached, the last one kept through each day `gone_by`, those of the
    sessions `replaceable`; in the order stored."""
    newest_first = list(reversed(stored))
    reached: dict[int, LiftRecord] = {id(r): r for r in stored if r.session_key in replaceable}
    for e in EXERCISES:
        reach = Reach(since, deload_lifts(sessions), replaceable)
        for r in (r for r in newest_first if r.lift.exercise_id == e):
            reached[id(r)] = r
            if reach.reached(r):
                break
    for day in gone_by:
        for r in (r for r in newest_first if r.lift.day <= day):
            reached[id(r)] = r
            if kept_by(r, replaceable):
                break
    return [r for r in stored if id(r) in reached]


@pytest.mark.parametrize("seed", range(1000))
def test_the_lifts_reached_prescribe_as_every_lift(seed: int) -> None:
    """Every exercise prescribed in every phase for a day from `since` on and for two days
    gone by before it (the next session at random), after a read-back that replaced records
    by hand of some of the sessions it could: the same from the records read
    (`_reached`) as from every record."""
    rng = random.Random(seed)
    stored, sessions = _stored(rng)
    since = START + timedelta(days=rng.randrange(80))
    replaceable = {s.id for s in sessions if rng.random() < 0.3}
    replaced = ReadBack([], [], [k for k in replaceable if rng.random() < 0.5])
    upcoming = since + timedelta(days=rng.randrange(30))

    def lifter(records: list[LiftRecord]) -> Lifter:
        return Lifter(profile(), CATALOG, progression_history(replaced.history(records),
                                                              sessions), next_session=upcoming)
    gone_by = [since - timedelta(days=rng.randrange(1, 40)) for _ in range(2)]
    every = lifter(stored)
    read = lifter(_reached(stored, sessions, since, gone_by, replaceable))
    assert every.lifted == read.lifted
    for day in [*gone_by, *(since + timedelta(days=n) for n in (0, 1, 3, 6, 9, 16, 30))]:
        for e in EXERCISES:
            for phase in ("build", "deload", "intro"):
                exercise = CATALOG.exercise(e)
                assert prescribe(every, exercise, day, phase) == \
                    prescribe(read, exercise, day, phase), (day, e, phase)


def _done_years(db: DbSession, who: m.Athlete, athlete: Profile, years: int,
                left_open: int = 0) -> date:
    """`years` of the planner's first block repeated, every session done as prescribed but
    every `left_open`th (if any), gone by undone; the night after the last."""
    replan.replan(db, athlete, START, analysed=True)
    block = [s for s in replan.load_sessions(db, who) if s.day < START + timedelta(weeks=2)]
    weeks = years * 52 // 2 * 2
    done = [s.with_(id=f"{week_start(s.day) + shift}#{s.id.split('#')[1]}",
                    day=s.day + shift, status="done")
            for shift in (timedelta(weeks=w) for w in range(0, weeks, 2)) for s in block]
    if left_open:
        done = [s.with_(status="planned") if i % left_open == 0 else s
                for i, s in enumerate(done, start=1)]
    replan.save_sessions(db, who, done)
    for s in (s for s in done if s.status == "done"):
        repo.add_lifts(db, who, s.day, [(e, [r] * 2, kg) for e, r, kg in _as_prescribed(s)],
                       session_key=s.id)
    night = START + timedelta(weeks=weeks)
    repo.set_cursor(db, who, replan.LAST_NIGHT, (night - timedelta(days=1)).isoformat())
    return night


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Any, Profile, date]]:
    """One athlete with a year of sessions done, one with five, each in a database."""
    out = {}
    for years in (1, 5):
        factory = open_db(f"sqlite:///{tmp_path_factory.mktemp('club') / f'{years}.db'}")
        athlete = profile()
        with transaction(factory) as db:
            night = _done_years(db, repo.athlete(db, athlete), athlete, years)
        out[years] = factory, athlete, night
    return out


def test_a_night_reads_as_many_lifts_on_five_years_as_on_one(
        club: dict[int, tuple[Any, Profile, date]]) -> None:
    """The lifts a night loads (ORM objects made): the same on five years as on one, and
    a few per exercise (before, every lift ever: 2,080 on five years); and the work SQLite
    does reading them (jobs.replan.night_lifts: its virtual machine steps, counted as
    tests/test_night_reads.py does) the same too (the exercises lifted read by SELECT
    DISTINCT took 3.6 times one year's steps on five)."""
    loaded, stored, steps = {}, {}, {}
    for years, (factory, athlete, night) in club.items():
        with factory() as db:
            lifts = plans.lifts(db, repo.athlete(db, athlete))
            stored[years] = len(lifts)
            assert plans.lifted_exercises(db, repo.athlete(db, athlete)) == sorted(
                {r.exercise_id for r in lifts})
        with transaction(factory) as db:
            who = repo.athlete(db, athlete)
            sessions = tuple(replan.load_sessions(db, who))
            since, gone_by = prescribed_on(window(night, night - timedelta(days=1), 2),
                                           sessions)
            loaded[years] = _lifts_loaded(partial(replan.plan_facts, db, who, athlete, night,
                                                  replan.WEEKS_AHEAD, night))
            steps[years] = vm_steps(db, partial(replan.night_lifts, sessions=sessions,
                                                since=since, gone_by=gone_by, found=()), who)
    assert stored[5] > 4 * stored[1]  # the premise
    assert loaded[5] == loaded[1] < stored[1] / 4, (loaded, stored)
    assert steps[5] <= steps[1] * 1.1 + 2, steps


def _lifts_loaded(read: Callable[[], object]) -> int:
    """How many lifts `read` loads (ORM objects made)."""
    count: list[object] = []

    def load(target: object, _context: object) -> None:
        count.append(target)
    event.listen(m.Lift, "load", load)
    try:
        read()
    finally:
        event.remove(m.Lift, "load", load)
    return len(count)


def test_a_morning_reads_as_many_lifts_on_five_years_as_on_one(
        club: dict[int, tuple[Any, Profile, date]]) -> None:
    """The lifts the morning pass loads (jobs.replan.lifter with `since`: ORM objects
    made), the morning after the last night: the same on five years as on one, a few per
    exercise (before, every lift ever: 2,080 on five years)."""
    loaded, stored = {}, {}
    for years, (factory, athlete, day) in club.items():
        with factory() as db:  # not committed: the club stays as it was
            who = repo.athlete(db, athlete)
            stored[years] = len(plans.lifts(db, who))
            loaded[years] = _lifts_loaded(partial(judged_again, db, athlete, day))
    assert stored[5] > 4 * stored[1]  # the premise
    assert loaded[5] == loaded[1] < stored[1] / 4, (loaded, stored)



def test_a_night_reads_the_last_lifts_through_its_sessions_gone_by_in_one_statement(
        tmp_path: Path) -> None:
    """A runner who logs two sessions of three, a year of it: 26 sessions gone by undone,
    each prescribed on its own day again, each needing the last lift through its day (its
    layoff). Read one query a day, they cost more than every lift ever (5 years: 129 days,
    50 ms against 48 ms for all 1,387 lifts, 16 ms on one year); one statement reads them
    all (6 ms on five years, 4 ms on one). The night's decisions stay those from every
    lift."""
    athlete = profile()
    factory = open_db(f"sqlite:///{tmp_path / 'open.db'}")
    with transaction(factory) as db:
        who = repo.athlete(db, athlete)
        night = _done_years(db, who, athlete, 1, left_open=3)
    statements: list[str] = []

    def executed(*args: object) -> None:
        statements.append(str(args[2]))
    with transaction(factory) as db:
        who = repo.athlete(db, athlete)
        sessions = tuple(replan.load_sessions(db, who))
        since, gone_by = prescribed_on(window(night, night - timedelta(days=1), 2), sessions)
        engine = factory.kw["bind"]
        counted = {}
        for days in (sorted(gone_by)[:1], gone_by):
            event.listen(engine, "before_cursor_execute", executed)
            try:
                replan.night_lifts(db, who, sessions, since, days, ())
            finally:
                event.remove(engine, "before_cursor_execute", executed)
            counted[len(days)], statements[:] = len(statements), []
        _decided(db, who, athlete, night)
    assert len(gone_by) > 20  # the premise
    assert counted[len(gone_by)] == counted[1], counted
