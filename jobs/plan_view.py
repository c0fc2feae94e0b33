"""The plan as the shell shows it: the sessions of a window with their exercises spelled
out from the catalogue (`plan --json`'s shape), and the catalogue itself.

jobs.replan (and the analysis and planner behind it) is loaded by the functions that use it:
`why` and `exercises` read rows and the catalogue only, and start without it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from db import models as m
from db import plans, repo
from db.session import transaction
from domain.profile import Profile
from jobs.athlete_lock import plan_update
from jobs.home import Home
from planner.catalog_file import default_catalog
from planner.model import Adjustment, Session
from planner.model import rest_text as rest_text  # for the CLI, which reaches planner via jobs

if TYPE_CHECKING:
    from jobs.replan import PlanReport


def bring_up_to_date(home: Home, profile: Profile, today: date,
                     weeks_ahead: int | None = None) -> PlanReport | None:
    """The plan brought up to date through `today` (jobs.replan.replan) under the athlete's
    lock, as a page or a command shows it; None, nothing written, while another run holds the
    lock (the caller shows the plan as stored and says so: jobs.athlete_lock.as_stored)."""
    from jobs.replan import WEEKS_AHEAD, replan

    with plan_update(home, profile.name) as held:
        if not held:
            return None
        with transaction(home.db) as db:
            return replan(db, profile, today, weeks_ahead=weeks_ahead or WEEKS_AHEAD)


def current_plan(home: Home, profile: Profile, today: date, first: date,
                 weeks: int) -> tuple[list[dict[str, Any]], bool]:
    """The plan brought up to date through `today`, then its sessions from `first` for
    `weeks` weeks; and whether it was (False: shown as stored, another run holding it)."""
    report = bring_up_to_date(home, profile, today,
                              weeks_ahead=max(weeks, (first - today).days // 7 + weeks))
    if report is None:
        return [{**r, "warnings": []} for r in plan_rows(home, profile, first, weeks)], False
    last = first + timedelta(days=7 * weeks - 1)
    kept = {a.session_id: list(a.reasons) for a in report.pinned}
    return [{**plan_row(s), "warnings": kept.get(s.id, [])} for s in report.plan
            if first <= s.day <= last], True


def follow_profile(home: Home, profile: Profile, today: date) -> list[Adjustment]:
    """After a profile is saved: when it changes what a plan made already was made from (a
    new weekly template, session count or equipment), the plan brought up to date at once,
    which plans the weeks ahead again; the changes that made. Otherwise nothing: no plan yet
    (the first `plan` makes it), or a change the next run takes in its stride (a new max HR
    analyses the history again, which `init` should not wait for). The caller holds the
    athlete's lock from before the profile is saved (jobs.athlete_lock)."""
    from jobs.replan import PROFILE_RULE, profile_changed, replan

    with transaction(home.db) as db:
        if not profile_changed(repo.athlete(db, profile), profile):
            return []
        report = replan(db, profile, today)
    return [a for a in report.adjustments if a.rule == PROFILE_RULE]


def template_room(profile: Profile, today: date) -> tuple[str, ...]:
    """Why next week, from the weekly runs alone, holds fewer strength sessions than the
    profile asks (S6), in the plan's own words, a line a day: empty when they fit."""
    from planner.runs import template_room as room

    return room(profile.runs, profile.strength_sessions, today).reasons


def plan_rows(home: Home, profile: Profile, first: date, weeks: int) -> list[dict[str, Any]]:
    """The stored sessions from `first` for `weeks` weeks, in the shape `plan --json` prints."""
    with home.db() as db:
        who = repo.athlete(db, profile)
        rows = plans.sessions_between(db, who, first, first + timedelta(days=7 * weeks - 1))
    return [session_row(r) for r in rows]


def session_row(r: m.PlannedSession) -> dict[str, Any]:
    """A stored session in the shape `plan --json` prints."""
    from jobs.replan import as_session

    return plan_row(as_session(r))


def plan_row(s: Session) -> dict[str, Any]:
    """A session in the shape `plan --json` prints: its exercises spelled out."""
    catalog = default_catalog()
    out = []
    for p in s.exercises:
        e = catalog.exercise(p.exercise_id)
        item: dict[str, Any] = {"id": e.id, "name": e.name, "area": e.areas[0],
                                "quality": e.quality, "pattern": e.pattern, "phase": p.phase,
                                "sets": p.sets, "load_kg": p.load_kg,
                                "rest_s": p.rest_s,
                                "high_resistance_lower_body": p.high_resistance_lower_body,
                                "instruction": p.instruction,
                                "by_feel": e.loaded and not p.load_kg and p.reps is not None}
        item["reps" if p.reps is not None else "seconds"] = p.reps if p.reps is not None \
            else p.seconds
        out.append(item)
    return {"id": s.id, "date": s.day.isoformat(), "kind": s.kind, "status": s.status,
            "pinned": s.pinned, "block": s.block, "week_in_block": s.week_in_block,
            "exercises": out}


def changes(home: Home, profile: Profile, since: date) -> list[dict[str, Any]]:
    """The plan's changes decided from `since` on, newest first (`why --json`'s shape)."""
    with transaction(home.db) as db:
        rows = plans.adjustments(db, repo.athlete(db, profile), since=since, newest_first=True)
        return [{"session_id": r.session_key, "date": r.night.isoformat(), "rule": r.rule,
                 "action": r.action, "from": r.before, "to": r.after, "reasons": r.reasons}
                for r in rows]


def catalogue_rows() -> list[dict[str, Any]]:
    """The exercise catalogue, one dict per exercise (`exercises --json`'s shape)."""
    return [{"id": e.id, "name": e.name, "areas": list(e.areas), "quality": e.quality,
             "equipment": e.equipment, "high_resistance_lower_body":
             e.high_resistance_lower_body, "cues": list(e.cues)}
            for e in default_catalog().exercises.values()]
