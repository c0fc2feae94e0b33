"""What an exercise prescribes (RULES.md S1, S5): sets, reps or seconds, load and rest, and
the effort in words; 2 sets in an intro or deload week, loads from double progression
(planner/progression.py), a deload's 10 % off. Prescribed again every night for the open
sessions (`refresh`), so their loads and reps follow the lifts logged since; their exercises
and sets stay as planned.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from planner.catalog import LOWER_BODY, Exercise
from planner.effort import at_share_of, spare_reps_words
from planner.lifter import Lifter
from planner.model import Prescription, Session, week_start
from planner.progression import DELOAD_FACTOR, Target, next_target, round_kg

REDUCED_SETS = 2  # intro and deload weeks (RULES.md S5)


def prescribe(ctx: Lifter, e: Exercise, day: date, phase: str = "build",
              backpack_kg: float | None = None) -> Prescription:
    """Sets, reps or seconds, load, rest and the effort in words for one exercise."""
    s = e.scheme
    sets = REDUCED_SETS if phase in ("intro", "deload") else s.sets
    common = dict(exercise_id=e.id, sets=sets, rest_s=s.rest_s, pattern=e.pattern, phase=phase,
                  high_resistance_lower_body=e.high_resistance_lower_body,
                  power=e.quality == "power" or e.plyometric)
    side = " per side" if s.per_side else ""
    lead = {"intro": "intro week, 2 sets: ", "deload": "deload week, 2 sets: "}.get(phase, "")
    if s.seconds is not None:
        return Prescription(seconds=s.seconds, instruction=f"{lead}hold {s.seconds} s{side}",
                            **common)  # type: ignore[arg-type]
    reps_min, reps_max = s.reps_min or 1, s.reps_max or s.reps_min or 1
    if not e.loaded:
        return Prescription(reps=reps_max, load_kg=backpack_kg,
                            instruction=lead + _bodyweight_words(e, reps_max, side, phase,
                                                                 backpack_kg),
                            **common)  # type: ignore[arg-type]
    # a deload cuts the loads of the weeks before it, not its own week's (a deload that
    # resumed after a layoff took the deeper cut already: not both, S5)
    mine = [d for d in ctx.history if d.exercise_id == e.id
            and not (phase == "deload" and week_start(d.day) == week_start(day))]
    known = (ctx.known_kg or {}).get(e.id)
    when = min(day, ctx.next_session) if ctx.next_session else day
    last = max((d.day for d in ctx.history if d.day <= when), default=None)
    target = next_target(mine, reps_min, reps_max, bool(LOWER_BODY & set(e.areas)), when, known,
                         last)
    load, words = _loaded_words(target, reps_max, phase)
    deloaded = phase == "deload" and target.resumed_from is None and load is not None
    return Prescription(reps=reps_max if phase == "intro" else target.reps, load_kg=load,
                        instruction=lead + words, by_feel=load is None,
                        resumed_from=target.resumed_from,
                        deloaded_from=target.load_kg if deloaded else None,
                        **common)  # type: ignore[arg-type]


def _bodyweight_words(e: Exercise, reps: int, side: str, phase: str,
                      backpack_kg: float | None) -> str:
    if e.quality == "power":
        return f"{reps} explosive reps{side}, full rest"
    words = f"{reps} reps{side}"
    if backpack_kg:
        words += f" with a backpack loaded to {backpack_kg:g} kg"
    if e.quality == "strength":
        words += ", 3 reps in reserve" if phase == "intro" else ", stop 1-2 reps short of failure"
    return words


def _loaded_words(target: Target, reps: int, phase: str) -> tuple[float | None, str]:
    """The load and the effort in words (RULES.md S1: RIR 1-2, RIR 3 in an intro week)."""
    load, note = target.load_kg, target.note
    if phase == "intro":
        if load is None:
            return None, (f"a weight you could lift {reps + 1}-{reps + 2} times, stop at "
                          f"{reps}")
        return load, f"{load:g} kg, 3 reps in reserve"
    if phase == "deload":
        if load is None:
            return None, spare_reps_words(reps)
        if target.resumed_from is not None:
            # S5 counts days without heavy work (a race's window) as a deload: the layoff's
            # 14+ days rested as much, so the deeper of the two cuts, not both (81 %)
            return load, f"{note}, the deeper of that and the deload's -10 %"
        lighter = round_kg(load * DELOAD_FACTOR)
        return lighter, f"load -10 % ({load:g} -> {lighter:g} kg)"
    return load, f"{note}; stop 1-2 reps short of failure"


def refresh(ctx: Lifter, s: Session) -> Session:
    """Current reps and loads for an open strength session: its exercises and sets stay, and
    a lightened one keeps its share of the load (an A taper's 2 sets at the load of the day,
    not the load of the night it was planned; 80 % of it after a race)."""
    if s.settled or s.kind != "strength":
        return s
    fresh = tuple(_refreshed(ctx, s.day, p) for p in s.exercises)
    return s if fresh == s.exercises else s.with_(exercises=fresh)


def _refreshed(ctx: Lifter, day: date, p: Prescription) -> Prescription:
    return at_share_of(replace(prescribe(ctx, ctx.catalog.exercise(p.exercise_id), day,
                                         p.phase, _backpack(ctx, p)), sets=p.sets), p)


def _backpack(ctx: Lifter, p: Prescription) -> float | None:
    """A bodyweight exercise's backpack load stays as planned (it changes with the block),
    the whole of it when the exercise is lifted at a share of it."""
    if ctx.catalog.exercise(p.exercise_id).loaded or not p.load_kg:
        return None
    return round_kg(p.load_kg / p.share)
