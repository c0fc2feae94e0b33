"""The athlete as the strength program reads them: who, with what kit, what was done, what
is known, and the races the plan works around.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from domain.profile import Profile
from planner import races
from planner.catalog import Catalog
from planner.progression import LoggedLift
from planner.races import RaceDay


@dataclass(frozen=True)
class Lifter:
    """Everything the program reads: who, with what kit, what was done, what is known."""

    profile: Profile
    catalog: Catalog
    history: Sequence[LoggedLift] = ()
    known_kg: Mapping[str, float] | None = None  # starting loads the athlete knows
    # The next session's day: a layoff (S5's 14 days) is judged there, since the sessions
    # planned after it assume that one happens.
    next_session: date | None = None
    found_races: Sequence[RaceDay] = ()  # races found in the synced activities, not entered

    @cached_property
    def lifted(self) -> frozenset[str]:
        """The exercises ever lifted: read once, not the whole history again for every
        exercise a week's picks consider."""
        return frozenset(d.exercise_id for d in self.history)


def races_of(ctx: Lifter) -> list[RaceDay]:
    """The races the plan works around: entered in the profile and found in the activities."""
    return [*races.entered(ctx.profile.races), *ctx.found_races]
