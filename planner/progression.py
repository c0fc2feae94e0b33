"""Loads and reps inside a block: double progression from what was done (RULES.md S5).

When every set of the last full session reached the top of the rep range, the load goes up
(+2.5 kg lower body, +1.25 kg otherwise) and reps return to the bottom of the range; until
then the target is one rep more than the weakest set managed. A lightened session never
raises load; after 14 or more days without any session (the athlete's layoff, not the
exercise's) the load resumes at 90 %.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

LOWER_BODY_STEP_KG = 2.5
OTHER_STEP_KG = 1.25
LAYOFF_DAYS = 14
LAYOFF_FACTOR = 0.9
DELOAD_FACTOR = 0.9  # deload loads -10 % (RULES.md S5)
ROUND_KG = 0.25  # fine enough for the +1.25 kg step (fractional plates exist for that)


@dataclass(frozen=True)
class LoggedLift:
    """What was actually lifted for one exercise in one session."""

    day: date
    exercise_id: str
    reps: tuple[int, ...]  # per set
    load_kg: float | None
    lightened: bool = False


def full(d: LoggedLift) -> bool:
    """A lift the loads go on from: not lightened, with reps."""
    return not d.lightened and bool(d.reps)


@dataclass(frozen=True)
class Target:
    reps: int
    load_kg: float | None
    note: str  # why, in words, with the numbers
    resumed_from: float | None = None  # after a layoff: the last load, `load_kg` 90 % of it


def round_kg(kg: float) -> float:
    return round(kg / ROUND_KG) * ROUND_KG


def next_target(history: Sequence[LoggedLift], reps_min: int, reps_max: int, lower_body: bool,
                day: date, start_kg: float | None = None,
                last_session: date | None = None) -> Target:
    """The next session's reps and load for one exercise from its history (oldest first).
    `last_session`: the athlete's last session of any exercise (RULES.md S5: the layoff rule
    is per athlete; an exercise a session turned into mobility work waited, the athlete did
    not); by default the exercise's own last one."""
    full_ones = [d for d in history if full(d)]
    if not full_ones:
        if start_kg is not None:
            return Target(reps_max, start_kg, f"start at the known {start_kg:g} kg")
        return Target(reps_max, None, f"a weight you can lift {reps_max} "
                      f"times, not {reps_max + 1}")
    last = full_ones[-1]
    load = last.load_kg
    if load is None:  # loaded by feel so far: keep asking for the same effort
        reps = min(min(last.reps) + 1, reps_max)
        return Target(reps, None, f"a weight you can lift {reps} times, not {reps + 1}")
    latest = max(d.day for d in history)
    gap = (day - max(latest, last_session or latest)).days
    if gap >= LAYOFF_DAYS:
        resumed = round_kg(load * LAYOFF_FACTOR)
        return Target(reps_min, resumed, f"{gap} days since the last session: resume at 90 % "
                      f"({load:g} -> {resumed:g} kg)", resumed_from=load)
    if min(last.reps) >= reps_max:
        step = LOWER_BODY_STEP_KG if lower_body else OTHER_STEP_KG
        return Target(reps_min, round_kg(load + step), f"all sets reached {reps_max} reps at "
                      f"{load:g} kg on {last.day:%d %b}: +{step:g} kg, back to {reps_min} reps")
    reps = max(reps_min, min(min(last.reps) + 1, reps_max))
    return Target(reps, load, f"weakest set {min(last.reps)} reps at {load:g} kg on "
                  f"{last.day:%d %b}: aim for {reps}")
