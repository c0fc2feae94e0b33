"""ingest.fit on FIT files built by demo/fitwrite.py: every field round-trips, through both
decoders, and nothing but FitError ever comes out of a bad file."""

from __future__ import annotations

import math
import pickle
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import fitfast
import numpy as np
import pytest
from garmin_fit_sdk import CrcCalculator

from demo.fitwrite import (
    LapSpec,
    LegSpec,
    SetSpec,
    multisport_fit,
    run_fit,
    strength_fit,
    workout_file_fit,
)
from domain.activity import STREAM_CHANNELS, Activity
from ingest import fit, fit_normalise
from ingest.fit import FitError
from tests.conftest import shared_fixture

T0 = datetime(2025, 3, 9, 6, 30, tzinfo=UTC)
BACKENDS: tuple[fit.Backend, ...] = ("fitfast", "fitparse")
INTERVALS = [
    LapSpec(300, 2.8, 135, "warmup"),
    LapSpec(180, 4.6, 172, "active", pause_s=25),
    LapSpec(120, 2.0, 140, "rest"),
    LapSpec(180, 4.7, 176, "active", power_w=330),
    LapSpec(240, 2.7, 145, "cooldown"),
]
SETS = [
    SetSpec("squat", "barbell_back_squat", 8, 60.0, 42.5),
    SetSpec("squat", None, None, None, 90.0, "rest"),
    SetSpec("SQUAT", "BARBELL_BACK_SQUAT", 6, 67.5, 38.0),
    SetSpec("deadlift", "romanian_deadlift", 10, 52.5, 45.0),
    SetSpec("plank", "plank", None, None, 60.0),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> fit.Backend:
    return cast(fit.Backend, request.param)


@pytest.fixture(scope="module")
def intervals_fit() -> bytes:
    return run_fit(T0, INTERVALS, seed=7, sub_sport="trail", utc_offset_s=-5 * 3600)


def _only(activities: list[Activity]) -> Activity:
    assert len(activities) == 1
    return activities[0]


def test_run_summary_round_trips(intervals_fit: bytes, backend: fit.Backend) -> None:
    a = _only(fit.decode(intervals_fit, "run.fit", backend=backend))
    timer = sum(lap.duration_s for lap in INTERVALS)
    assert (a.sport, a.sub_sport, a.is_run) == ("running", "trail", True)
    assert a.start == T0 and a.start.tzinfo is not None and a.start.utcoffset() == timedelta(0)
    assert a.duration_s == timer and a.elapsed_s == timer + 25
    assert a.distance_m == pytest.approx(sum(lap.duration_s * lap.speed_mps for lap in INTERVALS),
                                         rel=0.02)
    hr = a.streams.get("heart_rate")
    assert hr is not None
    assert a.avg_hr == round(float(np.mean(hr))) and a.max_hr == float(np.max(hr))
    assert (a.aerobic_te, a.anaerobic_te, a.training_load) == (3.1, 1.2, 95.0)
    assert a.utc_offset_s == -5 * 3600 and a.session_index == 0 and a.sets == ()
    # 06:30 UTC minus five hours is the previous evening's date, whatever zone is passed
    assert a.local_date(ZoneInfo("Asia/Tokyo")) == (T0 - timedelta(hours=5)).date()


def test_laps_round_trip(intervals_fit: bytes, backend: fit.Backend) -> None:
    a = _only(fit.decode(intervals_fit, backend=backend))
    assert [lap.intensity for lap in a.laps] == [spec.intensity for spec in INTERVALS]
    assert [lap.duration_s for lap in a.laps] == [spec.duration_s for spec in INTERVALS]
    # start to end on the real clock: the second lap's 25 s paused in it
    assert [lap.elapsed_s for lap in a.laps] == [spec.duration_s + spec.pause_s
                                                 for spec in INTERVALS]
    assert [lap.index for lap in a.laps] == list(range(len(INTERVALS)))
    assert a.laps[0].start == T0 and a.laps[2].start == T0 + timedelta(seconds=300 + 180 + 25)
    assert all(lap.wkt_step_index is None for lap in a.laps)
    for lap, spec in zip(a.laps, INTERVALS, strict=True):
        assert lap.avg_speed == pytest.approx(spec.speed_mps, rel=0.03)
        assert lap.distance_m == pytest.approx(spec.duration_s * spec.speed_mps, rel=0.03)
    assert sum(lap.distance_m or 0 for lap in a.laps) == pytest.approx(a.distance_m, abs=0.1)


def test_streams_round_trip(intervals_fit: bytes, backend: fit.Backend) -> None:
    a = _only(fit.decode(intervals_fit, backend=backend))
    s = a.streams
    assert len(s) == sum(lap.duration_s for lap in INTERVALS)
    assert s.t.dtype == np.float64 and s.t[0] == 0.0 and np.all(np.diff(s.t) > 0)
    # the pause leaves a 26 s step in t (one second of sampling plus 25 s stopped)
    assert np.diff(s.t).max() == 26.0 and s.t[-1] == (a.elapsed_s or 0) - 1
    assert set(s.channels) == set(STREAM_CHANNELS)
    assert all(v.dtype == np.float64 and v.shape == s.t.shape for v in s.channels.values())
    power = s.channels["power"]  # one lap only: NaN elsewhere, not zeros
    assert np.isfinite(power).sum() == INTERVALS[3].duration_s
    assert np.nanmean(power) == pytest.approx(330, abs=5)
    speed, distance = s.channels["speed"], s.channels["distance"]
    assert np.all(np.diff(distance) > 0) and distance[-1] == pytest.approx(a.distance_m, abs=0.1)
    warmup = s.t < 300
    assert speed[warmup].mean() == pytest.approx(2.8, rel=0.02)
    hr = s.channels["heart_rate"]
    assert hr[0] < 70 and hr[warmup][-30:].mean() == pytest.approx(135, abs=6)  # lags to target


def test_smart_recording_keeps_laps_and_summary(intervals_fit: bytes,
                                                backend: fit.Backend) -> None:
    dense = _only(fit.decode(intervals_fit, backend=backend))
    sparse = _only(fit.decode(run_fit(T0, INTERVALS, seed=7, sub_sport="trail",
                                      utc_offset_s=-5 * 3600, record_every_s=5), backend=backend))
    assert len(sparse.streams) == pytest.approx(len(dense.streams) / 5, rel=0.05)
    assert (sparse.duration_s, sparse.elapsed_s) == (dense.duration_s, dense.elapsed_s)
    assert sparse.distance_m == pytest.approx(dense.distance_m, abs=0.1)
    assert [lap.duration_s for lap in sparse.laps] == [lap.duration_s for lap in dense.laps]
    for lap, full in zip(sparse.laps, dense.laps, strict=True):
        assert lap.distance_m == pytest.approx(full.distance_m, abs=0.1)
        last = (lap.start - sparse.start).total_seconds() + lap.duration_s - 1
        assert last in sparse.streams.t  # each lap's last second is always recorded
    distance = sparse.streams.channels["distance"]
    assert distance[-1] == pytest.approx(dense.streams.channels["distance"][-1], abs=0.1)
    with pytest.raises(ValueError, match="record_every_s"):
        run_fit(T0, INTERVALS, record_every_s=0)


def test_workout_steps_override_lap_intensity(backend: fit.Backend) -> None:
    laps = [LapSpec(120, 2.8, 130, "active", step=0), LapSpec(60, 4.8, 170, "active", step=1),
            LapSpec(60, 2.2, 150, "active", step=2), LapSpec(60, 4.8, 172, "active", step=1),
            LapSpec(120, 2.6, 140, "active", step=3)]
    data = run_fit(T0, laps, workout_steps=["warmup", "interval", "recovery", "cooldown"])
    a = _only(fit.decode(data, backend=backend))
    assert [lap.intensity for lap in a.laps] == [
        "warmup", "interval", "recovery", "interval", "cooldown"]
    assert [lap.wkt_step_index for lap in a.laps] == [0, 1, 2, 1, 3]


def test_lap_step_without_matching_workout_step_keeps_lap_intensity(backend: fit.Backend) -> None:
    laps = [LapSpec(60, 3.0, 140, "warmup"), LapSpec(60, 3.0, 140, "rest", step=7)]
    a = _only(fit.decode(run_fit(T0, laps, workout_steps=["active"]), backend=backend))
    assert [lap.intensity for lap in a.laps] == ["active", "rest"]


def test_missing_channels_are_omitted_not_nan(backend: fit.Backend) -> None:
    data = run_fit(T0, [LapSpec(90, 3.0, 150)], include_hr=False, utc_offset_s=None,
                   aerobic_te=None, anaerobic_te=None, training_load=None)
    a = _only(fit.decode(data, backend=backend))
    assert "heart_rate" not in a.streams.channels and "power" not in a.streams.channels
    assert a.avg_hr is None and a.max_hr is None and a.utc_offset_s is None
    assert (a.aerobic_te, a.anaerobic_te, a.training_load) == (None, None, None)


def test_legacy_speed_and_altitude_fields(backend: fit.Backend) -> None:
    laps = [LapSpec(120, 3.2, 150)]
    modern = _only(fit.decode(run_fit(T0, laps, seed=3), backend=backend)).streams
    legacy = _only(fit.decode(run_fit(T0, laps, seed=3, enhanced=False), backend=backend)).streams
    for name in ("speed", "altitude"):
        np.testing.assert_allclose(legacy.channels[name], modern.channels[name], atol=0.2)


def test_strength_sets_decode_to_garmin_names(backend: fit.Backend) -> None:
    a = _only(fit.decode(strength_fit(T0, SETS), "lift.fit", backend=backend))
    assert (a.sport, a.sub_sport, a.is_run) == ("training", "strength_training", False)
    assert [(s.index, s.set_type, s.category, s.exercise_name, s.reps, s.weight_kg)
            for s in a.sets] == [
        (0, "active", "SQUAT", "BARBELL_BACK_SQUAT", 8, 60.0),
        (1, "rest", None, None, None, None),
        (2, "active", "SQUAT", "BARBELL_BACK_SQUAT", 6, 67.5),
        (3, "active", "DEADLIFT", "ROMANIAN_DEADLIFT", 10, 52.5),
        (4, "active", "PLANK", "PLANK", None, None),
    ]
    assert [s.duration_s for s in a.sets] == [spec.duration_s for spec in SETS]
    assert a.duration_s == sum(max(round(s.duration_s), 1) for s in SETS)


@pytest.fixture(scope="module")
def triathlon_fit() -> bytes:
    return multisport_fit(T0, [
        LegSpec("swimming", [LapSpec(600, 1.1, 140)], "open_water"),
        LegSpec("transition", [LapSpec(90, 1.5, 150)]),
        LegSpec("cycling", [LapSpec(900, 9.0, 150), LapSpec(900, 9.5, 155)], "road"),
        LegSpec("running", [LapSpec(600, 3.4, 165)])])


def test_multisport_splits_into_sessions(triathlon_fit: bytes, backend: fit.Backend) -> None:
    acts = fit.decode(triathlon_fit, backend=backend)
    assert [(a.session_index, a.sport, a.sub_sport) for a in acts] == [
        (0, "swimming", "open_water"), (1, "transition", "generic"), (2, "cycling", "road"),
        (3, "running", "generic")]
    starts = [T0 + timedelta(seconds=s) for s in (0, 600, 690, 2490)]
    assert [a.start for a in acts] == starts
    assert [len(a.laps) for a in acts] == [1, 1, 2, 1]
    # each leg's first sample sits exactly on the previous leg's end: it opens the new leg
    assert [len(a.streams) for a in acts] == [600, 90, 1800, 600]
    assert all(a.streams.t[0] == 0.0 for a in acts)
    assert [a.laps[0].start for a in acts] == starts
    assert {a.utc_offset_s for a in acts} == {3600}


def test_non_activity_files_give_no_activities(backend: fit.Backend) -> None:
    plan = workout_file_fit(["warmup", "active", "cooldown"])
    assert fit.decode(plan, "plan.fit", backend=backend) == []
    assert not fit.is_activity_file(plan)
    assert fit.is_activity_file(run_fit(T0, [LapSpec(60, 3.0, 140)]))


def test_records_without_session_become_one_activity(intervals_fit: bytes) -> None:
    # cut right after the records of the first two laps, then repair the header and CRC so it
    # reads as a watch file whose session was never written (the battery died)
    a = _only(fit.decode(intervals_fit))
    end = _offset_after_records(intervals_fit, 300 + 180)
    cut = _with_crc(_resize(intervals_fit[:end]))
    b = _only(fit.decode(cut, "cut.fit"))
    assert (b.sport, b.start, len(b.streams)) == ("running", T0, 480)
    assert b.duration_s == b.elapsed_s == 479.0  # all we know: first to last sample
    assert b.distance_m == pytest.approx(a.streams.channels["distance"][479]
                                         - a.streams.channels["distance"][0])
    assert len(b.laps) == 1 and b.avg_hr is not None


def test_record_columns_are_alike_however_the_records_are_gathered() -> None:
    """Alike records are gathered field by field in C; records that differ (a field missing,
    a list where a number belongs) go record by record: a float64 column either way for
    every field any record holds, NaN where a record lacks it or holds no number."""
    nan = float("nan")
    alike = [{"timestamp": 10 + i, "heart_rate": 140 + i, "distance": 2.5 * i} for i in range(3)]
    cols = fit._columns(alike, {})
    assert sorted(cols) == ["distance", "heart_rate", "timestamp"]
    assert all(col.dtype == np.float64 for col in cols.values())
    np.testing.assert_array_equal(cols["heart_rate"], [140.0, 141.0, 142.0])
    np.testing.assert_array_equal(cols["distance"], [0.0, 2.5, 5.0])
    # as many fields each, but not the same ones: power only in the second record
    swapped = fit._columns([{"timestamp": 1, "heart_rate": 150}, {"timestamp": 2, "power": 300}],
                           {})
    np.testing.assert_array_equal(swapped["heart_rate"], [150.0, nan])
    np.testing.assert_array_equal(swapped["power"], [nan, 300.0])
    # as many fields each, and heart rate only from the second record on (a strap found late,
    # the first record's temperature gone): gathered from every record, not the first's fields
    late = fit._columns([{"timestamp": 1, "temperature": 20},
                         *({"timestamp": t, "heart_rate": 150} for t in (2, 3, 4))], {})
    np.testing.assert_array_equal(late["heart_rate"], [nan, 150.0, 150.0, 150.0])
    # the first, middle and last alike, a record between them longer: its power is kept
    longer = fit._columns([{"timestamp": 1}, {"timestamp": 2, "power": 300},
                           *({"timestamp": t} for t in (3, 4, 5))], {})
    np.testing.assert_array_equal(longer["power"], [nan, 300.0, nan, nan, nan])
    listed = fit._columns([*alike[:2], {"timestamp": 12, "heart_rate": [1, 2], "distance": 5.0}],
                          {})
    np.testing.assert_array_equal(listed["heart_rate"], [140.0, 141.0, nan])
    np.testing.assert_array_equal(listed["timestamp"], [10.0, 11.0, 12.0])
    assert fit._columns([], {}) == {}


def test_integer_and_float_fields_are_gathered_exactly() -> None:
    """Integer fields (read as int64 first) and float ones keep every value exactly, Unix
    times included; an integer too big for int64 goes record by record, not into an error."""
    t0 = 1_704_088_800  # FIT times are Unix seconds near 1.7e9
    rows = [{"timestamp": t0 + i, "heart_rate": 60 + i, "speed": 2.915 + i / 1000,
             "power": 2**40 + i} for i in range(1000)]
    cols = fit._columns(rows, {})
    assert all(col.dtype == np.float64 for col in cols.values())
    np.testing.assert_array_equal(cols["timestamp"], np.arange(t0, t0 + 1000, dtype=float))
    np.testing.assert_array_equal(cols["heart_rate"], np.arange(60, 1060, dtype=float))
    np.testing.assert_array_equal(cols["speed"], [r["speed"] for r in rows])
    np.testing.assert_array_equal(cols["power"], [float(r["power"]) for r in rows])
    floats_first: list[dict[str, float]] = [{"timestamp": 1, "heart_rate": 140.5},
                                            {"timestamp": 2, "heart_rate": 141}]
    np.testing.assert_array_equal(fit._columns(floats_first, {})["heart_rate"], [140.5, 141.0])
    huge = fit._columns([{"timestamp": 1, "power": 5}, {"timestamp": 2, "power": 2**70}], {})
    np.testing.assert_array_equal(huge["power"], [5.0, float(2**70)])


def test_packed_fields_read_as_value_by_value_or_not_at_all() -> None:
    """`_packed` (struct) gives a field's column exactly as numpy's fromiter reads it value by
    value through `_numbers`, writable; where a value is not of its kind (a text, None, a
    list, a float among ints, an int past int64) it refuses (struct.error), and `_gathered`
    reads that field value by value as before: a float among ints still loses its fraction."""
    mixes: list[list[object]] = [[1, 2, 3], [1, True, 2**63 - 1], [0.5, 2, True, -0.0],
                                 [1.5, float("nan"), 2**70], [1, 2.5], [1, "152"], [1.5, "152"],
                                 [1, None], [1.5, None], [1, [1, 2]], [1, 2**63], [1.5, 2**2000]]
    for values in mixes:
        rows = [{"power": value} for value in values]
        dtype = np.int64 if type(values[0]) is int else np.float64
        try:
            plain = np.fromiter(fit._numbers(values), dtype=dtype,
                                count=len(values)).astype(np.float64)
        except (TypeError, ValueError, OverflowError):
            plain = None
        try:
            packed = fit._packed(rows, "power", dtype)
        except struct.error:
            continue  # read value by value by `_gathered`
        assert plain is not None, values
        np.testing.assert_array_equal(packed, plain, err_msg=str(values))
        assert packed.dtype == np.float64 and packed.flags.writeable
    truncated = fit._columns([{"timestamp": 1, "heart_rate": 140},
                              {"timestamp": 2, "heart_rate": 141.7}], {})
    np.testing.assert_array_equal(truncated["heart_rate"], [140.0, 141.0])


def test_an_optional_field_reads_as_a_number_or_none() -> None:
    """`_opt` (every summary field of a session, lap or set) gives a finite float or None
    whatever a decoder hands it; a plain float or None takes a shortcut that must agree."""
    cases: list[tuple[object, float | None]] = [
        (152.5, 152.5), (-0.0, -0.0), (None, None), (float("nan"), None), (float("inf"), None),
        (-float("inf"), None), (140, 140.0), (np.float64(3.5), 3.5), (np.float64("nan"), None),
        ([7.5, 2.0], 7.5), ([], None), ([float("nan")], None), (True, None), ("152", None),
        (b"\x01", None)]
    for value, expected in cases:
        found = fit_normalise._opt(value)
        assert found == expected and type(found) is type(expected), value
    negative_zero = fit_normalise._opt(-0.0)
    assert negative_zero is not None and math.copysign(1, negative_zero) == -1


def test_a_value_reads_the_same_in_records_alike_or_not() -> None:
    """Records that differ (a field missing from some) are read record by record, each value
    as alike records read theirs: a field reads one way in any file. Only a list or a text
    sends them field by field, where it is NaN."""
    nan = float("nan")
    alike = fit._columns([{"timestamp": 1, "cadence": True}, {"timestamp": 2, "cadence": 80}],
                         {})
    differ = fit._columns([{"timestamp": 1, "cadence": True}, {"timestamp": 2}], {})
    np.testing.assert_array_equal(alike["cadence"], [1.0, 80.0])
    np.testing.assert_array_equal(differ["cadence"], [1.0, nan])
    texts = fit._columns([{"timestamp": 1, "power": "n/a"}, {"timestamp": 2}], {})
    np.testing.assert_array_equal(texts["power"], [nan, nan])
    np.testing.assert_array_equal(texts["timestamp"], [1.0, 2.0])


def test_a_heart_rate_a_writer_declared_a_text_is_no_heart_rate() -> None:
    """Records that differ, one of whose definitions declares heart_rate a string holding
    "152": fitparse gives the text, which is no number (`number`: NaN), whichever way the
    records are gathered; the other records' values stay."""
    nan = float("nan")
    records = [[(253, 0x86, struct.pack("<I", 1_100_000_000)), (3, 0x02, bytes([150]))],
               [(253, 0x86, struct.pack("<I", 1_100_000_001)), (3, 0x07, b"152\0")],
               [(253, 0x86, struct.pack("<I", 1_100_000_002)), (6, 0x84, struct.pack("<H", 3000))]]
    columns = fit._read(_records_only(records), "text.fit", "fitparse").records
    np.testing.assert_array_equal(columns["heart_rate"], [150.0, nan, nan])
    np.testing.assert_array_equal(columns["speed"], [nan, nan, 3.0])


def test_a_text_is_no_number_in_records_that_share_their_fields() -> None:
    """Records that share their fields (gathered field by field), the middle one's definition
    declaring heart_rate a string holding "152": fitparse gives the text, which is no number,
    as in records that differ (above); it read as 152 bpm there. Its neighbours' stay."""
    nan = float("nan")
    records = [[(253, 0x86, struct.pack("<I", 1_100_000_000 + i)), (3, base, value)]
               for i, (base, value) in enumerate(((0x02, bytes([150])), (0x07, b"152\0"),
                                                   (0x02, bytes([151]))))]
    columns = fit._read(_records_only(records), "text.fit", "fitparse").records
    np.testing.assert_array_equal(columns["heart_rate"], [150.0, nan, 151.0])
    np.testing.assert_array_equal(columns["timestamp"] - columns["timestamp"][0], [0, 1, 2])


def _records_only(records: list[list[tuple[int, int, bytes]]]) -> bytes:
    """A FIT file of record messages only, each with its own definition of its fields
    (number, base type, value bytes), byte by byte as the spec frames them."""
    body = b"".join(
        struct.pack("<BBBHB", 0x40, 0, 0, 20, len(fields))
        + b"".join(struct.pack("<BBB", num, len(value), base) for num, base, value in fields)
        + b"\0" + b"".join(value for _, _, value in fields) for fields in records)
    header = bytearray(struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT") + b"\0\0")
    return _with_file_crc(bytes(header) + body)


def test_real_records_are_gathered_as_read_one_by_one() -> None:
    """The real fixture files' records (10-20 fields from many makers' watches, often
    differing: a sensor's field missing from some records) gather, through every path, into
    the columns a plain reading of each value through `number` gives."""
    nan = float("nan")
    converters = {"compressed_speed_distance": fit._pack_bytes}
    checked = 0
    for path in sorted(shared_fixture("fit").rglob("*.fit")):
        try:
            # its first 500 records: the first minutes hold the most changes (a strap found)
            rows = fit._fitfast(fitfast.parse, path.read_bytes()).get("record", [])[:500]
        except (fitfast.FitDecodeError, fit.DecoderPanic):  # damaged on purpose
            continue
        present = set().union(*rows)
        plain = {field: np.array([converters.get(field, fit_normalise.number)(row[field])
                                  if field in row else nan for row in rows])
                 for field in fit._RECORD_FIELDS if field in present}
        cols = fit._columns(rows, converters)
        assert cols.keys() == plain.keys(), path.name
        for field, column in cols.items():
            np.testing.assert_array_equal(column, plain[field], err_msg=f"{path.name} {field}")
        checked += bool(rows)
    assert checked >= 40


def _messages(**kinds: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    empty: dict[str, list[dict[str, object]]] = {
        kind: [] for kind in ("lap", "workout_step", "set", "activity", "sport", "session")}
    return {**empty, "file_id": [{"type": "activity"}], **kinds}


TOO_LONG = (r"^activity 1 would last [\d,]+ days, more than a FIT file can record \(49\.7\): "
            r"the file is damaged$")


def test_a_session_longer_than_a_fit_file_can_record_is_refused() -> None:
    def lasting(seconds: float) -> fit_normalise.RawFit:
        return fit_normalise.RawFit(_messages(session=[{
            "start_time": T0.timestamp(), "sport": "running", "total_elapsed_time": seconds,
            "total_timer_time": seconds}]), {})

    with pytest.raises(ValueError, match=TOO_LONG):
        fit_normalise.normalise(lasting(3.6e9))  # a damaged file: 114 years
    assert _only(fit_normalise.normalise(lasting(4.2e6))).duration_s == 4.2e6  # 48.6 days


def test_records_whose_clock_jumps_years_are_refused() -> None:
    def records(t: np.ndarray) -> fit_normalise.RawFit:  # no session: made from the records
        return fit_normalise.RawFit(_messages(), {"timestamp": T0.timestamp() + t,
                                                  "heart_rate": np.full(t.size, 140.0)})

    with pytest.raises(ValueError, match=TOO_LONG):
        fit_normalise.normalise(records(np.array([0.0, 1.0, 2.0, 3 * 365 * 86400.0])))
    assert _only(fit_normalise.normalise(records(np.array([0.0, 1.0, 2.0])))).duration_s == 2.0


NO_DATE = (r"activity 1 has no date: its times count from when the device was switched on, "
           r"its clock not set, so no day can hold it")


def test_a_run_timed_by_a_clock_never_set_is_refused(backend: fit.Backend) -> None:
    # FIT times below 0x10000000 count seconds since the device started (a Forerunner 70
    # before its clock was set): the run was stored on a day in 1990
    data = run_fit(datetime(1990, 7, 9, 7, tzinfo=UTC), [LapSpec(60, 3.0, 150)], seed=3)
    with pytest.raises(FitError, match=rf"^old\.fit: {NO_DATE}$") as refused:
        fit.decode(data, "old.fit", backend=backend)
    assert refused.value.misdated  # no copy of the file mends it (`import` says so)
    started = fit_normalise.RawFit(_messages(), {  # no session: the records' own start
        "timestamp": 631065600 + 5000 + np.arange(3.0), "heart_rate": np.full(3, 140.0)})
    with pytest.raises(ValueError, match=rf"^{NO_DATE}$"):
        fit_normalise.normalise(started)
    first_date = datetime(1998, 7, 4, tzinfo=UTC)  # past the first FIT date (3 Jul 1998)
    assert _only(fit.decode(run_fit(first_date, [LapSpec(60, 3.0, 150)]))).start == first_date


def test_a_run_undated_in_a_file_dated_when_created_says_the_file_was_written_so() -> None:
    """Its file_id dated (the writer had a clock set), its session timed from switch-on: it
    was refused as a watch's clock never set, with the advice to set the watch's clock (a
    misdated run, which no copy mends), where another copy of the recording may be dated."""
    raw = fit_normalise.RawFit(_messages(
        file_id=[{"type": "activity", "time_created": T0.timestamp()}],
        session=[{"start_time": 631065600 + 5000.0, "sport": "running",
                  "total_elapsed_time": 60.0}]), {})
    with pytest.raises(fit_normalise.Undated) as refused:
        fit_normalise.normalise(raw)
    assert (str(refused.value), refused.value.by_clock) == (
        "activity 1 has no date, though the file says it was created Sun 09 Mar 2025 06:30 UTC: "
        "its times count from when the device was switched on, as the app or converter that "
        "wrote the file left them, so no day can hold it; import the recording's original "
        "file (the watch's, or Garmin Connect's download) instead", False)


def test_zero_heart_rate_means_no_sensor() -> None:
    # indoor trainers (Zwift, Onelap) write 0 bpm when no strap is paired: that is no data
    t0 = T0.timestamp()
    raw = fit_normalise.RawFit(
        messages={"file_id": [{"type": "activity"}], "lap": [], "workout_step": [], "set": [],
                  "activity": [], "sport": [],
                  "session": [{"start_time": t0, "total_elapsed_time": 2.0, "sport": "cycling",
                               "avg_heart_rate": 0, "max_heart_rate": 0}]},
        records={"timestamp": t0 + np.arange(3.0), "heart_rate": np.zeros(3),
                 "power": np.array([0.0, 150.0, 160.0])})
    a = _only(fit_normalise.normalise(raw))
    assert a.avg_hr is None and a.max_hr is None
    assert set(a.streams.channels) == {"power"}  # a 0 W sample stays: coasting is data


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"this is not a FIT file, just some text", "not a FIT file (bad header)"),
    (b"\x0e\x10", "not a FIT file (bad header)"),
])
def test_garbage_raises_fit_error_naming_the_file(data: bytes, reason: str,
                                                  backend: fit.Backend) -> None:
    with pytest.raises(FitError) as err:
        fit.decode(data, "broken.fit", backend=backend)
    assert str(err.value) == f"broken.fit: {reason}"


@pytest.mark.parametrize("keep", [0.05, 0.5, 0.999])
def test_truncated_file_raises_fit_error(intervals_fit: bytes, keep: float) -> None:
    with pytest.raises(FitError, match=r"^cut\.fit: truncated \(") as err:
        fit.decode(intervals_fit[: int(len(intervals_fit) * keep)], "cut.fit")
    assert "\n" not in str(err.value)


def test_bad_crc_is_a_fit_error_found_once(intervals_fit: bytes) -> None:
    # fitfast sums the data as the spec does when the header has its own sound CRC: fitparse
    # would find the same mismatch, slowly (up to 50 s on a 2.4 MB file), so it is not asked
    bad = bytearray(intervals_fit)
    bad[len(bad) // 2] ^= 0x5A
    with pytest.raises(FitError, match=r"^bad\.fit: cannot decode \(fitfast: .*checksum "
                                       r"mismatch[^;]*\)$"):
        fit.decode(bytes(bad), "bad.fit")


def test_a_header_without_crc_is_read_by_fitfast_and_its_damage_found_by_it_alone(
        intervals_fit: bytes) -> None:
    # a header CRC of 0 is allowed; fitfast sums the data without the header and refused
    # every such file, so fitparse read it in seconds: its CRC is restated for fitfast
    body = bytearray(intervals_fit[:-2])
    body[12:14] = b"\0\0"
    sound = _with_file_crc(bytes(body))
    assert_same(fit.decode(sound, backend="fitfast"), fit.decode(intervals_fit))
    body[len(body) // 2] ^= 0x5A  # and its file CRC left as it was
    with pytest.raises(FitError, match=r"^bad\.fit: cannot decode \(fitfast: .*checksum "
                                       r"mismatch[^;]*\)$"):  # fitparse not asked
        fit.decode(bytes(body) + sound[-2:], "bad.fit")


def test_mutated_files_never_raise_anything_but_fit_error() -> None:
    # flip bytes and re-seal the CRC, so the decoders accept the file and the normaliser meets
    # out-of-range times, absurd sizes and broken definitions
    base = run_fit(T0, [LapSpec(40, 3.0, 140), LapSpec(20, 4.0, 160)], seed=5)
    rng = np.random.default_rng(11)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(150):
        data = bytearray(base)
        for pos in rng.integers(14, len(data) - 2, size=int(rng.integers(1, 4))):
            data[pos] = int(rng.integers(0, 256))
        try:
            result = fit.decode(_with_crc(bytes(data)), "fuzz.fit")
        except FitError as exc:
            assert str(exc).startswith("fuzz.fit: ") and "\n" not in str(exc)
            outcomes["error"] += 1
        else:
            assert isinstance(result, list)
            outcomes["ok"] += 1
    assert outcomes["ok"] and outcomes["error"]  # the fuzz reached both outcomes


def panicking_fit() -> bytes:
    """A run whose record definition gives the timestamp (a uint32) 243 bytes: fitfast's Rust
    decoder panics on it (found by the fuzz above)."""
    data = bytearray(run_fit(T0, [LapSpec(40, 3.0, 140), LapSpec(20, 4.0, 160)], seed=5))
    assert data[78] == 4  # the size of field 253 in the record definition at byte 71
    data[78] = 243
    return _with_crc(bytes(data))


def test_a_decoder_panic_is_a_fit_error_like_any_damage() -> None:
    data = panicking_fit()
    with pytest.raises(BaseException) as panic:  # the premise: fitfast panics on it
        fitfast.parse(data)
    assert type(panic.value).__name__ == "PanicException"
    with pytest.raises(FitError, match=r"^p\.fit: cannot decode \(fitfast: DecoderPanic: "):
        fit.decode(data, "p.fit")
    with pytest.raises(FitError, match=r"^p\.fit: cannot decode \(DecoderPanic: "):
        fit.threshold_hr_setting(data, "p.fit")  # before: the panic itself, a traceback


def test_fit_error_survives_a_process_boundary() -> None:
    err = pickle.loads(pickle.dumps(FitError("a.fit", "truncated\n(at 3 bytes)")))  # noqa: S301
    assert isinstance(err, FitError) and str(err) == "a.fit: truncated (at 3 bytes)"
    assert (err.name, err.reason) == ("a.fit", "truncated (at 3 bytes)")  # one line too


@pytest.mark.parametrize("build", [
    lambda: run_fit(T0, INTERVALS, seed=2),
    lambda: run_fit(T0, INTERVALS[:3], workout_steps=["warmup", "interval", "rest"],
                    enhanced=False, include_hr=False),
    lambda: strength_fit(T0, SETS),
    lambda: multisport_fit(T0, [LegSpec("cycling", [LapSpec(300, 8.0, 150)]),
                                LegSpec("running", [LapSpec(300, 3.5, 160)])]),
    lambda: workout_file_fit(["active"]),
], ids=["run", "legacy-fields-steps", "strength", "multisport", "workout"])
def test_both_decoders_normalise_identically(build: Callable[[], bytes]) -> None:
    data = build()
    assert_same(fit.decode(data, backend="fitfast"), fit.decode(data, backend="fitparse"))


def assert_same(left: list[Activity], right: list[Activity]) -> None:
    """Field by field, streams value by value (NaN where NaN)."""
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert a.__class__(**{**vars(a), "streams": b.streams}) == b
        assert set(a.streams.channels) == set(b.streams.channels)
        np.testing.assert_array_equal(a.streams.t, b.streams.t)
        for name, values in a.streams.channels.items():
            np.testing.assert_allclose(values, b.streams.channels[name], rtol=1e-9)


# ---------------------------------------------------------------------------- byte surgery


def _with_crc(data: bytes) -> bytes:
    """Re-seal a FIT file: fresh header CRC and file CRC over everything before it."""
    body = bytearray(data[:-2])
    struct.pack_into("<H", body, 12, CrcCalculator.calculate_crc(body, 0, 12))
    return _with_file_crc(bytes(body))


def _with_file_crc(body: bytes) -> bytes:
    """A header and messages sealed with the file CRC over both, as the spec computes it."""
    return body + struct.pack("<H", CrcCalculator.calculate_crc(body, 0, len(body)))


def _resize(prefix: bytes) -> bytes:
    """A header+messages prefix as a complete file (data size fixed, placeholder CRC)."""
    body = bytearray(prefix)
    struct.pack_into("<I", body, 4, len(body) - body[0])
    return bytes(body) + b"\0\0"


def _offset_after_records(data: bytes, n_records: int) -> int:
    """Byte offset just past the n-th record message, found by walking the message stream
    (builder files use normal headers and no developer fields, which keeps this simple)."""
    pos, defs, seen = data[0], {}, 0
    while seen < n_records:
        header = data[pos]
        local = header & 0x0F
        if header & 0x40:  # definition: 5 fixed bytes, then 3 per field
            global_num = struct.unpack_from("<H", data, pos + 3)[0]
            n_fields = data[pos + 5]
            size = sum(data[pos + 6 + 3 * i + 1] for i in range(n_fields))
            defs[local] = (global_num, size)
            pos += 6 + 3 * n_fields
        else:
            global_num, size = defs[local]
            pos += 1 + size
            seen += global_num == 20  # record
    return pos
