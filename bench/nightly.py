"""The nightly run's own work per athlete-night, with one and with five years of history: the
cost must not grow with the history (only what changed is decided again, from the inputs of
its year: jobs/analyse.py; the planner reads the runs from its first night: jobs/replan.py).

Setup (not timed): per history length, one SQLite database of `--athletes` runners (each its
own seed). Their history, up to two days ago, is written straight into the database
(summary-only runs and one wellness record a morning, as a long-synced account holds them:
making years of FIT files through the demo API would take minutes), with the plan of those
years, done, and its lifts (the planner's first block repeated); one nightly run then
syncs the last day from the demo source, classifies every run, decides every day and plans.
Timed: tonight's run (sync of the new day, classify, load and recovery, adapt, plan, record)
for every athlete. The demo source stands in for Garmin Connect; the time spent inside it
(making its bodies and FIT files, the part that would be network) is measured and
subtracted, athlete-night by athlete-night. The two lengths are timed in interleaved rounds
(bench/stable.py), each round on a new night of the same databases, athlete by athlete (each
one's night on one year and on five, which goes first in turns), so a load burst slows both
alike, after an untimed round (a usual night: the one after set-up decides a whole
history); the ratio of five years to one year is the median of the per-round ratios with
its min-max spread (1.0: no growth).
Last line: one JSON object. Goals: under 0.2 s an athlete-night, ratio under 1.2.

    python bench/nightly.py [--athletes 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stable import WARMUP, Make, Ratio, Run, interleaved  # noqa: E402
from db import models as m  # noqa: E402
from db import plans, repo  # noqa: E402
from db.session import transaction  # noqa: E402
from demo.athlete import DemoGarmin, demo_profile  # noqa: E402
from domain.profile import Profile  # noqa: E402
from ingest.garmin import Connect, Policy  # noqa: E402
from ingest.sync import ORIGIN  # noqa: E402
from jobs import replan  # noqa: E402
from jobs.config import Paths, load, save_profile  # noqa: E402
from jobs.home import Home  # noqa: E402
from jobs.nightly_run import run_nightly  # noqa: E402
from planner.progression import round_kg  # noqa: E402

TODAY = date(2026, 11, 26)  # the first timed night; round k times the night k days later
YEARS = (1, 5)
WEEK = (45, 0, 60, 40, 0, 100, 30)  # minutes of running by weekday, 0: rest
BLOCK_WEEKS = 4  # a block of the plan (RULES.md S5)
START_KG = {True: 40.0, False: 20.0}  # a loaded exercise first found by feel, heavy lower body


class Timed:
    """The demo API, timing every call made into it (the stand-in for the network)."""

    def __init__(self, api: DemoGarmin) -> None:
        self._api, self.seconds = api, 0.0

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._api, name)
        if not callable(target):
            return target

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return target(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - began
        return timed


class Analysis:
    """The nightly run's analysis step (jobs.analyse.analyse, as replan calls it), timed: the
    part that decides only what changed, shown apart from the rest of the night."""

    def __init__(self) -> None:
        self.seconds, self._analyse = 0.0, replan.analyse
        replan.analyse = self  # type: ignore[assignment]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return self._analyse(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - began


ANALYSIS = Analysis()


class Club:
    """One database of athletes with `years` of history each, and their demo sources."""

    def __init__(self, folder: Path, athletes: int, years: int, rounds: int) -> None:
        config = load(Paths(config_dir=folder, data_dir=folder))
        self.apis: dict[str, Timed] = {}
        # per night (round): our own seconds for every athlete, and of them the analysis'
        self.own: list[float] = [0.0]
        self.analysis: list[float] = [0.0]
        self.names = [f"runner{i:03d}" for i in range(athletes)]
        for i, name in enumerate(self.names):
            save_profile(config, demo_profile(TODAY, name=name))
            self.apis[name] = Timed(DemoGarmin(seed=i + 1, today=TODAY + timedelta(days=rounds),
                                               weeks_history=2))
        self.home = Home.open(config)
        self.night = TODAY - timedelta(days=1)
        for i, name in enumerate(self.names):
            with transaction(self.home.db) as db:
                profile = self.home.athlete(name)
                who = repo.athlete(db, profile)
                first = _history(db, who, years, seed=i + 1)
                _plan_history(db, profile, who, first)
        print(f"set up {athletes} athletes, {years} year(s) each", file=sys.stderr)
        self.run()  # the first night: every run classified, every day decided, planned

    def run(self) -> None:
        """Tonight's run of every athlete, untimed (the set-up's first night)."""
        for name in self.names:
            self.run_one(name)

    def run_one(self, name: str) -> None:
        """One athlete's night: our own seconds (the source's subtracted) and those of its
        analysis added to this round's."""
        before, analysed = self.apis[name].seconds, ANALYSIS.seconds
        began = time.perf_counter()
        [result] = run_nightly(self.home, self.home.athlete(name), self.night,
                               lambda p: Connect(self.apis[p.name], Policy(pace_s=0.0)))
        wall = time.perf_counter() - began
        if result.status != "ok":
            raise SystemExit(f"{name}: {result.error}")
        self.own[-1] += wall - (self.apis[name].seconds - before)
        self.analysis[-1] += ANALYSIS.seconds - analysed

    def next_night(self) -> Club:
        """The next night, a new round's seconds."""
        self.night += timedelta(days=1)
        self.own.append(0.0)
        self.analysis.append(0.0)
        return self


def _history(db: Any, who: m.Athlete, years: int, seed: int) -> date:
    """`years` of runs and mornings up to two days ago, written as rows; the sync cursors set
    as a sync through that day leaves them, so the first night fetches only what follows.
    The history's first day."""
    rng = np.random.default_rng(seed)
    last = TODAY - timedelta(days=2)
    days = [last - timedelta(days=i) for i in range(round(years * 365.25) - 1, -1, -1)]
    hrv = 4.0 + 0.1 * np.sin(np.arange(len(days)) / 90) + rng.normal(0, 0.12, len(days))
    for i, day in enumerate(days):
        minutes = WEEK[day.weekday()] * rng.uniform(0.8, 1.2)
        if minutes:
            start = datetime(day.year, day.month, day.day, 6, 30, tzinfo=UTC)
            db.add(m.Activity(athlete_id=who.id, name=f"Run {day}", sport="running",
                              start_utc=start, local_date=day, duration_s=minutes * 60,
                              elapsed_s=minutes * 60, distance_m=minutes * 180,
                              avg_hr=float(rng.integers(130, 165)), session_index=0))
        db.add(m.Wellness(athlete_id=who.id, day=day, hrv_last_night=round(math.exp(hrv[i])),
                          resting_hr=int(rng.integers(45, 55)),
                          sleep_score=int(rng.integers(45, 95)),
                          readiness_level=str(rng.choice(["HIGH", "MODERATE", "LOW"])),
                          hrv_status="BALANCED"))
    for stream in ("activities", "wellness"):
        repo.set_cursor(db, who, stream, last.isoformat())
    repo.set_cursor(db, who, ORIGIN, days[0].isoformat())
    return days[0]


def _plan_history(db: Any, profile: Profile, who: m.Athlete, first: date) -> None:
    """The plan of the years of history, done, and its lifts, as a long-used account holds
    them: the planner's own first block (planned on the history's first night, on the runs
    written), repeated block after block up to two days ago, every session done as
    prescribed, in kg where the first block said by feel (START_KG; the loads 2.5 % up a
    block, ten blocks at most); the plan's cursor on the last night, so the first night
    adapts from there."""
    last = TODAY - timedelta(days=2)
    replan.replan(db, profile, first, weeks_ahead=BLOCK_WEEKS - 1, analysed=True)
    block = replan.load_sessions(db, who)
    for row in plans.sessions(db, who):
        db.delete(row)
    db.flush()
    for cycle in range((last - first).days // (7 * BLOCK_WEEKS) + 1):
        shift, more = timedelta(weeks=BLOCK_WEEKS * cycle), 1 + 0.025 * min(cycle, 10)
        for s in block:
            if (day := s.day + shift) > last:
                continue
            monday, n = s.id.split("#")
            key = f"{date.fromisoformat(monday) + shift}#{n}"
            done = [replace(p, load_kg=round_kg((p.load_kg or START_KG[
                p.high_resistance_lower_body]) * more), by_feel=False)
                    if p.load_kg or p.by_feel else p for p in s.exercises]
            db.add(m.PlannedSession(athlete_id=who.id, key=key, day=day, kind=s.kind,
                                    status="done", pinned=False, block=s.block + cycle,
                                    week_in_block=s.week_in_block, step=s.step,
                                    exercises=[asdict(p) for p in done]))
            repo.add_lifts(db, who, day, [(p.exercise_id, [p.reps or 0] * p.sets, p.load_kg)
                                          for p in done], session_key=key)
    repo.set_cursor(db, who, replan.LAST_NIGHT, last.isoformat())


def _athlete_by_athlete(clubs: dict[int, Club]) -> dict[str, tuple[Run, Make]]:
    """A round's runs, athlete by athlete, each one's night on every history length in turn:
    a load burst slows the lengths alike, not one length's whole round. Every other athlete
    takes the lengths in the other order, so running first or second weighs on neither. The
    first athlete's starts the round's night."""
    runs: dict[str, tuple[Run, Make]] = {}
    for i, name in enumerate(next(iter(clubs.values())).names):
        for years, club in sorted(clubs.items(), reverse=i % 2 == 1):
            runs[f"{years}y {name}"] = (partial(Club.run_one, name=name),
                                        club.next_night if i == 0 else partial(_same, club))
    return runs


def _same(club: Club) -> Club:
    return club


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # a night more each for the untimed warm-up round (bench/stable.py)
        clubs = {years: Club(Path(tmp) / f"{years}y", args.athletes, years,
                             WARMUP + args.rounds) for years in YEARS}
        interleaved(_athlete_by_athlete(clubs), args.rounds)
    own = {years: clubs[years].own[-args.rounds:] for years in YEARS}
    analysed = {years: clubs[years].analysis[-args.rounds:] for years in YEARS}
    per = {years: statistics.median(own[years]) / args.athletes for years in YEARS}
    analysis = {years: statistics.median(analysed[years]) / args.athletes for years in YEARS}
    growth = Ratio.of([b / a for a, b in zip(own[1], own[5], strict=True)])
    analysis_growth = Ratio.of([b / a for a, b in zip(analysed[1], analysed[5], strict=True)])
    for years in YEARS:
        print(f"{args.athletes} athletes in one SQLite database, {years} year(s) of history "
              f"each: {per[years]:.4f} s of our own work per athlete-night, "
              f"{analysis[years]:.4f} s of it analysis")
    print(f"five years / one year (median of {args.rounds} interleaved nights): the night "
          f"{growth}, its analysis {analysis_growth}")
    print(json.dumps({"athletes": args.athletes, "rounds": args.rounds,
                      "seconds_per_athlete_night": round(per[1], 4),
                      "seconds_per_athlete_night_5y": round(per[5], 4),
                      "analysis_seconds": round(analysis[1], 4),
                      "analysis_seconds_5y": round(analysis[5], 4),
                      **growth.as_json("growth_5y"),
                      **analysis_growth.as_json("analysis_growth_5y")}))

if __name__ == "__main__":
    main()
