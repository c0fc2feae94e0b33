"""Race seasons through the real stack (tests/season_stack.py): the taper, the post-race
window and the first session back, night by night."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.planning import ARTICLE
from tests.season_stack import (  # noqa: F401 (fast_garmin: the fixture)
    MONDAY,
    Race,
    StackSeason,
    days,
    fast_garmin,
    weekday,
)


def _season(s: StackSeason, race: date, length: int, race_minutes: int | None = None) -> None:
    """From the Sunday night before MONDAY, `length` days of the template's runs with the
    race on its day, every session lifted as planned."""
    s.init(MONDAY - timedelta(days=1))
    s.nightly(MONDAY - timedelta(days=1))
    for day in days(MONDAY, length):
        kind = "race" if day == race else s.template.get(weekday(day))
        if kind:
            s.run(day, kind, race_minutes if kind == "race" else None)
        s.day(day)

def test_the_first_session_after_a_race_lifts_eighty_percent_and_no_layoff(
        home: Path) -> None:
    """An A half on the 4th Saturday: its taper and post-race window hold mobility work
    (done as planned), and the first session back lifts 80 % of the last loads; the
    athlete never went 14 days without a session, so nothing also resumes at 90 % (S5).
    Its words say the load it lifts (S7.5: reasons in words and numbers), and by feel, the
    lightened wording, never the 6RM one (S7.3)."""
    race = MONDAY + timedelta(days=26)
    s = StackSeason("UTC", ARTICLE, [Race(race, "half", "A")])
    _season(s, race, 7 * 6)
    assert s.log == []
    [back] = [x for x in s.sessions() if race + timedelta(days=7) < x.day <= race + timedelta(
        days=10) and x.kind == "strength"]
    loaded = [p for p in back.exercises if p.load_kg]
    assert back.status == "done" and loaded
    assert all(f"{p.load_kg:g} kg (load -20 % from " in (p.instruction or "") for p in loaded)
    assert not any(", not " in (p.instruction or "") for p in back.exercises if p.by_feel)


def test_the_first_session_after_a_marathon_keeps_exercises_the_athlete_knows(
        home: Path) -> None:
    """An A marathon: the freeze holds the ladders 3 weeks before it, the 14-day window
    after it holds mobility work only, and the first session back keeps familiar exercises
    ("Races": no new ladder step), not the step the ladders reached while the athlete did
    mobility work."""
    race = MONDAY + timedelta(days=40)  # a Saturday
    s = StackSeason("UTC", ARTICLE, [Race(race, "marathon", "A")])
    _season(s, race, 57, race_minutes=240)
    assert s.log == []
    back = min((x for x in s.sessions() if x.day > race + timedelta(days=14)
                and x.kind == "strength"), key=lambda x: x.day)
    lifted = {p.exercise_id for x in s.sessions() if x.day < back.day and x.status == "done"
              for p in x.exercises}
    assert back.status == "done"
    assert [p.exercise_id for p in back.exercises if p.exercise_id not in lifted] == []


def test_a_races_taper_and_window_count_as_the_deload(home: Path) -> None:
    """An A half on Saturday of week 6: weeks 5-7 hold its taper and its window, which count
    as a deload (RULES.md S5), so week 8 is a training week (no second easy week stacked on
    them) and the next deload is week 11, the 4th training week after them; the week-4
    deload right before them is left to them too. Planned night by night two weeks ahead,
    the weeks around the race come into view already knowing it."""
    race = MONDAY + timedelta(days=7 * 5 + 5)
    s = StackSeason("UTC", ARTICLE, [Race(race, "half", "A")])
    _season(s, race, 7 * 12)
    assert s.log == []
    deloads = sorted({(x.day - MONDAY).days // 7 + 1 for x in s.sessions()
                      if x.status == "done" and any(p.phase == "deload" for p in x.exercises)})
    assert deloads == [11]
