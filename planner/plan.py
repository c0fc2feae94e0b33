"""The plan over time: new weeks as they come into view.

Weeks are planned once, when they first come into view, and from then on only the nightly
adaptation changes their days and kinds (so a moved session stays moved). What each open
session prescribes is refreshed every night from what was done since (double progression,
planner/prescriptions.refresh); a change made after the weeks were planned (a race, the
template, the kit) is planner/plan_changes.py's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from planner.blocks import WeekInBlock, decision
from planner.lifter import Lifter, races_of
from planner.model import Adjustment, RunDay, Session, week_of, week_start
from planner.plain_plan import PlainPlan
from planner.planned import (
    as_in,
    dosed_deload,
    fixed_around,
    monday_of,
    placed,
    plan_timeline,
    races_applied,
    rested_mondays,
    seen_before,
    shown_before,
    week_counts,
)
from planner.program import build_week, cap_steps, holds
from planner.races import RaceDay, lightens


def extend(ctx: Lifter, first_monday: date, night: date, until: date,
           runs: Mapping[date, RunDay], sessions: Sequence[Session],
           plain_runs: Mapping[date, RunDay] | None = None
           ) -> tuple[list[Session], list[Adjustment]]:
    """The sessions with every week from the night's week to `until` planned, the races'
    rules applied to every open session, and each change made (a planning fallback, a race
    effect, a knock-on of one) as an adjustment of the night. A week planned ahead on a
    block decision that has since changed (its block fell short of 2/3 and was extended) is
    planned again, as long as nothing in it has started or been touched (but by the
    races' rules, applied again, or turned into mobility by the nightly S6 pass).

    `runs` must reach planner.runs.horizon(`until`) (S6 holds across week ends);
    `plain_runs`: the same without the races (by default, without the race days' runs)."""
    out, notes = list(sessions), list[Adjustment]()
    counts = week_counts(sessions, night)
    weeks = plan_timeline(ctx, first_monday, week_start(until), counts)
    plain = PlainPlan(ctx, first_monday, plain_runs if plain_runs is not None else
                      {d: r for d, r in runs.items() if r.source != "race"},
                      week_start(until), counts)
    by_week = _by_week(out)  # grouped again only when a week is planned
    for index, where in enumerate(weeks):
        if where.monday < week_start(night):  # gone by: not planned again (read no session
            continue  # of it: years of weeks by years of sessions)
        planned = by_week.get(where.monday, [])
        if planned and not _stale(where, planned, night, races_of(ctx)):
            continue
        allowed = [day for day in week_of(where.monday) if day > night]
        if not allowed:  # the week is over: nothing left to plan in it
            continue
        out = [s for s in out if s not in planned]
        shown = shown_before(ctx, out, where.monday)
        new, why, picks = build_week(ctx, weeks, index, runs, fixed_around(out, where.monday),
                                     allowed, seen_before(out, where.monday, night), night, shown,
                                     _stands(weeks, index + 1, by_week, night, races_of(ctx)))
        # The races' rules before the next week is planned: what it sees as already
        # prescribed (not new to the athlete) is what the races left.
        out, raced = races_applied(ctx, [*out, *new], night)
        week = as_in(out, [s.id for s in new])
        # planned ahead on block decisions that have changed since (_stale): a session that
        # changed is told by its S5 note, the races' reasons in it; one that holds what the
        # runner has was told when first planned. No second note tells a change from a
        # prescription they never saw.
        told = _replanned(planned, week, decision(weeks, index, counts, placed(planned, where),
                                                  rested_mondays(ctx)), night, raced
                          ) if planned else []
        notes += told
        changed = {t.session_id for t in told}
        unchanged = {s.id for s in planned} - changed
        told_now = [*why, *holds(ctx, week, picks, night), *cap_steps(week, picks, night),
                    *(n for n in raced if n.session_id not in changed)]
        told_now += plain.knock_ons(weeks, index, out, allowed, night, [*notes, *told_now],
                                    shown)
        notes += [n for n in told_now if n.session_id not in unchanged]
        by_week = _by_week(out)
    out, raced = races_applied(ctx, out, night)  # weeks planned before a race was known
    return out, notes + raced


def _by_week(sessions: Sequence[Session]) -> dict[date, list[Session]]:
    """The sessions by the Monday of the week they were planned in, in their order: the
    plan looked through once, not once for each week from the night's on."""
    out: dict[date, list[Session]] = {}
    for s in sessions:
        out.setdefault(monday_of(s), []).append(s)
    return out


def _replanned(planned: Sequence[Session], new: Sequence[Session], why: str,
               night: date, raced: Sequence[Adjustment]) -> list[Adjustment]:
    """A week planned ahead and planned again on a block decision that changed: each
    session that now differs, with the decision in words (S5) and the reasons of the
    races' rules that made it what it is (`raced`: one note, not a second one from a
    prescription the runner never saw). A session the week can no longer hold is S6
    planning's drop (`build_week` tells it, with the days' reasons)."""
    was = {s.id: s for s in planned}
    return [Adjustment(s.id, night, "S5 blocks", "re-plan", was[s.id].describe(), s.describe(),
                       (why, *(r for n in raced if n.session_id == s.id for r in n.reasons)))
            for s in new if s.id in was and was[s.id].describe() != s.describe()]


def _stands(weeks: Sequence[WeekInBlock], index: int, by_week: Mapping[date, list[Session]],
            night: date, races: Sequence[RaceDay]) -> bool:
    """Whether week `index` of the timeline (or the week after its last) is planned and
    stays as planned tonight, not planned again (`_stale`); `by_week`: the plan's sessions
    by their week's Monday (`_by_week`)."""
    if index == len(weeks):  # past the timeline: nothing plans it again tonight
        return bool(by_week.get(weeks[-1].monday + timedelta(days=7)))
    planned = by_week.get(weeks[index].monday, [])
    return bool(planned) and not _stale(weeks[index], planned, night, races)


def _stale(where: WeekInBlock, planned: list[Session], night: date,
           races: Sequence[RaceDay]) -> bool:
    """An untouched week ahead planned on block decisions that have since changed: its
    block, week or step, or whether it is a deload (a week gone by without a session done
    is no training week, so the 4th one comes later: S5)."""
    untouched = where.monday > night and all(_as_made(s, night, races) for s in planned)
    deload = dosed_deload(planned)
    return untouched and (any((s.block, s.week_in_block, s.step) !=
                              (where.block, where.week, where.step) for s in planned)
                          or (deload is not None and deload != where.deload))


def _as_made(s: Session, night: date, races: Sequence[RaceDay]) -> bool:
    """Whether a session stands as planning could make it again: untouched by the athlete
    and by recovery, which judges the next day's session only. Lightened more than a day
    ahead, it is the races' rules' work, which planning applies again, or the nightly S6
    pass's mobility fallback, which planning anew meets too (S6 holds on the runs known);
    the next day, the races' work on a day they lighten (a race week's Monday on a Sunday
    night, when a week's sessions not logged count), else recovery's."""
    return not s.pinned and (s.status == "planned" or (s.status == "lightened" and (
        s.day > night + timedelta(days=1) or lightens(races, s.day))))
