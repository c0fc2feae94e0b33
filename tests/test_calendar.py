"""Scheduled running workouts: kinds from titles, and the override of the weekly template."""

from __future__ import annotations

from datetime import date

import pytest

from db import models as m
from db import repo
from db.session import open_db, transaction
from domain.profile import Profile
from ingest.calendar import kind_of, months, planned_runs
from jobs.replan import run_days


@pytest.mark.parametrize("title, kind", [
    ("Long run 24 km", "long"), ("6x800m intervals", "speed"), ("5 x 1k @ 10k pace", "speed"),
    ("Hill repeats", "speed"), ("Tempo 20 min", "threshold"), ("Threshold cruise", "threshold"),
    ("Recovery jog", "recovery"), ("Easy 8 km", "easy"), ("Morning run", "easy"),
    ("Berlin Half Marathon", "race"), ("Saturday parkrun", "race")])
def test_kind_from_title(title: str, kind: str) -> None:
    assert kind_of(title) == kind


def test_malformed_bodies_give_nothing() -> None:
    for body in (None, {}, [], {"calendarItems": "x"}, {"calendarItems": [1, None]}):
        assert planned_runs(body) == []


def test_months_cross_the_year() -> None:
    assert months(date(2025, 12, 20)) == [(2025, 12), (2026, 1)]


def test_the_calendar_overrides_the_template(db_url: str) -> None:
    p = Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50,
                runs={"wed": "easy", "sat": "long"})
    factory = open_db(db_url)
    with transaction(factory) as db:
        who = repo.athlete(db, p)
        db.add(m.PlannedRun(athlete_id=who.id, day=date(2025, 3, 5), kind="threshold",
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
    ("Recovery jog", None, ("recovery",)), ("Morning run", None, ("easy",))])
def test_planned_kind_from_title(title: str, item_type: str | None,
                                 kinds: tuple[str, ...]) -> None:
    from analysis.titles import planned_kind
    planned = planned_kind(title, item_type)
    assert planned.kinds == tuple(dict.fromkeys(kinds)) and title in planned.reason
