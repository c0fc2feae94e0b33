"""Multisport files (triathlon, duathlon) and a day's chained activities (RULES.md "Run
classification", Multisport): every leg keeps its own sport and load; legs of two or more
endurance sports joined back to back are a race unless the name says otherwise."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from analysis.traits import Found
from domain.activity import Activity
from domain.run import Trait

LEG_SPORTS = frozenset({"swimming", "cycling", "running"})
TRANSITION = "transition"
MAX_CHAIN_GAP_S = 15 * 60  # activities this close count as chained legs
NOT_A_RACE = re.compile(r"\b(training|practice|brick|session|workout|test)\b", re.I)


def multisport_race(legs: Sequence[Activity]) -> Found | None:
    """The race trait every leg gets when `legs` (one file, or one day's activities) form a
    triathlon or duathlon; None otherwise."""
    ordered = sorted(legs, key=lambda a: a.start)
    sports = [a.sport for a in ordered if a.sport in LEG_SPORTS]
    kinds = set(sports)
    if len(kinds) < 2 or not _chained(ordered):
        return None
    name = next((a.name for a in ordered if a.name), None)
    if name and NOT_A_RACE.search(name):
        return None
    what = "triathlon" if kinds == LEG_SPORTS else "duathlon" if kinds == {
        "running", "cycling"} else "multisport"
    total = sum(a.duration_s for a in ordered) / 60
    transitions = sum(a.sport == TRANSITION for a in ordered)
    return Found(Trait.RACE, f"a {what}: {' -> '.join(sports)} legs chained"
                             f"{f' by {transitions} transitions' if transitions else ''}, "
                             f"{total:.0f} min in all, and the name does not say training")


def _chained(ordered: Sequence[Activity]) -> bool:
    for a, b in itertools.pairwise(ordered):
        end = a.start.timestamp() + (a.elapsed_s or a.duration_s)
        if b.start.timestamp() - end > MAX_CHAIN_GAP_S:
            return False
    return True
