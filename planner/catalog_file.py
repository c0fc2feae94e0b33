"""The catalogue's data file, `exercises.toml` beside this module: read once, and checked for
everything a maintainer editing it could get wrong (RULES.md S1 bounds, S5 ladders), each
problem named with where it is in one line.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar

from domain.profile import EQUIPMENT
from planner.catalog import (
    AREAS,
    PATTERNS,
    QUALITIES,
    Catalog,
    CatalogError,
    Exercise,
    Ladder,
    Scheme,
    Step,
    allowed,
)

MIN_STEPS = 4  # RULES.md S5: the article's ladder is 4 blocks of 6 weeks

ID_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
GARMIN_RE = re.compile(r"^[A-Z0-9]+(_[A-Z0-9]+)*$")  # FIT enum names, upper case ("3_WAY_...")
CONNECT_RE = re.compile(r"^_?[A-Z0-9]+(_[A-Z0-9]+)*$")  # Connect's, e.g. "_3_WAY_CALF_RAISE"


@dataclass(frozen=True)
class Bounds:
    """What RULES.md S1 allows for one quality: sets, reps (or hold seconds) and rest."""

    sets: tuple[int, int]
    reps: tuple[int, int]
    rest_s: tuple[int, int]
    seconds: tuple[int, int] | None = None  # None: holds are not allowed


# RULES.md S1: strength ~6 reps (4-6) x 3 with 2-3 min rest; power 3-6 explosive reps x 3 with
# full rest; stability 12-20 reps or 30 s holds x 2-3 with short (45-60 s) rest.
S1 = {
    "strength": Bounds(sets=(3, 3), reps=(4, 6), rest_s=(120, 180)),
    "power": Bounds(sets=(3, 3), reps=(3, 6), rest_s=(120, 180)),
    "stability": Bounds(sets=(2, 3), reps=(12, 20), rest_s=(45, 60), seconds=(20, 60)),
}


@functools.cache
def default_catalog() -> Catalog:
    """The catalogue shipped with the package (read once)."""
    text = resources.files("planner").joinpath("exercises.toml").read_text(encoding="utf-8")
    return parse_catalog(text)


EXERCISE_FIELDS: dict[str, type] = {
    "id": str, "name": str, "areas": list, "quality": str, "pattern": str, "equipment": str,
    "high_resistance_lower_body": bool, "plyometric": bool, "loaded": bool, "scheme": dict,
    "cues": list, "garmin_category": str, "garmin_name": str, "connect_category": str,
    "connect_name": str,
}
SCHEME_FIELDS: dict[str, type] = {"sets": int, "rest_s": int, "per_side": bool}
SCHEME_OPTIONAL: dict[str, type] = {"reps_min": int, "reps_max": int, "seconds": int}
LADDER_FIELDS: dict[str, type] = {"id": str, "area": str, "quality": str, "patterns": list,
                                  "steps": list}
LADDER_OPTIONAL: dict[str, type] = {"top": dict}
TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list",
              dict: "a table"}
_Entry = TypeVar("_Entry", Exercise, Ladder)


def parse_catalog(text: str) -> Catalog:
    """Parse and validate the catalogue TOML; raises CatalogError on the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(f"exercises.toml is not valid TOML: {e}") from None
    _fields("exercises.toml", data, {}, {"exercise": list, "ladder": list})
    exercises = _unique("exercise", [_exercise(i, t) for i, t in
                                     enumerate(data.get("exercise", []), 1)])
    ladders = _unique("ladder", [_ladder(i, t, exercises) for i, t in
                                 enumerate(data.get("ladder", []), 1)])
    _one_ladder_per_slot(ladders)
    return Catalog(exercises=MappingProxyType(exercises), ladders=MappingProxyType(ladders))


def _fail(where: str, problem: str) -> NoReturn:
    raise CatalogError(f"{where}: {problem}")


def _check(ok: bool, where: str, problem: str) -> None:
    if not ok:
        _fail(where, problem)


def _fields(where: str, table: object, required: dict[str, type],
            optional: dict[str, type] | None = None) -> dict[str, Any]:
    """A table with exactly the known keys, each of its type (a bool is not an int)."""
    if not isinstance(table, dict):
        _fail(where, "must be a table")
    known = required | (optional or {})
    for key, value in table.items():
        _check(key in known, where, f"unknown field {key!r} (known: {', '.join(known)})")
        kind = known[key]
        _check(isinstance(value, kind) and not (kind is int and isinstance(value, bool)),
               where, f"field {key!r} must be {TYPE_NAMES[kind]}, not {value!r}")
    for key in required:
        _check(key in table, where, f"missing field {key!r}")
    return table


def _one_of(where: str, what: str, value: str, choices: tuple[str, ...]) -> None:
    _check(value in choices, where, f"unknown {what} {value!r} (use {', '.join(choices)})")


def _strings(where: str, field: str, values: list[Any], most: int) -> tuple[str, ...]:
    _check(1 <= len(values) <= most, where, f"{field} needs 1 to {most} entries")
    for value in values:
        _check(isinstance(value, str) and value.strip() != "", where,
               f"{field} entries must be non-empty strings, not {value!r}")
    _check(len(set(values)) == len(values), where, f"{field} has a duplicate entry")
    return tuple(values)


def _where(kind: str, index: int, table: object) -> str:
    """Entries are named by id when they have a usable one, else by position."""
    name = table.get("id") if isinstance(table, dict) else None
    return f"{kind} {name!r}" if isinstance(name, str) else f"{kind} #{index}"


def _id(where: str, value: str) -> str:
    _check(bool(ID_RE.match(value)), where, f"id {value!r} must be snake_case")
    return value


def _unique(kind: str, items: list[_Entry]) -> dict[str, _Entry]:
    by_id: dict[str, _Entry] = {}
    for item in items:
        _check(item.id not in by_id, f"{kind} {item.id!r}", f"duplicate {kind} id")
        by_id[item.id] = item
    return by_id


def _exercise(index: int, table: object) -> Exercise:
    where = _where("exercise", index, table)
    t = _fields(where, table, EXERCISE_FIELDS)
    areas = _strings(where, "areas", t["areas"], len(AREAS))
    for area in areas:
        _one_of(where, "area", area, AREAS)
    _one_of(where, "quality", t["quality"], QUALITIES)
    _one_of(where, "pattern", t["pattern"], PATTERNS)
    _one_of(where, "equipment", t["equipment"], EQUIPMENT)
    _check(t["name"].strip() != "", where, "name must not be empty")
    for field in ("garmin_category", "garmin_name"):
        _check(bool(GARMIN_RE.match(t[field])), where,
               f"{field} {t[field]!r} must be a FIT enum name in upper snake case")
    for field in ("connect_category", "connect_name"):
        _check(bool(CONNECT_RE.match(t[field])), where,
               f"{field} {t[field]!r} must be a Connect enum name in upper snake case")
    _check((t["pattern"] == "power") == (t["quality"] == "power"), where,
           "power exercises and only they have the pattern 'power'")
    # Flags the planner's rules rely on: power work is the plyometric kind (S1 "0-1 per
    # session"), the S4 cap counts heavy strength work, and kg only progress on real weights.
    _check(not t["plyometric"] or t["quality"] == "power", where,
           "plyometric exercises must have quality 'power'")
    _check(not t["high_resistance_lower_body"] or t["quality"] == "strength", where,
           "high_resistance_lower_body exercises must have quality 'strength'")
    _check(not t["loaded"] or t["equipment"] != "bodyweight", where,
           "a loaded exercise needs dumbbells or gym equipment, not bodyweight")
    return Exercise(
        id=_id(where, t["id"]), name=t["name"], areas=areas, quality=t["quality"],
        pattern=t["pattern"],
        equipment=t["equipment"], high_resistance_lower_body=t["high_resistance_lower_body"],
        plyometric=t["plyometric"], loaded=t["loaded"],
        scheme=_scheme(where, t["quality"], t["scheme"]),
        cues=_strings(where, "cues", t["cues"], 3),
        garmin_category=t["garmin_category"], garmin_name=t["garmin_name"],
        connect_category=t["connect_category"], connect_name=t["connect_name"])


def _scheme(where: str, quality: str, table: object) -> Scheme:
    where = f"{where} scheme"
    s = Scheme(**_fields(where, table, SCHEME_FIELDS, SCHEME_OPTIONAL))
    bounds = S1[quality]
    has_reps = s.reps_min is not None or s.reps_max is not None
    _check(has_reps != (s.seconds is not None), where,
           "give either reps_min and reps_max or seconds")
    _within(where, "sets", s.sets, bounds.sets, quality)
    _within(where, "rest_s", s.rest_s, bounds.rest_s, quality)
    if s.seconds is not None:
        if bounds.seconds is None:
            _fail(where, f"timed holds are not a {quality} scheme")
        _within(where, "seconds", s.seconds, bounds.seconds, quality)
        return s
    if s.reps_min is None or s.reps_max is None:
        _fail(where, "give both reps_min and reps_max")
    _within(where, "reps_min", s.reps_min, bounds.reps, quality)
    _within(where, "reps_max", s.reps_max, bounds.reps, quality)
    _check(s.reps_min <= s.reps_max, where,
           f"reps_min {s.reps_min} is above reps_max {s.reps_max}")
    return s


def _within(where: str, name: str, value: int, bounds: tuple[int, int], quality: str) -> None:
    low, high = bounds
    allowed_range = str(low) if low == high else f"{low}-{high}"
    _check(low <= value <= high, where,
           f"{name} must be {allowed_range} for {quality} (RULES.md S1), not {value}")


def _ladder(index: int, table: object, exercises: dict[str, Exercise]) -> Ladder:
    where = _where("ladder", index, table)
    t = _fields(where, table, LADDER_FIELDS, LADDER_OPTIONAL)
    _one_of(where, "area", t["area"], AREAS)
    _one_of(where, "quality", t["quality"], QUALITIES)
    patterns = _strings(where, "patterns", t["patterns"], len(PATTERNS))
    for pattern in patterns:
        _one_of(where, "pattern", pattern, PATTERNS)
    _check(len(t["steps"]) >= MIN_STEPS, where,
           f"has {len(t['steps'])} steps; a ladder needs at least {MIN_STEPS} (RULES.md S5)")
    rules = {**t, "patterns": patterns}
    ladder = Ladder(id=_id(where, t["id"]), area=t["area"], quality=t["quality"],
                    patterns=patterns,
                    steps=tuple(_step(f"{where} step {n}", s, rules, exercises)
                                for n, s in enumerate(t["steps"], 1)))
    if "top" in t:
        ladder = replace(ladder, top=_step(f"{where} top", t["top"], rules, exercises))
        _rotates(where, ladder, exercises)
    _progresses(where, ladder)
    return ladder


def _one_ladder_per_slot(ladders: dict[str, Ladder]) -> None:
    """A slot's ladder is the one with its patterns (ladders.ladder_for): no two share them."""
    owner: dict[frozenset[str], str] = {}
    for ladder in ladders.values():
        key = frozenset(ladder.patterns)
        _check(key not in owner, f"ladder {ladder.id!r}", f"has the patterns of ladder "
               f"{owner.get(key)!r} ({', '.join(ladder.patterns)}); a session slot could "
               "not tell them apart")
        owner[key] = ladder.id


def _rotates(where: str, ladder: Ladder, exercises: dict[str, Exercise]) -> None:
    """The top variation is another exercise of the last step's pattern at every level."""
    assert ladder.top is not None
    for level in EQUIPMENT:
        last, other = ladder.steps[-1].resolve(level), ladder.top.resolve(level)
        _check(last != other, where, f"top gives a {level} athlete {last!r} again; "
               "it must be a variation of the last step")
        _check(exercises[last].pattern == exercises[other].pattern, where,
               f"top variant {other!r} is {exercises[other].pattern}, the last step "
               f"{last!r} is {exercises[last].pattern}")


def _step(where: str, table: object, ladder: dict[str, Any],
          exercises: dict[str, Exercise]) -> Step:
    variants = _fields(where, table, {}, dict.fromkeys(EQUIPMENT, str))
    _check("bodyweight" in variants, where,
           "no bodyweight variant, so a bodyweight-only athlete would lose the ladder")
    for level, exercise_id in variants.items():
        _check(exercise_id in exercises, where, f"{level} variant names no exercise "
               f"{exercise_id!r}")
        exercise = exercises[exercise_id]
        _check(allowed(exercise, level), where,
               f"{level} variant {exercise_id!r} needs {exercise.equipment}")
        _check(ladder["area"] in exercise.areas, where,
               f"{level} variant {exercise_id!r} does not train {ladder['area']}")
        _check(exercise.quality == ladder["quality"], where,
               f"{level} variant {exercise_id!r} is {exercise.quality}, not {ladder['quality']}")
        _check(exercise.pattern in ladder["patterns"], where,
               f"{level} variant {exercise_id!r} is a {exercise.pattern} exercise, not "
               f"{' or '.join(ladder['patterns'])}")
    return Step(**variants)


def _progresses(where: str, ladder: Ladder) -> None:
    """Each step must change the exercise for every athlete, or it is no progression (S5)."""
    for level in EQUIPMENT:
        seen: dict[str, int] = {}
        for n, step in enumerate(ladder.steps, 1):
            chosen = step.resolve(level)
            _check(chosen not in seen, where, f"step {n} gives a {level} athlete "
                   f"{chosen!r} again (as step {seen.get(chosen)}); each step must be harder")
            seen[chosen] = n
