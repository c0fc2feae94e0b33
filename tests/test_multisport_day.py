"""A day's several activities (RULES.md "Run classification", Multisport): separate files
Garmin chained with transitions are one triathlon, every leg kept with its own load and the
day's load their sum; two runs of one day give the planner the union of their traits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from db import activities, plans, repo
from db.session import open_db, transaction
from demo.fitwrite import LapSpec, run_fit
from jobs.analyse import analyse
from jobs.replan import run_days
from tests.test_analyse import T0, P, _store

DAY = date(2025, 4, 1)  # T0 is 08:00 in P's Berlin
# (sport, seconds, speed, HR) of each leg, every one its own file, back to back
LEGS = [("swimming", 1500, 1.0, 150), ("transition", 120, 1.0, 150),
        ("cycling", 3600, 9.0, 158), ("transition", 60, 1.0, 155),
        ("running", 2400, 3.4, 165)]


def store(db_url: str, files: list[bytes]) -> None:
    _store(db_url, files)
    with transaction(open_db(db_url)) as s:
        analyse(s, P, DAY + timedelta(days=1))


def chained_legs() -> list[bytes]:
    out, start = [], T0
    for sport, seconds, speed, hr in LEGS:
        out.append(run_fit(start, [LapSpec(seconds, speed, hr)], sport=sport))
        start += timedelta(seconds=seconds)
    return out


def test_chained_activities_are_one_triathlon_each_leg_with_its_load(db_url: str) -> None:
    store(db_url, chained_legs())
    with open_db(db_url)() as s:
        who = repo.athlete(s, P)
        rows = activities.classified_between(s, who, DAY, DAY)
        loads = [r for r in activities.daily_loads(s, who) if r.local_date == DAY]
        status = plans.daily_status(s, who, DAY)
    by_sport = {r.sport: r for r in rows}
    assert set(by_sport) == {"swimming", "transition", "cycling", "running"}
    assert by_sport["running"].kind == "race"
    assert all("race" in (r.traits or []) for r in rows), rows
    swim_bike_run = [r.load for r in loads if r.load > 0]
    assert len(swim_bike_run) >= 3  # swim, bike and run each carry their own load
    assert status is not None
    assert status.endurance_load == pytest.approx(sum(r.load for r in loads
                                                      if r.load_series == "endurance"))


def test_a_bike_commute_then_a_run_without_a_transition_is_not_a_race(db_url: str) -> None:
    commute = run_fit(T0, [LapSpec(1200, 6.0, 130)], sport="cycling")
    run = run_fit(T0 + timedelta(minutes=22), [LapSpec(2400, 3.0, 140)])
    store(db_url, [commute, run])
    with open_db(db_url)() as s:
        rows = activities.classified_between(s, repo.athlete(s, P), DAY, DAY)
    assert sorted(r.kind for r in rows) == ["easy", "other"]


def test_two_runs_of_a_day_give_the_planner_the_union_of_their_traits(db_url: str) -> None:
    easy = run_fit(T0, [LapSpec(2400, 3.0, 140)])
    laps = [LapSpec(600, 2.8, 135, "warmup")]
    for _ in range(5):
        laps += [LapSpec(180, 4.6, 174, "interval"), LapSpec(120, 2.4, 135, "recovery")]
    intervals = run_fit(T0 + timedelta(hours=10), [*laps, LapSpec(600, 2.8, 135, "cooldown")])
    store(db_url, [easy, intervals])
    with open_db(db_url)() as s:
        day = run_days(s, repo.athlete(s, P), P, DAY, DAY)[DAY]
    assert sorted(day.kinds) == ["easy", "speed"] and "speed" in day.traits
