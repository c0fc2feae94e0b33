"""The plan through a night from facts loaded once (planner.catch_up): pure, no database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import pytest

from planner.adapt import Recovery
from planner.catalog import default_catalog
from planner.catch_up import Decisions, PlanFacts, catch_up, window
from planner.model import RunDay, Session
from planner.runs import RunFacts, RunPlan
from tests.planning import MONDAY, profile

P = profile()  # Mon easy, Tue easy, Wed speed, Fri easy, Sat long; two sessions a week
SUNDAY = MONDAY - timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)


def facts(night: date, sessions: tuple[Session, ...] = (), last: date | None = None,
          actual: Mapping[date, RunDay] | None = None,
          recovery: Mapping[date, Recovery] | None = None) -> PlanFacts:
    runs = actual or {}
    return PlanFacts(window(night, last, 2), sessions, RunFacts(runs, RunPlan(P.runs), set(runs)),
                     recovery or {}, (), (), {}, MONDAY, last)


def plan(f: PlanFacts) -> Decisions:
    return catch_up(f, P, default_catalog())


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
