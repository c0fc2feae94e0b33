"""Blocks of weeks and the ladder step each block trains (RULES.md S5).

A block is planned for 4 weeks; it ends on schedule when at least 2/3 of its sessions were
done (full or lightened), otherwise it is extended one week at a time up to 6 weeks. A
block that still falls short after 6 weeks is followed by a new block on the same ladder
step: the athlete has not earned the harder exercise yet. Every completed block moves every
ladder one step up.

Every 4th training week (weeks without a done session in the past do not count) is a
deload; a week a race's taper or post-race window mostly fills counts as one, so the count
starts again after it (and a deload due the week before it is that week). Ladders are
staggered: each starts its steps `lag` weeks after the block does, so at most half of a
session's exercises change in one week. No ladder steps in a deload week or where a race
holds it; after such weeks the ladders that are due step one lag a week, the one waiting
longest first, so the stagger survives deloads and races and none waits for ever
(`ladder_steps`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

BLOCK_WEEKS = 4  # default planned length (RULES.md S5: blocks of 4-6 weeks)
MAX_BLOCK_WEEKS = 6
DONE_SHARE = Fraction(2, 3)
DELOAD_EVERY = 4  # RULES.md S5: every 4th training week is a deload


@dataclass(frozen=True)
class WeekInBlock:
    monday: date
    block: int  # 1, 2, ...
    week: int  # 1-based week within the block
    step: int  # ladder step (0-based) this block trains
    deload: bool = False  # a deload week (RULES.md S5)


@dataclass(frozen=True)
class WeekCount:
    planned: int
    done: int  # full or lightened sessions done


def timeline(first_monday: date, until_monday: date, counts: Mapping[date, WeekCount],
             rested: Collection[date] = ()) -> list[WeekInBlock]:
    """Block, week-in-block and ladder step for every week from the first to `until`.

    `counts` holds the planned and done sessions of past weeks; a week absent from it is
    still to come, so a block ends on schedule unless its past weeks fell short. `rested`:
    the Mondays of weeks a race's taper or post-race window fills (planner.races.rests),
    which count as a deload.
    """
    weeks: list[WeekInBlock] = []
    block, week, step = 1, 1, 0
    planned = done = trained = 0
    monday = first_monday
    while monday <= until_monday:
        count = counts.get(monday)
        trained += count is None or count.done > 0
        # a week before a rested one is none: the race's easier week is the deload
        deload = ((count is None or count.done > 0) and trained % DELOAD_EVERY == 0
                  and monday + timedelta(days=7) not in rested)
        weeks.append(WeekInBlock(monday, block, week, step, deload))
        if monday in rested:  # RULES.md S5: it counts as a deload
            trained = 0
        if count is not None:
            planned, done = planned + count.planned, done + count.done
        if week >= BLOCK_WEEKS:
            enough = planned == 0 or Fraction(done, planned) >= DONE_SHARE
            if enough or week >= MAX_BLOCK_WEEKS:
                block, week, planned, done = block + 1, 0, 0, 0
                step += 1 if enough else 0
        week += 1
        monday += timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class LadderWeek:
    """Where one ladder stands in a week: its block and step, and how many blocks before it
    in a row trained the same step (a block that fell short repeats its step)."""

    block: int
    step: int
    repeat: int = 0


def ladder_weeks(weeks: list[WeekInBlock], lag: int) -> list[LadderWeek]:
    """The ladder's block and step week by week when it runs `lag` weeks behind the blocks:
    where the blocks put it, before `ladder_steps` stops its clock."""
    lag = _lag(weeks, lag)
    repeats = _repeats(weeks)
    return [LadderWeek(weeks[j].block, weeks[j].step, repeats[j])
            for j in (max(0, i - lag) for i in range(len(weeks)))]


def _lag(weeks: list[WeekInBlock], lag: int) -> int:
    """The lag shrinks where the first block is long, so no exercise lasts past 6 weeks."""
    return max(0, min(lag, MAX_BLOCK_WEEKS - sum(w.block == 1 for w in weeks)))


def _repeats(weeks: list[WeekInBlock]) -> list[int]:
    """For each week, how many blocks in a row before its own trained the same step."""
    out: list[int] = []
    for i, w in enumerate(weeks):
        before = weeks[i - 1] if i else None
        if before is None or before.block == w.block:
            out.append(out[-1] if out else 0)
        else:
            out.append(out[-1] + 1 if before.step == w.step else 0)
    return out


def ladder_steps(weeks: list[WeekInBlock], lags: Collection[int],
                 stopped: Sequence[bool] = ()) -> dict[int, list[LadderWeek]]:
    """Each ladder's week by week, by its lag: it follows its track (`ladder_weeks`), one
    step at a time and a block (4 weeks) at least after its last change, never in a deload
    week (RULES.md S5: no new ladder step) nor in a `stopped` one (around a race). Held
    back, it stays behind its track (after a marathon, a step behind) rather than drop an
    exercise after a week. The ladders keep their stagger (at most half a session changes at
    once, S5): in a week where several would change, only the one that has waited longest
    does (the smallest lag first), so none waits for ever. The price, where the stagger
    meets a deload: a week past S5's 6 weeks with one exercise, the stops not counted.
    """
    group = {lag: _lag(weeks, lag) for lag in lags}  # ladders of one lag change together
    tracks = {g: ladder_weeks(weeks, g) for g in set(group.values())}
    out = {g: [track[0]] for g, track in tracks.items()} if weeks else {g: [] for g in tracks}
    changed = dict.fromkeys(tracks, 0)  # the week of its last change
    for i in range(1, len(weeks)):
        stop = weeks[i].deload or (i < len(stopped) and stopped[i])
        due = [g for g, track in tracks.items() if not stop and i - changed[g] >= BLOCK_WEEKS
               and _behind(out[g][-1], track[i])]
        first = min(due, key=lambda g: (changed[g], g), default=None)
        for g, track in tracks.items():
            last = out[g][-1]
            if g == first:
                changed[g] = i
                last = track[i] if track[i].step <= last.step else replace(
                    track[i], step=last.step + 1, repeat=0)
            out[g].append(last)
    return {lag: out[g] for lag, g in group.items()}


def _behind(at: LadderWeek, track: LadderWeek) -> bool:
    """Whether the ladder's track has moved on from where it stands (a step, or the same
    step again as a variation after a block that fell short)."""
    return (at.step, at.repeat) != (track.step, track.repeat)

