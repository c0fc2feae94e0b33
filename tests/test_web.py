"""The web app over HTTP (Starlette's TestClient) against a real SQLite home: every route,
the CSRF and login rules, re-posted forms changing nothing twice, and hostile text escaped."""

from __future__ import annotations

import html
import json
import math
import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from freezegun import freeze_time
from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient
from typer.testing import CliRunner

from analysis.recovery_text import VALUE_KEYS
from db import models as m
from db import plans, repo, wellness_days
from db import session as db_session
from db.session import transaction
from demo.fitwrite import LapSpec, run_fit
from domain.wellness import DailyWellness
from jobs import web_pages
from jobs.clock import today_for
from jobs.config import load
from jobs.errors import SESSION_IDS, NoSession, PlanError, Settled
from jobs.home import Home
from jobs.replan import store_adjustments
from jobs.scheduler import JOB_TABLE
from jobs.web_login import SESSION_KEY_FILE, check_password, password_path, set_password
from planner.catalog_file import default_catalog
from planner.model import Adjustment
from stridelift.cli import app as cli
from stridelift.cli.common import user_errors
from stridelift.web.app import LOOPBACK_NAMES, create_app, templates
from stridelift.web.guard import MAX_FAILURES
from tests.test_plan_job import INIT
from tests.test_report import EVIL_NAME, EVIL_REASON, build_athlete, today_utc

runner = CliRunner()
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
MENU = 'href="/a/anna/week#today"'  # the athlete's menu, on every page of theirs


# Done with the sets ticked, none ticked (or each at 0): the session's page says so
NOTHING_DONE = "nothing recorded: no set is ticked, or each one ticked is at 0; tick the sets " \
    "you did, or use Done as planned"
WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=UTC)  # today's run is the week's speed session


@pytest.fixture
def pinned_clock() -> Iterator[datetime]:
    """Overrides the suite's pinned day (which a run may move to a weekend): a Wednesday."""
    with freeze_time(WEDNESDAY, tick=True):
        yield WEDNESDAY


@pytest.fixture
def athlete(home: Path) -> Home:
    result = runner.invoke(cli, INIT)
    assert result.exit_code == 0, result.output
    return Home.open()


def client(h: Home, require_login: bool = False) -> TestClient:
    return TestClient(create_app(h, require_login=require_login), follow_redirects=False)


def logged_in_client(h: Home) -> TestClient:
    """A client of the app behind a password, logged in."""
    set_password(h, "a long enough one")
    c = client(h, require_login=True)
    token = csrf(c, "/login")
    assert c.post("/login", data={"csrf": token, "password": "a long enough one"}) \
        .status_code == 303
    return c


def csrf(c: TestClient, path: str) -> str:
    page = c.get(path)
    assert page.status_code == 200, page.text
    return CSRF.search(page.text)[1]  # type: ignore[index]


def future_strength(h: Home) -> dict[str, Any]:
    return strength_ahead(h)[0]


def strength_ahead(h: Home) -> list[dict[str, Any]]:
    """The strength sessions after today, as the week pages show them."""
    profile = h.athlete(None)
    today = today_for(profile)
    assert web_pages.up_to_date(h, profile, today) is None  # brought up to date, as a page does
    days = [d for w in web_pages.weeks(h, profile, today) for d in w["days"]]
    return [s for d in days for s in d["sessions"] if s["kind"] == "strength" and s["day"] > today]


def path_of(s: dict[str, Any]) -> str:
    return "/a/anna/session/" + s["id"].replace("#", "%23")


def stored(h: Home, key: str) -> tuple[str, bool, date, int]:
    """(status, pinned, day, lifts recorded) of a session, from the database."""
    with h.db() as db:
        who = repo.athlete(db, h.athlete(None))
        row = plans.session(db, who, key)
        assert row is not None
        lifts = [x for x in plans.lifts(db, who) if x.session_key == key]
        return row.status, row.pinned, row.day, len(lifts)


def test_every_page_renders(athlete: Home) -> None:
    c = client(athlete)
    assert c.get("/").headers["location"] == "/a/anna/week#today"  # the gym's day
    week = c.get("/a/anna/week")
    assert week.status_code == 200
    s = future_strength(athlete)
    e = s["exercises"][0]
    assert e["name"] in week.text and e["work"] in week.text and f"rest {e['rest_text']}" \
        in week.text
    assert "run: speed" in week.text and "run: long" in week.text  # the runs around
    assert "This week" in week.text and "Next week" in week.text
    for path in (path_of(s), "/a/anna/why", "/a/anna/status", "/coach", "/login",
                 "/static/style.css"):
        page = c.get(path)
        assert page.status_code == 200, (path, page.text[:300])
    report = c.get("/a/anna/report")
    assert report.status_code == 200 and "recovery versus load" in report.text
    assert "'self'" in week.headers["content-security-policy"]
    assert c.get("/a/nobody/week").status_code == 404
    assert c.get("/a/anna/session/1999-01-04%239").status_code == 404


def test_the_menu_marks_the_page_you_are_on(athlete: Home) -> None:
    c = client(athlete)
    current = re.compile(r'<a href="/(?:a/anna/)?(\w+)(?:#today)?" aria-current="page">')
    for path, marked in (("/a/anna/week", ["week"]), ("/a/anna/why", ["why"]),
                         ("/a/anna/races", ["races"]), (path_of(future_strength(athlete)),
                                                        ["week"]), ("/coach", ["coach"])):
        assert current.findall(c.get(path).text) == marked, path
    assert c.get("/a/anna/week").text.count('id="today"') == 1  # where the menu's Week opens


def test_the_load_field_of_bodyweight_work_does_not_ask_for_a_load_by_feel(
        athlete: Home) -> None:
    """A plank's load field said "by feel", as a barbell's whose load is not known yet."""
    s = future_strength(athlete)
    page = client(athlete).get(path_of(s)).text
    catalog = default_catalog()
    for e in s["exercises"]:
        field = page.split(f'name="load:{e["id"]}"')[1].split(">")[0]
        want = "kg" if e["load_kg"] else \
            "by feel" if catalog.exercise(e["id"]).loaded else "bodyweight"
        assert f'placeholder="{want}"' in field, (e["id"], field)
    assert {catalog.exercise(e["id"]).loaded for e in s["exercises"]} == {True, False}


def test_the_status_page_names_its_inputs_in_words_with_sensible_digits(
        athlete: Home) -> None:
    """The inputs were the stored keys with every digit ("hrv_signal 4.0494680507225 88")."""
    profile = athlete.athlete(None)
    today = today_for(profile)
    with transaction(athlete.db) as db:
        who = repo.athlete(db, profile)
        for back in range(40):
            wellness_days.save_wellness(db, who, DailyWellness(
                today - timedelta(days=back), hrv_last_night=60.0 + back % 7,
                hrv_status="BALANCED", readiness_level="HIGH", sleep_score=80,
                resting_hr=48 + back % 3))
    page = client(athlete).get("/a/anna/status").text
    labels = {label for _, label, _ in web_pages.INPUTS}
    assert {key for key, _, _ in web_pages.INPUTS} == set(VALUE_KEYS)  # none left out
    shown = dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", page))
    inputs = {html.unescape(k): v for k, v in shown.items() if html.unescape(k) in labels}
    signal = sum(math.log(60 + night) for night in range(7)) / 7  # the last 7 nights
    assert inputs["HRV 7-day signal (ln)"] == f"{signal:.2f}"
    assert inputs["Garmin HRV status"] == "BALANCED" and inputs["sleep score"] == "80"
    assert inputs["form (TSB)"] == "0.0" and "hrv_signal" not in page  # no runs: no load
    assert not any(re.search(r"\.\d{3}", v) for v in inputs.values()), inputs


def test_the_status_page_shows_form_and_acwr_on_the_side_of_their_limits(
        athlete: Home) -> None:
    """A form of -30.04 read "-30.0" in the Load box and the inputs beside the reason "form
    (TSB) -30.04 < -30", and an ACWR of 1.504 read "1.50" beside "> 1.5" (the page shows
    these strings as they are: the sensible-digits test reads them on the page)."""
    profile = athlete.athlete(None)
    today = today_for(profile)
    with transaction(athlete.db) as db:
        who = repo.athlete(db, profile)
        db.add(m.DailyStatus(athlete_id=who.id, day=today, endurance_load=0.0,
                             strength_load=0.0, atl=80.0, ctl=49.96, tsb=-30.04, acwr=1.504,
                             level="amber", reasons=["form (TSB) -30.04 < -30"],
                             values={"tsb": -30.04, "acwr": 1.504}, missing=[]))
    with transaction(athlete.db) as db:
        status = web_pages._status(db, repo.athlete(db, profile), today)
    assert status is not None
    assert (status["tsb"], status["acwr"]) == ("-30.04", "1.504")
    assert dict(status["inputs"]) == {"form (TSB)": "-30.04", "EWMA ACWR": "1.504"}


def test_the_why_page_names_exercises_as_a_runner_reads_them(athlete: Home) -> None:
    """It showed the ids ("dumbbell_single_leg_rdl 3x6"), which only `done --sets` needs."""
    profile = athlete.athlete(None)
    before = "strength on Mon 07 Dec: barbell_back_squat 3x4 @ 40 kg, dead_bug 3x20"
    with transaction(athlete.db) as db:
        store_adjustments(db, repo.athlete(db, profile), [Adjustment(
            "2026-12-07#1", date(2026, 12, 1), "S7.3 amber", "lighten", before,
            "strength on Mon 07 Dec: barbell_back_squat 2x4 @ 36 kg", ("sleep 52 < 60",))])
    page = client(athlete).get("/a/anna/why").text
    assert "from strength on Mon 07 Dec: Barbell back squat 3x4 @ 40 kg, Dead bug 3x20" in page
    assert "to strength on Mon 07 Dec: Barbell back squat 2x4 @ 36 kg" in page
    assert "barbell_back_squat" not in page.split("Why the plan changed")[1]


def test_the_week_shows_the_runs_done_since_monday(athlete: Home, tmp_path: Path) -> None:
    # A Monday run synced or imported showed on the week page only on Monday and Tuesday:
    # from Wednesday on the page read "no run" for it (it read runs from yesterday only).
    folder = tmp_path / "fit"
    folder.mkdir()
    monday = datetime(2026, 11, 30, 7, tzinfo=UTC)
    (folder / "monday.fit").write_bytes(run_fit(monday, [LapSpec(1800, 2.8, 135)],
                                                record_every_s=5))
    assert runner.invoke(cli, ["import", str(folder), "--workers", "1"]).exit_code == 0
    week = client(athlete).get("/a/anna/week").text
    days = {part.split("</h2>")[0].split(">")[-1]: part for part in week.split('class="day')}
    assert "run: easy <small>(actual)</small>" in days["Mon 30 Nov"]
    assert "no run" in days["Tue 01 Dec"]  # the template's easy run was not recorded


def test_move_shows_what_s6_allows_and_why_not(athlete: Home) -> None:
    c = client(athlete)
    s = future_strength(athlete)
    page = c.get(path_of(s)).text
    assert "that day is past" in page
    assert "no strength on the same day" in page  # the speed or long day of its week
    # today's run is still to come: its planned kind counts (Wednesday's speed session)
    assert "speed run on Wed 02 Dec (no strength on the same day)" in page
    today = c.get("/a/anna/week").text.split('class="day today')[1].split('class="day')[0]
    assert "run: speed" in today
    profile = athlete.athlete(None)
    options = web_pages.session_page(athlete, profile, today_for(profile), s["id"])["options"]
    legal = [o.day for o in options if o.legal]
    illegal = [o for o in options if o.why and o.day >= today_for(profile)]
    assert legal and illegal
    token = csrf(c, path_of(s))
    refused = c.post(path_of(s) + "/move", data={"csrf": token,
                                                 "day": illegal[0].day.isoformat()})
    assert refused.status_code == 409 and illegal[0].why[0] in refused.text
    for _ in range(2):  # a double tap moves it once
        moved = c.post(path_of(s) + "/move", data={"csrf": token, "day": legal[0].isoformat()})
        assert moved.status_code == 303
    assert stored(athlete, s["id"])[1:3] == (True, legal[0])
    why = c.get("/a/anna/why").text
    assert why.count("moved by the runner") == 1 and "S6 allows" in why
    assert "moved" in c.get("/a/anna/week").text  # the badge


def test_a_move_s6_refuses_is_a_conflict_a_day_gone_by_or_off_its_week_a_bad_request(
        athlete: Home) -> None:
    """A move to a day S6 refuses for what is stored there (today's speed run, another
    strength session) may go through once that changes: a 409, as "do or skip that one
    first" is, where it was a 400. A day gone by or outside the session's week never takes
    it: still a 400. Each leads back to the session's page, and moves nothing."""
    c = client(athlete)
    profile = athlete.athlete(None)
    today = today_for(profile)
    s = future_strength(athlete)
    options = web_pages.session_page(athlete, profile, today, s["id"])["options"]
    speed_day = next(o for o in options if o.day == today)
    assert speed_day.why == ("speed run on Wed 02 Dec (no strength on the same day)",)
    past = next(o for o in options if o.day < today)
    token = csrf(c, path_of(s))
    before = stored(athlete, s["id"])
    for day, code, why in (
            (today, 409, speed_day.why[0]),
            (past.day, 400, "that day is past"),
            (s["day"] + timedelta(days=14), 400, "it is not in the session&#39;s week")):
        refused = c.post(path_of(s) + "/move", data={"csrf": token, "day": day.isoformat()})
        assert refused.status_code == code, (day, refused.status_code)
        assert f"cannot move to {day:%a %d %b}: {why}" in refused.text, refused.text
        assert f'href="{path_of(s)}" class="button">Back' in refused.text
    assert stored(athlete, s["id"]) == before


def test_done_set_by_set_then_a_repost_changes_nothing(athlete: Home) -> None:
    c = client(athlete)
    s = future_strength(athlete)
    token = csrf(c, path_of(s))
    form: dict[str, str] = {"csrf": token, "rpe": "7", "with_sets": "1"}
    for e in s["exercises"]:
        form[f"load:{e['id']}"] = "20" if e["load_kg"] else ""
        for n in range(e["sets"]):
            form[f"reps:{e['id']}:{n}"] = "5"
            if n < e["sets"] - 1:  # the last set not ticked: not done
                form[f"tick:{e['id']}:{n}"] = "on"
    first = c.post(path_of(s) + "/done", data=form)
    assert first.status_code == 303
    assert "done" in c.get(first.headers["location"]).text
    assert stored(athlete, s["id"])[0] == "done"
    again = c.post(path_of(s) + "/done", data=form)
    assert again.status_code == 303 and "already done" in c.get(again.headers["location"]).text
    with athlete.db() as db:
        lifts = [x for x in plans.lifts(db, repo.athlete(db, athlete.athlete(None)))
                 if x.session_key == s["id"]]
    assert len(lifts) == len(s["exercises"])  # recorded once
    e = s["exercises"][0]
    [mine] = [x for x in lifts if x.exercise_id == e["id"]]
    assert mine.reps == [5] * (e["sets"] - 1) + [0]
    assert mine.load_kg == (20 if e["load_kg"] else None) and mine.rpe == 7


def test_a_session_shows_what_was_lifted_last_time(athlete: Home) -> None:
    c = client(athlete)
    s = future_strength(athlete)
    form: dict[str, str] = {"csrf": csrf(c, path_of(s)), "with_sets": "1"}
    for e in s["exercises"]:
        form[f"load:{e['id']}"] = "20" if e["load_kg"] else ""
        for n in range(e["sets"]):
            form.update({f"reps:{e['id']}:{n}": str(6 - n), f"tick:{e['id']}:{n}": "on"})
    assert c.post(path_of(s) + "/done", data=form).status_code == 303
    ids = {e["id"]: e for e in s["exercises"]}
    with athlete.db() as db:
        later = [r for r in plans.sessions(db, repo.athlete(db, athlete.athlete(None)))
                 if r.day > s["day"] and r.kind == "strength"
                 and ids.keys() & {x["exercise_id"] for x in r.exercises}]
    page = c.get(path_of({"id": later[0].key})).text
    shared = next(e for e in ids.values() if f"<legend>{html.escape(e['name'])}</legend>" in page)
    reps = ", ".join(str(6 - n) for n in range(shared["sets"]))
    unit = "reps" if "reps" in shared else "s"
    load = " at 20 kg" if shared["load_kg"] else ""
    # done ahead of its day, it was lifted today (the day its lifts are dated)
    assert f"last time, {min(s['day'], today_utc()):%a %d %b}: {reps} {unit}{load}</p>" in page
    assert "last time," not in c.get(path_of(s)).text  # the session itself is not its past
    with transaction(athlete.db) as db:
        for lift in plans.lifts(db, repo.athlete(db, athlete.athlete(None))):
            lift.lightened = True
    assert f"{unit}{load} (a lightened session)</p>" in c.get(path_of({"id": later[0].key})).text


def test_last_time_is_when_it_was_lifted_not_a_set_left_unticked(athlete: Home) -> None:
    """An exercise left unticked in a session done stores its sets as 0 reps: "last time"
    said "0, 0 reps at 20 kg", hiding the time it was lifted."""
    s = future_strength(athlete)
    e = s["exercises"][0]
    lifted, unticked = s["day"] - timedelta(days=7), s["day"] - timedelta(days=3)
    with transaction(athlete.db) as db:
        who = repo.athlete(db, athlete.athlete(None))
        repo.add_lifts(db, who, lifted, [(e["id"], [6, 5], 20.0)], session_key=None)
        repo.add_lifts(db, who, lifted - timedelta(days=7), [(e["id"], [3, 3], 15.0)],
                       session_key=None)  # an earlier time: the last one is shown
        repo.add_lifts(db, who, unticked, [(e["id"], [0, 0], 20.0)], session_key=None)
    unit = "reps" if "reps" in e else "s"
    page = client(athlete).get(path_of(s)).text
    assert f"last time, {lifted:%a %d %b}: 6, 5 {unit} at 20 kg</p>" in page
    assert "0, 0" not in page and "3, 3" not in page


@pytest.mark.parametrize("tick", [False, True])
def test_done_with_no_set_ticked_stays_on_the_session_saying_so(athlete: Home,
                                                                tick: bool) -> None:
    """"Done with the sets ticked" with none ticked was a 400 page with a Back link: the
    runner stays on the session's page, told nothing was recorded and what to do. A set
    ticked at 0 counts as none: the words say so, where they said no set was ticked."""
    c = client(athlete)
    s = future_strength(athlete)
    token = csrf(c, path_of(s))
    e = s["exercises"][0]
    none_ticked = c.post(path_of(s) + "/done", data={
        "csrf": token, "with_sets": "1", f"reps:{e['id']}:0": "0" if tick else "5",
        **({f"tick:{e['id']}:0": "on"} if tick else {}), "rpe": "7"})
    assert none_ticked.status_code == 303 and none_ticked.headers["location"] == path_of(s)
    page = c.get(path_of(s))
    assert page.status_code == 200 and '<p class="flash" role="status">' + \
        html.escape(NOTHING_DONE) + "</p>" in page.text
    assert "Done with the sets ticked" in page.text
    assert stored(athlete, s["id"]) == (s["status"], s["pinned"], s["day"], 0)


def test_done_refuses_nonsense(athlete: Home) -> None:
    c = client(athlete)
    s = future_strength(athlete)
    token = csrf(c, path_of(s))
    e = s["exercises"][0]
    bad_load = c.post(path_of(s) + "/done", data={
        "csrf": token, f"reps:{e['id']}:0": "5", f"tick:{e['id']}:0": "on",
        f"load:{e['id']}": "lots"})
    assert bad_load.status_code == 400 and "not a number" in bad_load.text
    heavy = c.post(path_of(s) + "/done", data={
        "csrf": token, f"reps:{e['id']}:0": "5", f"tick:{e['id']}:0": "on",
        f"load:{e['id']}": "900"})
    assert heavy.status_code == 400 and "0-500 kg" in heavy.text
    assert stored(athlete, s["id"])[0] != "done"


def test_a_form_refused_leads_back_to_its_page_under_the_athlete_s_menu(
        athlete: Home) -> None:
    """A page kept from before the nightly swapped an exercise: its Done is refused. The
    refusal kept only a Home button and the coach's menu; it leads back to the session (now
    current) and keeps the athlete's menu. A page that is no athlete's keeps Home."""
    c = client(athlete)
    s = future_strength(athlete)
    token = csrf(c, path_of(s))
    stale = c.post(path_of(s) + "/done", data={
        "csrf": token, "reps:barbell_back_squat_gone:0": "5",
        "tick:barbell_back_squat_gone:0": "on"})
    assert stale.status_code == 400 and "not in session" in stale.text
    assert f'<a href="{path_of(s)}" class="button">Back</a>' in stale.text
    assert 'href="/a/anna/week#today"' in stale.text
    lost_cookie = client(athlete).post(path_of(s) + "/skip", data={"csrf": token})
    assert lost_cookie.status_code == 403 and f'href="{path_of(s)}"' in lost_cookie.text
    nobody = c.get("/a/nobody/week")
    assert nobody.status_code == 404 and '<a href="/" class="button">Home</a>' in nobody.text
    assert stored(athlete, s["id"])[0] != "done"


def test_a_load_of_0_is_no_load_as_done_on_the_cli_stores_it(athlete: Home) -> None:
    """The form stored a bodyweight exercise's load of 0 as 0.0 kg, where `done --sets
    dead_bug=20x0` stores none, as the plan holds bodyweight work."""
    c = client(athlete)
    on_the_page, on_the_cli, *_ = strength_ahead(athlete)
    e = next(e for e in on_the_page["exercises"]
             if not default_catalog().exercise(e["id"]).loaded)
    answer = c.post(path_of(on_the_page) + "/done", data={
        "csrf": csrf(c, path_of(on_the_page)), f"reps:{e['id']}:0": "20",
        f"tick:{e['id']}:0": "on", f"load:{e['id']}": "0"})
    assert answer.status_code == 303, answer.text
    result = runner.invoke(cli, ["done", on_the_cli["id"], "--sets", f"{e['id']}=20x0,20x0"])
    assert result.exit_code == 0, result.output
    with athlete.db() as db:
        lifts = [x for x in plans.lifts(db, repo.athlete(db, athlete.athlete(None)))
                 if x.exercise_id == e["id"]]
    assert {x.session_key: x.load_kg for x in lifts} == {on_the_page["id"]: None,
                                                        on_the_cli["id"]: None}


def test_a_set_ticked_on_a_page_kept_from_before_a_lightening_is_stored_not_lost(
        athlete: Home) -> None:
    """The page kept on the phone shows the sets of the session as it was loaded; lightened
    overnight (3 sets to 2), its Done sends a set more. It was refused with a 400 saying
    reload the page, whose reload has no field for that set: the set lifted was lost (the
    ticks kept on the phone fill the fields the page has). Stored as lifted, as `done --sets`
    stores a set more. A set number skipping others is no page's form: refused."""
    c = client(athlete)
    s, other, *_ = strength_ahead(athlete)
    e = s["exercises"][0]
    form = {"csrf": csrf(c, path_of(s))}
    for n in range(e["sets"]):  # every set of the page as it was kept
        form.update({f"reps:{e['id']}:{n}": "5", f"tick:{e['id']}:{n}": "on"})
    with transaction(athlete.db) as db:  # overnight: one set fewer
        row = plans.session(db, repo.athlete(db, athlete.athlete(None)), s["id"])
        assert row is not None
        row.exercises = [{**x, "sets": x["sets"] - 1} if x["exercise_id"] == e["id"] else x
                         for x in row.exercises]
    answer = c.post(path_of(s) + "/done", data=form)
    assert answer.status_code == 303, answer.text
    assert stored(athlete, s["id"])[::3] == ("done", len(s["exercises"]))
    with athlete.db() as db:
        [lift] = [x for x in plans.lifts(db, repo.athlete(db, athlete.athlete(None)))
                  if x.session_key == s["id"] and x.exercise_id == e["id"]]
    assert lift.reps == [5] * e["sets"]
    e = other["exercises"][0]
    forged = {"csrf": form["csrf"], f"reps:{e['id']}:0": "5", f"tick:{e['id']}:0": "on",
              f"reps:{e['id']}:9": "5", f"tick:{e['id']}:9": "on"}
    answer = c.post(path_of(other) + "/done", data=forged)
    assert answer.status_code == 400, answer.text
    assert f"{e['id']}: set 10 without set 2 is not what the session's page sends" in \
        html.unescape(answer.text)
    assert stored(athlete, other["id"])[::3] == ("planned", 0)
    huge = str(10**19)  # a gap found without counting up to the last number sent
    forged = {"csrf": form["csrf"], f"reps:{e['id']}:0": "5", f"tick:{e['id']}:0": "on",
              f"reps:{e['id']}:{huge}": "5", f"tick:{e['id']}:{huge}": "on"}
    answer = c.post(path_of(other) + "/done", data=forged)
    assert answer.status_code == 400 and f"set {10**19 + 1} without set 2" in answer.text
    # a session done already is no change, whatever the form sent again holds
    forged = {"csrf": form["csrf"], f"reps:{e['id']}:0": "5", f"tick:{e['id']}:0": "on",
              f"reps:{e['id']}:9": "5", f"tick:{e['id']}:9": "on"}
    again = c.post(path_of(s) + "/done", data=forged)
    assert again.status_code == 303 and "already done" in c.get(again.headers["location"]).text


def test_skip_and_pin_are_the_clis_and_idempotent(athlete: Home) -> None:
    c = client(athlete)
    s = future_strength(athlete)
    token = csrf(c, path_of(s))
    for _ in range(2):
        assert c.post(path_of(s) + "/pin", data={"csrf": token, "pinned": "1"}).status_code \
            == 303
    assert stored(athlete, s["id"])[1] is True
    assert "already" not in runner.invoke(cli, ["unpin", s["id"]]).output
    assert stored(athlete, s["id"])[1] is False
    for _ in range(2):
        assert c.post(path_of(s) + "/skip", data={"csrf": token}).status_code == 303
    assert "was already skipped" in c.get(path_of(s)).text
    assert stored(athlete, s["id"])[0] == "skipped"
    pinned = c.post(path_of(s) + "/pin", data={"csrf": token, "pinned": "1"})  # a kept page's
    assert pinned.status_code == 409 and "already skipped" in pinned.text
    assert stored(athlete, s["id"])[1] is False
    done = runner.invoke(cli, ["done", s["id"]])
    assert done.exit_code == 0  # a skipped session may still be done (the CLI's rule)
    refused = c.post(path_of(s) + "/skip", data={"csrf": token})
    assert refused.status_code == 409 and "already done" in refused.text


def test_a_settled_session_answers_already_done_before_what_its_form_lacks(
        athlete: Home) -> None:
    """A page kept from before the session was done (or skipped), sent again: its status
    answers first, whatever the form lacks. Done again is no change (303, "already done"),
    where an empty or nonsense form was a 400 about its fields; skipping or moving a done
    session, or moving a skipped one, is refused as a conflict (409) saying why."""
    c = client(athlete)
    s, other = strength_ahead(athlete)[:2]
    token = csrf(c, path_of(s))
    assert c.post(path_of(s) + "/done", data={"csrf": token, "as_planned": "1"}) \
        .status_code == 303
    e = s["exercises"][0]
    for form in ({f"reps:{e['id']}:0": "5"},  # no set ticked
                 {"rpe": "lots", "as_planned": "1"},
                 {f"reps:{e['id']}:0": "5", f"tick:{e['id']}:0": "on",
                  f"load:{e['id']}": "lots"}):
        again = c.post(path_of(s) + "/done", data={"csrf": token, **form})
        assert again.status_code == 303, again.text
        assert f"session {s['id']} was already done" in c.get(again.headers["location"]).text
    for action, form in (("skip", {}), ("move", {}), ("move", {"day": "someday"}),
                         ("pin", {"pinned": "0"})):
        refused = c.post(path_of(s) + f"/{action}", data={"csrf": token, **form})
        verb = "unpin" if action == "pin" else action
        assert refused.status_code == 409 and f"is already done: a done session never " \
            f"changes, so there is nothing to {verb}" in refused.text, (action, refused.text)
    assert c.post(path_of(other) + "/skip", data={"csrf": token}).status_code == 303
    moved = c.post(path_of(other) + "/move", data={"csrf": token})  # no day chosen
    assert moved.status_code == 409 and "a skipped session stays on its day" in moved.text
    assert stored(athlete, other["id"])[0] == "skipped"


def test_a_session_done_before_an_open_one_of_its_kind_is_a_conflict(athlete: Home) -> None:
    """Done on a later strength session while an earlier one is still open: refused as the
    CLI refuses it, a conflict with what is stored (409, as a settled session's refusals),
    where it was a bad request (400); once the earlier one is skipped, the same form goes
    through."""
    c = client(athlete)
    s, later = strength_ahead(athlete)[:2]
    token = csrf(c, path_of(later))
    form = {"csrf": token, "as_planned": "1"}
    refused = c.post(path_of(later) + "/done", data=form)
    assert refused.status_code == 409 and f"after {s['id']} " in refused.text and \
        "still open: do or skip that one first" in refused.text, refused.text
    assert f'href="{path_of(later)}" class="button">Back' in refused.text
    assert stored(athlete, later["id"])[0] != "done"
    assert c.post(path_of(s) + "/skip", data={"csrf": token}).status_code == 303
    assert c.post(path_of(later) + "/done", data=form).status_code == 303
    assert stored(athlete, later["id"])[0] == "done"


def test_a_move_to_the_day_a_session_is_on_is_no_change_whatever_its_status(
        athlete: Home) -> None:
    """A page kept from before, its move form sent with the session's own day: no change,
    said plainly, for a planned, a done and a skipped session alike (a done or skipped one
    was refused, 409, where a planned one said it was already there). Another day is still
    refused for a settled one."""
    c = client(athlete)
    done, skipped, planned = strength_ahead(athlete)[:3]
    token = csrf(c, path_of(planned))
    assert c.post(path_of(done) + "/done", data={"csrf": token, "as_planned": "1"}) \
        .status_code == 303
    assert c.post(path_of(skipped) + "/skip", data={"csrf": token}).status_code == 303
    before = [stored(athlete, s["id"]) for s in (planned, done, skipped)]
    for s in (done, skipped, planned):
        moved = c.post(path_of(s) + "/move", data={"csrf": token, "day": s["day"].isoformat()})
        assert moved.status_code == 303, moved.text
        assert f"session {s['id']} is already on {s['day']:%a %d %b}: no change" in \
            c.get(moved.headers["location"]).text
    assert [stored(athlete, s["id"]) for s in (planned, done, skipped)] == before
    other_day = (done["day"] + timedelta(days=1)).isoformat()
    assert c.post(path_of(done) + "/move", data={"csrf": token, "day": other_day}) \
        .status_code == 409


def test_a_session_whose_day_is_over_says_it_is_not_logged(athlete: Home) -> None:
    """Seen the day after, an open session showed "planned" like one still to come: the
    runner could not tell it needs logging (the block's 2/3 rule counts it)."""
    s = future_strength(athlete)
    after = s["day"] + timedelta(days=1)
    c = TestClient(create_app(athlete, require_login=False, today_of=lambda _p: after),
                   follow_redirects=False)

    def card() -> str:
        return c.get("/a/anna/week").text.split(f'href="{path_of(s)}"')[1].split("</article>")[0]

    assert "not logged" in card() and "not logged" in c.get(path_of(s)).text
    ahead = next(x for w in web_pages.weeks(athlete, athlete.athlete(None), after)
                 for d in w["days"] for x in d["sessions"] if x["day"] >= after)
    assert not ahead["unlogged"]  # today's and later sessions are not asked for
    assert runner.invoke(cli, ["done", s["id"]]).exit_code == 0
    assert "not logged" not in card() and "not logged" not in c.get(path_of(s)).text


@pytest.mark.parametrize("action", ["done", "skip", "pin", "move"])
def test_a_post_without_the_csrf_token_is_refused(athlete: Home, action: str) -> None:
    c = client(athlete)
    s = future_strength(athlete)
    csrf(c, path_of(s))  # the session has a token; the form does not send it
    for data in ({"as_planned": "1", "pinned": "1"}, {"csrf": "forged", "as_planned": "1"}):
        assert c.post(path_of(s) + f"/{action}", data=data).status_code == 403
    assert stored(athlete, s["id"]) == (s["status"], False, s["day"], 0)


def test_hostile_text_renders_as_text(home: Path) -> None:
    build_athlete(home)
    h = Home.open()
    c = client(h)
    why = c.get("/a/anna/why")
    assert why.status_code == 200
    assert EVIL_REASON not in why.text and "&lt;img src=x onerror=alert(2)&gt;" in why.text
    assert "before &lt;b&gt;" in why.text
    report = c.get("/a/anna/report").text
    assert EVIL_NAME not in report and "<script>alert" not in report
    status = c.get("/a/anna/status").text
    assert re.search(r"level-(amber|red)", status) and "ATL" in status


def test_an_error_page_keeps_the_menu_with_log_out_and_leads_back_to_a_page(
        athlete: Home) -> None:
    """Logged in, a refused page keeps the athlete's menu and Log out (it had neither way
    out); a POST to a page that only takes GET leads back to that page (its Back led to
    /a/anna, a 404). A visitor not logged in meets no athlete's name on an error page."""
    c = logged_in_client(athlete)
    token = csrf(c, "/a/anna/week")
    posted = c.post("/a/anna/week", data={"csrf": token})
    assert posted.status_code == 405
    assert '<a href="/a/anna/week" class="button">Back</a>' in posted.text
    assert c.get("/a/anna/week").status_code == 200
    missing = c.get("/a/anna/session/nope%231")
    for page in (posted, missing):
        assert 'href="/a/anna/week#today"' in page.text and ">Log out</button>" in page.text
        assert 'action="/logout"' in page.text
    s = future_strength(athlete)
    stale = c.post(path_of(s) + "/done", data={"csrf": token, "as_planned": "1", "rpe": "11"})
    assert stale.status_code == 400 and f'href="{path_of(s)}" class="button">Back' in stale.text
    # a session gone since the page was kept: its page is a 404, the way out is not
    gone_session = c.post("/a/anna/session/1999-01-04%239/skip", data={"csrf": token})
    way_out = re.search(r'<a href="([^"]+)" class="button">', gone_session.text)
    assert gone_session.status_code == 404 and way_out is not None, gone_session.text
    assert c.get(way_out[1]).status_code in (200, 303), way_out[1]
    gone = c.post("/a/anna/nothing/here", data={"csrf": token})  # no page above it either
    assert gone.status_code == 404 and '<a href="/" class="button">Home</a>' in gone.text
    visitor = client(athlete, require_login=True)
    for page in (visitor.get("/static/nothing.css"), visitor.post("/sw.js"),
                 visitor.put("/login")):
        assert page.status_code in (404, 405), page.text
        assert "anna" not in page.text and "Log out" not in page.text
        assert 'href="/coach"' not in page.text  # no menu either


def test_the_report_page_marks_the_races_entered(athlete: Home) -> None:
    """The web app's report marks the athlete's races on its charts, as the CLI's does."""
    c = client(athlete)
    assert "A race (goal)" not in c.get("/a/anna/report").text
    race = today_utc() + timedelta(days=7)
    assert runner.invoke(cli, ["race", "add", f"{race}:10k:A"]).exit_code == 0
    page = c.get("/a/anna/report").text
    assert "A race (goal), 10k" in page and '"text":"A 10k"' in page


def test_a_broken_config_names_no_athlete_to_a_visitor(athlete: Home) -> None:
    """config.toml broken while the app runs: its one line names an athlete and the home's
    folder, which a visitor not logged in (the login page reads it too) must not read; the
    runner logged in reads it whole."""
    c = logged_in_client(athlete)
    config = athlete.config.paths.config_file
    config.write_text(re.sub(r"(?m)^max_hr = .*$", "max_hr = 9999", config.read_text()))
    visitor = client(athlete, require_login=True).get("/login")
    assert visitor.status_code == 500 and "cannot be read" in visitor.text
    assert "anna" not in visitor.text and str(config.parent) not in visitor.text
    runner_sees = c.get("/a/anna/week")
    assert runner_sees.status_code == 500 and "athlete &#39;anna&#39;: max HR 9999" in \
        runner_sees.text


def test_the_web_names_pages_where_the_cli_names_commands(athlete: Home) -> None:
    """One message, two renderings: a session that is not there points the CLI to
    `stridelift plan` and the phone to the Week page; a fresh athlete's report page names
    no command."""
    c = client(athlete)
    missing = c.get("/a/anna/session/1999-01-04%239")
    assert missing.status_code == 404 and "the Week page lists the sessions" in missing.text
    token = csrf(c, path_of(future_strength(athlete)))
    refused = c.post("/a/anna/session/1999-01-04%239/skip", data={"csrf": token})
    assert refused.status_code == 404 and "the Week page lists the sessions" in refused.text
    report = c.get("/a/anna/report")
    assert "No data yet." in report.text
    for page in (missing, refused, report):
        assert "stridelift plan" not in page.text and "<code>stridelift" not in page.text
    request = Request({"type": "http", "path": "/a/anna/status", "headers": [],
                       "query_string": b"", "session": {}})
    env = templates().env  # the pages no test home reaches: no status yet, no athlete yet
    for template, context, words in (
            ("status.html", {"athlete": "anna", "status": None, "today": date(2026, 12, 2)},
             "No recovery status"),
            ("coach.html", {"athlete": None, "rows": []}, "No athlete in this home")):
        html = env.get_template(template).render(request=request, athletes=[], **context)
        assert words in html and "`stridelift" not in html, html
    cli_said = runner.invoke(cli, ["skip", "1999-01-04#9"])
    assert cli_said.exit_code != 0
    assert "no session '1999-01-04#9'; `stridelift plan` lists the session ids" in \
        " ".join(cli_said.output.split())


def test_config_errors_point_the_web_at_the_server_and_the_cli_at_a_command(
        athlete: Home) -> None:
    """A config.toml the CLI tells to fix with `stridelift init` or `stridelift exercises`:
    the same fact on the web, its fix in the web's words (the file on the server), no
    command. A [weights] naming no exercise was a bare 500 on every page. The page keeps the
    athlete's menu where config.toml can still be read (it had none), its pages that work."""
    c = client(athlete)
    config = athlete.config.paths.config_file
    good = config.read_text()
    config.write_text(re.sub(r"(?m)^max_hr = .*\n", "", good))
    page = c.get("/a/anna/week")
    fact = "athlete &#39;anna&#39;: missing max_hr; "
    assert page.status_code == 500 and fact + "add it to the file on the computer that runs " \
        "stridelift, or run init there again" in page.text and "`stridelift" not in page.text
    assert MENU not in page.text  # the athletes are in the file that cannot be read
    cli_said = " ".join(runner.invoke(cli, ["plan"]).output.split())
    assert "athlete 'anna': missing max_hr; add it or rerun `stridelift init`" in cli_said
    config.write_text(good.replace("[athletes.anna.runs]",
                                   "[athletes.anna.weights]\nbarbell_squatt = 60.0\n\n"
                                   "[athletes.anna.runs]"))
    page = c.get("/a/anna/week")
    assert page.status_code == 500 and "[weights] names unknown exercise(s) barbell_squatt; " \
        "correct [weights] in config.toml on the computer that runs stridelift" in \
        html.unescape(page.text) and "`stridelift" not in page.text
    assert 'href="/a/anna/races"' in page.text  # the athlete's menu, its pages that work
    cli_said = " ".join(runner.invoke(cli, ["plan"]).output.split())
    assert "barbell_squatt; `stridelift exercises` lists the ids" in cli_said


def test_a_config_error_s_page_offers_only_links_that_work(athlete: Home) -> None:
    """config.toml broken, or naming an exercise no plan has: the page offered Coach, Home
    and (for the exercise) every page of the athlete's menu, which failed the same way. It
    offers only what answers meanwhile: nothing when the file cannot be read, the Races page
    when no plan can be made; Log out still works."""
    assert runner.invoke(cli, [*INIT[:3], "bob", *INIT[4:]]).exit_code == 0  # Coach's menu
    c = logged_in_client(athlete)
    config = athlete.config.paths.config_file
    good = config.read_text()
    unknown_exercise = good.replace("[athletes.anna.runs]", "[athletes.anna.weights]\n"
                                    "barbell_squatt = 60.0\n\n[athletes.anna.runs]")
    for broken, offered in ((re.sub(r"(?m)^max_hr = .*\n", "", good), []),
                            (unknown_exercise, ["/a/anna/races"])):
        config.write_text(broken)
        for path in ("/a/anna/week", "/a/anna/report", "/coach"):
            page = c.get(path)
            assert page.status_code == 500 and "The configuration needs fixing" in page.text
            links = [link for link in re.findall(r'href="([^"]+)"', page.text)
                     if link not in ("/static/style.css", "data:,")]
            assert links == (offered if path != "/coach" else []), (path, links)
            assert all(c.get(link).status_code == 200 for link in links)
            assert 'action="/logout"' in page.text


def test_a_config_error_on_a_session_page_is_the_config_page_not_a_missing_session(
        athlete: Home) -> None:
    """A [weights] naming no exercise, met on a session's page: the configuration's page
    (500, its line and the fix on the server), where it was "Not found" (404) as if the
    session were gone; a session that is gone is still a 404."""
    c = client(athlete)
    s = future_strength(athlete)
    config = athlete.config.paths.config_file
    config.write_text(config.read_text().replace(
        "[athletes.anna.runs]", "[athletes.anna.weights]\nbarbell_squatt = 60.0\n\n"
        "[athletes.anna.runs]"))
    page = c.get(path_of(s))
    assert page.status_code == 500 and "The configuration needs fixing" in page.text
    assert "barbell_squatt; correct [weights] in config.toml on the computer that runs " \
        "stridelift" in html.unescape(page.text) and "Not found" not in page.text


@pytest.mark.parametrize("error, code, heading", [
    (NoSession("no session 'x'", SESSION_IDS), 404, "Not found"),
    (Settled("session x is already done"), 409, "Cannot do that"),
    (PlanError("RPE 11 is off the scale: 0-10 (CR-10)"), 400, "Cannot do that")])
def test_a_refusal_escaping_a_page_gets_its_own_page_not_the_config_one(
        athlete: Home, error: PlanError, code: int, heading: str) -> None:
    """Every PlanError a page lets through was the configuration's page ("cannot be read" to
    a visitor, 500): each refusal has its own status code and its line in the web's words;
    only a configuration the plan cannot be made from is the configuration's page."""
    app = create_app(athlete, require_login=False)

    def refuses(request: Request) -> Response:
        raise error
    app.router.routes.insert(0, Route("/a/anna/refused", refuses))
    page = TestClient(app).get("/a/anna/refused")
    assert page.status_code == code and f"<h1>{heading}</h1>" in page.text
    assert error.on_web() in html.unescape(page.text) and "configuration" not in page.text


def test_damaged_samples_are_a_page_saying_to_rebuild_on_the_server(athlete: Home,
                                                                   tmp_path: Path) -> None:
    """Stored samples damaged (disk, a hand edit) met by a page's analysis: a 500 page with
    the activity, what is wrong and the command to run on the server, where it was a bare
    500. The week's page and the report's keep the athlete's menu (they had none), but only
    its pages that make no plan: the others read the samples too (they offered all, each
    failing the same way)."""
    (tmp_path / "a.fit").write_bytes(run_fit(datetime.now(UTC) - timedelta(days=3), [
        LapSpec(600, 2.8, 135, "warmup"), LapSpec(1800, 3.2, 150, "active")], seed=1))
    assert runner.invoke(cli, ["import", str(tmp_path)]).exit_code == 0
    with transaction(athlete.db) as db:
        stream = db.scalars(select(m.Stream)).one()
        samples = stream.heart_rate
        assert samples is not None
        stream.heart_rate = samples[: len(samples) // 2]
        activity_id = stream.activity_id
    for page in (client(athlete).get("/a/anna/week"), client(athlete).get("/a/anna/report")):
        assert page.status_code == 500 and "The database needs repair" in page.text
        assert f"activity {activity_id} of " in page.text and "samples are damaged" in page.text
        assert "run stridelift db rebuild on the computer that runs stridelift: it recreates " \
            "them from the raw store" in page.text and "`stridelift" not in page.text
        assert 'href="/a/anna/races"' in page.text and MENU not in page.text
        assert client(athlete).get("/a/anna/races").status_code == 200
    cli_said = " ".join(runner.invoke(cli, ["plan"]).output.split())
    assert "samples are damaged" in cli_said and \
        "`stridelift db rebuild` recreates them from the raw store" in cli_said


def test_a_database_locked_past_the_busy_timeout_is_a_503_to_try_again_not_a_repair(
        athlete: Home, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process (the nightly run, an import) holding the database's write lock past
    the busy timeout: nothing is wrong and the skip was not saved, so the page is a 503 saying
    the database is busy and to try again in a moment, where it read "The database needs
    repair" (500), then "run this again when it has finished" (the CLI's words, which
    `stridelift skip` still says)."""
    monkeypatch.setattr(db_session, "BUSY_TIMEOUT_MS", 0)  # give up at once, not in 10 s
    c = client(athlete)
    s = future_strength(athlete)
    token = csrf(c, path_of(s))
    holder = sqlite3.connect(home / "stridelift.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's write transaction
    try:
        page = c.post(path_of(s) + "/skip", data={"csrf": token})
        cli_said = runner.invoke(cli, ["skip", s["id"]])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert page.status_code == 503 and "<h1>The database is busy</h1>" in page.text
    assert "stayed locked by another process for 0 s, so what was being written then was " \
        "not saved (what was saved before stays); try again in a moment (reload the page)" \
        in page.text
    assert "repair" not in page.text and "run this again" not in page.text
    assert MENU in page.text  # the athlete's menu, as on every page of theirs
    assert cli_said.exit_code == 1 and "(what was saved before stays); run this again when " \
        "it has finished" in " ".join(cli_said.output.split())
    assert stored(athlete, s["id"])[0] != "skipped"  # not saved


# The fix of a SQLite file deleted, replaced or damaged, in each front end's words: its -wal
# and -shm files moved aside with it (a -wal a killed process left, SQLite applies to the
# file put in its place: the backup copied there read the old pages)
PUT_BACK_WEB = "on the computer that runs stridelift, stop stridelift serve and the daemon " \
    "(they hold the file open), move the file there aside with its -wal and -shm files, then " \
    "copy your backup to its place or run stridelift db rebuild there to recreate the " \
    "activities and wellness days from the raw store in a new one, then start them again"
PUT_BACK_CLI = "stop stridelift serve and the daemon, move the file there aside with its -wal " \
    "and -shm files, then copy your backup (`stridelift db backup`) to its place or run " \
    "`stridelift db rebuild` to recreate the activities and wellness days from the raw store " \
    "in a new one, then start them again"
# A file that is not a SQLite database where the database is opened: a mistyped path as
# likely as the database replaced, and the fix of either
NOT_SQLITE_CLI = " is not a SQLite database; check the database URL in config.toml and " \
    "STRIDELIFT_DB_URL (a mistyped path?), or, if it is the database's path, " + PUT_BACK_CLI


def repair_page(page: httpx2.Response) -> str:
    """The page of a database that needs repair, as one line: a 500 under no menu (every
    page of the athlete's fails the same way), without a Home button either."""
    assert page.status_code == 500 and "<h1>The database needs repair</h1>" in page.text
    assert 'href="/a/anna/' not in page.text and 'href="/"' not in page.text, page.text
    assert "`stridelift" not in page.text
    return " ".join(html.unescape(page.text).split())


@pytest.mark.parametrize("replacement", [None, b"not a database, whatever its name says" * 10])
def test_a_database_deleted_or_replaced_while_the_app_runs_is_the_repair_page(
        athlete: Home, home: Path, replacement: bytes | None) -> None:
    """The database's file deleted (a new connection makes an empty one) or replaced by
    another file while the app runs: every page and form was a bare 500 ("no such table");
    it is the page of a database that needs repair, saying what happened and what to run on
    the server, at once: a pooled connection went on answering from the file deleted (the
    week shown, a skip saved there). Its fix stops the server and the daemon first (a file
    copied over one they hold open can be damaged), and moves the file there aside (a
    rebuild cannot write into a foreign file). Its menu offered every page, each failing
    the same way: it offers none. The CLI, opening the file replaced, says it is not a
    SQLite database, with the fix of a mistyped path too (it cannot tell them apart there),
    where it said to "point it at another file or restore a backup"."""
    c = client(athlete)
    s = future_strength(athlete)
    token = csrf(c, path_of(s))
    for part in home.glob("stridelift.db*"):
        part.unlink()
    if replacement is not None:
        (home / "stridelift.db").write_bytes(replacement)
    said = "no such table" if replacement is None else "file is not a database"
    for page in (c.get("/a/anna/week"), c.get("/a/anna/report"),
                 c.post(path_of(s) + "/skip", data={"csrf": token})):
        assert "is missing stridelift's data (" + said in repair_page(page)
        assert "it was deleted or replaced, or a table dropped; " + PUT_BACK_WEB in \
            repair_page(page)
    if replacement is not None:  # as it opens the file, the CLI cannot tell it from a typo
        cli_said = runner.invoke(cli, ["plan"])
        assert cli_said.exit_code == 1 and " ".join(cli_said.output.split()) == \
            f"error: {home / 'stridelift.db'}{NOT_SQLITE_CLI}"


def test_a_table_dropped_is_the_repair_page_on_either_database(
        db_url: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table dropped under the running app: SQLite's "no such table" was the repair page,
    PostgreSQL's UndefinedTable a bare 500. Both are the repair page, each with its own fix
    (PostgreSQL has no file to copy); the CLI, which gave a traceback, says the same."""
    monkeypatch.setenv("STRIDELIFT_DB_URL", db_url)
    assert runner.invoke(cli, INIT).exit_code == 0
    h = Home.open()
    c = client(h)
    assert c.get("/a/anna/week").status_code == 200
    with h.db() as db, db.begin():
        db.execute(text("DROP TABLE lifts"))
    said = repair_page(c.get("/a/anna/week"))
    cli_said = " ".join(runner.invoke(cli, ["plan"]).output.split())
    assert "is missing stridelift's data (" in said and "is missing stridelift's data (" in \
        cli_said
    if db_url.startswith("sqlite"):
        assert "(no such table: lifts)" in said and PUT_BACK_WEB in said
        assert PUT_BACK_CLI in cli_said
    else:
        assert '(relation "lifts" does not exist): ' in said  # not the statement after it
        assert "on the computer that runs stridelift, stop stridelift serve and the daemon, " \
            "restore the database from your backup (pg_restore) or drop it, create it empty " \
            "and run stridelift db rebuild there to recreate" in said
        assert "or drop it, create it empty and run `stridelift db rebuild` to recreate" in \
            cli_said


def test_a_damaged_database_file_is_the_repair_page(athlete: Home, home: Path) -> None:
    """SQLite's "database disk image is malformed" (a disk fault, a copy taken mid-write)
    met by the running app was a bare 500: it is the repair page saying the file is damaged,
    to move it aside and put a backup in its place or rebuild into a new one; the CLI says
    the same."""
    c = client(athlete)
    assert c.get("/a/anna/week").status_code == 200
    db_file = home / "stridelift.db"
    with sqlite3.connect(db_file) as con:  # the log folded into the file, emptied
        assert con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        size = con.execute("PRAGMA page_size").fetchone()[0]
    assert pages > 4
    with db_file.open("r+b") as f:  # the pages after the schema's overwritten
        f.seek(size * 3)
        f.write(b"\x07" * size * (pages - 3))
    said = repair_page(c.get("/a/anna/week"))
    assert "is damaged (database disk image is malformed); " + PUT_BACK_WEB in said
    cli_said = runner.invoke(cli, ["plan"])
    assert cli_said.exit_code == 1 and "is damaged (database disk image is malformed); " + \
        PUT_BACK_CLI in " ".join(cli_said.output.split())


def test_the_database_s_folder_deleted_is_the_repair_page(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The data folder (the database's, apart from config.toml's) deleted while the app
    runs: SQLite's "unable to open database file" was a bare 500. It is the repair page
    naming the folder gone and the one fix there is (the raw store, kept in that folder by
    default, goes with it: no rebuild): the folder put back from a backup."""
    data = tmp_path / "data"
    monkeypatch.setenv("STRIDELIFT_DB_URL", f"sqlite:///{data / 'stridelift.db'}")
    assert runner.invoke(cli, INIT).exit_code == 0
    h = Home.open()
    c = client(h)
    assert c.get("/a/anna/week").status_code == 200
    shutil.rmtree(data)
    said = repair_page(c.get("/a/anna/week"))
    assert f"(unable to open database file): its folder {data} is gone; on the computer " \
        "that runs stridelift, stop stridelift serve and the daemon, put the folder back " \
        "from your backup, then start them again (started without it, they make a new, " \
        "empty database)" in said


def test_an_older_backup_put_in_place_says_a_restart_migrates_it(
        athlete: Home, home: Path, tmp_path: Path) -> None:
    """A backup from an older version copied over the database while the app runs: the
    page said it "no longer holds stridelift's data" and to rebuild, where a restart
    migrates it. It says the database is an older one, its schema and this version's, and
    to restart; a new start does migrate it and the week shows."""
    c = client(athlete)
    assert c.get("/a/anna/week").status_code == 200
    older = tmp_path / "older.db"
    assert runner.invoke(cli, ["db", "backup", str(older)]).exit_code == 0
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(db_session.MIGRATIONS))
    engine = create_engine(f"sqlite:///{older}")
    with engine.begin() as conn:  # before 0015 added activities.recording
        cfg.attributes["connection"] = conn
        alembic_command.downgrade(cfg, "0014")
    engine.dispose()
    for part in home.glob("stridelift.db*"):
        part.unlink()
    shutil.copy(older, home / "stridelift.db")
    said = repair_page(c.get("/a/anna/week"))
    assert f"is an older stridelift database (schema 0014, this version's is " \
        f"{db_session.head_revision()}), put in place since it was opened; on the computer " \
        "that runs stridelift, stop stridelift serve and the daemon and start them again: " \
        "they bring it to this version as they start" in said
    assert "missing" not in said and "rebuild" not in said
    assert client(Home.open()).get("/a/anna/week").status_code == 200  # started again


def test_a_database_a_newer_stridelift_migrated_says_so_not_to_replace_it(
        db_url: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A newer stridelift migrated the database while this one served (the package upgraded,
    one of its commands run), renaming a table: the page said the database "is missing
    stridelift's data" and to move it aside and rebuild (the training log lost). It says it
    is a newer stridelift's and to run that one; this version's CLI, which said it "is not a
    stridelift database", says the same."""
    monkeypatch.setenv("STRIDELIFT_DB_URL", db_url)
    assert runner.invoke(cli, INIT).exit_code == 0
    h = Home.open()
    c = client(h)
    assert c.get("/a/anna/week").status_code == 200
    newer = f"{int(db_session.head_revision() or '') + 1:04d}"
    with h.db() as db, db.begin():
        db.execute(text("UPDATE alembic_version SET version_num = :newer"), {"newer": newer})
        db.execute(text("ALTER TABLE lifts RENAME TO lifts_done"))
    said = repair_page(c.get("/a/anna/week"))
    is_newer = f"is a newer stridelift's (schema {newer}, this version's is " \
        f"{db_session.head_revision()}); "
    assert is_newer + "on the computer that runs stridelift, stop stridelift serve and the " \
        "daemon and start them again from the newer stridelift that migrated it, or put back " \
        "a backup this version made" in said
    assert "missing" not in said and "rebuild" not in said
    cli_said = runner.invoke(cli, ["plan"])
    assert cli_said.exit_code == 1 and is_newer + "use the newer stridelift that migrated it " \
        "(stridelift serve and the daemon too), or put back a backup this version made" in \
        " ".join(cli_said.output.split())


def test_a_statement_s_own_error_on_a_whole_database_is_no_repair_page(
        db_url: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A statement naming a column or table the database, ours at this version's schema and
    whole, does not have (a bug, a migration that missed a column): the page said the database
    "is missing stridelift's data" and to move it aside and rebuild it (the training log
    lost), the CLI the same. It stays the server's error, its traceback in the log."""
    monkeypatch.setenv("STRIDELIFT_DB_URL", db_url)
    assert runner.invoke(cli, INIT).exit_code == 0
    h = Home.open()
    app = create_app(h, require_login=False)

    def buggy(request: Request) -> Response:
        with h.db() as db:
            db.execute(text(request.query_params["sql"]))
        raise AssertionError("the statement ran")
    app.router.routes.insert(0, Route("/a/anna/buggy", buggy))
    for sql in ("SELECT recorded_by FROM lifts", "SELECT 1 FROM lift_sets"):
        with pytest.raises(DBAPIError):  # not turned into a page: the server logs it
            TestClient(app).get("/a/anna/buggy", params={"sql": sql})
        with pytest.raises(DBAPIError), user_errors(), h.db() as db:  # the CLI's the same
            db.execute(text(sql))


def test_the_report_page_words_the_max_hr_warnings_fix_for_the_web(athlete: Home,
                                                                   tmp_path: Path) -> None:
    """A run with HR held above the profile's max: its stored reason holds the fact and its
    numbers; the report page says to set max_hr on the server, where the stored text named
    `stridelift init --max-hr N`; the CLI's report file still names the command."""
    (tmp_path / "a.fit").write_bytes(run_fit(datetime.now(UTC) - timedelta(days=3), [
        LapSpec(600, 2.8, 140, "warmup"), LapSpec(900, 3.2, 198)], seed=1))
    assert runner.invoke(cli, ["import", str(tmp_path)]).exit_code == 0
    page = client(athlete).get("/a/anna/report").text
    with athlete.db() as db:
        [reasons] = db.scalars(select(m.RunClass.reasons)).all()
    [warning] = [r for r in reasons if r.startswith("check your max HR: ")]
    assert "above your max HR 190 in the profile" in warning and "stridelift" not in warning
    hover = " ".join(re.sub(r"(\\u003cbr\\u003e|<br>)(&nbsp;)*", " ", page).split())
    assert "set max_hr in config.toml on the computer that runs stridelift to your real max" \
        in hover and "--max-hr" not in page
    out = tmp_path / "report.html"
    assert runner.invoke(cli, ["report", "--out", str(out)]).exit_code == 0
    assert "`stridelift init --max-hr N`" in html.unescape(out.read_text())


def test_the_report_page_offers_ranges_and_refuses_one_it_does_not_offer(
        athlete: Home, tmp_path: Path) -> None:
    """The report page held 16 weeks back and 2 ahead, no other: its links offer 8 weeks,
    16 (the CLI's default, the page's own), a year and everything stored (a run 400 days
    ago); a range no link sends is a 400 page saying which there are, not a 500."""
    ran = datetime.now(UTC) - timedelta(days=400)
    (tmp_path / "a.fit").write_bytes(run_fit(ran, [LapSpec(1800, 2.8, 140)], seed=1))
    assert runner.invoke(cli, ["import", str(tmp_path)]).exit_code == 0
    c, today = client(athlete), today_utc()

    def shown(path: str) -> tuple[str, list[str]]:
        page = c.get(path)
        assert page.status_code == 200, page.text[:300]
        first = re.search(r"<b>anna</b> · (\d\d \w+ \d{4}) – ", page.text)
        assert first is not None
        return first[1], re.findall(r"<a href='\?weeks=(\w+)' aria-current=page>", page.text)
    assert shown("/a/anna/report") == (f"{today - timedelta(weeks=16):%d %b %Y}", ["16"])
    for weeks, first in (("8", today - timedelta(weeks=8)), ("52", today - timedelta(weeks=52)),
                         ("all", ran.date())):
        assert shown(f"/a/anna/report?weeks={weeks}") == (f"{first:%d %b %Y}", [weeks])
    assert all(f"?weeks={w}'>{words}</a>" in c.get("/a/anna/report?weeks=all").text
               for w, words in (("8", "8 weeks"), ("16", "16 weeks"), ("52", "a year")))
    refused = c.get("/a/anna/report?weeks=9999")
    assert refused.status_code == 400 and "no report range &#39;9999&#39;: the report shows " \
        "8 weeks, 16 weeks, a year or everything (its links)" in refused.text
    assert "style-src 'unsafe-inline'" not in refused.headers["content-security-policy"]


def test_the_report_page_and_the_report_command_share_one_default_range(
        athlete: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The web's Report page by default and `stridelift report` without --from/--to cover
    the same days, from one pair of constants (jobs.defaults): the page held a copy of the
    command's, so a change to one left the other behind."""
    out = tmp_path / "report.html"

    def ranges() -> tuple[str, str]:
        assert runner.invoke(cli, ["report", "--out", str(out)]).exit_code == 0
        pattern = r"<b>anna</b> · (\d\d \w+ \d{4} – \d\d \w+ \d{4})"
        cli_range, web_range = (re.search(pattern, page) for page in (
            out.read_text(), client(athlete).get("/a/anna/report").text))
        assert cli_range is not None and web_range is not None
        return cli_range[1], web_range[1]
    today = today_utc()
    default = f"{today - timedelta(weeks=16):%d %b %Y} – {today + timedelta(weeks=2):%d %b %Y}"
    assert ranges() == (default, default)
    monkeypatch.setattr("jobs.defaults.REPORT_WEEKS_AHEAD", 5)
    ahead = f"{today - timedelta(weeks=16):%d %b %Y} – {today + timedelta(weeks=5):%d %b %Y}"
    assert ranges() == (ahead, ahead)


def test_a_pin_s6_would_undo_names_the_unpin_button_on_the_web(athlete: Home) -> None:
    """A session pinned on a day a new template makes a speed day: pinning it says S6 would
    move it, and how to let it: `stridelift unpin ID` on the CLI, the Unpin button on the
    page."""
    s = future_strength(athlete)
    assert runner.invoke(cli, ["pin", s["id"]]).exit_code == 0
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    runs = f"{days[s['day'].weekday()]}=speed,{days[(s['day'].weekday() + 3) % 7]}=long"
    assert runner.invoke(cli, ["init", "--non-interactive", "--name", "anna", "--runs", runs]
                         ).exit_code == 0
    c = client(athlete)
    pinned = c.post(path_of(s) + "/pin", data={"csrf": csrf(c, path_of(s)), "pinned": "1"})
    assert pinned.status_code == 303
    flash = html.unescape(c.get(pinned.headers["location"]).text)
    assert "but S6 would move it: speed run on" in flash and "; Unpin lets the plan move it" \
        in flash and "stridelift unpin" not in flash
    cli_said = " ".join(runner.invoke(cli, ["pin", s["id"]]).output.split())
    assert f"; `stridelift unpin {s['id']}` lets the plan move it" in cli_said


def test_login_rules(athlete: Home) -> None:
    assert runner.invoke(cli, ["serve", "--set-password"],
                         input="correct horse\ncorrect horse\n").exit_code == 0
    path = password_path(athlete)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "correct horse" not in path.read_text() and path.read_text().startswith("scrypt$")
    assert check_password(athlete, "correct horse") and not check_password(athlete, "wrong")
    c = client(athlete, require_login=True)
    assert c.get("/a/anna/week").headers["location"] == "/login"
    assert c.post("/a/anna/session/x%231/skip", data={}).status_code == 403
    token = csrf(c, "/login")
    assert c.post("/login", data={"password": "correct horse"}).status_code == 403  # no token
    for _ in range(MAX_FAILURES):
        assert c.post("/login", data={"csrf": token, "password": "guess"}).status_code == 401
    blocked = c.post("/login", data={"csrf": token, "password": "correct horse"})
    assert blocked.status_code == 429  # even the right one, for a minute
    fresh = client(athlete, require_login=True)
    token = csrf(fresh, "/login")
    ok = fresh.post("/login", data={"csrf": token, "password": "correct horse"})
    assert ok.status_code == 303
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert fresh.get("/a/anna/week").status_code == 200
    assert CSRF.search(fresh.get("/a/anna/week").text)[1] != token  # type: ignore[index]


def test_the_service_worker_is_served_from_the_root_without_a_login(athlete: Home) -> None:
    worker = client(athlete, require_login=True).get("/sw.js")  # its updates come logged out
    assert worker.status_code == 200 and worker.headers["content-type"].startswith(
        "text/javascript") and "function forgetPages" in worker.text


def test_an_upgrade_s_scripts_and_style_are_used_at_once(athlete: Home) -> None:
    """/static/ said nothing of caching: a browser kept its scripts by their age (a tenth of
    it, days for an installed package's files), so a new page ran with the old script."""
    c = client(athlete)
    for name in ("session.js", "app.js", "style.css"):
        kept = c.get(f"/static/{name}")
        assert kept.status_code == 200 and kept.headers["cache-control"] == "no-cache", name
        again = c.get(f"/static/{name}", headers={"If-None-Match": kept.headers["etag"]})
        assert again.status_code == 304  # asked again, it costs a header, not the file


def test_serve_needs_a_password_beyond_this_machine(athlete: Home) -> None:
    for args in (["--host", "0.0.0.0"], ["--behind-proxy"]):  # noqa: S104
        result = runner.invoke(cli, ["serve", *args])
        assert result.exit_code == 2 and "--set-password" in result.output
    short = runner.invoke(cli, ["serve", "--set-password"], input="short\nshort\n")
    assert short.exit_code == 2 and "at least" in short.output
    assert not password_path(athlete).exists()
    set_password(athlete, "a long enough one")
    assert "reverse proxy" in runner.invoke(cli, ["serve", "--help"]).output


def test_a_port_in_use_is_one_line_before_anything_starts(athlete: Home) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for command in (["serve"], ["daemon", "--serve"]):
            result = runner.invoke(cli, [*command, "--port", port])
            assert result.exit_code == 1, result.output
            assert f"cannot listen on 127.0.0.1:{port}: Address already in use;" in result.output
            assert result.output.count(port) == 1  # the address said once
            assert "stridelift on http" not in result.output  # not claimed to run
    with create_engine(athlete.config.database_url()).connect() as db:  # nothing scheduled
        assert JOB_TABLE not in inspect(db).get_table_names()


@pytest.mark.parametrize("command", [["serve"], ["daemon"], ["daemon", "--serve"]])
def test_a_database_it_cannot_use_stops_the_server_at_its_start_in_one_line(
        athlete: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        command: list[str]) -> None:
    """Since the home opens its database on first use, `serve` started on a database it
    cannot use and answered every page with a 500 (a traceback each in its log); the daemon
    died in a traceback from its job store. Both said it in one line at their start before,
    now with the fix of a file replaced and of a mistyped path, the likelier there (it said
    "it was deleted or replaced": the file named is no database at all)."""
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database, whatever its name says" * 10)
    monkeypatch.setenv("STRIDELIFT_DB_URL", f"sqlite:///{broken}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.run([sys.executable, "-m", "stridelift", *command, "--port", str(port)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200"})
    said = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "Traceback" not in said, said
    # a mistyped path as likely as a file replaced: the fix of either (db.session.unusable)
    assert f"error: {broken}{NOT_SQLITE_CLI}" in " ".join(said.split())
    assert "stridelift on http" not in said  # not claimed to run


def test_a_new_home_s_folder_is_the_owner_s_alone_whatever_writes_it_first(
        home: Path) -> None:
    """Home.open made the data folder 0700; opened on first use now, the folder was made by
    whatever wrote there first: the web password (`serve --set-password` on a new home) or
    the web app's key made it with the umask's mode (0755), readable by every user."""
    before = os.umask(0o022)
    try:
        result = runner.invoke(cli, ["serve", "--set-password"],
                               input="correct horse\ncorrect horse\n")
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        assert not (home / "stridelift.db").exists()  # no database asked for, none made
        home.joinpath(password_path(Home.open()).name).unlink()
        home.rmdir()
        client(Home.open())  # the app's key, kept in the home
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
        assert (home / SESSION_KEY_FILE).exists()
    finally:
        os.umask(before)


def test_a_host_that_is_no_address_here_is_one_line(athlete: Home) -> None:
    set_password(athlete, "a long enough one")  # off this machine: a login first
    result = runner.invoke(cli, ["serve", "--host", "no-such-host.invalid"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "cannot listen on no-such-host.invalid:8765: " in result.output


def test_daemon_serves_the_app_beside_the_scheduler(athlete: Home, tmp_path: Path) -> None:
    """`daemon --serve`: one process answers the page and holds the nightly job, and stops
    cleanly on SIGTERM (the page's day is the machine's: only the answer is checked)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "daemon.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "stridelift", "daemon", "--serve",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "COLUMNS": "200"})
        try:
            answer = None
            for _ in range(300):
                try:
                    answer = httpx2.get(f"http://127.0.0.1:{port}/a/anna/week", timeout=30)
                    break
                except httpx2.TransportError:
                    time.sleep(0.1)
            assert answer is not None and answer.status_code == 200
            assert "This week" in answer.text
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
    text = log.read_text()
    assert code == 0, text
    assert text.count("nightly run for anna:") == 1  # its next run said once
    assert "nightly run for anna: scheduled, next at" in text and f"127.0.0.1:{port}" in text


def test_an_open_app_answers_only_its_loopback_names(athlete: Home) -> None:
    """No login on 127.0.0.1: a hostile page that rebinds its own name to 127.0.0.1 still
    sends its own Host, and is refused."""
    app = create_app(athlete, require_login=False, allowed_hosts=LOOPBACK_NAMES)
    local = TestClient(app, base_url="http://127.0.0.1:8765", follow_redirects=False)
    assert local.get("/a/anna/status").status_code == 200
    rebound = TestClient(app, base_url="http://evil.example:8765", follow_redirects=False)
    assert rebound.get("/a/anna/status").status_code == 400


def races_of(h: Home) -> list[tuple[str, str, str]]:
    """(date, distance, priority) of the entered races, as saved in the configuration."""
    return [(r.day.isoformat(), r.distance, r.priority)
            for r in load(h.config.paths).athletes["anna"].races]


def test_a_move_into_a_races_last_days_says_so(athlete: Home) -> None:
    # S6 allows the day, but a race's last days keep it free of heavy lower-body and
    # plyometric work (RULES.md "Races"): the move options said only "S6 allows it", and a
    # session the runner moves there is pinned, so the races' rules do not lighten it.
    profile = athlete.athlete(None)
    s = future_strength(athlete)
    options = web_pages.session_page(athlete, profile, today_for(profile), s["id"])["options"]
    day = next(o.day for o in options if o.legal)
    race = day + timedelta(days=2)  # a C race: its last 2 days; the day before it is S6's
    assert runner.invoke(cli, ["race", "add", f"{race.isoformat()}:10k:C"]).exit_code == 0
    profile = athlete.athlete(None)  # with the race
    options = web_pages.session_page(athlete, profile, today_for(profile), s["id"])["options"]
    there = next(o for o in options if o.day == day)
    assert not there.why and there.caution is not None
    assert there.caution.startswith(f"C race (10k) on {race:%a %d %b}: 2 days before it")
    eve = next(o for o in options if o.day == race - timedelta(days=1))
    assert eve.caution and eve.why  # its other last day: S6's already (the eve of a race)
    c = client(athlete)
    assert there.legal and "S6 allows it; but C race (10k)" in html.unescape(
        c.get(path_of(s)).text)
    moved = c.post(path_of(s) + "/move", data={"csrf": csrf(c, path_of(s)),
                                              "day": day.isoformat()})
    assert moved.status_code == 303
    assert f"moved to {day:%a %d %b} and pinned; but C race (10k)" in html.unescape(
        c.get(path_of(s)).text)


def test_races_are_added_listed_and_removed_as_the_cli_does(athlete: Home) -> None:
    c = client(athlete)
    page = c.get("/a/anna/races")
    assert page.status_code == 200 and "No races yet" in page.text
    assert 'href="/a/anna/races"' in c.get("/a/anna/week").text  # in the nav
    token = CSRF.search(page.text)[1]  # type: ignore[index]
    race = {"csrf": token, "day": "2027-02-17", "distance": "10k", "priority": "A"}
    for flash in ("added the A race 10k on Wed 17 Feb 2027: the plan follows it",
                  "the A race 10k on Wed 17 Feb 2027 is entered already: no change"):
        added = c.post("/a/anna/races/add", data=race)  # a double tap adds it once
        assert added.status_code == 303 and added.headers["location"] == "/a/anna/races"
        html = c.get("/a/anna/races").text
        assert flash in html
    assert races_of(athlete) == [("2027-02-17", "10k", "A")]
    assert "Wed 17 Feb 2027 · 10k" in html and "77 days to go" in html  # from Wed 02 Dec
    assert "ladder steps frozen" in html  # what an A race does to the plan
    listed = runner.invoke(cli, ["race", "list", "--json"])
    assert [(r["date"], r["priority"]) for r in json.loads(listed.output)] == [("2027-02-17",
                                                                               "A")]
    assert runner.invoke(cli, ["race", "add", "2027-05-02:half:C"]).exit_code == 0
    coach = c.get("/coach").text
    assert "next race: Wed 17 Feb 2027, A 10k, 77 days to go" in coach
    # the CLI's race, added while the app runs, is listed and kept by the app's next change
    assert "Sun 02 May 2027 · half" in c.get("/a/anna/races").text
    for _ in range(2):  # a double tap removes it once, then says there is nothing to remove
        removed = c.post("/a/anna/races/remove", data={"csrf": token, "day": "2027-02-17"})
        assert removed.status_code == 303
    assert races_of(athlete) == [("2027-05-02", "half", "C")]
    assert "no race on 2027-02-17 (entered: 2027-05-02); nothing to remove (already " \
        "removed?)" in c.get("/a/anna/races").text


def test_a_race_added_or_removed_is_saved_with_the_plan_s_changes_or_not_at_all(
        athlete: Home) -> None:
    """The plan's changes failing as they commit (here the database locked at COMMIT; on
    PostgreSQL, a connection lost there): config.toml was saved inside the transaction, so
    a race removed stayed removed while the sessions it changed stayed changed (a second
    try says there is no such race), and a race added stayed entered for a plan that never
    followed it. config.toml is saved once the plan has committed: neither is saved."""
    c = client(athlete)
    assert c.get("/a/anna/week").status_code == 200  # the plan made
    assert runner.invoke(cli, ["race", "add", "2026-12-03:5k:C"]).exit_code == 0
    token = csrf(c, "/a/anna/races")

    def plan() -> list[tuple[str, str, str]]:
        with athlete.db() as db:
            return sorted((r.key, r.status, r.kind) for r in plans.sessions(
                db, repo.athlete(db, athlete.athlete(None)))) + sorted(
                (a.session_key, a.rule, a.action) for a in db.scalars(select(m.AdjustmentRow)))

    def locked_at_commit(_session: Session) -> None:
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))

    before = plan()
    event.listen(Session, "before_commit", locked_at_commit)
    try:
        removed = c.post("/a/anna/races/remove", data={"csrf": token, "day": "2026-12-03"})
        added = c.post("/a/anna/races/add", data={"csrf": token, "day": "2026-12-10",
                                                  "distance": "10k", "priority": "B"})
    finally:
        event.remove(Session, "before_commit", locked_at_commit)
    assert (removed.status_code, added.status_code) == (503, 503)
    assert races_of(athlete) == [("2026-12-03", "5k", "C")] and plan() == before
    assert c.post("/a/anna/races/remove", data={"csrf": token, "day": "2026-12-03"}) \
        .status_code == 303 and races_of(athlete) == [] and plan() != before


def test_a_race_on_the_day_of_another_is_refused_naming_it_unless_replacing(
        athlete: Home) -> None:
    """A race added on the A race's day replaced it as a B race: on the page without a
    word, and on the CLI after the fact. Both refuse it now, naming the race there, and
    replace it only when asked (--replace; Replace on the page)."""
    assert runner.invoke(cli, ["race", "add", "2027-02-17:half"]).exit_code == 0
    assert runner.invoke(cli, ["race", "add", "2027-03-01:5k:C"]).exit_code == 0
    words = ("2027-02-17 already holds the A race half on Wed 17 Feb 2027: one race a day; "
             "replace it")
    result = runner.invoke(cli, ["race", "add", "2027-02-17:10k"])
    assert result.exit_code == 2 and words in result.stderr, result.output
    assert len(result.stderr.splitlines()) == 1 and "race remove 2027-02-17" in result.stderr
    promoted = runner.invoke(cli, ["race", "add", "2027-03-01:5k:A"])  # its priority alone
    assert promoted.exit_code == 2 and "2027-03-01 already holds the C race 5k on Mon 01 Mar " \
        "2027: one race a day; to make it an A race, replace it (`race add --replace`" in \
        promoted.stderr, promoted.output
    c = client(athlete)
    form = {"csrf": csrf(c, "/a/anna/races"), "day": "2027-02-17", "distance": "10k",
            "priority": "B"}
    refused = c.post("/a/anna/races/add", data=form)
    # the same fact, the page's words for the fix: its checkbox and button, no CLI option
    assert refused.status_code == 400 and words.removesuffix("replace it") + "tick Replace to " \
        "replace it, or remove it first (its Remove button)" in html.unescape(refused.text)
    assert "race add" not in refused.text and "race remove" not in refused.text
    assert races_of(athlete) == [("2027-02-17", "half", "A"), ("2027-03-01", "5k", "C")]
    again = {**form, "distance": "half", "priority": "A"}  # the same race: no change
    assert c.post("/a/anna/races/add", data=again).status_code == 303
    replaced = c.post("/a/anna/races/add", data={**form, "replace": "1"})
    assert replaced.status_code == 303
    assert "replaced the A race half on Wed 17 Feb 2027 with the B race 10k" in \
        c.get("/a/anna/races").text
    assert races_of(athlete) == [("2027-02-17", "10k", "B"), ("2027-03-01", "5k", "C")]
    result = runner.invoke(cli, ["race", "add", "2027-02-17:half:A", "--replace"])
    assert result.exit_code == 0 and "replaced the B race 10k on Wed 17 Feb 2027 with the " \
        "A race half" in result.output
    assert races_of(athlete)[0] == ("2027-02-17", "half", "A")


def test_a_race_the_cli_refuses_is_refused_on_the_page(athlete: Home) -> None:
    c = client(athlete)
    token = csrf(c, "/a/anna/races")
    for sent, why in (({"day": "2027-02-17", "distance": "<b>marathon</b>", "priority": "A"},
                       "Distance: &#39;&lt;b&gt;marathon&lt;/b&gt;&#39; must be one of"),
                      ({"day": "2027-02-17", "distance": "10k", "priority": "Z"},
                       "Priority: &#39;Z&#39; must be A, B or C"),
                      ({"day": "17/02/2027", "distance": "10k", "priority": "A"},
                       "Date: &#39;17/02/2027&#39; is not a date (YYYY-MM-DD)"),
                      ({"day": "2062-02-17", "distance": "10k", "priority": "A"},
                       "Date: 2062-02-17 is more than two years ahead: check the year"),
                      ({"day": "2027-02-17", "distance": "", "priority": "A"},
                       "Distance: give its distance, one of")):
        refused = c.post("/a/anna/races/add", data={"csrf": token, **sent})
        assert refused.status_code == 400 and why in refused.text, refused.text
        # the form's fields, not the CLI's DATE:DISTANCE:PRIORITY they are joined into
        assert ":".join(sent.values()) not in html.unescape(refused.text)
        assert "e.g. 2027-" not in refused.text and "race &#39;" not in refused.text
        assert "<b>marathon" not in refused.text and 'class="error"' in refused.text
        assert 'value="' + sent["day"] + '"' in refused.text  # the form as sent, to correct
        assert runner.invoke(cli, ["race", "add", ":".join(sent.values())]).exit_code == 2
    assert races_of(athlete) == []
    bad_day = c.post("/a/anna/races/remove", data={"csrf": token, "day": "soon"})
    assert bad_day.status_code == 400 and "YYYY-MM-DD" in bad_day.text


def test_a_race_form_without_the_csrf_token_is_refused(athlete: Home) -> None:
    c = client(athlete)
    csrf(c, "/a/anna/races")
    assert runner.invoke(cli, ["race", "add", "2027-02-17:10k:A"]).exit_code == 0
    for data in ({"day": "2027-03-01", "distance": "5k", "priority": "C"},
                 {"csrf": "forged", "day": "2027-03-01", "distance": "5k", "priority": "C"}):
        assert c.post("/a/anna/races/add", data=data).status_code == 403
        assert c.post("/a/anna/races/remove", data={**data, "day": "2027-02-17"}).status_code \
            == 403
    assert races_of(athlete) == [("2027-02-17", "10k", "A")]


def test_the_first_race_twice_without_a_priority_stays_a(athlete: Home) -> None:
    """The CLI's default (A for the first race, B after) gives the same race twice the same
    priority: adding it again is no change."""
    for _ in range(2):
        assert runner.invoke(cli, ["race", "add", "2027-02-17:10k"]).exit_code == 0
    assert races_of(athlete) == [("2027-02-17", "10k", "A")]
    assert runner.invoke(cli, ["race", "add", "2027-03-01:5k"]).exit_code == 0
    assert races_of(athlete)[1] == ("2027-03-01", "5k", "B")


def test_sessions_outlive_a_restart(athlete: Home) -> None:
    """The cookies' key is kept in the home (0600): a second app on the same home (a
    restart, or `daemon --serve` beside `serve`) accepts the first one's session."""
    set_password(athlete, "a long enough one")
    first = client(athlete, require_login=True)
    token = csrf(first, "/login")
    assert first.post("/login", data={"csrf": token, "password": "a long enough one"}) \
        .status_code == 303
    key = athlete.config.paths.data_dir / SESSION_KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text()) >= 43
    again = client(Home.open(), require_login=True)
    assert again.get("/a/anna/week").status_code == 303  # no cookie: the login page
    again.cookies = first.cookies
    assert again.get("/a/anna/week").status_code == 200
    key.write_text("short")  # a key too short to trust is made again: everyone logs in anew
    fresh = client(Home.open(), require_login=True)
    fresh.cookies = first.cookies
    assert fresh.get("/a/anna/week").status_code == 303
    assert len(key.read_text()) >= 43 and stat.S_IMODE(key.stat().st_mode) == 0o600


def test_every_page_sees_what_the_cli_saved_while_it_runs(athlete: Home) -> None:
    """The app reads config.toml again only when it changed: a race, a setting or an
    athlete the CLI saves is on the next page, without a restart."""
    c = client(athlete)
    assert "no race ahead" in c.get("/coach").text
    read = athlete.config.athletes
    c.get("/a/anna/week")
    assert athlete.config.athletes is read  # unchanged file: not read again
    assert runner.invoke(cli, ["race", "add", "2027-02-17:10k:A"]).exit_code == 0
    assert "next race: Wed 17 Feb 2027, A 10k" in c.get("/coach").text
    assert athlete.config.athletes is not read
    assert c.get("/a/ben/week").status_code == 404
    ben = [*INIT[:2], "--name", "ben", *INIT[4:]]
    assert runner.invoke(cli, ben).exit_code == 0
    assert c.get("/a/ben/week").status_code == 200
    assert "ben" in c.get("/coach").text
    # a setting: a weight known now gives kilograms where the page said "by feel"
    assert " kg" not in c.get("/a/anna/week").text
    assert runner.invoke(cli, [*INIT, "--weight", "barbell_back_squat=70"]).exit_code == 0
    assert " kg" in c.get("/a/anna/week").text
    config = athlete.config.paths.config_file
    good = config.read_text()
    config.write_text("[athletes\n")  # broken by hand while the app runs
    broken = c.get("/a/anna/week")
    assert broken.status_code == 500 and "not valid TOML" in broken.text
    assert "Traceback" not in broken.text
    assert c.get("/a/anna/nowhere").status_code == 404  # its error page reads no config
    config.write_text(good)
    assert c.get("/a/anna/week").status_code == 200


def test_logging_out_needs_the_token_and_ends_the_session(athlete: Home) -> None:
    c = logged_in_client(athlete)
    token = csrf(c, "/a/anna/week")  # the page's log-out form carries it
    for data in ({}, {"csrf": "forged"}):
        assert c.post("/logout", data=data).status_code == 403
    assert c.get("/a/anna/week").status_code == 200  # still logged in
    out = c.post("/logout", data={"csrf": token})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert c.get("/a/anna/week").headers["location"] == "/login"


def test_an_athlete_name_with_html_never_reaches_a_page_as_html(athlete: Home) -> None:
    refused = runner.invoke(cli, [*INIT[:2], "--name", "<b>x</b>", *INIT[4:]])
    assert refused.exit_code == 2 and "must be 1-64 letters" in refused.output
    assert "Traceback" not in refused.output
    c = client(athlete)
    nobody = c.get("/a/%3Cb%3Ex%3C%2Fb%3E/week")
    assert nobody.status_code == 404 and "<b>x</b>" not in nobody.text
    config = athlete.config.paths.config_file  # a name written into the file by hand
    config.write_text(config.read_text().replace("athletes.anna", 'athletes."<b>x</b>"'))
    page = c.get("/coach")
    assert page.status_code == 500 and "&lt;b&gt;x&lt;/b&gt;" in page.text
    assert "<b>x</b>" not in page.text


def test_an_unknown_readiness_word_is_shown_once_as_not_used(athlete: Home) -> None:
    """It was listed among the inputs used beside the missing line saying it was not."""
    profile = athlete.athlete(None)
    with transaction(athlete.db) as db:
        wellness_days.save_wellness(db, repo.athlete(db, profile), DailyWellness(
            today_for(profile), readiness_level="GREAT", sleep_score=80))
    page = client(athlete).get("/a/anna/status").text
    shown = dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", page))
    assert shown["training readiness"] == "-"
    assert page.count("GREAT") == 1 and "training readiness (unknown level GREAT)" in page
