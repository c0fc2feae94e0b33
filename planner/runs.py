"""What each day's running holds, as the planner reads it (RULES.md S6, S7.1).

Past days hold what was actually run (classified, with its traits); future days the plan:
a race beats the Garmin calendar, which beats the weekly template (the one place that
precedence is decided). The night's own planned run still counts while no activity of that
day is synced and the day is not over: a long run planned for today protects tomorrow.
The days reach `LOOK_PAST_DAYS` past the last day planned: S6 holds across week ends.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.profile import WEEKDAYS
from planner.model import ONE_DAY, RunDay, week_start
from planner.schedule import Placement, place_week

# The planner looks at least a week past the last day it plans (S6): placing a week looks at
# how the next one will be placed (planner.schedule._next_week), whose Sunday S6 judges with
# the Monday after it.
LOOK_PAST_DAYS = 8


@dataclass(frozen=True)
class RunPlan:
    """Everything the running of future days comes from."""

    template: Mapping[str, str] = field(default_factory=dict)  # weekday -> kind (or rest)
    calendar: Mapping[date, Sequence[str]] = field(default_factory=dict)  # kinds and traits
    races: Collection[date] = ()  # race days (entered races)


def planned_run(day: date, plan: RunPlan) -> RunDay | None:
    """A day's planned running: race > Garmin calendar > template; None for a rest day."""
    if day in plan.races:  # a race counts as long and speed (S6)
        return RunDay(day, ("race",), "race")
    if kinds := tuple(plan.calendar.get(day, ())):
        return RunDay(day, kinds, "garmin-calendar")
    kind = plan.template.get(WEEKDAYS[day.weekday()])
    if kind is not None and kind != "rest":
        return RunDay(day, (kind,), "template")
    return None


def horizon(last_planned: date) -> date:
    """The last day whose running the planner must know when it plans through
    `last_planned`: the week after it and the day after that (a Sunday session before a
    Monday speed run breaks S6)."""
    return last_planned + timedelta(days=LOOK_PAST_DAYS)


def run_days(night: date, last_planned: date, actual: Mapping[date, RunDay], plan: RunPlan,
             night_synced: bool = False, night_over: bool = False) -> dict[date, RunDay]:
    """Actual runs through the night, planned runs after it through `horizon(last_planned)`.

    The night's own planned run counts until an activity of that day is synced
    (`night_synced`, or a run of the night in `actual`) or the day is over (`night_over`).
    A run of the day after the night in `actual` (a pass on that day's morning: a nightly_at
    before noon, the morning pass) was run, so it counts where that day's plan did, unless
    the night is over (a later night of a catch-up reads it as its own)."""
    seen = night if night_over else night + ONE_DAY
    runs = {d: r for d, r in actual.items() if d <= seen}
    counts = not (night_synced or night_over or night in actual)
    day = night if counts else night + ONE_DAY
    while day <= horizon(last_planned):
        if day not in runs and (run := planned_run(day, plan)) is not None:
            runs[day] = run
        day += ONE_DAY
    return runs


@dataclass(frozen=True)
class RunFacts:
    """The running known over a stretch of nights, loaded once: what was run (classified,
    with its traits), the days an activity was synced, and what is planned."""

    actual: Mapping[date, RunDay]
    plan: RunPlan
    synced: Collection[date] = frozenset()  # days of which an activity is synced

    def tonight(self, night: date, last_planned: date,
                night_over: bool = False) -> dict[date, RunDay]:
        """The runs as the planner reads them on `night` (run_days)."""
        return run_days(night, last_planned, self.actual, self.plan,
                        night_synced=night in self.synced, night_over=night_over)


def template_room(template: Mapping[str, str], count: int, after: date) -> Placement:
    """How S6 places `count` strength sessions in the first week after `after` that its
    weekly template alone makes (no race, no Garmin calendar), the week before placed
    alike: the room the runner's usual week leaves. Fewer days than `count` means mobility
    work every such week, which the runner is better told once, when choosing the template,
    than finds week after week."""
    monday = week_start(after) + timedelta(days=7)
    plan = RunPlan(template)
    # from two weeks back: the week placed before sees the runs before it (a Sunday long
    # run keeps its Monday free), as the nightly plan's weeks do
    days = (monday + timedelta(days=i) for i in range(-14, 7 + LOOK_PAST_DAYS))
    runs = {day: run for day in days if (run := planned_run(day, plan)) is not None}
    before = place_week(monday - timedelta(days=7), runs, count).strength
    return place_week(monday, runs, count, fixed=before)
