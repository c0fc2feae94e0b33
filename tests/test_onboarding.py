"""`init` offers what the history says: max HR, resting HR, the run template as run."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from analysis.onboarding import Peak, max_hr_offer, offers, rest_hr_offer, template_offer
from db import models as m
from db import repo
from db.session import open_db, transaction
from domain.profile import WEEKDAYS, Profile, parse_runs
from domain.wellness import DailyWellness
from jobs.config import load
from stridelift.cli import app
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
            repo.save_wellness(db, who, DailyWellness(day=TODAY - timedelta(days=i),
                                                      resting_hr=bpm))
    return home


def _stored_max_hr() -> int:
    with open_db(load().database_url())() as db:
        return round(db.scalar(select(func.max(m.Activity.max_hr))))


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
