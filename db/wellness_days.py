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
    any other word is selected again as the texts stored."""
    import numpy as np

    from domain.wellness_columns import Labels, WellnessColumns

    names = ("day", *WellnessColumns.FIELDS)
    texts: set[str] = set()  # the text columns selected as the texts stored
    columns = _select(session, who, start, end, names, texts)
    while other := {key for key in WORDS if key not in texts and OTHER_WORD in columns[key]}:
        # rare: a word Garmin does not write. Every column again, not that one alone: the
        # rows of one select agree, whatever a sync commits between two.
        texts |= other
        columns = _select(session, who, start, end, names, texts)

    def labels(key: str) -> Labels:
        values = columns[key]
        if key in texts:
            return Labels.of(values)
        return Labels(np.fromiter(values, dtype=np.intp, count=len(values)), WORDS[key])

    return WellnessColumns.from_values(
        columns["day"], hrv_last_night=columns["hrv_last_night"],
        hrv_status=labels("hrv_status"), readiness_level=labels("readiness_level"),
        sleep_score=columns["sleep_score"], resting_hr=columns["resting_hr"])


def _select(session: Session, who: m.Athlete, start: date, end: date, names: tuple[str, ...],
            texts: set[str]) -> dict[str, tuple[Any, ...]]:
    """The columns `names` from `start` to `end` in day order, Garmin's words as numbers
    (_coded) in the text columns not among `texts`."""
    w = m.Wellness
    chosen = [getattr(w, name) for name in names]
    rows = session.execute(
        select(*(_coded(c) if c.key in WORDS and c.key not in texts else c for c in chosen))
        .where(w.athlete_id == who.id, w.day >= start, w.day <= end).order_by(w.day)).all()
    return dict(zip(names, zip(*rows, strict=True) if rows else [()] * len(names),
                    strict=True))


OTHER_WORD = -2  # _coded's number for a stored word not among WORDS


def _coded(column: Any) -> Any:
    """SQL: the stored word's index in WORDS[column], −1 for none, OTHER_WORD for another."""
    return case((column.is_(None), -1),
                *((column == word, code) for code, word in enumerate(WORDS[column.key])),
                else_=OTHER_WORD)
