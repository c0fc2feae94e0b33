"""Blocks of weeks and the ladder step each block trains (RULES.md S5).

A block is planned for 4 weeks; it ends on schedule when at least 2/3 of its sessions were
done (full or lightened), otherwise it is extended one week at a time up to 6 weeks. A
block that still falls short after 6 weeks is followed by a new block on the same ladder
step: the athlete has not earned the harder exercise yet. Every completed block moves every
ladder one step up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

BLOCK_WEEKS = 4  # default planned length (RULES.md S5: blocks of 4-6 weeks)
MAX_BLOCK_WEEKS = 6
DONE_SHARE = Fraction(2, 3)


@dataclass(frozen=True)
class WeekInBlock:
    monday: date
    block: int  # 1, 2, ...
    week: int  # 1-based week within the block
    step: int  # ladder step (0-based) this block trains


@dataclass(frozen=True)
class WeekCount:
    planned: int
    done: int  # full or lightened sessions done


def timeline(first_monday: date, until_monday: date,
             counts: Mapping[date, WeekCount]) -> list[WeekInBlock]:
    """Block, week-in-block and ladder step for every week from the first to `until`.

    `counts` holds the planned and done sessions of past weeks; a week absent from it is
    still to come, so a block ends on schedule unless its past weeks fell short.
    """
    weeks: list[WeekInBlock] = []
    block, week, step = 1, 1, 0
    planned = done = 0
    monday = first_monday
    while monday <= until_monday:
        weeks.append(WeekInBlock(monday, block, week, step))
        count = counts.get(monday)
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
