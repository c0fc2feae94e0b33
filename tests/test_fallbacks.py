"""Fallbacks made while planning are recorded like nightly changes (RULES.md S7.2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from freezegun import freeze_time
from typer.testing import CliRunner

from db import plans, repo
from db.session import open_db, transaction
from domain.profile import Race
from jobs.replan import replan
from planner.model import RunDay
from planner.plan import extend
from stridelift.cli import app
from tests.planning import ARTICLE, MONDAY, context, profile, template

runner = CliRunner()
EVERY_DAY_HARD = {"mon": "speed", "tue": "long", "wed": "speed", "thu": "long", "fri": "speed",
                  "sat": "long", "sun": "threshold"}


def test_a_third_session_turned_mobility_is_recorded() -> None:
    runs = template(ARTICLE, weeks=3)
    night = MONDAY - timedelta(days=1)
    sessions, changes = extend(context(profile(sessions=3)), MONDAY, night,
                               MONDAY + timedelta(days=6), runs, [])
    [change] = changes
    mobility = next(s for s in sessions if s.kind == "mobility")
    assert (change.session_id, change.rule, change.action, change.night) == \
        (mobility.id, "S6 planning", "mobility", night)
    assert change.before == "3 strength sessions in the week of 03 Mar"
    assert change.after == mobility.describe()
    assert change.reasons[0].startswith("only 2 legal strength days this week")
    assert any("speed run on Wed" in r for r in change.reasons)


def test_a_week_with_no_legal_day_records_every_fallback() -> None:
    runs = template(EVERY_DAY_HARD, weeks=3)
    sessions, changes = extend(context(profile(EVERY_DAY_HARD)), MONDAY, MONDAY - timedelta(
        days=1), MONDAY + timedelta(days=6), runs, [])
    assert all(s.kind == "mobility" and s.heavy_lower == 0 for s in sessions)
    assert [c.action for c in changes] == ["mobility"] * len(sessions)
    assert len(sessions) == 2
    assert all("only 0 legal strength days" in c.reasons[0] for c in changes)


def test_fallbacks_are_stored_once_and_why_shows_them(home: Path,
                                                      columns: Callable[[int], None]) -> None:
    init = ["init", "--non-interactive", "--name", "anna", "--tz", "UTC", "--sex", "f",
            "--max-hr", "190", "--rest-hr", "50", "--strength-sessions", "3", "--runs",
            "mon=easy,tue=easy,wed=speed,fri=easy,sat=long"]
    with freeze_time("2025-03-02 12:00:00"):  # a Sunday: next week is planned whole
        assert runner.invoke(app, init).exit_code == 0
        assert runner.invoke(app, ["plan", "--json"]).exit_code == 0
        assert runner.invoke(app, ["plan", "--json"]).exit_code == 0  # the same day twice
        why = runner.invoke(app, ["why", "--json"])
        columns(200)  # not COLUMNS: rich read it once (80 in pytest-xdist's workers)
        text = runner.invoke(app, ["why"])
    shown = [c for c in json.loads(why.stdout) if c["session_id"].startswith("2025-03-03")]
    assert why.exit_code == 0 and [c["action"] for c in shown] == ["mobility"]
    assert shown[0]["rule"] == "S6 planning" and shown[0]["date"] == "2025-03-02"
    assert any("only 2 legal strength days" in r for r in shown[0]["reasons"])
    assert "mobility (S6 planning)" in text.output
    # 84 columns: whole on one line at 200, wrapped at 80
    assert f"  - {shown[0]['reasons'][0]}" in text.output.splitlines()


def test_replanning_the_same_night_records_nothing_new(db_url: str) -> None:
    p = profile(sessions=3)
    factory = open_db(db_url)
    night = date(2025, 3, 2)
    with transaction(factory) as db:
        first = replan(db, p, night)
    with transaction(factory) as db:
        again = replan(db, p, night)
        stored = plans.adjustments(db, repo.athlete(db, p))
    assert [a.rule for a in first.adjustments].count("S6 planning") >= 1
    assert again.adjustments == []
    assert len(stored) == len(first.adjustments)


def test_a_week_keeps_a_strength_session_where_one_legal_day_can_hold_it() -> None:
    # An A 5 km on Wed 9 Apr, speed on Mondays and Saturdays: the week before, S6 leaves
    # Tuesday to Thursday. Two sessions (Tue and Thu) would both be mobility work (Tuesday is
    # the second session of the race's 8-14 days, Thursday in its last 6): the week once had
    # no strength session at all. One on Wednesday, 7 days before the race, stays strength.
    race = Race(date(2025, 4, 9), "5k", "A")
    runs = {**template({"mon": "speed", "sat": "speed"}, weeks=8),
            race.day: RunDay(race.day, ("race",), "race")}
    night = MONDAY - timedelta(days=1)
    sessions, changes = extend(context(profile({"mon": "speed", "sat": "speed"},
                                               races=(race,))),
                               MONDAY, night, MONDAY + timedelta(days=7 * 6 - 1), runs, [])
    week = [s for s in sessions if s.id.startswith("2025-03-31#")]
    assert [(s.day, s.kind) for s in week if s.kind == "strength"] == [(date(2025, 4, 2),
                                                                         "strength")]
    [mobility] = [s for s in week if s.kind == "mobility"]
    [change] = [c for c in changes if c.session_id == mobility.id and c.rule == "S6 planning"]
    assert change.reasons[0].startswith("2 sessions on the legal days (Tue 01 Apr, Thu 03 "
                                        "Apr) would keep 0 as strength work")
    # every week but the race's own, which S6 leaves no legal day, holds strength work
    empty = {s.id[:10] for s in sessions} - {s.id[:10] for s in sessions if s.kind == "strength"}
    assert empty == {"2025-04-07"}
