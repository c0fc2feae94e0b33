"""Recovery status per day: green, amber or red with reasons (RULES.md S7.3).

Pure (no I/O, no clock). The public face of three modules, one concept each:

- domain/wellness_columns.py: the input, `WellnessColumns` (one array per field used, as
  a database query hands it over), or a list of `DailyWellness` turned into those columns
  first: one way of deciding whatever the input.
- analysis/recovery_rules.py: the rules and thresholds; `recovery_columns` decides every day
  at once, `recovery_frame` is the same as a DataFrame.
- analysis/recovery_text.py: `recovery_statuses` explains the same decisions day by day.
  Missing inputs never block: a missing value triggers no rule and is listed.

The decisions live apart from this module so that the texts can import them while the names
of all three stay importable from here, without an import cycle.
"""

from analysis.recovery_rules import (
    ACWR_MAX,
    FRAME_COLUMNS,
    HRV_BACK_MORNINGS,
    HRV_BAND_SD,
    HRV_BASELINE_DAYS,
    HRV_MIN_NIGHTS,
    HRV_RED_DAYS,
    HRV_SIGNAL_DAYS,
    HRV_SIGNAL_MIN_NIGHTS,
    LEVELS,
    LOAD_HISTORY_DAYS,
    NUMBERS,
    READINESS_LEVELS,
    RED_HRV_STATUSES,
    RHR_DAYS,
    RHR_MIN_DAYS,
    RHR_RAISED_BPM,
    RHR_RISE_BPM,
    RULES,
    SLEEP_MIN,
    TSB_LOW_DAYS,
    TSB_MIN,
    Decided,
    Level,
    decide,
    readiness_known,
    recovery_columns,
    recovery_frame,
)
from analysis.recovery_text import (
    MISSING,
    NO_DATA,
    TEXTS,
    VALUE_KEYS,
    RecoveryStatus,
    Values,
    cold_start,
    explain,
    recovery_statuses,
)
from domain.wellness_columns import Wellness, WellnessColumns

__all__ = [
    "ACWR_MAX", "FRAME_COLUMNS", "HRV_BACK_MORNINGS", "HRV_BAND_SD", "HRV_BASELINE_DAYS",
    "HRV_MIN_NIGHTS", "HRV_RED_DAYS", "HRV_SIGNAL_DAYS", "HRV_SIGNAL_MIN_NIGHTS", "LEVELS",
    "LOAD_HISTORY_DAYS", "MISSING", "NO_DATA", "NUMBERS", "READINESS_LEVELS",
    "RED_HRV_STATUSES", "RHR_DAYS", "RHR_MIN_DAYS", "RHR_RAISED_BPM", "RHR_RISE_BPM", "RULES",
    "SLEEP_MIN", "TEXTS", "TSB_LOW_DAYS", "TSB_MIN", "VALUE_KEYS", "Decided", "Level",
    "RecoveryStatus", "Values", "Wellness", "WellnessColumns", "cold_start", "decide",
    "explain", "readiness_known", "recovery_columns", "recovery_frame", "recovery_statuses",
]
