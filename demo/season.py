"""The demo athlete's season: the timeline, what was run on each day, and the plan ahead.

Everything is a function of the seed and the timeline's dates (no clock). Each day draws from
its own random stream (seed, day), so a day looks the same whatever window is asked for. Weeks
are counted back from the week holding `today`: week 0 is this week, week 7 seven weeks ago.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from demo.fitwrite import LapSpec, SetSpec

TZ_NAME = "Europe/Berlin"
TZ = ZoneInfo(TZ_NAME)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RUNS = {"mon": "easy", "tue": "easy", "wed": "speed", "fri": "easy", "sat": "long"}
DEMO_PROFILE: dict[str, Any] = {
    "name": "demo", "tz": TZ_NAME, "sex": "f", "max_hr": 188, "rest_hr": 48,
    "threshold_hr": 172, "runs": dict(RUNS), "source": "demo"}
RACE = ("half", "Half Marathon race")  # ~3 weeks after today: see Timeline.race_day

Slot = tuple[int, str]  # (weeks before the week holding today, weekday)

# Deliberate departures from the weekly template, for the tests and the walkthrough to find.
SURPRISES: dict[str, tuple[Slot, ...]] = {
    "illness": tuple((7, d) for d in WEEKDAYS[:5]),  # HRV low, resting HR up, sleep poor
    "missed_week": tuple((7, d) for d in WEEKDAYS),  # ill, so no run all week
    "tune_up_race": ((5, "sun"),),  # a 10 km race; Saturday is a shakeout instead of long
    "threshold_run": ((4, "fri"),),  # the easy Friday run as 25 min at threshold
    "long_run_moved": ((3, "sun"),),  # the long run a day late, on Sunday
    "short_nights": ((10, "wed"), (1, "thu")),  # under 5 h of sleep, score below 60
}
STRENGTH: tuple[Slot, ...] = ((3, "thu"), (2, "thu"), (1, "thu"))  # evening gym sessions
BUILD_WEEKS = 16  # the long run grows from 90 to 130 min over these weeks
HARD = frozenset({"speed", "threshold", "long", "race"})
STRAIN = {"easy": 1.0, "shakeout": 0.5, "speed": 2.0, "threshold": 2.0, "long": 3.0,
          "race": 3.0, "strength": 0.8}  # how much each session drains the day


def rng_for(seed: int, day: date, stream: str) -> np.random.Generator:
    """The random stream of one day and one purpose."""
    return np.random.default_rng([seed, day.toordinal(), zlib.crc32(stream.encode())])


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Timeline:
    first_day: date  # the first day with data, a Monday
    today: date  # the last day with data; the calendar holds the plan after it
    weeks_ahead: int

    def day(self, slot: Slot) -> date:
        weeks_back, weekday = slot
        return monday(self.today) - timedelta(weeks=weeks_back, days=-WEEKDAYS.index(weekday))

    def slot(self, day: date) -> Slot:
        return (monday(self.today) - monday(day)).days // 7, WEEKDAYS[day.weekday()]

    def has_data(self, day: date) -> bool:
        return self.first_day <= day <= self.today

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i)
                for i in range((self.today - self.first_day).days + 1)]

    @property
    def race_day(self) -> date:
        """Sunday three weeks on: 21-27 days after today."""
        return monday(self.today) + timedelta(weeks=3, days=6)

    @property
    def plan_end(self) -> date:
        return monday(self.today) + timedelta(weeks=self.weeks_ahead + 1, days=-1)

    def surprises(self) -> dict[str, tuple[date, ...]]:
        """SURPRISES as dates, keeping those inside the history."""
        return {name: tuple(d for d in map(self.day, slots) if self.has_data(d))
                for name, slots in SURPRISES.items()}


def make_timeline(first_day: date | str | None, today: date | str | None, weeks_history: int,
                  weeks_ahead: int) -> Timeline:
    """Either end fixes the other: `weeks_history` whole weeks before the week of `today`, or,
    from `first_day` alone, today is the Monday `weeks_history` weeks after it."""
    first = date.fromisoformat(first_day) if isinstance(first_day, str) else first_day
    last = date.fromisoformat(today) if isinstance(today, str) else today
    if first is None:
        if last is None:
            raise ValueError("the demo timeline needs first_day or today")
        first = monday(last) - timedelta(weeks=weeks_history)
    first = monday(first)  # weeks start on Monday, as the template does
    last = last or first + timedelta(weeks=weeks_history)
    if last < first:
        raise ValueError(f"today {last} is before the demo's first day {first}")
    return Timeline(first, last, weeks_ahead)


# -- what was done on a day ------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    kind: str  # easy, shakeout, speed, threshold, long, race, strength
    name: str
    start: datetime  # aware, Europe/Berlin
    laps: tuple[LapSpec, ...] = ()
    steps: tuple[str, ...] | None = None  # workout step intensities (speed sessions)
    sets: tuple[SetSpec, ...] = ()
    label: str | None = None  # Garmin's trainingEffectLabel
    aerobic_te: float = 0.0
    anaerobic_te: float = 0.0
    load: float = 0.0

    @property
    def duration_s(self) -> int:
        return sum(lap.duration_s for lap in self.laps) or round(sum(s.duration_s
                                                                     for s in self.sets))

    @property
    def utc_offset_s(self) -> int:
        offset = self.start.utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0


def run_kind(tl: Timeline, day: date, seed: int) -> str | None:
    """The run on a day: the template, bent by the surprises (the first that applies)."""
    weeks_back, weekday = at = tl.slot(day)
    if at in SURPRISES["missed_week"]:
        return None
    for name, kind in (("threshold_run", "threshold"), ("long_run_moved", "long"),
                       ("tune_up_race", "race")):
        if at in SURPRISES[name]:
            return kind
    if weekday == "sat" and (weeks_back, "sun") in SURPRISES["long_run_moved"]:
        return None
    if weekday == "sat" and (weeks_back, "sun") in SURPRISES["tune_up_race"]:
        return "shakeout"
    if weekday == "tue" and rng_for(seed, monday(day), "tuesday").random() > 0.6:
        return None  # the Tuesday run happens in some weeks only
    return RUNS.get(weekday)


def sessions_on(tl: Timeline, day: date, seed: int) -> list[Session]:
    """What the athlete recorded on a day, morning run first."""
    rng = rng_for(seed, day, "session")
    kind = run_kind(tl, day, seed)
    out = [_RUN_BUILDERS[kind](tl, day, rng)] if kind else []
    if tl.slot(day) in STRENGTH:
        out.append(_strength(day, STRENGTH.index(tl.slot(day)), rng))
    return out


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


# Garmin's label, aerobic and anaerobic training-effect ranges and load per minute, by kind.
_EFFECT: dict[str, tuple[str | None, tuple[float, float], tuple[float, float], float]] = {
    "easy": ("AEROBIC_BASE", (2.5, 3.0), (0.0, 0.4), 1.3),
    "shakeout": ("RECOVERY", (1.6, 1.9), (0.0, 0.1), 0.9),
    "speed": ("VO2MAX", (3.3, 3.8), (2.3, 3.0), 2.6),
    "threshold": ("TEMPO", (3.4, 3.8), (0.8, 1.3), 2.2),
    "long": ("AEROBIC_BASE", (3.7, 4.3), (0.1, 0.5), 1.6),
    "race": ("LACTATE_THRESHOLD", (4.4, 4.8), (1.8, 2.4), 3.6),
    "strength": (None, (1.0, 1.5), (0.3, 0.8), 0.8),
}


def _session(kind: str, name: str, start: datetime, rng: np.random.Generator, *,
             laps: list[LapSpec] | None = None, steps: tuple[str, ...] | None = None,
             sets: tuple[SetSpec, ...] = ()) -> Session:
    label, aer, ana, per_min = _EFFECT[kind]
    s = Session(kind, name, start, tuple(laps or ()), steps, sets, label)
    return replace(s, aerobic_te=round(float(rng.uniform(*aer)), 1),
                   anaerobic_te=round(float(rng.uniform(*ana)), 1),
                   load=round(per_min * s.duration_s / 60 * float(rng.uniform(0.9, 1.1)), 1))


def _auto_laps(minutes: float, speed: float, hr: tuple[float, float],
               rng: np.random.Generator) -> list[LapSpec]:
    """Steady running with the watch's 1-km auto laps; HR drifts up over the run."""
    total, lap_s = round(minutes * 60), round(1000 / speed)
    count = math.ceil(total / lap_s)
    return [LapSpec(min(lap_s, total - i * lap_s), speed * float(rng.uniform(0.98, 1.02)),
                    hr[0] + (hr[1] - hr[0]) * i / max(count - 1, 1))
            for i in range(count)]


def _easy(_tl: Timeline, day: date, rng: np.random.Generator) -> Session:
    laps = _auto_laps(int(rng.integers(40, 56)), float(rng.uniform(2.95, 3.1)), (136, 146), rng)
    return _session("easy", "Morning Run", _at(day, 6, int(rng.integers(30, 59))), rng,
                    laps=laps)


def _shakeout(_tl: Timeline, day: date, rng: np.random.Generator) -> Session:
    laps = _auto_laps(25, 2.9, (130, 136), rng)
    return _session("shakeout", "Morning Run", _at(day, 8, 0), rng, laps=laps)


def _speed(_tl: Timeline, day: date, rng: np.random.Generator) -> Session:
    """A structured workout: warmup, 5-6 x 3-4 min hard with 2 min jogs, cooldown."""
    reps, work_min = int(rng.integers(5, 7)), int(rng.integers(3, 5))
    fast = float(rng.uniform(4.15, 4.35))
    laps = [LapSpec(900, 2.95, 140, "warmup")]
    for rep in range(reps):
        laps.append(LapSpec(work_min * 60, fast, 174 + 4 * rep / (reps - 1), "interval"))
        if rep < reps - 1:
            laps.append(LapSpec(120, 2.3, 150, "recovery"))
    laps.append(LapSpec(600, 2.9, 144, "cooldown"))
    return _session("speed", f"Intervals {reps}x{work_min}'", _at(day, 18, 15), rng, laps=laps,
                    steps=tuple(lap.intensity for lap in laps))


def _threshold(_tl: Timeline, day: date, rng: np.random.Generator) -> Session:
    """An easy day run hard: 10 min easy, 25 min steady at 162-168 bpm, 8 min easy."""
    laps = [LapSpec(600, 3.0, 140), *_auto_laps(25, 3.55, (163, 167), rng),
            LapSpec(480, 2.9, 145)]
    return _session("threshold", "Morning Run", _at(day, 6, 45), rng, laps=laps)


def _long(tl: Timeline, day: date, rng: np.random.Generator) -> Session:
    """90-130 min, building over the season, every fourth week easier."""
    weeks_back = tl.slot(day)[0]
    minutes = 90 + 40 * min(max((BUILD_WEEKS - weeks_back) / (BUILD_WEEKS - 1), 0.0), 1.0)
    minutes *= 0.85 if weeks_back % 4 == 0 else 1.0
    minutes = min(max(minutes + float(rng.uniform(-3, 3)), 90), 130)
    laps = _auto_laps(minutes, float(rng.uniform(2.9, 3.0)), (139, 150), rng)
    return _session("long", "Long Run", _at(day, 8, 30), rng, laps=laps)


def _race(_tl: Timeline, day: date, rng: np.random.Generator) -> Session:
    laps = _auto_laps(10000 / 3.85 / 60, 3.85, (172, 183), rng)
    return _session("race", "Stadtlauf 10K", _at(day, 10, 0), rng, laps=laps)


_RUN_BUILDERS = {"easy": _easy, "shakeout": _shakeout, "speed": _speed,
                 "threshold": _threshold, "long": _long, "race": _race}

# The article's first gym day (RULES.md S2): lunges, deadlifts, calf raises 3x6, core holds.
_EXERCISES = (("lunge", "dumbbell_lunge", 6, 16.0), ("deadlift", "barbell_deadlift", 6, 50.0),
              ("calf_raise", "standing_calf_raise", 6, 30.0), ("plank", "side_plank", None, None))
REST_S = 150.0


def _strength(day: date, index: int, rng: np.random.Generator) -> Session:
    """Three sets of each exercise with rests between; +2.5 kg a session (S5)."""
    sets: list[SetSpec] = []
    for category, exercise, reps, kg in _EXERCISES:
        for _ in range(3):
            if sets:
                sets.append(SetSpec(category, None, None, None, REST_S, "rest"))
            load = None if kg is None else kg + 2.5 * index
            sets.append(SetSpec(category, exercise, reps, load,
                                30.0 if reps is None else float(rng.uniform(30, 45))))
    return _session("strength", "Strength", _at(day, 18, 30), rng, sets=tuple(sets))


# -- Garmin's view of a session ----------------------------------------------------------------

_TYPES = {"strength_training": (13, 29), "running": (1, 17)}  # typeKey -> (typeId, parentTypeId)


def list_item(gid: int, s: Session) -> dict[str, Any]:
    """The activity list entry (activitylist-service) for a session."""
    key = "strength_training" if s.kind == "strength" else "running"
    secs = float(s.duration_s)
    distance = sum(lap.duration_s * lap.speed_mps for lap in s.laps)
    hr = [(lap.hr_bpm, lap.duration_s) for lap in s.laps] or [(105.0, s.duration_s)]
    avg_hr = sum(h * d for h, d in hr) / sum(d for _, d in hr)
    start_utc = s.start.astimezone(UTC)
    item = {
        "activityId": gid, "activityName": s.name,
        "startTimeLocal": s.start.strftime("%Y-%m-%d %H:%M:%S"),
        "startTimeGMT": start_utc.strftime("%Y-%m-%d %H:%M:%S"),
        "beginTimestamp": int(start_utc.timestamp() * 1000),
        "activityType": {"typeId": _TYPES[key][0], "typeKey": key,
                         "parentTypeId": _TYPES[key][1]},
        "eventType": ({"typeId": 1, "typeKey": "race", "sortOrder": 1} if s.kind == "race"
                      else {"typeId": 9, "typeKey": "uncategorized", "sortOrder": 10}),
        "distance": round(distance, 1), "duration": secs, "elapsedDuration": secs,
        "movingDuration": secs, "averageSpeed": round(distance / secs, 3),
        "averageHR": round(avg_hr), "maxHR": round(max(h for h, _ in hr) + 4),
        "calories": round(secs / 60 * 11), "lapCount": len(s.laps) or 1,
        "aerobicTrainingEffect": s.aerobic_te, "anaerobicTrainingEffect": s.anaerobic_te,
        "activityTrainingLoad": s.load, "manufacturer": "GARMIN", "deviceId": 3_900_000_001,
    }
    if s.label:
        item["trainingEffectLabel"] = s.label
    return item


def exercise_sets(gid: int, s: Session) -> dict[str, Any]:
    """get_activity_exercise_sets: Garmin's names in capitals, weights in grams."""
    rows, t = [], s.start.astimezone(UTC)
    for i, st in enumerate(s.sets):
        active = st.set_type == "active"
        rows.append({
            "exercises": ([{"category": st.category.upper(), "name": (st.exercise or "").upper(),
                            "probability": 100.0}] if active else []),
            "repetitionCount": st.reps, "duration": st.duration_s, "messageIndex": i,
            "weight": None if st.weight_kg is None else st.weight_kg * 1000,
            "setType": "ACTIVE" if active else "REST",
            "startTime": t.strftime("%Y-%m-%dT%H:%M:%S.0")})
        t += timedelta(seconds=st.duration_s)
    return {"activityId": gid, "exerciseSets": rows}


# -- the plan ahead (Garmin calendar) --------------------------------------------------------

# Scheduled workouts by week relative to the race week (-2 and earlier: build; +1: recovery).
_PLAN_WEEKS = {
    -2: {"mon": "Easy 8 km", "tue": "Easy 6 km", "wed": "6x800m intervals", "fri": "Easy 8 km",
         "sat": "Long run 24 km"},
    -1: {"mon": "Easy 8 km", "tue": "Easy 6 km", "wed": "5x1000m intervals", "fri": "Easy 8 km",
         "sat": "Long run 18 km"},
    0: {"mon": "Easy 6 km", "wed": "4x1 km at race pace", "fri": "Easy 5 km",
        "sat": "Shakeout 4 km", "sun": RACE[1]},
    1: {"tue": "Recovery run 5 km", "wed": "Easy 6 km", "fri": "Easy 8 km",
        "sat": "Long run 14 km"},
}


def planned_title(tl: Timeline, day: date) -> str | None:
    week = (monday(day) - monday(tl.race_day)).days // 7
    return _PLAN_WEEKS[min(max(week, -2), 1)].get(WEEKDAYS[day.weekday()])


def calendar_items(tl: Timeline, workout_id: int) -> list[dict[str, Any]]:
    """The running workouts scheduled after today, as calendar-service lists them."""
    out, day = [], tl.today + timedelta(days=1)
    while day <= tl.plan_end:
        title = planned_title(tl, day)
        if title:
            wid = workout_id + day.toordinal()
            out.append({"id": wid, "itemType": "workout", "workoutId": wid,
                        "date": day.isoformat(), "title": title, "sportTypeKey": "running",
                        "isRace": title == RACE[1]})
        day += timedelta(days=1)
    return out
