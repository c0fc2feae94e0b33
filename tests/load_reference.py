"""Plain per-day loops of RULES.md's load and recovery formulas: the yardstick that the
vectorised analysis/ code is property-tested and benchmarked against. Test-only code.

Constants come from the product (they are the spec's numbers); every formula is written
out again here, one day at a time, without pandas or numpy.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from analysis import load as L
from analysis import recovery as R
from domain.wellness import DailyWellness

NAN = math.nan


def reference_training_load(loads: list[float]) -> dict[str, list[float]]:
    """atl, ctl, tsb, acwr, monotony, strain per day, as analysis.load.training_load."""
    lam_atl, lam_ctl = 1 - math.exp(-1 / L.ATL_DAYS), 1 - math.exp(-1 / L.CTL_DAYS)
    lam_acute, lam_chronic = 2 / (L.ACUTE_DAYS + 1), 2 / (L.CHRONIC_DAYS + 1)
    atl = ctl = acute = chronic = 0.0
    out: dict[str, list[float]] = {k: [] for k in ("atl", "ctl", "tsb", "acwr", "monotony",
                                                    "strain")}
    for i, load in enumerate(loads):
        out["tsb"].append(ctl - atl)  # yesterday's CTL − ATL
        atl += lam_atl * (load - atl)
        ctl += lam_ctl * (load - ctl)
        acute += lam_acute * (load - acute)
        chronic += lam_chronic * (load - chronic)
        out["atl"].append(atl)
        out["ctl"].append(ctl)
        warm = i >= L.CHRONIC_DAYS - 1 and chronic > 0
        out["acwr"].append(acute / chronic if warm else NAN)
        monotony, strain = _week(loads[i - L.MONOTONY_DAYS + 1:i + 1] if i >= 6 else [])
        out["monotony"].append(monotony)
        out["strain"].append(strain)
    return out


def _moments(values: list[float]) -> tuple[float, float, float]:
    """Sum, mean and sum of squared deviations, one value at a time."""
    total = 0.0
    for v in values:
        total += v
    mean = total / len(values)
    squares = 0.0
    for v in values:
        squares += (v - mean) * (v - mean)
    return total, mean, squares


def _week(week: list[float]) -> tuple[float, float]:
    if not week:
        return NAN, NAN
    total, mean, squares = _moments(week)
    if max(week) == min(week) or squares == 0:
        return NAN, 0.0 if total == 0 else NAN
    monotony = mean / math.sqrt(squares / (len(week) - 1))
    return monotony, total * monotony


def reference_daily_loads(items: list[tuple[date, float]], start: date,
                          end: date) -> list[float]:
    totals = [0.0] * ((end - start).days + 1)
    for day, value in items:
        if start <= day <= end:
            totals[(day - start).days] += value
    return totals


def _mean_sd(values: list[float]) -> tuple[float, float]:
    _, mean, squares = _moments(values)
    return mean, math.sqrt(squares / (len(values) - 1)) if len(values) > 1 else NAN


def reference_recovery(days: list[DailyWellness], start: date, end: date,
                       tsb: dict[date, float] | None = None,
                       acwr: dict[date, float] | None = None) -> list[dict[str, object]]:
    """Per day from start to end: signal, band, below-band streak, resting-HR mean, level."""
    by_day: dict[date, DailyWellness] = {}
    for w in days:
        by_day.setdefault(w.day, w)
    first = min([start, *by_day])
    n = (end - first).days + 1
    ln: list[float | None] = []
    rhr: list[float | None] = []
    for i in range(n):
        record = by_day.get(first + timedelta(days=i))
        hrv = record.hrv_last_night if record else None
        beats = record.resting_hr if record else None
        ln.append(math.log(hrv) if hrv and hrv > 0 else None)
        rhr.append(float(beats) if beats and beats > 0 else None)
    rows: list[dict[str, object]] = []
    streak = in_band = 0
    tsb_streak = _streaks(tsb or {})
    history_first = min(tsb or acwr or {end: 0.0})
    for i in range(n):
        day = first + timedelta(days=i)
        week = [v for v in ln[max(0, i - 6):i + 1] if v is not None]
        signal = _mean_sd(week)[0] if len(week) >= R.HRV_SIGNAL_MIN_NIGHTS else None
        before = [v for v in ln[max(0, i - R.HRV_BASELINE_DAYS):i] if v is not None]
        low = high = None
        if len(before) >= R.HRV_MIN_NIGHTS:
            mu, sd = _mean_sd(before)
            low, high = mu - R.HRV_BAND_SD * sd, mu + R.HRV_BAND_SD * sd
        below = signal is not None and low is not None and signal < low
        streak = streak + 1 if below else 0
        inside = (x := ln[i]) is not None and low is not None and high is not None \
            and low <= x <= high
        in_band = in_band + 1 if inside else 0
        month = [v for v in rhr[max(0, i - R.RHR_DAYS):i] if v is not None]
        rhr_mean = _mean_sd(month)[0] if len(month) >= R.RHR_MIN_DAYS else None
        if day < start:
            continue
        today = rhr[i]
        rise = today - rhr_mean if today is not None and rhr_mean is not None else None
        above = signal is not None and high is not None and signal > high
        tsb_day, acwr_day = (tsb or {}).get(day), (acwr or {}).get(day)
        # cold start: form and ACWR decide after 42 days of history, form on 2 days running
        enough = (day - history_first).days + 1 >= R.LOAD_HISTORY_DAYS
        form = tsb_day if enough and tsb_streak.get(day, 0) >= 2 else None
        # leaving red: 2 mornings back in band end a red streak (below once stays amber)
        red_signal = 0 if streak >= 2 and in_band >= 2 else streak
        rows.append({"day": day, "hrv_signal": signal, "band_low": low, "band_high": high,
                     "hrv_below_days": streak, "resting_hr": today,
                     "resting_hr_mean30": rhr_mean, "tsb": tsb_day, "acwr": acwr_day,
                     "level": _level(by_day.get(day), red_signal, above, rise, form,
                                     acwr_day if enough else None,
                                     back=streak >= 2 and in_band >= 2)})
    return rows


def _streaks(tsb: dict[date, float]) -> dict[date, int]:
    """Days running with form below −30, by day."""
    out: dict[date, int] = {}
    for day in sorted(tsb):
        value = tsb[day]
        below = value is not None and not math.isnan(value) and value < -30
        out[day] = out.get(day - timedelta(days=1), 0) + 1 if below else 0
    return out


def _level(w: DailyWellness | None, streak: int, above: bool, rise: float | None,
           tsb: float | None, acwr: float | None, back: bool = False) -> str:
    """RULES.md S7.3 written out as one plain chain of conditions."""
    status = (w.hrv_status or "").upper() if w else ""
    readiness = (w.readiness_level or "").upper() if w else ""
    sleep = w.sleep_score if w else None
    if streak >= 2 or status in ("LOW", "POOR") or readiness == "POOR":
        return "red"
    if (streak == 1 or back or readiness == "LOW" or (sleep is not None and sleep < 60)
            or (rise is not None and rise > 5) or (tsb is not None and tsb < -30)
            or (acwr is not None and acwr > 1.5) or (above and rise is not None and rise > 2)):
        return "amber"
    return "green"
