"""The nightly pipeline: sync -> store -> classify -> load and recovery -> adapt -> publish
(the calendar file) -> record.

One athlete and one day per call, idempotent, never two at once for the same athlete (a lock
file in the data dir), and catching up: every night since the last successful run is
replanned in order. A failed night is recorded with its error and retried next time; a
failure in one athlete never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from db import models as m
from db import repo, runs_log
from db.session import DatabaseError, transaction, unusable_by
from domain.profile import Profile
from ingest.bulk import collecting_own_objects
from ingest.garmin import Connect, GarminError
from jobs.athlete_lock import Busy as Busy  # raised by run_nightly
from jobs.athlete_lock import planning
from jobs.calendar_feed import CalendarError, write_calendar
from jobs.clock import today_for
from jobs.config import ConfigError
from jobs.garmin_account import synced
from jobs.home import Home
from jobs.push import push
from jobs.replan import PlanError, replan
from planner.catch_up import MAX_CATCH_UP_DAYS, nights_between

log = logging.getLogger(__name__)

# Opens an athlete's Garmin (or demo) connection; None: nothing to sync (source "files").
Source = Callable[[Profile], Connect | None]


def fetch(home: Home, profile: Profile, source: Source, day: date, since: date | None = None,
          ) -> tuple[Connect | None, dict[str, int]]:
    """The athlete's connection and what syncing through it brought, up to `day` (from
    `since` only, when given)."""
    conn = source(profile)
    if conn is None:
        return None, {}
    return conn, synced(home, conn, profile, today=day, since=since).counts()


@dataclass
class NightResult:
    athlete: str
    day: date
    status: str  # ok or failed
    counts: dict[str, Any] = field(default_factory=dict)
    adjustments: int = 0
    error: str | None = None
    run: str = "nightly"  # or "morning": which pass
    note: str | None = None  # what the pass left as it was, and why

    def as_json(self) -> dict[str, Any]:
        return {"athlete": self.athlete, "day": self.day.isoformat(), "status": self.status,
                "counts": self.counts, "adjustments": self.adjustments, "error": self.error,
                "pass": self.run, "note": self.note}


def pending_nights(home: Home, profile: Profile, day: date) -> list[date]:
    """The nights to process: every one since the last successful run, through `day`."""
    with home.db() as db:
        who = repo.athlete(db, profile)
        last = runs_log.last_good_night(db, who, day)
    first = day if last is None else max(last + timedelta(days=1),
                                         day - timedelta(days=MAX_CATCH_UP_DAYS - 1))
    return nights_between(first, day)


def run_nightly(home: Home, profile: Profile, day: date, source: Source) -> list[NightResult]:
    """Process every pending night for one athlete; raises Busy if a run or an import holds
    the athlete's lock."""
    with planning(home, profile, "nightly run") as profile, collecting_own_objects():
        return _nights(home, profile, pending_nights(home, profile, day), source)


def publish(home: Home, profile: Profile, conn: Connect | None, day: date) -> dict[str, int]:
    """The plan as it stands out to the calendar file, and to the watch when turned on."""
    write_calendar(home, profile, day)
    if not profile.push_workouts or conn is None:
        return {}
    pushed = push(home.db, profile, conn, today=day, apply=True)
    return {"workouts_pushed": len(pushed.changes) - len(pushed.failed),
            "workouts_failed": len(pushed.failed)}


def _nights(home: Home, profile: Profile, nights: list[date], source: Source
            ) -> list[NightResult]:
    results: list[NightResult] = []
    synced: dict[str, int] | None = None
    conn: Connect | None = None
    # a nightly_at before noon, or an evening one caught up after midnight, runs on the day
    # after the last night: what was already run and lifted that day counts, as that day's
    # (replan's day_after), so the sync reaches it
    day_after = bool(nights) and today_for(profile) == nights[-1] + timedelta(days=1)
    for night in nights:
        started = datetime.now(UTC)
        try:
            if synced is None:  # one sync reaches the last night; replans go night by night
                conn, synced = fetch(home, profile, source,
                                     nights[-1] + timedelta(days=int(day_after)))
            with transaction(home.db) as db:
                plan = replan(db, profile, night, day_after=day_after and night == nights[-1])
            counts = {**synced, "nights_adapted": plan.nights}
            if night == nights[-1]:  # publish once the plan is current
                counts.update(publish(home, profile, conn, night))
            result = NightResult(profile.name, night, "ok", counts, len(plan.adjustments))
        except (GarminError, PlanError, CalendarError, OSError) as exc:
            result = NightResult(profile.name, night, "failed", error=str(exc))
        _record(home, profile, result, started)
        results.append(result)
        log.info("nightly %s %s: %s%s", profile.name, night, result.status,
                 f" ({result.error})" if result.error else "")
        if result.status == "failed":
            break  # later nights wait for this one: the next run retries from here
    return results


def _record(home: Home, profile: Profile, r: NightResult, started: datetime) -> None:
    with transaction(home.db) as db:
        db.add(m.NightlyRun(athlete_id=repo.athlete(db, profile).id, day=r.day,
                            started_at=started, finished_at=datetime.now(UTC), status=r.status,
                            counts=r.counts, adjustments=r.adjustments, error=r.error))


Pass = Callable[[Home, Profile, date, Source], list[NightResult]]  # one athlete's run


def run_all(home: Home, source: Source, day_for: Callable[[Profile], date],
            names: list[str] | None = None, one: Pass = run_nightly) -> list[NightResult]:
    """Every athlete's night (or the named ones'), or another pass (`one`, e.g. the morning
    pass); one athlete's failure stops no other."""
    results: list[NightResult] = []
    for name in names or sorted(home.athletes()):
        profile: Profile | None = None
        try:
            profile = home.athlete(name)  # as saved now: the daemon sees the CLI's changes
            results += one(home, profile, day_for(profile), source)
        except (Busy, ConfigError, DatabaseError) as exc:  # expected: one line, no traceback
            results.append(NightResult(name, today_for(profile), "failed", error=str(exc)))
        except Exception as exc:  # a bug for one athlete must not cost the others their night
            # a database it cannot use (a table dropped, the file damaged or replaced) is
            # said as the CLI says it, its fix in one line
            if (unusable := unusable_by(exc, home.config.database_url())) is None:
                log.exception("%s for %s crashed", getattr(one, "__name__", "run"), name)
            results.append(NightResult(name, today_for(profile), "failed", error=str(
                unusable or f"{type(exc).__name__}: {exc}")))
    return results
