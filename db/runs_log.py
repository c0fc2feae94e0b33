"""What the jobs recorded of their own runs: the nightly runs and the workouts pushed to
Garmin. Callers own the transaction (session.transaction)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m


def last_good_night(db: Session, who: m.Athlete, before: date) -> date | None:
    """The last night before `before` whose nightly run succeeded."""
    return db.scalar(select(m.NightlyRun.day).where(
        m.NightlyRun.athlete_id == who.id, m.NightlyRun.status == "ok",
        m.NightlyRun.day < before).order_by(m.NightlyRun.day.desc()).limit(1))


def nightly_runs(db: Session, athlete: str | None, limit: int) -> list[tuple[m.NightlyRun, str]]:
    """The latest nightly runs with their athlete's name (one athlete's when named), newest
    first."""
    query = select(m.NightlyRun, m.Athlete.name).join(m.Athlete).order_by(
        m.NightlyRun.started_at.desc(), m.NightlyRun.id.desc()).limit(limit)
    if athlete:
        query = query.where(m.Athlete.name == athlete)
    return [(r, name) for r, name in db.execute(query)]


def pushed_workouts(db: Session, who: m.Athlete) -> list[m.PushedWorkout]:
    return list(db.scalars(select(m.PushedWorkout).where(m.PushedWorkout.athlete_id == who.id)))


def pushed_workout(db: Session, athlete_id: int, session_key: str) -> m.PushedWorkout | None:
    return db.scalar(select(m.PushedWorkout).where(m.PushedWorkout.athlete_id == athlete_id,
                                                   m.PushedWorkout.session_key == session_key))
