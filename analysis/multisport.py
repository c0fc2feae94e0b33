"""Multisport files (triathlon, duathlon) and a day's chained activities (RULES.md "Run
classification", Multisport): every leg keeps its own sport and load; legs of two or more
endurance sports joined back to back are a race unless the name says otherwise, or they have
the shape of a brick workout (a bike then a run, no transition) or last less than a race can."""

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
# A super-sprint triathlon (400 m, 10 km, 2.5 km) takes the fastest about 20 min: anything
# shorter is a test or a warm-up, not a race. Project default.
MIN_RACE_S = 15 * 60


def multisport_race(legs: Sequence[Activity], same_file: bool = True) -> Found | None:
    """The race trait every leg gets when `legs` (one file, or activities chained by Garmin)
    form a triathlon or duathlon; None otherwise. Separate activities only count as legs when
    Garmin chained them with a transition (a bike commute then a run is not a duathlon)."""
    ordered = sorted(legs, key=lambda a: a.start)
    sports = [a.sport for a in ordered if a.sport in LEG_SPORTS]
    kinds = set(sports)
    if len(kinds) < 2 or not _chained(ordered):
        return None
    if not same_file and not any(a.sport == TRANSITION for a in ordered):
        return None
    name = next((a.name for a in ordered if a.name), None)
    if name and NOT_A_RACE.search(name):
        return None
    total = sum(a.duration_s for a in ordered)
    transitions = sum(a.sport == TRANSITION for a in ordered)
    # Two legs with no transition (a bike then a run) is how a brick workout is recorded; a
    # duathlon runs again after the bike (run -> bike -> run), a triathlon has all three.
    if total < MIN_RACE_S or (kinds != LEG_SPORTS and not transitions and len(sports) < 3):
        return None
    what = "triathlon" if kinds == LEG_SPORTS else "duathlon" if kinds == {
        "running", "cycling"} else "multisport"
    return Found(Trait.RACE, f"a {what}: {' -> '.join(sports)} legs chained"
                             f"{f' by {transitions} transitions' if transitions else ''}, "
                             f"{total / 60:.0f} min in all, and the name does not say training")


def chains(activities: Sequence[Activity]) -> list[list[Activity]]:
    """The activities split where more than MAX_CHAIN_GAP_S separates one from the next."""
    out: list[list[Activity]] = []
    for a in sorted(activities, key=lambda x: x.start):
        if out and _gap_s(out[-1][-1], a) <= MAX_CHAIN_GAP_S:
            out[-1].append(a)
        else:
            out.append([a])
    return out


def _gap_s(a: Activity, b: Activity) -> float:
    return b.start.timestamp() - (a.start.timestamp() + (a.elapsed_s or a.duration_s))


def _chained(ordered: Sequence[Activity]) -> bool:
    return all(_gap_s(a, b) <= MAX_CHAIN_GAP_S for a, b in itertools.pairwise(ordered))
