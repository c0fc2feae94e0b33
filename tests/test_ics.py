"""The calendar feed: every session once, in the athlete's zone, stable across exports, and a
moved session updating its event; plus the `export-ics` command."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer
from icalendar import Calendar, Event
from sqlalchemy import event as orm_event
from typer.testing import CliRunner

from db import models as m
from db import repo
from db.session import transaction
from demo.fitwrite import LapSpec, run_fit
from domain.activity import Activity
from domain.profile import Profile
from ingest import fit
from jobs.calendar_feed import HISTORY_WEEKS, calendar_ics, write_calendar
from jobs.home import Home
from jobs.replan import load_sessions, mark_done, replan
from planner.catalog_file import default_catalog
from planner.model import Adjustment, Prescription, Session, week_start
from stridelift.cli import ics, plan, profile

runner = CliRunner()
TZ = "Europe/Berlin"  # summer time from 30 March 2025: sessions must stay at 18:00 local
WEEKS = 5  # ...so the window reaches past it
SUNDAY = date(2025, 3, 2)  # the night before the plan's first week
LONG_RUN_DAY = SUNDAY + timedelta(days=7)  # a long run on Sunday breaks Monday's session (S6)
STAMP = datetime(2025, 3, 2, 20, 0, tzinfo=UTC)
RUNS = "mon=easy,tue=easy,wed=speed,fri=easy,sat=long"  # Monday after a long run: no legal day
MOVABLE = "mon=easy,wed=easy,fri=easy,sat=long"  # ...here it moves to Tuesday
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", TZ, "--sex", "f", "--max-hr",
        "190", "--rest-hr", "50", "--runs"]


def make_app() -> typer.Typer:
    """`init`, the plan commands and `export-ics`, whether or not cli/__init__ has it yet."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    for module in (profile, plan, ics):
        module.register(app)
    return app


def planned(runs: str) -> tuple[Home, Profile]:
    """An athlete made by `init`, planned on the night before her first week."""
    result = runner.invoke(make_app(), [*INIT, runs])
    assert result.exit_code == 0, result.output
    h = Home.open()
    p = h.athlete("anna")
    with transaction(h.db) as db:
        replan(db, p, SUNDAY, weeks_ahead=WEEKS)
    return h, p


@pytest.fixture
def athlete(home: Path) -> tuple[Home, Profile]:
    return planned(RUNS)


def sessions_of(h: Home, p: Profile) -> dict[str, Session]:
    with h.db() as db:
        return {s.id: s for s in load_sessions(db, repo.athlete(db, p))}


def events_of(path: Path) -> dict[str, Event]:
    events = Calendar.from_ical(path.read_bytes()).events
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events)  # every UID once
    return by_uid


def uid(key: str) -> str:
    return f"{key}.anna@stridelift"


def expected_line(p: Prescription) -> str:
    """The prescription as the description must give it, built independently of the module."""
    e = default_catalog().exercise(p.exercise_id)
    work = f"{p.reps}" if p.reps is not None else f"{p.seconds} s"
    side = " per side" if e.scheme.per_side else ""
    load = f" @ {p.load_kg:g} kg" if p.load_kg else ""
    return f"{e.name}: {p.sets} x {work}{side}{load}, rest {p.rest_s // 60}:{p.rest_s % 60:02d}"


def test_round_trip_every_session_once_in_the_athletes_zone(
        athlete: tuple[Home, Profile], tmp_path: Path) -> None:
    h, p = athlete
    plan_ = sessions_of(h, p)
    strength = [s for s in plan_.values() if s.kind == "strength"]
    with transaction(h.db) as db:
        mark_done(db, repo.athlete(db, p), strength[0].id)
    assert runner.invoke(make_app(), ["skip", strength[1].id]).exit_code == 0
    path = write_calendar(h, p, SUNDAY, WEEKS, tmp_path / "anna.ics", stamp=STAMP)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # health data: private to the user
    cal = Calendar.from_ical(path.read_bytes())
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [TZ]
    events = events_of(path)
    window = {uid(s.id): s for s in plan_.values() if s.day < SUNDAY + timedelta(weeks=WEEKS)}
    assert set(events) == set(window) and len(events) >= 8
    for key, event in events.items():
        s = window[key]
        assert event["DTSTART"].params["TZID"] == TZ
        assert event.start == datetime.combine(s.day, time(18), ZoneInfo(TZ))
        assert event.end > event.start
        summary = str(event["SUMMARY"])
        assert summary == (f"Strength (block {s.block}, week {s.week_in_block})"
                           if s.kind == "strength" else "Mobility & stability")
        text = str(event["DESCRIPTION"])
        assert all(expected_line(x) in text for x in s.exercises), text
        assert event.sequence == (s.id == strength[1].id)
    offsets = {e.start.utcoffset() for e in events.values() if isinstance(e.start, datetime)}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}  # both sides of the change
    assert str(events[uid(strength[0].id)]["STATUS"]) == "CONFIRMED"
    assert "Status: done" in str(events[uid(strength[0].id)]["DESCRIPTION"])
    assert str(events[uid(strength[1].id)]["STATUS"]) == "CANCELLED"


def test_two_exports_differ_only_in_dtstamp(athlete: tuple[Home, Profile],
                                            tmp_path: Path) -> None:
    h, p = athlete
    one = write_calendar(h, p, SUNDAY, path=tmp_path / "one.ics", stamp=STAMP).read_bytes()
    two = write_calendar(h, p, SUNDAY, path=tmp_path / "two.ics",
                         stamp=STAMP + timedelta(hours=5)).read_bytes()
    again = write_calendar(h, p, SUNDAY, path=tmp_path / "two.ics", stamp=STAMP).read_bytes()
    assert again == one
    changed = [(a, b) for a, b in zip(one.splitlines(), two.splitlines(), strict=True) if a != b]
    assert changed and all(a.startswith(b"DTSTAMP:") and b.startswith(b"DTSTAMP:")
                           for a, b in changed)


def _long_run_on(day: date) -> list[Activity]:
    start = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    return fit.decode(run_fit(start, [LapSpec(3600, 3.0, 146), LapSpec(3600, 3.0, 148)]))


@pytest.mark.parametrize("runs, action", [(MOVABLE, "move"), (RUNS, "mobility")])
def test_a_changed_session_keeps_its_uid_with_a_higher_sequence(
        home: Path, tmp_path: Path, runs: str, action: str) -> None:
    h, p = planned(runs)
    before = events_of(write_calendar(h, p, SUNDAY, path=tmp_path / "before.ics", stamp=STAMP))
    with transaction(h.db) as db:
        repo.save_activities(db, repo.athlete(db, p), _long_run_on(LONG_RUN_DAY), "f" * 64)
    with transaction(h.db) as db:
        report = replan(db, p, LONG_RUN_DAY, weeks_ahead=WEEKS)
    [change] = [a for a in report.adjustments if a.night == LONG_RUN_DAY and a.rule == "S6"]
    assert change.action == action  # the S6 change among the night's (S5 notes: week 1 not done)
    s = sessions_of(h, p)[change.session_id]
    after = events_of(write_calendar(h, p, LONG_RUN_DAY, path=tmp_path / "after.ics",
                                     stamp=STAMP))

    old, new = before[uid(s.id)], after[uid(s.id)]
    assert new.start == datetime.combine(s.day, time(18), ZoneInfo(TZ))
    assert (new.start != old.start) == (action == "move")
    assert str(new["SUMMARY"]) == ("Mobility & stability" if action == "mobility"
                                   else str(old["SUMMARY"]))
    assert new.sequence > old.sequence
    text = str(new["DESCRIPTION"])
    assert f"Status: {s.status}" in text and f"S6, {action}" in text
    assert all(f"- {r}" in text for r in change.reasons) and "long run on Sun" in text
    assert all(expected_line(x) in text for x in s.exercises), text
    assert set(before) <= set(after)  # nothing vanished: one event per session


def test_the_feed_holds_a_year_back_and_reads_no_further(
        athlete: tuple[Home, Profile], tmp_path: Path) -> None:
    """Sessions from the Monday a year (HISTORY_WEEKS) before the week of `today` stay in the
    feed, older ones are left out, and only the window's rows are read: a plan of many
    years is not loaded whole each night to write a year of it."""
    h, p = athlete
    first = week_start(SUNDAY) - timedelta(weeks=HISTORY_WEEKS)
    old = {"edge": first, "before": first - timedelta(days=1),
           **{f"older{i}": first - timedelta(weeks=i) for i in range(2, 40)}}
    with transaction(h.db) as db:
        who = repo.athlete(db, p)
        for key, day in old.items():
            db.add(m.PlannedSession(athlete_id=who.id, key=key, day=day, kind="mobility",
                                    status="done", pinned=False, block=1, week_in_block=1,
                                    step=0, exercises=[]))
    loaded: list[str] = []

    def count(row: m.PlannedSession, _: object) -> None:
        loaded.append(row.key)

    orm_event.listen(m.PlannedSession, "load", count)
    try:
        events = events_of(write_calendar(h, p, SUNDAY, WEEKS, tmp_path / "anna.ics",
                                          stamp=STAMP))
    finally:
        orm_event.remove(m.PlannedSession, "load", count)
    assert uid("edge") in events and uid("before") not in events
    assert not {uid(k) for k in old if k.startswith("older")} & set(events)
    assert sorted(loaded) == sorted(k.split(".")[0] for k in events)  # the window's only


def test_text_is_escaped_and_utc_athletes_get_utc_times() -> None:
    p = Profile(name="bo", tz="UTC", sex="m", max_hr=190, rest_hr=50, runs={})
    squat = Prescription("barbell_back_squat", 3, reps=6, load_kg=60, rest_s=180)
    s = Session("2025-03-03#1", date(2025, 3, 4), "strength", 2, 3, (squat,), status="moved")
    hostile = "a; b, c\nBEGIN:VEVENT\\ END:VCALENDAR"
    change = Adjustment(s.id, date(2025, 3, 2), "S6", "move", "x", "y", (hostile,))
    data = calendar_ics([s], [change], p, STAMP)
    lines = data.split(b"\r\n")  # the hostile text opens no component of its own
    assert lines.count(b"BEGIN:VEVENT") == 1 and lines.count(b"END:VCALENDAR") == 1
    [event] = Calendar.from_ical(data).walk("VEVENT")
    assert f"- {hostile}" in str(event["DESCRIPTION"])
    assert "Barbell back squat: 3 x 6 @ 60 kg, rest 3:00" in str(event["DESCRIPTION"])
    assert str(event["SUMMARY"]) == "Strength (block 2, week 3)"
    assert b"DTSTART:20250304T180000Z" in data and b"VTIMEZONE" not in data


def test_export_ics_writes_the_file_and_prints_its_path(athlete: tuple[Home, Profile],
                                                        home: Path, tmp_path: Path) -> None:
    result = runner.invoke(make_app(), ["export-ics"])
    assert result.exit_code == 0, result.output
    path = home / "calendar" / "anna.ics"
    assert result.stdout.strip() == str(path)
    assert events_of(path) and stat.S_IMODE(path.stat().st_mode) == 0o600
    out = tmp_path / "mine.ics"
    result = runner.invoke(make_app(), ["export-ics", "--out", str(out), "--weeks", "2"])
    assert result.exit_code == 0 and result.stdout.strip() == str(out), result.output
    assert events_of(out)


def test_export_ics_bad_input_is_one_clear_line(athlete: tuple[Home, Profile],
                                                tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for args, code, words in [(["--weeks", "0"], 2, "--weeks 0: use 1-12"),
                              (["--out", str(blocker / "x.ics")], 1, "cannot write the calendar"),
                              (["--athlete", "bob"], 2, "no athlete named 'bob'")]:
        result = runner.invoke(make_app(), ["export-ics", *args])
        assert result.exit_code == code, result.output
        assert words in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert list(tmp_path.glob("**/.x.ics.*")) == []  # no temporary file left behind
