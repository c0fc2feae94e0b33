"""The mornings' recovery data (HRV, sleep, readiness, resting HR): one row per athlete-day,
stored as a sync brings it and read back as records or as columns. Callers own the
transaction (see session.transaction)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from db import models as m
from db.repo import mark_changed
from domain.wellness import WORDS, DailyWellness

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
    rows straight into arrays, no ORM object or DailyWellness per day. Garmin's own words
    come as their numbers (WORDS, mapped in SQL: no text object a day); a column holding
    any other word is read again as the texts stored."""
    import numpy as np

    from domain.wellness_columns import Labels, WellnessColumns

    w = m.Wellness
    within = (w.athlete_id == who.id, w.day >= start, w.day <= end)
    rows = session.execute(select(w.day, w.hrv_last_night, _coded(w.hrv_status),
                                  _coded(w.readiness_level), w.sleep_score, w.resting_hr)
                           .where(*within).order_by(w.day)).all()
    day, hrv, status, readiness, sleep, resting_hr = zip(*rows, strict=True) if rows else [()] * 6

    def labels(column: Any, codes: tuple[int, ...]) -> Labels:
        coded = np.fromiter(codes, dtype=np.intp, count=len(codes))
        if (coded == OTHER_WORD).any():  # rare: a word Garmin does not write
            return Labels.of(session.scalars(select(column).where(*within).order_by(w.day)))
        return Labels(coded, WORDS[column.key])

    return WellnessColumns.from_values(day, hrv_last_night=hrv,
                                       hrv_status=labels(w.hrv_status, status),
                                       readiness_level=labels(w.readiness_level, readiness),
                                       sleep_score=sleep, resting_hr=resting_hr)


OTHER_WORD = -2  # _coded's number for a stored word not among WORDS


def _coded(column: Any) -> Any:
    """SQL: the stored word's index in WORDS[column], −1 for none, OTHER_WORD for another."""
    return case((column.is_(None), -1),
                *((column == word, code) for code, word in enumerate(WORDS[column.key])),
                else_=OTHER_WORD)
