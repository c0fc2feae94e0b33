"""Profile values read from the athlete's own history, for `init` to offer (each with where it
came from, in words and numbers). Pure: the facts and the day are given.

- max HR: the highest heart rate recorded in an activity over the last year (readings past
  230 bpm are sensor glitches and are ignored);
- resting HR: the median of Garmin's daily resting HR over the last 30 days;
- the weekly run template as the runner actually runs it: over the last 8 weeks, the weekday
  of their long runs, the weekdays of their speed and threshold sessions, and the other
  weekdays they ran on in at least half of those weeks as easy days.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from domain.profile import WEEKDAYS

MAX_HR_DAYS = 365
REST_HR_DAYS = 30
TEMPLATE_WEEKS = 8
PLAUSIBLE_MAX_HR = (120, 230)
MIN_WEEKS_FOR_A_HABIT = 2  # a long or speed weekday must come back at least this often
TEMPLATE_KIND = {"long": "long", "speed": "speed", "threshold": "threshold",
                 "easy": "easy", "recovery": "easy"}  # races are one-offs, not a habit


@dataclass(frozen=True)
class Offer:
    field: str  # the profile field: max_hr, rest_hr or runs
    value: int | str
    source: str  # where it came from, in plain words with numbers


@dataclass(frozen=True)
class Peak:
    day: date
    bpm: float
    what: str  # the activity's name or sport


def offers(today: date, peaks: Iterable[Peak], resting: Iterable[tuple[date, int]],
           runs: Iterable[tuple[date, str]]) -> list[Offer]:
    """What the history says for max HR, resting HR and the run template (missing facts give
    no offer)."""
    found = [max_hr_offer(today, peaks), rest_hr_offer(today, resting),
             template_offer(today, runs)]
    return [o for o in found if o is not None]


def max_hr_offer(today: date, peaks: Iterable[Peak]) -> Offer | None:
    low, high = PLAUSIBLE_MAX_HR
    since = today - timedelta(days=MAX_HR_DAYS)
    kept = [p for p in peaks if since < p.day <= today and low <= p.bpm <= high]
    if not kept:
        return None
    top = max(kept, key=lambda p: (p.bpm, p.day))
    return Offer("max_hr", round(top.bpm), f"the highest heart rate recorded in the last year: "
                 f"{top.bpm:.0f} bpm on {top.day:%d %b %Y} ({top.what})")


def rest_hr_offer(today: date, resting: Iterable[tuple[date, int]]) -> Offer | None:
    since = today - timedelta(days=REST_HR_DAYS)
    values = [bpm for day, bpm in resting if since < day <= today and bpm]
    if not values:
        return None
    value = round(median(values))
    return Offer("rest_hr", value, f"Garmin's resting heart rate, median of {len(values)} "
                 f"day(s) in the last {REST_HR_DAYS}: {value} bpm "
                 f"(range {min(values)}-{max(values)})")


def template_offer(today: date, runs: Iterable[tuple[date, str]]) -> Offer | None:
    """The weekly template the runner actually runs, from the classified runs of the last 8
    weeks (weeks counted back from today)."""
    since = today - timedelta(weeks=TEMPLATE_WEEKS)
    seen: dict[str, set[tuple[str, int]]] = {d: set() for d in WEEKDAYS}  # (kind, week)
    for day, kind in runs:
        if since < day <= today and kind in TEMPLATE_KIND:
            seen[WEEKDAYS[day.weekday()]].add((TEMPLATE_KIND[kind], (today - day).days // 7))
    habits = {d: _habit(d, seen) for d in WEEKDAYS}
    template = {d: h for d, h in habits.items() if h is not None}
    if not template:
        return None
    text = ",".join(f"{d}={k}" for d, (k, _) in template.items())
    why = "; ".join(f"{k} on {d} in {n} of {TEMPLATE_WEEKS} weeks"
                    for d, (k, n) in template.items())
    return Offer("runs", text, f"your classified runs of the last {TEMPLATE_WEEKS} weeks: {why}")


def _habit(weekday: str, seen: dict[str, set[tuple[str, int]]]) -> tuple[str, int] | None:
    """The weekday's kind and in how many weeks it was run: the long-run day (the weekday
    with the most long runs), else speed or threshold when they come back, else easy when
    the runner runs that day in at least half the weeks."""
    weeks = Counter(kind for kind, _ in seen[weekday])
    longest = max(WEEKDAYS, key=lambda d: (sum(k == "long" for k, _ in seen[d]),
                                           -WEEKDAYS.index(d)))
    if weekday == longest and weeks["long"] >= MIN_WEEKS_FOR_A_HABIT:
        return "long", weeks["long"]
    hard = max(("speed", "threshold"), key=lambda k: weeks[k])
    if weeks[hard] >= MIN_WEEKS_FOR_A_HABIT:
        return hard, weeks[hard]
    ran = len({week for _, week in seen[weekday]})
    return ("easy", ran) if ran >= TEMPLATE_WEEKS / 2 else None
