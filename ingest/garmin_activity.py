"""Garmin Connect activity JSON (the activity list item, exercise sets) -> Activity. Pure."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.activity import Activity, StrengthSet

# Garmin's activityType.typeKey → the FIT (sport, sub_sport) names fit.decode produces.
_SPORTS: dict[str, tuple[str, str | None]] = {
    "trail_running": ("running", "trail"), "treadmill_running": ("running", "treadmill"),
    "track_running": ("running", "track"), "street_running": ("running", "street"),
    "indoor_running": ("running", "indoor_running"), "virtual_run": ("running", "virtual_activity"),
    "strength_training": ("training", "strength_training"),
    "road_biking": ("cycling", "road"), "mountain_biking": ("cycling", "mountain"),
    "indoor_cycling": ("cycling", "indoor_cycling"),
    "virtual_ride": ("cycling", "virtual_activity"),
    "lap_swimming": ("swimming", "lap_swimming"), "open_water_swimming": ("swimming", "open_water"),
}
_VERSION = re.compile(r"_v\d+$")  # stand_up_paddleboarding_v2


MAX_NUMBER = 1e9  # nothing Garmin reports for one activity comes near this
MAX_OFFSET_S = 14 * 3600  # the widest UTC offset of any time zone


def _opt(value: Any) -> float | None:
    """A number from untrusted JSON: finite and of a sane size, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and abs(number) < MAX_NUMBER else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The objects of what should be a list of them (anything else holds none)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: Any, size: int) -> str | None:
    return value[:size] if isinstance(value, str) and value else None


MAX_ID = 2**63 - 1  # a Garmin id is stored in a signed 64-bit column


def garmin_id(value: Any) -> int | None:
    """An activity id from untrusted JSON (a number or its digits): positive and within the
    database's 64-bit column, else None (a larger one failed the night at its insert)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number <= MAX_ID else None


def parent_id(summary: dict[str, Any]) -> int | None:
    """The id of the multisport activity a list item is a leg of, if it names a usable one."""
    return garmin_id(summary.get("parentId"))


def type_key(summary: dict[str, Any]) -> str:
    kind = summary.get("activityType")
    key = kind.get("typeKey") if isinstance(kind, dict) else None
    return _VERSION.sub("", key) if isinstance(key, str) and key else "generic"


RUNNING_TYPE_ID = 1  # Garmin's parentTypeId of every running type (ultra_run, obstacle_run)


def _sport(summary: dict[str, Any]) -> tuple[str, str | None]:
    key = type_key(summary)
    if key in _SPORTS:
        return _SPORTS[key]
    kind = summary.get("activityType")
    parent = kind.get("parentTypeId") if isinstance(kind, dict) else None
    is_run = key.endswith("running") or parent == RUNNING_TYPE_ID
    return ("running", None) if is_run else (key[:40], None)


# A start near datetime's own ends overflowed the day arithmetic of every night after. A
# manual activity may be typed in with any day a person ran (a 1988 race: before the FIT
# epoch), and a journal line synced before this bound must still replay in `db rebuild`:
# from 1900 to the last second a FIT timestamp (uint32 from 1989-12-31) can say.
FIRST_START = datetime(1900, 1, 1, tzinfo=UTC)
LAST_START = datetime(1989, 12, 31, tzinfo=UTC) + timedelta(seconds=2**32 - 1)


def gmt(text: Any) -> datetime:
    """startTimeGMT as a UTC datetime; ValueError when it is none a recording can have."""
    start = datetime.fromisoformat(str(text)).replace(tzinfo=UTC)
    if not FIRST_START <= start <= LAST_START:
        raise ValueError(f"start {start:%Y-%m-%d} out of range")
    return start


def utc_offset(summary: dict[str, Any]) -> int | None:
    """startTimeLocal less startTimeGMT in seconds; None where the local time is missing,
    unreadable or no time zone's (the profile's zone then places the activity)."""
    try:
        local = datetime.fromisoformat(str(summary["startTimeLocal"]))
    except (KeyError, ValueError):
        return None
    offset = round((local.replace(tzinfo=UTC) - gmt(summary["startTimeGMT"])).total_seconds())
    return offset if abs(offset) <= MAX_OFFSET_S else None


def activity_from_summary(summary: dict[str, Any]) -> Activity:
    """What the list item alone says, for activities without a usable FIT file."""
    start = gmt(summary["startTimeGMT"])
    offset = utc_offset(summary)
    sport, sub_sport = _sport(summary)
    return Activity(sport=sport, sub_sport=sub_sport, start=start,
                    duration_s=_opt(summary.get("duration")) or 0.0,
                    elapsed_s=_opt(summary.get("elapsedDuration")),
                    distance_m=_opt(summary.get("distance")),
                    avg_hr=_opt(summary.get("averageHR")), max_hr=_opt(summary.get("maxHR")),
                    utc_offset_s=offset)


def strength_sets(body: Any) -> tuple[StrengthSet, ...]:
    """get_activity_exercise_sets → StrengthSets: the likeliest exercise of each set, the
    weight from grams to kg."""
    rows = _dicts(body.get("exerciseSets") if isinstance(body, dict) else None)
    out = []
    for index, row in enumerate(rows):
        candidates = _dicts(row.get("exercises"))
        best = max(candidates, key=lambda e: _opt(e.get("probability")) or 0.0, default={})
        category = _text(best.get("category"), 60)
        category = category if category != "UNKNOWN" else None
        weight = _opt(row.get("weight"))
        reps = _opt(row.get("repetitionCount"))
        out.append(StrengthSet(
            index=index, set_type=str(row.get("setType") or "active").lower()[:10],
            category=category, exercise_name=_text(best.get("name"), 80),
            reps=round(reps) if reps is not None else None,
            weight_kg=weight / 1000.0 if weight is not None else None,
            duration_s=_opt(row.get("duration"))))
    return tuple(out)


def garmin_activities(summary: dict[str, Any], decoded: list[Activity],
                      sets_body: Any) -> list[Activity]:
    """The FIT sessions (or the summary alone) overlaid with what only Garmin knows. A
    multisport summary describes the whole: its load and training effect fit no single leg."""
    base = decoded or [activity_from_summary(summary)]
    sets = strength_sets(sets_body)
    event = summary.get("eventType")
    overlay: dict[str, Any] = {
        "is_race": isinstance(event, dict) and event.get("typeKey") == "race"}
    if summary.get("activityName"):
        overlay["name"] = str(summary["activityName"])[:200]
    if len(base) == 1:
        pairs = {"te_label": _text(summary.get("trainingEffectLabel"), 40),
                 "training_load": _opt(summary.get("activityTrainingLoad")),
                 "aerobic_te": _opt(summary.get("aerobicTrainingEffect")),
                 "anaerobic_te": _opt(summary.get("anaerobicTrainingEffect"))}
        overlay.update((k, v) for k, v in pairs.items() if v is not None)
    out = []
    for act in base:
        changes = dict(overlay)
        if sets and not act.sets and act.session_index == 0:
            changes["sets"] = sets
        out.append(replace(act, **changes))
    return out
