"""The plan following a change made after its weeks were planned: a race entered late or
removed, a new weekly template or less kit (what of the profile the weeks are made from:
`basis`), a recovery decision set aside (`as_planned`).
Weeks wholly ahead are reopened for `plan.extend` to plan anew; the open sessions of weeks
already begun are prescribed again on their own days; what changed is told as adjustments.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import NamedTuple

from domain.profile import Profile, runs_text
from planner.adapt import MobilityWork, Tonight, adapt, move_blocked, strength_days
from planner.effort import at_share_of
from planner.ladders import week_ladders
from planner.lifter import Lifter
from planner.model import ONE_DAY, Adjustment, RunDay, Session, week_start
from planner.picks import knows, pick
from planner.planned import (
    as_in,
    begun_as_placed,
    fixed_around,
    monday_of,
    plan_timeline,
    races_applied,
    seen_before,
    shown_before,
    week_counts,
)
from planner.prescriptions import prescribe
from planner.program import WeekPicks, holds, prescribed, week_contents
from planner.races import RaceDay, first_monday_reached

REMOVED = "Races removed"  # the rule of a session restored when its race is removed


class MovedOff(NamedTuple):
    """Where a session was before a race moved it: the day, and its status there (moved
    where an earlier move had put it there, not its week's planned day)."""

    day: date
    status: str = "planned"


def restored(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
             keys: Collection[str], today: Collection[str] = ()
             ) -> tuple[list[Session], list[Adjustment]]:
    """The sessions with the open ones of `keys` prescribed again as a strength session of
    their week as the plan now stands (the races it knows, the ladders where they stand),
    on their own days, and the ladder steps a race holds back in them (recorded as when a
    week is planned: where the races' rules leave strength work). The races' rules are not
    applied to the sessions here (`plan.extend` applies them)."""
    out, told = _restore(ctx, first_monday, night, sessions, keys, today)
    if not told:
        return out, []
    # which sessions the races turn into mobility: an A race's second session in its 8-14
    # days depends on the plan's sessions before it, as the races leave them
    raced, _ = races_applied(ctx, out, night)
    return out, [n for ids, picks in told for n in holds(ctx, as_in(raced, ids), picks, night)]


def _restore(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
             keys: Collection[str], today: Collection[str] = ()
             ) -> tuple[list[Session], list[tuple[list[str], WeekPicks]]]:
    """`restored`'s sessions, and each week's sessions it changed with the week's picks;
    `today`: those of the night's own day's open sessions to redo as well (not lifted yet)."""
    out = list(sessions)
    redo = {s.id for s in out if s.id in keys and not s.settled
            and (s.day > night or (s.id in today and s.day == night))}
    told: list[tuple[list[str], WeekPicks]] = []
    if not redo:
        return out, told
    last = max(monday_of(s) for s in out)
    now = plan_timeline(ctx, first_monday, last, week_counts(out, night))
    index = {w.monday: i for i, w in enumerate(now)}
    for monday in sorted({monday_of(s) for s in out if s.id in redo}):
        # a week begun keeps its place in the blocks, its ladders where the weeks before it
        # stood; a week ahead (kept for a session done or pinned) stands where they do now
        weeks = begun_as_placed(now, out, night) if monday <= night else now
        # the week's strength days as planned: a session a race, recovery or S6 turned into
        # mobility work (lightened) was one of them, and one of `keys` even if settled now
        # (without the A taper's second session, its first came back as a one-session
        # week's: other exercises than planned)
        days = sorted(s.day for s in out if monday_of(s) == monday and s.status != "skipped"
                      and (s.kind == "strength" or s.status == "lightened" or s.id in keys))
        picks = week_contents(ctx, weeks, index[monday], days, fixed_around(out, monday),
                              seen_before(out, monday, night), shown_before(ctx, out, monday))
        where = weeks[index[monday]]
        fresh = {s.id: s.with_(kind="strength",
                               exercises=prescribed(ctx, picks.contents[s.day], s.day),
                               status="moved" if s.status == "moved" else "planned",
                               block=where.block, week_in_block=where.week, step=where.step)
                 for s in out if s.id in redo and monday_of(s) == monday}
        told.append(([f.id for f in fresh.values() if f not in out], picks))
        out = [fresh.get(s.id, s) for s in out]
    return out, told


def as_planned(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
               keys: Collection[str]) -> dict[str, Session]:
    """The open sessions of `keys` as the plan holds them with no recovery decision: their
    week's strength work on their own days, then the races' rules (a 2-set session before an
    A race stays one)."""
    out, _ = _restore(ctx, first_monday, night, sessions, keys)
    out, _ = races_applied(ctx, out, night)
    return {s.id: s for s in out if s.id in keys}


def basis(profile: Profile) -> dict[str, object]:
    """What the planned weeks are made from, of the profile: when it changes, the weeks
    ahead are planned again (RULES.md is silent; a runner who changes the template expects
    the plan to follow at once, not two weeks later)."""
    return {"weekly runs": runs_text(profile.runs) or "none",
            "strength sessions a week": profile.strength_sessions,
            "equipment": profile.equipment}


def basis_changes(was: Mapping[str, object], now: Mapping[str, object]) -> list[str]:
    """What changed between two `basis`es, in words."""
    return [f"{what} {was.get(what)} -> {value}" for what, value in now.items()
            if was.get(what) != value]


def reopened(sessions: Sequence[Session], night: date, keys: Collection[str]) -> list[Session]:
    """The sessions without the weeks wholly after the night that hold one of `keys` and
    nothing done, skipped or pinned: the next `plan.extend` plans them anew, their days too."""
    weeks = {monday_of(s) for s in sessions if s.id in keys and monday_of(s) > night}
    weeks -= {monday_of(s) for s in sessions if s.settled}
    return [s for s in sessions if monday_of(s) not in weeks]


def reopened_ahead(sessions: Sequence[Session], night: date
                   ) -> tuple[list[Session], frozenset[date]]:
    """The sessions without the weeks wholly after the night that hold nothing done, skipped
    or pinned (the next `plan.extend` plans them anew, for a new weekly template), and the
    Mondays of those weeks."""
    kept = reopened(sessions, night, [s.id for s in sessions])
    return kept, frozenset({monday_of(s) for s in sessions} - {monday_of(s) for s in kept})


def with_equipment(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
                   was: str) -> list[Session]:
    """The open sessions after the night with each exercise the athlete's equipment
    (`ctx`'s; `was` the level they were planned for) does not allow swapped for its ladder
    step's variant at that level, dosed afresh at no more sets and the same share of its
    load as before (a session lightened stays lightened); the rest as they are. For a week
    already begun when the athlete packs less kit for a trip."""
    weeks = plan_timeline(ctx, first_monday, max(monday_of(s) for s in sessions),
                      week_counts(sessions, night))
    index = {w.monday: i for i, w in enumerate(weeks)}

    def swapped(s: Session) -> Session:
        seen = seen_before(sessions, week_start(s.day), night)
        out = []
        for p in s.exercises:
            e = ctx.catalog.exercise(p.exercise_id)
            found = None if ctx.catalog.allowed(e, ctx.profile.equipment) else \
                ctx.catalog.variant(e.id, was, ctx.profile.equipment)
            if found is None:
                out.append(p)
                continue
            ladder, other = found
            # the backpack the week gives it (bodyweight work past a ladder's top, or on a
            # step repeated), when the week holds it there
            week = pick(ctx, week_ladders(ctx, weeks, index[monday_of(s)],
                                          shown_before(ctx, sessions, monday_of(s))),
                        ladder.patterns)
            # RULES.md S5: an exercise new to the athlete starts with an intro week (2 sets)
            fresh = prescribe(ctx, other, s.day, p.phase if knows(ctx, other, seen) else "intro",
                              week.backpack_kg if week.exercise == other else None)
            out.append(at_share_of(replace(fresh, sets=min(p.sets, fresh.sets)), p))
        return s.with_(exercises=tuple(out))
    return [s if s.settled or s.day <= night else swapped(s) for s in sessions]


def with_race(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
              new: RaceDay) -> tuple[list[Session], list[Adjustment]]:
    """The plan on its way to following a race entered late (`ctx` knows it), as if it had
    been known from the start: the weeks ahead from its reach on left for `plan.extend` to plan
    anew around it, and its other open sessions there prescribed again on their own days
    (the ladder freeze around an A race, the first session back, and the deloads after it:
    its taper or window counts as one, S5). `plan.extend` then applies the taper and post-race
    rules."""
    keys = set(reached_from(sessions, new))
    out, notes = restored(ctx, first_monday, night, reopened(sessions, night, keys), keys)
    out, today = raced_today(ctx, out, night)
    return out, [*notes, *today]


def raced_today(ctx: Lifter, sessions: Sequence[Session], today: date,
                ids: Collection[str] | None = None) -> tuple[list[Session], list[Adjustment]]:
    """The sessions with today's open one(s) (of `ids`, when given) made what the races'
    rules make them, each change an adjustment of today. The rules apply to the days after
    the night being planned, and a race entered during the day plans through tonight:
    today's session, not lifted yet, would stay heavy inside the race's last days. Done and
    pinned sessions stay as they are (S7.4)."""
    raced, changes = races_applied(ctx, list(sessions), today - ONE_DAY)
    now = {s.id: s for s in raced if s.day == today and (ids is None or s.id in ids)}
    return ([now.get(s.id, s) for s in sessions],
            [replace(a, night=today) for a in changes if a.session_id in now])


def race_day_today(sessions: Sequence[Session], eve: Tonight, mobility: MobilityWork,
                   race: RaceDay) -> tuple[list[Session], list[Adjustment]]:
    """The sessions with today's open one(s) made what S6 makes a session on a race's own
    day known the night before (planner.adapt with `eve`, last night's facts, the race
    among today's runs: moved to a legal day of its week, else dropped, no gym work on race
    day), each change an adjustment of today naming the race. A race entered on its own
    day (a parkrun entered the morning of): the nightly adaptation starts the day after the
    night it adapts, so nothing else would. Done and pinned sessions stay as they are
    (S7.4)."""
    today = eve.night + ONE_DAY
    ids = {s.id for s in sessions if s.day == today}
    adapted, changes = adapt(list(sessions), eve, mobility)
    now = {s.id: s for s in adapted if s.id in ids}
    return ([now.get(s.id, s) for s in sessions],
            [replace(a, night=today, for_race=race.day, reasons=(
                f"{race.name()}: entered on its own day, before today's session was lifted",
                *a.reasons))
             for a in changes if a.session_id in ids])


def without_race(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
                 changed: Collection[str], named: Collection[str] = (),
                 dropped: Collection[str] = (), planned: Mapping[str, MovedOff] | None = None,
                 runs: Mapping[date, RunDay] | None = None
                 ) -> tuple[list[Session], list[Adjustment]]:
    """The plan on its way to being as if a race had never been entered (`ctx` no longer
    knows it): the weeks ahead holding sessions it changed (`changed`: tapered, lightened,
    turned into mobility, a ladder step held) left for `plan.extend` to plan anew around the
    runs, and its other open sessions prescribed again on their own days. Today's session
    only where the race's own changes name it (`named`: a race entered and removed the same
    day gives it back, `raced_today`); one it never touched, perhaps open in the gym, stays.
    `dropped`: the sessions the race dropped from its own day (S6, or `race_day_today`),
    open again to be given back where still skipped: one the runner lifted since is done
    (S7.4). `planned`: the sessions the race moved off their day, with where each was,
    given back there where `runs` (and the sessions) leave it free (`back_on_planned_days`). Today's
    session given back is what the races still entered make it."""
    back = [s.with_(status="planned") if s.id in dropped and s.status == "skipped" else s
            for s in sessions]
    back, days = back_on_planned_days(reopened(back, night, changed), planned or {},
                                      runs or {}, night)
    out, notes = restored(ctx, first_monday, night, back, changed, today=named)
    # today's session given back, as the races still entered make it (the eve of another)
    out, today = raced_today(ctx, out, night, named)
    return out, [*days, *notes, *today]


def back_on_planned_days(sessions: Sequence[Session], planned: Mapping[str, MovedOff],
                         runs: Mapping[date, RunDay], night: date
                         ) -> tuple[list[Session], list[Adjustment]]:
    """The open sessions of `planned` (those a race removed had moved, with where each was
    before: its week's planned day, or where an earlier move had put it, moved there) back
    on that day, as they were there, where a move may land there now (S6, S7.2: the runs, a
    race still entered, the other strength sessions) and it is not gone by (the night:
    today, a race removed during the day); the others stay where they are, told why.
    README: `race remove` gives back the day a session was on before the race."""
    out = list(sessions)
    notes: list[Adjustment] = []
    for i, s in enumerate(out):
        was_on = planned.get(s.id)
        if was_on is None or was_on.day == s.day or s.settled or s.day < night:
            continue
        day = was_on.day
        why = [f"{day:%a %d %b} is gone by"] if day < night else \
            move_blocked(day, runs, strength_days(out, s.id))
        was = f"{s.kind} on {s.day:%a %d %b}"
        if why:
            notes.append(Adjustment(s.id, night, REMOVED, "kept", was, was, (
                f"on {day:%a %d %b} before the race moved it: stays on {s.day:%a %d %b}, "
                f"as {day:%a %d %b} cannot take it now", *why)))
            continue
        # a lightened session stays lightened; a moved one is as it was there: moved where an
        # earlier move had put it, else planned
        back = "moved" if was_on.status == "moved" else "planned"
        out[i] = s.with_(day=day, status=back if s.status == "moved" else s.status)
        notes.append(Adjustment(s.id, night, REMOVED, "move", was,
                                f"{s.kind} on {day:%a %d %b}", (
                                    f"back on {day:%a %d %b}, where it was before the race "
                                    f"moved it to {s.day:%a %d %b}",)).of_move(s, out[i]))
    return out, notes


def reached_from(sessions: Sequence[Session], race: RaceDay) -> list[str]:
    """The open strength sessions a race may change: from the first week it reaches on
    (`first_monday_reached`), as its taper or window counting as a deload moves every deload
    after it, and the one just before it (S5)."""
    return [s.id for s in sessions if s.kind == "strength" and s.status in ("planned", "moved")
            and s.day >= first_monday_reached(race)]


def differences(before: Sequence[Session], after: Sequence[Session], keys: Collection[str],
                night: date, rule: str, action: str, why: str) -> list[Adjustment]:
    """One adjustment for each session of `keys` that is not as it was (a session of a week
    planned anew may be gone)."""
    now = {s.id: s for s in after}
    return [Adjustment(s.id, night, rule, action, s.describe(),
                       now[s.id].describe() if s.id in now else "dropped", (why,)
                       ).of_move(s, now.get(s.id))
            for s in before if s.id in keys and now.get(s.id) != s]


def week_differences(before: Sequence[Session], after: Sequence[Session],
                     weeks: Collection[date], night: date, rule: str, action: str,
                     why: str) -> list[Adjustment]:
    """One adjustment for each session of the weeks `weeks` (their Mondays) that is not as
    it was: changed, dropped, or added ("none" before)."""
    was = {s.id: s for s in before if monday_of(s) in weeks}
    now = {s.id: s for s in after if monday_of(s) in weeks}
    return [Adjustment(key, night, rule, action,
                       was[key].describe() if key in was else "none",
                       now[key].describe() if key in now else "dropped", (why,))
            for key in sorted(was.keys() | now.keys()) if was.get(key) != now.get(key)]
