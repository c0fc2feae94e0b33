"""Rolling count, mean and SD of day series from running sums: O(days) whatever the window.

Pure (no I/O, no clock). One `Running` pass over a series serves every `Window` over it;
NaN marks a day without a value and counts for nothing.
"""

from __future__ import annotations

import numpy as np


class Running:
    """Running (count, sum, sum of squares) of the valid (non-NaN) values of a day series,
    with `reach` zeros in front: column reach + k holds the totals through day k, so a
    window of up to `reach` days back (its lag included) that starts before the first day
    subtracts a zero. One pass serves every window over the series.

    The totals are of value − the first valid value: ln(HRV) ≈ 4 with σ ≈ 0.1, so squares of
    raw values would cancel most of the variance away in Σx² − (Σx)²/n.
    """

    def __init__(self, values: np.ndarray, reach: int) -> None:
        self.values, self.reach, valid = values, reach, ~np.isnan(values)
        self.offset = values[valid][0] if valid.any() else 0.0
        shifted = np.where(valid, values - self.offset, 0.0)
        # Row by row into one block, only the lead zeroed: no stacked copy, no zeroing of
        # what the sums overwrite (half the time of this step, measured).
        self.totals = np.empty((3, reach + values.size))
        self.totals[:, :reach] = 0.0
        np.cumsum(valid, out=self.totals[0, reach:])
        np.cumsum(shifted, out=self.totals[1, reach:])
        np.cumsum(np.square(shifted, out=shifted), out=self.totals[2, reach:])


class Window:
    """The valid values among the `width` days ending `lag` days before each day: count,
    mean and sample SD from running totals, O(days) whatever the width."""

    def __init__(self, running: Running, width: int, lag: int) -> None:
        if width + lag > running.reach:
            raise ValueError(f"a {width}-day window {lag} day(s) back needs more lead zeros")
        self.values, self.offset, size = running.values, running.offset, running.values.size
        stop = running.reach - lag  # the column where day 0's window ends
        self._through = running.totals[:, stop:stop + size]  # totals up to each window's end
        total, self._sum, self._squares = (
            self._through - running.totals[:, stop - width:stop - width + size])
        self.count = total.astype(np.int64)

    def _n(self, min_count: int) -> np.ndarray:
        """The count as float, NaN below `min_count`: mean and SD come out NaN there."""
        return np.where(self.count >= min_count, self.count, np.nan)

    def mean(self, min_count: int) -> np.ndarray:
        return self.offset + self._sum / self._n(min_count)

    def sd(self, min_count: int) -> np.ndarray:
        """Sample SD (ddof 1), `min_count` ≥ 2. Exactly 0 where all values are equal, where
        the running totals would leave rounding noise: a flat baseline's band is one point."""
        n = self._n(min_count)
        squares = np.maximum(self._squares - self._sum * self._sum / n, 0.0)
        return np.sqrt(np.where(self._flat(), 0.0, squares) / (n - 1))

    def _flat(self) -> np.ndarray:
        """Whether a window's valid values are all equal: the run of equal values ending at
        its last valid value is as long as its count."""
        kept = self.values[~np.isnan(self.values)]
        if not kept.size:
            return np.zeros(self.count.size, dtype=bool)
        run = np.concatenate(([1], 1 + run_lengths(kept[1:] == kept[:-1])))
        last = np.maximum(self._through[0].astype(np.intp) - 1, 0)  # its rank among kept
        return (self.count > 0) & (run[last] >= self.count)


def run_lengths(flags: np.ndarray, before: int = 0) -> np.ndarray:
    """Length of the run of True ending at each position (0 where False), a run from the
    start continuing one `before` days long."""
    position = np.arange(flags.size)
    last_false = np.maximum.accumulate(np.where(flags, -1 - before, position))
    return np.where(flags, position - last_false, 0)
