"""Running workouts scheduled in the Garmin Connect calendar.

They override the weekly template for the days they fall on (RULES.md S7.1). Only the day,
title and Garmin's item type are kept here: what kind of run a title names is analysis
(analysis/titles.py), read when the plan is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from db import models as m
from db.raw import RawStore

MONTHS = 2  # this month and the next: the plan looks two weeks ahead
ITEM_TYPES = frozenset({"workout", "race", "event"})  # a planned run, or a race entered


@dataclass(frozen=True)
class PlannedRunItem:
    day: date
    title: str
    item_type: str


def calendar_items(body: Any) -> list[Any] | None:
    """A month body's calendarItems; None when it holds no such list (a 204, an error): that
    is no empty month."""
    items = body.get("calendarItems") if isinstance(body, dict) else None
    return items if isinstance(items, list) else None


def planned_runs(body: Any) -> list[PlannedRunItem]:
    """The running workouts of a calendar month body; anything malformed is passed over."""
    out = []
    for item in calendar_items(body) or []:
        if not isinstance(item, dict) or str(item.get("itemType")) not in ITEM_TYPES:
            continue
        # A workout says its sport; a race entered in the calendar may not (it is a run then).
        sport = str(item.get("sportTypeKey") or ("" if item["itemType"] == "workout"
                                                 else "running"))
        try:
            day = date.fromisoformat(str(item.get("date")))
        except ValueError:
            continue
        if "running" in sport:
            title = str(item.get("title") or "running workout")[:200]
            out.append(PlannedRunItem(day, title, str(item["itemType"])))
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
            session.add(m.PlannedRun(athlete_id=who.id, day=item.day,
                                     item_type=item.item_type, title=item.title))
    session.flush()
