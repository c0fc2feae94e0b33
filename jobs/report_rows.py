"""What the recovery-versus-load report shows, read from the database into plain data.

One SQLAlchemy session in, dataclasses and pandas frames out; nothing here writes, and
nothing here knows about HTML (render.py turns a ReportData into the page).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from analysis.classify import RUN_KINDS, warnings_in
from db import activities, plans, repo
from db import models as m
from domain.profile import Race
from jobs.replan import found_between
from planner.catalog import Catalog
from planner.catalog_file import default_catalog
from planner.model import week_heavy_lower, week_start
from planner.races import RaceDay as RaceMark  # a race on the charts: entered, or found
from planner.races import entered
from planner.slots import MAX_HEAVY_LOWER_A_WEEK

# Bar colours and legend order of the load chart: run kinds, then everything else.
LOAD_KINDS = ("race", "speed", "threshold", "long", "easy", "recovery", "other")
# Where a session stands, as the timeline shows it (see `session_category`).
SESSION_CATEGORIES = ("done", "moved", "lightened", "mobility", "skipped", "not logged",
                      "planned")
HEAVY_LOWER_CAP = MAX_HEAVY_LOWER_A_WEEK  # RULES.md S4: 8 a week
DAY_COLUMNS = ("endurance_load", "strength_load", "atl", "ctl", "tsb", "acwr", "level",
               "status_reasons", "hrv_ms", "hrv_signal_ms", "band_low_ms", "band_high_ms",
               "resting_hr", "resting_hr_mean30", "sleep_score", "readiness_level",
               "readiness_score")
TEXT_DAY_COLUMNS = ("level", "status_reasons", "readiness_level")
ACTIVITY_COLUMNS = ("day", "name", "sport", "kind", "load_kind", "load", "series",
                    "duration_min", "distance_km", "reason")


@dataclass(frozen=True)
class ExerciseItem:
    exercise_id: str
    name: str
    work: str  # "3x6 @ 60 kg", "2x30s"
    heavy_lower: bool


@dataclass(frozen=True)
class AdjustmentItem:
    night: date
    session_key: str
    rule: str
    action: str
    before: str
    after: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SessionItem:
    key: str
    day: date
    kind: str  # strength or mobility
    status: str  # planned, moved, lightened, done, skipped
    pinned: bool
    block: int
    week_in_block: int
    step: int  # 0-based ladder step
    exercises: tuple[ExerciseItem, ...]
    adjustments: tuple[AdjustmentItem, ...]  # every change made to this session, oldest first
    past: bool = False  # its day is over (before the report's today)

    @property
    def from_strength(self) -> bool:
        """A strength session of the plan, including one turned into mobility work."""
        return self.kind == "strength" or any(a.action == "mobility" for a in self.adjustments) \
            or (self.kind == "mobility" and self.status == "lightened")

    @property
    def category(self) -> str:
        return session_category(self.kind, self.status, self.past)

    @property
    def heavy_lower(self) -> int:
        return sum(e.heavy_lower for e in self.exercises)


@dataclass(frozen=True)
class WeekSummary:
    monday: date
    runs: Mapping[str, int]  # every LOAD_KINDS key, "other" for non-run endurance sessions
    strength_planned: int
    strength_done: int
    mobility: int  # mobility sessions (planned as such or turned from strength), not skipped
    heavy_lower: int  # high-resistance lower-body exercises, skipped sessions left out
    ladder_step: int | None  # 1-based ladder step the week's sessions train
    upcoming: bool  # the week starts after today: these are plans, not facts

    @property
    def runs_total(self) -> int:
        return sum(n for kind, n in self.runs.items() if kind in RUN_KINDS)

    @property
    def over_cap(self) -> bool:
        return self.heavy_lower > HEAVY_LOWER_CAP


MAX_DAYS = 3660  # the longest report: ten years


@dataclass(frozen=True)
class ReportData:
    athlete: str
    start: date
    end: date
    today: date
    activities: pd.DataFrame  # ACTIVITY_COLUMNS, one row per activity in [start, end]
    days: pd.DataFrame  # DAY_COLUMNS, indexed by every date of [start, end]
    sessions: tuple[SessionItem, ...]  # planned sessions in [start, end]
    adjustments: tuple[AdjustmentItem, ...]  # changes decided on nights in [start, end]
    weeks: tuple[WeekSummary, ...]  # every ISO week touching [start, end]
    generated: datetime | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    stored: tuple[date, date] | None = None  # first and last day known, whatever the range
    # the races entered in [start, end] and those found in its synced activities, by day
    races: tuple[RaceMark, ...] = ()

    @property
    def has_training(self) -> bool:
        return not self.activities.empty

    @property
    def has_load(self) -> bool:
        return bool(self.days["ctl"].notna().any())

    @property
    def has_recovery(self) -> bool:
        cols = ("hrv_ms", "resting_hr", "sleep_score", "readiness_level")
        return bool(self.days[list(cols)].notna().any().any())

    @property
    def empty(self) -> bool:
        """Nothing measured yet: no activity and no recovery number (a fresh athlete may
        already have a plan, laid out from the weekly template)."""
        return not (self.has_training or self.has_recovery)


def session_category(kind: str, status: str, past: bool = False) -> str:
    """Done and skipped are final; a session whose day is over is neither, not logged;
    otherwise mobility work, lightened, moved or as planned."""
    if status in ("done", "skipped"):
        return status
    if past:
        return "not logged"
    if kind == "mobility":
        return "mobility"
    return status if status in ("lightened", "moved") else "planned"


def load_report(db: Session, athlete: str, start: date, end: date, today: date,
                catalog: Catalog | None = None, generated: datetime | None = None, *,
                races: Iterable[Race], on_web: bool = False) -> ReportData:
    """The report's data for one athlete over [start, end] (both included); `races`: the
    races entered (the profile's; required: a caller that forgot them drew none), marked on
    the charts where they fall in the range with the races found in its synced activities
    (Garmin's race flag, a triathlon) on days none is entered on; `on_web`: for the web
    app's page (a warning's fix in its words), not the CLI's file."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    races = tuple(races)
    catalog = catalog or default_catalog()
    first, last = week_start(start), week_start(end) + timedelta(days=6)
    who = repo.find_athlete(db, athlete)
    found = found_between(db, who, races, start, end) if who is not None else []
    marked = tuple(sorted((r for r in [*entered(races), *found] if start <= r.day <= end),
                          key=lambda r: r.day))
    if who is None:  # never synced or planned: an empty report, not an error
        return _build(athlete, start, end, today, _activity_frame([]), [], [], [], [],
                      generated, marked)
    acts = _activity_frame(activities.report_activities(db, who, first, last), on_web)
    statuses = plans.daily_statuses(db, who, start, end)
    wellness = plans.wellness_rows(db, who, start, end)
    rows = plans.sessions_between(db, who, first, last)
    keys = [r.key for r in rows]
    changes = [_adjustment(a) for a in plans.adjustments(db, who, between=(start, end),
                                                         session_keys=keys)]
    sessions = [_session(r, changes, catalog, today) for r in rows]
    data = _build(athlete, start, end, today, acts, statuses, wellness, sessions, changes,
                  generated, marked)
    # measured: the training status Garmin gives of days without a watch is no data to show
    known = (activities.first_fact_day(db, who, measured=True),
             activities.last_fact_day(db, who, measured=True))
    if known[0] is None or known[1] is None:
        return data
    return replace(data, stored=(known[0], known[1]))


def _build(athlete: str, start: date, end: date, today: date, acts: pd.DataFrame,
           statuses: Sequence[m.DailyStatus], wellness: Sequence[m.Wellness],
           sessions: Sequence[SessionItem], changes: Sequence[AdjustmentItem],
           generated: datetime | None, races: tuple[RaceMark, ...]) -> ReportData:
    in_range = acts[(acts["day"] >= start) & (acts["day"] <= end)].reset_index(drop=True)
    return ReportData(
        athlete=athlete, start=start, end=end, today=today, activities=in_range,
        days=_days(start, end, statuses, wellness),
        sessions=tuple(s for s in sessions if start <= s.day <= end),
        adjustments=tuple(a for a in changes if start <= a.night <= end),
        weeks=tuple(weekly_summary(acts, sessions, start, end, today)), generated=generated,
        races=races)


def _activity_frame(rows: Iterable[Any], on_web: bool = False) -> pd.DataFrame:
    records = []
    for day, name, sport, duration_s, distance_m, kind, load, series, reasons in rows:
        kind = kind or "unclassified"  # not analysed yet: shown, without a load
        series = series or "endurance"
        records.append({
            "day": day, "name": name, "sport": sport, "kind": kind,
            "load_kind": "strength" if series == "strength" else
            (kind if kind in RUN_KINDS else "other"),
            "load": float(load) if load is not None else 0.0, "series": series,
            "duration_min": duration_s / 60.0,
            "distance_km": distance_m / 1000.0 if distance_m else None,
            # the kind's reason, and any warning about the profile beside it
            "reason": "; ".join([reasons[0], *warnings_in(reasons, on_web)]) if reasons else None})
    return pd.DataFrame.from_records(records, columns=list(ACTIVITY_COLUMNS))


def _days(start: date, end: date, statuses: Sequence[m.DailyStatus],
          wellness: Sequence[m.Wellness]) -> pd.DataFrame:
    rows: dict[date, dict[str, Any]] = {}
    for s in statuses:
        v = s.values or {}
        rows.setdefault(s.day, {}).update(
            endurance_load=s.endurance_load, strength_load=s.strength_load, atl=s.atl,
            ctl=s.ctl, tsb=s.tsb, acwr=s.acwr, level=s.level,
            status_reasons=tuple(str(r) for r in s.reasons or ()),
            # The HRV signal and band are means of ln(ms) (analysis/recovery_rules.py): shown in ms.
            hrv_signal_ms=_exp(v.get("hrv_signal")), band_low_ms=_exp(v.get("band_low")),
            band_high_ms=_exp(v.get("band_high")),
            resting_hr_mean30=_number(v.get("resting_hr_mean30")))
    for w in wellness:
        rows.setdefault(w.day, {}).update(
            hrv_ms=w.hrv_last_night, resting_hr=w.resting_hr, sleep_score=w.sleep_score,
            readiness_score=w.readiness_score,
            readiness_level=(w.readiness_level or "").strip().upper() or None)
    index = pd.Index([start + timedelta(days=i) for i in range((end - start).days + 1)],
                     name="day")
    frame = pd.DataFrame([rows.get(day, {}) for day in index], index=index,
                         columns=list(DAY_COLUMNS), dtype=object)
    for column in DAY_COLUMNS:
        if column not in TEXT_DAY_COLUMNS:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _exp(value: Any) -> float | None:
    number = _number(value)
    return math.exp(number) if number is not None else None


def _adjustment(a: m.AdjustmentRow) -> AdjustmentItem:
    catalog = default_catalog()  # exercises by name, as a runner reads them
    return AdjustmentItem(night=a.night, session_key=a.session_key, rule=a.rule,
                          action=a.action, before=catalog.named(a.before),
                          after=catalog.named(a.after),
                          reasons=tuple(str(r) for r in a.reasons or ()))


def _session(r: m.PlannedSession, changes: Sequence[AdjustmentItem], catalog: Catalog,
             today: date) -> SessionItem:
    return SessionItem(key=r.key, day=r.day, kind=r.kind, status=r.status, pinned=r.pinned,
                       block=r.block, week_in_block=r.week_in_block, step=r.step,
                       exercises=tuple(_exercise(p, catalog) for p in r.exercises or ()),
                       adjustments=tuple(a for a in changes if a.session_key == r.key),
                       past=r.day < today)


def _exercise(p: Mapping[str, Any], catalog: Catalog) -> ExerciseItem:
    exercise_id = str(p.get("exercise_id", "?"))
    try:
        known = catalog.exercise(exercise_id)
        name, heavy = known.name, known.high_resistance_lower_body
    except KeyError:  # a catalogue edit removed it: the stored flag still counts
        name, heavy = exercise_id, False
    heavy = bool(p.get("high_resistance_lower_body", heavy))
    sets = p.get("sets", 0)
    work = f"{sets}x{p['reps']}" if p.get("reps") is not None else f"{sets}x{p.get('seconds')}s"
    if p.get("load_kg"):
        work += f" @ {p['load_kg']:g} kg"
    return ExerciseItem(exercise_id=exercise_id, name=name, work=work, heavy_lower=heavy)


def weekly_summary(activities: pd.DataFrame, sessions: Sequence[SessionItem], start: date,
                   end: date, today: date) -> list[WeekSummary]:
    """One row per ISO week touching [start, end], counted over the whole week."""
    weeks = []
    monday = week_start(start)
    while monday <= end:
        sunday = monday + timedelta(days=6)
        acts = activities[(activities["day"] >= monday) & (activities["day"] <= sunday)]
        runs = Counter({kind: 0 for kind in LOAD_KINDS})
        runs.update(k for k in acts.loc[acts["series"] == "endurance", "load_kind"])
        week = [s for s in sessions if monday <= s.day <= sunday]
        strength = [s for s in week if s.from_strength]
        weeks.append(WeekSummary(
            monday=monday, runs=dict(runs), strength_planned=len(strength),
            strength_done=sum(s.status == "done" for s in strength),
            mobility=sum(s.kind == "mobility" and s.status != "skipped" for s in week),
            heavy_lower=week_heavy_lower(week),
            ladder_step=max((s.step + 1 for s in week), default=None),
            upcoming=monday > today))
        monday += timedelta(days=7)
    return weeks
