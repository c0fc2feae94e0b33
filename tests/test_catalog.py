"""The exercise catalogue: the packaged data against RULES.md and the FIT profile, one test per
validation error on small TOML snippets, and the equipment fallbacks."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from garmin_fit_sdk.profile import Profile as FitProfile

from domain.profile import EQUIPMENT
from planner.catalog import AREAS, PATTERNS, Catalog, CatalogError, allowed
from planner.catalog_file import MIN_STEPS, default_catalog, parse_catalog
from tests.conftest import shared_fixture

CATALOG = default_catalog()
FIT_TYPES: dict[str, dict[int, str]] = FitProfile["types"]


def in_fit_profile(category: str, name: str) -> bool:
    """Whether a category/name pair exists in the FIT profile (its enum names are lower case)."""
    categories = FIT_TYPES["exercise_category"].values()
    names = FIT_TYPES.get(f"{category.lower()}_exercise_name", {}).values()
    return category.lower() in categories and name.lower() in names


# --- the packaged catalogue ---------------------------------------------------------------

def test_default_catalog_loads_once() -> None:
    assert default_catalog() is CATALOG
    assert len(CATALOG.exercises) >= 40 and len(CATALOG.ladders) >= len(AREAS)


def test_every_exercise_is_on_a_ladder() -> None:
    # an exercise no ladder names is usually a typo in a ladder step
    on_ladders = {step.resolve(level) for ladder in CATALOG.ladders.values()
                  for step in (*ladder.steps, *([ladder.top] if ladder.top else []))
                  for level in EQUIPMENT}
    assert set(CATALOG.exercises) == on_ladders


def test_the_data_file_is_packaged() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert "exercises.toml" in pyproject["tool"]["setuptools"]["package-data"]["planner"]


@pytest.mark.parametrize("area", AREAS)
def test_every_area_has_a_ladder_of_at_least_four_steps(area: str) -> None:
    ladders = [ladder for ladder in CATALOG.ladders.values() if ladder.area == area]
    assert ladders, f"no ladder for {area}"
    assert all(len(ladder.steps) >= MIN_STEPS for ladder in ladders)


@pytest.mark.parametrize("equipment", EQUIPMENT)
def test_glute_medius_ladder_is_the_articles(equipment: str) -> None:
    # RULES.md S5: clamshells -> lateral banded walks -> side plank -> side plank with leg lift
    [ladder] = [ladder for ladder in CATALOG.ladders.values()
                if ladder.area == "glute_medius" and ladder.quality == "stability"]
    names = [CATALOG.step(ladder.id, i, equipment).name for i in range(len(ladder.steps))]
    assert names == ["Clamshell", "Lateral banded walk", "Side plank", "Side plank with leg lift"]


def test_a_power_ladder_of_plyometrics_exists() -> None:
    power = [ladder for ladder in CATALOG.ladders.values() if ladder.quality == "power"]
    assert power
    # RULES.md S2: built up by ground contacts, pogo hops and low box jumps first, depth last
    assert [CATALOG.step("power", i, "gym").id for i in range(4)] == [
        "pogo_hops", "box_jump", "lateral_bound", "depth_jump"]
    for ladder in power:
        for i in range(len(ladder.steps)):
            exercise = CATALOG.step(ladder.id, i, "bodyweight")
            assert exercise.plyometric and not exercise.high_resistance_lower_body


@pytest.mark.parametrize(("exercise_id", "heavy"), [
    # RULES.md S2, the article's week; S4 counts only the heavy lower-body ones
    ("dumbbell_lunge", True), ("barbell_deadlift", True), ("dumbbell_calf_raise", True),
    ("machine_leg_curl", True), ("front_plank", False), ("ankle_circles", False),
    ("short_foot", False), ("clamshell", False),
])
def test_the_articles_exercises_are_there(exercise_id: str, heavy: bool) -> None:
    assert CATALOG.exercise(exercise_id).high_resistance_lower_body is heavy


def test_schemes_follow_s1() -> None:
    for exercise in CATALOG.exercises.values():
        s = exercise.scheme
        if exercise.quality == "strength":
            assert (s.sets, s.reps_min, s.reps_max, s.rest_s) == (3, 4, 6, 180), exercise.id
        elif exercise.quality == "stability":
            assert s.seconds == 30 or (s.reps_max or 0) <= 20, exercise.id
    assert CATALOG.exercise("front_plank").scheme.seconds == 30
    assert CATALOG.exercise("ankle_circles").scheme.reps_max == 20


@pytest.mark.parametrize("exercise_id", sorted(CATALOG.exercises))
def test_garmin_category_and_name_exist_in_the_fit_profile(exercise_id: str) -> None:
    exercise = CATALOG.exercise(exercise_id)
    assert in_fit_profile(exercise.garmin_category, exercise.garmin_name), (
        f"{exercise_id}: {exercise.garmin_category}/{exercise.garmin_name} not in the FIT profile")


def test_the_fit_profile_check_catches_typos() -> None:
    assert in_fit_profile("SQUAT", "BARBELL_BACK_SQUAT")
    assert not in_fit_profile("SQUAT", "BARBEL_BACK_SQUAT")
    assert not in_fit_profile("LUNGE", "BARBELL_BACK_SQUAT")  # a real name in the wrong category
    assert not in_fit_profile("SQUATS", "BARBELL_BACK_SQUAT")


# --- equipment fallbacks --------------------------------------------------------------------

@pytest.mark.parametrize("equipment", EQUIPMENT)
def test_no_athlete_gets_an_exercise_beyond_their_equipment(equipment: str) -> None:
    for ladder in CATALOG.ladders.values():
        for i in range(len(ladder.steps)):
            exercise = CATALOG.step(ladder.id, i, equipment)
            assert allowed(exercise, equipment), (ladder.id, i, exercise.id)
            if equipment == "bodyweight":
                assert exercise.equipment == "bodyweight" and not exercise.loaded


def test_allowed_follows_the_equipment_order() -> None:
    gym, dumbbells, bodyweight = (CATALOG.exercise(i) for i in
                                  ("barbell_deadlift", "dumbbell_deadlift", "nordic_curl"))
    assert [allowed(e, "gym") for e in (gym, dumbbells, bodyweight)] == [True, True, True]
    assert [allowed(e, "dumbbells") for e in (gym, dumbbells, bodyweight)] == [False, True, True]
    assert [Catalog.allowed(e, "bodyweight") for e in (gym, dumbbells, bodyweight)] == [
        False, False, True]


@pytest.mark.parametrize(("equipment", "expected"), [
    ("gym", ["q_gym", "q_db2", "q_bw3", "q_bw4"]),  # gym -> dumbbells -> bodyweight
    ("dumbbells", ["q_db1", "q_db2", "q_bw3", "q_bw4"]),  # dumbbells -> bodyweight
    ("bodyweight", ["q_bw1", "q_bw2", "q_bw3", "q_bw4"]),
])
def test_step_falls_back_to_less_equipment(equipment: str, expected: list[str]) -> None:
    catalog = parse(base())
    assert [catalog.step("quads", i, equipment).id for i in range(4)] == expected


def test_lookups_name_what_is_missing() -> None:
    with pytest.raises(KeyError, match="no ladder 'squats'"):
        CATALOG.step("squats", 0, "gym")
    with pytest.raises(KeyError, match="no exercise 'burpee'"):
        CATALOG.exercise("burpee")
    with pytest.raises(ValueError, match="unknown equipment 'kettlebell'"):
        CATALOG.step("glute_medius", 0, "kettlebell")


# --- validation: one test per error kind, on a small catalogue ---------------------------

def exercise(id: str, equipment: str = "bodyweight", quality: str = "strength",
             areas: tuple[str, ...] = ("quads",)) -> dict[str, Any]:
    strength = quality == "strength"
    return {
        "id": id, "name": id.replace("_", " ").capitalize(), "areas": list(areas),
        "quality": quality, "pattern": "squat" if strength else "core",
        "equipment": equipment, "high_resistance_lower_body": strength,
        "plyometric": False, "loaded": equipment != "bodyweight",
        "scheme": ({"sets": 3, "reps_min": 4, "reps_max": 6, "rest_s": 180, "per_side": False}
                   if strength else {"sets": 3, "seconds": 30, "rest_s": 45, "per_side": True}),
        "cues": ["Brace"], "garmin_category": "SQUAT", "garmin_name": "SQUAT",
        "connect_category": "SQUAT", "connect_name": "SQUAT",
    }


def base() -> dict[str, Any]:
    """A valid catalogue: one quads ladder whose later steps leave out the richer levels."""
    return {
        "exercise": [exercise("q_gym", "gym"), exercise("q_db1", "dumbbells"),
                     exercise("q_db2", "dumbbells"), exercise("q_bw1"), exercise("q_bw2"),
                     exercise("q_bw3"), exercise("q_bw4"),
                     exercise("hold", quality="stability", areas=("core", "quads"))],
        "ladder": [{"id": "quads", "area": "quads", "quality": "strength",
                    "patterns": ["squat", "lunge"], "steps": [
            {"gym": "q_gym", "dumbbells": "q_db1", "bodyweight": "q_bw1"},
            {"dumbbells": "q_db2", "bodyweight": "q_bw2"},
            {"bodyweight": "q_bw3"},
            {"bodyweight": "q_bw4"},
        ]}],
    }


def parse(data: dict[str, Any]) -> Catalog:
    return parse_catalog(tomli_w.dumps(data))


def edit(*path: str | int, **changes: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation of the base catalogue: set keys of the table at `path` (DELETE removes)."""
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path:
            target = target[key]
        for key, value in changes.items():
            if value is DELETE:
                del target[key]
            else:
                target[key] = value
    return mutate


def appended(table: str, index: int) -> Callable[[dict[str, Any]], None]:
    return lambda data: data[table].append(copy.deepcopy(data[table][index]))


def drop_last_step(data: dict[str, Any]) -> None:
    data["ladder"][0]["steps"].pop()


def step_as_string(data: dict[str, Any]) -> None:
    data["ladder"][0]["steps"][0] = "q_bw1"


def second_ladder_of_the_same_patterns(data: dict[str, Any]) -> None:
    data["ladder"].append({**copy.deepcopy(data["ladder"][0]), "id": "quads_again",
                           "patterns": ["lunge", "squat"]})


def top_of_another_pattern(data: dict[str, Any]) -> None:
    data["exercise"][5]["pattern"] = "lunge"
    data["ladder"][0]["top"] = {"bodyweight": "q_bw3"}


DELETE = object()
GYM = ("exercise", 0)
GYM_SCHEME = (*GYM, "scheme")
STEPS = ("ladder", 0, "steps")
ERRORS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown-table", edit(exercises=[]),
     "exercises.toml: unknown field 'exercises' (known: exercise, ladder)"),
    ("unknown-field", edit(*GYM, rep_max=6),
     "exercise 'q_gym': unknown field 'rep_max' (known: id, name, areas"),
    ("missing-field", edit(*GYM, cues=DELETE), "exercise 'q_gym': missing field 'cues'"),
    ("missing-id", edit(*GYM, id=DELETE), "exercise #1: missing field 'id'"),
    ("wrong-type", edit(*GYM, loaded="yes"),
     "exercise 'q_gym': field 'loaded' must be true or false, not 'yes'"),
    ("bool-for-int", edit(*GYM_SCHEME, sets=True),
     "exercise 'q_gym' scheme: field 'sets' must be an integer, not True"),
    ("bad-id", edit(*GYM, id="Q-Gym"), "exercise 'Q-Gym': id 'Q-Gym' must be snake_case"),
    ("duplicate-exercise", appended("exercise", 3), "exercise 'q_bw1': duplicate exercise id"),
    ("duplicate-ladder", appended("ladder", 0), "ladder 'quads': duplicate ladder id"),
    ("unknown-area", edit(*GYM, areas=["quads", "shins"]),
     "exercise 'q_gym': unknown area 'shins' (use glutes, glute_medius, calves"),
    ("no-area", edit(*GYM, areas=[]), "exercise 'q_gym': areas needs 1 to 8 entries"),
    ("unknown-quality", edit(*GYM, quality="speed"),
     "exercise 'q_gym': unknown quality 'speed' (use strength, power, stability)"),
    ("unknown-equipment", edit(*GYM, equipment="kettlebell"),
     "exercise 'q_gym': unknown equipment 'kettlebell' (use gym, dumbbells, bodyweight)"),
    ("too-many-cues", edit(*GYM, cues=["a", "b", "c", "d"]),
     "exercise 'q_gym': cues needs 1 to 3 entries"),
    ("garmin-case", edit(*GYM, garmin_name="barbell_back_squat"),
     "exercise 'q_gym': garmin_name 'barbell_back_squat' must be a FIT enum name in upper snake"),
    ("plyometric-not-power", edit(*GYM, plyometric=True),
     "exercise 'q_gym': plyometric exercises must have quality 'power'"),
    ("heavy-stability", edit("exercise", 7, high_resistance_lower_body=True),
     "exercise 'hold': high_resistance_lower_body exercises must have quality 'strength'"),
    ("loaded-bodyweight", edit("exercise", 3, loaded=True),
     "exercise 'q_bw1': a loaded exercise needs dumbbells or gym equipment, not bodyweight"),
    ("reps-off-s1", edit(*GYM_SCHEME, reps_max=12),
     "exercise 'q_gym' scheme: reps_max must be 4-6 for strength (RULES.md S1), not 12"),
    ("sets-off-s1", edit(*GYM_SCHEME, sets=5),
     "exercise 'q_gym' scheme: sets must be 3 for strength (RULES.md S1), not 5"),
    ("rest-off-s1", edit(*GYM_SCHEME, rest_s=60),
     "exercise 'q_gym' scheme: rest_s must be 120-180 for strength (RULES.md S1), not 60"),
    ("hold-off-s1", edit("exercise", 7, "scheme", seconds=120),
     "exercise 'hold' scheme: seconds must be 20-60 for stability (RULES.md S1), not 120"),
    ("reps-and-seconds", edit(*GYM_SCHEME, seconds=30),
     "exercise 'q_gym' scheme: give either reps_min and reps_max or seconds"),
    ("half-a-range", edit(*GYM_SCHEME, reps_max=DELETE),
     "exercise 'q_gym' scheme: give both reps_min and reps_max"),
    ("reps-reversed", edit(*GYM_SCHEME, reps_min=6, reps_max=5),
     "exercise 'q_gym' scheme: reps_min 6 is above reps_max 5"),
    ("seconds-for-strength", edit(*GYM_SCHEME, reps_min=DELETE, reps_max=DELETE,
                                     seconds=30),
     "exercise 'q_gym' scheme: timed holds are not a strength scheme"),
    ("unknown-exercise", edit(*STEPS, 0, bodyweight="q_bw9"),
     "ladder 'quads' step 1: bodyweight variant names no exercise 'q_bw9'"),
    ("short-ladder", drop_last_step,
     "ladder 'quads': has 3 steps; a ladder needs at least 4 (RULES.md S5)"),
    ("area-mismatch", edit("ladder", 0, area="glutes"),
     "ladder 'quads' step 1: gym variant 'q_gym' does not train glutes"),
    ("quality-mismatch", edit(*STEPS, 2, bodyweight="hold"),
     "ladder 'quads' step 3: bodyweight variant 'hold' is stability, not strength"),
    ("no-bodyweight-variant", edit(*STEPS, 1, bodyweight=DELETE),
     "ladder 'quads' step 2: no bodyweight variant, so a bodyweight-only athlete would lose"),
    ("variant-needs-more-kit", edit(*STEPS, 1, dumbbells="q_gym"),
     "ladder 'quads' step 2: dumbbells variant 'q_gym' needs gym"),
    ("unknown-equipment-level", edit(*STEPS, 0, kettlebell="q_bw1"),
     "ladder 'quads' step 1: unknown field 'kettlebell' (known: gym, dumbbells, bodyweight)"),
    ("step-not-a-table", step_as_string, "ladder 'quads' step 1: must be a table"),
    ("no-progression", edit(*STEPS, 3, bodyweight="q_bw3"),
     "ladder 'quads': step 4 gives a gym athlete 'q_bw3' again (as step 3); each step must be"),
    ("ladder-unknown-area", edit("ladder", 0, area="shins"),
     "ladder 'quads': unknown area 'shins'"),
    ("ladder-unknown-quality", edit("ladder", 0, quality="speed"),
     "ladder 'quads': unknown quality 'speed'"),
    ("unknown-pattern", edit(*GYM, pattern="push"),
     "exercise 'q_gym': unknown pattern 'push' (use hinge, squat, lunge"),
    ("power-pattern-off-power", edit(*GYM, pattern="power"),
     "exercise 'q_gym': power exercises and only they have the pattern 'power'"),
    ("connect-case", edit(*GYM, connect_name="3_way"),
     "exercise 'q_gym': connect_name '3_way' must be a Connect enum name"),
    ("pattern-mismatch", edit(*GYM, pattern="hinge"),
     "ladder 'quads' step 1: gym variant 'q_gym' is a hinge exercise, not squat or lunge"),
    ("ladder-unknown-pattern", edit("ladder", 0, patterns=["push"]),
     "ladder 'quads': unknown pattern 'push'"),
    ("top-repeats-last-step", edit("ladder", 0, top={"bodyweight": "q_bw4"}),
     "ladder 'quads': top gives a gym athlete 'q_bw4' again"),
    ("ladders-share-patterns", second_ladder_of_the_same_patterns,
     "ladder 'quads_again': has the patterns of ladder 'quads' (lunge, squat); a session slot"),
    ("top-other-pattern", top_of_another_pattern,
     "ladder 'quads': top variant 'q_bw3' is lunge, the last step 'q_bw4' is squat"),
]


def test_the_base_snippet_is_valid() -> None:
    assert list(parse(base()).ladders) == ["quads"]


@pytest.mark.parametrize(("mutate", "message"), [(m, msg) for _, m, msg in ERRORS],
                         ids=[case for case, _, _ in ERRORS])
def test_validation_error_names_the_problem_and_where(
        mutate: Callable[[dict[str, Any]], None], message: str) -> None:
    data = base()
    mutate(data)
    with pytest.raises(CatalogError) as raised:
        parse(data)
    text = str(raised.value)
    assert text.startswith(message), text
    assert "\n" not in text


def test_invalid_toml_says_so() -> None:
    with pytest.raises(CatalogError, match=r"^exercises.toml is not valid TOML: "):
        parse_catalog("[[exercise]]\nid = clamshell\n")


# --- Garmin Connect's exercise list ------------------------------------------------------

def connect_list() -> frozenset[tuple[str, str]]:
    path = shared_fixture("garmin-connect", "connect-exercises.tsv")
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return frozenset((c, n) for c, n, *_ in (line.split("\t") for line in lines if line))


def test_every_exercise_carries_a_pair_connect_accepts() -> None:
    accepted = connect_list()
    wrong = [f"{e.id}: {e.connect_category}/{e.connect_name}" for e in CATALOG.exercises.values()
             if (e.connect_category, e.connect_name) not in accepted]
    assert wrong == []


def test_connects_spellings_differ_from_fits_where_they_must() -> None:
    # Connect spells FIT's 3_WAY_CALF_RAISE with a leading underscore and has no MOVE category
    accepted = connect_list()
    assert ("CALF_RAISE", "_3_WAY_CALF_RAISE") in accepted
    assert ("CALF_RAISE", "3_WAY_CALF_RAISE") not in accepted
    assert not any(category == "MOVE" for category, _ in accepted)
    three_way = CATALOG.exercise("three_way_calf_raise")
    assert (three_way.garmin_name, three_way.connect_name) == ("3_WAY_CALF_RAISE",
                                                                "_3_WAY_CALF_RAISE")


# --- movement patterns -------------------------------------------------------------------

def test_every_exercise_has_a_pattern_and_every_pattern_a_ladder_at_every_level() -> None:
    assert {e.pattern for e in CATALOG.exercises.values()} == set(PATTERNS)
    for pattern in PATTERNS:
        ladders = [lad for lad in CATALOG.ladders.values() if pattern in lad.patterns]
        assert ladders, pattern
        for level in EQUIPMENT:
            for ladder in ladders:
                for n in range(len(ladder.steps)):
                    exercise = CATALOG.step(ladder.id, n, level)
                    assert allowed(exercise, level)
                    assert exercise.pattern in ladder.patterns


@pytest.mark.parametrize("equipment", EQUIPMENT)
def test_nordic_curls_start_assisted_for_everyone(equipment: str) -> None:
    ladder = CATALOG.ladder("hamstring_curl")
    ids = [CATALOG.step(ladder.id, i, equipment).id for i in range(len(ladder.steps))]
    assert ids.index("assisted_nordic_curl") < ids.index("nordic_curl")  # RULES.md S5


@pytest.mark.parametrize("equipment", EQUIPMENT)
def test_the_single_sessions_foot_and_ankle_ladder_trains_both_at_every_step(
        equipment: str) -> None:
    ladder = CATALOG.ladder("foot_ankle")
    for step in (*ladder.steps, ladder.top):
        assert step is not None
        exercise = CATALOG.exercise(step.resolve(equipment))
        # the calves too: a deload week's single session has no power work to train them
        assert {"foot", "ankle_mobility", "calves"} <= set(exercise.areas), exercise.id
        assert exercise.quality == "stability" and not exercise.high_resistance_lower_body


def test_dumbbell_athletes_get_dumbbell_versions_of_the_loaded_ladders() -> None:
    for ladder_id in ("hinge", "knee", "calves"):
        first = CATALOG.step(ladder_id, 0, "dumbbells")
        assert first.equipment == "dumbbells" and first.loaded, first.id


def test_a_variant_comes_from_the_step_that_gave_the_exercise_at_its_level() -> None:
    # suitcase_carry is core step 5's gym variant (the top) and step 4's dumbbell one: less
    # kit swaps it for the bodyweight variant of the step that gave it
    catalog = default_catalog()
    for was, expected in (("gym", "plank_leg_lift"), ("dumbbells", "shoulder_tap_plank")):
        found = catalog.variant("suitcase_carry", was, "bodyweight")
        assert found is not None and (found[0].id, found[1].id) == ("core", expected), was
    assert catalog.variant("not_on_any_ladder", "gym", "bodyweight") is None
