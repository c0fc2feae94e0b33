"""analysis.rolling: over equal values the windowed mean is exactly the value and the SD
exactly 0, wherever they sit; elsewhere the running sums give the plain mean."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(20, 24), st.floats(20, 150)), min_size=1,
                max_size=200), st.booleans(), st.integers(1, 14), st.integers(0, 2),
       st.integers(1, 4))
def test_over_equal_values_the_mean_is_the_value_and_elsewhere_the_plain_mean(
        hrv: list[float | None], ln: bool, width: int, lag: int, min_count: int) -> None:
    """ln of whole milliseconds from a narrow range repeats in runs: every window of equal
    values has exactly that value as its mean and an SD of 0 (the running totals, summed
    from the first value on, left the mean a few ulps off: a flat HRV baseline's one-point
    band then judged its own nights below it), and every other window the plain mean and
    SD of its values. Whole numbers (`ln` False, when all are whole) sum exactly as they
    are."""
    values = np.array(hrv, dtype=np.float64)  # None: NaN
    values = np.log(values) if ln else values
    window = Window(Running(values, reach=width + lag), width, lag)
    mean, sd = window.mean(min_count), window.sd(min_count)
    for day in range(values.size):
        days = values[max(day - lag - width + 1, 0):max(day - lag + 1, 0)]
        kept = days[~np.isnan(days)]
        if kept.size < min_count:
            assert np.isnan(mean[day]) and np.isnan(sd[day])
        elif (kept == kept[0]).all():
            assert mean[day] == kept[0], day
            assert sd[day] == 0.0 if kept.size > 1 else np.isnan(sd[day])
        else:
            assert math.isclose(mean[day], math.fsum(kept) / kept.size, rel_tol=1e-12), day
            assert math.isclose(sd[day], statistics.stdev(kept), rel_tol=1e-6), day


def test_equal_values_far_from_the_first_one_are_their_own_mean() -> None:
    """1e-17 − 1 rounds to the whole −1: differences from the first value can look whole
    without being exact, and a window of equal values must still have the value as mean."""
    values = np.array([1.0, *[1e-17] * 4])
    window = Window(Running(values, reach=3), 3, lag=0)
    assert (window.mean(2)[3:] == 1e-17).all() and (window.sd(2)[3:] == 0.0).all()
