"""Whether the day's stored status holds last night's numbers, and why not in words: for
the morning pass (jobs.morning_run) and for `today`, a read that loads no analysis stack."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session as DbSession

from analysis.last_night import last_night_synced, last_night_words
from db import models as m
from db import plans, repo, wellness_days
from domain.profile import Profile
from domain.wellness import WATCH_DAYS
from jobs.clock import hour_minute

NOT_SYNCED = "last night's recovery data is not synced yet"
GARMIN_FAILED = "Garmin failed on some of it at the last sync"
NONE_SYNCED = "no recovery data of last night (the watch synced none)"
NONE_IMPORTED = "no recovery data of last night (the files imported hold none)"  # "files"
# cursor: the last day whose morning a sync has seen whole: one after the day's
# `morning_until`, when the daemon's morning pass stops waiting for last night's data
MORNING_SEEN = "morning_seen"
# cursor: the last day the morning pass is done with, the daemon's tries stopping: a pass
# judged it with last night's data, or Garmin limited or refused the account's calls
MORNING_DONE = "morning_done"
# cursor: the day whose calls Garmin kept failing on (passed over) at the last sync of it
MORNING_FAILED = "morning_failed"
# a watch that measured none of last night's numbers these nights before gets no tries
NIGHTS_WATCHED = 7


def last_night(db: DbSession, who: m.Athlete, day: date) -> str | None:
    """What of last night the day's stored status holds, in words ("last night's resting
    HR"), as the statuses of the WATCH_DAYS before it tell what the watch measures
    (analysis.last_night); None where it holds none of it."""
    status = plans.daily_status(db, who, day)
    if status is None:
        return None
    before = plans.daily_statuses(db, who, day - timedelta(days=WATCH_DAYS),
                                  day - timedelta(days=1))
    if not last_night_synced(status.values, [s.values for s in before]):
        return None
    return last_night_words(status.values)


def synced_last_night(db: DbSession, who: m.Athlete, day: date) -> bool:
    """Whether the day's stored status holds last night's numbers (last_night)."""
    return last_night(db, who, day) is not None


def without_last_night(profile: Profile, synced: bool, waiting: bool = True,
                       failed: bool = False) -> str | None:
    """Why the day's status holds none of last night's numbers, in words (before the watch
    has synced, it is only the days before it carried on); None where it holds them.
    `waiting`: the data may still come (waiting_for_sync); else none was synced. `failed`:
    Garmin failed on a call of the day at the last sync of it (garmin_failed)."""
    if synced:
        return None
    if profile.source == "files":
        return NONE_IMPORTED
    if not waiting:
        return NONE_SYNCED
    return f"{NOT_SYNCED} ({GARMIN_FAILED})" if failed else NOT_SYNCED


def garmin_failed(db: DbSession, who: m.Athlete, day: date) -> bool:
    """Whether Garmin failed on a call of `day` at the last sync that fetched it."""
    return day_cursor(db, who, MORNING_FAILED) == day


def nights_fetched(db: DbSession, who: m.Athlete, day: date) -> bool:
    """Whether syncs fetched the NIGHTS_WATCHED nights before `day`: the first reached back
    that far, and one listed the day before (not a home new, or off for days)."""
    origin, listed = day_cursor(db, who, repo.ORIGIN), day_cursor(db, who, "activities")
    return (origin is not None and origin <= day - timedelta(days=NIGHTS_WATCHED)
            and listed is not None and listed >= day - timedelta(days=1))


def watch_measured_nights(db: DbSession, who: m.Athlete, day: date) -> bool:
    """Whether the watch measured any of last night's numbers on one of the NIGHTS_WATCHED
    nights before `day` (analysis.last_night: a resting HR counts, as from a watch that
    measures nothing else)."""
    nights = wellness_days.wellness(db, who, day - timedelta(days=NIGHTS_WATCHED),
                                    day - timedelta(days=1))
    return any(last_night_synced(vars(night), []) for night in nights)


def waiting_for_sync(db: DbSession, who: m.Athlete, day: date, today: date) -> bool:
    """Whether last night's data of `day` may still come: only on the athlete's `today`
    (or a day to come), and only until a sync after its `morning_until` has fetched the day
    (saw_morning). A day gone by, or a night the watch was not worn, has nothing left to
    wait for."""
    seen = day_cursor(db, who, MORNING_SEEN)
    return day >= today and (seen is None or seen < day)


def saw_morning(db: DbSession, who: m.Athlete, profile: Profile, through: date,
                now: datetime, failed: Collection[date] = ()) -> None:
    """A sync at `now` (the athlete's local time) fetched the days through `through`, Garmin
    failing on a call of the days `failed`: the last of them whose morning it saw (today
    once past its `morning_until`, never a day to come: `morning --date` tomorrow) is kept,
    never moved back; not a day Garmin failed on (its data may still come), which is kept
    (MORNING_FAILED) for `today` to say so, until a sync fetches the day whole."""
    fetched = min(through, now.date())
    if fetched in failed:
        repo.set_cursor(db, who, MORNING_FAILED, fetched.isoformat())
    elif garmin_failed(db, who, fetched):
        repo.delete_cursor(db, who, MORNING_FAILED)
    after_until = (now.hour, now.minute) >= hour_minute(profile.morning_until)
    seen = min(through, now.date() if after_until else now.date() - timedelta(days=1))
    move_day_cursor(db, who, MORNING_SEEN, seen - timedelta(days=int(seen in failed)))


def day_cursor(db: DbSession, who: m.Athlete, name: str) -> date | None:
    """The day a cursor of days (MORNING_SEEN, MORNING_DONE) holds, if any."""
    value = repo.cursor(db, who, name)
    return None if value is None else date.fromisoformat(value)


def move_day_cursor(db: DbSession, who: m.Athlete, name: str, day: date) -> None:
    """A cursor of days moved on to `day`, never back (a day gone by seen or judged again)."""
    last = day_cursor(db, who, name)
    if last is None or day > last:
        repo.set_cursor(db, who, name, day.isoformat())
