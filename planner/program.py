"""The strength program: which exercises each week holds and what each prescribes.

Sessions follow RULES.md S1-S4: 4-5 exercises, one movement pattern each, the week's
sessions led by different heavy patterns (A: squat or lunge, B: hinge), power first where
it is allowed, and across the week glutes, calves, quads and hamstrings, ankle mobility,
core and foot covered with at most 8 high-resistance lower-body exercises. Each exercise
comes from its pattern's ladder where that ladder stands this week (S5: staggered steps,
intro weeks, deloads, the top of a ladder rotating); reps and loads from double
progression (planner/progression.py). Races (taper, post-race window, the ladder freeze
around an A race) are planner/races.py's; a week's fallbacks are recorded as adjustments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from typing import NamedTuple

from domain.profile import EQUIPMENT, Profile
from planner import races
from planner.blocks import MAX_BLOCK_WEEKS, LadderWeek, WeekInBlock, ladder_steps
from planner.catalog import Catalog, CatalogError, Exercise, Ladder, Step
from planner.effort import spare_reps_words
from planner.model import (
    Adjustment,
    Prescription,
    RunDay,
    Session,
    week_start,
)
from planner.progression import LoggedLift, Target, next_target, round_kg
from planner.races import RaceDay
from planner.schedule import Placement, place_week

AREAS = ("glutes", "glute_medius", "calves", "quads", "hamstrings", "core", "ankle_mobility",
         "foot")
LOWER_BODY = frozenset(AREAS) - {"core"}
MAX_EXERCISES = 5
MAX_HEAVY_LOWER_A_WEEK = 8  # RULES.md S4
REDUCED_SETS = 2  # intro and deload weeks (RULES.md S5)
DELOAD_FACTOR = 0.9  # deload loads -10 % (RULES.md S5)
BACKPACK_STEP_KG = 5.0  # RULES.md S1: bodyweight work past its hardest variant

# RULES.md S2: one pattern per slot (a slot names the patterns of the one ladder that fills
# it); A is squat- or lunge-led, B hinge-led. A single session carries the leads of both, and
# since S1 allows it only 1-2 stability exercises (core and one more), its last slot is the
# foot-and-ankle ladder, whose exercises train both areas (the calves too, for deload weeks
# without power). A third session repeats A's lead with the stability work B lacks.
Slot = tuple[str, ...]
KNEE: Slot = ("squat", "lunge")
FOOT_AND_ANKLE: Slot = ("ankle_mobility", "foot")
SESSION_A: tuple[Slot, ...] = (("power",), KNEE, ("calf",), ("core",), ("ankle_mobility",))
SESSION_B: tuple[Slot, ...] = (("hinge",), ("hamstring_curl",), ("hip_stability",), ("foot",))
SESSION_C: tuple[Slot, ...] = (KNEE, ("calf",), ("hip_stability",), ("core",))
SINGLE: tuple[Slot, ...] = (("power",), KNEE, ("hinge",), ("core",), FOOT_AND_ANKLE)
TEMPLATES = {1: (SINGLE,), 2: (SESSION_A, SESSION_B), 3: (SESSION_A, SESSION_B, SESSION_C)}
# Weeks each pattern's ladder runs behind the blocks (RULES.md S5 staggering): in every
# template at most half of a session's slots share a lag, so at most half change at once.
LAG = {"power": 0, "squat": 1, "lunge": 1, "calf": 0, "core": 1, "ankle_mobility": 2,
       "hinge": 0, "hamstring_curl": 1, "hip_stability": 0, "foot": 2}


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


@dataclass(frozen=True)
class Pick:
    """One slot's exercise this week and how it is dosed."""

    exercise: Exercise
    phase: str  # intro, build or deload
    backpack_kg: float | None  # bodyweight work past its ladder's top (RULES.md S1)
    held: Exercise | None = None  # the new step's exercise an A race's freeze held back


def pool(ctx: Lifter, step: int) -> list[Exercise]:
    """Each ladder's exercise at the step (the top step once a ladder is climbed)."""
    return [ctx.catalog.step(lad.id, min(step, len(lad.steps) - 1), ctx.profile.equipment)
            for lad in ctx.catalog.ladders.values()]


def ladder_for(catalog: Catalog, slot: Slot) -> Ladder:
    """The ladder whose patterns are the slot's."""
    ladder = _ladder_of(catalog, slot)
    if ladder is None:
        raise CatalogError(f"exercises.toml: no ladder for the {' and '.join(slot)} patterns")
    return ladder


def _ladder_of(catalog: Catalog, slot: Slot) -> Ladder | None:
    return next((ladder for ladder in catalog.ladders.values()
                 if set(ladder.patterns) == set(slot)), None)


def on_ladder(ctx: Lifter, ladder: Ladder, at: LadderWeek) -> tuple[Exercise, float | None]:
    """The ladder's exercise at a step (RULES.md S5). Past the top it alternates between the
    last step and its variation, with bodyweight strength work adding a backpack in 5 kg
    steps (S1); a step repeated because its block fell short turns to a variation too."""
    level = ctx.profile.equipment
    beyond = at.step - (len(ladder.steps) - 1)
    if beyond <= 0:
        exercise = ctx.catalog.step(ladder.id, at.step, level)
        if at.repeat % 2 == 0:
            return exercise, None
        return _variation(ctx, exercise, ladder.steps[at.step])
    exercise = ctx.catalog.exercise(step_at(ladder, at).resolve(level))
    return exercise, beyond * BACKPACK_STEP_KG if _bodyweight_strength(exercise) else None


def step_at(ladder: Ladder, at: LadderWeek) -> Step:
    """The ladder's step where it stands; past the top, the last step and its variation in
    turn (RULES.md S5)."""
    beyond = at.step - (len(ladder.steps) - 1)
    if beyond <= 0:
        return ladder.steps[at.step]
    return ladder.top if ladder.top is not None and beyond % 2 else ladder.steps[-1]


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
    held_weeks: Sequence[bool] = ()  # week by week, one a race or mobility work held (S5's cap)


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
    return WeekLadders(past[-1], held if holding else free, held,
                       {ladder: track[-1] for ladder, track in free.items()}, holding,
                       (*before, holding))


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
    familiar = _knows(ctx, exercise, seen)
    if hold and not familiar and len(slot) > 1:
        # RULES.md "Races": the first session back uses familiar exercises. A slot of two
        # patterns (a week of one session) whose own ladder the athlete never climbed takes
        # the familiar exercise of one of them, from their ladders of two sessions a week.
        parts = [pick(ctx, ladders, (part,), seen, hold) for part in slot
                 if _ladder_of(ctx.catalog, (part,)) is not None]
        known_part = next((p for p in parts if p.phase != "intro"), None)
        if known_part is not None:
            return known_part
    # RULES.md S5: an exercise new to the athlete starts with an intro week
    phase = "deload" if ladders.week.deload else "build"
    return Pick(exercise, phase if familiar else "intro", backpack,
                would if would != exercise else None)


def _knows(ctx: Lifter, exercise: Exercise, seen: frozenset[str]) -> bool:
    return exercise.id in seen or any(d.exercise_id == exercise.id for d in ctx.history)


def _last_known(ctx: Lifter, ladder: Ladder, track: list[LadderWeek],
                seen: frozenset[str]) -> LadderWeek:
    """Where the ladder stood the last week its exercise was one the athlete knows: the
    first session back after a race keeps familiar exercises (RULES.md "Races"), not a step
    the ladder reached while the post-race window held mobility work only."""
    return next((w for w in reversed(track) if _knows(ctx, on_ladder(ctx, ladder, w)[0], seen)),
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
    session of the week (one exercise a slot all week long). A slot of two patterns never
    waits: its exercise alone trains both areas of a single session (S2); nor one whose
    exercise had its 6 weeks (`_capped`): S5's cap comes first, the others wait for it."""
    def known(slot: Slot) -> Pick:
        return pick(ctx, ladders, slot, seen, True)

    waiting: set[Slot] = set()
    for session, chosen in zip(slots, picks, strict=True):
        steps = [slot for slot, p in zip(session, chosen, strict=True) if p.phase == "intro"
                 and slot not in waiting and known(slot).phase != "intro"]
        capped = {slot for slot in steps if _capped(ctx, ladders, slot, known(slot).exercise)}
        # stable: else in slot order; a step S5's cap forces never waits, others wait for it
        steps.sort(key=lambda slot: (slot not in capped, len(slot) == 1))
        waiting.update(slot for slot in steps[len(chosen) // 2:] if slot not in capped)
    # no race held them: no race's reason to give (`holds`)
    return [[replace(known(slot), held=None) if slot in waiting else p
             for slot, p in zip(session, chosen, strict=True)]
            for session, chosen in zip(slots, picks, strict=True)]


def _capped(ctx: Lifter, ladders: WeekLadders, slot: Slot, exercise: Exercise) -> bool:
    """Whether `exercise`, the one the athlete knows on the slot's ladder, had its 6 weeks
    (the weeks a race or mobility work held not counted) before this one: S5's cap outranks
    the stagger, as where a long first block steps every ladder at once (blocks._lag)."""
    ladder = ladder_for(ctx.catalog, slot)
    track = ladders.held[ladder.id][:-1]
    on = [on_ladder(ctx, ladder, w)[0] == exercise for w in track]
    if True not in on:
        return False
    start = len(on) - on[::-1].index(True)  # its last run on the track, the waits after it
    while start and on[start - 1]:
        start -= 1
    return sum(not h for h in ladders.held_weeks[start:len(track)]) >= MAX_BLOCK_WEEKS


def prescribe(ctx: Lifter, e: Exercise, day: date, phase: str = "build",
              backpack_kg: float | None = None) -> Prescription:
    """Sets, reps or seconds, load, rest and the effort in words for one exercise."""
    s = e.scheme
    sets = REDUCED_SETS if phase in ("intro", "deload") else s.sets
    common = dict(exercise_id=e.id, sets=sets, rest_s=s.rest_s, pattern=e.pattern, phase=phase,
                  high_resistance_lower_body=e.high_resistance_lower_body,
                  power=e.quality == "power" or e.plyometric)
    side = " per side" if s.per_side else ""
    lead = {"intro": "intro week, 2 sets: ", "deload": "deload week, 2 sets: "}.get(phase, "")
    if s.seconds is not None:
        return Prescription(seconds=s.seconds, instruction=f"{lead}hold {s.seconds} s{side}",
                            **common)  # type: ignore[arg-type]
    reps_min, reps_max = s.reps_min or 1, s.reps_max or s.reps_min or 1
    if not e.loaded:
        return Prescription(reps=reps_max, load_kg=backpack_kg,
                            instruction=lead + _bodyweight_words(e, reps_max, side, phase,
                                                                 backpack_kg),
                            **common)  # type: ignore[arg-type]
    mine = [d for d in ctx.history if d.exercise_id == e.id]
    known = (ctx.known_kg or {}).get(e.id)
    when = min(day, ctx.next_session) if ctx.next_session else day
    last = max((d.day for d in ctx.history if d.day <= when), default=None)
    target = next_target(mine, reps_min, reps_max, bool(LOWER_BODY & set(e.areas)), when, known,
                         last)
    load, words = _loaded_words(target, reps_max, phase)
    return Prescription(reps=reps_max if phase == "intro" else target.reps, load_kg=load,
                        instruction=lead + words, by_feel=load is None,
                        resumed_from=target.resumed_from, **common)  # type: ignore[arg-type]


def _bodyweight_words(e: Exercise, reps: int, side: str, phase: str,
                      backpack_kg: float | None) -> str:
    if e.quality == "power":
        return f"{reps} explosive reps{side}, full rest"
    words = f"{reps} reps{side}"
    if backpack_kg:
        words += f" with a backpack loaded to {backpack_kg:g} kg"
    if e.quality == "strength":
        words += ", 3 reps in reserve" if phase == "intro" else ", stop 1-2 reps short of failure"
    return words


def _loaded_words(target: Target, reps: int, phase: str) -> tuple[float | None, str]:
    """The load and the effort in words (RULES.md S1: RIR 1-2, RIR 3 in an intro week)."""
    load, note = target.load_kg, target.note
    if phase == "intro":
        if load is None:
            return None, (f"a weight you could lift {reps + 1}-{reps + 2} times, stop at "
                          f"{reps}")
        return load, f"{load:g} kg, 3 reps in reserve"
    if phase == "deload":
        if load is None:
            return None, spare_reps_words(reps)
        if target.resumed_from is not None:
            # S5 counts days without heavy work (a race's window) as a deload: the layoff's
            # 14+ days rested as much, so the deeper of the two cuts, not both (81 %)
            return load, f"{note}, the deeper of that and the deload's -10 %"
        lighter = round_kg(load * DELOAD_FACTOR)
        return lighter, f"load -10 % ({load:g} -> {lighter:g} kg)"
    return load, f"{note}; stop 1-2 reps short of failure"


def races_of(ctx: Lifter) -> list[RaceDay]:
    """The races the plan works around: entered in the profile and found in the activities."""
    return [*races.entered(ctx.profile.races), *ctx.found_races]


class WeekPicks(NamedTuple):
    """What each strength day of a week holds, and the race whose first session back falls
    on one of them."""

    contents: Mapping[date, list[Pick]]
    back: RaceDay | None


def build_week(ctx: Lifter, weeks: list[WeekInBlock], index: int,
               runs: Mapping[date, RunDay], fixed: tuple[date, ...] = (),
               allowed: Sequence[date] | None = None, seen: frozenset[str] = frozenset(),
               night: date | None = None, shown: Shown = NOTHING_SHOWN
               ) -> tuple[list[Session], list[Adjustment], WeekPicks]:
    """Week `index` of the timeline: its sessions placed around the runs, every fallback
    made while planning it (a session turned mobility or dropped for want of a legal day)
    as an adjustment of the `night` it was planned on, and its picks (`holds` tells the
    ladder steps a race held back in them, once the races' rules have made the sessions
    what they are). `seen`: exercises earlier weeks already prescribed (not new);
    `shown`: week_ladders'."""
    where = weeks[index]
    night = night or where.monday - timedelta(days=1)
    count = ctx.profile.strength_sessions
    known = races_of(ctx)
    spared = races.spared(known, (where.monday + timedelta(days=i) for i in range(7)))
    placement = place_week(where.monday, runs, count, fixed, allowed, spared,
                           races.one_session_windows(known))
    picks = week_contents(ctx, weeks, index, sorted(placement.strength), fixed, seen, shown)
    days = sorted([(d, "strength") for d in placement.strength]
                  + [(d, "mobility") for d in placement.mobility])
    sessions = []
    for n, (day, kind) in enumerate(days, start=1):
        items = prescribed(ctx, picks.contents.get(day, []), day)
        if kind == "mobility":
            items = mobility_session(ctx, where.step, day)
        sessions.append(Session(id=f"{where.monday.isoformat()}#{n}", day=day, kind=kind,
                                block=where.block, week_in_block=where.week, exercises=items,
                                step=where.step))
    return sessions, _fallbacks(where.monday, count, placement, sessions, night), picks


def week_contents(ctx: Lifter, weeks: list[WeekInBlock], index: int,
                  strength_days: Sequence[date], fixed: Sequence[date] = (),
                  seen: frozenset[str] = frozenset(),
                  shown: Shown = NOTHING_SHOWN) -> WeekPicks:
    """What each strength day of week `index` holds (templates in day order), and the race
    whose first session back falls on one of them. `fixed`: strength days of the weeks
    around it; `shown`: week_ladders'."""
    where = weeks[index]
    # RULES.md S2/S5: power every week, not in a deload week nor in a race's last days
    power = [not where.deload and races.final_days(races_of(ctx), d) is None
             for d in strength_days]
    # RULES.md "Races": the first session after a post-race window keeps familiar exercises
    # (no new ladder step); the sessions after it take the week's step as planned.
    backs = [races.first_back(races_of(ctx), d, [*fixed, *strength_days])
             for d in strength_days]
    week = compose(ctx, weeks, index, len(strength_days), power, seen,
                   [b is not None for b in backs], shown) if strength_days else []
    back = next((b for b in backs if b is not None), None)
    return WeekPicks(dict(zip(strength_days, week, strict=True)), back)


def prescribed(ctx: Lifter, picks: Sequence[Pick], day: date) -> tuple[Prescription, ...]:
    """A strength session's exercises on `day`, each dosed as picked."""
    return tuple(prescribe(ctx, p.exercise, day, p.phase, p.backpack_kg) for p in picks)


def _fallbacks(monday: date, count: int, placement: Placement, sessions: list[Session],
               night: date) -> list[Adjustment]:
    """A week with fewer legal strength days than sessions, recorded (RULES.md S7.2)."""
    asked = f"{count} strength session(s) in the week of {monday:%d %b}"
    out = [Adjustment(s.id, night, "S6 planning", "mobility", asked, s.describe(),
                      placement.reasons) for s in sessions if s.kind == "mobility"]
    dropped = count - len(sessions)
    if dropped > 0:
        out.append(Adjustment(f"{monday.isoformat()}#dropped", night, "S6 planning", "drop",
                              asked, f"{dropped} session(s) dropped", placement.reasons))
    return out


def holds(ctx: Lifter, sessions: Sequence[Session], week: WeekPicks,
          night: date) -> list[Adjustment]:
    """Ladder steps a race held back in the week's `sessions` (as the races' rules leave
    them), one adjustment per session. A session they turn into mobility work lifts no step
    to hold: their own change says why it is mobility."""
    out = []
    for s in sessions:
        held = [p for p in week.contents.get(s.day, []) if p.held is not None]
        if not held or s.kind != "strength":
            continue
        before = ", ".join(f"{p.held.id} (new step)" for p in held if p.held)
        after = ", ".join(p.exercise.id for p in held)
        rule, why = _freeze_reason(ctx, week_start(s.day), week.back)
        out.append(Adjustment(s.id, night, rule, "hold-step", before, after, (why,)))
    return out


def _freeze_reason(ctx: Lifter, monday: date, back: RaceDay | None) -> tuple[str, str]:
    """The rule and reason a week's ladder steps were held back (races.holds_ladders)."""
    known = races_of(ctx)
    race = races.freezes(known, monday)
    if race is not None:
        return "Races A freeze", (
            f"{race.name()}: ladder steps are frozen from {races.FREEZE_BEFORE} days before "
            f"to {races.FREEZE_AFTER} after it, no new exercise near a goal race")
    back = back or races.back_week(known, monday)
    if back is not None:
        return "Races post-race", (
            f"{back.name()}: the first week after its {back.post_days}-day post-race "
            "window keeps familiar exercises (no new ladder step)")
    rested = races.rests(known, monday)
    assert rested is not None, "a step held back in a week no race holds"
    return f"Races {rested.priority} deload", (
        f"{rested.name()}: its taper and post-race window fill this week, which counts "
        "as a deload (RULES.md S5): no new ladder step")


def mobility_session(ctx: Lifter, step: int, day: date) -> tuple[Prescription, ...]:
    """Mobility/stability work only (no heavy lower-body or power): the fallback session."""
    stability = [e for e in pool(ctx, step) if e.quality == "stability"]
    return tuple(prescribe(ctx, e, day) for e in stability[:MAX_EXERCISES - 1])
