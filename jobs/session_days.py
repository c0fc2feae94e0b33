"""Which days a session may move to: every day of its week from today on, legal when the
planner's S6 check (planner.schedule.conflicts) finds nothing against it, else its reasons;
a legal day in a race's last days or post-race window says so (no heavy lower-body or
plyometric work there: RULES.md "Races")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session as DbSession

from db import models as m
from db import plans
from domain.profile import Profile
from jobs.replan import as_session, races_found, run_facts
from planner import races
from planner.adapt import pinned_kept
from planner.model import ONE_DAY, Adjustment, RunDay, week_start
from planner.schedule import conflicts


def runs_around(db: DbSession, who: m.Athlete, profile: Profile, today: date, since: date,
                until: date) -> dict[date, RunDay]:
    """The runs from `since` through `until`: done ones up to today, and today's planned run
    (template or calendar) while none is recorded yet, then the planned ones."""
    facts = run_facts(db, who, profile, min(since, today), today, until)
    runs = facts.tonight(today, until)
    if today not in runs and (planned := facts.tonight(today - ONE_DAY, today).get(today)):
        runs[today] = planned
    return runs


@dataclass(frozen=True)
class MoveOption:
    day: date
    current: bool
    why: tuple[str, ...]  # empty: S6 allows it
    caution: str | None = None  # a legal day a race keeps free of heavy work: its reason

    @property
    def legal(self) -> bool:
        return not self.why and not self.current


def move_options(db: DbSession, who: m.Athlete, profile: Profile, today: date,
                 row: m.PlannedSession) -> list[MoveOption]:
    """Each day of the session's week: allowed, or why not (past, or S6's reasons). The other
    strength sessions count as the nightly adaptation counts them (not the skipped ones)."""
    monday = week_start(row.day)
    runs = runs_around(db, who, profile, today, monday, monday + timedelta(days=8))
    others = _other_strength_days(db, who, row)
    known = [*races.entered(profile.races), *races_found(db, who, profile, today)]
    out = []
    for day in (monday + timedelta(days=i) for i in range(7)):
        why = ("that day is past",) if day < today else tuple(conflicts(day, runs, others))
        final = races.final_days(known, day)
        out.append(MoveOption(day, day == row.day, why, final[1] if final else None))
    return out


def _other_strength_days(db: DbSession, who: m.Athlete, row: m.PlannedSession) -> list[date]:
    """The days of the other strength sessions of the session's week and the days around
    it, as the nightly adaptation counts them (not the skipped ones)."""
    monday = week_start(row.day)
    near = plans.sessions_between(db, who, monday - timedelta(days=2), monday + timedelta(days=8))
    return [r.day for r in near
            if r.key != row.key and r.kind == "strength" and r.status != "skipped"]


def kept_pinned(db: DbSession, who: m.Athlete, profile: Profile, today: date,
                row: m.PlannedSession) -> Adjustment | None:
    """The note of a pinned session on a day S6 forbids, or the eve of a long run or a race
    (planner.adapt.pinned_kept), as of `today`; None where the day is fine."""
    runs = runs_around(db, who, profile, today, row.day - ONE_DAY, row.day + ONE_DAY)
    return pinned_kept(as_session(row), runs, _other_strength_days(db, who, row), today)
