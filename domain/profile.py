"""The athlete's profile: who they are and the weekly running template the plan starts from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.pointer import Pointed

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TEMPLATE_KINDS = ("easy", "recovery", "long", "speed", "threshold", "race", "rest")
RACE_DISTANCES = ("5k", "10k", "half", "marathon", "ultra", "other")
DAY_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")  # a day as written, whether it exists or not
RACE_PRIORITIES = ("A", "B", "C")  # goal, important, tune-up (RULES.md "Races")
PRIORITY_WORDS = {"A": "goal", "B": "important", "C": "tune-up"}
# What a race not entered but read from the activities (Garmin's race flag) is called.
FOUND_RACE = "found in the synced activities"
EQUIPMENT = ("gym", "dumbbells", "bodyweight")
# garmin: synced nightly; files: FIT files brought in by `stridelift import`, no account;
# demo: the simulated athlete.
SOURCES = ("garmin", "files", "demo")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ProfileError(Pointed, ValueError):
    """A profile value is invalid; the message says which and how to fix it (a `Pointer`
    where the CLI and the web app fix it differently)."""


class RaceError(ProfileError):
    """A race refused for one of its parts (`part`: day, distance or priority), `problem`
    saying what is wrong with it in no front end's words. str() is the CLI's message, naming
    the race as typed, the part when the problem starts with its value (`named`: "priority
    'D' must be..."), with a race written as the CLI takes it (`example`); the web app names
    the form's field instead."""

    def __init__(self, typed: str, part: str, problem: str, example: str = "",
                 named: bool = False) -> None:
        super().__init__(f"race {typed!r}: {f'{part} ' if named else ''}{problem}"
                         + (f", e.g. {example}" if example else ""))
        self.part, self.problem = part, problem


@dataclass(frozen=True)
class Race:
    day: date
    distance: str
    priority: str = "A"  # A goal race, B important, C tune-up (RULES.md "Races")


@dataclass(frozen=True)
class Profile:
    name: str
    tz: str
    sex: str  # "f" or "m": selects the Banister TRIMP weighting
    max_hr: int
    rest_hr: int
    runs: dict[str, str]  # weekday -> run kind; days not named are rest days
    threshold_hr: int | None = None
    strength_sessions: int = 2  # RULES.md S3: 2 a week by default, 1-3 allowed
    equipment: str = "gym"
    races: tuple[Race, ...] = field(default_factory=tuple)
    known_kg: dict[str, float] = field(default_factory=dict)  # exercise id -> starting load
    source: str = "garmin"  # where the nightly run gets data: garmin, or demo (simulated)
    nightly_at: str = "21:30"  # local time of the nightly run (the daemon's schedule)
    morning_at: str = "07:00"  # local time of the morning pass, after the watch has synced
    # until when the daemon runs it again, every 30 minutes, while last night's data is
    # missing (none when it is not after morning_at)
    morning_until: str = "12:00"
    push_workouts: bool = False  # the nightly run puts the coming sessions on the watch

    def __post_init__(self) -> None:
        _check(bool(NAME_RE.match(self.name)), f"name {self.name!r} must be 1-64 letters, "
               "digits, '.', '_' or '-'")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ProfileError(f"unknown time zone {self.tz!r}: use an IANA name such as "
                               "Europe/Berlin") from None
        _check(self.sex in ("f", "m"), f"sex must be 'f' or 'm', not {self.sex!r}")
        _check(100 <= self.max_hr <= 230, f"max HR {self.max_hr} must be 100-230 bpm")
        _check(25 <= self.rest_hr < self.max_hr - 20,
               f"resting HR {self.rest_hr} must be 25 bpm or more and well below max HR")
        if self.threshold_hr is not None:
            _check(self.rest_hr < self.threshold_hr < self.max_hr,
                   f"threshold HR {self.threshold_hr} must lie between resting and max HR")
        _check(1 <= self.strength_sessions <= 3,
               f"strength sessions {self.strength_sessions} must be 1-3 a week (RULES.md S3)")
        _check(self.equipment in EQUIPMENT, f"equipment must be one of {', '.join(EQUIPMENT)}")
        for day, kind in self.runs.items():
            _check(day in WEEKDAYS, f"unknown weekday {day!r}: use {', '.join(WEEKDAYS)}")
            _check(kind in TEMPLATE_KINDS,
                   f"unknown run kind {kind!r}: use {', '.join(TEMPLATE_KINDS)}")
        _check(self.source in SOURCES, f"source must be one of {', '.join(SOURCES)}")
        _check(bool(TIME_RE.match(self.nightly_at)),
               f"nightly time {self.nightly_at!r} must be HH:MM, e.g. 21:30")
        _check(bool(TIME_RE.match(self.morning_at)),
               f"morning time {self.morning_at!r} must be HH:MM, e.g. 07:00")
        _check(bool(TIME_RE.match(self.morning_until)),
               f"morning_until {self.morning_until!r} must be HH:MM, e.g. 12:00")
        for exercise, kg in self.known_kg.items():
            _check(0 < kg <= 500, f"known weight for {exercise} must be more than 0 and at "
                                  f"most 500 kg, not {kg:g}")
        for race in self.races:
            _check(race.distance in RACE_DISTANCES,
                   f"race distance {race.distance!r} must be one of {', '.join(RACE_DISTANCES)}")
            _check(race.priority in RACE_PRIORITIES,
                   f"race priority {race.priority!r} must be A, B or C")
        _check_one_race_a_day([r.day for r in self.races])

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ProfileError(message)


def parse_runs(text: str) -> dict[str, str]:
    """`mon=easy,wed=speed,sat=long` -> {"mon": "easy", ...}; validation is Profile's."""
    runs: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        day, sep, kind = part.partition("=")
        if not sep:
            raise ProfileError(f"run template item {part!r} must look like mon=easy")
        day = day.strip().lower()[:3]
        if day in runs:
            raise ProfileError(f"weekday {day!r} appears twice in the run template")
        runs[day] = kind.strip().lower()
    return runs


def runs_text(runs: dict[str, str]) -> str:
    """{"mon": "easy", ...} -> `mon=easy,...`: the template as parse_runs reads it, in
    weekday order (one template, one text: the plan's basis compares them)."""
    return ",".join(f"{day}={runs[day]}" for day in WEEKDAYS if day in runs)


# Days from today a race may be entered on: further off is a typo in the year (2062 for 2026);
# a race run a while ago still opens its post-race window. Project defaults.
RACE_REACH = (-366, 2 * 366)


def parse_race(text: str, first: bool = True, today: date | None = None) -> Race:
    """`2027-04-11:half[:A|B|C]` -> Race, its distance given (RACE_DISTANCES); without a
    priority the first race is A, the others B (RULES.md "Races"). With `today`, a race
    being entered: its day within RACE_REACH."""
    when, _, rest = text.partition(":")
    distance, _, priority = (part.strip() for part in rest.partition(":"))
    when = when.strip()
    try:
        day = date.fromisoformat(when)
    except ValueError:
        # 2027-04-31 looks right: saying how a race looks would not show the typo
        real = DAY_SHAPE.fullmatch(when) is not None
        raise RaceError(text, "day", f"{when} is no day of the calendar" if real else
                        f"{when!r} is not a date (YYYY-MM-DD)",
                        "" if real else "2027-04-11:half or 2027-04-11:10k:B") from None
    if distance.lower() not in RACE_DISTANCES:  # none: the window of a race of no distance
        raise RaceError(text, "distance", f"{distance!r} must be one of "
                        f"{', '.join(RACE_DISTANCES)}" if distance else "give its distance, "
                        f"one of {', '.join(RACE_DISTANCES)}", "" if distance else f"{day}:half",
                        named=bool(distance))
    if today is not None and not RACE_REACH[0] <= (day - today).days <= RACE_REACH[1]:
        raise RaceError(text, "day", f"{day} is more than "
                        f"{'two years ahead' if day > today else 'a year ago'}: check the year")
    chosen = priority.upper() or ("A" if first else "B")
    if chosen not in RACE_PRIORITIES:
        raise RaceError(text, "priority", f"{priority!r} must be A, B or C", named=True)
    return Race(day=day, distance=distance.lower(), priority=chosen)


def parse_races(items: list[str], known: tuple[Race, ...] = (),
                today: date | None = None) -> tuple[Race, ...]:
    """`--race` values added to the `known` races, by day: without a priority the first race
    of all is A, the others B. A race on a day already known replaces it."""
    return merge_races(known, [parse_race(t, first=not known and i == 0, today=today)
                               for i, t in enumerate(items)])


def merge_races(known: tuple[Race, ...], added: list[Race]) -> tuple[Race, ...]:
    """`known` with `added`, by day; an added race replaces one on the same day."""
    _check_one_race_a_day([r.day for r in added])
    days = {r.day for r in added}
    return tuple(sorted([*(r for r in known if r.day not in days), *added],
                        key=lambda r: r.day))


def _check_one_race_a_day(days: list[date]) -> None:
    """Two races on one day: `race add` replaces the day's race, so one of them is a typo."""
    twice = sorted({d for d in days if days.count(d) > 1})
    _check(not twice, f"race day {', '.join(map(str, twice))} appears twice: one race a day")


def parse_weights(items: list[str]) -> dict[str, float]:
    """`["barbell_back_squat=60"]` -> {"barbell_back_squat": 60.0}."""
    out: dict[str, float] = {}
    for item in items:
        exercise, sep, kg = item.partition("=")
        try:
            out[exercise.strip()] = float(kg)
        except ValueError:
            raise ProfileError(f"weight {item!r} must look like barbell_back_squat=60") from None
        if not sep or not exercise.strip():
            raise ProfileError(f"weight {item!r} must look like barbell_back_squat=60")
    return out
