"""The effort of an exercise in words when no load in kg says it (RULES.md S1, S7.3).

Pure (no I/O, no clock). A load "by feel" is a number of reps held in reserve: a weight you
could lift 8 times, stopped at 6, is about 10 % under a 6RM. One function words it for every
lighter-than-usual session (lightened for recovery, the first session after a race, a
deload week), so that a lighter session never keeps its full session's load or 6RM wording.
"""

from __future__ import annotations

from dataclasses import replace

from planner.model import Prescription
from planner.progression import DELOAD_FACTOR, LAYOFF_FACTOR, round_kg

SPARE_REPS = 2  # by feel, each 10 % off the load ≈ two more reps in reserve (project default)


def spare_reps_words(reps: int, spare: int = SPARE_REPS) -> str:
    """`a weight you could lift 8 times, stop at 6`."""
    return f"a weight you could lift {reps + spare} times, stop at {reps}"


def _sets(n: int) -> str:
    return f"{n} set{'s' if n != 1 else ''}"


def at_load(p: Prescription, share: float, sets: int | None = None) -> Prescription:
    """`p` at `share` of its load (rounded to the plates) and `sets` (default: as it is), its
    effort said again in words: the instruction never keeps the full load's kg or 6RM."""
    after = replace(p, sets=p.sets if sets is None else sets, share=p.share * share,
                    load_kg=round_kg(p.load_kg * share) if p.load_kg else p.load_kg)
    return replace(after, instruction=lightened_words(p, after, share))


def resumed_at(p: Prescription, share: float) -> Prescription:
    """`p` at `share` of its load for time away from lifting (the first session after a race's
    window). After a layoff, whose cut `p` already holds, the same days away are cut once:
    the deeper of the two, of the last load (80 %, not 90 % x 80 % = 72 %); so in a deload
    week, which a post-race window counts as (RULES.md S5)."""
    if p.resumed_from is not None:
        return at_load(replace(p, load_kg=p.resumed_from, resumed_from=None),
                       min(share, LAYOFF_FACTOR))
    if p.deloaded_from is not None:
        return at_load(replace(p, load_kg=p.deloaded_from, deloaded_from=None),
                       min(share, DELOAD_FACTOR))
    return at_load(p, share)


def at_share_of(fresh: Prescription, was: Prescription) -> Prescription:
    """`fresh` (dosed again, or swapped in) at the share of its load `was` was lifted at. A
    cut made on a layoff's or a deload's load (amber's) holds on it; a share of the last load
    (resumed_at's, or one made with neither) is the deeper of it and the cut `fresh` holds."""
    if was.share == 1:
        return fresh
    return at_load(fresh, was.share) if was.resumed_from is not None or \
        was.deloaded_from is not None else resumed_at(fresh, was.share)


def lightened_words(before: Prescription, after: Prescription, share: float) -> str | None:
    """What a lightened exercise (`after`, from `before` at `share` of its load) asks for, in
    words: the sets, then the load as a change in kg, or by feel as reps in reserve; holds
    keep their words."""
    if after.reps is None:
        return before.instruction
    off = 1.0 - share
    if after.load_kg is not None and before.load_kg:
        return (f"lightened: {_sets(after.sets)}, {after.load_kg:g} kg (load "
                f"-{off * 100:.0f} % from {before.load_kg:g} kg), stop 1-2 reps short of failure")
    if before.by_feel:
        spare = max(1, round(SPARE_REPS * off * 10))
        return f"{_sets(after.sets)}, {spare_reps_words(after.reps, spare)}"
    return f"{_sets(after.sets)} of {after.reps} reps, stop 3-4 reps short of failure"

