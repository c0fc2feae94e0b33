"""Recovery status per day: green, amber or red with reasons (RULES.md S7.3).

Pure (no I/O, no clock). `recovery_columns` decides every day at once: rolling baselines
from running sums, one boolean array per rule, the level; `recovery_frame` is the same as a
DataFrame. `recovery_statuses` explains the same decisions day by day. Missing inputs never
block: a missing value triggers no rule and is listed.

The wellness comes as `WellnessColumns` (one array per field used, as a database query hands
it over) or as a list of `DailyWellness`, which is turned into those columns first: one way of
deciding whatever the input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import ClassVar, Literal, NamedTuple

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


_EPOCH = date(1970, 1, 1).toordinal()  # day 0 of datetime64[D]


@dataclass(frozen=True, eq=False)
class WellnessColumns:
    """The wellness fields recovery reads, one array each, one slot per record: the form a
    database query hands over without building an object per day.

    `day` is datetime64[D], each day at most once (what the database's one row per
    athlete-day gives; `from_days` merges a list's repeated days first), in any order.
    Numbers are float64, NaN where missing; texts are object arrays of str or None, as
    stored (cleaning them is part of deciding). The arrays are used as given, not copied.
    Build with `from_values` or `from_days`.
    """

    FIELDS: ClassVar[tuple[str, ...]] = ("hrv_last_night", "hrv_status", "readiness_level",
                                         "sleep_score", "resting_hr")

    day: np.ndarray
    hrv_last_night: np.ndarray
    hrv_status: np.ndarray
    readiness_level: np.ndarray
    sleep_score: np.ndarray
    resting_hr: np.ndarray

    def __post_init__(self) -> None:
        if self.day.dtype != np.dtype("datetime64[D]"):
            raise ValueError(f"day must be datetime64[D], not {self.day.dtype}")
        if any(getattr(self, name).shape != self.day.shape for name in self.FIELDS):
            raise ValueError("every wellness column must have one value per day")
        if _repeats(self.day.astype(np.int64)):
            raise ValueError("a day occurs twice: merge a day's records first (from_days)")

    @classmethod
    def from_values(cls, day: Sequence[date], *, hrv_last_night: Sequence[float | None],
                    hrv_status: Sequence[str | None], readiness_level: Sequence[str | None],
                    sleep_score: Sequence[float | None],
                    resting_hr: Sequence[float | None]) -> WellnessColumns:
        """Columns from one sequence per field, Python values with None where missing: a
        query's columns, or the attributes of records."""
        ordinals = np.fromiter(map(date.toordinal, day), dtype=np.int64, count=len(day))
        return cls(day=(ordinals - _EPOCH).astype("datetime64[D]"),
                   hrv_last_night=np.array(hrv_last_night, dtype=np.float64),  # None: NaN
                   hrv_status=np.array(hrv_status, dtype=object),
                   readiness_level=np.array(readiness_level, dtype=object),
                   sleep_score=np.array(sleep_score, dtype=np.float64),
                   resting_hr=np.array(resting_hr, dtype=np.float64))

    @classmethod
    def from_days(cls, days: Sequence[DailyWellness]) -> WellnessColumns:
        """Columns from records; a day given more than once merges, the first one winning
        (DailyWellness.merged)."""
        if _repeats(np.fromiter(map(date.toordinal, map(_DAY, days)), dtype=np.int64,
                                count=len(days))):
            days = _merged(days)
        # One C-level pass over the records per field (attrgetter): no Python code per day.
        return cls.from_values(list(map(_DAY, days)), **{
            name: list(map(attrgetter(name), days)) for name in cls.FIELDS})


Wellness = WellnessColumns | Sequence[DailyWellness]


def recovery_columns(wellness: Wellness, load: pd.DataFrame | None, start: date,
                     end: date) -> dict[str, np.ndarray]:
    """recovery_frame's columns as arrays, without the DataFrame: one array per name in
    FRAME_COLUMNS, one slot per day from `start` to `end`; texts (and `level`) as object
    arrays with None where missing."""
    numbers, labels = _decide(wellness, load, start, end)
    columns = {**numbers, **{name: text.array() for name, text in labels.items()}}
    return {name: columns[name] for name in FRAME_COLUMNS}


def recovery_frame(wellness: Wellness, load: pd.DataFrame | None, start: date,
                   end: date) -> pd.DataFrame:
    """Every day from `start` to `end`: values used, their counts, one boolean column per
    rule in RULES, `no_data` and `level`, indexed by day.

    `wellness` should reach back 60 days before `start` for a baseline; `load` is
    `training_load`'s frame (its `tsb` and `acwr` columns), or None.
    """
    numbers, labels = _decide(wellness, load, start, end)
    columns = {**numbers, **{name: text.column() for name, text in labels.items()}}
    return pd.DataFrame({name: columns[name] for name in FRAME_COLUMNS},
                        index=pd.date_range(start, end, freq="D", name="day"))


def recovery_statuses(wellness: Wellness, load: pd.DataFrame | None, start: date,
                      end: date) -> list[RecoveryStatus]:
    """One explained status per day from `start` to `end` inclusive (see recovery_frame)."""
    numbers, labels = _decide(wellness, load, start, end)
    dates = list(map(date.fromordinal, range(start.toordinal(), end.toordinal() + 1)))
    python = {name: labels[name].tolist() if name in labels else _python(numbers[name])
              for name in _Day._fields[1:]}
    rows = list(map(_Day._make, zip(dates, *python.values(), strict=True)))
    values = [dict(zip(VALUE_KEYS, r, strict=True))
              for r in zip(*(python[key] for key in VALUE_KEYS), strict=True)]
    reasons = _reasons(numbers, labels["level"], rows)
    missing = _missing(numbers, labels, rows)
    levels = map(LEVELS.__getitem__, labels["level"].codes.tolist())
    return [RecoveryStatus(*status) for status in zip(
        dates, levels, map(tuple, reasons), values, map(tuple, missing), strict=True)]


class _Labels(NamedTuple):
    """A text column as codes into a few `names`, −1 where missing: the rules compare small
    integers, and the frame's column is one take of the names, not a check of every day."""

    codes: np.ndarray
    names: tuple[str, ...]

    def absent(self) -> np.ndarray:
        return self.codes < 0

    def isin(self, *wanted: str) -> np.ndarray:
        hit = np.array([name in wanted for name in self.names] + [False])  # −1: the last
        return hit[self.codes]

    def column(self) -> pd.api.extensions.ExtensionArray:
        return pd.array(self.names, dtype="str").take(self.codes, allow_fill=True)

    def array(self) -> np.ndarray:
        return np.array([*self.names, None], dtype=object)[self.codes]

    def tolist(self) -> list[str | None]:
        return self.array().tolist()


def _decide(wellness: Wellness, load: pd.DataFrame | None, start: date,
            end: date) -> tuple[dict[str, np.ndarray], dict[str, _Labels]]:
    """The columns of recovery_frame: numbers and flags as arrays, texts as labels."""
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")
    columns = (wellness if isinstance(wellness, WellnessColumns)
               else WellnessColumns.from_days(wellness))
    first, raw, labels = _inputs(columns, start, end)
    skip = (start - first).days  # earlier days only feed the baselines
    numbers = {name: values[skip:] for name, values in
               {**_baselines(raw), **_load_columns(load, first, end)}.items()}
    labels = {name: text._replace(codes=text.codes[skip:]) for name, text in labels.items()}
    flags = _flags(numbers, labels)
    red = np.logical_or.reduce([flags[name] for name, level in RULES if level == "red"])
    amber = np.logical_or.reduce([flags[name] for name, level in RULES if level == "amber"])
    no_data = np.logical_and.reduce(
        [np.isnan(numbers[name]) for name in ("hrv_signal", "sleep_score", "resting_hr")]
        + [text.absent() for text in labels.values()])
    labels["level"] = _Labels(np.where(red, 2, amber.astype(np.intp)), LEVELS)
    return {**numbers, **flags, "no_data": no_data}, labels


LEVELS: tuple[Level, ...] = ("green", "amber", "red")  # codes 0, 1, 2: the worst one wins
FRAME_COLUMNS = (*_Day._fields[1:], *(name for name, _ in RULES), "no_data", "level")
_DAY = attrgetter("day")
# Numeric inputs: column, DailyWellness field, whether 0 or less means "no reading".
NUMBERS = (("hrv", "hrv_last_night", True), ("resting_hr", "resting_hr", True),
           ("sleep_score", "sleep_score", False))


def _inputs(columns: WellnessColumns, start: date, end: date,
            ) -> tuple[date, dict[str, np.ndarray], dict[str, _Labels]]:
    """Raw numbers and labels, one slot a day from the earliest record (or `start`) to
    `end`: numpy throughout, Python only once per distinct text."""
    ordinals = columns.day.astype(np.int64) + _EPOCH
    kept = ordinals <= end.toordinal()
    origin = min(start.toordinal(), int(ordinals[kept].min()) if kept.any() else end.toordinal())
    at = ordinals[kept] - origin
    size = end.toordinal() - origin + 1

    def by_day(values: np.ndarray, missing: float) -> np.ndarray:
        column = np.full(size, missing, dtype=values.dtype)
        column[at] = values
        return column

    numbers = {}
    for name, field_name, positive in NUMBERS:
        values = getattr(columns, field_name)[kept]
        numbers[name] = by_day(np.where(values > 0, values, np.nan) if positive else values,
                               np.nan)
    labels = {}
    for name, clean in (("hrv_status", _upper), ("readiness_level", _readiness)):
        text = _encode(getattr(columns, name)[kept].tolist(), clean)
        labels[name] = text._replace(codes=by_day(text.codes, -1))
    return date.fromordinal(origin), numbers, labels


def _repeats(days: np.ndarray) -> bool:
    """Whether a day occurs twice (sorted days, the usual case, need no sort)."""
    return not (np.diff(days) > 0).all() and np.unique(days).size < days.size


def _encode(values: list[str | None], clean: Callable[[str | None], str | None]) -> _Labels:
    """`clean` applied once per distinct value (a level repeats for years of days), in one
    C-level pass over the values: the table of codes fills in as values first appear."""
    codes = _Codes(clean)
    array = np.fromiter(map(codes.__getitem__, values), dtype=np.intp, count=len(values))
    return _Labels(array, tuple(codes.names))


class _Codes(dict[str | None, int]):
    """Raw text → code of its cleaned label in `names` (−1: missing), made on first sight."""

    def __init__(self, clean: Callable[[str | None], str | None]) -> None:
        super().__init__()
        self.clean = clean
        self.names: list[str] = []

    def __missing__(self, value: str | None) -> int:
        label = self.clean(value)
        if label is not None and label not in self.names:
            self.names.append(label)
        self[value] = code = -1 if label is None else self.names.index(label)
        return code


def _merged(rows: Sequence[DailyWellness]) -> list[DailyWellness]:
    merged: dict[date, DailyWellness] = {}
    for w in rows:
        merged[w.day] = merged[w.day].merged(w) if w.day in merged else w
    return list(merged.values())


def _baselines(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """HRV signal and band, below-band streaks, the resting-HR reference."""
    ln = np.log(raw["hrv"])
    # The signal includes last night; the baseline is the 60 days before, the day itself
    # excluded so that a bad night cannot widen the band that judges it.
    nights = _Running(ln, reach=HRV_BASELINE_DAYS + 1)  # one pass serves both windows
    signal = _Window(nights, HRV_SIGNAL_DAYS, lag=0)
    baseline = _Window(nights, HRV_BASELINE_DAYS, lag=1)
    rhr = _Window(_Running(raw["resting_hr"], reach=RHR_DAYS + 1), RHR_DAYS, lag=1)
    hrv_signal = signal.mean(HRV_SIGNAL_MIN_NIGHTS)
    mu, sd = baseline.mean(HRV_MIN_NIGHTS), baseline.sd(HRV_MIN_NIGHTS)
    low = mu - HRV_BAND_SD * sd
    return {
        "hrv_signal": hrv_signal, "band_low": low, "band_high": mu + HRV_BAND_SD * sd,
        "hrv_below_days": _run_lengths(hrv_signal < low),
        "hrv_signal_nights": signal.count, "hrv_baseline_nights": baseline.count,
        "sleep_score": raw["sleep_score"], "resting_hr": raw["resting_hr"],
        "resting_hr_mean30": rhr.mean(RHR_MIN_DAYS), "resting_hr_days": rhr.count,
    }


class _Running:
    """Running (count, sum, sum of squares) of the valid (non-NaN) values of a day series,
    with `reach` zeros in front: column reach + k holds the totals through day k, so a
    window of up to `reach` days back (its lag included) that starts before the first day
    subtracts a zero. One pass serves every window over the series.

    The totals are of value − the first valid value: ln(HRV) ≈ 4 with σ ≈ 0.1, so squares of
    raw values would cancel most of the variance away in Σx² − (Σx)²/n.
    """

    def __init__(self, values: np.ndarray, reach: int) -> None:
        self.values, self.reach, valid = values, reach, ~np.isnan(values)
        self.offset = values[valid][0] if valid.any() else 0.0
        shifted = np.where(valid, values - self.offset, 0.0)
        self.totals = np.zeros((3, reach + values.size))
        np.cumsum(np.stack((valid, shifted, shifted * shifted)), axis=1,
                  out=self.totals[:, reach:])


class _Window:
    """The valid values among the `width` days ending `lag` days before each day: count,
    mean and sample SD from running totals, O(days) whatever the width."""

    def __init__(self, running: _Running, width: int, lag: int) -> None:
        if width + lag > running.reach:
            raise ValueError(f"a {width}-day window {lag} day(s) back needs more lead zeros")
        self.values, self.offset, size = running.values, running.offset, running.values.size
        stop = running.reach - lag  # the column where day 0's window ends
        self._through = running.totals[:, stop:stop + size]  # totals up to each window's end
        total, self._sum, self._squares = (
            self._through - running.totals[:, stop - width:stop - width + size])
        self.count = total.astype(np.int64)

    def _n(self, min_count: int) -> np.ndarray:
        """The count as float, NaN below `min_count`: mean and SD come out NaN there."""
        return np.where(self.count >= min_count, self.count, np.nan)

    def mean(self, min_count: int) -> np.ndarray:
        return self.offset + self._sum / self._n(min_count)

    def sd(self, min_count: int) -> np.ndarray:
        """Sample SD (ddof 1), `min_count` ≥ 2. Exactly 0 where all values are equal, where
        the running totals would leave rounding noise: a flat baseline's band is one point."""
        n = self._n(min_count)
        squares = np.maximum(self._squares - self._sum * self._sum / n, 0.0)
        return np.sqrt(np.where(self._flat(), 0.0, squares) / (n - 1))

    def _flat(self) -> np.ndarray:
        """Whether a window's valid values are all equal: the run of equal values ending at
        its last valid value is as long as its count."""
        kept = self.values[~np.isnan(self.values)]
        if not kept.size:
            return np.zeros(self.count.size, dtype=bool)
        run = np.concatenate(([1], 1 + _run_lengths(kept[1:] == kept[:-1])))
        last = np.maximum(self._through[0].astype(np.intp) - 1, 0)  # its rank among kept
        return (self.count > 0) & (run[last] >= self.count)


def _run_lengths(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True ending at each position (0 where False)."""
    position = np.arange(flags.size)
    last_false = np.maximum.accumulate(np.where(flags, -1, position))
    return np.where(flags, position - last_false, 0)


def _load_columns(load: pd.DataFrame | None, first: date, end: date) -> dict[str, np.ndarray]:
    """`load`'s tsb and acwr by calendar day from `first` to `end`, NaN where it has no row."""
    size = (end - first).days + 1
    columns = {name: np.full(size, np.nan) for name in ("tsb", "acwr")}
    if load is None:
        return columns
    index = load.index
    if (isinstance(index, pd.DatetimeIndex) and index.tz is None and index.freq == "D"
            and index.size):  # training_load's own frame: one row a day, a slice of days
        lo = (index[0].date() - first).days  # where its first row goes
        a, b = max(lo, 0), min(lo + index.size, size)
        if a < b:
            for name, column in columns.items():
                column[a:b] = load[name].to_numpy(dtype=np.float64)[a - lo:b - lo]
        return columns
    at = (index.to_numpy(dtype="datetime64[D]") - np.datetime64(first, "D")).astype(np.intp)
    inside = (at >= 0) & (at < size)
    for name, column in columns.items():
        column[at[inside]] = load[name].to_numpy(dtype=np.float64)[inside]
    return columns


def _flags(v: dict[str, np.ndarray], labels: dict[str, _Labels]) -> dict[str, np.ndarray]:
    """One boolean array per rule; NaN compares False: missing inputs flag nothing."""
    below, readiness = v["hrv_below_days"], labels["readiness_level"]
    rise = v["resting_hr"] - v["resting_hr_mean30"]
    return {
        "hrv_below_days_running": below >= HRV_RED_DAYS,
        "hrv_status_low": labels["hrv_status"].isin(*RED_HRV_STATUSES),
        "readiness_poor": readiness.isin("POOR"),
        "hrv_below_once": below == 1,
        "readiness_low": readiness.isin("LOW"),
        "sleep_low": v["sleep_score"] < SLEEP_MIN,
        "resting_hr_high": rise > RHR_RISE_BPM,
        "tsb_low": v["tsb"] < TSB_MIN,
        "acwr_high": v["acwr"] > ACWR_MAX,
        "hrv_above_resting_hr_raised": (v["hrv_signal"] > v["band_high"])
        & (rise > RHR_RAISED_BPM),
    }


def _python(values: np.ndarray) -> list[object]:
    """An array as Python values, None where missing."""
    if values.dtype.kind != "f":
        return values.tolist()
    boxed = values.astype(object)
    boxed[np.isnan(values)] = None
    return boxed.tolist()


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


def _reasons(columns: dict[str, np.ndarray], level: _Labels,
             rows: list[_Day]) -> list[list[str]]:
    """Triggered rules (red first) per day, formatted only where they fired."""
    out: list[list[str]] = [[] for _ in rows]
    for name, _ in RULES:
        for i in np.flatnonzero(columns[name]):
            out[i].append(TEXTS[name](rows[i]))
    for i in np.flatnonzero(level.isin("green")):
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


def _missing(columns: dict[str, np.ndarray], labels: dict[str, _Labels],
             rows: list[_Day]) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in rows]
    absent = {name: labels[name].absent() if name in labels else np.isnan(columns[name])
              for name, _ in MISSING}
    # no 30-day mean matters only when there is a resting HR today to compare with it
    absent["resting_hr_mean30"] = absent["resting_hr_mean30"] & ~absent["resting_hr"]
    for name, text in MISSING:
        for i in np.flatnonzero(absent[name]):
            out[i].append(text(rows[i]))
    return out
