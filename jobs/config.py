"""Where stridelift keeps its state, and the TOML configuration that holds the profiles.

Everything lives under one home: the platform's config and data dirs by default, or
`$STRIDELIFT_HOME` when set (tests and scripts rely on it to isolate themselves).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from domain.pointer import SERVER, Pointed, Pointer
from domain.profile import Profile, ProfileError, Race

ENV_HOME = "STRIDELIFT_HOME"
ENV_DB_URL = "STRIDELIFT_DB_URL"
APP = "stridelift"


class ConfigError(Pointed):
    """The configuration is missing or wrong; the message says what and how to fix it (the
    web app's fix, `on_web`, names no command: config.toml is on the server)."""


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path

    @classmethod
    def resolve(cls) -> Paths:
        home = os.environ.get(ENV_HOME)
        if home:
            root = Path(home).expanduser()
            return cls(config_dir=root, data_dir=root)
        return cls(config_dir=Path(platformdirs.user_config_dir(APP)),
                   data_dir=Path(platformdirs.user_data_dir(APP)))

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def db_file(self) -> Path:
        return self.data_dir / "stridelift.db"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    def tokens_dir(self, athlete: str) -> Path:
        return self.data_dir / "tokens" / athlete


@dataclass
class Config:
    paths: Paths
    db_url: str | None = None
    athletes: dict[str, Profile] = field(default_factory=dict)
    demo: dict[str, Any] = field(default_factory=dict)  # [demo]: the simulated athlete's seed
    read_as: tuple[int, int, int] | None = None  # the file as it was read (see `current`)

    def database_url(self) -> str:
        """`$STRIDELIFT_DB_URL`, else `[database] url`, else SQLite in the data dir. A SQLite
        URL naming no file is refused: SQLite keeps such a database in memory, and every
        command lost all it wrote (`sqlite:///`, a path left out)."""
        from db.session import in_memory  # SQLAlchemy: only once a database is asked for

        url = os.environ.get(ENV_DB_URL) or self.db_url or f"sqlite:///{self.paths.db_file}"
        if in_memory(url):
            raise ConfigError(f"the database URL {url!r} names no file, and what a command "
                              "wrote would be lost when it ends: give a file, e.g. "
                              f"sqlite:///{self.paths.db_file}")
        return url

    def athlete(self, name: str | None = None) -> Profile:
        """The named athlete, or the only one when no name is given."""
        if name is not None:
            if name not in self.athletes:
                known = ", ".join(sorted(self.athletes)) or "none yet"
                raise ConfigError(f"no athlete named {name!r} (known: {known}); "
                                  "run `stridelift init` to add one")
            return self.athletes[name]
        if not self.athletes:
            raise ConfigError("no athlete configured yet: run `stridelift init` first")
        if len(self.athletes) > 1:
            raise ConfigError(f"several athletes configured ({', '.join(sorted(self.athletes))})"
                              ": choose one with --athlete NAME")
        return next(iter(self.athletes.values()))


def load(paths: Paths | None = None) -> Config:
    paths = paths or Paths.resolve()
    read_as = _stamp(paths.config_file)  # taken first: a save while reading reads again
    raw = _read_toml(paths.config_file)
    where = paths.config_file
    unknown = sorted(set(raw) - {"database", "athletes", "demo"})
    if unknown:  # a typo such as [databse] would put the data in the default database
        raise ConfigError(f"{where}: unknown table(s) {', '.join(unknown)}; the tables are "
                          "[database], [athletes.NAME] and [demo]")
    db, athletes, demo = (raw.get(key, {}) for key in ("database", "athletes", "demo"))
    if not all(isinstance(table, dict) for table in (db, athletes, demo)):
        raise ConfigError(f"{where}: [database], [athletes] and [demo] must be tables")
    extra = sorted(set(db) - {"url"})
    if extra or not isinstance(db.get("url", ""), str):
        # keys, never values: the URL may hold a password, and the daemon logs this line
        raise ConfigError(f'{where}: [database] holds one setting, url = "a SQLAlchemy URL" '
                          f"(text in quotes){', not ' + ', '.join(extra) if extra else ''}")
    profiles = {name: _profile(where, name, body) for name, body in athletes.items()}
    return Config(paths=paths, db_url=db.get("url"), athletes=profiles, demo=dict(demo),
                  read_as=read_as)


def current(config: Config) -> Config:
    """`config` as the file holds it now, updated in place: read again only when the file
    changed since it was read, so a long-running process (the web app, the daemon) sees a
    race, a setting or an athlete the CLI saved, for the cost of a stat otherwise."""
    if _stamp(config.paths.config_file) != config.read_as:
        fresh = load(config.paths)  # the database stays the one opened
        config.athletes, config.demo, config.read_as = fresh.athletes, fresh.demo, fresh.read_as
    return config


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of the file from another: a save replaces the file (a new
    inode), an edit in place changes its time or size."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def save_profile(config: Config, profile: Profile) -> None:
    """Add or replace one athlete's profile, keeping the rest of the file as it was."""
    with saving_profile(config, profile):
        pass


@contextmanager
def saving_profile(config: Config, profile: Profile) -> Iterator[None]:
    """`profile` saved as the block ends well (`init` stores the athlete's row in it): the
    file is written beside config.toml first, so a folder that cannot take it fails before
    the block runs, and a block that fails leaves config.toml as it was."""
    raw = _read_toml(config.paths.config_file)
    raw.setdefault("athletes", {})[profile.name] = _profile_table(profile)
    with _writing(config, raw):
        yield
    config.athletes[profile.name] = profile


def save_demo(config: Config, settings: dict[str, Any]) -> None:
    """The demo athlete's settings (its seed and timeline), in the demo home's config."""
    raw = _read_toml(config.paths.config_file)
    raw["demo"] = settings
    with _writing(config, raw):
        pass
    config.demo = dict(settings)


@contextmanager
def _writing(config: Config, raw: dict[str, Any]) -> Iterator[None]:
    """`raw` as config.toml once the block ends well: 0600 from its first byte (it may hold
    a database URL with a password), renamed in place whole (a crash never leaves half a
    config)."""
    from jobs.files import replacing_private  # tempfile: only when a command saves

    in_block = False  # the block's own errors are its own, not the file's
    try:
        config.paths.config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with replacing_private(config.paths.config_file, tomli_w.dumps(raw).encode("utf-8")):
            in_block = True
            yield
            in_block = False
    except OSError as exc:
        if in_block:
            raise
        raise ConfigError(f"cannot write {config.paths.config_file}: {exc.strerror}",
                          Pointer(cli=f"check ${ENV_HOME} or the folder's permissions",
                                  web=f"check the folder's permissions on {SERVER}")) from None


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix or remove the file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from None


_REQUIRED = ("tz", "sex", "max_hr", "rest_hr")
# Every key an athlete's table may hold (what _profile_table writes): any other is a typo
# that would otherwise be ignored without a word (`strenght_sessions = 3`).
_KEYS = frozenset({*_REQUIRED, "threshold_hr", "runs", "strength_sessions", "equipment",
                   "races", "weights", "source", "nightly_at", "morning_at", "morning_until",
                   "push_workouts"})


def _profile(path: Path, name: str, body: Any) -> Profile:
    where = f"{path}: athlete {name!r}"
    if not isinstance(body, dict):
        raise ConfigError(f"{where} must be a table")
    missing = [key for key in _REQUIRED if key not in body]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}",
                          Pointer(cli="add it or rerun `stridelift init`",
                                  web=f"add it to the file on {SERVER}, or run init there "
                                  "again"))
    unknown = sorted(set(body) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}; the settings "
                          f"are {', '.join(sorted(_KEYS))}")
    get = _Table(body)
    try:
        return Profile(
            name=name, tz=get.text("tz"), sex=get.text("sex"), max_hr=get.whole("max_hr"),
            rest_hr=get.whole("rest_hr"), threshold_hr=get.whole("threshold_hr", None),
            runs=get.table("runs", str), strength_sessions=get.whole("strength_sessions", 2),
            equipment=get.text("equipment", "gym"), races=_races(body.get("races", [])),
            known_kg=get.table("weights", float), source=get.text("source", "garmin"),
            nightly_at=get.text("nightly_at", "21:30"),
            morning_at=get.text("morning_at", "07:00"),
            morning_until=get.text("morning_until", "12:00"),
            push_workouts=get.flag("push_workouts", False))
    except ProfileError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    except ValueError as exc:  # a value of the wrong type, named with its key
        raise ConfigError(f"{where}: {exc}") from None


class _Table:
    """An athlete's values by key, each of the type its setting takes (TOML's own types:
    `max_hr = "186"` or `= true` is refused, not guessed); ValueError names the key."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def _get(self, key: str, default: Any, kind: type | tuple[type, ...], what: str) -> Any:
        value = self.body.get(key, default)
        if value is default or (isinstance(value, kind) and not isinstance(value, bool)):
            return value
        raise ValueError(f"{key} must be {what}, not {value!r}")

    def text(self, key: str, default: Any = None) -> Any:
        return self._get(key, default, str, "text in quotes")

    def whole(self, key: str, default: Any = None) -> Any:
        return self._get(key, default, int, "a whole number")

    def flag(self, key: str, default: bool) -> bool:
        value = self.body.get(key, default)
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false, not {value!r}")
        return value

    def table(self, key: str, kind: type[str] | type[float]) -> dict[str, Any]:
        """A sub-table such as [athletes.NAME.runs] (day = "kind") or .weights (id = kg)."""
        table = self.body.get(key, {})
        if not isinstance(table, dict):
            raise ValueError(f"{key} must be a table ([athletes.NAME.{key}]), not {table!r}")
        number = kind is float
        for item, value in table.items():
            if isinstance(value, bool) or not isinstance(value, (int, float) if number else str):
                raise ValueError(f"{key}.{item} must be {'a number' if number else 'text'}, "
                                 f"not {value!r}")
        return {str(k): kind(v) for k, v in table.items()}


def _races(items: Any) -> tuple[Race, ...]:
    """`races = [{date = 2026-05-03, distance = "10k", priority = "A"}, ...]`."""
    if not isinstance(items, list) or not all(isinstance(r, dict) for r in items):
        raise ValueError(f"races must be a list of tables such as {{date = 2026-05-03, "
                         f"distance = \"10k\"}}, not {items!r}")
    races = []
    for i, r in enumerate(items):
        if "date" not in r:
            raise ValueError(f"races[{i}] has no date")
        unknown = sorted(set(r) - {"date", "distance", "priority"})
        if unknown:  # a typo such as prority = "C" would leave the race an A or B race
            raise ValueError(f"races[{i}]: unknown setting(s) {', '.join(unknown)}; a race "
                             "holds date, distance and priority")
        day = r["date"]
        if isinstance(day, str):  # a date in quotes
            with suppress(ValueError):
                day = date.fromisoformat(day)
        if type(day) is not date:  # a TOML date-time is a date too, but never equals a day
            shown = day.isoformat() if isinstance(day, datetime) else repr(day)
            raise ValueError(f"races[{i}].date must be a date (YYYY-MM-DD), not {shown}")
        races.append(Race(day=day, distance=str(r.get("distance", "other")),
                          priority=str(r.get("priority", "A" if i == 0 else "B"))))
    return tuple(races)


def _profile_table(p: Profile) -> dict[str, Any]:
    table: dict[str, Any] = {"tz": p.tz, "sex": p.sex, "max_hr": p.max_hr, "rest_hr": p.rest_hr,
                             "strength_sessions": p.strength_sessions, "equipment": p.equipment,
                             "runs": dict(p.runs), "source": p.source,
                             "nightly_at": p.nightly_at, "morning_at": p.morning_at,
                             "morning_until": p.morning_until,
                             "push_workouts": p.push_workouts}
    if p.threshold_hr is not None:
        table["threshold_hr"] = p.threshold_hr
    if p.known_kg:
        table["weights"] = dict(p.known_kg)
    if p.races:
        table["races"] = [{"date": r.day, "distance": r.distance, "priority": r.priority}
                          for r in p.races]
    return table
