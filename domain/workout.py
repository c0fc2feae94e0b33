"""A planned strength or mobility session as it is pushed to the watch: plain values only,
so that the Garmin workout builder (ingest/workouts.py) needs nothing from the planner.
jobs/push.py turns a planner session and its catalogue into one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExerciseToPush:
    """One prescribed exercise with what the watch shows of its catalogue entry."""

    name: str
    garmin_category: str  # Garmin Connect workout category (connect-exercises.tsv)
    garmin_name: str  # Garmin Connect exercise name in that category
    sets: int
    reps: int | None  # None: a hold, timed by `seconds`
    seconds: int | None
    load_kg: float | None
    rest_s: int
    instruction: str | None
    cues: tuple[str, ...]
    per_side: bool


@dataclass(frozen=True)
class WorkoutToPush:
    """A session to push: its stable key ("<monday ISO>#<n>"), kind, place in the block and
    exercises in order."""

    key: str
    kind: str
    block: int
    week_in_block: int
    exercises: tuple[ExerciseToPush, ...]
