"""How long each stream sample lasts, shared by every per-sample measure (TRIMP, zones)."""

from __future__ import annotations

import numpy as np

# A longer gap is a pause (timer stopped) or a strap dropout, not time spent at that HR.
MAX_SAMPLE_GAP_S = 30.0


def sample_durations(t: np.ndarray) -> tuple[np.ndarray, int, float]:
    """Seconds each sample holds until the next (the last sample closes the record, so the
    result is one shorter than `t`), how many pauses were shortened, and the usual step they
    were shortened to."""
    dt = np.diff(np.asarray(t, dtype=np.float64))
    normal = (dt > 0) & (dt <= MAX_SAMPLE_GAP_S)
    step = float(np.median(dt[normal])) if normal.any() else 1.0
    gaps = int(np.count_nonzero(dt > MAX_SAMPLE_GAP_S))
    return np.where(dt > MAX_SAMPLE_GAP_S, step, np.clip(dt, 0.0, None)), gaps, step
