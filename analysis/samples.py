"""How long each stream sample lasts, shared by every per-sample measure (TRIMP, zones), and
how long a condition holds."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# A longer gap is a pause (timer stopped) or a strap dropout, not time spent at that HR...
MAX_SAMPLE_GAP_S = 30.0
# ...and so is one longer than this many of the file's usual (median) intervals: a watch
# recording once a minute (old watches, smart recording) writes 60-s gaps while running.
PAUSE_OF_USUAL = 2.0
ZONE_GAP_S = 30.0  # dips out of a zone band shorter than this do not break a stretch
# After a stop or a timer pause HR needs up to this much running to climb back into a band
# (HR on-kinetics: most of a step change within 1-2 min), and a stretch goes on across it.
RESUME_S = 120.0
# A longer stop or pause ends a stretch: 2 x 10 min with 10 min paused is one threshold
# session (cruise intervals), 10 min in zone 3 either side of a cafe or lunch is not.
MAX_STOP_ACROSS_S = 900.0


class Durations(NamedTuple):
    """Seconds each sample holds until the next (the last sample closes the record, so one
    shorter than the times), how many pauses were shortened, the usual step they were
    shortened to, and the gap past which this file's samples read as a pause."""

    held: np.ndarray
    pauses: int
    step: float
    pause_s: float


def sample_durations(t: np.ndarray) -> Durations:
    """How long each sample of times `t` (seconds) lasts, pauses shortened to the usual step."""
    dt = np.diff(np.asarray(t, dtype=np.float64))
    pause = pause_gap_s(dt)
    normal = (dt > 0) & (dt <= pause)
    step = float(np.median(dt[normal])) if normal.any() else 1.0
    gaps = int(np.count_nonzero(dt > pause))
    return Durations(np.where(dt > pause, step, np.clip(dt, 0.0, None)), gaps, step, pause)


def pause_gap_s(dt: np.ndarray) -> float:
    """The gap between samples (`dt`, seconds) past which a file's samples are read as a
    pause: MAX_SAMPLE_GAP_S, or PAUSE_OF_USUAL times the file's usual interval where it
    records more sparsely, so that a run sampled once a minute is moving, and a pause in a
    1-s recording still is one."""
    step = dt[dt > 0]
    usual = float(np.median(step)) if step.size else 0.0
    return max(MAX_SAMPLE_GAP_S, PAUSE_OF_USUAL * usual)


def longest_stretch(t: np.ndarray, dt: np.ndarray, inside: np.ndarray) -> float:
    """Longest time inside, bridging excursions shorter than ZONE_GAP_S (seconds)."""
    if not inside.any():
        return 0.0
    idx, group = stretch_ids(t, dt, inside)
    begin = np.full(group[-1] + 1, np.inf)
    end = np.zeros(group[-1] + 1)
    np.minimum.at(begin, group, t[idx])
    np.maximum.at(end, group, t[idx] + dt[idx])
    return float((end - begin).max())


def moving_clock(t: np.ndarray, dt: np.ndarray,
                 moving: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's start and length on a clock that runs only while moving: stops and
    timer pauses take no time (RULES.md: rules judge moving time), but one longer than
    MAX_STOP_ACROSS_S keeps its real length on the clock, so no stretch goes on across it.
    `t`: the samples' times (one more than `dt`: pauses are in `t`, not in `dt`)."""
    lengths = np.where(moving, dt, 0.0)
    step = lengths.copy()
    first = np.flatnonzero(~moving & np.r_[True, moving[:-1]])  # each stop's first sample
    ran = np.flatnonzero(moving)
    length = t[np.r_[ran, moving.size][np.searchsorted(ran, first)]] - t[first]
    step[first] = np.where(length > MAX_STOP_ACROSS_S, length, 0.0)
    return np.r_[0.0, np.cumsum(step)[:-1]], lengths


def across_stops(clock: np.ndarray, moving: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """The moving samples inside, and those after a stop or pause while HR climbs back: where
    HR was inside before it and is again within RESUME_S of moving (`clock`, moving_clock)
    after, the stretch goes on across it; a run that stops in a band and goes on below it
    does not, nor one whose stop the clock runs through (longer than MAX_STOP_ACROSS_S)."""
    out = inside & moving
    ran = np.flatnonzero(moving)
    for s in np.flatnonzero(moving[1:] & ~moving[:-1]) + 1:
        before = np.searchsorted(ran, s) - 1
        if before < 0 or not out[ran[before]] or clock[s] > clock[ran[before] + 1]:
            continue
        end = int(np.searchsorted(clock, clock[s] + RESUME_S))
        back = np.flatnonzero(out[s:end])
        if back.size:
            out[s:s + back[0]] |= moving[s:s + back[0]]
    return out


def fullest_stretch(t: np.ndarray, dt: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """The samples inside (indices) of the stretch with the most time inside: excursions
    shorter than ZONE_GAP_S join the stretch but are not counted, so spikes 25 s apart are
    seconds, not minutes. Empty when nothing is inside."""
    if not inside.any():
        return np.flatnonzero(inside)
    idx, group = stretch_ids(t, dt, inside)
    return idx[group == int(np.argmax(np.bincount(group, weights=dt[idx])))]


def stretch_ids(t: np.ndarray, dt: np.ndarray, inside: np.ndarray,
                bridge_s: float = ZONE_GAP_S) -> tuple[np.ndarray, np.ndarray]:
    """The samples inside, and the stretch (0, 1, ...) each belongs to: a gap longer than
    `bridge_s` (seconds) from one sample's end to the next one's start begins a stretch."""
    idx = np.flatnonzero(inside)
    starts = np.r_[True, (t[idx[1:]] - (t[idx[:-1]] + dt[idx[:-1]])) > bridge_s]
    return idx, np.cumsum(starts) - 1
