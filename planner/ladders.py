"""The ladders in a week (RULES.md S5): where each stands, as the blocks, the stagger, the
races' holds and what earlier weeks showed leave it, and the exercise it gives there: past
the top, the last step and its variation in turn, bodyweight strength work with a backpack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, partial

from domain.profile import EQUIPMENT
from planner import races
from planner.blocks import LadderWeek, WeekInBlock, ladder_steps
from planner.catalog import Catalog, CatalogError, Exercise, Ladder, Step
from planner.lifter import Lifter, races_of
from planner.slots import LAG, Slot

BACKPACK_STEP_KG = 5.0  # RULES.md S1: bodyweight work past its hardest variant


def pool(ctx: Lifter, step: int) -> list[Exercise]:
    """Each ladder's exercise at the step (the top step once a ladder is climbed)."""
    return [ctx.catalog.step(lad.id, min(step, len(lad.steps) - 1), ctx.profile.equipment)
            for lad in ctx.catalog.ladders.values()]


def ladder_for(catalog: Catalog, slot: Slot) -> Ladder:
    """The ladder whose patterns are the slot's."""
    ladder = ladder_of(catalog, slot)
    if ladder is None:
        raise CatalogError(f"exercises.toml: no ladder for the {' and '.join(slot)} patterns")
    return ladder


def ladder_of(catalog: Catalog, slot: Slot) -> Ladder | None:
    """The ladder whose patterns are the slot's; None when the catalogue has none."""
    return next((ladder for ladder in catalog.ladders.values()
                 if set(ladder.patterns) == set(slot)), None)


def on_ladder(ctx: Lifter, ladder: Ladder, at: LadderWeek) -> tuple[Exercise, float | None]:
    """The ladder's exercise at a step (RULES.md S5). Past the top it alternates between the
    last step and its variation, with bodyweight strength work adding a backpack in 5 kg
    steps (S1); a step repeated because its block fell short turns to a variation too."""
    step = step_at(ladder, at)
    exercise = ctx.catalog.exercise(step.resolve(ctx.profile.equipment))
    if (beyond := _past_top(ladder, at)) > 0:
        return exercise, beyond * BACKPACK_STEP_KG if _bodyweight_strength(exercise) else None
    if at.repeat % 2 == 0:
        return exercise, None
    return _variation(ctx, exercise, step)


def step_at(ladder: Ladder, at: LadderWeek) -> Step:
    """The ladder's step where it stands; past the top, the last step and its variation in
    turn (RULES.md S5)."""
    beyond = _past_top(ladder, at)
    if beyond <= 0:
        return ladder.steps[at.step]
    return ladder.top if ladder.top is not None and beyond % 2 else ladder.steps[-1]


def _past_top(ladder: Ladder, at: LadderWeek) -> int:
    """How many steps past its top the ladder stands: 0 on the top step, negative below it."""
    return at.step - (len(ladder.steps) - 1)


def _variation(ctx: Lifter, exercise: Exercise, step: Step) -> tuple[Exercise, float | None]:
    """Another exercise of the same step and pattern with less kit, or a 5 kg backpack on
    bodyweight strength work; else the same exercise (mobility and stability holds)."""
    level = ctx.profile.equipment
    for other in EQUIPMENT[EQUIPMENT.index(level) + 1:]:
        candidate = ctx.catalog.exercise(step.resolve(other))
        if candidate != exercise and candidate.pattern == exercise.pattern:
            return candidate, BACKPACK_STEP_KG if _bodyweight_strength(candidate) else None
    return exercise, BACKPACK_STEP_KG if _bodyweight_strength(exercise) else None


def _bodyweight_strength(exercise: Exercise) -> bool:
    return exercise.quality == "strength" and not exercise.loaded


@dataclass(frozen=True)
class Shown:
    """What the plan's sessions before a week showed the athlete (RULES.md S5 counts an
    exercise's block from the week it is first shown): the Mondays of the weeks planned, of
    those that held no strength session (`idle`: the races' last days or window, S6's
    fallback), and each exercise's weeks in a strength session, skipped or not."""

    planned: frozenset[date] = frozenset()
    idle: frozenset[date] = frozenset()
    weeks: Mapping[str, frozenset[date]] = field(default_factory=dict)

    def shows(self, exercise: str, monday: date) -> bool:
        """Whether the week of `monday` showed the exercise; a week not planned (the one
        being planned, one the nightly never planned) as if it did."""
        return monday not in self.planned or monday in self.weeks.get(exercise, ())


NOTHING_SHOWN = Shown()


@dataclass(frozen=True)
class WeekLadders:
    """Where every ladder stands in one week of the timeline, worked out once for all the
    week's slots (RULES.md S5 and the races' holds)."""

    week: WeekInBlock
    steps: Mapping[str, list[LadderWeek]]  # by ladder, week by week, as the races leave them
    held: Mapping[str, list[LadderWeek]]  # the same, no new step this week (first back)
    free: Mapping[str, LadderWeek]  # by ladder, this week were no race holding it
    holding: bool = False  # a race holds the ladders this week: no exercise new to the athlete
    # by ladder, week by week before this one: whether it trained the exercise where `held`
    # stood (or before its last step, the stagger keeping it), in a week no race or mobility
    # work held (S5's cap; `_trained`)
    trained: Mapping[str, Sequence[bool]] = field(default_factory=dict)


def week_ladders(ctx: Lifter, weeks: list[WeekInBlock], index: int,
                 shown: Shown = NOTHING_SHOWN) -> WeekLadders:
    """The ladders of week `index` of the timeline (the weeks after it play no part), by
    what the plan `shown` earlier: its weeks without a strength session hold the ladders as
    a race's weeks do (a step no session showed would show later beside the next one, more
    than half a session new), and each ladder's block counts from the week its exercise was
    first shown."""
    past, known = weeks[:index + 1], races_of(ctx)
    before = [races.holds_ladders(known, w.monday) or w.monday in shown.idle
              for w in past[:-1]]
    # a week of mobility work only trains no exercise: not a week of a block (S5); a week
    # the races hold with strength sessions (an A freeze's, a taper's) trains them
    idle = [w.monday in shown.idle for w in past]
    lags = {lad.id: LAG[lad.patterns[0]] for lad in ctx.catalog.ladders.values()
            if lad.patterns[0] in LAG}

    @cache
    def showed(ladder: str, at: LadderWeek, i: int) -> bool:
        # its step's exercise at any kit: the weeks before a change of kit showed it too
        step = step_at(ctx.catalog.ladders[ladder], at)
        return any(shown.shows(e, past[i].monday) for e in (step.bodyweight, step.dumbbells,
                                                           step.gym) if e is not None)
    free = ladder_steps(past, lags, [*before, False], idle, showed)
    # the same, but no ladder steps in a week stopped: the one before it where it stood
    held = {ladder: [*track[:-1], track[-2 if len(track) > 1 else -1]]
            for ladder, track in free.items()}
    holding = races.holds_ladders(known, past[-1].monday)
    trained = {ladder: _trained(past, before, track, partial(showed, ladder))
               for ladder, track in held.items()}
    return WeekLadders(past[-1], held if holding else free, held,
                       {ladder: track[-1] for ladder, track in free.items()}, holding, trained)


def _trained(past: Sequence[WeekInBlock], stopped: Sequence[bool], track: Sequence[LadderWeek],
             showed: Callable[[LadderWeek, int], bool]) -> list[bool]:
    """Week by week before the last of `past`, whether the athlete trained the ladder's
    exercise where `track` stood, or where it stood before its last step, which the stagger
    may keep a week or more beside the others' new steps (S5's 6 weeks count these): a
    strength session showed it, or a deload week rested it after one did (a deload drops
    power work, yet is a week of its block); not a week a race or mobility work `stopped`,
    nor one its ladder stood on it unseen (a week of one session shows a foot-and-ankle
    exercise weeks of two never do)."""
    out: list[bool] = []
    before: LadderWeek | None = None  # where it stood before its last step
    last: LadderWeek | None = None  # where the sessions last showed it
    for i, (stop, at) in enumerate(zip(stopped, track, strict=False)):
        before = track[i - 1] if i and track[i - 1] != at else before
        shows = next((w for w in (at, before) if w is not None and showed(w, i)), None)
        rested = past[i].deload and last is not None and last in (at, before)
        out.append(not stop and (shows is not None or rested))
        last = shows or last
    return out
