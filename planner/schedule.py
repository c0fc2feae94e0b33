"""Place strength sessions around the runs (RULES.md S6).

Hard rules never break: no strength on a long-run day or the day after it, none on a speed or
threshold day or the day before it (a race counts as both), and two strength sessions are at
least one day apart. Among the legal days: those a race's rules leave strength work first,
then the choice that leaves the next week, placed as it will be, the most sessions kept
strength work and then the most sessions (S3: a Sunday session takes the next Monday with it,
which may be the one day a race leaves that week; a session in an A race's 8-14 days takes
the next week's there), then easy-run and rest days that are not the eve of a long run (legs
fresh for the long run, and the article's own week: Monday and Thursday, not Friday), then
the one that keeps the sessions furthest apart.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import combinations, pairwise

from domain.words import counted
from planner.model import (
    EVE_OF,
    HARD_AFTER,
    HARD_BEFORE,
    HARD_ON,
    ONE_DAY,
    RunDay,
    days_in_words,
    week_of,
)

MIN_GAP_DAYS = 2  # "at least one day apart": a free day between two strength sessions (S6)
SPARED = "a race's last days or post-race window (mobility work only)"


@dataclass(frozen=True)
class Placement:
    strength: tuple[date, ...]  # days for full strength sessions
    mobility: tuple[date, ...] = ()  # fallback days for mobility/stability sessions
    reasons: tuple[str, ...] = ()  # why the fallback was needed


def traits_on(runs: Mapping[date, RunDay], day: date) -> frozenset[str]:
    """Every hard trait of a day's runs (none on a rest day): what S6 reads."""
    run = runs.get(day)
    return run.traits if run else frozenset()


def eve_of(day: date, runs: Mapping[date, RunDay]) -> list[str]:
    """Why `day` is the eve of a long run or a race: a move never lands there (S7.2)."""
    if hard := EVE_OF.intersection(traits_on(runs, day + ONE_DAY)):
        return [_named(day + ONE_DAY, sorted(hard), "no session moved to the day before")]
    return []


def _named(day: date, kinds: Iterable[str], what: str) -> str:
    return f"{'/'.join(kinds)} run on {day:%a %d %b} ({what})"


def race_near(day: date, runs: Mapping[date, RunDay]) -> date | None:
    """The day of a race among the days S6 reads for strength on `day` (the day itself, the
    day before, the day after; in that order): the race a change S6 makes there is for."""
    return next((d for d in (day, day - ONE_DAY, day + ONE_DAY)
                 if "race" in traits_on(runs, d)), None)


def run_conflicts(day: date, runs: Mapping[date, RunDay]) -> list[str]:
    """Why strength on `day` breaks S6 because of running; empty when it does not."""
    why = []
    if hard := HARD_ON.intersection(traits_on(runs, day)):
        why.append(_named(day, sorted(hard), "no strength on the same day"))
    if after := HARD_AFTER.intersection(traits_on(runs, day - ONE_DAY)):
        why.append(_named(day - ONE_DAY, sorted(after), "no strength the day after"))
    if before := HARD_BEFORE.intersection(traits_on(runs, day + ONE_DAY)):
        why.append(_named(day + ONE_DAY, sorted(before), "no strength the day before"))
    return why


def session_conflicts(day: date, others: Iterable[date]) -> list[str]:
    """Why strength on `day` is too close to another strength session."""
    return [f"strength session on {o:%a %d %b} (sessions at least one day apart)"
            for o in others if abs((o - day).days) < MIN_GAP_DAYS]


def conflicts(day: date, runs: Mapping[date, RunDay], others: Iterable[date]) -> list[str]:
    return run_conflicts(day, runs) + session_conflicts(day, others)


def _preference(day: date, runs: Mapping[date, RunDay]) -> int:
    run = runs.get(day)
    easy = run is None or run.easy
    eve_of_long = "long" in traits_on(runs, day + ONE_DAY)
    return 2 * easy - eve_of_long


def _spread(days: tuple[date, ...], fixed: tuple[date, ...]) -> int:
    ordered = sorted(days + fixed)
    gaps = [(b - a).days for a, b in pairwise(ordered)]
    return min(gaps) if gaps else 7


def place_week(monday: date, runs: Mapping[date, RunDay], count: int,
               fixed: tuple[date, ...] = (), allowed: Iterable[date] | None = None,
               spared: Collection[date] = (),
               once: Sequence[Collection[date]] = (), next_planned: bool = False) -> Placement:
    """Days for `count` strength sessions in the week of `monday`.

    `fixed`: strength days already settled (pinned or done sessions, and the neighbouring
    weeks' sessions) that the new ones must keep their distance from. `allowed`: the days
    still open (e.g. not in the past); all seven by default. `spared`: days a race keeps
    free of strength work (its last days and post-race window), and `once`: stretches of
    days that hold one strength session only (an A race's 8-14 days): a session on a spared
    day, or a second one in such a stretch, becomes mobility work. The days kept first are
    those that keep the most sessions strength work, then the most sessions: fewer sessions
    where all the legal days' sessions would be mobility work for a race and one other
    legal day keeps one strength work (an A 5 km on a Wednesday, speed on Monday and
    Saturday: Tuesday in its 8-14 days after the last week's session, Thursday in its last 6
    days, Wednesday free but too close to both). `spared` may reach into the next week, and
    `next_planned` says the next week is planned already and stands (`_next_week`).
    """
    week = week_of(monday)
    open_days = set(week if allowed is None else allowed)
    room = _no_room if next_planned else _next_week(monday, runs, fixed, count, spared, once)
    (chosen, kept), (most, as_strength) = _choice(week, open_days, runs, count, fixed, spared,
                                                  once, room)
    placement = _with_fallback(chosen, count - len(chosen), week, open_days, runs, fixed,
                               _kept(chosen, fixed, spared, once), spared)
    if len(most) == len(chosen):
        return placement
    # fewer sessions than the legal days hold: say why, in numbers
    why = (f"{counted(len(most), 'session')} on the legal days ({days_in_words(most)}) would "
           f"keep {as_strength} as strength work, a race's rules turning the others into "
           "mobility work (its last days, its post-race window or an A race's one session "
           f"8-14 days before it): {len(chosen)} on {days_in_words(chosen) or 'no day'} keep "
           f"{kept}, {_made_mobility(len(placement.mobility))}")
    return Placement(placement.strength, placement.mobility, (why, *placement.reasons[1:]))


Room = Callable[[tuple[date, ...]], tuple[int, int]]
Fit = tuple[tuple[date, ...], int]  # days chosen, and how many of them stay strength work


def _no_room(_days: tuple[date, ...]) -> tuple[int, int]:
    return 0, 0


def _choice(week: list[date], open_days: set[date], runs: Mapping[date, RunDay], count: int,
            fixed: tuple[date, ...], spared: Collection[date],
            once: Sequence[Collection[date]], room: Room) -> tuple[Fit, Fit]:
    """The week's days as placed (the most sessions kept strength work, then the most
    sessions, `_best` choosing among equals), and the most sessions its legal days hold."""
    legal = [d for d in week if d in open_days and not conflicts(d, runs, fixed)]
    fits = [(best, _strength(best, fixed, spared, once)) for n in range(count, -1, -1)
            if (best := _best(legal, n, runs, fixed, spared, once, room)) is not None]
    return max(fits, key=lambda fit: (fit[1], len(fit[0]))), fits[0]  # n = 0 always fits


def _strength(days: tuple[date, ...], fixed: tuple[date, ...], spared: Collection[date],
              once: Sequence[Collection[date]]) -> int:
    """How many of `days` stay strength work by the races' rules."""
    return len(_kept(days, fixed, spared, once))


def _kept(days: tuple[date, ...], fixed: tuple[date, ...], spared: Collection[date],
          once: Sequence[Collection[date]]) -> tuple[date, ...]:
    """Those of `days` that stay strength work by the races' rules: not on a spared day,
    and in a stretch of one session only, the first strength session there (none with a
    fixed day there: the first one there may be in the week before)."""
    left = [d for d in days if d not in spared]
    return tuple(d for d in left if not any(
        d in stretch and any(e in stretch for e in (*fixed, *(e for e in left if e < d)))
        for stretch in once))


def _apart(days: Sequence[date], n: int) -> list[tuple[date, ...]]:
    """Every choice of `n` of the days whose sessions keep their distance (S6)."""
    return [c for c in combinations(days, n)
            if not any(session_conflicts(d, [o for o in c if o != d]) for d in c)]


def _next_week(monday: date, runs: Mapping[date, RunDay], fixed: tuple[date, ...],
               count: int, spared: Collection[date],
               once: Sequence[Collection[date]]) -> Room:
    """The week after `monday`'s as it will be placed (not planned yet), with a choice of
    days for this one: how many of its `count` sessions stay strength work, then how many
    it holds. A week's days are chosen not to cost the next one a session (S3): a Sunday
    session takes the next Monday with it, a session in an A race's 8-14 days takes the
    next week's there, and the days a race spares hold mobility work only. Placed by the
    same rules as the real week (`_choice`, with no look-ahead of its own), on the runs
    known through its Sunday and the day after it (planner.runs.horizon)."""
    week = week_of(monday + 7 * ONE_DAY)

    @cache
    def placed(days: tuple[date, ...]) -> tuple[int, int]:
        (chosen, kept), _ = _choice(week, set(week), runs, count, days + fixed, spared, once,
                                    _no_room)
        return kept, len(chosen)

    def room(days: tuple[date, ...]) -> tuple[int, int]:
        # what of this week's days the next one sees: its strength sessions (one the races
        # turn into mobility work keeps no distance) the day before it (S6's day apart) and
        # in a stretch of one session only
        return placed(tuple(d for d in _kept(days, fixed, spared, once)
                            if d == week[0] - ONE_DAY or any(d in stretch for stretch in once)))
    return room


def _best(legal: list[date], n: int, runs: Mapping[date, RunDay], fixed: tuple[date, ...],
          spared: Collection[date] = (), once: Sequence[Collection[date]] = (),
          room: Room = _no_room) -> tuple[date, ...] | None:
    options = _apart(legal, n)
    if not options:
        return None
    # all of n days: the most kept strength work is the fewest the races turn into mobility
    return max(options, key=lambda c: (_strength(c, fixed, spared, once), room(c),
                                       sum(_preference(d, runs) >= 2 for d in c),
                                       _spread(c, fixed), sum(_preference(d, runs) for d in c),
                                       [-d.toordinal() for d in c]))


def _with_fallback(chosen: tuple[date, ...], missing: int, week: list[date],
                   open_days: set[date], runs: Mapping[date, RunDay],
                   fixed: tuple[date, ...], kept: tuple[date, ...],
                   spared: Collection[date] = ()) -> Placement:
    """The placement with the sessions no legal day holds as mobility work (or dropped),
    and why, day by day. A session of `chosen` a race's rules turn into mobility work (not
    in `kept`) keeps no day from strength work: the reasons never name it as a strength
    session, and the count says the races take it."""
    if missing == 0:
        return Placement(chosen)
    blocked = [d for d in week if d in open_days and d not in chosen]
    reasons = [f"{d:%a}: " + "; ".join(conflicts(d, runs, kept + fixed) or [
        SPARED if d in spared else "kept free"]) for d in blocked]
    taken = len(chosen) - len(kept)
    raced = (f" ({taken} of them mobility work by a race's rules: its last days, its "
             "post-race window or an A race's one session 8-14 days before it)" if taken else "")
    # Mobility/stability work has no heavy lower-body load: any day but a race day will do.
    spare = [d for d in blocked if "race" not in traits_on(runs, d)]
    mobility = tuple(sorted(spare, key=lambda d: (-_preference(d, runs), d))[:missing])
    summary = (f"only {counted(len(chosen), 'legal strength day')} this week{raced}, "
               f"{_made_mobility(len(mobility))}"
               + (f", {missing - len(mobility)} dropped" if missing > len(mobility) else ""))
    return Placement(chosen, tuple(sorted(mobility)), (summary, *reasons))


def _made_mobility(n: int) -> str:
    return f"{counted(n, 'session')} {'becomes' if n == 1 else 'become'} mobility/stability"
