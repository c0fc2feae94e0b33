"""Keep an athlete's plan current: adapt every night since the last one, plan the weeks
coming into view, refresh prescriptions from what was lifted, and store it all."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy.orm import Session as DbSession

from analysis.classify import RUN_KINDS
from analysis.titles import planned_kind
from db import activities, plans, repo
from db import models as m
from domain.profile import Profile
from jobs.analyse import analyse
from jobs.readback import read_back
from planner.adapt import Recovery, Tonight, adapt, enforce_cap
from planner.catalog import Catalog, default_catalog
from planner.model import Adjustment, Prescription, RunDay, Session, week_start
from planner.morning import MORNING_RULE
from planner.plan import extend, refresh
from planner.program import MAX_HEAVY_LOWER_A_WEEK, Lifter, mobility_session
from planner.progression import LoggedLift
from planner.races import Leg, RaceDay, found_races
from planner.runs import RunPlan, horizon
from planner.runs import run_days as planned_runs

WEEKS_AHEAD = 2
FIRST_MONDAY, LAST_NIGHT = "plan.first_monday", "plan.last_night"
FOUND_RACES_DAYS = 30  # a post-race window (14 days at most) and the first session back
MAX_CATCH_UP_DAYS = 28  # older nights only matter through the runs, which stay recorded


class PlanError(ValueError):
    """The plan cannot be made from this configuration; the message says how to fix it."""


@dataclass
class PlanReport:
    nights: int = 0
    adjustments: list[Adjustment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def run_days(db: DbSession, who: m.Athlete, profile: Profile, night: date,
             until: date, night_over: bool = False) -> dict[date, RunDay]:
    """Actual classified runs (with their traits) up to the night; after it, and on the night
    itself while nothing of that day is synced, the planned runs (planner.runs: race >
    Garmin calendar > template) through 7 days past `until` (S6 across week ends)."""
    found: dict[date, list[tuple[str, list[str] | None, list[str]]]] = {}
    for day, kind, why, traits in activities.runs_by_day(db, who, night, RUN_KINDS):
        found.setdefault(day, []).append((kind, traits, why))
    actual = {d: RunDay(d, tuple(k for k, _, _ in rows), "actual",
                        tuple(r for _, _, why in rows for r in why[:1]),
                        frozenset(t for _, traits, _ in rows for t in traits or ()))
              for d, rows in found.items()}
    scheduled: dict[date, list[str]] = {}
    for row in plans.planned_runs(db, who, night - timedelta(days=1), horizon(until)):
        # The title's kind and traits (a "progression long run" is long and threshold, S6).
        scheduled.setdefault(row.day, []).extend(planned_kind(row.title, row.item_type).kinds)
    plan = RunPlan(profile.runs, scheduled, frozenset(r.day for r in profile.races))
    return planned_runs(night, until, actual, plan,
                        night_synced=activities.synced_on(db, who, night), night_over=night_over)


def races_found(db: DbSession, who: m.Athlete, profile: Profile,
                night: date) -> list[RaceDay]:
    """Races in the synced activities of the last weeks that were never entered: Garmin's
    race flag, a multisport race (the classification's race kind or trait)."""
    rows = activities.classified_between(db, who, night - timedelta(days=FOUND_RACES_DAYS),
                                         night)
    legs = [Leg(day, sport, metres, seconds, kind == "race" or "race" in (traits or ()))
            for day, sport, metres, seconds, kind, traits in rows]
    return found_races(legs, {r.day for r in profile.races})


def load_sessions(db: DbSession, who: m.Athlete) -> list[Session]:
    rows = plans.sessions(db, who)
    return [Session(id=r.key, day=r.day, kind=r.kind, block=r.block,
                    week_in_block=r.week_in_block, status=r.status, pinned=r.pinned, step=r.step,
                    exercises=tuple(Prescription(**p) for p in r.exercises)) for r in rows]


def save_sessions(db: DbSession, who: m.Athlete, sessions: list[Session]) -> None:
    """The plan as it now stands: rows updated, added, and removed (a week planned again)."""
    rows = {r.key: r for r in plans.sessions(db, who)}
    for key in rows.keys() - {s.id for s in sessions}:
        db.delete(rows.pop(key))
    for s in sessions:
        row = rows.get(s.id) or m.PlannedSession(athlete_id=who.id, key=s.id)
        if row.id is None:
            db.add(row)
        row.day, row.kind, row.status, row.pinned = s.day, s.kind, s.status, s.pinned
        row.block, row.week_in_block, row.step = s.block, s.week_in_block, s.step
        row.exercises = [asdict(p) for p in s.exercises]
    db.flush()


def history(db: DbSession, who: m.Athlete) -> list[LoggedLift]:
    rows = plans.lifts(db, who)
    return [LoggedLift(r.day, r.exercise_id, tuple(r.reps), r.load_kg, r.lightened) for r in rows]


def recovery(db: DbSession, who: m.Athlete, night: date) -> Recovery | None:
    row = plans.daily_status(db, who, night)
    return Recovery(row.level, tuple(row.reasons)) if row is not None else None


def replan(db: DbSession, profile: Profile, night: date, catalog: Catalog | None = None,
           weeks_ahead: int = WEEKS_AHEAD, analysed: bool = False) -> PlanReport:
    """Bring the plan up to date through `night` (idempotent: the same night twice changes
    nothing the second time). `analysed`: the runs and daily statuses are already current
    through the night (a replay analyses its whole period once)."""
    catalog = catalog or default_catalog()
    unknown = sorted(set(profile.known_kg) - set(catalog.exercises))
    if unknown:
        raise PlanError(f"athlete {profile.name!r}: [weights] names unknown exercise(s) "
                        f"{', '.join(unknown)}; `stridelift exercises` lists the ids")
    who = repo.athlete(db, profile)
    if not analysed:
        analyse(db, profile, night)
    sessions, extra_heavy = read_back(db, who, catalog, load_sessions(db, who), night)
    db.flush()
    ctx = Lifter(profile, catalog, history(db, who), known_kg=profile.known_kg,
                 found_races=races_found(db, who, profile, night))
    first = date.fromisoformat(repo.cursor(db, who, FIRST_MONDAY) or week_start(night).isoformat())
    last = repo.cursor(db, who, LAST_NIGHT)
    until = week_start(night) + timedelta(days=7 * weeks_ahead + 6)
    report = PlanReport()
    # The last night adapted is adapted again: runs synced after it was first processed must
    # still count, and the same facts twice change nothing.
    start = max(min(date.fromisoformat(last), night) if last else night,
                night - timedelta(days=MAX_CATCH_UP_DAYS))

    def mobility(s: Session) -> tuple[Prescription, ...]:
        return mobility_session(ctx, s.step, s.day)

    judged = {a.session_key for a in plans.adjustments(db, who, since=start)
              if a.rule.startswith(MORNING_RULE)}  # the morning pass decides their recovery
    for n in nights_between(start, night):
        # A night before the last one is over: only what was synced of it counts.
        facts = Tonight(n, run_days(db, who, profile, n, until, night_over=n < night),
                        recovery(db, who, n))
        sessions, changes = adapt(sessions, facts, mobility, judged)
        report.adjustments += changes
        report.nights += 1
    runs = run_days(db, who, profile, night, until)
    sessions, planned = extend(ctx, first, night, until, runs, sessions)
    planned = _not_recorded(db, who, planned)
    report.adjustments += planned
    report.notes = [f"{a.rule} {a.action} {a.session_id}: {'; '.join(a.reasons[:1])}"
                    for a in planned]
    sessions, capped = enforce_cap(sessions, extra_heavy, night, MAX_HEAVY_LOWER_A_WEEK)
    report.adjustments += capped
    upcoming = [s.day for s in sessions if s.day > night and not s.settled]
    ctx = replace(ctx, next_session=min(upcoming, default=None))
    sessions = [refresh(ctx, s) for s in sessions]
    save_sessions(db, who, sessions)
    store_adjustments(db, who, report.adjustments)
    repo.set_cursor(db, who, FIRST_MONDAY, first.isoformat())
    if last is None or night.isoformat() > last:
        repo.set_cursor(db, who, LAST_NIGHT, night.isoformat())
    return report


def store_adjustments(db: DbSession, who: m.Athlete, adjustments: list[Adjustment]) -> None:
    """Every change with its rule, facts and before/after, as `why` shows it (S7.5)."""
    for a in adjustments:
        db.add(m.AdjustmentRow(athlete_id=who.id, session_key=a.session_id, night=a.night,
                               rule=a.rule, action=a.action, before=a.before, after=a.after,
                               reasons=list(a.reasons)))


def _not_recorded(db: DbSession, who: m.Athlete, changes: list[Adjustment]) -> list[Adjustment]:
    """The planning changes not recorded yet: a week planned again (it holds no session, or
    the same night runs twice) records the same fallback once."""
    known = {(r.session_key, r.rule, r.action, r.after)
             for r in plans.adjustments(db, who, session_keys={a.session_id for a in changes})}
    return [a for a in changes if (a.session_id, a.rule, a.action, a.after) not in known]


def nights_between(start: date, end: date) -> list[date]:
    """Every day from `start` through `end`, in order."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


Lifted = dict[str, tuple[list[int], float | None]]  # exercise id -> (reps per set, kg)


def planned_session(db: DbSession, who: m.Athlete, key: str) -> m.PlannedSession:
    row = plans.session(db, who, key)
    if row is None:
        raise PlanError(f"no session {key!r}; `stridelift plan` lists the session ids")
    return row


def mark_done(db: DbSession, who: m.Athlete, key: str, rpe: float | None = None,
              actual: Lifted | None = None) -> m.PlannedSession:
    """Record a session as done: what was lifted (the prescription unless `actual` says
    otherwise) becomes the history that double progression reads."""
    row = planned_session(db, who, key)
    if row.status == "done":
        raise PlanError(f"session {key} is already done")
    actual = actual or {}
    unknown = set(actual) - {x["exercise_id"] for x in row.exercises}
    if unknown:
        raise PlanError(f"--sets names {', '.join(sorted(unknown))}, not in session {key}")
    lifted = [(p.exercise_id, *actual.get(p.exercise_id, ([p.reps or 0] * p.sets, p.load_kg)))
              for p in (Prescription(**x) for x in row.exercises)]
    repo.add_lifts(db, who, row.day, lifted, session_key=row.key,
              lightened=row.status == "lightened", rpe=rpe)
    row.status = "done"
    return row

