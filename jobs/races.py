"""The athlete's races (RULES.md "Races"): added, listed and removed after `init`, and the
ones found in the synced activities, with what each means for the plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session as DbSession

from db import plans, repo
from db.session import transaction
from domain.profile import Profile, ProfileError, Race, merge_races, parse_race
from jobs.config import save_profile
from jobs.home import Home
from jobs.replan import (
    FIRST_MONDAY,
    history,
    load_sessions,
    races_found,
    save_sessions,
    store_adjustments,
)
from planner import races
from planner.catalog import default_catalog
from planner.model import Adjustment, Session
from planner.plan import with_race, without_race
from planner.program import Lifter


def add_race(home: Home, profile: Profile, text: str,
             today: date) -> tuple[Profile, Race, list[Adjustment]]:
    """`DATE:DISTANCE[:A|B|C]` added to the profile (A when it is the first race, else B;
    a race on a day already entered is replaced), and the open sessions it reaches planned
    again with it, each change recorded."""
    race = parse_race(text, first=not profile.races)
    updated = replace(profile, races=merge_races(profile.races, [race]))
    replaced = next((r for r in profile.races if r.day == race.day and r != race), None)
    with transaction(home.db) as db:
        changes = _undo_race(db, updated, replaced, today) if replaced else []
        changes += _replan(db, updated, today, lambda ctx, first, sessions: with_race(
            ctx, first, today, sessions, races.entered([race])[0]))
        save_profile(home.config, updated)
    return updated, race, changes


def remove_race(home: Home, profile: Profile, day: date,
                today: date) -> tuple[Profile, Race, list[Adjustment]]:
    """The race of `day` removed from the profile, and the open sessions it changed
    prescribed again as if it had never been entered (each change recorded). The profile is
    saved last, inside the plan's transaction: a failure leaves both as they were."""
    gone = next((r for r in profile.races if r.day == day), None)
    if gone is None:
        entered = ", ".join(r.day.isoformat() for r in profile.races) or "none"
        raise ProfileError(f"no race on {day.isoformat()} (entered: {entered}); "
                           "`stridelift race list` shows them")
    updated = replace(profile, races=tuple(r for r in profile.races if r != gone))
    with transaction(home.db) as db:
        changes = _undo_race(db, updated, gone, today)
        save_profile(home.config, updated)
    return updated, gone, changes


def _undo_race(db: DbSession, profile: Profile, race: Race, night: date) -> list[Adjustment]:
    """The open sessions the race changed (its recorded adjustments name it) planned again
    as if it had never been entered."""
    gone = races.entered([race])[0]
    who = repo.athlete(db, profile)
    changed = {a.session_key for a in plans.adjustments(db, who) if a.rule.startswith("Races")
               and any(gone.name() in why for why in a.reasons)}
    return _replan(db, profile, night, lambda ctx, first, sessions: without_race(
        ctx, first, night, sessions, changed, gone)) if changed else []


Replanning = Callable[[Lifter, date, list[Session]], tuple[list[Session], list[Adjustment]]]


def _replan(db: DbSession, profile: Profile, night: date, how: Replanning) -> list[Adjustment]:
    """The stored plan changed by `how` (given the profile's races), saved with its
    changes; nothing to do before the first plan."""
    who = repo.athlete(db, profile)
    first = repo.cursor(db, who, FIRST_MONDAY)
    if first is None:
        return []
    ctx = Lifter(profile, default_catalog(), history(db, who), known_kg=profile.known_kg,
                 found_races=races_found(db, who, profile, night))
    sessions, changes = how(ctx, date.fromisoformat(first), load_sessions(db, who))
    save_sessions(db, who, sessions)
    store_adjustments(db, who, changes)
    return changes


def race_rows(db: DbSession, profile: Profile, today: date) -> list[dict[str, Any]]:
    """Entered and found races by day, with what each does to the plan."""
    who = repo.athlete(db, profile)
    known = [*races.entered(profile.races), *races_found(db, who, profile, today)]
    return [{"date": r.day.isoformat(), "distance": r.distance, "priority": r.priority,
             "source": r.source, "days_to_go": (r.day - today).days,
             "effects": effects(r)} for r in sorted(known, key=lambda r: r.day)]


def effects(r: races.RaceDay) -> list[str]:
    """What a race does to the plan, in words (RULES.md "Races")."""
    out = []
    if r.source == "entered":
        out.append(f"no heavy lower-body or plyometric work in the last "
                   f"{races.FINAL_DAYS[r.priority]} days before it")
    if r.priority == "A" and r.source == "entered":
        out += [f"one lower-volume session ({races.REDUCED_SETS} sets, load kept) "
                f"{races.REDUCED_FROM}-{races.REDUCED_TO} days before it",
                f"ladder steps frozen from {races.FREEZE_BEFORE} days before to "
                f"{races.FREEZE_AFTER} after it"]
    out.append(f"{r.post_days}-day post-race window, then the first session at "
               f"{races.RETURN_LOAD:.0%} of the last loads")
    return out
