"""How long each stream sample lasts, shared by every per-sample measure (TRIMP, zones), and
how long a condition holds."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# A longer gap is a pause (timer stopped) or a strap dropout, not time spent at that HR...
MAX_SAMPLE_GAP_S = 30.0
# ...and so is one longer than this many of the usual intervals around it: a watch recording
# once a minute (old watches, smart recording, a switch part-way) writes 60-s gaps running.
PAUSE_OF_USUAL = 2.0
# The usual interval around a gap: the median of this many gaps each side of it. A gap is a
# pause only where it is well above both sides: the first 60-s gap after 1-s recording is
# above the 1-s gaps before it, not the 60-s gaps after it.
AROUND = 10
# The sparsest recording taken for one (once a minute, a watch's longest interval setting;
# RULES.md is silent): a file whose gaps are mostly pauses does not make a pause its usual
# interval, so a 5-min stop stays a stop however sparse the file.
SPARSEST_RECORDING_S = 60.0
ZONE_GAP_S = 30.0  # dips out of a zone band shorter than this do not break a stretch
# After a stop or a timer pause HR needs up to this much running to climb back into a band
# (HR on-kinetics: most of a step change within 1-2 min), and a stretch goes on across it.
RESUME_S = 120.0
# A longer stop or pause ends a stretch: 2 x 10 min with 10 min paused is one threshold
# session (cruise intervals), 10 min in zone 3 either side of a cafe or lunch is not.
MAX_STOP_ACROSS_S = 900.0


class Durations(NamedTuple):
    """Seconds each sample holds until the next (the last sample closes the record, so one
    shorter than the times), and per gap whether it is a pause, the usual interval it is
    shortened to, and the gap past which it would read as one (worked out only for gaps
    past MAX_SAMPLE_GAP_S, the only ones that can be: NaN and MAX_SAMPLE_GAP_S for the rest)."""

    held: np.ndarray
    paused: np.ndarray  # bool
    usual: np.ndarray
    pause_at: np.ndarray

    @property
    def pauses(self) -> int:
        return int(np.count_nonzero(self.paused))

    def pause_words(self) -> str:
        """The gap past which the pauses were read (all gaps where none was), in seconds:
        "30", or "30 to 120" where the recording interval changed."""
        return figures(self.pause_at[self.paused] if self.paused.any() else self.pause_at)

    def usual_words(self) -> str:
        """The usual intervals the pauses were shortened to, in seconds, as pause_words."""
        return figures(self.usual[self.paused])


def figures(seconds: np.ndarray) -> str:
    """One figure where the values agree, else their range ("30 to 120")."""
    lo, hi = (float(f(seconds)) for f in (np.min, np.max)) if seconds.size else (0.0, 0.0)
    return f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}"


def sample_durations(t: np.ndarray) -> Durations:
    """How long each sample of times `t` (seconds) lasts, pauses shortened to the usual
    interval around them."""
    dt = np.diff(np.asarray(t, dtype=np.float64))
    usual, pause_at = np.full(dt.size, np.nan), np.full(dt.size, MAX_SAMPLE_GAP_S)
    # no gap up to MAX_SAMPLE_GAP_S is a pause: the intervals around only the longer ones
    # are looked at (a few in a 1-s file), not around each of 100k samples
    long = np.flatnonzero(dt > MAX_SAMPLE_GAP_S)
    before, after = _usual_around(dt, long)
    own = np.minimum(dt[long], SPARSEST_RECORDING_S)  # a gap alone in its file
    # the interval the sample before a pause was recorded at, else the one after it
    usual[long] = np.where(np.isnan(before), np.where(np.isnan(after), own, after), before)
    around = np.fmax(before, after)  # above both sides: the larger
    pause_at[long] = np.maximum(MAX_SAMPLE_GAP_S, PAUSE_OF_USUAL * np.where(
        np.isnan(around), own, around))
    paused = dt > pause_at
    return Durations(np.where(paused, usual, np.clip(dt, 0.0, None)), paused, usual, pause_at)


def _usual_around(dt: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the gaps `at` (indices into `dt`), the median of the AROUND gaps before each and
    of those after it (gaps of 0 left out, each taken at most SPARSEST_RECORDING_S), NaN
    where there are none."""
    step = np.where(dt > 0, np.minimum(dt, SPARSEST_RECORDING_S), np.nan)
    pad = np.full(AROUND, np.nan)
    padded = np.r_[pad, step, pad]  # gap i at AROUND + i
    before, after = (np.sort(padded[at[:, None] + np.arange(AROUND) + start], axis=1)
                     for start in (0, AROUND + 1))  # NaN sorts last
    return _median(before), _median(after)


def _median(windows: np.ndarray) -> np.ndarray:
    """Each sorted row's median of its values (NaN last), NaN where it has none."""
    count = np.isfinite(windows).sum(axis=1)
    rows = np.arange(windows.shape[0])
    lo, hi = (windows[rows, np.maximum(k, 0)] for k in ((count - 1) // 2, count // 2))
    return np.where(count > 0, (lo + hi) / 2, np.nan)


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
