"""Whether the day's stored status holds last night's numbers, and why not in words: for
the morning pass (jobs.morning_run) and for `today`, a read that loads no analysis stack."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session as DbSession

from analysis.last_night import last_night_synced
from db import models as m
from db import plans
from domain.profile import Profile
from domain.wellness import WATCH_DAYS

NOT_SYNCED = "last night's recovery data is not synced yet"
NONE_IMPORTED = "no recovery data of last night (the files imported hold none)"  # "files"


def synced_last_night(db: DbSession, who: m.Athlete, day: date) -> bool:
    """Whether the day's stored status holds last night's numbers, as the statuses of the
    WATCH_DAYS before it tell which ones the watch measures (analysis.last_night)."""
    status = plans.daily_status(db, who, day)
    if status is None:
        return False
    before = plans.daily_statuses(db, who, day - timedelta(days=WATCH_DAYS),
                                  day - timedelta(days=1))
    return last_night_synced(status.values, [s.values for s in before])


def without_last_night(profile: Profile, synced: bool) -> str | None:
    """Why the day's status holds none of last night's numbers, in words (before the watch
    has synced, it is only the days before it carried on); None where it holds them."""
    if synced:
        return None
    return NONE_IMPORTED if profile.source == "files" else NOT_SYNCED
