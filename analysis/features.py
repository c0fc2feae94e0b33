"""The measurable facts about one run that the classification rules read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from analysis.samples import sample_durations
from analysis.zones import Zones, zones_for
from domain.activity import Activity, Lap
from domain.profile import Profile

WORK = frozenset({"active", "interval"})
EASE = frozenset({"rest", "recovery"})
# A lap pattern is only intervals if the effort really alternates (project defaults): work
# laps at least 15 % faster, or at least 8 bpm higher, than the recoveries.
MIN_SPEED_CONTRAST = 1.15
MIN_HR_CONTRAST = 8.0
ZONE_GAP_S = 30.0  # dips out of zones 3-4 shorter than this do not break a tempo stretch
CV_BIN_S = 30.0
MIN_CV_BINS = 10
MOVING_MPS = 0.5  # slower bins are standing still, not running slowly


@dataclass(frozen=True)
class Intervals:
    work_laps: int
    work_s: float
    work_hr: float | None
    rest_s: float

    def describe(self) -> str:
        hr = f" at {self.work_hr:.0f} bpm" if self.work_hr is not None else ""
        return (f"{self.work_laps} work laps of {_mmss(self.work_s)}{hr} alternating with "
                f"{_mmss(self.rest_s)} recoveries")


@dataclass(frozen=True)
class RunFeatures:
    minutes: float
    distance_km: float | None
    avg_hr: float
    max_hr: float
    hr_available: bool  # any HR at all (samples or summary)
    zones: Zones
    zone_minutes: tuple[float, ...]  # minutes in zones 1-5; all 0 without HR samples
    z34_longest_minutes: float
    speed_cv: float | None
    intervals: Intervals | None
    notes: tuple[str, ...]  # facts worth telling even when no rule used them

    @property
    def z5_minutes(self) -> float:
        return self.zone_minutes[4]

    @property
    def z1_share(self) -> float:
        total = sum(self.zone_minutes)
        return self.zone_minutes[0] / total if total else 0.0

    def context(self) -> tuple[str, ...]:
        dist = f", {self.distance_km:.1f} km" if self.distance_km else ""
        hr = f", average HR {self.avg_hr:.0f} bpm" if self.hr_available else ""
        lines = [f"{self.minutes:.0f} min{dist}{hr}"]
        if sum(self.zone_minutes):
            spread = " / ".join(f"{m:.0f}" for m in self.zone_minutes)
            lines.append(f"minutes in zones 1-5: {spread}; {self.zones.describe()}")
        elif not self.hr_available:
            lines.append("no heart rate: classified from pace, laps and duration")
        return (*lines, *self.notes)


def run_features(a: Activity, profile: Profile) -> RunFeatures:
    zones = zones_for(profile)
    t, hr = a.streams.t, a.streams.get("heart_rate")
    zone_minutes, z34 = _zone_time(t, hr, zones)
    hr_ok = hr is not None and bool(np.isfinite(hr).any()) and bool(np.nanmax(hr) > 0)
    avg = a.avg_hr or (float(np.nanmean(hr)) if hr_ok and hr is not None else 0.0)
    peak = a.max_hr or (float(np.nanmax(hr)) if hr_ok and hr is not None else 0.0)
    intervals, notes = _intervals(a.laps)
    return RunFeatures(
        minutes=a.duration_s / 60, distance_km=a.distance_m / 1000 if a.distance_m else None,
        avg_hr=avg, max_hr=peak, hr_available=avg > 0, zones=zones, zone_minutes=zone_minutes,
        z34_longest_minutes=z34, speed_cv=_speed_cv(t, a.streams.get("speed")),
        intervals=intervals, notes=notes)


def _zone_time(t: np.ndarray, hr: np.ndarray | None,
               zones: Zones) -> tuple[tuple[float, ...], float]:
    if hr is None or t.size < 2:
        return (0.0,) * 5, 0.0
    dt, _, _ = sample_durations(t)
    zone = zones.of(np.asarray(hr[:-1], dtype=np.float64))
    minutes = tuple(float(dt[zone == z].sum()) / 60 for z in range(1, 6))
    return minutes, _longest_stretch(t[:-1], dt, (zone == 3) | (zone == 4)) / 60


def _longest_stretch(t: np.ndarray, dt: np.ndarray, inside: np.ndarray) -> float:
    """Longest time inside, bridging excursions shorter than ZONE_GAP_S (seconds)."""
    if not inside.any():
        return 0.0
    idx = np.flatnonzero(inside)
    # A new stretch starts where the time since the previous inside sample exceeds the gap.
    starts = np.r_[True, (t[idx[1:]] - (t[idx[:-1]] + dt[idx[:-1]])) > ZONE_GAP_S]
    group = np.cumsum(starts) - 1
    begin = np.full(group[-1] + 1, np.inf)
    end = np.zeros(group[-1] + 1)
    np.minimum.at(begin, group, t[idx])
    np.maximum.at(end, group, t[idx] + dt[idx])
    return float((end - begin).max())


def _speed_cv(t: np.ndarray, speed: np.ndarray | None) -> float | None:
    """Coefficient of variation of 30-s mean speeds while moving; None when too short."""
    if speed is None or t.size < 2:
        return None
    ok = np.isfinite(speed)
    bins = (t[ok] // CV_BIN_S).astype(np.int64)
    if bins.size == 0:
        return None
    sums = np.bincount(bins - bins.min(), weights=speed[ok])
    counts = np.bincount(bins - bins.min())
    means = sums[counts > 0] / counts[counts > 0]
    means = means[means >= MOVING_MPS]
    if means.size < MIN_CV_BINS or means.mean() <= 0:
        return None
    return float(means.std() / means.mean())


def _intervals(laps: tuple[Lap, ...]) -> tuple[Intervals | None, tuple[str, ...]]:
    """Work laps that alternate with recovery laps, if the effort really alternates."""
    seq = [lap for lap in laps if lap.intensity in WORK | EASE]
    work = [lap for i, lap in enumerate(seq) if lap.intensity in WORK and _next_to(seq, i, EASE)]
    rest = [lap for i, lap in enumerate(seq) if lap.intensity in EASE and _next_to(seq, i, WORK)]
    if not work or not rest:
        return None, ()
    w_speed, r_speed = _mean(_speed(x) for x in work), _mean(_speed(x) for x in rest)
    w_hr, r_hr = _mean(x.avg_hr for x in work), _mean(x.avg_hr for x in rest)
    if w_speed is not None and r_speed is not None:
        steady = w_speed < MIN_SPEED_CONTRAST * r_speed
    elif w_hr is not None and r_hr is not None:
        steady = w_hr < r_hr + MIN_HR_CONTRAST
    else:
        steady = False  # nothing to compare: trust the lap intensities
    if steady:
        return None, (f"laps are marked work/recovery but the effort is steady "
                      f"({_contrast(w_speed, r_speed, w_hr, r_hr)}), so not intervals",)
    return Intervals(len(work), _mean(x.duration_s for x in work) or 0.0, w_hr,
                     _mean(x.duration_s for x in rest) or 0.0), ()


def _next_to(seq: list[Lap], i: int, kinds: frozenset[str]) -> bool:
    return any(0 <= j < len(seq) and seq[j].intensity in kinds for j in (i - 1, i + 1))


def _speed(lap: Lap) -> float | None:
    if lap.avg_speed:
        return lap.avg_speed
    return lap.distance_m / lap.duration_s if lap.distance_m and lap.duration_s else None


def _mean(values: Iterable[float | None]) -> float | None:
    got = [float(v) for v in values if v is not None]
    return sum(got) / len(got) if got else None


def _contrast(ws: float | None, rs: float | None, wh: float | None, rh: float | None) -> str:
    if ws is not None and rs is not None:
        return f"work {ws:.2f} m/s vs recovery {rs:.2f} m/s"
    return f"work {wh:.0f} bpm vs recovery {rh:.0f} bpm"


def _mmss(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"
