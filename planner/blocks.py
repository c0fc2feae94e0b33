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
session's exercises change in one week. Each ladder keeps its own clock, from the week the
sessions first showed its exercise. No ladder steps where a race holds it, nor in a
deload week unless its exercise reached 6 weeks; after such weeks the ladders that are due
step one lag a week, the one waiting longest first, so the stagger survives deloads and
races and none waits for ever (`ladder_steps`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

from planner.model import days_in_words

BLOCK_WEEKS = 4  # default planned length (RULES.md S5: blocks of 4-6 weeks)
MAX_BLOCK_WEEKS = 6
DONE_SHARE = Fraction(2, 3)
DELOAD_EVERY = 4  # RULES.md S5: every 4th training week is a deload
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class WeekInBlock:
    monday: date
    block: int  # 1, 2, ...
    week: int  # 1-based week within the block
    step: int  # ladder step (0-based) this block trains
    deload: bool = False  # a deload week (RULES.md S5)


@dataclass(frozen=True)
class WeekCount:
    """A planned week's sessions for S5's 2/3 rule. In a week not over yet, the `open` ones
    (neither done nor skipped yet) count as done; a session skipped already does not."""

    planned: int
    done: int  # full or lightened sessions done
    open: int = 0  # in a week not over: neither done nor skipped yet
    ended: bool = True

    @property
    def expected(self) -> int:
        """The sessions done, and the open ones counted as done."""
        return self.done + self.open


def timeline(first_monday: date, until_monday: date, counts: Mapping[date, WeekCount],
             rested: Collection[date] = (), per_week: int = 0) -> list[WeekInBlock]:
    """Block, week-in-block and ladder step for every week from the first to `until`.

    `counts` holds the sessions of the weeks planned (WeekCount); a week absent from it is
    not planned yet, its `per_week` sessions counted as done: a block is extended only once
    the sessions done and open can no longer reach 2/3 (a first week missed does
    not extend a block three weeks ahead, to end on schedule again when the next ones are
    done; a session skipped this week counts at once). `rested`: the Mondays of weeks a
    race's taper or post-race window fills (planner.races.rests), which count as a deload.
    """
    weeks: list[WeekInBlock] = []
    block, week, step = 1, 1, 0
    planned = done = trained = 0
    monday = first_monday
    while monday <= until_monday:
        count = counts.get(monday)
        trained += _trains(count)
        # a week before a rested one is none: the race's easier week is the deload
        deload = (_trains(count) and trained % DELOAD_EVERY == 0
                  and monday + WEEK not in rested)
        weeks.append(WeekInBlock(monday, block, week, step, deload))
        if monday in rested:  # RULES.md S5: it counts as a deload
            trained = 0
        expected = count or WeekCount(per_week, 0, per_week, ended=False)
        planned, done = planned + expected.planned, done + expected.expected
        if week >= BLOCK_WEEKS:
            enough = planned == 0 or Fraction(done, planned) >= DONE_SHARE
            if enough or week >= MAX_BLOCK_WEEKS:
                block, week, planned, done = block + 1, 0, 0, 0
                step += 1 if enough else 0
        week += 1
        monday += WEEK
    return weeks


def _trains(count: WeekCount | None) -> bool:
    """A training week (S5): one with a session done or open (or not planned yet), or one
    gone by with none planned (the nightly did not run: counted as it always was)."""
    return count is None or count.expected > 0 or count.planned == 0


@dataclass(frozen=True)
class LadderWeek:
    """Where one ladder stands in a week: its block and step, and how many blocks before it
    in a row trained the same step (a block that fell short repeats its step)."""

    block: int
    step: int
    repeat: int = 0


# whether week i's sessions showed a ladder's exercise where it stands (`ladder_steps`)
Shown = Callable[[str, LadderWeek, int], bool]


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


def ladder_steps(weeks: list[WeekInBlock], lags: Mapping[str, int],
                 stopped: Sequence[bool] = (), untrained: Sequence[bool] = (),
                 shown: Shown | None = None) -> dict[str, list[LadderWeek]]:
    """Each ladder's week by week, by its lag (`lags`, by ladder): it follows its track
    (`ladder_weeks`), one step at a time and a block (4 weeks) at least after the week its
    exercise was first shown, the `untrained` weeks not counted (S5 keeps an exercise for 4-6
    weeks of training: a week of mobility work only, a race's window or S6's fallback, trains
    none, so a B marathon's window does not leave pogo hops a single week before box jumps;
    and a step a race or the stagger kept from the sessions a week or two, `shown` false,
    has its block from the week the runner first sees it, not from the week it was reached),
    never in a `stopped` week (around a race) and not in a deload week (RULES.md S5: no new
    ladder step) unless its exercise would otherwise pass 6 weeks (S5: a block never runs
    past 6 weeks with the same exercise, the weeks a race holds not counted; its intro week
    is as light as the deload). Held back, it stays behind its track (after a marathon, a
    step behind) rather than drop an exercise after a week. The ladders keep their stagger
    (at most half a session changes at once, S5): in a week where ladders of several lags
    would change, only those of one lag do: one at 6 weeks first (of two, the one on its
    exercise longer, so the other still steps at 6 weeks a week later), else the one that has
    waited longest (the smallest lag first), so none waits for ever. `shown(ladder, where,
    i)`: whether week i's sessions showed the ladder's exercise where it stands (by default,
    and always in the last week, the one being planned: yes).
    """
    group = {key: _lag(weeks, lag) for key, lag in lags.items()}
    tracks = {g: ladder_weeks(weeks, g) for g in set(group.values())}
    out: dict[str, list[LadderWeek]] = {key: [] for key in lags}
    if not weeks:
        return out
    raced = [i < len(stopped) and stopped[i] for i in range(len(weeks))]
    idle = [i < len(untrained) and untrained[i] for i in range(len(weeks))]
    changed = dict.fromkeys(lags, 0)  # the week of its last change
    began = dict.fromkeys(lags, False)  # its exercise shown since that change
    kept = dict.fromkeys(lags, 0)  # weeks on it since first shown, S5's cap's count
    trained = dict.fromkeys(lags, 0)  # weeks of training on it since first shown
    for i in range(len(weeks)):
        # 6 weeks on it with this one: a deload cannot wait (a later turn could pass 6)
        late = {k for k in lags if kept[k] >= MAX_BLOCK_WEEKS - 1}
        due = [k for k in lags if i and not raced[i]
               and (not weeks[i].deload or k in late) and trained[k] >= BLOCK_WEEKS
               and _behind(out[k][-1], tracks[group[k]][i])]
        # of two at 6 weeks, the one on it longer first: the other's turn comes in time
        first = min(due, key=lambda k: (k not in late, -kept[k] if k in late else 0,
                                        changed[k], group[k], k), default=None)
        for k in lags:
            track = tracks[group[k]]
            if not i:
                out[k].append(track[0])
            elif first is not None and k in due and group[k] == group[first]:
                last = out[k][-1]
                changed[k], began[k], kept[k], trained[k] = i, False, 0, 0
                out[k].append(track[i] if track[i].step <= last.step else replace(
                    track[i], step=last.step + 1, repeat=0))
            else:
                out[k].append(out[k][-1])
            began[k] = began[k] or i == len(weeks) - 1 or shown is None or shown(k, out[k][-1], i)
            kept[k] += began[k] and not raced[i]
            trained[k] += began[k] and not idle[i]
    return out


def _behind(at: LadderWeek, track: LadderWeek) -> bool:
    """Whether the ladder's track has moved on from where it stands (a step, or the same
    step again as a variation after a block that fell short)."""
    return (at.step, at.repeat) != (track.step, track.repeat)


def decision(weeks: list[WeekInBlock], index: int, counts: Mapping[date, WeekCount],
             was: WeekInBlock, rested: Mapping[date, str]) -> str:
    """Why week `index` stands elsewhere in the blocks than `was` (where it was planned
    before), in words with the numbers: the 2/3 rule's count behind an extended block, a
    step repeated or a step up, or its deload moved (RULES.md S5). `rested`: `timeline`'s,
    each with the name of its race."""
    where = weeks[index]
    words = []
    if (where.block, where.week, where.step) != (was.block, was.week, was.step):
        words.append(_block_words(weeks, index, counts))
    if where.deload != was.deload:
        words.append(_deload_words(weeks, index, counts, rested))
    return "; ".join(words)


def _block_words(weeks: list[WeekInBlock], index: int, counts: Mapping[date, WeekCount]) -> str:
    where = weeks[index]
    block = [w for w in weeks[:index] if w.block == where.block]
    before = [w for w in weeks[:index] if w.block == where.block - 1]
    if where.week > BLOCK_WEEKS:
        return (f"block {where.block} runs a week {where.week} on the same exercises: "
                f"{_tally(block, counts)}, short of 2/3 (S5; at most {MAX_BLOCK_WEEKS} weeks)")
    if not before:
        return f"block {where.block} week {where.week}, step {where.step + 1} (S5)"
    # where the block began: how the one before it ends (ended, its weeks all gone by)
    tense = "ended" if all(_ended(counts.get(w.monday)) for w in before) else "ends"
    ended = f"block {where.block - 1} {tense} after {len(before)} weeks with " \
        f"{_tally(before, counts)}"
    this = f" (this is its week {where.week})" if where.week > 1 else ""
    if before[-1].step == where.step:
        return (f"{ended}, short of 2/3: block {where.block} trains step {where.step + 1} again, "
                f"as its variation{this} (S5)")
    return f"{ended}: block {where.block} steps up to step {where.step + 1}{this} (S5)"


def _ended(count: WeekCount | None) -> bool:
    return count is not None and count.ended


def _tally(weeks: Sequence[WeekInBlock], counts: Mapping[date, WeekCount]) -> str:
    """The done and planned sessions of the weeks planned, and the open ones and the weeks
    not planned yet (counted as done)."""
    known = [c for w in weeks if (c := counts.get(w.monday)) is not None]
    still, left = sum(c.open for c in known), len(weeks) - len(known)
    to_come = [f"{n} {what}{'s' if n > 1 else ''} {when}" for n, what, when in (
        (still, "session", "not done or skipped yet"), (left, "week", "to come")) if n]
    return (f"{sum(c.done for c in known)} of {sum(c.planned for c in known)} sessions done"
            + (f" and {' and '.join(to_come)}, counted as done" if to_come else ""))


def _deload_words(weeks: list[WeekInBlock], index: int, counts: Mapping[date, WeekCount],
                  rested: Mapping[date, str]) -> str:
    """Why a week is a deload now, or no longer one, as `timeline` counts: a race's rested
    week after it (that week is the deload), else the training weeks counted to it."""
    where = weeks[index]
    after = rested.get(where.monday + WEEK)
    why = (f"the week after counts as one: {_rest_words(after)}" if after and not where.deload
           else _count_words(weeks, index, counts, rested))
    return (f"block {where.block} week {where.week} is "
            f"{'now' if where.deload else 'no longer'} a deload: every {DELOAD_EVERY}th "
            f"training week is one (S5), {why}")


def _count_words(weeks: list[WeekInBlock], index: int, counts: Mapping[date, WeekCount],
                 rested: Mapping[date, str]) -> str:
    """The training weeks counted to week `index`: from the last deload or race's rested
    week (the count starts again after it), the weeks without a session done not counted."""
    since = next((i for i in range(index - 1, -1, -1)
                  if weeks[i].deload or weeks[i].monday in rested), None)
    start = 0 if since is None else since + 1
    missed = [w.monday for w in weeks[start:index] if not _trains(counts.get(w.monday))]
    parts = []
    if since is not None and (race := rested.get(weeks[since].monday)):
        parts.append(f"counted from the week of {weeks[since].monday:%a %d %b}, which counts "
                     f"as one: {_rest_words(race)}")
    if missed:
        parts.append(f"the week{'s' if len(missed) > 1 else ''} of "
                     f"{days_in_words(missed)}, without a session done, "
                     f"{'were' if len(missed) > 1 else 'was'} no training week")
    return "; ".join(parts) or (f"it is training week {index + 1 - start - len(missed)} since "
                                f"{'the start' if since is None else 'the last deload'}")


def _rest_words(race: str) -> str:
    return f"the taper or post-race window of the {race}"
