"""Heart-rate zones: from the threshold HR when known, else estimated from max and resting HR.

With a threshold HR: Joe Friel's running zones as % of lactate threshold HR
(Z1 < 85 %, Z2 85-89 %, Z3 90-94 %, Z4 95-99 %, Z5 >= 100 %).
Without one: Karvonen's heart-rate-reserve zones (Z1 < 60 %, Z2 60-70 %, Z3 70-80 %,
Z4 80-90 %, Z5 >= 90 % of HRR), and every reason that uses them says it is an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domain.profile import Profile

FRIEL_LTHR = (0.85, 0.90, 0.95, 1.00)  # lower bounds of Z2..Z5 as a fraction of LTHR
KARVONEN_HRR = (0.60, 0.70, 0.80, 0.90)  # lower bounds of Z2..Z5 as a fraction of HRR


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
        lthr = profile.threshold_hr
        bounds = tuple(lthr * f for f in FRIEL_LTHR)
        return Zones(bounds, f"% of threshold HR {lthr}")  # type: ignore[arg-type]
    reserve = profile.max_hr - profile.rest_hr
    bounds = tuple(profile.rest_hr + reserve * f for f in KARVONEN_HRR)
    return Zones(bounds, f"estimated from max HR {profile.max_hr} and resting HR "  # type: ignore[arg-type]
                 f"{profile.rest_hr}, no threshold HR set")
