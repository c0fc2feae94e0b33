"""The plan without the races (`PlainPlan`): a race's knock-ons, what it changes beyond its
own rules, are told as differences from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from functools import cached_property

from planner.blocks import BLOCK_WEEKS, WEEK, WeekCount, WeekInBlock
from planner.ladders import Shown
from planner.lifter import Lifter, races_of
from planner.model import Adjustment, RunDay, Session
from planner.planned import fixed_around, monday_of, plan_timeline, seen_before, shown_before
from planner.program import build_week
from planner.races import first_monday_reached, knock_ons, reaches

SIX_DAYS = timedelta(days=6)  # Monday to Sunday


class PlainPlan:
    """The plan as it would be without the races, week by week where a race reaches: what
    a race changes beyond its own rules (a held ladder step starting later, so an intro week
    later; another day for a session) is a difference from it, recorded with the races'
    names. Weeks no race reaches are not planned twice."""

    def __init__(self, ctx: Lifter, first_monday: date, runs: Mapping[date, RunDay],
                 until_monday: date, counts: Mapping[date, WeekCount]) -> None:
        self.races = races_of(ctx)
        self.ctx = replace(ctx, profile=replace(ctx.profile, races=()), found_races=())
        self.first_monday, self.runs = first_monday, runs
        self.until_monday, self.counts = until_monday, counts
        self.weeks: dict[date, list[Session]] = {}  # planned without the races, by Monday
        self.start: date | None = None  # the first of them

    @cached_property
    def timeline(self) -> list[WeekInBlock]:
        """Its weeks in blocks, its deloads too as without the races (no taper counting as
        one): laid out the first time a race reaches a week planned (years of weeks)."""
        return plan_timeline(self.ctx, self.first_monday, self.until_monday, self.counts)

    def knock_ons(self, weeks: list[WeekInBlock], index: int, out: list[Session],
                  allowed: Sequence[date], night: date,
                  known: Sequence[Adjustment], shown: Shown) -> list[Adjustment]:
        """The week's open sessions that differ from the week planned without the races,
        each one not yet explained by a change naming a race that reaches it; `shown`: what
        the weeks before it showed, as the plan with the races read them to plan it."""
        monday = weeks[index].monday
        near = [r for r in self.races if reaches(r, monday) or reaches(r, monday + SIX_DAYS)]
        if not near:
            return []
        start = max(self.first_monday, min(map(first_monday_reached, near)))
        if start != self.start:
            self.start, self.weeks = start, {}
        first = next(i for i, w in enumerate(weeks) if w.monday == start)
        for i in range(first, index):  # the weeks before it as they would have been
            if weeks[i].monday not in self.weeks:
                self.weeks[weeks[i].monday] = self._week(self.timeline, i, out, None, night)
        self.weeks[monday] = self._week(self.timeline, index, out, allowed, night)
        return knock_ons(self.weeks[monday], [s for s in out if monday_of(s) == monday],
                         night, near, known, _kept_words(shown, monday))

    def _week(self, weeks: list[WeekInBlock], index: int, out: list[Session],
              allowed: Sequence[date] | None, night: date) -> list[Session]:
        monday = weeks[index].monday
        before = [s for s in out if monday_of(s) < (self.start or monday)]
        plan = before + [s for m, week in self.weeks.items() if m < monday for s in week]
        new, _, _ = build_week(self.ctx, weeks, index, self.runs, fixed_around(plan, monday),
                               allowed, seen_before(plan, monday, night), night,
                               shown_before(self.ctx, plan, monday))
        return new


def _kept_words(shown: Shown, monday: date) -> dict[str, str]:
    """Why an exercise strength sessions before `monday` showed stays where the plan without
    the races steps up, when that is S5's block (planner.blocks.ladder_steps): fewer than 4
    weeks of training since it was first shown, not counting the weeks of mobility work only
    (a race's among them: `shown` is the plan's with the races, whose ladders these are)."""
    idle = shown.idle
    out = {}
    for e, first in ((e, min(mondays)) for e, mondays in shown.weeks.items()):
        weeks = [first + WEEK * i for i in range((monday - first).days // 7)]
        trained = [m for m in weeks if m not in idle]
        if len(trained) >= BLOCK_WEEKS:
            continue
        words = (f"{e} stays: {len(trained)} of its block's {BLOCK_WEEKS} weeks of training "
                 f"since {first:%a %d %b} (S5)")
        if rested := [m for m in weeks if m in idle]:
            words += (f", not counting the week{'s' if len(rested) > 1 else ''} of "
                      f"{' and '.join(f'{m:%a %d %b}' for m in rested)}, which held mobility "
                      "work only")
        out[e] = words
    return out
