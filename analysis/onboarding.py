"""Profile values read from the athlete's own history, for `init` to offer (each with where it
came from, in words and numbers). Pure: the facts and the day are given.

- max HR: the highest heart rate recorded in an activity over the last year (readings past
  230 bpm are sensor glitches and are ignored);
- resting HR: the median of Garmin's daily resting HR over the last 30 days;
- threshold HR: the lactate threshold HR the watch held, as its newest run file of the last
  year records it; else an estimate from the hardest sustained effort of the last year (the
  highest mean HR over 20 minutes of a race or threshold run of 30 minutes or more: Friel's
  field test, whose 20 minutes of a 30-minute all-out run average about the threshold HR);
  else none, and zones stay estimated from max and resting HR;
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

import numpy as np

from analysis.cleaning import heart_rate
from analysis.samples import sample_durations
from domain.profile import WEEKDAYS

MAX_HR_DAYS = 365
REST_HR_DAYS = 30
THRESHOLD_DAYS = 365
EFFORT_S = 20 * 60  # Friel's field test: the mean HR of 20 min run all out ~ threshold HR
MIN_EFFORT_RUN_S = 30 * 60  # a run shorter than the test holds no 20-min all-out stretch
HARD_TRAITS = ("race", "threshold")  # the runs whose hardest 20 min can stand for the test
MIN_HR_COVERAGE = 0.9  # of the 20 min with heart rate samples (a strap dropout is no effort)
PLAUSIBLE_THRESHOLD_HR = (110, 215)
NO_THRESHOLD = ("not in your history (no watch setting in your run files, no race or threshold "
                "run of 30 min or more in the last year): left unset, zones are estimated from "
                "your max and resting heart rates")
TEMPLATE_WEEKS = 8
RECORDED_PEAK_ACCEPTED = (120, 230)  # a recorded peak HR init may offer as the max
MIN_WEEKS_FOR_A_HABIT = 2  # a long or speed weekday must come back at least this often
TEMPLATE_KIND = {"long": "long", "speed": "speed", "threshold": "threshold",
                 "easy": "easy", "recovery": "easy"}  # races are one-offs, not a habit


@dataclass(frozen=True)
class Offer:
    field: str  # the profile field: max_hr, rest_hr, threshold_hr or runs
    value: int | str
    source: str  # where it came from, in plain words with numbers


@dataclass(frozen=True)
class Peak:
    """A heart rate an activity recorded: its peak, the watch's threshold setting in its file,
    or the mean of its hardest 20 minutes."""

    day: date
    bpm: float
    what: str  # the activity's name or sport


def offers(today: date, peaks: Iterable[Peak], resting: Iterable[tuple[date, int]],
           runs: Iterable[tuple[date, str]], settings: Iterable[Peak] = (),
           efforts: Iterable[Peak] = ()) -> list[Offer]:
    """What the history says for max HR, resting HR, threshold HR and the run template
    (missing facts give no offer; a threshold HR at or above the max HR found is no offer)."""
    top = max_hr_offer(today, peaks)
    threshold = threshold_hr_offer(today, settings, efforts)
    if top is not None and threshold is not None and int(threshold.value) >= int(top.value):
        threshold = None
    found = [top, rest_hr_offer(today, resting), threshold, template_offer(today, runs)]
    return [o for o in found if o is not None]


def max_hr_offer(today: date, peaks: Iterable[Peak]) -> Offer | None:
    low, high = RECORDED_PEAK_ACCEPTED
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


def threshold_hr_offer(today: date, settings: Iterable[Peak],
                       efforts: Iterable[Peak]) -> Offer | None:
    """The watch's newest threshold setting of the last year, else the hardest 20-minute
    effort of the last year (`efforts`: the mean HR of each hard run's hardest 20 min)."""
    low, high = PLAUSIBLE_THRESHOLD_HR
    since = today - timedelta(days=THRESHOLD_DAYS)
    set_ = [p for p in settings if since < p.day <= today and low <= p.bpm <= high]
    if set_:
        newest = max(set_, key=lambda p: p.day)
        return Offer("threshold_hr", round(newest.bpm), f"your watch's lactate threshold "
                     f"setting, {newest.bpm:.0f} bpm, in the file of your run of "
                     f"{newest.day:%d %b %Y} ({newest.what})")
    hard = [p for p in efforts if since < p.day <= today and low <= p.bpm <= high]
    if not hard:
        return None
    top = max(hard, key=lambda p: (p.bpm, p.day))
    return Offer("threshold_hr", round(top.bpm), f"your hardest sustained effort of the last "
                 f"year: {top.bpm:.0f} bpm on average over the hardest 20 min of your run of "
                 f"{top.day:%d %b %Y} ({top.what}); Friel's field test takes the mean heart "
                 "rate of 20 min run all out as the lactate threshold HR")


def hardest_mean_hr(t: np.ndarray, hr: np.ndarray, seconds: float = EFFORT_S) -> float | None:
    """The highest mean heart rate over any `seconds` of the run (each sample weighted by the
    time it holds: smart recording writes unevenly), None when the run is shorter or no
    stretch has heart rate for most of it (0 bpm no reading: cleaning.heart_rate)."""
    readings = heart_rate(hr)
    if len(t) < 2 or readings is None:
        return None
    dt = sample_durations(t).held
    valid = np.isfinite(readings[:-1])
    clock = np.concatenate(([0.0], np.cumsum(dt)))
    if clock[-1] < seconds:
        return None
    beats = np.concatenate(([0.0], np.cumsum(np.where(valid, readings[:-1] * dt, 0.0))))
    timed = np.concatenate(([0.0], np.cumsum(np.where(valid, dt, 0.0))))
    ends = np.arange(len(clock))
    starts = np.searchsorted(clock, clock - seconds, side="right") - 1  # the latest start
    full = starts >= 0  # a whole window ends here
    starts, ends = starts[full], ends[full]
    covered = timed[ends] - timed[starts]
    enough = covered >= MIN_HR_COVERAGE * seconds
    if not enough.any():
        return None
    means = (beats[ends] - beats[starts])[enough] / covered[enough]
    return float(means.max())


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
