"""One day of recovery data (Garmin's morning numbers), every field optional."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

# Values Garmin gives in one record (a night's HRV summary, a sleep, a readiness reading): a
# later fetch giving any of them gives the record, never mixed with an earlier fetch's.
RECORDS = (("hrv_last_night", "hrv_weekly_avg", "hrv_baseline_low", "hrv_baseline_high",
            "hrv_status"), ("sleep_score", "sleep_seconds"), ("readiness_score", "readiness_level"))
# Garmin's training readiness levels by score (1-100), each from its lowest score (Garmin's
# published bands; every reading recorded in ../shared/fixtures agrees: 32 and 49 LOW, 50
# MODERATE, 75 and 80 HIGH).
READINESS_BANDS = ((95, "PRIME"), (75, "HIGH"), (50, "MODERATE"), (25, "LOW"), (1, "POOR"))
READINESS_MAX = 100
# The words Garmin writes in the text fields recovery reads: a database query hands these
# over as small numbers (db.wellness_days.wellness_columns), any other word as itself.
WORDS = {"hrv_status": ("BALANCED", "UNBALANCED", "LOW", "POOR"),
         "readiness_level": tuple(level for _, level in READINESS_BANDS)}
# How far back a watch's days tell what it measures: a night it measured in these days before
# is one worth waiting for (the sync's late nights, the morning pass's last night).
WATCH_DAYS = 28


def readiness_level_of(score: int | None) -> str | None:
    """The level Garmin gives a training readiness score; None for no score or one outside
    Garmin's 1-100 (a 0 is no reading, not a POOR one)."""
    if score is None or not 1 <= score <= READINESS_MAX:
        return None
    return next(level for lowest, level in READINESS_BANDS if score >= lowest)


@dataclass(frozen=True)
class DailyWellness:
    day: date
    hrv_last_night: float | None = None  # ms, last night's average
    hrv_weekly_avg: float | None = None
    hrv_baseline_low: float | None = None  # Garmin's "balanced" band
    hrv_baseline_high: float | None = None
    hrv_status: str | None = None  # BALANCED, UNBALANCED, LOW, POOR
    sleep_score: int | None = None
    sleep_seconds: int | None = None
    readiness_score: int | None = None
    readiness_level: str | None = None  # POOR, LOW, MODERATE, HIGH, PRIME
    body_battery_high: int | None = None
    body_battery_low: int | None = None
    body_battery_charged: int | None = None
    resting_hr: int | None = None
    avg_stress: int | None = None
    training_status: str | None = None

    def merged(self, other: DailyWellness) -> DailyWellness:
        """This day's values, with the other's filling what this one lacks."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for f in fields(other):
            if values[f.name] is None:
                values[f.name] = getattr(other, f.name)
        return DailyWellness(**values)

    def over(self, stored: DailyWellness) -> DailyWellness:
        """A later fetch of the day over what an earlier one stored: a value it lacks keeps
        the stored one (Garmin answers 204 or an empty body for a part not computed yet, and
        on a hiccup), but a record it gives (RECORDS) is taken whole: a sleep added by hand
        (no score) never keeps the score of the one it replaced, nor a reading another's
        level."""
        given = {name for record in RECORDS if any(getattr(self, n) is not None for n in record)
                 for name in record}
        return replace(self, **{name: getattr(stored, name) for name in self.value_names()
                                if getattr(self, name) is None and name not in given})

    @classmethod
    def value_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if f.name != "day")

    @classmethod
    def measured_names(cls) -> tuple[str, ...]:
        """The values a watch measures on the day: Garmin gives the training status of any
        day, the latest on or before it, with no watch synced."""
        return tuple(name for name in cls.value_names() if name != "training_status")
