"""analysis.recovery: one test per RULES.md S7.3 rule and boundary, missing inputs, and the
vectorised baselines against the plain-loop reference in tests/load_reference.py."""

from __future__ import annotations

import math
import statistics
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.load import DailyLoad, training_load
from analysis.recovery import (
    FRAME_COLUMNS,
    HRV_BASELINE_DAYS,
    HRV_MIN_NIGHTS,
    HRV_SIGNAL_DAYS,
    HRV_SIGNAL_MIN_NIGHTS,
    NO_DATA,
    RULES,
    RecoveryStatus,
    WellnessColumns,
    decide,
    explain,
    recovery_columns,
    recovery_frame,
    recovery_statuses,
)
from domain.wellness import WORDS, DailyWellness
from domain.wellness_columns import Labels
from tests.load_reference import reference_recovery

D = date(2024, 3, 1)  # the day judged
LN_HIGH, LN_LOW = 4.05, 3.95  # history alternates ln(HRV) between these: μ 4, σ ≈ 0.0504
NORMAL = {"hrv_status": "BALANCED", "readiness_level": "HIGH", "sleep_score": 75,
          "resting_hr": 50}


def night(day: date, ln_hrv: float | None = None, **fields: object) -> DailyWellness:
    values = {**NORMAL, **fields}
    hrv = None if ln_hrv is None else math.exp(ln_hrv)
    return DailyWellness(day=day, hrv_last_night=hrv, **values)  # type: ignore[arg-type]


def history(nights: int = 60) -> list[DailyWellness]:
    """`nights` normal days before D, ln(HRV) alternating, ending on LN_HIGH at D − 1."""
    return [night(D - timedelta(days=k), LN_HIGH if k % 2 else LN_LOW)
            for k in range(nights, 0, -1)]


def band(days: list[DailyWellness]) -> tuple[float, float]:
    """μ ± 0.5σ of ln(HRV) over the 60 nights before D, by hand."""
    lns = [math.log(w.hrv_last_night) for w in days
           if w.hrv_last_night and D - timedelta(days=60) <= w.day < D]
    mu, sd = statistics.fmean(lns), statistics.stdev(lns)
    return mu - 0.5 * sd, mu + 0.5 * sd


def ln_for_signal(days: list[DailyWellness], target: float) -> float:
    """Tonight's ln(HRV) that puts the 7-night signal on `target` (the 6 nights before D)."""
    week = [math.log(w.hrv_last_night) for w in days
            if w.hrv_last_night and D - timedelta(days=6) <= w.day < D]
    return 7 * target - sum(week)


def judge(days: list[DailyWellness], load: pd.DataFrame | None = None) -> RecoveryStatus:
    [status] = recovery_statuses(days, load, D, D)
    assert status.day == D
    return status


def load_on(tsb: float = 0.0, acwr: float = 1.0, days: int = 60) -> pd.DataFrame:
    """`days` of load history through D, the same form and ACWR every day."""
    return pd.DataFrame({"tsb": [tsb] * days, "acwr": [acwr] * days},
                        index=pd.date_range(end=D, periods=days, freq="D"))


def with_today(ln_hrv: float | None = LN_HIGH, /, **fields: object) -> RecoveryStatus:
    """D after a normal history, with load present and neutral (TSB 0, ACWR 1)."""
    return judge([*history(), night(D, ln_hrv, **fields)], load_on())


# --- green ------------------------------------------------------------------------------

def test_green_when_everything_is_normal() -> None:
    status = judge([*history(), night(D, LN_LOW)], load_on(-10.0, 1.1))
    assert status.level == "green" and status.missing == ()
    low, high = band(history())
    assert status.values["band_low"] == pytest.approx(low, rel=1e-12)
    assert status.values["band_high"] == pytest.approx(high, rel=1e-12)
    assert status.values["hrv_signal"] == pytest.approx((24 + LN_LOW) / 7, rel=1e-12)
    assert status.reasons == (f"HRV 7-day signal 3.99 within the normal band {low:.2f}–{high:.2f}",
                              "Garmin HRV status BALANCED (not LOW or POOR)",
                              "training readiness HIGH (≥ MODERATE)", "sleep score 75 ≥ 60",
                              "resting HR 50 bpm is 0 above its 30-day mean 50",
                              "form (TSB) -10.0 ≥ -30", "EWMA ACWR 1.10 ≤ 1.5")


@settings(max_examples=100, deadline=None)
@given(hrv_status=st.sampled_from([None, "BALANCED", "UNBALANCED"]),
       readiness=st.sampled_from([None, "MODERATE", "PRIME"]),
       sleep=st.none() | st.integers(60, 95), rhr=st.none() | st.integers(46, 54),
       ln=st.sampled_from([None, LN_HIGH]), history_days=st.sampled_from([0, 10, 60]))
def test_a_green_day_names_garmins_hrv_status_once_beside_the_rest(
        hrv_status: str | None, readiness: str | None, sleep: int | None, rhr: int | None,
        ln: float | None, history_days: int) -> None:
    """A green day says what it was judged on, Garmin's HRV status included when sent
    (green listed it only when nothing else was judged), once and never a reason twice."""
    today = night(D, ln, hrv_status=hrv_status, readiness_level=readiness, sleep_score=sleep,
                  resting_hr=rhr)
    status = judge([*history(history_days), today])
    assert status.level == "green"
    said = "; ".join(status.reasons).count(f"Garmin HRV status {hrv_status} (not LOW or POOR)")
    assert said == (hrv_status is not None), status.reasons
    assert len(set(status.reasons)) == len(status.reasons)


def test_readiness_moderate_is_green() -> None:
    assert with_today(readiness_level="MODERATE").level == "green"


# --- HRV signal against the band --------------------------------------------------------

def test_signal_below_band_once_is_amber() -> None:
    days = history()
    low, high = band(days)
    status = with_today(ln_for_signal(days, low - 0.01))
    assert status.level == "amber" and status.values["hrv_below_days"] == 1
    assert status.reasons == (f"HRV 7-day signal {low - 0.01:.2f} below the normal band "
                              f"{low:.2f}–{high:.2f}",)


def test_signal_a_hair_below_and_above_the_edge() -> None:
    days = history()
    low, high = band(days)
    assert with_today(ln_for_signal(days, low - 1e-6)).level == "amber"
    assert with_today(ln_for_signal(days, low + 1e-6)).level == "green"
    assert with_today(ln_for_signal(days, high + 1e-6)).level == "green"  # above alone


def test_signal_exactly_at_the_band_edge_is_in_band() -> None:
    flat = [replace(w, hrv_last_night=55.0) for w in history()]  # σ = 0: band is one point
    status = judge([*flat, replace(flat[-1], day=D)])
    v = status.values
    assert v["hrv_signal"] == v["band_low"] == v["band_high"] == math.log(55.0)
    assert status.level == "green"


def test_flat_baseline_after_another_night_is_one_point() -> None:
    # the running sums start at the first night (ln 3, 20 ms), far from the flat 55 ms that
    # follows: the spread must still come out exactly 0, not rounding noise
    flat = [replace(w, hrv_last_night=55.0) for w in history()]
    status = judge([night(D - timedelta(days=61), 3.0), *flat, replace(flat[-1], day=D)])
    v = status.values
    assert v["band_low"] == v["band_high"] == pytest.approx(math.log(55.0), rel=1e-12)
    assert v["hrv_signal"] == pytest.approx(math.log(55.0), rel=1e-12)


@settings(max_examples=100, deadline=None)
# nights of 45 and 60 ms, then 102 ms every night: the signal came out a few ulps below the
# one-point band [μ, μ] and the days were red, "for 10 days running" on the last
@example(lead=[45, 60], hrv=102, worn=[True] * 70)
# ... and 37, 75, then 115 ms: amber on day 65 with a leaving-red reason at that noise
# distance, "HRV 7-day signal 4.7449321283632 still below the normal band
# 4.7449321283633–4.7449321283633 for 4 days, but last night's ln HRV 4.7449321283633 was
# inside it 2 mornings running" (the fewest decimals that kept each on its side)
@example(lead=[37, 75], hrv=115, worn=[True] * 66)
@given(lead=st.lists(st.one_of(st.none(), st.integers(20, 150)), max_size=40),
       hrv=st.integers(20, 150), worn=st.lists(st.booleans(), min_size=HRV_BASELINE_DAYS,
                                               max_size=120))
def test_a_flat_hrv_is_never_outside_its_own_band(lead: list[int | None], hrv: int,
                                                  worn: list[bool]) -> None:
    """Weeks of the same whole-millisecond HRV (some nights unworn) after any other nights:
    a day whose baseline and signal hold that value only is judged inside its band, which
    is that one point, whatever came before (the running sums start at the first night)."""
    nights = [*lead, *(hrv if on else None for on in worn)]
    days = [DailyWellness(day=D + timedelta(days=k), hrv_last_night=ms)
            for k, ms in enumerate(nights)]
    end = days[-1].day
    decided = decide(days, None, D, end)
    v, levels = decided.numbers, decided.levels()
    for k in range(len(nights)):
        signal = [ms for ms in nights[max(k - HRV_SIGNAL_DAYS + 1, 0):k + 1] if ms]
        baseline = [ms for ms in nights[max(k - HRV_BASELINE_DAYS, 0):k] if ms]
        if (len(signal) < HRV_SIGNAL_MIN_NIGHTS or len(baseline) < HRV_MIN_NIGHTS
                or set(signal) | set(baseline) != {hrv}):
            continue
        assert v["hrv_signal"][k] == v["band_low"][k] == v["band_high"][k] == math.log(hrv)
        assert v["hrv_below_days"][k] == 0 and levels[k] == "green", k
        assert v["hrv_in_band_mornings"][k] >= (nights[k] is not None)


def test_band_over_a_decade_far_from_the_first_night() -> None:
    # ten years of nights around ln 5 with a tiny spread after a first night at ln 3: the
    # running sums must not lose the spread to rounding
    first = D - timedelta(days=3650)
    lns = [3.0] + [5.0 + 1e-3 * math.sin(k) for k in range(1, 3650)]
    days = [night(first + timedelta(days=k), ln) for k, ln in enumerate(lns)]
    status = judge([*days, night(D, 5.0)])
    before = [math.log(w.hrv_last_night) for w in days[-60:]]  # type: ignore[arg-type]
    mu, sd = statistics.fmean(before), statistics.stdev(before)
    assert status.values["band_low"] == pytest.approx(mu - 0.5 * sd, rel=1e-12)
    assert status.values["band_high"] == pytest.approx(mu + 0.5 * sd, rel=1e-12)


def test_signal_below_band_two_days_running_is_red() -> None:
    days = [*history()[:-1], night(D - timedelta(days=1), 3.5)]
    status = judge([*days, night(D, 3.5)])
    assert status.level == "red" and status.values["hrv_below_days"] == 2
    assert status.reasons[0].endswith("for 2 days running")
    assert status.reasons[0].startswith("HRV 7-day signal 3.85 below the normal band ")


def test_signal_above_band_with_raised_resting_hr_is_amber() -> None:
    days = history()
    _, high = band(days)
    above = ln_for_signal(days, high + 0.01)
    assert with_today(above, resting_hr=52).level == "green"  # +2 is not raised
    status = with_today(above, resting_hr=53)
    assert status.level == "amber"
    assert status.reasons == (f"HRV 7-day signal {high + 0.01:.2f} above the normal band "
                              f"{band(days)[0]:.2f}–{high:.2f} while resting HR 53 bpm is 3 "
                              "above its 30-day mean 50",)
    assert with_today(LN_HIGH, resting_hr=53).level == "green"  # raised alone, in band


# --- Garmin levels, sleep, resting HR -----------------------------------------------------

@pytest.mark.parametrize(("status", "level"), [("LOW", "red"), ("POOR", "red"),
                                               ("UNBALANCED", "green"), ("BALANCED", "green")])
def test_garmin_hrv_status(status: str, level: str) -> None:
    result = with_today(hrv_status=status)
    assert result.level == level
    assert (f"Garmin HRV status {status}" in result.reasons) == (level == "red")


def test_labels_are_cleaned_before_the_rules() -> None:
    assert with_today(hrv_status=" low ").reasons == ("Garmin HRV status LOW",)
    assert with_today(readiness_level="poor").reasons == ("training readiness POOR",)
    assert with_today(hrv_status="").missing == ("Garmin HRV status",)
    blank = with_today(hrv_status=" \t")  # blanks are no status, not a status of no letters
    assert blank.missing == ("Garmin HRV status",) and blank.values["hrv_status"] is None


@pytest.mark.parametrize(("readiness", "level", "reason"), [
    ("LOW", "amber", "training readiness LOW (below MODERATE)"),
    ("POOR", "red", "training readiness POOR"),
    ("PRIME", "green", "training readiness PRIME (≥ MODERATE)")])
def test_readiness(readiness: str, level: str, reason: str) -> None:
    result = with_today(readiness_level=readiness)
    assert result.level == level and reason in result.reasons


def test_sleep_boundary() -> None:
    assert with_today(sleep_score=60).level == "green"
    status = with_today(sleep_score=59)
    assert status.level == "amber" and status.reasons == ("sleep score 59 < 60",)


def test_resting_hr_boundary() -> None:
    assert with_today(resting_hr=55).level == "green"  # +5 is not more than 5
    status = with_today(resting_hr=56)
    assert status.level == "amber"
    assert status.reasons == ("resting HR 56 bpm is 6 above its 30-day mean 50",)
    assert status.values["resting_hr_mean30"] == 50.0


def test_resting_hr_words_to_a_tenth_of_a_beat() -> None:
    """The reason said "5.17 above its 30-day mean 50.8": a tenth of a beat is enough."""
    days = [replace(w, resting_hr=51) if w.day >= D - timedelta(days=25) else w
            for w in history()]  # the 30 days before: 25 at 51, 5 at 50, a mean of 50.83
    status = judge([*days, night(D, LN_HIGH, resting_hr=56)], load_on())
    assert status.values["resting_hr_mean30"] == pytest.approx(50 + 25 / 30)
    assert status.level == "amber"
    assert status.reasons == ("resting HR 56 bpm is 5.2 above its 30-day mean 50.8",)


def test_resting_hr_mean_is_the_30_days_before() -> None:
    days = [replace(w, resting_hr=40) if w.day < D - timedelta(days=30) else w
            for w in history()]  # days 31-60 back are ignored by the 30-day mean
    assert judge([*days, night(D, LN_HIGH, resting_hr=56)]).values["resting_hr_mean30"] == 50


# --- load: TSB and ACWR -------------------------------------------------------------------

def test_tsb_boundary() -> None:
    today = [*history(), night(D, LN_HIGH)]
    assert judge(today, load_on(tsb=-30.0)).level == "green"
    status = judge(today, load_on(tsb=-30.1))
    assert status.level == "amber" and status.reasons == ("form (TSB) -30.1 < -30 on 60 days "
                                                          "running",)


def test_acwr_boundary() -> None:
    today = [*history(), night(D, LN_HIGH)]
    assert judge(today, load_on(acwr=1.5)).level == "green"
    status = judge(today, load_on(acwr=1.51))
    assert status.level == "amber" and status.reasons == ("EWMA ACWR 1.51 > 1.5: a load spike",)


def test_load_frame_from_training_load_aligns_by_day() -> None:
    loads = pd.Series([50.0] * 40 + [400.0] * 3, index=pd.date_range(end=D, periods=43))
    frame = training_load(loads)
    status = judge([*history(), night(D, LN_HIGH)], frame)
    assert status.values["acwr"] == pytest.approx(frame["acwr"].iloc[-1])
    assert status.level == "amber"
    assert f"EWMA ACWR {frame['acwr'].iloc[-1]:.2f} > 1.5: a load spike" in status.reasons


# --- several rules, red over amber --------------------------------------------------------

def test_red_reasons_come_first_and_amber_ones_stay() -> None:
    status = with_today(readiness_level="POOR", sleep_score=40)
    assert status.level == "red"
    assert status.reasons == ("training readiness POOR", "sleep score 40 < 60")


# --- missing inputs -----------------------------------------------------------------------

@pytest.mark.parametrize(("field", "name"), [
    ("hrv_status", "Garmin HRV status"), ("readiness_level", "training readiness"),
    ("sleep_score", "sleep score"), ("resting_hr", "resting HR")])
def test_each_missing_input_is_named_and_the_rest_decides(field: str, name: str) -> None:
    missing: dict[str, object] = {field: None}
    status = with_today(**missing)
    assert status.level == "green" and status.missing == (name,)
    assert status.values[field] is None
    other: dict[str, object] = {"readiness_level": "LOW"} if field == "sleep_score" else {
        "sleep_score": 59}
    assert with_today(**missing, **other).level == "amber"  # the rest still decides


def test_missing_hrv_baseline() -> None:
    status = judge([*history(10), night(D, LN_HIGH, sleep_score=59)], load_on())
    assert status.missing == ("HRV baseline still building: 10 of 14 nights in the last 60",)
    assert status.level == "amber" and status.values["hrv_signal"] is not None
    assert status.values["band_low"] is None


def test_missing_hrv_signal_needs_three_nights_of_seven() -> None:
    days = [replace(w, hrv_last_night=None) if w.day >= D - timedelta(days=6) else w
            for w in history()]
    status = judge([*days, night(D, LN_HIGH)], load_on())  # 1 night of 7
    # 60 nights before them, the last on D - 7: a break, not a start
    assert status.missing == ("HRV signal: 1 of 3 nights in the last 7 (none from 24 Feb to "
                              "29 Feb)",)
    assert status.level == "green" and status.values["hrv_signal"] is None
    days[-1] = replace(days[-1], hrv_last_night=math.exp(LN_HIGH))
    days[-2] = replace(days[-2], hrv_last_night=math.exp(LN_LOW))
    assert judge([*days, night(D, LN_HIGH)], load_on()).missing == ()  # 3 nights suffice


def test_missing_resting_hr_mean() -> None:
    days = [replace(w, resting_hr=None) if w.day < D - timedelta(days=5) else w
            for w in history()]
    status = judge([*days, night(D, LN_HIGH, resting_hr=70)], load_on())
    assert status.missing == ("resting HR 30-day mean still building: 5 of 7 days in the "
                              "last 30",)
    assert status.level == "green"


def test_unknown_readiness_is_missing_not_guessed() -> None:
    assert with_today(readiness_level="SOMETHING").missing == (
        "training readiness (unknown level SOMETHING)",)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=20).filter(
    lambda w: w.strip().upper() not in {"POOR", "LOW", "MODERATE", "HIGH", "PRIME"}),
    st.sampled_from([None, 40]))
def test_a_readiness_word_garmin_adds_is_named_and_judged_as_missing(
        word: str, sleep: int | None) -> None:
    """A level Garmin may add (or a word in any case) decides as no readiness, and the status
    names what was sent instead of calling it missing or passing it as ≥ MODERATE."""
    days = [night(D, None, hrv_status=None, readiness_level=word, sleep_score=sleep,
                  resting_hr=None)]
    sent, unsent = judge(days), judge([replace(days[0], readiness_level=None)])
    assert (sent.level, sent.reasons) == (unsent.level, unsent.reasons)
    label = word.strip().upper()
    assert sent.values["readiness_level"] == (label or None)
    named = [m for m in sent.missing if m.startswith("training readiness")]
    assert named == [f"training readiness (unknown level {label})" if label
                     else "training readiness"]


def test_missing_load_names_tsb_and_acwr() -> None:
    today = [*history(), night(D, LN_HIGH)]
    for load in (None, load_on(math.nan, math.nan)):
        status = judge(today, load)
        assert status.level == "green" and status.missing == ("TSB", "ACWR")


def test_no_data_at_all() -> None:
    status = judge([])
    assert status.level == "green" and status.reasons == (NO_DATA,)
    assert status.missing == ("HRV signal: 0 of 3 nights in the last 7",
                              "HRV baseline: 0 of 14 nights in the last 60", "Garmin HRV status",
                              "training readiness", "sleep score", "resting HR", "TSB", "ACWR")
    assert set(status.values.values()) == {None, 0}


def test_no_data_but_load_still_applies() -> None:
    status = judge([], load_on(tsb=-40.0, acwr=1.2))
    assert status.level == "amber"
    assert status.reasons == (NO_DATA, "form (TSB) -40.0 < -30 on 60 days running")


# --- the window ---------------------------------------------------------------------------

def test_one_status_per_day_and_later_days_ignored() -> None:
    days = [*history(), night(D, LN_HIGH), night(D + timedelta(days=1), 3.0, sleep_score=10)]
    statuses = recovery_statuses(days, None, D - timedelta(days=2), D)
    assert [s.day for s in statuses] == [D - timedelta(days=k) for k in (2, 1, 0)]
    assert all(s.level == "green" for s in statuses)
    with pytest.raises(ValueError):
        recovery_statuses(days, None, D, D - timedelta(days=1))


def test_duplicate_days_merge() -> None:
    days = [*history(), night(D, LN_HIGH, sleep_score=None), night(D, None, sleep_score=59)]
    status = judge(days, load_on())
    assert status.values["sleep_score"] == 59 and status.level == "amber"


def test_frame_decides_what_the_statuses_explain() -> None:
    days = [*history(), night(D, 3.0, sleep_score=50), night(D + timedelta(days=1), 3.0)]
    frame = recovery_frame(days, None, D - timedelta(days=1), D + timedelta(days=1))
    statuses = recovery_statuses(days, None, D - timedelta(days=1), D + timedelta(days=1))
    assert list(frame.index.date) == [s.day for s in statuses]
    assert frame["level"].tolist() == [s.level for s in statuses] == ["green", "amber", "red"]
    assert frame.loc[pd.Timestamp(D), ["hrv_below_once", "sleep_low"]].tolist() == [True, True]
    assert {name for name, _ in RULES} <= set(frame.columns)
    assert frame["hrv_below_days"].tolist() == [0, 1, 2]


def test_frame_texts_are_clean_and_missing_ones_empty() -> None:
    days = [*history(), night(D, LN_HIGH, hrv_status=" low ", readiness_level="something"),
            night(D + timedelta(days=1), LN_HIGH, hrv_status=" ", readiness_level=None)]
    frame = recovery_frame(days, None, D, D + timedelta(days=1))
    assert frame["hrv_status"].isna().tolist() == [False, True]
    assert frame["hrv_status"].tolist()[0] == "LOW" and frame["level"].tolist()[0] == "red"
    # an unknown readiness word is kept as sent (to be named), and triggers nothing
    assert frame["readiness_level"].tolist()[0] == "SOMETHING"
    assert frame["readiness_level"].isna().tolist() == [False, True]


# --- wellness as columns -----------------------------------------------------------------

def test_columns_decide_as_the_records_do() -> None:
    """Records are turned into columns first: out of order, a repeated day, texts to clean
    and a zero HRV reading give the same frame, arrays and statuses either way."""
    after = D + timedelta(days=1)
    days = [night(D, LN_HIGH, hrv_status=" low "), *history()[::-1],
            replace(night(after, sleep_score=None), hrv_last_night=0.0),  # no reading
            night(after, None, sleep_score=41, readiness_level="odd", hrv_status="LOW"),
            DailyWellness(day=D + timedelta(days=2), readiness_level="odd")]
    start, end, load = D - timedelta(days=2), D + timedelta(days=3), load_on(-40.0, days=1)
    columns = WellnessColumns.from_days(days)
    frame = recovery_frame(days, load, start, end)
    pd.testing.assert_frame_equal(recovery_frame(columns, load, start, end), frame)
    arrays = recovery_columns(columns, load, start, end)
    assert tuple(arrays) == FRAME_COLUMNS == tuple(frame.columns)
    for name, values in arrays.items():
        assert [None if pd.isna(v) else v for v in values] == \
            [None if pd.isna(v) else v for v in frame[name].tolist()], name
    assert recovery_statuses(columns, load, start, end) == recovery_statuses(days, load, start,
                                                                              end)
    assert frame["level"].tolist()[:4] == ["green", "green", "red", "amber"]
    # the repeated day merged, the first record winning where it has a value, even a zero
    assert frame.loc[pd.Timestamp(after), ["sleep_score", "hrv_signal_nights"]].tolist() == [41, 6]
    assert frame["hrv_status"].tolist()[2:4] == ["LOW", "BALANCED"]
    assert frame["readiness_level"].tolist()[4] == "ODD"  # kept to be named, judged missing
    assert frame["readiness_level"].isna().tolist() == [False] * 5 + [True]


def test_columns_of_every_day_in_any_order_decide_as_in_day_order() -> None:
    """Columns holding each day of the window once, reversed (a query's rows may come in
    any order), give the same statuses as in day order: days are placed by date, never by
    position, even when there are as many records as days."""
    days = [*history(), night(D, LN_HIGH, hrv_status=" low ")]
    start = days[0].day
    in_order = recovery_statuses(WellnessColumns.from_days(days), None, start, D)
    assert recovery_statuses(WellnessColumns.from_days(days[::-1]), None, start, D) == in_order
    assert in_order[-1].level == "red" and in_order[-1].values["hrv_status"] == "LOW"


@given(st.lists(st.one_of(st.none(), st.sampled_from(["LOW", " low", "", "High", "x"])),
                max_size=30))
def test_labels_hold_every_text_and_rename_each_word_once(texts: list[str | None]) -> None:
    """A text column as codes gives back every text; renamed, each word is cleaned once and
    the words it makes equal are one label."""
    labels = Labels.of(texts)
    assert labels.tolist() == texts and len(set(labels.names)) == len(labels.names)
    renamed = labels.renamed(lambda word: word.strip().upper() or None)
    assert renamed.tolist() == [(t.strip().upper() or None) if t else None for t in texts]
    assert len(set(renamed.names)) == len(renamed.names)


def test_columns_hold_one_value_a_day() -> None:
    columns = WellnessColumns.from_days([night(D, LN_HIGH), night(D - timedelta(days=1))])
    assert columns.day.tolist() == [D, D - timedelta(days=1)]
    assert columns.hrv_last_night[0] == pytest.approx(math.exp(LN_HIGH))
    assert np.isnan(columns.hrv_last_night[1]) and columns.hrv_status.tolist() == ["BALANCED"] * 2
    twice = {name: getattr(columns, name)[[0, 0]] if name not in WORDS
             else getattr(columns, name).taken([0, 0]) for name in WellnessColumns.FIELDS}
    with pytest.raises(ValueError, match="twice"):
        WellnessColumns(day=columns.day[[0, 0]], **twice)
    with pytest.raises(ValueError, match="one value per day"):
        WellnessColumns(day=columns.day[:1], **{name: getattr(columns, name)
                                                 for name in WellnessColumns.FIELDS})
    with pytest.raises(ValueError, match="datetime64"):
        WellnessColumns(day=np.array([1, 2]), **{name: getattr(columns, name)
                                                 for name in WellnessColumns.FIELDS})
    empty = WellnessColumns.from_days([])
    assert judge([]).level == recovery_statuses(empty, None, D, D)[0].level == "green"


@pytest.mark.parametrize("shift", [-90, -5, 0, 3, 40, 90])
def test_a_daily_load_frame_lines_up_like_any_other(shift: int) -> None:
    """training_load's frame (one row a day) is read as a slice; the same rows in a frame
    without a daily frequency are placed day by day: both agree, overlapping or not."""
    loads = pd.Series(np.arange(60.0) % 7 * 20, index=pd.date_range(
        D + timedelta(days=shift - 30), periods=60, freq="D"))
    daily = training_load(loads)
    plain = daily.set_axis(pd.DatetimeIndex(list(daily.index)))
    assert daily.index.freq == "D" and plain.index.freq is None
    start, end = D - timedelta(days=20), D + timedelta(days=10)
    frame = recovery_frame(history(), daily, start, end)
    pd.testing.assert_frame_equal(frame, recovery_frame(history(), plain, start, end))
    on = frame["tsb"].notna()
    assert on.sum() == len(set(daily.index) & set(frame.index))
    assert frame.loc[on, "tsb"].tolist() == daily.loc[frame.index[on], "tsb"].tolist()


# --- against the plain-loop reference ----------------------------------------------------

MAYBE_HRV = st.one_of(st.none(), st.integers(20, 150), st.floats(20, 150))
WELLNESS = st.tuples(MAYBE_HRV, st.one_of(st.none(), st.integers(38, 70)),
                     st.one_of(st.none(), st.integers(30, 100)),
                     st.sampled_from([None, "LOW", "MODERATE", "HIGH", "POOR"]),
                     st.sampled_from([None, "BALANCED", "LOW"]))


def _clear(row: dict[str, object]) -> bool:
    """No value sits within 1e-9 of a threshold, where float rounding may decide either way."""
    pairs = [(row["hrv_signal"], row["band_low"]), (row["hrv_signal"], row["band_high"])]
    rhr, mean = row["resting_hr"], row["resting_hr_mean30"]
    if isinstance(rhr, float) and isinstance(mean, float):
        pairs += [(rhr - mean, 5.0), (rhr - mean, 2.0)]
    return all(not (isinstance(a, float) and isinstance(b, float)) or abs(a - b) > 1e-9
               for a, b in pairs)


@settings(max_examples=150, deadline=None)
@given(st.lists(WELLNESS, min_size=1, max_size=150), st.integers(0, 100),
       st.lists(st.floats(0, 300), min_size=150, max_size=150))
def test_matches_plain_loop_reference(raw: list[tuple], skip: int,
                                      loads: list[float]) -> None:
    first = date(2023, 1, 1)
    days = [DailyWellness(day=first + timedelta(days=i), hrv_last_night=hrv, resting_hr=rhr,
                          sleep_score=sleep, readiness_level=ready, hrv_status=status)
            for i, (hrv, rhr, sleep, ready, status) in enumerate(raw)]
    start, end = first + timedelta(days=min(skip, len(raw) - 1)), days[-1].day
    frame = training_load(pd.Series(loads, index=pd.date_range(first, periods=len(loads))))
    by_day = dict(zip(frame.index.date, frame.itertuples(), strict=True))
    ours = recovery_statuses(days, frame, start, end)
    ref = reference_recovery(days, start, end, {d: r.tsb for d, r in by_day.items()},
                             {d: r.acwr for d, r in by_day.items()})
    assert [s.day for s in ours] == [r["day"] for r in ref]
    previous_clear = True
    for status, row in zip(ours, ref, strict=True):
        for key in ("hrv_signal", "band_low", "band_high", "resting_hr_mean30", "tsb"):
            a, b = status.values[key], row[key]
            assert (a is None) == (b is None or (isinstance(b, float) and np.isnan(b))), key
            assert a is None or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), key  # type: ignore[arg-type]
        clear = _clear(row)
        if clear and previous_clear:
            assert status.level == row["level"], (status, row)
        previous_clear = clear


def test_explaining_days_of_one_decision_is_deciding_just_those_days() -> None:
    """The explained path decides every day once and puts into words only the days asked
    for: the same statuses as deciding those days alone, with the load as arrays
    (DailyLoad, the nightly path) or as training_load's frame."""
    first = D - timedelta(days=60)
    days = [*history(), night(D, LN_LOW, sleep_score=40)]
    loads = np.arange(61.0) % 7 * 30
    frame = training_load(pd.Series(loads, index=pd.date_range(first, D, freq="D")))
    decided = decide(days, DailyLoad.of(loads, first), first, D)
    week = explain(decided, D - timedelta(days=6))
    assert week == recovery_statuses(days, frame, D - timedelta(days=6), D)
    assert [s.level for s in week] == decided.levels()[-7:] and week[-1].level == "amber"
    assert explain(decided) == recovery_statuses(days, frame, first, D)
