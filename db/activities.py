"""The activities as facts: stored activities (and read back as the domain's Activity),
their run classes and loads, the runs by day. One function per question a job asks; callers
own the transaction (session.transaction)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m
from db import streams as packing
from db.errors import DatabaseError
from domain import activity as d
from domain.pointer import SERVER, Pointer

# Damaged samples come back from the files kept (a phone has no shell: the command is run there).
REBUILD = Pointer(cli="`stridelift db rebuild` recreates them from the raw store",
                  web=f"run stridelift db rebuild on {SERVER}: it recreates them from the raw "
                      "store")
IN_BATCH = 500  # ids in one IN list: far below SQLite's and PostgreSQL's limits on parameters


def activities(db: Session, who: m.Athlete) -> list[m.Activity]:
    """Every activity of the athlete, oldest first."""
    return list(db.scalars(select(m.Activity).where(m.Activity.athlete_id == who.id)
                           .order_by(m.Activity.start_utc)))


def activity(db: Session, who: m.Athlete, activity_id: int) -> m.Activity | None:
    """One of the athlete's activities by id (None when it is not theirs or not there)."""
    row = db.get(m.Activity, activity_id)
    return row if row is not None and row.athlete_id == who.id else None


def strength_activities(db: Session, who: m.Athlete) -> list[m.Activity]:
    """The activities that recorded strength sets, oldest first, without their sets (a night
    reads those of the ones not read back yet only: sets_of)."""
    return list(db.scalars(select(m.Activity).where(m.Activity.athlete_id == who.id,
                                                    m.Activity.sets.any())
                           .order_by(m.Activity.start_utc)))


def run_spans(db: Session, who: m.Athlete) -> list[tuple[datetime, float]]:
    """(start, duration in s) of every run, oldest first: the history classification reads."""
    return [(start, duration) for start, duration in db.execute(
        select(m.Activity.start_utc, m.Activity.duration_s).where(
            m.Activity.athlete_id == who.id, m.Activity.sport == "running")
        .order_by(m.Activity.start_utc))]


def run_classes(db: Session, who: m.Athlete) -> dict[int, m.RunClass]:
    """The stored run class of each classified activity, by activity id."""
    return {rc.activity_id: rc for rc in db.scalars(
        select(m.RunClass).join(m.Activity).where(m.Activity.athlete_id == who.id))}


def daily_loads(db: Session, who: m.Athlete, since: date = date.min,
                through: date = date.max) -> Sequence[Any]:
    """(day, load, series) of every classified activity from `since` through `through`:
    one select of just those columns."""
    a = m.Activity
    return db.execute(select(a.local_date, m.RunClass.load, m.RunClass.load_series)
                      .join(m.RunClass).where(a.athlete_id == who.id, a.local_date >= since,
                                              a.local_date <= through)).all()


def first_load_day(db: Session, who: m.Athlete, through: date) -> date | None:
    """The first day through `through` with endurance load: where load history starts
    (RULES.md S7.3 cold start; strength has its own series)."""
    a = m.Activity
    return db.scalar(select(func.min(a.local_date)).join(m.RunClass).where(
        a.athlete_id == who.id, a.local_date <= through, m.RunClass.load_series == "endurance",
        m.RunClass.load > 0))


def runs_by_day(db: Session, who: m.Athlete, through: date, kinds: Collection[str],
                since: date = date.min) -> Sequence[Any]:
    """(day, kind, reasons, traits) of the classified activities from `since` through
    `through` whose kind is one of `kinds` (traits None when classified before traits were
    stored)."""
    return db.execute(select(m.Activity.local_date, m.RunClass.kind, m.RunClass.reasons,
                             m.RunClass.traits)
                      .join(m.RunClass).where(m.Activity.athlete_id == who.id,
                                              m.Activity.local_date >= since,
                                              m.Activity.local_date <= through,
                                              m.RunClass.kind.in_(kinds))).all()


def classified_between(db: Session, who: m.Athlete, first: date,
                       last: date) -> Sequence[Any]:
    """(day, sport, distance_m, duration_s, kind, traits) of every activity from `first` to
    `last`, the class parts None when it is not classified yet."""
    return db.execute(select(m.Activity.local_date, m.Activity.sport, m.Activity.distance_m,
                             m.Activity.duration_s, m.RunClass.kind, m.RunClass.traits)
                      .outerjoin(m.RunClass, m.RunClass.activity_id == m.Activity.id)
                      .where(m.Activity.athlete_id == who.id, m.Activity.local_date >= first,
                             m.Activity.local_date <= last)).all()


def synced_days(db: Session, who: m.Athlete, first: date, last: date) -> set[date]:
    """The days from `first` to `last` of which any activity has been synced."""
    return set(db.scalars(select(m.Activity.local_date).distinct().where(
        m.Activity.athlete_id == who.id, m.Activity.local_date >= first,
        m.Activity.local_date <= last)))


def first_fact_day(db: Session, who: m.Athlete, *, measured: bool = False) -> date | None:
    """The first day anything is known of the athlete: an activity or a wellness record
    (`measured`: a record holding a value the watch measured)."""
    starts = [db.scalar(select(m.Activity.local_date).where(m.Activity.athlete_id == who.id)
                        .order_by(m.Activity.local_date).limit(1)),
              db.scalar(select(m.Wellness.day).where(*_wellness(who, measured))
                        .order_by(m.Wellness.day).limit(1))]
    known = [d for d in starts if d is not None]
    return min(known) if known else None


def last_fact_day(db: Session, who: m.Athlete, *, measured: bool = False) -> date | None:
    """The last day anything is known of the athlete: an activity or a wellness record
    (`measured`: a record holding a value the watch measured)."""
    ends = [db.scalar(select(func.max(m.Activity.local_date)).where(
            m.Activity.athlete_id == who.id)),
            db.scalar(select(func.max(m.Wellness.day)).where(*_wellness(who, measured)))]
    known = [d for d in ends if d is not None]
    return max(known) if known else None


def _wellness(who: m.Athlete, measured: bool) -> list[Any]:
    """The athlete's wellness records; `measured`: only those with a value the watch
    measured, as Garmin gives the training status of any day, a watch synced or not."""
    mine = [m.Wellness.athlete_id == who.id]
    return [*mine, m.Wellness.measured()] if measured else mine


def heart_rate_peaks(db: Session, who: m.Athlete, since: date) -> Sequence[Any]:
    """(day, max HR, name, sport) of the activities after `since` that recorded a max HR."""
    a = m.Activity
    return db.execute(select(a.local_date, a.max_hr, a.name, a.sport).where(
        a.athlete_id == who.id, a.local_date > since, a.max_hr.is_not(None))).all()


def runs_since(db: Session, who: m.Athlete, since: date) -> Sequence[Any]:
    """(id, day, name, content_hash, duration_s, kind, traits) of the runs after `since`,
    newest first; kind and traits None when the run is not classified yet."""
    a = m.Activity
    return db.execute(select(a.id, a.local_date, a.name, a.content_hash, a.duration_s,
                             m.RunClass.kind, m.RunClass.traits)
                      .outerjoin(m.RunClass, m.RunClass.activity_id == a.id)
                      .where(a.athlete_id == who.id, a.sport == "running", a.local_date > since)
                      .order_by(a.start_utc.desc())).all()


def report_activities(db: Session, who: m.Athlete, first: date,
                      last: date) -> Sequence[Any]:
    """The report's activity rows from `first` to `last`: (day, name, sport, duration_s,
    distance_m, kind, load, series, reasons), the class parts None when not analysed yet."""
    return db.execute(select(m.Activity.local_date, m.Activity.name, m.Activity.sport,
                             m.Activity.duration_s, m.Activity.distance_m, m.RunClass.kind,
                             m.RunClass.load, m.RunClass.load_series, m.RunClass.reasons)
                      .outerjoin(m.RunClass, m.RunClass.activity_id == m.Activity.id)
                      .where(m.Activity.athlete_id == who.id, m.Activity.local_date >= first,
                             m.Activity.local_date <= last)
                      .order_by(m.Activity.local_date, m.Activity.start_utc)).all()


def known_garmin_ids(db: Session, who: m.Athlete) -> set[int]:
    """The Garmin ids of the activities already stored (sync skips those not awaited)."""
    return {gid for gid in db.scalars(select(m.Activity.garmin_id).where(
        m.Activity.athlete_id == who.id, m.Activity.garmin_id.is_not(None))) if gid is not None}


def filed_garmin_ids(db: Session, who: m.Athlete) -> set[int]:
    """The Garmin ids of the activities stored from their FIT file (a multisport leg's own
    download is its parent's file: sync does not download it again)."""
    a = m.Activity
    return {gid for gid in db.scalars(select(a.garmin_id).where(
        a.athlete_id == who.id, a.garmin_id.is_not(None), a.content_hash.is_not(None)))
        if gid is not None}


class Wait(NamedTuple):
    day: date  # the activity's
    since: date  # the day its wait began (its own day for one begun before migration 0013)
    retried_on: date | None  # the last night its file was downloaded again by id
    summary: str | None  # its list item's digest in the raw store (None: before 0014)


def awaited_garmin_ids(db: Session, who: m.Athlete) -> dict[int, Wait]:
    """The Garmin ids of the activities stored from their summary while their file is
    awaited, with their waits (sync downloads them again)."""
    a = m.Activity
    return {gid: Wait(day, since or day, retried_on, summary)
            for gid, day, since, retried_on, summary in db.execute(
                select(a.garmin_id, a.local_date, a.awaits_since, a.retried_on,
                       a.awaits_summary).where(a.athlete_id == who.id, a.awaits_file.is_(True)))
            if gid is not None}


def retries_on(db: Session, who: m.Athlete, night: date) -> int:
    """How many files were downloaded again by id on `night`, arrived since or not."""
    a = m.Activity
    return db.scalar(select(func.count()).select_from(a).where(
        a.athlete_id == who.id, a.retried_on == night)) or 0


def known_content_hashes(db: Session, who: m.Athlete) -> set[str]:
    """The content hashes of the FIT files already stored (import skips them)."""
    return {h for h in db.scalars(select(m.Activity.content_hash).where(
        m.Activity.athlete_id == who.id, m.Activity.content_hash.is_not(None))) if h is not None}


def activity_facts(db: Session, who: m.Athlete, since: date = date.min) -> Sequence[Any]:
    """The facts a classification's fingerprint, run history and multisport chains read, of
    every activity from `since` on, oldest first: just those columns, no ORM object."""
    a = m.Activity
    return db.execute(select(a.id, a.start_utc, a.local_date, a.sport, a.sub_sport,
                             a.duration_s, a.elapsed_s, a.avg_hr, a.name, a.content_hash,
                             a.te_label, a.is_race, a.aerobic_te, a.awaits_file)
                      .where(a.athlete_id == who.id, a.local_date >= since)
                      .order_by(a.start_utc)).all()


def fingerprints(db: Session, who: m.Athlete, since: date = date.min) -> dict[int, str]:
    """The fingerprint of the stored class of each activity from `since` on, by id."""
    return dict(db.execute(select(m.RunClass.activity_id, m.RunClass.fingerprint)
                           .join(m.Activity).where(m.Activity.athlete_id == who.id,
                                                   m.Activity.local_date >= since)).all())


def count(db: Session, who: m.Athlete) -> int:
    """How many activities the athlete has."""
    return db.scalar(select(func.count()).select_from(m.Activity)
                     .where(m.Activity.athlete_id == who.id)) or 0


def load_activity(session: Session, activity_id: int) -> d.Activity | None:
    """A stored activity as the domain's Activity, its streams unpacked; None: no such id."""
    row = session.get(m.Activity, activity_id)
    return to_domain(row) if row is not None else None


def to_domain(row: m.Activity) -> d.Activity:
    """A stored activity's row (with its laps, sets and streams) as the domain's Activity."""
    streams = d.Streams.empty()
    if row.stream is not None:
        columns = {name: getattr(row.stream, name) for name in ("t", *d.STREAM_CHANNELS)}
        try:
            streams = packing.unpack_streams(columns, row.stream.samples, row.stream.encoding)
        except ValueError as exc:  # the database was damaged (disk, a hand edit)
            raise DatabaseError(f"activity {row.id} of {row.start_utc:%Y-%m-%d}: its stored "
                                f"samples are damaged ({exc})", REBUILD) from None
    return d.Activity(
        sport=row.sport, sub_sport=row.sub_sport, start=row.start_utc, duration_s=row.duration_s,
        elapsed_s=row.elapsed_s, distance_m=row.distance_m, avg_hr=row.avg_hr,
        max_hr=row.max_hr, aerobic_te=row.aerobic_te, anaerobic_te=row.anaerobic_te,
        training_load=row.training_load, te_label=row.te_label, is_race=row.is_race,
        name=row.name, recording=row.recording, session_index=row.session_index,
        laps=tuple(d.Lap(index=x.index, start=x.start_utc, duration_s=x.duration_s,
                         distance_m=x.distance_m, avg_hr=x.avg_hr, max_hr=x.max_hr,
                         avg_speed=x.avg_speed, intensity=x.intensity,
                         wkt_step_index=x.wkt_step_index, elapsed_s=x.elapsed_s)
                   for x in row.laps),
        sets=strength_sets(row), streams=streams)


def strength_sets(row: m.Activity) -> tuple[d.StrengthSet, ...]:
    return tuple(map(_strength_set, row.sets))


def sets_of(db: Session, ids: Collection[int]) -> dict[int, tuple[d.StrengthSet, ...]]:
    """The sets of the activities `ids`, in order, by activity: a select per IN_BATCH of
    them, not one per activity (sessions whose sets name no exercise are never read back:
    a night reads every one of them again)."""
    found: dict[int, list[d.StrengthSet]] = {i: [] for i in ids}
    ordered = sorted(found)
    for first in range(0, len(ordered), IN_BATCH):
        for s in db.scalars(select(m.StrengthSet)
                            .where(m.StrengthSet.activity_id.in_(ordered[first:first + IN_BATCH]))
                            .order_by(m.StrengthSet.activity_id, m.StrengthSet.index)):
            found[s.activity_id].append(_strength_set(s))
    return {i: tuple(sets) for i, sets in found.items()}


def _strength_set(s: m.StrengthSet) -> d.StrengthSet:
    return d.StrengthSet(index=s.index, set_type=s.set_type, category=s.category,
                         exercise_name=s.exercise_name, reps=s.reps, weight_kg=s.weight_kg,
                         duration_s=s.duration_s)
