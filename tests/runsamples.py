"""Per-second run recordings for the classification tests, written as real FIT files with
garmin-fit-sdk's Encoder (through demo.fitwrite's message helpers).

A `Run` is built segment by segment (easy running, work bouts, walking breaks, stops, hills);
HR follows each segment's target with a first-order lag, as a strap does, and cadence is
written per foot, as Garmin watches write running cadence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from analysis.gap import cost_factor
from demo.fitwrite import _close_file, _start_file, _write

T0 = datetime(2025, 4, 1, 7, 0, tzinfo=UTC)


@dataclass
class Run:
    seed: int = 0
    speed: list[float] = field(default_factory=list)
    hr: list[float] = field(default_factory=list)  # target HR per second
    spm: list[float] = field(default_factory=list)  # steps per minute
    grade: list[float] = field(default_factory=list)
    laps: list[tuple[int, str]] = field(default_factory=list)  # (end second, intensity)
    paused: list[bool] = field(default_factory=list)  # the timer stopped: no record written

    def add(self, seconds: float, speed: float, hr: float, spm: float | None = None,
            grade: float = 0.0, lap: str | None = None) -> Run:
        """`speed` is the flat-equivalent effort: on a grade the athlete slows so that the
        energy cost (Minetti 2002) stays the same."""
        n = int(seconds)
        ground = speed / float(cost_factor(np.array([grade]))[0]) if speed else 0.0
        self.speed += [ground] * n
        self.hr += [hr] * n
        self.spm += [spm if spm is not None else (0.0 if speed == 0 else
                                                   150 + 8 * speed)] * n
        self.grade += [grade] * n
        self.paused += [False] * n
        if lap is not None:
            self.laps.append((len(self.speed), lap))
        return self

    def easy(self, minutes: float, hr: float = 140, speed: float = 2.9,
             lap: str | None = None) -> Run:
        return self.add(minutes * 60, speed, hr, lap=lap)

    def walk(self, minutes: float, hr: float = 115) -> Run:
        return self.add(minutes * 60, 1.4, hr, spm=112)

    def stop(self, minutes: float, hr: float = 100) -> Run:
        return self.add(minutes * 60, 0.0, hr, spm=0)

    def pause(self, minutes: float, hr: float = 100) -> Run:
        """The timer paused (auto-pause, or the stop button): the heart goes on recovering
        towards `hr`, but no record is written, and the laps' timer time leaves it out."""
        self.add(minutes * 60, 0.0, hr, spm=0)
        self.paused[-int(minutes * 60):] = [True] * int(minutes * 60)
        return self

    def hills(self, minutes: float, hr: float = 142, speed: float = 2.9,
              grade: float = 0.08, period_min: float = 6) -> Run:
        """Up and down at +-grade, same effort (the uphill HR a little higher)."""
        half = period_min * 30
        for _i in range(int(minutes * 60 / (2 * half))):
            self.add(half, speed, hr + 6, grade=grade)
            self.add(half, speed, hr - 6, grade=-grade)
        return self

    def bouts(self, n: int, work_s: float, speed: float, hr: float, rest_s: float,
              rest_speed: float = 2.4, rest_hr: float = 135, work_lap: str | None = None,
              rest_lap: str | None = None) -> Run:
        for _ in range(n):
            self.add(work_s, speed, hr, lap=work_lap)
            self.add(rest_s, rest_speed, rest_hr, lap=rest_lap)
        return self

    def fit(self, *, include_hr: bool = True, include_altitude: bool = True) -> bytes:
        return write_fit(self, include_hr=include_hr, include_altitude=include_altitude)


def _lagged(target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(target.size)
    hr = target[0] - 20
    for i, want in enumerate(target):
        hr += (want - hr) / 25 + rng.normal(0, 0.5)
        out[i] = hr
    return np.round(out)


def write_fit(run: Run, *, include_hr: bool = True, include_altitude: bool = True) -> bytes:
    rng = np.random.default_rng(run.seed)
    speed = np.clip(np.array(run.speed) + rng.normal(0, 0.05, len(run.speed)) *
                    (np.array(run.speed) > 0), 0, None)
    n = speed.size
    grade = np.array(run.grade)
    dist = np.cumsum(speed)
    # Barometric altitude: the true profile plus 0.2 m noise, stored in 0.2 m steps.
    alt = 150 + np.cumsum(speed * grade)
    alt = np.round((alt + rng.normal(0, 0.2, n)) * 5) / 5
    hr = _lagged(np.array(run.hr), rng)
    per_foot = np.round(np.array(run.spm) / 2 + rng.normal(0, 0.5, n) * (speed > 0))
    paused = np.array(run.paused, dtype=bool)
    enc = _start_file(T0)
    for i in range(n):
        if paused[i] != (i > 0 and paused[i - 1]):
            _write(enc, "event", timestamp=T0 + timedelta(seconds=i), event="timer",
                   event_type="stop_all" if paused[i] else "start")
        if paused[i]:
            continue
        _write(enc, "record", timestamp=T0 + timedelta(seconds=i),
               heart_rate=int(hr[i]) if include_hr else None, cadence=int(max(per_foot[i], 0)),
               distance=round(float(dist[i]), 2), enhanced_speed=round(float(speed[i]), 3),
               enhanced_altitude=round(float(alt[i]), 1) if include_altitude else None)
    laps = run.laps if run.laps and run.laps[-1][0] == n else [*run.laps, (n, "active")]
    begin = 0
    for k, (end, intensity) in enumerate(laps):
        s = np.flatnonzero(~paused[begin:end]) + begin  # the timer's seconds of the lap
        _write(enc, "lap", message_index=k, timestamp=T0 + timedelta(seconds=end),
               start_time=T0 + timedelta(seconds=begin), total_elapsed_time=float(end - begin),
               total_timer_time=float(s.size), event="lap", event_type="stop",
               sport="running", intensity=intensity,
               total_distance=round(float(speed[s].sum()), 2),
               enhanced_avg_speed=round(float(speed[s].mean()), 3),
               avg_heart_rate=int(hr[s].mean()) if include_hr else None,
               max_heart_rate=int(hr[s].max()) if include_hr else None)
        begin = end
    end_t, timer_s = T0 + timedelta(seconds=n), float(n - paused.sum())
    _write(enc, "session", message_index=0, timestamp=end_t, start_time=T0,
           total_elapsed_time=float(n), total_timer_time=timer_s, sport="running",
           event="lap", event_type="stop", trigger="activity_end", first_lap_index=0,
           num_laps=len(laps), total_distance=round(float(dist[-1]), 2),
           avg_heart_rate=int(hr[~paused].mean()) if include_hr else None,
           max_heart_rate=int(hr[~paused].max()) if include_hr else None,
           enhanced_avg_speed=round(float(speed[~paused].mean()), 3))
    return _close_file(enc, end_t, timer_s, 1, 3600)
