"""Rolling count, mean and SD of day series from running sums: O(days) whatever the window.

Pure (no I/O, no clock). One `Running` pass over a series serves every `Window` over it;
NaN marks a day without a value and counts for nothing.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np


class Running:
    """Running count, sum and (with `squares`) sum of squares of the valid (non-NaN) values
    of a day series, with `reach` zeros in front: slot reach + k holds the totals through
    day k, so a window of up to `reach` days back (its lag included) that starts before the
    first day subtracts a zero. One pass serves every window over the series.

    The sums are of value − the first valid value: ln(HRV) ≈ 4 with σ ≈ 0.1, so squares of
    raw values would cancel most of the variance away in Σx² − (Σx)²/n. Counts are integers
    (exact, and a cheaper running sum than into floats).
    """

    def __init__(self, values: np.ndarray, reach: int, squares: bool = True) -> None:
        self.values, self.reach = values, reach
        self.valid = valid = values == values  # NaN is the one value unequal to itself
        first = int(valid.argmax()) if valid.size else 0
        self.offset = values[first] if valid.size and valid[first] else 0.0
        self.counts = np.zeros(reach + values.size, dtype=np.intp)
        np.cumsum(valid, out=self.counts[reach:])
        shifted = np.where(valid, values - self.offset, 0.0)
        # Row by row into one block, only the lead zeroed: no stacked copy, no zeroing of
        # what the sums overwrite.
        self.totals = np.empty((1 + squares, reach + values.size))
        self.totals[:, :reach] = 0.0
        np.cumsum(shifted, out=self.totals[0, reach:])
        if squares:
            np.cumsum(np.square(shifted, out=shifted), out=self.totals[1, reach:])

    @cached_property
    def exact(self) -> bool:
        """Whether every window's sums are exact. Whole numbers (a resting HR in beats) sum
        and square without rounding below 2^53 (the square of days × the largest bounds every
        sum, square and squared sum): then a mean of equal values is the value and their SD 0
        as they come, and the windows need not look for equal values. The values must be
        whole, not only their differences: 1e-17 − 1 rounds to the whole −1, not exact."""
        values = self.values
        return np.array_equal(values == np.rint(values), self.valid) and (float(np.abs(
            values[self.valid] - self.offset).max(initial=0.0)) * values.size) ** 2 < 2.0 ** 53

    @cached_property
    def kept(self) -> tuple[np.ndarray, np.ndarray]:
        """The valid values in day order, and how often the value changed from one to the
        next up to each (one slot more, past the last, for a window without values): the
        values of ranks a to b are all equal where the counts at a and b agree. Made once,
        on first use, for every window's means and SDs of equal values."""
        kept = self.values[self.valid]
        changes = np.zeros(kept.size + 1, dtype=np.intp)
        np.cumsum(kept[1:] != kept[:-1], out=changes[1:-1])
        return kept, changes

    def equal_runs(self, length: int) -> bool:
        """Whether `length` valid values in a row are equal anywhere."""
        kept, changes = self.kept
        if length <= 1:
            return kept.size > 0
        return bool((changes[length - 1:-1] == changes[:-length]).any())


class Window:
    """The valid values among the `width` days ending `lag` days before each day: count,
    mean and sample SD from running totals, O(days) whatever the width."""

    def __init__(self, running: Running, width: int, lag: int) -> None:
        if width + lag > running.reach:
            raise ValueError(f"a {width}-day window {lag} day(s) back needs more lead zeros")
        self.running, self.offset = running, running.offset
        size, stop = running.values.size, running.reach - lag  # day 0's window ends at stop
        self._through = running.counts[stop:stop + size]  # valid days up to each window's end
        self.count = self._through - running.counts[stop - width:stop - width + size]
        sums = running.totals[:, stop:stop + size] - running.totals[:, stop - width:stop - width
                                                                     + size]
        self._sum, self._squares = sums[0], sums[1] if len(sums) > 1 else None
        self._flats: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}

    def _n(self, min_count: int) -> np.ndarray:
        """The count as float, NaN below `min_count`: mean and SD come out NaN there."""
        return np.where(self.count >= min_count, self.count, np.nan)

    def mean(self, min_count: int, exact: bool = True) -> np.ndarray:
        """The mean, NaN below `min_count` values. Exactly the value where all the values
        are equal: the running totals' rounding would leave it a few ulps off, and a flat
        HRV baseline's one-point band would then judge the nights that made it outside it.
        `exact=False` leaves the ulps (a look at every window saved) for a caller whose
        comparisons they cannot turn."""
        mean = self.offset + self._sum / self._n(min_count)
        flat = self._flat(min_count) if exact else None
        if flat is not None:
            np.copyto(mean, flat[1], where=flat[0])
        return mean

    def sd(self, min_count: int) -> np.ndarray:
        """Sample SD (ddof 1), NaN below `min_count` values or with one. Exactly 0 where all
        values are equal, where the running totals would leave rounding noise: a flat
        baseline's band is one point."""
        if self._squares is None:
            raise ValueError("an SD needs the running squares (Running(..., squares=True))")
        n = self._n(min_count)
        squares = np.maximum(self._squares - self._sum * self._sum / n, 0.0)
        flat = self._flat(min_count)
        if flat is not None:
            squares[flat[0]] = 0.0
        squares /= n - 1
        return np.sqrt(squares, out=squares)

    def _flat(self, min_count: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Whether a window holds `min_count` (at least 1) valid values, all equal, and its
        last valid value (meaningless where it holds none). None where the running sums
        leave no rounding to undo (exact) or no window can be flat: the usual case, told
        without looking at each window. Once per `min_count`: a mean and an SD both ask."""
        if min_count not in self._flats:
            self._flats[min_count] = None
            running = self.running
            if not running.exact and running.equal_runs(min_count):
                kept, changes = running.kept
                last = self._through - 1  # rank of the last valid value (−1: none)
                first = self._through - self.count  # and of the first (past the last: none)
                flat = (changes[last] == changes[first]) & (self.count >= max(min_count, 1))
                self._flats[min_count] = flat, kept[last]
        return self._flats[min_count]


def run_lengths(flags: np.ndarray, before: int = 0) -> np.ndarray:
    """Length of the run of True ending at each position (0 where False), a run from the
    start continuing one `before` days long."""
    position = np.arange(flags.size)
    # A False position is its own last False (every earlier entry is smaller), so the
    # difference is already 0 there: no second where.
    last_false = np.maximum.accumulate(np.where(flags, -1 - before, position))
    return position - last_false
