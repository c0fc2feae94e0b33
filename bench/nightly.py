"""The nightly run's own work per athlete-night: one demo athlete, then 100 in one database.

Setup (not timed): each athlete is a demo runner (its own seed) whose history is synced and
planned up to yesterday. Timed: one nightly run (sync of the new day, classify, load and
recovery, adapt, plan, record) for one athlete, then for every athlete in the database. The
demo source stands in for Garmin Connect; the time spent inside it (making its bodies and FIT
files, the part that would be network) is measured and subtracted. Last line: one JSON
object with athletes and seconds_per_athlete_night. Goal: under 0.2 s.

    python bench/nightly.py [--athletes 100] [--weeks 4]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo.athlete import DemoGarmin, demo_profile  # noqa: E402
from domain.profile import Profile  # noqa: E402
from ingest.garmin import Connect, Policy  # noqa: E402
from jobs.config import Paths, load, save_profile  # noqa: E402
from jobs.home import Home  # noqa: E402
from jobs.nightly_run import run_nightly  # noqa: E402

TODAY = date(2026, 11, 26)


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


def setup(folder: Path, athletes: int, weeks: int) -> tuple[Home, dict[str, Timed]]:
    """`demo`: the demo athlete with its 16 weeks; runner000..: `weeks` of history each."""
    config = load(Paths(config_dir=folder, data_dir=folder))
    apis: dict[str, Timed] = {}
    for i, history in enumerate([16] + [weeks] * athletes):
        profile: Profile = demo_profile(TODAY, name="demo" if i == 0 else f"runner{i:03d}")
        save_profile(config, profile)
        apis[profile.name] = Timed(DemoGarmin(seed=i + 1, today=TODAY, weeks_history=history))
    home = Home.open(config)
    for name in apis:  # history up to yesterday, planned
        run_nightly(home, home.athlete(name), TODAY - timedelta(days=1), _source(apis))
        print(f"set up {name}", file=sys.stderr, end="\r")
    return home, apis


def _source(apis: dict[str, Timed]) -> Any:
    return lambda profile: Connect(apis[profile.name], Policy(pace_s=0.0))


def night(home: Home, apis: dict[str, Timed], names: list[str]) -> float:
    """Our own seconds for tonight's run of these athletes (the source's time subtracted)."""
    before = sum(apis[n].seconds for n in names)
    began = time.perf_counter()
    for name in names:
        [result] = run_nightly(home, home.athlete(name), TODAY, _source(apis))
        if result.status != "ok":
            raise SystemExit(f"{name}: {result.error}")
    wall = time.perf_counter() - began
    return wall - (sum(apis[n].seconds for n in names) - before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=4, help="history per athlete")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home, apis = setup(Path(tmp), args.athletes, args.weeks)
        one = night(home, apis, ["demo"])
        runners = sorted(n for n in apis if n != "demo")
        per = night(home, apis, runners) / len(runners)
    print(f"the demo athlete (16 weeks of history): {one:.3f} s of our own work for one night")
    print(f"{len(runners)} athletes in one SQLite database ({args.weeks} weeks each): "
          f"{per:.3f} s per athlete-night")
    print(json.dumps({"athletes": len(runners), "seconds_per_athlete_night": round(per, 4),
                      "demo_athlete_seconds": round(one, 4), "weeks_history": args.weeks}))


if __name__ == "__main__":
    main()
