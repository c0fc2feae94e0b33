"""RULES.md S7.3 cold start and leaving red: form and ACWR wait for 42 days of load history,
form needs two days running below −30, and a red from the HRV signal ends after two
mornings back in the band. The day judged is pinned (D), as in tests/test_recovery.py."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.load import daily_loads, training_load
from analysis.recovery import (
    NO_DATA,
    READINESS_LEVELS,
    RecoveryStatus,
    decide,
    explain,
    recovery_statuses,
)
from domain.wellness import DailyWellness
from tests.test_recovery import LN_HIGH, LN_LOW, D, history, night


def frame(tsb: list[float], acwr: list[float] | None = None) -> pd.DataFrame:
    """A load frame ending on D, one row a day (its first row starts the history)."""
    acwr = acwr or [1.0] * len(tsb)
    return pd.DataFrame({"tsb": tsb, "acwr": acwr},
                        index=pd.date_range(end=D, periods=len(tsb), freq="D"))


def judged(load: pd.DataFrame | None, history_from: date | None = None,
           days: list[DailyWellness] | None = None) -> RecoveryStatus:
    wellness = days if days is not None else [*history(), night(D, LN_HIGH)]
    [status] = recovery_statuses(wellness, load, D, D, history_from)
    return status


# --- cold start -------------------------------------------------------------------------

def test_form_waits_for_42_days_of_load_history() -> None:
    status = judged(frame([-45.0] * 20))
    assert status.level == "green"
    assert "form (TSB) and ACWR not used: not enough history, 20 of 42 days" in status.reasons
    assert not any(r.startswith("form (TSB) -45") for r in status.reasons)
    assert status.values["load_history_days"] == 20 and status.values["tsb"] == -45.0


def test_history_counts_from_the_first_session_not_the_first_record() -> None:
    # 60 rows of load frame, but the first session was 9 days before D: 10 days of history
    status = judged(frame([-45.0] * 60), history_from=D - timedelta(days=9))
    assert status.level == "green"
    assert status.reasons[-1] == "form (TSB) and ACWR not used: not enough history, 10 of 42 days"


def test_on_day_42_form_and_acwr_decide() -> None:
    early, ready = judged(frame([-45.0] * 41)), judged(frame([-45.0] * 42))
    assert early.level == "green" and "41 of 42 days" in early.reasons[-1]
    assert ready.level == "amber"
    assert ready.reasons == ("form (TSB) -45.0 < -30 on 42 days running",)


def test_acwr_spike_waits_as_well() -> None:
    assert judged(frame([0.0] * 41, [1.9] * 41)).level == "green"
    status = judged(frame([0.0] * 42, [1.9] * 42))
    assert status.level == "amber" and status.reasons == ("EWMA ACWR 1.90 > 1.5: a load spike",)


def test_one_dip_after_a_long_run_is_expected() -> None:
    one = judged(frame([-10.0] * 59 + [-35.0]))
    assert one.level == "green"
    assert "form (TSB) -35.0 < -30 on its first day: one dip is expected" in one.reasons
    two = judged(frame([-10.0] * 58 + [-31.0, -35.0]))
    assert two.level == "amber" and two.reasons == ("form (TSB) -35.0 < -30 on 2 days running",)


def test_a_new_account_after_its_first_long_run() -> None:
    """The issue's case: a brand-new account, a long run on day 3 and a hard week after it.
    Form falls far below −30 but decides nothing for 42 days."""
    first = D - timedelta(days=9)
    loads = [(first + timedelta(days=2), 300.0), *[(first + timedelta(days=k), 250.0)
                                                    for k in range(4, 10)]]
    load = training_load(daily_loads(loads, first, D))
    assert (load["tsb"] < -30).sum() >= 2  # the rule would have fired
    wellness = [night(first + timedelta(days=k), LN_HIGH if k % 2 else LN_LOW)
                for k in range(10)]
    statuses = recovery_statuses(wellness, load, first, D, history_from=first)
    assert all(s.level == "green" for s in statuses)
    assert statuses[-1].reasons[-1] == ("form (TSB) and ACWR not used: not enough history, "
                                        "10 of 42 days")


def test_no_note_without_load_numbers() -> None:
    status = judged(None)
    assert not any("not enough history" in r for r in status.reasons)
    assert "TSB" in status.missing and "ACWR" in status.missing


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 400), min_size=1, max_size=41))
def test_under_42_days_load_never_decides(loads: list[float]) -> None:
    """Whatever the first 41 days of load, the levels are those without any load."""
    first = D - timedelta(days=len(loads) - 1)
    load = training_load(pd.Series(loads, index=pd.date_range(first, D, freq="D")))
    days = [*history(), night(D, LN_HIGH)]
    with_load = recovery_statuses(days, load, first, D)
    without = recovery_statuses(days, None, first, D)
    assert [s.level for s in with_load] == [s.level for s in without]


# --- leaving red --------------------------------------------------------------------------

LN_DIP = 3.5


def dip_then(*after: float) -> list[DailyWellness]:
    """Normal nights, three nights of a deep HRV dip, then `after` up to and including D."""
    start = D - timedelta(days=len(after) + 2)  # the first dip night
    normal = [w for w in history(70) if w.day < start]
    dip = [night(start + timedelta(days=k), LN_DIP) for k in range(3)]
    back = [night(start + timedelta(days=3 + k), ln) for k, ln in enumerate(after)]
    return [*normal, *dip, *back]


def test_a_signal_red_stays_red_after_one_good_morning() -> None:
    status = judged(None, days=dip_then(4.0))
    assert status.level == "red"
    assert status.values["hrv_in_band_mornings"] == 1
    assert status.reasons[0].startswith("HRV 7-day signal")
    assert "days running" in status.reasons[0]


def _number(status: RecoveryStatus, name: str) -> float:
    """One of the status's numbers (its values hold words too)."""
    value = status.values[name]
    assert isinstance(value, int | float), (name, value)
    return value


def test_two_mornings_in_band_leave_red_while_the_mean_lags() -> None:
    status = judged(None, days=dip_then(4.0, 4.0))
    assert _number(status, "hrv_signal") < _number(status, "band_low")  # the mean lags
    assert _number(status, "band_low") <= _number(status, "hrv_last_night") <= \
        _number(status, "band_high")
    assert status.level == "amber"
    [reason] = status.reasons
    assert reason.startswith(f"HRV 7-day signal {status.values['hrv_signal']:.2f} still below "
                             "the normal band")
    assert ("last night's ln HRV 4.00 was inside it 2 mornings running: the HRV signal no "
            "longer makes it red, only amber while the mean catches up") in reason


def test_a_new_dip_after_leaving_red_is_red_again() -> None:
    assert judged(None, days=dip_then(4.0, 4.0, LN_DIP)).level == "red"


def test_garmin_red_is_not_left_by_the_hrv_mornings() -> None:
    days = dip_then(4.0, 4.0)
    days[-1] = night(D, 4.0, hrv_status="LOW")
    status = judged(None, days=days)
    assert status.level == "red" and "Garmin HRV status LOW" in status.reasons
    # the mornings' reason stays true on a day another rule keeps red: it never says "out of red"
    [back] = [r for r in status.reasons if "mornings running" in r]
    assert "out of red" not in back and "only amber while the mean catches up" in back


def test_above_band_mornings_do_not_count_as_in_band() -> None:
    status = judged(None, days=dip_then(4.0, 4.5))
    assert math.isclose(_number(status, "hrv_last_night"), 4.5)
    assert _number(status, "hrv_last_night") > _number(status, "band_high")
    assert status.values["hrv_in_band_mornings"] == 0 and status.level == "red"


# --- early days: a level always says why -------------------------------------------------

EARLY = D - timedelta(days=4)  # the fifth night of a new account


def test_an_hrv_signal_without_a_band_yet_says_why_it_is_green() -> None:
    """Five nights of HRV and nothing else: green with no reasons at all before."""
    days = [DailyWellness(day=EARLY + timedelta(days=k), hrv_last_night=50.0 + k)
            for k in range(5)]
    [status] = recovery_statuses(days, None, D, D)
    assert status.level == "green"
    assert status.reasons == ("HRV baseline still building: 4 of 14 nights in the last 60; "
                              "nothing else to judge by",)
    assert "HRV baseline still building: 4 of 14 nights in the last 60" in status.missing


def test_what_was_measured_but_cannot_judge_yet_is_named() -> None:
    days = [DailyWellness(day=EARLY + timedelta(days=k), resting_hr=50) for k in range(5)]
    days[-1] = DailyWellness(day=D, resting_hr=50, hrv_status="BALANCED")
    [status] = recovery_statuses(days, None, D, D)
    assert status.level == "green"
    assert status.reasons == ("resting HR 30-day mean still building: 4 of 7 days in the last "
                              "30; Garmin HRV status BALANCED (not LOW or POOR); nothing else "
                              "to judge by",)


def test_one_night_of_hrv_is_named_not_called_no_recovery_data() -> None:
    """One night of HRV and nothing else read "no recovery data" while the missing inputs
    counted that night: the status has a night too few to judge by, and says so."""
    [status] = recovery_statuses([DailyWellness(day=D, hrv_last_night=50.0)], None, D, D)
    assert status.level == "green"
    assert status.reasons == ("HRV signal still building: 1 of 3 nights in the last 7; "
                              "nothing else to judge by",)
    assert status.missing[0] == "HRV signal still building: 1 of 3 nights in the last 7"


def worn_for_years_then_off(days_off: int, rest_hr: bool = True) -> list[DailyWellness]:
    """Two years of nights (HRV, and resting HR where `rest_hr`), none for `days_off` days,
    and last night's again."""
    return [DailyWellness(day=D - timedelta(days=k), hrv_last_night=50.0 + k % 5,
                          resting_hr=48 + k % 3 if rest_hr else None)
            for k in range(730) if not 0 < k <= days_off]


def test_a_break_from_the_watch_is_named_not_called_still_building() -> None:
    """Two years of nights and 10 days without the watch read "HRV signal still building",
    a newcomer's words: it says how many nights it has and the days it had none; after 25
    days off, so does the resting HR's 30-day mean; and while the watch is still off."""
    [ten] = recovery_statuses(worn_for_years_then_off(10, rest_hr=False), None, D, D)
    off = f"none from {D - timedelta(days=10):%d %b} to {D - timedelta(days=1):%d %b}"
    assert ten.reasons == (f"HRV signal: 1 of 3 nights in the last 7 ({off}); nothing else to "
                           "judge by",)
    assert ten.missing[0] == ten.reasons[0].split(";")[0]
    [long] = recovery_statuses(worn_for_years_then_off(25), None, D, D)
    assert long.missing[4] == ("resting HR 30-day mean: 5 of 7 days in the last 30 (none from "
                               f"{D - timedelta(days=25):%d %b} to {D - timedelta(days=1):%d %b})")
    [still_off] = recovery_statuses(worn_for_years_then_off(10)[1:], None, D, D)
    assert still_off.missing[0] == ("HRV signal: 0 of 3 nights in the last 7 (none after "
                                    f"{D - timedelta(days=11):%d %b})")
    assert not any("building" in r for r in (*ten.reasons, *long.reasons, *long.missing,
                                              *still_off.missing))


def test_the_break_named_is_the_one_that_leaves_the_count_short() -> None:
    """25 days off, two mornings back, then 2 days off again: the resting HR's 30-day mean
    is short because of the 25 days, which its words name, not the latest 2-day gap (they
    did). So for the HRV signal's 7 nights: 6 nights off then 2 more, the 6 are named."""
    wore = [DailyWellness(day=D - timedelta(days=k), hrv_last_night=50.0 + k % 5,
                          resting_hr=48 + k % 3)
            for k in range(730) if not (5 <= k <= 29 or 1 <= k <= 2)]
    [status] = recovery_statuses(wore, None, D, D)
    assert ("resting HR 30-day mean: 3 of 7 days in the last 30 (none from "
            f"{D - timedelta(days=29):%d %b} to {D - timedelta(days=5):%d %b})") in status.missing
    nights = [w for w in worn_for_years_then_off(0) if not (4 <= (D - w.day).days <= 9
                                                            or 1 <= (D - w.day).days <= 2)]
    [status] = recovery_statuses(nights, None, D, D)
    assert status.missing[0] == ("HRV signal: 2 of 3 nights in the last 7 (none from "
                                 f"{D - timedelta(days=9):%d %b} to {D - timedelta(days=4):%d %b})")


def test_a_newcomer_s_short_count_is_still_building_not_its_gap() -> None:
    """Worn from 6 days ago but for a 2-day gap: the resting HR's 30-day mean is short for
    the 24 days before the watch, not the gap (it named the gap)."""
    worn = [DailyWellness(day=D - timedelta(days=k), hrv_last_night=50.0, resting_hr=48)
            for k in (6, 5, 4, 1, 0)]
    [status] = recovery_statuses(worn, None, D, D)
    assert "resting HR 30-day mean still building: 4 of 7 days in the last 30" in status.missing


def _most_inside(missing: list[bool], day: int, days: int, lag: int) -> tuple[float, float]:
    """Days back to the first and last day of the break (2 days or more, as far as `day`
    sees) with the most days inside `day`'s window (of as many, the latest); NaN: none, or
    the start (the window's days before the first) leaves more out."""
    before_first = -(day - lag - days + 1)  # the window's days before the first day
    best: tuple[int, int, int] | None = (before_first, -1, -1) if before_first > 0 else None
    k = 0
    while k <= day:
        end = k
        while missing[k] and end < day and missing[end + 1]:
            end += 1
        inside = min(end, day - lag) - max(k, day - lag - days + 1) + 1
        if missing[k] and end > k and inside > 0 and (best is None or (inside, k) > best[:2]):
            best = (inside, k, end)
        k = end + 1
    return (math.nan, math.nan) if best is None or best[1] < 0 else (day - best[1],
                                                                     day - best[2])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), min_size=2, max_size=60))
def test_a_short_count_names_the_break_with_most_days_in_its_window(worn: list[bool]) -> None:
    """Any days worn or not (the first worn, all within reach): where the HRV signal or the
    resting-HR mean is short, its break is the one with the most days inside its window
    (none where the days before the first leave more out: a start)."""
    missing = [not w for w in [True, *worn]]
    days = [DailyWellness(day=D + timedelta(days=k), hrv_last_night=50.0, resting_hr=48)
            for k, off in enumerate(missing) if not off]
    decided = decide(days, None, D, D + timedelta(days=len(missing) - 1))
    breaks = decided.breaks()
    for count, need, window, lag, name in (("hrv_signal_nights", 3, 7, 0, "hrv"),
                                           ("resting_hr_days", 7, 30, 1, "resting_hr")):
        for day, have in enumerate(decided.numbers[count]):
            expected = _most_inside(missing, day, window, lag) if have < need else (
                math.nan, math.nan)
            got = (breaks[f"{name}_break_from"][day], breaks[f"{name}_break_to"][day])
            assert [None if math.isnan(v) else v for v in got] == [
                None if math.isnan(v) else v for v in expected], (name, day)


@settings(max_examples=30, deadline=None)
@example(days_off=60, rest_hr=True)  # beyond reach, no resting HR in its 30 days: "0 of 7"
@given(days_off=st.integers(2, 70), rest_hr=st.booleans())
def test_a_break_is_named_wherever_a_reading_came_before_it_within_reach(
        days_off: int, rest_hr: bool) -> None:
    """Whatever the break, a short HRV signal or resting-HR mean names it (from the day
    after the last reading before it to yesterday) where that reading is within the 60
    days the inputs always reach, and says "still building" only beyond that, where it has
    some readings again (none is no building: "0 of 7 days")."""
    [status] = recovery_statuses(worn_for_years_then_off(days_off, rest_hr), None, D, D)
    off = f"none from {D - timedelta(days=days_off):%d %b} to {D - timedelta(days=1):%d %b}"
    for text in (t for t in status.missing if t.startswith(("HRV signal", "resting HR 30"))):
        have = int(text.split(": ")[1].split(" of ")[0])
        assert (off in text, "still building" in text) == (
            days_off < 60, days_off >= 60 and have > 0), text


MAYBE = {"hrv_last_night": st.none() | st.sampled_from([0.0, 48.0, 55.0]),
         "sleep_score": st.none() | st.integers(40, 90),
         "resting_hr": st.none() | st.sampled_from([0, 48, 52]),
         "hrv_status": st.sampled_from([None, " ", "BALANCED", "LOW"]),
         "readiness_level": st.sampled_from([None, "HIGH", "low", "GREAT"])}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries(MAYBE), min_size=1, max_size=9))
def test_no_recovery_data_is_said_exactly_when_nothing_was_measured(
        fields: list[dict[str, object]]) -> None:
    """A few early days of any inputs: the status says "no recovery data" exactly when
    none of the last 7 nights had an HRV and the day has no other recovery input (a
    reading of 0 is none, a readiness word that is no Garmin level is judged as none),
    and a green day always says what it was judged on or why it could not be."""
    first = D - timedelta(days=len(fields) - 1)
    days = [DailyWellness(day=first + timedelta(days=k), **f)  # type: ignore[arg-type]
            for k, f in enumerate(fields)]
    [status] = recovery_statuses(days, None, D, D)
    today = fields[-1]
    nothing = (not any(f["hrv_last_night"] for f in fields[-7:])
               and today["sleep_score"] is None and not today["resting_hr"]
               and not str(today["hrv_status"] or "").strip()
               and str(today["readiness_level"]).upper() not in READINESS_LEVELS)
    assert (NO_DATA in status.reasons) == nothing, status
    assert status.level != "green" or status.reasons, status


def test_a_day_with_nothing_measured_still_says_no_recovery_data() -> None:
    [status] = recovery_statuses([DailyWellness(day=D, readiness_level="GREAT")], None, D, D)
    assert status.reasons == ("no recovery data: planning on load alone",)


def test_an_early_day_with_form_and_acwr_judged_does_not_say_nothing_else() -> None:
    """New HRV nights over a long load history: form and ACWR are judged and listed, so
    the baseline's note must not claim there is nothing else to judge by."""
    days = [DailyWellness(day=EARLY + timedelta(days=k), hrv_last_night=50.0 + k)
            for k in range(5)]
    [status] = recovery_statuses(days, frame([0.0] * 60), D, D)
    assert status.level == "green"
    assert status.reasons == ("HRV baseline still building: 4 of 14 nights in the last 60",
                              "form (TSB) 0.0 ≥ -30", "EWMA ACWR 1.00 ≤ 1.5")


def test_a_signal_a_hair_below_the_band_while_leaving_red_is_not_shown_on_its_edge() -> None:
    """A signal 0.0012 below the band's low limit read "3.90 still below the normal band
    3.90–4.04": the leaving-red reason shows the signal to the decimals that keep it below."""
    dip = [night(D - timedelta(days=7), 3.0),
           *(night(D - timedelta(days=k), 3.858) for k in range(6, 1, -1))]
    days = [*(w for w in history(70) if w.day < D - timedelta(days=7)), *dip,
            night(D - timedelta(days=1), 4.0), night(D, 4.0)]
    status = judged(None, days=days)
    assert status.level == "amber" and status.values["hrv_in_band_mornings"] == 2
    [reason] = status.reasons
    assert reason.startswith("HRV 7-day signal 3.899 still below the normal band 3.900–4.041 "
                             "for 8 days, but last night's ln HRV 4.000 was inside it")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=150), st.integers(0, 149),
       st.booleans())
def test_a_days_words_are_the_same_explained_alone_or_with_every_day(
        worn: list[bool], shown: int, rest_hr: bool) -> None:
    """The break columns are worked out for the days explained only (Decided.breaks): the
    status `status` or the report's week shows says what the whole run of days says."""
    first = D - timedelta(days=len(worn) - 1)
    days = [DailyWellness(day=first + timedelta(days=k), hrv_last_night=55.0 + k % 5,
                          resting_hr=48 if rest_hr else None) if on
            else DailyWellness(day=first + timedelta(days=k)) for k, on in enumerate(worn)]
    decided = decide(days, None, first, D)
    from_day = first + timedelta(days=min(shown, len(worn) - 1))
    assert explain(decided, from_day) == explain(decided)[(from_day - first).days:]
