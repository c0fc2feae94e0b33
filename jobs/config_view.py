"""The configuration as resolved, each value with where it came from (`config show`);
secrets never shown: a database password is masked, Garmin tokens are only said to exist."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from domain.profile import Profile
from ingest.garmin_login import TOKEN_FILE
from jobs.config import ENV_DB_URL, ENV_HOME, Config

TOML_NAMES = {"known_kg": "weights"}  # profile field -> its key in config.toml


@dataclass(frozen=True)
class Setting:
    key: str
    value: Any
    source: str

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "source": self.source}


def resolved(config: Config) -> list[Setting]:
    """Every setting in force: paths, the database, and each athlete's profile."""
    paths, file = config.paths, str(config.paths.config_file)
    home_from = f"${ENV_HOME}" if os.environ.get(ENV_HOME) else "the platform's default folders"
    out = [Setting("config_file", file, home_from),
           Setting("data_dir", str(paths.data_dir), home_from),
           Setting("raw_dir", str(paths.raw_dir), "data_dir/raw"),
           _database(config)]
    raw = _athlete_tables(config)
    for name, profile in sorted(config.athletes.items()):
        out += _profile(name, profile, raw.get(name, {}), file)
        tokens = paths.tokens_dir(name) / TOKEN_FILE
        out.append(Setting(f"athletes.{name}.garmin_tokens",
                           "saved (hidden)" if tokens.exists() else "none",
                           str(tokens.parent) if tokens.exists() else "`stridelift login`"))
    return out


def masked_url(url: str) -> str:
    """The URL with any password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<not a database URL>"


def _database(config: Config) -> Setting:
    if os.environ.get(ENV_DB_URL):
        source = f"${ENV_DB_URL}"
    elif config.db_url:
        source = f"{config.paths.config_file} [database] url"
    else:
        source = "default: SQLite in data_dir"
    return Setting("database.url", masked_url(config.database_url()), source)


def _athlete_tables(config: Config) -> dict[str, dict[str, Any]]:
    path = config.paths.config_file
    if not path.exists():
        return {}
    athletes = tomllib.loads(path.read_text(encoding="utf-8")).get("athletes", {})
    return athletes if isinstance(athletes, dict) else {}


def _profile(name: str, p: Profile, table: dict[str, Any], file: str) -> list[Setting]:
    out = []
    for f in fields(p):
        if f.name == "name":
            continue
        value = getattr(p, f.name)
        key = TOML_NAMES.get(f.name, f.name)
        source = f"{file} [athletes.{name}]" if key in table else "default"
        out.append(Setting(f"athletes.{name}.{key}", _plain(value), source))
    return out


def _plain(value: Any) -> Any:
    """JSON-ready: races as date:distance, tuples as lists."""
    if isinstance(value, tuple):
        return [f"{r.day.isoformat()}:{r.distance}" if hasattr(r, "distance") else r
                for r in value]
    return value
