"""Replay the athlete's own history: what the nightly planning would have done, night by
night, over the runs and wellness already imported, on a scratch copy of the database (the
real plan is never touched).

Each night replans as `nightly` does (the classified runs up to the night, the template or the
Garmin calendar after it, that morning's recovery status); the sessions of each day are taken
as done as prescribed unless the watch recorded them (so progression moves as it would have).
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session as DbSession

from db import activities, plans, repo
from db import models as m
from db.scratch import copy_database, forget_plan
from db.session import open_db, transaction
from domain.profile import Profile
from jobs.analyse import analyse
from jobs.config import Paths
from jobs.defaults import REPLAY_WEEKS as WEEKS
from jobs.home import Home
from jobs.replan import FIRST_MONDAY, LAST_NIGHT, mark_done, replan
from planner.catalog_file import default_catalog
from planner.catch_up import nights_between
from planner.model import week_start

OPEN = ("planned", "moved", "lightened")
BREAKS = ("S4", "S6")  # the rules a plan made on the template alone would have broken


class ReplayError(Exception):
    """Nothing to replay, or a period that cannot be replayed; the message says why."""


@contextmanager
def scratch_home(home: Home, profile: Profile) -> Iterator[Home]:
    """The home on a throw-away copy of the athlete's rows of its database (deleted
    afterwards); the configuration and the raw store are the real ones, read only."""
    with tempfile.TemporaryDirectory(prefix="stridelift-replay-") as folder:
        url = copy_database(home.config.database_url(), Path(folder) / "replay.db",
                            profile.name)
        paths = Paths(config_dir=home.config.paths.config_dir, data_dir=Path(folder))
        factory = open_db(url)
        try:
            yield Home(config=replace(home.config, paths=paths, db_url=url), db=factory,
                       raw=home.raw)
        finally:
            factory.kw["bind"].dispose()


def default_period(home: Home, profile: Profile, weeks: int = WEEKS) -> tuple[date, date]:
    """The last `weeks` weeks of imported history (all of a shorter one), ending on its last
    day."""
    with home.db() as db:
        who = repo.athlete(db, profile)
        first, last = activities.first_fact_day(db, who), activities.last_fact_day(db, who)
    if first is None or last is None:
        raise ReplayError(f"no imported history for {profile.name}: run `stridelift import "
                          "EXPORT.zip` (or `stridelift sync`) first")
    return max(first, last - timedelta(weeks=weeks) + timedelta(days=1)), last


@dataclass
class ReplaySummary:
    athlete: str
    first: date
    last: date
    nights: int = 0
    sessions: int = 0  # sessions planned on days of the period
    done: int = 0
    actions: Counter[str] = field(default_factory=Counter)  # move, lighten, mobility, drop
    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # rule -> changes
    broken_weeks: dict[date, list[str]] = field(default_factory=dict)  # Monday -> reasons

    def as_json(self) -> dict[str, Any]:
        return {"athlete": self.athlete, "from": self.first.isoformat(),
                "to": self.last.isoformat(), "nights": self.nights, "sessions": self.sessions,
                "done": self.done, "moved": self.actions["move"],
                "lightened": self.actions["lighten"], "mobility": self.actions["mobility"],
                "dropped": self.actions["drop"],
                "rules": {rule: {"changes": len(changes),
                                 "actions": dict(Counter(c["action"] for c in changes)),
                                 "each": changes} for rule, changes in sorted(self.rules.items())},
                "template_broken_weeks": {d.isoformat(): why for d, why
                                          in sorted(self.broken_weeks.items())}}


def replay(home: Home, profile: Profile, first: date, last: date,
           progress: Callable[[int, int], None] | None = None) -> ReplaySummary:
    """Replay the nights first..last on `home` (a scratch home: its plan is replaced)."""
    if first > last:
        raise ReplayError(f"--from {first} is after --to {last}")
    with transaction(home.db) as db:
        forget_plan(db, repo.athlete(db, profile), (FIRST_MONDAY, LAST_NIGHT))
        # Classes and statuses look only backwards: analysed once through the last night,
        # each night reads the same numbers it would have had then.
        analyse(db, profile, last)
    nights = nights_between(first, last)
    for done, night in enumerate(nights, start=1):
        with transaction(home.db) as db:
            follow_plan(db, repo.athlete(db, profile), night)
            replan(db, profile, night, analysed=True)
        if progress:
            progress(done, len(nights))
    with home.db() as db:
        return summarise(db, profile, first, last)


def summarise(db: DbSession, profile: Profile, first: date, last: date) -> ReplaySummary:
    """What the plan did over first..last: sessions, changes by action and rule, and the
    weeks the template alone would have broken S4 or S6 in."""
    who = repo.athlete(db, profile)
    out = ReplaySummary(profile.name, first, last, nights=(last - first).days + 1)
    rows = plans.sessions_between(db, who, first, last)
    out.sessions = len(rows)
    out.done = sum(r.status == "done" for r in rows)
    for a in plans.adjustments(db, who, since=first):
        if a.night > last:
            continue
        out.actions[a.action] += 1
        out.rules.setdefault(a.rule, []).append(
            {"night": a.night.isoformat(), "session": a.session_key, "action": a.action,
             "before": a.before, "after": a.after, "reasons": list(a.reasons)})
        if a.rule.split()[0] in BREAKS:
            monday = week_start(date.fromisoformat(a.session_key[:10]))
            out.broken_weeks.setdefault(monday, []).append(
                f"{a.rule}: {a.reasons[0] if a.reasons else a.action}")
    return out


def follow_plan(db: DbSession, who: m.Athlete, day: date, rng: random.Random | None = None,
                share: float = 1.0) -> None:
    """The day's open sessions done as `stridelift done` records them: as prescribed, or
    with `rng` now and then one rep more and a session missed with probability 1 - share."""
    for row in plans.sessions_on(db, who, day, OPEN):
        if rng is not None and rng.random() >= share:
            continue
        actual = {p["exercise_id"]: (_reps(p["reps"], p["sets"], rng),
                                     p["load_kg"] or found_by_feel(p["exercise_id"]))
                  for p in row.exercises if p["reps"] is not None}
        mark_done(db, who, row.key, rpe=rng.choice((6, 7, 7, 8)) if rng else None,
                  actual=actual)


def _reps(reps: int, sets: int, rng: random.Random | None) -> list[int]:
    extra = rng.choice((0, 1)) if rng else 0
    return [min(max(6, reps), reps + extra)] * sets


def found_by_feel(exercise_id: str) -> float | None:
    """The weight a runner settles on the first time: about 6RM for a recreational runner."""
    e = default_catalog().exercise(exercise_id)
    if not e.loaded:
        return None
    return 30.0 if e.equipment == "gym" else 12.0
