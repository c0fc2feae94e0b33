"""Keep an athlete's plan current: load the facts once (the watch's sessions read back
first), bring the plan up to date through the night in one call of the pure core
(planner.catch_up: every night since the last one adapted, the weeks coming into view
planned, the prescriptions refreshed), and write the decisions once."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import ScalarResult
from sqlalchemy.orm import Session as DbSession

from analysis.titles import planned_kind
from db import activities, plans, repo
from db import models as m
from domain.profile import Profile, Race
from domain.run import RUN_KINDS
from domain.words import counted
from jobs.analyse import analyse
from jobs.errors import EXERCISE_IDS, SESSION_IDS, NoSession, PlanConfigError
from jobs.errors import PlanError as PlanError  # raised here; the shell names it
from planner.adapt import PINNED_RULE, Recovery
from planner.catalog import Catalog
from planner.catalog_file import default_catalog
from planner.catch_up import (
    Decisions,
    PlanFacts,
    catch_up,
    first_week,
    prescribed_on,
    window,
)
from planner.lifter import Lifter
from planner.model import Adjustment, Prescription, RunDay, Session, days_in_words, week_start
from planner.morning import MORNING_RULE
from planner.plan_changes import (
    basis,
    basis_changes,
    differences,
    reopened_ahead,
    week_differences,
    with_equipment,
)
from planner.progression import LoggedLift
from planner.races import Leg, RaceDay, entered, found_races
from planner.readback import (
    LiftRecord,
    Reach,
    Recorded,
    deload_lifts,
    may_fulfil,
    progression_history,
)
from planner.runs import RunFacts, RunPlan, horizon

WEEKS_AHEAD = 2
FIRST_MONDAY, LAST_NIGHT = "plan.first_monday", "plan.last_night"
PROFILE_RULE = "Profile changed"  # the rule of a session of a week planned again for it
FOUND_RACES_DAYS = 30  # a post-race window (14 days at most) and the first session back


@dataclass
class PlanReport:
    nights: int = 0
    adjustments: list[Adjustment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plan: list[Session] = field(default_factory=list)  # every session as it now stands
    # pinned sessions S6 would move, kept (S7.4), as they stand: `plan` warns of them
    pinned: list[Adjustment] = field(default_factory=list)


def check_weights(profile: Profile, catalog: Catalog | None = None) -> None:
    """PlanConfigError when the known weights name an exercise the catalogue does not hold."""
    unknown = sorted(set(profile.known_kg) - set((catalog or default_catalog()).exercises))
    if unknown:
        raise PlanConfigError(f"athlete {profile.name!r}: [weights] names unknown "
                              f"exercise(s) {', '.join(unknown)}", EXERCISE_IDS)


def replan(db: DbSession, profile: Profile, night: date, catalog: Catalog | None = None,
           weeks_ahead: int = WEEKS_AHEAD, analysed: bool = False,
           day_after: bool = False) -> PlanReport:
    """Bring the plan up to date through `night` (idempotent: the same night twice changes
    nothing the second time): the facts loaded once, the planner called once, the decisions
    written once. `analysed`: the runs and daily statuses are already current through the
    night (a replay analyses its whole period once). `day_after`: the pass runs on the day
    after the night (a nightly_at before noon, the morning pass), so the runs and lifts
    already synced of that day are facts (S6: a speed run this morning moves today's
    session; a session lifted this morning is done, not moved)."""
    catalog = catalog or default_catalog()
    check_weights(profile, catalog)
    seen = night + timedelta(days=1) if day_after else night
    if not analysed:
        analyse(db, profile, seen)
    who = repo.athlete(db, profile)
    renewed = _renewed(db, who, profile, night)
    if renewed is not None:  # the weeks it removed come back as far ahead as they reached
        weeks_ahead = max(weeks_ahead, _reach(renewed.before, night))
    facts = plan_facts(db, who, profile, night, weeks_ahead, seen)
    decisions = catch_up(facts, profile, catalog)
    if day_after:
        decisions = decided_on(decisions, night, seen)
    report = save(db, who, decisions, facts.sessions)
    if renewed is not None:
        changes = [*renewed.swaps, *week_differences(renewed.before, report.plan,
                                                     renewed.weeks, night, PROFILE_RULE,
                                                     "replan", renewed.why)]
        store_adjustments(db, who, changes)
        report.adjustments += changes
    return report


def decided_on(decisions: Decisions, night: date, day: date) -> Decisions:
    """The night's changes stamped with `day`, the morning after it they were decided on
    (`replan`'s day_after), as the morning pass stamps its own: they come after that
    morning's changes, in `why` (newest first, --since today), in the calendar event's
    latest change, and for the next morning pass (jobs.morning_run._judged)."""
    def stamped(changes: tuple[Adjustment, ...]) -> tuple[Adjustment, ...]:
        return tuple(replace(a, night=day) if a.night == night else a for a in changes)
    return replace(decisions, adapted=stamped(decisions.adapted),
                   planned=stamped(decisions.planned), recovered=stamped(decisions.recovered),
                   capped=stamped(decisions.capped), pinned=stamped(decisions.pinned),
                   pinned_news=stamped(decisions.pinned_news))


@dataclass(frozen=True)
class _Renewed:
    before: list[Session]  # the plan before the weeks ahead were removed
    weeks: frozenset[date]  # their Mondays
    why: str
    swaps: list[Adjustment]  # the sessions kept whose exercises less kit swapped


def profile_changed(who: m.Athlete, profile: Profile) -> bool:
    """Whether the plan already made was made from another basis
    (planner.plan_changes.basis) than the profile's: the weeks ahead are then planned again
    (`_renewed`)."""
    return who.plan_basis not in (None, basis(profile))


def _renewed(db: DbSession, who: m.Athlete, profile: Profile, night: date) -> _Renewed | None:
    """When the profile the plan is made from changed since the last plan
    (planner.plan_changes.basis: `init`, config.toml edited by hand), the weeks wholly ahead
    with nothing done, skipped or pinned removed for catch_up to plan anew; this week's
    sessions stay on their days (the nightly adaptation moves any that now meet a run), with
    exercises the equipment allows.
    A plan made before the basis was kept, or no plan yet, only takes it."""
    changed, was, now = profile_changed(who, profile), who.plan_basis or {}, basis(profile)
    if was != now:
        who.plan_basis = now  # a plan made before the basis was kept only takes it
    before = load_sessions(db, who) if changed else []
    if not before:
        return None
    kept, weeks = reopened_ahead(before, night)
    why = f"{'; '.join(basis_changes(was, now))}: {_weeks_again(weeks)}"
    swaps: list[Adjustment] = []
    first = repo.cursor(db, who, FIRST_MONDAY)
    swapped = with_equipment(lifter(db, who, profile, night, before),
                             _day(first) or week_start(night), night, kept,
                             str(was.get("equipment"))) \
        if was.get("equipment") != now["equipment"] and kept else kept  # the kept ones too
    if swapped != kept:  # less kit: more kit swaps nothing, and says nothing of it
        swapped_n = sum(a != b for a, b in zip(kept, swapped, strict=True))
        why += (f"; {counted(swapped_n, 'open session')} kept, with what the equipment no "
                "longer allows swapped")
        # each swap recorded as made: a diff of this week after the night's adaptation
        # would give its moves and recovery decisions this rule too
        swaps = differences(kept, swapped, {s.id for s in kept}, night, PROFILE_RULE,
                            "replan", why)
    save_sessions(db, who, swapped, before)
    return _Renewed(before, weeks, why, swaps)


def _weeks_again(weeks: frozenset[date]) -> str:
    """The weeks a profile change planned again, in words and numbers (S7.5: the facts of
    a change, not only its cause)."""
    if not weeks:
        return "no week ahead open to plan again"
    return f"the weeks of {days_in_words(sorted(weeks))} planned again"


def _reach(sessions: list[Session], night: date) -> int:
    """How many weeks ahead of the night's week the sessions reach."""
    return (max(s.day for s in sessions) - week_start(night)).days // 7


Replanning = Callable[[Lifter, date, list[Session]], tuple[list[Session], list[Adjustment]]]


def replan_with(db: DbSession, profile: Profile, night: date,
                how: Replanning) -> tuple[list[Session], list[Adjustment]]:
    """The stored plan changed by `how` (a race entered or removed),
    then brought up to date through the night as `plan` does (the weeks `how` left out
    planned anew, the races' rules applied, every change recorded); the sessions as they
    were before, and the changes made."""
    who = repo.athlete(db, profile)
    first = repo.cursor(db, who, FIRST_MONDAY)
    before = load_sessions(db, who)
    if first is None or not before:
        return before, []
    ctx = lifter(db, who, profile, night, before)
    sessions, held = how(ctx, date.fromisoformat(first), before)
    save_sessions(db, who, sessions, before)
    store_adjustments(db, who, held)
    # as far ahead as the plan reached: the weeks left out come back
    ahead = max(WEEKS_AHEAD, _reach(before, night))
    return before, [*held, *replan(db, profile, night, weeks_ahead=ahead).adjustments]


def plan_facts(db: DbSession, who: m.Athlete, profile: Profile, night: date,
               weeks_ahead: int, seen: date) -> PlanFacts:
    """Everything the plan through `night` is made from, for every night it adapts; what was
    run and lifted through `seen` (the night, or the day after it: `replan`'s day_after)."""
    last, first = (_day(repo.cursor(db, who, c)) for c in (LAST_NIGHT, FIRST_MONDAY))
    w = window(night, last, weeks_ahead)
    runs = run_facts(db, who, profile, w.first_night, night, w.until, seen)
    sessions, found = tuple(load_sessions(db, who)), tuple(recorded(db, who, seen))
    return PlanFacts(
        window=w, sessions=sessions, runs=runs,
        recovery=recoveries(db, who, w.first_night, night),
        lifts=tuple(night_lifts(db, who, sessions, *prescribed_on(w, sessions), found)),
        recorded=found,
        legs=tuple(race_legs(db, who, night - timedelta(days=FOUND_RACES_DAYS), night)),
        first_monday=first or first_week(night, runs.tonight(night, w.until), [
            *entered(profile.races), *races_found(db, who, profile, night)]),
        last_night=last,
        judged=frozenset(a.session_key for a in plans.adjustments(db, who, since=w.first_night)
                         if a.rule.startswith(MORNING_RULE)),
        said=pinned_said(db, who, [r.key for r in plans.sessions_between(
            db, who, night, w.until)]))


def pinned_said(db: DbSession, who: m.Athlete, keys: list[str]) -> dict[str, tuple[str, ...]]:
    """The reasons of the last pinned note recorded of each session of `keys`, where that
    named a conflict (planner.adapt.pinned_news)."""
    last = {r.session_key: r for r in plans.adjustments(db, who, session_keys=keys)
            if r.rule == PINNED_RULE}
    return {key: tuple(r.reasons) for key, r in last.items() if r.action == "kept"}


def _day(cursor: str | None) -> date | None:
    return date.fromisoformat(cursor) if cursor else None


def save(db: DbSession, who: m.Athlete, decisions: Decisions,
         before: Sequence[Session]) -> PlanReport:
    """Write the decisions once: what the watch recorded, the sessions (over `before`, those
    stored they were made from), every change (a planning change already recorded is
    recorded once), the cursors; and report what is new."""
    store_read_back(db, who, decisions)
    planned = [*not_recorded(db, who, list(decisions.planned)), *decisions.pinned_news]
    adjustments = [*decisions.adapted, *planned, *decisions.recovered, *decisions.capped]
    save_sessions(db, who, decisions.sessions, before)
    store_adjustments(db, who, adjustments)
    repo.set_cursor(db, who, FIRST_MONDAY, decisions.first_monday.isoformat())
    repo.set_cursor(db, who, LAST_NIGHT, decisions.last_night.isoformat())
    notes = [f"{a.rule} {a.action} {a.session_id}: {'; '.join(a.reasons[:1])}"
             for a in planned]
    return PlanReport(decisions.nights, adjustments, notes, list(decisions.sessions),
                      list(decisions.pinned))


def store_read_back(db: DbSession, who: m.Athlete, decisions: Decisions) -> None:
    """The watch's lifts stored; a record by hand it replaces forgotten."""
    for key in decisions.replaced:
        plans.forget_hand_lifts(db, who, key)
    for r in decisions.lifts:
        repo.add_lifts(db, who, r.lift.day, [(r.lift.exercise_id, list(r.lift.reps),
                                              r.lift.load_kg)],
                       session_key=r.session_key, lightened=r.lift.lightened, source=r.source)


def run_facts(db: DbSession, who: m.Athlete, profile: Profile, first: date, night: date,
              until: date, seen: date | None = None) -> RunFacts:
    """The classified runs (with their traits) and the planned runs (race > Garmin calendar
    > template) from the day before `first` (S6 reads a day's neighbours; no night adapted
    looks further back) through `night` and through planner.runs.horizon(`until`) (S6
    across week ends), and the days synced from `first`: what a night reads does not grow
    with the years of history. `seen`: the runs through the day after the night count too
    (`replan`'s day_after)."""
    before = first - timedelta(days=1)
    found: dict[date, list[tuple[str, list[str] | None, list[str]]]] = {}
    for day, kind, why, traits in activities.runs_by_day(db, who, seen or night, RUN_KINDS,
                                                         since=before):
        found.setdefault(day, []).append((kind, traits, why))
    actual = {d: RunDay(d, tuple(k for k, _, _ in rows), "actual",
                        tuple(r for _, _, why in rows for r in why[:1]),
                        frozenset(t for _, traits, _ in rows for t in traits or ()))
              for d, rows in found.items()}
    scheduled: dict[date, list[str]] = {}
    for row in plans.planned_runs(db, who, before, horizon(until)):
        # The title's kind and traits (a "progression long run" is long and threshold, S6).
        scheduled.setdefault(row.day, []).extend(planned_kind(row.title, row.item_type).kinds)
    plan = RunPlan(profile.runs, scheduled, frozenset(r.day for r in profile.races))
    return RunFacts(actual, plan, activities.synced_days(db, who, first, night))


def run_days(db: DbSession, who: m.Athlete, profile: Profile, night: date,
             until: date, night_over: bool = False) -> dict[date, RunDay]:
    """Actual classified runs (with their traits) from the day before the night through the
    night; after it, and on the night itself while nothing of that day is synced, the planned
    runs (planner.runs) through planner.runs.horizon(`until`)."""
    return run_facts(db, who, profile, night, night, until).tonight(night, until, night_over)


def race_legs(db: DbSession, who: m.Athlete, first: date, last: date) -> list[Leg]:
    """The activities from `first` to `last` as legs a race may be found in: a race by
    Garmin's flag or a multisport race (the classification's race kind or trait)."""
    rows = activities.classified_between(db, who, first, last)
    return [Leg(day, sport, metres, seconds, kind == "race" or "race" in (traits or ()))
            for day, sport, metres, seconds, kind, traits in rows]


def races_found(db: DbSession, who: m.Athlete, profile: Profile,
                night: date) -> list[RaceDay]:
    """Races in the synced activities of the last weeks that were never entered."""
    return found_between(db, who, profile.races, night - timedelta(days=FOUND_RACES_DAYS),
                         night)


def found_between(db: DbSession, who: m.Athlete, entered: Iterable[Race], first: date,
                  last: date) -> list[RaceDay]:
    """Races in the synced activities from `first` to `last` on no day a race is `entered`
    on (an entered race is the one the plan and the report know it by)."""
    return found_races(race_legs(db, who, first, last), {r.day for r in entered})


class StoredSession(Protocol):
    """A stored session's columns: an ORM row, or plans.session_columns' row."""

    key: str
    day: date
    kind: str
    block: int
    week_in_block: int
    status: str
    pinned: bool
    step: int


def as_session(r: m.PlannedSession) -> Session:
    """A stored session as the planner reads it."""
    return _session(r, prescriptions(r.exercises))


def _session(r: StoredSession, exercises: tuple[Prescription, ...]) -> Session:
    return Session(id=r.key, day=r.day, kind=r.kind, block=r.block,
                   week_in_block=r.week_in_block, status=r.status, pinned=r.pinned,
                   step=r.step, exercises=exercises)


def prescriptions(stored: list[dict[str, Any]]) -> tuple[Prescription, ...]:
    """A stored session's exercises as the planner reads them."""
    return tuple(Prescription(**p) for p in stored)


def load_sessions(db: DbSession, who: m.Athlete) -> list[Session]:
    """Every stored session, by day then key. Read as plain columns (no ORM object each),
    and the exercises of the same text decoded and built once: decoding years of them and
    building their prescriptions was most of the reading (527 sessions, 5 years of a plan
    whose blocks repeat: 23 ms of CPU, now 9)."""
    built: dict[str, tuple[Prescription, ...]] = {}

    def prescribed(text: str) -> tuple[Prescription, ...]:
        if text not in built:
            built[text] = prescriptions(json.loads(text))
        return built[text]
    return [_session(r, prescribed(r.exercises)) for r in plans.session_columns(db, who)]


def save_sessions(db: DbSession, who: m.Athlete, sessions: Sequence[Session],
                  before: Sequence[Session] | None = None) -> None:
    """The plan as it now stands, written over `before`: what is stored, as the caller
    loaded it (read again when not given). Only the rows of sessions that differ from it
    are read and updated, added, or removed (a week planned again): the years of weeks gone
    by, and those a night left as they were, are neither read again nor compared as rows."""
    was = {s.id: s for s in (load_sessions(db, who) if before is None else before)}
    changed = {s.id: s for s in sessions if was.get(s.id) != s}
    gone = was.keys() - {s.id for s in sessions}
    rows = {r.key: r for r in plans.sessions_keyed(db, who, gone | changed.keys())}
    for key in gone & rows.keys():
        db.delete(rows[key])
    for s in changed.values():
        row = rows.get(s.id)
        if row is None:
            row = m.PlannedSession(athlete_id=who.id, key=s.id)
            db.add(row)
        row.day, row.kind, row.status, row.pinned = s.day, s.kind, s.status, s.pinned
        row.block, row.week_in_block, row.step = s.block, s.week_in_block, s.step
        row.exercises = [asdict(p) for p in s.exercises]
    db.flush()


def lift_records(db: DbSession, who: m.Athlete) -> list[LiftRecord]:
    """Everything lifted, in the order it was done, with where its record came from."""
    return [as_record(r) for r in plans.lifts(db, who)]


def as_record(r: m.Lift) -> LiftRecord:
    """A stored lift as the planner reads it."""
    return LiftRecord(LoggedLift(r.day, r.exercise_id, tuple(r.reps), r.load_kg, r.lightened),
                      r.session_key, r.source)


def night_lifts(db: DbSession, who: m.Athlete, sessions: Sequence[Session], since: date,
                gone_by: Collection[date], found: Sequence[Recorded]) -> list[LiftRecord]:
    """What a night's plan reads of the lifts, in the order of `lift_records`: each
    exercise's, newest first down its index, only as far back as the night uses them
    (planner.readback.Reach: its prescriptions are for `since` on and the days `gone_by`),
    the last one kept through each day of `gone_by` (the layoff of a session gone by
    undone), and those of the sessions the activities `found` may fulfil. Years of lifts
    stay unread."""
    replaceable = may_fulfil(found, sessions)
    deload = deload_lifts(sessions)
    records = {(r.day, r.id): as_record(r) for r in plans.session_lifts(db, who, replaceable)}
    for exercise_id in plans.lifted_exercises(db, who):
        reach = Reach(since, deload, replaceable)
        _read_until(plans.newest_first(db, who, m.Lift.exercise_id == exercise_id), records,
                    reach.reached)
    # the last kept through each day gone by: a record of the sessions `replaceable` is
    # read above, any other is kept
    records |= {(r.day, r.id): as_record(r)
                for r in plans.last_through(db, who, gone_by, replaceable)}
    return [records[key] for key in sorted(records)]


def _read_until(rows: ScalarResult[m.Lift], records: dict[tuple[date, int], LiftRecord],
                enough: Callable[[LiftRecord], bool]) -> None:
    """The lifts of `rows` (newest first) into `records`, until the one that is `enough`."""
    with closing(rows):
        for row in rows:
            record = records[(row.day, row.id)] = as_record(row)
            if enough(record):
                return


def lifter(db: DbSession, who: m.Athlete, profile: Profile, night: date,
           sessions: Sequence[Session], since: date | None = None) -> Lifter:
    """What prescribes a session outside the night's catch-up (a race added or removed, a
    profile change, the morning pass): the lifts done and the races found by the night, as
    catch_up reads them; `sessions`: the plan as stored, as the caller loaded it. `since`:
    the caller prescribes for no day before it (the morning pass: today's sessions), so each
    exercise's lifts are read only as far back as that needs (`night_lifts`, no day gone by,
    no read-back); else every lift (a race entered or removed, a profile change: their days
    are after their night too, but no comparison with every lift shows it yet)."""
    lifts = lift_records(db, who) if since is None else \
        night_lifts(db, who, sessions, since, (), ())
    return Lifter(profile, default_catalog(), progression_history(lifts, sessions),
                  known_kg=profile.known_kg, found_races=races_found(db, who, profile, night))


def recorded(db: DbSession, who: m.Athlete, night: date) -> list[Recorded]:
    """The strength activities through the night whose sets were not read back yet. Not one
    awaiting its file (ingest.sync): the file's sets win, and its key changes with it."""
    seen = plans.lift_sources(db, who)
    new = [(key, row) for row in activities.strength_activities(db, who)
           if (key := plans.source_key(row.content_hash, row.garmin_id, row.session_index))
           not in seen and row.local_date <= night and not row.awaits_file]
    sets = activities.sets_of(db, [row.id for _, row in new])
    return [Recorded(key, row.local_date, sets[row.id]) for key, row in new]


def recoveries(db: DbSession, who: m.Athlete, first: date, last: date) -> dict[date, Recovery]:
    """The part of each day's recovery status from `first` to `last` the planner acts on."""
    return {row.day: Recovery(row.level, tuple(row.reasons))
            for row in plans.daily_statuses(db, who, first, last)}


def recovery(db: DbSession, who: m.Athlete, night: date) -> Recovery | None:
    return recoveries(db, who, night, night).get(night)


def store_adjustments(db: DbSession, who: m.Athlete, adjustments: list[Adjustment]) -> None:
    """Every change with its rule, facts and before/after, as `why` shows it (S7.5)."""
    for a in adjustments:
        db.add(m.AdjustmentRow(athlete_id=who.id, session_key=a.session_id, night=a.night,
                               rule=a.rule, action=a.action, before=a.before, after=a.after,
                               reasons=list(a.reasons), moved_from=a.moved_from,
                               moved_status=a.moved_status, for_race=a.for_race))


def not_recorded(db: DbSession, who: m.Athlete, changes: list[Adjustment]) -> list[Adjustment]:
    """The planning changes not recorded yet: a week planned again (it holds no session, or
    the same night runs twice) records the same fallback once. The same change for other
    reasons (another race's first session back) is recorded too: `race remove` finds what
    a race changed by its name."""
    known = {(r.session_key, r.rule, r.action, r.after, tuple(r.reasons))
             for r in plans.adjustments(db, who, session_keys={a.session_id for a in changes})}
    return [a for a in changes if (a.session_id, a.rule, a.action, a.after, a.reasons)
            not in known]


Lifted = dict[str, tuple[list[int], float | None]]  # exercise id -> (reps per set, kg)


def planned_session(db: DbSession, who: m.Athlete, key: str) -> m.PlannedSession:
    row = plans.session(db, who, key)
    if row is None:
        raise NoSession(f"no session {key!r}", SESSION_IDS)
    return row


def mark_done(db: DbSession, who: m.Athlete, key: str, rpe: float | None = None,
              actual: Lifted | None = None, today: date | None = None) -> m.PlannedSession:
    """Record a session as done: what was lifted (the prescription unless `actual` says
    otherwise) becomes the history that double progression reads. Its lifts are dated on
    its day, or on `today` when that is earlier: a session done ahead of its day was lifted
    today (as the watch's record of it is dated), not on a day still to come."""
    row = planned_session(db, who, key)
    if row.status == "done":
        raise PlanError(f"session {key} is already done")
    actual = actual or {}
    ids = [x["exercise_id"] for x in row.exercises]
    unknown = set(actual) - set(ids)
    if unknown:
        raise PlanError(f"{', '.join(sorted(map(repr, unknown)))} not in session {key}: its "
                        f"exercises are {', '.join(ids)}")
    lifted = [(p.exercise_id, *actual.get(p.exercise_id, ([p.reps or 0] * p.sets, p.load_kg)))
              for p in prescriptions(row.exercises)]
    repo.add_lifts(db, who, min(row.day, today or row.day), lifted, session_key=row.key,
              lightened=row.status == "lightened", rpe=rpe)
    row.status = "done"
    return row

