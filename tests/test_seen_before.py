"""What the sessions planned so far tell a new week of the exercises the athlete knows
(planner/planned.seen_before): a session done, or one still to come, taught its exercises;
one skipped or gone by undone (a layoff) did not, so they start with an intro week (S5)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from planner.model import Prescription, Session
from planner.planned import seen_before

MONDAY = date(2025, 3, 3)
STATUSES = st.sampled_from(["planned", "moved", "lightened", "done", "skipped"])


@st.composite
def sessions(draw: st.DrawFn) -> list[Session]:
    out = []
    for n in range(draw(st.integers(0, 12))):
        day = MONDAY + timedelta(days=draw(st.integers(0, 48)))
        exercises = tuple(Prescription(e, 3) for e in draw(
            st.sets(st.sampled_from(["goblet_squat", "deadlift", "clamshell"]), min_size=1)))
        out.append(Session(f"{day}#{n}", day, draw(st.sampled_from(["strength", "mobility"])),
                           1, 1, exercises, draw(STATUSES)))
    return out


@given(sessions(), st.integers(0, 48), st.integers(0, 6))
def test_only_sessions_done_or_still_ahead_make_an_exercise_known(
        planned: list[Session], night: int, week: int) -> None:
    monday, tonight = MONDAY + timedelta(weeks=week), MONDAY + timedelta(days=night)
    seen = seen_before(planned, monday, tonight)
    before = [s for s in planned if s.day < monday and s.kind == "strength"]
    for s in before:
        ids = {p.exercise_id for p in s.exercises}
        if s.status == "done" or (s.status != "skipped" and s.day >= tonight):
            assert ids <= seen, (s, seen)
    taught = {p.exercise_id for s in before for p in s.exercises
              if s.status == "done" or (s.status != "skipped" and s.day >= tonight)}
    assert seen == taught  # gone by undone, skipped, mobility or after: nothing taught
