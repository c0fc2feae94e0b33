"""analysis.load: TRIMP and its fallbacks, daily series, and ATL/CTL/TSB/ACWR/monotony
against the plain-loop reference in tests/load_reference.py."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import load as load_module
from analysis.load import (
    AVERAGES,
    Load,
    activity_load,
    daily_loads,
    is_strength,
    strength_load,
    training_load,
)
from analysis.zones import file_profile
from domain.activity import Activity, Streams, StrengthSet
from domain.profile import Profile
from ingest.fit import decode
from tests.conftest import shared_fixture
from tests.load_reference import reference_daily_loads, reference_training_load

MAN = Profile(name="m", tz="UTC", sex="m", max_hr=190, rest_hr=50, runs={})
WOMAN = Profile(name="f", tz="UTC", sex="f", max_hr=190, rest_hr=50, runs={})
START = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
# HR 120 with rest 50 / max 190 is HRr 0.5. Ten minutes of it, by hand:
# men   10 × 0.5 × 0.64·e^(1.92·0.5) = 8.357428714953977
# women 10 × 0.5 × 0.86·e^(1.67·0.5) = 9.910700407634154
TEN_MIN_MAN, TEN_MIN_WOMAN = 8.357428714953977, 9.910700407634154
TEN_MIN_AT_MAX_MAN = 43.6541342034608  # 10 × 1 × 0.64·e^1.92: HR at or above max clamps to 1
TOL = {"rel_tol": 1e-9, "abs_tol": 1e-9}  # abs: TRIMP points where values cancel or decay


def run(hr: np.ndarray | None = None, t: np.ndarray | None = None, *, duration_s: float = 600,
        avg_hr: float | None = None, sport: str = "running", sub_sport: str | None = None,
        sets: tuple[StrengthSet, ...] = ()) -> Activity:
    streams = Streams.empty()
    if hr is not None:
        times = np.arange(hr.size, dtype=np.float64) if t is None else t
        streams = Streams(t=times, channels={"heart_rate": hr.astype(np.float64)})
    return Activity(sport=sport, sub_sport=sub_sport, start=START, duration_s=duration_s,
                    avg_hr=avg_hr, streams=streams, sets=sets)


def steady(bpm: float, seconds: int = 600) -> np.ndarray:
    return np.full(seconds + 1, float(bpm))  # n+1 samples span n one-second intervals


# --- per-activity load -------------------------------------------------------------------

def test_trimp_men_by_hand() -> None:
    load = activity_load(run(steady(120)), MAN)
    assert load.method == "trimp" and load.series == "endurance"
    assert load.value == pytest.approx(TEN_MIN_MAN, rel=1e-12)
    assert "Banister TRIMP 8.4 from 600 HR samples over 10.0 min" in load.reason
    assert "men's weighting 0.64·e^(1.92·HRr)" in load.reason


def test_trimp_women_by_hand() -> None:
    load = activity_load(run(steady(120)), WOMAN)
    assert load.value == pytest.approx(TEN_MIN_WOMAN, rel=1e-12)
    assert "women's weighting 0.86·e^(1.67·HRr)" in load.reason


def test_hrr_clamps_to_zero_and_one() -> None:
    assert activity_load(run(steady(40)), MAN).value == 0.0  # below resting HR
    assert activity_load(run(steady(205)), MAN).value == pytest.approx(TEN_MIN_AT_MAX_MAN)
    half = np.concatenate([np.full(300, 40.0), np.full(301, 205.0)])
    assert activity_load(run(half), MAN).value == pytest.approx(TEN_MIN_AT_MAX_MAN / 2)


def test_pause_counts_as_one_sampling_interval() -> None:
    t = np.concatenate([np.arange(301.0), np.arange(400.0, 701.0)])  # a 99 s pause
    load = activity_load(run(np.full(t.size, 120.0), t), MAN)
    assert load.value == pytest.approx(TEN_MIN_MAN * 601 / 600)  # 600 s + 1 s for the pause
    assert "1 gap(s) > 30 s counted as 1 s each" in load.reason


def test_a_pause_in_a_once_a_minute_recording_names_the_gap_that_file_reads_as_one() -> None:
    # Sampled every 60 s, a 60-s gap is running, not a pause: only the 5-min stop is one,
    # read past twice the file's usual interval, and the note names that gap, not 30 s.
    t = np.concatenate([np.arange(0.0, 601.0, 60.0), np.arange(900.0, 1501.0, 60.0)])
    load = activity_load(run(np.full(t.size, 120.0), t), MAN)
    assert load.value == pytest.approx(TEN_MIN_MAN * 2 * 1260 / 1200)  # + 60 s for the stop
    assert "1 gap(s) > 120 s counted as 60 s each" in load.reason


def test_smart_recording_interval_is_kept() -> None:
    t = np.arange(0.0, 601.0, 5.0)  # 5 s recording: 120 intervals of 5 s
    assert activity_load(run(np.full(t.size, 120.0), t), MAN).value == pytest.approx(
        TEN_MIN_MAN)


def test_avg_hr_fallback_without_samples() -> None:
    load = activity_load(run(duration_s=3600, avg_hr=120), MAN)
    assert load.method == "avg_hr"
    assert load.value == pytest.approx(6 * TEN_MIN_MAN)  # 60 min at HRr 0.5
    assert "average HR 120 bpm over 60.0 min (HRr 0.50" in load.reason
    assert "no HR samples" in load.reason


def test_sparse_hr_samples_defer_to_avg_hr() -> None:
    hr = steady(120)
    hr[: 420] = np.nan  # HR on 30 % of the time
    load = activity_load(run(hr, avg_hr=120), MAN)
    assert load.method == "avg_hr" and "HR samples on only 30% of the time" in load.reason
    alone = activity_load(run(hr), MAN)  # no average to fall back on: the samples it is
    assert alone.method == "trimp" and "HR on 30% of the time" in alone.reason
    assert alone.value == pytest.approx(0.3 * TEN_MIN_MAN)


def test_session_rpe_given() -> None:
    load = activity_load(run(duration_s=45 * 60), MAN, rpe=6, kind="easy")
    assert (load.method, load.value) == ("session_rpe", 270.0)
    assert "session-RPE 270 = RPE 6 × 45.0 min (RPE 6 given" in load.reason


@pytest.mark.parametrize(("kind", "rpe"), [("easy", 3), ("recovery", 2), ("long", 5),
                                           ("threshold", 7), ("speed", 8), ("race", 9)])
def test_session_rpe_estimated_from_kind(kind: str, rpe: int) -> None:
    load = activity_load(run(duration_s=45 * 60), MAN, kind=kind)
    assert load.value == rpe * 45
    assert f"RPE {rpe} estimated from the run kind {kind!r}" in load.reason


@pytest.mark.parametrize("kind", [None, "rest"])
def test_session_rpe_default(kind: str | None) -> None:
    load = activity_load(run(duration_s=45 * 60), MAN, kind=kind)
    assert load.value == 180.0 and "RPE 4 estimated as the default" in load.reason


def test_rpe_outside_cr10_is_refused() -> None:
    with pytest.raises(ValueError, match="CR-10"):
        activity_load(run(), MAN, rpe=11)


def test_strength_is_session_rpe_in_its_own_series() -> None:
    lifting = run(steady(150), duration_s=50 * 60, sport="training",
                  sub_sport="strength_training")
    assert is_strength(lifting)
    load = activity_load(lifting, MAN, rpe=7)  # HR is there but strength ignores it
    assert (load.series, load.method, load.value) == ("strength", "session_rpe", 350.0)
    assert strength_load(30, 8) == Load(240.0, "session_rpe", load.reason.replace(
        "350 = RPE 7 × 50.0", "240 = RPE 8 × 30.0").replace("RPE 7 given", "RPE 8 given"),
        "strength")
    assert activity_load(run(steady(120)), MAN, strength=True).series == "strength"
    with_sets = run(sport="training", sets=(StrengthSet(0, "active", reps=6),))
    assert is_strength(with_sets) and not is_strength(run(sport="training"))
    # Garmin's yoga, pilates and cardio record poses and intervals as sets: still no lifting
    for sub_sport in ("yoga", "pilates", "cardio_training"):
        timed = run(sport="training", sub_sport=sub_sport,
                    sets=(StrengthSet(0, "active", duration_s=30.0),))
        assert not is_strength(timed), sub_sport


def test_strength_never_enters_the_endurance_series() -> None:
    day = date(2024, 5, 1)
    sessions = [(day, run(steady(120))), (day, run(sport="training",
                                                   sub_sport="strength_training"))]
    loads = [(d, activity_load(a, MAN)) for d, a in sessions]
    endurance = daily_loads([(d, x.value) for d, x in loads if x.series == "endurance"],
                            day, day)
    strength = daily_loads([(d, x.value) for d, x in loads if x.series == "strength"],
                           day, day)
    assert endurance.iloc[0] == pytest.approx(TEN_MIN_MAN)
    assert strength.iloc[0] == 40.0  # default RPE 4 × 10 min


# --- daily series ------------------------------------------------------------------------

def test_daily_loads_fills_rest_days_and_ignores_outside() -> None:
    d = date(2024, 1, 1)
    items = [(d, 10.0), (d, 5.0), (d + timedelta(days=2), 7.0),
             (d - timedelta(days=1), 99.0), (d + timedelta(days=9), 99.0)]
    series = daily_loads(items, d, d + timedelta(days=3))
    assert series.tolist() == [15.0, 0.0, 7.0, 0.0]
    assert list(series.index.date) == [d + timedelta(days=i) for i in range(4)]
    assert daily_loads([], d, d).tolist() == [0.0]
    with pytest.raises(ValueError):
        daily_loads([], d, d - timedelta(days=1))


@given(st.lists(st.tuples(st.integers(-5, 40), st.floats(0, 500)), max_size=60))
def test_daily_loads_matches_reference(raw: list[tuple[int, float]]) -> None:
    d = date(2024, 1, 1)
    items = [(d + timedelta(days=k), v) for k, v in raw]
    end = d + timedelta(days=30)
    ours = daily_loads(items, d, end).tolist()
    assert all(math.isclose(a, b, **TOL) for a, b in
               zip(ours, reference_daily_loads(items, d, end), strict=True))


# --- ATL / CTL / TSB / ACWR / monotony ---------------------------------------------------

def frame(loads: list[float]) -> pd.DataFrame:
    return training_load(pd.Series(loads, index=pd.date_range("2020-01-01", periods=len(loads)),
                                   dtype=np.float64))


LOADS = st.lists(st.floats(0, 500), min_size=1, max_size=400)


@settings(max_examples=300, deadline=None)
@given(LOADS)
def test_matches_plain_loop_reference(loads: list[float]) -> None:
    ours, ref = frame(loads), reference_training_load(loads)
    for column, expected in ref.items():
        got = ours[column].tolist()
        for i, (a, b) in enumerate(zip(got, expected, strict=True)):
            assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, **TOL), \
                f"{column} day {i}: {a} != {b}"


@given(st.floats(1e-3, 500), st.integers(1, 2000))
def test_constant_load_converges(load: float, days: int) -> None:
    result = frame([load] * days)
    for column, tau in (("atl", 7), ("ctl", 42)):
        x = result[column].to_numpy()
        assert (np.diff(x) >= 0).all() and (x <= load * (1 + 1e-12)).all()
        gap = load * math.exp(-days / tau)  # (1 − λ)^n = e^(−n/τ) from the zero seed
        assert x[-1] == pytest.approx(load - gap, rel=1e-9)
    if days >= 1500:
        assert result["ctl"].iloc[-1] == pytest.approx(load, rel=1e-12)


@given(st.lists(st.floats(0, 500), min_size=1, max_size=50), st.integers(1, 3000))
def test_zero_load_decays_to_zero(history: list[float], rest: int) -> None:
    result = frame(history + [0.0] * rest).iloc[len(history) - 1:]
    for column, tau in (("atl", 7), ("ctl", 42)):
        x = result[column].to_numpy()
        assert (np.diff(x) <= 0).all() and (x >= 0).all()
        assert x[-1] <= x[0] * math.exp(-rest / tau) * (1 + 1e-9) + 1e-300


@given(LOADS)
def test_tsb_is_yesterdays_ctl_minus_atl(loads: list[float]) -> None:
    result = frame(loads)
    assert result["tsb"].iloc[0] == 0.0
    expected = (result["ctl"] - result["atl"]).shift(1).iloc[1:]
    assert np.array_equal(result["tsb"].iloc[1:].to_numpy(), expected.to_numpy())


def test_acwr_monotony_strain_by_hand() -> None:
    week = [60.0, 0.0, 30.0, 0.0, 90.0, 0.0, 30.0]  # mean 30, sample SD 34.641016
    result = frame([0.0] * 28 + week)
    assert result["monotony"].iloc[-1] == pytest.approx(30 / math.sqrt(1200))
    assert result["strain"].iloc[-1] == pytest.approx(210 * 30 / math.sqrt(1200))
    assert result["monotony"].iloc[:6].isna().all()  # no full week yet
    assert result["acwr"].iloc[:27].isna().all()  # chronic average still warming up
    assert result["acwr"].iloc[:28].isna().all()  # ... and 0 over 28 rest days


def test_monotony_without_variation() -> None:
    result = frame([0.0] * 7 + [50.0] * 7)
    assert math.isnan(result["monotony"].iloc[6]) and result["strain"].iloc[6] == 0.0
    assert math.isnan(result["monotony"].iloc[13]) and math.isnan(result["strain"].iloc[13])


def test_training_load_refuses_gaps_and_negatives() -> None:
    with pytest.raises(ValueError):
        frame([1.0, math.nan])
    with pytest.raises(ValueError):
        frame([1.0, -1.0])
    assert list(frame([1.0]).columns) == ["atl", "ctl", "tsb", "acwr", "monotony", "strain"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 500), min_size=1, max_size=400), st.floats(0, 500),
       st.sampled_from(sorted(AVERAGES.values())))
def test_ewma_is_pandas_public_ewm_to_the_bit(loads: list[float], seed: float,
                                              alpha: float) -> None:
    """The compiled loop called directly (analysis.load._ewma) gives exactly what
    `Series.ewm(alpha, adjust=False).mean()` gives, seed first: a pandas release that
    changed it would fail here before any stored average drifted."""
    seeded = np.array([seed, *loads])
    public = pd.Series(seeded).ewm(alpha=alpha, adjust=False).mean().to_numpy()[1:]
    assert load_module._ewm_kernel() is not None  # the pandas this suite pins has it
    assert np.array_equal(load_module._ewma(seeded, alpha), public)


def test_ewma_falls_back_to_the_public_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the compiled loop (another pandas), the public call gives the same values."""
    seeded = np.array([3.0, 10.0, 0.0, 250.0, 7.5])
    direct = load_module._ewma(seeded, AVERAGES["atl"])
    monkeypatch.setattr(load_module, "_ewm_kernel", lambda: None)
    assert np.array_equal(load_module._ewma(seeded, AVERAGES["atl"]), direct)


# --- a strap without contact: 0 bpm is no reading (analysis.cleaning.heart_rate) ----------

def _real_run() -> Activity:
    path = shared_fixture("fit", "fit", "mornindew-broken.fit")  # 1 h 54 min, HR all along
    return decode(path.read_bytes(), path.name)[0]


def _strap_lost(run: Activity, since: int, reading: float) -> Activity:
    """`run` with every HR sample from `since` on set to `reading`."""
    hr = run.streams.channels["heart_rate"]
    lost = np.where(np.arange(hr.size) >= since, reading, hr)
    return replace(run, streams=Streams(run.streams.t, {**run.streams.channels,
                                                        "heart_rate": lost}))


def test_a_strap_lost_for_the_second_half_counts_the_first_half_alone() -> None:
    """A strap that loses contact can write 0 bpm (a valid FIT value): that half has no HR,
    so the TRIMP is the first half's alone (the run cut there), HR covers half the time
    (not all of it), and the watch's average HR, where there is one, stands in for a
    sampled TRIMP that undercounts (MIN_HR_COVERAGE): the same as the readings missing."""
    run = _real_run()
    half = run.streams.t.size // 2
    first = replace(run, avg_hr=None, streams=Streams(
        run.streams.t[:half + 1], {"heart_rate": run.streams.channels["heart_rate"][:half + 1]}))
    zeros = activity_load(replace(_strap_lost(run, half, 0.0), avg_hr=None), MAN)
    assert zeros == activity_load(replace(_strap_lost(run, half, np.nan), avg_hr=None), MAN)
    assert zeros.value == pytest.approx(activity_load(first, MAN).value, rel=1e-12)
    assert "HR on 50% of the time" in zeros.reason
    watch = activity_load(_strap_lost(run, half, 0.0), MAN)
    assert watch == activity_load(_strap_lost(run, half, np.nan), MAN)
    assert watch.method == "avg_hr" and "HR samples on only 50% of the time" in watch.reason


def test_a_strap_without_contact_throughout_leaves_the_files_max_to_the_watch() -> None:
    """Zones for files alone (file_profile) take the highest HR the file held, or the watch's
    own max where the file holds fewer than ten readings. A strap that wrote 0 bpm all run
    holds none: the watch's max 196 is the athlete's, not a peak of 0 (which left the generic
    190)."""
    run = replace(_real_run(), max_hr=196.0)
    zeros, missing = (file_profile([_strap_lost(run, 0, reading)])[0]
                      for reading in (0.0, np.nan))
    assert zeros.max_hr == missing.max_hr == 196
