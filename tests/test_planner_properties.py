"""Property tests over random weeks: the planner's rules hold whatever the running brings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from itertools import combinations, groupby, pairwise
from typing import Any

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from domain.profile import Race
from planner.adapt import Recovery, Tonight, adapt, pinned_news, pinned_notes
from planner.blocks import BLOCK_WEEKS, MAX_BLOCK_WEEKS, WeekCount, ladder_steps, timeline
from planner.catalog_file import default_catalog
from planner.catch_up import PlanFacts, catch_up, window
from planner.model import Prescription, RunDay, Session, week_start
from planner.program import mobility_session, mobility_work
from planner.progression import LoggedLift
from planner.races import RaceDay, entered, final_days, reduced_window
from planner.readback import LiftRecord
from planner.runs import RunFacts, RunPlan, horizon
from planner.schedule import conflicts, run_conflicts
from planner.slots import LAG, MAX_HEAVY_LOWER_A_WEEK
from tests.planning import DAYS, MONDAY, context, plan, profile, template, uncovered

KINDS = ("easy", "recovery", "long", "speed", "threshold")
WEEKS = 2


@st.composite
def week_templates(draw: st.DrawFn) -> dict[str, str]:
    days = draw(st.lists(st.sampled_from(DAYS), min_size=3, max_size=7, unique=True))
    return {d: draw(st.sampled_from(KINDS)) for d in days}


def _strength(sessions: list[Session]) -> list[Session]:
    return [s for s in sessions if s.kind == "strength" and s.status != "skipped"]


def _check_s4_s6(sessions: list[Session], runs: dict[date, RunDay]) -> None:
    strength = _strength(sessions)
    for s in strength:
        assert not run_conflicts(s.day, runs), (s, run_conflicts(s.day, runs))
    days = sorted(s.day for s in strength)
    assert all((b - a).days >= 2 for a, b in pairwise(days)), days
    for monday in {week_start(s.day) for s in sessions}:
        heavy = sum(s.heavy_lower for s in sessions if week_start(s.day) == monday)
        assert heavy <= MAX_HEAVY_LOWER_A_WEEK


def _most_placeable(monday: date, runs: dict[date, RunDay], fixed: list[date]) -> int:
    legal = [monday + timedelta(days=i) for i in range(7)
             if not conflicts(monday + timedelta(days=i), runs, fixed)]
    for n in range(min(3, len(legal)), 0, -1):
        for c in combinations(legal, n):
            if all((b - a).days >= 2 for a, b in pairwise(c)):
                return n
    return 0


@settings(max_examples=60, deadline=None)
@given(week_templates(), st.integers(1, 3))
def test_plans_keep_s4_s6_and_meet_the_target_when_feasible(runs_of: dict[str, str],
                                                            target: int) -> None:
    runs = template(runs_of, weeks=WEEKS)
    sessions = plan(context(profile(runs_of, sessions=target)), runs, weeks=WEEKS)
    _check_s4_s6(sessions, runs)
    for w in range(WEEKS):
        monday = MONDAY + timedelta(days=7 * w)
        fixed = [s.day for s in _strength(sessions) if s.day < monday]
        placed = [s for s in _strength(sessions) if week_start(s.day) == monday]
        assert len(placed) == min(target, _most_placeable(monday, runs, fixed))
        # RULES.md S2: however many sessions could be placed, the week covers every area
        assert not placed or uncovered(placed) == [], len(placed)


def _every_week_holds(runs: dict[date, RunDay], target: int) -> int:
    """The most sessions (up to `target`) a template's weekdays hold week after week: S6's
    legal days of a template week, the sessions a day apart across week ends too."""
    legal = [i for i in range(7) if not run_conflicts(MONDAY + timedelta(days=7 + i), runs)]
    return next((n for n in range(min(target, len(legal)), 0, -1)
                 for c in combinations(legal, n)
                 if all((b - a) % 7 >= 2 and (a - b) % 7 >= 2 for a, b in combinations(c, 2))),
                0)


@settings(max_examples=200, deadline=None)
@given(week_templates(), st.integers(1, 3))
@example({"mon": "easy", "tue": "easy", "wed": "speed"}, 3)
@example({"wed": "speed", "thu": "long", "sat": "easy"}, 2)
def test_a_week_never_costs_the_next_one_a_session(runs_of: dict[str, str],
                                                   target: int) -> None:
    # RULES.md S3/S6: where the template's days hold n sessions every week, every week holds
    # them: a Sunday session would take the next Monday with it (Mon easy, Tue easy, Wed
    # speed, three a week: Mon, Thu and Sat, not Thu and Sun and then one week in two short)
    weeks = 4
    runs = template(runs_of, weeks=weeks + 1)
    sessions = plan(context(profile(runs_of, sessions=target)), runs, weeks=weeks)
    most = _every_week_holds(runs, target)
    for w in range(weeks):
        monday = MONDAY + timedelta(days=7 * w)
        assert len([s for s in _strength(sessions) if week_start(s.day) == monday]) >= most


@settings(max_examples=100, deadline=None)
@given(week_templates(), st.integers(1, 3), st.integers(1, 2),
       st.dictionaries(st.integers(0, 15), st.sampled_from(KINDS), max_size=5))
@example({"tue": "easy", "thu": "easy", "sat": "easy"}, 2, 1,
         {2: "speed", 4: "long", 7: "speed"})
def test_a_plan_needs_no_running_past_its_horizon(runs_of: dict[str, str], target: int,
                                                  weeks: int, calendar: dict[int, str]) -> None:
    # RULES.md S6: placing a week looks at how the next one will be placed (a Sunday session
    # takes the next Monday with it), whose Sunday S6 judges with the Monday after it. The
    # weeks planned are the same whether the running is known through planner.runs.horizon
    # or further: Garmin calendar runs from the week after the plan's last on
    until = MONDAY + timedelta(days=7 * weeks - 1)
    runs = template(runs_of, weeks=weeks + 3)
    for offset, kind in calendar.items():
        day = until + timedelta(days=1 + offset)
        runs[day] = RunDay(day, (kind,), "garmin-calendar")
    ctx = context(profile(runs_of, sessions=target))
    known = {d: r for d, r in runs.items() if d <= horizon(until)}
    assert plan(ctx, known, weeks=weeks) == plan(ctx, runs, weeks=weeks)


def _left_by_races(days: list[date], before: list[date], known: list[RaceDay]) -> list[date]:
    """The strength sessions on `days` the races' rules leave strength work: none in a
    race's last days or window, and of an A race's 8-14 days, the first session only."""
    left: list[date] = []
    for d in sorted(days):
        r = reduced_window(known, d)
        if final_days(known, d) is None and not (
                r is not None and any(reduced_window([r], e) for e in [*before, *left])):
            left.append(d)
    return left


def _choices(monday: date, runs: dict[date, RunDay], before: list[date],
             most: int) -> list[list[date]]:
    """Every choice of up to `most` days of a week that S6 allows (runs, a day apart)."""
    legal = [d for d in (monday + timedelta(days=i) for i in range(7))
             if not conflicts(d, runs, before)]
    return [list(c) for n in range(most + 1) for c in combinations(legal, n)
            if all((b - a).days >= 2 for a, b in pairwise(c))]


@settings(max_examples=300, deadline=None)
@given(week_templates(), st.integers(1, 3), st.integers(7, 20),
       st.sampled_from(["5k", "10k", "half", "marathon"]), st.sampled_from("ABC"))
@example({"tue": "speed", "thu": "long", "sun": "recovery"}, 1, 18, "half", "A")
@example({"tue": "easy", "thu": "easy", "sat": "easy"}, 2, 10, "10k", "C")
def test_a_week_never_costs_the_next_one_a_strength_session_a_race_leaves_it(
        runs_of: dict[str, str], target: int, race_in: int, distance: str,
        priority: str) -> None:
    # RULES.md S3 and "Races": where another choice of a week's days (as many sessions, as
    # many kept strength work) would let the next week keep more strength work by the
    # races' rules (the one day its taper leaves, the one session of an A race's 8-14
    # days), the week takes it
    race = Race(MONDAY + timedelta(days=race_in), distance, priority)
    ctx = context(profile(runs_of, sessions=target, races=(race,)))
    runs = template(runs_of, weeks=4)
    runs[race.day] = RunDay(race.day, ("race",), "race")
    sessions = plan(ctx, runs, weeks=3)
    known = entered([race])
    for w in (1, 2):
        week, monday = MONDAY + timedelta(days=7 * (w - 1)), MONDAY + timedelta(days=7 * w)
        before = [s.day for s in _strength(sessions) if s.day < week]
        # the week's days as placed: its strength sessions and those the races made mobility
        placed = [s.day for s in sessions if week_start(s.day) == week
                  and (s.kind == "strength" or s.status == "lightened")]
        kept = len(_left_by_races(placed, before, known))
        could = 0
        for c in _choices(week, runs, before, target):
            left = _left_by_races(c, before, known)
            if len(c) == len(placed) and len(left) == kept:
                could = max([could, *(len(_left_by_races(n, before + left, known))
                                      for n in _choices(monday, runs, before + left, target))])
        held = [s.day for s in _strength(sessions) if week_start(s.day) == monday]
        assert len(held) >= could, (w, placed, held, could)


@st.composite
def seasons(draw: st.DrawFn) -> tuple[dict[str, str], int, list[str | None], list[bool],
                                      list[str | None], list[bool]]:
    runs_of = draw(week_templates())
    nights = 7 * WEEKS
    levels = draw(st.lists(st.sampled_from([None, "green", "amber", "red"]), min_size=nights,
                           max_size=nights))
    done = draw(st.lists(st.booleans(), min_size=nights, max_size=nights))
    surprises = draw(st.lists(st.sampled_from([None, None, None, "threshold", "long", "speed"]),
                              min_size=nights, max_size=nights))
    pins = draw(st.lists(st.booleans(), min_size=8, max_size=8))
    return runs_of, draw(st.integers(1, 3)), levels, done, surprises, pins


@settings(max_examples=60, deadline=None)
@given(seasons())
def test_nightly_adaptation_keeps_the_rules_and_is_idempotent(season: tuple[Any, ...]) -> None:
    runs_of, target, levels, done, surprises, pins = season
    ctx = context(profile(runs_of, sessions=target))
    planned = template(runs_of, weeks=WEEKS)
    sessions = [replace(s, pinned=pins[i % len(pins)] and i % 3 == 0)
                for i, s in enumerate(plan(ctx, planned, weeks=WEEKS))]
    actual = dict(planned)

    def mobility(s: Session) -> tuple[Prescription, ...]:
        return mobility_session(ctx, 0, s.day)

    for i in range(7 * WEEKS):
        night = MONDAY + timedelta(days=i)
        if surprises[i]:
            actual[night] = RunDay(night, (surprises[i],), "actual", ("a surprise",))
        settled = {s.id: s for s in sessions if s.settled}
        facts = Tonight(night, actual, Recovery(levels[i]) if levels[i] else None)
        sessions, _ = adapt(sessions, facts, mobility)
        again, more = adapt(sessions, facts, mobility)
        assert more == [] and again == sessions  # the same facts twice change nothing
        for s in sessions:  # pinned, done and skipped sessions never change
            if s.id in settled:
                assert s == settled[s.id]
        open_ = [s for s in sessions if s.day > night and not s.settled]
        _check_s4_s6([s for s in open_ if not s.pinned], actual)
        sessions = [s.with_(status="done") if s.day == night and done[i] and s.kind ==
                    "strength" and not s.settled else s for s in sessions]


@given(st.integers(2, 20), st.lists(st.integers(0, 3), min_size=20, max_size=20))
def test_progression_advances_on_schedule_when_two_thirds_are_done(weeks: int,
                                                                  shortfalls: list[int]) -> None:
    mondays = [MONDAY + timedelta(days=7 * w) for w in range(weeks)]
    # every week at least 2 of 3 sessions done: blocks end on schedule, a step up each time
    counts = {m: WeekCount(3, 3 - min(1, shortfalls[i])) for i, m in enumerate(mondays)}
    steps = [w.step for w in timeline(MONDAY, mondays[-1], counts)]
    assert steps == [i // BLOCK_WEEKS for i in range(weeks)]


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=16),
       st.integers(1, 3), st.sets(st.integers(0, 19), max_size=3))
def test_weeks_gone_by_decide_as_without_counting_weeks_to_come(
        past: list[tuple[int, int]], per_week: int, rest: set[int]) -> None:
    # RULES.md S5's 2/3 rule: the weeks still to come counted as done change a block's
    # decisions only while some of its weeks are to come; where the weeks gone by decide
    # (every week through the first to come), the blocks stand as if none were counted.
    mondays = [MONDAY + timedelta(days=7 * w) for w in range(20)]
    counts = {m: WeekCount(p, min(d, p)) for m, (p, d) in zip(mondays, past, strict=False)}
    rested = {mondays[i] for i in rest}
    known = len(past) + 1
    assert timeline(MONDAY, mondays[-1], counts, rested, per_week)[:known] == \
        timeline(MONDAY, mondays[-1], counts, rested)[:known]


def _lifted_kg(p: Prescription) -> float | None:
    """The load lifted as prescribed; 30 kg where it was found by feel."""
    return 30.0 if p.by_feel else p.load_kg


def _season_as_prescribed(runs_of: dict[str, str], per_week: int, weeks: int) -> list[Session]:
    """`weeks` of nights through the pure core (planner.catch_up), every session done as
    prescribed on its day (a load found by feel: 30 kg), every run as planned."""
    p = profile(runs_of, sessions=per_week)
    runs = template(runs_of, weeks=weeks + 3)
    sessions: tuple[Session, ...] = ()
    lifts: list[LiftRecord] = []
    last: date | None = None
    for i in range(7 * weeks):
        night = MONDAY - timedelta(days=1) + timedelta(days=i)
        for s in sessions:
            if s.day == night and not s.settled:
                lifts += [LiftRecord(LoggedLift(night, x.exercise_id, (x.reps,) * x.sets,
                                                _lifted_kg(x), s.status == "lightened"), s.id)
                          for x in s.exercises if x.reps is not None]
        sessions = tuple(s.with_(status="done") if s.day == night else s for s in sessions)
        actual = {d: r for d, r in runs.items() if d <= night}
        facts = PlanFacts(window(night, last, 2), sessions,
                          RunFacts(actual, RunPlan(runs_of), set(actual)), {}, tuple(lifts),
                          (), (), MONDAY, last)
        decided = catch_up(facts, p, default_catalog())
        sessions, last = decided.sessions, decided.last_night
    return list(sessions)


@settings(max_examples=20, deadline=None)
@given(week_templates(), st.integers(1, 3))
def test_a_deload_week_never_sets_the_loads_back(runs_of: dict[str, str],
                                                 per_week: int) -> None:
    # RULES.md S5: a deload's loads are -10 % for its week; like a lightened session's, its
    # lifts never raise load, so the build sessions after it go on from the last full ones
    # (never from the deload's, which would keep every load 10 % down after each deload)
    done = [s for s in _season_as_prescribed(runs_of, per_week, 6) if s.status == "done"
            and s.kind == "strength"]
    assume(any(p.phase == "deload" for s in done for p in s.exercises))  # a week S6 leaves
    # no strength day in holds no deload to follow
    last: dict[str, float] = {}
    for s in sorted(done, key=lambda s: s.day):
        for p in s.exercises:
            if p.phase == "build" and p.load_kg:
                assert p.load_kg >= last.get(p.exercise_id, 0), (s.day, p.describe())
                last[p.exercise_id] = p.load_kg


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(LAG)), st.integers(0, 2)))
def test_no_ladder_keeps_an_exercise_past_six_weeks(first_shown: dict[str, int]) -> None:
    # RULES.md S5: a block never runs past 6 weeks with the same exercise, whichever week
    # each exercise was first shown (a plan begun late in a week shows one session's
    # exercises a week before the other's); two ladders reaching 6 weeks in the same week
    # under the stagger's one lag a week: the one on its exercise longer steps first
    weeks = timeline(MONDAY, MONDAY + timedelta(weeks=15), {})
    steps = ladder_steps(weeks, LAG, shown=lambda k, _at, i: i >= first_shown.get(k, 0))
    for ladder, track in steps.items():
        stays = [len(list(same)) for _, same in groupby(track[first_shown.get(ladder, 0):])]
        assert max(stays[:-1], default=0) <= MAX_BLOCK_WEEKS, (ladder, stays)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(week_templates(), st.booleans(), st.integers(0, 6)), min_size=1,
                max_size=5), st.integers(0, 6), st.integers(0, 6))
def test_why_s_latest_word_on_a_pinned_session_is_what_holds_now(
        changes: list[tuple[dict[str, str], bool, int]], at: int, other: int) -> None:
    """Whatever the templates, pins and nights that come one after another, the notes
    `why` is told (planner.adapt.pinned_news) leave its last word on each session what
    `plan` warns of now (a conflict, or none), and the same facts again tell it nothing.
    A warning was recorded once: a later conflict, or none, left the first one standing."""
    said: dict[str, tuple[str, ...]] = {}
    for runs_of, pinned, nights in changes:
        night = MONDAY + timedelta(days=nights - 1)  # the pinned day is never past
        sessions = [Session("a", MONDAY + timedelta(days=7 + at), "strength", 1, 1, (),
                            pinned=pinned),
                    Session("b", MONDAY + timedelta(days=7 + other), "strength", 1, 1, ())]
        notes = pinned_notes(sessions, template(runs_of), night)
        for n in pinned_news(notes, sessions, said, night):
            if n.action == "kept":
                said[n.session_id] = n.reasons
            else:
                said.pop(n.session_id)
        assert said == {n.session_id: n.reasons for n in notes}
        assert pinned_news(notes, sessions, said, night) == []


@settings(max_examples=60, deadline=None)
@given(week_templates(), st.integers(1, 3))
@example({"mon": "easy", "tue": "easy", "wed": "speed", "fri": "easy", "sat": "long"}, 3)
def test_a_deload_week_holds_2_sets_of_every_exercise_mobility_sessions_too(
        runs_of: dict[str, str], target: int) -> None:
    """RULES.md S5: a deload week is 2 sets per exercise. Its mobility session (a third
    session, or one S6 left no strength day) held 3 sets of the clamshells and dead bugs
    its strength sessions held at 2."""
    sessions = plan(context(profile(runs_of, sessions=target)), template(runs_of), weeks=5)
    for monday, week in groupby(sessions, key=lambda s: week_start(s.day)):
        held = list(week)
        if any(p.phase == "deload" for s in held for p in s.exercises):
            assert all(p.sets <= 2 and p.phase == "deload" for s in held
                       for p in s.exercises), (monday, held)


@settings(max_examples=30, deadline=None)
@given(week_templates())
def test_a_session_turned_into_mobility_in_a_deload_week_holds_2_sets(
        runs_of: dict[str, str]) -> None:
    """RULES.md S5 for what planner.adapt, planner.races and the morning pass make mobility
    work (planner.program.mobility_work): a deload week's session 2 sets per exercise, as the
    week's planned mobility session (it held 3); any other week's is as it was."""
    ctx = context(profile(runs_of))
    sessions = plan(ctx, template(runs_of), weeks=5)
    assume(any(p.phase == "deload" for s in sessions for p in s.exercises))
    for s in sessions:
        deload = any(p.phase == "deload" for p in s.exercises)
        work = mobility_work(ctx)(s)
        assert work == (tuple(p for p in work if p.sets <= 2 and p.phase == "deload")
                        if deload else mobility_session(ctx, s.step, s.day)), (s, work)
