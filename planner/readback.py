"""Match a recorded strength activity to the planned session it fulfils (pure).

A watch-recorded strength session is matched to the session planned on its day or the next
(a session done a day early still counts), by the exercises they share; Garmin's exercise
category and name map to the catalogue. An activity that matches no session is
unplanned work: it still counts toward the week's heavy lower-body cap (S4).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from domain.activity import StrengthSet
from planner.catalog import Catalog, Exercise
from planner.model import Session, week_start
from planner.progression import LoggedLift, full


@dataclass(frozen=True)
class Performed:
    """One exercise as recorded: reps per working set and the heaviest load used."""

    exercise_id: str
    reps: tuple[int, ...]
    load_kg: float | None


def performed(sets: Sequence[StrengthSet], catalog: Catalog,
              planned: Collection[str] = ()) -> list[Performed]:
    """The working sets grouped by catalogue exercise; sets that map to nothing are ignored.
    Where catalogue exercises share Garmin's category and name (a pistol squat on a box and
    one without: the watch knows one name), the one in `planned` (the exercises of the
    sessions it may fulfil) is meant, else the first in the catalogue."""
    by_name: dict[tuple[str, str], list[Exercise]] = defaultdict(list)
    by_category: dict[str, list[Exercise]] = defaultdict(list)
    for exercise in catalog.exercises.values():
        by_name[(exercise.garmin_category, exercise.garmin_name)].append(exercise)
        by_category[exercise.garmin_category].append(exercise)
    reps: dict[str, list[int]] = defaultdict(list)
    loads: dict[str, list[float]] = defaultdict(list)
    for s in sets:
        if s.set_type != "active" or s.category is None:
            continue
        named = by_name.get((s.category, s.exercise_name or "")) or [
            e for e in by_category.get(s.category, []) if len(by_category[s.category]) == 1]
        if not named:  # unknown, or a category alone that several exercises share
            continue
        e = next((e for e in named if e.id in planned), named[0])
        reps[e.id].append(s.reps or 0)
        if s.weight_kg:
            loads[e.id].append(s.weight_kg)
    return [Performed(i, tuple(r), max(loads[i]) if loads[i] else None) for i, r in reps.items()]


def candidates(day: date, sessions: Sequence[Session]) -> list[Session]:
    """The sessions a strength activity of `day` may fulfil: that day's or the next's."""
    return [s for s in sessions if s.day in (day, day + timedelta(days=1))]


def match(day: date, done: Sequence[Performed], sessions: Sequence[Session]) -> Session | None:
    """The session of `day` or the next that shares the most exercises, if any does.
    `sessions` are the candidates: the caller decides which may still be matched."""
    ids = {p.exercise_id for p in done}
    scored = [(len(ids & {p.exercise_id for p in s.exercises}), -abs((s.day - day).days), s)
              for s in candidates(day, sessions)]
    best = max(scored, key=lambda x: (x[0], x[1]), default=None)
    return best[2] if best is not None and best[0] > 0 else None


@dataclass(frozen=True)
class Recorded:
    """A strength activity the watch recorded that was not read back yet."""

    source: str  # the activity's stable key (a rebuild keeps it)
    day: date
    sets: tuple[StrengthSet, ...]


@dataclass(frozen=True)
class LiftRecord:
    """One exercise lifted, as stored: by hand (no source) or read from the watch, in a
    planned session or outside the plan (no session)."""

    lift: LoggedLift
    session_key: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class ReadBack:
    """What the watch's records change: sessions done, lifts to store, and the sessions whose
    record came by hand before (the watch's replaces it)."""

    sessions: list[Session]
    lifts: list[LiftRecord]
    replaced: list[str]

    def history(self, stored: Sequence[LiftRecord]) -> list[LiftRecord]:
        """Everything lifted after the read-back, by day, each day in the order stored."""
        kept = [r for r in stored if kept_by(r, self.replaced)]
        return sorted([*kept, *self.lifts], key=lambda r: r.lift.day)


def kept_by(r: LiftRecord, replaced: Collection[str]) -> bool:
    """Whether a stored record stays when the watch's records replace the sessions of
    `replaced`: all but the records by hand of those."""
    return r.source is not None or r.session_key not in replaced


def may_fulfil(recorded: Sequence[Recorded], sessions: Sequence[Session]) -> set[str]:
    """The sessions the recorded activities may fulfil (`read_back`): whether the watch's
    record of each came already, and its record by hand the watch's would replace."""
    return {s.id for activity in recorded for s in candidates(activity.day, sessions)}


def read_back(recorded: Sequence[Recorded], sessions: Sequence[Session], catalog: Catalog,
              stored: Sequence[LiftRecord]) -> ReadBack:
    """Each recorded activity, oldest first, matched to the session it fulfils (that session
    done); the exercises outside it are unplanned work (they count for S4)."""
    plan = {s.id: s for s in sessions}
    watched = {r.session_key for r in stored if r.source is not None}
    lifts: list[LiftRecord] = []
    replaced: list[str] = []
    for activity in recorded:
        # Any session not skipped and not read from the watch yet: open ones, pinned ones
        # (pinning stops moves, not training), and done ones whose record came by hand.
        open_ = [s for s in plan.values() if s.status != "skipped" and s.id not in watched]
        near = {p.exercise_id for s in candidates(activity.day, open_) for p in s.exercises}
        done = performed(activity.sets, catalog, near)
        if not done:
            continue
        session = match(activity.day, done, open_)
        if session is not None and session.status == "done":  # entered by hand before
            replaced.append(session.id)
        lifts += _records(activity, done, session)
        if session is not None:
            plan[session.id] = session.with_(status="done")
            watched.add(session.id)
    return ReadBack(list(plan.values()), lifts, replaced)


def _records(activity: Recorded, done: Sequence[Performed],
             session: Session | None) -> list[LiftRecord]:
    """The session's own exercises first, then the extra ones (unplanned work)."""
    planned = {p.exercise_id for p in session.exercises} if session else set()
    lightened = session is not None and session.status == "lightened"
    out = []
    for in_plan in (True, False):
        out += [LiftRecord(LoggedLift(activity.day, p.exercise_id, p.reps, p.load_kg,
                                      in_plan and lightened),
                           session.id if session and in_plan else None, activity.source)
                for p in done if (p.exercise_id in planned) == in_plan]
    return out


def progression_history(records: Sequence[LiftRecord],
                        sessions: Sequence[Session]) -> list[LoggedLift]:
    """The lifts as double progression reads them: a deload's lifts are lighter by design
    and, like a lightened session's, never raise load (RULES.md S5), so the loads after the
    deload week go on from the last full session's, not 10 % below them. Not a deload that
    resumed after a layoff: it lifted the layoff's 90 % (the deeper cut, taken once), the
    load S5 resumes from, as a build week's first session back would."""
    named = {r.session_key for r in records}  # the sessions the records are of, not years
    deload = deload_lifts([s for s in sessions if s.id in named])  # of every exercise
    return [as_progression(r, deload) for r in records]


Deload = frozenset[tuple[str, str]]  # (session, exercise) lifted lighter by design


def deload_lifts(sessions: Sequence[Session]) -> Deload:
    """The exercises of deload sessions that did not resume after a layoff
    (`progression_history`)."""
    return frozenset((s.id, p.exercise_id) for s in sessions for p in s.exercises
                     if p.phase == "deload" and p.resumed_from is None)


def as_progression(r: LiftRecord, deload: Deload) -> LoggedLift:
    """One record as double progression reads it (`progression_history`)."""
    return replace(r.lift, lightened=True) if (r.session_key, r.lift.exercise_id) in deload \
        else r.lift


@dataclass
class Reach:
    """How far back a night reads one exercise's stored records, newest first: each one read
    is `reached` until the night has all it can use of them (RULES.md S5 as
    planner.prescriptions reads them). The last full lift (`progression.full`) and the last
    full one of an earlier week (a deload week's loads leave out the lifts of its own week)
    give the loads and reps; the latest record before `since` (from which on any day may be
    prescribed for; an older day is read apart, jobs.replan.night_lifts), with those from
    `since` on, its layoff (the athlete's last lift by the day). A record by hand of a
    session in `replaceable` (the watch's record may replace it tonight) counts for none of
    it, but is read."""

    since: date
    deload: Deload
    replaceable: Collection[str]
    full_weeks: list[date] = field(default_factory=list)  # Mondays: the last, an earlier one
    before_since: bool = False

    def reached(self, r: LiftRecord) -> bool:
        """Whether the records read so far, `r` the oldest, are all the night needs."""
        if kept_by(r, self.replaceable):
            monday = week_start(r.lift.day)
            if full(as_progression(r, self.deload)) and (
                    not self.full_weeks or monday < self.full_weeks[0]):
                self.full_weeks.append(monday)
            self.before_since = self.before_since or r.lift.day < self.since
        return len(self.full_weeks) >= 2 and self.before_since


def unplanned_heavy(lifts: Sequence[LiftRecord], catalog: Catalog) -> dict[date, int]:
    """Heavy lower-body exercises the watch recorded outside the plan, per week (Monday)."""
    counts: Counter[date] = Counter()
    for r in lifts:
        exercise = catalog.exercises.get(r.lift.exercise_id)
        if r.session_key is None and r.source is not None and exercise is not None \
                and exercise.high_resistance_lower_body:
            counts[week_start(r.lift.day)] += 1
    return dict(counts)
