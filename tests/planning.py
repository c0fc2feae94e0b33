"""Helpers for planner tests: weeks of runs from a template, a context, a plan."""

from __future__ import annotations

from datetime import date, timedelta

from domain.profile import Profile, Race
from planner.catalog_file import default_catalog
from planner.lifter import Lifter
from planner.model import RunDay, Session
from planner.plan import extend

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONDAY = date(2025, 3, 3)
ARTICLE = {"mon": "easy", "tue": "easy", "wed": "speed", "fri": "easy", "sat": "long"}


# RULES.md S2: the areas a week covers ("quads and hamstrings" counted one by one here)
S2_AREAS = ({"glutes", "glute_medius"}, {"calves"}, {"quads"}, {"hamstrings"},
            {"ankle_mobility"}, {"core"}, {"foot"})


def areas(*sessions: Session) -> set[str]:
    """Every area the sessions' exercises train."""
    catalog = default_catalog()
    return {a for s in sessions for p in s.exercises
            for a in catalog.exercise(p.exercise_id).areas}


def uncovered(week: list[Session]) -> list[set[str]]:
    """The S2 areas none of a week's sessions trains."""
    covered = areas(*week)
    return [area for area in S2_AREAS if not area & covered]


def profile(runs: dict[str, str] | None = None, sessions: int = 2, equipment: str = "gym",
            races: tuple[Race, ...] = ()) -> Profile:
    return Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50,
                   runs=ARTICLE if runs is None else runs, strength_sessions=sessions,
                   equipment=equipment, races=races)


def template(runs: dict[str, str], weeks: int = 8, first: date = MONDAY) -> dict[date, RunDay]:
    out = {}
    for w in range(weeks):
        for name, kind in runs.items():
            day = first + timedelta(days=7 * w + DAYS.index(name))
            out[day] = RunDay(day, (kind,))
    return out


def context(p: Profile | None = None) -> Lifter:
    return Lifter(profile=p or profile(), catalog=default_catalog())


def plan(ctx: Lifter, runs: dict[date, RunDay], weeks: int = 1,
         first: date = MONDAY) -> list[Session]:
    sessions, _ = extend(ctx, first, first - timedelta(days=1),
                         first + timedelta(days=7 * weeks - 1), runs, [])
    return sessions


def half_a_race(weeks: int = 4) -> tuple[Lifter, dict[date, RunDay], list[Session], date]:
    """An A half marathon on week 4's Saturday, long runs on Saturdays: its context, runs,
    plan and day."""
    race = MONDAY + timedelta(days=26)
    ctx = context(profile(races=(Race(race, "half"),)))
    runs = template({**ARTICLE, "sat": "long"}, weeks=weeks)
    runs[race] = RunDay(race, ("race",))
    return ctx, runs, plan(ctx, runs, weeks=weeks), race
