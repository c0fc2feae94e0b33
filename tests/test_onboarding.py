"""`init` offers what the history says: max HR, resting HR, threshold HR, the run template
as run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from analysis.onboarding import (
    NO_THRESHOLD,
    Peak,
    hardest_mean_hr,
    max_hr_offer,
    offers,
    rest_hr_offer,
    template_offer,
    threshold_hr_offer,
)
from db import models as m
from db import repo, wellness_days
from db.session import open_db, transaction
from demo.fitwrite import LapSpec, run_fit
from domain.profile import WEEKDAYS, Profile, parse_runs
from domain.wellness import DailyWellness
from ingest.fit import threshold_hr_setting
from jobs.config import load
from stridelift.cli import app
from tests.conftest import shared_fixture
from tests.history import write_weeks

runner = CliRunner()
TODAY = date(2025, 4, 16)  # a Wednesday
FIRST_MONDAY = date(2025, 3, 3)
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "UTC", "--sex", "f",
        "--max-hr", "190", "--rest-hr", "60", "--runs", "tue=easy,thu=speed,sun=long"]


def _weekly(weekday: int, kind: str, weeks: range) -> list[tuple[date, str]]:
    monday = TODAY - timedelta(days=TODAY.weekday())
    return [(monday - timedelta(weeks=w) + timedelta(days=weekday), kind) for w in weeks]


def test_template_from_the_runs_of_the_last_eight_weeks() -> None:
    runs = (_weekly(5, "long", range(1, 7)) + _weekly(6, "long", range(7, 8))
            + _weekly(1, "speed", range(1, 5)) + _weekly(0, "easy", range(1, 8))
            + _weekly(3, "recovery", range(1, 3)) + _weekly(4, "race", range(1, 2))
            + _weekly(0, "easy", range(9, 20)))  # older than 8 weeks: not counted
    offer = template_offer(TODAY, runs)
    assert offer is not None
    assert offer.value == "mon=easy,tue=speed,sat=long"
    assert "long on sat in 6 of 8 weeks" in offer.source
    assert "speed on tue in 4 of 8 weeks" in offer.source


def test_no_history_offers_nothing() -> None:
    assert offers(TODAY, [], [], []) == []
    assert template_offer(TODAY, _weekly(5, "long", range(1, 2))) is None  # once is no habit


def test_max_hr_ignores_glitches_and_older_years() -> None:
    peaks = [Peak(TODAY - timedelta(days=20), 187.0, "5k race"),
             Peak(TODAY - timedelta(days=3), 251.0, "optical glitch"),
             Peak(TODAY - timedelta(days=400), 195.0, "two years ago")]
    offer = max_hr_offer(TODAY, peaks)
    assert offer is not None and offer.value == 187
    assert "187 bpm on 27 Mar 2025 (5k race)" in offer.source


def test_resting_hr_is_the_median_of_the_last_30_days() -> None:
    resting = [(TODAY - timedelta(days=i), bpm) for i, bpm in enumerate([48, 47, 52, 49, 90])]
    resting.append((TODAY - timedelta(days=45), 40))
    offer = rest_hr_offer(TODAY, resting)
    assert offer is not None and offer.value == 49
    assert "median of 5 day(s)" in offer.source and "range 47-90" in offer.source


@given(st.lists(st.tuples(st.integers(0, 90), st.sampled_from(
    ["easy", "recovery", "long", "speed", "threshold", "race"])), max_size=60))
def test_an_offered_template_is_always_a_valid_profile_with_one_long_day(
        items: list[tuple[int, str]]) -> None:
    runs = [(TODAY - timedelta(days=ago), kind) for ago, kind in items]
    offer = template_offer(TODAY, runs)
    if offer is None:
        return
    template = parse_runs(str(offer.value))
    Profile(name="p", tz="UTC", sex="f", max_hr=190, rest_hr=50, runs=template)  # validates
    assert list(template.values()).count("long") <= 1
    recent = [(d, k) for d, k in runs if TODAY - timedelta(weeks=8) < d <= TODAY]
    for day, kind in template.items():  # every offered day was run on in the last 8 weeks
        assert any(WEEKDAYS[d.weekday()] == day for d, _ in recent), (day, kind)


@pytest.fixture
def with_history(home: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    write_weeks(folder, FIRST_MONDAY, 6, sunday_long=(1,))
    with freeze_time("2025-04-16 12:00:00"):
        assert runner.invoke(app, INIT).exit_code == 0
        assert runner.invoke(app, ["import", str(folder), "--workers", "1"]).exit_code == 0
        assert runner.invoke(app, ["plan"]).exit_code == 0  # classifies the runs
    factory = open_db(load().database_url())
    with transaction(factory) as db:
        who = repo.find_athlete(db, "anna")
        assert who is not None
        for i, bpm in enumerate([47, 49, 48, 52, 46]):
            wellness_days.save_wellness(db, who, DailyWellness(day=TODAY - timedelta(days=i),
                                                      resting_hr=bpm))
    return home


def _stored_max_hr() -> int:
    with open_db(load().database_url())() as db:
        highest = db.scalar(select(func.max(m.Activity.max_hr)))
        assert highest is not None
        return round(highest)


def test_init_from_history_takes_the_values_and_says_where_from(with_history: Path) -> None:
    with freeze_time("2025-04-16 12:00:00"):
        result = runner.invoke(app, ["init", "--name", "anna", "--from-history",
                                     "--non-interactive", "--rest-hr", "51"])
    assert result.exit_code == 0, result.output
    p = load().athlete("anna")
    assert p.runs == {"mon": "easy", "sat": "long"}
    assert p.max_hr == _stored_max_hr()
    assert p.rest_hr == 51  # an option given wins over the history
    assert "weekly runs mon=easy,sat=long: from your classified runs" in result.output
    assert "highest heart rate recorded in the last year" in result.output
    assert "resting HR" not in result.output.split("Your history suggests")[0].split(
        "Saved athlete")[1]


def test_init_without_the_flag_only_suggests(with_history: Path) -> None:
    with freeze_time("2025-04-16 12:00:00"):
        result = runner.invoke(app, ["init", "--name", "anna", "--non-interactive"])
    assert result.exit_code == 0, result.output
    assert load().athlete("anna").runs == {"tue": "easy", "thu": "speed", "sun": "long"}
    assert "Your history suggests other values" in result.output
    assert "resting HR 48: from Garmin's resting heart rate, median of 5" in result.output
    assert "--from-history` takes them" in result.output


def test_interactive_init_offers_the_history_as_defaults(with_history: Path) -> None:
    config = load().paths.config_file
    config.unlink()  # a fresh profile for a name whose history is stored
    with freeze_time("2025-04-16 12:00:00"):
        result = runner.invoke(app, ["init"], input="anna\nUTC\nf\n\n\n\n")
    assert result.exit_code == 0, result.output
    p = load().athlete("anna")
    assert (p.max_hr, p.rest_hr) == (_stored_max_hr(), 48)
    assert p.runs == {"mon": "easy", "sat": "long"}
    assert "from Garmin's resting heart rate" in result.output


def test_threshold_hr_is_the_watchs_newest_setting_else_the_hardest_20_minutes() -> None:
    settings = [Peak(TODAY - timedelta(days=30), 168.0, "tempo"),
                Peak(TODAY - timedelta(days=2), 171.0, "easy"),  # the watch's newest value
                Peak(TODAY - timedelta(days=400), 160.0, "two years ago")]
    efforts = [Peak(TODAY - timedelta(days=60), 175.0, "10k race"),
               Peak(TODAY - timedelta(days=10), 169.0, "tempo")]
    watch = threshold_hr_offer(TODAY, settings, efforts)
    assert watch is not None and watch.value == 171
    assert "your watch's lactate threshold setting, 171 bpm" in watch.source
    assert "14 Apr 2025 (easy)" in watch.source
    effort = threshold_hr_offer(TODAY, settings[2:], efforts)  # no setting of the last year
    assert effort is not None and effort.value == 175
    assert "175 bpm on average over the hardest 20 min" in effort.source
    assert "15 Feb 2025 (10k race)" in effort.source and "Friel" in effort.source
    assert threshold_hr_offer(TODAY, [], [Peak(TODAY, 250.0, "glitch")]) is None
    assert threshold_hr_offer(TODAY, [], []) is None
    # never at or above the max HR found: such a threshold is no offer
    found = offers(TODAY, [Peak(TODAY, 174.0, "race")], [], [], [], efforts)
    assert [o.field for o in found] == ["max_hr"]


def _stream(minutes_at: list[tuple[int, float]], every_s: int = 1) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    hr = np.concatenate([np.full(m * 60, bpm) for m, bpm in minutes_at])
    t = np.arange(hr.size, dtype=float)
    return t[::every_s], hr[::every_s]


@pytest.mark.parametrize("every_s", [1, 5])
def test_the_hardest_20_minutes_of_a_run(every_s: int) -> None:
    t, hr = _stream([(10, 140.0), (20, 172.0), (10, 150.0)], every_s)
    assert hardest_mean_hr(t, hr) == pytest.approx(172.0, abs=0.5)
    t, hr = _stream([(10, 140.0), (15, 180.0), (10, 150.0)], every_s)  # 15 min hard, 5 easier
    assert hardest_mean_hr(t, hr) == pytest.approx((15 * 180 + 5 * 150) / 20, abs=0.5)
    assert hardest_mean_hr(*_stream([(19, 175.0)], every_s)) is None  # shorter than 20 min
    t, hr = _stream([(30, 170.0)], every_s)
    hr[: hr.size * 2 // 3] = np.nan  # the strap dropped out for 20 of the 30 min
    assert hardest_mean_hr(t, hr) is None


def test_a_strap_writing_0_bpm_holds_no_effort() -> None:
    """0 bpm (a strap without contact) is no reading, as a dropout is: 20 of 30 min at 0
    leave no 20 min with heart rate, and the 10 min read leave the mean at 170."""
    t, hr = _stream([(10, 0.0), (20, 170.0)])
    assert hardest_mean_hr(t, hr) == pytest.approx(170.0)
    hr[: hr.size * 2 // 3] = 0.0
    assert hardest_mean_hr(t, hr) is None
    assert hardest_mean_hr(t, np.zeros(t.size)) is None


def test_the_watchs_setting_is_read_from_real_garmin_files() -> None:
    folder = shared_fixture("fit")
    assert threshold_hr_setting((folder / "fit" / "garmin.fit").read_bytes()) == 165
    # a triathlon file whose zones carry 0 (not set), and a run file without a setting
    assert threshold_hr_setting((folder / "fit" / "triathlon_summary_first.fit").read_bytes()) \
        is None
    assert threshold_hr_setting(
        (folder / "python-fitparse" / "garmin-fenix-5-run.fit").read_bytes()) is None


def _tempo(day: date, hr: float, threshold_hr: int | None = None) -> bytes:
    return run_fit(datetime(day.year, day.month, day.day, 7, tzinfo=UTC),
                   [LapSpec(600, 3.0, 140), LapSpec(1800, 3.9, hr), LapSpec(600, 3.0, 140)],
                   seed=3, record_every_s=5, threshold_hr=threshold_hr)


def _import(home: Path, folder: Path) -> None:
    with freeze_time("2025-04-16 12:00:00"):
        assert runner.invoke(app, ["import", str(folder), "--workers", "1"]).exit_code == 0
        assert runner.invoke(app, ["plan"]).exit_code == 0  # classifies the new runs


def test_init_takes_threshold_hr_from_the_watch_then_from_the_hardest_effort(
        with_history: Path, tmp_path: Path) -> None:
    assert load().athlete("anna").threshold_hr is None
    with freeze_time("2025-04-16 12:00:00"):
        result = runner.invoke(app, ["init", "--name", "anna", "--non-interactive"])
    assert f"threshold HR: {NO_THRESHOLD}" in result.output.replace("\n", " ")
    folder = tmp_path / "tempo"
    folder.mkdir()
    (folder / "tempo.fit").write_bytes(_tempo(date(2025, 4, 9), 172.0))
    _import(with_history, folder)
    with freeze_time("2025-04-16 12:00:00"):
        result = runner.invoke(app, ["init", "--name", "anna", "--non-interactive",
                                     "--from-history"])
    assert result.exit_code == 0, result.output
    threshold = load().athlete("anna").threshold_hr
    assert threshold is not None and abs(threshold - 172) <= 1
    assert f"threshold HR {threshold}: from your hardest sustained effort" in result.output
    # a watch that knows its runner's threshold: its setting wins over the estimate
    (folder / "easy.fit").write_bytes(run_fit(datetime(2025, 4, 14, 7, tzinfo=UTC),
                                              [LapSpec(1800, 2.8, 135)], seed=5,
                                              record_every_s=5, threshold_hr=176))
    _import(with_history, folder)
    with freeze_time("2025-04-16 12:00:00"):
        suggested = runner.invoke(app, ["init", "--name", "anna", "--non-interactive"])
        given = runner.invoke(app, ["init", "--name", "anna", "--non-interactive",
                                    "--from-history", "--threshold-hr", "165"])
        taken = runner.invoke(app, ["init", "--name", "anna", "--non-interactive",
                                    "--from-history"])
    assert "threshold HR 176: from your watch's lactate threshold setting, 176 bpm, in the " \
        "file of your run of 14 Apr 2025" in suggested.output.replace("\n", " ")
    assert given.exit_code == 0 and "threshold HR" not in given.output.split("Saved")[1] \
        .split("Your history")[0]  # an option given wins, and is not said to come from it
    assert taken.exit_code == 0 and load().athlete("anna").threshold_hr == 176


def test_interactive_init_offers_the_threshold_as_a_default(with_history: Path,
                                                           tmp_path: Path) -> None:
    folder = tmp_path / "tempo"
    folder.mkdir()
    (folder / "tempo.fit").write_bytes(_tempo(date(2025, 4, 9), 168.0, threshold_hr=170))
    _import(with_history, folder)
    load().paths.config_file.unlink()  # a fresh profile for a name whose history is stored
    with freeze_time("2025-04-16 12:00:00"):
        result = runner.invoke(app, ["init"], input="anna\nUTC\nf\n\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert "Lactate threshold heart rate (bpm) [170]" in result.output
    assert load().athlete("anna").threshold_hr == 170
