"""A recovery reason's numbers as shown agree with the rule it states (RULES.md S7.3): a
value near a threshold is never rounded onto the wrong side of it. The day judged is
pinned (D), as in tests/test_recovery.py."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.recovery import (
    ACWR_MAX,
    RHR_RAISED_BPM,
    RHR_RISE_BPM,
    SLEEP_MIN,
    TSB_MIN,
    RecoveryStatus,
)
from tests.test_recovery import LN_HIGH, D, band, history, judge, ln_for_signal, load_on, night

NUMBER = r"(-?\d+(?:\.\d+)?)"
# The comparisons a reason states: its shown number, its operator, its shown limit.
STATED = [re.compile(p) for p in (rf"sleep score {NUMBER} (<|≥) {NUMBER}",
                                  rf"form \(TSB\) {NUMBER} (<|≥) {NUMBER}",
                                  rf"EWMA ACWR {NUMBER} (>|≤) {NUMBER}")]
SIGNAL = re.compile(rf"HRV 7-day signal {NUMBER} (below|within|above|still below) the normal "
                    rf"band {NUMBER}–{NUMBER}")
LAST_NIGHT = re.compile(rf"last night's ln HRV {NUMBER} was inside it")
RESTING = re.compile(rf"resting HR {NUMBER} bpm is {NUMBER} (above|below) its 30-day mean "
                     rf"{NUMBER}")
HOLDS = {"<": float.__lt__, "≥": float.__ge__, ">": float.__gt__, "≤": float.__le__}


def places(text: str) -> int:
    return len(text.partition(".")[2])


def contradictions(status: RecoveryStatus) -> list[str]:
    """Every reason whose shown numbers break the rule it states or the level it gives."""
    bad = []
    for reason in status.reasons:
        for pattern in STATED:
            for value, op, limit in pattern.findall(reason):
                bad += [reason] if not HOLDS[op](float(value), float(limit)) else []
        for value, where, low, high in SIGNAL.findall(reason):
            s, lo, hi = float(value), float(low), float(high)
            ok = {"below": s < lo, "still below": s < lo, "within": lo <= s <= hi,
                  "above": s > hi}[where]
            last = LAST_NIGHT.search(reason)
            ok &= last is None or lo <= float(last.group(1)) <= hi
            bad += [] if ok else [reason]
        for rhr, rise_text, side, mean in RESTING.findall(reason):
            rise = float(rise_text) * (1 if side == "above" else -1)
            fired = status.level != "green"  # a green day lists it as passed
            hrv_above = "above the normal band" in reason
            limit = RHR_RAISED_BPM if hrv_above else RHR_RISE_BPM
            passed = RHR_RAISED_BPM if any("above the normal band" in r
                                           for r in status.reasons) else RHR_RISE_BPM
            ok = rise > limit if fired else rise <= passed
            # the three numbers add up to the places shown
            ok &= abs(float(rhr) - float(mean) - rise) <= 10.0 ** -max(places(rise_text),
                                                                        places(mean))
            bad += [] if ok else [reason]
    return bad


def near(limit: float, width: float) -> st.SearchStrategy[float | None]:
    """A value within `width` of `limit`, or None: that input stays normal."""
    return st.none() | st.floats(limit - width, limit + width)


@settings(max_examples=300, deadline=None)
# a resting HR a hair under 5 above its mean: 54.99997 read "55 bpm is 4.99997 above ... 50"
@example(edge="low", signal=None, rise=RHR_RISE_BPM - 3e-5, raised=False, sleep=None, tsb=None,
         acwr=None)
@given(edge=st.sampled_from(["low", "high"]), signal=near(0.0, 0.006),
       rise=near(RHR_RISE_BPM, 0.08), raised=st.booleans(), sleep=near(SLEEP_MIN, 0.6),
       tsb=near(TSB_MIN, 0.08), acwr=near(ACWR_MAX, 0.008))
def test_a_reasons_shown_number_never_contradicts_the_rule_it_states(
        edge: str, signal: float | None, rise: float | None, raised: bool,
        sleep: float | None, tsb: float | None, acwr: float | None) -> None:
    days = history()
    low, high = band(days)
    ln = LN_HIGH if signal is None else ln_for_signal(days, (low if edge == "low" else high)
                                                      + signal)
    today: dict[str, object] = {}
    if rise is not None:  # the history's resting HR is 50 every day
        today["resting_hr"] = 50 + rise - (RHR_RISE_BPM - RHR_RAISED_BPM) * raised
    if sleep is not None:
        today["sleep_score"] = sleep
    load = load_on(TSB_MIN + 10 if tsb is None else tsb, 1.0 if acwr is None else acwr)
    status = judge([*days, night(D, ln, **today)], load)
    assert contradictions(status) == [], status


def test_a_resting_hr_5_03_above_its_mean_is_not_shown_as_5() -> None:
    """53 bpm over a mean of 47.97 fired "more than 5" with the words "5 above its mean
    48": the rise now shows the hundredths that put it over 5, and the mean as many."""
    days = [replace(w, resting_hr=47 if w.day == D - timedelta(days=1) else 48)
            for w in history()]  # a 30-day mean of 1439 / 30 = 47.967
    status = judge([*days, night(D, LN_HIGH, resting_hr=53)], load_on())
    assert status.level == "amber"
    assert status.reasons == ("resting HR 53 bpm is 5.03 above its 30-day mean 47.97",)



def test_a_form_a_hair_below_zero_is_not_shown_as_minus_zero() -> None:
    """TSB hovers around 0 on many days: -0.04 read "form (TSB) -0.0 ≥ -30"."""
    status = judge([*history(), night(D, LN_HIGH)], load_on(tsb=-0.04))
    assert "form (TSB) 0.0 ≥ -30" in status.reasons


def test_a_number_from_a_frame_row_is_shown_as_a_float_is() -> None:
    """The report's line above the charts hands the form over as numpy's float64, whose
    comparisons give numpy's bools, which do not subtract: a form of -30.09 raised a
    TypeError (the report failed on a Saturday's data in the weekday tests)."""
    from analysis.recovery_text import shown_form

    assert shown_form(np.float64(-30.093394848043648)) == shown_form(-30.093394848043648)
    assert shown_form(np.float64(-30.093394848043648)) == "-30.1"
