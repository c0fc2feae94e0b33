"""A 24-week season replayed night by night through the pure planner, with perturbations.

Every night: the day's actual run (the template, with surprises: easy runs turned threshold,
long runs moved a day, missed runs), a random recovery status, the nightly adaptation, the
weeks coming into view planned, prescriptions refreshed; sessions are done (or missed) on
their day. Races of every priority are entered (a Sunday B half, a Wednesday A 10 km, a
Saturday C 5 km) and one race is run without being entered (found in the activities).
It counts S4/S6 and race-rule violations among the open sessions (must be 0), the share of
planned strength sessions kept, the ladder steps climbed, and the planner's time per night.
Last line: one JSON object with nights, violations, sessions_kept, ladder_steps, ms_per_night.

    python bench/season.py [--weeks 24] [--seed 3]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.profile import Profile, Race  # noqa: E402
from planner.adapt import Recovery, Tonight, adapt  # noqa: E402
from planner.catalog import default_catalog  # noqa: E402
from planner.model import Prescription, RunDay, Session, week_start  # noqa: E402
from planner.plan import extend, refresh  # noqa: E402
from planner.program import MAX_HEAVY_LOWER_A_WEEK, Lifter, mobility_session  # noqa: E402
from planner.progression import LoggedLift  # noqa: E402
from planner.races import Leg, RaceDay, entered, final_days, found_races  # noqa: E402
from planner.runs import RunPlan, planned_run  # noqa: E402
from planner.schedule import conflicts  # noqa: E402

TEMPLATE = {"mon": "easy", "tue": "easy", "wed": "speed", "fri": "easy", "sat": "long"}
FIRST = date(2026, 1, 5)
RACES = (Race(FIRST + timedelta(days=27), "half", "B"), Race(FIRST + timedelta(days=58), "10k"),
         Race(FIRST + timedelta(days=75), "5k", "C"))
UNENTERED_RACE = FIRST + timedelta(days=48)  # a Sunday race run but never entered


def planned_runs(first: date, days: int) -> dict[date, RunDay]:
    plan = RunPlan(TEMPLATE, races={r.day for r in RACES})
    out = {}
    for i in range(days):
        day = first + timedelta(days=i)
        if (run := planned_run(day, plan)) is not None:
            out[day] = run
    return out


def surprise(rng: random.Random, day: date, plan: dict[date, RunDay]) -> tuple[str, ...]:
    kinds = plan[day].kinds if day in plan else ()
    roll = rng.random()
    if kinds == ("easy",) and roll < 0.08:
        return ("threshold",)
    if kinds == ("long",) and roll < 0.15:
        return ()  # moved to tomorrow (see below)
    if kinds and roll > 0.95:
        return ()  # missed
    return kinds


def violations(sessions: list[Session], runs: dict[date, RunDay], night: date) -> int:
    bad = 0
    strength = [s for s in sessions if s.kind == "strength" and s.status != "skipped"]
    for s in strength:
        if s.day > night and not s.settled:
            others = [o.day for o in strength if o.id != s.id]
            bad += bool(conflicts(s.day, runs, others))
    for monday in {week_start(s.day) for s in sessions}:
        bad += sum(s.heavy_lower for s in sessions if week_start(s.day) == monday) \
            > MAX_HEAVY_LOWER_A_WEEK
    known = [*entered(RACES), *found(night)]
    for s in sessions:  # the races' last days and post-race windows (RULES.md "Races")
        if s.day > night and not s.settled and final_days(known, s.day) is not None:
            bad += s.heavy_lower > 0 or any(p.power for p in s.exercises)
    return bad


def found(night: date) -> list[RaceDay]:
    """The race run but never entered, once it has been run."""
    legs = [Leg(UNENTERED_RACE, "running", 10000, 2700, True)]
    return found_races(legs, set()) if night >= UNENTERED_RACE else []


def season(weeks: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    profile = Profile(name="bench", tz="UTC", sex="f", max_hr=188, rest_hr=50, runs=TEMPLATE,
                      races=RACES)
    catalog = default_catalog()
    days = 7 * weeks
    plan = planned_runs(FIRST, days + 21)
    actual: dict[date, RunDay] = {}
    sessions: list[Session] = []
    history: list[LoggedLift] = []
    moved_long: date | None = None
    bad, spent = 0, 0.0
    for i in range(days):
        night = FIRST + timedelta(days=i)
        kinds = ("long",) if moved_long == night else surprise(rng, night, plan)
        kinds = ("race",) if night == UNENTERED_RACE else kinds
        moved_long = night + timedelta(days=1) if plan.get(night, RunDay(night, ())).kinds == (
            "long",) and not kinds else None
        actual[night] = RunDay(night, kinds, "actual", ("replayed",))
        runs = {**{d: r for d, r in plan.items() if d > night}, **actual}
        level = rng.choices(["green", "amber", "red"], [0.75, 0.18, 0.07])[0]
        began = time.perf_counter()
        ctx = Lifter(profile, catalog, tuple(history), found_races=found(night))

        def mobility(s: Session, ctx: Lifter = ctx) -> tuple[Prescription, ...]:
            return mobility_session(ctx, s.step, s.day)

        sessions, _ = adapt(sessions, Tonight(night, runs, Recovery(level)), mobility)
        sessions, _ = extend(ctx, FIRST, night, night + timedelta(days=14), runs, sessions)
        sessions = [refresh(ctx, s) for s in sessions]
        spent += time.perf_counter() - began
        bad += violations(sessions, runs, night)
        sessions = [_do(s, rng, history) if s.day == night + timedelta(days=1) else s
                    for s in sessions]
    strength = [s for s in sessions if s.day < FIRST + timedelta(days=days)]
    kept = sum(s.status == "done" for s in strength) / max(1, len(strength))
    return {"nights": days, "violations": bad, "sessions_kept": round(kept, 3),
            "ladder_steps": max(s.step for s in strength if s.status == "done"),
            "ms_per_night": round(1000 * spent / days, 2)}


def _do(s: Session, rng: random.Random, history: list[LoggedLift]) -> Session:
    """The athlete does most sessions, nearly all reps, a bit more each time."""
    if s.settled or rng.random() < 0.1:
        return s
    for p in s.exercises:
        if p.reps is not None:
            reps = tuple(min(p.reps + rng.choice((0, 0, 1)), 6) for _ in range(p.sets))
            history.append(LoggedLift(s.day, p.exercise_id, reps, p.load_kg or 40.0,
                                s.status == "lightened"))
    return replace(s, status="done")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=24)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    result = season(args.weeks, args.seed)
    print(f"{result['nights']} nights, {result['violations']} violations, "
          f"{result['sessions_kept']:.0%} of sessions kept, {result['ladder_steps']} ladder "
          f"steps, {result['ms_per_night']} ms a night")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
