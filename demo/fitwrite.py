"""Build realistic activity FIT files with garmin-fit-sdk's Encoder, for tests, demo and bench.

Files look like what a Garmin watch writes: file_id, event, per-second records, laps, optional
workout steps, one session per sport and a closing activity message with local time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from garmin_fit_sdk import Encoder, Profile

MESG = Profile["mesg_num"]
_TYPES = Profile["types"]


@dataclass(frozen=True)
class LapSpec:
    duration_s: int  # seconds of recording (timer time)
    speed_mps: float
    hr_bpm: float  # the heart rate the athlete drifts towards during this lap
    intensity: str = "active"  # FIT intensity: active, rest, warmup, cooldown, recovery, interval
    pause_s: int = 0  # timer stopped at the end of the lap: counts in elapsed, not timer time
    power_w: float | None = None  # write a power channel when set
    step: int | None = None  # workout step index; defaults to the lap index with workout steps


@dataclass(frozen=True)
class SetSpec:
    category: str  # FIT exercise_category, either case: "squat" / "SQUAT"
    exercise: str | None  # exercise name within the category: "barbell_back_squat"
    reps: int | None
    weight_kg: float | None
    duration_s: float
    set_type: str = "active"  # "active" or "rest"


@dataclass(frozen=True)
class LegSpec:
    """One session of a multisport file."""

    sport: str
    laps: Sequence[LapSpec]
    sub_sport: str = "generic"


def _fit_time(t: datetime) -> datetime:
    """The Encoder wants aware datetimes and stores whole seconds."""
    if t.tzinfo is None:
        raise ValueError("FIT builder needs timezone-aware datetimes")
    return t.replace(microsecond=0)


def _enum_value(type_name: str, name: str) -> int:
    for key, value in _TYPES[type_name].items():
        if value == name:
            return int(key)
    raise KeyError(f"{name!r} is not a FIT {type_name}")


def _write(enc: Encoder, mesg: str, **fields: Any) -> None:
    """One message; None fields are left out, as a device leaves out what it did not measure."""
    present = {k: v for k, v in fields.items() if v is not None}
    enc.write_mesg({"mesg_num": MESG[mesg.upper()], **present})


def _start_file(start: datetime, file_id: Mapping[str, Any] | None = None) -> Encoder:
    """A watch's file_id (`file_id`'s fields instead, None leaving one out), and the start."""
    enc = Encoder()
    _write(enc, "file_id", **{"type": "activity", "manufacturer": "garmin", "product": 4315,
                              "serial_number": 3_900_000_001, "time_created": start,
                              **(file_id or {})})
    _write(enc, "event", timestamp=start, event="timer", event_type="start")
    return enc


def _close_file(enc: Encoder, end: datetime, timer_s: float, n_sessions: int,
                utc_offset_s: int | None) -> bytes:
    local = end + timedelta(seconds=utc_offset_s) if utc_offset_s is not None else None
    _write(enc, "event", timestamp=end, event="timer", event_type="stop_all")
    _write(enc, "activity", timestamp=end, total_timer_time=timer_s, num_sessions=n_sessions,
           type="manual", event="activity", event_type="stop",
           local_timestamp=None if local is None else local.replace(tzinfo=UTC))
    return bytes(enc.close())


@dataclass
class _Athlete:
    """Slowly varying physiology: HR drifts towards the lap target with a lag, plus noise."""

    rng: np.random.Generator
    hr: float
    altitude: float = 120.0
    distance: float = 0.0

    def lap_samples(self, lap: LapSpec, include_hr: bool) -> dict[str, np.ndarray]:
        n = lap.duration_s
        noise = self.rng.normal(0, 0.04 * max(lap.speed_mps, 0.5), n)
        speed = np.clip(lap.speed_mps + noise, 0, None)
        hr = np.empty(n)
        for i in range(n):  # first-order lag: roughly 30 s to settle
            self.hr += (lap.hr_bpm - self.hr) / 30 + self.rng.normal(0, 0.6)
            hr[i] = self.hr
        alt = self.altitude + np.cumsum(self.rng.normal(0, 0.15, n))
        dist = self.distance + np.cumsum(speed)
        self.altitude, self.distance = float(alt[-1]), float(dist[-1])
        out = {"speed": speed, "altitude": alt, "distance": dist,
               "cadence": np.round(75 + 4 * speed + self.rng.normal(0, 1, n))}
        if include_hr:
            out["heart_rate"] = np.round(hr)
        if lap.power_w is not None:
            out["power"] = np.round(lap.power_w + self.rng.normal(0, 8, n))
        return out


def _write_records(enc: Encoder, t0: datetime, samples: dict[str, np.ndarray],
                   enhanced: bool, every_s: int) -> None:
    """A record every `every_s` seconds and at the lap's last second, so the lap still ends
    at its exact time and distance. Modern watches write only the 32-bit enhanced fields."""
    hr, pw = samples.get("heart_rate"), samples.get("power")
    speed_key, alt_key = ("enhanced_speed", "enhanced_altitude") if enhanced else (
        "speed", "altitude")
    n = len(samples["speed"])
    for i in [*range(0, n - 1, every_s), n - 1]:
        _write(enc, "record", timestamp=t0 + timedelta(seconds=i),
               heart_rate=None if hr is None else int(hr[i]),
               power=None if pw is None else int(pw[i]),
               cadence=int(samples["cadence"][i]),
               distance=round(float(samples["distance"][i]), 2),
               **{speed_key: round(float(samples["speed"][i]), 3),
                  alt_key: round(float(samples["altitude"][i]), 1)})


def _summary(samples: list[dict[str, np.ndarray]]) -> dict[str, Any]:
    """Lap/session summary fields in FIT names, from the samples written."""
    joined = {k: np.concatenate([s[k] for s in samples]) for k in samples[0]}
    hr = joined.get("heart_rate")
    n = len(joined["speed"])
    start_dist = joined["distance"][0] - joined["speed"][0]
    return {
        "total_distance": round(float(joined["distance"][-1] - start_dist), 2),
        "avg_heart_rate": None if hr is None else round(float(hr.mean())),
        "max_heart_rate": None if hr is None else int(hr.max()),
        "enhanced_avg_speed": round(float(joined["speed"].sum() / n), 3),
        "enhanced_max_speed": round(float(joined["speed"].max()), 3),
    }


def _write_workout(enc: Encoder, sport: str, intensities: Sequence[str],
                   laps: Sequence[LapSpec]) -> None:
    _write(enc, "workout", sport=sport, num_valid_steps=len(intensities), wkt_name="Intervals")
    for i, intensity in enumerate(intensities):
        secs = sum(lap.duration_s for j, lap in enumerate(laps) if _step_of(lap, j) == i)
        _write(enc, "workout_step", message_index=i, intensity=intensity, duration_type="time",
               duration_value=int(secs * 1000) or None, target_type="open")


def _step_of(lap: LapSpec, index: int) -> int:
    return lap.step if lap.step is not None else index


def _write_session(enc: Encoder, *, athlete: _Athlete, start: datetime, laps: Sequence[LapSpec],
                   sport: str, sub_sport: str, session_index: int, first_lap_index: int,
                   include_hr: bool, enhanced: bool, with_steps: bool,
                   extra: dict[str, Any], record_every_s: int = 1) -> tuple[datetime, float]:
    """Records and laps of one session, then the session message; returns (end, timer_s).
    Laps and the session are summarised from every second, whichever records are written."""
    t, timer, lap_samples = start, 0.0, []
    for i, lap in enumerate(laps):
        samples = athlete.lap_samples(lap, include_hr)
        _write_records(enc, t, samples, enhanced, record_every_s)
        if lap.pause_s:
            _write(enc, "event", timestamp=t + timedelta(seconds=lap.duration_s),
                   event="timer", event_type="stop_all")
            _write(enc, "event", timestamp=t + timedelta(seconds=lap.duration_s + lap.pause_s),
                   event="timer", event_type="start")
        elapsed = lap.duration_s + lap.pause_s
        _write(enc, "lap", message_index=first_lap_index + i,
               timestamp=t + timedelta(seconds=elapsed), start_time=t,
               total_elapsed_time=float(elapsed), total_timer_time=float(lap.duration_s),
               event="lap", event_type="stop", lap_trigger="manual", sport=sport,
               sub_sport=sub_sport, intensity=lap.intensity,
               wkt_step_index=_step_of(lap, i) if with_steps else None,
               **_summary([samples]))
        lap_samples.append(samples)
        t += timedelta(seconds=elapsed)
        timer += lap.duration_s
    _write(enc, "session", message_index=session_index, timestamp=t, start_time=start,
           total_elapsed_time=(t - start).total_seconds(), total_timer_time=timer,
           sport=sport, sub_sport=sub_sport, event="lap", event_type="stop", trigger="activity_end",
           first_lap_index=first_lap_index, num_laps=len(laps), **_summary(lap_samples), **extra)
    return t, timer


def run_fit(start: datetime, laps: Sequence[LapSpec], *, hr_rest: float = 60.0, seed: int = 0,
            sport: str = "running", sub_sport: str = "generic", include_hr: bool = True,
            workout_steps: Sequence[str] | None = None, utc_offset_s: int | None = 3600,
            aerobic_te: float | None = 3.1, anaerobic_te: float | None = 1.2,
            training_load: float | None = 95.0, enhanced: bool = True,
            record_every_s: int = 1, threshold_hr: int | None = None,
            file_id: Mapping[str, Any] | None = None) -> bytes:
    """One-session activity. `workout_steps` lists each step's intensity; laps point at steps
    through `LapSpec.step` (default: the lap's own index). `enhanced=False` writes the legacy
    16-bit speed/altitude fields instead of enhanced_speed/enhanced_altitude.
    `record_every_s` > 1 is Garmin's "smart recording": the athlete is still simulated every
    second, but fewer records are written (the Encoder costs ~85 us a message).
    `threshold_hr`: the watch's lactate threshold setting, written as Garmin's watches do
    (a zones_target message). `file_id`: fields written instead of the watch's (see
    _start_file), e.g. another device's, or none of the serial number."""
    if record_every_s < 1:
        raise ValueError(f"record_every_s must be at least 1, not {record_every_s}")
    start = _fit_time(start)
    enc = _start_file(start, file_id)
    if threshold_hr is not None:
        _write(enc, "zones_target", threshold_heart_rate=threshold_hr,
               hr_calc_type="percent_lthr")
    if workout_steps is not None:
        _write_workout(enc, sport, workout_steps, laps)
    extra = {"total_training_effect": aerobic_te, "total_anaerobic_training_effect": anaerobic_te,
             "training_load_peak": training_load}
    end, timer = _write_session(
        enc, athlete=_Athlete(np.random.default_rng(seed), hr_rest), start=start, laps=laps,
        sport=sport, sub_sport=sub_sport, session_index=0, first_lap_index=0, include_hr=include_hr,
        enhanced=enhanced, with_steps=workout_steps is not None, extra=extra,
        record_every_s=record_every_s)
    return _close_file(enc, end, timer, 1, utc_offset_s)


def multisport_fit(start: datetime, legs: Sequence[LegSpec], *, hr_rest: float = 60.0,
                   seed: int = 0, utc_offset_s: int | None = 3600,
                   file_id: Mapping[str, Any] | None = None) -> bytes:
    """Back-to-back sessions (triathlon style); each leg starts where the previous one ended.
    `file_id`: as run_fit's."""
    t = _fit_time(start)
    enc = _start_file(t, file_id)
    athlete = _Athlete(np.random.default_rng(seed), hr_rest)
    timer, first_lap = 0.0, 0
    for i, leg in enumerate(legs):
        t, leg_timer = _write_session(
            enc, athlete=athlete, start=t, laps=leg.laps, sport=leg.sport, sub_sport=leg.sub_sport,
            session_index=i, first_lap_index=first_lap, include_hr=True, enhanced=True,
            with_steps=False, extra={})
        timer += leg_timer
        first_lap += len(leg.laps)
    return _close_file(enc, t, timer, len(legs), utc_offset_s)


def exercise_codes(category: str, exercise: str | None) -> tuple[int, int | None]:
    """FIT (exercise_category, category_subtype) numbers for a category and exercise name."""
    cat = category.lower()
    sub = None if exercise is None else _enum_value(f"{cat}_exercise_name", exercise.lower())
    return _enum_value("exercise_category", cat), sub


def strength_fit(start: datetime, sets: Sequence[SetSpec], *, hr_bpm: float = 95.0, seed: int = 0,
                 utc_offset_s: int | None = 3600, aerobic_te: float | None = 1.4) -> bytes:
    """A strength_training session: one `set` message per SetSpec, HR records every second."""
    start = _fit_time(start)
    enc = _start_file(start)
    rng = np.random.default_rng(seed)
    t = start
    for i, s in enumerate(sets):
        secs = max(round(s.duration_s), 1)
        effort = 15 if s.set_type == "active" else 0
        for k in range(secs):
            _write(enc, "record", timestamp=t + timedelta(seconds=k),
                   heart_rate=int(hr_bpm + effort + rng.normal(0, 2)))
        active = s.set_type == "active"
        cat, sub = exercise_codes(s.category, s.exercise) if active else (None, None)
        _write(enc, "set", message_index=i, timestamp=t + timedelta(seconds=secs), start_time=t,
               duration=float(s.duration_s), set_type=s.set_type, repetitions=s.reps,
               weight=s.weight_kg, category=None if cat is None else [cat],
               category_subtype=None if sub is None else [sub])
        t += timedelta(seconds=secs)
    elapsed = (t - start).total_seconds()
    _write(enc, "lap", message_index=0, timestamp=t, start_time=start, total_elapsed_time=elapsed,
           total_timer_time=elapsed, event="lap", event_type="stop", sport="training",
           sub_sport="strength_training", intensity="active")
    _write(enc, "session", message_index=0, timestamp=t, start_time=start,
           total_elapsed_time=elapsed, total_timer_time=elapsed, sport="training",
           sub_sport="strength_training", event="lap", event_type="stop", first_lap_index=0,
           num_laps=1, avg_heart_rate=int(hr_bpm) + 8, max_heart_rate=int(hr_bpm) + 25,
           total_training_effect=aerobic_te)
    return _close_file(enc, t, elapsed, 1, utc_offset_s)


def workout_file_fit(intensities: Sequence[str], *, name: str = "Intervals") -> bytes:
    """A workout (file type 5), as Garmin Connect sends to a watch: not an activity."""
    enc = Encoder()
    _write(enc, "file_id", type="workout", manufacturer="garmin", product=4315,
           serial_number=1, time_created=datetime(2024, 1, 1, tzinfo=UTC))
    _write(enc, "workout", sport="running", num_valid_steps=len(intensities), wkt_name=name)
    for i, intensity in enumerate(intensities):
        _write(enc, "workout_step", message_index=i, intensity=intensity, duration_type="open",
               target_type="open")
    return bytes(enc.close())


def easy_hour(start: datetime, *, seed: int = 0) -> bytes:
    """A one-hour steady run (3600 records): the benchmark's unit of work."""
    return run_fit(start, [LapSpec(600, 2.9, 140), LapSpec(2400, 3.1, 148), LapSpec(600, 3.0, 150)],
                   seed=seed)
