"""The mornings' recovery data (HRV, sleep, readiness, resting HR): one row per athlete-day,
stored as a sync brings it and read back as records or as columns. Callers own the
transaction (see session.transaction)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from db.repo import mark_changed
from domain.wellness import DailyWellness

if TYPE_CHECKING:  # numpy's arrays: loaded by wellness_columns, not by a read of the plan
    from domain.wellness_columns import WellnessColumns


def save_wellness(session: Session, who: m.Athlete, day: DailyWellness) -> None:
    """Insert or replace one athlete-day with `day` as given: the sync merges a re-sync with
    what is stored first (ingest.garmin_entries), so an empty answer loses nothing."""
    row = session.scalar(select(m.Wellness).where(m.Wellness.athlete_id == who.id,
                                                  m.Wellness.day == day.day))
    if row is None:
        row = m.Wellness(athlete_id=who.id, day=day.day)
        session.add(row)
    elif all(getattr(row, name) == getattr(day, name) for name in DailyWellness.value_names()):
        return  # the same morning again: nothing to store, nothing to decide again
    for name in DailyWellness.value_names():
        setattr(row, name, getattr(day, name))
    mark_changed(session, who, day.day)
    session.flush()


def measured_since(session: Session, who: m.Athlete, since: date) -> bool:
    """Whether a stored day from `since` on holds a value the athlete's watch measured."""
    w = m.Wellness
    return session.scalar(select(w.id).where(w.athlete_id == who.id, w.day >= since,
                                             w.measured()).limit(1)) is not None


def wellness(session: Session, who: m.Athlete, start: date, end: date) -> list[DailyWellness]:
    rows = session.scalars(select(m.Wellness).where(
        m.Wellness.athlete_id == who.id, m.Wellness.day >= start, m.Wellness.day <= end)
        .order_by(m.Wellness.day))
    return [DailyWellness(day=r.day, **{n: getattr(r, n) for n in DailyWellness.value_names()})
            for r in rows]


def wellness_columns(session: Session, who: m.Athlete, start: date,
                     end: date) -> WellnessColumns:
    """The fields recovery reads, from `start` to `end`: one select of just those columns,
    rows straight into arrays, no ORM object or DailyWellness per day."""
    from domain.wellness_columns import WellnessColumns

    w = m.Wellness
    rows = session.execute(select(w.day, w.hrv_last_night, w.hrv_status, w.readiness_level,
                                  w.sleep_score, w.resting_hr)
                           .where(w.athlete_id == who.id, w.day >= start, w.day <= end)
                           .order_by(w.day)).all()
    day, hrv, status, readiness, sleep, resting_hr = zip(*rows, strict=True) if rows else [()] * 6
    return WellnessColumns.from_values(day, hrv_last_night=hrv, hrv_status=status,
                                       readiness_level=readiness, sleep_score=sleep,
                                       resting_hr=resting_hr)
