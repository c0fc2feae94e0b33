"""The plan as facts: runs planned in the Garmin calendar, planned sessions, what was lifted,
each day's recovery status and the adjustments made. One function per question a job asks;
callers own the transaction (session.transaction)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import closing
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, ScalarResult, Text, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from db import models as m


def planned_runs(db: Session, who: m.Athlete, after: date, through: date) -> list[m.PlannedRun]:
    """The runs the Garmin calendar schedules after `after`, through `through`."""
    return list(db.scalars(select(m.PlannedRun).where(m.PlannedRun.athlete_id == who.id,
                                                      m.PlannedRun.day > after,
                                                      m.PlannedRun.day <= through)))


def sessions(db: Session, who: m.Athlete) -> list[m.PlannedSession]:
    """Every planned session, by day then key."""
    return list(db.scalars(select(m.PlannedSession).where(m.PlannedSession.athlete_id == who.id)
                           .order_by(m.PlannedSession.day, m.PlannedSession.key)))


def session_columns(db: Session, who: m.Athlete) -> Sequence[Any]:
    """Every planned session, by day then key, as plain columns named as PlannedSession's,
    its exercises as their JSON text: no ORM object per session (the identity map and the
    JSON column cost the night more than reading years of sessions), and the same text is
    decoded once by the caller."""
    s = m.PlannedSession
    return db.execute(select(s.key, s.day, s.kind, s.block, s.week_in_block, s.status,
                             s.pinned, s.step, cast(s.exercises, Text).label("exercises"))
                      .where(s.athlete_id == who.id).order_by(s.day, s.key)).all()


def sessions_keyed(db: Session, who: m.Athlete,
                   keys: Collection[str]) -> list[m.PlannedSession]:
    """The planned sessions of `keys` (those stored: a key may be new)."""
    if not keys:
        return []
    return list(db.scalars(select(m.PlannedSession).where(
        m.PlannedSession.athlete_id == who.id, m.PlannedSession.key.in_(list(keys)))))


def sessions_between(db: Session, who: m.Athlete, first: date,
                     last: date) -> list[m.PlannedSession]:
    """The planned sessions from `first` to `last` (both included), by day then key."""
    return list(db.scalars(select(m.PlannedSession).where(
        m.PlannedSession.athlete_id == who.id, m.PlannedSession.day >= first,
        m.PlannedSession.day <= last).order_by(m.PlannedSession.day, m.PlannedSession.key)))


def sessions_on(db: Session, who: m.Athlete, day: date,
                statuses: Collection[str]) -> list[m.PlannedSession]:
    """The day's planned sessions whose status is one of `statuses`."""
    return list(db.scalars(select(m.PlannedSession).where(
        m.PlannedSession.athlete_id == who.id, m.PlannedSession.day == day,
        m.PlannedSession.status.in_(statuses))))


def session(db: Session, who: m.Athlete, key: str) -> m.PlannedSession | None:
    return db.scalar(select(m.PlannedSession).where(m.PlannedSession.athlete_id == who.id,
                                                    m.PlannedSession.key == key))


def lifts(db: Session, who: m.Athlete) -> list[m.Lift]:
    """Everything lifted, in the order it was done: double progression's history."""
    return list(db.scalars(select(m.Lift).where(m.Lift.athlete_id == who.id)
                           .order_by(m.Lift.day, m.Lift.id)))


def last_lifts(db: Session, who: m.Athlete, exercise_ids: Collection[str], through: date,
               besides: str) -> dict[str, m.Lift]:
    """The last time each exercise was lifted, through `through`, in a session other than
    `besides`: what the runner did last time, beside what the plan asks now. A record of
    no reps at all (an exercise left unticked in a session done) was not a time lifted.
    Each exercise is read on its own, newest first down the index on (athlete, exercise,
    day, id), only until its last time: years of records stay unread, and an exercise never
    lifted reads none (read together, sorted by day, it made the query read them all)."""
    last: dict[str, m.Lift] = {}
    for exercise_id in sorted(set(exercise_ids)):
        other = or_(m.Lift.session_key.is_(None), m.Lift.session_key != besides)
        with closing(newest_first(db, who, m.Lift.exercise_id == exercise_id,
                                  m.Lift.day <= through, other)) as rows:
            if (lifted := next((row for row in rows if any(row.reps)), None)) is not None:
                last[exercise_id] = lifted
    return last


def newest_first(db: Session, who: m.Athlete,
                 *where: ColumnElement[bool]) -> ScalarResult[m.Lift]:
    """The lifts `where` keeps, newest first (day, then id) down an index that begins with
    the athlete (one exercise's: on (athlete, exercise, day, id)), a few rows at a time:
    what a caller does not iterate is not read (close it when done)."""
    return db.scalars(select(m.Lift).where(m.Lift.athlete_id == who.id, *where)
                      .order_by(m.Lift.day.desc(), m.Lift.id.desc())
                      .execution_options(yield_per=8))


def lifted_exercises(db: Session, who: m.Athlete) -> list[str]:
    """The exercises ever lifted, in order: each the first after the one before down the
    index on (athlete, exercise, day, id), one seek an exercise (SELECT DISTINCT read the
    index entry of every lift)."""
    found = select(func.min(m.Lift.exercise_id).label("id")).where(
        m.Lift.athlete_id == who.id).cte("found", recursive=True)
    after = select(func.min(m.Lift.exercise_id)).where(m.Lift.athlete_id == who.id,
                                                       m.Lift.exercise_id > found.c.id)
    found = found.union_all(select(after.scalar_subquery()).where(found.c.id.is_not(None)))
    return [e for e in db.scalars(select(found.c.id)) if e is not None]


def session_lifts(db: Session, who: m.Athlete, session_keys: Collection[str]) -> list[m.Lift]:
    """What was lifted in the sessions of `session_keys`."""
    if not session_keys:
        return []
    return list(db.scalars(select(m.Lift).where(m.Lift.athlete_id == who.id,
                                                m.Lift.session_key.in_(list(session_keys)))))


def last_through(db: Session, who: m.Athlete, session_days: Collection[date],
                 besides: Collection[str]) -> list[m.Lift]:
    """The last lift (by day, then id) through each of `session_days` (days of the athlete's
    sessions, read from their rows), but of the sessions `besides`: in one statement, one
    seek down (athlete, day, id) a day (a query a day cost more than every lift on years of
    sessions gone by undone)."""
    if not session_days:
        return []
    days = select(m.PlannedSession.day).where(
        m.PlannedSession.athlete_id == who.id,
        m.PlannedSession.day.in_(list(session_days))).distinct().subquery()
    lift = aliased(m.Lift)
    last = select(lift.id).where(
        lift.athlete_id == who.id, lift.day <= days.c.day,
        or_(lift.session_key.is_(None), lift.session_key.not_in(list(besides)))).order_by(
        lift.day.desc(), lift.id.desc()).limit(1).correlate(days).scalar_subquery()
    return list(db.scalars(select(m.Lift).where(m.Lift.id.in_(select(last).select_from(days)))))


def lift_sources(db: Session, who: m.Athlete) -> set[str]:
    """The activities whose sets were already read back from the watch."""
    return set(db.scalars(select(m.Lift.source).where(m.Lift.athlete_id == who.id,
                                                      m.Lift.source.is_not(None))))


def source_key(content_hash: str | None, garmin_id: int | None, session_index: int) -> str:
    """The key an activity's sets are read back under (Lift.source): one that a `db
    rebuild` keeps (row ids are not kept)."""
    return f"activity:{content_hash or garmin_id}:{session_index}"


def move_read_back(db: Session, who: m.Athlete, old: str, new: str) -> None:
    """The lifts read back from an activity under the key `old`, which is `new` now (its file
    came for its summary): read back once, not again under the new key."""
    if old != new:
        db.execute(update(m.Lift).where(m.Lift.athlete_id == who.id, m.Lift.source == old)
                   .values(source=new))


def forget_hand_lifts(db: Session, who: m.Athlete, session_key: str) -> None:
    """Remove what was entered by hand for a session (the watch's record replaces it)."""
    db.execute(delete(m.Lift).where(m.Lift.athlete_id == who.id,
                                    m.Lift.session_key == session_key,
                                    m.Lift.source.is_(None)))


def daily_status(db: Session, who: m.Athlete, day: date) -> m.DailyStatus | None:
    return db.scalar(select(m.DailyStatus).where(m.DailyStatus.athlete_id == who.id,
                                                 m.DailyStatus.day == day))


def daily_statuses(db: Session, who: m.Athlete, first: date = date.min,
                   last: date = date.max) -> list[m.DailyStatus]:
    """The recovery statuses stored from `first` to `last` (both included)."""
    return list(db.scalars(select(m.DailyStatus).where(
        m.DailyStatus.athlete_id == who.id, m.DailyStatus.day >= first,
        m.DailyStatus.day <= last)))


def wellness_rows(db: Session, who: m.Athlete, first: date, last: date) -> list[m.Wellness]:
    """The stored wellness records from `first` to `last` (both included)."""
    return list(db.scalars(select(m.Wellness).where(
        m.Wellness.athlete_id == who.id, m.Wellness.day >= first, m.Wellness.day <= last)))


def adjustments(db: Session, who: m.Athlete | None, *, since: date | None = None,
                session_keys: Collection[str] | None = None, between: tuple[date, date] | None
                = None, newest_first: bool = False) -> list[m.AdjustmentRow]:
    """The plan changes (every athlete's when `who` is None): decided from `since` on, or
    about one of `session_keys`, or decided in `between` or about one of `session_keys`
    when both are given; oldest first unless `newest_first`."""
    query = select(m.AdjustmentRow)
    if who is not None:
        query = query.where(m.AdjustmentRow.athlete_id == who.id)
    if since is not None:
        query = query.where(m.AdjustmentRow.night >= since)
    about: list[Any] = []
    if between is not None:
        about.append(m.AdjustmentRow.night.between(*between))
    if session_keys is not None:
        about.append(m.AdjustmentRow.session_key.in_(list(session_keys)))
    if about:
        query = query.where(or_(*about))
    order = ((m.AdjustmentRow.night.desc(), m.AdjustmentRow.id.desc()) if newest_first
             else (m.AdjustmentRow.night, m.AdjustmentRow.id))
    return list(db.scalars(query.order_by(*order)))


def last_status_day(db: Session, who: m.Athlete) -> date | None:
    """The last day with a stored recovery status (None: none yet)."""
    return db.scalar(select(func.max(m.DailyStatus.day))
                     .where(m.DailyStatus.athlete_id == who.id))
