"""The plan brought up to date through a night, from facts loaded once (pure).

Every night since the last one adapted is adapted again in order (RULES.md S7), the weeks
coming into view are planned, the S4 cap holds with the work done outside the plan, and
every open session's prescription is refreshed from what was lifted. The job around it
loads the facts once (jobs.replan) and writes the decisions once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from domain.profile import Profile
from planner.adapt import Recovery, Tonight, adapt, enforce_cap
from planner.catalog import Catalog
from planner.model import Adjustment, Prescription, Session, week_start
from planner.plan import extend, refresh
from planner.program import MAX_HEAVY_LOWER_A_WEEK, Lifter, mobility_session
from planner.progression import LoggedLift
from planner.races import Leg, found_races
from planner.runs import RunFacts

MAX_CATCH_UP_DAYS = 28  # older nights only matter through the runs, which stay recorded


@dataclass(frozen=True)
class Window:
    """The nights to adapt, in order, and the last day to plan."""

    first_night: date
    night: date
    until: date

    @property
    def nights(self) -> list[date]:
        return nights_between(self.first_night, self.night)


def window(night: date, last_night: date | None, weeks_ahead: int) -> Window:
    """From the last night adapted (again: runs synced after it was first processed must
    still count, and the same facts twice change nothing), at most 28 nights back, through
    `night`; planned through the Sunday `weeks_ahead` weeks after the night's week."""
    first = min(last_night, night) if last_night else night
    return Window(max(first, night - timedelta(days=MAX_CATCH_UP_DAYS)), night,
                  week_start(night) + timedelta(days=7 * weeks_ahead + 6))


@dataclass(frozen=True)
class PlanFacts:
    """Everything the plan through a night is made from, loaded once."""

    window: Window
    sessions: tuple[Session, ...]  # the plan as stored, with what the watch recorded done
    runs: RunFacts  # through a week past the window's last planned day
    recovery: Mapping[date, Recovery]  # each night's morning status
    lifts: tuple[LoggedLift, ...]  # everything lifted: double progression's history
    legs: tuple[Leg, ...]  # the activities of the last weeks a race may be found in
    extra_heavy: Mapping[date, int]  # heavy lower-body exercises outside the plan, by Monday
    first_monday: date  # the plan's first week
    last_night: date | None  # the last night adapted before (None: never)


@dataclass(frozen=True)
class Decisions:
    """The plan as it now stands and every change that got it there, in order."""

    sessions: tuple[Session, ...]
    adapted: tuple[Adjustment, ...]  # night by night (the same facts twice change nothing)
    planned: tuple[Adjustment, ...]  # planning fallbacks and race effects (recorded once)
    capped: tuple[Adjustment, ...]  # S4 with the work done outside the plan
    nights: int
    first_monday: date
    last_night: date  # the latest night ever adapted


def catch_up(facts: PlanFacts, profile: Profile, catalog: Catalog) -> Decisions:
    """Adapt every night of the window, plan the weeks coming into view, hold the S4 cap
    and refresh the open sessions' prescriptions."""
    w = facts.window
    found = found_races(facts.legs, {r.day for r in profile.races})
    lifter = Lifter(profile, catalog, facts.lifts, known_kg=profile.known_kg,
                    found_races=found)

    def mobility(s: Session) -> tuple[Prescription, ...]:
        return mobility_session(lifter, s.step, s.day)

    sessions, adapted = list(facts.sessions), list[Adjustment]()
    for n in w.nights:
        # A night before the last one is over: only what was synced of it counts.
        tonight = Tonight(n, facts.runs.tonight(n, w.until, night_over=n < w.night),
                          facts.recovery.get(n))
        sessions, changes = adapt(sessions, tonight, mobility)
        adapted += changes
    sessions, planned = extend(lifter, facts.first_monday, w.night, w.until,
                               facts.runs.tonight(w.night, w.until), sessions)
    sessions, capped = enforce_cap(sessions, facts.extra_heavy, w.night,
                                   MAX_HEAVY_LOWER_A_WEEK)
    upcoming = [s.day for s in sessions if s.day > w.night and not s.settled]
    ahead = replace(lifter, next_session=min(upcoming, default=None))
    return Decisions(tuple(refresh(ahead, s) for s in sessions), tuple(adapted),
                     tuple(planned), tuple(capped), len(w.nights), facts.first_monday,
                     max(w.night, facts.last_night or w.night))


def nights_between(start: date, end: date) -> list[date]:
    """Every day from `start` through `end`, in order."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
