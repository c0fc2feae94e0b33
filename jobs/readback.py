"""Strength sessions done, read back from the watch.

After a sync, every strength activity not read before (FIT set messages, or Garmin's exercise
sets) is matched to the planned session of its day or the next; what was actually lifted is
stored and drives double progression, and the session is done. An activity that matches no
session is unplanned work: its lifts are kept too, and its heavy lower-body exercises count
toward that week's cap (S4).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy.orm import Session as DbSession

from db import activities, plans, repo
from db import models as m
from planner.catalog import Catalog
from planner.model import Session, week_start
from planner.readback import candidates, match, performed


def source_key(row: m.Activity) -> str:
    """Stable across `db rebuild` (row ids are not)."""
    return f"activity:{row.content_hash or row.garmin_id}:{row.session_index}"


def read_back(db: DbSession, who: m.Athlete, catalog: Catalog,
              sessions: list[Session]) -> tuple[list[Session], dict[date, int]]:
    """Sessions with the recorded ones done, and the heavy lower-body exercises done outside
    the plan per week (Monday -> count)."""
    seen = plans.lift_sources(db, who)
    rows = activities.strength_activities(db, who)
    plan = {s.id: s for s in sessions}
    watched = plans.watched_session_keys(db, who)
    for row in rows:
        key = source_key(row)
        if key in seen:
            continue
        open_ = [s for s in plan.values() if _matchable(s, watched)]
        near = {p.exercise_id for s in candidates(row.local_date, open_) for p in s.exercises}
        done = performed(repo.strength_sets(row), catalog, near)
        if not done:
            continue
        session = match(row.local_date, done, open_)
        planned = {p.exercise_id for p in session.exercises} if session else set()
        if session is not None and session.status == "done":  # entered by hand before:
            plans.forget_hand_lifts(db, who, session.id)  # the watch's record replaces it
        for in_plan in (True, False):  # extra exercises are unplanned work (they count for S4)
            lifted = [(p.exercise_id, list(p.reps), p.load_kg) for p in done
                      if (p.exercise_id in planned) == in_plan]
            repo.add_lifts(db, who, row.local_date, lifted, source=key,
                           session_key=session.id if session and in_plan else None,
                           lightened=in_plan and session is not None
                           and session.status == "lightened")
        if session is not None:
            plan[session.id] = session.with_(status="done")
            watched.add(session.id)
    return list(plan.values()), _unplanned_heavy(db, who, catalog)


def _matchable(s: Session, watched: set[str]) -> bool:
    """Any session not skipped and not yet read from the watch: open ones, pinned ones (pinning
    stops moves, not training), and done ones whose record came by hand."""
    return s.status != "skipped" and s.id not in watched


def _unplanned_heavy(db: DbSession, who: m.Athlete, catalog: Catalog) -> dict[date, int]:
    counts: Counter[date] = Counter()
    for day, exercise_id in plans.unplanned_lifts(db, who):
        exercise = catalog.exercises.get(exercise_id)
        if exercise is not None and exercise.high_resistance_lower_body:
            counts[week_start(day)] += 1
    return dict(counts)
