"""Rolling count, mean and SD of day series from running sums: O(days) whatever the window.

Pure (no I/O, no clock). One `Running` pass over a series serves every `Window` over it;
NaN marks a day without a value and counts for nothing.
"""

from __future__ import annotations

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


class Window:
    """The valid values among the `width` days ending `lag` days before each day: count,
    mean and sample SD from running totals, O(days) whatever the width."""

    def __init__(self, running: Running, width: int, lag: int) -> None:
        if width + lag > running.reach:
            raise ValueError(f"a {width}-day window {lag} day(s) back needs more lead zeros")
        self.values, self.valid, self.offset = running.values, running.valid, running.offset
        size, stop = running.values.size, running.reach - lag  # day 0's window ends at stop
        self._through = running.counts[stop:stop + size]  # valid days up to each window's end
        self.count = self._through - running.counts[stop - width:stop - width + size]
        sums = running.totals[:, stop:stop + size] - running.totals[:, stop - width:stop - width
                                                                     + size]
        self._sum, self._squares = sums[0], sums[1] if len(sums) > 1 else None

    def _n(self, min_count: int) -> np.ndarray:
        """The count as float, NaN below `min_count`: mean and SD come out NaN there."""
        return np.where(self.count >= min_count, self.count, np.nan)

    def mean(self, min_count: int) -> np.ndarray:
        return self.offset + self._sum / self._n(min_count)

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
            squares[flat] = 0.0
        squares /= n - 1
        return np.sqrt(squares, out=squares)

    def _flat(self, min_count: int) -> np.ndarray | None:
        """Whether a window's valid values are all equal: the run of equal values ending at
        its last valid value is as long as its count. None, the usual case told without the
        runs, only when no `min_count` (≥ 2) valid values in a row are equal: then no window
        with an SD is flat."""
        kept = self.values[self.valid]
        same = kept[1:] == kept[:-1]
        # min_count equal values in a row are min_count − 1 equal neighbours in a row, which
        # hold a whole aligned block of min_count // 2 of them. Below 2 there is no block to
        # look for: a window of one value is flat (0/0, NaN, not rounding noise / 0, inf).
        block = min_count // 2
        if block and not same[:same.size // block * block].reshape(-1, block).all(axis=1).any():
            return None
        run = np.concatenate(([1], 1 + run_lengths(same)))
        last = np.maximum(self._through - 1, 0)  # its rank among kept
        return (self.count > 0) & (run[last] >= self.count)


def run_lengths(flags: np.ndarray, before: int = 0) -> np.ndarray:
    """Length of the run of True ending at each position (0 where False), a run from the
    start continuing one `before` days long."""
    position = np.arange(flags.size)
    # A False position is its own last False (every earlier entry is smaller), so the
    # difference is already 0 there: no second where.
    last_false = np.maximum.accumulate(np.where(flags, -1 - before, position))
    return position - last_false
