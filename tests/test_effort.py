"""Lightened sessions say their effort in words (RULES.md S7.3): by feel as reps in reserve
("2 sets, a weight you could lift 8 times, stop at 6"), never the full session's 6RM wording;
known loads with their new kg. Through the real planner and adaptation, as the night does."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.adapt import Recovery, Tonight, adapt, lighten
from planner.catalog_file import default_catalog
from planner.effort import at_load, lightened_words, spare_reps_words
from planner.model import Prescription, Session
from planner.plan_changes import with_equipment
from planner.prescriptions import prescribe, refresh
from planner.program import mobility_session
from planner.progression import LoggedLift, round_kg
from tests.planning import ARTICLE, MONDAY, context, plan, template

CTX = context()
CATALOG = default_catalog()


def strength_session() -> Session:
    return next(s for s in plan(CTX, template(ARTICLE)) if s.kind == "strength")


def test_a_new_loaded_exercise_is_prescribed_by_feel() -> None:
    loaded = next(e for e in CATALOG.exercises.values()
                  if e.loaded and e.scheme.reps_max and e.quality == "strength")
    p = prescribe(CTX, loaded, MONDAY)
    assert p.load_kg is None and p.by_feel
    assert f"a weight you can lift {p.reps} times, not {(p.reps or 0) + 1}" in (p.instruction or "")
    known = replace(CTX, known_kg={loaded.id: 60.0})
    assert not prescribe(known, loaded, MONDAY).by_feel


def test_lightened_by_feel_says_reps_in_reserve_not_the_6rm() -> None:
    s = strength_session()
    by_feel = [p for p in s.exercises if p.by_feel and not p.power]
    assert by_feel, "the first session of a new athlete has loads to find by feel"
    light = {p.exercise_id: p for p in lighten(s).exercises}
    for p in by_feel:
        after = light[p.exercise_id]
        assert after.sets == p.sets - 1 and after.load_kg is None
        sets = f"{after.sets} set{'s' if after.sets != 1 else ''}"
        assert after.instruction == (f"{sets}, a weight you could lift "
                                     f"{(after.reps or 0) + 2} times, stop at {after.reps}")
        assert "not " not in after.instruction and "can lift" not in after.instruction


def test_the_example_wording() -> None:
    before = Prescription("goblet_squat", sets=3, reps=6, by_feel=True,
                          instruction="a weight you can lift 6 times, not 7")
    after = replace(before, sets=2)
    assert lightened_words(before, after, 0.9) == \
        "2 sets, a weight you could lift 8 times, stop at 6"
    assert spare_reps_words(6) == "a weight you could lift 8 times, stop at 6"


def test_bodyweight_and_known_loads_and_holds() -> None:
    body = Prescription("push_up", sets=3, reps=10, instruction="10 reps, stop 1-2 reps short")
    assert lightened_words(body, replace(body, sets=2), 0.9) == \
        "2 sets of 10 reps, stop 3-4 reps short of failure"
    kg = Prescription("back_squat", sets=2, reps=6, load_kg=60.0, instruction="60 kg ...")
    assert lightened_words(kg, replace(kg, sets=1, load_kg=54.0), 0.9) == (
        "lightened: 1 set, 54 kg (load -10 % from 60 kg), stop 1-2 reps short of failure")
    hold = Prescription("side_plank", sets=3, seconds=30, instruction="hold 30 s per side")
    assert lightened_words(hold, replace(hold, sets=2), 0.9) == "hold 30 s per side"


def test_an_amber_night_writes_the_words_into_the_plan() -> None:
    runs = template(ARTICLE, weeks=1)
    sessions = plan(CTX, runs)
    monday = sessions[0]  # Tue is the eve of speed: amber cannot move Monday, it lightens
    amber = Recovery("amber", ("sleep score 52 < 60",))
    after, [change] = adapt(sessions, Tonight(MONDAY - timedelta(days=1), runs, amber),
                            lambda x: mobility_session(CTX, 0, x.day))
    assert change.action == "lighten"
    light = next(x for x in after if x.id == monday.id)
    feel = [p for p in light.exercises if p.by_feel]
    assert feel and all(p.instruction == f"{p.sets} set{'s' if p.sets != 1 else ''}, "
                        f"{spare_reps_words(p.reps or 0)}" for p in feel)
    assert change.after == light.describe()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(1, 20))
def test_by_feel_words_always_leave_two_reps_in_reserve(sets: int, reps: int) -> None:
    before = Prescription("x", sets=sets + 1, reps=reps, by_feel=True)
    words = lightened_words(before, replace(before, sets=sets), 0.9)
    assert words == (f"{sets} set{'s' if sets != 1 else ''}, a weight you could lift "
                     f"{reps + 2} times, stop at {reps}")


def test_a_lightened_session_dosed_again_keeps_its_share_of_the_new_load() -> None:
    """Refreshing a session's loads from the lifts done since used to skip lightened ones:
    now amber's -10 % (and a backpack's share) holds on the new load, night after night,
    never compounding."""
    s = strength_session()
    lift = next(p for p in s.exercises if CATALOG.exercise(p.exercise_id).loaded and p.reps
                and not p.power)
    top = CATALOG.exercise(lift.exercise_id).scheme.reps_max or 0
    done = LoggedLift(MONDAY - timedelta(days=3), lift.exercise_id, (top,) * 3, 50.0)
    ctx = replace(CTX, history=[done], next_session=s.day)
    full = refresh(ctx, s)
    new = next(p for p in full.exercises if p.exercise_id == lift.exercise_id).load_kg
    assert new is not None and new > 50.0  # the premise: the load went up
    amber = lighten(s.with_(exercises=tuple(replace(p, phase="build", sets=3)
                                            for p in s.exercises)))
    again = refresh(ctx, amber)
    assert refresh(ctx, again) == again  # dosed again: the same, not 10 % less each night
    p = next(p for p in again.exercises if p.exercise_id == lift.exercise_id)
    full_build = next(x for x in refresh(ctx, amber.with_(exercises=tuple(
        replace(x, share=1.0) for x in amber.exercises))).exercises
        if x.exercise_id == lift.exercise_id)
    assert p.share == 0.9 and p.load_kg == round_kg((full_build.load_kg or 0) * 0.9)
    assert p.instruction == (f"lightened: {p.sets} sets, {p.load_kg:g} kg (load -10 % from "
                             f"{full_build.load_kg:g} kg), stop 1-2 reps short of failure")
    backpack = Prescription("bodyweight_lunge", sets=3, reps=10, load_kg=5.0, instruction="...")
    light = s.with_(exercises=(at_load(backpack, 0.9, 2),), status="lightened")
    for _ in range(3):
        light = refresh(ctx, light)
    assert light.exercises[0].load_kg == 4.5 and light.exercises[0].sets == 2


def test_an_exercise_less_kit_swaps_in_keeps_the_share_of_the_load_it_replaces() -> None:
    """The first session after a race (80 %) packed for a trip: the variant swapped in was
    dosed in full (noticed at stop 22); it now keeps the 80 %, its effort in words."""
    sessions = plan(CTX, template(ARTICLE))
    first = next(s for s in sessions if s.kind == "strength")
    back = first.with_(exercises=tuple(at_load(p, 0.8) if p.load_kg or p.by_feel else p
                                       for p in first.exercises), status="lightened")
    travelling = replace(CTX, profile=replace(CTX.profile, equipment="bodyweight"))
    [after] = [s for s in with_equipment(travelling, MONDAY, MONDAY - timedelta(days=1),
                                         [back if s.id == first.id else s for s in sessions],
                                         "gym") if s.id == first.id]
    swapped = [(was, p) for was, p in zip(back.exercises, after.exercises, strict=True)
               if p.exercise_id != was.exercise_id]
    assert any(was.share < 1 for was, _ in swapped)  # the premise: 80 % work swapped
    for was, p in swapped:
        assert p.share == was.share and p.sets <= was.sets
        if was.share < 1 and p.reps is not None and p.load_kg:
            assert "(load -20 % from" in (p.instruction or "")
