"""The plan brought up to date through a night, from facts loaded once (pure).

What the watch recorded is read back (sessions done, lifts to store), every night since
the last one adapted is adapted again in order (RULES.md S7), the weeks
coming into view are planned, the night's own recovery status judges the next day's session
as planned tonight, the S4 cap holds with the work done outside the plan, and
every open session's prescription is refreshed from what was lifted. The job around it
loads the facts once (jobs.replan) and writes the decisions once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from domain.profile import Profile
from planner import races
from planner.adapt import (
    Recovery,
    Tonight,
    adapt,
    enforce_cap,
    pinned_news,
    pinned_notes,
    recover,
)
from planner.catalog import Catalog
from planner.lifter import Lifter, races_of
from planner.model import Adjustment, RunDay, Session, week_of, week_start
from planner.plan import extend
from planner.prescriptions import refresh
from planner.program import mobility_work
from planner.races import Leg, found_races
from planner.readback import (
    LiftRecord,
    Recorded,
    progression_history,
    read_back,
    unplanned_heavy,
)
from planner.runs import RunFacts
from planner.schedule import place_week
from planner.slots import MAX_HEAVY_LOWER_A_WEEK

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


def prescribed_on(w: Window, sessions: Sequence[Session]) -> tuple[date, frozenset[date]]:
    """The days the prescriptions of the window's nights may be for (the lifts they read,
    planner.readback.Reach): any day from the first night's week on (the nights change no
    session before the first night; S4 counts the work outside the plan from the night's
    week on), and the days of the older strength sessions still open (`refresh`: one
    gone by undone is prescribed on its own day again)."""
    since = week_start(w.first_night)
    return since, frozenset(s.day for s in sessions
                            if s.kind == "strength" and not s.settled and s.day < since)


def first_week(night: date, runs: Mapping[date, RunDay],
               known: Sequence[races.RaceDay] = ()) -> date:
    """The Monday of a new plan's first week: the week of the first day it can plan, when
    its days left can hold a strength session S6 allows outside the days the races `known`
    keep free of strength work, else the next Monday. The days left of a week begun late (a
    Sunday night; a Friday night before a long run; a weekend in a race's last days) would
    hold mobility work only, and counted as the first block's week 1 and a training week
    they would cut the block short (S5)."""
    monday = week_start(night + timedelta(days=1))
    left = [day for day in week_of(monday) if day > night]
    spared = races.spared(known, left)
    placed = place_week(monday, runs, 1, allowed=left, spared=spared).strength
    return monday if set(placed) - spared else monday + timedelta(days=7)


@dataclass(frozen=True)
class PlanFacts:
    """Everything the plan through a night is made from, loaded once."""

    window: Window
    sessions: tuple[Session, ...]  # the plan as stored
    runs: RunFacts  # through horizon(the window's last planned day)
    recovery: Mapping[date, Recovery]  # each night's morning status
    # what was lifted, by day in the order stored: each exercise's records as far back as
    # the nights read them (planner.readback.Reach, `prescribed_on`), the last one through
    # the day of each session gone by undone, and those of the sessions the recorded
    # activities may fulfil (jobs.replan.night_lifts)
    lifts: tuple[LiftRecord, ...]
    recorded: tuple[Recorded, ...]  # the watch's strength activities not read back yet
    legs: tuple[Leg, ...]  # the activities of the last weeks a race may be found in
    first_monday: date  # the plan's first week
    last_night: date | None  # the last night adapted before (None: never)
    judged: frozenset[str] = frozenset()  # sessions the morning pass judged again on their
    # day: the night before no longer decides their recovery
    said: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # each session's last
    # pinned note, where it named a conflict: its reasons (planner.adapt.pinned_news)


@dataclass(frozen=True)
class Decisions:
    """The plan as it now stands and every change that got it there, in order."""

    sessions: tuple[Session, ...]
    lifts: tuple[LiftRecord, ...]  # read from the watch, to store
    replaced: tuple[str, ...]  # sessions whose record by hand the watch's replaces
    adapted: tuple[Adjustment, ...]  # night by night (the same facts twice change nothing)
    planned: tuple[Adjustment, ...]  # planning fallbacks and race effects (recorded once)
    recovered: tuple[Adjustment, ...]  # the night's recovery on the session planned next
    capped: tuple[Adjustment, ...]  # S4 with the work done outside the plan
    pinned: tuple[Adjustment, ...]  # pinned sessions S6 would move, kept (S7.4): as they
    # stand tonight (`plan` warns of them)
    pinned_news: tuple[Adjustment, ...]  # what `why` must be told of them: a new or another
    # conflict, or one gone
    nights: int
    first_monday: date
    last_night: date  # the latest night ever adapted


def catch_up(facts: PlanFacts, profile: Profile, catalog: Catalog) -> Decisions:
    """Read back what the watch recorded, adapt every night of the window, plan the weeks
    coming into view, hold the S4 cap and refresh the open sessions' prescriptions."""
    w = facts.window
    read = read_back(facts.recorded, facts.sessions, catalog, facts.lifts)
    lifted = read.history(facts.lifts)
    lifter = Lifter(profile, catalog, progression_history(lifted, read.sessions),
                    known_kg=profile.known_kg,
                    found_races=found_races(facts.legs, {r.day for r in profile.races}))
    # the night's own recovery status waits for the weeks ahead as planned tonight: the
    # next day's session it lightens (a Monday) may be of a week planned again on a block
    # decision the night changed (S5's 2/3 count of the week that just ended)
    sessions, adapted = _adapt_nights(facts, lifter, read.sessions)
    plain = replace(facts.runs, plan=replace(facts.runs.plan, races=()))  # the knock-ons'
    # the weeks coming into view too are prescribed as from the next session: a session
    # a race lightens as it is planned is not refreshed again, and must not carry a layoff
    # that the sessions before it will have prevented (S5)
    sessions, planned = extend(_ahead(lifter, sessions, w.night), facts.first_monday,
                               w.night, w.until, facts.runs.tonight(w.night, w.until),
                               sessions, plain.tonight(w.night, w.until))
    sessions, recovered = recover(sessions, _tonight(facts, w.night, races_of(lifter)),
                                  mobility_work(lifter), facts.judged)
    sessions, capped = enforce_cap(sessions, unplanned_heavy(lifted, catalog), w.night,
                                   MAX_HEAVY_LOWER_A_WEEK)
    pinned = pinned_notes(sessions, facts.runs.tonight(w.night, w.until), w.night)
    ahead = _ahead(lifter, sessions, w.night)
    return Decisions(
        sessions=tuple(refresh(ahead, s) for s in sessions), lifts=tuple(read.lifts),
        replaced=tuple(read.replaced), adapted=tuple(adapted), planned=tuple(planned),
        recovered=tuple(recovered), capped=tuple(capped), pinned=tuple(pinned),
        pinned_news=tuple(pinned_news(pinned, sessions, facts.said, w.night)),
        nights=len(w.nights),
        first_monday=facts.first_monday,
        last_night=max(w.night, facts.last_night or w.night))


def _ahead(lifter: Lifter, sessions: list[Session], night: date) -> Lifter:
    """The lifter that judges a layoff at the next open session after the night (the
    sessions after it assume that one happens)."""
    upcoming = [s.day for s in sessions if s.day > night and not s.settled]
    return replace(lifter, next_session=min(upcoming, default=None))


def _tonight(facts: PlanFacts, night: date, known: list[races.RaceDay]) -> Tonight:
    """The facts of one night of the window with its own morning status. A night before
    the last one is over: only what was synced of it counts."""
    w = facts.window
    return Tonight(night, facts.runs.tonight(night, w.until, night_over=night < w.night),
                   facts.recovery.get(night),
                   races.spared(known, nights_between(w.first_night, w.until)))


def _adapt_nights(facts: PlanFacts, lifter: Lifter,
                  sessions: list[Session]) -> tuple[list[Session], list[Adjustment]]:
    """Every night of the window in order, each with its own runs and morning status, but
    the last night's status (catch_up applies it once the weeks ahead are planned)."""
    adapted, known = list[Adjustment](), races_of(lifter)
    for n in facts.window.nights:
        tonight = _tonight(facts, n, known)
        if n == facts.window.night:
            tonight = replace(tonight, recovery=None)
        sessions, changes = adapt(sessions, tonight, mobility_work(lifter), facts.judged)
        adapted += changes
    return sessions, adapted


def nights_between(start: date, end: date) -> list[date]:
    """Every day from `start` through `end`, in order."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
