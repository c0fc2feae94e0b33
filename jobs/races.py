"""The athlete's races (RULES.md "Races"): added, listed and removed after `init`, and the
ones found in the synced activities, with what each means for the plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session as DbSession

from db import plans, repo
from db.session import transaction
from domain.profile import Profile, ProfileError, Race, merge_races, parse_race
from jobs.config import Config, save_profile
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
from planner.model import Adjustment
from planner.plan import without_race
from planner.program import Lifter


def add_race(config: Config, profile: Profile, text: str) -> tuple[Profile, Race]:
    """`DATE:DISTANCE[:A|B|C]` added to the profile (A when it is the first race, else B);
    a race on a day already entered is replaced."""
    race = parse_race(text, first=not profile.races)
    updated = replace(profile, races=merge_races(profile.races, [race]))
    save_profile(config, updated)
    return updated, race


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
        changes = _undo_race(db, updated, races.entered([gone])[0], today)
        save_profile(home.config, updated)
    return updated, gone, changes


def _undo_race(db: DbSession, profile: Profile, gone: races.RaceDay,
               night: date) -> list[Adjustment]:
    """Sessions the race changed (its recorded adjustments name it), planned again."""
    who = repo.athlete(db, profile)
    first = repo.cursor(db, who, FIRST_MONDAY)
    changed = {a.session_key for a in plans.adjustments(db, who) if a.rule.startswith("Races")
               and any(gone.name() in why for why in a.reasons)}
    if first is None or not changed:
        return []
    ctx = Lifter(profile, default_catalog(), history(db, who), known_kg=profile.known_kg,
                 found_races=races_found(db, who, profile, night))
    sessions, changes = without_race(ctx, date.fromisoformat(first), night,
                                     load_sessions(db, who), changed, gone)
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
