"""Storing domain objects: what is stored of an activity, an athlete, a cursor, a lift (a
stored activity read back is db/activities.py's). Callers own the transaction (see
session.transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from db import activities, plans, recordings
from db import activity_rows as rows
from db import models as m
from db import streams as packing
from domain import activity as d
from domain.profile import Profile
from domain.recording import copy_key, same_activity


@dataclass(frozen=True)
class Kept:
    """The stored file of a recording that another file of it was not stored beside (the first
    stored is kept, but a watch's file over its serial-less copy: _replace_copies): its
    content hash, its Garmin id (a synced download) and its day."""

    content_hash: str | None
    garmin_id: int | None
    day: date


@dataclass(frozen=True)
class Saved:
    new: int = 0
    duplicates: int = 0
    upgraded: int = 0  # activities stored from their summary that now have their file
    replaced: int = 0  # activities stored from a serial-less copy, now from the watch's file
    same_as: Kept | None = None  # sessions not stored: another file's content, same recording


def find_athlete(session: Session, name: str) -> m.Athlete | None:
    """The athlete's row if the athlete was ever synced or planned."""
    return session.scalar(select(m.Athlete).where(m.Athlete.name == name))


def athlete(session: Session, profile: Profile) -> m.Athlete:
    """The athlete's row, created on first use and kept in step with the profile's zone."""
    row = session.scalar(select(m.Athlete).where(m.Athlete.name == profile.name))
    if row is None:
        row = m.Athlete(name=profile.name, tz=profile.tz)
        session.add(row)
        session.flush()
    elif row.tz != profile.tz:
        row.tz = profile.tz
    return row


def save_activities(session: Session, who: m.Athlete, activities: list[d.Activity],
                    content_hash: str | None, garmin_id: int | None = None,
                    awaits_file: bool = False, awaits_since: date | None = None,
                    awaits_summary: str | None = None) -> Saved:
    """Store the sessions of one file. The same content, recording (another file of it: the
    sessions by index) or Garmin id twice is stored once; a Garmin id arriving for a file
    imported earlier goes to its first session, as for a new file, and Garmin's summary to
    every session. A file whose first session holds a Garmin id already is that activity's
    (a multisport leg downloads as its parent's whole file).
    `awaits_file`: stored from Garmin's summary while its file is awaited (since the day
    `awaits_since`, from the list item of digest `awaits_summary`); the Garmin id's activity
    stored so is upgraded in place by what comes next."""
    upgraded, wait = 0, (awaits_file, awaits_since, awaits_summary)
    recording = recordings.stored_as(activities[0], recordings.firsts(
        session, who.id, activities[:1])) if activities else None
    waiting = _awaited(session, who.id, garmin_id)
    if waiting is not None:
        stored_file = content_hash is not None and (_find(
            session, who.id, content_hash, recording, 0, None) is not None or _takes_a_copy(
            session, who, [rows.New(act, None, content_hash, garmin_id) for act in activities]))
        # a leg's download is its parent's file, stored already, or the watch's file of a
        # serial-less copy stored beside the summary (it takes the copy's rows): no summary
        if stored_file:
            mark_changed(session, who, waiting.local_date)
            session.delete(waiting)
            session.flush()
        else:
            first, *activities = activities
            _refill(session, who, waiting, rows.New(first, packing.Packed.of(first.streams),
                                                    content_hash, garmin_id, *wait))
            upgraded = int(content_hash is not None)
            if upgraded:
                _drop_summaries(session, who, [first], garmin_id)
    new: list[rows.New] = []
    stored: list[tuple[d.Activity, m.Activity]] = []
    same_as: Kept | None = None
    for act in activities:
        existing = _find(session, who.id, content_hash, recording, act.session_index,
                         garmin_id)
        if existing is None and content_hash is None:  # a summary: its file may be stored
            existing = _file_session_at(session, who.id, act, garmin_id)
        if existing is None:
            new.append(rows.New(act, packing.Packed.of(act.streams), content_hash, garmin_id,
                                *wait))
        else:
            stored.append((act, existing))
            if content_hash not in (None, existing.content_hash) and recording and (
                    existing.recording == recording):  # another file of its recording
                same_as = same_as or Kept(existing.content_hash, existing.garmin_id,
                                          existing.local_date)
    if garmin_id is not None and any(row.session_index == 0 and row.garmin_id is None
                                     for _, row in stored):
        for act, row in stored:
            _apply_summary(row, act)
            row.garmin_id = garmin_id if row.session_index == 0 else None
        mark_changed(session, who, min(row.local_date for _, row in stored))
    done = _insert(session, who, new)
    session.flush()
    return Saved(new=len(new) - done.upgraded - done.replaced,
                 duplicates=len(activities) - len(new), upgraded=upgraded + done.upgraded,
                 replaced=done.replaced, same_as=same_as)


def end_wait(session: Session, who: m.Athlete, garmin_id: int, gone: bool = False) -> None:
    """The activity stored from its summary waits for its file no more: it stays so, or
    (`gone`: deleted in Garmin meanwhile) it goes."""
    row = _awaited(session, who.id, garmin_id)
    if row is None:
        return
    mark_changed(session, who, row.local_date)
    if gone:
        session.delete(row)
    else:
        row.awaits_file, row.awaits_since, row.awaits_summary = False, None, None
    session.flush()


def retried(session: Session, who: m.Athlete, garmin_id: int, night: date) -> None:
    """The Garmin id's file was downloaded again by id on `night` (ingest.sync's retries)."""
    session.execute(update(m.Activity).where(m.Activity.athlete_id == who.id,
                                             m.Activity.garmin_id == garmin_id)
                    .values(retried_on=night))


FitFile = tuple[str, list[tuple[d.Activity, packing.Packed | None]]]  # content hash, sessions


def save_fit_files(session: Session, who: m.Athlete, files: list[FitFile]) -> list[Saved]:
    """Store the sessions of many FIT files at once, as `save_activities` would one by one
    (without Garmin ids): a query each for the contents, the recordings and the files of
    their starts stored already (db.recordings), one INSERT per table. The streams come
    packed (an import packs them in its worker processes)."""
    stored = {(digest, index) for digest, index in session.execute(
        _STORED, {"athlete": who.id, "digests": sorted({digest for digest, _ in files})})}
    firsts = recordings.firsts(session, who.id, [sessions[0][0] for _, sessions in files
                                                 if sessions])
    kept = _recorded(session, who, {act.recording for _, sessions in files
                                    for act, _ in sessions if act.recording}
                     | {recording for at in firsts.values() for recording, *_ in at})
    zone = ZoneInfo(who.tz)
    new: list[rows.New] = []
    saved = []
    for digest, sessions in files:
        fresh, same_as = [], None
        recording = recordings.stored_as(sessions[0][0], firsts) if sessions else None
        for act, packed in sessions:
            if (digest, act.session_index) in stored:
                continue
            first = kept.get((recording, act.session_index)) if recording else None
            if first is None:
                fresh.append(rows.New(act, packed, digest, None))
            else:
                same_as = same_as or first
        stored.update((digest, act.session_index) for act, _ in sessions)  # a copy in `files`
        for one in fresh:  # a file of the same recording later in `files`
            if one.act.recording:
                kept.setdefault((one.act.recording, one.act.session_index),
                                Kept(digest, None, one.act.local_date(zone)))
                if one.act.session_index == 0:
                    recordings.add(firsts, one.act)
        new += fresh
        saved.append(Saved(new=len(fresh), duplicates=len(sessions) - len(fresh),
                           same_as=same_as))
    gave_way = _insert(session, who, new).gave_way
    return [_told_kept(digest, one, gave_way) for (digest, _), one in zip(files, saved,
                                                                        strict=True)]


def _told_kept(digest: str, saved: Saved, gave_way: dict[str, Kept]) -> Saved:
    """A file's outcome as stored: a serial-less copy that gave way to its watch's file later
    in the same commit is a duplicate of that file, as is a file taken for that copy."""
    if digest in gave_way:
        return Saved(duplicates=saved.new + saved.duplicates, same_as=gave_way[digest])
    if saved.same_as is not None and saved.same_as.content_hash in gave_way:
        return replace(saved, same_as=gave_way[saved.same_as.content_hash])
    return saved


def _recorded(session: Session, who: m.Athlete, recordings: set[str]
              ) -> dict[tuple[str, int], Kept]:
    """The stored sessions of `recordings`, by recording and session index: the first stored."""
    kept: dict[tuple[str, int], Kept] = {}
    if recordings:
        for recording, index, digest, garmin_id, day in session.execute(
                _RECORDED, {"athlete": who.id, "recordings": sorted(recordings)}):
            kept.setdefault((recording, index), Kept(digest, garmin_id, day))
    return kept


def _find(session: Session, athlete_id: int, content_hash: str | None, recording: str | None,
          index: int, garmin_id: int | None) -> m.Activity | None:
    """The stored session of that content, else of that recording (the first stored), else
    of that Garmin id: the first session its id's, a later one (a multisport leg) the file's
    of that first session (another file of the activity, a serial-less copy: never stored
    beside it)."""
    a = m.Activity
    if content_hash is not None:
        row = session.scalar(select(a).where(
            a.athlete_id == athlete_id, a.content_hash == content_hash, a.session_index == index))
        if row is not None:
            return row
    if recording is not None:
        row = session.scalars(select(a).where(
            a.athlete_id == athlete_id, a.recording == recording, a.session_index == index
        ).order_by(a.id).limit(1)).first()
        if row is not None:
            return row
    if garmin_id is None:
        return None
    held = session.scalar(select(a).where(a.athlete_id == athlete_id, a.garmin_id == garmin_id))
    if index == 0:
        return held
    if held is None or held.content_hash is None:
        return None
    return session.scalar(select(a).where(a.athlete_id == athlete_id, a.content_hash ==
                                          held.content_hash, a.session_index == index))


def _file_session_at(session: Session, athlete_id: int, act: d.Activity,
                     garmin_id: int | None) -> m.Activity | None:
    """The session of a stored file that is Garmin's summary `act` of `garmin_id`
    (rows.same_activity): a file imported by hand, or a multisport leg in its parent's file."""
    a = m.Activity
    within = timedelta(minutes=1) if act.start == rows.minute(act.start) else timedelta(seconds=1)
    return next((row for row in session.scalars(select(a).where(
        a.athlete_id == athlete_id, a.start_utc >= act.start, a.start_utc < act.start + within,
        a.content_hash.is_not(None)).order_by(a.start_utc, a.id))
        if rows.same_activity(act, row, (garmin_id, row.garmin_id))), None)


def _awaited(session: Session, athlete_id: int, garmin_id: int | None) -> m.Activity | None:
    """The Garmin id's activity stored from its summary while its file is awaited."""
    if garmin_id is None:
        return None
    return session.scalar(select(m.Activity).where(
        m.Activity.athlete_id == athlete_id, m.Activity.garmin_id == garmin_id,
        m.Activity.awaits_file.is_(True)))


def _refill(session: Session, who: m.Athlete, row: m.Activity, new: rows.New) -> None:
    """Another version of a stored activity (the file that arrived for its summary) in its
    row: the same id, every value, lap, set and sample from `new`. Its days are analysed
    again (its local day may move: the file has its own UTC offset); sets read back from it
    stay read back under its new key (read again, they counted twice in the progression)."""
    values = rows.values(who, new, ZoneInfo(who.tz))
    mark_changed(session, who, min(row.local_date, cast(date, values["local_date"])))
    key = plans.source_key  # the key its sets are read back under, before and after
    plans.move_read_back(session, who, key(row.content_hash, row.garmin_id, row.session_index),
                         key(new.content_hash, cast(int | None, values["garmin_id"]),
                             new.act.session_index))
    for model in (m.Lap, m.StrengthSet, m.Stream):
        table = rows.table(model)
        session.execute(delete(table).where(table.c.activity_id == row.id))
    session.execute(update(rows.ACTIVITIES).where(rows.ACTIVITIES.c.id == row.id)
                    .values(**values))
    session.expire(row)
    rows.insert_parts(session, [row.id], [new])


def _refill_keeping_garmin(session: Session, who: m.Athlete, row: m.Activity, one: rows.New,
                           new: list[rows.New], held: int | None) -> None:
    """`_refill` of a row of the Garmin activity `held` (its id on the row, or on its file's
    first row: a multisport leg's parent's) with the file of `one`, one of `new`: the row
    keeps its Garmin id (so no sync downloads it again) and what only Garmin's summary knows
    of it (a sync puts it on every leg), where the file came by hand (None) or as a leg's
    download; and Garmin's exercise sets where the file has none (as a sync overlays them)."""
    garmin_id = row.garmin_id if row.garmin_id is not None else one.garmin_id
    garmin_knows = activities.to_domain(row) if held is not None else None
    if garmin_knows is not None and garmin_knows.sets and not one.act.sets:
        one = replace(one, act=replace(one.act, sets=garmin_knows.sets))
    _refill(session, who, row, replace(one, garmin_id=garmin_id))
    if garmin_knows is not None and one.garmin_id != held:
        _apply_summary(row, garmin_knows, one_session=not any(
            other.content_hash == one.content_hash and other.act.session_index
            for other in new))


def _apply_summary(row: m.Activity, act: d.Activity, one_session: bool = True) -> None:
    """Garmin's summary knows things a FIT file does not (label, race flag, name) and has the
    last word on its load and training effect, as a sync's overlay gives it
    (ingest.garmin_activity); a multisport summary's are the whole's, and fit no single leg."""
    row.name = act.name or row.name
    row.is_race = act.is_race or row.is_race
    if one_session:
        row.te_label = act.te_label or row.te_label
        for field in ("training_load", "aerobic_te", "anaerobic_te"):
            if getattr(act, field) is not None:
                setattr(row, field, getattr(act, field))


@dataclass(frozen=True)
class _Inserted:
    """What `_insert` did besides inserting: how many of the new sessions upgraded a stored
    summary, how many took a stored serial-less copy's place, and the serial-less copies
    among them that gave way to a watch's file after them (by content hash: that file)."""

    upgraded: int
    replaced: int
    gave_way: dict[str, Kept]


def _insert(session: Session, who: m.Athlete, new: list[rows.New]) -> _Inserted:
    """New activities with their laps, sets and streams: one multi-row INSERT per table, no
    ORM object per row (an import stores thousands), but those that upgrade a summary or
    replace a serial-less copy (_Inserted)."""
    fresh = _upgrade_summaries(session, who, new)
    rest, refilled, gave_way = _replace_copies(session, who, fresh,
                                               {one.content_hash for one in new})
    done = _Inserted(len(new) - len(fresh), refilled, gave_way)
    if not rest:
        return done
    zone = ZoneInfo(who.tz)
    ids = session.scalars(rows.INSERT_ACTIVITIES, [rows.values(who, row, zone)
                                                   for row in rest]).all()
    mark_changed(session, who, min(row.act.local_date(zone) for row in rest))
    rows.insert_parts(session, ids, rest)
    return done


def _upgrade_summaries(session: Session, who: m.Athlete, new: list[rows.New]) -> list[rows.New]:
    """The sessions of a file that start when an activity of their kind stored from Garmin's
    summary does (awaiting its file, or for good: its wait over, a manual entry) upgrade that
    row in place: the file imported by hand, or a multisport leg in its parent's file (the
    leg's own download). The row keeps its Garmin id and what only Garmin knows of it. The
    others are returned, to insert."""
    starts = {start for row in new if row.content_hash is not None
              for start in (row.act.start, rows.minute(row.act.start))}
    if not starts:
        return new
    found = session.scalars(_SUMMARIES_AT, {"athlete": who.id, "starts": sorted(starts)}).all()
    if not found:
        return new
    rest, left = [], list(found)  # the first stored of a start first: a multisport parent
    for one in new:
        summary = next((row for row in left if rows.same_activity(
            row, one.act, (row.garmin_id, one.garmin_id))), None) if (
            one.content_hash is not None) else None
        if summary is None:
            rest.append(one)
            continue
        left.remove(summary)
        _refill_keeping_garmin(session, who, summary, one, new, summary.garmin_id)
    # the summaries at those starts not upgraded: what a second select would find now
    _drop_same(session, who, left, [(one.act, one.garmin_id) for one in new
                                    if one.content_hash is not None])
    return rest


def _replace_copies(session: Session, who: m.Athlete, new: list[rows.New],
                    committed: set[str | None]) -> tuple[list[rows.New], int, dict[str, Kept]]:
    """A watch's file (its serial number known) among `new` whose serial-less copy was stored
    first, or came before it among `new`, takes the copy's place (db.recordings.copy_of): the
    stored copy's rows refilled in place, session by session (the same ids: what refers to
    them follows), a copy among `new` left out. So the watch's file is kept whichever came
    first (a copy after it is not stored: stored_as), and of two watches started in one
    second after a copy, both files. Not a copy of other sessions, nor of another Garmin id.
    The rest to insert, how many stored rows were refilled, and the copies of this commit
    (`committed`: its files) that gave way, by content hash (the watch's file kept): left
    out of `new`, or stored just now by upgrading a summary and refilled."""
    files: dict[str, list[rows.New]] = {}
    for one in new:
        if one.content_hash is not None:
            files.setdefault(one.content_hash, []).append(one)
    heads = [sessions[0].act for sessions in files.values()
             if sessions[0].act.session_index == 0]
    if not any(act.recording and copy_key(act.recording) for act in heads):
        return new, 0, {}
    stored = recordings.firsts(session, who.id, heads)
    copies: dict[str, list[rows.New]] = {}  # the serial-less files before, among `new`
    gone: set[int] = set()  # not to insert: copies replaced, files refilling stored copies
    gave_way: dict[str, Kept] = {}
    refilled = 0
    for sessions in files.values():
        first = sessions[0].act
        if first.session_index != 0 or first.recording is None:
            continue
        copy = recordings.copy_of(first, stored)
        if copy is None:
            if copy_key(first.recording) is None:
                copies[first.recording] = sessions
            recordings.add(stored, first)
            continue
        pending = copies.pop(copy, None)
        kept = Kept(sessions[0].content_hash, sessions[0].garmin_id,
                    first.local_date(ZoneInfo(who.tz)))
        if pending is not None and _same_sessions([one.act for one in pending], sessions):
            gone.update(id(one) for one in pending)
            gave_way[cast(str, pending[0].content_hash)] = kept
        elif rows_of_copy := _copy_rows(session, who, copy, sessions):
            if rows_of_copy[0].content_hash in committed:  # it upgraded a summary just now
                gave_way[cast(str, rows_of_copy[0].content_hash)] = kept
            held = rows_of_copy[0].garmin_id  # a multisport copy's legs hold none
            for row, one in zip(rows_of_copy, sessions, strict=True):
                _refill_keeping_garmin(session, who, row, one, new, held)
            gone.update(id(one) for one in sessions)
            refilled += len(sessions)
        else:  # kept beside its copy, as before
            recordings.add(stored, first)
            continue
        recordings.replaced(stored, copy, first)
    return [one for one in new if id(one) not in gone], refilled, gave_way


def _takes_a_copy(session: Session, who: m.Athlete, sessions: list[rows.New]) -> bool:
    """Whether the file of `sessions` takes the rows of a stored serial-less copy of it
    (_replace_copies)."""
    if not sessions:
        return False
    first = sessions[0].act
    copy = recordings.copy_of(first, recordings.firsts(session, who.id, [first]))
    return copy is not None and bool(_copy_rows(session, who, copy, sessions))


def _copy_rows(session: Session, who: m.Athlete, copy: str, sessions: list[rows.New]
               ) -> list[m.Activity]:
    """The stored sessions of the serial-less copy `copy` of the file of `sessions`, by
    index; none where they are not its sessions, or where the copy and the file are two
    Garmin ids' activities (a copy of one Garmin id takes the file by hand, or of its id)."""
    found = list(session.scalars(_COPY_ROWS, {"athlete": who.id, "recording": copy}))
    ids = {row.garmin_id for row in found} | {sessions[0].garmin_id}
    return found if len(ids - {None}) <= 1 and _same_sessions(found, sessions) else []


def _same_sessions(copy: Sequence[d.Activity | m.Activity], sessions: list[rows.New]) -> bool:
    """Whether a copy's sessions are those of a file: by index, each the same activity."""
    if [one.session_index for one in copy] != [one.act.session_index for one in sessions]:
        return False
    return all(same_activity(a.sport, a.duration_s, one.act.sport, one.act.duration_s)
               for a, one in zip(copy, sessions, strict=True))


def _drop_summaries(session: Session, who: m.Athlete, acts: list[d.Activity],
                    garmin_id: int | None) -> None:
    """The activities still stored from a summary that are sessions of a file (of
    `garmin_id`) stored now: the same sessions again (a multisport parent's first leg starts
    with it)."""
    starts = sorted({start for act in acts for start in (act.start, rows.minute(act.start))})
    _drop_same(session, who, session.scalars(_SUMMARIES_AT, {"athlete": who.id,
                                                             "starts": starts}).all(),
               [(act, garmin_id) for act in acts])


def _drop_same(session: Session, who: m.Athlete, summaries: Sequence[m.Activity],
               files: list[tuple[d.Activity, int | None]]) -> None:
    """Of `summaries`, those that are one of the `files`' sessions (with their Garmin ids:
    rows.same_activity), deleted."""
    for row in summaries:
        if any(rows.same_activity(row, act, (row.garmin_id, gid)) for act, gid in files):
            mark_changed(session, who, row.local_date)
            session.delete(row)
    session.flush()


# Built once (see db/activity_rows.py): each commit of an import asks the first two.
_COPY_ROWS = select(m.Activity).where(
    m.Activity.athlete_id == bindparam("athlete"),
    m.Activity.recording == bindparam("recording")).order_by(m.Activity.session_index)
_STORED = select(rows.ACTIVITIES.c.content_hash, rows.ACTIVITIES.c.session_index).where(
    rows.ACTIVITIES.c.athlete_id == bindparam("athlete"),
    rows.ACTIVITIES.c.content_hash.in_(bindparam("digests", expanding=True)))
_RECORDED = select(rows.ACTIVITIES.c.recording, rows.ACTIVITIES.c.session_index,
                   rows.ACTIVITIES.c.content_hash, rows.ACTIVITIES.c.garmin_id,
                   rows.ACTIVITIES.c.local_date).where(
    rows.ACTIVITIES.c.athlete_id == bindparam("athlete"),
    rows.ACTIVITIES.c.recording.in_(bindparam("recordings", expanding=True))
).order_by(rows.ACTIVITIES.c.id)
# The activities stored from a summary (no file) at some starts (by start, indexed: a commit
# holds a few dozen files), the first stored first.
_SUMMARIES_AT = select(m.Activity).where(
    m.Activity.athlete_id == bindparam("athlete"),
    m.Activity.start_utc.in_(bindparam("starts", expanding=True)),
    m.Activity.content_hash.is_(None)).order_by(m.Activity.id)
_MARK_CHANGED = update(rows.ATHLETES).where(
    rows.ATHLETES.c.id == bindparam("athlete"),
    or_(rows.ATHLETES.c.facts_changed_from.is_(None),
        rows.ATHLETES.c.facts_changed_from > bindparam("day"))
).values(facts_changed_from=bindparam("day"))


def mark_changed(session: Session, who: m.Athlete, day: date) -> None:
    """Note that the facts of `day` changed: the next analysis (jobs/analyse.py) looks
    again from there (only ever moves back until the analysis takes it). An update by id:
    importers hold a detached athlete row. A Core update (0.35 against 0.6 ms a commit of
    an import): only `take_changed` reads the column, so the ORM's sync of loaded rows is moot."""
    session.execute(_MARK_CHANGED, {"athlete": who.id, "day": day})


def take_changed(session: Session, who: m.Athlete) -> date | None:
    """The first day whose facts changed since the last call (None: none), forgotten."""
    a = m.Athlete
    day = session.scalar(select(a.facts_changed_from).where(a.id == who.id))
    if day is not None:
        session.execute(update(a).where(a.id == who.id).values(facts_changed_from=None))
    return day


ORIGIN = "origin"  # sync cursor: the first day any sync fetched


def cursor(session: Session, who: m.Athlete, stream: str) -> str | None:
    row = session.get(m.SyncCursor, (who.id, stream))
    return row.value if row is not None else None


def set_cursor(session: Session, who: m.Athlete, stream: str, value: str) -> None:
    row = session.get(m.SyncCursor, (who.id, stream))
    if row is None:
        session.add(m.SyncCursor(athlete_id=who.id, stream=stream, value=value))
    else:
        row.value = value
    session.flush()


def cursors_from(session: Session, who: m.Athlete, prefix: str) -> dict[str, str]:
    """The cursors whose stream starts with `prefix` (notes kept per activity), by stream."""
    rows = session.execute(select(m.SyncCursor.stream, m.SyncCursor.value).where(
        m.SyncCursor.athlete_id == who.id, m.SyncCursor.stream.startswith(prefix, autoescape=True)))
    return {stream: value for stream, value in rows}


def delete_cursor(session: Session, who: m.Athlete, stream: str) -> None:
    session.execute(delete(m.SyncCursor).where(m.SyncCursor.athlete_id == who.id,
                                               m.SyncCursor.stream == stream))


def add_lifts(session: Session, who: m.Athlete, day: date,
              lifted: list[tuple[str, list[int], float | None]], *, session_key: str | None,
              lightened: bool = False, rpe: float | None = None,
              source: str | None = None) -> None:
    """Store what was lifted (exercise id, reps per set, kg): double progression's history."""
    for exercise_id, reps, load in lifted:
        session.add(m.Lift(athlete_id=who.id, session_key=session_key, day=day,
                           exercise_id=exercise_id, reps=list(reps), load_kg=load,
                           lightened=lightened, rpe=rpe, source=source))


def forget_synced(session: Session, who: m.Athlete) -> None:
    """Delete the athlete's activities, wellness days and calendar runs: what a rebuild
    recreates from the raw payloads."""
    for table in (m.Activity, m.Wellness, m.PlannedRun):
        session.execute(delete(table).where(table.athlete_id == who.id))
