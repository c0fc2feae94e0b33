"""Which stored recording a FIT file's recording is (db.repo stores one file of each): its own
key, or that of the file it is a serial-less copy of (domain.recording.serial_dropped); and
the stored serial-less copy a watch's file takes the place of (copy_of): told by the first
sessions, which start at one time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from db import models as m
from domain import activity as d
from domain.recording import copy_key, same_activity, serial_dropped

Recorded = tuple[str, str, float]  # a stored file's recording, its first session's sport, time
ByStart = dict[datetime, list[Recorded]]  # by when the first session starts (to the second)

# The first sessions of the stored files of recordings at some starts (by start, indexed; a
# FIT file's times are whole seconds), the first stored first: a commit of an import asks once.
_FIRSTS = select(m.Activity.recording, m.Activity.sport, m.Activity.duration_s,
                 m.Activity.start_utc).where(
    m.Activity.athlete_id == bindparam("athlete"), m.Activity.session_index == 0,
    m.Activity.recording.is_not(None),
    m.Activity.start_utc.in_(bindparam("starts", expanding=True))).order_by(m.Activity.id)


def second(start: datetime) -> datetime:
    return start.replace(microsecond=0)


def firsts(session: Session, athlete_id: int, acts: Iterable[d.Activity]) -> ByStart:
    """The stored first sessions starting when the first sessions `acts` start."""
    starts = sorted({act.start for act in acts if act.recording})
    found: ByStart = {}
    if starts:
        for recording, sport, duration_s, start in session.execute(_FIRSTS, {
                "athlete": athlete_id, "starts": starts}):
            if recording is not None:
                found.setdefault(second(start), []).append((recording, sport, duration_s))
    return found


def stored_as(first: d.Activity, stored: ByStart) -> str | None:
    """The recording the file whose first session is `first` is stored under: its own, else
    the one it is a serial-less copy of, the same activity (sport, timer time); its own
    where two would fit (never a guess between them)."""
    if first.recording is None:
        return None
    copies = set()
    for recording, sport, duration_s in stored.get(second(first.start), []):
        if recording == first.recording:
            return recording
        if serial_dropped(recording, first.recording) and same_activity(
                first.sport, first.duration_s, sport, duration_s):
            copies.add(recording)
    return copies.pop() if len(copies) == 1 else first.recording


def copy_of(first: d.Activity, stored: ByStart) -> str | None:
    """The recording of a stored serial-less copy of the file whose first session is `first`,
    a watch's file (its serial number known); whether it holds the same sessions is the
    caller's to tell. None where the copy may be another watch's: a file of another serial
    number of its model starting then is stored (a copy stored after two is neither's:
    stored_as)."""
    key = copy_key(first.recording) if first.recording else None
    at = [recording for recording, *_ in stored.get(second(first.start), [])]
    if key is None or key not in at or any(
            copy_key(recording) == key and recording != first.recording for recording in at):
        return None
    return key


def replaced(stored: ByStart, copy: str, first: d.Activity) -> None:
    """Count a copy's file replaced by the watch's, whose first session is `first`."""
    at = stored[second(first.start)]
    at[:] = [one for one in at if one[0] != copy]
    add(stored, first)


def add(stored: ByStart, first: d.Activity) -> None:
    """Count a file's first session just stored (a copy later in the same commit)."""
    if first.recording:
        stored.setdefault(second(first.start), []).append(
            (first.recording, first.sport, first.duration_s))
