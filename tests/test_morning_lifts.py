"""The morning pass reads the lifts it needs, not every lift ever (jobs.replan.lifter with
`since`: it prescribes today's sessions only, planner.plan_changes.as_planned and
planner.program.mobility_work): the same decisions as from every lift, morning by morning
through a season of green, amber and red mornings, deloads, a layoff and a race (the lifts
read on one and five years of history: tests/test_night_lifts.py)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session as DbSession

from db import models as m
from db import plans, repo
from db.session import open_db, transaction
from domain.profile import Profile
from jobs import replan
from jobs.last_night import last_night
from jobs.morning_run import _judged, judged_again
from jobs.replay import follow_plan
from planner.adapt import Recovery
from planner.lifter import Lifter
from planner.model import Adjustment, Session
from planner.morning import MORNING_RULE, rejudge_today
from planner.program import mobility_work
from tests.planning import profile
from tests.test_night_lifts import (
    KNOWN_KG,
    RACE,
    START,
    THRUST,
    _season,
    _slept,
)

LEVELS = ("green", "amber", "red")


def _judged_today(db: DbSession, who: m.Athlete, ctx: Lifter, day: date,
                  status: Recovery | None) -> tuple[list[Session], list[Adjustment]]:
    """The morning's decisions (jobs.morning_run._rejudged's) prescribed from `ctx`."""
    sessions = replan.load_sessions(db, who)
    return rejudge_today(sessions, day, status, mobility_work(ctx),
                         _judged(db, who, ctx, sessions, day), last_night(db, who, day))


def _morning(db: DbSession, athlete: Profile, day: date, level: str) -> tuple[int, int, int]:
    """The morning of `day` at `level`: its decisions from the lifts the pass reads compared
    with those from every lift, then the pass's (stored). The sessions judged from the plan
    (their last change a recovery decision), the lifts read and stored."""
    who = repo.athlete(db, athlete)
    _slept(db, who, day, level)
    status = replan.recovery(db, who, day)
    sessions = replan.load_sessions(db, who)
    read = replan.lifter(db, who, athlete, day, sessions, since=day)
    every = replan.lifter(db, who, athlete, day, sessions)
    assert _judged_today(db, who, read, day, status) == \
        _judged_today(db, who, every, day, status), day
    judged = _judged(db, who, every, replan.load_sessions(db, who), day)
    judged_again(db, athlete, day)
    return len(judged), len(read.history), len(every.history)


def test_a_season_of_mornings_decided_from_the_lifts_read_as_from_every_lift(
        tmp_path: Path) -> None:
    """Every morning of 22 weeks (green, amber or red at random; the nights judge by the
    day's status too), its decisions (today's sessions, every change) the same from the
    lifts the pass reads as from every lift: each stored by the pass, the next nights
    plan from them."""
    athlete = replace(profile(races=(RACE,)), known_kg=KNOWN_KG)
    factory = open_db(f"sqlite:///{tmp_path / 'mornings.db'}")
    levels = random.Random(12)

    def night_and_morning(db: DbSession, night: date) -> tuple[int, int, int]:
        replan.replan(db, athlete, night, analysed=True)
        level = levels.choices(LEVELS, (6, 3, 1))[0]
        return _morning(db, athlete, night + timedelta(days=1), level)
    mornings = _season(factory, athlete, 12, night_and_morning)
    with factory() as db:
        who = repo.athlete(db, athlete)
        sessions = replan.load_sessions(db, who)
        morning = [a for a in plans.adjustments(db, who) if a.rule.startswith(MORNING_RULE)]
    # the premises: mornings judged sessions again, each way, in deload weeks too
    assert sum(judged for judged, _, _ in mornings) > 5, mornings
    assert {a.rule.split()[-1] for a in morning} == set(LEVELS), morning
    assert any(p.phase == "deload" for s in sessions if s.status == "done" for p in s.exercises)
    assert any(p.resumed_from for s in sessions for p in s.exercises)  # the layoff
    # and the mornings read fewer lifts than there were: the bound bounded
    assert mornings[-1][1] < mornings[-1][2] / 2, mornings[-1]


def test_a_deload_session_judged_again_goes_on_from_the_loads_of_the_week_before(
        tmp_path: Path) -> None:
    """Thursday's deload session, lightened for the night's amber, judged again on a green
    morning: planned again (as_planned), its hip thrusts 10 % off the last full ones of an
    earlier week (32.5 kg the Thursday before), not off the 40 kg lifted outside the plan
    on the deload week's Tuesday: the pass reads each exercise back past its last full
    lifts to those of the week before (planner.readback.Reach)."""
    athlete = profile()
    factory = open_db(f"sqlite:///{tmp_path / 'deload.db'}")
    thursday = START + timedelta(weeks=3, days=3)  # the first block's deload week
    for night in (START + timedelta(days=i) for i in range((thursday - START).days)):
        with transaction(factory) as db:
            who = repo.athlete(db, athlete)
            follow_plan(db, who, night)
            if night == thursday - timedelta(days=2):
                repo.add_lifts(db, who, night, [(THRUST, [8, 8, 8], 40.0)],
                               session_key=None)
            if night == thursday - timedelta(days=1):
                _slept(db, who, night, "amber")
            replan.replan(db, athlete, night, analysed=True)
    with transaction(factory) as db:
        judged, _, _ = _morning(db, athlete, thursday, "green")
    with factory() as db:
        [session] = [s for s in replan.load_sessions(db, repo.athlete(db, athlete))
                     if s.day == thursday]
    thrust = next(p for p in session.exercises if p.exercise_id == THRUST)
    assert judged == 1  # the premise: the night's amber judged again
    assert (session.status, thrust.phase, thrust.load_kg, thrust.deloaded_from) == (
        "planned", "deload", 29.25, 32.5)
