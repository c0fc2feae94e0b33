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

_ANNA = '[athletes.anna]\ntz = "UTC"\nsex = "f"\nmax_hr = 186\nrest_hr = 50\n'


@pytest.mark.parametrize("change, says", [
    (('max_hr = 186', 'max_hr = "lots"'), "athlete 'anna': max_hr must be a whole number, "
                                          "not 'lots'"),
    (('max_hr = 186', 'max_hr = 186.5'), "max_hr must be a whole number, not 186.5"),
    (('max_hr = 186', 'max_hr = true'), "max_hr must be a whole number, not True"),
    (('tz = "UTC"', 'tz = 5'), "tz must be text in quotes, not 5"),
    (('rest_hr = 50', 'rest_hr = 50\nstrenght_sessions = 3'),
     "unknown setting(s) strenght_sessions; the settings are equipment, max_hr"),
    (('rest_hr = 50', 'rest_hr = 50\npush_workouts = "yes"'),
     "push_workouts must be true or false, not 'yes'"),
    (('rest_hr = 50', 'rest_hr = 50\nruns = "tue=speed"'),
     "runs must be a table ([athletes.NAME.runs]), not 'tue=speed'"),
    (('rest_hr = 50', 'rest_hr = 50\n[athletes.anna.runs]\ntue = 3'), "runs.tue must be text"),
    (('rest_hr = 50', 'rest_hr = 50\n[athletes.anna.weights]\nbarbell_back_squat = "heavy"'),
     "weights.barbell_back_squat must be a number, not 'heavy'"),
    # it said "must be 0-500 kg, not 0.0": 0 is refused, a kg figure is no 0.0
    (('rest_hr = 50', 'rest_hr = 50\n[athletes.anna.weights]\nbarbell_back_squat = 0'),
     "known weight for barbell_back_squat must be more than 0 and at most 500 kg, not 0"),
    (('rest_hr = 50', 'rest_hr = 50\n[athletes.anna.weights]\nbarbell_back_squat = -60'),
     "at most 500 kg, not -60"),
    (('rest_hr = 50', 'rest_hr = 50\nraces = "2027-05-01:10k"'), "races must be a list of tables"),
    (('rest_hr = 50', 'rest_hr = 50\nraces = [{date = 2027-05-01, distance = "10k"}, '
                      '{date = 2027-05-01, distance = "5k"}]'),
     "race day 2027-05-01 appears twice: one race a day"),
    (('rest_hr = 50', 'rest_hr = 50\nraces = [{day = 2027-05-01}]'), "races[0] has no date"),
    (('rest_hr = 50', 'rest_hr = 50\nraces = [{date = "May 1st"}]'),
     "races[0].date must be a date (YYYY-MM-DD), not 'May 1st'"),
    # a date-time is a date to Python but never equal to a day: the plan failed with a
    # TypeError traceback (date - datetime)
    (('rest_hr = 50', 'rest_hr = 50\nraces = [{date = 2027-05-01T09:00:00}]'),
     "races[0].date must be a date (YYYY-MM-DD), not 2027-05-01T09:00:00"),
    (('rest_hr = 50', 'rest_hr = 50\nraces = [{date = 2027-05-01, prority = "C"}]'),
     "races[0]: unknown setting(s) prority; a race holds date, distance and priority"),
    (('[athletes.anna]', '[databse]\nurl = "sqlite:////tmp/x.db"\n[athletes.anna]'),
     "unknown table(s) databse; the tables are [database]"),
    (('[athletes.anna]', '[database]\nurl = 5\n[athletes.anna]'),
     '[database] holds one setting, url = "a SQLAlchemy URL" (text in quotes)'),
    # the keys only: the URL's password never reaches the message (nor the daemon's log)
    (('[athletes.anna]', '[database]\nurl = "postgresql://anna:s3cret@db/x"\necho = true\n'
                         '[athletes.anna]'), "(text in quotes), not echo"),
])
def test_a_value_of_the_wrong_type_or_an_unknown_key_is_named(
        home: Path, change: tuple[str, str], says: str) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text(_ANNA)
    assert load().athletes["anna"].max_hr == 186  # the file as it stands is fine
    (home / "config.toml").write_text(_ANNA.replace(*change, 1))
    with pytest.raises(ConfigError) as err:
        load()
    assert says in str(err.value) and "\n" not in str(err.value)
    assert "s3cret" not in str(err.value)


def test_race_dates_in_quotes_or_as_toml_dates_load(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text(_ANNA + 'races = [{date = "2027-05-01", distance = "10k"},'
                                      ' {date = 2027-06-06, distance = "half", priority = "C"}]\n')
    races = load().athletes["anna"].races
    assert [(type(r.day), r.day, r.priority) for r in races] == [
        (date, date(2027, 5, 1), "A"), (date, date(2027, 6, 6), "C")]


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
