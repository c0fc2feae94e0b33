"""The strength program: which exercises each week holds and what each prescribes.

Sessions follow RULES.md S1-S4: 4-5 exercises, mostly strength, at most one power and one or
two stability exercises; across the week every target area is covered and at most 8
high-resistance lower-body exercises are done. Exercises come from the ladders at the
block's step (S5); reps and loads from double progression (planner/progression.py).
Race taper: 10-14 days out, that week keeps one lower-volume session at the same load; in
the last 6 days, no heavy lower-body or plyometric work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.profile import Profile
from planner.blocks import WeekInBlock
from planner.catalog import Catalog, Exercise
from planner.model import Prescription, RunDay, Session, one_set_fewer
from planner.progression import Done, next_target
from planner.schedule import place_week

AREAS = ("glutes", "glute_medius", "calves", "quads", "hamstrings", "core", "ankle_mobility",
         "foot")
LOWER_BODY = frozenset(AREAS) - {"core"}
STRENGTH_PER_SESSION = 3  # with 1-2 stability (and at most one power): 4-5 exercises (S2)
MAX_STABILITY = 2
MAX_EXERCISES = 5
MAX_HEAVY_LOWER_A_WEEK = 8  # RULES.md S4
TAPER_FROM, TAPER_TO = 10, 14  # days before a race: one lower-volume session that week
FINAL_DAYS = 6  # last days before a race: no heavy lower-body or plyometric work


@dataclass(frozen=True)
class Context:
    """Everything the program reads: who, with what kit, what was done, what is known."""

    profile: Profile
    catalog: Catalog
    history: Sequence[Done] = ()
    known_kg: Mapping[str, float] | None = None  # starting loads the athlete knows
    # The next session's day: a layoff (S5's 14 days) is judged there, since the sessions
    # planned after it assume that one happens.
    next_session: date | None = None


def pool(ctx: Context, step: int) -> list[Exercise]:
    """Each ladder's exercise at the step (the top step once a ladder is climbed)."""
    return [ctx.catalog.step(lad.id, min(step, len(lad.steps) - 1), ctx.profile.equipment)
            for lad in ctx.catalog.ladders.values()]


def compose_week(exercises: list[Exercise], sessions: int,
                 power: bool = True) -> list[list[Exercise]]:
    """Spread the pool over the week's sessions, greedily covering every area first."""
    week: list[list[Exercise]] = [[] for _ in range(sessions)]
    covered: set[str] = set()
    used: Counter[str] = Counter()

    def add(session: list[Exercise], quality: str) -> None:
        heavy = sum(e.high_resistance_lower_body for s in week for e in s)
        options = [e for e in exercises if e.quality == quality and e not in session
                   and (heavy < MAX_HEAVY_LOWER_A_WEEK or not e.high_resistance_lower_body)]
        if options and len(session) < MAX_EXERCISES:
            best = max(options, key=lambda e: (len(set(e.areas) - covered), -used[e.id],
                                               -exercises.index(e)))
            session.append(best)
            covered.update(best.areas)
            used[best.id] += 1

    # Stability first, one per session and a second where an area is still uncovered: with
    # 4-5 exercises a session, the stability areas are the ones that run out of room.
    for session in week:
        add(session, "stability")
    for session in week:
        if _uncovered(exercises, covered, "stability"):
            add(session, "stability")
    for _ in range(STRENGTH_PER_SESSION):
        for session in week:
            add(session, "strength")
    for session in week:  # the S4 cap can leave a session short: fill it with stability
        if len(session) < 4 and sum(e.quality == "stability" for e in session) < MAX_STABILITY:
            add(session, "stability")
    if power:  # at most one power exercise, where a session still has room
        room = [s for s in week if len(s) < MAX_EXERCISES]
        if room:
            add(room[0], "power")
    return [sorted(s, key=lambda e: ("power", "strength", "stability").index(e.quality))
            for s in week]


def _uncovered(exercises: list[Exercise], covered: set[str], quality: str) -> bool:
    """Whether an exercise of this quality could still cover a new area."""
    return any(set(e.areas) - covered for e in exercises if e.quality == quality)


def prescribe(ctx: Context, e: Exercise, day: date) -> Prescription:
    """Sets, reps or seconds, load and rest for one exercise on one day."""
    s = e.scheme
    common = dict(exercise_id=e.id, sets=s.sets, rest_s=s.rest_s,
                  high_resistance_lower_body=e.high_resistance_lower_body,
                  power=e.quality == "power" or e.plyometric)
    if s.seconds is not None:
        side = " per side" if s.per_side else ""
        return Prescription(seconds=s.seconds, instruction=f"hold {s.seconds} s{side}",
                            **common)  # type: ignore[arg-type]
    reps_min, reps_max = s.reps_min or 1, s.reps_max or s.reps_min or 1
    if not e.loaded:
        side = " per side" if s.per_side else ""
        return Prescription(reps=reps_max, instruction=f"{reps_max} reps{side}",
                            **common)  # type: ignore[arg-type]
    mine = [d for d in ctx.history if d.exercise_id == e.id]
    known = (ctx.known_kg or {}).get(e.id)
    when = min(day, ctx.next_session) if ctx.next_session else day
    target = next_target(mine, reps_min, reps_max, bool(LOWER_BODY & set(e.areas)), when, known)
    return Prescription(reps=target.reps, load_kg=target.load_kg, instruction=target.note,
                        **common)  # type: ignore[arg-type]


def race_days(ctx: Context, day: date) -> int | None:
    """Days until the next race on or after `day`, if any."""
    ahead = [(r.day - day).days for r in ctx.profile.races if r.day >= day]
    return min(ahead) if ahead else None


def sessions_for_week(ctx: Context, monday: date) -> tuple[int, str | None]:
    """How many sessions the week holds, and the taper reason when it holds fewer: the week
    that holds the middle of the 10-14-day window before a race tapers."""
    middle = (TAPER_FROM + TAPER_TO) // 2
    for race in ctx.profile.races:
        if monday <= race.day - timedelta(days=middle) < monday + timedelta(days=7):
            return 1, (f"{race.distance} race on {race.day:%a %d %b}: one lower-volume "
                       "session this week (taper)")
    return ctx.profile.strength_sessions, None


def final_days(ctx: Context, day: date) -> bool:
    """Within the last 6 days before a race: no heavy lower-body or plyometric work."""
    left = race_days(ctx, day)
    return left is not None and 0 < left <= FINAL_DAYS


def build_week(ctx: Context, where: WeekInBlock, runs: Mapping[date, RunDay],
               fixed: tuple[date, ...] = (), allowed: Sequence[date] | None = None
               ) -> tuple[list[Session], tuple[str, ...]]:
    """The week's sessions placed around the runs, and the reasons for any fallback."""
    count, taper_note = sessions_for_week(ctx, where.monday)
    placement = place_week(where.monday, runs, count, fixed, allowed)
    contents = iter(compose_week(pool(ctx, where.step), len(placement.strength)))
    days = sorted([(d, "strength") for d in placement.strength]
                  + [(d, "mobility") for d in placement.mobility])
    sessions = []
    for n, (day, kind) in enumerate(days, start=1):
        exercises = next(contents) if kind == "strength" else []
        items = tuple(prescribe(ctx, e, day) for e in exercises)
        if kind == "mobility" or final_days(ctx, day):
            kind, items = "mobility", mobility_session(ctx, where.step, day)
        elif taper_note is not None:
            items = one_set_fewer(items)
        sessions.append(Session(id=f"{where.monday.isoformat()}#{n}", day=day, kind=kind,
                                block=where.block, week_in_block=where.week, exercises=items,
                                step=where.step))
    notes = tuple(filter(None, (taper_note, *placement.reasons)))
    return sessions, notes


def mobility_session(ctx: Context, step: int, day: date) -> tuple[Prescription, ...]:
    """Mobility/stability work only (no heavy lower-body or power): the fallback session."""
    stability = [e for e in pool(ctx, step) if e.quality == "stability"]
    return tuple(prescribe(ctx, e, day) for e in stability[:MAX_EXERCISES - 1])
