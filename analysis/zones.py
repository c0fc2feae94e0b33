"""Heart-rate zones: from the threshold HR when known, else estimated from max and resting HR.

Joe Friel's running zones as % of lactate threshold HR (Z1 < 85 %, Z2 85-89 %, Z3 90-94 %,
Z4 95-99 %, Z5 >= 100 %), so that "zones 3-4" means the same in every rule (RULES.md).
Without a threshold HR, it is estimated at 85 % of the heart-rate reserve above resting HR
(the Karvonen method; the lactate threshold of trained runners lies near 85-90 % HRR), and
every reason that uses the zones says they are an estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.cleaning import heart_rate
from analysis.samples import fullest_stretch, sample_durations
from domain.activity import Activity
from domain.profile import Profile

FRIEL_LTHR = (0.85, 0.90, 0.95, 1.00)  # lower bounds of Z2..Z5 as a fraction of LTHR
LTHR_OF_HRR = 0.85  # estimated threshold HR: resting HR + 85 % of the reserve
# Which HR readings are the heart's: a strap reads wrong until its electrodes are wet (often
# locked on the cadence, 200-220 bpm, in the first minutes), and a spike is one reading; so
# only HR held a minute or more after the first minutes is taken as a max or above one.
SETTLE_S = 300.0
HELD_S = 60.0


@dataclass(frozen=True)
class Zones:
    lower: tuple[float, float, float, float]  # bpm where zones 2, 3, 4 and 5 begin
    source: str  # how they were obtained, in words, for the reasons

    def of(self, hr: np.ndarray) -> np.ndarray:
        """Zone 1-5 per sample; 0 where HR is missing."""
        zone = np.searchsorted(np.asarray(self.lower), hr, side="right") + 1
        return np.where(np.isnan(hr), 0, zone)

    def describe(self) -> str:
        z2, z3, z4, z5 = (round(b) for b in self.lower)
        return f"Z2 from {z2}, Z3 from {z3}, Z4 from {z4}, Z5 from {z5} bpm ({self.source})"


def zones_for(profile: Profile) -> Zones:
    if profile.threshold_hr is not None:
        lthr, source = float(profile.threshold_hr), f"% of threshold HR {profile.threshold_hr}"
    else:
        lthr = profile.rest_hr + LTHR_OF_HRR * (profile.max_hr - profile.rest_hr)
        source = (f"% of an estimated threshold HR {lthr:.0f}: estimated from max HR "
                  f"{profile.max_hr} and resting HR {profile.rest_hr}, no threshold HR set")
    z2, z3, z4, z5 = (lthr * f for f in FRIEL_LTHR)
    return Zones((z2, z3, z4, z5), source)


def held_above(t: np.ndarray, hr: np.ndarray, bpm: float) -> tuple[float, float]:
    """The longest time (seconds) HR stayed above `bpm` after the first SETTLE_S, counting
    only the readings above it (dips and dropouts shorter than 30 s bridged: a strap spiking
    every 25 s holds nothing), and the median HR of those same readings (not of every reading
    above it in the run: the number and the minutes describe one stretch)."""
    dt = sample_durations(t).held
    h = np.nan_to_num(np.asarray(hr[:-1], dtype=np.float64))
    held = fullest_stretch(t[:-1], dt, (t[:-1] >= SETTLE_S) & (h > bpm))
    if held.size == 0:
        return 0.0, 0.0
    return float(dt[held].sum()), float(np.median(h[held]))


def held_peak(t: np.ndarray, hr: np.ndarray) -> float:
    """The highest HR held HELD_S or more after the first SETTLE_S (0 when none): a spike or
    a strap locked high at the start is not the athlete's max."""
    levels = np.unique(np.nan_to_num(np.asarray(hr, dtype=np.float64)))
    lo, hi = 0, levels.size  # levels[:lo] are held, levels[hi:] are not
    while lo < hi:
        mid = (lo + hi) // 2
        if held_above(t, hr, levels[mid] - 0.5)[0] >= HELD_S:
            lo = mid + 1
        else:
            hi = mid
    return float(levels[lo - 1]) if lo else 0.0


# Without an athlete profile: generic values, and the file's own max HR where plausible.
GENERIC_MAX_HR, GENERIC_REST_HR = 190, 60
FILE_PEAK_AS_MAX_HR = (160, 220)  # a file's peak inside this range can be the athlete's max


def file_profile(activities: Sequence[Activity]) -> tuple[Profile, str]:
    """A profile for classifying files alone (no `stridelift init`), and which zones it
    gives, in words. The highest HR the files held is a lower bound of the athlete's max:
    it replaces the generic 190 when it is higher and plausible (a spike to 240 is a strap
    artefact, not a heart)."""
    peak = max((_peak(a) for a in activities), default=0.0)
    lo, hi = FILE_PEAK_AS_MAX_HR
    if max(lo, GENERIC_MAX_HR) < peak <= hi:
        max_hr = round(peak)
        how = (f"no athlete profile: zones from this file's own max HR {max_hr} (above the "
               f"generic {GENERIC_MAX_HR}) and a generic resting HR {GENERIC_REST_HR}")
    else:
        max_hr = GENERIC_MAX_HR
        seen = "" if peak <= GENERIC_MAX_HR else \
            f" (the file's peak {peak:.0f} is not a plausible max)"
        how = (f"no athlete profile: zones from a generic max HR {GENERIC_MAX_HR} and resting "
               f"HR {GENERIC_REST_HR}{seen}; run `stridelift init` for your own")
    profile = Profile(name="file", tz="UTC", sex="m", max_hr=max_hr, rest_hr=GENERIC_REST_HR,
                      runs={})
    return profile, f"{how}: {zones_for(profile).describe()}"


def _peak(a: Activity) -> float:
    """The HR the file held (held_peak) where it has ten readings or more, 0 bpm no reading
    (cleaning.heart_rate), else the watch's own max HR."""
    hr = heart_rate(a.streams.get("heart_rate"))
    if hr is not None and np.isfinite(hr).sum() >= 10:
        return held_peak(a.streams.t, hr)
    return float(a.max_hr or 0.0)
