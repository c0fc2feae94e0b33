"""The plan through a night from facts loaded once (planner.catch_up): pure, no database."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta

import pytest

from domain.activity import StrengthSet
from domain.profile import Race
from planner.adapt import Recovery
from planner.catalog_file import default_catalog
from planner.catch_up import Decisions, PlanFacts, catch_up, first_week, window
from planner.model import RunDay, Session
from planner.progression import LoggedLift
from planner.races import RaceDay
from planner.readback import LiftRecord, Recorded, read_back, unplanned_heavy
from planner.runs import RunFacts, RunPlan
from tests.planning import ARTICLE, MONDAY, profile, template

P = profile()  # Mon easy, Tue easy, Wed speed, Fri easy, Sat long; two sessions a week
SUNDAY = MONDAY - timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)


CATALOG = default_catalog()


def facts(night: date, sessions: tuple[Session, ...] = (), last: date | None = None,
          actual: Mapping[date, RunDay] | None = None,
          recovery: Mapping[date, Recovery] | None = None) -> PlanFacts:
    runs = actual or {}
    return PlanFacts(window=window(night, last, 2), sessions=sessions,
                     runs=RunFacts(runs, RunPlan(P.runs), set(runs)), recovery=recovery or {},
                     lifts=(), recorded=(), legs=(), first_monday=MONDAY, last_night=last)


def plan(f: PlanFacts) -> Decisions:
    return catch_up(f, P, CATALOG)


@pytest.mark.parametrize(("last", "first"), [
    (None, WEDNESDAY),  # never adapted: tonight alone
    (SUNDAY, SUNDAY),  # the last night adapted is adapted again (late-synced runs count)
    (WEDNESDAY + timedelta(days=3), WEDNESDAY),  # an earlier night replayed
    (WEDNESDAY - timedelta(days=40), WEDNESDAY - timedelta(days=28)),  # 28 nights at most
])
def test_window_starts_at_the_last_night_adapted(last: date | None, first: date) -> None:
    w = window(WEDNESDAY, last, weeks_ahead=2)
    assert (w.first_night, w.night) == (first, WEDNESDAY)
    assert w.until == MONDAY + timedelta(days=20)  # the Sunday two weeks after this week
    assert w.nights[0] == first and w.nights[-1] == WEDNESDAY
    assert len(w.nights) == (WEDNESDAY - first).days + 1


def test_the_first_night_plans_the_weeks_coming_into_view() -> None:
    d = plan(facts(SUNDAY))
    assert {s.day - timedelta(days=s.day.weekday()) for s in d.sessions} == \
        {MONDAY, MONDAY + timedelta(days=7)}
    assert all(s.day > SUNDAY and s.status == "planned" for s in d.sessions)
    assert (d.nights, d.last_night, d.first_monday, d.adapted) == (1, SUNDAY, MONDAY, ())


def test_every_night_of_the_window_is_adapted_with_its_own_facts() -> None:
    first = plan(facts(SUNDAY)).sessions
    thursday = next(s for s in first if s.day == MONDAY + timedelta(days=3))
    long_run = RunDay(WEDNESDAY, ("long",), "actual", ("2 h 10 min",))
    d = plan(facts(WEDNESDAY, first, last=SUNDAY,
                   actual={MONDAY: RunDay(MONDAY, ("easy",), "actual"), WEDNESDAY: long_run},
                   recovery={SUNDAY: Recovery("amber", ("HRV low",))}))
    assert (d.nights, d.last_night) == (4, WEDNESDAY)
    # Sunday's amber lightened Monday's session; Wednesday's long run left Thursday no
    # legal strength day, so it became mobility work: each on its own night.
    assert [(a.night, a.rule, a.action) for a in d.adapted] == [
        (SUNDAY, "S7.3 amber", "lighten"), (WEDNESDAY, "S6", "mobility")]
    assert d.adapted[1].session_id == thursday.id
    assert "Wed long run: 2 h 10 min" in d.adapted[1].reasons
    after = {s.id: s for s in d.sessions}
    assert after[thursday.id].kind == "mobility"


def test_the_same_night_twice_changes_nothing() -> None:
    once = plan(facts(WEDNESDAY, plan(facts(SUNDAY)).sessions, last=SUNDAY,
                      recovery={SUNDAY: Recovery("amber")}))
    again = plan(facts(WEDNESDAY, once.sessions, last=WEDNESDAY,
                       recovery={SUNDAY: Recovery("amber")}))
    assert once.adapted and (again.adapted, again.planned, again.capped) == ((), (), ())
    assert again.sessions == once.sessions


def test_the_watchs_record_replaces_one_by_hand_and_extra_work_counts_for_s4() -> None:
    monday = plan(facts(SUNDAY)).sessions[0].with_(status="done")  # entered by hand
    by_hand = tuple(LiftRecord(LoggedLift(monday.day, p.exercise_id, (6,) * p.sets, 50.0),
                               monday.id) for p in monday.exercises)
    extra = CATALOG.exercise("barbell_deadlift")
    assert extra.high_resistance_lower_body and extra.id not in {
        p.exercise_id for p in monday.exercises}
    sets = tuple(StrengthSet(0, "active", e.garmin_category, e.garmin_name, 5, 60.0, 40.0)
                 for e in [*(CATALOG.exercise(p.exercise_id) for p in monday.exercises), extra])
    read = read_back([Recorded("activity:a:0", monday.day, sets)], [monday], CATALOG, by_hand)
    assert read.replaced == [monday.id]
    assert [(r.session_key, r.source) for r in read.lifts] == \
        [(monday.id, "activity:a:0")] * len(monday.exercises) + [(None, "activity:a:0")]
    history = read.history(by_hand)
    assert history == read.lifts  # the record by hand is gone, the watch's stands
    assert unplanned_heavy(history, CATALOG) == {MONDAY: 1}
    again = read_back([], read.sessions, CATALOG, history)  # read once: nothing new
    assert (again.lifts, again.replaced, again.sessions) == ([], [], read.sessions)


def test_a_session_a_race_lightens_as_it_comes_into_view_is_recorded_as_planned() -> None:
    """A B 10k on the 2nd Saturday: the first session after its window (80 % of the last
    loads) comes into view two weeks ahead, 14 days after the last lift. The sessions before
    it prevent a layoff (S5), so the change the races record that night says the loads the
    plan holds (S7.5), not 90 % of them as well."""
    race = Race(MONDAY + timedelta(days=12), "10k", "B")
    raced = replace(P, races=(race,))
    runs = RunFacts({}, RunPlan(P.runs, {}, {race.day}), set())
    first = catch_up(replace(facts(SUNDAY), runs=runs), raced, CATALOG)
    week1 = [s for s in first.sessions if s.day < MONDAY + timedelta(days=7)]
    lifts = tuple(LiftRecord(LoggedLift(s.day, p.exercise_id, (5,) * p.sets, 40.0), s.id)
                  for s in week1 for p in s.exercises)
    done = tuple(s.with_(status="done") if s in week1 else s for s in first.sessions)
    night = MONDAY + timedelta(days=6)
    d = catch_up(replace(facts(night, done, last=SUNDAY), runs=runs, lifts=lifts), raced,
                 CATALOG)
    [back] = [a for a in d.planned if a.rule == "Races post-race" and a.action == "lighten"]
    session = next(s for s in d.sessions if s.id == back.session_id)
    assert (session.day - max(s.day for s in week1)).days >= 14
    assert back.after == session.describe()
    assert any(p.load_kg == 32.0 for p in session.exercises)  # 80 % of 40 kg


@pytest.mark.parametrize("weekday, starts_next_week", [
    (0, False), (3, False),  # Monday, Thursday night: Friday is legal before Saturday's long run
    (4, True),  # Friday night: Saturday is the long run, Sunday the day after it
    (6, True),  # Sunday night: the week is over
])
def test_a_new_plan_starts_the_week_its_days_left_can_hold_a_strength_session(
        weekday: int, starts_next_week: bool) -> None:
    """Begun on a Friday night, the weekend left held mobility fallbacks only, which then
    counted as the first block's week 1 and a training week: the first exercises lasted 3
    weeks of strength and the first deload came in the 3rd (S5)."""
    night = MONDAY + timedelta(days=weekday)
    runs = template(ARTICLE, weeks=2, first=MONDAY)  # sat long, wed speed
    assert first_week(night, runs) == MONDAY + timedelta(days=7 if starts_next_week else 0)
    assert first_week(night, {}) == MONDAY + timedelta(days=7 if weekday == 6 else 0)


def test_a_new_plan_begun_in_a_races_last_days_starts_the_next_week() -> None:
    """Begun on a Thursday night before a Sunday C 5 km: Friday is S6's one legal day left,
    but it is in the race's last 2 days, where the session becomes mobility work (placement
    spares those days, as planning a week does): the week's days left hold no strength
    session, so the plan starts the next Monday (S5), as it does after the race's window."""
    sunday = MONDAY + timedelta(days=6)
    runs = {**template(ARTICLE, weeks=2, first=MONDAY), sunday: RunDay(sunday, ("race",))}
    thursday = MONDAY + timedelta(days=3)
    assert first_week(thursday, runs) == MONDAY  # the premise: S6 alone allows Friday
    assert first_week(thursday, runs, [RaceDay(sunday, "5k", "C")]) == MONDAY + \
        timedelta(days=7)
    assert first_week(thursday, runs, [RaceDay(sunday + timedelta(days=7), "5k", "C")]) == \
        MONDAY  # a race the week after spares none of this week's days


def test_a_session_moved_by_s6_keeps_clear_of_a_races_window_when_a_legal_day_is_left() -> None:
    """A C 10k on the first Sunday: its 3-day window spares Monday to Wednesday of the next
    week, whose one session the runner moved to Thursday. The Garmin calendar then puts a speed
    run on Friday: Thursday breaks S6. Wednesday is the nearest legal day, but the window
    would turn the session into mobility work there, while Saturday (the day after the
    speed run) is legal and keeps it strength work, as planning keeps it (place_week)."""
    race = Race(MONDAY + timedelta(days=6), "10k", "C")
    raced = replace(P, runs={"sun": "easy"}, strength_sessions=1, races=(race,))
    thursday, friday = MONDAY + timedelta(days=10), MONDAY + timedelta(days=11)
    quiet = RunFacts({}, RunPlan(raced.runs, {}, {race.day}), set())
    first = catch_up(replace(facts(SUNDAY), runs=quiet), raced, CATALOG)
    [planned] = [s.with_(day=thursday, status="moved") for s in first.sessions
                 if s.day > race.day and s.day < race.day + timedelta(days=8)]
    assert planned.kind == "strength"  # the runner moved it to Thursday
    sessions = tuple(planned if s.id == planned.id else s for s in first.sessions)
    speed = RunFacts({}, RunPlan(raced.runs, {friday: ["speed"]}, {race.day}), set())
    d = catch_up(replace(facts(MONDAY, sessions, last=SUNDAY), runs=speed), raced, CATALOG)
    moved = next(s for s in d.sessions if s.id == planned.id)
    assert [(a.session_id, a.rule, a.action) for a in d.adapted] == [(planned.id, "S6", "move")]
    assert (moved.day, moved.kind) == (friday + timedelta(days=1), "strength")


def test_a_sunday_nights_recovery_lightens_the_monday_of_the_block_that_night_decides() -> None:
    """Night by night over five weeks: one session skipped in week 2, week 4's two never
    logged. On week 4's Sunday night they count missed: 5 of the block's 8 sessions done,
    under 2/3, so the block is extended (S5) and week 5, planned ahead as the next block's
    first week, is planned again as its 5th. That same night is amber: the recovery decision
    lightened Monday first, and the week stayed on the old block. It now follows the new
    one, Monday still lightened with its recovery reason; the first night's status counts at
    once (it lightened the first Monday only a night later); the same night twice changes
    nothing (S7.6)."""
    skipped, sunday = MONDAY + timedelta(days=10), MONDAY + timedelta(days=27)
    amber = {SUNDAY: Recovery("amber", ("HRV low",)),
             sunday: Recovery("amber", ("sleep 48",))}
    sessions: tuple[Session, ...] = ()
    last: date | None = None
    night = SUNDAY
    while night <= sunday:
        sessions = tuple(s.with_(status="skipped" if s.day == skipped else "done")
                         if s.day == night and night < MONDAY + timedelta(days=21) else s
                         for s in sessions)
        d = plan(replace(facts(night, sessions, last), recovery=amber))
        if night == SUNDAY:
            assert [(a.rule, a.session_id) for a in d.recovered] == [
                ("S7.3 amber", d.sessions[0].id)]
        sessions, last = d.sessions, d.last_night
        night += timedelta(days=1)
    week5 = [s for s in sessions if s.day > sunday and s.day <= sunday + timedelta(days=7)]
    assert week5 and {(s.block, s.week_in_block) for s in week5} == {(1, 5)}
    monday = week5[0]
    assert monday.day == sunday + timedelta(days=1) and monday.status == "lightened"
    assert [(a.rule, a.reasons[:2]) for a in d.recovered] == [
        ("S7.3 amber", (f"recovery amber on {sunday:%a %d %b}", "sleep 48"))]
    assert {n.session_id for n in d.planned if n.rule == "S5 blocks"} >= {s.id for s in week5}
    again = plan(replace(facts(sunday, sessions, last), recovery=amber))
    assert again.sessions == sessions and (again.adapted, again.recovered) == ((), ())
    assert not [n for n in again.planned if n.rule == "S5 blocks"]


def test_a_red_first_session_back_leaves_the_next_one_to_the_night_after() -> None:
    """A C 5k on the Friday before: Monday is the first session back (80 %). Sunday is red,
    and the nightly run makes Monday mobility work (S7.3) after the races' rules; the same
    night run again then found Thursday the first strength session back and lightened it
    (S7.6: the second run changed what the first had not), and a green morning that gave
    Monday back its 80 % left two sessions at 80 %. Monday is the morning's to judge: only
    once its day is over does Thursday come back in its stead."""
    race = Race(MONDAY - timedelta(days=3), "5k", "C")
    raced = replace(P, races=(race,))
    runs = RunFacts({}, RunPlan(P.runs, {}, {race.day}), set())
    red = {SUNDAY: Recovery("red", ("Garmin HRV status LOW",))}
    once = catch_up(replace(facts(SUNDAY, recovery=red), runs=runs), raced, CATALOG)
    monday, thursday = once.sessions[:2]
    assert [(a.session_id, a.rule) for a in (*once.planned, *once.recovered)] == [
        (monday.id, "Races post-race"), (monday.id, "S7.3 red")]
    assert (monday.kind, thursday.kind, thursday.status) == ("mobility", "strength", "planned")
    again = catch_up(replace(facts(SUNDAY, once.sessions, last=SUNDAY, recovery=red),
                             runs=runs), raced, CATALOG)
    assert (again.adapted, again.planned, again.recovered) == ((), (), ())
    assert again.sessions == once.sessions
    after = catch_up(replace(facts(MONDAY, once.sessions, last=SUNDAY, recovery=red),
                             runs=runs), raced, CATALOG)
    [back] = [a for a in after.planned if a.rule == "Races post-race"]
    assert back.session_id == thursday.id and "first session after" in back.reasons[0]


@pytest.mark.parametrize("seed", range(8))
def test_every_night_of_a_season_with_races_run_twice_changes_nothing(seed: int) -> None:
    """S7.6 over six weeks of random races, recovery levels and sessions done: each night
    run a second time with the same data changes nothing (a red first session back once
    made the second run lighten the session after it, in 69 of 150 such seasons)."""
    rng = random.Random(seed)
    days = {MONDAY + timedelta(days=rng.randint(2, 40)) for _ in range(rng.choice([1, 2]))}
    raced = replace(P, races=tuple(Race(d, rng.choice(["5k", "10k", "half"]), rng.choice("ABC"))
                                   for d in sorted(days)))
    runs = RunFacts({}, RunPlan(P.runs, {}, days), set())
    recovery: dict[date, Recovery] = {}
    sessions: tuple[Session, ...] = ()
    last: date | None = None
    for night in (SUNDAY + timedelta(days=i) for i in range(42)):
        if level := rng.choice([None, "green", "amber", "red", "red"]):
            recovery[night] = Recovery(level)
        sessions = tuple(s.with_(status="done") if s.day == night and s.kind == "strength"
                         and not s.settled and rng.random() < 0.7 else s for s in sessions)
        facts = PlanFacts(window=window(night, last, 2), sessions=sessions, runs=runs,
                          recovery=dict(recovery), lifts=(), recorded=(), legs=(),
                          first_monday=MONDAY, last_night=last)
        once = catch_up(facts, raced, CATALOG)
        again = catch_up(replace(facts, window=window(night, night, 2), sessions=once.sessions,
                                 last_night=night), raced, CATALOG)
        assert (again.adapted, again.planned, again.recovered, again.capped) == \
            ((), (), (), ()), night
        assert again.sessions == once.sessions, night
        sessions, last = once.sessions, night
