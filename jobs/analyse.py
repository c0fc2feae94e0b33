"""Classify what changed and refresh the daily load and recovery numbers of one athlete.

Classifications are stored with a fingerprint of everything they were computed from (the
activity's own facts, the profile's HR values, the 8-week run history, the rules' version):
only activities whose fingerprint changed are decoded and classified again, and only those
from the first day whose facts changed are looked at (db.repo.mark_changed notes that day
when a morning or an activity is stored). Every day depends only on the days before it: the
days from the first one whose facts changed (or that has no status yet) are decided again,
explained and compared with their rows; the days before it are not touched. What a night
reads does not grow with the history: the days are decided a year at a time from that
year's inputs and the 60 days before it, continuing the averages and the counts of days
running stored with the day before (so a day's numbers are the same whichever night
decides it).
"""

from __future__ import annotations

import hashlib
import json
import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from analysis import CLASSIFIER_VERSION
from db import activities, plans, repo, wellness_days
from db import models as m
from domain.activity import Activity
from domain.profile import Profile

# The analysis (and numpy) loads in the functions that judge an activity or decide a day:
# a run with nothing new to judge (`plan`, `today`, `status` on a home analysed through the
# day) loads none of it.
if TYPE_CHECKING:
    import numpy as np
    import pandas as pd  # the frame `statuses` returns; the nightly path needs none

    from analysis.classify import Classification
    from analysis.load import DailyLoad, Load, LoadSeed
    from analysis.recovery import RecoveryStatus, WellnessColumns
    from analysis.traits import Found

RULES_VERSION = 1  # bump when the load rules change: everything is redone
# Bump when the recovery rules or their texts change: every stored day is decided again.
# 2: days stored with the ACWR's averages, decided a year at a time.
# 3: an input short of readings after a break says so with its days, not "still building".
STATUS_VERSION = 3
# The classifier's own version (analysis.CLASSIFIER_VERSION) is in the fingerprint too, so a new
# classifier re-judges every stored run on the next nightly run.
HISTORY_DAYS = 56  # "the last 8 weeks" (RULES.md Run classification)
# Days decided from one read of their inputs, which reach further back (_lead).
YEAR_DAYS = 365


@dataclass
class AnalysisReport:
    classified: int = 0
    unchanged: int = 0
    days_written: int = 0
    decided_from: date | None = None  # the first day decided again (None: all current)


def classify_one(activity: Activity, profile: Profile, history_s: list[float],
                 extra: Sequence[Found] = ()) -> tuple[Classification, Load]:
    """The classification and the load it implies (the run class sets the RPE estimate);
    `extra`: traits from outside the activity (a multisport race, analysis.multisport)."""
    from analysis.classify import classify
    from analysis.load import activity_load

    c = classify(activity, profile, history_s, extra)
    return c, activity_load(activity, profile, kind=c.kind if c.is_run else None)


def analyse(session: Session, profile: Profile, until: date) -> AnalysisReport:
    """Bring the athlete's run classes and daily status up to date through `until`.

    Only what changed is done again: the activities from the first day whose facts changed
    (db.repo.mark_changed; every activity when the rules or the profile's HR values
    changed) are checked against their fingerprints, and the days from the first one whose
    facts or loads changed, or that has no status yet, are decided again."""
    who = repo.athlete(session, profile)
    key = _analysis_key(profile)
    redo = who.analysed_with != key  # every activity and day again
    changed = repo.take_changed(session, who)
    report = AnalysisReport()
    if redo or changed is not None:
        classified = _classify(session, who, profile, None if redo else changed, report)
        changed = min([*classified, *([changed] if changed else [])], default=None)
    report.unchanged = activities.count(session, who) - report.classified
    who.analysed_with = key
    report.decided_from, report.days_written = _refresh_days(
        session, who, until, date.min if redo else changed)
    return report


def _classify(session: Session, who: m.Athlete, profile: Profile, since: date | None,
              report: AnalysisReport) -> list[date]:
    """Classify again the activities from `since` on (None: all) whose fingerprint changed;
    the days of those classified. Runs up to 8 weeks before `since` are read as history."""
    from analysis.classify import awaiting_file

    look_back = date.min if since is None else since - timedelta(days=HISTORY_DAYS + 2)
    rows = activities.activity_facts(session, who, look_back)
    stored = activities.fingerprints(session, who, since or date.min)
    runs = RunHistory([(r.start_utc, r.duration_s) for r in rows if r.sport == "running"])
    races = multisport_races(rows)
    days = []
    for row in rows:
        if since is not None and row.local_date < since:
            continue  # history only: its facts did not change
        history = runs.before(row.start_utc)
        race = races.get(row.id)
        fingerprint = _fingerprint(row, profile, history, race)
        if stored.get(row.id) == fingerprint:
            continue
        activity = activities.to_domain(session.get_one(m.Activity, row.id))
        c, load = classify_one(activity, profile, history, (race,) if race else ())
        if row.awaits_file:
            c = awaiting_file(c)
        _store_class(session, row.id, session.get(m.RunClass, row.id), c, load, fingerprint)
        report.classified += 1
        days.append(row.local_date)
    session.flush()
    return days


def _analysis_key(profile: Profile) -> str:
    """What every class and status depends on beyond the facts: when it changes, all of
    them are redone."""
    facts = [RULES_VERSION, CLASSIFIER_VERSION, STATUS_VERSION, profile.sex, profile.max_hr,
             profile.rest_hr, profile.threshold_hr]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


class RunHistory:
    """The runs' (start, duration), sorted by start, searchable by time: one list of starts
    for every activity's look back (not one per activity: years of runs made that n²)."""

    def __init__(self, runs: list[tuple[datetime, float]]) -> None:
        self.starts = [start for start, _ in runs]
        self.durations = [duration for _, duration in runs]

    def before(self, moment: datetime) -> list[float]:
        """Durations of the runs in the 8 weeks before `moment`."""
        lo = bisect_left(self.starts, moment - timedelta(days=HISTORY_DAYS))
        return self.durations[lo:bisect_left(self.starts, moment)]


def run_history(runs: list[tuple[datetime, float]], before: datetime) -> list[float]:
    """Durations of the runs in the 8 weeks before `before` (`runs` sorted by start)."""
    return RunHistory(runs).before(before)


def multisport_races(rows: Sequence[Any]) -> dict[int, Found]:
    """The race trait of every leg of a triathlon/duathlon: the sessions of one file, or
    activities Garmin chained with transitions (analysis.multisport)."""
    from analysis.multisport import chains, multisport_race

    by_day: dict[date, list[Any]] = {}
    for row in rows:
        by_day.setdefault(row.local_date, []).append(row)
    out: dict[int, Found] = {}
    for day_rows in by_day.values():
        if len({r.sport for r in day_rows}) < 2:
            continue
        legs_of_day = [_summary(r) for r in day_rows]
        row_of = {id(leg): r for leg, r in zip(legs_of_day, day_rows, strict=True)}
        for chain in chains(legs_of_day):
            legs = [row_of[id(a)] for a in chain]
            hashes = {r.content_hash for r in legs}
            race = multisport_race(chain, same_file=len(hashes) == 1 and None not in hashes)
            out.update({r.id: race for r in legs if race is not None})
    return out


def _summary(row: Any) -> Activity:
    """The facts chaining needs, without decoding the samples."""
    return Activity(sport=row.sport, start=row.start_utc, duration_s=row.duration_s,
                    elapsed_s=row.elapsed_s, name=row.name)


def _fingerprint(row: Any, p: Profile, history: list[float],
                 race: Found | None = None) -> str:
    facts: list[Any] = [RULES_VERSION, CLASSIFIER_VERSION, p.sex, p.max_hr, p.rest_hr,
                        p.threshold_hr, row.id, row.content_hash, row.sport, row.sub_sport,
                        row.duration_s, row.avg_hr,
                        row.te_label, row.is_race, row.name, row.aerobic_te,
                        [round(h) for h in history], race.reason if race else None]
    if row.awaits_file:  # only then: the fingerprints of every other class stay as they were
        facts.append("awaits its file")
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()


def _store_class(session: Session, activity_id: int, row: m.RunClass | None, c: Classification,
                 load: Load, fingerprint: str) -> None:
    if row is None:
        row = m.RunClass(activity_id=activity_id)
        session.add(row)
    row.kind, row.fatigue, row.reasons = c.kind, c.fatigue, list(c.reasons)
    row.traits = list(c.traits)
    row.load, row.load_series, row.load_method = load.value, load.series, load.method
    row.load_reason, row.fingerprint = load.reason, fingerprint


def daily_series(session: Session, who: m.Athlete, start: date,
                 end: date) -> tuple[np.ndarray, np.ndarray]:
    """Endurance and strength load per day from `start` to `end` (strength is its own
    series, RULES.md Load).

    One select of the three columns needed, no ORM objects: fetching the rows is most of
    the cost (one select per series measured slower, each repeating the join)."""
    from analysis.load import daily_totals

    pairs = activities.daily_loads(session, who, since=start, through=end)
    items: dict[str, list[tuple[date, float]]] = {"endurance": [], "strength": []}
    for day, load, series in pairs:
        items[series].append((day, load))
    return (daily_totals(items["endurance"], start, end),
            daily_totals(items["strength"], start, end))


def statuses(session: Session, who: m.Athlete, until: date, since: date | None = None
             ) -> tuple[pd.DataFrame, list[RecoveryStatus]]:
    """Load numbers and recovery status for every day from the first fact through `until`
    (just `until` when nothing is known yet: a status is still given, on no data), the
    statuses explained from `since` on only (default: every day)."""
    from analysis.recovery import recovery_statuses

    load, wellness = _inputs(session, who, _first_day(session, who, until), until)
    return load.frame(), recovery_statuses(wellness, load, max(since or load.first,
                                                               load.first), until)


def _first_day(session: Session, who: m.Athlete, until: date) -> date:
    """The first day with a status: the first fact's, or `until` when nothing is known."""
    return min(activities.first_fact_day(session, who) or until, until)


def _inputs(session: Session, who: m.Athlete, first: date, until: date,
            seed: LoadSeed | None = None) -> tuple[DailyLoad, WellnessColumns]:
    """Every day's load numbers from `first` through `until` (the endurance and strength
    loads among them), continuing `seed`'s history (None: no history), and the wellness
    read."""
    from analysis.load import NO_HISTORY, DailyLoad, load_columns

    endurance, strength = daily_series(session, who, first, until)
    columns = load_columns(endurance, NO_HISTORY if seed is None else seed)
    load = DailyLoad(first, {**columns, "endurance_load": endurance, "strength_load": strength})
    return load, wellness_days.wellness_columns(session, who, first, until)


def _refresh_days(session: Session, who: m.Athlete, until: date,
                  changed: date | None) -> tuple[date | None, int]:
    """Decide again from `changed` (None: nothing changed), or from the first day with no
    stored status if that is earlier: every day depends only on the days before it, so
    the days before keep their rows and only the days from there on are explained and
    compared.

    The days are decided a year at a time (years counted from the first fact), each from
    its own inputs and LEAD_DAYS before it: the averages continue those stored with the
    day before the lead, the counts of days running those of the day before the year. A
    day's numbers are the same whether one night decides every day or each night the
    newest: what a night reads is its year, not the history."""
    first = _first_day(session, who, until)
    last = plans.last_status_day(session, who)
    new = last + timedelta(days=1) if last else first
    since = max(first, min(changed, new) if changed else new)
    if last is not None and last > until >= since:
        repo.mark_changed(session, who, until + timedelta(days=1))  # later days: next time
    if since > until:
        return None, 0
    from analysis.load import NO_HISTORY, LoadSeed
    from analysis.recovery import decide, explain
    from analysis.recovery_rules import STREAKS

    history_from = activities.first_load_day(session, who, until)
    start = first + timedelta(days=(since - first).days // YEAR_DAYS * YEAR_DAYS)
    stored = _stored_seed(session, who, first, start)
    if stored is None:  # rows missing (removed by hand): from the first year, as exact
        start, stored = first, (NO_HISTORY, None)
    seed, carried = stored
    written = 0
    while start <= until:
        end = min(start + timedelta(days=YEAR_DAYS - 1), until)
        lead = _lead(first, start)
        load, wellness = _inputs(session, who, lead, end, seed)
        decided = decide(wellness, load, start, end, history_from, carried)
        shown = max(since, start)
        written += _store(session, who, load, explain(decided, shown), shown, end)
        start = end + timedelta(days=1)
        following = _lead(first, start)  # the next year's
        seed = NO_HISTORY if following == first else LoadSeed.of(
            load.columns, (following - lead).days - 1, (following - first).days)
        carried = {name: int(decided.numbers[name][-1]) for name in STREAKS}
    session.flush()
    return since, written


def _stored_seed(session: Session, who: m.Athlete, first: date,
                 start: date) -> tuple[LoadSeed, dict[str, int] | None] | None:
    """What the year from `start` continues, as stored: the averages of the day before its
    lead and the counts of days running of the day before it (none for the first year);
    None when a row it needs is not there."""
    from analysis.load import AVERAGES, NO_HISTORY, LoadSeed
    from analysis.recovery_rules import STREAKS

    if start == first:
        return NO_HISTORY, None
    eve = plans.daily_status(session, who, start - timedelta(days=1))
    if eve is None:
        return None
    carried = {name: eve.values[name] for name in STREAKS}
    lead = _lead(first, start)
    if lead == first:
        return NO_HISTORY, carried
    row = plans.daily_status(session, who, lead - timedelta(days=1))
    averages = tuple(getattr(row, name) for name in AVERAGES) if row else (None,)  # columns
    if None in averages:
        return None
    return LoadSeed(averages, (lead - first).days), carried


def _lead(first: date, start: date) -> date:
    """The first day whose inputs the year from `start` reads: as far back as a day's
    numbers look (the HRV baseline is the longest)."""
    from analysis.load import MONOTONY_DAYS
    from analysis.recovery import HRV_BASELINE_DAYS, RHR_DAYS

    return max(first, start - timedelta(days=max(HRV_BASELINE_DAYS, RHR_DAYS,
                                                 MONOTONY_DAYS - 1)))


def _store(session: Session, who: m.Athlete, load: DailyLoad, days: list[RecoveryStatus],
           since: date, until: date) -> int:
    """The statuses of `days` (from `since`) with their load numbers, rows written where
    they differ from the stored ones; how many were written."""
    existing = {r.day: r for r in plans.daily_statuses(session, who, since, until)}
    cut = (since - load.first).days
    numbers = zip(*(column[cut:].tolist() for column in load.columns.values()), strict=True)
    written = 0
    for status, numbers_of_day in zip(days, numbers, strict=True):
        fields = {**{k: _num(v) for k, v in zip(load.columns, numbers_of_day, strict=True)},
                  "level": status.level,
                  "reasons": list(status.reasons), "missing": list(status.missing),
                  "values": {k: _num(v) for k, v in status.values.items()}}
        row = existing.get(status.day)
        if row is None:
            row = m.DailyStatus(athlete_id=who.id, day=status.day)
            session.add(row)
        elif all(getattr(row, k) == v for k, v in fields.items()):
            continue
        for key, value in fields.items():
            setattr(row, key, value)
        written += 1
    return written


def _num(value: Any) -> Any:
    """JSON and SQL have no NaN: missing numbers are stored as None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return float(value) if hasattr(value, "dtype") else value
