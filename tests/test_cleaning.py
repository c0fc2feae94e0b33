"""Cleaning the samples before any rule reads them (RULES.md "Run classification"): stops,
walking, grade-adjusted speed from smoothed altitude, steep downhills kept out of the surge
search and downhill auto-laps kept out of the lap rule; one test per rule and boundary."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analysis.classify import classify
from analysis.cleaning import clean
from analysis.gap import cost_factor, grades
from domain.activity import Activity, Lap, Streams
from tests.runsamples import Run
from tests.test_classify_cases import HISTORY, P, judge

T0 = datetime(2025, 4, 1, 7, 0, tzinfo=UTC)


def samples(**channels: np.ndarray) -> Activity:
    n = next(iter(channels.values())).size
    return Activity(sport="running", start=T0, duration_s=n - 1.0,
                    streams=Streams(np.arange(n, dtype=float), dict(channels)))


# --- grade-adjusted speed (Minetti et al. 2002) ---------------------------------------------

def test_the_cost_of_a_slope_follows_minettis_curve() -> None:
    g = np.array([-0.3, -0.2, -0.1, 0.0, 0.05, 0.1, 0.2])
    cost = cost_factor(g)
    assert cost[3] == pytest.approx(1.0)
    # 46.3 i^2 + 19.5 i + ... at +10 %: 5.97 J/kg/m against 3.6 on the flat
    assert cost[5] == pytest.approx(5.968214 / 3.6)
    assert cost[4] > 1.2 and cost[6] > cost[5]  # uphill costs more, steeper more still
    # downhill is cheaper down to about -20 %, where braking makes it dearer again
    assert cost[2] < 1.0 and cost[1] < cost[2] and cost[0] > cost[1]


def test_a_one_metre_altitude_step_is_not_a_steep_grade() -> None:
    # 3 m/s on the flat, the barometer jumping 1 m between two seconds
    n = 600
    dist = np.arange(n) * 3.0
    alt = np.where(np.arange(n) < 300, 100.0, 101.0)
    g = grades(np.arange(n, dtype=float), alt, dist)
    assert np.abs(g).max() < 0.05  # not 1/3 = 33 % over the 3 m of that second


def test_a_real_slope_is_found() -> None:
    n = 600
    dist = np.arange(n) * 3.0
    g = grades(np.arange(n, dtype=float), 100 + 0.06 * dist, dist)
    assert np.median(g) == pytest.approx(0.06, abs=0.005)


# --- stops and walking ------------------------------------------------------------------------

@pytest.mark.parametrize("speed, moving", [(0.9, False), (1.1, True)])
def test_a_stop_is_speed_below_one_metre_a_second(speed: float, moving: bool) -> None:
    v = np.r_[np.full(300, 3.0), np.full(120, speed), np.full(301, 3.0)]
    c = clean(samples(speed=v))
    assert c is not None
    assert c.moving_s == pytest.approx(600 + (120 if moving else 0))


def test_a_paused_timer_is_not_moving_time() -> None:
    t = np.r_[np.arange(600.0), np.arange(900.0, 1500.0)]  # 5 min paused in the middle
    a = Activity(sport="running", start=T0, duration_s=1199.0,
                 streams=Streams(t, {"speed": np.full(t.size, 3.0)}))
    c = clean(a)
    assert c is not None and c.moving_s == pytest.approx(1198.0)


@pytest.mark.parametrize("spm, walking", [(138, True), (142, False)])
def test_walking_is_cadence_below_140_where_cadence_exists(spm: float, walking: bool) -> None:
    n = 601
    # FIT running cadence counts one foot: 69 and 71 strides a minute are 138 and 142 steps
    c = clean(samples(speed=np.full(n, 2.0), cadence=np.full(n, spm / 2)))
    assert c is not None and c.walk_source == "cadence"
    assert c.walking_s == pytest.approx(600.0 if walking else 0.0)


@pytest.mark.parametrize("speed, walking", [(1.5, True), (1.7, False)])
def test_without_cadence_walking_is_speed_below_1_6(speed: float, walking: bool) -> None:
    c = clean(samples(speed=np.full(601, speed)))
    assert c is not None and c.walk_source == "speed"
    assert c.walking_s == pytest.approx(600.0 if walking else 0.0)


# --- steep downhills and downhill auto-laps ---------------------------------------------------

@pytest.mark.parametrize("grade, speed", [(-0.03, True), (-0.06, False)])
def test_surges_on_downhills_steeper_than_minus_four_percent_do_not_count(
        grade: float, speed: bool) -> None:
    run = Run().easy(15)
    for _ in range(4):  # 90 s at a GAP of 4.0 m/s, HR into zone 4, then 3 min easy on the flat
        run.add(90, 4.0, 166, grade=grade).easy(3)
    c = judge(run.easy(15))
    assert ("speed" in c.traits) is speed, c.reasons


def alternating(work_hr: float) -> Activity:
    """40 min of auto-laps: 2-min laps at 4.2 m/s between 3-min laps at 2.9 m/s and HR 165
    (zone 4: the slow laps climb), the fast laps' HR in zone 3 or above either way."""
    laps, start = [], T0
    for i in range(8):
        fast = i % 2 == 1
        duration = 120.0 if fast else 180.0
        speed, hr = (4.2, work_hr) if fast else (2.9, 165.0)
        laps.append(Lap(i, start, duration, duration * speed, hr, hr + 5, speed))
        start += timedelta(seconds=duration)
    n = 2401
    return replace(samples(speed=np.full(n, 3.0), heart_rate=np.full(n, 150.0)),
                   laps=tuple(laps))


@pytest.mark.parametrize("work_hr, speed", [(170.0, True), (158.0, False)])
def test_fast_laps_with_a_lower_hr_are_downhill_auto_laps_not_intervals(
        work_hr: float, speed: bool) -> None:
    c = classify(alternating(work_hr), P, HISTORY)
    assert ("speed" in c.traits) is speed, c.reasons


def test_hr_alone_marks_no_walking_and_says_why() -> None:
    """A run of HR alone (a strap, no GPS or footpod) with 2 min unrecorded while its timer
    ran: its walking was said to come "from speed < 1.6 m/s", a speed it never had."""
    t = np.r_[np.arange(600.0), np.arange(720.0, 1320.0)]
    a = Activity(sport="running", start=T0, duration_s=1319.0, streams=Streams(
        t, {"heart_rate": np.full(t.size, 140.0)}))
    c = clean(a)
    assert c is not None and c.walk_source == "none" and c.walking_s == 0
    context = classify(a, P).reasons[-3:]
    assert "cleaned: 2 min stopped removed (speed < 1 m/s or timer paused), no walking " \
           "marked (no cadence or speed to tell it)" in context, context


def test_a_run_without_hr_or_speed_is_not_said_to_be_judged_by_speed() -> None:
    """Cadence alone (a footpod's, its pace not recorded) read "no heart rate: classified
    from grade-adjusted speed, laps and duration"."""
    a = samples(cadence=np.full(1201, 85.0))
    assert classify(a, P).reasons[-1] == ("no heart rate or speed: classified from laps and "
                                          "duration")
    assert classify(samples(speed=np.full(1201, 3.0)), P).reasons[-1].startswith(
        "no heart rate: classified from speed")  # no altitude: plain speed
