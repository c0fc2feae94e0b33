"""The plan over time: new weeks as they come into view, prescriptions kept current.

Weeks are planned once, when they first come into view, and from then on only the nightly
adaptation changes their days and kinds (so a moved session stays moved). What each open
session prescribes is refreshed every night from what was done since (double progression).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from domain.profile import Profile, runs_text
from planner.blocks import BLOCK_WEEKS, WEEK, WeekCount, WeekInBlock, decision, timeline
from planner.effort import at_share_of
from planner.ladders import Shown, week_ladders
from planner.lifter import Lifter, races_of
from planner.model import Adjustment, Prescription, RunDay, Session, week_start
from planner.picks import pick
from planner.prescriptions import prescribe
from planner.program import (
    WeekPicks,
    build_week,
    holds,
    mobility_session,
    prescribed,
    week_contents,
)
from planner.progression import round_kg
from planner.races import (
    FREEZE_BEFORE,
    RaceDay,
    apply_races,
    final_days,
    knock_ons,
    lightens,
    reaches,
    rested_weeks,
)

SIX_DAYS = timedelta(days=6)  # Monday to Sunday


def week_counts(sessions: Sequence[Session], night: date) -> dict[date, WeekCount]:
    """The sessions of every week from the first planned (S5's 2/3 rule): planned, done,
    and in a week not over those neither done nor skipped: still to come, or their day gone
    by but not logged yet (the runner may log it tomorrow, the watch sync late: counted
    missed at once, the weeks ahead would be planned again for a night). A week gone by with
    nothing planned (the nightly did not run) counts 0 of 0."""
    before = night + timedelta(days=1)  # a week counts as ended on its Sunday night
    first = min((week_start(s.day) for s in sessions), default=before)
    counts = {first + WEEK * i: WeekCount(0, 0) for i in range((before - first).days // 7)}
    for s in sessions:
        monday = week_start(s.day)
        c = counts.get(monday, WeekCount(0, 0, ended=monday + WEEK <= before))
        counts[monday] = replace(c, planned=c.planned + 1, done=c.done + (s.status == "done"),
                                 open=c.open + (not c.ended
                                                and s.status not in ("done", "skipped")))
    return counts


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

    `runs` must reach a week past `until` (planner.runs.horizon: S6 holds across week ends);
    `plain_runs`: the same without the races (by default, without the race days' runs)."""
    out, notes = list(sessions), list[Adjustment]()
    counts = week_counts(sessions, night)
    weeks = _timeline(ctx, first_monday, week_start(until), counts)
    plain = _Plain(ctx, first_monday, plain_runs if plain_runs is not None else
                   {d: r for d, r in runs.items() if r.source != "race"},
                   week_start(until), counts)
    for index, where in enumerate(weeks):
        planned = [s for s in out if _monday_of(s) == where.monday]
        if where.monday < week_start(night) or (
                planned and not _stale(where, planned, night, races_of(ctx))):
            continue
        allowed = [where.monday + timedelta(days=i) for i in range(7)
                   if where.monday + timedelta(days=i) > night]
        if not allowed:  # the week is over: nothing left to plan in it
            continue
        out = [s for s in out if s not in planned]
        new, why, picks = build_week(ctx, weeks, index, runs, _fixed(out, where.monday),
                                     allowed, _seen(out, where.monday), night,
                                     _shown(ctx, out, where.monday))
        # The races' rules before the next week is planned: what it sees as already
        # prescribed (not new to the athlete) is what the races left.
        out, raced = _raced(ctx, [*out, *new], night)
        week = _as_in(out, [s.id for s in new])
        # planned ahead on block decisions that have changed since (_stale): a session that
        # changed is told by its S5 note, the races' reasons in it; one that holds what the
        # runner has was told when first planned. No second note tells a change from a
        # prescription they never saw.
        told = _replanned(planned, week, decision(weeks, index, counts, _placed(planned, where),
                                                  _rested(ctx)), night, raced) if planned else []
        notes += told
        changed = {t.session_id for t in told}
        unchanged = {s.id for s in planned} - changed
        told_now = [*why, *holds(ctx, week, picks, night),
                    *(n for n in raced if n.session_id not in changed)]
        told_now += plain.knock_ons(weeks, index, out, allowed, night, [*notes, *told_now])
        notes += [n for n in told_now if n.session_id not in unchanged]
    out, raced = _raced(ctx, out, night)  # weeks planned before a race was known
    return out, notes + raced


def restored(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
             keys: Collection[str]) -> tuple[list[Session], list[Adjustment]]:
    """The sessions with the open ones of `keys` prescribed again as a strength session of
    their week as the plan now stands (the races it knows, the ladders where they stand),
    on their own days, and the ladder steps a race holds back in them (recorded as when a
    week is planned: where the races' rules leave strength work). The races' rules are not
    applied to the sessions here (`extend` applies them)."""
    out, told = _restore(ctx, first_monday, night, sessions, keys)
    if not told:
        return out, []
    # which sessions the races turn into mobility: an A race's second session in its 8-14
    # days depends on the plan's sessions before it, as the races leave them
    raced, _ = _raced(ctx, out, night)
    return out, [n for ids, picks in told for n in holds(ctx, _as_in(raced, ids), picks, night)]


def _restore(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
             keys: Collection[str]) -> tuple[list[Session], list[tuple[list[str], WeekPicks]]]:
    """`restored`'s sessions, and each week's sessions it changed with the week's picks."""
    out = list(sessions)
    redo = {s.id for s in out if s.id in keys and not s.settled and s.day > night}
    told: list[tuple[list[str], WeekPicks]] = []
    if not redo:
        return out, told
    last = max(_monday_of(s) for s in out)
    weeks = _timeline(ctx, first_monday, last, week_counts(out, night))
    index = {w.monday: i for i, w in enumerate(weeks)}
    for monday in sorted({_monday_of(s) for s in out if s.id in redo}):
        # the week's strength days as planned: a session a race, recovery or S6 turned into
        # mobility work (lightened) was one of them, and one of `keys` even if settled now
        # (without the A taper's second session, its first came back as a one-session
        # week's: other exercises than planned)
        days = sorted(s.day for s in out if _monday_of(s) == monday and s.status != "skipped"
                      and (s.kind == "strength" or s.status == "lightened" or s.id in keys))
        picks = week_contents(ctx, weeks, index[monday], days, _fixed(out, monday),
                              _seen(out, monday), _shown(ctx, out, monday))
        where = weeks[index[monday]]
        fresh = {s.id: s.with_(kind="strength",
                               exercises=prescribed(ctx, picks.contents[s.day], s.day),
                               status="moved" if s.status == "moved" else "planned",
                               block=where.block, week_in_block=where.week, step=where.step)
                 for s in out if s.id in redo and _monday_of(s) == monday}
        told.append(([f.id for f in fresh.values() if f not in out], picks))
        out = [fresh.get(s.id, s) for s in out]
    return out, told


def as_planned(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
               keys: Collection[str]) -> dict[str, Session]:
    """The open sessions of `keys` as the plan holds them with no recovery decision: their
    week's strength work on their own days, then the races' rules (a 2-set session before an
    A race stays one)."""
    out, _ = _restore(ctx, first_monday, night, sessions, keys)
    out, _ = _raced(ctx, out, night)
    return {s.id: s for s in out if s.id in keys}


def reopened(sessions: Sequence[Session], night: date, keys: Collection[str]) -> list[Session]:
    """The sessions without the weeks wholly after the night that hold one of `keys` and
    nothing done, skipped or pinned: the next `extend` plans them anew, their days too."""
    weeks = {_monday_of(s) for s in sessions if s.id in keys and _monday_of(s) > night}
    weeks -= {_monday_of(s) for s in sessions if s.settled}
    return [s for s in sessions if _monday_of(s) not in weeks]


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


def with_equipment(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
                   was: str) -> list[Session]:
    """The open sessions after the night with each exercise the athlete's equipment
    (`ctx`'s; `was` the level they were planned for) does not allow swapped for its ladder
    step's variant at that level, dosed afresh at no more sets and the same share of its
    load as before (a session lightened stays lightened); the rest as they are. For a week
    already begun when the athlete packs less kit for a trip."""
    lifted = {d.exercise_id for d in ctx.history}
    weeks = _timeline(ctx, first_monday, max(_monday_of(s) for s in sessions),
                      week_counts(sessions, night))
    index = {w.monday: i for i, w in enumerate(weeks)}

    def swapped(s: Session) -> Session:
        known = lifted | _seen(sessions, week_start(s.day))  # as `pick` judges it
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
            week = pick(ctx, week_ladders(ctx, weeks, index[_monday_of(s)],
                                          _shown(ctx, sessions, _monday_of(s))),
                        ladder.patterns)
            # RULES.md S5: an exercise new to the athlete starts with an intro week (2 sets)
            fresh = prescribe(ctx, other, s.day, p.phase if other.id in known else "intro",
                              week.backpack_kg if week.exercise == other else None)
            out.append(at_share_of(replace(fresh, sets=min(p.sets, fresh.sets)), p))
        return s.with_(exercises=tuple(out))
    return [s if s.settled or s.day <= night else swapped(s) for s in sessions]


def reopened_ahead(sessions: Sequence[Session], night: date
                   ) -> tuple[list[Session], frozenset[date]]:
    """The sessions without the weeks wholly after the night that hold nothing done, skipped
    or pinned (the next `extend` plans them anew, for a new weekly template), and the
    Mondays of those weeks."""
    kept = reopened(sessions, night, [s.id for s in sessions])
    return kept, frozenset({_monday_of(s) for s in sessions} - {_monday_of(s) for s in kept})


def week_differences(before: Sequence[Session], after: Sequence[Session],
                     weeks: Collection[date], night: date, rule: str, action: str,
                     why: str) -> list[Adjustment]:
    """One adjustment for each session of the weeks `weeks` (their Mondays) that is not as
    it was: changed, dropped, or added ("none" before)."""
    was = {s.id: s for s in before if _monday_of(s) in weeks}
    now = {s.id: s for s in after if _monday_of(s) in weeks}
    return [Adjustment(key, night, rule, action,
                       was[key].describe() if key in was else "none",
                       now[key].describe() if key in now else "dropped", (why,))
            for key in sorted(was.keys() | now.keys()) if was.get(key) != now.get(key)]


def without_race(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
                 changed: Collection[str]) -> tuple[list[Session], list[Adjustment]]:
    """The plan on its way to being as if a race had never been entered (`ctx` no longer
    knows it): the weeks ahead holding sessions it changed (`changed`: tapered, lightened,
    turned into mobility, a ladder step held) left for `extend` to plan anew around the
    runs, and its other open sessions prescribed again on their own days."""
    return restored(ctx, first_monday, night, reopened(sessions, night, changed), changed)


def with_race(ctx: Lifter, first_monday: date, night: date, sessions: Sequence[Session],
              new: RaceDay) -> tuple[list[Session], list[Adjustment]]:
    """The plan on its way to following a race entered late (`ctx` knows it), as if it had
    been known from the start: the weeks ahead from its reach on left for `extend` to plan
    anew around it, and its other open sessions there prescribed again on their own days
    (the ladder freeze around an A race, the first session back, and the deloads after it:
    its taper or window counts as one, S5). `extend` then applies the taper and post-race
    rules."""
    keys = set(reached_from(sessions, new))
    return restored(ctx, first_monday, night, reopened(sessions, night, keys), keys)


def reached_from(sessions: Sequence[Session], race: RaceDay) -> list[str]:
    """The open strength sessions a race may change: from the week of its widest reach on
    (the A freeze holds the whole week it begins in), as its taper or window counting as a
    deload moves every deload after it, and the one just before it (S5)."""
    monday = week_start(race.day - timedelta(days=FREEZE_BEFORE))
    return [s.id for s in sessions if s.kind == "strength" and s.status in ("planned", "moved")
            and s.day >= monday]


def differences(before: Sequence[Session], after: Sequence[Session], keys: Collection[str],
                night: date, rule: str, action: str, why: str) -> list[Adjustment]:
    """One adjustment for each session of `keys` that is not as it was (a session of a week
    planned anew may be gone)."""
    now = {s.id: s for s in after}
    return [Adjustment(s.id, night, rule, action, s.describe(),
                       now[s.id].describe() if s.id in now else "dropped", (why,))
            for s in before if s.id in keys and now.get(s.id) != s]


class _Plain:
    """The plan as it would be without the races, week by week where a race reaches: what
    a race changes beyond its own rules (a held ladder step starting later, so an intro week
    later; another day for a session) is a difference from it, recorded with the races'
    names. Weeks no race reaches are not planned twice."""

    def __init__(self, ctx: Lifter, first_monday: date, runs: Mapping[date, RunDay],
                 until_monday: date, counts: Mapping[date, WeekCount]) -> None:
        self.races = races_of(ctx)
        self.ctx = replace(ctx, profile=replace(ctx.profile, races=()), found_races=())
        self.first_monday, self.runs = first_monday, runs
        # its deloads too are as without the races (no taper counting as one)
        self.timeline = _timeline(self.ctx, first_monday, until_monday, counts)
        self.weeks: dict[date, list[Session]] = {}  # planned without the races, by Monday
        self.start: date | None = None  # the first of them

    def knock_ons(self, weeks: list[WeekInBlock], index: int, out: list[Session],
                  allowed: Sequence[date], night: date,
                  known: Sequence[Adjustment]) -> list[Adjustment]:
        """The week's open sessions that differ from the week planned without the races,
        each one not yet explained by a change naming a race that reaches it."""
        monday = weeks[index].monday
        near = [r for r in self.races if reaches(r, monday) or reaches(r, monday + SIX_DAYS)]
        if not near:
            return []
        start = max(self.first_monday, min(week_start(r.day - timedelta(
            days=FREEZE_BEFORE)) for r in near))
        if start != self.start:
            self.start, self.weeks = start, {}
        first = next(i for i, w in enumerate(weeks) if w.monday == start)
        for i in range(first, index):  # the weeks before it as they would have been
            if weeks[i].monday not in self.weeks:
                self.weeks[weeks[i].monday] = self._week(self.timeline, i, out, None, night)
        self.weeks[monday] = self._week(self.timeline, index, out, allowed, night)
        names = [r.name() for r in near]
        return knock_ons(self.weeks[monday], [s for s in out if _monday_of(s) == monday],
                         night, names, known, _kept_words(self.ctx, out, monday))

    def _week(self, weeks: list[WeekInBlock], index: int, out: list[Session],
              allowed: Sequence[date] | None, night: date) -> list[Session]:
        monday = weeks[index].monday
        before = [s for s in out if _monday_of(s) < (self.start or monday)]
        plan = before + [s for m, week in self.weeks.items() if m < monday for s in week]
        new, _, _ = build_week(self.ctx, weeks, index, self.runs, _fixed(plan, monday),
                               allowed, _seen(plan, monday), night,
                               _shown(self.ctx, plan, monday))
        return new


def _kept_words(ctx: Lifter, sessions: Sequence[Session], monday: date) -> dict[str, str]:
    """Why an exercise strength sessions before `monday` showed stays where the plan without
    the races steps up, when that is S5's block (planner.blocks.ladder_steps): fewer than 4
    weeks of training since it was first shown, the weeks of mobility work only not counted."""
    shown = _shown(ctx, sessions, monday)
    idle = shown.idle
    out = {}
    for e, first in ((e, min(mondays)) for e, mondays in shown.weeks.items()):
        weeks = [first + WEEK * i for i in range((monday - first).days // 7)]
        trained = [m for m in weeks if m not in idle]
        if len(trained) >= BLOCK_WEEKS:
            continue
        words = (f"{e} stays: {len(trained)} of its block's {BLOCK_WEEKS} weeks of training "
                 f"since {first:%a %d %b} (S5)")
        if rested := [m for m in weeks if m in idle]:
            words += (f", the week{'s' if len(rested) > 1 else ''} of "
                      f"{', '.join(f'{m:%a %d %b}' for m in rested)} with mobility work only "
                      "not counted")
        out[e] = words
    return out


def _timeline(ctx: Lifter, first_monday: date, until_monday: date,
              counts: Mapping[date, WeekCount]) -> list[WeekInBlock]:
    """The weeks' blocks and deloads, a week a race's taper or window fills counting as a
    deload (RULES.md S5)."""
    return timeline(first_monday, until_monday, counts, _rested(ctx),
                    ctx.profile.strength_sessions)


def _rested(ctx: Lifter) -> dict[date, str]:
    """The Mondays of the weeks a race's taper or post-race window fills, with its name."""
    return {m: r.name() for r in races_of(ctx) for m in rested_weeks(r)}


def _raced(ctx: Lifter, sessions: list[Session], night: date
           ) -> tuple[list[Session], list[Adjustment]]:
    return apply_races(sessions, races_of(ctx), night,
                       lambda s: mobility_session(ctx, s.step, s.day))


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


def _placed(planned: Sequence[Session], where: WeekInBlock) -> WeekInBlock:
    """Where a week's sessions were planned in the blocks, a deload as `_stale` reads it
    (when nothing says, as it stands now: no change to tell)."""
    s = planned[0]
    deload = _dosed_deload(planned)
    return WeekInBlock(_monday_of(s), s.block, s.week_in_block, s.step,
                       where.deload if deload is None else deload)


def _as_in(plan: Sequence[Session], ids: Sequence[str]) -> list[Session]:
    """The sessions of `ids` as `plan` holds them (the races' rules applied, say)."""
    by_id = {s.id: s for s in plan}
    return [by_id[i] for i in ids]


def _fixed(sessions: Sequence[Session], monday: date) -> tuple[date, ...]:
    """Strength days of the weeks around the week of `monday` (S6 holds across week ends)."""
    return tuple(s.day for s in sessions if _monday_of(s) != monday and s.kind == "strength"
                 and s.status != "skipped" and abs((s.day - monday).days) <= 8)


def _seen(sessions: Sequence[Session], monday: date) -> frozenset[str]:
    """Exercises strength sessions before `monday` prescribed: not new to the athlete."""
    return frozenset(p.exercise_id for s in sessions if s.day < monday
                     and s.kind == "strength" and s.status != "skipped" for p in s.exercises)


def _stale(where: WeekInBlock, planned: list[Session], night: date,
           races: Sequence[RaceDay]) -> bool:
    """An untouched week ahead planned on block decisions that have since changed: its
    block, week or step, or whether it is a deload (a week gone by without a session done
    is no training week, so the 4th one comes later: S5)."""
    untouched = where.monday > night and all(_as_made(s, night, races) for s in planned)
    deload = _dosed_deload(planned)
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


def _dosed_deload(planned: Sequence[Session]) -> bool | None:
    """Whether a week's strength work was dosed as a deload; None when none of it says (an
    exercise new to the athlete is in its intro week, deload or not)."""
    dosed = [p.phase for s in planned if s.kind == "strength" for p in s.exercises
             if p.phase != "intro"]
    return "deload" in dosed if dosed else None


def _shown(ctx: Lifter, sessions: Sequence[Session], monday: date) -> Shown:
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
        week = _monday_of(s)
        if week < monday:
            plan_made = s.kind == "mobility" and (
                s.status == "planned" or final_days(known, s.day) is not None)
            shown[week] = shown.get(week, False) or not plan_made
            for p in s.exercises if s.kind == "strength" else ():
                weeks.setdefault(p.exercise_id, set()).add(week)
    return Shown(frozenset(shown), frozenset(week for week, any_shown in shown.items()
                                             if not any_shown),
                 {e: frozenset(mondays) for e, mondays in weeks.items()})


def _monday_of(s: Session) -> date:
    return date.fromisoformat(s.id.split("#")[0])


def refresh(ctx: Lifter, s: Session) -> Session:
    """Current reps and loads for an open strength session: its exercises and sets stay, and
    a lightened one keeps its share of the load (an A taper's 2 sets at the load of the day,
    not the load of the night it was planned; 80 % of it after a race)."""
    if s.settled or s.kind != "strength":
        return s
    fresh = tuple(_refreshed(ctx, s.day, p) for p in s.exercises)
    return s if fresh == s.exercises else s.with_(exercises=fresh)


def _refreshed(ctx: Lifter, day: date, p: Prescription) -> Prescription:
    return at_share_of(replace(prescribe(ctx, ctx.catalog.exercise(p.exercise_id), day,
                                         p.phase, _backpack(ctx, p)), sets=p.sets), p)


def _backpack(ctx: Lifter, p: Prescription) -> float | None:
    """A bodyweight exercise's backpack load stays as planned (it changes with the block),
    the whole of it when the exercise is lifted at a share of it."""
    if ctx.catalog.exercise(p.exercise_id).loaded or not p.load_kg:
        return None
    return round_kg(p.load_kg / p.share)
