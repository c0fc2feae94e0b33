"""What the stored history offers `init`: max and resting HR, and the run template as the
runner actually runs it (analysis.onboarding decides; this loads the facts)."""

from __future__ import annotations

from datetime import date, timedelta

from analysis.onboarding import MAX_HR_DAYS, REST_HR_DAYS, TEMPLATE_WEEKS, Offer, Peak, offers
from db import activities, repo
from domain.run import RUN_KINDS
from jobs.home import Home

__all__ = ["Offer", "history_offers"]


def history_offers(home: Home, name: str, today: date) -> list[Offer]:
    """The offers for athlete `name` (none when nothing of theirs is stored yet)."""
    with home.db() as db:
        who = repo.find_athlete(db, name)
        if who is None:
            return []
        peaks = [Peak(day, bpm, what or sport) for day, bpm, what, sport in
                 activities.heart_rate_peaks(db, who, today - timedelta(days=MAX_HR_DAYS))]
        resting = [(w.day, w.resting_hr) for w in repo.wellness(
            db, who, today - timedelta(days=REST_HR_DAYS), today) if w.resting_hr]
        runs = [(day, kind) for day, kind, *_ in activities.runs_by_day(db, who, today, RUN_KINDS)
                if day > today - timedelta(weeks=TEMPLATE_WEEKS)]
    return offers(today, peaks, resting, runs)
