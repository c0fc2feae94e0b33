"""The demo: a home of its own with the simulated athlete, replayed night by night.

It never touches a runner's real data: the folder must be empty, missing, or an earlier demo
home (which it replaces); the marker file says which.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from db import repo
from db.session import transaction
from demo.athlete import DEMO_PROFILE, demo_profile
from domain.profile import Profile
from jobs.clock import today_for
from jobs.config import Paths, load, save_demo, save_profile
from jobs.home import Home
from jobs.nightly_run import NightResult, run_nightly
from jobs.replay import follow_plan
from jobs.sources import source_for
from planner.catch_up import nights_between

MARKER = ".stridelift-demo"
# The simulated runner knows a few of their loads; the rest are found by feel.
WEIGHTS = {"barbell_back_squat": 50.0, "barbell_hip_thrust": 60.0, "barbell_calf_raise": 40.0,
           "machine_leg_curl": 30.0, "barbell_deadlift": 60.0, "barbell_split_squat": 35.0}
DOES_SESSIONS = 0.85  # the share of planned sessions the simulated runner does


class DemoError(Exception):
    """The demo cannot use the folder it was given; the message says how to fix it."""


def fresh_home(folder: Path) -> Paths:
    """An empty folder for the demo (an earlier demo home is replaced, nothing else is)."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise DemoError(f"{folder} holds data that is not a demo home; point "
                            "STRIDELIFT_HOME at an empty folder for the demo")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("made by `stridelift demo`; safe to delete\n")
    return Paths(config_dir=folder, data_dir=folder)


def demo_today() -> date:
    """Today for the demo athlete, in their time zone."""
    return today_for(Profile(**DEMO_PROFILE))


def build(folder: Path, today: date, weeks: int = 16, seed: int = 1,
          progress: Callable[[int, int], None] | None = None) -> tuple[Home, list[NightResult]]:
    """Replay `weeks` weeks of nights up to `today` for the demo athlete in `folder`."""
    config = load(fresh_home(folder))
    profile = demo_profile(today, known_kg=WEIGHTS)
    save_profile(config, profile)
    save_demo(config, {"seed": seed, "today": today.isoformat(), "weeks_history": weeks})
    home = Home.open(config)
    first = today - timedelta(weeks=weeks) + timedelta(days=1)
    nights = nights_between(first, today)
    results: list[NightResult] = []
    source = source_for(home)
    for done, night in enumerate(nights, start=1):
        with transaction(home.db) as db:  # the runner does most sessions, now and then a rep more
            follow_plan(db, repo.athlete(db, profile), night, random.Random(f"{seed}:{night}"),
                        DOES_SESSIONS)
        results += run_nightly(home, profile, night, source)
        if progress:
            progress(done, len(nights))
    return home, results
