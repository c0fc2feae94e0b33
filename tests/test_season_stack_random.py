"""Random seasons through the real stack (tests/season_stack.py): any weekly template (one
to seven runs, hard days back to back), 1-3 sessions a week, a race of any distance and
priority or none, an athlete far from UTC, runs turned long or missed, sessions skipped;
RULES.md's invariants hold after every pass, and `why`, `plan`, `today` and the report
work at the end."""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.profile import WEEKDAYS
from tests.season_stack import (  # noqa: F401 (fast_garmin: the fixture)
    MONDAY,
    Race,
    StackSeason,
    days,
    fast_garmin,
    numbers_in_words,
    weekday,
    why,
)

WEEKS = 3
KINDS = st.sampled_from(["easy", "easy", "recovery", "speed", "threshold", "long"])
_homes = count()


@st.composite
def seasons(draw: st.DrawFn) -> tuple[dict[str, str], list[Race], str, int, int]:
    template = {d: draw(KINDS) for d in WEEKDAYS if draw(st.booleans())}
    races = [Race(MONDAY + timedelta(days=draw(st.integers(0, 7 * WEEKS))),
                  draw(st.sampled_from(["5k", "10k", "half", "marathon"])),
                  draw(st.sampled_from("ABC")))] if draw(st.booleans()) else []
    tz = draw(st.sampled_from(["UTC", "Pacific/Auckland", "Pacific/Honolulu",
                               "America/New_York"]))
    return template, races, tz, draw(st.integers(1, 3)), draw(st.integers(0, 2**16))


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seasons())
def test_a_random_season_keeps_the_rules(
        home: Path, monkeypatch: pytest.MonkeyPatch,
        season: tuple[dict[str, str], list[Race], str, int, int]) -> None:
    template, races, tz, sessions, seed = season
    monkeypatch.setenv("STRIDELIFT_HOME", str(home.parent / f"home-{next(_homes)}"))
    rng = random.Random(seed)
    s = StackSeason(tz, template, races)
    s.init(MONDAY - timedelta(days=1), "--strength-sessions", str(sessions))
    s.nightly(MONDAY - timedelta(days=1))
    for day in days(MONDAY, 7 * WEEKS):
        kind: str | None = template.get(weekday(day))
        roll = rng.random()
        if any(r.day == day for r in races):
            kind = "race"
        elif roll < 0.08:
            kind = "long"  # a long run on any day
        elif roll < 0.15:
            kind = None  # a run missed
        if kind:
            s.run(day, kind, hour=rng.choice((6, 12, 19)))
        s.morning(day)
        s.lift(day, lambda _s: rng.random() < 0.8)
        s.nightly(day)
    assert s.log == []
    end = s.at(MONDAY + timedelta(weeks=WEEKS), 9)
    assert all(numbers_in_words(c["reasons"]) for c in why(s, end))
    for command in (["plan", "--json"], ["today"], ["report", "--out",
                                                      str(home.parent / "report.html")]):
        result = s.cli(*command, when=end)
        assert result.exit_code == 0, result.output
