"""What the sessions planned so far tell a new week of the exercises the athlete knows
(planner/planned.seen_before): a session done, or one still to come, taught its exercises;
one skipped did not, nor one gone by undone in a layoff (S5: 14+ days without a session
done), so they start with an intro week. Outside a layoff a session gone by undone counts:
many runners lift and never press done."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from planner.model import Prescription, Session
from planner.planned import seen_before
from planner.progression import LAYOFF_DAYS

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


def _shown(planned: list[Session], monday: date) -> set[str]:
    return {p.exercise_id for s in planned if s.day < monday and s.kind == "strength"
            and s.status != "skipped" for p in s.exercises}


@given(sessions(), st.integers(0, 48), st.integers(0, 6))
def test_sessions_done_or_still_ahead_make_an_exercise_known_and_skipped_ones_do_not(
        planned: list[Session], night: int, week: int) -> None:
    monday, tonight = MONDAY + timedelta(weeks=week), MONDAY + timedelta(days=night)
    seen = seen_before(planned, monday, tonight)
    assert seen <= _shown(planned, monday)  # skipped, mobility or after: nothing taught
    for s in planned:
        if s.day < monday and s.kind == "strength" and (
                s.status == "done" or (s.status != "skipped" and s.day >= tonight)):
            assert {p.exercise_id for p in s.exercises} <= seen, (s, seen)


@given(sessions(), st.integers(0, 48), st.integers(0, 6))
def test_sessions_gone_by_undone_teach_their_exercises_but_in_a_layoff(
        planned: list[Session], night: int, week: int) -> None:
    """Never a session done (a runner who does not log), or none 14+ days apart: every
    session before the week not skipped taught its exercises, as before layoffs counted."""
    monday, tonight = MONDAY + timedelta(weeks=week), MONDAY + timedelta(days=night)
    done = sorted(s.day for s in planned if s.status == "done" and s.day < tonight)
    if all((b - a).days < LAYOFF_DAYS for a, b in pairwise([*done, tonight])):
        assert seen_before(planned, monday, tonight) == _shown(planned, monday)
    unlogged = [s.with_(status="planned") if s.status == "done" else s for s in planned]
    assert seen_before(unlogged, monday, tonight) == _shown(unlogged, monday)


def test_an_exercise_only_sessions_gone_by_in_a_layoff_held_is_new_again() -> None:
    """A session done, then five weeks with none logged: the ones gone by meanwhile taught
    nothing. Ten days in, the week after is planned with them known."""
    def strength(day: int, exercise: str, status: str) -> Session:
        when = MONDAY + timedelta(days=day)
        return Session(f"{when}#{day}", when, "strength", 1, 1, (Prescription(exercise, 3),),
                       status)
    planned = [strength(0, "goblet_squat", "done"), strength(7, "clamshell", "planned"),
               strength(21, "clamshell", "planned")]
    back = MONDAY + timedelta(weeks=5)
    assert seen_before(planned, back, back - timedelta(days=1)) == {"goblet_squat"}
    # ten days without one done is no layoff yet: the athlete may lift and not log it
    assert seen_before(planned, MONDAY + timedelta(weeks=2), MONDAY + timedelta(days=10)
                       ) == {"goblet_squat", "clamshell"}
