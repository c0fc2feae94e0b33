from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from db import models as m
from db.session import open_db
from domain.profile import SOURCES
from jobs.config import load
from stridelift.cli import app
from tests import pause_at

runner = CliRunner()
ARGS = ["init", "--non-interactive", "--name", "anna", "--tz", "Europe/Berlin", "--sex", "f",
        "--max-hr", "186", "--rest-hr", "48", "--threshold-hr", "170",
        "--runs", "mon=easy,wed=speed,sat=long", "--strength-sessions", "2",
        "--race", "2027-04-11:half"]


def test_init_non_interactive_writes_profile_and_athlete_row(home: Path) -> None:
    result = runner.invoke(app, ARGS)
    assert result.exit_code == 0, result.output
    p = load().athlete("anna")
    assert (p.max_hr, p.rest_hr, p.threshold_hr) == (186, 48, 170)
    assert p.runs == {"mon": "easy", "wed": "speed", "sat": "long"}
    factory = open_db(load().database_url())
    with factory() as session:
        assert session.scalars(select(m.Athlete.name)).all() == ["anna"]


def test_init_twice_updates_without_duplicating(home: Path) -> None:
    assert runner.invoke(app, ARGS).exit_code == 0
    again = [*ARGS[:-2], "--rest-hr", "45"]
    assert runner.invoke(app, again).exit_code == 0
    assert load().athlete("anna").rest_hr == 45
    with open_db(load().database_url())() as session:
        assert len(session.scalars(select(m.Athlete)).all()) == 1


def test_two_races_on_one_day_are_refused_not_both_kept(home: Path) -> None:
    """Both were saved (A 10k and B 5k on one day), where `race add` keeps one race a day."""
    result = runner.invoke(app, [*ARGS, "--race", "2027-04-11:10k"])
    assert result.exit_code == 2 and "race day 2027-04-11 appears twice" in result.output
    assert "Traceback" not in result.output and not (home / "config.toml").exists()


@pytest.mark.parametrize("change, message", [
    (("--max-hr", "400"), "max HR 400"),
    (("--runs", "mon=jog"), "unknown run kind 'jog'"),
    (("--tz", "Nowhere/City"), "unknown time zone"),
    (("--race", "soon"), "2027-04-11:half"),
    (("--race", "2027-04-31:10k"), "2027-04-31 is no day of the calendar"),
    (("--race", "2027-04-11"), "give its distance, one of 5k, 10k, half, marathon, ultra, "
                               "other, e.g. 2027-04-11:half"),
    (("--sex", "q"), "sex must be"),
])
def test_bad_values_exit_2_with_one_line(home: Path, change: tuple[str, str],
                                         message: str) -> None:
    args = list(ARGS)
    flag, value = change
    args[args.index(flag) + 1] = value
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (home / "config.toml").exists()


def test_a_known_weight_for_an_unknown_exercise_is_refused_before_saving(home: Path) -> None:
    """It was saved, and every later command then refused the config.toml."""
    result = runner.invoke(app, [*ARGS, "--weight", "back_squat=60"])
    assert result.exit_code == 2 and "unknown exercise(s) back_squat" in result.output
    assert "stridelift exercises" in result.output and "Traceback" not in result.output
    assert not (home / "config.toml").exists()
    assert runner.invoke(app, [*ARGS, "--weight", "barbell_back_squat=60"]).exit_code == 0
    saved = (home / "config.toml").read_text()
    again = runner.invoke(app, ["init", "--name", "anna", "--non-interactive",
                                "--weight", "squat=70"])
    assert again.exit_code == 2 and (home / "config.toml").read_text() == saved
    assert runner.invoke(app, ["plan"]).exit_code == 0


@pytest.mark.parametrize("change, message", [
    (("--strength-sessions", "0"), "strength sessions 0 must be 1-3"),
    (("--equipment", ""), "equipment must be one of"),
])
def test_an_update_to_a_falsy_value_is_refused_not_ignored(
        home: Path, change: tuple[str, str], message: str) -> None:
    assert runner.invoke(app, ARGS).exit_code == 0
    saved = (home / "config.toml").read_text()
    result = runner.invoke(app, ["init", "--name", "anna", "--non-interactive", *change])
    assert result.exit_code == 2 and message in result.output  # before: 'Saved', unchanged
    assert (home / "config.toml").read_text() == saved


def test_non_interactive_names_missing_options(home: Path) -> None:
    result = runner.invoke(app, ["init", "--non-interactive", "--name", "anna"])
    assert result.exit_code == 2
    assert "--tz, --sex, --max-hr, --rest-hr, --runs" in result.output


def test_interactive_prompts_for_what_is_missing(home: Path) -> None:
    answers = "anna\nEurope/Oslo\nm\n190\n50\nmon=easy,sat=long\n"
    result = runner.invoke(app, ["init"], input=answers)
    assert result.exit_code == 0, result.output
    assert load().athlete("anna").tz == "Europe/Oslo"


def test_init_sets_where_runs_come_from(home: Path) -> None:
    assert runner.invoke(app, [*ARGS, "--source", "files"]).exit_code == 0
    assert load().athlete("anna").source == "files"
    assert runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--rest-hr",
                               "45"]).exit_code == 0
    assert load().athlete("anna").source == "files"  # kept when not given
    refused = runner.invoke(app, [*ARGS, "--source", "strava"])
    assert refused.exit_code == 2 and "source must be one of garmin, files, demo" in \
        refused.output


@pytest.mark.parametrize("source", SOURCES)
def test_a_new_athlete_is_told_what_to_do_next(home: Path, source: str) -> None:
    first = runner.invoke(app, [*ARGS, "--source", source])
    assert first.exit_code == 0, first.output
    step = {"garmin": "`stridelift login` once, then `stridelift sync`",
            "files": "`stridelift import FOLDER`", "demo": "`stridelift nightly`"}[source]
    assert f"Next: {step}" in first.output and "`stridelift plan`" in first.output
    again = runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--rest-hr", "45"])
    assert again.exit_code == 0 and "Next:" not in again.output  # an update: known already


def test_updating_an_athlete_keeps_what_is_not_given(home: Path) -> None:
    assert runner.invoke(app, [*ARGS, "--weight", "barbell_back_squat=60"]).exit_code == 0
    result = runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--max-hr",
                                 "190"])
    assert result.exit_code == 0, result.output
    p = load().athlete("anna")
    assert (p.max_hr, p.rest_hr, p.threshold_hr) == (190, 48, 170)
    assert p.known_kg == {"barbell_back_squat": 60.0} and p.races and p.tz == "Europe/Berlin"


def test_a_database_that_cannot_be_opened_saves_no_profile(home: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIDELIFT_DB_URL", "nosuchdialect://x/y")
    result = runner.invoke(app, ARGS)
    assert result.exit_code == 1 and "cannot use" in result.output
    assert not (home / "config.toml").exists()


def test_a_config_that_cannot_be_written_stores_no_athlete(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pinned_clock: object) -> None:
    """init stored the athlete's row, then failed writing config.toml: an athlete in the
    database without a config, which `init` said it had not saved. Here the config folder
    cannot be made (its parent is a file: even root cannot write there)."""
    monkeypatch.delenv("STRIDELIFT_HOME", raising=False)
    monkeypatch.delenv("STRIDELIFT_DB_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    no_folder = tmp_path / "not-a-folder"
    no_folder.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(no_folder))
    result = runner.invoke(app, ARGS)
    assert result.exit_code == 2 and "cannot write" in result.output, result.output
    assert not (tmp_path / "data").exists()  # a new home left as it was: no database
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert runner.invoke(app, ARGS).exit_code == 0
    monkeypatch.setenv("XDG_CONFIG_HOME", str(no_folder))
    bob = [*ARGS[:3], "bob", *ARGS[4:]]
    result = runner.invoke(app, bob)
    assert result.exit_code == 2 and "cannot write" in result.output, result.output
    with open_db(load().database_url())() as session:
        assert session.scalars(select(m.Athlete.name)).all() == ["anna"]


def test_a_template_with_too_few_strength_days_is_said_at_init(home: Path) -> None:
    """Three sessions around speed on Wednesday and a long run on Saturday: S6 leaves Monday
    and Thursday, so Tuesday's session is mobility work every week. `init` says so, day by
    day, and the plan's week shows the same days."""
    args = [*ARGS[:ARGS.index("--strength-sessions")], "--strength-sessions", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert ("too few strength days (S6), in every week like the next one: only 2 legal "
            "strength days this week, 1 session becomes mobility/stability:") in text
    assert "- Tue: speed run on Wed 09 Dec (no strength the day before)" in text
    assert "- Sun: long run on Sat 12 Dec (no strength the day after)" in text
    week = runner.invoke(app, ["plan", "--json", "--from", "2026-12-07", "--weeks", "1"])
    kinds = {s["date"]: s["kind"] for s in json.loads(week.output)}
    assert kinds == {"2026-12-07": "strength", "2026-12-08": "mobility",
                     "2026-12-10": "strength"}


def test_a_template_with_room_says_nothing_of_it(home: Path) -> None:
    result = runner.invoke(app, ARGS)
    assert result.exit_code == 0 and "too few strength days" not in result.output


def test_init_killed_after_storing_the_row_and_before_renaming_config_toml_is_completed_again(
        home: Path, tmp_path: Path) -> None:
    """init commits the athlete's row, then renames the new config.toml (written whole
    beside it) into place. Killed between the two, the row is stored and config.toml is the
    one before, whole: the athlete is not there for any command, which says to run init,
    and init run again completes it, the row found again and not doubled, the temporary
    copy of config.toml the killed init left removed (it stayed for good). (The row alone
    is harmless: every command finds its athletes in config.toml, and the row is made on
    first use anyway.)"""
    bob = [*ARGS[:3], "bob", *ARGS[4:-2]]  # no race: the process below has the real date
    assert runner.invoke(app, bob).exit_code == 0
    before = (home / "config.toml").read_bytes()
    pause_at.killed_at(ARGS[:-2], "config.toml", tmp_path / "paused")
    assert (home / "config.toml").read_bytes() == before
    [left] = home.glob(".config.toml.*.tmp")
    with open_db(load().database_url())() as session:
        assert sorted(session.scalars(select(m.Athlete.name))) == ["anna", "bob"]
    plan = runner.invoke(app, ["plan", "--athlete", "anna"])
    assert plan.exit_code != 0 and "run `stridelift init` to add one" in plan.output
    assert runner.invoke(app, ARGS).exit_code == 0
    assert sorted(load().athletes) == ["anna", "bob"]
    assert not left.exists() and not list(home.glob(".config.toml.*"))
    with open_db(load().database_url())() as session:
        assert sorted(session.scalars(select(m.Athlete.name))) == ["anna", "bob"]
