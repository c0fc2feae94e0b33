"""Classify a run by fatigue (RULES.md "Run classification"): first matching rule wins.

Inputs, best first: structured laps, HR zones, 30-s speed variability, duration against the
athlete's last 8 weeks, Garmin's training-effect label, the race flag. A run without HR is
still classified from pace, laps and duration. Every result says which rule matched and the
numbers behind it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.features import RunFeatures, run_features
from analysis.load import is_strength
from domain.activity import Activity
from domain.profile import Profile

FATIGUE = {"race": "high", "long": "high", "speed": "high", "threshold": "high",
           "easy": "low", "recovery": "minimal", "strength": "low", "other": "low"}
RUN_KINDS = ("race", "speed", "threshold", "long", "recovery", "easy")

# Garmin trainingEffectLabel values (RULES.md), aliases included.
SPEED_LABELS = frozenset({"VO2MAX", "ANAEROBIC_CAPACITY", "SPEED", "SPRINT"})
THRESHOLD_LABELS = frozenset({"TEMPO", "LACTATE_THRESHOLD", "THRESHOLD"})
LABEL_KIND = {**dict.fromkeys(SPEED_LABELS, "speed"), **dict.fromkeys(THRESHOLD_LABELS,
              "threshold"), "RECOVERY": "recovery", "AEROBIC_BASE": "easy", "BASE": "easy"}
RACE_WORDS = re.compile(r"\b(race|parkrun|marathon|half|5k|10k|championships?|xc)\b", re.I)

# RULES.md defaults.
RACE_PEAK_HR = 0.95  # "near-maximal": peak HR at least this share of max HR...
RACE_AVG_HR = 0.85  # ...or average HR at least this share (a marathon rarely peaks higher)
MIN_ALTERNATING_WORK_LAPS = 3
SPEED_CV = 0.15
Z5_MINUTES = 6.0
THRESHOLD_MINUTES = 15.0
LONG_OF_LONGEST = 0.9
LONG_OF_MEDIAN = 1.5
LONG_MIN_MINUTES = 60.0
LONG_ABSOLUTE_MINUTES = 90.0  # with fewer than 4 runs of history
MIN_HISTORY_RUNS = 4
RECOVERY_Z1_SHARE = 0.8
RECOVERY_MAX_MINUTES = 45.0
RECOVERY_MAX_TE = 2.0


@dataclass(frozen=True)
class Classification:
    kind: str  # race, speed, threshold, long, recovery, easy; strength or other for non-runs
    fatigue: str  # high, low, minimal
    reasons: tuple[str, ...]

    @property
    def is_run(self) -> bool:
        return self.kind in RUN_KINDS


def classify(activity: Activity, profile: Profile,
             history_s: Sequence[float] = ()) -> Classification:
    """`history_s`: durations (seconds) of the athlete's runs in the 8 weeks before this one."""
    if not activity.is_run:
        kind = "strength" if is_strength(activity) else "other"
        return Classification(kind, FATIGUE[kind], (f"{activity.sport} is not a run: it gets a "
                                                    "load but no run class",))
    f = run_features(activity, profile)
    for kind, rule in _RULES:
        reason = rule(activity, f, profile, history_s)
        if reason is not None:
            return Classification(kind, FATIGUE[kind], (reason, *f.context()))
    return Classification("easy", FATIGUE["easy"],
                          ("no harder rule matched, so an easy run", *f.context()))


Rule = Callable[[Activity, RunFeatures, Profile, Sequence[float]], str | None]


def _race(a: Activity, f: RunFeatures, p: Profile, _h: Sequence[float]) -> str | None:
    if a.is_race:
        return "Garmin marks it a race"
    if a.name and RACE_WORDS.search(a.name) and f.hr_available:
        peak, avg = f.max_hr / p.max_hr, f.avg_hr / p.max_hr
        if peak >= RACE_PEAK_HR or avg >= RACE_AVG_HR:
            return (f"race word in the name {a.name!r} with near-maximal HR (peak {f.max_hr:.0f}"
                    f" = {peak:.0%}, average {f.avg_hr:.0f} = {avg:.0%} of max {p.max_hr})")
    return None


def _speed(a: Activity, f: RunFeatures, _p: Profile, _h: Sequence[float]) -> str | None:
    if f.intervals is not None and f.intervals.work_laps >= MIN_ALTERNATING_WORK_LAPS:
        return f.intervals.describe()
    if f.speed_cv is not None and f.speed_cv > SPEED_CV:
        return (f"30-s speed varies by {f.speed_cv:.0%} (coefficient of variation > "
                f"{SPEED_CV:.0%})")
    if f.z5_minutes >= Z5_MINUTES:
        return f"{f.z5_minutes:.1f} min in HR zone 5 (>= {Z5_MINUTES:g} min)"
    if a.te_label and a.te_label.upper() in SPEED_LABELS:
        return f"Garmin's training effect label is {a.te_label.upper()}"
    return None


def _threshold(a: Activity, f: RunFeatures, _p: Profile, _h: Sequence[float]) -> str | None:
    if f.z34_longest_minutes >= THRESHOLD_MINUTES:
        return (f"{f.z34_longest_minutes:.0f} min continuous in HR zones 3-4 "
                f"(>= {THRESHOLD_MINUTES:g} min)")
    if a.te_label and a.te_label.upper() in THRESHOLD_LABELS:
        return f"Garmin's training effect label is {a.te_label.upper()}"
    return None


def _long(a: Activity, f: RunFeatures, _p: Profile, history: Sequence[float]) -> str | None:
    minutes = f.minutes
    history = [h for h in history if h > 0]  # a summary without a duration says nothing
    if len(history) < MIN_HISTORY_RUNS:
        if minutes >= LONG_ABSOLUTE_MINUTES:
            return (f"{minutes:.0f} min >= {LONG_ABSOLUTE_MINUTES:g} min (only {len(history)} "
                    "runs of history, so the absolute rule)")
        return None
    if minutes < LONG_MIN_MINUTES:
        return None
    longest, median = max(history) / 60, float(np.median(history)) / 60
    if minutes >= LONG_OF_LONGEST * longest:
        return (f"{minutes:.0f} min is {minutes / longest:.0%} of the longest run of the last "
                f"8 weeks ({longest:.0f} min)")
    if minutes >= LONG_OF_MEDIAN * median:
        return (f"{minutes:.0f} min is {minutes / median:.1f}x the median run of the last "
                f"8 weeks ({median:.0f} min)")
    return None


def _recovery(a: Activity, f: RunFeatures, _p: Profile, _h: Sequence[float]) -> str | None:
    if not f.hr_available or f.z1_share < RECOVERY_Z1_SHARE or f.minutes >= RECOVERY_MAX_MINUTES:
        return None
    if a.aerobic_te is not None and a.aerobic_te >= RECOVERY_MAX_TE:
        return None
    te = "" if a.aerobic_te is None else f", aerobic TE {a.aerobic_te:.1f} < {RECOVERY_MAX_TE:g}"
    return (f"{f.z1_share:.0%} of the time in HR zone 1 over {f.minutes:.0f} min "
            f"(< {RECOVERY_MAX_MINUTES:g} min{te})")


_RULES: tuple[tuple[str, Rule], ...] = (("race", _race), ("speed", _speed),
                                         ("threshold", _threshold), ("long", _long),
                                         ("recovery", _recovery))


def label_kind(label: str | None) -> str | None:
    """The run class Garmin's label points to, for agreement reports."""
    return LABEL_KIND.get(label.upper()) if label else None
