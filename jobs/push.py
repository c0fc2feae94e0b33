"""The plan on the watch: create, move, replace or delete the Garmin workouts of sessions.

`diff` is pure: the sessions and what was pushed before → the changes. `push` applies them
through `Connect.call` one workout at a time and commits each step as soon as Garmin has
confirmed it, so a run stopped anywhere leaves the database describing what Garmin holds and
the next run carries on. Only workouts recorded in `pushed_workouts` whose description still
carries our marker are ever moved or deleted: nothing else in the account is touched.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests
from garminconnect import GarminConnectConnectionError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from db import models as m
from db import repo, runs_log
from db.session import transaction
from domain.profile import Profile
from ingest.garmin import (
    Connect,
    GarminAuthError,
    GarminBadBody,
    GarminError,
    GarminNoData,
    GarminRateLimited,
)
from ingest.workouts import KINDS, check_connect, parse_marker, payload_hash
from jobs.defaults import PUSH_DAYS as DEFAULT_DAYS
from jobs.replan import load_sessions
from jobs.to_watch import build_workout, connect_pairs
from planner.catalog import Catalog
from planner.catalog_file import default_catalog
from planner.model import Session

Build = Callable[[Session], dict[str, Any]]


@dataclass(frozen=True)
class Pushed:
    """What an earlier push recorded for one session."""

    key: str
    workout_id: int
    scheduled_id: int | None
    day: date
    payload_hash: str


@dataclass
class Change:
    action: str  # create, move, schedule, update (delete + recreate), delete
    key: str
    kind: str
    day: date | None  # the day it lands on; None when deleted
    was: date | None = None  # the day it was scheduled on; None when new
    why: str = ""
    payload: dict[str, Any] | None = field(default=None, repr=False)
    workout_id: int | None = None
    scheduled_id: int | None = None
    status: str = "planned"  # planned (dry run), done or failed
    error: str | None = None

    @property
    def when(self) -> date:
        return self.day or self.was or date.min

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action, "session": self.key, "kind": self.kind,
                "day": self.day.isoformat() if self.day else None,
                "was": self.was.isoformat() if self.was else None, "why": self.why or None,
                "workout_id": self.workout_id, "status": self.status, "error": self.error}


@dataclass
class PushReport:
    athlete: str
    applied: bool
    changes: list[Change]

    @property
    def failed(self) -> list[Change]:
        return [c for c in self.changes if c.status == "failed"]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.action] = out.get(c.action, 0) + 1
        return out

    def as_json(self) -> dict[str, Any]:
        return {"athlete": self.athlete, "applied": self.applied, "counts": self.counts(),
                "failed": len(self.failed), "changes": [c.as_json() for c in self.changes]}


# -- the diff (pure) ---------------------------------------------------------------------------


def diff(sessions: list[Session], pushed: dict[str, Pushed], build: Build, today: date,
         days: int = DEFAULT_DAYS) -> list[Change]:
    """What to change in Garmin so that it holds the open sessions of the next `days` days.

    A session pushed earlier stays in step wherever it has moved to (even past the window);
    done and past sessions are history and left alone; skipped or vanished ones are deleted.
    """
    end = today + timedelta(days=days)
    changes: list[Change] = []
    for s in sessions:
        row = pushed.get(s.id)
        if row is None:
            if s.kind in KINDS and s.status not in ("done", "skipped") and today <= s.day < end:
                changes.append(Change("create", s.id, s.kind, s.day, payload=build(s)))
        elif s.status == "skipped":
            changes.append(_delete(row, s.kind, "skipped"))
        elif s.status != "done" and s.day >= today:
            changes += _sync(s, row, build(s))
    known = {s.id for s in sessions}
    changes += [_delete(row, "", "no longer planned") for key, row in pushed.items()
                if key not in known]
    return sorted(changes, key=lambda c: (c.when, c.key))


def _sync(s: Session, row: Pushed, payload: dict[str, Any]) -> list[Change]:
    if payload_hash(payload) != row.payload_hash:
        action = "update"
    elif s.day != row.day:
        action = "move"
    elif row.scheduled_id is None:  # an earlier run stopped between upload and schedule
        action = "schedule"
    else:
        return []
    return [Change(action, s.id, s.kind, s.day, row.day, payload=payload,
                   workout_id=row.workout_id, scheduled_id=row.scheduled_id)]


def _delete(row: Pushed, kind: str, why: str) -> Change:
    return Change("delete", row.key, kind, None, row.day, why, workout_id=row.workout_id,
                  scheduled_id=row.scheduled_id)


# -- Garmin's workout calls ----------------------------------------------------------------------


def _as_garmin_error(fn: Callable[..., Any], empty_ok: bool = False) -> Callable[..., Any]:
    """garminconnect raises its own errors for HTTP statuses, but its POST and DELETE calls let
    `requests` errors through (a timeout, a 2xx body that is not JSON): wrap them the same way
    so that Connect.call retries or reports them. A DELETE answered 2xx without JSON worked."""
    def run(*args: Any) -> Any:
        try:
            return fn(*args)
        except requests.exceptions.JSONDecodeError as exc:
            if empty_ok:
                return None
            raise GarminConnectConnectionError("the body is not JSON") from exc
        except requests.RequestException as exc:
            raise GarminConnectConnectionError("the request failed") from exc
    return run


class Workouts:
    """The five workout-service calls a push needs, each through Connect.call."""

    def __init__(self, conn: Connect) -> None:
        self.conn = conn
        self.api = conn.api

    def upload(self, payload: dict[str, Any]) -> int:
        what = f"uploading workout {payload.get('workoutName')!r}"
        body = self.conn.call(what, _as_garmin_error(self.api.upload_workout), payload)
        return _id(body, "workoutId", what)

    def schedule(self, workout_id: int, day: date) -> int:
        what = f"scheduling workout {workout_id} on {day}"
        body = self.conn.call(what, _as_garmin_error(self.api.schedule_workout), workout_id,
                              day.isoformat())
        return _id(body, "workoutScheduleId", what)

    def unschedule(self, scheduled_id: int) -> None:
        self._gone_ok(f"unscheduling {scheduled_id}", self.api.unschedule_workout, scheduled_id)

    def delete(self, workout_id: int) -> None:
        self._gone_ok(f"deleting workout {workout_id}", self.api.delete_workout, workout_id)

    def description(self, workout_id: int) -> str | None:
        """The workout's description ("" without one); None when it is gone from Garmin."""
        try:
            body = self.conn.call(f"reading workout {workout_id}", self.api.get_workout_by_id,
                                  workout_id)
        except GarminNoData:
            return None
        if not isinstance(body, dict):
            raise GarminBadBody(f"reading workout {workout_id}: Garmin sent no workout")
        return str(body.get("description") or "")

    def _gone_ok(self, what: str, fn: Callable[[int], Any], ident: int) -> None:
        with suppress(GarminNoData):  # 404: someone already removed it, as we wanted
            self.conn.call(what, _as_garmin_error(fn, empty_ok=True), ident)


def _id(body: Any, key: str, what: str) -> int:
    value = body.get(key) if isinstance(body, dict) else None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise GarminBadBody(f"{what}: Garmin's answer has no {key}") from None


# -- applying ------------------------------------------------------------------------------------


class NotOurs(GarminError):
    """A recorded workout no longer carries our marker: it is left alone and forgotten."""


class _Apply:
    def __init__(self, db: sessionmaker[DbSession], athlete_id: int, athlete: str,
                 garmin: Workouts) -> None:
        self.db, self.athlete_id, self.athlete, self.garmin = db, athlete_id, athlete, garmin

    def run(self, changes: list[Change]) -> None:
        """Every change; one failing is reported on it and the rest go on, except a refused
        login, which stops the run (every later call would be refused too), and a rate
        limit: the later changes are reported as not tried, since each call would meet the
        limit again, and keep it, with all its retries."""
        limited: GarminRateLimited | None = None
        for c in changes:
            if limited is not None:
                c.status, c.error = "failed", f"not tried: {limited}"
                continue
            try:
                getattr(self, c.action)(c)
                c.status = "done"
            except GarminAuthError:
                raise
            except GarminError as exc:
                c.status, c.error = "failed", str(exc)
                if isinstance(exc, GarminRateLimited):
                    limited = exc

    def create(self, c: Change) -> None:
        assert c.payload is not None and c.day is not None
        c.workout_id = self.garmin.upload(c.payload)
        self._record(c.key, workout_id=c.workout_id, scheduled_id=None, day=c.day,
                     payload_hash=payload_hash(c.payload))
        self._schedule(c)

    def schedule(self, c: Change) -> None:
        if self._still_ours(c):
            self._schedule(c)
        else:
            self.create(c)

    def move(self, c: Change) -> None:
        if not self._still_ours(c):
            self.create(c)
            return
        self._unschedule(c)
        self._schedule(c)

    def update(self, c: Change) -> None:
        if self._still_ours(c):
            self._remove(c)
        self.create(c)

    def delete(self, c: Change) -> None:
        if self._still_ours(c):
            self._remove(c)
        self._forget(c.key)

    def _schedule(self, c: Change) -> None:
        assert c.workout_id is not None and c.day is not None
        scheduled = self.garmin.schedule(c.workout_id, c.day)
        self._record(c.key, scheduled_id=scheduled, day=c.day)

    def _unschedule(self, c: Change) -> None:
        if c.scheduled_id is not None:
            self.garmin.unschedule(c.scheduled_id)
            self._record(c.key, scheduled_id=None)

    def _remove(self, c: Change) -> None:
        assert c.workout_id is not None
        self._unschedule(c)
        self.garmin.delete(c.workout_id)
        self._forget(c.key)

    def _still_ours(self, c: Change) -> bool:
        """Whether the recorded workout is still in Garmin (False: it was deleted there);
        raises NotOurs when its description no longer names this athlete and session."""
        assert c.workout_id is not None
        description = self.garmin.description(c.workout_id)
        if description is None:
            return False
        if parse_marker(description) != (self.athlete, c.key):
            self._forget(c.key)
            raise NotOurs(f"workout {c.workout_id} no longer carries the stridelift marker for "
                          f"{c.key}: left alone, and forgotten")
        return True

    def _record(self, key: str, **values: Any) -> None:
        """Insert or update the session's row in its own transaction (see the module doc)."""
        now = datetime.now(UTC)
        with transaction(self.db) as db:
            row = runs_log.pushed_workout(db, self.athlete_id, key)
            if row is None:
                row = m.PushedWorkout(athlete_id=self.athlete_id, session_key=key,
                                      created_at=now)
                db.add(row)
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = now

    def _forget(self, key: str) -> None:
        with transaction(self.db) as db:
            row = runs_log.pushed_workout(db, self.athlete_id, key)
            if row is not None:
                db.delete(row)


# -- the job -------------------------------------------------------------------------------------


def pushed_workouts(db: DbSession, who: m.Athlete) -> dict[str, Pushed]:
    rows = runs_log.pushed_workouts(db, who)
    return {r.session_key: Pushed(r.session_key, r.workout_id, r.scheduled_id, r.day,
                                  r.payload_hash) for r in rows}


def push(db: sessionmaker[DbSession], profile: Profile, conn: Connect | None, *, today: date,
         days: int = DEFAULT_DAYS, apply: bool = False,
         catalog: Catalog | None = None,
         accepted: frozenset[tuple[str, str]] | None = None) -> PushReport:
    """The changes that bring Garmin in step with the plan; made only when `apply` (which
    needs `conn`). Raises GarminAuthError when Garmin refuses the login; any other Garmin
    failure is reported on its change and the others go on, except after a rate limit (not
    tried). A workout naming an exercise
    outside Connect's list (`accepted`, by default the catalogue's checked pairs) stops the
    push with ConnectRejects before anything is sent."""
    chosen = catalog or default_catalog()
    allowed = connect_pairs() if accepted is None else accepted

    def build(s: Session) -> dict[str, Any]:
        payload = build_workout(s, chosen, profile.name)
        check_connect(payload, allowed)
        return payload

    with transaction(db) as session:
        who = repo.athlete(session, profile)
        athlete_id, sessions, pushed = who.id, load_sessions(session, who), pushed_workouts(
            session, who)
    changes = diff(sessions, pushed, build, today, days)
    if apply:
        if conn is None:
            raise ValueError("pushing needs a Garmin Connect connection")
        _Apply(db, athlete_id, profile.name, Workouts(conn)).run(changes)
    return PushReport(profile.name, apply, changes)
