"""An activity's rows as Core statements write them: its values, its laps, sets and streams,
and the statements every commit of an import runs, built once. No ORM object per row: an
import stores thousands (db/repo.py decides what is stored; this writes it). And which
stored summary a file's session is (same_activity)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from db import models as m
from db import streams as packing
from domain import activity as d


@dataclass(frozen=True)
class New:
    """An activity to store, with its streams packed."""

    act: d.Activity
    packed: packing.Packed | None
    content_hash: str | None
    garmin_id: int | None
    awaits_file: bool = False
    awaits_since: date | None = None  # the day its wait began (None: before 0013)
    awaits_summary: str | None = None  # the list item's digest (None: before 0014)


def table(model: type[m.Base]) -> Table:
    """The model's table: Core statements skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


# SQLAlchemy finds a statement's compiled SQL by a key it computes from the statement, once per
# statement object. Built anew each commit, building and keying them took ~15 % of an import's
# database time (200 one-hour runs in commits of 16: 41-45 -> 35-39 ms of CPU).
ACTIVITIES, ATHLETES = table(m.Activity), table(m.Athlete)
INSERT_ACTIVITIES = insert(ACTIVITIES).returning(ACTIVITIES.c.id, sort_by_parameter_order=True)
_INSERT_LAPS, _INSERT_SETS, _INSERT_STREAMS = (insert(table(model))
                                               for model in (m.Lap, m.StrengthSet, m.Stream))


def values(who: m.Athlete, row: New, zone: ZoneInfo) -> dict[str, object]:
    """The activity row's values (a Garmin id on a file's first session only)."""
    act, garmin_id = row.act, row.garmin_id
    return dict(
        athlete_id=who.id, garmin_id=garmin_id if act.session_index == 0 else None,
        content_hash=row.content_hash, session_index=act.session_index, name=act.name,
        sport=act.sport, sub_sport=act.sub_sport, start_utc=act.start,
        local_date=act.local_date(zone), duration_s=act.duration_s,
        elapsed_s=act.elapsed_s, distance_m=act.distance_m, avg_hr=act.avg_hr,
        max_hr=act.max_hr, aerobic_te=act.aerobic_te, anaerobic_te=act.anaerobic_te,
        te_label=act.te_label, is_race=act.is_race, training_load=act.training_load,
        recording=act.recording, awaits_file=row.awaits_file, awaits_since=row.awaits_since,
        awaits_summary=row.awaits_summary)


def insert_parts(session: Session, ids: Sequence[int], new: list[New]) -> None:
    """The laps, sets and streams of the activities `ids`, stored from `new`."""
    laps = [dict(activity_id=i, index=lap.index, start_utc=lap.start, duration_s=lap.duration_s,
                 distance_m=lap.distance_m, avg_hr=lap.avg_hr, max_hr=lap.max_hr,
                 avg_speed=lap.avg_speed, intensity=lap.intensity,
                 wkt_step_index=lap.wkt_step_index, elapsed_s=lap.elapsed_s)
            for i, row in zip(ids, new, strict=True) for lap in row.act.laps]
    sets = [dict(activity_id=i, index=s.index, set_type=s.set_type, category=s.category,
                 exercise_name=s.exercise_name, reps=s.reps, weight_kg=s.weight_kg,
                 duration_s=s.duration_s)
            for i, row in zip(ids, new, strict=True) for s in row.act.sets]
    streams = [dict(activity_id=i, samples=row.packed.samples, encoding=packing.ENCODING,
                    **row.packed.columns)
               for i, row in zip(ids, new, strict=True) if row.packed is not None]
    for statement, rows in ((_INSERT_LAPS, laps), (_INSERT_SETS, sets),
                            (_INSERT_STREAMS, streams)):
        if rows:
            session.execute(statement, rows)


def same_activity(summary: m.Activity | d.Activity, file: d.Activity | m.Activity,
                  ids: tuple[int | None, int | None]) -> bool:
    """Whether a file's session is the activity of Garmin's summary (`ids`: their Garmin
    ids): it starts then (or, for a summary on the whole minute, as a manual entry's start
    is, within that minute; not for the file of another Garmin activity: two sessions begun
    in one minute, 17:00:00 and 17:00:40, are two, and two ids are one activity only at one
    second, a multisport leg in its parent's file) and is of its kind (a strength session
    typed in at 06:00 and another watch's run starting 06:00:00 are two); a multisport
    summary is its first leg's, whatever its sport."""
    begun, kind, at = start(summary), d.kind(summary.sport, summary.sub_sport), start(file)
    two = None not in ids and ids[0] != ids[1]
    return begun in ((at,) if two else (at, minute(at))) and kind in (
        "multisport", d.kind(file.sport, file.sub_sport))


def start(act: m.Activity | d.Activity) -> datetime:
    return act.start_utc if isinstance(act, m.Activity) else act.start


def minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)
