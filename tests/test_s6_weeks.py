"""S6 across week ends (RULES.md S6, S7.2): the planner looks a week past what it plans,
today's planned run counts until today is synced, traits count, moves avoid eves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db import models as m
from db import repo
from db.session import open_db, transaction
from demo.fitwrite import LapSpec, run_fit
from domain.profile import Profile
from ingest import fit
from jobs.replan import load_sessions, replan, run_days
from planner.adapt import Tonight, adapt
from planner.model import RunDay, Session, week_start
from planner.plan import extend
from planner.program import mobility_session
from planner.runs import LOOK_PAST_DAYS, RunPlan, planned_run, template_room
from planner.runs import run_days as planned_runs
from planner.schedule import run_conflicts
from tests.planning import DAYS, MONDAY, context, profile, template

SPEEDY_MONDAYS = {"mon": "speed", "tue": "easy", "wed": "long", "fri": "speed"}
KINDS = ("easy", "recovery", "long", "speed", "threshold", "long", "speed")
WEEKS = 3


@st.composite
def weekly_templates(draw: st.DrawFn) -> dict[str, str]:
    days = draw(st.lists(st.sampled_from(DAYS), min_size=3, max_size=6, unique=True))
    return {d: draw(st.sampled_from(KINDS)) for d in days}


def _nightly(runs_of: dict[str, str], sessions_a_week: int,
             calendar: dict[date, tuple[str, ...]] | None = None) -> list[Session]:
    """Three weeks as the nightly loop lives them: every night adapts, every Sunday night
    plans the coming week, each time with only the runs planner.runs says it knows (the
    template's and the Garmin `calendar`'s)."""
    ctx = context(profile(runs_of, sessions=sessions_a_week))
    plan = RunPlan(runs_of, calendar or {})
    sessions: list[Session] = []
    for n in range(7 * WEEKS):
        night = MONDAY - timedelta(days=1) + timedelta(days=n)
        last = week_start(night + timedelta(days=1)) + timedelta(days=6)
        runs = planned_runs(night, last, {}, plan)
        sessions, _ = adapt(sessions, Tonight(night, runs),
                            lambda s: mobility_session(ctx, s.step, s.day))
        sessions, _ = extend(ctx, MONDAY, night, last, runs, sessions)
    return sessions


@settings(max_examples=60, deadline=None)
@given(weekly_templates(), st.integers(1, 3))
def test_no_s6_break_over_three_weeks_including_week_ends(runs_of: dict[str, str],
                                                          target: int) -> None:
    sessions = _nightly(runs_of, target)
    everything = template(runs_of, weeks=WEEKS + 2)  # the running as it really comes
    strength = [s for s in sessions if s.kind == "strength" and s.status != "skipped"]
    assert all(not run_conflicts(s.day, everything) for s in strength), \
        [(s.day, run_conflicts(s.day, everything)) for s in strength
         if run_conflicts(s.day, everything)]


@settings(max_examples=60, deadline=None)
@given(weekly_templates(), st.integers(1, 3))
# the week before the first placed one ends in a long run: no strength on its Monday
@example({"fri": "speed", "sat": "long", "sun": "long"}, 2)
def test_the_room_init_tells_of_is_the_room_the_nightly_plan_finds(runs_of: dict[str, str],
                                                                    target: int) -> None:
    """`init` says how many sessions a week of the template holds (template_room): the
    nightly loop's second week (the first placed after a week like it) holds those days."""
    week_two = MONDAY + timedelta(days=7)
    room = template_room(runs_of, target, after=MONDAY)
    nightly = [s for s in _nightly(runs_of, target) if week_two <= s.day < week_two
               + timedelta(days=7)]
    assert room.strength == tuple(s.day for s in nightly if s.kind == "strength")
    assert room.mobility == tuple(s.day for s in nightly if s.kind == "mobility")
    assert bool(room.reasons) == (len(room.strength) < target)


def test_a_sunday_session_before_a_monday_speed_run_is_avoided() -> None:
    # Tuesday, Saturday and Sunday are legal inside the week; Sunday is the eve of Monday's
    # speed run, which only looking past the week shows (S6).
    runs_of = SPEEDY_MONDAYS
    sessions = _nightly(runs_of, 2)
    assert sessions and not any(s.day.weekday() == 6 and s.kind == "strength"
                                for s in sessions)


def test_a_week_is_placed_knowing_the_run_after_the_next_weeks_sunday() -> None:
    # Two sessions, no template; the Garmin calendar holds speed on week 2's Wednesday, a
    # long run on its Friday and speed on week 3's Monday: week 2's legal days are Monday
    # and Thursday only (its Sunday is the eve of a speed run). Week 1, planned on the
    # Sunday night before it, keeps off its own Sunday (which takes week 2's Monday), and
    # only the Monday after week 2 shows that week 2's Sunday cannot make up for it
    # (RULES.md S3, S6)
    day = [MONDAY + timedelta(days=i) for i in range(15)]
    sessions = _nightly({}, 2, {day[9]: ("speed",), day[11]: ("long",), day[14]: ("speed",)})
    assert [(s.day, s.kind) for s in sessions if s.day < day[14]] == [
        (day[0], "strength"), (day[5], "strength"), (day[7], "strength"),
        (day[10], "strength")]


def test_the_runs_reach_a_week_past_the_last_planned_day() -> None:
    sunday = MONDAY + timedelta(days=6)
    runs = planned_runs(MONDAY, sunday, {}, RunPlan({"mon": "speed", "sun": "easy"}))
    assert sunday + timedelta(days=1) in runs and LOOK_PAST_DAYS >= 7
    assert max(runs) == sunday + timedelta(days=LOOK_PAST_DAYS)
    # and the day after the next week's Sunday, which placing a week looks at too
    assert sunday + timedelta(days=8) in runs


def test_todays_planned_run_counts_until_today_is_synced_or_over() -> None:
    saturday = MONDAY + timedelta(days=5)
    plan = RunPlan({"sat": "long"})
    assert planned_runs(saturday, saturday, {}, plan)[saturday].kinds == ("long",)
    assert saturday not in planned_runs(saturday, saturday, {}, plan, night_synced=True)
    assert saturday not in planned_runs(saturday, saturday, {}, plan, night_over=True)
    easy = {saturday: RunDay(saturday, ("easy",), "actual")}
    assert planned_runs(saturday, saturday, easy, plan)[saturday].source == "actual"


def test_precedence_race_then_calendar_then_template() -> None:
    wed = MONDAY + timedelta(days=2)
    plan = RunPlan({"wed": "easy"}, {wed: ("threshold",)}, {wed})
    assert planned_run(wed, plan) == RunDay(wed, ("race",), "race")
    no_race = RunPlan({"wed": "easy"}, {wed: ("threshold",)})
    assert planned_run(wed, no_race) == RunDay(wed, ("threshold",), "garmin-calendar")
    assert planned_run(wed, RunPlan({"wed": "easy"})) == RunDay(wed, ("easy",), "template")
    assert planned_run(wed, RunPlan({"wed": "rest"})) is None


def test_a_trait_beyond_the_kind_blocks_the_day_before() -> None:
    thu = MONDAY + timedelta(days=3)
    surges = RunDay(thu, ("long",), "actual", extra_traits=frozenset({"speed"}))
    assert run_conflicts(thu - timedelta(days=1), {thu: surges})  # speed: not the day before
    assert not run_conflicts(thu - timedelta(days=1), {thu: RunDay(thu, ("long",))})


def test_a_move_never_lands_on_the_eve_of_a_long_run() -> None:
    # Tuesday's session breaks S6 after an unplanned long run on Monday; Wednesday is legal
    # under S6 but is the eve of Thursday's long run, so the session turns mobility.
    ctx = context()
    days = [MONDAY + timedelta(days=i) for i in range(7)]
    runs = {days[0]: RunDay(days[0], ("long",), "actual"), days[3]: RunDay(days[3], ("long",)),
            days[5]: RunDay(days[5], ("speed",)), days[6]: RunDay(days[6], ("long",))}
    s = Session("w#1", days[1], "strength", 1, 1, ())
    after, [change] = adapt([s], Tonight(days[0], runs),
                            lambda x: mobility_session(ctx, x.step, x.day))
    assert run_conflicts(days[2], runs) == []  # S6 alone would allow Wednesday
    assert change.action == "mobility" and after[0].day == days[1]
    assert "eve of a long run" in change.reasons[-1]


P = Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50,
            runs={"mon": "easy", "wed": "easy", "fri": "easy", "sat": "long"})


def test_the_job_knows_the_runs_a_week_past_the_plan(db_url: str) -> None:
    speedy = Profile(**{**P.__dict__, "runs": SPEEDY_MONDAYS})
    with transaction(open_db(db_url)) as db:
        report = replan(db, speedy, MONDAY - timedelta(days=1), weeks_ahead=1)
        sessions = load_sessions(db, repo.athlete(db, speedy))
    assert report.nights == 1
    last_sunday = MONDAY + timedelta(days=13)
    assert sessions and all(s.day != last_sunday or s.kind != "strength" for s in sessions)
    assert not any(s.day.weekday() == 6 and s.kind == "strength" for s in sessions)


def test_stored_traits_reach_the_planner(db_url: str) -> None:
    tuesday = MONDAY + timedelta(days=1)
    start = datetime(tuesday.year, tuesday.month, tuesday.day, 8, tzinfo=UTC)
    long_run = fit.decode(run_fit(start, [LapSpec(3600, 3.0, 146), LapSpec(3600, 3.0, 148)]))
    factory = open_db(db_url)
    with transaction(factory) as db:
        who = repo.athlete(db, P)
        repo.save_activities(db, who, long_run, "a" * 64)
        replan(db, P, tuesday)  # classifies the run and stores its traits
    with factory() as db:
        who = repo.athlete(db, P)
        stored = db.scalars(select(m.RunClass)).one()
        runs = run_days(db, who, P, tuesday, tuesday + timedelta(days=6))
    assert stored.traits and "long" in stored.traits
    assert "long" in runs[tuesday].traits and runs[tuesday].source == "actual"


def test_a_long_run_planned_today_protects_tomorrow(db_url: str) -> None:
    saturday = MONDAY + timedelta(days=5)
    with transaction(open_db(db_url)) as db:
        who = repo.athlete(db, P)
        runs = run_days(db, who, P, saturday, saturday + timedelta(days=7))
        over = run_days(db, who, P, saturday, saturday + timedelta(days=7), night_over=True)
    assert runs[saturday].kinds == ("long",) and saturday not in over
    assert run_conflicts(saturday + timedelta(days=1), runs)


def test_todays_planned_run_gives_way_once_an_activity_of_today_is_synced(db_url: str) -> None:
    """The job's side of the rule: the planned long run counts on its day until a run of
    that day is synced; then the day holds what was run."""
    saturday = MONDAY + timedelta(days=5)
    sunday = saturday + timedelta(days=1)
    start = datetime(saturday.year, saturday.month, saturday.day, 8, tzinfo=UTC)
    easy = fit.decode(run_fit(start, [LapSpec(1500, 2.8, 132)]))
    factory = open_db(db_url)
    with transaction(factory) as db:
        who = repo.athlete(db, P)
        planned = run_days(db, who, P, saturday, sunday + timedelta(days=7))
        repo.save_activities(db, who, easy, "e" * 64)
        replan(db, P, saturday)  # classifies the run
    with factory() as db:
        runs = run_days(db, repo.athlete(db, P), P, saturday, sunday + timedelta(days=7))
    assert planned[saturday].kinds == ("long",) and run_conflicts(sunday, planned)
    assert runs[saturday].source == "actual" and "long" not in runs[saturday].traits
    assert not run_conflicts(sunday, runs)
