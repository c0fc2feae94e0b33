"""A 24-week season replayed night by night through the pure planner, with perturbations.

A new account (no history: the cold start). Every night: the day's actual run (the template,
with surprises: easy runs turned threshold, long runs moved a day, missed runs, none while
ill), the day's recovery status from simulated mornings with HRV dips and an illness
(bench/season_recovery.py, judged by analysis/recovery.py), the nightly adaptation, the
weeks coming into view planned, prescriptions refreshed; the next morning's pass judges that
day's session again (restoring one the night lightened for recovery when the morning is
green); sessions are done (or missed) on their day. It counts S4/S6, cold start and
morning-pass violations (must be 0), the share of planned strength sessions kept,
the ladder steps climbed, the planner's time per night, and the red and amber mornings met.
Then a year of a real-shaped history through `stridelift replay`'s code path: the demo
season's runs and gym sessions for 52 weeks as FIT files (the watch's smart recording), put
through the real import, replayed night by night on a scratch copy of the database.
Last line: one JSON object with nights, violations, sessions_kept, ladder_steps,
ms_per_night, red_mornings, amber_mornings, form_dips_waited, and replay_nights, replay_s,
replay_ms_per_night, replay_changes.
Races of every priority are entered (a Sunday B half, a Wednesday A 10 km, a Saturday C 5 km)
and one race is run without being entered (found in the activities); race-rule breaks
count as violations too.

    python bench/season.py [--weeks 24] [--seed 3] [--replay-weeks 52 (0: skip)]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.season_recovery import Mornings  # noqa: E402
from demo.athlete import demo_profile, fit_file  # noqa: E402
from demo.season import make_timeline, sessions_on  # noqa: E402
from domain.profile import Profile, Race  # noqa: E402
from jobs.config import Paths, load, save_profile  # noqa: E402
from jobs.home import Home  # noqa: E402
from jobs.importing import import_files  # noqa: E402
from jobs.replay import replay, scratch_home  # noqa: E402
from planner.adapt import Recovery, Tonight, adapt, recover  # noqa: E402
from planner.catalog_file import default_catalog  # noqa: E402
from planner.lifter import Lifter  # noqa: E402
from planner.model import Adjustment, Prescription, RunDay, Session, week_start  # noqa: E402
from planner.morning import Judged, recovery_level, rejudge_today  # noqa: E402
from planner.plan import extend  # noqa: E402
from planner.plan_changes import as_planned  # noqa: E402
from planner.prescriptions import refresh  # noqa: E402
from planner.program import mobility_session  # noqa: E402
from planner.progression import LoggedLift  # noqa: E402
from planner.races import Leg, RaceDay, entered, final_days, found_races  # noqa: E402
from planner.readback import LiftRecord, progression_history  # noqa: E402
from planner.runs import RunPlan, planned_run  # noqa: E402
from planner.schedule import conflicts  # noqa: E402
from planner.slots import MAX_HEAVY_LOWER_A_WEEK  # noqa: E402

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


def for_recovery(ctx: Lifter, sessions: list[Session], tonight: list[Adjustment],
                 night: date) -> dict[str, Judged]:
    """Tomorrow's sessions whose last change tonight was a recovery decision, with the
    session as planned (what the morning job reads back from the recorded changes)."""
    last = {a.session_id: a.rule for a in tonight}  # in order: the last change wins
    levels = {k: level for k, rule in last.items() if (level := recovery_level(rule))}
    planned = as_planned(ctx, FIRST, night, sessions, levels)
    return {k: Judged(level, planned[k]) for k, level in levels.items() if k in planned}


def season(weeks: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    profile = Profile(name="bench", tz="UTC", sex="f", max_hr=188, rest_hr=50, runs=TEMPLATE,
                      races=RACES)
    catalog = default_catalog()
    days = 7 * weeks
    plan = planned_runs(FIRST, days + 21)
    actual: dict[date, RunDay] = {}
    sessions: list[Session] = []
    lifted: list[LiftRecord] = []
    moved_long: date | None = None
    mornings = Mornings(FIRST, days, rng)
    bad, spent = 0, 0.0
    for i in range(days):
        night = FIRST + timedelta(days=i)
        kinds = ("long",) if moved_long == night else surprise(rng, night, plan)
        kinds = ("race",) if night == UNENTERED_RACE else kinds
        moved_long = night + timedelta(days=1) if plan.get(night, RunDay(night, ())).kinds == (
            "long",) and not kinds else None
        kinds = () if night in mornings.ill else kinds
        actual[night] = RunDay(night, kinds, "actual", ("replayed",))
        runs = {**{d: r for d, r in plan.items() if d > night}, **actual}
        today = mornings.status(night)
        mornings.ran(night, kinds)
        tomorrow = night + timedelta(days=1)
        morning = mornings.status(tomorrow)
        began = time.perf_counter()
        # as planner.catch_up: a deload's lifts never raise load nor set it back
        ctx = Lifter(profile, catalog, progression_history(lifted, sessions),
                     found_races=found(night))

        def mobility(s: Session, ctx: Lifter = ctx) -> tuple[Prescription, ...]:
            return mobility_session(ctx, s.step, s.day)

        # as planner.catch_up: the night's recovery on the weeks ahead as planned tonight
        sessions, adapted = adapt(sessions, Tonight(night, runs), mobility)
        sessions, planned = extend(ctx, FIRST, night, night + timedelta(days=14), runs,
                                   sessions)
        sessions, recovered = recover(sessions, Tonight(night, runs, Recovery(
            today.level, today.reasons)), mobility)
        sessions = [refresh(ctx, s) for s in sessions]
        bad += violations(sessions, runs, night)
        judged = for_recovery(ctx, sessions, [*adapted, *planned, *recovered], night)
        sessions, _ = rejudge_today(sessions, tomorrow, Recovery(morning.level,
                                                                 morning.reasons), mobility,
                                    judged)
        spent += time.perf_counter() - began
        mornings.check_morning(sessions, tomorrow, morning, judged)
        sessions = [_do(s, rng, lifted) if s.day == tomorrow else s for s in sessions]
    strength = [s for s in sessions if s.day < FIRST + timedelta(days=days)]
    kept = sum(s.status == "done" for s in strength) / max(1, len(strength))
    counts = mornings.counts
    return {"nights": days, "violations": bad + counts["violations"],
            "sessions_kept": round(kept, 3),
            "ladder_steps": max(s.step for s in strength if s.status == "done"),
            "ms_per_night": round(1000 * spent / days, 2),
            "red_mornings": counts["red_mornings"], "amber_mornings": counts["amber_mornings"],
            "form_dips_waited": counts["form_dips_waited"]}


def _do(s: Session, rng: random.Random, lifted: list[LiftRecord]) -> Session:
    """The athlete does most sessions, nearly all reps, a bit more each time."""
    if s.settled or rng.random() < 0.1:
        return s
    for p in s.exercises:
        if p.reps is not None:
            reps = tuple(min(p.reps + rng.choice((0, 0, 1)), 6) for _ in range(p.sets))
            lifted.append(LiftRecord(LoggedLift(s.day, p.exercise_id, reps,
                                                p.load_kg or 40.0, s.status == "lightened"),
                                     s.id))
    return replace(s, status="done")


def replay_year(weeks: int, seed: int) -> dict[str, float]:
    """A real-shaped history of `weeks` weeks imported, then replayed night by night."""
    today = date(2026, 6, 28)
    tl = make_timeline(None, today, weeks, 2)
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as folder:
        root = Path(folder)
        (root / "export").mkdir()
        for day in tl.days:
            for i, s in enumerate(sessions_on(tl, day, seed)):
                (root / "export" / f"{day}-{i}.fit").write_bytes(fit_file(s, seed + i))
        config = load(Paths(config_dir=root / "home", data_dir=root / "home"))
        profile = demo_profile(today)
        save_profile(config, profile)
        home = Home.open(config)
        imported = import_files(home, profile, [root / "export"], workers=None)
        with scratch_home(home, profile) as scratch:
            began = time.perf_counter()
            summary = replay(scratch, profile, tl.first_day, tl.today)
            spent = time.perf_counter() - began
    return {"replay_activities": imported.imported, "replay_nights": summary.nights,
            "replay_s": round(spent, 2),
            "replay_ms_per_night": round(1000 * spent / summary.nights, 1),
            "replay_changes": sum(summary.actions.values()),
            "replay_template_broken_weeks": len(summary.broken_weeks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=24)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--replay-weeks", type=int, default=52)
    args = parser.parse_args()
    result = season(args.weeks, args.seed)
    print(f"{result['nights']} nights, {result['violations']} violations, "
          f"{result['sessions_kept']:.0%} of sessions kept, {result['ladder_steps']} ladder "
          f"steps, {result['ms_per_night']} ms a night; {result['red_mornings']} red and "
          f"{result['amber_mornings']} amber mornings, {result['form_dips_waited']} early form "
          "dips left to the cold start")
    if args.replay_weeks > 0:
        year = replay_year(args.replay_weeks, args.seed)
        print(f"replay: {year['replay_activities']} activities imported, "
              f"{year['replay_nights']} nights in {year['replay_s']} s "
              f"({year['replay_ms_per_night']} ms a night), {year['replay_changes']} changes, "
              f"{year['replay_template_broken_weeks']} weeks the template alone broke")
        result = {**result, **year}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
