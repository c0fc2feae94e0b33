"""The wellness recovery reads, as `WellnessColumns`: one array per field used, as a database
query hands it over. A list of `DailyWellness` is turned into those columns first
(`as_columns`): one way of deciding whatever the input.

Pure (no I/O, no clock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import ClassVar

import numpy as np

from domain.wellness import DailyWellness

EPOCH = date(1970, 1, 1).toordinal()  # day 0 of datetime64[D]
_DAY = attrgetter("day")


@dataclass(frozen=True, eq=False)
class WellnessColumns:
    """The wellness fields recovery reads, one array each, one slot per record: the form a
    database query hands over without building an object per day.

    `day` is datetime64[D], each day at most once (what the database's one row per
    athlete-day gives; `from_days` merges a list's repeated days first), in any order.
    Numbers are float64, NaN where missing; texts are object arrays of str or None, as
    stored (cleaning them is part of deciding). The arrays are used as given, not copied.
    Build with `from_values` or `from_days`.
    """

    FIELDS: ClassVar[tuple[str, ...]] = ("hrv_last_night", "hrv_status", "readiness_level",
                                         "sleep_score", "resting_hr")

    day: np.ndarray
    hrv_last_night: np.ndarray
    hrv_status: np.ndarray
    readiness_level: np.ndarray
    sleep_score: np.ndarray
    resting_hr: np.ndarray

    def __post_init__(self) -> None:
        if self.day.dtype != np.dtype("datetime64[D]"):
            raise ValueError(f"day must be datetime64[D], not {self.day.dtype}")
        if any(getattr(self, name).shape != self.day.shape for name in self.FIELDS):
            raise ValueError("every wellness column must have one value per day")
        if _repeats(self.day.astype(np.int64)):
            raise ValueError("a day occurs twice: merge a day's records first (from_days)")

    @classmethod
    def from_values(cls, day: Sequence[date], *, hrv_last_night: Sequence[float | None],
                    hrv_status: Sequence[str | None], readiness_level: Sequence[str | None],
                    sleep_score: Sequence[float | None],
                    resting_hr: Sequence[float | None]) -> WellnessColumns:
        """Columns from one sequence per field, Python values with None where missing: a
        query's columns, or the attributes of records."""
        ordinals = np.fromiter(map(date.toordinal, day), dtype=np.int64, count=len(day))
        return cls(day=(ordinals - EPOCH).astype("datetime64[D]"),
                   hrv_last_night=np.array(hrv_last_night, dtype=np.float64),  # None: NaN
                   hrv_status=np.array(hrv_status, dtype=object),
                   readiness_level=np.array(readiness_level, dtype=object),
                   sleep_score=np.array(sleep_score, dtype=np.float64),
                   resting_hr=np.array(resting_hr, dtype=np.float64))

    @classmethod
    def from_days(cls, days: Sequence[DailyWellness]) -> WellnessColumns:
        """Columns from records; a day given more than once merges, the first one winning
        (DailyWellness.merged)."""
        if _repeats(np.fromiter(map(date.toordinal, map(_DAY, days)), dtype=np.int64,
                                count=len(days))):
            days = _merged(days)
        # One C-level pass over the records per field (attrgetter): no Python code per day.
        return cls.from_values(list(map(_DAY, days)), **{
            name: list(map(attrgetter(name), days)) for name in cls.FIELDS})


Wellness = WellnessColumns | Sequence[DailyWellness]


def as_columns(wellness: Wellness) -> WellnessColumns:
    """Either form of the wellness as columns, the form deciding reads."""
    return (wellness if isinstance(wellness, WellnessColumns)
            else WellnessColumns.from_days(wellness))


def _repeats(days: np.ndarray) -> bool:
    """Whether a day occurs twice (sorted days, the usual case, need no sort)."""
    return not (np.diff(days) > 0).all() and np.unique(days).size < days.size


def _merged(rows: Sequence[DailyWellness]) -> list[DailyWellness]:
    merged: dict[date, DailyWellness] = {}
    for w in rows:
        merged[w.day] = merged[w.day].merged(w) if w.day in merged else w
    return list(merged.values())
