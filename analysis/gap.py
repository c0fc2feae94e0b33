"""Grade-adjusted speed (GAP): the flat-ground speed that costs the same energy.

The energy cost of running on a slope is Minetti et al.'s polynomial (Minetti, Moia, Roi,
Susta & Ferretti 2002, "Energy cost of walking and running at extreme uphill and downhill
slopes", J Appl Physiol 93:1039-1046):
    C(i) = 155.4 i^5 - 30.4 i^4 - 43.3 i^3 + 46.3 i^2 + 19.5 i + 3.6   (J/kg/m, i = grade)
GAP = speed x C(i) / C(0). Grades come from altitude smoothed over SMOOTH_S seconds and taken
over at least MIN_RUN_M metres: barometric and GPS altitude step by a metre or more at a time,
and a 1 m step over one 3 m second is not a 33 % grade.
"""

from __future__ import annotations

import numpy as np

MINETTI = (155.4, -30.4, -43.3, 46.3, 19.5, 3.6)  # highest power first, for np.polyval
FLAT_COST = MINETTI[-1]
MAX_GRADE = 0.45  # the model was fitted on -45 % .. +45 %
SMOOTH_S = 30.0  # altitude smoothing window
MIN_RUN_M = 20.0  # grades are taken over at least this horizontal distance


def cost_factor(grade: np.ndarray) -> np.ndarray:
    """Energy cost relative to flat ground (1.0 on the flat, ~1.3 at +5 %)."""
    g = np.clip(grade, -MAX_GRADE, MAX_GRADE)
    return np.polyval(MINETTI, g) / FLAT_COST


def smooth(values: np.ndarray, t: np.ndarray, window_s: float) -> np.ndarray:
    """Centred moving mean over `window_s` seconds of time (uneven sampling allowed), NaN
    samples left out of the means."""
    ok = np.isfinite(values)
    if not ok.any():
        return np.full(values.shape, np.nan)
    v = np.where(ok, values, 0.0)
    csum, ccount = np.r_[0.0, np.cumsum(v)], np.r_[0, np.cumsum(ok)]
    lo = np.searchsorted(t, t - window_s / 2, side="left")
    hi = np.searchsorted(t, t + window_s / 2, side="right")
    count = ccount[hi] - ccount[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (csum[hi] - csum[lo]) / count
    return np.where(count > 0, out, np.nan)


def grades(t: np.ndarray, altitude: np.ndarray, distance: np.ndarray) -> np.ndarray:
    """Grade per sample from smoothed altitude over >= MIN_RUN_M metres; NaN where unknown
    (no altitude near, or too little distance to take it over)."""
    alt = smooth(altitude, t, SMOOTH_S)
    dist = np.maximum.accumulate(np.where(np.isfinite(distance), distance, 0.0))
    # The nearest samples at least half the distance behind and ahead.
    lo = np.clip(np.searchsorted(dist, dist - MIN_RUN_M / 2, side="right") - 1, 0, None)
    hi = np.clip(np.searchsorted(dist, dist + MIN_RUN_M / 2, side="left"), 0, dist.size - 1)
    run = dist[hi] - dist[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        g = (alt[hi] - alt[lo]) / run
    g = np.where((run >= MIN_RUN_M / 2) & np.isfinite(g), g, np.nan)
    return np.clip(g, -MAX_GRADE, MAX_GRADE)


def grade_adjusted(speed: np.ndarray, grade: np.ndarray) -> np.ndarray:
    return speed * cost_factor(grade)
