"""The athlete's Garmin Connect account, as the shell uses it: logging in (or reusing saved
tokens), the connection the saved tokens open, and a sync of new activities and days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from db import repo
from db.session import transaction
from domain.profile import Profile
from ingest import garmin_login
from ingest.garmin import Connect
from ingest.garmin import GarminAuthError as GarminAuthError  # the shell's exit codes
from ingest.garmin import GarminError as GarminError
from ingest.sync import Progress, SyncReport, sync
from jobs.athlete_lock import athlete_lock
from jobs.clock import latest_start
from jobs.config import Config
from jobs.home import Home
from jobs.last_night import saw_morning


def log_in(config: Config, profile: Profile, email: str, password: str,
           prompt_mfa: Callable[[], str]) -> str | None:
    """Log in once and save the tokens; the display name (None when Garmin could not
    confirm it just now)."""
    return garmin_login.login(config.paths.tokens_dir(profile.name), email, password, prompt_mfa)


def reuse_tokens(config: Config, profile: Profile, source: Path) -> str:
    """Save an existing garminconnect token file (or its folder) as the athlete's login."""
    return garmin_login.import_tokens(config.paths.tokens_dir(profile.name), source)


def connection(home: Home, profile: Profile) -> Connect:
    """Garmin Connect through the athlete's saved tokens."""
    return garmin_login.connect(home.config.paths.tokens_dir(profile.name))


def sync_athlete(home: Home, conn: Connect, profile: Profile, *, today: date,
                 since: date | None, until: date | None,
                 progress: Progress | None = None) -> SyncReport:
    """Fetch the athlete's new activities, then wellness days, into the home; Busy while
    another run for the athlete holds its lock (a nightly run syncs too)."""
    with athlete_lock(home, profile.name, "sync"):
        return synced(home, conn, profile, today=today, since=since, until=until,
                      progress=progress)


def synced(home: Home, conn: Connect, profile: Profile, *, today: date,
           since: date | None = None, until: date | None = None,
           progress: Progress | None = None) -> SyncReport:
    """A sync (the caller holds the athlete's lock: `sync`, a nightly run, a morning pass),
    and whose mornings it saw recorded: `today` says last night's data may still come until
    a sync after `morning_until` has fetched the day whole."""
    report = sync(home.db, home.raw, profile, conn, today=today, since=since, until=until,
                  progress=progress, not_after=latest_start())
    with transaction(home.db) as db:
        saw_morning(db, repo.athlete(db, profile), profile, min(until or today, today),
                    datetime.now(profile.zone), report.days_failed)
    return report
