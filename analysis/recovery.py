"""Recovery status per day: green, amber or red with reasons (RULES.md S7.3).

Pure (no I/O, no clock). `recovery_frame` decides every day at once: rolling baselines with
pandas, one boolean column per rule, the level. `recovery_statuses` explains that frame day
by day. Missing inputs never block: a missing value triggers no rule and is listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from domain.wellness import DailyWellness

Level = Literal["green", "amber", "red"]
Values = dict[str, float | str | None]

# HRV-guided training defaults (Kiviniemi 2007, Vesterinen 2016, Plews 2014; RULES.md S7.3):
# a 60-day ln(HRV) baseline, a 7-day rolling signal, a normal band of μ ± 0.5σ.
HRV_BASELINE_DAYS = 60
HRV_MIN_NIGHTS = 14  # project default: fewer nights give no usable σ
HRV_SIGNAL_DAYS = 7
HRV_SIGNAL_MIN_NIGHTS = 3
HRV_BAND_SD = 0.5
HRV_RED_DAYS = 2  # below the band this many days running is red
# Garmin's own levels as a second opinion (RULES.md S7.3).
READINESS_LEVELS = frozenset({"POOR", "LOW", "MODERATE", "HIGH", "PRIME"})
RED_HRV_STATUSES = ("LOW", "POOR")
SLEEP_MIN = 60  # sleep score below this is amber (RULES.md S7.3)
RHR_DAYS = 30  # resting-HR reference: mean of the 30 days before (RULES.md S7.3)
RHR_MIN_DAYS = 7  # project default: fewer days give no reference mean
RHR_RISE_BPM = 5.0  # more than this above the mean is amber on its own (RULES.md S7.3)
# "Raised" for the HRV-above-band rule (RULES.md S7.3): a smaller rise than RHR_RISE_BPM,
# which fires on its own anyway, so that the combined rule adds something. Project default.
RHR_RAISED_BPM = 2.0
TSB_MIN = -30.0  # form below this is amber (RULES.md S7.3)
ACWR_MAX = 1.5  # EWMA ACWR above this is a spike flag (Impellizzeri et al. 2020)
NO_DATA = "no recovery data: planning on load alone"
# Rule columns of recovery_frame with the level each sets; reasons are listed in this order.
RULES: tuple[tuple[str, Level], ...] = (
    ("hrv_below_days_running", "red"), ("hrv_status_low", "red"), ("readiness_poor", "red"),
    ("hrv_below_once", "amber"), ("readiness_low", "amber"), ("sleep_low", "amber"),
    ("resting_hr_high", "amber"), ("tsb_low", "amber"), ("acwr_high", "amber"),
    ("hrv_above_resting_hr_raised", "amber"))
VALUE_KEYS = ("hrv_signal", "band_low", "band_high", "hrv_below_days", "hrv_status",
              "readiness_level", "sleep_score", "resting_hr", "resting_hr_mean30", "tsb",
              "acwr")


@dataclass(frozen=True)
class RecoveryStatus:
    day: date
    level: Level
    reasons: tuple[str, ...]
    values: Values = field(hash=False)
    missing: tuple[str, ...] = ()


class _Day(NamedTuple):
    """One row of recovery_frame with None for missing values: what the texts read."""

    day: date
    hrv_signal: float | None
    band_low: float | None
    band_high: float | None
    hrv_below_days: int
    hrv_signal_nights: int
    hrv_baseline_nights: int
    hrv_status: str | None
    readiness_level: str | None
    sleep_score: float | None
    resting_hr: float | None
    resting_hr_mean30: float | None
    resting_hr_days: int
    tsb: float | None
    acwr: float | None


def recovery_frame(days: list[DailyWellness], load: pd.DataFrame | None, start: date,
                   end: date) -> pd.DataFrame:
    """Every day from `start` to `end`: values used, their counts, one boolean column per
    rule in RULES, `no_data` and `level`, indexed by day.

    `days` should reach back 60 days before `start` for a baseline; `load` is
    `training_load`'s frame (its `tsb` and `acwr` columns), or None.
    """
    columns = _decide(days, load, start, end)
    return pd.DataFrame(columns, index=pd.date_range(start, end, freq="D", name="day"))


def recovery_statuses(days: list[DailyWellness], load: pd.DataFrame | None, start: date,
                      end: date) -> list[RecoveryStatus]:
    """One explained status per day from `start` to `end` inclusive (see recovery_frame)."""
    columns = _decide(days, load, start, end)
    ordinal = start.toordinal()
    dates = [date.fromordinal(ordinal + i) for i in range(columns["level"].size)]
    python = {name: _python(columns[name]) for name in _Day._fields[1:]}
    rows = [_Day._make(r) for r in zip(dates, *python.values(), strict=True)]
    values = [dict(zip(VALUE_KEYS, r, strict=True))
              for r in zip(*(python[key] for key in VALUE_KEYS), strict=True)]
    reasons, missing = _reasons(columns, rows), _missing(columns, rows)
    return [RecoveryStatus(*status) for status in zip(
        dates, columns["level"].tolist(), map(tuple, reasons), values, map(tuple, missing),
        strict=True)]


def _decide(days: list[DailyWellness], load: pd.DataFrame | None, start: date,
            end: date) -> dict[str, np.ndarray]:
    """The columns of recovery_frame as arrays."""
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")
    first, raw = _inputs(days, start, end)
    columns = _baselines(raw)
    columns.update(_load_columns(load, first, end))
    skip = (start - first).days
    columns = {name: values[skip:] for name, values in columns.items()}
    flags = _flags(columns)
    red = np.logical_or.reduce([flags[name] for name, level in RULES if level == "red"])
    amber = np.logical_or.reduce([flags[name] for name, level in RULES if level == "amber"])
    no_data = np.logical_and.reduce([_absent(columns[name]) for name in (
        "hrv_signal", "hrv_status", "readiness_level", "sleep_score", "resting_hr")])
    level = np.where(red, "red", np.where(amber, "amber", "green")).astype(object)
    return {**columns, **flags, "no_data": no_data, "level": level}


_FIELDS = attrgetter("day", "hrv_last_night", "resting_hr", "sleep_score", "hrv_status",
                     "readiness_level")


def _inputs(days: list[DailyWellness], start: date,
            end: date) -> tuple[date, dict[str, np.ndarray]]:
    """Raw inputs, one slot a day from the earliest record (or `start`) to `end`; duplicate
    days merge, the first one winning. Attribute access is the only per-record work."""
    fields = list(zip(*map(_FIELDS, days), strict=True)) or [()] * 6
    ordinals = np.fromiter(map(date.toordinal, fields[0]), dtype=np.int64, count=len(days))
    kept = ordinals <= end.toordinal()
    origin = min(start.toordinal(), int(ordinals[kept].min()) if kept.any() else end.toordinal())
    at = ordinals[kept] - origin
    if not (np.diff(at) > 0).all() and np.unique(at).size < at.size:  # rare duplicates
        return _inputs(_merged([w for w, keep in zip(days, kept, strict=True) if keep]),
                       start, end)
    size = end.toordinal() - origin + 1
    columns: dict[str, np.ndarray] = {}
    for j, name in enumerate(("hrv", "resting_hr", "sleep_score"), start=1):
        values = np.array(fields[j], dtype=np.float64)[kept]
        if name != "sleep_score":
            values[values <= 0] = np.nan  # no HRV or resting HR reading
        columns[name] = np.full(size, np.nan)
        columns[name][at] = values
    for j, name, clean in ((4, "hrv_status", _upper), (5, "readiness_level", _readiness)):
        columns[name] = np.full(size, None, dtype=object)
        columns[name][at] = np.array(_canonical(list(fields[j]), clean), dtype=object)[kept]
    return date.fromordinal(origin), columns


def _merged(rows: list[DailyWellness]) -> list[DailyWellness]:
    merged: dict[date, DailyWellness] = {}
    for w in rows:
        merged[w.day] = merged[w.day].merged(w) if w.day in merged else w
    return list(merged.values())


def _baselines(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """HRV signal and band, below-band streaks, the resting-HR reference."""
    ln = pd.Series(np.log(raw["hrv"]))
    # The signal includes last night; the baseline is the 60 days before, the day itself
    # excluded so that a bad night cannot widen the band that judges it.
    signal = ln.rolling(HRV_SIGNAL_DAYS, min_periods=HRV_SIGNAL_MIN_NIGHTS).mean().to_numpy()
    before = ln.shift(1).rolling(HRV_BASELINE_DAYS, min_periods=HRV_MIN_NIGHTS)
    mu, sd = before.mean().to_numpy(), before.std().to_numpy()  # sample SD (ddof=1)
    rhr_days = _counts(raw["resting_hr"], RHR_DAYS, lag=1)
    rhr_mean = pd.Series(raw["resting_hr"]).shift(1).rolling(RHR_DAYS, min_periods=RHR_MIN_DAYS)
    low = mu - HRV_BAND_SD * sd
    return {
        "hrv_signal": signal, "band_low": low, "band_high": mu + HRV_BAND_SD * sd,
        "hrv_below_days": _run_lengths(signal < low),
        "hrv_signal_nights": _counts(raw["hrv"], HRV_SIGNAL_DAYS, lag=0),
        "hrv_baseline_nights": _counts(raw["hrv"], HRV_BASELINE_DAYS, lag=1),
        "hrv_status": raw["hrv_status"], "readiness_level": raw["readiness_level"],
        "sleep_score": raw["sleep_score"], "resting_hr": raw["resting_hr"],
        "resting_hr_mean30": rhr_mean.mean().to_numpy(), "resting_hr_days": rhr_days,
    }


def _counts(values: np.ndarray, width: int, lag: int) -> np.ndarray:
    """Valid (non-NaN) values among the `width` days ending `lag` days before each day."""
    seen = np.concatenate(([0], np.cumsum(~np.isnan(values))))
    end = np.arange(values.size) + 1 - lag  # window is [end - width, end) in `seen` terms
    return seen[np.clip(end, 0, None)] - seen[np.clip(end - width, 0, None)]


def _run_lengths(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True ending at each position (0 where False)."""
    position = np.arange(flags.size)
    last_false = np.maximum.accumulate(np.where(flags, -1, position))
    return np.where(flags, position - last_false, 0)


def _load_columns(load: pd.DataFrame | None, first: date, end: date) -> dict[str, np.ndarray]:
    index = pd.date_range(first, end, freq="D")
    if load is None:
        return {"tsb": np.full(index.size, np.nan), "acwr": np.full(index.size, np.nan)}
    aligned = load[["tsb", "acwr"]].set_axis(pd.DatetimeIndex(load.index)).reindex(index)
    return {name: aligned[name].to_numpy(dtype=np.float64) for name in ("tsb", "acwr")}


def _flags(v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One boolean array per rule; NaN and None compare False: missing inputs flag nothing."""
    below, readiness, status = v["hrv_below_days"], v["readiness_level"], v["hrv_status"]
    rise = v["resting_hr"] - v["resting_hr_mean30"]
    return {
        "hrv_below_days_running": below >= HRV_RED_DAYS,
        "hrv_status_low": np.logical_or.reduce([status == s for s in RED_HRV_STATUSES]),
        "readiness_poor": readiness == "POOR",
        "hrv_below_once": below == 1,
        "readiness_low": readiness == "LOW",
        "sleep_low": v["sleep_score"] < SLEEP_MIN,
        "resting_hr_high": rise > RHR_RISE_BPM,
        "tsb_low": v["tsb"] < TSB_MIN,
        "acwr_high": v["acwr"] > ACWR_MAX,
        "hrv_above_resting_hr_raised": (v["hrv_signal"] > v["band_high"])
        & (rise > RHR_RAISED_BPM),
    }


def _absent(values: np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(values))  # NaN in numbers, None in labels


def _python(values: np.ndarray) -> list[object]:
    """An array as Python values, None where missing."""
    if values.dtype.kind != "f":
        return values.tolist()
    boxed = values.astype(object)
    boxed[np.isnan(values)] = None
    return boxed.tolist()


def _canonical(values: list[str | None], clean: Callable[[str | None], str | None],
               ) -> list[str | None]:
    """`clean` applied once per distinct value: a level repeats for years of days."""
    table = {value: clean(value) for value in set(values)}
    return [table[value] for value in values]


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if value else None


def _readiness(value: str | None) -> str | None:
    """A known Garmin readiness level, else None (listed missing, not guessed)."""
    level = _upper(value)
    return level if level in READINESS_LEVELS else None


# --- explanations: plain words with the numbers ------------------------------------------

def _signal(d: _Day, where: str) -> str:
    return (f"HRV 7-day signal {d.hrv_signal:.2f} {where} the normal band "
            f"{d.band_low:.2f}–{d.band_high:.2f}")


def _rise(d: _Day) -> float | None:
    if d.resting_hr is None or d.resting_hr_mean30 is None:
        return None
    return d.resting_hr - d.resting_hr_mean30


def _resting_hr(d: _Day) -> str:
    rise = _rise(d) or 0.0
    return (f"resting HR {d.resting_hr:g} bpm is {abs(rise):.3g} "
            f"{'above' if rise >= 0 else 'below'} its 30-day mean {d.resting_hr_mean30:.3g}")


TEXTS: dict[str, Callable[[_Day], str]] = {
    "hrv_below_days_running": lambda d: _signal(d, "below")
    + f" for {d.hrv_below_days} days running",
    "hrv_status_low": lambda d: f"Garmin HRV status {d.hrv_status}",
    "readiness_poor": lambda d: "training readiness POOR",
    "hrv_below_once": lambda d: _signal(d, "below"),
    "readiness_low": lambda d: "training readiness LOW (below MODERATE)",
    "sleep_low": lambda d: f"sleep score {d.sleep_score:g} < {SLEEP_MIN}",
    "resting_hr_high": _resting_hr,
    "tsb_low": lambda d: f"form (TSB) {d.tsb:.1f} < {TSB_MIN:g}",
    "acwr_high": lambda d: f"EWMA ACWR {d.acwr:.2f} > {ACWR_MAX:g}: a load spike",
    "hrv_above_resting_hr_raised": lambda d: _signal(d, "above") + f" while {_resting_hr(d)}",
}


def _green(d: _Day) -> list[str]:
    """What was checked and passed: the facts behind "as planned"."""
    out = []
    if d.hrv_signal is not None and d.band_high is not None:
        out.append(_signal(d, "above" if d.hrv_signal > d.band_high else "within"))
    if d.readiness_level is not None:
        out.append(f"training readiness {d.readiness_level} (≥ MODERATE)")
    if d.sleep_score is not None:
        out.append(f"sleep score {d.sleep_score:g} ≥ {SLEEP_MIN}")
    if _rise(d) is not None:
        out.append(_resting_hr(d))
    if d.tsb is not None:
        out.append(f"form (TSB) {d.tsb:.1f} ≥ {TSB_MIN:g}")
    if d.acwr is not None:
        out.append(f"EWMA ACWR {d.acwr:.2f} ≤ {ACWR_MAX:g}")
    return out


def _reasons(columns: dict[str, np.ndarray], rows: list[_Day]) -> list[list[str]]:
    """Triggered rules (red first) per day, formatted only where they fired."""
    out: list[list[str]] = [[] for _ in rows]
    for name, _ in RULES:
        for i in np.flatnonzero(columns[name]):
            out[i].append(TEXTS[name](rows[i]))
    for i in np.flatnonzero(columns["level"] == "green"):
        out[i] = _green(rows[i])
    for i in np.flatnonzero(columns["no_data"]):
        out[i].insert(0, NO_DATA)
    return out


MISSING: tuple[tuple[str, Callable[[_Day], str]], ...] = (
    ("hrv_signal", lambda d: f"HRV signal (only {d.hrv_signal_nights} of the last "
     f"{HRV_SIGNAL_DAYS} nights)"),
    ("band_low", lambda d: f"HRV baseline (only {d.hrv_baseline_nights} nights)"),
    ("hrv_status", lambda d: "Garmin HRV status"),
    ("readiness_level", lambda d: "training readiness"),
    ("sleep_score", lambda d: "sleep score"),
    ("resting_hr", lambda d: "resting HR"),
    ("resting_hr_mean30", lambda d: f"resting HR 30-day mean (only {d.resting_hr_days} days)"),
    ("tsb", lambda d: "TSB"),
    ("acwr", lambda d: "ACWR"),
)


def _missing(columns: dict[str, np.ndarray], rows: list[_Day]) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in rows]
    absent = {name: _absent(columns[name]) for name, _ in MISSING}
    # no 30-day mean matters only when there is a resting HR today to compare with it
    absent["resting_hr_mean30"] = absent["resting_hr_mean30"] & ~absent["resting_hr"]
    for name, text in MISSING:
        for i in np.flatnonzero(absent[name]):
            out[i].append(text(rows[i]))
    return out
