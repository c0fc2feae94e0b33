"""The strength program, one week at a time: the week's sessions placed around the runs
(planner/schedule.py), each strength day holding its template's picks (planner/picks.py)
dosed as prescribed (planner/prescriptions.py), a day S6 leaves no room for strength given
mobility work; each such fallback, each ladder step a race held back, and each session
S5's 6-week cap steps past half at once, recorded as an adjustment. The races' own rules
(taper, post-race window, the ladder freeze around an A race) are planner/races.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from domain.words import counted
from planner import races
from planner.blocks import MAX_BLOCK_WEEKS, WeekInBlock
from planner.ladders import NOTHING_SHOWN, Shown, pool
from planner.lifter import Lifter, races_of
from planner.model import Adjustment, Prescription, RunDay, Session, week_start
from planner.picks import Pick, compose
from planner.prescriptions import prescribe
from planner.races import RaceDay
from planner.schedule import Placement, place_week
from planner.slots import MAX_EXERCISES


class WeekPicks(NamedTuple):
    """What each strength day of a week holds, and the race whose first session back falls
    on one of them."""

    contents: Mapping[date, list[Pick]]
    back: RaceDay | None


def build_week(ctx: Lifter, weeks: list[WeekInBlock], index: int,
               runs: Mapping[date, RunDay], fixed: tuple[date, ...] = (),
               allowed: Sequence[date] | None = None, seen: frozenset[str] = frozenset(),
               night: date | None = None, shown: Shown = NOTHING_SHOWN,
               next_planned: bool = False
               ) -> tuple[list[Session], list[Adjustment], WeekPicks]:
    """Week `index` of the timeline: its sessions placed around the runs, every fallback
    made while planning it (a session turned mobility or dropped for want of a legal day)
    as an adjustment of the `night` it was planned on, and its picks (`holds` tells the
    ladder steps a race held back in them, once the races' rules have made the sessions
    what they are). `seen`: exercises earlier weeks already prescribed (not new);
    `shown`: ladders.week_ladders'; `next_planned`: the next week is planned already and
    stands (else placing this week looks at how it will be placed: schedule._next_week)."""
    where = weeks[index]
    night = night or where.monday - timedelta(days=1)
    count = ctx.profile.strength_sessions
    known = races_of(ctx)
    # this week's days and the next one's, which placing it looks at
    spared = races.spared(known, (where.monday + timedelta(days=i) for i in range(14)))
    placement = place_week(where.monday, runs, count, fixed, allowed, spared,
                           races.one_session_windows(known), next_planned)
    picks = week_contents(ctx, weeks, index, sorted(placement.strength), fixed, seen, shown)
    days = sorted([(d, "strength") for d in placement.strength]
                  + [(d, "mobility") for d in placement.mobility])
    sessions = []
    for n, (day, kind) in enumerate(days, start=1):
        items = prescribed(ctx, picks.contents.get(day, []), day)
        if kind == "mobility":
            items = mobility_session(ctx, where.step, day, where.deload)
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
    around it; `shown`: ladders.week_ladders'."""
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
    asked = f"{counted(count, 'strength session')} in the week of {monday:%d %b}"
    out = [Adjustment(s.id, night, "S6 planning", "mobility", asked, s.describe(),
                      placement.reasons) for s in sessions if s.kind == "mobility"]
    dropped = count - len(sessions)
    if dropped > 0:
        out.append(Adjustment(f"{monday.isoformat()}#dropped", night, "S6 planning", "drop",
                              asked, f"{counted(dropped, 'session')} dropped", placement.reasons))
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


def cap_steps(sessions: Sequence[Session], week: WeekPicks, night: date) -> list[Adjustment]:
    """The strength sessions where S5's cap stepped more than half the exercises at once
    (picks._staggered): both S5 rules cannot hold there, and the cap wins. One adjustment
    per session, naming each exercise that had its 6 weeks and the step that replaces it."""
    out = []
    for s in sessions:
        capped = [p for p in week.contents.get(s.day, []) if p.capped is not None]
        if not capped or s.kind != "strength":
            continue
        before = ", ".join(p.capped.id for p in capped if p.capped)
        after = ", ".join(f"{p.exercise.id} (new step)" for p in capped)
        one = len(capped) == 1
        out.append(Adjustment(s.id, night, "S5 cap", "cap-steps", before, after, (
            f"{before} had {'its' if one else 'their'} {MAX_BLOCK_WEEKS} weeks: a block never "
            f"runs past {MAX_BLOCK_WEEKS} weeks with the same exercise, which comes before the "
            f"stagger (at most half of a session's exercises new in a week): {len(capped)} of "
            f"{len(s.exercises)} exercises {'is' if one else 'are'} new this week",)))
    return out


def _freeze_reason(ctx: Lifter, monday: date, back: RaceDay | None) -> tuple[str, str]:
    """The rule and reason a week's ladder steps were held back (races.holds_ladders)."""
    known = races_of(ctx)
    race = races.freezes(known, monday)
    if race is not None:
        first, last = races.freeze_window(race)
        partly = ", and this week reaches into it" if monday < first else ""
        return "Races A freeze", (
            f"{race.name()}: ladder steps are frozen from {first:%a %d %b} to {last:%a %d %b} "
            f"({races.FREEZE_BEFORE} days before it to {races.FREEZE_AFTER} after){partly}: "
            "no new exercise near a goal race")
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


def mobility_session(ctx: Lifter, step: int, day: date,
                     deload: bool = False) -> tuple[Prescription, ...]:
    """Mobility/stability work only (no heavy lower-body or power): the fallback session.
    In a deload week, 2 sets per exercise like the week's strength sessions' (RULES.md S5:
    "every 4th training week is a deload: 2 sets per exercise"); it held 3 sets of the
    exercises those sessions held at 2."""
    stability = [e for e in pool(ctx, step) if e.quality == "stability"]
    phase = "deload" if deload else "build"
    return tuple(prescribe(ctx, e, day, phase) for e in stability[:MAX_EXERCISES - 1])


def mobility_work(ctx: Lifter) -> Callable[[Session], tuple[Prescription, ...]]:
    """A session's mobility/stability work (`mobility_session` of its step and day, in a
    deload week where its work was a deload's): what planner.adapt and planner.races turn a
    session into."""
    return lambda s: mobility_session(ctx, s.step, s.day,
                                      any(p.phase == "deload" for p in s.exercises))
