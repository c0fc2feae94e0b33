"""The nightly adaptation (RULES.md S7): apply the day's facts to the coming sessions.

Each night D, with D's runs and D's morning recovery status:
1. a session that now breaks S6 moves to the nearest legal day of its week (later first;
   a day a race keeps free of strength work, where it would become mobility work, only
   when no other is left), else becomes a mobility/stability session, else is dropped; a
   move never lands on the eve of a long run or a race, even where S6 allows it (S7.2);
2. the recovery status of D applies to the session of D+1 (the next morning's numbers are
   not known yet), and for low recovery lightening is preferred to moving (S7.2): amber
   lightens it in place (one set fewer, no power or plyometric work, load -10 %), red turns
   it into mobility/stability work in place;
3. pinned, done and skipped sessions never change, and a fact already acted on changes
   nothing the second time (a lightened session is not lightened again, a session the
   morning pass judged again on its day is the morning's).
Every change is an Adjustment naming the rule, the facts and the before/after prescription.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from domain.words import counted
from planner.effort import at_load
from planner.model import (
    ONE_DAY,
    Adjustment,
    Prescription,
    RunDay,
    Session,
    one_set_fewer,
    week_heavy_lower,
    week_of,
    week_start,
)
from planner.schedule import conflicts, eve_of, race_near, traits_on

LIGHTEN_LOAD = 0.9  # amber: load -10 % (RULES.md S7.3)
RECOVERY_RULE = "S7.3"  # a recovery decision is recorded as "S7.3 <level>"
PINNED_RULE = "S7.4 pinned"  # a pinned session kept where S6 would move it: the runner told

MobilityWork = Callable[[Session], tuple[Prescription, ...]]


@dataclass(frozen=True)
class Recovery:
    """The part of a day's recovery status the planner acts on."""

    level: str  # green, amber, red
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tonight:
    night: date
    runs: Mapping[date, RunDay]  # actual runs up to the night, planned runs after it
    recovery: Recovery | None = None  # the night's own morning status
    spared: Collection[date] = frozenset()  # days a race keeps free of strength work
    # (races.spared): a move lands there only when no other legal day is left


def adapt(sessions: list[Session], facts: Tonight, mobility: MobilityWork,
          judged: Collection[str] = ()) -> tuple[list[Session], list[Adjustment]]:
    """The sessions after tonight's facts, and the adjustments that got them there.
    `judged`: sessions the morning pass has judged again on their own day; its fresher
    numbers decide their recovery, not the night before (a night adapted again after the
    morning pass leaves them as the morning left them)."""
    plan = {s.id: s for s in sessions}
    changes: list[Adjustment] = []
    # the open ones only, each changed at its own turn only: years of sessions gone by are
    # not sorted every night
    for sid in sorted((i for i, s in plan.items() if _open(s, facts.night)),
                      key=lambda i: (plan[i].day, i)):
        _apply_s6(plan, sid, facts, mobility, changes)
    after, recovered = recover(list(plan.values()), facts, mobility, judged)
    return after, changes + recovered


def recover(sessions: list[Session], facts: Tonight, mobility: MobilityWork,
            judged: Collection[str] = ()) -> tuple[list[Session], list[Adjustment]]:
    """Step 2 alone: the night's recovery status on the next day's session. The nightly
    catch-up applies it once the weeks ahead are planned (planner.catch_up): on a Sunday
    night whose block decision changed, the Monday it lightens is the new week's."""
    plan = {s.id: s for s in sessions}
    changes: list[Adjustment] = []
    tomorrow = [s.id for s in plan.values() if s.day == facts.night + ONE_DAY
                and _open(s, facts.night) and s.id not in judged]
    if facts.recovery is not None and facts.recovery.level in ("amber", "red"):
        for sid in tomorrow:
            _apply_recovery(plan, sid, facts, mobility, changes)
    return sorted(plan.values(), key=lambda s: (s.day, s.id)), changes


def pinned_kept(s: Session, runs: Mapping[date, RunDay], others: Iterable[date],
                night: date) -> Adjustment | None:
    """A pinned strength session on a day S6 forbids (its runs, or another strength session
    a day away) or on the eve of a long run or a race (S7.2: where no move would land): kept
    as it is (S7.4), and the runner told why, with the runs and days, so they may unpin it.
    None where the day is fine, or the session is not pinned strength work still to do."""
    if not s.pinned or s.kind != "strength" or s.status in ("done", "skipped"):
        return None
    why = move_blocked(s.day, runs, others)
    if not why:
        return None
    return Adjustment(s.id, night, PINNED_RULE, "kept", s.describe(), s.describe(), (
        f"pinned on {s.day:%a %d %b}, so kept there (S7.4), though S6 would move it: "
        "`unpin` lets the plan move it", *why))


def pinned_notes(sessions: Sequence[Session], runs: Mapping[date, RunDay],
                 night: date) -> list[Adjustment]:
    """`pinned_kept` for every session from the night on, against the strength sessions
    around it as the nightly adaptation counts them (not the skipped ones). The night's own
    day too: `plan` run on a session's day makes the plan through that night, and its
    session, still to do, must be flagged as `pin` flags it."""
    out = []
    for s in sessions:  # pinned ones only: the strength days around the others go uncounted
        if s.day >= night and s.pinned and (note := pinned_kept(
                s, runs, strength_days(sessions, s.id), night)) is not None:
            out.append(note)
    return out


def pinned_news(notes: Sequence[Adjustment], sessions: Iterable[Session],
                said: Mapping[str, tuple[str, ...]], night: date) -> list[Adjustment]:
    """What `why` must be told of the pinned sessions tonight, so its latest word on each is
    true now: a note (`pinned_notes`) whose reasons are not the last said of its session (a
    conflict new, or another one), and, for a session still to do whose last note named a
    conflict that no longer holds (S6 allows its day now, or it was unpinned), that it is
    gone. `said`: the reasons of each session's last note, where that named a conflict."""
    out = [n for n in notes if said.get(n.session_id) != n.reasons]
    noted = {n.session_id for n in notes}
    for s in sessions:
        if s.id in said and s.id not in noted and s.day >= night and \
                s.status not in ("done", "skipped"):
            out.append(Adjustment(s.id, night, PINNED_RULE, "cleared", s.describe(),
                                  s.describe(), (_cleared(s),)))
    return out


def _cleared(s: Session) -> str:
    gone = "the conflict said before no longer holds"
    if s.pinned:
        return f"pinned on {s.day:%a %d %b}, and S6 now allows that day: {gone}"
    return f"unpinned, so the plan moves it where S6 asks: {gone}"


def _open(s: Session, night: date) -> bool:
    return s.day > night and not s.settled


def strength_days(sessions: Iterable[Session], but: str) -> list[date]:
    """The days of the strength sessions but `but`, as S6 counts them (not the skipped)."""
    return [s.day for s in sessions if s.id != but and s.kind == "strength"
            and s.status != "skipped"]


def move_blocked(day: date, runs: Mapping[date, RunDay], others: Iterable[date]) -> list[str]:
    """Why a session may not move to `day`: S6 (its runs, another strength session of
    `others` a day away), or the eve of a long run or a race (S7.2: a move never lands
    there, even where S6 allows it); empty where it may."""
    return [*conflicts(day, runs, others), *eve_of(day, runs)]


def _legal(day: date, plan: dict[str, Session], sid: str, facts: Tonight) -> bool:
    """A day a session may move to (`move_blocked`)."""
    return not move_blocked(day, facts.runs, strength_days(plan.values(), sid))


def _candidates(s: Session, night: date) -> list[date]:
    """The other days of the session's week after the night, nearest first, later first."""
    days = [d for d in week_of(s.day) if d > night and d != s.day]
    return sorted(days, key=lambda d: (abs((d - s.day).days), d < s.day))


def _apply_s6(plan: dict[str, Session], sid: str, facts: Tonight, mobility: MobilityWork,
              changes: list[Adjustment]) -> None:
    s = plan[sid]
    # the race whose day makes the session's day illegal, if one does: its change is for
    # that race (stored as data, `race remove` gives it back by it)
    race = race_near(s.day, facts.runs)
    if s.kind != "strength":
        if "race" in traits_on(facts.runs, s.day):
            _change(plan, changes, s, s.with_(status="skipped"), facts, "S6 race day", "drop",
                    (f"race on {s.day:%a %d %b}: no gym work on race day",), race)
        return
    why = conflicts(s.day, facts.runs, strength_days(plan.values(), sid))
    if not why:
        return
    reasons = (*why, *_run_reasons(facts, s.day))
    # A lightened session stays lightened where it lands: its lighter work is never made
    # lighter again (the first session back at 64 %, not 80 %), nor lifted as a full one.
    status = "lightened" if s.status == "lightened" else "moved"
    legal = [d for d in _candidates(s, facts.night) if _legal(d, plan, sid, facts)]
    if legal:  # the nearest, but where the races keep it strength work first
        day = min(legal, key=lambda d: d in facts.spared)
        _change(plan, changes, s, s.with_(day=day, status=status), facts, "S6", "move",
                reasons, race)
        return
    if "race" not in traits_on(facts.runs, s.day):
        _change(plan, changes, s, _as_mobility(s, mobility), facts, "S6", "mobility",
                (*reasons, "no legal strength day left this week (a move never lands on the "
                 "eve of a long run or a race)"), race)
        return
    _change(plan, changes, s, s.with_(status="skipped"), facts, "S6", "drop",
            (*reasons, "no legal day left this week, and no gym work on race day"), race)


def _apply_recovery(plan: dict[str, Session], sid: str, facts: Tonight, mobility: MobilityWork,
                    changes: list[Adjustment]) -> None:
    s, status = plan[sid], facts.recovery
    assert status is not None
    after = fitted(s, status.level, mobility)
    if after == s:
        return
    reasons = (f"recovery {status.level} on {facts.night:%a %d %b}", *status.reasons,
               "for low recovery lightening is preferred to moving (S7.2)")
    _change(plan, changes, s, after, facts, f"{RECOVERY_RULE} {status.level}",
            "lighten" if status.level == "amber" else "mobility", reasons)


def fitted(s: Session, level: str, mobility: MobilityWork) -> Session:
    """A strength session as a recovery level asks (RULES.md S7.3): red is mobility/stability
    work only, whatever lightened the session before (a race's taper, the first session
    back); amber lightens a session not lightened yet (lighter work is not made lighter
    again)."""
    if s.kind != "strength" or level == "green":
        return s
    if level == "red":
        return _as_mobility(s, mobility)
    return s if s.status == "lightened" else lighten(s)


def lighten(s: Session) -> Session:
    """Amber: one set fewer, no power or plyometric work, load -10 % (RULES.md S7.3), the
    effort said again in words (by feel: reps in reserve, never the 6RM wording)."""
    kept = tuple(at_load(before, LIGHTEN_LOAD, p.sets) for before, p in
                 zip(s.exercises, one_set_fewer(s.exercises), strict=True) if not p.power)
    return s.with_(exercises=kept, status="lightened")


def _as_mobility(s: Session, mobility: MobilityWork) -> Session:
    """The session as mobility/stability work: no heavy lower-body load, no progression."""
    return s.with_(kind="mobility", exercises=mobility(s), status="lightened")


def _run_reasons(facts: Tonight, day: date) -> tuple[str, ...]:
    """The classification reasons of the actual runs that made the day illegal."""
    out = []
    for d in (day - ONE_DAY, day, day + ONE_DAY):
        run = facts.runs.get(d)
        if run is not None and run.source == "actual" and run.reasons:
            out.append(f"{d:%a} {'/'.join(run.kinds)} run: " + "; ".join(run.reasons))
    return tuple(out)


def _change(plan: dict[str, Session], changes: list[Adjustment], before: Session,
            after: Session, facts: Tonight, rule: str, action: str,
            reasons: tuple[str, ...], for_race: date | None = None) -> None:
    plan[before.id] = after
    shown = "dropped" if action == "drop" else after.describe()
    changes.append(Adjustment(before.id, facts.night, rule, action, before.describe(), shown,
                              reasons, for_race=for_race).of_move(before, after))


def enforce_cap(sessions: list[Session], extra_heavy: Mapping[date, int], night: date,
                cap: int) -> tuple[list[Session], list[Adjustment]]:
    """S4 with work done outside the plan: when a week's heavy lower-body exercises (planned
    plus `extra_heavy[monday]`) exceed the cap, the week's last open sessions drop heavy
    exercises until it holds."""
    plan = {s.id: s for s in sessions}
    changes: list[Adjustment] = []
    for monday, extra in sorted(extra_heavy.items()):
        if monday < week_start(night):  # over: no open session to lighten (years of weeks
            continue  # of lifts outside the plan, each not searched for its sessions)
        week = sorted((s for s in plan.values() if week_start(s.day) == monday),
                      key=lambda s: (s.day, s.id))
        over = extra + week_heavy_lower(week) - cap
        for s in reversed([s for s in week if _open(s, night) and s.heavy_lower]):
            if over <= 0:
                break
            keep, dropped = _drop_heavy(s.exercises, over)
            over -= dropped
            reason = (f"{counted(extra, 'heavy lower-body exercise')} done outside the plan in "
                      f"the week of {monday:%d %b}: the week would exceed the cap of {cap} (S4)")
            _change(plan, changes, s, s.with_(exercises=keep),
                    Tonight(night, {}), "S4", "lighten", (reason,))
    return sorted(plan.values(), key=lambda s: (s.day, s.id)), changes


def _drop_heavy(items: tuple[Prescription, ...],
                count: int) -> tuple[tuple[Prescription, ...], int]:
    """Remove up to `count` heavy lower-body exercises, the last ones first."""
    heavy = [i for i, p in enumerate(items) if p.high_resistance_lower_body][-count:]
    return tuple(p for i, p in enumerate(items) if i not in heavy), len(heavy)
