"""A changed weekly template, session count or equipment plans the weeks ahead again at once
(the two weeks already planned kept the old template before: sessions on new speed days)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from db import repo
from db.session import open_db, transaction
from jobs.config import load, save_profile
from jobs.replan import PROFILE_RULE, load_sessions, replan, save_sessions
from planner.catalog_file import default_catalog
from planner.model import Session, one_set_fewer
from stridelift.cli import app
from tests.conftest import PINNED
from tests.season_stack import numbers_in_words
from tests.test_plan_job import INIT, MONDAY, P

runner = CliRunner()
NIGHT = MONDAY - timedelta(days=1)  # a Sunday: the plan's weeks all lie ahead
NEW = replace(P, runs={"wed": "speed", "sun": "long"}, strength_sessions=3)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clashes(sessions: list[Session], runs: dict[str, str]) -> list[str]:
    """Strength sessions S6 forbids under `runs`: on a speed or long day, the day before
    speed, the day after long."""
    def kind(day: date) -> str | None:
        return runs.get(DAYS[day.weekday()])
    return [s.id for s in sessions if s.kind == "strength" and (
        kind(s.day) in ("speed", "long") or kind(s.day + timedelta(days=1)) == "speed"
        or kind(s.day - timedelta(days=1)) == "long")]


def _by_week(sessions: list[Session]) -> dict[str, list[Session]]:
    weeks: dict[str, list[Session]] = {}
    for s in sessions:
        weeks.setdefault(s.id.split("#")[0], []).append(s)
    return weeks


def test_a_new_template_plans_the_open_weeks_ahead_again_and_keeps_a_pinned_one(
        db_url: str) -> None:
    factory = open_db(db_url)
    with transaction(factory) as db:
        old = replan(db, P, NIGHT, weeks_ahead=3).plan
        pinned = [s.with_(pinned=True) if s.id.startswith(str(MONDAY + timedelta(days=7)))
                  else s for s in old]
        save_sessions(db, repo.athlete(db, P), pinned)
        assert _clashes(old, NEW.runs)  # the old plan meets the new runs
    with transaction(factory) as db:
        report = replan(db, NEW, NIGHT)
        again = replan(db, NEW, NIGHT)
        now = load_sessions(db, repo.athlete(db, NEW))

    weeks, before = _by_week(now), _by_week(pinned)
    kept = str(MONDAY + timedelta(days=7))
    assert weeks[kept] == before[kept]  # a week holding a pinned session stays as it was
    for monday in (str(MONDAY), str(MONDAY + timedelta(days=14))):
        assert len(weeks[monday]) == 3, weeks[monday]  # 3 sessions a week now
        assert _clashes(weeks[monday], NEW.runs) == []
    changes = [a for a in report.adjustments if a.rule == PROFILE_RULE]
    assert {a.session_id.split("#")[0] for a in changes} == {str(MONDAY),
                                                            str(MONDAY + timedelta(days=14))}
    assert {a.reasons for a in changes} == {(
        "weekly runs mon=easy,tue=easy,wed=speed,fri=easy,sat=long -> wed=speed,sun=long; "
        "strength sessions a week 2 -> 3: the weeks of Mon 03 Mar, Mon 17 Mar planned again",)}
    assert any(a.before == "none" for a in changes)  # the third session of a week, added
    assert again.adjustments == []  # the same profile again changes nothing


def test_a_plan_made_before_the_profile_was_kept_only_takes_it(db_url: str) -> None:
    factory = open_db(db_url)
    with transaction(factory) as db:
        replan(db, P, NIGHT)
        repo.athlete(db, P).plan_basis = None  # as migration 0010 leaves every athlete
    with transaction(factory) as db:
        made = replan(db, NEW, NIGHT).adjustments  # the adaptation's own changes only
        assert made and all(a.rule != PROFILE_RULE for a in made)
        assert repo.athlete(db, NEW).plan_basis == {
            "weekly runs": "wed=speed,sun=long", "strength sessions a week": 3,
            "equipment": "gym"}


def test_init_and_a_hand_edited_config_replan_at_once(home: Path) -> None:
    assert runner.invoke(app, INIT).exit_code == 0
    assert runner.invoke(app, ["plan", "--json"]).exit_code == 0
    said = runner.invoke(app, ["init", "--non-interactive", "--name", "anna",
                               "--runs", "wed=speed,sun=long", "--strength-sessions", "3"])
    assert said.exit_code == 0, said.output
    assert "Plan: the weeks ahead planned again" in said.stdout
    why = json.loads(runner.invoke(app, ["why", "--json"]).stdout)
    assert any(c["rule"] == PROFILE_RULE for c in why), why

    changes = len(why)
    said = runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--max-hr", "188"])
    assert said.exit_code == 0 and "Plan:" not in said.stdout  # not what the plan is made from
    assert len(json.loads(runner.invoke(app, ["why", "--json"]).stdout)) == changes

    config = load()  # now by hand: config.toml edited, then the next plan
    save_profile(config, replace(config.athletes["anna"], equipment="bodyweight"))
    shown = runner.invoke(app, ["plan", "--json"])
    assert shown.exit_code == 0, shown.output
    why = json.loads(runner.invoke(app, ["why", "--json"]).stdout)
    assert any("equipment gym -> bodyweight" in " ".join(c["reasons"]) for c in why), why



def test_the_same_template_in_another_order_plans_nothing_again(db_url: str) -> None:
    factory = open_db(db_url)
    listed = dict(reversed(P.runs.items()))  # `--runs sat=long,...,mon=easy`, or a TOML edit
    assert list(listed) != list(P.runs) and listed == P.runs
    with transaction(factory) as db:
        plan = replan(db, P, NIGHT).plan
        ahead = next(s for s in plan if s.id == f"{MONDAY + timedelta(days=7)}#2")
        moved = ahead.with_(day=ahead.day + timedelta(days=1), status="moved")  # Thu to Fri
        plan = [moved if s.id == ahead.id else s for s in plan]
        save_sessions(db, repo.athlete(db, P), plan)
    with transaction(factory) as db:
        report = replan(db, replace(P, runs=listed), NIGHT)
    assert report.adjustments == []  # before: its week planned again, the move undone
    assert moved in report.plan


def test_less_kit_mid_week_swaps_this_weeks_open_exercises_on_their_days(db_url: str) -> None:
    factory = open_db(db_url)
    wednesday = MONDAY + timedelta(days=2)
    catalog = default_catalog()
    with transaction(factory) as db:
        replan(db, P, NIGHT)
        replan(db, P, wednesday)
        who = repo.athlete(db, P)
        before = load_sessions(db, who)
        thursday = next(s for s in before if s.day == MONDAY + timedelta(days=3))
        lightened = thursday.with_(exercises=one_set_fewer(thursday.exercises))
        save_sessions(db, who, [lightened if s.id == thursday.id else s for s in before])
    travelling = replace(P, equipment="bodyweight")
    with transaction(factory) as db:
        report = replan(db, travelling, wednesday)
        now = {s.id: s for s in load_sessions(db, repo.athlete(db, P))}

    def kit(s: Session) -> set[str]:
        return {catalog.exercise(p.exercise_id).equipment for p in s.exercises}

    assert kit(lightened) != {"bodyweight"}  # the premise: gym work on Thursday
    swapped = now[thursday.id]
    assert kit(swapped) == {"bodyweight"} and swapped.day == thursday.day
    assert [p.sets for p in swapped.exercises] == [p.sets for p in lightened.exercises]
    monday = next(s for s in before if s.day == MONDAY)
    assert now[monday.id] == monday  # a day gone by stays as it was
    assert all(kit(s) == {"bodyweight"} for s in now.values() if s.day > wednesday)
    why = {a.session_id: a for a in report.adjustments if a.rule == PROFILE_RULE}
    assert thursday.id in why and "equipment gym -> bodyweight" in why[thursday.id].reasons[0]


def test_less_kit_swaps_and_records_a_kept_weeks_open_sessions_only(db_url: str) -> None:
    """A week kept for a pinned session swaps its open sessions too, each swap recorded
    (before, only the swaps of the night's own week were)."""
    factory = open_db(db_url)
    catalog = default_catalog()
    later = str(MONDAY + timedelta(days=7))
    with transaction(factory) as db:
        old = replan(db, P, NIGHT, weeks_ahead=3).plan
        first, *rest = [s for s in old if s.id.startswith(later) and s.kind == "strength"]
        save_sessions(db, repo.athlete(db, P),
                      [s.with_(pinned=True) if s.id == first.id else s for s in old])
    with transaction(factory) as db:
        report = replan(db, replace(P, equipment="bodyweight"), NIGHT)
        now = {s.id: s for s in load_sessions(db, repo.athlete(db, P))}

    def kit(s: Session) -> set[str]:
        return {catalog.exercise(p.exercise_id).equipment for p in s.exercises}

    assert rest and all(kit(s) != {"bodyweight"} for s in rest)  # the premise: gym work
    assert now[first.id] == first.with_(pinned=True)  # pinned: as it was
    changed = {a.session_id: a for a in report.adjustments if a.rule == PROFILE_RULE}
    for s in rest:
        assert kit(now[s.id]) == {"bodyweight"} and now[s.id].day == s.day
        assert "equipment gym -> bodyweight" in changed[s.id].reasons[0]
        assert re.search(r"; (1 open session|([2-9]|\d\d+) open sessions) kept, with what the "
                         "equipment no longer allows swapped", changed[s.id].reasons[0])


def test_an_exercise_less_kit_swaps_in_that_is_new_to_the_athlete_starts_with_its_intro(
        db_url: str) -> None:
    """RULES.md S5: the first week of a new exercise is 2 sets at RIR 3, swapped in or not
    (before, a swap mid-week kept 3 sets, and the next week took it as known)."""
    catalog = default_catalog()
    thursday, now = _thursday_before_and_after_a_trip(db_url, week=1)  # past its intro week
    assert {p.phase for p in thursday.exercises} == {"build"}  # the premise
    for was, p in zip(thursday.exercises, now.exercises, strict=True):
        if catalog.exercise(was.exercise_id).equipment == "bodyweight":
            assert p == was  # kept: not new, not swapped
        else:
            assert p.exercise_id != was.exercise_id and p.phase == "intro" and p.sets == 2
            assert p.instruction is not None and p.instruction.startswith("intro week, 2 sets")


def test_more_kit_swaps_nothing_and_says_nothing_of_a_swap(db_url: str) -> None:
    factory = open_db(db_url)
    wednesday = MONDAY + timedelta(days=2)
    home = replace(P, equipment="bodyweight")
    with transaction(factory) as db:
        replan(db, home, NIGHT)
        replan(db, home, wednesday)
        before = load_sessions(db, repo.athlete(db, P))
        report = replan(db, P, wednesday)  # back at the gym
        now = {s.id: s for s in load_sessions(db, repo.athlete(db, P))}
    assert all(now[s.id] == s for s in before if s.day < MONDAY + timedelta(days=7))
    changes = [a for a in report.adjustments if a.rule == PROFILE_RULE]
    assert changes and {a.reasons for a in changes} == {
        ("equipment bodyweight -> gym: the weeks of Mon 10 Mar, Mon 17 Mar planned again",)}


def test_bodyweight_work_less_kit_swaps_in_carries_the_backpack_its_week_gives_it(
        db_url: str) -> None:
    """A step repeated (its block fell short: nothing done) is dosed as its variation: the
    gym athlete's dumbbell variant, or bodyweight work with a 5 kg backpack (RULES.md S1),
    which the swap used to leave off."""
    catalog = default_catalog()
    thursday, now = _thursday_before_and_after_a_trip(db_url, week=6)  # block 1 repeated
    swapped = [p for was, p in zip(thursday.exercises, now.exercises, strict=True)
               if p.exercise_id != was.exercise_id]
    assert {catalog.exercise(p.exercise_id).quality for p in swapped} == {"strength"}
    assert {catalog.exercise(was.exercise_id).equipment for was in thursday.exercises} >= {
        "dumbbells"}  # the premise: the repeated step's variation
    assert swapped and all(p.load_kg == 5 and "with a backpack loaded to 5 kg" in (
        p.instruction or "") for p in swapped)


def _thursday_before_and_after_a_trip(db_url: str, week: int) -> tuple[Session, Session]:
    """The Thursday session of week `week` (0: the first) of a gym plan followed night
    after night with nothing done, before and after the athlete packs only bodyweight on
    its Wednesday."""
    factory = open_db(db_url)
    wednesday = MONDAY + timedelta(days=7 * week + 2)
    with transaction(factory) as db:
        for sunday in range(week + 1):
            replan(db, P, NIGHT + timedelta(days=7 * sunday))
        replan(db, P, wednesday)
        thursday = next(s for s in load_sessions(db, repo.athlete(db, P))
                        if s.day == wednesday + timedelta(days=1))
    with transaction(factory) as db:
        replan(db, replace(P, equipment="bodyweight"), wednesday)
        now = next(s for s in load_sessions(db, repo.athlete(db, P)) if s.id == thursday.id)
    return thursday, now


_KINDS = st.sampled_from(["easy", "recovery", "speed", "threshold", "long", "rest"])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(runs=st.dictionaries(st.sampled_from(DAYS), _KINDS, min_size=1),
       sessions=st.integers(1, 3), equipment=st.sampled_from(["gym", "dumbbells", "bodyweight"]),
       night=st.integers(-1, 5))
def test_every_change_a_new_profile_makes_says_why_in_words_and_numbers(
        tmp_path_factory: pytest.TempPathFactory, runs: dict[str, str], sessions: int,
        equipment: str, night: int) -> None:
    """RULES.md S7.5: a change is recorded with the facts behind it. A new template alone
    ("weekly runs ... -> ...") named no number: the weeks planned again now say which."""
    factory = open_db(f"sqlite:///{tmp_path_factory.mktemp('profile') / 'test.db'}")
    new = replace(P, runs=runs, strength_sessions=sessions, equipment=equipment)
    day = MONDAY + timedelta(days=night)
    with transaction(factory) as db:
        replan(db, P, NIGHT)
        replan(db, P, day)
    with transaction(factory) as db:
        changes = [a for a in replan(db, new, day).adjustments if a.rule == PROFILE_RULE]
    for change in changes:
        assert numbers_in_words(list(change.reasons)), change
        assert "->" in change.reasons[0], change  # the runner's change, its cause


def test_a_pinned_session_a_new_template_puts_on_a_speed_day_is_kept_and_the_runner_told(
        home: Path, columns: Callable[[int], None]) -> None:
    """RULES.md S7.4 keeps a pinned session where a new template puts a speed run on its day,
    and said nothing: `plan` shows it under the table (and in --json), `why` records it once,
    and `pin` answers with it, each with the run and the day."""
    assert runner.invoke(app, INIT).exit_code == 0
    sessions = json.loads(runner.invoke(app, ["plan", "--json", "--weeks", "2"]).stdout)
    s = [s for s in sessions if s["kind"] == "strength" and s["date"] > str(PINNED.date())][-1]
    day = date.fromisoformat(s["date"])
    said = runner.invoke(app, ["pin", s["id"]]).output
    assert said.strip() == f"session {s['id']}: pinned = True"  # a legal day: nothing more
    runs = f"{DAYS[day.weekday()]}=speed,{DAYS[(day.weekday() + 3) % 7]}=long"
    assert runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--runs", runs]
                         ).exit_code == 0
    clash = f"speed run on {day:%a %d %b} (no strength on the same day)"
    lead = f"pinned on {day:%a %d %b}, so kept there (S7.4), though S6 would move it"
    shown = {x["id"]: x for x in json.loads(runner.invoke(app, ["plan", "--json", "--weeks",
                                                                "2"]).stdout)}
    assert shown[s["id"]]["date"] == s["date"] and shown[s["id"]]["warnings"][1:] == [clash]
    assert shown[s["id"]]["warnings"][0].startswith(lead)
    assert all(not x["warnings"] for k, x in shown.items() if k != s["id"])
    columns(200)  # the lead on one line
    table = runner.invoke(app, ["plan", "--weeks", "2"]).output
    assert f"{s['id']}: {lead}" in table and f"  - {clash}" in table
    why = json.loads(runner.invoke(app, ["why", "--json"]).stdout)
    kept = [c for c in why if c["rule"] == "S7.4 pinned"]
    assert [(c["session_id"], c["action"], c["reasons"][1:]) for c in kept] == [
        (s["id"], "kept", [clash])]  # recorded once, however often the plan is made
    again = runner.invoke(app, ["pin", s["id"]])
    assert again.exit_code == 0 and clash in " ".join(again.output.split())
    assert len([c for c in json.loads(runner.invoke(app, ["why", "--json"]).stdout)
                if c["rule"] == "S7.4 pinned"]) == 1


def test_todays_own_pinned_session_on_a_speed_day_is_flagged_by_plan(
        home: Path, columns: Callable[[int], None]) -> None:
    """On the pinned session's own day, `plan` (table and --json) said nothing of the speed
    run S6 forbids it beside, while `pin` named it: the notes began the day after today."""
    assert runner.invoke(app, INIT).exit_code == 0
    sessions = json.loads(runner.invoke(app, ["plan", "--json", "--weeks", "2"]).stdout)
    s = [s for s in sessions if s["kind"] == "strength" and s["date"] > str(PINNED.date())][-1]
    day = date.fromisoformat(s["date"])
    assert runner.invoke(app, ["pin", s["id"]]).exit_code == 0
    runs = f"{DAYS[day.weekday()]}=speed,{DAYS[(day.weekday() + 3) % 7]}=long"
    assert runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--runs", runs]
                         ).exit_code == 0
    clash = f"speed run on {day:%a %d %b} (no strength on the same day)"
    with freeze_time(datetime.combine(day, PINNED.time(), PINNED.tzinfo)):
        said = runner.invoke(app, ["pin", s["id"]])
        shown = {x["id"]: x for x in json.loads(runner.invoke(app, ["plan", "--json"]).stdout)}
        columns(200)
        table = runner.invoke(app, ["plan"]).output
    assert clash in " ".join(said.output.split())
    assert shown[s["id"]]["date"] == s["date"] and clash in shown[s["id"]]["warnings"]
    assert f"  - {clash}" in table


@pytest.mark.parametrize("width", [80, 100])
def test_why_reads_in_a_terminal_of_80_or_100_columns(home: Path, width: int,
                                                     columns: Callable[[int], None]) -> None:
    """The profile change's reason ran to about 165 characters on one line (soft-wrapped
    by the terminal anywhere, the indent lost): every line now fits, and the words and
    numbers are all there."""
    assert runner.invoke(app, INIT).exit_code == 0
    assert runner.invoke(app, ["plan", "--json"]).exit_code == 0
    assert runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--runs",
                               "wed=speed,sun=long", "--strength-sessions", "3"]).exit_code == 0
    changes = json.loads(runner.invoke(app, ["why", "--json"]).stdout)
    longest = max(len(r) for c in changes for r in c["reasons"])
    assert any(c["rule"] == PROFILE_RULE for c in changes) and longest > 100
    columns(width)  # not COLUMNS: rich read it once (80 in pytest-xdist's workers)
    shown = runner.invoke(app, ["why"]).output
    assert max(len(line) for line in shown.splitlines()) <= width
    words = " ".join(shown.split())
    assert all(" ".join(r.split()) in words for c in changes for r in c["reasons"])
    assert all(" ".join(c["to"].split()) in words for c in changes)


def test_why_says_what_is_true_now_of_a_pinned_sessions_conflict(
        home: Path, columns: Callable[[int], None]) -> None:
    """A pinned session's S6 warning was recorded once: a new template bringing another
    conflict, or removing it, left `why` showing the first as the latest word. Now each
    new state is recorded when it comes (the history kept), and a plan made again with
    the same facts records nothing."""
    assert runner.invoke(app, INIT).exit_code == 0
    sessions = json.loads(runner.invoke(app, ["plan", "--json", "--weeks", "2"]).stdout)
    s = [s for s in sessions if s["kind"] == "strength" and s["date"] > str(PINNED.date())][-1]
    day = date.fromisoformat(s["date"])
    assert runner.invoke(app, ["pin", s["id"]]).exit_code == 0

    def template(runs: str) -> list[dict[str, Any]]:
        assert runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--runs",
                                   runs]).exit_code == 0
        assert runner.invoke(app, ["plan", "--json"]).exit_code == 0  # twice: nothing new
        return [c for c in json.loads(runner.invoke(app, ["why", "--json"]).stdout)
                if c["session_id"] == s["id"] and c["rule"] == "S7.4 pinned"]

    def on(offset: int) -> str:
        return DAYS[(day.weekday() + offset) % 7]

    speed = f"speed run on {day:%a %d %b} (no strength on the same day)"
    said = template(f"{on(0)}=speed,{on(3)}=long")
    assert [(c["action"], c["reasons"][1:]) for c in said] == [("kept", [speed])]
    said = template(f"{on(-1)}=long,{on(3)}=easy")  # another conflict: the day after long
    assert len(said) == 2 and said[0]["action"] == "kept" and speed not in said[0]["reasons"]
    assert any("long run on" in r for r in said[0]["reasons"])
    said = template(f"{on(3)}=easy")  # no conflict left
    assert len(said) == 3 and said[0]["action"] == "cleared"
    assert "no longer" in " ".join(said[0]["reasons"]) and not any(
        "run on" in r for r in said[0]["reasons"])
    columns(100)
    shown = runner.invoke(app, ["why"]).output
    assert shown.index("cleared (S7.4 pinned)") < shown.index(speed)  # newest first
