"""The week's exercises picked slot by slot (RULES.md S2, S4, S5): each slot's ladder where it
stands this week, an intro week for an exercise new to the athlete, at most half of a
session new ladder steps, S4's cap on heavy lower-body work, familiar exercises the first
session back after a race.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from planner.blocks import MAX_BLOCK_WEEKS, LadderWeek, WeekInBlock
from planner.catalog import Exercise, Ladder
from planner.ladders import (
    NOTHING_SHOWN,
    Shown,
    WeekLadders,
    ladder_for,
    ladder_of,
    on_ladder,
    week_ladders,
)
from planner.lifter import Lifter
from planner.slots import MAX_HEAVY_LOWER_A_WEEK, TEMPLATES, Slot


@dataclass(frozen=True)
class Pick:
    """One slot's exercise this week and how it is dosed."""

    exercise: Exercise
    phase: str  # intro, build or deload
    backpack_kg: float | None  # bodyweight work past its ladder's top (RULES.md S1)
    held: Exercise | None = None  # the new step's exercise an A race's freeze held back
    # the exercise that had its 6 weeks, where S5's cap steps more than half a session at once
    capped: Exercise | None = None


def pick(ctx: Lifter, ladders: WeekLadders, slot: Slot, seen: frozenset[str] = frozenset(),
         hold: bool = False) -> Pick:
    """A slot's exercise in the week of `ladders`, with its intro or deload dose; `seen`
    holds the exercises earlier weeks of the plan already prescribed; `hold`: no new ladder
    step for this session (the first one back after a race). In a week a race holds the
    ladders, no session takes an exercise new to the athlete: not even a step reached in an
    earlier week whose sessions never showed it (its session there turned mobility), which
    would otherwise first show inside an A race's freeze (RULES.md "Races")."""
    hold = hold or ladders.holding
    ladder = ladder_for(ctx.catalog, slot)
    here = (_last_known(ctx, ladder, ladders.held[ladder.id], seen) if hold
            else ladders.steps[ladder.id][-1])
    exercise, backpack = on_ladder(ctx, ladder, here)
    running = ladders.free[ladder.id]  # this week, were no race holding it
    would = on_ladder(ctx, ladder, running)[0] if here != running else None
    familiar = knows(ctx, exercise, seen)
    if hold and not familiar and len(slot) > 1:
        # RULES.md "Races": the first session back uses familiar exercises. A slot of two
        # patterns (a week of one session) whose own ladder the athlete never climbed takes
        # the familiar exercise of one of them, from their ladders of two sessions a week.
        parts = [pick(ctx, ladders, (part,), seen, hold) for part in slot
                 if ladder_of(ctx.catalog, (part,)) is not None]
        known_part = next((p for p in parts if p.phase != "intro"), None)
        if known_part is not None:
            return known_part
    # RULES.md S5: an exercise new to the athlete starts with an intro week
    phase = "deload" if ladders.week.deload else "build"
    return Pick(exercise, phase if familiar else "intro", backpack,
                would if would != exercise else None)


def knows(ctx: Lifter, exercise: Exercise, seen: frozenset[str]) -> bool:
    """Whether the athlete knows the exercise (no intro week, S5): lifted, or prescribed by
    earlier weeks of the plan (`seen`)."""
    return exercise.id in seen or exercise.id in ctx.lifted


def _last_known(ctx: Lifter, ladder: Ladder, track: list[LadderWeek],
                seen: frozenset[str]) -> LadderWeek:
    """Where the ladder stood the last week its exercise was one the athlete knows: the
    first session back after a race keeps familiar exercises (RULES.md "Races"), not a step
    the ladder reached while the post-race window held mobility work only."""
    return next((w for w in reversed(track) if knows(ctx, on_ladder(ctx, ladder, w)[0], seen)),
                track[-1])


def compose(ctx: Lifter, weeks: list[WeekInBlock], index: int, sessions: int,
            power: Sequence[bool], seen: frozenset[str] = frozenset(),
            hold: Sequence[bool] | None = None,
            shown: Shown = NOTHING_SHOWN) -> list[list[Pick]]:
    """The week's sessions by template: slots in order (power first), S4's cap kept;
    `hold[i]`: session i takes no new ladder step; `shown`: week_ladders'."""
    ladders = week_ladders(ctx, weeks, index, shown)
    slots = [[slot for slot in template if slot != ("power",) or power_ok]
             for template, power_ok in zip(TEMPLATES[sessions], power, strict=True)]
    holds = hold or [False] * sessions
    picks = [[pick(ctx, ladders, slot, seen, held) for slot in session]
             for session, held in zip(slots, holds, strict=True)]
    heavy = 0
    week = []
    for chosen in _staggered(ctx, ladders, slots, picks, seen):
        kept = []
        for p in chosen:
            if p.exercise.high_resistance_lower_body:
                if heavy >= MAX_HEAVY_LOWER_A_WEEK:
                    continue
                heavy += 1
            kept.append(p)
        week.append(kept)
    return week


def _staggered(ctx: Lifter, ladders: WeekLadders, slots: Sequence[Sequence[Slot]],
               picks: list[list[Pick]], seen: frozenset[str]) -> list[list[Pick]]:
    """The week's picks with at most half of each session new ladder steps (RULES.md S5:
    ladders are staggered). The lags keep it so week by week, but not where a step no
    session showed (its session turned mobility) comes out beside the week's own, nor in a
    week of one session, whose foot-and-ankle ladder the weeks of two never showed: the steps
    past half, the last slots first, wait a week on the exercise the athlete knows, in every
    session of the week (one exercise a slot all week long). A slot of two patterns waits
    after the others: its exercise alone trains both areas of a single session (S2). A step
    whose exercise had its 6 weeks (`_capped`) never waits: where both S5 rules cannot hold,
    the cap wins (a block never runs past 6 weeks with the same exercise), the others wait
    for it, and where those steps alone pass half the session they carry `capped` (told by
    program.cap_steps)."""
    def known(slot: Slot) -> Pick:
        return pick(ctx, ladders, slot, seen, True)

    waiting: set[Slot] = set()
    forced: list[set[Slot]] = []
    for session, chosen in zip(slots, picks, strict=True):
        steps = [slot for slot, p in zip(session, chosen, strict=True) if p.phase == "intro"
                 and slot not in waiting and known(slot).phase != "intro"]
        capped = {slot for slot in steps if _capped(ctx, ladders, slot, known(slot).exercise)}
        # stable: else in slot order; a step S5's cap forces never waits, others wait for it
        steps.sort(key=lambda slot: (slot not in capped, len(slot) == 1))
        waiting.update(slot for slot in steps[len(chosen) // 2:] if slot not in capped)
        forced.append(capped if len(capped) > len(chosen) // 2 else set())
    # no race held them: no race's reason to give (`holds`)
    return [[replace(known(slot), held=None) if slot in waiting
             else replace(p, capped=known(slot).exercise) if slot in cap else p
             for slot, p in zip(session, chosen, strict=True)]
            for session, chosen, cap in zip(slots, picks, forced, strict=True)]


def _capped(ctx: Lifter, ladders: WeekLadders, slot: Slot, exercise: Exercise) -> bool:
    """Whether `exercise`, the one the athlete knows on the slot's ladder, had its 6 weeks
    before this one, counted in weeks the athlete trained it (ladders._trained), not weeks
    its ladder stood on it unseen: S5's cap outranks the stagger, as where a long first block
    steps every ladder at once (blocks._lag)."""
    ladder = ladder_for(ctx.catalog, slot)
    track = ladders.held[ladder.id][:-1]
    on = [on_ladder(ctx, ladder, w)[0] == exercise for w in track]
    if True not in on:
        return False
    start = len(on) - on[::-1].index(True)  # its last run on the track, the waits after it
    while start and on[start - 1]:
        start -= 1
    return sum(ladders.trained[ladder.id][start:len(track)]) >= MAX_BLOCK_WEEKS
