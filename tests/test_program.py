"""The strength program as a coach reads it (RULES.md S1, S2, S4, S5): movement patterns, A/B
sessions, power every week, intro and deload weeks, staggered ladders, the top of a ladder
and bodyweight progressions. Plans come from the real planner over weekly run templates."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.profile import EQUIPMENT, Race
from planner.blocks import WeekCount, timeline
from planner.catalog_file import default_catalog
from planner.ladders import week_ladders
from planner.lifter import Lifter
from planner.model import Session, week_heavy_lower, week_start
from planner.picks import Pick, pick
from planner.prescriptions import prescribe
from planner.program import WeekPicks, cap_steps
from planner.progression import LoggedLift
from planner.slots import MAX_HEAVY_LOWER_A_WEEK
from tests.planning import (
    ARTICLE,
    DAYS,
    MONDAY,
    areas,
    context,
    plan,
    profile,
    template,
    uncovered,
)

CATALOG = default_catalog()


def weeks_of(sessions: list[Session]) -> dict[date, list[Session]]:
    """Strength sessions by week, in day order (the first is A, the second B)."""
    out: dict[date, list[Session]] = defaultdict(list)
    for s in sorted(sessions, key=lambda s: s.day):
        if s.kind == "strength":
            out[week_start(s.day)].append(s)
    return dict(sorted(out.items()))


def patterns(s: Session) -> list[str | None]:
    return [p.pattern for p in s.exercises]


@st.composite
def run_weeks(draw: st.DrawFn) -> dict[str, str]:
    """3-6 runs a week, long and speed days anywhere."""
    days = draw(st.lists(st.sampled_from(DAYS), min_size=3, max_size=6, unique=True))
    return {d: draw(st.sampled_from(("easy", "easy", "long", "speed"))) for d in days}


@settings(max_examples=60, deadline=None)
@given(run_weeks(), st.sampled_from(EQUIPMENT), st.integers(1, 3))
def test_sessions_keep_s2_and_s4_and_power_comes_every_week(
        runs_of: dict[str, str], equipment: str, target: int) -> None:
    ctx = context(profile(runs_of, sessions=target, equipment=equipment))
    sessions = plan(ctx, template(runs_of, weeks=4), weeks=3)
    for week in weeks_of(sessions).values():
        for s in week:
            assert 4 <= len(s.exercises) <= 5, s.describe()
            assert len(set(patterns(s))) == len(s.exercises), s.describe()  # one per pattern
            power = [i for i, p in enumerate(s.exercises) if p.power]
            assert power in ([], [0]), s.describe()  # at most one, and first
            light = [p for p in s.exercises if CATALOG.exercise(p.exercise_id).quality ==
                     "stability"]
            assert 1 <= len(light) <= 2, s.describe()  # S1: stability never the whole session
        assert week_heavy_lower(week) <= MAX_HEAVY_LOWER_A_WEEK
        assert any(p.power for s in week for p in s.exercises), "no power this week"
        assert uncovered(week) == [], len(week)  # whatever the number of sessions
        leads = [next(p.pattern for p in s.exercises if p.high_resistance_lower_body)
                 for s in week[:2]]
        assert leads[0] in ("squat", "lunge") and leads[1:] in ([], ["hinge"]), leads
        if len(week) == 1:  # a single session carries both heavy patterns
            assert "hinge" in patterns(week[0]), week[0].describe()


def test_the_articles_week_gives_monday_and_thursday() -> None:
    sessions = plan(context(), template(ARTICLE, weeks=2), weeks=1)
    a, b = weeks_of(sessions)[MONDAY]
    assert (a.day.strftime("%a"), b.day.strftime("%a")) == ("Mon", "Thu")
    assert patterns(a) == ["power", "squat", "calf", "core", "ankle_mobility"]
    assert patterns(b) == ["hinge", "hamstring_curl", "hip_stability", "foot"]
    assert a.exercises[0].exercise_id == "pogo_hops"  # ground contacts first (RULES.md S2)
    # a brand-new athlete starts with an intro week: 2 sets, "7-8 times, stop at 6"
    assert {p.sets for s in (a, b) for p in s.exercises} == {2}
    squat = a.exercises[1]
    assert squat.instruction is not None and "could lift 7-8 times, stop at 6" in squat.instruction


def test_after_the_intro_week_strength_sets_stop_one_or_two_reps_short() -> None:
    # RULES.md S1: no known load, so week 2 asks for "a weight you can lift 6 times, not 7"
    weeks = weeks_of(plan(context(), template(ARTICLE, weeks=3), weeks=2))
    squat = weeks[MONDAY + timedelta(days=7)][0].exercises[1]
    assert (squat.exercise_id, squat.phase, squat.sets) == ("barbell_back_squat", "build", 3)
    assert squat.instruction == ("a weight you can lift 6 times, not 7; "
                                 "stop 1-2 reps short of failure")


def test_one_session_a_week_covers_every_area_foot_and_ankle_in_one_slot() -> None:
    # S1 leaves a single session one light slot besides core, so foot and ankle share it
    sessions = plan(context(profile(sessions=1)), template(ARTICLE, weeks=2), weeks=1)
    [single] = weeks_of(sessions)[MONDAY]
    assert single.day.strftime("%a") == "Mon"
    assert patterns(single) == ["power", "squat", "hinge", "core", "ankle_mobility"]
    assert single.exercises[-1].exercise_id == "ankle_rock_heel_raise"
    assert {"foot", "ankle_mobility", "calves"} <= areas(single)


def twelve_weeks(ctx: Lifter, weeks: int = 12) -> dict[date, list[Session]]:
    return weeks_of(plan(ctx, template(ARTICLE, weeks=weeks + 1), weeks=weeks))


def test_a_new_athletes_twelve_weeks_intro_staggering_and_deloads() -> None:
    by_week = list(twelve_weeks(context()).values())
    assert len(by_week) == 12 and all(len(w) == 2 for w in by_week)
    seen: set[str] = set()
    for n, week in enumerate(by_week, 1):
        deload = n % 4 == 0
        for slot, s in enumerate(week):
            for p in s.exercises:
                new = p.exercise_id not in seen
                assert (p.phase == "intro") == new, (n, p)
                if p.phase in ("intro", "deload"):
                    assert p.sets == 2
                if deload and not new:
                    assert p.phase == "deload" and not p.power
            if n > 1:
                before = {p.exercise_id for p in by_week[n - 2][slot].exercises}
                changed = [p for p in s.exercises if p.exercise_id not in before and not p.power]
                changed += [p for p in s.exercises if p.power and p.exercise_id not in before]
                assert len(changed) <= len(s.exercises) // 2, (n, slot, s.describe())
                if deload:
                    assert not changed, (n, "a new step in a deload week")
            seen.update(p.exercise_id for p in s.exercises)
        assert any(p.power for s in week for p in s.exercises) != deload, n


def test_deload_loads_are_ten_percent_lighter() -> None:
    ctx = Lifter(profile=profile(), catalog=CATALOG, known_kg={"barbell_back_squat": 80.0})
    squats = {monday: p for monday, week in twelve_weeks(ctx, 4).items() for s in week
              for p in s.exercises if p.exercise_id == "barbell_back_squat"}
    loads = [(p.phase, p.sets, p.load_kg) for p in squats.values()]
    assert loads == [("intro", 2, 80.0), ("build", 3, 80.0), ("build", 3, 80.0),
                     ("deload", 2, 72.0)]


def exercise_runs(by_week: dict[date, list[Session]], slot: int) -> list[tuple[str, int]]:
    """Per pattern of one session slot: each exercise in order with its weeks in a row."""
    runs: dict[str | None, list[list[object]]] = defaultdict(list)
    for week in by_week.values():
        for p in week[slot].exercises:
            track = runs[p.pattern]
            if track and track[-1][0] == p.exercise_id:
                track[-1][1] = int(str(track[-1][1])) + 1
            else:
                track.append([p.exercise_id, 1])
    return [(str(e), int(str(n))) for track in runs.values() for e, n in track]


def test_a_block_never_runs_past_six_weeks_on_one_exercise() -> None:
    for equipment in EQUIPMENT:
        by_week = twelve_weeks(context(profile(equipment=equipment)), 24)
        for slot in (0, 1):
            assert all(n <= 6 for _, n in exercise_runs(by_week, slot)), equipment


def test_the_top_of_a_ladder_rotates_to_a_variation() -> None:
    by_week = twelve_weeks(context(), 24)
    hinge = [next(p.exercise_id for p in week[1].exercises if p.pattern == "hinge")
             for week in by_week.values()]
    order = [e for i, e in enumerate(hinge) if i == 0 or hinge[i - 1] != e]
    assert order == ["barbell_hip_thrust", "barbell_romanian_deadlift", "dumbbell_single_leg_rdl",
                     "barbell_deadlift", "trap_bar_deadlift", "barbell_deadlift"]


def test_a_bodyweight_athlete_over_24_weeks() -> None:
    by_week = twelve_weeks(context(profile(equipment="bodyweight")), 24)
    hips = [p.exercise_id for week in by_week.values() for s in week for p in s.exercises
            if p.pattern == "hip_stability"]
    order = [e for i, e in enumerate(hips) if i == 0 or hips[i - 1] != e]
    # the article's glute-medius ladder, in order (RULES.md S5)
    assert order[:4] == ["clamshell", "lateral_band_walk", "side_plank", "side_plank_leg_lift"]
    assert all(CATALOG.exercise(e).equipment == "bodyweight" for e in hips)
    # harder variants first, then a loaded backpack in 5 kg steps (RULES.md S1)
    hinge = [(p.exercise_id, p.load_kg, p.instruction) for week in by_week.values()
             for p in week[1].exercises if p.pattern == "hinge"]
    first_load = next(i for i, (_, kg, _) in enumerate(hinge) if kg)
    top = CATALOG.ladder("hinge").steps[-1].resolve("bodyweight")
    assert top in [e for e, _, _ in hinge[:first_load]]
    loads = sorted({kg for _, kg, _ in hinge if kg})
    assert loads[:2] == [5.0, 10.0]
    assert all("backpack loaded to" in str(words) for _, kg, words in hinge if kg)


def test_dumbbell_athletes_get_dumbbell_versions() -> None:
    a, b = weeks_of(plan(context(profile(equipment="dumbbells")), template(ARTICLE, 2)))[MONDAY]
    ids = [p.exercise_id for p in (*a.exercises, *b.exercises) if p.high_resistance_lower_body]
    assert ids and all(CATALOG.exercise(e).equipment == "dumbbells" for e in ids), ids


def test_a_returning_athlete_after_three_weeks_off() -> None:
    last = MONDAY - timedelta(days=21)
    history = [LoggedLift(last, "barbell_back_squat", (6, 6, 6), 60.0),
               LoggedLift(last, "barbell_calf_raise", (6, 6, 6), 40.0)]
    ctx = Lifter(profile=profile(), catalog=CATALOG, history=history)
    a = weeks_of(plan(ctx, template(ARTICLE, 2)))[MONDAY][0]
    by_id = {p.exercise_id: p for p in a.exercises}
    squat = by_id["barbell_back_squat"]
    # familiar exercises are no intro; 14+ days off resumes at 90 % (RULES.md S5)
    assert (squat.phase, squat.sets, squat.load_kg) == ("build", 3, 54.0)
    assert by_id["barbell_calf_raise"].load_kg == 36.0
    assert by_id["pogo_hops"].phase == "intro"  # new to this athlete


@settings(max_examples=25, deadline=None)
@given(run_weeks(), st.sampled_from(EQUIPMENT), st.booleans(), st.integers(1, 3))
def test_twelve_weeks_over_random_templates(runs_of: dict[str, str], equipment: str,
                                            returning: bool, target: int) -> None:
    # a returning athlete last lifted 3 weeks ago: those exercises are familiar, not new
    last = MONDAY - timedelta(days=21)
    lifted = ("barbell_back_squat", "goblet_squat", "barbell_hip_thrust") if returning else ()
    history = [LoggedLift(last, e, (6, 6, 6), 50.0) for e in lifted]
    ctx = Lifter(profile=profile(runs_of, sessions=target, equipment=equipment),
                 catalog=CATALOG, history=history)
    by_week = weeks_of(plan(ctx, template(runs_of, weeks=13), weeks=12))
    seen = {d.exercise_id for d in history}
    for n, (monday, week) in enumerate(by_week.items(), 1):
        deload = (monday - MONDAY).days // 7 % 4 == 3
        for s in week:
            new = [p for p in s.exercises if p.exercise_id not in seen]
            assert all(p.phase == "intro" and p.sets == 2 for p in new), s.describe()
            assert all(p.phase != "intro" for p in s.exercises if p.exercise_id in seen)
            if n > 1:  # staggered ladders: at most half of a session changes in a week
                assert len(new) <= len(s.exercises) // 2, (n, s.describe())
            if deload:
                assert not new and not any(p.power for p in s.exercises), (n, s.describe())
                assert all(p.sets == 2 for p in s.exercises)
        assert uncovered(week) == [], (n, len(week))  # deload weeks too (RULES.md S2)
        seen.update(p.exercise_id for s in week for p in s.exercises)


def test_a_rested_week_restarts_the_deload_count() -> None:
    # RULES.md S5: every 4th training week is a deload, and a week a race's taper or window
    # fills counts as one: the next deload is the 4th training week after it. A past week
    # without a session done is no training week, before or after it.
    mondays = [MONDAY + timedelta(days=7 * w) for w in range(16)]

    def deloads(counts: dict[date, WeekCount], rested: set[date]) -> list[int]:
        weeks = timeline(MONDAY, mondays[-1], counts, rested)
        return [i for i, w in enumerate(weeks) if w.deload]

    assert deloads({}, set()) == [3, 7, 11, 15]
    assert deloads({}, {mondays[5]}) == [3, 9, 13]
    assert deloads({}, {mondays[3]}) == [3, 7, 11, 15]  # a deload week that rests as well
    # the week before a rested one is no deload: two easy weeks in a row would be one too many
    assert deloads({}, {mondays[4]}) == [8, 12]
    assert deloads({}, {mondays[5], mondays[6]}) == [3, 10, 14]
    skipped = {mondays[7]: WeekCount(2, 0)}
    assert deloads(skipped, {mondays[5]}) == [3, 10, 14]


def test_a_block_that_fell_short_turns_to_the_steps_variation_at_six_weeks() -> None:
    # RULES.md S5: no session done for 6 weeks, so the step is not earned: the block ends at
    # 6 weeks anyway and the same step continues as a variation, never the same exercise
    short = {MONDAY + timedelta(days=7 * w): WeekCount(2, 0) for w in range(6)}
    weeks = timeline(MONDAY, MONDAY + timedelta(days=7 * 8), short)
    assert [w.step for w in weeks[:7]] == [0] * 7 and weeks[6].block == 2
    expected = {"gym": ("barbell_hip_thrust", "dumbbell_hip_thrust", None),
                "bodyweight": ("single_leg_hip_raise", "single_leg_hip_raise", 5.0)}
    for equipment, (first, then, backpack) in expected.items():
        ctx = context(profile(equipment=equipment))
        picks = [pick(ctx, week_ladders(ctx, weeks, i), ("hinge",)) for i in range(8)]
        assert {p.exercise.id for p in picks[:6]} == {first}
        assert (picks[6].exercise.id, picks[6].backpack_kg) == (then, backpack)


def test_no_power_or_heavy_work_in_a_races_last_six_days() -> None:
    race = Race(MONDAY + timedelta(days=7 * 2 + 5), "10k")  # Saturday of the third week
    ctx = context(profile(races=(race,)))
    sessions = plan(ctx, template(ARTICLE, weeks=4), weeks=3)
    final = [s for s in sessions if 0 < (race.day - s.day).days <= 6]
    assert final and all(s.kind == "mobility" for s in final)
    assert not any(p.power or p.high_resistance_lower_body for s in final for p in s.exercises)
    first = weeks_of(sessions)[MONDAY]
    assert first[0].exercises[0].power  # weeks well before the race keep their power work


@pytest.mark.parametrize("capped, words", [
    (("barbell_back_squat",), "barbell_back_squat had its 6 weeks: "),
    (("barbell_back_squat", "barbell_romanian_deadlift"),
     "barbell_back_squat, barbell_romanian_deadlift had their 6 weeks: "),
])
def test_the_s5_cap_note_names_one_exercise_or_several_in_good_grammar(
        capped: tuple[str, ...], words: str) -> None:
    # One exercise capped: the note said "barbell_back_squat had their 6 weeks ... 1 of 1
    # exercises are new this week" (a one-exercise session is the only place it happens)
    ctx = context()
    steps = {"barbell_back_squat": "barbell_split_squat",
             "barbell_romanian_deadlift": "dumbbell_single_leg_rdl"}
    new = [ctx.catalog.exercise(steps[e]) for e in capped]
    session = Session(f"{MONDAY}#1", MONDAY, "strength", 1, 1,
                      tuple(prescribe(ctx, e, MONDAY, "intro") for e in new))
    picks = WeekPicks({MONDAY: [Pick(e, "intro", None, capped=ctx.catalog.exercise(old))
                                for e, old in zip(new, capped, strict=True)]}, None)
    [note] = cap_steps([session], picks, MONDAY - timedelta(days=1))
    n = len(capped)
    assert note.reasons[0].startswith(words)
    assert note.reasons[0].endswith(f"{n} of {n} exercises {'is' if n == 1 else 'are'} new "
                                    "this week")
