"""Recovery decisions in words: one `RecoveryStatus` per day with its reasons, the values
used and what was missing (RULES.md S7.3).

Pure (no I/O, no clock). `recovery_statuses` explains analysis/recovery_rules.py's
decisions day by day, formatting a text only where it applies. Missing inputs never block:
they are listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from analysis.load import DailyLoad
from analysis.recovery_rules import (
    ACWR_MAX,
    HRV_BASELINE_DAYS,
    HRV_MIN_NIGHTS,
    HRV_SIGNAL_DAYS,
    HRV_SIGNAL_MIN_NIGHTS,
    LEVELS,
    LOAD_HISTORY_DAYS,
    RED_HRV_STATUSES,
    RHR_DAYS,
    RHR_MIN_DAYS,
    RHR_RAISED_BPM,
    RHR_RISE_BPM,
    RULES,
    SLEEP_MIN,
    TSB_MIN,
    Decided,
    FrameRow,
    Level,
    decide,
    readiness_known,
)
from analysis.shown import band_places, places, shown_against, trimmed
from domain.wellness_columns import Labels, Wellness

if TYPE_CHECKING:
    import pandas as pd

Values = dict[str, float | str | None]
NO_DATA = "no recovery data: planning on load alone"
VALUE_KEYS = ("hrv_signal", "band_low", "band_high", "hrv_below_days", "hrv_last_night",
              "hrv_in_band_mornings", "hrv_status", "readiness_level", "sleep_score",
              "resting_hr", "resting_hr_mean30", "tsb", "tsb_low_days", "acwr",
              "load_history_days")


@dataclass(frozen=True)
class RecoveryStatus:
    day: date
    level: Level
    reasons: tuple[str, ...]
    values: Values = field(hash=False)
    missing: tuple[str, ...] = ()


def recovery_statuses(wellness: Wellness, load: pd.DataFrame | DailyLoad | None, start: date,
                      end: date, history_from: date | None = None) -> list[RecoveryStatus]:
    """One explained status per day from `start` to `end` inclusive (see recovery_frame)."""
    return explain(decide(wellness, load, start, end, history_from))


def explain(decided: Decided, first: date | None = None) -> list[RecoveryStatus]:
    """The decided days from `first` on (default: all of them) in words: texts are made
    only for the days asked for (a status or a report shows a few of ten years)."""
    skip = max((first - decided.start).days, 0) if first else 0
    numbers = {name: values[skip:] for name, values in decided.numbers.items()}
    numbers.update(decided.breaks(skip))
    labels = {name: text.taken(slice(skip, None))
              for name, text in decided.labels.items()}
    start = decided.start + timedelta(days=skip)
    dates = list(map(date.fromordinal, range(start.toordinal(),
                                             start.toordinal() + labels["level"].codes.size)))
    python = {name: labels[name].tolist() if name in labels else _python(numbers[name])
              for name in FrameRow._fields[1:]}
    rows = list(map(FrameRow._make, zip(dates, *python.values(), strict=True)))
    values = [dict(zip(VALUE_KEYS, r, strict=True))
              for r in zip(*(python[key] for key in VALUE_KEYS), strict=True)]
    reasons = _reasons(numbers, labels["level"], rows)
    missing = _missing(rows)
    levels = map(LEVELS.__getitem__, labels["level"].codes.tolist())
    return [RecoveryStatus(*status) for status in zip(
        dates, levels, map(tuple, reasons), values, map(tuple, missing), strict=True)]

def _python(values: np.ndarray) -> list[object]:
    """An array as Python values, None where missing (NaN: the one value unequal to itself).
    In Python, not numpy: the few days explained convert faster than numpy's calls start."""
    if values.dtype.kind != "f":
        return values.tolist()
    return [None if value != value else value for value in values.tolist()]


# --- explanations: plain words with the numbers (as analysis.shown rounds them) -----------


def _band_places(d: FrameRow, *values: float) -> int:
    # a signal's texts have a band
    return band_places(d.band_low or 0.0, d.band_high or 0.0, *values)


def _signal(d: FrameRow, where: str, places: int | None = None) -> str:
    p = _band_places(d, d.hrv_signal or 0.0) if places is None else places
    return (f"HRV 7-day signal {d.hrv_signal:z.{p}f} {where} the normal band "
            f"{d.band_low:z.{p}f}–{d.band_high:z.{p}f}")


def _rise(d: FrameRow) -> float | None:
    if d.resting_hr is None or d.resting_hr_mean30 is None:
        return None
    return d.resting_hr - d.resting_hr_mean30


def _resting_hr(d: FrameRow) -> str:
    rise = _rise(d) or 0.0  # to a tenth of a beat ("0.833 below its mean 48.8" before), finer
    # where a tenth would cross either rule's limit; the HR and its mean to as many, so that
    # the three add up (a resting HR is whole beats: "53 bpm" all the same)
    p = places(1, (rise, RHR_RISE_BPM), (rise, RHR_RAISED_BPM))
    return (f"resting HR {trimmed(d.resting_hr or 0.0, p)} bpm is {trimmed(abs(rise), p)} "
            f"{'above' if rise >= 0 else 'below'} its 30-day mean "
            f"{trimmed(d.resting_hr_mean30 or 0.0, p)}")


def _back_in_band(d: FrameRow) -> str:
    p = _band_places(d, d.hrv_signal or 0.0, d.hrv_last_night or 0.0)
    return (_signal(d, "still below", p) + f" for {d.hrv_below_days} days, but last night's "
            f"ln HRV {d.hrv_last_night:z.{p}f} was inside it {d.hrv_in_band_mornings} mornings "
            "running: the HRV signal no longer makes it red, only amber while the mean catches up")


def _sleep(d: FrameRow, rule: str) -> str:
    score = d.sleep_score or 0.0
    return f"sleep score {trimmed(score, places(0, (score, SLEEP_MIN)))} {rule} {SLEEP_MIN}"


def shown_form(tsb: float) -> str:
    """Form (TSB) as the reasons, `status` and the web show it: on its side of TSB_MIN."""
    return shown_against(tsb, 1, TSB_MIN)


def shown_acwr(acwr: float) -> str:
    """The EWMA ACWR as the reasons, `status` and the web show it: on its side of ACWR_MAX."""
    return shown_against(acwr, 2, ACWR_MAX)


def _tsb(d: FrameRow) -> str:
    return f"form (TSB) {shown_form(d.tsb or 0.0)}"


def _acwr(d: FrameRow) -> str:
    return f"EWMA ACWR {shown_acwr(d.acwr or 0.0)}"


def _enough_history(d: FrameRow) -> bool:
    return d.load_history_days >= LOAD_HISTORY_DAYS


def cold_start(d: FrameRow) -> str:
    """Why form and ACWR decide nothing yet (RULES.md S7.3 cold start)."""
    return (f"form (TSB) and ACWR not used: not enough history, {d.load_history_days} of "
            f"{LOAD_HISTORY_DAYS} days")


TEXTS: dict[str, Callable[[FrameRow], str]] = {
    "hrv_below_days_running": lambda d: _signal(d, "below")
    + f" for {d.hrv_below_days} days running",
    "hrv_back_in_band": _back_in_band,
    "hrv_status_low": lambda d: f"Garmin HRV status {d.hrv_status}",
    "readiness_poor": lambda d: "training readiness POOR",
    "hrv_below_once": lambda d: _signal(d, "below"),
    "readiness_low": lambda d: "training readiness LOW (below MODERATE)",
    "sleep_low": lambda d: _sleep(d, "<"),
    "resting_hr_high": _resting_hr,
    "tsb_low": lambda d: f"{_tsb(d)} < {TSB_MIN:g} on {d.tsb_low_days} days running",
    "acwr_high": lambda d: f"{_acwr(d)} > {ACWR_MAX:g}: a load spike",
    "hrv_above_resting_hr_raised": lambda d: _signal(d, "above") + f" while {_resting_hr(d)}",
}


def _green(d: FrameRow) -> list[str]:
    """What was checked and passed, in the rules' order: the facts behind "as planned".
    Garmin's HRV status alone is a second opinion, said with what cannot judge yet."""
    signal = ([_signal(d, "above" if d.hrv_signal > d.band_high else "within")]
              if d.hrv_signal is not None and d.band_high is not None else [])
    out = []
    if readiness_known(d.readiness_level):
        out.append(f"training readiness {d.readiness_level} (≥ MODERATE)")
    if d.sleep_score is not None:
        out.append(_sleep(d, "≥"))
    if _rise(d) is not None:
        out.append(_resting_hr(d))
    load = _load_passed(d)
    if not (signal or out):  # measured, not judged yet
        return _not_judged(d, alone=not load) + load
    status = [_hrv_status_passed(d)] if d.hrv_status is not None else []
    return signal + status + out + load


def _hrv_status_passed(d: FrameRow) -> str:
    return f"Garmin HRV status {d.hrv_status} (not {' or '.join(RED_HRV_STATUSES)})"


def _load_passed(d: FrameRow) -> list[str]:
    """Form and ACWR as checked and passed; none before enough history (the cold start
    note says why)."""
    if not _enough_history(d):
        return []
    out = []
    if d.tsb is not None:
        out.append(f"{_tsb(d)} ≥ {TSB_MIN:g}" if d.tsb >= TSB_MIN else
                   f"{_tsb(d)} < {TSB_MIN:g} on its first day: one dip is expected")
    if d.acwr is not None:
        out.append(f"{_acwr(d)} ≤ {ACWR_MAX:g}")
    return out


def _not_judged(d: FrameRow, alone: bool) -> list[str]:
    """Why a green day has no recovery check behind it: what was measured and why it cannot
    judge yet, `alone` where no form or ACWR check is listed either (an empty list where
    nothing was measured: NO_DATA says so)."""
    out = []
    if d.hrv_signal is None and d.hrv_signal_nights:
        out.append(_signal_short(d))
    if d.hrv_signal is not None and d.band_low is None:
        out.append(_baseline_short(d))
    if d.resting_hr is not None and d.resting_hr_mean30 is None:
        out.append(_resting_hr_short(d))
    if d.hrv_status is not None:
        out.append(_hrv_status_passed(d))
    return ["; ".join(out) + ("; nothing else to judge by" if alone else "")] if out else []


def _reasons(columns: dict[str, np.ndarray], level: Labels,
             rows: list[FrameRow]) -> list[list[str]]:
    """Triggered rules (red first) per day, formatted only where they fired."""
    out: list[list[str]] = [[] for _ in rows]
    for rule, i in _hits([columns[name] for name, _ in RULES]):
        out[i].append(TEXTS[RULES[rule][0]](rows[i]))
    for i, (d, code, no_data) in enumerate(zip(rows, level.codes.tolist(),
                                               columns["no_data"].tolist(), strict=True)):
        if level.names[code] == "green":
            out[i] = _green(d)
        if not _enough_history(d) and (d.tsb is not None or d.acwr is not None):
            out[i].append(cold_start(d))
        if no_data:
            out[i].insert(0, NO_DATA)
    return out


def _too_few(d: FrameRow, what: str, have: int, need: str,
             gap: tuple[float | None, float | None] = (None, None)) -> str:
    """An input with too few readings to judge by, in words: how many of how many it has
    (`need`: "3 nights in the last 7"), and whether it is a start ("still building": some,
    and no break after earlier ones) or a break (`gap`: days back to its first and last day,
    analysis.recovery_rules._breaks): two years of nights and ten days without the watch
    is no newcomer's signal."""
    counts = f"{have} of {need}"
    began, ended = gap
    if began is None or ended is None:
        return f"{what} still building: {counts}" if have else f"{what}: {counts}"
    first, last = (d.day - timedelta(days=ago) for ago in (began, ended))
    span = (f"none after {first - timedelta(days=1):%d %b}" if ended == 0 else
            f"none from {first:%d %b} to {last:%d %b}")
    return f"{what}: {counts} ({span})"


def _signal_short(d: FrameRow) -> str:
    return _too_few(d, "HRV signal", d.hrv_signal_nights,
                    f"{HRV_SIGNAL_MIN_NIGHTS} nights in the last {HRV_SIGNAL_DAYS}",
                    (d.hrv_break_from, d.hrv_break_to))


def _baseline_short(d: FrameRow) -> str:
    # a break of the watch is what the signal's words say; the baseline's 60 nights are
    # only short after one of most of them, when it is built again
    return _too_few(d, "HRV baseline", d.hrv_baseline_nights,
                    f"{HRV_MIN_NIGHTS} nights in the last {HRV_BASELINE_DAYS}")


def _resting_hr_short(d: FrameRow) -> str:
    return _too_few(d, "resting HR 30-day mean", d.resting_hr_days,
                    f"{RHR_MIN_DAYS} days in the last {RHR_DAYS}",
                    (d.resting_hr_break_from, d.resting_hr_break_to))


MISSING: tuple[tuple[str, Callable[[FrameRow], str]], ...] = (
    ("hrv_signal", _signal_short),
    ("band_low", _baseline_short),
    ("hrv_status", lambda d: "Garmin HRV status"),
    ("readiness_level", lambda d: "training readiness" if d.readiness_level is None
     else f"training readiness (unknown level {d.readiness_level})"),
    ("sleep_score", lambda d: "sleep score"),
    ("resting_hr", lambda d: "resting HR"),
    ("resting_hr_mean30", _resting_hr_short),
    ("tsb", lambda d: "TSB"),
    ("acwr", lambda d: "ACWR"),
)


def _missing(rows: list[FrameRow]) -> list[list[str]]:
    """What each day lacks, in MISSING's order, read off its row (a few days at a time)."""
    return [[text(d) for name, text in MISSING if _lacks(d, name)] for d in rows]


def _lacks(d: FrameRow, name: str) -> bool:
    if name == "readiness_level":  # none, or a word none of Garmin's levels
        return not readiness_known(d.readiness_level)
    if name == "resting_hr_mean30":  # matters only with a resting HR today to compare with it
        return d.resting_hr_mean30 is None and d.resting_hr is not None
    return getattr(d, name) is None


def _hits(flags: list[np.ndarray]) -> list[tuple[int, int]]:
    """(which flag, day) of every True day of `flags`, flag by flag and each day by day:
    one call for all the flags, which for the few days shown costs less than one each."""
    which, days = np.nonzero(np.array(flags))
    return list(zip(which.tolist(), days.tolist(), strict=True))
