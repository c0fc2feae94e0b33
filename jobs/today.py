"""The athlete's day at a glance: today's sessions, the runs around them, the recovery
status, and the next session when today has none (`stridelift today`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from db import plans, repo
from domain.profile import Profile
from jobs.home import Home
from jobs.last_night import (
    garmin_failed,
    synced_last_night,
    waiting_for_sync,
    without_last_night,
)
from jobs.plan_view import bring_up_to_date, session_row
from jobs.session_days import runs_around
from planner.model import ONE_DAY, RunDay


def today_view(home: Home, profile: Profile, day: date, current: date) -> dict[str, Any]:
    """The plan brought up to date through `current` (the athlete's real today: an earlier
    night is never replanned), then the facts of `day` (the `today --json` shape);
    "up_to_date" false when another run held the athlete's lock (shown as stored)."""
    updated = bring_up_to_date(home, profile, current) is not None
    with home.db() as db:
        who = repo.athlete(db, profile)
        # today's planned run counts until a run of the day is synced (RULES.md S6)
        around = runs_around(db, who, profile, day, day - ONE_DAY, day + ONE_DAY)
        runs = [_run(d, around.get(d)) for d in (day - ONE_DAY, day, day + ONE_DAY)]
        sessions = [session_row(r) for r in plans.sessions_between(db, who, day, day)]
        upcoming = [r for r in plans.sessions_between(db, who, day + ONE_DAY, day + 14 * ONE_DAY)
                    if r.status not in ("skipped", "done")]
        status = plans.daily_status(db, who, day)
        synced = synced_last_night(db, who, day)
        waiting = waiting_for_sync(db, who, day, current)
        failed = garmin_failed(db, who, day)
    return {"date": day.isoformat(), "athlete": profile.name, "up_to_date": updated,
            "sessions": sessions, "runs": runs,
            "recovery": None if status is None else {
                "level": status.level, "reasons": list(status.reasons),
                "missing": list(status.missing),
                # the status of a morning before the watch synced is the days before it's
                "last_night": None if profile.source == "files" else
                without_last_night(profile, synced, waiting, failed)},
            "next_session": None if not upcoming else {
                "id": upcoming[0].key, "date": upcoming[0].day.isoformat(),
                "kind": upcoming[0].kind, "status": upcoming[0].status}}


def _run(day: date, run: RunDay | None) -> dict[str, Any]:
    if run is None or not run.kinds:
        return {"date": day.isoformat(), "kinds": [], "source": "none"}
    return {"date": day.isoformat(), "kinds": list(run.kinds), "source": run.source}
