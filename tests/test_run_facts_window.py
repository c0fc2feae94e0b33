"""What the planner reads of the runs done is bounded by the nights it adapts: the day
before the first one on (S6 reads a day's neighbours), never the years before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from db import repo
from db.session import open_db, transaction
from domain.activity import Activity
from domain.profile import Profile
from jobs.analyse import analyse
from jobs.replan import run_days, run_facts
from planner.model import RunDay
from planner.runs import RunPlan
from planner.runs import run_days as planned_and_run

P = Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50, threshold_hr=170,
            runs={"sat": "long"})
NIGHT = date(2025, 3, 12)  # a Wednesday
DONE = (NIGHT - timedelta(days=9), NIGHT - timedelta(days=2), NIGHT - timedelta(days=1),
        NIGHT)


def _runs(db_url: str) -> None:
    with transaction(open_db(db_url)) as s:
        who = repo.athlete(s, P)
        for i, day in enumerate(DONE):
            run = Activity(sport="running", start=datetime(day.year, day.month, day.day, 7,
                                                           tzinfo=UTC),
                           duration_s=45 * 60, avg_hr=140, name=f"run {i}")
            repo.save_activities(s, who, [run], content_hash=f"{i:064d}")
        analyse(s, P, NIGHT)  # classified: each an actual run of its day


def test_a_night_reads_the_runs_from_the_day_before_it(db_url: str) -> None:
    _runs(db_url)
    with open_db(db_url)() as s:
        who = repo.athlete(s, P)
        runs = run_days(s, who, P, NIGHT, NIGHT)
    actual = sorted(day for day, run in runs.items() if run.source == "actual")
    assert actual == [NIGHT - timedelta(days=1), NIGHT]  # yesterday's run still shows


def test_a_catch_up_reads_the_runs_from_the_day_before_its_first_night(db_url: str) -> None:
    _runs(db_url)
    first = NIGHT - timedelta(days=1)
    with open_db(db_url)() as s:
        facts = run_facts(s, repo.athlete(s, P), P, first, NIGHT, NIGHT + timedelta(days=4))
    assert sorted(facts.actual) == [first - timedelta(days=1), first, NIGHT]
    assert NIGHT + timedelta(days=3) in facts.tonight(NIGHT, NIGHT + timedelta(days=4))  # sat


def test_a_run_of_the_day_after_the_night_counts_where_its_plan_did_unless_the_night_is_over(
        ) -> None:
    """A pass on the morning after the night (a nightly_at before noon) reads that morning's
    run; a night of a catch-up that is over leaves it to the next night."""
    thursday = NIGHT + timedelta(days=1)
    ran = {thursday: RunDay(thursday, ("speed",), "actual")}
    plan = RunPlan({"thu": "easy"})
    assert planned_and_run(NIGHT, NIGHT, ran, plan)[thursday].kinds == ("speed",)
    over = planned_and_run(NIGHT, NIGHT, ran, plan, night_over=True)[thursday]
    assert (over.kinds, over.source) == (("easy",), "template")
