"""The effort of an exercise in words when no load in kg says it (RULES.md S1, S7.3).

Pure (no I/O, no clock). A load "by feel" is a number of reps held in reserve: a weight you
could lift 8 times, stopped at 6, is about 10 % under a 6RM. One function words it for every
lighter-than-usual session (lightened for recovery, a deload week, the first session after
a race), so that a lightened
session by feel never keeps its full session's 6RM wording.
"""

from __future__ import annotations

from planner.model import Prescription

SPARE_REPS = 2  # by feel, load −10 % ≈ two more reps in reserve (project default)


def spare_reps_words(reps: int, spare: int = SPARE_REPS) -> str:
    """`a weight you could lift 8 times, stop at 6`."""
    return f"a weight you could lift {reps + spare} times, stop at {reps}"


def _sets(n: int) -> str:
    return f"{n} set{'s' if n != 1 else ''}"


def lightened_words(before: Prescription, after: Prescription,
                    what: str = "lightened") -> str | None:
    """What a lightened exercise (`after`, from `before`) asks for, in words: the sets, then
    the load as a change in kg, or by feel as reps in reserve; holds keep their words."""
    if after.reps is None:
        return before.instruction
    if after.load_kg is not None and before.load_kg:
        change = round(100 * (after.load_kg / before.load_kg - 1))
        return (f"{what}: {_sets(after.sets)}, {after.load_kg:g} kg (load {change:+d} % from "
                f"{before.load_kg:g} kg), stop 1-2 reps short of failure")
    if before.by_feel:
        return f"{_sets(after.sets)}, {spare_reps_words(after.reps)}"
    return f"{_sets(after.sets)} of {after.reps} reps, stop 3-4 reps short of failure"

