from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domain.profile import Profile, ProfileError, parse_race, parse_runs
from jobs.config import ConfigError, Paths, current, load, save_profile


def profile(**overrides: object) -> Profile:
    values: dict[str, object] = dict(name="anna", tz="Europe/Berlin", sex="f", max_hr=186,
                                     rest_hr=48, runs={"mon": "easy", "sat": "long"})
    values.update(overrides)
    return Profile(**values)  # type: ignore[arg-type]


def test_home_env_puts_everything_under_one_folder(home: Path) -> None:
    paths = Paths.resolve()
    assert paths.config_file == home / "config.toml"
    assert paths.db_file.parent == home
    assert paths.raw_dir.parent == home and paths.tokens_dir("anna").is_relative_to(home)


def test_profile_round_trips_through_toml(home: Path) -> None:
    config = load()
    p = profile(threshold_hr=170, races=(parse_race("2027-04-11:half"),))
    save_profile(config, p)
    again = load().athlete("anna")
    assert again == p
    assert again.races[0].day == date(2027, 4, 11)


def test_saving_a_second_athlete_keeps_the_first(home: Path) -> None:
    config = load()
    save_profile(config, profile())
    save_profile(config, profile(name="ben", sex="m"))
    assert sorted(load().athletes) == ["anna", "ben"]


def test_current_reads_the_file_again_only_when_it_changed(home: Path) -> None:
    save_profile(load(), profile())
    running = load()  # a long-running process's configuration
    read = running.athletes
    assert current(running).athletes is read  # the same file: not read again
    save_profile(load(), profile(max_hr=190))  # another process saves
    assert current(running).athlete("anna").max_hr == 190
    assert current(running).athletes is running.athletes
    config = Paths.resolve().config_file
    # an edit in place (a longer file: a time stamp may not have moved on yet)
    config.write_text(config.read_text().replace("190", "191") + "# edited\n")
    assert current(running).athlete("anna").max_hr == 191


@pytest.mark.parametrize("overrides, words", [
    ({"tz": "Mars/Olympus"}, "time zone"),
    ({"sex": "x"}, "sex"),
    ({"max_hr": 300}, "max HR"),
    ({"rest_hr": 180}, "resting HR"),
    ({"threshold_hr": 40}, "threshold"),
    ({"strength_sessions": 5}, "1-3"),
    ({"runs": {"mon": "jog"}}, "run kind"),
    ({"runs": {"xyz": "easy"}}, "weekday"),
    ({"name": "bad name!"}, "name"),
    ({"equipment": "castle"}, "equipment"),
])
def test_bad_profile_values_say_which(overrides: dict[str, object], words: str) -> None:
    with pytest.raises(ProfileError, match=words):
        profile(**overrides)


def test_run_template_parsing() -> None:
    assert parse_runs("mon=easy, Wednesday=speed,sat=long") == {
        "mon": "easy", "wed": "speed", "sat": "long"}
    with pytest.raises(ProfileError, match="twice"):
        parse_runs("mon=easy,mon=long")
    with pytest.raises(ProfileError, match="mon=easy"):
        parse_runs("monday")
    with pytest.raises(ProfileError, match="2027-04-11:half"):
        parse_race("next spring")


def test_athlete_selection(home: Path) -> None:
    config = load()
    with pytest.raises(ConfigError, match="stridelift init"):
        config.athlete()
    save_profile(config, profile())
    assert config.athlete().name == "anna"
    save_profile(config, profile(name="ben"))
    with pytest.raises(ConfigError, match="--athlete"):
        config.athlete()
    with pytest.raises(ConfigError, match="no athlete named 'carl'"):
        config.athlete("carl")


def test_broken_config_file_is_a_clear_error(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text("[athletes.anna\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load()
    (home / "config.toml").write_text('[athletes.anna]\ntz = "UTC"\n')
    with pytest.raises(ConfigError, match="missing sex, max_hr, rest_hr"):
        load()
    (home / "config.toml").write_text(
        '[athletes.anna]\ntz = "UTC"\nsex = "f"\nmax_hr = "lots"\nrest_hr = 50\n')
    with pytest.raises(ConfigError, match="bad value"):
        load()


def test_database_url_precedence(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load()
    assert config.database_url() == f"sqlite:///{home / 'stridelift.db'}"
    config.db_url = "sqlite:////tmp/from-config.db"
    assert config.database_url() == "sqlite:////tmp/from-config.db"
    monkeypatch.setenv("STRIDELIFT_DB_URL", "sqlite:////tmp/from-env.db")
    assert config.database_url() == "sqlite:////tmp/from-env.db"


def test_booleans_must_be_booleans(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text('[athletes.anna]\ntz = "UTC"\nsex = "f"\nmax_hr = 190\n'
                                      'rest_hr = 50\npush_workouts = "false"\n')
    with pytest.raises(ConfigError, match="push_workouts must be true or false"):
        load()


def test_a_config_path_that_is_a_folder_is_a_clear_error(home: Path) -> None:
    (home / "config.toml").mkdir(parents=True)
    with pytest.raises(ConfigError, match="cannot read it"):
        load()


def test_the_home_and_the_config_are_private(home: Path) -> None:
    from jobs.home import Home

    config = load()
    save_profile(config, profile())
    Home.open(config)
    assert (home / "config.toml").stat().st_mode & 0o777 == 0o600
    assert home.stat().st_mode & 0o777 == 0o700
