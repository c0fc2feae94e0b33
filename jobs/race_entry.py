"""The athlete's races (RULES.md "Races"): added, listed and removed after `init`, and the
ones found in the synced activities, with what each means for the plan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy.orm import Session as DbSession

from db import plans, repo
from db.session import transaction
from domain.pointer import Pointer
from domain.profile import Profile, ProfileError, Race, merge_races, parse_race
from domain.words import counted
from jobs.athlete_lock import planning
from jobs.config import saving_profile
from jobs.home import Home
from jobs.morning_run import judged_again
from jobs.replan import (
    lifter,
    load_sessions,
    races_found,
    recovery,
    replan_with,
    run_days,
    save_sessions,
    store_adjustments,
)
from planner import blocks, races
from planner.adapt import Tonight, recover
from planner.catch_up import nights_between
from planner.lifter import races_of
from planner.model import ONE_DAY, Adjustment, Session, days_in_words, week_start
from planner.morning import MORNING_RULE, recovery_level
from planner.plan_changes import (
    REMOVED,
    MovedOff,
    differences,
    race_day_today,
    reached_from,
    with_race,
    without_race,
)
from planner.program import mobility_work


class RaceAdded(NamedTuple):
    """What `add_race` did: the profile as saved, the race, the race it replaced, the changes
    recorded; `again`: that race was entered already (a double tap, or config.toml edited
    by hand: the plan is made to follow it all the same)."""

    profile: Profile
    race: Race
    replaced: Race | None
    changes: list[Adjustment]
    again: bool = False

    def as_json(self) -> dict[str, Any]:
        """`race add --json`'s shape: the race, the one it replaced, whether it was entered
        already, and how many changes were recorded (`why --json` lists them)."""
        return {"race": race_json(self.race),
                "replaced": race_json(self.replaced) if self.replaced else None,
                "already_entered": self.again, "changes": len(self.changes)}

    def words(self, why: str) -> str:
        """What the CLI and the web app say of it; `why`: where the changes are listed."""
        if self.again and not self.changes:
            return f"the {describe(self.race)} is entered already: no change"
        what = (f"replaced the {describe(self.replaced)} with" if self.replaced
                else "kept" if self.again else "added")
        return (f"{what} the {describe(self.race)}: the plan follows it, "
                f"{counted(len(self.changes), 'change')} recorded ({why} lists them)")


def add_race(home: Home, profile: Profile, text: str, today: date,
             replacing: bool = False) -> RaceAdded:
    """`DATE:DISTANCE[:A|B|C]` added to the profile (A when it is the first race, else B),
    and the plan made to follow it at once as if it had been known from the start; every
    change recorded and returned, with the race it replaced. A day holds one race: another
    race on a day already entered is refused, naming it, unless `replacing` (it had replaced
    an A race with a B race unasked); the same race again changes nothing the plan already
    follows (a double tap). Under the athlete's lock: never beside a nightly run replanning
    the same weeks (jobs.athlete_lock)."""
    with planning(home, profile, "race entry") as profile:  # never write back stale races
        return _add_race(home, profile, text, today, replacing)


def _add_race(home: Home, profile: Profile, text: str, today: date,
              replacing: bool) -> RaceAdded:
    """add_race's work, the athlete's lock held and `profile` as saved now."""
    day = parse_race(text, today=today).day
    race = parse_race(text, first=all(r.day == day for r in profile.races))
    replaced = next((r for r in profile.races if r.day == race.day and r != race), None)
    if replaced and not replacing:
        # the same race with another priority: asked for as a change of priority
        change = f"to make it {'an' if race.priority == 'A' else 'a'} {race.priority} race, " \
            if replaced.distance == race.distance else ""
        raise ProfileError(f"{day} already holds the {describe(replaced)}: one race a day",
                           Pointer(cli=f"{change}replace it (`race add --replace`) or remove "
                                   f"it first (`race remove {day}`)",
                                   web=f"{change}tick Replace to replace it, or remove it "
                                   "first (its Remove button)"))
    updated = replace(profile, races=merge_races(profile.races, [race]))
    new = races.entered([race])[0]
    with saving_profile(home.config, updated), transaction(home.db) as db:
        # replaced: the plan without either race first, then with the new one, so that
        # what the new one changes (moves the first had made too) is recorded as its own
        changes = _undo_race(db, replace(updated, races=tuple(
            r for r in updated.races if r != race)), replaced, today) if replaced else []
        before, made = replan_with(db, updated, today, lambda ctx, first, sessions: with_race(
            ctx, first, today, sessions, new))
        who = repo.athlete(db, updated)
        after = {s.id: s for s in load_sessions(db, who)}
        # a week planned anew around the race: a session may sit on another day now
        moved = [replace(a, for_race=new.day) for a in differences(
            before, list(after.values()), {
                s.id for s in before if s.id in after and after[s.id].day != s.day}, today,
            "Races added", "move", f"{added(new)}: the week planned again around it")]
        store_adjustments(db, who, moved)
        today_s = _race_today(db, updated, new, today) if new.day == today else []
    return RaceAdded(updated, race, replaced, [*changes, *made, *moved, *today_s],
                     race in profile.races)


def _race_today(db: DbSession, profile: Profile, race: races.RaceDay, today: date
                ) -> list[Adjustment]:
    """Today's session on the day of a race entered today, as S6 makes a session on a race
    day (planner.plan_changes.race_day_today), stored and recorded."""
    who = repo.athlete(db, profile)
    before = load_sessions(db, who)
    ctx = lifter(db, who, profile, today, before)
    night, sunday = today - ONE_DAY, week_start(today) + timedelta(days=6)
    eve = Tonight(night, run_days(db, who, profile, night, sunday),
                  spared=races.spared(races_of(ctx), nights_between(today, sunday)))
    sessions, changes = race_day_today(before, eve, mobility_work(ctx), race)
    save_sessions(db, who, sessions, before)
    store_adjustments(db, who, changes)
    return changes


class RaceRemoved(NamedTuple):
    """What `remove_race` did: the profile as saved, the race removed, the changes recorded."""

    profile: Profile
    race: Race
    changes: list[Adjustment]

    def restored(self) -> int:
        """How many sessions the race had changed are restored (planned as without it)."""
        return sum((c.rule, c.action) == (REMOVED, "restore") for c in self.changes)

    def as_json(self) -> dict[str, Any]:
        """`race remove --json`'s shape."""
        return {"removed": race_json(self.race), "sessions_restored": self.restored()}

    def words(self, why: str) -> str:
        """What the CLI and the web app say of it; `why`: where the changes are listed."""
        return (f"removed the {describe(self.race)}: {counted(self.restored(), 'session')} it had "
                f"changed restored ({why} lists them)")


def remove_race(home: Home, profile: Profile, day: date, today: date) -> RaceRemoved:
    """The race of `day` removed from the profile, and the open sessions it changed planned
    again as if it had never been entered; every change recorded and returned. The profile
    is saved once the plan's transaction has committed: a failure leaves both as they were.
    Under the athlete's lock, as add_race."""
    with planning(home, profile, "race removal") as profile:  # never write back stale races
        return _remove_race(home, profile, day, today)


def _remove_race(home: Home, profile: Profile, day: date, today: date) -> RaceRemoved:
    """remove_race's work, the athlete's lock held and `profile` as saved now."""
    gone = next((r for r in profile.races if r.day == day), None)
    if gone is None:
        entered = ", ".join(r.day.isoformat() for r in profile.races) or "none"
        raise ProfileError(f"no race on {day.isoformat()} (entered: {entered})",
                           Pointer(cli="`stridelift race list` shows them",
                                   web="nothing to remove (already removed?)"))
    updated = replace(profile, races=tuple(r for r in profile.races if r != gone))
    with saving_profile(home.config, updated), transaction(home.db) as db:
        changes = _undo_race(db, updated, gone, today)
    return RaceRemoved(updated, gone, changes)


def _undo_race(db: DbSession, profile: Profile, race: Race, night: date) -> list[Adjustment]:
    """The open sessions the race changed (its recorded adjustments are for it) planned again
    as if it had never been entered, each recorded as restored."""
    gone = races.entered([race])[0]
    who = repo.athlete(db, profile)
    told = plans.adjustments(db, who)
    sessions = load_sessions(db, who)
    left = [*races.entered(profile.races), *races_found(db, who, profile, night)]
    dropped = dropped_on(gone, sessions, told, night, left)
    planned = moved_from(gone, sessions, told)
    its_own = named(told, gone) | dropped | set(planned)
    if not its_own:
        return []
    # the deloads after it, which its taper and window had moved (S5)
    changed = its_own | set(reached_from(sessions, gone))
    runs = run_days(db, who, profile, night,
                    max((b.day for b in planned.values()), default=night) + ONE_DAY)
    before, made = replan_with(db, profile, night, lambda ctx, first, sessions: without_race(
        ctx, first, night, sessions, changed, its_own, dropped, planned, runs))
    restored = differences(before, load_sessions(db, who), changed, night, REMOVED,
                           "restore", f"race on {gone.day:%a %d %b} removed ({gone.priority} "
                           f"race, {gone.distance}): session restored to what the plan holds "
                           "without it")
    store_adjustments(db, who, restored)
    return [*made, *restored, *_judged_again(db, profile, restored, night)]


def _judged_again(db: DbSession, profile: Profile, restored: list[Adjustment], today: date
                  ) -> list[Adjustment]:
    """Today's session given back as planned, where a recovery decision (the night's or the
    morning's) had changed it, judged again by the latest of those decisions: the morning
    pass's, with today's status as it judges it (amber this morning, it stays lightened);
    before the morning pass, the night's, as the nightly run judged it (today's status then
    holds no morning data: judged by it, the night's amber was lost). The nightly run never
    plans the day it runs on, so nothing else would."""
    who = repo.athlete(db, profile)
    back = {a.session_id for a in restored} & {s.id for s in load_sessions(db, who)
                                               if s.day == today}
    decided = [row.rule for row in plans.adjustments(db, who, session_keys=back)
               if recovery_level(row.rule) is not None]
    if not back or not decided:
        return []
    if decided[-1].startswith(MORNING_RULE):
        return judged_again(db, profile, today)
    return _judged_by_the_night(db, profile, today)


def _judged_by_the_night(db: DbSession, profile: Profile, today: date) -> list[Adjustment]:
    """Today's session judged by the night's recovery status (planner.adapt.recover, as the
    nightly run judged it), each change recorded as of today; none stored: no change."""
    who = repo.athlete(db, profile)
    night = today - ONE_DAY
    status = recovery(db, who, night)
    if status is None:
        return []
    before = load_sessions(db, who)
    sessions, changes = recover(before, Tonight(night, {}, status),
                                mobility_work(lifter(db, who, profile, today, before)))
    changes = [replace(a, night=today) for a in changes]
    save_sessions(db, who, sessions, before)
    store_adjustments(db, who, changes)
    return changes


def dropped_on(race: races.RaceDay, sessions: Iterable[Session], changes: Iterable[Any],
               today: date, left: Iterable[races.RaceDay]) -> set[str]:
    """The sessions the race dropped from its own day (S6: no gym work on race day, the
    nightly pass's or `race add`'s for a race entered that day), still skipped: its last
    change a drop. One the runner lifted since is done, and stays; so does one of a race
    day gone by (nothing was lifted that day: a session given back there is not one to do),
    and one of a day a race `left` still stands on (raced all the same, found in the synced
    activities; the race entered in its place): S6 keeps it off the gym still."""
    if race.day < today or any(r.day == race.day for r in left):
        return set()
    last = {a.session_key: a.action for a in changes}
    return {s.id for s in sessions
            if s.day == race.day and s.status == "skipped" and last.get(s.id) == "drop"}


def added(race: races.RaceDay) -> str:
    """The words of a race entered, as its changes give them."""
    return f"race on {race.day:%a %d %b} added ({race.priority} race, {race.distance})"


def moved_from(race: races.RaceDay, sessions: Iterable[Session], changes: Iterable[Any]
               ) -> dict[str, MovedOff]:
    """The sessions the race moved off their day (`race add`'s week planned again around it,
    or S6 for a race entered on its own day: the race of its day, stored with the move),
    with where each was before: only where its move is the last recorded (one the runner
    or the nightly moved since stays, and one a removed race's give-back left where it was:
    a race entered on that day since did not move it)."""
    last = {a.session_key: a for a in changes  # oldest first
            if a.action == "move" or (a.rule, a.action) == (REMOVED, "kept")}
    out: dict[str, MovedOff] = {}
    for s in sessions:
        move = last.get(s.id)
        if move is not None and move.for_race == race.day and move.moved_from is not None:
            out[s.id] = MovedOff(move.moved_from, move.moved_status or "planned")
    return out


def named(changes: Iterable[Any], race: races.RaceDay) -> set[str]:
    """The sessions whose recorded changes were for the race: stored so (S6's that its day
    made, its moves), or giving it as a reason (its own rules' and knock-ons', and a week
    planned again whose S5 note tells what the race made of it)."""
    return {a.session_key for a in changes if a.for_race == race.day
            or any(race.name() in why for why in a.reasons)}


def race_json(race: Race | races.RaceDay) -> dict[str, str]:
    """A race as `race list --json` and `race add|remove --json` give it."""
    return {"date": race.day.isoformat(), "distance": race.distance, "priority": race.priority}


def describe(race: Race) -> str:
    """A race in words, as the CLI and the web app confirm it."""
    return f"{race.priority} race {race.distance} on {race.day:%a %d %b %Y}"


def race_rows(db: DbSession, profile: Profile, today: date) -> list[dict[str, Any]]:
    """Entered and found races by day, with what each does to the plan."""
    who = repo.athlete(db, profile)
    known = [*races.entered(profile.races), *races_found(db, who, profile, today)]
    return [{**race_json(r), "source": r.source, "days_to_go": (r.day - today).days,
             "when": when((r.day - today).days), "effects": effects(r)}
            for r in sorted(known, key=lambda r: r.day)]


def when(days_to_go: int) -> str:
    """`40 days to go`, `today` or `3 days ago`: a race's day from today, in words."""
    if days_to_go == 0:
        return "today"
    n = abs(days_to_go)
    return f"{n} day{'s' if n != 1 else ''} {'to go' if days_to_go > 0 else 'ago'}"


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
    rested = races.rested_weeks(r)
    if rested:
        weeks = days_in_words(rested)
        many = len(rested) > 1
        out.append(f"the week{'s' if many else ''} of {weeks} count{'' if many else 's'} as a "
                   f"deload: the next one is the {blocks.DELOAD_EVERY}th training week after")
    return out
