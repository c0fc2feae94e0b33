"""Whole seasons through the real stack (tests/season_stack.py): RULES.md's invariants hold
after every nightly run and morning pass."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from planner.model import Session, week_start
from tests.planning import ARTICLE
from tests.season_stack import (  # noqa: F401 (fast_garmin: the fixture)
    MONDAY,
    StackSeason,
    days,
    fast_garmin,
    numbers_in_words,
    weekday,
    why,
)


def _season(s: StackSeason, first: date, weeks: int) -> None:
    for day in days(first, 7 * weeks):
        kind = s.template.get(weekday(day))
        if kind and kind != "rest":
            s.run(day, kind)
        s.day(day)


def test_the_article_week_for_eight_weeks_begun_on_a_sunday_night(home: Path) -> None:
    """The invariants hold for eight weeks, every change says why in words and numbers.
    The week that ended that Sunday holds nothing: it is no training week, so the first
    block's four weeks and its deload (S5: every 4th training week) start the next Monday,
    and no exercise changes before four weeks of sessions."""
    s = StackSeason("Europe/Berlin", ARTICLE)
    s.init(MONDAY - timedelta(days=1))
    s.nightly(MONDAY - timedelta(days=1))
    _season(s, MONDAY, 8)
    assert s.log == []
    changes = why(s, s.at(MONDAY + timedelta(weeks=8), 9))
    assert all(numbers_in_words(c["reasons"]) for c in changes), changes
    weeks: dict[date, list[Session]] = {}
    for session in s.sessions():
        weeks.setdefault(week_start(session.day), []).append(session)
    assert min(weeks) == MONDAY
    deloads = [m for m, week in sorted(weeks.items())
               if all(p.phase == "deload" for x in week for p in x.exercises)]
    assert deloads[:1] == [MONDAY + timedelta(weeks=3)]
    first = {p.pattern: p.exercise_id for x in weeks[MONDAY] for p in x.exercises}
    for monday in sorted(weeks)[:4]:
        for p in (p for x in weeks[monday] for p in x.exercises):
            assert first.get(p.pattern, p.exercise_id) == p.exercise_id, (monday, p)


def _deloads(sessions: list[Session]) -> list[tuple[date, bool]]:
    """Each training week (a session done in it) with whether it is a deload week."""
    weeks: dict[date, list[Session]] = {}
    for x in sessions:
        weeks.setdefault(week_start(x.day), []).append(x)
    return [(monday, any(p.phase == "deload" for x in week for p in x.exercises))
            for monday, week in sorted(weeks.items()) if any(x.status == "done" for x in week)]


def test_weeks_of_skipped_sessions_are_no_training_weeks_and_the_deload_follows(
        home: Path) -> None:
    """Three weeks of sessions skipped (the runs go on): every 4th training week is still
    a deload (S5), though the weeks after the gap were planned while it was expected to
    count."""
    s = StackSeason("UTC", ARTICLE)
    s.init(MONDAY - timedelta(days=1))
    s.nightly(MONDAY - timedelta(days=1))
    gap = (MONDAY + timedelta(weeks=2), MONDAY + timedelta(weeks=5))
    for day in days(MONDAY, 7 * 10):
        kind = s.template.get(weekday(day))
        if kind:
            s.run(day, kind)
        s.day(day, lift=not gap[0] <= day < gap[1])
    assert s.log == []
    trained = _deloads([x for x in s.sessions() if x.day < MONDAY + timedelta(weeks=10)])
    assert len(trained) == 7
    assert [deload for _, deload in trained] == [i % 4 == 3 for i in range(7)], trained


def test_an_exercise_missed_for_a_fortnight_is_no_layoff_while_the_athlete_lifts(
        home: Path) -> None:
    """A long run on a Wednesday turns that Thursday's session into mobility work: its
    exercises wait two weeks, but the athlete lifted every week; the layoff rule is the
    athlete's, not the exercise's (S5), so nothing resumes at 90 %."""
    s = StackSeason("UTC", ARTICLE)
    s.init(MONDAY - timedelta(days=1))
    s.nightly(MONDAY - timedelta(days=1))
    for day in days(MONDAY, 7 * 3):
        kind = s.template.get(weekday(day))
        if day == MONDAY + timedelta(days=9):
            s.run(day, "long", 150)  # the week's speed session became a long run
        elif kind:
            s.run(day, kind)
        s.day(day)
    assert s.log == []
    [thursday] = [x for x in s.sessions() if x.day == MONDAY + timedelta(days=10)]
    assert thursday.kind == "mobility"



def test_an_exercise_first_shown_in_a_layoff_starts_with_its_intro_week_on_return(
        home: Path) -> None:
    """Five weeks away (the runs go on, nothing lifted or logged), then back: the ladders
    moved on while away (S5's 6 weeks at most), and the exercises new to the athlete start
    with their intro week (2 sets) in the first week back. Before, the weeks gone by undone
    had shown them, so they came back at 3 sets as if known."""
    s = StackSeason("UTC", ARTICLE)
    s.init(MONDAY - timedelta(days=1), "--weight", "barbell_back_squat=60")
    s.nightly(MONDAY - timedelta(days=1))
    _season(s, MONDAY, 2)
    back = MONDAY + timedelta(weeks=7)
    for day in days(MONDAY + timedelta(weeks=2), 35):
        kind = s.template.get(weekday(day))
        if kind:
            s.run(day, kind)
    s.nightly(back - timedelta(days=1))
    assert s.log == []
    lifted = set(s.last_loads()) | {p.exercise_id for x in s.sessions()
                                    if x.status == "done" for p in x.exercises}
    first_back = [p for x in s.sessions() if week_start(x.day) == back for p in x.exercises]
    new = [p for p in first_back if p.exercise_id not in lifted]
    assert new  # the premise: the ladders stepped while the athlete was away
    assert all(p.phase == "intro" and p.sets == 2 for p in new), new
