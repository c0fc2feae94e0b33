"""A run's traits (race, speed, threshold, long), each with its reasons and numbers, and the
one kind it is displayed as (RULES.md "Run classification")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.features import RunFeatures
from analysis.shown import shown_against, shown_duration
from analysis.speed import Evidence, repeated_zone5, structure, surges, zone5_bout_count
from analysis.titles import NOT_THE_EVENT
from domain.activity import Activity
from domain.profile import Profile
from domain.run import RunKind, Trait

SPEED_LABELS = frozenset({"VO2MAX", "ANAEROBIC_CAPACITY", "SPEED", "SPRINT"})
THRESHOLD_LABELS = frozenset({"TEMPO", "LACTATE_THRESHOLD", "THRESHOLD"})
RACE_WORDS = re.compile(r"\b(race|parkrun|marathon|half|5k|10k|championships?|xc)\b", re.I)
RACE_PEAK_HR = 0.95  # "near-maximal": peak HR at least this share of max HR...
RACE_AVG_HR = 0.85  # ...or average HR at least this share (a marathon rarely peaks higher)
THRESHOLD_MINUTES = 15.0
THRESHOLD_Z45_MINUTES = 20.0
LONG_OF_LONGEST = 0.9
LONG_OF_MEDIAN = 1.5
LONG_MIN_MINUTES = 60.0
LONG_ABSOLUTE_MINUTES = 90.0  # with fewer than 4 runs of history
MIN_HISTORY_RUNS = 4
RECOVERY_Z1_SHARE = 0.8
RECOVERY_MAX_MINUTES = 45.0
RECOVERY_MAX_TE = 2.0


@dataclass(frozen=True)
class Found:
    trait: Trait
    reason: str
    rule: str = ""  # for speed: "a" structure, "b" surges, "c" zone 5, "d" label


def traits(a: Activity, f: RunFeatures, p: Profile,
           history_s: Sequence[float]) -> tuple[tuple[Found, ...], tuple[str, ...]]:
    """Every trait the run carries, and notes about evidence that was looked at and refused."""
    found: list[Found] = []
    notes: list[str] = []
    if (why := race(a, f, p)) is not None:
        found.append(Found(Trait.RACE, why))
    speed, refused = _speed(a, f)
    notes += refused
    found += speed
    if (why := _threshold(a, f, bool(speed))) is not None:
        found.append(Found(Trait.THRESHOLD, why))
    if (why := long_run(f.moving_minutes, history_s)) is not None:
        found.append(Found(Trait.LONG, why))
    return tuple(found), tuple(notes)


def kind_of(found: Sequence[Found], a: Activity, f: RunFeatures) -> tuple[RunKind, str]:
    """The first of: race; speed from structure (a); long; speed from (b)-(d); threshold;
    recovery; easy."""
    order = ((Trait.RACE, ("",)), (Trait.SPEED, ("a",)), (Trait.LONG, ("",)),
             (Trait.SPEED, ("b", "c", "d")), (Trait.THRESHOLD, ("",)))
    for trait, rules in order:
        for x in found:
            if x.trait == trait and (x.rule in rules or rules == ("",)):
                return RunKind(trait.value), x.reason
    if (why := _recovery(a, f)) is not None:
        return RunKind.RECOVERY, why
    return RunKind.EASY, f"no trait and not a recovery run ({_not_recovery(a, f)}), so an easy run"


def race(a: Activity, f: RunFeatures, p: Profile) -> str | None:
    if a.is_race:
        return "Garmin marks it a race"
    name = a.name or ""
    if not RACE_WORDS.search(NOT_THE_EVENT.sub(" ", name)) or not f.hr_available:
        return None
    peak, avg = f.max_hr / p.max_hr, f.avg_hr / p.max_hr
    if peak >= RACE_PEAK_HR or avg >= RACE_AVG_HR:
        # A peak past the max is no share of it: a wrong max (classify warns when HR held
        # above it) or a strap glitch; the race still stands on the name and the rest.
        top = f"= {peak:.0%}" if peak <= 1 else \
            "above the max in the profile: a wrong max or a strap glitch"
        return (f"race word in the name {name!r} with near-maximal HR (average "
                f"{f.avg_hr:.0f} = {avg:.0%} of max {p.max_hr}, peak {f.max_hr:.0f} {top})")
    return None


def _speed(a: Activity, f: RunFeatures) -> tuple[list[Found], list[str]]:
    c = f.clean
    starts = [(lap.start - a.start).total_seconds() for lap in a.laps]
    evidence, notes = structure(a.laps, c, starts, f.zones if f.hr_available else None)
    more: list[Evidence | None] = [evidence]
    if c is not None:
        more.append(surges(c, f.zones if c.hr is not None else None))
        more.append(repeated_zone5(c, f.zones, f.z5_minutes))
    out = [Found(Trait.SPEED, e.reason, e.rule) for e in more if e is not None]
    label = (a.te_label or "").upper()
    if label in SPEED_LABELS:
        out.append(Found(Trait.SPEED, f"speed (d): Garmin's training effect label is {label}",
                         "d"))
    return out, notes


def _threshold(a: Activity, f: RunFeatures, speed: bool) -> str | None:
    if f.z34_longest_minutes >= THRESHOLD_MINUTES:
        return (f"{f.z34_longest_minutes:.0f} min continuous in HR zones 3-4 "
                f"(>= {THRESHOLD_MINUTES:g} min)")
    c = f.clean
    bouts = zone5_bout_count(c, f.zones) if c is not None else 0
    if not speed and bouts < 3:
        if f.z45_longest_minutes >= THRESHOLD_Z45_MINUTES:
            return (f"{f.z45_longest_minutes:.0f} min continuous in HR zones 4-5 without "
                    f"repeated bouts (>= {THRESHOLD_Z45_MINUTES:g} min)")
        # A tempo drifting up into zone 5 falls between the two rules above (under 15 min in
        # zones 3-4 before it reaches 5, under 20 in 4-5): harder work does not make it easy.
        if f.z35_longest_minutes >= THRESHOLD_Z45_MINUTES:
            return (f"{f.z35_longest_minutes:.0f} min continuous in HR zones 3-5 without "
                    f"repeated bouts (>= {THRESHOLD_Z45_MINUTES:g} min): a tempo drifting into "
                    f"zone 5")
    label = (a.te_label or "").upper()
    if label in THRESHOLD_LABELS:
        return f"Garmin's training effect label is {label}"
    return None


def long_run(minutes: float, history_s: Sequence[float]) -> str | None:
    """Long on moving time against the last 8 weeks (`history_s`: their durations)."""
    history = [h for h in history_s if h > 0]  # a summary without a duration says nothing
    if len(history) < MIN_HISTORY_RUNS:
        if minutes >= LONG_ABSOLUTE_MINUTES:
            # "known": a file classified alone (`classify run.fit`) is given no history
            runs = "no runs" if not history else \
                f"only {len(history)} run{'s' * (len(history) > 1)}"
            return (f"{minutes:.0f} min moving >= {LONG_ABSOLUTE_MINUTES:g} min ({runs} known "
                    f"from the 8 weeks before, fewer than {MIN_HISTORY_RUNS} to compare with, "
                    "so the absolute rule)")
        return None
    if minutes < LONG_MIN_MINUTES:
        return None
    longest, median = max(history) / 60, float(np.median(history)) / 60
    if minutes >= LONG_OF_LONGEST * longest:
        return (f"{minutes:.0f} min moving is {minutes / longest:.0%} of the longest run of "
                f"the last 8 weeks ({longest:.0f} min)")
    if minutes >= LONG_OF_MEDIAN * median:
        return (f"{minutes:.0f} min moving is {minutes / median:.1f}x the median run of the "
                f"last 8 weeks ({median:.0f} min)")
    return None


def _zone1(f: RunFeatures) -> str:
    """The run's share in zone 1 on its side of the recovery rule's, of the moving time with
    HR: how much that is said where it is not all of it."""
    share = shown_against(100 * f.z1_share, 0, 100 * RECOVERY_Z1_SHARE)
    with_hr = f.moving_part(sum(f.zone_minutes) * 60, RECOVERY_MAX_MINUTES)
    time = "time" if with_hr is None else f"{with_hr} with HR"
    return f"{share}% of the {time} in HR zone 1"


def _not_recovery(a: Activity, f: RunFeatures) -> str:
    """Every recovery condition the run misses, with its number on its side of the limit."""
    missed = []
    if not f.hr_available:
        missed.append("no HR to tell its zones")
    elif not sum(f.zone_minutes):  # beside the context's "average HR 145 bpm"
        missed.append("no HR while moving to tell its zones" if f.clean is not None and
                      f.clean.hr is not None else "the watch's average HR alone, no HR "
                      "samples to tell its zones")
    elif f.z1_share < RECOVERY_Z1_SHARE:
        missed.append(f"{_zone1(f)}, not >= {RECOVERY_Z1_SHARE:.0%}")
    if f.moving_minutes >= RECOVERY_MAX_MINUTES:
        missed.append(f"{shown_duration(f.moving_minutes, RECOVERY_MAX_MINUTES)} moving, not "
                      f"< {RECOVERY_MAX_MINUTES:g} min")
    if a.aerobic_te is not None and a.aerobic_te >= RECOVERY_MAX_TE:
        missed.append(f"aerobic TE {shown_against(a.aerobic_te, 1, RECOVERY_MAX_TE)}, not "
                      f"< {RECOVERY_MAX_TE:g}")
    return "; ".join(missed)


def _recovery(a: Activity, f: RunFeatures) -> str | None:
    if not f.hr_available or f.z1_share < RECOVERY_Z1_SHARE or \
            f.moving_minutes >= RECOVERY_MAX_MINUTES:
        return None
    if a.aerobic_te is not None and a.aerobic_te >= RECOVERY_MAX_TE:
        return None
    # each number on its side of its limit: 44.6 min read "45 min moving (< 45 min)"
    te = "" if a.aerobic_te is None else \
        f", aerobic TE {shown_against(a.aerobic_te, 1, RECOVERY_MAX_TE)} < {RECOVERY_MAX_TE:g}"
    return (f"{_zone1(f)} over "
            f"{shown_duration(f.moving_minutes, RECOVERY_MAX_MINUTES)} moving "
            f"(< {RECOVERY_MAX_MINUTES:g} min{te})")
