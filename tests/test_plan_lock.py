"""The plan is brought up to date by one run at a time per athlete (jobs.athlete_lock): a
page or a command that shows the plan does it under the athlete's lock and, while a nightly
run, an import or a sync holds it, shows the plan as stored and says so, writing nothing; a
race entered or removed, a profile changed or a push is refused with one line. Before, they
replanned beside the nightly run: two plans saved at once merge session by session
(jobs.replan.save_sessions), which after a profile change could leave a week with sessions
of both templates."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from sqlalchemy import func, select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from db import models as m
from db import repo
from domain.profile import parse_runs
from jobs.athlete_lock import Busy, athlete_lock, plan_update
from jobs.clock import today_for
from jobs.config import saving_profile
from jobs.home import Home
from jobs.morning_run import run_morning
from jobs.nightly_run import run_all, run_nightly
from jobs.plan_view import follow_profile
from jobs.race_entry import _add_race
from jobs.sources import source_for
from planner.plan_changes import basis
from stridelift.cli import app as cli
from stridelift.web.app import create_app
from tests.test_plan_job import INIT

runner = CliRunner()
AS_STORED = "holds its lock (a nightly run, a morning pass, an import, a sync, a push, "


@pytest.fixture
def athlete(home: Path) -> Home:
    result = runner.invoke(cli, INIT)
    assert result.exit_code == 0, result.output
    return Home.open()


@contextmanager
def held(h: Home) -> Iterator[None]:
    """The athlete's lock held, as a nightly run holds it (another process's lock)."""
    locks = h.config.paths.data_dir / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    with FileLock(locks / "anna.lock"):
        yield


def _rows(h: Home) -> tuple[int, int]:
    """Planned sessions and recorded changes stored."""
    with h.db() as db:
        return (db.scalar(select(func.count()).select_from(m.PlannedSession)) or 0,
                db.scalar(select(func.count()).select_from(m.AdjustmentRow)) or 0)


@pytest.mark.parametrize("command", [["plan"], ["today"], ["plan", "--json"],
                                     ["today", "--json"]])
def test_a_command_showing_the_plan_beside_a_nightly_run_shows_it_as_stored(
        athlete: Home, command: list[str]) -> None:
    """No plan yet (init makes none): beside the run, `plan` and `today` make none either,
    and say the plan is shown as stored; once the lock is free, the same command makes it."""
    with held(athlete):
        result = runner.invoke(cli, command)
    assert result.exit_code == 0, result.output
    assert AS_STORED in result.stderr and "run this again when it ends" in result.stderr
    assert _rows(athlete) == (0, 0)
    if command == ["today", "--json"]:
        assert json.loads(result.stdout)["up_to_date"] is False
    after = runner.invoke(cli, command)
    assert after.exit_code == 0 and AS_STORED not in after.stderr
    assert _rows(athlete)[0] > 0
    if command == ["today", "--json"]:
        assert json.loads(after.stdout)["up_to_date"] is True


@pytest.mark.parametrize("path", ["/a/anna/week", "/a/anna/why", "/a/anna/status", "/coach",
                                  "/a/anna/report"])
def test_a_page_beside_a_nightly_run_shows_the_plan_as_stored(athlete: Home, path: str) -> None:
    c = TestClient(create_app(athlete, require_login=False), follow_redirects=False)
    with held(athlete):
        page = c.get(path)
    assert page.status_code == 200
    assert AS_STORED in page.text and "reload the page when it ends" in page.text
    assert _rows(athlete) == (0, 0)
    again = c.get(path)
    assert AS_STORED not in again.text and _rows(athlete)[0] > 0


@pytest.mark.parametrize("command", [["race", "add", "2027-03-14:half:A"],
                                     [*INIT[:12], "--runs", "mon=easy,wed=speed,sat=long"],
                                     ["push"], ["export-ics"], ["report"]])
def test_a_change_to_the_plan_beside_a_nightly_run_is_refused(athlete: Home,
                                                             command: list[str]) -> None:
    """A race entered, a profile changed or a push beside the run: one line, exit 1,
    nothing saved (the profile as it was). The calendar and the report show the plan as
    stored instead, as `plan` does."""
    assert runner.invoke(cli, ["plan"]).exit_code == 0
    config = athlete.config.paths.config_file.read_text()
    rows = _rows(athlete)
    with held(athlete):
        result = runner.invoke(cli, command)
    assert athlete.config.paths.config_file.read_text() == config
    assert _rows(athlete) == rows
    if command[0] in ("export-ics", "report"):
        assert result.exit_code == 0 and AS_STORED in result.stderr
        return
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "already running" in lines[0] and "did not start" in lines[0]
    assert runner.invoke(cli, command).exit_code == 0  # the lock free, the same command


def test_a_race_entered_on_the_web_beside_a_nightly_run_is_a_conflict(athlete: Home) -> None:
    c = TestClient(create_app(athlete, require_login=False), follow_redirects=False)
    assert c.get("/a/anna/week").status_code == 200
    page = c.get("/a/anna/races")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    race = {"csrf": token, "day": "2027-03-14", "distance": "half", "priority": "A"}
    config = athlete.config.paths.config_file.read_text()
    with held(athlete):
        refused = c.post("/a/anna/races/add", data=race)
    assert refused.status_code == 409 and "already running" in refused.text
    assert athlete.config.paths.config_file.read_text() == config
    assert c.post("/a/anna/races/add", data=race).status_code == 303
    assert "2027-03-14" in athlete.config.paths.config_file.read_text()


def test_a_long_run_waits_for_a_plan_update_to_end(athlete: Home) -> None:
    """A page's plan update holds the lock about a second: a nightly run starting then waits
    for it rather than being refused (and missing its night)."""
    ran: list[str] = []

    def nightly() -> None:
        try:
            with athlete_lock(athlete, "anna", "nightly run"):
                ran.append("ran")
        except Busy:
            ran.append("refused")

    with held(athlete):
        run = threading.Thread(target=nightly)
        run.start()
        time.sleep(0.2)  # the run is trying the lock by now (if not, it finds it free)
    run.join()
    assert ran == ["ran"]


def test_status_beside_a_nightly_run_shows_the_status_as_stored(athlete: Home) -> None:
    """`status` analyses the days up to the one asked for: beside the run, it shows the
    status as stored (that run analyses the same days) and says so."""
    assert runner.invoke(cli, ["plan"]).exit_code == 0  # analysed through today
    with held(athlete):
        result = runner.invoke(cli, ["status"])
    assert result.exit_code == 0, result.output
    assert "this is the status as stored" in result.stderr and "green" in result.stdout
    assert "as stored" not in runner.invoke(cli, ["status"]).stderr


@pytest.mark.parametrize("run", ["nightly", "morning", "push"])
def test_a_run_that_waited_for_a_profile_change_plans_with_the_new_profile(
        home: Path, run: str) -> None:
    """A nightly run, a morning pass or a push that starts while `init` changes the weekly
    template waits for the lock, then plans with the profile saved meanwhile. It planned the
    weeks ahead again with the old one, read before the wait: the template the runner had
    just left, pushed to the watch and the calendar."""
    assert runner.invoke(cli, [*INIT, "--source", "files"]).exit_code == 0
    h = Home.open()
    assert runner.invoke(cli, ["plan"]).exit_code == 0
    new = replace(h.athlete("anna"), runs=parse_runs("mon=easy,wed=speed,sat=long"))
    out: list[Any] = []

    def waiting() -> None:
        if run == "push":
            out.append(runner.invoke(cli, ["push"]).exit_code)
        else:
            one = run_nightly if run == "nightly" else run_morning
            out.extend(r.status for r in run_all(h, source_for(h), today_for, ["anna"], one))

    with athlete_lock(h, "anna", "profile change"):  # what `init` does under the lock
        started = threading.Thread(target=waiting)
        started.start()
        time.sleep(0.5)  # the run has read the profile by now, and waits for the lock
        with saving_profile(h.config, new):
            pass
        follow_profile(h, new, today_for(new))
    started.join()
    assert out in ([0], ["ok"])
    with h.db() as db:
        assert repo.athlete(db, new).plan_basis == basis(new)


def test_the_words_name_every_run_that_may_hold_the_lock(athlete: Home) -> None:
    """Beside a race entry, `plan` said a nightly run, an import, a sync or another page was
    updating the plan; beside `plan`, a race entry was refused naming no command showing
    the plan (a "plan update"). The lock does not say which run holds it: both name all."""
    with athlete_lock(athlete, "anna", "race entry"):
        shown = runner.invoke(cli, ["plan"])
    assert shown.exit_code == 0 and "a race entered or removed, a profile change" in shown.stderr
    with plan_update(athlete, "anna") as held:  # as `plan` holds it
        assert held
        refused = runner.invoke(cli, ["race", "add", "2027-03-14:half:A"])
    assert refused.exit_code == 1
    assert "a page or command bringing the plan up to date for anna" in refused.output


def test_a_race_entered_while_a_profile_change_waited_stays_entered(athlete: Home) -> None:
    """`init` read the profile, then waited for the lock a race entry held: it saved the
    races it had read, and the race entered meanwhile was gone from config.toml (its plan
    changes stayed)."""
    assert runner.invoke(cli, ["plan"]).exit_code == 0
    out: list[int] = []
    change = threading.Thread(target=lambda: out.append(runner.invoke(
        cli, [*INIT[:12], "--runs", "mon=easy,wed=speed,sat=long"]).exit_code))
    with athlete_lock(athlete, "anna", "race entry"):  # what add_race does under the lock
        change.start()
        time.sleep(0.5)  # `init` has read the profile by now, and waits for the lock
        profile = athlete.athlete("anna")
        _add_race(athlete, profile, "2027-03-14:half:A", today_for(profile), False)
    change.join()
    assert out == [0]
    saved = athlete.athlete("anna")
    assert [r.day.isoformat() for r in saved.races] == ["2027-03-14"]
    assert saved.runs == parse_runs("mon=easy,wed=speed,sat=long")
