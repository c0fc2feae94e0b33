"""A runner's imported history as FIT files: weeks of a Monday easy run and a long run on
Saturday (Sunday in some weeks), for the tests that read a history (replay, init)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from demo.fitwrite import LapSpec, run_fit


def _at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def write_weeks(folder: Path, first_monday: date, weeks: int,
                sunday_long: Collection[int] = ()) -> Path:
    """`weeks` weeks from `first_monday`; in the weeks of `sunday_long` (0-based) the long run
    moved from Saturday to Sunday."""
    for week in range(weeks):
        monday = first_monday + timedelta(weeks=week)
        easy = run_fit(_at(monday), [LapSpec(1800, 2.8, 135)], record_every_s=5)
        long_day = monday + timedelta(days=6 if week in sunday_long else 5)
        long = run_fit(_at(long_day), [LapSpec(3600, 3.0, 146), LapSpec(3600, 3.0, 148)],
                       seed=week, record_every_s=5)
        (folder / f"easy-{week}.fit").write_bytes(easy)
        (folder / f"long-{week}.fit").write_bytes(long)
    return folder
