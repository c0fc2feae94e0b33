"""Scheduled running workouts: kinds from titles, and the override of the weekly template."""

from __future__ import annotations

from datetime import date

import pytest

from analysis.titles import planned_kind
from db import models as m
from db import repo
from db.session import open_db, transaction
from domain.profile import Profile
from ingest.calendar import months, planned_runs
from jobs.replan import run_days


def test_calendar_items_keep_title_and_type() -> None:
    body = {"calendarItems": [
        {"itemType": "workout", "sportTypeKey": "running", "date": "2025-03-05", "title": "Tempo"},
        {"itemType": "race", "date": "2025-03-09", "title": "Spring 10k"},
        {"itemType": "workout", "sportTypeKey": "strength_training", "date": "2025-03-06"},
        {"itemType": "activity", "sportTypeKey": "running", "date": "2025-03-04"},
        {"itemType": "workout", "date": "2025-03-07", "title": "No sport said"}]}
    assert [(i.day.day, i.title, i.item_type) for i in planned_runs(body)] == [
        (5, "Tempo", "workout"), (9, "Spring 10k", "race")]
    assert planned_kind("Spring 10k", "race").kinds == ("race",)


def test_malformed_bodies_give_nothing() -> None:
    bodies: tuple[object, ...] = (None, {}, [], {"calendarItems": "x"},
                                  {"calendarItems": [1, None]})
    for body in bodies:
        assert planned_runs(body) == []


def test_months_cross_the_year() -> None:
    assert months(date(2025, 12, 20)) == [(2025, 12), (2026, 1)]


def test_the_calendar_overrides_the_template(db_url: str) -> None:
    p = Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50,
                runs={"wed": "easy", "sat": "long"})
    factory = open_db(db_url)
    with transaction(factory) as db:
        who = repo.athlete(db, p)
        db.add(m.PlannedRun(athlete_id=who.id, day=date(2025, 3, 5), item_type="workout",
                            title="Tempo"))
        db.flush()
        runs = run_days(db, who, p, date(2025, 3, 3), date(2025, 3, 9))
    assert runs[date(2025, 3, 5)].kinds == ("threshold",)
    assert runs[date(2025, 3, 5)].source == "garmin-calendar"
    assert runs[date(2025, 3, 8)].kinds == ("long",) and runs[date(2025, 3, 8)].source == \
        "template"


@pytest.mark.parametrize("title, item_type, kinds", [
    ("Long run 24 km", None, ("long",)), ("Progression long run", None, ("long", "threshold")),
    ("6x800m", None, ("speed",)), ("4x1 km", None, ("speed",)), ("Fartlek", None, ("speed",)),
    ("Hills", None, ("speed",)), ("VO2 max 5x3'", None, ("speed",)),
    ("Tempo 20 min", None, ("threshold",)), ("Threshold", None, ("threshold",)),
    ("10 km at race pace", None, ("threshold",)), ("Marathon pace 12 km", None, ("threshold",)),
    ("Shakeout before race", None, ("easy",)), ("Saturday parkrun", None, ("race", "race")),
    ("Berlin Marathon", None, ("race",)), ("Big day", "race", ("race",)),
    ("Recovery jog", None, ("recovery",)), ("Morning run", None, ("easy",)),
    # a plan or a workout named after the race is not the race
    ("Marathon training long run", None, ("long",)), ("Half marathon plan: easy 8 km", None,
                                                      ("easy",)),
    ("Marathon week 12: tempo", None, ("threshold",)),
    ("Recovery run after marathon", None, ("recovery",)),
    ("Easy run before the half marathon", None, ("easy",)), ("Half marathon", None, ("race",))])
def test_planned_kind_from_title(title: str, item_type: str | None,
                                 kinds: tuple[str, ...]) -> None:
    planned = planned_kind(title, item_type)
    assert planned.kinds == tuple(dict.fromkeys(kinds)) and title in planned.reason
