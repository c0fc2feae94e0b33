"""The exercise catalogue as the planner reads it: exercises with their S1 schemes, and the
S5 progression ladders that order them, each step an exercise per equipment level.

Read from `exercises.toml` and checked by planner/catalog_file.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from domain.profile import EQUIPMENT

AREAS = ("glutes", "glute_medius", "calves", "quads", "hamstrings", "core", "ankle_mobility",
         "foot")
QUALITIES = ("strength", "power", "stability")
# RULES.md S2: one movement pattern per session
PATTERNS = ("hinge", "squat", "lunge", "calf", "hamstring_curl", "hip_stability", "core", "foot",
            "ankle_mobility", "power")
LOWER_BODY = frozenset(AREAS) - {"core"}  # the areas that progress in the larger kg steps

_WORD = re.compile(r"\b[a-z][a-z0-9_]*\b")  # an exercise id, or any other word


class CatalogError(ValueError):
    """The catalogue file is wrong; the message names the problem and where."""


@dataclass(frozen=True)
class Scheme:
    """Sets of a rep range (double progression, S5) or of a timed hold."""

    sets: int
    rest_s: int
    per_side: bool
    reps_min: int | None = None
    reps_max: int | None = None
    seconds: int | None = None


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    areas: tuple[str, ...]
    quality: str
    pattern: str  # movement pattern (RULES.md S2), one of PATTERNS
    equipment: str  # the least equipment level it needs
    high_resistance_lower_body: bool  # counts toward the S4 weekly cap
    plyometric: bool
    loaded: bool  # prescribed with an external load in kg that progresses
    scheme: Scheme
    cues: tuple[str, ...]
    garmin_category: str  # FIT exercise_category, upper case
    garmin_name: str  # FIT <category>_exercise_name, upper case
    connect_category: str  # the pair Garmin Connect's workout API accepts
    connect_name: str


@dataclass(frozen=True)
class Step:
    """One ladder step: an exercise id per equipment level; missing levels fall back."""

    bodyweight: str
    dumbbells: str | None = None
    gym: str | None = None

    def resolve(self, equipment: str) -> str:
        """The variant for an athlete: gym falls back to dumbbells, then to bodyweight."""
        levels = EQUIPMENT[_rank(equipment):]  # this level, then each one with less kit
        return next(chosen for level in levels if (chosen := getattr(self, level)) is not None)


@dataclass(frozen=True)
class Ladder:
    id: str
    area: str
    quality: str
    patterns: tuple[str, ...]  # the movement patterns its exercises belong to
    steps: tuple[Step, ...]
    top: Step | None = None  # the variation the last step rotates with (RULES.md S5)

    def holding(self, exercise_id: str, level: str) -> Step | None:
        """The step that gives the exercise at this equipment level, else the first step
        (the top last) that holds it at any level: an exercise on two steps (a dumbbell
        variant on one, the top's gym variant on another) is the one its level gives."""
        steps = [step for step in (*self.steps, *([self.top] if self.top else []))
                 if exercise_id in (step.bodyweight, step.dumbbells, step.gym)]
        return next((step for step in steps if step.resolve(level) == exercise_id),
                    steps[0] if steps else None)


def allowed(exercise: Exercise, equipment: str) -> bool:
    """Whether an athlete with this equipment level can do the exercise."""
    return _rank(exercise.equipment) >= _rank(equipment)


@dataclass(frozen=True)
class Catalog:
    exercises: Mapping[str, Exercise]
    ladders: Mapping[str, Ladder]

    allowed = staticmethod(allowed)

    def exercise(self, exercise_id: str) -> Exercise:
        try:
            return self.exercises[exercise_id]
        except KeyError:
            raise KeyError(f"no exercise {exercise_id!r} in the catalogue") from None

    def named(self, text: str) -> str:
        """`text` (a recorded change, `Session.describe`) with each exercise id as its name,
        as a runner reads it on the web and in the report; `stridelift why` keeps the ids,
        which `done --sets` takes."""
        return _WORD.sub(lambda m: self.exercises[m[0]].name if m[0] in self.exercises
                         else m[0], text)

    def ladder(self, ladder_id: str) -> Ladder:
        try:
            return self.ladders[ladder_id]
        except KeyError:
            raise KeyError(f"no ladder {ladder_id!r} in the catalogue") from None

    def variant(self, exercise_id: str, was: str, equipment: str
                ) -> tuple[Ladder, Exercise] | None:
        """The ladder holding `exercise_id` (prescribed at equipment level `was`) and the
        exercise its step gives an athlete with `equipment`; None when no step holds it."""
        for ladder in self.ladders.values():
            if (step := ladder.holding(exercise_id, was)) is not None:
                return ladder, self.exercise(step.resolve(equipment))
        return None

    def step(self, ladder_id: str, index: int, equipment: str) -> Exercise:
        """The exercise of step `index` (0-based) of a ladder for this equipment level."""
        return self.exercise(self.ladder(ladder_id).steps[index].resolve(equipment))


def _rank(equipment: str) -> int:
    """EQUIPMENT runs from most to least kit, so a higher rank needs less."""
    if equipment not in EQUIPMENT:
        raise ValueError(f"unknown equipment {equipment!r}: use {', '.join(EQUIPMENT)}")
    return EQUIPMENT.index(equipment)

