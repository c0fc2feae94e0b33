"""Planned sessions as Garmin Connect workouts (pure: no I/O, no clock).

The JSON is the shape Garmin's workout service stores and returns (see the recorded workout
in shared/fixtures/garmin-connect/workout): one segment whose steps are, per exercise, a
RepeatGroupDTO of `sets` iterations holding the exercise and its rest. garminconnect 0.3.2's
typed models cover only the generic step fields, so the strength-specific ones follow what
Garmin's own strength workouts carry: `category`/`exerciseName` (Connect's enum names, from the
catalogue), an end condition of reps (or time for holds), and `weightValue` in the unit named
by `weightUnit` (kilogram; its factor 1000 converts to the grams Garmin stores weights in).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Any

from domain.workout import ExerciseToPush, WorkoutToPush
from ingest.garmin import GarminError

MARKER = "stridelift"
KINDS = frozenset({"strength", "mobility"})  # the session kinds pushed to the watch
MAX_DESCRIPTION = 512  # Garmin's limit is undocumented: stay well inside what others report
MAX_STEP_NOTE = 100
SECONDS_PER_REP = 4  # for Garmin's duration estimate only

# Garmin's workout-service ids. garminconnect's SportType numbers a different list (5 is
# multi_sport there): the workout service calls strength_training 5.
STRENGTH = {"sportTypeId": 5, "sportTypeKey": "strength_training", "displayOrder": 5}
INTERVAL = {"stepTypeId": 3, "stepTypeKey": "interval", "displayOrder": 3}
REST = {"stepTypeId": 5, "stepTypeKey": "rest", "displayOrder": 5}
REPEAT = {"stepTypeId": 6, "stepTypeKey": "repeat", "displayOrder": 6}
TIME = {"conditionTypeId": 2, "conditionTypeKey": "time", "displayOrder": 2,
        "displayable": True}
ITERATIONS = {"conditionTypeId": 7, "conditionTypeKey": "iterations", "displayOrder": 7,
              "displayable": False}
REPS = {"conditionTypeId": 10, "conditionTypeKey": "reps", "displayOrder": 10,
        "displayable": True}
NO_TARGET = {"workoutTargetTypeId": 1, "workoutTargetTypeKey": "no.target", "displayOrder": 1}
KILOGRAM = {"unitId": 8, "unitKey": "kilogram", "factor": 1000.0}
_NO_STROKE = {"strokeTypeId": 0, "displayOrder": 0}
_NO_EQUIPMENT = {"equipmentTypeId": 0, "displayOrder": 0}

_MARKER_RE = re.compile(rf"^{MARKER}:([^:\s]+):(\S+)$")


def marker(athlete: str, session_key: str) -> str:
    """The first line of every description we write: how a workout is known to be ours."""
    return f"{MARKER}:{athlete}:{session_key}"


def parse_marker(description: str | None) -> tuple[str, str] | None:
    """(athlete, session key) from a workout description, or None if we did not write it."""
    first = (description or "").splitlines()[:1]
    found = _MARKER_RE.match(first[0].strip()) if first else None
    return (found.group(1), found.group(2)) if found else None


def workout_name(workout: WorkoutToPush) -> str:
    """Named by the session's week and number, never its day: a moved session keeps its
    workout (and name), so a day in the name would go stale."""
    monday, _, number = workout.key.partition("#")
    try:
        week = date.fromisoformat(monday).strftime("%d %b")
    except ValueError:  # not a "<monday>#<n>" key: show it as it is
        week = monday
    return f"stridelift · {workout.kind.capitalize()} · wk {week} #{number or 1}"


def garmin_workout(workout: WorkoutToPush, athlete: str) -> dict[str, Any]:
    """The Garmin workout JSON for a session (what `upload_workout` posts)."""
    steps: list[dict[str, Any]] = []
    order = 0
    for child, e in enumerate(workout.exercises, 1):
        group = _repeat(e, child, order + 1)
        order += 1 + len(group["workoutSteps"])
        steps.append(group)
    return {
        "workoutName": workout_name(workout),
        "description": _description(workout, athlete),
        "sportType": STRENGTH,
        "author": {},
        "estimatedDurationInSecs": sum(map(_seconds, workout.exercises)),
        "workoutSegments": [{"segmentOrder": 1, "sportType": STRENGTH, "workoutSteps": steps}],
    }


class ConnectRejects(GarminError):
    """A workout names an exercise Garmin Connect's workout API would refuse (HTTP 400 for
    the whole workout), so it is not sent."""


def check_connect(payload: dict[str, Any], accepted: frozenset[tuple[str, str]]) -> None:
    """Raise ConnectRejects, in one line, when a step names a pair outside `accepted`."""
    for segment in payload.get("workoutSegments", []):
        for group in segment.get("workoutSteps", []):
            for step in group.get("workoutSteps", []):
                pair = (step.get("category"), step.get("exerciseName"))
                if pair[0] is not None and pair not in accepted:
                    raise ConnectRejects(
                        f"not pushing {payload.get('workoutName')!r}: Garmin Connect does not "
                        f"accept the exercise {pair[0]}/{pair[1]} (it would refuse the whole "
                        "workout); fix its connect_category/connect_name in exercises.toml")


def payload_hash(payload: dict[str, Any]) -> str:
    """A fingerprint of the workout: it differs exactly when the workout must be replaced."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _repeat(e: ExerciseToPush, child: int, order: int) -> dict[str, Any]:
    work = _step(order + 1, child, INTERVAL, *_end(e)) | {
        "category": e.garmin_category, "exerciseName": e.garmin_name}
    if e.load_kg:
        work |= {"weightValue": float(e.load_kg), "weightUnit": KILOGRAM}
    note = _note(e)
    if note:
        work["description"] = note
    rest = _step(order + 2, child, REST, TIME, float(e.rest_s))
    return {"type": "RepeatGroupDTO", "stepOrder": order, "stepType": REPEAT,
            "childStepId": child, "numberOfIterations": e.sets, "workoutSteps": [work, rest],
            "endConditionValue": float(e.sets), "endCondition": ITERATIONS,
            "smartRepeat": False}


def _step(order: int, child: int, kind: dict[str, Any], end: dict[str, Any],
          value: float) -> dict[str, Any]:
    return {"type": "ExecutableStepDTO", "stepOrder": order, "stepType": kind,
            "childStepId": child, "endCondition": end, "endConditionValue": value,
            "targetType": NO_TARGET, "strokeType": _NO_STROKE, "equipmentType": _NO_EQUIPMENT}


def _end(p: ExerciseToPush) -> tuple[dict[str, Any], float]:
    """Reps end a set; a hold (seconds, no reps) ends on time."""
    if p.reps is not None:
        return REPS, float(p.reps)
    return TIME, float(p.seconds or 0)


def _note(e: ExerciseToPush) -> str:
    """What the watch shows during the set: the load instruction, else the first cue."""
    text = e.instruction or (e.cues[0] if e.cues else "")
    if e.per_side:
        text = f"each side. {text}" if text else "each side"
    return _cut(text, MAX_STEP_NOTE)


def _seconds(p: ExerciseToPush) -> int:
    work = p.reps * SECONDS_PER_REP if p.reps is not None else p.seconds or 0
    sides = 2 if p.per_side else 1
    return p.sets * (work * sides + p.rest_s)


def _description(workout: WorkoutToPush, athlete: str) -> str:
    """The marker first (always kept whole), then what matters most while it fits: the
    work of each exercise, the load instructions (once each), then a cue per exercise."""
    exercises = workout.exercises
    lines = [marker(athlete, workout.key),
             f"{workout.kind.capitalize()}, block {workout.block} week {workout.week_in_block}",
             *(f"{e.name}: {_work(e)}" for e in exercises),
             *dict.fromkeys(e.instruction for e in exercises if e.instruction),
             *(f"{e.name}: {e.cues[0]}" for e in exercises if e.cues)]
    text = lines[0]
    for line in lines[1:]:
        if len(text) + 1 + len(line) > MAX_DESCRIPTION:
            break
        text += "\n" + line
    return text


def _work(p: ExerciseToPush) -> str:
    work = f"{p.sets}x{p.reps}" if p.reps is not None else f"{p.sets}x{p.seconds}s"
    load = f" @ {p.load_kg:g} kg" if p.load_kg else ""
    return f"{work}{load}, rest {p.rest_s // 60}:{p.rest_s % 60:02d}"


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[:max(0, most - 1)].rstrip() + "…"
