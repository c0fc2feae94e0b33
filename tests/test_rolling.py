"""analysis.rolling: the windowed SD is exactly 0 over equal values wherever they sit."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.rolling import Running, Window

WIDTH = MIN_COUNT = 14


@pytest.mark.parametrize("lead", range(8))
@pytest.mark.parametrize("equal", [MIN_COUNT - 1, MIN_COUNT, MIN_COUNT + 1, 2 * MIN_COUNT])
def test_sd_is_exactly_zero_over_equal_values_wherever_they_start(lead: int,
                                                                  equal: int) -> None:
    """Equal values after `lead` varied ones: every full window among them has SD 0 (not
    rounding noise), whatever the run's length and where it starts; every other one not."""
    varied = np.log(np.arange(40.0, 40.0 + lead + 20))
    values = np.concatenate((varied[:lead], np.full(equal, np.log(55.0)), varied[lead:],
                             [np.nan, np.nan]))
    sd = Window(Running(values, reach=WIDTH + 1), WIDTH, lag=0).sd(MIN_COUNT)
    for day in range(values.size):
        window = values[max(day - WIDTH + 1, 0):day + 1]
        kept = window[~np.isnan(window)]
        if kept.size < MIN_COUNT:
            assert np.isnan(sd[day])
        elif (kept == kept[0]).all():
            assert sd[day] == 0.0, day
        else:
            assert sd[day] > 1e-6, day


def test_sd_of_a_window_of_one_value_is_nan_even_with_min_count_one() -> None:
    """A lone value has no spread: 0/0 gives NaN, not the running totals' rounding noise
    divided by 0 (inf), also when min_count lets a window of one value through."""
    values = np.log([41.0, 67.0, 68.0, np.nan, np.nan])
    sd = Window(Running(values, reach=3), 2, lag=0).sd(1)
    assert np.isnan(sd[[0, 3, 4]]).all() and (sd[1:3] > 0).all()
