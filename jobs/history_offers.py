"""What the stored history offers `init`: max, resting and threshold HR, and the run template
as the runner actually runs it (analysis.onboarding decides; this loads the facts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session as DbSession

from analysis.onboarding import (
    HARD_TRAITS,
    MAX_HR_DAYS,
    MIN_EFFORT_RUN_S,
    NO_THRESHOLD,
    REST_HR_DAYS,
    TEMPLATE_WEEKS,
    THRESHOLD_DAYS,
    Offer,
    Peak,
    hardest_mean_hr,
    offers,
)
from db import activities, repo, wellness_days
from db.raw import RawStore
from domain.run import RUN_KINDS
from ingest.fit import FitError, threshold_hr_setting
from jobs.home import Home

__all__ = ["NO_THRESHOLD", "Offer", "history_offers"]

SETTING_FILES = 5  # the newest run files read for the watch's threshold setting


def history_offers(home: Home, name: str, today: date) -> list[Offer]:
    """The offers for athlete `name` (none when nothing of theirs is stored yet)."""
    if not home.stored():  # a new home: asking would make its database file
        return []
    with home.db() as db:
        who = repo.find_athlete(db, name)
        if who is None:
            return []
        peaks = [Peak(day, bpm, what or sport) for day, bpm, what, sport in
                 activities.heart_rate_peaks(db, who, today - timedelta(days=MAX_HR_DAYS))]
        resting = [(w.day, w.resting_hr) for w in wellness_days.wellness(
            db, who, today - timedelta(days=REST_HR_DAYS), today) if w.resting_hr]
        runs = [(day, kind) for day, kind, *_ in activities.runs_by_day(db, who, today, RUN_KINDS)
                if day > today - timedelta(weeks=TEMPLATE_WEEKS)]
        year = [r for r in activities.runs_since(db, who, today - timedelta(days=THRESHOLD_DAYS))
                if r.local_date <= today]
        efforts = [Peak(r.local_date, bpm, r.name or "running") for r in year if _hard(r)
                   and (bpm := _hardest_20_min(db, r.id)) is not None]
    return offers(today, peaks, resting, runs, _settings(home.raw, year), efforts)


def _settings(raw: RawStore, runs: Sequence[Any]) -> list[Peak]:
    """The watch's threshold setting as the newest run files record it (files the store does
    not hold, or cannot read, say nothing)."""
    out = []
    for r in [r for r in runs if r.content_hash][:SETTING_FILES]:
        try:
            bpm = threshold_hr_setting(raw.get(r.content_hash), r.content_hash)
        except (OSError, FitError):
            continue
        if bpm is not None:
            out.append(Peak(r.local_date, bpm, r.name or "running"))
    return out


def _hard(run: Any) -> bool:
    """A race or threshold run long enough to hold Friel's 20-minute test."""
    traits = run.traits or ([run.kind] if run.kind else [])
    return run.duration_s >= MIN_EFFORT_RUN_S and any(t in HARD_TRAITS for t in traits)


def _hardest_20_min(db: DbSession, activity_id: int) -> float | None:
    act = activities.load_activity(db, activity_id)
    if act is None or (hr := act.streams.get("heart_rate")) is None:
        return None
    return hardest_mean_hr(act.streams.t, hr)
