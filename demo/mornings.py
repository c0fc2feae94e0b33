"""The demo athlete's mornings, in the bodies Garmin Connect sends for them.

One `Morning` a day from what the plan says about it (hard sessions, sickness, short nights)
plus a little noise. The series is built in date order because Garmin's own numbers carry
state: the HRV weekly average and the body battery follow from the days before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from demo.season import HARD, STRAIN, SURPRISES, TZ, Session, Timeline, rng_for
from domain.wellness import readiness_level_of

HRV_BASE = 58.0  # ms: the athlete's healthy last-night HRV when the season starts
HRV_TREND = 4.0  # ms gained over 16 weeks of training
AFTER_HARD = (0.10, 0.04)  # HRV lower the first and the second night after a hard session
SICK_HRV, RECOVERING_HRV, SHORT_NIGHT_HRV = 0.68, 0.90, 0.93
SICK_RHR, HARD_RHR, SHORT_NIGHT_RHR = 7, 2, 2  # bpm over the resting HR of 48
REST_HR = 48
BAND = (0.80, 0.88, 1.14)  # Garmin's baseline lowUpper, balancedLow, balancedUpper, x base
DEVICE = 3_900_000_001
STATUS_CODES = {"PRODUCTIVE": 7, "MAINTAINING": 4, "RECOVERY": 5}


@dataclass(frozen=True)
class DayFacts:
    hard: bool = False  # a speed, threshold, long run or race that day
    strain: float = 0.0  # how much the day's sessions drain the body battery
    sick: bool = False
    recovering: bool = False  # the days just after the illness
    short_night: bool = False  # the night before this morning
    status: str = "PRODUCTIVE_3"  # Garmin's training status phrase


@dataclass(frozen=True)
class Morning:
    day: date
    hrv: int
    hrv_weekly: int
    hrv_base: float
    resting_hr: int
    sleep_s: int
    sleep_score: int
    wake: datetime  # aware, local
    readiness: int
    stress: int
    battery: tuple[int, int, int]  # levels at midnight, on waking, in the evening
    status: str


def day_facts(tl: Timeline, sessions: Mapping[date, list[Session]]) -> dict[date, DayFacts]:
    """What the plan and the surprises make of each day of the history."""
    sick = set(map(tl.day, SURPRISES["illness"]))
    short = set(map(tl.day, SURPRISES["short_nights"]))
    last_sick = max(sick)
    ill_weeks = {tl.slot(d)[0] for d in sick}
    out = {}
    for day in tl.days:
        kinds = [s.kind for s in sessions.get(day, [])]
        weeks_back = tl.slot(day)[0]
        status = ("RECOVERY_2" if {weeks_back, weeks_back + 1} & ill_weeks
                  else "MAINTAINING_1" if weeks_back % 4 == 0 else "PRODUCTIVE_3")
        out[day] = DayFacts(hard=bool(HARD.intersection(kinds)),
                            strain=sum(STRAIN[k] for k in kinds), sick=day in sick,
                            recovering=0 < (day - last_sick).days <= 2,
                            short_night=day in short, status=status)
    return out


def mornings(days: list[date], facts: Mapping[date, DayFacts], seed: int) -> dict[date, Morning]:
    out: dict[date, Morning] = {}
    hrvs: list[int] = []
    evening = 30  # the body battery the evening before the first day
    for i, day in enumerate(days):
        rng = rng_for(seed, day, "wellness")
        f = facts.get(day, DayFacts())
        before = [facts.get(day - timedelta(days=k), DayFacts()) for k in (1, 2)]
        base = HRV_BASE + HRV_TREND * min(i / 112, 1.0)
        hrv = round(base * _hrv_factor(f, before) * math.exp(rng.normal(0, 0.05)))
        hrvs.append(hrv)
        sleep_s, score = _sleep(f, before[0], rng)
        readiness = (76 + 80 * (hrv / base - 1) + 0.6 * (score - 75) - 5 * before[0].hard
                     - 10 * f.sick + rng.normal(0, 4))
        charged = 20 + 0.6 * score * hrv / base
        drain = 40 + 15 * f.strain + 10 * f.sick + rng.normal(0, 5)
        high = min(100, round(evening + charged))
        battery = (evening, high, max(5, round(high - drain)))
        evening = battery[2]
        out[day] = Morning(
            day=day, hrv=hrv, hrv_weekly=round(float(np.mean(hrvs[-7:]))), hrv_base=base,
            resting_hr=round(REST_HR + HARD_RHR * before[0].hard + SICK_RHR * f.sick
                             + SHORT_NIGHT_RHR * f.short_night + rng.integers(-1, 2)),
            sleep_s=sleep_s, sleep_score=score,
            wake=datetime.combine(day, time(6, int(rng.integers(0, 40))), tzinfo=TZ),
            readiness=int(np.clip(round(readiness), 1, 100)),
            stress=int(np.clip(round(24 + 12 * f.sick + 6 * f.short_night
                                     + 3 * before[0].hard + rng.normal(0, 3)), 5, 60)),
            battery=battery, status=f.status)
    return out


def _hrv_factor(f: DayFacts, before: list[DayFacts]) -> float:
    """Last night's HRV against the baseline: dips after hard days, deep while ill."""
    factor = 1 - sum(dip * b.hard for dip, b in zip(AFTER_HARD, before, strict=True))
    if f.sick:
        factor *= SICK_HRV
    elif f.recovering:
        factor *= RECOVERING_HRV
    return factor * (SHORT_NIGHT_HRV if f.short_night else 1.0)


def _sleep(f: DayFacts, yesterday: DayFacts, rng: np.random.Generator) -> tuple[int, int]:
    """(seconds asleep, Garmin sleep score): short and sick nights score below 60."""
    if f.short_night or f.sick:
        hours = rng.uniform(4.5, 5.0) if f.short_night else rng.uniform(5.8, 6.6)
        return round(hours * 3600), int(rng.integers(42, 56))
    hours = rng.normal(7.3, 0.35)
    score = 62 + (hours - 6.3) * 14 - 3 * yesterday.hard + rng.normal(0, 4)
    return round(hours * 3600), int(np.clip(round(score), 62, 92))


# -- Garmin's bodies --------------------------------------------------------------------------


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _local_ms(t: datetime) -> int:
    """Garmin's "local" epoch: the wall-clock time read as if it were UTC."""
    return _ms(t.replace(tzinfo=UTC))


def _stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.0")


def hrv_status(m: Morning) -> str:
    low_upper, balanced_low, balanced_upper = (m.hrv_base * b for b in BAND)
    if m.hrv_weekly < low_upper:
        return "LOW"
    return "BALANCED" if balanced_low <= m.hrv_weekly <= balanced_upper else "UNBALANCED"


def hrv_body(m: Morning) -> dict[str, Any]:
    low_upper, balanced_low, balanced_upper = (round(m.hrv_base * b) for b in BAND)
    status = hrv_status(m)
    marker = (m.hrv_weekly - low_upper) / (balanced_upper - low_upper)
    return {"userProfilePk": 1, "hrvSummary": {
        "calendarDate": m.day.isoformat(), "weeklyAvg": m.hrv_weekly, "lastNightAvg": m.hrv,
        "lastNight5MinHigh": round(m.hrv * 1.35),
        "baseline": {"lowUpper": low_upper, "balancedLow": balanced_low,
                     "balancedUpper": balanced_upper, "markerValue": round(marker, 2)},
        "status": status, "feedbackPhrase": f"HRV_{status}_1",
        "createTimeStamp": _stamp(m.wake.astimezone(UTC))}, "hrvReadings": []}


def sleep_body(m: Morning) -> dict[str, Any]:
    awake = 1200
    start = m.wake - timedelta(seconds=m.sleep_s + awake)
    score = m.sleep_score
    quality = next(q for floor, q in ((90, "EXCELLENT"), (80, "GOOD"), (60, "FAIR"), (0, "POOR"))
                   if score >= floor)
    return {"dailySleepDTO": {
        "id": _ms(start), "userProfilePK": 1, "calendarDate": m.day.isoformat(),
        "sleepTimeSeconds": m.sleep_s, "napTimeSeconds": 0,
        "sleepStartTimestampGMT": _ms(start), "sleepEndTimestampGMT": _ms(m.wake),
        "sleepStartTimestampLocal": _local_ms(start), "sleepEndTimestampLocal": _local_ms(m.wake),
        "deepSleepSeconds": round(m.sleep_s * 0.18), "lightSleepSeconds": round(m.sleep_s * 0.58),
        "remSleepSeconds": m.sleep_s - round(m.sleep_s * 0.18) - round(m.sleep_s * 0.58),
        "awakeSleepSeconds": awake, "sleepFromDevice": True,
        "sleepScores": {"overall": {"value": score, "qualifierKey": quality}}},
        "restingHeartRate": m.resting_hr, "avgOvernightHrv": m.hrv, "hrvStatus": hrv_status(m)}


def readiness_body(m: Morning) -> list[dict[str, Any]]:
    """The evening update first, as Garmin lists them; the morning reading is the one used."""
    evening = m.wake.replace(hour=20, minute=30)
    later = max(1, m.readiness - 20)

    def reading(t: datetime, score: int, context: str) -> dict[str, Any]:
        return {"userProfilePK": 1, "calendarDate": m.day.isoformat(), "deviceId": DEVICE,
                "timestamp": _stamp(t.astimezone(UTC)), "timestampLocal": _stamp(t),
                "level": readiness_level_of(score), "score": score, "sleepScore": m.sleep_score,
                "hrvWeeklyAverage": m.hrv_weekly, "inputContext": context,
                "validSleep": True, "primaryActivityTracker": True}
    return [reading(evening, later, "UPDATE_REALTIME_VARIABLES"),
            reading(m.wake, m.readiness, "AFTER_WAKEUP_RESET")]


_BATTERY_COLUMNS = ("timestamp", "bodyBatteryStatus", "bodyBatteryLevel", "bodyBatteryVersion")


def body_battery_body(m: Morning) -> list[dict[str, Any]]:
    midnight = datetime.combine(m.day, time(0), tzinfo=TZ)
    times = (midnight, m.wake, m.wake.replace(hour=21))
    midnight_level, high, low = m.battery
    return [{"date": m.day.isoformat(), "charged": high - midnight_level,
             "drained": high - low,
             "bodyBatteryValuesArray": [[_ms(t), "MEASURED", level, 3.0]
                                        for t, level in zip(times, m.battery, strict=True)],
             "bodyBatteryValueDescriptorDTOList": [
                 {"bodyBatteryValueDescriptorIndex": i, "bodyBatteryValueDescriptorKey": key}
                 for i, key in enumerate(_BATTERY_COLUMNS)]}]


def summary_body(m: Morning) -> dict[str, Any]:
    midnight_level, high, low = m.battery
    return {"calendarDate": m.day.isoformat(), "restingHeartRate": m.resting_hr,
            "minHeartRate": m.resting_hr - 3, "averageStressLevel": m.stress,
            "maxStressLevel": min(100, m.stress + 55),
            "bodyBatteryChargedValue": high - midnight_level, "bodyBatteryDrainedValue": high - low,
            "bodyBatteryHighestValue": high, "bodyBatteryLowestValue": min(m.battery),
            "bodyBatteryMostRecentValue": low, "totalSteps": 9000 + 40 * m.stress}


def training_status_body(m: Morning) -> dict[str, Any]:
    word = m.status.rsplit("_", 1)[0]
    return {"mostRecentTrainingStatus": {"userId": 1, "latestTrainingStatusData": {
        str(DEVICE): {"calendarDate": m.day.isoformat(), "deviceId": DEVICE,
                      "primaryTrainingDevice": True, "trainingStatus": STATUS_CODES[word],
                      "trainingStatusFeedbackPhrase": m.status}}}}
