"""A season through the real stack, day by day: `stridelift init`, then every day the runs
the athlete ran served by the fake Garmin (in process, on Garmin's real URLs), `stridelift
nightly` at 21:30 and `stridelift morning` at 07:00 in the athlete's time zone (the clock
pinned there, the day taken from it as the daemon does), the sessions lifted as prescribed
(jobs.replay.follow_plan, as `stridelift done` records them), and RULES.md's invariants
checked on the stored plan after every pass (`breaks`).

The invariants are read from what the test knows, not from what the planner thinks: the
runs the athlete actually ran through the night, the template and the races after it.
"""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from db import plans, repo
from db.session import transaction
from demo.fitwrite import LapSpec, run_fit
from domain.profile import WEEKDAYS
from ingest import garmin, garmin_login
from jobs.config import load
from jobs.home import Home
from jobs.replan import load_sessions
from jobs.replay import follow_plan
from planner.catalog_file import default_catalog
from planner.model import HARD_AFTER, HARD_BEFORE, Session, week_start
from stridelift.cli import app
from tests.garmin_fake import FakeGarmin, list_item, mocked, zipped

runner = CliRunner()
CATALOG = default_catalog()
# What makes a fake run the kind it stands for (RULES.md "Run classification"): Garmin's
# label for speed and threshold, the race flag, and the moving time for a long run.
MINUTES = {"easy": 40, "recovery": 30, "speed": 50, "threshold": 50, "long": 110, "race": 45}
SUMMARY: dict[str, dict[str, Any]] = {"speed": {"trainingEffectLabel": "VO2MAX"},
           "threshold": {"trainingEffectLabel": "TEMPO"},
           "race": {"eventType": {"typeId": 1, "typeKey": "race"}, "activityName": "10K race"}}
TRAITS = {"long": {"long"}, "speed": {"speed"}, "threshold": {"threshold"},
          "race": {"race", "long", "speed"}}
FINAL_DAYS = {"A": 6, "B": 4, "C": 2}  # RULES.md "Races"
POST_DAYS = {"5k": 2, "10k": 3, "half": 7, "marathon": 14}
MAX_HEAVY = 8  # S4
LAYOFF_DAYS = 14  # S5
DELOAD = 0.9  # S5: a deload week's loads -10 %
ROUNDING_KG = 0.3  # loads are rounded to 0.25 kg, at most twice (the share, the deload)


@dataclass
class Race:
    day: date
    distance: str
    priority: str


@dataclass
class StackSeason:
    """One athlete's home, their fake Garmin and what they ran, by day."""

    tz: str
    template: dict[str, str]
    races: list[Race] = field(default_factory=list)
    ran: dict[date, list[str]] = field(default_factory=dict)
    fake: FakeGarmin = field(default_factory=FakeGarmin)
    log: list[str] = field(default_factory=list)  # every invariant broken, with its night

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.tz)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """A local time of the athlete's as an aware UTC time."""
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone).astimezone(UTC)

    # -- the shell ---------------------------------------------------------------------------

    def cli(self, *args: str, when: datetime) -> Any:
        with freeze_time(when), mocked(self.fake):
            result = runner.invoke(app, list(args))
        assert "Traceback" not in result.output, result.output
        return result

    def init(self, day: date, *extra: str) -> None:
        runs = ",".join(f"{d}={k}" for d, k in self.template.items())
        races = [a for r in self.races for a in ("--race", f"{r.day}:{r.distance}:{r.priority}")]
        result = self.cli("init", "--non-interactive", "--name", "anna", "--tz", self.tz,
                          "--sex", "f", "--max-hr", "190", "--rest-hr", "50", "--runs", runs,
                          *races, *extra, when=self.at(day, 9))
        assert result.exit_code == 0, result.output
        garmin_login.save_tokens(load().paths.tokens_dir("anna"), json.dumps({"di_token": "x"}))

    def home(self) -> Home:
        return Home.open(load())

    def run(self, day: date, kind: str, minutes: int | None = None, hour: int = 7) -> None:
        """The athlete runs `kind` on `day` at `hour` local time; Garmin has it at once."""
        start, gid = self.at(day, hour), 1000 + len(self.fake.items)
        local = start.astimezone(self.zone)
        offset = int((local.utcoffset() or timedelta()).total_seconds())
        minutes = minutes or MINUTES[kind]
        item = list_item(gid, start, "running", minutes, **SUMMARY.get(kind, {}))
        item["startTimeLocal"] = local.strftime("%Y-%m-%d %H:%M:%S")
        fit = run_fit(start, [LapSpec(minutes * 60, 3.0, 140)], seed=gid, utc_offset_s=offset,
                      record_every_s=5)
        self.fake.items.append(item)
        self.fake.downloads[gid] = zipped(f"{gid}_ACTIVITY.fit", fit)
        self.ran.setdefault(day, []).append(kind)

    def nightly(self, day: date, hour: int = 21, minute: int = 30) -> list[dict[str, Any]]:
        """`stridelift nightly` on the athlete's clock (the day from the clock, as cron)."""
        result = self.cli("nightly", "--json", when=self.at(day, hour, minute))
        assert result.exit_code == 0, result.output
        out: list[dict[str, Any]] = json.loads(result.stdout)
        assert out and out[-1]["day"] == day.isoformat(), out
        self.check(day, "nightly")
        return out

    def morning(self, day: date) -> dict[str, Any]:
        result = self.cli("morning", "--json", when=self.at(day, 7))
        assert result.exit_code == 0, result.output
        [out] = json.loads(result.stdout)
        assert out["day"] == day.isoformat(), out
        self.check(day - timedelta(days=1), "morning")
        return dict(out)

    def lift(self, day: date, share: Callable[[Session], bool] = lambda _s: True) -> None:
        """The day's open sessions done as prescribed (those `share` picks)."""
        home = self.home()
        with transaction(home.db) as db:
            who = repo.athlete(db, home.athlete(None))
            skip = [s.id for s in load_sessions(db, who) if s.day == day and not share(s)]
            for key in skip:
                row = plans.session(db, who, key)
                assert row is not None
                row.status = "skipped"
            follow_plan(db, who, day)

    def last_loads(self) -> dict[str, float]:
        """Each loaded exercise's load in its last full session (not lightened), where that
        was a load in kg: without a layoff its next loads are not below it (S5)."""
        home = self.home()
        with home.db() as db:
            last = {r.exercise_id: r.load_kg for r in plans.lifts(db, repo.athlete(
                db, home.athlete(None))) if not r.lightened and r.reps}
        return {e: kg for e, kg in last.items() if kg and CATALOG.exercise(e).loaded}

    def sessions(self) -> list[Session]:
        home = self.home()
        with home.db() as db:
            return load_sessions(db, repo.athlete(db, home.athlete(None)))

    def day(self, day: date, lift: bool = True) -> None:
        """A whole day: the morning pass, the sessions lifted, the runs, the nightly run."""
        self.morning(day)
        if lift:
            self.lift(day)
        self.nightly(day)

    # -- the invariants ----------------------------------------------------------------------

    def traits(self, day: date, night: date) -> set[str]:
        """The hard traits of a day's running as the athlete knows it on `night`."""
        if day <= night:
            kinds = self.ran.get(day, [])
        elif any(r.day == day for r in self.races):
            kinds = ["race"]
        else:
            kinds = [self.template.get(WEEKDAYS[day.weekday()], "rest")]
        return {t for k in kinds for t in TRAITS.get(k, ())}

    def check(self, night: date, what: str) -> None:
        for why in breaks(self, self.sessions(), night):
            self.log.append(f"{what} {night}: {why}")


def breaks(season: StackSeason, sessions: list[Session], night: date) -> list[str]:
    """RULES.md's invariants broken by the stored plan after `night` (S6 and the races' last
    days and windows for open sessions after the night; S4 for every week)."""
    out: list[str] = []
    strength = [s for s in sessions if s.kind == "strength" and s.status != "skipped"]
    for s in strength:
        if s.day <= night or s.settled:
            continue
        if HARD_AFTER & season.traits(s.day, night) or \
                HARD_AFTER & season.traits(s.day - timedelta(days=1), night):
            out.append(f"S6 long: {s.id} on {s.day}")
        if HARD_BEFORE & season.traits(s.day, night) or \
                HARD_BEFORE & season.traits(s.day + timedelta(days=1), night):
            out.append(f"S6 speed: {s.id} on {s.day}")
        if any(o.id != s.id and abs((o.day - s.day).days) < 2 for o in strength):
            out.append(f"S6 gap: {s.id} on {s.day}")
    for s in sessions:
        heavy = s.heavy_lower or any(p.power for p in s.exercises)
        if s.day > night and not s.settled and heavy and (r := _near_race(season, s.day)):
            out.append(f"race {r}: {s.id} on {s.day} holds heavy or power work")
    done = [s.day for s in sessions if s.status == "done" and s.day <= night]
    last = season.last_loads()
    for s in sessions:  # S5: the layoff is the athlete's (14+ days without any session)
        if s.day <= night or s.settled or not done or (s.day - max(done)).days >= LAYOFF_DAYS:
            continue
        # read from the loads, not the words: a lightened or deload session words its
        # load as a change from the full one, which would hide a 90 % in it
        resumed = [f"{p.exercise_id} {p.load_kg:g} kg" for p in s.exercises
                   if p.load_kg and p.exercise_id in last and p.load_kg < last[p.exercise_id]
                   * p.share * (DELOAD if p.phase == "deload" else 1) - ROUNDING_KG]
        if resumed:
            out.append(f"S5 layoff: {s.id} on {s.day} resumes {resumed} below the last loads "
                       f"(x its share), a session was done on {max(done)}")
    for monday in sorted({week_start(s.day) for s in sessions}):
        heavy = sum(s.heavy_lower for s in sessions
                    if week_start(s.day) == monday and s.status != "skipped")
        if heavy > MAX_HEAVY:
            out.append(f"S4: {heavy} heavy lower-body exercises in the week of {monday}")
    return out


def _near_race(season: StackSeason, day: date) -> str | None:
    for r in season.races:
        if 0 <= (r.day - day).days <= FINAL_DAYS[r.priority] or \
                0 <= (day - r.day).days <= POST_DAYS[r.distance]:
            return f"{r.priority} {r.distance} on {r.day}"
    return None


MONDAY = date(2026, 3, 2)  # the seasons' first Monday


@pytest.fixture(autouse=True)
def fast_garmin(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A season's home (tests/conftest.py), and the fake Garmin answering at once: no pause
    between calls (Policy.pace_s). Imported by the season tests, it applies to each."""
    monkeypatch.setenv(garmin.ENV_PACE, "0")


def days(first: date, count: int) -> Iterator[date]:
    for i in range(count):
        yield first + timedelta(days=i)


def weekday(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def why(season: StackSeason, when: datetime) -> list[dict[str, Any]]:
    result = season.cli("why", "--json", when=when)
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def numbers_in_words(reasons: list[str]) -> bool:
    """Reasons in words and numbers (S7.5): some words, and a number somewhere."""
    text = " ".join(reasons)
    return any(c.isalpha() for c in text) and any(c.isdigit() for c in text)
