"""The run vocabulary every layer shares: the displayed kinds and the traits (RULES.md "Run
classification"). Every list of kinds elsewhere is derived from these enums; they are str
enums, so stored rows and the planner may keep using the plain string values."""

from __future__ import annotations

from enum import StrEnum


class RunKind(StrEnum):
    """The one kind a run is displayed as, first match in this order (RULES.md)."""

    RACE = "race"
    SPEED = "speed"
    THRESHOLD = "threshold"
    LONG = "long"
    RECOVERY = "recovery"
    EASY = "easy"


class Trait(StrEnum):
    """What a run demands; a run may carry several (a long trail run with surges is both)."""

    RACE = "race"
    SPEED = "speed"
    THRESHOLD = "threshold"
    LONG = "long"


class OtherKind(StrEnum):
    """Activities that are not runs get a load but no run class."""

    STRENGTH = "strength"
    OTHER = "other"


RUN_KINDS: tuple[str, ...] = tuple(k.value for k in RunKind)
TRAITS: tuple[str, ...] = tuple(t.value for t in Trait)
HARD_TRAITS = frozenset(TRAITS)  # every trait is hard: fatigue high (RULES.md)
