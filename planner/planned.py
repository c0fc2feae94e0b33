"""The sessions planned so far, as planning a week reads them: their weeks counted and laid
out in blocks (RULES.md S5, a race's taper or window counting as a deload), the races' rules
applied to them, the strength days around a week (S6 holds across week ends), and the
exercises the weeks before it prescribed (not new to the athlete) and showed (each ladder's
block counts from there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from planner.blocks import WEEK, WeekCount, WeekInBlock, timeline
from planner.ladders import Shown
from planner.lifter import Lifter, races_of
from planner.model import Adjustment, Session, week_start
from planner.program import mobility_work
from planner.progression import LAYOFF_DAYS
from planner.races import apply_races, final_days, rested_weeks


def monday_of(s: Session) -> date:
    """The Monday of the week a session was planned in, read from its id."""
    return date.fromisoformat(s.id.split("#")[0])


def as_in(plan: Sequence[Session], ids: Sequence[str]) -> list[Session]:
    """The sessions of `ids` as `plan` holds them (the races' rules applied, say)."""
    by_id = {s.id: s for s in plan}
    return [by_id[i] for i in ids]


def week_counts(sessions: Sequence[Session], night: date) -> dict[date, WeekCount]:
    """The sessions of every week from the first planned (S5's 2/3 rule): planned, done,
    and in a week not over those neither done nor skipped: still to come, or their day gone
    by but not logged yet (the runner may log it tomorrow, the watch sync late: counted
    missed at once, the weeks ahead would be planned again for a night). A week gone by with
    nothing planned (the nightly did not run) counts 0 of 0."""
    before = night + timedelta(days=1)  # a week counts as ended on its Sunday night
    tally: dict[date, list[int]] = {}  # planned, done, neither done nor skipped: one pass,
    for s in sessions:  # one WeekCount a week (not one a session: years of them a night)
        t = tally.setdefault(week_start(s.day), [0, 0, 0])
        t[0] += 1
        t[1] += s.status == "done"
        t[2] += s.status not in ("done", "skipped")
    first = min(tally, default=before)
    counts = {first + WEEK * i: WeekCount(0, 0) for i in range((before - first).days // 7)}
    for monday, (planned, done, undecided) in tally.items():
        ended = monday + WEEK <= before
        counts[monday] = WeekCount(planned, done, 0 if ended else undecided, ended)
    return counts


def plan_timeline(ctx: Lifter, first_monday: date, until_monday: date,
                  counts: Mapping[date, WeekCount]) -> list[WeekInBlock]:
    """The weeks' blocks and deloads, a week a race's taper or window fills counting as a
    deload (RULES.md S5)."""
    return timeline(first_monday, until_monday, counts, rested_mondays(ctx),
                    ctx.profile.strength_sessions)


def rested_mondays(ctx: Lifter) -> dict[date, str]:
    """The Mondays of the weeks a race's taper or post-race window fills, with its name."""
    return {m: r.name() for r in races_of(ctx) for m in rested_weeks(r)}


def races_applied(ctx: Lifter, sessions: list[Session], night: date
                  ) -> tuple[list[Session], list[Adjustment]]:
    """The sessions with the races' rules applied (planner.races.apply_races), a session
    they turn into mobility work given the program's, and each change as an adjustment."""
    return apply_races(sessions, races_of(ctx), night,
                       mobility_work(ctx))


def fixed_around(sessions: Sequence[Session], monday: date) -> tuple[date, ...]:
    """Strength days of the weeks around the week of `monday` (S6 holds across week ends)."""
    return tuple(s.day for s in sessions if monday_of(s) != monday and s.kind == "strength"
                 and s.status != "skipped" and abs((s.day - monday).days) <= 8)


def seen_before(sessions: Sequence[Session], monday: date, night: date) -> frozenset[str]:
    """Exercises strength sessions before `monday` prescribed: not new to the athlete. A
    session skipped taught nothing, nor one gone by undone in a layoff (S5: 14+ days between
    sessions done, or since the last one): an exercise only they held starts with its intro
    week. A session gone by undone outside a layoff counts as done: many runners lift and
    never log it (their plan would give intro weeks again and again)."""
    done = sorted(s.day for s in sessions if s.status == "done" and s.day < night)
    return frozenset(p.exercise_id for s in sessions if s.day < monday
                     and s.kind == "strength" and s.status != "skipped"
                     and (s.status == "done" or s.day >= night
                          or not _in_layoff(s.day, done, night)) for p in s.exercises)


def _in_layoff(day: date, done: Sequence[date], night: date) -> bool:
    """Whether `day` lies in a layoff: 14+ days without a session done (S5) from the last
    one before it to the next one, or to the night. Before any session done there is no
    layoff to tell: a runner who never logs one is not away."""
    before = max((d for d in done if d < day), default=None)
    after = min((d for d in done if d > day), default=night)
    return before is not None and (after - before).days >= LAYOFF_DAYS


def shown_before(ctx: Lifter, sessions: Sequence[Session], monday: date) -> Shown:
    """What the sessions before the week of `monday` showed (ladders.week_ladders): the
    weeks planned; those the plan gave no strength session, each session mobility work for
    the races' last days or window, or S6's fallback (they hold the ladders; a session
    recovery or the athlete changed was prescribed: its week stands, so the weeks after it
    do not change with a morning's status); and the weeks each exercise was prescribed in a
    strength session (its block counts from the first, S5)."""
    known = races_of(ctx)
    shown: dict[date, bool] = {}
    weeks: dict[str, set[date]] = {}
    for s in sessions:
        week = monday_of(s)
        if week < monday:
            plan_made = s.kind == "mobility" and (
                s.status == "planned" or final_days(known, s.day) is not None)
            shown[week] = shown.get(week, False) or not plan_made
            for p in s.exercises if s.kind == "strength" else ():
                weeks.setdefault(p.exercise_id, set()).add(week)
    return Shown(frozenset(shown), frozenset(week for week, any_shown in shown.items()
                                             if not any_shown),
                 {e: frozenset(mondays) for e, mondays in weeks.items()})


def begun_as_placed(weeks: Sequence[WeekInBlock], sessions: Sequence[Session], night: date
                    ) -> list[WeekInBlock]:
    """The timeline `weeks` with every week begun by the night that holds sessions where
    they were planned in the blocks: a week begun keeps its place (`plan.extend` never plans
    it again), so a session of it prescribed again carries its week's label, and its ladders
    stand where its other sessions' did, not where the blocks as recomputed tonight put them
    (S5's 2/3 rule now counting the weeks gone by without a session logged)."""
    by_week: dict[date, list[Session]] = {}
    for s in sessions:
        by_week.setdefault(monday_of(s), []).append(s)
    return [placed(by_week[w.monday], w) if w.monday <= night and w.monday in by_week else w
            for w in weeks]


def placed(planned: Sequence[Session], where: WeekInBlock) -> WeekInBlock:
    """Where a week's sessions were planned in the blocks, a deload as their dosing says
    (when nothing says, as it stands now at `where`: no change to tell)."""
    s = planned[0]
    deload = dosed_deload(planned)
    return WeekInBlock(monday_of(s), s.block, s.week_in_block, s.step,
                       where.deload if deload is None else deload)


def dosed_deload(planned: Sequence[Session]) -> bool | None:
    """Whether a week's strength work was dosed as a deload; None when none of it says (an
    exercise new to the athlete is in its intro week, deload or not). A week whose strength
    sessions all became mobility work (a race's taper and window) still says it: that work
    is dosed as a deload's where the session it replaced was (`program.mobility_work`)."""
    dosed = [p.phase for s in planned if s.kind == "strength" for p in s.exercises
             if p.phase != "intro"]
    if dosed:
        return "deload" in dosed
    return True if any(p.phase == "deload" for s in planned for p in s.exercises) else None
