"""Training load: per-activity TRIMP or session-RPE, daily series, ATL/CTL/TSB, ACWR, monotony.

Pure (no I/O, no clock). Endurance (TRIMP) and strength (session-RPE) loads are two series
that are never summed together (RULES.md Load); `daily_loads` and `training_load` serve both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Literal

import numpy as np

from analysis.cleaning import heart_rate
from analysis.samples import sample_durations
from domain.activity import Activity
from domain.profile import Profile

if TYPE_CHECKING:  # loaded where used: reading the stored numbers needs no pandas
    import pandas as pd

Method = Literal["trimp", "avg_hr", "session_rpe"]
SeriesName = Literal["endurance", "strength"]

# Banister's TRIMP weighting k·e^(b·HRr) by sex (RULES.md Load).
TRIMP_WEIGHTS = {"m": (0.64, 1.92), "f": (0.86, 1.67)}
# Pauses (see analysis/samples.sample_durations) count as one usual sampling
# interval: the HR before a pause says nothing about it.
# With HR on less than this share of the recorded time the samples undercount the session,
# so the watch's own average HR is used instead when there is one.
MIN_HR_COVERAGE = 0.5
# CR-10 RPE by run class when the athlete gave none (session-RPE: Foster 2001). Project
# defaults following RULES.md's fatigue order; the reason always says an estimate was used.
RPE_BY_KIND = {"recovery": 2.0, "easy": 3.0, "long": 5.0, "threshold": 7.0, "speed": 8.0,
               "race": 9.0}
DEFAULT_RPE = 4.0  # no RPE, no run class: a moderate session (project default)
# ATL/CTL time constants in days: GoldenCheetah's PMC (RULES.md Load).
ATL_DAYS, CTL_DAYS = 7, 42
# EWMA ACWR spans, λ = 2/(N+1) (Williams et al. 2017 form); only a spike flag, not an
# injury predictor (Impellizzeri et al. 2020).
ACUTE_DAYS, CHRONIC_DAYS = 7, 28
MONOTONY_DAYS = 7  # Foster 1998: mean/SD over one week of daily loads
_DAY, _VALUE = itemgetter(0), itemgetter(1)


@dataclass(frozen=True)
class Load:
    value: float
    method: Method
    reason: str
    series: SeriesName = "endurance"  # strength loads go to their own daily series


# "training" sub-sports that are not lifting, though Garmin's watches record their poses or
# intervals as sets (a yoga file holds timed "active" sets without reps or load).
NOT_LIFTING = frozenset({"yoga", "pilates", "breathing", "flexibility_training",
                         "cardio_training"})


def is_strength(activity: Activity) -> bool:
    """FIT sub_sport strength_training, Garmin Connect's type strength_training, or a
    "training" session with recorded sets (cardio/yoga "training" stays endurance)."""
    return (activity.sub_sport == "strength_training" or activity.sport == "strength_training"
            or (activity.sport == "training" and activity.sub_sport not in NOT_LIFTING
                and bool(activity.sets)))


def activity_load(activity: Activity, profile: Profile, *, kind: str | None = None,
                  rpe: float | None = None, strength: bool | None = None) -> Load:
    """The load of one session: HR-sample TRIMP, else average-HR TRIMP, else session-RPE.

    `kind` is the run class (for an RPE estimate), `rpe` the athlete's CR-10 rating,
    `strength` overrides `is_strength`. Strength sessions always use session-RPE.
    """
    minutes = max(activity.duration_s, 0.0) / 60.0
    if strength if strength is not None else is_strength(activity):
        return strength_load(minutes, rpe)
    sampled = _sample_trimp(activity.streams.t, activity.streams.get("heart_rate"), profile)
    avg_hr = activity.avg_hr if activity.avg_hr is not None and activity.avg_hr > 0 else None
    if sampled is not None and (sampled[1] >= MIN_HR_COVERAGE or avg_hr is None):
        return sampled[0]
    if avg_hr is not None:
        why = ("no HR samples" if sampled is None
               else f"HR samples on only {sampled[1]:.0%} of the time")
        return _avg_hr_trimp(avg_hr, minutes, profile, why)
    return _session_rpe(minutes, rpe, kind, "no heart rate data", "endurance")


def strength_load(minutes: float, rpe: float | None = None) -> Load:
    """Session-RPE (CR-10 RPE × minutes) of a strength session, for the strength series."""
    return _session_rpe(minutes, rpe, None, "strength session, its own series", "strength")


def _weights(profile: Profile) -> tuple[float, float, str]:
    k, b = TRIMP_WEIGHTS[profile.sex]
    return k, b, f"{'men' if profile.sex == 'm' else 'women'}'s weighting {k}·e^({b}·HRr)"


def _hrr(hr: np.ndarray | float, profile: Profile) -> np.ndarray:
    """Heart-rate reserve fraction, clamped to [0, 1] (RULES.md Load)."""
    return np.clip((np.asarray(hr, dtype=np.float64) - profile.rest_hr)
                   / (profile.max_hr - profile.rest_hr), 0.0, 1.0)


def _sample_trimp(t: np.ndarray, hr: np.ndarray | None,
                  profile: Profile) -> tuple[Load, float] | None:
    """Banister TRIMP over the samples and the share of time with HR; None without HR.

    Each sample's HR holds until the next sample (the last one closes the record); 0 bpm
    is no reading (cleaning.heart_rate), time without HR.
    """
    hr = heart_rate(hr)
    if hr is None or t.size < 2:
        return None
    durations = sample_durations(t)
    dt = durations.held
    beats = np.asarray(hr, dtype=np.float64)[:-1]
    valid = np.isfinite(beats)
    if not valid.any() or dt.sum() <= 0:
        return None
    k, b, weighting = _weights(profile)
    hrr = _hrr(beats[valid], profile)
    minutes = dt[valid] / 60.0
    value = float(np.sum(minutes * hrr * k * np.exp(b * hrr)))
    coverage = float(minutes.sum() * 60.0 / dt.sum())
    notes = [f"HR rest {profile.rest_hr}/max {profile.max_hr}"]
    if durations.pauses:
        notes.append(f"{durations.pauses} gap(s) > {durations.pause_words()} s counted as "
                     f"{durations.usual_words()} s each")
    if coverage < 1.0:
        notes.append(f"HR on {coverage:.0%} of the time")
    reason = (f"Banister TRIMP {value:.1f} from {int(valid.sum())} HR samples over "
              f"{minutes.sum():.1f} min ({weighting}; {'; '.join(notes)})")
    return Load(value, "trimp", reason), coverage


def _avg_hr_trimp(avg_hr: float, minutes: float, profile: Profile, why: str) -> Load:
    # Convex weighting: one average underestimates a varied session; it is the fallback.
    k, b, weighting = _weights(profile)
    hrr = float(_hrr(avg_hr, profile))
    value = minutes * hrr * k * math.exp(b * hrr)
    return Load(value, "avg_hr", f"TRIMP {value:.1f} from average HR {avg_hr:.0f} bpm over "
                f"{minutes:.1f} min (HRr {hrr:.2f}, {weighting}; {why})")


def _session_rpe(minutes: float, rpe: float | None, kind: str | None, why: str,
                 series: SeriesName) -> Load:
    if minutes < 0:
        raise ValueError(f"session length {minutes} min must not be negative")
    if rpe is not None:
        if not 0 <= rpe <= 10:
            raise ValueError(f"RPE {rpe} must be on the CR-10 scale, 0-10")
        used, source = float(rpe), f"RPE {rpe:g} given"
    elif kind in RPE_BY_KIND:
        used = RPE_BY_KIND[kind]
        source = f"RPE {used:g} estimated from the run kind {kind!r}, none given"
    else:
        used = DEFAULT_RPE
        source = f"RPE {used:g} estimated as the default, none given" + (
            f" and no estimate for kind {kind!r}" if kind else "")
    value = used * minutes
    return Load(value, "session_rpe", f"session-RPE {value:.0f} = RPE {used:g} × "
                f"{minutes:.1f} min ({source}; {why})", series)


def daily_loads(items: list[tuple[date, float]], start: date, end: date) -> pd.Series:
    """Load per day from `start` to `end` inclusive, rest days 0, items outside ignored."""
    import pandas as pd

    return pd.Series(daily_totals(items, start, end), name="load",
                     index=pd.date_range(start, end, freq="D", name="day"))


def daily_totals(items: list[tuple[date, float]], start: date, end: date) -> np.ndarray:
    """daily_loads as an array, one slot a day from `start`: no pandas on the nightly path."""
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")
    size = (end - start).days + 1
    # One C-level pass per field (itemgetter), no per-item Python code.
    at = np.fromiter(map(date.toordinal, map(_DAY, items)), dtype=np.intp, count=len(items))
    at -= start.toordinal()
    weights = np.fromiter(map(_VALUE, items), dtype=np.float64, count=len(items))
    inside = (at >= 0) & (at < size)
    return np.bincount(at[inside], weights=weights[inside], minlength=size)


FRAME_COLUMNS = ("atl", "ctl", "tsb", "acwr", "monotony", "strain")
# The exponential averages with their λ: ATL and CTL (1 − e^(−1/τ)), and the ACWR's acute
# and chronic ones (2/(N+1)), whose last values seed a later stretch of days (LoadSeed).
AVERAGES = {"atl": 1.0 - math.exp(-1.0 / ATL_DAYS), "ctl": 1.0 - math.exp(-1.0 / CTL_DAYS),
            "acwr_acute": 2.0 / (ACUTE_DAYS + 1), "acwr_chronic": 2.0 / (CHRONIC_DAYS + 1)}


@dataclass(frozen=True)
class LoadSeed:
    """What the days before a stretch of daily loads leave it: the four averages of the day
    before, and how many days of history precede it. Continuing from the seed gives each
    day exactly what one pass over the whole history gives (the averages are step by step).
    The default is no history at all: zero load before the first day."""

    averages: tuple[float, ...] = (0.0,) * len(AVERAGES)  # in AVERAGES' order
    days: int = 0

    @classmethod
    def of(cls, columns: dict[str, np.ndarray], at: int, days: int) -> LoadSeed:
        """The seed the day after position `at` of load_columns' `columns` starts from."""
        return cls(tuple(float(columns[name][at]) for name in AVERAGES), days)


NO_HISTORY = LoadSeed()


@dataclass(frozen=True)
class DailyLoad:
    """training_load's columns as arrays, one slot a day from `first`, without a DataFrame:
    what the nightly analysis stores and recovery reads (analysis.recovery_rules.decide)."""

    first: date
    columns: dict[str, np.ndarray]

    @classmethod
    def of(cls, loads: np.ndarray, first: date, seed: LoadSeed = NO_HISTORY) -> DailyLoad:
        """ATL, CTL, TSB, ACWR, monotony and strain of the daily loads from `first`."""
        return cls(first, load_columns(loads, seed))

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        index = pd.date_range(self.first, periods=len(self.columns["atl"]), freq="D",
                              name="day")
        return pd.DataFrame(self.columns, index=index)


def training_load(daily: pd.Series) -> pd.DataFrame:
    """ATL, CTL, TSB, ACWR, monotony and strain for every day of a gap-free daily series
    (see load_columns), indexed as `daily`."""
    import pandas as pd

    columns = load_columns(daily.to_numpy(dtype=np.float64))
    return pd.DataFrame({name: columns[name] for name in FRAME_COLUMNS}, index=daily.index)


def load_columns(x: np.ndarray, seed: LoadSeed = NO_HISTORY) -> dict[str, np.ndarray]:
    """ATL, CTL, TSB, ACWR (with its acute and chronic averages), monotony and strain for
    every day of gap-free daily loads.

    History before the first day is `seed`'s (default: none, zero load). TSB on day t is
    CTL − ATL of day t−1, so 0 on the first day of history (both seeds are 0). ACWR is NaN
    while the chronic average is 0 or fewer than 28 days of history exist (a warming-up
    chronic average makes every early week look like a spike). Monotony and strain are NaN
    before a full week of `x`; a week with no day-to-day variation has undefined monotony
    (NaN) and strain NaN, or 0 when the week had no load at all.
    """
    if not (x >= 0).all():  # NaN compares False too
        raise ValueError("daily loads must be non-negative numbers (rest days 0, not NaN)")
    # A leading day holding the seed makes pandas' adjust=False recursion start from it
    # instead of the first load. pandas' ewm, not a numpy closed form: its step-by-step
    # recursion keeps a constant load's averages monotonic to the last bit, a rest period's
    # decay free of cancellation, and a seeded stretch equal to the whole history's.
    seeded = np.concatenate(([0.0], x))
    averages = {}
    for (name, alpha), start in zip(AVERAGES.items(), seed.averages, strict=True):
        seeded[0] = start
        averages[name] = _ewma(seeded, alpha)
    atl, ctl = averages["atl"], averages["ctl"]
    tsb = np.concatenate(([seed.averages[1] - seed.averages[0]], (ctl - atl)[:-1]))
    acwr = _acwr(averages["acwr_acute"], averages["acwr_chronic"], seed.days)
    monotony, strain = _monotony_strain(x)
    return {"atl": atl, "ctl": ctl, "tsb": tsb, "acwr": acwr, "monotony": monotony,
            "strain": strain, "acwr_acute": averages["acwr_acute"],
            "acwr_chronic": averages["acwr_chronic"]}


def _ewma(seeded: np.ndarray, alpha: float) -> np.ndarray:
    """x_t = x_{t−1} + α(load_t − x_{t−1}) from x_{−1} = seeded[0], the loads following it
    (the seed dropped from the result)."""
    kernel = _ewm_kernel()
    if kernel is None:
        import pandas as pd  # only here: the commands that read a stored day never load it

        return pd.Series(seeded).ewm(alpha=alpha, adjust=False).mean().to_numpy()[1:]
    bounds = np.array([0], dtype=np.int64), np.array([seeded.size], dtype=np.int64)
    return kernel(seeded, *bounds, 0, 1.0 / alpha - 1.0, False, False, None, True)[1:]


@cache
def _ewm_kernel() -> Callable[..., np.ndarray] | None:
    """The compiled loop behind pandas' `Series.ewm(...).mean()`, called without the Series
    and the window object around it: four calls on ten years of days take 85 µs instead
    of 290 (bench/analysis.py). Same loop, same bits (tests/test_load.py checks it against
    the public call); None when a pandas release moves or changes it, and then the public
    call is used."""
    try:
        from pandas._libs.window.aggregations import ewm
        probe = np.array([0.0, 1.0])
        ok = ewm(probe, np.array([0], dtype=np.int64), np.array([2], dtype=np.int64), 0, 1.0,
                 False, False, None, True)[1] == 0.5
    except Exception:  # ImportError, AttributeError, TypeError: another pandas
        return None
    return ewm if ok else None


def _acwr(acute: np.ndarray, chronic: np.ndarray, before: int) -> np.ndarray:
    """acute/chronic, NaN where chronic is 0 or while fewer than 28 days of history exist
    (`before` days of it precede the first)."""
    ratio = np.full(acute.shape, np.nan)
    np.divide(acute, chronic, out=ratio, where=chronic > 0)
    ratio[: max(CHRONIC_DAYS - 1 - before, 0)] = np.nan
    return ratio


def _monotony_strain(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Foster's monotony (mean/sample SD of the last 7 days) and strain (7-day sum × it).

    Vectorised over days, looping over the 7 offsets: each week is summed in day order,
    two-pass, never as a running sum, so every week is as exact as a hand-written loop.
    """
    monotony = np.full(x.shape, np.nan)
    strain = np.full(x.shape, np.nan)
    weeks = x.size - MONOTONY_DAYS + 1
    if weeks < 1:
        return monotony, strain
    days = [x[j:j + weeks] for j in range(MONOTONY_DAYS)]
    # In place, one buffer each: the same sums in the same order as fresh arrays would be.
    total, top, bottom = days[0].copy(), days[0].copy(), days[0].copy()
    for day in days[1:]:
        total += day
        np.maximum(top, day, out=top)
        np.minimum(bottom, day, out=bottom)
    mean = total / MONOTONY_DAYS
    squares, deviation = np.zeros(weeks), np.empty(weeks)
    for day in days:
        np.subtract(day, mean, out=deviation)
        squares += np.square(deviation, out=deviation)
    sd = np.sqrt(squares / (MONOTONY_DAYS - 1))
    # max > min, not only sd > 0: a constant week's float mean can miss the value by an ulp
    # (sd ≈ 1e-17, monotony ≈ 1e16); sd > 0 still guards squares of tiny loads underflowing.
    varied = (top > bottom) & (sd > 0)
    mono = np.full(weeks, np.nan)
    np.divide(mean, sd, out=mono, where=varied)
    monotony[MONOTONY_DAYS - 1:] = mono
    strain[MONOTONY_DAYS - 1:] = np.where(total == 0, 0.0, total * mono)
    return monotony, strain
