"""Match a recorded strength activity to the planned session it fulfils (pure).

A watch-recorded strength session is matched to the session planned on its day or the next
(a session done a day early still counts), by the exercises they share; Garmin's exercise
category and name map to the catalogue. An activity that matches no session is
unplanned work: it still counts toward the week's heavy lower-body cap (S4).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.activity import StrengthSet
from planner.catalog import Catalog, Exercise
from planner.model import Session


@dataclass(frozen=True)
class Performed:
    """One exercise as recorded: reps per working set and the heaviest load used."""

    exercise_id: str
    reps: tuple[int, ...]
    load_kg: float | None


def performed(sets: Sequence[StrengthSet], catalog: Catalog,
              planned: Collection[str] = ()) -> list[Performed]:
    """The working sets grouped by catalogue exercise; sets that map to nothing are ignored.
    Where catalogue exercises share Garmin's category and name (a pistol squat on a box and
    one without: the watch knows one name), the one in `planned` (the exercises of the
    sessions it may fulfil) is meant, else the first in the catalogue."""
    by_name: dict[tuple[str, str], list[Exercise]] = defaultdict(list)
    by_category: dict[str, list[Exercise]] = defaultdict(list)
    for exercise in catalog.exercises.values():
        by_name[(exercise.garmin_category, exercise.garmin_name)].append(exercise)
        by_category[exercise.garmin_category].append(exercise)
    reps: dict[str, list[int]] = defaultdict(list)
    loads: dict[str, list[float]] = defaultdict(list)
    for s in sets:
        if s.set_type != "active" or s.category is None:
            continue
        named = by_name.get((s.category, s.exercise_name or "")) or [
            e for e in by_category.get(s.category, []) if len(by_category[s.category]) == 1]
        if not named:  # unknown, or a category alone that several exercises share
            continue
        e = next((e for e in named if e.id in planned), named[0])
        reps[e.id].append(s.reps or 0)
        if s.weight_kg:
            loads[e.id].append(s.weight_kg)
    return [Performed(i, tuple(r), max(loads[i]) if loads[i] else None) for i, r in reps.items()]


def candidates(day: date, sessions: Sequence[Session]) -> list[Session]:
    """The sessions a strength activity of `day` may fulfil: that day's or the next's."""
    return [s for s in sessions if s.day in (day, day + timedelta(days=1))]


def match(day: date, done: Sequence[Performed], sessions: Sequence[Session]) -> Session | None:
    """The session of `day` or the next that shares the most exercises, if any does.
    `sessions` are the candidates: the caller decides which may still be matched."""
    ids = {p.exercise_id for p in done}
    scored = [(len(ids & {p.exercise_id for p in s.exercises}), -abs((s.day - day).days), s)
              for s in candidates(day, sessions)]
    best = max(scored, key=lambda x: (x[0], x[1]), default=None)
    return best[2] if best is not None and best[0] > 0 else None
