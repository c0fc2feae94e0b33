"""The one normaliser behind both FIT decoders: `RawFit` (what a backend read) -> Activities.

One Activity per session; laps and records belong to the session whose time window holds
them; lap intensity comes from the workout step a lap points at, else the lap's own field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from garmin_fit_sdk import Profile

from domain.activity import STREAM_CHANNELS, Activity, Lap, Streams, StrengthSet

_MAX_UTC_OFFSET_S = 14 * 3600
# The longest time a FIT session's elapsed and timer fields can hold (uint32 milliseconds,
# 49.7 days): a longer activity (from a damaged file, or records whose clock jumped years)
# is not one any watch recorded, and its load would swamp every average for months.
_MAX_SPAN_S = (2**32 - 1) / 1000
_TYPES: Mapping[str, Mapping[int, str]] = Profile["types"]
Msg = dict[str, Any]
# file_id's product is a maker's own enum for some makers (garmin_product for Garmin's): fitparse
# names it under that subfield, fitfast gives the number under `product`.
_FILE_ID_FIELDS = Profile["messages"][Profile["mesg_num"]["FILE_ID"]]["fields"].values()
_PRODUCT_TYPES = {ref["value_name"]: sub["type"] for field in _FILE_ID_FIELDS
                  if field["name"] == "product"
                  for sub in field["sub_fields"] for ref in sub["map"]}
# A FIT date_time below 0x10000000 counts seconds since the device started, not a date.
_FIRST_DATE = 631065600 + 0x10000000  # the FIT epoch (1989-12-31) in Unix seconds, plus that


@dataclass(frozen=True)
class RawFit:
    """The common intermediate. Messages: date_time fields in Unix seconds, enums as names
    (raw ints where the decoder lacks the name), arrays as lists, invalid fields absent.
    Records: float64 columns under FIT field names, NaN where missing, all of one length."""

    messages: dict[str, list[Msg]]
    records: dict[str, np.ndarray]


class Undated(ValueError):
    """A run timed by a clock never set: no copy of its file can give it a day (`by_clock`);
    False where the file says when it was created, so its writer had a date and left it out:
    another copy of the recording may have it."""

    def __init__(self, message: str, by_clock: bool) -> None:
        super().__init__(message)
        self.by_clock = by_clock


def normalise(raw: RawFit, *, dated: bool = True) -> list[Activity]:
    """`dated`: a run timed by a clock never set is refused (Undated); False where it is
    read as it was stored, before such runs were refused (`db rebuild`)."""
    activities = _activities(raw)
    for i, act in enumerate(activities if dated else ()):
        if act.start < _utc(_FIRST_DATE):  # no day can hold it: stored in 1990, never seen
            raise _undated(f"activity {i + 1}", raw.messages["file_id"])
    return activities


def _undated(which: str, file_ids: Sequence[Msg]) -> Undated:
    """Why `which` activity has no date: its watch's clock was not set, or, its file dated
    when created, the file was written so (an app or converter that dropped the date)."""
    created = sorted(filter(None, map(_created, file_ids)))
    if not created:
        return Undated(f"{which} has no date: its times count from when the device "
                       "was switched on, its clock not set, so no day can hold it", True)
    return Undated(f"{which} has no date, though the file says it was created "
                   f"{_utc(created[0]):%a %d %b %Y %H:%M} UTC: its times count from when the "
                   "device was switched on, as the app or converter that wrote the file left "
                   "them, so no day can hold it; import the recording's original file (the "
                   "watch's, or Garmin Connect's download) instead", False)


def _activities(raw: RawFit) -> list[Activity]:
    if not is_activity(raw):
        return []
    msgs = raw.messages
    t, channels = _record_table(raw.records)
    sessions = sorted(filter(None, map(_session_window, msgs["session"])), key=lambda w: w[0])
    found = recording(msgs["file_id"], sessions[0][0] if sessions else t[0] if t.size else None)
    if not sessions:
        return _synthesised(t, channels, msgs, found)
    windows = [(start, end) for start, end, _ in sessions]
    owner = {kind: _owners(np.array([_msg_start(m) for m in msgs[kind]], dtype=float), windows)
             for kind in ("lap", "set")}
    record_owner = _owners(t, windows)
    steps, offset = _workout_steps(msgs["workout_step"]), _utc_offset(msgs["activity"])
    return [
        _activity(i, s, start, steps=steps, utc_offset_s=offset, recording=found,
                  streams=_streams(t, channels, record_owner == i, start),
                  laps=[m for m, o in zip(msgs["lap"], owner["lap"], strict=True) if o == i],
                  sets=[m for m, o in zip(msgs["set"], owner["set"], strict=True) if o == i])
        for i, (start, _, s) in enumerate(sessions)
    ]


def recording(file_ids: Sequence[Msg], start: float | None) -> str | None:
    """Which recording a file holds, from its file_id and when it starts (its first session,
    else its first record): the same in every file of it (the watch's own, one re-saved by a
    repair tool or exported by another app, Garmin Connect's download of the original)
    whatever their bytes, e.g. (maker, product, serial number, created, started)
    "garmin:fr255:3420897194:2023-09-02T13:15:24Z:2023-09-02T13:15:24Z". The start, because
    a file_id alone is no proof: a converter or an app's bulk export may write one for all it writes
    (its maker and product, no serial number, the second it converted), and by it a batch of
    runs was one recording, all but one run lost. A recording's files share their start; two
    activities never do.
    A file without a serial number (the FIT SDK's, a third-party app's) or even a product is
    told by the rest: its start to the second with its creation time is no other activity's
    (two runs of a day start apart), and without it each copy was stored, its load counted
    twice. None where the file does not tell recordings apart: no file_id typed an activity,
    no date of creation, no start, or several recordings chained in one file. Never guessed:
    such a file is told apart by its content alone."""
    found = {_file_identity(m) for m in file_ids if _name(m.get("type"), "file") == "activity"}
    if start is None or len(found) != 1 or None in found:
        return None
    return f"{found.pop()}:{_utc(start):%Y-%m-%dT%H:%M:%SZ}"


def _file_identity(m: Msg) -> str | None:
    """One file_id's part of `recording`: the product by its profile name where its maker's
    products have names (as fitparse gives them), else by its number."""
    created, serial = _created(m), _opt(m.get("serial_number"))
    maker = _name(m.get("manufacturer"), "manufacturer")
    product = m.get("product", m.get("garmin_product", m.get("favero_product")))
    product = _name(product, _PRODUCT_TYPES.get(maker or "", "no names"))
    if created is None:
        return None
    return ":".join((maker or "", product or "", "" if serial is None else str(int(serial)),
                     f"{_utc(created):%Y-%m-%dT%H:%M:%SZ}"))


def _created(file_id: Msg) -> float | None:
    """When a file_id says its file was created, where that is a date (not a time counted
    from when the device was switched on)."""
    created = _opt(file_id.get("time_created"))
    return created if created is not None and created >= _FIRST_DATE else None


def is_activity(raw: RawFit) -> bool:
    types = {_name(m.get("type"), "file") for m in raw.messages["file_id"]} - {None}
    if types:
        return "activity" in types
    # no file type at all (some third-party writers): judge by content
    return bool(raw.messages["session"]) or "timestamp" in raw.records


def _record_table(cols: Mapping[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Record times and STREAM_CHANNELS, time-sorted; rows without a timestamp are dropped."""
    t = cols.get("timestamp")
    if t is None:
        return np.zeros(0), {}
    rows = _in_time_order(t)
    cols = {**cols, **_expand_compressed(cols)}
    merged = {"speed": _prefer(cols, "speed", "enhanced_speed"),
              "altitude": _prefer(cols, "altitude", "enhanced_altitude")}
    if (hr := cols.get("heart_rate")) is not None:
        merged["heart_rate"] = np.where(hr > 0, hr, np.nan)  # 0 bpm: no strap paired
    channels = {}
    for name in STREAM_CHANNELS:
        column = merged[name] if name in merged else cols.get(name)
        if column is not None:
            channels[name] = column[rows]
    return t[rows], channels


def _in_time_order(t: np.ndarray) -> slice | np.ndarray:
    """The rows that have a time, in time order (stable): all of them as they are in the usual
    file, which then costs no copies."""
    if np.isfinite(t).all() and bool((np.diff(t) >= 0).all()):
        return slice(None)
    keep = np.flatnonzero(np.isfinite(t))
    return keep[np.argsort(t[keep], kind="stable")]


def _expand_compressed(cols: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """speed and distance from the packed 24-bit compressed_speed_distance (12 bits each:
    speed in cm/s, distance in 1/16 m that rolls over every 256 m and so is accumulated),
    for decoders that do not expand it (fitparse does, and then this is skipped)."""
    packed = cols.get("compressed_speed_distance")
    if packed is None or "speed" in cols or "distance" in cols:
        return {}
    ok = np.isfinite(packed)
    raw = np.where(ok, packed, 0).astype(np.int64)
    ticks = (raw[ok] >> 12) & 0xFFF
    distance = np.full(packed.shape, np.nan)
    distance[ok] = (ticks[:1] + np.cumsum(np.diff(ticks, prepend=ticks[:1]) % 4096)) / 16.0
    return {"speed": np.where(ok, (raw & 0xFFF) / 100.0, np.nan), "distance": distance}


def _prefer(cols: Mapping[str, np.ndarray], legacy: str, enhanced: str) -> np.ndarray | None:
    """The 16-bit legacy field where present, else the 32-bit enhanced one (per sample).
    Both hold the same value at the same resolution when both exist, but fitfast expands
    speed into enhanced_speed with float truncation (8.024 → 8.023); modern files write
    only the enhanced fields, and then those are used."""
    a, b = cols.get(legacy), cols.get(enhanced)
    if a is None or b is None:
        return a if a is not None else b
    return np.where(np.isfinite(a), a, b)


def _session_window(s: Msg) -> tuple[float, float, Msg] | None:
    start = _msg_start(s)
    if not math.isfinite(start):
        return None
    return start, _msg_end(s, start), s


def _msg_end(m: Msg, start: float) -> float:
    """Where a session or lap ends on the real clock: its start plus elapsed time, or its own
    timestamp (written when it closed) where later: whole-second records run a fraction past
    start+elapsed, and some watches write a lap's elapsed time without its pauses."""
    end = start + (_opt(m.get("total_elapsed_time")) or _opt(m.get("total_timer_time")) or 0.0)
    return max(end, _opt(m.get("timestamp")) or end)


def _msg_start(m: Msg) -> float:
    """start_time, else timestamp (the end of a lap/session/set) minus its span; NaN if none."""
    if "start_time" in m:
        return float(m["start_time"])
    span = _opt(m.get("total_elapsed_time", m.get("duration"))) or 0.0
    return float(m.get("timestamp", np.nan)) - span


def _owners(times: np.ndarray, windows: Sequence[tuple[float, float]]) -> np.ndarray:
    """Index of the session window holding each time, -1 if none. Windows sorted by start;
    where one ends exactly as the next begins the later session wins, so a boundary sample
    opens the next leg (as it does on the watch) rather than closing the previous one."""
    owner = np.full(times.shape, -1)
    for i, (start, end) in enumerate(windows):
        owner[(times >= start) & (times <= end)] = i
    return owner


def _streams(t: np.ndarray, channels: Mapping[str, np.ndarray], mask: np.ndarray,
             start: float) -> Streams:
    rows = slice(None) if mask.all() else mask  # one session holds every record: no copies
    picked = {k: v[rows] for k, v in channels.items()}
    return Streams(t=t[rows] - start,
                   channels={k: v for k, v in picked.items() if np.isfinite(v).any()})


def _activity(index: int, s: Msg, start: float, *, laps: list[Msg], sets: list[Msg],
              streams: Streams, steps: Mapping[int, str], utc_offset_s: int | None,
              recording: str | None) -> Activity:
    elapsed, timer = _opt(s.get("total_elapsed_time")), _opt(s.get("total_timer_time"))
    _check_span(index, max(elapsed or 0.0, timer or 0.0))
    return Activity(
        sport=_name(s.get("sport"), "sport") or "generic",
        sub_sport=_name(s.get("sub_sport"), "sub_sport"),
        start=_utc(start),
        duration_s=timer if timer is not None else (elapsed or 0.0),
        elapsed_s=elapsed,
        distance_m=_opt(s.get("total_distance")),
        avg_hr=_opt(s.get("avg_heart_rate")) or None,  # 0 bpm: no strap paired
        max_hr=_opt(s.get("max_heart_rate")) or None,
        aerobic_te=_opt(s.get("total_training_effect")),
        anaerobic_te=_opt(s.get("total_anaerobic_training_effect")),
        training_load=_opt(s.get("training_load_peak")),
        utc_offset_s=utc_offset_s,
        recording=recording,
        session_index=index,
        laps=tuple(_lap(i, m, steps) for i, m in enumerate(laps)),
        streams=streams,
        sets=tuple(_strength_set(i, m) for i, m in enumerate(sets)),
    )


def _check_span(index: int, longest: float) -> None:
    """ValueError for an activity longer than a FIT file can record: no day can hold it."""
    if longest > _MAX_SPAN_S:
        raise ValueError(f"activity {index + 1} would last {longest / 86400:,.0f} days, more "
                         f"than a FIT file can record ({_MAX_SPAN_S / 86400:.1f}): the file is "
                         "damaged")


def _synthesised(t: np.ndarray, channels: Mapping[str, np.ndarray],
                 msgs: Mapping[str, list[Msg]], recording: str | None) -> list[Activity]:
    """A file that ends before any session message (battery died, crash, third-party writer):
    one Activity from its records, provided they span any time at all."""
    if t.size < 2 or t[-1] <= t[0]:
        return []
    start, span = float(t[0]), float(t[-1] - t[0])
    streams = _streams(t, channels, np.ones(t.shape, dtype=bool), start)
    hr, dist = streams.get("heart_rate"), streams.get("distance")
    sport = next((m for m in msgs["sport"] + msgs["lap"] if "sport" in m), {})
    summary = {"start_time": start, "total_elapsed_time": span, "total_timer_time": span,
               "sport": sport.get("sport"), "sub_sport": sport.get("sub_sport"),
               "total_distance": None if dist is None else float(np.nanmax(dist) - np.nanmin(dist)),
               "avg_heart_rate": None if hr is None else float(np.nanmean(hr)),
               "max_heart_rate": None if hr is None else float(np.nanmax(hr))}
    laps = [m for m in msgs["lap"] if np.isfinite(_msg_start(m))]
    return [_activity(0, summary, start, laps=laps, sets=msgs["set"], streams=streams,
                      steps=_workout_steps(msgs["workout_step"]),
                      utc_offset_s=_utc_offset(msgs["activity"]), recording=recording)]


def _lap(index: int, m: Msg, steps: Mapping[int, str]) -> Lap:
    step = _opt(m.get("wkt_step_index"))
    step_index = None if step is None else int(step) & 0x0FFF  # message_index: low 12 bits
    timer, elapsed = _opt(m.get("total_timer_time")), _opt(m.get("total_elapsed_time"))
    own = _name(m.get("intensity"), "intensity")
    start = _msg_start(m)
    return Lap(
        index=index,
        start=_utc(start),
        duration_s=timer if timer is not None else (elapsed or 0.0),
        elapsed_s=_msg_end(m, start) - start,
        distance_m=_opt(m.get("total_distance")),
        avg_hr=_opt(m.get("avg_heart_rate")) or None,
        max_hr=_opt(m.get("max_heart_rate")) or None,
        avg_speed=_opt(m.get("avg_speed", m.get("enhanced_avg_speed"))),  # as in _prefer
        # the workout step says what the lap was meant to be; the lap's own field is the fallback
        intensity=own if step_index is None else steps.get(step_index, own),
        wkt_step_index=step_index,
    )


def _workout_steps(steps: list[Msg]) -> dict[int, str]:
    """message_index → intensity name of the workout the athlete followed, if any."""
    out = {}
    for position, m in enumerate(steps):
        intensity, index = _name(m.get("intensity"), "intensity"), _opt(m.get("message_index"))
        if intensity is not None:
            out[(position if index is None else int(index)) & 0x0FFF] = intensity
    return out


def _strength_set(index: int, m: Msg) -> StrengthSet:
    category = _name(_first(m.get("category")), "exercise_category")
    category = None if category == "unknown" else category
    subtype = _first(m.get("category_subtype"))
    exercise = None
    if category is not None and isinstance(subtype, int):
        # the exercise name is a per-category enum (squat_exercise_name, ...) in the profile
        exercise = _TYPES.get(f"{category}_exercise_name", {}).get(subtype)
    reps = _opt(m.get("repetitions"))
    return StrengthSet(
        index=index,
        set_type=_name(m.get("set_type"), "set_type") or "active",
        category=category.upper() if category else None,
        exercise_name=exercise.upper() if exercise else None,
        reps=None if reps is None else int(reps),
        weight_kg=_opt(m.get("weight")),
        duration_s=_opt(m.get("duration")),
    )


def _utc_offset(activity_msgs: list[Msg]) -> int | None:
    for m in activity_msgs:
        offset = _opt(m.get("local_timestamp", np.nan) - m.get("timestamp", np.nan))
        if offset is not None and abs(offset) <= _MAX_UTC_OFFSET_S:  # else a garbage clock
            return round(offset)
    return None


def _first(value: Any) -> Any:
    """FIT array fields (set category, category_subtype): the first element."""
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


def _name(value: Any, fit_type: str) -> str | None:
    """An enum as its profile name; decoders give names, or raw ints for values they lack."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _TYPES.get(fit_type, {}).get(value, str(value))
    return value if isinstance(value, str) else None


def _opt(value: Any) -> float | None:
    if value is None or type(value) is float:  # most fields (a lap's 40 a file): ~2x quicker
        return value if value is not None and math.isfinite(value) else None
    found = number(_first(value))  # _first: a scalar field written with an array size
    return found if math.isfinite(found) else None  # a float: math is ~20x quicker than numpy


def _utc(unix_s: float) -> datetime:
    return datetime.fromtimestamp(unix_s, tz=UTC)


def number(value: Any) -> float:
    """A FIT field as a float; NaN for anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return float("nan")  # byte blobs and strings from misaligned fields
    return float(value)
