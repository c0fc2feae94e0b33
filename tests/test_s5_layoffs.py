"""RULES.md S5 over seasons with a layoff (14+ days without runs or a strength session done):
a block keeps its exercise. The exercises its sessions showed in the layoff are new to the
athlete again (planner.planned.seen_before) and start with an intro week once more, but they
are no new ladder step: S5's stagger never makes one wait on the step before it, so no
ladder goes back to an exercise of a lower step (the hinge slot flipped between the RDL and
the hip thrust week by week)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.profile import EQUIPMENT
from planner.catalog_file import default_catalog
from planner.model import Session
from planner.plan import extend
from tests.planning import DAYS, MONDAY, context, profile, template

CATALOG = default_catalog()
KINDS = ("easy", "recovery", "long", "speed", "threshold")
WEEKS = 12  # no ladder reaches its top (where it alternates with a variation) this soon


def _steps() -> dict[str, tuple[str, int]]:
    """Each exercise on one ladder only: its ladder and step (the top one past the last)."""
    where: dict[str, set[tuple[str, int]]] = {}
    for ladder in CATALOG.ladders.values():
        steps = [*ladder.steps, *([ladder.top] if ladder.top is not None else [])]
        for i, step in enumerate(steps):
            for exercise in (step.gym, step.dumbbells, step.bodyweight):
                if exercise is not None:
                    where.setdefault(exercise, set()).add((ladder.id, i))
    return {e: next(iter(on)) for e, on in where.items() if len(on) == 1}


STEPS = _steps()


def _season(runs_of: dict[str, str], per_week: int, equipment: str, start: int, days: int,
            undone: str) -> list[Session]:
    """`WEEKS` of nights through planner.plan.extend: the sessions done on their day but in
    the layoff (`days` from day `start`), where they are `undone` ("skipped", or left gone
    by undone: "planned") and no run is run or planned."""
    ctx = context(profile(runs_of, sessions=per_week, equipment=equipment))
    layoff = {MONDAY + timedelta(days=start + i) for i in range(days)}
    runs = {d: r for d, r in template(runs_of, weeks=WEEKS + 4).items() if d not in layoff}
    night = MONDAY - timedelta(days=1)
    plan: list[Session] = []
    for _ in range(7 * WEEKS + 1):
        plan = [s.with_(status=undone if s.day in layoff else "done")
                if s.day <= night and s.status == "planned" else s for s in plan]
        plan, _ = extend(ctx, MONDAY, night, night + timedelta(days=21), runs, plan)
        night += timedelta(days=1)
    return plan


def _steps_back(plan: list[Session]) -> list[tuple[str, date, str, str]]:
    """Each strength session that put a ladder back on an exercise of a lower step: the
    ladder, the day, the exercise before and the one after."""
    last: dict[str, tuple[int, str]] = {}
    out = []
    for s in sorted(plan, key=lambda s: s.day):
        for p in s.exercises if s.kind == "strength" else ():
            if p.exercise_id in STEPS:
                ladder, step = STEPS[p.exercise_id]
                if ladder in last and step < last[ladder][0]:
                    out.append((ladder, s.day, last[ladder][1], p.exercise_id))
                last[ladder] = step, p.exercise_id
    return out


@st.composite
def layoff_seasons(draw: st.DrawFn) -> tuple[dict[str, str], int, str, int, int, str]:
    days = draw(st.lists(st.sampled_from(DAYS), min_size=2, max_size=7, unique=True))
    runs_of = {d: draw(st.sampled_from(KINDS)) for d in days}
    return (runs_of, draw(st.integers(1, 3)), draw(st.sampled_from(EQUIPMENT)),
            draw(st.integers(7, 49)), draw(st.integers(14, 30)),
            draw(st.sampled_from(["planned", "skipped"])))


# seasons where the hinge went back from the RDL to the hip thrust (its first step) in a
# deload week after the layoff, and the calves from the seated raise to the standing one
@example(({"wed": "speed", "sun": "long", "thu": "threshold", "sat": "speed", "fri": "speed"},
          3, "gym", 22, 28, "planned"))
@example(({"sat": "long", "wed": "threshold", "fri": "threshold", "sun": "long"}, 2,
          "bodyweight", 44, 20, "planned"))
@example(({"wed": "speed", "thu": "speed", "sun": "recovery", "sat": "threshold",
           "mon": "recovery"}, 2, "gym", 25, 24, "planned"))
@settings(max_examples=15, deadline=None)
@given(layoff_seasons())
def test_a_layoff_never_puts_a_ladder_back_on_an_earlier_step(
        season: tuple[dict[str, str], int, str, int, int, str]) -> None:
    assert _steps_back(_season(*season)) == []


def test_after_a_layoff_the_hinge_keeps_its_block_s_exercise_in_its_intro_weeks() -> None:
    """The case: sessions gone by undone for 4 weeks from Tue 25 Mar (no runs either); the
    hinge ladder reached the RDL in them. Back, every week of the block shows the RDL, the
    first ones as intro weeks (new to the athlete again), never the hip thrust before it."""
    plan = _season({"wed": "speed", "sun": "long", "thu": "threshold", "sat": "speed",
                    "fri": "speed"}, 3, "gym", 22, 28, "planned")
    hinge = [(s.day, p.exercise_id, p.phase) for s in sorted(plan, key=lambda s: s.day)
             if s.kind == "strength" for p in s.exercises
             if CATALOG.exercise(p.exercise_id).pattern == "hinge"]
    first_rdl = next(i for i, h in enumerate(hinge) if h[1] == "barbell_romanian_deadlift")
    assert "barbell_hip_thrust" not in {e for _, e, _ in hinge[first_rdl:]}, hinge
    assert any(phase == "intro" and day >= date(2025, 4, 21)
               for day, e, phase in hinge if e == "barbell_romanian_deadlift"), hinge
