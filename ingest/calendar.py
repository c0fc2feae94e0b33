"""Running workouts scheduled in the Garmin Connect calendar.

They override the weekly template for the days they fall on (RULES.md S7.1). A workout's
kind is read from its title, the way runners and coaching plans name them ("Long run 24 km",
"6x800m intervals", "Tempo 20 min"); a running workout whose title says nothing is easy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from db import models as m
from db.raw import RawStore

MONTHS = 2  # this month and the next: the plan looks two weeks ahead
KIND_WORDS = (  # first match wins, hardest first
    ("race", re.compile(r"\b(race|parkrun|marathon)\b", re.I)),
    ("speed", re.compile(r"\b(intervals?|vo2|speed|repeats?|reps|fartlek|hills?|track|"
                         r"\d+\s*x\s*\d+)", re.I)),
    ("threshold", re.compile(r"\b(tempo|threshold|lt|cruise|progression)\b", re.I)),
    ("long", re.compile(r"\blong\b", re.I)),
    ("recovery", re.compile(r"\brecovery\b", re.I)),
)


@dataclass(frozen=True)
class PlannedRunItem:
    day: date
    kind: str
    title: str


def kind_of(title: str) -> str:
    return next((kind for kind, words in KIND_WORDS if words.search(title)), "easy")


def planned_runs(body: Any) -> list[PlannedRunItem]:
    """The running workouts of a calendar month body; anything malformed is passed over."""
    items = body.get("calendarItems") if isinstance(body, dict) else None
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or item.get("itemType") != "workout":
            continue
        sport = str(item.get("sportTypeKey") or "")
        try:
            day = date.fromisoformat(str(item.get("date")))
        except ValueError:
            continue
        if "running" in sport:
            title = str(item.get("title") or "running workout")[:200]
            out.append(PlannedRunItem(day, kind_of(title), title))
    return out


def months(today: date) -> list[tuple[int, int]]:
    """(year, month) for this month and the next MONTHS - 1."""
    out, day = [], today.replace(day=1)
    for _ in range(MONTHS):
        out.append((day.year, day.month))
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def store_garmin_calendar(session: Session, who: m.Athlete, raw: RawStore,
                          entry: dict[str, Any]) -> None:
    """Replace the month's scheduled runs with the journalled body's (sync and rebuild)."""
    year, month = (int(x) for x in str(entry["month"]).split("-"))
    first = date(year, month, 1)
    after = (first + timedelta(days=32)).replace(day=1)
    session.execute(delete(m.PlannedRun).where(m.PlannedRun.athlete_id == who.id,
                                               m.PlannedRun.day >= first,
                                               m.PlannedRun.day < after))
    for item in planned_runs(raw.get_json(entry["body"])):
        if first <= item.day < after:
            session.add(m.PlannedRun(athlete_id=who.id, day=item.day, kind=item.kind,
                                     title=item.title))
    session.flush()
