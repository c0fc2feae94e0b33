"""Run classification on realistic recordings written as FIT files: hills, walking breaks,
stops, missing HR; one test per case named in issue 11, one per rule boundary, and a
property test (stops, walks and hills never make a run speed; real work bouts always do)."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from analysis.classify import Classification, classify
from analysis.features import RunFeatures, run_features
from analysis.speed import structure
from analysis.traits import RECOVERY_Z1_SHARE, kind_of
from analysis.zones import file_profile
from domain.activity import Activity, Lap, Streams
from domain.profile import Profile
from domain.run import RunKind
from ingest.fit import decode
from tests.runsamples import T0, Run

# Threshold HR 170: Z2 from 144.5, Z3 from 153, Z4 from 161.5, Z5 from 170 bpm.
P = Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50, threshold_hr=170,
            runs={"sat": "long"})
HISTORY = [45 * 60.0, 50 * 60.0, 40 * 60.0, 60 * 60.0, 100 * 60.0]


def activity(run: Run, *, include_hr: bool = True) -> Activity:
    [a] = decode(run.fit(include_hr=include_hr), "test.fit")
    return a


def judge(run: Run, *, include_hr: bool = True, history: list[float] | None = None
          ) -> Classification:
    return classify(activity(run, include_hr=include_hr), P,
                    HISTORY if history is None else history)


def test_structured_intervals_are_speed_from_structure() -> None:
    run = Run().easy(12, lap="warmup").bouts(6, 180, 4.4, 172, 120, work_lap="interval",
                                              rest_lap="recovery").easy(10, lap="cooldown")
    c = judge(run)
    assert (c.kind, c.fatigue) == ("speed", "high")
    assert c.reasons[0].startswith("speed (a): 6 work laps of 3:00 alternating with 2:00")


def test_hilly_easy_run_is_easy() -> None:
    c = judge(Run().easy(10).hills(40, grade=0.1).easy(10))
    assert (c.kind, c.traits, c.fatigue) == ("easy", (), "low")
    assert any("grade-adjusted (Minetti 2002)" in r for r in c.reasons)


def trail(hours_of_hills: float = 2.0) -> Run:
    t = Run().easy(10)
    for _ in range(round(hours_of_hills * 60 / 16)):
        t.hills(12, grade=0.12, hr=148).walk(3, hr=130).stop(1)
    return t


def test_trail_run_with_walking_and_stops_is_long_not_speed() -> None:
    c = judge(trail(), history=[])
    assert c.kind == "long" and "speed" not in c.traits
    assert c.reasons[0].startswith("130 min moving >= 90 min")
    assert any("8 min stopped removed (speed < 1 m/s or timer paused), 24 min walking "
               "marked" in r for r in c.reasons)


def test_walk_jog_is_easy() -> None:
    run = Run()
    for _ in range(10):
        run.easy(4, hr=135, speed=2.4).walk(1.5)
    c = judge(run)
    assert (c.kind, c.traits) == ("easy", ())


@pytest.mark.parametrize("walk_lap", ["active", "rest"])
def test_walk_jog_with_a_lap_at_every_switch_is_easy(walk_lap: str) -> None:
    # auto-laps, or a run/walk workout whose walks are rest steps: the jogs are faster and
    # their HR higher than the walks', but they never reach zone 3, so they are not work
    run = Run()
    for _ in range(10):
        run.easy(4, hr=138, speed=2.4, lap="active").add(90, 1.4, 118, spm=112, lap=walk_lap)
    c = judge(run)
    assert (c.kind, c.traits) == ("easy", ()), c.reasons
    if walk_lap == "rest":
        assert any("reach HR zone 3 (from 153 bpm)" in r for r in c.reasons)


def run_walk(laps: str, before: Run | None = None) -> Run:
    """A run/walk (Galloway): 1 min running, 2 min walking, each a lap (the watch's run/walk
    feature flags the walks rest; the lap button leaves them active)."""
    run = before or Run()
    for _ in range(10):
        run.add(60, 2.9, 150, lap="active").add(120, 1.4, 120, spm=112, lap=laps)
    return run


@pytest.mark.parametrize("laps", ["active", "rest"])
def test_a_run_walk_without_hr_is_easy(laps: str) -> None:
    """Its runs are twice its walks' speed, so they read as work laps with walking recoveries:
    speed (a). Without HR, only their pace against the run's own running tells: here they
    are all of it, its ordinary pace."""
    c = judge(run_walk(laps), include_hr=False)
    assert (c.kind, c.traits) == ("easy", ()), c.reasons
    # its first run, a lap with no walk before it, is the running the others are compared with
    assert any("the 10 faster laps (2.90 m/s) alternate with walks and no HR says they were "
               "hard, and they are 100% of the run's other running (2.90 m/s" in r
               for r in c.reasons), c.reasons
    walk_first = judge(run_walk(laps, Run().add(120, 1.4, 120, spm=112, lap=laps)),
                       include_hr=False)
    assert (walk_first.kind, walk_first.traits) == ("easy", ()), walk_first.reasons
    assert any("they are all the running there is (under 1 min besides)" in r
               for r in walk_first.reasons), walk_first.reasons


def test_a_run_walk_after_a_jog_without_hr_is_easy_its_runs_at_the_jogs_pace() -> None:
    c = judge(run_walk("active", Run().easy(10, speed=2.7, lap="active")), include_hr=False)
    assert (c.kind, c.traits) == ("easy", ()), c.reasons
    assert any("are 107% of the run's other running (2.71 m/s; work is >= 120%): a run/walk"
               in r for r in c.reasons), c.reasons


def intervals_walked_between(laps: str, warm_up: bool) -> Run:
    """6 x 90 s at 4.5 m/s, 2 min walked between, after 12 min easy running or none."""
    run = Run().easy(12, lap="warmup" if laps == "rest" else "active") if warm_up else Run()
    for _ in range(6):
        run.add(90, 4.5, 172, lap="active").add(120, 1.4, 135, spm=112, lap=laps)
    return run.easy(10, lap="cooldown" if laps == "rest" else "active") if warm_up else run


@pytest.mark.parametrize("include_hr, warm_up", [(False, True), (True, True), (True, False)])
@pytest.mark.parametrize("laps", ["active", "rest"])
def test_intervals_with_walking_recoveries_are_speed_from_structure(
        laps: str, include_hr: bool, warm_up: bool) -> None:
    """Work laps far faster than the run's other running, or reaching zone 3."""
    c = judge(intervals_walked_between(laps, warm_up), include_hr=include_hr)
    assert c.kind == "speed" and c.reasons[0].startswith("speed (a): "), c.reasons


@pytest.mark.parametrize("laps", ["active", "rest"])
def test_intervals_with_standing_recoveries_without_hr_or_warm_up_are_speed(laps: str) -> None:
    """A run/walk walks its breaks: reps with standing recoveries are no run/walk, even
    with no other running to compare their pace with."""
    run = Run()
    for _ in range(6):
        run.add(90, 4.5, 172, lap="active").add(120, 0.0, 120, spm=0, lap=laps)
    c = judge(run, include_hr=False)
    assert c.kind == "speed" and c.reasons[0].startswith("speed (a): "), c.reasons


def test_steady_run_whose_laps_all_say_interval_is_easy() -> None:
    run = Run()
    for _ in range(6):
        run.add(480, 3.0, 148, lap="interval")
    c = judge(run)
    assert (c.kind, c.fatigue) == ("easy", "low")
    assert any("lap flags alone are not intervals" in r for r in c.reasons)


def test_intervals_with_standing_recoveries_and_no_hr_are_speed() -> None:
    run = Run().easy(12).bouts(6, 120, 4.6, 0, 90, rest_speed=0.0, rest_hr=0).easy(10)
    c = judge(run, include_hr=False)
    assert c.kind == "speed"
    assert c.reasons[0].startswith("speed (b): 6 surges") and c.reasons[0].endswith("no HR")


def test_ultra_without_hr_is_long_with_high_fatigue() -> None:
    run = Run().easy(300, speed=2.5).walk(20).stop(10).easy(10)
    c = judge(run, include_hr=False, history=[])
    assert (c.kind, c.fatigue) == ("long", "high")
    assert c.reasons[0].startswith("330 min moving")
    assert any("no heart rate" in r for r in c.reasons)


def test_flagged_work_laps_must_really_be_harder() -> None:
    run = Run().easy(10, lap="warmup").bouts(5, 180, 3.1, 145, 120, rest_speed=2.95,
                                             rest_hr=143, work_lap="interval",
                                             rest_lap="recovery").easy(10, lap="cooldown")
    c = judge(run)
    assert c.kind == "easy"
    assert any("not harder than the recoveries" in r for r in c.reasons)


def test_unflagged_laps_that_alternate_by_themselves_are_speed() -> None:
    run = Run().easy(12, lap="active").bouts(4, 240, 4.2, 168, 120, rest_speed=1.2,
                                             work_lap="active", rest_lap="active").easy(10)
    c = judge(run)
    assert c.kind == "speed"
    assert c.reasons[0] == ("speed (a): 4 laps of 4:00 at >= 130% of the neighbouring laps' "
                            "grade-adjusted speed, each with higher HR than its neighbours")
    # the HR words count the laps whose HR was compared: one rep's lap HR lost
    a = activity(run)
    lost = next(lap.index for lap in a.laps if lap.duration_s == 240)
    laps = tuple(replace(lap, avg_hr=None, max_hr=None) if lap.index == lost else lap
                 for lap in a.laps)
    assert classify(replace(a, laps=laps), P, HISTORY).reasons[0].endswith(
        "speed, higher HR than their neighbours in the 3 of them with lap HR to compare")


def test_unflagged_laps_claim_higher_hr_only_than_the_neighbours_they_were_compared_with(
        ) -> None:
    """Each 4-min rep (4 m/s, HR 160) follows a lap without speed (its GPS lost, HR 175) and
    precedes a jog without HR: its speed and HR were compared with the jog only, HR with
    nothing, yet the words read "each with higher HR than its neighbours" beside the 175."""
    laps: list[Lap] = []
    for k in range(3):
        laps += [Lap(3 * k, T0, 120, None, 175, 180, None, "active"),
                 Lap(3 * k + 1, T0, 240, 960, 160, 170, 4.0, "active"),
                 Lap(3 * k + 2, T0, 120, 240, None, None, 2.0, "active")]
    found, _ = structure(laps, None, [0.0] * len(laps))
    assert found is not None and found.reason == (
        "speed (a): 3 laps of 4:00 at >= 130% of the neighbouring laps' speed, no lap HR to "
        "compare")


@pytest.mark.parametrize("bouts, speed", [(2, False), (3, True)])
def test_surges_need_three(bouts: int, speed: bool) -> None:
    run = Run().easy(15).bouts(bouts, 60, 4.0, 168, 180, rest_speed=2.9, rest_hr=140).easy(15)
    assert ("speed" in judge(run).traits) is speed


def test_surges_without_hr_reaching_zone_four_are_not_speed() -> None:
    run = Run().easy(15).bouts(4, 60, 4.0, 150, 180, rest_speed=2.9, rest_hr=140).easy(15)
    assert "speed" not in judge(run).traits


def test_surges_in_the_warm_up_and_cool_down_do_not_count() -> None:
    run = Run().easy(1).bouts(3, 40, 4.0, 168, 60, rest_speed=2.9).easy(25)
    run.bouts(3, 40, 4.0, 168, 60, rest_speed=2.9).easy(0.5)
    assert "speed" not in judge(run).traits


def test_a_long_run_with_real_surges_is_long_and_speed() -> None:
    run = Run().easy(40).bouts(4, 60, 4.2, 168, 240, rest_speed=2.9).easy(60)
    c = judge(run, history=[])
    assert c.kind == "long" and c.traits == ("speed", "long")


@pytest.mark.parametrize("minutes, long", [(88, False), (92, True)])
def test_long_uses_moving_time(minutes: float, long: bool) -> None:
    run = Run().easy(minutes).stop(10)  # 98-102 min on the clock either way
    c = judge(run, history=[])
    assert ("long" in c.traits) is long


@st.composite
def additions(draw: st.DrawFn) -> list[tuple[str, float]]:
    return draw(st.lists(st.tuples(st.sampled_from(["stop", "walk", "hills"]),
                                   st.floats(0.5, 4.0)), min_size=1, max_size=6))


def easy_with(extra: list[tuple[str, float]], seed: int) -> Run:
    run = Run(seed=seed).easy(12)
    for what, minutes in extra:
        if what == "stop":
            run.stop(minutes)
        elif what == "walk":
            run.walk(minutes)
        else:
            run.hills(minutes * 3, grade=0.1, period_min=minutes)
        run.easy(4)
    return run.easy(12)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extra=additions(), seed=st.integers(0, 1000), hr=st.booleans())
def test_stops_walks_and_hills_never_make_an_easy_run_speed(
        extra: list[tuple[str, float]], seed: int, hr: bool) -> None:
    c = judge(easy_with(extra, seed), include_hr=hr)
    assert "speed" not in c.traits, c.reasons


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extra=additions(), seed=st.integers(0, 1000))
def test_three_real_work_bouts_in_zone_four_always_make_speed(
        extra: list[tuple[str, float]], seed: int) -> None:
    run = easy_with(extra, seed).bouts(3, 180, 4.3, 166, 150).easy(12)
    c = judge(run)
    assert "speed" in c.traits, c.reasons


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(z1=20, z2=10, stops=[(1, 20.0)])  # a cafe stop whose low HR read as zone 1 running
@example(z1=6, z2=2, stops=[(0, 1.0)])  # on the 80 % edge: assumed away (CI found it)
@given(z1=st.integers(4, 30), z2=st.integers(2, 20),
       stops=st.lists(st.tuples(st.sampled_from([0, 1, 3]), st.floats(1.0, 25.0)),
                      min_size=1, max_size=3))
def test_stops_never_change_the_kind_of_an_easy_or_recovery_run(
        z1: int, z2: int, stops: list[tuple[int, float]]) -> None:
    """Stops (timer running, HR falling to zone 1) are removed before any rule: the zone
    minutes the recovery rule reads are moving minutes. No stop just before the zone-2
    part: HR climbing back from a stop is really lower while running, which may tip it.
    Nor a run whose zone-1 share is within a minute of the recovery rule's 80 %: HR's lag
    and noise move that much between zones with or without a stop (z1=6, z2=2: 75 % as
    built, 79-81 % as HR really follows)."""
    assume(not (z1 - 1) / (z1 + z2) <= RECOVERY_Z1_SHARE <= (z1 + 1) / (z1 + z2))
    parts = [(z1 / 2, 138.0), (z1 / 2, 138.0), (float(z2), 150.0)]

    def run(with_stops: bool) -> Run:
        r = Run()
        for i in range(len(parts) + 1):
            for minutes in (m for at, m in stops if at == i and with_stops):
                r.stop(minutes, hr=95)
            if i < len(parts):
                r.easy(*parts[i])
        return r

    plain, stopped = judge(run(False)), judge(run(True))
    assert stopped.kind == plain.kind, stopped.reasons


@cache
def recorded(session: str) -> Activity:
    if session == "track":  # 12 x 400 m with 90-s jogs, no laps
        return activity(Run().easy(15).bouts(12, 75, 5.3, 172, 90, rest_speed=2.2,
                                             rest_hr=140).easy(10))
    return activity(Run().easy(92))  # long by the absolute rule, just


def without_gps(a: Activity, windows: list[tuple[int, int]]) -> Activity:
    """`a` with speed and distance lost for (first second, seconds) windows, as under trees
    or in a tunnel; the timer and HR run on."""
    channels = dict(a.streams.channels)
    for name in ("speed", "distance"):
        lost = channels[name].copy()
        for start, seconds in windows:
            lost[start:start + seconds] = np.nan
        channels[name] = lost
    return replace(a, streams=Streams(a.streams.t, channels))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(session="long", windows=[(600 * k, 60) for k in range(1, 9)])
@given(session=st.sampled_from(["long", "track"]),
       windows=st.lists(st.tuples(st.integers(0, 3400), st.integers(3, 60)), min_size=1,
                        max_size=10))
def test_gps_dropouts_are_not_stops_and_never_change_the_class(
        session: str, windows: list[tuple[int, int]]) -> None:
    plain = classify(recorded(session), P, [])
    lost = classify(without_gps(recorded(session), windows), P, [])
    assert lost.moving_s == pytest.approx(plain.moving_s, abs=1.0)
    assert (lost.kind, lost.traits) == (plain.kind, plain.traits), lost.reasons


def test_a_rep_a_dropout_cuts_in_two_is_one_surge() -> None:
    track = recorded("track")  # reps start at 15 min and every 165 s
    cut = without_gps(track, [(900 + 165 * k + 30, 40) for k in range(12)])
    c = classify(cut, P, [])
    assert c.reasons[0].startswith("speed (b): 12 surges of 7"), c.reasons
    assert not any("stopped removed" in r for r in c.reasons)


@pytest.mark.parametrize("lost_from", [-40, 30], ids=["just before", "just after"])
def test_a_dropout_beside_a_short_surge_takes_none_of_its_seconds(lost_from: int) -> None:
    """8 x 30-s strides, each with 40 s of GPS lost just before or after it: the dropout's
    unknown seconds are outside the stride, whose 30 s still count (the dropout was joined
    to it and taken off its length: 30 - 40 s, no surge)."""
    strides = activity(Run().easy(15).bouts(8, 30, 4.3, 176, 150, rest_speed=2.6,
                                            rest_hr=140).easy(10))
    c = classify(without_gps(strides, [(900 + 180 * k + lost_from, 40) for k in range(8)]),
                 P, [])
    assert c.reasons[0].startswith("speed (b): 7 surges of 30 s"), c.reasons


@pytest.mark.parametrize("include_hr", [True, False])
def test_power_hikes_up_steep_climbs_are_not_surges(include_hr: bool) -> None:
    run = Run().easy(15)
    for _ in range(5):  # 4 min hiking up 25 %: GAP far above the running pace
        run.add(240, 3.6, 150, spm=115, grade=0.25).easy(8, hr=138)
    c = judge(run.easy(15), include_hr=include_hr)
    assert "speed" not in c.traits, c.reasons


@pytest.mark.parametrize("between", [
    lambda r: r.pause(10),  # 2 x 10 min with 10 min paused between (cruise intervals)
    lambda r: r.pause(1, hr=160),  # a 20-min tempo auto-paused at a traffic light
    lambda r: r.stop(1, hr=160),  # the same with the timer running
], ids=["2 x 10 min, 10 min paused", "1 min paused", "1 min stopped"])
def test_a_tempo_is_continuous_across_a_stop_or_a_timer_pause(between: Any) -> None:
    """RULES judge moving time: a pause or a stop takes none, and the tempo goes on where HR
    is back in zones 3-4 within 2 min of running (it climbs back from 100 after 10 min).
    A pause split it on the clock: two stretches of 10 min, an easy run; a stop did not."""
    run = between(Run().easy(10, hr=140).add(600, 3.6, 166)).add(600, 3.6, 166)
    c = judge(run.easy(10, hr=140))
    assert c.kind == "threshold", c.reasons
    assert c.reasons[0].startswith("20 min continuous in HR zones 3-4"), c.reasons


@pytest.mark.parametrize("stop", ["pause", "stop"])
def test_a_long_easy_run_with_a_cafe_stop_after_a_climb_is_not_threshold(stop: str) -> None:
    """12 min in zone 3 up to the cafe, 20 min there, and easy running after it: HR does not
    come back to zone 3, so the climb's stretch ends at the cafe."""
    run = Run().easy(40, hr=140).add(720, 2.9, 157)
    getattr(run, stop)(20, hr=90)
    c = judge(run.easy(50, hr=142))
    assert c.kind == "long" and "threshold" not in c.traits, c.reasons


@pytest.mark.parametrize("stop", ["pause", "stop"])
@pytest.mark.parametrize("minutes", [30, 120])
def test_zone_3_either_side_of_a_long_cafe_stop_is_two_stretches(stop: str, minutes: int) -> None:
    """10 min in zone 3 up to the cafe and 10 min in zone 3 after it: a 30-min coffee or a
    2-hour lunch is no rest between cruise intervals, and the stop took no time on the
    moving clock, so it read '20 min continuous in HR zones 3-4', threshold."""
    run = Run().easy(20, hr=140).add(600, 3.3, 158)
    getattr(run, stop)(minutes, hr=80)
    c = judge(run.add(600, 3.3, 158).easy(20, hr=140))
    assert (c.kind, c.traits) == ("easy", ()), c.reasons


@pytest.mark.parametrize("stop", ["pause", "stop"])
def test_after_a_long_cafe_stop_hr_climbing_back_is_not_zone_time(stop: str) -> None:
    """15.5 min at a zone-3 effort after a 30-min cafe, HR climbing from 80: a stretch begins
    there as at any run's start (14.5 min), it is not carried across the stop, whose 2 min
    of climbing back would count as zone 3 (15.6 min, threshold)."""
    run = Run().easy(20, hr=140).add(600, 3.3, 158)
    getattr(run, stop)(30, hr=80)
    c = judge(run.add(930, 3.3, 158).easy(20, hr=140))
    assert (c.kind, c.traits) == ("easy", ()), c.reasons


def test_treadmill_progression_run_is_threshold_not_speed() -> None:
    run = Run()
    for i in range(10):  # 5-min steps from 2.8 to 3.9 m/s, HR rising with them
        run.add(300, 2.8 + 0.12 * i, 138 + 3.4 * i, grade=0.0)
    a = activity(run)
    flat = Activity(**{**a.__dict__, "streams": type(a.streams)(a.streams.t, {
        k: v for k, v in a.streams.channels.items() if k != "altitude"})})
    c = classify(flat, P, HISTORY)
    assert c.kind == "threshold" and "speed" not in c.traits, c.reasons
    assert any("no altitude, so plain" in r for r in c.reasons)


def test_flagged_intervals_with_standing_rests_and_no_hr_are_speed_from_structure() -> None:
    run = Run().easy(10, lap="warmup").bouts(5, 180, 4.5, 0, 90, rest_speed=0.0, rest_hr=0,
                                             work_lap="active", rest_lap="rest")
    c = judge(run.easy(10, lap="cooldown"), include_hr=False)
    assert c.kind == "speed" and c.reasons[0].startswith("speed (a): 5 work laps of 3:00")


def test_structure_outranks_long_and_long_outranks_surges() -> None:
    structured = Run().easy(40, lap="warmup").bouts(5, 180, 4.4, 172, 120, work_lap="interval",
                                                    rest_lap="recovery").easy(40)
    c = judge(structured, history=[])
    assert c.kind == "speed" and c.traits == ("speed", "long")


def test_summary_only_and_speedless_runs_are_classified_from_what_is_there() -> None:
    import numpy as np

    from domain.activity import Streams
    summary = Activity(sport="running", start=activity(Run().easy(1)).start,
                       duration_s=95 * 60.0, distance_m=16_000.0)
    assert classify(summary, P, []).kind == "long"
    t = np.arange(1200.0)
    speedless = Activity(sport="running", start=summary.start, duration_s=1199.0,
                         streams=Streams(t, {"speed": np.full(t.size, np.nan),
                                             "heart_rate": np.full(t.size, 140.0)}))
    c = classify(speedless, P, HISTORY)
    assert c.kind == "recovery" and c.gap_mps is None


def test_zone_five_minutes_of_speed_c_are_moving_minutes() -> None:
    """Speed (c) reads the minutes in zone 5 that every zone rule reads: moving ones. Three
    100-s reps each followed by 72 s standing with HR still in zone 5 hold about 4 min of
    zone 5 running; main counted the standing too ('7.7 min in HR zone 5 in 3 bouts')."""
    run = Run().easy(15)
    for _ in range(3):
        run.add(100, 2.9, 184).stop(1.2, hr=184).easy(3)
    c = judge(run.easy(10))
    assert "speed" not in c.traits, c.reasons
    assert any(r.startswith("minutes in zones 1-5: 30 / 3 / 1 / 1 / 4;") for r in c.reasons)


# The athlete's real max is about 195; the profile says 170 (zones from it: Z5 from 152).
LOW_MAX = replace(P, max_hr=170, threshold_hr=None)


def test_hr_held_above_the_profiles_max_hr_is_said_with_its_numbers() -> None:
    """An easy run of an athlete whose profile's max HR is too low reads as threshold; the
    reasons say why (HR held above the max) instead of leaving it silent, and the max stays."""
    run = Run().easy(10, hr=150).easy(20, hr=160).add(300, 3.4, 182).easy(10, hr=155)
    c = classify(activity(run), LOW_MAX, [])
    [warning] = c.warnings
    # stored: the fact and its numbers; shown with its fix, here in the CLI's words
    assert warning.removesuffix("; set max_hr in config to your real max (`stridelift init "
                                "--max-hr N`)") in c.reasons
    assert warning.startswith("check your max HR: HR held 18") and " for 5 min, above your " \
        "max HR 170 in the profile: zones may be too low" in warning, warning
    assert "max HR 170" in c.reasons[-1]  # the zones still come from the profile's max


def test_the_max_hr_warnings_bpm_and_minutes_describe_the_same_readings() -> None:
    """Its minutes are the longest stretch above the max (4.5 min at about 176); its bpm was
    the median of every reading above the max in the run, so two shorter stretches at 200
    made it 'HR held 199 for 5 min', a number held for 3 min at a time."""
    run = Run().easy(10, hr=150).add(300, 3.4, 176)
    for _ in range(2):
        run.easy(5, hr=150).add(180, 3.6, 200)
    [warning] = classify(activity(run.easy(10, hr=150)), LOW_MAX, []).warnings
    assert warning.startswith("check your max HR: HR held 17"), warning


@pytest.mark.parametrize("run", [
    Run().add(240, 2.9, 212).easy(30, hr=150),  # a strap locked high while it settles
    Run().easy(15, hr=150).add(25, 3.0, 190).easy(15, hr=150),  # a spike, not held
], ids=["strap settling", "spike"])
def test_hr_above_the_max_only_while_the_strap_settles_or_in_a_spike_is_no_warning(
        run: Run) -> None:
    c = classify(activity(run), LOW_MAX, [])
    assert c.warnings == (), c.reasons


def test_a_race_whose_peak_passes_the_max_hr_says_so_instead_of_a_share_over_100() -> None:
    """Still a race on its name and average HR; the peak past the max is named for what it
    is (main said 'peak 183 = 108%' of max 170, as if near-maximal)."""
    a = replace(activity(Run().easy(10, hr=150).easy(20, hr=176).easy(5, hr=178)),
                name="Parkrun")
    c = classify(a, LOW_MAX, [])
    assert c.kind == "race"
    assert "of max 170, peak " in c.reasons[0] and c.reasons[0].endswith(
        "above the max in the profile: a wrong max or a strap glitch)"), c.reasons[0]
    assert c.warnings, c.reasons


def test_a_strap_spiking_every_25_s_holds_no_hr_above_the_max() -> None:
    """Static (dry air, a synthetic shirt) makes a strap read 215 for 2 s every 25 s: the
    30-s bridge joined the spikes into '215 held for 3 min', about 14 s of readings, warned
    of a max too low and made it the file's max (zones from 215, a tempo read easy)."""
    a = activity(Run().easy(30, hr=150))
    t, hr = a.streams.t, a.streams.channels["heart_rate"].copy()
    for start in range(600, 780, 25):
        hr[(t >= start) & (t < start + 2)] = 215
    spiky = replace(a, streams=Streams(t, {**a.streams.channels, "heart_rate": hr}))
    assert classify(spiky, LOW_MAX, []).warnings == ()
    assert file_profile([spiky])[0].max_hr == 190


def test_a_strap_locked_past_a_plausible_max_mid_run_is_no_warning() -> None:
    """A strap reading 226 for 2.5 min at minute 20 is no heart (past FILE_PEAK_AS_MAX_HR, as
    file_profile says of it): classify warned 'HR held 225 ... above your max HR', beside
    the note that this peak is not a plausible max, and with no profile, of 'the profile'."""
    a = activity(Run().easy(40, hr=150))
    t, hr = a.streams.t, a.streams.channels["heart_rate"].copy()
    hr[(t >= 1200) & (t < 1350)] = 226
    locked = replace(a, streams=Streams(t, {**a.streams.channels, "heart_rate": hr}))
    assert classify(locked, LOW_MAX, []).warnings == ()
    profile, note = file_profile([locked])
    assert "the file's peak 226 is not a plausible max" in note
    assert classify(locked, profile, []).warnings == ()


@pytest.mark.parametrize("warm_up, cool_down", [(2, 2), (0, 4), (2.5, 0)])
def test_intervals_walked_between_with_a_short_warm_up_or_cool_down_are_speed(
        warm_up: float, cool_down: float) -> None:
    """The run's first and last laps are faster than the walk beside them, but they are its
    warm-up and cool-down, not reps: they are the running the reps are compared with."""
    run = Run().easy(warm_up, lap="active") if warm_up else Run()
    for _ in range(6):
        run.add(90, 4.5, 172, lap="active").add(120, 1.4, 135, spm=112, lap="active")
    run = run.easy(cool_down, lap="active") if cool_down else run
    c = judge(run, include_hr=False)
    assert c.kind == "speed" and c.reasons[0].startswith("speed (a): "), c.reasons


def reps_paused(pauses: dict[int, tuple[float, float]]) -> Run:
    """8 x 3 min at 4.5 m/s, 2 min walked between, 5 min easy either side; `pauses`: rep ->
    (seconds into it, minutes) the timer was stopped there (at a traffic light)."""
    run = Run().easy(5, lap="active")
    for rep in range(8):
        into, minutes = pauses.get(rep, (180, 0.0))
        run.add(into, 4.5, 172)
        if minutes:
            run.pause(minutes)
        run.add(180 - into, 4.5, 172, lap="active").add(120, 1.4, 135, spm=112, lap="rest")
    return run.easy(5, lap="active")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(pauses={rep: (30, 3.0) for rep in range(8)})  # each rep's last 150 s were "other"
@given(pauses=st.dictionaries(st.integers(0, 7), st.tuples(st.integers(20, 160),
                                                           st.sampled_from([1.0, 3.0, 8.0])),
                              min_size=1))
def test_a_timer_pause_inside_a_lap_never_changes_the_class(
        pauses: dict[int, tuple[float, float]]) -> None:
    """A lap's samples run to its end on the real clock: ended at its start plus its timer
    time, a rep's samples after the pause were the run's other running, its ordinary pace,
    and reps without HR read as a run/walk."""
    plain, paused = (judge(reps_paused(p), include_hr=False) for p in ({}, pauses))
    assert plain.reasons[0].startswith("speed (a): 9 work laps"), plain.reasons
    assert (paused.kind, paused.reasons[0][:30]) == ("speed", plain.reasons[0][:30]), \
        paused.reasons
    assert not any("run/walk" in r for r in paused.reasons), paused.reasons


@cache
def stopped_run() -> RunFeatures:
    return run_features(activity(Run().easy(20).stop(3).easy(20)), P)  # no walking


@settings(max_examples=200, deadline=None)
@example(minutes=146.4, moving=144.6)  # garmin.fit: 146 (145 moving) beside "2 min stopped"
@example(minutes=44.2, moving=43.4)  # a timer pause under a minute: 44 (43) beside nothing
@given(minutes=st.floats(0.0, 600.0), moving=st.floats(0.0, 600.0))
def test_the_stopped_minutes_are_those_the_first_line_leaves_out(minutes: float,
                                                                  moving: float) -> None:
    """The context's first line and its cleaned line never disagree: the stopped time is
    the time shown less the moving time shown, in the same unit (seconds where either is
    under a minute), said wherever those differ."""
    assume(moving <= minutes)
    lines = replace(stopped_run(), minutes=minutes, moving_minutes=moving).context()
    first = re.match(r"(\d+) (min|s) \((\d+) (min|s) moving\)", lines[0])
    assert first is not None and first[2] == first[4], lines
    unit = "s" if moving * 60 < 59.5 else "min"
    assert first[2] == unit, lines
    shown, shown_moving = int(first[1]), int(first[3])
    stopped = [int(m[1]) for line in lines
               if (m := re.match(rf"cleaned: (\d+) {unit} stopped", line))]
    assert stopped == ([shown - shown_moving] if shown > shown_moving else []), lines


def test_a_run_under_a_minute_is_shown_in_seconds_not_as_0_min() -> None:
    """A 24-s run read "0 min (0 min moving)" and "over 0 min moving (< 45 min)"; one of
    a minute with 24 s moving "1 min (0 min moving)" beside "1 min stopped removed"."""
    short = judge(Run().easy(0.4, hr=110))
    assert short.reasons[:2] == (
        "100% of the time in HR zone 1 over 23 s moving (< 45 min)",
        "24 s (23 s moving), 0.1 km, average HR 98 bpm")
    stopped = judge(Run().easy(0.4).stop(0.25))
    assert stopped.reasons[1].startswith("39 s (24 s moving)"), stopped.reasons
    assert stopped.reasons[2].startswith(
        "cleaned: 15 s stopped removed (speed < 1 m/s or timer paused), 0 s walking marked")
    assert judge(Run().easy(30, hr=110)).reasons[1].startswith("30 min (30 min moving)")


@cache
def zone_one_run() -> tuple[Activity, RunFeatures]:
    a = activity(Run().easy(30, hr=125))
    return a, run_features(a, P)


@settings(max_examples=200, deadline=None)
@example(moving=44.6, te=1.96)  # read "45 min moving (< 45 min, aerobic TE 2.0 < 2)"
@given(moving=st.floats(1.0, 45.0, exclude_max=True),
       te=st.none() | st.floats(0.0, 2.0, exclude_max=True))
def test_a_recovery_runs_numbers_are_shown_on_their_side_of_the_rule(
        moving: float, te: float | None) -> None:
    a, f = zone_one_run()
    kind, why = kind_of((), replace(a, aerobic_te=te), replace(f, moving_minutes=moving))
    assert kind == RunKind.RECOVERY
    shown = re.search(r"over ([\d.]+) min moving \(< 45 min(?:, aerobic TE ([\d.]+) < 2)?",
                      why)
    assert shown is not None and float(shown[1]) < 45, why
    assert te is None or float(shown[2]) < 2, why


@settings(max_examples=200, deadline=None)
@example(share=0.7996, moving=30.0, te=None)  # would read "80% ..., not >= 80%"
@example(share=0.9, moving=45.0, te=1.96)
@example(share=0.04, moving=1.5, te=None)  # "4% of the 1 min with HR in HR zone 1"
@given(share=st.floats(0.0, 1.0), moving=st.floats(1.0, 120.0),
       te=st.none() | st.floats(0.0, 5.0))
def test_an_easy_run_says_which_recovery_numbers_it_misses_on_their_side_of_the_rule(
        share: float, moving: float, te: float | None) -> None:
    """An easy run's reason names every recovery condition it misses, each number on its
    side of the limit (it said only "not a recovery run")."""
    a, f = zone_one_run()
    total = sum(f.zone_minutes)
    f = replace(f, moving_minutes=moving, zone_minutes=(share * total, (1 - share) * total,
                                                        0.0, 0.0, 0.0))
    kind, why = kind_of((), replace(a, aerobic_te=te), f)
    assume(kind == RunKind.EASY)
    missed = re.fullmatch(r"no trait and not a recovery run \((.+)\), so an easy run", why)
    assert missed is not None, why
    numbers = {}
    for part in missed[1].split("; "):
        m = re.fullmatch(r"([\d.]+)% of the (?:time|[\d.]+ (?:min|s) with HR) in HR zone 1, "
                         r"not >= 80%|([\d.]+) min "
                         r"moving, not < 45 min|aerobic TE ([\d.]+), not < 2", part)
        assert m is not None, why
        numbers.update({i: float(v) for i, v in enumerate(m.groups()) if v is not None})
    assert numbers.keys() == {i for i, missed in enumerate(
        (f.z1_share < RECOVERY_Z1_SHARE, moving >= 45, te is not None and te >= 2)) if missed}
    assert numbers.get(0, 0) < 80 and numbers.get(1, 45) >= 45 and numbers.get(2, 2) >= 2


def flagged_laps(work_mps: float, rest_mps: float, work_hr: float, rest_hr: float
                 ) -> list[Lap]:
    """4 flagged work laps of 3 min with 2-min recoveries, no samples."""
    laps: list[Lap] = []
    for i in range(4):
        laps += [Lap(2 * i, T0, 180, 180 * work_mps, work_hr, work_hr + 5, work_mps, "active"),
                 Lap(2 * i + 1, T0, 120, 120 * rest_mps, rest_hr, rest_hr + 5, rest_mps, "rest")]
    return laps


@settings(max_examples=300, deadline=None)
@example(gap=1.0967, hr=7.6)  # read "= 110%, HR 150 vs 142 bpm; needs GAP >= 110% or HR +8"
@given(gap=st.floats(0.9, 1.3), hr=st.floats(0.0, 12.0))
def test_flagged_laps_show_their_contrast_on_its_side_of_the_rule(gap: float,
                                                                   hr: float) -> None:
    """Refused or found, the GAP share and the two HRs shown compare with the rule (>= 110 %
    or >= 8 bpm higher) as the laps' own numbers did."""
    found, notes = structure(flagged_laps(3.0 * gap, 3.0, 142.0 + hr, 142.0), None, [0.0] * 8)
    text = found.reason if found is not None else notes[0]
    shown = re.search(r"= ([\d.]+)%, HR ([\d.]+) vs ([\d.]+) bpm", text)
    assert shown is not None, text
    harder = float(shown[1]) >= 110 or float(shown[2]) - float(shown[3]) >= 8
    assert harder == (found is not None), text


@pytest.mark.parametrize("work, rest, hr, above, shown", [
    (2.97, 2.70, (140, 140, 140), 0, "speed 2.97 vs 2.70 m/s = 110%, HR 140 vs 140 bpm"),
    (3.0, 3.0, (131, 131, 130), 8, "speed 3.00 vs 3.00 m/s = 100%, HR 131 vs 123 bpm")])
def test_flagged_laps_exactly_at_the_contrast_are_harder(
        work: float, rest: float, hr: tuple[int, ...], above: int, shown: str) -> None:
    """Exactly 110 % (2.97 vs 2.70 m/s), or work laps' mean HR exactly 8 bpm above the
    recoveries' (lap HRs are whole beats: 130.67 vs 122.67), meets the rule ('>='): their
    float noise (110.00000000000001 %, 7.99999999999999 bpm) refused them beside numbers
    that met it ('= 110.00000000000001%; needs GAP >= 110%', 'HR 130.7 vs 122.7'). Laps
    without samples have no altitude: their speed is plain, not GAP."""
    laps = [replace(lap, avg_hr=hr[lap.index // 2] - above * (lap.intensity == "rest"))
            for lap in flagged_laps(work, rest, 0.0, 0.0)[:6]]  # 3 reps
    found, notes = structure(laps, None, [0.0] * 6)
    assert found is not None and shown in found.reason, notes


def test_a_run_walks_share_of_its_other_running_is_shown_on_its_side_of_the_rule() -> None:
    """Runs at 119.6 % of the jog before them are a run/walk: the share read "120%" beside
    "work is >= 120%"."""
    c = judge(run_walk("active", Run().easy(10, speed=2.9 / 1.2, lap="active")),
              include_hr=False)
    [shown] = [float(m[1]) for r in c.reasons
               if (m := re.search(r"they are ([\d.]+)% of the run's other running", r))]
    assert c.kind == "easy" and shown < 120, c.reasons
