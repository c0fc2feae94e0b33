"""Wellness normalisers against every recorded body of the endpoints the sync calls, and
against bodies of our own in the documented shapes where nothing is recorded."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.recovery_text import recovery_statuses
from domain.wellness import DailyWellness, readiness_level_of
from ingest import garmin_wellness as w
from tests.garmin_fake import own_day_bodies, recorded, recorded_group

DAY = date(2025, 7, 7)


def _day_of(record: dict[str, Any]) -> date:
    """The day a recorded request asked for (the URL's last date)."""
    found = re.findall(r"\d{4}-\d\d-\d\d", record["url"])
    return date.fromisoformat(found[-1]) if found else DAY


def _values(result: DailyWellness) -> dict[str, Any]:
    return {n: getattr(result, n) for n in DailyWellness.value_names()
            if getattr(result, n) is not None}


# -- every recorded body: values checked against the JSON, computed here independently ------


def test_hrv_every_recorded_body() -> None:
    for name, rec in recorded_group("hrv"):
        got = w.hrv(_day_of(rec), rec["body"])
        summary = (rec["body"] or {}).get("hrvSummary") if isinstance(rec["body"], dict) else None
        if summary is None:  # 204s and the range endpoint's shape carry no one-day summary
            assert _values(got) == {}, name
            continue
        assert got.hrv_last_night == summary["lastNightAvg"], name
        assert got.hrv_weekly_avg == summary["weeklyAvg"], name
        assert got.hrv_baseline_low == summary["baseline"]["balancedLow"], name
        assert got.hrv_baseline_high == summary["baseline"]["balancedUpper"], name
        assert got.hrv_status == summary["status"], name


def test_hrv_recorded_values() -> None:
    got = w.hrv(date(2023, 7, 20), recorded("hrv/hrv_data_get_0.json")["body"])
    assert _values(got) == {"hrv_last_night": 42, "hrv_weekly_avg": 39, "hrv_baseline_low": 39,
                            "hrv_baseline_high": 52, "hrv_status": "BALANCED"}


def test_sleep_every_recorded_body() -> None:
    for name, rec in recorded_group("sleep"):
        body = rec["body"]
        got = w.sleep(_day_of(rec), body)
        dto = body.get("dailySleepDTO") if isinstance(body, dict) else None
        if dto is None:  # the score-range endpoint: a list, not one night
            assert _values(got) == {}, name
            continue
        overall = (dto.get("sleepScores") or {}).get("overall") or {}
        assert got.sleep_seconds == dto.get("sleepTimeSeconds"), name
        assert got.sleep_score == overall.get("value"), name
        assert got.resting_hr == body.get("restingHeartRate"), name


def test_sleep_recorded_values() -> None:
    got = w.sleep(DAY, recorded("sleep/daily_sleep_data_get_0.json")["body"])
    assert _values(got) == {"sleep_score": 83, "sleep_seconds": 24180, "resting_hr": 44}
    empty_night = w.sleep(date(2030, 1, 1), recorded("sleep/daily_sleep_data_get_1.json")["body"])
    assert _values(empty_night) == {}


def test_readiness_every_recorded_body() -> None:
    for name, rec in recorded_group("training-readiness"):
        body = rec["body"]
        got = w.readiness(_day_of(rec), body)
        morning = [r for r in body if r.get("inputContext") == "AFTER_WAKEUP_RESET"]
        expected = morning[0] if morning else min(body, key=lambda r: r["timestamp"], default={})
        assert got.readiness_score == expected.get("score"), name
        assert got.readiness_level == expected.get("level"), name


def test_readiness_prefers_the_morning_reading() -> None:
    body = recorded("training-readiness/training_readiness_data_get_0.json")["body"]
    assert body[0]["inputContext"] != "AFTER_WAKEUP_RESET"  # the newest reading comes first
    got = w.readiness(DAY, body)
    assert (got.readiness_score, got.readiness_level) == (80, "HIGH")
    single = recorded("training-readiness/morning_training_readiness_data_get_1.json")["body"]
    assert _values(w.readiness(date(2024, 7, 7), single)) == {"readiness_score": 49,
                                                               "readiness_level": "LOW"}


def test_a_readiness_score_without_a_level_gets_garmin_s_level_for_it() -> None:
    """Every recorded reading, its level left out (no key, or null): the score's band gives
    the level Garmin recorded beside it, so the day is judged by readiness, not missing it."""
    for name, rec in recorded_group("training-readiness"):
        for reading in rec["body"]:
            for bare in ({k: v for k, v in reading.items() if k != "level"},
                         {**reading, "level": None}):
                got = w.readiness(_day_of(rec), [bare])
                assert (got.readiness_score, got.readiness_level) == (
                    reading["score"], reading["level"]), name
    body = recorded("training-readiness/training_readiness_data_get_0.json")["body"]
    day = w.day(DAY, {"readiness": [{k: v for k, v in r.items() if k != "level"}
                                    for r in body]})
    [status] = recovery_statuses([day], None, DAY, DAY)
    assert status.values["readiness_level"] == "HIGH"
    assert "training readiness HIGH (≥ MODERATE)" in status.reasons
    assert not any(m.startswith("training readiness") for m in status.missing)


@pytest.mark.parametrize(("score", "level"), [
    (1, "POOR"), (24, "POOR"), (25, "LOW"), (49, "LOW"), (50, "MODERATE"), (74, "MODERATE"),
    (75, "HIGH"), (94, "HIGH"), (95, "PRIME"), (100, "PRIME"), (0, None), (101, None),
    (None, None)])
def test_readiness_bands(score: int | None, level: str | None) -> None:
    assert readiness_level_of(score) == level
    got = w.readiness(DAY, [{"score": score, "inputContext": "AFTER_WAKEUP_RESET"}])
    assert got.readiness_level == level


def test_a_readiness_level_garmin_gives_is_kept_over_the_score_s_band() -> None:
    got = w.readiness(DAY, [{"score": 80, "level": "MODERATE"}])
    assert (got.readiness_score, got.readiness_level) == (80, "MODERATE")


MORNING_WORD = "after_wakeup_reset"  # in any case


@settings(max_examples=50, deadline=None)
@given(st.permutations(range(4)))
def test_readiness_of_several_morning_readings_is_the_latest_in_any_order(
        order: list[int]) -> None:
    """Two wake-up resets (a second sleep, a trip across time zones) and two other readings:
    the latest morning one (the first of Garmin's newest-first list), whatever the order."""
    readings = [
        {"timestamp": "2025-07-07T13:00:00.0", "level": "LOW", "inputContext": MORNING_WORD},
        {"timestamp": "2025-07-07T05:00:00.0", "level": "HIGH", "inputContext": MORNING_WORD},
        {"timestamp": "2025-07-07T03:00:00.0", "level": "POOR", "inputContext": "UPDATE"},
        {"timestamp": "2025-07-07T20:00:00.0", "level": "MODERATE", "inputContext": None}]
    assert w.readiness(DAY, [readings[i] for i in order]).readiness_level == "LOW"


@pytest.mark.parametrize("context", [MORNING_WORD, "UPDATE_REALTIME_VARIABLES"])
def test_a_readiness_reading_without_a_time_is_never_taken_over_a_timed_one(
        context: str) -> None:
    """Neither as the latest wake-up reading nor as the earliest other one, in either order:
    a reading of no known time (null timestamp) must not decide the day's level."""
    timed = {"timestamp": "2025-07-07T11:45:17.0", "level": "HIGH", "inputContext": context}
    untimed = {"timestamp": None, "level": "POOR", "inputContext": context}
    assert w.readiness(DAY, [timed, untimed]).readiness_level == "HIGH"
    assert w.readiness(DAY, [untimed, timed]).readiness_level == "HIGH"


def _levels(body: Any) -> list[int]:
    """Levels straight from the JSON: the column named bodyBatteryLevel, else after a status."""
    reports = body if isinstance(body, list) else [body] if isinstance(body, dict) else []
    if not reports:
        return []
    report = reports[0]
    descriptors = (report.get("bodyBatteryValueDescriptorDTOList")
                   or report.get("bodyBatteryValueDescriptorsDTOList") or [])
    named = [d["bodyBatteryValueDescriptorIndex"] for d in descriptors
             if d["bodyBatteryValueDescriptorKey"] == "bodyBatteryLevel"]
    out = []
    for row in report.get("bodyBatteryValuesArray") or []:
        column = named[0] if named else (2 if isinstance(row[1], str) else 1)
        if row[column] is not None and row[column] >= 0:
            out.append(row[column])
    return out


def test_body_battery_every_recorded_body() -> None:
    for name, rec in recorded_group("body-battery"):
        body = rec["body"]
        got = w.body_battery(_day_of(rec), body)
        levels = _levels(body)
        assert got.body_battery_high == (max(levels) if levels else None), name
        assert got.body_battery_low == (min(levels) if levels else None), name
        first = body[0] if isinstance(body, list) else body or {}
        assert got.body_battery_charged == first.get("charged"), name


def test_body_battery_recorded_values() -> None:
    report = recorded("body-battery/body_battery_1.json")["body"]
    assert _values(w.body_battery(date(2023, 7, 1), report)) == {"body_battery_charged": 23}
    partial = recorded("body-battery/daily_body_battery_stress_get_incomplete_data_0.json")
    got = w.body_battery(date(2025, 12, 18), partial["body"])
    assert got.body_battery_high is not None and got.body_battery_low is not None
    assert 0 <= got.body_battery_low <= got.body_battery_high <= 100


def test_user_summary_every_recorded_body() -> None:
    for name, rec in recorded_group("user-summary"):
        body = rec["body"]
        got = w.summary(_day_of(rec), body)
        assert got.resting_hr == body["restingHeartRate"], name
        assert got.avg_stress == body["averageStressLevel"], name
        assert got.body_battery_high == body.get("bodyBatteryHighestValue"), name
        assert got.body_battery_low == body.get("bodyBatteryLowestValue"), name
        assert got.body_battery_charged == body.get("bodyBatteryChargedValue"), name


def test_user_summary_recorded_values() -> None:
    got = w.summary(date(2025, 6, 14), recorded("user-summary/daily_summary_get_2.json")["body"])
    assert _values(got) == {"resting_hr": 51, "avg_stress": 24, "body_battery_high": 92,
                            "body_battery_low": 32, "body_battery_charged": 60}


@pytest.mark.parametrize(("relative", "day", "expected"), [
    ("training-status/daily_training_status_0.json", date(2025, 6, 11), "PRODUCTIVE"),
    ("training-status/weekly_training_status_0.json", date(2025, 5, 29), "DETRAINING"),
    ("training-status/weekly_training_status_0.json", date(2025, 5, 28), "RECOVERY"),
    ("training-status/monthly_training_status_0.json", date(2025, 5, 21), "MAINTAINING"),
    ("training-status/monthly_training_status_no_data_0.json", date(2020, 1, 1), None),
])
def test_training_status_recorded(relative: str, day: date, expected: str | None) -> None:
    assert w.training_status(day, recorded(relative)["body"]).training_status == expected


def test_training_status_codes_match_the_recorded_phrases() -> None:
    """The code fallback table holds only pairs that recorded bodies show."""
    for name, rec in recorded_group("training-status"):
        for entry in w._status_entries(rec["body"]):
            phrase = entry.get("trainingStatusFeedbackPhrase")
            if phrase and entry.get("trainingStatus") in w.TRAINING_STATUS_CODES:
                assert phrase.startswith(w.TRAINING_STATUS_CODES[entry["trainingStatus"]]), name


# -- our own bodies: the documented shapes, and what Garmin sends on an empty day -------------


@pytest.mark.parametrize("normalise", list(w.PARTS.values()))
@pytest.mark.parametrize("empty", [None, {}, [], "", 0, {"unexpected": [1, 2]}, [None, 3]])
def test_every_normaliser_tolerates_empty_and_odd_bodies(normalise: w.Normaliser,
                                                         empty: Any) -> None:
    assert normalise(DAY, empty) == DailyWellness(day=DAY)


def test_own_bodies_in_the_documented_shapes() -> None:
    bodies = own_day_bodies(DAY.isoformat())
    n = DAY.toordinal() % 10
    assert _values(w.day(DAY, bodies)) == {
        "hrv_last_night": 45 + n, "hrv_weekly_avg": 48, "hrv_baseline_low": 42,
        "hrv_baseline_high": 57, "hrv_status": "BALANCED", "sleep_score": 70 + n,
        "sleep_seconds": 26000 + 60 * n, "readiness_score": 60 + n, "readiness_level": "HIGH",
        "body_battery_high": 90 - n, "body_battery_low": 30, "body_battery_charged": 50 + n,
        "resting_hr": 45 + n % 3, "avg_stress": 25 + n,
        "training_status": "PRODUCTIVE" if n % 2 else "MAINTAINING"}


def test_nulls_and_not_measured_markers() -> None:
    assert w.summary(DAY, {"restingHeartRate": None, "averageStressLevel": -1,
                           "bodyBatteryHighestValue": -2}) == DailyWellness(day=DAY)
    assert w.hrv(DAY, {"hrvSummary": {"lastNightAvg": None, "baseline": None}}).hrv_status is None
    rows = [[1, None], [2, "x"], [3], "junk", [4, 55], [5, -1]]
    got = w.body_battery(DAY, [{"date": DAY.isoformat(), "bodyBatteryValuesArray": rows}])
    assert (got.body_battery_high, got.body_battery_low) == (55, 55)


def test_readiness_without_a_morning_reading_takes_the_earliest() -> None:
    body = [{"timestamp": "2025-07-07T21:00:00.0", "score": 40, "level": "LOW"},
            {"timestamp": "2025-07-07T07:10:00.0", "score": 71, "level": "HIGH"}]
    assert w.readiness(DAY, body).readiness_score == 71
    assert w.readiness(DAY, {"score": 64, "level": "MODERATE"}).readiness_score == 64


def test_training_status_code_without_a_phrase_and_the_primary_device() -> None:
    body = {"mostRecentTrainingStatus": {"latestTrainingStatusData": {
        "1": {"calendarDate": "2025-07-07", "trainingStatus": 5, "deviceId": 1,
              "primaryTrainingDevice": 2},
        "2": {"calendarDate": "2025-07-07", "trainingStatus": 4, "deviceId": 2,
              "primaryTrainingDevice": 2}}}}
    assert w.training_status(DAY, body).training_status == "MAINTAINING"
    future = {"mostRecentTrainingStatus": {"latestTrainingStatusData": {"1": {
        "calendarDate": "2025-07-09", "trainingStatusFeedbackPhrase": "PEAKING_1"}}}}
    assert w.training_status(DAY, future).training_status is None


def test_merge_priority_summary_over_sleep_and_body_battery() -> None:
    got = w.day(DAY, {"sleep": {"restingHeartRate": 44},
                      "summary": {"restingHeartRate": 47, "bodyBatteryHighestValue": 88},
                      "body_battery": [{"charged": 12, "bodyBatteryValuesArray": [[1, 99]]}],
                      "unknown-part": {"x": 1}})
    assert (got.resting_hr, got.body_battery_high, got.body_battery_charged) == (47, 88, 12)


@pytest.mark.parametrize("marker", [0, -1, 0.0])
def test_a_heart_reading_of_zero_or_less_is_none_and_hides_no_other_part(marker: Any) -> None:
    """Garmin writes 0 or -1 for "not measured": the summary's marker must not stand for the
    resting HR (merged first, it would hide the sleep body's 44), nor HRV be 0 ms."""
    got = w.day(DAY, {"sleep": {"restingHeartRate": 44},
                      "summary": {"restingHeartRate": marker},
                      "hrv": {"hrvSummary": {"lastNightAvg": marker, "weeklyAvg": marker,
                                             "status": "BALANCED"}}})
    assert (got.resting_hr, got.hrv_last_night, got.hrv_weekly_avg) == (44, None, None)
    assert w.sleep(DAY, {"restingHeartRate": marker}).resting_hr is None


def test_a_day_of_not_measured_markers_only_is_not_measured() -> None:
    """The sync waits for a recent day the watch has not synced yet (ingest/sync_days.py):
    Garmin's 0/-1 markers measure nothing, so such a day is asked for again."""
    assert not w.measured(DAY, {"summary": {"restingHeartRate": 0, "averageStressLevel": -1},
                                "hrv": {"hrvSummary": {"lastNightAvg": 0, "weeklyAvg": -1}}})


def test_a_resting_hr_that_rounds_to_zero_bpm_is_no_reading() -> None:
    """Stored in whole beats: 0.4 would be a 0 bpm reading that hides the sleep body's 44."""
    got = w.day(DAY, {"sleep": {"restingHeartRate": 44}, "summary": {"restingHeartRate": 0.4}})
    assert got.resting_hr == 44


def test_has_data() -> None:
    empty: list[Any] = [None, {}, [], ""]
    data: list[Any] = [{"a": None}, [{}], 0]
    assert not any(map(w.has_data, empty)) and all(map(w.has_data, data))


@pytest.mark.parametrize("odd", [5, True, 1.5, "levels"])
def test_body_battery_columns_of_the_wrong_type_are_no_levels(odd: Any) -> None:
    """A number where Garmin's lists belong crashed the night (and `db rebuild` after it)."""
    for key in ("bodyBatteryValuesArray", "bodyBatteryValueDescriptorDTOList"):
        report = {"date": DAY.isoformat(), "charged": 40, "bodyBatteryValuesArray": [[1, 60]],
                  key: odd}
        got = w.body_battery(DAY, [report])
        assert got.body_battery_charged == 40
        assert got.body_battery_high == (None if key == "bodyBatteryValuesArray" else 60)


YESTERDAY = (DAY - timedelta(days=1)).isoformat()


def test_a_body_for_another_day_gives_nothing_for_this_one() -> None:
    """Garmin answering a day with another day's record (a late night, a time-zone change):
    last night's values must not land on the wrong morning."""
    bodies = own_day_bodies(YESTERDAY)
    for part, normalise in w.PARTS.items():
        if part != "training_status":  # the latest status on or before the day, by design
            assert normalise(DAY, bodies[part]) == DailyWellness(day=DAY), part
            assert w.other_days(part, DAY, bodies[part]) == [YESTERDAY], part
    assert w.other_days("training_status", DAY, bodies["training_status"]) == []
    assert w.other_days("hrv", DAY, own_day_bodies(DAY.isoformat())["hrv"]) == []
    assert w.other_days("summary", DAY, {"restingHeartRate": 50}) == []  # names no day


def test_lists_spanning_days_give_the_days_own_records() -> None:
    today = own_day_bodies(DAY.isoformat())
    before = own_day_bodies(YESTERDAY)
    battery = before["body_battery"] + today["body_battery"]
    assert w.body_battery(DAY, battery) == w.body_battery(DAY, today["body_battery"])
    morning = [{**r, "calendarDate": YESTERDAY} for r in before["readiness"]] + [
        {**today["readiness"][0], "calendarDate": DAY.isoformat()}]
    got = w.readiness(DAY, morning)  # yesterday's wake-up reading is not today's
    assert (got.readiness_score, got.readiness_level) == (40, "LOW")
    assert w.other_days("readiness", DAY, morning) == []


def test_sleep_without_its_dto_keeps_the_resting_hr_beside_it() -> None:
    assert w.sleep(DAY, {"restingHeartRate": 44}).resting_hr == 44
    assert w.sleep(DAY, {"dailySleepDTO": {"calendarDate": YESTERDAY},
                         "restingHeartRate": 44}).resting_hr is None
