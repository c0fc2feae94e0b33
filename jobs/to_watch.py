"""A planned session as the Garmin workout the watch gets: the planner's session and its
catalogue entries become the plain `WorkoutToPush` (domain/workout.py) that
ingest/workouts.py turns into Garmin's JSON."""

from __future__ import annotations

from typing import Any

from domain.workout import ExerciseToPush, WorkoutToPush
from ingest.workouts import garmin_workout
from planner.catalog import Catalog
from planner.catalog_file import default_catalog
from planner.model import Session


def to_push(session: Session, catalog: Catalog) -> WorkoutToPush:
    """The session with what the watch shows of each exercise's catalogue entry."""
    exercises = []
    for p in session.exercises:
        e = catalog.exercise(p.exercise_id)
        exercises.append(ExerciseToPush(
            name=e.name, garmin_category=e.connect_category, garmin_name=e.connect_name,
            sets=p.sets, reps=p.reps, seconds=p.seconds, load_kg=p.load_kg, rest_s=p.rest_s,
            instruction=p.instruction, cues=e.cues, per_side=e.scheme.per_side))
    return WorkoutToPush(key=session.id, kind=session.kind, block=session.block,
                         week_in_block=session.week_in_block, exercises=tuple(exercises))


def build_workout(session: Session, catalog: Catalog, athlete: str) -> dict[str, Any]:
    """The Garmin workout JSON for a planned session (what `upload_workout` posts)."""
    return garmin_workout(to_push(session, catalog), athlete)


def connect_pairs(catalog: Catalog | None = None) -> frozenset[tuple[str, str]]:
    """The category/name pairs Connect accepts, as the catalogue carries them: each one is
    checked against Connect's own list (connect-exercises.tsv) by tests/test_catalog.py."""
    chosen = catalog or default_catalog()
    return frozenset((e.connect_category, e.connect_name) for e in chosen.exercises.values())
