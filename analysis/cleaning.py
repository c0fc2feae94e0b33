"""Clean a run's samples before any rule reads them (RULES.md "Run classification").

Stops (speed < 1 m/s, or the timer paused: a gap between samples) are removed from moving
time (a sample without speed is unknown, not stopped), walking is marked (running cadence
< 140 steps/min where cadence exists, else speed < 1.6 m/s), and where altitude exists speed
becomes grade-adjusted speed (analysis.gap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.gap import grade_adjusted, grades
from analysis.samples import sample_durations
from domain.activity import Activity

STOP_MPS = 1.0
WALK_SPM = 140.0
WALK_MPS = 1.6
# FIT running cadence counts one foot (strides/min); a moving median below this is per foot.
PER_FOOT_BELOW = 120.0
STEEP_DOWNHILL = -0.04  # steeper downhill is not used to find surges


@dataclass(frozen=True)
class Clean:
    """Per-sample facts, each aligned with `t` (one entry per sample but the last)."""

    t: np.ndarray  # sample start, seconds since the activity start
    dt: np.ndarray  # seconds each sample holds (pauses shortened, analysis.samples)
    moving: np.ndarray  # bool: not stopped
    stopped: np.ndarray  # bool: speed < STOP_MPS (not a pause, nor a sample without speed)
    walking: np.ndarray  # bool: moving but walking
    gap: np.ndarray  # grade-adjusted speed (plain speed without altitude), NaN unknown
    grade: np.ndarray
    hr: np.ndarray | None  # NaN where missing; None without any HR
    has_altitude: bool
    walk_source: str  # "cadence", "speed", or "none" (neither known: no walking marked)

    @property
    def moving_s(self) -> float:
        return float(self.dt[self.moving].sum())

    @property
    def walking_s(self) -> float:
        return float(self.dt[self.walking].sum())

    @property
    def speed_known_s(self) -> float:
        """Moving seconds whose speed is known (a GPS dropout's are not)."""
        return float(self.dt[self.moving & np.isfinite(self.gap)].sum())

    @property
    def running(self) -> np.ndarray:
        return self.moving & ~self.walking

    @property
    def steep_downhill(self) -> np.ndarray:
        return self.grade < STEEP_DOWNHILL

    @property
    def speed_name(self) -> str:
        """What the speed the rules read is called in words: GAP only where altitude made it
        grade-adjusted."""
        return "GAP" if self.has_altitude else "speed"

    def mean_gap(self, mask: np.ndarray) -> float | None:
        """Time-weighted mean GAP of the samples in `mask`, None when there are none."""
        m = mask & np.isfinite(self.gap)
        w = self.dt[m].sum()
        return float((self.gap[m] * self.dt[m]).sum() / w) if w > 0 else None


def heart_rate(hr: np.ndarray | None) -> np.ndarray | None:
    """A heart-rate stream with 0 bpm (a strap without contact) as no reading, NaN as any
    reading missing; None where it holds no reading at all. The stream itself where it holds
    no 0 to drop (a FIT file's, which the import already wrote so): no copy per reader."""
    if hr is None:
        return None
    reading = hr > 0  # NaN compares False
    if not reading.any():
        return None
    return np.where(reading, hr, np.nan) if (hr <= 0).any() else hr


def clean(a: Activity) -> Clean | None:
    """None when the run has too few samples (then laps and summary are used). A run without
    speed (a treadmill without footpod, HR alone) is cleaned all the same, its speed unknown:
    its HR still tells zone-5 bouts, and timer pauses are still stops."""
    t, s = a.streams.t, a.streams
    if t.size < 3:
        return None
    speed = _speed(t, s.get("speed"), s.get("distance"))
    if speed is None:
        speed = np.full(t.size, np.nan)
    dt, _, _ = sample_durations(t)
    raw_dt = np.diff(t)
    t0, speed = t[:-1], speed[:-1]
    # A sample without speed (a GPS dropout under trees or in a tunnel) is not a stop: its
    # speed is unknown (GAP NaN), the timer ran on and so did the runner.
    with np.errstate(invalid="ignore"):
        stopped = speed < STOP_MPS
    moving = ~stopped & (raw_dt > 0) & (dt == raw_dt)
    walking, source = _walking(s.get("cadence"), speed, moving)
    alt, dist = s.get("altitude"), s.get("distance")
    has_alt = alt is not None and int(np.isfinite(alt).sum()) > 10
    if has_alt and alt is not None:
        d = dist if dist is not None and np.isfinite(dist).any() else np.r_[0.0, np.cumsum(
            np.nan_to_num(speed) * dt)]
        grade = grades(t, alt, d)[:-1]
    else:
        grade = np.zeros(t0.size)
    hr = heart_rate(s.get("heart_rate"))
    return Clean(t=t0, dt=dt, moving=moving, stopped=stopped, walking=walking & moving,
                 gap=np.where(moving, grade_adjusted(speed, grade), np.nan), grade=grade,
                 hr=hr[:-1] if hr is not None else None,
                 has_altitude=has_alt, walk_source=source)


def _speed(t: np.ndarray, speed: np.ndarray | None,
           distance: np.ndarray | None) -> np.ndarray | None:
    """Speed per sample, else from distance; None when neither ever rises above 0 (a
    treadmill without footpod may write 0 throughout): unknown, not one long stop."""
    if speed is not None and (np.nan_to_num(speed) > 0).any():
        return speed
    if distance is None or t.size < 2 or not (np.nan_to_num(np.diff(distance)) > 0).any():
        return None
    d = np.diff(distance)
    step = np.diff(t)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.where(step > 0, d / step, np.nan)
    return np.r_[v, v[-1:]]


def _walking(cadence: np.ndarray | None, speed: np.ndarray,
             moving: np.ndarray) -> tuple[np.ndarray, str]:
    if cadence is not None:
        c = cadence[:-1]
        seen = moving & np.isfinite(c) & (c > 0)
        if seen.sum() > 0.5 * max(int(moving.sum()), 1):
            spm = c * 2 if float(np.median(c[seen])) < PER_FOOT_BELOW else c
            return np.where(np.isfinite(spm), spm < WALK_SPM, speed < WALK_MPS), "cadence"
    if not np.isfinite(speed).any():  # HR alone: walking is unknown, not judged from speed
        return np.zeros(speed.size, dtype=bool), "none"
    return speed < WALK_MPS, "speed"
