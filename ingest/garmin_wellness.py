"""Garmin Connect wellness bodies → DailyWellness: one small pure function per endpoint.

Every function takes the day and the body exactly as garminconnect returned it, and tolerates
what Garmin sends when it has nothing: None, {} (HRV's 204), [], missing keys and nulls. A
record naming another day (its calendarDate) is not the day's: it gives nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from domain.wellness import DailyWellness, readiness_level_of

Body = Any  # parsed JSON


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _records(body: Body) -> list[dict[str, Any]]:
    """The objects of a body Garmin sends as a list of them or as one."""
    return [r for r in (body if isinstance(body, list) else [body]) if isinstance(r, dict)]


def _named_day(record: dict[str, Any]) -> str | None:
    """The day a record says it is for: calendarDate (body battery's reports: date)."""
    named = record.get("calendarDate") or record.get("date")
    return str(named)[:10] if named else None


def _for(day: date, record: dict[str, Any]) -> bool:
    """Whether a record is the day's (or names no day)."""
    return _named_day(record) in (None, day.isoformat())


def _on(day: date, record: dict[str, Any]) -> dict[str, Any]:
    """The record if it is the day's (or names no day), else nothing."""
    return record if _for(day, record) else {}


def _num(value: Any) -> float | None:
    """A number from untrusted JSON: finite and of a sane size (it lands in an integer
    column: a day has 86,400 seconds), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and abs(number) < 1e7 else None


def _int(value: Any) -> int | None:
    number = _num(value)
    return round(number) if number is not None else None


def _reading(value: Any) -> float | None:
    """A heart reading (HRV in ms, resting HR in bpm): 0 or less is no reading (a "not
    measured" marker), which must neither be stored as one nor hide another part's value."""
    number = _num(value)
    return number if number is not None and number > 0 else None


def _bpm(value: Any) -> int | None:
    """A heart rate in whole beats, rounded before the check: 0.4 is no reading either."""
    number = _reading(_int(value))
    return int(number) if number is not None else None


def _level(value: Any) -> int | None:
    """Garmin writes -1/-2 for "not measured" in stress and similar 0-100 scales."""
    number = _int(value)
    return number if number is not None and number >= 0 else None


def _text(value: Any) -> str | None:
    return value[:20] if isinstance(value, str) and value else None


def _hrv_summary(body: Body) -> dict[str, Any]:
    """The record of get_hrv_data that names its day (and holds its values)."""
    return _dict(_dict(body).get("hrvSummary"))


def _sleep_dto(body: Body) -> dict[str, Any]:
    """The record of get_sleep_data that names its day (and holds the sleep values)."""
    return _dict(_dict(body).get("dailySleepDTO"))


def hrv(day: date, body: Body) -> DailyWellness:
    """get_hrv_data: hrvSummary holds last night's average, the week's and the baseline band."""
    summary = _on(day, _hrv_summary(body))
    baseline = _dict(summary.get("baseline"))
    return DailyWellness(day=day, hrv_last_night=_reading(summary.get("lastNightAvg")),
                         hrv_weekly_avg=_reading(summary.get("weeklyAvg")),
                         hrv_baseline_low=_reading(baseline.get("balancedLow")),
                         hrv_baseline_high=_reading(baseline.get("balancedUpper")),
                         hrv_status=_text(summary.get("status")))


def sleep(day: date, body: Body) -> DailyWellness:
    """get_sleep_data: dailySleepDTO's overall score and sleep time; the resting HR beside it."""
    data = _dict(body)
    dto = _sleep_dto(body)
    if not _for(day, dto):  # the resting HR beside it is that day's too
        return DailyWellness(day=day)
    overall = _dict(_dict(dto.get("sleepScores")).get("overall"))
    return DailyWellness(day=day, sleep_score=_int(overall.get("value")),
                         sleep_seconds=_int(dto.get("sleepTimeSeconds")),
                         resting_hr=_bpm(data.get("restingHeartRate")))


MORNING = "AFTER_WAKEUP_RESET"


def readiness(day: date, body: Body) -> DailyWellness:
    """get_training_readiness: a list of the day's readings. The morning one (inputContext
    AFTER_WAKEUP_RESET, in any case) is what the athlete woke up to; of several, the latest
    (the first of Garmin's newest-first list). Without one, the earliest reading. Chosen by
    timestamp, not list order: the same day listed in another order decides the same. A
    reading without a timestamp is neither latest nor earliest: taken only when none has one
    (then the first listed). A reading with a score but no level gets the level of Garmin's
    bands for the score (domain.wellness.readiness_level_of): the rules judge the level,
    which is no more missing than the score beside it."""
    readings = [r for r in _records(body) if _for(day, r)]
    morning = [r for r in readings if str(r.get("inputContext")).upper() == MORNING]
    candidates = morning or readings
    timed = sorted((r for r in candidates if r.get("timestamp")),
                   key=lambda r: str(r["timestamp"]))
    chosen = ((timed[-1] if morning else timed[0]) if timed
              else candidates[0] if candidates else {})
    score = _int(chosen.get("score"))
    return DailyWellness(day=day, readiness_score=score,
                         readiness_level=_text(chosen.get("level")) or readiness_level_of(score))


def _battery_levels(report: dict[str, Any]) -> list[int]:
    """Levels from bodyBatteryValuesArray, whose column the descriptor list names."""
    descriptors = _list(report.get("bodyBatteryValueDescriptorDTOList")
                        or report.get("bodyBatteryValueDescriptorsDTOList"))
    column = next((d.get("bodyBatteryValueDescriptorIndex") for d in descriptors
                   if isinstance(d, dict)
                   and d.get("bodyBatteryValueDescriptorKey") == "bodyBatteryLevel"), None)
    levels = []
    for row in _list(report.get("bodyBatteryValuesArray")):
        if not isinstance(row, list) or len(row) < 2:
            continue
        index = column if isinstance(column, int) else (2 if isinstance(row[1], str) else 1)
        level = _level(row[index]) if index < len(row) else None
        if level is not None:
            levels.append(level)
    return levels


def body_battery(day: date, body: Body) -> DailyWellness:
    """get_body_battery: one report per day with `charged` and the day's level samples."""
    reports = [r for r in _records(body) if _for(day, r)]
    report = reports[0] if reports else {}
    levels = _battery_levels(report)
    return DailyWellness(day=day, body_battery_high=max(levels) if levels else None,
                         body_battery_low=min(levels) if levels else None,
                         body_battery_charged=_level(report.get("charged")))


def summary(day: date, body: Body) -> DailyWellness:
    """get_user_summary: resting HR, average stress and the body battery extremes."""
    data = _on(day, _dict(body))
    return DailyWellness(day=day, resting_hr=_bpm(data.get("restingHeartRate")),
                         avg_stress=_level(data.get("averageStressLevel")),
                         body_battery_high=_level(data.get("bodyBatteryHighestValue")),
                         body_battery_low=_level(data.get("bodyBatteryLowestValue")),
                         body_battery_charged=_level(data.get("bodyBatteryChargedValue")))


# Codes seen in recorded bodies next to their phrases; the phrase wins when it is there.
TRAINING_STATUS_CODES = {1: "DETRAINING", 4: "MAINTAINING", 5: "RECOVERY", 7: "PRODUCTIVE"}
_PHRASE_SUFFIX = re.compile(r"_\d+$")


def _unwrap(value: Any) -> dict[str, Any]:
    """The mobile gateway wraps each part as {requestUrl, statusCode, payload}."""
    value = _dict(value)
    return _dict(value["payload"]) if "payload" in value else value


def _status_entries(body: Body) -> list[dict[str, Any]]:
    """Per-device status records of the aggregated (latest) and the weekly/monthly shapes."""
    data = _dict(body)
    entries: list[Any] = []
    latest = _unwrap(data.get("mostRecentTrainingStatus"))
    entries += list(_dict(latest.get("latestTrainingStatusData")).values())
    for key in ("weeklyTrainingStatus", "monthlyTrainingStatus"):
        for rows in _dict(_unwrap(data.get(key)).get("reportData")).values():
            entries += rows if isinstance(rows, list) else []
    return [e for e in entries if isinstance(e, dict)]


def training_status(day: date, body: Body) -> DailyWellness:
    """get_training_status: the primary device's status on or before the day, as a word."""
    entries = [e for e in _status_entries(body)
               if str(e.get("calendarDate") or day.isoformat()) <= day.isoformat()]
    if not entries:
        return DailyWellness(day=day)
    entry = max(entries, key=lambda e: (str(e.get("calendarDate") or ""),
                                        e.get("primaryTrainingDevice") == e.get("deviceId")))
    phrase = _text(entry.get("trainingStatusFeedbackPhrase"))
    code = entry.get("trainingStatus")
    status = (_PHRASE_SUFFIX.sub("", phrase) if phrase
              else TRAINING_STATUS_CODES.get(code) if isinstance(code, int) else None)
    return DailyWellness(day=day, training_status=status)


Normaliser = Callable[[date, Body], DailyWellness]

# Journal part names, in priority order: an earlier part's value wins over a later one's.
PARTS: dict[str, Normaliser] = {
    "hrv": hrv, "readiness": readiness, "summary": summary, "sleep": sleep,
    "body_battery": body_battery, "training_status": training_status,
}


# The records of each part that name their day (training status is, by design, the latest on
# or before the day: it names earlier days).
DATED: dict[str, Callable[[Body], list[dict[str, Any]]]] = {
    "hrv": lambda body: [_hrv_summary(body)],
    "sleep": lambda body: [_sleep_dto(body)],
    "readiness": _records, "body_battery": _records, "summary": lambda body: [_dict(body)],
}


def other_days(part: str, day: date, body: Body) -> list[str]:
    """The days a part's body is for when none of its records is the day's: Garmin answered
    with another day's data (empty when a record is the day's or names no day)."""
    named = {_named_day(r) for r in DATED.get(part, lambda _body: [])(body)}
    if not named or None in named or day.isoformat() in named:
        return []
    return sorted(str(n) for n in named)


def measured(on: date, bodies: dict[str, Body]) -> bool:
    """Whether the day's bodies hold a value the watch measured: a day it has not synced
    yet still has records of nulls, and the training status of an earlier day."""
    got = day(on, bodies)
    return any(getattr(got, name) is not None for name in DailyWellness.measured_names())


def has_data(body: Body) -> bool:
    """False for what Garmin sends on a day without data: null, {} (a 204) or []."""
    return body not in (None, {}, [], "")


def day(on: date, bodies: dict[str, Body]) -> DailyWellness:
    """One DailyWellness from the day's bodies, keyed by part name (unknown parts ignored)."""
    merged = DailyWellness(day=on)
    for part, normalise in PARTS.items():
        if part in bodies:
            merged = merged.merged(normalise(on, bodies[part]))
    return merged
