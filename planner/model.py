"""The plan's vocabulary: what a session prescribes, the run facts it is placed around, and
the adjustments the nightly adaptation records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Protocol

SessionKind = str  # "strength" or "mobility"
Status = str  # planned, moved, lightened, done, skipped
HARD_BEFORE = frozenset({"speed", "threshold", "race"})  # no strength the day before these
HARD_AFTER = frozenset({"long", "race"})  # no strength the day after these
HARD_ON = HARD_BEFORE | HARD_AFTER  # no strength on these days (RULES.md S6)
EVE_OF = frozenset({"long", "race"})  # a move never lands the day before these (S7.2)
EASY_DAYS = frozenset({"easy", "recovery", "rest"})  # preferred days for strength


ONE_DAY = timedelta(days=1)


def rest_text(seconds: int) -> str:
    """A rest as a runner reads it on a clock: 150 -> "2:30"."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def days_in_words(days: Iterable[date]) -> str:
    """Days as the reasons name them: "Mon 03 Mar, Thu 06 Mar"."""
    return ", ".join(f"{d:%a %d %b}" for d in days)


def week_start(day: date) -> date:
    """Monday of the day's week: plans and legality work week by week (ISO weeks)."""
    return day - timedelta(days=day.weekday())


def week_of(day: date) -> list[date]:
    """The seven days of the day's week, Monday first."""
    monday = week_start(day)
    return [monday + timedelta(days=i) for i in range(7)]


@dataclass(frozen=True)
class Prescription:
    """One exercise of a session: sets of reps (or seconds), load and rest."""

    exercise_id: str
    sets: int
    reps: int | None = None
    seconds: int | None = None
    load_kg: float | None = None  # None: bodyweight, or find the load by the instruction
    rest_s: int = 120
    instruction: str | None = None  # e.g. "a weight you can lift 6 times, not 7"
    high_resistance_lower_body: bool = False
    power: bool = False  # power/plyometric work (dropped when lightened or tapering)
    pattern: str | None = None  # movement pattern (RULES.md S2)
    phase: str = "build"  # intro (first week of a new exercise), build or deload (S5)
    by_feel: bool = False  # a loaded exercise whose load is still found by feel (no kg)
    # The share of its full load it is lifted at: 0.9 lightened for recovery, 0.8 the first
    # session after a race; a refreshed prescription keeps it (planner/effort.at_load).
    share: float = 1.0
    # After 14+ days without a session (S5's layoff): the last load, which `load_kg` resumes
    # at 90 % of. A cut for the same time away (the first session after a race's window)
    # takes the deeper of the two from it, not their product (planner/effort.resumed_at).
    resumed_from: float | None = None
    # In a deload week (S5), with a load in kg and no layoff: the full load, which `load_kg`
    # is 90 % of. A post-race window counts as a deload (S5): the first session after it,
    # in a deload week, takes the deeper of the two cuts from it, not both (effort.resumed_at).
    deloaded_from: float | None = None

    def describe(self) -> str:
        work = f"{self.sets}x{self.reps}" if self.reps is not None else \
            f"{self.sets}x{self.seconds}s"
        load = f" @ {self.load_kg:g} kg" if self.load_kg else ""
        if self.by_feel and self.share < 1:  # lighter by feel: no kg shows it
            load = f" by feel at {self.share:.0%}"
        return f"{self.exercise_id} {work}{load}"


@dataclass(frozen=True)
class Session:
    id: str  # stable across nights: "<monday ISO>#<n>", n = 1.. within the week
    day: date
    kind: SessionKind
    block: int
    week_in_block: int
    exercises: tuple[Prescription, ...]
    status: Status = "planned"
    pinned: bool = False
    step: int = 0  # the ladder step (0-based) its block trains

    @property
    def heavy_lower(self) -> int:
        """High-resistance lower-body exercises it holds (RULES.md S4 counts them)."""
        return sum(p.high_resistance_lower_body for p in self.exercises)

    @property
    def settled(self) -> bool:
        """Done, skipped or pinned sessions are never changed (RULES.md S7.4)."""
        return self.pinned or self.status in ("done", "skipped")

    def describe(self) -> str:
        return f"{self.kind} on {self.day:%a %d %b}: " + ", ".join(
            p.describe() for p in self.exercises)

    def with_(self, **changes: object) -> Session:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RunDay:
    """What running a day holds: planned (template or Garmin calendar) or actually done."""

    day: date
    kinds: tuple[str, ...]  # run kinds; empty or ("rest",) for a rest day
    source: str = "template"  # template, garmin-calendar, race, actual
    reasons: tuple[str, ...] = ()  # for actual runs: the classification's reasons
    # Every trait the day's runs carry beyond their kinds (a long trail run with surges is
    # long and speed): S6 reads `traits`, which always includes the kinds' own.
    extra_traits: frozenset[str] = frozenset()

    @property
    def traits(self) -> frozenset[str]:
        """The day's hard traits: its kinds' and every trait its runs carry (S6)."""
        return HARD_ON.intersection(self.kinds) | HARD_ON.intersection(self.extra_traits)

    @property
    def hard(self) -> bool:
        return bool(self.traits)

    @property
    def easy(self) -> bool:
        return not self.kinds or set(self.kinds) <= EASY_DAYS


@dataclass(frozen=True)
class Adjustment:
    session_id: str
    night: date  # the night the change was decided (a pass on the morning after it, or the
    # morning pass: that morning's day, so it comes after the changes made before it)
    rule: str  # e.g. "S6 day after a long run", "S7.3 amber"
    action: str  # move, lighten, mobility, drop
    before: str  # date and prescription before
    after: str  # date and prescription after ("dropped" for a drop)
    reasons: tuple[str, ...]
    # a change of day: the day and status the session had before it (`race remove` gives
    # it back there); the day of the race entered the change was for
    moved_from: date | None = None
    moved_status: str | None = None
    for_race: date | None = None

    def of_move(self, before: Session, after: Session | None) -> Adjustment:
        """The change with the day and status `before` had, where `after` is on another
        day."""
        if after is None or after.day == before.day:
            return self
        return replace(self, moved_from=before.day, moved_status=before.status)


def one_set_fewer(items: tuple[Prescription, ...]) -> tuple[Prescription, ...]:
    """Less volume at the same load (amber lightening, the race taper)."""
    return tuple(replace(p, sets=max(1, p.sets - 1)) for p in items)


class _Counted(Protocol):
    @property
    def heavy_lower(self) -> int: ...

    @property
    def status(self) -> str: ...


def week_heavy_lower(sessions: Iterable[_Counted]) -> int:
    """RULES.md S4's weekly count: the high-resistance lower-body exercises of the week's
    sessions, skipped sessions left out (the one place planner and report count it)."""
    return sum(s.heavy_lower for s in sessions if s.status != "skipped")
