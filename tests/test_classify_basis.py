"""The classification's words claim only the basis the run has: a figure that rests on part of
the samples says so, and no reason names HR, altitude or a length the run lacks. Real FIT
files from ../shared/fixtures/fit, and variants of them (a channel taken away, the sport
relabelled), as a sweep of the fixtures found them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from analysis.classify import classify
from analysis.features import RunFeatures, run_features
from analysis.load import activity_load
from db import models as m
from db.session import open_db, transaction
from domain.activity import Activity, Streams
from domain.profile import Profile
from ingest.fit import decode
from jobs.analyse import analyse
from jobs.config import load
from jobs.home import Home
from stridelift.cli import app
from tests.conftest import shared_fixture

P = Profile(name="anna", tz="UTC", sex="m", max_hr=190, rest_hr=60, runs={})
runner = CliRunner()


def _fit(*parts: str) -> list[Activity]:
    path = shared_fixture("fit", *parts)
    return decode(path.read_bytes(), path.name)


def _without(a: Activity, *channels: str) -> Activity:
    kept = {k: v for k, v in a.streams.channels.items() if k not in channels}
    return replace(a, streams=Streams(a.streams.t, kept))


def _line(a: Activity, start: str) -> str:
    return next(r for r in classify(a, P).reasons if r.startswith(start))


def test_a_moving_speed_from_a_few_samples_says_how_few() -> None:
    """A pool swim saved as a run has speed in 18 s of its 58 min moving (lengths, not GPS):
    "moving speed 1.11 m/s" read as the whole run's."""
    swim = replace(_fit("fit", "activity_poolswim_with_hr.fit")[0], sport="running")
    assert _line(swim, "moving speed") == (
        "moving speed 1.11 m/s, no altitude, so plain, from 18 s of the 58 min moving (the "
        "rest has no speed)")


def test_a_run_that_lost_its_gps_says_what_its_speed_rests_on() -> None:
    """A real 114-min run with speed only in its first 600 samples, 10 min at 1 s (GPS lost
    after, the timer running on: moving time holds) gives that 10 min's speed as the run's;
    the whole run says nothing more."""
    run = _fit("fit", "mornindew-broken.fit")[0]
    assert _line(run, "moving speed") == "moving speed 2.44 m/s, grade-adjusted (Minetti 2002)"
    lost = np.arange(run.streams.t.size) >= 600
    channels = {**run.streams.channels, **{k: np.where(lost, np.nan, run.streams.channels[k])
                                           for k in ("speed", "distance")}}
    gps_lost = replace(run, streams=Streams(run.streams.t, channels))
    assert _line(gps_lost, "moving speed").endswith(
        ", from 10 min of the 114 min moving (the rest has no speed)")


def test_a_run_without_hr_or_altitude_is_not_said_to_be_judged_by_grade() -> None:
    """Without altitude the speed is plain: "no heart rate: classified from grade-adjusted
    speed" beside "no altitude, so plain"."""
    run = _fit("python-fitparse", "activity-small-fenix2-run.fit")[0]
    no_hr = replace(_without(run, "heart_rate"), avg_hr=None, max_hr=None)
    assert classify(no_hr, P).reasons[-1] == (
        "no heart rate: classified from grade-adjusted speed, laps and duration")
    flat = _without(no_hr, "altitude")
    assert classify(flat, P).reasons[-2:] == (
        "moving speed 3.21 m/s, no altitude, so plain",
        "no heart rate: classified from speed, laps and duration")


def test_laps_faster_than_their_neighbours_claim_no_hr_or_grade_the_run_lacks() -> None:
    """A pool swim saved as a run, its HR gone (a watch without a strap in the water): its
    lengths alternate with rests, speed (a), whose words said "the neighbouring laps'
    grade-adjusted speed, with higher HR where measured" of laps without altitude or HR."""
    swim = replace(_fit("fit", "activity_poolswim_with_hr.fit")[0], sport="running",
                   avg_hr=None, max_hr=None)
    no_hr = replace(swim, laps=tuple(replace(lap, avg_hr=None, max_hr=None)
                                     for lap in swim.laps))
    assert classify(no_hr, P).reasons[0] == (
        "speed (a): 10 laps of 2:16 at >= 130% of the neighbouring laps' speed, no lap HR to "
        "compare")


def test_a_run_shown_in_seconds_shows_its_zones_in_seconds() -> None:
    """A multisport file's 22-s trail-running leg (real): its recovery reason says "100% of
    the time in HR zone 1 over 22 s moving" and its zones read "minutes in zones 1-5: 0 / 0
    / 0 / 0 / 0" beside it."""
    leg = next(a for a in _fit("fit", "activity_multisport.fit") if a.is_run)
    reasons = classify(leg, P).reasons
    assert reasons[0].startswith("100% of the time in HR zone 1 over 22 s moving")
    assert reasons[1].startswith("22 s (22 s moving)")
    assert reasons[-2].startswith("seconds in zones 1-5: 22 / 0 / 0 / 0 / 0; Z2 from 145")


def test_a_triathlon_row_gives_its_race_reason_once(home: Path) -> None:
    """A real triathlon file's row listed "a triathlon: swimming -> cycling -> running legs
    chained by 2 transitions, ..." twice in its reasons (the row's race, then the run leg's
    kind, the same reason)."""
    path = shared_fixture("fit", "fit", "triathlon_summary_first.fit")
    [row] = json.loads(runner.invoke(app, ["classify", str(path), "--json"]).stdout)
    race = [r for r in row["reasons"] if "a triathlon" in r]
    assert race == [row["reason"]] == [row["reasons"][0]]
    assert row["reasons"][1] == "threshold trait: 20 min continuous in HR zones 3-4 (>= 15 min)"


def test_a_recovery_share_from_part_of_the_run_says_how_much_had_hr() -> None:
    """A real 57-s run (recovery: all its HR in zone 1) whose strap is lost after its first
    20 s (18 s of it moving) read "100% of the time in HR zone 1 over 53 s moving"."""
    run = _fit("python-fitparse", "garmin-fenix-5-run.fit")[0]
    assert classify(run, P).reasons[0] == (
        "100% of the time in HR zone 1 over 53 s moving (< 45 min, aerobic TE 0.0 < 2)")
    hr = run.streams.channels["heart_rate"]
    lost = np.where(run.streams.t < 20, hr, np.nan)
    strap_lost = replace(run, streams=Streams(run.streams.t, {**run.streams.channels,
                                                              "heart_rate": lost}))
    assert classify(strap_lost, P).reasons[0] == (
        "100% of the 18 s with HR in HR zone 1 over 53 s moving (< 45 min, aerobic TE 0.0 < 2)")


def test_a_run_stopped_throughout_is_not_said_to_have_no_speed() -> None:
    """A real 14-s run file (a watch started and stopped: 6 m, speed under 0.4 m/s) read "no
    heart rate or speed" beside "14 s stopped removed", which its speed told."""
    run = _fit("python-fitparse", "Activity.fit")[0]
    assert classify(run, P).reasons[-2:] == (
        "cleaned: 14 s stopped removed (speed < 1 m/s or timer paused), 0 s walking marked "
        "(walking from speed < 1.6 m/s)",
        "no heart rate, and stopped throughout (speed < 1 m/s): classified from laps and "
        "duration")


def _every_minute(a: Activity, from_s: float = 0.0) -> Activity:
    """The run with one sample a minute kept from `from_s` on, as a watch recording once a
    minute writes it (switched to it part-way where `from_s` is not 0)."""
    t = a.streams.t
    every = np.flatnonzero(np.r_[True, np.diff(t // 60) > 0] | (t < from_s))
    return replace(a, streams=Streams(a.streams.t[every], {
        k: v[every] for k, v in a.streams.channels.items()}))


def _cut(a: Activity, start_s: float, end_s: float) -> Activity:
    """The run with its samples from `start_s` to `end_s` left out: the timer paused."""
    kept = (a.streams.t < start_s) | (a.streams.t >= end_s)
    return replace(a, streams=Streams(a.streams.t[kept], {
        k: v[kept] for k, v in a.streams.channels.items()}))


def test_a_run_recorded_once_a_minute_is_moving_and_its_pauses_still_are_pauses() -> None:
    """A real 47-min run at about 3.3 m/s with one sample a minute kept (an old watch, or
    smart recording with long gaps): every 60-s gap read as a timer pause past the fixed
    30 s, so it had no moving time, no zone minutes and a TRIMP of 1 s a sample. The pause
    now follows the file's usual interval (over twice its median): it is moving, its zone
    minutes are its moving minutes, and a 5-min pause in it, as in the 1-s file, is a stop."""
    run = _fit("python-fitparse", "activity-small-fenix2-run.fit")[0]
    sparse = _every_minute(run)
    f, whole = run_features(sparse, P), run_features(run, P)
    assert f.moving_minutes == pytest.approx(whole.moving_minutes, abs=1.5)
    assert sum(f.zone_minutes) == pytest.approx(f.moving_minutes, abs=0.5)
    assert classify(sparse, P).reasons[1] == "47 min (47 min moving), 9.0 km, average HR 153 bpm"
    assert activity_load(sparse, P).value == pytest.approx(activity_load(run, P).value, rel=0.05)
    for recorded in (run, sparse):  # a pause of 5 min is a stop however the file samples
        paused = run_features(_cut(recorded, 1200, 1500), P)
        assert paused.moving_minutes == pytest.approx(
            run_features(recorded, P).moving_minutes - 5, abs=1.1)


def test_a_run_switched_to_once_a_minute_part_way_is_moving_in_both_parts() -> None:
    """A real 47-min run recorded each second, then once a minute from minute 24 on: the
    pause gap was one figure for the file (30 s, twice its median 1 s), so the 60-s part
    read as pauses: 24 of 47 min moving, TRIMP halved (50.9 of 95.0), an easy run. A gap is
    now a pause where it is well above the intervals each side of it: the run moves
    throughout, and a 5-min pause is a stop in either part."""
    run = _fit("python-fitparse", "activity-small-fenix2-run.fit")[0]
    switched = _every_minute(run, from_s=1440)
    f, whole = run_features(switched, P), run_features(run, P)
    assert f.moving_minutes == pytest.approx(whole.moving_minutes, abs=1.5)
    assert activity_load(switched, P).value == pytest.approx(activity_load(run, P).value,
                                                             rel=0.05)
    assert classify(switched, P).kind == classify(run, P).kind == "threshold"
    for start in (600, 2100):  # in the 1-s part, in the 60-s part
        paused = run_features(_cut(switched, start, start + 300), P)
        assert paused.moving_minutes == pytest.approx(f.moving_minutes - 5, abs=1.1), start


def test_a_file_of_mostly_pauses_does_not_make_a_pause_its_usual_interval() -> None:
    """The once-a-minute run kept on minutes 0, 1 and 6 of every 11 (2 gaps in 3 a 5-min
    pause): twice the median gap (300 s) made its pauses moving, 47 min of it. A usual
    interval is at most once a minute: the pauses are pauses, 1 min in 11 moving."""
    run = _fit("python-fitparse", "activity-small-fenix2-run.fit")[0]
    minute = (run.streams.t - run.streams.t[0]) // 60
    kept = np.isin(minute % 11, (0, 1, 6)) & np.r_[True, np.diff(minute) > 0]
    paused = replace(run, streams=Streams(run.streams.t[kept], {
        k: v[kept] for k, v in run.streams.channels.items()}))
    assert run_features(paused, P).moving_minutes == pytest.approx(47 / 11, abs=1.5)


def test_a_run_without_moving_time_names_the_gap_its_file_reads_as_a_pause() -> None:
    """The once-a-minute run, HR gone, two samples in five under 1 m/s and the next kept,
    then 3 min unrecorded: its pauses are its gaps past twice its usual 60 s, which its words
    gave as "samples > 30 s apart", a gap it runs at."""
    run = replace(_without(_fit("python-fitparse", "activity-small-fenix2-run.fit")[0],
                           "heart_rate"), avg_hr=None, max_hr=None)
    sparse = _every_minute(run)
    i = np.arange(sparse.streams.t.size)
    kept = i % 5 < 3
    speed = np.where(i % 5 < 2, 0.5, sparse.streams.channels["speed"])
    stopped_or_paused = replace(sparse, streams=Streams(sparse.streams.t[kept], {
        **{k: v[kept] for k, v in sparse.streams.channels.items()}, "speed": speed[kept]}))
    assert classify(stopped_or_paused, P).reasons[-1] == (
        "no heart rate, and no moving time (speed < 1 m/s, or samples > 120 s apart, read as "
        "timer pauses): classified from laps and duration")


def test_no_more_time_in_zones_than_moving() -> None:
    """A real 45-s walk saved as a run (timer 45.4 s, its samples 46 s) read "45 s (45 s
    moving)" beside "seconds in zones 1-5: 46 / 0 / 0 / 0 / 0": the moving time ends with
    the timer, the zones' seconds did not."""
    walk = replace(_fit("python-fitparse", "garmin-fenix-5-walk.fit")[0], sport="running")
    assert classify(walk, P).reasons[1:4:2] == (
        "45 s (45 s moving), 0.1 km, average HR 75 bpm",
        "seconds in zones 1-5: 45 / 0 / 0 / 0 / 0; Z2 from 145, Z3 from 153, Z4 from 162, "
        "Z5 from 170 bpm (% of an estimated threshold HR 170: estimated from max HR 190 and "
        "resting HR 60, no threshold HR set)")


def test_gap_is_claimed_only_where_altitude_covers_enough_of_the_moving_time() -> None:
    """A real run whose altitude is kept on its first 20 samples only read "grade-adjusted
    (Minetti 2002)" on its 46 min, 32 s of which had a grade; GAP is now claimed (and used)
    where altitude covers half the moving time or more, and its part said where not all."""
    run = _fit("python-fitparse", "activity-small-fenix2-run.fit")[0]
    alt = run.streams.channels["altitude"]
    index = np.arange(alt.size)

    def kept(first: int) -> Activity:
        return replace(run, streams=Streams(run.streams.t, {
            **run.streams.channels, "altitude": np.where(index < first, alt, np.nan)}))
    few, most = classify(kept(20), P), classify(kept(alt.size * 2 // 3), P)
    assert _line(kept(20), "moving speed") == (
        "moving speed 3.21 m/s, plain: altitude on only 32 s of the 46 min moving (GAP needs "
        "it on >= 50%)")
    assert few.gap_mps == classify(_without(run, "altitude"), P).gap_mps and not few.graded
    assert _line(kept(alt.size * 2 // 3), "moving speed") == (
        "moving speed 3.18 m/s, grade-adjusted (Minetti 2002) where altitude gives a grade, "
        "32 min of the 46 min moving (plain speed elsewhere)")
    assert most.graded and most.gap_mps != few.gap_mps


def _gps_lost(a: Activity, lost: np.ndarray, **others: np.ndarray) -> Activity:
    """The run with speed and distance lost on the samples `lost`, and `others` on theirs."""
    masks = {"speed": lost, "distance": lost, **others}
    return replace(a, streams=Streams(a.streams.t, {**a.streams.channels, **{
        k: np.where(m, np.nan, a.streams.channels[k]) for k, m in masks.items()}}))


def test_gap_share_is_of_the_moving_time_with_speed() -> None:
    """A real 114-min run whose GPS (speed, distance and its altitude) is lost after 10 min:
    every second with speed has a grade, yet GAP was refused as "altitude on only 10 min of
    the 114 min moving", the grade counted against time without any speed to adjust. The
    share is of the moving time with speed: GAP there, as before the share; with altitude on
    3 of those 10 min, plain, and said of those 10 min."""
    run = _fit("fit", "mornindew-broken.fit")[0]
    i = np.arange(run.streams.t.size)
    lost = _gps_lost(run, i >= 600, altitude=i >= 600)
    assert _line(lost, "moving speed") == (
        "moving speed 2.63 m/s, grade-adjusted (Minetti 2002), from 10 min of the 114 min "
        "moving (the rest has no speed)")
    assert classify(lost, P).graded
    assert _line(_gps_lost(run, i >= 600, altitude=i >= 200), "moving speed") == (
        "moving speed 2.57 m/s, plain: altitude on only 3 min of the 10 min moving with speed "
        "(GAP needs it on >= 50%), from 10 min of the 114 min moving (the rest has no speed)")
    # "on the 7 min of the 10 min moving with speed with altitude (the rest plain)"
    assert _line(_gps_lost(run, i >= 600, altitude=i >= 400), "moving speed") == (
        "moving speed 2.61 m/s, grade-adjusted (Minetti 2002) where altitude gives a grade, "
        "7 min of the 10 min moving with speed (plain speed elsewhere), from 10 min of the "
        "114 min moving (the rest has no speed)")


def test_altitude_over_a_stuck_distance_is_not_said_to_be_missing() -> None:
    """A real 47-min run whose distance channel is stuck at its first value (speed still
    read): no grade can be taken over a distance that does not advance, so the speed is
    plain, which its words put down to "no altitude" beside 47 min of altitude."""
    run = _fit("python-fitparse", "activity-small-fenix2-run.fit")[0]
    distance = run.streams.channels["distance"]
    stuck = replace(run, streams=Streams(run.streams.t, {
        **run.streams.channels, "distance": np.full(distance.size, distance[0])}))
    assert _line(stuck, "moving speed") == (
        "moving speed 3.21 m/s, plain: altitude, but no grade from it (the distance recorded "
        "does not advance)")
    assert _line(_without(stuck, "altitude"), "moving speed") == (
        "moving speed 3.21 m/s, no altitude, so plain")


def test_a_gps_lost_leaves_the_stops_it_read_before() -> None:
    """A speed channel is judged on the samples that have one: a GPS lost (no speed) is no
    sign that its zeros were not stops. A real 44-min run with 9 min of stops in its first
    26 min, its GPS lost after them, read 4 min stopped (its zeros taken for a treadmill's,
    covering under half the session's 4.8 km); a real 47-min run with cadence, no GPS for
    its first 28 min and a 2-min stop at a light after, read that stop as moving (speed
    above 0 on under half the time cadence said running)."""
    run = _fit("python-fitparse", "2013-02-06-12-11-14.fit")[0]
    t = run.streams.t - run.streams.t[0]
    assert _line(_gps_lost(run, t >= 1579), "cleaned:").startswith(
        "cleaned: 9 min stopped removed")
    run = replace(_fit("python-fitparse", "activity-small-fenix2-run.fit")[0], distance_m=None)
    t, ch = run.streams.t - run.streams.t[0], run.streams.channels
    light = (t >= 2400) & (t < 2520)
    stopped = replace(run, streams=Streams(run.streams.t, {
        **ch, "speed": np.where(light, 0.0, ch["speed"]),
        "cadence": np.where(light, 0.0, ch["cadence"])}))
    lost = _gps_lost(stopped, t < 1700)
    assert _line(lost, "cleaned:").startswith("cleaned: 3 min stopped removed")
    assert classify(lost, P).reasons[1].startswith("47 min (44 min moving)")


def test_a_treadmill_run_with_a_stray_speed_is_not_stopped_throughout() -> None:
    """A real 47-min run as a treadmill without footpod records it: cadence, no HR, speed 0
    throughout but for one stray 0.4 m/s (or no speed but that value). Its one value above 0
    made the zeros speeds, so it read "stopped throughout (speed < 1 m/s)" with no moving
    time while cadence said running (and its session 9.0 km); the zeros are now no reading,
    the run moving. Without cadence or a session distance either, it read stopped throughout
    (with its HR, 0 s moving, an easy run): nothing measures it, its zeros are no reading."""
    fenix2 = _fit("python-fitparse", "activity-small-fenix2-run.fit")[0]
    hr, avg_hr = fenix2.streams.channels["heart_rate"], fenix2.avg_hr
    run = replace(_without(fenix2, "heart_rate", "distance", "altitude"), avg_hr=None,
                  max_hr=None)
    for rest in (0.0, np.nan):
        speed = np.full(run.streams.t.size, rest)
        speed[100] = 0.4
        treadmill = replace(run, streams=Streams(run.streams.t, {
            **run.streams.channels, "speed": speed}))
        c = classify(treadmill, P)
        assert c.reasons[1:] == (
            "47 min (47 min moving), 9.0 km",
            "cleaned: 0 min stopped removed (speed < 1 m/s or timer paused), 3 min walking "
            "marked (walking from cadence < 140 spm)",
            *(["speed 0 on 47 min read as no reading, not stops: the speed covers under 50% "
               "of the session's 9.0 km"] if rest == 0 else []),
            "no heart rate or speed: classified from laps and duration"), rest
        # without cadence, the session's 9.0 km in 47 min says it moved: the zeros cover none
        assert classify(_without(treadmill, "cadence"), P).reasons[1] == c.reasons[1]
    # with neither cadence nor a session distance nothing measures the run: its zeros are
    # no evidence of stops either, and the words say what the run was judged by
    speed = np.zeros(run.streams.t.size)
    speed[100] = 0.4
    alone = replace(_without(run, "cadence"), distance_m=None, streams=Streams(
        run.streams.t, {"speed": speed}))
    assert classify(alone, P).reasons[1:] == (
        "47 min (47 min moving)",
        "speed 0 on 47 min read as no reading, not stops: nothing else measures the run (no "
        "cadence or distance)",
        "no heart rate or speed: classified from laps and duration")
    with_hr = replace(alone, streams=Streams(alone.streams.t, {
        **alone.streams.channels, "heart_rate": hr}), avg_hr=avg_hr)
    assert classify(with_hr, P).kind == "threshold"  # as the run itself, 47 min moving
    assert classify(with_hr, P).reasons[-1] == "no speed: classified from HR, laps and duration"
    # a real climb's speed under 1 m/s, above 0 throughout, reads: those are stops (RULES)
    climb = next(a for a in _fit("python-fitparse", "activity-large-fenxi2-multisport.fit")
                 if a.is_run)
    assert classify(climb, P).reasons[1].startswith("38 min (12 min moving)")


def _sat_down(a: Activity, at_s: float, minutes: int) -> Activity:
    """The run with `minutes` of 1-s samples put in at `at_s`, the timer running: speed 0,
    HR 95 bpm, the distance recorded where it was (a café stop, or the watch left running)."""
    t, i = a.streams.t, int(np.searchsorted(a.streams.t, at_s))
    sat = t[i - 1] + 1 + np.arange(minutes * 60.0)
    still = {"speed": 0.0, "heart_rate": 95.0, "cadence": 0.0}
    return replace(a, duration_s=a.duration_s + sat.size, streams=Streams(
        np.r_[t[:i], sat, t[i:] + sat.size], {k: np.r_[v[:i], np.full(sat.size, still.get(
            k, v[i - 1])), v[i:]] for k, v in a.streams.channels.items()}))


def test_a_stop_longer_than_the_running_is_a_stop_where_a_distance_is_recorded() -> None:
    """A real 47-min GPS run, no cadence, whose session says no distance (as the FIT SDK's
    own Activity.fit), sat at a café for 60 min with the timer running: speed 0 on most of
    the time read as "no reading" as on a treadmill without footpod, so the café was 60 min
    of moving time, a 106-min long run. Its distance recorded measures the run (it advanced
    9 km, and not at the café): the café is a stop, as with cadence or a session distance."""
    run = _fit("python-fitparse", "activity-small-fenix2-run.fit")[0]
    cafe = replace(_sat_down(run, 1200, 60), distance_m=None)
    f = run_features(_without(cafe, "cadence"), P)
    assert f.moving_minutes == pytest.approx(run_features(cafe, P).moving_minutes, abs=0.1)
    assert f.moving_minutes == pytest.approx(run_features(run, P).moving_minutes, abs=1.0)
    assert classify(_without(cafe, "cadence"), P).kind == classify(cafe, P).kind
    assert not [r for r in classify(_without(cafe, "cadence"), P).reasons if "no reading" in r]


def test_surges_are_measured_in_gap_only_where_the_run_has_altitude() -> None:
    """A real hilly 44-min run with 5 surges: without its altitude the surges are found on
    plain speed, which its reason called "the median running GAP"."""
    run = _fit("python-fitparse", "2013-02-06-12-11-14.fit")[0]
    assert "at >= 120% of the median running GAP (2.55 m/s)" in classify(run, P).reasons[0]
    assert classify(_without(run, "altitude"), P).reasons[0].startswith(
        "speed (b): 3 surges of 52 s on average at >= 120% of the median running speed "
        "(2.54 m/s), each followed by an easier stretch")


def test_a_stored_triathlon_leg_is_classified_a_race_as_its_file_is(home: Path) -> None:
    """`classify --activity` judged a stored leg alone: a real triathlon file's run leg read
    threshold there, race from the file and in the nightly run's stored class."""
    path = shared_fixture("fit", "fit", "triathlon_summary_first.fit")
    assert runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--tz", "UTC",
                               "--sex", "m", "--max-hr", "190", "--rest-hr", "60", "--runs",
                               "sat=long"]).exit_code == 0
    assert runner.invoke(app, ["import", str(path)]).exit_code == 0
    with open_db(load().database_url())() as s:
        run_leg = s.scalars(select(m.Activity.id).where(m.Activity.sport == "running")).one()
    [row] = json.loads(runner.invoke(app, ["classify", "--activity", str(run_leg),
                                           "--json"]).stdout)
    [from_file] = json.loads(runner.invoke(app, ["classify", str(path), "--json"]).stdout)
    assert (row["kind"], row["traits"]) == ("race", ["race", "threshold"])
    assert row["reasons"][0] == from_file["reason"] == (
        "a triathlon: swimming -> cycling -> running legs chained by 2 transitions, 67 min in "
        "all, and the name does not say training")


def test_every_stored_multisport_leg_reads_by_id_as_the_nightly_run_stored_it(
        home: Path) -> None:
    """`classify --activity` of a real duathlon file's legs called its generic leg, its
    transitions and its bike leg kind race, fatigue high, where the nightly run stores them
    as what they are (not runs: other, fatigue low), carrying the race trait."""
    path = shared_fixture("fit", "python-fitparse", "activity-large-fenxi2-multisport.fit")
    assert runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--tz", "UTC",
                               "--sex", "m", "--max-hr", "190", "--rest-hr", "60", "--runs",
                               "sat=long"]).exit_code == 0
    assert runner.invoke(app, ["import", str(path)]).exit_code == 0
    factory = open_db(load().database_url())
    with transaction(factory) as s:
        analyse(s, Home.open().athlete(None), date(2015, 8, 30))
    with factory() as s:
        stored = s.execute(select(m.Activity.id, m.Activity.sport, m.RunClass.kind,
                                  m.RunClass.traits, m.RunClass.fatigue).join(m.RunClass)).all()
    sports = {r.sport for r in stored if "race" in (r.traits or [])}
    assert sports == {"generic", "running", "transition", "cycling"}
    for r in stored:
        [row] = json.loads(runner.invoke(app, ["classify", "--activity", str(r.id),
                                               "--json"]).stdout)
        assert (row["kind"], row["traits"], row["fatigue"]) == (r.kind, r.traits, r.fatigue), \
            r.sport


def test_an_easy_run_says_why_it_is_not_a_recovery_run() -> None:
    """Real runs read "no trait and not a recovery run, so an easy run", saying neither which
    recovery condition they missed nor its number: a 57-min run with 98 % in zone 1, a run
    of 29 % in zone 1 (its speed lost), a short one without HR; a run from its summary alone
    read "no HR while moving" beside its "average HR 147 bpm"."""
    run = _fit("python-fitparse", "developer-types-sample.fit")[0]
    assert classify(run, P).reasons[0] == (
        "no trait and not a recovery run (57 min moving, not < 45 min), so an easy run")
    hilly_run = _fit("python-fitparse", "2013-02-06-12-11-14.fit")[0]
    hilly = _without(hilly_run, "speed", "distance")
    assert classify(hilly, P).reasons[0] == (
        "no trait and not a recovery run (29% of the time in HR zone 1, not >= 80%), so an "
        "easy run")
    summary = replace(hilly_run, streams=Streams.empty(), laps=())  # Garmin's, file awaited
    assert classify(summary, P).reasons[:2] == (
        "no trait and not a recovery run (the watch's average HR alone, no HR samples to tell "
        "its zones), so an easy run", "44 min (44 min moving), 4.8 km, average HR 147 bpm")
    short = replace(_without(_fit("python-fitparse", "garmin-fenix-5-run.fit")[0],
                             "heart_rate"), avg_hr=None, max_hr=None)
    assert classify(short, P).reasons[0] == (
        "no trait and not a recovery run (no HR to tell its zones), so an easy run")


def test_a_heart_rate_of_0_is_no_reading_in_the_zones_and_the_average() -> None:
    """A strap that loses contact can write 0 bpm (a valid FIT value, not the invalid 0xFF):
    cleaning reads it as missing, but the zones and the average read it as a beat, so a
    strap lost for the second half of a real run put that half in zone 1 and halved its
    average HR. Zeros now read as the gap they are: the same as the readings missing."""
    run = replace(_fit("fit", "mornindew-broken.fit")[0], avg_hr=None, max_hr=None)
    hr = run.streams.channels["heart_rate"]
    half = np.arange(hr.size) >= hr.size // 2

    def lost(value: float) -> RunFeatures:
        channels = {**run.streams.channels, "heart_rate": np.where(half, value, hr)}
        return run_features(replace(run, streams=Streams(run.streams.t, channels)), P)
    zeros, missing = lost(0.0), lost(np.nan)
    assert zeros.zone_minutes == missing.zone_minutes
    assert zeros.avg_hr == missing.avg_hr > 100
    assert zeros.z1_share == missing.z1_share


def test_a_few_seconds_of_wrist_cadence_at_a_stop_do_not_make_it_moving() -> None:
    """A real triathlon's T2 (a Forerunner 255), read as a run: in, 23 s standing at speed 0
    to change shoes, out. The wrist swung to 158-166 steps/min on 5 s of the standing, the
    leg's only running cadence, so speed was 0 on most of the time cadence said running, the
    zeros were taken for a treadmill's and the shoe change read as moving ("70 s (70 s
    moving)"). Zeros are no stops only where they mostly step."""
    t2 = replace(_fit("fit", "triathlon_summary_first.fit")[3], sport="running")
    assert classify(t2, P).reasons[1:3] == (
        "70 s (43 s moving), 0.1 km, average HR 161 bpm",
        "cleaned: 27 s stopped removed (speed < 1 m/s or timer paused), 43 s walking marked "
        "(walking from cadence < 140 spm)")


def test_a_stray_speed_value_does_not_hide_the_distance_speed() -> None:
    """A real 47-min run whose speed channel is 0 throughout (a footpod writing distance
    alone) reads its speed from its distance; with one stray 0.4 m/s in that channel, the
    channel was found not to read the run and its zeros dropped, but the distance was never
    tried: "no speed: classified from HR, laps and duration" beside a 9.0-km distance."""
    run = _fit("python-fitparse", "activity-small-fenix2-run.fit")[0]
    speed = np.zeros(run.streams.t.size)
    zero = replace(run, streams=Streams(run.streams.t, {**run.streams.channels, "speed": speed}))
    speed = speed.copy()
    speed[100] = 0.4
    stray = replace(run, streams=Streams(run.streams.t, {**run.streams.channels,
                                                         "speed": speed}))
    assert _line(zero, "moving speed") == "moving speed 3.27 m/s, grade-adjusted (Minetti 2002)"
    assert classify(stray, P).reasons == classify(zero, P).reasons


def test_a_run_with_hr_and_no_speed_says_it_was_classified_without_speed() -> None:
    """A real run kept with its HR and cadence alone (a treadmill without footpod, GPS off)
    said what its HR was, but nothing of its speed: as a run without HR says "classified
    from speed, laps and duration", this one did not say that no surge could be looked for.
    A run with speed all under 1 m/s has speed, and says it was stopped instead."""
    run = _without(_fit("python-fitparse", "activity-small-fenix2-run.fit")[0], "speed",
                   "distance", "altitude")
    assert classify(run, P).reasons[-1] == "no speed: classified from HR, laps and duration"
    speed = np.zeros(run.streams.t.size)
    speed[100] = 0.4  # a treadmill's stray value: a 1-s stop, the run still without speed
    treadmill = replace(run, streams=Streams(run.streams.t, {**run.streams.channels,
                                                             "speed": speed}))
    assert classify(treadmill, P).reasons[-1] == classify(run, P).reasons[-1]
    stopped = _fit("fit", "HrmPluginTestActivity.fit")[0]  # a real 5-min walk at 0.3 m/s
    assert not any(r.startswith("no speed") for r in classify(
        replace(stopped, sport="running"), P).reasons)


def test_a_slow_climb_read_as_stopped_says_what_a_stop_is() -> None:
    """A real duathlon's first run leg climbs at 0.5-1 m/s, HR 166 and a running cadence: the
    stop rule (speed < 1 m/s, RULES) takes 26 of its 38 min, and its words said only "26 min
    stopped removed", which a coach reads as standing. They now say what a stop is."""
    climb = next(a for a in _fit("python-fitparse", "activity-large-fenxi2-multisport.fit")
                 if a.is_run)
    assert _line(climb, "cleaned:") == (
        "cleaned: 26 min stopped removed (speed < 1 m/s or timer paused), 6 min walking "
        "marked (walking from cadence < 140 spm)")


def test_a_long_run_without_history_says_so_in_words() -> None:
    """A real 114-min run classified alone read "(only 0 runs of history, so the absolute
    rule)"; it now says none were known, and how many the relative rules need. Not "no runs
    in the last 8 weeks": `classify run.fit` gives a file no history, whatever was run."""
    run = _fit("fit", "mornindew-broken.fit")[0]
    assert classify(run, P).reasons[0] == (
        "114 min moving >= 90 min (no runs known from the 8 weeks before, fewer than 4 to "
        "compare with, so the absolute rule)")
    assert classify(run, P, [3000.0]).reasons[0] == (
        "114 min moving >= 90 min (only 1 run known from the 8 weeks before, fewer than 4 to "
        "compare with, so the absolute rule)")
