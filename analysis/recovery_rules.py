"""Deciding recovery per day: green, amber or red by the rules of RULES.md S7.3.

Pure (no I/O, no clock). `recovery_columns` decides every day at once: rolling baselines
from running sums, one boolean array per rule, the level; `recovery_frame` is the same as a
DataFrame. A missing value triggers no rule. The words for these decisions are
analysis/recovery_text.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from analysis.load import DailyLoad
from analysis.rolling import Running, Window, run_lengths
from domain.wellness import WORDS
from domain.wellness_columns import EPOCH, Labels, Wellness, WellnessColumns, as_columns

if TYPE_CHECKING:  # loaded where used: the nightly path decides on arrays
    import pandas as pd

Level = Literal["green", "amber", "red"]

# HRV-guided training defaults (Kiviniemi 2007, Vesterinen 2016, Plews 2014; RULES.md S7.3):
# a 60-day ln(HRV) baseline, a 7-day rolling signal, a normal band of μ ± 0.5σ.
HRV_BASELINE_DAYS = 60
HRV_MIN_NIGHTS = 14  # project default: fewer nights give no usable σ
HRV_SIGNAL_DAYS = 7
HRV_SIGNAL_MIN_NIGHTS = 3
HRV_BAND_SD = 0.5
HRV_RED_DAYS = 2  # below the band this many days running is red
# Garmin's own levels as a second opinion (RULES.md S7.3).
READINESS_LEVELS = frozenset(WORDS["readiness_level"])
RED_HRV_STATUSES = ("LOW", "POOR")
SLEEP_MIN = 60  # sleep score below this is amber (RULES.md S7.3)
RHR_DAYS = 30  # resting-HR reference: mean of the 30 days before (RULES.md S7.3)
RHR_MIN_DAYS = 7  # project default: fewer days give no reference mean
RHR_RISE_BPM = 5.0  # more than this above the mean is amber on its own (RULES.md S7.3)
# "Raised" for the HRV-above-band rule (RULES.md S7.3): a smaller rise than RHR_RISE_BPM,
# which fires on its own anyway, so that the combined rule adds something. Project default.
RHR_RAISED_BPM = 2.0
TSB_MIN = -30.0  # form below this is amber (RULES.md S7.3)
TSB_LOW_DAYS = 2  # ... on this many days running: one dip after a long run is expected
ACWR_MAX = 1.5  # EWMA ACWR above this is a spike flag (Impellizzeri et al. 2020)
# Cold start (RULES.md S7.3): form and ACWR decide only once this many days of load exist.
LOAD_HISTORY_DAYS = 42
# Leaving red (RULES.md S7.3): a red from the HRV signal ends once last night's ln HRV was
# inside the band on this many mornings running, even while the 7-day mean still lags.
HRV_BACK_MORNINGS = 2
# How far back before a day its inputs always reach (jobs.analyse reads the 60 days before
# the first day it decides): a reading further back than this is not named, so that a
# day's words never depend on where the days decided with it began.
READINGS_REACH_DAYS = HRV_BASELINE_DAYS


class Counted(NamedTuple):
    """Where a break in a day's readings is named: the column of the readings' count, the
    count it must reach, the window counted (`days`, ending `lag` days before the day, as
    the rule's Window) and the columns of the break named (_breaks)."""

    counts: str
    need: int
    days: int
    lag: int
    columns: tuple[str, str]


# The break columns by the readings' column: only words use them, so they are worked out
# for the days explained (Decided.breaks), where the count is short.
BREAKS = {"hrv_last_night": Counted("hrv_signal_nights", HRV_SIGNAL_MIN_NIGHTS, HRV_SIGNAL_DAYS,
                                    0, ("hrv_break_from", "hrv_break_to")),
          "resting_hr": Counted("resting_hr_days", RHR_MIN_DAYS, RHR_DAYS, 1,
                                ("resting_hr_break_from", "resting_hr_break_to"))}
# Rule columns of recovery_frame with the level each sets; reasons are listed in this order.
RULES: tuple[tuple[str, Level], ...] = (
    ("hrv_below_days_running", "red"), ("hrv_status_low", "red"), ("readiness_poor", "red"),
    ("hrv_back_in_band", "amber"), ("hrv_below_once", "amber"), ("readiness_low", "amber"),
    ("sleep_low", "amber"), ("resting_hr_high", "amber"), ("tsb_low", "amber"),
    ("acwr_high", "amber"), ("hrv_above_resting_hr_raised", "amber"))
LEVELS: tuple[Level, ...] = ("green", "amber", "red")  # codes 0, 1, 2: the worst one wins


class FrameRow(NamedTuple):
    """One row of recovery_frame with None for missing values: what the texts read. Its
    fields after `day` are the frame's value columns, in order."""

    day: date
    hrv_signal: float | None
    band_low: float | None
    band_high: float | None
    hrv_below_days: int
    hrv_last_night: float | None  # ln HRV of last night
    hrv_in_band_mornings: int  # mornings running with last night's ln HRV inside the band
    hrv_signal_nights: int
    # the break in the HRV nights that leaves the signal's 7 days short (_breaks): days back
    # to its first and last night without one; None: none after a night within reach (a
    # start), or nights enough for the signal (no break to name)
    hrv_break_from: float | None
    hrv_break_to: float | None
    hrv_baseline_nights: int
    hrv_status: str | None
    readiness_level: str | None
    sleep_score: float | None
    resting_hr: float | None
    resting_hr_mean30: float | None
    resting_hr_days: int
    resting_hr_break_from: float | None  # as hrv_break_from and _to, for resting HR
    resting_hr_break_to: float | None
    tsb: float | None
    tsb_low_days: int  # days running with form below TSB_MIN
    acwr: float | None
    load_history_days: int  # days of load history through the day (0: none yet)


FRAME_COLUMNS = (*FrameRow._fields[1:], *(name for name, _ in RULES), "no_data", "level")
# The counts of days running that a later stretch of days continues (decide's `carried`).
STREAKS = ("hrv_below_days", "hrv_in_band_mornings", "tsb_low_days")
# Numeric inputs: column, DailyWellness field, whether 0 or less means "no reading". A sleep
# score of 0 is kept as a score: Garmin leaves an unscored night's score out or null (the
# recorded sleep and training-readiness bodies), never 0 as far as is known.
NUMBERS = (("hrv", "hrv_last_night", True), ("resting_hr", "resting_hr", True),
           ("sleep_score", "sleep_score", False))


def recovery_columns(wellness: Wellness, load: pd.DataFrame | DailyLoad | None, start: date,
                     end: date, history_from: date | None = None) -> dict[str, np.ndarray]:
    """recovery_frame's columns as arrays, without the DataFrame: one array per name in
    FRAME_COLUMNS, one slot per day from `start` to `end`; texts (and `level`) as object
    arrays with None where missing."""
    decided = decide(wellness, load, start, end, history_from)
    columns = {**decided.numbers, **decided.breaks(),
               **{name: text.array() for name, text in decided.labels.items()}}
    return {name: columns[name] for name in FRAME_COLUMNS}


def recovery_frame(wellness: Wellness, load: pd.DataFrame | DailyLoad | None, start: date,
                   end: date, history_from: date | None = None) -> pd.DataFrame:
    """Every day from `start` to `end`: values used, their counts, one boolean column per
    rule in RULES, `no_data` and `level`, indexed by day.

    `wellness` should reach back 60 days before `start` for a baseline; `load` is
    `training_load`'s frame (its `tsb` and `acwr` columns), or None. `history_from` is the
    first day of load history (default: `load`'s first day with load), for the cold start.
    """
    import pandas as pd

    decided = decide(wellness, load, start, end, history_from)
    columns = {**decided.numbers, **decided.breaks(),
               **{name: text.column() for name, text in decided.labels.items()}}
    return pd.DataFrame({name: columns[name] for name in FRAME_COLUMNS},
                        index=pd.date_range(start, end, freq="D", name="day"))


class Decided(NamedTuple):
    """Every day from `start` on decided: recovery_frame's columns, numbers and flags as
    arrays, texts as labels; recovery_text explains any of its days from it."""

    numbers: dict[str, np.ndarray]
    labels: dict[str, Labels]
    start: date
    readings: dict[str, np.ndarray]  # BREAKS' readings from `lead` days before `start`
    lead: int

    def levels(self) -> list[Level]:
        return self.labels["level"].tolist()  # type: ignore[return-value]

    def breaks(self, skip: int = 0) -> dict[str, np.ndarray]:
        """The break columns (BREAKS) of the days from the `skip`-th on, NaN where the
        readings' count is enough (no break to name), from the readings back to
        READINGS_REACH_DAYS before the first: a day's words name no break further back,
        so only the days explained pay for them (not ten years for a week's words), and
        nothing where none of them is short."""
        at = self.lead + skip
        since = max(at - READINGS_REACH_DAYS, 0)
        out = {}
        for name, counted in BREAKS.items():
            short = self.numbers[counted.counts][skip:] < counted.need
            for column in counted.columns:
                out[column] = np.full(short.size, np.nan)
            if short.any():  # most often none: nothing more to work out
                days = np.flatnonzero(short)
                found = _breaks(self.readings[name][since:], days + at - since, counted)
                for column, back in zip(counted.columns, found, strict=True):
                    out[column][days] = back
        return out


def decide(wellness: Wellness, load: pd.DataFrame | DailyLoad | None, start: date, end: date,
           history_from: date | None = None,
           carried: Mapping[str, int] | None = None) -> Decided:
    """The columns of recovery_frame: numbers and flags as arrays, texts as labels; `load`
    also as the arrays of analysis.load.DailyLoad (no DataFrame on the nightly path).

    `carried`: the STREAKS of the day before `start`, which the days from `start` continue
    (the inputs before `start` then only feed the baselines); default: counted from the
    first day given."""
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")
    first, raw, labels = _inputs(as_columns(wellness), start, end)
    skip = (start - first).days  # earlier days only feed the baselines

    def streak(flags: np.ndarray, name: str, lead: int = 0) -> np.ndarray:
        """Days running with `flags` (`lead` days before the first day given), sliced as
        the other columns before `skip`."""
        if carried is None:
            return run_lengths(flags)[lead:]
        out = np.zeros(flags.size - lead, dtype=np.intp)  # the days before start: sliced off
        out[skip:] = run_lengths(flags[lead + skip:], carried[name])
        return out

    days = {**_baselines(raw, streak), **_load_columns(_daily(load), first, end,
                                                       history_from, streak)}
    numbers = {name: values[skip:] for name, values in days.items()}
    labels = {name: text.taken(slice(skip, None)) for name, text in labels.items()}
    flags = _flags(numbers, labels)
    red = np.logical_or.reduce([flags[name] for name, level in RULES if level == "red"])
    amber = np.logical_or.reduce([flags[name] for name, level in RULES if level == "amber"])
    # Nothing measured: not one HRV night among the signal's (a night too few to judge is
    # still data, which the status names), nor any of the day's other inputs.
    no_data = np.logical_and.reduce(
        [numbers["hrv_signal_nights"] == 0]
        + [np.isnan(numbers[name]) for name in ("sleep_score", "resting_hr")]
        + [labels["hrv_status"].absent(), unused_readiness(labels)])
    labels["level"] = Labels(np.where(red, 2, amber.astype(np.intp)), LEVELS)
    return Decided({**numbers, **flags, "no_data": no_data}, labels, start,
                   {name: days[name] for name in BREAKS}, skip)


def _inputs(columns: WellnessColumns, start: date, end: date,
            ) -> tuple[date, dict[str, np.ndarray], dict[str, Labels]]:
    """Raw numbers and labels, one slot a day from the earliest record (or `start`) to
    `end`: numpy throughout, Python only once per distinct text."""
    ordinals = columns.day.astype(np.int64) + EPOCH
    kept = ordinals <= end.toordinal()
    origin = min(start.toordinal(), int(ordinals[kept].min()) if kept.any() else end.toordinal())
    at = ordinals[kept] - origin
    size = end.toordinal() - origin + 1
    # The usual input, one record for every day in day order, is one slot a day already.
    every_day = at.size == size and bool((at[1:] > at[:-1]).all())

    def by_day(values: np.ndarray, missing: float) -> np.ndarray:
        if every_day:
            return values.copy()  # not the caller's array: the decided columns are ours
        column = np.full(size, missing, dtype=values.dtype)
        column[at] = values
        return column

    def field(name: str) -> np.ndarray:  # records after `end` dropped (most often none)
        values: np.ndarray = getattr(columns, name)
        return values if at.size == values.size else values[kept]

    numbers = {}
    for name, field_name, positive in NUMBERS:
        values = field(field_name)
        numbers[name] = by_day(np.where(values > 0, values, np.nan) if positive else values,
                               np.nan)
    labels = {}
    for name in ("hrv_status", "readiness_level"):
        text: Labels = getattr(columns, name)
        cleaned = (text if at.size == text.codes.size else text.taken(kept)).renamed(_upper)
        labels[name] = cleaned._replace(codes=by_day(cleaned.codes, -1))
    return date.fromordinal(origin), numbers, labels


def _upper(value: str | None) -> str | None:
    """The word in capitals; None for no word (blanks are none)."""
    return (value.strip().upper() or None) if value else None


def readiness_known(level: str | None) -> bool:
    """Whether a (cleaned) readiness word is one of Garmin's levels: the one test of it. Any
    other word is kept so that the status can name it, but judged as missing: not guessed."""
    return level in READINESS_LEVELS


def unused_readiness(labels: Mapping[str, Labels]) -> np.ndarray:
    """Days without a known readiness level: none, or a word none of Garmin's levels."""
    readiness = labels["readiness_level"]
    return ~readiness.isin(*filter(readiness_known, readiness.names))


Streak = Callable[..., np.ndarray]  # decide's streak(flags, name, lead=0)


def _baselines(raw: dict[str, np.ndarray], streak: Streak) -> dict[str, np.ndarray]:
    """HRV signal and band, below-band streaks, the resting-HR reference."""
    ln = np.log(raw["hrv"])
    # The signal includes last night; the baseline is the 60 days before, the day itself
    # excluded so that a bad night cannot widen the band that judges it.
    nights = Running(ln, reach=HRV_BASELINE_DAYS + 1)  # one pass serves both windows
    signal = Window(nights, HRV_SIGNAL_DAYS, lag=0)
    baseline = Window(nights, HRV_BASELINE_DAYS, lag=1)
    rhr = Window(Running(raw["resting_hr"], reach=RHR_DAYS + 1, squares=False), RHR_DAYS,
                 lag=1)
    mu, sd = baseline.mean(HRV_MIN_NIGHTS), baseline.sd(HRV_MIN_NIGHTS)
    # The signal's rounding can only turn a comparison with a one-point band (a flat
    # baseline, σ exactly 0); a band of any width is far from a few ulps.
    hrv_signal = signal.mean(HRV_SIGNAL_MIN_NIGHTS, exact=bool((sd == 0).any()))
    low, high = mu - HRV_BAND_SD * sd, mu + HRV_BAND_SD * sd
    return {
        "hrv_signal": hrv_signal, "band_low": low, "band_high": high,
        "hrv_below_days": streak(hrv_signal < low, "hrv_below_days"), "hrv_last_night": ln,
        "hrv_in_band_mornings": streak((ln >= low) & (ln <= high), "hrv_in_band_mornings"),
        "hrv_signal_nights": signal.count,
        "hrv_baseline_nights": baseline.count,
        "sleep_score": raw["sleep_score"], "resting_hr": raw["resting_hr"],
        "resting_hr_mean30": rhr.mean(RHR_MIN_DAYS), "resting_hr_days": rhr.count,
    }


def _breaks(values: np.ndarray, days: np.ndarray, counted: Counted,
            ) -> tuple[np.ndarray, np.ndarray]:
    """For each of `days` (indices into `values`), the break of 2 days or more without a
    reading (NaN) that leaves the most days of its counted window without one (of as many,
    the latest): what explains a short count, not a 2-day gap after 25 days off. As a day
    sees it (a break up to the day), and named only after a reading within
    READINGS_REACH_DAYS: how many days back its first and its last day were (0: it runs
    through the day). NaN where there is none or the break is a start: what tells a watch
    left off for ten days from a newcomer's first days."""
    # The window's days before `values` begin (before the first record: no window reaches
    # back to the READINGS_REACH_DAYS cut) are a start, which competes as a break does: a
    # newcomer's 6 days with a 2-day gap are short for the days before them, not the gap.
    start = counted.days + counted.lag
    missing = np.concatenate([np.ones(start, dtype=bool), ~np.isfinite(values)])
    days = days + start
    edges = np.diff(missing.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    first, last = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    first, last = first[last > first], last[last > first]  # 2 days or more: the start one
    hi = days - counted.lag
    lo = hi - counted.days + 1
    # The breaks a window can touch, 3 days apart at least (2 without, 1 with a reading):
    # a few candidates per day, not every break of ten years.
    width = counted.days // 3 + 2
    at = np.searchsorted(last, lo)[:, None] + np.arange(width)
    real = at < first.size
    at = np.minimum(at, first.size - 1)
    begun, ended = first[at], np.minimum(last[at], days[:, None])  # as the day sees it
    inside = np.minimum(ended, hi[:, None]) - np.maximum(begun, lo[:, None]) + 1
    seen = real & (ended > begun) & (inside > 0)
    pick = np.where(seen, inside * missing.size + begun, -1).argmax(axis=1)
    rows = np.arange(days.size)
    b, e = begun[rows, pick], ended[rows, pick]
    known = seen[rows, pick] & (b >= 1) & (days - b < READINGS_REACH_DAYS)
    return (np.where(known, days - b, np.nan).astype(np.float64),
            np.where(known, days - e, np.nan).astype(np.float64))


def _load_columns(load: DailyLoad | None, first: date, end: date,
                  history_from: date | None, streak: Streak) -> dict[str, np.ndarray]:
    """Form and ACWR with what the cold start rule needs: days running with form below
    TSB_MIN, and days of load history (from `history_from`, else `_first_load_day`)."""
    origin = first  # form's streak may start before the first wellness day
    if load is not None:
        origin, history_from = min(first, load.first), history_from or _first_load_day(load)
    columns = _load_values(load, origin, end)
    cut = (first - origin).days
    size = (end - first).days + 1
    history = (np.zeros(size, dtype=np.int64) if history_from is None else
               np.maximum(np.arange(size) + (first - history_from).days + 1, 0))
    return {"tsb": columns["tsb"][cut:],
            "tsb_low_days": streak(columns["tsb"] < TSB_MIN, "tsb_low_days", cut),
            "acwr": columns["acwr"][cut:], "load_history_days": history}


def _daily(load: pd.DataFrame | DailyLoad | None) -> DailyLoad | None:
    """The load as one slot a day from its first day: a frame's rows by calendar day (NaN
    on days without a row); None for no load or an empty frame."""
    if load is None or isinstance(load, DailyLoad):
        return load
    import pandas as pd

    index = load.index
    if not index.size:
        return None
    names = [name for name in ("tsb", "acwr", "atl") if name in load]
    values = {name: load[name].to_numpy(dtype=np.float64) for name in names}
    if isinstance(index, pd.DatetimeIndex) and index.tz is None and index.freq == "D":
        return DailyLoad(index[0].date(), values)  # training_load's own frame: a day a row
    days = index.to_numpy(dtype="datetime64[D]")
    at = (days - days.min()).astype(np.intp)
    columns = {name: np.full(int(at.max()) + 1, np.nan) for name in names}
    for name, column in columns.items():
        column[at] = values[name]
    return DailyLoad(pd.Timestamp(days.min()).date(), columns)


def _first_load_day(load: DailyLoad) -> date | None:
    """Where load history starts: the first day with any acute load (training_load's `atl`
    is above 0 from the first session on), else the load's first day; None: no load yet."""
    if "atl" not in load.columns:
        return load.first
    loaded = np.flatnonzero(load.columns["atl"] > 0)
    return load.first + timedelta(days=int(loaded[0])) if loaded.size else None


def _load_values(load: DailyLoad | None, first: date, end: date) -> dict[str, np.ndarray]:
    """`load`'s tsb and acwr by calendar day from `first` to `end`, NaN where it has none."""
    size = (end - first).days + 1
    columns = {name: np.full(size, np.nan) for name in ("tsb", "acwr")}
    if load is None:
        return columns
    lo = (load.first - first).days  # where its first day goes
    for name, column in columns.items():
        values = load.columns[name]
        a, b = max(lo, 0), min(lo + values.size, size)
        if a < b:
            column[a:b] = values[a - lo:b - lo]
    return columns


def _flags(v: dict[str, np.ndarray], labels: dict[str, Labels]) -> dict[str, np.ndarray]:
    """One boolean array per rule; NaN compares False: missing inputs flag nothing."""
    below, readiness = v["hrv_below_days"], labels["readiness_level"]
    rise = v["resting_hr"] - v["resting_hr_mean30"]
    enough = v["load_history_days"] >= LOAD_HISTORY_DAYS  # cold start: form and ACWR wait
    signal_red = below >= HRV_RED_DAYS
    back = v["hrv_in_band_mornings"] >= HRV_BACK_MORNINGS  # leaving red: last nights in band
    return {
        "hrv_below_days_running": signal_red & ~back,
        "hrv_back_in_band": signal_red & back,
        "hrv_status_low": labels["hrv_status"].isin(*RED_HRV_STATUSES),
        "readiness_poor": readiness.isin("POOR"),
        "hrv_below_once": below == 1,
        "readiness_low": readiness.isin("LOW"),
        "sleep_low": v["sleep_score"] < SLEEP_MIN,
        "resting_hr_high": rise > RHR_RISE_BPM,
        "tsb_low": enough & (v["tsb_low_days"] >= TSB_LOW_DAYS),
        "acwr_high": enough & (v["acwr"] > ACWR_MAX),
        "hrv_above_resting_hr_raised": (v["hrv_signal"] > v["band_high"])
        & (rise > RHR_RAISED_BPM),
    }
