"""The wellness recovery reads, as `WellnessColumns`: one array per field used, as a database
query hands it over, texts as `Labels` (small integers into a few words). A list of
`DailyWellness` is turned into those columns first (`as_columns`): one way of deciding
whatever the input.

Pure (no I/O, no clock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import TYPE_CHECKING, ClassVar, NamedTuple

import numpy as np

from domain.wellness import DailyWellness

if TYPE_CHECKING:
    import pandas as pd

EPOCH = date(1970, 1, 1).toordinal()  # day 0 of datetime64[D]
_DAY = attrgetter("day")


class Labels(NamedTuple):
    """A text column as codes into a few `names`, −1 where missing: a word repeats for years
    of days, so it is read, cleaned and compared once, not once a day."""

    codes: np.ndarray
    names: tuple[str, ...]

    @classmethod
    def of(cls, values: Iterable[str | None]) -> Labels:
        """The texts as labels, names in order of first appearance: one C-level pass over
        the values, the table of codes filling in as values first appear."""
        table = _Table()
        codes = np.fromiter(map(table.__getitem__, values), dtype=np.intp)
        return cls(codes, tuple(table.names))

    def renamed(self, rename: Callable[[str], str | None]) -> Labels:
        """Every name passed through `rename` once (None: missing); names it makes equal
        become one."""
        new = [rename(name) for name in self.names]
        names = tuple(dict.fromkeys(name for name in new if name is not None))
        lookup = np.array([-1 if name is None else names.index(name) for name in new] + [-1],
                          dtype=np.intp)  # −1 (missing) reads the last slot: missing
        return Labels(lookup[self.codes], names)

    def taken(self, at: np.ndarray | slice) -> Labels:
        return self._replace(codes=self.codes[at])

    def absent(self) -> np.ndarray:
        return self.codes < 0

    def isin(self, *wanted: str) -> np.ndarray:
        hit = np.array([name in wanted for name in self.names] + [False])  # −1: the last
        return hit[self.codes]

    def column(self) -> pd.api.extensions.ExtensionArray:
        import pandas as pd

        return pd.array(self.names, dtype="str").take(self.codes, allow_fill=True)

    def array(self) -> np.ndarray:
        return np.array([*self.names, None], dtype=object)[self.codes]

    def tolist(self) -> list[str | None]:
        return self.array().tolist()


class _Table(dict[str | None, int]):
    """Text → its code in `names` (None: −1), made on first sight."""

    def __init__(self) -> None:
        super().__init__({None: -1})
        self.names: list[str] = []

    def __missing__(self, value: str) -> int:
        self[value] = code = len(self.names)
        self.names.append(value)
        return code


@dataclass(frozen=True, eq=False)
class WellnessColumns:
    """The wellness fields recovery reads, one array each, one slot per record: the form a
    database query hands over without building an object per day.

    `day` is datetime64[D], each day at most once (what the database's one row per
    athlete-day gives; `from_days` merges a list's repeated days first), in any order.
    Numbers are float64, NaN where missing; texts are `Labels` of the words as stored
    (cleaning them is part of deciding). The arrays are used as given, not copied.
    Build with `from_values` or `from_days`.
    """

    FIELDS: ClassVar[tuple[str, ...]] = ("hrv_last_night", "hrv_status", "readiness_level",
                                         "sleep_score", "resting_hr")

    day: np.ndarray
    hrv_last_night: np.ndarray
    hrv_status: Labels
    readiness_level: Labels
    sleep_score: np.ndarray
    resting_hr: np.ndarray

    def __post_init__(self) -> None:
        if self.day.dtype != np.dtype("datetime64[D]"):
            raise ValueError(f"day must be datetime64[D], not {self.day.dtype}")
        if any(_values(getattr(self, name)).shape != self.day.shape for name in self.FIELDS):
            raise ValueError("every wellness column must have one value per day")
        if _repeats(self.day.astype(np.int64)):
            raise ValueError("a day occurs twice: merge a day's records first (from_days)")

    @classmethod
    def from_values(cls, day: Sequence[date], *, hrv_last_night: Sequence[float | None],
                    hrv_status: Sequence[str | None] | Labels,
                    readiness_level: Sequence[str | None] | Labels,
                    sleep_score: Sequence[float | None],
                    resting_hr: Sequence[float | None]) -> WellnessColumns:
        """Columns from one sequence per field, Python values with None where missing (texts
        also as Labels): a query's columns, or the attributes of records."""
        ordinals = np.fromiter(map(date.toordinal, day), dtype=np.int64, count=len(day))
        return cls(day=(ordinals - EPOCH).astype("datetime64[D]"),
                   hrv_last_night=np.array(hrv_last_night, dtype=np.float64),  # None: NaN
                   hrv_status=_labels(hrv_status), readiness_level=_labels(readiness_level),
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


def _labels(texts: Sequence[str | None] | Labels) -> Labels:
    return texts if isinstance(texts, Labels) else Labels.of(texts)


def _values(column: np.ndarray | Labels) -> np.ndarray:
    return column.codes if isinstance(column, Labels) else column


def _repeats(days: np.ndarray) -> bool:
    """Whether a day occurs twice (sorted days, the usual case, need no sort)."""
    return not (np.diff(days) > 0).all() and np.unique(days).size < days.size


def _merged(rows: Sequence[DailyWellness]) -> list[DailyWellness]:
    merged: dict[date, DailyWellness] = {}
    for w in rows:
        merged[w.day] = merged[w.day].merged(w) if w.day in merged else w
    return list(merged.values())
