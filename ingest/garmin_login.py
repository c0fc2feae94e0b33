"""Logging in to Garmin Connect: one password login (MFA code asked for when Garmin wants
it), or an existing garminconnect token file adopted; the tokens kept on disk (the file 0600
in a 0700 folder) and the saved login turned into a `Connect`. The password lives only in
`login`'s call: it is never stored, logged or put in an error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from garminconnect import (
    GarminConnectAuthenticationError,
    GarminConnectConnectionError,
    GarminConnectTooManyRequestsError,
)

from db import leftovers
from ingest.garmin import (
    LOGIN_HINT,
    Connect,
    GarminAuthError,
    GarminBadBody,
    GarminError,
    GarminNoData,
    GarminRateLimited,
    GarminUnavailable,
    Policy,
    http_status,
    new_api,
)

TOKEN_FILE = "garmin_tokens.json"  # noqa: S105 (a file name)


def token_file(tokens_dir: Path) -> Path:
    return tokens_dir / TOKEN_FILE


def _secure(tokens_dir: Path) -> None:
    for folder in (tokens_dir.parent, tokens_dir):
        folder.chmod(0o700)
    if token_file(tokens_dir).exists():
        token_file(tokens_dir).chmod(0o600)


def remove_leftovers(tokens_dir: Path) -> leftovers.Swept:
    """Remove the token file's temporary copies that a writer killed before its rename left
    (db.leftovers): each holds the login's tokens."""
    return leftovers.remove_beside(token_file(tokens_dir))


def save_tokens(tokens_dir: Path, text: str) -> Path:
    """Write the token JSON atomically: the file 0600 in a 0700 directory, whatever the umask."""
    tokens_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _secure(tokens_dir)
    remove_leftovers(tokens_dir)
    target = token_file(tokens_dir)
    tmp = leftovers.temporary(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(target)
    return target


def read_token_text(source: Path) -> str:
    """A garminconnect token file's text (`source` is the file or its folder), checked."""
    path = source / TOKEN_FILE if source.is_dir() else source
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise GarminAuthError(f"{path} is not a readable garminconnect token file") from None
    if not isinstance(data, dict) or not data.get("di_token"):
        raise GarminAuthError(f"{path} holds no garminconnect tokens (di_token)")
    return json.dumps({k: data.get(k) for k in ("di_token", "di_refresh_token", "di_client_id")})


def connect(tokens_dir: Path, policy: Policy | None = None) -> Connect:
    """A Connect on the saved tokens (never a password login) with the display name set."""
    path = token_file(tokens_dir)
    if not path.exists():
        raise GarminAuthError(f"no Garmin Connect login saved for this athlete: {LOGIN_HINT} "
                              "(or, to bring runs in as FIT files with `stridelift import` "
                              'only, set source = "files" in its table of config.toml)')
    text = read_token_text(path)
    _secure(tokens_dir)  # in case something loosened the modes since `login`
    remove_leftovers(tokens_dir)
    api = new_api()
    api.client.loads(text)
    api.client._tokenstore_path = str(tokens_dir)  # token refreshes are written back here
    conn = Connect(api, policy)
    try:
        conn.display_name()
    except (GarminNoData, GarminBadBody) as exc:  # no run can start without it
        raise GarminError(f"{exc}; try again later") from None
    return conn


def login(tokens_dir: Path, email: str, password: str, prompt_mfa: Callable[[], str],
          policy: Policy | None = None) -> str | None:
    """One password login (MFA code asked for when Garmin wants it); saves the tokens and
    returns the display name (None if Garmin could not confirm it just now). The password
    lives only in this call: it is never stored, logged or put in an error."""
    api = new_api()
    try:
        status, _ = api.client.login(email, password, return_on_mfa=True)
        if status == "needs_mfa":
            api.client.resume_login(None, prompt_mfa().strip())
    except GarminConnectTooManyRequestsError:
        raise GarminRateLimited("Garmin Connect is limiting logins (429): wait an hour before "
                                "trying again; repeated attempts extend the lock") from None
    except GarminConnectAuthenticationError:
        raise GarminAuthError("Garmin Connect refused the login: check the email, password "
                              "and MFA code") from None
    except GarminConnectConnectionError as exc:
        raise GarminError(f"Garmin Connect login failed ({_login_reason(exc)})") from None
    save_tokens(tokens_dir, api.client.dumps())
    api.client._tokenstore_path = str(tokens_dir)  # a token refresh is written back there
    try:
        return Connect(api, policy).display_name()
    except (GarminUnavailable, GarminNoData, GarminBadBody):
        return None  # the login itself worked: never make the user log in again for this


def _login_reason(exc: Exception) -> str:
    status = http_status(exc)
    return f"HTTP {status}" if status else "no login strategy got through"


def import_tokens(tokens_dir: Path, source: Path, policy: Policy | None = None) -> str:
    """Adopt an existing garminconnect token file; checked against Garmin before it is kept."""
    api = new_api()
    api.client.loads(read_token_text(source))
    name = Connect(api, policy).display_name()
    save_tokens(tokens_dir, api.client.dumps())  # dumps(): as refreshed during the check
    return name
