"""The measurable facts about one run that the classification rules read, after cleaning."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.cleaning import (
    GRADED_SHARE,
    STOP_MPS,
    WALK_MPS,
    WALK_SPM,
    Clean,
    clean,
    heart_rate,
)
from analysis.samples import (
    across_stops,
    longest_stretch,
    moving_clock,
    sample_durations,
)
from analysis.shown import in_seconds, shown_duration
from analysis.zones import FILE_PEAK_AS_MAX_HR, HELD_S, Zones, held_above, zones_for
from domain.activity import Activity
from domain.pointer import SERVER, Pointer
from domain.profile import Profile

MAX_HR_CHECK = "check your max HR: "  # begins the warning, so stored reasons show it
# The warning's fix, worded where it is shown (classify.warnings_in): the stored reason holds
# the fact and its numbers, the same for the CLI and the web app.
MAX_HR_FIX = Pointer(cli="set max_hr in config to your real max (`stridelift init --max-hr N`)",
                     web=f"set max_hr in config.toml on {SERVER} to your real max")
WALKING_FROM = {  # the cleaned line's walking, by what told it (analysis.cleaning)
    "cadence": f"{{}} walking marked (walking from cadence < {WALK_SPM:g} spm)",
    "speed": f"{{}} walking marked (walking from speed < {WALK_MPS:g} m/s)",
    "none": "no walking marked (no cadence or speed to tell it)"}


@dataclass(frozen=True)
class RunFeatures:
    minutes: float  # timer time
    moving_minutes: float  # without stops; the timer time when there are no samples
    walking_minutes: float
    distance_km: float | None
    avg_hr: float
    max_hr: float
    hr_available: bool  # any HR at all (samples or summary)
    zones: Zones
    zone_minutes: tuple[float, ...]  # minutes in zones 1-5; all 0 without HR samples
    z34_longest_minutes: float
    z45_longest_minutes: float
    z35_longest_minutes: float  # zone 3 and up: a tempo drifting into zone 5
    gap_mps: float | None  # mean moving grade-adjusted speed
    clean: Clean | None
    # HR held above the profile's max HR: (minutes, median bpm above it), None when it never
    # was for HELD_S (analysis.zones: a real reading, not a spike or a strap settling)
    above_max: tuple[float, float] | None = None

    @property
    def z5_minutes(self) -> float:
        return self.zone_minutes[4]

    @property
    def z1_share(self) -> float:
        total = sum(self.zone_minutes)
        return self.zone_minutes[0] / total if total else 0.0

    def max_hr_warning(self, max_hr: int) -> str | None:
        """Says that the profile's max HR is likely too low: zones below the real ones read
        easy runs as threshold. The max is never raised silently: the user sets it (its fix,
        MAX_HR_FIX, is added where the warning is shown)."""
        if self.above_max is None:
            return None
        minutes, bpm = self.above_max
        return (f"{MAX_HR_CHECK}HR held {bpm:.0f} for {minutes:.0f} min, above your max HR "
                f"{max_hr} in the profile: zones may be too low (easy runs read as threshold)")

    def moving_part(self, part_s: float, *limits: float) -> str | None:
        """The part of the moving time a figure rests on (`part_s` of the cleaned samples'
        moving seconds: those with speed, or with HR), shown as the moving time is beside
        `limits`; None where, so shown, it is all of it (one dropped sample says nothing).
        Its share of the moving time shown, which ends at the timer's end."""
        c = self.clean
        if c is None or not c.moving_s:
            return None
        seconds = in_seconds(self.moving_minutes) or None  # "18 s of the 58 min", not "0 min"
        part, whole = (shown_duration(minutes, *limits, seconds=seconds) for minutes in (
            self._as_moving(part_s), self.moving_minutes))
        return None if part == whole else part

    def _as_moving(self, part_s: float) -> float:
        """Minutes of `part_s`, seconds of the cleaned samples' moving time, as the moving
        time counts them: cut alike where the timer ended before the samples (a last record
        after it stopped), so no part reads more than the moving time."""
        c = self.clean
        moving_s = c.moving_s if c is not None else 0.0
        return self.moving_minutes * min(part_s / moving_s, 1.0) if moving_s else part_s / 60

    def context(self) -> tuple[str, ...]:
        dist = f", {self.distance_km:.1f} km" if self.distance_km else ""
        hr = f", average HR {self.avg_hr:.0f} bpm" if self.hr_available else ""
        seconds = in_seconds(self.minutes, self.moving_minutes)  # not "0 min (0 min moving)"
        per_minute = 60 if seconds else 1  # units shown in a minute

        def shown(minutes: float) -> str:
            return shown_duration(minutes, seconds=seconds)

        lines = [f"{shown(self.minutes)} ({shown(self.moving_minutes)} moving){dist}{hr}"]
        c = self.clean
        # the time shown less the moving time shown: "146 min (145 min moving)" read beside
        # "2 min stopped removed" (1.8 rounded), and "44 min (43 min moving)" beside none
        stopped = (round(self.minutes * per_minute)
                   - round(self.moving_minutes * per_minute)) / per_minute
        if c is not None and (stopped > 0 or self.walking_minutes >= 1):
            walking = WALKING_FROM[c.walk_source].format(shown(self.walking_minutes))
            lines.append(f"cleaned: {shown(stopped)} stopped removed (speed < {STOP_MPS:g} m/s "
                         f"or timer paused), {walking}")
        if c is not None and c.unread_why is not None and c.unread_s:
            lines.append(f"speed 0 on {shown(self._as_moving(c.unread_s))} read as no reading, "
                         f"not stops: {c.unread_why}")
        graded = c is not None and c.has_altitude
        if self.gap_mps is not None and c is not None:
            what = self._graded(c)
            # the mean of the moving time that has speed (a swim's 18 s of 58 min)
            known = self.moving_part(c.speed_known_s)
            basis = "" if known is None else \
                f", from {known} of the {shown(self.moving_minutes)} moving (the rest has " \
                "no speed)"
            lines.append(f"moving speed {self.gap_mps:.2f} m/s, {what}{basis}")
        if sum(self.zone_minutes):  # in the line's units: a 22-s run's are not "0 / 0 / ..."
            spread = " / ".join(f"{self._as_moving(m * 60) * per_minute:.0f}"
                                for m in self.zone_minutes)
            units = "seconds" if seconds else "minutes"
            lines.append(f"{units} in zones 1-5: {spread}; {self.zones.describe()}")
        elif not self.hr_available:  # a footpod's cadence alone has no speed to judge by
            lines.append(self._without_hr(graded))
        if self.hr_available and c is not None and c.moving.any() and \
                self.gap_mps is None:  # no speed while moving: no surges were looked for
            lines.append("no speed: classified from HR, laps and duration")
        return tuple(lines)

    def _graded(self, c: Clean) -> str:
        """Whether the moving speed is grade-adjusted, and on how much of the moving time
        with speed altitude gave a grade where not all of it (cleaning.GRADED_SHARE)."""
        part, known = self.moving_part(c.graded_s), self.moving_part(c.speed_known_s)
        if not c.graded_s:  # altitude without a distance advancing under it grades nothing
            return "plain: altitude, but no grade from it (the distance recorded does not " \
                "advance)" if c.altitude_s else "no altitude, so plain"
        of = f"{part} of the " + (f"{shown_duration(self.moving_minutes)} moving" if known is None
                                  else f"{known} moving with speed")
        if not c.has_altitude:
            return f"plain: altitude on only {of} (GAP needs it on >= {GRADED_SHARE:.0%})"
        return "grade-adjusted (Minetti 2002)" + (
            "" if part == known else f" where altitude gives a grade, {of} (plain speed "
            "elsewhere)")

    def _without_hr(self, graded: bool) -> str:
        """What a run without HR was judged by: its speed, else laps and duration; a run
        with speed but never moving (a watch started and stopped at once) is not said to
        have none."""
        if self.gap_mps is not None:
            speed = "grade-adjusted speed" if graded else "speed"
            return f"no heart rate: classified from {speed}, laps and duration"
        c = self.clean
        # never moving, walking is told from speed only where some sample has one
        if c is not None and not c.moving.any() and c.walk_source == "speed":
            return f"no heart rate, and {_never_moving(c)}: classified from laps and duration"
        return "no heart rate or speed: classified from laps and duration"


def _never_moving(c: Clean) -> str:
    """Why a run with speed has no moving time, each cause only where it holds: its speed (a
    watch started and stopped at once), or samples far enough apart to be read as timer
    pauses (analysis.samples), whatever their speed."""
    if not (~c.stopped & (c.dt > 0)).any():  # each sample stopped by its speed
        return f"stopped throughout (speed < {STOP_MPS:g} m/s)"
    slow = f"speed < {STOP_MPS:g} m/s, or " if c.stopped.any() else ""
    return (f"no moving time ({slow}samples > {c.pause_s} s apart, read as timer "
            "pauses)")


def run_features(a: Activity, profile: Profile) -> RunFeatures:
    zones = zones_for(profile)
    hr = heart_rate(a.streams.get("heart_rate"))  # 0 bpm no reading, as cleaning reads it
    c = clean(a)
    zone_minutes, (z34, z45, z35) = _zone_time(a.streams.t, hr, zones,
                                               c.moving if c is not None else None)
    avg = a.avg_hr or (float(np.nanmean(hr)) if hr is not None else 0.0)
    peak = a.max_hr or (float(np.nanmax(hr)) if hr is not None else 0.0)
    moving = c.moving_s / 60 if c is not None else a.duration_s / 60
    held, held_bpm = _held_above_max(a.streams.t, hr, profile.max_hr) \
        if hr is not None else (0.0, 0.0)
    return RunFeatures(
        minutes=a.duration_s / 60, moving_minutes=min(moving, a.duration_s / 60) or moving,
        walking_minutes=c.walking_s / 60 if c is not None else 0.0,
        distance_km=a.distance_m / 1000 if a.distance_m else None,
        avg_hr=avg, max_hr=peak, hr_available=avg > 0, zones=zones, zone_minutes=zone_minutes,
        z34_longest_minutes=z34, z45_longest_minutes=z45, z35_longest_minutes=z35,
        gap_mps=c.mean_gap(c.moving) if c is not None else None, clean=c,
        above_max=(held / 60, held_bpm) if held >= HELD_S else None)


def _held_above_max(t: np.ndarray, hr: np.ndarray, max_hr: int) -> tuple[float, float]:
    """HR held above the profile's max (analysis.zones.held_above), read off the readings a
    heart can give: past FILE_PEAK_AS_MAX_HR a strap is locked or glitching, and a wrong max is
    no explanation (it counts as a dropout, bridged but not held)."""
    return held_above(t, np.where(hr <= FILE_PEAK_AS_MAX_HR[1], hr, np.nan), max_hr)


def _zone_time(t: np.ndarray, hr: np.ndarray | None, zones: Zones,
               moving: np.ndarray | None) -> tuple[tuple[float, ...], tuple[float, float, float]]:
    """Minutes in each zone while moving (a cafe stop's low HR is not a recovery run), and
    the longest stretches (minutes) in zones 3-4, 4-5 and 3-5 on moving time: a stop or a
    timer pause takes no time and ends no stretch where HR is back in the band soon after
    (analysis.samples.across_stops), as a tempo goes on after a traffic light; a stop longer
    than a rest between cruise intervals (a cafe) ends it (analysis.samples.moving_clock).
    `moving`: per sample but the last, None where the run has too few samples to clean."""
    if hr is None or t.size < 2:
        return (0.0,) * 5, (0.0, 0.0, 0.0)
    dt = sample_durations(t).held
    zone = zones.of(np.asarray(hr[:-1], dtype=np.float64))
    counted = dt if moving is None else np.where(moving, dt, 0.0)
    minutes = tuple(float(counted[zone == z].sum()) / 60 for z in range(1, 6))
    ran = np.ones(dt.size, dtype=bool) if moving is None else moving
    clock, lengths = moving_clock(t, dt, ran)
    z34, z45, z35 = (longest_stretch(clock, lengths, across_stops(clock, ran, inside)) / 60
                     for inside in ((zone == 3) | (zone == 4), zone >= 4, zone >= 3))
    return minutes, (z34, z45, z35)
