"""Where stridelift keeps its state, and the TOML configuration that holds the profiles.

Everything lives under one home: the platform's config and data dirs by default, or
`$STRIDELIFT_HOME` when set (tests and scripts rely on it to isolate themselves).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from domain.profile import Profile, ProfileError, Race

ENV_HOME = "STRIDELIFT_HOME"
ENV_DB_URL = "STRIDELIFT_DB_URL"
APP = "stridelift"


class ConfigError(Exception):
    """The configuration is missing or wrong; the message says what and how to fix it."""


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
        """`$STRIDELIFT_DB_URL`, else `[database] url`, else SQLite in the data dir."""
        return os.environ.get(ENV_DB_URL) or self.db_url or f"sqlite:///{self.paths.db_file}"

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
    db = raw.get("database", {})
    url = db.get("url") if isinstance(db, dict) else None
    athletes = raw.get("athletes", {})
    if not isinstance(athletes, dict):
        raise ConfigError(f"{paths.config_file}: [athletes] must be a table")
    profiles = {name: _profile(paths.config_file, name, body) for name, body in athletes.items()}
    demo = raw.get("demo", {})
    return Config(paths=paths, db_url=url if isinstance(url, str) else None, athletes=profiles,
                  demo=dict(demo) if isinstance(demo, dict) else {}, read_as=read_as)


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
    raw = _read_toml(config.paths.config_file)
    raw.setdefault("athletes", {})[profile.name] = _profile_table(profile)
    _write(config, raw)
    config.athletes[profile.name] = profile


def save_demo(config: Config, settings: dict[str, Any]) -> None:
    """The demo athlete's settings (its seed and timeline), in the demo home's config."""
    raw = _read_toml(config.paths.config_file)
    raw["demo"] = settings
    _write(config, raw)
    config.demo = dict(settings)


def _write(config: Config, raw: dict[str, Any]) -> None:
    from jobs.files import write_private  # tempfile: only when a command saves

    try:
        config.paths.config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # 0600 from its first byte (it may hold a database URL with a password), renamed
        # in place whole: a crash never leaves half a config
        write_private(config.paths.config_file, tomli_w.dumps(raw).encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot write {config.paths.config_file}: {exc.strerror}; check "
                          f"${ENV_HOME} or the folder's permissions") from None


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


def _profile(path: Path, name: str, body: Any) -> Profile:
    where = f"{path}: athlete {name!r}"
    if not isinstance(body, dict):
        raise ConfigError(f"{where} must be a table")
    missing = [key for key in _REQUIRED if key not in body]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}; add it or rerun "
                          "`stridelift init`")
    try:
        races = tuple(Race(day=_date(r["date"]), distance=str(r.get("distance", "other")),
                           priority=str(r.get("priority", "A" if i == 0 else "B")))
                      for i, r in enumerate(body.get("races", [])))
        return Profile(
            name=name, tz=str(body["tz"]), sex=str(body["sex"]),
            max_hr=int(body["max_hr"]), rest_hr=int(body["rest_hr"]),
            threshold_hr=int(body["threshold_hr"]) if "threshold_hr" in body else None,
            runs={str(k): str(v) for k, v in dict(body.get("runs", {})).items()},
            strength_sessions=int(body.get("strength_sessions", 2)),
            equipment=str(body.get("equipment", "gym")), races=races,
            known_kg={str(k): float(v) for k, v in dict(body.get("weights", {})).items()},
            source=str(body.get("source", "garmin")),
            nightly_at=str(body.get("nightly_at", "21:30")),
            morning_at=str(body.get("morning_at", "07:00")),
            push_workouts=_bool(body.get("push_workouts", False), "push_workouts"))
    except ProfileError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: bad value ({exc})") from None


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false, not {value!r}")
    return value


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _profile_table(p: Profile) -> dict[str, Any]:
    table: dict[str, Any] = {"tz": p.tz, "sex": p.sex, "max_hr": p.max_hr, "rest_hr": p.rest_hr,
                             "strength_sessions": p.strength_sessions, "equipment": p.equipment,
                             "runs": dict(p.runs), "source": p.source,
                             "nightly_at": p.nightly_at, "morning_at": p.morning_at,
                             "push_workouts": p.push_workouts}
    if p.threshold_hr is not None:
        table["threshold_hr"] = p.threshold_hr
    if p.known_kg:
        table["weights"] = dict(p.known_kg)
    if p.races:
        table["races"] = [{"date": r.day, "distance": r.distance, "priority": r.priority}
                          for r in p.races]
    return table
