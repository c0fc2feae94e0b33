"""The morning pass (RULES.md S7.3): sync the night's recovery data, judge today's session
again with it, record the change, and publish (calendar file, watch) when something changed.

One athlete and one day per call, idempotent like the nightly run (a second pass with the
same data changes nothing and publishes nothing), never at the same time as another pass
for the athlete (the nightly run's lock). The plan is first brought up to date through last
night (the nightly run's own replan: late-synced runs, sessions already lifted, and what was
run and lifted this morning: S6 before recovery), then the day's recovery status is computed
and planner/morning.py decides.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy.orm import Session as DbSession

from db import models as m
from db import plans, repo
from db.session import transaction
from domain.profile import Profile
from ingest.bulk import collecting_own_objects
from ingest.garmin import GarminAuthError, GarminError, GarminRateLimited
from jobs.analyse import analyse
from jobs.athlete_lock import planning
from jobs.calendar_feed import CalendarError
from jobs.clock import today_for
from jobs.home import Home
from jobs.last_night import (
    MORNING_DONE,
    NIGHTS_WATCHED,
    NOT_SYNCED,
    day_cursor,
    last_night,
    move_day_cursor,
    nights_fetched,
    watch_measured_nights,
    without_last_night,
)
from jobs.nightly_run import NightResult, Source, fetch, publish
from jobs.replan import (
    FIRST_MONDAY,
    PROFILE_RULE,
    PlanError,
    lifter,
    load_sessions,
    recovery,
    replan,
    save_sessions,
    store_adjustments,
)
from planner.lifter import Lifter
from planner.model import Adjustment, Session
from planner.morning import Judged, recovery_level, rejudge_today
from planner.plan_changes import as_planned
from planner.program import mobility_work

log = logging.getLogger(__name__)
KEPT = "keeping the nightly's decision"
# The daemon runs the pass again until `morning_until`: a watch that syncs later waits for
# this, or the next pass.
AGAIN = "run `stridelift morning` again once the watch has synced"
# Garmin limiting the account's calls (a Retry-After beyond our wait) or refusing its login:
# a try 30 minutes on is refused again, and a limit may grow with every call: none today
REFUSED = (GarminRateLimited, GarminAuthError)


def run_morning(home: Home, profile: Profile, day: date, source: Source,
                again: bool = False) -> list[NightResult]:
    """The morning pass for one athlete on `day`; raises Busy if a pass holds the lock.
    `again`: a try after the first pass, whose sync fetches the day only (its wellness
    and activities): the first pass's fetched the days before it already."""
    with planning(home, profile, "morning pass") as profile, collecting_own_objects():
        try:
            conn, synced = fetch(home, profile, source, day, since=day if again else None)
            with transaction(home.db) as db:
                caught_up = replan(db, profile, day - timedelta(days=1), day_after=True)
                changes, note = morning_changes(db, profile, day)
            counts = {**synced, "caught_up": len(caught_up.adjustments)}
            if changes or caught_up.adjustments:  # the plan differs from what was published
                counts.update(publish(home, profile, conn, day))
            result = NightResult(profile.name, day, "ok", counts,
                                 len(changes) + len(caught_up.adjustments), run="morning",
                                 note=note)
        except (GarminError, PlanError, CalendarError, OSError) as exc:
            result = NightResult(profile.name, day, "failed", error=str(exc), run="morning")
            if isinstance(exc, REFUSED):  # today's tries: never a day to come's (--date)
                with transaction(home.db) as db:
                    move_day_cursor(db, repo.athlete(db, profile), MORNING_DONE,
                                    min(day, today_for(profile)))
    log.info("morning %s %s: %s%s", profile.name, day, result.status,
             f" ({result.error or result.note})" if result.error or result.note else "")
    return [result]


def run_morning_again(home: Home, profile: Profile, day: date, source: Source
                      ) -> list[NightResult]:
    """The morning pass again until a pass has judged the day with last night's data (the
    daemon's tries after `morning_at`; the day's stored status may hold it with no pass
    having judged by it: a `sync`, then `today`) or Garmin refused a pass (REFUSED), never
    for imported files, which no pass brings in, nor for a watch that measured none of last
    night's numbers the NIGHTS_WATCHED nights before, once fetched (said once a day: the
    day is done)."""
    with transaction(home.db) as db:
        who = repo.athlete(db, profile)
        done = day_cursor(db, who, MORNING_DONE)
        if profile.source == "files" or (done is not None and done >= day):
            return []
        if nights_fetched(db, who, day) and not watch_measured_nights(db, who, day):
            move_day_cursor(db, who, MORNING_DONE, day)
            log.info("morning %s %s: no tries (the watch measured none of last night's "
                     "numbers the %d nights before)", profile.name, day, NIGHTS_WATCHED)
            return []
        # the day only once a sync listed the activities through it (the first pass, unless
        # Garmin failed on it or it did not run): else the days before it are still to fetch
        listed = repo.cursor(db, who, "activities")
        again = listed is not None and date.fromisoformat(listed) >= day
    return run_morning(home, profile, day, source, again=again)


def morning_changes(db: DbSession, profile: Profile, day: date
                    ) -> tuple[list[Adjustment], str | None]:
    """Today's status from the data synced, then today's session judged again with it;
    the plan and its changes stored (in the caller's transaction), and why the pass left
    the day's open session as the nightly run decided, if it did."""
    analyse(db, profile, day)
    return _rejudged(db, profile, day)


def judged_again(db: DbSession, profile: Profile, day: date) -> list[Adjustment]:
    """The day's session judged again with the day's recovery status as stored (none yet,
    or none of last night's data synced yet: no change); the plan and its changes stored
    (in the caller's transaction)."""
    return _rejudged(db, profile, day)[0]


def _rejudged(db: DbSession, profile: Profile, day: date
              ) -> tuple[list[Adjustment], str | None]:
    """judged_again, and the waiting note: whether last night's numbers are in is asked
    once. Before they are, the nightly run judged the session by the days before already,
    and its decision stands (no status to judge it again by)."""
    who = repo.athlete(db, profile)
    # the pass prescribes today's sessions only (as_planned, mobility_work): each
    # exercise's lifts as far back as that needs, not every lift ever
    sessions = load_sessions(db, who)
    ctx = lifter(db, who, profile, day, sessions, since=day)
    measured = last_night(db, who, day)
    this_morning = None if measured is None else recovery(db, who, day)
    after, changes = rejudge_today(sessions, day, this_morning, mobility_work(ctx),
                                   _judged(db, who, ctx, sessions, day), measured)
    if changes:
        save_sessions(db, who, after, sessions)
        store_adjustments(db, who, changes)
    if measured is not None:
        move_day_cursor(db, who, MORNING_DONE, day)
    return changes, _waiting_note(profile, sessions, day, measured is not None)


def _waiting_note(profile: Profile, sessions: list[Session], day: date, synced: bool
                  ) -> str | None:
    """Why the pass left the day's open session as the nightly run decided, if it did."""
    if not any(s.day == day and not s.settled for s in sessions):
        return None
    missing = without_last_night(profile, synced)
    if missing is None:
        return None
    return f"{missing}: {KEPT}" + (f" ({AGAIN})" if missing == NOT_SYNCED else "")


def _judged(db: DbSession, who: m.Athlete, ctx: Lifter, sessions: list[Session],
            day: date) -> dict[str, Judged]:
    """Today's sessions whose last recorded change was a recovery decision (the nightly
    run's or an earlier morning's), with the level it was made on and the session as
    planned without it. Less kit swapping its exercises (PROFILE_RULE) is no decision on
    it, nor is an S6 move, which changes its day and keeps its work: a session lightened for
    recovery, then swapped or moved, is still judged from the plan (recovery is the day's)."""
    last: dict[str, m.AdjustmentRow] = {}
    for row in plans.adjustments(db, who, session_keys={s.id for s in sessions
                                                         if s.day == day}, newest_first=True):
        if row.rule != PROFILE_RULE and (row.rule, row.action) != ("S6", "move"):
            last.setdefault(row.session_key, row)
    levels = {key: level for key, row in last.items()
              if (level := recovery_level(row.rule)) is not None}
    first = repo.cursor(db, who, FIRST_MONDAY)
    if not levels or first is None:
        return {}
    planned = as_planned(ctx, date.fromisoformat(first), day - timedelta(days=1), sessions,
                         levels)
    return {key: Judged(level, planned[key]) for key, level in levels.items() if key in planned}
