"""Clean a run's samples before any rule reads them (RULES.md "Run classification").

Stops (speed < 1 m/s, or the timer paused: a gap between samples) are removed from moving
time (a sample without speed is unknown, not stopped), walking is marked (running cadence
< 140 steps/min where cadence exists, else speed < 1.6 m/s), and where altitude covers
enough of the moving time speed becomes grade-adjusted speed (analysis.gap).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

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
# Speed is grade-adjusted (GAP) only where altitude gives a grade on at least this share of
# the moving time with speed (RULES.md is silent): a few altitude samples grade nothing else.
GRADED_SHARE = 0.5
# A speed channel above 0 on less than this share of the time cadence says running (or of
# its time, with nothing else to measure the run), or covering less of the session's
# distance, does not read the run (cleaning._unread).
READ_SHARE = 0.5


@dataclass(frozen=True)
class Clean:
    """Per-sample facts, each aligned with `t` (one entry per sample but the last)."""

    t: np.ndarray  # sample start, seconds since the activity start
    dt: np.ndarray  # seconds each sample holds (pauses shortened, analysis.samples)
    moving: np.ndarray  # bool: not stopped
    stopped: np.ndarray  # bool: speed < STOP_MPS (not a pause, nor a sample without speed)
    walking: np.ndarray  # bool: moving but walking
    gap: np.ndarray  # grade-adjusted speed (plain speed unless has_altitude), NaN unknown
    grade: np.ndarray
    hr: np.ndarray | None  # NaN where missing; None without any HR
    has_altitude: bool  # speed is GAP: altitude grades >= GRADED_SHARE of speed_known_s
    graded_s: float  # moving seconds with speed and a grade from altitude
    altitude_s: float  # moving seconds with speed and an altitude reading
    pause_s: str  # a gap between samples past this is a pause, in words (analysis.samples)
    walk_source: str  # "cadence", "speed", or "none" (neither known: no walking marked)
    # seconds whose speed of 0 was taken for no reading, not a stop, and why (_unread)
    unread_s: float = 0.0
    unread_why: str | None = None

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
    steps = _steps_per_minute(s.get("cadence"))
    speed, unread, why = _speed(t, s.get("speed"), s.get("distance"), steps, _moved_m(a),
                                _distance_measured(a))
    durations = sample_durations(t)
    dt, raw_dt = durations.held, np.diff(t)
    t0, speed = t[:-1], speed[:-1]
    # A sample without speed (a GPS dropout under trees or in a tunnel) is not a stop: its
    # speed is unknown (GAP NaN), the timer ran on and so did the runner.
    with np.errstate(invalid="ignore"):
        stopped = speed < STOP_MPS
    moving = ~stopped & (raw_dt > 0) & (dt == raw_dt)
    walking, source = _walking(steps, speed, moving)
    alt = s.get("altitude")
    grade = _grade(t, alt, s.get("distance"), speed, dt)
    # GAP only where altitude covers enough of the moving time with speed to mean it (a GPS
    # lost with its altitude takes none from the speed left), else plain speed
    with_speed = moving & np.isfinite(speed)
    graded_s = float(dt[with_speed & np.isfinite(grade)].sum())
    altitude_s = float(dt[with_speed & np.isfinite(alt[:-1])].sum()) if alt is not None else 0.0
    has_alt = graded_s > 0 and graded_s >= GRADED_SHARE * float(dt[with_speed].sum())
    grade = np.where(np.isfinite(grade) & has_alt, grade, 0.0)
    hr = heart_rate(s.get("heart_rate"))
    return Clean(t=t0, dt=dt, moving=moving, stopped=stopped, walking=walking & moving,
                 gap=np.where(moving, grade_adjusted(speed, grade), np.nan), grade=grade,
                 hr=hr[:-1] if hr is not None else None, has_altitude=has_alt,
                 graded_s=graded_s, altitude_s=altitude_s, pause_s=durations.pause_words(),
                 walk_source=source,
                 unread_s=float(dt[unread[:-1]].sum()), unread_why=why)


def _grade(t: np.ndarray, alt: np.ndarray | None, dist: np.ndarray | None,
           speed: np.ndarray, dt: np.ndarray) -> np.ndarray:
    """Grade per sample but the last (analysis.gap.grades), NaN where altitude does not tell
    it; over the distance recorded, else the distance the speed covers."""
    if alt is None or not np.isfinite(alt).any():
        return np.full(dt.size, np.nan)
    d = dist if dist is not None and np.isfinite(dist).any() else np.r_[0.0, np.cumsum(
        np.nan_to_num(speed) * dt)]
    return grades(t, alt, d)[:-1]


class Speed(NamedTuple):
    """Speed per sample (NaN unknown), the samples whose 0 was taken for no reading, not a
    stop, and why (_unread)."""

    mps: np.ndarray
    unread: np.ndarray
    why: str | None


def _speed(t: np.ndarray, speed: np.ndarray | None, distance: np.ndarray | None,
           steps: np.ndarray | None, moved_m: float | None, distance_measured: bool) -> Speed:
    """Speed per sample, else from distance; unknown when neither ever rises above 0 (a
    treadmill without footpod may write 0 throughout), not one long stop. Its zeros are no
    reading either where nothing says they are stops (_unread): then the distance's speed
    where it reads (a stray speed value does not hide a footpod's distance), else the
    speed's values above 0."""
    unknown = np.full(t.size, np.nan)
    out = Speed(unknown, np.zeros(t.size, dtype=bool), None)
    for v in (speed, _from_distance(t, distance)):
        if v is not None and (np.nan_to_num(v) > 0).any():
            why = _unread(v, steps, t, moved_m, distance_measured)
            if why is None:
                return Speed(v, out.unread, None)
            if out.why is None:
                out = Speed(np.where(v > 0, v, np.nan), np.isfinite(v) & ~(v > 0), why)
    return out


def _moved_m(a: Activity) -> float | None:
    """The session's distance where it says the runner moved: covered at STOP_MPS or more
    over the timer time (a watch started and stopped at once covers a few metres)."""
    moved = a.distance_m and a.duration_s and a.distance_m >= STOP_MPS * a.duration_s
    return a.distance_m if moved else None


def _distance_measured(a: Activity) -> bool:
    """Whether a distance measures the run: the session's, else the distance recorded where
    it advances (as the import takes a file's distance where it has no session): a GPS run
    sat at a café with the timer running has its stop in it; a treadmill without footpod has
    neither."""
    d = a.streams.get("distance")
    d = d[np.isfinite(d)] if d is not None else np.empty(0)
    return bool(a.distance_m) or (d.size > 0 and bool(d.max() > d.min()))


def _from_distance(t: np.ndarray, distance: np.ndarray | None) -> np.ndarray | None:
    if distance is None or t.size < 2:
        return None
    d = np.diff(distance)
    step = np.diff(t)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.where(step > 0, d / step, np.nan)
    return np.r_[v, v[-1:]]


def _unread(speed: np.ndarray, steps: np.ndarray | None, t: np.ndarray,
            moved_m: float | None, distance_measured: bool) -> str | None:
    """Why the speed does not read the run, None where it does; judged on the samples that
    have one (a GPS lost says nothing of the stops it read before). It reads where above 0
    on at least READ_SHARE of their time cadence says running (>= WALK_SPM), or its zeros
    not mostly stepping (cadence above 0); covering at least READ_SHARE of the distance the
    session moved (_moved_m) over their share of the time; and, where neither cadence nor a
    distance (_distance_measured) measures the run, above 0 on at least READ_SHARE of their
    time.
    A runner jogs on the spot at a traffic light, not for most of a run, and a stop covers
    no distance: a speed of 0 there, a stray value aside, is a treadmill without footpod,
    whose zeros are no reading, not stops (a slow climb's low speed still reads); with
    nothing else to measure the run, zeros on most of it are no evidence of stops."""
    dt = np.diff(t)
    read = np.isfinite(speed[:-1])
    v = np.where(read, speed[:-1], 0.0)
    share = float(dt[read].sum() / dt.sum()) if dt.sum() > 0 else 0.0
    if moved_m and float((v * dt).sum()) < READ_SHARE * moved_m * share:
        return f"the speed covers under {READ_SHARE:.0%} of the session's {moved_m / 1000:.1f} km"
    if steps is None:
        if distance_measured or dt[v > 0].sum() >= READ_SHARE * dt[read].sum():
            return None
        return "nothing else measures the run (no cadence or distance)"
    stepping = read & (np.nan_to_num(steps[:-1]) > 0)
    ran = stepping & (steps[:-1] >= WALK_SPM)
    if dt[ran & (v > 0)].sum() >= READ_SHARE * dt[ran].sum():
        return None
    # a runner standing to change shoes may swing a wrist to a running cadence for a few
    # seconds: zeros that mostly take no step are stops
    zero = read & ~(v > 0)
    if dt[zero & stepping].sum() < READ_SHARE * dt[zero].sum():
        return None
    return "cadence says running"


def _steps_per_minute(cadence: np.ndarray | None) -> np.ndarray | None:
    """Cadence in steps a minute (FIT running cadence often counts one foot); None where it
    never rises above 0."""
    if cadence is None:
        return None
    seen = np.isfinite(cadence) & (cadence > 0)
    if not seen.any():
        return None
    return cadence * 2 if float(np.median(cadence[seen])) < PER_FOOT_BELOW else cadence


def _walking(steps: np.ndarray | None, speed: np.ndarray,
             moving: np.ndarray) -> tuple[np.ndarray, str]:
    if steps is not None:
        spm = steps[:-1]
        if (moving & np.isfinite(spm) & (spm > 0)).sum() > 0.5 * max(int(moving.sum()), 1):
            return np.where(np.isfinite(spm), spm < WALK_SPM, speed < WALK_MPS), "cadence"
    if not np.isfinite(speed).any():  # HR alone: walking is unknown, not judged from speed
        return np.zeros(speed.size, dtype=bool), "none"
    return speed < WALK_MPS, "speed"
