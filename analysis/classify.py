"""Classify a run: its traits (race, speed, threshold, long), each with reasons and numbers,
and the one kind it is displayed as (RULES.md "Run classification").

The samples are cleaned first (analysis.cleaning: stops removed, walking marked, speed made
grade-adjusted); speed needs evidence of work and recovery (analysis.speed), never speed
variability alone. A run without HR is classified from GAP, laps and duration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from analysis import CLASSIFIER_VERSION  # the rules' version, apart from them
from analysis.features import MAX_HR_CHECK, MAX_HR_FIX, run_features
from analysis.load import is_strength
from analysis.traits import SPEED_LABELS, THRESHOLD_LABELS, Found, kind_of, traits
from domain.activity import Activity
from domain.pointer import pointed
from domain.profile import Profile
from domain.run import RUN_KINDS, OtherKind, RunKind, Trait

FATIGUE = {**dict.fromkeys(RUN_KINDS, "high"), RunKind.EASY.value: "low",
           RunKind.RECOVERY.value: "minimal", OtherKind.STRENGTH.value: "low",
           OtherKind.OTHER.value: "low"}
LABEL_KIND = {**dict.fromkeys(SPEED_LABELS, "speed"), **dict.fromkeys(THRESHOLD_LABELS,
              "threshold"), "RECOVERY": "recovery", "AEROBIC_BASE": "easy", "BASE": "easy"}

__all__ = ["AWAITED_FILE", "CLASSIFIER_VERSION", "FATIGUE", "RUN_KINDS", "Classification",
           "awaiting_file", "classify", "label_kind", "warnings_in"]


@dataclass(frozen=True)
class Classification:
    kind: str  # a RunKind value; strength or other for non-runs
    fatigue: str  # high, low, minimal
    # the kind's reason first, then every trait's, a warning about the profile, then context
    reasons: tuple[str, ...]
    found: tuple[Found, ...] = ()
    moving_s: float | None = None  # timer time without stops (runs only)
    gap_mps: float | None = None  # mean moving speed (runs only)...
    graded: bool = False  # ...grade-adjusted (GAP): altitude covers enough of the run
    # the average HR judged on (runs only): the watch's, else its samples' (a file whose
    # session leaves it out)
    avg_hr: float | None = None

    @property
    def is_run(self) -> bool:
        return self.kind in RUN_KINDS

    @property
    def warnings(self) -> tuple[str, ...]:
        """The warnings, their fix in the CLI's words (the one front end that classifies)."""
        return warnings_in(self.reasons, on_web=False)

    @property
    def traits(self) -> tuple[str, ...]:
        """The traits' names, each once, in RULES.md order (S6 reads these)."""
        have = {x.trait for x in self.found}
        return tuple(t.value for t in Trait if t in have)

    def trait_reasons(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for x in self.found:
            out.setdefault(x.trait.value, []).append(x.reason)
        return out


def classify(activity: Activity, profile: Profile, history_s: Sequence[float] = (),
             extra: Sequence[Found] = ()) -> Classification:
    """`history_s`: durations (seconds) of the athlete's runs in the 8 weeks before this one;
    `extra`: traits known from outside the file's samples (a multisport race)."""
    if not activity.is_run:
        other = OtherKind.STRENGTH if is_strength(activity) else OtherKind.OTHER
        why = f"{_sport_words(activity)} is not a run: it gets a load but no run class"
        return Classification(other.value, FATIGUE[other.value], (
            why, *(f"{x.trait.value} trait: {x.reason}" for x in extra)), tuple(extra))
    f = run_features(activity, profile)
    found, notes = traits(activity, f, profile, history_s)
    found = (*extra, *found)
    kind, why = kind_of(found, activity, f)
    fatigue = "high" if found else FATIGUE[kind.value]
    others = tuple(f"{x.trait.value} trait: {x.reason}" for x in found if x.reason != why)
    warning = f.max_hr_warning(profile.max_hr)
    return Classification(kind.value, fatigue, (why, *others, *([warning] if warning else []),
                                                *notes, *f.context()), found,
                          moving_s=f.moving_minutes * 60, gap_mps=f.gap_mps,
                          graded=f.clean is not None and f.clean.has_altitude,
                          avg_hr=f.avg_hr if f.hr_available else None)


def warnings_in(reasons: Sequence[str], on_web: bool) -> tuple[str, ...]:
    """The reasons that ask the user to check their profile (a stored run's too), to be
    shown where the class is, with their fix in the front end's words. A reason stored
    before the fix was left to the display ends with the CLI's, after "; " (the fact holds
    none), which is left off: no version to bump, no run to judge again for its words."""
    return tuple(pointed(r.split("; ", 1)[0], MAX_HR_FIX, on_web)
                 for r in reasons if r.startswith(MAX_HR_CHECK))


def _sport_words(activity: Activity) -> str:
    """The activity's FIT sport in words, its sub-sport beside it where that says more:
    "fitness equipment (indoor rowing)", "stand up paddleboarding", "generic activity" (no
    sport named), a number the FIT profile does not name as "sport 200" or "cycling
    (sub-sport 77)" (a bare "(77)" read as a count)."""
    sport, sub = (None if name is None else name.replace("_", " ")
                  for name in (activity.sport, activity.sub_sport))
    sport = f"sport {sport}" if sport is None or sport.isdigit() else (
        "generic activity" if sport == "generic" else sport)
    if sub in (None, "generic", "all", sport):
        return sport
    return f"{sport} (sub-sport {sub})" if sub.isdigit() else f"{sport} ({sub})"


AWAITED_FILE = ("from Garmin's summary while its file is awaited (duration, distance and "
                "average HR only, no laps or samples): judged again when the file arrives")


def awaiting_file(c: Classification) -> Classification:
    """The classification of an activity stored from Garmin's summary until its file comes
    (ingest.sync), saying so."""
    return replace(c, reasons=(*c.reasons, AWAITED_FILE))


def label_kind(label: str | None) -> str | None:
    """The run class Garmin's label points to, for agreement reports."""
    return LABEL_KIND.get(label.upper()) if label else None
