"""Planned kinds from Garmin calendar titles (RULES.md "Run classification"), the way
runners and coaching plans name workouts: "Long run 24 km", "6x800m", "Tempo 20 min".

"long" in the title is long (a "progression long run" is long with a threshold trait);
intervals ("6x800m", "4x1 km", "fartlek", "hills", "VO2") are speed; "tempo", "threshold",
"race pace", "marathon pace" are threshold; a race only with the race item type, or when the
word race/parkrun/marathon names the event itself (not "race pace", not "before race", not
"Marathon training long run").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.run import RunKind, Trait

RACE_ITEM_TYPES = frozenset({"race", "event"})
_PACE = r"(?:race|marathon|half[\s-]*marathon|10k|5k)[\s-]*pace"
THRESHOLD = re.compile(rf"\b(tempo|threshold|lt|cruise|progression|{_PACE})\b", re.I)
SPEED = re.compile(r"\b(intervals?|vo2(?:\s*max)?|speed|repeats?|reps|fartlek|hills?|track|"
                   r"\d+\s*x\s*\d+)", re.I)
LONG = re.compile(r"\blong\b", re.I)
RECOVERY = re.compile(r"\brecovery\b", re.I)
RACE_EVENT = re.compile(r"\b(race|parkrun|marathon)\b", re.I)
# The race words where they do not name the event itself: a pace, a workout before or after
# it, or a training plan named after it ("Marathon training long run", "Half marathon plan").
_EVENT = r"(?:race|(?:half[\s-]*)?marathon)"
NOT_THE_EVENT = re.compile(rf"\b{_PACE}\b|\b(before|after|pre|post)[\s-]*(the\s+)?{_EVENT}\b|"
                           rf"\b{_EVENT}[\s-]*(prep|simulation|sim|week|training|plan|block|"
                           r"build)\b", re.I)


@dataclass(frozen=True)
class PlannedKind:
    kind: RunKind
    traits: tuple[Trait, ...]
    reason: str

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kind and every trait, as the planner's run days list them (S6 reads traits)."""
        return tuple(dict.fromkeys([self.kind.value, *(t.value for t in self.traits)]))


def planned_kind(title: str, item_type: str | None = None) -> PlannedKind:
    """The planned kind and traits of a calendar item from its title and item type."""
    said = f"the calendar title {title!r}"
    if (item_type or "").lower() in RACE_ITEM_TYPES:
        return PlannedKind(RunKind.RACE, (Trait.RACE,), f"a race item in the calendar: {said}")
    event = NOT_THE_EVENT.sub(" ", title)
    if RACE_EVENT.search(event):
        return PlannedKind(RunKind.RACE, (Trait.RACE,), f"{said} names a race")
    threshold = bool(THRESHOLD.search(title))
    if LONG.search(title):
        traits = (Trait.LONG, Trait.THRESHOLD) if threshold else (Trait.LONG,)
        extra = " with a threshold part" if threshold else ""
        return PlannedKind(RunKind.LONG, traits, f"{said} says long{extra}")
    if SPEED.search(title):
        return PlannedKind(RunKind.SPEED, (Trait.SPEED,), f"{said} names intervals")
    if threshold:
        return PlannedKind(RunKind.THRESHOLD, (Trait.THRESHOLD,), f"{said} names a tempo")
    if RECOVERY.search(title):
        return PlannedKind(RunKind.RECOVERY, (), f"{said} says recovery")
    return PlannedKind(RunKind.EASY, (), f"{said} names no harder kind, so easy")
