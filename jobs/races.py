"""The athlete's races (RULES.md "Races"): added, listed and removed after `init`, and the
ones found in the synced activities, with what each means for the plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session as DbSession

from db import repo
from domain.profile import Profile, ProfileError, Race, merge_races, parse_race
from jobs.config import Config, load, save_profile
from jobs.replan import races_found
from planner import races


def saved_profile(config: Config, profile: Profile) -> Profile:
    """The athlete's profile as saved now, kept in `config`: a long-running process (the web
    app) must not write back races the CLI has changed since it started."""
    fresh = load(config.paths).athletes.get(profile.name, profile)
    config.athletes[profile.name] = fresh
    return fresh


def add_race(config: Config, profile: Profile, text: str) -> tuple[Profile, Race]:
    """`DATE:DISTANCE[:A|B|C]` added to the profile (A when it is the first race, else B);
    a race on a day already entered is replaced, so adding the same race twice adds it once."""
    profile = saved_profile(config, profile)
    day = parse_race(text).day
    race = parse_race(text, first=all(r.day == day for r in profile.races))
    updated = replace(profile, races=merge_races(profile.races, [race]))
    save_profile(config, updated)
    return updated, race


def remove_race(config: Config, profile: Profile, day: date) -> tuple[Profile, Race]:
    """The race of `day` removed from the profile."""
    profile = saved_profile(config, profile)
    gone = next((r for r in profile.races if r.day == day), None)
    if gone is None:
        entered = ", ".join(r.day.isoformat() for r in profile.races) or "none"
        raise ProfileError(f"no race on {day.isoformat()} (entered: {entered}); "
                           "`stridelift race list` shows them")
    updated = replace(profile, races=tuple(r for r in profile.races if r != gone))
    save_profile(config, updated)
    return updated, gone


def describe(race: Race) -> str:
    """A race in words, as the CLI and the web app confirm it."""
    return f"{race.priority} race {race.distance} on {race.day:%a %d %b %Y}"


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
