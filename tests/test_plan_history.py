"""What planning the weeks ahead reads of the plan does not grow with the weeks gone by:
`planner.plan.extend` walks the blocks from the plan's first week, and for every week of
them looked for its sessions in the whole plan (weeks by sessions: 137,284 sessions looked
at for a plan of 5 years, 5,828 for one) before it skipped a week gone by. Counted: the
sessions it sorts into weeks (no timing)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest

from planner import plan
from planner.model import Session
from planner.planned import monday_of
from planner.progression import LoggedLift
from tests.planning import ARTICLE, MONDAY, context, template

BLOCK = 4  # weeks


def done_history(years: int) -> tuple[list[Session], date]:
    """`years` of a plan, every session done: the planner's first block, repeated; and the
    night after it."""
    first, _ = plan.extend(context(), MONDAY, MONDAY - timedelta(days=1),
                           MONDAY + timedelta(weeks=BLOCK, days=-1),
                           template(ARTICLE, weeks=BLOCK + 1), [])
    blocks = years * 52 // BLOCK
    history = [s.with_(id=f"{monday_of(s) + shift}#{s.id.split('#')[1]}", day=s.day + shift,
                       status="done", block=s.block + b)
               for b in range(blocks) for shift in [timedelta(weeks=BLOCK * b)] for s in first]
    return history, MONDAY + timedelta(weeks=BLOCK * blocks, days=-1)


@pytest.mark.parametrize("years", [1, 5])
def test_the_weeks_ahead_are_planned_without_reading_the_weeks_gone_by(
        years: int, monkeypatch: pytest.MonkeyPatch) -> None:
    history, night = done_history(years)
    read = 0

    def counted(s: Session) -> date:
        nonlocal read
        read += 1
        return monday_of(s)

    monkeypatch.setattr(plan, "monday_of", counted)
    until = night + timedelta(weeks=2)
    sessions, _ = plan.extend(context(), MONDAY, night, until,
                              template(ARTICLE, weeks=3, first=night + timedelta(days=1)),
                              history)
    assert len(sessions) > len(history)  # the weeks ahead planned
    # each week from the night's on looks through the plan twice (its sessions, and whether
    # the week after it stands): three weeks, not every week since the first (52 or 260)
    assert read <= 2 * 3 * len(sessions), (read, len(sessions))


class Counted(tuple[LoggedLift, ...]):
    """A lift history that counts the times it is read through."""

    reads = 0

    def __iter__(self) -> Iterator[LoggedLift]:
        Counted.reads += 1
        return super().__iter__()


@pytest.mark.parametrize("years", [1, 5])
def test_a_week_is_picked_without_reading_the_lifts_once_an_exercise(years: int) -> None:
    """Whether the athlete knows an exercise (no intro week, S5) read every lift ever for
    each exercise a week's picks consider: 6,933 reads of 2,275 lifts for a week planned
    after 5 years, 1,317 of 455 after one (now 7: each prescription's own, and one)."""
    history, night = done_history(years)
    lifts = Counted(LoggedLift(s.day, p.exercise_id, (p.reps or 0,) * p.sets, p.load_kg)
                    for s in history for p in s.exercises)
    Counted.reads = 0
    sessions, _ = plan.extend(replace(context(), history=lifts), MONDAY, night,
                              night + timedelta(weeks=1),
                              template(ARTICLE, weeks=2, first=night + timedelta(days=1)),
                              history)
    new = [s for s in sessions if s.day > night]
    assert new  # the week planned
    # the prescriptions' own (each exercise's last lifts), and once for what was lifted
    assert Counted.reads <= 2 * sum(len(s.exercises) for s in new) + 2, Counted.reads
