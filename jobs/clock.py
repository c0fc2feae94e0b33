"""The athlete's today: the one place the shell reads the clock for a day (the pure core is
given the day, never reads it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.profile import Profile


def today_for(profile: Profile | None) -> date:
    """Today in the athlete's time zone. With no athlete known yet (a configuration that
    cannot be read, an option checked before the home is opened): today in UTC."""
    return datetime.now(profile.zone if profile is not None else UTC).date()


def hour_minute(at: str) -> tuple[int, int]:
    """A profile's local time ("21:30": nightly_at, morning_at) as (hour, minute)."""
    hour, minute = (int(x) for x in at.split(":"))
    return hour, minute


def latest_start() -> datetime:
    """The latest an activity recorded by now can start: now, and a day to spare for a
    watch whose clock runs ahead of this machine's. Later, its clock was set wrong."""
    return datetime.now(UTC) + timedelta(days=1)
